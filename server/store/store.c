/* The store's lifetime and its app-thread entry points: open, close, submit,
 * state and resume. */
#include <string.h>

#include "store_internal.h"

static int init_sync(naxd_store *s)
{
    if (pthread_mutex_init(&s->lock, NULL) != 0)
        return nax__error(NAX_ERROR, "store: cannot create a mutex");
    if (pthread_cond_init(&s->work, NULL) != 0) {
        pthread_mutex_destroy(&s->lock);
        return nax__error(NAX_ERROR, "store: cannot create a condition variable");
    }
    if (pthread_cond_init(&s->synced, NULL) != 0) {
        pthread_cond_destroy(&s->work);
        pthread_mutex_destroy(&s->lock);
        return nax__error(NAX_ERROR, "store: cannot create a condition variable");
    }
    return 0;
}

/* Frees everything but the thread (stopped first) and the sync objects. */
static void release(naxd_store *s)
{
    /* The writer closes last: as the last connection it checkpoints the WAL
     * into the database and removes it, which a read-only one cannot. */
    naxd__stmt_cache_clear(&s->reader_stmts);
    naxd__close_db(s->reader, "reader");
    naxd__stmt_cache_clear(&s->writer_stmts);
    naxd__close_db(s->writer, "writer");
    EVP_MD_CTX_free(s->digest);
    nax__free((char *)s->opts.dir);
    nax__free(s->path);
}

static int start(naxd_store *s)
{
    nax_buf path = NAX_BUF_INIT;
    int rc = nax__buf_printf(&path, "%s/naxd.db", s->opts.dir);
    if (rc)
        return rc;
    s->path = path.data;
    if ((rc = naxd__open_writer(s)) || (rc = naxd__open_reader(s)))
        return rc;
    if (!(s->digest = EVP_MD_CTX_new()))
        return nax__error_oom();
    if (pthread_create(&s->thread, NULL, naxd__writer_main, s) != 0)
        return nax__error(NAX_ERROR, "store: cannot start the writer thread");
    s->thread_started = 1;
    return 0;
}

int naxd_store_open(naxd_store **out, const naxd_store_options *opts)
{
    if (!out)
        return nax__error(NAX_EINVAL, "store: out is required");
    *out = NULL;
    if (!opts || !opts->dir || !*opts->dir || !opts->post)
        return nax__error(NAX_EINVAL, "store: options need a data folder and a poster");
    naxd_store *s = nax__calloc(1, sizeof *s);
    naxd__tally *t = s ? nax__calloc(1, sizeof *t) : NULL;
    if (!t || pthread_mutex_init(&t->lock, NULL) != 0) {
        nax__free(t);
        nax__free(s);
        return nax__error_oom();
    }
    s->tally = t;
    s->opts = *opts;
    if (!s->opts.max_batches_per_commit)
        s->opts.max_batches_per_commit = 1024;
    int rc = init_sync(s);
    if (rc) {
        naxd__tally_release(s->tally, 0);
        nax__free(s);
        return rc;
    }
    s->opts.dir = nax__strdup(opts->dir);
    rc = s->opts.dir ? start(s) : nax__error_oom();
    if (rc) {
        release(s);
        pthread_cond_destroy(&s->synced);
        pthread_cond_destroy(&s->work);
        pthread_mutex_destroy(&s->lock);
        naxd__tally_release(s->tally, 0);
        nax__free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void naxd_store_close(naxd_store *s)
{
    if (!s)
        return;
    if (s->thread_started) {
        pthread_mutex_lock(&s->lock);
        s->stopping = 1;
        pthread_cond_signal(&s->work);
        pthread_mutex_unlock(&s->lock);
        /* The writer leaves only once the queue is empty and all is posted. */
        pthread_join(s->thread, NULL);
    }
    release(s);
    pthread_cond_destroy(&s->synced);
    pthread_cond_destroy(&s->work);
    pthread_mutex_destroy(&s->lock);
    naxd__tally_release(s->tally, 0);
    nax__free(s);
}

void naxd__tally_release(naxd__tally *t, int report)
{
    pthread_mutex_lock(&t->lock);
    if (report)
        t->pending--;
    else
        t->closed = 1;
    int last = t->closed && t->pending == 0;
    pthread_mutex_unlock(&t->lock);
    if (last) {
        pthread_mutex_destroy(&t->lock);
        nax__free(t);
    }
}

naxd_store_state naxd_store_get_state(const naxd_store *s)
{
    if (!s)
        return NAXD_STORE_FAILED;
    naxd_store *m = (naxd_store *)s; /* the lock is not part of the value */
    pthread_mutex_lock(&m->lock);
    naxd_store_state state = m->state;
    pthread_mutex_unlock(&m->lock);
    return state;
}

size_t naxd_store_pending(const naxd_store *s)
{
    if (!s)
        return 0;
    naxd__tally *t = s->tally;
    pthread_mutex_lock(&t->lock);
    size_t n = t->pending;
    pthread_mutex_unlock(&t->lock);
    return n;
}

int naxd_store_submit(naxd_store *s, naxd_batch *b, naxd_commit_fn cb, void *arg)
{
    if (!s || !b) {
        naxd_batch_free(b);
        return nax__error(NAX_EINVAL, "store: submit needs a store and a batch");
    }
    b->job.next = NULL;
    b->job.kind = NAXD__JOB_BATCH;
    b->cb = cb;
    b->cb_arg = arg;
    b->tally = s->tally;
    pthread_mutex_lock(&s->tally->lock);
    s->tally->pending++;
    pthread_mutex_unlock(&s->tally->lock);
    pthread_mutex_lock(&s->lock);
    /* Refused while failed, but still reported in order by the writer. */
    b->preset_status = s->state == NAXD_STORE_FAILED ? NAX_EUNAVAILABLE : 0;
    if (s->tail)
        s->tail->next = &b->job;
    else
        s->head = &b->job;
    s->tail = &b->job;
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->lock);
    return 0;
}

void naxd_store_resume(naxd_store *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->state = NAXD_STORE_OK;
    pthread_mutex_unlock(&s->lock);
}

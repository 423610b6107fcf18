/* The writer thread: takes the queued batches, runs them in one transaction
 * (one fsync for all of them), and posts each batch's outcome, in order, to
 * the app thread. Sync jobs (probe, test hooks) run between takes. */
#define _GNU_SOURCE /* pthread_setname_np */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store_internal.h"

static const char audit_insert_sql[] =
    "INSERT INTO audit(seq, ts, actor, action, before, after, request_id, prev_hash, hash)"
    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)";

static double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A transaction failure: logged (no values, only SQL and SQLite's message). */
static int fail(naxd_store *s, int rc, const char *what)
{
    int code = naxd__sqlite_error(s->writer, rc, what);
    nax__log(NAX_LOG_ERROR, "%s", nax_error_last()->message);
    return code;
}

static int exec(naxd_store *s, const char *sql)
{
    int rc = sqlite3_exec(s->writer, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : fail(s, rc, sql);
}

/* Steps a bound statement to its end, then resets it and drops its bindings
 * (they point into the batch, which is freed soon). */
static int step_done(naxd_store *s, sqlite3_stmt *st, const char *sql)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) {
        char what[128];
        snprintf(what, sizeof what, "statement %.100s", sql);
        return fail(s, rc, what);
    }
    return 0;
}

static int bind_param(sqlite3_stmt *st, int index, const naxd_batch *b, const naxd__param *p)
{
    const char *data = p->type == 't' || p->type == 'b' ? b->bytes.data + p->off : NULL;
    switch (p->type) {
    case 'i': return sqlite3_bind_int64(st, index, p->i);
    case 't': return sqlite3_bind_text(st, index, data, (int)p->len, SQLITE_STATIC);
    case 'b':
        /* A zero-length blob with a NULL pointer would bind NULL, not X''. */
        return p->len ? sqlite3_bind_blob(st, index, data, (int)p->len, SQLITE_STATIC)
                      : sqlite3_bind_zeroblob(st, index, 0);
    default: return sqlite3_bind_null(st, index);
    }
}

static int run_statement(naxd_store *s, const naxd_batch *b, const naxd__stmt *stmt)
{
    sqlite3_stmt *st = NULL;
    int rc = naxd__stmt_cache_get(&s->writer_stmts, s->writer, stmt->sql, &st);
    if (rc) {
        nax__log(NAX_LOG_ERROR, "%s", nax_error_last()->message);
        return rc;
    }
    if ((size_t)sqlite3_bind_parameter_count(st) != stmt->nparams) {
        rc = nax__error(NAX_EINVAL, "store: %d parameters in %.100s, %zu values given",
                        sqlite3_bind_parameter_count(st), stmt->sql, stmt->nparams);
        nax__log(NAX_LOG_ERROR, "%s", nax_error_last()->message);
        return rc;
    }
    for (size_t i = 0; i < stmt->nparams; i++) {
        const naxd__param *p = &b->params[stmt->first_param + i];
        int src = bind_param(st, (int)i + 1, b, p);
        if (src != SQLITE_OK) {
            sqlite3_clear_bindings(st);
            return fail(s, src, "bind");
        }
    }
    return step_done(s, st, stmt->sql);
}

/* Numbers and chains one audit record onto the in-memory head, and writes it. */
static int append_audit(naxd_store *s, const naxd_batch *b, const naxd__audit_rec *r)
{
    naxd__audit_fields f = {s->audit_head.seq + 1,
                            r->ts,
                            naxd__batch_text(b, r->off[NAXD__AUDIT_ACTOR]),
                            naxd__batch_text(b, r->off[NAXD__AUDIT_ACTION]),
                            naxd__batch_text(b, r->off[NAXD__AUDIT_BEFORE]),
                            naxd__batch_text(b, r->off[NAXD__AUDIT_AFTER]),
                            naxd__batch_text(b, r->off[NAXD__AUDIT_REQUEST_ID])};
    char hash[NAXD__HASH_HEX + 1];
    int rc = naxd__audit_hash(s->digest, s->audit_head.hash, &f, hash);
    sqlite3_stmt *st = NULL;
    if (!rc)
        rc = naxd__stmt_cache_get(&s->writer_stmts, s->writer, audit_insert_sql, &st);
    if (rc) {
        nax__log(NAX_LOG_ERROR, "%s", nax_error_last()->message);
        return rc;
    }
    const char *texts[] = {f.actor, f.action, f.before, f.after, f.request_id};
    int src = sqlite3_bind_int64(st, 1, (int64_t)f.seq);
    if (src == SQLITE_OK)
        src = sqlite3_bind_int64(st, 2, f.ts);
    for (int i = 0; src == SQLITE_OK && i < 5; i++)
        src = sqlite3_bind_text(st, 3 + i, texts[i], -1, SQLITE_STATIC);
    if (src == SQLITE_OK)
        src = sqlite3_bind_text(st, 8, s->audit_head.hash, NAXD__HASH_HEX, SQLITE_STATIC);
    if (src == SQLITE_OK)
        src = sqlite3_bind_text(st, 9, hash, NAXD__HASH_HEX, SQLITE_STATIC);
    if (src != SQLITE_OK) {
        sqlite3_clear_bindings(st);
        return fail(s, src, "bind audit");
    }
    if ((rc = step_done(s, st, audit_insert_sql)))
        return rc;
    s->audit_head.seq = f.seq;
    memcpy(s->audit_head.hash, hash, sizeof hash);
    return 0;
}

static int run_batch(naxd_store *s, const naxd_batch *b)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < b->nstmts; i++)
        rc = run_statement(s, b, &b->stmts[i]);
    for (size_t i = 0; !rc && i < b->naudits; i++)
        rc = append_audit(s, b, &b->audits[i]);
    if (!rc && b->fail_commit) {
        rc = nax__error(NAX_EIO, "store: commit failed by fault injection");
        nax__log(NAX_LOG_WARN, "%s", nax_error_last()->message);
    }
    return rc;
}

/* Test hook: whether this transaction must fail as on SQLITE_IOERR. */
static int take_simulated_failure(naxd_store *s)
{
    pthread_mutex_lock(&s->lock);
    int fail_now = s->fail_next > 0;
    if (fail_now)
        s->fail_next--;
    pthread_mutex_unlock(&s->lock);
    return fail_now;
}

static int simulated_ioerr(void)
{
    int code = nax__error(NAX_EIO, "store: simulated disk I/O error (sqlite %d)", SQLITE_IOERR);
    nax__log(NAX_LOG_WARN, "%s", nax_error_last()->message);
    return code;
}

/* BEGIN IMMEDIATE, body, COMMIT; on any failure ROLLBACK and NAX_EIO. */
static int transaction(naxd_store *s, int (*body)(naxd_store *s, void *arg), void *arg)
{
    int simulate = take_simulated_failure(s);
    int rc = exec(s, "BEGIN IMMEDIATE");
    if (!rc)
        rc = body(s, arg);
    if (!rc && simulate)
        rc = simulated_ioerr();
    if (!rc)
        rc = exec(s, "COMMIT");
    if (rc) {
        /* SQLite may already have rolled back (disk full, I/O errors). */
        if (!sqlite3_get_autocommit(s->writer))
            sqlite3_exec(s->writer, "ROLLBACK", NULL, NULL, NULL);
        return NAX_EIO;
    }
    return 0;
}

static int run_take_body(naxd_store *s, void *arg)
{
    int rc = 0;
    for (naxd__job *j = arg; !rc && j; j = j->next) {
        naxd_batch *b = (naxd_batch *)j;
        if (!b->preset_status)
            rc = run_batch(s, b);
    }
    return rc;
}

/* Marks every batch still queued: it reports NAX_EIO without running. */
static void fail_store(naxd_store *s)
{
    pthread_mutex_lock(&s->lock);
    s->state = NAXD_STORE_FAILED;
    for (naxd__job *j = s->head; j; j = j->next)
        if (j->kind == NAXD__JOB_BATCH && !((naxd_batch *)j)->preset_status)
            ((naxd_batch *)j)->preset_status = NAX_EIO;
    pthread_mutex_unlock(&s->lock);
}

/* On the app thread. The batch stops counting as pending only here, just
 * before its callback: until the app has seen a failure, it must not take
 * "nothing pending" to mean that its memory matches the store. */
static void report(void *arg)
{
    naxd_batch *b = arg;
    naxd_commit_fn cb = b->cb;
    void *cb_arg = b->cb_arg;
    int status = b->status;
    naxd__tally *t = b->tally;
    nax__free(b);
    naxd__tally_release(t, 1);
    if (cb)
        cb(cb_arg, status);
}

/* Runs one take (a chain of batches) and posts every outcome in order. */
static void run_take(naxd_store *s, naxd__job *take)
{
    size_t in_tx = 0, work = 0;
    for (naxd__job *j = take; j; j = j->next) {
        naxd_batch *b = (naxd_batch *)j;
        if (!b->preset_status) {
            in_tx++;
            /* A batch whose building failed may be empty yet must fail: the
             * app's memory already holds the change it could not describe. */
            work += !naxd_batch_empty(b) || b->fail_commit;
        }
    }
    int status = 0;
    if (work) {
        naxd__audit_head saved = s->audit_head;
        double start = monotonic_seconds();
        status = transaction(s, run_take_body, take);
        if (status) {
            s->audit_head = saved;
            fail_store(s);
        }
        if (s->opts.observer)
            s->opts.observer(s->opts.observer_arg, monotonic_seconds() - start, in_tx);
    }
    naxd__job *next;
    for (naxd__job *j = take; j; j = next) {
        naxd_batch *b = (naxd_batch *)j;
        next = j->next;
        b->status = b->preset_status ? b->preset_status : status;
        naxd__batch_release_body(b);
        s->opts.post(s->opts.post_ctx, report, b);
    }
}

/* Detaches up to max consecutive batches from the queue head. Locked. */
static naxd__job *take_batches(naxd_store *s)
{
    naxd__job *first = s->head, *last = first;
    size_t n = 1;
    while (n < s->opts.max_batches_per_commit && last->next &&
           last->next->kind == NAXD__JOB_BATCH) {
        last = last->next;
        n++;
    }
    s->head = last->next;
    if (!s->head)
        s->tail = NULL;
    last->next = NULL;
    return first;
}

static void run_sync(naxd_store *s, naxd__sync_job *job)
{
    int result = job->run(s, job->arg);
    if (result)
        snprintf(job->message, sizeof job->message, "%s", nax_error_last()->message);
    pthread_mutex_lock(&s->lock);
    job->result = result;
    job->done = 1;
    pthread_cond_broadcast(&s->synced);
    pthread_mutex_unlock(&s->lock);
}

void *naxd__writer_main(void *arg)
{
    naxd_store *s = arg;
    pthread_setname_np(pthread_self(), "naxd-writer"); /* shows in top and perf */
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->head && !s->stopping)
            pthread_cond_wait(&s->work, &s->lock);
        if (!s->head)
            break; /* stopping, and everything submitted has been reported */
        if (s->head->kind == NAXD__JOB_SYNC) {
            naxd__sync_job *job = (naxd__sync_job *)s->head;
            s->head = job->job.next;
            if (!s->head)
                s->tail = NULL;
            pthread_mutex_unlock(&s->lock);
            run_sync(s, job);
        } else {
            naxd__job *take = take_batches(s);
            pthread_mutex_unlock(&s->lock);
            run_take(s, take);
        }
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int naxd__writer_call(naxd_store *s, int (*run)(naxd_store *s, void *arg), void *arg)
{
    naxd__sync_job job = {{NULL, NAXD__JOB_SYNC}, run, arg, 0, 0, ""};
    pthread_mutex_lock(&s->lock);
    if (s->tail)
        s->tail->next = &job.job;
    else
        s->head = &job.job;
    s->tail = &job.job;
    pthread_cond_signal(&s->work);
    while (!job.done)
        pthread_cond_wait(&s->synced, &s->lock);
    pthread_mutex_unlock(&s->lock);
    /* The detail was recorded on the writer thread; repeat it on this one. */
    return job.result ? nax__error(job.result, "%s", job.message) : 0;
}

/* ---- probe -------------------------------------------------------------------- */

/* Rewriting one row needs no new page, so a full disk would pass; the probe
 * also writes (then drops) a blob of PROBE_PAD bytes, which must find room. */
#define PROBE_PAD (256 * 1024)

static int probe_body(naxd_store *s, void *arg)
{
    static const char probe_sql[] =
        "INSERT OR REPLACE INTO health_probe(id, ts, pad) VALUES(1, ?, zeroblob(?))";
    static const char unpad_sql[] = "UPDATE health_probe SET pad = NULL WHERE id = 1";
    (void)arg;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    sqlite3_stmt *st = NULL;
    int rc = naxd__stmt_cache_get(&s->writer_stmts, s->writer, probe_sql, &st);
    if (rc)
        return rc;
    int src = sqlite3_bind_int64(st, 1, (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000);
    if (src == SQLITE_OK)
        src = sqlite3_bind_int(st, 2, PROBE_PAD);
    if (src != SQLITE_OK)
        return fail(s, src, "bind probe");
    if ((rc = step_done(s, st, probe_sql)))
        return rc;
    if ((rc = naxd__stmt_cache_get(&s->writer_stmts, s->writer, unpad_sql, &st)))
        return rc;
    return step_done(s, st, unpad_sql);
}

static int probe_run(naxd_store *s, void *arg)
{
    if (transaction(s, probe_body, arg) == 0)
        return 0;
    char msg[256];
    snprintf(msg, sizeof msg, "%s", nax_error_last()->message);
    return nax__error(NAX_EIO, "store: probe failed: %s", msg);
}

int naxd_store_probe(naxd_store *s)
{
    if (!s)
        return nax__error(NAX_EINVAL, "store: NULL store");
    return naxd__writer_call(s, probe_run, NULL);
}

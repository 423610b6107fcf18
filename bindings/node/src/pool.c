/*
 * The threads REST calls run on: a small pool per environment, owned by the
 * addon, instead of libuv's.
 *
 * Why not napi async work: libuv's pool signals its condition variable and
 * its completion handle while holding a mutex, so on a busy core the thread
 * it wakes runs at once, finds the mutex taken and sleeps again: two extra
 * context switches each way, and every call lands on the least recently used
 * of its threads (cold caches). Here every wake-up happens after the lock is
 * released, the thread that finished last takes the next job (a thread
 * that has just posted a result looks at the queue before it sleeps, so a
 * sequential caller needs no wake-up at all), and the threads are not shared
 * with fs, dns and crypto work. The calls still run off the main thread and
 * still keep the loop alive while in flight.
 *
 * Results go back through a uv_async_t of the environment's loop; the main
 * thread completes them inside a callback scope, so promise reactions run
 * right after, as with napi async work.
 *
 * Teardown (an async cleanup hook): queued and finished jobs are discarded,
 * parked threads exit, running ones exit when their call returns; the pool
 * is freed by whoever lets go of it last.
 */
#include "addon.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <uv.h>

/* As many as a libnax client has connections by default: more calls at once
 * would only wait for a connection inside libnax. */
#define POOL_THREADS 8

typedef struct worker {
    struct worker *next_idle;
    struct nn_pool *pool;
    sem_t wake;
} worker;

struct nn_pool {
    pthread_mutex_t mu;
    nn_job *todo, *todo_tail; /* submitted, not started (FIFO) */
    nn_job *done, *done_tail; /* executed, not completed (FIFO) */
    worker *idle;             /* parked threads, the last parked on top */
    unsigned queued;          /* jobs in todo */
    unsigned finishing; /* threads that posted a result and will look at todo before parking */
    unsigned threads;
    unsigned refs;      /* threads + the main thread's (until the handle is closed) */
    int stopping;       /* teardown began: run nothing more, post nothing more */
    atomic_int sending; /* threads inside uv_async_send() */
    uv_async_t async;

    /* main thread only */
    napi_env env;
    unsigned inflight; /* submitted, not completed: the handle is ref'd while > 0 */
    napi_async_context ctx;
    napi_ref resource;
    napi_async_cleanup_hook_handle hook;
};

static void pool_unref(nn_pool *p)
{
    pthread_mutex_lock(&p->mu);
    int last = --p->refs == 0;
    pthread_mutex_unlock(&p->mu);
    if (last) {
        pthread_mutex_destroy(&p->mu);
        free(p);
    }
}

/* ---- the pool's threads */

static void *worker_main(void *arg)
{
    worker *self = arg;
    nn_pool *p = self->pool;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (p->stopping)
            break;
        nn_job *job = p->todo;
        if (!job) {
            self->next_idle = p->idle;
            p->idle = self;
            pthread_mutex_unlock(&p->mu);
            while (sem_wait(&self->wake) != 0 && errno == EINTR)
                ;
            pthread_mutex_lock(&p->mu); /* whoever posted took us off the idle stack */
            continue;
        }
        p->todo = job->next;
        if (!p->todo)
            p->todo_tail = NULL;
        p->queued--;
        pthread_mutex_unlock(&p->mu);

        job->execute(job);

        pthread_mutex_lock(&p->mu);
        if (p->stopping) {
            job->discard(job);
            break;
        }
        job->next = NULL;
        if (p->done_tail)
            p->done_tail->next = job;
        else
            p->done = job;
        p->done_tail = job;
        p->finishing++;
        atomic_fetch_add(&p->sending, 1); /* teardown waits for this before closing the handle */
        pthread_mutex_unlock(&p->mu);
        uv_async_send(&p->async);
        atomic_fetch_sub(&p->sending, 1);
        pthread_mutex_lock(&p->mu);
        p->finishing--;
    }
    p->threads--;
    pthread_mutex_unlock(&p->mu);
    sem_destroy(&self->wake);
    free(self);
    pool_unref(p);
    return NULL;
}

/* Starts one more thread (the caller counted it in threads and refs). Its
 * signals stay with the main thread. */
static int spawn(nn_pool *p)
{
    worker *w = calloc(1, sizeof *w);
    if (!w)
        return -1;
    w->pool = p;
    if (sem_init(&w->wake, 0, 0) != 0) {
        free(w);
        return -1;
    }
    pthread_attr_t attr;
    sigset_t all, old;
    sigfillset(&all);
    int rc = pthread_attr_init(&attr);
    if (rc == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        pthread_t t;
        rc = pthread_create(&t, &attr, worker_main, w);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        pthread_attr_destroy(&attr);
    }
    if (rc != 0) {
        sem_destroy(&w->wake);
        free(w);
        return -1;
    }
    return 0;
}

/* ---- the main thread */

static void complete_all(nn_pool *p)
{
    pthread_mutex_lock(&p->mu);
    nn_job *job = p->done;
    p->done = p->done_tail = NULL;
    pthread_mutex_unlock(&p->mu);
    if (!job)
        return;
    napi_env env = p->env;
    napi_handle_scope hs = NULL;
    napi_callback_scope cs = NULL;
    napi_value resource = NULL;
    napi_open_handle_scope(env, &hs);
    napi_get_reference_value(env, p->resource, &resource);
    int scoped = napi_open_callback_scope(env, resource, p->ctx, &cs) == napi_ok;
    while (job) {
        nn_job *next = job->next;
        p->inflight--;
        job->complete(env, job);
        job = next;
    }
    if (p->inflight == 0)
        uv_unref((uv_handle_t *)&p->async);
    if (scoped) /* runs the promise reactions, which may submit again */
        napi_close_callback_scope(env, cs);
    napi_close_handle_scope(env, hs);
}

static void on_async(uv_async_t *h)
{
    complete_all(h->data);
}

static void discard_list(nn_job *job)
{
    while (job) {
        nn_job *next = job->next;
        job->discard(job);
        job = next;
    }
}

static void on_closed(uv_handle_t *h)
{
    nn_pool *p = h->data;
    napi_remove_async_cleanup_hook(p->hook);
    pool_unref(p);
}

/* The environment ends: nothing more runs or completes. */
static void on_teardown(napi_async_cleanup_hook_handle handle, void *arg)
{
    nn_pool *p = arg;
    nn_env *ne = nn_env_get(p->env);
    if (ne && ne->pool == p)
        ne->pool = NULL;
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    nn_job *todo = p->todo, *done = p->done;
    p->todo = p->todo_tail = p->done = p->done_tail = NULL;
    p->queued = 0;
    worker *idle = p->idle;
    p->idle = NULL;
    pthread_mutex_unlock(&p->mu);
    for (worker *w = idle, *next; w; w = next) {
        next = w->next_idle;
        sem_post(&w->wake);
    }
    discard_list(todo);
    discard_list(done);
    napi_delete_reference(p->env, p->resource);
    napi_async_destroy(p->env, p->ctx);
    /* A thread may be inside uv_async_send(): the handle must outlive it. */
    while (atomic_load(&p->sending) > 0)
        sched_yield();
    p->hook = handle;
    uv_close((uv_handle_t *)&p->async, on_closed);
}

static nn_pool *pool_new(napi_env env)
{
    uv_loop_t *loop = NULL;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || !loop)
        return NULL;
    nn_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->env = env;
    p->refs = 1;
    atomic_init(&p->sending, 0);
    napi_value resource = NULL, name = NULL;
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p);
        return NULL;
    }
    if (napi_create_object(env, &resource) != napi_ok ||
        napi_create_string_latin1(env, "nax.call", NAPI_AUTO_LENGTH, &name) != napi_ok ||
        napi_async_init(env, resource, name, &p->ctx) != napi_ok)
        goto fail;
    if (napi_create_reference(env, resource, 1, &p->resource) != napi_ok)
        goto fail_ctx;
    if (uv_async_init(loop, &p->async, on_async) != 0)
        goto fail_ref;
    p->async.data = p;
    uv_unref((uv_handle_t *)&p->async);
    if (napi_add_async_cleanup_hook(env, on_teardown, p, NULL) != napi_ok) {
        /* The handle is initialised: only a close frees it. Tear down now. */
        p->hook = NULL;
        p->stopping = 1;
        napi_delete_reference(env, p->resource);
        napi_async_destroy(env, p->ctx);
        uv_close((uv_handle_t *)&p->async, NULL); /* the pool leaks: a failure at start-up */
        return NULL;
    }
    return p;
fail_ref:
    napi_delete_reference(env, p->resource);
fail_ctx:
    napi_async_destroy(env, p->ctx);
fail:
    pthread_mutex_destroy(&p->mu);
    free(p);
    return NULL;
}

int nn_pool_submit(napi_env env, nn_job *job)
{
    nn_env *ne = nn_env_get(env);
    if (!ne)
        return -1;
    if (!ne->pool && !(ne->pool = pool_new(env)))
        return -1;
    nn_pool *p = ne->pool;
    worker *wake = NULL;
    int grow = 0;
    job->next = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->todo_tail)
        p->todo_tail->next = job;
    else
        p->todo = job;
    p->todo_tail = job;
    p->queued++;
    if (p->queued > p->finishing) { /* no thread about to look at the queue is free for it */
        if (p->idle) {
            wake = p->idle;
            p->idle = wake->next_idle;
        } else if (p->threads < POOL_THREADS) {
            grow = 1;
            p->threads++;
            p->refs++;
        }
    }
    pthread_mutex_unlock(&p->mu);
    if (wake)
        sem_post(&wake->wake);
    if (grow && spawn(p) != 0) {
        pthread_mutex_lock(&p->mu);
        p->threads--;
        p->refs--;
        int orphan = p->threads == 0; /* no thread will ever take it */
        if (orphan) {
            /* only this job can be queued: a thread would exist otherwise */
            p->todo = p->todo_tail = NULL;
            p->queued = 0;
        }
        pthread_mutex_unlock(&p->mu);
        if (orphan)
            return -1;
    }
    if (p->inflight++ == 0)
        uv_ref((uv_handle_t *)&p->async);
    return 0;
}

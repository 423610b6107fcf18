/* A small pool of worker threads for slow CPU work (password hashing): a
 * job queue under a mutex; each finished job posts its done() back to the
 * app thread. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "internal.h"

void naxd__job_done(void *p)
{
    naxd_job *job = p;
    void (*done)(void *) = job->done;
    void *arg = job->arg;
    nax__free(job);
    if (done)
        done(arg);
}

static void *worker_main(void *arg)
{
    naxd_http *h = arg;
    pthread_setname_np(pthread_self(), "naxd-worker");
    for (;;) {
        pthread_mutex_lock(&h->job_lock);
        while (!h->jobs_quit && !h->jobs)
            pthread_cond_wait(&h->job_cond, &h->job_lock);
        if (h->jobs_quit) {
            pthread_mutex_unlock(&h->job_lock);
            return NULL;
        }
        naxd_job *job = h->jobs;
        h->jobs = job->next;
        if (!h->jobs)
            h->jobs_last = NULL;
        pthread_mutex_unlock(&h->job_lock);
        if (job->work)
            job->work(job->arg);
        naxd_http_post(h, naxd__job_done, job);
    }
}

int naxd__workers_start(naxd_http *h)
{
    pthread_mutex_init(&h->job_lock, NULL);
    pthread_cond_init(&h->job_cond, NULL);
    h->workers_started = 1; /* from here naxd__workers_stop() cleans up */
    for (int i = 0; i < NAXD_HTTP_WORKERS; i++) {
        if (pthread_create(&h->workers[i], NULL, worker_main, h) != 0)
            return nax__error(NAX_EIO, "naxd: cannot start a worker thread");
        h->nworkers++;
    }
    return 0;
}

void naxd__workers_stop(naxd_http *h)
{
    pthread_mutex_lock(&h->job_lock);
    h->jobs_quit = 1;
    pthread_cond_broadcast(&h->job_cond);
    pthread_mutex_unlock(&h->job_lock);
    for (int i = 0; i < h->nworkers; i++)
        pthread_join(h->workers[i], NULL);
    h->nworkers = 0;
    naxd_job *job = h->jobs;
    while (job) {
        naxd_job *next = job->next;
        nax__free(job);
        job = next;
    }
    h->jobs = h->jobs_last = NULL;
    pthread_mutex_destroy(&h->job_lock);
    pthread_cond_destroy(&h->job_cond);
    h->workers_started = 0;
}

int naxd_http_work(naxd_http *h, void (*work)(void *arg), void (*done)(void *arg), void *arg)
{
    naxd_job *job = nax__calloc(1, sizeof(*job));
    if (!job)
        return nax__error_oom();
    job->h = h;
    job->work = work;
    job->done = done;
    job->arg = arg;
    pthread_mutex_lock(&h->job_lock);
    if (h->jobs_last)
        h->jobs_last->next = job;
    else
        h->jobs = job;
    h->jobs_last = job;
    pthread_cond_signal(&h->job_cond);
    pthread_mutex_unlock(&h->job_lock);
    return 0;
}

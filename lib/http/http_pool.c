/* The pool of easy handles: a stack under a mutex, so the handle used last
 * (whose connection is the warmest) is taken first; callers beyond `max`
 * wait on a condition variable until a handle comes back or their deadline. */
#include <errno.h>
#include <time.h>

#include "core/core.h"
#include "http_internal.h"

int nax__http_pool_init(nax__http_pool *p, unsigned int max)
{
    p->idle = nax__calloc(max, sizeof *p->idle);
    if (!p->idle)
        return nax__error_oom();
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        nax__free(p->idle);
        return nax__error(NAX_ERROR, "cannot create the pool's lock");
    }
    pthread_condattr_t attr;
    int ok = pthread_condattr_init(&attr) == 0;
    if (ok) {
        /* Deadlines are monotonic, so a wall clock step cannot stretch a wait. */
        ok = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
             pthread_cond_init(&p->freed, &attr) == 0;
        pthread_condattr_destroy(&attr);
    }
    if (!ok) {
        pthread_mutex_destroy(&p->lock);
        nax__free(p->idle);
        return nax__error(NAX_ERROR, "cannot create the pool's condition variable");
    }
    p->idle_count = 0;
    p->created = 0;
    p->max = max;
    return 0;
}

void nax__http_pool_dispose(nax__http_pool *p)
{
    while (p->idle_count > 0)
        nax__http_handle_free(p->idle[--p->idle_count]);
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->lock);
    nax__free(p->idle);
    p->idle = NULL;
}

int nax__http_pool_take(nax__http_pool *p, const struct timespec *deadline, nax__http_handle **out)
{
    *out = NULL;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        if (p->idle_count > 0) {
            *out = p->idle[--p->idle_count];
            break;
        }
        if (p->created < p->max) {
            p->created++; /* reserved: the caller creates the handle */
            break;
        }
        if (pthread_cond_timedwait(&p->freed, &p->lock, deadline) == ETIMEDOUT &&
            p->idle_count == 0 && p->created >= p->max) {
            pthread_mutex_unlock(&p->lock);
            return NAX_ETIMEOUT; /* the caller says which request waited */
        }
    }
    pthread_mutex_unlock(&p->lock);
    return 0;
}

void nax__http_pool_put(nax__http_pool *p, nax__http_handle *hh)
{
    pthread_mutex_lock(&p->lock);
    p->idle[p->idle_count++] = hh;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

void nax__http_pool_unreserve(nax__http_pool *p)
{
    pthread_mutex_lock(&p->lock);
    p->created--;
    pthread_cond_signal(&p->freed); /* a waiter may now create one */
    pthread_mutex_unlock(&p->lock);
}

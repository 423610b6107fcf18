/* Work handed to the app thread: functions posted from any thread (a
 * mutex-protected ring, then lws_cancel_service() to wake the loop, which
 * runs them in LWS_CALLBACK_EVENT_WAIT_CANCELLED) and one-shot timers
 * (lws_sul, on the app thread only). */
#include <string.h>
#include <time.h>

#include "internal.h"

int naxd__tasks_init(naxd_http *h)
{
    h->ring_cap = 256;
    h->ring = nax__calloc(h->ring_cap, sizeof(*h->ring));
    if (!h->ring)
        return nax__error_oom();
    pthread_mutex_init(&h->post_lock, NULL);
    pthread_cond_init(&h->post_cond, NULL);
    return 0;
}

void naxd__tasks_dispose(naxd_http *h)
{
    if (!h->ring)
        return;
    /* Not run: the app may be gone. Jobs whose done() never ran are freed. */
    for (size_t i = 0; i < h->ring_len; i++) {
        naxd_task *t = &h->ring[(h->ring_head + i) % h->ring_cap];
        if (t->fn == naxd__job_done)
            nax__free(t->arg);
    }
    nax__free(h->ring);
    h->ring = NULL;
    pthread_mutex_destroy(&h->post_lock);
    pthread_cond_destroy(&h->post_cond);
}

/* Doubles the ring, keeping the order; 0 or -1 (lock held). */
static int ring_grow(naxd_http *h)
{
    size_t cap = h->ring_cap * 2;
    naxd_task *ring = nax__calloc(cap, sizeof(*ring));
    if (!ring)
        return -1;
    for (size_t i = 0; i < h->ring_len; i++)
        ring[i] = h->ring[(h->ring_head + i) % h->ring_cap];
    nax__free(h->ring);
    h->ring = ring;
    h->ring_cap = cap;
    h->ring_head = 0;
    return 0;
}

static int on_app_thread(naxd_http *h)
{
    return !atomic_load(&h->app_thread_set) || pthread_equal(pthread_self(), h->app_thread);
}

void naxd_http_post(void *http, void (*fn)(void *arg), void *arg)
{
    naxd_http *h = http;
    pthread_mutex_lock(&h->post_lock);
    while (h->ring_len == h->ring_cap && ring_grow(h) != 0) {
        pthread_mutex_unlock(&h->post_lock);
        if (on_app_thread(h)) {
            fn(arg); /* the queue cannot grow and only this thread drains it */
            return;
        }
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL); /* the app thread makes room */
        pthread_mutex_lock(&h->post_lock);
    }
    naxd_task *t = &h->ring[(h->ring_head + h->ring_len) % h->ring_cap];
    t->fn = fn;
    t->arg = arg;
    h->ring_len++;
    pthread_cond_signal(&h->post_cond);
    pthread_mutex_unlock(&h->post_lock);
    lws_cancel_service(h->ctx);
}

size_t naxd__tasks_run(naxd_http *h)
{
    /* Only what is queued now: functions posted by these run next time, so
     * a function that re-posts itself cannot starve the network. */
    pthread_mutex_lock(&h->post_lock);
    size_t n = h->ring_len, ran = 0;
    pthread_mutex_unlock(&h->post_lock);
    while (ran < n) {
        pthread_mutex_lock(&h->post_lock);
        naxd_task t = h->ring[h->ring_head];
        h->ring_head = (h->ring_head + 1) % h->ring_cap;
        h->ring_len--;
        pthread_mutex_unlock(&h->post_lock);
        t.fn(t.arg);
        ran++;
    }
    return ran;
}

int naxd_http_service_posts(naxd_http *h, int timeout_ms)
{
    pthread_mutex_lock(&h->post_lock);
    if (h->ring_len == 0 && timeout_ms > 0) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += timeout_ms / 1000;
        until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (h->ring_len == 0 &&
               pthread_cond_timedwait(&h->post_cond, &h->post_lock, &until) == 0) {
        }
    }
    pthread_mutex_unlock(&h->post_lock);
    size_t ran = naxd__tasks_run(h);
    naxd__graveyard_flush(h);
    return (int)ran;
}

/* ---- timers ----------------------------------------------------------------- */

static void timer_unlink(naxd_http *h, naxd_timer *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        h->timers = t->next;
    if (t->next)
        t->next->prev = t->prev;
}

static void timer_fired(lws_sorted_usec_list_t *sul)
{
    naxd_timer *t = lws_container_of(sul, naxd_timer, sul);
    void (*fn)(void *) = t->fn;
    void *arg = t->arg;
    timer_unlink(t->h, t);
    nax__free(t);
    fn(arg);
}

int naxd_http_after(naxd_http *h, uint64_t delay_ms, void (*fn)(void *arg), void *arg)
{
    if (!h || !fn)
        return nax__error(NAX_EINVAL, "naxd_http_after: missing argument");
    naxd_timer *t = nax__calloc(1, sizeof(*t));
    if (!t)
        return nax__error_oom();
    t->h = h;
    t->fn = fn;
    t->arg = arg;
    t->next = h->timers;
    if (h->timers)
        h->timers->prev = t;
    h->timers = t;
    /* lws_usec_t is signed: clamp absurd delays to ~100 years. */
    uint64_t max_ms = 100ull * 365 * 24 * 3600 * 1000;
    lws_usec_t us = (lws_usec_t)(delay_ms > max_ms ? max_ms : delay_ms) * LWS_US_PER_MS;
    lws_sul_schedule(h->ctx, 0, &t->sul, timer_fired, us ? us : 1);
    return 0;
}

void naxd__timers_dispose(naxd_http *h)
{
    naxd_timer *t = h->timers;
    h->timers = NULL;
    while (t) {
        naxd_timer *next = t->next;
        lws_sul_cancel(&t->sul);
        nax__free(t);
        t = next;
    }
}

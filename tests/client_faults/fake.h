/*
 * Test doubles for the client's hooks: a clock that only moves when the
 * client sleeps (or the test advances it), a recorded sleep, a seeded random
 * source; and a metrics recorder.
 */
#ifndef NAX_TESTS_CLIENT_FAULTS_FAKE_H
#define NAX_TESTS_CLIENT_FAULTS_FAKE_H

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "nax.h"

typedef struct fake_clock {
    atomic_ullong mono;     /* ms */
    atomic_llong wall;      /* ms since the epoch; advanced with mono */
    atomic_uint sleeps;     /* number of sleeps */
    atomic_ullong slept_ms; /* their total */
    atomic_ullong last_sleep_ms;
    atomic_ullong rng;
    nax_client_hooks hooks;
} fake_clock;

static uint64_t fake_mono(void *ud)
{
    return atomic_load(&((fake_clock *)ud)->mono);
}

static int64_t fake_wall(void *ud)
{
    return atomic_load(&((fake_clock *)ud)->wall);
}

static void fake_advance(fake_clock *f, uint64_t ms)
{
    atomic_fetch_add(&f->mono, ms);
    atomic_fetch_add(&f->wall, (long long)ms);
}

static void fake_sleep(uint64_t ms, void *ud)
{
    fake_clock *f = ud;
    atomic_fetch_add(&f->sleeps, 1);
    atomic_fetch_add(&f->slept_ms, ms);
    atomic_store(&f->last_sleep_ms, ms);
    fake_advance(f, ms);
}

/* xorshift64*: the jitter is deterministic for a given seed. */
static uint64_t fake_random(void *ud)
{
    fake_clock *f = ud;
    uint64_t x = atomic_load(&f->rng);
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    atomic_store(&f->rng, x);
    return x * 0x2545F4914F6CDD1Dull;
}

/* The wall clock starts at the real time, so the server accepts signatures. */
static void fake_init(fake_clock *f, int64_t wall_now_ms)
{
    memset(f, 0, sizeof(*f));
    atomic_store(&f->mono, 1000000);
    atomic_store(&f->wall, wall_now_ms);
    atomic_store(&f->rng, 0x9E3779B97F4A7C15ull);
    f->hooks.monotonic_ms = fake_mono;
    f->hooks.wall_ms = fake_wall;
    f->hooks.sleep_ms = fake_sleep;
    f->hooks.random_u64 = fake_random;
    f->hooks.userdata = f;
}

/* ---- metrics recorder ---- */

#define REC_ROUTES 16

typedef struct recorder {
    pthread_mutex_t lock;
    unsigned int calls;
    nax_call_info last; /* strings not kept */
    int last_status;
    struct {
        char route[64];
        unsigned int calls, attempts;
    } routes[REC_ROUTES];
    /* breaker transitions, in order */
    int transitions;
    nax_breaker_state from[32], to[32];
    nax_endpoint_group group[32];
} recorder;

static void rec_init(recorder *r)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->lock, NULL);
}

static void rec_metrics(const nax_call_info *info, void *ud)
{
    recorder *r = ud;
    pthread_mutex_lock(&r->lock);
    r->calls++;
    r->last = *info;
    for (int i = 0; i < REC_ROUTES; i++) {
        if (!r->routes[i].route[0] || !strcmp(r->routes[i].route, info->route)) {
            if (!r->routes[i].route[0])
                strncpy(r->routes[i].route, info->route, sizeof r->routes[i].route - 1);
            r->routes[i].calls++;
            r->routes[i].attempts += info->attempts;
            break;
        }
    }
    pthread_mutex_unlock(&r->lock);
}

static void rec_breaker(nax_endpoint_group g, nax_breaker_state from, nax_breaker_state to,
                        void *ud)
{
    recorder *r = ud;
    pthread_mutex_lock(&r->lock);
    if (r->transitions < 32) {
        r->group[r->transitions] = g;
        r->from[r->transitions] = from;
        r->to[r->transitions] = to;
        r->transitions++;
    }
    pthread_mutex_unlock(&r->lock);
}

/* Calls and attempts recorded for a route template. */
static unsigned int rec_calls(recorder *r, const char *route, unsigned int *attempts)
{
    unsigned int n = 0, a = 0;
    pthread_mutex_lock(&r->lock);
    for (int i = 0; i < REC_ROUTES; i++)
        if (!strcmp(r->routes[i].route, route)) {
            n = r->routes[i].calls;
            a = r->routes[i].attempts;
        }
    pthread_mutex_unlock(&r->lock);
    if (attempts)
        *attempts = a;
    return n;
}

#endif /* NAX_TESTS_CLIENT_FAULTS_FAKE_H */

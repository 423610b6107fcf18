/*
 * Circuit breaker: a ring of the last window_size outcomes while closed;
 * open for a while once too many of them failed or were slow; then a few
 * probes decide between closing (fresh window) and opening again.
 */
#include <string.h>

#include "core/core.h"
#include "resilience.h"

#define OUTCOME_FAILED 1u
#define OUTCOME_SLOW   2u

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

static void set_change(nax__breaker_change *chg, nax_breaker_state from, nax_breaker_state to)
{
    if (chg) {
        chg->from = from;
        chg->to = to;
    }
}

static void clear_window(nax__breaker *b)
{
    memset(b->ring, 0, b->policy.window_size);
    b->head = b->count = b->failures = b->slow = 0;
}

/* Open (from closed or half-open) for open_ms, or Retry-After when longer. */
static void trip(nax__breaker *b, uint64_t now_ms, uint64_t retry_after_ms)
{
    uint64_t open_for = b->policy.open_ms > retry_after_ms ? b->policy.open_ms : retry_after_ms;
    b->state = NAX_BREAKER_OPEN;
    b->open_until_ms = add_sat(now_ms, open_for);
    b->probes_out = b->probes_ok = 0;
    b->opened_total++;
}

static int over_threshold(const nax__breaker *b)
{
    uint64_t count = b->count;
    if (count == 0 || count < b->policy.min_calls)
        return 0;
    /* 64-bit products: window sizes up to UINT_MAX times 100 cannot overflow. */
    return (uint64_t)b->failures * 100 >= (uint64_t)b->policy.failure_rate_pct * count ||
           (uint64_t)b->slow * 100 >= (uint64_t)b->policy.slow_rate_pct * count;
}

static void push_outcome(nax__breaker *b, int failed, int slow)
{
    uint8_t outcome = (uint8_t)((failed ? OUTCOME_FAILED : 0) | (slow ? OUTCOME_SLOW : 0));
    if (b->count == b->policy.window_size) {
        uint8_t old = b->ring[b->head];
        b->failures -= (old & OUTCOME_FAILED) != 0;
        b->slow -= (old & OUTCOME_SLOW) != 0;
    } else {
        b->count++;
    }
    b->ring[b->head] = outcome;
    b->failures += failed != 0;
    b->slow += slow != 0;
    b->head = b->head + 1 == b->policy.window_size ? 0 : b->head + 1;
}

int nax__breaker_init(nax__breaker *b, const nax_breaker_policy *p)
{
    memset(b, 0, sizeof(*b));
    b->policy = *p;
    b->state = NAX_BREAKER_CLOSED;
    if (p->disabled)
        return pthread_mutex_init(&b->lock, NULL) ? nax__error(NAX_ENOMEM, "breaker: no lock") : 0;
    if (b->policy.window_size == 0)
        b->policy.window_size = 1;
    if (b->policy.min_calls > b->policy.window_size)
        b->policy.min_calls = b->policy.window_size; /* else it could never open */
    if (b->policy.half_open_probes == 0)
        b->policy.half_open_probes = 1;
    b->ring = nax__calloc(b->policy.window_size, 1);
    if (!b->ring)
        return nax__error_oom();
    if (pthread_mutex_init(&b->lock, NULL)) {
        nax__free(b->ring);
        b->ring = NULL;
        return nax__error(NAX_ENOMEM, "breaker: cannot create its lock");
    }
    return 0;
}

void nax__breaker_dispose(nax__breaker *b)
{
    pthread_mutex_destroy(&b->lock);
    nax__free(b->ring);
    b->ring = NULL;
}

int nax__breaker_acquire(nax__breaker *b, uint64_t now_ms, int *probe, nax__breaker_change *chg)
{
    nax_breaker_state from;
    uint64_t left = 0;
    unsigned int busy = 0;
    int rc = 0;

    *probe = 0;
    if (b->policy.disabled) {
        set_change(chg, NAX_BREAKER_CLOSED, NAX_BREAKER_CLOSED);
        return 0;
    }
    pthread_mutex_lock(&b->lock);
    from = b->state;
    if (b->state == NAX_BREAKER_OPEN) {
        if (now_ms >= b->open_until_ms) {
            b->state = NAX_BREAKER_HALF_OPEN;
            b->probes_out = b->probes_ok = 0;
        } else {
            left = b->open_until_ms - now_ms;
            rc = NAX_ECIRCUIT_OPEN;
        }
    }
    if (b->state == NAX_BREAKER_HALF_OPEN) {
        if (b->probes_out + b->probes_ok < b->policy.half_open_probes) {
            b->probes_out++;
            *probe = 1;
        } else {
            busy = b->probes_out;
            rc = NAX_ECIRCUIT_OPEN;
        }
    }
    set_change(chg, from, b->state);
    pthread_mutex_unlock(&b->lock);

    if (rc) {
        if (left)
            nax__error(rc, "circuit open; retry in %llu ms", (unsigned long long)left);
        else
            nax__error(rc, "circuit half-open; waiting for %u probe call(s) to finish", busy);
        nax__error_set_transient(1);
    }
    return rc;
}

void nax__breaker_record(nax__breaker *b, uint64_t now_ms, int probe, int failed, int slow,
                         uint64_t retry_after_ms, nax__breaker_change *chg)
{
    nax_breaker_state from;
    if (b->policy.disabled) {
        set_change(chg, NAX_BREAKER_CLOSED, NAX_BREAKER_CLOSED);
        return;
    }
    pthread_mutex_lock(&b->lock);
    from = b->state;
    if (probe) {
        /* A probe that outlived its half-open period (another probe failed
         * meanwhile) says nothing about the current state. */
        if (b->state == NAX_BREAKER_HALF_OPEN) {
            if (b->probes_out)
                b->probes_out--;
            if (failed || slow) {
                trip(b, now_ms, retry_after_ms);
            } else if (++b->probes_ok >= b->policy.half_open_probes) {
                b->state = NAX_BREAKER_CLOSED;
                b->probes_out = b->probes_ok = 0;
                clear_window(b);
            }
        }
    } else if (b->state == NAX_BREAKER_CLOSED) {
        /* Calls let through before the breaker opened are not counted after. */
        push_outcome(b, failed, slow);
        if (over_threshold(b))
            trip(b, now_ms, retry_after_ms);
    }
    set_change(chg, from, b->state);
    pthread_mutex_unlock(&b->lock);
}

void nax__breaker_cancel(nax__breaker *b, int probe)
{
    if (b->policy.disabled || !probe)
        return;
    pthread_mutex_lock(&b->lock);
    if (b->state == NAX_BREAKER_HALF_OPEN && b->probes_out)
        b->probes_out--;
    pthread_mutex_unlock(&b->lock);
}

void nax__breaker_status(nax__breaker *b, uint64_t now_ms, nax_breaker_status *out)
{
    memset(out, 0, sizeof(*out));
    out->struct_size = sizeof(*out);
    out->state = NAX_BREAKER_CLOSED;
    if (b->policy.disabled)
        return;
    pthread_mutex_lock(&b->lock);
    out->state = b->state;
    out->calls = b->count;
    out->failures = b->failures;
    out->slow = b->slow;
    if (b->state == NAX_BREAKER_OPEN && b->open_until_ms > now_ms)
        out->open_for_ms = b->open_until_ms - now_ms;
    out->opened_total = b->opened_total;
    pthread_mutex_unlock(&b->lock);
}

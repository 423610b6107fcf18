/*
 * Client-side token bucket, counted in millionths of a token with integers
 * only. It starts from the policy and then follows the server's RateLimit-*
 * headers: the server knows its bucket, the client only mirrors it so that
 * it waits instead of collecting 429s.
 */
#include <string.h>

#include "core/core.h"
#include "resilience.h"

#define MICRO 1000000
/* Server values are clamped so that every product below fits in int64. */
#define MAX_TOKENS  1000000000000LL /* 1e12 tokens = 1e18 micro-tokens */
#define MAX_RESET_S 1000000000LL

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

/* The refill rate in force. With none known (no policy rate, no Reset from
 * the server) one full bucket a second is assumed: a bucket that never
 * refilled would stop the client for good, since only a request sent can
 * bring the headers that would repair it. */
static int64_t rate_of(const nax__limiter *l)
{
    if (l->rate_micro_per_ms > 0)
        return l->rate_micro_per_ms;
    return (l->capacity_micro + 999) / 1000;
}

/* Bring the bucket forward to now; a now older than the last one (another
 * thread read the clock earlier but took the lock later) adds nothing. */
static void refill(nax__limiter *l, uint64_t now_ms)
{
    if (now_ms <= l->last_ms) {
        return;
    }
    uint64_t elapsed = now_ms - l->last_ms;
    l->last_ms = now_ms;
    if (l->capacity_micro <= 0 || l->tokens_micro >= l->capacity_micro)
        return;
    int64_t rate = rate_of(l);
    int64_t deficit = l->capacity_micro - l->tokens_micro;
    /* elapsed * rate only when it stays below the deficit, so it fits. */
    if (elapsed >= (uint64_t)(deficit / rate) + 1)
        l->tokens_micro = l->capacity_micro;
    else
        l->tokens_micro += (int64_t)elapsed * rate;
    if (l->tokens_micro > l->capacity_micro)
        l->tokens_micro = l->capacity_micro;
}

int nax__limiter_init(nax__limiter *l, const nax_limiter_policy *p, uint64_t now_ms)
{
    memset(l, 0, sizeof(*l));
    l->policy = *p;
    uint32_t start = p->burst ? p->burst : p->rate_per_s;
    l->capacity_micro = (int64_t)start * MICRO; /* both 0: unlimited */
    l->tokens_micro = l->capacity_micro;
    l->rate_micro_per_ms = (int64_t)p->rate_per_s * (MICRO / 1000);
    l->last_ms = now_ms;
    if (pthread_mutex_init(&l->lock, NULL))
        return nax__error(NAX_ENOMEM, "rate limiter: cannot create its lock");
    return 0;
}

void nax__limiter_dispose(nax__limiter *l)
{
    pthread_mutex_destroy(&l->lock);
}

int nax__limiter_take(nax__limiter *l, uint64_t now_ms, uint64_t *wait_ms)
{
    uint64_t wait = 0;
    int rc = 0;
    if (l->policy.mode == NAX_LIMITER_OFF) {
        if (wait_ms)
            *wait_ms = 0;
        return 0;
    }
    pthread_mutex_lock(&l->lock);
    refill(l, now_ms);
    if (l->blocked_until_ms) {
        if (now_ms < l->blocked_until_ms) {
            wait = l->blocked_until_ms - now_ms;
            rc = 1;
        } else {
            /* The server promised a token once Retry-After had passed. */
            l->blocked_until_ms = 0;
            if (l->capacity_micro && l->tokens_micro < MICRO)
                l->tokens_micro = MICRO;
        }
    }
    if (!rc && l->capacity_micro) {
        if (l->tokens_micro >= MICRO) {
            l->tokens_micro -= MICRO;
        } else {
            int64_t rate = rate_of(l), need = MICRO - l->tokens_micro;
            wait = (uint64_t)((need + rate - 1) / rate);
            rc = 1;
        }
    }
    pthread_mutex_unlock(&l->lock);
    if (wait_ms)
        *wait_ms = wait;
    return rc;
}

void nax__limiter_update(nax__limiter *l, uint64_t now_ms, int64_t limit, int64_t remaining,
                         int64_t reset_s)
{
    pthread_mutex_lock(&l->lock);
    refill(l, now_ms);
    if (limit > 0) {
        l->capacity_micro = clamp(limit, 1, MAX_TOKENS) * MICRO;
        if (l->tokens_micro > l->capacity_micro)
            l->tokens_micro = l->capacity_micro;
    }
    if (l->capacity_micro) { /* unlimited until a limit is known */
        if (remaining >= 0)
            l->tokens_micro = clamp(remaining, 0, l->capacity_micro / MICRO) * MICRO;
        if (reset_s == 0) {
            l->tokens_micro = l->capacity_micro;
        } else if (reset_s > 0) {
            int64_t deficit = l->capacity_micro - l->tokens_micro;
            int64_t span_ms = clamp(reset_s, 1, MAX_RESET_S) * 1000;
            /* Rounded up: full by the server's reset time, never later. */
            if (deficit > 0)
                l->rate_micro_per_ms = (deficit + span_ms - 1) / span_ms;
        }
        /* A full bucket or no Reset tells no rate: the last one is kept, or
         * with none rate_of() assumes a full refill a second. */
    }
    pthread_mutex_unlock(&l->lock);
}

void nax__limiter_block(nax__limiter *l, uint64_t now_ms, uint64_t retry_after_ms)
{
    pthread_mutex_lock(&l->lock);
    refill(l, now_ms);
    uint64_t until = add_sat(now_ms, retry_after_ms);
    if (until > l->blocked_until_ms)
        l->blocked_until_ms = until;
    l->tokens_micro = 0; /* the server's bucket is empty */
    pthread_mutex_unlock(&l->lock);
}

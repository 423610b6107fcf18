/*
 * Token-bucket rate limiter keyed by strings (API key, user, IP): each key
 * has `burst` tokens, refilled at `rate_per_s`; a request takes one.
 *
 * Memory is bounded: at most max_keys buckets (default 65536). A new key
 * beyond that evicts the least recently used bucket, which is the one idle
 * longest and so the fullest; an evicted key simply starts again with a full
 * bucket. The clock is the caller's (monotonic ns), so tests inject time.
 * App-thread only (no locks).
 */
#ifndef NAXD_RATELIMIT_H
#define NAXD_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

typedef struct naxd_limiter naxd_limiter;

typedef struct naxd_limit {
    int allowed;
    uint32_t limit;         /* burst: RateLimit-Limit */
    uint32_t remaining;     /* RateLimit-Remaining */
    uint32_t reset_s;       /* seconds until the bucket is full: RateLimit-Reset */
    uint32_t retry_after_s; /* when !allowed: seconds until one token: Retry-After */
} naxd_limit;

#define NAXD_LIMITER_DEFAULT_MAX_KEYS 65536

/* rate_per_s > 0, burst >= 1, else NAX_EINVAL; NAX_ENOMEM. */
int naxd_limiter_new(naxd_limiter **out, double rate_per_s, double burst);
void naxd_limiter_free(naxd_limiter *l); /* NULL is a no-op */
/* Caps the number of buckets (>= 1), evicting the least recently used now
 * if there are more. */
void naxd_limiter_set_max_keys(naxd_limiter *l, size_t max_keys);
/* Buckets currently held. */
size_t naxd_limiter_keys(const naxd_limiter *l);
/* Takes one token for key at now_ns and describes the bucket afterwards.
 * If memory for a new bucket runs out the request is allowed (fail open). */
void naxd_limiter_take(naxd_limiter *l, const char *key, int64_t now_ns, naxd_limit *out);
/* Gives back a token taken for an attempt that turned out fine (throttles
 * that count failures take before the outcome is known, so concurrent
 * attempts cannot all pass a peek). */
void naxd_limiter_refund(naxd_limiter *l, const char *key, int64_t now_ns);
/* What take() would answer, without spending a token or creating a bucket. */
void naxd_limiter_peek(const naxd_limiter *l, const char *key, int64_t now_ns, naxd_limit *out);

#endif

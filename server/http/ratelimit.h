/*
 * Token-bucket rate limiter keyed by strings (API key, user, IP). Memory is
 * bounded: idle buckets are evicted. App-thread only.
 */
#ifndef NAXD_RATELIMIT_H
#define NAXD_RATELIMIT_H

#include <stdint.h>

typedef struct naxd_limiter naxd_limiter;

typedef struct naxd_limit {
    int allowed;
    uint32_t limit;         /* burst: RateLimit-Limit */
    uint32_t remaining;     /* RateLimit-Remaining */
    uint32_t reset_s;       /* seconds until the bucket is full: RateLimit-Reset */
    uint32_t retry_after_s; /* when !allowed: seconds until one token: Retry-After */
} naxd_limit;

int naxd_limiter_new(naxd_limiter **out, double rate_per_s, double burst);
void naxd_limiter_free(naxd_limiter *l);
void naxd_limiter_take(naxd_limiter *l, const char *key, int64_t now_ns, naxd_limit *out);

#endif

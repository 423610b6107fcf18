/*
 * Resilience policies with no I/O and no clock of their own: every function
 * takes "now" from the caller, and randomness comes in as a number, so the
 * client can inject time in tests. Each object has its own lock; none calls
 * back into user code (state changes are returned, and reported by the
 * caller after the lock is released).
 */
#ifndef NAX_RESILIENCE_RESILIENCE_H
#define NAX_RESILIENCE_RESILIENCE_H

#include <pthread.h>
#include <stdint.h>

#include "nax/client.h"

/* Fill every zero member of the policies with its DESIGN §5 default. */
void nax__retry_policy_defaults(nax_retry_policy *p);
void nax__breaker_policy_defaults(nax_breaker_policy *p);
void nax__limiter_policy_defaults(nax_limiter_policy *p);

/* ---- retry ------------------------------------------------------------------ */

typedef enum nax__retry_kind {
    NAX__RETRY_NO = 0,     /* success or a final failure */
    NAX__RETRY_YES = 1,    /* connect error, 429, 500, 502, 503, 504 */
    NAX__RETRY_TIMEOUT = 2 /* timeout or 408: retryable at timeout cost */
} nax__retry_kind;

/* `rc` is the transport result (0 when a response arrived), `status` its HTTP
 * status. A non-zero status decides alone (a response arrived, whatever
 * error the caller made of it); with status 0: NAX_ETIMEOUT is TIMEOUT,
 * NAX_ENETWORK is YES, anything else (NAX_ETLS included) is NO. */
nax__retry_kind nax__retry_classify(int rc, int status);

/* Full-jitter delay before retry number `retry` (1 = the first retry):
 * random % (min(max_delay, base * 2^(retry-1)) + 1). Never overflows. */
uint64_t nax__backoff_ms(const nax_retry_policy *p, unsigned int retry, uint64_t random);

typedef struct nax__retry_budget {
    pthread_mutex_t lock;
    uint32_t tokens, capacity;
} nax__retry_budget;

int nax__retry_budget_init(nax__retry_budget *b, uint32_t capacity);
void nax__retry_budget_dispose(nax__retry_budget *b);
/* Takes `cost` tokens when there are that many: returns 1; else 0 and takes nothing. */
int nax__retry_budget_take(nax__retry_budget *b, uint32_t cost);
void nax__retry_budget_refund(nax__retry_budget *b, uint32_t n); /* capped at capacity */
uint32_t nax__retry_budget_tokens(nax__retry_budget *b);

/* ---- circuit breaker -------------------------------------------------------- */

typedef struct nax__breaker {
    pthread_mutex_t lock;
    nax_breaker_policy policy;
    nax_breaker_state state;
    uint8_t *ring;            /* window_size outcomes: bit 0 failed, bit 1 slow */
    unsigned int head, count; /* ring position and calls recorded */
    unsigned int failures, slow;
    uint64_t open_until_ms;
    unsigned int probes_out; /* half-open: probes let through and not yet recorded */
    unsigned int probes_ok;  /* half-open: probes that passed */
    uint64_t opened_total;
} nax__breaker;

/* A state change to report: from != to when one happened. */
typedef struct nax__breaker_change {
    nax_breaker_state from, to;
} nax__breaker_change;

/* `p` already has defaults filled. min_calls above window_size is lowered
 * to it. Allocates the ring (nothing when disabled); NAX_ENOMEM. */
int nax__breaker_init(nax__breaker *b, const nax_breaker_policy *p);
void nax__breaker_dispose(nax__breaker *b);

/*
 * Ask to make a call at `now_ms`. Returns 0 and sets *probe (1 when the call
 * is a half-open probe) when it may go ahead; NAX_ECIRCUIT_OPEN, with the
 * error set (transient, message naming the time left), when it may not.
 * An open breaker whose time is up turns half-open here (reported in *chg).
 */
int nax__breaker_acquire(nax__breaker *b, uint64_t now_ms, int *probe, nax__breaker_change *chg);

/*
 * Record a call's outcome. `retry_after_ms` (0 when none) lengthens the open
 * time if the call opens the breaker. A half-open probe that failed or was
 * slow opens again; once `half_open_probes` probes pass it closes with a
 * fresh window. Outcomes of calls acquired in an earlier state (a non-probe
 * call finishing after the breaker opened) are not counted.
 */
void nax__breaker_record(nax__breaker *b, uint64_t now_ms, int probe, int failed, int slow,
                         uint64_t retry_after_ms, nax__breaker_change *chg);

/* A call that was acquired but never made (e.g. refused locally later):
 * releases a probe slot without counting an outcome. */
void nax__breaker_cancel(nax__breaker *b, int probe);

void nax__breaker_status(nax__breaker *b, uint64_t now_ms, nax_breaker_status *out);

/* ---- client-side token bucket -------------------------------------------------- */

typedef struct nax__limiter {
    pthread_mutex_t lock;
    nax_limiter_policy policy;
    /* Counts in millionths of a token, so slow refill rates stay exact. */
    int64_t tokens_micro;
    int64_t capacity_micro;    /* 0: unlimited until the server speaks */
    int64_t rate_micro_per_ms; /* refill; 0: none known, a full bucket a second */
    uint64_t last_ms;
    uint64_t blocked_until_ms; /* after a 429's Retry-After */
} nax__limiter;

int nax__limiter_init(nax__limiter *l, const nax_limiter_policy *p, uint64_t now_ms);
void nax__limiter_dispose(nax__limiter *l);

/*
 * Take one token at `now_ms`. Returns 0 when taken; otherwise *wait_ms says
 * how long until one is due and the return is 1 (nothing taken). Mode OFF
 * always returns 0. The caller sleeps and asks again, or fails fast.
 */
int nax__limiter_take(nax__limiter *l, uint64_t now_ms, uint64_t *wait_ms);

/*
 * Follow the server's RateLimit-* headers (-1: absent, then ignored; a limit
 * of 0 is ignored too). limit L sets the capacity; remaining R the tokens;
 * reset S > 0 sets the refill rate so the bucket is full after S seconds,
 * (L - R) / S, rounded up; S == 0 fills the bucket now. A full bucket or an
 * absent reset says no rate: the last one is kept, or, with none (no policy
 * rate either), a full refill per second is assumed, so a bucket always
 * refills and the client is never stopped for good. The same holds for a
 * starting burst with no rate. Remaining and reset mean nothing until a
 * limit is known.
 */
void nax__limiter_update(nax__limiter *l, uint64_t now_ms, int64_t limit, int64_t remaining,
                         int64_t reset_s);

/* A 429: no tokens until now + retry_after_ms; then at least one. */
void nax__limiter_block(nax__limiter *l, uint64_t now_ms, uint64_t retry_after_ms);

#endif /* NAX_RESILIENCE_RESILIENCE_H */

/* Which failures are worth retrying, how long to wait, and the budget that
 * stops a client from multiplying load on a server that is already failing. */
#include "core/core.h"
#include "resilience.h"

nax__retry_kind nax__retry_classify(int rc, int status)
{
    /* A response arrived: its status decides, whatever error the caller made of it. */
    if (status != 0) {
        switch (status) {
        case 408: return NAX__RETRY_TIMEOUT;
        case 429:
        case 500:
        case 502:
        case 503:
        case 504: return NAX__RETRY_YES;
        default: return NAX__RETRY_NO;
        }
    }
    switch (rc) {
    case NAX_ETIMEOUT: return NAX__RETRY_TIMEOUT;
    case NAX_ENETWORK: return NAX__RETRY_YES;
    default: return NAX__RETRY_NO; /* success, TLS (certificates do not heal), local errors */
    }
}

uint64_t nax__backoff_ms(const nax_retry_policy *p, unsigned int retry, uint64_t random)
{
    uint64_t cap = p->max_delay_ms;
    uint64_t base = p->base_delay_ms;
    unsigned int shift = retry > 1 ? retry - 1 : 0;
    uint64_t ceiling;
    /* base << shift only when it provably stays at or below the cap. */
    if (base >= cap || shift >= 63 || base > (cap >> shift))
        ceiling = cap;
    else
        ceiling = base << shift;
    return random % (ceiling + 1); /* ceiling <= UINT32_MAX: no overflow */
}

/* ---- budget ------------------------------------------------------------------------ */

int nax__retry_budget_init(nax__retry_budget *b, uint32_t capacity)
{
    int err = pthread_mutex_init(&b->lock, NULL);
    if (err)
        return nax__error(NAX_ENOMEM, "retry budget: cannot create its lock (errno %d)", err);
    b->tokens = b->capacity = capacity;
    return 0;
}

void nax__retry_budget_dispose(nax__retry_budget *b)
{
    pthread_mutex_destroy(&b->lock);
}

int nax__retry_budget_take(nax__retry_budget *b, uint32_t cost)
{
    int ok;
    pthread_mutex_lock(&b->lock);
    ok = b->tokens >= cost;
    if (ok)
        b->tokens -= cost;
    pthread_mutex_unlock(&b->lock);
    return ok;
}

void nax__retry_budget_refund(nax__retry_budget *b, uint32_t n)
{
    pthread_mutex_lock(&b->lock);
    b->tokens = n >= b->capacity - b->tokens ? b->capacity : b->tokens + n;
    pthread_mutex_unlock(&b->lock);
}

uint32_t nax__retry_budget_tokens(nax__retry_budget *b)
{
    uint32_t t;
    pthread_mutex_lock(&b->lock);
    t = b->tokens;
    pthread_mutex_unlock(&b->lock);
    return t;
}

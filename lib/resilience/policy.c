/* DESIGN §5 defaults: a zero member of a policy means "use the default". */
#include "resilience.h"

#define FILL(member, value)                                                                        \
    do {                                                                                           \
        if (!(member))                                                                             \
            (member) = (value);                                                                    \
    } while (0)

void nax__retry_policy_defaults(nax_retry_policy *p)
{
    FILL(p->max_attempts, 3);
    FILL(p->base_delay_ms, 100);
    FILL(p->max_delay_ms, 20000);
    FILL(p->retry_after_max_ms, 60000);
    FILL(p->budget, 500);
    FILL(p->retry_cost, 5);
    FILL(p->timeout_retry_cost, 10);
    FILL(p->success_refund, 1);
}

void nax__breaker_policy_defaults(nax_breaker_policy *p)
{
    FILL(p->window_size, 100);
    FILL(p->min_calls, 20);
    FILL(p->failure_rate_pct, 50);
    FILL(p->slow_rate_pct, 50);
    FILL(p->slow_call_ms, 5000);
    FILL(p->open_ms, 30000);
    FILL(p->half_open_probes, 5);
}

void nax__limiter_policy_defaults(nax_limiter_policy *p)
{
    /* mode WAIT is 0; rate and burst 0 mean "as the server says". */
    FILL(p->max_wait_ms, 5000);
}

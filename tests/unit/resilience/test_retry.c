/* Retry: classification, full-jitter backoff, the retry budget, policy
 * defaults and the public name functions. */
#include <check.h>
#include <limits.h>
#include <string.h>

#include "nax.h"
#include "resilience/resilience.h"
#include "rng.h"

/* ---- classification ---- */

START_TEST(classify_transport_errors)
{
    ck_assert_int_eq(nax__retry_classify(NAX_ETIMEOUT, 0), NAX__RETRY_TIMEOUT);
    ck_assert_int_eq(nax__retry_classify(NAX_ENETWORK, 0), NAX__RETRY_YES);
    ck_assert_int_eq(nax__retry_classify(NAX_ETLS, 0), NAX__RETRY_NO);
    ck_assert_int_eq(nax__retry_classify(NAX_ENOMEM, 0), NAX__RETRY_NO);
    ck_assert_int_eq(nax__retry_classify(NAX_EINVAL, 0), NAX__RETRY_NO);
    ck_assert_int_eq(nax__retry_classify(NAX_ECANCELLED, 0), NAX__RETRY_NO);
    ck_assert_int_eq(nax__retry_classify(0, 0), NAX__RETRY_NO);
}
END_TEST

START_TEST(classify_statuses)
{
    static const struct {
        int status;
        nax__retry_kind kind;
    } table[] = {
        {200, NAX__RETRY_NO},  {201, NAX__RETRY_NO},  {204, NAX__RETRY_NO},
        {301, NAX__RETRY_NO},  {400, NAX__RETRY_NO},  {401, NAX__RETRY_NO},
        {403, NAX__RETRY_NO},  {404, NAX__RETRY_NO},  {408, NAX__RETRY_TIMEOUT},
        {409, NAX__RETRY_NO},  {413, NAX__RETRY_NO},  {422, NAX__RETRY_NO},
        {429, NAX__RETRY_YES}, {500, NAX__RETRY_YES}, {501, NAX__RETRY_NO},
        {502, NAX__RETRY_YES}, {503, NAX__RETRY_YES}, {504, NAX__RETRY_YES},
        {505, NAX__RETRY_NO},  {599, NAX__RETRY_NO},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        ck_assert_msg(nax__retry_classify(0, table[i].status) == table[i].kind,
                      "status %d classified wrong", table[i].status);
        /* The client hands in its own error for the status: the status still decides. */
        ck_assert_msg(nax__retry_classify(NAX_EHTTP, table[i].status) == table[i].kind,
                      "status %d with an error classified wrong", table[i].status);
    }
    ck_assert_int_eq(nax__retry_classify(NAX_EUNAVAILABLE, 503), NAX__RETRY_YES);
    ck_assert_int_eq(nax__retry_classify(NAX_EBADREQUEST, 400), NAX__RETRY_NO);
}
END_TEST

/* ---- backoff ---- */

static nax_retry_policy default_policy(void)
{
    nax_retry_policy p;
    memset(&p, 0, sizeof p);
    nax__retry_policy_defaults(&p);
    return p;
}

/* min(cap, base * 2^(retry-1)) computed by repeated doubling with saturation. */
static uint64_t ceiling_of(const nax_retry_policy *p, unsigned int retry)
{
    uint64_t c = p->base_delay_ms;
    for (unsigned int i = 1; i < retry && c < p->max_delay_ms; i++)
        c *= 2;
    return c < p->max_delay_ms ? c : p->max_delay_ms;
}

START_TEST(first_retry_is_bounded_by_base)
{
    nax_retry_policy p = default_policy();
    uint64_t rng = 1, max = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t d = nax__backoff_ms(&p, 1, test_rng_next(&rng));
        ck_assert_uint_le(d, p.base_delay_ms);
        if (d > max)
            max = d;
    }
    ck_assert_uint_eq(max, p.base_delay_ms);
    /* Retry 0 is treated as the first. */
    ck_assert_uint_le(nax__backoff_ms(&p, 0, UINT64_MAX), p.base_delay_ms);
}
END_TEST

START_TEST(max_over_random_inputs_is_the_ceiling)
{
    nax_retry_policy p = default_policy();
    for (unsigned int retry = 1; retry <= 12; retry++) {
        uint64_t ceiling = ceiling_of(&p, retry), max = 0, rng = retry;
        for (int i = 0; i < 50000; i++) {
            uint64_t d = nax__backoff_ms(&p, retry, test_rng_next(&rng));
            ck_assert_uint_le(d, ceiling);
            if (d > max)
                max = d;
        }
        ck_assert_msg(max + ceiling / 100 >= ceiling, "retry %u: max %llu far below %llu", retry,
                      (unsigned long long)max, (unsigned long long)ceiling);
        /* The exact edges: random == ceiling gives the ceiling, one more wraps to 0. */
        ck_assert_uint_eq(nax__backoff_ms(&p, retry, ceiling), ceiling);
        ck_assert_uint_eq(nax__backoff_ms(&p, retry, ceiling + 1), 0);
    }
    /* Past the cap every retry has the cap as its ceiling. */
    ck_assert_uint_eq(ceiling_of(&p, 12), p.max_delay_ms);
}
END_TEST

START_TEST(backoff_is_spread_evenly)
{
    nax_retry_policy p = default_policy();
    const unsigned int retry = 3;
    const uint64_t ceiling = ceiling_of(&p, retry);
    const int n = 200000;
    uint64_t rng = 42, sum = 0;
    int quarter[4] = {0, 0, 0, 0};
    for (int i = 0; i < n; i++) {
        uint64_t d = nax__backoff_ms(&p, retry, test_rng_next(&rng));
        sum += d;
        quarter[d * 4 / (ceiling + 1)]++;
    }
    /* Uniform over 0..ceiling: mean ceiling/2, each quarter near 25 %. */
    uint64_t mean_x100 = sum * 100 / (uint64_t)n;
    ck_assert_uint_ge(mean_x100, ceiling * 50 - ceiling * 2);
    ck_assert_uint_le(mean_x100, ceiling * 50 + ceiling * 2);
    for (int q = 0; q < 4; q++) {
        ck_assert_int_ge(quarter[q], n / 4 - n / 50);
        ck_assert_int_le(quarter[q], n / 4 + n / 50);
    }
}
END_TEST

START_TEST(large_retry_numbers_do_not_overflow)
{
    nax_retry_policy p = default_policy();
    unsigned int retries[] = {31, 32, 33, 63, 64, 65, 1000, UINT_MAX - 1, UINT_MAX};
    for (size_t i = 0; i < sizeof retries / sizeof retries[0]; i++) {
        ck_assert_uint_le(nax__backoff_ms(&p, retries[i], UINT64_MAX), p.max_delay_ms);
        ck_assert_uint_eq(nax__backoff_ms(&p, retries[i], p.max_delay_ms), p.max_delay_ms);
    }
    /* The largest base and cap there are. */
    p.base_delay_ms = UINT32_MAX;
    p.max_delay_ms = UINT32_MAX;
    ck_assert_uint_eq(nax__backoff_ms(&p, UINT_MAX, UINT32_MAX), UINT32_MAX);
    ck_assert_uint_le(nax__backoff_ms(&p, UINT_MAX, UINT64_MAX), UINT32_MAX);
    /* A base of 1 ms: 2^31 at retry 32 still fits under the cap, 2^32 does not. */
    p.base_delay_ms = 1;
    ck_assert_uint_eq(ceiling_of(&p, 32), 1ull << 31);
    ck_assert_uint_eq(nax__backoff_ms(&p, 32, 1ull << 31), 1ull << 31);
    ck_assert_uint_eq(nax__backoff_ms(&p, 32, (1ull << 31) + 1), 0);
    ck_assert_uint_eq(ceiling_of(&p, 33), UINT32_MAX);
    ck_assert_uint_eq(nax__backoff_ms(&p, 33, UINT32_MAX), UINT32_MAX);
}
END_TEST

START_TEST(base_above_cap_is_capped)
{
    nax_retry_policy p = default_policy();
    p.base_delay_ms = 5000;
    p.max_delay_ms = 700;
    ck_assert_uint_eq(nax__backoff_ms(&p, 1, 700), 700);
    ck_assert_uint_eq(nax__backoff_ms(&p, 1, 701), 0);
}
END_TEST

/* ---- budget ---- */

START_TEST(budget_take_refund_and_cap)
{
    nax_retry_policy p = default_policy();
    nax__retry_budget b;
    ck_assert_int_eq(nax__retry_budget_init(&b, p.budget), 0);
    ck_assert_uint_eq(nax__retry_budget_tokens(&b), 500);
    ck_assert_int_eq(nax__retry_budget_take(&b, p.retry_cost), 1);
    ck_assert_uint_eq(nax__retry_budget_tokens(&b), 495);
    ck_assert_int_eq(nax__retry_budget_take(&b, p.timeout_retry_cost), 1);
    ck_assert_uint_eq(nax__retry_budget_tokens(&b), 485);
    nax__retry_budget_refund(&b, p.success_refund);
    ck_assert_uint_eq(nax__retry_budget_tokens(&b), 486);
    nax__retry_budget_refund(&b, 100);
    ck_assert_uint_eq(nax__retry_budget_tokens(&b), 500); /* capped */
    nax__retry_budget_refund(&b, UINT32_MAX);
    ck_assert_uint_eq(nax__retry_budget_tokens(&b), 500);
    nax__retry_budget_dispose(&b);
}
END_TEST

START_TEST(budget_exhaustion_takes_nothing)
{
    nax__retry_budget b;
    ck_assert_int_eq(nax__retry_budget_init(&b, 23), 0);
    int taken = 0;
    while (nax__retry_budget_take(&b, 5))
        taken++;
    ck_assert_int_eq(taken, 4);
    ck_assert_uint_eq(nax__retry_budget_tokens(&b), 3);
    /* Too few for a retry, but a smaller cost still fits. */
    ck_assert_int_eq(nax__retry_budget_take(&b, 5), 0);
    ck_assert_uint_eq(nax__retry_budget_tokens(&b), 3);
    ck_assert_int_eq(nax__retry_budget_take(&b, 3), 1);
    ck_assert_int_eq(nax__retry_budget_take(&b, 1), 0);
    ck_assert_int_eq(nax__retry_budget_take(&b, 0), 1);
    /* Successes earn retries back. */
    for (int i = 0; i < 5; i++)
        nax__retry_budget_refund(&b, 1);
    ck_assert_int_eq(nax__retry_budget_take(&b, 5), 1);
    nax__retry_budget_dispose(&b);
}
END_TEST

/* ---- defaults and names ---- */

START_TEST(policy_defaults_fill_only_zero_members)
{
    nax_retry_policy r;
    memset(&r, 0, sizeof r);
    r.max_attempts = 7;
    nax__retry_policy_defaults(&r);
    ck_assert_uint_eq(r.max_attempts, 7);
    ck_assert_uint_eq(r.base_delay_ms, 100);
    ck_assert_uint_eq(r.max_delay_ms, 20000);
    ck_assert_uint_eq(r.retry_after_max_ms, 60000);
    ck_assert_uint_eq(r.budget, 500);
    ck_assert_uint_eq(r.retry_cost, 5);
    ck_assert_uint_eq(r.timeout_retry_cost, 10);
    ck_assert_uint_eq(r.success_refund, 1);

    nax_breaker_policy b;
    memset(&b, 0, sizeof b);
    b.open_ms = 1234;
    nax__breaker_policy_defaults(&b);
    ck_assert_uint_eq(b.window_size, 100);
    ck_assert_uint_eq(b.min_calls, 20);
    ck_assert_uint_eq(b.failure_rate_pct, 50);
    ck_assert_uint_eq(b.slow_rate_pct, 50);
    ck_assert_uint_eq(b.slow_call_ms, 5000);
    ck_assert_uint_eq(b.open_ms, 1234);
    ck_assert_uint_eq(b.half_open_probes, 5);
    ck_assert_int_eq(b.disabled, 0);

    nax_limiter_policy l;
    memset(&l, 0, sizeof l);
    nax__limiter_policy_defaults(&l);
    ck_assert_int_eq(l.mode, NAX_LIMITER_WAIT);
    ck_assert_uint_eq(l.rate_per_s, 0);
    ck_assert_uint_eq(l.burst, 0);
    ck_assert_uint_eq(l.max_wait_ms, 5000);
    l.max_wait_ms = 9;
    l.mode = NAX_LIMITER_OFF;
    nax__limiter_policy_defaults(&l);
    ck_assert_uint_eq(l.max_wait_ms, 9);
    ck_assert_int_eq(l.mode, NAX_LIMITER_OFF);
}
END_TEST

START_TEST(state_and_group_names)
{
    ck_assert_str_eq(nax_breaker_state_name(NAX_BREAKER_CLOSED), "closed");
    ck_assert_str_eq(nax_breaker_state_name(NAX_BREAKER_OPEN), "open");
    ck_assert_str_eq(nax_breaker_state_name(NAX_BREAKER_HALF_OPEN), "half_open");
    ck_assert_str_eq(nax_breaker_state_name((nax_breaker_state)7), "unknown");
    ck_assert_str_eq(nax_endpoint_group_name(NAX_GROUP_AUTH), "auth");
    ck_assert_str_eq(nax_endpoint_group_name(NAX_GROUP_MARKET_DATA), "market_data");
    ck_assert_str_eq(nax_endpoint_group_name(NAX_GROUP_TRADING), "trading");
    ck_assert_str_eq(nax_endpoint_group_name(NAX_GROUP_FUNDS), "funds");
    ck_assert_str_eq(nax_endpoint_group_name((nax_endpoint_group)NAX_GROUP_COUNT), "unknown");
    ck_assert_str_eq(nax_endpoint_group_name((nax_endpoint_group)-1), "unknown");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("resilience_retry");
    TCase *tc = tcase_create("retry");
    tcase_add_test(tc, classify_transport_errors);
    tcase_add_test(tc, classify_statuses);
    tcase_add_test(tc, first_retry_is_bounded_by_base);
    tcase_add_test(tc, max_over_random_inputs_is_the_ceiling);
    tcase_add_test(tc, backoff_is_spread_evenly);
    tcase_add_test(tc, large_retry_numbers_do_not_overflow);
    tcase_add_test(tc, base_above_cap_is_capped);
    tcase_add_test(tc, budget_take_refund_and_cap);
    tcase_add_test(tc, budget_exhaustion_takes_nothing);
    tcase_add_test(tc, policy_defaults_fill_only_zero_members);
    tcase_add_test(tc, state_and_group_names);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

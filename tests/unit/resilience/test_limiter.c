/* Client-side token bucket with explicit time: the starting policy, the
 * server's RateLimit-* headers, Retry-After blocks, waits, mode OFF and
 * overflow at the edges. */
#include <check.h>
#include <string.h>

#include "nax.h"
#include "resilience/resilience.h"

static nax_limiter_policy policy(nax_limiter_mode mode, uint32_t rate, uint32_t burst)
{
    nax_limiter_policy p;
    memset(&p, 0, sizeof p);
    p.mode = mode;
    p.rate_per_s = rate;
    p.burst = burst;
    nax__limiter_policy_defaults(&p);
    return p;
}

/* Takes tokens at `now` until one is refused; returns how many were taken
 * and the wait of the refusal. */
static int drain(nax__limiter *l, uint64_t now, uint64_t *wait)
{
    int n = 0;
    while (nax__limiter_take(l, now, wait) == 0) {
        ck_assert_uint_eq(*wait, 0);
        ck_assert_int_lt(++n, 1000000);
    }
    return n;
}

START_TEST(starting_policy_burst_and_rate)
{
    nax_limiter_policy p = policy(NAX_LIMITER_WAIT, 2, 3);
    nax__limiter l;
    uint64_t wait = 0;
    ck_assert_int_eq(nax__limiter_init(&l, &p, 1000), 0);
    ck_assert_int_eq(drain(&l, 1000, &wait), 3);
    ck_assert_uint_eq(wait, 500); /* 2 tokens a second */
    ck_assert_int_eq(nax__limiter_take(&l, 1499, &wait), 1);
    ck_assert_uint_eq(wait, 1);
    ck_assert_int_eq(nax__limiter_take(&l, 1500, &wait), 0);
    ck_assert_int_eq(nax__limiter_take(&l, 1500, &wait), 1);
    ck_assert_uint_eq(wait, 500);
    /* A long pause refills to the burst, not beyond. */
    ck_assert_int_eq(drain(&l, 100000, &wait), 3);
    nax__limiter_dispose(&l);
}
END_TEST

START_TEST(starting_policy_rate_only_and_unlimited)
{
    nax__limiter l;
    uint64_t wait = 0;
    nax_limiter_policy p = policy(NAX_LIMITER_WAIT, 5, 0);
    ck_assert_int_eq(nax__limiter_init(&l, &p, 0), 0);
    ck_assert_int_eq(drain(&l, 0, &wait), 5); /* capacity = rate when burst is 0 */
    ck_assert_uint_eq(wait, 200);
    nax__limiter_dispose(&l);

    p = policy(NAX_LIMITER_WAIT, 0, 0);
    ck_assert_int_eq(nax__limiter_init(&l, &p, 0), 0);
    for (int i = 0; i < 100000; i++)
        ck_assert_int_eq(nax__limiter_take(&l, 0, &wait), 0);
    /* Headers without a limit leave it unlimited. */
    nax__limiter_update(&l, 0, -1, 0, 30);
    nax__limiter_update(&l, 0, 0, 0, 30);
    ck_assert_int_eq(nax__limiter_take(&l, 0, &wait), 0);
    nax__limiter_dispose(&l);
}
END_TEST

START_TEST(burst_without_rate_refills_a_burst_a_second)
{
    /* No token would ever come without a refill, and no request would be
     * sent to bring the headers that could repair it: a full burst a second
     * is assumed until the server says better. */
    nax_limiter_policy p = policy(NAX_LIMITER_WAIT, 0, 2);
    nax__limiter l;
    uint64_t wait = 0;
    ck_assert_int_eq(nax__limiter_init(&l, &p, 0), 0);
    ck_assert_int_eq(drain(&l, 0, &wait), 2);
    ck_assert_uint_eq(wait, 500);
    ck_assert_int_eq(nax__limiter_take(&l, 499, &wait), 1);
    ck_assert_uint_eq(wait, 1);
    ck_assert_int_eq(drain(&l, 3600000, &wait), 2);
    /* The server speaks: 6 of 10 left, full in 2 s, so 2 tokens a second. */
    nax__limiter_update(&l, 3600000, 10, 6, 2);
    ck_assert_int_eq(drain(&l, 3600000, &wait), 6);
    ck_assert_uint_eq(wait, 500);
    nax__limiter_dispose(&l);
}
END_TEST

START_TEST(limit_without_reset_still_refills)
{
    /* RateLimit-Limit and -Remaining but no -Reset, and no policy rate: the
     * bucket must refill (a full one a second), or no request would ever be
     * sent again and no header could repair it. */
    nax_limiter_policy p = policy(NAX_LIMITER_WAIT, 0, 0);
    nax__limiter l;
    uint64_t wait = 0;
    ck_assert_int_eq(nax__limiter_init(&l, &p, 1000), 0);
    nax__limiter_update(&l, 1000, 10, 0, -1);
    ck_assert_int_eq(nax__limiter_take(&l, 1000, &wait), 1);
    ck_assert_uint_eq(wait, 100);
    ck_assert_int_eq(nax__limiter_take(&l, 1100, &wait), 0);
    ck_assert_int_eq(drain(&l, 1000 + 3600000, &wait), 10);
    ck_assert_uint_eq(wait, 100);
    /* The assumed rate follows the capacity the server reports. */
    nax__limiter_update(&l, 1000 + 3600000, 50, 0, -1);
    ck_assert_int_eq(nax__limiter_take(&l, 1000 + 3600000, &wait), 1);
    ck_assert_uint_eq(wait, 20);
    /* A rate the server once told is kept when a later reply has no Reset. */
    nax__limiter_update(&l, 1000 + 3600000, 50, 0, 25); /* 2 a second */
    nax__limiter_update(&l, 1000 + 3600000, 50, 0, -1);
    ck_assert_int_eq(nax__limiter_take(&l, 1000 + 3600000, &wait), 1);
    ck_assert_uint_eq(wait, 500);
    nax__limiter_dispose(&l);

    /* Remaining alone over a starting burst with no rate refills too. */
    p = policy(NAX_LIMITER_WAIT, 0, 4);
    ck_assert_int_eq(nax__limiter_init(&l, &p, 0), 0);
    nax__limiter_update(&l, 0, -1, 0, -1);
    ck_assert_int_eq(nax__limiter_take(&l, 0, &wait), 1);
    ck_assert_uint_eq(wait, 250);
    nax__limiter_dispose(&l);
}
END_TEST

START_TEST(update_follows_the_server)
{
    nax_limiter_policy p = policy(NAX_LIMITER_WAIT, 0, 0);
    nax__limiter l;
    uint64_t wait = 0;
    ck_assert_int_eq(nax__limiter_init(&l, &p, 0), 0);
    /* 2 of 10 left, full in 4 s: (10 - 2) / 4 = 2 tokens a second. */
    nax__limiter_update(&l, 0, 10, 2, 4);
    ck_assert_int_eq(drain(&l, 0, &wait), 2);
    ck_assert_uint_eq(wait, 500);
    /* Full again at the server's reset time, and no fuller. */
    ck_assert_int_eq(drain(&l, 5000, &wait), 10);
    /* Remaining above the limit is clamped; the capacity can shrink. */
    nax__limiter_update(&l, 6000, 3, 50, 1);
    ck_assert_int_eq(drain(&l, 6000, &wait), 3);
    /* Absent headers change nothing. */
    nax__limiter_update(&l, 6000, -1, -1, -1);
    ck_assert_int_eq(nax__limiter_take(&l, 6000, &wait), 1);
    /* Remaining alone sets the tokens. */
    nax__limiter_update(&l, 6000, -1, 2, -1);
    ck_assert_int_eq(drain(&l, 6000, &wait), 2);
    nax__limiter_dispose(&l);
}
END_TEST

START_TEST(reset_zero_means_full_now)
{
    nax_limiter_policy p = policy(NAX_LIMITER_WAIT, 1, 1);
    nax__limiter l;
    uint64_t wait = 0;
    ck_assert_int_eq(nax__limiter_init(&l, &p, 0), 0);
    nax__limiter_update(&l, 0, 5, 0, 0);
    ck_assert_int_eq(drain(&l, 0, &wait), 5);
    /* The rate the policy gave is kept: 1 a second. */
    ck_assert_uint_eq(wait, 1000);
    nax__limiter_dispose(&l);
}
END_TEST

START_TEST(a_full_bucket_keeps_the_last_rate)
{
    nax_limiter_policy p = policy(NAX_LIMITER_WAIT, 0, 0);
    nax__limiter l;
    uint64_t wait = 0;
    ck_assert_int_eq(nax__limiter_init(&l, &p, 0), 0);
    /* Full with no rate known: one full refill a second is assumed. */
    nax__limiter_update(&l, 0, 4, 4, 0);
    ck_assert_int_eq(drain(&l, 0, &wait), 4);
    ck_assert_uint_eq(wait, 250);
    /* A deficit tells the rate: 10 - 0 over 5 s = 2 a second. */
    nax__limiter_update(&l, 0, 10, 0, 5);
    ck_assert_int_eq(nax__limiter_take(&l, 0, &wait), 1);
    ck_assert_uint_eq(wait, 500);
    /* A later full bucket keeps that rate. */
    nax__limiter_update(&l, 100, 10, 10, 0);
    ck_assert_int_eq(drain(&l, 100, &wait), 10);
    ck_assert_uint_eq(wait, 500);
    nax__limiter_dispose(&l);
}
END_TEST

START_TEST(refill_rounds_towards_full_by_the_reset)
{
    nax_limiter_policy p = policy(NAX_LIMITER_WAIT, 0, 0);
    nax__limiter l;
    uint64_t wait = 0;
    ck_assert_int_eq(nax__limiter_init(&l, &p, 0), 0);
    /* 3 tokens over 7 s do not divide evenly in micro-tokens per ms. */
    nax__limiter_update(&l, 0, 3, 0, 7);
    ck_assert_int_eq(nax__limiter_take(&l, 0, &wait), 1);
    /* Rounded up: the first token comes no later than an exact rate's. */
    ck_assert_uint_gt(wait, 0);
    ck_assert_uint_le(wait, 7000 / 3 + 1);
    ck_assert_int_eq(drain(&l, 7000, &wait), 3);
    /* One second of 3 tokens over 7 s is less than one token. */
    nax__limiter_update(&l, 7000, 3, 0, 7);
    ck_assert_int_eq(nax__limiter_take(&l, 8000, &wait), 1);
    nax__limiter_dispose(&l);
}
END_TEST

START_TEST(block_until_retry_after)
{
    nax_limiter_policy p = policy(NAX_LIMITER_WAIT, 100, 100);
    nax__limiter l;
    uint64_t wait = 0;
    ck_assert_int_eq(nax__limiter_init(&l, &p, 0), 0);
    ck_assert_int_eq(nax__limiter_take(&l, 0, &wait), 0);
    nax__limiter_block(&l, 10, 2000);
    ck_assert_int_eq(nax__limiter_take(&l, 10, &wait), 1);
    ck_assert_uint_eq(wait, 2000);
    ck_assert_int_eq(nax__limiter_take(&l, 1010, &wait), 1);
    ck_assert_uint_eq(wait, 1000);
    /* A shorter block does not cut a longer one short. */
    nax__limiter_block(&l, 1010, 5);
    ck_assert_int_eq(nax__limiter_take(&l, 1500, &wait), 1);
    ck_assert_uint_eq(wait, 510);
    /* The bucket was emptied and refilled meanwhile (100/s for 2 s, capped). */
    ck_assert_int_eq(drain(&l, 2010, &wait), 100);
    nax__limiter_dispose(&l);
}
END_TEST

START_TEST(block_without_refill_grants_one_token)
{
    nax_limiter_policy p = policy(NAX_LIMITER_WAIT, 0, 3);
    nax__limiter l;
    uint64_t wait = 0;
    ck_assert_int_eq(nax__limiter_init(&l, &p, 0), 0);
    nax__limiter_block(&l, 0, 300);
    ck_assert_int_eq(nax__limiter_take(&l, 299, &wait), 1);
    ck_assert_uint_eq(wait, 1);
    /* 0.9 tokens came back meanwhile (3 a second assumed); the block's end
     * tops them up to one, and the next is a third of a second away. */
    ck_assert_int_eq(drain(&l, 300, &wait), 1);
    ck_assert_uint_eq(wait, 334);
    nax__limiter_dispose(&l);

    /* An unlimited limiter is blocked too. */
    p = policy(NAX_LIMITER_FAIL_FAST, 0, 0);
    ck_assert_int_eq(nax__limiter_init(&l, &p, 0), 0);
    nax__limiter_block(&l, 50, 1000);
    ck_assert_int_eq(nax__limiter_take(&l, 60, &wait), 1);
    ck_assert_uint_eq(wait, 990);
    ck_assert_int_eq(nax__limiter_take(&l, 1050, &wait), 0);
    ck_assert_int_eq(nax__limiter_take(&l, 1050, &wait), 0);
    nax__limiter_dispose(&l);
}
END_TEST

START_TEST(mode_off_always_takes)
{
    nax_limiter_policy p = policy(NAX_LIMITER_OFF, 1, 1);
    nax__limiter l;
    uint64_t wait = 77;
    ck_assert_int_eq(nax__limiter_init(&l, &p, 0), 0);
    nax__limiter_update(&l, 0, 1, 0, 60);
    nax__limiter_block(&l, 0, 60000);
    for (int i = 0; i < 1000; i++) {
        ck_assert_int_eq(nax__limiter_take(&l, 0, &wait), 0);
        ck_assert_uint_eq(wait, 0);
    }
    ck_assert_int_eq(nax__limiter_take(&l, 0, NULL), 0);
    nax__limiter_dispose(&l);
}
END_TEST

START_TEST(clock_going_back_adds_nothing)
{
    nax_limiter_policy p = policy(NAX_LIMITER_WAIT, 1, 1);
    nax__limiter l;
    uint64_t wait = 0;
    ck_assert_int_eq(nax__limiter_init(&l, &p, 5000), 0);
    ck_assert_int_eq(nax__limiter_take(&l, 5000, &wait), 0);
    ck_assert_int_eq(nax__limiter_take(&l, 4000, &wait), 1);
    ck_assert_uint_eq(wait, 1000);
    ck_assert_int_eq(nax__limiter_take(&l, 5999, &wait), 1);
    ck_assert_int_eq(nax__limiter_take(&l, 6000, &wait), 0);
    nax__limiter_dispose(&l);
}
END_TEST

START_TEST(extreme_values_do_not_overflow)
{
    nax_limiter_policy p = policy(NAX_LIMITER_WAIT, UINT32_MAX, UINT32_MAX);
    nax__limiter l;
    uint64_t wait = 0;
    ck_assert_int_eq(nax__limiter_init(&l, &p, 0), 0);
    ck_assert_int_eq(nax__limiter_take(&l, UINT64_MAX, &wait), 0);
    /* The largest header values there are (clamped, no overflow). */
    nax__limiter_update(&l, UINT64_MAX, INT64_MAX, 0, INT64_MAX);
    ck_assert_int_eq(nax__limiter_take(&l, UINT64_MAX, &wait), 1);
    ck_assert_uint_gt(wait, 0);
    nax__limiter_update(&l, UINT64_MAX, INT64_MAX, INT64_MAX, 1);
    ck_assert_int_eq(nax__limiter_take(&l, UINT64_MAX, &wait), 0);
    nax__limiter_update(&l, 0, INT64_MAX, 0, 1); /* an older now: no refill, no wrap */
    ck_assert_int_eq(nax__limiter_take(&l, UINT64_MAX, &wait), 1);
    nax__limiter_dispose(&l);

    /* A slow rate after a huge pause: full, not wrapped. */
    p = policy(NAX_LIMITER_WAIT, 1, 2);
    ck_assert_int_eq(nax__limiter_init(&l, &p, 0), 0);
    ck_assert_int_eq(drain(&l, 0, &wait), 2);
    ck_assert_int_eq(drain(&l, UINT64_MAX, &wait), 2);
    /* A block to the end of time saturates. */
    nax__limiter_block(&l, UINT64_MAX - 5, UINT64_MAX);
    ck_assert_int_eq(nax__limiter_take(&l, UINT64_MAX - 4, &wait), 1);
    ck_assert_uint_eq(wait, 4);
    nax__limiter_dispose(&l);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("resilience_limiter");
    TCase *tc = tcase_create("limiter");
    tcase_add_test(tc, starting_policy_burst_and_rate);
    tcase_add_test(tc, starting_policy_rate_only_and_unlimited);
    tcase_add_test(tc, burst_without_rate_refills_a_burst_a_second);
    tcase_add_test(tc, limit_without_reset_still_refills);
    tcase_add_test(tc, update_follows_the_server);
    tcase_add_test(tc, reset_zero_means_full_now);
    tcase_add_test(tc, a_full_bucket_keeps_the_last_rate);
    tcase_add_test(tc, refill_rounds_towards_full_by_the_reset);
    tcase_add_test(tc, block_until_retry_after);
    tcase_add_test(tc, block_without_refill_grants_one_token);
    tcase_add_test(tc, mode_off_always_takes);
    tcase_add_test(tc, clock_going_back_adds_nothing);
    tcase_add_test(tc, extreme_values_do_not_overflow);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

/* Circuit breaker with explicit time: thresholds, the sliding window, open,
 * half-open probes, Retry-After, status, disabled, allocation failure. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nax.h"
#include "resilience/resilience.h"

static nax_breaker_policy defaults(void)
{
    nax_breaker_policy p;
    memset(&p, 0, sizeof p);
    nax__breaker_policy_defaults(&p);
    return p;
}

/* A small breaker: window 10, min 4, 50 %, open 1000 ms, 2 probes. */
static nax_breaker_policy small(void)
{
    nax_breaker_policy p = defaults();
    p.window_size = 10;
    p.min_calls = 4;
    p.open_ms = 1000;
    p.half_open_probes = 2;
    return p;
}

/* One whole call: acquire (must be allowed) and record. Returns the state after. */
static nax_breaker_state call(nax__breaker *b, uint64_t now, int failed, int slow,
                              uint64_t retry_after)
{
    int probe = -1;
    nax__breaker_change chg;
    ck_assert_int_eq(nax__breaker_acquire(b, now, &probe, &chg), 0);
    nax__breaker_record(b, now, probe, failed, slow, retry_after, &chg);
    return chg.to;
}

static nax_breaker_status status(nax__breaker *b, uint64_t now)
{
    nax_breaker_status s;
    nax__breaker_status(b, now, &s);
    ck_assert_uint_eq(s.struct_size, sizeof s);
    return s;
}

/* Open the small breaker at `now` with 4 failures. */
static void open_small(nax__breaker *b, uint64_t now)
{
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(call(b, now, 1, 0, 0), NAX_BREAKER_CLOSED);
    ck_assert_int_eq(call(b, now, 1, 0, 0), NAX_BREAKER_OPEN);
}

START_TEST(opens_at_the_failure_threshold)
{
    nax_breaker_policy p = defaults();
    nax__breaker b;
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    /* 9 failures in 19 calls: not judged yet (min_calls 20). */
    for (int i = 0; i < 19; i++)
        ck_assert_int_eq(call(&b, 100, i < 9, 0, 0), NAX_BREAKER_CLOSED);
    /* 20th call fails: 10/20 = 50 % opens. */
    int probe = 0;
    nax__breaker_change chg;
    ck_assert_int_eq(nax__breaker_acquire(&b, 100, &probe, &chg), 0);
    ck_assert_int_eq(chg.from, NAX_BREAKER_CLOSED);
    ck_assert_int_eq(chg.to, NAX_BREAKER_CLOSED);
    nax__breaker_record(&b, 100, probe, 1, 0, 0, &chg);
    ck_assert_int_eq(chg.from, NAX_BREAKER_CLOSED);
    ck_assert_int_eq(chg.to, NAX_BREAKER_OPEN);
    nax_breaker_status s = status(&b, 100);
    ck_assert_int_eq(s.state, NAX_BREAKER_OPEN);
    ck_assert_uint_eq(s.calls, 20);
    ck_assert_uint_eq(s.failures, 10);
    ck_assert_uint_eq(s.open_for_ms, 30000);
    ck_assert_uint_eq(s.opened_total, 1);
    nax__breaker_dispose(&b);
}
END_TEST

START_TEST(just_below_the_failure_threshold_stays_closed)
{
    nax_breaker_policy p = defaults();
    nax__breaker b;
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    /* 51 successes then 49 failures, over and over: every window of 100 holds 49. */
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(call(&b, 5, i % 100 >= 51, 0, 0), NAX_BREAKER_CLOSED);
    nax_breaker_status s = status(&b, 5);
    ck_assert_uint_eq(s.calls, 100);
    ck_assert_uint_eq(s.failures, 49);
    /* A failure where a success slides out: 50 of 100. */
    ck_assert_int_eq(call(&b, 5, 1, 0, 0), NAX_BREAKER_OPEN);
    nax__breaker_dispose(&b);
}
END_TEST

START_TEST(opens_at_the_slow_threshold)
{
    nax_breaker_policy p = defaults();
    p.slow_rate_pct = 30;
    nax__breaker b;
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    for (int i = 0; i < 20; i++)
        ck_assert_int_eq(call(&b, 0, 0, i < 5, 0), NAX_BREAKER_CLOSED);
    /* 5 of 20 slow = 25 %; one more slow = 6 of 21 = 28.6 %; another 7/22 = 31.8 %. */
    ck_assert_int_eq(call(&b, 0, 0, 1, 0), NAX_BREAKER_CLOSED);
    ck_assert_int_eq(call(&b, 0, 0, 1, 0), NAX_BREAKER_OPEN);
    nax_breaker_status s = status(&b, 0);
    ck_assert_uint_eq(s.slow, 7);
    ck_assert_uint_eq(s.failures, 0);
    ck_assert_uint_eq(s.calls, 22);
    nax__breaker_dispose(&b);
}
END_TEST

START_TEST(below_min_calls_never_opens)
{
    nax_breaker_policy p = defaults();
    nax__breaker b;
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    for (int i = 0; i < 19; i++)
        ck_assert_int_eq(call(&b, 0, 1, 1, 0), NAX_BREAKER_CLOSED);
    nax_breaker_status s = status(&b, 0);
    ck_assert_uint_eq(s.failures, 19);
    ck_assert_uint_eq(s.slow, 19);
    ck_assert_uint_eq(s.opened_total, 0);
    nax__breaker_dispose(&b);

    /* min_calls beyond the window is lowered to it, so it can still open. */
    p.window_size = 5;
    p.min_calls = 50;
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(call(&b, 0, 1, 0, 0), NAX_BREAKER_CLOSED);
    ck_assert_int_eq(call(&b, 0, 1, 0, 0), NAX_BREAKER_OPEN);
    nax__breaker_dispose(&b);
}
END_TEST

START_TEST(old_outcomes_slide_out_of_the_window)
{
    nax_breaker_policy p = small();
    p.failure_rate_pct = 60;
    nax__breaker b;
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(call(&b, 0, 0, 0, 0), NAX_BREAKER_CLOSED);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(call(&b, 0, 1, 1, 0), NAX_BREAKER_CLOSED);
    /* 5/10 failed (below 60 %), 5/10 slow (50 %: at the slow threshold). */
    ck_assert_int_eq(call(&b, 0, 1, 1, 0), NAX_BREAKER_OPEN);
    nax_breaker_status s = status(&b, 0);
    ck_assert_uint_eq(s.failures, 5);
    ck_assert_uint_eq(s.slow, 5);
    nax__breaker_dispose(&b);

    p.slow_rate_pct = 60;
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(call(&b, 0, 0, 0, 0), NAX_BREAKER_CLOSED);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(call(&b, 0, 1, 1, 0), NAX_BREAKER_CLOSED);
    ck_assert_uint_eq(status(&b, 0).failures, 5);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(call(&b, 0, 0, 0, 0), NAX_BREAKER_CLOSED);
    s = status(&b, 0);
    ck_assert_uint_eq(s.calls, 10);
    ck_assert_uint_eq(s.failures, 0);
    ck_assert_uint_eq(s.slow, 0);
    /* The failures are gone: six new ones are needed to reach 60 %. */
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(call(&b, 0, 1, 0, 0), NAX_BREAKER_CLOSED);
    ck_assert_int_eq(call(&b, 0, 1, 0, 0), NAX_BREAKER_OPEN);
    nax__breaker_dispose(&b);
}
END_TEST

START_TEST(open_refuses_without_changing)
{
    nax_breaker_policy p = small();
    nax__breaker b;
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    open_small(&b, 1000);
    nax_breaker_status before = status(&b, 1000);
    for (uint64_t t = 1000; t < 2000; t += 100) {
        int probe = -1;
        nax__breaker_change chg = {NAX_BREAKER_CLOSED, NAX_BREAKER_CLOSED};
        nax_error_clear();
        ck_assert_int_eq(nax__breaker_acquire(&b, t, &probe, &chg), NAX_ECIRCUIT_OPEN);
        ck_assert_int_eq(probe, 0);
        ck_assert_int_eq(chg.from, NAX_BREAKER_OPEN);
        ck_assert_int_eq(chg.to, NAX_BREAKER_OPEN);
        const nax_error *e = nax_error_last();
        ck_assert_int_eq(e->code, NAX_ECIRCUIT_OPEN);
        ck_assert_int_eq(e->transient, 1);
        char want[64];
        snprintf(want, sizeof want, "retry in %llu ms", (unsigned long long)(2000 - t));
        ck_assert_msg(strstr(e->message, want), "message '%s' lacks '%s'", e->message, want);
    }
    nax_breaker_status after = status(&b, 1000);
    ck_assert_mem_eq(&before, &after, sizeof before);
    /* Outcomes of calls let through before it opened are not counted. */
    nax__breaker_change chg;
    nax__breaker_record(&b, 1500, 0, 1, 1, 0, &chg);
    ck_assert_int_eq(chg.to, NAX_BREAKER_OPEN);
    after = status(&b, 1000);
    ck_assert_mem_eq(&before, &after, sizeof before);
    nax__breaker_dispose(&b);
}
END_TEST

START_TEST(open_turns_half_open_when_its_time_is_up)
{
    nax_breaker_policy p = small();
    nax__breaker b;
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    open_small(&b, 500);
    ck_assert_uint_eq(status(&b, 1499).open_for_ms, 1);
    ck_assert_uint_eq(status(&b, 1500).open_for_ms, 0);
    int probe = 0;
    nax__breaker_change chg;
    ck_assert_int_eq(nax__breaker_acquire(&b, 1499, &probe, &chg), NAX_ECIRCUIT_OPEN);
    ck_assert_int_eq(nax__breaker_acquire(&b, 1500, &probe, &chg), 0);
    ck_assert_int_eq(probe, 1);
    ck_assert_int_eq(chg.from, NAX_BREAKER_OPEN);
    ck_assert_int_eq(chg.to, NAX_BREAKER_HALF_OPEN);
    ck_assert_int_eq(status(&b, 1500).state, NAX_BREAKER_HALF_OPEN);
    nax__breaker_dispose(&b);
}
END_TEST

START_TEST(retry_after_lengthens_the_open_time)
{
    nax_breaker_policy p = small();
    nax__breaker b;
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    for (int i = 0; i < 3; i++)
        call(&b, 0, 1, 0, 0);
    ck_assert_int_eq(call(&b, 0, 1, 0, 7000), NAX_BREAKER_OPEN);
    ck_assert_uint_eq(status(&b, 0).open_for_ms, 7000);
    int probe;
    ck_assert_int_eq(nax__breaker_acquire(&b, 6999, &probe, NULL), NAX_ECIRCUIT_OPEN);
    ck_assert_int_eq(nax__breaker_acquire(&b, 7000, &probe, NULL), 0);
    ck_assert_int_eq(probe, 1);
    nax__breaker_dispose(&b);

    /* A shorter Retry-After does not shorten open_ms. */
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    for (int i = 0; i < 3; i++)
        call(&b, 0, 1, 0, 0);
    ck_assert_int_eq(call(&b, 0, 1, 0, 10), NAX_BREAKER_OPEN);
    ck_assert_uint_eq(status(&b, 0).open_for_ms, 1000);
    nax__breaker_dispose(&b);

    /* A Retry-After near the end of time saturates instead of wrapping. */
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    for (int i = 0; i < 3; i++)
        call(&b, 10, 1, 0, 0);
    ck_assert_int_eq(call(&b, 10, 1, 0, UINT64_MAX), NAX_BREAKER_OPEN);
    ck_assert_uint_eq(status(&b, 10).open_for_ms, UINT64_MAX - 10);
    ck_assert_int_eq(nax__breaker_acquire(&b, UINT64_MAX - 1, &probe, NULL), NAX_ECIRCUIT_OPEN);
    nax__breaker_dispose(&b);
}
END_TEST

START_TEST(half_open_limits_probes)
{
    nax_breaker_policy p = small();
    p.half_open_probes = 3;
    nax__breaker b;
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    open_small(&b, 0);
    int probe;
    nax__breaker_change chg;
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(nax__breaker_acquire(&b, 1000, &probe, &chg), 0);
        ck_assert_int_eq(probe, 1);
    }
    ck_assert_int_eq(nax__breaker_acquire(&b, 1000, &probe, &chg), NAX_ECIRCUIT_OPEN);
    ck_assert_int_eq(probe, 0);
    ck_assert_int_eq(chg.from, NAX_BREAKER_HALF_OPEN);
    ck_assert_int_eq(chg.to, NAX_BREAKER_HALF_OPEN);
    ck_assert_int_eq(nax_error_last()->transient, 1);
    /* A passed probe still counts against the limit: no new probe. */
    nax__breaker_record(&b, 1001, 1, 0, 0, 0, &chg);
    ck_assert_int_eq(chg.to, NAX_BREAKER_HALF_OPEN);
    ck_assert_int_eq(nax__breaker_acquire(&b, 1001, &probe, &chg), NAX_ECIRCUIT_OPEN);
    /* A probe cancelled before it was sent frees its slot. */
    nax__breaker_cancel(&b, 1);
    ck_assert_int_eq(nax__breaker_acquire(&b, 1002, &probe, &chg), 0);
    ck_assert_int_eq(probe, 1);
    ck_assert_int_eq(nax__breaker_acquire(&b, 1002, &probe, &chg), NAX_ECIRCUIT_OPEN);
    /* Cancelling a non-probe changes nothing. */
    nax__breaker_cancel(&b, 0);
    ck_assert_int_eq(nax__breaker_acquire(&b, 1002, &probe, &chg), NAX_ECIRCUIT_OPEN);
    nax__breaker_dispose(&b);
}
END_TEST

START_TEST(a_failed_probe_opens_again)
{
    nax_breaker_policy p = small();
    nax__breaker b;
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    open_small(&b, 0);
    int probe1, probe2;
    nax__breaker_change chg;
    ck_assert_int_eq(nax__breaker_acquire(&b, 1000, &probe1, &chg), 0);
    ck_assert_int_eq(nax__breaker_acquire(&b, 1000, &probe2, &chg), 0);
    nax__breaker_record(&b, 1200, probe1, 1, 0, 0, &chg);
    ck_assert_int_eq(chg.from, NAX_BREAKER_HALF_OPEN);
    ck_assert_int_eq(chg.to, NAX_BREAKER_OPEN);
    nax_breaker_status s = status(&b, 1200);
    ck_assert_int_eq(s.state, NAX_BREAKER_OPEN);
    ck_assert_uint_eq(s.open_for_ms, 1000); /* a fresh open time from the failure */
    ck_assert_uint_eq(s.opened_total, 2);
    /* The other probe's late success says nothing about the new period. */
    nax__breaker_record(&b, 1300, probe2, 0, 0, 0, &chg);
    ck_assert_int_eq(chg.from, NAX_BREAKER_OPEN);
    ck_assert_int_eq(chg.to, NAX_BREAKER_OPEN);
    ck_assert_int_eq(nax__breaker_acquire(&b, 2199, &probe1, &chg), NAX_ECIRCUIT_OPEN);
    ck_assert_int_eq(nax__breaker_acquire(&b, 2200, &probe1, &chg), 0);
    ck_assert_int_eq(chg.to, NAX_BREAKER_HALF_OPEN);
    /* A slow probe does not pass either; its Retry-After sets the open time. */
    nax__breaker_record(&b, 2300, probe1, 0, 1, 4000, &chg);
    ck_assert_int_eq(chg.to, NAX_BREAKER_OPEN);
    ck_assert_uint_eq(status(&b, 2300).open_for_ms, 4000);
    ck_assert_uint_eq(status(&b, 2300).opened_total, 3);
    nax__breaker_dispose(&b);
}
END_TEST

START_TEST(passing_probes_close_with_an_empty_window)
{
    nax_breaker_policy p = small();
    nax__breaker b;
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    open_small(&b, 0);
    ck_assert_uint_eq(status(&b, 0).calls, 4);
    int probe1, probe2;
    nax__breaker_change chg;
    ck_assert_int_eq(nax__breaker_acquire(&b, 1000, &probe1, &chg), 0);
    ck_assert_int_eq(nax__breaker_acquire(&b, 1000, &probe2, &chg), 0);
    nax__breaker_record(&b, 1010, probe1, 0, 0, 0, &chg);
    ck_assert_int_eq(chg.from, NAX_BREAKER_HALF_OPEN);
    ck_assert_int_eq(chg.to, NAX_BREAKER_HALF_OPEN);
    nax__breaker_record(&b, 1020, probe2, 0, 0, 0, &chg);
    ck_assert_int_eq(chg.from, NAX_BREAKER_HALF_OPEN);
    ck_assert_int_eq(chg.to, NAX_BREAKER_CLOSED);
    nax_breaker_status s = status(&b, 1020);
    ck_assert_int_eq(s.state, NAX_BREAKER_CLOSED);
    ck_assert_uint_eq(s.calls, 0);
    ck_assert_uint_eq(s.failures, 0);
    ck_assert_uint_eq(s.open_for_ms, 0);
    ck_assert_uint_eq(s.opened_total, 1);
    /* Fresh window: three failures are below min_calls again. */
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(call(&b, 1100, 1, 0, 0), NAX_BREAKER_CLOSED);
    ck_assert_int_eq(call(&b, 1100, 1, 0, 0), NAX_BREAKER_OPEN);
    ck_assert_uint_eq(status(&b, 1100).opened_total, 2);
    nax__breaker_dispose(&b);
}
END_TEST

START_TEST(disabled_never_refuses)
{
    nax_breaker_policy p = small();
    p.disabled = 1;
    nax__breaker b;
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    ck_assert_ptr_null(b.ring);
    for (int i = 0; i < 1000; i++) {
        int probe = -1;
        nax__breaker_change chg;
        ck_assert_int_eq(nax__breaker_acquire(&b, (uint64_t)i, &probe, &chg), 0);
        ck_assert_int_eq(probe, 0);
        ck_assert_int_eq(chg.from, chg.to);
        nax__breaker_record(&b, (uint64_t)i, probe, 1, 1, 60000, &chg);
        ck_assert_int_eq(chg.from, chg.to);
    }
    nax_breaker_status s = status(&b, 1000);
    ck_assert_int_eq(s.state, NAX_BREAKER_CLOSED);
    ck_assert_uint_eq(s.calls, 0);
    ck_assert_uint_eq(s.opened_total, 0);
    nax__breaker_dispose(&b);
}
END_TEST

START_TEST(null_change_is_allowed)
{
    nax_breaker_policy p = small();
    nax__breaker b;
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    int probe;
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(nax__breaker_acquire(&b, 0, &probe, NULL), 0);
        nax__breaker_record(&b, 0, probe, 1, 0, 0, NULL);
    }
    ck_assert_int_eq(status(&b, 0).state, NAX_BREAKER_OPEN);
    ck_assert_int_eq(nax__breaker_acquire(&b, 1000, &probe, NULL), 0);
    nax__breaker_record(&b, 1000, probe, 0, 0, 0, NULL);
    ck_assert_int_eq(status(&b, 0).state, NAX_BREAKER_HALF_OPEN);
    nax__breaker_dispose(&b);
}
END_TEST

/* ---- allocation failure ---- */

static int fail_allocations;
static void *failing_malloc(size_t size, void *ud)
{
    (void)ud;
    return fail_allocations ? NULL : malloc(size);
}
static void *failing_realloc(void *ptr, size_t size, void *ud)
{
    (void)ud;
    return fail_allocations ? NULL : realloc(ptr, size);
}
static void plain_free(void *ptr, void *ud)
{
    (void)ud;
    free(ptr);
}

START_TEST(init_fails_cleanly_without_memory)
{
    nax_allocator a = {NAX_ALLOCATOR_VERSION, failing_malloc, failing_realloc, plain_free, NULL};
    ck_assert_int_eq(nax_global_init(&a), 0);
    nax_breaker_policy p = small();
    nax__breaker b;
    fail_allocations = 1;
    ck_assert_int_eq(nax__breaker_init(&b, &p), NAX_ENOMEM);
    ck_assert_int_eq(nax_error_last()->code, NAX_ENOMEM);
    ck_assert_ptr_null(b.ring);
    /* A disabled breaker needs no memory. */
    p.disabled = 1;
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    nax__breaker_dispose(&b);
    fail_allocations = 0;
    p.disabled = 0;
    ck_assert_int_eq(nax__breaker_init(&b, &p), 0);
    nax__breaker_dispose(&b);
    nax_global_shutdown();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("resilience_breaker");
    TCase *tc = tcase_create("breaker");
    tcase_add_test(tc, opens_at_the_failure_threshold);
    tcase_add_test(tc, just_below_the_failure_threshold_stays_closed);
    tcase_add_test(tc, opens_at_the_slow_threshold);
    tcase_add_test(tc, below_min_calls_never_opens);
    tcase_add_test(tc, old_outcomes_slide_out_of_the_window);
    tcase_add_test(tc, open_refuses_without_changing);
    tcase_add_test(tc, open_turns_half_open_when_its_time_is_up);
    tcase_add_test(tc, retry_after_lengthens_the_open_time);
    tcase_add_test(tc, half_open_limits_probes);
    tcase_add_test(tc, a_failed_probe_opens_again);
    tcase_add_test(tc, passing_probes_close_with_an_empty_window);
    tcase_add_test(tc, disabled_never_refuses);
    tcase_add_test(tc, null_change_is_allowed);
    tcase_add_test(tc, init_fails_cleanly_without_memory);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

/* The token-bucket limiter with an injected clock: burst, refill, the
 * numbers behind the RateLimit headers, independent keys, the key cap and
 * its LRU eviction, and allocation failures. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"
#include "http/ratelimit.h"
#include "nax.h"

#define MS  1000000LL
#define SEC 1000000000LL

START_TEST(burst_then_refill)
{
    naxd_limiter *l;
    ck_assert_int_eq(naxd_limiter_new(&l, 10, 5), 0);
    naxd_limit out;
    int64_t t0 = 1000 * SEC;
    for (uint32_t i = 0; i < 5; i++) {
        naxd_limiter_take(l, "k", t0, &out);
        ck_assert_int_eq(out.allowed, 1);
        ck_assert_uint_eq(out.limit, 5);
        ck_assert_uint_eq(out.remaining, 4 - i);
    }
    naxd_limiter_take(l, "k", t0, &out);
    ck_assert_int_eq(out.allowed, 0);
    ck_assert_uint_eq(out.remaining, 0);
    ck_assert_uint_eq(out.retry_after_s, 1); /* 0.1 s to the next token, rounded up */
    ck_assert_uint_eq(out.reset_s, 1);       /* 5 tokens at 10/s: 0.5 s, rounded up */
    /* 99 ms later: still not a whole token. */
    naxd_limiter_take(l, "k", t0 + 99 * MS, &out);
    ck_assert_int_eq(out.allowed, 0);
    /* 100 ms after the start one token has come back. */
    naxd_limiter_take(l, "k", t0 + 100 * MS, &out);
    ck_assert_int_eq(out.allowed, 1);
    ck_assert_uint_eq(out.remaining, 0);
    naxd_limiter_take(l, "k", t0 + 100 * MS, &out);
    ck_assert_int_eq(out.allowed, 0);
    /* Long idle refills to the burst, never beyond. */
    naxd_limiter_take(l, "k", t0 + 3600 * SEC, &out);
    ck_assert_int_eq(out.allowed, 1);
    ck_assert_uint_eq(out.remaining, 4);
    /* A clock going backwards refills nothing and breaks nothing. */
    naxd_limiter_take(l, "k", t0, &out);
    ck_assert_int_eq(out.allowed, 1);
    ck_assert_uint_eq(out.remaining, 3);
    naxd_limiter_free(l);
}
END_TEST

START_TEST(steady_rate_is_the_configured_rate)
{
    naxd_limiter *l;
    ck_assert_int_eq(naxd_limiter_new(&l, 2, 1), 0);
    naxd_limit out;
    int allowed = 0;
    /* 10 s of requests every 50 ms: one at start plus 2 per second. */
    for (int64_t t = 0; t <= 10 * SEC; t += 50 * MS) {
        naxd_limiter_take(l, "steady", t, &out);
        allowed += out.allowed;
        if (!out.allowed)
            ck_assert_uint_ge(out.retry_after_s, 1);
    }
    ck_assert_int_eq(allowed, 21);
    naxd_limiter_free(l);
}
END_TEST

START_TEST(keys_are_independent)
{
    naxd_limiter *l;
    ck_assert_int_eq(naxd_limiter_new(&l, 1, 2), 0);
    naxd_limit out;
    naxd_limiter_take(l, "a", 0, &out);
    naxd_limiter_take(l, "a", 0, &out);
    naxd_limiter_take(l, "a", 0, &out);
    ck_assert_int_eq(out.allowed, 0);
    naxd_limiter_take(l, "b", 0, &out);
    ck_assert_int_eq(out.allowed, 1);
    ck_assert_uint_eq(out.remaining, 1);
    ck_assert_uint_eq(naxd_limiter_keys(l), 2);
    naxd_limiter_free(l);
}
END_TEST

START_TEST(the_key_cap_evicts_the_least_recently_used)
{
    naxd_limiter *l;
    ck_assert_int_eq(naxd_limiter_new(&l, 1, 3), 0);
    naxd_limiter_set_max_keys(l, 100);
    naxd_limit out;
    /* "hot" is drained, then kept in use while 1000 other keys pass. */
    for (int i = 0; i < 3; i++)
        naxd_limiter_take(l, "hot", 0, &out);
    char key[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "ip-%d", i);
        naxd_limiter_take(l, key, 0, &out);
        ck_assert_int_eq(out.allowed, 1);
        ck_assert_uint_le(naxd_limiter_keys(l), 100);
        if (i % 50 == 0) {
            naxd_limiter_take(l, "hot", 0, &out);
            ck_assert_msg(!out.allowed, "the hot key was evicted and forgot its bucket");
        }
    }
    ck_assert_uint_eq(naxd_limiter_keys(l), 100);
    /* An old key was evicted: it starts again with a full bucket. */
    naxd_limiter_take(l, "ip-0", 0, &out);
    ck_assert_int_eq(out.allowed, 1);
    ck_assert_uint_eq(out.remaining, 2);
    /* Lowering the cap evicts at once. */
    naxd_limiter_set_max_keys(l, 10);
    ck_assert_uint_eq(naxd_limiter_keys(l), 10);
    naxd_limiter_free(l);
}
END_TEST

START_TEST(bad_parameters_are_refused)
{
    naxd_limiter *l = (naxd_limiter *)1;
    ck_assert_int_eq(naxd_limiter_new(&l, 0, 10), NAX_EINVAL);
    ck_assert_ptr_null(l);
    ck_assert_int_eq(naxd_limiter_new(&l, 10, 0.5), NAX_EINVAL);
    ck_assert_int_eq(naxd_limiter_new(&l, -1, 10), NAX_EINVAL);
    naxd_limiter_free(NULL);
}
END_TEST

/* ---- allocation failures ---- */

static long fail_at, attempts, live;

static void *count_malloc(size_t size, void *ud)
{
    (void)ud;
    if (fail_at && ++attempts == fail_at)
        return NULL;
    void *p = malloc(size);
    if (p)
        live++;
    return p;
}

static void *count_realloc(void *ptr, size_t size, void *ud)
{
    (void)ud;
    if (fail_at && ++attempts == fail_at)
        return NULL;
    void *p = realloc(ptr, size);
    if (p && !ptr)
        live++;
    return p;
}

static void count_free(void *ptr, void *ud)
{
    (void)ud;
    if (ptr)
        live--;
    free(ptr);
}

START_TEST(allocation_failures_are_clean)
{
    nax_allocator a = {NAX_ALLOCATOR_VERSION, count_malloc, count_realloc, count_free, NULL};
    ck_assert_int_eq(nax_global_init(&a), 0);
    for (long k = 1; k < 400; k++) {
        fail_at = k;
        attempts = 0;
        live = 0;
        naxd_limiter *l;
        int rc = naxd_limiter_new(&l, 5, 5);
        if (rc) {
            ck_assert_int_eq(rc, NAX_ENOMEM);
            ck_assert_int_eq(live, 0);
            continue;
        }
        naxd_limit out;
        char key[32];
        for (int i = 0; i < 300; i++) {
            snprintf(key, sizeof(key), "k%d", i);
            naxd_limiter_take(l, key, 0, &out);
            ck_assert_int_eq(out.allowed, 1); /* a bucket it could not make fails open */
        }
        naxd_limiter_free(l);
        ck_assert_int_eq(live, 0);
    }
    fail_at = 0;
    nax_global_shutdown();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("http_ratelimit");
    TCase *tc = tcase_create("ratelimit");
    tcase_add_test(tc, burst_then_refill);
    tcase_add_test(tc, steady_rate_is_the_configured_rate);
    tcase_add_test(tc, keys_are_independent);
    tcase_add_test(tc, the_key_cap_evicts_the_least_recently_used);
    tcase_add_test(tc, bad_parameters_are_refused);
    tcase_add_test(tc, allocation_failures_are_clean);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

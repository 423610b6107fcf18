/*
 * The stream's id map (lib/stream/idset.c) with extra bytes beside each
 * value: they follow their key through growth, deletion (backward shift)
 * and the eviction of a bounded set, against a plain array model.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nax.h"
#include "stream/idset.h"

typedef struct extra {
    uint64_t a, b;
    char tag[8];
} extra;

static extra extra_of(int i)
{
    extra e;
    memset(&e, 0, sizeof e);
    e.a = (uint64_t)i * 7919u;
    e.b = ~(uint64_t)i;
    snprintf(e.tag, sizeof e.tag, "t%d", i % 100000);
    return e;
}

static void key_of(char *out, size_t size, int i)
{
    snprintf(out, size, "ord-%d", i);
}

static void setup(void)
{
    ck_assert_int_eq(nax_global_init(NULL), 0);
}

static void teardown(void)
{
    nax_global_shutdown();
}

static void expect(const nax__idset *s, int i, int held)
{
    char key[32];
    key_of(key, sizeof key, i);
    int64_t v = -1;
    extra got, want = extra_of(i);
    memset(&got, 0xee, sizeof got);
    ck_assert_int_eq(nax__idset_get_extra(s, key, &v, &got), held);
    if (!held)
        return;
    ck_assert_int_eq(v, i);
    ck_assert_mem_eq(&got, &want, sizeof got);
}

START_TEST(extra_follows_growth_and_deletion)
{
    nax__idset s;
    nax__idset_init_extra(&s, 0, sizeof(extra));
    char key[32];
    for (int i = 0; i < 3000; i++) {
        extra e = extra_of(i);
        key_of(key, sizeof key, i);
        ck_assert_int_eq(nax__idset_put_extra(&s, key, i, &e), 0);
    }
    /* Every other key removed: the clusters shift back. */
    for (int i = 0; i < 3000; i += 2) {
        key_of(key, sizeof key, i);
        nax__idset_remove(&s, key);
    }
    for (int i = 0; i < 3000; i++)
        expect(&s, i, i % 2);
    /* A put without extra bytes zeroes them; the plain get still works. */
    key_of(key, sizeof key, 1);
    ck_assert_int_eq(nax__idset_put(&s, key, 5), 0);
    extra got, zero;
    memset(&zero, 0, sizeof zero);
    int64_t v;
    ck_assert_int_eq(nax__idset_get_extra(&s, key, &v, &got), 1);
    ck_assert_int_eq(v, 5);
    ck_assert_mem_eq(&got, &zero, sizeof got);
    ck_assert_int_eq(nax__idset_get(&s, key, NULL), 1);
    nax__idset_dispose(&s);
    /* Disposed, it is empty and still keeps extra bytes. */
    ck_assert_int_eq(nax__idset_get(&s, key, NULL), 0);
    extra e = extra_of(9);
    key_of(key, sizeof key, 9);
    ck_assert_int_eq(nax__idset_put_extra(&s, key, 9, &e), 0);
    expect(&s, 9, 1);
    nax__idset_dispose(&s);
}
END_TEST

START_TEST(extra_follows_eviction)
{
    nax__idset s;
    nax__idset_init_extra(&s, 64, sizeof(extra));
    char key[32];
    for (int i = 0; i < 1000; i++) {
        extra e = extra_of(i);
        key_of(key, sizeof key, i);
        ck_assert_int_eq(nax__idset_put_extra(&s, key, i, &e), 0);
    }
    /* The newest 64 stay, with their own bytes. */
    for (int i = 0; i < 1000; i++)
        expect(&s, i, i >= 1000 - 64);
    nax__idset_dispose(&s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("idset");
    TCase *tc = tcase_create("idset");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, extra_follows_growth_and_deletion);
    tcase_add_test(tc, extra_follows_eviction);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

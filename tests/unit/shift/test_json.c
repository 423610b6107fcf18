/*
 * The JSON value tree of lib/shift: strict parsing (RFC 8259, no duplicate
 * names, bounded nesting), numbers kept as written, compact writing with
 * escapes, lookups and the builders, and allocation failure at every step.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "nax.h"
#include "shift/json.h"

/* Parse text that must be valid, write it back, compare with `want`. */
static void round_trip(const char *text, const char *want)
{
    nax__jv *v = NULL;
    int rc = nax__jv_parse(&v, text, strlen(text), 0);
    ck_assert_msg(rc == 0, "%s: %s", text, nax_error_last()->message);
    nax_buf out = NAX_BUF_INIT;
    ck_assert_int_eq(nax__jv_write(&out, v), 0);
    ck_assert_str_eq(out.data, want);
    nax_buf_dispose(&out);
    nax__jv_free(v);
}

static void rejected(const char *text, size_t len, const char *part)
{
    nax__jv *v = (nax__jv *)&v;
    int rc = nax__jv_parse(&v, text, len, 4);
    ck_assert_msg(rc == NAX_EJSON, "\"%s\" gave %d", text, rc);
    ck_assert_ptr_null(v);
    ck_assert_msg(strstr(nax_error_last()->message, part) != NULL, "\"%s\" not in \"%s\"", part,
                  nax_error_last()->message);
}

START_TEST(parse_and_write)
{
    round_trip(" { \"a\" : [ 1 , -0.50 , 1e400, true, false, null ], \"b\": {} , \"c\":[]} ",
               "{\"a\":[1,-0.50,1e400,true,false,null],\"b\":{},\"c\":[]}");
    round_trip("\"\\u00e9\\ud83d\\ude00\\n\\\"\\\\\\/\\u0001\"",
               "\"\xC3\xA9\xF0\x9F\x98\x80\\n\\\"\\\\/\\u0001\"");
    round_trip("123456789012345678901234567890.000000000000000000001",
               "123456789012345678901234567890.000000000000000000001");
    round_trip("[[[[]]]]", "[[[[]]]]");
    /* a NUL inside a string survives, with its length */
    nax__jv *v = NULL;
    ck_assert_int_eq(nax__jv_parse(&v, "\"a\\u0000b\"", 10, 0), 0);
    ck_assert_uint_eq(v->len, 3);
    nax_buf out = NAX_BUF_INIT;
    ck_assert_int_eq(nax__jv_write(&out, v), 0);
    ck_assert_str_eq(out.data, "\"a\\u0000b\"");
    nax_buf_dispose(&out);
    nax__jv_free(v);
}
END_TEST

START_TEST(strictness)
{
    rejected("", 0, "invalid JSON");
    rejected("   ", 3, "invalid JSON");
    rejected("{\"a\":1,}", 8, "invalid JSON");
    rejected("{\"a\":1} x", 9, "invalid JSON");
    rejected("{\"a\":1}{}", 9, "invalid JSON");
    rejected("[1,2", 4, "invalid JSON");
    rejected("// c\n1", 6, "invalid JSON");
    rejected("{\"a\":1,\"a\":2}", 13, "duplicate member \"a\"");
    rejected("{\"x\":{\"a\":1,\"b\":{\"a\":1,\"a\":2}}}", 31, "duplicate member");
    rejected("[[[[[1]]]]]", 11, "nested deeper than 4");
    rejected("\"\xC3\"", 3, "invalid JSON");
    rejected("\"a\tb\"", 5, "invalid JSON");
    rejected("\v1", 2, "control character");
    rejected("[1,\f2]", 6, "control character");
    rejected("01", 2, "invalid JSON");
    rejected("NaN", 3, "invalid JSON");
}
END_TEST

START_TEST(lookups_and_builders)
{
    nax__jv *v = NULL;
    const char *text = "{\"s\":\"x\",\"n\":2,\"o\":{\"k\":null}}";
    ck_assert_int_eq(nax__jv_parse(&v, text, strlen(text), 0), 0);
    ck_assert_str_eq(nax__jv_str(nax__jv_get(v, "s")), "x");
    ck_assert_ptr_null(nax__jv_str(nax__jv_get(v, "n")));
    ck_assert_int_eq(nax__jv_get(nax__jv_get(v, "o"), "k")->kind, NAX__JV_NULL);
    ck_assert_ptr_null(nax__jv_get(v, "missing"));
    ck_assert_ptr_null(nax__jv_get(nax__jv_get(v, "s"), "s")); /* not an object */
    ck_assert_ptr_null(nax__jv_get(NULL, "s"));

    nax__jv *copy = nax__jv_copy(v);
    ck_assert_ptr_nonnull(copy);
    nax__jv *list = nax__jv_new(NAX__JV_ARRAY, NULL, 0);
    ck_assert_int_eq(nax__jv_add(list, NULL, nax__jv_new(NAX__JV_STRING, "q\"", 2)), 0);
    nax__jv *t = nax__jv_new(NAX__JV_BOOL, NULL, 0);
    t->boolean = 1;
    ck_assert_int_eq(nax__jv_add(list, NULL, t), 0);
    ck_assert_int_eq(nax__jv_add(copy, "list", list), 0);
    ck_assert_int_eq(nax__jv_add(copy, "bad", NULL), NAX_ENOMEM);
    nax_buf out = NAX_BUF_INIT;
    ck_assert_int_eq(nax__jv_write(&out, copy), 0);
    ck_assert_str_eq(out.data,
                     "{\"s\":\"x\",\"n\":2,\"o\":{\"k\":null},\"list\":[\"q\\\"\",true]}");
    nax_buf_dispose(&out);
    nax__jv_free(copy);
    nax__jv_free(v);
    nax__jv_free(NULL);
}
END_TEST

/* ---- allocation failure ---- */

static long attempts, fail_at, live;

static void *t_malloc(size_t n, void *ud)
{
    (void)ud;
    if (fail_at && ++attempts == fail_at)
        return NULL;
    void *p = malloc(n);
    live += p != NULL;
    return p;
}

static void *t_realloc(void *p, size_t n, void *ud)
{
    (void)ud;
    if (fail_at && ++attempts == fail_at)
        return NULL;
    void *q = realloc(p, n);
    live += q && !p;
    return q;
}

static void t_free(void *p, void *ud)
{
    (void)ud;
    live -= p != NULL;
    free(p);
}

START_TEST(every_allocation_may_fail)
{
    static const nax_allocator a = {NAX_ALLOCATOR_VERSION, t_malloc, t_realloc, t_free, NULL};
    ck_assert_int_eq(nax_global_init(&a), 0);
    /* strings long enough that yajl's decode buffer grows several times */
    char *text = malloc(20000);
    int n = snprintf(text, 20000, "{\"k\":[1,2.5,\"\\n%0*d\",{\"x\":null,\"y\":[true]}],\"m\":\"",
                     9000, 7);
    for (int i = 0; i < 1000; i++)
        n += snprintf(text + n, (size_t)(20000 - n), "\\u00e9");
    snprintf(text + n, (size_t)(20000 - n), "\"}");
    for (long k = 1;; k++) {
        attempts = 0;
        live = 0;
        fail_at = k;
        nax__jv *v = NULL;
        int rc = nax__jv_parse(&v, text, strlen(text), 0);
        nax_buf out = NAX_BUF_INIT;
        if (!rc)
            rc = nax__jv_write(&out, v);
        fail_at = 0;
        nax_buf_dispose(&out);
        nax__jv_free(v);
        ck_assert_int_eq(live, 0);
        if (attempts < k) {
            ck_assert_int_eq(rc, 0);
            break;
        }
        ck_assert_int_eq(rc, NAX_ENOMEM);
    }
    free(text);
    nax_global_shutdown();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("shift_json");
    TCase *tc = tcase_create("json");
    tcase_add_test(tc, parse_and_write);
    tcase_add_test(tc, strictness);
    tcase_add_test(tc, lookups_and_builders);
    tcase_add_test(tc, every_allocation_may_fail);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

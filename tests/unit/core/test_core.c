/* Core: errors, global init and the allocator, buffers, logging and redaction. */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "nax.h"

/* ---- errors ---- */

START_TEST(error_last_never_null_and_starts_clear)
{
    nax_error_clear();
    const nax_error *e = nax_error_last();
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->code, NAX_OK);
    ck_assert_uint_eq(e->struct_size, sizeof(nax_error));
    ck_assert_str_eq(e->message, "");
    ck_assert_str_eq(e->field, "");
    ck_assert_str_eq(e->request_id, "");
}
END_TEST

START_TEST(error_set_carries_detail)
{
    int rc = nax__error_field(NAX_ESCHEMA, "bids[3][0]", "bids[3][0]: not a decimal");
    ck_assert_int_eq(rc, NAX_ESCHEMA);
    const nax_error *e = nax_error_last();
    ck_assert_int_eq(e->code, NAX_ESCHEMA);
    ck_assert_int_eq(e->klass, NAX_ERRCLASS_DATA);
    ck_assert_str_eq(e->field, "bids[3][0]");
    ck_assert_str_eq(e->message, "bids[3][0]: not a decimal");
    nax__error_http(503, "store_unavailable", "req-42", 1);
    ck_assert_int_eq(e->http_status, 503);
    ck_assert_str_eq(e->server_code, "store_unavailable");
    ck_assert_str_eq(e->request_id, "req-42");
    ck_assert_int_eq(e->transient, 1);
    /* A new error starts from a clean slate. */
    nax__error(NAX_EINVAL, "x");
    ck_assert_int_eq(e->http_status, 0);
    ck_assert_str_eq(e->request_id, "");
    ck_assert_str_eq(e->field, "");
}
END_TEST

START_TEST(error_message_is_truncated_not_overflowed)
{
    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    nax__error_field(NAX_EINVAL, big, "%s", big);
    const nax_error *e = nax_error_last();
    ck_assert_uint_lt(strlen(e->message), sizeof big - 1);
    ck_assert_uint_gt(strlen(e->message), 100);
    ck_assert_uint_lt(strlen(e->field), 200);
}
END_TEST

START_TEST(error_message_never_holds_secrets)
{
    nax__error(NAX_EBADREQUEST, "rejected body {\"email\":\"a@b.c\",\"password\":\"Hunter2!x\"}");
    ck_assert_ptr_null(strstr(nax_error_last()->message, "Hunter2"));
    ck_assert_ptr_nonnull(strstr(nax_error_last()->message, "a@b.c"));
}
END_TEST

static void *other_thread(void *arg)
{
    (void)arg;
    /* A fresh thread sees no error even though the main thread has one. */
    int clean = nax_error_last()->code == NAX_OK;
    nax__error(NAX_ETIMEOUT, "thread-local");
    return (void *)(intptr_t)clean;
}

START_TEST(error_is_thread_local)
{
    nax__error(NAX_EPARSE, "main");
    pthread_t t;
    void *res = NULL;
    ck_assert_int_eq(pthread_create(&t, NULL, other_thread, NULL), 0);
    ck_assert_int_eq(pthread_join(t, &res), 0);
    ck_assert_int_eq((int)(intptr_t)res, 1);
    ck_assert_int_eq(nax_error_last()->code, NAX_EPARSE);
    ck_assert_str_eq(nax_error_last()->message, "main");
}
END_TEST

START_TEST(strerror_covers_every_code)
{
    for (int code = 0; code >= -60; code--) {
        const char *s = nax_strerror(code);
        ck_assert_ptr_nonnull(s);
        if (nax_error_class_of(code) != NAX_ERRCLASS_NONE)
            ck_assert_str_ne(s, "unknown error");
    }
    ck_assert_str_eq(nax_strerror(NAX_ECIRCUIT_OPEN), "circuit breaker open");
    ck_assert_str_eq(nax_strerror(12345), "unknown error");
    ck_assert_int_eq(nax_error_class_of(NAX_ERATELIMIT), NAX_ERRCLASS_HTTP);
    ck_assert_int_eq(nax_error_class_of(NAX_ENOMEM), NAX_ERRCLASS_MEMORY);
}
END_TEST

START_TEST(error_codes_are_stable)
{
    /* These numbers are ABI: a failing assertion here means a renumbering. */
    ck_assert_int_eq(NAX_EINVAL, -2);
    ck_assert_int_eq(NAX_ENOMEM, -3);
    ck_assert_int_eq(NAX_EJSON, -10);
    ck_assert_int_eq(NAX_ESCHEMA, -11);
    ck_assert_int_eq(NAX_EUSER, -13);
    ck_assert_int_eq(NAX_ERECURSIVE, -14);
    ck_assert_int_eq(NAX_ECIRCUIT_OPEN, -40);
    ck_assert_int_eq(NAX_EIO, -43);
    ck_assert_int_eq(NAX_EOUTCOME_UNKNOWN, -44);
}
END_TEST

/* ---- allocator and global init ---- */

typedef struct counting {
    int mallocs, reallocs, frees;
} counting;

static void *cnt_malloc(size_t n, void *ud)
{
    ((counting *)ud)->mallocs++;
    return malloc(n);
}

static void *cnt_realloc(void *p, size_t n, void *ud)
{
    ((counting *)ud)->reallocs++;
    return realloc(p, n);
}

static void cnt_free(void *p, void *ud)
{
    if (p)
        ((counting *)ud)->frees++;
    free(p);
}

START_TEST(global_init_routes_allocations_and_is_refcounted)
{
    counting c = {0, 0, 0};
    nax_allocator a = {NAX_ALLOCATOR_VERSION, cnt_malloc, cnt_realloc, cnt_free, &c};
    ck_assert_int_eq(nax_global_init(&a), 0);
    ck_assert_int_eq(nax_global_init(NULL), 0); /* NULL joins the installed allocator */
    ck_assert_int_eq(nax_global_init(&a), 0);   /* identical allocator: fine */

    int before = c.mallocs;
    void *p = nax__malloc(10);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(c.mallocs, before + 1);
    nax__free(p);

    nax_allocator other = {NAX_ALLOCATOR_VERSION, cnt_malloc, cnt_realloc, cnt_free, NULL};
    ck_assert_int_eq(nax_global_init(&other), NAX_ESTATE);

    nax_global_shutdown();
    nax_global_shutdown();
    p = nax__malloc(10); /* still installed: one reference left */
    nax__free(p);
    ck_assert_int_eq(c.mallocs, before + 2);
    nax_global_shutdown();

    /* Last shutdown restores the C library's allocator. */
    int after = c.mallocs;
    p = nax__malloc(10);
    nax__free(p);
    ck_assert_int_eq(c.mallocs, after);
    nax_global_shutdown(); /* extra shutdown is a no-op */
}
END_TEST

START_TEST(global_init_rejects_bad_allocators)
{
    nax_allocator a = {99, cnt_malloc, cnt_realloc, cnt_free, NULL};
    ck_assert_int_eq(nax_global_init(&a), NAX_EVERSION);
    a.version = NAX_ALLOCATOR_VERSION;
    a.realloc = NULL;
    ck_assert_int_eq(nax_global_init(&a), NAX_EINVAL);
}
END_TEST

/* A new error may quote the previous one: its message and field are read
 * before the slot is reset. */
START_TEST(error_may_quote_the_previous_error)
{
    nax__error_field(NAX_EPARSE, "price", "bad digit at 3");
    const nax_error *e = nax_error_last();
    nax__error_field(NAX_ESCHEMA, e->field, "order: %s", e->message);
    ck_assert_int_eq(nax_error_last()->code, NAX_ESCHEMA);
    ck_assert_str_eq(nax_error_last()->message, "order: bad digit at 3");
    ck_assert_str_eq(nax_error_last()->field, "price");
}
END_TEST

START_TEST(calloc_checks_overflow)
{
    ck_assert_ptr_null(nax__calloc(SIZE_MAX / 2, 4));
    char *p = nax__calloc(4, 4);
    ck_assert_ptr_nonnull(p);
    for (int i = 0; i < 16; i++)
        ck_assert_int_eq(p[i], 0);
    nax__free(p);
}
END_TEST

START_TEST(version_matches_header)
{
    ck_assert_uint_eq(nax_version(), NAX_VERSION_NUMBER);
    ck_assert_str_eq(nax_version_string(), NAX_VERSION_STRING);
}
END_TEST

/* ---- buffers ---- */

START_TEST(buf_grows_and_stays_terminated)
{
    nax_buf b = NAX_BUF_INIT;
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(nax__buf_append_str(&b, "ab"), 0);
    ck_assert_uint_eq(b.len, 2000);
    ck_assert_int_eq(b.data[b.len], '\0');
    ck_assert_int_eq(nax__buf_printf(&b, "-%d-", 42), 0);
    ck_assert_str_eq(b.data + 2000, "-42-");
    nax__buf_reset(&b);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_ge(b.cap, 2005);
    nax_buf_dispose(&b);
    ck_assert_ptr_null(b.data);
    nax_buf_dispose(NULL);
}
END_TEST

/* ---- logging and redaction ---- */

static char *redact(const char *in)
{
    static char out[1024];
    size_t n = nax__redact(out, sizeof out, in);
    ck_assert_uint_eq(n, strlen(out));
    return out;
}

START_TEST(redact_headers)
{
    ck_assert_str_eq(redact("Authorization: Bearer eyJhbGciOi.x.y\r\nX-Request-Id: r1"),
                     "Authorization: [REDACTED]\r\nX-Request-Id: r1");
    ck_assert_str_eq(redact("GET /v1/orders\nx-nax-signature: abcdef0123\nHost: h"),
                     "GET /v1/orders\nx-nax-signature: [REDACTED]\nHost: h");
    ck_assert_str_eq(redact("webhook-signature: v1,abc v1,def"), "webhook-signature: [REDACTED]");
    ck_assert_str_eq(redact("Cookie: session=abc"), "Cookie: [REDACTED]");
    /* The API key id is not a secret; its signature is. */
    ck_assert_str_eq(redact("X-NAX-APIKEY: key-1"), "X-NAX-APIKEY: key-1");
}
END_TEST

START_TEST(redact_json_members)
{
    ck_assert_str_eq(redact("{\"email\":\"a@b.c\",\"password\":\"S3cret!pass\"}"),
                     "{\"email\":\"a@b.c\",\"password\":\"[REDACTED]\"}");
    ck_assert_str_eq(
        redact("{\"access_token\" : \"eyJ.a.b\", \"refresh_token\":\"r\\\"x\",\"expires_in\":900}"),
        "{\"access_token\" : \"[REDACTED]\", \"refresh_token\":\"[REDACTED]\",\"expires_in\":900}");
    ck_assert_str_eq(redact("{\"id\":\"k1\",\"secret\":\"s\",\"api_secret\":\"t\"}"),
                     "{\"id\":\"k1\",\"secret\":\"[REDACTED]\",\"api_secret\":\"[REDACTED]\"}");
    /* A TOTP code is a secret; an error code is not. */
    ck_assert_str_eq(redact("{\"code\":\"123456\"}"), "{\"code\":\"[REDACTED]\"}");
    ck_assert_str_eq(redact("{\"error\":{\"code\":\"invalid_price\"}}"),
                     "{\"error\":{\"code\":\"invalid_price\"}}");
    ck_assert_str_eq(redact("{\"totp_code\":123456}"), "{\"totp_code\":\"[REDACTED]\"}");
}
END_TEST

START_TEST(redact_params_and_bearer)
{
    ck_assert_str_eq(redact("POST /x?token=abc&pair=BTC-AUD"),
                     "POST /x?token=[REDACTED]&pair=BTC-AUD");
    ck_assert_str_eq(redact("grant password=hunter2 user=bob"),
                     "grant password=[REDACTED] user=bob");
    ck_assert_str_eq(redact("using bearer abc.def-ghi now"), "using bearer [REDACTED] now");
    ck_assert_str_eq(redact("nothing secret here: pair=BTC-AUD"),
                     "nothing secret here: pair=BTC-AUD");
    ck_assert_str_eq(redact(""), "");
}
END_TEST

START_TEST(redact_truncates_like_snprintf)
{
    char small[8];
    size_t n = nax__redact(small, sizeof small, "password=abcdef");
    ck_assert_uint_eq(n, strlen("password=[REDACTED]"));
    ck_assert_str_eq(small, "passwor");
}
END_TEST

typedef struct captured {
    int count;
    nax_log_level level;
    char text[512];
} captured;

static void capture(nax_log_level level, const char *msg, void *ud)
{
    captured *c = ud;
    c->count++;
    c->level = level;
    strncpy(c->text, msg, sizeof c->text - 1);
}

START_TEST(log_filters_by_level_and_redacts)
{
    captured c;
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(nax_log_set(capture, NAX_LOG_INFO, &c), 0);
    nax__log(NAX_LOG_DEBUG, "hidden %d", 1);
    ck_assert_int_eq(c.count, 0);
    nax__log(NAX_LOG_WARN, "Authorization: Bearer %s", "tok.en.x");
    ck_assert_int_eq(c.count, 1);
    ck_assert_int_eq(c.level, NAX_LOG_WARN);
    ck_assert_str_eq(c.text, "Authorization: [REDACTED]");
    ck_assert_int_eq(nax_log_set(NULL, NAX_LOG_TRACE, NULL), 0);
    nax__log(NAX_LOG_ERROR, "gone");
    ck_assert_int_eq(c.count, 1);
    ck_assert_int_eq(nax_log_set(capture, (nax_log_level)42, &c), NAX_EINVAL);
    ck_assert_str_eq(nax_log_level_name(NAX_LOG_WARN), "warn");
    ck_assert_str_eq(nax_log_level_name((nax_log_level)9), "unknown");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, error_last_never_null_and_starts_clear);
    tcase_add_test(tc, error_set_carries_detail);
    tcase_add_test(tc, error_message_is_truncated_not_overflowed);
    tcase_add_test(tc, error_message_never_holds_secrets);
    tcase_add_test(tc, error_is_thread_local);
    tcase_add_test(tc, strerror_covers_every_code);
    tcase_add_test(tc, error_codes_are_stable);
    tcase_add_test(tc, global_init_routes_allocations_and_is_refcounted);
    tcase_add_test(tc, global_init_rejects_bad_allocators);
    tcase_add_test(tc, error_may_quote_the_previous_error);
    tcase_add_test(tc, calloc_checks_overflow);
    tcase_add_test(tc, version_matches_header);
    tcase_add_test(tc, buf_grows_and_stays_terminated);
    tcase_add_test(tc, redact_headers);
    tcase_add_test(tc, redact_json_members);
    tcase_add_test(tc, redact_params_and_bearer);
    tcase_add_test(tc, redact_truncates_like_snprintf);
    tcase_add_test(tc, log_filters_by_level_and_redacts);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

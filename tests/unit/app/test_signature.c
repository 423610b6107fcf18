/* API-key request signatures without an app (server/app/authn.c
 * naxd__signature_verify): the timestamp and receive-window headers, the
 * window both ways, the server's start, the signature and the replay guard. */
#include <check.h>
#include <string.h>

#include "app/internal.h"

/* tests/unit/auth/test_signing.c's known answer: HMAC-SHA256 with
 * "nax-test-secret" over "1767225600123" "POST" "/v1/orders?pair=BTC-AUD"
 * and the body below. */
#define SECRET    "nax-test-secret"
#define TS        "1767225600123"
#define TS_MS     1767225600123LL
#define SIGNATURE "16bb02510944185fb969bed987a08c7c93ccf3bfc3961473839eb06b7166c4c0"
#define TARGET    "/v1/orders?pair=BTC-AUD"

static const char body[] = "{\"pair\":\"BTC-AUD\",\"side\":\"buy\"}";

static naxd_signed request(const char *ts, const char *sig, const char *window)
{
    naxd_signed s = {"ak_1", ts, sig, window, "POST", TARGET, body, strlen(body)};
    return s;
}

static naxd_sig_check at(int64_t now, naxd_map *seen)
{
    naxd_sig_check c = {SECRET, now, 5000, TS_MS - 3600000, seen};
    return c;
}

/* The refusal of s checked at now (no replay guard): its code and field. */
static void refused(naxd_signed s, int64_t now, int status, const char *code, const char *field)
{
    naxd_sig_check c = at(now, NULL);
    naxd_authn_fail f;
    memset(&f, 0, sizeof f);
    ck_assert_int_eq(naxd__signature_verify(&s, &c, &f), -1);
    ck_assert_int_eq(f.status, status);
    ck_assert_str_eq(f.code, code);
    ck_assert_str_eq(f.field, field);
    ck_assert_ptr_null(strstr(f.message, SECRET));
}

START_TEST(a_known_signature_inside_the_window_is_accepted_once)
{
    naxd_map seen;
    naxd_map_init(&seen);
    naxd_signed s = request(TS, SIGNATURE, NULL);
    naxd_sig_check c = at(TS_MS + 5000, &seen);
    naxd_authn_fail f;
    ck_assert_int_eq(naxd__signature_verify(&s, &c, &f), 0);
    ck_assert_uint_eq(naxd_map_count(&seen), 1);
    ck_assert_int_eq(naxd__signature_verify(&s, &c, &f), -1);
    ck_assert_str_eq(f.code, "replayed_request");
    ck_assert_str_eq(f.field, "X-NAX-SIGNATURE");
    /* without a guard nothing is remembered: the same request passes */
    c.seen = NULL;
    ck_assert_int_eq(naxd__signature_verify(&s, &c, &f), 0);
    naxd_map_dispose(&seen);
}
END_TEST

START_TEST(the_window_holds_both_ways)
{
    naxd_sig_check c = at(TS_MS - 5000, NULL);
    naxd_signed s = request(TS, SIGNATURE, NULL);
    naxd_authn_fail f;
    ck_assert_int_eq(naxd__signature_verify(&s, &c, &f), 0); /* 5 s ahead of the server */
    refused(s, TS_MS + 5001, 401, "timestamp_out_of_window", "X-NAX-TIMESTAMP");
    refused(s, TS_MS - 5001, 401, "timestamp_out_of_window", "X-NAX-TIMESTAMP");
    /* X-NAX-RECV-WINDOW widens it up to 60 s, no further */
    s = request(TS, SIGNATURE, "60000");
    c = at(TS_MS + 60000, NULL);
    ck_assert_int_eq(naxd__signature_verify(&s, &c, &f), 0);
    refused(s, TS_MS + 60001, 401, "timestamp_out_of_window", "X-NAX-TIMESTAMP");
    refused(request(TS, SIGNATURE, "60001"), TS_MS, 400, "invalid_request", "X-NAX-RECV-WINDOW");
    refused(request(TS, SIGNATURE, "0"), TS_MS, 400, "invalid_request", "X-NAX-RECV-WINDOW");
    refused(request(TS, SIGNATURE, ""), TS_MS, 400, "invalid_request", "X-NAX-RECV-WINDOW");
    refused(request(TS, SIGNATURE, "5s"), TS_MS, 400, "invalid_request", "X-NAX-RECV-WINDOW");
}
END_TEST

START_TEST(a_timestamp_from_before_the_start_is_refused)
{
    naxd_signed s = request(TS, SIGNATURE, NULL);
    naxd_sig_check c = at(TS_MS, NULL);
    c.not_before_ms = TS_MS + 1;
    naxd_authn_fail f;
    ck_assert_int_eq(naxd__signature_verify(&s, &c, &f), -1);
    ck_assert_str_eq(f.code, "timestamp_out_of_window");
    c.not_before_ms = TS_MS;
    ck_assert_int_eq(naxd__signature_verify(&s, &c, &f), 0);
}
END_TEST

START_TEST(malformed_timestamps_are_refused)
{
    static const char *const bad[] = {"",
                                      "-1767225600123",
                                      "1767225600123.0",
                                      " 1767225600123",
                                      "1767225600123 ",
                                      "0x1a",
                                      "9999999999999999999",
                                      "+1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        refused(request(bad[i], SIGNATURE, NULL), TS_MS, 401, "invalid_signature",
                "X-NAX-TIMESTAMP");
}
END_TEST

START_TEST(any_changed_byte_is_refused)
{
    /* the signature: each position, and its case */
    for (size_t i = 0; i < 64; i++) {
        char sig[65];
        memcpy(sig, SIGNATURE, sizeof sig);
        sig[i] = sig[i] == '0' ? '1' : '0';
        refused(request(TS, sig, NULL), TS_MS, 401, "invalid_signature", "X-NAX-SIGNATURE");
    }
    refused(request(TS, "16BB02510944185FB969BED987A08C7C93CCF3BFC3961473839EB06B7166C4C0", NULL),
            TS_MS, 401, "invalid_signature", "X-NAX-SIGNATURE");
    refused(request(TS, "16bb0251", NULL), TS_MS, 401, "invalid_signature", "X-NAX-SIGNATURE");
    refused(request(TS, "", NULL), TS_MS, 401, "invalid_signature", "X-NAX-SIGNATURE");
    /* method, target, body and timestamp */
    naxd_signed s = request(TS, SIGNATURE, NULL);
    s.method = "PUT";
    refused(s, TS_MS, 401, "invalid_signature", "X-NAX-SIGNATURE");
    s = request(TS, SIGNATURE, NULL);
    s.target = "/v1/orders?pair=BTC-AUE";
    refused(s, TS_MS, 401, "invalid_signature", "X-NAX-SIGNATURE");
    s = request(TS, SIGNATURE, NULL);
    s.body_len--;
    refused(s, TS_MS, 401, "invalid_signature", "X-NAX-SIGNATURE");
    refused(request("1767225600124", SIGNATURE, NULL), TS_MS, 401, "invalid_signature",
            "X-NAX-SIGNATURE");
    /* another secret */
    s = request(TS, SIGNATURE, NULL);
    naxd_sig_check c = at(TS_MS, NULL);
    c.secret = "nax-test-secreT";
    naxd_authn_fail f;
    ck_assert_int_eq(naxd__signature_verify(&s, &c, &f), -1);
    ck_assert_str_eq(f.code, "invalid_signature");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("app_signature");
    TCase *tc = tcase_create("verify");
    tcase_add_test(tc, a_known_signature_inside_the_window_is_accepted_once);
    tcase_add_test(tc, the_window_holds_both_ways);
    tcase_add_test(tc, a_timestamp_from_before_the_start_is_refused);
    tcase_add_test(tc, malformed_timestamps_are_refused);
    tcase_add_test(tc, any_changed_byte_is_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

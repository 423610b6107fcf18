/* The public signing API (nax/auth.h): API-key request signatures and
 * Standard Webhooks signatures, known answers and every refusal. */
#include <stdio.h>

#include "auth_test.h"

/* ---- API-key requests ---- */

/* Produced once with Python:
 *   hmac.new(b"nax-test-secret", b"1767225600123" + b"POST" + b"/v1/orders?pair=BTC-AUD"
 *            + b'{"pair":"BTC-AUD","side":"buy"}', hashlib.sha256).hexdigest()
 * and the same with b"GET", b"/v1/wallets/balances" and no body. */
#define POST_SIGNATURE "16bb02510944185fb969bed987a08c7c93ccf3bfc3961473839eb06b7166c4c0"
#define GET_SIGNATURE  "a7676590707fec370a34be146885c16a64b0200234ae4f4e1474d7a949741926"

static const char order_body[] = "{\"pair\":\"BTC-AUD\",\"side\":\"buy\"}";

START_TEST(request_signature_known_answers)
{
    char sig[65];
    ck_assert_int_eq(nax_sign_request(sig, "nax-test-secret", "1767225600123", "POST",
                                      "/v1/orders?pair=BTC-AUD", order_body, strlen(order_body)),
                     0);
    ck_assert_str_eq(sig, POST_SIGNATURE);
    ck_assert_int_eq(nax_sign_request(sig, "nax-test-secret", "1767225600123", "GET",
                                      "/v1/wallets/balances", NULL, 0),
                     0);
    ck_assert_str_eq(sig, GET_SIGNATURE);
    /* The internal signer naxd checks with is the same function. */
    char internal[65];
    ck_assert_int_eq(nax__request_signature(internal, "nax-test-secret", "1767225600123", "GET",
                                            "/v1/wallets/balances", NULL, 0),
                     0);
    ck_assert_str_eq(internal, GET_SIGNATURE);
}
END_TEST

START_TEST(request_signature_covers_every_part)
{
    char base[65], sig[65];
    ck_assert_int_eq(nax_sign_request(base, "s", "1", "POST", "/v1/orders", "{}", 2), 0);
    ck_assert_int_eq(nax_sign_request(sig, "t", "1", "POST", "/v1/orders", "{}", 2), 0);
    ck_assert_str_ne(sig, base);
    ck_assert_int_eq(nax_sign_request(sig, "s", "2", "POST", "/v1/orders", "{}", 2), 0);
    ck_assert_str_ne(sig, base);
    ck_assert_int_eq(nax_sign_request(sig, "s", "1", "PUT", "/v1/orders", "{}", 2), 0);
    ck_assert_str_ne(sig, base);
    ck_assert_int_eq(nax_sign_request(sig, "s", "1", "POST", "/v1/orders?a=1", "{}", 2), 0);
    ck_assert_str_ne(sig, base);
    ck_assert_int_eq(nax_sign_request(sig, "s", "1", "POST", "/v1/orders", "{ }", 3), 0);
    ck_assert_str_ne(sig, base);
    /* Parts are concatenated without separators, as documented: moving a
     * byte from one part to the next signs the same bytes. */
    ck_assert_int_eq(nax_sign_request(sig, "s", "1P", "OST", "/v1/orders", "{}", 2), 0);
    ck_assert_str_eq(sig, base);
}
END_TEST

START_TEST(request_signature_refuses_bad_arguments)
{
    char sig[65] = "unchanged";
    ck_assert_int_eq(nax_sign_request(sig, NULL, "1", "GET", "/", NULL, 0), NAX_EINVAL);
    ck_assert_str_eq(sig, "");
    ck_assert_int_eq(nax_sign_request(sig, "s", NULL, "GET", "/", NULL, 0), NAX_EINVAL);
    ck_assert_int_eq(nax_sign_request(sig, "s", "1", NULL, "/", NULL, 0), NAX_EINVAL);
    ck_assert_int_eq(nax_sign_request(sig, "s", "1", "GET", NULL, NULL, 0), NAX_EINVAL);
    ck_assert_int_eq(nax_sign_request(sig, "s", "1", "POST", "/", NULL, 3), NAX_EINVAL);
    ck_assert_int_eq(nax_sign_request(sig, "s", "1", "post", "/", NULL, 0), NAX_EINVAL);
    ck_assert_int_eq(nax_error_last()->code, NAX_EINVAL);
    ck_assert_int_eq(nax_sign_request(sig, "s", "1", "", "/", NULL, 0), NAX_EINVAL);
    ck_assert_int_eq(nax_sign_request(NULL, "s", "1", "GET", "/", NULL, 0), NAX_EINVAL);
}
END_TEST

/* ---- webhooks ---- */

/* The example of the Standard Webhooks specification, recomputed once with
 * Python:
 *   key = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
 *   msg = b'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}'
 *   "v1," + base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode() */
#define WH_SECRET    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define WH_ID        "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define WH_TS        1614265330
#define WH_TS_TEXT   "1614265330"
#define WH_BODY      "{\"test\": 2432232314}"
#define WH_SIGNATURE "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

/* A second provider secret, for rotations. */
#define WH_SECRET2 "whsec_c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24tdGVzdHM="

static int verify_sigs(const char *const *secrets, size_t n, const char *ts, const char *sigs,
                       int64_t now)
{
    return nax_webhook_verify(secrets, n, WH_ID, ts, sigs, WH_BODY, strlen(WH_BODY), now,
                              NAX_WEBHOOK_TOLERANCE_S);
}

static int verify_one(const char *ts, const char *sigs, int64_t now)
{
    const char *secrets[] = {WH_SECRET};
    return verify_sigs(secrets, 1, ts, sigs, now);
}

static void expect_refusal(int rc, const char *server_code, const char *field)
{
    ck_assert_int_eq(rc, NAX_EAUTH);
    const nax_error *e = nax_error_last();
    ck_assert_int_eq(e->code, NAX_EAUTH);
    ck_assert_str_eq(e->server_code, server_code);
    ck_assert_str_eq(e->field, field);
    ck_assert_ptr_null(strstr(e->message, "MfKQ9r8")); /* no secret in the message */
}

START_TEST(webhook_sign_matches_the_specification_example)
{
    nax_buf b = NAX_BUF_INIT;
    ck_assert_int_eq(nax_webhook_sign(&b, WH_SECRET, WH_ID, WH_TS, WH_BODY, strlen(WH_BODY)), 0);
    ck_assert_str_eq(b.data, WH_SIGNATURE);
    nax_buf_dispose(&b);
}
END_TEST

START_TEST(webhook_verify_accepts_a_valid_message)
{
    nax_error_clear();
    ck_assert_int_eq(verify_one(WH_TS_TEXT, WH_SIGNATURE, WH_TS), 0);
    /* At the edges of the window, both ways. */
    ck_assert_int_eq(verify_one(WH_TS_TEXT, WH_SIGNATURE, WH_TS + 300), 0);
    ck_assert_int_eq(verify_one(WH_TS_TEXT, WH_SIGNATURE, WH_TS - 300), 0);
}
END_TEST

START_TEST(webhook_verify_refuses_a_bad_signature)
{
    /* One bit of the MAC changed. */
    expect_refusal(verify_one(WH_TS_TEXT, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=", WH_TS),
                   "invalid_signature", "webhook-signature");
    /* The right MAC for another body. */
    const char *secrets[] = {WH_SECRET};
    int rc = nax_webhook_verify(secrets, 1, WH_ID, WH_TS_TEXT, WH_SIGNATURE, "{\"test\": 1}", 11,
                                WH_TS, NAX_WEBHOOK_TOLERANCE_S);
    expect_refusal(rc, "invalid_signature", "webhook-signature");
    /* Another id. */
    rc = nax_webhook_verify(secrets, 1, "msg_other", WH_TS_TEXT, WH_SIGNATURE, WH_BODY,
                            strlen(WH_BODY), WH_TS, NAX_WEBHOOK_TOLERANCE_S);
    expect_refusal(rc, "invalid_signature", "webhook-signature");
    /* Another secret. */
    const char *other[] = {WH_SECRET2};
    expect_refusal(verify_sigs(other, 1, WH_TS_TEXT, WH_SIGNATURE, WH_TS), "invalid_signature",
                   "webhook-signature");
    /* Malformed entries. */
    const char *bad[] = {"",
                         "v1,",
                         "v1,not base64",
                         "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                         "v1 g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                         "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE",
                         "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1A==",
                         "V1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_refusal(verify_one(WH_TS_TEXT, bad[i], WH_TS), "invalid_signature",
                       "webhook-signature");
}
END_TEST

START_TEST(webhook_verify_refuses_stale_and_future_timestamps)
{
    expect_refusal(verify_one(WH_TS_TEXT, WH_SIGNATURE, WH_TS + 301), "timestamp_out_of_window",
                   "webhook-timestamp");
    expect_refusal(verify_one(WH_TS_TEXT, WH_SIGNATURE, WH_TS - 301), "timestamp_out_of_window",
                   "webhook-timestamp");
    /* A replay a day later, and a clock far off. */
    expect_refusal(verify_one(WH_TS_TEXT, WH_SIGNATURE, WH_TS + 86400), "timestamp_out_of_window",
                   "webhook-timestamp");
    expect_refusal(verify_one(WH_TS_TEXT, WH_SIGNATURE, INT64_MIN), "timestamp_out_of_window",
                   "webhook-timestamp");
    /* A custom tolerance. */
    const char *secrets[] = {WH_SECRET};
    ck_assert_int_eq(nax_webhook_verify(secrets, 1, WH_ID, WH_TS_TEXT, WH_SIGNATURE, WH_BODY,
                                        strlen(WH_BODY), WH_TS + 5, 5),
                     0);
    expect_refusal(nax_webhook_verify(secrets, 1, WH_ID, WH_TS_TEXT, WH_SIGNATURE, WH_BODY,
                                      strlen(WH_BODY), WH_TS + 6, 5),
                   "timestamp_out_of_window", "webhook-timestamp");
}
END_TEST

START_TEST(webhook_verify_refuses_malformed_timestamps)
{
    const char *bad[] = {"",
                         "-1614265330",
                         "+1614265330",
                         "1614265330.0",
                         "1614265330 ",
                         " 1614265330",
                         "1.6e9",
                         "0x60376ff2",
                         "1614265330000000000000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_refusal(verify_one(bad[i], WH_SIGNATURE, WH_TS), "timestamp_out_of_window",
                       "webhook-timestamp");
        ck_assert_ptr_nonnull(strstr(nax_error_last()->message, "not decimal seconds"));
    }
}
END_TEST

/* Key rotation: the sender signs with old and new secrets, the receiver
 * knows either or both. */
START_TEST(webhook_rotation_with_two_secrets_and_two_signatures)
{
    nax_buf both = NAX_BUF_INIT;
    ck_assert_int_eq(nax_webhook_sign(&both, WH_SECRET2, WH_ID, WH_TS, WH_BODY, strlen(WH_BODY)),
                     0);
    ck_assert_int_eq(nax__buf_append_str(&both, " "), 0);
    ck_assert_int_eq(nax_webhook_sign(&both, WH_SECRET, WH_ID, WH_TS, WH_BODY, strlen(WH_BODY)), 0);
    ck_assert_ptr_nonnull(strstr(both.data, WH_SIGNATURE));

    const char *old_only[] = {WH_SECRET};
    const char *new_only[] = {WH_SECRET2};
    const char *old_new[] = {WH_SECRET, WH_SECRET2};
    const char *new_old[] = {WH_SECRET2, WH_SECRET};
    ck_assert_int_eq(verify_sigs(old_only, 1, WH_TS_TEXT, both.data, WH_TS), 0);
    ck_assert_int_eq(verify_sigs(new_only, 1, WH_TS_TEXT, both.data, WH_TS), 0);
    ck_assert_int_eq(verify_sigs(old_new, 2, WH_TS_TEXT, both.data, WH_TS), 0);
    /* Only the old signature is sent; the receiver already knows both. */
    ck_assert_int_eq(verify_sigs(new_old, 2, WH_TS_TEXT, WH_SIGNATURE, WH_TS), 0);

    /* The new signature alone does not verify under the old secret. */
    nax_buf only_new = NAX_BUF_INIT;
    ck_assert_int_eq(
        nax_webhook_sign(&only_new, WH_SECRET2, WH_ID, WH_TS, WH_BODY, strlen(WH_BODY)), 0);
    expect_refusal(verify_sigs(old_only, 1, WH_TS_TEXT, only_new.data, WH_TS), "invalid_signature",
                   "webhook-signature");
    nax_buf_dispose(&both);
    nax_buf_dispose(&only_new);
}
END_TEST

START_TEST(webhook_other_versions_are_ignored)
{
    /* A v2 entry (with the v1 MAC in it) does not count; a v1 entry next to it does. */
    const char *v2_only = "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    expect_refusal(verify_one(WH_TS_TEXT, v2_only, WH_TS), "invalid_signature",
                   "webhook-signature");
    ck_assert_ptr_nonnull(strstr(nax_error_last()->message, "no v1"));
    char mixed[256];
    snprintf(mixed, sizeof mixed, "v1a,xyz v2,AAAA %s v3,ZZZZ", WH_SIGNATURE);
    ck_assert_int_eq(verify_one(WH_TS_TEXT, mixed, WH_TS), 0);
    /* Several spaces between entries are tolerated. */
    snprintf(mixed, sizeof mixed, "v1,AAAA   %s", WH_SIGNATURE);
    ck_assert_int_eq(verify_one(WH_TS_TEXT, mixed, WH_TS), 0);
}
END_TEST

START_TEST(webhook_refuses_bad_arguments_and_secrets)
{
    const char *good[] = {WH_SECRET};
    const char *bad_b64[] = {"whsec_not*base64"};
    const char *empty[] = {"whsec_"};
    const char *with_null[] = {WH_SECRET, NULL};
    ck_assert_int_eq(verify_sigs(bad_b64, 1, WH_TS_TEXT, WH_SIGNATURE, WH_TS), NAX_EINVAL);
    ck_assert_int_eq(verify_sigs(empty, 1, WH_TS_TEXT, WH_SIGNATURE, WH_TS), NAX_EINVAL);
    ck_assert_int_eq(verify_sigs(with_null, 2, WH_TS_TEXT, WH_SIGNATURE, WH_TS), NAX_EINVAL);
    ck_assert_int_eq(verify_sigs(good, 0, WH_TS_TEXT, WH_SIGNATURE, WH_TS), NAX_EINVAL);
    ck_assert_int_eq(verify_sigs(NULL, 1, WH_TS_TEXT, WH_SIGNATURE, WH_TS), NAX_EINVAL);
    ck_assert_int_eq(verify_sigs(good, 1, NULL, WH_SIGNATURE, WH_TS), NAX_EINVAL);
    ck_assert_int_eq(verify_sigs(good, 1, WH_TS_TEXT, NULL, WH_TS), NAX_EINVAL);
    ck_assert_int_eq(
        nax_webhook_verify(good, 1, NULL, WH_TS_TEXT, WH_SIGNATURE, WH_BODY, 1, WH_TS, 300),
        NAX_EINVAL);
    ck_assert_int_eq(
        nax_webhook_verify(good, 1, WH_ID, WH_TS_TEXT, WH_SIGNATURE, NULL, 1, WH_TS, 300),
        NAX_EINVAL);
    ck_assert_int_eq(nax_webhook_verify(good, 1, WH_ID, WH_TS_TEXT, WH_SIGNATURE, WH_BODY,
                                        strlen(WH_BODY), WH_TS, -1),
                     NAX_EINVAL);

    nax_buf b = NAX_BUF_INIT;
    ck_assert_int_eq(nax__buf_append_str(&b, "keep"), 0);
    ck_assert_int_eq(nax_webhook_sign(&b, "whsec_***", WH_ID, WH_TS, WH_BODY, 1), NAX_EINVAL);
    ck_assert_int_eq(nax_webhook_sign(&b, WH_SECRET, WH_ID, -1, WH_BODY, 1), NAX_EINVAL);
    ck_assert_int_eq(nax_webhook_sign(&b, WH_SECRET, NULL, WH_TS, WH_BODY, 1), NAX_EINVAL);
    ck_assert_int_eq(nax_webhook_sign(&b, WH_SECRET, WH_ID, WH_TS, NULL, 1), NAX_EINVAL);
    ck_assert_int_eq(nax_webhook_sign(NULL, WH_SECRET, WH_ID, WH_TS, WH_BODY, 1), NAX_EINVAL);
    ck_assert_str_eq(b.data, "keep"); /* untouched on failure */
    nax_buf_dispose(&b);
}
END_TEST

/* A secret without the whsec_ prefix is the key bytes themselves. */
START_TEST(webhook_key_of_raw_and_prefixed_secrets)
{
    unsigned char key[64];
    ck_assert_int_eq(nax__webhook_key(key, sizeof key, "whsec_Zm9vYmFy"), 6);
    ck_assert_mem_eq(key, "foobar", 6);
    ck_assert_int_eq(nax__webhook_key(key, sizeof key, "plain secret"), 12);
    ck_assert_mem_eq(key, "plain secret", 12);
    ck_assert_int_eq(nax__webhook_key(key, sizeof key, ""), -1);
    ck_assert_int_eq(nax__webhook_key(key, 3, "whsec_Zm9vYmFy"), -1);
    ck_assert_int_eq(nax__webhook_key(key, sizeof key, NULL), -1);
    /* Both spellings of the same key sign alike. */
    nax_buf a = NAX_BUF_INIT, b = NAX_BUF_INIT;
    ck_assert_int_eq(nax_webhook_sign(&a, "whsec_Zm9vYmFy", "id", 1, NULL, 0), 0);
    ck_assert_int_eq(nax_webhook_sign(&b, "foobar", "id", 1, NULL, 0), 0);
    ck_assert_str_eq(a.data, b.data);
    nax_buf_dispose(&a);
    nax_buf_dispose(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("auth_signing");
    TCase *req = tcase_create("request");
    tcase_add_test(req, request_signature_known_answers);
    tcase_add_test(req, request_signature_covers_every_part);
    tcase_add_test(req, request_signature_refuses_bad_arguments);
    suite_add_tcase(s, req);
    TCase *wh = tcase_create("webhook");
    tcase_add_test(wh, webhook_sign_matches_the_specification_example);
    tcase_add_test(wh, webhook_verify_accepts_a_valid_message);
    tcase_add_test(wh, webhook_verify_refuses_a_bad_signature);
    tcase_add_test(wh, webhook_verify_refuses_stale_and_future_timestamps);
    tcase_add_test(wh, webhook_verify_refuses_malformed_timestamps);
    tcase_add_test(wh, webhook_rotation_with_two_secrets_and_two_signatures);
    tcase_add_test(wh, webhook_other_versions_are_ignored);
    tcase_add_test(wh, webhook_refuses_bad_arguments_and_secrets);
    tcase_add_test(wh, webhook_key_of_raw_and_prefixed_secrets);
    suite_add_tcase(s, wh);
    return run_suite(s);
}

/*
 * Transport failures and what they say about the request: a stalled server
 * times out after the request was sent; a refused connection sent nothing;
 * a close or reset after reading the request may have acted on it; an
 * oversized body is a limit, not a network failure; https to a plain server
 * never succeeds. Messages name no header value, query or body.
 */
#include <stdio.h>
#include <string.h>

#include "nax.h"
#include "transport_test.h"

static mini_server *srv;
static nax__http *http;
static nax__http_response resp;

static void setup(void)
{
    srv = SERVER();
    http = TRANSPORT(mini_url(srv), 1);
    nax__http_response_init(&resp);
}

static void teardown(void)
{
    nax__http_response_dispose(&resp);
    nax__http_free(http);
    mini_stop(srv);
}

static void expect_failure(int rc, int code, int sent, int transient)
{
    const nax_error *e = nax_error_last();
    ck_assert_msg(rc == code, "got %d (%s), wanted %d", rc, e->message, code);
    ck_assert_int_eq(e->code, code);
    ck_assert_int_eq(resp.status, 0);
    ck_assert_int_eq(resp.sent, sent);
    ck_assert_int_eq(e->transient != 0, transient);
}

START_TEST(stalled_server_times_out_after_sending)
{
    mini_reply r = {MINI_STALL};
    mini_push(srv, &r);
    nax__http_request req = {"POST", "/v1/orders", NULL, 0, "{}", 2, 300};
    int rc = nax__http_perform(http, &req, &resp);
    expect_failure(rc, NAX_ETIMEOUT, 1, 1);
    ck_assert_uint_eq(mini_request_count(srv), 1);
    ck_assert_ptr_nonnull(strstr(nax_error_last()->message, "POST /v1/orders"));
}
END_TEST

START_TEST(refused_connection_sent_nothing)
{
    char url[64];
    int port = mini_closed_port();
    ck_assert_int_gt(port, 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    nax__http *h = TRANSPORT(url, 1);
    int rc = perform(h, "POST", "/v1/orders", NULL, 0, "{}", &resp);
    expect_failure(rc, NAX_ENETWORK, 0, 1);
    nax__http_free(h);
}
END_TEST

START_TEST(close_without_reply_may_have_been_acted_on)
{
    mini_reply r = {MINI_CLOSE};
    mini_push(srv, &r);
    int rc = perform(http, "POST", "/v1/orders", NULL, 0, "{\"pair\":\"BTC-AUD\"}", &resp);
    expect_failure(rc, NAX_ENETWORK, 1, 1);
    ck_assert_uint_eq(mini_request_count(srv), 1);
}
END_TEST

START_TEST(reset_after_request_may_have_been_acted_on)
{
    mini_reply r = {MINI_RESET};
    mini_push(srv, &r);
    int rc = perform(http, "DELETE", "/v1/orders/42", NULL, 0, NULL, &resp);
    expect_failure(rc, NAX_ENETWORK, 1, 1);
    ck_assert_uint_eq(mini_request_count(srv), 1);
}
END_TEST

START_TEST(transport_recovers_after_a_broken_connection)
{
    mini_reply r = {MINI_RESET};
    mini_push(srv, &r);
    ck_assert_int_eq(GET(http, "/first", &resp), NAX_ENETWORK);
    ck_assert_int_eq(GET(http, "/second", &resp), 0);
    ck_assert_int_eq(resp.status, 200);
    ck_assert_str_eq(resp.body.data, "/second");
    ck_assert_uint_eq(mini_connections(srv), 2);
}
END_TEST

/* A kept-alive connection whose next request the server reads, then drops. */
static void warm_then_drop(void)
{
    ck_assert_int_eq(GET(http, "/warm", &resp), 0);
    mini_reply drop = {MINI_CLOSE};
    mini_push(srv, &drop);
}

START_TEST(unsafe_request_is_not_resent_on_a_new_connection)
{
    warm_then_drop();
    int rc = perform(http, "POST", "/v1/orders", NULL, 0, "{\"pair\":\"BTC-AUD\"}", &resp);
    expect_failure(rc, NAX_ENETWORK, 1, 1);
    /* The POST reached the server once; curl's new connection carried nothing. */
    ck_assert_uint_eq(mini_request_count(srv), 2);
    ck_assert_int_eq(GET(http, "/after", &resp), 0);
    ck_assert_str_eq(resp.body.data, "/after");
}
END_TEST

START_TEST(get_is_resent_on_a_new_connection)
{
    warm_then_drop();
    ck_assert_int_eq(GET(http, "/again", &resp), 0);
    ck_assert_int_eq(resp.status, 200);
    ck_assert_str_eq(resp.body.data, "/again");
    ck_assert_uint_eq(mini_request_count(srv), 3);
    ck_assert_uint_eq(mini_connections(srv), 2);
}
END_TEST

START_TEST(body_over_the_limit)
{
    nax__http *h = transport_at(mini_url(srv), 1, 1024, __FILE__, __LINE__);
    char big[4097];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    mini_reply r = {MINI_ANSWER, 200, NULL, big};
    mini_push(srv, &r);
    int rc = GET(h, "/big", &resp);
    expect_failure(rc, NAX_ELIMIT, 1, 0);
    ck_assert_ptr_nonnull(strstr(nax_error_last()->message, "1024"));

    /* Exactly at the limit is fine, on the same transport. */
    big[1024] = '\0';
    mini_reply at_limit = {MINI_ANSWER, 200, NULL, big};
    mini_push(srv, &at_limit);
    ck_assert_int_eq(GET(h, "/exact", &resp), 0);
    ck_assert_uint_eq(resp.body.len, 1024);
    ck_assert_int_eq(memcmp(resp.body.data, big, 1024), 0);
    nax__http_free(h);
}
END_TEST

START_TEST(https_to_a_plain_server_fails)
{
    char url[64];
    snprintf(url, sizeof url, "https://127.0.0.1:%d", mini_port(srv));
    nax__http *h = TRANSPORT(url, 1);
    int rc = GET(h, "/v1/time", &resp);
    ck_assert_msg(rc == NAX_ETLS || rc == NAX_ENETWORK, "got %d: %s", rc,
                  nax_error_last()->message);
    ck_assert_int_eq(resp.status, 0);
    ck_assert_int_eq(resp.sent, 0);
    nax__http_free(h);
}
END_TEST

START_TEST(messages_carry_no_secrets)
{
    const char *const headers[] = {"Authorization: Bearer sekrit-token-123",
                                   "X-NAX-SIGNATURE: deadbeefcafe"};
    mini_reply r = {MINI_CLOSE};
    mini_push(srv, &r);
    int rc = perform(http, "POST", "/v1/orders?api_secret=qsecret", headers, 2,
                     "{\"password\":\"hunter2\"}", &resp);
    ck_assert_int_eq(rc, NAX_ENETWORK);
    const char *msg = nax_error_last()->message;
    ck_assert_ptr_nonnull(strstr(msg, "/v1/orders"));
    ck_assert_ptr_null(strstr(msg, "sekrit"));
    ck_assert_ptr_null(strstr(msg, "deadbeef"));
    ck_assert_ptr_null(strstr(msg, "qsecret"));
    ck_assert_ptr_null(strstr(msg, "hunter2"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("transport_failures");
    TCase *tc = tcase_create("failures");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, stalled_server_times_out_after_sending);
    tcase_add_test(tc, refused_connection_sent_nothing);
    tcase_add_test(tc, close_without_reply_may_have_been_acted_on);
    tcase_add_test(tc, reset_after_request_may_have_been_acted_on);
    tcase_add_test(tc, transport_recovers_after_a_broken_connection);
    tcase_add_test(tc, unsafe_request_is_not_resent_on_a_new_connection);
    tcase_add_test(tc, get_is_resent_on_a_new_connection);
    tcase_add_test(tc, body_over_the_limit);
    tcase_add_test(tc, https_to_a_plain_server_fails);
    tcase_add_test(tc, messages_carry_no_secrets);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

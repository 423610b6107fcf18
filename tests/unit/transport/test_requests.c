/*
 * Requests as the server sees them: method, target, headers and body arrive
 * intact for GET, POST, PUT and DELETE; status and body come back; bad
 * arguments are refused before anything is sent. The User-Agent goes out
 * once, right after Host, also through a proxy and in its CONNECT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nax.h"
#include "transport_test.h"

static mini_server *srv;
static nax__http *http;
static nax__http_response resp;

static void setup(void)
{
    srv = SERVER();
    http = TRANSPORT(mini_url(srv), 2);
    nax__http_response_init(&resp);
}

static void teardown(void)
{
    nax__http_response_dispose(&resp);
    nax__http_free(http);
    mini_stop(srv);
}

static void expect_header(const mini_request *r, const char *name, const char *want)
{
    char v[256];
    const char *got = mini_request_header(r, name, v, sizeof v);
    ck_assert_msg(got != NULL, "header %s missing", name);
    ck_assert_str_eq(got, want);
}

static const char *const custom_headers[] = {"X-Custom: one two", "Idempotency-Key: k-123",
                                             "Content-Type: application/json"};

START_TEST(get_sends_target_and_headers)
{
    mini_reply r = {MINI_ANSWER, 200, "Content-Type: application/json\r\n", "{\"ok\":true}"};
    mini_push(srv, &r);
    ck_assert_int_eq(
        perform(http, "GET", "/v1/markets/BTC-AUD/ticker?depth=5", custom_headers, 3, NULL, &resp),
        0);
    ck_assert_int_eq(resp.status, 200);
    ck_assert_uint_eq(resp.body.len, strlen("{\"ok\":true}"));
    ck_assert_str_eq(resp.body.data, "{\"ok\":true}");
    ck_assert_int_eq(resp.sent, 1);

    mini_request q = RECORDED(srv, 0);
    ck_assert_str_eq(q.method, "GET");
    ck_assert_str_eq(q.target, "/v1/markets/BTC-AUD/ticker?depth=5");
    expect_header(&q, "X-Custom", "one two");
    expect_header(&q, "Idempotency-Key", "k-123");
    expect_header(&q, "User-Agent", "nax-transport-test/1");
    ck_assert_uint_eq(q.body_len, 0);
    char v[64];
    ck_assert_ptr_null(mini_request_header(&q, "Content-Length", v, sizeof v));
    mini_request_free(&q);
}
END_TEST

/* Each body method carries its body and no Expect header. */
static void check_body_method(const char *method)
{
    const char *body = "{\"pair\":\"BTC-AUD\",\"price\":\"50000.00\"}";
    mini_reply r = {MINI_ANSWER, 201, NULL, "created"};
    mini_push(srv, &r);
    ck_assert_int_eq(perform(http, method, "/v1/orders", custom_headers, 3, body, &resp), 0);
    ck_assert_int_eq(resp.status, 201);
    ck_assert_str_eq(resp.body.data, "created");

    mini_request q = RECORDED(srv, mini_request_count(srv) - 1);
    ck_assert_str_eq(q.method, method);
    ck_assert_str_eq(q.target, "/v1/orders");
    ck_assert_uint_eq(q.body_len, strlen(body));
    ck_assert_str_eq(q.body, body);
    expect_header(&q, "Content-Type", "application/json");
    expect_header(&q, "Idempotency-Key", "k-123");
    char v[64];
    ck_assert_ptr_null(mini_request_header(&q, "Expect", v, sizeof v));
    mini_request_free(&q);
}

START_TEST(post_put_delete_carry_bodies)
{
    check_body_method("POST");
    check_body_method("PUT");
    check_body_method("DELETE");
}
END_TEST

START_TEST(methods_alternate_on_one_handle)
{
    /* Sequential requests take the same handle: each must forget the last one's method and body. */
    ck_assert_int_eq(perform(http, "POST", "/a", NULL, 0, "payload", &resp), 0);
    ck_assert_int_eq(GET(http, "/b", &resp), 0);
    ck_assert_int_eq(perform(http, "DELETE", "/c", NULL, 0, NULL, &resp), 0);
    ck_assert_int_eq(perform(http, "PUT", "/d", NULL, 0, NULL, &resp), 0);
    ck_assert_int_eq(GET(http, "/e", &resp), 0);
    const char *methods[] = {"POST", "GET", "DELETE", "PUT", "GET"};
    const size_t lens[] = {7, 0, 0, 0, 0};
    for (size_t i = 0; i < 5; i++) {
        mini_request q = RECORDED(srv, i);
        ck_assert_str_eq(q.method, methods[i]);
        ck_assert_uint_eq(q.body_len, lens[i]);
        mini_request_free(&q);
    }
    mini_request put = RECORDED(srv, 3);
    expect_header(&put, "Content-Length", "0"); /* PUT without a body still says so */
    mini_request_free(&put);
}
END_TEST

/* The handle keeps the URL and a GET's method options between requests and
 * sets them only on a change: repeats of one target, HEAD and POST between
 * GETs, then another target, each arrive as sent, with their own headers. */
START_TEST(repeated_targets_keep_method_body_and_headers)
{
    static const struct {
        const char *method, *target, *body, *id;
    } seq[] = {
        {"GET", "/t", NULL, "X-Id: 1"},  {"GET", "/t", NULL, "X-Id: 2"},
        {"HEAD", "/t", NULL, "X-Id: 3"}, {"GET", "/t", NULL, "X-Id: 4"},
        {"POST", "/t", "{}", "X-Id: 5"}, {"GET", "/t", NULL, "X-Id: 6"},
        {"GET", "/u", NULL, "X-Id: 7"},  {"PATCH", "/u", "x", "X-Id: 8"},
        {"GET", "/u", NULL, "X-Id: 9"},  {"GET", "/t", NULL, "X-Id: 10"},
    };
    const size_t n = sizeof seq / sizeof seq[0];
    for (size_t i = 0; i < n; i++) {
        const char *line[] = {seq[i].id};
        int rc = perform(http, seq[i].method, seq[i].target, line, 1, seq[i].body, &resp);
        ck_assert_msg(rc == 0, "request %zu (%s %s): %d %s", i, seq[i].method, seq[i].target, rc,
                      nax_error_last()->message);
    }
    for (size_t i = 0; i < n; i++) {
        mini_request q = RECORDED(srv, i);
        ck_assert_str_eq(q.method, seq[i].method);
        ck_assert_str_eq(q.target, seq[i].target);
        ck_assert_uint_eq(q.body_len, seq[i].body ? strlen(seq[i].body) : 0);
        expect_header(&q, "X-Id", seq[i].id + strlen("X-Id: "));
        mini_request_free(&q);
    }
}
END_TEST

START_TEST(binary_body_arrives_whole)
{
    char body[300];
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = (char)(i * 7);
    nax__http_request req = {"POST", "/bin", NULL, 0, body, sizeof body, TEST_TIMEOUT_MS};
    ck_assert_int_eq(nax__http_perform(http, &req, &resp), 0);
    mini_request q = RECORDED(srv, 0);
    ck_assert_uint_eq(q.body_len, sizeof body);
    ck_assert_int_eq(memcmp(q.body, body, sizeof body), 0);
    mini_request_free(&q);
}
END_TEST

START_TEST(large_body_goes_without_expect)
{
    /* curl asks "Expect: 100-continue" for large bodies unless told not to. */
    size_t len = 1536 * 1024;
    char *body = malloc(len + 1);
    ck_assert_ptr_nonnull(body);
    for (size_t i = 0; i < len; i++)
        body[i] = (char)('a' + i % 26);
    body[len] = '\0';
    ck_assert_int_eq(perform(http, "POST", "/large", NULL, 0, body, &resp), 0);
    ck_assert_int_eq(resp.status, 200);
    mini_request q = RECORDED(srv, 0);
    ck_assert_uint_eq(q.body_len, len);
    ck_assert_int_eq(memcmp(q.body, body, len), 0);
    char v[64];
    ck_assert_ptr_null(mini_request_header(&q, "Expect", v, sizeof v));
    mini_request_free(&q);
    free(body);
}
END_TEST

START_TEST(error_statuses_are_responses)
{
    mini_reply r = {MINI_ANSWER, 503, NULL, "{\"error\":{\"code\":\"unavailable\"}}"};
    mini_push(srv, &r);
    ck_assert_int_eq(GET(http, "/health", &resp), 0);
    ck_assert_int_eq(resp.status, 503);
    ck_assert_str_eq(resp.body.data, "{\"error\":{\"code\":\"unavailable\"}}");
    /* A later response replaces the body instead of appending to it. */
    ck_assert_int_eq(GET(http, "/x", &resp), 0);
    ck_assert_int_eq(resp.status, 200);
    ck_assert_str_eq(resp.body.data, "/x");
}
END_TEST

/* Dot segments reach the server as sent: the caller signed that target, and
 * a collapsed "/v1/orders/.." would be another request (DELETE /v1/). */
START_TEST(dot_segments_are_sent_as_is)
{
    static const char *const targets[] = {"/v1/orders/.", "/v1/orders/..", "/v1/./orders/x",
                                          "/v1/orders/../../admin?x=1"};
    for (size_t i = 0; i < sizeof targets / sizeof *targets; i++) {
        ck_assert_int_eq(perform(http, "DELETE", targets[i], NULL, 0, NULL, &resp), 0);
        ck_assert_int_eq(resp.status, 200);
        mini_request q = RECORDED(srv, i);
        ck_assert_str_eq(q.method, "DELETE");
        ck_assert_str_eq(q.target, targets[i]);
        mini_request_free(&q);
    }
}
END_TEST

START_TEST(redirects_are_not_followed)
{
    mini_reply r = {MINI_ANSWER, 302, "Location: /elsewhere\r\n", "moved"};
    mini_push(srv, &r);
    ck_assert_int_eq(GET(http, "/old", &resp), 0);
    ck_assert_int_eq(resp.status, 302);
    ck_assert_uint_eq(mini_request_count(srv), 1);
}
END_TEST

START_TEST(bad_requests_are_refused_before_sending)
{
    const char *const injected[] = {"X-Ok: 1", "X-Bad: a\r\nX-Evil: 1"};
    const char *const nameless[] = {": value"};
    ck_assert_int_eq(perform(http, "get", "/x", NULL, 0, NULL, &resp), NAX_EINVAL);
    ck_assert_int_eq(perform(http, "GET /x HTTP/1.1\r\n", "/x", NULL, 0, NULL, &resp), NAX_EINVAL);
    ck_assert_int_eq(perform(http, "GET", "x", NULL, 0, NULL, &resp), NAX_EINVAL);
    ck_assert_int_eq(perform(http, "GET", "/a b", NULL, 0, NULL, &resp), NAX_EINVAL);
    ck_assert_int_eq(perform(http, "GET", "/a\r\nX: 1", NULL, 0, NULL, &resp), NAX_EINVAL);
    ck_assert_int_eq(perform(http, "GET", "/x", injected, 2, NULL, &resp), NAX_EINVAL);
    ck_assert_int_eq(perform(http, "GET", "/x", nameless, 1, NULL, &resp), NAX_EINVAL);
    nax__http_request zero = {"GET", "/x", NULL, 0, NULL, 0, 0};
    ck_assert_int_eq(nax__http_perform(http, &zero, &resp), NAX_EINVAL);
    ck_assert_int_eq(resp.sent, 0);
    ck_assert_int_eq(resp.status, 0);
    ck_assert_uint_eq(mini_request_count(srv), 0);
    /* The transport still works afterwards. */
    ck_assert_int_eq(GET(http, "/after", &resp), 0);
    ck_assert_int_eq(resp.status, 200);
}
END_TEST

START_TEST(base_urls_are_checked)
{
    nax__http_config cfg = {0};
    cfg.connect_timeout_ms = 1000;
    cfg.max_connections = 1;
    nax__http *h = NULL;
    const char *bad[] = {"ftp://127.0.0.1/", "file:///etc/passwd", "not a url", "", "http://"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cfg.base_url = bad[i];
        ck_assert_msg(nax__http_new(&h, &cfg) == NAX_EINVAL, "accepted %s", bad[i]);
        ck_assert_ptr_null(h);
    }
    cfg.base_url = NULL;
    ck_assert_int_eq(nax__http_new(&h, &cfg), NAX_EINVAL);
    cfg.base_url = "http://127.0.0.1:1";
    cfg.max_connections = 0;
    ck_assert_int_eq(nax__http_new(&h, &cfg), NAX_EINVAL);
    cfg.max_connections = 1;
    cfg.connect_timeout_ms = 0;
    ck_assert_int_eq(nax__http_new(&h, &cfg), NAX_EINVAL);
    nax__http_free(NULL);
}
END_TEST

START_TEST(trailing_slash_of_base_url_is_dropped)
{
    char url[80];
    snprintf(url, sizeof url, "%s/", mini_url(srv));
    nax__http *h = TRANSPORT(url, 1);
    ck_assert_int_eq(GET(h, "/v1/time", &resp), 0);
    mini_request q = RECORDED(srv, 0);
    ck_assert_str_eq(q.target, "/v1/time");
    mini_request_free(&q);
    nax__http_free(h);
}
END_TEST

/* Occurrences of "\r\n<name>:" in a recorded header block. */
static int count_header(const mini_request *q, const char *name)
{
    char needle[64];
    snprintf(needle, sizeof needle, "\n%s:", name);
    int n = 0;
    for (const char *p = q->headers; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

START_TEST(user_agent_goes_once_after_host)
{
    static const char *const accept[] = {"Accept: application/json", "X-Request-Id: r-1"};
    mini_reply r = {MINI_ANSWER, 200, NULL, "{}"};
    mini_push(srv, &r);
    ck_assert_int_eq(perform(http, "GET", "/t", accept, 2, NULL, &resp), 0);
    mini_request q = RECORDED(srv, 0);
    /* The bytes curl sent when it added the User-Agent itself. */
    char want[256];
    snprintf(want, sizeof want,
             "Host: 127.0.0.1:%d\r\nUser-Agent: nax-transport-test/1\r\n"
             "Accept: application/json\r\nX-Request-Id: r-1\r\n",
             mini_port(srv));
    ck_assert_msg(!strncmp(q.headers, want, strlen(want)), "headers:\n%s", q.headers);
    mini_request_free(&q);
}
END_TEST

START_TEST(callers_user_agent_replaces_ours)
{
    static const char *const own[] = {"user-agent: mine/2"};
    mini_reply r = {MINI_ANSWER, 200, NULL, "{}"};
    mini_push(srv, &r);
    ck_assert_int_eq(perform(http, "GET", "/t", own, 1, NULL, &resp), 0);
    mini_request q = RECORDED(srv, 0);
    expect_header(&q, "User-Agent", "mine/2");
    ck_assert_int_eq(count_header(&q, "User-Agent") + count_header(&q, "user-agent"), 1);
    mini_request_free(&q);
}
END_TEST

static nax__http *through_proxy(const char *base_url)
{
    nax__http_config cfg = {0};
    cfg.base_url = base_url;
    cfg.connect_timeout_ms = TEST_TIMEOUT_MS;
    cfg.user_agent = "nax-transport-test/1";
    cfg.proxy = mini_url(srv);
    cfg.max_connections = 1;
    nax__http *h = NULL;
    ck_assert_int_eq(nax__http_new(&h, &cfg), 0);
    return h;
}

/* The mini server plays the proxy: it sees the absolute-form request, with
 * one User-Agent, and a tunnel's CONNECT carries one too. */
START_TEST(user_agent_reaches_a_proxy)
{
    nax__http *h = through_proxy("http://nax-test.invalid");
    mini_reply r = {MINI_ANSWER, 200, NULL, "{}"};
    mini_push(srv, &r);
    ck_assert_int_eq(GET(h, "/v1/time", &resp), 0);
    ck_assert_int_eq(resp.status, 200);
    nax__http_free(h);
    mini_request q = RECORDED(srv, 0);
    ck_assert_str_eq(q.target, "http://nax-test.invalid/v1/time");
    expect_header(&q, "User-Agent", "nax-transport-test/1");
    ck_assert_int_eq(count_header(&q, "User-Agent"), 1);
    mini_request_free(&q);

    h = through_proxy("https://nax-test.invalid");
    mini_reply refuse = {MINI_ANSWER, 403, NULL, NULL};
    mini_push(srv, &refuse);
    ck_assert_int_ne(GET(h, "/v1/time", &resp), 0); /* no tunnel, no answer */
    nax__http_free(h);
    q = RECORDED(srv, 1);
    ck_assert_str_eq(q.method, "CONNECT");
    ck_assert_str_eq(q.target, "nax-test.invalid:443");
    expect_header(&q, "User-Agent", "nax-transport-test/1");
    ck_assert_int_eq(count_header(&q, "User-Agent"), 1);
    mini_request_free(&q);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("transport_requests");
    TCase *tc = tcase_create("requests");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, get_sends_target_and_headers);
    tcase_add_test(tc, post_put_delete_carry_bodies);
    tcase_add_test(tc, methods_alternate_on_one_handle);
    tcase_add_test(tc, repeated_targets_keep_method_body_and_headers);
    tcase_add_test(tc, binary_body_arrives_whole);
    tcase_add_test(tc, large_body_goes_without_expect);
    tcase_add_test(tc, error_statuses_are_responses);
    tcase_add_test(tc, dot_segments_are_sent_as_is);
    tcase_add_test(tc, redirects_are_not_followed);
    tcase_add_test(tc, bad_requests_are_refused_before_sending);
    tcase_add_test(tc, base_urls_are_checked);
    tcase_add_test(tc, trailing_slash_of_base_url_is_dropped);
    tcase_add_test(tc, user_agent_goes_once_after_host);
    tcase_add_test(tc, callers_user_agent_replaces_ours);
    tcase_add_test(tc, user_agent_reaches_a_proxy);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* server/http: routing, parameters, the query and the rebuilt target, the
 * framework's 404/405/400 answers, request ids, request headers, error
 * bodies and the dispatch hook, against a real server on 127.0.0.1:0. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_test.h"

static test_server srv;

static void start_default(void)
{
    naxd_http_options o = test_options(&srv);
    server_start(&srv, &o);
}

/* GET path; status and the echo value of key into out. */
static long get_value(const char *path, const char *key, char *out, size_t cap)
{
    response r;
    http_request(NULL, srv.port, "GET", path, NULL, 0, NULL, &r);
    ck_assert_int_eq(r.rc, CURLE_OK);
    long status = r.status;
    const char *v = echo_value(r.body, key, out, cap);
    if (!v)
        out[0] = '\0';
    response_free(&r);
    return status;
}

START_TEST(methods_and_params_reach_the_right_route)
{
    start_default();
    char v[256];
    response r;
    static const char *const json[] = {"Content-Type: application/json", NULL};

    http_request(NULL, srv.port, "GET", "/v1/items/abc", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(echo_value(r.body, "route", v, sizeof(v)), "GET /v1/items/{id}");
    ck_assert_str_eq(echo_value(r.body, "p.id", v, sizeof(v)), "abc");
    ck_assert_str_eq(resp_header(&r, "X-Test", v, sizeof(v)), "echo");
    response_free(&r);

    http_request(NULL, srv.port, "PUT", "/v1/items/k-9", "{\"x\":1}", 7, json, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(echo_value(r.body, "method", v, sizeof(v)), "PUT");
    ck_assert_str_eq(echo_value(r.body, "p.id", v, sizeof(v)), "k-9");
    ck_assert_str_eq(echo_value(r.body, "body", v, sizeof(v)), "{\"x\":1}");
    ck_assert_str_eq(echo_value(r.body, "h.content-type", v, sizeof(v)), "application/json");
    response_free(&r);

    http_request(NULL, srv.port, "DELETE", "/v1/items/gone", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(echo_value(r.body, "route", v, sizeof(v)), "DELETE /v1/items/{id}");
    ck_assert_str_eq(echo_value(r.body, "body_len", v, sizeof(v)), "0");
    response_free(&r);

    http_request(NULL, srv.port, "POST", "/v1/echo", "hello", 5, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(echo_value(r.body, "method", v, sizeof(v)), "POST");
    ck_assert_str_eq(echo_value(r.body, "body", v, sizeof(v)), "hello");
    response_free(&r);

    /* An empty POST body with Content-Length: 0 is fine. */
    http_request(NULL, srv.port, "POST", "/v1/echo", "", 0, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(echo_value(r.body, "body_len", v, sizeof(v)), "0");
    response_free(&r);
    server_stop(&srv);
}
END_TEST

START_TEST(literal_segments_beat_parameters)
{
    start_default();
    char v[256];
    ck_assert_int_eq(get_value("/v1/items/special", "route", v, sizeof(v)), 200);
    ck_assert_str_eq(v, "GET /v1/items/special");
    ck_assert_int_eq(get_value("/v1/items/other", "route", v, sizeof(v)), 200);
    ck_assert_str_eq(v, "GET /v1/items/{id}");
    ck_assert_int_eq(get_value("/v1/items/x7/parts/wheel", "p.part", v, sizeof(v)), 200);
    ck_assert_str_eq(v, "wheel");
    ck_assert_int_eq(get_value("/v1/items/x7/parts/wheel", "p.id", v, sizeof(v)), 200);
    ck_assert_str_eq(v, "x7");
    /* A parameter never matches an empty segment or two segments. */
    response r;
    http_request(NULL, srv.port, "GET", "/v1/items/a/b", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 404);
    response_free(&r);
    server_stop(&srv);
}
END_TEST

START_TEST(query_and_params_are_percent_decoded)
{
    start_default();
    char v[256];
    const char *path = "/v1/echo?a=1&a=2&b=hello%20world&c=%E2%82%AC&d=x%2By&g=a+b&e=&f";
    ck_assert_int_eq(get_value(path, "qa", v, sizeof(v)), 200);
    ck_assert_str_eq(v, "1"); /* the first when repeated */
    get_value(path, "q.b", v, sizeof(v));
    ck_assert_str_eq(v, "hello world");
    get_value(path, "q.c", v, sizeof(v));
    ck_assert_str_eq(v, "\xE2\x82\xAC");
    get_value(path, "q.d", v, sizeof(v));
    ck_assert_str_eq(v, "x+y");
    get_value(path, "q.g", v, sizeof(v));
    ck_assert_str_eq(v, "a b"); /* form encoding: a raw + is a space */
    response r;
    http_request(NULL, srv.port, "GET", path, NULL, 0, NULL, &r);
    ck_assert_ptr_nonnull(strstr(r.body, "\nq.e=\n"));
    ck_assert_ptr_nonnull(strstr(r.body, "\nq.f=\n"));
    response_free(&r);
    get_value("/v1/items/a%20b", "p.id", v, sizeof(v));
    ck_assert_str_eq(v, "a b");
    /* lws decodes %2F before routing: a parameter cannot hold a slash. */
    http_request(NULL, srv.port, "GET", "/v1/items/a%2Fb", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 404);
    response_free(&r);
    server_stop(&srv);
}
END_TEST

START_TEST(target_is_the_request_line_as_sent)
{
    start_default();
    static const char *const exact[] = {
        "/v1/echo",
        "/v1/echo?pair=BTC-AUD&limit=10",
        "/v1/echo?cursor=abc%3D%3D&note=a%20b%2Cc",
        "/v1/echo?x=%E2%82%AC&y=%25&z=%2B",
        "/v1/echo?flag&empty=",
        "/v1/items/a%20b",
        "/v1/items/x.y_z~w/parts/1-2",
    };
    char v[512];
    for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
        ck_assert_int_eq(get_value(exact[i], "target", v, sizeof(v)), 200);
        ck_assert_str_eq(v, exact[i]);
    }
    /* Bytes a client left raw come back in the canonical form. */
    get_value("/v1/echo?pairs=BTC-AUD,ETH-AUD&t=a+b", "target", v, sizeof(v));
    ck_assert_str_eq(v, "/v1/echo?pairs=BTC-AUD%2CETH-AUD&t=a%20b");
    get_value("/v1/echo?pairs=BTC-AUD,ETH-AUD", "path", v, sizeof(v));
    ck_assert_str_eq(v, "/v1/echo");
    server_stop(&srv);
}
END_TEST

START_TEST(unknown_paths_and_methods_are_answered_by_the_framework)
{
    start_default();
    char v[256], id[128];
    response r;
    http_request(NULL, srv.port, "GET", "/v1/nothing/here?x=1", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 404);
    ck_assert_ptr_nonnull(resp_header(&r, "X-Request-Id", id, sizeof(id)));
    snprintf(v, sizeof(v),
             "{\"error\":{\"code\":\"not_found\",\"message\":\"no such resource\","
             "\"request_id\":\"%s\"}}",
             id);
    ck_assert_str_eq(r.body, v);
    ck_assert_str_eq(resp_header(&r, "Content-Type", v, sizeof(v)), "application/json");
    response_free(&r);

    http_request(NULL, srv.port, "PATCH", "/v1/items/abc", "{}", 2, NULL, &r);
    ck_assert_int_eq(r.status, 405);
    ck_assert_str_eq(resp_header(&r, "Allow", v, sizeof(v)), "GET, PUT, DELETE");
    ck_assert_ptr_nonnull(strstr(r.body, "\"code\":\"method_not_allowed\""));
    response_free(&r);

    /* The connection stays usable after a framework answer with a small body. */
    CURL *c = curl_easy_init();
    http_request(c, srv.port, "POST", "/v1/nope", "abc", 3, NULL, &r);
    ck_assert_int_eq(r.status, 404);
    response_free(&r);
    http_request(c, srv.port, "GET", "/v1/echo", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(r.connects, 0);
    response_free(&r);
    curl_easy_cleanup(c);
    server_stop(&srv);
}
END_TEST

START_TEST(head_gets_headers_only_and_the_connection_survives)
{
    start_default();
    int fd = raw_connect(srv.port);
    char buf[8192];
    size_t len;
    raw_send_str(fd, "HEAD /v1/echo HTTP/1.1\r\nHost: t\r\n\r\n");
    ck_assert_int_eq(raw_response(fd, buf, sizeof(buf), &len, 1), 405);
    ck_assert_ptr_nonnull(find_nocase(buf, "content-length: "));
    ck_assert_str_eq(strstr(buf, "\r\n\r\n"), "\r\n\r\n"); /* nothing after the head */
    raw_send_str(fd, "GET /v1/echo?a=z HTTP/1.1\r\nHost: t\r\n\r\n");
    ck_assert_int_eq(raw_response(fd, buf, sizeof(buf), &len, 0), 200);
    ck_assert_ptr_nonnull(strstr(buf, "\nqa=z\n"));
    close(fd);
    server_stop(&srv);
}
END_TEST

START_TEST(request_ids_are_echoed_when_sane_and_generated_otherwise)
{
    start_default();
    char v[256], w[256];
    response r;
    static const char *const sane[] = {"X-Request-Id: abc-123.XYZ_9", NULL};
    http_request(NULL, srv.port, "GET", "/v1/echo", NULL, 0, sane, &r);
    ck_assert_str_eq(resp_header(&r, "X-Request-Id", v, sizeof(v)), "abc-123.XYZ_9");
    ck_assert_str_eq(echo_value(r.body, "id", w, sizeof(w)), "abc-123.XYZ_9");
    response_free(&r);

    char long_id[100];
    memset(long_id, 'a', 65);
    long_id[65] = '\0';
    char line[128];
    snprintf(line, sizeof(line), "X-Request-Id: %s", long_id);
    const char *const too_long[] = {line, NULL};
    static const char *const bad[] = {"X-Request-Id: has space", NULL};
    const char *const *cases[] = {too_long, bad, NULL};
    char seen[4][256];
    for (int i = 0; i < 3; i++) {
        http_request(NULL, srv.port, "GET", "/v1/echo", NULL, 0, cases[i], &r);
        ck_assert_ptr_nonnull(resp_header(&r, "X-Request-Id", v, sizeof(v)));
        ck_assert_uint_eq(strlen(v), 20);
        ck_assert_int_eq(strncmp(v, "req_", 4), 0);
        ck_assert_uint_eq(strspn(v + 4, "0123456789abcdef"), 16);
        ck_assert_str_eq(echo_value(r.body, "id", w, sizeof(w)), v);
        snprintf(seen[i], sizeof(seen[i]), "%s", v);
        response_free(&r);
    }
    ck_assert_str_ne(seen[0], seen[1]);
    ck_assert_str_ne(seen[1], seen[2]);
    /* Exactly 64 characters is still sane. */
    long_id[64] = '\0';
    snprintf(line, sizeof(line), "X-Request-Id: %s", long_id);
    http_request(NULL, srv.port, "GET", "/v1/echo", NULL, 0, too_long, &r);
    ck_assert_str_eq(resp_header(&r, "X-Request-Id", v, sizeof(v)), long_id);
    response_free(&r);
    server_stop(&srv);
}
END_TEST

START_TEST(headers_are_found_by_any_case)
{
    start_default();
    char v[256];
    response r;
    static const char *const h[] = {"X-NAX-APIKEY: key-1",     "Idempotency-Key: idem-42",
                                    "x-nax-signature: abcdef", "Authorization: Bearer t0k",
                                    "X-Custom-Thing: extra",   "X-Unlisted: invisible",
                                    "User-Agent: tester/1",    NULL};
    http_request(NULL, srv.port, "GET", "/v1/echo", NULL, 0, h, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(echo_value(r.body, "h.x-nax-apikey", v, sizeof(v)), "key-1");
    ck_assert_str_eq(echo_value(r.body, "h.idempotency-key", v, sizeof(v)), "idem-42");
    ck_assert_str_eq(echo_value(r.body, "h.x-nax-signature", v, sizeof(v)), "abcdef");
    ck_assert_str_eq(echo_value(r.body, "h.authorization", v, sizeof(v)), "Bearer t0k");
    ck_assert_str_eq(echo_value(r.body, "h.x-custom-thing", v, sizeof(v)), "extra");
    ck_assert_str_eq(echo_value(r.body, "h.user-agent", v, sizeof(v)), "tester/1");
    ck_assert_str_eq(echo_value(r.body, "peer", v, sizeof(v)), "127.0.0.1");
    ck_assert_str_eq(echo_value(r.body, "tls", v, sizeof(v)), "0");
    response_free(&r);
    server_stop(&srv);
}
END_TEST

START_TEST(error_replies_have_the_contract_shape)
{
    start_default();
    char v[512], id[128];
    response r;
    http_request(NULL, srv.port, "GET", "/v1/error", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 422);
    ck_assert_ptr_nonnull(resp_header(&r, "X-Request-Id", id, sizeof(id)));
    snprintf(v, sizeof(v),
             "{\"error\":{\"code\":\"invalid_price\",\"message\":\"price 1.005 is not a tick "
             "multiple\",\"field\":\"price\",\"request_id\":\"%s\"}}",
             id);
    ck_assert_str_eq(r.body, v);
    response_free(&r);
    server_stop(&srv);
}
END_TEST

START_TEST(rate_limit_headers_are_added)
{
    ck_assert_int_eq(naxd_limiter_new(&test_limiter, 0.001, 2), 0);
    start_default();
    char v[64];
    response r;
    http_request(NULL, srv.port, "GET", "/v1/limited", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(resp_header(&r, "RateLimit-Limit", v, sizeof(v)), "2");
    ck_assert_str_eq(resp_header(&r, "RateLimit-Remaining", v, sizeof(v)), "1");
    ck_assert_ptr_null(resp_header(&r, "Retry-After", v, sizeof(v)));
    response_free(&r);
    http_request(NULL, srv.port, "GET", "/v1/limited", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(resp_header(&r, "RateLimit-Remaining", v, sizeof(v)), "0");
    response_free(&r);
    http_request(NULL, srv.port, "GET", "/v1/limited", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 429);
    ck_assert_str_eq(resp_header(&r, "RateLimit-Remaining", v, sizeof(v)), "0");
    ck_assert_ptr_nonnull(resp_header(&r, "Retry-After", v, sizeof(v)));
    ck_assert_int_gt(atoi(v), 900); /* one token per 1000 s */
    ck_assert_ptr_nonnull(resp_header(&r, "RateLimit-Reset", v, sizeof(v)));
    ck_assert_int_gt(atoi(v), 1900);
    response_free(&r);
    server_stop(&srv);
    naxd_limiter_free(test_limiter);
    test_limiter = NULL;
}
END_TEST

START_TEST(dispatch_hook_sees_every_routed_request)
{
    naxd_http_options o = test_options(&srv);
    o.dispatch = test_dispatch;
    atomic_store(&srv.dispatched, 0);
    server_start(&srv, &o);
    char v[64];
    ck_assert_int_eq(get_value("/v1/items/q", "p.id", v, sizeof(v)), 200);
    ck_assert_str_eq(v, "q");
    response r;
    http_request(NULL, srv.port, "GET", "/v1/missing", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 404);
    response_free(&r);
    ck_assert_int_eq(atomic_load(&srv.dispatched), 1);
    server_stop(&srv);
}
END_TEST

START_TEST(bad_request_lines_are_refused)
{
    start_default();
    char buf[8192];
    size_t len;
    int fd = raw_connect(srv.port);
    raw_send_str(fd, "GET /v1/echo?a=%01 HTTP/1.1\r\nHost: t\r\n\r\n");
    ck_assert_int_eq(raw_response(fd, buf, sizeof(buf), &len, 0), 400);
    ck_assert_ptr_nonnull(strstr(buf, "\"code\":\"invalid_request\""));
    ck_assert_int_eq(raw_closed(fd, 5000), 1);
    close(fd);

    /* Malformed percent-encoding never reaches a handler (lws refuses it). */
    fd = raw_connect(srv.port);
    raw_send_str(fd, "GET /v1/echo?a=%zz HTTP/1.1\r\nHost: t\r\n\r\n");
    int status = raw_response(fd, buf, sizeof(buf), &len, 0);
    ck_assert_msg(status != 200, "a malformed escape was accepted");
    close(fd);

    fd = raw_connect(srv.port);
    raw_send_str(fd, "GET /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 12x\r\n\r\n");
    ck_assert_int_eq(raw_response(fd, buf, sizeof(buf), &len, 0), 400);
    close(fd);
    server_stop(&srv);
}
END_TEST

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_ALL);
    Suite *s = suite_create("http_routing");
    TCase *tc = tcase_create("routing");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, methods_and_params_reach_the_right_route);
    tcase_add_test(tc, literal_segments_beat_parameters);
    tcase_add_test(tc, query_and_params_are_percent_decoded);
    tcase_add_test(tc, target_is_the_request_line_as_sent);
    tcase_add_test(tc, unknown_paths_and_methods_are_answered_by_the_framework);
    tcase_add_test(tc, head_gets_headers_only_and_the_connection_survives);
    tcase_add_test(tc, request_ids_are_echoed_when_sane_and_generated_otherwise);
    tcase_add_test(tc, headers_are_found_by_any_case);
    tcase_add_test(tc, error_replies_have_the_contract_shape);
    tcase_add_test(tc, rate_limit_headers_are_added);
    tcase_add_test(tc, dispatch_hook_sees_every_routed_request);
    tcase_add_test(tc, bad_request_lines_are_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    curl_global_cleanup();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* server/http: limits on what a client controls (body and header size,
 * bodies without a length, slow bodies, connection count), keep-alive, and
 * replies and bodies larger than one write. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http_test.h"
#include "http/metrics.h"

static test_server srv;

static void start_with(unsigned int idle_s, size_t max_headers, unsigned int max_conns)
{
    naxd_http_options o = test_options(&srv);
    o.idle_timeout_s = idle_s;
    o.max_header_bytes = max_headers;
    o.max_conns = max_conns;
    server_start(&srv, &o);
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

START_TEST(declared_body_over_the_limit_gets_413_at_once)
{
    start_with(0, 0, 0);
    char buf[8192];
    size_t len;
    /* Only the head is sent: the answer may not wait for the body. */
    int fd = raw_connect(srv.port);
    raw_send_str(fd, "POST /v1/upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n");
    ck_assert_int_eq(raw_response(fd, buf, sizeof(buf), &len, 0), 413);
    ck_assert_ptr_nonnull(strstr(buf, "\"code\":\"payload_too_large\""));
    ck_assert_ptr_nonnull(find_nocase(buf, "\r\nconnection: close\r\n"));
    ck_assert_int_eq(raw_closed(fd, 5000), 1);
    close(fd);

    /* The server default (1 MiB) applies to routes without their own. */
    fd = raw_connect(srv.port);
    raw_send_str(fd, "PUT /v1/items/x HTTP/1.1\r\nHost: t\r\nContent-Length: 1048577\r\n\r\n");
    ck_assert_int_eq(raw_response(fd, buf, sizeof(buf), &len, 0), 413);
    close(fd);

    /* Exactly the limit is accepted. */
    char *body = malloc(1025);
    memset(body, 'b', 1025);
    response r;
    http_request(NULL, srv.port, "POST", "/v1/upload", body, 1024, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    response_free(&r);
    http_request(NULL, srv.port, "POST", "/v1/upload", body, 1025, NULL, &r);
    ck_assert_int_eq(r.status, 413);
    response_free(&r);
    free(body);
    server_stop(&srv);
}
END_TEST

START_TEST(headers_over_the_limit_get_431)
{
    start_with(0, 1024, 0);
    char big[1600], line[1700];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    response r;

    snprintf(line, sizeof(line), "X-Nax-Fault: %.900s", big);
    const char *const fits[] = {line, NULL};
    http_request(NULL, srv.port, "GET", "/v1/echo", NULL, 0, fits, &r);
    ck_assert_int_eq(r.status, 200);
    response_free(&r);

    snprintf(line, sizeof(line), "X-Nax-Fault: %s", big);
    const char *const custom[] = {line, NULL};
    http_request(NULL, srv.port, "GET", "/v1/echo", NULL, 0, custom, &r);
    ck_assert_int_eq(r.status, 431);
    ck_assert_ptr_nonnull(strstr(r.body, "\"code\":\"headers_too_large\""));
    response_free(&r);

    snprintf(line, sizeof(line), "Referer: %s", big);
    const char *const known[] = {line, NULL};
    http_request(NULL, srv.port, "GET", "/v1/echo", NULL, 0, known, &r);
    ck_assert_int_eq(r.status, 431);
    response_free(&r);

    /* A long query counts too. */
    char path[1700];
    snprintf(path, sizeof(path), "/v1/echo?q=%s", big);
    http_request(NULL, srv.port, "GET", path, NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 431);
    response_free(&r);

    /* Far beyond lws's header table the connection is simply closed. */
    char *huge = malloc(40000);
    memset(huge, 'z', 39999);
    huge[39999] = '\0';
    memcpy(huge, "X-Whatever: ", 12);
    const char *const too_big[] = {huge, NULL};
    http_request(NULL, srv.port, "GET", "/v1/echo", NULL, 0, too_big, &r);
    ck_assert_int_ne(r.status, 200);
    response_free(&r);
    free(huge);

    /* The server still serves. */
    http_request(NULL, srv.port, "GET", "/v1/echo", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    response_free(&r);
    server_stop(&srv);
}
END_TEST

START_TEST(bodies_without_a_length_get_411)
{
    start_with(0, 0, 0);
    char buf[8192];
    size_t len;
    int fd = raw_connect(srv.port);
    raw_send_str(fd, "POST /v1/echo HTTP/1.1\r\nHost: t\r\n\r\n");
    ck_assert_int_eq(raw_response(fd, buf, sizeof(buf), &len, 0), 411);
    ck_assert_ptr_nonnull(strstr(buf, "\"code\":\"length_required\""));
    ck_assert_int_eq(raw_closed(fd, 5000), 1);
    close(fd);

    fd = raw_connect(srv.port);
    raw_send_str(fd, "POST /v1/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nhello\r\n0\r\n\r\n");
    ck_assert_int_eq(raw_response(fd, buf, sizeof(buf), &len, 0), 411);
    close(fd);
    server_stop(&srv);
}
END_TEST

START_TEST(keep_alive_reuses_one_connection)
{
    start_with(0, 0, 0);
    CURL *c = curl_easy_init();
    long connects = 0;
    response r;
    http_request(c, srv.port, "GET", "/v1/echo", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    connects += r.connects;
    response_free(&r);
    http_request(c, srv.port, "POST", "/v1/echo", "abc", 3, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    connects += r.connects;
    response_free(&r);
    http_request(c, srv.port, "PUT", "/v1/items/1", "{}", 2, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    connects += r.connects;
    response_free(&r);
    http_request(c, srv.port, "DELETE", "/v1/items/1", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    connects += r.connects;
    response_free(&r);
    http_request(c, srv.port, "GET", "/v1/after", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    connects += r.connects;
    response_free(&r);
    ck_assert_int_eq(connects, 1);
    curl_easy_cleanup(c);

    /* Two requests in one packet are answered in order. */
    int fd = raw_connect(srv.port);
    char buf[16384] = "";
    size_t have = 0;
    raw_send_str(fd, "GET /v1/echo?a=1 HTTP/1.1\r\nHost: t\r\n\r\n"
                     "GET /v1/echo?a=2 HTTP/1.1\r\nHost: t\r\n\r\n");
    for (int i = 0; i < 500 && !strstr(buf, "\nqa=2\n") && have + 1 < sizeof(buf); i++) {
        ssize_t n = recv(fd, buf + have, sizeof(buf) - have - 1, MSG_DONTWAIT);
        if (n > 0) {
            have += (size_t)n;
            buf[have] = '\0';
        } else {
            sleep_ms(10);
        }
    }
    const char *one = strstr(buf, "\nqa=1\n"), *two = strstr(buf, "\nqa=2\n");
    ck_assert_ptr_nonnull(one);
    ck_assert_ptr_nonnull(two);
    ck_assert_msg(one < two, "answers out of order");
    ck_assert_ptr_nonnull(strstr(strstr(buf, "HTTP/1.1 200") + 1, "HTTP/1.1 200"));
    close(fd);
    server_stop(&srv);
}
END_TEST

/* lws 4.1 cannot hold pipelined requests with bodies behind one being
 * answered (it would make the app thread spin): such a connection is closed,
 * and the server goes on serving everyone else and stops when asked. */
START_TEST(pipelined_requests_with_bodies_close_the_connection_not_the_server)
{
    start_with(0, 0, 0);
    int fd = raw_connect(srv.port);
    raw_send_str(fd, "POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
                     "POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\ndef"
                     "POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nghi");
    ck_assert_int_eq(raw_closed(fd, 5000), 1);
    close(fd);
    CURL *c = curl_easy_init();
    response r;
    http_request(c, srv.port, "GET", "/v1/echo", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    response_free(&r);
    curl_easy_cleanup(c);
    server_stop(&srv);
}
END_TEST

START_TEST(the_connection_header_is_honoured)
{
    start_with(0, 0, 0);
    char buf[8192];
    size_t len;
    int fd = raw_connect(srv.port);
    raw_send_str(fd, "GET /v1/echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    ck_assert_int_eq(raw_response(fd, buf, sizeof(buf), &len, 0), 200);
    ck_assert_ptr_nonnull(find_nocase(buf, "\r\nconnection: close\r\n"));
    ck_assert_int_eq(raw_closed(fd, 5000), 1);
    close(fd);

    /* HTTP/1.0 keeps the connection only when asked to, and says so. */
    fd = raw_connect(srv.port);
    raw_send_str(fd, "GET /v1/echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    ck_assert_int_eq(raw_response(fd, buf, sizeof(buf), &len, 0), 200);
    ck_assert_int_eq(strncmp(buf, "HTTP/1.0 200", 12), 0);
    ck_assert_ptr_nonnull(find_nocase(buf, "\r\nconnection: keep-alive\r\n"));
    raw_send_str(fd, "GET /v1/echo HTTP/1.0\r\n\r\n");
    ck_assert_int_eq(raw_response(fd, buf, sizeof(buf), &len, 0), 200);
    ck_assert_int_eq(raw_closed(fd, 5000), 1);
    close(fd);
    server_stop(&srv);
}
END_TEST

START_TEST(large_replies_and_bodies_arrive_intact)
{
    start_with(0, 0, 0);
    response r;
    http_request(NULL, srv.port, "GET", "/v1/big", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.len, BIG_BODY_LEN);
    size_t bad = 0;
    for (size_t i = 0; i < r.len; i++)
        bad += (unsigned char)r.body[i] != big_byte(i);
    ck_assert_uint_eq(bad, 0);
    response_free(&r);

    size_t n = 2 * 1024 * 1024 + 3;
    unsigned char *body = malloc(n);
    for (size_t i = 0; i < n; i++)
        body[i] = big_byte(i * 7);
    char expect[64];
    snprintf(expect, sizeof(expect), "%zu %lu", n, body_checksum(body, n));
    http_request(NULL, srv.port, "POST", "/v1/sum", (const char *)body, n, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, expect);
    response_free(&r);

    /* Expect: 100-continue is honoured before the body is sent. */
    int fd = raw_connect(srv.port);
    char buf[8192];
    size_t len;
    raw_send_str(fd, "POST /v1/sum HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                     "Expect: 100-continue\r\n\r\n");
    ck_assert_int_eq(raw_response(fd, buf, sizeof(buf), &len, 1), 100);
    raw_send_str(fd, "hello");
    ck_assert_int_eq(raw_response(fd, buf, sizeof(buf), &len, 0), 200);
    snprintf(expect, sizeof(expect), "5 %lu", body_checksum((const unsigned char *)"hello", 5));
    ck_assert_str_eq(strstr(buf, "\r\n\r\n") + 4, expect);
    close(fd);
    free(body);
    server_stop(&srv);
}
END_TEST

START_TEST(slow_bodies_are_cut_off)
{
    start_with(1, 0, 0);
    /* A client that stalls in the body. */
    int fd = raw_connect(srv.port);
    raw_send_str(fd, "POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789");
    ck_assert_int_eq(raw_closed(fd, 8000), 1);
    close(fd);

    /* A client that trickles its body never stalls long enough for an
     * idle timeout, but is cut off all the same. */
    fd = raw_connect(srv.port);
    raw_send_str(fd, "POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n");
    int cut = 0;
    for (int i = 0; i < 100 && !cut; i++) {
        if (send(fd, "x", 1, MSG_NOSIGNAL) != 1)
            cut = 1;
        else
            cut = raw_closed(fd, 200);
    }
    ck_assert_msg(cut, "a trickling client kept its connection");
    close(fd);

    /* The same for a client trickling its request head. */
    fd = raw_connect(srv.port);
    static const char head[] =
        "GET /v1/echo HTTP/1.1\r\nHost: t\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    cut = 0;
    for (size_t i = 0; i + 1 < sizeof(head) && !cut; i++) {
        if (send(fd, head + i, 1, MSG_NOSIGNAL) != 1)
            cut = 1;
        else
            cut = raw_closed(fd, 200);
    }
    ck_assert_msg(cut, "a client trickling its head kept its connection");
    close(fd);
    /* The request was never handed to the app, and is no longer in flight. */
    for (int i = 0; i < 500 && naxd_http_inflight(srv.h); i++)
        sleep_ms(10);
    ck_assert_uint_eq(naxd_http_inflight(srv.h), 0);
    server_stop(&srv);
}
END_TEST

static int64_t open_connections(void)
{
    return naxd_gauge_value(
        naxd_metrics_gauge(naxd_http_registry(srv.h), "naxd_http_connections", ""));
}

START_TEST(connections_beyond_the_limit_are_refused)
{
    start_with(0, 0, 2);
    char buf[8192];
    size_t len;
    int a = raw_connect(srv.port), b = raw_connect(srv.port);
    raw_send_str(a, "GET /v1/echo HTTP/1.1\r\nHost: t\r\n\r\n");
    ck_assert_int_eq(raw_response(a, buf, sizeof(buf), &len, 0), 200);
    raw_send_str(b, "GET /v1/echo HTTP/1.1\r\nHost: t\r\n\r\n");
    ck_assert_int_eq(raw_response(b, buf, sizeof(buf), &len, 0), 200);
    ck_assert_int_eq(open_connections(), 2);

    int c = raw_connect(srv.port);
    raw_send(c, "GET /v1/echo HTTP/1.1\r\nHost: t\r\n\r\n", 35);
    ck_assert_int_eq(raw_closed(c, 5000), 1);
    close(c);

    close(a);
    for (int i = 0; i < 500 && open_connections() != 1; i++)
        sleep_ms(10);
    ck_assert_int_eq(open_connections(), 1);
    int d = raw_connect(srv.port);
    raw_send_str(d, "GET /v1/echo HTTP/1.1\r\nHost: t\r\n\r\n");
    ck_assert_int_eq(raw_response(d, buf, sizeof(buf), &len, 0), 200);
    close(b);
    close(d);
    server_stop(&srv);
}
END_TEST

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_ALL);
    Suite *s = suite_create("http_limits");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, declared_body_over_the_limit_gets_413_at_once);
    tcase_add_test(tc, headers_over_the_limit_get_431);
    tcase_add_test(tc, bodies_without_a_length_get_411);
    tcase_add_test(tc, keep_alive_reuses_one_connection);
    tcase_add_test(tc, pipelined_requests_with_bodies_close_the_connection_not_the_server);
    tcase_add_test(tc, the_connection_header_is_honoured);
    tcase_add_test(tc, large_replies_and_bodies_arrive_intact);
    tcase_add_test(tc, slow_bodies_are_cut_off);
    tcase_add_test(tc, connections_beyond_the_limit_are_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    curl_global_cleanup();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

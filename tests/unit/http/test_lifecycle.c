/* server/http: replies given later (timer, another thread, a worker job),
 * requests whose client left, dropped connections, the graceful stop,
 * start-up errors, the access log, the metrics text, the WebSocket hand-off
 * and TLS; then the event loop's own timers, which must fire with no
 * traffic at all. */
#include <fcntl.h>
#include <libwebsockets.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "http_test.h"
#include "http/metrics.h"

static test_server srv;

static void start_default(void)
{
    naxd_http_options o = test_options(&srv);
    server_start(&srv, &o);
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static void wait_inflight(size_t n)
{
    for (int i = 0; i < 1000 && naxd_http_inflight(srv.h) != n; i++)
        sleep_ms(5);
    ck_assert_uint_eq(naxd_http_inflight(srv.h), n);
}

START_TEST(a_timer_can_answer_later)
{
    start_default();
    response r;
    http_request(NULL, srv.port, "GET", "/v1/after", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "late");
    response_free(&r);
    server_stop(&srv);
}
END_TEST

typedef struct client_job {
    int port;
    const char *path;
    response r;
} client_job;

static void *client_thread(void *arg)
{
    client_job *j = arg;
    http_request(NULL, j->port, "GET", j->path, NULL, 0, NULL, &j->r);
    return NULL;
}

START_TEST(another_thread_can_answer_through_post)
{
    start_default();
    int before = held_count();
    client_job j = {srv.port, "/v1/hold", {0}};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, client_thread, &j), 0);
    naxd_req *req = held_wait(before + 1);
    ck_assert_uint_eq(naxd_http_inflight(srv.h), 1);
    naxd_http_post(srv.h, reply_held, req);
    pthread_join(t, NULL);
    ck_assert_int_eq(j.r.status, 200);
    ck_assert_str_eq(j.r.body, "held");
    response_free(&j.r);
    wait_inflight(0);
    server_stop(&srv);
}
END_TEST

START_TEST(worker_jobs_finish_on_the_app_thread)
{
    start_default();
    response r;
    http_request(NULL, srv.port, "GET", "/v1/work", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    unsigned long x = 1;
    for (int i = 0; i < 100000; i++)
        x = x * 6364136223846793005ul + 1442695040888963407ul;
    char expect[64];
    snprintf(expect, sizeof(expect), "%lu 1", x);
    ck_assert_str_eq(r.body, expect);
    response_free(&r);
    server_stop(&srv);
}
END_TEST

typedef struct orphan_check {
    naxd_req *req;
    int orphaned;
} orphan_check;

static void check_orphaned(void *arg)
{
    orphan_check *c = arg;
    c->orphaned = naxd_req_orphaned(c->req);
}

/* Parks a request from a raw connection, closes it (with a reset when
 * asked), waits until the app sees it orphaned, then answers. */
static void orphan_round(int reset)
{
    int before = held_count();
    int fd = raw_connect(srv.port);
    raw_send_str(fd, "GET /v1/hold HTTP/1.1\r\nHost: t\r\n\r\n");
    orphan_check c = {held_wait(before + 1), 0};
    app_call(&srv, check_orphaned, &c);
    ck_assert_int_eq(c.orphaned, 0);
    if (reset) {
        struct linger l = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    }
    close(fd);
    for (int i = 0; i < 500 && !c.orphaned; i++) {
        sleep_ms(10);
        app_call(&srv, check_orphaned, &c);
    }
    ck_assert_int_eq(c.orphaned, 1);
    ck_assert_uint_eq(naxd_http_inflight(srv.h), 1); /* still owed a reply */
    app_call(&srv, reply_held, c.req);
    wait_inflight(0);
}

START_TEST(a_request_whose_client_left_lives_until_answered)
{
    start_default();
    orphan_round(0); /* FIN: seen by a peek at the socket */
    orphan_round(1); /* RST: lws closes the connection under the request */
    server_stop(&srv);
}
END_TEST

START_TEST(reply_drop_closes_without_a_response)
{
    start_default();
    response r;
    http_request(NULL, srv.port, "GET", "/v1/drop", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.rc, CURLE_GOT_NOTHING);
    response_free(&r);
    wait_inflight(0);
    http_request(NULL, srv.port, "GET", "/v1/echo", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    response_free(&r);
    server_stop(&srv);
}
END_TEST

static void noop(void *arg)
{
    (void)arg;
}

START_TEST(stop_drains_in_flight_requests_then_returns)
{
    start_default();
    char buf[8192];
    size_t len;
    /* An idle keep-alive connection... */
    int idle = raw_connect(srv.port);
    raw_send_str(idle, "GET /v1/echo HTTP/1.1\r\nHost: t\r\n\r\n");
    ck_assert_int_eq(raw_response(idle, buf, sizeof(buf), &len, 0), 200);
    /* ...and a request in flight. */
    int before = held_count();
    int busy = raw_connect(srv.port);
    raw_send_str(busy, "GET /v1/hold HTTP/1.1\r\nHost: t\r\n\r\n");
    naxd_req *req = held_wait(before + 1);

    naxd_http_stop(srv.h);
    app_call(&srv, noop, NULL); /* the app thread has seen the stop */
    ck_assert_int_eq(naxd_http_stopping(srv.h), 1);
    ck_assert_int_eq(atomic_load(&srv.returned), 0);

    /* New connections are refused. */
    int late = raw_connect(srv.port);
    raw_send_str(late, "GET /v1/echo HTTP/1.1\r\nHost: t\r\n\r\n");
    ck_assert_int_eq(raw_closed(late, 5000), 1);
    close(late);
    /* New requests on open connections get 503 and the connection closes. */
    raw_send_str(idle, "GET /v1/echo HTTP/1.1\r\nHost: t\r\n\r\n");
    ck_assert_int_eq(raw_response(idle, buf, sizeof(buf), &len, 0), 503);
    ck_assert_ptr_nonnull(find_nocase(buf, "\r\nretry-after: "));
    ck_assert_ptr_nonnull(strstr(buf, "\"code\":\"unavailable\""));
    ck_assert_int_eq(raw_closed(idle, 5000), 1);
    close(idle);
    /* The request in flight still holds run() up. */
    app_call(&srv, noop, NULL);
    ck_assert_int_eq(atomic_load(&srv.returned), 0);
    ck_assert_uint_eq(naxd_http_inflight(srv.h), 1);

    naxd_http_post(srv.h, reply_held, req);
    ck_assert_int_eq(raw_response(busy, buf, sizeof(buf), &len, 0), 200);
    ck_assert_str_eq(strstr(buf, "\r\n\r\n") + 4, "held");
    ck_assert_ptr_nonnull(find_nocase(buf, "\r\nconnection: close\r\n"));
    close(busy);
    server_join(&srv); /* run() returned by itself */
}
END_TEST

START_TEST(startup_errors_are_reported)
{
    start_default();
    naxd_http *h = NULL;
    naxd_http_options o = test_options(&srv);
    o.port = srv.port;
    ck_assert_int_eq(naxd_http_new(&h, &o), NAX_EIO);
    ck_assert_ptr_null(h);
    o.port = 0;
    o.tls_cert = "/nonexistent/cert.pem";
    ck_assert_int_eq(naxd_http_new(&h, &o), NAX_EINVAL); /* cert without key */
    o.tls_key = "/nonexistent/key.pem";
    ck_assert_int_eq(naxd_http_new(&h, &o), NAX_EIO);
    o.tls_cert = o.tls_key = NULL;
    o.routes = NULL;
    ck_assert_int_eq(naxd_http_new(&h, &o), NAX_EINVAL);
    server_stop(&srv);
}
END_TEST

START_TEST(the_access_log_has_one_json_line_per_request)
{
    char path[] = "/tmp/naxd-http-log-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    fflush(stdout);
    int saved = dup(1);
    dup2(fd, 1);

    naxd_http_options o = test_options(&srv);
    o.access_log = 1;
    o.dispatch = test_dispatch;
    server_start(&srv, &o);
    response r;
    static const char *const rid[] = {"X-Request-Id: log-1", NULL};
    http_request(NULL, srv.port, "GET", "/v1/items/7?token=secret", NULL, 0, rid, &r);
    ck_assert_int_eq(r.status, 200);
    size_t echo_len = r.len;
    response_free(&r);
    http_request(NULL, srv.port, "GET", "/v1/nope?password=hunter2", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 404);
    response_free(&r);
    server_stop(&srv);

    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    char text[4096] = {0};
    ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
    close(fd);
    unlink(path);
    ck_assert_int_gt(n, 0);
    ck_assert_ptr_null(strstr(text, "secret"));
    ck_assert_ptr_null(strstr(text, "hunter2"));
    char *second = strchr(text, '\n');
    ck_assert_ptr_nonnull(second);
    *second++ = '\0';
    ck_assert_int_eq(strncmp(text, "{\"ts\":", 6), 0);
    char expect[256];
    snprintf(expect, sizeof(expect),
             ",\"method\":\"GET\",\"route\":\"GET /v1/items/{id}\",\"status\":200,\"latency_ms\":");
    ck_assert_ptr_nonnull(strstr(text, expect));
    snprintf(expect, sizeof(expect),
             ",\"request_id\":\"log-1\",\"user\":\"tester\",\"peer\":\"127.0.0.1\",\"bytes\":%zu}",
             echo_len);
    ck_assert_ptr_nonnull(strstr(text, expect));
    ck_assert_ptr_nonnull(strstr(second, "\"route\":\"/v1/nope\",\"status\":404"));
    ck_assert_ptr_nonnull(strstr(second, "\"user\":null"));
    ck_assert_str_eq(strchr(second, '\n'), "\n");
}
END_TEST

START_TEST(metrics_text_has_the_http_series)
{
    start_default();
    naxd_counter *mine =
        naxd_metrics_counter(naxd_http_registry(srv.h), "test_things_total", "Things.");
    naxd_counter_add(mine, 3);
    response r;
    for (int i = 0; i < 3; i++) {
        http_request(NULL, srv.port, "GET", "/v1/items/1", NULL, 0, NULL, &r);
        response_free(&r);
    }
    http_request(NULL, srv.port, "GET", "/v1/missing", NULL, 0, NULL, &r);
    response_free(&r);
    http_request(NULL, srv.port, "GET", "/v1/metrics", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    const char *t = r.body;
    ck_assert_ptr_nonnull(strstr(t, "# TYPE naxd_http_requests_total counter\n"));
    ck_assert_ptr_nonnull(
        strstr(t, "\nnaxd_http_requests_total{route=\"GET /v1/items/{id}\",status=\"200\"} 3\n"));
    ck_assert_ptr_nonnull(
        strstr(t, "\nnaxd_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(t, "# TYPE naxd_http_request_duration_seconds histogram\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nnaxd_http_request_duration_seconds_bucket{route=\"GET "
                                    "/v1/items/{id}\",le=\"+Inf\"} 3\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nnaxd_http_request_duration_seconds_count{route=\"GET "
                                    "/v1/items/{id}\"} 3\n"));
    ck_assert_ptr_nonnull(strstr(t, "# TYPE naxd_http_connections gauge\nnaxd_http_connections "));
    ck_assert_ptr_nonnull(strstr(t, "\ntest_things_total 3\n"));
    response_free(&r);
    server_stop(&srv);
}
END_TEST

/* Every status a route answers is counted under its own label, also past
 * the few the server keeps at hand per route. */
START_TEST(metrics_count_many_statuses_of_one_route)
{
    start_default();
    static const int codes[] = {200, 201, 202, 203, 400, 404, 409, 422, 503};
    const int ncodes = (int)(sizeof codes / sizeof codes[0]);
    response r;
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < ncodes; i++) {
            for (int k = 0; k <= i % 3; k++) { /* 1, 2 or 3 requests a round */
                char path[64];
                snprintf(path, sizeof path, "/v1/status/%d", codes[i]);
                http_request(NULL, srv.port, "GET", path, NULL, 0, NULL, &r);
                ck_assert_int_eq(r.status, codes[i]);
                response_free(&r);
            }
        }
    }
    http_request(NULL, srv.port, "GET", "/v1/metrics", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    for (int i = 0; i < ncodes; i++) {
        char line[160];
        snprintf(line, sizeof line,
                 "\nnaxd_http_requests_total{route=\"GET /v1/status/{code}\",status=\"%d\"} %d\n",
                 codes[i], 2 * (i % 3 + 1));
        ck_assert_msg(strstr(r.body, line), "missing: %s", line + 1);
    }
    response_free(&r);
    server_stop(&srv);
}
END_TEST

/* Reply headers and bodies of every size come out whole: a few small ones
 * (all in the request's own memory), headers that outgrow it, a reply too
 * big to render there, on one keep-alive connection. */
START_TEST(replies_of_every_size_keep_their_headers)
{
    start_default();
    static const struct {
        int n, size, len;
    } cases[] = {{0, 0, 0},      {2, 10, 10},     {3, 40, 3000}, {1, 10, 5000},
                 {24, 500, 100}, {8, 1500, 9000}, {2, 10, 10}};
    CURL *c = curl_easy_init();
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        char path[128];
        snprintf(path, sizeof path, "/v1/headers?n=%d&size=%d&len=%d", cases[t].n, cases[t].size,
                 cases[t].len);
        response r;
        http_request(c, srv.port, "GET", path, NULL, 0, NULL, &r);
        ck_assert_int_eq(r.status, 200);
        ck_assert_uint_eq(r.len, (size_t)cases[t].len);
        for (int i = 0; i < cases[t].len; i++)
            ck_assert_int_eq(r.body[i], 'a' + i % 26);
        for (int i = 0; i < cases[t].n; i++) {
            char name[16], want[2048], got[4096];
            snprintf(name, sizeof name, "X-H%d", i);
            for (int k = 0; k < cases[t].size; k++)
                want[k] = (char)('0' + (i + k) % 10);
            want[cases[t].size] = '\0';
            const char *v = resp_header(&r, name, got, sizeof got);
            ck_assert_msg(v != NULL, "header %s missing in case %zu", name, t);
            ck_assert_str_eq(v, want);
        }
        response_free(&r);
    }
    curl_easy_cleanup(c);
    server_stop(&srv);
}
END_TEST

/* ---- WebSocket hand-off ---- */

static atomic_int ws_established, ws_pss_ok;
static char ws_received[64];
static atomic_int ws_received_len;

static int ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                       size_t len)
{
    (void)wsi;
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        memcpy(user, "pss", 4);
        atomic_fetch_add(&ws_established, 1);
        break;
    case LWS_CALLBACK_RECEIVE:
        if (user && memcmp(user, "pss", 4) == 0)
            atomic_store(&ws_pss_ok, 1);
        if (len < sizeof(ws_received)) {
            memcpy(ws_received, in, len);
            atomic_store(&ws_received_len, (int)len);
        }
        break;
    default: break;
    }
    return 0;
}

static const struct lws_protocols ws_protocol = {"nax-stream", ws_callback, 16, 1024, 0, NULL, 0};

START_TEST(websocket_upgrades_reach_the_stream_protocol)
{
    naxd_http_options o = test_options(&srv);
    o.ws_protocol = &ws_protocol;
    server_start(&srv, &o);
    char buf[8192];
    size_t len;
    int fd = raw_connect(srv.port);
    raw_send_str(fd, "GET /v1/stream HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n");
    ck_assert_int_eq(raw_response(fd, buf, sizeof(buf), &len, 1), 101);
    ck_assert_ptr_nonnull(strstr(buf, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    /* A masked text frame "hi". */
    unsigned char frame[] = {0x81, 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2};
    raw_send(fd, frame, sizeof(frame));
    for (int i = 0; i < 500 && atomic_load(&ws_received_len) == 0; i++)
        sleep_ms(10);
    ck_assert_int_eq(atomic_load(&ws_received_len), 2);
    ck_assert_int_eq(memcmp(ws_received, "hi", 2), 0);
    ck_assert_int_eq(atomic_load(&ws_established), 1);
    ck_assert_int_eq(atomic_load(&ws_pss_ok), 1);
    close(fd);

    /* Plain HTTP still works on the same port; upgrades elsewhere do not. */
    response r;
    http_request(NULL, srv.port, "GET", "/v1/echo", NULL, 0, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    response_free(&r);
    fd = raw_connect(srv.port);
    raw_send_str(fd, "GET /v1/echo HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n");
    ck_assert_int_eq(raw_closed(fd, 5000), 1);
    close(fd);
    server_stop(&srv);
}
END_TEST

/* ---- TLS ---- */

/* A self-signed EC certificate for 127.0.0.1 in dir; paths into cert/key. */
static void make_cert(const char *dir, char *cert, char *key, size_t cap)
{
    EVP_PKEY *pkey = EVP_EC_gen("P-256");
    ck_assert_ptr_nonnull(pkey);
    X509 *x = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, pkey);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"127.0.0.1", -1, -1,
                               0);
    X509_set_issuer_name(x, name);
    ck_assert_int_gt(X509_sign(x, pkey, EVP_sha256()), 0);
    snprintf(cert, cap, "%s/cert.pem", dir);
    snprintf(key, cap, "%s/key.pem", dir);
    FILE *f = fopen(cert, "w");
    ck_assert_ptr_nonnull(f);
    PEM_write_X509(f, x);
    fclose(f);
    f = fopen(key, "w");
    ck_assert_ptr_nonnull(f);
    PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL);
    fclose(f);
    X509_free(x);
    EVP_PKEY_free(pkey);
}

START_TEST(tls_serves_https)
{
    char dir[] = "/tmp/naxd-http-tls-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cert[256], key[256];
    make_cert(dir, cert, key, sizeof(cert));
    naxd_http_options o = test_options(&srv);
    o.tls_cert = cert;
    o.tls_key = key;
    server_start(&srv, &o);

    CURL *c = curl_easy_init();
    response r;
    memset(&r, 0, sizeof(r));
    char url[128];
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/v1/echo?a=tls", srv.port);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    FILE *out = tmpfile();
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
    long status = 0, version = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c, CURLINFO_HTTP_VERSION, &version);
    ck_assert_int_eq(status, 200);
    ck_assert_int_eq(version, CURL_HTTP_VERSION_1_1);
    char body[4096] = {0};
    rewind(out);
    size_t n = fread(body, 1, sizeof(body) - 1, out);
    ck_assert_uint_gt(n, 0);
    char v[64];
    ck_assert_str_eq(echo_value(body, "tls", v, sizeof(v)), "1");
    ck_assert_str_eq(echo_value(body, "qa", v, sizeof(v)), "tls");
    fclose(out);
    curl_easy_cleanup(c);
    server_stop(&srv);
    unlink(cert);
    unlink(key);
    rmdir(dir);
}
END_TEST

/* ---- the event loop without traffic ---- */

typedef struct timer_log {
    naxd_http *h;
    char order[8];
    int n;
} timer_log;

static void note_a(void *arg)
{
    timer_log *t = arg;
    t->order[t->n++] = 'a';
}

static void note_b_and_stop(void *arg)
{
    timer_log *t = arg;
    t->order[t->n++] = 'b';
    naxd_http_stop(t->h);
}

static int never_done(void *arg)
{
    (void)arg;
    return 0;
}

/* Timers set before run() must wake the loop by themselves: no connection
 * ever arrives. A loop that only re-arms its timer on I/O hangs here (the
 * test case's timeout fails it). */
START_TEST(timers_set_before_run_fire_without_traffic)
{
    naxd_http_options o = test_options(&srv);
    timer_log t = {0};
    ck_assert_int_eq(naxd_http_new(&t.h, &o), 0);
    ck_assert_int_eq(naxd_http_after(t.h, 20, note_b_and_stop, &t), 0);
    ck_assert_int_eq(naxd_http_after(t.h, 0, note_a, &t), 0);
    ck_assert_int_eq(naxd_http_run(t.h), 0);
    ck_assert_int_eq(t.n, 2);
    ck_assert_int_eq(memcmp(t.order, "ab", 2), 0);
    /* flush() bounds its wait with a timer set outside the loop, too. */
    ck_assert_int_eq(naxd_http_flush(t.h, 30, never_done, NULL), NAX_ETIMEOUT);
    naxd_http_free(t.h);
}
END_TEST

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_ALL);
    Suite *s = suite_create("http_lifecycle");
    TCase *tc = tcase_create("lifecycle");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, a_timer_can_answer_later);
    tcase_add_test(tc, another_thread_can_answer_through_post);
    tcase_add_test(tc, worker_jobs_finish_on_the_app_thread);
    tcase_add_test(tc, a_request_whose_client_left_lives_until_answered);
    tcase_add_test(tc, reply_drop_closes_without_a_response);
    tcase_add_test(tc, stop_drains_in_flight_requests_then_returns);
    tcase_add_test(tc, startup_errors_are_reported);
    tcase_add_test(tc, the_access_log_has_one_json_line_per_request);
    tcase_add_test(tc, metrics_text_has_the_http_series);
    tcase_add_test(tc, metrics_count_many_statuses_of_one_route);
    tcase_add_test(tc, replies_of_every_size_keep_their_headers);
    tcase_add_test(tc, websocket_upgrades_reach_the_stream_protocol);
    tcase_add_test(tc, tls_serves_https);
    suite_add_tcase(s, tc);
    TCase *loop = tcase_create("loop");
    tcase_set_timeout(loop, 30);
    tcase_add_test(loop, timers_set_before_run_fire_without_traffic);
    suite_add_tcase(s, loop);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    curl_global_cleanup();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

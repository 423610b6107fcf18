/* The test app and the clients shared by the server/http tests. */
#include "http_test.h"

#include "core/core.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- handlers ---- */

static void echo_line(nax_buf *b, const char *key, const char *value)
{
    if (value)
        ck_assert_int_eq(nax__buf_printf(b, "%s=%s\n", key, value), 0);
}

static int echo_query(const char *name, const char *value, void *arg)
{
    nax_buf *b = arg;
    char key[160];
    snprintf(key, sizeof(key), "q.%s", name);
    echo_line(b, key, value);
    return 0;
}

/* Replies with what the request looked like, one "key=value" per line. */
static void h_echo(naxd_req *req, void *app)
{
    (void)app;
    nax_buf b = NAX_BUF_INIT;
    static const char *const headers[] = {
        "content-type",  "idempotency-key", "x-nax-apikey", "x-nax-signature",
        "authorization", "x-custom-thing",  "user-agent",   NULL};
    static const char *const params[] = {"id", "part", NULL};
    size_t body_len;
    const char *body = naxd_req_body(req, &body_len);
    char num[32];
    echo_line(&b, "method",
              naxd_req_method(req) == NAXD_GET      ? "GET"
              : naxd_req_method(req) == NAXD_POST   ? "POST"
              : naxd_req_method(req) == NAXD_PUT    ? "PUT"
              : naxd_req_method(req) == NAXD_DELETE ? "DELETE"
                                                    : "OTHER");
    echo_line(&b, "route", naxd_req_route(req)->name);
    echo_line(&b, "path", naxd_req_path(req));
    echo_line(&b, "target", naxd_req_target(req));
    echo_line(&b, "id", naxd_req_id(req));
    echo_line(&b, "peer", naxd_req_peer(req));
    echo_line(&b, "tls", naxd_req_is_tls(req) ? "1" : "0");
    echo_line(&b, "qa", naxd_req_query(req, "a"));
    for (size_t i = 0; params[i]; i++) {
        char key[32];
        snprintf(key, sizeof(key), "p.%s", params[i]);
        echo_line(&b, key, naxd_req_param(req, params[i]));
    }
    for (size_t i = 0; headers[i]; i++) {
        char key[64];
        snprintf(key, sizeof(key), "h.%s", headers[i]);
        echo_line(&b, key, naxd_req_header(req, headers[i]));
    }
    naxd_req_foreach_query(req, echo_query, &b);
    snprintf(num, sizeof(num), "%zu", body_len);
    echo_line(&b, "body_len", num);
    if (body_len < 200)
        echo_line(&b, "body", body);
    naxd_req_add_header(req, "X-Test", "echo");
    naxd_reply(req, 200, "text/plain", b.data, b.len);
    nax_buf_dispose(&b);
}

static void after_reply(void *arg)
{
    naxd_reply(arg, 200, "text/plain", "late", 4);
}

static void h_after(naxd_req *req, void *app)
{
    test_server *s = app;
    ck_assert_int_eq(naxd_http_after(s->h, 30, after_reply, req), 0);
}

static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t held_cond = PTHREAD_COND_INITIALIZER;
static naxd_req *held_req;
static int held_n;

static void h_hold(naxd_req *req, void *app)
{
    (void)app;
    pthread_mutex_lock(&held_lock);
    held_req = req;
    held_n++;
    pthread_cond_broadcast(&held_cond);
    pthread_mutex_unlock(&held_lock);
}

naxd_req *held_wait(int count)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&held_lock);
    while (held_n < count)
        if (pthread_cond_timedwait(&held_cond, &held_lock, &until) != 0)
            break;
    naxd_req *r = held_n >= count ? held_req : NULL;
    pthread_mutex_unlock(&held_lock);
    ck_assert_msg(r != NULL, "no request was parked");
    return r;
}

int held_count(void)
{
    pthread_mutex_lock(&held_lock);
    int n = held_n;
    pthread_mutex_unlock(&held_lock);
    return n;
}

void reply_held(void *req)
{
    naxd_reply(req, 200, "text/plain", "held", 4);
}

static void h_drop(naxd_req *req, void *app)
{
    (void)app;
    naxd_reply_drop(req);
}

unsigned char big_byte(size_t i)
{
    return (unsigned char)((i * 2654435761u) >> 13);
}

unsigned long body_checksum(const unsigned char *p, size_t n)
{
    unsigned long h = 5381;
    for (size_t i = 0; i < n; i++)
        h = h * 33 + p[i];
    return h;
}

static void h_big(naxd_req *req, void *app)
{
    (void)app;
    unsigned char *b = malloc(BIG_BODY_LEN);
    ck_assert_ptr_nonnull(b);
    for (size_t i = 0; i < BIG_BODY_LEN; i++)
        b[i] = big_byte(i);
    naxd_reply(req, 200, "application/octet-stream", b, BIG_BODY_LEN);
    free(b); /* the reply made its own copy */
}

static void h_sum(naxd_req *req, void *app)
{
    (void)app;
    size_t len;
    const char *body = naxd_req_body(req, &len);
    char out[64];
    int n = snprintf(out, sizeof(out), "%zu %lu", len, body_checksum((const void *)body, len));
    naxd_reply(req, 200, "text/plain", out, (size_t)n);
}

typedef struct work_job {
    naxd_req *req;
    test_server *s;
    unsigned long result;
    int done_on_app_thread;
} work_job;

static void work_fn(void *arg)
{
    work_job *j = arg;
    unsigned long x = 1;
    for (int i = 0; i < 100000; i++)
        x = x * 6364136223846793005ul + 1442695040888963407ul;
    j->result = x;
}

static void work_done(void *arg)
{
    work_job *j = arg;
    int same = pthread_equal(pthread_self(), j->s->app_thread);
    char out[64];
    int n = snprintf(out, sizeof(out), "%lu %d", j->result, same);
    naxd_reply(j->req, 200, "text/plain", out, (size_t)n);
    free(j);
}

static void h_work(naxd_req *req, void *app)
{
    work_job *j = calloc(1, sizeof(*j));
    ck_assert_ptr_nonnull(j);
    j->req = req;
    j->s = app;
    ck_assert_int_eq(naxd_http_work(j->s->h, work_fn, work_done, j), 0);
}

static void h_metrics(naxd_req *req, void *app)
{
    test_server *s = app;
    nax_buf text = NAX_BUF_INIT;
    ck_assert_int_eq(naxd_http_metrics(s->h, &text), 0);
    naxd_reply(req, 200, "text/plain; version=0.0.4", text.data, text.len);
    nax_buf_dispose(&text);
}

static void h_error(naxd_req *req, void *app)
{
    (void)app;
    naxd_reply_error(req, 422, "invalid_price", "price", "price %s is not a tick multiple",
                     "1.005");
}

naxd_limiter *test_limiter;

/* 429 with the RateLimit headers once test_limiter runs dry. */
static void h_limited(naxd_req *req, void *app)
{
    (void)app;
    naxd_limit lim;
    naxd_limiter_take(test_limiter, naxd_req_peer(req), naxd_req_start_ns(req), &lim);
    naxd_req_ratelimit_headers(req, &lim);
    if (lim.allowed)
        naxd_reply(req, 200, "text/plain", "ok", 2);
    else
        naxd_reply_error(req, 429, "rate_limited", NULL, "too many requests");
}

/* GET /v1/headers?n=&size=&len=: n reply headers X-H<i> of size bytes each
 * and a body of len bytes (byte i is 'a' + i % 26), so a reply can outgrow
 * the request's arena chunk, or its rendered form the arena. The user label
 * is set twice on the way. */
static void h_headers(naxd_req *req, void *app)
{
    (void)app;
    const char *n_s = naxd_req_query(req, "n"), *size_s = naxd_req_query(req, "size");
    const char *len_s = naxd_req_query(req, "len");
    int n = n_s ? atoi(n_s) : 0, size = size_s ? atoi(size_s) : 0, len = len_s ? atoi(len_s) : 0;
    naxd_req_set_user_label(req, "first-label");
    char *value = malloc((size_t)size + 1), *body = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(value);
    ck_assert_ptr_nonnull(body);
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof name, "X-H%d", i);
        for (int k = 0; k < size; k++)
            value[k] = (char)('0' + (i + k) % 10);
        value[size] = '\0';
        ck_assert_int_eq(naxd_req_add_header(req, name, value), 0);
    }
    for (int i = 0; i < len; i++)
        body[i] = (char)('a' + i % 26);
    naxd_req_set_user_label(req, "second-label");
    naxd_reply(req, 200, "text/plain", body, (size_t)len);
    free(value);
    free(body);
}

/* GET /v1/status/{code}: answers with that status. */
static void h_status(naxd_req *req, void *app)
{
    (void)app;
    naxd_reply(req, atoi(naxd_req_param(req, "code")), "text/plain", "s", 1);
}

static const naxd_route routes[] = {
    {NAXD_GET, "/v1/echo", "GET /v1/echo", h_echo, 0, 0},
    {NAXD_POST, "/v1/echo", "POST /v1/echo", h_echo, 0, 0},
    {NAXD_GET, "/v1/items/{id}", "GET /v1/items/{id}", h_echo, 0, 0},
    {NAXD_PUT, "/v1/items/{id}", "PUT /v1/items/{id}", h_echo, 0, 0},
    {NAXD_DELETE, "/v1/items/{id}", "DELETE /v1/items/{id}", h_echo, 0, 0},
    {NAXD_GET, "/v1/items/special", "GET /v1/items/special", h_echo, 0, 0},
    {NAXD_GET, "/v1/items/{id}/parts/{part}", "GET /v1/items/{id}/parts/{part}", h_echo, 0, 0},
    {NAXD_POST, "/v1/upload", "POST /v1/upload", h_echo, 0, 1024},
    {NAXD_GET, "/v1/after", "GET /v1/after", h_after, 0, 0},
    {NAXD_GET, "/v1/hold", "GET /v1/hold", h_hold, 0, 0},
    {NAXD_GET, "/v1/drop", "GET /v1/drop", h_drop, 0, 0},
    {NAXD_GET, "/v1/big", "GET /v1/big", h_big, 0, 0},
    {NAXD_POST, "/v1/sum", "POST /v1/sum", h_sum, 0, 4 * 1024 * 1024},
    {NAXD_GET, "/v1/work", "GET /v1/work", h_work, 0, 0},
    {NAXD_GET, "/v1/metrics", "GET /v1/metrics", h_metrics, 0, 0},
    {NAXD_GET, "/v1/error", "GET /v1/error", h_error, 0, 0},
    {NAXD_GET, "/v1/limited", "GET /v1/limited", h_limited, 0, 0},
    {NAXD_GET, "/v1/headers", "GET /v1/headers", h_headers, 0, 0},
    {NAXD_GET, "/v1/status/{code}", "GET /v1/status/{code}", h_status, 0, 0},
};

/* ---- the server ---- */

naxd_http_options test_options(test_server *s)
{
    naxd_http_options o;
    memset(&o, 0, sizeof(o));
    o.listen_host = "127.0.0.1";
    o.port = 0;
    o.routes = routes;
    o.routes_count = sizeof(routes) / sizeof(routes[0]);
    o.app = s;
    static const char *const extra[] = {"x-custom-thing", NULL};
    o.extra_headers = extra;
    return o;
}

void test_dispatch(naxd_req *req, const naxd_route *route, void *app)
{
    test_server *s = app;
    atomic_fetch_add(&s->dispatched, 1);
    naxd_req_set_user_label(req, "tester");
    route->handler(req, app);
}

static void *run_thread(void *arg)
{
    test_server *s = arg;
    s->app_thread = pthread_self();
    ck_assert_int_eq(naxd_http_run(s->h), 0);
    atomic_store(&s->returned, 1);
    return NULL;
}

void server_start(test_server *s, const naxd_http_options *o)
{
    atomic_store(&s->returned, 0);
    int rc = naxd_http_new(&s->h, o);
    ck_assert_msg(rc == 0, "naxd_http_new: %d %s", rc, nax_error_last()->message);
    s->port = naxd_http_port(s->h);
    ck_assert_int_gt(s->port, 0);
    ck_assert_int_eq(pthread_create(&s->thread, NULL, run_thread, s), 0);
}

void server_join(test_server *s)
{
    pthread_join(s->thread, NULL);
    ck_assert_int_eq(atomic_load(&s->returned), 1);
    naxd_http_free(s->h);
    s->h = NULL;
}

void server_stop(test_server *s)
{
    naxd_http_stop(s->h);
    server_join(s);
}

typedef struct call {
    void (*fn)(void *);
    void *arg;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done;
} call;

static void call_trampoline(void *arg)
{
    call *c = arg;
    c->fn(c->arg);
    pthread_mutex_lock(&c->lock);
    c->done = 1;
    pthread_cond_signal(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

void app_call(test_server *s, void (*fn)(void *arg), void *arg)
{
    call c = {fn, arg, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    naxd_http_post(s->h, call_trampoline, &c);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&c.lock);
    while (!c.done)
        if (pthread_cond_timedwait(&c.cond, &c.lock, &until) != 0)
            break;
    int done = c.done;
    pthread_mutex_unlock(&c.lock);
    ck_assert_msg(done, "the app thread did not run a posted function");
}

/* ---- libcurl ---- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    response *r = ud;
    size_t len = size * n;
    char *b = realloc(r->body, r->len + len + 1);
    if (!b)
        return 0;
    memcpy(b + r->len, p, len);
    r->len += len;
    b[r->len] = '\0';
    r->body = b;
    return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    response *r = ud;
    size_t len = size * n;
    if (r->head_len + len < sizeof(r->head)) {
        memcpy(r->head + r->head_len, p, len);
        r->head_len += len;
        r->head[r->head_len] = '\0';
    }
    return len;
}

void http_request(CURL *c, int port, const char *method, const char *path, const char *body,
                  size_t body_len, const char *const *headers, response *out)
{
    memset(out, 0, sizeof(*out));
    CURL *own = c ? NULL : curl_easy_init();
    CURL *h = c ? c : own;
    ck_assert_ptr_nonnull(h);
    char url[4096];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    struct curl_slist *list = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_NOBODY, strcmp(method, "HEAD") == 0 ? 1L : 0L);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    /* The URL is sent as given: no path squashing. */
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    out->rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &out->connects);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
    curl_slist_free_all(list);
    if (own)
        curl_easy_cleanup(own);
    if (!out->body) {
        out->body = calloc(1, 1);
        ck_assert_ptr_nonnull(out->body);
    }
}

void response_free(response *r)
{
    free(r->body);
    r->body = NULL;
}

const char *resp_header(const response *r, const char *name, char *buf, size_t cap)
{
    const char *found = NULL;
    size_t nlen = strlen(name);
    for (const char *line = r->head; *line;) {
        const char *eol = strstr(line, "\r\n");
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len > nlen && strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
            const char *v = line + nlen + 1;
            while (*v == ' ')
                v++;
            size_t vlen = len - (size_t)(v - line);
            if (vlen >= cap)
                vlen = cap - 1;
            memcpy(buf, v, vlen);
            buf[vlen] = '\0';
            found = buf;
        }
        if (!eol)
            break;
        line = eol + 2;
    }
    return found;
}

const char *echo_value(const char *body, const char *key, char *buf, size_t cap)
{
    size_t klen = strlen(key);
    for (const char *line = body; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len > klen && strncmp(line, key, klen) == 0 && line[klen] == '=') {
            size_t vlen = len - klen - 1;
            if (vlen >= cap)
                vlen = cap - 1;
            memcpy(buf, line + klen + 1, vlen);
            buf[vlen] = '\0';
            return buf;
        }
        line = eol ? eol + 1 : NULL;
    }
    return NULL;
}

/* ---- raw sockets ---- */

int raw_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

void raw_send(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        ck_assert_msg(n > 0, "send failed: %s", strerror(errno));
        p += n;
        len -= (size_t)n;
    }
}

void raw_send_str(int fd, const char *s)
{
    raw_send(fd, s, strlen(s));
}

/* recv with a poll timeout; 0 on EOF, -1 on error or timeout. */
static ssize_t recv_wait(int fd, char *buf, size_t cap, int timeout_ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    int n = poll(&p, 1, timeout_ms);
    if (n <= 0)
        return -1;
    ssize_t r = recv(fd, buf, cap, 0);
    return r < 0 ? -1 : r;
}

int raw_response(int fd, char *buf, size_t cap, size_t *len, int head_only)
{
    size_t have = 0;
    char *end = NULL;
    *len = 0;
    while (!end) {
        if (have + 1 >= cap)
            return -1;
        ssize_t n = recv_wait(fd, buf + have, cap - have - 1, 5000);
        if (n <= 0)
            return -1;
        have += (size_t)n;
        buf[have] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    size_t head = (size_t)(end - buf) + 4;
    size_t body = 0;
    const char *cl = find_nocase(buf, "\r\ncontent-length:");
    if (cl && cl < end && !head_only)
        body = strtoul(cl + 17, NULL, 10);
    while (have < head + body && have + 1 < cap) {
        ssize_t n = recv_wait(fd, buf + have, cap - have - 1, 5000);
        if (n <= 0)
            break;
        have += (size_t)n;
        buf[have] = '\0';
    }
    *len = have;
    int status = -1;
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
        return -1;
    return status;
}

const char *find_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

int raw_closed(int fd, int timeout_ms)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    char buf[4096];
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (spent >= timeout_ms)
            return 0;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)(timeout_ms - spent)) <= 0)
            return 0;
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return 1;
    }
}

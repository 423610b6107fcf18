/* The server, the fake app, publishing helpers, the WebSocket client and the
 * model book shared by the server/stream tests. */
#include "stream_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"

/* ---- the fake app ---- */

int64_t token_ttl_ms = 3600 * 1000;
int private_snapshots;

int64_t test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t hook_now(void *app)
{
    (void)app;
    return test_now_ms();
}

static int hook_authenticate(void *app, const nax_stream_op *op, const char *peer, uint64_t *user,
                             int64_t *expires_ms, char *credential, const char **code,
                             char *message, size_t message_size)
{
    (void)app;
    /* the credential is the token or key itself: tests revoke by it */
    snprintf(credential, NAXD_STREAM_CREDENTIAL_MAX, "%s", op->token ? op->token : op->api_key);
    ck_assert_ptr_nonnull(peer);
    if (op->api_key) {
        if (strcmp(op->api_key, "key7") == 0) {
            *user = 7;
            *expires_ms = 0;
            return 0;
        }
        *code = "invalid_signature";
        snprintf(message, message_size, "signature does not match");
        return -1;
    }
    if (op->token && (strcmp(op->token, "good") == 0 || strcmp(op->token, "good8") == 0)) {
        *user = strcmp(op->token, "good") == 0 ? 7 : 8;
        *expires_ms = test_now_ms() + token_ttl_ms;
        return 0;
    }
    if (op->token && strcmp(op->token, "expired") == 0) {
        *code = "token_expired";
        snprintf(message, message_size, "access token expired");
        return -1;
    }
    *code = "invalid_token";
    snprintf(message, message_size, "unknown token");
    return -1;
}

typedef struct snap_cookie {
    nax_balance balance;
    const nax_balance *list[1];
    char asset[16];
} snap_cookie;

static int hook_private_snapshot(void *app, uint64_t user, naxd_stream_private which,
                                 nax_stream_message *msg, void **cookie)
{
    (void)app;
    private_snapshots++;
    snap_cookie *k = calloc(1, sizeof(*k));
    ck_assert_ptr_nonnull(k);
    *cookie = k;
    static const void *const none[1];
    switch (which) {
    case NAXD_STREAM_ORDERS: msg->orders = (const nax_order *const *)none; break;
    case NAXD_STREAM_FILLS: msg->fills = (const nax_fill *const *)none; break;
    case NAXD_STREAM_BALANCES:
        snprintf(k->asset, sizeof(k->asset), "U%llu", (unsigned long long)user);
        k->balance.struct_size = sizeof(k->balance);
        k->balance.asset = k->asset;
        k->list[0] = &k->balance;
        msg->balances = k->list;
        msg->balances_count = 1;
        break;
    }
    return 0;
}

static void hook_private_snapshot_free(void *app, void *cookie)
{
    (void)app;
    free(cookie);
}

static int hook_market_exists(void *app, const char *pair)
{
    (void)app;
    return strcmp(pair, "BTC-AUD") == 0 || strcmp(pair, "ETH-AUD") == 0 ||
           strcmp(pair, "XRP-AUD") == 0;
}

/* ---- the server ---- */

static void *run_thread(void *arg)
{
    stream_server *ss = arg;
    naxd_http_run(ss->h);
    return NULL;
}

void ss_start(stream_server *ss, const naxd_stream_limits *limits)
{
    memset(ss, 0, sizeof(*ss));
    naxd_stream_hooks hooks = {NULL,
                               hook_authenticate,
                               hook_private_snapshot,
                               hook_private_snapshot_free,
                               hook_market_exists,
                               hook_now};
    int rc = naxd_stream_new(&ss->s, &hooks, limits, NULL);
    ck_assert_msg(rc == 0, "naxd_stream_new: %d", rc);
    naxd_http_options o;
    memset(&o, 0, sizeof(o));
    o.listen_host = "127.0.0.1";
    o.ws_protocol = naxd_stream_protocol(ss->s);
    o.app = ss;
    rc = naxd_http_new(&ss->h, &o);
    ck_assert_msg(rc == 0, "naxd_http_new: %d %s", rc, nax_error_last()->message);
    naxd_stream_set_metrics(ss->s, naxd_http_registry(ss->h));
    ss->port = naxd_http_port(ss->h);
    ck_assert_int_gt(ss->port, 0);
    ck_assert_int_eq(pthread_create(&ss->thread, NULL, run_thread, ss), 0);
}

void ss_stop(stream_server *ss)
{
    naxd_http_stop(ss->h);
    pthread_join(ss->thread, NULL);
    naxd_http_free(ss->h);
    ck_assert_uint_eq(naxd_stream_connections(ss->s), 0);
    naxd_stream_free(ss->s);
    memset(ss, 0, sizeof(*ss));
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

void ss_call(stream_server *ss, void (*fn)(void *arg), void *arg)
{
    call c = {fn, arg, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    naxd_http_post(ss->h, call_trampoline, &c);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 20;
    pthread_mutex_lock(&c.lock);
    while (!c.done)
        if (pthread_cond_timedwait(&c.cond, &c.lock, &until) != 0)
            break;
    int done = c.done;
    pthread_mutex_unlock(&c.lock);
    ck_assert_msg(done, "the app thread did not run a posted function");
}

typedef struct metrics_job {
    stream_server *ss;
    nax_buf out;
    size_t conns;
} metrics_job;

static void do_metrics(void *arg)
{
    metrics_job *j = arg;
    ck_assert_int_eq(naxd_http_metrics(j->ss->h, &j->out), 0);
}

char *ss_metrics(stream_server *ss)
{
    metrics_job j = {ss, NAX_BUF_INIT, 0};
    ss_call(ss, do_metrics, &j);
    char *text = strdup(j.out.data ? j.out.data : "");
    nax_buf_dispose(&j.out);
    return text;
}

static void do_connections(void *arg)
{
    metrics_job *j = arg;
    j->conns = naxd_stream_connections(j->ss->s);
}

size_t ss_connections(stream_server *ss)
{
    metrics_job j = {ss, NAX_BUF_INIT, 0};
    ss_call(ss, do_connections, &j);
    return j.conns;
}

void ss_wait_connections(stream_server *ss, size_t n)
{
    int64_t until = test_now_ms() + 10000;
    size_t have;
    while ((have = ss_connections(ss)) != n && test_now_ms() < until) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL); /* polling a count with a deadline */
    }
    ck_assert_uint_eq(have, n);
}

/* ---- publishing ---- */

nax_book_level lv(const char *price, const char *qty)
{
    nax_book_level l;
    ck_assert_int_eq(nax_decimal_parse(&l.price, price, strlen(price), NULL), 0);
    ck_assert_int_eq(nax_decimal_parse(&l.quantity, qty, strlen(qty), NULL), 0);
    return l;
}

typedef enum job_kind {
    J_RESET,
    J_UPDATE,
    J_TICKER,
    J_TRADE,
    J_BALANCE,
    J_ORDER,
    J_FILL,
    J_INJECT,
    J_REVOKE
} job_kind;

typedef struct pub_job {
    stream_server *ss;
    job_kind kind;
    const char *pair, *text, *text2;
    uint64_t seq, user;
    const nax_book_level *bids, *asks;
    size_t nb, na;
    const naxd_stream_fault *fault;
    int rc;
} pub_job;

static nax_decimal dec(const char *s)
{
    nax_decimal d;
    ck_assert_int_eq(nax_decimal_parse(&d, s, strlen(s), NULL), 0);
    return d;
}

static void do_pub(void *arg)
{
    pub_job *j = arg;
    naxd_stream *s = j->ss->s;
    int64_t ts = test_now_ms();
    switch (j->kind) {
    case J_RESET:
        j->rc = naxd_stream_book_reset(s, j->pair, j->seq, ts, j->bids, j->nb, j->asks, j->na);
        break;
    case J_UPDATE:
        j->rc = naxd_stream_book_update(s, j->pair, j->seq, ts, j->bids, j->nb, j->asks, j->na);
        break;
    case J_TICKER: {
        nax_decimal bid = dec(j->text);
        nax_ticker t = {sizeof(t), j->pair, &bid, NULL, NULL, dec("1.5"), j->seq, ts};
        j->rc = naxd_stream_ticker(s, &t);
        break;
    }
    case J_TRADE: {
        nax_trade t = {sizeof(t), j->text, j->pair, dec(j->text2), dec("0.1"), NAX_SIDE_BUY, ts};
        const nax_trade *list[1] = {&t};
        j->rc = naxd_stream_trades(s, j->pair, list, 1, ts);
        break;
    }
    case J_BALANCE: {
        nax_balance b = {sizeof(b), j->text, dec(j->text2), dec("0"), dec(j->text2)};
        j->rc = naxd_stream_balance(s, j->user, &b, ts);
        break;
    }
    case J_ORDER: {
        nax_decimal price = dec("100");
        nax_order o = {sizeof(o),
                       j->text,
                       NULL,
                       "BTC-AUD",
                       NAX_SIDE_BUY,
                       NAX_ORDER_TYPE_LIMIT,
                       &price,
                       dec("1"),
                       dec("0"),
                       NULL,
                       NAX_TIF_GTC,
                       0,
                       NAX_ORDER_STATUS_OPEN,
                       ts,
                       ts};
        j->rc = naxd_stream_order(s, j->user, &o, ts);
        break;
    }
    case J_FILL: {
        nax_fill f = {sizeof(f),  j->text,  "ord_1",    "BTC-AUD", NAX_SIDE_BUY,
                      dec("100"), dec("1"), dec("0.1"), "AUD",     NAX_LIQUIDITY_MAKER,
                      ts};
        j->rc = naxd_stream_fill(s, j->user, &f, ts);
        break;
    }
    case J_INJECT: j->rc = naxd_stream_inject(s, j->fault); break;
    case J_REVOKE:
        naxd_stream_revoke(s, j->user, j->text);
        j->rc = 0;
        break;
    }
}

static int run_job(stream_server *ss, pub_job *j)
{
    j->ss = ss;
    ss_call(ss, do_pub, j);
    return j->rc;
}

int pub_reset(stream_server *ss, const char *pair, uint64_t seq, const nax_book_level *bids,
              size_t nb, const nax_book_level *asks, size_t na)
{
    pub_job j = {
        .kind = J_RESET, .pair = pair, .seq = seq, .bids = bids, .nb = nb, .asks = asks, .na = na};
    return run_job(ss, &j);
}

int pub_update(stream_server *ss, const char *pair, uint64_t seq, const nax_book_level *bids,
               size_t nb, const nax_book_level *asks, size_t na)
{
    pub_job j = {
        .kind = J_UPDATE, .pair = pair, .seq = seq, .bids = bids, .nb = nb, .asks = asks, .na = na};
    return run_job(ss, &j);
}

int pub_ticker(stream_server *ss, const char *pair, uint64_t seq, const char *bid)
{
    pub_job j = {.kind = J_TICKER, .pair = pair, .seq = seq, .text = bid};
    return run_job(ss, &j);
}

int pub_trade(stream_server *ss, const char *pair, const char *id, const char *price)
{
    pub_job j = {.kind = J_TRADE, .pair = pair, .text = id, .text2 = price};
    return run_job(ss, &j);
}

int pub_balance(stream_server *ss, uint64_t user, const char *asset, const char *total)
{
    pub_job j = {.kind = J_BALANCE, .user = user, .text = asset, .text2 = total};
    return run_job(ss, &j);
}

int pub_order(stream_server *ss, uint64_t user, const char *id)
{
    pub_job j = {.kind = J_ORDER, .user = user, .text = id};
    return run_job(ss, &j);
}

int pub_fill(stream_server *ss, uint64_t user, const char *id)
{
    pub_job j = {.kind = J_FILL, .user = user, .text = id};
    return run_job(ss, &j);
}

int pub_inject(stream_server *ss, const naxd_stream_fault *f)
{
    pub_job j = {.kind = J_INJECT, .fault = f};
    return run_job(ss, &j);
}

void pub_revoke(stream_server *ss, uint64_t user, const char *credential)
{
    pub_job j = {.kind = J_REVOKE, .user = user, .text = credential};
    run_job(ss, &j);
}

/* ---- the WebSocket client ---- */

static void send_all(int fd, const void *data, size_t len)
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

/* Reads what is there within timeout_ms; 0 on timeout, -1 at EOF. */
static int read_some(ws_client *c, int timeout_ms)
{
    if (c->eof)
        return -1;
    struct pollfd p = {c->fd, POLLIN, 0};
    int r = poll(&p, 1, timeout_ms);
    if (r <= 0)
        return 0;
    if (c->cap - c->len < 65536) {
        c->cap = c->cap * 2 + 65536;
        c->buf = realloc(c->buf, c->cap);
        ck_assert_ptr_nonnull(c->buf);
    }
    ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
    if (n <= 0) {
        c->eof = 1;
        return -1;
    }
    c->len += (size_t)n;
    return 1;
}

int ws_dial(int port, int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    if (rcvbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    char req[512];
    int n = snprintf(req, sizeof(req),
                     "GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n",
                     port);
    if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
        close(fd);
        return -1;
    }
    return fd;
}

void ws_open(ws_client *c, int port, int rcvbuf)
{
    memset(c, 0, sizeof(*c));
    c->auto_pong = 1;
    c->fd = ws_dial(port, rcvbuf);
    ck_assert_msg(c->fd >= 0, "the upgrade request could not be sent");
    int64_t until = test_now_ms() + 5000;
    unsigned char *end = NULL;
    while (!end && test_now_ms() < until) {
        if (read_some(c, 100) < 0)
            break;
        for (size_t i = 0; i + 3 < c->len && !end; i++)
            if (memcmp(c->buf + i, "\r\n\r\n", 4) == 0)
                end = c->buf + i + 4;
    }
    ck_assert_msg(end != NULL, "no upgrade response");
    ck_assert_msg(c->len >= 12 && memcmp(c->buf, "HTTP/1.1 101", 12) == 0, "not upgraded: %.*s",
                  (int)c->len, c->buf);
    size_t head = (size_t)(end - c->buf);
    memmove(c->buf, end, c->len - head);
    c->len -= head;
}

void ws_close(ws_client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->buf);
    memset(c, 0, sizeof(*c));
    c->fd = -1;
}

size_t ws_frame(unsigned char *out, size_t cap, int opcode, int fin, const void *data, size_t len)
{
    size_t h = 2;
    ck_assert_uint_ge(cap, len + 14);
    out[0] = (unsigned char)((fin ? 0x80 : 0) | (opcode & 0x0f));
    if (len < 126) {
        out[1] = (unsigned char)(0x80 | len);
    } else if (len < 65536) {
        out[1] = 0x80 | 126;
        out[2] = (unsigned char)(len >> 8);
        out[3] = (unsigned char)len;
        h = 4;
    } else {
        out[1] = 0x80 | 127;
        for (int i = 0; i < 8; i++)
            out[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
        h = 10;
    }
    static const unsigned char mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    memcpy(out + h, mask, 4);
    h += 4;
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        out[h + i] = p[i] ^ mask[i % 4];
    return h + len;
}

void ws_send_frame(ws_client *c, int opcode, int fin, const void *data, size_t len)
{
    unsigned char *f = malloc(len + 14);
    ck_assert_ptr_nonnull(f);
    size_t n = ws_frame(f, len + 14, opcode, fin, data, len);
    send_all(c->fd, f, n);
    free(f);
}

void ws_send_text(ws_client *c, const char *text)
{
    ws_send_frame(c, 1, 1, text, strlen(text));
}

void ws_send_raw(ws_client *c, const void *data, size_t len)
{
    send_all(c->fd, data, len);
}

int ws_parse_frame(const unsigned char *buf, size_t len, int *opcode, int *fin, size_t *off,
                   size_t *plen)
{
    *off = *plen = 0;
    if (len < 2)
        return 0;
    size_t h = 2;
    uint64_t n = buf[1] & 0x7f;
    if (n == 126) {
        if (len < 4)
            return 0;
        n = (uint64_t)buf[2] << 8 | buf[3];
        h = 4;
    } else if (n == 127) {
        if (len < 10)
            return 0;
        n = 0;
        for (int i = 0; i < 8; i++)
            n = n << 8 | buf[2 + i];
        h = 10;
    }
    *off = h;
    *plen = (size_t)n;
    if (len < h + n)
        return 0;
    *opcode = buf[0] & 0x0f;
    *fin = !!(buf[0] & 0x80);
    return 1;
}

/* One complete frame at the start of c's buffer, as ws_parse_frame. */
static int parse_frame(ws_client *c, int *opcode, int *fin, size_t *off, size_t *plen)
{
    ck_assert_msg(c->len < 2 || !(c->buf[1] & 0x80), "the server masked a frame");
    return ws_parse_frame(c->buf, c->len, opcode, fin, off, plen);
}

static void consume(ws_client *c, size_t n)
{
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
}

char *ws_recv_text(ws_client *c, int timeout_ms)
{
    int64_t until = test_now_ms() + timeout_ms;
    char *msg = NULL;
    size_t msg_len = 0;
    for (;;) {
        int opcode, fin;
        size_t off, plen;
        while (parse_frame(c, &opcode, &fin, &off, &plen)) {
            const unsigned char *p = c->buf + off;
            if (opcode == 9) { /* ping */
                c->pings++;
                if (c->auto_pong)
                    ws_send_frame(c, 10, 1, p, plen);
                if (c->stop_on_ping) {
                    consume(c, off + plen);
                    free(msg);
                    return NULL;
                }
            } else if (opcode == 8) { /* close */
                c->got_close = 1;
                c->close_code = plen >= 2 ? (p[0] << 8 | p[1]) : 1005;
                consume(c, off + plen);
                free(msg);
                return NULL;
            } else if (opcode == 1 || opcode == 0) {
                ck_assert_msg(opcode == 0 || !msg, "a text frame inside a fragmented message");
                msg = realloc(msg, msg_len + plen + 1);
                ck_assert_ptr_nonnull(msg);
                memcpy(msg + msg_len, p, plen);
                msg_len += plen;
                msg[msg_len] = '\0';
                if (fin) {
                    consume(c, off + plen);
                    return msg;
                }
            } else if (opcode != 10) {
                ck_abort_msg("unexpected opcode %d from the server", opcode);
            }
            consume(c, off + plen);
        }
        int64_t left = until - test_now_ms();
        if (left <= 0 || read_some(c, (int)(left > 100 ? 100 : left)) < 0) {
            if (left > 0 && !c->eof)
                continue;
            free(msg);
            return NULL;
        }
    }
}

int ws_wait_closed(ws_client *c, int timeout_ms)
{
    int64_t until = test_now_ms() + timeout_ms;
    while (!c->got_close && !c->eof && test_now_ms() < until) {
        char *m = ws_recv_text(c, (int)(until - test_now_ms()));
        free(m);
    }
    return c->got_close || c->eof;
}

/* ---- reading messages ---- */

char *next_text(ws_client *c)
{
    char *t = ws_recv_text(c, 5000);
    ck_assert_msg(t != NULL, "no message came (closed %d, code %d)", c->got_close || c->eof,
                  c->close_code);
    return t;
}

static int is_ack(const char *t)
{
    return strncmp(t, "{\"op\":", 6) == 0;
}

char *expect_ack(ws_client *c, uint64_t id, nax_stream_op_kind op, int ok)
{
    char *t = next_text(c);
    ck_assert_msg(is_ack(t), "expected an ack of %llu, got %s", (unsigned long long)id, t);
    nax_stream_ack *a = NULL;
    ck_assert_msg(nax_decode(&a, NAX_TYPE_STREAM_ACK, t, strlen(t), NULL) == 0, "bad ack %s", t);
    ck_assert_msg(a->id == id && a->op == op && !!a->ok == !!ok, "unexpected ack %s", t);
    char *code = NULL;
    if (!a->ok) {
        ck_assert_ptr_nonnull(a->error);
        code = strdup(a->error->code);
    }
    nax_object_free(a);
    free(t);
    return code;
}

nax_stream_message *expect_message(ws_client *c)
{
    char *t = next_text(c);
    ck_assert_msg(!is_ack(t), "expected a message, got %s", t);
    nax_stream_message *m = NULL;
    ck_assert_msg(nax_decode(&m, NAX_TYPE_STREAM_MESSAGE, t, strlen(t), NULL) == 0,
                  "bad message %s", t);
    free(t);
    return m;
}

nax_stream_message *expect_on(ws_client *c, const char *channel, nax_stream_msg_type type)
{
    nax_stream_message *m = expect_message(c);
    ck_assert_msg(m->channel && strcmp(m->channel, channel) == 0 && m->type == type,
                  "expected type %d on %s, got type %d on %s", type, channel, m->type,
                  m->channel ? m->channel : "(none)");
    return m;
}

void expect_quiet(ws_client *c, uint64_t id)
{
    char op[64];
    snprintf(op, sizeof(op), "{\"op\":\"ping\",\"id\":%llu}", (unsigned long long)id);
    ws_send_text(c, op);
    char *code = expect_ack(c, id, NAX_STREAM_OP_PING, 1);
    ck_assert_ptr_null(code);
}

/* ---- the model book ---- */

void model_free(model_book *m)
{
    free(m->bids);
    free(m->asks);
    memset(m, 0, sizeof(*m));
}

static void side_set(nax_book_level **arr, size_t *n, size_t *cap, const nax_book_level *src,
                     size_t count)
{
    if (count > *cap) {
        *cap = count + 16;
        *arr = realloc(*arr, *cap * sizeof(**arr));
        ck_assert_ptr_nonnull(*arr);
    }
    if (count)
        memcpy(*arr, src, count * sizeof(*src));
    *n = count;
}

void model_set(model_book *m, const nax_book_level *bids, size_t nb, const nax_book_level *asks,
               size_t na)
{
    side_set(&m->bids, &m->nb, &m->cap_b, bids, nb);
    side_set(&m->asks, &m->na, &m->cap_a, asks, na);
}

void model_apply(model_book *m, int bid, const nax_book_level *levels, size_t n)
{
    nax_book_level **arr = bid ? &m->bids : &m->asks;
    size_t *cnt = bid ? &m->nb : &m->na;
    size_t *cap = bid ? &m->cap_b : &m->cap_a;
    for (size_t k = 0; k < n; k++) {
        const nax_book_level *l = &levels[k];
        size_t i = 0;
        /* best first: bids fall, asks rise */
        while (i < *cnt) {
            int c = nax_decimal_cmp(&(*arr)[i].price, &l->price);
            if (c == 0 || (bid ? c < 0 : c > 0))
                break;
            i++;
        }
        int found = i < *cnt && nax_decimal_cmp(&(*arr)[i].price, &l->price) == 0;
        if (nax_decimal_is_zero(&l->quantity)) {
            if (found) {
                memmove(&(*arr)[i], &(*arr)[i + 1], (*cnt - i - 1) * sizeof(**arr));
                (*cnt)--;
            }
        } else if (found) {
            (*arr)[i].quantity = l->quantity;
        } else {
            if (*cnt == *cap) {
                *cap = *cap * 2 + 16;
                *arr = realloc(*arr, *cap * sizeof(**arr));
                MUST(*arr != NULL);
            }
            memmove(&(*arr)[i + 1], &(*arr)[i], (*cnt - i) * sizeof(**arr));
            (*arr)[i] = *l;
            (*cnt)++;
        }
    }
}

uint32_t model_checksum(const model_book *m)
{
    uint32_t crc = 0;
    ck_assert_int_eq(
        nax_book_checksum(&crc, m->bids, m->nb < 25 ? m->nb : 25, m->asks, m->na < 25 ? m->na : 25),
        0);
    return crc;
}

static void side_equal(const nax_book_level *a, size_t na, const nax_book_level *b, size_t nb)
{
    ck_assert_uint_eq(na, nb);
    for (size_t i = 0; i < na; i++) {
        MUST(nax_decimal_cmp(&a[i].price, &b[i].price) == 0);
        MUST(nax_decimal_cmp(&a[i].quantity, &b[i].quantity) == 0);
    }
}

void model_assert_equal(const model_book *m, const nax_book_level *bids, size_t nb,
                        const nax_book_level *asks, size_t na)
{
    side_equal(m->bids, m->nb, bids, nb);
    side_equal(m->asks, m->na, asks, na);
}

/*
 * Allocation-failure torture of the server stream (server/stream): the
 * book mirror alone, then a whole session on a real naxd_http (two
 * WebSocket clients subscribe to public and private channels, the app
 * publishes book resets and updates, tickers, trades and private events,
 * clients unsubscribe, a session is revoked, a client vanishes, the server
 * stops), once per k with the k-th allocation failing (tests/common/
 * failalloc.h), until a run completes below k.
 *
 * Each run must end cleanly: every publishing call returns 0 or NAX_ENOMEM
 * (with nax_error_last() saying so), a client whose request met the failure
 * gets an internal_error ack or message or a close (1011 or a dropped
 * connection), never silence (each wait is bounded), and every block is
 * freed once the server and the stream are gone. ASan turns any bad access
 * into a failure.
 */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../common/failalloc.h"
#include "core/core.h"
#include "stream/mirror.h"
#include "stream_test.h"

/* ---- the mirror alone ---------------------------------------------------------- */

/* A level at price (in cents) and quantity (in thousandths). */
static nax_book_level cents(long price, long qty)
{
    nax_book_level l;
    MUST(nax_decimal_from_int(&l.price, price, 2) == 0);
    MUST(nax_decimal_from_int(&l.quantity, qty, 3) == 0);
    return l;
}

/* Levels [from, from + n) cents apart, best first (bids fall, asks rise). */
static void ladder(nax_book_level *out, size_t n, long from, long step, long qty)
{
    for (size_t i = 0; i < n; i++)
        out[i] = cents(from + (long)i * step, qty);
}

typedef struct mirror_state {
    uint64_t seq;
    size_t nb, na;
    uint32_t crc;
} mirror_state;

static mirror_state mirror_state_of(naxd__mirror *m)
{
    mirror_state st = {m->seq, m->bids.n, m->asks.n, naxd__mirror_checksum(m)};
    return st;
}

/* rc is 0, or NAX_ENOMEM reported by nax_error_last() with the mirror unchanged. */
static void check_change(int rc, naxd__mirror *m, const mirror_state *before, long k)
{
    if (!rc)
        return;
    ck_assert_msg(rc == NAX_ENOMEM, "k=%ld: rc %d", k, rc);
    ck_assert_int_eq(nax_error_last()->code, NAX_ENOMEM);
    mirror_state now = mirror_state_of(m);
    ck_assert_msg(now.seq == before->seq && now.nb == before->nb && now.na == before->na &&
                      now.crc == before->crc,
                  "k=%ld: a failed change changed the mirror", k);
}

START_TEST(mirror_changes_fail_whole_at_every_allocation)
{
    ck_assert_int_eq(nax_global_init(failalloc_allocator()), 0);
    static nax_book_level bids[200], asks[200], cb[200], ca[200];
    long k = 1;
    for (;; k++) {
        long live0 = failalloc_live();
        failalloc_arm(k);
        naxd__mirror m;
        naxd__mirror_init(&m);
        mirror_state st = mirror_state_of(&m);
        /* a small book, then one deeper than the first reservation (64), twice */
        ladder(bids, 3, 10000, -100, 1000);
        ladder(asks, 3, 10100, 100, 1000);
        int rc = naxd__mirror_reset(&m, 1, 1, bids, 3, asks, 3);
        check_change(rc, &m, &st, k);
        if (!rc) {
            for (uint64_t seq = 2; seq < 5; seq++) {
                st = mirror_state_of(&m);
                size_t n = seq == 2 ? 10 : 90 * (size_t)(seq - 2);
                ladder(bids, n, 9900 - (long)seq, -1, 500);
                ladder(asks, n, 10200 + (long)seq, 1, 500);
                size_t ncb, nca;
                rc = naxd__mirror_apply(&m, seq, 2, bids, n, asks, n, cb, &ncb, ca, &nca);
                check_change(rc, &m, &st, k);
                if (rc)
                    break; /* the next seq would not follow */
            }
        }
        if (!rc) {
            st = mirror_state_of(&m);
            ladder(bids, 200, 9000, -1, 7);
            ladder(asks, 200, 20000, 1, 7);
            check_change(naxd__mirror_reset(&m, 9, 9, bids, 200, asks, 200), &m, &st, k);
        }
        naxd__mirror_dispose(&m);
        failalloc_disarm();
        ck_assert_msg(failalloc_live() == live0, "k=%ld: %ld blocks leaked", k,
                      failalloc_live() - live0);
        if (!failalloc_hit())
            break;
    }
    printf("mirror: %ld allocation points tried\n", k);
    ck_assert_int_ge(k, 4);
    nax_global_shutdown();
}
END_TEST

/* ---- a tolerant WebSocket client ------------------------------------------------ */

/* Unlike ws_client of stream_test.c it asserts nothing about the server:
 * an upgrade may be refused and a connection may close at any point. */
typedef struct tclient {
    int fd;
    unsigned char buf[1 << 20];
    size_t len;
    int closed;     /* EOF or a close frame */
    int close_code; /* the close frame's code, 0 for none */
    /* what came, by kind */
    int acks_ok, acks_failed, snapshots, updates, errors, revoked;
    int book_snapshots; /* of book:BTC-AUD */
    char bad[256];      /* the first message that a failure may not cause */
} tclient;

static void note_bad(tclient *c, const char *what, const char *text, size_t len)
{
    if (!c->bad[0])
        snprintf(c->bad, sizeof c->bad, "%s: %.*s", what, (int)(len > 160 ? 160 : len), text);
}

/* 0 once upgraded; -1 when the server refused or closed. */
static int tc_open(tclient *c, int port)
{
    memset(c, 0, sizeof(*c));
    c->fd = ws_dial(port, 0);
    if (c->fd < 0) {
        c->closed = 1;
        return -1;
    }
    int64_t until = test_now_ms() + 5000;
    unsigned char *end = NULL;
    while (!end) {
        int left = (int)(until - test_now_ms());
        struct pollfd p = {c->fd, POLLIN, 0};
        ck_assert_msg(left > 0 && poll(&p, 1, left) == 1, "no answer to the upgrade within 5 s");
        ssize_t r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
        if (r <= 0) {
            c->closed = 1;
            return -1;
        }
        c->len += (size_t)r;
        for (size_t i = 0; i + 3 < c->len && !end; i++)
            if (memcmp(c->buf + i, "\r\n\r\n", 4) == 0)
                end = c->buf + i + 4;
    }
    if (c->len < 12 || memcmp(c->buf, "HTTP/1.1 101", 12) != 0) {
        c->closed = 1; /* refused (e.g. a 500 when the request met the failure) */
        return -1;
    }
    size_t head = (size_t)(end - c->buf);
    memmove(c->buf, end, c->len - head);
    c->len -= head;
    return 0;
}

static void tc_close(tclient *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->closed = 1;
}

static void tc_send(tclient *c, const char *text)
{
    if (c->closed)
        return;
    unsigned char f[1024];
    size_t n = ws_frame(f, sizeof f, 1, 1, text, strlen(text));
    if (send(c->fd, f, n, MSG_NOSIGNAL) != (ssize_t)n)
        c->closed = 1; /* the server closed first: seen when reading */
}

static int has(const char *text, size_t len, const char *needle)
{
    return memmem(text, len, needle, strlen(needle)) != NULL;
}

/* Reads one text message; sets *ack_id (or -1). */
static void tc_message(tclient *c, const char *t, size_t len, long *ack_id)
{
    *ack_id = -1;
    if (len > 6 && memcmp(t, "{\"op\":", 6) == 0) {
        const char *id = memmem(t, len, "\"id\":", 5);
        *ack_id = id ? strtol(id + 5, NULL, 10) : -2;
        if (has(t, len, "\"ok\":true"))
            c->acks_ok++;
        else {
            /* private channels after an auth that met the failure: auth_required */
            int after_failed_auth = c->acks_failed && has(t, len, "\"code\":\"auth_required\"");
            c->acks_failed++;
            if (!has(t, len, "\"code\":\"internal_error\"") && !after_failed_auth)
                note_bad(c, "refused op", t, len);
        }
        return;
    }
    if (has(t, len, "\"type\":\"snapshot\"")) {
        c->snapshots++;
        c->book_snapshots += has(t, len, "\"channel\":\"book:BTC-AUD\"");
    } else if (has(t, len, "\"type\":\"update\"")) {
        c->updates++;
    } else if (has(t, len, "\"type\":\"error\"")) {
        c->errors++;
        if (has(t, len, "\"code\":\"token_revoked\""))
            c->revoked++;
        else if (!has(t, len, "\"code\":\"internal_error\"") &&
                 !has(t, len, "\"code\":\"invalid_json\""))
            note_bad(c, "error message", t, len);
    } else {
        note_bad(c, "unexpected message", t, len);
    }
}

/* Handles whole frames in the buffer until the ack of `want` went by
 * (1), or the buffer holds no whole frame (0). */
static int tc_frames(tclient *c, long want)
{
    for (;;) {
        int opcode, fin;
        size_t h, n;
        int whole = ws_parse_frame(c->buf, c->len, &opcode, &fin, &h, &n);
        ck_assert_msg(n < sizeof(c->buf) - 16, "a frame of %llu bytes", (unsigned long long)n);
        if (!whole)
            return 0;
        ck_assert_msg(fin, "the server fragments messages");
        const char *p = (const char *)c->buf + h;
        long ack = -1;
        if (opcode == 8) {
            c->closed = 1;
            c->close_code = n >= 2 ? ((unsigned char)p[0] << 8 | (unsigned char)p[1]) : 1005;
        } else if (opcode == 1) {
            tc_message(c, p, (size_t)n, &ack);
        }
        memmove(c->buf, c->buf + h + n, c->len - h - n);
        c->len -= h + (size_t)n;
        if (c->closed || (want >= 0 && ack == want))
            return 1;
    }
}

/* Sends a ping op with id and reads until its ack or the end of the
 * connection: whatever was queued before it has then been read. A server
 * that stays silent for 5 s fails the test (a hang). */
static void tc_sync(tclient *c, long id)
{
    if (c->closed)
        return;
    char op[64];
    snprintf(op, sizeof op, "{\"op\":\"ping\",\"id\":%ld}", id);
    tc_send(c, op);
    int64_t until = test_now_ms() + 5000;
    while (!c->closed) {
        if (tc_frames(c, id))
            return;
        int left = (int)(until - test_now_ms());
        struct pollfd p = {c->fd, POLLIN, 0};
        ck_assert_msg(left > 0 && poll(&p, 1, left) == 1, "no ack of ping %ld within 5 s", id);
        ck_assert_uint_lt(c->len, sizeof(c->buf));
        ssize_t r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
        if (r <= 0)
            c->closed = 1;
        else
            c->len += (size_t)r;
    }
}

/* ---- the fake app --------------------------------------------------------------- */

static int hook_authenticate(void *app, const nax_stream_op *op, const char *peer, uint64_t *user,
                             int64_t *expires_ms, char *credential, const char **code,
                             char *message, size_t message_size)
{
    (void)app;
    (void)peer;
    if (op->token && strcmp(op->token, "good") == 0) {
        *user = 7;
        *expires_ms = test_now_ms() + 3600 * 1000;
        snprintf(credential, NAXD_STREAM_CREDENTIAL_MAX, "session:1");
        return 0;
    }
    *code = "invalid_token";
    snprintf(message, message_size, "unknown token");
    return -1;
}

/* Like naxd's hook, the snapshot is allocated (through libnax) and may fail. */
typedef struct snap_cookie {
    nax_balance balance;
    const nax_balance *list[1];
} snap_cookie;

static int hook_private_snapshot(void *app, uint64_t user, naxd_stream_private which,
                                 nax_stream_message *msg, void **cookie)
{
    (void)app;
    (void)user;
    snap_cookie *k = nax__calloc(1, sizeof(*k));
    if (!k)
        return nax__error_oom();
    *cookie = k;
    if (which == NAXD_STREAM_BALANCES) {
        k->balance.struct_size = sizeof(k->balance);
        k->balance.asset = "AUD";
        k->list[0] = &k->balance;
        msg->balances = k->list;
        msg->balances_count = 1;
    }
    return 0;
}

static void hook_private_snapshot_free(void *app, void *cookie)
{
    (void)app;
    nax__free(cookie);
}

static int hook_market_exists(void *app, const char *pair)
{
    (void)app;
    return strcmp(pair, "BTC-AUD") == 0 || strcmp(pair, "ETH-AUD") == 0;
}

static int64_t hook_now(void *app)
{
    (void)app;
    return test_now_ms();
}

/* ---- publishing on the app thread ------------------------------------------------ */

typedef enum step {
    P_RESET,
    P_UPDATE,
    P_TICKER,
    P_TRADES,
    P_BALANCE,
    P_ORDER,
    P_FILL,
    P_REVOKE
} step;

typedef struct job {
    naxd_stream *s;
    step kind;
    const char *pair;
    uint64_t seq;
    const nax_book_level *bids, *asks;
    size_t nb, na;
    int rc, err_code;
    char err_message[128];
} job;

static nax_decimal d(long v, int scale)
{
    nax_decimal x;
    MUST(nax_decimal_from_int(&x, v, scale) == 0);
    return x;
}

static void run_job(void *arg)
{
    job *j = arg;
    int64_t ts = test_now_ms();
    nax_decimal price = d(1000000, 2), qty = d(100, 3), zero = d(0, 0);
    switch (j->kind) {
    case P_RESET:
        j->rc = naxd_stream_book_reset(j->s, j->pair, j->seq, ts, j->bids, j->nb, j->asks, j->na);
        break;
    case P_UPDATE:
        j->rc = naxd_stream_book_update(j->s, j->pair, j->seq, ts, j->bids, j->nb, j->asks, j->na);
        break;
    case P_TICKER: {
        nax_ticker t = {sizeof(t), j->pair, &price, &price, NULL, qty, j->seq, ts};
        j->rc = naxd_stream_ticker(j->s, &t);
        break;
    }
    case P_TRADES: {
        nax_trade a = {sizeof(a), "t1", j->pair, price, qty, NAX_SIDE_BUY, ts};
        nax_trade b = {sizeof(b), "t2", j->pair, price, qty, NAX_SIDE_SELL, ts};
        const nax_trade *list[2] = {&a, &b};
        j->rc = naxd_stream_trades(j->s, j->pair, list, 2, ts);
        break;
    }
    case P_BALANCE: {
        nax_balance b = {sizeof(b), "AUD", qty, zero, qty};
        j->rc = naxd_stream_balance(j->s, 7, &b, ts);
        break;
    }
    case P_ORDER: {
        nax_order o = {sizeof(o),
                       "ord_1",
                       NULL,
                       "BTC-AUD",
                       NAX_SIDE_BUY,
                       NAX_ORDER_TYPE_LIMIT,
                       &price,
                       qty,
                       zero,
                       NULL,
                       NAX_TIF_GTC,
                       0,
                       NAX_ORDER_STATUS_OPEN,
                       ts,
                       ts};
        j->rc = naxd_stream_order(j->s, 7, &o, ts);
        break;
    }
    case P_FILL: {
        nax_fill f = {sizeof(f), "fill_1", "ord_1", "BTC-AUD", NAX_SIDE_BUY,
                      price,     qty,      zero,    "AUD",     NAX_LIQUIDITY_MAKER,
                      ts};
        j->rc = naxd_stream_fill(j->s, 7, &f, ts);
        break;
    }
    case P_REVOKE:
        naxd_stream_revoke(j->s, 7, NULL);
        j->rc = 0;
        break;
    }
    j->err_code = nax_error_last()->code;
    snprintf(j->err_message, sizeof j->err_message, "%s", nax_error_last()->message);
}

static stream_server srv;
static long cur_k;

static void *serve(void *h)
{
    naxd_http_run(h);
    return NULL;
}

/* Books whose last reset or update failed: like naxd, the test then
 * publishes no update until the next reset (the seq would not follow). */
static int btc_broken, eth_broken;

/* Runs a publishing step; it succeeds or fails with a reported NAX_ENOMEM. */
static void publish(step kind, const char *pair, uint64_t seq, const nax_book_level *bids,
                    size_t nb, const nax_book_level *asks, size_t na)
{
    int *broken = !pair ? NULL : strcmp(pair, "BTC-AUD") == 0 ? &btc_broken : &eth_broken;
    if (kind == P_UPDATE && *broken)
        return;
    job j = {srv.s, kind, pair, seq, bids, asks, nb, na, 0, 0, ""};
    ss_call(&srv, run_job, &j);
    if (kind == P_RESET || kind == P_UPDATE)
        *broken = j.rc != 0;
    ck_assert_msg(j.rc == 0 || (j.rc == NAX_ENOMEM && j.err_code == NAX_ENOMEM && j.err_message[0]),
                  "k=%ld: step %d returned %d (last error %d \"%s\")", cur_k, kind, j.rc,
                  j.err_code, j.err_message);
}

/* A client's view must be clean: only failures an allocation can cause. */
static void check_client(const tclient *c, const char *name)
{
    ck_assert_msg(!c->bad[0], "k=%ld: client %s got %s", cur_k, name, c->bad);
    ck_assert_msg(c->close_code == 0 || c->close_code == 1011, "k=%ld: client %s closed with %d",
                  cur_k, name, c->close_code);
}

/* One session; returns 0 when it could not even start (the failure was in
 * the stream's or the server's creation). */
static int session(tclient *a, tclient *b, int *complete)
{
    *complete = 0;
    memset(&srv, 0, sizeof srv);
    memset(a, 0, sizeof(*a));
    memset(b, 0, sizeof(*b));
    a->fd = b->fd = -1;
    a->closed = b->closed = 1;
    btc_broken = eth_broken = 1;
    naxd_stream_hooks hooks = {NULL,
                               hook_authenticate,
                               hook_private_snapshot,
                               hook_private_snapshot_free,
                               hook_market_exists,
                               hook_now};
    naxd_stream_limits lim;
    memset(&lim, 0, sizeof lim);
    lim.recent_trades = 3;
    int rc = naxd_stream_new(&srv.s, &hooks, &lim, NULL);
    if (rc) {
        ck_assert_int_eq(rc, NAX_ENOMEM);
        ck_assert_int_eq(nax_error_last()->code, NAX_ENOMEM);
        ck_assert_ptr_null(srv.s);
        return 0;
    }
    naxd_http_options o;
    memset(&o, 0, sizeof(o));
    o.listen_host = "127.0.0.1";
    o.ws_protocol = naxd_stream_protocol(srv.s);
    rc = naxd_http_new(&srv.h, &o);
    if (rc) {
        ck_assert_msg(rc == NAX_ENOMEM && nax_error_last()->code == rc, "k=%ld: naxd_http_new %d",
                      cur_k, rc);
        naxd_stream_free(srv.s);
        return 0;
    }
    naxd_stream_set_metrics(srv.s, naxd_http_registry(srv.h));
    srv.port = naxd_http_port(srv.h);
    ck_assert_int_eq(pthread_create(&srv.thread, NULL, serve, srv.h), 0);

    static nax_book_level bids[120], asks[120];
    ladder(bids, 3, 1000000, -100, 1000);
    ladder(asks, 3, 1000100, 100, 1000);
    publish(P_RESET, "BTC-AUD", 1, bids, 3, asks, 3);
    publish(P_TICKER, "BTC-AUD", 1, NULL, 0, NULL, 0);
    publish(P_TRADES, "BTC-AUD", 0, NULL, 0, NULL, 0);

    /* A: the public channels of BTC-AUD, then the private ones */
    if (tc_open(a, srv.port) == 0) {
        tc_send(a, "{\"op\":\"subscribe\",\"channels\":[\"book:BTC-AUD\",\"trades:BTC-AUD\","
                   "\"ticker:BTC-AUD\"],\"id\":1}");
        tc_sync(a, 2);
        tc_send(a, "{\"op\":\"auth\",\"token\":\"good\",\"id\":3}");
        tc_send(a, "{\"op\":\"subscribe\",\"channels\":[\"orders\",\"balances\",\"fills\"],"
                   "\"id\":4}");
        tc_sync(a, 5);
    }
    /* B: a book with no state yet (its first reset is the snapshot), and BTC-AUD's */
    if (tc_open(b, srv.port) == 0) {
        tc_send(b, "{\"op\":\"subscribe\",\"channels\":[\"book:ETH-AUD\",\"ticker:ETH-AUD\","
                   "\"book:BTC-AUD\"],\"id\":1}");
        tc_sync(b, 2);
    }

    /* changes: small, then wider than the stack buffer of an update (64) */
    nax_book_level one[1] = {cents(999950, 2000)};
    publish(P_UPDATE, "BTC-AUD", 2, one, 1, NULL, 0);
    ladder(bids, 70, 999000, -1, 10);
    ladder(asks, 30, 1001000, 1, 10);
    publish(P_UPDATE, "BTC-AUD", 3, bids, 70, asks, 30);
    publish(P_TICKER, "BTC-AUD", 2, NULL, 0, NULL, 0);
    publish(P_TRADES, "BTC-AUD", 0, NULL, 0, NULL, 0);
    ladder(bids, 2, 300000, -100, 1000);
    ladder(asks, 2, 300100, 100, 1000);
    publish(P_RESET, "ETH-AUD", 1, bids, 2, asks, 2);
    publish(P_TICKER, "ETH-AUD", 1, NULL, 0, NULL, 0);
    publish(P_BALANCE, NULL, 0, NULL, 0, NULL, 0);
    publish(P_ORDER, NULL, 0, NULL, 0, NULL, 0);
    publish(P_FILL, NULL, 0, NULL, 0, NULL, 0);
    ladder(bids, 120, 990000, -1, 5);
    ladder(asks, 120, 1010000, 1, 5);
    publish(P_RESET, "BTC-AUD", 10, bids, 120, asks, 120);
    tc_sync(a, 6);
    tc_sync(b, 3);

    /* A drops two channels; B sends something that is not JSON */
    tc_send(a, "{\"op\":\"unsubscribe\",\"channels\":[\"trades:BTC-AUD\",\"orders\"],\"id\":7}");
    tc_sync(a, 8);
    tc_send(b, "not json");
    tc_sync(b, 4);

    /* the session is revoked; B vanishes; the book moves on */
    publish(P_REVOKE, NULL, 0, NULL, 0, NULL, 0);
    tc_sync(a, 9);
    tc_close(b);
    publish(P_UPDATE, "BTC-AUD", 11, one, 1, NULL, 0);
    tc_sync(a, 10);
    *complete = 1;

    naxd_http_stop(srv.h);
    pthread_join(srv.thread, NULL);
    naxd_http_free(srv.h);
    naxd_stream_free(srv.s);
    tc_close(a);
    return 1;
}

START_TEST(a_session_fails_cleanly_at_every_allocation)
{
    ck_assert_int_eq(nax_global_init(failalloc_allocator()), 0);
    static tclient a, b;
    long k = 1, ended_early = 0;
    int stride = getenv("NAX_ALLOC_STRIDE") ? atoi(getenv("NAX_ALLOC_STRIDE")) : 1;
    for (;; k += stride > 0 ? stride : 1) {
        cur_k = k;
        long live0 = failalloc_live();
        failalloc_arm(k);
        int complete;
        session(&a, &b, &complete);
        failalloc_disarm();
        ended_early += !complete;
        check_client(&a, "A");
        check_client(&b, "B");
        ck_assert_msg(failalloc_live() == live0, "k=%ld: %ld blocks leaked", k,
                      failalloc_live() - live0);
        if (!failalloc_hit()) {
            /* the clean run: everything arrived */
            ck_assert(complete);
            ck_assert_int_eq(a.acks_failed + b.acks_failed, 0);
            ck_assert_int_ge(a.book_snapshots, 2); /* on subscribe and after the reset */
            ck_assert_int_ge(a.snapshots, 6);      /* 3 public, 3 private */
            ck_assert_int_ge(a.updates, 6);
            ck_assert_int_eq(a.revoked, 2); /* balances and fills were still subscribed */
            ck_assert_int_ge(b.snapshots, 3);
            break;
        }
    }
    printf("server stream: %ld allocation points tried, %ld runs ended before the last step\n", k,
           ended_early);
    ck_assert_int_ge(k, 50);
    nax_global_shutdown();
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("stream_alloc");
    TCase *tc = tcase_create("alloc");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, mirror_changes_fail_whole_at_every_allocation);
    tcase_add_test(tc, a_session_fails_cleanly_at_every_allocation);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

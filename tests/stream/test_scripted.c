/*
 * The subscriber against a scripted server (fake_server.h), for what naxd
 * does not do on demand: an `error` message that ends a subscription (a
 * snapshot naxd could not build) is reported and the channel subscribed
 * again after a backoff; refusals that pass (rate_limited, internal_error)
 * are retried after a backoff while an unknown channel is dropped; a refused
 * unsubscribe of a book's resync is tried again; an order changed twice in
 * one millisecond never goes back to the older state after a catch-up; the
 * frame of the auth op is wiped before it is freed; a catch-up whose REST
 * calls fail tries again, a bounded number of times.
 */
#define _GNU_SOURCE /* memmem */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fake_server.h"
#include "stream_test.h"

#define TS 1767269700000LL /* the server's clock in every message */

static fake_server *fake;
static nax_client *client;

static void setup(void)
{
    client_test_global_init();
}

static void teardown(void)
{
    stream_test_cleanup();
    fake_stop(fake);
    fake = NULL;
    nax_client_free(client);
    client = NULL;
    nax_global_shutdown();
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A client of the fake with a ready token; REST calls are not retried. */
static nax_client *fake_client(void)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", fake_port(fake));
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    o.base_url = url;
    o.bearer_token = "fake-token";
    o.retry.max_attempts = 1;
    nax_client *c = NULL;
    OK(nax_client_new(&c, &o));
    return c;
}

/* A stream of the fake (through `c`, or by URL when c is NULL) with the
 * recorder's callbacks and test timings. */
static nax_stream *fake_stream(recorder *r, nax_client *c)
{
    char url[64];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/v1/stream", fake_port(fake));
    nax_stream_options o = NAX_STREAM_OPTIONS_INIT;
    o.client = c;
    o.url = c ? NULL : url;
    o.callbacks = rec_callbacks(r);
    o.ping_interval_ms = 1000;
    o.reconnect_min_ms = 50;
    o.reconnect_max_ms = 400;
    o.connect_timeout_ms = 2000;
    nax_stream *s = NULL;
    OK(nax_stream_new(&s, &o));
    stream_track(s);
    return s;
}

/* The fake server playing `h`, a REST client of it when with_client, and a
 * stream of it subscribed to `ch` (not started: some tests prepare first). */
static nax_stream *scene(const fake_handlers *h, int with_client, recorder *r,
                         const char *const *ch, size_t n)
{
    fake = fake_start(h);
    if (with_client)
        client = fake_client();
    nax_stream *s = fake_stream(r, with_client ? client : NULL);
    subscribe_or_fail(s, ch, n);
    return s;
}

/* ---- what the fake publishes ------------------------------------------------------ */

static void send_book_snapshot(fake_conn *c, const char *channel, uint64_t seq)
{
    nax_book_level bid = {naxh_dec("100.00"), naxh_dec("1.5")};
    nax_book_level ask = {naxh_dec("101.00"), naxh_dec("2")};
    uint32_t crc = 0;
    ck_assert_int_eq(nax_book_checksum(&crc, &bid, 1, &ask, 1), 0);
    fake_sendf(c,
               "{\"channel\":\"%s\",\"type\":\"snapshot\",\"seq\":%llu,\"ts\":%lld,"
               "\"bids\":[[\"100.00\",\"1.5\"]],\"asks\":[[\"101.00\",\"2\"]],\"checksum\":%lu}",
               channel, (unsigned long long)seq, TS, (unsigned long)crc);
}

static void send_ticker_snapshot(fake_conn *c, const char *channel)
{
    fake_sendf(c,
               "{\"channel\":\"%s\",\"type\":\"snapshot\",\"seq\":3,\"ts\":%lld,\"ticker\":"
               "{\"pair\":\"%s\",\"volume_24h\":\"0\",\"seq\":3,\"ts\":%lld}}",
               channel, TS, channel + 7, TS);
}

/* An order as JSON. */
static void order_json(char *out, size_t size, const char *id, const char *status,
                       const char *filled, int64_t updated_at)
{
    snprintf(out, size,
             "{\"id\":\"%s\",\"pair\":\"BTC-AUD\",\"side\":\"buy\",\"type\":\"limit\","
             "\"price\":\"100.00\",\"quantity\":\"1.0\",\"filled_quantity\":\"%s\","
             "\"time_in_force\":\"GTC\",\"status\":\"%s\",\"created_at\":%lld,\"updated_at\":%lld}",
             id, filled, status, TS, (long long)updated_at);
}

static void send_orders_snapshot(fake_conn *c, uint64_t seq, const char *orders_json)
{
    fake_sendf(c,
               "{\"channel\":\"orders\",\"type\":\"snapshot\",\"seq\":%llu,\"ts\":%lld,"
               "\"orders\":[%s]}",
               (unsigned long long)seq, TS, orders_json);
}

static void send_channel_error(fake_conn *c, const char *channel, const char *code)
{
    fake_sendf(c,
               "{\"channel\":\"%s\",\"type\":\"error\",\"ts\":%lld,\"error\":{\"code\":\"%s\","
               "\"message\":\"the channel's state could not be read; subscribe again\"}}",
               channel, TS, code);
}

/* The first event matching (state -1: any) carries `error`. */
static void expect_event_error(recorder *r, int state, int reason, const char *channel, int error)
{
    long i = rec_find(r, 0, (nax_stream_state)state, reason, channel);
    ck_assert_msg(i >= 0, "no %s event for %s", nax_stream_reason_name((nax_stream_reason)reason),
                  channel);
    ck_assert_int_eq(r->events[i].error, error);
}

/* ---- a server error ends a subscription --------------------------------------------- */

static const char *const ended_channels[] = {"book:BTC-AUD", "ticker:BTC-AUD", "orders"};
#define N_ENDED 3

typedef struct ended_script {
    int subscribes[N_ENDED]; /* subscribe ops naming the channel */
    int64_t ended_at[N_ENDED], again_at[N_ENDED];
} ended_script;

static int channel_index(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return (int)i;
    return -1;
}

/* The first subscription of every channel ends with internal_error (as naxd
 * does when it cannot build the snapshot); the next one works. */
static void ended_on_op(fake_conn *c, const nax_stream_op *op, void *ud)
{
    ended_script *sc = ud;
    if (op->op != NAX_STREAM_OP_SUBSCRIBE) {
        fake_ack(c, op, NULL, NULL);
        return;
    }
    fake_ack(c, op, NULL, NULL);
    for (size_t i = 0; i < op->channels_count; i++) {
        const char *ch = op->channels[i];
        int k = channel_index(ended_channels, N_ENDED, ch);
        if (k < 0)
            continue;
        if (++sc->subscribes[k] == 1) {
            send_channel_error(c, ch, "internal_error");
            sc->ended_at[k] = mono_ms();
            continue;
        }
        sc->again_at[k] = mono_ms();
        if (k == 0) {
            send_book_snapshot(c, ch, 7);
        } else if (k == 1) {
            send_ticker_snapshot(c, ch);
        } else {
            char order[512];
            order_json(order, sizeof order, "ord-1", "open", "0", TS);
            send_orders_snapshot(c, 1, order);
        }
    }
}

START_TEST(server_error_resubscribes_after_a_backoff)
{
    ended_script sc;
    memset(&sc, 0, sizeof sc);
    fake_handlers h = {ended_on_op, NULL, &sc};
    recorder *r = rec_new();
    nax_stream *s = scene(&h, 1, r, ended_channels, N_ENDED);
    OK(nax_stream_start(s));
    /* LIVE only once every channel has its snapshot: after the retries. */
    ck_assert_int_ge(
        rec_wait_event(r, NULL, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    /* Each end was reported on its channel with the server's error; the book resynced. */
    expect_event_error(r, NAX_STREAM_RESYNCING, NAX_STREAM_REASON_NONE, "book:BTC-AUD",
                       NAX_ESERVER);
    ck_assert_int_ge(rec_find(r, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SNAPSHOT, "book:BTC-AUD"),
                     0);
    expect_event_error(r, -1, NAX_STREAM_REASON_NONE, "ticker:BTC-AUD", NAX_ESERVER);
    expect_event_error(r, -1, NAX_STREAM_REASON_NONE, "orders", NAX_ESERVER);
    /* The second subscriptions delivered. */
    ck_assert_uint_eq(rec_count(r, REC_TICKER, "BTC-AUD", NAX_STREAM_F_SNAPSHOT), 1);
    ck_assert_uint_eq(rec_count(r, REC_ORDER, "ord-1", NAX_STREAM_F_SNAPSHOT), 1);
    nax_book_top top = {sizeof top};
    OK(nax_stream_book_top(s, "BTC-AUD", &top));
    ck_assert_int_eq(top.live, 1);
    ck_assert_uint_eq(top.seq, 7);
    /* Subscribed twice each, the second time after half the first backoff at least. */
    fake_lock(fake);
    for (int k = 0; k < N_ENDED; k++) {
        ck_assert_int_eq(sc.subscribes[k], 2);
        ck_assert_int_ge(sc.again_at[k] - sc.ended_at[k], 25);
    }
    fake_unlock(fake);
    ck_assert_int_lt(rec_find(r, 0, NAX_STREAM_RECONNECTING, -1, NULL), 0);
    stream_free(s);
}
END_TEST

/* ---- refused subscribes: transient ones are retried, the others dropped ---------------- */

typedef struct refusal_script {
    int ops;           /* subscribe ops */
    int64_t at[8];     /* when each was answered */
    char names[8][96]; /* the channels of each, comma-separated */
} refusal_script;

/* 1st subscribe: rate_limited (the whole op). 2nd: unknown_channel for
 * book:XRP-AUD (naxd's all-or-nothing). 3rd: internal_error. Then ok. */
static void refusal_on_op(fake_conn *c, const nax_stream_op *op, void *ud)
{
    refusal_script *sc = ud;
    if (op->op != NAX_STREAM_OP_SUBSCRIBE) {
        fake_ack(c, op, NULL, NULL);
        return;
    }
    int n = sc->ops++;
    if (n < 8) {
        sc->at[n] = mono_ms();
        for (size_t i = 0; i < op->channels_count; i++)
            snprintf(sc->names[n] + strlen(sc->names[n]),
                     sizeof sc->names[n] - strlen(sc->names[n]), "%s%s", i ? "," : "",
                     op->channels[i]);
    }
    if (n == 0) {
        fake_ack(c, op, "rate_limited", NULL);
        return;
    }
    for (size_t i = 0; n == 1 && i < op->channels_count; i++) {
        if (!strcmp(op->channels[i], "book:XRP-AUD")) {
            char field[32];
            snprintf(field, sizeof field, "channels[%zu]", i);
            fake_ack(c, op, "unknown_channel", field);
            return;
        }
    }
    if (n == 2) {
        fake_ack(c, op, "internal_error", NULL);
        return;
    }
    fake_ack(c, op, NULL, NULL);
    for (size_t i = 0; i < op->channels_count; i++) {
        if (!strncmp(op->channels[i], "book:", 5))
            send_book_snapshot(c, op->channels[i], 5);
        else
            send_ticker_snapshot(c, op->channels[i]);
    }
}

START_TEST(transient_refusals_are_retried)
{
    refusal_script sc;
    memset(&sc, 0, sizeof sc);
    fake_handlers h = {refusal_on_op, NULL, &sc};
    recorder *r = rec_new();
    const char *ch[] = {"ticker:BTC-AUD", "book:BTC-AUD", "book:XRP-AUD"};
    nax_stream *s = scene(&h, 0, r, ch, 3);
    OK(nax_stream_start(s));
    ck_assert_int_ge(
        rec_wait_event(r, NULL, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    ck_assert_uint_eq(rec_count(r, REC_TICKER, "BTC-AUD", NAX_STREAM_F_SNAPSHOT), 1);
    nax_book_top top = {sizeof top};
    OK(nax_stream_book_top(s, "BTC-AUD", &top));
    /* The refusals that pass were reported on each channel and retried... */
    expect_event_error(r, -1, NAX_STREAM_REASON_NONE, "ticker:BTC-AUD", NAX_ERATELIMIT);
    long i = rec_find(r, 0, -1, NAX_STREAM_REASON_NONE, "book:BTC-AUD");
    ck_assert_int_ge(i, 0);
    ck_assert_int_ge(rec_find(r, (size_t)i + 1, -1, NAX_STREAM_REASON_NONE, "book:BTC-AUD"), 0);
    /* ...an unknown market was refused for good, and only it. */
    ck_assert_uint_eq(rec_count_events(r, -1, NAX_STREAM_REASON_SUBSCRIBE_FAILED, NULL), 1);
    ck_assert_int_ge(rec_find(r, 0, -1, NAX_STREAM_REASON_SUBSCRIBE_FAILED, "book:XRP-AUD"), 0);
    fake_lock(fake);
    ck_assert_int_eq(sc.ops, 4);
    ck_assert_str_eq(sc.names[0], "ticker:BTC-AUD,book:BTC-AUD,book:XRP-AUD");
    ck_assert_str_eq(sc.names[1], "ticker:BTC-AUD,book:BTC-AUD,book:XRP-AUD"); /* together */
    ck_assert_str_eq(sc.names[2], "ticker:BTC-AUD,book:BTC-AUD");
    ck_assert_str_eq(sc.names[3], "ticker:BTC-AUD,book:BTC-AUD");
    /* Retried after half a backoff at least: 50 ms, then 100 ms, halved. */
    ck_assert_int_ge(sc.at[1] - sc.at[0], 25);
    ck_assert_int_ge(sc.at[3] - sc.at[2], 50);
    fake_unlock(fake);
    ck_assert_int_lt(rec_find(r, 0, NAX_STREAM_RECONNECTING, -1, NULL), 0);
    stream_free(s);
}
END_TEST

/* ---- a refused unsubscribe during a resync ------------------------------------------------ */

typedef struct resync_script {
    int subscribes, unsubscribes, snapshots;
    int64_t refused_at, unsubscribed_at;
} resync_script;

/* naxd's bookkeeping (a channel already subscribed gets no second snapshot),
 * with the first unsubscribe refused. */
static void resync_on_op(fake_conn *c, const nax_stream_op *op, void *ud)
{
    resync_script *sc = ud;
    if (op->op == NAX_STREAM_OP_SUBSCRIBE) {
        sc->subscribes++;
        fake_ack(c, op, NULL, NULL);
        for (size_t i = 0; i < op->channels_count; i++) {
            if (fake_subscribed(c, op->channels[i]))
                continue;
            fake_set_subscribed(c, op->channels[i], 1);
            send_book_snapshot(c, op->channels[i], sc->snapshots++ ? 9 : 5);
        }
    } else if (op->op == NAX_STREAM_OP_UNSUBSCRIBE) {
        if (sc->unsubscribes++ == 0) {
            fake_ack(c, op, "rate_limited", NULL);
            sc->refused_at = mono_ms();
            return;
        }
        sc->unsubscribed_at = mono_ms();
        for (size_t i = 0; i < op->channels_count; i++)
            fake_set_subscribed(c, op->channels[i], 0);
        fake_ack(c, op, NULL, NULL);
    } else {
        fake_ack(c, op, NULL, NULL);
    }
}

/* The unsubscribe of a resync is refused: the book keeps its subscription,
 * unsubscribes again after a backoff, and the fresh snapshot heals it. */
START_TEST(refused_unsubscribe_retries_the_resync)
{
    resync_script sc;
    memset(&sc, 0, sizeof sc);
    fake_handlers h = {resync_on_op, NULL, &sc};
    recorder *r = rec_new();
    const char *ch[] = {"book:BTC-AUD"};
    nax_stream *s = scene(&h, 0, r, ch, 1);
    OK(nax_stream_start(s));
    ck_assert_int_ge(
        rec_wait_event(r, NULL, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    /* seq 7 after 5: a gap. */
    fake_sendf(fake_stream_conn(fake),
               "{\"channel\":\"book:BTC-AUD\",\"type\":\"update\",\"seq\":7,\"ts\":%lld,"
               "\"bids\":[[\"100.00\",\"3\"]],\"asks\":[],\"checksum\":1}",
               TS);
    long i = rec_wait_event(r, NULL, 0, NAX_STREAM_RESYNCING, NAX_STREAM_REASON_SEQ_GAP,
                            "book:BTC-AUD", 10000);
    ck_assert_int_ge(i, 0);
    ck_assert_int_ge(rec_wait_event(r, NULL, (size_t)i, NAX_STREAM_LIVE, NAX_STREAM_REASON_SNAPSHOT,
                                    "book:BTC-AUD", 10000),
                     0);
    expect_event_error(r, -1, NAX_STREAM_REASON_NONE, "book:BTC-AUD", NAX_ERATELIMIT);
    nax_book_top top = {sizeof top};
    OK(nax_stream_book_top(s, "BTC-AUD", &top));
    ck_assert_int_eq(top.live, 1);
    ck_assert_uint_eq(top.seq, 9);
    fake_lock(fake);
    ck_assert_int_eq(sc.unsubscribes, 2);
    ck_assert_int_eq(sc.subscribes, 2);
    ck_assert_int_ge(sc.unsubscribed_at - sc.refused_at, 25);
    fake_unlock(fake);
    ck_assert_int_eq(nax_stream_state_get(s), NAX_STREAM_LIVE);
    stream_free(s);
}
END_TEST

/* ---- two changes of an order in one millisecond, around a catch-up ------------------------- */

#define T1 (TS + 2000) /* when ord-7 was partially filled, then filled */

typedef struct same_ms_script {
    int orders_subscribes;
} same_ms_script;

static void same_ms_on_op(fake_conn *c, const nax_stream_op *op, void *ud)
{
    same_ms_script *sc = ud;
    fake_ack(c, op, NULL, NULL);
    if (op->op != NAX_STREAM_OP_SUBSCRIBE)
        return;
    char open[512], partial[512], filled[512];
    order_json(open, sizeof open, "ord-7", "open", "0", TS);
    order_json(partial, sizeof partial, "ord-7", "partially_filled", "0.4", T1);
    order_json(filled, sizeof filled, "ord-7", "filled", "1.0", T1);
    send_orders_snapshot(c, 1, open);
    if (sc->orders_subscribes++ == 0)
        return;
    /* The new subscription's snapshot came before both changes; their events
     * follow it, while the catch-up reads the order's state now. */
    fake_sendf(c, "{\"channel\":\"orders\",\"type\":\"update\",\"seq\":2,\"ts\":%lld,\"order\":%s}",
               (long long)T1, partial);
    fake_sendf(c, "{\"channel\":\"orders\",\"type\":\"update\",\"seq\":3,\"ts\":%lld,\"order\":%s}",
               (long long)T1, filled);
}

/* REST knows ord-7 filled. */
static int same_ms_on_http(const char *method, const char *target, char *body, size_t size,
                           void *ud)
{
    (void)ud;
    char filled[512];
    order_json(filled, sizeof filled, "ord-7", "filled", "1.0", T1);
    if (strcmp(method, "GET"))
        return 404;
    if (!strncmp(target, "/v1/orders?", 11) || !strcmp(target, "/v1/orders")) {
        snprintf(body, size, "{\"orders\":[%s]}", filled);
        return 200;
    }
    if (!strncmp(target, "/v1/orders/ord-7", 16)) {
        snprintf(body, size, "%s", filled);
        return 200;
    }
    return 404;
}

/* The status of the last order event of `id`, or -1. */
static int last_status(recorder *r, const char *id)
{
    int status = -1;
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].kind == REC_ORDER && !strcmp(r->items[i].id, id))
            status = r->items[i].status;
    pthread_mutex_unlock(&r->lock);
    return status;
}

/* The catch-up delivers an order filled; the event of its partial fill in the
 * same millisecond arrives after: it is not delivered, the order never goes
 * back from filled. */
START_TEST(same_millisecond_changes_never_go_back)
{
    same_ms_script sc;
    memset(&sc, 0, sizeof sc);
    fake_handlers h = {same_ms_on_op, same_ms_on_http, &sc};
    recorder *r = rec_new();
    const char *ch[] = {"orders"};
    nax_stream *s = scene(&h, 1, r, ch, 1);
    OK(nax_stream_start(s));
    ck_assert_int_ge(
        rec_wait_event(r, NULL, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    ck_assert_uint_eq(rec_count(r, REC_ORDER, "ord-7", NAX_STREAM_F_SNAPSHOT), 1);
    size_t from = rec_events(r);
    fake_drop(fake_stream_conn(fake));
    ck_assert_int_ge(
        rec_wait_event(r, NULL, from, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000),
        0);
    /* A later event as a barrier: the two changes' events were handled before it. */
    char later[512];
    order_json(later, sizeof later, "ord-8", "open", "0", T1 + 1);
    fake_sendf(fake_stream_conn(fake),
               "{\"channel\":\"orders\",\"type\":\"update\",\"seq\":4,\"ts\":%lld,\"order\":%s}",
               (long long)T1 + 1, later);
    ck_assert(rec_wait_count(r, NULL, REC_ORDER, "ord-8", 0, 1, 10000));
    ck_assert_uint_eq(rec_count(r, REC_ORDER, "ord-7", NAX_STREAM_F_CATCHUP), 1);
    ck_assert_int_eq(last_status(r, "ord-7"), NAX_ORDER_STATUS_FILLED);
    ck_assert_uint_eq(rec_count(r, REC_ORDER, "ord-7", 0), 2); /* the snapshot, the catch-up */
    stream_free(s);
}
END_TEST

/* ---- the auth frame is wiped before it is freed ------------------------------------------ */

/* An allocator that looks into every block freed while `scanning` (the
 * C library's blocks: they stay valid after the test restores it). Blocks
 * come zeroed, so what an earlier owner left in them is not taken for a
 * leak of the new one. */
static pthread_mutex_t scan_lock = PTHREAD_MUTEX_INITIALIZER;
static int scanning, secrets_freed;

static void *scan_malloc(size_t n, void *ud)
{
    (void)ud;
    void *p = malloc(n);
    if (p)
        memset(p, 0, malloc_usable_size(p));
    return p;
}

static void *scan_realloc(void *p, size_t n, void *ud)
{
    (void)ud;
    size_t kept = p ? malloc_usable_size(p) : 0;
    unsigned char *q = realloc(p, n);
    if (!q)
        return NULL;
    if (kept > n)
        kept = n;
    size_t usable = malloc_usable_size(q);
    memset(q + kept, 0, usable - kept);
    return q;
}

/* The token in clear, or the auth op as a client frame masks it (lws masks
 * the payload in place; the 4-byte key comes right before it). */
static int holds_secret(const unsigned char *p, size_t n)
{
    static const char token[] = "fake-token", op[] = "{\"op\":\"auth\"";
    if (memmem(p, n, token, sizeof token - 1))
        return 1;
    for (size_t i = 4; i + sizeof op - 1 <= n; i++) {
        size_t j = 0;
        while (j < sizeof op - 1 && (p[i + j] ^ p[i - 4 + j % 4]) == (unsigned char)op[j])
            j++;
        if (j == sizeof op - 1)
            return 1;
    }
    return 0;
}

static void scan_free(void *p, void *ud)
{
    (void)ud;
    if (!p)
        return;
    pthread_mutex_lock(&scan_lock);
    if (scanning && !fake_on_server_thread(fake) && holds_secret(p, malloc_usable_size(p)))
        secrets_freed++;
    pthread_mutex_unlock(&scan_lock);
    free(p);
}

static void auth_on_op(fake_conn *c, const nax_stream_op *op, void *ud)
{
    (void)ud;
    fake_ack(c, op, NULL, NULL);
    if (op->op == NAX_STREAM_OP_SUBSCRIBE)
        fake_sendf(c,
                   "{\"channel\":\"balances\",\"type\":\"snapshot\",\"seq\":1,\"ts\":%lld,"
                   "\"balances\":[{\"asset\":\"AUD\",\"available\":\"1.00\",\"locked\":\"0\","
                   "\"total\":\"1.00\"}]}",
                   TS);
}

/* The token travels in the auth op's frame: no block of the stream's that
 * holds it is freed without being wiped, sent or not. (Balances: their
 * catch-up needs no REST call, whose buffers are the client's business; the
 * fake's own blocks do not count.) */
START_TEST(auth_frames_are_wiped)
{
    nax_global_shutdown();
    nax_allocator a = {NAX_ALLOCATOR_VERSION, scan_malloc, scan_realloc, scan_free, NULL};
    ck_assert_int_eq(nax_global_init(&a), 0);
    fake_handlers h = {auth_on_op, NULL, NULL};
    recorder *r = rec_new();
    const char *ch[] = {"balances"};
    nax_stream *s = scene(&h, 1, r, ch, 1);
    pthread_mutex_lock(&scan_lock);
    scanning = 1;
    secrets_freed = 0;
    pthread_mutex_unlock(&scan_lock);
    OK(nax_stream_start(s));
    /* Sent and answered, then sent again on a new connection, which is
     * dropped with whatever it had queued. */
    ck_assert(rec_wait_count(r, NULL, REC_BALANCE, "AUD", NAX_STREAM_F_SNAPSHOT, 1, 10000));
    fake_drop(fake_stream_conn(fake));
    ck_assert(rec_wait_count(r, NULL, REC_BALANCE, "AUD", NAX_STREAM_F_SNAPSHOT, 2, 10000));
    stream_free(s);
    pthread_mutex_lock(&scan_lock);
    scanning = 0; /* the client's own copy of its token is its business */
    int freed = secrets_freed;
    pthread_mutex_unlock(&scan_lock);
    ck_assert_int_eq(freed, 0);
}
END_TEST

/* ---- a catch-up whose REST calls fail ------------------------------------------------------ */

typedef struct rest_script {
    int fail_first; /* history calls answered 503 before one works (-1: all) */
    int history_calls;
} rest_script;

static void fill_json(char *out, size_t size, const char *id, int64_t ts)
{
    snprintf(out, size,
             "{\"id\":\"%s\",\"order_id\":\"ord-1\",\"pair\":\"BTC-AUD\",\"side\":\"buy\","
             "\"price\":\"100.00\",\"quantity\":\"0.1\",\"fee\":\"0.01\",\"fee_asset\":\"AUD\","
             "\"liquidity\":\"taker\",\"ts\":%lld}",
             id, (long long)ts);
}

/* Every fills subscription's snapshot holds trd-1 only. */
static void rest_on_op(fake_conn *c, const nax_stream_op *op, void *ud)
{
    (void)ud;
    fake_ack(c, op, NULL, NULL);
    if (op->op != NAX_STREAM_OP_SUBSCRIBE)
        return;
    char f1[512];
    fill_json(f1, sizeof f1, "trd-1", TS);
    fake_sendf(c,
               "{\"channel\":\"fills\",\"type\":\"snapshot\",\"seq\":1,\"ts\":%lld,\"fills\":[%s]}",
               TS, f1);
}

/* trd-2 happened while the stream was away; REST is down for a while. */
static int rest_on_http(const char *method, const char *target, char *body, size_t size, void *ud)
{
    rest_script *sc = ud;
    if (strcmp(method, "GET") || strncmp(target, "/v1/trades/history", 18))
        return 404;
    int n = ++sc->history_calls;
    if (sc->fail_first < 0 || n <= sc->fail_first) {
        snprintf(body, size, "{\"error\":{\"code\":\"unavailable\",\"message\":\"down\"}}");
        return 503;
    }
    char f1[512], f2[512];
    fill_json(f1, sizeof f1, "trd-1", TS);
    fill_json(f2, sizeof f2, "trd-2", TS + 1000);
    snprintf(body, size, "{\"fills\":[%s,%s]}", f2, f1); /* newest first */
    return 200;
}

/* A stream with trd-1 delivered, then a new connection whose catch-up runs. */
static nax_stream *reconnected_fills_stream(recorder *r, rest_script *sc, size_t *from)
{
    fake_handlers h = {rest_on_op, rest_on_http, sc};
    const char *ch[] = {"fills"};
    nax_stream *s = scene(&h, 1, r, ch, 1);
    OK(nax_stream_start(s));
    /* LIVE comes after the snapshot's callbacks: waiting for it keeps the
     * first connection's LIVE out of what follows. */
    ck_assert_int_ge(
        rec_wait_event(r, NULL, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    ck_assert_uint_eq(rec_count(r, REC_FILL, "trd-1", NAX_STREAM_F_SNAPSHOT), 1);
    *from = rec_events(r);
    fake_drop(fake_stream_conn(fake));
    long live =
        rec_wait_event(r, NULL, *from, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000);
    ck_assert_int_ge(live, 0);
    /* Every failure was reported before LIVE. */
    ck_assert_int_lt(rec_find(r, (size_t)live, -1, NAX_STREAM_REASON_NONE, "fills"), 0);
    return s;
}

/* REST fails twice, then works: the fill missed meanwhile still comes. */
START_TEST(catch_up_tries_again_after_a_rest_failure)
{
    rest_script sc = {2, 0};
    recorder *r = rec_new();
    size_t from;
    nax_stream *s = reconnected_fills_stream(r, &sc, &from);
    ck_assert_uint_eq(rec_count_exact(r, REC_FILL, "trd-2", NAX_STREAM_F_CATCHUP), 1);
    ck_assert_uint_eq(rec_count(r, REC_FILL, "trd-1", 0), 1); /* once, however often fetched */
    ck_assert_uint_eq(rec_count_events(r, -1, NAX_STREAM_REASON_NONE, "fills"), 2);
    expect_event_error(r, -1, NAX_STREAM_REASON_NONE, "fills", NAX_EUNAVAILABLE);
    fake_lock(fake);
    ck_assert_int_eq(sc.history_calls, 3);
    fake_unlock(fake);
    stream_free(s);
}
END_TEST

/* REST stays down: a bounded number of attempts, each reported, then the
 * stream goes on without the missed fill. */
START_TEST(catch_up_gives_up_after_bounded_attempts)
{
    rest_script sc = {-1, 0};
    recorder *r = rec_new();
    size_t from;
    nax_stream *s = reconnected_fills_stream(r, &sc, &from);
    ck_assert_uint_eq(rec_count_events(r, -1, NAX_STREAM_REASON_NONE, "fills"), 5);
    ck_assert_uint_eq(rec_count(r, REC_FILL, "trd-2", 0), 0);
    ck_assert_uint_eq(rec_count(r, REC_FILL, "trd-1", 0), 1);
    stream_free(s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("stream_scripted");
    TCase *tc = tcase_create("scripted");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, server_error_resubscribes_after_a_backoff);
    tcase_add_test(tc, transient_refusals_are_retried);
    tcase_add_test(tc, refused_unsubscribe_retries_the_resync);
    tcase_add_test(tc, same_millisecond_changes_never_go_back);
    tcase_add_test(tc, auth_frames_are_wiped);
    tcase_add_test(tc, catch_up_tries_again_after_a_rest_failure);
    tcase_add_test(tc, catch_up_gives_up_after_bounded_attempts);
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

/* POST /admin/stream-bench and /admin/stream-bench/ack (fault mode, operator
 * token): synthetic public events through the real publisher, for the stream
 * fan-out benchmark (bench/stream).
 *
 * A run publishes `count` messages on one pair, alternately a trades update
 * and a ticker update. Each trade's id is "bench-<CLOCK_MONOTONIC ns>" taken
 * as it is handed to naxd_stream_trades(), so a subscriber on the same
 * machine can compute the end-to-end latency of every trade it receives.
 *   rate > 0: open loop, `rate` messages a second: each tick publishes what
 *             fell due since the start, then sleeps until the next message
 *             falls due (whole ms; several messages a tick above 1000/s).
 *             Not a fixed 1 ms tick: that woke the loop 1000 times a second
 *             whatever the rate, and lws 4.1 rounds its poll timeout down to
 *             whole ms, so the loop spins (poll timeout 0) through the last
 *             fraction of a ms before every timer: the tick cost the server
 *             far more CPU than the messages it paced.
 *   rate = 0: closed loop: at most `window` messages ahead of the count the
 *             load client last reported as delivered to every subscriber
 *             (POST /admin/stream-bench/ack {"delivered":N}).
 * The events are not in the store: the trades join the stream's recent
 * trades, the tickers take real seqs (the market's ticker seq moves on), so
 * never point this at a server anyone trades on. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <yajl/yajl_tree.h>

#include "app/app.h"
#include "app/internal.h"
#include "app/json_tree.h"
#include "core/core.h"
#include "stream/stream.h"

typedef struct bench_run {
    naxd_app *a;
    char pair[32];
    uint64_t rate, count, window;
    uint64_t published, allowed;
    int64_t start_ns;
    uint64_t generation;
    int active, timer_armed;
    nax_decimal price, quantity;
} bench_run;

/* One run at a time. Static rather than allocated, so a tick still queued
 * when naxd shuts down (http drops it) leaks nothing. */
static bench_run bench;

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int publish_trade(bench_run *b, int64_t ts)
{
    char id[48];
    snprintf(id, sizeof id, "bench-%" PRId64, mono_ns());
    nax_trade t = {sizeof t, id, b->pair, b->price, b->quantity, NAX_SIDE_BUY, ts};
    const nax_trade *one = &t;
    return naxd_stream_trades(b->a->stream, b->pair, &one, 1, ts);
}

/* The market's real ticker after a change (its seq rises by one). */
static int publish_ticker(bench_run *b, int64_t ts)
{
    naxd__market_data_change(b->a, b->pair, NULL, 0, ts);
    nax_decimal last, bid, ask;
    nax_ticker t;
    int rc = naxd__market_data_ticker(b->a, b->pair, &last, &t);
    if (rc)
        return rc;
    int has_bid, has_ask;
    naxd_engine_top(b->a->engine, b->pair, &has_bid, &bid, &has_ask, &ask);
    t.bid = has_bid ? &bid : NULL;
    t.ask = has_ask ? &ask : NULL;
    return naxd_stream_ticker(b->a->stream, &t);
}

/* Publishes up to `until` messages; ends the run when done or on failure. */
static void publish_until(bench_run *b, uint64_t until)
{
    if (until > b->count)
        until = b->count;
    while (b->active && b->published < until) {
        int64_t ts = naxd_now_ms(b->a);
        int rc = (b->published % 2 == 0) ? publish_trade(b, ts) : publish_ticker(b, ts);
        if (rc) {
            nax__log(NAX_LOG_WARN, "naxd: stream bench stopped after %" PRIu64 " messages: %s",
                     b->published, nax_error_last()->message);
            b->active = 0;
        }
        b->published++;
    }
    if (b->published >= b->count)
        b->active = 0;
}

static uint64_t elapsed_us(const bench_run *b)
{
    return (uint64_t)(mono_ns() - b->start_ns) / 1000;
}

/* Whole ms until message number `published` falls due (the inverse of the
 * due count in tick(), rounded up, so the tick it arms finds it due). */
static uint64_t next_due_ms(const bench_run *b)
{
    uint64_t due_us = (b->published * 1000000 + b->rate - 1) / b->rate;
    uint64_t now_us = elapsed_us(b);
    return due_us > now_us ? (due_us - now_us + 999) / 1000 : 0;
}

static void tick(void *arg)
{
    bench_run *b = arg;
    b->timer_armed = 0;
    if (!b->active || b->generation != b->a->generation) {
        b->active = 0;
        return;
    }
    if (b->rate == 0) {
        publish_until(b, b->allowed); /* the first window; acks bring the rest */
        return;
    }
    /* Due: the message at t=0 plus one every 1/rate s since. */
    publish_until(b, elapsed_us(b) * b->rate / 1000000 + 1);
    if (!b->active)
        return;
    if (naxd_http_after(b->a->http, next_due_ms(b), tick, b) == 0)
        b->timer_armed = 1;
    else
        b->active = 0;
}

static int64_t member_int(yajl_val root, const char *name, int64_t dflt)
{
    const char *path[] = {name, NULL};
    yajl_val v = yajl_tree_get(root, path, yajl_t_number);
    return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : dflt;
}

static yajl_val body_object(naxd_req *req)
{
    char err[128];
    size_t len;
    const char *body = naxd_req_body(req, &len);
    yajl_val root = naxd_json_tree(body, len, err, sizeof err);
    if (root && YAJL_IS_OBJECT(root))
        return root;
    yajl_tree_free(root);
    naxd_fail(req, 400, "invalid_json", NULL, "expected a JSON object");
    return NULL;
}

NAXD_HANDLER(h_admin_stream_bench)
{
    naxd_app *a = app;
    yajl_val root = body_object(req);
    if (!root)
        return;
    const char *pair_path[] = {"pair", NULL};
    yajl_val pair = yajl_tree_get(root, pair_path, yajl_t_string);
    const char *pair_name = pair ? YAJL_GET_STRING(pair) : "BTC-AUD";
    int64_t rate = member_int(root, "rate", 10000), count = member_int(root, "count", 100000);
    int64_t window = member_int(root, "window", 1000);
    int known = naxd_engine_market(a->engine, pair_name) != NULL;
    int fits = strlen(pair_name) < sizeof bench.pair;
    if (!known || !fits) {
        yajl_tree_free(root);
        naxd_fail(req, 400, "invalid_request", "pair", "no such market");
        return;
    }
    snprintf(bench.pair, sizeof bench.pair, "%s", pair_name);
    yajl_tree_free(root);
    if (rate < 0 || rate > 10000000 || count < 1 || count > 100000000 || window < 1) {
        naxd_fail(req, 400, "invalid_request", NULL,
                  "rate 0..10000000 (0: closed loop), count 1..100000000, window >= 1");
        return;
    }
    if (!a->stream) {
        naxd_fail(req, 503, "unavailable", NULL, "the stream is not running");
        return;
    }
    if (bench.active) {
        naxd_fail(req, 409, "conflict", NULL, "a benchmark run is in progress");
        return;
    }
    bench.a = a;
    bench.rate = (uint64_t)rate;
    bench.count = (uint64_t)count;
    bench.window = (uint64_t)window;
    bench.published = 0;
    bench.allowed = (uint64_t)window;
    bench.generation = a->generation;
    bench.start_ns = mono_ns();
    nax_decimal_parse(&bench.price, "97250.50", 8, NULL);
    nax_decimal_parse(&bench.quantity, "0.01000000", 10, NULL);
    bench.active = 1;

    char reply[160];
    int n = snprintf(reply, sizeof reply,
                     "{\"pair\":\"%s\",\"rate\":%" PRId64 ",\"count\":%" PRId64
                     ",\"window\":%" PRId64 "}",
                     bench.pair, rate, count, window);
    naxd_reply(req, 202, NULL, reply, (size_t)n);
    naxd__ctx_release(req);

    /* The first messages go out after this reply, from the loop. */
    if (!bench.timer_armed && naxd_http_after(a->http, 0, tick, &bench) == 0)
        bench.timer_armed = 1;
    else if (!bench.timer_armed)
        bench.active = 0;
}

NAXD_HANDLER(h_admin_stream_bench_ack)
{
    naxd_app *a = app;
    yajl_val root = body_object(req);
    if (!root)
        return;
    int64_t delivered = member_int(root, "delivered", -1);
    yajl_tree_free(root);
    if (delivered < 0) {
        naxd_fail(req, 400, "invalid_request", "delivered", "delivered must be a count");
        return;
    }
    naxd_reply(req, 204, NULL, NULL, 0);
    naxd__ctx_release(req);
    if (bench.active && bench.rate == 0 && bench.a == a) {
        bench.allowed = (uint64_t)delivered + bench.window;
        publish_until(&bench, bench.allowed);
    }
}

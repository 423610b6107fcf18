/*
 * Allocation-failure torture of a live stream session: the libnax stream
 * client against a real naxd (its own process and allocator), with the k-th
 * allocation of the client failing (tests/common/failalloc.h), for every k
 * until a session completes below k. A session: nax_stream_new, subscribe
 * to book, trades and ticker of BTC-AUD, start, wait for LIVE with the
 * snapshots, a trade made over REST (the allocator paused: only the stream
 * is under test) and its trade, ticker and book updates, unsubscribe from
 * the trades, another trade whose book update comes without a trade, free.
 *
 * Each run must end cleanly: an API call that fails returns < 0 with
 * nax_error_last()->code equal to it and a message; an event that reports
 * an error reports a negative code with a message; a failure deep in the
 * receive path ends in a reconnect and the session goes on (each wait is
 * bounded: a hang fails the run); and the blocks allocated during the run
 * are all freed once the stream is (and every block once the library is
 * shut down). ASan turns any bad access or leak into a failure.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../client/harness.h"
#include "../common/failalloc.h"

static naxh_server srv;
static naxh_user buyer, seller;
static nax_client *anon;
static long cur_k;
static int failed;

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "k=%ld: ", cur_k);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failed = 1;
}

/* ---- what the callbacks saw ---------------------------------------------------- */

typedef struct seen {
    int live;       /* LIVE events for the whole connection */
    int reconnects; /* RECONNECTING events */
    int errors;     /* events carrying an error */
    int sub_failed; /* channels dropped for want of memory (SUBSCRIBE_FAILED) */
    int enomem;     /* ... of which NAX_ENOMEM */
    int tickers, ticker_updates;
    int trades, trade_updates;
    int book_snapshots;
    uint64_t book_seq; /* of the last consistent book change */
} seen;

static seen w;

static int on_state(const nax_stream_event *ev, void *ud)
{
    (void)ud;
    if (ev->state == NAX_STREAM_LIVE && !ev->channel)
        w.live++;
    if (ev->state == NAX_STREAM_RECONNECTING)
        w.reconnects++;
    if (ev->error) {
        w.errors++;
        w.enomem += ev->error == NAX_ENOMEM;
        if (ev->error > 0 || !ev->message || !ev->message[0])
            fail("event %s (%s) with error %d and message \"%s\"", nax_stream_state_name(ev->state),
                 nax_stream_reason_name(ev->reason), ev->error, ev->message ? ev->message : "");
        /* Running out of memory is not a bad message. A subscription the stream
         * could not even record locally is dropped and reported (the caller may
         * subscribe again): that ends the session, cleanly. */
        if (ev->error == NAX_ENOMEM && ev->reason == NAX_STREAM_REASON_PROTOCOL)
            fail("an allocation failure reported as %s: %s", nax_stream_reason_name(ev->reason),
                 ev->message);
        if (ev->reason == NAX_STREAM_REASON_SUBSCRIBE_FAILED) {
            if (ev->error == NAX_ENOMEM && ev->channel)
                w.sub_failed++;
            else
                fail("%s refused: %s (%d)", ev->channel ? ev->channel : "-", ev->message,
                     ev->error);
        }
    } else if (ev->reason == NAX_STREAM_REASON_PROTOCOL ||
               ev->reason == NAX_STREAM_REASON_SUBSCRIBE_FAILED) {
        fail("event %s (%s) without an error: %s", nax_stream_state_name(ev->state),
             nax_stream_reason_name(ev->reason), ev->message);
    }
    if (getenv("STREAM_TEST_VERBOSE"))
        fprintf(stderr, "k=%ld event %s (%s) %s: %s [error %d]\n", cur_k,
                nax_stream_state_name(ev->state), nax_stream_reason_name(ev->reason),
                ev->channel ? ev->channel : "-", ev->message, ev->error);
    return 0;
}

static int on_ticker(const nax_ticker *t, unsigned int flags, void *ud)
{
    (void)t;
    (void)ud;
    w.tickers++;
    w.ticker_updates += !(flags & NAX_STREAM_F_SNAPSHOT);
    return 0;
}

static int on_trade(const nax_trade *t, unsigned int flags, void *ud)
{
    (void)t;
    (void)ud;
    w.trades++;
    w.trade_updates += !(flags & NAX_STREAM_F_SNAPSHOT);
    return 0;
}

static int on_book(const nax_stream_book *b, void *ud)
{
    (void)ud;
    w.book_snapshots += b->snapshot != 0;
    w.book_seq = b->seq;
    return 0;
}

/* ---- helpers --------------------------------------------------------------------- */

/* An API call's result: 0, or a clean error. Returns rc. */
static int api(int rc, const char *what)
{
    if (!rc)
        return 0;
    const nax_error *e = nax_error_last();
    if (rc > 0 || e->code != rc || !e->message[0])
        fail("%s: rc %d, last error %d \"%s\"", what, rc, e->code, e->message);
    return rc;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Services the stream until pred() or 10 s (a hang: the run fails). */
static int wait_for(nax_stream *s, int (*pred)(void *arg), void *arg, const char *what)
{
    int64_t until = mono_ms() + 10000;
    while (!pred(arg)) {
        if (w.sub_failed)
            return -1; /* a channel was dropped (reported): the session cannot go on */
        if (mono_ms() >= until) {
            fail("%s did not happen within 10 s (live %d, reconnects %d, errors %d)", what, w.live,
                 w.reconnects, w.errors);
            return -1;
        }
        int rc = nax_stream_service(s, 50);
        if (rc) {
            api(rc, "nax_stream_service");
            fail("nax_stream_service: %d (%s)", rc, nax_error_last()->message);
            return -1;
        }
    }
    return 0;
}

static int ready(void *arg)
{
    (void)arg;
    return w.live > 0 && w.book_snapshots > 0 && w.tickers > 0;
}

/* A trade's effects: the book at the seq after it, and a ticker (and the
 * trade, when subscribed) delivered since; after a reconnect they may come
 * as snapshots rather than updates. */
typedef struct after_trade {
    uint64_t book_seq;
    int want_trade;
    int trades, tickers; /* counts before the trade */
} after_trade;

static int traded(void *arg)
{
    const after_trade *t = arg;
    return w.book_seq >= t->book_seq && w.tickers > t->tickers &&
           (!t->want_trade || w.trades > t->trades);
}

typedef struct count_at {
    nax_stream *s;
    uint64_t messages;
} count_at;

static int one_more_message(void *arg)
{
    const count_at *c = arg;
    nax_stream_stats st = {sizeof st};
    return nax_stream_stats_get(c->s, &st) == 0 && st.messages > c->messages;
}

static int place(nax_client *c, nax_side side, const char *price, const char *qty)
{
    nax_decimal p = naxh_dec(price);
    nax_order_request req = {sizeof req,  "BTC-AUD", side, NAX_ORDER_TYPE_LIMIT, &p, naxh_dec(qty),
                             NAX_TIF_GTC, 0,         NULL};
    nax_order *o = NULL;
    int rc = nax_orders_place(c, &req, &o);
    nax_object_free(o);
    return rc;
}

/* A trade over REST on a thread of its own, whose allocations are not
 * counted, cannot fail and do not mix with the stream's (which are all made
 * and freed on the main thread: external mode). */
typedef struct trade_job {
    uint64_t seq;
    int rc;
    char why[256];
} trade_job;

static void *trade_thread(void *arg)
{
    trade_job *j = arg;
    failalloc_pause(1);
    nax_order_book *b = NULL;
    j->rc = place(seller.client, NAX_SIDE_SELL, "1000.00", "0.02");
    if (!j->rc)
        j->rc = place(buyer.client, NAX_SIDE_BUY, "1000.00", "0.02");
    if (!j->rc)
        j->rc = nax_markets_orderbook(anon, "BTC-AUD", 1, &b);
    if (!j->rc)
        j->seq = b->seq;
    else
        snprintf(j->why, sizeof j->why, "%s", nax_error_last()->message);
    nax_object_free(b);
    return NULL;
}

/* *seq receives the book's seq after the trade. 0 or -1. */
static int trade(uint64_t *seq)
{
    trade_job j = {0, 0, ""};
    pthread_t t;
    if (pthread_create(&t, NULL, trade_thread, &j) != 0) {
        fail("cannot start a thread");
        return -1;
    }
    pthread_join(t, NULL);
    if (j.rc)
        fail("trading over REST: %s", j.why);
    *seq = j.seq;
    return j.rc ? -1 : 0;
}

/* ---- one session ------------------------------------------------------------------ */

/* Runs the session; returns 1 when it went through every step. */
static int session(void)
{
    memset(&w, 0, sizeof w);
    char url[96];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/v1/stream", srv.port);
    nax_stream_options o = NAX_STREAM_OPTIONS_INIT;
    o.url = url;
    o.mode = NAX_STREAM_MODE_EXTERNAL;
    nax_stream_callbacks cb = {on_state, on_ticker, on_trade, on_book, NULL, NULL, NULL, NULL};
    o.callbacks = cb;
    /* no ping traffic: the unsubscribe's ack is the only message then */
    o.ping_interval_ms = 60000;
    o.reconnect_min_ms = 10;
    o.reconnect_max_ms = 100;
    o.connect_timeout_ms = 5000;
    const char *channels[] = {"book:BTC-AUD", "trades:BTC-AUD", "ticker:BTC-AUD"};
    nax_stream *s = NULL;
    int complete = 0;
    after_trade t;
    if (api(nax_stream_new(&s, &o), "nax_stream_new") ||
        api(nax_stream_subscribe(s, channels, 3), "nax_stream_subscribe") ||
        api(nax_stream_start(s), "nax_stream_start") ||
        wait_for(s, ready, NULL, "LIVE with the snapshots"))
        goto out;
    t = (after_trade){0, 1, w.trades, w.tickers};
    if (trade(&t.book_seq) || wait_for(s, traded, &t, "the trade's updates"))
        goto out;
    nax_stream_stats st = {sizeof st};
    if (api(nax_stream_stats_get(s, &st), "nax_stream_stats_get") ||
        api(nax_stream_unsubscribe(s, channels + 1, 1), "nax_stream_unsubscribe"))
        goto out;
    count_at c = {s, st.messages};
    if (wait_for(s, one_more_message, &c, "the unsubscribe's ack"))
        goto out;
    t = (after_trade){0, 0, w.trades, w.tickers};
    if (trade(&t.book_seq) || wait_for(s, traded, &t, "the second trade's book and ticker"))
        goto out;
    /* the trades channel is not wanted any more: no trade, not even after a reconnect */
    if (w.trades != t.trades)
        fail("%d trades came after the unsubscribe", w.trades - t.trades);
    complete = 1;
out:
    nax_stream_free(s);
    return complete;
}

int main(void)
{
    if (nax_global_init(failalloc_allocator()) != 0 || naxh_start(&srv, NULL) != 0)
        return 1;
    if (naxh_user_new(&srv, &buyer) || naxh_user_new(&srv, &seller) ||
        naxh_fund_fiat(&srv, &buyer, "AUD", "1000000.00") ||
        naxh_fund_crypto(&srv, &seller, "BTC", "100") || naxh_client(&srv, NULL, &anon)) {
        fprintf(stderr, "setup failed: %s\n", nax_error_last()->message);
        failed = 1;
    }
    const char *stride_env = getenv("NAX_ALLOC_STRIDE");
    long stride = stride_env && atol(stride_env) > 0 ? atol(stride_env) : 1;
    long k = 0, runs = 0, cut_short = 0, reconnected = 0;
    for (k = 1; !failed; k += stride) {
        cur_k = k;
        long live0 = failalloc_thread_live();
        nax_error_clear();
        failalloc_arm(k);
        int complete = session();
        failalloc_disarm();
        runs++;
        long leaked = failalloc_thread_live() - live0;
        if (leaked)
            fail("%ld blocks allocated during the run are not freed", leaked);
        cut_short += !complete;
        reconnected += w.reconnects > 0;
        if (!failalloc_hit()) {
            /* the run below k: every step, nothing went wrong */
            if (!complete || w.errors || w.reconnects || w.live != 1 || w.trade_updates != 1 ||
                w.ticker_updates < 2)
                fail("the undisturbed session: complete %d, errors %d, reconnects %d, live %d, "
                     "trade updates %d, ticker updates %d",
                     complete, w.errors, w.reconnects, w.live, w.trade_updates, w.ticker_updates);
            break;
        }
    }
    printf("live stream session: %ld allocation points tried (%ld runs), %ld cut short by a "
           "clean error, %ld reconnected and went on, %s\n",
           k, runs, cut_short, reconnected, failed ? "FAILED" : "all clean");
    nax_client_free(anon);
    naxh_user_free(&buyer);
    naxh_user_free(&seller);
    naxh_stop(&srv);
    nax_global_shutdown();
    if (failalloc_live() != 0) {
        fprintf(stderr, "%ld blocks still allocated after nax_global_shutdown\n", failalloc_live());
        failed = 1;
    }
    return failed || srv.exit_status ? 1 : 0;
}

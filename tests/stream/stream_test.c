/* Helpers of the stream tests (stream_test.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stream_test.h"

#define MAX_TRACKED 64
static recorder *recorders[MAX_TRACKED];
static size_t n_recorders;
static nax_stream *streams[MAX_TRACKED];
static size_t n_streams;

recorder *rec_new(void)
{
    ck_assert_uint_lt(n_recorders, MAX_TRACKED);
    recorder *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    r->items = calloc(REC_MAX_ITEMS, sizeof *r->items);
    ck_assert_ptr_nonnull(r->items);
    recorders[n_recorders++] = r;
    return r;
}

void stream_track(nax_stream *s)
{
    ck_assert_uint_lt(n_streams, MAX_TRACKED);
    streams[n_streams++] = s;
}

void stream_free(nax_stream *s)
{
    for (size_t i = 0; i < n_streams; i++)
        if (streams[i] == s)
            streams[i] = streams[--n_streams];
    nax_stream_free(s);
}

void stream_test_cleanup(void)
{
    while (n_streams)
        nax_stream_free(streams[--n_streams]);
    while (n_recorders) {
        recorder *r = recorders[--n_recorders];
        free(r->items);
        pthread_cond_destroy(&r->cond);
        pthread_mutex_destroy(&r->lock);
        free(r);
    }
}

static void add_item(recorder *r, rec_kind kind, const char *id, const char *other,
                     unsigned int flags, int status, uint64_t seq, int snapshot)
{
    pthread_mutex_lock(&r->lock);
    if (r->nitems < REC_MAX_ITEMS) {
        rec_item *it = &r->items[r->nitems++];
        it->kind = kind;
        snprintf(it->id, sizeof it->id, "%s", id ? id : "");
        snprintf(it->other, sizeof it->other, "%s", other ? other : "");
        it->flags = flags;
        it->status = status;
        it->seq = seq;
        it->snapshot = snapshot;
    }
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

/* Callbacks may not drive their own stream: record what re-entry returns. */
static void check_reentry(recorder *r)
{
    if (!r->stream || r->reentry_checked)
        return;
    r->reentry_checked = 1;
    r->reentry_rc[0] = nax_stream_service(r->stream, 0);
    r->reentry_rc[1] = nax_stream_service_fds(r->stream, NULL, 0);
    nax_stream_free(r->stream); /* does nothing from a callback */
    r->reentry_rc[2] = nax_stream_state_get(r->stream) != NAX_STREAM_CLOSED ? 0 : -1;
}

static int on_state(const nax_stream_event *ev, void *ud)
{
    recorder *r = ud;
    check_reentry(r);
    if (getenv("STREAM_TEST_VERBOSE"))
        fprintf(stderr, "event %s (%s) %s: %s [attempt %u, delay %llu, close %d]\n",
                nax_stream_state_name(ev->state), nax_stream_reason_name(ev->reason),
                ev->channel ? ev->channel : "-", ev->message, ev->attempt,
                (unsigned long long)ev->delay_ms, ev->close_code);
    pthread_mutex_lock(&r->lock);
    if (r->nevents < REC_MAX_EVENTS) {
        rec_event *e = &r->events[r->nevents++];
        e->state = ev->state;
        e->reason = ev->reason;
        snprintf(e->channel, sizeof e->channel, "%s", ev->channel ? ev->channel : "");
        e->error = ev->error;
        e->attempt = ev->attempt;
        e->delay_ms = ev->delay_ms;
    }
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    return 0;
}

static int on_ticker(const nax_ticker *t, unsigned int flags, void *ud)
{
    add_item(ud, REC_TICKER, t->pair, NULL, flags, 0, t->seq, 0);
    return 0;
}

static int on_trade(const nax_trade *t, unsigned int flags, void *ud)
{
    add_item(ud, REC_TRADE, t->id, t->pair, flags, 0, 0, 0);
    return 0;
}

static int on_book(const nax_stream_book *b, void *ud)
{
    recorder *r = ud;
    add_item(r, REC_BOOK, b->pair, NULL, 0, 0, b->seq, b->snapshot);
    pthread_mutex_lock(&r->lock);
    size_t n = ++r->books;
    int stop = r->stop_after_books > 0 && n == (size_t)r->stop_after_books;
    pthread_mutex_unlock(&r->lock);
    return stop;
}

static int on_order(const nax_order *o, unsigned int flags, void *ud)
{
    add_item(ud, REC_ORDER, o->id, o->pair, flags, (int)o->status, (uint64_t)o->updated_at, 0);
    return 0;
}

static int on_balance(const nax_balance *b, unsigned int flags, void *ud)
{
    add_item(ud, REC_BALANCE, b->asset, NULL, flags, 0, 0, 0);
    return 0;
}

static int on_fill(const nax_fill *f, unsigned int flags, void *ud)
{
    add_item(ud, REC_FILL, f->id, f->order_id, flags, 0, 0, 0);
    return 0;
}

nax_stream_callbacks rec_callbacks(recorder *r)
{
    nax_stream_callbacks cb = {on_state, on_ticker,  on_trade, on_book,
                               on_order, on_balance, on_fill,  r};
    return cb;
}

static long find_locked(recorder *r, size_t from, nax_stream_state state, int reason,
                        const char *channel)
{
    for (size_t i = from; i < r->nevents; i++) {
        const rec_event *e = &r->events[i];
        if (((int)state < 0 || e->state == state) && (reason < 0 || (int)e->reason == reason) &&
            (!channel || !strcmp(e->channel, channel)))
            return (long)i;
    }
    return -1;
}

long rec_find(recorder *r, size_t from, nax_stream_state state, int reason, const char *channel)
{
    pthread_mutex_lock(&r->lock);
    long i = find_locked(r, from, state, reason, channel);
    pthread_mutex_unlock(&r->lock);
    return i;
}

size_t rec_count_events(recorder *r, nax_stream_state state, int reason, const char *channel)
{
    size_t n = 0;
    pthread_mutex_lock(&r->lock);
    for (long i = find_locked(r, 0, state, reason, channel); i >= 0;
         i = find_locked(r, (size_t)i + 1, state, reason, channel))
        n++;
    pthread_mutex_unlock(&r->lock);
    return n;
}

size_t rec_events(recorder *r)
{
    pthread_mutex_lock(&r->lock);
    size_t n = r->nevents;
    pthread_mutex_unlock(&r->lock);
    return n;
}

static size_t count_locked(recorder *r, rec_kind kind, const char *id, unsigned int flags,
                           int exact)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nitems; i++) {
        const rec_item *it = &r->items[i];
        if (it->kind != kind || (id && strcmp(it->id, id)))
            continue;
        if (exact ? it->flags == flags : (it->flags & flags) == flags)
            n++;
    }
    return n;
}

size_t rec_count(recorder *r, rec_kind kind, const char *id, unsigned int flags)
{
    pthread_mutex_lock(&r->lock);
    size_t n = count_locked(r, kind, id, flags, 0);
    pthread_mutex_unlock(&r->lock);
    return n;
}

size_t rec_count_exact(recorder *r, rec_kind kind, const char *id, unsigned int flags)
{
    pthread_mutex_lock(&r->lock);
    size_t n = count_locked(r, kind, id, flags, 1);
    pthread_mutex_unlock(&r->lock);
    return n;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits up to `ms` for a change: services `drive`, or sleeps on the condition. */
static void wait_a_little(recorder *r, nax_stream *drive, int ms)
{
    if (drive) {
        int rc = nax_stream_service(drive, ms);
        ck_assert_msg(rc == 0 || rc == NAX_EUSER || rc == NAX_ESTATE, "service: %d %s", rc,
                      nax_error_last()->message);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += (long)ms * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&r->lock);
    pthread_cond_timedwait(&r->cond, &r->lock, &ts);
    pthread_mutex_unlock(&r->lock);
}

long rec_wait_event(recorder *r, nax_stream *drive, size_t from, nax_stream_state state, int reason,
                    const char *channel, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    for (;;) {
        long i = rec_find(r, from, state, reason, channel);
        if (i >= 0 || now_ms() >= end)
            return i;
        wait_a_little(r, drive, 50);
    }
}

int rec_wait_count(recorder *r, nax_stream *drive, rec_kind kind, const char *id,
                   unsigned int flags, size_t n, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    for (;;) {
        if (rec_count(r, kind, id, flags) >= n)
            return 1;
        if (now_ms() >= end)
            return 0;
        wait_a_little(r, drive, 50);
    }
}

int rec_wait_events(recorder *r, nax_stream *drive, nax_stream_state state, int reason,
                    const char *channel, size_t n, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    for (;;) {
        if (rec_count_events(r, state, reason, channel) >= n)
            return 1;
        if (now_ms() >= end)
            return 0;
        wait_a_little(r, drive, 50);
    }
}

int rec_wait_until(recorder *r, nax_stream *drive, int (*pred)(void *arg), void *arg,
                   int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    for (;;) {
        if (pred(arg))
            return 1;
        if (now_ms() >= end)
            return 0;
        wait_a_little(r, drive, 50);
    }
}

static void log_line(nax_log_level level, const char *message, void *ud)
{
    (void)ud;
    fprintf(stderr, "log %s: %s\n", nax_log_level_name(level), message);
}

nax_stream *stream_for(naxh_server *srv, nax_client *client, recorder *r, nax_stream_mode mode,
                       void (*adjust)(nax_stream_options *o))
{
    char url[96];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/v1/stream", srv->port);
    if (getenv("STREAM_TEST_VERBOSE"))
        nax_log_set(log_line, NAX_LOG_DEBUG, NULL);
    nax_stream_options o = NAX_STREAM_OPTIONS_INIT;
    o.client = client;
    o.url = client ? NULL : url;
    o.mode = mode;
    o.callbacks = rec_callbacks(r);
    o.ping_interval_ms = 200;
    o.reconnect_min_ms = 50;
    o.reconnect_max_ms = 400;
    o.connect_timeout_ms = 2000;
    if (adjust)
        adjust(&o);
    nax_stream *s = NULL;
    OK(nax_stream_new(&s, &o));
    stream_track(s);
    return s;
}

void subscribe_or_fail(nax_stream *s, const char *const *channels, size_t count)
{
    OK(nax_stream_subscribe(s, channels, count));
}

void place_limit(nax_client *c, const char *pair, nax_side side, const char *price, const char *qty,
                 char *id_out, size_t id_size)
{
    nax_decimal p = naxh_dec(price);
    nax_order_request req = {sizeof req,  pair, side, NAX_ORDER_TYPE_LIMIT, &p, naxh_dec(qty),
                             NAX_TIF_GTC, 0,    NULL};
    nax_order *o = NULL;
    OK(nax_orders_place(c, &req, &o));
    if (id_out)
        snprintf(id_out, id_size, "%s", o->id);
    nax_object_free(o);
}

static int levels_equal(const nax_book_level *a, size_t na, const nax_book_level *b, size_t nb,
                        const char *side, char *why, size_t why_size)
{
    if (na != nb) {
        snprintf(why, why_size, "%s: %zu levels locally, %zu on the server", side, na, nb);
        return 0;
    }
    for (size_t i = 0; i < na; i++) {
        if (nax_decimal_cmp(&a[i].price, &b[i].price) ||
            nax_decimal_cmp(&a[i].quantity, &b[i].quantity)) {
            char p1[64], q1[64], p2[64], q2[64];
            nax_decimal_format(p1, sizeof p1, &a[i].price);
            nax_decimal_format(q1, sizeof q1, &a[i].quantity);
            nax_decimal_format(p2, sizeof p2, &b[i].price);
            nax_decimal_format(q2, sizeof q2, &b[i].quantity);
            snprintf(why, why_size, "%s[%zu]: %s:%s locally, %s:%s on the server", side, i, p1, q1,
                     p2, q2);
            return 0;
        }
    }
    return 1;
}

int book_equals_server(nax_stream *s, nax_client *rest, const char *pair, char *why,
                       size_t why_size)
{
    nax_order_book *local = NULL, *server = NULL;
    int ok = 0;
    snprintf(why, why_size, "no local book");
    if (nax_stream_book_copy(s, pair, 0, &local) != 0)
        return 0;
    if (nax_markets_orderbook(rest, pair, 0, &server) != 0) {
        snprintf(why, why_size, "GET orderbook: %s", nax_error_last()->message);
        goto out;
    }
    if (local->seq != server->seq) {
        snprintf(why, why_size, "seq %llu locally, %llu on the server",
                 (unsigned long long)local->seq, (unsigned long long)server->seq);
        goto out;
    }
    if (!levels_equal(local->bids, local->bids_count, server->bids, server->bids_count, "bids", why,
                      why_size) ||
        !levels_equal(local->asks, local->asks_count, server->asks, server->asks_count, "asks", why,
                      why_size))
        goto out;
    if (local->checksum != server->checksum) {
        snprintf(why, why_size, "checksum %lu locally, %lu on the server",
                 (unsigned long)local->checksum, (unsigned long)server->checksum);
        goto out;
    }
    ok = 1;
out:
    nax_object_free(local);
    nax_object_free(server);
    return ok;
}

void market_start(naxh_server *srv, const char *overrides, naxh_user *buyer, naxh_user *seller,
                  nax_client **anon)
{
    client_test_global_init();
    ck_assert_int_eq(naxh_start(srv, overrides), 0);
    OK(naxh_client(srv, NULL, anon));
    OK(naxh_user_new(srv, buyer));
    OK(naxh_user_new(srv, seller));
    OK(naxh_fund_fiat(srv, buyer, "AUD", "10000000.00"));
    OK(naxh_fund_crypto(srv, seller, "BTC", "100"));
}

void market_stop(naxh_server *srv, naxh_user *buyer, naxh_user *seller, nax_client **anon)
{
    naxh_user_free(buyer);
    naxh_user_free(seller);
    nax_client_free(*anon);
    *anon = NULL;
    stream_test_cleanup();
    naxh_stop(srv);
    ck_assert_int_eq(srv->exit_status, 0);
    nax_global_shutdown();
}

/* Public market data: markets, ticker, order book, trades, time. */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/internal.h"
#include "core/core.h"

#define DAY_MS (24LL * 3600 * 1000)

typedef struct recent_trade {
    int64_t ts;
    nax_decimal qty;
} recent_trade;

typedef struct market_state {
    char *pair;
    int has_last;
    nax_decimal last;
    recent_trade *ring; /* trades of the last 24 h, oldest first */
    size_t head, count, cap;
    nax_decimal volume; /* sum of ring quantities */
    uint64_t seq;       /* ticker sequence */
    int64_t ts;         /* time of the last change */
} market_state;

struct naxd_market_data {
    market_state *markets;
    size_t count;
};

static market_state *state_of(naxd_app *a, const char *pair)
{
    naxd_market_data *d = a->market_data;
    for (size_t i = 0; d && i < d->count; i++)
        if (!strcmp(d->markets[i].pair, pair))
            return &d->markets[i];
    return NULL;
}

static void expire(market_state *m, int64_t now)
{
    while (m->count && m->ring[m->head].ts < now - DAY_MS) {
        nax_decimal_sub(&m->volume, &m->volume, &m->ring[m->head].qty);
        m->head = (m->head + 1) % m->cap;
        m->count--;
    }
}

static int push_trade(market_state *m, int64_t ts, const nax_decimal *qty)
{
    if (m->count == m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 64;
        recent_trade *nr = nax__malloc(ncap * sizeof(*nr));
        if (!nr)
            return NAX_ENOMEM;
        for (size_t i = 0; i < m->count; i++)
            nr[i] = m->ring[(m->head + i) % m->cap];
        nax__free(m->ring);
        m->ring = nr;
        m->cap = ncap;
        m->head = 0;
    }
    m->ring[(m->head + m->count) % m->cap] = (recent_trade){ts, *qty};
    m->count++;
    return nax_decimal_add(&m->volume, &m->volume, qty);
}

/* A trade into the 24 h window and the last price (the seq is the caller's). */
static void record_trade(market_state *m, const nax_decimal *price, const nax_decimal *qty,
                         int64_t ts)
{
    m->has_last = 1;
    m->last = *price;
    push_trade(m, ts, qty);
    m->ts = ts;
}

void naxd__market_data_change(naxd_app *a, const char *pair, const nax_trade *const *trades,
                              size_t count, int64_t ts)
{
    market_state *m = state_of(a, pair);
    if (!m)
        return;
    for (size_t i = 0; i < count; i++)
        record_trade(m, &trades[i]->price, &trades[i]->quantity, trades[i]->ts);
    m->seq++;
    if (!count)
        m->ts = ts;
}

int naxd__market_data_ticker(naxd_app *a, const char *pair, nax_decimal *last, nax_ticker *t)
{
    market_state *m = state_of(a, pair);
    if (!m)
        return nax__error(NAX_ENOTFOUND, "no market %s", pair);
    expire(m, naxd_now_ms(a));
    memset(t, 0, sizeof(*t));
    t->struct_size = sizeof(*t);
    t->pair = m->pair;
    if (m->has_last) {
        *last = m->last;
        t->last = last;
    }
    t->volume_24h = m->volume;
    t->seq = m->seq;
    t->ts = m->ts;
    return 0;
}

void naxd__market_data_free(naxd_app *a)
{
    naxd_market_data *d = a->market_data;
    if (!d)
        return;
    for (size_t i = 0; i < d->count; i++) {
        /* A reload must not take a ticker's seq back. */
        if (d->markets[i].seq > a->ticker_seq_floor)
            a->ticker_seq_floor = d->markets[i].seq;
        nax__free(d->markets[i].pair);
        nax__free(d->markets[i].ring);
    }
    nax__free(d->markets);
    nax__free(d);
    a->market_data = NULL;
}

int naxd__market_data_load(naxd_app *a)
{
    naxd_market_data *d = nax__calloc(1, sizeof(*d));
    size_t n = naxd_engine_market_count(a->engine);
    if (!d || !(d->markets = nax__calloc(n ? n : 1, sizeof(market_state)))) {
        nax__free(d);
        return nax__error_oom();
    }
    a->market_data = d;
    int64_t now = naxd_now_ms(a);
    for (size_t i = 0; i < n; i++) {
        market_state *m = &d->markets[d->count];
        if (!(m->pair = nax__strdup(naxd_engine_market_at(a->engine, i)->pair)))
            return nax__error_oom();
        d->count++;
        m->seq = a->ticker_seq_floor + 1;
        m->ts = now;
        nax_decimal_from_int(&m->volume, 0, 0);
    }
    sqlite3_stmt *st = naxd_store_query(
        a->store, "SELECT pair, price, quantity, ts FROM trades WHERE ts >= ? ORDER BY id");
    if (!st)
        return NAX_EIO;
    sqlite3_bind_int64(st, 1, now - DAY_MS);
    int rc = 0;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        nax_decimal price, qty;
        if (naxd_column_decimal(st, 1, &price) || naxd_column_decimal(st, 2, &qty)) {
            rc = nax__error(NAX_EIO, "store: a trade holds a malformed decimal");
            break;
        }
        market_state *m = state_of(a, (const char *)sqlite3_column_text(st, 0));
        if (m) {
            record_trade(m, &price, &qty, sqlite3_column_int64(st, 3));
            m->seq++;
        }
    }
    sqlite3_reset(st);
    /* The last price survives even when no trade happened in the last day. */
    for (size_t i = 0; !rc && i < d->count; i++) {
        market_state *m = &d->markets[i];
        if (m->has_last)
            continue;
        sqlite3_stmt *q = naxd_store_query(
            a->store, "SELECT price FROM trades WHERE pair = ? ORDER BY id DESC LIMIT 1");
        if (!q)
            return NAX_EIO;
        sqlite3_bind_text(q, 1, m->pair, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW && naxd_column_decimal(q, 0, &m->last) == 0)
            m->has_last = 1;
        sqlite3_reset(q);
    }
    return rc;
}

/* ---- handlers ------------------------------------------------------------------------ */

NAXD_HANDLER(h_markets)
{
    naxd_app *a = app;
    size_t n = naxd_engine_market_count(a->engine);
    nax_market *items = nax__calloc(n ? n : 1, sizeof(*items));
    const nax_market **ptrs = nax__calloc(n ? n : 1, sizeof(*ptrs));
    if (!items || !ptrs) {
        nax__free(items);
        nax__free(ptrs);
        naxd_fail(req, 500, "internal_error", NULL, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const naxd_market_spec *s = naxd_engine_market_at(a->engine, i);
        items[i] = (nax_market){sizeof(nax_market), s->pair,     s->base,         s->quote,
                                s->tick_size,       s->lot_size, s->min_notional, s->status};
        ptrs[i] = &items[i];
    }
    nax_market_list list = {sizeof list, (const nax_market *const *)ptrs, n};
    naxd_ok(a, req, 200, NAX_TYPE_MARKET_LIST, &list);
    nax__free(items);
    nax__free(ptrs);
}

static const naxd_market_spec *market_param(naxd_app *a, naxd_req *req)
{
    const char *pair = naxd_req_param(req, "pair");
    const naxd_market_spec *m = pair ? naxd_engine_market(a->engine, pair) : NULL;
    if (!m)
        naxd_fail(req, 404, "unknown_pair", "pair", "no market %s", pair ? pair : "");
    return m;
}

NAXD_HANDLER(h_ticker)
{
    naxd_app *a = app;
    const naxd_market_spec *spec = market_param(a, req);
    if (!spec)
        return;
    int has_bid, has_ask;
    nax_decimal bid, ask, last;
    nax_ticker t;
    if (naxd__market_data_ticker(a, spec->pair, &last, &t) != 0) {
        naxd_fail(req, 500, "internal_error", NULL, "no market data for %s", spec->pair);
        return;
    }
    naxd_engine_top(a->engine, spec->pair, &has_bid, &bid, &has_ask, &ask);
    t.bid = has_bid ? &bid : NULL;
    t.ask = has_ask ? &ask : NULL;
    naxd_ok(a, req, 200, NAX_TYPE_TICKER, &t);
}

NAXD_HANDLER(h_orderbook)
{
    naxd_app *a = app;
    const naxd_market_spec *spec = market_param(a, req);
    uint32_t depth;
    if (!spec || naxd_query_u32(req, "depth", 1, 1000, 50, &depth))
        return;
    naxd_level *levels = nax__calloc(depth * 2, sizeof(*levels));
    nax_book_level *out = nax__calloc(depth * 2, sizeof(*out));
    if (!levels || !out) {
        nax__free(levels);
        nax__free(out);
        naxd_fail(req, 500, "internal_error", NULL, "out of memory");
        return;
    }
    size_t nb = 0, na = 0;
    uint64_t seq = 0;
    naxd_engine_book(a->engine, spec->pair, depth, levels, &nb, levels + depth, &na, &seq);
    for (size_t i = 0; i < nb; i++)
        out[i] = (nax_book_level){levels[i].price, levels[i].quantity};
    for (size_t i = 0; i < na; i++)
        out[depth + i] = (nax_book_level){levels[depth + i].price, levels[depth + i].quantity};
    nax_order_book book = {sizeof book, spec->pair, seq, out,           nb,
                           out + depth, na,         0,   naxd_now_ms(a)};
    nax_book_checksum(&book.checksum, out, nb, out + depth, na);
    naxd_ok(a, req, 200, NAX_TYPE_ORDER_BOOK, &book);
    nax__free(levels);
    nax__free(out);
}

NAXD_HANDLER(h_trades)
{
    naxd_app *a = app;
    const naxd_market_spec *spec = market_param(a, req);
    uint32_t limit;
    if (!spec || naxd_query_u32(req, "limit", 1, 1000, 100, &limit))
        return;
    sqlite3_stmt *st =
        naxd_store_query(a->store, "SELECT id, price, quantity, taker_side, ts FROM trades "
                                   "WHERE pair = ? ORDER BY id DESC LIMIT ?");
    if (!st) {
        naxd_fail(req, 500, "internal_error", NULL, "the store could not be read");
        return;
    }
    sqlite3_bind_text(st, 1, spec->pair, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, limit);
    nax_trade *items = nax__calloc(limit, sizeof(*items));
    const nax_trade **ptrs = nax__calloc(limit, sizeof(*ptrs));
    char(*ids)[24] = nax__calloc(limit, sizeof(*ids));
    size_t n = 0;
    int bad = !items || !ptrs || !ids;
    while (!bad && n < limit && sqlite3_step(st) == SQLITE_ROW) {
        nax_trade *t = &items[n];
        t->struct_size = sizeof *t;
        naxd_fmt_id(ids[n], sizeof ids[n], "t_", (uint64_t)sqlite3_column_int64(st, 0));
        t->id = ids[n];
        t->pair = spec->pair;
        bad = naxd_column_decimal(st, 1, &t->price) || naxd_column_decimal(st, 2, &t->quantity);
        t->side = (nax_side)sqlite3_column_int(st, 3);
        t->ts = sqlite3_column_int64(st, 4);
        ptrs[n] = t;
        n++;
    }
    sqlite3_reset(st);
    if (bad) {
        naxd_fail(req, 500, "internal_error", NULL, "trades could not be read");
    } else {
        nax_trade_list list = {sizeof list, (const nax_trade *const *)ptrs, n};
        naxd_ok(a, req, 200, NAX_TYPE_TRADE_LIST, &list);
    }
    nax__free(items);
    nax__free(ptrs);
    nax__free(ids);
}

NAXD_HANDLER(h_time)
{
    naxd_app *a = app;
    nax_server_time t = {sizeof t, naxd_now_ms(a)};
    naxd_ok(a, req, 200, NAX_TYPE_SERVER_TIME, &t);
}

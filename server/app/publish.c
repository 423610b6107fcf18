/* The market stream's feed: capture a change when memory changes, publish it
 * once durable (see app/publish.h). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/internal.h"
#include "app/orders.h"
#include "app/publish.h"
#include "core/core.h"
#include "stream/stream.h"

#define NAME_MAX_LEN 32

/* One book that changed: the levels touched with their new totals, best
 * first, the seq after the change and the top of the book then. */
typedef struct ev_book {
    char pair[NAME_MAX_LEN];
    uint64_t seq;
    nax_book_level *bids, *asks;
    size_t nb, na;
    int has_bid, has_ask;
    nax_decimal bid, ask;
} ev_book;

typedef struct ev_trade {
    nax_trade t;
    char id[24];
} ev_trade;

typedef struct ev_order {
    uint64_t user;
    naxd_order_view v;
    char pair[NAME_MAX_LEN];
    char *cid;
} ev_order;

typedef struct ev_fill {
    uint64_t user;
    nax_fill f;
    char id[24], order_id[24], pair[NAME_MAX_LEN], fee_asset[NAME_MAX_LEN];
} ev_fill;

typedef struct ev_balance {
    uint64_t user;
    nax_balance b;
    char asset[NAME_MAX_LEN];
} ev_balance;

/* Memory of one events record: its arrays are sized once and never grow,
 * so they come from chunks freed together, the first of them allocated with
 * the record (one allocation for a typical order instead of seven). */
typedef struct ev_chunk {
    struct ev_chunk *next;
    size_t used, cap;
    max_align_t data[];
} ev_chunk;

#define EV_CHUNK_FIRST 4096
#define EV_CHUNK_MORE  4096

/* Arrays are sized once from the exec and never grow, so the pointers the
 * views hold into their own elements stay valid. */
struct naxd_events {
    ev_chunk *chunks; /* the last is the one allocated with the record */
    int64_t ts;
    ev_book *books;
    size_t nbooks;
    char trades_pair[NAME_MAX_LEN];
    ev_trade *trades;
    const nax_trade **trade_ptrs;
    size_t ntrades;
    uint64_t last_trade_seq;
    ev_order *orders;
    size_t norders;
    ev_fill *fills;
    size_t nfills;
    ev_balance *balances;
    size_t nbalances;
};

naxd_events *naxd_events_new(void)
{
    /* The record, then its first chunk (the record's size keeps the chunk
     * pointer-aligned; the chunk's data is max_align_t-aligned inside it). */
    size_t head = (sizeof(naxd_events) + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
    naxd_events *ev = nax__malloc(head + sizeof(ev_chunk) + EV_CHUNK_FIRST);
    if (!ev)
        return NULL;
    memset(ev, 0, sizeof(*ev));
    ev_chunk *c = (ev_chunk *)((char *)ev + head);
    c->next = NULL;
    c->used = 0;
    c->cap = EV_CHUNK_FIRST;
    ev->chunks = c;
    return ev;
}

/* n zeroed elements of size bytes (n may be 0: a valid pointer all the
 * same), or NULL when out of memory or the size overflows. */
static void *ev_calloc(naxd_events *ev, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size / 2)
        return NULL;
    size_t bytes = n * size, align = _Alignof(max_align_t);
    bytes = (bytes + align - 1) & ~(align - 1);
    ev_chunk *c = ev->chunks;
    if (c->cap - c->used < bytes) {
        size_t cap = bytes > EV_CHUNK_MORE ? bytes : EV_CHUNK_MORE;
        c = nax__malloc(sizeof(*c) + cap);
        if (!c)
            return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = ev->chunks;
        ev->chunks = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += bytes;
    memset(p, 0, bytes);
    return p;
}

static char *ev_strdup(naxd_events *ev, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = ev_calloc(ev, n, 1);
    if (p)
        memcpy(p, s, n);
    return p;
}

void naxd_events_free(naxd_events *ev)
{
    if (!ev)
        return;
    /* Every chunk but the last, which came with the record. */
    for (ev_chunk *c = ev->chunks; c && c->next;) {
        ev_chunk *next = c->next;
        nax__free(c);
        c = next;
    }
    nax__free(ev);
}

size_t naxd_events_fills(const naxd_events *ev)
{
    return ev ? ev->ntrades : 0;
}

/* ---- open orders' client order ids ------------------------------------------------- */

int naxd_order_cid_put(naxd_app *a, uint64_t order, const char *cid)
{
    char *copy = nax__strdup(cid);
    if (!copy)
        return nax__error_oom();
    char *old = naxd_map_get_u64(&a->order_cids, order);
    if (naxd_map_put_u64(&a->order_cids, order, copy) != 0) {
        nax__free(copy);
        return nax__error_oom();
    }
    nax__free(old);
    return 0;
}

static int free_cid(const char *key, uint64_t ukey, void *value, void *arg)
{
    (void)key, (void)ukey, (void)arg;
    nax__free(value);
    return 1;
}

void naxd_order_cids_clear(naxd_app *a)
{
    naxd_map_foreach(&a->order_cids, free_cid, NULL);
}

static int order_is_open(const naxd_order_state *o)
{
    return o->status == NAX_ORDER_STATUS_OPEN || o->status == NAX_ORDER_STATUS_PARTIALLY_FILLED;
}

/* After the views were made: the placed order's id joins the map while it
 * rests, and closed orders leave it. */
static int track_cids(naxd_app *a, const naxd_exec *x, const char *taker_cid)
{
    for (size_t i = 0; i < x->orders_count; i++) {
        const naxd_order_state *o = &x->orders[i];
        if (!order_is_open(o))
            nax__free(naxd_map_del_u64(&a->order_cids, o->id));
        else if (i == 0 && taker_cid && !naxd_map_get_u64(&a->order_cids, o->id) &&
                 naxd_order_cid_put(a, o->id, taker_cid) != 0)
            return NAX_ENOMEM;
    }
    return 0;
}

/* ---- capture -------------------------------------------------------------------------- */

static int level_cmp_desc(const void *pa, const void *pb)
{
    return nax_decimal_cmp(&((const nax_book_level *)pb)->price,
                           &((const nax_book_level *)pa)->price);
}

static int level_cmp_asc(const void *pa, const void *pb)
{
    return -level_cmp_desc(pa, pb);
}

/* Adds price to a side's list unless it is there (levels match by value). */
static void add_price(nax_book_level *levels, size_t *n, const nax_decimal *price)
{
    for (size_t i = 0; i < *n; i++)
        if (nax_decimal_cmp(&levels[i].price, price) == 0)
            return;
    levels[*n].price = *price;
    nax_decimal_from_int(&levels[*n].quantity, 0, 0);
    (*n)++;
}

/* The book of pair after x: every level a limit order of x sits at, with
 * its total now, the seq and the top. */
static int capture_book(naxd_app *a, naxd_events *ev, ev_book *b, const char *pair,
                        const naxd_exec *x)
{
    snprintf(b->pair, sizeof b->pair, "%s", pair);
    size_t room = x->orders_count ? x->orders_count : 1;
    b->bids = ev_calloc(ev, room, sizeof(*b->bids));
    b->asks = ev_calloc(ev, room, sizeof(*b->asks));
    if (!b->bids || !b->asks)
        return nax__error_oom();
    for (size_t i = 0; i < x->orders_count; i++) {
        const naxd_order_state *o = &x->orders[i];
        if (o->type != NAX_ORDER_TYPE_LIMIT || strcmp(o->pair, pair) != 0)
            continue;
        if (o->side == NAX_SIDE_BUY)
            add_price(b->bids, &b->nb, &o->price);
        else
            add_price(b->asks, &b->na, &o->price);
    }
    int rc = 0;
    for (size_t i = 0; !rc && i < b->nb; i++)
        rc = naxd_engine_level(a->engine, pair, NAX_SIDE_BUY, &b->bids[i].price,
                               &b->bids[i].quantity);
    for (size_t i = 0; !rc && i < b->na; i++)
        rc = naxd_engine_level(a->engine, pair, NAX_SIDE_SELL, &b->asks[i].price,
                               &b->asks[i].quantity);
    if (!rc)
        rc = naxd_engine_book(a->engine, pair, 0, NULL, NULL, NULL, NULL, &b->seq);
    if (!rc)
        rc = naxd_engine_top(a->engine, pair, &b->has_bid, &b->bid, &b->has_ask, &b->ask);
    qsort(b->bids, b->nb, sizeof(*b->bids), level_cmp_desc);
    qsort(b->asks, b->na, sizeof(*b->asks), level_cmp_asc);
    return rc;
}

/* Every pair whose book x changed (a placement changes one; a cancel-all
 * the pairs of the orders it cancelled). */
static int capture_books(naxd_app *a, naxd_events *ev, const naxd_exec *x)
{
    if (!x->book_changed || !x->orders_count)
        return 0;
    ev->books = ev_calloc(ev, x->orders_count, sizeof(*ev->books));
    if (!ev->books)
        return nax__error_oom();
    for (size_t i = 0; i < x->orders_count; i++) {
        const char *pair = x->orders[i].pair;
        int seen = 0;
        for (size_t j = 0; j < ev->nbooks && !seen; j++)
            seen = !strcmp(ev->books[j].pair, pair);
        if (seen)
            continue;
        int rc = capture_book(a, ev, &ev->books[ev->nbooks++], pair, x);
        if (rc)
            return rc;
    }
    return 0;
}

/* Trades and both sides of every fill. Fills only come from a placement,
 * all in the placed order's market. */
static int capture_fills(naxd_app *a, naxd_events *ev, const naxd_exec *x)
{
    if (!x->fills_count)
        return 0;
    const naxd_market_spec *m = naxd_engine_market(a->engine, x->orders[0].pair);
    ev->trades = ev_calloc(ev, x->fills_count, sizeof(*ev->trades));
    ev->trade_ptrs = ev_calloc(ev, x->fills_count, sizeof(*ev->trade_ptrs));
    ev->fills = ev_calloc(ev, x->fills_count * 2, sizeof(*ev->fills));
    if (!m || !ev->trades || !ev->trade_ptrs || !ev->fills)
        return m ? nax__error_oom() : NAX_EINVAL;
    snprintf(ev->trades_pair, sizeof ev->trades_pair, "%s", m->pair);
    for (size_t i = 0; i < x->fills_count; i++) {
        const naxd_fill_event *f = &x->fills[i];
        ev_trade *t = &ev->trades[ev->ntrades++];
        naxd_fmt_id(t->id, sizeof t->id, "t_", f->trade_seq);
        t->t = (nax_trade){sizeof t->t,   t->id, ev->trades_pair, f->price, f->quantity,
                           f->taker_side, f->ts};
        ev->trade_ptrs[i] = &t->t;
        if (f->trade_seq > ev->last_trade_seq)
            ev->last_trade_seq = f->trade_seq;
        nax_side maker_side = f->taker_side == NAX_SIDE_BUY ? NAX_SIDE_SELL : NAX_SIDE_BUY;
        for (int side = 0; side < 2; side++) { /* maker, then taker */
            ev_fill *e = &ev->fills[ev->nfills++];
            int maker = side == 0;
            e->user = maker ? f->maker_user : f->taker_user;
            naxd_fmt_id(e->id, sizeof e->id, "t_", f->trade_seq);
            naxd_fmt_id(e->order_id, sizeof e->order_id, "o_",
                        maker ? f->maker_order : f->taker_order);
            snprintf(e->pair, sizeof e->pair, "%s", m->pair);
            snprintf(e->fee_asset, sizeof e->fee_asset, "%s", m->quote);
            e->f = (nax_fill){sizeof e->f,
                              e->id,
                              e->order_id,
                              e->pair,
                              maker ? maker_side : f->taker_side,
                              f->price,
                              f->quantity,
                              maker ? f->maker_fee : f->taker_fee,
                              e->fee_asset,
                              maker ? NAX_LIQUIDITY_MAKER : NAX_LIQUIDITY_TAKER,
                              f->ts};
        }
    }
    return 0;
}

/* Every order x touched, as its owner sees it. */
static int capture_orders(naxd_app *a, naxd_events *ev, const naxd_exec *x, const char *taker_cid)
{
    if (!x->orders_count)
        return 0;
    ev->orders = ev_calloc(ev, x->orders_count, sizeof(*ev->orders));
    if (!ev->orders)
        return nax__error_oom();
    for (size_t i = 0; i < x->orders_count; i++) {
        const naxd_order_state *o = &x->orders[i];
        const naxd_market_spec *m = naxd_engine_market(a->engine, o->pair);
        if (!m)
            return NAX_EINVAL;
        const char *cid = i == 0 && taker_cid ? taker_cid : naxd_map_get_u64(&a->order_cids, o->id);
        ev_order *e = &ev->orders[ev->norders++];
        e->user = o->user;
        if (cid && !(e->cid = ev_strdup(ev, cid)))
            return nax__error_oom();
        snprintf(e->pair, sizeof e->pair, "%s", o->pair);
        naxd_order_view_of(&e->v, o, e->cid, m);
        e->v.o.pair = e->pair;
    }
    return 0;
}

int naxd_events_capture_balances(naxd_app *a, naxd_events *ev, const naxd_exec *x)
{
    (void)a;
    if (!x->balances_count)
        return 0;
    ev->balances = ev_calloc(ev, x->balances_count, sizeof(*ev->balances));
    if (!ev->balances)
        return nax__error_oom();
    for (size_t i = 0; i < x->balances_count; i++) {
        const naxd_balance_event *b = &x->balances[i];
        if (b->user == NAXD_FEE_ACCOUNT)
            continue; /* no one subscribes as the exchange */
        ev_balance *e = &ev->balances[ev->nbalances++];
        e->user = b->user;
        snprintf(e->asset, sizeof e->asset, "%s", b->asset);
        e->b = (nax_balance){sizeof e->b, e->asset, b->available, b->locked, {0}};
        if (nax_decimal_add(&e->b.total, &b->available, &b->locked) != 0)
            return NAX_EOVERFLOW;
    }
    return 0;
}

int naxd_events_capture(naxd_app *a, naxd_events *ev, const naxd_exec *x, const char *taker_cid)
{
    ev->ts = naxd_now_ms(a);
    int rc = capture_books(a, ev, x);
    if (!rc)
        rc = capture_fills(a, ev, x);
    if (!rc)
        rc = capture_orders(a, ev, x, taker_cid);
    if (!rc)
        rc = naxd_events_capture_balances(a, ev, x);
    if (!rc)
        rc = track_cids(a, x, taker_cid);
    return rc;
}

/* ---- publish ------------------------------------------------------------------------------ */

/* The stream's copy of a book, replaced by the engine's (all levels). */
static int reset_book(naxd_app *a, const char *pair, int64_t ts)
{
    size_t depth = 256, nb = 0, na = 0;
    uint64_t seq = 0;
    naxd_level *levels = NULL;
    int rc = 0;
    for (;;) {
        nax__free(levels);
        levels = nax__calloc(depth * 2, sizeof(*levels));
        if (!levels)
            return nax__error_oom();
        rc = naxd_engine_book(a->engine, pair, depth, levels, &nb, levels + depth, &na, &seq);
        if (rc || (nb < depth && na < depth))
            break;
        depth *= 2; /* a side may have more: read again, deeper */
    }
    /* naxd_level and nax_book_level are both (price, quantity). */
    nax_book_level *out = rc ? NULL : nax__calloc(nb + na + 1, sizeof(*out));
    if (!rc && !out)
        rc = nax__error_oom();
    if (!rc) {
        for (size_t i = 0; i < nb; i++)
            out[i] = (nax_book_level){levels[i].price, levels[i].quantity};
        for (size_t i = 0; i < na; i++)
            out[nb + i] = (nax_book_level){levels[depth + i].price, levels[depth + i].quantity};
        rc = naxd_stream_book_reset(a->stream, pair, seq, ts, out, nb, out + nb, na);
    }
    nax__free(out);
    nax__free(levels);
    return rc;
}

/* The ticker after a market-data change, with the top of book it had then. */
static void publish_ticker(naxd_app *a, const char *pair, int has_bid, const nax_decimal *bid,
                           int has_ask, const nax_decimal *ask)
{
    nax_decimal last;
    nax_ticker t;
    if (naxd__market_data_ticker(a, pair, &last, &t) != 0)
        return;
    t.bid = has_bid ? bid : NULL;
    t.ask = has_ask ? ask : NULL;
    if (a->stream && naxd_stream_ticker(a->stream, &t) != 0)
        nax__log(NAX_LOG_WARN, "naxd: ticker of %s not published: %s", pair,
                 nax_error_last()->message);
}

static void publish_book(naxd_app *a, const naxd_events *ev, const ev_book *b)
{
    int rc =
        naxd_stream_book_update(a->stream, b->pair, b->seq, ev->ts, b->bids, b->nb, b->asks, b->na);
    if (rc == 0)
        return;
    /* The mirror missed a change (a failed publish): start it over. */
    nax__log(NAX_LOG_WARN, "naxd: book %s update %llu not published (%s); resetting it", b->pair,
             (unsigned long long)b->seq, nax_strerror(rc));
    if (reset_book(a, b->pair, ev->ts) != 0)
        nax__log(NAX_LOG_ERROR, "naxd: book %s could not be reset: %s", b->pair,
                 nax_error_last()->message);
}

void naxd_events_publish(naxd_app *a, naxd_events *ev)
{
    if (!ev)
        return;
    naxd_stream *s = a->stream;
    for (size_t i = 0; s && i < ev->nbooks; i++)
        publish_book(a, ev, &ev->books[i]);
    if (s && ev->ntrades)
        naxd_stream_trades(s, ev->trades_pair, ev->trade_ptrs, ev->ntrades, ev->ts);
    /* Each changed market moves its ticker once; trades only come with a
     * book change, so the books name every such market. */
    for (size_t i = 0; i < ev->nbooks; i++) {
        const ev_book *b = &ev->books[i];
        int traded = ev->ntrades && !strcmp(ev->trades_pair, b->pair);
        naxd__market_data_change(a, b->pair, traded ? ev->trade_ptrs : NULL,
                                 traded ? ev->ntrades : 0, ev->ts);
        publish_ticker(a, b->pair, b->has_bid, &b->bid, b->has_ask, &b->ask);
    }
    if (ev->last_trade_seq > a->published_trade_seq)
        a->published_trade_seq = ev->last_trade_seq;
    for (size_t i = 0; s && i < ev->norders; i++)
        naxd_stream_order(s, ev->orders[i].user, &ev->orders[i].v.o, ev->ts);
    for (size_t i = 0; s && i < ev->nfills; i++)
        naxd_stream_fill(s, ev->fills[i].user, &ev->fills[i].f, ev->ts);
    for (size_t i = 0; s && i < ev->nbalances; i++)
        naxd_stream_balance(s, ev->balances[i].user, &ev->balances[i].b, ev->ts);
}

void naxd_events_committed(naxd_app *a, void *arg, int status)
{
    naxd_events *ev = arg;
    if (ev && status == 0)
        naxd_events_publish(a, ev);
    naxd_events_free(ev);
}

void naxd_publish_balances_on_commit(naxd_app *a, naxd_mut *m, const naxd_exec *x)
{
    naxd_events *ev = naxd_events_new();
    if (ev) {
        ev->ts = naxd_now_ms(a);
        if (naxd_events_capture_balances(a, ev, x) != 0) {
            naxd_events_free(ev);
            ev = NULL;
        }
    }
    if (!ev) {
        naxd_batch_fail_commit(naxd_mut_batch(m)); /* memory changed: reload rather than drift */
        return;
    }
    naxd_mut_on_done(m, naxd_events_committed, ev);
}

/* ---- after a (re)load ----------------------------------------------------------------------- */

int naxd_publish_reset(naxd_app *a)
{
    if (!a->stream)
        return 0;
    int64_t now = naxd_now_ms(a);
    for (size_t i = 0; i < naxd_engine_market_count(a->engine); i++) {
        const char *pair = naxd_engine_market_at(a->engine, i)->pair;
        int rc = reset_book(a, pair, now);
        if (rc)
            return rc;
        int has_bid, has_ask;
        nax_decimal bid, ask;
        naxd_engine_top(a->engine, pair, &has_bid, &bid, &has_ask, &ask);
        publish_ticker(a, pair, has_bid, &bid, has_ask, &ask);
    }
    return 0;
}

int naxd_publish_recent_trades(naxd_app *a)
{
    size_t keep = a->cfg->stream.recent_trades ? a->cfg->stream.recent_trades : 50;
    ev_trade *rows = nax__calloc(keep, sizeof(*rows));
    const nax_trade **ptrs = nax__calloc(keep, sizeof(*ptrs));
    int rc = rows && ptrs ? 0 : nax__error_oom();
    for (size_t i = 0; !rc && a->stream && i < naxd_engine_market_count(a->engine); i++) {
        const char *pair = naxd_engine_market_at(a->engine, i)->pair;
        sqlite3_stmt *st = naxd_store_query(a->store, "SELECT id, price, quantity, taker_side, ts "
                                                      "FROM trades WHERE pair = ? "
                                                      "ORDER BY id DESC LIMIT ?");
        if (!st) {
            rc = NAX_EIO;
            break;
        }
        sqlite3_bind_text(st, 1, pair, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (int64_t)keep);
        size_t n = 0;
        while (!rc && n < keep && sqlite3_step(st) == SQLITE_ROW) {
            ev_trade *t = &rows[n];
            naxd_fmt_id(t->id, sizeof t->id, "t_", (uint64_t)sqlite3_column_int64(st, 0));
            t->t = (nax_trade){sizeof t->t, t->id, pair, {0}, {0}, 0, 0};
            if (naxd_column_decimal(st, 1, &t->t.price) ||
                naxd_column_decimal(st, 2, &t->t.quantity))
                rc = nax__error(NAX_EIO, "store: a trade holds a malformed decimal");
            t->t.side = (nax_side)sqlite3_column_int(st, 3);
            t->t.ts = sqlite3_column_int64(st, 4);
            n++;
        }
        sqlite3_reset(st);
        for (size_t j = 0; j < n; j++) /* oldest first */
            ptrs[j] = &rows[n - 1 - j].t;
        if (!rc && n)
            rc = naxd_stream_trades(a->stream, pair, ptrs, n, naxd_now_ms(a));
    }
    nax__free(rows);
    nax__free(ptrs);
    return rc;
}

/*
 * The benchmark corpus: realistic, varied market messages generated from a
 * fixed seed, built as nax structs and encoded once with nax_encode() so every
 * implementation reads the same canonical bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_codec.h"

#define PRICE_SCALE    2 /* cents */
#define QUANTITY_SCALE 8 /* satoshi-sized lots */
#define START_TS       INT64_C(1718000000000)

/* splitmix64: tiny, fast and well mixed; the seed fixes the whole corpus. */
typedef struct rng {
    uint64_t state;
} rng;

static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int64_t rng_range(rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* 1 with probability percent/100. */
static int rng_chance(rng *r, int percent)
{
    return rng_range(r, 1, 100) <= percent;
}

typedef struct market {
    const char *pair;
    int64_t mid_cents; /* a typical mid price */
} market;

static const market markets[] = {
    {"BTC-AUD", 10123450}, {"ETH-AUD", 512345}, {"BTC-USD", 6512300}, {"ETH-USD", 331200}};
#define MARKET_COUNT (sizeof markets / sizeof markets[0])

static nax_decimal price(int64_t cents)
{
    nax_decimal d;
    nax_decimal_from_int(&d, cents, PRICE_SCALE);
    return d;
}

static nax_decimal quantity(int64_t units)
{
    nax_decimal d;
    nax_decimal_from_int(&d, units, QUANTITY_SCALE);
    return d;
}

/* A mid price within ±2 % of the market's typical one. */
static int64_t wander(rng *r, const market *m)
{
    int64_t swing = m->mid_cents / 50;
    return m->mid_cents + rng_range(r, -swing, swing);
}

/* ---- tickers ---- */

typedef struct ticker_holder {
    nax_ticker ticker;
    nax_decimal bid, ask, last;
} ticker_holder;

static void make_ticker(ticker_holder *h, rng *r, uint64_t *seq, int64_t *ts)
{
    const market *m = &markets[rng_next(r) % MARKET_COUNT];
    int64_t mid = wander(r, m);
    int64_t half_spread = rng_range(r, 1, 40);
    nax_ticker *t = &h->ticker;

    t->struct_size = sizeof *t;
    t->pair = m->pair;
    h->bid = price(mid - half_spread);
    h->ask = price(mid + half_spread);
    h->last = price(mid + rng_range(r, -half_spread, half_spread));
    t->bid = rng_chance(r, 97) ? &h->bid : NULL;
    t->ask = rng_chance(r, 97) ? &h->ask : NULL;
    t->last = rng_chance(r, 95) ? &h->last : NULL;
    t->volume_24h = quantity(rng_range(r, INT64_C(100000000), INT64_C(400000000000)));
    *seq += (uint64_t)rng_range(r, 1, 5);
    *ts += rng_range(r, 20, 1000);
    t->seq = *seq;
    t->ts = *ts;
}

static void *make_tickers(corpus_set *set, rng *r)
{
    ticker_holder *h = calloc(set->count, sizeof *h);
    uint64_t seq = 4200000;
    int64_t ts = START_TS;
    for (size_t i = 0; h != NULL && i < set->count; i++) {
        make_ticker(&h[i], r, &seq, &ts);
        set->msgs[i].obj = &h[i].ticker;
    }
    return h;
}

/* ---- orders ---- */

typedef struct order_holder {
    nax_order order;
    nax_decimal price, average_price;
    char id[40];
    char client_order_id[40];
} order_holder;

static nax_order_status pick_status(rng *r)
{
    int64_t roll = rng_range(r, 1, 100);
    if (roll <= 40)
        return NAX_ORDER_STATUS_OPEN;
    if (roll <= 60)
        return NAX_ORDER_STATUS_PARTIALLY_FILLED;
    if (roll <= 85)
        return NAX_ORDER_STATUS_FILLED;
    if (roll <= 97)
        return NAX_ORDER_STATUS_CANCELLED;
    return NAX_ORDER_STATUS_REJECTED;
}

static int64_t filled_units(rng *r, nax_order_status status, int64_t units)
{
    switch (status) {
    case NAX_ORDER_STATUS_PARTIALLY_FILLED: return rng_range(r, 1, units - 1);
    case NAX_ORDER_STATUS_FILLED: return units;
    case NAX_ORDER_STATUS_CANCELLED: return rng_chance(r, 50) ? rng_range(r, 0, units - 1) : 0;
    default: return 0;
    }
}

static nax_time_in_force pick_tif(rng *r, nax_order_type type)
{
    int64_t roll = rng_range(r, 1, 100);
    if (type == NAX_ORDER_TYPE_MARKET)
        return roll <= 70 ? NAX_TIF_IOC : NAX_TIF_FOK;
    if (roll <= 80)
        return NAX_TIF_GTC;
    return roll <= 92 ? NAX_TIF_IOC : NAX_TIF_FOK;
}

static void make_order_ids(order_holder *h, rng *r, size_t index)
{
    uint64_t a = rng_next(r), b = rng_next(r);
    snprintf(h->id, sizeof h->id, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffffu, (unsigned)a & 0xfffu,
             0x8000u | ((unsigned)(b >> 48) & 0x3fffu),
             (unsigned long long)(b & UINT64_C(0xffffffffffff)));
    snprintf(h->client_order_id, sizeof h->client_order_id, "bot%02u-%08zu",
             (unsigned)(rng_next(r) % 16), index * 7 + 1000);
}

static void make_order(order_holder *h, rng *r, size_t index, int64_t *ts)
{
    const market *m = &markets[rng_next(r) % MARKET_COUNT];
    int64_t mid = wander(r, m);
    int64_t units = rng_range(r, 100000, 250000000);
    nax_order *o = &h->order;

    make_order_ids(h, r, index);
    o->struct_size = sizeof *o;
    o->id = h->id;
    o->client_order_id = rng_chance(r, 70) ? h->client_order_id : NULL;
    o->pair = m->pair;
    o->side = rng_chance(r, 50) ? NAX_SIDE_BUY : NAX_SIDE_SELL;
    o->type = rng_chance(r, 85) ? NAX_ORDER_TYPE_LIMIT : NAX_ORDER_TYPE_MARKET;
    h->price = price(mid + rng_range(r, -mid / 33, mid / 33));
    o->price = o->type == NAX_ORDER_TYPE_LIMIT ? &h->price : NULL;
    o->quantity = quantity(units);
    o->status = pick_status(r);
    int64_t filled = filled_units(r, o->status, units);
    o->filled_quantity = quantity(filled);
    h->average_price = price(mid + rng_range(r, -mid / 200, mid / 200));
    o->average_price = filled > 0 ? &h->average_price : NULL;
    o->time_in_force = pick_tif(r, o->type);
    o->post_only = o->time_in_force == NAX_TIF_GTC && rng_chance(r, 20);
    *ts += rng_range(r, 5, 900);
    o->created_at = *ts;
    o->updated_at = o->status == NAX_ORDER_STATUS_OPEN ? *ts : *ts + rng_range(r, 1, 60000);
}

static void *make_orders(corpus_set *set, rng *r)
{
    order_holder *h = calloc(set->count, sizeof *h);
    int64_t ts = START_TS;
    for (size_t i = 0; h != NULL && i < set->count; i++) {
        make_order(&h[i], r, i, &ts);
        set->msgs[i].obj = &h[i].order;
    }
    return h;
}

/* ---- book deltas ---- */

typedef struct delta_holder {
    nax_stream_message message;
    nax_book_level bids[2], asks[2];
} delta_holder;

/* Levels near the touch on one side; some remove a level, written "0" as in the contract. */
static size_t make_delta_levels(nax_book_level *levels, rng *r, int64_t touch, int direction)
{
    size_t count = (size_t)rng_range(r, 1, 2);
    int64_t at = touch;
    for (size_t i = 0; i < count; i++) {
        at += direction * rng_range(r, 1, 25);
        levels[i].price = price(at);
        if (rng_chance(r, 15))
            nax_decimal_from_int(&levels[i].quantity, 0, 0);
        else
            levels[i].quantity = quantity(rng_range(r, 1000, 900000000));
    }
    return count;
}

static void make_delta(delta_holder *h, rng *r, uint64_t seq, int64_t ts)
{
    int64_t mid = wander(r, &markets[0]);
    nax_stream_message *msg = &h->message;

    msg->struct_size = sizeof *msg;
    msg->channel = "book:BTC-AUD";
    msg->type = NAX_STREAM_MSG_UPDATE;
    msg->seq = seq;
    msg->ts = ts;
    msg->bids = h->bids;
    msg->bids_count = make_delta_levels(h->bids, r, mid - 1, -1);
    msg->asks = h->asks;
    msg->asks_count = make_delta_levels(h->asks, r, mid + 1, +1);
    msg->has_checksum = 1;
    msg->checksum = (uint32_t)rng_next(r);
}

static void *make_deltas(corpus_set *set, rng *r)
{
    delta_holder *h = calloc(set->count, sizeof *h);
    int64_t ts = START_TS;
    for (size_t i = 0; h != NULL && i < set->count; i++) {
        ts += rng_range(r, 1, 120);
        make_delta(&h[i], r, 9100000 + i, ts);
        set->msgs[i].obj = &h[i].message;
    }
    return h;
}

/* ---- one full book snapshot ---- */

typedef struct snapshot_holder {
    nax_order_book book;
    nax_book_level levels[]; /* bids, then asks */
} snapshot_holder;

/* Strictly ordered levels moving away from the touch, best first. */
static void make_book_side(nax_book_level *levels, size_t depth, rng *r, int64_t touch,
                           int direction)
{
    int64_t at = touch;
    for (size_t i = 0; i < depth; i++) {
        levels[i].price = price(at);
        levels[i].quantity = quantity(rng_range(r, 10000, INT64_C(2500000000)));
        at += direction * rng_range(r, 1, 40);
    }
}

static void *make_snapshot(corpus_set *set, rng *r, size_t depth)
{
    snapshot_holder *h = calloc(1, sizeof *h + 2 * depth * sizeof h->levels[0]);
    if (h == NULL)
        return NULL;
    nax_book_level *bids = h->levels, *asks = h->levels + depth;
    int64_t mid = markets[0].mid_cents;
    nax_order_book *b = &h->book;
    b->struct_size = sizeof *b;
    b->pair = markets[0].pair;
    b->seq = 9099999;
    make_book_side(bids, depth, r, mid - 5, -1);
    make_book_side(asks, depth, r, mid + 5, +1);
    b->bids = bids;
    b->bids_count = depth;
    b->asks = asks;
    b->asks_count = depth;
    b->ts = START_TS;
    if (nax_book_checksum(&b->checksum, bids, depth, asks, depth) != 0) {
        free(h);
        return NULL;
    }
    set->msgs[0].obj = b;
    return h;
}

/* ---- assembly ---- */

static int encode_set(corpus_set *set, bench_kind kind)
{
    nax_buf buf = NAX_BUF_INIT;
    for (size_t i = 0; i < set->count; i++) {
        corpus_msg *m = &set->msgs[i];
        if (nax_encode(&buf, kind_type(kind), m->obj) != 0) {
            fprintf(stderr, "corpus: nax_encode of %s #%zu failed: %s (%s)\n", kind_name(kind), i,
                    nax_error_last()->message, nax_error_last()->field);
            nax_buf_dispose(&buf);
            return -1;
        }
        m->json = malloc(buf.len + 1);
        if (m->json == NULL) {
            fprintf(stderr, "corpus: out of memory\n");
            nax_buf_dispose(&buf);
            return -1;
        }
        memcpy(m->json, buf.data, buf.len + 1);
        m->len = buf.len;
        set->total_bytes += buf.len;
    }
    nax_buf_dispose(&buf);
    return 0;
}

static void *make_set(corpus_set *set, bench_kind kind, rng *r)
{
    switch (kind) {
    case KIND_TICKER: return make_tickers(set, r);
    case KIND_ORDER: return make_orders(set, r);
    case KIND_BOOK_DELTA: return make_deltas(set, r);
    default: return make_snapshot(set, r, SNAPSHOT_DEPTH);
    }
}

int corpus_build(corpus *c, uint64_t seed, size_t per_kind)
{
    rng r = {seed};
    memset(c, 0, sizeof *c);
    for (int k = 0; k < KIND_COUNT; k++) {
        corpus_set *set = &c->sets[k];
        set->count = k == KIND_BOOK_SNAPSHOT ? 1 : per_kind;
        set->msgs = calloc(set->count, sizeof *set->msgs);
        set->holders = set->msgs != NULL ? make_set(set, (bench_kind)k, &r) : NULL;
        if (set->holders == NULL) {
            fprintf(stderr, "corpus: cannot build the %s messages\n", kind_name((bench_kind)k));
            return -1;
        }
        if (encode_set(set, (bench_kind)k) != 0)
            return -1;
    }
    return 0;
}

int corpus_build_snapshot(corpus_set *set, uint64_t seed, size_t depth)
{
    rng r = {seed};
    memset(set, 0, sizeof *set);
    set->count = 1;
    set->msgs = calloc(1, sizeof *set->msgs);
    set->holders = set->msgs != NULL ? make_snapshot(set, &r, depth) : NULL;
    if (set->holders == NULL) {
        fprintf(stderr, "corpus: cannot build a snapshot of %zu levels\n", depth);
        return -1;
    }
    return encode_set(set, KIND_BOOK_SNAPSHOT);
}

void corpus_set_free(corpus_set *set)
{
    for (size_t i = 0; set->msgs != NULL && i < set->count; i++)
        free(set->msgs[i].json);
    free(set->msgs);
    free(set->holders);
    memset(set, 0, sizeof *set);
}

void corpus_free(corpus *c)
{
    for (int k = 0; k < KIND_COUNT; k++)
        corpus_set_free(&c->sets[k]);
}

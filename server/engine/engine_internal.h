/*
 * Inside the matching engine. Prices and quantities live in integer space:
 * a price is a count of ticks and a quantity a count of lots (int64), and
 * quote amounts of one market are integer "units" of 10^-(tick scale + lot
 * scale), the scale at which price x quantity is exact. Balances stay exact
 * nax_decimal values because deposits come in any scale.
 *
 * Every mutating call first reserves everything it could need (exec slots,
 * pool objects, map room, balance slots) and only then changes state, so an
 * allocation failure leaves the engine as it was.
 */
#ifndef NAXD_ENGINE_INTERNAL_H
#define NAXD_ENGINE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "decimal/decimal_internal.h"
#include "engine.h"

/* ---- fixed-size object pool: free list over chunks ---------------------- */

typedef struct eng_pool {
    size_t object_size; /* rounded up to 16 */
    void *free_list;    /* each free object starts with the next pointer */
    size_t free_count;
    void *chunks; /* each chunk starts with the next chunk pointer */
} eng_pool;

void eng_pool_init(eng_pool *p, size_t object_size);
void eng_pool_dispose(eng_pool *p);
/* Makes sure `count` objects can be taken without allocating. */
int eng_pool_reserve(eng_pool *p, size_t count);
/* Takes a reserved object (never fails after eng_pool_reserve). */
void *eng_pool_take(eng_pool *p);
void eng_pool_give(eng_pool *p, void *object);

/* ---- uint64 -> pointer hash map, open addressing; key 0 is never stored -- */

typedef struct eng_map_slot {
    uint64_t key;
    void *value;
} eng_map_slot;

typedef struct eng_map {
    eng_map_slot *slots;
    size_t capacity; /* a power of two, or 0 */
    size_t count;
    unsigned shift; /* 64 - log2(capacity) */
} eng_map;

void eng_map_dispose(eng_map *m);
/* Room for `extra` more keys without growing. */
int eng_map_reserve(eng_map *m, size_t extra);
void *eng_map_get(const eng_map *m, uint64_t key);
/* The key must be absent and room reserved. */
void eng_map_put(eng_map *m, uint64_t key, void *value);
void *eng_map_remove(eng_map *m, uint64_t key);

/* ---- ledger -------------------------------------------------------------- */

typedef struct eng_balance {
    nax_decimal available, locked;
    uint32_t stamp; /* call generation that last recorded it in the exec */
    uint8_t present;
} eng_balance;

typedef struct eng_order eng_order;

typedef struct eng_user {
    naxd_user_id id;
    eng_balance *balances; /* indexed by asset id */
    uint32_t balance_count;
    eng_order *first, *last; /* open orders by id ascending */
    size_t open_count;
} eng_user;

/* ---- books --------------------------------------------------------------- */

#define ENG_MAX_HEIGHT 11 /* skip list levels: 4^11 price levels before it slows */

typedef struct eng_level eng_level;

/* A skip list link keeps the key of the level it points to, so a search
 * compares without loading the next level (one cache miss less per step). */
typedef struct eng_link {
    eng_level *to;
    int64_t key;
} eng_link;

struct eng_level {
    int64_t key; /* -ticks for bids, ticks for asks: ascending key = better first */
    int64_t ticks;
    int64_t total_lots;
    eng_order *head, *tail;
    int height;
    eng_link next[ENG_MAX_HEIGHT];
    eng_level *prev[ENG_MAX_HEIGHT]; /* removal needs no search */
};

typedef struct eng_side {
    eng_level head; /* sentinel; only next[] is used */
    int height;
    size_t level_count;
    eng_map by_ticks; /* ticks -> eng_level */
} eng_side;

/* A rate split into coefficient and scale: rate = coeff / 10^scale. */
typedef struct eng_rate {
    nax__u128 coeff;
    int scale;
} eng_rate;

typedef struct eng_market {
    naxd_market_spec spec; /* strings owned */
    uint32_t base, quote;  /* asset ids */
    int tick_scale, lot_scale, unit_scale;
    uint64_t tick_coeff, lot_coeff;
    nax__u128 unit; /* tick x lot in units */
    eng_rate maker, taker;
    eng_rate hold_rate; /* max(maker, taker): a limit buy holds notional x (1 + this) */
    eng_side bids, asks;
    uint64_t seq;
    uint32_t changed_stamp; /* call generation that last bumped seq */
} eng_market;

struct eng_order {
    eng_order *prev, *next;           /* FIFO within the price level */
    eng_order *user_prev, *user_next; /* the user's open orders */
    eng_level *level;
    eng_user *user;
    eng_market *market;
    int64_t ticks, lots, filled_lots;
    nax__u128 hold; /* hold_remaining in hold units (quote: units; base: lot coefficient units) */
    naxd_order_state st; /* always current */
};

/* Which user and asset a touched balance is. */
typedef struct eng_touch {
    eng_user *user;
    uint32_t asset;
} eng_touch;

struct naxd_engine {
    naxd_user_id fee_account;
    eng_market **markets;
    size_t market_count;
    char **assets; /* id -> name */
    uint32_t *assets_by_name;
    uint32_t asset_count;
    eng_map users;  /* id -> eng_user */
    eng_map orders; /* id -> eng_order, open orders only */
    eng_pool user_pool, order_pool, level_pool;
    uint64_t next_trade_seq;
    uint64_t rng; /* skip list heights; deterministic */
    uint32_t stamp;
    eng_touch *touched;
    size_t touched_count, touched_cap;
};

/* ---- engine-wide helpers --------------------------------------------------- */

eng_market *eng_market_find(const naxd_engine *e, const char *pair);
/* Asset id by name, or UINT32_MAX. */
uint32_t eng_asset_find(const naxd_engine *e, const char *name);
int eng_asset_intern(naxd_engine *e, const char *name, uint32_t *id);

eng_user *eng_user_find(const naxd_engine *e, naxd_user_id id);
/* Finds or creates the user and makes balance slots up to `asset` exist. */
int eng_user_prepare(naxd_engine *e, naxd_user_id id, uint32_t asset, eng_user **out);
int eng_user_reserve_asset(eng_user *u, uint32_t asset);

/* Starts one mutating call: x reset, new stamp, no touched balances. */
void eng_begin(naxd_engine *e, naxd_exec *x);
/* Room in x (and for touched balances) for what one call may emit. */
int eng_reserve_call(naxd_engine *e, naxd_exec *x, size_t orders, size_t fills, size_t balances);
/* Records a balance the call changes (once per call). */
eng_balance *eng_touch_balance(naxd_engine *e, eng_user *u, uint32_t asset);
/* Appends the final state of every touched balance to x->balances. */
void eng_emit_balances(naxd_engine *e, naxd_exec *x);
void eng_mark_changed(naxd_engine *e, eng_market *m, naxd_exec *x);

/* ---- exec ------------------------------------------------------------------ */

int eng_exec_reserve(naxd_exec *x, size_t orders, size_t fills, size_t balances);
naxd_order_state *eng_exec_order(naxd_exec *x); /* reserved slot */
naxd_fill_event *eng_exec_fill(naxd_exec *x);   /* reserved slot */

/* ---- numbers --------------------------------------------------------------- */

typedef enum eng_steps_rc {
    ENG_STEPS_OK,
    ENG_STEPS_NOT_MULTIPLE,
    ENG_STEPS_TOO_LARGE
} eng_steps_rc;
/* v / step as an int64 when it is a whole multiple. v must be > 0. */
eng_steps_rc eng_to_steps(const nax_decimal *v, uint64_t step_coeff, int step_scale, int64_t *out);
/* ceil(n x rate) for n in units; never fails as rate < 1. */
nax__u128 eng_fee(nax__u128 n, const eng_rate *rate);
/* a x b x c with overflow check against the decimal range; 0 on overflow. */
int eng_mul3(nax__u128 *out, uint64_t a, uint64_t b, nax__u128 c);

static inline void eng_dec(nax_decimal *out, nax__u128 mag, int scale)
{
    nax__dec_store(out, mag, scale, 0);
}

/* ---- books ----------------------------------------------------------------- */

void eng_side_init(eng_side *s);
void eng_side_dispose(eng_side *s);
static inline eng_level *eng_side_best(const eng_side *s)
{
    return s->head.next[0].to;
}
eng_level *eng_side_find(const eng_side *s, int64_t ticks);
static inline eng_level *eng_level_next(const eng_level *l)
{
    return l->next[0].to;
}
/* Room for one more level (pool object and map slot). */
int eng_side_reserve(naxd_engine *e, eng_side *s);
/* Adds an empty level (reserved). */
eng_level *eng_side_insert(naxd_engine *e, eng_side *s, int64_t ticks, int is_bid);
void eng_side_remove(naxd_engine *e, eng_side *s, eng_level *l);

static inline eng_side *eng_book_side(eng_market *m, nax_side side)
{
    return side == NAX_SIDE_BUY ? &m->bids : &m->asks;
}

/* ---- orders -------------------------------------------------------------- */

/* Room to rest one more order. */
int eng_rest_reserve(naxd_engine *e, eng_market *m, nax_side side);
/* Puts an order (taken from the pool, fields set) at the back of its level and
 * into the user's list and the id map. */
void eng_rest(naxd_engine *e, eng_order *o);
/* Takes an open order out of the book, the user's list and the id map, and
 * returns it to the pool. */
void eng_unrest(naxd_engine *e, eng_order *o);
/* Moves what the order still holds back to available; NAX_EOVERFLOW (nothing
 * changed) only when a balance would leave the decimal range. */
int eng_release_hold(naxd_engine *e, eng_order *o);
/* The hold asset of an order and the scale of its hold units. */
uint32_t eng_hold_asset(const eng_order *o);
int eng_hold_scale(const eng_order *o);

#endif /* NAXD_ENGINE_INTERNAL_H */

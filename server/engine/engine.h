/*
 * naxd matching engine: order books, price-time matching and the balance
 * ledger. Pure C, no I/O, no clock, no threads: every input (ids, times)
 * comes from the caller, so the engine is deterministic and testable alone.
 *
 * Threading: an engine is used by one thread at a time (naxd's app thread).
 * Errors: functions return 0 or a negative nax_error_code; business
 * rejections are reported in naxd_exec (not as errors).
 */
#ifndef NAXD_ENGINE_H
#define NAXD_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include <nax/decimal.h>
#include <nax/types.h>

typedef uint64_t naxd_user_id;  /* 0 is never a valid user */
typedef uint64_t naxd_order_id; /* 0 is never a valid order */

typedef struct naxd_engine naxd_engine;

/* A market as configured. Strings are copied by naxd_engine_add_market. */
typedef struct naxd_market_spec {
    const char *pair;         /* "BTC-AUD" */
    const char *base;         /* "BTC" */
    const char *quote;        /* "AUD" */
    nax_decimal tick_size;    /* > 0 */
    nax_decimal lot_size;     /* > 0 */
    nax_decimal min_notional; /* >= 0 */
    nax_decimal maker_fee;    /* rate, e.g. 0.001; >= 0 */
    nax_decimal taker_fee;    /* rate, e.g. 0.002; >= 0 */
    nax_market_status status;
} naxd_market_spec;

/* Why an order request is refused before it touches the book (HTTP 422);
 * nothing is stored for these. */
typedef enum naxd_refusal {
    NAXD_OK = 0,
    NAXD_REFUSE_UNKNOWN_MARKET,     /* pair not configured */
    NAXD_REFUSE_MARKET_HALTED,      /* status halted */
    NAXD_REFUSE_INVALID_PRICE,      /* missing/extra price, <= 0, not a tick multiple */
    NAXD_REFUSE_INVALID_QUANTITY,   /* <= 0 or not a lot multiple */
    NAXD_REFUSE_MIN_NOTIONAL,       /* limit price x quantity below min_notional */
    NAXD_REFUSE_INSUFFICIENT_FUNDS, /* available balance cannot cover the hold */
    NAXD_REFUSE_TOO_LARGE           /* arithmetic would overflow the decimal range */
} naxd_refusal;

/* One order submission. `price` is ignored for market orders. */
typedef struct naxd_order_spec {
    naxd_order_id id; /* unique, assigned by the caller, increasing */
    naxd_user_id user;
    const char *pair;
    nax_side side;
    nax_order_type type;
    nax_decimal price; /* limit only */
    nax_decimal quantity;
    nax_time_in_force tif; /* NONE means GTC; market orders behave as IOC unless FOK */
    int post_only;
    int64_t ts; /* ms; stored as created_at/updated_at */
} naxd_order_spec;

/* An order's full state, as the engine keeps it. */
typedef struct naxd_order_state {
    naxd_order_id id;
    naxd_user_id user;
    const char *pair; /* borrowed from the market */
    nax_side side;
    nax_order_type type;
    nax_decimal price; /* zero for market orders */
    nax_decimal quantity;
    nax_decimal filled;          /* base filled so far */
    nax_decimal filled_notional; /* sum of price x qty of fills (quote); avg = notional/filled */
    nax_time_in_force tif;
    int post_only;
    nax_order_status status;
    nax_decimal hold_remaining; /* funds still locked for this order, in hold_asset */
    const char *hold_asset;     /* quote for buys, base for sells; borrowed */
    int64_t created_at;
    int64_t updated_at;
} naxd_order_state;

/* One execution between the incoming (taker) order and a resting (maker) order. */
typedef struct naxd_fill_event {
    uint64_t trade_seq; /* per-engine counter, starts at 1, the caller formats trade ids */
    naxd_order_id maker_order, taker_order;
    naxd_user_id maker_user, taker_user;
    nax_side taker_side;
    nax_decimal price, quantity;
    nax_decimal maker_fee, taker_fee; /* both in the quote asset */
    int64_t ts;
} naxd_fill_event;

/* A balance after a change. */
typedef struct naxd_balance_event {
    naxd_user_id user;
    const char *asset; /* borrowed */
    nax_decimal available, locked;
} naxd_balance_event;

/*
 * What one call did. Filled by naxd_engine_place/cancel/cancel_all; owned by
 * the caller, reused across calls (naxd_exec_reset), freed with naxd_exec_dispose.
 * `orders` holds the final state of every order the call touched (the taker
 * first, then makers in match order; for cancel-all, each cancelled order).
 * `balances` holds the final state of every (user, asset) the call changed,
 * each pair once, including the fee account.
 */
typedef struct naxd_exec {
    naxd_refusal refusal; /* NAXD_OK when the order was accepted (even if rejected/cancelled) */
    naxd_order_state *orders;
    size_t orders_count, orders_cap;
    naxd_fill_event *fills;
    size_t fills_count, fills_cap;
    naxd_balance_event *balances;
    size_t balances_count, balances_cap;
    int book_changed; /* some resting level changed: publish book/ticker */
} naxd_exec;

void naxd_exec_init(naxd_exec *x);
void naxd_exec_reset(naxd_exec *x);
void naxd_exec_dispose(naxd_exec *x);

/* ---- lifecycle, markets ------------------------------------------------ */

/* fee_account receives maker and taker fees. */
int naxd_engine_new(naxd_engine **out, naxd_user_id fee_account);
void naxd_engine_free(naxd_engine *e);
naxd_user_id naxd_engine_fee_account(const naxd_engine *e);

/* Copies spec. NAX_EINVAL for bad sizes or a duplicate pair: tick and lot
 * must be > 0 with scales adding up to at most 18 (fees are exact at that
 * scale), fees in [0, 1), base != quote. Status NONE is taken as ACTIVE. */
int naxd_engine_add_market(naxd_engine *e, const naxd_market_spec *spec);
size_t naxd_engine_market_count(const naxd_engine *e);
const naxd_market_spec *naxd_engine_market_at(const naxd_engine *e, size_t i);
const naxd_market_spec *naxd_engine_market(const naxd_engine *e, const char *pair);
/* Change a market's status (halted markets refuse orders and never match).
 * NAX_ENOTFOUND for an unknown pair. */
int naxd_engine_set_market_status(naxd_engine *e, const char *pair, nax_market_status status);

/* ---- ledger ------------------------------------------------------------- */

/* Zero available/locked when the user never held the asset. */
void naxd_engine_balance(const naxd_engine *e, naxd_user_id user, const char *asset,
                         nax_decimal *available, nax_decimal *locked);
/* Calls fn for each (asset, balance) of one user, in asset name order; or every
 * user when user is 0 (user ascending). A non-zero return from fn stops, and
 * the call returns NAX_EUSER. Listed: every (user, asset) ever changed. */
int naxd_engine_foreach_balance(const naxd_engine *e, naxd_user_id user,
                                int (*fn)(naxd_user_id user, const char *asset,
                                          const nax_decimal *available, const nax_decimal *locked,
                                          void *arg),
                                void *arg);

/* Every call below that takes an exec resets it first, so x describes that
 * call alone.
 *
 * Money movement from outside (deposits and withdrawals), each reported in x->balances.
 * credit: available += amount.
 * hold: available -> locked (NAX_EINVAL with x->refusal INSUFFICIENT_FUNDS if short).
 * release: locked -> available. settle: locked -= amount (funds leave the exchange).
 * amount must be > 0; NAX_EINVAL otherwise (release and settle beyond `locked`
 * also set x->refusal INSUFFICIENT_FUNDS). */
int naxd_engine_credit(naxd_engine *e, naxd_user_id user, const char *asset,
                       const nax_decimal *amount, naxd_exec *x);
int naxd_engine_hold(naxd_engine *e, naxd_user_id user, const char *asset,
                     const nax_decimal *amount, naxd_exec *x);
int naxd_engine_release(naxd_engine *e, naxd_user_id user, const char *asset,
                        const nax_decimal *amount, naxd_exec *x);
int naxd_engine_settle(naxd_engine *e, naxd_user_id user, const char *asset,
                       const nax_decimal *amount, naxd_exec *x);

/* ---- orders --------------------------------------------------------------- */

/*
 * Validate, hold funds, match, and rest what remains (GTC limit).
 * Refusals (x->refusal != NAXD_OK) return 0 and change nothing.
 * Accepted orders end open, partially_filled, filled, cancelled (IOC/market
 * remainder, FOK that cannot fill completely, self-trade prevention cancels the
 * incoming order's remainder) or rejected (post-only that would take).
 * Buy holds: limit: price x qty x (1 + max(maker,taker fee)); market: the
 * available quote balance bounds what fills. Sell holds: qty of base.
 *
 * Choices this contract leaves open:
 * - Market orders skip the min_notional check (their price is unknown until
 *   they match); a market buy is refused INSUFFICIENT_FUNDS when the user has
 *   no available quote at all.
 * - A POST_ONLY market refuses everything but post-only limit orders with
 *   NAXD_REFUSE_MARKET_HALTED. A post-only market order is accepted as
 *   REJECTED (it could never rest).
 * - Self-trade prevention: meeting an own resting order stops matching and
 *   cancels the incoming remainder; for a FOK that means it cannot fill
 *   completely, so it is CANCELLED with nothing filled.
 * - Fees: fee = price x qty x rate per fill, rounded up at tick scale + lot
 *   scale. A limit buy's hold covers its fees rounded up once over the whole
 *   quantity, and per-fill rounding can add up to more (many small fills), so
 *   a buyer's fee in a fill is capped at what the hold still has beyond the
 *   notional of the rest of the order: the buyer never pays more than it held.
 * - A fill that would take a balance beyond the decimal range (10^38) is not
 *   made: matching stops there and the remainder is cancelled.
 * - seq rises by one per call that changed the pair's book, however many
 *   levels changed, so one published update is one seq.
 * - An order id that is still open is NAX_EINVAL (caller error).
 */
int naxd_engine_place(naxd_engine *e, const naxd_order_spec *spec, naxd_exec *x);

/* Cancel one open order of `user`. NAX_ENOTFOUND when no such order is open
 * for that user (closed or someone else's), nothing changed; that answer, as
 * frequent as cancels racing fills, sets no error message. */
int naxd_engine_cancel(naxd_engine *e, naxd_user_id user, naxd_order_id id, int64_t ts,
                       naxd_exec *x);
/* Cancel all open orders of user, optionally only in pair (NULL = all);
 * NAX_ENOTFOUND for an unknown pair. */
int naxd_engine_cancel_all(naxd_engine *e, naxd_user_id user, const char *pair, int64_t ts,
                           naxd_exec *x);

/* Borrowed until the next mutating call; NULL when not open. */
const naxd_order_state *naxd_engine_open_order(const naxd_engine *e, naxd_order_id id);
/* Open orders of a user (all pairs, by id ascending). Non-zero from fn stops
 * (NAX_EUSER). fn must not change the engine. */
int naxd_engine_foreach_open_order(const naxd_engine *e, naxd_user_id user,
                                   int (*fn)(const naxd_order_state *o, void *arg), void *arg);

/* ---- market data ---------------------------------------------------------- */

typedef struct naxd_level {
    nax_decimal price, quantity;
} naxd_level;

/* Up to `depth` aggregated levels per side, best first, into caller arrays of
 * `depth` entries. seq is 1 for a new market's empty book and rises by one
 * with every change to the pair's book (never reset while the process runs). */
int naxd_engine_book(const naxd_engine *e, const char *pair, size_t depth, naxd_level *bids,
                     size_t *bids_count, naxd_level *asks, size_t *asks_count, uint64_t *seq);
/* The total resting at one price on one side of pair's book: zero when no
 * level is there (also for a price that is not a positive tick multiple).
 * NAX_ENOTFOUND for an unknown pair. */
int naxd_engine_level(const naxd_engine *e, const char *pair, nax_side side,
                      const nax_decimal *price, nax_decimal *quantity);
/* Best bid/ask; has_* 0 when that side is empty. */
int naxd_engine_top(const naxd_engine *e, const char *pair, int *has_bid, nax_decimal *bid,
                    int *has_ask, nax_decimal *ask);

/* ---- recovery ------------------------------------------------------------- */

/* Rebuild state from the store without matching: set a balance, put back a
 * resting order (in original time priority: call in created order), and set the
 * next trade sequence. Restored holds are part of the given balances.
 * restore_order refuses with NAX_EINVAL an order that does not fit its market
 * (off-tick price, bad lots, filled >= quantity, a hold that is not exactly
 * the rest of a sell or does not cover the rest of a buy at its price) or that
 * would cross the book. */
int naxd_engine_restore_balance(naxd_engine *e, naxd_user_id user, const char *asset,
                                const nax_decimal *available, const nax_decimal *locked);
int naxd_engine_restore_order(naxd_engine *e, const naxd_order_state *o);
void naxd_engine_restore_trade_seq(naxd_engine *e, uint64_t next_trade_seq);

#endif /* NAXD_ENGINE_H */

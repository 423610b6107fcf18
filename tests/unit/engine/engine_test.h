/* Shared helpers of the engine unit tests. */
#ifndef NAXD_ENGINE_TEST_H
#define NAXD_ENGINE_TEST_H

#include <check.h>
#include <stdint.h>
#include <string.h>

#include <nax/error.h>
#include <nax/global.h>

#include "engine/engine.h"

/* A decimal from text; the test fails on bad text. */
nax_decimal dec(const char *text);
/* Asserts a == text numerically ("1.50" equals "1.5"), naming what. */
#define ck_dec_eq(a, text) ck_dec_eq_at((a), (text), #a, __FILE__, __LINE__)
void ck_dec_eq_at(const nax_decimal *a, const char *text, const char *what, const char *file,
                  int line);

#define FEE_ACCOUNT 1000

/* BTC-AUD: tick 0.01, lot 0.0001, min notional 0.5, maker 0.001, taker 0.002.
 * ETH-AUD: tick 0.05, lot 0.001, min notional 0, maker 0.0015, taker 0.0025. */
naxd_engine *new_engine(void);
void add_markets(naxd_engine *e);

void deposit(naxd_engine *e, naxd_user_id user, const char *asset, const char *amount);
/* Asserts a balance. */
#define ck_balance(e, user, asset, avail, locked)                                                  \
    ck_balance_at((e), (user), (asset), (avail), (locked), __FILE__, __LINE__)
void ck_balance_at(const naxd_engine *e, naxd_user_id user, const char *asset, const char *avail,
                   const char *locked, const char *file, int line);

/* A spec for place; price NULL for market orders. */
naxd_order_spec order(naxd_order_id id, naxd_user_id user, const char *pair, nax_side side,
                      const char *price, const char *qty);
/* Places and asserts the call succeeded and was not refused. */
void place_ok(naxd_engine *e, const naxd_order_spec *spec, naxd_exec *x);
/* Places and returns the refusal (asserting rc == 0). */
naxd_refusal place_refused(naxd_engine *e, const naxd_order_spec *spec);

/* The (available, locked) a call reported for (user, asset); 0 if not reported. */
const naxd_balance_event *exec_balance(const naxd_exec *x, naxd_user_id user, const char *asset);

/* Every book level of a pair (both sides), the seq, and equality of two engines. */
typedef struct book_snap {
    naxd_level bids[512], asks[512];
    size_t nb, na;
    uint64_t seq;
} book_snap;
void snap_book(const naxd_engine *e, const char *pair, book_snap *s);
int books_equal(const book_snap *a, const book_snap *b);

#endif

/* Shared helpers of the engine unit tests. */
#include <stdio.h>
#include <string.h>

#include "engine_test.h"

nax_decimal dec(const char *text)
{
    nax_decimal d;
    ck_assert_msg(nax_decimal_parse(&d, text, strlen(text), NULL) == 0, "bad decimal %s", text);
    return d;
}

void ck_dec_eq_at(const nax_decimal *a, const char *text, const char *what, const char *file,
                  int line)
{
    nax_decimal want = dec(text);
    char got[NAX_DECIMAL_STRING_MAX];
    nax_decimal_format(got, sizeof got, a);
    ck_assert_msg(nax_decimal_cmp(a, &want) == 0, "%s:%d: %s is %s, expected %s", file, line, what,
                  got, text);
}

static naxd_market_spec market(const char *pair, const char *base, const char *tick,
                               const char *lot, const char *min, const char *maker,
                               const char *taker)
{
    naxd_market_spec m = {pair,       base,       "AUD",
                          dec(tick),  dec(lot),   dec(min),
                          dec(maker), dec(taker), NAX_MARKET_STATUS_ACTIVE};
    return m;
}

void add_markets(naxd_engine *e)
{
    naxd_market_spec btc = market("BTC-AUD", "BTC", "0.01", "0.0001", "0.5", "0.001", "0.002");
    naxd_market_spec eth = market("ETH-AUD", "ETH", "0.05", "0.001", "0", "0.0015", "0.0025");
    ck_assert_int_eq(naxd_engine_add_market(e, &btc), 0);
    ck_assert_int_eq(naxd_engine_add_market(e, &eth), 0);
}

naxd_engine *new_engine(void)
{
    naxd_engine *e = NULL;
    ck_assert_int_eq(naxd_engine_new(&e, FEE_ACCOUNT), 0);
    add_markets(e);
    return e;
}

void deposit(naxd_engine *e, naxd_user_id user, const char *asset, const char *amount)
{
    naxd_exec x;
    naxd_exec_init(&x);
    nax_decimal a = dec(amount);
    ck_assert_int_eq(naxd_engine_credit(e, user, asset, &a, &x), 0);
    ck_assert_uint_eq(x.balances_count, 1);
    naxd_exec_dispose(&x);
}

void ck_balance_at(const naxd_engine *e, naxd_user_id user, const char *asset, const char *avail,
                   const char *locked, const char *file, int line)
{
    nax_decimal a, l;
    naxd_engine_balance(e, user, asset, &a, &l);
    char what[96];
    snprintf(what, sizeof what, "user %llu %s available", (unsigned long long)user, asset);
    ck_dec_eq_at(&a, avail, what, file, line);
    snprintf(what, sizeof what, "user %llu %s locked", (unsigned long long)user, asset);
    ck_dec_eq_at(&l, locked, what, file, line);
}

naxd_order_spec order(naxd_order_id id, naxd_user_id user, const char *pair, nax_side side,
                      const char *price, const char *qty)
{
    naxd_order_spec s;
    memset(&s, 0, sizeof s);
    s.id = id;
    s.user = user;
    s.pair = pair;
    s.side = side;
    s.type = price ? NAX_ORDER_TYPE_LIMIT : NAX_ORDER_TYPE_MARKET;
    if (price)
        s.price = dec(price);
    s.quantity = dec(qty);
    s.tif = NAX_TIF_NONE;
    s.ts = 1000 + (int64_t)id;
    return s;
}

void place_ok(naxd_engine *e, const naxd_order_spec *spec, naxd_exec *x)
{
    ck_assert_int_eq(naxd_engine_place(e, spec, x), 0);
    ck_assert_msg(x->refusal == NAXD_OK, "order %llu refused (%d)", (unsigned long long)spec->id,
                  x->refusal);
    ck_assert_uint_ge(x->orders_count, 1);
    ck_assert_uint_eq(x->orders[0].id, spec->id);
}

naxd_refusal place_refused(naxd_engine *e, const naxd_order_spec *spec)
{
    naxd_exec x;
    naxd_exec_init(&x);
    ck_assert_int_eq(naxd_engine_place(e, spec, &x), 0);
    naxd_refusal r = x.refusal;
    if (r != NAXD_OK) {
        ck_assert_uint_eq(x.orders_count, 0);
        ck_assert_uint_eq(x.fills_count, 0);
        ck_assert_uint_eq(x.balances_count, 0);
        ck_assert_int_eq(x.book_changed, 0);
    }
    naxd_exec_dispose(&x);
    return r;
}

const naxd_balance_event *exec_balance(const naxd_exec *x, naxd_user_id user, const char *asset)
{
    for (size_t i = 0; i < x->balances_count; i++) {
        if (x->balances[i].user == user && strcmp(x->balances[i].asset, asset) == 0)
            return &x->balances[i];
    }
    return NULL;
}

void snap_book(const naxd_engine *e, const char *pair, book_snap *s)
{
    ck_assert_int_eq(naxd_engine_book(e, pair, 512, s->bids, &s->nb, s->asks, &s->na, &s->seq), 0);
    ck_assert_uint_lt(s->nb, 512);
    ck_assert_uint_lt(s->na, 512);
}

static int levels_equal(const naxd_level *a, const naxd_level *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (nax_decimal_cmp(&a[i].price, &b[i].price) != 0 ||
            nax_decimal_cmp(&a[i].quantity, &b[i].quantity) != 0)
            return 0;
    }
    return 1;
}

int books_equal(const book_snap *a, const book_snap *b)
{
    return a->nb == b->nb && a->na == b->na && levels_equal(a->bids, b->bids, a->nb) &&
           levels_equal(a->asks, b->asks, a->na);
}

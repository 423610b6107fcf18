/* Ledger operations, market configuration, refusals (nothing changes),
 * restore round trips and allocation-failure behaviour. */
#include <stdio.h>
#include <stdlib.h>

#include "engine_test.h"

/* ---- ledger ---------------------------------------------------------------- */

START_TEST(credit_hold_release_settle)
{
    naxd_engine *e = new_engine();
    naxd_exec x;
    naxd_exec_init(&x);
    nax_decimal ten = dec("10"), three = dec("3"), big = dec("20"), zero = dec("0");
    ck_assert_int_eq(naxd_engine_credit(e, 7, "AUD", &ten, &x), 0);
    ck_assert_uint_eq(x.balances_count, 1);
    ck_assert_str_eq(x.balances[0].asset, "AUD");
    ck_assert_int_eq(naxd_engine_hold(e, 7, "AUD", &three, &x), 0);
    ck_balance(e, 7, "AUD", "7", "3");
    ck_assert_int_eq(naxd_engine_hold(e, 7, "AUD", &big, &x), NAX_EINVAL);
    ck_assert_int_eq(x.refusal, NAXD_REFUSE_INSUFFICIENT_FUNDS);
    ck_assert_uint_eq(x.balances_count, 0);
    ck_assert_int_eq(naxd_engine_release(e, 7, "AUD", &big, &x), NAX_EINVAL);
    ck_assert_int_eq(naxd_engine_settle(e, 7, "AUD", &big, &x), NAX_EINVAL);
    ck_balance(e, 7, "AUD", "7", "3");
    nax_decimal one = dec("1");
    ck_assert_int_eq(naxd_engine_release(e, 7, "AUD", &one, &x), 0);
    ck_assert_int_eq(x.refusal, NAXD_OK);
    ck_balance(e, 7, "AUD", "8", "2");
    ck_assert_int_eq(naxd_engine_settle(e, 7, "AUD", &one, &x), 0);
    ck_balance(e, 7, "AUD", "8", "1");
    ck_dec_eq(&x.balances[0].locked, "1");
    ck_assert_int_eq(naxd_engine_credit(e, 7, "AUD", &zero, &x), NAX_EINVAL);
    nax_decimal minus = dec("-1");
    ck_assert_int_eq(naxd_engine_credit(e, 7, "AUD", &minus, &x), NAX_EINVAL);
    ck_assert_int_eq(naxd_engine_credit(e, 0, "AUD", &one, &x), NAX_EINVAL);
    /* Unknown users and assets read as zero. */
    ck_balance(e, 8, "AUD", "0", "0");
    ck_balance(e, 7, "XRP", "0", "0");
    naxd_exec_dispose(&x);
    naxd_engine_free(e);
}
END_TEST

typedef struct seen {
    char text[512];
} seen;

static int collect(naxd_user_id user, const char *asset, const nax_decimal *available,
                   const nax_decimal *locked, void *arg)
{
    seen *s = arg;
    char a[NAX_DECIMAL_STRING_MAX], l[NAX_DECIMAL_STRING_MAX];
    nax_decimal_format(a, sizeof a, available);
    nax_decimal_format(l, sizeof l, locked);
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof s->text - n, "%llu:%s:%s:%s;", (unsigned long long)user, asset, a,
             l);
    return 0;
}

static int stop_at_first(naxd_user_id user, const char *asset, const nax_decimal *available,
                         const nax_decimal *locked, void *arg)
{
    (void)user, (void)asset, (void)available, (void)locked;
    (*(int *)arg)++;
    return 1;
}

START_TEST(foreach_balance_orders_users_and_assets)
{
    naxd_engine *e = new_engine();
    deposit(e, 9, "ZZZ", "1");
    deposit(e, 9, "AUD", "2");
    deposit(e, 3, "BTC", "3");
    deposit(e, 3, "AUD", "4");
    seen s = {{0}};
    ck_assert_int_eq(naxd_engine_foreach_balance(e, 0, collect, &s), 0);
    ck_assert_str_eq(s.text, "3:AUD:4:0;3:BTC:3:0;9:AUD:2:0;9:ZZZ:1:0;");
    memset(&s, 0, sizeof s);
    ck_assert_int_eq(naxd_engine_foreach_balance(e, 9, collect, &s), 0);
    ck_assert_str_eq(s.text, "9:AUD:2:0;9:ZZZ:1:0;");
    int calls = 0;
    ck_assert_int_eq(naxd_engine_foreach_balance(e, 0, stop_at_first, &calls), NAX_EUSER);
    ck_assert_int_eq(calls, 1);
    naxd_engine_free(e);
}
END_TEST

START_TEST(market_configuration)
{
    naxd_engine *e = new_engine();
    ck_assert_uint_eq(naxd_engine_market_count(e), 2);
    ck_assert_str_eq(naxd_engine_market_at(e, 1)->pair, "ETH-AUD");
    ck_assert_ptr_null(naxd_engine_market_at(e, 2));
    const naxd_market_spec *m = naxd_engine_market(e, "BTC-AUD");
    ck_assert_ptr_nonnull(m);
    ck_dec_eq(&m->taker_fee, "0.002");
    ck_assert_ptr_null(naxd_engine_market(e, "XRP-AUD"));
    ck_assert_uint_eq(naxd_engine_fee_account(e), FEE_ACCOUNT);

    naxd_market_spec bad = *m;
    ck_assert_int_eq(naxd_engine_add_market(e, &bad), NAX_EINVAL); /* duplicate */
    bad.pair = "X-AUD";
    bad.tick_size = dec("0");
    ck_assert_int_eq(naxd_engine_add_market(e, &bad), NAX_EINVAL);
    bad.tick_size = dec("0.01");
    bad.taker_fee = dec("1");
    ck_assert_int_eq(naxd_engine_add_market(e, &bad), NAX_EINVAL);
    bad.taker_fee = dec("0.001");
    bad.lot_size = dec("0.00000000000000001"); /* tick + lot scale above 18 */
    ck_assert_int_eq(naxd_engine_add_market(e, &bad), NAX_EINVAL);
    bad.lot_size = dec("1");
    bad.base = "AUD";
    ck_assert_int_eq(naxd_engine_add_market(e, &bad), NAX_EINVAL);
    ck_assert_uint_eq(naxd_engine_market_count(e), 2);

    ck_assert_int_eq(naxd_engine_set_market_status(e, "XRP-AUD", NAX_MARKET_STATUS_HALTED),
                     NAX_ENOTFOUND);
    ck_assert_int_eq(naxd_engine_set_market_status(e, "BTC-AUD", NAX_MARKET_STATUS_HALTED), 0);
    ck_assert_int_eq(naxd_engine_market(e, "BTC-AUD")->status, NAX_MARKET_STATUS_HALTED);
    naxd_engine_free(e);
}
END_TEST

/* ---- refusals ------------------------------------------------------------- */

START_TEST(refusals_change_nothing)
{
    naxd_engine *e = new_engine();
    deposit(e, 1, "AUD", "1.002");
    deposit(e, 1, "BTC", "1");
    deposit(e, 1, "ETH", "1");
    naxd_exec x;
    naxd_exec_init(&x);
    naxd_order_spec rest = order(1, 1, "BTC-AUD", NAX_SIDE_SELL, "200", "0.01");
    place_ok(e, &rest, &x);
    book_snap before;
    snap_book(e, "BTC-AUD", &before);

    struct {
        naxd_order_spec s;
        naxd_refusal want;
    } cases[] = {
        {order(10, 1, "XRP-AUD", NAX_SIDE_BUY, "100", "0.01"), NAXD_REFUSE_UNKNOWN_MARKET},
        {order(11, 1, "BTC-AUD", NAX_SIDE_BUY, "0", "0.01"), NAXD_REFUSE_INVALID_PRICE},
        {order(12, 1, "BTC-AUD", NAX_SIDE_BUY, "-100", "0.01"), NAXD_REFUSE_INVALID_PRICE},
        {order(13, 1, "BTC-AUD", NAX_SIDE_BUY, "100.001", "0.01"), NAXD_REFUSE_INVALID_PRICE},
        {order(14, 1, "BTC-AUD", NAX_SIDE_BUY, "100", "0"), NAXD_REFUSE_INVALID_QUANTITY},
        {order(15, 1, "BTC-AUD", NAX_SIDE_BUY, "100", "0.00001"), NAXD_REFUSE_INVALID_QUANTITY},
        {order(16, 1, "BTC-AUD", NAX_SIDE_BUY, "100", "-0.01"), NAXD_REFUSE_INVALID_QUANTITY},
        {order(17, 1, "BTC-AUD", NAX_SIDE_BUY, "99.99", "0.005"), NAXD_REFUSE_MIN_NOTIONAL},
        {order(18, 1, "BTC-AUD", NAX_SIDE_BUY, "100.01", "0.01"), NAXD_REFUSE_INSUFFICIENT_FUNDS},
        {order(19, 1, "BTC-AUD", NAX_SIDE_SELL, "100", "1.0001"), NAXD_REFUSE_INSUFFICIENT_FUNDS},
        {order(20, 1, "BTC-AUD", NAX_SIDE_SELL, NULL, "2"), NAXD_REFUSE_INSUFFICIENT_FUNDS},
        {order(21, 1, "BTC-AUD", NAX_SIDE_SELL, "100", "1000000000000000"), NAXD_REFUSE_TOO_LARGE},
        {order(22, 1, "BTC-AUD", NAX_SIDE_SELL, "100000000000000000", "0.01"),
         NAXD_REFUSE_TOO_LARGE},
        /* 8e18 ticks x 8e18 lots x 5 units overflows the decimal range. */
        {order(23, 1, "ETH-AUD", NAX_SIDE_SELL, "400000000000000000", "8000000000000000"),
         NAXD_REFUSE_TOO_LARGE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_msg(place_refused(e, &cases[i].s) == cases[i].want, "case %zu", i);
        ck_assert_ptr_null(naxd_engine_open_order(e, cases[i].s.id));
    }
    /* A market order must not carry a price. */
    naxd_order_spec m = order(30, 1, "BTC-AUD", NAX_SIDE_SELL, NULL, "0.01");
    m.price = dec("100");
    ck_assert_int_eq(place_refused(e, &m), NAXD_REFUSE_INVALID_PRICE);

    /* Halted: everything refused; post-only status: only post-only limits. */
    ck_assert_int_eq(naxd_engine_set_market_status(e, "BTC-AUD", NAX_MARKET_STATUS_HALTED), 0);
    naxd_order_spec ok = order(31, 1, "BTC-AUD", NAX_SIDE_BUY, "100", "0.01");
    ck_assert_int_eq(place_refused(e, &ok), NAXD_REFUSE_MARKET_HALTED);
    ck_assert_int_eq(naxd_engine_set_market_status(e, "BTC-AUD", NAX_MARKET_STATUS_POST_ONLY), 0);
    ck_assert_int_eq(place_refused(e, &ok), NAXD_REFUSE_MARKET_HALTED);
    naxd_order_spec mk = order(32, 1, "BTC-AUD", NAX_SIDE_BUY, NULL, "0.01");
    mk.post_only = 1;
    ck_assert_int_eq(place_refused(e, &mk), NAXD_REFUSE_MARKET_HALTED);

    ck_balance(e, 1, "AUD", "1.002", "0");
    ck_balance(e, 1, "BTC", "0.99", "0.01");
    book_snap after;
    snap_book(e, "BTC-AUD", &after);
    ck_assert(books_equal(&before, &after));
    ck_assert_uint_eq(after.seq, before.seq);

    ok.post_only = 1; /* exactly enough funds: 100 x 0.01 x 1.002 */
    ck_assert_int_eq(place_refused(e, &ok), NAXD_OK);
    ck_balance(e, 1, "AUD", "0", "1.002");

    /* Caller mistakes are errors, not refusals. */
    naxd_order_spec dup = ok;
    ck_assert_int_eq(naxd_engine_place(e, &dup, &x), NAX_EINVAL);
    dup.id = 0;
    ck_assert_int_eq(naxd_engine_place(e, &dup, &x), NAX_EINVAL);
    naxd_exec_dispose(&x);
    naxd_engine_free(e);
}
END_TEST

/* A fill that would take a balance past the decimal range is not made:
 * matching stops there, the incoming remainder is cancelled, nothing moves. */
START_TEST(fills_beyond_the_decimal_range_are_not_made)
{
    naxd_engine *e = new_engine();
    naxd_exec x;
    naxd_exec_init(&x);
    const char *huge = "99999999999999999999999999999999999999"; /* 38 digits */
    deposit(e, 1, "AUD", huge);
    deposit(e, 1, "BTC", "1");
    deposit(e, 2, "AUD", "1000");
    nax_decimal more = dec("1");
    ck_assert_int_eq(naxd_engine_credit(e, 1, "AUD", &more, &x), NAX_EOVERFLOW);
    ck_balance(e, 1, "AUD", huge, "0");

    naxd_order_spec sell = order(1, 1, "BTC-AUD", NAX_SIDE_SELL, "100", "0.01");
    place_ok(e, &sell, &x);
    naxd_order_spec buy = order(2, 2, "BTC-AUD", NAX_SIDE_BUY, "100", "0.01");
    place_ok(e, &buy, &x);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_CANCELLED);
    ck_assert_uint_eq(x.fills_count, 0);
    ck_assert_uint_eq(x.orders_count, 1);
    ck_balance(e, 2, "AUD", "1000", "0");
    ck_balance(e, 2, "BTC", "0", "0");
    ck_balance(e, 1, "AUD", huge, "0");
    ck_balance(e, 1, "BTC", "0.99", "0.01");
    const naxd_order_state *o = naxd_engine_open_order(e, 1);
    ck_assert_ptr_nonnull(o);
    ck_dec_eq(&o->filled, "0");
    ck_balance(e, FEE_ACCOUNT, "AUD", "0", "0");
    naxd_exec_dispose(&x);
    naxd_engine_free(e);
}
END_TEST

/* ---- restore ------------------------------------------------------------------- */

static int copy_balance(naxd_user_id user, const char *asset, const nax_decimal *available,
                        const nax_decimal *locked, void *arg)
{
    return naxd_engine_restore_balance(arg, user, asset, available, locked);
}

typedef struct open_list {
    naxd_order_state o[64];
    size_t n;
} open_list;

static int collect_order(const naxd_order_state *o, void *arg)
{
    open_list *l = arg;
    l->o[l->n++] = *o;
    return 0;
}

static int by_id(const void *a, const void *b)
{
    naxd_order_id x = ((const naxd_order_state *)a)->id, y = ((const naxd_order_state *)b)->id;
    return (x > y) - (x < y);
}

START_TEST(restore_rebuilds_the_same_engine)
{
    naxd_engine *e = new_engine();
    naxd_exec x;
    naxd_exec_init(&x);
    for (naxd_user_id u = 1; u <= 3; u++) {
        deposit(e, u, "AUD", "500");
        deposit(e, u, "BTC", "2");
    }
    naxd_order_spec specs[] = {
        order(1, 1, "BTC-AUD", NAX_SIDE_SELL, "101", "0.05"),
        order(2, 2, "BTC-AUD", NAX_SIDE_SELL, "101", "0.03"),
        order(3, 3, "BTC-AUD", NAX_SIDE_BUY, "99", "0.04"),
        order(4, 1, "BTC-AUD", NAX_SIDE_BUY, "101.5", "0.02"), /* partly fills order 1... */
        order(5, 3, "BTC-AUD", NAX_SIDE_BUY, "98.5", "0.1"),
        order(6, 2, "ETH-AUD", NAX_SIDE_BUY, "20", "1"),
    };
    specs[3].user = 3; /* ...as user 3 */
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        place_ok(e, &specs[i], &x);

    naxd_engine *r = NULL;
    ck_assert_int_eq(naxd_engine_new(&r, FEE_ACCOUNT), 0);
    add_markets(r);
    ck_assert_int_eq(naxd_engine_foreach_balance(e, 0, copy_balance, r), 0);
    open_list all = {.n = 0};
    for (naxd_user_id u = 1; u <= 3; u++)
        naxd_engine_foreach_open_order(e, u, collect_order, &all);
    qsort(all.o, all.n, sizeof all.o[0], by_id);
    for (size_t i = 0; i < all.n; i++)
        ck_assert_int_eq(naxd_engine_restore_order(r, &all.o[i]), 0);
    naxd_engine_restore_trade_seq(r, 2);
    ck_assert_int_eq(naxd_engine_restore_order(r, &all.o[0]), NAX_EINVAL); /* twice */

    seen a = {{0}}, b = {{0}};
    naxd_engine_foreach_balance(e, 0, collect, &a);
    naxd_engine_foreach_balance(r, 0, collect, &b);
    ck_assert_str_eq(a.text, b.text);
    const char *pairs[] = {"BTC-AUD", "ETH-AUD"};
    for (int p = 0; p < 2; p++) {
        book_snap be, br;
        snap_book(e, pairs[p], &be);
        snap_book(r, pairs[p], &br);
        ck_assert(books_equal(&be, &br));
    }

    /* The same order on both meets the same makers in the same order. */
    naxd_exec y;
    naxd_exec_init(&y);
    naxd_order_spec sweep = order(7, 2, "BTC-AUD", NAX_SIDE_SELL, NULL, "0.2");
    place_ok(e, &sweep, &x);
    place_ok(r, &sweep, &y);
    ck_assert_uint_eq(x.fills_count, y.fills_count);
    ck_assert_uint_ge(x.fills_count, 2);
    for (size_t i = 0; i < x.fills_count; i++) {
        ck_assert_uint_eq(x.fills[i].maker_order, y.fills[i].maker_order);
        ck_assert_uint_eq(x.fills[i].trade_seq, y.fills[i].trade_seq);
        ck_assert_int_eq(nax_decimal_cmp(&x.fills[i].quantity, &y.fills[i].quantity), 0);
        ck_assert_int_eq(nax_decimal_cmp(&x.fills[i].maker_fee, &y.fills[i].maker_fee), 0);
    }
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    naxd_engine_foreach_balance(e, 0, collect, &a);
    naxd_engine_foreach_balance(r, 0, collect, &b);
    ck_assert_str_eq(a.text, b.text);

    /* Inconsistent orders are refused. */
    naxd_order_state bad = all.o[0];
    bad.id = 100;
    bad.hold_remaining = dec("0.5"); /* a sell holds exactly what it has left */
    ck_assert_int_eq(naxd_engine_restore_order(r, &bad), NAX_EINVAL);
    bad = all.o[0];
    bad.id = 101;
    bad.pair = "XRP-AUD";
    ck_assert_int_eq(naxd_engine_restore_order(r, &bad), NAX_EINVAL);
    bad = all.o[0];
    bad.id = 102;
    bad.price = dec("100.001");
    ck_assert_int_eq(naxd_engine_restore_order(r, &bad), NAX_EINVAL);
    naxd_exec_dispose(&x);
    naxd_exec_dispose(&y);
    naxd_engine_free(e);
    naxd_engine_free(r);
}
END_TEST

/* ---- allocation failures ------------------------------------------------------ */

static struct {
    long fail_at, attempts, live;
} alloc;

static void *fail_malloc(size_t size, void *ud)
{
    (void)ud;
    if (alloc.fail_at && ++alloc.attempts == alloc.fail_at)
        return NULL;
    void *p = malloc(size);
    alloc.live += p != NULL;
    return p;
}

static void *fail_realloc(void *ptr, size_t size, void *ud)
{
    (void)ud;
    if (alloc.fail_at && ++alloc.attempts == alloc.fail_at)
        return NULL;
    void *p = realloc(ptr, size);
    alloc.live += p != NULL && ptr == NULL;
    return p;
}

static void fail_free(void *ptr, void *ud)
{
    (void)ud;
    alloc.live -= ptr != NULL;
    free(ptr);
}

/* Balances, books and open orders as text (allocates nothing). */
static void state_text(const naxd_engine *e, char *out, size_t size)
{
    seen s = {{0}};
    naxd_user_id users[] = {1, 2, 3, FEE_ACCOUNT};
    for (size_t i = 0; i < 4; i++)
        naxd_engine_foreach_balance(e, users[i], collect, &s);
    size_t n = (size_t)snprintf(out, size, "%s|", s.text);
    const char *pairs[] = {"BTC-AUD", "ETH-AUD"};
    for (int p = 0; p < 2; p++) {
        naxd_level bids[16], asks[16];
        size_t nb, na;
        uint64_t seq;
        naxd_engine_book(e, pairs[p], 16, bids, &nb, asks, &na, &seq);
        n += (size_t)snprintf(out + n, size - n, "%s seq %llu bids %zu asks %zu;", pairs[p],
                              (unsigned long long)seq, nb, na);
        for (size_t i = 0; i < nb + na; i++) {
            char q[NAX_DECIMAL_STRING_MAX];
            nax_decimal_format(q, sizeof q, i < nb ? &bids[i].quantity : &asks[i - nb].quantity);
            n += (size_t)snprintf(out + n, size - n, "%s,", q);
        }
    }
    for (naxd_order_id id = 1; id <= 40; id++) {
        const naxd_order_state *o = naxd_engine_open_order(e, id);
        if (o)
            n +=
                (size_t)snprintf(out + n, size - n, "o%llu:%d;", (unsigned long long)id, o->status);
    }
}

/* One step of the scenario; returns the engine call's rc. */
static int step(naxd_engine *e, int i, naxd_exec *x)
{
    static const char *prices[] = {"99", "100", "101", "102"};
    nax_decimal amount = dec("1000");
    if (i < 3)
        return naxd_engine_credit(e, (naxd_user_id)(i + 1), "AUD", &amount, x);
    if (i < 6)
        return naxd_engine_credit(e, (naxd_user_id)(i - 2), i == 5 ? "ETH" : "BTC", &amount, x);
    if (i == 30)
        return naxd_engine_cancel_all(e, 1, NULL, 9, x);
    if (i == 31)
        return naxd_engine_cancel(e, 2, 20, 9, x);
    naxd_user_id user = (naxd_user_id)(i % 3 + 1);
    nax_side side = i % 2 ? NAX_SIDE_SELL : NAX_SIDE_BUY;
    naxd_order_spec s = order((naxd_order_id)i, user, "BTC-AUD", side, prices[i % 4], "0.02");
    if (i % 7 == 0)
        s = order((naxd_order_id)i, user, "BTC-AUD", side, NULL, "0.03");
    if (i == 25 || i == 26)
        s = order((naxd_order_id)i, user, "ETH-AUD", side, "10", "0.5");
    return naxd_engine_place(e, &s, x);
}

START_TEST(every_allocation_failure_changes_nothing)
{
    nax_allocator a = {NAX_ALLOCATOR_VERSION, fail_malloc, fail_realloc, fail_free, NULL};
    ck_assert_int_eq(nax_global_init(&a), 0);
    long k;
    for (k = 1;; k++) {
        alloc.fail_at = k;
        alloc.attempts = 0;
        alloc.live = 0;
        naxd_engine *e = NULL;
        int rc = naxd_engine_new(&e, FEE_ACCOUNT);
        if (rc == NAX_ENOMEM) {
            ck_assert_int_eq(alloc.live, 0);
            continue;
        }
        ck_assert_int_eq(rc, 0);
        naxd_market_spec btc = {"BTC-AUD",    "BTC",         "AUD",
                                dec("0.01"),  dec("0.0001"), dec("1"),
                                dec("0.001"), dec("0.002"),  NAX_MARKET_STATUS_ACTIVE};
        naxd_market_spec eth = {"ETH-AUD",     "ETH",         "AUD",
                                dec("0.05"),   dec("0.001"),  dec("0"),
                                dec("0.0015"), dec("0.0025"), NAX_MARKET_STATUS_ACTIVE};
        naxd_market_spec *specs[] = {&btc, &eth};
        for (int m = 0; m < 2; m++) {
            while ((rc = naxd_engine_add_market(e, specs[m])) == NAX_ENOMEM)
                ck_assert_uint_eq(naxd_engine_market_count(e), (size_t)m);
            ck_assert_int_eq(rc, 0);
        }
        naxd_exec x;
        naxd_exec_init(&x);
        char before[4096], after[4096];
        for (int i = 0; i < 32; i++) {
            state_text(e, before, sizeof before);
            while ((rc = step(e, i, &x)) == NAX_ENOMEM) {
                state_text(e, after, sizeof after);
                ck_assert_msg(strcmp(before, after) == 0,
                              "allocation %ld failed in step %d and changed the state:\n%s\n%s", k,
                              i, before, after);
            }
            ck_assert_msg(rc == 0 || rc == NAX_ENOTFOUND, "step %d: rc %d", i, rc);
        }
        naxd_exec_dispose(&x);
        naxd_engine_free(e);
        ck_assert_int_eq(alloc.live, 0);
        if (alloc.attempts < k)
            break; /* the whole run needed fewer allocations: every one has failed once */
    }
    ck_assert_int_gt(k, 10);
    alloc.fail_at = 0;
    nax_global_shutdown();
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("engine_ledger");
    TCase *tc = tcase_create("ledger");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, credit_hold_release_settle);
    tcase_add_test(tc, foreach_balance_orders_users_and_assets);
    tcase_add_test(tc, market_configuration);
    tcase_add_test(tc, refusals_change_nothing);
    tcase_add_test(tc, fills_beyond_the_decimal_range_are_not_made);
    tcase_add_test(tc, restore_rebuilds_the_same_engine);
    tcase_add_test(tc, every_allocation_failure_changes_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Matching scenarios: priority, partial fills, time in force, market orders,
 * post-only, self-trade prevention, fees and holds. Expected amounts are
 * worked out by hand in the comments. */
#include <stdio.h>
#include <stdlib.h>

#include "engine_test.h"

enum { S1 = 1, S2 = 2, S3 = 3, B = 4, C = 5 };

static naxd_engine *e;
static naxd_exec x;

static void setup(void)
{
    e = new_engine();
    naxd_exec_init(&x);
    for (naxd_user_id u = S1; u <= S3; u++) {
        deposit(e, u, "BTC", "10");
        deposit(e, u, "ETH", "10");
        deposit(e, u, "AUD", "1000");
    }
    deposit(e, B, "AUD", "100000");
}

static void teardown(void)
{
    naxd_exec_dispose(&x);
    naxd_engine_free(e);
}

static void rest(naxd_order_id id, naxd_user_id user, const char *pair, nax_side side,
                 const char *price, const char *qty)
{
    naxd_order_spec s = order(id, user, pair, side, price, qty);
    place_ok(e, &s, &x);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_OPEN);
    ck_assert_uint_eq(x.fills_count, 0);
}

static uint64_t seq_of(const char *pair)
{
    book_snap s;
    snap_book(e, pair, &s);
    return s.seq;
}

START_TEST(price_time_priority)
{
    rest(1, S1, "BTC-AUD", NAX_SIDE_SELL, "100.00", "0.0100");
    rest(2, S2, "BTC-AUD", NAX_SIDE_SELL, "100.00", "0.0100");
    rest(3, S3, "BTC-AUD", NAX_SIDE_SELL, "99.00", "0.0100");
    naxd_order_spec s = order(4, B, "BTC-AUD", NAX_SIDE_BUY, "100.00", "0.0250");
    place_ok(e, &s, &x);

    /* The better price first, then time priority within 100.00. */
    ck_assert_uint_eq(x.fills_count, 3);
    naxd_order_id makers[3] = {3, 1, 2};
    const char *prices[3] = {"99", "100", "100"}, *qtys[3] = {"0.01", "0.01", "0.005"};
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_eq(x.fills[i].maker_order, makers[i]);
        ck_assert_uint_eq(x.fills[i].taker_order, 4);
        ck_assert_uint_eq(x.fills[i].trade_seq, (uint64_t)i + 1);
        ck_assert_int_eq(x.fills[i].taker_side, NAX_SIDE_BUY);
        ck_dec_eq(&x.fills[i].price, prices[i]);
        ck_dec_eq(&x.fills[i].quantity, qtys[i]);
        ck_assert_uint_eq(x.orders[i + 1].id, makers[i]);
    }
    ck_assert_uint_eq(x.orders_count, 4);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_FILLED);
    ck_dec_eq(&x.orders[0].filled_notional, "2.49");
    ck_assert_int_eq(x.orders[1].status, NAX_ORDER_STATUS_FILLED);
    ck_assert_int_eq(x.orders[2].status, NAX_ORDER_STATUS_FILLED);
    ck_assert_int_eq(x.orders[3].status, NAX_ORDER_STATUS_PARTIALLY_FILLED);
    ck_dec_eq(&x.orders[3].hold_remaining, "0.005");
    ck_assert_int_eq(x.book_changed, 1);

    /* Held 2.5 x 1.002 = 2.505; paid 2.49 + taker fees 0.00198 + 0.002 + 0.001;
     * the 0.01002 saved by filling below the limit comes back. */
    ck_balance(e, B, "AUD", "99997.50502", "0");
    ck_balance(e, B, "BTC", "0.025", "0");
    ck_balance(e, S3, "AUD", "1000.98901", "0"); /* 0.99 - maker fee 0.00099 */
    ck_balance(e, S3, "BTC", "9.99", "0");
    ck_balance(e, S1, "AUD", "1000.999", "0");
    ck_balance(e, S2, "AUD", "1000.4995", "0");
    ck_balance(e, S2, "BTC", "9.99", "0.005");
    ck_balance(e, FEE_ACCOUNT, "AUD", "0.00747", "0"); /* 0.00498 taker + 0.00249 maker */

    /* Every changed balance is reported once, with its final value. */
    const naxd_balance_event *be = exec_balance(&x, B, "AUD");
    ck_assert_ptr_nonnull(be);
    ck_dec_eq(&be->available, "99997.50502");
    for (size_t i = 0; i < x.balances_count; i++)
        for (size_t j = i + 1; j < x.balances_count; j++)
            ck_assert(x.balances[i].user != x.balances[j].user ||
                      strcmp(x.balances[i].asset, x.balances[j].asset) != 0);
    ck_assert_uint_eq(x.balances_count, 9); /* B x2, S3 x2, S1 x2, S2 x2, fees */

    book_snap b;
    snap_book(e, "BTC-AUD", &b);
    ck_assert_uint_eq(b.nb, 0);
    ck_assert_uint_eq(b.na, 1);
    ck_dec_eq(&b.asks[0].price, "100");
    ck_dec_eq(&b.asks[0].quantity, "0.005");
}
END_TEST

START_TEST(partial_fills_at_several_levels_then_rest)
{
    rest(1, S1, "BTC-AUD", NAX_SIDE_SELL, "100.00", "0.01");
    rest(2, S2, "BTC-AUD", NAX_SIDE_SELL, "101.00", "0.01");
    naxd_order_spec s = order(3, B, "BTC-AUD", NAX_SIDE_BUY, "102.00", "0.03");
    place_ok(e, &s, &x);
    ck_assert_uint_eq(x.fills_count, 2);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_PARTIALLY_FILLED);
    ck_dec_eq(&x.orders[0].filled, "0.02");
    ck_dec_eq(&x.orders[0].filled_notional, "2.01");
    /* Held 3.06 x 1.002 = 3.06612; paid 2.01 + 0.00402 in fees. */
    ck_dec_eq(&x.orders[0].hold_remaining, "1.0521");
    ck_balance(e, B, "AUD", "99996.93388", "1.0521");

    const naxd_order_state *o = naxd_engine_open_order(e, 3);
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(o->status, NAX_ORDER_STATUS_PARTIALLY_FILLED);
    ck_assert_str_eq(o->hold_asset, "AUD");
    ck_assert_str_eq(o->pair, "BTC-AUD");
    book_snap b;
    snap_book(e, "BTC-AUD", &b);
    ck_assert_uint_eq(b.nb, 1);
    ck_assert_uint_eq(b.na, 0);
    ck_dec_eq(&b.bids[0].price, "102");
    ck_dec_eq(&b.bids[0].quantity, "0.01");

    /* Cancelling gives back exactly what the order still held. */
    ck_assert_int_eq(naxd_engine_cancel(e, B, 3, 5000, &x), 0);
    ck_assert_uint_eq(x.orders_count, 1);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_CANCELLED);
    ck_dec_eq(&x.orders[0].filled, "0.02");
    ck_assert_int_eq(x.orders[0].updated_at, 5000);
    ck_assert_uint_eq(x.balances_count, 1);
    ck_balance(e, B, "AUD", "99997.98598", "0");
    ck_assert_ptr_null(naxd_engine_open_order(e, 3));
}
END_TEST

START_TEST(ioc_cancels_the_remainder)
{
    rest(1, S1, "BTC-AUD", NAX_SIDE_SELL, "100.00", "0.01");
    naxd_order_spec s = order(2, B, "BTC-AUD", NAX_SIDE_BUY, "101.00", "0.02");
    s.tif = NAX_TIF_IOC;
    place_ok(e, &s, &x);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_CANCELLED);
    ck_assert_int_eq(x.orders[0].tif, NAX_TIF_IOC);
    ck_dec_eq(&x.orders[0].filled, "0.01");
    ck_dec_eq(&x.orders[0].hold_remaining, "0");
    ck_balance(e, B, "AUD", "99998.998", "0");
    ck_assert_ptr_null(naxd_engine_open_order(e, 2));

    /* Nothing to meet: cancelled, no money moved, no book change. */
    uint64_t seq = seq_of("BTC-AUD");
    s = order(3, B, "BTC-AUD", NAX_SIDE_BUY, "101.00", "0.02");
    s.tif = NAX_TIF_IOC;
    place_ok(e, &s, &x);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_CANCELLED);
    ck_assert_uint_eq(x.balances_count, 0);
    ck_assert_int_eq(x.book_changed, 0);
    ck_assert_uint_eq(seq_of("BTC-AUD"), seq);
}
END_TEST

START_TEST(fok_fills_completely_or_not_at_all)
{
    rest(1, S1, "BTC-AUD", NAX_SIDE_SELL, "100.00", "0.01");
    rest(2, S2, "BTC-AUD", NAX_SIDE_SELL, "101.00", "0.01");
    uint64_t seq = seq_of("BTC-AUD");
    naxd_order_spec s = order(3, B, "BTC-AUD", NAX_SIDE_BUY, "101.00", "0.03");
    s.tif = NAX_TIF_FOK;
    place_ok(e, &s, &x);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_CANCELLED);
    ck_dec_eq(&x.orders[0].filled, "0");
    ck_assert_uint_eq(x.fills_count, 0);
    ck_assert_uint_eq(x.balances_count, 0);
    ck_assert_uint_eq(seq_of("BTC-AUD"), seq);
    ck_balance(e, B, "AUD", "100000", "0");

    /* A FOK whose limit excludes the second level cannot fill either. */
    s = order(4, B, "BTC-AUD", NAX_SIDE_BUY, "100.99", "0.02");
    s.tif = NAX_TIF_FOK;
    place_ok(e, &s, &x);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_CANCELLED);
    ck_assert_uint_eq(x.fills_count, 0);

    /* The user's own order in the way (self-trade prevention) kills it too. */
    s = order(5, S2, "BTC-AUD", NAX_SIDE_BUY, "101.00", "0.02");
    s.tif = NAX_TIF_FOK;
    place_ok(e, &s, &x);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_CANCELLED);
    ck_assert_uint_eq(x.fills_count, 0);

    s = order(6, B, "BTC-AUD", NAX_SIDE_BUY, "101.00", "0.02");
    s.tif = NAX_TIF_FOK;
    place_ok(e, &s, &x);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_FILLED);
    ck_assert_uint_eq(x.fills_count, 2);
    /* Paid 2.01 + 0.00402; the hold (2.02 x 1.002) is gone entirely. */
    ck_balance(e, B, "AUD", "99997.98598", "0");
}
END_TEST

START_TEST(market_buy_stops_when_funds_run_out)
{
    deposit(e, C, "AUD", "2.5");
    rest(1, S1, "BTC-AUD", NAX_SIDE_SELL, "100.00", "0.01");
    rest(2, S2, "BTC-AUD", NAX_SIDE_SELL, "200.00", "0.01");
    naxd_order_spec s = order(3, C, "BTC-AUD", NAX_SIDE_BUY, NULL, "0.02");
    place_ok(e, &s, &x);
    /* 0.01 @ 100 costs 1.002, leaving 1.498; a lot at 200 costs 0.02004, so
     * 74 lots (1.48296) fit and 75 (1.503) do not. */
    ck_assert_uint_eq(x.fills_count, 2);
    ck_dec_eq(&x.fills[1].quantity, "0.0074");
    ck_dec_eq(&x.fills[1].taker_fee, "0.00296");
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_CANCELLED);
    ck_assert_int_eq(x.orders[0].tif, NAX_TIF_IOC);
    ck_dec_eq(&x.orders[0].filled, "0.0174");
    ck_dec_eq(&x.orders[0].price, "0");
    ck_assert_str_eq(x.orders[0].hold_asset, "AUD");
    ck_balance(e, C, "AUD", "0.01504", "0");
    ck_balance(e, C, "BTC", "0.0174", "0");
    book_snap b;
    snap_book(e, "BTC-AUD", &b);
    ck_assert_uint_eq(b.na, 1);
    ck_dec_eq(&b.asks[0].quantity, "0.0026");

    /* Without any quote there is nothing to pay with. */
    s = order(4, 77, "BTC-AUD", NAX_SIDE_BUY, NULL, "0.01");
    ck_assert_int_eq(place_refused(e, &s), NAXD_REFUSE_INSUFFICIENT_FUNDS);
}
END_TEST

START_TEST(market_fok_buy_needs_funds_for_everything)
{
    deposit(e, C, "AUD", "1.5");
    rest(1, S1, "BTC-AUD", NAX_SIDE_SELL, "100.00", "0.01");
    rest(2, S2, "BTC-AUD", NAX_SIDE_SELL, "100.00", "0.01");
    naxd_order_spec s = order(3, C, "BTC-AUD", NAX_SIDE_BUY, NULL, "0.02");
    s.tif = NAX_TIF_FOK;
    place_ok(e, &s, &x);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_CANCELLED);
    ck_assert_uint_eq(x.fills_count, 0);
    ck_balance(e, C, "AUD", "1.5", "0");

    s = order(4, C, "BTC-AUD", NAX_SIDE_BUY, NULL, "0.01");
    s.tif = NAX_TIF_FOK;
    place_ok(e, &s, &x);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_FILLED);
    ck_balance(e, C, "AUD", "0.498", "0");
}
END_TEST

START_TEST(market_sell_walks_the_book)
{
    rest(1, B, "BTC-AUD", NAX_SIDE_BUY, "100.00", "0.01");
    rest(2, B, "BTC-AUD", NAX_SIDE_BUY, "99.00", "0.02");
    naxd_order_spec s = order(3, S1, "BTC-AUD", NAX_SIDE_SELL, NULL, "0.025");
    place_ok(e, &s, &x);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_FILLED);
    ck_assert_uint_eq(x.fills_count, 2);
    ck_dec_eq(&x.fills[1].price, "99");
    ck_dec_eq(&x.fills[1].quantity, "0.015");
    /* 1.00 - 0.002 + 1.485 - 0.00297 */
    ck_balance(e, S1, "AUD", "1002.48003", "0");
    ck_balance(e, S1, "BTC", "9.975", "0");
    /* Maker B: the first order filled at its limit; its fee (0.001) was held
     * at the larger rate, so the rest of that hold (0.001) came back. */
    ck_balance(e, B, "BTC", "0.025", "0");

    /* More than the book holds: the rest is cancelled and released. */
    s = order(4, S1, "BTC-AUD", NAX_SIDE_SELL, NULL, "1");
    place_ok(e, &s, &x);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_CANCELLED);
    ck_dec_eq(&x.orders[0].filled, "0.005");
    ck_balance(e, S1, "BTC", "9.97", "0");
}
END_TEST

START_TEST(post_only_that_would_take_is_rejected)
{
    rest(1, S1, "BTC-AUD", NAX_SIDE_SELL, "100.00", "0.01");
    uint64_t seq = seq_of("BTC-AUD");
    naxd_order_spec s = order(2, B, "BTC-AUD", NAX_SIDE_BUY, "100.00", "0.01");
    s.post_only = 1;
    place_ok(e, &s, &x);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_REJECTED);
    ck_assert_int_eq(x.orders[0].post_only, 1);
    ck_assert_uint_eq(x.fills_count, 0);
    ck_assert_uint_eq(x.balances_count, 0);
    ck_assert_uint_eq(seq_of("BTC-AUD"), seq);
    ck_balance(e, B, "AUD", "100000", "0");

    s = order(3, B, "BTC-AUD", NAX_SIDE_BUY, NULL, "0.01");
    s.post_only = 1;
    place_ok(e, &s, &x);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_REJECTED);

    /* 99.99 x 0.01 x 1.002 = 1.0018998, held rounded up to 1.001900. */
    s = order(4, B, "BTC-AUD", NAX_SIDE_BUY, "99.99", "0.01");
    s.post_only = 1;
    place_ok(e, &s, &x);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_OPEN);
    ck_balance(e, B, "AUD", "99998.9981", "1.0019");
    ck_assert_uint_eq(seq_of("BTC-AUD"), seq + 1);
}
END_TEST

START_TEST(self_trade_cancels_the_incoming_remainder)
{
    rest(1, S2, "BTC-AUD", NAX_SIDE_SELL, "99.00", "0.01");
    rest(2, S1, "BTC-AUD", NAX_SIDE_SELL, "100.00", "0.01");
    naxd_order_spec s = order(3, S1, "BTC-AUD", NAX_SIDE_BUY, "101.00", "0.03");
    place_ok(e, &s, &x);
    ck_assert_uint_eq(x.fills_count, 1);
    ck_assert_uint_eq(x.fills[0].maker_order, 1);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_CANCELLED);
    ck_dec_eq(&x.orders[0].filled, "0.01");
    /* The resting order of the same user is untouched. */
    const naxd_order_state *own = naxd_engine_open_order(e, 2);
    ck_assert_ptr_nonnull(own);
    ck_assert_int_eq(own->status, NAX_ORDER_STATUS_OPEN);
    ck_dec_eq(&own->filled, "0");
    /* 1000 - 0.99 - 0.00198; BTC: 10 - 0.01 locked + 0.01 bought */
    ck_balance(e, S1, "AUD", "999.00802", "0");
    ck_balance(e, S1, "BTC", "10", "0.01");
    book_snap b;
    snap_book(e, "BTC-AUD", &b);
    ck_assert_uint_eq(b.nb, 0);
    ck_assert_uint_eq(b.na, 1);

    /* Meeting the own order first: nothing happens, nothing rests. */
    s = order(4, S1, "BTC-AUD", NAX_SIDE_BUY, "100.00", "0.01");
    place_ok(e, &s, &x);
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_CANCELLED);
    ck_assert_uint_eq(x.balances_count, 0);
    ck_assert_ptr_null(naxd_engine_open_order(e, 4));
}
END_TEST

START_TEST(cancel_only_own_open_orders)
{
    rest(1, B, "BTC-AUD", NAX_SIDE_BUY, "100.00", "0.01");
    uint64_t seq = seq_of("BTC-AUD");
    ck_assert_int_eq(naxd_engine_cancel(e, S1, 1, 2000, &x), NAX_ENOTFOUND);
    ck_assert_ptr_nonnull(naxd_engine_open_order(e, 1));
    ck_assert_int_eq(naxd_engine_cancel(e, B, 99, 2000, &x), NAX_ENOTFOUND);
    ck_assert_int_eq(naxd_engine_cancel(e, B, 1, 2000, &x), 0);
    ck_assert_int_eq(x.book_changed, 1);
    ck_assert_uint_eq(seq_of("BTC-AUD"), seq + 1);
    ck_balance(e, B, "AUD", "100000", "0");
    ck_assert_int_eq(naxd_engine_cancel(e, B, 1, 2000, &x), NAX_ENOTFOUND);
}
END_TEST

static int count_open(const naxd_order_state *o, void *arg)
{
    (void)o;
    (*(int *)arg)++;
    return 0;
}

START_TEST(cancel_all_per_pair_and_everywhere)
{
    rest(1, S1, "BTC-AUD", NAX_SIDE_BUY, "100.00", "0.01");
    rest(2, S1, "BTC-AUD", NAX_SIDE_BUY, "90.00", "0.02");
    rest(3, S1, "BTC-AUD", NAX_SIDE_SELL, "110.00", "0.03");
    rest(4, S1, "ETH-AUD", NAX_SIDE_BUY, "10.00", "0.5");
    rest(5, S2, "BTC-AUD", NAX_SIDE_BUY, "95.00", "0.01");
    ck_assert_int_eq(naxd_engine_cancel_all(e, S1, "BTC-AUD", 3000, &x), 0);
    ck_assert_uint_eq(x.orders_count, 3);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(x.orders[i].id, i + 1);
        ck_assert_int_eq(x.orders[i].status, NAX_ORDER_STATUS_CANCELLED);
    }
    ck_assert_uint_eq(x.balances_count, 2);
    ck_balance(e, S1, "BTC", "10", "0");
    ck_balance(e, S1, "AUD", "994.9875", "5.0125"); /* 10 x 0.5 x 1.0025 held for ETH */
    int open = 0;
    ck_assert_int_eq(naxd_engine_foreach_open_order(e, S1, count_open, &open), 0);
    ck_assert_int_eq(open, 1);

    ck_assert_int_eq(naxd_engine_cancel_all(e, S1, NULL, 3001, &x), 0);
    ck_assert_uint_eq(x.orders_count, 1);
    ck_balance(e, S1, "AUD", "1000", "0");
    ck_assert_ptr_nonnull(naxd_engine_open_order(e, 5));
    ck_assert_int_eq(naxd_engine_cancel_all(e, S1, NULL, 3002, &x), 0);
    ck_assert_uint_eq(x.orders_count, 0);
    ck_assert_int_eq(naxd_engine_cancel_all(e, S1, "XRP-AUD", 3002, &x), NAX_ENOTFOUND);
}
END_TEST

START_TEST(fees_round_up_at_tick_plus_lot_scale)
{
    /* ETH-AUD: notional 100.05 x 0.003 = 0.30015; maker 0.0015 gives
     * 0.000450225 -> 0.00046; taker 0.0025 gives 0.000750375 -> 0.00076. */
    rest(1, S1, "ETH-AUD", NAX_SIDE_SELL, "100.05", "0.003");
    naxd_order_spec s = order(2, B, "ETH-AUD", NAX_SIDE_BUY, "100.05", "0.003");
    place_ok(e, &s, &x);
    ck_assert_uint_eq(x.fills_count, 1);
    ck_dec_eq(&x.fills[0].maker_fee, "0.00046");
    ck_dec_eq(&x.fills[0].taker_fee, "0.00076");
    ck_assert_int_eq(nax_decimal_scale(&x.fills[0].maker_fee), 5);
    /* Held ceil(0.30015 x 1.0025) = 0.30091 = notional + fee: nothing left. */
    ck_balance(e, B, "AUD", "99999.69909", "0");
    ck_balance(e, B, "ETH", "0.003", "0");
    ck_balance(e, S1, "AUD", "1000.29969", "0");
    ck_balance(e, FEE_ACCOUNT, "AUD", "0.00122", "0");
}
END_TEST

START_TEST(buyer_fees_never_exceed_the_hold)
{
    /* Ten one-lot makers at 0.05: each fill's notional is 0.00005 and its fee
     * rounds up to 0.00001, but the buy held ceil(0.0005 x 1.0025) = 0.00051
     * in all: the taker pays fees only while its hold has room for them. */
    for (naxd_order_id id = 1; id <= 10; id++)
        rest(id, S1 + (id % 3), "ETH-AUD", NAX_SIDE_SELL, "0.05", "0.001");
    naxd_order_spec s = order(11, B, "ETH-AUD", NAX_SIDE_BUY, "0.05", "0.010");
    place_ok(e, &s, &x);
    ck_assert_uint_eq(x.fills_count, 10);
    ck_dec_eq(&x.fills[0].taker_fee, "0.00001");
    for (size_t i = 1; i < 10; i++)
        ck_dec_eq(&x.fills[i].taker_fee, "0");
    for (size_t i = 0; i < 10; i++)
        ck_dec_eq(&x.fills[i].maker_fee, "0.00001");
    ck_assert_int_eq(x.orders[0].status, NAX_ORDER_STATUS_FILLED);
    ck_balance(e, B, "AUD", "99999.99949", "0");
    ck_balance(e, FEE_ACCOUNT, "AUD", "0.00011", "0");
}
END_TEST

START_TEST(seq_rises_once_per_book_change)
{
    uint64_t seq = seq_of("BTC-AUD");
    rest(1, S1, "BTC-AUD", NAX_SIDE_SELL, "100.00", "0.01");
    ck_assert_uint_eq(seq_of("BTC-AUD"), seq + 1);
    rest(2, S2, "BTC-AUD", NAX_SIDE_SELL, "100.50", "0.01");
    ck_assert_uint_eq(seq_of("BTC-AUD"), seq + 2);
    /* Two makers consumed and a remainder resting: one change of the book. */
    naxd_order_spec s = order(3, B, "BTC-AUD", NAX_SIDE_BUY, "101.00", "0.05");
    place_ok(e, &s, &x);
    ck_assert_uint_eq(seq_of("BTC-AUD"), seq + 3);
    ck_assert_uint_eq(seq_of("ETH-AUD"), 1); /* untouched: the empty book's seq */
    s = order(4, B, "BTC-AUD", NAX_SIDE_BUY, "101.001", "0.05");
    ck_assert_int_eq(place_refused(e, &s), NAXD_REFUSE_INVALID_PRICE);
    ck_assert_uint_eq(seq_of("BTC-AUD"), seq + 3);
}
END_TEST

START_TEST(top_of_book)
{
    int hb, ha;
    nax_decimal bid, ask;
    ck_assert_int_eq(naxd_engine_top(e, "BTC-AUD", &hb, &bid, &ha, &ask), 0);
    ck_assert_int_eq(hb, 0);
    ck_assert_int_eq(ha, 0);
    rest(1, S1, "BTC-AUD", NAX_SIDE_SELL, "100.5", "0.01");
    rest(2, S1, "BTC-AUD", NAX_SIDE_SELL, "100.25", "0.01");
    rest(3, B, "BTC-AUD", NAX_SIDE_BUY, "99.1", "0.02");
    ck_assert_int_eq(naxd_engine_top(e, "BTC-AUD", &hb, &bid, &ha, &ask), 0);
    ck_assert_int_eq(hb, 1);
    ck_assert_int_eq(ha, 1);
    ck_dec_eq(&bid, "99.1");
    ck_dec_eq(&ask, "100.25");
    ck_assert_int_eq(nax_decimal_scale(&bid), 2); /* levels come at the tick's scale */
    ck_assert_int_eq(naxd_engine_top(e, "NOPE", &hb, &bid, &ha, &ask), NAX_ENOTFOUND);
}
END_TEST

/* Thousands of levels over a wide range, added and emptied in random order:
 * the book stays sorted and equals a plain per-tick reference. */
START_TEST(many_levels_stay_ordered)
{
    enum { TICKS = 20000, ORDERS = 4000 };
    static int64_t lots[2 * TICKS + 1]; /* by ticks; bids below TICKS, asks above */
    static naxd_order_id placed[ORDERS + 1];
    static int64_t placed_ticks[ORDERS + 1], placed_lots[ORDERS + 1];
    memset(lots, 0, sizeof lots);
    deposit(e, B, "AUD", "100000000");
    deposit(e, S1, "ETH", "100000000");
    uint64_t rng = 12345;
    for (naxd_order_id id = 1; id <= ORDERS; id++) {
        rng = rng * 6364136223846793005u + 1442695040888963407u;
        int64_t r = (int64_t)(rng >> 33);
        int buy = r & 1;
        int64_t ticks = buy ? 1 + r % (TICKS - 1) : TICKS + 1 + r % TICKS, q = 1 + r % 7;
        char price[32], qty[32];
        snprintf(price, sizeof price, "%lld.%02lld", (long long)(ticks * 5 / 100),
                 (long long)(ticks * 5 % 100));
        snprintf(qty, sizeof qty, "0.00%lld", (long long)q);
        naxd_order_spec s =
            order(id, buy ? B : S1, "ETH-AUD", buy ? NAX_SIDE_BUY : NAX_SIDE_SELL, price, qty);
        place_ok(e, &s, &x);
        lots[ticks] += q;
        placed[id] = buy ? B : S1;
        placed_ticks[id] = ticks;
        placed_lots[id] = q;
        if (id % 3 == 0) { /* cancel an earlier one, maybe already cancelled */
            naxd_order_id victim = 1 + (naxd_order_id)(r >> 3) % id;
            if (naxd_engine_cancel(e, placed[victim], victim, 0, &x) == 0)
                lots[placed_ticks[victim]] -= placed_lots[victim];
        }
    }
    static naxd_level bids[ORDERS], asks[ORDERS];
    size_t nb, na;
    ck_assert_int_eq(naxd_engine_book(e, "ETH-AUD", ORDERS, bids, &nb, asks, &na, NULL), 0);
    size_t want_b = 0, want_a = 0;
    for (int64_t t = TICKS - 1; t >= 1; t--) {
        if (lots[t] == 0)
            continue;
        ck_assert_uint_lt(want_b, nb);
        int64_t p, q;
        ck_assert_int_eq(nax_decimal_to_int(&p, &bids[want_b].price, 2), 0);
        ck_assert_int_eq(nax_decimal_to_int(&q, &bids[want_b].quantity, 3), 0);
        ck_assert_int_eq(p, t * 5);
        ck_assert_int_eq(q, lots[t]);
        want_b++;
    }
    for (int64_t t = TICKS + 1; t <= 2 * TICKS; t++) {
        if (lots[t] == 0)
            continue;
        ck_assert_uint_lt(want_a, na);
        int64_t p;
        ck_assert_int_eq(nax_decimal_to_int(&p, &asks[want_a].price, 2), 0);
        ck_assert_int_eq(p, t * 5);
        want_a++;
    }
    ck_assert_uint_eq(nb, want_b);
    ck_assert_uint_eq(na, want_a);
    ck_assert_uint_gt(nb + na, 1000);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("engine_match");
    TCase *tc = tcase_create("match");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, price_time_priority);
    tcase_add_test(tc, partial_fills_at_several_levels_then_rest);
    tcase_add_test(tc, ioc_cancels_the_remainder);
    tcase_add_test(tc, fok_fills_completely_or_not_at_all);
    tcase_add_test(tc, market_buy_stops_when_funds_run_out);
    tcase_add_test(tc, market_fok_buy_needs_funds_for_everything);
    tcase_add_test(tc, market_sell_walks_the_book);
    tcase_add_test(tc, post_only_that_would_take_is_rejected);
    tcase_add_test(tc, self_trade_cancels_the_incoming_remainder);
    tcase_add_test(tc, cancel_only_own_open_orders);
    tcase_add_test(tc, cancel_all_per_pair_and_everywhere);
    tcase_add_test(tc, fees_round_up_at_tick_plus_lot_scale);
    tcase_add_test(tc, buyer_fees_never_exceed_the_hold);
    tcase_add_test(tc, seq_rises_once_per_book_change);
    tcase_add_test(tc, top_of_book);
    tcase_add_test(tc, many_levels_stay_ordered);
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

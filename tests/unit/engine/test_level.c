/* naxd_engine_level: the total at one price of one side, as the stream
 * publisher reads it after each change. Checked against the aggregated book
 * (naxd_engine_book) so both views of a level agree. */
#include <stdio.h>
#include <stdlib.h>

#include "engine_test.h"

enum { S1 = 1, S2 = 2, B = 3 };

static naxd_engine *e;
static naxd_exec x;

static void setup(void)
{
    e = new_engine();
    naxd_exec_init(&x);
    deposit(e, S1, "BTC", "10");
    deposit(e, S2, "BTC", "10");
    deposit(e, B, "AUD", "100000");
}

static void teardown(void)
{
    naxd_exec_dispose(&x);
    naxd_engine_free(e);
}

static void place(naxd_order_id id, naxd_user_id user, nax_side side, const char *price,
                  const char *qty)
{
    naxd_order_spec s = order(id, user, "BTC-AUD", side, price, qty);
    place_ok(e, &s, &x);
}

/* The level's total, asserting the call succeeded. */
#define ck_level(side, price, want) ck_level_at((side), (price), (want), __LINE__)
static void ck_level_at(nax_side side, const char *price, const char *want, int line)
{
    nax_decimal p = dec(price), q;
    ck_assert_msg(naxd_engine_level(e, "BTC-AUD", side, &p, &q) == 0, "line %d", line);
    char what[64];
    snprintf(what, sizeof what, "level %s %s", side == NAX_SIDE_BUY ? "bid" : "ask", price);
    ck_dec_eq_at(&q, want, what, __FILE__, line);
}

START_TEST(totals_follow_orders_joining_and_leaving)
{
    ck_level(NAX_SIDE_SELL, "100.00", "0");
    place(1, S1, NAX_SIDE_SELL, "100.00", "0.0100");
    place(2, S2, NAX_SIDE_SELL, "100.00", "0.0250");
    place(3, S1, NAX_SIDE_SELL, "101.00", "0.5000");
    ck_level(NAX_SIDE_SELL, "100.00", "0.035");
    ck_level(NAX_SIDE_SELL, "101", "0.5"); /* matched by value, not by spelling */
    ck_level(NAX_SIDE_BUY, "100.00", "0"); /* the other side is empty there */

    /* A buy takes 0.02 at 100: the level keeps what is left. */
    place(4, B, NAX_SIDE_BUY, "100.00", "0.0200");
    ck_assert_uint_eq(x.fills_count, 2);
    ck_level(NAX_SIDE_SELL, "100.00", "0.015");

    /* Cancelling the rest of the level removes it. */
    ck_assert_int_eq(naxd_engine_cancel(e, S2, 2, 10, &x), 0);
    ck_level(NAX_SIDE_SELL, "100.00", "0");
    ck_level(NAX_SIDE_SELL, "101.00", "0.5");

    /* A resting bid shows on its side only. */
    place(5, B, NAX_SIDE_BUY, "99.50", "0.3000");
    ck_level(NAX_SIDE_BUY, "99.50", "0.3");
    ck_level(NAX_SIDE_SELL, "99.50", "0");
}
END_TEST

START_TEST(every_level_of_the_book_agrees)
{
    const char *asks[] = {"100.00", "100.01", "100.50", "120.00"};
    const char *bids[] = {"99.99", "99.00", "50.00"};
    naxd_order_id id = 1;
    for (size_t i = 0; i < 4; i++) {
        place(id++, S1, NAX_SIDE_SELL, asks[i], "0.0100");
        place(id++, S2, NAX_SIDE_SELL, asks[i], "0.0050");
    }
    for (size_t i = 0; i < 3; i++)
        place(id++, B, NAX_SIDE_BUY, bids[i], "0.0700");
    book_snap s;
    snap_book(e, "BTC-AUD", &s);
    ck_assert_uint_eq(s.na, 4);
    ck_assert_uint_eq(s.nb, 3);
    for (size_t i = 0; i < s.na; i++) {
        nax_decimal q;
        ck_assert_int_eq(naxd_engine_level(e, "BTC-AUD", NAX_SIDE_SELL, &s.asks[i].price, &q), 0);
        ck_assert_int_eq(nax_decimal_cmp(&q, &s.asks[i].quantity), 0);
        ck_dec_eq(&q, "0.015");
    }
    for (size_t i = 0; i < s.nb; i++) {
        nax_decimal q;
        ck_assert_int_eq(naxd_engine_level(e, "BTC-AUD", NAX_SIDE_BUY, &s.bids[i].price, &q), 0);
        ck_assert_int_eq(nax_decimal_cmp(&q, &s.bids[i].quantity), 0);
    }
}
END_TEST

START_TEST(prices_that_hold_no_level)
{
    place(1, S1, NAX_SIDE_SELL, "100.00", "0.0100");
    /* Off the tick grid, zero, negative: no order can rest there. */
    ck_level(NAX_SIDE_SELL, "100.005", "0");
    ck_level(NAX_SIDE_SELL, "0", "0");
    ck_level(NAX_SIDE_SELL, "-100.00", "0");
    ck_level(NAX_SIDE_SELL, "99999999999999999999999999.99", "0");
}
END_TEST

START_TEST(unknown_pair_and_bad_arguments)
{
    nax_decimal p = dec("100"), q = dec("7");
    ck_assert_int_eq(naxd_engine_level(e, "DOGE-AUD", NAX_SIDE_BUY, &p, &q), NAX_ENOTFOUND);
    ck_dec_eq(&q, "7"); /* untouched on failure */
    ck_assert_int_eq(naxd_engine_level(e, "BTC-AUD", NAX_SIDE_NONE, &p, &q), NAX_EINVAL);
    ck_assert_int_eq(naxd_engine_level(e, NULL, NAX_SIDE_BUY, &p, &q), NAX_EINVAL);
    ck_assert_int_eq(naxd_engine_level(e, "BTC-AUD", NAX_SIDE_BUY, NULL, &q), NAX_EINVAL);
    ck_assert_int_eq(naxd_engine_level(e, "BTC-AUD", NAX_SIDE_BUY, &p, NULL), NAX_EINVAL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("engine_level");
    TCase *tc = tcase_create("level");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, totals_follow_orders_joining_and_leaving);
    tcase_add_test(tc, every_level_of_the_book_agrees);
    tcase_add_test(tc, prices_that_hold_no_level);
    tcase_add_test(tc, unknown_pair_and_bad_arguments);
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

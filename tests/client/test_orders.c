/* Orders against naxd: place (limit, market, IOC, FOK, post-only), get, by
 * client id, list and its filters, cancel, cancel-all, fills, API-key
 * signed trading, the local rule checks (proved to send nothing), the
 * pager, and placement when the outcome of an attempt is unknown. */
#include <stdio.h>
#include <stdlib.h>

#include "client_test.h"

/* BTC-USD halted and ETH-USD post-only, so both market states can be tested. */
static const char config[] =
    "{\"markets\":["
    "{\"pair\":\"BTC-AUD\",\"base\":\"BTC\",\"quote\":\"AUD\",\"tick_size\":\"0.01\","
    "\"lot_size\":\"0.00000001\",\"min_notional\":\"10.00\"},"
    "{\"pair\":\"ETH-AUD\",\"base\":\"ETH\",\"quote\":\"AUD\",\"tick_size\":\"0.01\","
    "\"lot_size\":\"0.0000001\",\"min_notional\":\"10.00\"},"
    "{\"pair\":\"BTC-USD\",\"base\":\"BTC\",\"quote\":\"USD\",\"tick_size\":\"0.01\","
    "\"lot_size\":\"0.00000001\",\"min_notional\":\"10.00\",\"status\":\"halted\"},"
    "{\"pair\":\"ETH-USD\",\"base\":\"ETH\",\"quote\":\"USD\",\"tick_size\":\"0.01\","
    "\"lot_size\":\"0.0000001\",\"min_notional\":\"10.00\",\"status\":\"post_only\"}]}";

static naxh_server srv;

static void setup(void)
{
    client_test_global_init();
    ck_assert_int_eq(naxh_start(&srv, config), 0);
}

static void teardown(void)
{
    naxh_stop(&srv);
    ck_assert_int_eq(srv.exit_status, 0);
    nax_global_shutdown();
}

/* A user with money: AUD and USD to buy with, BTC and ETH to sell. */
static void trader(naxh_user *u)
{
    OK(naxh_user_new(&srv, u));
    OK(naxh_fund_fiat(&srv, u, "AUD", "1000000.00"));
    OK(naxh_fund_fiat(&srv, u, "USD", "100000.00"));
    OK(naxh_fund_crypto(&srv, u, "BTC", "10"));
    OK(naxh_fund_crypto(&srv, u, "ETH", "100"));
}

typedef struct order_spec {
    const char *pair;
    nax_side side;
    nax_order_type type;
    const char *price; /* NULL: none */
    const char *qty;
    nax_time_in_force tif;
    int post_only;
    const char *cid;
} order_spec;

static nax_order_request request_of(const order_spec *s, nax_decimal *price)
{
    nax_order_request r = {sizeof r};
    r.pair = s->pair;
    r.side = s->side;
    r.type = s->type;
    if (s->price) {
        *price = naxh_dec(s->price);
        r.price = price;
    }
    r.quantity = naxh_dec(s->qty);
    r.time_in_force = s->tif;
    r.post_only = s->post_only;
    r.client_order_id = s->cid;
    return r;
}

static nax_order *place(nax_client *c, order_spec s)
{
    nax_decimal price;
    nax_order_request r = request_of(&s, &price);
    nax_order *o = NULL;
    OK(nax_orders_place(c, &r, &o));
    ck_assert_ptr_nonnull(o);
    return o;
}

static int place_rc(nax_client *c, order_spec s, nax_order **out)
{
    nax_decimal price;
    nax_order_request r = request_of(&s, &price);
    return nax_orders_place(c, &r, out);
}

static nax_order *limit(nax_client *c, const char *pair, nax_side side, const char *price,
                        const char *qty)
{
    return place(c, (order_spec){pair, side, NAX_ORDER_TYPE_LIMIT, price, qty});
}

static unsigned long long id_number(const char *id)
{
    ck_assert(!strncmp(id, "o_", 2));
    return strtoull(id + 2, NULL, 10);
}

/* ---- place, get, by client id -------------------------------------------------------- */

START_TEST(test_place_limit_and_read_it_back)
{
    naxh_user a, b;
    trader(&a);
    trader(&b);
    nax_order *o = limit(a.client, "BTC-AUD", NAX_SIDE_BUY, "40000.00", "0.01");
    ck_assert_int_eq(o->status, NAX_ORDER_STATUS_OPEN);
    ck_assert_str_eq(o->pair, "BTC-AUD");
    ck_assert_int_eq(o->side, NAX_SIDE_BUY);
    ck_assert_int_eq(o->type, NAX_ORDER_TYPE_LIMIT);
    EXPECT_DEC(o->price, "40000.00");
    EXPECT_DEC(&o->quantity, "0.01");
    EXPECT_DEC(&o->filled_quantity, "0");
    ck_assert_ptr_null(o->average_price);
    ck_assert_int_eq(o->time_in_force, NAX_TIF_GTC);
    ck_assert_int_eq(o->post_only, 0);
    ck_assert_int_gt(o->created_at, 0);
    /* The client made the client order id before sending: a UUID. */
    ck_assert_ptr_nonnull(o->client_order_id);
    ck_assert_uint_eq(strlen(o->client_order_id), 36);

    nax_order *got = NULL;
    OK(nax_orders_get(a.client, o->id, &got));
    ck_assert_str_eq(got->id, o->id);
    ck_assert_str_eq(got->client_order_id, o->client_order_id);
    EXPECT_DEC(got->price, "40000.00");
    ck_assert_int_eq(got->status, NAX_ORDER_STATUS_OPEN);
    nax_object_free(got);
    OK(nax_orders_get_by_client_id(a.client, o->client_order_id, &got));
    ck_assert_str_eq(got->id, o->id);
    nax_object_free(got);

    /* A caller's own client order id is kept; a second order may not reuse it. */
    nax_order *mine =
        place(a.client, (order_spec){"BTC-AUD", NAX_SIDE_BUY, NAX_ORDER_TYPE_LIMIT, "39000.00",
                                     "0.01", NAX_TIF_GTC, 0, "my-order-1"});
    ck_assert_str_eq(mine->client_order_id, "my-order-1");
    nax_order *dup = (nax_order *)&dup;
    EXPECT_ERROR(place_rc(a.client,
                          (order_spec){"BTC-AUD", NAX_SIDE_BUY, NAX_ORDER_TYPE_LIMIT, "39000.00",
                                       "0.02", NAX_TIF_GTC, 0, "my-order-1"},
                          &dup),
                 NAX_ECONFLICT, 409, "duplicate_client_order_id", "client_order_id");
    ck_assert_ptr_null(dup);
    OK(nax_orders_get_by_client_id(a.client, "my-order-1", &got));
    ck_assert_str_eq(got->id, mine->id);
    nax_object_free(got);

    got = (nax_order *)&got;
    EXPECT_ERROR(nax_orders_get(a.client, "o_999999999", &got), NAX_ENOTFOUND, 404, "not_found",
                 "id");
    ck_assert_ptr_null(got);
    EXPECT_ERROR(nax_orders_get(b.client, o->id, &got), NAX_ENOTFOUND, 404, "not_found", "id");
    EXPECT_ERROR(nax_orders_get(a.client, "o_1/../../x?y", &got), NAX_ENOTFOUND, 404, NULL, NULL);
    EXPECT_ERROR(nax_orders_get_by_client_id(a.client, "no-such-order", &got), NAX_ENOTFOUND, 0,
                 NULL, "client_order_id");
    EXPECT_ERROR(nax_orders_get_by_client_id(b.client, "my-order-1", &got), NAX_ENOTFOUND, 0, NULL,
                 "client_order_id");
    EXPECT_ERROR(
        nax_orders_get_by_client_id(a.client, "0123456789012345678901234567890123456", &got),
        NAX_EINVAL, 0, NULL, "client_order_id");
    EXPECT_ERROR(nax_orders_get(a.client, NULL, &got), NAX_EINVAL, 0, NULL, "id");
    EXPECT_ERROR(nax_orders_get(a.client, o->id, NULL), NAX_EINVAL, 0, NULL, "out");
    nax_object_free(mine);
    nax_object_free(o);
    naxh_user_free(&a);
    naxh_user_free(&b);
}
END_TEST

/* ---- matching and fills ------------------------------------------------------------- */

START_TEST(test_match_market_order_and_fills)
{
    naxh_user a, b;
    trader(&a);
    trader(&b);
    nax_order *bid = limit(a.client, "BTC-AUD", NAX_SIDE_BUY, "50000.00", "0.01");
    nax_order *s1 = limit(b.client, "BTC-AUD", NAX_SIDE_SELL, "50000.00", "0.004");
    ck_assert_int_eq(s1->status, NAX_ORDER_STATUS_FILLED);
    EXPECT_DEC(&s1->filled_quantity, "0.004");
    EXPECT_DEC(s1->average_price, "50000.00");

    nax_order *s2 = place(
        b.client, (order_spec){"BTC-AUD", NAX_SIDE_SELL, NAX_ORDER_TYPE_MARKET, NULL, "0.002"});
    ck_assert_int_eq(s2->type, NAX_ORDER_TYPE_MARKET);
    ck_assert_int_eq(s2->status, NAX_ORDER_STATUS_FILLED);
    ck_assert_ptr_null(s2->price);
    EXPECT_DEC(s2->average_price, "50000.00");

    nax_order *now = NULL;
    OK(nax_orders_get(a.client, bid->id, &now));
    ck_assert_int_eq(now->status, NAX_ORDER_STATUS_PARTIALLY_FILLED);
    EXPECT_DEC(&now->filled_quantity, "0.006");
    EXPECT_DEC(now->average_price, "50000.00");
    nax_object_free(now);

    /* The buyer's fills, newest first: maker, fees in AUD at 0.1 %. */
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.pair = "BTC-AUD";
    nax_fill_list *f = NULL;
    OK(nax_trades_history(a.client, &q, &f));
    ck_assert_uint_eq(f->fills_count, 2);
    ck_assert_ptr_null(f->next_cursor);
    EXPECT_DEC(&f->fills[0]->quantity, "0.002");
    EXPECT_DEC(&f->fills[1]->quantity, "0.004");
    for (size_t i = 0; i < 2; i++) {
        ck_assert_str_eq(f->fills[i]->order_id, bid->id);
        ck_assert_int_eq(f->fills[i]->side, NAX_SIDE_BUY);
        ck_assert_int_eq(f->fills[i]->liquidity, NAX_LIQUIDITY_MAKER);
        ck_assert_str_eq(f->fills[i]->fee_asset, "AUD");
        ck_assert_str_eq(f->fills[i]->pair, "BTC-AUD");
        EXPECT_DEC(&f->fills[i]->price, "50000.00");
    }
    EXPECT_DEC(&f->fills[0]->fee, "0.1");
    EXPECT_DEC(&f->fills[1]->fee, "0.2");
    nax_object_free(f);

    /* The seller's side: taker at 0.2 %, one page at a time. */
    q.limit = 1;
    OK(nax_trades_history(b.client, &q, &f));
    ck_assert_uint_eq(f->fills_count, 1);
    ck_assert_ptr_nonnull(f->next_cursor);
    ck_assert_int_eq(f->fills[0]->liquidity, NAX_LIQUIDITY_TAKER);
    ck_assert_int_eq(f->fills[0]->side, NAX_SIDE_SELL);
    ck_assert_str_eq(f->fills[0]->order_id, s2->id);
    EXPECT_DEC(&f->fills[0]->fee, "0.2");
    nax_fill_list *f2 = NULL;
    q.cursor = f->next_cursor;
    OK(nax_trades_history(b.client, &q, &f2));
    ck_assert_uint_eq(f2->fills_count, 1);
    ck_assert_str_eq(f2->fills[0]->order_id, s1->id);
    EXPECT_DEC(&f2->fills[0]->fee, "0.4");
    ck_assert_ptr_null(f2->next_cursor);
    nax_object_free(f2);
    nax_object_free(f);

    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.pair = "ETH-AUD";
    OK(nax_trades_history(a.client, &q, &f));
    ck_assert_uint_eq(f->fills_count, 0);
    nax_object_free(f);
    OK(nax_trades_history(a.client, NULL, &f)); /* no filter at all */
    ck_assert_uint_eq(f->fills_count, 2);
    nax_object_free(f);
    q.pair = "XXX-YYY";
    EXPECT_ERROR(nax_trades_history(a.client, &q, &f), NAX_EBADREQUEST, 400, "invalid_request",
                 "pair");
    q.pair = NULL;
    q.cursor = "not-a-cursor";
    EXPECT_ERROR(nax_trades_history(a.client, &q, &f), NAX_EBADREQUEST, 400, "invalid_request",
                 "cursor");
    nax_object_free(bid);
    nax_object_free(s1);
    nax_object_free(s2);
    naxh_user_free(&a);
    naxh_user_free(&b);
}
END_TEST

/* ---- time in force and post-only ----------------------------------------------------- */

START_TEST(test_ioc_fok_post_only)
{
    naxh_user a, b;
    trader(&a);
    trader(&b);
    nax_object_free(limit(b.client, "ETH-AUD", NAX_SIDE_SELL, "3000.00", "1"));

    nax_order *o = place(a.client, (order_spec){"ETH-AUD", NAX_SIDE_BUY, NAX_ORDER_TYPE_LIMIT,
                                                "2999.00", "0.5", NAX_TIF_IOC});
    ck_assert_int_eq(o->time_in_force, NAX_TIF_IOC);
    ck_assert_int_eq(o->status, NAX_ORDER_STATUS_CANCELLED); /* nothing to meet */
    EXPECT_DEC(&o->filled_quantity, "0");
    nax_object_free(o);
    o = place(a.client, (order_spec){"ETH-AUD", NAX_SIDE_BUY, NAX_ORDER_TYPE_LIMIT, "3000.00",
                                     "0.4", NAX_TIF_IOC});
    ck_assert_int_eq(o->status, NAX_ORDER_STATUS_FILLED);
    EXPECT_DEC(&o->filled_quantity, "0.4");
    nax_object_free(o);

    o = place(a.client, (order_spec){"ETH-AUD", NAX_SIDE_BUY, NAX_ORDER_TYPE_LIMIT, "3000.00", "5",
                                     NAX_TIF_FOK});
    ck_assert_int_eq(o->time_in_force, NAX_TIF_FOK);
    ck_assert_int_eq(o->status, NAX_ORDER_STATUS_CANCELLED); /* only 0.6 there: killed */
    EXPECT_DEC(&o->filled_quantity, "0");
    nax_object_free(o);
    nax_order_book *book = NULL;
    OK(nax_markets_orderbook(a.client, "ETH-AUD", 0, &book));
    ck_assert_uint_eq(book->asks_count, 1);
    EXPECT_DEC(&book->asks[0].quantity, "0.6");
    nax_object_free(book);
    o = place(a.client, (order_spec){"ETH-AUD", NAX_SIDE_BUY, NAX_ORDER_TYPE_LIMIT, "3000.00",
                                     "0.6", NAX_TIF_FOK});
    ck_assert_int_eq(o->status, NAX_ORDER_STATUS_FILLED);
    nax_object_free(o);

    nax_object_free(limit(b.client, "ETH-AUD", NAX_SIDE_SELL, "3100.00", "1"));
    o = place(a.client, (order_spec){"ETH-AUD", NAX_SIDE_BUY, NAX_ORDER_TYPE_LIMIT, "3100.00",
                                     "0.1", NAX_TIF_GTC, 1});
    ck_assert_int_eq(o->post_only, 1);
    ck_assert_int_eq(o->status, NAX_ORDER_STATUS_REJECTED); /* it would have taken */
    nax_object_free(o);
    o = place(a.client, (order_spec){"ETH-AUD", NAX_SIDE_BUY, NAX_ORDER_TYPE_LIMIT, "3050.00",
                                     "0.1", NAX_TIF_GTC, 1});
    ck_assert_int_eq(o->post_only, 1);
    ck_assert_int_eq(o->status, NAX_ORDER_STATUS_OPEN);
    nax_object_free(o);

    o = place(a.client, (order_spec){"ETH-AUD", NAX_SIDE_BUY, NAX_ORDER_TYPE_MARKET, NULL, "0.2"});
    ck_assert_int_eq(o->status, NAX_ORDER_STATUS_FILLED);
    EXPECT_DEC(o->average_price, "3100.00");
    nax_object_free(o);

    /* The filters of GET /v1/orders over what just happened. */
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.pair = "ETH-AUD";
    q.status = NAX_ORDER_STATUS_CANCELLED;
    nax_order_list *l = NULL;
    OK(nax_orders_list(a.client, &q, &l));
    ck_assert_uint_eq(l->orders_count, 2);
    for (size_t i = 0; i < l->orders_count; i++) {
        ck_assert_int_eq(l->orders[i]->status, NAX_ORDER_STATUS_CANCELLED);
        ck_assert(l->orders[i]->time_in_force != NAX_TIF_GTC);
    }
    ck_assert_uint_gt(id_number(l->orders[0]->id), id_number(l->orders[1]->id)); /* newest first */
    nax_object_free(l);
    q.status = NAX_ORDER_STATUS_REJECTED;
    OK(nax_orders_list(a.client, &q, &l));
    ck_assert_uint_eq(l->orders_count, 1);
    nax_object_free(l);
    q.status = NAX_ORDER_STATUS_FILLED;
    OK(nax_orders_list(a.client, &q, &l));
    ck_assert_uint_eq(l->orders_count, 3);
    nax_object_free(l);
    q.status = NAX_ORDER_STATUS_NONE;
    OK(nax_orders_list(a.client, &q, &l));
    ck_assert_uint_eq(l->orders_count, 7);
    nax_object_free(l);
    q.side = NAX_SIDE_SELL;
    OK(nax_orders_list(a.client, &q, &l));
    ck_assert_uint_eq(l->orders_count, 0);
    nax_object_free(l);
    q.side = NAX_SIDE_NONE;
    q.limit = 3;
    OK(nax_orders_list(a.client, &q, &l));
    ck_assert_uint_eq(l->orders_count, 3);
    ck_assert_ptr_nonnull(l->next_cursor);
    nax_object_free(l);
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.status = NAX_ORDER_STATUS_OPEN;
    q.side = NAX_SIDE_BUY;
    OK(nax_orders_list(a.client, &q, &l));
    ck_assert_uint_eq(l->orders_count, 1);
    EXPECT_DEC(l->orders[0]->price, "3050.00");
    nax_object_free(l);
    q.pair = "XXX-YYY";
    EXPECT_ERROR(nax_orders_list(a.client, &q, &l), NAX_EBADREQUEST, 400, "invalid_request",
                 "pair");
    naxh_user_free(&a);
    naxh_user_free(&b);
}
END_TEST

/* ---- cancel -------------------------------------------------------------------------- */

static int has_id(const nax_cancel_result *r, const char *id)
{
    for (size_t i = 0; i < r->cancelled_count; i++)
        if (!strcmp(r->cancelled[i], id))
            return 1;
    return 0;
}

START_TEST(test_cancel_and_cancel_all)
{
    naxh_user a, b;
    trader(&a);
    trader(&b);
    nax_order *o = limit(a.client, "BTC-AUD", NAX_SIDE_BUY, "30000.00", "0.01");
    nax_order *c = NULL;
    OK(nax_orders_cancel(a.client, o->id, &c));
    ck_assert_str_eq(c->id, o->id);
    ck_assert_int_eq(c->status, NAX_ORDER_STATUS_CANCELLED);
    ck_assert_str_eq(c->client_order_id, o->client_order_id);
    nax_object_free(c);
    c = (nax_order *)&c;
    EXPECT_ERROR(nax_orders_cancel(a.client, o->id, &c), NAX_ECONFLICT, 409, "order_closed", "id");
    ck_assert_ptr_null(c);
    EXPECT_ERROR(nax_orders_cancel(a.client, "o_999999999", NULL), NAX_ENOTFOUND, 404, "not_found",
                 "id");
    nax_order *theirs = limit(b.client, "BTC-AUD", NAX_SIDE_BUY, "30000.00", "0.01");
    EXPECT_ERROR(nax_orders_cancel(a.client, theirs->id, NULL), NAX_ENOTFOUND, 404, "not_found",
                 "id");
    OK(nax_orders_cancel(b.client, theirs->id, NULL)); /* out is optional */
    EXPECT_ERROR(nax_orders_cancel(a.client, "", NULL), NAX_EINVAL, 0, NULL, "id");
    nax_object_free(theirs);
    nax_object_free(o);

    nax_order *b1 = limit(a.client, "BTC-AUD", NAX_SIDE_BUY, "30000.00", "0.01");
    nax_order *b2 = limit(a.client, "BTC-AUD", NAX_SIDE_SELL, "90000.00", "0.01");
    nax_order *e1 = limit(a.client, "ETH-AUD", NAX_SIDE_BUY, "2000.00", "0.1");
    nax_cancel_result *r = NULL;
    OK(nax_orders_cancel_all(a.client, "BTC-AUD", &r));
    ck_assert_uint_eq(r->cancelled_count, 2);
    ck_assert(has_id(r, b1->id) && has_id(r, b2->id));
    nax_object_free(r);
    nax_order *still = NULL;
    OK(nax_orders_get(a.client, e1->id, &still));
    ck_assert_int_eq(still->status, NAX_ORDER_STATUS_OPEN);
    nax_object_free(still);
    OK(nax_orders_get(a.client, b2->id, &still));
    ck_assert_int_eq(still->status, NAX_ORDER_STATUS_CANCELLED);
    nax_object_free(still);
    OK(nax_orders_cancel_all(a.client, NULL, &r));
    ck_assert_uint_eq(r->cancelled_count, 1);
    ck_assert_str_eq(r->cancelled[0], e1->id);
    nax_object_free(r);
    OK(nax_orders_cancel_all(a.client, NULL, &r));
    ck_assert_uint_eq(r->cancelled_count, 0);
    nax_object_free(r);
    OK(nax_orders_cancel_all(a.client, "ETH-AUD", NULL));
    r = (nax_cancel_result *)&r;
    EXPECT_ERROR(nax_orders_cancel_all(a.client, "XXX-YYY", &r), NAX_EBADREQUEST, 400,
                 "invalid_request", "pair");
    ck_assert_ptr_null(r);
    EXPECT_ERROR(nax_orders_cancel_all(a.client, "", &r), NAX_EINVAL, 0, NULL, "pair");
    /* The balances are whole again: nothing locked. */
    nax_balance_list *bl = NULL;
    OK(nax_wallets_balances(a.client, &bl));
    for (size_t i = 0; i < bl->balances_count; i++)
        EXPECT_DEC(&bl->balances[i]->locked, "0");
    nax_object_free(bl);
    nax_object_free(b1);
    nax_object_free(b2);
    nax_object_free(e1);
    naxh_user_free(&a);
    naxh_user_free(&b);
}
END_TEST

/* "." and ".." as a path segment would be collapsed on the way (DELETE
 * /v1/orders/.. is DELETE /v1/, a cancel-all on some gateways), so they are
 * refused before anything is sent. */
START_TEST(test_dot_segments_are_refused)
{
    naxh_user a;
    trader(&a);
    nax_order *open = limit(a.client, "BTC-AUD", NAX_SIDE_BUY, "30000.00", "0.01");
    call_counter all = {NULL};
    nax_client *c = counted_user_client(&srv, &all, &a);
    const char *series = "naxd_http_requests_total{route=\"DELETE ";
    int64_t deletes = naxh_metric_sum(&srv, series);
    ck_assert_int_ge(deletes, 0);

    static const char *const dots[] = {".", ".."};
    for (size_t i = 0; i < 2; i++) {
        nax_order *o = (nax_order *)&o;
        EXPECT_ERROR(nax_orders_cancel(c, dots[i], &o), NAX_EINVAL, 0, NULL, "id");
        EXPECT_MESSAGE_HAS(dots[i]);
        ck_assert_ptr_null(o);
        EXPECT_ERROR(nax_orders_get(c, dots[i], &o), NAX_EINVAL, 0, NULL, "id");
        EXPECT_ERROR(nax_api_keys_delete(c, dots[i]), NAX_EINVAL, 0, NULL, "id");
        nax_ticker *t = NULL;
        EXPECT_ERROR(nax_markets_ticker(c, dots[i], &t), NAX_EINVAL, 0, NULL, "pair");
        nax_order_book *ob = NULL;
        EXPECT_ERROR(nax_markets_orderbook(c, dots[i], 5, &ob), NAX_EINVAL, 0, NULL, "pair");
        nax_trade_list *tl = NULL;
        EXPECT_ERROR(nax_markets_trades(c, dots[i], 5, &tl), NAX_EINVAL, 0, NULL, "pair");
    }
    ck_assert_uint_eq(all.calls, 0);
    ck_assert_uint_eq(all.attempts, 0);
    ck_assert_int_eq(naxh_metric_sum(&srv, series), deletes);

    /* Only whole dot segments are refused: "..." is an id like any other. */
    EXPECT_ERROR(nax_orders_cancel(c, "...", NULL), NAX_ENOTFOUND, 404, "not_found", "id");
    ck_assert_str_eq(all.last_route, "DELETE /v1/orders/{id}");
    ck_assert_int_eq(naxh_metric_sum(&srv, series), deletes + 1);

    nax_order *still = NULL;
    OK(nax_orders_get(c, open->id, &still));
    ck_assert_int_eq(still->status, NAX_ORDER_STATUS_OPEN);
    nax_object_free(still);
    nax_object_free(open);
    nax_client_free(c);
    naxh_user_free(&a);
}
END_TEST

/* ---- API keys, scopes, funds ---------------------------------------------------------- */

START_TEST(test_trading_with_an_api_key)
{
    naxh_user a;
    trader(&a);
    OK(naxh_user_api_key(&srv, &a, NAX_SCOPE_READ | NAX_SCOPE_TRADE));
    nax_client *bot = NULL;
    OK(naxh_key_client(&srv, &a, &bot));
    /* A client order id with characters the query must escape: the
     * signature covers the canonical target. */
    nax_order *o = place(bot, (order_spec){"BTC-AUD", NAX_SIDE_BUY, NAX_ORDER_TYPE_LIMIT,
                                           "20000.00", "0.001", NAX_TIF_GTC, 0, "bot:1/a+b=c&d"});
    ck_assert_str_eq(o->client_order_id, "bot:1/a+b=c&d");
    nax_order *got = NULL;
    OK(nax_orders_get_by_client_id(bot, "bot:1/a+b=c&d", &got));
    ck_assert_str_eq(got->id, o->id);
    nax_object_free(got);
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.pair = "BTC-AUD";
    q.status = NAX_ORDER_STATUS_OPEN;
    nax_order_list *l = NULL;
    OK(nax_orders_list(bot, &q, &l));
    ck_assert_uint_eq(l->orders_count, 1);
    nax_object_free(l);
    nax_balance_list *b = NULL;
    OK(nax_wallets_balances(bot, &b));
    int seen_locked = 0;
    for (size_t i = 0; i < b->balances_count; i++)
        if (!strcmp(b->balances[i]->asset, "AUD"))
            seen_locked = nax_decimal_sign(&b->balances[i]->locked) > 0;
    ck_assert(seen_locked); /* the open buy holds AUD */
    nax_object_free(b);
    OK(nax_orders_cancel(bot, o->id, NULL));
    nax_object_free(o);

    /* A read-only key may not trade. */
    OK(naxh_user_api_key(&srv, &a, NAX_SCOPE_READ));
    nax_client *reader = NULL;
    OK(naxh_key_client(&srv, &a, &reader));
    nax_order *none = (nax_order *)&none;
    EXPECT_ERROR(
        place_rc(reader,
                 (order_spec){"BTC-AUD", NAX_SIDE_BUY, NAX_ORDER_TYPE_LIMIT, "20000.00", "0.001"},
                 &none),
        NAX_EFORBIDDEN, 403, "insufficient_scope", NULL);
    ck_assert_ptr_null(none);
    OK(nax_wallets_balances(reader, &b));
    nax_object_free(b);
    nax_client_free(reader);
    nax_client_free(bot);
    naxh_user_free(&a);
}
END_TEST

START_TEST(test_insufficient_funds)
{
    naxh_user poor;
    OK(naxh_user_new(&srv, &poor));
    nax_order *o = (nax_order *)&o;
    EXPECT_ERROR(
        place_rc(poor.client,
                 (order_spec){"BTC-AUD", NAX_SIDE_BUY, NAX_ORDER_TYPE_LIMIT, "20000.00", "0.001"},
                 &o),
        NAX_EBADREQUEST, 422, "insufficient_funds", "");
    ck_assert_ptr_null(o);
    EXPECT_ERROR(
        place_rc(poor.client,
                 (order_spec){"BTC-AUD", NAX_SIDE_SELL, NAX_ORDER_TYPE_MARKET, NULL, "0.001"}, &o),
        NAX_EBADREQUEST, 422, "insufficient_funds", "");
    naxh_user_free(&poor);
}
END_TEST

/* ---- local checks --------------------------------------------------------------------- */

/* The order must fail locally with NAX_EINVAL (or `code`) naming `field`. */
static void local_refusal(nax_client *c, order_spec s, int code, const char *field,
                          const char *part1, const char *part2)
{
    nax_order *o = (nax_order *)&o;
    EXPECT_ERROR(place_rc(c, s, &o), code, 0, NULL, field);
    ck_assert_ptr_null(o);
    ck_assert_str_eq(nax_error_last()->request_id, "");
    if (part1)
        EXPECT_MESSAGE_HAS(part1);
    if (part2)
        EXPECT_MESSAGE_HAS(part2);
}

START_TEST(test_local_rules_send_nothing)
{
    naxh_user a;
    trader(&a);
    call_counter orders = {"POST /v1/orders"};
    nax_client *c = counted_user_client(&srv, &orders, &a);
    nax_market_list *ml = NULL;
    OK(nax_markets_list(c, &ml)); /* fills the rules cache */
    nax_object_free(ml);
    const char *series = "naxd_http_requests_total{route=\"POST /v1/orders\"";
    int64_t served = naxh_metric_sum(&srv, series);
    ck_assert_int_ge(served, 0);

    const nax_order_type L = NAX_ORDER_TYPE_LIMIT, M = NAX_ORDER_TYPE_MARKET;
    const nax_side BUY = NAX_SIDE_BUY;
    local_refusal(c, (order_spec){"BTC-AUD", BUY, L, "100.005", "1"}, NAX_EINVAL, "price",
                  "100.005 is not a multiple of the tick size 0.01", "BTC-AUD");
    local_refusal(c, (order_spec){"BTC-AUD", BUY, L, "50000.00", "0.000000015"}, NAX_EINVAL,
                  "quantity", "0.000000015", "lot size 0.00000001");
    local_refusal(c, (order_spec){"BTC-AUD", BUY, L, "9.99", "1"}, NAX_EINVAL, "quantity", "9.99",
                  "minimum notional 10.00");
    local_refusal(c, (order_spec){"BTC-AUD", BUY, L, "0.01", "999.99999999"}, NAX_EINVAL,
                  "quantity", "9.9999999999", NULL);
    local_refusal(c, (order_spec){"BTC-AUD", BUY, L, "50000.00", "0"}, NAX_EINVAL, "quantity",
                  "greater than zero", NULL);
    local_refusal(c, (order_spec){"BTC-AUD", BUY, M, NULL, "-0.5"}, NAX_EINVAL, "quantity", "-0.5",
                  NULL);
    local_refusal(c, (order_spec){"BTC-AUD", BUY, L, "-1.00", "1"}, NAX_EINVAL, "price", "-1.00",
                  NULL);
    local_refusal(c, (order_spec){"BTC-AUD", BUY, L, NULL, "1"}, NAX_EINVAL, "price", NULL, NULL);
    local_refusal(c, (order_spec){"BTC-AUD", BUY, M, "50000.00", "1"}, NAX_EINVAL, "price", NULL,
                  NULL);
    local_refusal(c, (order_spec){"BTC-AUD", BUY, M, NULL, "1", NAX_TIF_IOC, 1}, NAX_EINVAL,
                  "post_only", NULL, NULL);
    local_refusal(c, (order_spec){"BTC-AUD", NAX_SIDE_NONE, L, "50000.00", "1"}, NAX_EINVAL, "side",
                  NULL, NULL);
    local_refusal(c, (order_spec){"BTC-AUD", BUY, NAX_ORDER_TYPE_NONE, "50000.00", "1"}, NAX_EINVAL,
                  "type", NULL, NULL);
    local_refusal(c, (order_spec){"BTC-AUD", BUY, L, "50000.00", "1", (nax_time_in_force)7},
                  NAX_EINVAL, "time_in_force", NULL, NULL);
    local_refusal(c,
                  (order_spec){"BTC-AUD", BUY, L, "50000.00", "1", NAX_TIF_GTC, 0,
                               "0123456789012345678901234567890123456"},
                  NAX_EINVAL, "client_order_id", NULL, NULL);
    local_refusal(c, (order_spec){"BTC-AUD", BUY, L, "50000.00", "1", NAX_TIF_GTC, 0, "a b"},
                  NAX_EINVAL, "client_order_id", NULL, NULL);
    local_refusal(c, (order_spec){NULL, BUY, L, "50000.00", "1"}, NAX_EINVAL, "pair", NULL, NULL);
    local_refusal(c, (order_spec){"", BUY, L, "50000.00", "1"}, NAX_EINVAL, "pair", NULL, NULL);
    local_refusal(c, (order_spec){"BTC-USD", BUY, L, "50000.00", "1"}, NAX_EINVAL, "pair", "halted",
                  "BTC-USD");
    local_refusal(c, (order_spec){"ETH-USD", BUY, L, "3000.00", "1"}, NAX_EINVAL, "pair",
                  "post-only", NULL);
    local_refusal(c, (order_spec){"ETH-USD", BUY, M, NULL, "1"}, NAX_EINVAL, "pair", "post-only",
                  NULL);
    local_refusal(c, (order_spec){"DOGE-AUD", BUY, L, "1.00", "100"}, NAX_ENOTFOUND, "pair",
                  "DOGE-AUD", NULL);
    EXPECT_ERROR(nax_orders_place(c, NULL, NULL), NAX_EINVAL, 0, NULL, "request");
    nax_order_request old = {4};
    EXPECT_ERROR(nax_orders_place(c, &old, NULL), NAX_EVERSION, 0, NULL, "struct_size");
    EXPECT_ERROR(nax_orders_place(NULL, &old, NULL), NAX_EINVAL, 0, NULL, "client");

    /* Nothing reached the server: the client never even started a call, and
     * naxd served no order request. */
    ck_assert_uint_eq(orders.calls, 0);
    ck_assert_uint_eq(orders.attempts, 0);
    ck_assert_int_eq(naxh_metric_sum(&srv, series), served);

    /* The boundaries are allowed: exactly the minimum notional, a post-only
     * order on the post-only market. */
    nax_order *o = limit(c, "BTC-AUD", BUY, "10.00", "1");
    ck_assert_int_eq(o->status, NAX_ORDER_STATUS_OPEN);
    nax_object_free(o);
    o = place(c, (order_spec){"ETH-USD", BUY, L, "3000.00", "0.1", NAX_TIF_GTC, 1});
    ck_assert_int_eq(o->status, NAX_ORDER_STATUS_OPEN);
    nax_object_free(o);
    ck_assert_uint_eq(orders.attempts, 2);
    ck_assert_int_eq(naxh_metric_sum(&srv, series), served + 2);
    nax_client_free(c);
    naxh_user_free(&a);
}
END_TEST

/* ---- unknown outcomes --------------------------------------------------------------- */

/* The number of the user's orders with this client order id. */
static size_t count_cid(nax_client *c, const char *cid)
{
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.client_order_id = cid;
    nax_order_list *l = NULL;
    OK(nax_orders_list(c, &q, &l));
    size_t n = l->orders_count;
    nax_object_free(l);
    return n;
}

static void placed_once_despite(naxh_user *a, const char *fault, const char *cid)
{
    call_counter orders = {"POST /v1/orders"};
    nax_client *c = counted_user_client(&srv, &orders, a);
    OK(naxh_fault(&srv, fault));
    nax_order *o = place(c, (order_spec){"BTC-AUD", NAX_SIDE_BUY, NAX_ORDER_TYPE_LIMIT, "25000.00",
                                         "0.01", NAX_TIF_GTC, 0, cid});
    ck_assert_str_eq(o->client_order_id, cid);
    ck_assert_int_eq(o->status, NAX_ORDER_STATUS_OPEN);
    ck_assert_uint_eq(count_cid(c, cid), 1);
    nax_object_free(o);
    OK(naxh_faults_clear(&srv));
    nax_client_free(c);
}

START_TEST(test_unknown_outcome_is_looked_up)
{
    naxh_user a;
    trader(&a);
    /* Committed, then the connection dropped: found by its client order id. */
    placed_once_despite(
        &a, "{\"route\":\"POST /v1/orders\",\"action\":\"drop_after_commit\",\"count\":1}",
        "drop-1");
    /* Committed, then a 500: found the same way. */
    placed_once_despite(
        &a, "{\"route\":\"POST /v1/orders\",\"action\":\"error_after_commit\",\"count\":1}",
        "err-after-1");
    /* Refused before the commit (503): the lookup finds nothing, so it is sent again. */
    placed_once_despite(
        &a, "{\"route\":\"POST /v1/orders\",\"action\":\"error_before_commit\",\"count\":1}",
        "err-before-1");
    naxh_user_free(&a);
}
END_TEST

/* A client order id already held by another order: the lookup after an
 * unknown outcome finds that older order, which is no success of this one. */
START_TEST(test_reused_client_order_id_is_a_conflict)
{
    naxh_user a;
    trader(&a);
    call_counter orders = {"POST /v1/orders"};
    nax_client *c = counted_user_client(&srv, &orders, &a);
    const nax_side BUY = NAX_SIDE_BUY;
    const nax_order_type L = NAX_ORDER_TYPE_LIMIT;
    nax_order *first =
        place(c, (order_spec){"BTC-AUD", BUY, L, "25000.00", "0.01", NAX_TIF_GTC, 0, "reused-1"});

    /* Each a different order under the same id. The first attempt gets a
     * 500 (outcome unknown), so the client looks the id up before sending
     * again, and finds the first order: a conflict, not this one placed. */
    const order_spec others[] = {
        {"BTC-AUD", BUY, L, "26000.00", "0.01", NAX_TIF_GTC, 0, "reused-1"},
        {"BTC-AUD", BUY, L, "25000.00", "0.02", NAX_TIF_GTC, 0, "reused-1"},
        {"BTC-AUD", NAX_SIDE_SELL, L, "25000.00", "0.01", NAX_TIF_GTC, 0, "reused-1"},
        {"ETH-AUD", BUY, L, "25000.00", "0.01", NAX_TIF_GTC, 0, "reused-1"},
        {"BTC-AUD", BUY, NAX_ORDER_TYPE_MARKET, NULL, "0.01", NAX_TIF_IOC, 0, "reused-1"},
    };
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        OK(naxh_fault(
            &srv, "{\"route\":\"POST "
                  "/v1/orders\",\"action\":\"error_before_commit\",\"status\":500,\"count\":1}"));
        unsigned int before = orders.attempts;
        nax_order *o = (nax_order *)&o;
        EXPECT_ERROR(place_rc(c, others[i], &o), NAX_ECONFLICT, 0, NULL, "client_order_id");
        EXPECT_MESSAGE_HAS("different order");
        EXPECT_MESSAGE_HAS(first->id);
        ck_assert_ptr_null(o);
        ck_assert_uint_gt(orders.attempts, before);
        OK(naxh_faults_clear(&srv));
    }
    /* Still the one first order under that id, untouched. */
    ck_assert_uint_eq(count_cid(c, "reused-1"), 1);
    nax_order *held = NULL;
    OK(nax_orders_get_by_client_id(c, "reused-1", &held));
    ck_assert_str_eq(held->id, first->id);
    EXPECT_DEC(held->price, "25000.00");
    nax_object_free(held);

    /* The same order is found as itself: equal decimals at another scale. */
    OK(naxh_fault(&srv,
                  "{\"route\":\"POST /v1/orders\",\"action\":\"drop_after_commit\",\"count\":1}"));
    nax_order *again =
        place(c, (order_spec){"BTC-AUD", BUY, L, "27000.0", "0.0100", NAX_TIF_GTC, 0, "reused-2"});
    ck_assert_str_eq(again->client_order_id, "reused-2");
    EXPECT_DEC(again->price, "27000");
    ck_assert_uint_eq(count_cid(c, "reused-2"), 1);
    OK(naxh_faults_clear(&srv));
    nax_object_free(again);
    nax_object_free(first);
    nax_client_free(c);
    naxh_user_free(&a);
}
END_TEST

/* ---- pagination -------------------------------------------------------------------------- */

START_TEST(test_pager_over_orders)
{
    naxh_user d;
    trader(&d);
    char placed[5][24];
    for (int i = 0; i < 5; i++) {
        char price[16];
        snprintf(price, sizeof price, "%d.00", 60000 + i);
        nax_order *o = limit(d.client, "BTC-AUD", NAX_SIDE_BUY, price, "0.01");
        snprintf(placed[i], sizeof placed[i], "%s", o->id);
        nax_object_free(o);
    }
    call_counter pages = {"GET /v1/orders"};
    nax_client *c = counted_user_client(&srv, &pages, &d);
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.limit = 2;
    nax_pager *p = NULL;
    OK(nax_pager_new(&p, c, NAX_LIST_ORDERS, &q));
    ck_assert_uint_eq(pages.calls, 0); /* nothing fetched yet */
    const void *item;
    int n = 0;
    int rc;
    while ((rc = nax_pager_next(p, &item)) == 1) {
        const nax_order *o = item;
        ck_assert_int_lt(n, 5);
        ck_assert_str_eq(o->id, placed[4 - n]); /* newest first */
        n++;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_null(item);
    ck_assert_int_eq(n, 5);
    ck_assert_uint_eq(pages.calls, 3); /* 2 + 2 + 1 */
    ck_assert_int_eq(nax_pager_next(p, &item), 0);
    ck_assert_uint_eq(pages.calls, 3);
    nax_pager_free(p);

    /* A failed page is fetched again by the next call. */
    q.status = NAX_ORDER_STATUS_OPEN;
    q.pair = "BTC-AUD";
    OK(nax_pager_new(&p, c, NAX_LIST_ORDERS, &q));
    ck_assert_int_eq(nax_pager_next(p, &item), 1);
    ck_assert_int_eq(nax_pager_next(p, &item), 1);
    OK(naxh_fault(&srv, "{\"route\":\"GET /v1/orders\",\"action\":\"error_before_commit\","
                        "\"status\":400,\"count\":1}"));
    EXPECT_ERROR(nax_pager_next(p, &item), NAX_EBADREQUEST, 400, NULL, NULL);
    ck_assert_ptr_null(item);
    n = 2;
    while ((rc = nax_pager_next(p, &item)) == 1) {
        ck_assert_str_eq(((const nax_order *)item)->id, placed[4 - n]);
        n++;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(n, 5);
    nax_pager_free(p);

    /* An empty list ends at once. */
    q.side = NAX_SIDE_SELL;
    OK(nax_pager_new(&p, c, NAX_LIST_ORDERS, &q));
    ck_assert_int_eq(nax_pager_next(p, &item), 0);
    nax_pager_free(p);

    /* Fills, one per page. D's bids are the best of the book, so these sells meet them. */
    naxh_user e;
    trader(&e);
    nax_object_free(limit(e.client, "BTC-AUD", NAX_SIDE_SELL, "60004.00", "0.01"));
    nax_object_free(limit(e.client, "BTC-AUD", NAX_SIDE_SELL, "60003.00", "0.01"));
    nax_object_free(limit(e.client, "BTC-AUD", NAX_SIDE_SELL, "60002.00", "0.01"));
    nax_list_query one = NAX_LIST_QUERY_INIT;
    one.limit = 1;
    OK(nax_pager_new(&p, d.client, NAX_LIST_FILLS, &one));
    n = 0;
    while ((rc = nax_pager_next(p, &item)) == 1) {
        const nax_fill *f = item;
        ck_assert_int_eq(f->side, NAX_SIDE_BUY);
        ck_assert_str_eq(f->order_id, placed[2 + n]);
        n++;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(n, 3);
    nax_pager_free(p);

    /* Refused before any request. */
    p = (nax_pager *)&p;
    nax_list_query bad = NAX_LIST_QUERY_INIT;
    bad.asset = "AUD";
    EXPECT_ERROR(nax_pager_new(&p, c, NAX_LIST_ORDERS, &bad), NAX_EINVAL, 0, NULL, "asset");
    ck_assert_ptr_null(p);
    EXPECT_ERROR(nax_pager_new(&p, c, (nax_list_kind)9, NULL), NAX_EINVAL, 0, NULL, "kind");
    EXPECT_ERROR(nax_pager_new(&p, NULL, NAX_LIST_ORDERS, NULL), NAX_EINVAL, 0, NULL, "client");
    EXPECT_ERROR(nax_pager_new(NULL, c, NAX_LIST_ORDERS, NULL), NAX_EINVAL, 0, NULL, "out");
    EXPECT_ERROR(nax_pager_next(NULL, &item), NAX_EINVAL, 0, NULL, "pager");
    nax_pager_free(NULL);
    nax_client_free(c);
    naxh_user_free(&e);
    naxh_user_free(&d);
}
END_TEST

/* ---- list queries ---------------------------------------------------------------------- */

START_TEST(test_list_query_members_are_checked)
{
    naxh_user a;
    OK(naxh_user_new(&srv, &a));
    call_counter n = {0};
    nax_client *c = counted_user_client(&srv, &n, &a);
    nax_order_list *ol = (nax_order_list *)&ol;
    nax_fill_list *fl = NULL;
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.asset = "BTC";
    EXPECT_ERROR(nax_orders_list(c, &q, &ol), NAX_EINVAL, 0, NULL, "asset");
    ck_assert_ptr_null(ol);
    EXPECT_MESSAGE_HAS("/v1/orders");
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.type = NAX_TX_TYPE_DEPOSIT;
    EXPECT_ERROR(nax_orders_list(c, &q, &ol), NAX_EINVAL, 0, NULL, "type");
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.from_ms = 1;
    EXPECT_ERROR(nax_orders_list(c, &q, &ol), NAX_EINVAL, 0, NULL, "from_ms");
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.to_ms = 1;
    EXPECT_ERROR(nax_trades_history(c, &q, &fl), NAX_EINVAL, 0, NULL, "to_ms");
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.status = NAX_ORDER_STATUS_OPEN;
    EXPECT_ERROR(nax_trades_history(c, &q, &fl), NAX_EINVAL, 0, NULL, "status");
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.side = NAX_SIDE_BUY;
    EXPECT_ERROR(nax_trades_history(c, &q, &fl), NAX_EINVAL, 0, NULL, "side");
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.client_order_id = "x";
    EXPECT_ERROR(nax_trades_history(c, &q, &fl), NAX_EINVAL, 0, NULL, "client_order_id");
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.limit = 1001;
    EXPECT_ERROR(nax_orders_list(c, &q, &ol), NAX_EINVAL, 0, NULL, "limit");
    q.limit = 0;
    q.status = (nax_order_status)9;
    EXPECT_ERROR(nax_orders_list(c, &q, &ol), NAX_EINVAL, 0, NULL, "status");
    q.status = NAX_ORDER_STATUS_NONE;
    q.side = (nax_side)3;
    EXPECT_ERROR(nax_orders_list(c, &q, &ol), NAX_EINVAL, 0, NULL, "side");
    q.side = NAX_SIDE_NONE;
    q.cursor = "";
    EXPECT_ERROR(nax_orders_list(c, &q, &ol), NAX_EINVAL, 0, NULL, "cursor");
    q.cursor = NULL;
    q.pair = "";
    EXPECT_ERROR(nax_orders_list(c, &q, &ol), NAX_EINVAL, 0, NULL, "pair");
    q.pair = NULL;
    q.client_order_id = "has space";
    EXPECT_ERROR(nax_orders_list(c, &q, &ol), NAX_EINVAL, 0, NULL, "client_order_id");
    q.client_order_id = NULL;
    q.struct_size = 8;
    EXPECT_ERROR(nax_orders_list(c, &q, &ol), NAX_EVERSION, 0, NULL, "struct_size");
    EXPECT_ERROR(nax_orders_list(c, NULL, NULL), NAX_EINVAL, 0, NULL, "out");
    ck_assert_uint_eq(n.attempts, 0);
    /* The limit's upper bound itself is fine. */
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.limit = 1000;
    OK(nax_orders_list(c, &q, &ol));
    ck_assert_uint_eq(ol->orders_count, 0);
    ck_assert_ptr_null(ol->next_cursor);
    nax_object_free(ol);
    nax_client_free(c);
    naxh_user_free(&a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("client_orders");
    TCase *tc = tcase_create("orders");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_place_limit_and_read_it_back);
    tcase_add_test(tc, test_match_market_order_and_fills);
    tcase_add_test(tc, test_ioc_fok_post_only);
    tcase_add_test(tc, test_cancel_and_cancel_all);
    tcase_add_test(tc, test_dot_segments_are_refused);
    tcase_add_test(tc, test_trading_with_an_api_key);
    tcase_add_test(tc, test_insufficient_funds);
    tcase_add_test(tc, test_local_rules_send_nothing);
    tcase_add_test(tc, test_unknown_outcome_is_looked_up);
    tcase_add_test(tc, test_reused_client_order_id_is_a_conflict);
    tcase_add_test(tc, test_pager_over_orders);
    tcase_add_test(tc, test_list_query_members_are_checked);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

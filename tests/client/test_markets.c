/* Market data against naxd: markets and the rules cache, ticker, order
 * book, recent trades, time and health, with their error paths. */
#include <signal.h>
#include <stdlib.h>

#include "client_test.h"

static naxh_server srv;
static naxh_user buyer, seller;
static nax_client *anon; /* no credentials: market data is public */

static void setup(void)
{
    client_test_global_init();
    ck_assert_int_eq(naxh_start(&srv, NULL), 0);
    OK(naxh_client(&srv, NULL, &anon));
    OK(naxh_user_new(&srv, &buyer));
    OK(naxh_user_new(&srv, &seller));
    OK(naxh_fund_fiat(&srv, &buyer, "AUD", "100000.00"));
    OK(naxh_fund_crypto(&srv, &seller, "BTC", "1"));
}

static void teardown(void)
{
    naxh_user_free(&buyer);
    naxh_user_free(&seller);
    nax_client_free(anon);
    anon = NULL;
    naxh_stop(&srv);
    ck_assert_int_eq(srv.exit_status, 0);
    nax_global_shutdown();
}

static const nax_market *find_market(const nax_market_list *l, const char *pair)
{
    for (size_t i = 0; i < l->markets_count; i++)
        if (!strcmp(l->markets[i]->pair, pair))
            return l->markets[i];
    return NULL;
}

START_TEST(test_markets_list)
{
    nax_market_list *l = NULL;
    OK(nax_markets_list(anon, &l));
    ck_assert_uint_eq(l->markets_count, 4);
    const nax_market *m = find_market(l, "BTC-AUD");
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(m->base, "BTC");
    ck_assert_str_eq(m->quote, "AUD");
    EXPECT_DEC(&m->tick_size, "0.01");
    EXPECT_DEC(&m->lot_size, "0.00000001");
    EXPECT_DEC(&m->min_notional, "10.00");
    ck_assert_int_eq(m->status, NAX_MARKET_STATUS_ACTIVE);
    m = find_market(l, "ETH-AUD");
    ck_assert_ptr_nonnull(m);
    EXPECT_DEC(&m->lot_size, "0.0000001");
    ck_assert_ptr_nonnull(find_market(l, "BTC-USD"));
    ck_assert_ptr_nonnull(find_market(l, "ETH-USD"));
    nax_object_free(l);

    EXPECT_ERROR(nax_markets_list(anon, NULL), NAX_EINVAL, 0, NULL, "out");
    l = (nax_market_list *)&l; /* set to NULL on failure too */
    EXPECT_ERROR(nax_markets_list(NULL, &l), NAX_EINVAL, 0, NULL, "client");
    ck_assert_ptr_null(l);
}
END_TEST

START_TEST(test_markets_get_uses_the_cache)
{
    call_counter n = {0};
    nax_client *c = counted_client(&srv, &n, NULL, NULL);
    nax_market *m = NULL;
    OK(nax_markets_get(c, "ETH-USD", &m));
    ck_assert_str_eq(m->pair, "ETH-USD");
    ck_assert_str_eq(m->base, "ETH");
    EXPECT_DEC(&m->tick_size, "0.01");
    nax_object_free(m);
    ck_assert_uint_eq(n.attempts, 1); /* one GET /v1/markets filled the cache */
    OK(nax_markets_get(c, "BTC-AUD", &m));
    ck_assert_str_eq(m->quote, "AUD");
    nax_object_free(m);
    ck_assert_uint_eq(n.attempts, 1); /* served from the cache */

    m = (nax_market *)&m;
    EXPECT_ERROR(nax_markets_get(c, "DOGE-AUD", &m), NAX_ENOTFOUND, 0, "", "pair");
    ck_assert_ptr_null(m);
    EXPECT_MESSAGE_HAS("DOGE-AUD");
    EXPECT_ERROR(nax_markets_get(c, NULL, &m), NAX_EINVAL, 0, NULL, "pair");
    EXPECT_ERROR(nax_markets_get(c, "", &m), NAX_EINVAL, 0, NULL, "pair");
    EXPECT_ERROR(nax_markets_get(c, "BTC-AUD", NULL), NAX_EINVAL, 0, NULL, "out");
    nax_client_free(c);
}
END_TEST

START_TEST(test_ticker_of_a_quiet_market)
{
    nax_ticker *t = NULL;
    OK(nax_markets_ticker(anon, "ETH-USD", &t));
    ck_assert_str_eq(t->pair, "ETH-USD");
    ck_assert_ptr_null(t->bid);
    ck_assert_ptr_null(t->ask);
    ck_assert_ptr_null(t->last);
    EXPECT_DEC(&t->volume_24h, "0");
    ck_assert_int_gt(t->ts, 0);
    nax_object_free(t);
}
END_TEST

START_TEST(test_unknown_pair_is_not_found)
{
    nax_ticker *t = (nax_ticker *)&t;
    EXPECT_ERROR(nax_markets_ticker(anon, "DOGE-AUD", &t), NAX_ENOTFOUND, 404, "unknown_pair",
                 "pair");
    ck_assert_ptr_null(t);
    nax_order_book *b = NULL;
    EXPECT_ERROR(nax_markets_orderbook(anon, "DOGE-AUD", 0, &b), NAX_ENOTFOUND, 404, "unknown_pair",
                 "pair");
    nax_trade_list *tl = NULL;
    EXPECT_ERROR(nax_markets_trades(anon, "DOGE-AUD", 0, &tl), NAX_ENOTFOUND, 404, "unknown_pair",
                 "pair");
    /* A pair with characters a path cannot carry raw is escaped, still one segment. */
    EXPECT_ERROR(nax_markets_ticker(anon, "BTC/AUD?x=1", &t), NAX_ENOTFOUND, 404, NULL, NULL);
}
END_TEST

static nax_order *place(nax_client *c, nax_side side, const char *price, const char *qty)
{
    nax_decimal p = naxh_dec(price);
    nax_order_request r = {sizeof r, "BTC-AUD", side, NAX_ORDER_TYPE_LIMIT, &p, naxh_dec(qty)};
    nax_order *o = NULL;
    OK(nax_orders_place(c, &r, &o));
    return o;
}

START_TEST(test_book_ticker_and_trades)
{
    nax_object_free(place(buyer.client, NAX_SIDE_BUY, "50000.00", "0.01"));
    nax_object_free(place(buyer.client, NAX_SIDE_BUY, "49999.99", "0.02"));
    nax_object_free(place(seller.client, NAX_SIDE_SELL, "50100.00", "0.01"));
    nax_order *taker = place(seller.client, NAX_SIDE_SELL, "50000.00", "0.004");
    ck_assert_int_eq(taker->status, NAX_ORDER_STATUS_FILLED);
    nax_object_free(taker);

    nax_order_book *b = NULL;
    OK(nax_markets_orderbook(anon, "BTC-AUD", 0, &b));
    ck_assert_str_eq(b->pair, "BTC-AUD");
    ck_assert_uint_eq(b->bids_count, 2);
    ck_assert_uint_eq(b->asks_count, 1);
    EXPECT_DEC(&b->bids[0].price, "50000.00");
    EXPECT_DEC(&b->bids[0].quantity, "0.006");
    EXPECT_DEC(&b->bids[1].price, "49999.99");
    EXPECT_DEC(&b->bids[1].quantity, "0.02");
    EXPECT_DEC(&b->asks[0].price, "50100.00");
    EXPECT_DEC(&b->asks[0].quantity, "0.01");
    uint32_t sum;
    OK(nax_book_checksum(&sum, b->bids, b->bids_count, b->asks, b->asks_count));
    ck_assert_uint_eq(sum, b->checksum);
    uint64_t seq = b->seq;
    ck_assert_uint_gt(seq, 0);
    nax_object_free(b);

    OK(nax_markets_orderbook(anon, "BTC-AUD", 1, &b));
    ck_assert_uint_eq(b->bids_count, 1);
    ck_assert_uint_eq(b->asks_count, 1);
    EXPECT_DEC(&b->bids[0].price, "50000.00");
    ck_assert_uint_eq(b->seq, seq);
    nax_object_free(b);

    nax_ticker *t = NULL;
    OK(nax_markets_ticker(anon, "BTC-AUD", &t));
    EXPECT_DEC(t->bid, "50000.00");
    EXPECT_DEC(t->ask, "50100.00");
    EXPECT_DEC(t->last, "50000.00");
    EXPECT_DEC(&t->volume_24h, "0.004");
    nax_object_free(t);

    nax_object_free(place(seller.client, NAX_SIDE_SELL, "49999.99", "0.001"));
    nax_trade_list *tl = NULL;
    OK(nax_markets_trades(anon, "BTC-AUD", 0, &tl));
    ck_assert_uint_eq(tl->trades_count, 2);
    /* Newest first; the second sell met the best bid, so it traded at 50000.00. */
    EXPECT_DEC(&tl->trades[0]->price, "50000.00");
    EXPECT_DEC(&tl->trades[0]->quantity, "0.001");
    EXPECT_DEC(&tl->trades[1]->quantity, "0.004");
    ck_assert_int_eq(tl->trades[0]->side, NAX_SIDE_SELL);
    ck_assert_str_eq(tl->trades[0]->pair, "BTC-AUD");
    ck_assert_int_ge(tl->trades[0]->ts, tl->trades[1]->ts);
    ck_assert_str_ne(tl->trades[0]->id, tl->trades[1]->id);
    nax_object_free(tl);
    OK(nax_markets_trades(anon, "BTC-AUD", 1, &tl));
    ck_assert_uint_eq(tl->trades_count, 1);
    EXPECT_DEC(&tl->trades[0]->quantity, "0.001");
    nax_object_free(tl);
}
END_TEST

START_TEST(test_limits_are_checked_before_any_request)
{
    call_counter n = {0};
    nax_client *c = counted_client(&srv, &n, NULL, NULL);
    nax_order_book *b = (nax_order_book *)&b;
    EXPECT_ERROR(nax_markets_orderbook(c, "BTC-AUD", 1001, &b), NAX_EINVAL, 0, NULL, "depth");
    ck_assert_ptr_null(b);
    nax_trade_list *tl = NULL;
    EXPECT_ERROR(nax_markets_trades(c, "BTC-AUD", 1001, &tl), NAX_EINVAL, 0, NULL, "limit");
    nax_ticker *t = NULL;
    EXPECT_ERROR(nax_markets_ticker(c, NULL, &t), NAX_EINVAL, 0, NULL, "pair");
    EXPECT_ERROR(nax_markets_ticker(c, "BTC-AUD", NULL), NAX_EINVAL, 0, NULL, "out");
    EXPECT_ERROR(nax_markets_ticker(NULL, "BTC-AUD", &t), NAX_EINVAL, 0, NULL, "client");
    ck_assert_uint_eq(n.attempts, 0);
    nax_client_free(c);
}
END_TEST

START_TEST(test_time)
{
    nax_server_time *t = NULL;
    OK(nax_markets_time(anon, &t));
    int64_t d = t->server_time - naxh_now_ms();
    ck_assert_msg(llabs(d) < 60000, "server time %lld ms away", (long long)d);
    nax_object_free(t);
    EXPECT_ERROR(nax_markets_time(anon, NULL), NAX_EINVAL, 0, NULL, "out");
}
END_TEST

START_TEST(test_health)
{
    nax_health *h = NULL;
    OK(nax_health_get(anon, &h));
    ck_assert_str_eq(h->status, "ok");
    ck_assert_str_eq(h->store, "ok");
    ck_assert_str_eq(h->version, nax_version_string());
    nax_object_free(h);
}
END_TEST

START_TEST(test_health_unavailable)
{
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    o.retry.max_attempts = 1;
    nax_client *c = NULL;
    OK(naxh_client(&srv, &o, &c));
    OK(naxh_fault(&srv, "{\"route\":\"GET /health\",\"action\":\"error_before_commit\","
                        "\"status\":503,\"count\":1}"));
    nax_health *h = (nax_health *)&h;
    EXPECT_ERROR(nax_health_get(c, &h), NAX_EUNAVAILABLE, 503, NULL, NULL);
    ck_assert_ptr_null(h);
    ck_assert(nax_error_last()->transient);
    OK(nax_health_get(c, &h)); /* the fault was for one request */
    nax_object_free(h);
    OK(naxh_faults_clear(&srv));
    nax_client_free(c);
}
END_TEST

/* The harness's restarts: same port and data, so clients carry on. Runs last. */
START_TEST(test_restart_keeps_port_and_data)
{
    int port = srv.port;
    naxh_kill(&srv, SIGKILL); /* a crash */
    ck_assert_int_eq(srv.pid, 0);
    nax_health *h = NULL;
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    o.retry.max_attempts = 1;
    nax_client *c = NULL;
    OK(naxh_client(&srv, &o, &c));
    EXPECT_ERROR(nax_health_get(c, &h), NAX_ENETWORK, 0, NULL, NULL);
    ck_assert_int_eq(naxh_restart(&srv), 0);
    ck_assert_int_eq(srv.port, port);
    OK(nax_health_get(c, &h));
    nax_object_free(h);
    /* The book was rebuilt from the store; the buyer's session still works. */
    nax_order_book *b = NULL;
    OK(nax_markets_orderbook(c, "BTC-AUD", 0, &b));
    ck_assert_uint_eq(b->bids_count, 2);
    nax_object_free(b);
    nax_profile *p = NULL;
    OK(nax_users_profile(buyer.client, &p));
    ck_assert_str_eq(p->id, buyer.id);
    nax_object_free(p);
    ck_assert_int_eq(naxh_restart(&srv), 0); /* a graceful stop and start */
    ck_assert_int_eq(srv.exit_status, 0);
    OK(nax_users_profile(buyer.client, &p));
    nax_object_free(p);
    nax_client_free(c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("client_markets");
    TCase *tc = tcase_create("markets");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_markets_list);
    tcase_add_test(tc, test_markets_get_uses_the_cache);
    tcase_add_test(tc, test_ticker_of_a_quiet_market);
    tcase_add_test(tc, test_unknown_pair_is_not_found);
    tcase_add_test(tc, test_book_ticker_and_trades);
    tcase_add_test(tc, test_limits_are_checked_before_any_request);
    tcase_add_test(tc, test_time);
    tcase_add_test(tc, test_health);
    tcase_add_test(tc, test_health_unavailable);
    tcase_add_test(tc, test_restart_keeps_port_and_data);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

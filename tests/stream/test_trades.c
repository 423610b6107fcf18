/*
 * Trades and the private channels against naxd: a trade placed over REST
 * reaches every `trades:` subscriber; each user's fills and orders reach
 * that user's stream only (a session's token and an API-key signature both
 * authenticate); private channels without credentials, unknown markets and
 * bad credentials are refused channel by channel while the rest stays up.
 */
#include <stdio.h>
#include <stdlib.h>

#include "stream_test.h"

static naxh_server srv;
static naxh_user buyer, seller, other;
static nax_client *anon;

static void setup(void)
{
    client_test_global_init();
    ck_assert_int_eq(naxh_start(&srv, NULL), 0);
    OK(naxh_client(&srv, NULL, &anon));
    OK(naxh_user_new(&srv, &buyer));
    OK(naxh_user_new(&srv, &seller));
    OK(naxh_user_new(&srv, &other));
    OK(naxh_fund_fiat(&srv, &buyer, "AUD", "1000000.00"));
    OK(naxh_fund_crypto(&srv, &seller, "BTC", "10"));
    OK(naxh_fund_fiat(&srv, &other, "AUD", "1000000.00"));
}

/* Access tokens that live `ttl` s: sessions expire under a live stream. */
static void start_with_token_ttl(int ttl)
{
    char config[64];
    snprintf(config, sizeof config, "{\"jwt\":{\"access_ttl_s\":%d}}", ttl);
    client_test_global_init();
    ck_assert_int_eq(naxh_start(&srv, config), 0);
    OK(naxh_client(&srv, NULL, &anon));
    OK(naxh_user_new(&srv, &buyer));
    OK(naxh_user_new(&srv, &seller));
    OK(naxh_user_new(&srv, &other));
    OK(naxh_fund_fiat(&srv, &buyer, "AUD", "1000000.00"));
}

static void setup_short_tokens(void)
{
    start_with_token_ttl(3);
}

static void setup_two_second_tokens(void)
{
    start_with_token_ttl(2);
}

static void teardown(void)
{
    naxh_user_free(&buyer);
    naxh_user_free(&seller);
    naxh_user_free(&other);
    nax_client_free(anon);
    anon = NULL;
    stream_test_cleanup();
    naxh_stop(&srv);
    ck_assert_int_eq(srv.exit_status, 0);
    nax_global_shutdown();
}

static const char *const all_channels[] = {"orders", "fills", "balances", "trades:BTC-AUD"};

static nax_stream *live_stream(nax_client *c, recorder *r)
{
    nax_stream *s = stream_for(&srv, c, r, NAX_STREAM_MODE_THREAD, NULL);
    subscribe_or_fail(s, all_channels, 4);
    OK(nax_stream_start(s));
    ck_assert_int_ge(
        rec_wait_event(r, NULL, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    return s;
}

/* The fill of `order_id` in r, or NULL. */
static const rec_item *fill_of(recorder *r, const char *order_id)
{
    const rec_item *found = NULL;
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].kind == REC_FILL && !strcmp(r->items[i].other, order_id))
            found = &r->items[i];
    pthread_mutex_unlock(&r->lock);
    return found;
}

static size_t items_of(recorder *r, rec_kind kind)
{
    return rec_count(r, kind, NULL, 0);
}

START_TEST(fills_reach_their_own_user_only)
{
    OK(naxh_user_api_key(&srv, &seller, NAX_SCOPE_READ | NAX_SCOPE_TRADE));
    nax_client *seller_key = NULL;
    OK(naxh_key_client(&srv, &seller, &seller_key));

    recorder *rb = rec_new(), *rs = rec_new(), *ro = rec_new();
    nax_stream *sb = live_stream(buyer.client, rb); /* session token */
    nax_stream *ss = live_stream(seller_key, rs);   /* API-key signature */
    nax_stream *so = live_stream(other.client, ro);
    /* Balance snapshots: every asset held, flagged as such. */
    ck_assert_uint_ge(rec_count(rb, REC_BALANCE, "AUD", NAX_STREAM_F_SNAPSHOT), 1);
    ck_assert_uint_ge(rec_count(rs, REC_BALANCE, "BTC", NAX_STREAM_F_SNAPSHOT), 1);
    size_t other_orders = items_of(ro, REC_ORDER), other_fills = items_of(ro, REC_FILL);

    char sell_id[64], buy_id[64];
    place_limit(seller.client, "BTC-AUD", NAX_SIDE_SELL, "50000.00", "0.01", sell_id,
                sizeof sell_id);
    place_limit(buyer.client, "BTC-AUD", NAX_SIDE_BUY, "50000.00", "0.01", buy_id, sizeof buy_id);

    ck_assert(rec_wait_count(rb, NULL, REC_FILL, NULL, 0, 1, 5000));
    ck_assert(rec_wait_count(rs, NULL, REC_FILL, NULL, 0, 1, 5000));
    const rec_item *bf = fill_of(rb, buy_id), *sf = fill_of(rs, sell_id);
    ck_assert_ptr_nonnull(bf);
    ck_assert_ptr_nonnull(sf);
    ck_assert_uint_eq(bf->flags, 0);
    ck_assert_ptr_null(fill_of(rb, sell_id));
    ck_assert_ptr_null(fill_of(rs, buy_id));
    ck_assert_uint_eq(items_of(rb, REC_FILL), 1);
    ck_assert_uint_eq(items_of(rs, REC_FILL), 1);
    /* Each saw its own order change, and balances moved. */
    ck_assert(rec_wait_count(rb, NULL, REC_ORDER, buy_id, 0, 1, 5000));
    ck_assert(rec_wait_count(rs, NULL, REC_ORDER, sell_id, 0, 1, 5000));
    ck_assert_uint_eq(rec_count(rb, REC_ORDER, sell_id, 0), 0);
    ck_assert(rec_wait_count(rb, NULL, REC_BALANCE, "BTC", 0, 1, 5000));
    /* The public trade reached all three. */
    ck_assert(rec_wait_count(rb, NULL, REC_TRADE, NULL, 0, 1, 5000));
    ck_assert(rec_wait_count(rs, NULL, REC_TRADE, NULL, 0, 1, 5000));
    ck_assert(rec_wait_count(ro, NULL, REC_TRADE, NULL, 0, 1, 5000));

    /* The bystander's own later order is its barrier: events are published in
     * commit order, so a misrouted fill would have come before it. */
    char own_id[64];
    place_limit(other.client, "BTC-AUD", NAX_SIDE_BUY, "40000.00", "0.01", own_id, sizeof own_id);
    ck_assert(rec_wait_count(ro, NULL, REC_ORDER, own_id, 0, 1, 5000));
    ck_assert_uint_eq(items_of(ro, REC_FILL), other_fills);
    ck_assert_uint_eq(items_of(ro, REC_ORDER), other_orders + 1);
    ck_assert_uint_eq(rec_count(rb, REC_ORDER, own_id, 0), 0);

    stream_free(sb);
    stream_free(ss);
    stream_free(so);
    nax_client_free(seller_key);
}
END_TEST

START_TEST(refused_channels_are_dropped)
{
    recorder *r = rec_new();
    /* No client: private channels are refused (auth_required); an unknown
     * market is refused; the public channel of the same call stays. */
    nax_stream *s = stream_for(&srv, NULL, r, NAX_STREAM_MODE_THREAD, NULL);
    const char *ch[] = {"book:XRP-AUD", "ticker:BTC-AUD", "orders"};
    subscribe_or_fail(s, ch, 3);
    OK(nax_stream_start(s));
    ck_assert_int_ge(
        rec_wait_event(r, NULL, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    ck_assert_int_ge(rec_find(r, 0, NAX_STREAM_CONNECTING, NAX_STREAM_REASON_START, NULL), 0);
    size_t n = rec_events(r);
    int refused_book = 0, refused_orders = 0;
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < n; i++) {
        if (r->events[i].reason != NAX_STREAM_REASON_SUBSCRIBE_FAILED)
            continue;
        refused_book += !strcmp(r->events[i].channel, "book:XRP-AUD");
        refused_orders += !strcmp(r->events[i].channel, "orders");
    }
    pthread_mutex_unlock(&r->lock);
    ck_assert_int_eq(refused_book, 1);
    ck_assert_int_eq(refused_orders, 1);
    ck_assert(rec_wait_count(r, NULL, REC_TICKER, "BTC-AUD", NAX_STREAM_F_SNAPSHOT, 1, 5000));
    nax_book_top top = {sizeof top};
    ck_assert_int_eq(nax_stream_book_top(s, "XRP-AUD", &top), NAX_ENOTFOUND);
    stream_free(s);
}
END_TEST

/* Private channels refused for want of credentials are had once the client
 * logged in and they are subscribed again. */
START_TEST(private_channels_after_a_later_login)
{
    nax_client *c = NULL;
    OK(naxh_client(&srv, NULL, &c));
    recorder *r = rec_new();
    nax_stream *s = stream_for(&srv, c, r, NAX_STREAM_MODE_THREAD, NULL);
    const char *first[] = {"ticker:BTC-AUD", "balances"};
    subscribe_or_fail(s, first, 2);
    OK(nax_stream_start(s));
    ck_assert_int_ge(
        rec_wait_event(r, NULL, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    ck_assert_int_ge(rec_find(r, 0, -1, NAX_STREAM_REASON_SUBSCRIBE_FAILED, "balances"), 0);
    nax_login_request login = {sizeof login, buyer.email, buyer.password, NULL};
    OK(nax_auth_login(c, &login, NULL));
    subscribe_or_fail(s, &first[1], 1);
    ck_assert(rec_wait_count(r, NULL, REC_BALANCE, "AUD", NAX_STREAM_F_SNAPSHOT, 1, 10000));
    ck_assert_uint_eq(rec_count_events(r, -1, NAX_STREAM_REASON_SUBSCRIBE_FAILED, "balances"), 1);
    ck_assert_int_lt(rec_find(r, 0, -1, NAX_STREAM_REASON_AUTH_FAILED, NULL), 0);
    stream_free(s);
    nax_client_free(c);
}
END_TEST

START_TEST(bad_credentials_fail_auth)
{
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    o.bearer_token = "not-a-jwt";
    nax_client *bad = NULL;
    OK(naxh_client(&srv, &o, &bad));
    recorder *r = rec_new();
    nax_stream *s = stream_for(&srv, bad, r, NAX_STREAM_MODE_THREAD, NULL);
    const char *ch[] = {"fills", "ticker:ETH-AUD"};
    subscribe_or_fail(s, ch, 2);
    OK(nax_stream_start(s));
    ck_assert_int_ge(
        rec_wait_event(r, NULL, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    long i = rec_find(r, 0, NAX_STREAM_CONNECTING, NAX_STREAM_REASON_AUTH_FAILED, "fills");
    ck_assert_int_ge(i, 0);
    ck_assert_int_eq(r->events[i].error, NAX_EAUTH);
    ck_assert(rec_wait_count(r, NULL, REC_TICKER, "ETH-AUD", NAX_STREAM_F_SNAPSHOT, 1, 5000));
    stream_free(s);
    nax_client_free(bad);
}
END_TEST

/* The server ends the private subscriptions when the token expires: the
 * stream says TOKEN_EXPIRED, authenticates with a refreshed token,
 * subscribes again, and the user's events keep coming. */
/* A new order of the buyer arrives once: live, or caught up if it came
 * before the new subscription. */
static void new_order_arrives_once(recorder *r)
{
    char id[64];
    place_limit(buyer.client, "BTC-AUD", NAX_SIDE_BUY, "41000.00", "0.01", id, sizeof id);
    ck_assert(rec_wait_count(r, NULL, REC_ORDER, id, 0, 1, 10000));
    /* Once as an event: live, or caught up if it came before the new subscription. */
    size_t live = rec_count_exact(r, REC_ORDER, id, 0);
    size_t caught = rec_count_exact(r, REC_ORDER, id, NAX_STREAM_F_CATCHUP);
    if (live + caught != 1) {
        pthread_mutex_lock(&r->lock);
        for (size_t i = 0; i < r->nitems; i++)
            if (r->items[i].kind == REC_ORDER && !strcmp(r->items[i].id, id))
                fprintf(stderr, "order item %zu: flags %u status %d updated_at %llu\n", i,
                        r->items[i].flags, r->items[i].status, (unsigned long long)r->items[i].seq);
        pthread_mutex_unlock(&r->lock);
    }
    ck_assert_msg(live + caught == 1, "order delivered %zu times live, %zu caught up", live,
                  caught);
}

START_TEST(expired_session_authenticates_again)
{
    recorder *r = rec_new();
    nax_stream *s = live_stream(buyer.client, r);
    long expired = rec_wait_event(r, NULL, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_TOKEN_EXPIRED,
                                  "orders", 15000);
    ck_assert_int_ge(expired, 0);
    ck_assert_int_eq(r->events[expired].error, NAX_EAUTH);
    ck_assert_int_lt(rec_find(r, 0, -1, NAX_STREAM_REASON_AUTH_FAILED, NULL), 0);
    /* Subscribed again: a new order of the user arrives. */
    new_order_arrives_once(r);
    ck_assert_int_lt(rec_find(r, 0, NAX_STREAM_RECONNECTING, -1, NULL), 0);
    stream_free(s);
}
END_TEST

/* Renewals are bounded only in a row: each session that authenticates
 * starts the count over, so one connection outlives many sessions. */
START_TEST(many_sessions_expire_on_one_connection)
{
    recorder *r = rec_new();
    nax_stream *s = live_stream(buyer.client, r);
    /* More expiries than renewals allowed in a row (5). */
    ck_assert_msg(rec_wait_events(r, NULL, -1, NAX_STREAM_REASON_TOKEN_EXPIRED, "orders", 7, 60000),
                  "%zu expiries",
                  rec_count_events(r, -1, NAX_STREAM_REASON_TOKEN_EXPIRED, "orders"));
    ck_assert_int_lt(rec_find(r, 0, -1, NAX_STREAM_REASON_AUTH_FAILED, NULL), 0);
    new_order_arrives_once(r);
    ck_assert_int_lt(rec_find(r, 0, NAX_STREAM_RECONNECTING, -1, NULL), 0);
    stream_free(s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("stream_trades");
    TCase *tc = tcase_create("trades");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, fills_reach_their_own_user_only);
    tcase_add_test(tc, refused_channels_are_dropped);
    tcase_add_test(tc, private_channels_after_a_later_login);
    tcase_add_test(tc, bad_credentials_fail_auth);
    suite_add_tcase(s, tc);
    TCase *session = tcase_create("session");
    tcase_add_checked_fixture(session, setup_short_tokens, teardown);
    tcase_set_timeout(session, 300);
    tcase_add_test(session, expired_session_authenticates_again);
    suite_add_tcase(s, session);
    TCase *sessions = tcase_create("sessions");
    tcase_add_checked_fixture(sessions, setup_two_second_tokens, teardown);
    tcase_set_timeout(sessions, 300);
    tcase_add_test(sessions, many_sessions_expire_on_one_connection);
    suite_add_tcase(s, sessions);
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

/*
 * naxd killed (SIGKILL) and restarted under a live stream: the stream goes
 * RECONNECTING, retries with backoff while the server is down, connects,
 * subscribes again and is LIVE with books equal to the server's. The orders
 * and fills of the user made while it was away arrive once each, flagged
 * NAX_STREAM_F_CATCHUP, before newer live events; fills seen before the drop
 * are not delivered again.
 *
 * The catch-up case uses an external-mode stream: it does nothing while the
 * test does not drive it, so "while it was away" needs no timing.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "stream_test.h"

static naxh_server srv;
static naxh_user buyer, seller;
static nax_client *anon;

static void setup(void)
{
    market_start(&srv, NULL, &buyer, &seller, &anon);
}

static void teardown(void)
{
    market_stop(&srv, &buyer, &seller, &anon);
}

typedef struct equal_arg {
    nax_stream *s;
    char why[256];
} equal_arg;

static int is_equal(void *arg)
{
    equal_arg *e = arg;
    return book_equals_server(e->s, anon, "BTC-AUD", e->why, sizeof e->why);
}

/* The position of the first item of `kind` with `id` and exactly `flags`, or -1. */
static long item_at(recorder *r, rec_kind kind, const char *id, unsigned int flags)
{
    long at = -1;
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < r->nitems && at < 0; i++)
        if (r->items[i].kind == kind && !strcmp(r->items[i].id, id) && r->items[i].flags == flags)
            at = (long)i;
    pthread_mutex_unlock(&r->lock);
    return at;
}

/* The fill ids of `order_id` recorded so far, into ids (up to max). */
static size_t fills_of(recorder *r, const char *order_id, char ids[][64], size_t max)
{
    size_t n = 0;
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < r->nitems; i++) {
        const rec_item *it = &r->items[i];
        if (it->kind != REC_FILL || strcmp(it->other, order_id))
            continue;
        int dup = 0;
        for (size_t j = 0; j < n; j++)
            dup |= !strcmp(ids[j], it->id);
        if (!dup && n < max)
            snprintf(ids[n++], 64, "%s", it->id);
    }
    pthread_mutex_unlock(&r->lock);
    return n;
}

static int server_fills(nax_client *c, char ids[][64], size_t max)
{
    nax_fill_list *l = NULL;
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.limit = 100;
    OK(nax_trades_history(c, &q, &l));
    size_t n = l->fills_count < max ? l->fills_count : max;
    for (size_t i = 0; i < n; i++)
        snprintf(ids[i], 64, "%s", l->fills[i]->id);
    nax_object_free(l);
    return (int)n;
}

START_TEST(catch_up_after_restart)
{
    recorder *r = rec_new();
    nax_stream *s = stream_for(&srv, buyer.client, r, NAX_STREAM_MODE_EXTERNAL, NULL);
    const char *ch[] = {"orders", "fills", "balances", "book:BTC-AUD"};
    subscribe_or_fail(s, ch, 4);
    OK(nax_stream_start(s));
    ck_assert_int_ge(
        rec_wait_event(r, s, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);

    /* Before the drop: order A rests and is partly filled (fill 1, live). */
    char a[64], b[64], c[64], d[64], e[64];
    place_limit(buyer.client, "BTC-AUD", NAX_SIDE_BUY, "50000.00", "0.10", a, sizeof a);
    place_limit(seller.client, "BTC-AUD", NAX_SIDE_SELL, "50000.00", "0.02", NULL, 0);
    ck_assert(rec_wait_count(r, s, REC_FILL, NULL, 0, 1, 5000));
    char before[4][64];
    ck_assert_uint_eq(fills_of(r, a, before, 4), 1);

    /* naxd dies; the stream notices (it is driven here only). */
    size_t from = rec_events(r);
    naxh_kill(&srv, SIGKILL);
    ck_assert_int_ge(rec_wait_event(r, s, from, NAX_STREAM_RECONNECTING, -1, NULL, 5000), 0);
    ck_assert_int_eq(naxh_restart(&srv), 0);

    /* While the stream is away: A filled further (fill 2), B rests, C is
     * placed and cancelled, D takes a resting sell (fill 3). */
    place_limit(seller.client, "BTC-AUD", NAX_SIDE_SELL, "50000.00", "0.03", NULL, 0);
    place_limit(buyer.client, "BTC-AUD", NAX_SIDE_BUY, "49000.00", "0.01", b, sizeof b);
    place_limit(buyer.client, "BTC-AUD", NAX_SIDE_BUY, "48000.00", "0.01", c, sizeof c);
    OK(nax_orders_cancel(buyer.client, c, NULL));
    place_limit(seller.client, "BTC-AUD", NAX_SIDE_SELL, "51000.00", "0.01", NULL, 0);
    place_limit(buyer.client, "BTC-AUD", NAX_SIDE_BUY, "51000.00", "0.01", d, sizeof d);

    long live =
        rec_wait_event(r, s, from, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 15000);
    ck_assert_int_ge(live, 0);
    long connecting = rec_find(r, from, NAX_STREAM_CONNECTING, -1, NULL);
    ck_assert(connecting >= 0 && connecting < live);

    /* Each order that changed arrives once flagged as catch-up. */
    const char *changed[] = {a, b, c, d};
    for (int i = 0; i < 4; i++)
        ck_assert_msg(rec_count_exact(r, REC_ORDER, changed[i], NAX_STREAM_F_CATCHUP) == 1,
                      "order %d caught up %zu times", i,
                      rec_count_exact(r, REC_ORDER, changed[i], NAX_STREAM_F_CATCHUP));
    /* Every fill of the user exactly once: the first live, the others caught up. */
    char all[8][64];
    int n = server_fills(buyer.client, all, 8);
    ck_assert_int_eq(n, 3);
    for (int i = 0; i < n; i++) {
        size_t times = rec_count(r, REC_FILL, all[i], 0);
        ck_assert_msg(times == 1, "fill %s delivered %zu times", all[i], times);
        unsigned int want = strcmp(all[i], before[0]) ? NAX_STREAM_F_CATCHUP : 0;
        ck_assert_uint_eq(rec_count_exact(r, REC_FILL, all[i], want), 1);
    }
    nax_stream_stats st = {sizeof st};
    OK(nax_stream_stats_get(s, &st));
    ck_assert_uint_ge(st.catchup_events, 6);
    ck_assert_uint_eq(st.connects, 2);

    /* A newer live event comes after every caught-up one. */
    place_limit(buyer.client, "BTC-AUD", NAX_SIDE_BUY, "47000.00", "0.01", e, sizeof e);
    ck_assert(rec_wait_count(r, s, REC_ORDER, e, 0, 1, 5000));
    long e_at = item_at(r, REC_ORDER, e, 0);
    for (int i = 0; i < 4; i++)
        ck_assert_int_lt(item_at(r, REC_ORDER, changed[i], NAX_STREAM_F_CATCHUP), e_at);
    equal_arg eq = {s, ""};
    ck_assert_msg(rec_wait_until(r, s, is_equal, &eq, 5000), "differs: %s", eq.why);
    stream_free(s);
}
END_TEST

START_TEST(thread_mode_reconnects_after_restart)
{
    recorder *r = rec_new();
    nax_stream *s = stream_for(&srv, NULL, r, NAX_STREAM_MODE_THREAD, NULL);
    const char *ch[] = {"book:BTC-AUD", "ticker:BTC-AUD"};
    subscribe_or_fail(s, ch, 2);
    OK(nax_stream_start(s));
    ck_assert_int_ge(
        rec_wait_event(r, NULL, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    size_t from = rec_events(r);
    naxh_kill(&srv, SIGKILL);
    long rec = rec_wait_event(r, NULL, from, NAX_STREAM_RECONNECTING, -1, NULL, 5000);
    ck_assert_int_ge(rec, 0);
    /* Attempts fail while naxd is down: RECONNECTING (connect_failed), attempt growing. */
    long failed = rec_wait_event(r, NULL, (size_t)rec + 1, NAX_STREAM_RECONNECTING,
                                 NAX_STREAM_REASON_CONNECT_FAILED, NULL, 5000);
    ck_assert_int_gt(failed, rec);
    ck_assert_uint_ge(r->events[failed].attempt, 1);
    ck_assert_uint_le(r->events[failed].delay_ms, 400);
    ck_assert_int_eq(naxh_restart(&srv), 0);
    place_limit(buyer.client, "BTC-AUD", NAX_SIDE_BUY, "45000.00", "0.01", NULL, 0);
    ck_assert_int_ge(rec_wait_event(r, NULL, (size_t)failed, NAX_STREAM_LIVE,
                                    NAX_STREAM_REASON_SUBSCRIBED, NULL, 15000),
                     0);
    equal_arg eq = {s, ""};
    ck_assert_msg(rec_wait_until(r, NULL, is_equal, &eq, 5000), "differs: %s", eq.why);
    stream_free(s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("stream_restart");
    TCase *tc = tcase_create("restart");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, catch_up_after_restart);
    tcase_add_test(tc, thread_mode_reconnects_after_restart);
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

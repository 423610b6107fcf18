/*
 * Self-healing against naxd's fault mode (POST /admin/stream-faults): a
 * dropped book update (seq gap) and a corrupted checksum make the book
 * RESYNCING and then LIVE again, equal to the server's; a stalled server
 * makes the stream STALE, then RECONNECTING (dead), then LIVE; an abrupt
 * close reconnects; a reader that falls behind gets `lagging`, resyncs the
 * book and catches the orders up over REST.
 */
#include <stdio.h>
#include <stdlib.h>

#include "stream_test.h"

static naxh_server srv;
static naxh_user buyer, seller;
static nax_client *anon;

static void start_server(const char *overrides)
{
    market_start(&srv, overrides, &buyer, &seller, &anon);
}

static void setup(void)
{
    start_server(NULL);
}

/* A small per-connection queue, so a stalled reader lags quickly. */
static void setup_small_queue(void)
{
    start_server("{\"stream\":{\"max_queue_messages\":8}}");
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

static int order_n;

/* One resting order: one book update. */
static void one_order(void)
{
    char price[32];
    snprintf(price, sizeof price, "%d.00", 40000 + order_n++);
    place_limit(buyer.client, "BTC-AUD", NAX_SIDE_BUY, price, "0.01", NULL, 0);
}

static nax_stream *live_book_stream(recorder *r, nax_client *c, const char *const *extra,
                                    size_t n_extra, void (*adjust)(nax_stream_options *o))
{
    nax_stream *s = stream_for(&srv, c, r, NAX_STREAM_MODE_THREAD, adjust);
    const char *book[] = {"book:BTC-AUD"};
    subscribe_or_fail(s, book, 1);
    if (n_extra)
        subscribe_or_fail(s, extra, n_extra);
    OK(nax_stream_start(s));
    ck_assert_int_ge(
        rec_wait_event(r, NULL, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    one_order();
    one_order();
    equal_arg e = {s, ""};
    ck_assert_msg(rec_wait_until(r, NULL, is_equal, &e, 5000), "differs: %s", e.why);
    return s;
}

/* RESYNCING for `reason` on the book after event `from`, then LIVE (snapshot), then equal. */
static void expect_resync(recorder *r, nax_stream *s, size_t from, nax_stream_reason reason)
{
    long i = rec_wait_event(r, NULL, from, NAX_STREAM_RESYNCING, reason, "book:BTC-AUD", 10000);
    ck_assert_msg(i >= 0, "no RESYNCING (%s)", nax_stream_reason_name(reason));
    long j = rec_wait_event(r, NULL, (size_t)i, NAX_STREAM_LIVE, NAX_STREAM_REASON_SNAPSHOT,
                            "book:BTC-AUD", 10000);
    ck_assert_int_gt(j, i);
    equal_arg e = {s, ""};
    ck_assert_msg(rec_wait_until(r, NULL, is_equal, &e, 5000), "differs: %s", e.why);
    /* Only the book resynced: the connection stayed up. */
    ck_assert_int_lt(rec_find(r, from, NAX_STREAM_RECONNECTING, -1, NULL), 0);
    ck_assert_int_eq(nax_stream_state_get(s), NAX_STREAM_LIVE);
}

START_TEST(dropped_update_resyncs)
{
    recorder *r = rec_new();
    nax_stream *s = live_book_stream(r, NULL, NULL, 0, NULL);
    size_t from = rec_events(r);
    ck_assert_int_eq(naxh_stream_fault(&srv, "{\"pair\":\"BTC-AUD\",\"drop_updates\":1}"), 0);
    one_order(); /* lost */
    one_order(); /* its seq shows the gap */
    expect_resync(r, s, from, NAX_STREAM_REASON_SEQ_GAP);
    nax_stream_stats st = {sizeof st};
    OK(nax_stream_stats_get(s, &st));
    ck_assert_uint_ge(st.gaps, 1);
    ck_assert_uint_ge(st.resyncs, 1);
    /* Updates keep flowing into the healed book. */
    one_order();
    equal_arg e = {s, ""};
    ck_assert_msg(rec_wait_until(r, NULL, is_equal, &e, 5000), "differs: %s", e.why);
    stream_free(s);
}
END_TEST

START_TEST(corrupt_checksum_resyncs)
{
    recorder *r = rec_new();
    nax_stream *s = live_book_stream(r, NULL, NULL, 0, NULL);
    size_t from = rec_events(r);
    ck_assert_int_eq(naxh_stream_fault(&srv, "{\"pair\":\"BTC-AUD\",\"corrupt_checksums\":1}"), 0);
    one_order();
    expect_resync(r, s, from, NAX_STREAM_REASON_CHECKSUM);
    nax_stream_stats st = {sizeof st};
    OK(nax_stream_stats_get(s, &st));
    ck_assert_uint_ge(st.checksum_mismatches, 1);
    stream_free(s);
}
END_TEST

static int eth_equal(void *arg)
{
    equal_arg *e = arg;
    return book_equals_server(e->s, anon, "ETH-AUD", e->why, sizeof e->why);
}

/* Two books go wrong at once: both resync (in one unsubscribe and one
 * subscribe op) and both end equal to the server's. */
START_TEST(several_books_resync_together)
{
    recorder *r = rec_new();
    const char *eth[] = {"book:ETH-AUD"};
    nax_stream *s = live_book_stream(r, NULL, eth, 1, NULL);
    size_t from = rec_events(r);
    ck_assert_int_eq(naxh_stream_fault(&srv, "{\"corrupt_checksums\":2}"), 0);
    one_order();
    place_limit(buyer.client, "ETH-AUD", NAX_SIDE_BUY, "3000.00", "0.01", NULL, 0);
    const char *books[] = {"book:BTC-AUD", "book:ETH-AUD"};
    for (int i = 0; i < 2; i++) {
        long at = rec_wait_event(r, NULL, from, NAX_STREAM_RESYNCING, NAX_STREAM_REASON_CHECKSUM,
                                 books[i], 10000);
        ck_assert_int_ge(at, 0);
        ck_assert_int_gt(rec_wait_event(r, NULL, (size_t)at, NAX_STREAM_LIVE,
                                        NAX_STREAM_REASON_SNAPSHOT, books[i], 10000),
                         at);
    }
    equal_arg e = {s, ""};
    ck_assert_msg(rec_wait_until(r, NULL, is_equal, &e, 5000), "BTC-AUD differs: %s", e.why);
    ck_assert_msg(rec_wait_until(r, NULL, eth_equal, &e, 5000), "ETH-AUD differs: %s", e.why);
    ck_assert_int_lt(rec_find(r, from, NAX_STREAM_RECONNECTING, -1, NULL), 0);
    stream_free(s);
}
END_TEST

START_TEST(stall_goes_stale_then_reconnects)
{
    recorder *r = rec_new();
    nax_stream *s = live_book_stream(r, NULL, NULL, 0, NULL);
    size_t from = rec_events(r);
    ck_assert_int_eq(naxh_stream_fault(&srv, "{\"stall_ms\":5000}"), 0);
    long stale =
        rec_wait_event(r, NULL, from, NAX_STREAM_STALE, NAX_STREAM_REASON_PONG_MISSED, NULL, 5000);
    ck_assert_int_ge(stale, 0);
    long dead = rec_wait_event(r, NULL, (size_t)stale, NAX_STREAM_RECONNECTING,
                               NAX_STREAM_REASON_DEAD, NULL, 5000);
    ck_assert_int_gt(dead, stale);
    ck_assert_uint_le(r->events[dead].delay_ms, 400); /* reconnect_max_ms of the test */
    long conn = rec_wait_event(r, NULL, (size_t)dead, NAX_STREAM_CONNECTING, -1, NULL, 5000);
    ck_assert_int_gt(conn, dead);
    long live = rec_wait_event(r, NULL, (size_t)conn, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED,
                               NULL, 10000);
    ck_assert_int_gt(live, conn);
    one_order();
    equal_arg e = {s, ""};
    ck_assert_msg(rec_wait_until(r, NULL, is_equal, &e, 5000), "differs: %s", e.why);
    nax_stream_stats st = {sizeof st};
    OK(nax_stream_stats_get(s, &st));
    ck_assert_uint_ge(st.connects, 2);
    stream_free(s);
}
END_TEST

START_TEST(abrupt_close_reconnects)
{
    recorder *r = rec_new();
    nax_stream *s = live_book_stream(r, NULL, NULL, 0, NULL);
    size_t from = rec_events(r);
    ck_assert_int_eq(naxh_stream_fault(&srv, "{\"close_all\":true}"), 0);
    long rec = rec_wait_event(r, NULL, from, NAX_STREAM_RECONNECTING, -1, NULL, 5000);
    ck_assert_int_ge(rec, 0);
    ck_assert_int_ge(rec_wait_event(r, NULL, (size_t)rec, NAX_STREAM_LIVE,
                                    NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000),
                     0);
    one_order();
    equal_arg e = {s, ""};
    ck_assert_msg(rec_wait_until(r, NULL, is_equal, &e, 5000), "differs: %s", e.why);
    stream_free(s);
}
END_TEST

/* Pings far apart, so a stall does not look dead. */
static void slow_pings(nax_stream_options *o)
{
    o->ping_interval_ms = 20000;
}

START_TEST(lagging_reader_resyncs_and_catches_up)
{
    recorder *r = rec_new();
    const char *orders[] = {"orders"};
    nax_stream *s = live_book_stream(r, buyer.client, orders, 1, slow_pings);
    size_t from = rec_events(r);
    /* The server queues and stops sending: more than 8 messages overflow. */
    ck_assert_int_eq(naxh_stream_fault(&srv, "{\"stall_ms\":1500}"), 0);
    char ids[12][64];
    for (int i = 0; i < 12; i++) {
        char price[32];
        snprintf(price, sizeof price, "%d.00", 30000 + i);
        place_limit(buyer.client, "BTC-AUD", NAX_SIDE_BUY, price, "0.01", ids[i], sizeof ids[i]);
    }
    expect_resync(r, s, from, NAX_STREAM_REASON_LAGGING);
    /* Every order reaches the caller once as an event: live, or from the catch-up. */
    for (int i = 0; i < 12; i++) {
        ck_assert(rec_wait_count(r, NULL, REC_ORDER, ids[i], 0, 1, 10000));
        size_t live = rec_count_exact(r, REC_ORDER, ids[i], 0);
        size_t caught = rec_count_exact(r, REC_ORDER, ids[i], NAX_STREAM_F_CATCHUP);
        ck_assert_msg(live + caught == 1, "order %d: %zu live, %zu caught up", i, live, caught);
    }
    ck_assert_uint_ge(rec_count(r, REC_ORDER, NULL, NAX_STREAM_F_CATCHUP), 1);
    nax_stream_stats st = {sizeof st};
    OK(nax_stream_stats_get(s, &st));
    ck_assert_uint_ge(st.lagging, 1);
    ck_assert_uint_ge(st.catchup_events, 1);
    stream_free(s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("stream_faults");
    TCase *tc = tcase_create("faults");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, dropped_update_resyncs);
    tcase_add_test(tc, corrupt_checksum_resyncs);
    tcase_add_test(tc, several_books_resync_together);
    tcase_add_test(tc, stall_goes_stale_then_reconnects);
    tcase_add_test(tc, abrupt_close_reconnects);
    suite_add_tcase(s, tc);
    TCase *lag = tcase_create("lagging");
    tcase_add_checked_fixture(lag, setup_small_queue, teardown);
    tcase_set_timeout(lag, 300);
    tcase_add_test(lag, lagging_reader_resyncs_and_catches_up);
    suite_add_tcase(s, lag);
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

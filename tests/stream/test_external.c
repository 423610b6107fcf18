/*
 * External mode against naxd: the caller's own poll() over
 * nax_stream_pollfds() with nax_stream_service_fds(), commands from another
 * thread waking that poll, callbacks that may not re-enter their stream
 * (NAX_ERECURSIVE), a callback stopping the stream (NAX_EUSER, CLOSED with
 * reason CALLBACK) in both modes, and the calls refused in the wrong mode or
 * state.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "stream_test.h"

static naxh_server srv;
static naxh_user buyer;
static nax_client *anon;

static void start_server(const char *overrides)
{
    client_test_global_init();
    ck_assert_int_eq(naxh_start(&srv, overrides), 0);
    OK(naxh_client(&srv, NULL, &anon));
    OK(naxh_user_new(&srv, &buyer));
    OK(naxh_fund_fiat(&srv, &buyer, "AUD", "10000000.00"));
}

static void setup(void)
{
    start_server(NULL);
}

/* naxd takes 2 ops a second per connection, in bursts of 4. */
static void setup_slow_ops(void)
{
    start_server("{\"stream\":{\"ops_per_second\":2}}");
}

static void teardown(void)
{
    naxh_user_free(&buyer);
    nax_client_free(anon);
    anon = NULL;
    stream_test_cleanup();
    naxh_stop(&srv);
    ck_assert_int_eq(srv.exit_status, 0);
    nax_global_shutdown();
}

/* One round of the caller's loop: poll what the stream asks for, then service. */
static int poll_round(nax_stream *s)
{
    nax_stream_pollfd fds[4];
    struct pollfd pfd[4];
    size_t n = 0;
    int timeout = -1;
    int rc = nax_stream_pollfds(s, fds, 4, &n, &timeout);
    if (rc)
        return rc;
    ck_assert_uint_ge(n, 1);
    ck_assert_int_ge(timeout, 0);
    ck_assert_int_le(timeout, 1000);
    for (size_t i = 0; i < n; i++) {
        pfd[i].fd = fds[i].fd;
        pfd[i].events = fds[i].events;
        pfd[i].revents = 0;
    }
    ck_assert_int_ge(poll(pfd, n, timeout), 0);
    for (size_t i = 0; i < n; i++)
        fds[i].revents = pfd[i].revents;
    return nax_stream_service_fds(s, fds, n);
}

typedef struct loop_arg {
    recorder *r;
    nax_stream *s;
    int (*done)(struct loop_arg *a);
    char why[256];
} loop_arg;

/* Runs the caller's loop until done() or `rounds` rounds. */
static int run_loop(loop_arg *a, int rounds)
{
    for (int i = 0; i < rounds; i++) {
        if (a->done(a))
            return 1;
        int rc = poll_round(a->s);
        ck_assert_msg(rc == 0, "service_fds: %d %s", rc, nax_error_last()->message);
    }
    return a->done(a);
}

static int is_live(loop_arg *a)
{
    return rec_find(a->r, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL) >= 0;
}

static int is_equal(loop_arg *a)
{
    return book_equals_server(a->s, anon, "BTC-AUD", a->why, sizeof a->why);
}

static int has_eth_ticker(loop_arg *a)
{
    return rec_count(a->r, REC_TICKER, "ETH-AUD", NAX_STREAM_F_SNAPSHOT) > 0;
}

static void *subscribe_later(void *arg)
{
    const char *ch[] = {"ticker:ETH-AUD"};
    OK(nax_stream_subscribe(arg, ch, 1));
    return NULL;
}

START_TEST(own_poll_loop)
{
    recorder *r = rec_new();
    nax_stream *s = stream_for(&srv, NULL, r, NAX_STREAM_MODE_EXTERNAL, NULL);
    nax_stream_pollfd fds[4];
    size_t n = 0;
    int timeout = 0;
    EXPECT_ERROR(nax_stream_pollfds(s, fds, 4, &n, &timeout), NAX_ESTATE, 0, NULL, NULL);
    const char *ch[] = {"book:BTC-AUD"};
    subscribe_or_fail(s, ch, 1);
    OK(nax_stream_start(s));
    /* Too small an array: the count, and nothing else. */
    n = 0;
    EXPECT_ERROR(nax_stream_pollfds(s, fds, 0, &n, &timeout), NAX_EBUFSIZE, 0, NULL, NULL);
    ck_assert_uint_ge(n, 1);

    loop_arg a = {r, s, is_live, ""};
    ck_assert(run_loop(&a, 500));
    OK(nax_stream_pollfds(s, fds, 4, &n, &timeout));
    ck_assert_uint_eq(n, 2); /* the wake-up descriptor and the socket */

    for (int i = 0; i < 5; i++) {
        char price[32];
        snprintf(price, sizeof price, "%d.00", 42000 + i);
        place_limit(buyer.client, "BTC-AUD", NAX_SIDE_BUY, price, "0.01", NULL, 0);
    }
    a.done = is_equal;
    ck_assert_msg(run_loop(&a, 500), "differs: %s", a.why);

    /* A command from another thread makes the poll return at once. */
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, subscribe_later, s), 0);
    pthread_join(t, NULL);
    OK(nax_stream_pollfds(s, fds, 4, &n, &timeout));
    ck_assert_int_eq(timeout, 0);
    struct pollfd wake = {fds[0].fd, POLLIN, 0};
    ck_assert_int_eq(poll(&wake, 1, 0), 1);
    a.done = has_eth_ticker;
    ck_assert(run_loop(&a, 500));

    /* Free without stopping: CLOSED is reported on this thread. */
    stream_free(s);
    ck_assert_int_ge(rec_find(r, 0, NAX_STREAM_CLOSED, NAX_STREAM_REASON_STOPPED, NULL), 0);
}
END_TEST

START_TEST(callbacks_cannot_reenter)
{
    recorder *r = rec_new();
    nax_stream *s = stream_for(&srv, NULL, r, NAX_STREAM_MODE_EXTERNAL, NULL);
    r->stream = s;
    const char *ch[] = {"ticker:BTC-AUD"};
    subscribe_or_fail(s, ch, 1);
    OK(nax_stream_start(s));
    ck_assert_int_ge(
        rec_wait_event(r, s, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    ck_assert_int_eq(r->reentry_checked, 1);
    ck_assert_int_eq(r->reentry_rc[0], NAX_ERECURSIVE);
    ck_assert_int_eq(r->reentry_rc[1], NAX_ERECURSIVE);
    ck_assert_int_eq(r->reentry_rc[2], 0); /* free from a callback did nothing */
    OK(nax_stream_stop(s));
    ck_assert_int_ge(
        rec_wait_event(r, s, 0, NAX_STREAM_CLOSED, NAX_STREAM_REASON_STOPPED, NULL, 5000), 0);
    EXPECT_ERROR(nax_stream_service(s, 0), NAX_ESTATE, 0, NULL, NULL);
    EXPECT_ERROR(nax_stream_subscribe(s, ch, 1), NAX_ESTATE, 0, NULL, NULL);
    EXPECT_ERROR(nax_stream_start(s), NAX_ESTATE, 0, NULL, NULL);
    ck_assert_int_eq(nax_stream_state_get(s), NAX_STREAM_CLOSED);
    stream_free(s);
}
END_TEST

START_TEST(callback_stop_external)
{
    recorder *r = rec_new();
    r->stop_after_books = 1;
    nax_stream *s = stream_for(&srv, NULL, r, NAX_STREAM_MODE_EXTERNAL, NULL);
    const char *ch[] = {"book:BTC-AUD"};
    subscribe_or_fail(s, ch, 1);
    OK(nax_stream_start(s));
    int rc = 0;
    for (int i = 0; i < 400 && rc == 0; i++)
        rc = nax_stream_service(s, 50);
    ck_assert_int_eq(rc, NAX_EUSER);
    ck_assert_int_eq(nax_error_last()->code, NAX_EUSER);
    ck_assert_uint_eq(r->books, 1);
    /* The close completes while serviced; then the stream is CLOSED. */
    long closed = rec_find(r, 0, NAX_STREAM_CLOSED, NAX_STREAM_REASON_CALLBACK, NULL);
    for (int i = 0; i < 100 && closed < 0; i++) {
        rc = nax_stream_service(s, 20);
        ck_assert(rc == NAX_EUSER || rc == NAX_ESTATE);
        closed = rec_find(r, 0, NAX_STREAM_CLOSED, NAX_STREAM_REASON_CALLBACK, NULL);
    }
    ck_assert_int_ge(closed, 0);
    ck_assert_int_eq(r->events[closed].error, NAX_EUSER);
    EXPECT_ERROR(nax_stream_service(s, 0), NAX_ESTATE, 0, NULL, NULL);
    ck_assert_uint_eq(r->books, 1); /* nothing after the stop */
    stream_free(s);
}
END_TEST

START_TEST(callback_stop_thread)
{
    recorder *r = rec_new();
    r->stop_after_books = 1;
    nax_stream *s = stream_for(&srv, NULL, r, NAX_STREAM_MODE_THREAD, NULL);
    const char *ch[] = {"book:BTC-AUD", "ticker:BTC-AUD"};
    subscribe_or_fail(s, ch, 2);
    OK(nax_stream_start(s));
    ck_assert_int_ge(
        rec_wait_event(r, NULL, 0, NAX_STREAM_CLOSED, NAX_STREAM_REASON_CALLBACK, NULL, 10000), 0);
    ck_assert_int_eq(nax_stream_state_get(s), NAX_STREAM_CLOSED);
    EXPECT_ERROR(nax_stream_service(s, 0), NAX_ESTATE, 0, NULL, NULL); /* thread mode */
    ck_assert_uint_eq(r->books, 1);
    stream_free(s);
}
END_TEST

/* Pings would spend the op budget of setup_slow_ops. */
static void rare_pings(nax_stream_options *o)
{
    o->ping_interval_ms = 60000;
}

/* A burst of nax_stream_subscribe() calls goes out as one subscribe op: it
 * stays within naxd's op rate, and every channel is subscribed. */
START_TEST(a_burst_of_subscribes_is_one_op)
{
    recorder *r = rec_new();
    nax_stream *s = stream_for(&srv, NULL, r, NAX_STREAM_MODE_EXTERNAL, rare_pings);
    const char *first[] = {"ticker:BTC-AUD"};
    subscribe_or_fail(s, first, 1);
    OK(nax_stream_start(s));
    ck_assert_int_ge(
        rec_wait_event(r, s, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    /* One call per channel, all queued before the stream runs again: more
     * ops than naxd takes at once, were each its own. */
    const char *more[] = {"ticker:ETH-AUD", "trades:BTC-AUD", "trades:ETH-AUD", "book:BTC-AUD",
                          "book:ETH-AUD"};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        subscribe_or_fail(s, &more[i], 1);
    ck_assert(rec_wait_count(r, s, REC_BOOK, "ETH-AUD", 0, 1, 10000));
    ck_assert(rec_wait_count(r, s, REC_BOOK, "BTC-AUD", 0, 1, 10000));
    ck_assert(rec_wait_count(r, s, REC_TICKER, "ETH-AUD", NAX_STREAM_F_SNAPSHOT, 1, 10000));
    ck_assert_int_lt(rec_find(r, 0, -1, NAX_STREAM_REASON_SUBSCRIBE_FAILED, NULL), 0);
    ck_assert_int_lt(rec_find(r, 0, -1, NAX_STREAM_REASON_NONE, NULL), 0); /* no retries */
    ck_assert_int_lt(rec_find(r, 0, NAX_STREAM_RECONNECTING, -1, NULL), 0);
    /* And a burst of unsubscribes: one op as well. */
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        OK(nax_stream_unsubscribe(s, &more[i], 1));
    nax_book_top top = {sizeof top};
    for (int i = 0; i < 100 && nax_stream_book_top(s, "ETH-AUD", &top) == 0; i++)
        OK(nax_stream_service(s, 50));
    ck_assert_int_eq(nax_stream_book_top(s, "ETH-AUD", &top), NAX_ENOTFOUND);
    /* The connection is still good for more ops. */
    subscribe_or_fail(s, &more[4], 1);
    ck_assert(rec_wait_count(r, s, REC_BOOK, "ETH-AUD", 0, 2, 10000));
    ck_assert_int_lt(rec_find(r, 0, NAX_STREAM_RECONNECTING, -1, NULL), 0);
    stream_free(s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("stream_external");
    TCase *tc = tcase_create("external");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, own_poll_loop);
    tcase_add_test(tc, callbacks_cannot_reenter);
    tcase_add_test(tc, callback_stop_external);
    tcase_add_test(tc, callback_stop_thread);
    suite_add_tcase(s, tc);
    TCase *slow = tcase_create("slow_ops");
    tcase_add_checked_fixture(slow, setup_slow_ops, teardown);
    tcase_set_timeout(slow, 300);
    tcase_add_test(slow, a_burst_of_subscribes_is_one_op);
    suite_add_tcase(s, slow);
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

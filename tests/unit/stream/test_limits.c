/* Limits and close codes: subscriptions, message size (and fragments),
 * ops rate, UTF-8, binary frames, the idle timeout; and the close metrics. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream_test.h"

static stream_server srv;

static void start(unsigned int max_subs, size_t max_frame, unsigned int ops, unsigned int idle_s)
{
    naxd_stream_limits lim;
    memset(&lim, 0, sizeof(lim));
    lim.max_subscriptions = max_subs;
    lim.max_frame_bytes = max_frame;
    lim.ops_per_second = ops;
    lim.idle_timeout_s = idle_s;
    ss_start(&srv, &lim);
}

static void expect_code(char *code, const char *want)
{
    ck_assert_ptr_nonnull(code);
    ck_assert_str_eq(code, want);
    free(code);
}

/* Asserts the server closes c with code (a close frame carrying it). */
static void expect_closed_with(ws_client *c, int code)
{
    ck_assert_msg(ws_wait_closed(c, 10000), "the server did not close");
    ck_assert_msg(c->got_close, "closed without a close frame");
    ck_assert_int_eq(c->close_code, code);
}

static void expect_metric(const char *series)
{
    char *m = ss_metrics(&srv);
    ck_assert_msg(strstr(m, series) != NULL, "no \"%s\" in\n%s", series, m);
    free(m);
}

START_TEST(subscriptions_are_limited)
{
    start(2, 0, 0, 0);
    ws_client c;
    ws_open(&c, srv.port, 0);
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":1,\"channels\":[\"ticker:BTC-AUD\","
                     "\"ticker:ETH-AUD\",\"ticker:XRP-AUD\"]}");
    expect_code(expect_ack(&c, 1, NAX_STREAM_OP_SUBSCRIBE, 0), "too_many_subscriptions");
    /* names repeated, or already subscribed, do not count twice */
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":2,\"channels\":[\"trades:BTC-AUD\","
                     "\"trades:BTC-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 2, NAX_STREAM_OP_SUBSCRIBE, 1));
    nax_object_free(expect_on(&c, "trades:BTC-AUD", NAX_STREAM_MSG_SNAPSHOT));
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":3,\"channels\":[\"trades:BTC-AUD\","
                     "\"trades:ETH-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 3, NAX_STREAM_OP_SUBSCRIBE, 1));
    nax_object_free(expect_on(&c, "trades:ETH-AUD", NAX_STREAM_MSG_SNAPSHOT));
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":4,\"channels\":[\"trades:XRP-AUD\"]}");
    expect_code(expect_ack(&c, 4, NAX_STREAM_OP_SUBSCRIBE, 0), "too_many_subscriptions");
    /* room again after an unsubscribe */
    ws_send_text(&c, "{\"op\":\"unsubscribe\",\"id\":5,\"channels\":[\"trades:BTC-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 5, NAX_STREAM_OP_UNSUBSCRIBE, 1));
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":6,\"channels\":[\"trades:XRP-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 6, NAX_STREAM_OP_SUBSCRIBE, 1));
    nax_object_free(expect_on(&c, "trades:XRP-AUD", NAX_STREAM_MSG_SNAPSHOT));
    /* one op names at most max_subscriptions channels, repeated or not, which
     * bounds the checking work per op */
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":7,\"channels\":[\"trades:XRP-AUD\","
                     "\"trades:XRP-AUD\",\"trades:XRP-AUD\"]}");
    expect_code(expect_ack(&c, 7, NAX_STREAM_OP_SUBSCRIBE, 0), "too_many_subscriptions");
    ws_send_text(&c, "{\"op\":\"unsubscribe\",\"id\":8,\"channels\":[\"trades:XRP-AUD\","
                     "\"trades:ETH-AUD\",\"trades:BTC-AUD\"]}");
    expect_code(expect_ack(&c, 8, NAX_STREAM_OP_UNSUBSCRIBE, 0), "too_many_subscriptions");
    ws_close(&c);
    ss_stop(&srv);
}
END_TEST

START_TEST(fragmented_messages_are_reassembled)
{
    start(0, 0, 0, 0);
    ws_client c;
    ws_open(&c, srv.port, 0);
    const char *op = "{\"op\":\"ping\",\"id\":77}";
    ws_send_frame(&c, 1, 0, op, 5);
    ws_send_frame(&c, 9, 1, "hi", 2); /* a ping between fragments is allowed */
    ws_send_frame(&c, 0, 0, op + 5, 6);
    ws_send_frame(&c, 0, 1, op + 11, strlen(op) - 11);
    ck_assert_ptr_null(expect_ack(&c, 77, NAX_STREAM_OP_PING, 1));
    /* UTF-8 split across fragments is still valid UTF-8 */
    const char *u = "{\"op\":\"ping\",\"id\":78,\"x\":\"\xc3\xa9\xe2\x82\xac\"}";
    size_t split = strlen("{\"op\":\"ping\",\"id\":78,\"x\":\"\xc3");
    ws_send_frame(&c, 1, 0, u, split);
    ws_send_frame(&c, 0, 1, u + split, strlen(u) - split);
    ck_assert_ptr_null(expect_ack(&c, 78, NAX_STREAM_OP_PING, 1));
    ws_close(&c);
    ss_stop(&srv);
}
END_TEST

START_TEST(messages_over_the_frame_limit_close_1009)
{
    start(0, 1024, 0, 0);
    char big[4096];
    memset(big, ' ', sizeof(big));
    memcpy(big, "{\"op\":\"ping\",\"id\":1}", 20);
    /* a message just under the limit is fine */
    ws_client a;
    ws_open(&a, srv.port, 0);
    ws_send_frame(&a, 1, 1, big, 1024);
    ck_assert_ptr_null(expect_ack(&a, 1, NAX_STREAM_OP_PING, 1));
    /* one frame over it */
    ws_send_frame(&a, 1, 1, big, 1025);
    expect_closed_with(&a, 1009);
    ws_close(&a);
    /* small fragments adding up to more */
    ws_client b;
    ws_open(&b, srv.port, 0);
    for (int i = 0; i < 4; i++)
        ws_send_frame(&b, i ? 0 : 1, i == 3, big + i * 400, 400);
    expect_closed_with(&b, 1009);
    ws_close(&b);
    /* and a large one (bigger than lws's receive buffer) */
    ws_client d;
    ws_open(&d, srv.port, 0);
    char *huge = calloc(1, 100000);
    memset(huge, 'x', 100000);
    ws_send_frame(&d, 1, 1, huge, 100000);
    free(huge);
    expect_closed_with(&d, 1009);
    ws_close(&d);
    ss_wait_connections(&srv, 0);
    expect_metric("naxd_stream_closed_total{code=\"1009\"} 3");
    ss_stop(&srv);
}
END_TEST

START_TEST(invalid_utf8_closes_1007)
{
    start(0, 0, 0, 0);
    ws_client c;
    ws_open(&c, srv.port, 0);
    ws_send_text(&c, "{\"op\":\"ping\",\"id\":1,\"x\":\"\xc3\x28\"}");
    expect_closed_with(&c, 1007);
    ws_close(&c);
    /* a surrogate, split over fragments */
    ws_open(&c, srv.port, 0);
    ws_send_frame(&c, 1, 0, "{\"x\":\"\xed", 7);
    ws_send_frame(&c, 0, 1, "\xa0\x80\"}", 4);
    expect_closed_with(&c, 1007);
    ws_close(&c);
    ss_wait_connections(&srv, 0);
    expect_metric("naxd_stream_closed_total{code=\"1007\"} 2");
    ss_stop(&srv);
}
END_TEST

START_TEST(binary_frames_close_1003)
{
    start(0, 0, 0, 0);
    ws_client c;
    ws_open(&c, srv.port, 0);
    ws_send_frame(&c, 2, 1, "{\"op\":\"ping\",\"id\":1}", 20);
    expect_closed_with(&c, 1003);
    ws_close(&c);
    /* lws itself refuses protocol violations with 1002: a reserved opcode */
    ws_open(&c, srv.port, 0);
    ws_send_frame(&c, 3, 1, "x", 1);
    expect_closed_with(&c, 1002);
    ws_close(&c);
    ss_stop(&srv);
}
END_TEST

START_TEST(too_many_ops_are_refused_then_closed_1008)
{
    start(0, 0, 1, 0); /* 1 op/s, a burst of 2 */
    ws_client c;
    ws_open(&c, srv.port, 0);
    /* a flood in one write: the server reads it all at once */
    unsigned char buf[40 * 64];
    size_t n = 0;
    for (int i = 1; i <= 40; i++) {
        char op[64];
        snprintf(op, sizeof(op), "{\"op\":\"ping\",\"id\":%d}", i);
        n += ws_frame(buf + n, sizeof(buf) - n, 1, 1, op, strlen(op));
    }
    ws_send_raw(&c, buf, n);
    int ok = 0, limited = 0;
    for (;;) {
        char *t = ws_recv_text(&c, 10000);
        if (!t)
            break;
        if (strstr(t, "\"ok\":true"))
            ok++;
        else if (strstr(t, "\"code\":\"rate_limited\""))
            limited++;
        else
            ck_abort_msg("unexpected %s", t);
        free(t);
    }
    ck_assert_int_ge(ok, 2);
    ck_assert_int_ge(limited, 1);
    ck_assert_int_lt(ok + limited, 40); /* closed before the flood was through */
    ck_assert(c.got_close);
    ck_assert_int_eq(c.close_code, 1008);
    ws_close(&c);
    ss_stop(&srv);
}
END_TEST

START_TEST(a_silent_client_is_pinged_then_closed_1001)
{
    start(0, 0, 0, 1); /* idle after 1 s: a ping at half of it */
    ws_client quiet, live;
    /* a client answering pings stays: wait for its third ping */
    ws_open(&live, srv.port, 0);
    live.stop_on_ping = 1;
    while (live.pings < 3) {
        int before = live.pings;
        char *t = ws_recv_text(&live, 5000);
        ck_assert_msg(t == NULL && !live.eof && !live.got_close && live.pings > before,
                      "live client: %s (pings %d/%d, eof %d, close %d)", t ? t : "-", live.pings,
                      before, live.eof, live.close_code);
    }
    live.stop_on_ping = 0;
    expect_quiet(&live, 1);
    ws_close(&live);
    /* one that does not is closed */
    ws_open(&quiet, srv.port, 0);
    quiet.auto_pong = 0;
    expect_closed_with(&quiet, 1001);
    ck_assert_int_ge(quiet.pings, 1);
    ws_close(&quiet);
    ss_wait_connections(&srv, 0);
    expect_metric("naxd_stream_closed_total{code=\"1001\"} 1");
    ss_stop(&srv);
}
END_TEST

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    Suite *s = suite_create("stream_limits");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, subscriptions_are_limited);
    tcase_add_test(tc, fragmented_messages_are_reassembled);
    tcase_add_test(tc, messages_over_the_frame_limit_close_1009);
    tcase_add_test(tc, invalid_utf8_closes_1007);
    tcase_add_test(tc, binary_frames_close_1003);
    tcase_add_test(tc, too_many_ops_are_refused_then_closed_1008);
    tcase_add_test(tc, a_silent_client_is_pinged_then_closed_1001);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

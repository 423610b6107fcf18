/* Fault injection (naxd --fault-injection): a dropped book update leaves a
 * visible gap, a corrupted checksum does not match, a stall answers nothing
 * for a while, close_all drops every connection without a close frame; and
 * shutting down with open connections. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream_test.h"

static stream_server srv;

static void setup(void)
{
    ss_start(&srv, NULL);
}

static void teardown(void)
{
    if (srv.h)
        ss_stop(&srv);
}

/* A client subscribed to book:BTC-AUD, its model book from the snapshot. */
static uint64_t subscribe_book(ws_client *c, model_book *book)
{
    ws_open(c, srv.port, 0);
    ws_send_text(c, "{\"op\":\"subscribe\",\"id\":1,\"channels\":[\"book:BTC-AUD\"]}");
    ck_assert_ptr_null(expect_ack(c, 1, NAX_STREAM_OP_SUBSCRIBE, 1));
    nax_stream_message *m = expect_on(c, "book:BTC-AUD", NAX_STREAM_MSG_SNAPSHOT);
    model_set(book, m->bids, m->bids_count, m->asks, m->asks_count);
    uint64_t seq = m->seq;
    nax_object_free(m);
    return seq;
}

static void reset_books(void)
{
    nax_book_level bids[] = {lv("100", "1"), lv("99", "2")};
    nax_book_level asks[] = {lv("101", "1")};
    ck_assert_int_eq(pub_reset(&srv, "BTC-AUD", 10, bids, 2, asks, 1), 0);
    ck_assert_int_eq(pub_reset(&srv, "ETH-AUD", 10, bids, 2, asks, 1), 0);
}

START_TEST(a_dropped_update_leaves_a_gap)
{
    reset_books();
    model_book book = {0};
    ws_client c;
    ck_assert_uint_eq(subscribe_book(&c, &book), 10);
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":2,\"channels\":[\"book:ETH-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 2, NAX_STREAM_OP_SUBSCRIBE, 1));
    nax_object_free(expect_on(&c, "book:ETH-AUD", NAX_STREAM_MSG_SNAPSHOT));
    naxd_stream_fault f = {"BTC-AUD", 1, 0, 0, 0};
    ck_assert_int_eq(pub_inject(&srv, &f), 0);
    nax_book_level a = lv("98", "1"), b = lv("97", "1");
    ck_assert_int_eq(pub_update(&srv, "ETH-AUD", 11, &a, 1, NULL, 0), 0); /* not aimed at */
    ck_assert_int_eq(pub_update(&srv, "BTC-AUD", 11, &a, 1, NULL, 0), 0); /* dropped */
    ck_assert_int_eq(pub_update(&srv, "BTC-AUD", 12, &b, 1, NULL, 0), 0);
    nax_stream_message *m = expect_on(&c, "book:ETH-AUD", NAX_STREAM_MSG_UPDATE);
    ck_assert_uint_eq(m->seq, 11);
    nax_object_free(m);
    m = expect_on(&c, "book:BTC-AUD", NAX_STREAM_MSG_UPDATE);
    ck_assert_uint_eq(m->seq, 12); /* 11 never came: a gap */
    /* the checksum is the server's book, which the client cannot match */
    model_apply(&book, 1, m->bids, m->bids_count);
    ck_assert_uint_ne(model_checksum(&book), m->checksum);
    nax_object_free(m);
    /* resubscribing heals it */
    ws_send_text(&c, "{\"op\":\"unsubscribe\",\"id\":3,\"channels\":[\"book:BTC-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 3, NAX_STREAM_OP_UNSUBSCRIBE, 1));
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":4,\"channels\":[\"book:BTC-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 4, NAX_STREAM_OP_SUBSCRIBE, 1));
    m = expect_on(&c, "book:BTC-AUD", NAX_STREAM_MSG_SNAPSHOT);
    ck_assert_uint_eq(m->seq, 12);
    ck_assert_uint_eq(m->bids_count, 4);
    nax_object_free(m);
    model_free(&book);
    ws_close(&c);
}
END_TEST

START_TEST(a_corrupted_checksum_does_not_match)
{
    reset_books();
    model_book book = {0};
    ws_client c;
    subscribe_book(&c, &book);
    naxd_stream_fault f = {NULL, 0, 1, 0, 0}; /* every pair */
    ck_assert_int_eq(pub_inject(&srv, &f), 0);
    nax_book_level a = lv("98", "1"), b = lv("97", "1");
    ck_assert_int_eq(pub_update(&srv, "BTC-AUD", 11, &a, 1, NULL, 0), 0);
    ck_assert_int_eq(pub_update(&srv, "BTC-AUD", 12, &b, 1, NULL, 0), 0);
    nax_stream_message *m = expect_on(&c, "book:BTC-AUD", NAX_STREAM_MSG_UPDATE);
    ck_assert_uint_eq(m->seq, 11);
    model_apply(&book, 1, m->bids, m->bids_count);
    ck_assert_uint_eq(model_checksum(&book) ^ 1u, m->checksum);
    nax_object_free(m);
    m = expect_on(&c, "book:BTC-AUD", NAX_STREAM_MSG_UPDATE);
    ck_assert_uint_eq(m->seq, 12);
    model_apply(&book, 1, m->bids, m->bids_count);
    ck_assert_uint_eq(model_checksum(&book), m->checksum); /* only the next one */
    nax_object_free(m);
    model_free(&book);
    ws_close(&c);
}
END_TEST

START_TEST(a_stall_answers_nothing_then_everything)
{
    ck_assert_int_eq(pub_ticker(&srv, "BTC-AUD", 1, "100"), 0);
    ws_client c;
    ws_open(&c, srv.port, 0);
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":1,\"channels\":[\"ticker:BTC-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 1, NAX_STREAM_OP_SUBSCRIBE, 1));
    nax_object_free(expect_on(&c, "ticker:BTC-AUD", NAX_STREAM_MSG_SNAPSHOT));
    naxd_stream_fault f = {NULL, 0, 0, 1500, 0};
    ck_assert_int_eq(pub_inject(&srv, &f), 0);
    int64_t stalled_at = test_now_ms();
    ws_send_text(&c, "{\"op\":\"ping\",\"id\":2}");
    ck_assert_int_eq(pub_ticker(&srv, "BTC-AUD", 2, "101"), 0);
    /* a connection opened during the stall is not stalled */
    ws_client fresh;
    ws_open(&fresh, srv.port, 0);
    expect_quiet(&fresh, 1);
    ws_close(&fresh);
    /* nothing from the stalled one during the stall */
    char *t = ws_recv_text(&c, 700);
    ck_assert_msg(t == NULL, "during the stall: %s", t);
    ck_assert(!c.eof && !c.got_close);
    /* then the queued update and the ping's ack */
    nax_stream_message *m = expect_on(&c, "ticker:BTC-AUD", NAX_STREAM_MSG_UPDATE);
    ck_assert_int_ge(test_now_ms() - stalled_at, 1000);
    nax_object_free(m);
    ck_assert_ptr_null(expect_ack(&c, 2, NAX_STREAM_OP_PING, 1));
    expect_quiet(&c, 3);
    ws_close(&c);
}
END_TEST

START_TEST(close_all_drops_connections_without_a_close_frame)
{
    ws_client a, b;
    ws_open(&a, srv.port, 0);
    ws_open(&b, srv.port, 0);
    expect_quiet(&a, 1);
    expect_quiet(&b, 1);
    naxd_stream_fault f = {NULL, 0, 0, 0, 1};
    ck_assert_int_eq(pub_inject(&srv, &f), 0);
    ck_assert(ws_wait_closed(&a, 10000));
    ck_assert(ws_wait_closed(&b, 10000));
    ck_assert_msg(!a.got_close && !b.got_close, "a close frame came");
    ck_assert(a.eof && b.eof);
    ss_wait_connections(&srv, 0);
    char *metrics = ss_metrics(&srv);
    ck_assert_msg(strstr(metrics, "naxd_stream_closed_total{code=\"1006\"} 2"), "%s", metrics);
    free(metrics);
    /* the server goes on */
    ws_close(&a);
    ws_open(&a, srv.port, 0);
    expect_quiet(&a, 2);
    ws_close(&a);
    ws_close(&b);
}
END_TEST

static void close_all(void *arg)
{
    naxd_stream_close_all(arg);
}

START_TEST(close_all_on_shutdown_says_going_away)
{
    ws_client a;
    ws_open(&a, srv.port, 0);
    expect_quiet(&a, 1);
    ss_call(&srv, close_all, srv.s);
    ck_assert(ws_wait_closed(&a, 10000));
    ck_assert(a.got_close);
    ck_assert_int_eq(a.close_code, 1001);
    ws_close(&a);
}
END_TEST

START_TEST(freeing_with_open_connections)
{
    nax_book_level bids[] = {lv("100", "1")};
    ck_assert_int_eq(pub_reset(&srv, "BTC-AUD", 1, bids, 1, NULL, 0), 0);
    ws_client c[3];
    for (int i = 0; i < 3; i++) {
        ws_open(&c[i], srv.port, 2048);
        ws_send_text(&c[i], "{\"op\":\"auth\",\"id\":1,\"token\":\"good\"}");
        ck_assert_ptr_null(expect_ack(&c[i], 1, NAX_STREAM_OP_AUTH, 1));
        ws_send_text(&c[i], "{\"op\":\"subscribe\",\"id\":2,\"channels\":[\"book:BTC-AUD\","
                            "\"orders\",\"trades:BTC-AUD\"]}");
        ck_assert_ptr_null(expect_ack(&c[i], 2, NAX_STREAM_OP_SUBSCRIBE, 1));
    }
    /* messages queued and unread, a stall and an expiry timer pending */
    for (int k = 0; k < 200; k++) {
        nax_book_level l = lv(k % 2 ? "99" : "98", "1.5");
        ck_assert_int_eq(pub_update(&srv, "BTC-AUD", 2 + (uint64_t)k, &l, 1, NULL, 0), 0);
        ck_assert_int_eq(pub_trade(&srv, "BTC-AUD", "t", "100"), 0);
    }
    naxd_stream_fault f = {NULL, 0, 0, 60000, 0};
    ck_assert_int_eq(pub_inject(&srv, &f), 0);
    ss_stop(&srv); /* http first (lws closes them), then the stream */
    for (int i = 0; i < 3; i++) {
        ck_assert(ws_wait_closed(&c[i], 10000));
        ws_close(&c[i]);
    }
}
END_TEST

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    Suite *s = suite_create("stream_faults");
    TCase *tc = tcase_create("faults");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, a_dropped_update_leaves_a_gap);
    tcase_add_test(tc, a_corrupted_checksum_does_not_match);
    tcase_add_test(tc, a_stall_answers_nothing_then_everything);
    tcase_add_test(tc, close_all_drops_connections_without_a_close_frame);
    tcase_add_test(tc, close_all_on_shutdown_says_going_away);
    tcase_add_test(tc, freeing_with_open_connections);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

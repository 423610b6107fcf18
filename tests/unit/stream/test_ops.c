/* Ops and acks, subscriptions and the snapshot that follows each, and the
 * book, ticker and trades channels against a real naxd_http. */
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
    ss_stop(&srv);
}

static void expect_code(char *code, const char *want)
{
    ck_assert_ptr_nonnull(code);
    ck_assert_str_eq(code, want);
    free(code);
}

START_TEST(every_op_gets_one_ack_with_its_id)
{
    ck_assert_int_eq(pub_ticker(&srv, "BTC-AUD", 3, "100.5"), 0);
    ws_client c;
    ws_open(&c, srv.port, 0);
    ws_send_text(&c, "{\"op\":\"ping\",\"id\":5}");
    ck_assert_ptr_null(expect_ack(&c, 5, NAX_STREAM_OP_PING, 1));
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":6,\"channels\":[\"ticker:BTC-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 6, NAX_STREAM_OP_SUBSCRIBE, 1));
    nax_stream_message *m = expect_on(&c, "ticker:BTC-AUD", NAX_STREAM_MSG_SNAPSHOT);
    nax_object_free(m);
    /* unsubscribing a channel never subscribed is fine */
    ws_send_text(&c, "{\"op\":\"unsubscribe\",\"id\":7,\"channels\":[\"book:ETH-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 7, NAX_STREAM_OP_UNSUBSCRIBE, 1));
    ws_send_text(&c, "{\"op\":\"auth\",\"id\":8,\"token\":\"nonsense\"}");
    expect_code(expect_ack(&c, 8, NAX_STREAM_OP_AUTH, 0), "invalid_token");
    /* ids are echoed whatever their size */
    ws_send_text(&c, "{\"op\":\"ping\",\"id\":9007199254740993}");
    ck_assert_ptr_null(expect_ack(&c, 9007199254740993ull, NAX_STREAM_OP_PING, 1));
    ws_close(&c);
}
END_TEST

START_TEST(subscribe_is_all_or_nothing)
{
    ck_assert_int_eq(pub_ticker(&srv, "BTC-AUD", 1, "100"), 0);
    ws_client c;
    ws_open(&c, srv.port, 0);
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":1,\"channels\":[\"ticker:BTC-AUD\","
                     "\"ticker:DOGE-AUD\"]}");
    char *t = next_text(&c);
    ck_assert_msg(strstr(t, "\"ok\":false") && strstr(t, "\"code\":\"unknown_channel\"") &&
                      strstr(t, "\"field\":\"channels[1]\""),
                  "%s", t);
    free(t);
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":2,\"channels\":[\"ticker:BTC-AUD\","
                     "\"book:btc-aud\"]}");
    t = next_text(&c);
    ck_assert_msg(strstr(t, "\"code\":\"invalid_request\"") &&
                      strstr(t, "\"field\":\"channels[1]\""),
                  "%s", t);
    free(t);
    ws_send_text(&c,
                 "{\"op\":\"subscribe\",\"id\":3,\"channels\":[\"ticker:BTC-AUD\",\"orders\"]}");
    t = next_text(&c);
    ck_assert_msg(strstr(t, "\"code\":\"auth_required\"") && strstr(t, "\"field\":\"channels[1]\""),
                  "%s", t);
    free(t);
    /* none of them subscribed the ticker: an update goes nowhere */
    ck_assert_int_eq(pub_ticker(&srv, "BTC-AUD", 2, "101"), 0);
    expect_quiet(&c, 4);
    /* and subscribing it now yields its snapshot, the latest ticker */
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":5,\"channels\":[\"ticker:BTC-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 5, NAX_STREAM_OP_SUBSCRIBE, 1));
    nax_stream_message *m = expect_on(&c, "ticker:BTC-AUD", NAX_STREAM_MSG_SNAPSHOT);
    ck_assert_uint_eq(m->seq, 2);
    ck_assert_ptr_nonnull(m->ticker);
    ck_assert_uint_eq(m->ticker->seq, 2);
    nax_object_free(m);
    ws_close(&c);
}
END_TEST

START_TEST(each_channel_starts_with_a_snapshot_after_the_ack)
{
    nax_book_level bids[] = {lv("97250.50", "0.01500000"), lv("97249.00", "1.25000000"),
                             lv("97200.00", "0.50000000")};
    nax_book_level asks[] = {lv("97251.00", "0.40000000"), lv("97260.10", "2.00000000")};
    ck_assert_int_eq(pub_reset(&srv, "BTC-AUD", 41, bids, 3, asks, 2), 0);
    ck_assert_int_eq(pub_ticker(&srv, "BTC-AUD", 12, "97250.50"), 0);
    ck_assert_int_eq(pub_trade(&srv, "BTC-AUD", "t1", "97250"), 0);
    ck_assert_int_eq(pub_trade(&srv, "BTC-AUD", "t2", "97251"), 0);
    ws_client c;
    ws_open(&c, srv.port, 0);
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":1,\"channels\":[\"ticker:BTC-AUD\","
                     "\"trades:BTC-AUD\",\"book:BTC-AUD\",\"trades:ETH-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 1, NAX_STREAM_OP_SUBSCRIBE, 1));
    nax_stream_message *m = expect_on(&c, "ticker:BTC-AUD", NAX_STREAM_MSG_SNAPSHOT);
    ck_assert_uint_eq(m->seq, 12);
    nax_object_free(m);
    m = expect_on(&c, "trades:BTC-AUD", NAX_STREAM_MSG_SNAPSHOT);
    ck_assert_uint_eq(m->trades_count, 2);
    ck_assert_str_eq(m->trades[0]->id, "t1"); /* oldest first */
    ck_assert_str_eq(m->trades[1]->id, "t2");
    ck_assert_uint_eq(m->seq, 3); /* 1 at start, +1 per trades message */
    nax_object_free(m);
    m = expect_on(&c, "book:BTC-AUD", NAX_STREAM_MSG_SNAPSHOT);
    ck_assert_uint_eq(m->seq, 41);
    ck_assert(m->has_checksum);
    ck_assert_uint_eq(m->checksum, 1284684486u); /* docs/asyncapi.yaml's worked example */
    model_book book = {0};
    model_set(&book, bids, 3, asks, 2);
    model_assert_equal(&book, m->bids, m->bids_count, m->asks, m->asks_count);
    model_free(&book);
    nax_object_free(m);
    m = expect_on(&c, "trades:ETH-AUD", NAX_STREAM_MSG_SNAPSHOT);
    ck_assert_uint_eq(m->trades_count, 0); /* empty, never absent */
    ck_assert_ptr_nonnull(m->trades);
    ck_assert_uint_eq(m->seq, 1);
    nax_object_free(m);
    /* a trade then arrives as the next seq */
    ck_assert_int_eq(pub_trade(&srv, "BTC-AUD", "t3", "97252"), 0);
    m = expect_on(&c, "trades:BTC-AUD", NAX_STREAM_MSG_UPDATE);
    ck_assert_uint_eq(m->seq, 4);
    ck_assert_uint_eq(m->trades_count, 1);
    ck_assert_str_eq(m->trades[0]->id, "t3");
    nax_object_free(m);
    /* subscribing again changes nothing: no second snapshot */
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":2,\"channels\":[\"book:BTC-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 2, NAX_STREAM_OP_SUBSCRIBE, 1));
    expect_quiet(&c, 3);
    ws_close(&c);
}
END_TEST

START_TEST(a_channel_without_state_takes_its_first_event_as_snapshot)
{
    ws_client c;
    ws_open(&c, srv.port, 0);
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":1,\"channels\":[\"ticker:XRP-AUD\","
                     "\"book:XRP-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 1, NAX_STREAM_OP_SUBSCRIBE, 1));
    expect_quiet(&c, 2);
    ck_assert_int_eq(pub_ticker(&srv, "XRP-AUD", 1, "0.9"), 0);
    nax_stream_message *m = expect_on(&c, "ticker:XRP-AUD", NAX_STREAM_MSG_SNAPSHOT);
    ck_assert_uint_eq(m->seq, 1);
    nax_object_free(m);
    ck_assert_int_eq(pub_ticker(&srv, "XRP-AUD", 2, "0.91"), 0);
    m = expect_on(&c, "ticker:XRP-AUD", NAX_STREAM_MSG_UPDATE);
    ck_assert_uint_eq(m->seq, 2);
    nax_object_free(m);
    /* a book update before any reset is refused; the reset is the snapshot */
    nax_book_level b = lv("0.9", "10");
    ck_assert_int_eq(pub_update(&srv, "XRP-AUD", 1, &b, 1, NULL, 0), NAX_EINVAL);
    ck_assert_int_eq(pub_reset(&srv, "XRP-AUD", 7, &b, 1, NULL, 0), 0);
    m = expect_on(&c, "book:XRP-AUD", NAX_STREAM_MSG_SNAPSHOT);
    ck_assert_uint_eq(m->seq, 7);
    ck_assert_uint_eq(m->bids_count, 1);
    ck_assert_uint_eq(m->asks_count, 0);
    nax_object_free(m);
    ws_close(&c);
}
END_TEST

/* A random level change around a mid price of 1000.00. */
static nax_book_level random_level(int bid)
{
    char price[32], qty[32];
    int ticks = rand() % 60;
    snprintf(price, sizeof(price), "%d.%02d", bid ? 999 - ticks / 4 : 1000 + ticks / 4,
             ticks % 4 * 25);
    if (rand() % 4 == 0)
        snprintf(qty, sizeof(qty), "0");
    else
        snprintf(qty, sizeof(qty), "%d.%03d", rand() % 10, rand() % 1000 + 1);
    return lv(price, qty);
}

typedef struct view_job {
    stream_server *ss;
    nax_book_level *vb, *va;
    size_t *vnb, *vna;
    uint64_t *vseq;
    uint32_t *vcrc;
    int rc;
} view_job;

static void do_view(void *arg)
{
    view_job *j = arg;
    size_t nb = 0, na = 0;
    j->rc = naxd_stream_book_view(j->ss->s, "ETH-AUD", 0, NULL, &nb, NULL, &na, NULL, NULL);
    if (j->rc || nb > 200 || na > 200) {
        j->rc = -1;
        return;
    }
    j->rc = naxd_stream_book_view(j->ss->s, "ETH-AUD", 0, j->vb, j->vnb, j->va, j->vna, j->vseq,
                                  j->vcrc);
}

START_TEST(book_updates_keep_a_rebuilt_book_in_step)
{
    srand(99);
    nax_book_level bids[] = {lv("999.00", "1.000"), lv("998.50", "2.000")};
    nax_book_level asks[] = {lv("1000.00", "1.500")};
    ck_assert_int_eq(pub_reset(&srv, "ETH-AUD", 100, bids, 2, asks, 1), 0);
    ws_client c;
    ws_open(&c, srv.port, 0);
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":1,\"channels\":[\"book:ETH-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 1, NAX_STREAM_OP_SUBSCRIBE, 1));
    nax_stream_message *m = expect_on(&c, "book:ETH-AUD", NAX_STREAM_MSG_SNAPSHOT);
    model_book book = {0};
    model_set(&book, m->bids, m->bids_count, m->asks, m->asks_count);
    uint64_t seq = m->seq;
    ck_assert_uint_eq(model_checksum(&book), m->checksum);
    nax_object_free(m);
    /* the same level written another way is the same level */
    nax_book_level same[] = {lv("999", "4.25")};
    ck_assert_int_eq(pub_update(&srv, "ETH-AUD", 101, same, 1, NULL, 0), 0);
    uint64_t server_seq = 101;
    for (int i = 0; i < 300; i++) {
        nax_book_level ub[3], ua[3];
        size_t nb = (size_t)(rand() % 3), na = (size_t)(rand() % 3);
        for (size_t k = 0; k < nb; k++)
            ub[k] = random_level(1);
        for (size_t k = 0; k < na; k++)
            ua[k] = random_level(0);
        ck_assert_int_eq(pub_update(&srv, "ETH-AUD", ++server_seq, ub, nb, ua, na), 0);
        if (i == 150) /* a gap is refused and changes nothing */
            ck_assert_int_eq(pub_update(&srv, "ETH-AUD", server_seq + 2, ub, nb, ua, na),
                             NAX_EINVAL);
    }
    for (uint64_t want = 101; want <= server_seq; want++) {
        m = expect_on(&c, "book:ETH-AUD", NAX_STREAM_MSG_UPDATE);
        ck_assert_uint_eq(m->seq, seq + 1);
        seq = m->seq;
        model_apply(&book, 1, m->bids, m->bids_count);
        model_apply(&book, 0, m->asks, m->asks_count);
        ck_assert(m->has_checksum);
        ck_assert_uint_eq(model_checksum(&book), m->checksum);
        if (want == 101) {
            ck_assert_uint_eq(book.nb, 2);
            ck_assert_int_eq(nax_decimal_cmp(&book.bids[0].quantity, &same[0].quantity), 0);
        }
        nax_object_free(m);
    }
    ck_assert_uint_eq(seq, server_seq);
    model_assert_equal(&book, book.bids, book.nb, book.asks, book.na);
    /* the rebuilt book is the stream's own view */
    nax_book_level vb[200], va[200];
    size_t vnb = 0, vna = 0;
    uint64_t vseq = 0;
    uint32_t vcrc = 0;
    view_job j = {&srv, vb, va, &vnb, &vna, &vseq, &vcrc, -1};
    ss_call(&srv, do_view, &j);
    ck_assert_int_eq(j.rc, 0);
    ck_assert_uint_eq(vseq, server_seq);
    model_assert_equal(&book, vb, vnb, va, vna);
    ck_assert_uint_eq(vcrc, model_checksum(&book));
    model_free(&book);
    expect_quiet(&c, 2);
    ws_close(&c);
}
END_TEST

START_TEST(frames_that_are_not_ops_are_answered)
{
    ws_client c;
    ws_open(&c, srv.port, 0);
    /* not JSON: an error about no channel */
    ws_send_text(&c, "hello");
    nax_stream_message *m = expect_message(&c);
    ck_assert_int_eq(m->type, NAX_STREAM_MSG_ERROR);
    ck_assert_ptr_null(m->channel);
    ck_assert_str_eq(m->error->code, "invalid_json");
    nax_object_free(m);
    /* op and id readable: an ack naming the field */
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":3}");
    char *t = next_text(&c);
    ck_assert_msg(strstr(t, "\"id\":3") && strstr(t, "\"ok\":false") &&
                      strstr(t, "\"code\":\"invalid_request\"") &&
                      strstr(t, "\"field\":\"channels\""),
                  "%s", t);
    free(t);
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":4,\"channels\":[]}");
    expect_code(expect_ack(&c, 4, NAX_STREAM_OP_SUBSCRIBE, 0), "invalid_request");
    ws_send_text(&c, "{\"op\":\"unsubscribe\",\"id\":5,\"channels\":[\"ticker:BTC-AUD\",7]}");
    t = next_text(&c);
    ck_assert_msg(strstr(t, "\"id\":5") && strstr(t, "\"field\":\"channels[1]\""), "%s", t);
    free(t);
    /* an unknown op, or no id: an error about no channel */
    ws_send_text(&c, "{\"op\":\"dance\",\"id\":6}");
    m = expect_message(&c);
    ck_assert_int_eq(m->type, NAX_STREAM_MSG_ERROR);
    ck_assert_ptr_null(m->channel);
    ck_assert_str_eq(m->error->code, "invalid_request");
    nax_object_free(m);
    ws_send_text(&c, "{\"op\":\"ping\"}");
    m = expect_message(&c);
    ck_assert_str_eq(m->error->code, "invalid_request");
    nax_object_free(m);
    ws_send_text(&c, "[1,2]");
    m = expect_message(&c);
    ck_assert_str_eq(m->error->code, "invalid_json");
    nax_object_free(m);
    /* an empty message too */
    ws_send_text(&c, "");
    m = expect_message(&c);
    ck_assert_int_eq(m->type, NAX_STREAM_MSG_ERROR);
    nax_object_free(m);
    /* and the connection goes on */
    expect_quiet(&c, 7);
    ws_close(&c);
}
END_TEST

START_TEST(unsubscribe_stops_a_channel_at_once)
{
    ck_assert_int_eq(pub_ticker(&srv, "BTC-AUD", 1, "100"), 0);
    ws_client c;
    ws_open(&c, srv.port, 0);
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":1,\"channels\":[\"ticker:BTC-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 1, NAX_STREAM_OP_SUBSCRIBE, 1));
    nax_object_free(expect_on(&c, "ticker:BTC-AUD", NAX_STREAM_MSG_SNAPSHOT));
    ck_assert_int_eq(pub_ticker(&srv, "BTC-AUD", 2, "101"), 0);
    nax_object_free(expect_on(&c, "ticker:BTC-AUD", NAX_STREAM_MSG_UPDATE));
    ws_send_text(&c, "{\"op\":\"unsubscribe\",\"id\":2,\"channels\":[\"ticker:BTC-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 2, NAX_STREAM_OP_UNSUBSCRIBE, 1));
    ck_assert_int_eq(pub_ticker(&srv, "BTC-AUD", 3, "102"), 0);
    expect_quiet(&c, 3);
    ws_send_text(&c, "{\"op\":\"unsubscribe\",\"id\":4,\"channels\":[\"ticker:BTC-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 4, NAX_STREAM_OP_UNSUBSCRIBE, 1));
    ws_close(&c);
}
END_TEST

START_TEST(many_subscribers_share_each_event)
{
    enum { N = 20 };
    ws_client c[N];
    for (int i = 0; i < N; i++) {
        ws_open(&c[i], srv.port, 0);
        ws_send_text(&c[i], "{\"op\":\"subscribe\",\"id\":1,\"channels\":[\"trades:ETH-AUD\"]}");
        ck_assert_ptr_null(expect_ack(&c[i], 1, NAX_STREAM_OP_SUBSCRIBE, 1));
        nax_object_free(expect_on(&c[i], "trades:ETH-AUD", NAX_STREAM_MSG_SNAPSHOT));
    }
    for (int k = 0; k < 50; k++) {
        char id[16];
        snprintf(id, sizeof(id), "x%d", k);
        ck_assert_int_eq(pub_trade(&srv, "ETH-AUD", id, "10"), 0);
    }
    for (int i = 0; i < N; i++) {
        for (int k = 0; k < 50; k++) {
            nax_stream_message *m = expect_on(&c[i], "trades:ETH-AUD", NAX_STREAM_MSG_UPDATE);
            ck_assert_uint_eq(m->seq, (uint64_t)k + 2);
            nax_object_free(m);
        }
        ws_close(&c[i]);
    }
    ss_wait_connections(&srv, 0);
    char *metrics = ss_metrics(&srv);
    ck_assert_msg(strstr(metrics, "naxd_stream_messages_total "), "%s", metrics);
    ck_assert_msg(strstr(metrics, "naxd_stream_connections 0"), "%s", metrics);
    free(metrics);
}
END_TEST

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    Suite *s = suite_create("stream_ops");
    TCase *tc = tcase_create("ops");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_op_gets_one_ack_with_its_id);
    tcase_add_test(tc, subscribe_is_all_or_nothing);
    tcase_add_test(tc, each_channel_starts_with_a_snapshot_after_the_ack);
    tcase_add_test(tc, a_channel_without_state_takes_its_first_event_as_snapshot);
    tcase_add_test(tc, book_updates_keep_a_rebuilt_book_in_step);
    tcase_add_test(tc, frames_that_are_not_ops_are_answered);
    tcase_add_test(tc, unsubscribe_stops_a_channel_at_once);
    tcase_add_test(tc, many_subscribers_share_each_event);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

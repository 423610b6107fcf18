/* Slow readers: a client that stops reading keeps the server's memory
 * bounded, gets a lagging notice and a fresh book snapshot, and one that
 * keeps lagging is closed (1008). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/internal.h"
#include "stream_test.h"

static stream_server srv;

enum { MAX_MSGS = 64, MAX_BYTES = 32768 };

static void start(unsigned int max_lagging)
{
    naxd_stream_limits lim;
    memset(&lim, 0, sizeof(lim));
    lim.max_queue_messages = MAX_MSGS;
    lim.max_queue_bytes = MAX_BYTES;
    lim.max_lagging = max_lagging;
    lim.idle_timeout_s = 600;
    ss_start(&srv, &lim);
}

typedef struct queue_probe {
    stream_server *ss;
    size_t conns, max_len, max_bytes, lagging_subs;
} queue_probe;

/* The largest queue of any connection, read on the app thread. */
static void probe(void *arg)
{
    queue_probe *p = arg;
    naxd_stream *s = p->ss->s;
    p->conns = s->nconns;
    for (naxd__conn *c = s->conns; c; c = c->next) {
        if (c->q_len > p->max_len)
            p->max_len = c->q_len;
        if (c->q_bytes > p->max_bytes)
            p->max_bytes = c->q_bytes;
        p->lagging_subs += c->resnaps;
    }
}

/* A batch of book updates; each moves one level by a tick. */
typedef struct batch {
    stream_server *ss;
    uint64_t *seq;
    int n, rc;
} batch;

static void publish_batch(void *arg)
{
    batch *b = arg;
    for (int i = 0; i < b->n && !b->rc; i++) {
        uint64_t seq = ++*b->seq;
        char price[32], qty[32];
        snprintf(price, sizeof(price), "%llu.00", (unsigned long long)(900 + seq % 40));
        snprintf(qty, sizeof(qty), "%llu.5", (unsigned long long)(seq % 7));
        nax_book_level l = lv(price, qty);
        b->rc = naxd_stream_book_update(b->ss->s, "BTC-AUD", seq, test_now_ms(), &l, 1, NULL, 0);
        nax_ticker t = {sizeof(t), "BTC-AUD", &l.price, NULL, NULL, l.quantity, seq, 1};
        if (!b->rc)
            b->rc = naxd_stream_ticker(b->ss->s, &t);
    }
}

START_TEST(a_reader_that_stops_loses_messages_not_memory)
{
    start(1000);
    nax_book_level bids[] = {lv("950", "1")};
    ck_assert_int_eq(pub_reset(&srv, "BTC-AUD", 1, bids, 1, NULL, 0), 0);
    ck_assert_int_eq(pub_ticker(&srv, "BTC-AUD", 1, "950"), 0);
    ws_client c;
    ws_open(&c, srv.port, 2048);
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":1,\"channels\":[\"book:BTC-AUD\","
                     "\"ticker:BTC-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 1, NAX_STREAM_OP_SUBSCRIBE, 1));
    nax_stream_message *m = expect_on(&c, "book:BTC-AUD", NAX_STREAM_MSG_SNAPSHOT);
    model_book book = {0};
    model_set(&book, m->bids, m->bids_count, m->asks, m->asks_count);
    uint64_t have = m->seq;
    nax_object_free(m);
    nax_object_free(expect_on(&c, "ticker:BTC-AUD", NAX_STREAM_MSG_SNAPSHOT));

    /* the client reads nothing while 6000 updates go out */
    uint64_t seq = 1;
    queue_probe worst = {&srv, 0, 0, 0, 0};
    for (int k = 0; k < 60; k++) {
        batch b = {&srv, &seq, 50, 0};
        ss_call(&srv, publish_batch, &b);
        ck_assert_int_eq(b.rc, 0);
        ss_call(&srv, probe, &worst);
        ck_assert_uint_eq(worst.conns, 1);
        /* bounded: control messages may take a little more than the limit */
        ck_assert_uint_le(worst.max_len, MAX_MSGS + 256);
        ck_assert_uint_le(worst.max_bytes, MAX_BYTES + 4096);
    }
    char *metrics = ss_metrics(&srv);
    ck_assert_msg(strstr(metrics, "naxd_stream_lagging_total ") &&
                      !strstr(metrics, "naxd_stream_lagging_total 0"),
                  "%s", metrics);
    free(metrics);

    /* now it reads: every lagging notice on the book is followed by a
     * snapshot, updates in between follow seq, and it ends at the server's
     * book */
    int lagged = 0, snapshots = 0, await_snapshot = 0;
    int64_t until = test_now_ms() + 30000;
    while (have != seq || await_snapshot) {
        ck_assert_msg(test_now_ms() < until, "stuck at seq %llu of %llu", (unsigned long long)have,
                      (unsigned long long)seq);
        m = expect_message(&c);
        if (strcmp(m->channel, "book:BTC-AUD") != 0) {
            nax_object_free(m);
            continue;
        }
        if (m->type == NAX_STREAM_MSG_LAGGING) {
            lagged++;
            await_snapshot = 1;
        } else if (m->type == NAX_STREAM_MSG_SNAPSHOT) {
            ck_assert_msg(await_snapshot, "a snapshot without a lagging notice");
            await_snapshot = 0;
            snapshots++;
            model_set(&book, m->bids, m->bids_count, m->asks, m->asks_count);
            have = m->seq;
            ck_assert_uint_eq(model_checksum(&book), m->checksum);
        } else {
            ck_assert_int_eq(m->type, NAX_STREAM_MSG_UPDATE);
            ck_assert_msg(!await_snapshot, "a book update between lagging and its snapshot");
            ck_assert_uint_eq(m->seq, have + 1);
            have = m->seq;
            model_apply(&book, 1, m->bids, m->bids_count);
            ck_assert_uint_eq(model_checksum(&book), m->checksum);
        }
        nax_object_free(m);
    }
    ck_assert_int_ge(lagged, 1);
    ck_assert_int_ge(snapshots, 1);
    /* and it is live again */
    nax_book_level up = lv("901.00", "3");
    ck_assert_int_eq(pub_update(&srv, "BTC-AUD", seq + 1, &up, 1, NULL, 0), 0);
    for (;;) {
        m = expect_message(&c);
        int done = strcmp(m->channel, "book:BTC-AUD") == 0;
        if (done) {
            ck_assert_int_eq(m->type, NAX_STREAM_MSG_UPDATE);
            ck_assert_uint_eq(m->seq, seq + 1);
        }
        nax_object_free(m);
        if (done)
            break;
    }
    model_free(&book);
    ws_close(&c);
    ss_stop(&srv);
}
END_TEST

START_TEST(a_reader_that_keeps_lagging_is_closed_1008)
{
    start(2);
    nax_book_level bids[] = {lv("950", "1")};
    ck_assert_int_eq(pub_reset(&srv, "BTC-AUD", 1, bids, 1, NULL, 0), 0);
    ws_client c;
    ws_open(&c, srv.port, 2048);
    /* a book waiting for its resnapshot gets no updates, the ticker goes on */
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":1,\"channels\":[\"book:BTC-AUD\","
                     "\"ticker:BTC-AUD\"]}");
    ck_assert_ptr_null(expect_ack(&c, 1, NAX_STREAM_OP_SUBSCRIBE, 1));
    nax_object_free(expect_on(&c, "book:BTC-AUD", NAX_STREAM_MSG_SNAPSHOT));
    uint64_t seq = 1;
    queue_probe p = {&srv, 1, 0, 0, 0};
    for (int k = 0; k < 4000 && p.conns; k++) {
        batch b = {&srv, &seq, 50, 0};
        ss_call(&srv, publish_batch, &b);
        ck_assert_int_eq(b.rc, 0);
        p.conns = 0;
        ss_call(&srv, probe, &p);
        ck_assert_uint_le(p.max_len, MAX_MSGS + 256);
    }
    /* closed: at once once writeable, else after the close grace */
    ss_wait_connections(&srv, 0);
    char *metrics = ss_metrics(&srv);
    ck_assert_msg(strstr(metrics, "naxd_stream_closed_total{code=\"1008\"} 1"), "%s", metrics);
    free(metrics);
    ck_assert(ws_wait_closed(&c, 10000));
    ws_close(&c);
    ss_stop(&srv);
}
END_TEST

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    Suite *s = suite_create("stream_lagging");
    TCase *tc = tcase_create("lagging");
    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, a_reader_that_stops_loses_messages_not_memory);
    tcase_add_test(tc, a_reader_that_keeps_lagging_is_closed_1008);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

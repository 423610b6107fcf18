/*
 * The local order book against naxd: a snapshot and the updates of a burst
 * of REST orders, cancels and trades build a book identical to GET
 * orderbook (levels, seq, checksum); readers on another thread always get a
 * consistent copy while updates flow; a book subscribed when already full
 * starts equal; the ticker and trades channels deliver too; the top of a
 * book fills no more than the caller's struct_size.
 */
#include <stddef.h>
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

/* Resting orders on both sides of 50000, some cancelled, then crossing ones. */
static void burst(int orders)
{
    char ids[64][64];
    unsigned int seed = 7;
    for (int i = 0; i < orders; i++) {
        char price[32], qty[32];
        int buy = i % 2 == 0;
        int ticks = 1 + (int)(rand_r(&seed) % 40);
        snprintf(price, sizeof price, "%d.%02d", buy ? 49990 - ticks : 50010 + ticks,
                 (int)(rand_r(&seed) % 100));
        snprintf(qty, sizeof qty, "0.%03d", 1 + (int)(rand_r(&seed) % 50));
        place_limit(buy ? buyer.client : seller.client, "BTC-AUD",
                    buy ? NAX_SIDE_BUY : NAX_SIDE_SELL, price, qty, ids[i % 64], sizeof ids[0]);
        if (i % 5 == 4) /* cancel the order before it */
            OK(nax_orders_cancel(i % 2 ? buyer.client : seller.client, ids[(i - 1) % 64], NULL));
    }
    /* Takers: each sweeps a level or two of the other side. */
    place_limit(buyer.client, "BTC-AUD", NAX_SIDE_BUY, "50030.00", "0.040", NULL, 0);
    place_limit(seller.client, "BTC-AUD", NAX_SIDE_SELL, "49970.00", "0.040", NULL, 0);
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

/* ---- a reader on another thread ---------------------------------------------------- */

typedef struct reader {
    nax_stream *s;
    volatile int stop;
    long copies, tops, inconsistent, missing;
} reader;

static void *read_books(void *arg)
{
    reader *rd = arg;
    while (!rd->stop) {
        nax_order_book *b = NULL;
        if (nax_stream_book_copy(rd->s, "BTC-AUD", 0, &b) != 0) {
            rd->missing++;
            continue;
        }
        rd->copies++;
        /* A consistent copy: sorted sides and the checksum of its own levels. */
        uint32_t crc = 0;
        nax_book_checksum(&crc, b->bids, b->bids_count, b->asks, b->asks_count);
        if (crc != b->checksum)
            rd->inconsistent++;
        for (size_t i = 1; i < b->bids_count; i++)
            if (nax_decimal_cmp(&b->bids[i - 1].price, &b->bids[i].price) <= 0)
                rd->inconsistent++;
        for (size_t i = 1; i < b->asks_count; i++)
            if (nax_decimal_cmp(&b->asks[i - 1].price, &b->asks[i].price) >= 0)
                rd->inconsistent++;
        nax_book_top top = {sizeof top};
        if (nax_stream_book_top(rd->s, "BTC-AUD", &top) == 0) {
            rd->tops++;
            if (top.has_bid != (top.bid_levels > 0) || top.has_ask != (top.ask_levels > 0))
                rd->inconsistent++;
        }
        nax_object_free(b);
    }
    return NULL;
}

static int book_gone(void *arg)
{
    nax_book_top top = {sizeof top};
    return nax_stream_book_top(arg, "BTC-AUD", &top) == NAX_ENOTFOUND;
}

START_TEST(book_matches_server_after_a_burst)
{
    recorder *r = rec_new();
    nax_stream *s = stream_for(&srv, NULL, r, NAX_STREAM_MODE_THREAD, NULL);
    const char *ch[] = {"book:BTC-AUD", "ticker:BTC-AUD", "trades:BTC-AUD"};
    subscribe_or_fail(s, ch, 3);
    OK(nax_stream_start(s));
    ck_assert_int_ge(
        rec_wait_event(r, NULL, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    ck_assert_int_eq(nax_stream_state_get(s), NAX_STREAM_LIVE);
    /* The empty book's snapshot, the first ticker and the (empty) trades snapshot. */
    ck_assert_uint_ge(rec_count(r, REC_TICKER, "BTC-AUD", NAX_STREAM_F_SNAPSHOT), 1);
    nax_book_top top = {sizeof top};
    OK(nax_stream_book_top(s, "BTC-AUD", &top));
    ck_assert_int_eq(top.live, 1);

    reader rd = {s, 0, 0, 0, 0, 0};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, read_books, &rd), 0);
    burst(40);
    equal_arg e = {s, ""};
    int equal = rec_wait_until(r, NULL, is_equal, &e, 10000);
    rd.stop = 1;
    pthread_join(t, NULL);
    ck_assert_msg(equal, "the local book differs from the server's: %s", e.why);
    ck_assert_int_eq(rd.inconsistent, 0);
    ck_assert_int_gt(rd.copies, 0);
    ck_assert_int_gt(rd.tops, 0);

    /* The two takers traded: public trades arrived, not flagged as snapshot. */
    ck_assert(rec_wait_count(r, NULL, REC_TRADE, NULL, 0, 2, 5000));
    ck_assert_uint_ge(rec_count_exact(r, REC_TRADE, NULL, 0), 2);
    ck_assert_uint_gt(rec_count_exact(r, REC_TICKER, "BTC-AUD", 0), 0);
    ck_assert_uint_gt(rec_count(r, REC_BOOK, "BTC-AUD", 0), 40);
    /* No fault: no resync, no reconnect. */
    ck_assert_int_lt(rec_find(r, 0, NAX_STREAM_RESYNCING, -1, NULL), 0);
    ck_assert_int_lt(rec_find(r, 0, NAX_STREAM_RECONNECTING, -1, NULL), 0);
    nax_stream_stats st = {sizeof st};
    OK(nax_stream_stats_get(s, &st));
    ck_assert_uint_eq(st.connects, 1);
    ck_assert_uint_eq(st.gaps, 0);
    ck_assert_uint_eq(st.checksum_mismatches, 0);
    ck_assert_uint_gt(st.messages, 40);
    ck_assert_uint_gt(st.bytes, st.messages);

    /* Depth-limited copies: the best levels only. */
    nax_order_book *b = NULL;
    OK(nax_stream_book_copy(s, "BTC-AUD", 3, &b));
    ck_assert_uint_le(b->bids_count, 3);
    ck_assert_uint_le(b->asks_count, 3);
    ck_assert_str_eq(b->pair, "BTC-AUD");
    OK(nax_stream_book_top(s, "BTC-AUD", &top));
    ck_assert_int_eq(nax_decimal_cmp(&top.bid.price, &b->bids[0].price), 0);
    ck_assert_int_eq(nax_decimal_cmp(&top.ask.price, &b->asks[0].price), 0);
    nax_object_free(b);

    /* Unsubscribed: the book is gone for readers. */
    const char *book[] = {"book:BTC-AUD"};
    OK(nax_stream_unsubscribe(s, book, 1));
    ck_assert(rec_wait_until(r, NULL, book_gone, s, 5000));

    stream_free(s);
    ck_assert_int_ge(rec_find(r, 0, NAX_STREAM_CLOSED, NAX_STREAM_REASON_STOPPED, NULL), 0);
}
END_TEST

START_TEST(full_book_at_subscribe)
{
    burst(30);
    recorder *r = rec_new();
    nax_stream *s = stream_for(&srv, NULL, r, NAX_STREAM_MODE_THREAD, NULL);
    const char *ch[] = {"book:BTC-AUD", "trades:BTC-AUD"};
    subscribe_or_fail(s, ch, 2);
    OK(nax_stream_start(s));
    ck_assert_int_ge(
        rec_wait_event(r, NULL, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    equal_arg e = {s, ""};
    ck_assert_msg(rec_wait_until(r, NULL, is_equal, &e, 5000), "differs: %s", e.why);
    /* The first book change was the snapshot; the recent trades came as a snapshot. */
    ck_assert_uint_ge(rec_count(r, REC_BOOK, "BTC-AUD", 0), 1);
    pthread_mutex_lock(&r->lock);
    size_t first = 0;
    while (first < r->nitems && r->items[first].kind != REC_BOOK)
        first++;
    ck_assert_uint_lt(first, r->nitems);
    ck_assert_int_eq(r->items[first].snapshot, 1);
    pthread_mutex_unlock(&r->lock);
    ck_assert_uint_ge(rec_count(r, REC_TRADE, NULL, NAX_STREAM_F_SNAPSHOT), 2);
    stream_free(s);
}
END_TEST

/* nax_stream_book_top() writes no more than out->struct_size bytes: a caller
 * built against a smaller nax_book_top keeps the bytes after it. */
START_TEST(book_top_fills_only_the_callers_size)
{
    place_limit(buyer.client, "BTC-AUD", NAX_SIDE_BUY, "49000.00", "0.01", NULL, 0);
    recorder *r = rec_new();
    nax_stream *s = stream_for(&srv, NULL, r, NAX_STREAM_MODE_THREAD, NULL);
    const char *ch[] = {"book:BTC-AUD"};
    subscribe_or_fail(s, ch, 1);
    OK(nax_stream_start(s));
    ck_assert_int_ge(
        rec_wait_event(r, NULL, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    nax_book_top full = {sizeof full};
    OK(nax_stream_book_top(s, "BTC-AUD", &full));
    ck_assert_int_eq(full.has_bid, 1);
    ck_assert_uint_eq(full.struct_size, sizeof full);

    size_t small = offsetof(nax_book_top, bid_levels);
    union {
        nax_book_top top;
        unsigned char bytes[sizeof(nax_book_top) + 16];
    } buf;
    memset(&buf, 0xab, sizeof buf);
    buf.top.struct_size = small;
    OK(nax_stream_book_top(s, "BTC-AUD", &buf.top));
    ck_assert_uint_eq(buf.top.struct_size, small);
    ck_assert_uint_eq(buf.top.seq, full.seq);
    ck_assert_int_eq(buf.top.has_bid, 1);
    EXPECT_DEC(&buf.top.bid.price, "49000");
    for (size_t i = small; i < sizeof buf.bytes; i++)
        ck_assert_msg(buf.bytes[i] == 0xab, "byte %zu of %zu written", i, small);
    /* Less than the best bid and ask: refused, nothing written. */
    memset(&buf, 0xab, sizeof buf);
    buf.top.struct_size = offsetof(nax_book_top, ask);
    EXPECT_ERROR(nax_stream_book_top(s, "BTC-AUD", &buf.top), NAX_EVERSION, 0, NULL, "struct_size");
    for (size_t i = sizeof buf.top.struct_size; i < sizeof buf.bytes; i++)
        ck_assert_uint_eq(buf.bytes[i], 0xab);
    stream_free(s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("stream_book");
    TCase *tc = tcase_create("book");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, book_matches_server_after_a_burst);
    tcase_add_test(tc, full_book_at_subscribe);
    tcase_add_test(tc, book_top_fills_only_the_callers_size);
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

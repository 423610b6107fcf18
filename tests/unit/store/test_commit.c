/* Committing: visibility on the reader, callback order, group commit, the
 * per-commit batch limit, barriers, flushing on close, reopening, counters
 * and the reader's statement cache. */
#include <stdio.h>
#include <string.h>

#include "store_test.h"

static char *dir;

static void setup(void)
{
    dir = tmp_dir_new();
    outcomes_reset();
    observer_reset();
}

static void teardown(void)
{
    tmp_dir_remove(dir);
    dir = NULL;
}

static const char insert_trade[] =
    "INSERT INTO trades(id, pair, price, quantity, taker_side, maker_order, taker_order, ts)"
    " VALUES(?, 'BTC-AUD', ?, '0.5', 1, 1, 2, 0)";

static naxd_batch *trade_batch(int64_t id)
{
    naxd_batch *b = naxd_batch_new();
    ck_assert_ptr_nonnull(b);
    char price[32];
    snprintf(price, sizeof price, "%lld.00", (long long)(50000 + id));
    ck_assert_int_eq(naxd_batch_sql(b, insert_trade, "it", id, price), 0);
    return b;
}

static void assert_in_order(size_t n)
{
    ck_assert_uint_eq(rec.n, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(rec.tag[i], (intptr_t)i);
        ck_assert_msg(rec.status[i] == 0, "batch %zu: status %d", i, rec.status[i]);
    }
}

START_TEST(a_committed_batch_is_visible_to_the_reader)
{
    naxd_store *s = open_store(dir, 0);
    ck_assert_int_eq(count_rows(s, "trades"), 0);
    submit_ok(s, trade_batch(1), 0);
    app_wait_outcomes(1);
    assert_in_order(1);
    ck_assert_uint_eq(naxd_store_pending(s), 0);
    sqlite3_stmt *st = naxd_store_query(s, "SELECT price FROM trades WHERE id = ?");
    ck_assert_int_eq(sqlite3_bind_int64(st, 1, 1), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "50001.00");
    sqlite3_reset(st);
    observed o = observer_get();
    ck_assert_uint_eq(o.transactions, 1);
    ck_assert_uint_eq(o.batches, 1);
    ck_assert_uint_eq(o.negative_durations, 0);
    naxd_store_close(s);
}
END_TEST

START_TEST(callbacks_run_in_submission_order)
{
    naxd_store *s = open_store(dir, 0);
    for (int i = 0; i < 300; i++) {
        naxd_batch *b = trade_batch(i + 1);
        if (i % 7 == 3)
            ck_assert_int_eq(naxd_batch_audit(b, i, "system", "trade", NULL, "{}", NULL), 0);
        submit_ok(s, b, i);
    }
    app_wait_outcomes(300);
    assert_in_order(300);
    ck_assert_uint_eq(naxd_store_pending(s), 0);
    ck_assert_int_eq(count_rows(s, "trades"), 300);
    naxd_store_close(s);
}
END_TEST

START_TEST(group_commit_puts_many_batches_in_one_transaction)
{
    naxd_store *s = open_store(dir, 0);
    /* Hold the writer after its first transaction so the rest queue up. */
    observer_hold();
    for (int i = 0; i < 1000; i++) {
        submit_ok(s, trade_batch(i + 1), i);
        if (i == 0)
            observer_wait_held();
    }
    ck_assert_uint_ge(naxd_store_pending(s), 999);
    observer_release();
    app_wait_outcomes(1000);
    assert_in_order(1000);
    observed o = observer_get();
    ck_assert_uint_eq(o.batches, 1000);
    ck_assert_uint_lt(o.transactions, 1000);
    ck_assert_uint_eq(o.transactions, 2); /* the first alone, then all 999 together */
    ck_assert_uint_eq(o.max_batches, 999);
    ck_assert_int_eq(count_rows(s, "trades"), 1000);
    naxd_store_close(s);
}
END_TEST

START_TEST(a_commit_takes_at_most_max_batches)
{
    naxd_store *s = open_store(dir, 100);
    observer_hold();
    for (int i = 0; i < 1000; i++) {
        submit_ok(s, trade_batch(i + 1), i);
        if (i == 0)
            observer_wait_held();
    }
    observer_release();
    app_wait_outcomes(1000);
    assert_in_order(1000);
    observed o = observer_get();
    ck_assert_uint_eq(o.batches, 1000);
    ck_assert_uint_eq(o.transactions, 11); /* 1, then 999 in tens of 100 */
    ck_assert_uint_eq(o.max_batches, 100);
    naxd_store_close(s);
}
END_TEST

START_TEST(an_empty_batch_is_a_barrier)
{
    naxd_store *s = open_store(dir, 0);
    /* Alone on an idle store: reported without a transaction. */
    naxd_batch *barrier = naxd_batch_new();
    ck_assert(naxd_batch_empty(barrier));
    submit_ok(s, barrier, 0);
    app_wait_outcomes(1);
    ck_assert_int_eq(rec.status[0], 0);
    ck_assert_uint_eq(observer_get().transactions, 0);

    /* Behind work: reported after it, in order, in the same flow. */
    observer_hold();
    submit_ok(s, trade_batch(1), 1);
    observer_wait_held();
    submit_ok(s, trade_batch(2), 2);
    submit_ok(s, naxd_batch_new(), 3);
    submit_ok(s, trade_batch(3), 4);
    submit_ok(s, naxd_batch_new(), 5);
    observer_release();
    app_wait_outcomes(6);
    assert_in_order(6);
    /* Both trades 2 and 3 were durable when the barrier after them reported. */
    ck_assert_int_eq(count_rows(s, "trades"), 3);
    naxd_store_close(s);
}
END_TEST

START_TEST(close_flushes_everything_submitted)
{
    naxd_store *s = open_store(dir, 0);
    for (int i = 0; i < 200; i++)
        submit_ok(s, trade_batch(i + 1), i);
    naxd_store_close(s); /* without servicing the app loop first */
    /* Every callback was posted before close returned. */
    ck_assert_uint_eq(app_run_posted(), 200);
    assert_in_order(200);

    s = open_store(dir, 0);
    ck_assert_int_eq(count_rows(s, "trades"), 200);
    naxd_store_close(s);
}
END_TEST

START_TEST(reopen_sees_all_committed_data)
{
    naxd_store *s = open_store(dir, 0);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 50; i++)
            submit_ok(s, trade_batch(round * 50 + i + 1), round * 50 + i);
        app_wait_outcomes((size_t)(round + 1) * 50);
        naxd_store_close(s);
        s = open_store(dir, 0);
        ck_assert_int_eq(count_rows(s, "trades"), (round + 1) * 50);
    }
    assert_in_order(150);
    sqlite3_stmt *st = naxd_store_query(s, "SELECT SUM(id) FROM trades");
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int64(st, 0), 150 * 151 / 2);
    sqlite3_reset(st);
    naxd_store_close(s);
}
END_TEST

START_TEST(counters_survive_reopen)
{
    naxd_store *s = open_store(dir, 0);
    uint64_t v = 99;
    ck_assert_int_eq(naxd_store_counter_load(s, "order_id", &v), 0);
    ck_assert_uint_eq(v, 0); /* never written */
    ck_assert_int_eq(put_counter(s, "order_id", 41), 0);
    ck_assert_int_eq(put_counter(s, "order_id", 42), 0); /* upsert */
    ck_assert_int_eq(put_counter(s, "trade_id", 1000000000007ull), 0);
    ck_assert_int_eq(naxd_store_counter_load(s, "order_id", &v), 0);
    ck_assert_uint_eq(v, 42);
    naxd_store_close(s);

    s = open_store(dir, 0);
    ck_assert_int_eq(naxd_store_counter_load(s, "order_id", &v), 0);
    ck_assert_uint_eq(v, 42);
    ck_assert_int_eq(naxd_store_counter_load(s, "trade_id", &v), 0);
    ck_assert(v == 1000000000007ull);
    ck_assert_int_eq(naxd_store_counter_load(s, NULL, &v), NAX_EINVAL);
    naxd_store_close(s);
}
END_TEST

START_TEST(queries_are_cached_by_sql_pointer)
{
    static const char q[] = "SELECT COUNT(*) FROM trades WHERE id > ?";
    naxd_store *s = open_store(dir, 0);
    sqlite3_stmt *a = naxd_store_query(s, q);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(sqlite3_bind_int64(a, 1, 5), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(a), SQLITE_ROW); /* left mid-result on purpose */
    sqlite3_stmt *b = naxd_store_query(s, q);
    ck_assert_ptr_eq(a, b);
    /* Handed back reset with its bindings cleared: NULL matches nothing. */
    ck_assert_int_eq(sqlite3_step(b), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(b, 0), 0);
    sqlite3_reset(b);
    /* Writes are refused on the reader; bad SQL reports an error. */
    ck_assert_ptr_null(naxd_store_query(s, "SELEC nonsense"));
    ck_assert_int_ne(nax_error_last()->code, 0);
    ck_assert_ptr_null(naxd_store_query(s, "SELECT 1; SELECT 2"));
    ck_assert_int_eq(nax_error_last()->code, NAX_EINVAL);
    sqlite3_stmt *w = naxd_store_query(s, "DELETE FROM trades");
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(sqlite3_step(w), SQLITE_READONLY);
    sqlite3_reset(w);
    naxd_store_close(s);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("store_commit");
    TCase *tc = tcase_create("commit");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, a_committed_batch_is_visible_to_the_reader);
    tcase_add_test(tc, callbacks_run_in_submission_order);
    tcase_add_test(tc, group_commit_puts_many_batches_in_one_transaction);
    tcase_add_test(tc, a_commit_takes_at_most_max_batches);
    tcase_add_test(tc, an_empty_batch_is_a_barrier);
    tcase_add_test(tc, close_flushes_everything_submitted);
    tcase_add_test(tc, reopen_sees_all_committed_data);
    tcase_add_test(tc, counters_survive_reopen);
    tcase_add_test(tc, queries_are_cached_by_sql_pointer);
    suite_add_tcase(suite, tc);
    return run_suite(suite);
}

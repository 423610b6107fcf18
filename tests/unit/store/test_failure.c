/* Failures: a failing transaction fails every batch in it and every batch
 * queued behind it, the store refuses work until probed and resumed, nothing
 * of the failed batches is visible, and the same holds for simulated I/O
 * errors, constraint violations and a real SQLITE_FULL. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_test.h"

static char *dir;

/* ---- log capture (the writer thread logs why a commit failed) ---- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_text[16384];

static void capture_log(nax_log_level level, const char *message, void *ud)
{
    (void)level;
    (void)ud;
    pthread_mutex_lock(&log_lock);
    size_t used = strlen(log_text);
    snprintf(log_text + used, sizeof log_text - used, "%s\n", message);
    pthread_mutex_unlock(&log_lock);
}

static int logged(const char *needle)
{
    pthread_mutex_lock(&log_lock);
    int found = strstr(log_text, needle) != NULL;
    pthread_mutex_unlock(&log_lock);
    return found;
}

static void setup(void)
{
    dir = tmp_dir_new();
    outcomes_reset();
    observer_reset();
    log_text[0] = '\0';
    ck_assert_int_eq(nax_log_set(capture_log, NAX_LOG_WARN, NULL), 0);
}

static void teardown(void)
{
    nax_log_set(NULL, NAX_LOG_OFF, NULL);
    tmp_dir_remove(dir);
    dir = NULL;
}

static const char insert_trade[] =
    "INSERT INTO trades(id, pair, price, quantity, taker_side, maker_order, taker_order, ts)"
    " VALUES(?, 'BTC-AUD', '1', '1', 1, 1, 2, 0)";

static naxd_batch *trade_batch(int64_t id)
{
    naxd_batch *b = naxd_batch_new();
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(naxd_batch_sql(b, insert_trade, "i", id), 0);
    return b;
}

static void expect(size_t i, intptr_t tag, int status)
{
    ck_assert_uint_gt(rec.n, i);
    ck_assert_int_eq(rec.tag[i], tag);
    ck_assert_msg(rec.status[i] == status, "outcome %zu (tag %ld): %d, expected %d", i, (long)tag,
                  rec.status[i], status);
}

static int submit_and_wait(naxd_store *s, naxd_batch *b)
{
    size_t before = rec.n;
    submit_ok(s, b, 100 + (intptr_t)before);
    app_wait_outcomes(before + 1);
    return rec.status[before];
}

START_TEST(a_failed_transaction_fails_everything_queued_behind_it)
{
    naxd_store *s = open_store(dir, 2); /* two batches per transaction */
    observer_hold();
    submit_ok(s, trade_batch(1), 0);
    observer_wait_held();
    submit_ok(s, trade_batch(2), 1); /* in the failing transaction */
    naxd_batch *bad = trade_batch(3);
    naxd_batch_fail_commit(bad);
    submit_ok(s, bad, 2);
    submit_ok(s, trade_batch(4), 3);   /* queued behind it */
    submit_ok(s, naxd_batch_new(), 4); /* a barrier behind it */
    observer_release();
    app_wait_outcomes(5);
    expect(0, 0, 0);
    for (int i = 1; i <= 4; i++)
        expect((size_t)i, i, NAX_EIO);
    ck_assert_int_eq(naxd_store_get_state(s), NAXD_STORE_FAILED);
    ck_assert_uint_eq(naxd_store_pending(s), 0);
    ck_assert_int_eq(count_rows(s, "trades"), 1);
    ck_assert_uint_eq(observer_get().transactions, 2); /* batches queued behind never ran */
    ck_assert(logged("fault injection"));

    /* While failed: refused through the callback, in order. */
    submit_ok(s, trade_batch(5), 5);
    submit_ok(s, naxd_batch_new(), 6);
    app_wait_outcomes(7);
    expect(5, 5, NAX_EUNAVAILABLE);
    expect(6, 6, NAX_EUNAVAILABLE);
    ck_assert_int_eq(count_rows(s, "trades"), 1);
    ck_assert_uint_eq(observer_get().transactions, 2);

    /* Probe, then resume: writes flow again. */
    ck_assert_int_eq(naxd_store_probe(s), 0);
    ck_assert_int_eq(naxd_store_get_state(s), NAXD_STORE_FAILED); /* until resumed */
    naxd_store_resume(s);
    ck_assert_int_eq(naxd_store_get_state(s), NAXD_STORE_OK);
    ck_assert_int_eq(submit_and_wait(s, trade_batch(2)), 0);
    ck_assert_int_eq(count_rows(s, "trades"), 2);
    naxd_store_close(s);
}
END_TEST

/* A handler that runs out of memory on its first statement hands over an
 * empty batch marked to fail: its change is already in the app's memory, so
 * the commit must fail (and naxd reload) rather than report success. */
START_TEST(an_empty_batch_marked_to_fail_fails_the_commit)
{
    naxd_store *s = open_store(dir, 1);
    naxd_batch *empty = naxd_batch_new();
    ck_assert_ptr_nonnull(empty);
    naxd_batch_fail_commit(empty);
    ck_assert_int_eq(submit_and_wait(s, empty), NAX_EIO);
    ck_assert_int_eq(naxd_store_get_state(s), NAXD_STORE_FAILED);
    ck_assert_int_eq(naxd_store_probe(s), 0);
    naxd_store_resume(s);
    ck_assert_int_eq(submit_and_wait(s, naxd_batch_new()), 0); /* a plain empty one commits */
    ck_assert_int_eq(submit_and_wait(s, trade_batch(1)), 0);
    ck_assert_int_eq(count_rows(s, "trades"), 1);
    naxd_store_close(s);
}
END_TEST

START_TEST(simulated_io_errors_fail_commits_and_probes)
{
    naxd_store *s = open_store(dir, 0);
    ck_assert_int_eq(submit_and_wait(s, trade_batch(1)), 0);
    naxd_store_test_fail_next_commits(s, 2);
    ck_assert_int_eq(submit_and_wait(s, trade_batch(2)), NAX_EIO);
    ck_assert_int_eq(naxd_store_get_state(s), NAXD_STORE_FAILED);
    ck_assert(logged("simulated disk I/O error"));
    /* The disk still fails: the probe reports it and the store stays failed. */
    ck_assert_int_eq(naxd_store_probe(s), NAX_EIO);
    ck_assert_int_eq(nax_error_last()->code, NAX_EIO);
    ck_assert_ptr_nonnull(strstr(nax_error_last()->message, "probe failed"));
    ck_assert_int_eq(naxd_store_get_state(s), NAXD_STORE_FAILED);
    ck_assert_int_eq(count_rows(s, "health_probe"), 0);
    ck_assert_int_eq(naxd_store_probe(s), 0);
    ck_assert_int_eq(count_rows(s, "health_probe"), 1);
    naxd_store_resume(s);
    ck_assert_int_eq(count_rows(s, "trades"), 1);
    ck_assert_int_eq(submit_and_wait(s, trade_batch(2)), 0);
    ck_assert_int_eq(count_rows(s, "trades"), 2);
    naxd_store_close(s);
}
END_TEST

START_TEST(a_constraint_violation_fails_the_whole_transaction)
{
    naxd_store *s = open_store(dir, 0);
    naxd_batch *b = trade_batch(1);
    ck_assert_int_eq(naxd_batch_audit(b, 1, "system", "trade", NULL, "{\"id\":1}", "r1"), 0);
    ck_assert_int_eq(submit_and_wait(s, b), 0);

    /* The duplicate id comes after a good statement and an audit record. */
    observer_hold();
    submit_ok(s, trade_batch(2), 0);
    observer_wait_held();
    naxd_batch *good = trade_batch(3);
    ck_assert_int_eq(naxd_batch_audit(good, 3, "system", "trade", NULL, "{\"id\":3}", "r3"), 0);
    submit_ok(s, good, 1);
    naxd_batch *dup = trade_batch(4);
    ck_assert_int_eq(naxd_batch_sql(dup, insert_trade, "i", (int64_t)1), 0);
    submit_ok(s, dup, 2);
    observer_release();
    app_wait_outcomes(rec.n + 3);
    ck_assert_int_eq(rec.status[rec.n - 3], 0);
    ck_assert_int_eq(rec.status[rec.n - 2], NAX_EIO);
    ck_assert_int_eq(rec.status[rec.n - 1], NAX_EIO);
    ck_assert(logged("UNIQUE constraint failed"));
    ck_assert_int_eq(count_rows(s, "trades"), 2);
    ck_assert_int_eq(count_rows(s, "audit"), 1);

    /* The in-memory audit head was rolled back too: the next record is seq 2. */
    ck_assert_int_eq(naxd_store_probe(s), 0);
    naxd_store_resume(s);
    b = trade_batch(3);
    ck_assert_int_eq(naxd_batch_audit(b, 3, "system", "trade", NULL, "{\"id\":3}", "r3"), 0);
    ck_assert_int_eq(submit_and_wait(s, b), 0);
    sqlite3_stmt *st = naxd_store_query(s, "SELECT MAX(seq), COUNT(*) FROM audit");
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), 2);
    ck_assert_int_eq(sqlite3_column_int(st, 1), 2);
    sqlite3_reset(st);
    naxd_store_close(s);
    uint64_t count = 0, bad = 0;
    ck_assert_int_eq(naxd_store_verify_audit(dir, &count, &bad), 0);
    ck_assert_uint_eq(count, 2);
}
END_TEST

static naxd_batch *big_batch(const char *key, size_t size)
{
    static const char insert_idem[] =
        "INSERT INTO idempotency(scope, key, body_hash, status, response, created_at)"
        " VALUES('test', ?, 'h', 200, ?, 0)";
    char *blob = malloc(size);
    ck_assert_ptr_nonnull(blob);
    for (size_t i = 0; i < size; i++)
        blob[i] = (char)(i * 31 + 7);
    naxd_batch *b = naxd_batch_new();
    ck_assert_int_eq(naxd_batch_sql(b, insert_idem, "tb", key, blob, size), 0);
    free(blob);
    return b;
}

START_TEST(a_full_disk_fails_the_commit_and_changes_nothing)
{
    naxd_store *s = open_store(dir, 0);
    ck_assert_int_eq(submit_and_wait(s, big_batch("before", 1000)), 0);
    /* Cap the database at its current size: any new page is a full disk. */
    ck_assert_int_eq(naxd_store_test_set_max_pages(s, 1), 0);
    naxd_batch *b = big_batch("huge", 256 * 1024);
    ck_assert_int_eq(naxd_batch_audit(b, 1, "system", "big", NULL, NULL, NULL), 0);
    ck_assert_int_eq(submit_and_wait(s, b), NAX_EIO);
    ck_assert(logged("full")); /* SQLite's "database or disk is full" */
    ck_assert_int_eq(naxd_store_get_state(s), NAXD_STORE_FAILED);
    ck_assert_int_eq(count_rows(s, "idempotency"), 1);
    ck_assert_int_eq(count_rows(s, "audit"), 0);
    ck_assert_int_eq(submit_and_wait(s, big_batch("refused", 10)), NAX_EUNAVAILABLE);
    /* Still full: the probe needs room too, so it must not pass. */
    ck_assert_int_eq(naxd_store_probe(s), NAX_EIO);
    ck_assert_int_eq(naxd_store_get_state(s), NAXD_STORE_FAILED);

    /* Space again: the probe passes and the same write now commits. */
    ck_assert_int_eq(naxd_store_test_set_max_pages(s, 0), 0);
    ck_assert_int_eq(naxd_store_probe(s), 0);
    naxd_store_resume(s);
    b = big_batch("huge", 256 * 1024);
    ck_assert_int_eq(naxd_batch_audit(b, 1, "system", "big", NULL, NULL, NULL), 0);
    ck_assert_int_eq(submit_and_wait(s, b), 0);
    ck_assert_int_eq(count_rows(s, "idempotency"), 2);
    ck_assert_int_eq(count_rows(s, "audit"), 1);
    naxd_store_close(s);
    uint64_t count = 0;
    ck_assert_int_eq(naxd_store_verify_audit(dir, &count, NULL), 0);
    ck_assert_uint_eq(count, 1);
}
END_TEST

START_TEST(a_probe_on_a_healthy_store_writes_and_resume_is_harmless)
{
    naxd_store *s = open_store(dir, 0);
    ck_assert_int_eq(naxd_store_probe(s), 0);
    sqlite3_stmt *st = naxd_store_query(s, "SELECT ts FROM health_probe WHERE id = 1");
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_gt(sqlite3_column_int64(st, 0), 1600000000000); /* a real clock, in ms */
    sqlite3_reset(st);
    naxd_store_resume(s);
    ck_assert_int_eq(naxd_store_get_state(s), NAXD_STORE_OK);
    ck_assert_int_eq(submit_and_wait(s, trade_batch(1)), 0);
    ck_assert_int_eq(naxd_store_probe(NULL), NAX_EINVAL);
    naxd_store_close(s);
}
END_TEST

START_TEST(a_bad_statement_fails_the_transaction)
{
    naxd_store *s = open_store(dir, 0);
    naxd_batch *b = naxd_batch_new();
    ck_assert_int_eq(naxd_batch_sql(b, "INSERT INTO no_such_table VALUES(?)", "i", (int64_t)1), 0);
    ck_assert_int_eq(submit_and_wait(s, b), NAX_EIO);
    ck_assert(logged("no_such_table"));
    ck_assert_int_eq(naxd_store_probe(s), 0);
    naxd_store_resume(s);
    /* Too few values for the statement's parameters. */
    b = naxd_batch_new();
    ck_assert_int_eq(naxd_batch_sql(b, insert_trade, ""), 0);
    ck_assert_int_eq(submit_and_wait(s, b), NAX_EIO);
    ck_assert(logged("1 parameters"));
    ck_assert_int_eq(count_rows(s, "trades"), 0);
    naxd_store_close(s);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("store_failure");
    TCase *tc = tcase_create("failure");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, a_failed_transaction_fails_everything_queued_behind_it);
    tcase_add_test(tc, an_empty_batch_marked_to_fail_fails_the_commit);
    tcase_add_test(tc, simulated_io_errors_fail_commits_and_probes);
    tcase_add_test(tc, a_constraint_violation_fails_the_whole_transaction);
    tcase_add_test(tc, a_full_disk_fails_the_commit_and_changes_nothing);
    tcase_add_test(tc, a_probe_on_a_healthy_store_writes_and_resume_is_harmless);
    tcase_add_test(tc, a_bad_statement_fails_the_transaction);
    suite_add_tcase(suite, tc);
    return run_suite(suite);
}

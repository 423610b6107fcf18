/* The audit log: records are numbered and hash-chained by the documented
 * formula, the chain continues across restarts, the table is append-only, and
 * naxd_store_verify_audit finds the first broken record after tampering. */
#include <inttypes.h>
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

/* Record i's fields (NULLs on some, to cover how they hash). */
static const char *actor_of(int i)
{
    return i % 2 ? "user:7" : "system";
}

static void add_record(naxd_batch *b, int i)
{
    char after[64], req[32];
    snprintf(after, sizeof after, "{\"order\":%d,\"price\":\"100.5\"}", i);
    snprintf(req, sizeof req, "req-%d", i);
    ck_assert_int_eq(naxd_batch_audit(b, 1700000000000 + i, actor_of(i), "order.create",
                                      i % 3 ? "{}" : NULL, after, i % 4 ? req : NULL),
                     0);
}

/* Writes records first..last (1-based), several per batch. */
static void write_records(naxd_store *s, int first, int last)
{
    size_t before = rec.n, batches = 0;
    for (int i = first; i <= last; batches++) {
        naxd_batch *b = naxd_batch_new();
        for (int k = 0; k < 1 + (int)(batches % 3) && i <= last; k++)
            add_record(b, i++);
        submit_ok(s, b, (intptr_t)batches);
    }
    app_wait_outcomes(before + batches);
    for (size_t k = before; k < rec.n; k++)
        ck_assert_int_eq(rec.status[k], 0);
}

static void make_log(int n)
{
    naxd_store *s = open_store(dir, 0);
    write_records(s, 1, n);
    naxd_store_close(s);
}

static void tamper(const char *sql)
{
    char path[600];
    snprintf(path, sizeof path, "%s/naxd.db", dir);
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, err ? err : "");
    ck_assert_int_eq(sqlite3_changes(db), 1);
    ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

static void expect_broken_at(uint64_t seq, const char *why)
{
    uint64_t count = 99, bad = 0;
    ck_assert_int_eq(naxd_store_verify_audit(dir, &count, &bad), NAX_ESCHEMA);
    ck_assert_uint_eq(bad, seq);
    ck_assert_int_eq(nax_error_last()->code, NAX_ESCHEMA);
    ck_assert_msg(strstr(nax_error_last()->message, why) != NULL, "message: %s",
                  nax_error_last()->message);
}

START_TEST(records_are_chained_by_the_documented_formula)
{
    naxd_store *s = open_store(dir, 0);
    write_records(s, 1, 10);
    sqlite3_stmt *st = naxd_store_query(s, "SELECT seq, ts, actor, action, before, after,"
                                           " request_id, prev_hash, hash FROM audit ORDER BY seq");
    char prev[65];
    memset(prev, '0', 64);
    prev[64] = '\0';
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        n++;
        ck_assert_int_eq(sqlite3_column_int64(st, 0), n);
        ck_assert_int_eq(sqlite3_column_int64(st, 1), 1700000000000 + n);
        ck_assert_str_eq((const char *)sqlite3_column_text(st, 2), actor_of(n));
        ck_assert_int_eq(sqlite3_column_type(st, 4) == SQLITE_NULL, n % 3 == 0);
        ck_assert_int_eq(sqlite3_column_type(st, 6) == SQLITE_NULL, n % 4 == 0);
        ck_assert_str_eq((const char *)sqlite3_column_text(st, 7), prev);
        char want[65];
        reference_hash(
            want, prev, (uint64_t)n, sqlite3_column_int64(st, 1),
            (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
            (const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5),
            (const char *)sqlite3_column_text(st, 6));
        ck_assert_str_eq((const char *)sqlite3_column_text(st, 8), want);
        memcpy(prev, want, sizeof prev);
    }
    sqlite3_reset(st);
    ck_assert_int_eq(n, 10);
    /* Verification works beside a running store, too. */
    uint64_t count = 0, bad = 7;
    ck_assert_int_eq(naxd_store_verify_audit(dir, &count, &bad), 0);
    ck_assert_uint_eq(count, 10);
    ck_assert_uint_eq(bad, 0);
    naxd_store_close(s);
}
END_TEST

START_TEST(the_chain_continues_across_restarts)
{
    make_log(4);
    naxd_store *s = open_store(dir, 0);
    write_records(s, 5, 9);
    naxd_store_close(s);
    uint64_t count = 0;
    ck_assert_int_eq(naxd_store_verify_audit(dir, &count, NULL), 0);
    ck_assert_uint_eq(count, 9);
}
END_TEST

START_TEST(an_empty_log_verifies_and_a_missing_database_does_not)
{
    make_log(0);
    uint64_t count = 5;
    ck_assert_int_eq(naxd_store_verify_audit(dir, &count, NULL), 0);
    ck_assert_uint_eq(count, 0);
    char missing[700];
    snprintf(missing, sizeof missing, "%s/nowhere", dir);
    ck_assert_int_eq(naxd_store_verify_audit(missing, &count, NULL), NAX_EIO);
    ck_assert_int_eq(naxd_store_verify_audit(NULL, &count, NULL), NAX_EINVAL);
}
END_TEST

START_TEST(the_log_is_append_only)
{
    make_log(3);
    char path[600];
    snprintf(path, sizeof path, "%s/naxd.db", dir);
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(
        sqlite3_exec(db, "UPDATE audit SET actor = 'x' WHERE seq = 2", NULL, NULL, NULL),
        SQLITE_CONSTRAINT);
    ck_assert_int_eq(sqlite3_exec(db, "DELETE FROM audit WHERE seq = 3", NULL, NULL, NULL),
                     SQLITE_CONSTRAINT);
    ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
    uint64_t count = 0;
    ck_assert_int_eq(naxd_store_verify_audit(dir, &count, NULL), 0);
    ck_assert_uint_eq(count, 3);
}
END_TEST

START_TEST(a_changed_record_is_found)
{
    make_log(5);
    tamper("UPDATE audit SET after = '{\"order\":3,\"price\":\"1.5\"}' WHERE seq = 3");
    expect_broken_at(3, "does not match its hash");
}
END_TEST

START_TEST(a_changed_record_with_a_recomputed_hash_breaks_the_link)
{
    make_log(5);
    char prev[65], hash[65], sql[512];
    /* Read record 2's hash, then forge record 3 consistently with it. */
    char path[600];
    snprintf(path, sizeof path, "%s/naxd.db", dir);
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(
        sqlite3_prepare_v2(db, "SELECT hash, ts FROM audit WHERE seq = 2", -1, &st, NULL),
        SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    snprintf(prev, sizeof prev, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
    reference_hash(hash, prev, 3, 1700000000003, "user:7", "order.create", NULL, "{\"forged\":1}",
                   "req-3");
    snprintf(sql, sizeof sql,
             "UPDATE audit SET before = NULL, after = '{\"forged\":1}', hash = '%s' WHERE seq = 3",
             hash);
    tamper(sql);
    expect_broken_at(4, "does not link");
}
END_TEST

START_TEST(a_deleted_record_is_found)
{
    make_log(5);
    tamper("DELETE FROM audit WHERE seq = 2");
    expect_broken_at(2, "missing");
}
END_TEST

START_TEST(a_changed_last_hash_is_found)
{
    make_log(5);
    tamper("UPDATE audit SET hash = replace(hash, substr(hash, 1, 1), 'x') WHERE seq = 5");
    expect_broken_at(5, "does not match its hash");
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("store_audit");
    TCase *tc = tcase_create("audit");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, records_are_chained_by_the_documented_formula);
    tcase_add_test(tc, the_chain_continues_across_restarts);
    tcase_add_test(tc, an_empty_log_verifies_and_a_missing_database_does_not);
    tcase_add_test(tc, the_log_is_append_only);
    tcase_add_test(tc, a_changed_record_is_found);
    tcase_add_test(tc, a_changed_record_with_a_recomputed_hash_breaks_the_link);
    tcase_add_test(tc, a_deleted_record_is_found);
    tcase_add_test(tc, a_changed_last_hash_is_found);
    suite_add_tcase(suite, tc);
    return run_suite(suite);
}

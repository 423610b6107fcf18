/* Opening the store: the data folder and file modes, WAL, migrations from
 * empty and from an older version, reopening, and refusing a newer schema. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "store/schema.h"
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

static char *db_path(void)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/naxd.db", dir);
    return path;
}

/* One integer from a PRAGMA or query on a connection of its own. */
static long query_long(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    long v = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void exec_on_file(const char *sql)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(db_path(), &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

START_TEST(open_creates_a_private_folder_and_migrates_from_empty)
{
    char sub[700];
    snprintf(sub, sizeof sub, "%s/data", dir);
    naxd_store *s = open_store(sub, 0);
    struct stat st;
    ck_assert_int_eq(stat(sub, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0700);
    char file[720];
    snprintf(file, sizeof file, "%s/naxd.db", sub);
    ck_assert_int_eq(stat(file, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    snprintf(file, sizeof file, "%s/naxd.db-wal", sub);
    ck_assert_int_eq(stat(file, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);

    sqlite3 *r = naxd_store_reader(s);
    ck_assert_int_eq(naxd_store_schema_version(), (int)naxd__schema_migration_count());
    ck_assert_int_eq(query_long(r, "PRAGMA user_version"), naxd_store_schema_version());
    ck_assert_int_eq(query_long(r, "SELECT COUNT(*) FROM sqlite_master WHERE name IN"
                                   " ('audit','counters','orders','balances','health_probe')"),
                     5);
    ck_assert_int_eq(query_long(r, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'"
                                   " AND name LIKE 'audit_no_%'"),
                     2);
    sqlite3_stmt *jm = naxd_store_query(s, "PRAGMA journal_mode");
    ck_assert_ptr_nonnull(jm);
    ck_assert_int_eq(sqlite3_step(jm), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(jm, 0), "wal");
    sqlite3_reset(jm);
    ck_assert_int_eq(naxd_store_get_state(s), NAXD_STORE_OK);
    ck_assert_uint_eq(naxd_store_pending(s), 0);
    naxd_store_close(s);
    /* A clean close checkpoints: the WAL is folded into the database and removed. */
    ck_assert_int_ne(stat(file, &st), 0);
}
END_TEST

START_TEST(reopen_keeps_the_version_and_runs_no_migration)
{
    naxd_store *s = open_store(dir, 0);
    ck_assert_int_eq(put_counter(s, "orders", 7), 0);
    naxd_store_close(s);
    /* A migration that ran again would fail on CREATE TABLE; data must survive. */
    s = open_store(dir, 0);
    ck_assert_int_eq(query_long(naxd_store_reader(s), "PRAGMA user_version"),
                     naxd_store_schema_version());
    uint64_t v = 0;
    ck_assert_int_eq(naxd_store_counter_load(s, "orders", &v), 0);
    ck_assert_uint_eq(v, 7);
    naxd_store_close(s);
}
END_TEST

START_TEST(an_older_version_is_migrated_step_by_step)
{
    /* A database left at version 1 by an older build. */
    ck_assert_uint_ge(naxd__schema_migration_count(), 2);
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(db_path(), &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, naxd__schema_migration(0), NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(query_long(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'"),
                     0);
    ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);

    naxd_store *s = open_store(dir, 0);
    ck_assert_int_eq(query_long(naxd_store_reader(s), "PRAGMA user_version"),
                     naxd_store_schema_version());
    ck_assert_int_eq(query_long(naxd_store_reader(s),
                                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'"),
                     2);
    naxd_store_close(s);
}
END_TEST

START_TEST(a_newer_schema_is_refused)
{
    naxd_store *s = open_store(dir, 0);
    naxd_store_close(s);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", naxd_store_schema_version() + 1);
    exec_on_file(sql);

    naxd_store_options o = test_options(dir);
    s = (naxd_store *)&o; /* must be overwritten with NULL */
    ck_assert_int_eq(naxd_store_open(&s, &o), NAX_EVERSION);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(nax_error_last()->code, NAX_EVERSION);
    ck_assert_ptr_nonnull(strstr(nax_error_last()->message, "schema version"));
}
END_TEST

START_TEST(bad_options_and_unusable_folders_are_refused)
{
    naxd_store *s = NULL;
    naxd_store_options o = test_options(dir);
    o.post = NULL;
    ck_assert_int_eq(naxd_store_open(&s, &o), NAX_EINVAL);
    o = test_options(NULL);
    ck_assert_int_eq(naxd_store_open(&s, &o), NAX_EINVAL);
    ck_assert_int_eq(naxd_store_open(NULL, &o), NAX_EINVAL);
    ck_assert_int_eq(naxd_store_open(&s, NULL), NAX_EINVAL);

    /* The data folder is a regular file. */
    char file[700];
    snprintf(file, sizeof file, "%s/plain", dir);
    FILE *f = fopen(file, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    o = test_options(file);
    ck_assert_int_eq(naxd_store_open(&s, &o), NAX_EIO);
    ck_assert_ptr_null(s);

    /* naxd.db is not a database. */
    f = fopen(db_path(), "w");
    ck_assert_ptr_nonnull(f);
    fputs("this is not an SQLite database, just some text that is long enough", f);
    fclose(f);
    o = test_options(dir);
    ck_assert_int_eq(naxd_store_open(&s, &o), NAX_EIO);
    ck_assert_ptr_null(s);

    naxd_store_close(NULL); /* no-op */
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("store_open");
    TCase *tc = tcase_create("open");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, open_creates_a_private_folder_and_migrates_from_empty);
    tcase_add_test(tc, reopen_keeps_the_version_and_runs_no_migration);
    tcase_add_test(tc, an_older_version_is_migrated_step_by_step);
    tcase_add_test(tc, a_newer_schema_is_refused);
    tcase_add_test(tc, bad_options_and_unusable_folders_are_refused);
    suite_add_tcase(suite, tc);
    return run_suite(suite);
}

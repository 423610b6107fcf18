/* Building batches: parameter types, refusal of bad input without changing
 * the batch, and clean NAX_ENOMEM when any allocation fails (in building, in
 * opening, and on the writer thread). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "store_test.h"

/* ---- a counting allocator whose k-th allocation fails ---- */

static atomic_long live, attempts, fail_at;
static atomic_int fail_all;

static int should_fail(void)
{
    long n = atomic_fetch_add(&attempts, 1) + 1;
    return atomic_load(&fail_all) || (atomic_load(&fail_at) != 0 && n == atomic_load(&fail_at));
}

static void *t_malloc(size_t size, void *ud)
{
    (void)ud;
    if (should_fail())
        return NULL;
    void *p = malloc(size);
    if (p)
        atomic_fetch_add(&live, 1);
    return p;
}

static void *t_realloc(void *ptr, size_t size, void *ud)
{
    (void)ud;
    if (should_fail())
        return NULL;
    void *p = realloc(ptr, size);
    if (p && !ptr)
        atomic_fetch_add(&live, 1);
    return p;
}

static void t_free(void *ptr, void *ud)
{
    (void)ud;
    if (ptr)
        atomic_fetch_sub(&live, 1);
    free(ptr);
}

static void fail_from(long k)
{
    atomic_store(&attempts, 0);
    atomic_store(&fail_at, k);
}

static char *dir;

static void setup(void)
{
    nax_allocator a = {NAX_ALLOCATOR_VERSION, t_malloc, t_realloc, t_free, NULL};
    ck_assert_int_eq(nax_global_init(&a), 0);
    atomic_store(&live, 0);
    atomic_store(&fail_all, 0);
    fail_from(0);
    dir = tmp_dir_new();
    outcomes_reset();
    observer_reset();
}

static void teardown(void)
{
    fail_from(0);
    atomic_store(&fail_all, 0);
    tmp_dir_remove(dir);
    dir = NULL;
    nax_global_shutdown();
}

static const char insert_user[] =
    "INSERT INTO users(id, email, password_hash, full_name, country, kyc_status,"
    " kyc_updated_at, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)";
static const char insert_idem[] =
    "INSERT INTO idempotency(scope, key, body_hash, status, response, created_at)"
    " VALUES(?, ?, ?, ?, ?, ?)";

/* Builds a batch with every parameter type and an audit record. */
static int build(naxd_batch **out)
{
    *out = NULL;
    naxd_batch *b = naxd_batch_new();
    if (!b)
        return nax_error_last()->code;
    static const unsigned char blob[] = {0, 1, 2, 0xff, 0};
    int rc = naxd_batch_sql(b, insert_user, "ittntiiu", (int64_t)5, "u5@example.com", "$phc$",
                            (const char *)NULL, (int64_t)1, (int64_t)1700000000000,
                            (uint64_t)1700000000001);
    if (!rc)
        rc = naxd_batch_sql(b, insert_idem, "tttibi", "user:5", "key-1", "abc", (int64_t)201, blob,
                            sizeof blob, (int64_t)-3);
    if (!rc)
        rc = naxd_batch_audit(b, 1700000000000, "user:5", "user.register", NULL,
                              "{\"email\":\"u5@example.com\"}", "req-1");
    if (rc) {
        naxd_batch_free(b);
        return rc;
    }
    *out = b;
    return 0;
}

START_TEST(values_of_every_type_reach_the_database)
{
    naxd_store *s = open_store(dir, 0);
    naxd_batch *b = NULL;
    ck_assert_int_eq(build(&b), 0);
    ck_assert(!naxd_batch_empty(b));
    submit_ok(s, b, 1);
    app_wait_outcomes(1);
    ck_assert_int_eq(rec.status[0], 0);

    sqlite3_stmt *st = naxd_store_query(
        s, "SELECT email, full_name, country, kyc_status, kyc_updated_at, created_at"
           " FROM users WHERE id = 5");
    ck_assert_ptr_nonnull(st);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "u5@example.com");
    ck_assert_int_eq(sqlite3_column_type(st, 1), SQLITE_NULL); /* 'n' */
    ck_assert_int_eq(sqlite3_column_type(st, 2), SQLITE_NULL); /* 't' with NULL */
    ck_assert_int_eq(sqlite3_column_int64(st, 3), 1);
    ck_assert_int_eq(sqlite3_column_int64(st, 4), 1700000000000);
    ck_assert_int_eq(sqlite3_column_int64(st, 5), 1700000000001);
    sqlite3_reset(st);

    st = naxd_store_query(s, "SELECT response, created_at FROM idempotency WHERE key = 'key-1'");
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_type(st, 0), SQLITE_BLOB);
    ck_assert_int_eq(sqlite3_column_bytes(st, 0), 5);
    ck_assert_int_eq(memcmp(sqlite3_column_blob(st, 0), "\0\1\2\377\0", 5), 0);
    ck_assert_int_eq(sqlite3_column_int64(st, 1), -3);
    sqlite3_reset(st);
    naxd_store_close(s);
}
END_TEST

START_TEST(uint64_and_empty_blobs_round_trip)
{
    naxd_store *s = open_store(dir, 0);
    naxd_batch *b = naxd_batch_new();
    ck_assert_int_eq(naxd_batch_sql(b, insert_idem, "tttibi", "s", "empty", "h", (int64_t)200, NULL,
                                    (size_t)0, (int64_t)0),
                     0);
    ck_assert_int_eq(naxd_batch_sql(b, "INSERT INTO counters(name, value) VALUES(?, ?)", "tu",
                                    "max", UINT64_MAX),
                     0);
    submit_ok(s, b, 1);
    app_wait_outcomes(1);
    ck_assert_int_eq(rec.status[0], 0);
    sqlite3_stmt *st = naxd_store_query(s, "SELECT typeof(response), length(response)"
                                           " FROM idempotency WHERE key = 'empty'");
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "blob");
    ck_assert_int_eq(sqlite3_column_int(st, 1), 0);
    sqlite3_reset(st);
    uint64_t v = 0;
    ck_assert_int_eq(naxd_store_counter_load(s, "max", &v), 0);
    ck_assert(v == UINT64_MAX);
    naxd_store_close(s);
}
END_TEST

START_TEST(bad_input_is_refused_and_leaves_the_batch_unchanged)
{
    naxd_batch *b = naxd_batch_new();
    ck_assert(naxd_batch_empty(b));
    ck_assert_int_eq(naxd_batch_sql(b, insert_idem, "ttx", "a", "b", "c"), NAX_EINVAL);
    ck_assert_ptr_nonnull(strstr(nax_error_last()->message, "'x'"));
    ck_assert(naxd_batch_empty(b));
    ck_assert_int_eq(naxd_batch_sql(b, NULL, ""), NAX_EINVAL);
    ck_assert_int_eq(naxd_batch_sql(NULL, insert_idem, ""), NAX_EINVAL);
    ck_assert_int_eq(naxd_batch_sql(b, insert_idem, "b", NULL, (size_t)3), NAX_EINVAL);
    ck_assert_int_eq(naxd_batch_audit(b, 1, NULL, "x", NULL, NULL, NULL), NAX_EINVAL);
    ck_assert_int_eq(naxd_batch_audit(b, 1, "x", NULL, NULL, NULL, NULL), NAX_EINVAL);
    ck_assert(naxd_batch_empty(b));
    ck_assert_int_eq(naxd_batch_audit(b, 1, "x", "y", NULL, NULL, NULL), 0);
    ck_assert(!naxd_batch_empty(b));
    naxd_batch_free(b);
    naxd_batch_free(NULL);
    ck_assert_int_eq(atomic_load(&live), 0);
    /* submit without a store frees the batch */
    ck_assert_int_eq(naxd_store_submit(NULL, naxd_batch_new(), record_outcome, NULL), NAX_EINVAL);
    ck_assert_int_eq(atomic_load(&live), 0);
}
END_TEST

START_TEST(building_fails_cleanly_at_every_allocation)
{
    long k;
    for (k = 1;; k++) {
        fail_from(k);
        naxd_batch *b = NULL;
        int rc = build(&b);
        if (rc == 0) {
            ck_assert_msg(atomic_load(&attempts) < k, "success although allocation %ld failed", k);
            naxd_batch_free(b);
            break;
        }
        ck_assert_msg(rc == NAX_ENOMEM, "allocation %ld: got %d", k, rc);
        ck_assert_int_eq(nax_error_last()->code, NAX_ENOMEM);
        ck_assert_ptr_null(b);
        ck_assert_msg(atomic_load(&live) == 0, "%ld blocks leaked at allocation %ld",
                      atomic_load(&live), k);
    }
    ck_assert_int_gt(k, 3); /* the batch, its statements, values and bytes */
    ck_assert_int_eq(atomic_load(&live), 0);
}
END_TEST

START_TEST(a_failed_append_keeps_what_was_built)
{
    /* Fail each allocation of the second statement; the first must survive intact. */
    for (long k = 1; k < 64; k++) {
        fail_from(0);
        naxd_batch *b = counter_batch("first", 1);
        fail_from(k);
        int rc = naxd_batch_sql(b, insert_idem, "tttibi", "s", "k", "h", (int64_t)1, "xyz",
                                (size_t)3, (int64_t)2);
        fail_from(0);
        ck_assert(rc == 0 || rc == NAX_ENOMEM);
        naxd_store *s = open_store(dir, 0);
        outcomes_reset();
        submit_ok(s, b, 1);
        app_wait_outcomes(1);
        ck_assert_int_eq(rec.status[0], 0);
        uint64_t v = 0;
        ck_assert_int_eq(naxd_store_counter_load(s, "first", &v), 0);
        ck_assert_uint_eq(v, 1);
        ck_assert_int_eq(count_rows(s, "idempotency"), rc == 0 ? 1 : 0);
        naxd_store_close(s);
        /* start over with an empty database */
        tmp_dir_remove(dir);
        dir = tmp_dir_new();
        if (rc == 0)
            break;
    }
    ck_assert_int_eq(atomic_load(&live), 0);
}
END_TEST

START_TEST(open_fails_cleanly_at_every_allocation)
{
    for (long k = 1;; k++) {
        fail_from(k);
        naxd_store_options o = test_options(dir);
        naxd_store *s = NULL;
        int rc = naxd_store_open(&s, &o);
        fail_from(0);
        if (rc == 0) {
            naxd_store_close(s);
            break;
        }
        ck_assert_msg(rc == NAX_ENOMEM, "allocation %ld: got %d (%s)", k, rc,
                      nax_error_last()->message);
        ck_assert_ptr_null(s);
        ck_assert_msg(atomic_load(&live) == 0, "%ld blocks leaked at allocation %ld",
                      atomic_load(&live), k);
    }
    ck_assert_int_eq(atomic_load(&live), 0);
}
END_TEST

START_TEST(allocation_failure_on_the_writer_fails_the_commit)
{
    naxd_store *s = open_store(dir, 0);
    naxd_batch *b = counter_batch("c", 1);
    /* Every allocation from now on fails: the writer cannot cache the statement. */
    atomic_store(&fail_all, 1);
    submit_ok(s, b, 1);
    app_wait_outcomes(1);
    atomic_store(&fail_all, 0);
    ck_assert_int_eq(rec.status[0], NAX_EIO);
    ck_assert_int_eq(naxd_store_get_state(s), NAXD_STORE_FAILED);
    ck_assert_int_eq(count_rows(s, "counters"), 0);
    ck_assert_int_eq(naxd_store_probe(s), 0);
    naxd_store_resume(s);
    ck_assert_int_eq(put_counter(s, "c", 2), 0);
    ck_assert_int_eq(count_rows(s, "counters"), 1);
    naxd_store_close(s);
    ck_assert_int_eq(atomic_load(&live), 0);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("store_batch");
    TCase *tc = tcase_create("batch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, values_of_every_type_reach_the_database);
    tcase_add_test(tc, uint64_and_empty_blobs_round_trip);
    tcase_add_test(tc, bad_input_is_refused_and_leaves_the_batch_unchanged);
    tcase_add_test(tc, building_fails_cleanly_at_every_allocation);
    tcase_add_test(tc, a_failed_append_keeps_what_was_built);
    tcase_add_test(tc, open_fails_cleanly_at_every_allocation);
    tcase_add_test(tc, allocation_failure_on_the_writer_fails_the_commit);
    suite_add_tcase(suite, tc);
    return run_suite(suite);
}

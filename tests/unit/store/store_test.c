/* Shared helpers of the store tests. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "store_test.h"

/* ---- temporary folders ---- */

char *tmp_dir_new(void)
{
    const char *base = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/naxd-store-XXXXXX", base && *base ? base : "/tmp");
    char *dir = mkdtemp(path);
    ck_assert_ptr_nonnull(dir);
    return strdup(dir);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tmp_dir_remove(char *dir)
{
    if (!dir)
        return;
    ck_assert_int_eq(nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
    free(dir);
}

/* ---- the app thread's post queue ---- */

typedef struct posted {
    struct posted *next;
    void (*fn)(void *);
    void *arg;
} posted;

static pthread_mutex_t app_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t app_cond = PTHREAD_COND_INITIALIZER;
static posted *app_head, *app_tail;

void app_post(void *ctx, void (*fn)(void *), void *arg)
{
    (void)ctx;
    posted *p = malloc(sizeof *p);
    if (!p)
        abort(); /* the test harness itself is not under test */
    *p = (posted){NULL, fn, arg};
    pthread_mutex_lock(&app_lock);
    if (app_tail)
        app_tail->next = p;
    else
        app_head = p;
    app_tail = p;
    pthread_cond_signal(&app_cond);
    pthread_mutex_unlock(&app_lock);
}

/* Takes the next posted function, waiting for one when `wait` is set. */
static posted *next_posted(int wait)
{
    pthread_mutex_lock(&app_lock);
    while (wait && !app_head)
        pthread_cond_wait(&app_cond, &app_lock);
    posted *p = app_head;
    if (p) {
        app_head = p->next;
        if (!app_head)
            app_tail = NULL;
    }
    pthread_mutex_unlock(&app_lock);
    return p;
}

void app_wait_outcomes(size_t n)
{
    while (rec.n < n) {
        posted *p = next_posted(1);
        p->fn(p->arg);
        free(p);
    }
}

size_t app_run_posted(void)
{
    size_t ran = 0;
    posted *p;
    while ((p = next_posted(0)) != NULL) {
        p->fn(p->arg);
        free(p);
        ran++;
    }
    return ran;
}

/* ---- outcomes ---- */

outcomes rec;

void outcomes_reset(void)
{
    ck_assert_uint_eq(app_run_posted(), 0);
    memset(&rec, 0, sizeof rec);
}

void record_outcome(void *arg, int status)
{
    ck_assert_uint_lt(rec.n, MAX_OUTCOMES);
    rec.tag[rec.n] = (intptr_t)arg;
    rec.status[rec.n] = status;
    rec.n++;
}

/* ---- the observer ---- */

static pthread_mutex_t obs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t obs_cond = PTHREAD_COND_INITIALIZER;
static observed obs;
static int obs_hold, obs_held;

void observer_fn(void *arg, double seconds, size_t batches)
{
    (void)arg;
    pthread_mutex_lock(&obs_lock);
    if (seconds < 0)
        obs.negative_durations++;
    obs.transactions++;
    obs.batches += batches;
    if (batches > obs.max_batches)
        obs.max_batches = batches;
    if (obs_hold) {
        obs_hold = 0;
        obs_held = 1;
        pthread_cond_broadcast(&obs_cond);
        while (obs_held)
            pthread_cond_wait(&obs_cond, &obs_lock);
    }
    pthread_mutex_unlock(&obs_lock);
}

void observer_reset(void)
{
    pthread_mutex_lock(&obs_lock);
    memset(&obs, 0, sizeof obs);
    obs_hold = obs_held = 0;
    pthread_mutex_unlock(&obs_lock);
}

void observer_hold(void)
{
    pthread_mutex_lock(&obs_lock);
    obs_hold = 1;
    pthread_mutex_unlock(&obs_lock);
}

void observer_wait_held(void)
{
    pthread_mutex_lock(&obs_lock);
    while (!obs_held)
        pthread_cond_wait(&obs_cond, &obs_lock);
    pthread_mutex_unlock(&obs_lock);
}

void observer_release(void)
{
    pthread_mutex_lock(&obs_lock);
    obs_held = 0;
    pthread_cond_broadcast(&obs_cond);
    pthread_mutex_unlock(&obs_lock);
}

observed observer_get(void)
{
    pthread_mutex_lock(&obs_lock);
    observed o = obs;
    pthread_mutex_unlock(&obs_lock);
    return o;
}

/* ---- stores and batches ---- */

naxd_store_options test_options(const char *dir)
{
    naxd_store_options o = {0};
    o.dir = dir;
    o.post = app_post;
    o.observer = observer_fn;
    return o;
}

naxd_store *open_store(const char *dir, unsigned int max_batches)
{
    naxd_store_options o = test_options(dir);
    o.max_batches_per_commit = max_batches;
    naxd_store *s = NULL;
    int rc = naxd_store_open(&s, &o);
    ck_assert_msg(rc == 0, "open: %d %s", rc, nax_error_last()->message);
    ck_assert_ptr_nonnull(s);
    return s;
}

static const char upsert_counter[] = "INSERT INTO counters(name, value) VALUES(?, ?)"
                                     " ON CONFLICT(name) DO UPDATE SET value = excluded.value";

naxd_batch *counter_batch(const char *name, uint64_t value)
{
    naxd_batch *b = naxd_batch_new();
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(naxd_batch_sql(b, upsert_counter, "tu", name, value), 0);
    return b;
}

void submit_ok(naxd_store *s, naxd_batch *b, intptr_t tag)
{
    ck_assert_int_eq(naxd_store_submit(s, b, record_outcome, TAG(tag)), 0);
}

int put_counter(naxd_store *s, const char *name, uint64_t value)
{
    size_t before = rec.n;
    submit_ok(s, counter_batch(name, value), -1);
    app_wait_outcomes(before + 1);
    return rec.status[before];
}

long count_rows(naxd_store *s, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(naxd_store_reader(s), sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    long n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

void reference_hash(char out[65], const char *prev, uint64_t seq, int64_t ts, const char *actor,
                    const char *action, const char *before, const char *after,
                    const char *request_id)
{
    char text[4096];
    int n = snprintf(text, sizeof text, "%s\n%" PRIu64 "\n%" PRId64 "\n%s\n%s\n%s\n%s\n%s", prev,
                     seq, ts, actor, action, before ? before : "", after ? after : "",
                     request_id ? request_id : "");
    ck_assert(n > 0 && (size_t)n < sizeof text);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    ck_assert(EVP_Digest(text, (size_t)n, md, &len, EVP_sha256(), NULL));
    ck_assert_uint_eq(len, 32);
    for (unsigned int i = 0; i < len; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int run_suite(Suite *suite)
{
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}

/* Shared helpers of the store tests: a temporary data folder, a test "app
 * thread" with a post queue, a recorder of commit outcomes, and an observer
 * that can hold the writer thread after a transaction. */
#ifndef NAX_TEST_STORE_TEST_H
#define NAX_TEST_STORE_TEST_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"

/* A fresh folder under $TMPDIR (or /tmp); remove it with tmp_dir_remove(). */
char *tmp_dir_new(void);
void tmp_dir_remove(char *dir);

/* The app thread: posted functions queue here until app_run_* runs them. */
void app_post(void *ctx, void (*fn)(void *), void *arg);
/* Runs posted functions (waiting for more) until `n` outcomes are recorded. */
void app_wait_outcomes(size_t n);
/* Runs what has been posted so far without waiting; returns how many ran. */
size_t app_run_posted(void);

/* Outcomes, in the order the commit callbacks ran. */
#define MAX_OUTCOMES 8192
typedef struct outcomes {
    size_t n;
    int status[MAX_OUTCOMES];
    intptr_t tag[MAX_OUTCOMES];
} outcomes;
extern outcomes rec;
void outcomes_reset(void);
/* The commit callback: records (tag, status); tag is the arg as an integer. */
void record_outcome(void *arg, int status);
#define TAG(n) ((void *)(intptr_t)(n))

/* The observer: counts transactions and batches; when `hold` is set, the
 * writer waits after its next transaction until observer_release(). */
typedef struct observed {
    size_t transactions, batches, max_batches;
    size_t negative_durations; /* must stay 0: durations come from a monotonic clock */
} observed;
void observer_fn(void *arg, double seconds, size_t batches);
void observer_reset(void);
void observer_hold(void);      /* hold the writer after its next transaction */
void observer_wait_held(void); /* until the writer is waiting at the hold */
void observer_release(void);
observed observer_get(void);

/* Options with the test poster and observer for `dir`. */
naxd_store_options test_options(const char *dir);
/* Opens (must succeed). */
naxd_store *open_store(const char *dir, unsigned int max_batches);

/* Batch helpers (must succeed). */
naxd_batch *counter_batch(const char *name, uint64_t value);
void submit_ok(naxd_store *s, naxd_batch *b, intptr_t tag);
/* Submits counter_batch(name, value) and waits until it reports; returns the status. */
int put_counter(naxd_store *s, const char *name, uint64_t value);
/* SELECT COUNT(*) FROM <table> on the store's reader. */
long count_rows(naxd_store *s, const char *table);

/* Reference audit hash computed independently with OpenSSL. */
void reference_hash(char out[65], const char *prev, uint64_t seq, int64_t ts, const char *actor,
                    const char *action, const char *before, const char *after,
                    const char *request_id);

/* Runs one suite with Check; process exit status. */
int run_suite(Suite *suite);

#endif /* NAX_TEST_STORE_TEST_H */

/*
 * naxd durable store: SQLite in the data folder (WAL, synchronous=FULL),
 * versioned migrations, a group-committing writer thread, and a hash-chained
 * audit log.
 *
 * Model. The app thread owns all in-memory state. Each request that changes
 * state builds one naxd_batch (SQL statements with bound values, plus audit
 * records) and submits it. The writer thread takes every batch queued so far,
 * runs them in ONE transaction, commits (one fsync), and then reports each
 * batch's outcome back on the app thread through the poster given at open.
 * Batches commit in submission order. A request is answered from its commit
 * callback, so nothing is acknowledged before it is durable.
 *
 * Failure. When a transaction fails (I/O error, disk full, or a batch marked
 * with naxd_batch_fail_commit in fault mode) it is rolled back, every batch in
 * it and every batch queued behind it reports NAX_EIO, and the store goes to
 * NAXD_STORE_FAILED: later submits report NAX_EUNAVAILABLE (through the
 * callback, never synchronously) until naxd_store_probe() succeeds and the app
 * calls naxd_store_resume() after reloading its memory from the store.
 *
 * Threading: open/close/submit/probe/resume/reader are app-thread calls; the
 * writer thread is internal. Statements given to naxd_batch_sql must be string
 * literals (static storage): the writer caches prepared statements by pointer.
 */
#ifndef NAXD_STORE_H
#define NAXD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

typedef struct naxd_store naxd_store;
typedef struct naxd_batch naxd_batch;

typedef enum naxd_store_state {
    NAXD_STORE_OK = 0,
    NAXD_STORE_FAILED = 1 /* a commit failed; mutations refused until resumed */
} naxd_store_state;

/* Runs fn(arg) on the app thread "soon". Must be callable from any thread. */
typedef void (*naxd_post_fn)(void *post_ctx, void (*fn)(void *arg), void *arg);
/* Outcome of a batch, on the app thread: 0, NAX_EIO (commit failed) or
 * NAX_EUNAVAILABLE (store failed before the batch ran). */
typedef void (*naxd_commit_fn)(void *arg, int status);
/* Called on the writer thread after each transaction (committed or failed)
 * with its duration and the number of batches in it, before their outcomes
 * are posted. A take of only barriers runs no transaction. */
typedef void (*naxd_commit_observer_fn)(void *arg, double seconds, size_t batches);

typedef struct naxd_store_options {
    const char *dir;                  /* data folder; created 0700 if missing */
    naxd_post_fn post;                /* required */
    void *post_ctx;                   /* passed to post */
    naxd_commit_observer_fn observer; /* optional */
    void *observer_arg;
    unsigned int max_batches_per_commit; /* 0 = 1024 */
} naxd_store_options;

/* Opens (creating) DIR/naxd.db, applies pending migrations in one transaction
 * each, starts the writer. NAX_EIO with a message on failure. */
int naxd_store_open(naxd_store **out, const naxd_store_options *opts);
/* Flushes: waits until every submitted batch has committed or failed and its
 * callback has been POSTED (the caller keeps servicing its loop until they ran),
 * then stops the writer and closes. NULL is a no-op. */
void naxd_store_close(naxd_store *s);

naxd_store_state naxd_store_get_state(const naxd_store *s);
/* Batches submitted whose outcome is not yet decided (a batch stops counting
 * just before its callback is posted, so a callback never sees itself). */
size_t naxd_store_pending(const naxd_store *s);

/* A read connection for the app thread (WAL: sees only committed data).
 * Borrowed for the store's lifetime. */
sqlite3 *naxd_store_reader(naxd_store *s);
/* A cached prepared statement on the reader for a literal SQL string, reset
 * and with bindings cleared. Borrowed; NULL with nax_error_last() on error. */
sqlite3_stmt *naxd_store_query(naxd_store *s, const char *sql);

/* The persistent value of an id counter (order, trade, tx ids), read on the
 * reader; *value is 0 when the counter was never written. The app increments
 * in memory and persists with, in its batches:
 *   INSERT INTO counters(name,value) VALUES(?,?)
 *     ON CONFLICT(name) DO UPDATE SET value=excluded.value */
int naxd_store_counter_load(naxd_store *s, const char *name, uint64_t *value);

/* ---- batches -------------------------------------------------------------- */

naxd_batch *naxd_batch_new(void);          /* NULL on OOM */
void naxd_batch_free(naxd_batch *b);       /* only for batches never submitted */
int naxd_batch_empty(const naxd_batch *b); /* no statements and no audit records */

/*
 * Append one statement. `types` has one letter per '?' parameter:
 *   'i' int64_t        'u' uint64_t (stored as int64)
 *   't' const char * (copied; NULL binds SQL NULL)
 *   'b' const void *, size_t (copied blob)
 *   'n' no argument, binds NULL
 * Returns 0 or NAX_ENOMEM / NAX_EINVAL (bad type letter).
 */
int naxd_batch_sql(naxd_batch *b, const char *sql, const char *types, ...);

/* Append an audit record; strings copied, before/after are JSON text or NULL;
 * actor and action are required (NAX_EINVAL). NULL fields hash as "".
 * The writer numbers records and chains them:
 *   hash = SHA-256(prev_hash_hex "\n" seq "\n" ts "\n" actor "\n" action "\n"
 *                  before "\n" after "\n" request_id), hex; prev of the first is 64 '0'. */
int naxd_batch_audit(naxd_batch *b, int64_t ts_ms, const char *actor, const char *action,
                     const char *before_json, const char *after_json, const char *request_id);

/* Fault injection: the transaction holding this batch fails as if on EIO. */
void naxd_batch_fail_commit(naxd_batch *b);

/* Takes ownership of b (also on error). cb runs later on the app thread, always
 * exactly once. An empty batch is a barrier: it reports once every batch
 * submitted before it has, with the status a batch in its place would get.
 * Returns 0, NAX_EINVAL (NULL store or batch; b freed), or NAX_ENOMEM (cb not
 * called; this implementation never allocates in submit). */
int naxd_store_submit(naxd_store *s, naxd_batch *b, naxd_commit_fn cb, void *arg);

/* ---- recovery --------------------------------------------------------------- */

/* Tries a small write transaction on the writer thread (after everything
 * queued before it) and waits for it; 0 when the disk takes writes again. */
int naxd_store_probe(naxd_store *s);
/* Back to NAXD_STORE_OK (call after reloading memory from the store). */
void naxd_store_resume(naxd_store *s);

/* ---- fault injection (tests, and naxd's fault mode when a flag enables it) -- */

/* The next n transactions (batch commits and probes) fail as on SQLITE_IOERR,
 * after their statements ran: they are rolled back like a real failure. */
void naxd_store_test_fail_next_commits(naxd_store *s, unsigned int n);
/* A real disk-full condition: caps the writer's database at n pages (PRAGMA
 * max_page_count; a cap below the current size holds it at the current
 * size), so writes needing a new page fail with SQLITE_FULL. 0 lifts the
 * cap. Waits for the writer thread; 0 or NAX_EIO. */
int naxd_store_test_set_max_pages(naxd_store *s, unsigned int n);

/* ---- audit ------------------------------------------------------------------ */

/* Checks the chain of DIR/naxd.db offline. 0 when intact (*count = records);
 * NAX_ESCHEMA with *bad_seq = first broken record and a message otherwise. */
int naxd_store_verify_audit(const char *dir, uint64_t *count, uint64_t *bad_seq);

/* The schema version this build migrates to. */
int naxd_store_schema_version(void);

#endif /* NAXD_STORE_H */

/* Internals shared by the store's files: the batch layout, the writer's job
 * queue, the statement cache and the audit chain. Never used outside
 * server/store. */
#ifndef NAXD_STORE_INTERNAL_H
#define NAXD_STORE_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "core/core.h"
#include "store.h"

#define NAXD__HASH_HEX 64           /* SHA-256 as lowercase hex, without the NUL */
#define NAXD__NO_TEXT  ((size_t)-1) /* offset of a NULL string in a batch's bytes */

/* ---- jobs: what the writer thread takes from its queue ------------------- */

typedef enum naxd__job_kind {
    NAXD__JOB_BATCH, /* a naxd_batch */
    NAXD__JOB_SYNC   /* a naxd__sync_job: run a function on the writer connection */
} naxd__job_kind;

typedef struct naxd__job {
    struct naxd__job *next;
    naxd__job_kind kind;
} naxd__job;

/* A call made on the writer thread for an app-thread caller that waits for it
 * (probe, test pragmas): only the writer thread may touch the writer connection. */
typedef struct naxd__sync_job {
    naxd__job job; /* first: the queue links jobs */
    int (*run)(naxd_store *s, void *arg);
    void *arg;
    int result;
    int done;
    char message[256]; /* the error detail, copied across threads */
} naxd__sync_job;

/* ---- batches ---------------------------------------------------------------- */

/* One bound value. Text and blobs live in the batch's byte area at `off`
 * (offsets, not pointers: the area grows by realloc). */
typedef struct naxd__param {
    char type; /* 'i' integer, 't' text, 'b' blob, 'n' NULL */
    int64_t i;
    size_t off, len;
} naxd__param;

typedef struct naxd__stmt {
    const char *sql; /* the caller's literal: the statement cache's key */
    size_t first_param, nparams;
} naxd__stmt;

/* Fields of an audit record as offsets into the byte area (NAXD__NO_TEXT for NULL). */
enum {
    NAXD__AUDIT_ACTOR,
    NAXD__AUDIT_ACTION,
    NAXD__AUDIT_BEFORE,
    NAXD__AUDIT_AFTER,
    NAXD__AUDIT_REQUEST_ID,
    NAXD__AUDIT_FIELDS
};

typedef struct naxd__audit_rec {
    int64_t ts;
    size_t off[NAXD__AUDIT_FIELDS];
} naxd__audit_rec;

struct naxd_batch {
    naxd__job job; /* first: a batch is queued as a job */
    naxd__stmt *stmts;
    size_t nstmts, stmts_cap;
    naxd__param *params;
    size_t nparams, params_cap;
    naxd__audit_rec *audits;
    size_t naudits, audits_cap;
    nax_buf bytes;
    int fail_commit;
    /* Set by submit or by a failure ahead of it: report this without running. */
    int preset_status;
    /* The outcome and where it goes; the batch itself is the posted record. */
    int status;
    naxd_commit_fn cb;
    void *cb_arg;
    struct naxd__tally *tally; /* its pending count drops when the report runs */
};

/* Text of a string field stored in a batch, or NULL. */
const char *naxd__batch_text(const naxd_batch *b, size_t off);
/* Frees the statements, values and audit records; keeps the report fields. */
void naxd__batch_release_body(naxd_batch *b);

/* ---- statement cache: prepared statements keyed by the SQL pointer -------- */

typedef struct naxd__stmt_cache {
    const char **keys;
    sqlite3_stmt **stmts;
    size_t cap, count; /* cap is 0 or a power of two */
} naxd__stmt_cache;

/* The cached statement for `sql` on `db`, preparing it (persistent) on first
 * use. 0, or a negative nax_error_code with the error set. */
int naxd__stmt_cache_get(naxd__stmt_cache *c, sqlite3 *db, const char *sql, sqlite3_stmt **out);
/* Finalizes every statement and frees the table. */
void naxd__stmt_cache_clear(naxd__stmt_cache *c);

/* Maps an SQLite result code to a nax_error_code and records `what` and the
 * connection's message in the thread's error. */
int naxd__sqlite_error(sqlite3 *db, int rc, const char *what);

/* ---- audit chain ----------------------------------------------------------------- */

typedef struct naxd__audit_head {
    uint64_t seq;                  /* last record written, 0 when none */
    char hash[NAXD__HASH_HEX + 1]; /* its hash, or 64 '0' */
} naxd__audit_head;

/* The fields hashed for one record; NULL strings hash as empty text. */
typedef struct naxd__audit_fields {
    uint64_t seq;
    int64_t ts;
    const char *actor, *action, *before, *after, *request_id;
} naxd__audit_fields;

/* hash = hex(SHA-256(prev "\n" seq "\n" ts "\n" actor "\n" action "\n" before
 * "\n" after "\n" request_id)). `ctx` is a reusable digest context. 0 or NAX_EIO. */
int naxd__audit_hash(EVP_MD_CTX *ctx, const char *prev_hex, const naxd__audit_fields *f,
                     char out[NAXD__HASH_HEX + 1]);
/* Reads the last record's seq and hash (the chain head) from `db`. */
int naxd__audit_load_head(sqlite3 *db, naxd__audit_head *head);

/* ---- the store ------------------------------------------------------------------ */

/* Batches submitted whose report has not run yet. Reports run on the app
 * thread, possibly after naxd_store_close (close only waits until they are
 * posted), so the count lives apart from the store: the last of the store and
 * its outstanding reports frees it. */
typedef struct naxd__tally {
    pthread_mutex_t lock;
    size_t pending;
    int closed;
} naxd__tally;

/* Count one report done (or the store closed); frees the tally when both
 * the store and every report are gone. */
void naxd__tally_release(naxd__tally *t, int report);

struct naxd_store {
    naxd_store_options opts;
    char *path; /* DIR/naxd.db */

    /* The writer connection and what only the writer thread touches once it runs. */
    sqlite3 *writer;
    naxd__stmt_cache writer_stmts;
    naxd__audit_head audit_head;
    EVP_MD_CTX *digest;
    unsigned int default_max_pages; /* max_page_count as opened, to lift a test cap */

    /* The reader connection: app thread only. */
    sqlite3 *reader;
    naxd__stmt_cache reader_stmts;

    /* Shared between the app thread and the writer, under `lock`. */
    pthread_mutex_t lock;
    pthread_cond_t work;   /* the writer waits for jobs or stop */
    pthread_cond_t synced; /* app threads wait for sync jobs */
    naxd__job *head, *tail;
    naxd__tally *tally;
    naxd_store_state state;
    unsigned int fail_next; /* test: transactions still to fail */
    int stopping;

    pthread_t thread;
    int thread_started;
};

/* The writer thread's body. */
void *naxd__writer_main(void *arg);
/* Queues a sync job and waits until the writer has run it; returns its result. */
int naxd__writer_call(naxd_store *s, int (*run)(naxd_store *s, void *arg), void *arg);

/* Opening: directory, file mode, connections, PRAGMAs and migrations. */
int naxd__open_writer(naxd_store *s);
int naxd__open_reader(naxd_store *s);
int naxd__migrate(sqlite3 *db);
/* Closes a connection; a busy close means a leaked statement, logged and fixed. */
void naxd__close_db(sqlite3 *db, const char *name);

#endif /* NAXD_STORE_INTERNAL_H */

/*
 * naxd application: the exchange's in-memory state, the request pipeline,
 * and the helpers every route handler uses. Everything here runs on the app
 * thread (the lws service thread), so no locks.
 *
 * A request goes: http -> naxd_app_dispatch (fault injection, rate limits,
 * authentication, scope, idempotency) -> the route's handler. A handler that
 * changes state:
 *   1. validates (replying 4xx and returning on bad input),
 *   2. applies the change to memory (engine, maps),
 *   3. records it in a naxd_mut (SQL + audit), and
 *   4. finishes with naxd_mut_commit_*; the reply is sent only once the batch
 *      is durable. If the commit fails the client gets 503 and memory is rebuilt
 *      from the store before any further mutation is accepted.
 * A handler that only reads replies with naxd_ok(): the reply waits until every
 * change applied before it is durable, so no one sees state that could vanish.
 */
#ifndef NAXD_APP_H
#define NAXD_APP_H

#include <stddef.h>
#include <stdint.h>

#include <nax.h>

#include "app/config.h"
#include "app/map.h"
#include "auth/password.h"
#include "engine/engine.h"
#include "http/http.h"
#include "http/metrics.h"
#include "http/ratelimit.h"
#include "store/store.h"

/* The exchange's own account: receives trading fees. Outside the user id range. */
#define NAXD_FEE_ACCOUNT ((uint64_t)1 << 62)

/* ---- route flags (naxd_route.flags) ------------------------------------- */
enum {
    NAXD_R_PUBLIC = 0,           /* no credentials */
    NAXD_R_USER = 1u << 0,       /* JWT or API key */
    NAXD_R_SESSION = 1u << 1,    /* JWT only (key management, TOTP, profile) */
    NAXD_R_SCOPE_READ = 1u << 2, /* API key scope needed */
    NAXD_R_SCOPE_TRADE = 1u << 3,
    NAXD_R_SCOPE_WITHDRAW = 1u << 4,
    NAXD_R_IDEMPOTENT = 1u << 5,    /* POST: Idempotency-Key honoured and stored */
    NAXD_R_IDEM_REQUIRED = 1u << 6, /* ... and required (orders, wallets, fiat) */
    NAXD_R_AUTH_LIMIT = 1u << 7,    /* the tighter auth rate limit */
    NAXD_R_OPERATOR = 1u << 8,      /* operator token (admin routes) */
    NAXD_R_FAULT_ONLY = 1u << 9,    /* exists only with --fault-injection */
    NAXD_R_MUTATES = 1u << 10       /* refused with 503 while the store is failed */
};

/* ---- in-memory records ---------------------------------------------------- */

typedef struct naxd_user {
    uint64_t id;
    char *email; /* lower-cased */
    char *password_hash;
    char *full_name, *country, *phone; /* NULL when unset */
    nax_kyc_status kyc_status;
    char *kyc_reason;
    int64_t kyc_updated_at;
    char *totp_secret; /* base32; set at enable, live once totp_enabled */
    int totp_enabled;
    int64_t totp_last_step; /* refuses reuse of a code; memory only */
    int64_t created_at;
    int reserved; /* registration in progress: email taken, user not yet durable */
} naxd_user;

typedef struct naxd_api_key_rec {
    char *id; /* "ak_..." */
    uint64_t user;
    char *label;
    unsigned int scopes;
    char *secret;
    int64_t created_at, last_used_at;
    int revoked;
    int last_used_dirty; /* last_used_at not yet written */
} naxd_api_key_rec;

typedef struct naxd_refresh {
    char *token_hash; /* hex SHA-256 of the token; the token itself is never kept */
    char *family;
    uint64_t user;
    int64_t expires_at; /* ms */
    int used, revoked;
} naxd_refresh;

/* Pending money movements (completed ones live only in the store). */
typedef struct naxd_pending_tx {
    uint64_t id;
    int fiat; /* 1: fiat_txs, 0: wallet_txs */
    uint64_t user;
    char *asset; /* currency for fiat */
    nax_tx_type type;
    nax_decimal amount, fee;
    char *reference; /* provider reference */
    int64_t created_at;
} naxd_pending_tx;

/* What authenticated the request. */
typedef struct naxd_principal {
    naxd_user *user;           /* NULL for public routes */
    naxd_api_key_rec *api_key; /* set for API-key requests */
    char family[48];           /* session family for JWT requests */
    char actor[64]; /* audit actor: "user:u_1", "apikey:ak_x", "provider:payments", ... */
} naxd_principal;

typedef struct naxd_idem naxd_idem; /* idempotency entry, app/idempotency.c */

/* Per-request app state, attached with naxd_req_set_data. */
typedef struct naxd_ctx {
    struct naxd_app *app;
    naxd_principal who;
    char *idem_key;      /* "scope\nkey" of the in-flight idempotency entry, or NULL */
    uint64_t generation; /* app->generation when the request started */
    unsigned int fault;  /* NAXD_FAULT_* for this request */
    int fault_status;    /* status for error faults */
    uint32_t fault_delay_ms;
    uint32_t fault_retry_after_s;
    int alloc_window; /* this request opened the armed allocation failure's window */
} naxd_ctx;

enum {
    NAXD_FAULT_ERROR_BEFORE = 1u << 0, /* reply fault_status, nothing applied */
    NAXD_FAULT_ERROR_AFTER = 1u << 1,  /* commit, then reply fault_status */
    NAXD_FAULT_DROP_AFTER = 1u << 2,   /* commit, then drop the connection */
    NAXD_FAULT_DELAY = 1u << 3,        /* wait fault_delay_ms before handling */
    NAXD_FAULT_RATE_LIMIT = 1u << 4,   /* 429 with Retry-After fault_retry_after_s */
    NAXD_FAULT_COMMIT_FAIL = 1u << 5   /* the commit fails as on an I/O error */
};

typedef struct naxd_fault_rule naxd_fault_rule; /* app/fault.c */

typedef struct naxd_market_data naxd_market_data; /* app/h_markets.c */

typedef struct naxd_app {
    naxd_config *cfg;
    naxd_engine *engine;
    naxd_store *store;
    naxd_http *http;
    naxd_route *routes; /* owned; the server borrows it */
    /* HMAC keys prepared once (lib/auth): cfg->jwt_key, and the fixed key of
     * idempotency request hashes; every request MACs with one of them. */
    struct nax__hmac_key *jwt_mac, *idem_mac;
    int fault_mode;
    int64_t clock_skew_ms; /* fault mode: added to the server clock */

    /* users and credentials */
    naxd_map users_by_id;        /* u64 -> naxd_user* (owns) */
    naxd_map users_by_email;     /* str -> naxd_user* (borrowed) */
    naxd_map api_keys;           /* str id -> naxd_api_key_rec* (owns) */
    naxd_map refresh_tokens;     /* str hash -> naxd_refresh* (owns) */
    naxd_map revoked_families;   /* str family -> (void*)1 */
    naxd_map seen_signatures;    /* str "key:ts:sig" -> expiry (replay guard) */
    naxd_map pending_txs;        /* str reference -> naxd_pending_tx* (owns) */
    naxd_map deposit_addresses;  /* str address -> (uintptr_t)user id */
    naxd_map webhook_ids;        /* str id -> (void*)1: seen, durable or in flight */
    naxd_map deposit_hashes;     /* "address\ntx_hash", hash lower-cased -> (void*)1: credited
                                    deposits, durable or in flight */
    naxd_map idem;               /* str "scope\nkey" -> naxd_idem* (owns) */
    naxd_map pending_client_ids; /* str "user\ncid" -> (void*)1, orders not yet durable */

    /* id counters (persisted in the counters table) */
    uint64_t next_user_id, next_order_id, next_tx_id, next_doc_id;

    /* rate limits */
    naxd_limiter *limit_ip, *limit_user, *limit_key, *limit_auth, *limit_login_fail, *limit_totp;
    int64_t started_ms; /* signed requests from before this are refused (replays) */

    /* Bumped by every reload of memory from the store. Work that resumes
     * asynchronously (worker jobs, timers) compares it and answers 503 instead
     * of touching records that no longer exist. Never keep naxd_user * or
     * other record pointers across an async boundary without this check. */
    uint64_t generation;

    /* store health */
    int store_failed;                     /* a commit failed: mutations refused */
    int reload_needed;                    /* memory holds changes that were not saved */
    int64_t probe_wait_ms, next_probe_ms; /* probe backoff */

    naxd_market_data *market_data; /* per market: last trade, 24 h volume, ticker seq */
    uint64_t ticker_seq_floor;     /* highest ticker seq before a reload: seqs never go back */

    /* the market stream (server/stream), fed by app/publish.c */
    struct naxd_stream *stream;
    naxd_map order_cids;          /* u64 order id -> char* client order id, open orders (owns) */
    uint64_t published_trade_seq; /* highest trade id whose events were published */

    /* fault scripts */
    naxd_fault_rule *fault_rules;

    /* metrics */
    naxd_counter *m_orders, *m_fills, *m_commit_failures;
    naxd_histogram *m_commit_latency;
} naxd_app;

/* ---- lifecycle (app/app.c) ------------------------------------------------- */

int naxd_app_open(naxd_app **out, naxd_config *cfg, int fault_mode);
int naxd_app_run(naxd_app *a); /* until SIGTERM/SIGINT; 0 on a clean stop */
void naxd_app_close(naxd_app *a);
/* Rebuild all memory from the store (start-up, and after a failed commit). */
int naxd_app_load(naxd_app *a);
/* Free all in-memory state (before a reload, and at close). */
void naxd_app_clear(naxd_app *a);

/* The route table (app/routes.c), with the configured body limits; the
 * caller frees it (nax__free) after the server. */
naxd_route *naxd_app_routes(size_t *count, const naxd_config *cfg);
void naxd_app_dispatch(naxd_req *req, const naxd_route *route, void *app);
/* naxd_http_options.admit: refuses throttled or credential-less requests
 * before their body is read. */
int naxd_app_admit(naxd_req *req, const naxd_route *route, void *app, const char **code,
                   const char **message);

/* ---- time and ids (app/util.c) --------------------------------------------- */

int64_t naxd_now_ms(const naxd_app *a); /* wall clock + fault skew */
/* "u_12", "o_9001", "t_5", "wtx_3", "ftx_4", "doc_7" */
void naxd_fmt_id(char *out, size_t size, const char *prefix, uint64_t id);
/* Parses prefix + decimal digits; 0 when malformed. */
uint64_t naxd_parse_id(const char *text, const char *prefix);

naxd_ctx *naxd_ctx_of(naxd_req *req);
naxd_user *naxd_user_by_id(naxd_app *a, uint64_t id);

/* ---- replies (app/reply.c) --------------------------------------------------- */

/* Success reply with a typed body (NULL obj + NAX_TYPE_NONE for no body).
 * Waits for earlier changes to be durable before sending. */
void naxd_ok(naxd_app *a, naxd_req *req, int status, nax_type type, const void *obj);
/* naxd_ok with a ready JSON body of len bytes (copied if the reply must wait;
 * NULL, 0 for no body). */
void naxd_ok_raw(naxd_app *a, naxd_req *req, int status, const char *json, size_t len);
/* Error reply with the one error body; field may be NULL. */
void naxd_fail(naxd_req *req, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* 400 from the codec's nax_error_last() after nax_decode failed: invalid_json
 * (syntax, duplicate member) or invalid_request (schema), with the field. */
void naxd_fail_decode(naxd_req *req);
/* Decode the request body as `type`; on failure replies 400 and returns non-zero. */
int naxd_decode_body(naxd_req *req, nax_type type, void *out_obj);

/* ---- mutations (app/mutation.c) -------------------------------------------- */

typedef struct naxd_mut naxd_mut;
typedef void (*naxd_mut_done_fn)(naxd_app *a, void *arg, int status);

/* Starts a mutation for req. NULL after replying (503 while the store is
 * failed, 500 on OOM). */
naxd_mut *naxd_mut_begin(naxd_app *a, naxd_req *req);
naxd_batch *naxd_mut_batch(naxd_mut *m);
/* Audit record with the request's actor and id; before/after JSON or NULL. */
int naxd_mut_audit(naxd_mut *m, const char *action, const char *before_json,
                   const char *after_json);
/* Runs after the outcome is known, before the reply (status 0 = durable).
 * On failure, memory is still the speculative state (the reload comes after
 * every pending batch has reported). */
void naxd_mut_on_done(naxd_mut *m, naxd_mut_done_fn fn, void *arg);
/* Encode the reply now (stored with the idempotency key in the same batch),
 * submit, and send it once durable. type NAX_TYPE_NONE with obj NULL = no body. */
void naxd_mut_commit(naxd_mut *m, int status, nax_type type, const void *obj);
/* naxd_mut_commit with a ready JSON body of len bytes (copied; NULL, 0 for
 * no body). */
void naxd_mut_commit_raw(naxd_mut *m, int status, const char *json, size_t len);
/* Memory holds the change but its reply could not be built: submit the batch
 * so that it fails like a commit (on_done gets the failure, memory is
 * rebuilt, the client gets 503). */
void naxd_mut_fail(naxd_mut *m);
/* Drop the mutation (nothing submitted); the caller replies. Only before any
 * memory change was made. */
void naxd_mut_abort(naxd_mut *m);

/* Persist a counter value in a batch. */
int naxd_batch_counter(naxd_batch *b, const char *name, uint64_t value);
/* Persist a balance (after an engine change) in a batch. */
int naxd_batch_balance(naxd_batch *b, uint64_t user, const char *asset,
                       const nax_decimal *available, const nax_decimal *locked);
/* Persist every balance of an engine exec result. */
int naxd_batch_exec_balances(naxd_batch *b, const naxd_exec *x);

/* ---- authentication (app/authn.c) -------------------------------------------- */

/* Called by dispatch for routes with NAXD_R_USER/SESSION/OPERATOR: checks the
 * Bearer JWT (or operator token) or the API-key signature headers, the
 * receive window, replays and the route's scope; fills naxd_ctx_of(req)->who.
 * Returns 1 when it replied (401 with code token_expired, invalid_token,
 * token_revoked, invalid_signature, timestamp_out_of_window, replayed_request,
 * invalid_api_key; 403 insufficient_scope), 0 to go on. */
int naxd_authenticate(naxd_app *a, naxd_req *req, const naxd_route *route);
/* Checks a TOTP code of u. Spends one attempt of the user's two-factor
 * budget first (given back when the code is good), so concurrent guesses
 * cannot slip past the limit, and refuses a code whose step is not after the
 * last one used. Returns the matched step, or -1 after replying: 429
 * too_many_attempts, `fail_status` `fail_code` on `field` for a wrong code. */
int64_t naxd_totp_check(naxd_app *a, naxd_req *req, naxd_user *u, const char *code, int fail_status,
                        const char *fail_code, const char *field);
/* Marks step used, in memory and (for restarts) in b. */
int naxd_totp_use(naxd_user *u, naxd_batch *b, int64_t step);

/* Writes api_keys.last_used_at for keys used since the last flush (timer). */
void naxd_flush_api_key_use(naxd_app *a);

/* Issue a token pair for user in a (new or rotated) family; writes the refresh
 * record into m's batch and memory. */
int naxd_issue_tokens(naxd_app *a, naxd_mut *m, naxd_user *u, const char *family, nax_token *out,
                      nax_buf *access, nax_buf *refresh);

/* ---- idempotency (app/idempotency.c) ------------------------------------------ */

/* Called by dispatch. Returns 1 when the request was answered (replay from
 * the store, 409 while the key is in flight, 422, 400 for a missing required
 * key, 503 when the store cannot be read), 0 to go on. */
int naxd_idem_begin(naxd_app *a, naxd_req *req, const naxd_route *route);
/* In m's batch: store the response for the request's key. */
int naxd_idem_record(naxd_app *a, naxd_req *req, naxd_batch *b, int status, const void *body,
                     size_t len);
/* After the request is answered: the key is no longer in flight. Its answer
 * is in the store when the request committed; otherwise the key can be
 * retried (failure, or the handler replied 4xx/5xx without committing). */
void naxd_idem_finish(naxd_app *a, naxd_req *req);
void naxd_idem_prune(naxd_app *a, int64_t now_ms); /* 24 h retention */

/* ---- handlers (app/h_*.c) ---------------------------------------------------- */

#define NAXD_HANDLER(name) void name(naxd_req *req, void *app)
/* auth, users, api keys, totp, kyc: app/h_auth.c, app/h_users.c */
NAXD_HANDLER(h_register);
NAXD_HANDLER(h_login);
NAXD_HANDLER(h_refresh);
NAXD_HANDLER(h_logout);
NAXD_HANDLER(h_api_key_create);
NAXD_HANDLER(h_api_key_list);
NAXD_HANDLER(h_api_key_delete);
NAXD_HANDLER(h_totp_enable);
NAXD_HANDLER(h_totp_confirm);
NAXD_HANDLER(h_totp_disable);
NAXD_HANDLER(h_profile_get);
NAXD_HANDLER(h_profile_put);
NAXD_HANDLER(h_kyc_status);
NAXD_HANDLER(h_kyc_upload);
/* markets: app/h_markets.c */
NAXD_HANDLER(h_markets);
NAXD_HANDLER(h_ticker);
NAXD_HANDLER(h_orderbook);
NAXD_HANDLER(h_trades);
NAXD_HANDLER(h_time);
/* orders: app/h_orders.c */
NAXD_HANDLER(h_order_place);
NAXD_HANDLER(h_order_list);
NAXD_HANDLER(h_order_get);
NAXD_HANDLER(h_order_cancel);
NAXD_HANDLER(h_order_cancel_all);
NAXD_HANDLER(h_fills);
/* wallets, fiat, webhooks: app/h_wallets.c, app/h_fiat.c, app/h_webhooks.c */
NAXD_HANDLER(h_balances);
NAXD_HANDLER(h_deposit_address);
NAXD_HANDLER(h_withdraw);
NAXD_HANDLER(h_wallet_txs);
NAXD_HANDLER(h_fiat_deposit);
NAXD_HANDLER(h_fiat_withdraw);
NAXD_HANDLER(h_fiat_txs);
NAXD_HANDLER(h_webhook);
/* GraphQL (Shift adapter's endpoint): app/h_graphql.c */
NAXD_HANDLER(h_graphql);
/* operations and admin: app/h_ops.c, app/h_admin.c */
NAXD_HANDLER(h_health);
NAXD_HANDLER(h_metrics);
NAXD_HANDLER(h_admin_kyc);
NAXD_HANDLER(h_admin_faults);
NAXD_HANDLER(h_admin_faults_clear);
NAXD_HANDLER(h_admin_faults_get);
NAXD_HANDLER(h_admin_stream_faults);
/* the live market page (GET /, GET /assets/{file}): app/h_page.c */
NAXD_HANDLER(h_page);
/* the stream fan-out benchmark's publisher (fault mode): app/h_bench.c */
NAXD_HANDLER(h_admin_stream_bench);
NAXD_HANDLER(h_admin_stream_bench_ack);

/* Loading per area (rebuild memory from the store), called by naxd_app_load. */
int naxd_load_users(naxd_app *a);  /* users, api keys, refresh tokens (h_auth/h_users) */
int naxd_load_money(naxd_app *a);  /* pending txs, deposit addresses, webhook ids (wallets/fiat) */
int naxd_load_orders(naxd_app *a); /* balances and open orders into the engine (orders) */

/* Reading store rows (app/util.c). column_dup copies a text column (NULL for
 * SQL NULL; sets *oom when the copy fails); column_decimal parses one (zero
 * and NAX_EINVAL when NULL or malformed). */
char *naxd_column_dup(sqlite3_stmt *st, int col, int *oom);
int naxd_column_decimal(sqlite3_stmt *st, int col, nax_decimal *out);

/* An unsigned query parameter in [min, max], dflt when absent. Replies 400
 * naming the parameter and returns non-zero when it is malformed. */
int naxd_query_u32(naxd_req *req, const char *name, uint32_t min, uint32_t max, uint32_t dflt,
                   uint32_t *out);

/* Pagination helpers (app/util.c): limit (1..1000, default) and an opaque
 * cursor carrying the last id. Reply 400 and return non-zero when bad. */
int naxd_page_params(naxd_req *req, uint32_t default_limit, uint32_t *limit, uint64_t *before_id);
void naxd_page_cursor(char *out, size_t size, uint64_t last_id); /* for next_cursor */

#endif /* NAXD_APP_H */

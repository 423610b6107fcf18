/* Helpers private to the app pipeline (not for handlers). */
#ifndef NAXD_APP_INTERNAL_H
#define NAXD_APP_INTERNAL_H

#include "app/app.h"

/* Allocates the request's context (dispatch). NULL on OOM. */
naxd_ctx *naxd__ctx_attach(naxd_app *a, naxd_req *req);
/* Frees the request's context; after this naxd_ctx_of(req) is NULL. */
void naxd__ctx_release(naxd_req *req);
/* Sends a success reply body, applying after-commit faults; releases the ctx. */
void naxd__send(naxd_req *req, int status, const char *body, size_t len);
/* Answers once the request's batch (its change, or the barrier before a read)
 * reported: 503 store_unavailable with failure_message when outcome is
 * non-zero, else finishes the idempotency entry and sends status + body. */
void naxd__reply_after(naxd_app *a, naxd_req *req, int outcome, const char *failure_message,
                       int status, const char *body, size_t len);
/* A batch failed: refuse writes, rebuild memory once drained, probe with backoff. */
void naxd__store_failed(naxd_app *a);
/* Reloads memory from the store once a failed commit has drained. */
void naxd__maybe_reload(naxd_app *a);
/* Fault rules (app/fault.c): fill ctx->fault* for this request. 0, or 1 when replied
 * (malformed X-NAX-Fault header). */
int naxd__fault_match(naxd_app *a, naxd_req *req, const naxd_route *route, naxd_ctx *ctx);
void naxd__fault_clear(naxd_app *a);
/* The allocator of --fault-injection (app/fault_alloc.c): the C library's with
 * one failure that can be armed for the next non-admin request: its k-th
 * allocation fails (k <= 0 disarms). begin() at that request's dispatch opens
 * its window (1 when it did), end() when its context is released closes it
 * and records how many allocations were left (0: the failure fired). */
const nax_allocator *naxd__fault_allocator(void);
void naxd__fault_fail_allocation(long k);
int naxd__fault_alloc_begin(void);
void naxd__fault_alloc_end(void);
typedef struct naxd_fault_alloc_state {
    long pending;    /* armed for the next request; 0: none */
    int window_open; /* a request is being counted */
    long last_k;     /* k of the last window, -1 before the first */
    long last_left;  /* allocations left when it closed; 0: the k-th failed */
} naxd_fault_alloc_state;
void naxd__fault_alloc_state(naxd_fault_alloc_state *s);
/* Forgets the idempotency requests in flight (app/idempotency.c). */
void naxd__idem_clear(naxd_app *a);
/* Market data (app/h_markets.c). */
int naxd__market_data_load(naxd_app *a);
void naxd__market_data_free(naxd_app *a);
/* One durable change of a market (its trades, oldest first, or only a book
 * change when count is 0): the ticker's seq rises by one. */
void naxd__market_data_change(naxd_app *a, const char *pair, const nax_trade *const *trades,
                              size_t count, int64_t ts);
/* The ticker's last price, volume, seq and ts (bid and ask are the caller's:
 * NULL here). last must outlive t. NAX_ENOTFOUND for an unknown pair. */
int naxd__market_data_ticker(naxd_app *a, const char *pair, nax_decimal *last, nax_ticker *t);

/* Creates a->stream with the app's hooks and the configured limits
 * (app/stream_hooks.c); metrics are attached once the server exists. */
int naxd__stream_open(naxd_app *a);

/* ---- credential checks shared by requests and the stream (app/authn.c) ---- */

/* Why a credential was refused: the HTTP answer (status, code, field) and a
 * message; the stream reports code and message in its auth ack. */
typedef struct naxd_authn_fail {
    int status;        /* 401, 400 (bad receive window) or 500 */
    const char *code;  /* static, e.g. "token_expired", "invalid_signature" */
    const char *field; /* static header name or NULL */
    char message[200];
} naxd_authn_fail;

/* A JWT access token: 0 with its user, session family (family_size bytes,
 * 48 fit) and expiry (ms since the epoch, may be NULL); -1 with f filled. */
int naxd__authn_jwt(naxd_app *a, const char *token, naxd_user **user, char *family,
                    size_t family_size, int64_t *expires_ms, naxd_authn_fail *f);

/* An API-key signature over timestamp + method + target + body. */
typedef struct naxd_signed {
    const char *key_id, *timestamp, *signature;
    const char *window; /* receive window in ms as text, NULL for the configured one */
    const char *method, *target;
    const char *body;
    size_t body_len;
} naxd_signed;

/* What a signed request is checked against once its key is known: no app,
 * so the checks can be tested and fuzzed alone. */
typedef struct naxd_sig_check {
    const char *secret;    /* the key's secret */
    int64_t now_ms;        /* the server's clock, ms since the epoch */
    int64_t window_ms;     /* the configured receive window */
    int64_t not_before_ms; /* the process's start (plus clock offset): older is refused */
    naxd_map *seen;        /* the replay guard, "key:ts:sig" -> expiry; NULL: none */
} naxd_sig_check;

/* The timestamp (decimal ms), the receive window (s->window or the
 * configured one), the signature (constant-time compare) and, when c->seen
 * is set, the replay guard, which then remembers it. s->key_id at most 64
 * bytes. 0 when accepted; -1 with f filled. */
int naxd__signature_verify(const naxd_signed *s, const naxd_sig_check *c, naxd_authn_fail *f);

/* Checks the key, the receive window, the signature and the replay guard,
 * and marks the key used: 0 with the key and its user; -1 with f filled.
 * Scopes are the caller's to check. */
int naxd__authn_signature(naxd_app *a, const naxd_signed *s, naxd_api_key_rec **key,
                          naxd_user **user, naxd_authn_fail *f);

#endif

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
/* Idempotency entries from the store (app/idempotency.c). */
int naxd__load_idempotency(naxd_app *a);
void naxd__idem_clear(naxd_app *a);
/* Market data (app/h_markets.c). */
int naxd__market_data_load(naxd_app *a);
void naxd__market_data_free(naxd_app *a);
/* Record trades into market data after a durable commit. */
void naxd__market_data_trade(naxd_app *a, const char *pair, const nax_decimal *price,
                             const nax_decimal *qty, int64_t ts);
void naxd__market_data_touch(naxd_app *a, const char *pair);

#endif

/* The route table and the request pipeline in front of every handler. */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/internal.h"
#include "core/core.h"

#define KYC_BODY (12u << 20)
enum {
    PUB = NAXD_R_PUBLIC,
    USER_R = NAXD_R_USER | NAXD_R_SCOPE_READ,
    USER_T = NAXD_R_USER | NAXD_R_SCOPE_TRADE | NAXD_R_MUTATES,
    USER_W = NAXD_R_USER | NAXD_R_SCOPE_WITHDRAW | NAXD_R_MUTATES,
    SESS = NAXD_R_USER | NAXD_R_SESSION,
    IDEM = NAXD_R_IDEMPOTENT,
    IDEM_REQ = NAXD_R_IDEMPOTENT | NAXD_R_IDEM_REQUIRED,
    MUT = NAXD_R_MUTATES,
    AUTH = NAXD_R_AUTH_LIMIT
};

static const naxd_route routes[] = {
    {NAXD_POST, "/v1/auth/register", "POST /v1/auth/register", h_register, PUB | AUTH | IDEM | MUT,
     0},
    {NAXD_POST, "/v1/auth/login", "POST /v1/auth/login", h_login, PUB | AUTH | MUT, 0},
    {NAXD_POST, "/v1/auth/refresh", "POST /v1/auth/refresh", h_refresh, PUB | AUTH | MUT, 0},
    {NAXD_POST, "/v1/auth/logout", "POST /v1/auth/logout", h_logout, SESS | MUT, 0},
    {NAXD_POST, "/v1/auth/api-keys", "POST /v1/auth/api-keys", h_api_key_create, SESS | IDEM | MUT,
     0},
    {NAXD_GET, "/v1/auth/api-keys", "GET /v1/auth/api-keys", h_api_key_list, SESS, 0},
    {NAXD_DELETE, "/v1/auth/api-keys/{id}", "DELETE /v1/auth/api-keys/{id}", h_api_key_delete,
     SESS | MUT, 0},
    {NAXD_POST, "/v1/auth/totp/enable", "POST /v1/auth/totp/enable", h_totp_enable, SESS | MUT, 0},
    {NAXD_POST, "/v1/auth/totp/confirm", "POST /v1/auth/totp/confirm", h_totp_confirm, SESS | MUT,
     0},
    {NAXD_POST, "/v1/auth/totp/disable", "POST /v1/auth/totp/disable", h_totp_disable, SESS | MUT,
     0},
    {NAXD_GET, "/v1/users/profile", "GET /v1/users/profile", h_profile_get, USER_R, 0},
    {NAXD_PUT, "/v1/users/profile", "PUT /v1/users/profile", h_profile_put, SESS | MUT, 0},
    {NAXD_GET, "/v1/users/kyc-status", "GET /v1/users/kyc-status", h_kyc_status, USER_R, 0},
    {NAXD_POST, "/v1/users/kyc-documents", "POST /v1/users/kyc-documents", h_kyc_upload,
     SESS | IDEM | MUT, KYC_BODY},
    {NAXD_GET, "/v1/markets", "GET /v1/markets", h_markets, PUB, 0},
    {NAXD_GET, "/v1/markets/{pair}/ticker", "GET /v1/markets/{pair}/ticker", h_ticker, PUB, 0},
    {NAXD_GET, "/v1/markets/{pair}/orderbook", "GET /v1/markets/{pair}/orderbook", h_orderbook, PUB,
     0},
    {NAXD_GET, "/v1/markets/{pair}/trades", "GET /v1/markets/{pair}/trades", h_trades, PUB, 0},
    {NAXD_GET, "/v1/time", "GET /v1/time", h_time, PUB, 0},
    {NAXD_POST, "/v1/orders", "POST /v1/orders", h_order_place, USER_T | IDEM_REQ, 0},
    {NAXD_GET, "/v1/orders", "GET /v1/orders", h_order_list, USER_R, 0},
    {NAXD_DELETE, "/v1/orders", "DELETE /v1/orders", h_order_cancel_all, USER_T, 0},
    {NAXD_GET, "/v1/orders/{id}", "GET /v1/orders/{id}", h_order_get, USER_R, 0},
    {NAXD_DELETE, "/v1/orders/{id}", "DELETE /v1/orders/{id}", h_order_cancel, USER_T, 0},
    {NAXD_GET, "/v1/trades/history", "GET /v1/trades/history", h_fills, USER_R, 0},
    {NAXD_GET, "/v1/wallets/balances", "GET /v1/wallets/balances", h_balances, USER_R, 0},
    {NAXD_POST, "/v1/wallets/deposit-address", "POST /v1/wallets/deposit-address",
     h_deposit_address, USER_T | IDEM_REQ, 0},
    {NAXD_POST, "/v1/wallets/withdraw", "POST /v1/wallets/withdraw", h_withdraw, USER_W | IDEM_REQ,
     0},
    {NAXD_GET, "/v1/wallets/transactions", "GET /v1/wallets/transactions", h_wallet_txs, USER_R, 0},
    {NAXD_POST, "/v1/fiat/deposit", "POST /v1/fiat/deposit", h_fiat_deposit, USER_T | IDEM_REQ, 0},
    {NAXD_POST, "/v1/fiat/withdraw", "POST /v1/fiat/withdraw", h_fiat_withdraw, USER_W | IDEM_REQ,
     0},
    {NAXD_GET, "/v1/fiat/transactions", "GET /v1/fiat/transactions", h_fiat_txs, USER_R, 0},
    {NAXD_POST, "/v1/webhooks/{provider}", "POST /v1/webhooks/{provider}", h_webhook, PUB | MUT, 0},
    {NAXD_POST, "/graphql", "POST /graphql", h_graphql, NAXD_R_USER | IDEM, 0},
    {NAXD_GET, "/health", "GET /health", h_health, PUB, 0},
    {NAXD_GET, "/metrics", "GET /metrics", h_metrics, PUB, 0},
    {NAXD_GET, "/", "GET /", h_page, PUB, 0},
    {NAXD_GET, "/assets/{file}", "GET /assets/{file}", h_page, PUB, 0},
    {NAXD_POST, "/admin/stream-bench", "POST /admin/stream-bench", h_admin_stream_bench,
     NAXD_R_FAULT_ONLY | NAXD_R_OPERATOR, 0},
    {NAXD_POST, "/admin/stream-bench/ack", "POST /admin/stream-bench/ack", h_admin_stream_bench_ack,
     NAXD_R_FAULT_ONLY | NAXD_R_OPERATOR, 0},
    {NAXD_POST, "/admin/users/{id}/kyc", "POST /admin/users/{id}/kyc", h_admin_kyc,
     NAXD_R_OPERATOR | MUT, 0},
    {NAXD_POST, "/admin/faults", "POST /admin/faults", h_admin_faults,
     NAXD_R_FAULT_ONLY | NAXD_R_OPERATOR, 0},
    {NAXD_DELETE, "/admin/faults", "DELETE /admin/faults", h_admin_faults_clear,
     NAXD_R_FAULT_ONLY | NAXD_R_OPERATOR, 0},
    {NAXD_GET, "/admin/faults", "GET /admin/faults", h_admin_faults_get,
     NAXD_R_FAULT_ONLY | NAXD_R_OPERATOR, 0},
    {NAXD_POST, "/admin/stream-faults", "POST /admin/stream-faults", h_admin_stream_faults,
     NAXD_R_FAULT_ONLY | NAXD_R_OPERATOR, 0},
};

naxd_route *naxd_app_routes(size_t *count, const naxd_config *cfg)
{
    *count = sizeof(routes) / sizeof(routes[0]);
    naxd_route *copy = nax__malloc(sizeof(routes));
    if (!copy)
        return NULL;
    memcpy(copy, routes, sizeof(routes));
    for (size_t i = 0; i < *count; i++)
        if (copy[i].max_body == KYC_BODY)
            copy[i].max_body = cfg->max_kyc_body;
    return copy;
}

/* ---- request context ------------------------------------------------------------ */

naxd_ctx *naxd__ctx_attach(naxd_app *a, naxd_req *req)
{
    naxd_ctx *ctx = nax__calloc(1, sizeof(*ctx));
    if (!ctx)
        return NULL;
    ctx->app = a;
    ctx->generation = a->generation;
    naxd_req_set_data(req, ctx);
    return ctx;
}

void naxd__ctx_release(naxd_req *req)
{
    naxd_ctx *ctx = naxd_req_data(req);
    if (!ctx)
        return;
    int window = ctx->alloc_window;
    nax__free(ctx->idem_key);
    nax__free(ctx);
    naxd_req_set_data(req, NULL);
    /* The reply is queued (rendered): the request's allocations are done. */
    if (window)
        naxd__fault_alloc_end();
}

/* ---- rate limits ------------------------------------------------------------------ */

/* Takes a token; replies 429 when there is none. RateLimit-* headers describe
 * the most specific bucket only (the caller's, else the address's), so the
 * address bucket reports them only when it is the last one or refuses. */
static int limited(naxd_req *req, naxd_limiter *l, const char *key, int last)
{
    naxd_limit lim;
    naxd_limiter_take(l, key, naxd_req_start_ns(req), &lim);
    if (last || !lim.allowed)
        naxd_req_ratelimit_headers(req, &lim);
    if (lim.allowed)
        return 0;
    char ra[16];
    snprintf(ra, sizeof ra, "%u", lim.retry_after_s ? lim.retry_after_s : 1);
    naxd_reply_error(req, 429, "rate_limited", NULL, "too many requests; retry after %s s", ra);
    naxd__ctx_release(req);
    return 1;
}

/* ---- before the body ------------------------------------------------------------------ */

int naxd_app_admit(naxd_req *req, const naxd_route *route, void *app, const char **code,
                   const char **message)
{
    naxd_app *a = app;
    /* A throttled address, or a private route without any credentials, is
     * refused before its body is read, so that neither can make the server
     * hold megabytes of upload. */
    naxd_limit lim;
    naxd_limiter_peek((route->flags & NAXD_R_AUTH_LIMIT) ? a->limit_auth : a->limit_ip,
                      naxd_req_peer(req), naxd_req_start_ns(req), &lim);
    if (!lim.allowed) {
        naxd_req_ratelimit_headers(req, &lim);
        *code = "rate_limited";
        *message = "too many requests";
        return 429;
    }
    int any_credential =
        naxd_req_header(req, "authorization") || naxd_req_header(req, "x-nax-apikey") ||
        naxd_req_header(req, "x-nax-signature") || naxd_req_header(req, "x-nax-timestamp");
    if ((route->flags & (NAXD_R_USER | NAXD_R_OPERATOR)) && !any_credential) {
        /* The same answers naxd_authenticate gives when nothing is sent. */
        naxd_req_add_header(req, "WWW-Authenticate", "Bearer");
        int op = (route->flags & NAXD_R_OPERATOR) != 0;
        *code = op ? "invalid_token" : "unauthorized";
        *message = op ? "a valid operator token is required"
                      : "credentials required: a Bearer token or a signed API-key request";
        return 401;
    }
    return 0;
}

/* ---- the pipeline -------------------------------------------------------------------- */

static void run_handler(naxd_app *a, naxd_req *req, const naxd_route *route)
{
    naxd_ctx *ctx = naxd_ctx_of(req);
    if (route->flags & (NAXD_R_USER | NAXD_R_OPERATOR)) {
        if (naxd_authenticate(a, req, route))
            return;
        if (ctx->who.api_key) {
            if (limited(req, a->limit_key, ctx->who.api_key->id, 1))
                return;
        } else if (ctx->who.user) {
            char key[32];
            naxd_fmt_id(key, sizeof key, "u_", ctx->who.user->id);
            if (limited(req, a->limit_user, key, 1))
                return;
        }
    }
    if ((route->flags & NAXD_R_MUTATES) && a->store_failed) {
        naxd_fail(req, 503, "store_unavailable", NULL,
                  "the store cannot take writes at the moment; retry shortly");
        return;
    }
    if (naxd_idem_begin(a, req, route))
        return;
    route->handler(req, a);
}

typedef struct delayed {
    naxd_app *a;
    naxd_req *req;
    const naxd_route *route;
} delayed;

static void after_delay(void *arg)
{
    delayed *d = arg;
    run_handler(d->a, d->req, d->route);
    nax__free(d);
}

void naxd_app_dispatch(naxd_req *req, const naxd_route *route, void *app)
{
    naxd_app *a = app;
    if ((route->flags & NAXD_R_FAULT_ONLY) && !a->fault_mode) {
        naxd_reply_error(req, 404, "not_found", NULL, "no such resource");
        return;
    }
    /* An allocation failure armed by POST /admin/faults counts from here. */
    int window = a->fault_mode && !(route->flags & NAXD_R_FAULT_ONLY) && naxd__fault_alloc_begin();
    naxd_ctx *ctx = naxd__ctx_attach(a, req);
    if (!ctx) {
        naxd_reply_error(req, 500, "internal_error", NULL, "out of memory");
        if (window)
            naxd__fault_alloc_end();
        return;
    }
    ctx->alloc_window = window;
    /* GET and DELETE take no body: a body there could only be a second request
     * smuggled under a signature made for the first. */
    size_t body_len = 0;
    naxd_method method = naxd_req_method(req);
    naxd_req_body(req, &body_len);
    if (body_len && (method == NAXD_GET || method == NAXD_DELETE)) {
        naxd_fail(req, 400, "invalid_request", NULL, "this request takes no body");
        return;
    }
    int caller_bucket = (route->flags & (NAXD_R_USER | NAXD_R_OPERATOR)) != 0;
    if (limited(req, (route->flags & NAXD_R_AUTH_LIMIT) ? a->limit_auth : a->limit_ip,
                naxd_req_peer(req), !caller_bucket))
        return;
    if (a->fault_mode && !(route->flags & NAXD_R_FAULT_ONLY)) {
        if (naxd__fault_match(a, req, route, ctx))
            return;
        if (ctx->fault & NAXD_FAULT_RATE_LIMIT) {
            char ra[16];
            snprintf(ra, sizeof ra, "%u", ctx->fault_retry_after_s ? ctx->fault_retry_after_s : 1);
            naxd_req_add_header(req, "Retry-After", ra);
            naxd_reply_error(req, 429, "rate_limited", NULL, "fault injection: rate limited");
            naxd__ctx_release(req);
            return;
        }
        if (ctx->fault & NAXD_FAULT_ERROR_BEFORE) {
            int st = ctx->fault_status ? ctx->fault_status : 503;
            if (ctx->fault_retry_after_s) {
                char ra[16];
                snprintf(ra, sizeof ra, "%u", ctx->fault_retry_after_s);
                naxd_req_add_header(req, "Retry-After", ra);
            }
            naxd_fail(req, st, st == 503 ? "unavailable" : "internal_error", NULL,
                      "fault injection: error before commit");
            return;
        }
        if ((ctx->fault & NAXD_FAULT_DELAY) && ctx->fault_delay_ms) {
            delayed *d = nax__malloc(sizeof(*d));
            if (d) {
                *d = (delayed){a, req, route};
                if (naxd_http_after(a->http, ctx->fault_delay_ms, after_delay, d) == 0)
                    return;
                nax__free(d);
            }
        }
    }
    run_handler(a, req, route);
}

/*
 * Idempotency keys: the same key with the same request returns the stored
 * response; with another request 422; while the first is running 409. Entries
 * are scoped to the caller (user, else client IP), kept 24 h, and written in the
 * same batch as the change they answer, so they survive a restart exactly when
 * the change does.
 *
 * Memory holds only the requests in flight; a finished answer is read back
 * from the store when its key comes again. Keeping every answer for 24 h in
 * memory let a client grow naxd without bound (about 480 bytes per write).
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/internal.h"
#include "auth/auth.h"
#include "core/core.h"

#define IDEM_TTL_MS (24LL * 3600 * 1000)

/* A request in flight under its key. */
struct naxd_idem {
    char hash[65]; /* hex SHA-256 of method, path and body */
    int64_t created_at;
};

static void idem_free(naxd_idem *e)
{
    nax__free(e);
}

static void request_hash(naxd_app *a, naxd_req *req, char out[65])
{
    nax__hmac h;
    unsigned char mac[NAX__SHA256_LEN];
    size_t len;
    const char *body = naxd_req_body(req, &len);
    const naxd_route *r = naxd_req_route(req);
    /* A keyed hash is not needed; HMAC with a fixed key is just SHA-256 in pieces. */
    if (nax__hmac_init_key(&h, a->idem_mac) != 0) {
        memset(out, '0', 64);
        out[64] = 0;
        return;
    }
    nax__hmac_update(&h, r->name, strlen(r->name));
    nax__hmac_update(&h, "\n", 1);
    nax__hmac_update(&h, naxd_req_target(req), strlen(naxd_req_target(req)));
    nax__hmac_update(&h, "\n", 1);
    if (body)
        nax__hmac_update(&h, body, len);
    nax__hmac_final(&h, mac);
    nax__hex_encode(out, mac, sizeof mac);
}

static int valid_key(const char *k)
{
    size_t n = strlen(k);
    if (n < 1 || n > 255)
        return 0;
    for (; *k; k++)
        if (*k < 0x21 || *k > 0x7e)
            return 0;
    return 1;
}

static void scope_of(naxd_req *req, char *out, size_t size)
{
    naxd_ctx *ctx = naxd_ctx_of(req);
    if (ctx && ctx->who.user)
        snprintf(out, size, "u_%llu", (unsigned long long)ctx->who.user->id);
    else
        snprintf(out, size, "ip:%s", naxd_req_peer(req));
}

/* Answers a key already in the store: its response again, or 422 when it
 * came with another request. 0 when the store has no live entry for it. */
static int replay_stored(naxd_app *a, naxd_req *req, const char *scope, const char *key,
                         const char *hash)
{
    sqlite3_stmt *st = naxd_store_query(a->store, "SELECT body_hash, status, response "
                                                  "FROM idempotency WHERE scope = ? AND key = ?"
                                                  " AND created_at >= ?");
    if (!st) {
        naxd_fail(req, 503, "unavailable", NULL, "the store cannot be read; retry shortly");
        return 1;
    }
    sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, naxd_now_ms(a) - IDEM_TTL_MS);
    int step = sqlite3_step(st), answered = 1;
    if (step == SQLITE_ROW) {
        const char *stored_hash = (const char *)sqlite3_column_text(st, 0);
        if (!stored_hash || strcmp(stored_hash, hash) != 0) {
            naxd_fail(req, 422, "idempotency_key_reused", "Idempotency-Key",
                      "this Idempotency-Key was used with a different request");
        } else {
            /* naxd__send copies the body before the statement is reset */
            naxd_req_add_header(req, "Idempotent-Replayed", "true");
            naxd__send(req, sqlite3_column_int(st, 1), sqlite3_column_blob(st, 2),
                       (size_t)sqlite3_column_bytes(st, 2));
        }
    } else if (step == SQLITE_DONE) {
        answered = 0;
    } else {
        naxd_fail(req, 503, "unavailable", NULL, "the store cannot be read; retry shortly");
    }
    sqlite3_reset(st);
    return answered;
}

int naxd_idem_begin(naxd_app *a, naxd_req *req, const naxd_route *route)
{
    if (naxd_req_method(req) != NAXD_POST || !(route->flags & NAXD_R_IDEMPOTENT))
        return 0;
    const char *key = naxd_req_header(req, "idempotency-key");
    if (!key) {
        if (!(route->flags & NAXD_R_IDEM_REQUIRED))
            return 0;
        naxd_fail(req, 400, "idempotency_key_required", "Idempotency-Key",
                  "this request needs an Idempotency-Key header");
        return 1;
    }
    if (!valid_key(key)) {
        naxd_fail(req, 400, "invalid_request", "Idempotency-Key",
                  "Idempotency-Key must be 1 to 255 visible ASCII characters");
        return 1;
    }
    char scope[96];
    scope_of(req, scope, sizeof scope);
    nax_buf full = NAX_BUF_INIT;
    if (nax__buf_printf(&full, "%s\n%s", scope, key) != 0) {
        naxd_fail(req, 500, "internal_error", NULL, "out of memory");
        return 1;
    }
    char hash[65];
    request_hash(a, req, hash);
    naxd_idem *e = naxd_map_get(&a->idem, full.data);
    if (e) {
        nax_buf_dispose(&full);
        naxd_fail(req, 409, "idempotency_in_flight", "Idempotency-Key",
                  "a request with this Idempotency-Key is still being processed");
        return 1;
    }
    int stored = replay_stored(a, req, scope, key, hash);
    if (stored) {
        nax_buf_dispose(&full);
        return 1;
    }
    e = nax__calloc(1, sizeof(*e));
    if (!e || naxd_map_put(&a->idem, full.data, e) != 0) {
        nax__free(e);
        nax_buf_dispose(&full);
        naxd_fail(req, 500, "internal_error", NULL, "out of memory");
        return 1;
    }
    memcpy(e->hash, hash, sizeof hash);
    e->created_at = naxd_now_ms(a);
    naxd_ctx_of(req)->idem_key = full.data; /* owned by the ctx now */
    return 0;
}

int naxd_idem_record(naxd_app *a, naxd_req *req, naxd_batch *b, int status, const void *body,
                     size_t len)
{
    naxd_ctx *ctx = naxd_ctx_of(req);
    naxd_idem *e = ctx && ctx->idem_key ? naxd_map_get(&a->idem, ctx->idem_key) : NULL;
    if (!e)
        return 0;
    const char *nl = strchr(ctx->idem_key, '\n');
    char scope[96];
    size_t slen = (size_t)(nl - ctx->idem_key);
    snprintf(scope, sizeof scope, "%.*s", (int)slen, ctx->idem_key);
    /* the batch keeps its own copy of the response */
    return naxd_batch_sql(b,
                          "INSERT OR REPLACE INTO idempotency(scope, key, body_hash, status, "
                          "response, created_at) VALUES(?, ?, ?, ?, ?, ?)",
                          "tttibi", scope, nl + 1, e->hash, (int64_t)status,
                          (const void *)(body ? body : ""), len, e->created_at);
}

void naxd_idem_finish(naxd_app *a, naxd_req *req)
{
    naxd_ctx *ctx = naxd_ctx_of(req);
    if (!ctx || !ctx->idem_key)
        return;
    naxd_idem *e = ctx->generation == a->generation ? naxd_map_get(&a->idem, ctx->idem_key) : NULL;
    if (e) {
        naxd_map_del(&a->idem, ctx->idem_key);
        idem_free(e);
    }
    nax__free(ctx->idem_key);
    ctx->idem_key = NULL;
}

static void prune_done(void *arg, int status)
{
    (void)arg;
    (void)status;
}

void naxd_idem_prune(naxd_app *a, int64_t now_ms)
{
    int64_t cutoff = now_ms - IDEM_TTL_MS;
    if (a->store_failed)
        return;
    naxd_batch *b = naxd_batch_new();
    if (!b)
        return;
    if (naxd_batch_sql(b, "DELETE FROM idempotency WHERE created_at < ?", "i", cutoff) != 0) {
        naxd_batch_free(b);
        return;
    }
    naxd_store_submit(a->store, b, prune_done, NULL);
}

static int free_entry(const char *key, uint64_t ukey, void *value, void *arg)
{
    (void)key;
    (void)ukey;
    (void)arg;
    idem_free(value);
    return 1;
}

void naxd__idem_clear(naxd_app *a)
{
    naxd_map_foreach(&a->idem, free_entry, NULL);
    naxd_map_dispose(&a->idem);
    naxd_map_init(&a->idem);
}

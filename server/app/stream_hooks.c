/* What the market stream asks of the app (server/stream/stream.h hooks):
 * authenticating an `auth` op, the private channels' snapshots, which pairs
 * are markets, and the clock. */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/internal.h"
#include "app/orders.h"
#include "core/core.h"
#include "stream/stream.h"

#define FILLS_SNAPSHOT 50 /* docs/asyncapi.yaml: the latest fills, up to 50 */

/* The signed payload of a stream `auth`: the REST signing string of the
 * upgrade request, `timestamp + "GET" + "/v1/stream"`. */
#define STREAM_METHOD "GET"
#define STREAM_TARGET "/v1/stream"

static int refuse(const char **code, char *message, size_t size, const char *c, const char *text)
{
    *code = c;
    snprintf(message, size, "%s", text);
    return -1;
}

static int hook_authenticate(void *app, const nax_stream_op *op, const char *peer, uint64_t *user,
                             int64_t *expires_ms, char *credential, const char **code,
                             char *message, size_t message_size)
{
    naxd_app *a = app;
    (void)peer;
    naxd_authn_fail f;
    naxd_user *u = NULL;
    if (!a->engine) /* memory could not be rebuilt: nothing to check against */
        return refuse(code, message, message_size, "unavailable", "the server is recovering");
    if (op->token && !op->api_key) {
        char family[48];
        if (naxd__authn_jwt(a, op->token, &u, family, sizeof family, expires_ms, &f))
            return refuse(code, message, message_size, f.code, f.message);
        /* REST allows a little clock leeway past exp; a stream session would
         * end at once, so a token already past exp is refused here. */
        if (*expires_ms <= naxd_now_ms(a))
            return refuse(code, message, message_size, "token_expired", "access token expired");
        snprintf(credential, NAXD_STREAM_CREDENTIAL_MAX, "session:%s", family);
        *user = u->id;
        return 0;
    }
    if (op->token || !op->api_key || !op->signature || op->timestamp <= 0)
        return refuse(code, message, message_size, "invalid_request",
                      "auth needs either token, or api_key, timestamp and signature");
    char ts[24];
    snprintf(ts, sizeof ts, "%lld", (long long)op->timestamp);
    naxd_signed s = {op->api_key, ts, op->signature, NULL, STREAM_METHOD, STREAM_TARGET, NULL, 0};
    naxd_api_key_rec *k;
    if (naxd__authn_signature(a, &s, &k, &u, &f))
        return refuse(code, message, message_size, f.code, f.message);
    if (!(k->scopes & NAX_SCOPE_READ))
        return refuse(code, message, message_size, "insufficient_scope",
                      "API key lacks the read scope");
    *user = u->id;
    *expires_ms = 0; /* keys do not lapse; deleting one ends its connections' private channels */
    snprintf(credential, NAXD_STREAM_CREDENTIAL_MAX, "key:%s", k->id);
    return 0;
}

/* ---- private snapshots ------------------------------------------------------------------ */

typedef struct balance_snapshot {
    nax_balance *rows;
    char (*assets)[32];
    const nax_balance **ptrs;
} balance_snapshot;

static void balance_snapshot_free(balance_snapshot *b)
{
    if (!b)
        return;
    nax__free(b->rows);
    nax__free(b->assets);
    nax__free(b->ptrs);
    nax__free(b);
}

/* Every balance of user from the store (durable state), by asset. */
static int balances_snapshot(naxd_app *a, uint64_t user, nax_stream_message *msg, void **cookie)
{
    sqlite3_stmt *st = naxd_store_query(
        a->store, "SELECT asset, available, locked FROM balances WHERE user_id = ? ORDER BY asset");
    balance_snapshot *b = st ? nax__calloc(1, sizeof(*b)) : NULL;
    if (!b)
        return st ? nax__error_oom() : NAX_EIO;
    sqlite3_bind_int64(st, 1, (int64_t)user);
    size_t n = 0, cap = 0;
    int rc = 0;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            nax_balance *rows = nax__realloc(b->rows, cap * sizeof(*rows));
            if (rows)
                b->rows = rows;
            char(*assets)[32] = rows ? nax__realloc(b->assets, cap * sizeof(*assets)) : NULL;
            if (assets)
                b->assets = assets;
            if (!rows || !assets) {
                rc = nax__error_oom();
                break;
            }
        }
        nax_balance *r = &b->rows[n];
        memset(r, 0, sizeof(*r));
        r->struct_size = sizeof(*r);
        snprintf(b->assets[n], sizeof b->assets[n], "%s", sqlite3_column_text(st, 0));
        if (naxd_column_decimal(st, 1, &r->available) || naxd_column_decimal(st, 2, &r->locked) ||
            nax_decimal_add(&r->total, &r->available, &r->locked) != 0)
            rc = nax__error(NAX_EIO, "store: a balance holds a malformed decimal");
        n++;
    }
    sqlite3_reset(st);
    if (!rc && !(b->ptrs = nax__calloc(n ? n : 1, sizeof(*b->ptrs))))
        rc = nax__error_oom();
    if (rc) {
        balance_snapshot_free(b);
        return rc;
    }
    for (size_t i = 0; i < n; i++) { /* the arrays stopped moving: point into them */
        b->rows[i].asset = b->assets[i];
        b->ptrs[i] = &b->rows[i];
    }
    msg->balances = b->ptrs;
    msg->balances_count = n;
    *cookie = b;
    return 0;
}

/* The cookie says which kind it is, so one free hook serves all three. */
typedef struct snapshot {
    naxd_stream_private which;
    void *inner;
} snapshot;

/* From the store, not memory: a snapshot never shows a change that could
 * still fail to commit. Fills stop at the last published trade, so a fill
 * is never both in the snapshot and in an update after it. */
static int hook_private_snapshot(void *app, uint64_t user, naxd_stream_private which,
                                 nax_stream_message *msg, void **cookie)
{
    naxd_app *a = app;
    snapshot *s = nax__calloc(1, sizeof(*s));
    if (!s)
        return nax__error_oom();
    s->which = which;
    int rc;
    if (!a->engine)
        rc = nax__error(NAX_EUNAVAILABLE, "the server is recovering");
    else if (which == NAXD_STREAM_ORDERS)
        rc = naxd_order_snapshot_orders(a, user, msg, &s->inner);
    else if (which == NAXD_STREAM_FILLS)
        rc = naxd_order_snapshot_fills(a, user, a->published_trade_seq, FILLS_SNAPSHOT, msg,
                                       &s->inner);
    else if (which == NAXD_STREAM_BALANCES)
        rc = balances_snapshot(a, user, msg, &s->inner);
    else
        rc = nax__error(NAX_EINVAL, "no such private channel");
    if (rc) {
        nax__free(s);
        return rc;
    }
    *cookie = s;
    return 0;
}

static void hook_private_snapshot_free(void *app, void *cookie)
{
    (void)app;
    snapshot *s = cookie;
    if (!s)
        return;
    if (s->which == NAXD_STREAM_BALANCES)
        balance_snapshot_free(s->inner);
    else
        naxd_order_snapshot_free(s->inner);
    nax__free(s);
}

static int hook_market_exists(void *app, const char *pair)
{
    naxd_app *a = app;
    return a->engine && naxd_engine_market(a->engine, pair) != NULL;
}

static int64_t hook_now_ms(void *app)
{
    return naxd_now_ms(app);
}

int naxd__stream_open(naxd_app *a)
{
    naxd_stream_hooks hooks = {a,
                               hook_authenticate,
                               hook_private_snapshot,
                               hook_private_snapshot_free,
                               hook_market_exists,
                               hook_now_ms};
    return naxd_stream_new(&a->stream, &hooks, &a->cfg->stream, NULL);
}

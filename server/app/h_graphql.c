/*
 * POST /graphql: the Shift-style GraphQL endpoint (docs/shift.graphql) over
 * naxd's own engine. Authenticated like the REST user routes; the API-key
 * scope is checked per field (balances: read, createOrder: trade). An order
 * is placed exactly as POST /v1/orders places it (app/orders.h) and its
 * reply, stored with the Idempotency-Key, is sent once durable.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/gql.h"
#include "app/orders.h"
#include "core/core.h"

typedef struct gql_call {
    naxd_app *a;
    naxd_req *req;
    naxd_mut *mut; /* set once an order changed memory */
    naxd_placement place;
    nax_balance *rows;
    const nax_balance **ptrs;
    nax_balance_list list;
    size_t count, cap;
    int failed;
} gql_call;

static int forbidden(gql_failure *why, const char *scope)
{
    why->code = "FORBIDDEN";
    why->reason = "insufficient_scope";
    snprintf(why->message, sizeof why->message, "API key lacks the %s scope", scope);
    return -1;
}

static int lacks_scope(gql_call *g, unsigned int scope)
{
    const naxd_ctx *ctx = naxd_ctx_of(g->req);
    return ctx->who.api_key && !(ctx->who.api_key->scopes & scope);
}

static int internal(gql_failure *why, const char *message)
{
    why->code = "INTERNAL_SERVER_ERROR";
    why->reason = "internal_error";
    snprintf(why->message, sizeof why->message, "%s", message);
    return -1;
}

/* ---- balances ---- */

static int collect(naxd_user_id user, const char *asset, const nax_decimal *available,
                   const nax_decimal *locked, void *arg)
{
    (void)user;
    gql_call *g = arg;
    if (g->count == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 8;
        nax_balance *grown = nax__realloc(g->rows, cap * sizeof(*grown));
        if (!grown) {
            g->failed = 1;
            return 1;
        }
        g->rows = grown;
        g->cap = cap;
    }
    nax_balance *b = &g->rows[g->count];
    memset(b, 0, sizeof(*b));
    b->struct_size = sizeof(*b);
    b->asset = asset;
    b->available = *available;
    b->locked = *locked;
    if (nax_decimal_add(&b->total, available, locked) != 0) {
        g->failed = 1;
        return 1;
    }
    g->count++;
    return 0;
}

static int resolve_balances(void *ctx, const nax_balance_list **out, gql_failure *why)
{
    gql_call *g = ctx;
    if (lacks_scope(g, NAX_SCOPE_READ))
        return forbidden(why, "read");
    naxd_engine_foreach_balance(g->a->engine, naxd_ctx_of(g->req)->who.user->id, collect, g);
    g->ptrs = g->failed ? NULL : nax__calloc(g->count + 1, sizeof(*g->ptrs));
    if (!g->ptrs)
        return internal(why, "balances could not be listed");
    for (size_t i = 0; i < g->count; i++)
        g->ptrs[i] = &g->rows[i];
    g->list.struct_size = sizeof g->list;
    g->list.balances = g->ptrs;
    g->list.balances_count = g->count;
    *out = &g->list;
    return 0;
}

/* ---- createOrder ---- */

/* The input field of a REST field name: "post_only" -> "input.postOnly". */
static void input_field(char *out, size_t size, const char *rest_field)
{
    static const char *const names[][2] = {{"client_order_id", "clientOrderId"},
                                           {"post_only", "postOnly"},
                                           {"time_in_force", "timeInForce"}};
    const char *name = rest_field ? rest_field : "quantity"; /* funds: the amount asked for */
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i][0]))
            name = names[i][1];
    snprintf(out, size, "input.%s", name);
}

static int refused(const naxd_placement *p, gql_failure *why)
{
    why->code = p->status >= 500   ? "INTERNAL_SERVER_ERROR"
                : p->status == 409 ? "CONFLICT"
                                   : "BAD_USER_INPUT";
    why->reason = p->code;
    if (p->status < 500)
        input_field(why->field, sizeof why->field, p->field);
    snprintf(why->message, sizeof why->message, "%s", p->message);
    return -1;
}

static int resolve_create_order(void *ctx, const nax_order_request *request, const nax_order **out,
                                gql_failure *why)
{
    gql_call *g = ctx;
    if (lacks_scope(g, NAX_SCOPE_TRADE))
        return forbidden(why, "trade");
    if (g->a->store_failed) {
        why->http_status = 503;
        why->reason = "store_unavailable";
        snprintf(why->message, sizeof why->message,
                 "the store cannot take writes at the moment; retry shortly");
        return -1;
    }
    naxd_placement *p = &g->place;
    memset(p, 0, sizeof(*p));
    p->request = request;
    p->user = naxd_ctx_of(g->req)->who.user->id;
    if (naxd_order_check(g->a, p))
        return refused(p, why);
    g->mut = naxd_mut_begin(g->a, g->req);
    if (!g->mut) { /* replied 500 */
        why->http_status = -1;
        return -1;
    }
    if (naxd_order_execute(g->a, g->req, naxd_mut_batch(g->mut), p)) {
        naxd_mut_abort(g->mut);
        g->mut = NULL;
        return refused(p, why);
    }
    *out = &p->order;
    return 0;
}

/* ---- the handler ---- */

NAXD_HANDLER(h_graphql)
{
    gql_call g;
    memset(&g, 0, sizeof g);
    g.a = app;
    g.req = req;
    gql_resolvers r = {resolve_balances, resolve_create_order, &g, naxd_req_id(req)};
    nax_buf out = NAX_BUF_INIT;
    gql_failure why;
    size_t len = 0;
    const char *body = naxd_req_body(req, &len);
    int rc = gql_run(body, len, &r, &out, &why);
    nax__free(g.ptrs);
    nax__free(g.rows);
    if (g.mut) {
        /* Memory holds the order: its batch decides, even if the reply failed. */
        naxd_mut_on_done(g.mut, naxd_order_committed, g.place.done);
        if (rc)
            naxd_mut_fail(g.mut);
        else
            naxd_mut_commit_raw(g.mut, 200, out.data, out.len);
    } else if (rc == 1 && why.http_status < 0) {
        /* already answered */
    } else if (rc == 1) {
        naxd_fail(req, why.http_status, why.reason ? why.reason : "invalid_request",
                  why.field[0] ? why.field : NULL, "%s", why.message);
    } else if (rc) {
        naxd_fail(req, 500, "internal_error", NULL, "out of memory");
    } else {
        naxd_ok_raw(g.a, req, 200, out.data, out.len);
    }
    nax_buf_dispose(&out);
}

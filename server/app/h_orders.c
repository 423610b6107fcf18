/* Orders: place, get, list, cancel, cancel-all, the user's fills; and
 * rebuilding balances and books from the store at start. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/internal.h"
#include "app/orders.h"
#include "app/publish.h"
#include "core/core.h"

/* ---- conversions ------------------------------------------------------------------- */

static void fmt_dec(char *out, size_t size, const nax_decimal *d)
{
    if (nax_decimal_format(out, size, d) < 0)
        snprintf(out, size, "0");
}

/* Average fill price: filled notional / filled, to the tick's scale plus 8. */
static int average_price(nax_decimal *out, const naxd_order_state *o, const naxd_market_spec *m)
{
    if (nax_decimal_is_zero(&o->filled))
        return 0;
    int scale = nax_decimal_scale(&m->tick_size) + 8;
    if (scale > 18)
        scale = 18;
    if (nax_decimal_div(out, &o->filled_notional, &o->filled, scale, NAX_ROUND_HALF_EVEN) != 0)
        return 0;
    nax_decimal trimmed;
    if (nax_decimal_normalize(&trimmed, out) == 0 &&
        nax_decimal_scale(&trimmed) < nax_decimal_scale(&m->tick_size))
        nax_decimal_rescale(&trimmed, &trimmed, nax_decimal_scale(&m->tick_size), NAX_ROUND_DOWN);
    *out = trimmed;
    return 1;
}

void naxd_order_view_of(naxd_order_view *v, const naxd_order_state *s, const char *client_order_id,
                        const naxd_market_spec *m)
{
    memset(v, 0, sizeof(*v));
    naxd_fmt_id(v->id, sizeof v->id, "o_", s->id);
    v->o.struct_size = sizeof v->o;
    v->o.id = v->id;
    v->o.client_order_id = client_order_id;
    v->o.pair = s->pair;
    v->o.side = s->side;
    v->o.type = s->type;
    if (s->type == NAX_ORDER_TYPE_LIMIT) {
        v->price = s->price;
        v->o.price = &v->price;
    }
    v->o.quantity = s->quantity;
    v->o.filled_quantity = s->filled;
    if (average_price(&v->avg, s, m))
        v->o.average_price = &v->avg;
    v->o.time_in_force = s->tif ? s->tif : NAX_TIF_GTC;
    v->o.post_only = s->post_only;
    v->o.status = s->status;
    v->o.created_at = s->created_at;
    v->o.updated_at = s->updated_at;
}

/* ---- persisting an execution --------------------------------------------------------- */

static int persist_order(naxd_batch *b, const naxd_order_state *o, const char *client_order_id)
{
    char price[64] = "", qty[64], filled[64], notional[64], hold[64];
    if (o->type == NAX_ORDER_TYPE_LIMIT)
        fmt_dec(price, sizeof price, &o->price);
    fmt_dec(qty, sizeof qty, &o->quantity);
    fmt_dec(filled, sizeof filled, &o->filled);
    fmt_dec(notional, sizeof notional, &o->filled_notional);
    fmt_dec(hold, sizeof hold, &o->hold_remaining);
    return naxd_batch_sql(
        b,
        "INSERT INTO orders(id, user_id, client_order_id, pair, side, type, price, quantity, "
        "filled, filled_notional, tif, post_only, status, hold_asset, hold_remaining, created_at, "
        "updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET filled = excluded.filled, "
        "filled_notional = excluded.filled_notional, status = excluded.status, "
        "hold_remaining = excluded.hold_remaining, updated_at = excluded.updated_at",
        "uuttiittttiiittii", o->id, o->user, client_order_id, o->pair, (int64_t)o->side,
        (int64_t)o->type, o->type == NAX_ORDER_TYPE_LIMIT ? price : NULL, qty, filled, notional,
        (int64_t)(o->tif ? o->tif : NAX_TIF_GTC), (int64_t)o->post_only, (int64_t)o->status,
        o->hold_asset, hold, o->created_at, o->updated_at);
}

static int persist_fill(naxd_batch *b, const naxd_fill_event *f, const naxd_market_spec *m)
{
    char price[64], qty[64], mfee[64], tfee[64];
    fmt_dec(price, sizeof price, &f->price);
    fmt_dec(qty, sizeof qty, &f->quantity);
    fmt_dec(mfee, sizeof mfee, &f->maker_fee);
    fmt_dec(tfee, sizeof tfee, &f->taker_fee);
    nax_side maker_side = f->taker_side == NAX_SIDE_BUY ? NAX_SIDE_SELL : NAX_SIDE_BUY;
    static const char fill_sql[] =
        "INSERT INTO fills(trade_id, user_id, order_id, pair, side, price, quantity, fee, "
        "fee_asset, liquidity, ts) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    int rc = naxd_batch_sql(b,
                            "INSERT INTO trades(id, pair, price, quantity, taker_side, "
                            "maker_order, taker_order, ts) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                            "utttiuui", f->trade_seq, m->pair, price, qty, (int64_t)f->taker_side,
                            f->maker_order, f->taker_order, f->ts);
    if (!rc)
        rc = naxd_batch_sql(b, fill_sql, "uuutittttii", f->trade_seq, f->maker_user, f->maker_order,
                            m->pair, (int64_t)maker_side, price, qty, mfee, m->quote,
                            (int64_t)NAX_LIQUIDITY_MAKER, f->ts);
    if (!rc)
        rc = naxd_batch_sql(b, fill_sql, "uuutittttii", f->trade_seq, f->taker_user, f->taker_order,
                            m->pair, (int64_t)f->taker_side, price, qty, tfee, m->quote,
                            (int64_t)NAX_LIQUIDITY_TAKER, f->ts);
    return rc;
}

/* Everything an execution changed: orders (the first may carry a client id),
 * trades and fills, balances. */
static int persist_exec(naxd_batch *b, const naxd_exec *x, const char *first_client_id,
                        const naxd_market_spec *m)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < x->orders_count; i++)
        rc = persist_order(b, &x->orders[i], i == 0 ? first_client_id : NULL);
    for (size_t i = 0; !rc && i < x->fills_count; i++)
        rc = persist_fill(b, &x->fills[i], m);
    if (!rc)
        rc = naxd_batch_exec_balances(b, x);
    return rc;
}

/* The audit "after" of an execution: the result the client sees, the trades
 * made and every balance changed (maker, taker and fee account). */
static int exec_audit_text(nax_buf *after, const char *result_json, const naxd_exec *x)
{
    int rc = nax__buf_printf(after, "{\"result\":%s,\"trades\":[", result_json);
    for (size_t i = 0; !rc && i < x->fills_count; i++) {
        const naxd_fill_event *f = &x->fills[i];
        char price[64], qty[64];
        fmt_dec(price, sizeof price, &f->price);
        fmt_dec(qty, sizeof qty, &f->quantity);
        rc =
            nax__buf_printf(after,
                            "%s{\"id\":\"t_%llu\",\"price\":\"%s\",\"quantity\":\"%s\","
                            "\"maker_order\":\"o_%llu\",\"taker_order\":\"o_%llu\"}",
                            i ? "," : "", (unsigned long long)f->trade_seq, price, qty,
                            (unsigned long long)f->maker_order, (unsigned long long)f->taker_order);
    }
    if (!rc)
        rc = nax__buf_append_str(after, "],\"balances\":[");
    for (size_t i = 0; !rc && i < x->balances_count; i++) {
        const naxd_balance_event *e = &x->balances[i];
        char av[64], lk[64];
        fmt_dec(av, sizeof av, &e->available);
        fmt_dec(lk, sizeof lk, &e->locked);
        rc = nax__buf_printf(after,
                             "%s{\"user\":\"u_%llu\",\"asset\":\"%s\",\"available\":\"%s\","
                             "\"locked\":\"%s\"}",
                             i ? "," : "", (unsigned long long)e->user, e->asset, av, lk);
    }
    if (!rc)
        rc = nax__buf_append_str(after, "]}");
    return rc;
}

/* Audit record of an execution (see exec_audit_text). */
static int exec_audit(naxd_mut *mut, const char *action, const char *before_json,
                      const char *result_json, const naxd_exec *x)
{
    nax_buf after = NAX_BUF_INIT;
    int rc = exec_audit_text(&after, result_json, x);
    if (!rc)
        rc = naxd_mut_audit(mut, action, before_json, after.data);
    nax_buf_dispose(&after);
    return rc;
}

/* What to do once the execution is durable: publish it on the stream (with
 * the market data and ticker it moves) and count fills. */
typedef struct exec_done {
    naxd_events *events;
    char *pending_cid; /* key in a->pending_client_ids */
} exec_done;

/* The capture of an engine call, right after it (taker_cid: the placed
 * order's client order id). NULL on OOM: the caller fails the batch. */
static exec_done *exec_done_new(naxd_app *a, const naxd_exec *x, const char *taker_cid)
{
    exec_done *d = nax__calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->events = naxd_events_new();
    if (!d->events || naxd_events_capture(a, d->events, x, taker_cid) != 0) {
        naxd_events_free(d->events);
        nax__free(d);
        return NULL;
    }
    return d;
}

static void exec_committed(naxd_app *a, void *arg, int status)
{
    exec_done *d = arg;
    if (!d)
        return; /* out of memory when built: the commit was made to fail */
    if (d->pending_cid) {
        naxd_map_del(&a->pending_client_ids, d->pending_cid);
        nax__free(d->pending_cid);
    }
    if (status == 0) {
        size_t fills = naxd_events_fills(d->events);
        naxd_events_publish(a, d->events);
        if (a->m_fills && fills)
            naxd_counter_add(a->m_fills, fills);
    }
    naxd_events_free(d->events);
    nax__free(d);
}

/* ---- place --------------------------------------------------------------------------- */

/* Fills p's refusal; returns its status. */
static int refusal(naxd_placement *p, int status, const char *code, const char *field,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int refusal(naxd_placement *p, int status, const char *code, const char *field,
                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof p->message, fmt, ap);
    va_end(ap);
    p->status = status;
    p->code = code;
    p->field = field;
    return status;
}

static const struct {
    const char *code, *field;
    int status;
} refusals[] = {
    [NAXD_REFUSE_UNKNOWN_MARKET] = {"unknown_pair", "pair", 422},
    [NAXD_REFUSE_MARKET_HALTED] = {"market_halted", "pair", 422},
    [NAXD_REFUSE_INVALID_PRICE] = {"invalid_price", "price", 422},
    [NAXD_REFUSE_INVALID_QUANTITY] = {"invalid_quantity", "quantity", 422},
    [NAXD_REFUSE_MIN_NOTIONAL] = {"below_min_notional", "quantity", 422},
    [NAXD_REFUSE_INSUFFICIENT_FUNDS] = {"insufficient_funds", NULL, 422},
    [NAXD_REFUSE_TOO_LARGE] = {"invalid_quantity", "quantity", 422},
};

static int refuse(naxd_placement *p, naxd_refusal r, const naxd_market_spec *m)
{
    const char *code = refusals[r].code ? refusals[r].code : "invalid_request";
    switch (r) {
    case NAXD_REFUSE_INVALID_PRICE:
        return refusal(p, 422, code, "price",
                       "price must be a positive multiple of the tick size %s",
                       m ? "of the market" : "");
    case NAXD_REFUSE_INVALID_QUANTITY:
        return refusal(p, 422, code, "quantity",
                       "quantity must be a positive multiple of the market's lot size");
    case NAXD_REFUSE_MIN_NOTIONAL:
        return refusal(p, 422, code, "quantity",
                       "price x quantity is below the market's minimum notional");
    case NAXD_REFUSE_INSUFFICIENT_FUNDS:
        return refusal(p, 422, code, NULL, "not enough available balance for this order");
    case NAXD_REFUSE_MARKET_HALTED:
        return refusal(p, 422, code, "pair", "the market does not accept this order now");
    default: return refusal(p, 422, code, refusals[r].field, "the order was refused");
    }
}

static int client_id_valid(const char *cid)
{
    size_t n = strlen(cid);
    if (n < 1 || n > 36)
        return 0;
    for (; *cid; cid++)
        if (*cid < 0x21 || *cid > 0x7e)
            return 0;
    return 1;
}

/* Is this client order id already used by the user (durable or in flight)? */
static int client_id_taken(naxd_app *a, uint64_t user, const char *cid, const char *key)
{
    if (naxd_map_get(&a->pending_client_ids, key))
        return 1;
    sqlite3_stmt *st = naxd_store_query(
        a->store, "SELECT 1 FROM orders WHERE user_id = ? AND client_order_id = ?");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, (int64_t)user);
    sqlite3_bind_text(st, 2, cid, -1, SQLITE_STATIC);
    int taken = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return taken;
}

int naxd_order_check(naxd_app *a, naxd_placement *p)
{
    const nax_order_request *r = p->request;
    p->cid_key[0] = '\0';
    p->market = naxd_engine_market(a->engine, r->pair);
    if (!p->market)
        return refusal(p, 422, "unknown_pair", "pair", "no market %s", r->pair);
    if (r->type == NAX_ORDER_TYPE_LIMIT && !r->price)
        return refusal(p, 400, "invalid_request", "price", "a limit order needs a price");
    if (r->type == NAX_ORDER_TYPE_MARKET && r->price)
        return refusal(p, 400, "invalid_request", "price", "a market order must not have a price");
    if (r->type == NAX_ORDER_TYPE_MARKET && r->post_only)
        return refusal(p, 400, "invalid_request", "post_only",
                       "a market order cannot be post-only");
    if (!r->client_order_id)
        return 0;
    if (!client_id_valid(r->client_order_id))
        return refusal(p, 400, "invalid_request", "client_order_id",
                       "client_order_id must be 1 to 36 visible ASCII characters");
    snprintf(p->cid_key, sizeof p->cid_key, "%llu\n%s", (unsigned long long)p->user,
             r->client_order_id);
    int taken = client_id_taken(a, p->user, r->client_order_id, p->cid_key);
    if (taken < 0)
        return refusal(p, 500, "internal_error", NULL, "the store could not be read");
    if (taken)
        return refusal(p, 409, "duplicate_client_order_id", "client_order_id",
                       "an order with this client_order_id exists; look it up with "
                       "GET /v1/orders?client_order_id=");
    return 0;
}

/* The audit record of a placement, with the request's actor (as naxd_mut_audit). */
static int place_audit(naxd_app *a, naxd_req *req, naxd_batch *b, const char *result_json,
                       const naxd_exec *x)
{
    nax_buf after = NAX_BUF_INIT;
    int rc = exec_audit_text(&after, result_json, x);
    if (!rc) {
        naxd_ctx *ctx = naxd_ctx_of(req);
        const char *actor = ctx && ctx->who.actor[0] ? ctx->who.actor : "anonymous";
        rc = naxd_batch_audit(b, naxd_now_ms(a), actor, "order.place", NULL, after.data,
                              naxd_req_id(req));
    }
    nax_buf_dispose(&after);
    return rc;
}

int naxd_order_execute(naxd_app *a, naxd_req *req, naxd_batch *b, naxd_placement *p)
{
    const nax_order_request *r = p->request;
    const naxd_market_spec *m = p->market;
    p->done = NULL;
    int64_t now = naxd_now_ms(a);
    naxd_order_spec spec = {0};
    spec.id = a->next_order_id + 1;
    spec.user = p->user;
    spec.pair = m->pair;
    spec.side = r->side;
    spec.type = r->type;
    if (r->price)
        spec.price = *r->price;
    spec.quantity = r->quantity;
    spec.tif = r->time_in_force;
    spec.post_only = r->post_only;
    spec.ts = now;
    naxd_exec x;
    naxd_exec_init(&x);
    int rc = naxd_engine_place(a->engine, &spec, &x);
    if (rc || x.refusal != NAXD_OK) {
        int status = rc ? refusal(p, 500, "internal_error", NULL, "the engine failed: %s",
                                  nax_error_last()->message)
                        : refuse(p, x.refusal, m);
        naxd_exec_dispose(&x);
        return status;
    }
    a->next_order_id = spec.id;
    rc = persist_exec(b, &x, r->client_order_id, m);
    if (!rc)
        rc = naxd_batch_counter(b, "order_id", a->next_order_id);
    naxd_order_view v;
    naxd_order_view_of(&v, &x.orders[0], r->client_order_id, m);
    nax_buf after = NAX_BUF_INIT;
    if (!rc)
        rc = nax_encode(&after, NAX_TYPE_ORDER, &v.o);
    if (!rc)
        rc = place_audit(a, req, b, after.data, &x);
    nax_buf_dispose(&after);
    exec_done *d = exec_done_new(a, &x, r->client_order_id);
    if (d && p->cid_key[0]) {
        d->pending_cid = nax__strdup(p->cid_key);
        if (!d->pending_cid || naxd_map_put(&a->pending_client_ids, p->cid_key, (void *)1) != 0)
            rc = NAX_ENOMEM;
    }
    if (!d)
        rc = NAX_ENOMEM;
    if (rc)
        naxd_batch_fail_commit(b); /* memory changed: let the failure path restore it */
    /* The view's strings point into v: keep them in p. */
    memcpy(p->id, v.id, sizeof p->id);
    p->order = v.o;
    p->order.id = p->id;
    if (v.o.price) {
        p->price = v.price;
        p->order.price = &p->price;
    }
    if (v.o.average_price) {
        p->average = v.avg;
        p->order.average_price = &p->average;
    }
    p->done = d;
    if (a->m_orders)
        naxd_counter_add(a->m_orders, 1);
    naxd_exec_dispose(&x);
    return 0;
}

void naxd_order_committed(naxd_app *a, void *done, int status)
{
    exec_committed(a, done, status);
}

NAXD_HANDLER(h_order_place)
{
    naxd_app *a = app;
    naxd_ctx *ctx = naxd_ctx_of(req);
    nax_order_request *r = NULL;
    if (naxd_decode_body(req, NAX_TYPE_ORDER_REQUEST, &r))
        return;
    naxd_placement p;
    memset(&p, 0, sizeof p);
    p.request = r;
    p.user = ctx->who.user->id;
    if (naxd_order_check(a, &p)) {
        naxd_fail(req, p.status, p.code, p.field, "%s", p.message);
        nax_object_free(r);
        return;
    }
    naxd_mut *mut = naxd_mut_begin(a, req);
    if (!mut) {
        nax_object_free(r);
        return;
    }
    if (naxd_order_execute(a, req, naxd_mut_batch(mut), &p)) {
        naxd_mut_abort(mut);
        naxd_fail(req, p.status, p.code, p.field, "%s", p.message);
        nax_object_free(r);
        return;
    }
    naxd_mut_on_done(mut, exec_committed, p.done);
    naxd_mut_commit(mut, 201, NAX_TYPE_ORDER, &p.order);
    nax_object_free(r);
}

/* ---- reading orders from the store ---------------------------------------------------- */

#define ORDER_COLUMNS                                                                              \
    "id, user_id, client_order_id, pair, side, type, price, quantity, filled, "                    \
    "filled_notional, tif, post_only, status, hold_asset, hold_remaining, created_at, updated_at"

/* One row into an order state; strings copied into the arena `text`. */
typedef struct order_row {
    naxd_order_state s;
    char pair[32], hold_asset[16], cid[40];
    int has_cid;
} order_row;

static int read_order_row(sqlite3_stmt *st, order_row *r)
{
    memset(r, 0, sizeof(*r));
    r->s.id = (uint64_t)sqlite3_column_int64(st, 0);
    r->s.user = (uint64_t)sqlite3_column_int64(st, 1);
    if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
        snprintf(r->cid, sizeof r->cid, "%s", sqlite3_column_text(st, 2));
        r->has_cid = 1;
    }
    snprintf(r->pair, sizeof r->pair, "%s", sqlite3_column_text(st, 3));
    r->s.pair = r->pair;
    r->s.side = (nax_side)sqlite3_column_int(st, 4);
    r->s.type = (nax_order_type)sqlite3_column_int(st, 5);
    if (sqlite3_column_type(st, 6) != SQLITE_NULL && naxd_column_decimal(st, 6, &r->s.price))
        return NAX_EIO;
    if (naxd_column_decimal(st, 7, &r->s.quantity) || naxd_column_decimal(st, 8, &r->s.filled) ||
        naxd_column_decimal(st, 9, &r->s.filled_notional) ||
        naxd_column_decimal(st, 14, &r->s.hold_remaining))
        return NAX_EIO;
    r->s.tif = (nax_time_in_force)sqlite3_column_int(st, 10);
    r->s.post_only = sqlite3_column_int(st, 11);
    r->s.status = (nax_order_status)sqlite3_column_int(st, 12);
    snprintf(r->hold_asset, sizeof r->hold_asset, "%s", sqlite3_column_text(st, 13));
    r->s.hold_asset = r->hold_asset;
    r->s.created_at = sqlite3_column_int64(st, 15);
    r->s.updated_at = sqlite3_column_int64(st, 16);
    return 0;
}

static int order_id_param(naxd_req *req, uint64_t *id)
{
    *id = naxd_parse_id(naxd_req_param(req, "id"), "o_");
    if (!*id) {
        naxd_fail(req, 404, "not_found", "id", "no such order");
        return -1;
    }
    return 0;
}

/* Loads the caller's order by id. 1 found, 0 not found (or not theirs), -1 error. */
static int load_order(naxd_app *a, uint64_t user, uint64_t id, order_row *row)
{
    sqlite3_stmt *st = naxd_store_query(a->store, "SELECT " ORDER_COLUMNS
                                                  " FROM orders WHERE id = ? AND user_id = ?");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, (int64_t)id);
    sqlite3_bind_int64(st, 2, (int64_t)user);
    int rc = sqlite3_step(st) == SQLITE_ROW ? (read_order_row(st, row) ? -1 : 1) : 0;
    sqlite3_reset(st);
    return rc;
}

NAXD_HANDLER(h_order_get)
{
    naxd_app *a = app;
    naxd_ctx *ctx = naxd_ctx_of(req);
    uint64_t id;
    if (order_id_param(req, &id))
        return;
    order_row row;
    /* An order still settling in memory is the freshest view. */
    const naxd_order_state *open = naxd_engine_open_order(a->engine, id);
    int found = load_order(a, ctx->who.user->id, id, &row);
    if (found < 0) {
        naxd_fail(req, 500, "internal_error", NULL, "the store could not be read");
        return;
    }
    if (!found) {
        naxd_fail(req, 404, "not_found", "id", "no such order");
        return;
    }
    const naxd_market_spec *m = naxd_engine_market(a->engine, row.pair);
    if (!m) {
        naxd_fail(req, 500, "internal_error", NULL, "the order's market is gone");
        return;
    }
    naxd_order_view v;
    naxd_order_view_of(&v, open && open->user == row.s.user ? open : &row.s,
                       row.has_cid ? row.cid : NULL, m);
    naxd_ok(a, req, 200, NAX_TYPE_ORDER, &v.o);
}

static int parse_enum_filter(naxd_req *req, const char *name, const char *const *names, int n,
                             int *out)
{
    const char *v = naxd_req_query(req, name);
    *out = 0;
    if (!v)
        return 0;
    for (int i = 1; i < n; i++)
        if (names[i] && !strcmp(v, names[i])) {
            *out = i;
            return 0;
        }
    naxd_fail(req, 400, "invalid_request", name, "unknown %s \"%s\"", name, v);
    return -1;
}

static const char *const status_names[] = {NULL,     "open",      "partially_filled",
                                           "filled", "cancelled", "rejected"};
static const char *const side_names[] = {NULL, "buy", "sell"};

NAXD_HANDLER(h_order_list)
{
    naxd_app *a = app;
    naxd_ctx *ctx = naxd_ctx_of(req);
    uint32_t limit;
    uint64_t before;
    int status, side;
    if (naxd_page_params(req, 100, &limit, &before) ||
        parse_enum_filter(req, "status", status_names, 6, &status) ||
        parse_enum_filter(req, "side", side_names, 3, &side))
        return;
    const char *pair = naxd_req_query(req, "pair");
    const char *cid = naxd_req_query(req, "client_order_id");
    if (pair && !naxd_engine_market(a->engine, pair)) {
        naxd_fail(req, 400, "invalid_request", "pair", "no market %s", pair);
        return;
    }
    sqlite3_stmt *st = naxd_store_query(
        a->store, "SELECT " ORDER_COLUMNS " FROM orders WHERE user_id = ?1 AND id < ?2 "
                  "AND (?3 IS NULL OR pair = ?3) AND (?4 = 0 OR status = ?4) "
                  "AND (?5 = 0 OR side = ?5) AND (?6 IS NULL OR client_order_id = ?6) "
                  "ORDER BY id DESC LIMIT ?7");
    if (!st) {
        naxd_fail(req, 500, "internal_error", NULL, "the store could not be read");
        return;
    }
    sqlite3_bind_int64(st, 1, (int64_t)ctx->who.user->id);
    sqlite3_bind_int64(st, 2, before > INT64_MAX ? INT64_MAX : (int64_t)before);
    if (pair)
        sqlite3_bind_text(st, 3, pair, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, status);
    sqlite3_bind_int(st, 5, side);
    if (cid)
        sqlite3_bind_text(st, 6, cid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 7, (int64_t)limit + 1);
    order_row *rows = nax__calloc(limit + 1, sizeof(*rows));
    naxd_order_view *views = nax__calloc(limit, sizeof(*views));
    const nax_order **ptrs = nax__calloc(limit, sizeof(*ptrs));
    size_t n = 0;
    int bad = !rows || !views || !ptrs, more = 0;
    while (!bad && sqlite3_step(st) == SQLITE_ROW) {
        if (n == limit) {
            more = 1;
            break;
        }
        bad = read_order_row(st, &rows[n]) != 0;
        const naxd_market_spec *m = bad ? NULL : naxd_engine_market(a->engine, rows[n].pair);
        if (!m) {
            bad = 1;
            break;
        }
        naxd_order_view_of(&views[n], &rows[n].s, rows[n].has_cid ? rows[n].cid : NULL, m);
        ptrs[n] = &views[n].o;
        n++;
    }
    sqlite3_reset(st);
    if (bad) {
        naxd_fail(req, 500, "internal_error", NULL, "orders could not be read");
    } else {
        char cursor[64];
        if (more)
            naxd_page_cursor(cursor, sizeof cursor, rows[n - 1].s.id);
        nax_order_list list = {sizeof list, (const nax_order *const *)ptrs, n,
                               more ? cursor : NULL};
        naxd_ok(a, req, 200, NAX_TYPE_ORDER_LIST, &list);
    }
    nax__free(rows);
    nax__free(views);
    nax__free(ptrs);
}

/* ---- cancel -------------------------------------------------------------------------- */

NAXD_HANDLER(h_order_cancel)
{
    naxd_app *a = app;
    naxd_ctx *ctx = naxd_ctx_of(req);
    uint64_t id;
    if (order_id_param(req, &id))
        return;
    uint64_t user = ctx->who.user->id;
    const naxd_order_state *open = naxd_engine_open_order(a->engine, id);
    if (!open || open->user != user) {
        order_row row;
        int found = load_order(a, user, id, &row);
        if (found > 0)
            /* The stored row may still say open while a fill is being saved. */
            naxd_fail(req, 409, "order_closed", "id", "the order is no longer open");
        else if (found == 0)
            naxd_fail(req, 404, "not_found", "id", "no such order");
        else
            naxd_fail(req, 500, "internal_error", NULL, "the store could not be read");
        return;
    }
    const naxd_market_spec *m = naxd_engine_market(a->engine, open->pair);
    /* The client order id is in the store; the response repeats it. */
    order_row row;
    int found = load_order(a, user, id, &row);
    const char *cid = found > 0 && row.has_cid ? row.cid : NULL;
    naxd_order_view was;
    naxd_order_view_of(&was, open, cid, m);
    nax_buf before = NAX_BUF_INIT;
    if (nax_encode(&before, NAX_TYPE_ORDER, &was.o) != 0) {
        nax_buf_dispose(&before);
        naxd_fail(req, 500, "internal_error", NULL, "the order could not be encoded");
        return;
    }
    naxd_mut *mut = naxd_mut_begin(a, req);
    if (!mut) {
        nax_buf_dispose(&before);
        return;
    }
    naxd_exec x;
    naxd_exec_init(&x);
    int crc = naxd_engine_cancel(a->engine, user, id, naxd_now_ms(a), &x);
    if (crc != 0 || !x.orders_count) {
        nax_buf_dispose(&before);
        naxd_mut_abort(mut);
        naxd_exec_dispose(&x);
        /* Out of memory is ours, not a missing order (the engine changed nothing). */
        if (crc != 0 && crc != NAX_ENOTFOUND)
            naxd_fail(req, 500, "internal_error", NULL, "the order could not be cancelled");
        else
            naxd_fail(req, 404, "not_found", "id", "no such open order");
        return;
    }
    naxd_batch *b = naxd_mut_batch(mut);
    int rc = persist_exec(b, &x, NULL, m);
    naxd_order_view v;
    naxd_order_view_of(&v, &x.orders[0], cid, m);
    nax_buf after = NAX_BUF_INIT;
    if (!rc)
        rc = nax_encode(&after, NAX_TYPE_ORDER, &v.o);
    if (!rc)
        rc = exec_audit(mut, "order.cancel", before.data, after.data, &x);
    nax_buf_dispose(&after);
    nax_buf_dispose(&before);
    exec_done *d = exec_done_new(a, &x, NULL);
    if (rc || !d)
        naxd_batch_fail_commit(b);
    naxd_mut_on_done(mut, exec_committed, d);
    naxd_mut_commit(mut, 200, NAX_TYPE_ORDER, &v.o);
    naxd_exec_dispose(&x);
}

NAXD_HANDLER(h_order_cancel_all)
{
    naxd_app *a = app;
    naxd_ctx *ctx = naxd_ctx_of(req);
    const char *pair = naxd_req_query(req, "pair");
    if (pair && !naxd_engine_market(a->engine, pair)) {
        naxd_fail(req, 400, "invalid_request", "pair", "no market %s", pair);
        return;
    }
    naxd_mut *mut = naxd_mut_begin(a, req);
    if (!mut)
        return;
    naxd_exec x;
    naxd_exec_init(&x);
    uint64_t user = ctx->who.user->id;
    if (naxd_engine_cancel_all(a->engine, user, pair, naxd_now_ms(a), &x) != 0) {
        naxd_mut_abort(mut);
        naxd_exec_dispose(&x);
        naxd_fail(req, 500, "internal_error", NULL, "cancel-all failed");
        return;
    }
    naxd_batch *b = naxd_mut_batch(mut);
    int rc = 0;
    char(*ids)[24] = nax__calloc(x.orders_count ? x.orders_count : 1, sizeof(*ids));
    const char **idp = nax__calloc(x.orders_count ? x.orders_count : 1, sizeof(*idp));
    if (!ids || !idp)
        rc = NAX_ENOMEM;
    for (size_t i = 0; !rc && i < x.orders_count; i++) {
        rc = persist_order(b, &x.orders[i], NULL);
        naxd_fmt_id(ids[i], sizeof ids[i], "o_", x.orders[i].id);
        idp[i] = ids[i];
    }
    if (!rc)
        rc = naxd_batch_exec_balances(b, &x);
    nax_cancel_result res = {sizeof res, (const char *const *)idp, rc ? 0 : x.orders_count};
    if (!rc && x.orders_count) {
        nax_buf after = NAX_BUF_INIT;
        rc = nax_encode(&after, NAX_TYPE_CANCEL_RESULT, &res);
        if (!rc)
            rc = exec_audit(mut, "order.cancel_all", NULL, after.data, &x);
        nax_buf_dispose(&after);
    }
    exec_done *d = x.orders_count ? exec_done_new(a, &x, NULL) : NULL;
    if (rc || (x.orders_count && !d))
        naxd_batch_fail_commit(b);
    if (d)
        naxd_mut_on_done(mut, exec_committed, d);
    naxd_mut_commit(mut, 200, NAX_TYPE_CANCEL_RESULT, &res);
    nax__free(ids);
    nax__free(idp);
    naxd_exec_dispose(&x);
}

/* ---- fills ------------------------------------------------------------------------------ */

NAXD_HANDLER(h_fills)
{
    naxd_app *a = app;
    naxd_ctx *ctx = naxd_ctx_of(req);
    uint32_t limit;
    uint64_t before;
    if (naxd_page_params(req, 100, &limit, &before))
        return;
    const char *pair = naxd_req_query(req, "pair");
    if (pair && !naxd_engine_market(a->engine, pair)) {
        naxd_fail(req, 400, "invalid_request", "pair", "no market %s", pair);
        return;
    }
    sqlite3_stmt *st = naxd_store_query(
        a->store, "SELECT trade_id, order_id, pair, side, price, quantity, fee, fee_asset, "
                  "liquidity, ts FROM fills WHERE user_id = ?1 AND trade_id < ?2 "
                  "AND (?3 IS NULL OR pair = ?3) ORDER BY trade_id DESC LIMIT ?4");
    if (!st) {
        naxd_fail(req, 500, "internal_error", NULL, "the store could not be read");
        return;
    }
    sqlite3_bind_int64(st, 1, (int64_t)ctx->who.user->id);
    sqlite3_bind_int64(st, 2, before > INT64_MAX ? INT64_MAX : (int64_t)before);
    if (pair)
        sqlite3_bind_text(st, 3, pair, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, (int64_t)limit + 1);
    typedef struct fill_row {
        nax_fill f;
        char id[24], order_id[24], pair[32], fee_asset[16];
        uint64_t trade;
    } fill_row;
    fill_row *rows = nax__calloc(limit, sizeof(*rows));
    const nax_fill **ptrs = nax__calloc(limit, sizeof(*ptrs));
    size_t n = 0;
    int bad = !rows || !ptrs, more = 0;
    while (!bad && sqlite3_step(st) == SQLITE_ROW) {
        if (n == limit) {
            more = 1;
            break;
        }
        fill_row *r = &rows[n];
        r->trade = (uint64_t)sqlite3_column_int64(st, 0);
        naxd_fmt_id(r->id, sizeof r->id, "t_", r->trade);
        naxd_fmt_id(r->order_id, sizeof r->order_id, "o_", (uint64_t)sqlite3_column_int64(st, 1));
        snprintf(r->pair, sizeof r->pair, "%s", sqlite3_column_text(st, 2));
        snprintf(r->fee_asset, sizeof r->fee_asset, "%s", sqlite3_column_text(st, 7));
        r->f.struct_size = sizeof r->f;
        r->f.id = r->id;
        r->f.order_id = r->order_id;
        r->f.pair = r->pair;
        r->f.side = (nax_side)sqlite3_column_int(st, 3);
        bad = naxd_column_decimal(st, 4, &r->f.price) ||
              naxd_column_decimal(st, 5, &r->f.quantity) || naxd_column_decimal(st, 6, &r->f.fee);
        r->f.fee_asset = r->fee_asset;
        r->f.liquidity = (nax_liquidity)sqlite3_column_int(st, 8);
        r->f.ts = sqlite3_column_int64(st, 9);
        ptrs[n++] = &r->f;
    }
    sqlite3_reset(st);
    if (bad) {
        naxd_fail(req, 500, "internal_error", NULL, "fills could not be read");
    } else {
        char cursor[64];
        if (more)
            naxd_page_cursor(cursor, sizeof cursor, rows[n - 1].trade);
        nax_fill_list list = {sizeof list, (const nax_fill *const *)ptrs, n, more ? cursor : NULL};
        naxd_ok(a, req, 200, NAX_TYPE_FILL_LIST, &list);
    }
    nax__free(rows);
    nax__free(ptrs);
}

/* ---- start-up ------------------------------------------------------------------------------ */

int naxd_load_orders(naxd_app *a)
{
    sqlite3_stmt *st =
        naxd_store_query(a->store, "SELECT user_id, asset, available, locked FROM balances");
    if (!st)
        return NAX_EIO;
    int rc = 0;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        nax_decimal av, lk;
        if (naxd_column_decimal(st, 2, &av) || naxd_column_decimal(st, 3, &lk))
            rc = nax__error(NAX_EIO, "store: a balance holds a malformed decimal");
        else
            rc = naxd_engine_restore_balance(a->engine, (uint64_t)sqlite3_column_int64(st, 0),
                                             (const char *)sqlite3_column_text(st, 1), &av, &lk);
    }
    sqlite3_reset(st);
    if (rc)
        return rc;
    st = naxd_store_query(a->store, "SELECT " ORDER_COLUMNS
                                    " FROM orders WHERE status IN (1, 2) ORDER BY id");
    if (!st)
        return NAX_EIO;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        order_row row;
        rc = read_order_row(st, &row);
        if (!rc)
            rc = naxd_engine_restore_order(a->engine, &row.s);
        if (!rc && row.has_cid)
            rc = naxd_order_cid_put(a, row.s.id, row.cid);
    }
    sqlite3_reset(st);
    if (rc)
        return rc;
    uint64_t v = 0;
    rc = naxd_store_counter_load(a->store, "order_id", &v);
    a->next_order_id = v;
    st = naxd_store_query(a->store, "SELECT COALESCE(MAX(id), 0) FROM trades");
    if (!rc && st && sqlite3_step(st) == SQLITE_ROW) {
        a->published_trade_seq = (uint64_t)sqlite3_column_int64(st, 0);
        naxd_engine_restore_trade_seq(a->engine, a->published_trade_seq + 1);
    }
    if (st)
        sqlite3_reset(st);
    return rc;
}

/* ---- private stream snapshots ------------------------------------------------------------ */

typedef struct order_snapshot {
    order_row *rows;
    naxd_order_view *views;
    const nax_order **orders;
} order_snapshot;

typedef struct fill_snapshot {
    struct fill_snap_row {
        nax_fill f;
        char id[24], order_id[24], pair[32], fee_asset[16];
    } * rows;
    const nax_fill **fills;
} fill_snapshot;

typedef struct snapshot_cookie {
    order_snapshot o;
    fill_snapshot f;
} snapshot_cookie;

void naxd_order_snapshot_free(void *cookie)
{
    snapshot_cookie *c = cookie;
    if (!c)
        return;
    nax__free(c->o.rows);
    nax__free(c->o.views);
    nax__free(c->o.orders);
    nax__free(c->f.rows);
    nax__free(c->f.fills);
    nax__free(c);
}

int naxd_order_snapshot_orders(naxd_app *a, uint64_t user, nax_stream_message *msg, void **cookie)
{
    *cookie = NULL;
    snapshot_cookie *c = nax__calloc(1, sizeof(*c));
    sqlite3_stmt *st = c ? naxd_store_query(a->store, "SELECT " ORDER_COLUMNS
                                                      " FROM orders WHERE user_id = ? AND status "
                                                      "IN (1, 2) ORDER BY id")
                         : NULL;
    if (!st) {
        naxd_order_snapshot_free(c);
        return c ? NAX_EIO : nax__error_oom();
    }
    sqlite3_bind_int64(st, 1, (int64_t)user);
    size_t n = 0, cap = 0;
    int rc = 0;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            order_row *grown = nax__realloc(c->o.rows, ncap * sizeof(*grown));
            if (!grown) {
                rc = nax__error_oom();
                break;
            }
            c->o.rows = grown;
            cap = ncap;
        }
        rc = read_order_row(st, &c->o.rows[n]);
        if (!rc)
            n++;
    }
    sqlite3_reset(st);
    /* Views point into the rows: made once the rows stopped moving. */
    if (!rc && (!(c->o.views = nax__calloc(n ? n : 1, sizeof(*c->o.views))) ||
                !(c->o.orders = nax__calloc(n ? n : 1, sizeof(*c->o.orders)))))
        rc = nax__error_oom();
    for (size_t i = 0; !rc && i < n; i++) {
        order_row *r = &c->o.rows[i];
        r->s.pair = r->pair; /* the row moved since it was read */
        r->s.hold_asset = r->hold_asset;
        const naxd_market_spec *m = naxd_engine_market(a->engine, r->pair);
        if (!m) {
            rc = nax__error(NAX_EIO, "store: an order of unknown market %s", r->pair);
            break;
        }
        naxd_order_view_of(&c->o.views[i], &r->s, r->has_cid ? r->cid : NULL, m);
        c->o.orders[i] = &c->o.views[i].o;
    }
    if (rc) {
        naxd_order_snapshot_free(c);
        return rc;
    }
    msg->orders = c->o.orders;
    msg->orders_count = n;
    *cookie = c;
    return 0;
}

int naxd_order_snapshot_fills(naxd_app *a, uint64_t user, uint64_t max_trade, size_t limit,
                              nax_stream_message *msg, void **cookie)
{
    *cookie = NULL;
    snapshot_cookie *c = nax__calloc(1, sizeof(*c));
    if (c) {
        c->f.rows = nax__calloc(limit ? limit : 1, sizeof(*c->f.rows));
        c->f.fills = nax__calloc(limit ? limit : 1, sizeof(*c->f.fills));
    }
    if (!c || !c->f.rows || !c->f.fills) {
        naxd_order_snapshot_free(c);
        return nax__error_oom();
    }
    /* Newest first from the store; handed out oldest first. */
    sqlite3_stmt *st = naxd_store_query(
        a->store, "SELECT trade_id, order_id, pair, side, price, quantity, fee, fee_asset, "
                  "liquidity, ts FROM fills WHERE user_id = ?1 AND trade_id <= ?2 "
                  "ORDER BY trade_id DESC LIMIT ?3");
    if (!st) {
        naxd_order_snapshot_free(c);
        return NAX_EIO;
    }
    sqlite3_bind_int64(st, 1, (int64_t)user);
    sqlite3_bind_int64(st, 2, max_trade > INT64_MAX ? INT64_MAX : (int64_t)max_trade);
    sqlite3_bind_int64(st, 3, (int64_t)limit);
    size_t n = 0;
    int bad = 0;
    while (!bad && n < limit && sqlite3_step(st) == SQLITE_ROW) {
        struct fill_snap_row *r = &c->f.rows[n];
        naxd_fmt_id(r->id, sizeof r->id, "t_", (uint64_t)sqlite3_column_int64(st, 0));
        naxd_fmt_id(r->order_id, sizeof r->order_id, "o_", (uint64_t)sqlite3_column_int64(st, 1));
        snprintf(r->pair, sizeof r->pair, "%s", sqlite3_column_text(st, 2));
        snprintf(r->fee_asset, sizeof r->fee_asset, "%s", sqlite3_column_text(st, 7));
        r->f.struct_size = sizeof r->f;
        r->f.id = r->id;
        r->f.order_id = r->order_id;
        r->f.pair = r->pair;
        r->f.side = (nax_side)sqlite3_column_int(st, 3);
        bad = naxd_column_decimal(st, 4, &r->f.price) ||
              naxd_column_decimal(st, 5, &r->f.quantity) || naxd_column_decimal(st, 6, &r->f.fee);
        r->f.fee_asset = r->fee_asset;
        r->f.liquidity = (nax_liquidity)sqlite3_column_int(st, 8);
        r->f.ts = sqlite3_column_int64(st, 9);
        n++;
    }
    sqlite3_reset(st);
    if (bad) {
        naxd_order_snapshot_free(c);
        return nax__error(NAX_EIO, "store: a fill holds a malformed decimal");
    }
    for (size_t i = 0; i < n; i++)
        c->f.fills[i] = &c->f.rows[n - 1 - i].f;
    msg->fills = c->f.fills;
    msg->fills_count = n;
    *cookie = c;
    return 0;
}

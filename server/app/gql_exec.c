/*
 * Execution (spec §6): the root fields of a validated operation, in order,
 * through the app's resolvers; each object written with the fields its
 * (merged) selection sets ask for. Every root field is non-null, so an error
 * in one makes `data` null (§6.4.4) and the response carries that error.
 */
#include <stdio.h>
#include <string.h>

#include "app/gql_internal.h"
#include "core/core.h"

typedef struct ectx {
    const gql_resolvers *r;
    const nax__jv *vars;
    nax_buf *data;
    gql_error err;
    int failed;                       /* err holds a field error: data becomes null */
    gql_failure *why;                 /* an HTTP-level refusal goes here */
    const nax_balance_list *balances; /* fetched once per request */
} ectx;

static int put_str(nax_buf *out, const char *s)
{
    return s ? nax__json_write_string(out, s, strlen(s)) : nax__buf_append_str(out, "null");
}

static int put_dec(nax_buf *out, const nax_decimal *d)
{
    if (!d)
        return nax__buf_append_str(out, "null");
    char text[NAX_DECIMAL_STRING_MAX];
    if (nax_decimal_format(text, sizeof text, d) < 0)
        return nax__error(NAX_EINVAL, "a decimal could not be written");
    return put_str(out, text);
}

/* ---- leaves ---- */

static const char *side_name(nax_side s)
{
    return s == NAX_SIDE_BUY ? "BUY" : s == NAX_SIDE_SELL ? "SELL" : NULL;
}

static const char *type_name(nax_order_type t)
{
    return t == NAX_ORDER_TYPE_LIMIT ? "LIMIT" : t == NAX_ORDER_TYPE_MARKET ? "MARKET" : NULL;
}

static const char *tif_name(nax_time_in_force t)
{
    static const char *const names[] = {"GTC", "GTC", "IOC", "FOK"};
    return (unsigned)t < 4 ? names[t] : NULL;
}

static const char *status_name(nax_order_status s)
{
    static const char *const names[] = {NULL,     "OPEN",      "PARTIALLY_FILLED",
                                        "FILLED", "CANCELLED", "REJECTED"};
    return (unsigned)s < 6 ? names[s] : NULL;
}

static int balance_leaf(nax_buf *out, const nax_balance *b, const char *field)
{
    if (!strcmp(field, "asset"))
        return put_str(out, b->asset);
    if (!strcmp(field, "available"))
        return put_dec(out, &b->available);
    if (!strcmp(field, "locked"))
        return put_dec(out, &b->locked);
    return put_dec(out, &b->total);
}

static int order_leaf(nax_buf *out, const nax_order *o, const char *field)
{
    if (!strcmp(field, "id"))
        return put_str(out, o->id);
    if (!strcmp(field, "clientOrderId"))
        return put_str(out, o->client_order_id);
    if (!strcmp(field, "pair"))
        return put_str(out, o->pair);
    if (!strcmp(field, "side"))
        return put_str(out, side_name(o->side));
    if (!strcmp(field, "type"))
        return put_str(out, type_name(o->type));
    if (!strcmp(field, "price"))
        return put_dec(out, o->price);
    if (!strcmp(field, "quantity"))
        return put_dec(out, &o->quantity);
    if (!strcmp(field, "filledQuantity"))
        return put_dec(out, &o->filled_quantity);
    if (!strcmp(field, "averagePrice"))
        return put_dec(out, o->average_price);
    if (!strcmp(field, "status"))
        return put_str(out, status_name(o->status));
    if (!strcmp(field, "timeInForce"))
        return put_str(out, tif_name(o->time_in_force));
    if (!strcmp(field, "postOnly"))
        return nax__buf_append_str(out, o->post_only ? "true" : "false");
    if (!strcmp(field, "createdAt"))
        return nax__buf_printf(out, "%lld", (long long)o->created_at);
    return nax__buf_printf(out, "%lld", (long long)o->updated_at);
}

/* One object (a Balance or an Order) with the merged selection of g. */
static int write_object(nax_buf *out, const char *type, const void *obj, const gql_group *g)
{
    const gql_field **sets = gql_group_subsets(g);
    if (!sets)
        return NAX_ENOMEM;
    gql_collected c;
    int rc = gql_collect(&c, sets, g->count);
    nax__free((void *)sets);
    if (!rc)
        rc = nax__buf_append(out, "{", 1);
    for (size_t i = 0; !rc && i < c.count; i++) {
        const char *field = c.groups[i].fields[0]->name;
        if (i)
            rc = nax__buf_append(out, ",", 1);
        if (!rc)
            rc = nax__json_write_string(out, c.groups[i].key, strlen(c.groups[i].key));
        if (!rc)
            rc = nax__buf_append(out, ":", 1);
        if (rc)
            break;
        if (!strcmp(field, "__typename"))
            rc = put_str(out, type);
        else if (!strcmp(type, "Balance"))
            rc = balance_leaf(out, obj, field);
        else
            rc = order_leaf(out, obj, field);
    }
    if (!rc)
        rc = nax__buf_append(out, "}", 1);
    gql_collected_free(&c);
    return rc;
}

/* ---- the createOrder input ---- */

static int enum_value(const nax__jv *v, const char *const *names, int count)
{
    const char *s = nax__jv_str(v);
    for (int i = 1; s && i < count; i++)
        if (names[i] && !strcmp(s, names[i]))
            return i;
    return 0;
}

/* A field error about the input, reported at the createOrder field. */
static int input_error(ectx *e, const char *field, const char *fmt, const char *detail)
{
    memset(&e->err, 0, sizeof e->err);
    e->err.code = GQL_BAD_USER_INPUT;
    snprintf(e->err.field, sizeof e->err.field, "input.%s", field);
    snprintf(e->err.message, sizeof e->err.message, fmt, detail);
    e->failed = 1;
    return 1;
}

static int decimal_input(ectx *e, const nax__jv *v, const char *field, nax_decimal *out)
{
    const char *s = nax__jv_str(v);
    if (!s || nax_decimal_parse(out, s, v->len, NULL) != 0)
        return input_error(e, field,
                           "%s must be a decimal number written as a string, e.g. \"0.01\"", field);
    return 0;
}

/* The coerced input object as an order request; strings borrowed from in. */
static int order_request(ectx *e, const nax__jv *in, nax_order_request *r, nax_decimal *price)
{
    static const char *const sides[] = {NULL, "BUY", "SELL"};
    static const char *const types[] = {NULL, "LIMIT", "MARKET"};
    static const char *const tifs[] = {NULL, "GTC", "IOC", "FOK"};
    memset(r, 0, sizeof(*r));
    r->struct_size = sizeof(*r);
    r->pair = nax__jv_str(nax__jv_get(in, "pair"));
    r->side = (nax_side)enum_value(nax__jv_get(in, "side"), sides, 3);
    r->type = (nax_order_type)enum_value(nax__jv_get(in, "type"), types, 3);
    r->time_in_force = (nax_time_in_force)enum_value(nax__jv_get(in, "timeInForce"), tifs, 4);
    const nax__jv *post = nax__jv_get(in, "postOnly");
    r->post_only = post && post->kind == NAX__JV_BOOL && post->boolean;
    const nax__jv *cid = nax__jv_get(in, "clientOrderId");
    r->client_order_id = nax__jv_str(cid);
    if (!r->pair || !r->side || !r->type) /* validation makes this unreachable */
        return input_error(e, "pair", "%s: pair, side and type are required", "input");
    if (r->client_order_id && strlen(r->client_order_id) != cid->len)
        return input_error(e, "clientOrderId", "%s must not contain NUL characters",
                           "clientOrderId");
    const nax__jv *p = nax__jv_get(in, "price");
    if (p && p->kind != NAX__JV_NULL) {
        if (decimal_input(e, p, "price", price))
            return 1;
        r->price = price;
    }
    return decimal_input(e, nax__jv_get(in, "quantity"), "quantity", &r->quantity);
}

/* ---- root fields ---- */

/* A resolver said no: a field error, or (http_status) an HTTP answer. */
static int resolver_failed(ectx *e, const gql_failure *why)
{
    if (why->http_status)
        return 1; /* why is e->why: the caller answers over HTTP */
    memset(&e->err, 0, sizeof e->err);
    e->err.code = why->code ? why->code : "INTERNAL_SERVER_ERROR";
    e->err.reason = why->reason;
    snprintf(e->err.field, sizeof e->err.field, "%s", why->field);
    snprintf(e->err.message, sizeof e->err.message, "%s", why->message);
    e->failed = 1;
    return 0;
}

static int run_balances(ectx *e, const gql_group *g)
{
    if (!e->balances) {
        memset(e->why, 0, sizeof(*e->why));
        if (e->r->balances(e->r->ctx, &e->balances, e->why) != 0)
            return resolver_failed(e, e->why);
    }
    int rc = nax__buf_append(e->data, "[", 1);
    for (size_t i = 0; !rc && i < e->balances->balances_count; i++) {
        if (i)
            rc = nax__buf_append(e->data, ",", 1);
        if (!rc)
            rc = write_object(e->data, "Balance", e->balances->balances[i], g);
    }
    return rc ? rc : nax__buf_append(e->data, "]", 1);
}

static int run_create_order(ectx *e, const gql_group *g)
{
    const gql_field *f = g->fields[0];
    const gql_schema_field *sf = gql_schema_field_of(gql_schema_root(GQL_MUTATION), f->name);
    nax__jv *input = NULL;
    int rc = f->args ? gql_value_to_json(f->args->value, sf->args[0].type, e->vars, &input) : 0;
    if (rc)
        return rc;
    if (!input || input->kind != NAX__JV_OBJECT) {
        nax__jv_free(input);
        input_error(e, "pair", "%s: an order is required", "input");
        return 0;
    }
    nax_order_request req;
    nax_decimal price;
    const nax_order *order = NULL;
    if (order_request(e, input, &req, &price) == 0) {
        memset(e->why, 0, sizeof(*e->why));
        if (e->r->create_order(e->r->ctx, &req, &order, e->why) != 0)
            rc = resolver_failed(e, e->why);
        else
            rc = write_object(e->data, "Order", order, g);
    }
    nax__jv_free(input);
    return rc;
}

int gql_execute(const gql_operation *op, const nax__jv *vars, const gql_resolvers *r, nax_buf *out,
                gql_failure *why)
{
    ectx e;
    memset(&e, 0, sizeof e);
    e.r = r;
    e.vars = vars;
    e.why = why;
    memset(why, 0, sizeof(*why));
    nax_buf data = NAX_BUF_INIT;
    e.data = &data;
    const gql_schema_type *root = gql_schema_root(op->kind);
    gql_collected c;
    int rc = gql_collect(&c, (const gql_field *const[]){op->selections}, 1);
    if (!rc)
        rc = nax__buf_append_str(&data, "{\"data\":{");
    for (size_t i = 0; !rc && !e.failed && i < c.count; i++) {
        const gql_group *g = &c.groups[i];
        const char *name = g->fields[0]->name;
        if (i)
            rc = nax__buf_append(&data, ",", 1);
        if (!rc)
            rc = nax__json_write_string(&data, g->key, strlen(g->key));
        if (!rc)
            rc = nax__buf_append(&data, ":", 1);
        if (rc)
            break;
        if (!strcmp(name, "__typename"))
            rc = put_str(&data, root->name);
        else if (!strcmp(name, "balances"))
            rc = run_balances(&e, g);
        else
            rc = run_create_order(&e, g);
        if (e.failed) {
            e.err.path[0] = g->key;
            e.err.path_len = 1;
            e.err.loc = g->fields[0]->loc;
        }
    }
    if (!rc && !e.failed)
        rc = nax__buf_append_str(&data, "}}");
    if (!rc && e.failed) {
        e.err.request_id = r->request_id;
        rc = gql_write_errors(out, &e.err, 1);
    } else if (!rc)
        rc = nax__buf_append(out, data.data, data.len);
    gql_collected_free(&c);
    nax_buf_dispose(&data);
    return rc;
}

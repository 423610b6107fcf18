/*
 * The two typed operations: createOrder (exactly once: the client order id
 * is fixed before the first attempt, and an attempt whose outcome is unknown
 * is looked up over REST before it is sent again) and the user's balances.
 * GraphQL's camelCase answers become libnax's typed objects through the
 * codec, so their decimals stay exact.
 */
#include <string.h>

#include "api/api_internal.h"
#include "auth/auth.h"
#include "core/core.h"
#include "shift/shift_internal.h"

static const char create_order_doc[] =
    "mutation CreateOrder($input: CreateOrderInput!) { createOrder(input: $input) { id "
    "clientOrderId pair side type price quantity filledQuantity averagePrice status timeInForce "
    "postOnly createdAt updatedAt } }";

static const char balances_doc[] = "query Balances { balances { asset available locked total } }";

/* ---- the request ---- */

static int add_str(nax__jv *obj, const char *key, const char *s)
{
    return nax__jv_add(obj, key, nax__jv_new(NAX__JV_STRING, s, strlen(s)));
}

static int add_dec(nax__jv *obj, const char *key, const nax_decimal *d)
{
    char text[NAX_DECIMAL_STRING_MAX];
    if (nax_decimal_format(text, sizeof text, d) < 0)
        return nax__error_field(NAX_EINVAL, key, "%s is not a valid decimal", key);
    return add_str(obj, key, text);
}

/* {"input": {...}} for createOrder, in the schema's names. */
static int order_variables(const nax_order_request *r, const char *cid, nax__jv **out)
{
    static const char *const tifs[] = {NULL, "GTC", "IOC", "FOK"};
    nax__jv *vars = nax__jv_new(NAX__JV_OBJECT, NULL, 0);
    nax__jv *in = nax__jv_new(NAX__JV_OBJECT, NULL, 0);
    int rc = vars && in ? 0 : NAX_ENOMEM;
    if (!rc)
        rc = add_str(in, "pair", r->pair);
    if (!rc)
        rc = add_str(in, "side", r->side == NAX_SIDE_BUY ? "BUY" : "SELL");
    if (!rc)
        rc = add_str(in, "type", r->type == NAX_ORDER_TYPE_LIMIT ? "LIMIT" : "MARKET");
    if (!rc && r->price)
        rc = add_dec(in, "price", r->price);
    if (!rc)
        rc = add_dec(in, "quantity", &r->quantity);
    if (!rc && r->time_in_force != NAX_TIF_NONE)
        rc = add_str(in, "timeInForce", tifs[r->time_in_force]);
    if (!rc && r->post_only) {
        nax__jv *t = nax__jv_new(NAX__JV_BOOL, NULL, 0);
        if (t)
            t->boolean = 1;
        rc = nax__jv_add(in, "postOnly", t);
    }
    if (!rc)
        rc = add_str(in, "clientOrderId", cid);
    if (!rc) {
        rc = nax__jv_add(vars, "input", in);
        in = NULL;
    }
    nax__jv_free(in);
    if (rc) {
        nax__jv_free(vars);
        return rc == NAX_ENOMEM ? nax__error_oom() : rc;
    }
    *out = vars;
    return 0;
}

/* ---- the answer ---- */

/* A GraphQL Order as the codec's order: snake_case names, lower-case enums. */
static int order_from_graphql(const nax__jv *o, nax_order **out)
{
    static const struct {
        const char *gql, *rest;
        int lower;
    } names[] = {{"id", "id", 0},
                 {"clientOrderId", "client_order_id", 0},
                 {"pair", "pair", 0},
                 {"side", "side", 1},
                 {"type", "type", 1},
                 {"price", "price", 0},
                 {"quantity", "quantity", 0},
                 {"filledQuantity", "filled_quantity", 0},
                 {"averagePrice", "average_price", 0},
                 {"status", "status", 1},
                 {"timeInForce", "time_in_force", 0},
                 {"postOnly", "post_only", 0},
                 {"createdAt", "created_at", 0},
                 {"updatedAt", "updated_at", 0}};
    if (!o || o->kind != NAX__JV_OBJECT)
        return nax__error(NAX_ESCHEMA, "POST /graphql: the answer has no createOrder object");
    nax_buf json = NAX_BUF_INIT;
    int rc = nax__buf_append(&json, "{", 1), first = 1;
    for (size_t i = 0; !rc && i < sizeof names / sizeof names[0]; i++) {
        const nax__jv *v = nax__jv_get(o, names[i].gql);
        if (!v || v->kind == NAX__JV_NULL)
            continue;
        rc = nax__buf_printf(&json, "%s\"%s\":", first ? "" : ",", names[i].rest);
        first = 0;
        if (!rc && names[i].lower && v->kind == NAX__JV_STRING && v->len < 32) {
            char lower[32];
            for (size_t k = 0; k <= v->len; k++) {
                char c = v->text[k];
                lower[k] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
            }
            rc = nax__json_write_string(&json, lower, v->len);
        } else if (!rc) {
            rc = nax__jv_write(&json, v);
        }
    }
    if (!rc)
        rc = nax__buf_append(&json, "}", 1);
    if (rc)
        rc = nax__error_oom();
    else
        rc = nax_decode(out, NAX_TYPE_ORDER, json.data, json.len, NULL);
    nax_buf_dispose(&json);
    return rc;
}

int nax_shift_create_order(nax_shift_client *sc, const nax_order_request *request, nax_order **out)
{
    if (out)
        *out = NULL;
    if (!sc)
        return nax__error(NAX_EINVAL, "nax_shift_create_order: client is NULL");
    int rc = nax__order_check_request(request);
    if (rc)
        return rc;
    nax_order_request order;
    memset(&order, 0, sizeof order);
    memcpy(&order, request,
           request->struct_size < sizeof order ? request->struct_size : sizeof order);
    order.struct_size = sizeof order;
    char cid[37];
    if (!order.client_order_id) {
        rc = nax__uuid4(cid);
        if (rc)
            return rc;
        order.client_order_id = cid;
    }
    nax__jv *vars = NULL;
    nax_buf body = NAX_BUF_INIT, response = NAX_BUF_INIT;
    rc = order_variables(&order, order.client_order_id, &vars);
    if (!rc)
        rc = nax__shift_body(&body, create_order_doc, vars);
    nax__jv_free(vars);
    nax_order *placed = NULL;
    if (!rc)
        rc = nax__shift_post(sc, &body, NAX_GROUP_TRADING, nax__order_resolve, &order, &placed,
                             &response);
    if (!rc && !placed) { /* answered over GraphQL, not found by the resolver */
        nax_shift_result *r = NULL;
        nax__jv *tree = NULL;
        rc = nax__shift_read(response.data, response.len, &r, &tree);
        if (!rc)
            rc = order_from_graphql(nax__jv_get(nax__jv_get(tree, "data"), "createOrder"), &placed);
        nax__jv_free(tree);
        nax_shift_result_free(r);
    }
    if (!rc && out)
        *out = placed;
    else
        nax_object_free(placed);
    nax_buf_dispose(&body);
    nax_buf_dispose(&response);
    return rc;
}

int nax_shift_balances(nax_shift_client *sc, nax_balance_list **out)
{
    if (out)
        *out = NULL;
    if (!sc || !out)
        return nax__error(NAX_EINVAL, "nax_shift_balances: %s is NULL", sc ? "out" : "client");
    nax_buf body = NAX_BUF_INIT, response = NAX_BUF_INIT, json = NAX_BUF_INIT;
    int rc = nax__shift_body(&body, balances_doc, NULL);
    if (!rc)
        rc = nax__shift_post(sc, &body, NAX_GROUP_FUNDS, NULL, NULL, NULL, &response);
    nax_shift_result *r = NULL;
    nax__jv *tree = NULL;
    if (!rc)
        rc = nax__shift_read(response.data, response.len, &r, &tree);
    if (!rc) {
        /* Balance has the REST names already: wrap the list as the codec reads it. */
        const nax__jv *list = nax__jv_get(nax__jv_get(tree, "data"), "balances");
        if (!list || list->kind != NAX__JV_ARRAY)
            rc = nax__error(NAX_ESCHEMA, "POST /graphql: the answer has no balances list");
        else if (nax__buf_append_str(&json, "{\"balances\":") || nax__jv_write(&json, list) ||
                 nax__buf_append_str(&json, "}"))
            rc = nax__error_oom();
        else
            rc = nax_decode(out, NAX_TYPE_BALANCE_LIST, json.data, json.len, NULL);
    }
    nax__jv_free(tree);
    nax_shift_result_free(r);
    nax_buf_dispose(&body);
    nax_buf_dispose(&response);
    nax_buf_dispose(&json);
    return rc;
}

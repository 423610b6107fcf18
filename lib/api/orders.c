/*
 * Orders: exactly-once placement (local rule checks, a client order id
 * fixed before the first attempt, lookup by that id when an attempt's
 * outcome is unknown), reads, cancels and the user's fills.
 */
#include <string.h>

#include "api/api_internal.h"
#include "auth/auth.h"

/* The first field in which the order differs from the request; NULL when
 * none does. The price counts for limit orders only. */
static const char *differing_field(const nax_order *o, const nax_order_request *r)
{
    if (!o->pair || strcmp(o->pair, r->pair))
        return "pair";
    if (o->side != r->side)
        return "side";
    if (o->type != r->type)
        return "type";
    if (nax_decimal_cmp(&o->quantity, &r->quantity))
        return "quantity";
    if (r->type == NAX_ORDER_TYPE_LIMIT && (!o->price || nax_decimal_cmp(o->price, r->price)))
        return "price";
    return NULL;
}

int nax__order_resolve(nax_client *c, void *ctx, void *out)
{
    const nax_order_request *r = ctx;
    nax_order **found = out;
    int rc = nax_orders_get_by_client_id(c, r->client_order_id, found);
    if (rc)
        return rc == NAX_ENOTFOUND ? 0 : rc;
    /* A reused client order id finds an older, unrelated order: that is
     * not this placement succeeding. */
    const char *field = differing_field(*found, r);
    if (!field)
        return 1;
    nax__error_field(NAX_ECONFLICT, "client_order_id",
                     "client order id \"%s\" is held by an existing, different order %s "
                     "(its %s differs); this order was not placed",
                     r->client_order_id, (*found)->id ? (*found)->id : "", field);
    nax_object_free(*found);
    *found = NULL;
    return NAX_ECONFLICT;
}

int nax_orders_place(nax_client *client, const nax_order_request *request, nax_order **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__order_check_request(request);
    if (rc)
        return rc;
    nax_market *market = NULL;
    rc = nax__client_market(client, request->pair, &market);
    if (!rc)
        rc = nax__order_check_market(request, market);
    nax_object_free(market);
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
    nax_order *placed = NULL;
    nax__call call =
        nax__api_call("POST", "/v1/orders", "/v1/orders", NAX_GROUP_TRADING, NAX__AUTH_USER);
    call.request_type = NAX_TYPE_ORDER_REQUEST;
    call.request = &order;
    call.response_type = NAX_TYPE_ORDER;
    call.response = &placed; /* always: the resolver needs somewhere to put what it finds */
    call.resolve = nax__order_resolve;
    call.resolve_ctx = &order;
    rc = nax__client_call(client, &call);
    if (!rc && out)
        *out = placed;
    else
        nax_object_free(placed);
    return rc;
}

int nax_orders_get(nax_client *client, const char *id, nax_order **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(out, "out");
    if (!rc)
        rc = nax__api_need_segment(id, "id");
    if (rc)
        return rc;
    nax_buf target = NAX_BUF_INIT;
    rc = nax__api_path(&target, "/v1/orders/", id, "id", NULL);
    return nax__api_send(client, rc, &target, "GET", "/v1/orders/{id}", NAX_GROUP_TRADING,
                         NAX__AUTH_USER, NAX_TYPE_ORDER, out);
}

int nax_orders_get_by_client_id(nax_client *client, const char *client_order_id, nax_order **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(out, "out");
    if (!rc)
        rc = nax__api_need_str(client_order_id, "client_order_id");
    if (!rc)
        rc = nax__api_check_client_order_id(client_order_id, "client_order_id");
    if (rc)
        return rc;
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.client_order_id = client_order_id;
    q.limit = 1;
    nax_order_list *list = NULL;
    rc = nax_orders_list(client, &q, &list);
    if (rc)
        return rc;
    if (list->orders_count == 0) {
        rc = nax__error_field(NAX_ENOTFOUND, "client_order_id",
                              "no order has the client order id %s", client_order_id);
    } else {
        /* A copy of the one order, so the caller frees a nax_order. */
        nax_buf json = NAX_BUF_INIT;
        rc = nax_encode(&json, NAX_TYPE_ORDER, list->orders[0]);
        if (!rc)
            rc = nax_decode(out, NAX_TYPE_ORDER, json.data, json.len, NULL);
        nax_buf_dispose(&json);
    }
    nax_object_free(list);
    return rc;
}

int nax_orders_cancel(nax_client *client, const char *id, nax_order **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need_segment(id, "id");
    if (rc)
        return rc;
    nax_buf target = NAX_BUF_INIT;
    rc = nax__api_path(&target, "/v1/orders/", id, "id", NULL);
    return nax__api_send(client, rc, &target, "DELETE", "/v1/orders/{id}", NAX_GROUP_TRADING,
                         NAX__AUTH_USER, NAX_TYPE_ORDER, out);
}

int nax_orders_cancel_all(nax_client *client, const char *pair, nax_cancel_result **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc && pair)
        rc = nax__api_need_str(pair, "pair");
    if (rc)
        return rc;
    nax_buf target = NAX_BUF_INIT;
    rc = nax__buf_append_str(&target, "/v1/orders");
    if (!rc && pair)
        rc = nax__api_query(&target, "pair", pair);
    return nax__api_send(client, rc, &target, "DELETE", "/v1/orders", NAX_GROUP_TRADING,
                         NAX__AUTH_USER, NAX_TYPE_CANCEL_RESULT, out);
}

/*
 * naxd's GraphQL endpoint (server/app/gql_*.c): the whole POST /graphql body
 * ({"query","variables","operationName"}) through parse, validate and
 * execute, against fake resolvers (one balance list, orders echoed back).
 * Oracles: a request that is not refused as a whole gets a response that is
 * one well-formed JSON object; a refused one names an HTTP status.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "app/gql.h"
#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static nax_balance one;
static const nax_balance *ones[] = {&one};
static nax_balance_list list = {sizeof list, ones, 1};
static nax_order order;

static int balances(void *ctx, const nax_balance_list **out, gql_failure *why)
{
    (void)ctx;
    (void)why;
    *out = &list;
    return 0;
}

static int create_order(void *ctx, const nax_order_request *r, const nax_order **out,
                        gql_failure *why)
{
    (void)ctx;
    (void)why;
    memset(&order, 0, sizeof order);
    order.struct_size = sizeof order;
    order.id = "o_1";
    order.client_order_id = r->client_order_id;
    order.pair = r->pair;
    order.side = r->side;
    order.type = r->type;
    order.price = r->price;
    order.quantity = r->quantity;
    order.time_in_force = r->time_in_force ? r->time_in_force : NAX_TIF_GTC;
    order.post_only = r->post_only;
    order.status = NAX_ORDER_STATUS_OPEN;
    *out = &order;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!one.struct_size) {
        one.struct_size = sizeof one;
        one.asset = "AUD";
        if (nax_decimal_parse(&one.available, "950.25", 6, NULL) ||
            nax_decimal_parse(&one.locked, "49.75", 5, NULL) ||
            nax_decimal_parse(&one.total, "1000.00", 7, NULL))
            abort();
    }
    gql_resolvers r = {balances, create_order, NULL, "req_fuzz"};
    nax_buf out = NAX_BUF_INIT;
    gql_failure why;
    memset(&why, 0, sizeof why);
    int rc = gql_run((const char *)data, size, &r, &out, &why);
    if (rc == 0) {
        char err[128];
        yajl_val v = out.data ? yajl_tree_parse(out.data, err, sizeof err) : NULL;
        if (!v || !YAJL_IS_OBJECT(v))
            abort(); /* every GraphQL response is one JSON object */
        yajl_tree_free(v);
    } else if (rc == 1) {
        if (why.http_status < 400 || why.http_status > 599)
            abort();
    } else if (rc != NAX_ENOMEM) {
        abort();
    }
    nax_buf_dispose(&out);
    return 0;
}

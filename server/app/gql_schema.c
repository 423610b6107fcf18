/*
 * The schema naxd serves on POST /graphql, as tables. docs/shift.graphql is
 * the same schema in GraphQL's own notation; keep the two in step.
 */
#include <stdio.h>
#include <string.h>

#include "app/gql_internal.h"

#define NAMED(var, type_name, nn) static const gql_type var = {type_name, NULL, nn}

NAMED(t_string, "String", 0);
NAMED(t_string_nn, "String", 1);
NAMED(t_id_nn, "ID", 1);
NAMED(t_boolean, "Boolean", 0);
NAMED(t_boolean_nn, "Boolean", 1);
NAMED(t_timestamp_nn, "Timestamp", 1);
NAMED(t_side_nn, "Side", 1);
NAMED(t_order_type_nn, "OrderType", 1);
NAMED(t_tif, "TimeInForce", 0);
NAMED(t_tif_nn, "TimeInForce", 1);
NAMED(t_status_nn, "OrderStatus", 1);
NAMED(t_balance_nn, "Balance", 1);
NAMED(t_order_nn, "Order", 1);
NAMED(t_input_nn, "CreateOrderInput", 1);
static const gql_type t_balances_nn = {NULL, &t_balance_nn, 1};

static const gql_schema_field query_fields[] = {{"balances", &t_balances_nn, NULL}, {NULL}};

static const gql_schema_arg create_order_args[] = {{"input", &t_input_nn}, {NULL}};
static const gql_schema_field mutation_fields[] = {{"createOrder", &t_order_nn, create_order_args},
                                                   {NULL}};

static const gql_schema_field balance_fields[] = {{"asset", &t_string_nn, NULL},
                                                  {"available", &t_string_nn, NULL},
                                                  {"locked", &t_string_nn, NULL},
                                                  {"total", &t_string_nn, NULL},
                                                  {NULL}};

static const gql_schema_field order_fields[] = {{"id", &t_id_nn, NULL},
                                                {"clientOrderId", &t_string, NULL},
                                                {"pair", &t_string_nn, NULL},
                                                {"side", &t_side_nn, NULL},
                                                {"type", &t_order_type_nn, NULL},
                                                {"price", &t_string, NULL},
                                                {"quantity", &t_string_nn, NULL},
                                                {"filledQuantity", &t_string_nn, NULL},
                                                {"averagePrice", &t_string, NULL},
                                                {"status", &t_status_nn, NULL},
                                                {"timeInForce", &t_tif_nn, NULL},
                                                {"postOnly", &t_boolean_nn, NULL},
                                                {"createdAt", &t_timestamp_nn, NULL},
                                                {"updatedAt", &t_timestamp_nn, NULL},
                                                {NULL}};

static const gql_schema_field input_fields[] = {{"pair", &t_string_nn, NULL},
                                                {"side", &t_side_nn, NULL},
                                                {"type", &t_order_type_nn, NULL},
                                                {"price", &t_string, NULL},
                                                {"quantity", &t_string_nn, NULL},
                                                {"timeInForce", &t_tif, NULL},
                                                {"postOnly", &t_boolean, NULL},
                                                {"clientOrderId", &t_string, NULL},
                                                {NULL}};

static const char *const side_values[] = {"BUY", "SELL", NULL};
static const char *const order_type_values[] = {"LIMIT", "MARKET", NULL};
static const char *const tif_values[] = {"GTC", "IOC", "FOK", NULL};
static const char *const status_values[] = {"OPEN",      "PARTIALLY_FILLED", "FILLED",
                                            "CANCELLED", "REJECTED",         NULL};

static const gql_schema_type types[] = {
    {"Query", GQL_OBJECT, query_fields, NULL},
    {"Mutation", GQL_OBJECT, mutation_fields, NULL},
    {"Balance", GQL_OBJECT, balance_fields, NULL},
    {"Order", GQL_OBJECT, order_fields, NULL},
    {"CreateOrderInput", GQL_INPUT, input_fields, NULL},
    {"Side", GQL_ENUM, NULL, side_values},
    {"OrderType", GQL_ENUM, NULL, order_type_values},
    {"TimeInForce", GQL_ENUM, NULL, tif_values},
    {"OrderStatus", GQL_ENUM, NULL, status_values},
    {"String", GQL_SCALAR, NULL, NULL},
    {"Boolean", GQL_SCALAR, NULL, NULL},
    {"Int", GQL_SCALAR, NULL, NULL},
    {"Float", GQL_SCALAR, NULL, NULL},
    {"ID", GQL_SCALAR, NULL, NULL},
    {"Timestamp", GQL_SCALAR, NULL, NULL},
};

const gql_schema_type *gql_schema_type_named(const char *name)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(types[i].name, name))
            return &types[i];
    return NULL;
}

const gql_schema_field *gql_schema_field_of(const gql_schema_type *t, const char *name)
{
    if (!t->fields)
        return NULL;
    for (const gql_schema_field *f = t->fields; f->name; f++)
        if (!strcmp(f->name, name))
            return f;
    return NULL;
}

const gql_schema_type *gql_schema_root(gql_op_kind kind)
{
    switch (kind) {
    case GQL_QUERY: return &types[0];
    case GQL_MUTATION: return &types[1];
    case GQL_SUBSCRIPTION: break;
    }
    return NULL;
}

const char *gql_type_base(const gql_type *t)
{
    while (!t->name)
        t = t->of;
    return t->name;
}

void gql_type_format(char *out, size_t size, const gql_type *t)
{
    if (t->name) {
        snprintf(out, size, "%s%s", t->name, t->non_null ? "!" : "");
        return;
    }
    char inner[96];
    gql_type_format(inner, sizeof inner, t->of);
    /* "[inner]!" by hand: a long name is cut, never overrun (messages only). */
    if (size < 4) {
        if (size)
            out[0] = '\0';
        return;
    }
    size_t n = strlen(inner);
    if (n > size - 4)
        n = size - 4;
    out[0] = '[';
    memcpy(out + 1, inner, n);
    out[n + 1] = ']';
    out[n + 2] = t->non_null ? '!' : '\0';
    out[n + 3] = '\0';
}

/* Shared helpers of the GraphQL unit tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "graphql_test.h"

static nax_decimal dec(const char *text)
{
    nax_decimal d;
    ck_assert_int_eq(nax_decimal_parse(&d, text, strlen(text), NULL), 0);
    return d;
}

void fake_init(fake *f)
{
    memset(f, 0, sizeof(*f));
    const char *assets[] = {"AUD", "BTC"};
    const char *av[] = {"950.25", "0.5"}, *lk[] = {"49.75", "0"}, *tot[] = {"1000.00", "0.5"};
    for (int i = 0; i < 2; i++) {
        f->rows[i].struct_size = sizeof f->rows[i];
        f->rows[i].asset = assets[i];
        f->rows[i].available = dec(av[i]);
        f->rows[i].locked = dec(lk[i]);
        f->rows[i].total = dec(tot[i]);
        f->ptrs[i] = &f->rows[i];
    }
    f->list.struct_size = sizeof f->list;
    f->list.balances = f->ptrs;
    f->list.balances_count = 2;
}

static int fake_balances(void *ctx, const nax_balance_list **out, gql_failure *why)
{
    fake *f = ctx;
    f->balances_calls++;
    if (f->refuse_balances) {
        *why = f->refuse;
        return -1;
    }
    *out = &f->list;
    return 0;
}

static int fake_create(void *ctx, const nax_order_request *r, const nax_order **out,
                       gql_failure *why)
{
    fake *f = ctx;
    f->create_calls++;
    f->last = *r;
    snprintf(f->last_pair, sizeof f->last_pair, "%s", r->pair ? r->pair : "");
    snprintf(f->last_cid, sizeof f->last_cid, "%s", r->client_order_id ? r->client_order_id : "");
    f->last.pair = f->last_pair;
    f->last.client_order_id = r->client_order_id ? f->last_cid : NULL;
    f->last_has_price = r->price != NULL;
    if (r->price)
        f->last_price = *r->price;
    f->last.price = NULL;
    if (f->refuse_create) {
        *why = f->refuse;
        return -1;
    }
    snprintf(f->order_id, sizeof f->order_id, "o_1");
    memset(&f->order, 0, sizeof f->order);
    f->order.struct_size = sizeof f->order;
    f->order.id = f->order_id;
    f->order.client_order_id = f->last.client_order_id;
    f->order.pair = f->last_pair;
    f->order.side = r->side;
    f->order.type = r->type;
    if (r->price) {
        f->order_price = *r->price;
        f->order.price = &f->order_price;
    }
    f->order.quantity = r->quantity;
    f->order.filled_quantity = dec("0");
    f->order.time_in_force = r->time_in_force ? r->time_in_force : NAX_TIF_GTC;
    f->order.post_only = r->post_only;
    f->order.status = NAX_ORDER_STATUS_OPEN;
    f->order.created_at = 1700000000000LL;
    f->order.updated_at = 1700000000001LL;
    *out = &f->order;
    return 0;
}

gql_resolvers fake_resolvers(fake *f)
{
    gql_resolvers r = {fake_balances, fake_create, f, f->request_id};
    return r;
}

int run_body(fake *f, const char *body, char **out, gql_failure *why)
{
    gql_resolvers r = fake_resolvers(f);
    nax_buf buf = NAX_BUF_INIT;
    int rc = gql_run(body, strlen(body), &r, &buf, why);
    *out = strdup(buf.data ? buf.data : "");
    nax_buf_dispose(&buf);
    ck_assert_ptr_nonnull(*out);
    return rc;
}

char *run_ok(fake *f, const char *query, const char *vars_json)
{
    nax_buf body = NAX_BUF_INIT;
    ck_assert_int_eq(nax__buf_append_str(&body, "{\"query\":"), 0);
    ck_assert_int_eq(nax__json_write_string(&body, query, strlen(query)), 0);
    if (vars_json)
        ck_assert_int_eq(nax__buf_printf(&body, ",\"variables\":%s", vars_json), 0);
    ck_assert_int_eq(nax__buf_append_str(&body, "}"), 0);
    char *out = NULL;
    gql_failure why;
    int rc = run_body(f, body.data, &out, &why);
    ck_assert_msg(rc == 0, "gql_run returned %d (%s)", rc, why.message);
    nax_buf_dispose(&body);
    return out;
}

gql_document *parse_ok(const char *text)
{
    gql_document *doc = NULL;
    gql_error err;
    int rc = gql_parse(&doc, text, strlen(text), &err);
    ck_assert_msg(rc == 0, "parse of \"%s\" failed: %s", text, rc == 1 ? err.message : "rc");
    return doc;
}

void expect_parse_error_at(const char *text, const char *code, unsigned line, unsigned column,
                           const char *part, const char *file, int at)
{
    gql_document *doc = NULL;
    gql_error err;
    int rc = gql_parse(&doc, text, strlen(text), &err);
    ck_assert_msg(rc == 1, "%s:%d: \"%s\" parsed (rc %d)", file, at, text, rc);
    ck_assert_ptr_null(doc);
    ck_assert_msg(!strcmp(err.code, code), "%s:%d: code %s, wanted %s (%s)", file, at, err.code,
                  code, err.message);
    ck_assert_msg(err.loc.line == line && err.loc.column == column,
                  "%s:%d: \"%s\" at %u:%u, wanted %u:%u (%s)", file, at, text, err.loc.line,
                  err.loc.column, line, column, err.message);
    ck_assert_msg(strstr(err.message, part) != NULL, "%s:%d: \"%s\" not in \"%s\"", file, at, part,
                  err.message);
}

int run_suite(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

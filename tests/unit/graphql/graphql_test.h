/* Shared helpers of the GraphQL unit tests: fake resolvers and runners. */
#ifndef NAX_TEST_GRAPHQL_TEST_H
#define NAX_TEST_GRAPHQL_TEST_H

#include <check.h>

#include "app/gql.h"
#include "app/gql_internal.h"

/* Resolvers that answer from fixed data and record what they were asked. */
typedef struct fake {
    nax_balance rows[2];
    const nax_balance *ptrs[2];
    nax_balance_list list;
    nax_order order;
    nax_decimal order_price;
    char order_id[16];
    int balances_calls, create_calls;
    /* the last createOrder request, copied */
    nax_order_request last;
    nax_decimal last_price;
    int last_has_price;
    char last_pair[32], last_cid[64];
    /* set to make a resolver refuse */
    gql_failure refuse;
    int refuse_balances, refuse_create;
    const char *request_id; /* handed to gql_run; NULL by default */
} fake;

void fake_init(fake *f);
gql_resolvers fake_resolvers(fake *f);

/* Runs a request body through gql_run; returns its rc, *out the response
 * (malloc'd, "" when none; free it) and *why. */
int run_body(fake *f, const char *body, char **out, gql_failure *why);
/* Builds {"query": query, "variables": vars_json} (vars_json may be NULL)
 * and runs it, asserting rc 0; returns the response (free it). */
char *run_ok(fake *f, const char *query, const char *vars_json);

/* Parses text that must be valid; the document is the caller's. */
gql_document *parse_ok(const char *text);
/* Asserts the text fails to parse with code at line:column and a message containing part. */
void expect_parse_error_at(const char *text, const char *code, unsigned line, unsigned column,
                           const char *part, const char *file, int at);
#define EXPECT_PARSE_ERROR(text, code, line, column, part)                                         \
    expect_parse_error_at((text), (code), (line), (column), (part), __FILE__, __LINE__)

/* Asserts that `haystack` contains `needle`. */
#define ck_assert_contains(haystack, needle)                                                       \
    ck_assert_msg(strstr((haystack), (needle)) != NULL, "\"%s\" not in \"%s\"", (needle),          \
                  (haystack))

int run_suite(Suite *suite);

#endif

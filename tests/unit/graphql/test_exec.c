/*
 * Whole requests through gql_run with fake resolvers: the body's members,
 * the answer's shape (selection sets, aliases, merging, __typename, nulls,
 * enums, exact decimals), what the resolvers receive, and how their
 * refusals come back (field errors, or an HTTP answer).
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "codec/codec_internal.h"
#include "graphql_test.h"

#define ALL_ORDER_FIELDS                                                                           \
    "id clientOrderId pair side type price quantity filledQuantity averagePrice status "           \
    "timeInForce postOnly createdAt updatedAt __typename"

START_TEST(balances_follow_the_selection)
{
    fake f;
    fake_init(&f);
    char *out = run_ok(&f, "{ balances { asset available locked total } }", NULL);
    ck_assert_str_eq(out, "{\"data\":{\"balances\":[{\"asset\":\"AUD\",\"available\":\"950.25\","
                          "\"locked\":\"49.75\",\"total\":\"1000.00\"},{\"asset\":\"BTC\","
                          "\"available\":\"0.5\",\"locked\":\"0\",\"total\":\"0.5\"}]}}");
    free(out);
    out = run_ok(&f,
                 "query { t: __typename b: balances { total __typename } balances { asset } "
                 "b: balances { asset } }",
                 NULL);
    ck_assert_str_eq(out, "{\"data\":{\"t\":\"Query\",\"b\":[{\"total\":\"1000.00\",\"__typename\":"
                          "\"Balance\",\"asset\":\"AUD\"},{\"total\":\"0.5\",\"__typename\":"
                          "\"Balance\",\"asset\":\"BTC\"}],\"balances\":[{\"asset\":\"AUD\"},"
                          "{\"asset\":\"BTC\"}]}}");
    ck_assert_int_eq(f.balances_calls, 2); /* once per request */
    free(out);
}
END_TEST

START_TEST(strings_are_escaped)
{
    fake f;
    fake_init(&f);
    f.rows[0].asset = "A\"\\\n\x01\xC3\xA9";
    char *out = run_ok(&f, "{ balances { asset } }", NULL);
    ck_assert_str_eq(out, "{\"data\":{\"balances\":[{\"asset\":\"A\\\"\\\\\\n\\u0001\xC3\xA9\"},"
                          "{\"asset\":\"BTC\"}]}}");
    free(out);
}
END_TEST

START_TEST(create_order_from_variables)
{
    fake f;
    fake_init(&f);
    char *out = run_ok(
        &f,
        "mutation P($in: CreateOrderInput!) { createOrder(input: $in) { " ALL_ORDER_FIELDS " } }",
        "{\"in\":{\"pair\":\"BTC-AUD\",\"side\":\"SELL\",\"type\":\"LIMIT\","
        "\"price\":\"97250.50\",\"quantity\":\"0.01000000\",\"timeInForce\":"
        "\"FOK\",\"postOnly\":true,\"clientOrderId\":\"cli-1\"}}");
    ck_assert_str_eq(out, "{\"data\":{\"createOrder\":{\"id\":\"o_1\",\"clientOrderId\":\"cli-1\","
                          "\"pair\":\"BTC-AUD\",\"side\":\"SELL\",\"type\":\"LIMIT\",\"price\":"
                          "\"97250.50\",\"quantity\":\"0.01000000\",\"filledQuantity\":\"0\","
                          "\"averagePrice\":null,\"status\":\"OPEN\",\"timeInForce\":\"FOK\","
                          "\"postOnly\":true,\"createdAt\":1700000000000,\"updatedAt\":"
                          "1700000000001,\"__typename\":\"Order\"}}}");
    ck_assert_int_eq(f.create_calls, 1);
    ck_assert_str_eq(f.last_pair, "BTC-AUD");
    ck_assert_int_eq(f.last.side, NAX_SIDE_SELL);
    ck_assert_int_eq(f.last.type, NAX_ORDER_TYPE_LIMIT);
    ck_assert_int_eq(f.last.time_in_force, NAX_TIF_FOK);
    ck_assert_int_eq(f.last.post_only, 1);
    ck_assert_str_eq(f.last.client_order_id, "cli-1");
    ck_assert_int_eq(f.last_has_price, 1);
    char text[NAX_DECIMAL_STRING_MAX];
    nax_decimal_format(text, sizeof text, &f.last_price);
    ck_assert_str_eq(text, "97250.50");
    nax_decimal_format(text, sizeof text, &f.last.quantity);
    ck_assert_str_eq(text, "0.01000000");
    free(out);
}
END_TEST

START_TEST(create_market_order_from_literals)
{
    fake f;
    fake_init(&f);
    char *out = run_ok(&f,
                       "mutation { o: createOrder(input: {pair: \"ETH-AUD\", side: BUY, type: "
                       "MARKET, quantity: \"2\", price: null}) { price type timeInForce postOnly "
                       "clientOrderId } }",
                       NULL);
    ck_assert_str_eq(out, "{\"data\":{\"o\":{\"price\":null,\"type\":\"MARKET\",\"timeInForce\":"
                          "\"GTC\",\"postOnly\":false,\"clientOrderId\":null}}}");
    ck_assert_int_eq(f.last_has_price, 0);
    ck_assert_int_eq(f.last.time_in_force, NAX_TIF_NONE);
    ck_assert_ptr_null(f.last.client_order_id);
    free(out);
}
END_TEST

START_TEST(bad_decimals_never_reach_the_resolver)
{
    fake f;
    fake_init(&f);
    const char *prices[] = {"1e3", "abc", "", " 1", "1.2.3", "0x10"};
    for (size_t i = 0; i < sizeof prices / sizeof prices[0]; i++) {
        char vars[160];
        snprintf(vars, sizeof vars,
                 "{\"in\":{\"pair\":\"P\",\"side\":\"BUY\",\"type\":\"LIMIT\",\"price\":\"%s\","
                 "\"quantity\":\"1\"}}",
                 prices[i]);
        char *out = run_ok(
            &f, "mutation ($in: CreateOrderInput!) { createOrder(input: $in) { id } }", vars);
        ck_assert_contains(out, "\"extensions\":{\"code\":\"BAD_USER_INPUT\",\"field\":"
                                "\"input.price\"}}],\"data\":null}");
        ck_assert_contains(out, "\"path\":[\"createOrder\"]");
        ck_assert_contains(out, "\"locations\":[{\"line\":1,\"column\":37}]");
        free(out);
    }
    char *out = run_ok(&f,
                       "mutation { createOrder(input: {pair: \"P\", side: BUY, type: LIMIT, "
                       "quantity: \"lots\"}) { id } }",
                       NULL);
    ck_assert_contains(out, "\"field\":\"input.quantity\"");
    free(out);
    ck_assert_int_eq(f.create_calls, 0);
}
END_TEST

START_TEST(resolver_refusals_are_field_errors)
{
    fake f;
    fake_init(&f);
    f.refuse_create = 1;
    f.refuse.code = "CONFLICT";
    f.refuse.reason = "duplicate_client_order_id";
    snprintf(f.refuse.field, sizeof f.refuse.field, "input.clientOrderId");
    snprintf(f.refuse.message, sizeof f.refuse.message, "an order with this id \"exists\"");
    char *out = run_ok(&f,
                       "mutation {\n  createOrder(input: {pair: \"P\", side: BUY, type: LIMIT, "
                       "quantity: \"1\", clientOrderId: \"x\"}) { id }\n}",
                       NULL);
    ck_assert_str_eq(out, "{\"errors\":[{\"message\":\"an order with this id \\\"exists\\\"\","
                          "\"locations\":[{\"line\":2,\"column\":3}],\"path\":[\"createOrder\"],"
                          "\"extensions\":{\"code\":\"CONFLICT\",\"field\":"
                          "\"input.clientOrderId\",\"reason\":\"duplicate_client_order_id\"}}],"
                          "\"data\":null}");
    free(out);
    f.refuse_balances = 1;
    f.refuse.code = "FORBIDDEN";
    f.refuse.reason = NULL;
    f.refuse.field[0] = '\0';
    snprintf(f.refuse.message, sizeof f.refuse.message, "no");
    out = run_ok(&f, "{ __typename mine: balances { asset } }", NULL);
    ck_assert_str_eq(out, "{\"errors\":[{\"message\":\"no\",\"locations\":[{\"line\":1,"
                          "\"column\":14}],\"path\":[\"mine\"],\"extensions\":{\"code\":"
                          "\"FORBIDDEN\"}}],\"data\":null}");
    free(out);
}
END_TEST

START_TEST(resolver_may_ask_for_an_http_answer)
{
    fake f;
    fake_init(&f);
    f.refuse_create = 1;
    f.refuse.http_status = 503;
    f.refuse.reason = "store_unavailable";
    snprintf(f.refuse.message, sizeof f.refuse.message, "later");
    char *out = NULL;
    gql_failure why;
    int rc = run_body(&f,
                      "{\"query\":\"mutation { createOrder(input: {pair: \\\"P\\\", side: BUY, "
                      "type: LIMIT, quantity: \\\"1\\\"}) { id } }\"}",
                      &out, &why);
    ck_assert_int_eq(rc, 1);
    ck_assert_int_eq(why.http_status, 503);
    ck_assert_str_eq(why.reason, "store_unavailable");
    ck_assert_str_eq(why.message, "later");
    free(out);
}
END_TEST

START_TEST(bodies_that_are_not_graphql_requests)
{
    const struct {
        const char *body, *reason, *field;
    } cases[] = {
        {"", "invalid_json", ""},
        {"{\"query\":", "invalid_json", ""},
        {"{\"query\":\"{a}\",\"query\":\"{b}\"}", "invalid_json", ""},
        {"[\"{ balances { asset } }\"]", "invalid_request", ""},
        {"{\"variables\":{}}", "invalid_request", "query"},
        {"{\"query\":7}", "invalid_request", "query"},
        {"{\"query\":\"{ __typename }\",\"variables\":\"{}\"}", "invalid_request", "variables"},
        {"{\"query\":\"{ __typename }\",\"operationName\":[]}", "invalid_request", "operationName"},
        {"{\"query\":\"\\u0000\"}\x0b", "invalid_json", ""},
    };
    fake f;
    fake_init(&f);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL;
        gql_failure why;
        int rc = run_body(&f, cases[i].body, &out, &why);
        ck_assert_msg(rc == 1, "%s: rc %d", cases[i].body, rc);
        ck_assert_int_eq(why.http_status, 400);
        ck_assert_str_eq(why.reason, cases[i].reason);
        ck_assert_str_eq(why.field, cases[i].field);
        free(out);
    }
    /* extra members are allowed; null variables and operationName mean none */
    char *out = NULL;
    gql_failure why;
    ck_assert_int_eq(run_body(&f,
                              "{\"query\":\"{ __typename }\",\"variables\":null,\"operationName\":"
                              "null,\"extensions\":{\"x\":1}}",
                              &out, &why),
                     0);
    ck_assert_str_eq(out, "{\"data\":{\"__typename\":\"Query\"}}");
    free(out);
}
END_TEST

/* Error texts quote the caller's names into fixed-size buffers; a cut inside
 * a multi-byte character must not reach the response as broken UTF-8 (found
 * by fuzz_graphql: a strict client could not parse the answer). */
START_TEST(error_texts_cut_inside_a_character_stay_valid_utf8)
{
    fake f;
    fake_init(&f);
    char name[2 * 70 + 1] = "";
    for (int i = 0; i < 70; i++)
        strcat(name, "\xc3\xa9"); /* U+00E9, two bytes */
    char vars[400];
    snprintf(vars, sizeof vars,
             "{\"in\":{\"pair\":\"P\",\"side\":\"BUY\",\"type\":\"LIMIT\","
             "\"quantity\":\"1\",\"%s\":1}}",
             name);
    char *out =
        run_ok(&f, "mutation ($in: CreateOrderInput!) { createOrder(input: $in) { id } }", vars);
    ck_assert_contains(out, "BAD_USER_INPUT");
    size_t len = strlen(out);
    ck_assert_uint_eq(nax__codec_utf8_check((const unsigned char *)out, len), len);
    free(out);
}
END_TEST

START_TEST(request_errors_have_no_data)
{
    fake f;
    fake_init(&f);
    char *out = run_ok(&f, "{ balances { asset", NULL);
    ck_assert_str_eq(out, "{\"errors\":[{\"message\":\"Syntax Error: Expected Name, found <EOF>.\","
                          "\"locations\":[{\"line\":1,\"column\":19}],\"extensions\":{\"code\":"
                          "\"GRAPHQL_PARSE_FAILED\"}}]}");
    free(out);
    out = run_ok(&f, "{ balances { asset nope } }", NULL);
    ck_assert_str_eq(out, "{\"errors\":[{\"message\":\"Cannot query field \\\"nope\\\" on type "
                          "\\\"Balance\\\".\",\"locations\":[{\"line\":1,\"column\":20}],"
                          "\"path\":[\"balances\",\"nope\"],\"extensions\":{\"code\":"
                          "\"GRAPHQL_VALIDATION_FAILED\"}}]}");
    free(out);
    out = run_ok(&f, "mutation ($i: CreateOrderInput!) { createOrder(input: $i) { id } }",
                 "{\"i\":{\"pair\":\"P\",\"side\":\"UP\",\"type\":\"LIMIT\",\"quantity\":\"1\"}}");
    ck_assert_contains(out, "\"extensions\":{\"code\":\"BAD_USER_INPUT\",\"field\":\"i.side\"}}]}");
    free(out);
    ck_assert_int_eq(f.balances_calls + f.create_calls, 0);
    /* the app's request id goes into every error */
    f.request_id = "req-\"7\"";
    out = run_ok(&f, "{ nope }", NULL);
    ck_assert_contains(out, "\"GRAPHQL_VALIDATION_FAILED\",\"requestId\":\"req-\\\"7\\\"\"}}]}");
    free(out);
    f.refuse_balances = 1;
    f.refuse.code = "FORBIDDEN";
    out = run_ok(&f, "{ balances { asset } }", NULL);
    ck_assert_contains(out, "\"FORBIDDEN\",\"requestId\":\"req-\\\"7\\\"\"}}],\"data\":null}");
    free(out);
    out = run_ok(&f, "{ __typename }", NULL);
    ck_assert_str_eq(out, "{\"data\":{\"__typename\":\"Query\"}}");
    free(out);
}
END_TEST

static Suite *exec_suite(void)
{
    Suite *s = suite_create("graphql_exec");
    TCase *tc = tcase_create("exec");
    tcase_add_test(tc, balances_follow_the_selection);
    tcase_add_test(tc, strings_are_escaped);
    tcase_add_test(tc, create_order_from_variables);
    tcase_add_test(tc, create_market_order_from_literals);
    tcase_add_test(tc, bad_decimals_never_reach_the_resolver);
    tcase_add_test(tc, resolver_refusals_are_field_errors);
    tcase_add_test(tc, resolver_may_ask_for_an_http_answer);
    tcase_add_test(tc, bodies_that_are_not_graphql_requests);
    tcase_add_test(tc, request_errors_have_no_data);
    tcase_add_test(tc, error_texts_cut_inside_a_character_stay_valid_utf8);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(exec_suite());
}

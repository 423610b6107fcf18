/*
 * Validation against the schema and variable coercion: each rule names the
 * problem, where it is (location, path of response keys) and, for values,
 * the argument or variable path; valid documents pass and get their
 * variables coerced (defaults, lists of one, IDs as strings).
 */
#include <stdio.h>
#include <string.h>

#include "graphql_test.h"

typedef struct outcome {
    int rc;
    gql_error err; /* its path borrows from doc */
    nax__jv *vars;
    gql_document *doc;
} outcome;

static void outcome_free(outcome *o)
{
    nax__jv_free(o->vars);
    gql_document_free(o->doc);
}

static outcome validate(const char *text, const char *operation, const char *vars_json)
{
    outcome o;
    memset(&o, 0, sizeof o);
    gql_document *doc = parse_ok(text);
    nax__jv *values = NULL;
    if (vars_json)
        ck_assert_int_eq(nax__jv_parse(&values, vars_json, strlen(vars_json), 0), 0);
    const gql_operation *op = NULL;
    o.rc = gql_validate(doc, operation, values, &op, &o.vars, &o.err);
    ck_assert_int_ge(o.rc, 0);
    if (o.rc == 0)
        ck_assert_ptr_nonnull(op);
    else
        ck_assert_ptr_null(o.vars);
    nax__jv_free(values);
    o.doc = doc;
    return o;
}

/* Asserts a failure with code, a message part, the path (dot-joined) and field. */
static void expect_invalid_at(const char *text, const char *vars, const char *code,
                              const char *part, const char *path, const char *field, unsigned line,
                              unsigned column, const char *file, int at)
{
    outcome o = validate(text, NULL, vars);
    ck_assert_msg(o.rc == 1, "%s:%d: \"%s\" passed validation", file, at, text);
    ck_assert_msg(!strcmp(o.err.code, code), "%s:%d: code %s (%s)", file, at, o.err.code,
                  o.err.message);
    ck_assert_msg(strstr(o.err.message, part) != NULL, "%s:%d: \"%s\" not in \"%s\"", file, at,
                  part, o.err.message);
    char joined[256] = "";
    for (size_t i = 0; i < o.err.path_len; i++)
        snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s%s", i ? "." : "",
                 o.err.path[i]);
    ck_assert_msg(!strcmp(joined, path), "%s:%d: path \"%s\", wanted \"%s\"", file, at, joined,
                  path);
    ck_assert_msg(!strcmp(o.err.field, field), "%s:%d: field \"%s\", wanted \"%s\"", file, at,
                  o.err.field, field);
    if (line)
        ck_assert_msg(o.err.loc.line == line && o.err.loc.column == column,
                      "%s:%d: at %u:%u, wanted %u:%u", file, at, o.err.loc.line, o.err.loc.column,
                      line, column);
    outcome_free(&o);
}
#define EXPECT_INVALID(text, vars, code, part, path, field, line, column)                          \
    expect_invalid_at((text), (vars), (code), (part), (path), (field), (line), (column), __FILE__, \
                      __LINE__)

#define ORDER_LIT "{pair: \"BTC-AUD\", side: BUY, type: LIMIT, quantity: \"1\"}"

START_TEST(fields_and_selections)
{
    EXPECT_INVALID("{ balances { asset nope } }", NULL, GQL_VALIDATION_FAILED,
                   "Cannot query field \"nope\" on type \"Balance\"", "balances.nope", "", 1, 20);
    EXPECT_INVALID("{ createOrder(input: " ORDER_LIT ") { id } }", NULL, GQL_VALIDATION_FAILED,
                   "on type \"Query\"", "createOrder", "", 1, 3);
    EXPECT_INVALID("mutation { balances { asset } }", NULL, GQL_VALIDATION_FAILED,
                   "on type \"Mutation\"", "balances", "", 1, 12);
    EXPECT_INVALID("{ balances }", NULL, GQL_VALIDATION_FAILED, "must have a selection", "balances",
                   "", 1, 3);
    EXPECT_INVALID("{ balances { total { x } } }", NULL, GQL_VALIDATION_FAILED,
                   "must not have a selection", "balances.total", "", 1, 14);
    EXPECT_INVALID("{ __typename { x } }", NULL, GQL_VALIDATION_FAILED, "must not have a selection",
                   "__typename", "", 1, 3);
    EXPECT_INVALID("{ __typename(x: 1) }", NULL, GQL_VALIDATION_FAILED, "Unknown argument \"x\"",
                   "__typename", "", 1, 14);
    EXPECT_INVALID("{ balances(x: 1) { asset } }", NULL, GQL_VALIDATION_FAILED,
                   "Unknown argument \"x\" on field \"Query.balances\"", "balances", "", 1, 12);
    EXPECT_INVALID("{ __type(name: \"Order\") { name } }", NULL, GQL_VALIDATION_FAILED,
                   "Cannot query field \"__type\"", "__type", "", 1, 3);
    /* same response key: same field, same arguments; sub-selections merge */
    EXPECT_INVALID("{ balances { a: asset a: total } }", NULL, GQL_VALIDATION_FAILED,
                   "\"asset\" and \"total\" are different fields", "balances.a", "", 1, 23);
    EXPECT_INVALID("{ balances { a: asset } balances { a: total } }", NULL, GQL_VALIDATION_FAILED,
                   "different fields", "balances.a", "", 1, 36);
    EXPECT_INVALID("mutation { o: createOrder(input: " ORDER_LIT ") { id } o: createOrder(input: "
                   "{pair: \"X\", side: BUY, type: LIMIT, quantity: \"1\"}) { id } }",
                   NULL, GQL_VALIDATION_FAILED, "differing arguments", "o", "", 0, 0);
    EXPECT_INVALID("mutation { a: createOrder(input: " ORDER_LIT
                   ") { id } b: createOrder(input: " ORDER_LIT ") { id } }",
                   NULL, GQL_VALIDATION_FAILED, "Only one createOrder", "", "", 0, 0);
    /* the same createOrder twice is one execution */
    outcome o = validate("mutation { o: createOrder(input: " ORDER_LIT ") { id } o: createOrder("
                         "input: " ORDER_LIT ") { status } }",
                         NULL, NULL);
    ck_assert_int_eq(o.rc, 0);
    outcome_free(&o);
}
END_TEST

START_TEST(arguments_and_literals)
{
    EXPECT_INVALID("mutation { createOrder { id } }", NULL, GQL_VALIDATION_FAILED,
                   "argument \"input\" of type \"CreateOrderInput!\" is required", "createOrder",
                   "", 1, 12);
    EXPECT_INVALID("mutation { createOrder(input: null) { id } }", NULL, GQL_VALIDATION_FAILED,
                   "Expected value of type \"CreateOrderInput!\", found null", "createOrder",
                   "input", 1, 31);
    EXPECT_INVALID("mutation { createOrder(input: " ORDER_LIT ", input: " ORDER_LIT ") { id } }",
                   NULL, GQL_VALIDATION_FAILED, "only one argument named \"input\"", "createOrder",
                   "", 0, 0);
    EXPECT_INVALID("mutation { createOrder(input: {pair: 1, side: BUY, type: LIMIT, quantity: "
                   "\"1\"}) { id } }",
                   NULL, GQL_VALIDATION_FAILED, "Expected value of type \"String!\", found 1",
                   "createOrder", "input.pair", 1, 38);
    EXPECT_INVALID("mutation { createOrder(input: {pair: \"P\", side: \"BUY\", type: LIMIT, "
                   "quantity: \"1\"}) { id } }",
                   NULL, GQL_VALIDATION_FAILED, "\"Side!\", found \"BUY\"", "createOrder",
                   "input.side", 0, 0);
    EXPECT_INVALID("mutation { createOrder(input: {pair: \"P\", side: SIDEWAYS, type: LIMIT, "
                   "quantity: \"1\"}) { id } }",
                   NULL, GQL_VALIDATION_FAILED, "\"SIDEWAYS\" does not exist in \"Side\" enum",
                   "createOrder", "input.side", 0, 0);
    EXPECT_INVALID("mutation { createOrder(input: {pair: \"P\", side: BUY, type: LIMIT, "
                   "quantity: 1.5}) { id } }",
                   NULL, GQL_VALIDATION_FAILED, "found 1.5", "createOrder", "input.quantity", 0, 0);
    EXPECT_INVALID("mutation { createOrder(input: {pair: \"P\", side: BUY, type: LIMIT, "
                   "quantity: \"1\", postOnly: \"yes\"}) { id } }",
                   NULL, GQL_VALIDATION_FAILED, "\"Boolean\"", "createOrder", "input.postOnly", 0,
                   0);
    EXPECT_INVALID("mutation { createOrder(input: {pair: \"P\", side: BUY, type: LIMIT, "
                   "quantity: \"1\", pair: \"Q\"}) { id } }",
                   NULL, GQL_VALIDATION_FAILED, "only one input field named \"pair\"",
                   "createOrder", "input", 0, 0);
    EXPECT_INVALID("mutation { createOrder(input: {pair: \"P\", side: BUY, type: LIMIT, "
                   "quantity: \"1\", colour: RED}) { id } }",
                   NULL, GQL_VALIDATION_FAILED, "\"colour\" is not defined by type", "createOrder",
                   "input", 0, 0);
    EXPECT_INVALID("mutation { createOrder(input: {pair: \"P\", side: BUY, quantity: \"1\"}) "
                   "{ id } }",
                   NULL, GQL_VALIDATION_FAILED,
                   "\"CreateOrderInput.type\" of required type \"OrderType!\" was not provided",
                   "createOrder", "input.type", 1, 31);
    EXPECT_INVALID("mutation { createOrder(input: [1]) { id } }", NULL, GQL_VALIDATION_FAILED,
                   "found [...]", "createOrder", "input", 0, 0);
}
END_TEST

START_TEST(variables_in_the_document)
{
    EXPECT_INVALID("query ($a: String, $a: String) { balances { asset } }", NULL,
                   GQL_VALIDATION_FAILED, "only one variable named \"$a\"", "", "", 1, 20);
    EXPECT_INVALID("query ($a: Money) { balances { asset } }", NULL, GQL_VALIDATION_FAILED,
                   "Unknown type \"Money\"", "", "", 1, 8);
    EXPECT_INVALID("query ($a: [Balance]) { balances { asset } }", NULL, GQL_VALIDATION_FAILED,
                   "cannot be non-input type \"[Balance]\"", "", "", 1, 8);
    EXPECT_INVALID("query Q($a: Int) { balances { asset } }", NULL, GQL_VALIDATION_FAILED,
                   "\"$a\" is never used in operation \"Q\"", "", "", 1, 9);
    EXPECT_INVALID("query ($a: Int = \"x\") { balances { asset } }", NULL, GQL_VALIDATION_FAILED,
                   "Expected value of type \"Int\", found \"x\"", "", "a", 1, 18);
    EXPECT_INVALID("query ($a: Int = 2147483648) { balances { asset } }", NULL,
                   GQL_VALIDATION_FAILED, "\"Int\", found 2147483648", "", "a", 0, 0);
    EXPECT_INVALID("mutation { createOrder(input: $in) { id } }", NULL, GQL_VALIDATION_FAILED,
                   "Variable \"$in\" is not defined.", "createOrder", "input", 1, 31);
    EXPECT_INVALID("mutation M { createOrder(input: $in) { id } }", NULL, GQL_VALIDATION_FAILED,
                   "not defined by operation \"M\"", "createOrder", "input", 0, 0);
    /* a nullable variable where a non-null value goes, unless it has a default */
    EXPECT_INVALID("mutation ($in: CreateOrderInput) { createOrder(input: $in) { id } }", NULL,
                   GQL_VALIDATION_FAILED,
                   "\"$in\" of type \"CreateOrderInput\" used in position expecting type "
                   "\"CreateOrderInput!\"",
                   "createOrder", "input", 0, 0);
    EXPECT_INVALID("mutation ($s: String!) { createOrder(input: {pair: \"P\", side: $s, type: "
                   "LIMIT, quantity: \"1\"}) { id } }",
                   NULL, GQL_VALIDATION_FAILED, "expecting type \"Side!\"", "createOrder",
                   "input.side", 0, 0);
    EXPECT_INVALID("mutation ($q: [String!]!) { createOrder(input: {pair: \"P\", side: BUY, type: "
                   "LIMIT, quantity: $q}) { id } }",
                   NULL, GQL_VALIDATION_FAILED, "expecting type \"String!\"", "createOrder",
                   "input.quantity", 0, 0);
    outcome o = validate("mutation ($s: Side = SELL, $q: String!) { createOrder(input: {pair: "
                         "\"P\", side: $s, type: LIMIT, quantity: $q}) { id } }",
                         NULL, "{\"q\":\"2\"}");
    ck_assert_int_eq(o.rc, 0);
    ck_assert_str_eq(nax__jv_str(nax__jv_get(o.vars, "s")), "SELL");
    ck_assert_str_eq(nax__jv_str(nax__jv_get(o.vars, "q")), "2");
    outcome_free(&o);
}
END_TEST

START_TEST(operations)
{
    EXPECT_INVALID("query A { balances { asset } } query A { __typename }", NULL,
                   GQL_VALIDATION_FAILED, "only one operation named \"A\"", "", "", 1, 32);
    EXPECT_INVALID("{ balances { asset } } query A { __typename }", NULL, GQL_VALIDATION_FAILED,
                   "anonymous operation must be the only", "", "", 1, 1);
    EXPECT_INVALID("subscription { balances { asset } }", NULL, GQL_VALIDATION_FAILED,
                   "not configured for subscriptions", "", "", 1, 1);
    /* an invalid operation fails the document even when another is chosen */
    outcome o = validate("query A { balances { asset } } query B { nope }", "A", NULL);
    ck_assert_int_eq(o.rc, 1);
    outcome_free(&o);
    o = validate("query A { balances { asset } } query B { __typename }", NULL, NULL);
    ck_assert_int_eq(o.rc, 1);
    ck_assert_contains(o.err.message, "Must provide operation name");
    outcome_free(&o);
    o = validate("query A { balances { asset } } query B { __typename }", "C", NULL);
    ck_assert_int_eq(o.rc, 1);
    ck_assert_contains(o.err.message, "Unknown operation named \"C\"");
    outcome_free(&o);
    o = validate("query A { balances { asset } } query B { __typename }", "B", NULL);
    ck_assert_int_eq(o.rc, 0);
    outcome_free(&o);
}
END_TEST

#define PLACE "mutation ($i: CreateOrderInput!) { createOrder(input: $i) { id } }"

START_TEST(variable_values)
{
    EXPECT_INVALID(PLACE, NULL, GQL_BAD_USER_INPUT,
                   "\"$i\" of required type \"CreateOrderInput!\" was not provided", "", "i", 1,
                   11);
    EXPECT_INVALID(PLACE, "{\"i\":null}", GQL_BAD_USER_INPUT, "expected a value of type", "", "i",
                   0, 0);
    EXPECT_INVALID(PLACE, "{\"i\":\"BTC\"}", GQL_BAD_USER_INPUT, "\"CreateOrderInput!\"", "", "i",
                   0, 0);
    EXPECT_INVALID(
        PLACE, "{\"i\":{\"pair\":\"P\",\"side\":\"buy\",\"type\":\"LIMIT\",\"quantity\":\"1\"}}",
        GQL_BAD_USER_INPUT, "\"Side!\"", "", "i.side", 0, 0);
    EXPECT_INVALID(PLACE, "{\"i\":{\"pair\":\"P\",\"side\":\"BUY\",\"type\":\"LIMIT\"}}",
                   GQL_BAD_USER_INPUT, "\"String!\"", "", "i.quantity", 0, 0);
    EXPECT_INVALID(PLACE,
                   "{\"i\":{\"pair\":\"P\",\"side\":\"BUY\",\"type\":\"LIMIT\",\"quantity\":1}}",
                   GQL_BAD_USER_INPUT, "\"String!\"", "", "i.quantity", 0, 0);
    EXPECT_INVALID(PLACE,
                   "{\"i\":{\"pair\":\"P\",\"side\":\"BUY\",\"type\":\"LIMIT\",\"quantity\":\"1\","
                   "\"postOnly\":1}}",
                   GQL_BAD_USER_INPUT, "\"Boolean\"", "", "i.postOnly", 0, 0);
    EXPECT_INVALID(PLACE,
                   "{\"i\":{\"pair\":\"P\",\"side\":\"BUY\",\"type\":\"LIMIT\",\"quantity\":\"1\","
                   "\"why\":1}}",
                   GQL_BAD_USER_INPUT, "not defined by the input type", "", "i.why", 0, 0);
    EXPECT_INVALID("query ($n: [Int!]) { __typename }", NULL, GQL_VALIDATION_FAILED, "never used",
                   "", "", 0, 0);
    /* other input types, straight through the coercion (no argument takes them) */
    gql_document *doc = parse_ok("query ($n: [Int!], $m: [[Int]], $id: ID, $t: Timestamp, $f: "
                                 "Float, $b: Boolean = true) { __typename }");
    const gql_operation *op = gql_document_operations(doc);
    const char *good = "{\"n\":7,\"m\":[[1,null],[]],\"id\":42,\"t\":1700000000000,\"f\":-1.5e3}";
    nax__jv *values = NULL, *vars = NULL;
    gql_error err;
    ck_assert_int_eq(nax__jv_parse(&values, good, strlen(good), 0), 0);
    ck_assert_int_eq(gql_coerce_variables(op, values, &vars, &err), 0);
    nax_buf text = NAX_BUF_INIT;
    ck_assert_int_eq(nax__jv_write(&text, vars), 0);
    ck_assert_str_eq(text.data, "{\"n\":[7],\"m\":[[1,null],[]],\"id\":\"42\",\"t\":"
                                "1700000000000,\"f\":-1.5e3,\"b\":true}");
    nax_buf_dispose(&text);
    nax__jv_free(vars);
    nax__jv_free(values);
    const char *bad[][2] = {
        {"{\"n\":[1,null]}", "n.1"}, {"{\"n\":[1,2.5]}", "n.1"}, {"{\"n\":3000000000}", "n"},
        {"{\"id\":1.5}", "id"},      {"{\"id\":true}", "id"},    {"{\"t\":\"1700000000000\"}", "t"},
        {"{\"f\":\"1.5\"}", "f"},    {"{\"b\":\"true\"}", "b"},  {"{\"m\":[[\"x\"]]}", "m.0.0"}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        ck_assert_int_eq(nax__jv_parse(&values, bad[k][0], strlen(bad[k][0]), 0), 0);
        ck_assert_int_eq(gql_coerce_variables(op, values, &vars, &err), 1);
        ck_assert_ptr_null(vars);
        ck_assert_str_eq(err.code, GQL_BAD_USER_INPUT);
        ck_assert_msg(!strcmp(err.field, bad[k][1]), "%s: field %s", bad[k][0], err.field);
        nax__jv_free(values);
    }
    gql_document_free(doc);
    outcome o = validate(PLACE, NULL,
                         "{\"i\":{\"pair\":\"P\",\"side\":\"BUY\",\"type\":\"LIMIT\",\"quantity\":"
                         "\"1\",\"postOnly\":null},\"unused\":5}");
    ck_assert_int_eq(o.rc, 0);
    const nax__jv *i = nax__jv_get(o.vars, "i");
    ck_assert_int_eq(nax__jv_get(i, "postOnly")->kind, NAX__JV_NULL);
    ck_assert_ptr_null(nax__jv_get(o.vars, "unused"));
    outcome_free(&o);
}
END_TEST

START_TEST(int_ranges)
{
    ck_assert_int_eq(gql_int_in_range("2147483647", 10, -2147483648LL, 2147483647LL), 1);
    ck_assert_int_eq(gql_int_in_range("2147483648", 10, -2147483648LL, 2147483647LL), 0);
    ck_assert_int_eq(gql_int_in_range("-2147483648", 11, -2147483648LL, 2147483647LL), 1);
    ck_assert_int_eq(gql_int_in_range("-2147483649", 11, -2147483648LL, 2147483647LL), 0);
    ck_assert_int_eq(gql_int_in_range("-9223372036854775808", 20, -9223372036854775807LL - 1,
                                      9223372036854775807LL),
                     1);
    ck_assert_int_eq(gql_int_in_range("9223372036854775808", 19, -9223372036854775807LL - 1,
                                      9223372036854775807LL),
                     0);
    ck_assert_int_eq(gql_int_in_range("1.0", 3, -10, 10), 0);
    ck_assert_int_eq(gql_int_in_range("1e2", 3, -1000, 1000), 0);
    ck_assert_int_eq(gql_int_in_range("-", 1, -10, 10), 0);
    ck_assert_int_eq(gql_int_in_range("", 0, -10, 10), 0);
}
END_TEST

static Suite *validate_suite(void)
{
    Suite *s = suite_create("graphql_validate");
    TCase *tc = tcase_create("validate");
    tcase_add_test(tc, fields_and_selections);
    tcase_add_test(tc, arguments_and_literals);
    tcase_add_test(tc, variables_in_the_document);
    tcase_add_test(tc, operations);
    tcase_add_test(tc, variable_values);
    tcase_add_test(tc, int_ranges);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(validate_suite());
}

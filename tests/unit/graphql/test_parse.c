/*
 * The GraphQL lexer and parser: the tree built for the supported subset,
 * string values (escapes, surrogate pairs, block strings), ignored tokens,
 * syntax errors with their line and column, the refused parts of the
 * language, and the bounds on size, tokens and nesting.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "graphql_test.h"

START_TEST(shorthand_query_and_nested_fields)
{
    gql_document *doc = parse_ok("{ balances { asset total } }");
    const gql_operation *op = gql_document_operations(doc);
    ck_assert_int_eq(op->kind, GQL_QUERY);
    ck_assert_ptr_null(op->name);
    ck_assert_ptr_null(op->next);
    const gql_field *f = op->selections;
    ck_assert_str_eq(f->name, "balances");
    ck_assert_int_eq(f->has_selection_set, 1);
    ck_assert_str_eq(f->selections->name, "asset");
    ck_assert_str_eq(f->selections->next->name, "total");
    ck_assert_ptr_null(f->selections->next->next);
    ck_assert_ptr_null(f->next);
    ck_assert_uint_eq(f->loc.line, 1);
    ck_assert_uint_eq(f->loc.column, 3);
    gql_document_free(doc);
}
END_TEST

START_TEST(operation_with_variables_aliases_and_arguments)
{
    const char *text = "mutation Place($in: CreateOrderInput!, $n: [[Int!]]! = [[1, 2]], $s: "
                       "String = \"x\") {\n  o: createOrder(input: {pair: \"BTC-AUD\", side: BUY, "
                       "n: null, ok: true, f: -1.5e3, l: [1, $n]}) { id }\n}";
    gql_document *doc = parse_ok(text);
    const gql_operation *op = gql_document_operations(doc);
    ck_assert_int_eq(op->kind, GQL_MUTATION);
    ck_assert_str_eq(op->name, "Place");
    const gql_var_def *v = op->vars;
    ck_assert_str_eq(v->name, "in");
    ck_assert_str_eq(v->type->name, "CreateOrderInput");
    ck_assert_int_eq(v->type->non_null, 1);
    ck_assert_ptr_null(v->default_value);
    v = v->next;
    char t[64];
    gql_type_format(t, sizeof t, v->type);
    ck_assert_str_eq(t, "[[Int!]]!");
    ck_assert_int_eq(v->default_value->kind, GQL_V_LIST);
    ck_assert_int_eq(v->default_value->items->kind, GQL_V_LIST);
    ck_assert_str_eq(v->default_value->items->items->next->text, "2");
    v = v->next;
    ck_assert_str_eq(v->default_value->text, "x");
    ck_assert_ptr_null(v->next);

    const gql_field *f = op->selections;
    ck_assert_str_eq(f->alias, "o");
    ck_assert_str_eq(f->name, "createOrder");
    ck_assert_str_eq(gql_response_key(f), "o");
    ck_assert_uint_eq(f->loc.line, 2);
    const gql_arg *a = f->args;
    ck_assert_str_eq(a->name, "input");
    ck_assert_ptr_null(a->next);
    const gql_arg *x = a->value->fields;
    const struct {
        const char *name;
        gql_value_kind kind;
        const char *text;
    } want[] = {{"pair", GQL_V_STRING, "BTC-AUD"}, {"side", GQL_V_ENUM, "BUY"},
                {"n", GQL_V_NULL, NULL},           {"ok", GQL_V_BOOLEAN, NULL},
                {"f", GQL_V_FLOAT, "-1.5e3"},      {"l", GQL_V_LIST, NULL}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++, x = x->next) {
        ck_assert_str_eq(x->name, want[i].name);
        ck_assert_int_eq(x->value->kind, want[i].kind);
        if (want[i].text)
            ck_assert_str_eq(x->value->text, want[i].text);
    }
    ck_assert_ptr_null(x);
    ck_assert_int_eq(a->value->fields->next->next->next->value->boolean, 1);
    const gql_value *l = a->value->fields->next->next->next->next->next->value;
    ck_assert_int_eq(l->items->kind, GQL_V_INT);
    ck_assert_int_eq(l->items->next->kind, GQL_V_VARIABLE);
    ck_assert_str_eq(l->items->next->text, "n");
    gql_document_free(doc);
}
END_TEST

START_TEST(several_operations_in_order)
{
    gql_document *doc = parse_ok("query A { a } mutation B { b } query { c }");
    const gql_operation *op = gql_document_operations(doc);
    ck_assert_str_eq(op->name, "A");
    ck_assert_int_eq(op->next->kind, GQL_MUTATION);
    ck_assert_ptr_null(op->next->next->name);
    ck_assert_ptr_null(op->next->next->next);
    gql_document_free(doc);
}
END_TEST

static const gql_value *first_arg(gql_document *doc)
{
    return gql_document_operations(doc)->selections->args->value;
}

START_TEST(string_escapes)
{
    gql_document *doc = parse_ok(
        "{ f(s: \"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20AC\\uD83D\\uDE00\\u{1F600}z\") }");
    const gql_value *v = first_arg(doc);
    const char want[] = "a\"b\\c/d\b\f\n\r\t\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF0\x9F\x98\x80z";
    ck_assert_uint_eq(v->len, sizeof want - 1);
    ck_assert_mem_eq(v->text, want, sizeof want - 1);
    gql_document_free(doc);
    /* a \u0000 is a character like any other */
    doc = parse_ok("{ f(s: \"a\\u0000b\") }");
    ck_assert_uint_eq(first_arg(doc)->len, 3);
    gql_document_free(doc);
    /* raw UTF-8 inside strings */
    doc = parse_ok("{ f(s: \"\xC3\xA9t\xC3\xA9\") }");
    ck_assert_str_eq(first_arg(doc)->text, "\xC3\xA9t\xC3\xA9");
    gql_document_free(doc);
}
END_TEST

START_TEST(block_strings)
{
    gql_document *doc = parse_ok("{ f(s: \"\"\"\n    Hello,\n      World!\n\n    Yours,\n    "
                                 "\\\"\"\" GraphQL.\n  \"\"\") }");
    ck_assert_str_eq(first_arg(doc)->text, "Hello,\n  World!\n\nYours,\n\"\"\" GraphQL.");
    gql_document_free(doc);
    doc = parse_ok("{ f(s: \"\"\"  one line  \"\"\") }");
    ck_assert_str_eq(first_arg(doc)->text, "  one line  ");
    gql_document_free(doc);
    doc = parse_ok("{ f(s: \"\"\"\r\n\t\r\n  a\r\n   b\r\n\"\"\") }");
    ck_assert_str_eq(first_arg(doc)->text, "a\n b");
    gql_document_free(doc);
    doc = parse_ok("{ f(s: \"\"\"\"\"\") }");
    ck_assert_str_eq(first_arg(doc)->text, "");
    gql_document_free(doc);
    /* backslashes are not escapes in block strings */
    doc = parse_ok("{ f(s: \"\"\"a\\nb\"\"\") }");
    ck_assert_str_eq(first_arg(doc)->text, "a\\nb");
    gql_document_free(doc);
}
END_TEST

START_TEST(ignored_tokens_and_locations)
{
    /* BOM, commas, comments, CR LF and lone CR all count as the spec says */
    gql_document *doc = parse_ok("\xEF\xBB\xBF# comment\r\n,,{\r  a # x\n\t  b\r\n}");
    const gql_field *a = gql_document_operations(doc)->selections;
    ck_assert_uint_eq(a->loc.line, 3);
    ck_assert_uint_eq(a->loc.column, 3);
    ck_assert_uint_eq(a->next->loc.line, 4);
    ck_assert_uint_eq(a->next->loc.column, 4);
    gql_document_free(doc);
    /* columns count characters, not bytes */
    EXPECT_PARSE_ERROR("{ f(s: \"\xC3\xA9\xC3\xA9\") % }", GQL_PARSE_FAILED, 1, 14, "\"%\"");
}
END_TEST

START_TEST(syntax_errors)
{
    EXPECT_PARSE_ERROR("", GQL_PARSE_FAILED, 1, 1, "Unexpected <EOF>");
    EXPECT_PARSE_ERROR("   # only a comment", GQL_PARSE_FAILED, 1, 20, "Unexpected <EOF>");
    EXPECT_PARSE_ERROR("{ a", GQL_PARSE_FAILED, 1, 4, "Expected Name, found <EOF>");
    EXPECT_PARSE_ERROR("{}", GQL_PARSE_FAILED, 1, 2, "Expected Name, found \"}\"");
    EXPECT_PARSE_ERROR("{ a(x: 1 }", GQL_PARSE_FAILED, 1, 10, "Expected Name, found \"}\"");
    EXPECT_PARSE_ERROR("{ a(x 1) }", GQL_PARSE_FAILED, 1, 7, "Expected \":\"");
    EXPECT_PARSE_ERROR("{ a() }", GQL_PARSE_FAILED, 1, 5, "Expected Name");
    EXPECT_PARSE_ERROR("{ a(x: [1, 2) }", GQL_PARSE_FAILED, 1, 13, "Unexpected \")\"");
    EXPECT_PARSE_ERROR("{ a(x: [1) }", GQL_PARSE_FAILED, 1, 10, "Unexpected \")\"");
    EXPECT_PARSE_ERROR("{ a(x: [1", GQL_PARSE_FAILED, 1, 10, "Expected \"]\", found <EOF>");
    EXPECT_PARSE_ERROR("query ($x: ) { a }", GQL_PARSE_FAILED, 1, 12, "Expected Name");
    EXPECT_PARSE_ERROR("query ($x: [Int) { a }", GQL_PARSE_FAILED, 1, 16, "Expected \"]\"");
    EXPECT_PARSE_ERROR("query (x: Int) { a }", GQL_PARSE_FAILED, 1, 8, "Expected \"$\"");
    EXPECT_PARSE_ERROR("query ($x: Int = $y) { a }", GQL_PARSE_FAILED, 1, 18, "variable");
    EXPECT_PARSE_ERROR("{ a } }", GQL_PARSE_FAILED, 1, 7, "Unexpected \"}\"");
    EXPECT_PARSE_ERROR("foo { a }", GQL_PARSE_FAILED, 1, 1, "Unexpected Name \"foo\"");
    EXPECT_PARSE_ERROR("{ a(x: \"abc) }", GQL_PARSE_FAILED, 1, 15, "Unterminated string");
    EXPECT_PARSE_ERROR("{ a(x: \"a\nb\") }", GQL_PARSE_FAILED, 1, 10, "Unterminated string");
    EXPECT_PARSE_ERROR("{ a(x: \"\"\"abc) }", GQL_PARSE_FAILED, 1, 8, "Unterminated string");
    EXPECT_PARSE_ERROR("{ a(x: \"\\x\") }", GQL_PARSE_FAILED, 1, 8, "Invalid escape");
    EXPECT_PARSE_ERROR("{ a(x: \"\\u12\") }", GQL_PARSE_FAILED, 1, 8, "Invalid escape");
    EXPECT_PARSE_ERROR("{ a(x: \"\\uD800\") }", GQL_PARSE_FAILED, 1, 8, "Invalid escape");
    EXPECT_PARSE_ERROR("{ a(x: \"\\uDE00\\uD83D\") }", GQL_PARSE_FAILED, 1, 8, "Invalid escape");
    EXPECT_PARSE_ERROR("{ a(x: \"\\u{110000}\") }", GQL_PARSE_FAILED, 1, 8, "Invalid escape");
    EXPECT_PARSE_ERROR("{ a(x: \"a\x01\") }", GQL_PARSE_FAILED, 1, 10, "Invalid character");
    EXPECT_PARSE_ERROR("{ a(x: 00) }", GQL_PARSE_FAILED, 1, 9, "unexpected digit after 0");
    EXPECT_PARSE_ERROR("{ a(x: 1.) }", GQL_PARSE_FAILED, 1, 10, "expected digit");
    EXPECT_PARSE_ERROR("{ a(x: .5) }", GQL_PARSE_FAILED, 1, 8, "Unexpected character \".\"");
    EXPECT_PARSE_ERROR("{ a(x: 1e) }", GQL_PARSE_FAILED, 1, 10, "expected digit");
    EXPECT_PARSE_ERROR("{ a(x: 12abc) }", GQL_PARSE_FAILED, 1, 10, "after it");
    EXPECT_PARSE_ERROR("{ a(x: -) }", GQL_PARSE_FAILED, 1, 9, "expected digit");
    EXPECT_PARSE_ERROR("{ a ? }", GQL_PARSE_FAILED, 1, 5, "Unexpected character \"?\"");
    EXPECT_PARSE_ERROR("{ \xC3\xA9 }", GQL_PARSE_FAILED, 1, 3, "Unexpected character byte 0xC3");
}
END_TEST

START_TEST(nul_and_bad_utf8)
{
    gql_document *doc = NULL;
    gql_error err;
    ck_assert_int_eq(gql_parse(&doc, "{ a\0 }", 6, &err), 1);
    ck_assert_str_eq(err.code, GQL_PARSE_FAILED);
    ck_assert_uint_eq(err.loc.column, 4);
    ck_assert_int_eq(gql_parse(&doc, "{ a(x: \"\xC3\") }", 14, &err), 1);
    ck_assert_contains(err.message, "not UTF-8");
    ck_assert_int_eq(gql_parse(&doc, "{ a(x: \"\xED\xA0\x80\") }", 16, &err), 1);
    ck_assert_contains(err.message, "not UTF-8");
    ck_assert_ptr_null(doc);
}
END_TEST

START_TEST(refused_language)
{
    EXPECT_PARSE_ERROR("{ a { ...F } }", GQL_VALIDATION_FAILED, 1, 7, "Fragments are not");
    EXPECT_PARSE_ERROR("{ a { ... on B { c } } }", GQL_VALIDATION_FAILED, 1, 7, "Fragments");
    EXPECT_PARSE_ERROR("fragment F on T { a } { a }", GQL_VALIDATION_FAILED, 1, 1, "Fragments");
    EXPECT_PARSE_ERROR("{ a @skip(if: true) }", GQL_VALIDATION_FAILED, 1, 5, "Directives");
    EXPECT_PARSE_ERROR("query Q @x { a }", GQL_VALIDATION_FAILED, 1, 9, "Directives");
    EXPECT_PARSE_ERROR("query ($v: Int @x) { a }", GQL_VALIDATION_FAILED, 1, 16, "Directives");
    EXPECT_PARSE_ERROR("type T { a: Int }", GQL_VALIDATION_FAILED, 1, 1, "not executable");
    EXPECT_PARSE_ERROR("{ a } extend type T { b: Int }", GQL_VALIDATION_FAILED, 1, 7,
                       "not executable");
}
END_TEST

START_TEST(bounds)
{
    /* 16 levels of selections parse; 17 do not */
    char deep[256] = "", *p = deep;
    for (int i = 0; i < 16; i++)
        p += sprintf(p, "{a");
    for (int i = 0; i < 16; i++)
        *p++ = '}';
    *p = 0;
    gql_document_free(parse_ok(deep));
    p = deep;
    for (int i = 0; i < 17; i++)
        p += sprintf(p, "{a");
    for (int i = 0; i < 17; i++)
        *p++ = '}';
    *p = 0;
    EXPECT_PARSE_ERROR(deep, GQL_PARSE_FAILED, 1, 33, "nested deeper than 16");
    /* lists and input objects count too */
    EXPECT_PARSE_ERROR("{ a(x: [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]) }", GQL_PARSE_FAILED, 1, 23,
                       "nested");
    EXPECT_PARSE_ERROR(
        "{ a(x: {a:{a:{a:{a:{a:{a:{a:{a:{a:{a:{a:{a:{a:{a:{a:{a:1}}}}}}}}}}}}}}}}) }",
        GQL_PARSE_FAILED, 1, 53, "nested");
    /* tokens: 4096 parse, one more does not */
    size_t n = 2 + 4094 * 2 + 2;
    char *many = malloc(n);
    size_t at = 0;
    many[at++] = '{';
    for (int i = 0; i < 4094; i++) {
        many[at++] = 'a';
        many[at++] = ' ';
    }
    many[at++] = '}';
    many[at] = 0;
    gql_document_free(parse_ok(many));
    many[at - 1] = 'a';
    many[at++] = '}';
    many[at] = 0;
    EXPECT_PARSE_ERROR(many, GQL_PARSE_FAILED, 1, (unsigned)at, "more than 4096 tokens");
    free(many);
    /* size: 64 KiB of document at most */
    char *big = malloc(GQL_MAX_DOCUMENT + 2);
    memset(big, ' ', GQL_MAX_DOCUMENT + 1);
    memcpy(big, "{a}", 3);
    big[GQL_MAX_DOCUMENT] = 0;
    gql_document_free(parse_ok(big));
    big[GQL_MAX_DOCUMENT] = ' ';
    big[GQL_MAX_DOCUMENT + 1] = 0;
    EXPECT_PARSE_ERROR(big, GQL_PARSE_FAILED, 1, 1, "longer than 65536 bytes");
    free(big);
}
END_TEST

static Suite *parse_suite(void)
{
    Suite *s = suite_create("graphql_parse");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, shorthand_query_and_nested_fields);
    tcase_add_test(tc, operation_with_variables_aliases_and_arguments);
    tcase_add_test(tc, several_operations_in_order);
    tcase_add_test(tc, string_escapes);
    tcase_add_test(tc, block_strings);
    tcase_add_test(tc, ignored_tokens_and_locations);
    tcase_add_test(tc, syntax_errors);
    tcase_add_test(tc, nul_and_bad_utf8);
    tcase_add_test(tc, refused_language);
    tcase_add_test(tc, bounds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(parse_suite());
}

/*
 * The Shift GraphQL client against naxd's POST /graphql: options, the
 * generic query, balances, createOrder (limit and market, exact decimals),
 * GraphQL errors mapped to nax errors (validation, syntax, domain, scope,
 * conflict), local checks that send nothing, and retries that keep one
 * order when a fault hides the outcome of a committed createOrder.
 */
#include <stdio.h>
#include <stdlib.h>

#include "client_test.h"

/* BTC-USD halted, so a halted market can be refused too. */
static const char config[] =
    "{\"markets\":["
    "{\"pair\":\"BTC-AUD\",\"base\":\"BTC\",\"quote\":\"AUD\",\"tick_size\":\"0.01\","
    "\"lot_size\":\"0.00000001\",\"min_notional\":\"10.00\"},"
    "{\"pair\":\"BTC-USD\",\"base\":\"BTC\",\"quote\":\"USD\",\"tick_size\":\"0.01\","
    "\"lot_size\":\"0.00000001\",\"min_notional\":\"10.00\",\"status\":\"halted\"}]}";

static naxh_server srv;

static void setup(void)
{
    client_test_global_init();
    ck_assert_int_eq(naxh_start(&srv, config), 0);
}

static void teardown(void)
{
    naxh_stop(&srv);
    ck_assert_int_eq(srv.exit_status, 0);
    nax_global_shutdown();
}

/* A Shift client for `u`: its API key when `key` is set, else its password
 * (the client logs in by itself); metrics to `counter` when not NULL. */
static nax_shift_client *shift_for(const naxh_user *u, int key, call_counter *counter)
{
    nax_shift_options o;
    OK(nax_shift_options_init(&o, NAX_SHIFT_OPTIONS_VERSION));
    o.transport.base_url = srv.url;
    if (key) {
        o.transport.api_key = u->api_key;
        o.transport.api_secret = u->api_secret;
    } else {
        o.transport.email = u->email;
        o.transport.password = u->password;
    }
    if (counter) {
        o.transport.metrics_fn = call_counter_fn;
        o.transport.metrics_userdata = counter;
    }
    nax_shift_client *sc = NULL;
    OK(nax_shift_client_new(&sc, &o));
    return sc;
}

static void trader(naxh_user *u, const char *aud)
{
    OK(naxh_user_new(&srv, u));
    OK(naxh_fund_fiat(&srv, u, "AUD", aud));
}

static nax_order_request limit_buy(const char *price_text, nax_decimal *price, const char *qty,
                                   const char *cid)
{
    nax_order_request r = {sizeof r};
    r.pair = "BTC-AUD";
    r.side = NAX_SIDE_BUY;
    r.type = NAX_ORDER_TYPE_LIMIT;
    *price = naxh_dec(price_text);
    r.price = price;
    r.quantity = naxh_dec(qty);
    r.client_order_id = cid;
    return r;
}

/* Orders of the user with this client order id, over REST. */
static size_t count_cid(nax_client *c, const char *cid)
{
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.client_order_id = cid;
    nax_order_list *l = NULL;
    OK(nax_orders_list(c, &q, &l));
    size_t n = l->orders_count;
    nax_object_free(l);
    return n;
}

static void record_group(const nax_call_info *info, void *userdata)
{
    *(int *)userdata = (int)info->group;
}

/* ---- options ---------------------------------------------------------------------------- */

START_TEST(test_options_and_new)
{
    nax_shift_options o;
    EXPECT_ERROR(nax_shift_options_init(NULL, NAX_SHIFT_OPTIONS_VERSION), NAX_EINVAL, 0, NULL,
                 NULL);
    EXPECT_ERROR(nax_shift_options_init(&o, 99), NAX_EVERSION, 0, NULL, NULL);
    OK(nax_shift_options_init(&o, NAX_SHIFT_OPTIONS_VERSION));
    ck_assert_uint_eq(o.version, NAX_SHIFT_OPTIONS_VERSION);
    ck_assert_uint_eq(o.transport.version, NAX_CLIENT_OPTIONS_VERSION);
    ck_assert_ptr_null(o.path);
    nax_shift_options init = NAX_SHIFT_OPTIONS_INIT;
    ck_assert_uint_eq(init.version, NAX_SHIFT_OPTIONS_VERSION);

    nax_shift_client *sc = (nax_shift_client *)&sc;
    /* no base URL: nax_client_new's error comes through */
    EXPECT_ERROR(nax_shift_client_new(&sc, &o), NAX_EINVAL, 0, NULL, NULL);
    ck_assert_ptr_null(sc);
    o.transport.base_url = srv.url;
    const char *bad_paths[] = {"graphql", "", "/a b", "/q\n", "/x#y"};
    for (size_t i = 0; i < sizeof bad_paths / sizeof bad_paths[0]; i++) {
        o.path = bad_paths[i];
        EXPECT_ERROR(nax_shift_client_new(&sc, &o), NAX_EINVAL, 0, NULL, "path");
    }
    o.path = NULL;
    o.version = 2;
    EXPECT_ERROR(nax_shift_client_new(&sc, &o), NAX_EVERSION, 0, NULL, NULL);
    o.version = NAX_SHIFT_OPTIONS_VERSION;
    EXPECT_ERROR(nax_shift_client_new(NULL, &o), NAX_EINVAL, 0, NULL, NULL);
    EXPECT_ERROR(nax_shift_client_new(&sc, NULL), NAX_EINVAL, 0, NULL, NULL);
    /* another path is where requests go: naxd has nothing there */
    o.path = "/v2/graphql";
    o.transport.bearer_token = "not-a-jwt";
    OK(nax_shift_client_new(&sc, &o));
    nax_shift_result *r = NULL;
    EXPECT_ERROR(nax_shift_query(sc, "{ __typename }", NULL, &r), NAX_ENOTFOUND, 404, "not_found",
                 NULL);
    ck_assert_ptr_null(r);
    nax_shift_client_free(sc);
    nax_shift_client_free(NULL);
    nax_shift_result_free(NULL);
}
END_TEST

/* ---- queries ---------------------------------------------------------------------------- */

START_TEST(test_generic_query)
{
    naxh_user u;
    trader(&u, "1234.50");
    call_counter calls = {"POST /graphql"};
    nax_shift_client *sc = shift_for(&u, 0, &calls);
    nax_shift_result *r = NULL;
    OK(nax_shift_query(sc, "query Q { t: __typename balances { asset total } }", NULL, &r));
    ck_assert_uint_ge(r->struct_size, sizeof *r);
    ck_assert_str_eq(r->data, "{\"t\":\"Query\",\"balances\":[{\"asset\":\"AUD\",\"total\":"
                              "\"1234.50\"}]}");
    ck_assert_ptr_null(r->errors);
    ck_assert_uint_eq(r->errors_count, 0);
    nax_shift_result_free(r);
    ck_assert_uint_eq(calls.calls, 1);

    /* variables: validated as a JSON object before anything is sent */
    EXPECT_ERROR(nax_shift_query(sc, "{ __typename }", "[1]", &r), NAX_EJSON, 0, NULL,
                 "variables_json");
    EXPECT_ERROR(nax_shift_query(sc, "{ __typename }", "{\"a\":", &r), NAX_EJSON, 0, NULL,
                 "variables_json");
    EXPECT_ERROR(nax_shift_query(sc, "{ __typename }", "{\"a\":1,\"a\":2}", &r), NAX_EJSON, 0, NULL,
                 "variables_json");
    EXPECT_ERROR(nax_shift_query(sc, NULL, NULL, &r), NAX_EINVAL, 0, NULL, NULL);
    EXPECT_ERROR(nax_shift_query(NULL, "{ __typename }", NULL, &r), NAX_EINVAL, 0, NULL, NULL);
    ck_assert_ptr_null(r);
    ck_assert_uint_eq(calls.calls, 1);

    /* a mutation through the generic call, with variables */
    OK(nax_shift_query(
        sc,
        "mutation ($in: CreateOrderInput!) { createOrder(input: $in) { "
        "clientOrderId price status } }",
        "{\"in\": {\"pair\": \"BTC-AUD\", \"side\": \"BUY\", \"type\": \"LIMIT\", "
        "\"price\": \"100.10\", \"quantity\": \"0.5\", \"clientOrderId\": \"gen-1\"}}",
        &r));
    ck_assert_str_eq(r->data, "{\"createOrder\":{\"clientOrderId\":\"gen-1\",\"price\":\"100.10\","
                              "\"status\":\"OPEN\"}}");
    nax_shift_result_free(r);
    ck_assert_uint_eq(count_cid(u.client, "gen-1"), 1);
    /* out may be NULL */
    OK(nax_shift_query(sc, "{ __typename }", "{}", NULL));
    nax_shift_client_free(sc);

    /* a mutation counts against the trading breaker, anything else against funds */
    int group = -1;
    nax_shift_options o;
    OK(nax_shift_options_init(&o, NAX_SHIFT_OPTIONS_VERSION));
    o.transport.base_url = srv.url;
    o.transport.email = u.email;
    o.transport.password = u.password;
    o.transport.metrics_fn = record_group;
    o.transport.metrics_userdata = &group;
    OK(nax_shift_client_new(&sc, &o));
    OK(nax_shift_query(sc, "\xEF\xBB\xBF # first\n, mutation { __typename }", NULL, &r));
    ck_assert_str_eq(r->data, "{\"__typename\":\"Mutation\"}");
    nax_shift_result_free(r);
    ck_assert_int_eq(group, NAX_GROUP_TRADING);
    OK(nax_shift_query(sc, "query mutations { __typename }", NULL, NULL));
    ck_assert_int_eq(group, NAX_GROUP_FUNDS);
    OK(nax_shift_query(sc, "mutation{__typename}", NULL, NULL));
    ck_assert_int_eq(group, NAX_GROUP_TRADING);
    nax_shift_client_free(sc);
    naxh_user_free(&u);
}
END_TEST

START_TEST(test_balances_match_rest)
{
    naxh_user u;
    trader(&u, "1000.00");
    OK(naxh_fund_crypto(&srv, &u, "BTC", "0.12345678"));
    nax_shift_client *sc = shift_for(&u, 0, NULL);
    nax_decimal price;
    nax_order_request r = limit_buy("100.00", &price, "2", NULL);
    OK(nax_shift_create_order(sc, &r, NULL)); /* holds some AUD */
    nax_balance_list *g = NULL, *rest = NULL;
    OK(nax_shift_balances(sc, &g));
    OK(nax_wallets_balances(u.client, &rest));
    ck_assert_uint_eq(g->balances_count, 2);
    ck_assert_uint_eq(g->balances_count, rest->balances_count);
    for (size_t i = 0; i < g->balances_count; i++) {
        const nax_balance *a = g->balances[i], *b = rest->balances[i];
        ck_assert_str_eq(a->asset, b->asset);
        ck_assert_int_eq(nax_decimal_cmp(&a->available, &b->available), 0);
        ck_assert_int_eq(nax_decimal_cmp(&a->locked, &b->locked), 0);
        ck_assert_int_eq(nax_decimal_cmp(&a->total, &b->total), 0);
        ck_assert_int_eq(nax_decimal_scale(&a->total), nax_decimal_scale(&b->total));
    }
    EXPECT_DEC(&g->balances[1]->available, "0.12345678");
    ck_assert_int_gt(nax_decimal_sign(&g->balances[0]->locked), 0);
    nax_object_free(g);
    nax_object_free(rest);
    EXPECT_ERROR(nax_shift_balances(sc, NULL), NAX_EINVAL, 0, NULL, NULL);
    nax_shift_client_free(sc);
    naxh_user_free(&u);
}
END_TEST

/* ---- createOrder ------------------------------------------------------------------------ */

START_TEST(test_create_limit_order)
{
    naxh_user u;
    trader(&u, "1000.00");
    nax_shift_client *sc = shift_for(&u, 0, NULL);
    nax_decimal price;
    nax_order_request r = limit_buy("97.35", &price, "0.50000000", "shift-limit-1");
    r.time_in_force = NAX_TIF_GTC;
    r.post_only = 1;
    nax_order *o = NULL;
    OK(nax_shift_create_order(sc, &r, &o));
    ck_assert_str_eq(o->client_order_id, "shift-limit-1");
    ck_assert_str_eq(o->pair, "BTC-AUD");
    ck_assert_int_eq(o->side, NAX_SIDE_BUY);
    ck_assert_int_eq(o->type, NAX_ORDER_TYPE_LIMIT);
    EXPECT_DEC(o->price, "97.35");
    EXPECT_DEC(&o->quantity, "0.5");
    EXPECT_DEC(&o->filled_quantity, "0");
    ck_assert_ptr_null(o->average_price);
    ck_assert_int_eq(o->status, NAX_ORDER_STATUS_OPEN);
    ck_assert_int_eq(o->time_in_force, NAX_TIF_GTC);
    ck_assert_int_eq(o->post_only, 1);
    ck_assert_int_gt(o->created_at, 0);
    /* the same order over REST */
    nax_order *rest = NULL;
    OK(nax_orders_get(u.client, o->id, &rest));
    ck_assert_str_eq(rest->client_order_id, o->client_order_id);
    ck_assert_int_eq(nax_decimal_cmp(rest->price, o->price), 0);
    ck_assert_int_eq(nax_decimal_scale(rest->price), nax_decimal_scale(o->price));
    ck_assert_int_eq(rest->created_at, o->created_at);
    nax_object_free(rest);
    nax_object_free(o);

    /* without a client order id the client makes one (a UUID) */
    r = limit_buy("90.00", &price, "0.2", NULL);
    OK(nax_shift_create_order(sc, &r, &o));
    ck_assert_uint_eq(strlen(o->client_order_id), 36);
    ck_assert_int_eq(o->time_in_force, NAX_TIF_GTC);
    ck_assert_int_eq(o->post_only, 0);
    ck_assert_uint_eq(count_cid(u.client, o->client_order_id), 1);
    nax_object_free(o);
    nax_shift_client_free(sc);
    naxh_user_free(&u);
}
END_TEST

START_TEST(test_create_market_order)
{
    naxh_user seller, buyer;
    OK(naxh_user_new(&srv, &seller));
    OK(naxh_fund_crypto(&srv, &seller, "BTC", "1"));
    trader(&buyer, "10000.00");
    nax_shift_client *ss = shift_for(&seller, 0, NULL);
    nax_decimal p1 = naxh_dec("200.00"), p2 = naxh_dec("210.00");
    nax_order_request ask = {sizeof ask};
    ask.pair = "BTC-AUD";
    ask.side = NAX_SIDE_SELL;
    ask.type = NAX_ORDER_TYPE_LIMIT;
    ask.quantity = naxh_dec("0.1");
    ask.price = &p1;
    OK(nax_shift_create_order(ss, &ask, NULL));
    ask.price = &p2;
    OK(nax_shift_create_order(ss, &ask, NULL));

    nax_shift_client *sb = shift_for(&buyer, 0, NULL);
    nax_order_request m = {sizeof m};
    m.pair = "BTC-AUD";
    m.side = NAX_SIDE_BUY;
    m.type = NAX_ORDER_TYPE_MARKET;
    m.quantity = naxh_dec("0.2");
    m.time_in_force = NAX_TIF_IOC;
    nax_order *o = NULL;
    OK(nax_shift_create_order(sb, &m, &o));
    ck_assert_int_eq(o->type, NAX_ORDER_TYPE_MARKET);
    ck_assert_ptr_null(o->price);
    ck_assert_int_eq(o->status, NAX_ORDER_STATUS_FILLED);
    ck_assert_int_eq(o->time_in_force, NAX_TIF_IOC);
    EXPECT_DEC(&o->filled_quantity, "0.2");
    EXPECT_DEC(o->average_price, "205"); /* (0.1 x 200 + 0.1 x 210) / 0.2, exactly */
    nax_object_free(o);
    nax_shift_client_free(ss);
    nax_shift_client_free(sb);
    naxh_user_free(&seller);
    naxh_user_free(&buyer);
}
END_TEST

/* ---- errors ----------------------------------------------------------------------------- */

/* The mapped error of a response without data: code, GraphQL code, field,
 * HTTP 200, and the request id naxd put in the error. */
#define EXPECT_GRAPHQL_ERROR(rc, code, gql_code, field)                                            \
    EXPECT_ERROR((rc), (code), 200, (gql_code), (field))

START_TEST(test_errors_are_mapped)
{
    naxh_user u;
    trader(&u, "100.00");
    call_counter calls = {"POST /graphql"};
    nax_shift_client *sc = shift_for(&u, 0, &calls);
    nax_shift_result *r = NULL;

    /* validation: the path names the field when extensions.field does not */
    EXPECT_GRAPHQL_ERROR(nax_shift_query(sc, "{ balances { asset nope } }", NULL, &r),
                         NAX_EBADREQUEST, "GRAPHQL_VALIDATION_FAILED", "balances.nope");
    EXPECT_MESSAGE_HAS("Cannot query field");
    ck_assert_ptr_nonnull(r); /* the result is there too */
    ck_assert_ptr_null(r->data);
    ck_assert_uint_eq(r->errors_count, 1);
    ck_assert_ptr_nonnull(strstr(r->errors, "\"GRAPHQL_VALIDATION_FAILED\""));
    nax_shift_result_free(r);
    /* syntax */
    EXPECT_GRAPHQL_ERROR(nax_shift_query(sc, "{ balances {", NULL, &r), NAX_EBADREQUEST,
                         "GRAPHQL_PARSE_FAILED", "");
    EXPECT_MESSAGE_HAS("Syntax Error");
    nax_shift_result_free(r);
    /* variables */
    EXPECT_GRAPHQL_ERROR(nax_shift_query(sc,
                                         "mutation ($i: CreateOrderInput!) { createOrder(input: "
                                         "$i) { id } }",
                                         "{\"i\":{\"pair\":\"BTC-AUD\"}}", NULL),
                         NAX_EBADREQUEST, "BAD_USER_INPUT", "i.side");

    /* domain refusals */
    nax_decimal price;
    nax_order_request o = limit_buy("100.00", &price, "5", "too-big");
    EXPECT_GRAPHQL_ERROR(nax_shift_create_order(sc, &o, NULL), NAX_EBADREQUEST, "BAD_USER_INPUT",
                         "input.quantity");
    EXPECT_MESSAGE_HAS("not enough available balance");
    o = limit_buy("100.001", &price, "0.1", "bad-tick");
    EXPECT_GRAPHQL_ERROR(nax_shift_create_order(sc, &o, NULL), NAX_EBADREQUEST, "BAD_USER_INPUT",
                         "input.price");
    o = limit_buy("100.00", &price, "0.01", "small");
    EXPECT_GRAPHQL_ERROR(nax_shift_create_order(sc, &o, NULL), NAX_EBADREQUEST, "BAD_USER_INPUT",
                         "input.quantity");
    EXPECT_MESSAGE_HAS("minimum notional");
    o = limit_buy("100.00", &price, "0.1", "halted");
    o.pair = "BTC-USD";
    EXPECT_GRAPHQL_ERROR(nax_shift_create_order(sc, &o, NULL), NAX_EBADREQUEST, "BAD_USER_INPUT",
                         "input.pair");
    o = limit_buy("100.00", &price, "0.1", "dup-1");
    OK(nax_shift_create_order(sc, &o, NULL));
    EXPECT_GRAPHQL_ERROR(nax_shift_create_order(sc, &o, NULL), NAX_ECONFLICT, "CONFLICT",
                         "input.clientOrderId");
    ck_assert_uint_eq(count_cid(u.client, "dup-1"), 1);
    unsigned int sent = calls.attempts;

    /* refused locally: nothing is sent */
    o = limit_buy("100.00", &price, "0.1", NULL);
    o.price = NULL;
    EXPECT_ERROR(nax_shift_create_order(sc, &o, NULL), NAX_EINVAL, 0, NULL, "price");
    o = limit_buy("100.00", &price, "0.1", "this client order id is far too long to be valid");
    EXPECT_ERROR(nax_shift_create_order(sc, &o, NULL), NAX_EINVAL, 0, NULL, "client_order_id");
    EXPECT_ERROR(nax_shift_create_order(sc, NULL, NULL), NAX_EINVAL, 0, NULL, NULL);
    EXPECT_ERROR(nax_shift_create_order(NULL, &o, NULL), NAX_EINVAL, 0, NULL, NULL);
    ck_assert_uint_eq(calls.attempts, sent);
    nax_shift_client_free(sc);

    /* scopes: a read-only key may read balances but not trade */
    OK(naxh_user_api_key(&srv, &u, NAX_SCOPE_READ));
    sc = shift_for(&u, 1, NULL);
    nax_balance_list *bl = NULL;
    OK(nax_shift_balances(sc, &bl));
    nax_object_free(bl);
    o = limit_buy("100.00", &price, "0.1", "no-scope");
    EXPECT_GRAPHQL_ERROR(nax_shift_create_order(sc, &o, NULL), NAX_EFORBIDDEN, "FORBIDDEN",
                         "createOrder");
    nax_shift_client_free(sc);

    /* HTTP-level: credentials refused */
    nax_shift_options so;
    OK(nax_shift_options_init(&so, NAX_SHIFT_OPTIONS_VERSION));
    so.transport.base_url = srv.url;
    so.transport.bearer_token = "not-a-jwt";
    OK(nax_shift_client_new(&sc, &so));
    EXPECT_ERROR(nax_shift_balances(sc, &bl), NAX_EAUTH, 401, "invalid_token", NULL);
    ck_assert_ptr_null(bl);
    nax_shift_client_free(sc);
    naxh_user_free(&u);
}
END_TEST

/* ---- exactly once ----------------------------------------------------------------------- */

/* Place through Shift while `fault` hits the first POST /graphql; exactly
 * one order must exist and come back. Returns the attempts POST /graphql made. */
static unsigned int placed_once_despite(naxh_user *u, const char *fault, const char *cid)
{
    call_counter posts = {"POST /graphql"};
    nax_shift_client *sc = shift_for(u, 0, &posts);
    OK(naxh_fault(&srv, fault));
    nax_decimal price;
    nax_order_request r = limit_buy("99.00", &price, "0.2", cid);
    nax_order *placed = NULL;
    OK(nax_shift_create_order(sc, &r, &placed));
    ck_assert_str_eq(placed->client_order_id, cid);
    ck_assert_int_eq(placed->status, NAX_ORDER_STATUS_OPEN);
    EXPECT_DEC(placed->price, "99.00");
    ck_assert_uint_eq(count_cid(u->client, cid), 1);
    nax_object_free(placed);
    OK(naxh_faults_clear(&srv));
    nax_shift_client_free(sc);
    return posts.attempts;
}

START_TEST(test_retries_keep_one_order)
{
    naxh_user u;
    trader(&u, "1000.00");
    const int64_t gets_before =
        naxh_metric_sum(&srv, "naxd_http_requests_total{route=\"GET /v1/orders\"");
    /* committed, then the connection dropped: the client looks the order up */
    ck_assert_uint_eq(
        placed_once_despite(
            &u, "{\"route\":\"POST /graphql\",\"action\":\"drop_after_commit\",\"count\":1}",
            "drop-1"),
        1);
    int64_t gets = naxh_metric_sum(&srv, "naxd_http_requests_total{route=\"GET /v1/orders\"");
    ck_assert_int_eq(gets - gets_before, 1 + 1); /* the lookup, then count_cid */
    /* committed, then a 500: found the same way */
    ck_assert_uint_eq(
        placed_once_despite(
            &u, "{\"route\":\"POST /graphql\",\"action\":\"error_after_commit\",\"count\":1}",
            "err-after-1"),
        1);
    /* refused before the commit (503): not found, so sent again, under the same key */
    ck_assert_uint_eq(
        placed_once_despite(
            &u, "{\"route\":\"POST /graphql\",\"action\":\"error_before_commit\",\"count\":1}",
            "err-before-1"),
        2);
    /* every attempt reached naxd: 1 + 1 + 2 */
    ck_assert_int_eq(naxh_metric_sum(&srv, "naxd_http_requests_total{route=\"POST /graphql\""), 4);
    naxh_user_free(&u);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("shift_client");
    TCase *tc = tcase_create("shift");
    tcase_set_timeout(tc, 600);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_options_and_new);
    tcase_add_test(tc, test_generic_query);
    tcase_add_test(tc, test_balances_match_rest);
    tcase_add_test(tc, test_create_limit_order);
    tcase_add_test(tc, test_create_market_order);
    tcase_add_test(tc, test_errors_are_mapped);
    tcase_add_test(tc, test_retries_keep_one_order);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/*
 * Allocation failure: with the k-th allocation failing, for every k, a
 * request either fails with NAX_ENOMEM or gives exactly the answer it gives
 * with memory to spare, and nothing leaks.
 */
#include <stdlib.h>
#include <string.h>

#include "graphql_test.h"

static long attempts, fail_at, live;

static void *count_malloc(size_t size, void *ud)
{
    (void)ud;
    if (fail_at && ++attempts == fail_at)
        return NULL;
    void *p = malloc(size);
    if (p)
        live++;
    return p;
}

static void *count_realloc(void *ptr, size_t size, void *ud)
{
    (void)ud;
    if (fail_at && ++attempts == fail_at)
        return NULL;
    void *p = realloc(ptr, size);
    if (p && !ptr)
        live++;
    return p;
}

static void count_free(void *ptr, void *ud)
{
    (void)ud;
    if (ptr)
        live--;
    free(ptr);
}

static void setup(void)
{
    nax_allocator a = {NAX_ALLOCATOR_VERSION, count_malloc, count_realloc, count_free, NULL};
    ck_assert_int_eq(nax_global_init(&a), 0);
}

static void teardown(void)
{
    nax_global_shutdown();
}

static const char *const bodies[] = {
    "{\"query\":\"{ t: __typename balances { asset total } balances { locked } }\"}",
    "{\"query\":\"mutation P($in: CreateOrderInput!, $q: String = \\\"1\\\") { createOrder(input: "
    "$in) { id clientOrderId pair side type price quantity filledQuantity averagePrice status "
    "timeInForce postOnly createdAt updatedAt } }\",\"variables\":{\"in\":{\"pair\":\"BTC-AUD\","
    "\"side\":\"BUY\",\"type\":\"LIMIT\",\"price\":\"1.5\",\"quantity\":\"2\",\"clientOrderId\":"
    "\"c\"}},\"operationName\":\"P\"}",
    "{\"query\":\"mutation { createOrder(input: {pair: \\\"P\\\", side: SELL, type: MARKET, "
    "quantity: \\\"3\\\", postOnly: false}) { __typename id } }\"}",
    "{\"query\":\"{ balances { asset nope } }\"}",
    "{\"query\":\"query ($x: [Int!] = [1, 2]) { balances(\\\"\\\"\\\" b \\\"\\\"\\\") }\"}",
    "{\"query\":\"mutation ($i: CreateOrderInput!) { createOrder(input: $i) { id } }\","
    "\"variables\":{\"i\":{\"pair\":\"P\",\"side\":\"UP\",\"type\":\"LIMIT\",\"quantity\":\"1\"}}}",
    "{\"query\":\"mutation { createOrder(input: {pair: \\\"P\\\", side: BUY, type: LIMIT, "
    "quantity: \\\"x\\\"}) { id } }\"}",
    "{\"query\":7}",
};

START_TEST(every_allocation_may_fail)
{
    const char *body = bodies[_i];
    fake f;
    fake_init(&f);
    gql_resolvers r = fake_resolvers(&f);
    /* the answer with memory to spare */
    fail_at = 0;
    live = 0;
    nax_buf want = NAX_BUF_INIT;
    gql_failure why;
    int want_rc = gql_run(body, strlen(body), &r, &want, &why);
    ck_assert_int_ge(want_rc, 0);
    const long base = live; /* the reference answer's buffer */
    for (long k = 1;; k++) {
        attempts = 0;
        fail_at = k;
        nax_buf got = NAX_BUF_INIT;
        int rc = gql_run(body, strlen(body), &r, &got, &why);
        fail_at = 0;
        if (rc == NAX_ENOMEM) {
            nax_buf_dispose(&got);
            ck_assert_msg(live == base, "body %d, failing allocation %ld: %ld blocks leaked", _i, k,
                          live - base);
            continue;
        }
        ck_assert_msg(rc == want_rc, "body %d, failing allocation %ld: rc %d", _i, k, rc);
        ck_assert_str_eq(got.data ? got.data : "", want.data ? want.data : "");
        nax_buf_dispose(&got);
        ck_assert_int_eq(live, base);
        if (attempts < k)
            break; /* no allocation failed: every one has been tried */
    }
    nax_buf_dispose(&want);
    ck_assert_int_eq(live, 0);
}
END_TEST

static Suite *memory_suite(void)
{
    Suite *s = suite_create("graphql_memory");
    TCase *tc = tcase_create("memory");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, every_allocation_may_fail, 0, (int)(sizeof bodies / sizeof bodies[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(memory_suite());
}

/*
 * Allocation failures: with a counting allocator installed through
 * nax_global_init() (which curl allocates through too), the k-th allocation
 * of creating a transport, making a GET and a POST and freeing it fails for
 * every k in turn. Each step either succeeds or fails with an error set,
 * nothing crashes, and every block is returned once the transport is freed.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "nax.h"
#include "transport_test.h"

static atomic_long live;     /* blocks allocated and not yet freed */
static atomic_long attempts; /* allocation attempts since the last reset */
static atomic_long fail_at;  /* the attempt that fails (1-based), 0 = never */

static int should_fail(void)
{
    long n = atomic_fetch_add(&attempts, 1) + 1;
    long k = atomic_load(&fail_at);
    return k != 0 && n == k;
}

static void *count_malloc(size_t size, void *ud)
{
    (void)ud;
    if (should_fail())
        return NULL;
    void *p = malloc(size);
    if (p)
        atomic_fetch_add(&live, 1);
    return p;
}

static void *count_realloc(void *ptr, size_t size, void *ud)
{
    (void)ud;
    if (should_fail())
        return NULL;
    void *p = realloc(ptr, size);
    if (p && !ptr)
        atomic_fetch_add(&live, 1);
    return p;
}

static void count_free(void *ptr, void *ud)
{
    (void)ud;
    if (ptr)
        atomic_fetch_sub(&live, 1);
    free(ptr);
}

static void reset(long k)
{
    atomic_store(&live, 0);
    atomic_store(&attempts, 0);
    atomic_store(&fail_at, k);
}

/* Create, GET, POST, free; 1 when every step succeeded. */
static int one_round(const char *url)
{
    nax__http_config cfg = {0};
    cfg.base_url = url;
    cfg.connect_timeout_ms = TEST_TIMEOUT_MS;
    cfg.user_agent = "nax-transport-test/1";
    cfg.proxy = NULL;
    cfg.max_connections = 2;
    nax__http *h = NULL;
    int rc = nax__http_new(&h, &cfg);
    if (rc) {
        ck_assert_int_ne(nax_error_last()->code, NAX_OK);
        ck_assert_ptr_null(h);
        return 0;
    }
    const char *const headers[] = {"X-Test: memory"};
    nax__http_response resp;
    nax__http_response_init(&resp);
    int all_ok = 1;
    for (int i = 0; i < 2; i++) {
        rc = perform(h, i ? "POST" : "GET", "/mem", headers, 1, i ? "{\"a\":1}" : NULL, &resp);
        if (rc) {
            ck_assert_int_eq(nax_error_last()->code, rc);
            all_ok = 0;
        } else {
            ck_assert_int_eq(resp.status, 200);
            ck_assert_str_eq(resp.body.data, "/mem");
        }
    }
    nax__http_response_dispose(&resp);
    nax__http_free(h);
    return all_ok;
}

START_TEST(every_allocation_failure_is_clean)
{
    mini_server *srv = SERVER();
    one_round(mini_url(srv)); /* warm curl's lazily made global state */
    reset(0);
    ck_assert_int_eq(one_round(mini_url(srv)), 1);
    long needed = atomic_load(&attempts);
    ck_assert_int_eq(atomic_load(&live), 0);
    ck_assert_int_gt(needed, 5);

    long failed_rounds = 0;
    for (long k = 1; k <= needed; k++) {
        reset(k);
        if (!one_round(mini_url(srv)))
            failed_rounds++;
        ck_assert_msg(atomic_load(&live) == 0, "failing allocation %ld leaked %ld blocks", k,
                      atomic_load(&live));
    }
    reset(0);
    /* Most failures must surface; curl may absorb a few (caches it can do without). */
    ck_assert_int_gt(failed_rounds, needed / 2);
    mini_stop(srv);
}
END_TEST

int main(void)
{
    nax_allocator a = {NAX_ALLOCATOR_VERSION, count_malloc, count_realloc, count_free, NULL};
    if (nax_global_init(&a) != 0)
        return 1;
    Suite *s = suite_create("transport_memory");
    TCase *tc = tcase_create("memory");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, every_allocation_failure_is_clean);
    suite_add_tcase(s, tc);
    int rc = run_suite(s);
    nax_global_shutdown();
    return rc;
}

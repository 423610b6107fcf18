/*
 * Allocation failures: with a counting allocator installed through
 * nax_global_init() (which curl allocates through too), the k-th allocation
 * of creating a transport, making a GET and a POST and freeing it fails for
 * every k in turn. Each step either succeeds or fails with an error set,
 * nothing crashes, and every block is returned once the transport is freed.
 */
#define _GNU_SOURCE /* memmem */
#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "nax.h"
#include "http/http_internal.h"
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

/* While `scanning`, blocks freed that still hold SECRET are counted. */
#define SECRET "Bearer scan-me-7f3a"
static atomic_int scanning;
static atomic_long secrets_freed;

static void count_free(void *ptr, void *ud)
{
    (void)ud;
    if (!ptr)
        return;
    atomic_fetch_sub(&live, 1);
    if (atomic_load(&scanning) && memmem(ptr, malloc_usable_size(ptr), SECRET, strlen(SECRET)))
        atomic_fetch_add(&secrets_freed, 1);
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

/* The request's header lines (the bearer token is one) reach curl without
 * being copied: the list curl gets points at the caller's own lines, and no
 * block holding the token goes back to the allocator, on success and on a
 * refused request. Lines and the URL can change from one request to the next
 * on the same handle. */
START_TEST(header_lines_are_never_copied)
{
    nax__http_settings settings = {0};
    settings.base_url = "http://127.0.0.1:9";
    settings.connect_timeout_ms = TEST_TIMEOUT_MS;
    nax__http_handle *hh = nax__http_handle_new(&settings, NULL);
    ck_assert_ptr_nonnull(hh);
    const char *const good[] = {"Authorization: " SECRET, "X-Other: 1"};
    const char *const bad[] = {"Authorization: " SECRET, "not a header"};
    for (int i = 0; i < 3; i++) {
        nax__http_request req = {0};
        req.method = i == 2 ? "GET" : "POST";
        req.target = i == 2 ? "/other" : "/wipe";
        req.headers = i == 1 ? bad : good;
        req.headers_count = i == 2 ? 1 : 2;
        req.body = i == 2 ? NULL : "{}";
        req.body_len = i == 2 ? 0 : 2;
        req.timeout_ms = TEST_TIMEOUT_MS;
        struct curl_slist *list = NULL;
        atomic_store(&secrets_freed, 0);
        atomic_store(&scanning, 1);
        int rc = nax__http_handle_prepare(hh, &settings, &req, &list);
        if (i != 1) {
            ck_assert_int_eq(rc, 0);
            ck_assert_ptr_nonnull(list);
            ck_assert_ptr_eq(list->data, good[0]); /* the caller's line itself */
            if (i == 0) {
                ck_assert_ptr_eq(list->next->data, good[1]);
                ck_assert_str_eq(list->next->next->data, "Expect:"); /* a POST's */
                ck_assert_ptr_null(list->next->next->next);
                ck_assert_str_eq(hh->url.data, "http://127.0.0.1:9/wipe");
            } else {
                ck_assert_ptr_null(list->next); /* a GET has no Expect: line */
                ck_assert_str_eq(hh->url.data, "http://127.0.0.1:9/other");
            }
            curl_easy_setopt(hh->easy, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
        } else {
            ck_assert_int_eq(rc, NAX_EINVAL);
            ck_assert_ptr_null(list);
        }
        atomic_store(&scanning, 0);
        long freed = atomic_load(&secrets_freed);
        ck_assert_msg(freed == 0, "request %d: %ld blocks freed with the token in them", i, freed);
    }
    nax__http_handle_free(hh);
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
    tcase_add_test(tc, header_lines_are_never_copied);
    suite_add_tcase(s, tc);
    int rc = run_suite(s);
    nax_global_shutdown();
    return rc;
}

/* server/http under allocation failures: with the k-th allocation of a
 * request failing, for every k, the server answers properly, answers 5xx,
 * or closes the connection; it never crashes or leaks, and serves normally
 * afterwards. Raw sockets only: libcurl would share the failing allocator. */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http_test.h"
#include "nax.h"

static atomic_long attempts, fail_at, live;

static int should_fail(void)
{
    long k = atomic_load(&fail_at);
    return k && atomic_fetch_add(&attempts, 1) + 1 == k;
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

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* One request on a fresh connection: the status, or -1 when closed. */
static int one_request(int port, const char *path)
{
    char head[512], body[100], buf[8192];
    memset(body, 'x', sizeof(body));
    snprintf(head, sizeof(head),
             "POST %s HTTP/1.1\r\nHost: t\r\nX-Nax-Apikey: key\r\nIdempotency-Key: i-1\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n",
             path, sizeof(body));
    int fd = raw_connect(port);
    /* The server may close as soon as the head fails: sends may fail. */
    if (send(fd, head, strlen(head), MSG_NOSIGNAL) < 0 ||
        send(fd, body, sizeof(body), MSG_NOSIGNAL) < 0) {
        close(fd);
        return -1;
    }
    size_t len;
    int status = raw_response(fd, buf, sizeof(buf), &len, 0);
    close(fd);
    return status;
}

START_TEST(every_allocation_failure_in_a_request_is_clean)
{
    nax_allocator a = {NAX_ALLOCATOR_VERSION, count_malloc, count_realloc, count_free, NULL};
    ck_assert_int_eq(nax_global_init(&a), 0);
    test_server srv;
    memset(&srv, 0, sizeof(srv));
    naxd_http_options o = test_options(&srv);
    o.access_log = 0;
    server_start(&srv, &o);
    static const char *const paths[] = {"/v1/sum?a=1&b=%20two", "/v1/nope?q=1", "/v1/items/x"};
    static const int clean_status[] = {200, 404, 405};
    for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
        int clean_run = 0;
        for (long k = 1; k < 200 && !clean_run; k++) {
            atomic_store(&attempts, 0);
            atomic_store(&fail_at, k);
            int status = one_request(srv.port, paths[p]);
            /* Let the server finish with the request before the next k. */
            for (int i = 0; i < 500 && naxd_http_inflight(srv.h); i++)
                sleep_ms(2);
            atomic_store(&fail_at, 0);
            ck_assert_uint_eq(naxd_http_inflight(srv.h), 0);
            ck_assert_msg(status == -1 || status == clean_status[p] || status >= 500,
                          "%s, allocation %ld failed: status %d", paths[p], k, status);
            clean_run = atomic_load(&attempts) < k; /* nothing failed this time */
            if (clean_run)
                ck_assert_int_eq(status, clean_status[p]);
        }
        ck_assert_msg(clean_run, "%s never ran without a failure", paths[p]);
    }
    server_stop(&srv);
    ck_assert_int_eq(atomic_load(&live), 0);
    nax_global_shutdown();
}
END_TEST

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    Suite *s = suite_create("http_memory");
    TCase *tc = tcase_create("memory");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_allocation_failure_in_a_request_is_clean);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/*
 * The pool: sequential requests keep one connection alive; threads share
 * the pool without crossing responses and never open more connections than
 * handles; callers beyond the pool wait, and a wait that outlasts the
 * request's timeout fails without sending anything.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "nax.h"
#include "transport_test.h"

static mini_server *srv;

static void setup(void)
{
    srv = SERVER();
}

static void teardown(void)
{
    mini_stop(srv); /* safe twice: tests that stop early set srv to NULL */
}

START_TEST(sequential_requests_reuse_one_connection)
{
    nax__http *h = TRANSPORT(mini_url(srv), 4);
    nax__http_response resp;
    nax__http_response_init(&resp);
    for (int i = 0; i < 20; i++) {
        char target[32];
        snprintf(target, sizeof target, "/seq/%d", i);
        ck_assert_int_eq(
            i % 2 ? GET(h, target, &resp) : perform(h, "POST", target, NULL, 0, "{}", &resp), 0);
        ck_assert_str_eq(resp.body.data, target);
    }
    ck_assert_uint_eq(mini_request_count(srv), 20);
    ck_assert_uint_eq(mini_connections(srv), 1);
    nax__http_response_dispose(&resp);
    nax__http_free(h);
}
END_TEST

/* ---- threads ---- */

#define THREAD_REQUESTS 25

typedef struct worker {
    nax__http *h;
    int id;
    int failures; /* requests that failed or came back with another's body */
    char first_error[256];
} worker;

static void *run_worker(void *arg)
{
    worker *w = arg;
    nax__http_response resp;
    nax__http_response_init(&resp);
    for (int i = 0; i < THREAD_REQUESTS; i++) {
        char target[48];
        snprintf(target, sizeof target, "/thread/%d/request/%d", w->id, i);
        int rc = i % 3 ? GET(w->h, target, &resp)
                       : perform(w->h, "PUT", target, NULL, 0, "{\"x\":1}", &resp);
        int ok = rc == 0 && resp.status == 200 && resp.body.data && !strcmp(resp.body.data, target);
        if (!ok && !w->failures++)
            snprintf(w->first_error, sizeof w->first_error, "rc %d: %s", rc,
                     rc ? nax_error_last()->message : "wrong body");
    }
    nax__http_response_dispose(&resp);
    return NULL;
}

static void run_threads(unsigned int pool_size, int threads)
{
    nax__http *h = TRANSPORT(mini_url(srv), pool_size);
    pthread_t tids[8];
    worker workers[8];
    ck_assert_int_le(threads, 8);
    for (int i = 0; i < threads; i++) {
        workers[i] = (worker){h, i, 0, ""};
        ck_assert_int_eq(pthread_create(&tids[i], NULL, run_worker, &workers[i]), 0);
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(tids[i], NULL);
        ck_assert_msg(workers[i].failures == 0, "thread %d: %d failures, first: %s", i,
                      workers[i].failures, workers[i].first_error);
    }
    ck_assert_uint_eq(mini_request_count(srv), (size_t)threads * THREAD_REQUESTS);
    ck_assert_uint_ge(mini_connections(srv), 1);
    ck_assert_uint_le(mini_connections(srv), pool_size);
    nax__http_free(h);
}

START_TEST(four_threads_share_a_pool_of_four)
{
    run_threads(4, 4);
}
END_TEST

START_TEST(four_threads_wait_for_a_pool_of_one)
{
    run_threads(1, 4);
    ck_assert_uint_eq(mini_connections(srv), 1);
}
END_TEST

/* ---- a wait that runs out ---- */

typedef struct holder {
    nax__http *h;
    int rc;
} holder;

static void *hold_the_handle(void *arg)
{
    holder *hd = arg;
    nax__http_response resp;
    nax__http_response_init(&resp);
    hd->rc = GET(hd->h, "/held", &resp);
    nax__http_response_dispose(&resp);
    return NULL;
}

START_TEST(waiting_past_the_timeout_sends_nothing)
{
    nax__http *h = TRANSPORT(mini_url(srv), 1);
    mini_reply stall = {MINI_STALL};
    mini_push(srv, &stall);
    holder hd = {h, 0};
    pthread_t tid;
    ck_assert_int_eq(pthread_create(&tid, NULL, hold_the_handle, &hd), 0);
    /* Once the server holds the request, the only handle is in use. */
    while (mini_request_count(srv) == 0) {
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    nax__http_response resp;
    nax__http_response_init(&resp);
    nax__http_request req = {"POST", "/v1/orders", NULL, 0, "{}", 2, 100};
    int rc = nax__http_perform(h, &req, &resp);
    ck_assert_int_eq(rc, NAX_ETIMEOUT);
    ck_assert_int_eq(resp.sent, 0);
    /* Local contention: said so, and no transfer time to count. */
    ck_assert_int_eq(resp.pool_timeout, 1);
    ck_assert_uint_eq(resp.elapsed_us, 0);
    ck_assert_uint_gt(resp.pool_wait_us, 0);
    ck_assert_int_ne(nax_error_last()->transient, 0);
    ck_assert_uint_eq(mini_request_count(srv), 1);

    /* Stopping the server ends the stalled request; the handle comes back. */
    mini_stop(srv);
    srv = NULL;
    pthread_join(tid, NULL);
    ck_assert_int_eq(hd.rc, NAX_ENETWORK);
    nax__http_response_dispose(&resp);
    nax__http_free(h);
}
END_TEST

/* ---- the wait is not the request's time ---- */

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

START_TEST(pool_wait_is_not_counted_as_request_time)
{
    /* The only handle is held by a request the server answers after a
     * second; a quick request behind it waits for the handle. Its
     * elapsed_us is its transfer alone, or a breaker would take local
     * contention for a slow server. */
    nax__http *h = TRANSPORT(mini_url(srv), 1);
    mini_reply slow = {MINI_ANSWER, 200, NULL, "slow"};
    slow.delay_ms = 1000;
    mini_push(srv, &slow);
    holder hd = {h, -1};
    pthread_t tid;
    ck_assert_int_eq(pthread_create(&tid, NULL, hold_the_handle, &hd), 0);
    while (mini_request_count(srv) == 0) {
        struct timespec ts = {0, 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    nax__http_response resp;
    nax__http_response_init(&resp);
    uint64_t before = now_us();
    ck_assert_int_eq(GET(h, "/quick", &resp), 0);
    uint64_t total = now_us() - before;
    ck_assert_str_eq(resp.body.data, "/quick");
    pthread_join(tid, NULL);
    ck_assert_int_eq(hd.rc, 0);
    ck_assert_uint_eq(mini_connections(srv), 1);

    ck_assert_int_eq(resp.pool_timeout, 0);
    ck_assert_uint_le(resp.pool_wait_us + resp.elapsed_us, total);
    /* Most of the call was the wait (the slow reply's second); had the wait
     * been counted, elapsed_us would be nearly all of it. */
    ck_assert_msg(resp.elapsed_us * 2 < total, "elapsed %llu us of a %llu us call",
                  (unsigned long long)resp.elapsed_us, (unsigned long long)total);
    ck_assert_uint_gt(resp.pool_wait_us, resp.elapsed_us);
    nax__http_response_dispose(&resp);
    nax__http_free(h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("transport_pool");
    TCase *tc = tcase_create("pool");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, sequential_requests_reuse_one_connection);
    tcase_add_test(tc, four_threads_share_a_pool_of_four);
    tcase_add_test(tc, four_threads_wait_for_a_pool_of_one);
    tcase_add_test(tc, waiting_past_the_timeout_sends_nothing);
    tcase_add_test(tc, pool_wait_is_not_counted_as_request_time);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

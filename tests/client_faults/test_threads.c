/*
 * One client shared by 8 threads, the way a backend service uses it:
 * market data, signed account reads, and orders placed and cancelled, all at
 * once. Every call must succeed and the server must end with exactly the
 * orders the threads left. ctest also runs this under valgrind's helgrind
 * (client_threads_helgrind), which fails on any data race or lock-order problem.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../client/harness.h"

enum { THREADS = 8 };

static naxh_server srv;
static naxh_user trader;
static nax_client *shared;
static pthread_barrier_t go;
static int rounds = 6;

typedef struct worker {
    int id;
    int failures;
    char first_error[256];
    int orders_left; /* placed and not cancelled */
} worker;

static void fail(worker *w, const char *what)
{
    if (!w->failures++)
        snprintf(w->first_error, sizeof w->first_error, "thread %d %s: %s (%d)", w->id, what,
                 nax_error_last()->message, nax_error_last()->code);
}

static void *work(void *arg)
{
    worker *w = arg;
    pthread_barrier_wait(&go);
    nax_decimal price = naxh_dec("1000.00"); /* far below the market: rests */
    for (int i = 0; i < rounds; i++) {
        nax_ticker *t = NULL;
        if (nax_markets_ticker(shared, (i & 1) ? "ETH-AUD" : "BTC-AUD", &t))
            fail(w, "ticker");
        nax_object_free(t);
        nax_order_book *b = NULL;
        if (nax_markets_orderbook(shared, "BTC-AUD", 10, &b))
            fail(w, "orderbook");
        nax_object_free(b);
        nax_balance_list *bl = NULL;
        if (nax_wallets_balances(shared, &bl))
            fail(w, "balances");
        nax_object_free(bl);
        nax_order_request r = {sizeof r};
        r.pair = "BTC-AUD";
        r.side = NAX_SIDE_BUY;
        r.type = NAX_ORDER_TYPE_LIMIT;
        r.price = &price;
        r.quantity = naxh_dec("0.01");
        r.post_only = 1;
        nax_order *o = NULL;
        if (nax_orders_place(shared, &r, &o)) {
            fail(w, "place");
            continue;
        }
        if (i % 3 == 2) {
            w->orders_left++;
        } else if (nax_orders_cancel(shared, o->id, NULL)) {
            fail(w, "cancel");
            w->orders_left++;
        }
        nax_object_free(o);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        rounds = atoi(argv[1]);
    if (nax_global_init(NULL) != 0 || naxh_start(&srv, NULL) != 0)
        return 1;
    int rc = 1;
    if (naxh_user_new(&srv, &trader) ||
        naxh_user_api_key(&srv, &trader, NAX_SCOPE_READ | NAX_SCOPE_TRADE) ||
        naxh_fund_fiat(&srv, &trader, "AUD", "100000") || naxh_key_client(&srv, &trader, &shared)) {
        fprintf(stderr, "setup failed: %s\n", nax_error_last()->message);
        goto out;
    }
    pthread_t th[THREADS];
    worker w[THREADS];
    pthread_barrier_init(&go, NULL, THREADS);
    for (int i = 0; i < THREADS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].id = i;
        if (pthread_create(&th[i], NULL, work, &w[i]) != 0)
            abort();
    }
    int failures = 0, left = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        failures += w[i].failures;
        left += w[i].orders_left;
        if (w[i].failures)
            fprintf(stderr, "%s\n", w[i].first_error);
    }
    pthread_barrier_destroy(&go);
    /* the server agrees on what is left open */
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.status = NAX_ORDER_STATUS_OPEN;
    q.limit = 1000;
    nax_order_list *open = NULL;
    if (nax_orders_list(shared, &q, &open)) {
        fprintf(stderr, "list: %s\n", nax_error_last()->message);
        failures++;
    } else if ((int)open->orders_count != left) {
        fprintf(stderr, "open orders: server %zu, threads %d\n", open->orders_count, left);
        failures++;
    }
    nax_object_free(open);
    printf("threads: %d x %d rounds, %d failures, %d orders open\n", THREADS, rounds, failures,
           left);
    rc = failures ? 1 : 0;
out:
    nax_client_free(shared);
    naxh_user_free(&trader);
    naxh_stop(&srv);
    nax_global_shutdown();
    return rc || srv.exit_status ? 1 : 0;
}

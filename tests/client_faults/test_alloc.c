/*
 * Allocation-failure torture of the client: a client session against naxd
 * (create, login, market data, signed reads, place, get, cancel, pager)
 * runs once per k with the k-th allocation failing, through the allocator
 * given to nax_global_init() (libnax, libcurl and yajl all use it), until a
 * run completes without reaching k. Each run must end in success or a clean
 * error (a negative code that nax_error_last() reports, with a message);
 * ASan (the asan suite) turns any leak or bad access into a failure.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../client/harness.h"

static atomic_long countdown = -1; /* allocations left before the failure; -1 = off */
static atomic_int failed_once;

static int should_fail(void)
{
    long left = atomic_load(&countdown);
    if (left < 0)
        return 0;
    if (atomic_fetch_sub(&countdown, 1) == 0) {
        atomic_store(&failed_once, 1);
        return 1;
    }
    return 0;
}

static void *t_malloc(size_t n, void *ud)
{
    (void)ud;
    return should_fail() ? NULL : malloc(n);
}

static void *t_realloc(void *p, size_t n, void *ud)
{
    (void)ud;
    return should_fail() ? NULL : realloc(p, n);
}

static void t_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

static naxh_server srv;
static naxh_user trader;

/* The session; returns 0 or the first error. */
static int session(void)
{
    nax_client *c = NULL, *s = NULL;
    int rc = naxh_key_client(&srv, &trader, &c);
    nax_ticker *t = NULL;
    nax_order_book *b = NULL;
    nax_balance_list *bl = NULL;
    nax_order *o = NULL, *got = NULL;
    nax_profile *p = NULL;
    nax_pager *pg = NULL;
    if (!rc)
        rc = nax_markets_ticker(c, "BTC-AUD", &t);
    if (!rc)
        rc = nax_markets_orderbook(c, "BTC-AUD", 5, &b);
    if (!rc)
        rc = nax_wallets_balances(c, &bl);
    nax_decimal price = naxh_dec("1000.00");
    nax_order_request r = {sizeof r};
    r.pair = "BTC-AUD";
    r.side = NAX_SIDE_BUY;
    r.type = NAX_ORDER_TYPE_LIMIT;
    r.price = &price;
    r.quantity = naxh_dec("0.01");
    if (!rc)
        rc = nax_orders_place(c, &r, &o);
    if (!rc)
        rc = nax_orders_get(c, o->id, &got);
    if (!rc)
        rc = nax_orders_cancel(c, o->id, NULL);
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.limit = 2;
    if (!rc)
        rc = nax_pager_new(&pg, c, NAX_LIST_ORDERS, &q);
    const void *item;
    for (int i = 0; !rc && i < 3; i++) {
        int n = nax_pager_next(pg, &item);
        rc = n < 0 ? n : 0;
    }
    /* a password session: login, then an authenticated call */
    if (!rc) {
        nax_client_options so = NAX_CLIENT_OPTIONS_INIT;
        so.email = trader.email;
        so.password = trader.password;
        rc = naxh_client(&srv, &so, &s);
    }
    if (!rc)
        rc = nax_users_profile(s, &p);
    nax_pager_free(pg);
    nax_object_free(p);
    nax_object_free(got);
    nax_object_free(o);
    nax_object_free(bl);
    nax_object_free(b);
    nax_object_free(t);
    nax_client_free(s);
    nax_client_free(c);
    return rc;
}

int main(void)
{
    static const nax_allocator alloc = {NAX_ALLOCATOR_VERSION, t_malloc, t_realloc, t_free, NULL};
    if (nax_global_init(&alloc) != 0 || naxh_start(&srv, NULL) != 0)
        return 1;
    int bad = 0;
    if (naxh_user_new(&srv, &trader) ||
        naxh_user_api_key(&srv, &trader, NAX_SCOPE_READ | NAX_SCOPE_TRADE) ||
        naxh_fund_fiat(&srv, &trader, "AUD", "100000")) {
        fprintf(stderr, "setup failed: %s\n", nax_error_last()->message);
        bad = 1;
    }
    if (!bad && session() != 0) {
        fprintf(stderr, "the session fails without injected failures: %s\n",
                nax_error_last()->message);
        bad = 1;
    }
    long k = 0, failures_seen = 0;
    for (; !bad; k++) {
        atomic_store(&failed_once, 0);
        nax_error_clear();
        atomic_store(&countdown, k);
        int rc = session();
        atomic_store(&countdown, -1);
        if (!atomic_load(&failed_once)) {
            if (rc != 0) {
                fprintf(stderr, "k=%ld: failed without an injected failure: %s\n", k,
                        nax_error_last()->message);
                bad = 1;
            }
            break; /* the whole session ran below k allocations */
        }
        if (rc == 0)
            continue; /* the failure was absorbed (e.g. a retried connection) */
        failures_seen++;
        const nax_error *e = nax_error_last();
        if (rc > 0 || e->code != rc || !e->message[0]) {
            fprintf(stderr, "k=%ld: unclean error: rc %d, last error %d \"%s\"\n", k, rc, e->code,
                    e->message);
            bad = 1;
        }
    }
    printf("allocation failures: %ld points tried, %ld ended in a clean error, %s\n", k,
           failures_seen, bad ? "FAILED" : "all clean");
    naxh_user_free(&trader);
    naxh_stop(&srv);
    nax_global_shutdown();
    return bad || srv.exit_status ? 1 : 0;
}

/*
 * Allocation-failure torture of the Shift client: a session against naxd
 * (client creation, a generic query with variables, balances, createOrder
 * answered over GraphQL, and a refused createOrder whose error is mapped)
 * runs once per k with the k-th allocation failing, through the allocator
 * given to nax_global_init() (libnax, libcurl and yajl use it), until a run
 * completes without reaching k. Each run ends in success or a clean error
 * (a negative code that nax_error_last() reports, with a message); under
 * ASan any leak or bad access fails the test.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static atomic_long countdown = -1; /* allocations left before the failure; -1 = off */
static atomic_int failed_once;

static int should_fail(void)
{
    if (atomic_load(&countdown) < 0)
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
static int order_seq;

/* The session; returns 0, or the first error other than the expected refusal. */
static int session(void)
{
    nax_shift_options o;
    int rc = nax_shift_options_init(&o, NAX_SHIFT_OPTIONS_VERSION);
    o.transport.base_url = srv.url;
    o.transport.api_key = trader.api_key;
    o.transport.api_secret = trader.api_secret;
    nax_shift_client *sc = NULL;
    nax_shift_result *res = NULL;
    nax_balance_list *bl = NULL;
    nax_order *placed = NULL;
    if (!rc)
        rc = nax_shift_client_new(&sc, &o);
    if (!rc)
        rc = nax_shift_query(sc, "query Q { t: __typename balances { asset } }",
                             "{\"extra\": [1, {\"a\": \"\\u00e9\"}]}", &res);
    if (!rc)
        rc = nax_shift_balances(sc, &bl);
    char cid[40];
    snprintf(cid, sizeof cid, "alloc-%d", ++order_seq); /* a new order each run */
    nax_decimal price = naxh_dec("100.00");
    nax_order_request r = {sizeof r};
    r.pair = "BTC-AUD";
    r.side = NAX_SIDE_BUY;
    r.type = NAX_ORDER_TYPE_LIMIT;
    r.price = &price;
    r.quantity = naxh_dec("0.2");
    r.client_order_id = cid;
    if (!rc)
        rc = nax_shift_create_order(sc, &r, &placed);
    if (!rc) {
        /* refused by naxd: the mapped error is the expected outcome */
        r.quantity = naxh_dec("1000000");
        snprintf(cid, sizeof cid, "alloc-big-%d", order_seq);
        rc = nax_shift_create_order(sc, &r, NULL);
        if (rc == NAX_EBADREQUEST && !strcmp(nax_error_last()->server_code, "BAD_USER_INPUT"))
            rc = 0;
        else if (rc == 0)
            rc = NAX_ERROR; /* must not be placed */
    }
    nax_object_free(placed);
    nax_object_free(bl);
    nax_shift_result_free(res);
    nax_shift_client_free(sc);
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
        naxh_fund_fiat(&srv, &trader, "AUD", "1000000")) {
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
            continue; /* the failure was absorbed (e.g. a retried attempt) */
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

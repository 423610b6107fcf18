/*
 * order_with_api_key: what a partner's trading bot does with an API key.
 *
 * 1. Make a client that signs every private request with the key (DESIGN §4:
 *    HMAC-SHA256 over timestamp, method, target and body, with the client's
 *    estimate of the server clock).
 * 2. Fetch the market's rules (tick size, lot size, minimum notional) and
 *    the ticker.
 * 3. Round a wanted price down to the tick and a wanted quantity down to
 *    the lot with nax_decimal_quantize(), and check the minimum notional,
 *    all in exact decimals.
 * 4. Show how errors look: an unrounded price is refused by the client
 *    before any I/O, an unknown order id by the server; nax_error_last()
 *    says which, with the HTTP status, the server's code, the field and the
 *    request id.
 * 5. Place a limit buy with the bot's own client order id, read it back by
 *    both ids, and cancel it.
 *
 *     NAX_URL=http://127.0.0.1:8080 NAX_API_KEY=ak_... NAX_API_SECRET=... order_with_api_key
 *
 * The key needs the `read` and `trade` scopes. Exits 1 on any unexpected
 * result. Against a local naxd, from the build directory (naxd, a funded
 * key from partner_setup, the example, naxd stopped):
 *     bash ../examples/order_with_api_key.sh server/naxd examples/partner_setup \
 *         examples/order_with_api_key /tmp/naxd-order
 * or by hand: `source ../examples/naxd_local.sh; naxd_start server/naxd
 * /tmp/naxd-order; eval "$(examples/partner_setup "$NAXD_URL")"`, then run
 * it with NAX_URL=$NAXD_URL and the two variables exported.
 *
 * Build against an installed libnax:
 *     cc -std=c11 order_with_api_key.c $(pkg-config --cflags --libs nax)
 */
#include <nax.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char PAIR[] = "BTC-AUD";

/* Print libnax's detail for the last failure on this thread. */
static void print_error(const char *what, int rc)
{
    const nax_error *err = nax_error_last();
    printf("  %s -> %s (%d)\n", what, nax_strerror(rc), rc);
    printf("    http_status %d, server_code \"%s\", field \"%s\", transient %d\n", err->http_status,
           err->server_code, err->field, err->transient);
    printf("    message: %s\n", err->message);
    if (err->request_id[0])
        printf("    request_id: %s (quote it to support)\n", err->request_id);
}

static void check(int rc, const char *what)
{
    if (rc >= 0)
        return;
    print_error(what, rc);
    exit(EXIT_FAILURE);
}

static void expect(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "unexpected: %s\n", what);
        exit(EXIT_FAILURE);
    }
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v) {
        fprintf(stderr, "%s is not set (need NAX_URL, NAX_API_KEY and NAX_API_SECRET)\n", name);
        exit(2);
    }
    return v;
}

static nax_decimal dec(const char *text)
{
    nax_decimal d;
    check(nax_decimal_parse(&d, text, strlen(text), NULL), text);
    return d;
}

static const char *fmt(char buf[NAX_DECIMAL_STRING_MAX], const nax_decimal *d)
{
    check(nax_decimal_format(buf, NAX_DECIMAL_STRING_MAX, d), "nax_decimal_format");
    return buf;
}

static const char *status_name(nax_order_status s)
{
    switch (s) {
    case NAX_ORDER_STATUS_OPEN: return "open";
    case NAX_ORDER_STATUS_PARTIALLY_FILLED: return "partially_filled";
    case NAX_ORDER_STATUS_FILLED: return "filled";
    case NAX_ORDER_STATUS_CANCELLED: return "cancelled";
    case NAX_ORDER_STATUS_REJECTED: return "rejected";
    default: return "?";
    }
}

/*
 * The price the bot wants: 2 % under the best bid, or under a reference
 * price on an empty book, to a deliberately uneven number of places so
 * that rounding to the tick matters.
 */
static nax_decimal wanted_price(const nax_ticker *t)
{
    nax_decimal ref = t->bid ? *t->bid : t->last ? *t->last : dec("97250.50"), out;
    nax_decimal factor = dec("0.98123");
    check(nax_decimal_mul(&out, &ref, &factor, 6, NAX_ROUND_DOWN), "nax_decimal_mul");
    return out;
}

int main(void)
{
    const char *url = env("NAX_URL"), *key = env("NAX_API_KEY"), *secret = env("NAX_API_SECRET");
    char a[NAX_DECIMAL_STRING_MAX], b[NAX_DECIMAL_STRING_MAX], c[NAX_DECIMAL_STRING_MAX],
        d[NAX_DECIMAL_STRING_MAX];
    int rc;

    check(nax_global_init(NULL), "nax_global_init");
    nax_client *client = NULL;
    nax_client_options opts = NAX_CLIENT_OPTIONS_INIT;
    opts.base_url = url;
    opts.api_key = key;
    opts.api_secret = secret; /* copied by the client; never logged */
    opts.user_agent_suffix = "order-with-api-key-example";
    check(nax_client_new(&client, &opts), "nax_client_new");

    int64_t offset = 0;
    check(nax_client_sync_clock(client, &offset), "nax_client_sync_clock");
    printf("1. client for %s with key %s; server clock offset %lld ms\n", url, key,
           (long long)offset);

    /* 2. The market's rules come from the client's cache (GET /v1/markets). */
    nax_market *m = NULL;
    nax_ticker *ticker = NULL;
    check(nax_markets_get(client, PAIR, &m), "nax_markets_get");
    printf("2. %s rules: tick %s, lot %s, min notional %s %s, status %s\n", m->pair,
           fmt(a, &m->tick_size), fmt(b, &m->lot_size), fmt(c, &m->min_notional), m->quote,
           m->status == NAX_MARKET_STATUS_ACTIVE ? "active" : "not active");
    expect(m->status == NAX_MARKET_STATUS_ACTIVE, "the market is not active");
    check(nax_markets_ticker(client, PAIR, &ticker), "nax_markets_ticker");
    printf("   ticker: bid %s, ask %s, last %s\n", ticker->bid ? fmt(a, ticker->bid) : "-",
           ticker->ask ? fmt(b, ticker->ask) : "-", ticker->last ? fmt(c, ticker->last) : "-");

    /* 3. Round down: never pay more than wanted, never buy more than wanted. */
    nax_decimal want_price = wanted_price(ticker), want_qty = dec("0.0123456789");
    nax_decimal price, qty, notional;
    check(nax_decimal_quantize(&price, &want_price, &m->tick_size, NAX_ROUND_DOWN),
          "nax_decimal_quantize (price)");
    check(nax_decimal_quantize(&qty, &want_qty, &m->lot_size, NAX_ROUND_DOWN),
          "nax_decimal_quantize (quantity)");
    check(nax_decimal_mul(&notional, &price, &qty, nax_decimal_scale(&m->min_notional),
                          NAX_ROUND_DOWN),
          "nax_decimal_mul");
    printf("3. price %s -> %s (tick), quantity %s -> %s (lot)\n", fmt(a, &want_price),
           fmt(b, &price), fmt(c, &want_qty), fmt(d, &qty));
    printf("   notional %s %s (minimum %s)\n", fmt(a, &notional), m->quote,
           fmt(b, &m->min_notional));
    expect(nax_decimal_is_multiple(&price, &m->tick_size) &&
               nax_decimal_is_multiple(&qty, &m->lot_size),
           "quantize did not land on the tick and the lot");
    expect(nax_decimal_cmp(&notional, &m->min_notional) >= 0, "the order is below min notional");

    /* 4. Errors: one refused locally, one by the server. */
    printf("4. errors, as nax_error_last() describes them\n");
    nax_order_request req = {.struct_size = sizeof req,
                             .pair = PAIR,
                             .side = NAX_SIDE_BUY,
                             .type = NAX_ORDER_TYPE_LIMIT,
                             .price = &want_price, /* not on the tick yet */
                             .quantity = qty,
                             .time_in_force = NAX_TIF_GTC};
    nax_order *order = NULL;
    rc = nax_orders_place(client, &req, &order);
    print_error("unrounded price", rc);
    expect(rc == NAX_EINVAL && nax_error_last()->http_status == 0 &&
               strcmp(nax_error_last()->field, "price") == 0,
           "the client did not refuse the unrounded price locally");
    rc = nax_orders_get(client, "o_999999999", &order);
    print_error("unknown order id", rc);
    expect(rc == NAX_ENOTFOUND && nax_error_last()->http_status == 404,
           "the server did not answer 404 for an unknown order");

    /* 5. Place, read back, cancel. The bot picks its own client order id,
     *    so a retried placement can never make a second order. */
    char cid[40];
    snprintf(cid, sizeof cid, "bot-%lx", (unsigned long)time(NULL));
    req.price = &price;
    req.client_order_id = cid;
    req.post_only = 1; /* rest on the book or be refused, never take */
    check(nax_orders_place(client, &req, &order), "nax_orders_place");
    printf("5. placed %s (client id %s): buy %s %s @ %s, %s\n", order->id, order->client_order_id,
           fmt(a, &order->quantity), m->base, fmt(b, order->price), status_name(order->status));
    expect(order->status == NAX_ORDER_STATUS_OPEN, "the order is not resting");
    expect(order->client_order_id && strcmp(order->client_order_id, cid) == 0,
           "the order lost its client order id");

    nax_order *by_id = NULL, *by_cid = NULL, *cancelled = NULL;
    check(nax_orders_get(client, order->id, &by_id), "nax_orders_get");
    check(nax_orders_get_by_client_id(client, cid, &by_cid), "nax_orders_get_by_client_id");
    printf("   read back: by id %s, by client id %s; both %s\n", by_id->id, by_cid->id,
           status_name(by_id->status));
    expect(strcmp(by_id->id, order->id) == 0 && strcmp(by_cid->id, order->id) == 0,
           "reading the order back gave another order");
    expect(nax_decimal_cmp(by_id->price, &price) == 0 &&
               nax_decimal_cmp(&by_id->quantity, &qty) == 0,
           "the order's price or quantity changed");

    check(nax_orders_cancel(client, order->id, &cancelled), "nax_orders_cancel");
    printf("   cancelled %s: %s, filled %s\n", cancelled->id, status_name(cancelled->status),
           fmt(a, &cancelled->filled_quantity));
    expect(cancelled->status == NAX_ORDER_STATUS_CANCELLED, "the order is not cancelled");

    nax_object_free(cancelled);
    nax_object_free(by_cid);
    nax_object_free(by_id);
    nax_object_free(order);
    nax_object_free(ticker);
    nax_object_free(m);
    nax_client_free(client);
    nax_global_shutdown();
    printf("done\n");
    return 0;
}

/*
 * codec_tour: a walk through libnax's exact decimals and JSON codec.
 *
 * It prepares a limit order the way a trading bot would (quantize the price
 * to the market's tick and the quantity to its lot, compute the notional and
 * the fee exactly, check the minimum notional), then encodes the market, the
 * order request, the order the server would answer with, a balance list and
 * an order book with its checksum, decodes each one back and checks that the
 * bytes survive the round trip. No network: the codec does no I/O, so it
 * needs no naxd (examples/naxd_local.sh) either: run it as it is.
 *
 * Build against an installed libnax:
 *     cc -std=c11 codec_tour.c $(pkg-config --cflags --libs nax) -o codec_tour
 */
#include <nax.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Print the failing call and libnax's detail for it, then stop. */
static void die(const char *what, int rc)
{
    const nax_error *err = nax_error_last();
    fprintf(stderr, "%s failed: %s (%d)", what, nax_strerror(rc), rc);
    if (err->field[0] != '\0') {
        fprintf(stderr, " at %s", err->field);
    }
    fprintf(stderr, ": %s\n", err->message);
    exit(EXIT_FAILURE);
}

static void check(int rc, const char *what)
{
    if (rc < 0) {
        die(what, rc);
    }
}

/* A decimal from its exact text; money never passes through a double. */
static nax_decimal dec(const char *text)
{
    nax_decimal d;
    check(nax_decimal_parse(&d, text, strlen(text), NULL), text);
    return d;
}

/* Format into a caller-provided buffer of NAX_DECIMAL_STRING_MAX bytes. */
static const char *fmt(char buf[NAX_DECIMAL_STRING_MAX], const nax_decimal *d)
{
    check(nax_decimal_format(buf, NAX_DECIMAL_STRING_MAX, d), "nax_decimal_format");
    return buf;
}

/*
 * Encode `obj`, decode the JSON into a fresh object, encode that again and
 * require identical bytes. Returns the decoded object (free it with
 * nax_object_free) and leaves the JSON in `json`.
 */
static void *round_trip(nax_type type, const void *obj, nax_buf *json)
{
    nax_buf again = NAX_BUF_INIT;
    void *decoded = NULL;

    check(nax_encode(json, type, obj), "nax_encode");
    check(nax_decode(&decoded, type, json->data, json->len, NULL), "nax_decode");
    check(nax_encode(&again, type, decoded), "nax_encode (again)");
    if (again.len != json->len || memcmp(again.data, json->data, json->len) != 0) {
        fprintf(stderr, "%s changed in a round trip:\n  %s\n  %s\n", nax_type_name(type),
                json->data, again.data);
        exit(EXIT_FAILURE);
    }
    nax_buf_dispose(&again);
    printf("%-14s %s\n", nax_type_name(type), json->data);
    return decoded;
}

static nax_market btc_aud_market(void)
{
    nax_market m = {
        .struct_size = sizeof(nax_market),
        .pair = "BTC-AUD",
        .base = "BTC",
        .quote = "AUD",
        .tick_size = dec("0.01"),
        .lot_size = dec("0.00000001"),
        .min_notional = dec("10.00"),
        .status = NAX_MARKET_STATUS_ACTIVE,
    };
    return m;
}

/* What a bot does before it sends a limit buy: fit the market's rules. */
struct prepared_order {
    nax_decimal price;    /* quantized down to the tick: never pay more than asked */
    nax_decimal quantity; /* quantized down to the lot */
    nax_decimal notional; /* price x quantity, in quote currency cents */
    nax_decimal fee;      /* taker fee, rounded up to the cent */
};

static struct prepared_order prepare_buy(const nax_market *m, const char *wanted_price,
                                         const char *wanted_quantity, const char *fee_rate)
{
    struct prepared_order p;
    nax_decimal price = dec(wanted_price), quantity = dec(wanted_quantity), rate = dec(fee_rate);
    char a[NAX_DECIMAL_STRING_MAX], b[NAX_DECIMAL_STRING_MAX];

    check(nax_decimal_quantize(&p.price, &price, &m->tick_size, NAX_ROUND_DOWN), "quantize price");
    check(nax_decimal_quantize(&p.quantity, &quantity, &m->lot_size, NAX_ROUND_DOWN),
          "quantize quantity");
    check(nax_decimal_mul(&p.notional, &p.price, &p.quantity, 2, NAX_ROUND_HALF_EVEN), "notional");
    check(nax_decimal_mul(&p.fee, &p.notional, &rate, 2, NAX_ROUND_UP), "fee");

    printf("price          %s -> %s (tick %s)\n", wanted_price, fmt(a, &p.price),
           fmt(b, &m->tick_size));
    printf("quantity       %s -> %s (lot %s)\n", wanted_quantity, fmt(a, &p.quantity),
           fmt(b, &m->lot_size));
    printf("notional       %s %s\n", fmt(a, &p.notional), m->quote);
    printf("fee            %s %s (%s of notional, rounded up)\n", fmt(a, &p.fee), m->quote,
           fee_rate);
    if (nax_decimal_cmp(&p.notional, &m->min_notional) < 0) {
        fprintf(stderr, "notional below the market minimum %s\n", fmt(a, &m->min_notional));
        exit(EXIT_FAILURE);
    }
    return p;
}

static void tour_order(const nax_market *market, const struct prepared_order *p)
{
    nax_buf json = NAX_BUF_INIT;
    nax_decimal average = dec("64120.00");
    nax_order_request req = {
        .struct_size = sizeof(nax_order_request),
        .pair = market->pair,
        .side = NAX_SIDE_BUY,
        .type = NAX_ORDER_TYPE_LIMIT,
        .price = &p->price,
        .quantity = p->quantity,
        .time_in_force = NAX_TIF_GTC,
        .client_order_id = "bot-7-000042", /* fixed before the first attempt */
    };
    /* The server's answer after part of the order filled. */
    nax_order order = {
        .struct_size = sizeof(nax_order),
        .id = "ord-1f3a",
        .client_order_id = req.client_order_id,
        .pair = req.pair,
        .side = req.side,
        .type = req.type,
        .price = req.price,
        .quantity = req.quantity,
        .filled_quantity = dec("0.10000000"),
        .average_price = &average,
        .time_in_force = req.time_in_force,
        .status = NAX_ORDER_STATUS_PARTIALLY_FILLED,
        .created_at = 1767225600000,
        .updated_at = 1767225600250,
    };
    nax_order_request *req_back;
    nax_order *order_back;
    char a[NAX_DECIMAL_STRING_MAX], b[NAX_DECIMAL_STRING_MAX], c[NAX_DECIMAL_STRING_MAX];

    req_back = round_trip(NAX_TYPE_ORDER_REQUEST, &req, &json);
    nax_object_free(req_back);
    order_back = round_trip(NAX_TYPE_ORDER, &order, &json);
    printf("               %s filled %s of %s at %s\n", order_back->id,
           fmt(a, &order_back->filled_quantity), fmt(b, &order_back->quantity),
           order_back->average_price ? fmt(c, order_back->average_price) : "-");
    nax_object_free(order_back);
    nax_buf_dispose(&json);
}

/* Balances: total is always available + locked, computed exactly. */
static nax_balance balance(const char *asset, const char *available, const char *locked)
{
    nax_balance b = {
        .struct_size = sizeof(nax_balance),
        .asset = asset,
        .available = dec(available),
        .locked = dec(locked),
    };
    check(nax_decimal_add(&b.total, &b.available, &b.locked), "balance total");
    return b;
}

static void tour_balances(void)
{
    nax_buf json = NAX_BUF_INIT;
    nax_balance aud = balance("AUD", "83969.14", "16030.86");
    nax_balance btc = balance("BTC", "1.50000000", "0.00000000");
    const nax_balance *items[] = {&aud, &btc};
    nax_balance_list list = {
        .struct_size = sizeof(nax_balance_list),
        .balances = items,
        .balances_count = sizeof(items) / sizeof(items[0]),
    };
    nax_balance_list *back;
    char a[NAX_DECIMAL_STRING_MAX];

    back = round_trip(NAX_TYPE_BALANCE_LIST, &list, &json);
    for (size_t i = 0; i < back->balances_count; i++) {
        printf("               %s total %s\n", back->balances[i]->asset,
               fmt(a, &back->balances[i]->total));
    }
    nax_object_free(back);
    nax_buf_dispose(&json);
}

static nax_book_level level(const char *price, const char *quantity)
{
    nax_book_level l = {.price = dec(price), .quantity = dec(quantity)};
    return l;
}

/* An order book carries a checksum so a stream client can detect drift. */
static void tour_order_book(void)
{
    nax_buf json = NAX_BUF_INIT;
    nax_book_level bids[] = {level("64120.00", "0.50000000"), level("64110.50", "1.25000000"),
                             level("64100.00", "2.00000000")};
    nax_book_level asks[] = {level("64130.00", "0.40000000"), level("64135.25", "1.10000000")};
    nax_order_book book = {
        .struct_size = sizeof(nax_order_book),
        .pair = "BTC-AUD",
        .seq = 1001,
        .bids = bids,
        .bids_count = sizeof(bids) / sizeof(bids[0]),
        .asks = asks,
        .asks_count = sizeof(asks) / sizeof(asks[0]),
        .ts = 1767225600500,
    };
    nax_order_book *back;
    uint32_t recomputed;

    check(nax_book_checksum(&book.checksum, book.bids, book.bids_count, book.asks, book.asks_count),
          "nax_book_checksum");
    back = round_trip(NAX_TYPE_ORDER_BOOK, &book, &json);

    /* What a client does with a book it received: verify the checksum. */
    check(
        nax_book_checksum(&recomputed, back->bids, back->bids_count, back->asks, back->asks_count),
        "nax_book_checksum (decoded)");
    printf("               checksum %" PRIu32 " %s\n", back->checksum,
           recomputed == back->checksum ? "verified" : "MISMATCH");
    if (recomputed != back->checksum) {
        exit(EXIT_FAILURE);
    }
    nax_object_free(back);
    nax_buf_dispose(&json);
}

/* Errors say what and where: the JSON path of a bad member. */
static void tour_errors(void)
{
    static const char float_price[] = "{\"pair\":\"BTC-AUD\",\"side\":\"buy\",\"type\":\"limit\","
                                      "\"price\":64123.45,\"quantity\":\"0.25\"}";
    nax_order_request *req = NULL;
    nax_decimal d;
    int rc;

    rc = nax_decimal_parse(&d, "1e5", 3, NULL);
    printf("parse \"1e5\"    -> %s: %s\n", nax_strerror(rc), nax_error_last()->message);
    rc = nax_decode(&req, NAX_TYPE_ORDER_REQUEST, float_price, sizeof(float_price) - 1, NULL);
    printf("float price    -> %s at %s: %s\n", nax_strerror(rc), nax_error_last()->field,
           nax_error_last()->message);
    if (rc == 0) {
        fprintf(stderr, "a JSON number was accepted as a price\n");
        nax_object_free(req);
        exit(EXIT_FAILURE);
    }
}

int main(void)
{
    nax_buf json = NAX_BUF_INIT;
    nax_market market = btc_aud_market();
    nax_market *market_back;
    struct prepared_order prepared;

    check(nax_global_init(NULL), "nax_global_init");
    printf("libnax %s\n\n", nax_version_string());

    market_back = round_trip(NAX_TYPE_MARKET, &market, &json);
    nax_object_free(market_back);
    nax_buf_dispose(&json);

    prepared = prepare_buy(&market, "64123.456", "0.250000004", "0.0010");
    tour_order(&market, &prepared);
    tour_balances();
    tour_order_book();
    printf("\n");
    tour_errors();

    nax_global_shutdown();
    return EXIT_SUCCESS;
}

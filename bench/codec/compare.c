/*
 * Member-by-member equality of the benchmark's structs. Decimals must be
 * equal in value and in scale, because the codec keeps the scale as written.
 */
#include <string.h>

#include "bench_codec.h"

static int strings_equal(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

static int decimals_equal(const nax_decimal *a, const nax_decimal *b)
{
    return nax_decimal_cmp(a, b) == 0 && nax_decimal_scale(a) == nax_decimal_scale(b);
}

static int optional_decimals_equal(const nax_decimal *a, const nax_decimal *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return decimals_equal(a, b);
}

static int levels_equal(const nax_book_level *a, size_t a_count, const nax_book_level *b,
                        size_t b_count)
{
    if (a_count != b_count)
        return 0;
    for (size_t i = 0; i < a_count; i++) {
        if (!decimals_equal(&a[i].price, &b[i].price) ||
            !decimals_equal(&a[i].quantity, &b[i].quantity))
            return 0;
    }
    return 1;
}

/* Each CHECK names the member that differs, so a failed verification says where. */
#define CHECK(cond, member)                                                                        \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return member;                                                                         \
    } while (0)

static const char *compare_ticker(const nax_ticker *a, const nax_ticker *b)
{
    CHECK(strings_equal(a->pair, b->pair), "pair");
    CHECK(optional_decimals_equal(a->bid, b->bid), "bid");
    CHECK(optional_decimals_equal(a->ask, b->ask), "ask");
    CHECK(optional_decimals_equal(a->last, b->last), "last");
    CHECK(decimals_equal(&a->volume_24h, &b->volume_24h), "volume_24h");
    CHECK(a->seq == b->seq, "seq");
    CHECK(a->ts == b->ts, "ts");
    return NULL;
}

static const char *compare_order(const nax_order *a, const nax_order *b)
{
    CHECK(strings_equal(a->id, b->id), "id");
    CHECK(strings_equal(a->client_order_id, b->client_order_id), "client_order_id");
    CHECK(strings_equal(a->pair, b->pair), "pair");
    CHECK(a->side == b->side, "side");
    CHECK(a->type == b->type, "type");
    CHECK(optional_decimals_equal(a->price, b->price), "price");
    CHECK(decimals_equal(&a->quantity, &b->quantity), "quantity");
    CHECK(decimals_equal(&a->filled_quantity, &b->filled_quantity), "filled_quantity");
    CHECK(optional_decimals_equal(a->average_price, b->average_price), "average_price");
    CHECK(a->time_in_force == b->time_in_force, "time_in_force");
    CHECK(!a->post_only == !b->post_only, "post_only");
    CHECK(a->status == b->status, "status");
    CHECK(a->created_at == b->created_at, "created_at");
    CHECK(a->updated_at == b->updated_at, "updated_at");
    return NULL;
}

static const char *compare_book_delta(const nax_stream_message *a, const nax_stream_message *b)
{
    CHECK(strings_equal(a->channel, b->channel), "channel");
    CHECK(a->type == b->type, "type");
    CHECK(a->seq == b->seq, "seq");
    CHECK(a->ts == b->ts, "ts");
    CHECK(levels_equal(a->bids, a->bids_count, b->bids, b->bids_count), "bids");
    CHECK(levels_equal(a->asks, a->asks_count, b->asks, b->asks_count), "asks");
    CHECK(!a->has_checksum == !b->has_checksum, "has_checksum");
    CHECK(!a->has_checksum || a->checksum == b->checksum, "checksum");
    /* Book messages carry none of the other channels' members. */
    CHECK(a->ticker == NULL && b->ticker == NULL, "ticker");
    CHECK(a->trades_count == 0 && b->trades_count == 0, "trades");
    CHECK(a->order == NULL && b->order == NULL, "order");
    CHECK(a->balance == NULL && b->balance == NULL, "balance");
    CHECK(a->fill == NULL && b->fill == NULL, "fill");
    CHECK(a->error == NULL && b->error == NULL, "error");
    return NULL;
}

static const char *compare_book(const nax_order_book *a, const nax_order_book *b)
{
    CHECK(strings_equal(a->pair, b->pair), "pair");
    CHECK(a->seq == b->seq, "seq");
    CHECK(levels_equal(a->bids, a->bids_count, b->bids, b->bids_count), "bids");
    CHECK(levels_equal(a->asks, a->asks_count, b->asks, b->asks_count), "asks");
    CHECK(a->checksum == b->checksum, "checksum");
    CHECK(a->ts == b->ts, "ts");
    return NULL;
}

const char *compare_structs(bench_kind kind, const void *a, const void *b)
{
    switch (kind) {
    case KIND_TICKER: return compare_ticker(a, b);
    case KIND_ORDER: return compare_order(a, b);
    case KIND_BOOK_DELTA: return compare_book_delta(a, b);
    case KIND_BOOK_SNAPSHOT: return compare_book(a, b);
    default: return "kind";
    }
}

/* Names of kinds and enums shared by the benchmark's decoders and encoders. */
#include <string.h>

#include "bench_codec.h"

const char *kind_name(bench_kind kind)
{
    static const char *const names[KIND_COUNT] = {"ticker", "order", "book delta", "book snapshot"};
    return kind < KIND_COUNT ? names[kind] : "?";
}

const char *op_name(bench_op op)
{
    return op == OP_DECODE ? "decode" : "encode";
}

nax_type kind_type(bench_kind kind)
{
    switch (kind) {
    case KIND_TICKER: return NAX_TYPE_TICKER;
    case KIND_ORDER: return NAX_TYPE_ORDER;
    case KIND_BOOK_DELTA: return NAX_TYPE_STREAM_MESSAGE;
    case KIND_BOOK_SNAPSHOT: return NAX_TYPE_ORDER_BOOK;
    default: return NAX_TYPE_NONE;
    }
}

int kind_is_small(bench_kind kind)
{
    return kind != KIND_BOOK_SNAPSHOT;
}

#define NAMES(...)                                                                                 \
    {                                                                                              \
        (const char *const[]){__VA_ARGS__},                                                        \
            sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)                      \
    }

const enum_names side_names = NAMES(NULL, "buy", "sell");
const enum_names order_type_names = NAMES(NULL, "limit", "market");
const enum_names tif_names = NAMES(NULL, "GTC", "IOC", "FOK");
const enum_names order_status_names =
    NAMES(NULL, "open", "partially_filled", "filled", "cancelled", "rejected");
const enum_names stream_msg_type_names = NAMES(NULL, "snapshot", "update", "lagging", "error");

int enum_from_name(const enum_names *names, const char *text, size_t len)
{
    for (size_t i = 1; i < names->count; i++) {
        if (strncmp(names->names[i], text, len) == 0 && names->names[i][len] == '\0')
            return (int)i;
    }
    return 0;
}

const char *enum_to_name(const enum_names *names, int value)
{
    if (value <= 0 || (size_t)value >= names->count)
        return NULL;
    return names->names[value];
}

int decimal_text(char *buf, const nax_decimal *d)
{
    return nax_decimal_format(buf, NAX_DECIMAL_STRING_MAX, d);
}

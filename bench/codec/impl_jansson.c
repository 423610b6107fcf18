/*
 * jansson doing libnax's job: parse into a DOM (rejecting duplicate members
 * and trailing bytes, as libnax does), then fill the same nax structs
 * (strings point into the DOM, which lives until release; decimals through
 * nax_decimal_parse; enums mapped; levels in one heap block). Encoding builds
 * a DOM from the struct and dumps it compact into a reused buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bench_codec.h"

enum { OPTIONAL = 0, REQUIRED = 1 };

static char error_text[256];

static int fail(const char *member, const char *why)
{
    snprintf(error_text, sizeof error_text, "jansson: %s: %s", member, why);
    return -1;
}

static const char *jansson_last_error(void)
{
    return error_text;
}

const char *jansson_version(void)
{
    return JANSSON_VERSION;
}

/* ---- reading members ---- */

static int get_string(const json_t *obj, const char *key, int required, const char **out)
{
    const json_t *item = json_object_get(obj, key);
    *out = NULL;
    if (item == NULL)
        return required ? fail(key, "missing") : 0;
    if (!json_is_string(item))
        return fail(key, "not a string");
    *out = json_string_value(item);
    return 0;
}

static int parse_decimal(const json_t *item, const char *key, nax_decimal *out)
{
    if (!json_is_string(item))
        return fail(key, "not a decimal string");
    if (nax_decimal_parse(out, json_string_value(item), json_string_length(item), NULL) != 0)
        return fail(key, "not a decimal");
    return 0;
}

static int get_decimal(const json_t *obj, const char *key, nax_decimal *out)
{
    const json_t *item = json_object_get(obj, key);
    return item != NULL ? parse_decimal(item, key, out) : fail(key, "missing");
}

static int get_optional_decimal(const json_t *obj, const char *key, nax_decimal *storage,
                                const nax_decimal **out)
{
    const json_t *item = json_object_get(obj, key);
    *out = NULL;
    if (item == NULL)
        return 0;
    if (parse_decimal(item, key, storage) != 0)
        return -1;
    *out = storage;
    return 0;
}

static int get_integer(const json_t *obj, const char *key, int required, int64_t *out)
{
    const json_t *item = json_object_get(obj, key);
    *out = 0;
    if (item == NULL)
        return required ? fail(key, "missing") : 0;
    if (!json_is_integer(item))
        return fail(key, "not an integer");
    *out = (int64_t)json_integer_value(item);
    return 0;
}

static int get_unsigned(const json_t *obj, const char *key, int required, uint64_t max,
                        uint64_t *out)
{
    int64_t value;
    if (get_integer(obj, key, required, &value) != 0)
        return -1;
    if (value < 0 || (uint64_t)value > max)
        return fail(key, "out of range");
    *out = (uint64_t)value;
    return 0;
}

static int get_bool(const json_t *obj, const char *key, int *out)
{
    const json_t *item = json_object_get(obj, key);
    *out = 0;
    if (item == NULL)
        return 0;
    if (!json_is_boolean(item))
        return fail(key, "not a boolean");
    *out = json_is_true(item);
    return 0;
}

/* Enums are required wherever the corpus uses them. */
static int get_enum(const json_t *obj, const char *key, const enum_names *names, int *out)
{
    const json_t *item = json_object_get(obj, key);
    if (item == NULL)
        return fail(key, "missing");
    if (!json_is_string(item))
        return fail(key, "not a string");
    *out = enum_from_name(names, json_string_value(item), json_string_length(item));
    return *out != 0 ? 0 : fail(key, "unknown value");
}

/* ---- book levels ---- */

static int parse_level(const json_t *pair, const char *key, nax_book_level *level)
{
    if (!json_is_array(pair) || json_array_size(pair) != 2)
        return fail(key, "level is not [price, quantity]");
    if (parse_decimal(json_array_get(pair, 0), key, &level->price) != 0 ||
        parse_decimal(json_array_get(pair, 1), key, &level->quantity) != 0)
        return -1;
    return 0;
}

static int parse_levels(const json_t *array, const char *key, nax_book_level *levels)
{
    for (size_t i = 0; i < json_array_size(array); i++) {
        if (parse_level(json_array_get(array, i), key, &levels[i]) != 0)
            return -1;
    }
    return 0;
}

typedef struct book_sides {
    const nax_book_level *bids;
    size_t bids_count;
    const nax_book_level *asks;
    size_t asks_count;
} book_sides;

/* Bids and asks share one heap block, owned by the slot. */
static int get_book_sides(const json_t *obj, int required, decoded *slot, book_sides *out)
{
    const json_t *bids = json_object_get(obj, "bids"), *asks = json_object_get(obj, "asks");
    memset(out, 0, sizeof *out);
    if (required && (bids == NULL || asks == NULL))
        return fail(bids == NULL ? "bids" : "asks", "missing");
    if ((bids != NULL && !json_is_array(bids)) || (asks != NULL && !json_is_array(asks)))
        return fail("bids/asks", "not an array");
    size_t nb = json_array_size(bids), na = json_array_size(asks);
    if (nb + na > 0 && (slot->levels = malloc((nb + na) * sizeof *slot->levels)) == NULL)
        return fail("levels", "out of memory");
    if ((nb > 0 && parse_levels(bids, "bids", slot->levels) != 0) ||
        (na > 0 && parse_levels(asks, "asks", slot->levels + nb) != 0))
        return -1;
    out->bids = nb > 0 ? slot->levels : NULL;
    out->bids_count = nb;
    out->asks = na > 0 ? slot->levels + nb : NULL;
    out->asks_count = na;
    return 0;
}

/* ---- filling the structs ---- */

static int fill_ticker(const json_t *obj, decoded *slot)
{
    nax_ticker *t = &slot->as.ticker;
    int64_t ts;
    memset(t, 0, sizeof *t);
    t->struct_size = sizeof *t;
    if (get_string(obj, "pair", REQUIRED, &t->pair) != 0 ||
        get_optional_decimal(obj, "bid", &slot->optional[0], &t->bid) != 0 ||
        get_optional_decimal(obj, "ask", &slot->optional[1], &t->ask) != 0 ||
        get_optional_decimal(obj, "last", &slot->optional[2], &t->last) != 0 ||
        get_decimal(obj, "volume_24h", &t->volume_24h) != 0 ||
        get_unsigned(obj, "seq", REQUIRED, UINT64_MAX, &t->seq) != 0 ||
        get_integer(obj, "ts", REQUIRED, &ts) != 0)
        return -1;
    t->ts = ts;
    return 0;
}

static int fill_order(const json_t *obj, decoded *slot)
{
    nax_order *o = &slot->as.order;
    int side, type, tif, status;
    int64_t created_at, updated_at;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    if (get_string(obj, "id", REQUIRED, &o->id) != 0 ||
        get_string(obj, "client_order_id", OPTIONAL, &o->client_order_id) != 0 ||
        get_string(obj, "pair", REQUIRED, &o->pair) != 0 ||
        get_enum(obj, "side", &side_names, &side) != 0 ||
        get_enum(obj, "type", &order_type_names, &type) != 0 ||
        get_optional_decimal(obj, "price", &slot->optional[0], &o->price) != 0 ||
        get_decimal(obj, "quantity", &o->quantity) != 0 ||
        get_decimal(obj, "filled_quantity", &o->filled_quantity) != 0 ||
        get_optional_decimal(obj, "average_price", &slot->optional[1], &o->average_price) != 0 ||
        get_enum(obj, "time_in_force", &tif_names, &tif) != 0 ||
        get_bool(obj, "post_only", &o->post_only) != 0 ||
        get_enum(obj, "status", &order_status_names, &status) != 0 ||
        get_integer(obj, "created_at", REQUIRED, &created_at) != 0 ||
        get_integer(obj, "updated_at", REQUIRED, &updated_at) != 0)
        return -1;
    o->side = (nax_side)side;
    o->type = (nax_order_type)type;
    o->time_in_force = (nax_time_in_force)tif;
    o->status = (nax_order_status)status;
    o->created_at = created_at;
    o->updated_at = updated_at;
    return 0;
}

static int fill_book_delta(const json_t *obj, decoded *slot)
{
    nax_stream_message *m = &slot->as.message;
    book_sides sides;
    int type;
    int64_t ts;
    uint64_t checksum = 0;
    memset(m, 0, sizeof *m);
    m->struct_size = sizeof *m;
    if (get_string(obj, "channel", REQUIRED, &m->channel) != 0 ||
        get_enum(obj, "type", &stream_msg_type_names, &type) != 0 ||
        get_unsigned(obj, "seq", OPTIONAL, UINT64_MAX, &m->seq) != 0 ||
        get_integer(obj, "ts", OPTIONAL, &ts) != 0 ||
        get_book_sides(obj, OPTIONAL, slot, &sides) != 0 ||
        get_unsigned(obj, "checksum", OPTIONAL, UINT32_MAX, &checksum) != 0)
        return -1;
    m->type = (nax_stream_msg_type)type;
    m->ts = ts;
    m->bids = sides.bids;
    m->bids_count = sides.bids_count;
    m->asks = sides.asks;
    m->asks_count = sides.asks_count;
    m->has_checksum = json_object_get(obj, "checksum") != NULL;
    m->checksum = (uint32_t)checksum;
    return 0;
}

static int fill_book(const json_t *obj, decoded *slot)
{
    nax_order_book *b = &slot->as.book;
    book_sides sides;
    int64_t ts;
    uint64_t checksum;
    memset(b, 0, sizeof *b);
    b->struct_size = sizeof *b;
    if (get_string(obj, "pair", REQUIRED, &b->pair) != 0 ||
        get_unsigned(obj, "seq", REQUIRED, UINT64_MAX, &b->seq) != 0 ||
        get_book_sides(obj, REQUIRED, slot, &sides) != 0 ||
        get_unsigned(obj, "checksum", REQUIRED, UINT32_MAX, &checksum) != 0 ||
        get_integer(obj, "ts", REQUIRED, &ts) != 0)
        return -1;
    b->bids = sides.bids;
    b->bids_count = sides.bids_count;
    b->asks = sides.asks;
    b->asks_count = sides.asks_count;
    b->checksum = (uint32_t)checksum;
    b->ts = ts;
    return 0;
}

static int jansson_decode(bench_kind kind, const char *json, size_t len, decoded *slot,
                          const void **obj)
{
    json_error_t error;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &error);
    slot->owner = root;
    slot->levels = NULL;
    *obj = &slot->as;
    if (root == NULL)
        return fail("$", error.text);
    if (!json_is_object(root))
        return fail("$", "not an object");
    switch (kind) {
    case KIND_TICKER: return fill_ticker(root, slot);
    case KIND_ORDER: return fill_order(root, slot);
    case KIND_BOOK_DELTA: return fill_book_delta(root, slot);
    default: return fill_book(root, slot);
    }
}

static void jansson_release(decoded *slot)
{
    free(slot->levels);
    slot->levels = NULL;
    json_decref(slot->owner);
    slot->owner = NULL;
}

/* ---- building the DOM ---- */

/* Sets `item` under a constant key; jansson frees the item when this fails. */
static void add(json_t *obj, const char *key, json_t *item, int *ok)
{
    if (json_object_set_new_nocheck(obj, key, item) != 0)
        *ok = 0;
}

/* Caller strings are checked for valid UTF-8, as libnax checks them. */
static json_t *string_item(const char *s)
{
    return s != NULL ? json_string(s) : NULL;
}

static json_t *decimal_item(const nax_decimal *d)
{
    char text[NAX_DECIMAL_STRING_MAX];
    int len = decimal_text(text, d);
    return len >= 0 ? json_stringn_nocheck(text, (size_t)len) : NULL;
}

static json_t *enum_item(const enum_names *names, int value)
{
    const char *name = enum_to_name(names, value);
    return name != NULL ? json_string_nocheck(name) : NULL;
}

static json_t *level_item(const nax_book_level *level)
{
    json_t *pair = json_array();
    if (pair == NULL || json_array_append_new(pair, decimal_item(&level->price)) != 0 ||
        json_array_append_new(pair, decimal_item(&level->quantity)) != 0) {
        json_decref(pair);
        return NULL;
    }
    return pair;
}

static json_t *levels_item(const nax_book_level *levels, size_t count)
{
    json_t *array = json_array();
    for (size_t i = 0; array != NULL && i < count; i++) {
        if (json_array_append_new(array, level_item(&levels[i])) != 0) {
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

static void build_ticker(json_t *obj, const nax_ticker *t, int *ok)
{
    add(obj, "pair", string_item(t->pair), ok);
    if (t->bid != NULL)
        add(obj, "bid", decimal_item(t->bid), ok);
    if (t->ask != NULL)
        add(obj, "ask", decimal_item(t->ask), ok);
    if (t->last != NULL)
        add(obj, "last", decimal_item(t->last), ok);
    add(obj, "volume_24h", decimal_item(&t->volume_24h), ok);
    add(obj, "seq", json_integer((json_int_t)t->seq), ok);
    add(obj, "ts", json_integer(t->ts), ok);
}

static void build_order(json_t *obj, const nax_order *o, int *ok)
{
    add(obj, "id", string_item(o->id), ok);
    if (o->client_order_id != NULL)
        add(obj, "client_order_id", string_item(o->client_order_id), ok);
    add(obj, "pair", string_item(o->pair), ok);
    add(obj, "side", enum_item(&side_names, o->side), ok);
    add(obj, "type", enum_item(&order_type_names, o->type), ok);
    if (o->price != NULL)
        add(obj, "price", decimal_item(o->price), ok);
    add(obj, "quantity", decimal_item(&o->quantity), ok);
    add(obj, "filled_quantity", decimal_item(&o->filled_quantity), ok);
    if (o->average_price != NULL)
        add(obj, "average_price", decimal_item(o->average_price), ok);
    add(obj, "time_in_force", enum_item(&tif_names, o->time_in_force), ok);
    if (o->post_only)
        add(obj, "post_only", json_true(), ok);
    add(obj, "status", enum_item(&order_status_names, o->status), ok);
    add(obj, "created_at", json_integer(o->created_at), ok);
    add(obj, "updated_at", json_integer(o->updated_at), ok);
}

static void build_book_delta(json_t *obj, const nax_stream_message *m, int *ok)
{
    /* The benchmark's peers only speak the book channel's members. */
    if (m->ticker != NULL || m->trades != NULL || m->order != NULL || m->balance != NULL ||
        m->fill != NULL || m->error != NULL) {
        *ok = 0;
        return;
    }
    add(obj, "channel", string_item(m->channel), ok);
    add(obj, "type", enum_item(&stream_msg_type_names, m->type), ok);
    if (m->seq != 0)
        add(obj, "seq", json_integer((json_int_t)m->seq), ok);
    if (m->ts != 0)
        add(obj, "ts", json_integer(m->ts), ok);
    if (m->bids != NULL)
        add(obj, "bids", levels_item(m->bids, m->bids_count), ok);
    if (m->asks != NULL)
        add(obj, "asks", levels_item(m->asks, m->asks_count), ok);
    if (m->has_checksum)
        add(obj, "checksum", json_integer(m->checksum), ok);
}

static void build_book(json_t *obj, const nax_order_book *b, int *ok)
{
    add(obj, "pair", string_item(b->pair), ok);
    add(obj, "seq", json_integer((json_int_t)b->seq), ok);
    add(obj, "bids", levels_item(b->bids, b->bids_count), ok);
    add(obj, "asks", levels_item(b->asks, b->asks_count), ok);
    add(obj, "checksum", json_integer(b->checksum), ok);
    add(obj, "ts", json_integer(b->ts), ok);
}

static void build(json_t *obj, bench_kind kind, const void *src, int *ok)
{
    switch (kind) {
    case KIND_TICKER: build_ticker(obj, src, ok); break;
    case KIND_ORDER: build_order(obj, src, ok); break;
    case KIND_BOOK_DELTA: build_book_delta(obj, src, ok); break;
    default: build_book(obj, src, ok); break;
    }
}

static int jansson_encode(bench_kind kind, const void *src, encoded *out)
{
    json_t *root = json_object();
    size_t len = 0;
    int ok = root != NULL;
    if (ok)
        build(root, kind, src, &ok);
    if (ok) {
        len = json_dumpb(root, out->scratch, out->scratch_cap, JSON_COMPACT);
        ok = len > 0 && len < out->scratch_cap;
    }
    json_decref(root);
    if (!ok)
        return fail(kind_name(kind), "cannot build or dump the DOM");
    out->scratch[len] = '\0';
    out->data = out->scratch;
    out->len = len;
    return 0;
}

const codec_impl impl_jansson = {"jansson", jansson_decode, jansson_release, jansson_encode,
                                 jansson_last_error};

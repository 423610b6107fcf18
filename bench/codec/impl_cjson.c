/*
 * cJSON doing libnax's job: parse into a DOM, then fill the same nax structs
 * (strings point into the DOM, which lives until release; decimals through
 * nax_decimal_parse; enums mapped; levels in one heap block). Encoding builds
 * a DOM from the struct and prints it unformatted into a reused buffer.
 * Members are looked up by name, the way cJSON is normally used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "bench_codec.h"

enum { OPTIONAL = 0, REQUIRED = 1 };

/* cJSON keeps every number as a double; integers above 2^53 would lose digits. */
#define LARGEST_EXACT_INTEGER 9007199254740992.0

static char error_text[128];

static int fail(const char *member, const char *why)
{
    snprintf(error_text, sizeof error_text, "cJSON: %s: %s", member, why);
    return -1;
}

static const char *cjson_last_error(void)
{
    return error_text;
}

const char *cjson_version(void)
{
    return cJSON_Version();
}

/* ---- reading members ---- */

static const cJSON *member(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static int get_string(const cJSON *obj, const char *key, int required, const char **out)
{
    const cJSON *item = member(obj, key);
    *out = NULL;
    if (item == NULL)
        return required ? fail(key, "missing") : 0;
    if (!cJSON_IsString(item))
        return fail(key, "not a string");
    *out = item->valuestring;
    return 0;
}

static int parse_decimal(const cJSON *item, const char *key, nax_decimal *out)
{
    if (!cJSON_IsString(item))
        return fail(key, "not a decimal string");
    if (nax_decimal_parse(out, item->valuestring, strlen(item->valuestring), NULL) != 0)
        return fail(key, "not a decimal");
    return 0;
}

static int get_decimal(const cJSON *obj, const char *key, nax_decimal *out)
{
    const cJSON *item = member(obj, key);
    return item != NULL ? parse_decimal(item, key, out) : fail(key, "missing");
}

static int get_optional_decimal(const cJSON *obj, const char *key, nax_decimal *storage,
                                const nax_decimal **out)
{
    const cJSON *item = member(obj, key);
    *out = NULL;
    if (item == NULL)
        return 0;
    if (parse_decimal(item, key, storage) != 0)
        return -1;
    *out = storage;
    return 0;
}

static int get_integer(const cJSON *obj, const char *key, int required, int64_t *out)
{
    const cJSON *item = member(obj, key);
    *out = 0;
    if (item == NULL)
        return required ? fail(key, "missing") : 0;
    if (!cJSON_IsNumber(item))
        return fail(key, "not a number");
    double value = item->valuedouble;
    if (!(value >= -LARGEST_EXACT_INTEGER && value <= LARGEST_EXACT_INTEGER) ||
        value != (double)(int64_t)value)
        return fail(key, "not an exact integer");
    *out = (int64_t)value;
    return 0;
}

static int get_unsigned(const cJSON *obj, const char *key, int required, uint64_t max,
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

static int get_bool(const cJSON *obj, const char *key, int *out)
{
    const cJSON *item = member(obj, key);
    *out = 0;
    if (item == NULL)
        return 0;
    if (!cJSON_IsBool(item))
        return fail(key, "not a boolean");
    *out = cJSON_IsTrue(item);
    return 0;
}

/* Enums are required wherever the corpus uses them. */
static int get_enum(const cJSON *obj, const char *key, const enum_names *names, int *out)
{
    const char *text;
    if (get_string(obj, key, REQUIRED, &text) != 0)
        return -1;
    *out = enum_from_name(names, text, strlen(text));
    return *out != 0 ? 0 : fail(key, "unknown value");
}

/* ---- book levels ---- */

static int count_levels(const cJSON *array, const char *key, size_t *count)
{
    if (!cJSON_IsArray(array))
        return fail(key, "not an array");
    *count = (size_t)cJSON_GetArraySize(array);
    return 0;
}

static int parse_level(const cJSON *pair, const char *key, nax_book_level *level)
{
    const cJSON *price = cJSON_IsArray(pair) ? pair->child : NULL;
    const cJSON *quantity = price != NULL ? price->next : NULL;
    if (quantity == NULL || quantity->next != NULL)
        return fail(key, "level is not [price, quantity]");
    if (parse_decimal(price, key, &level->price) != 0 ||
        parse_decimal(quantity, key, &level->quantity) != 0)
        return -1;
    return 0;
}

static int parse_levels(const cJSON *array, const char *key, nax_book_level *levels)
{
    const cJSON *pair;
    size_t i = 0;
    cJSON_ArrayForEach(pair, array)
    {
        if (parse_level(pair, key, &levels[i++]) != 0)
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
static int get_book_sides(const cJSON *obj, int required, decoded *slot, book_sides *out)
{
    const cJSON *bids = member(obj, "bids"), *asks = member(obj, "asks");
    size_t nb = 0, na = 0;
    memset(out, 0, sizeof *out);
    if (required && (bids == NULL || asks == NULL))
        return fail(bids == NULL ? "bids" : "asks", "missing");
    if ((bids != NULL && count_levels(bids, "bids", &nb) != 0) ||
        (asks != NULL && count_levels(asks, "asks", &na) != 0))
        return -1;
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

static int fill_ticker(const cJSON *obj, decoded *slot)
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

static int fill_order(const cJSON *obj, decoded *slot)
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

static int fill_book_delta(const cJSON *obj, decoded *slot)
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
    m->has_checksum = member(obj, "checksum") != NULL;
    m->checksum = (uint32_t)checksum;
    return 0;
}

static int fill_book(const cJSON *obj, decoded *slot)
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

static int cjson_decode(bench_kind kind, const char *json, size_t len, decoded *slot,
                        const void **obj)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    slot->owner = root;
    slot->levels = NULL;
    *obj = &slot->as;
    if (root == NULL)
        return fail("$", "malformed JSON");
    if (end != json + len)
        return fail("$", "trailing bytes");
    if (!cJSON_IsObject(root))
        return fail("$", "not an object");
    switch (kind) {
    case KIND_TICKER: return fill_ticker(root, slot);
    case KIND_ORDER: return fill_order(root, slot);
    case KIND_BOOK_DELTA: return fill_book_delta(root, slot);
    default: return fill_book(root, slot);
    }
}

static void cjson_release(decoded *slot)
{
    free(slot->levels);
    slot->levels = NULL;
    cJSON_Delete(slot->owner);
    slot->owner = NULL;
}

/* ---- building the DOM ---- */

/* Adds `item` under a constant key; on any failure frees it and clears *ok. */
static void add(cJSON *obj, const char *key, cJSON *item, int *ok)
{
    if (item == NULL || !cJSON_AddItemToObjectCS(obj, key, item)) {
        cJSON_Delete(item);
        *ok = 0;
    }
}

/* A missing required string fails the encode, as it does in libnax. */
static cJSON *string_item(const char *s)
{
    return s != NULL ? cJSON_CreateStringReference(s) : NULL;
}

static cJSON *decimal_item(const nax_decimal *d)
{
    char text[NAX_DECIMAL_STRING_MAX];
    return decimal_text(text, d) >= 0 ? cJSON_CreateString(text) : NULL;
}

static cJSON *enum_item(const enum_names *names, int value)
{
    const char *name = enum_to_name(names, value);
    return name != NULL ? cJSON_CreateStringReference(name) : NULL;
}

static cJSON *integer_item(int64_t value)
{
    return cJSON_CreateNumber((double)value);
}

static cJSON *level_item(const nax_book_level *level)
{
    cJSON *pair = cJSON_CreateArray();
    cJSON *price = decimal_item(&level->price);
    cJSON *quantity = decimal_item(&level->quantity);
    if (pair == NULL || price == NULL || quantity == NULL) {
        cJSON_Delete(pair);
        cJSON_Delete(price);
        cJSON_Delete(quantity);
        return NULL;
    }
    cJSON_AddItemToArray(pair, price);
    cJSON_AddItemToArray(pair, quantity);
    return pair;
}

static cJSON *levels_item(const nax_book_level *levels, size_t count)
{
    cJSON *array = cJSON_CreateArray();
    for (size_t i = 0; array != NULL && i < count; i++) {
        cJSON *level = level_item(&levels[i]);
        if (level == NULL) {
            cJSON_Delete(array);
            return NULL;
        }
        cJSON_AddItemToArray(array, level);
    }
    return array;
}

static void build_ticker(cJSON *obj, const nax_ticker *t, int *ok)
{
    add(obj, "pair", string_item(t->pair), ok);
    if (t->bid != NULL)
        add(obj, "bid", decimal_item(t->bid), ok);
    if (t->ask != NULL)
        add(obj, "ask", decimal_item(t->ask), ok);
    if (t->last != NULL)
        add(obj, "last", decimal_item(t->last), ok);
    add(obj, "volume_24h", decimal_item(&t->volume_24h), ok);
    add(obj, "seq", integer_item((int64_t)t->seq), ok);
    add(obj, "ts", integer_item(t->ts), ok);
}

static void build_order(cJSON *obj, const nax_order *o, int *ok)
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
        add(obj, "post_only", cJSON_CreateTrue(), ok);
    add(obj, "status", enum_item(&order_status_names, o->status), ok);
    add(obj, "created_at", integer_item(o->created_at), ok);
    add(obj, "updated_at", integer_item(o->updated_at), ok);
}

static void build_book_delta(cJSON *obj, const nax_stream_message *m, int *ok)
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
        add(obj, "seq", integer_item((int64_t)m->seq), ok);
    if (m->ts != 0)
        add(obj, "ts", integer_item(m->ts), ok);
    if (m->bids != NULL)
        add(obj, "bids", levels_item(m->bids, m->bids_count), ok);
    if (m->asks != NULL)
        add(obj, "asks", levels_item(m->asks, m->asks_count), ok);
    if (m->has_checksum)
        add(obj, "checksum", integer_item(m->checksum), ok);
}

static void build_book(cJSON *obj, const nax_order_book *b, int *ok)
{
    add(obj, "pair", string_item(b->pair), ok);
    add(obj, "seq", integer_item((int64_t)b->seq), ok);
    add(obj, "bids", levels_item(b->bids, b->bids_count), ok);
    add(obj, "asks", levels_item(b->asks, b->asks_count), ok);
    add(obj, "checksum", integer_item(b->checksum), ok);
    add(obj, "ts", integer_item(b->ts), ok);
}

static void build(cJSON *obj, bench_kind kind, const void *src, int *ok)
{
    switch (kind) {
    case KIND_TICKER: build_ticker(obj, src, ok); break;
    case KIND_ORDER: build_order(obj, src, ok); break;
    case KIND_BOOK_DELTA: build_book_delta(obj, src, ok); break;
    default: build_book(obj, src, ok); break;
    }
}

static int cjson_encode(bench_kind kind, const void *src, encoded *out)
{
    cJSON *root = cJSON_CreateObject();
    int ok = root != NULL;
    if (ok)
        build(root, kind, src, &ok);
    if (ok)
        ok = cJSON_PrintPreallocated(root, out->scratch, (int)out->scratch_cap, 0);
    cJSON_Delete(root);
    if (!ok)
        return fail(kind_name(kind), "cannot build or print the DOM");
    out->data = out->scratch;
    out->len = strlen(out->scratch);
    return 0;
}

const codec_impl impl_cjson = {"cJSON", cjson_decode, cjson_release, cjson_encode,
                               cjson_last_error};

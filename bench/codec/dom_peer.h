/*
 * The part of the cJSON and jansson peers that does not depend on the DOM
 * library, written once: filling the nax structs from a parsed DOM (decode)
 * and building a DOM from the structs (encode). Not a header of its own:
 * impl_cjson.c and impl_jansson.c each include it once, after defining
 * DOM_PEER (the peer's name, a string literal, for error texts), the typedef
 * dom_node (the DOM's node type) and the functions below. All calls are
 * direct, never through pointers, so each peer compiles to the code a
 * hand-written one would have; the readers and the per-member helpers here are
 * static inline, as they sit in the timed loops.
 *
 * reading (items are never NULL):
 *   dom_is_object(root)      is the parsed root an object
 *   dom_member(obj, key)     the member named `key`, or NULL when absent
 *   dom_is_string(item), dom_string(item)   is it a string; its text
 *   dom_string_length(item, text)   strlen(text), from the DOM when it knows
 *   dom_integer(item, &out)  stores an exact integer and returns NULL, or
 *                            returns why the item is not one
 *   dom_is_bool(item), dom_is_true(item)
 *   dom_is_array(item), dom_array_size(array)
 *   dom_array_first(array), dom_array_next(array, element, index)
 *                            the first element; the one after `element`,
 *                            which is element `index`; NULL past the end
 *   dom_pair(item, &first, &second)  1 when the item is an array of exactly
 *                            two elements (stored), else 0
 * building (constructors return NULL on failure):
 *   dom_add(obj, key, item, &ok)     sets `item` (maybe NULL) under a constant
 *                            key; on failure it frees the item and clears ok
 *   dom_string_item(s)       a caller string, NULL for a NULL string
 *   dom_decimal_item(d), dom_enum_item(names, value), dom_integer_item(v),
 *   dom_true_item(), dom_levels_item(levels, count)
 *
 * It defines fail(), peer_last_error(), fill() for the decoder and build()
 * for the encoder; parsing, printing and freeing the DOM stay in the peer.
 */
#ifndef NAX_BENCH_DOM_PEER_H
#define NAX_BENCH_DOM_PEER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_codec.h"

enum { OPTIONAL = 0, REQUIRED = 1 };

static char error_text[256];

static int fail(const char *member, const char *why)
{
    snprintf(error_text, sizeof error_text, DOM_PEER ": %s: %s", member, why);
    return -1;
}

static const char *peer_last_error(void)
{
    return error_text;
}

/* ---- reading members ---- */

static inline int get_string(const dom_node *obj, const char *key, int required, const char **out)
{
    const dom_node *item = dom_member(obj, key);
    *out = NULL;
    if (item == NULL)
        return required ? fail(key, "missing") : 0;
    if (!dom_is_string(item))
        return fail(key, "not a string");
    *out = dom_string(item);
    return 0;
}

static inline int parse_decimal(const dom_node *item, const char *key, nax_decimal *out)
{
    if (!dom_is_string(item))
        return fail(key, "not a decimal string");
    const char *text = dom_string(item);
    if (nax_decimal_parse(out, text, dom_string_length(item, text), NULL) != 0)
        return fail(key, "not a decimal");
    return 0;
}

static inline int get_decimal(const dom_node *obj, const char *key, nax_decimal *out)
{
    const dom_node *item = dom_member(obj, key);
    return item != NULL ? parse_decimal(item, key, out) : fail(key, "missing");
}

static inline int get_optional_decimal(const dom_node *obj, const char *key, nax_decimal *storage,
                                       const nax_decimal **out)
{
    const dom_node *item = dom_member(obj, key);
    *out = NULL;
    if (item == NULL)
        return 0;
    if (parse_decimal(item, key, storage) != 0)
        return -1;
    *out = storage;
    return 0;
}

static inline int get_integer(const dom_node *obj, const char *key, int required, int64_t *out)
{
    const dom_node *item = dom_member(obj, key);
    const char *why;
    *out = 0;
    if (item == NULL)
        return required ? fail(key, "missing") : 0;
    if ((why = dom_integer(item, out)) != NULL)
        return fail(key, why);
    return 0;
}

static inline int get_unsigned(const dom_node *obj, const char *key, int required, uint64_t max,
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

static inline int get_bool(const dom_node *obj, const char *key, int *out)
{
    const dom_node *item = dom_member(obj, key);
    *out = 0;
    if (item == NULL)
        return 0;
    if (!dom_is_bool(item))
        return fail(key, "not a boolean");
    *out = dom_is_true(item);
    return 0;
}

/* Enums are required wherever the corpus uses them. */
static inline int get_enum(const dom_node *obj, const char *key, const enum_names *names, int *out)
{
    const dom_node *item = dom_member(obj, key);
    if (item == NULL)
        return fail(key, "missing");
    if (!dom_is_string(item))
        return fail(key, "not a string");
    const char *text = dom_string(item);
    *out = enum_from_name(names, text, dom_string_length(item, text));
    return *out != 0 ? 0 : fail(key, "unknown value");
}

/* ---- book levels ---- */

static int count_levels(const dom_node *array, const char *key, size_t *count)
{
    if (!dom_is_array(array))
        return fail(key, "not an array");
    *count = dom_array_size(array);
    return 0;
}

static int parse_level(const dom_node *pair, const char *key, nax_book_level *level)
{
    const dom_node *price, *quantity;
    if (!dom_pair(pair, &price, &quantity))
        return fail(key, "level is not [price, quantity]");
    if (parse_decimal(price, key, &level->price) != 0 ||
        parse_decimal(quantity, key, &level->quantity) != 0)
        return -1;
    return 0;
}

static int parse_levels(const dom_node *array, const char *key, nax_book_level *levels)
{
    size_t i = 0;
    for (const dom_node *pair = dom_array_first(array); pair != NULL;
         pair = dom_array_next(array, pair, ++i)) {
        if (parse_level(pair, key, &levels[i]) != 0)
            return -1;
    }
    return 0;
}

/* Bids and asks share one heap block, owned by the slot. The four outputs are
 * the members of the struct being filled (BOOK_SIDES_OF), zeroed by the
 * caller and set only on success. */
static int get_book_sides(const dom_node *obj, int required, decoded *slot,
                          const nax_book_level **bids_out, size_t *bids_count,
                          const nax_book_level **asks_out, size_t *asks_count)
{
    const dom_node *bids = dom_member(obj, "bids"), *asks = dom_member(obj, "asks");
    size_t nb = 0, na = 0;
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
    *bids_out = nb > 0 ? slot->levels : NULL;
    *bids_count = nb;
    *asks_out = na > 0 ? slot->levels + nb : NULL;
    *asks_count = na;
    return 0;
}

/* The level members of a nax_stream_message or nax_order_book `s`, which
 * spell them alike, as get_book_sides() takes them. */
#define BOOK_SIDES_OF(s) &(s)->bids, &(s)->bids_count, &(s)->asks, &(s)->asks_count

/* ---- filling the structs ---- */

static int fill_ticker(const dom_node *obj, decoded *slot)
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

static int fill_order(const dom_node *obj, decoded *slot)
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

static int fill_book_delta(const dom_node *obj, decoded *slot)
{
    nax_stream_message *m = &slot->as.message;
    int type;
    int64_t ts;
    uint64_t checksum = 0;
    memset(m, 0, sizeof *m);
    m->struct_size = sizeof *m;
    if (get_string(obj, "channel", REQUIRED, &m->channel) != 0 ||
        get_enum(obj, "type", &stream_msg_type_names, &type) != 0 ||
        get_unsigned(obj, "seq", OPTIONAL, UINT64_MAX, &m->seq) != 0 ||
        get_integer(obj, "ts", OPTIONAL, &ts) != 0 ||
        get_book_sides(obj, OPTIONAL, slot, BOOK_SIDES_OF(m)) != 0 ||
        get_unsigned(obj, "checksum", OPTIONAL, UINT32_MAX, &checksum) != 0)
        return -1;
    m->type = (nax_stream_msg_type)type;
    m->ts = ts;
    m->has_checksum = dom_member(obj, "checksum") != NULL;
    m->checksum = (uint32_t)checksum;
    return 0;
}

static int fill_book(const dom_node *obj, decoded *slot)
{
    nax_order_book *b = &slot->as.book;
    int64_t ts;
    uint64_t checksum;
    memset(b, 0, sizeof *b);
    b->struct_size = sizeof *b;
    if (get_string(obj, "pair", REQUIRED, &b->pair) != 0 ||
        get_unsigned(obj, "seq", REQUIRED, UINT64_MAX, &b->seq) != 0 ||
        get_book_sides(obj, REQUIRED, slot, BOOK_SIDES_OF(b)) != 0 ||
        get_unsigned(obj, "checksum", REQUIRED, UINT32_MAX, &checksum) != 0 ||
        get_integer(obj, "ts", REQUIRED, &ts) != 0)
        return -1;
    b->checksum = (uint32_t)checksum;
    b->ts = ts;
    return 0;
}

/* Fills slot->as from the parsed `root`; strings keep pointing into the DOM. */
static int fill(bench_kind kind, const dom_node *root, decoded *slot)
{
    if (!dom_is_object(root))
        return fail("$", "not an object");
    switch (kind) {
    case KIND_TICKER: return fill_ticker(root, slot);
    case KIND_ORDER: return fill_order(root, slot);
    case KIND_BOOK_DELTA: return fill_book_delta(root, slot);
    default: return fill_book(root, slot);
    }
}

/* ---- building the DOM ---- */

static void build_ticker(dom_node *obj, const nax_ticker *t, int *ok)
{
    dom_add(obj, "pair", dom_string_item(t->pair), ok);
    if (t->bid != NULL)
        dom_add(obj, "bid", dom_decimal_item(t->bid), ok);
    if (t->ask != NULL)
        dom_add(obj, "ask", dom_decimal_item(t->ask), ok);
    if (t->last != NULL)
        dom_add(obj, "last", dom_decimal_item(t->last), ok);
    dom_add(obj, "volume_24h", dom_decimal_item(&t->volume_24h), ok);
    dom_add(obj, "seq", dom_integer_item((int64_t)t->seq), ok);
    dom_add(obj, "ts", dom_integer_item(t->ts), ok);
}

static void build_order(dom_node *obj, const nax_order *o, int *ok)
{
    dom_add(obj, "id", dom_string_item(o->id), ok);
    if (o->client_order_id != NULL)
        dom_add(obj, "client_order_id", dom_string_item(o->client_order_id), ok);
    dom_add(obj, "pair", dom_string_item(o->pair), ok);
    dom_add(obj, "side", dom_enum_item(&side_names, o->side), ok);
    dom_add(obj, "type", dom_enum_item(&order_type_names, o->type), ok);
    if (o->price != NULL)
        dom_add(obj, "price", dom_decimal_item(o->price), ok);
    dom_add(obj, "quantity", dom_decimal_item(&o->quantity), ok);
    dom_add(obj, "filled_quantity", dom_decimal_item(&o->filled_quantity), ok);
    if (o->average_price != NULL)
        dom_add(obj, "average_price", dom_decimal_item(o->average_price), ok);
    dom_add(obj, "time_in_force", dom_enum_item(&tif_names, o->time_in_force), ok);
    if (o->post_only)
        dom_add(obj, "post_only", dom_true_item(), ok);
    dom_add(obj, "status", dom_enum_item(&order_status_names, o->status), ok);
    dom_add(obj, "created_at", dom_integer_item(o->created_at), ok);
    dom_add(obj, "updated_at", dom_integer_item(o->updated_at), ok);
}

static void build_book_delta(dom_node *obj, const nax_stream_message *m, int *ok)
{
    /* The benchmark's peers only speak the book channel's members. */
    if (m->ticker != NULL || m->trades != NULL || m->order != NULL || m->balance != NULL ||
        m->fill != NULL || m->error != NULL) {
        *ok = 0;
        return;
    }
    dom_add(obj, "channel", dom_string_item(m->channel), ok);
    dom_add(obj, "type", dom_enum_item(&stream_msg_type_names, m->type), ok);
    if (m->seq != 0)
        dom_add(obj, "seq", dom_integer_item((int64_t)m->seq), ok);
    if (m->ts != 0)
        dom_add(obj, "ts", dom_integer_item(m->ts), ok);
    if (m->bids != NULL)
        dom_add(obj, "bids", dom_levels_item(m->bids, m->bids_count), ok);
    if (m->asks != NULL)
        dom_add(obj, "asks", dom_levels_item(m->asks, m->asks_count), ok);
    if (m->has_checksum)
        dom_add(obj, "checksum", dom_integer_item(m->checksum), ok);
}

static void build_book(dom_node *obj, const nax_order_book *b, int *ok)
{
    dom_add(obj, "pair", dom_string_item(b->pair), ok);
    dom_add(obj, "seq", dom_integer_item((int64_t)b->seq), ok);
    dom_add(obj, "bids", dom_levels_item(b->bids, b->bids_count), ok);
    dom_add(obj, "asks", dom_levels_item(b->asks, b->asks_count), ok);
    dom_add(obj, "checksum", dom_integer_item(b->checksum), ok);
    dom_add(obj, "ts", dom_integer_item(b->ts), ok);
}

/* Adds the members of the struct `src` of `kind` to the empty object `obj`;
 * clears *ok when anything could not be built or added. */
static void build(dom_node *obj, bench_kind kind, const void *src, int *ok)
{
    switch (kind) {
    case KIND_TICKER: build_ticker(obj, src, ok); break;
    case KIND_ORDER: build_order(obj, src, ok); break;
    case KIND_BOOK_DELTA: build_book_delta(obj, src, ok); break;
    default: build_book(obj, src, ok); break;
    }
}

#endif /* NAX_BENCH_DOM_PEER_H */

/*
 * jansson doing libnax's job: parse into a DOM (rejecting duplicate members
 * and trailing bytes, as libnax does), then fill the same nax structs
 * (strings point into the DOM, which lives until release; decimals through
 * nax_decimal_parse; enums mapped; levels in one heap block). Encoding builds
 * a DOM from the struct and dumps it compact into a reused buffer. What fills
 * and builds the structs is shared with cJSON (dom_peer.h); this file says
 * how jansson reads and makes nodes.
 */
#include <stdlib.h>

#include <jansson.h>

#include "bench_codec.h"

const char *jansson_version(void)
{
    return JANSSON_VERSION;
}

/* ---- the DOM, as dom_peer.h reads and builds it ---- */

#define DOM_PEER "jansson"
typedef json_t dom_node;

static inline int dom_is_object(const json_t *root)
{
    return json_is_object(root);
}

static inline const json_t *dom_member(const json_t *obj, const char *key)
{
    return json_object_get(obj, key);
}

static inline int dom_is_string(const json_t *item)
{
    return json_is_string(item);
}

static inline const char *dom_string(const json_t *item)
{
    return json_string_value(item);
}

static inline size_t dom_string_length(const json_t *item, const char *text)
{
    (void)text;
    return json_string_length(item);
}

static inline const char *dom_integer(const json_t *item, int64_t *out)
{
    if (!json_is_integer(item))
        return "not an integer";
    *out = (int64_t)json_integer_value(item);
    return NULL;
}

static inline int dom_is_bool(const json_t *item)
{
    return json_is_boolean(item);
}

static inline int dom_is_true(const json_t *item)
{
    return json_is_true(item);
}

static inline int dom_is_array(const json_t *item)
{
    return json_is_array(item);
}

static inline size_t dom_array_size(const json_t *array)
{
    return json_array_size(array);
}

static inline const json_t *dom_array_first(const json_t *array)
{
    return json_array_get(array, 0);
}

/* json_array_get() gives NULL past the end. */
static inline const json_t *dom_array_next(const json_t *array, const json_t *element, size_t index)
{
    (void)element;
    return json_array_get(array, index);
}

static inline int dom_pair(const json_t *item, const json_t **first, const json_t **second)
{
    if (!json_is_array(item) || json_array_size(item) != 2)
        return 0;
    *first = json_array_get(item, 0);
    *second = json_array_get(item, 1);
    return 1;
}

/* Sets `item` under a constant key; jansson frees the item when this fails. */
static void dom_add(json_t *obj, const char *key, json_t *item, int *ok)
{
    if (json_object_set_new_nocheck(obj, key, item) != 0)
        *ok = 0;
}

/* Caller strings are checked for valid UTF-8, as libnax checks them. */
static json_t *dom_string_item(const char *s)
{
    return s != NULL ? json_string(s) : NULL;
}

static json_t *dom_decimal_item(const nax_decimal *d)
{
    char text[NAX_DECIMAL_STRING_MAX];
    int len = decimal_text(text, d);
    return len >= 0 ? json_stringn_nocheck(text, (size_t)len) : NULL;
}

static json_t *dom_enum_item(const enum_names *names, int value)
{
    const char *name = enum_to_name(names, value);
    return name != NULL ? json_string_nocheck(name) : NULL;
}

static json_t *dom_integer_item(int64_t value)
{
    return json_integer((json_int_t)value);
}

static json_t *dom_true_item(void)
{
    return json_true();
}

static json_t *level_item(const nax_book_level *level)
{
    json_t *pair = json_array();
    if (pair == NULL || json_array_append_new(pair, dom_decimal_item(&level->price)) != 0 ||
        json_array_append_new(pair, dom_decimal_item(&level->quantity)) != 0) {
        json_decref(pair);
        return NULL;
    }
    return pair;
}

static json_t *dom_levels_item(const nax_book_level *levels, size_t count)
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

#include "dom_peer.h"

/* ---- the codec ---- */

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
    return fill(kind, root, slot);
}

static void jansson_release(decoded *slot)
{
    free(slot->levels);
    slot->levels = NULL;
    json_decref(slot->owner);
    slot->owner = NULL;
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
                                 peer_last_error};

/*
 * cJSON doing libnax's job: parse into a DOM, then fill the same nax structs
 * (strings point into the DOM, which lives until release; decimals through
 * nax_decimal_parse; enums mapped; levels in one heap block). Encoding builds
 * a DOM from the struct and prints it unformatted into a reused buffer.
 * Members are looked up by name, the way cJSON is normally used. What fills
 * and builds the structs is shared with jansson (dom_peer.h); this file says
 * how cJSON reads and makes nodes.
 */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "bench_codec.h"

/* cJSON keeps every number as a double; integers above 2^53 would lose digits. */
#define LARGEST_EXACT_INTEGER 9007199254740992.0

const char *cjson_version(void)
{
    return cJSON_Version();
}

/* ---- the DOM, as dom_peer.h reads and builds it ---- */

#define DOM_PEER "cJSON"
typedef cJSON dom_node;

static inline int dom_is_object(const cJSON *root)
{
    return cJSON_IsObject(root);
}

static inline const cJSON *dom_member(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static inline int dom_is_string(const cJSON *item)
{
    return cJSON_IsString(item);
}

static inline const char *dom_string(const cJSON *item)
{
    return item->valuestring;
}

static inline size_t dom_string_length(const cJSON *item, const char *text)
{
    (void)item;
    return strlen(text);
}

static inline const char *dom_integer(const cJSON *item, int64_t *out)
{
    if (!cJSON_IsNumber(item))
        return "not a number";
    double value = item->valuedouble;
    if (!(value >= -LARGEST_EXACT_INTEGER && value <= LARGEST_EXACT_INTEGER) ||
        value != (double)(int64_t)value)
        return "not an exact integer";
    *out = (int64_t)value;
    return NULL;
}

static inline int dom_is_bool(const cJSON *item)
{
    return cJSON_IsBool(item);
}

static inline int dom_is_true(const cJSON *item)
{
    return cJSON_IsTrue(item);
}

static inline int dom_is_array(const cJSON *item)
{
    return cJSON_IsArray(item);
}

static inline size_t dom_array_size(const cJSON *array)
{
    return (size_t)cJSON_GetArraySize(array);
}

static inline const cJSON *dom_array_first(const cJSON *array)
{
    return array->child;
}

static inline const cJSON *dom_array_next(const cJSON *array, const cJSON *element, size_t index)
{
    (void)array;
    (void)index;
    return element->next;
}

static inline int dom_pair(const cJSON *item, const cJSON **first, const cJSON **second)
{
    *first = cJSON_IsArray(item) ? item->child : NULL;
    *second = *first != NULL ? (*first)->next : NULL;
    return *second != NULL && (*second)->next == NULL;
}

/* Adds `item` under a constant key; on any failure frees it and clears *ok. */
static void dom_add(cJSON *obj, const char *key, cJSON *item, int *ok)
{
    if (item == NULL || !cJSON_AddItemToObjectCS(obj, key, item)) {
        cJSON_Delete(item);
        *ok = 0;
    }
}

/* A missing required string fails the encode, as it does in libnax. */
static cJSON *dom_string_item(const char *s)
{
    return s != NULL ? cJSON_CreateStringReference(s) : NULL;
}

static cJSON *dom_decimal_item(const nax_decimal *d)
{
    char text[NAX_DECIMAL_STRING_MAX];
    return decimal_text(text, d) >= 0 ? cJSON_CreateString(text) : NULL;
}

static cJSON *dom_enum_item(const enum_names *names, int value)
{
    const char *name = enum_to_name(names, value);
    return name != NULL ? cJSON_CreateStringReference(name) : NULL;
}

static cJSON *dom_integer_item(int64_t value)
{
    return cJSON_CreateNumber((double)value);
}

static cJSON *dom_true_item(void)
{
    return cJSON_CreateTrue();
}

static cJSON *level_item(const nax_book_level *level)
{
    cJSON *pair = cJSON_CreateArray();
    cJSON *price = dom_decimal_item(&level->price);
    cJSON *quantity = dom_decimal_item(&level->quantity);
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

static cJSON *dom_levels_item(const nax_book_level *levels, size_t count)
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

#include "dom_peer.h"

/* ---- the codec ---- */

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
    return fill(kind, root, slot);
}

static void cjson_release(decoded *slot)
{
    free(slot->levels);
    slot->levels = NULL;
    cJSON_Delete(slot->owner);
    slot->owner = NULL;
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

const codec_impl impl_cjson = {"cJSON", cjson_decode, cjson_release, cjson_encode, peer_last_error};

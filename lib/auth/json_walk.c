/*
 * Strict walk over one JSON object with yajl. On top of yajl's own checks it
 * refuses what RFC 8259 or RFC 7515 §5.2 forbid and yajl lets through:
 * duplicate member names (RFC 7515 requires rejecting them, which closes
 * the "two parsers read two different claims" trick), malformed UTF-8
 * (overlong forms, surrogates) and \v or \f used as whitespace.
 */
#include <string.h>

#include <yajl/yajl_parse.h>

#include "auth/json_walk.h"
#include "codec/codec_internal.h"

#define MAX_DEPTH    16
#define NAMES_MAX    2048 /* bytes of member names open at once */
#define INT64_DIGITS 19

typedef struct walker {
    nax__json_member_fn fn;
    void *userdata;
    unsigned depth;          /* open containers; the root object is depth 1 */
    int done;                /* the root object has closed */
    size_t frame[MAX_DEPTH]; /* start in `names` of each open container's names */
    size_t used;             /* bytes of `names` in use */
    const char *key;         /* the current top-level member name */
    size_t key_len;
    unsigned char names[NAMES_MAX]; /* entries: one length byte, then the name */
} walker;

static int utf8_ok(const unsigned char *s, size_t len)
{
    return nax__codec_utf8_check(s, len) == len;
}

/* A member of the root object gets the callback; everything deeper only
 * the checks. */
static int emit(walker *w, nax__json_member *m)
{
    if (w->depth == 0 || w->done)
        return 0; /* a scalar or array as the root, or a second value */
    if (w->depth > 1)
        return 1;
    m->name = w->key;
    m->name_len = w->key_len;
    return w->fn(m, w->userdata) == 0;
}

static int emit_other(walker *w)
{
    nax__json_member m = {0};
    m.kind = NAX__JSON_OTHER;
    return emit(w, &m);
}

static int open_container(walker *w, int is_map)
{
    if (w->depth == 0 && !is_map)
        return 0;
    if (w->depth >= 1 && !emit_other(w))
        return 0;
    if (w->depth >= MAX_DEPTH)
        return 0;
    w->frame[w->depth++] = w->used;
    return 1;
}

static int close_container(walker *w)
{
    w->used = w->frame[--w->depth];
    if (w->depth == 0)
        w->done = 1;
    return 1;
}

static int cb_null(void *ctx)
{
    return emit_other(ctx);
}

static int cb_boolean(void *ctx, int b)
{
    (void)b;
    return emit_other(ctx);
}

/* An integer fits when it has at most 19 digits and does not overflow;
 * yajl has already checked the number's syntax (no leading zeros). */
static int parse_integer(const char *s, size_t len, int64_t *out)
{
    int neg = len > 0 && s[0] == '-';
    size_t i = (size_t)neg;
    if (i == len || len - i > INT64_DIGITS)
        return 0;
    uint64_t v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0; /* fraction or exponent */
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > (uint64_t)INT64_MAX + (uint64_t)neg)
        return 0;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 1;
}

static int cb_number(void *ctx, const char *s, size_t len)
{
    nax__json_member m = {0};
    m.kind = parse_integer(s, len, &m.integer) ? NAX__JSON_INTEGER : NAX__JSON_OTHER;
    return emit(ctx, &m);
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
    if (!utf8_ok(s, len))
        return 0;
    nax__json_member m = {0};
    m.kind = NAX__JSON_STRING;
    m.str = (const char *)s;
    m.str_len = len;
    return emit(ctx, &m);
}

static int cb_start_map(void *ctx)
{
    return open_container(ctx, 1);
}

/* Names of the innermost open object are the entries from its frame start
 * to `used`: a nested object's names come after all of its parent's names
 * seen so far and are dropped when it closes. */
static int cb_map_key(void *ctx, const unsigned char *key, size_t len)
{
    walker *w = ctx;
    if (!utf8_ok(key, len) || len > 255)
        return 0;
    size_t i = w->frame[w->depth - 1];
    while (i < w->used) {
        size_t n = w->names[i];
        if (n == len && memcmp(w->names + i + 1, key, len) == 0)
            return 0; /* duplicate member */
        i += 1 + n;
    }
    if (len + 1 > NAMES_MAX - w->used)
        return 0;
    w->names[w->used] = (unsigned char)len;
    memcpy(w->names + w->used + 1, key, len);
    if (w->depth == 1) {
        w->key = (const char *)w->names + w->used + 1;
        w->key_len = len;
    }
    w->used += 1 + len;
    return 1;
}

static int cb_end_map(void *ctx)
{
    return close_container(ctx);
}

static int cb_start_array(void *ctx)
{
    return open_container(ctx, 0);
}

static int cb_end_array(void *ctx)
{
    return close_container(ctx);
}

static const yajl_callbacks callbacks = {
    cb_null,      cb_boolean, NULL,       NULL,           cb_number,    cb_string,
    cb_start_map, cb_map_key, cb_end_map, cb_start_array, cb_end_array,
};

int nax__json_walk(const char *json, size_t len, nax__json_member_fn fn, void *userdata)
{
    /* yajl takes \v and \f for whitespace; JSON does not (nor inside strings). */
    if (memchr(json, '\v', len) || memchr(json, '\f', len))
        return -1;
    walker w;
    w.fn = fn;
    w.userdata = userdata;
    w.depth = 0;
    w.done = 0;
    w.used = 0;
    w.key = NULL;
    w.key_len = 0;

    nax__codec_pool pool;
    yajl_alloc_funcs afs;
    nax__codec_pool_init(&pool, &afs);
    yajl_handle h = yajl_alloc(&callbacks, &afs, &w);
    if (!h)
        return -1;
    /* yajl's defaults are strict: no comments, UTF-8 checked, one value,
     * nothing but whitespace after it, no partial values. */
    yajl_status st = yajl_parse(h, (const unsigned char *)json, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    yajl_free(h);
    return st == yajl_status_ok && w.done ? 0 : -1;
}

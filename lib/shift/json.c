/*
 * The JSON value tree: yajl's callbacks build nodes; the writer prints them
 * back compactly. Numbers keep the text they were written with, so nothing
 * passes through a double.
 */
#include <string.h>

#include <yajl/yajl_parse.h>

#include "codec/codec_internal.h"
#include "core/core.h"
#include "shift/json.h"

typedef struct builder {
    nax__jv *root;
    nax__jv *top; /* the open container */
    char *key;    /* the pending member name */
    size_t key_len;
    unsigned depth, max_depth;
    int err;
} builder;

void nax__jv_free(nax__jv *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->count; i++)
        nax__jv_free(v->items[i]);
    nax__free(v->items);
    nax__free(v->text);
    nax__free(v->key);
    nax__free(v);
}

static int stop(builder *b, int err)
{
    b->err = err;
    return 0; /* yajl: cancel */
}

/* Attach a new node of `kind` where the parser is. */
static nax__jv *add(builder *b, nax__jv_kind kind)
{
    nax__jv *v = nax__calloc(1, sizeof(*v));
    if (!v) {
        stop(b, nax__error_oom());
        return NULL;
    }
    v->kind = kind;
    nax__jv *p = b->top;
    if (!p) {
        b->root = v;
        return v;
    }
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4;
        nax__jv **grown = nax__realloc(p->items, cap * sizeof(*grown));
        if (!grown) {
            nax__free(v);
            stop(b, nax__error_oom());
            return NULL;
        }
        p->items = grown;
        p->cap = cap;
    }
    if (p->kind == NAX__JV_OBJECT) {
        v->key = b->key;
        v->key_len = b->key_len;
        b->key = NULL;
    }
    v->parent = p;
    p->items[p->count++] = v;
    return v;
}

static int set_text(builder *b, nax__jv *v, const unsigned char *s, size_t len)
{
    v->text = nax__strndup((const char *)s, len);
    if (!v->text)
        return stop(b, nax__error_oom());
    v->len = len;
    return 1;
}

static int on_null(void *ctx)
{
    return add(ctx, NAX__JV_NULL) != NULL;
}

static int on_bool(void *ctx, int value)
{
    nax__jv *v = add(ctx, NAX__JV_BOOL);
    if (v)
        v->boolean = value != 0;
    return v != NULL;
}

static int on_number(void *ctx, const char *s, size_t len)
{
    nax__jv *v = add(ctx, NAX__JV_NUMBER);
    return v ? set_text(ctx, v, (const unsigned char *)s, len) : 0;
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    nax__jv *v = add(ctx, NAX__JV_STRING);
    return v ? set_text(ctx, v, s, len) : 0;
}

static int open_container(void *ctx, nax__jv_kind kind)
{
    builder *b = ctx;
    if (++b->depth > b->max_depth)
        return stop(
            b, nax__error(NAX_EJSON, "invalid JSON: nested deeper than %u levels", b->max_depth));
    nax__jv *v = add(b, kind);
    if (!v)
        return 0;
    b->top = v;
    return 1;
}

static int close_container(void *ctx)
{
    builder *b = ctx;
    b->depth--;
    b->top = b->top->parent;
    return 1;
}

static int on_start_map(void *ctx)
{
    return open_container(ctx, NAX__JV_OBJECT);
}

static int on_start_array(void *ctx)
{
    return open_container(ctx, NAX__JV_ARRAY);
}

static int on_map_key(void *ctx, const unsigned char *s, size_t len)
{
    builder *b = ctx;
    const nax__jv *o = b->top;
    /* Two parsers could disagree on a repeated member's value: refuse it. */
    for (size_t i = 0; i < o->count; i++)
        if (o->items[i]->key_len == len && !memcmp(o->items[i]->key, s, len))
            return stop(b, nax__error(NAX_EJSON, "invalid JSON: duplicate member \"%.*s\"",
                                      (int)(len > 64 ? 64 : len), (const char *)s));
    nax__free(b->key);
    b->key = nax__strndup((const char *)s, len);
    if (!b->key)
        return stop(b, nax__error_oom());
    b->key_len = len;
    return 1;
}

/*
 * yajl's own memory. yajl does not survive an allocation failure inside it
 * (its buffers are used unchecked), so everything it can ask for is set
 * aside, in one nax__malloc, before parsing starts: its handle, lexer and
 * state stack (nesting stops at max_depth), and the buffer strings with
 * escapes are decoded into, which doubles from 2 KiB and so never exceeds
 * twice the input plus 2 KiB once it may grow in place.
 */
typedef struct yajl_arena {
    unsigned char *mem;
    size_t size, used, last; /* last: offset of the most recent block */
} yajl_arena;

#define ARENA_HEADER 16u

static size_t round16(size_t n)
{
    return (n + 15u) & ~(size_t)15u;
}

static int in_arena(const yajl_arena *a, const void *p)
{
    const unsigned char *b = p;
    return b >= a->mem && b < a->mem + a->size;
}

static void *arena_malloc(void *ctx, size_t size)
{
    yajl_arena *a = ctx;
    size_t cap = round16(size ? size : 1);
    if (cap + ARENA_HEADER > a->size - a->used)
        return nax__malloc(size); /* beyond the bound: not expected */
    a->last = a->used;
    memcpy(a->mem + a->last, &cap, sizeof cap);
    a->used += ARENA_HEADER + cap;
    return a->mem + a->last + ARENA_HEADER;
}

static void *arena_realloc(void *ctx, void *ptr, size_t size)
{
    yajl_arena *a = ctx;
    if (!ptr)
        return arena_malloc(ctx, size);
    if (!in_arena(a, ptr))
        return nax__realloc(ptr, size);
    unsigned char *block = (unsigned char *)ptr - ARENA_HEADER;
    size_t cap;
    memcpy(&cap, block, sizeof cap);
    if (size <= cap)
        return ptr;
    size_t want = round16(size);
    if ((size_t)(block - a->mem) == a->last && want + ARENA_HEADER <= a->size - a->last) {
        memcpy(block, &want, sizeof want); /* the newest block grows in place */
        a->used = a->last + ARENA_HEADER + want;
        return ptr;
    }
    void *moved = arena_malloc(ctx, size);
    if (moved)
        memcpy(moved, ptr, cap);
    return moved;
}

static void arena_free(void *ctx, void *ptr)
{
    if (!in_arena(ctx, ptr))
        nax__free(ptr);
}

static const yajl_callbacks callbacks = {
    on_null,        on_bool,         NULL,
    NULL,           on_number,       on_string,
    on_start_map,   on_map_key,      close_container,
    on_start_array, close_container,
};

static int syntax_error(yajl_handle h, size_t offset)
{
    unsigned char *text = yajl_get_error(h, 0, NULL, 0);
    char reason[160] = "syntax error";
    if (text) {
        size_t n = strcspn((const char *)text, "\n");
        if (n >= sizeof reason)
            n = sizeof reason - 1;
        memcpy(reason, text, n);
        reason[n] = '\0';
        yajl_free_error(h, text);
    }
    return nax__error(NAX_EJSON, "invalid JSON at offset %zu (%s)", offset, reason);
}

int nax__jv_parse(nax__jv **out, const char *json, size_t len, unsigned max_depth)
{
    *out = NULL;
    /* yajl takes these two as whitespace; JSON does not. */
    const char *bad = memchr(json, '\v', len);
    if (!bad)
        bad = memchr(json, '\f', len);
    if (bad)
        return nax__error(NAX_EJSON, "invalid JSON at offset %zu (control character)",
                          (size_t)(bad - json));
    builder b;
    memset(&b, 0, sizeof b);
    b.max_depth = max_depth ? max_depth : NAX__JV_MAX_DEPTH;
    yajl_arena arena = {NULL, 2 * len + 16384, 0, 0};
    arena.mem = nax__malloc(arena.size);
    if (!arena.mem)
        return nax__error_oom();
    yajl_alloc_funcs afs = {arena_malloc, arena_realloc, arena_free, &arena};
    yajl_handle h = yajl_alloc(&callbacks, &afs, &b);
    if (!h) {
        nax__free(arena.mem);
        return nax__error_oom();
    }
    yajl_status st = yajl_parse(h, (const unsigned char *)json, len);
    size_t offset = yajl_get_bytes_consumed(h);
    if (st == yajl_status_ok) {
        st = yajl_complete_parse(h);
        offset = len;
    }
    int rc = 0;
    if (st == yajl_status_client_canceled)
        rc = b.err ? b.err : nax__error(NAX_ERROR, "JSON parse stopped without a reason");
    else if (st != yajl_status_ok)
        rc = syntax_error(h, offset);
    else if (!b.root)
        rc = nax__error(NAX_EJSON, "invalid JSON (no value)");
    yajl_free(h);
    nax__free(arena.mem);
    nax__free(b.key);
    if (rc) {
        nax__jv_free(b.root);
        return rc;
    }
    *out = b.root;
    return 0;
}

nax__jv *nax__jv_new(nax__jv_kind kind, const char *text, size_t len)
{
    nax__jv *v = nax__calloc(1, sizeof(*v));
    if (!v)
        return NULL;
    v->kind = kind;
    if (kind == NAX__JV_STRING || kind == NAX__JV_NUMBER) {
        v->text = nax__strndup(text ? text : "", text ? len : 0);
        if (!v->text) {
            nax__free(v);
            return NULL;
        }
        v->len = text ? len : 0;
    }
    return v;
}

int nax__jv_add(nax__jv *c, const char *key, nax__jv *child)
{
    if (!child)
        return NAX_ENOMEM;
    if (key) {
        child->key_len = strlen(key);
        child->key = nax__strndup(key, child->key_len);
        if (!child->key) {
            nax__jv_free(child);
            return NAX_ENOMEM;
        }
    }
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 4;
        nax__jv **grown = nax__realloc(c->items, cap * sizeof(*grown));
        if (!grown) {
            nax__jv_free(child);
            return NAX_ENOMEM;
        }
        c->items = grown;
        c->cap = cap;
    }
    child->parent = c;
    c->items[c->count++] = child;
    return 0;
}

nax__jv *nax__jv_copy(const nax__jv *v)
{
    nax__jv *c = nax__jv_new(v->kind, v->text, v->len);
    if (!c)
        return NULL;
    c->boolean = v->boolean;
    for (size_t i = 0; i < v->count; i++) {
        if (nax__jv_add(c, v->kind == NAX__JV_OBJECT ? v->items[i]->key : NULL,
                        nax__jv_copy(v->items[i])) != 0) {
            nax__jv_free(c);
            return NULL;
        }
    }
    return c;
}

const nax__jv *nax__jv_get(const nax__jv *v, const char *key)
{
    if (!v || v->kind != NAX__JV_OBJECT)
        return NULL;
    size_t n = strlen(key);
    for (size_t i = 0; i < v->count; i++)
        if (v->items[i]->key_len == n && !memcmp(v->items[i]->key, key, n))
            return v->items[i];
    return NULL;
}

const char *nax__jv_str(const nax__jv *v)
{
    return v && v->kind == NAX__JV_STRING ? v->text : NULL;
}

int nax__json_write_string(nax_buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    int rc = nax__buf_reserve(out, len + 2);
    if (rc)
        return rc;
    rc = nax__buf_append(out, "\"", 1);
    size_t run = 0; /* bytes copied as they are */
    for (size_t i = 0; !rc && i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            /* Well-formed sequences go as they are; anything else (a text cut
             * inside a character, stray bytes) becomes U+FFFD, so the output
             * is always valid JSON (RFC 8259: UTF-8). */
            size_t n = nax__utf8_sequence((const unsigned char *)s + i, len - i);
            if (n) {
                i += n - 1;
                continue;
            }
            rc = nax__buf_append(out, s + run, i - run);
            if (!rc)
                rc = nax__buf_append(out, "\xEF\xBF\xBD", 3);
            run = i + 1;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        rc = nax__buf_append(out, s + run, i - run);
        run = i + 1;
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        if (!rc)
            rc = nax__buf_append(out, esc, n);
    }
    if (!rc)
        rc = nax__buf_append(out, s + run, len - run);
    return rc ? rc : nax__buf_append(out, "\"", 1);
}

int nax__jv_write(nax_buf *out, const nax__jv *v)
{
    switch (v->kind) {
    case NAX__JV_NULL: return nax__buf_append_str(out, "null");
    case NAX__JV_BOOL: return nax__buf_append_str(out, v->boolean ? "true" : "false");
    case NAX__JV_NUMBER: return nax__buf_append(out, v->text, v->len);
    case NAX__JV_STRING: return nax__json_write_string(out, v->text, v->len);
    case NAX__JV_ARRAY:
    case NAX__JV_OBJECT: break;
    }
    int obj = v->kind == NAX__JV_OBJECT;
    int rc = nax__buf_append(out, obj ? "{" : "[", 1);
    for (size_t i = 0; !rc && i < v->count; i++) {
        if (i)
            rc = nax__buf_append(out, ",", 1);
        if (!rc && obj) {
            rc = nax__json_write_string(out, v->items[i]->key, v->items[i]->key_len);
            if (!rc)
                rc = nax__buf_append(out, ":", 1);
        }
        if (!rc)
            rc = nax__jv_write(out, v->items[i]);
    }
    return rc ? rc : nax__buf_append(out, obj ? "}" : "]", 1);
}

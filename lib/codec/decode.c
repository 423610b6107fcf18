/*
 * nax_decode(): yajl's callback parser writing straight into the structs,
 * driven by the schema tables; no DOM. Everything the object points to is
 * bump-allocated in one arena (arena.c); array elements are gathered in a
 * scratch vector and copied into the arena when the array closes.
 */
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "codec_internal.h"
#include "core/core.h"
#include "decimal/decimal_internal.h"

/* Known structure nests at most 5 deep (wrapper, object, array, object,
 * array); anything deeper is an unknown member, which is skipped by depth. */
#define MAX_FRAMES      8
#define UNKNOWN_KEY_MAX 48
#define SCRATCH_INLINE  1024

/* ---- decoder state ---- */

typedef enum frame_kind {
    FRAME_OBJECT, /* a struct (or the wrapper object around the root) */
    FRAME_ARRAY,  /* an array member */
    FRAME_LEVEL   /* one [price, quantity] pair inside a LEVELS array */
} frame_kind;

typedef struct frame {
    uint8_t kind;                  /* frame_kind */
    uint8_t is_wrapper;            /* OBJECT: the {"error": ...} around the root */
    uint8_t unknown;               /* OBJECT: the current member is unknown (name in unknown_key) */
    uint8_t hint;                  /* OBJECT: table index to try first for the next key */
    uint32_t seen;                 /* OBJECT: members seen so far, by table index */
    const nax__codec_type *type;   /* OBJECT: the struct's type */
    const nax__codec_field *field; /* OBJECT: member whose value comes next; ARRAY: the array */
    char *obj;                     /* OBJECT: the struct; ARRAY: the struct owning the array */
    size_t index;                  /* ARRAY and LEVEL: the current element */
    size_t scratch_start;          /* ARRAY: its first element; LEVEL: its nax_book_level */
} frame;

typedef enum value_kind { V_STRING, V_NUMBER, V_BOOL, V_NULL, V_OBJECT, V_ARRAY } value_kind;

static const char *const value_kind_name[] = {"string", "number", "boolean",
                                              "null",   "object", "array"};

typedef struct decoder {
    yajl_handle handle;
    const char *input;
    size_t input_len;
    unsigned max_depth;
    unsigned depth; /* containers open right now */
    unsigned skip;  /* > 0 while inside the value of an unknown member */
    int err;        /* the error recorded by a callback */
    int ascii;      /* the input has no byte above 0x7f: strings need no UTF-8 check */
    int done;       /* the root object is complete */

    const nax__codec_type *root_type;
    void *root;
    nax__codec_arena arena;
    unsigned nframes;
    frame *top; /* &frames[nframes - 1], kept rather than computed: every callback needs it */

    /* Array elements, gathered until the array closes. */
    unsigned char *scratch;
    size_t scratch_len, scratch_cap;

    /* Everything below is written before it is read: not zeroed per call. */
    frame frames[MAX_FRAMES];

    /* The wrapper object of error bodies, as a one-member type. */
    nax__codec_field wrapper_field;
    nax__codec_type wrapper_type;

    char unknown_key[UNKNOWN_KEY_MAX];
    size_t unknown_len;

    alignas(16) unsigned char scratch_inline[SCRATCH_INLINE];
} decoder;

/* ---- errors ---- */

/* Writes the JSON path of the first `nframes` frames into `path`. */
static void build_path(const decoder *d, unsigned nframes, nax__codec_path *path)
{
    nax__codec_path_init(path);
    for (unsigned i = 0; i < nframes; i++) {
        const frame *f = &d->frames[i];
        if (f->kind != FRAME_OBJECT)
            nax__codec_path_index(path, f->index);
        else if (f->field)
            nax__codec_path_member(path, f->field->name, f->field->name_len);
        else if (f->unknown)
            nax__codec_path_member(path, d->unknown_key, d->unknown_len);
    }
}

/* Records an error located by the first `nframes` frames and returns 0, which
 * makes yajl stop with yajl_status_client_canceled. */
static int fail_at(decoder *d, unsigned nframes, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_at(decoder *d, unsigned nframes, int code, const char *fmt, ...)
{
    nax__codec_path path;
    char reason[256];
    va_list ap;
    build_path(d, nframes, &path);
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    d->err = nax__codec_fail(code, &path, "%s", reason);
    return 0;
}

#define FAIL(d, code, ...) fail_at((d), (d)->nframes, (code), __VA_ARGS__)

static int fail_type(decoder *d, const char *expected, value_kind got)
{
    return FAIL(d, NAX_ESCHEMA, "expected %s, got %s", expected, value_kind_name[got]);
}

static int fail_oom(decoder *d)
{
    d->err = nax__error_oom();
    return 0;
}

/* What a member of this kind must look like in JSON. */
static const char *expected_for(const nax__codec_field *f)
{
    switch (f->kind) {
    case NAX__KIND_STRING: return "string";
    case NAX__KIND_DECIMAL:
    case NAX__KIND_DECIMAL_PTR: return "decimal string";
    case NAX__KIND_INT64:
    case NAX__KIND_UINT64:
    case NAX__KIND_UINT32: return "integer";
    case NAX__KIND_BOOL: return "boolean";
    case NAX__KIND_ENUM: return "string";
    case NAX__KIND_OBJECT: return "object";
    default: return "array";
    }
}

/* What an element of this array kind must look like. */
static const char *expected_element(const nax__codec_field *f)
{
    switch (f->kind) {
    case NAX__KIND_OBJECT_ARRAY: return "object";
    case NAX__KIND_LEVELS: return "[price, quantity] array";
    default: return "string";
    }
}

/* ---- strings ---- */

static unsigned hex4(const char *s)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v = (v << 4) | (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

/* Start of the raw text of the string token yajl just delivered: yajl's
 * offset is right behind its closing quote, and the opening quote is the
 * first one before it not escaped by an odd run of backslashes. */
static size_t raw_string_start(const decoder *d, size_t close)
{
    size_t i = close;
    while (i > 0) {
        i--;
        if (d->input[i] != '"')
            continue;
        size_t backslashes = 0;
        while (backslashes < i && d->input[i - 1 - backslashes] == '\\')
            backslashes++;
        if (backslashes % 2 == 0)
            return i + 1;
    }
    return 0;
}

/* yajl turns an unpaired UTF-16 surrogate escape into '?' or into invalid
 * UTF-8, and \u0000 into a NUL byte our C strings cannot hold: check the raw
 * escapes of strings that had any. */
static int check_escapes(decoder *d, int allow_nul)
{
    size_t close = yajl_get_bytes_consumed(d->handle) - 1;
    const char *in = d->input;
    for (size_t i = raw_string_start(d, close); i < close; i++) {
        if (in[i] != '\\')
            continue;
        if (in[++i] != 'u')
            continue;
        unsigned cp = hex4(in + i + 1);
        size_t at = i - 1;
        i += 4;
        if (cp >= 0xd800 && cp <= 0xdbff) {
            if (i + 6 < close && in[i + 1] == '\\' && in[i + 2] == 'u') {
                unsigned low = hex4(in + i + 3);
                if (low >= 0xdc00 && low <= 0xdfff) {
                    i += 6;
                    continue;
                }
            }
            return FAIL(d, NAX_EJSON, "invalid JSON at offset %zu (unpaired UTF-16 surrogate)", at);
        }
        if (cp >= 0xdc00 && cp <= 0xdfff)
            return FAIL(d, NAX_EJSON, "invalid JSON at offset %zu (unpaired UTF-16 surrogate)", at);
        if (cp == 0 && !allow_nul)
            return FAIL(d, NAX_ESCHEMA, "string contains U+0000");
    }
    return 1;
}

static int check_string_slow(decoder *d, const char *s, size_t len, int allow_nul, int escaped)
{
    /* Escapes first: a bad one explains the bad UTF-8 yajl made of it. */
    if (escaped && !check_escapes(d, allow_nul))
        return 0;
    size_t bad = nax__codec_utf8_check((const unsigned char *)s, len);
    if (bad == len)
        return 1;
    if (!escaped)
        return FAIL(d, NAX_EJSON, "invalid JSON at offset %zu (invalid UTF-8 in string)",
                    (size_t)(s + bad - d->input));
    return FAIL(d, NAX_EJSON, "invalid JSON (invalid UTF-8 in string)");
}

/* Every string and member name must be well-formed UTF-8; member values the
 * codec keeps must also be free of NUL. Returns 1 when fine. The common case,
 * an all-ASCII input and a string without escapes, costs two comparisons. */
static inline int check_string(decoder *d, const char *s, size_t len, int allow_nul)
{
    uintptr_t p = (uintptr_t)s, in = (uintptr_t)d->input;
    int escaped = !(p >= in && p - in < d->input_len);
    if (d->ascii && !escaped)
        return 1;
    return check_string_slow(d, s, len, allow_nul, escaped);
}

static const char *copy_string(decoder *d, const char *s, size_t len)
{
    char *p = nax__codec_arena_alloc(&d->arena, len + 1, 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* ---- scalar members ---- */

/* Everything but short decimals: the general parser and the error messages.
 * Kept out of line so that the fast path needs no stack frame. */
static __attribute__((noinline)) int parse_long_decimal(decoder *d, nax_decimal *out, const char *s,
                                                        size_t len)
{
    size_t off = 0;
    int rc = nax__dec_parse_long(out, s, len, &off);
    if (rc == 0)
        return 1;
    if (rc == NAX_EOVERFLOW)
        return FAIL(d, NAX_ESCHEMA,
                    "decimal out of range (at most 38 digits and 18 after the point)");
    if (len == 0)
        return FAIL(d, NAX_ESCHEMA, "not a decimal (empty string)");
    if (off >= len)
        return FAIL(d, NAX_ESCHEMA, "not a decimal (ends early at offset %zu)", off);
    unsigned char c = (unsigned char)s[off];
    if (c >= 0x20 && c < 0x7f)
        return FAIL(d, NAX_ESCHEMA, "not a decimal (unexpected '%c' at offset %zu)", c, off);
    return FAIL(d, NAX_ESCHEMA, "not a decimal (unexpected byte 0x%02x at offset %zu)", c, off);
}

/* nax__dec_parse() with errors recorded. */
static inline int parse_decimal(decoder *d, nax_decimal *out, const char *s, size_t len)
{
    /* 19 digits, a point and a sign take at most 21 bytes. */
    if (len > 0 && len <= 21 && nax__dec_parse_short(out, s, len))
        return 1;
    return parse_long_decimal(d, out, s, len);
}

/* The value of a digit string that may not fit in 64 bits; 0 if it does not. */
static int exact_u64(const char *digits, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++)
        if (__builtin_mul_overflow(v, 10u, &v) ||
            __builtin_add_overflow(v, (unsigned)(digits[i] - '0'), &v))
            return 0;
    *out = v;
    return 1;
}

/* Integer members: yajl has checked the JSON number syntax already. */
static int parse_integer(decoder *d, const nax__codec_field *f, const char *s, size_t len,
                         void *dst)
{
    int negative = s[0] == '-';
    size_t start = (size_t)negative;
    uint64_t mag = 0; /* wraps past 19 digits; checked below */
    size_t i = (size_t)(nax__dec_read_digits(s + start, s + len, &mag) - s);
    if (i < len && s[i] == '.')
        return FAIL(d, NAX_ESCHEMA, "expected integer, got fractional number");
    if (i < len)
        return FAIL(d, NAX_ESCHEMA, "expected integer, got number with exponent");
    /* JSON has no leading zeros: up to 19 digits always fit in 64 bits. */
    if (len - start > 19 && !exact_u64(s + start, len - start, &mag))
        return FAIL(d, NAX_ESCHEMA, "integer out of range");
    if (f->kind == NAX__KIND_INT64) {
        if (mag > (negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
            return FAIL(d, NAX_ESCHEMA, "integer out of range");
        int64_t v = negative ? (int64_t)(0 - mag) : (int64_t)mag;
        memcpy(dst, &v, sizeof v);
        return 1;
    }
    if (negative && mag != 0)
        return FAIL(d, NAX_ESCHEMA, "integer out of range");
    if (f->kind == NAX__KIND_UINT64) {
        memcpy(dst, &mag, sizeof mag);
        return 1;
    }
    if (mag > UINT32_MAX)
        return FAIL(d, NAX_ESCHEMA, "integer out of range");
    uint32_t v32 = (uint32_t)mag;
    memcpy(dst, &v32, sizeof v32);
    return 1;
}

/* 1 when the NUL-terminated `name` equals s/len. */
static int name_equals(const char *name, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (name[i] != s[i] || name[i] == '\0')
            return 0;
    return name[len] == '\0';
}

/* Index of `s` in an enum's names, or -1. */
static int find_name(const nax__codec_enum *e, const char *s, size_t len)
{
    for (int i = 0; i < e->count; i++)
        if (e->names[i] && name_equals(e->names[i], s, len))
            return i;
    return -1;
}

static int set_enum(decoder *d, const nax__codec_field *f, const char *s, size_t len, int *dst)
{
    int v = find_name(f->names, s, len);
    if (v <= 0) {
        char q[160];
        nax__codec_quote(q, sizeof q, s, len);
        return FAIL(d, NAX_ESCHEMA, "unknown enum value %s", q);
    }
    *dst = v;
    return 1;
}

static int set_string_member(decoder *d, const nax__codec_field *f, char *dst, value_kind vk,
                             const char *s, size_t len)
{
    if (vk != V_STRING)
        return fail_type(d, expected_for(f), vk);
    if (!check_string(d, s, len, 0))
        return 0;
    switch (f->kind) {
    case NAX__KIND_STRING: {
        const char *copy = copy_string(d, s, len);
        if (!copy)
            return fail_oom(d);
        memcpy(dst, &copy, sizeof copy);
        return 1;
    }
    case NAX__KIND_DECIMAL: return parse_decimal(d, (nax_decimal *)dst, s, len);
    case NAX__KIND_DECIMAL_PTR: {
        nax_decimal *p = nax__codec_arena_alloc(&d->arena, sizeof *p, alignof(nax_decimal));
        if (!p)
            return fail_oom(d);
        if (!parse_decimal(d, p, s, len))
            return 0;
        memcpy(dst, &p, sizeof p);
        return 1;
    }
    default: return set_enum(d, f, s, len, (int *)dst);
    }
}

/* A scalar value for the current member of an object frame. Inlined into
 * on_scalar(): as a call of its own, its register saves and restores cost
 * more than the work of most members. */
static inline __attribute__((always_inline)) int set_member(decoder *d, frame *f, value_kind vk,
                                                            const char *s, size_t len, int b)
{
    const nax__codec_field *field = f->field;
    char *dst = f->obj ? f->obj + field->offset : NULL; /* NULL for the wrapper */
    if (vk == V_NULL) {
        if (field->required)
            return FAIL(d, NAX_ESCHEMA, "required member is null");
        return 1; /* absent: the member stays zero */
    }
    switch (field->kind) {
    case NAX__KIND_STRING:
    case NAX__KIND_DECIMAL:
    case NAX__KIND_DECIMAL_PTR:
    case NAX__KIND_ENUM: return set_string_member(d, field, dst, vk, s, len);
    case NAX__KIND_INT64:
    case NAX__KIND_UINT64:
    case NAX__KIND_UINT32:
        if (vk != V_NUMBER)
            return fail_type(d, "integer", vk);
        if (!parse_integer(d, field, s, len, dst))
            return 0;
        if (field->flag_offset)
            *(int *)(f->obj + field->flag_offset) = 1;
        return 1;
    case NAX__KIND_BOOL:
        if (vk != V_BOOL)
            return fail_type(d, "boolean", vk);
        *(int *)dst = b;
        return 1;
    default: return fail_type(d, expected_for(field), vk);
    }
}

/* ---- arrays ---- */

/* Room for `size` more bytes at the end of the scratch vector, or NULL
 * (error recorded) when it cannot grow. */
static unsigned char *scratch_grow(decoder *d, size_t size)
{
    if (size > d->scratch_cap - d->scratch_len) {
        size_t cap = d->scratch_cap * 2;
        while (cap - d->scratch_len < size)
            cap *= 2;
        unsigned char *p;
        if (d->scratch == d->scratch_inline) {
            p = nax__malloc(cap);
            if (p)
                memcpy(p, d->scratch, d->scratch_len);
        } else {
            p = nax__realloc(d->scratch, cap);
        }
        if (!p) {
            fail_oom(d);
            return NULL;
        }
        d->scratch = p;
        d->scratch_cap = cap;
    }
    unsigned char *at = d->scratch + d->scratch_len;
    d->scratch_len += size;
    return at;
}

static int scratch_push_pointer(decoder *d, const void *ptr)
{
    unsigned char *at = scratch_grow(d, sizeof ptr);
    if (!at)
        return 0;
    memcpy(at, &ptr, sizeof ptr);
    return 1;
}

static int add_scope(decoder *d, frame *f, value_kind vk, const char *s, size_t len)
{
    if (vk != V_STRING)
        return fail_type(d, "string", vk);
    if (!check_string(d, s, len, 0))
        return 0;
    int bit = find_name(f->field->names, s, len);
    unsigned *set = (unsigned *)(f->obj + f->field->offset);
    if (bit >= 0 && !(*set & (1u << bit))) {
        *set |= 1u << bit;
        return 1;
    }
    char q[160];
    nax__codec_quote(q, sizeof q, s, len);
    return FAIL(d, NAX_ESCHEMA, "%s scope %s", bit < 0 ? "unknown" : "duplicate", q);
}

/* A scalar element of an array frame. */
static int add_element(decoder *d, frame *f, value_kind vk, const char *s, size_t len)
{
    switch (f->field->kind) {
    case NAX__KIND_SCOPES: return add_scope(d, f, vk, s, len);
    case NAX__KIND_STRING_ARRAY: {
        if (vk != V_STRING)
            return fail_type(d, "string", vk);
        if (!check_string(d, s, len, 0))
            return 0;
        const char *copy = copy_string(d, s, len);
        if (!copy)
            return fail_oom(d);
        return scratch_push_pointer(d, copy);
    }
    default: return fail_type(d, expected_element(f->field), vk);
    }
}

static int fail_level_size(decoder *d)
{
    return fail_at(d, d->nframes - 1, NAX_ESCHEMA,
                   "book level must be a [price, quantity] pair of 2 elements");
}

/* The price or the quantity of a book level. */
static int set_level_part(decoder *d, frame *f, value_kind vk, const char *s, size_t len)
{
    if (f->index >= 2)
        return fail_level_size(d);
    if (vk != V_STRING)
        return fail_type(d, "decimal string", vk);
    if (!check_string(d, s, len, 0))
        return 0;
    nax_book_level *level = (nax_book_level *)(d->scratch + f->scratch_start);
    return parse_decimal(d, f->index == 0 ? &level->price : &level->quantity, s, len);
}

/* Copies the gathered elements into the arena and stores pointer and count. */
static int finish_array(decoder *d, frame *f)
{
    const nax__codec_field *field = f->field;
    if (field->kind == NAX__KIND_SCOPES) {
        if (*(unsigned *)(f->obj + field->offset) == 0)
            return fail_at(d, d->nframes - 1, NAX_ESCHEMA, "must name at least one scope");
        return 1;
    }
    size_t bytes = d->scratch_len - f->scratch_start;
    void *elems = nax__codec_arena_alloc(&d->arena, bytes, 16);
    if (!elems)
        return fail_oom(d);
    if (bytes)
        memcpy(elems, d->scratch + f->scratch_start, bytes);
    memcpy(f->obj + field->offset, &elems, sizeof elems);
    size_t count = f->index;
    memcpy(f->obj + field->count_offset, &count, sizeof count);
    d->scratch_len = f->scratch_start;
    return 1;
}

/* ---- frames ---- */

static frame *top(decoder *d)
{
    return d->top;
}

static frame *push(decoder *d, frame_kind kind)
{
    if (d->nframes == MAX_FRAMES) {
        FAIL(d, NAX_ELIMIT, "nesting too deep for the schema");
        return NULL;
    }
    frame *f = &d->frames[d->nframes++];
    d->top = f;
    memset(f, 0, sizeof *f);
    f->kind = (uint8_t)kind;
    return f;
}

static int push_object(decoder *d, const nax__codec_type *type, char *obj, int is_wrapper)
{
    frame *f = push(d, FRAME_OBJECT);
    if (!f)
        return 0;
    f->type = type;
    f->obj = obj;
    f->is_wrapper = (uint8_t)is_wrapper;
    return 1;
}

/* A zeroed struct of `type` in the arena, with struct_size set. */
static char *new_struct(decoder *d, const nax__codec_type *type)
{
    char *obj = nax__codec_arena_alloc(&d->arena, type->size, 16);
    if (obj) {
        memset(obj, 0, type->size);
        memcpy(obj, &type->size, sizeof type->size);
    }
    return obj;
}

/* The value of the current member of `f` closed: move on. */
static void member_done(frame *f)
{
    if (f->kind == FRAME_OBJECT) {
        f->field = NULL;
        f->unknown = 0;
    } else {
        f->index++;
    }
}

static void pop(decoder *d)
{
    d->nframes--;
    if (d->nframes == 0) {
        d->done = 1;
    } else {
        d->top--;
        member_done(d->top);
    }
}

/* ---- yajl callbacks ---- */

static int on_scalar(decoder *d, value_kind vk, const char *s, size_t len, int b)
{
    if (d->skip)
        return vk == V_STRING ? check_string(d, s, len, 1) : 1;
    if (d->nframes == 0)
        return fail_type(d, "object", vk);
    frame *f = top(d);
    int ok;
    if (f->kind == FRAME_OBJECT) {
        if (f->unknown)
            ok = vk == V_STRING ? check_string(d, s, len, 1) : 1;
        else
            ok = set_member(d, f, vk, s, len, b);
    } else if (f->kind == FRAME_ARRAY) {
        ok = add_element(d, f, vk, s, len);
    } else {
        ok = set_level_part(d, f, vk, s, len);
    }
    if (ok)
        member_done(f);
    return ok;
}

static int cb_null(void *ctx)
{
    return on_scalar(ctx, V_NULL, NULL, 0, 0);
}

static int cb_boolean(void *ctx, int value)
{
    return on_scalar(ctx, V_BOOL, NULL, 0, value != 0);
}

static int cb_number(void *ctx, const char *s, size_t len)
{
    return on_scalar(ctx, V_NUMBER, s, len, 0);
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
    return on_scalar(ctx, V_STRING, (const char *)s, len, 0);
}

/* Opening a container: depth limit and unknown members are common to both kinds. */
static int enter(decoder *d)
{
    if (d->depth >= d->max_depth)
        return FAIL(d, NAX_ELIMIT, "nesting deeper than %u", d->max_depth);
    d->depth++;
    if (d->skip) {
        d->skip++;
        return 1;
    }
    if (d->nframes > 0 && top(d)->kind == FRAME_OBJECT && top(d)->unknown) {
        d->skip = 1;
        return 1;
    }
    return 1;
}

static int start_root(decoder *d)
{
    if (!d->root_type->wrapper)
        return push_object(d, d->root_type, d->root, 0);
    return push_object(d, &d->wrapper_type, NULL, 1);
}

static int cb_start_map(void *ctx)
{
    decoder *d = ctx;
    if (!enter(d))
        return 0;
    if (d->skip)
        return 1;
    if (d->nframes == 0)
        return start_root(d);
    frame *f = top(d);
    if (f->kind == FRAME_LEVEL)
        return f->index >= 2 ? fail_level_size(d) : fail_type(d, "decimal string", V_OBJECT);
    if (f->kind == FRAME_ARRAY) {
        if (f->field->kind != NAX__KIND_OBJECT_ARRAY)
            return fail_type(d, expected_element(f->field), V_OBJECT);
        char *obj = new_struct(d, f->field->nested);
        if (!obj)
            return fail_oom(d);
        return scratch_push_pointer(d, obj) && push_object(d, f->field->nested, obj, 0);
    }
    if (f->field->kind != NAX__KIND_OBJECT)
        return fail_type(d, expected_for(f->field), V_OBJECT);
    if (f->is_wrapper)
        return push_object(d, d->root_type, d->root, 0);
    char *obj = new_struct(d, f->field->nested);
    if (!obj)
        return fail_oom(d);
    memcpy(f->obj + f->field->offset, &obj, sizeof obj);
    return push_object(d, f->field->nested, obj, 0);
}

static int is_array_kind(uint8_t kind)
{
    return kind == NAX__KIND_OBJECT_ARRAY || kind == NAX__KIND_LEVELS ||
           kind == NAX__KIND_STRING_ARRAY || kind == NAX__KIND_SCOPES;
}

static int cb_start_array(void *ctx)
{
    decoder *d = ctx;
    if (!enter(d))
        return 0;
    if (d->skip)
        return 1;
    if (d->nframes == 0)
        return fail_type(d, "object", V_ARRAY);
    frame *f = top(d);
    if (f->kind == FRAME_LEVEL)
        return f->index >= 2 ? fail_level_size(d) : fail_type(d, "decimal string", V_ARRAY);
    if (f->kind == FRAME_ARRAY) {
        if (f->field->kind != NAX__KIND_LEVELS)
            return fail_type(d, expected_element(f->field), V_ARRAY);
        unsigned char *at = scratch_grow(d, sizeof(nax_book_level));
        if (!at)
            return 0;
        memset(at, 0, sizeof(nax_book_level));
        frame *level = push(d, FRAME_LEVEL);
        if (!level)
            return 0;
        level->scratch_start = (size_t)(at - d->scratch);
        return 1;
    }
    if (!is_array_kind(f->field->kind))
        return fail_type(d, expected_for(f->field), V_ARRAY);
    const nax__codec_field *field = f->field;
    char *owner = f->obj;
    frame *a = push(d, FRAME_ARRAY);
    if (!a)
        return 0;
    a->field = field;
    a->obj = owner;
    a->scratch_start = d->scratch_len;
    return 1;
}

/* Leaving a container inside an unknown member. */
static int leave_skipped(decoder *d)
{
    d->depth--;
    if (--d->skip == 0)
        member_done(top(d));
    return 1;
}

static int check_required(decoder *d, frame *f)
{
    const nax__codec_type *t = f->type;
    /* Only the members not seen, usually none or a few optional ones. */
    uint32_t all = t->field_count == 32 ? UINT32_MAX : (1u << t->field_count) - 1;
    for (uint32_t missing = all & ~f->seen; missing; missing &= missing - 1) {
        unsigned i = (unsigned)__builtin_ctz(missing);
        if (t->fields[i].required) {
            f->field = &t->fields[i];
            return FAIL(d, NAX_ESCHEMA, "missing required member");
        }
    }
    return 1;
}

static int run_validate(decoder *d, frame *f)
{
    nax__codec_path path;
    build_path(d, d->nframes - 1, &path);
    int rc = f->type->validate(f->obj, &path, NAX_ESCHEMA);
    if (rc) {
        d->err = rc;
        return 0;
    }
    return 1;
}

static int cb_end_map(void *ctx)
{
    decoder *d = ctx;
    if (d->skip)
        return leave_skipped(d);
    d->depth--;
    frame *f = top(d);
    if (!check_required(d, f))
        return 0;
    if (f->type->validate && !run_validate(d, f))
        return 0;
    pop(d);
    return 1;
}

static int cb_end_array(void *ctx)
{
    decoder *d = ctx;
    if (d->skip)
        return leave_skipped(d);
    d->depth--;
    frame *f = top(d);
    if (f->kind == FRAME_LEVEL) {
        if (f->index != 2)
            return fail_level_size(d);
    } else if (!finish_array(d, f)) {
        return 0;
    }
    pop(d);
    return 1;
}

/* Keeps the name of an unknown member for error paths: shortened at a
 * character boundary, control characters shown as '?'. */
static void remember_unknown_key(decoder *d, const char *key, size_t len)
{
    size_t n = len;
    if (n > UNKNOWN_KEY_MAX) {
        n = UNKNOWN_KEY_MAX;
        while (n > 0 && ((unsigned char)key[n] & 0xc0) == 0x80)
            n--;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)key[i];
        d->unknown_key[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    d->unknown_len = n;
}

/* Table index of the member named key/len, or -1. Members usually arrive in
 * table order (our encoder writes them so): the one after the previous
 * member is tried before the table is searched. */
static int lookup_member(const frame *f, const char *key, size_t len)
{
    const nax__codec_type *t = f->type;
    if (f->hint < t->field_count) {
        const nax__codec_field *next = &t->fields[f->hint];
        if (next->name_len == len && nax__codec_same_bytes(next->name, key, len))
            return f->hint;
    }
    const nax__codec_field *field = nax__codec_find_field(t, key, len, f->hint);
    return field ? (int)(field - t->fields) : -1;
}

static int cb_map_key(void *ctx, const unsigned char *key, size_t len)
{
    decoder *d = ctx;
    if (d->skip)
        return check_string(d, (const char *)key, len, 1);
    frame *f = top(d);
    int found = lookup_member(f, (const char *)key, len);
    if (found < 0) {
        if (!check_string(d, (const char *)key, len, 1))
            return 0;
        remember_unknown_key(d, (const char *)key, len);
        f->unknown = 1;
        return 1;
    }
    unsigned i = (unsigned)found;
    f->field = &f->type->fields[i];
    if (f->seen & (1u << i))
        return FAIL(d, NAX_ESCHEMA, "duplicate member");
    f->seen |= 1u << i;
    f->hint = (uint8_t)(i + 1);
    return 1;
}

static const yajl_callbacks callbacks = {
    cb_null,      cb_boolean, NULL,       NULL,           cb_number,    cb_string,
    cb_start_map, cb_map_key, cb_end_map, cb_start_array, cb_end_array,
};

/* ---- driver ---- */

#define TEXT_NON_ASCII 1u /* some byte is above 0x7f */
#define TEXT_CONTROL   2u /* some byte is below 0x20 */

/* One pass over the text, eight bytes at a time, for what the decoder needs
 * to know about all of it. Compact JSON has no byte below 0x20, so the
 * search for \v and \f is needed only when this finds one. A byte below
 * 0x20 is the only kind for which x - 0x20 sets the high bit while ~x has
 * it set too (borrows only reach bytes after a flagged one). */
static unsigned scan_text(const char *text, size_t len)
{
    uint64_t high = 0, low = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, text + i, 8);
        high |= w;
        low |= (w - 0x2020202020202020u) & ~w;
    }
    for (; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        high |= c;
        low |= c < 0x20 ? 0x80u : 0;
    }
    return (high & 0x8080808080808080u ? TEXT_NON_ASCII : 0) |
           (low & 0x8080808080808080u ? TEXT_CONTROL : 0);
}

/* yajl accepts \v and \f as whitespace; JSON does not (and they are invalid
 * inside strings too), so any such byte is an error. */
static int reject_bad_whitespace(const char *json, size_t len)
{
    const char *v = memchr(json, '\v', len);
    const char *f = memchr(json, '\f', len);
    const char *bad = v && (!f || v < f) ? v : f;
    if (!bad)
        return 0;
    return nax__error_field(NAX_EJSON, "",
                            "invalid JSON at offset %zu (control character outside a string)",
                            (size_t)(bad - json));
}

/* Turns yajl's syntax error into NAX_EJSON with the byte offset. */
static int syntax_error(decoder *d, size_t offset)
{
    unsigned char *text = yajl_get_error(d->handle, 0, NULL, 0);
    char reason[160] = "syntax error";
    if (text) {
        size_t n = strcspn((const char *)text, "\n");
        if (n >= sizeof reason)
            n = sizeof reason - 1;
        memcpy(reason, text, n);
        reason[n] = '\0';
        yajl_free_error(d->handle, text);
    }
    FAIL(d, NAX_EJSON, "invalid JSON at offset %zu (%s)", offset, reason);
    return d->err;
}

static int run_parser(decoder *d)
{
    yajl_status st = yajl_parse(d->handle, (const unsigned char *)d->input, d->input_len);
    size_t offset = yajl_get_bytes_consumed(d->handle);
    /* Once the root has closed, yajl_parse() has also checked that only
     * whitespace follows; otherwise the text ended early and
     * yajl_complete_parse() reports the truncation. */
    if (st == yajl_status_ok && !d->done) {
        st = yajl_complete_parse(d->handle);
        offset = d->input_len;
    }
    if (st == yajl_status_client_canceled)
        return d->err ? d->err : nax__error(NAX_ERROR, "decoding stopped without a reason");
    if (st != yajl_status_ok)
        return syntax_error(d, offset);
    if (!d->done)
        return nax__error(NAX_EJSON, "invalid JSON (no complete object)");
    return 0;
}

static int check_options(const nax_decode_options *opts, size_t *max_bytes, unsigned *max_depth)
{
    *max_bytes = NAX_DECODE_DEFAULT_MAX_BYTES;
    *max_depth = NAX_DECODE_DEFAULT_MAX_DEPTH;
    if (!opts)
        return 0;
    if (opts->version != NAX_DECODE_OPTIONS_VERSION)
        return nax__error(NAX_EVERSION, "unknown nax_decode_options version %u", opts->version);
    if (opts->max_bytes)
        *max_bytes = opts->max_bytes;
    if (opts->max_depth)
        *max_depth = opts->max_depth;
    return 0;
}

static void setup_wrapper(decoder *d)
{
    const char *name = d->root_type->wrapper;
    nax__codec_field *w = &d->wrapper_field;
    memset(w, 0, sizeof *w);
    memset(&d->wrapper_type, 0, sizeof d->wrapper_type);
    w->name = name;
    w->name_len = (uint8_t)strlen(name);
    w->kind = NAX__KIND_OBJECT;
    w->required = 1;
    w->nested = d->root_type;
    d->wrapper_type.name = name;
    d->wrapper_type.fields = w;
    d->wrapper_type.field_count = 1;
}

static int decode_text(decoder *d)
{
    nax__codec_pool pool;
    yajl_alloc_funcs afs;
    nax__codec_pool_init(&pool, &afs);
    d->handle = yajl_alloc(&callbacks, &afs, d);
    if (!d->handle)
        return nax__error_oom();
    /* yajl's defaults are the strict ones we want (no comments, UTF-8
     * validation on, no trailing garbage, one value, no partial values);
     * yajl_config() is left out because it costs more than a small parse's
     * share of work. The rejection tests pin each of these behaviours. */
    int rc = run_parser(d);
    yajl_free(d->handle);
    return rc;
}

int nax_decode(void *out, nax_type type, const char *json, size_t len,
               const nax_decode_options *opts)
{
    void *result = NULL;
    if (!out)
        return nax__error(NAX_EINVAL, "nax_decode: out is NULL");
    memcpy(out, &result, sizeof result);
    const nax__codec_type *t = nax__codec_type_of(type);
    if (!t)
        return nax__error(NAX_EINVAL, "nax_decode: unknown type %d", (int)type);
    if (!json)
        return nax__error(NAX_EINVAL, "nax_decode: json is NULL");
    size_t max_bytes;
    unsigned max_depth;
    int rc = check_options(opts, &max_bytes, &max_depth);
    if (rc)
        return rc;
    if (len > max_bytes)
        return nax__error_field(NAX_ELIMIT, "", "input of %zu bytes is over the limit of %zu", len,
                                max_bytes);
    unsigned text = scan_text(json, len);
    if (text & TEXT_CONTROL) {
        rc = reject_bad_whitespace(json, len);
        if (rc)
            return rc;
    }

    /* Every member before `frames` is set here; the rest is written before
     * it is read. (A memset of the head costs more than a small parse's
     * share of the work.) */
    decoder dec;
    decoder *d = &dec;
    d->handle = NULL;
    d->input = json;
    d->input_len = len;
    d->max_depth = max_depth;
    d->depth = d->skip = 0;
    d->err = d->done = 0;
    d->ascii = !(text & TEXT_NON_ASCII);
    d->root_type = t;
    d->nframes = 0;
    d->top = NULL;
    d->scratch = d->scratch_inline;
    d->scratch_len = 0;
    d->scratch_cap = sizeof d->scratch_inline;
    if (t->wrapper)
        setup_wrapper(d);
    d->root = nax__codec_arena_init(&d->arena, t->size, len);
    if (!d->root)
        return nax__error_oom();
    memcpy(d->root, &t->size, sizeof t->size);

    rc = decode_text(d);
    if (d->scratch != d->scratch_inline)
        nax__free(d->scratch);
    if (rc) {
        nax__codec_arena_destroy(&d->arena);
        return rc;
    }
    memcpy(out, &d->root, sizeof d->root);
    return 0;
}

int nax_decode_options_init(nax_decode_options *opts, unsigned int version)
{
    if (!opts)
        return nax__error(NAX_EINVAL, "nax_decode_options_init: opts is NULL");
    if (version != NAX_DECODE_OPTIONS_VERSION)
        return nax__error(NAX_EVERSION, "unknown nax_decode_options version %u", version);
    nax_decode_options init = NAX_DECODE_OPTIONS_INIT;
    *opts = init;
    return 0;
}

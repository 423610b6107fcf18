/*
 * nax_encode(): compact JSON through yajl_gen, printing straight into the
 * caller's nax_buf. Members come in field-table order and absent optional
 * members are left out, so equal structs always give equal bytes.
 */
#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "codec_internal.h"
#include "core/core.h"
#include "decimal/decimal_internal.h"

/* Returns the error code of `expr` when it fails. */
#define TRY(expr)                                                                                  \
    do {                                                                                           \
        int try_rc_ = (expr);                                                                      \
        if (try_rc_)                                                                               \
            return try_rc_;                                                                        \
    } while (0)

/* yajl_gen prints in small pieces (a quote, a comma, a key): they are
 * gathered here and appended to the caller's buffer in large ones. */
#define STAGE_SIZE 1024

/* The JSON path of the member being written, kept as segments and turned
 * into text only when something fails. */
#define MAX_SEGMENTS 16

typedef struct segment {
    const char *name; /* a member name, or NULL for an array index */
    size_t value;     /* the name's length, or the index */
} segment;

typedef struct encoder {
    yajl_gen gen;
    nax_buf *out;
    int oom;
    size_t staged;
    unsigned depth;
    segment path[MAX_SEGMENTS];
    char stage[STAGE_SIZE];
} encoder;

static void enter_member(encoder *e, const char *name, size_t len)
{
    if (e->depth < MAX_SEGMENTS)
        e->path[e->depth] = (segment){name, len};
    e->depth++;
}

static void enter_index(encoder *e, size_t index)
{
    if (e->depth < MAX_SEGMENTS)
        e->path[e->depth] = (segment){NULL, index};
    e->depth++;
}

static void leave(encoder *e)
{
    e->depth--;
}

static void build_path(const encoder *e, nax__codec_path *path)
{
    nax__codec_path_init(path);
    for (unsigned i = 0; i < e->depth && i < MAX_SEGMENTS; i++) {
        if (e->path[i].name)
            nax__codec_path_member(path, e->path[i].name, e->path[i].value);
        else
            nax__codec_path_index(path, e->path[i].value);
    }
}

/* Records `path: reason` for the member being written; returns code. */
static int fail(const encoder *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(const encoder *e, int code, const char *fmt, ...)
{
    nax__codec_path path;
    char reason[256];
    va_list ap;
    build_path(e, &path);
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return nax__codec_fail(code, &path, "%s", reason);
}

static void flush_stage(encoder *e)
{
    if (e->staged && !e->oom && nax__buf_append(e->out, e->stage, e->staged) != 0)
        e->oom = 1;
    e->staged = 0;
}

static void print_to_buf(void *ctx, const char *s, size_t len)
{
    encoder *e = ctx;
    if (len > STAGE_SIZE - e->staged) {
        flush_stage(e);
        if (len > STAGE_SIZE / 2) {
            if (!e->oom && nax__buf_append(e->out, s, len) != 0)
                e->oom = 1;
            return;
        }
    }
    /* Most pieces are a byte or two: no call to memcpy for those. */
    if (len <= 8)
        for (size_t i = 0; i < len; i++)
            e->stage[e->staged + i] = s[i];
    else
        memcpy(e->stage + e->staged, s, len);
    e->staged += len;
}

/* yajl_gen only fails here on a misuse of its state machine. */
static int gen_check(encoder *e, yajl_gen_status st)
{
    if (st == yajl_gen_status_ok)
        return 0;
    return fail(e, NAX_ERROR, "JSON generator failed (status %d)", (int)st);
}

static int put_key(encoder *e, const nax__codec_field *f)
{
    return gen_check(e, yajl_gen_string(e->gen, (const unsigned char *)f->name, f->name_len));
}

static int put_string(encoder *e, const char *s)
{
    size_t len = strlen(s);
    size_t bad = nax__codec_utf8_check((const unsigned char *)s, len);
    if (bad != len)
        return fail(e, NAX_EINVAL, "invalid UTF-8 at byte %zu", bad);
    return gen_check(e, yajl_gen_string(e->gen, (const unsigned char *)s, len));
}

static int put_decimal(encoder *e, const nax_decimal *d)
{
    char text[NAX_DECIMAL_STRING_MAX];
    if (!nax__dec_valid(d))
        return fail(e, NAX_EINVAL, "not a valid nax_decimal");
    size_t len = nax__dec_format(text, d);
    return gen_check(e, yajl_gen_string(e->gen, (const unsigned char *)text, len));
}

static int put_number_text(encoder *e, const char *text, size_t len)
{
    return gen_check(e, yajl_gen_number(e->gen, text, len));
}

/* ---- struct_size ---- */

/* Where a member ends, counting its _count and presence flag. */
static size_t member_end(const nax__codec_field *f)
{
    size_t end = f->offset + nax__codec_kind_size(f->kind);
    if (f->count_offset && (size_t)f->count_offset + sizeof(size_t) > end)
        end = (size_t)f->count_offset + sizeof(size_t);
    if (f->flag_offset && (size_t)f->flag_offset + sizeof(int) > end)
        end = (size_t)f->flag_offset + sizeof(int);
    return end;
}

/* Copies the members of an older, smaller struct that lie wholly inside its
 * struct_size into a zeroed struct of the current size; members that end
 * beyond it stay zero, that is absent. */
static void upgrade_struct(const nax__codec_type *t, const char *old, size_t old_size, char *full)
{
    memset(full, 0, t->size);
    memcpy(full, &old_size, sizeof old_size);
    for (unsigned i = 0; i < t->field_count; i++) {
        const nax__codec_field *f = &t->fields[i];
        if (member_end(f) > old_size)
            continue;
        memcpy(full + f->offset, old + f->offset, nax__codec_kind_size(f->kind));
        if (f->count_offset)
            memcpy(full + f->count_offset, old + f->count_offset, sizeof(size_t));
        if (f->flag_offset)
            memcpy(full + f->flag_offset, old + f->flag_offset, sizeof(int));
    }
}

static int check_struct_size(encoder *e, const nax__codec_type *t, size_t size)
{
    if (size >= sizeof(size_t) && size <= t->size)
        return 0;
    return fail(e, NAX_EVERSION, "struct_size %zu of %s is not supported (this library's is %zu)",
                size, t->name, t->size);
}

/* ---- members ---- */

static int encode_object(encoder *e, const nax__codec_type *t, const void *obj);

/* An absent member: fine when optional. */
static int absent(encoder *e, const nax__codec_field *f)
{
    if (!f->required)
        return 0;
    return fail(e, NAX_EINVAL, "missing required member");
}

static int put_enum(encoder *e, const nax__codec_field *f, int v)
{
    if (v <= 0 || v >= f->names->count)
        return fail(e, NAX_EINVAL, "invalid enum value %d", v);
    return put_string(e, f->names->names[v]);
}

static int put_scopes(encoder *e, const nax__codec_field *f, unsigned set)
{
    unsigned known = (1u << f->names->count) - 1;
    if (set & ~known)
        return fail(e, NAX_EINVAL, "unknown scope bits 0x%x", set & ~known);
    TRY(gen_check(e, yajl_gen_array_open(e->gen)));
    for (unsigned i = 0; i < f->names->count; i++)
        if (set & (1u << i))
            TRY(put_string(e, f->names->names[i]));
    return gen_check(e, yajl_gen_array_close(e->gen));
}

/* Element `which` (0 price, 1 quantity) of a book level, with its path. */
static int put_level_part(encoder *e, const nax_decimal *d, size_t which)
{
    enter_index(e, which);
    int rc = put_decimal(e, d);
    leave(e);
    return rc;
}

static int put_level(encoder *e, const nax_book_level *level)
{
    TRY(gen_check(e, yajl_gen_array_open(e->gen)));
    TRY(put_level_part(e, &level->price, 0));
    TRY(put_level_part(e, &level->quantity, 1));
    return gen_check(e, yajl_gen_array_close(e->gen));
}

/* Element i of an array member. */
static int put_element(encoder *e, const nax__codec_field *f, const void *elems, size_t i)
{
    if (f->kind == NAX__KIND_LEVELS)
        return put_level(e, (const nax_book_level *)elems + i);
    const void *item = ((const void *const *)elems)[i];
    if (!item)
        return fail(e, NAX_EINVAL, "NULL element");
    if (f->kind == NAX__KIND_STRING_ARRAY)
        return put_string(e, item);
    return encode_object(e, f->nested, item);
}

/* An array member; `base` is the struct holding its pointer and count. */
static int put_array(encoder *e, const nax__codec_field *f, const char *base)
{
    const void *elems;
    size_t count;
    memcpy(&elems, base + f->offset, sizeof elems);
    memcpy(&count, base + f->count_offset, sizeof count);
    if (!elems && count)
        return fail(e, NAX_EINVAL, "NULL array with %zu elements", count);
    if (!elems && !f->required)
        return 0; /* absent; a required list that is NULL is written as [] */
    TRY(put_key(e, f));
    TRY(gen_check(e, yajl_gen_array_open(e->gen)));
    for (size_t i = 0; i < count; i++) {
        enter_index(e, i);
        int rc = put_element(e, f, elems, i);
        leave(e);
        if (rc)
            return rc;
    }
    return gen_check(e, yajl_gen_array_close(e->gen));
}

static int put_int_text(encoder *e, const nax__codec_field *f, int negative, uint64_t mag)
{
    char text[24];
    text[0] = '-';
    size_t len = (size_t)negative + nax__codec_format_u64(text + negative, mag);
    TRY(put_key(e, f));
    return put_number_text(e, text, len);
}

/* Integers, booleans and enums: 0 is absent unless required. */
static int put_small(encoder *e, const nax__codec_field *f, const char *base)
{
    const char *p = base + f->offset;
    int64_t i64;
    uint64_t u64;
    uint32_t u32;
    int iv;
    switch (f->kind) {
    case NAX__KIND_INT64:
        memcpy(&i64, p, sizeof i64);
        if (!i64 && !f->required)
            return 0;
        /* The magnitude of INT64_MIN does not fit in int64_t: negate unsigned. */
        return put_int_text(e, f, i64 < 0, i64 < 0 ? 0 - (uint64_t)i64 : (uint64_t)i64);
    case NAX__KIND_UINT64:
        memcpy(&u64, p, sizeof u64);
        if (!u64 && !f->required)
            return 0;
        return put_int_text(e, f, 0, u64);
    case NAX__KIND_UINT32:
        memcpy(&u32, p, sizeof u32);
        if (f->flag_offset && !*(const int *)(base + f->flag_offset))
            return 0;
        return put_int_text(e, f, 0, u32);
    case NAX__KIND_BOOL:
        memcpy(&iv, p, sizeof iv);
        if (!iv && !f->required)
            return 0;
        TRY(put_key(e, f));
        return gen_check(e, yajl_gen_bool(e->gen, iv != 0));
    default: /* NAX__KIND_ENUM */
        memcpy(&iv, p, sizeof iv);
        if (!iv)
            return absent(e, f);
        TRY(put_key(e, f));
        return put_enum(e, f, iv);
    }
}

/* Members held by pointer (strings, optional decimals, objects) and scope sets. */
static int put_pointer(encoder *e, const nax__codec_field *f, const char *base)
{
    const void *ptr;
    if (f->kind == NAX__KIND_SCOPES) {
        unsigned set;
        memcpy(&set, base + f->offset, sizeof set);
        if (!set)
            return absent(e, f);
        TRY(put_key(e, f));
        return put_scopes(e, f, set);
    }
    memcpy(&ptr, base + f->offset, sizeof ptr);
    if (!ptr)
        return absent(e, f);
    TRY(put_key(e, f));
    switch (f->kind) {
    case NAX__KIND_STRING: return put_string(e, ptr);
    case NAX__KIND_DECIMAL_PTR: return put_decimal(e, ptr);
    default: return encode_object(e, f->nested, ptr);
    }
}

static int put_member(encoder *e, const nax__codec_field *f, const char *base)
{
    switch (f->kind) {
    case NAX__KIND_DECIMAL:
        TRY(put_key(e, f));
        return put_decimal(e, (const nax_decimal *)(base + f->offset));
    case NAX__KIND_INT64:
    case NAX__KIND_UINT64:
    case NAX__KIND_UINT32:
    case NAX__KIND_BOOL:
    case NAX__KIND_ENUM: return put_small(e, f, base);
    case NAX__KIND_OBJECT_ARRAY:
    case NAX__KIND_LEVELS:
    case NAX__KIND_STRING_ARRAY: return put_array(e, f, base);
    default: return put_pointer(e, f, base);
    }
}

/* `size` is the caller's struct_size: members beyond it are absent, which
 * matters for required numbers, whose zero would otherwise be written. */
static int encode_members(encoder *e, const nax__codec_type *t, const char *base, size_t size)
{
    TRY(gen_check(e, yajl_gen_map_open(e->gen)));
    for (unsigned i = 0; i < t->field_count; i++) {
        const nax__codec_field *f = &t->fields[i];
        enter_member(e, f->name, f->name_len);
        int rc = size < t->size && member_end(f) > size ? absent(e, f) : put_member(e, f, base);
        leave(e);
        if (rc)
            return rc;
    }
    return gen_check(e, yajl_gen_map_close(e->gen));
}

static int encode_object(encoder *e, const nax__codec_type *t, const void *obj)
{
    size_t size;
    memcpy(&size, obj, sizeof size);
    int rc = check_struct_size(e, t, size);
    if (rc)
        return rc;
    alignas(16) char full[NAX__CODEC_MAX_STRUCT];
    const char *base = obj;
    if (size < t->size) {
        upgrade_struct(t, obj, size, full);
        base = full;
    }
    TRY(encode_members(e, t, base, size));
    /* After the members, so a missing required member is reported as such. */
    if (!t->validate)
        return 0;
    nax__codec_path path;
    build_path(e, &path);
    return t->validate(base, &path, NAX_EINVAL);
}

/* The root, inside its wrapper member when the type has one. */
static int encode_root(encoder *e, const nax__codec_type *t, const void *obj)
{
    if (!t->wrapper)
        return encode_object(e, t, obj);
    size_t wlen = strlen(t->wrapper);
    TRY(gen_check(e, yajl_gen_map_open(e->gen)));
    TRY(gen_check(e, yajl_gen_string(e->gen, (const unsigned char *)t->wrapper, wlen)));
    enter_member(e, t->wrapper, wlen);
    int rc = encode_object(e, t, obj);
    leave(e);
    if (rc)
        return rc;
    return gen_check(e, yajl_gen_map_close(e->gen));
}

static int run_generator(encoder *e, const nax__codec_type *t, const void *obj)
{
    nax__codec_pool pool;
    yajl_alloc_funcs afs;
    nax__codec_pool_init(&pool, &afs);
    e->gen = yajl_gen_alloc(&afs);
    if (!e->gen)
        return nax__error_oom();
    yajl_gen_config(e->gen, yajl_gen_beautify, 0);
    yajl_gen_config(e->gen, yajl_gen_validate_utf8, 1);
    yajl_gen_config(e->gen, yajl_gen_print_callback, print_to_buf, e);
    int rc = encode_root(e, t, obj);
    flush_stage(e);
    yajl_gen_free(e->gen);
    if (!rc && e->oom)
        rc = nax__error_oom();
    return rc;
}

int nax_encode(nax_buf *out, nax_type type, const void *obj)
{
    if (!out)
        return nax__error(NAX_EINVAL, "nax_encode: out is NULL");
    nax__buf_reset(out);
    const nax__codec_type *t = nax__codec_type_of(type);
    if (!t)
        return nax__error(NAX_EINVAL, "nax_encode: unknown type %d", (int)type);
    if (!obj)
        return nax__error(NAX_EINVAL, "nax_encode: obj is NULL");
    encoder e;
    e.out = out;
    e.oom = 0;
    e.staged = 0;
    e.depth = 0;
    int rc = run_generator(&e, t, obj);
    if (rc)
        nax__buf_reset(out);
    return rc;
}

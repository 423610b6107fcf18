/*
 * Internal view of the codec: the schema tables that drive decoding and
 * encoding, the JSON path used in error messages, the per-object arena and
 * strict UTF-8 checking. Never installed.
 *
 * Every contract struct is described once, by a nax__codec_type holding one
 * nax__codec_field per member; decode.c and encode.c walk these tables, so a
 * new member is one line in schema.c.
 */
#ifndef NAX_CODEC_CODEC_INTERNAL_H
#define NAX_CODEC_CODEC_INTERNAL_H

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <yajl/yajl_common.h>

#include "decimal/decimal_internal.h"
#include "nax/codec.h"
#include "nax/types.h"

/* ---- schema -------------------------------------------------------------- */

/* How a member is stored in its struct and written in JSON. */
typedef enum nax__codec_kind {
    NAX__KIND_STRING,       /* const char *, JSON string; NULL when absent */
    NAX__KIND_DECIMAL,      /* nax_decimal inline, JSON decimal string */
    NAX__KIND_DECIMAL_PTR,  /* const nax_decimal *, JSON decimal string; NULL when absent */
    NAX__KIND_INT64,        /* int64_t, JSON integer */
    NAX__KIND_UINT64,       /* uint64_t, JSON integer */
    NAX__KIND_UINT32,       /* uint32_t, JSON integer */
    NAX__KIND_BOOL,         /* int, JSON true/false */
    NAX__KIND_ENUM,         /* int-sized enum, JSON string from a name table; 0 when absent */
    NAX__KIND_SCOPES,       /* unsigned int bit set, JSON array of names; 0 when absent */
    NAX__KIND_OBJECT,       /* const T *, JSON object; NULL when absent */
    NAX__KIND_OBJECT_ARRAY, /* const T *const * plus size_t count, JSON array of objects */
    NAX__KIND_LEVELS,       /* const nax_book_level * plus count, JSON [[price, qty], ...] */
    NAX__KIND_STRING_ARRAY  /* const char *const * plus count, JSON array of strings */
} nax__codec_kind;

/* JSON spellings of an enum's values; names[0] is NULL (0 means absent).
 * For NAX__KIND_SCOPES names[i] spells bit (1u << i) instead. */
typedef struct nax__codec_enum {
    const char *const *names;
    uint8_t count; /* entries in names */
} nax__codec_enum;

struct nax__codec_type;

typedef struct nax__codec_field {
    const char *name;      /* JSON member name (also the C member name) */
    uint8_t name_len;      /* strlen(name) */
    uint8_t kind;          /* nax__codec_kind */
    uint8_t required;      /* 1 when the member must be present */
    uint16_t offset;       /* offsetof the member */
    uint16_t count_offset; /* arrays: offsetof the _count member */
    uint16_t flag_offset;  /* offsetof an int "present" flag (has_checksum), 0 for none */
    const struct nax__codec_type *nested; /* OBJECT and OBJECT_ARRAY element type */
    const nax__codec_enum *names;         /* ENUM and SCOPES */
} nax__codec_field;

typedef struct nax__codec_path nax__codec_path;

/* Cross-member rules a field table cannot say (e.g. "price is required for
 * limit orders"). Runs after a decoded object is complete (code NAX_ESCHEMA)
 * and before an object is encoded (code NAX_EINVAL); reports a failure with
 * nax__codec_fail() on `path`, which names the object, and returns its code. */
typedef int (*nax__codec_validate_fn)(const void *obj, nax__codec_path *path, int code);

typedef struct nax__codec_type {
    const char *name; /* nax_type_name(), or the member's type for nested-only types */
    size_t size;      /* sizeof the struct */
    const nax__codec_field *fields;
    uint8_t field_count;
    const char *wrapper;             /* member the object is wrapped in ("error"), or NULL */
    nax__codec_validate_fn validate; /* NULL when the field table says it all */
} nax__codec_type;

/* Largest sizeof of any contract struct (checked by static assertions). */
#define NAX__CODEC_MAX_STRUCT 256
/* Most members of any contract struct: the decoder's seen-set is 32 bits. */
#define NAX__CODEC_MAX_FIELDS 32

/* The descriptor of a public type, or NULL for NAX_TYPE_NONE and unknown values. */
const nax__codec_type *nax__codec_type_of(nax_type type);

/* Bytes a member of this kind occupies at its offset (arrays: the pointer only). */
size_t nax__codec_kind_size(nax__codec_kind kind);

static inline uint64_t nax__codec_load64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint32_t nax__codec_load32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* 1 when the n bytes at a and b are equal. Member names are short: a few
 * overlapping word loads inline beat a byte loop and a call to memcmp(). */
static inline int nax__codec_same_bytes(const char *a, const char *b, size_t n)
{
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8)
            if (nax__codec_load64(a + i) != nax__codec_load64(b + i))
                return 0;
        return nax__codec_load64(a + n - 8) == nax__codec_load64(b + n - 8);
    }
    if (n >= 4)
        return nax__codec_load32(a) == nax__codec_load32(b) &&
               nax__codec_load32(a + n - 4) == nax__codec_load32(b + n - 4);
    /* 0 to 3 bytes: the first, middle and last cover them all. */
    return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

/* The member named name/len, or NULL. `hint` is the index to try first (the
 * member after the previous one, since encoders write in table order). */
const nax__codec_field *nax__codec_find_field(const nax__codec_type *type, const char *name,
                                              size_t len, unsigned hint);

/* ---- JSON paths in error messages ----------------------------------------- */

#define NAX__CODEC_PATH_MAX 192

/* A JSON path such as `orders[2].price`, built segment by segment. Overlong
 * paths are cut short; pushing and popping still pair up. */
struct nax__codec_path {
    char text[NAX__CODEC_PATH_MAX];
    size_t len;
};

void nax__codec_path_init(nax__codec_path *p);
/* Append `.name` (just `name` at the root); returns the length to pop back to. */
size_t nax__codec_path_member(nax__codec_path *p, const char *name, size_t len);
/* Append `[index]`; returns the length to pop back to. */
size_t nax__codec_path_index(nax__codec_path *p, size_t index);
void nax__codec_path_pop(nax__codec_path *p, size_t len);

/* Writes the decimal digits of v (no NUL, at most 20) and returns how many. */
size_t nax__codec_format_u64(char *out, uint64_t v);

/* Records `path: reason` (just `reason` at the root) as this thread's error
 * with nax_error::field = path; returns code. */
int nax__codec_fail(int code, const nax__codec_path *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Writes `text` (len bytes) quoted and shortened for an error message:
 * printable ASCII kept, anything else as \xNN, at most ~32 characters. */
void nax__codec_quote(char *out, size_t out_size, const char *text, size_t len);

/* ---- strict UTF-8 ---------------------------------------------------------- */

/* Offset of the first byte that is not part of well-formed UTF-8 (RFC 3629:
 * no overlong forms, no surrogates, nothing above U+10FFFF), or len when all
 * of it is well-formed. */
size_t nax__codec_utf8_check(const unsigned char *s, size_t len);
/* Length of the well-formed UTF-8 sequence at s[0] (a byte >= 0x80, at most
 * `avail` bytes available), or 0 when it is malformed or cut short. */
size_t nax__utf8_sequence(const unsigned char *s, size_t avail);

/* ---- decimals ---------------------------------------------------------------- */

/* ---- checksums ------------------------------------------------------------- */

/* CRC-32 as zlib's crc32(): start with 0, feed pieces by passing the previous
 * result back in. */
uint32_t nax__codec_crc32(uint32_t crc, const void *data, size_t len);

/* ---- memory for yajl handles ----------------------------------------------- */

/* A small stack-allocated pool for one yajl parser or generator (yajl_pool.c).
 * The pool must outlive the handle. */
typedef struct nax__codec_pool {
    alignas(16) unsigned char mem[3072];
    size_t used;
} nax__codec_pool;

/* Empties the pool and fills `afs` with functions allocating from it, falling
 * back to nax__malloc & co when it is full. */
void nax__codec_pool_init(nax__codec_pool *pool, yajl_alloc_funcs *afs);

/* ---- the arena behind every decoded object -------------------------------- */

/* Bump allocator whose chunks all hang off a header placed just before the
 * root struct, so nax_object_free(root) can release everything at once. */
typedef struct nax__codec_arena {
    char *cur;        /* next free byte in the current chunk */
    char *end;        /* end of the current chunk */
    size_t next_size; /* payload size of the next chunk */
    void *first;      /* the first chunk (the header), NULL before init */
} nax__codec_arena;

/* Allocates the first chunk sized for a JSON text of `input_len` bytes and
 * returns the zeroed root struct of `root_size` bytes placed right after the
 * header, or NULL on allocation failure. */
void *nax__codec_arena_init(nax__codec_arena *a, size_t root_size, size_t input_len);
/* Slow path of nax__codec_arena_alloc(): starts a new chunk. */
void *nax__codec_arena_grow(nax__codec_arena *a, size_t size, size_t align);

/* `size` bytes aligned to `align` (a power of two up to 16); NULL on failure.
 * The memory is not zeroed. Inline because the decoder calls it per member. */
static inline void *nax__codec_arena_alloc(nax__codec_arena *a, size_t size, size_t align)
{
    uintptr_t p = ((uintptr_t)a->cur + (align - 1)) & ~(uintptr_t)(align - 1);
    if (p > (uintptr_t)a->end || size > (uintptr_t)a->end - p)
        return nax__codec_arena_grow(a, size, align);
    a->cur = (char *)(p + size);
    return (void *)p;
}
/* Releases every chunk; the arena can be initialised again. */
void nax__codec_arena_destroy(nax__codec_arena *a);

/* An object built by hand that nax_object_free() releases, like a decoded
 * one: `root_size` zeroed bytes for the root struct, returned, then `extra`
 * bytes (16-byte aligned, not zeroed) at *extra. NULL when out of memory
 * (no error set). Used for copies handed out by other modules (a stream's
 * order book). */
void *nax__codec_object_alloc(size_t root_size, size_t extra, void **extra_out);

#endif /* NAX_CODEC_CODEC_INTERNAL_H */

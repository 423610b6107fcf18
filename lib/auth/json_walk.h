/*
 * A strict reader of small JSON objects (JWT headers and claim sets) that
 * hands each top-level member to a callback. Internal to lib/auth.
 */
#ifndef NAX_LIB_AUTH_JSON_WALK_H
#define NAX_LIB_AUTH_JSON_WALK_H

#include <stddef.h>
#include <stdint.h>

typedef enum nax__json_kind {
    NAX__JSON_STRING,  /* str/str_len: unescaped, well-formed UTF-8 */
    NAX__JSON_INTEGER, /* integer: a number written without fraction or exponent */
    NAX__JSON_OTHER    /* any other number, true, false, null, object or array */
} nax__json_kind;

typedef struct nax__json_member {
    const char *name; /* not NUL-terminated */
    size_t name_len;
    nax__json_kind kind;
    const char *str; /* not NUL-terminated; may contain NUL bytes from \u0000 */
    size_t str_len;
    int64_t integer;
} nax__json_member;

/* Returns 0 to go on; non-zero stops the walk, which then fails. The
 * member's pointers are valid during the call only. */
typedef int (*nax__json_member_fn)(const nax__json_member *m, void *userdata);

/* Reads `json`, which must be exactly one JSON object (RFC 8259, strict
 * UTF-8, no duplicate member names at any depth, names of at most 255
 * bytes, nesting at most 16), and calls `fn` for each of its own members in
 * order. Returns 0, or -1 when the text is not such an object or `fn`
 * stopped. Sets no nax_error. */
int nax__json_walk(const char *json, size_t len, nax__json_member_fn fn, void *userdata);

#endif /* NAX_LIB_AUTH_JSON_WALK_H */

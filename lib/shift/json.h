/*
 * A small JSON value tree on yajl, for the free-form JSON of GraphQL: the
 * variables and responses of the Shift client, and the request bodies naxd's
 * POST /graphql reads. Typed bodies go through the codec instead. Internal
 * to libnax (naxd links it too).
 */
#ifndef NAX_SHIFT_JSON_H
#define NAX_SHIFT_JSON_H

#include <stddef.h>

#include "nax/common.h"

typedef enum nax__jv_kind {
    NAX__JV_NULL = 0,
    NAX__JV_BOOL,
    NAX__JV_NUMBER,
    NAX__JV_STRING,
    NAX__JV_ARRAY,
    NAX__JV_OBJECT
} nax__jv_kind;

typedef struct nax__jv nax__jv;
struct nax__jv {
    nax__jv_kind kind;
    int boolean;     /* BOOL */
    char *text;      /* STRING: unescaped UTF-8, NUL-terminated (may hold \u0000);
                        NUMBER: as written */
    size_t len;      /* bytes of text */
    char *key;       /* the member's name when inside an object */
    size_t key_len;  /* bytes of key */
    nax__jv **items; /* ARRAY elements or OBJECT members, in order */
    size_t count;
    size_t cap;
    nax__jv *parent; /* while parsing */
};

/* Default nesting limit of nax__jv_parse(). */
#define NAX__JV_MAX_DEPTH 32

/*
 * Parse exactly one JSON text (RFC 8259: strict UTF-8, no comments, nothing
 * after the value) into a tree. Member names must be unique in each object.
 * max_depth 0 means NAX__JV_MAX_DEPTH. Returns 0; NAX_EJSON with the byte
 * offset for malformed text, duplicate names or too deep nesting; NAX_ENOMEM.
 */
int nax__jv_parse(nax__jv **out, const char *json, size_t len, unsigned max_depth);
void nax__jv_free(nax__jv *v);

/* Building trees: a new node (text copied for STRING and NUMBER; NULL on
 * OOM), appending a child to an ARRAY or (with key) an OBJECT, which takes
 * the child even on failure (0 or NAX_ENOMEM), and a deep copy (NULL on OOM). */
nax__jv *nax__jv_new(nax__jv_kind kind, const char *text, size_t len);
int nax__jv_add(nax__jv *container, const char *key, nax__jv *child);
nax__jv *nax__jv_copy(const nax__jv *v);

/* The member `key` of an object; NULL when v is not an object or has no such member. */
const nax__jv *nax__jv_get(const nax__jv *v, const char *key);
/* The string of a STRING value, else NULL. */
const char *nax__jv_str(const nax__jv *v);

/* Append v as compact JSON text. 0 or NAX_ENOMEM. */
int nax__jv_write(nax_buf *out, const nax__jv *v);
/* Append s (len bytes of UTF-8) as a quoted, escaped JSON string; a byte that
 * is not part of well-formed UTF-8 is written as U+FFFD, so the output is
 * always valid JSON. 0 or NAX_ENOMEM. */
int nax__json_write_string(nax_buf *out, const char *s, size_t len);

#endif /* NAX_SHIFT_JSON_H */

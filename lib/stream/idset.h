/*
 * A map from id strings to a 64-bit value (open addressing), optionally
 * bounded: with a limit, the oldest ids are forgotten first, and optionally
 * with a few bytes more beside each value (an order's progress). The stream
 * uses it for the fills it delivered (bounded), the orders it last saw open,
 * and the order states it delivered lately (bounded). Never installed.
 */
#ifndef NAX_STREAM_IDSET_H
#define NAX_STREAM_IDSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct nax__idset {
    char **keys;   /* cap slots, NULL when free */
    int64_t *vals; /* value of each slot */
    size_t cap;    /* a power of two, or 0 before the first put */
    size_t count;  /* keys held */
    size_t limit;  /* 0: unbounded; else forget the oldest beyond this */
    char **order;  /* with a limit: the keys in insertion order (a ring of limit) */
    size_t order_head;
    unsigned char *extra; /* extra_size bytes per slot, beside vals; NULL without */
    size_t extra_size;
} nax__idset;

void nax__idset_init(nax__idset *s, size_t limit);
/* As nax__idset_init, keeping `extra_size` bytes more beside each value. */
void nax__idset_init_extra(nax__idset *s, size_t limit, size_t extra_size);
void nax__idset_dispose(nax__idset *s);
void nax__idset_clear(nax__idset *s);
/* Adds `key` (copied) or replaces its value. 0 or NAX_ENOMEM (nothing changed). */
int nax__idset_put(nax__idset *s, const char *key, int64_t value);
/* As nax__idset_put, storing the extra bytes too (NULL: zeros). */
int nax__idset_put_extra(nax__idset *s, const char *key, int64_t value, const void *extra);
/* 1 and *value (may be NULL) when `key` is held, else 0. */
int nax__idset_get(const nax__idset *s, const char *key, int64_t *value);
/* As nax__idset_get, copying the extra bytes into `extra` (may be NULL). */
int nax__idset_get_extra(const nax__idset *s, const char *key, int64_t *value, void *extra);
/* Forgets `key` if held. Only for sets without a limit. */
void nax__idset_remove(nax__idset *s, const char *key);
/* The key in slot i (0 <= i < cap), or NULL: for iterating. */
const char *nax__idset_slot(const nax__idset *s, size_t i);

#endif /* NAX_STREAM_IDSET_H */

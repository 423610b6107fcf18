/*
 * Hash maps for the app's in-memory state: keys are strings (copied) or
 * uint64; values are void *. Open addressing with linear probing and
 * tombstones; grows at 70 % load. App-thread only.
 */
#ifndef NAXD_MAP_H
#define NAXD_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct naxd_map_slot naxd_map_slot;

typedef struct naxd_map {
    naxd_map_slot *slots;
    size_t cap, count, tombstones;
    int u64_keys; /* set by naxd_map_init_u64 */
} naxd_map;

void naxd_map_init(naxd_map *m);     /* string keys */
void naxd_map_init_u64(naxd_map *m); /* integer keys */
/* Frees the table and string keys; values are the caller's (free them first
 * with naxd_map_foreach when owned). */
void naxd_map_dispose(naxd_map *m);

void *naxd_map_get(const naxd_map *m, const char *key);
/* Inserts or replaces. 0 or NAX_ENOMEM. */
int naxd_map_put(naxd_map *m, const char *key, void *value);
/* Removes; returns the old value or NULL. */
void *naxd_map_del(naxd_map *m, const char *key);

void *naxd_map_get_u64(const naxd_map *m, uint64_t key);
int naxd_map_put_u64(naxd_map *m, uint64_t key, void *value);
void *naxd_map_del_u64(naxd_map *m, uint64_t key);

size_t naxd_map_count(const naxd_map *m);
/* Visits every entry (unordered). fn returns non-zero to delete the entry;
 * must not otherwise modify the map. */
void naxd_map_foreach(naxd_map *m,
                      int (*fn)(const char *key, uint64_t ukey, void *value, void *arg), void *arg);

#endif

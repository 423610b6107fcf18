/*
 * The id map of idset.h: linear probing, deletion by backward shift (no
 * tombstones), at most half full.
 */
#include <string.h>

#include "core/core.h"
#include "stream/idset.h"

void nax__idset_init(nax__idset *s, size_t limit)
{
    memset(s, 0, sizeof *s);
    s->limit = limit;
}

void nax__idset_clear(nax__idset *s)
{
    for (size_t i = 0; i < s->cap; i++) {
        nax__free(s->keys[i]);
        s->keys[i] = NULL;
    }
    s->count = 0;
    s->order_head = 0;
    if (s->order)
        memset(s->order, 0, s->limit * sizeof *s->order);
}

void nax__idset_dispose(nax__idset *s)
{
    nax__idset_clear(s);
    nax__free(s->keys);
    nax__free(s->vals);
    nax__free(s->order);
    size_t limit = s->limit;
    nax__idset_init(s, limit);
}

static size_t hash(const char *key)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return (size_t)(h ^ (h >> 29));
}

/* The slot holding `key`, or the free slot where it would go. */
static size_t find(const nax__idset *s, const char *key)
{
    size_t mask = s->cap - 1, i = hash(key) & mask;
    while (s->keys[i] && strcmp(s->keys[i], key) != 0)
        i = (i + 1) & mask;
    return i;
}

static int grow(nax__idset *s)
{
    size_t cap = s->cap ? s->cap * 2 : 64;
    char **keys = nax__calloc(cap, sizeof *keys);
    int64_t *vals = nax__calloc(cap, sizeof *vals);
    if (!keys || !vals) {
        nax__free(keys);
        nax__free(vals);
        return NAX_ENOMEM;
    }
    nax__idset old = *s;
    s->keys = keys;
    s->vals = vals;
    s->cap = cap;
    for (size_t i = 0; i < old.cap; i++) {
        if (old.keys[i]) {
            size_t j = find(s, old.keys[i]);
            s->keys[j] = old.keys[i];
            s->vals[j] = old.vals[i];
        }
    }
    nax__free(old.keys);
    nax__free(old.vals);
    return 0;
}

/* Empties slot i and moves later entries of its cluster back into place. */
static void delete_slot(nax__idset *s, size_t i)
{
    size_t mask = s->cap - 1;
    nax__free(s->keys[i]);
    s->keys[i] = NULL;
    s->count--;
    for (size_t j = (i + 1) & mask; s->keys[j]; j = (j + 1) & mask) {
        size_t home = hash(s->keys[j]) & mask;
        /* Entry j may move to the hole at i when its home is not in (i, j]. */
        int stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (stays)
            continue;
        s->keys[i] = s->keys[j];
        s->vals[i] = s->vals[j];
        s->keys[j] = NULL;
        i = j;
    }
}

int nax__idset_put(nax__idset *s, const char *key, int64_t value)
{
    if (s->cap) {
        size_t i = find(s, key);
        if (s->keys[i]) {
            s->vals[i] = value;
            return 0;
        }
    }
    if (s->limit && !s->order && !(s->order = nax__calloc(s->limit, sizeof *s->order)))
        return NAX_ENOMEM;
    if ((s->count + 1) * 2 > s->cap && grow(s))
        return NAX_ENOMEM;
    char *copy = nax__strdup(key);
    if (!copy)
        return NAX_ENOMEM;
    if (s->limit && s->count == s->limit) {
        /* Forget the oldest; its slot in the ring takes the new key. */
        delete_slot(s, find(s, s->order[s->order_head]));
    }
    size_t i = find(s, key);
    s->keys[i] = copy;
    s->vals[i] = value;
    s->count++;
    if (s->limit) {
        s->order[s->order_head] = copy;
        s->order_head = (s->order_head + 1) % s->limit;
    }
    return 0;
}

int nax__idset_get(const nax__idset *s, const char *key, int64_t *value)
{
    if (!s->cap || !key)
        return 0;
    size_t i = find(s, key);
    if (!s->keys[i])
        return 0;
    if (value)
        *value = s->vals[i];
    return 1;
}

void nax__idset_remove(nax__idset *s, const char *key)
{
    if (!s->cap || !key)
        return;
    size_t i = find(s, key);
    if (s->keys[i])
        delete_slot(s, i);
}

const char *nax__idset_slot(const nax__idset *s, size_t i)
{
    return i < s->cap ? s->keys[i] : NULL;
}

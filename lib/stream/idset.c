/*
 * The id map of idset.h: linear probing, deletion by backward shift (no
 * tombstones), at most half full.
 */
#include <string.h>

#include "core/core.h"
#include "stream/idset.h"

void nax__idset_init(nax__idset *s, size_t limit)
{
    nax__idset_init_extra(s, limit, 0);
}

void nax__idset_init_extra(nax__idset *s, size_t limit, size_t extra_size)
{
    memset(s, 0, sizeof *s);
    s->limit = limit;
    s->extra_size = extra_size;
}

/* The extra bytes of slot i. */
static unsigned char *extra_at(const nax__idset *s, size_t i)
{
    return s->extra + i * s->extra_size;
}

/* Slot `to` takes the value (and extra bytes) of slot `from`. */
static void move_value(nax__idset *to_set, size_t to, const nax__idset *from_set, size_t from)
{
    to_set->vals[to] = from_set->vals[from];
    if (to_set->extra_size)
        memcpy(extra_at(to_set, to), extra_at(from_set, from), to_set->extra_size);
}

static void set_value(nax__idset *s, size_t i, int64_t value, const void *extra)
{
    s->vals[i] = value;
    if (!s->extra_size)
        return;
    if (extra)
        memcpy(extra_at(s, i), extra, s->extra_size);
    else
        memset(extra_at(s, i), 0, s->extra_size);
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
    nax__free(s->extra);
    nax__idset_init_extra(s, s->limit, s->extra_size);
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
    unsigned char *extra = s->extra_size ? nax__calloc(cap, s->extra_size) : NULL;
    if (!keys || !vals || (s->extra_size && !extra)) {
        nax__free(keys);
        nax__free(vals);
        nax__free(extra);
        return NAX_ENOMEM;
    }
    nax__idset old = *s;
    s->keys = keys;
    s->vals = vals;
    s->extra = extra;
    s->cap = cap;
    for (size_t i = 0; i < old.cap; i++) {
        if (old.keys[i]) {
            size_t j = find(s, old.keys[i]);
            s->keys[j] = old.keys[i];
            move_value(s, j, &old, i);
        }
    }
    nax__free(old.keys);
    nax__free(old.vals);
    nax__free(old.extra);
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
        move_value(s, i, s, j);
        s->keys[j] = NULL;
        i = j;
    }
}

int nax__idset_put(nax__idset *s, const char *key, int64_t value)
{
    return nax__idset_put_extra(s, key, value, NULL);
}

int nax__idset_put_extra(nax__idset *s, const char *key, int64_t value, const void *extra)
{
    if (s->cap) {
        size_t i = find(s, key);
        if (s->keys[i]) {
            set_value(s, i, value, extra);
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
    set_value(s, i, value, extra);
    s->count++;
    if (s->limit) {
        s->order[s->order_head] = copy;
        s->order_head = (s->order_head + 1) % s->limit;
    }
    return 0;
}

int nax__idset_get(const nax__idset *s, const char *key, int64_t *value)
{
    return nax__idset_get_extra(s, key, value, NULL);
}

int nax__idset_get_extra(const nax__idset *s, const char *key, int64_t *value, void *extra)
{
    if (!s->cap || !key)
        return 0;
    size_t i = find(s, key);
    if (!s->keys[i])
        return 0;
    if (value)
        *value = s->vals[i];
    if (extra && s->extra_size)
        memcpy(extra, extra_at(s, i), s->extra_size);
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

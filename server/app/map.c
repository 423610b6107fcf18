/* Open-addressing hash map (see map.h). */
#include "map.h"

#include <string.h>

#include "core/core.h"

struct naxd_map_slot {
    char *key;     /* string keys; NULL when empty */
    uint64_t ukey; /* integer keys */
    void *value;
    unsigned char state; /* 0 empty, 1 used, 2 tombstone */
};

enum { SLOT_EMPTY = 0, SLOT_USED = 1, SLOT_DEAD = 2 };

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 1099511628211ull;
    }
    return h;
}

static uint64_t hash_u64(uint64_t x)
{
    x ^= x >> 33; /* murmur3 finaliser */
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

void naxd_map_init(naxd_map *m)
{
    memset(m, 0, sizeof(*m));
}

void naxd_map_init_u64(naxd_map *m)
{
    memset(m, 0, sizeof(*m));
    m->u64_keys = 1;
}

void naxd_map_dispose(naxd_map *m)
{
    if (!m->slots)
        return;
    for (size_t i = 0; i < m->cap; i++)
        nax__free(m->slots[i].key);
    nax__free(m->slots);
    int u = m->u64_keys;
    memset(m, 0, sizeof(*m));
    m->u64_keys = u;
}

static int key_eq(const naxd_map *m, const naxd_map_slot *s, const char *key, uint64_t ukey)
{
    return m->u64_keys ? s->ukey == ukey : strcmp(s->key, key) == 0;
}

/* Index of the slot holding key, or of the slot where it would go (-1 if full). */
static long find(const naxd_map *m, const char *key, uint64_t ukey, int *found)
{
    *found = 0;
    if (!m->cap)
        return -1;
    size_t mask = m->cap - 1;
    size_t i = (size_t)(m->u64_keys ? hash_u64(ukey) : hash_str(key)) & mask;
    long first_dead = -1;
    for (size_t n = 0; n < m->cap; n++, i = (i + 1) & mask) {
        const naxd_map_slot *s = &m->slots[i];
        if (s->state == SLOT_EMPTY)
            return first_dead >= 0 ? first_dead : (long)i;
        if (s->state == SLOT_DEAD) {
            if (first_dead < 0)
                first_dead = (long)i;
        } else if (key_eq(m, s, key, ukey)) {
            *found = 1;
            return (long)i;
        }
    }
    return first_dead;
}

static int grow(naxd_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    if (m->count * 2 < m->cap)
        ncap = m->cap; /* mostly tombstones: rehash in place size */
    naxd_map_slot *ns = nax__calloc(ncap, sizeof(*ns));
    if (!ns)
        return NAX_ENOMEM;
    naxd_map old = *m;
    m->slots = ns;
    m->cap = ncap;
    m->count = 0;
    m->tombstones = 0;
    for (size_t i = 0; i < old.cap; i++) {
        naxd_map_slot *s = &old.slots[i];
        if (s->state != SLOT_USED)
            continue;
        int found;
        long at = find(m, s->key, s->ukey, &found);
        m->slots[at] = *s;
        m->count++;
    }
    nax__free(old.slots);
    return 0;
}

static int put(naxd_map *m, const char *key, uint64_t ukey, void *value)
{
    if ((m->count + m->tombstones + 1) * 10 >= m->cap * 7) {
        int rc = grow(m);
        if (rc)
            return rc;
    }
    int found;
    long at = find(m, key, ukey, &found);
    naxd_map_slot *s = &m->slots[at];
    if (found) {
        s->value = value;
        return 0;
    }
    char *copy = NULL;
    if (!m->u64_keys && !(copy = nax__strdup(key)))
        return NAX_ENOMEM;
    if (s->state == SLOT_DEAD)
        m->tombstones--;
    s->key = copy;
    s->ukey = ukey;
    s->value = value;
    s->state = SLOT_USED;
    m->count++;
    return 0;
}

static void *get(const naxd_map *m, const char *key, uint64_t ukey)
{
    int found;
    long at = find(m, key, ukey, &found);
    return found ? m->slots[at].value : NULL;
}

static void kill_slot(naxd_map *m, naxd_map_slot *s)
{
    nax__free(s->key);
    s->key = NULL;
    s->value = NULL;
    s->state = SLOT_DEAD;
    m->count--;
    m->tombstones++;
}

static void *del(naxd_map *m, const char *key, uint64_t ukey)
{
    int found;
    long at = find(m, key, ukey, &found);
    if (!found)
        return NULL;
    void *v = m->slots[at].value;
    kill_slot(m, &m->slots[at]);
    return v;
}

void *naxd_map_get(const naxd_map *m, const char *key)
{
    return get(m, key, 0);
}
int naxd_map_put(naxd_map *m, const char *key, void *value)
{
    return put(m, key, 0, value);
}
void *naxd_map_del(naxd_map *m, const char *key)
{
    return del(m, key, 0);
}
void *naxd_map_get_u64(const naxd_map *m, uint64_t key)
{
    return get(m, NULL, key);
}
int naxd_map_put_u64(naxd_map *m, uint64_t key, void *value)
{
    return put(m, NULL, key, value);
}
void *naxd_map_del_u64(naxd_map *m, uint64_t key)
{
    return del(m, NULL, key);
}
size_t naxd_map_count(const naxd_map *m)
{
    return m->count;
}

void naxd_map_foreach(naxd_map *m,
                      int (*fn)(const char *key, uint64_t ukey, void *value, void *arg), void *arg)
{
    for (size_t i = 0; i < m->cap; i++) {
        naxd_map_slot *s = &m->slots[i];
        if (s->state == SLOT_USED && fn(s->key, s->ukey, s->value, arg))
            kill_slot(m, s);
    }
}

/* uint64 -> pointer hash map: open addressing with linear probing and
 * backward-shift deletion (no tombstones), Fibonacci hashing so that
 * sequential ids and adjacent ticks spread over the table. Load <= 1/2. */
#include "engine_internal.h"

#define MAP_MIN_CAPACITY 16

static inline size_t slot_of(const eng_map *m, uint64_t key)
{
    return (size_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> m->shift);
}

void eng_map_dispose(eng_map *m)
{
    nax__free(m->slots);
    m->slots = NULL;
    m->capacity = m->count = 0;
    m->shift = 0;
}

static void insert_slot(eng_map *m, uint64_t key, void *value)
{
    size_t mask = m->capacity - 1, i = slot_of(m, key);
    while (m->slots[i].key != 0)
        i = (i + 1) & mask;
    m->slots[i].key = key;
    m->slots[i].value = value;
}

static int grow(eng_map *m, size_t capacity)
{
    eng_map_slot *slots = nax__calloc(capacity, sizeof *slots);
    if (slots == NULL)
        return NAX_ENOMEM;
    eng_map old = *m;
    unsigned bits = 0;
    while (((size_t)1 << bits) < capacity)
        bits++;
    m->slots = slots;
    m->capacity = capacity;
    m->shift = 64 - bits;
    for (size_t i = 0; i < old.capacity; i++) {
        if (old.slots[i].key != 0)
            insert_slot(m, old.slots[i].key, old.slots[i].value);
    }
    nax__free(old.slots);
    return 0;
}

int eng_map_reserve(eng_map *m, size_t extra)
{
    size_t need = m->count + extra, capacity = m->capacity ? m->capacity : MAP_MIN_CAPACITY;
    if (need < m->count)
        return NAX_ENOMEM;
    while (need > capacity / 2) {
        if (capacity > SIZE_MAX / 4)
            return NAX_ENOMEM;
        capacity *= 2;
    }
    return capacity == m->capacity ? 0 : grow(m, capacity);
}

void *eng_map_get(const eng_map *m, uint64_t key)
{
    if (m->count == 0)
        return NULL;
    size_t mask = m->capacity - 1, i = slot_of(m, key);
    for (;;) {
        uint64_t k = m->slots[i].key;
        if (k == key)
            return m->slots[i].value;
        if (k == 0)
            return NULL;
        i = (i + 1) & mask;
    }
}

void eng_map_put(eng_map *m, uint64_t key, void *value)
{
    insert_slot(m, key, value);
    m->count++;
}

void *eng_map_remove(eng_map *m, uint64_t key)
{
    if (m->count == 0)
        return NULL;
    size_t mask = m->capacity - 1, i = slot_of(m, key);
    while (m->slots[i].key != key) {
        if (m->slots[i].key == 0)
            return NULL;
        i = (i + 1) & mask;
    }
    void *value = m->slots[i].value;
    /* Shift back every following entry that may not stay behind the hole. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; m->slots[j].key != 0; j = (j + 1) & mask) {
        size_t home = slot_of(m, m->slots[j].key);
        /* j's entry may fill the hole when home is not within (hole, j]. */
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    m->slots[hole].key = 0;
    m->slots[hole].value = NULL;
    m->count--;
    return value;
}

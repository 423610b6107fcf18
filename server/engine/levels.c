/* One side of a book: price levels in a skip list ordered best first (a key
 * of -ticks for bids makes both sides ascending), plus a map from ticks to
 * level so that joining an existing level costs one hash lookup. Skip list
 * heights come from the engine's own PRNG, so runs are reproducible. */
#include "engine_internal.h"

void eng_side_init(eng_side *s)
{
    memset(s, 0, sizeof *s);
    s->height = 1;
}

void eng_side_dispose(eng_side *s)
{
    eng_map_dispose(&s->by_ticks); /* levels live in the engine's pool */
}

eng_level *eng_side_find(const eng_side *s, int64_t ticks)
{
    return eng_map_get(&s->by_ticks, (uint64_t)ticks);
}

int eng_side_reserve(naxd_engine *e, eng_side *s)
{
    int rc = eng_pool_reserve(&e->level_pool, 1);
    return rc ? rc : eng_map_reserve(&s->by_ticks, 1);
}

/* Height with P(h > k) = 4^-k (xorshift64). */
static int random_height(naxd_engine *e)
{
    uint64_t x = e->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    e->rng = x;
    int h = 1;
    while (h < ENG_MAX_HEIGHT && (x & 3) == 0) {
        h++;
        x >>= 2;
    }
    return h;
}

/* Fills update[] with the last level before `key` at every height. */
static void find_before(eng_side *s, int64_t key, eng_level **update)
{
    eng_level *x = &s->head;
    for (int i = s->height - 1; i >= 0; i--) {
        while (x->next[i] != NULL && x->next[i]->key < key)
            x = x->next[i];
        update[i] = x;
    }
}

eng_level *eng_side_insert(naxd_engine *e, eng_side *s, int64_t ticks, int is_bid)
{
    eng_level *update[ENG_MAX_HEIGHT] = {NULL};
    eng_level *l = eng_pool_take(&e->level_pool);
    l->ticks = ticks;
    l->key = is_bid ? -ticks : ticks;
    l->total_lots = 0;
    l->head = l->tail = NULL;
    l->height = random_height(e);
    find_before(s, l->key, update);
    for (int i = s->height; i < l->height; i++)
        update[i] = &s->head;
    if (l->height > s->height)
        s->height = l->height;
    for (int i = 0; i < l->height; i++) {
        l->next[i] = update[i]->next[i];
        update[i]->next[i] = l;
    }
    eng_map_put(&s->by_ticks, (uint64_t)ticks, l);
    s->level_count++;
    return l;
}

void eng_side_remove(naxd_engine *e, eng_side *s, eng_level *l)
{
    eng_level *update[ENG_MAX_HEIGHT] = {NULL};
    find_before(s, l->key, update);
    for (int i = 0; i < l->height; i++)
        update[i]->next[i] = l->next[i];
    while (s->height > 1 && s->head.next[s->height - 1] == NULL)
        s->height--;
    eng_map_remove(&s->by_ticks, (uint64_t)l->ticks);
    s->level_count--;
    eng_pool_give(&e->level_pool, l);
}

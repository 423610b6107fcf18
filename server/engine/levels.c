/* One side of a book: price levels in a skip list ordered best first (a key
 * of -ticks for bids makes both sides ascending), plus a map from ticks to
 * level so that joining an existing level costs one hash lookup. Links run
 * both ways at every height, so removing a level needs no search, and a new
 * level next to an existing one (the usual case: books are dense near the
 * top) is linked from that neighbour instead of searched from the head.
 * Heights come from the engine's own PRNG, so runs are reproducible. */
#include "engine_internal.h"

/* How far (in ticks) to look for a neighbour before searching from the head. */
#define NEIGHBOUR_PROBES 8

void eng_side_init(eng_side *s)
{
    memset(s, 0, sizeof *s);
    s->height = 1;
    s->head.height = ENG_MAX_HEIGHT; /* stops every backward walk */
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

/* Fills update[0..height) with the last level before `key` at every height,
 * searching from the head. */
static void search_before(eng_side *s, int64_t key, int height, eng_level **update)
{
    eng_level *x = &s->head;
    int top = s->height > height ? s->height : height;
    for (int i = top - 1; i >= 0; i--) {
        while (x->next[i].to != NULL && x->next[i].key < key)
            x = x->next[i].to;
        update[i] = x;
    }
}

/* The level just before `ticks` in book order, found by probing the ticks
 * next to it (better prices: higher for bids, lower for asks); NULL if none
 * is close. */
static eng_level *near_before(const eng_side *s, int64_t ticks, int is_bid)
{
    for (int64_t d = 1; d <= NEIGHBOUR_PROBES; d++) {
        if (is_bid ? ticks > INT64_MAX - d : ticks - d < 1)
            return NULL; /* no price there */
        eng_level *l = eng_side_find(s, is_bid ? ticks + d : ticks - d);
        if (l != NULL)
            return l;
    }
    return NULL;
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

    eng_level *before = near_before(s, ticks, is_bid);
    if (before == NULL) {
        search_before(s, l->key, l->height, update);
    } else {
        /* The last level before at height i is the nearest one, walking back
         * along height i - 1, that is taller than i. */
        update[0] = before;
        for (int i = 1; i < l->height; i++) {
            eng_level *x = update[i - 1];
            while (x->height <= i)
                x = x->prev[i - 1];
            update[i] = x;
        }
    }
    if (l->height > s->height)
        s->height = l->height;
    for (int i = 0; i < l->height; i++) {
        eng_level *p = update[i];
        l->next[i] = p->next[i];
        l->prev[i] = p;
        if (l->next[i].to != NULL)
            l->next[i].to->prev[i] = l;
        p->next[i].to = l;
        p->next[i].key = l->key;
    }
    eng_map_put(&s->by_ticks, (uint64_t)ticks, l);
    s->level_count++;
    return l;
}

void eng_side_remove(naxd_engine *e, eng_side *s, eng_level *l)
{
    for (int i = 0; i < l->height; i++) {
        eng_level *p = l->prev[i];
        p->next[i] = l->next[i];
        if (l->next[i].to != NULL)
            l->next[i].to->prev[i] = p;
    }
    while (s->height > 1 && s->head.next[s->height - 1].to == NULL)
        s->height--;
    eng_map_remove(&s->by_ticks, (uint64_t)l->ticks);
    s->level_count--;
    eng_pool_give(&e->level_pool, l);
}

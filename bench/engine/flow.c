/* Generating and reading the flow file. The mix: limit orders (mostly GTC,
 * some IOC, FOK and post-only; about one in ten crosses the spread), a few
 * market orders, and cancels of recently placed ids (some already filled,
 * as in real traffic). The mid price walks at random. */
#include <stdio.h>
#include <stdlib.h>

#include "flow.h"

static uint64_t next_rand(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static int64_t below(uint64_t *state, int64_t n)
{
    return (int64_t)(next_rand(state) % (uint64_t)n);
}

#define RECENT 4096
#define MID    1000000 /* 10000.00 at a tick of 0.01 */

/* The depth flows' book: `levels` price levels, half a side, one order each,
 * nearest the mid first. Their ids stay out of the cancel ring, so only
 * trading (at the top) takes them away. */
static uint64_t write_prefill(FILE *f, const flow_options *o, uint64_t *rng)
{
    int64_t half = (int64_t)(o->levels + 1) / 2;
    uint64_t id = 0;
    fprintf(f, "P %lld\n", (long long)(2 * half));
    for (int64_t away = 1; away <= half; away++) {
        for (int bid = 0; bid < 2; bid++) {
            uint64_t user = 1 + (uint64_t)below(rng, (int64_t)o->users);
            fprintf(f, "L %llu %llu %c %lld %lld G\n", (unsigned long long)++id,
                    (unsigned long long)user, bid ? 'b' : 's',
                    (long long)(bid ? MID - away : MID + away), (long long)(1 + below(rng, 100)));
        }
    }
    return id;
}

/* How far from the mid a new resting order goes. Classic: uniform within the
 * spread. Depth: half near the top (which trading eats), half anywhere in the
 * prefilled range, so the level count stays near the prefill's. */
static int64_t distance(uint64_t *rng, const flow_options *o)
{
    if (o->levels == 0)
        return 1 + below(rng, o->spread);
    int64_t half = (int64_t)(o->levels + 1) / 2;
    return 1 + below(rng, below(rng, 2) && half > 10 ? 10 : half);
}

int flow_generate(const char *path, const flow_options *o)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    uint64_t rng = o->seed, id = 0, recent[RECENT] = {0}, owner[RECENT] = {0}, first = 0;
    int64_t mid = MID;
    if (o->levels > 0)
        first = id = write_prefill(f, o, &rng);
    for (size_t i = 0; i < o->ops; i++) {
        int64_t r = below(&rng, 100);
        uint64_t user = 1 + (uint64_t)below(&rng, (int64_t)o->users);
        char side = below(&rng, 2) ? 'b' : 's';
        if (o->levels == 0 && below(&rng, 8) == 0)
            mid += below(&rng, 3) - 1;
        if (r < 40 && id > first) {
            uint64_t made = id - first; /* ids 1..first are the prefill */
            uint64_t slot = made < RECENT
                                ? (first + 1 + (uint64_t)below(&rng, (int64_t)made)) % RECENT
                                : (uint64_t)below(&rng, RECENT);
            fprintf(f, "C %llu %llu\n", (unsigned long long)recent[slot],
                    (unsigned long long)owner[slot]);
            continue;
        }
        id++;
        recent[id % RECENT] = id;
        owner[id % RECENT] = user;
        int64_t lots = 1 + below(&rng, 100);
        if (r < 45) {
            fprintf(f, "M %llu %llu %c %lld\n", (unsigned long long)id, (unsigned long long)user,
                    side, (long long)lots);
            continue;
        }
        /* Distance from the mid on the order's own side; negative crosses. */
        int64_t away = below(&rng, 10) == 0 ? -below(&rng, 5) : distance(&rng, o);
        int64_t ticks = side == 'b' ? mid - away : mid + away;
        int64_t t = below(&rng, 20);
        char tif = t < 16 ? 'G' : t < 18 ? 'I' : t < 19 ? 'F' : 'P';
        fprintf(f, "L %llu %llu %c %lld %lld %c\n", (unsigned long long)id,
                (unsigned long long)user, side, (long long)ticks, (long long)lots, tif);
    }
    return fclose(f) == 0 ? 0 : -1;
}

flow_op *flow_read(const char *path, size_t *count, size_t *prefill)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    *prefill = 0;
    size_t n = 0, cap = 1024;
    flow_op *ops = malloc(cap * sizeof *ops);
    char line[128];
    while (ops != NULL && fgets(line, sizeof line, f) != NULL) {
        if (n == cap) {
            flow_op *grown = realloc(ops, (cap *= 2) * sizeof *ops);
            if (grown == NULL) {
                free(ops);
                ops = NULL;
                break;
            }
            ops = grown;
        }
        flow_op *op = &ops[n];
        unsigned long long id, user;
        long long ticks = 0, lots = 0;
        char kind, side = 0, tif = 'G';
        int ok = 0;
        unsigned long long before = 0;
        if (n == 0 && *prefill == 0 && sscanf(line, "P %llu", &before) == 1) {
            *prefill = (size_t)before;
            continue;
        }
        if (sscanf(line, "%c", &kind) == 1 && kind == 'L')
            ok = sscanf(line, "L %llu %llu %c %lld %lld %c", &id, &user, &side, &ticks, &lots,
                        &tif) == 6;
        else if (kind == 'M')
            ok = sscanf(line, "M %llu %llu %c %lld", &id, &user, &side, &lots) == 4;
        else if (kind == 'C')
            ok = sscanf(line, "C %llu %llu", &id, &user) == 2;
        if (!ok) {
            fprintf(stderr, "%s:%zu: bad line\n", path, n + 1);
            free(ops);
            ops = NULL;
            break;
        }
        *op = (flow_op){kind, side, tif, id, user, ticks, lots};
        n++;
    }
    fclose(f);
    *count = n;
    return ops;
}

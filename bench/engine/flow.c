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

int flow_generate(const char *path, const flow_options *o)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    uint64_t rng = o->seed, id = 0, recent[RECENT] = {0}, owner[RECENT] = {0};
    int64_t mid = 1000000; /* 10000.00 at a tick of 0.01 */
    for (size_t i = 0; i < o->ops; i++) {
        int64_t r = below(&rng, 100);
        uint64_t user = 1 + (uint64_t)below(&rng, (int64_t)o->users);
        char side = below(&rng, 2) ? 'b' : 's';
        if (below(&rng, 8) == 0)
            mid += below(&rng, 3) - 1;
        if (r < 40 && id > 0) {
            uint64_t slot = id < RECENT ? 1 + (uint64_t)below(&rng, (int64_t)id)
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
        int64_t away = below(&rng, 10) == 0 ? -below(&rng, 5) : 1 + below(&rng, o->spread);
        int64_t ticks = side == 'b' ? mid - away : mid + away;
        int64_t t = below(&rng, 20);
        char tif = t < 16 ? 'G' : t < 18 ? 'I' : t < 19 ? 'F' : 'P';
        fprintf(f, "L %llu %llu %c %lld %lld %c\n", (unsigned long long)id,
                (unsigned long long)user, side, (long long)ticks, (long long)lots, tif);
    }
    return fclose(f) == 0 ? 0 : -1;
}

flow_op *flow_read(const char *path, size_t *count)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
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

/* The synthetic order flow both implementations replay: one text file of
 * operations in integer space (prices in ticks, sizes in lots), so a peer
 * that is not exact decimal arithmetic sees the same numbers. */
#ifndef NAX_BENCH_ENGINE_FLOW_H
#define NAX_BENCH_ENGINE_FLOW_H

#include <stddef.h>
#include <stdint.h>

typedef enum flow_kind { FLOW_LIMIT = 'L', FLOW_MARKET = 'M', FLOW_CANCEL = 'C' } flow_kind;
typedef enum flow_tif { FLOW_GTC = 'G', FLOW_IOC = 'I', FLOW_FOK = 'F', FLOW_POST = 'P' } flow_tif;

/* One line: "L id user side ticks lots tif", "M id user side lots", "C id user"
 * with side 'b' or 's'; tif as above (P = GTC post-only). */
typedef struct flow_op {
    char kind, side, tif;
    uint64_t id, user;
    int64_t ticks, lots;
} flow_op;

typedef struct flow_options {
    size_t ops;
    uint64_t seed;
    int64_t spread; /* limit prices spread up to this many ticks from the mid */
    uint64_t users;
} flow_options;

int flow_generate(const char *path, const flow_options *o);
/* Reads a whole file; returns the ops (malloc'd) or NULL. */
flow_op *flow_read(const char *path, size_t *count);

#endif

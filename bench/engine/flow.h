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
 * with side 'b' or 's'; tif as above (P = GTC post-only). A flow may start
 * with "P count": its first `count` operations build the book and are not
 * timed (the depth flows). */
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
    /* 0: the classic flow (a walking mid, prices within `spread`). Else a
     * depth flow: a prefill of this many one-order levels around a fixed
     * mid, then `ops` operations that keep the book at about that many
     * levels (new orders land inside the prefilled range). */
    size_t levels;
} flow_options;

int flow_generate(const char *path, const flow_options *o);
/* Reads a whole file; returns the ops (malloc'd) or NULL. *prefill is the
 * number of leading untimed operations (0 for a classic flow). */
flow_op *flow_read(const char *path, size_t *count, size_t *prefill);

#endif

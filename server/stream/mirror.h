/*
 * The stream's mirror of one order book as published: the levels of each
 * side in a sorted array with the best price at the END, so the busy top of
 * the book moves few bytes on insert and delete. Levels are matched by
 * numeric price (nax_decimal_cmp: "97249.00" is "97249"). Every change is
 * all-or-nothing: on an error the mirror is as it was.
 */
#ifndef NAXD_STREAM_MIRROR_H
#define NAXD_STREAM_MIRROR_H

#include <stddef.h>
#include <stdint.h>

#include <nax/types.h>

#define NAXD_MIRROR_CHECKSUM_DEPTH 25

typedef struct naxd__side {
    nax_book_level *lv; /* worst first, best last */
    size_t n, cap;
    int ascending; /* bids: prices rise toward the end; asks: they fall */
} naxd__side;

typedef struct naxd__mirror {
    naxd__side bids, asks;
    uint64_t seq;
    int64_t ts;
    uint32_t checksum;
    int checksum_ok; /* checksum is that of the current levels */
} naxd__mirror;

void naxd__mirror_init(naxd__mirror *m);
void naxd__mirror_dispose(naxd__mirror *m);
/* Replaces every level. Sides best first, strictly ordered, prices above 0,
 * quantities not negative (levels of quantity 0 are left out). NAX_EINVAL or
 * NAX_ENOMEM. */
int naxd__mirror_reset(naxd__mirror *m, uint64_t seq, int64_t ts, const nax_book_level *bids,
                       size_t bids_count, const nax_book_level *asks, size_t asks_count);
/* Applies one change: seq must be m->seq + 1; each level's quantity is its
 * new total (0 removes it). The levels that really changed are written to
 * changed_bids / changed_asks (room for bids_count / asks_count entries; may
 * alias the inputs), their counts to *changed_*_count. NAX_EINVAL (seq gap,
 * bad level) or NAX_ENOMEM. */
int naxd__mirror_apply(naxd__mirror *m, uint64_t seq, int64_t ts, const nax_book_level *bids,
                       size_t bids_count, const nax_book_level *asks, size_t asks_count,
                       nax_book_level *changed_bids, size_t *changed_bids_count,
                       nax_book_level *changed_asks, size_t *changed_asks_count);
/* nax_book_checksum over the top 25 levels of each side (cached). */
uint32_t naxd__mirror_checksum(naxd__mirror *m);
/* Copies up to depth levels of a side (0: all), best first; returns how many. */
size_t naxd__side_copy(const naxd__side *side, size_t depth, nax_book_level *out);

#endif /* NAXD_STREAM_MIRROR_H */

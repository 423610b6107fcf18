/*
 * The local order book of one market, kept by the stream subscriber: pure
 * data, no I/O, no locking (the stream holds its lock around every call
 * that changes a book while readers may look). Never installed.
 *
 * Each side is a sorted array with the best level at the END: bids by rising
 * price, asks by falling price. Most changes touch the top of the book, so
 * inserting or removing there moves few bytes; lookups are binary searches
 * by numeric price ("97249.00" and "97249" are one level).
 */
#ifndef NAX_STREAM_BOOK_H
#define NAX_STREAM_BOOK_H

#include <stddef.h>
#include <stdint.h>

#include "nax/types.h"

/* Levels per side that the checksum covers (docs/asyncapi.yaml). */
#define NAX__BOOK_CHECKSUM_DEPTH 25

typedef struct nax__book_side {
    nax_book_level *levels; /* worst first, best last */
    size_t len, cap;
} nax__book_side;

typedef struct nax__book {
    nax__book_side bids; /* rising price */
    nax__book_side asks; /* falling price */
    uint64_t seq;        /* of the last snapshot or update applied */
    uint32_t crc;        /* the checksum, while crc_valid */
    int crc_valid;       /* no level of the top 25 changed since crc was computed */
} nax__book;

/* How an update's seq relates to the book's. */
typedef enum nax__book_seq {
    NAX__BOOK_SEQ_NEXT = 0, /* seq + 1: apply it */
    NAX__BOOK_SEQ_OLD = 1,  /* at or before the book: already in it, skip */
    NAX__BOOK_SEQ_GAP = 2   /* later than seq + 1: something was missed */
} nax__book_seq;

void nax__book_init(nax__book *b);
void nax__book_dispose(nax__book *b);

/* Replace the whole book with a snapshot (levels best first, as sent). Zero
 * quantities are skipped; unsorted input is sorted. On failure the book is
 * unchanged: NAX_ENOMEM, or NAX_EINVAL for a price given twice, a negative
 * quantity or a price that is not positive. */
int nax__book_replace(nax__book *b, uint64_t seq, const nax_book_level *bids, size_t bids_count,
                      const nax_book_level *asks, size_t asks_count);

/* Apply one update: each level is the new total at its price, 0 removes it
 * (removing an absent level does nothing). All or nothing: NAX_ENOMEM or
 * NAX_EINVAL (as for replace) leave the book unchanged. Sets seq. */
int nax__book_apply(nax__book *b, uint64_t seq, const nax_book_level *bids, size_t bids_count,
                    const nax_book_level *asks, size_t asks_count);

nax__book_seq nax__book_seq_check(const nax__book *b, uint64_t seq);

/* The checksum of docs/asyncapi.yaml over the top 25 levels per side;
 * kept until a change reaches the top 25. */
uint32_t nax__book_checksum(nax__book *b);

/* Copies up to `depth` levels (0: all) of a side, best first, to `out`
 * (room for that many); returns how many. */
size_t nax__book_copy_side(const nax__book_side *side, nax_book_level *out, size_t depth);

/* The best level of a side, or NULL when it is empty. */
const nax_book_level *nax__book_best(const nax__book_side *side);

#endif /* NAX_STREAM_BOOK_H */

/*
 * The local order book (book.h): snapshot, updates, seq and checksum.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "decimal/decimal_internal.h"
#include "nax/codec.h"
#include "stream/book.h"

/* Bids rise along the array, asks fall: `dir` turns a price comparison into
 * "is this level further towards the best end". */
#define DIR_BIDS 1
#define DIR_ASKS (-1)

static int is_zero(const nax_decimal *d)
{
    return (d->lo | d->hi) == 0;
}

void nax__book_init(nax__book *b)
{
    memset(b, 0, sizeof *b);
}

void nax__book_dispose(nax__book *b)
{
    nax__free(b->bids.levels);
    nax__free(b->asks.levels);
    memset(b, 0, sizeof *b);
}

/* Index of the first level at or beyond `price` towards the best end. */
static size_t lower_bound(const nax__book_side *s, int dir, const nax_decimal *price)
{
    size_t lo = 0, hi = s->len;
    /* Most updates touch the top of the book: try the best end first. */
    if (hi > 0 && dir * nax__dec_cmp(&s->levels[hi - 1].price, price) < 0)
        return hi;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (dir * nax__dec_cmp(&s->levels[mid].price, price) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int reserve(nax__book_side *s, size_t extra)
{
    if (s->len + extra <= s->cap)
        return 0;
    size_t cap = s->cap ? s->cap : 64;
    while (cap < s->len + extra)
        cap *= 2;
    nax_book_level *p = nax__realloc(s->levels, cap * sizeof *p);
    if (!p)
        return NAX_ENOMEM;
    s->levels = p;
    s->cap = cap;
    return 0;
}

static int level_valid(const nax_book_level *l)
{
    return nax__dec_valid(&l->price) && nax__dec_valid(&l->quantity) && !l->price.negative &&
           !is_zero(&l->price) && !l->quantity.negative;
}

static int levels_valid(const nax_book_level *levels, size_t count)
{
    if (!levels && count)
        return 0;
    for (size_t i = 0; i < count; i++)
        if (!level_valid(&levels[i]))
            return 0;
    return 1;
}

/* Sets one level; returns 1 when the change reached the top 25 (the checksum's). */
static int set_level(nax__book_side *s, int dir, const nax_book_level *l)
{
    size_t i = lower_bound(s, dir, &l->price);
    int top = i + NAX__BOOK_CHECKSUM_DEPTH >= s->len;
    int found = i < s->len && nax__dec_cmp(&s->levels[i].price, &l->price) == 0;
    if (is_zero(&l->quantity)) {
        if (!found)
            return 0;
        memmove(&s->levels[i], &s->levels[i + 1], (s->len - i - 1) * sizeof *s->levels);
        s->len--;
        return top;
    }
    if (found) {
        s->levels[i].quantity = l->quantity;
        return top;
    }
    memmove(&s->levels[i + 1], &s->levels[i], (s->len - i) * sizeof *s->levels);
    s->levels[i] = *l;
    s->len++;
    return top || i + NAX__BOOK_CHECKSUM_DEPTH >= s->len;
}

int nax__book_apply(nax__book *b, uint64_t seq, const nax_book_level *bids, size_t bids_count,
                    const nax_book_level *asks, size_t asks_count)
{
    if (!levels_valid(bids, bids_count) || !levels_valid(asks, asks_count))
        return NAX_EINVAL;
    /* Room for every level to be new, so nothing can fail half-way. */
    if (reserve(&b->bids, bids_count) || reserve(&b->asks, asks_count))
        return NAX_ENOMEM;
    int top = 0;
    for (size_t i = 0; i < bids_count; i++)
        top |= set_level(&b->bids, DIR_BIDS, &bids[i]);
    for (size_t i = 0; i < asks_count; i++)
        top |= set_level(&b->asks, DIR_ASKS, &asks[i]);
    if (top)
        b->crc_valid = 0;
    b->seq = seq;
    return 0;
}

static int cmp_rising(const void *x, const void *y)
{
    return nax__dec_cmp(&((const nax_book_level *)x)->price, &((const nax_book_level *)y)->price);
}

static int cmp_falling(const void *x, const void *y)
{
    return -cmp_rising(x, y);
}

/* A new side from levels given best first: reversed, zeros dropped, sorted
 * if the sender did not sort them, and no price twice. */
static int build_side(nax__book_side *out, int dir, const nax_book_level *levels, size_t count)
{
    memset(out, 0, sizeof *out);
    if (count == 0)
        return 0;
    out->levels = nax__malloc(count * sizeof *out->levels);
    if (!out->levels)
        return NAX_ENOMEM;
    out->cap = count;
    int sorted = 1;
    for (size_t i = count; i-- > 0;) {
        if (is_zero(&levels[i].quantity))
            continue;
        if (out->len > 0 &&
            dir * nax__dec_cmp(&levels[i].price, &out->levels[out->len - 1].price) <= 0)
            sorted = 0;
        out->levels[out->len++] = levels[i];
    }
    if (!sorted) {
        qsort(out->levels, out->len, sizeof *out->levels,
              dir == DIR_BIDS ? cmp_rising : cmp_falling);
        for (size_t i = 1; i < out->len; i++) {
            if (nax__dec_cmp(&out->levels[i].price, &out->levels[i - 1].price) == 0) {
                nax__free(out->levels);
                memset(out, 0, sizeof *out);
                return NAX_EINVAL;
            }
        }
    }
    return 0;
}

int nax__book_replace(nax__book *b, uint64_t seq, const nax_book_level *bids, size_t bids_count,
                      const nax_book_level *asks, size_t asks_count)
{
    if (!levels_valid(bids, bids_count) || !levels_valid(asks, asks_count))
        return NAX_EINVAL;
    nax__book_side nb, na;
    int rc = build_side(&nb, DIR_BIDS, bids, bids_count);
    if (rc)
        return rc;
    rc = build_side(&na, DIR_ASKS, asks, asks_count);
    if (rc) {
        nax__free(nb.levels);
        return rc;
    }
    nax__free(b->bids.levels);
    nax__free(b->asks.levels);
    b->bids = nb;
    b->asks = na;
    b->seq = seq;
    b->crc_valid = 0;
    return 0;
}

nax__book_seq nax__book_seq_check(const nax__book *b, uint64_t seq)
{
    if (seq <= b->seq)
        return NAX__BOOK_SEQ_OLD;
    return seq == b->seq + 1 ? NAX__BOOK_SEQ_NEXT : NAX__BOOK_SEQ_GAP;
}

size_t nax__book_copy_side(const nax__book_side *s, nax_book_level *out, size_t depth)
{
    size_t n = depth && depth < s->len ? depth : s->len;
    for (size_t i = 0; i < n; i++)
        out[i] = s->levels[s->len - 1 - i];
    return n;
}

const nax_book_level *nax__book_best(const nax__book_side *s)
{
    return s->len ? &s->levels[s->len - 1] : NULL;
}

uint32_t nax__book_checksum(nax__book *b)
{
    if (b->crc_valid)
        return b->crc;
    nax_book_level bids[NAX__BOOK_CHECKSUM_DEPTH], asks[NAX__BOOK_CHECKSUM_DEPTH];
    size_t nb = nax__book_copy_side(&b->bids, bids, NAX__BOOK_CHECKSUM_DEPTH);
    size_t na = nax__book_copy_side(&b->asks, asks, NAX__BOOK_CHECKSUM_DEPTH);
    uint32_t crc = 0;
    /* Cannot fail: every stored level was validated on the way in. */
    nax_book_checksum(&crc, bids, nb, asks, na);
    b->crc = crc;
    b->crc_valid = 1;
    return crc;
}

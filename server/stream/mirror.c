/* The book mirror: two sorted arrays of levels, best price last. */
#include <string.h>

#include "core/core.h"
#include "mirror.h"
#include <nax/codec.h>

void naxd__mirror_init(naxd__mirror *m)
{
    memset(m, 0, sizeof(*m));
    m->bids.ascending = 1;
    m->asks.ascending = 0;
}

void naxd__mirror_dispose(naxd__mirror *m)
{
    nax__free(m->bids.lv);
    nax__free(m->asks.lv);
    naxd__mirror_init(m);
}

/* Orders a and b as the side stores them: negative when a comes first. */
static int side_cmp(const naxd__side *side, const nax_decimal *a, const nax_decimal *b)
{
    int c = nax_decimal_cmp(a, b);
    return side->ascending ? c : -c;
}

/* The index of the first level not before price; *found when it is price. */
static size_t side_find(const naxd__side *side, const nax_decimal *price, int *found)
{
    size_t lo = 0, hi = side->n;
    /* Most changes are near the top of the book: look there first. */
    if (hi && side_cmp(side, &side->lv[hi - 1].price, price) < 0) {
        *found = 0;
        return hi;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (side_cmp(side, &side->lv[mid].price, price) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < side->n && nax_decimal_cmp(&side->lv[lo].price, price) == 0;
    return lo;
}

static int side_reserve(naxd__side *side, size_t extra)
{
    if (side->n + extra <= side->cap)
        return 0;
    size_t cap = side->cap ? side->cap : 64;
    while (cap < side->n + extra)
        cap *= 2;
    nax_book_level *lv = nax__realloc(side->lv, cap * sizeof(*lv));
    if (!lv)
        return nax__error_oom();
    side->lv = lv;
    side->cap = cap;
    return 0;
}

static int level_valid(const nax_book_level *l)
{
    return nax_decimal_sign(&l->price) > 0 && nax_decimal_sign(&l->quantity) >= 0;
}

/* Best-first input, strictly ordered for its side. */
static int check_sorted(const naxd__side *side, const nax_book_level *lv, size_t n,
                        const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (!level_valid(&lv[i]))
            return nax__error(NAX_EINVAL, "%s[%zu]: price must be above 0, quantity not negative",
                              name, i);
        /* best first: each next level comes before the previous in storage order */
        if (i && side_cmp(side, &lv[i].price, &lv[i - 1].price) >= 0)
            return nax__error(NAX_EINVAL, "%s[%zu]: levels must be best first, one per price", name,
                              i);
    }
    return 0;
}

static void side_fill(naxd__side *side, const nax_book_level *lv, size_t n)
{
    side->n = 0;
    for (size_t i = n; i-- > 0;)
        if (!nax_decimal_is_zero(&lv[i].quantity))
            side->lv[side->n++] = lv[i];
}

int naxd__mirror_reset(naxd__mirror *m, uint64_t seq, int64_t ts, const nax_book_level *bids,
                       size_t bids_count, const nax_book_level *asks, size_t asks_count)
{
    int rc = check_sorted(&m->bids, bids, bids_count, "bids");
    if (!rc)
        rc = check_sorted(&m->asks, asks, asks_count, "asks");
    if (rc)
        return rc;
    /* reserve both before touching either, so a failure changes nothing */
    size_t nb = m->bids.n, na = m->asks.n;
    if (side_reserve(&m->bids, bids_count > nb ? bids_count - nb : 0) ||
        side_reserve(&m->asks, asks_count > na ? asks_count - na : 0))
        return NAX_ENOMEM;
    side_fill(&m->bids, bids, bids_count);
    side_fill(&m->asks, asks, asks_count);
    m->seq = seq;
    m->ts = ts;
    m->checksum_ok = 0;
    return 0;
}

/* Applies one level; 1 when the side changed. */
static int side_apply(naxd__side *side, const nax_book_level *l)
{
    int found;
    size_t i = side_find(side, &l->price, &found);
    if (nax_decimal_is_zero(&l->quantity)) {
        if (!found)
            return 0;
        memmove(&side->lv[i], &side->lv[i + 1], (side->n - i - 1) * sizeof(*side->lv));
        side->n--;
        return 1;
    }
    if (found) {
        if (nax_decimal_cmp(&side->lv[i].quantity, &l->quantity) == 0)
            return 0;
        side->lv[i].quantity = l->quantity;
        return 1;
    }
    memmove(&side->lv[i + 1], &side->lv[i], (side->n - i) * sizeof(*side->lv));
    side->lv[i] = *l;
    side->n++;
    return 1;
}

/* Is the level among the top NAXD_MIRROR_CHECKSUM_DEPTH of its side (or
 * would it be)? Changes below them leave the checksum as it was. */
static int near_top(const naxd__side *side, const nax_decimal *price)
{
    if (side->n < NAXD_MIRROR_CHECKSUM_DEPTH)
        return 1;
    const nax_decimal *edge = &side->lv[side->n - NAXD_MIRROR_CHECKSUM_DEPTH].price;
    return side_cmp(side, price, edge) >= 0;
}

static size_t apply_side(naxd__mirror *m, naxd__side *side, const nax_book_level *in, size_t n,
                         nax_book_level *changed)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        nax_book_level l = in[i]; /* in may alias changed */
        int top = near_top(side, &l.price);
        if (side_apply(side, &l)) {
            changed[k++] = l;
            if (top)
                m->checksum_ok = 0;
        }
    }
    return k;
}

int naxd__mirror_apply(naxd__mirror *m, uint64_t seq, int64_t ts, const nax_book_level *bids,
                       size_t bids_count, const nax_book_level *asks, size_t asks_count,
                       nax_book_level *changed_bids, size_t *changed_bids_count,
                       nax_book_level *changed_asks, size_t *changed_asks_count)
{
    if (seq != m->seq + 1)
        return nax__error(NAX_EINVAL, "book update seq %llu does not follow %llu",
                          (unsigned long long)seq, (unsigned long long)m->seq);
    for (size_t i = 0; i < bids_count; i++)
        if (!level_valid(&bids[i]))
            return nax__error(NAX_EINVAL, "bids[%zu]: price must be above 0, quantity not negative",
                              i);
    for (size_t i = 0; i < asks_count; i++)
        if (!level_valid(&asks[i]))
            return nax__error(NAX_EINVAL, "asks[%zu]: price must be above 0, quantity not negative",
                              i);
    if (side_reserve(&m->bids, bids_count) || side_reserve(&m->asks, asks_count))
        return NAX_ENOMEM;
    *changed_bids_count = apply_side(m, &m->bids, bids, bids_count, changed_bids);
    *changed_asks_count = apply_side(m, &m->asks, asks, asks_count, changed_asks);
    m->seq = seq;
    m->ts = ts;
    return 0;
}

size_t naxd__side_copy(const naxd__side *side, size_t depth, nax_book_level *out)
{
    size_t n = depth && depth < side->n ? depth : side->n;
    for (size_t i = 0; i < n; i++)
        out[i] = side->lv[side->n - 1 - i];
    return n;
}

uint32_t naxd__mirror_checksum(naxd__mirror *m)
{
    if (m->checksum_ok)
        return m->checksum;
    nax_book_level b[NAXD_MIRROR_CHECKSUM_DEPTH], a[NAXD_MIRROR_CHECKSUM_DEPTH];
    size_t nb = naxd__side_copy(&m->bids, NAXD_MIRROR_CHECKSUM_DEPTH, b);
    size_t na = naxd__side_copy(&m->asks, NAXD_MIRROR_CHECKSUM_DEPTH, a);
    uint32_t crc = 0;
    if (nax_book_checksum(&crc, b, nb, a, na) == 0) {
        m->checksum = crc;
        m->checksum_ok = 1;
    }
    return crc;
}

/* Market data: aggregated levels and the top of book. */
#include "engine_internal.h"

static size_t levels(const eng_market *m, const eng_side *s, size_t depth, naxd_level *out)
{
    size_t n = 0;
    for (const eng_level *l = eng_side_best(s); l != NULL && n < depth;
         l = eng_level_next(l), n++) {
        eng_dec(&out[n].price, (nax__u128)(uint64_t)l->ticks * m->tick_coeff, m->tick_scale);
        eng_dec(&out[n].quantity, (nax__u128)(uint64_t)l->total_lots * m->lot_coeff, m->lot_scale);
    }
    return n;
}

int naxd_engine_book(const naxd_engine *e, const char *pair, size_t depth, naxd_level *bids,
                     size_t *bids_count, naxd_level *asks, size_t *asks_count, uint64_t *seq)
{
    if (e == NULL || pair == NULL || (depth > 0 && (bids == NULL || asks == NULL)))
        return nax__error(NAX_EINVAL, "book: invalid argument");
    const eng_market *m = eng_market_find(e, pair);
    if (m == NULL)
        return nax__error(NAX_ENOTFOUND, "book: unknown pair %s", pair);
    size_t nb = levels(m, &m->bids, depth, bids), na = levels(m, &m->asks, depth, asks);
    if (bids_count)
        *bids_count = nb;
    if (asks_count)
        *asks_count = na;
    if (seq)
        *seq = m->seq;
    return 0;
}

int naxd_engine_level(const naxd_engine *e, const char *pair, nax_side side,
                      const nax_decimal *price, nax_decimal *quantity)
{
    if (e == NULL || pair == NULL || price == NULL || quantity == NULL ||
        (side != NAX_SIDE_BUY && side != NAX_SIDE_SELL))
        return nax__error(NAX_EINVAL, "level: invalid argument");
    eng_market *m = eng_market_find(e, pair);
    if (m == NULL)
        return nax__error(NAX_ENOTFOUND, "level: unknown pair %s", pair);
    int64_t ticks;
    const eng_level *l = NULL;
    /* A price off the tick grid can hold no order, so its level is empty. */
    if (nax_decimal_sign(price) > 0 &&
        eng_to_steps(price, m->tick_coeff, m->tick_scale, &ticks) == ENG_STEPS_OK)
        l = eng_side_find(eng_book_side(m, side), ticks);
    eng_dec(quantity, l ? (nax__u128)(uint64_t)l->total_lots * m->lot_coeff : 0, m->lot_scale);
    return 0;
}

int naxd_engine_top(const naxd_engine *e, const char *pair, int *has_bid, nax_decimal *bid,
                    int *has_ask, nax_decimal *ask)
{
    if (e == NULL || pair == NULL)
        return nax__error(NAX_EINVAL, "top: invalid argument");
    const eng_market *m = eng_market_find(e, pair);
    if (m == NULL)
        return nax__error(NAX_ENOTFOUND, "top: unknown pair %s", pair);
    naxd_level best[1];
    int hb = levels(m, &m->bids, 1, best) == 1;
    if (hb && bid)
        *bid = best[0].price;
    if (has_bid)
        *has_bid = hb;
    int ha = levels(m, &m->asks, 1, best) == 1;
    if (ha && ask)
        *ask = best[0].price;
    if (has_ask)
        *has_ask = ha;
    return 0;
}

/* Validation of an order spec: market, price, quantity, the hold and funds.
 * A refusal changes nothing. */
#include "place.h"

static int decimal_positive(const nax_decimal *d)
{
    return nax__dec_valid(d) && !d->negative && (d->lo | d->hi) != 0;
}

static naxd_refusal check_market(const eng_market *m, const naxd_order_spec *spec)
{
    if (m == NULL)
        return NAXD_REFUSE_UNKNOWN_MARKET;
    if (m->spec.status == NAX_MARKET_STATUS_HALTED)
        return NAXD_REFUSE_MARKET_HALTED;
    /* A post-only market takes only orders that can rest and never take. */
    if (m->spec.status == NAX_MARKET_STATUS_POST_ONLY &&
        (spec->type != NAX_ORDER_TYPE_LIMIT || !spec->post_only))
        return NAXD_REFUSE_MARKET_HALTED;
    return NAXD_OK;
}

static naxd_refusal steps_refusal(eng_steps_rc rc, naxd_refusal not_multiple)
{
    return rc == ENG_STEPS_OK          ? NAXD_OK
           : rc == ENG_STEPS_TOO_LARGE ? NAXD_REFUSE_TOO_LARGE
                                       : not_multiple;
}

/* Ticks, lots, the hold and the min-notional check. */
static naxd_refusal check_numbers(place_ctx *c, const naxd_order_spec *spec)
{
    eng_market *m = c->m;
    naxd_refusal r = NAXD_OK;
    if (!c->is_market) {
        if (!decimal_positive(&spec->price))
            return NAXD_REFUSE_INVALID_PRICE;
        r = steps_refusal(eng_to_steps(&spec->price, m->tick_coeff, m->tick_scale, &c->t.ticks),
                          NAXD_REFUSE_INVALID_PRICE);
    } else if (!nax__dec_valid(&spec->price) || (spec->price.lo | spec->price.hi) != 0) {
        return NAXD_REFUSE_INVALID_PRICE;
    }
    if (r != NAXD_OK)
        return r;
    if (!decimal_positive(&spec->quantity))
        return NAXD_REFUSE_INVALID_QUANTITY;
    r = steps_refusal(eng_to_steps(&spec->quantity, m->lot_coeff, m->lot_scale, &c->t.lots),
                      NAXD_REFUSE_INVALID_QUANTITY);
    if (r != NAXD_OK)
        return r;

    if (!c->is_buy) {
        c->hold = (nax__u128)(uint64_t)c->t.lots * m->lot_coeff;
        if (c->hold > NAX__DEC_MAX_COEFF)
            return NAXD_REFUSE_TOO_LARGE;
    }
    if (c->is_market)
        return NAXD_OK; /* no price yet: min_notional is checked for limit orders only */
    nax__u128 notional;
    if (!eng_mul3(&notional, (uint64_t)c->t.ticks, (uint64_t)c->t.lots, m->unit))
        return NAXD_REFUSE_TOO_LARGE;
    if (c->is_buy) {
        c->hold = notional + eng_fee(notional, &m->hold_rate);
        if (c->hold > NAX__DEC_MAX_COEFF)
            return NAXD_REFUSE_TOO_LARGE;
    }
    nax_decimal value;
    eng_dec(&value, notional, m->unit_scale);
    if (nax__dec_cmp(&value, &m->spec.min_notional) < 0)
        return NAXD_REFUSE_MIN_NOTIONAL;
    return NAXD_OK;
}

static naxd_refusal check_funds(place_ctx *c)
{
    uint32_t asset = eng_hold_asset(&c->t);
    const eng_balance *b = c->u && asset < c->u->balance_count ? &c->u->balances[asset] : NULL;
    if (b == NULL)
        return NAXD_REFUSE_INSUFFICIENT_FUNDS;
    if (c->is_buy && c->is_market) {
        /* No hold: what fills is bounded by the available quote, in whole units. */
        nax_decimal units;
        if (nax__dec_rescale(&units, &b->available, c->m->unit_scale, NAX_ROUND_DOWN) != 0)
            c->avail = NAX__DEC_MAX_COEFF; /* more than any fill can cost */
        else
            c->avail = nax__dec_mag(&units);
        return c->avail > 0 ? NAXD_OK : NAXD_REFUSE_INSUFFICIENT_FUNDS;
    }
    nax_decimal need;
    eng_dec(&need, c->hold, eng_hold_scale(&c->t));
    return nax__dec_cmp(&b->available, &need) >= 0 ? NAXD_OK : NAXD_REFUSE_INSUFFICIENT_FUNDS;
}

static void init_taker(place_ctx *c, const naxd_order_spec *spec)
{
    eng_order *t = &c->t;
    eng_market *m = c->m;
    naxd_order_state *st = &t->st;
    t->user = c->u;
    t->market = m;
    t->filled_lots = 0;
    t->hold = 0;
    memset(st, 0, sizeof *st);
    st->id = spec->id;
    st->user = spec->user;
    st->pair = m->spec.pair;
    st->side = spec->side;
    st->type = spec->type;
    if (!c->is_market)
        st->price = spec->price;
    st->quantity = spec->quantity;
    eng_dec(&st->filled, 0, m->lot_scale);
    eng_dec(&st->filled_notional, 0, m->unit_scale);
    if (c->is_market)
        st->tif = spec->tif == NAX_TIF_FOK ? NAX_TIF_FOK : NAX_TIF_IOC;
    else
        st->tif = spec->tif == NAX_TIF_NONE ? NAX_TIF_GTC : spec->tif;
    st->post_only = spec->post_only != 0;
    st->status = NAX_ORDER_STATUS_OPEN;
    eng_dec(&st->hold_remaining, 0, eng_hold_scale(t));
    st->hold_asset = c->e->assets[eng_hold_asset(t)];
    st->created_at = st->updated_at = spec->ts;
}

naxd_refusal eng_validate(place_ctx *c, const naxd_order_spec *spec)
{
    naxd_refusal r = check_market(c->m, spec);
    if (r == NAXD_OK)
        r = check_numbers(c, spec);
    if (r != NAXD_OK)
        return r;
    c->u = eng_user_find(c->e, spec->user);
    init_taker(c, spec);
    return check_funds(c);
}

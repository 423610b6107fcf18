/* Rebuilding state from the store: balances and resting orders as they were,
 * without matching and without moving money. */
#include "engine_internal.h"

static int non_negative(const nax_decimal *d)
{
    return d != NULL && nax__dec_valid(d) && !d->negative;
}

int naxd_engine_restore_balance(naxd_engine *e, naxd_user_id user, const char *asset,
                                const nax_decimal *available, const nax_decimal *locked)
{
    if (e == NULL || user == 0 || asset == NULL || *asset == '\0' || !non_negative(available) ||
        !non_negative(locked))
        return nax__error(NAX_EINVAL, "restore_balance: invalid argument");
    uint32_t id;
    eng_user *u;
    int rc = eng_asset_intern(e, asset, &id);
    if (rc == 0)
        rc = eng_user_prepare(e, user, id, &u);
    if (rc != 0)
        return rc;
    u->balances[id].available = *available;
    u->balances[id].locked = *locked;
    u->balances[id].present = 1;
    return 0;
}

/* A whole count of steps >= 0 (filled may be zero). */
static int steps(const nax_decimal *d, uint64_t coeff, int scale, int64_t *out)
{
    if (!non_negative(d))
        return 0;
    if ((d->lo | d->hi) == 0) {
        *out = 0;
        return 1;
    }
    return eng_to_steps(d, coeff, scale, out) == ENG_STEPS_OK;
}

/* The hold in hold units, exactly. */
static int hold_units(const nax_decimal *d, int scale, nax__u128 *out)
{
    nax_decimal r;
    if (!non_negative(d) || nax__dec_rescale(&r, d, scale, NAX_ROUND_DOWN) != 0 ||
        nax__dec_cmp(&r, d) != 0)
        return 0;
    *out = nax__dec_mag(&r);
    return 1;
}

/* Checks o against its market and fills the integer fields of `into`. */
static int order_numbers(const naxd_order_state *o, eng_market *m, eng_order *into)
{
    nax__u128 notional;
    into->market = m;
    into->st = *o;
    if (o->type != NAX_ORDER_TYPE_LIMIT || (o->side != NAX_SIDE_BUY && o->side != NAX_SIDE_SELL) ||
        (o->status != NAX_ORDER_STATUS_OPEN && o->status != NAX_ORDER_STATUS_PARTIALLY_FILLED) ||
        !steps(&o->price, m->tick_coeff, m->tick_scale, &into->ticks) || into->ticks == 0 ||
        !steps(&o->quantity, m->lot_coeff, m->lot_scale, &into->lots) ||
        !steps(&o->filled, m->lot_coeff, m->lot_scale, &into->filled_lots) ||
        into->filled_lots >= into->lots || !non_negative(&o->filled_notional) ||
        !eng_mul3(&notional, (uint64_t)into->ticks, (uint64_t)into->lots, m->unit) ||
        !hold_units(&o->hold_remaining, eng_hold_scale(into), &into->hold))
        return 0;
    uint64_t rest = (uint64_t)(into->lots - into->filled_lots);
    if (o->side == NAX_SIDE_SELL)
        return into->hold == (nax__u128)rest * m->lot_coeff;
    return into->hold >= (nax__u128)(uint64_t)into->ticks * rest * m->unit;
}

int naxd_engine_restore_order(naxd_engine *e, const naxd_order_state *o)
{
    if (e == NULL || o == NULL || o->id == 0 || o->user == 0 || o->pair == NULL)
        return nax__error(NAX_EINVAL, "restore_order: invalid argument");
    eng_market *m = eng_market_find(e, o->pair);
    if (m == NULL)
        return nax__error(NAX_EINVAL, "restore_order %llu: unknown pair %s",
                          (unsigned long long)o->id, o->pair);
    if (eng_map_get(&e->orders, o->id) != NULL)
        return nax__error(NAX_EINVAL, "restore_order %llu: already open",
                          (unsigned long long)o->id);
    eng_order tmp;
    if (!order_numbers(o, m, &tmp))
        return nax__error(NAX_EINVAL, "restore_order %llu: inconsistent with market %s",
                          (unsigned long long)o->id, o->pair);
    const eng_level *best = eng_side_best(o->side == NAX_SIDE_BUY ? &m->asks : &m->bids);
    if (best != NULL &&
        (o->side == NAX_SIDE_BUY ? best->ticks <= tmp.ticks : best->ticks >= tmp.ticks))
        return nax__error(NAX_EINVAL, "restore_order %llu: would cross the book",
                          (unsigned long long)o->id);
    eng_user *u;
    int rc = eng_user_prepare(e, o->user, m->base > m->quote ? m->base : m->quote, &u);
    if (rc == 0)
        rc = eng_rest_reserve(e, m, o->side);
    if (rc != 0)
        return rc;
    eng_order *r = eng_pool_take(&e->order_pool);
    *r = tmp;
    r->user = u;
    r->st.pair = m->spec.pair;
    r->st.hold_asset = e->assets[eng_hold_asset(r)];
    eng_rest(e, r);
    m->seq++;
    return 0;
}

void naxd_engine_restore_trade_seq(naxd_engine *e, uint64_t next_trade_seq)
{
    if (e != NULL && next_trade_seq > 0)
        e->next_trade_seq = next_trade_seq;
}

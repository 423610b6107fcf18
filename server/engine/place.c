/* naxd_engine_place: validate, plan, reserve, hold, match, rest or close.
 *
 * The book is walked twice when an order crosses: first without changing
 * anything (how many makers it meets, whether a FOK can fill completely),
 * which bounds everything the call can emit, so the exec, pools and maps are
 * reserved before any state changes; then for real. */
#include "place.h"

/* ---- the plan: what matching would meet, without changing anything --------- */

static int crosses(const place_ctx *c, const eng_level *l)
{
    if (l == NULL)
        return 0;
    if (c->is_market)
        return 1;
    return c->is_buy ? l->ticks <= c->t.ticks : l->ticks >= c->t.ticks;
}

/* What a market buy pays for q lots at `ticks`: notional plus taker fee. */
static int market_buy_cost(const place_ctx *c, int64_t ticks, int64_t q, nax__u128 *cost)
{
    nax__u128 n;
    if (!eng_mul3(&n, (uint64_t)ticks, (uint64_t)q, c->m->unit))
        return 0;
    *cost = n + eng_fee(n, &c->m->taker);
    return *cost <= NAX__DEC_MAX_COEFF;
}

/* Most lots up to q that a market buy can pay for at `ticks`. */
static int64_t affordable(const place_ctx *c, int64_t ticks, int64_t q)
{
    nax__u128 cost;
    if (market_buy_cost(c, ticks, q, &cost) && cost <= c->avail)
        return q;
    int64_t lo = 0, hi = q - 1; /* cost rises with q: the answer is in [lo, hi] */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo + 1) / 2;
        if (market_buy_cost(c, ticks, mid, &cost) && cost <= c->avail)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* How many makers matching would meet (an upper bound when funds stop a market
 * buy early); *complete says whether the whole quantity would fill. */
static size_t plan(const place_ctx *c, int *complete)
{
    int64_t remaining = c->t.lots;
    int fok_funds = c->is_buy && c->is_market && c->t.st.tif == NAX_TIF_FOK;
    nax__u128 avail = c->avail, cost;
    size_t makers = 0;
    for (eng_level *l = eng_side_best(c->opposite); remaining > 0 && crosses(c, l);
         l = eng_level_next(l)) {
        for (eng_order *o = l->head; o != NULL && remaining > 0; o = o->next) {
            if (o->user == c->u)
                goto done; /* self-trade prevention stops here */
            int64_t q = o->lots - o->filled_lots;
            q = q < remaining ? q : remaining;
            if (fok_funds) {
                if (!market_buy_cost(c, l->ticks, q, &cost) || cost > avail)
                    goto done;
                avail -= cost;
            }
            remaining -= q;
            makers++;
        }
    }
done:
    *complete = remaining == 0;
    return makers;
}

static int match(place_ctx *c)
{
    eng_order *t = &c->t;
    while (t->filled_lots < t->lots) {
        eng_level *l = eng_side_best(c->opposite);
        if (!crosses(c, l))
            return 0;
        eng_order *maker = l->head;
        if (maker->user == c->u)
            return 1;
        int64_t want = t->lots - t->filled_lots, q = maker->lots - maker->filled_lots;
        q = q < want ? q : want;
        int64_t can = c->is_buy && c->is_market ? affordable(c, l->ticks, q) : q;
        if (can == 0 || eng_fill(c, maker, can) != 0)
            return 1;
        if (can < q)
            return 1;
        if (c->is_buy && c->is_market) {
            nax__u128 cost = 0;
            market_buy_cost(c, l->ticks, can, &cost);
            c->avail -= cost;
        }
    }
    return 0;
}

/* ---- the call --------------------------------------------------------------------- */

static int check_spec(const naxd_engine *e, const naxd_order_spec *spec)
{
    if (spec->id == 0 || spec->user == 0 || spec->pair == NULL ||
        (spec->side != NAX_SIDE_BUY && spec->side != NAX_SIDE_SELL) ||
        (spec->type != NAX_ORDER_TYPE_LIMIT && spec->type != NAX_ORDER_TYPE_MARKET) ||
        (int)spec->tif < NAX_TIF_NONE || spec->tif > NAX_TIF_FOK)
        return nax__error(NAX_EINVAL, "place: invalid order spec");
    if (eng_map_get(&e->orders, spec->id) != NULL)
        return nax__error(NAX_EINVAL, "place: order %llu is already open",
                          (unsigned long long)spec->id);
    return 0;
}

/* Everything the call may need, before anything changes. */
static int reserve(place_ctx *c, size_t makers, int may_rest)
{
    naxd_engine *e = c->e;
    eng_market *m = c->m;
    eng_user *fee_user;
    uint32_t top = m->base > m->quote ? m->base : m->quote;
    int rc = eng_reserve_call(e, c->x, 1 + makers, makers, 3 + 2 * makers);
    if (rc == 0)
        rc = eng_user_reserve_asset(c->u, top);
    if (rc == 0 && makers > 0)
        rc = eng_user_prepare(e, e->fee_account, m->quote, &fee_user);
    if (rc == 0 && may_rest)
        rc = eng_rest_reserve(e, m, c->t.st.side);
    return rc;
}

static int apply_hold(place_ctx *c)
{
    if (c->hold == 0)
        return 0;
    uint32_t asset = eng_hold_asset(&c->t);
    int scale = eng_hold_scale(&c->t);
    eng_balance *b = &c->u->balances[asset];
    nax_decimal available = b->available, locked = b->locked;
    if (eng_sub(&available, c->hold, scale) || eng_add(&locked, c->hold, scale))
        return nax__error(NAX_EOVERFLOW, "place: balance out of the decimal range");
    b = eng_touch_balance(c->e, c->u, asset);
    b->available = available;
    b->locked = locked;
    c->t.hold = c->hold;
    eng_dec(&c->t.st.hold_remaining, c->hold, scale);
    return 0;
}

/* The incoming order's final state: rests, or closes and gives back its hold. */
static void finish(place_ctx *c, int stopped)
{
    eng_order *t = &c->t;
    naxd_order_state *st = &t->st;
    if (t->filled_lots == t->lots) {
        st->status = NAX_ORDER_STATUS_FILLED;
    } else if (!stopped && !c->is_market && st->tif == NAX_TIF_GTC) {
        eng_order *o = eng_pool_take(&c->e->order_pool);
        *o = *t;
        eng_rest(c->e, o);
        eng_mark_changed(c->e, c->m, c->x);
        return;
    } else {
        st->status = NAX_ORDER_STATUS_CANCELLED;
    }
    /* Cannot fail: the hold asset's balances only went down since the hold
     * was taken, and this puts back part of what was taken. */
    (void)eng_release_hold(c->e, t);
}

int naxd_engine_place(naxd_engine *e, const naxd_order_spec *spec, naxd_exec *x)
{
    if (e == NULL || spec == NULL || x == NULL)
        return nax__error(NAX_EINVAL, "place: NULL argument");
    eng_begin(e, x);
    int rc = check_spec(e, spec);
    if (rc != 0)
        return rc;

    place_ctx c;
    c.e = e;
    c.x = x;
    c.ts = spec->ts;
    c.m = eng_market_find(e, spec->pair);
    c.is_buy = spec->side == NAX_SIDE_BUY;
    c.is_market = spec->type == NAX_ORDER_TYPE_MARKET;
    c.hold = c.avail = 0;
    c.t.ticks = 0;
    x->refusal = eng_validate(&c, spec);
    if (x->refusal != NAXD_OK)
        return 0;
    c.opposite = c.is_buy ? &c.m->asks : &c.m->bids;

    /* Decide what can happen before changing anything. */
    int would_take = crosses(&c, eng_side_best(c.opposite)), complete = 0;
    int rejected = spec->post_only && (would_take || c.is_market);
    size_t makers = would_take && !rejected ? plan(&c, &complete) : 0;
    int killed = c.t.st.tif == NAX_TIF_FOK && !complete;
    if (killed)
        makers = 0;
    int may_rest = !rejected && !c.is_market && c.t.st.tif == NAX_TIF_GTC;
    rc = reserve(&c, makers, may_rest);
    if (rc != 0)
        return rc;
    naxd_order_state *taker_out = eng_exec_order(x);
    /* Nothing to do: rejected, killed, an IOC with nothing to meet, or an order
     * whose first maker is the user's own (self-trade prevention). */
    if (rejected || killed || (makers == 0 && (!may_rest || would_take))) {
        c.t.st.status = rejected ? NAX_ORDER_STATUS_REJECTED : NAX_ORDER_STATUS_CANCELLED;
        *taker_out = c.t.st;
        return 0;
    }
    if (!c.is_buy || !c.is_market) {
        rc = apply_hold(&c);
        if (rc != 0) {
            x->orders_count = 0;
            return rc;
        }
    }
    int stopped = makers > 0 ? match(&c) : 0;
    finish(&c, stopped);
    *taker_out = c.t.st;
    eng_emit_balances(e, x);
    return 0;
}

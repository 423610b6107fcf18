/* naxd_engine_place: validate, plan, reserve, hold, match, rest or close.
 *
 * The book is walked twice when an order crosses: first without changing
 * anything (how many makers it meets, whether a FOK can fill completely),
 * which bounds everything the call can emit, so the exec, pools and maps are
 * reserved before any state changes; then for real. */
#include "engine_internal.h"

typedef struct place_ctx {
    naxd_engine *e;
    naxd_exec *x;
    eng_market *m;
    eng_user *u;
    eng_order t; /* the incoming (taker) order, on the stack unless it rests */
    int is_buy, is_market;
    eng_side *opposite;
    nax__u128 hold;  /* what the order must hold, in hold units */
    nax__u128 avail; /* market buys: available quote in units, rounded down */
    int64_t ts;
} place_ctx;

/* ---- validation ------------------------------------------------------------- */

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

/* ---- one fill ----------------------------------------------------------------- */

/* Balances a fill changes, saved so that a failure puts them back. */
typedef struct undo_log {
    struct {
        eng_balance *b;
        nax_decimal available, locked;
    } saved[6];
    int count;
} undo_log;

static eng_balance *save(undo_log *u, eng_balance *b)
{
    u->saved[u->count].b = b;
    u->saved[u->count].available = b->available;
    u->saved[u->count].locked = b->locked;
    u->count++;
    return b;
}

static void undo(undo_log *u)
{
    while (u->count > 0) {
        u->count--;
        u->saved[u->count].b->available = u->saved[u->count].available;
        u->saved[u->count].b->locked = u->saved[u->count].locked;
    }
}

static int add(nax_decimal *d, nax__u128 mag, int scale)
{
    nax_decimal v;
    eng_dec(&v, mag, scale);
    return nax__dec_add(d, d, &v, 0);
}

static int sub(nax_decimal *d, nax__u128 mag, int scale)
{
    nax_decimal v;
    eng_dec(&v, mag, scale);
    return nax__dec_add(d, d, &v, 1);
}

typedef struct fill_amounts {
    nax__u128 notional, base, buyer_fee, seller_fee, buyer_pays, buyer_refund;
} fill_amounts;

/* What the fill moves. Fees are rounded up per fill, while a limit buy's hold
 * covers its fees rounded up once over the whole quantity; so the buyer's fee
 * is capped at what the hold keeps beyond the notional of the rest of the
 * order at its limit, and never makes the hold run short. */
static void amounts(const place_ctx *c, const eng_order *buyer, int64_t ticks, int64_t q,
                    fill_amounts *a)
{
    const eng_market *m = c->m;
    a->notional = (nax__u128)(uint64_t)ticks * (uint64_t)q * m->unit;
    a->base = (nax__u128)(uint64_t)q * m->lot_coeff;
    nax__u128 taker_fee = eng_fee(a->notional, &m->taker);
    nax__u128 maker_fee = eng_fee(a->notional, &m->maker);
    a->buyer_fee = c->is_buy ? taker_fee : maker_fee;
    a->seller_fee = c->is_buy ? maker_fee : taker_fee;
    a->buyer_refund = 0;
    if (buyer->st.type == NAX_ORDER_TYPE_LIMIT) {
        int64_t rest = buyer->lots - buyer->filled_lots - q;
        nax__u128 still = (nax__u128)(uint64_t)buyer->ticks * (uint64_t)rest * m->unit;
        nax__u128 room = buyer->hold - a->notional - still;
        if (a->buyer_fee > room)
            a->buyer_fee = room;
        if (rest == 0) /* filled below its limit or with fees to spare */
            a->buyer_refund = buyer->hold - a->notional - a->buyer_fee;
    }
    a->buyer_pays = a->notional + a->buyer_fee;
}

static int move_balances(place_ctx *c, eng_order *buyer, eng_order *seller, const fill_amounts *a)
{
    naxd_engine *e = c->e;
    eng_market *m = c->m;
    int us = m->unit_scale, ls = m->lot_scale, rc;
    undo_log log = {.count = 0};
    eng_balance *bq = save(&log, eng_touch_balance(e, buyer->user, m->quote));
    if (buyer->st.type == NAX_ORDER_TYPE_LIMIT) {
        rc = sub(&bq->locked, a->buyer_pays + a->buyer_refund, us);
        if (rc == 0)
            rc = add(&bq->available, a->buyer_refund, us);
    } else {
        rc = sub(&bq->available, a->buyer_pays, us);
    }
    if (rc == 0)
        rc = add(&save(&log, eng_touch_balance(e, buyer->user, m->base))->available, a->base, ls);
    if (rc == 0)
        rc = sub(&save(&log, eng_touch_balance(e, seller->user, m->base))->locked, a->base, ls);
    if (rc == 0)
        rc = add(&save(&log, eng_touch_balance(e, seller->user, m->quote))->available,
                 a->notional - a->seller_fee, us);
    if (rc == 0 && a->buyer_fee + a->seller_fee > 0) {
        eng_user *fee_user = eng_user_find(e, e->fee_account);
        rc = add(&save(&log, eng_touch_balance(e, fee_user, m->quote))->available,
                 a->buyer_fee + a->seller_fee, us);
    }
    if (rc != 0)
        undo(&log);
    return rc;
}

static void order_filled(place_ctx *c, eng_order *o, int64_t q, const nax_decimal *filled,
                         const nax_decimal *notional, nax__u128 hold_used)
{
    o->filled_lots += q;
    o->hold -= hold_used;
    o->st.filled = *filled;
    o->st.filled_notional = *notional;
    eng_dec(&o->st.hold_remaining, o->hold, eng_hold_scale(o));
    o->st.status =
        o->filled_lots == o->lots ? NAX_ORDER_STATUS_FILLED : NAX_ORDER_STATUS_PARTIALLY_FILLED;
    o->st.updated_at = c->ts;
}

/* Executes q lots between the taker and the maker at the maker's price;
 * NAX_EOVERFLOW (nothing changed) when a balance would leave the decimal range. */
static int fill(place_ctx *c, eng_order *maker, int64_t q)
{
    eng_order *t = &c->t, *buyer = c->is_buy ? t : maker, *seller = c->is_buy ? maker : t;
    eng_market *m = c->m;
    fill_amounts a;
    amounts(c, buyer, maker->ticks, q, &a);

    nax_decimal t_filled = t->st.filled, m_filled = maker->st.filled;
    nax_decimal t_notional = t->st.filled_notional, m_notional = maker->st.filled_notional;
    if (add(&t_filled, a.base, m->lot_scale) || add(&m_filled, a.base, m->lot_scale) ||
        add(&t_notional, a.notional, m->unit_scale) ||
        add(&m_notional, a.notional, m->unit_scale) || move_balances(c, buyer, seller, &a))
        return NAX_EOVERFLOW;

    nax__u128 buyer_used =
        buyer->st.type == NAX_ORDER_TYPE_LIMIT ? a.buyer_pays + a.buyer_refund : 0;
    order_filled(c, t, q, &t_filled, &t_notional, c->is_buy ? buyer_used : a.base);
    order_filled(c, maker, q, &m_filled, &m_notional, c->is_buy ? a.base : buyer_used);
    maker->level->total_lots -= q;

    naxd_fill_event *f = eng_exec_fill(c->x);
    f->trade_seq = c->e->next_trade_seq++;
    f->maker_order = maker->st.id;
    f->taker_order = t->st.id;
    f->maker_user = maker->user->id;
    f->taker_user = t->user->id;
    f->taker_side = t->st.side;
    eng_dec(&f->price, (nax__u128)(uint64_t)maker->ticks * m->tick_coeff, m->tick_scale);
    eng_dec(&f->quantity, a.base, m->lot_scale);
    eng_dec(&f->maker_fee, c->is_buy ? a.seller_fee : a.buyer_fee, m->unit_scale);
    eng_dec(&f->taker_fee, c->is_buy ? a.buyer_fee : a.seller_fee, m->unit_scale);
    f->ts = c->ts;

    *eng_exec_order(c->x) = maker->st;
    eng_mark_changed(c->e, m, c->x);
    if (maker->st.status == NAX_ORDER_STATUS_FILLED)
        eng_unrest(c->e, maker);
    return 0;
}

/* Matches against the opposite side; returns 1 when something stopped the
 * order before its price did (self-trade, funds, range), so its remainder must
 * not rest. */
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
        if (can == 0 || fill(c, maker, can) != 0)
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
    if (sub(&available, c->hold, scale) || add(&locked, c->hold, scale))
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
    x->refusal = check_market(c.m, spec);
    if (x->refusal == NAXD_OK)
        x->refusal = check_numbers(&c, spec);
    if (x->refusal != NAXD_OK)
        return 0;
    c.u = eng_user_find(e, spec->user);
    c.opposite = c.is_buy ? &c.m->asks : &c.m->bids;
    init_taker(&c, spec);
    x->refusal = check_funds(&c);
    if (x->refusal != NAXD_OK)
        return 0;

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

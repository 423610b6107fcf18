/* One fill between the incoming order and a resting one: the amounts, the
 * balances (all or nothing), both orders' state and the fill event. */
#include "place.h"

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

int eng_add(nax_decimal *d, nax__u128 mag, int scale)
{
    nax_decimal v;
    eng_dec(&v, mag, scale);
    return nax__dec_add(d, d, &v, 0);
}

int eng_sub(nax_decimal *d, nax__u128 mag, int scale)
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
        rc = eng_sub(&bq->locked, a->buyer_pays + a->buyer_refund, us);
        if (rc == 0)
            rc = eng_add(&bq->available, a->buyer_refund, us);
    } else {
        rc = eng_sub(&bq->available, a->buyer_pays, us);
    }
    if (rc == 0)
        rc = eng_add(&save(&log, eng_touch_balance(e, buyer->user, m->base))->available, a->base,
                     ls);
    if (rc == 0)
        rc = eng_sub(&save(&log, eng_touch_balance(e, seller->user, m->base))->locked, a->base, ls);
    if (rc == 0)
        rc = eng_add(&save(&log, eng_touch_balance(e, seller->user, m->quote))->available,
                     a->notional - a->seller_fee, us);
    if (rc == 0 && a->buyer_fee + a->seller_fee > 0) {
        eng_user *fee_user = eng_user_find(e, e->fee_account);
        rc = eng_add(&save(&log, eng_touch_balance(e, fee_user, m->quote))->available,
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

int eng_fill(place_ctx *c, eng_order *maker, int64_t q)
{
    eng_order *t = &c->t, *buyer = c->is_buy ? t : maker, *seller = c->is_buy ? maker : t;
    eng_market *m = c->m;
    fill_amounts a;
    amounts(c, buyer, maker->ticks, q, &a);

    nax_decimal t_filled = t->st.filled, m_filled = maker->st.filled;
    nax_decimal t_notional = t->st.filled_notional, m_notional = maker->st.filled_notional;
    if (eng_add(&t_filled, a.base, m->lot_scale) || eng_add(&m_filled, a.base, m->lot_scale) ||
        eng_add(&t_notional, a.notional, m->unit_scale) ||
        eng_add(&m_notional, a.notional, m->unit_scale) || move_balances(c, buyer, seller, &a))
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

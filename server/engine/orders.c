/* Resting orders: into and out of their level, their user's list and the id
 * map; holds released on close; cancel and cancel-all. */
#include "engine_internal.h"

uint32_t eng_hold_asset(const eng_order *o)
{
    return o->st.side == NAX_SIDE_BUY ? o->market->quote : o->market->base;
}

int eng_hold_scale(const eng_order *o)
{
    return o->st.side == NAX_SIDE_BUY ? o->market->unit_scale : o->market->lot_scale;
}

int eng_rest_reserve(naxd_engine *e, eng_market *m, nax_side side)
{
    if (eng_pool_reserve(&e->order_pool, 1) != 0 || eng_map_reserve(&e->orders, 1) != 0 ||
        eng_side_reserve(e, eng_book_side(m, side)) != 0)
        return nax__error_oom();
    return 0;
}

void eng_rest(naxd_engine *e, eng_order *o)
{
    eng_side *s = eng_book_side(o->market, o->st.side);
    eng_level *l = eng_side_find(s, o->ticks);
    if (l == NULL)
        l = eng_side_insert(e, s, o->ticks, o->st.side == NAX_SIDE_BUY);
    o->level = l;
    o->next = NULL;
    o->prev = l->tail;
    if (l->tail)
        l->tail->next = o;
    else
        l->head = o;
    l->tail = o;
    l->total_lots += o->lots - o->filled_lots;

    /* The user's list stays in id order; ids usually arrive increasing. */
    eng_user *u = o->user;
    eng_order *after = u->last;
    while (after != NULL && after->st.id > o->st.id)
        after = after->user_prev;
    o->user_prev = after;
    o->user_next = after ? after->user_next : u->first;
    if (o->user_next)
        o->user_next->user_prev = o;
    else
        u->last = o;
    if (after)
        after->user_next = o;
    else
        u->first = o;
    u->open_count++;
    eng_map_put(&e->orders, o->st.id, o);
}

void eng_unrest(naxd_engine *e, eng_order *o)
{
    eng_level *l = o->level;
    l->total_lots -= o->lots - o->filled_lots;
    if (o->prev)
        o->prev->next = o->next;
    else
        l->head = o->next;
    if (o->next)
        o->next->prev = o->prev;
    else
        l->tail = o->prev;
    if (l->head == NULL)
        eng_side_remove(e, eng_book_side(o->market, o->st.side), l);

    eng_user *u = o->user;
    if (o->user_prev)
        o->user_prev->user_next = o->user_next;
    else
        u->first = o->user_next;
    if (o->user_next)
        o->user_next->user_prev = o->user_prev;
    else
        u->last = o->user_prev;
    u->open_count--;
    eng_map_remove(&e->orders, o->st.id);
    eng_pool_give(&e->order_pool, o);
}

int eng_release_hold(naxd_engine *e, eng_order *o)
{
    if (o->hold == 0)
        return 0;
    uint32_t asset = eng_hold_asset(o);
    eng_balance *b = &o->user->balances[asset];
    nax_decimal amount, available, locked;
    eng_dec(&amount, o->hold, eng_hold_scale(o));
    if (nax__dec_add(&locked, &b->locked, &amount, 1) != 0 ||
        nax__dec_add(&available, &b->available, &amount, 0) != 0)
        return nax__error(NAX_EOVERFLOW, "order %llu: balance out of the decimal range",
                          (unsigned long long)o->st.id);
    b = eng_touch_balance(e, o->user, asset);
    b->locked = locked;
    b->available = available;
    o->hold = 0;
    eng_dec(&o->st.hold_remaining, 0, eng_hold_scale(o));
    return 0;
}

/* Closes one open order as cancelled and reports it. */
static int cancel_one(naxd_engine *e, eng_order *o, int64_t ts, naxd_exec *x)
{
    int rc = eng_release_hold(e, o);
    if (rc != 0)
        return rc;
    o->st.status = NAX_ORDER_STATUS_CANCELLED;
    o->st.updated_at = ts;
    *eng_exec_order(x) = o->st;
    eng_mark_changed(e, o->market, x);
    eng_unrest(e, o);
    return 0;
}

int naxd_engine_cancel(naxd_engine *e, naxd_user_id user, naxd_order_id id, int64_t ts,
                       naxd_exec *x)
{
    if (e == NULL || x == NULL)
        return nax__error(NAX_EINVAL, "cancel: NULL argument");
    eng_begin(e, x);
    eng_order *o = eng_map_get(&e->orders, id);
    /* Cancels of orders that have just filled are common traffic: the code
     * alone answers, without formatting an error message. */
    if (o == NULL || o->user->id != user)
        return NAX_ENOTFOUND;
    int rc = eng_reserve_call(e, x, 1, 0, 1);
    if (rc == 0)
        rc = cancel_one(e, o, ts, x);
    eng_emit_balances(e, x);
    return rc;
}

int naxd_engine_cancel_all(naxd_engine *e, naxd_user_id user, const char *pair, int64_t ts,
                           naxd_exec *x)
{
    if (e == NULL || x == NULL)
        return nax__error(NAX_EINVAL, "cancel_all: NULL argument");
    eng_begin(e, x);
    eng_market *m = NULL;
    if (pair != NULL && (m = eng_market_find(e, pair)) == NULL)
        return nax__error(NAX_ENOTFOUND, "cancel_all: unknown pair %s", pair);
    eng_user *u = eng_user_find(e, user);
    if (u == NULL || u->open_count == 0)
        return 0;
    /* At most one balance per hold asset, and never more than the orders. */
    size_t balances = u->open_count < e->asset_count ? u->open_count : e->asset_count;
    int rc = eng_reserve_call(e, x, u->open_count, 0, balances);
    if (rc != 0)
        return rc;
    /* An order whose hold cannot be released (a balance at the edge of the
     * decimal range) stays open; the others are still cancelled. */
    for (eng_order *o = u->first, *next; o != NULL; o = next) {
        next = o->user_next;
        if (m == NULL || o->market == m)
            (void)cancel_one(e, o, ts, x);
    }
    eng_emit_balances(e, x);
    return 0;
}

const naxd_order_state *naxd_engine_open_order(const naxd_engine *e, naxd_order_id id)
{
    eng_order *o = e ? eng_map_get(&e->orders, id) : NULL;
    return o ? &o->st : NULL;
}

int naxd_engine_foreach_open_order(const naxd_engine *e, naxd_user_id user,
                                   int (*fn)(const naxd_order_state *o, void *arg), void *arg)
{
    if (e == NULL || fn == NULL)
        return nax__error(NAX_EINVAL, "foreach_open_order: NULL argument");
    eng_user *u = eng_user_find(e, user);
    for (eng_order *o = u ? u->first : NULL; o != NULL; o = o->user_next) {
        if (fn(&o->st, arg) != 0)
            return NAX_EUSER;
    }
    return 0;
}

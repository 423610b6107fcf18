/*
 * The private channels (orders, balances, fills): delivery with the fills
 * deduplicated, and the catch-up over REST after events may have been
 * missed (a reconnect, `lagging`, a seq gap, an expired session).
 *
 * While a catch-up is due, private messages are held. Once every channel
 * being caught up has its fresh snapshot, the orders and fills that changed
 * meanwhile are fetched (nax_trades_history newest first down to the last
 * fill delivered; the orders known open that left the snapshot, the orders
 * of the missed fills, and the orders created since the channel's last
 * message), delivered oldest first with NAX_STREAM_F_CATCHUP, then the held
 * messages follow. Driving thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "nax/api.h"
#include "stream/stream_internal.h"

/* Fills delivered that are remembered against repeats. */
#define FILLS_REMEMBERED 8192
/* Order states delivered that are remembered, so a catch-up skips them. */
#define ORDER_STATES_REMEMBERED 4096
/* How far before a channel's last message a catch-up looks (server clock). */
#define SLACK_MS 5000
/* Page size of the REST lists. */
#define PAGE 100
/* Attempts of one catch-up whose REST calls fail in a way that may pass. */
#define CATCHUP_ATTEMPTS 5

#define ALL_PRIVATE                                                                                \
    (NAX__PRIV_BIT(NAX__CH_ORDERS) | NAX__PRIV_BIT(NAX__CH_BALANCES) | NAX__PRIV_BIT(NAX__CH_FILLS))

/* How far an order has come: a later state of it never has less of either. */
typedef struct progress {
    nax_decimal filled;
    int rank; /* 0 open, 1 partially filled, 2 done (filled, cancelled, rejected) */
} progress;

void nax__private_init(nax__private *p)
{
    memset(p, 0, sizeof *p);
    nax__idset_init(&p->fills_seen, FILLS_REMEMBERED);
    nax__idset_init(&p->open_orders, 0);
    nax__idset_init_extra(&p->order_states, ORDER_STATES_REMEMBERED, sizeof(progress));
    nax__idset_init_extra(&p->caught, ORDER_STATES_REMEMBERED, sizeof(progress));
}

static void free_held(nax__private *p)
{
    for (size_t i = 0; i < p->held_count; i++)
        nax_object_free(p->held[i]);
    p->held_count = 0;
}

void nax__private_dispose(nax__private *p)
{
    free_held(p);
    nax__free(p->held);
    nax__idset_dispose(&p->fills_seen);
    nax__idset_dispose(&p->open_orders);
    nax__idset_dispose(&p->order_states);
    nax__idset_dispose(&p->caught);
    nax__free(p->last_fill_id);
    memset(p, 0, sizeof *p);
}

static size_t kind_index(nax__chan_kind kind)
{
    return (size_t)(kind - NAX__CH_ORDERS);
}

/* ---- delivery ----------------------------------------------------------------------- */

static progress progress_of(const nax_order *o)
{
    progress g;
    memset(&g, 0, sizeof g);
    g.filled = o->filled_quantity;
    g.rank = o->status == NAX_ORDER_STATUS_OPEN               ? 0
             : o->status == NAX_ORDER_STATUS_PARTIALLY_FILLED ? 1
                                                              : 2;
    return g;
}

/* State o is further along than `was`: more filled, or done where it was not. */
static int further_along(const nax_order *o, const progress *was)
{
    progress now = progress_of(o);
    int c = nax_decimal_cmp(&now.filled, &was->filled);
    return c ? c > 0 : now.rank > was->rank;
}

/* A state of o that is not newer than the one remembered in `set` (at the
 * same updated_at, two changes in one millisecond: not further along). */
static int not_newer(const nax__idset *set, const nax_order *o)
{
    int64_t ts;
    progress was;
    if (!nax__idset_get_extra(set, o->id, &ts, &was))
        return 0;
    return o->updated_at < ts || (o->updated_at == ts && !further_along(o, &was));
}

static void remember_order(nax__private *p, const nax_order *o)
{
    progress g = progress_of(o);
    nax__idset_put_extra(&p->order_states, o->id, o->updated_at, &g);
    if (o->status == NAX_ORDER_STATUS_OPEN || o->status == NAX_ORDER_STATUS_PARTIALLY_FILLED)
        nax__idset_put(&p->open_orders, o->id, o->updated_at);
    else
        nax__idset_remove(&p->open_orders, o->id);
    /* Out of memory only weakens what a later catch-up can tell: carry on. */
}

/* A catch-up fetches the current state over REST, which may be newer than
 * events still on their way (held, or not yet sent): a state it delivered is
 * not delivered again, nor an older one after it (at the same updated_at,
 * only a state further along). */
static int deliver_order(nax_stream *s, const nax_order *o, unsigned int flags)
{
    nax__private *p = &s->priv;
    if (flags & NAX_STREAM_F_CATCHUP) {
        progress g = progress_of(o);
        nax__idset_put_extra(&p->caught, o->id, o->updated_at, &g);
    } else if (not_newer(&p->caught, o)) {
        return 0;
    }
    remember_order(p, o);
    return nax__stream_call_order(s, o, flags);
}

/* Each fill once: a fill already delivered (live, from a snapshot or a
 * catch-up) is not delivered again. */
static int deliver_fill(nax_stream *s, const nax_fill *f, unsigned int flags)
{
    nax__private *p = &s->priv;
    if (nax__idset_get(&p->fills_seen, f->id, NULL))
        return 0;
    nax__idset_put(&p->fills_seen, f->id, f->ts);
    char *id = nax__strdup(f->id);
    if (id) {
        nax__free(p->last_fill_id);
        p->last_fill_id = id;
    }
    return nax__stream_call_fill(s, f, flags);
}

/* Delivers a snapshot or update message of a private channel. */
static void deliver_message(nax_stream *s, const nax_stream_message *m)
{
    nax__private *p = &s->priv;
    int snap = m->type == NAX_STREAM_MSG_SNAPSHOT;
    unsigned int flags = snap ? NAX_STREAM_F_SNAPSHOT : 0;
    switch (nax__chan_parse(m->channel)) {
    case NAX__CH_ORDERS:
        if (snap)
            p->has_orders = 1;
        for (size_t i = 0; i < m->orders_count && !s->halted; i++)
            deliver_order(s, m->orders[i], flags);
        if (m->order && !s->halted)
            deliver_order(s, m->order, flags);
        break;
    case NAX__CH_BALANCES:
        for (size_t i = 0; i < m->balances_count && !s->halted; i++)
            nax__stream_call_balance(s, m->balances[i], flags);
        if (m->balance && !s->halted)
            nax__stream_call_balance(s, m->balance, flags);
        break;
    case NAX__CH_FILLS:
        if (snap)
            p->has_fills = 1;
        for (size_t i = 0; i < m->fills_count && !s->halted; i++)
            deliver_fill(s, m->fills[i], flags);
        if (m->fill && !s->halted)
            deliver_fill(s, m->fill, flags);
        break;
    default: break;
    }
}

/* ---- when a catch-up is due ---------------------------------------------------------- */

/* Every channel being caught up has the snapshot of its new subscription. */
static int catchup_ready(nax_stream *s)
{
    for (size_t i = 0; i < s->chans_count; i++) {
        const nax__chan *ch = s->chans[i];
        if (NAX__CH_PRIVATE(ch->kind) && (s->priv.catchup & NAX__PRIV_BIT(ch->kind)) &&
            ch->wanted && !(ch->sub == NAX__SUB_ACTIVE && ch->have_snapshot))
            return 0;
    }
    return 1;
}

static void maybe_catch_up(nax_stream *s)
{
    nax__private *p = &s->priv;
    if (p->catchup_scheduled && p->catchup_attempts && p->held_count >= s->opts.max_catchup_items) {
        /* Waiting to try again while holding more is not bounded: the last
         * attempt, now. */
        p->catchup_attempts = CATCHUP_ATTEMPTS - 1;
        nax__timer_set(&s->t_catchup, 0);
        return;
    }
    if (p->catchup_scheduled || (!p->catchup && !p->held_count))
        return;
    if (!catchup_ready(s) && p->held_count < s->opts.max_catchup_items)
        return;
    /* From a timer, outside the receive callback: the REST calls take a while. */
    p->catchup_scheduled = 1;
    nax__timer_set(&s->t_catchup, 0);
}

static void mark(nax_stream *s, nax__chan *ch)
{
    nax__private *p = &s->priv;
    int had_state = ch->kind == NAX__CH_ORDERS  ? p->has_orders
                    : ch->kind == NAX__CH_FILLS ? p->has_fills
                                                : ch->have_snapshot;
    unsigned int bit = NAX__PRIV_BIT(ch->kind);
    if (had_state && !(p->catchup & bit))
        p->since[kind_index(ch->kind)] = p->last_ts[kind_index(ch->kind)];
    if (had_state)
        p->catchup |= bit;
}

void nax__stream_private_disconnected(nax_stream *s)
{
    for (size_t i = 0; i < s->chans_count; i++) {
        nax__chan *ch = s->chans[i];
        if (NAX__CH_PRIVATE(ch->kind) && ch->wanted)
            mark(s, ch);
    }
    nax__timer_cancel(&s->t_catchup);
    s->priv.catchup_scheduled = 0;
    s->priv.catchup_attempts = 0; /* the new connection's catch-up starts over */
}

void nax__stream_private_lost(nax_stream *s, nax__chan *ch)
{
    mark(s, ch);
    nax__stream_resubscribe(s, ch);
}

void nax__stream_private_forget(nax_stream *s, nax__chan *ch)
{
    nax__private *p = &s->priv;
    p->catchup &= ~NAX__PRIV_BIT(ch->kind);
    size_t kept = 0;
    for (size_t i = 0; i < p->held_count; i++) {
        if (!strcmp(p->held[i]->channel, ch->name))
            nax_object_free(p->held[i]);
        else
            p->held[kept++] = p->held[i];
    }
    p->held_count = kept;
    maybe_catch_up(s);
}

static void hold(nax_stream *s, nax_stream_message *m)
{
    nax__private *p = &s->priv;
    if (p->held_count == p->held_cap) {
        size_t cap = p->held_cap ? p->held_cap * 2 : 16;
        nax_stream_message **h = nax__realloc(p->held, cap * sizeof *h);
        if (!h) {
            /* Cannot keep it in order: the catch-up will fetch it again. */
            nax_object_free(m);
            maybe_catch_up(s);
            return;
        }
        p->held = h;
        p->held_cap = cap;
    }
    p->held[p->held_count++] = m;
    maybe_catch_up(s);
}

static int is_session_end(const nax_error_body *e)
{
    return e && e->code && (!strcmp(e->code, "token_expired") || !strcmp(e->code, "token_revoked"));
}

void nax__stream_on_private(nax_stream *s, nax__chan *ch, nax_stream_message *m)
{
    nax__private *p = &s->priv;
    if (!ch->wanted || ch->sub != NAX__SUB_ACTIVE || ch->leave_pending) {
        nax_object_free(m);
        return;
    }
    switch (m->type) {
    case NAX_STREAM_MSG_LAGGING:
        nax__stream_count(s, &s->stats.lagging, 1);
        nax_object_free(m);
        nax__stream_private_lost(s, ch);
        return;
    case NAX_STREAM_MSG_ERROR:
        if (is_session_end(m->error)) {
            /* The server ended the subscription: authenticate again, then
             * subscribe again and catch up what went by meanwhile. */
            nax__stream_event(s, nax__stream_state_now(s), NAX_STREAM_REASON_TOKEN_EXPIRED,
                              ch->name, NAX_EAUTH, "%s: %s", m->error->code,
                              m->error->message ? m->error->message : "");
            nax_object_free(m);
            mark(s, ch);
            ch->sub = NAX__SUB_NONE;
            ch->have_snapshot = 0;
            if (nax__stream_reauthenticate(s) != 0) {
                nax__stream_event(s, nax__stream_state_now(s), NAX_STREAM_REASON_AUTH_FAILED,
                                  ch->name, NAX_EAUTH, "the server keeps ending the session");
                nax__chan_unwant(s, ch);
                nax__chan_drop(s, ch);
            }
            return;
        }
        nax__stream_chan_ended(s, ch, m->error);
        nax_object_free(m);
        return;
    default: break;
    }
    if (m->type == NAX_STREAM_MSG_SNAPSHOT) {
        ch->have_snapshot = 1;
        ch->retries = 0;
    } else if (ch->have_snapshot && m->seq != ch->seq + 1) {
        nax_object_free(m); /* the catch-up brings it with what was missed */
        nax__stream_private_lost(s, ch);
        return;
    }
    ch->seq = m->seq;
    if (m->ts > p->last_ts[kind_index(ch->kind)])
        p->last_ts[kind_index(ch->kind)] = m->ts;
    if (p->catchup || p->held_count) {
        hold(s, m);
        return;
    }
    deliver_message(s, m);
    nax_object_free(m);
    nax__stream_check_live(s);
}

/* ---- the catch-up over REST --------------------------------------------------------- */

typedef struct item {
    int64_t ts;
    const nax_fill *fill;
    const nax_order *order;
} item;

typedef struct catchup {
    nax_stream *s;
    void **objects; /* pages and orders to free */
    size_t objects_count, objects_cap;
    item *items;
    size_t items_count, items_cap;
    int overflow;
} catchup;

static int keep_object(catchup *c, void *obj)
{
    if (c->objects_count == c->objects_cap) {
        size_t cap = c->objects_cap ? c->objects_cap * 2 : 16;
        void **p = nax__realloc(c->objects, cap * sizeof *p);
        if (!p) {
            nax_object_free(obj);
            return NAX_ENOMEM;
        }
        c->objects = p;
        c->objects_cap = cap;
    }
    c->objects[c->objects_count++] = obj;
    return 0;
}

static int add_item(catchup *c, int64_t ts, const nax_fill *f, const nax_order *o)
{
    if (c->items_count >= c->s->opts.max_catchup_items) {
        c->overflow = 1;
        return NAX_ELIMIT;
    }
    if (c->items_count == c->items_cap) {
        size_t cap = c->items_cap ? c->items_cap * 2 : 32;
        item *p = nax__realloc(c->items, cap * sizeof *p);
        if (!p)
            return NAX_ENOMEM;
        c->items = p;
        c->items_cap = cap;
    }
    c->items[c->items_count++] = (item){ts, f, o};
    return 0;
}

/* A REST failure that may pass: the catch-up tries again. */
static int may_pass(int rc)
{
    switch (rc) {
    case NAX_ENETWORK:
    case NAX_ETIMEOUT:
    case NAX_ESERVER:
    case NAX_EUNAVAILABLE:
    case NAX_ERATELIMIT:
    case NAX_ECIRCUIT_OPEN:
    case NAX_ERETRY_BUDGET:
    case NAX_EOUTCOME_UNKNOWN:
    case NAX_ENOMEM: return 1;
    default: return 0;
    }
}

/* retry_ms: the catch-up tries again after that long; 0: it gave up. */
static void report_failure(nax_stream *s, const char *channel, int rc, const char *why,
                           uint64_t retry_ms)
{
    if (rc == NAX_ELIMIT)
        nax__stream_event(s, nax__stream_state_now(s), NAX_STREAM_REASON_OVERFLOW, channel, rc,
                          "more than %zu events to catch up: read the state over REST",
                          s->opts.max_catchup_items);
    else if (retry_ms)
        nax__stream_event(s, nax__stream_state_now(s), NAX_STREAM_REASON_NONE, channel, rc,
                          "catching up over REST failed (%s): trying again in %llu ms", why,
                          (unsigned long long)retry_ms);
    else
        nax__stream_event(s, nax__stream_state_now(s), NAX_STREAM_REASON_NONE, channel, rc,
                          "catching up over REST failed (%s): read the state over REST", why);
}

/* The newest `ts` the channel had when events were lost, less the slack. */
static int64_t since(const nax__private *p, nax__chan_kind kind)
{
    int64_t ts = p->since[kind_index(kind)];
    return ts > SLACK_MS ? ts - SLACK_MS : 0;
}

/* Fills newer than the last one delivered, newest first, page by page. */
static int fetch_fills(catchup *c, int64_t from_ts)
{
    nax_stream *s = c->s;
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.limit = PAGE;
    for (;;) {
        nax_fill_list *page = NULL;
        int rc = nax_trades_history(s->client, &q, &page);
        if (rc)
            return rc;
        if ((rc = keep_object(c, page)))
            return rc;
        for (size_t i = 0; i < page->fills_count; i++) {
            const nax_fill *f = page->fills[i];
            if (s->priv.last_fill_id && !strcmp(f->id, s->priv.last_fill_id))
                return 0;
            if (f->ts < from_ts)
                return 0;
            if (nax__idset_get(&s->priv.fills_seen, f->id, NULL))
                continue;
            if ((rc = add_item(c, f->ts, f, NULL)))
                return rc;
        }
        if (!page->next_cursor || !page->fills_count)
            return 0;
        q.cursor = page->next_cursor;
    }
}

/* The newest held `orders` snapshot, or NULL. */
static const nax_stream_message *held_orders_snapshot(const nax__private *p)
{
    for (size_t i = p->held_count; i-- > 0;)
        if (p->held[i]->type == NAX_STREAM_MSG_SNAPSHOT && !strcmp(p->held[i]->channel, "orders"))
            return p->held[i];
    return NULL;
}

static int in_snapshot(const nax_stream_message *snap, const char *id)
{
    for (size_t i = 0; snap && i < snap->orders_count; i++)
        if (!strcmp(snap->orders[i]->id, id))
            return 1;
    return 0;
}

/* An order state to deliver unless it (or a newer one) was delivered already. */
static int consider_order(catchup *c, const nax_order *o)
{
    if (not_newer(&c->s->priv.order_states, o))
        return 0;
    return add_item(c, o->updated_at, NULL, o);
}

static int fetch_orders(catchup *c, int64_t from_ts)
{
    nax_stream *s = c->s;
    nax__private *p = &s->priv;
    nax__idset need;
    nax__idset_init(&need, 0);
    int rc = 0;
    /* Orders known open that the fresh snapshot no longer holds changed meanwhile. */
    const nax_stream_message *snap = held_orders_snapshot(p);
    for (size_t i = 0; !rc && i < p->open_orders.cap; i++) {
        const char *id = nax__idset_slot(&p->open_orders, i);
        if (id && !in_snapshot(snap, id))
            rc = nax__idset_put(&need, id, 0);
    }
    /* So did the orders of the fills missed. */
    for (size_t i = 0; !rc && i < c->items_count; i++)
        if (c->items[i].fill)
            rc = nax__idset_put(&need, c->items[i].fill->order_id, 0);
    /* And the orders placed since the last message (newest first). */
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.limit = PAGE;
    for (int more = 1; !rc && more;) {
        nax_order_list *page = NULL;
        if ((rc = nax_orders_list(s->client, &q, &page)))
            break;
        if ((rc = keep_object(c, page)))
            break;
        more = page->next_cursor && page->orders_count;
        for (size_t i = 0; !rc && i < page->orders_count; i++) {
            const nax_order *o = page->orders[i];
            if (o->created_at < from_ts) {
                more = 0;
                break;
            }
            nax__idset_remove(&need, o->id);
            rc = consider_order(c, o);
        }
        q.cursor = page->next_cursor;
    }
    for (size_t i = 0; !rc && i < need.cap; i++) {
        const char *id = nax__idset_slot(&need, i);
        if (!id)
            continue;
        nax_order *o = NULL;
        rc = nax_orders_get(s->client, id, &o);
        if (rc == NAX_ENOTFOUND) {
            nax__idset_remove(&p->open_orders, id);
            rc = 0;
            continue;
        }
        if (!rc && !(rc = keep_object(c, o)))
            rc = consider_order(c, o);
    }
    nax__idset_dispose(&need);
    return rc;
}

static int by_time(const void *a, const void *b)
{
    const item *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    /* A fill before the order state it led to. */
    return (x->fill == NULL) - (y->fill == NULL);
}

/* Fetches what the channels in `mask` missed and delivers it. When a fetch
 * failed in a way that may pass and retry_ms is not 0, nothing is delivered
 * (the next attempt fetches everything again: these are reads) and 1 is
 * returned. */
static int run_rest(nax_stream *s, unsigned int mask, uint64_t retry_ms)
{
    nax__private *p = &s->priv;
    catchup c;
    memset(&c, 0, sizeof c);
    c.s = s;
    int frc = 0, orc = 0;
    char fwhy[256] = "", owhy[256] = "";
    if ((mask & NAX__PRIV_BIT(NAX__CH_FILLS)) && p->has_fills &&
        (frc = fetch_fills(&c, since(p, NAX__CH_FILLS))))
        snprintf(fwhy, sizeof fwhy, "%s", nax_error_last()->message);
    if ((mask & NAX__PRIV_BIT(NAX__CH_ORDERS)) && p->has_orders && !c.overflow &&
        (orc = fetch_orders(&c, since(p, NAX__CH_ORDERS))))
        snprintf(owhy, sizeof owhy, "%s", nax_error_last()->message);
    int retry = retry_ms && ((frc && may_pass(frc)) || (orc && may_pass(orc)));
    if (frc)
        report_failure(s, "fills", frc, fwhy, retry ? retry_ms : 0);
    if (orc)
        report_failure(s, "orders", orc, owhy, retry ? retry_ms : 0);
    if (retry)
        c.items_count = 0;
    /* Oldest first; the sort is stable enough: equal times keep fills first. */
    if (c.items_count) /* qsort wants a non-NULL array even for nothing */
        qsort(c.items, c.items_count, sizeof *c.items, by_time);
    for (size_t i = 0; i < c.items_count && !s->halted; i++) {
        const item *it = &c.items[i];
        if (it->fill && nax__idset_get(&p->fills_seen, it->fill->id, NULL))
            continue;
        /* Counted first: whoever saw the event sees it counted. */
        nax__stream_count(s, &s->stats.catchup_events, 1);
        if (it->fill)
            deliver_fill(s, it->fill, NAX_STREAM_F_CATCHUP);
        else
            deliver_order(s, it->order, NAX_STREAM_F_CATCHUP);
    }
    for (size_t i = 0; i < c.objects_count; i++)
        nax_object_free(c.objects[i]);
    nax__free(c.objects);
    nax__free(c.items);
    return retry;
}

void nax__stream_catchup_fire(nax_stream *s)
{
    nax__private *p = &s->priv;
    p->catchup_scheduled = 0;
    if (s->halted)
        return;
    if (!catchup_ready(s) && p->held_count < s->opts.max_catchup_items)
        return; /* the connection dropped again meanwhile */
    unsigned int mask = p->catchup & ALL_PRIVATE;
    if (mask && s->client) {
        /* A failure that may pass keeps the catch-up (and the held
         * messages) pending for another attempt, a bounded number of times. */
        int last = p->catchup_attempts + 1 >= CATCHUP_ATTEMPTS;
        uint64_t retry_ms = last ? 0 : nax__stream_retry_delay_ms(s, p->catchup_attempts + 1);
        int again = run_rest(s, mask, retry_ms);
        nax__stream_heartbeat_restart(s);
        if (again && !s->halted) {
            p->catchup_attempts++;
            p->catchup_scheduled = 1;
            nax__timer_set(&s->t_catchup, retry_ms);
            return;
        }
    }
    p->catchup = 0;
    p->catchup_attempts = 0;
    /* Then what arrived meanwhile, in order. */
    for (size_t i = 0; i < p->held_count && !s->halted; i++)
        deliver_message(s, p->held[i]);
    free_held(p);
    nax__stream_check_live(s);
}

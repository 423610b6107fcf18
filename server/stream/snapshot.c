/* A channel's current state as a `snapshot`, sent right after a subscribe
 * ack, after a book reset and after a book reader lagged. */
#include <string.h>

#include "internal.h"

/* The book snapshot of a pair, encoded once per book state: every
 * subscriber that needs it while the book stays put shares the message. */
naxd__msg *naxd__book_snapshot(naxd_stream *s, naxd__pair *p)
{
    if (p->snap && p->snap_seq == p->mirror.seq)
        return p->snap;
    naxd__book_snapshot_drop(p);
    naxd__mirror *mr = &p->mirror;
    nax_book_level *levels = nax__malloc((mr->bids.n + mr->asks.n + 1) * sizeof(*levels));
    if (!levels)
        return NULL;
    nax_stream_message msg;
    memset(&msg, 0, sizeof(msg));
    msg.struct_size = sizeof(msg);
    msg.channel = p->book.name;
    msg.type = NAX_STREAM_MSG_SNAPSHOT;
    msg.seq = mr->seq;
    msg.ts = mr->ts;
    msg.bids = levels;
    msg.bids_count = naxd__side_copy(&mr->bids, 0, levels);
    msg.asks = levels + msg.bids_count;
    msg.asks_count = naxd__side_copy(&mr->asks, 0, levels + msg.bids_count);
    msg.has_checksum = 1;
    msg.checksum = naxd__mirror_checksum(mr);
    naxd__msg *m;
    int rc = naxd__msg_encode(s, &m, NAX_TYPE_STREAM_MESSAGE, &msg, &p->book, 1);
    nax__free(levels);
    if (rc)
        return NULL;
    m->refs = 1; /* the pair's cache holds one */
    p->snap = m;
    p->snap_seq = mr->seq;
    return m;
}

void naxd__book_snapshot_drop(naxd__pair *p)
{
    naxd__msg_unref(p->snap);
    p->snap = NULL;
}

naxd__msg *naxd__ticker_msg(naxd_stream *s, naxd__pair *p, nax_stream_msg_type type)
{
    nax_stream_message msg;
    memset(&msg, 0, sizeof(msg));
    msg.struct_size = sizeof(msg);
    msg.channel = p->ticker.name;
    msg.type = type;
    msg.seq = p->last.seq;
    msg.ts = p->last.ts;
    msg.ticker = &p->last;
    naxd__msg *m;
    return naxd__msg_encode(s, &m, NAX_TYPE_STREAM_MESSAGE, &msg, &p->ticker, 1) ? NULL : m;
}

static naxd__msg *trades_snapshot(naxd_stream *s, naxd__pair *p)
{
    size_t n = p->recent_count;
    nax_trade *t = nax__calloc(n + 1, sizeof(*t));
    const nax_trade **ptrs = nax__calloc(n + 1, sizeof(*ptrs));
    naxd__msg *m = NULL;
    if (t && ptrs) {
        size_t cap = s->lim.recent_trades;
        size_t first = (p->recent_head + cap - n) % cap;
        for (size_t i = 0; i < n; i++) {
            const naxd__trade *r = &p->recent[(first + i) % cap];
            t[i] = (nax_trade){sizeof(nax_trade), r->id,   p->name, r->price,
                               r->quantity,       r->side, r->ts};
            ptrs[i] = &t[i];
        }
        nax_stream_message msg;
        memset(&msg, 0, sizeof(msg));
        msg.struct_size = sizeof(msg);
        msg.channel = p->trades.name;
        msg.type = NAX_STREAM_MSG_SNAPSHOT;
        msg.seq = p->trades.seq;
        msg.ts = naxd__now(s);
        msg.trades = ptrs;
        msg.trades_count = n;
        if (naxd__msg_encode(s, &m, NAX_TYPE_STREAM_MESSAGE, &msg, &p->trades, 1))
            m = NULL;
    }
    nax__free(t);
    nax__free(ptrs);
    return m;
}

static const naxd_stream_private which_of[] = {
    [NAXD__ORDERS] = NAXD_STREAM_ORDERS,
    [NAXD__BALANCES] = NAXD_STREAM_BALANCES,
    [NAXD__FILLS] = NAXD_STREAM_FILLS,
};

static naxd__msg *private_snapshot(naxd_stream *s, naxd__chan *ch)
{
    nax_stream_message msg;
    memset(&msg, 0, sizeof(msg));
    msg.struct_size = sizeof(msg);
    void *cookie = NULL;
    if (!s->hooks.private_snapshot)
        return NULL;
    int rc =
        s->hooks.private_snapshot(s->hooks.app, ch->user->id, which_of[ch->kind], &msg, &cookie);
    if (rc)
        return NULL;
    msg.struct_size = sizeof(msg);
    msg.channel = ch->name;
    msg.type = NAX_STREAM_MSG_SNAPSHOT;
    msg.seq = ch->seq;
    msg.ts = naxd__now(s);
    /* an empty snapshot is an empty array, never an absent one */
    static const void *const none[1];
    if (ch->kind == NAXD__ORDERS && !msg.orders)
        msg.orders = (const nax_order *const *)none;
    if (ch->kind == NAXD__BALANCES && !msg.balances)
        msg.balances = (const nax_balance *const *)none;
    if (ch->kind == NAXD__FILLS && !msg.fills)
        msg.fills = (const nax_fill *const *)none;
    naxd__msg *m;
    if (naxd__msg_encode(s, &m, NAX_TYPE_STREAM_MESSAGE, &msg, ch, 1))
        m = NULL;
    if (s->hooks.private_snapshot_free)
        s->hooks.private_snapshot_free(s->hooks.app, cookie);
    return m;
}

void naxd__send_snapshot(naxd__sub *sub)
{
    naxd__conn *c = sub->conn;
    naxd_stream *s = c->s;
    naxd__chan *ch = sub->chan;
    naxd__msg *m = NULL;
    sub->await_initial = 0;
    switch (ch->kind) {
    case NAXD__BOOK:
        if (!ch->pair->has_book) {
            sub->await_initial = 1; /* the first reset is its snapshot */
            return;
        }
        m = naxd__book_snapshot(s, ch->pair);
        break;
    case NAXD__TICKER:
        if (!ch->pair->has_ticker) {
            sub->await_initial = 1; /* the first ticker is its snapshot */
            return;
        }
        m = naxd__ticker_msg(s, ch->pair, NAX_STREAM_MSG_SNAPSHOT);
        break;
    case NAXD__TRADES: m = trades_snapshot(s, ch->pair); break;
    default: m = private_snapshot(s, ch); break;
    }
    if (!m) {
        naxd__send_error(c, ch->name, "internal_error",
                         "the channel's state could not be read; subscribe again");
        naxd__sub_remove(sub);
        return;
    }
    m->refs++;
    naxd__conn_push(c, m);
    naxd__msg_unref(m);
}

void naxd__send_resnaps(naxd__conn *c)
{
    const naxd_stream_limits *lim = &c->s->lim;
    for (size_t i = 0; i < c->nsubs && c->resnaps && !c->close_code; i++) {
        naxd__sub *sub = c->subs[i];
        if (!sub->resnap)
            continue;
        /* wait until the reader has worked half its queue off */
        if (c->q_len > lim->max_queue_messages / 2 || c->q_bytes > lim->max_queue_bytes / 2)
            return;
        sub->resnap = 0;
        c->resnaps--;
        naxd__send_snapshot(sub);
    }
}

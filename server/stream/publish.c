/* The public channels: book resets and changes (through the mirror), the
 * ticker and the trades of each pair. Each event is encoded once, and not at
 * all when nobody subscribes to its channel. */
#include <string.h>

#include "internal.h"

static const nax_book_level no_levels[1];

int naxd_stream_book_reset(naxd_stream *s, const char *pair, uint64_t seq, int64_t ts,
                           const nax_book_level *bids, size_t bids_count,
                           const nax_book_level *asks, size_t asks_count)
{
    if (!s || !pair || (bids_count && !bids) || (asks_count && !asks))
        return nax__error(NAX_EINVAL, "naxd_stream_book_reset: bad arguments");
    naxd__pair *p = naxd__pair_get(s, pair);
    if (!p)
        return nax__error_oom();
    int rc = naxd__mirror_reset(&p->mirror, seq, ts, bids, bids_count, asks, asks_count);
    if (rc)
        return rc;
    p->has_book = 1;
    naxd__book_snapshot_drop(p);
    naxd__chan *ch = &p->book;
    if (!ch->nsubs)
        return 0;
    naxd__msg *m = naxd__book_snapshot(s, p);
    if (!m)
        return nax__error_oom();
    m->refs++;
    for (size_t i = 0; i < ch->nsubs; i++) {
        naxd__sub *sub = ch->subs[i];
        naxd__conn *c = sub->conn;
        /* the snapshot replaces whatever of this book is still queued */
        naxd__conn_purge_chan(c, ch);
        sub->await_initial = 0;
        if (sub->resnap) {
            sub->resnap = 0;
            c->resnaps--;
        }
        naxd__conn_push(c, m);
    }
    naxd__msg_unref(m);
    return 0;
}

/* Takes one fault of a kind for pair p (its own first, then every pair's). */
static int take_fault(unsigned int *own, unsigned int *any)
{
    if (*own) {
        (*own)--;
        return 1;
    }
    if (*any) {
        (*any)--;
        return 1;
    }
    return 0;
}

#define STACK_LEVELS 64

int naxd_stream_book_update(naxd_stream *s, const char *pair, uint64_t seq, int64_t ts,
                            const nax_book_level *bids, size_t bids_count,
                            const nax_book_level *asks, size_t asks_count)
{
    if (!s || !pair || (bids_count && !bids) || (asks_count && !asks))
        return nax__error(NAX_EINVAL, "naxd_stream_book_update: bad arguments");
    naxd__pair *p = naxd__pair_find(s, pair);
    if (!p || !p->has_book)
        return nax__error(NAX_EINVAL, "naxd_stream_book_update: %s was never reset", pair);
    nax_book_level stack[STACK_LEVELS];
    size_t total = bids_count + asks_count;
    nax_book_level *changed = total <= STACK_LEVELS ? stack : nax__malloc(total * sizeof(*changed));
    if (!changed)
        return nax__error_oom();
    size_t nb = 0, na = 0;
    int rc = naxd__mirror_apply(&p->mirror, seq, ts, bids, bids_count, asks, asks_count, changed,
                                &nb, changed + bids_count, &na);
    if (rc)
        goto out;
    naxd__book_snapshot_drop(p);
    int drop = take_fault(&p->drop_updates, &s->drop_updates);
    int corrupt = !drop && take_fault(&p->corrupt_checksums, &s->corrupt_checksums);
    naxd__chan *ch = &p->book;
    if (drop || !ch->nsubs)
        goto out;
    nax_stream_message msg;
    memset(&msg, 0, sizeof(msg));
    msg.struct_size = sizeof(msg);
    msg.channel = ch->name;
    msg.type = NAX_STREAM_MSG_UPDATE;
    msg.seq = seq;
    msg.ts = ts;
    msg.bids = nb ? changed : no_levels;
    msg.bids_count = nb;
    msg.asks = na ? changed + bids_count : no_levels;
    msg.asks_count = na;
    msg.has_checksum = 1;
    msg.checksum = naxd__mirror_checksum(&p->mirror) ^ (corrupt ? 1u : 0u);
    naxd__msg *m;
    if (naxd__msg_encode(s, &m, NAX_TYPE_STREAM_MESSAGE, &msg, ch, 1) == 0)
        naxd__chan_publish(ch, m);
    /* the mirror moved on either way; a subscriber that missed the update
     * sees the gap in seq and resyncs */
out:
    if (changed != stack)
        nax__free(changed);
    return rc;
}

int naxd_stream_book_view(const naxd_stream *s, const char *pair, size_t depth,
                          nax_book_level *bids, size_t *bids_count, nax_book_level *asks,
                          size_t *asks_count, uint64_t *seq, uint32_t *checksum)
{
    if (!s || !pair)
        return nax__error(NAX_EINVAL, "naxd_stream_book_view: bad arguments");
    naxd__pair *p = naxd__pair_find(s, pair);
    if (!p || !p->has_book)
        return nax__error(NAX_ENOTFOUND, "naxd_stream_book_view: no book for %s", pair);
    naxd__mirror *m = &p->mirror;
    size_t nb = depth && depth < m->bids.n ? depth : m->bids.n;
    size_t na = depth && depth < m->asks.n ? depth : m->asks.n;
    if (bids)
        naxd__side_copy(&m->bids, nb, bids);
    if (asks)
        naxd__side_copy(&m->asks, na, asks);
    if (bids_count)
        *bids_count = nb;
    if (asks_count)
        *asks_count = na;
    if (seq)
        *seq = m->seq;
    if (checksum)
        *checksum = naxd__mirror_checksum(m);
    return 0;
}

/* ---- ticker ---- */

static void copy_opt(nax_decimal *store, const nax_decimal **dst, const nax_decimal *src)
{
    if (src) {
        *store = *src;
        *dst = store;
    } else {
        *dst = NULL;
    }
}

int naxd_stream_ticker(naxd_stream *s, const nax_ticker *t)
{
    if (!s || !t || !t->pair)
        return nax__error(NAX_EINVAL, "naxd_stream_ticker: bad arguments");
    naxd__pair *p = naxd__pair_get(s, t->pair);
    if (!p)
        return nax__error_oom();
    nax_ticker *last = &p->last;
    last->struct_size = sizeof(*last);
    last->pair = p->name;
    copy_opt(&p->bid, &last->bid, t->bid);
    copy_opt(&p->ask, &last->ask, t->ask);
    copy_opt(&p->last_price, &last->last, t->last);
    last->volume_24h = t->volume_24h;
    last->seq = t->seq;
    last->ts = t->ts;
    p->has_ticker = 1;
    naxd__chan *ch = &p->ticker;
    size_t waiting = 0;
    for (size_t i = 0; i < ch->nsubs; i++)
        waiting += ch->subs[i]->await_initial != 0;
    if (ch->nsubs > waiting) {
        naxd__msg *m = naxd__ticker_msg(s, p, NAX_STREAM_MSG_UPDATE);
        if (!m)
            return nax__error_oom();
        naxd__chan_publish(ch, m);
    }
    if (waiting) {
        /* subscribers that came before any ticker take this one as their snapshot */
        naxd__msg *m = naxd__ticker_msg(s, p, NAX_STREAM_MSG_SNAPSHOT);
        if (!m)
            return nax__error_oom();
        m->refs++;
        for (size_t i = 0; i < ch->nsubs; i++)
            if (ch->subs[i]->await_initial) {
                ch->subs[i]->await_initial = 0;
                naxd__conn_push(ch->subs[i]->conn, m);
            }
        naxd__msg_unref(m);
    }
    return 0;
}

/* ---- trades ---- */

void naxd__trade_ring_free(naxd_stream *s, naxd__pair *p)
{
    if (!p->recent)
        return;
    for (size_t i = 0; i < s->lim.recent_trades; i++)
        nax__free(p->recent[i].id);
    nax__free(p->recent);
    p->recent = NULL;
    p->recent_count = p->recent_head = 0;
}

/* Keeps the newest limits.recent_trades trades; all or nothing. */
static int remember_trades(naxd_stream *s, naxd__pair *p, const nax_trade *const *trades,
                           size_t count)
{
    size_t cap = s->lim.recent_trades;
    size_t first = count > cap ? count - cap : 0;
    size_t n = count - first;
    char *stack_ids[64];
    char **ids = n <= 64 ? stack_ids : nax__calloc(n, sizeof(*ids));
    if (!ids)
        return nax__error_oom();
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        ids[i] = nax__strdup(trades[first + i]->id ? trades[first + i]->id : "");
        if (!ids[i]) {
            while (i)
                nax__free(ids[--i]);
            rc = nax__error_oom();
            goto out;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const nax_trade *t = trades[first + i];
        naxd__trade *slot = &p->recent[p->recent_head];
        nax__free(slot->id);
        *slot = (naxd__trade){ids[i], t->price, t->quantity, t->side, t->ts};
        p->recent_head = (p->recent_head + 1) % cap;
        if (p->recent_count < cap)
            p->recent_count++;
    }
out:
    if (ids != stack_ids)
        nax__free(ids);
    return rc;
}

int naxd_stream_trades(naxd_stream *s, const char *pair, const nax_trade *const *trades,
                       size_t count, int64_t ts)
{
    if (!s || !pair || (count && !trades))
        return nax__error(NAX_EINVAL, "naxd_stream_trades: bad arguments");
    for (size_t i = 0; i < count; i++)
        if (!trades[i])
            return nax__error(NAX_EINVAL, "naxd_stream_trades: trades[%zu] is NULL", i);
    if (!count)
        return 0; /* an update holds at least one trade */
    naxd__pair *p = naxd__pair_get(s, pair);
    if (!p)
        return nax__error_oom();
    int rc = remember_trades(s, p, trades, count);
    if (rc)
        return rc;
    naxd__chan *ch = &p->trades;
    ch->seq++;
    if (!ch->nsubs)
        return 0;
    nax_stream_message msg;
    memset(&msg, 0, sizeof(msg));
    msg.struct_size = sizeof(msg);
    msg.channel = ch->name;
    msg.type = NAX_STREAM_MSG_UPDATE;
    msg.seq = ch->seq;
    msg.ts = ts;
    msg.trades = trades;
    msg.trades_count = count;
    naxd__msg *m;
    rc = naxd__msg_encode(s, &m, NAX_TYPE_STREAM_MESSAGE, &msg, ch, 1);
    if (!rc)
        naxd__chan_publish(ch, m);
    return rc;
}

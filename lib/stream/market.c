/*
 * The public channels: tickers, trades and the local books (snapshot,
 * updates, seq and checksum checks, resyncs). Driving thread only.
 */
#include <stdio.h>
#include <string.h>

#include "stream/stream_internal.h"

void nax__chan_clear_buffered(nax__chan *ch)
{
    for (size_t i = 0; i < ch->buffered_count; i++)
        nax_object_free(ch->buffered[i]);
    nax__free(ch->buffered);
    ch->buffered = NULL;
    ch->buffered_count = 0;
}

void nax__stream_book_resync(nax_stream *s, nax__chan *ch, nax_stream_reason reason, int error,
                             const char *why)
{
    nax__chan_clear_buffered(ch);
    ch->have_snapshot = 0;
    if (ch->book) {
        pthread_mutex_lock(&s->book_lock);
        ch->book->live = 0;
        pthread_mutex_unlock(&s->book_lock);
    }
    pthread_mutex_lock(&s->lock);
    s->stats.resyncs++;
    if (!ch->resyncing)
        s->resyncing++;
    pthread_mutex_unlock(&s->lock);
    ch->resyncing = 1;
    nax__stream_event(s, NAX_STREAM_RESYNCING, reason, ch->name, error, "%s", why);
    if (!s->halted)
        nax__stream_resubscribe(s, ch);
}

/* ---- tickers and trades ------------------------------------------------------------ */

static void on_ticker(nax_stream *s, nax__chan *ch, const nax_stream_message *m)
{
    ch->seq = m->seq;
    if (m->type == NAX_STREAM_MSG_SNAPSHOT)
        ch->have_snapshot = 1;
    if (m->ticker)
        nax__stream_call_ticker(s, m->ticker,
                                m->type == NAX_STREAM_MSG_SNAPSHOT ? NAX_STREAM_F_SNAPSHOT : 0);
}

static int trade_recent(const nax__chan *ch, const char *id)
{
    for (size_t i = 0; i < NAX__RECENT_TRADES; i++)
        if (ch->recent[i] && !strcmp(ch->recent[i], id))
            return 1;
    return 0;
}

static void trade_remember(nax__chan *ch, const char *id)
{
    char *copy = nax__strdup(id);
    if (!copy)
        return; /* only the repeat check of a later snapshot suffers */
    nax__free(ch->recent[ch->recent_next]);
    ch->recent[ch->recent_next] = copy;
    ch->recent_next = (ch->recent_next + 1) % NAX__RECENT_TRADES;
}

static void on_trades(nax_stream *s, nax__chan *ch, const nax_stream_message *m)
{
    int snapshot = m->type == NAX_STREAM_MSG_SNAPSHOT;
    int gap = !snapshot && ch->have_snapshot && m->seq != ch->seq + 1;
    ch->seq = m->seq;
    if (snapshot)
        ch->have_snapshot = 1;
    for (size_t i = 0; i < m->trades_count && !s->halted; i++) {
        const nax_trade *t = m->trades[i];
        if (snapshot && trade_recent(ch, t->id))
            continue; /* delivered before a resubscribe or a reconnect */
        trade_remember(ch, t->id);
        nax__stream_call_trade(s, t, snapshot ? NAX_STREAM_F_SNAPSHOT : 0);
    }
    /* Trades were lost: the snapshot of a new subscription brings the recent ones. */
    if (gap && !s->halted)
        nax__stream_resubscribe(s, ch);
}

/* ---- books ---------------------------------------------------------------------------- */

static void report_book(nax_stream *s, nax__chan *ch, const nax_stream_message *m, uint32_t crc)
{
    nax_stream_book b;
    memset(&b, 0, sizeof b);
    b.struct_size = sizeof b;
    b.pair = ch->pair;
    b.seq = m->seq;
    b.snapshot = m->type == NAX_STREAM_MSG_SNAPSHOT;
    b.bids = m->bids;
    b.bids_count = m->bids_count;
    b.asks = m->asks;
    b.asks_count = m->asks_count;
    b.checksum = crc;
    nax__stream_call_book(s, &b);
}

/* Applies one update; 0, or -1 when the book went RESYNCING. */
static int apply_update(nax_stream *s, nax__chan *ch, const nax_stream_message *m)
{
    char why[160];
    switch (nax__book_seq_check(&ch->book->book, m->seq)) {
    case NAX__BOOK_SEQ_OLD: return 0;
    case NAX__BOOK_SEQ_GAP:
        nax__stream_count(s, &s->stats.gaps, 1);
        snprintf(why, sizeof why, "seq %llu follows %llu", (unsigned long long)m->seq,
                 (unsigned long long)ch->book->book.seq);
        nax__stream_book_resync(s, ch, NAX_STREAM_REASON_SEQ_GAP, 0, why);
        return -1;
    case NAX__BOOK_SEQ_NEXT: break;
    }
    pthread_mutex_lock(&s->book_lock);
    int rc =
        nax__book_apply(&ch->book->book, m->seq, m->bids, m->bids_count, m->asks, m->asks_count);
    uint32_t crc = rc ? 0 : nax__book_checksum(&ch->book->book);
    int mismatch = !rc && m->has_checksum && crc != m->checksum;
    if (mismatch)
        ch->book->live = 0;
    pthread_mutex_unlock(&s->book_lock);
    if (rc) {
        snprintf(why, sizeof why, "update %llu cannot be applied: %s", (unsigned long long)m->seq,
                 rc == NAX_ENOMEM ? "out of memory" : "a malformed level");
        nax__stream_book_resync(s, ch, nax__stream_unreadable_reason(rc), rc, why);
        return -1;
    }
    if (mismatch) {
        nax__stream_count(s, &s->stats.checksum_mismatches, 1);
        snprintf(why, sizeof why, "checksum %lu after seq %llu, the server's is %lu",
                 (unsigned long)crc, (unsigned long long)m->seq, (unsigned long)m->checksum);
        nax__stream_book_resync(s, ch, NAX_STREAM_REASON_CHECKSUM, 0, why);
        return -1;
    }
    ch->seq = m->seq;
    report_book(s, ch, m, crc);
    return 0;
}

static void apply_snapshot(nax_stream *s, nax__chan *ch, const nax_stream_message *m)
{
    char why[160];
    pthread_mutex_lock(&s->book_lock);
    int rc =
        nax__book_replace(&ch->book->book, m->seq, m->bids, m->bids_count, m->asks, m->asks_count);
    uint32_t crc = rc ? 0 : nax__book_checksum(&ch->book->book);
    int consistent = !rc && (!m->has_checksum || crc == m->checksum);
    if (!rc) {
        ch->book->has_snapshot = 1;
        ch->book->live = consistent;
    }
    pthread_mutex_unlock(&s->book_lock);
    if (rc) {
        snprintf(why, sizeof why, "snapshot %llu cannot be applied: %s", (unsigned long long)m->seq,
                 rc == NAX_ENOMEM ? "out of memory" : "a malformed or repeated level");
        nax__stream_book_resync(s, ch, nax__stream_unreadable_reason(rc), rc, why);
        return;
    }
    if (!consistent) {
        nax__stream_count(s, &s->stats.checksum_mismatches, 1);
        snprintf(why, sizeof why, "snapshot %llu has checksum %lu, the server says %lu",
                 (unsigned long long)m->seq, (unsigned long)crc, (unsigned long)m->checksum);
        nax__stream_book_resync(s, ch, NAX_STREAM_REASON_CHECKSUM, 0, why);
        return;
    }
    ch->have_snapshot = 1;
    ch->seq = m->seq;
    if (ch->resyncing) {
        pthread_mutex_lock(&s->lock);
        if (s->resyncing)
            s->resyncing--;
        pthread_mutex_unlock(&s->lock);
        ch->resyncing = 0;
        nax__stream_event(s, NAX_STREAM_LIVE, NAX_STREAM_REASON_SNAPSHOT, ch->name, 0,
                          "consistent again at seq %llu", (unsigned long long)m->seq);
        if (s->halted)
            return;
    }
    report_book(s, ch, m, crc);
    /* Updates that came first: those the snapshot already holds are dropped. */
    for (size_t i = 0; i < ch->buffered_count && !s->halted && ch->have_snapshot; i++)
        if (ch->buffered[i]->seq > m->seq && apply_update(s, ch, ch->buffered[i]))
            break;
    nax__chan_clear_buffered(ch);
}

static void buffer_update(nax_stream *s, nax__chan *ch, nax_stream_message *m)
{
    if (ch->buffered_count >= s->opts.max_buffered_updates) {
        nax_object_free(m);
        char why[120];
        snprintf(why, sizeof why, "more than %zu updates before the snapshot",
                 s->opts.max_buffered_updates);
        nax__stream_book_resync(s, ch, NAX_STREAM_REASON_OVERFLOW, 0, why);
        return;
    }
    nax_stream_message **p =
        nax__realloc(ch->buffered, (ch->buffered_count + 1) * sizeof *ch->buffered);
    if (!p) {
        nax_object_free(m);
        nax__stream_book_resync(s, ch, NAX_STREAM_REASON_OVERFLOW, 0, "out of memory");
        return;
    }
    ch->buffered = p;
    ch->buffered[ch->buffered_count++] = m;
}

void nax__stream_on_market(nax_stream *s, nax__chan *ch, nax_stream_message *m)
{
    if (!ch->wanted || ch->sub != NAX__SUB_ACTIVE || ch->leave_pending) {
        nax_object_free(m); /* an old subscription's tail */
        return;
    }
    if (m->type == NAX_STREAM_MSG_LAGGING) {
        nax__stream_count(s, &s->stats.lagging, 1);
        if (ch->kind == NAX__CH_BOOK)
            nax__stream_book_resync(s, ch, NAX_STREAM_REASON_LAGGING, 0,
                                    "the server dropped updates for a slow reader");
        else if (ch->kind == NAX__CH_TRADES)
            nax__stream_resubscribe(s, ch);
        nax_object_free(m);
        return;
    }
    if (m->type == NAX_STREAM_MSG_ERROR) {
        nax__stream_chan_ended(s, ch, m->error);
        nax_object_free(m);
        return;
    }
    if (m->type == NAX_STREAM_MSG_SNAPSHOT)
        ch->retries = 0;
    switch (ch->kind) {
    case NAX__CH_TICKER:
        on_ticker(s, ch, m);
        nax__stream_check_live(s);
        break;
    case NAX__CH_TRADES:
        on_trades(s, ch, m);
        nax__stream_check_live(s);
        break;
    case NAX__CH_BOOK:
        if (!ch->book)
            break;
        if (m->type == NAX_STREAM_MSG_SNAPSHOT) {
            apply_snapshot(s, ch, m);
        } else if (!ch->have_snapshot) {
            buffer_update(s, ch, m);
            return;
        } else {
            apply_update(s, ch, m);
        }
        nax__stream_check_live(s);
        break;
    default: break;
    }
    nax_object_free(m);
}

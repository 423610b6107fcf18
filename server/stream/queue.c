/* Encoded messages and the per-connection outgoing queue: a ring of
 * pointers to refcounted messages, bounded in messages and bytes. When a
 * message does not fit, the connection is a slow reader: see make_room(). */
#include <string.h>

#include "internal.h"
#include <nax/codec.h>

_Static_assert(LWS_PRE >= 10, "the headroom holds a frame header");

naxd__msg *naxd__msg_new(const char *json, size_t len, const naxd__chan *chan, int droppable)
{
    naxd__msg *m = nax__malloc(sizeof(*m) + LWS_PRE + len + 1);
    if (!m)
        return NULL;
    m->refs = 0;
    m->droppable = droppable;
    m->chan = chan;
    m->private_chan = chan && naxd__kind_is_private(chan->kind);
    m->len = len;
    memcpy(m->data + LWS_PRE, json, len);
    m->data[LWS_PRE + len] = '\0';
    /* A server frame is the same for every connection (no mask), so its
     * header is written once: queued frames then go out back to back. */
    unsigned char head[10];
    size_t h = 2;
    head[0] = 0x81; /* FIN, text */
    if (len < 126) {
        head[1] = (unsigned char)len;
    } else if (len <= 0xffff) {
        head[1] = 126;
        head[2] = (unsigned char)(len >> 8);
        head[3] = (unsigned char)len;
        h = 4;
    } else {
        head[1] = 127;
        for (int i = 0; i < 8; i++)
            head[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
        h = 10;
    }
    m->frame = m->data + LWS_PRE - h;
    memcpy(m->frame, head, h);
    m->frame_len = h + len;
    return m;
}

int naxd__msg_encode(naxd_stream *s, naxd__msg **out, nax_type type, const void *obj,
                     const naxd__chan *chan, int droppable)
{
    *out = NULL;
    int rc = nax_encode(&s->scratch, type, obj);
    if (rc) {
        nax__log(NAX_LOG_ERROR, "naxd stream: cannot encode a %s message (%d)", nax_type_name(type),
                 rc);
        return rc;
    }
    *out = naxd__msg_new(s->scratch.data, s->scratch.len, chan, droppable);
    return *out ? 0 : nax__error_oom();
}

void naxd__msg_unref(naxd__msg *m)
{
    if (m && --m->refs == 0)
        nax__free(m);
}

int naxd__conn_has_room(const naxd__conn *c, size_t len)
{
    const naxd_stream_limits *lim = &c->s->lim;
    if (c->q_len >= lim->max_queue_messages)
        return 0;
    /* A message larger than the byte limit still goes through an empty queue,
     * or a big book could never be sent. */
    return c->q_len == 0 || c->q_bytes + len <= lim->max_queue_bytes;
}

static int ring_grow(naxd__conn *c)
{
    size_t cap = c->q_cap ? c->q_cap * 2 : 16;
    naxd__msg **q = nax__malloc(cap * sizeof(*q));
    if (!q)
        return nax__error_oom();
    for (size_t i = 0; i < c->q_len; i++)
        q[i] = c->q[(c->q_head + i) % c->q_cap];
    nax__free(c->q);
    c->q = q;
    c->q_cap = cap;
    c->q_head = 0;
    return 0;
}

naxd__msg *naxd__conn_pop(naxd__conn *c)
{
    if (!c->q_len)
        return NULL;
    naxd__msg *m = c->q[c->q_head];
    c->q_head = (c->q_head + 1) % c->q_cap;
    c->q_len--;
    c->q_bytes -= m->len;
    return m;
}

/* Keeps the queued messages keep() accepts, in order; returns how many went.
 * Each dropped message's channel is reported to dropped() once per message. */
static size_t queue_filter(naxd__conn *c, int (*keep)(const naxd__msg *m, const void *arg),
                           const void *arg, void (*dropped)(naxd__conn *c, const naxd__msg *m))
{
    size_t kept = 0, gone = 0;
    for (size_t i = 0; i < c->q_len; i++) {
        naxd__msg *m = c->q[(c->q_head + i) % c->q_cap];
        if (keep(m, arg)) {
            c->q[(c->q_head + kept) % c->q_cap] = m;
            kept++;
            continue;
        }
        c->q_bytes -= m->len;
        gone++;
        if (dropped)
            dropped(c, m);
        naxd__msg_unref(m);
    }
    c->q_len = kept;
    return gone;
}

static int keep_not_chan(const naxd__msg *m, const void *chan)
{
    return m->chan != chan;
}

void naxd__conn_purge_chan(naxd__conn *c, const naxd__chan *chan)
{
    queue_filter(c, keep_not_chan, chan, NULL);
}

static int keep_control(const naxd__msg *m, const void *private_too)
{
    if (!m->droppable)
        return 1;
    return !*(const int *)private_too && m->private_chan;
}

/* The subscription behind a dropped message is owed a lagging notice. */
static void mark_lagged(naxd__conn *c, const naxd__msg *m)
{
    naxd__sub *sub = naxd__conn_sub(c, m->chan);
    if (sub)
        sub->lagged = 1;
}

/* A lagging episode: one more within the window than max_lagging closes. */
static int lagging_episode(naxd__conn *c)
{
    naxd_stream *s = c->s;
    int64_t now = naxd__mono_ms();
    size_t k = 0;
    for (size_t i = 0; i < c->lag_n; i++)
        if (now - c->lag_at[i] < NAXD_STREAM_LAG_WINDOW_MS)
            c->lag_at[k++] = c->lag_at[i];
    c->lag_n = k;
    naxd__count_lagging(s);
    if (c->lag_n >= s->lim.max_lagging) {
        naxd__conn_close(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "too slow: lagging repeatedly");
        return -1;
    }
    c->lag_at[c->lag_n++] = now;
    return 0;
}

static void push_raw(naxd__conn *c, naxd__msg *m)
{
    m->refs++;
    c->q[(c->q_head + c->q_len) % c->q_cap] = m;
    c->q_len++;
    c->q_bytes += m->len;
}

/* Frees room for a message of len bytes: first the public channels'
 * messages go, then the private ones; each affected channel then gets a
 * lagging notice and a book a fresh snapshot later. -1 when the connection
 * is closed instead. */
static int make_room(naxd__conn *c, size_t len)
{
    if (lagging_episode(c))
        return -1;
    for (int private_too = 0; private_too < 2; private_too++) {
        queue_filter(c, keep_control, &private_too, mark_lagged);
        if (naxd__conn_has_room(c, len))
            break;
    }
    for (size_t i = 0; i < c->nsubs; i++) {
        naxd__sub *sub = c->subs[i];
        if (!sub->lagged)
            continue;
        sub->lagged = 0;
        naxd__send_lagging(c, sub->chan->name);
        if (sub->chan->kind == NAXD__BOOK && !sub->resnap) {
            sub->resnap = 1;
            c->resnaps++;
        }
    }
    if (c->close_code)
        return -1;
    if (!naxd__conn_has_room(c, len)) {
        /* nothing left to drop: a client that sends ops but never reads */
        naxd__conn_close(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "too slow: queue full");
        return -1;
    }
    return 0;
}

/* Control messages (acks, notices) are never dropped; they may use this
 * many entries beyond max_queue_messages before the reader counts as stuck. */
#define CONTROL_SLACK 256

void naxd__conn_push(naxd__conn *c, naxd__msg *m)
{
    if (!c->s || c->close_code)
        return;
    if (!m->droppable) {
        if (c->q_len >= c->s->lim.max_queue_messages + CONTROL_SLACK) {
            naxd__conn_close(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "too slow: queue full");
            return;
        }
    } else if (!naxd__conn_has_room(c, m->len)) {
        if (make_room(c, m->len))
            return;
        naxd__sub *sub = naxd__conn_sub(c, m->chan);
        if (sub && sub->resnap)
            return; /* a book update is of no use before the resnapshot */
    }
    if (c->q_len == c->q_cap && ring_grow(c)) {
        naxd__conn_close(c, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION, "out of memory");
        return;
    }
    push_raw(c, m);
    if (c->wsi && !c->stall_until_ms)
        lws_callback_on_writable(c->wsi);
}

void naxd__conn_queue_free(naxd__conn *c)
{
    while (c->q_len)
        naxd__msg_unref(naxd__conn_pop(c));
    nax__free(c->q);
    c->q = NULL;
    c->q_cap = c->q_head = c->q_len = c->q_bytes = 0;
}

/*
 * server/stream internals: the records shared by the files of the module.
 * Not for other modules (the book mirror, stream/mirror.h, is used by tests).
 *
 * Ownership in one picture:
 *   naxd_stream ── pairs[] ── naxd__pair (mirror, last ticker, recent trades,
 *                 │                       and its three public channels)
 *               ├─ users[] ── naxd__user (its three private channels, its
 *               │                         authenticated connections)
 *               └─ conns  ── naxd__conn (lws per-session data: queue, subs)
 * A channel indexes its subscriptions (naxd__sub) in an array, so a publish
 * visits only the connections that want it. A published event is encoded
 * once into a refcounted naxd__msg and each subscriber's queue holds a
 * pointer to it.
 */
#ifndef NAXD_STREAM_INTERNAL_H
#define NAXD_STREAM_INTERNAL_H

#include <libwebsockets.h>

#include "core/core.h"
#include "http/metrics.h"
#include "mirror.h"
#include "stream.h"

#define NAXD_STREAM_PROTOCOL_NAME "naxd-stream"
/* lws hands us at most this much per RECEIVE, and sends at most this much
 * per socket write (the rest of a write waits in lws's own buffer). */
#define NAXD_STREAM_RX_BUFFER 16384
/* Queued frames are gathered into one write of up to this many bytes. */
#define NAXD_STREAM_WRITE_CHUNK   NAXD_STREAM_RX_BUFFER
#define NAXD_STREAM_LAG_WINDOW_MS 60000
#define NAXD_STREAM_CLOSE_GRACE_S 5 /* a close frame gets this long to go out */

typedef struct naxd__conn naxd__conn;
typedef struct naxd__pair naxd__pair;
typedef struct naxd__user naxd__user;

typedef enum naxd__kind {
    NAXD__TICKER = 1,
    NAXD__TRADES = 2,
    NAXD__BOOK = 3,
    NAXD__ORDERS = 4,
    NAXD__BALANCES = 5,
    NAXD__FILLS = 6
} naxd__kind;

static inline int naxd__kind_is_private(naxd__kind k)
{
    return k >= NAXD__ORDERS;
}

typedef struct naxd__sub naxd__sub;

/* A channel: one pair's ticker, trades or book, or one user's orders,
 * balances or fills. Lives as long as its pair or user. */
typedef struct naxd__chan {
    naxd__kind kind;
    char *name; /* "book:BTC-AUD", "orders" */
    naxd__pair *pair;
    naxd__user *user;
    naxd__sub **subs; /* subscriptions, in no order */
    size_t nsubs, subs_cap;
    uint64_t seq; /* trades and private channels: the last seq sent */
} naxd__chan;

/* One connection's subscription to one channel. */
struct naxd__sub {
    naxd__chan *chan;
    naxd__conn *conn;
    size_t pos;        /* index in chan->subs */
    int resnap;        /* book: lagged, owes a fresh snapshot once the queue has room */
    int lagged;        /* messages were dropped: a lagging notice is owed */
    int await_initial; /* no state yet (ticker, book): the first event is its snapshot */
};

/* An encoded message shared by every queue it sits in. */
typedef struct naxd__msg {
    uint32_t refs;
    int droppable;          /* a snapshot or update (never acks, errors, lagging) */
    int private_chan;       /* of a private channel (dropped last) */
    const naxd__chan *chan; /* its channel; NULL for control messages */
    size_t len;             /* bytes of JSON at data + LWS_PRE */
    unsigned char *frame;   /* the whole WebSocket frame: its header ends the headroom */
    size_t frame_len;
    unsigned char data[]; /* LWS_PRE headroom, then the JSON */
} naxd__msg;

/* A recent public trade, copied. */
typedef struct naxd__trade {
    char *id;
    nax_decimal price, quantity;
    nax_side side;
    int64_t ts;
} naxd__trade;

struct naxd__pair {
    char *name;
    naxd__chan ticker, trades, book;
    naxd__mirror mirror;
    int has_book;
    int has_ticker;
    nax_ticker last; /* pair points at name; bid/ask/last at the members below */
    nax_decimal bid, ask, last_price;
    naxd__trade *recent; /* ring of limits.recent_trades */
    size_t recent_head, recent_count;
    unsigned int drop_updates, corrupt_checksums; /* faults aimed at this pair */
    naxd__msg *snap; /* the encoded book snapshot of seq snap_seq, or NULL */
    uint64_t snap_seq;
};

struct naxd__user {
    uint64_t id;
    naxd__chan chans[3]; /* orders, balances, fills */
    naxd__conn **conns;  /* connections authenticated as this user */
    size_t nconns, conns_cap;
};

struct naxd__conn {
    naxd_stream *s; /* NULL until established and after the stream forgot it */
    struct lws *wsi;
    naxd__conn *prev, *next;
    char peer[64];
    /* incoming message being reassembled */
    nax_buf rx;
    int rx_overflow;
    /* outgoing queue: a ring of message pointers */
    naxd__msg **q;
    size_t q_cap, q_head, q_len, q_bytes;
    size_t resnaps; /* subscriptions with resnap set */
    /* subscriptions */
    naxd__sub **subs;
    size_t nsubs, subs_cap;
    /* authentication */
    naxd__user *user;
    int64_t expires_ms;                          /* the app's clock; 0: does not lapse (API key) */
    char credential[NAXD_STREAM_CREDENTIAL_MAX]; /* what authenticated it, for revocation */
    int64_t expires_at_ms; /* the same moment on the monotonic clock; 0: none */
    /* ops rate: a token bucket in thousandths of an op */
    int64_t bucket_milli, bucket_at_ms;
    unsigned int refused; /* ops refused in a row */
    /* slow reader: times of recent lagging episodes */
    int64_t *lag_at;
    size_t lag_n;
    /* liveness and timers */
    int64_t last_rx_ms;
    int ping_due, ping_sent;
    int64_t stall_until_ms;
    /* closing */
    int close_code; /* non-zero: close with this code at the next writeable turn */
    const char *close_why;
    int closed_code; /* the code the connection closed with, for metrics */
};

struct naxd_stream {
    naxd_stream_hooks hooks;
    naxd_stream_limits lim;
    struct lws_protocols protocols[2];
    /* metrics (may be NULL) */
    naxd_metrics *metrics;
    naxd_gauge *m_conns;
    naxd_counter *m_messages, *m_lagging;
    /* registries */
    naxd__pair **pairs; /* sorted by name */
    size_t npairs, pairs_cap;
    naxd__user **users; /* sorted by id */
    size_t nusers, users_cap;
    naxd__conn *conns;
    size_t nconns;
    /* faults aimed at every pair */
    unsigned int drop_updates, corrupt_checksums;
    nax_buf scratch;                                       /* encoding buffer */
    unsigned char wbuf[LWS_PRE + NAXD_STREAM_WRITE_CHUNK]; /* frames gathered for one write */
};

/* ---- stream.c ---- */
int64_t naxd__now(naxd_stream *s);
naxd__pair *naxd__pair_find(const naxd_stream *s, const char *name);
naxd__pair *naxd__pair_get(naxd_stream *s, const char *name); /* creates; NULL on OOM */
naxd__user *naxd__user_find(const naxd_stream *s, uint64_t id);
naxd__user *naxd__user_get(naxd_stream *s, uint64_t id); /* creates; NULL on OOM */
/* Frees the user once no connection is authenticated as it. */
void naxd__user_release(naxd_stream *s, naxd__user *u);
void naxd__count_closed(naxd_stream *s, int code);
void naxd__count_sent(naxd_stream *s, uint64_t n);
void naxd__count_lagging(naxd_stream *s);

/* ---- queue.c ---- */
/* A message of len bytes of JSON copied from json; NULL on OOM. */
naxd__msg *naxd__msg_new(const char *json, size_t len, const naxd__chan *chan, int droppable);
/* Encodes obj into a new message. */
int naxd__msg_encode(naxd_stream *s, naxd__msg **out, nax_type type, const void *obj,
                     const naxd__chan *chan, int droppable);
void naxd__msg_unref(naxd__msg *m);
/* Queues a reference to m on c (handling overflow: dropped channels,
 * lagging notices, a close when nothing helps) and asks for a writeable
 * turn. m may be freed by the caller afterwards if it held no reference. */
void naxd__conn_push(naxd__conn *c, naxd__msg *m);
/* Removes c's queued messages of chan (an unsubscribe). */
void naxd__conn_purge_chan(naxd__conn *c, const naxd__chan *chan);
naxd__msg *naxd__conn_pop(naxd__conn *c);
void naxd__conn_queue_free(naxd__conn *c);
/* Whether a message of len bytes fits now. */
int naxd__conn_has_room(const naxd__conn *c, size_t len);

/* ---- conn.c ---- */
int64_t naxd__mono_ms(void);
int naxd__callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                   size_t len);
/* Closes c with code at its next writeable turn (or abruptly after a
 * grace), dropping what is queued: for readers that do not read. */
void naxd__conn_close(naxd__conn *c, int code, const char *why);
/* Closes c once what is queued (acks among it) has been written. */
void naxd__conn_close_flushed(naxd__conn *c, int code, const char *why);
/* Detaches c from every registry and frees what it holds. */
void naxd__conn_forget(naxd__conn *c);
/* Re-arms c's single timer for its nearest deadline. */
void naxd__conn_timer(naxd__conn *c);

/* ---- send.c: control messages ---- */
void naxd__send_ack(naxd__conn *c, nax_stream_op_kind op, uint64_t id, const char *code,
                    const char *field, const char *message);
/* An `error` message (channel may be NULL) or a `lagging` notice. */
void naxd__send_error(naxd__conn *c, const char *channel, const char *code, const char *message);
void naxd__send_lagging(naxd__conn *c, const char *channel);

/* ---- ops.c ---- */
/* Handles one complete text message from the client. */
void naxd__handle_frame(naxd__conn *c, const char *text, size_t len);

/* ---- channel.c ---- */
int naxd__chan_init(naxd__chan *ch, naxd__kind kind, const char *name, naxd__pair *p,
                    naxd__user *u);
void naxd__chan_dispose(naxd__chan *ch);
naxd__sub *naxd__conn_sub(const naxd__conn *c, const naxd__chan *ch);
/* Subscribes c (the caller checked limits); NULL on OOM. */
naxd__sub *naxd__sub_add(naxd__conn *c, naxd__chan *ch);
void naxd__sub_remove(naxd__sub *sub);
/* Queues m to every subscriber of ch whose subscription passes (skip set
 * when a subscriber awaits its initial state or a resnapshot). */
void naxd__chan_publish(naxd__chan *ch, naxd__msg *m);

/* ---- snapshot.c ---- */
/* Queues sub's channel state as a snapshot (nothing when there is no state yet). */
void naxd__send_snapshot(naxd__sub *sub);
/* Queues owed book resnapshots while c's queue has room. */
void naxd__send_resnaps(naxd__conn *c);
/* The pair's book snapshot (cached; the cache holds a reference); NULL on OOM. */
naxd__msg *naxd__book_snapshot(naxd_stream *s, naxd__pair *p);
void naxd__book_snapshot_drop(naxd__pair *p);
/* The pair's last ticker as a message of that type (no reference held). */
naxd__msg *naxd__ticker_msg(naxd_stream *s, naxd__pair *p, nax_stream_msg_type type);

/* ---- publish.c ---- */
void naxd__trade_ring_free(naxd_stream *s, naxd__pair *p);

/* ---- private.c ---- */
/* Ends c's private subscriptions with an `error` message each. */
void naxd__end_private(naxd__conn *c, const char *code, const char *message);
/* Sets or clears c's user (keeps the user registry's connection lists right). */
int naxd__conn_set_user(naxd__conn *c, naxd__user *u, int64_t expires_ms);

/* ---- utf8.c ---- */
int naxd__utf8_valid(const unsigned char *s, size_t len);

#endif /* NAXD_STREAM_INTERNAL_H */

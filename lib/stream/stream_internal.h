/*
 * The stream subscriber's insides, shared by the files of lib/stream.
 *
 * One thread drives a stream (the library's thread or the caller's loop):
 * everything marked "driving thread" is touched by it alone. Other threads
 * reach the stream through `lock` (commands, state, counters) and
 * `book_lock` (the books readers copy). Never installed.
 *
 * Files: options.c (options, URL, names), stream.c (the public handle and
 * the thread), external.c (the caller's loop), conn.c (the connection, lws
 * callback, timers, heartbeat, reconnects), control.c (channels, ops, acks,
 * commands), market.c (ticker, trades and book messages), private.c (orders,
 * balances, fills and the REST catch-up), books.c (readers' copies),
 * events.c (calling the user), book.c and idset.c (data structures).
 */
#ifndef NAX_STREAM_STREAM_INTERNAL_H
#define NAX_STREAM_STREAM_INTERNAL_H

#include <pthread.h>

#include <libwebsockets.h>

#include "core/core.h"
#include "nax/codec.h"
#include "nax/stream.h"
#include "stream/book.h"
#include "stream/idset.h"

/* ---- channels -------------------------------------------------------------- */

typedef enum nax__chan_kind {
    NAX__CH_TICKER = 1,
    NAX__CH_TRADES = 2,
    NAX__CH_BOOK = 3,
    NAX__CH_ORDERS = 4,
    NAX__CH_BALANCES = 5,
    NAX__CH_FILLS = 6
} nax__chan_kind;

#define NAX__CH_PRIVATE(kind) ((kind) >= NAX__CH_ORDERS)
/* A private channel as a bit, for sets of them. */
#define NAX__PRIV_BIT(kind) (1u << ((kind)-NAX__CH_ORDERS))

/* Where a channel's subscription stands on the current connection. */
typedef enum nax__sub_state {
    NAX__SUB_NONE = 0,    /* not subscribed */
    NAX__SUB_PENDING = 1, /* subscribe sent, no ack yet */
    NAX__SUB_ACTIVE = 2,  /* acknowledged */
    NAX__SUB_LEAVING = 3  /* unsubscribe sent, no ack yet */
} nax__sub_state;

/* A book as readers see it: every member under stream->book_lock. */
typedef struct nax__stream_book {
    char *pair;
    nax__book book;
    int has_snapshot; /* readers find the book only once a snapshot was applied */
    int live;         /* consistent with the server (not waiting for a snapshot) */
} nax__stream_book;

#define NAX__RECENT_TRADES 64

typedef struct nax__chan {
    char *name;
    const char *pair; /* inside name, or NULL for the private channels */
    nax__chan_kind kind;
    int wanted;             /* in the wanted set */
    nax__sub_state sub;     /* on the current connection */
    int have_snapshot;      /* this subscription's snapshot arrived */
    uint64_t seq;           /* of the last snapshot or update of this subscription */
    int resyncing;          /* a book: RESYNCING reported, LIVE not yet */
    int leave_pending;      /* to be unsubscribed (and subscribed again) with the next batch */
    nax__stream_book *book; /* book channels */
    nax_stream_message **buffered; /* book updates that came before the snapshot */
    size_t buffered_count;
    char *recent[NAX__RECENT_TRADES]; /* trades: ids delivered lately, against repeats */
    size_t recent_next;
    unsigned int retries; /* subscription attempts the server ended or refused lately */
    lws_usec_t retry_at;  /* not subscribed (or resynced) again before this lws_now_usecs() */
} nax__chan;

/* Validates a channel name; returns its kind, or 0. */
nax__chan_kind nax__chan_parse(const char *name);

/* ---- the command queue (other threads -> driving thread) --------------------- */

typedef enum nax__cmd_kind { NAX__CMD_SUBSCRIBE = 1, NAX__CMD_UNSUBSCRIBE = 2 } nax__cmd_kind;

typedef struct nax__cmd {
    nax__cmd_kind kind;
    char **channels; /* one allocation with the strings */
    size_t count;
} nax__cmd;

/* ---- ops in flight ------------------------------------------------------------- */

typedef struct nax__op {
    uint64_t id;
    nax_stream_op_kind kind;
    char **channels; /* one allocation with the strings; NULL for auth and ping */
    size_t count;
} nax__op;

/* A frame waiting to be written, with LWS_PRE bytes of room before it. */
typedef struct nax__frame {
    struct nax__frame *next;
    size_t len;
    unsigned char data[]; /* LWS_PRE + len */
} nax__frame;

/* ---- timers ------------------------------------------------------------------------ */

typedef struct nax__timer {
    lws_sorted_usec_list_t sul; /* first, so the sul callback finds the timer */
    nax_stream *stream;
    void (*fire)(nax_stream *s);
    lws_usec_t due; /* lws_now_usecs() when it fires, while armed */
    int armed;
} nax__timer;

void nax__timer_init(nax__timer *t, nax_stream *s, void (*fire)(nax_stream *s));
void nax__timer_set(nax__timer *t, uint64_t delay_ms);
void nax__timer_cancel(nax__timer *t);

/* ---- private channels: what was delivered, and the catch-up -------------------------- */

typedef struct nax__private {
    unsigned int catchup; /* NAX__PRIV_BIT set: channels to catch up over REST */
    int catchup_scheduled;
    unsigned int catchup_attempts; /* failed attempts of this catch-up (bounded) */
    nax_stream_message **held;     /* private messages held until the catch-up is delivered */
    size_t held_count, held_cap;
    nax__idset fills_seen;     /* fill ids delivered (bounded) */
    nax__idset open_orders;    /* ids of the orders last seen open */
    nax__idset order_states;   /* order id -> updated_at and progress last delivered (bounded) */
    nax__idset caught;         /* order id -> the same, delivered by catch-ups (bounded) */
    char *last_fill_id;        /* the newest fill delivered */
    int has_orders, has_fills; /* the channel delivered a snapshot on some connection */
    int64_t last_ts[3];        /* per private channel: the newest `ts` seen */
    int64_t since[3];          /* per private channel: last_ts when events were lost */
} nax__private;

/* ---- the stream ------------------------------------------------------------------------ */

struct nax_stream {
    /* options: owned copies */
    nax_stream_options opts;
    nax_stream_callbacks cb;
    nax_client *client;
    nax_client_hooks hooks;
    char *url, *host, *host_header, *path;
    int port, tls, tls_insecure;
    char *ca_path;

    /* shared with other threads, under lock */
    pthread_mutex_t lock;
    nax_stream_state state; /* of the connection (LIVE, STALE, ...) */
    size_t resyncing;       /* books resyncing now */
    nax_stream_stats stats;
    int started, stop_requested, closed;
    nax__cmd *cmds; /* ring of opts.max_pending_ops */
    size_t cmd_head, cmd_count;
    int wake_fd; /* external mode: readable while commands wait; -1 otherwise */

    /* the books readers copy, under book_lock */
    pthread_mutex_t book_lock;
    nax__stream_book **books;
    size_t books_count, books_cap;

    unsigned int inits; /* what nax_stream_free must undo (stream.c) */

    /* driving thread */
    struct lws_context *ctx;
    struct lws *wsi;
    pthread_t thread;
    int thread_started;
    int loop_exit;     /* the stream is closed: the service loop ends */
    int halted;        /* stopping or stopped: no more user callbacks but CLOSED */
    int user_stopped;  /* a callback returned non-zero */
    int destroying;    /* nax_stream_free is tearing the context down */
    int attempt_open;  /* a connection attempt or connection exists */
    int established;   /* the WebSocket is open */
    int live_reported; /* LIVE(SUBSCRIBED) reported on this connection */
    int connected_once;
    unsigned int attempt;          /* connection attempts since the last LIVE */
    int dropping;                  /* we are closing the connection to reconnect */
    nax_stream_reason drop_reason; /* why */
    nax_stream_reason halt_reason; /* why the stream stops, once halted */
    int drop_error;
    int close_code; /* the server's close code */
    char close_text[128];
    int want_write;
    nax__frame *out_head, *out_tail;
    nax_buf rx;
    int rx_done;     /* the previous message is complete */
    int64_t last_ts; /* the newest `ts` seen on this stream (server clock) */
    uint64_t next_id;
    nax__op *ops;
    size_t ops_count, ops_cap;
    nax__chan **chans;
    size_t chans_count, chans_cap;
    uint64_t ping_id;
    int ping_outstanding;
    unsigned int missed;
    int auth_state; /* NAX__SAUTH_* */
    uint64_t auth_op;
    uint64_t auth_generation;  /* the client session behind the last auth op */
    int auth_renew;            /* the server found that session expired: renew it first */
    unsigned int auth_retries; /* renewals since the last successful auth (bounded) */
    nax__timer t_connect, t_timeout, t_ping, t_catchup, t_close, t_wake, t_flush, t_retry;
    nax__private priv;
};

enum { NAX__SAUTH_NONE = 0, NAX__SAUTH_PENDING = 1, NAX__SAUTH_OK = 2 };

/* ---- options.c ---- */
int nax__stream_options_copy(nax_stream *s, const nax_stream_options *o);
void nax__stream_options_dispose(nax_stream *s);

/* ---- events.c: calling the user ---- */
/* Non-zero while this thread runs one of s's callbacks. */
int nax__stream_in_callback(const nax_stream *s);
/* Reports a lifecycle event; LIVE, STALE, RECONNECTING... become the state
 * (RESYNCING is per book and does not). A non-zero return stops the stream. */
void nax__stream_event(nax_stream *s, nax_stream_state state, nax_stream_reason reason,
                       const char *channel, int error, const char *fmt, ...) NAX__PRINTF(6, 7);
/* The same with the delay and close code of a RECONNECTING event. */
void nax__stream_event_reconnecting(nax_stream *s, nax_stream_reason reason, int error,
                                    uint64_t delay_ms, const char *message);
nax_stream_state nax__stream_state_now(nax_stream *s);
/* The typed callbacks; each returns non-zero when the stream was stopped by it. */
int nax__stream_call_ticker(nax_stream *s, const nax_ticker *t, unsigned int flags);
int nax__stream_call_trade(nax_stream *s, const nax_trade *t, unsigned int flags);
int nax__stream_call_book(nax_stream *s, const nax_stream_book *b);
int nax__stream_call_order(nax_stream *s, const nax_order *o, unsigned int flags);
int nax__stream_call_balance(nax_stream *s, const nax_balance *b, unsigned int flags);
int nax__stream_call_fill(nax_stream *s, const nax_fill *f, unsigned int flags);
/* Counters, under the lock. */
void nax__stream_count(nax_stream *s, uint64_t *counter, uint64_t n);

/* ---- conn.c ---- */
int nax__stream_context_new(nax_stream *s);
/* Starts the first connection attempt (from a timer: callbacks never run
 * inside nax_stream_start). */
void nax__stream_begin(nax_stream *s);
/* Queues a text frame (copied) and asks for a writable callback. */
int nax__stream_send(nax_stream *s, const char *data, size_t len);
/* Frees a frame, wiped first (an auth op's holds a credential). */
void nax__frame_free(nax__frame *f);
/* Frees the frames not written. */
void nax__stream_free_frames(nax_stream *s);
/* Drops the connection: RECONNECTING with `reason` follows. */
void nax__stream_kill(nax_stream *s, nax_stream_reason reason, int error);
/* Why a message could not be read or applied: running out of memory says
 * nothing about the message (NONE); anything else is PROTOCOL. */
static inline nax_stream_reason nax__stream_unreadable_reason(int rc)
{
    return rc == NAX_ENOMEM ? NAX_STREAM_REASON_NONE : NAX_STREAM_REASON_PROTOCOL;
}
/* Stops for good with `reason` (STOPPED or CALLBACK): a close frame, then CLOSED. */
void nax__stream_halt(nax_stream *s, nax_stream_reason reason);
/* Reports CLOSED now and ends the service loop (the connection, if any, is
 * left to lws_context_destroy). */
void nax__stream_finish(nax_stream *s);
/* Drains the command queue (sending one op for all the commands) and
 * applies a stop request. */
void nax__stream_run_commands(nax_stream *s);
/* What lws wants now: the socket (or -1) and whether to wait for POLLOUT. */
int nax__stream_socket(nax_stream *s, int *want_out);
/* After the driving thread was busy with REST calls (the socket unread):
 * the pings start over, so the wait does not count as silence. */
void nax__stream_heartbeat_restart(nax_stream *s);
/* Milliseconds to the next armed timer, at most `cap`. */
int nax__stream_next_timer_ms(nax_stream *s, int cap);
/* The wait before retry number `attempt` (1, 2, ...) of a subscription: the
 * reconnect backoff's ceiling for that attempt, jittered over its upper half. */
uint64_t nax__stream_retry_delay_ms(nax_stream *s, unsigned int attempt);

/* ---- control.c ---- */
/* A copy of n strings in one allocation (nax__free it), or NULL. */
char **nax__strv_dup(const char *const *v, size_t n);
nax__chan *nax__chan_find(nax_stream *s, const char *name);
/* Changes the wanted set; nothing is sent until nax__stream_commands_applied. */
void nax__stream_apply_command(nax_stream *s, const nax__cmd *cmd);
/* After a batch of commands: one unsubscribe op for the channels let go, one
 * subscribe op for the channels wanted. */
void nax__stream_commands_applied(nax_stream *s);
/* The connection opened: auth if needed, subscribe every wanted channel. */
void nax__stream_on_open(nax_stream *s);
/* The connection closed: every subscription is gone. */
void nax__stream_on_close(nax_stream *s);
void nax__stream_on_ack(nax_stream *s, const nax_stream_ack *ack);
/* Sends an op; channels may be NULL. Returns the op id or 0 on failure. */
uint64_t nax__stream_send_op(nax_stream *s, nax_stream_op_kind kind, const char *const *channels,
                             size_t count);
/* Unsubscribes and subscribes a channel again for a fresh snapshot. The
 * channels to resubscribe are gathered and sent as one op (a timer at 0 ms,
 * nax__stream_flush_fire), so a burst of resyncs stays within the server's
 * op rate. */
void nax__stream_resubscribe(nax_stream *s, nax__chan *ch);
void nax__stream_flush_fire(nax_stream *s);
/* The server ended a subscription with an `error` message (a snapshot it
 * could not build, ...): reported on the channel, subscribed again after a
 * backoff (nax__stream_retry_fire); a private channel catches up. */
void nax__stream_chan_ended(nax_stream *s, nax__chan *ch, const nax_error_body *e);
void nax__stream_retry_fire(nax_stream *s);
/* Subscribes the private channels once the connection is authenticated. */
void nax__stream_authenticate(nax_stream *s);
/* The server ended the session (token_expired): renew it, authenticate again
 * and subscribe the private channels again. Returns 0, or -1 when renewals
 * in a row without a successful auth are spent. */
int nax__stream_reauthenticate(nax_stream *s);
/* Reports LIVE(SUBSCRIBED) when every wanted channel is in place. */
void nax__stream_check_live(nax_stream *s);
/* Takes a channel out of the wanted set (its book goes, its catch-up too). */
void nax__chan_unwant(nax_stream *s, nax__chan *ch);
void nax__chan_drop(nax_stream *s, nax__chan *ch);

/* ---- market.c ---- */
void nax__stream_on_market(nax_stream *s, nax__chan *ch, nax_stream_message *m);
/* A book goes RESYNCING (reason, error) and subscribes again. */
void nax__stream_book_resync(nax_stream *s, nax__chan *ch, nax_stream_reason reason, int error,
                             const char *why);
void nax__chan_clear_buffered(nax__chan *ch);

/* ---- private.c ---- */
void nax__private_init(nax__private *p);
void nax__private_dispose(nax__private *p);
/* A private message; takes ownership of m. */
void nax__stream_on_private(nax_stream *s, nax__chan *ch, nax_stream_message *m);
/* The connection dropped: catch up the private channels that had state. */
void nax__stream_private_disconnected(nax_stream *s);
/* A private channel missed events (lagging, a gap, an expired session). */
void nax__stream_private_lost(nax_stream *s, nax__chan *ch);
/* A private channel left the wanted set or was refused. */
void nax__stream_private_forget(nax_stream *s, nax__chan *ch);
void nax__stream_catchup_fire(nax_stream *s);

/* ---- books.c ---- */
nax__stream_book *nax__books_add(nax_stream *s, const char *pair);
void nax__books_remove(nax_stream *s, nax__stream_book *b);
void nax__books_dispose(nax_stream *s);

#endif /* NAX_STREAM_STREAM_INTERNAL_H */

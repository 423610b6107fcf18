/*
 * naxd market stream publisher: the /v1/stream WebSocket protocol
 * (docs/asyncapi.yaml) served on naxd's lws context through
 * naxd_http_options.ws_protocol.
 *
 * The app feeds it events in commit order, each once the change behind it is
 * durable. The stream keeps what a new subscriber needs (a mirror of every
 * book as published, the last ticker, the latest trades per pair), encodes
 * each event once, and queues the encoded bytes to every subscriber.
 *
 * Per connection: a bounded queue (messages and bytes). A reader that falls
 * behind loses the queued messages of the channels it is behind on and gets
 * a `lagging` notice per channel; a book channel then gets a fresh snapshot
 * as soon as the queue has room; a connection that keeps lagging is closed
 * (1008). Limits: subscriptions per connection, frame size (1009), ops per
 * second (an error ack, then 1008), invalid UTF-8 (1007), binary or other
 * protocol violations (1002/1003), an idle timeout.
 *
 * Threading: everything runs on the app thread (the lws service thread),
 * like the rest of naxd_http. Errors: 0 or a negative nax_error_code.
 */
#ifndef NAXD_STREAM_H
#define NAXD_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include <nax/types.h>

struct lws_protocols;
struct naxd_metrics;

typedef struct naxd_stream naxd_stream;

/* Room for the credential an authentication names (see the authenticate hook). */
#define NAXD_STREAM_CREDENTIAL_MAX 96

/* Which private channel a snapshot is for. */
typedef enum naxd_stream_private {
    NAXD_STREAM_ORDERS = 1,
    NAXD_STREAM_BALANCES = 2,
    NAXD_STREAM_FILLS = 3
} naxd_stream_private;

/* What the stream needs from the app. Called on the app thread. */
typedef struct naxd_stream_hooks {
    void *app; /* passed to every hook */
    /* Checks an `auth` op: a JWT (`token`) or an API-key signature over
     * `timestamp + "GET" + "/v1/stream"` within the receive window and not
     * replayed. 0 with *user and *expires_ms (when the token lapses; 0 for     * API keys, which do
     * not) and the credential it used in credential (at most NAXD_STREAM_CREDENTIAL_MAX bytes with
     * the NUL, e.g. "session:<family>" or "key:<id>", for naxd_stream_revoke), or non-zero with
     * *code (a static error code string such as "token_expired", "invalid_signature") and a
     * message. */
    int (*authenticate)(void *app, const nax_stream_op *op, const char *peer, uint64_t *user,
                        int64_t *expires_ms, char *credential, const char **code, char *message,
                        size_t message_size);
    /* The current state of a private channel for user: fills msg->orders,
     * msg->balances or msg->fills (the stream sets channel, type, seq and ts)
     * and *cookie, which is handed to private_snapshot_free() once the
     * message is encoded. 0 or a nax_error_code. */
    int (*private_snapshot)(void *app, uint64_t user, naxd_stream_private which,
                            nax_stream_message *msg, void **cookie);
    void (*private_snapshot_free)(void *app, void *cookie);
    /* Is this pair a market? (subscribe refuses others with unknown_channel) */
    int (*market_exists)(void *app, const char *pair);
    /* The clock for `ts` and token expiry (ms since the epoch). */
    int64_t (*now_ms)(void *app);
} naxd_stream_hooks;

/* Limits; a zero member means its default. */
typedef struct naxd_stream_limits {
    unsigned int max_subscriptions; /* channels per connection; default 64 */
    size_t max_frame_bytes;         /* largest incoming message; default 16384 (then 1009) */
    unsigned int ops_per_second;    /* sustained ops per connection, burst twice that; default 20 */
    size_t max_queue_messages;      /* queued outgoing messages per connection; default 4096 */
    size_t max_queue_bytes;         /* queued outgoing bytes per connection; default 16 MiB */
    unsigned int idle_timeout_s;    /* close (1001) after this long with no frame from the
                                       client; default 60 */
    unsigned int max_lagging;       /* lagging episodes within a minute before closing (1008);
                                       default 3 */
    unsigned int recent_trades;     /* trades kept per pair for the trades snapshot; default 50 */
} naxd_stream_limits;

/* hooks and limits are copied; metrics may be NULL (then no metrics). */
int naxd_stream_new(naxd_stream **out, const naxd_stream_hooks *hooks,
                    const naxd_stream_limits *limits, struct naxd_metrics *metrics);
/* Call after naxd_http_free(): lws calls the protocol (which lives in s)
 * until its context is destroyed, and the connections it closes then are
 * released here through their LWS_CALLBACK_CLOSED. For a graceful shutdown
 * call naxd_stream_close_all() before stopping the server. Connections the
 * stream still knows are forgotten. NULL: no-op. */
void naxd_stream_free(naxd_stream *s);
/* The protocol for naxd_http_options.ws_protocol; lives as long as s. */
const struct lws_protocols *naxd_stream_protocol(naxd_stream *s);
/* Attach the metric registry once it exists (naxd_http_registry() of the
 * server created with naxd_stream_protocol()); NULL detaches. App thread. */
void naxd_stream_set_metrics(naxd_stream *s, struct naxd_metrics *metrics);
/* Close every connection with 1001 (going away): shutdown. The close
 * frames go out on the following service turns. */
void naxd_stream_close_all(naxd_stream *s);
/* Open connections, for health and metrics. */
size_t naxd_stream_connections(const naxd_stream *s);

/* ---- public channels (durable state, in commit order) ------------------- */

/* Replace a book wholesale: at start-up (before any subscriber) and after
 * memory was rebuilt from the store. Levels best first. Current subscribers
 * get a snapshot. */
int naxd_stream_book_reset(naxd_stream *s, const char *pair, uint64_t seq, int64_t ts,
                           const nax_book_level *bids, size_t bids_count,
                           const nax_book_level *asks, size_t asks_count);
/* One change of a book: the levels whose total changed, each with its new
 * total (0: the level is gone), and the book's seq after the change, which
 * must be the mirror's seq + 1 (otherwise NAX_EINVAL and nothing changes:
 * the app should reset the book). Levels whose total equals the mirror's
 * are dropped; a change left empty is still published (the seq moved). */
int naxd_stream_book_update(naxd_stream *s, const char *pair, uint64_t seq, int64_t ts,
                            const nax_book_level *bids, size_t bids_count,
                            const nax_book_level *asks, size_t asks_count);
/* The book as published (what a new subscriber's snapshot holds): up to
 * depth levels per side (0: all) into caller arrays of that many entries,
 * best first. NULL arrays: only the counts (and seq, checksum) are given, so
 * a caller can size its arrays for depth 0. NAX_ENOTFOUND for a pair never
 * reset. For tests and /metrics. */
int naxd_stream_book_view(const naxd_stream *s, const char *pair, size_t depth,
                          nax_book_level *bids, size_t *bids_count, nax_book_level *asks,
                          size_t *asks_count, uint64_t *seq, uint32_t *checksum);
/* The ticker after a change (t->seq is the channel's seq; t is copied). */
int naxd_stream_ticker(naxd_stream *s, const nax_ticker *t);
/* New public trades of one pair, oldest first (one message). */
int naxd_stream_trades(naxd_stream *s, const char *pair, const nax_trade *const *trades,
                       size_t count, int64_t ts);

/* ---- private channels: one user's events --------------------------------- */

int naxd_stream_order(naxd_stream *s, uint64_t user, const nax_order *o, int64_t ts);
int naxd_stream_balance(naxd_stream *s, uint64_t user, const nax_balance *b, int64_t ts);
int naxd_stream_fill(naxd_stream *s, uint64_t user, const nax_fill *f, int64_t ts);
/* End the private subscriptions of a user's connections that authenticated
 * with a credential now revoked (a logged-out session, a reused refresh
 * token's family, a deleted API key): credential as the authenticate hook
 * named it, or NULL for every credential of the user. Each such connection
 * gets an `error` message (token_revoked) per private channel and must
 * authenticate again. */
void naxd_stream_revoke(naxd_stream *s, uint64_t user, const char *credential);

/* ---- fault injection (naxd --fault-injection only) ----------------------- */

typedef struct naxd_stream_fault {
    const char *pair;               /* NULL or "": every pair */
    unsigned int drop_updates;      /* the next N book updates are not sent (seq still rises) */
    unsigned int corrupt_checksums; /* the next N book updates carry a wrong checksum */
    uint32_t stall_ms;              /* connections open now send and answer nothing this long */
    int close_all;                  /* close every connection at once, without a close frame */
} naxd_stream_fault;

int naxd_stream_inject(naxd_stream *s, const naxd_stream_fault *f);

#endif /* NAXD_STREAM_H */

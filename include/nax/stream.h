/**
 * @file nax/stream.h
 * @brief The market stream subscriber: typed callbacks, a self-healing
 * local order book per pair, heartbeats, reconnects and private catch-up.
 *
 * A #nax_stream holds one WebSocket connection to `/v1/stream`
 * (`docs/asyncapi.yaml`) and the set of channels the caller wants. It keeps
 * that set subscribed across reconnects, re-authenticates before the private
 * channels (`orders`, `balances`, `fills`), and keeps a local order book per
 * subscribed `book:{pair}` that is always either consistent with the server
 * (checked by `seq` and checksum) or reported as RESYNCING.
 *
 * Lifecycle (every change goes to nax_stream_callbacks::on_state with a
 * reason): CONNECTING, then LIVE once every wanted channel is subscribed and
 * has delivered its first snapshot, every book a consistent one. A ping goes out every
 * nax_stream_options::ping_interval_ms; a ping unanswered for that long makes
 * the stream STALE, and nax_stream_options::missed_pongs unanswered pings in
 * a row make it dead: RECONNECTING with a jittered backoff growing from
 * nax_stream_options::reconnect_min_ms to nax_stream_options::reconnect_max_ms,
 * forever, until nax_stream_stop(). After a reconnect every channel is
 * subscribed again, the private channels after a fresh `auth`, and the orders
 * and fills that changed while the connection was down are fetched over REST
 * (with nax_stream_options::client) and delivered with
 * #NAX_STREAM_F_CATCHUP before any newer event. A book whose `seq` jumps or
 * whose checksum differs from the server's goes RESYNCING (the other channels
 * keep flowing), takes a fresh snapshot, and is LIVE again once consistent.
 *
 * Two ways to run it (nax_stream_options::mode):
 * - #NAX_STREAM_MODE_THREAD: nax_stream_start() starts a thread the library
 *   owns; callbacks run on that thread.
 * - #NAX_STREAM_MODE_EXTERNAL: the caller drives the stream from its own
 *   loop with nax_stream_service(), or puts nax_stream_pollfds() in its own
 *   poll() and hands the results to nax_stream_service_fds(); callbacks run
 *   inside those calls.
 *
 * Threading: one thread drives a stream (the library's thread, or the
 * caller's loop). nax_stream_subscribe(), nax_stream_unsubscribe(),
 * nax_stream_stop(), nax_stream_state_get(), nax_stream_stats_get(),
 * nax_stream_book_top() and nax_stream_book_copy() are safe from any thread
 * at any time, callbacks included (the subscription calls are queued and
 * take effect on the driving thread). nax_stream_service(),
 * nax_stream_service_fds() and nax_stream_free() called from a callback
 * return #NAX_ERECURSIVE (free: does nothing). See `docs/threading.md`.
 *
 * Queues (all bounded):
 * - Commands from other threads: at most nax_stream_options::max_pending_ops
 *   queued; more fail with #NAX_ELIMIT, nothing dropped silently.
 * - Book updates that arrive while a book waits for its snapshot: at most
 *   nax_stream_options::max_buffered_updates per book; one more makes the
 *   book resync again (reason #NAX_STREAM_REASON_OVERFLOW).
 * - Catch-up after a reconnect: fetched page by page, at most
 *   nax_stream_options::max_catchup_items events; beyond that the stream
 *   reports #NAX_STREAM_REASON_OVERFLOW on the channel and the caller should
 *   read the state over REST itself.
 * - Nothing is queued between the socket and the callbacks: a slow callback
 *   slows the reader, and the server then reports `lagging` (the book
 *   resyncs; the private channels catch up over REST).
 *
 * Errors: functions return 0 or a negative #nax_error_code with the detail
 * in nax_error_last() on the calling thread.
 */
#ifndef NAX_STREAM_H
#define NAX_STREAM_H

#include "client.h"
#include "common.h"
#include "types.h"

NAX_BEGIN_DECLS

/** @brief An opaque stream subscriber. Create with nax_stream_new(). */
typedef struct nax_stream nax_stream;

/** @brief The states the lifecycle callback reports. */
typedef enum nax_stream_state {
    NAX_STREAM_IDLE = 0,         /**< created, not started (never reported) */
    NAX_STREAM_CONNECTING = 1,   /**< opening the connection */
    NAX_STREAM_LIVE = 2,         /**< connected, subscribed, snapshots in, books consistent */
    NAX_STREAM_STALE = 3,        /**< a ping went unanswered: data may be old */
    NAX_STREAM_RESYNCING = 4,    /**< a book (the event's channel) waits for a fresh snapshot */
    NAX_STREAM_RECONNECTING = 5, /**< the connection is gone; waiting to connect again */
    NAX_STREAM_CLOSED = 6        /**< stopped for good */
} nax_stream_state;

/** @brief Why a state was entered. */
typedef enum nax_stream_reason {
    NAX_STREAM_REASON_NONE = 0,           /**< no particular reason */
    NAX_STREAM_REASON_START = 1,          /**< CONNECTING: nax_stream_start() */
    NAX_STREAM_REASON_SUBSCRIBED = 2,     /**< LIVE: every channel acknowledged */
    NAX_STREAM_REASON_SNAPSHOT = 3,       /**< LIVE (a book): a consistent snapshot applied */
    NAX_STREAM_REASON_PONG_MISSED = 4,    /**< STALE: a ping went unanswered */
    NAX_STREAM_REASON_TRAFFIC = 5,        /**< LIVE: answers arrive again after STALE */
    NAX_STREAM_REASON_DEAD = 6,           /**< RECONNECTING: too many pings unanswered */
    NAX_STREAM_REASON_CONNECT_FAILED = 7, /**< RECONNECTING: connecting or upgrading failed */
    NAX_STREAM_REASON_SERVER_CLOSED = 8,  /**< RECONNECTING: the server closed the connection */
    NAX_STREAM_REASON_SEQ_GAP = 9,        /**< RESYNCING: a book update was missed */
    NAX_STREAM_REASON_CHECKSUM = 10, /**< RESYNCING: the local book differs from the server's */
    NAX_STREAM_REASON_LAGGING = 11,  /**< RESYNCING: the server dropped messages for us */
    NAX_STREAM_REASON_OVERFLOW = 12, /**< a bounded queue overflowed (see the file comment) */
    /** The private channels could not be authenticated. */
    NAX_STREAM_REASON_AUTH_FAILED = 13,
    /** A channel is dropped for good: the server refused it (see the event's
     *  message; transient refusals are retried), or the client ran out of
     *  memory setting it up (error #NAX_ENOMEM; subscribe again). */
    NAX_STREAM_REASON_SUBSCRIBE_FAILED = 14,
    NAX_STREAM_REASON_PROTOCOL = 15,     /**< RECONNECTING: a message could not be read */
    NAX_STREAM_REASON_STOPPED = 16,      /**< CLOSED: nax_stream_stop() or nax_stream_free() */
    NAX_STREAM_REASON_CALLBACK = 17,     /**< CLOSED: a callback returned non-zero */
    NAX_STREAM_REASON_TOKEN_EXPIRED = 18 /**< the session expired; authenticating again */
} nax_stream_reason;

/** @brief Name of a state (`"LIVE"`, ...); static. */
NAX_API const char *nax_stream_state_name(nax_stream_state state);
/** @brief Name of a reason (`"seq_gap"`, ...); static. */
NAX_API const char *nax_stream_reason_name(nax_stream_reason reason);

/** @brief A lifecycle change, for nax_stream_callbacks::on_state. */
typedef struct nax_stream_event {
    size_t struct_size;       /**< sizeof(nax_stream_event) as the library knows it */
    nax_stream_state state;   /**< the state entered */
    nax_stream_reason reason; /**< why */
    const char *channel;      /**< the channel concerned (a book for RESYNCING, a refused
                                   channel, ...), or NULL for the whole connection */
    const char *message;      /**< human-readable detail, never NULL */
    int error;                /**< the #nax_error_code behind the change, or 0 */
    unsigned int attempt;     /**< CONNECTING/RECONNECTING: attempts since the last LIVE */
    uint64_t delay_ms;        /**< RECONNECTING: wait before the next attempt */
    int close_code;           /**< the WebSocket close code the server sent, or 0 */
} nax_stream_event;

/** @brief A book change, for nax_stream_callbacks::on_book. */
typedef struct nax_stream_book {
    size_t struct_size;         /**< sizeof(nax_stream_book) as the library knows it */
    const char *pair;           /**< the market */
    uint64_t seq;               /**< the book's sequence number after this change */
    int snapshot;               /**< non-zero: the book was replaced by a snapshot */
    const nax_book_level *bids; /**< levels that changed (every level for a snapshot),
                                     best first; quantity 0 means removed */
    size_t bids_count;          /**< number of @c bids */
    const nax_book_level *asks; /**< as @c bids, for the ask side */
    size_t asks_count;          /**< number of @c asks */
    uint32_t checksum;          /**< the checksum the local book now has (equal to the server's) */
} nax_stream_book;

/** Event flag: part of the state sent right after subscribing. */
#define NAX_STREAM_F_SNAPSHOT 0x1u
/** Event flag: fetched over REST after a reconnect (happened while disconnected). */
#define NAX_STREAM_F_CATCHUP 0x2u

/**
 * @brief The typed callbacks. Every member may be NULL. Pointers passed in
 * are borrowed for the duration of the call. A non-zero return stops the
 * stream: it goes CLOSED with #NAX_STREAM_REASON_CALLBACK and the driving
 * call returns #NAX_EUSER.
 */
typedef struct nax_stream_callbacks {
    /** A lifecycle change. */
    int (*on_state)(const nax_stream_event *event, void *userdata);
    /** A ticker (`ticker:{pair}`); flags #NAX_STREAM_F_SNAPSHOT for the first. */
    int (*on_ticker)(const nax_ticker *ticker, unsigned int flags, void *userdata);
    /** A public trade (`trades:{pair}`), oldest first; recent ones flagged #NAX_STREAM_F_SNAPSHOT.
     */
    int (*on_trade)(const nax_trade *trade, unsigned int flags, void *userdata);
    /** A consistent change of a local book (`book:{pair}`), after it was applied. */
    int (*on_book)(const nax_stream_book *book, void *userdata);
    /** One of the user's orders after a change (`orders`). */
    int (*on_order)(const nax_order *order, unsigned int flags, void *userdata);
    /** One of the user's balances after a change (`balances`). */
    int (*on_balance)(const nax_balance *balance, unsigned int flags, void *userdata);
    /** An execution of one of the user's orders (`fills`), each delivered once. */
    int (*on_fill)(const nax_fill *fill, unsigned int flags, void *userdata);
    void *userdata; /**< passed to every callback */
} nax_stream_callbacks;

/** @brief Who drives the stream. */
typedef enum nax_stream_mode {
    NAX_STREAM_MODE_THREAD = 0,  /**< a thread the library owns (the default) */
    NAX_STREAM_MODE_EXTERNAL = 1 /**< the caller's loop: nax_stream_service() or the poll fds */
} nax_stream_mode;

/** Version of #nax_stream_options this header describes. */
#define NAX_STREAM_OPTIONS_VERSION 1

/**
 * @brief Options for nax_stream_new(). Start from #NAX_STREAM_OPTIONS_INIT
 * or nax_stream_options_init(); a zero or NULL member means its default.
 */
typedef struct nax_stream_options {
    unsigned int version; /**< #NAX_STREAM_OPTIONS_VERSION */
    /** The REST client: its credentials authenticate the private channels (a
     * session's access token, refreshed as needed, or an API-key signature),
     * its base URL gives the stream URL, its TLS settings are used, and it
     * fetches the catch-up after a reconnect. Borrowed: it must outlive the
     * stream. Optional for public channels when @c url is set. */
    nax_client *client;
    const char *url;                /**< `ws://` or `wss://` URL of `/v1/stream`; default: the
                                         client's base URL with `ws`/`wss` and `/v1/stream` */
    nax_stream_mode mode;           /**< #NAX_STREAM_MODE_THREAD by default */
    nax_stream_callbacks callbacks; /**< the callbacks */

    uint32_t ping_interval_ms;   /**< a ping op this often; default 15000 */
    unsigned int missed_pongs;   /**< unanswered pings in a row that mean dead; default 2 */
    uint32_t reconnect_min_ms;   /**< first reconnect delay (jittered); default 1000 */
    uint32_t reconnect_max_ms;   /**< cap of the reconnect delay; default 60000 */
    uint32_t connect_timeout_ms; /**< TCP, TLS and upgrade; default 10000 */

    size_t max_message_bytes;    /**< largest message accepted; default 64 MiB */
    size_t max_buffered_updates; /**< book updates held per book while it resyncs;
                                      default 4096 */
    size_t max_pending_ops;      /**< commands queued from other threads; default 1024 */
    size_t max_catchup_items;    /**< events fetched over REST after a reconnect; default 10000 */

    int tls_insecure;    /**< without a client: non-zero turns certificate checks OFF (tests) */
    const char *ca_path; /**< without a client: a CA bundle instead of the system store */

    const nax_client_hooks *hooks; /**< for tests (copied): random_u64 draws the reconnect
                                        jitter; the timers run on libwebsockets' monotonic
                                        clock, so the clock and sleep hooks are not used;
                                        NULL: the real ones */
} nax_stream_options;

/** Static initialiser: the current version, everything else default. */
#define NAX_STREAM_OPTIONS_INIT                                                                    \
    {                                                                                              \
        NAX_STREAM_OPTIONS_VERSION, NULL, NULL, NAX_STREAM_MODE_THREAD,                            \
            {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL,  \
            NULL                                                                                   \
    }

/**
 * @brief Reset @p opts to the defaults of @p version (for bindings).
 * @return 0; #NAX_EINVAL when @p opts is NULL; #NAX_EVERSION for an unknown version.
 */
NAX_API int nax_stream_options_init(nax_stream_options *opts, unsigned int version);

/**
 * @brief Create a stream. Nothing is sent until nax_stream_start().
 * @param out receives the stream, owned by the caller (nax_stream_free()).
 * @param opts the options; copied (the client is borrowed).
 * @return 0; #NAX_EINVAL with the field for a missing or malformed URL or
 *         out-of-range values; #NAX_EVERSION; #NAX_ESTATE without
 *         nax_global_init(); #NAX_ENOMEM.
 */
NAX_API int nax_stream_new(nax_stream **out, const nax_stream_options *opts);

/**
 * @brief Add channels to the wanted set: `ticker:{pair}`, `trades:{pair}`,
 * `book:{pair}`, `orders`, `balances`, `fills`. Before nax_stream_start()
 * they are subscribed on connect; afterwards at once. Channels already
 * wanted are ignored. Thread-safe.
 * @return 0; #NAX_EINVAL naming the malformed channel (nothing added);
 *         #NAX_ESTATE after the stream closed; #NAX_ELIMIT when the command
 *         queue is full; #NAX_ENOMEM. A channel the server refuses, or one
 *         the stream runs out of memory setting up later, is reported through
 *         on_state (#NAX_STREAM_REASON_SUBSCRIBE_FAILED) and dropped.
 */
NAX_API int nax_stream_subscribe(nax_stream *stream, const char *const *channels, size_t count);

/**
 * @brief Remove channels from the wanted set (and their local books).
 * Thread-safe. @return as nax_stream_subscribe().
 */
NAX_API int nax_stream_unsubscribe(nax_stream *stream, const char *const *channels, size_t count);

/**
 * @brief Start connecting. In thread mode this starts the library's thread.
 * @return 0; #NAX_ESTATE when already started or closed; #NAX_ENOMEM;
 *         #NAX_ERROR when the thread cannot be created.
 */
NAX_API int nax_stream_start(nax_stream *stream);

/**
 * @brief External mode: do the pending work (read, write, timers,
 * callbacks), waiting up to @p timeout_ms for something to happen (0: do
 * not wait).
 * @return 0; #NAX_EUSER when a callback stopped the stream; #NAX_ESTATE when
 *         the stream is not in external mode, not started or closed;
 *         #NAX_ERECURSIVE from a callback.
 */
NAX_API int nax_stream_service(nax_stream *stream, int timeout_ms);

/** @brief A descriptor to poll, with the `poll()` event bits. */
typedef struct nax_stream_pollfd {
    int fd;        /**< the descriptor */
    short events;  /**< `POLLIN`/`POLLOUT` wanted */
    short revents; /**< filled by the caller's poll() for nax_stream_service_fds() */
} nax_stream_pollfd;

/**
 * @brief External mode: the descriptors the stream waits on and the longest
 * the caller may wait before calling nax_stream_service_fds() again.
 * @param stream the stream.
 * @param fds receives up to @p capacity descriptors.
 * @param capacity entries at @p fds.
 * @param count receives how many there are (may exceed @p capacity, then
 *        #NAX_EBUFSIZE is returned and nothing else changes).
 * @param timeout_ms receives the wait limit in ms (never negative).
 * @return 0; #NAX_EBUFSIZE; #NAX_ESTATE as for nax_stream_service().
 */
NAX_API int nax_stream_pollfds(nax_stream *stream, nax_stream_pollfd *fds, size_t capacity,
                               size_t *count, int *timeout_ms);

/**
 * @brief External mode: handle the descriptors poll() reported (their
 * @c revents), and any timer that is due. Call it also when poll() timed
 * out (with @p count 0).
 * @return as nax_stream_service().
 */
NAX_API int nax_stream_service_fds(nax_stream *stream, const nax_stream_pollfd *fds, size_t count);

/**
 * @brief Close the connection for good: the stream goes CLOSED
 * (#NAX_STREAM_REASON_STOPPED) and the library's thread, if any, ends.
 * Thread-safe; returns without waiting (nax_stream_free() waits).
 * @return 0; #NAX_EINVAL for NULL.
 */
NAX_API int nax_stream_stop(nax_stream *stream);

/**
 * @brief Stop (if needed), wait for the library's thread, and free the
 * stream and its books. NULL is a no-op. No other thread may use the stream
 * during or after the call; from a callback it does nothing.
 */
NAX_API void nax_stream_free(nax_stream *stream);

/** @brief The connection's state now. Thread-safe. */
NAX_API nax_stream_state nax_stream_state_get(nax_stream *stream);

/** @brief Counters, for monitoring. */
typedef struct nax_stream_stats {
    size_t struct_size;           /**< set by the caller: sizeof(nax_stream_stats) */
    uint64_t messages;            /**< messages received */
    uint64_t bytes;               /**< message bytes received */
    uint64_t connects;            /**< connections established */
    uint64_t resyncs;             /**< book resyncs started */
    uint64_t gaps;                /**< seq gaps seen */
    uint64_t checksum_mismatches; /**< checksum mismatches seen */
    uint64_t lagging;             /**< `lagging` notices from the server */
    uint64_t catchup_events;      /**< events delivered from the REST catch-up */
} nax_stream_stats;

/**
 * @brief Read the counters. Thread-safe.
 * @return 0; #NAX_EINVAL; #NAX_EVERSION when `out->struct_size` is too small.
 */
NAX_API int nax_stream_stats_get(nax_stream *stream, nax_stream_stats *out);

/** @brief The top of a local book. */
typedef struct nax_book_top {
    size_t struct_size; /**< set by the caller: sizeof(nax_book_top) */
    uint64_t seq;       /**< the book's sequence number */
    int live;           /**< non-zero when consistent with the server (not resyncing) */
    int has_bid;        /**< non-zero when the bid side has a level */
    nax_book_level bid; /**< best bid: price and quantity */
    int has_ask;        /**< non-zero when the ask side has a level */
    nax_book_level ask; /**< best ask */
    size_t bid_levels;  /**< levels on the bid side */
    size_t ask_levels;  /**< levels on the ask side */
} nax_book_top;

/** * @brief Best bid and ask of a subscribed book. Thread-safe (a consistent
 * reading: never half of an update). Writes no more than `out->struct_size`
 * bytes, which must reach at least the member @c ask, and sets it to the
 * bytes written.
 * @return 0; #NAX_ENOTFOUND when @p pair has no book (not subscribed, or no
 *         snapshot yet); #NAX_EINVAL; #NAX_EVERSION when `out->struct_size`
 *         does not reach @c ask.
 */
NAX_API int nax_stream_book_top(nax_stream *stream, const char *pair, nax_book_top *out);

/**
 * @brief A consistent copy of a subscribed book, up to @p depth levels per
 * side (0: all), in the shape of `GET /v1/markets/{pair}/orderbook` with the
 * book's seq and checksum. Thread-safe.
 * @param stream the stream.
 * @param pair the market.
 * @param depth levels per side, 0 for all.
 * @param out receives the copy, owned by the caller (nax_object_free()).
 * @return 0; #NAX_ENOTFOUND as for nax_stream_book_top(); #NAX_EINVAL; #NAX_ENOMEM.
 */
NAX_API int nax_stream_book_copy(nax_stream *stream, const char *pair, size_t depth,
                                 nax_order_book **out);

NAX_END_DECLS

#endif /* NAX_STREAM_H */

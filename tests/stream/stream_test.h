/*
 * Helpers of the stream tests: a recorder behind every callback (events,
 * trades, orders, fills, balances, tickers, book changes) that a test waits
 * on with a deadline, streams made for a naxd of the harness, and market
 * activity over REST.
 */
#ifndef NAX_TESTS_STREAM_STREAM_TEST_H
#define NAX_TESTS_STREAM_STREAM_TEST_H

#include <check.h>
#include <pthread.h>

#include "../client/client_test.h"

typedef enum rec_kind {
    REC_TICKER = 1,
    REC_TRADE = 2,
    REC_BOOK = 3,
    REC_ORDER = 4,
    REC_BALANCE = 5,
    REC_FILL = 6
} rec_kind;

typedef struct rec_event {
    nax_stream_state state;
    nax_stream_reason reason;
    char channel[64];
    int error;
    unsigned int attempt;
    uint64_t delay_ms;
} rec_event;

typedef struct rec_item {
    rec_kind kind;
    char id[64];    /* trade, order or fill id; asset; pair for tickers and books */
    char other[64]; /* a fill's order id */
    unsigned int flags;
    int status;   /* orders */
    uint64_t seq; /* books, tickers */
    int snapshot; /* books */
} rec_item;

#define REC_MAX_EVENTS 1024
#define REC_MAX_ITEMS  20000

typedef struct recorder {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    rec_event events[REC_MAX_EVENTS];
    size_t nevents;
    rec_item *items;
    size_t nitems;
    int stop_after_books; /* > 0: the callback of that many-th book change returns 1 */
    size_t books;
    nax_stream *stream; /* set by the test: callbacks try to re-enter it */
    int reentry_rc[3];  /* service, service_fds, pollfds-free check from a callback */
    int reentry_checked;
} recorder;

/* A recorder that lives until stream_test_cleanup(), so a stream left
 * running by a failed assertion never calls into freed memory. */
recorder *rec_new(void);
nax_stream_callbacks rec_callbacks(recorder *r);

/* Index of the first event at or after `from` matching state (-1: any) and
 * reason (-1: any) and channel (NULL: any), or -1. */
long rec_find(recorder *r, size_t from, nax_stream_state state, int reason, const char *channel);
/* Events matching as rec_find, all of them. */
size_t rec_count_events(recorder *r, nax_stream_state state, int reason, const char *channel);
size_t rec_events(recorder *r);
/* Items of a kind with this id (NULL: any) whose flags contain `flags` (0: any). */
size_t rec_count(recorder *r, rec_kind kind, const char *id, unsigned int flags);
/* Items of a kind with exactly these flags. */
size_t rec_count_exact(recorder *r, rec_kind kind, const char *id, unsigned int flags);

/* Wait until rec_find(...) >= 0 or `timeout_ms` passes. With `drive` (an
 * external-mode stream) the wait services it; otherwise it sleeps on the
 * recorder's condition. Returns the index or -1. */
long rec_wait_event(recorder *r, nax_stream *drive, size_t from, nax_stream_state state, int reason,
                    const char *channel, int timeout_ms);
/* Wait until rec_count(kind, id, flags) >= n. Returns 1 or 0. */
int rec_wait_count(recorder *r, nax_stream *drive, rec_kind kind, const char *id,
                   unsigned int flags, size_t n, int timeout_ms);
/* Wait until rec_count_events(state, reason, channel) >= n. Returns 1 or 0. */
int rec_wait_events(recorder *r, nax_stream *drive, nax_stream_state state, int reason,
                    const char *channel, size_t n, int timeout_ms);
/* Wait until `pred(arg)` is true; `pred` runs without the recorder's lock. */
int rec_wait_until(recorder *r, nax_stream *drive, int (*pred)(void *arg), void *arg,
                   int timeout_ms);

/* A stream of `srv` for `client` (may be NULL: public only) with the
 * recorder's callbacks and test timings (ping 200 ms). `adjust` may change
 * the options before the stream is made. Fails the test on error. */
nax_stream *stream_for(naxh_server *srv, nax_client *client, recorder *r, nax_stream_mode mode,
                       void (*adjust)(nax_stream_options *o));
void subscribe_or_fail(nax_stream *s, const char *const *channels, size_t count);
/* Frees a stream made by stream_for (or nax_stream_new in a test, after
 * stream_track). */
void stream_free(nax_stream *s);
void stream_track(nax_stream *s);
/* In teardown: frees the streams a failed test left, then the recorders. */
void stream_test_cleanup(void);

/* The market most tests trade in: naxd (with config overrides, or NULL), a
 * buyer funded with AUD, a seller funded with BTC, and a client without
 * credentials; and its teardown (stream_test_cleanup included). */
void market_start(naxh_server *srv, const char *overrides, naxh_user *buyer, naxh_user *seller,
                  nax_client **anon);
void market_stop(naxh_server *srv, naxh_user *buyer, naxh_user *seller, nax_client **anon);

/* Limit orders over REST. */
void place_limit(nax_client *c, const char *pair, nax_side side, const char *price, const char *qty,
                 char *id_out, size_t id_size);

/* The local copy equals the server's book (GET orderbook, all levels) and
 * both carry the same seq and checksum. */
int book_equals_server(nax_stream *s, nax_client *rest, const char *pair, char *why,
                       size_t why_size);

#endif /* NAX_TESTS_STREAM_STREAM_TEST_H */

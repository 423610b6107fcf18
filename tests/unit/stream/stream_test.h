/* Shared helpers of the server/stream tests: a real naxd_http serving the
 * stream on 127.0.0.1:0 in its own thread with fake app hooks, publishing
 * on the app thread, a small hand-written WebSocket client, and a naive
 * order book to check the stream's books against. */
#ifndef NAX_TEST_STREAM_TEST_H
#define NAX_TEST_STREAM_TEST_H

#include <check.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "stream/stream.h"
#include <nax/codec.h>
#include <nax/error.h>

/* An assertion for hot loops: Check records every ck_assert (a write to
 * its log), which makes loops over 100k levels crawl. */
#define MUST(cond)                                                                                 \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond);                                  \
    } while (0)

/* ---- the server ---- */

typedef struct stream_server {
    naxd_http *h;
    naxd_stream *s;
    pthread_t thread;
    int port;
} stream_server;

/* Starts naxd_http with the stream (limits may be NULL) on 127.0.0.1:0. */
void ss_start(stream_server *ss, const naxd_stream_limits *limits);
/* Stops the server, frees it (closing open connections), then the stream. */
void ss_stop(stream_server *ss);
/* Runs fn(arg) on the app thread and waits for it. */
void ss_call(stream_server *ss, void (*fn)(void *arg), void *arg);
/* The server's metrics text (Prometheus), malloc'd. */
char *ss_metrics(stream_server *ss);
/* naxd_stream_connections() read on the app thread. */
size_t ss_connections(stream_server *ss);
/* Waits (up to 10 s) until the stream counts n connections. */
void ss_wait_connections(stream_server *ss, size_t n);

/* ---- the fake app ---- */

/* Tokens: "good" (user 7) and "good8" (user 8) lapse after token_ttl_ms;
 * "expired" is refused with token_expired, anything else with
 * invalid_token. API key "key7" with any signature is user 7 and does not
 * lapse. Markets: BTC-AUD, ETH-AUD, XRP-AUD. */
extern int64_t token_ttl_ms;
/* The balances snapshot of user u holds one balance of asset "U<u>". */
extern int private_snapshots; /* calls of the hook */
int64_t test_now_ms(void);

/* ---- publishing on the app thread (each returns the call's result) ---- */

nax_book_level lv(const char *price, const char *qty);
int pub_reset(stream_server *ss, const char *pair, uint64_t seq, const nax_book_level *bids,
              size_t nb, const nax_book_level *asks, size_t na);
int pub_update(stream_server *ss, const char *pair, uint64_t seq, const nax_book_level *bids,
               size_t nb, const nax_book_level *asks, size_t na);
int pub_ticker(stream_server *ss, const char *pair, uint64_t seq, const char *bid);
int pub_trade(stream_server *ss, const char *pair, const char *id, const char *price);
int pub_balance(stream_server *ss, uint64_t user, const char *asset, const char *total);
int pub_order(stream_server *ss, uint64_t user, const char *id);
int pub_fill(stream_server *ss, uint64_t user, const char *id);
int pub_inject(stream_server *ss, const naxd_stream_fault *f);
/* naxd_stream_revoke; the fake hook names a credential by its token or key id. */
void pub_revoke(stream_server *ss, uint64_t user, const char *credential);

/* ---- the WebSocket client ---- */

typedef struct ws_client {
    int fd;
    unsigned char *buf; /* bytes read, not yet parsed */
    size_t len, cap;
    int eof;          /* the TCP connection ended */
    int got_close;    /* a close frame came */
    int close_code;   /* its code */
    int auto_pong;    /* answer pings (default) */
    int pings;        /* pings seen */
    int stop_on_ping; /* ws_recv_text returns NULL after a ping */
} ws_client;

/* Connects and upgrades (asserting 101). rcvbuf > 0 sets SO_RCVBUF first. */
/* A connection to 127.0.0.1:port with the upgrade request sent; -1 when
 * sending failed (the server closed). rcvbuf > 0 sets SO_RCVBUF. */
int ws_dial(int port, int rcvbuf);
void ws_open(ws_client *c, int port, int rcvbuf);
void ws_close(ws_client *c);
/* One frame, masked as a client must. */
void ws_send_frame(ws_client *c, int opcode, int fin, const void *data, size_t len);
void ws_send_text(ws_client *c, const char *text);
/* Bytes as they are, already framed (several frames in one write). */
void ws_send_raw(ws_client *c, const void *data, size_t len);
/* Frames text as one masked text frame into out (for ws_send_raw). */
size_t ws_frame(unsigned char *out, size_t cap, int opcode, int fin, const void *data, size_t len);
/* The server frame at buf[0..len): 1 with its opcode, FIN bit, payload offset
 * and length when it is all there; 0 when more bytes are needed (with the
 * offset and length its header announces once the header is whole, else 0). */
int ws_parse_frame(const unsigned char *buf, size_t len, int *opcode, int *fin, size_t *off,
                   size_t *plen);
/* The next text message (fragments joined), malloc'd; NULL when the
 * connection closed or timeout_ms passed. */
char *ws_recv_text(ws_client *c, int timeout_ms);
/* 1 once the server closed (close frame or EOF) within timeout_ms;
 * messages arriving first are discarded. */
int ws_wait_closed(ws_client *c, int timeout_ms);

/* ---- reading messages ---- */

/* The next message within 5 s, asserting it comes; malloc'd. */
char *next_text(ws_client *c);
/* The next message, asserting it is an ack of id (op, ok as given). The
 * error code of a failed ack is returned (malloc'd) or NULL. */
char *expect_ack(ws_client *c, uint64_t id, nax_stream_op_kind op, int ok);
/* The next message, asserting it is a published message (not an ack). */
nax_stream_message *expect_message(ws_client *c);
/* Like expect_message, also asserting its channel and type. */
nax_stream_message *expect_on(ws_client *c, const char *channel, nax_stream_msg_type type);
/* Sends a ping op with id and asserts that its ack is the next message:
 * nothing else was queued before it. */
void expect_quiet(ws_client *c, uint64_t id);

/* ---- a naive order book (the model) ---- */

typedef struct model_book {
    nax_book_level *bids, *asks; /* best first */
    size_t nb, na, cap_b, cap_a;
} model_book;

void model_free(model_book *m);
void model_set(model_book *m, const nax_book_level *bids, size_t nb, const nax_book_level *asks,
               size_t na);
/* Applies levels of one side (quantity 0 removes), matching by numeric price. */
void model_apply(model_book *m, int bid, const nax_book_level *levels, size_t n);
uint32_t model_checksum(const model_book *m);
/* Asserts both hold the same levels (numerically). */
void model_assert_equal(const model_book *m, const nax_book_level *bids, size_t nb,
                        const nax_book_level *asks, size_t na);

#endif

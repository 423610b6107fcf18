/*
 * A scripted stand-in for naxd, for what naxd does not do on demand: a
 * server error on a subscribed channel, a refused unsubscribe, two changes
 * of an order in one millisecond, a REST outage during a catch-up. One
 * thread on 127.0.0.1 (an ephemeral port) serves WebSocket upgrades (each
 * op decoded and handed to the test's on_op) and plain HTTP requests (the
 * test's on_http writes the answer). The handlers run on the server's
 * thread with the server's lock held; fake_lock() takes the same lock, so a
 * test reads its script's state consistently.
 */
#ifndef NAX_TESTS_STREAM_FAKE_SERVER_H
#define NAX_TESTS_STREAM_FAKE_SERVER_H

#include <nax.h>

typedef struct fake_server fake_server;
typedef struct fake_conn fake_conn;

typedef struct fake_handlers {
    /* An op from a stream connection. */
    void (*on_op)(fake_conn *c, const nax_stream_op *op, void *ud);
    /* A REST request ("GET", "/v1/orders?limit=100"): writes a JSON body
     * (NUL-terminated) and returns the HTTP status. NULL: 404. */
    int (*on_http)(const char *method, const char *target, char *body, size_t size, void *ud);
    void *ud;
} fake_handlers;

/* Starts the server; fails the test when it cannot. */
fake_server *fake_start(const fake_handlers *h);
int fake_port(const fake_server *f);
/* Stops the thread and closes every connection. NULL is a no-op. */
void fake_stop(fake_server *f);
void fake_lock(fake_server *f);
void fake_unlock(fake_server *f);
/* Non-zero on the server's thread (f may be NULL: 0). */
int fake_on_server_thread(const fake_server *f);

/* The newest stream connection, or NULL. Connections live until fake_stop. */
fake_conn *fake_stream_conn(fake_server *f);
/* Stream connections accepted so far. */
int fake_stream_conns(fake_server *f);
/* Which stream connection c is: 1 for the first. */
int fake_conn_number(const fake_conn *c);

/* A text frame (no-op once the connection is closed). Any thread. */
void fake_send(fake_conn *c, const char *json);
void fake_sendf(fake_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The ack of op: ok when code is NULL, else refused with code (and field). */
void fake_ack(fake_conn *c, const nax_stream_op *op, const char *code, const char *field);
/* Closes the socket without a close frame (the client sees 1006). */
void fake_drop(fake_conn *c);

/* Channels the connection holds, as naxd would track them. */
int fake_subscribed(const fake_conn *c, const char *channel);
void fake_set_subscribed(fake_conn *c, const char *channel, int on);

#endif /* NAX_TESTS_STREAM_FAKE_SERVER_H */

/*
 * A minimal WebSocket client (RFC 6455) over a plain TCP socket, enough for a
 * load generator: a blocking connect and upgrade, then non-blocking reads
 * that hand over each complete text message, masked text frames out, pongs
 * for pings. No TLS, no extensions. Not part of libnax: the load client must
 * cost as little as possible so that the server is what gets measured.
 */
#ifndef NAX_BENCH_WS_CLIENT_H
#define NAX_BENCH_WS_CLIENT_H

#include <stddef.h>

typedef struct wsc {
    int fd;
    int closed;        /* a close frame arrived, or the socket ended */
    int close_code;    /* the close frame's code, 0 when none */
    unsigned char *rx; /* bytes read, not yet parsed */
    size_t rx_len, rx_cap;
    unsigned char *msg; /* a fragmented message being assembled */
    size_t msg_len, msg_cap;
    int in_fragment;
} wsc;

/* Called for every complete text or binary message; data is not
 * NUL-terminated and is valid only during the call. */
typedef void (*wsc_message_fn)(wsc *c, const char *data, size_t len, void *user);

/* Connects to host:port, sends the upgrade for path and checks the 101
 * answer. Blocking; the socket is non-blocking afterwards. 0, or -1 with a
 * message on stderr. */
int wsc_connect(wsc *c, const char *host, int port, const char *path);
/* Sends one masked text frame (waits while the socket is full). 0 or -1. */
int wsc_send_text(wsc *c, const char *text, size_t len);
/* Reads what the socket has and calls fn per message. 0 while open, -1 once
 * closed or failed (c->closed set). */
int wsc_read(wsc *c, wsc_message_fn fn, void *user);
void wsc_close(wsc *c);

#endif

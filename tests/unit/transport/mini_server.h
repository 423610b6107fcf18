/*
 * A tiny scripted HTTP/1.1 server for the transport tests: it accepts on
 * 127.0.0.1 (ephemeral port), reads one request at a time per connection,
 * records it, and answers with the next scripted reply (or, when the script
 * is empty, 200 with the request target as the body). Connections stay
 * alive unless a reply says otherwise. Uses the C library's allocator, never
 * libnax's, so allocation counting in tests sees only the client.
 */
#ifndef NAX_TEST_MINI_SERVER_H
#define NAX_TEST_MINI_SERVER_H

#include <stddef.h>

typedef enum mini_action {
    MINI_ANSWER, /* send the reply (after delay_ms) */
    MINI_CLOSE,  /* read the request, then close without a byte */
    MINI_RESET,  /* read the request, then reset the connection (RST) */
    MINI_STALL   /* read the request, then say nothing until the peer or server goes */
} mini_action;

typedef struct mini_reply {
    mini_action action;
    int status;            /* 0: 200 */
    const char *headers;   /* extra header lines, each ending in "\r\n", or NULL */
    const char *body;      /* or NULL: empty */
    size_t body_len;       /* 0: strlen(body) */
    int echo_target;       /* the body is the request target */
    const char *raw;       /* sent verbatim instead of a built reply, or NULL */
    unsigned int delay_ms; /* wait before answering; cut short when the server stops */
    int close_after;       /* "Connection: close", then close */
} mini_reply;

typedef struct mini_request {
    char method[16];
    char target[1024];
    char *headers; /* the raw header block after the request line */
    char *body;    /* NUL-terminated copy, body_len bytes */
    size_t body_len;
} mini_request;

typedef struct mini_server mini_server;

/* NULL when the socket cannot be set up. */
mini_server *mini_start(void);
/* Closes every connection and joins every thread. */
void mini_stop(mini_server *s);

const char *mini_url(const mini_server *s); /* "http://127.0.0.1:<port>" */
int mini_port(const mini_server *s);

/* Queues a reply (copied) for the next request on any connection. */
void mini_push(mini_server *s, const mini_reply *r);

size_t mini_request_count(mini_server *s);
/* A copy of the i-th request (0-based); 0 when it exists. Free with mini_request_free. */
int mini_request_at(mini_server *s, size_t i, mini_request *out);
void mini_request_free(mini_request *r);
/* The value of header `name` (case-insensitive) in a recorded request, copied to
 * `out`; NULL when absent. */
const char *mini_request_header(const mini_request *r, const char *name, char *out, size_t size);

/* Connections accepted so far. */
unsigned int mini_connections(mini_server *s);

/* A port on 127.0.0.1 nothing listens on (bound, then closed). */
int mini_closed_port(void);

#endif /* NAX_TEST_MINI_SERVER_H */

/* Shared helpers of the server/http tests: a test app (route table and
 * handlers), a server on 127.0.0.1:0 running in its own thread, a way to run
 * code on that app thread, and clients (libcurl, raw sockets). */
#ifndef NAX_TEST_HTTP_TEST_H
#define NAX_TEST_HTTP_TEST_H

#include <check.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "http/http.h"
#include "http/ratelimit.h"

/* ---- the server ---- */

typedef struct test_server {
    naxd_http *h;
    pthread_t thread;
    int port;
    atomic_int returned;   /* naxd_http_run() came back */
    pthread_t app_thread;  /* the thread running naxd_http_run() */
    atomic_int dispatched; /* calls of the dispatch hook, when installed */
} test_server;

/* Options with the test routes, 127.0.0.1:0 and app = the test_server. */
naxd_http_options test_options(test_server *s);
/* Creates (must succeed) and runs the server in a new thread. */
void server_start(test_server *s, const naxd_http_options *o);
/* Asks for a stop, waits for run() to return, frees. */
void server_stop(test_server *s);
/* Waits for run() to return (after a stop), then frees. */
void server_join(test_server *s);
/* The dispatch hook: counts, labels the user, then calls the handler. */
void test_dispatch(naxd_req *req, const naxd_route *route, void *app);

/* Runs fn(arg) on the app thread through naxd_http_post and waits for it. */
void app_call(test_server *s, void (*fn)(void *arg), void *arg);

/* The request parked by GET /v1/hold: waits until `count` requests have been
 * parked in total and returns the last one. */
naxd_req *held_wait(int count);
int held_count(void);
/* Posted to the app thread: answers a parked request with 200 "held". */
void reply_held(void *req);

/* The limiter of GET /v1/limited (keyed by peer), set by the test. */
extern naxd_limiter *test_limiter;

/* Bytes of GET /v1/big and the checksum used by POST /v1/sum. */
#define BIG_BODY_LEN (3 * 1024 * 1024 + 17)
unsigned char big_byte(size_t i);
unsigned long body_checksum(const unsigned char *p, size_t n);

/* ---- libcurl ---- */

typedef struct response {
    CURLcode rc;
    long status;
    long connects; /* new connections this transfer opened */
    char *body;    /* NUL-terminated */
    size_t len;
    char head[16384];
    size_t head_len;
} response;

/* One request; c may be a handle kept for keep-alive, or NULL for a fresh
 * one. headers is NULL-terminated ("Name: value"). */
void http_request(CURL *c, int port, const char *method, const char *path, const char *body,
                  size_t body_len, const char *const *headers, response *out);
void response_free(response *r);
/* The value of a response header (last one wins), copied into buf; NULL if absent. */
const char *resp_header(const response *r, const char *name, char *buf, size_t cap);
/* In a "key=value\n" body from the echo handler: the value for key, or NULL. */
const char *echo_value(const char *body, const char *key, char *buf, size_t cap);

/* ---- raw sockets ---- */

int raw_connect(int port);
void raw_send(int fd, const void *data, size_t len);
void raw_send_str(int fd, const char *s);
/* Reads one response (head, then Content-Length bytes unless head_only).
 * Returns the status, or -1 when the connection closed (or 5 s passed)
 * before a full head. *len gets the bytes read. */
int raw_response(int fd, char *buf, size_t cap, size_t *len, int head_only);
/* 1 when the peer closes (EOF or reset) within timeout_ms, reading and
 * discarding whatever comes first. */
int raw_closed(int fd, int timeout_ms);
/* strstr, ignoring ASCII case. */
const char *find_nocase(const char *hay, const char *needle);

#endif

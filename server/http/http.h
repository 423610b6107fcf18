/*
 * naxd HTTP front end on libwebsockets: one service thread (the "app
 * thread") runs every lws callback, route handler, posted function and timer,
 * so app state needs no locks. HTTP/1.1 (keep-alive) and, later, the
 * WebSocket stream share one port; TLS through OpenSSL when a certificate is set.
 *
 * A naxd_req lives from the complete request (headers + body) until its reply
 * has been written. A handler either replies at once, or keeps the pointer and
 * replies later on the app thread (after a commit or a worker job). If the
 * client goes away first, the request stays valid until replied to; the reply
 * is then discarded.
 *
 * The framework answers by itself: unknown path 404 `not_found`, known path
 * with another method 405 `method_not_allowed`, body over the route's limit 413
 * `payload_too_large`, headers too large 431, too many connections (closed),
 * slow clients (timed out), and, while draining for shutdown, 503. Every reply
 * carries X-Request-Id (echoed when the client sent a sane one, else generated)
 * and produces one JSON access-log line.
 *
 * Other framework answers: a POST/PUT/PATCH without Content-Length, or any
 * Transfer-Encoding (lws 4.1 cannot read chunked request bodies), gets 411
 * `length_required`; a malformed Content-Length or control bytes in the
 * decoded path or query get 400 `invalid_request`; HEAD and OPTIONS get 405.
 * Malformed percent-encoding in the request line is refused by lws itself
 * (403, no access-log line). The 431 counts the headers lws knows plus the
 * named custom ones (see extra_headers); a head beyond twice the limit
 * overflows lws's header table and the connection is closed without a reply.
 *
 * What lws hands us is already percent-decoded and normalised ("//" and dot
 * segments folded, "+" in the query read as a space), so the request target is
 * rebuilt, see naxd_req_target().
 *
 * Threading: everything here runs on the app thread, except naxd_http_post(),
 * naxd_http_stop(), naxd_http_stopping(), naxd_http_inflight(), the metrics
 * updates and naxd_http_work()'s work function.
 */
#ifndef NAXD_HTTP_H
#define NAXD_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <nax/types.h>

struct lws_protocols;

typedef struct naxd_http naxd_http;
typedef struct naxd_req naxd_req;

typedef enum naxd_method {
    NAXD_GET = 1,
    NAXD_POST = 2,
    NAXD_PUT = 3,
    NAXD_DELETE = 4,
    NAXD_PATCH = 5,
    NAXD_OTHER = 6
} naxd_method;

typedef struct naxd_route naxd_route;
typedef void (*naxd_handler_fn)(naxd_req *req, void *app);

/* A route. pattern segments in braces are parameters: "/v1/orders/{id}". */
struct naxd_route {
    naxd_method method;
    const char *pattern;
    const char *name; /* stable label for logs and metrics, e.g. "POST /v1/orders" */
    naxd_handler_fn handler;
    unsigned int flags; /* app-defined (auth, scope, rate class); opaque to http */
    size_t max_body;    /* 0 = the server default (1 MiB) */
};

typedef struct naxd_http_options {
    const char *listen_host; /* "127.0.0.1" */
    int port;                /* 0 = ephemeral; see naxd_http_port() */
    const char *tls_cert;    /* PEM paths; both or neither */
    const char *tls_key;
    const naxd_route *routes; /* borrowed for the server's lifetime */
    size_t routes_count;
    /* Called for every routed request, instead of route->handler, when set:
     * lets the app do auth, rate limits and fault injection in one place, then
     * call route->handler itself. */
    void (*dispatch)(naxd_req *req, const naxd_route *route, void *app);
    void *app;
    size_t max_body;             /* default for routes: 0 = 1 MiB */
    size_t max_header_bytes;     /* 0 = 8 KiB */
    unsigned int max_conns;      /* 0 = 1024 */
    unsigned int idle_timeout_s; /* keep-alive idle and slow-client timeout; 0 = 30 */
    int access_log;              /* non-zero: one JSON line per request on stdout */
    /* ---- optional, added for the stream (issue 5) and the app ---- */
    /* A WebSocket protocol served on ws_path on the same port. Its callback
     * gets every WebSocket reason for those connections, whether or not the
     * client names the protocol in Sec-WebSocket-Protocol, with its
     * per_session_data_size. Borrowed for the server's lifetime. An Upgrade on
     * another path, or while stopping, is refused (connection closed). The
     * callback may use lws_get_context()/lws_context_user() to reach the
     * naxd_http; it must not use lws_set_opaque_user_data() on the wsi (http
     * keeps its connection record there). */
    const struct lws_protocols *ws_protocol;
    const char *ws_path; /* NULL = "/v1/stream" */
    /* Extra request header names (lower case) that naxd_req_header() must
     * see, beyond those lws knows and the built-in list (authorization,
     * x-nax-apikey, x-nax-timestamp, x-nax-signature, idempotency-key,
     * webhook-id, webhook-timestamp, webhook-signature, x-nax-fault,
     * x-request-id). lws stores unknown headers only by name, so they must be
     * named to be read. NULL-terminated; borrowed during naxd_http_new(). */
    const char *const *extra_headers;
    /* Called once the headers are in and the route is known, before the body
     * is read: lets the app refuse unauthenticated or throttled callers
     * before their body takes memory. Returns 0 to go on, or an HTTP status
     * (with *code and *message, static strings) to refuse; the connection is
     * then closed. Optional. */
    int (*admit)(naxd_req *req, const naxd_route *route, void *app, const char **code,
                 const char **message);
    /* Bytes of request bodies held at once across all connections; a request
     * that would go over it is refused 503 before its body is read. 0 = 64 MiB. */
    size_t max_body_total;
    /* The clock behind each response's Date header (ms since the epoch), so
     * clients can measure their offset from it; NULL = the wall clock. */
    int64_t (*now_ms)(void *app);
} naxd_http_options;

/* Creates the lws context and listens. NAX_EIO / NAX_EINVAL with message.
 * The options (and the strings they point to) are copied, except routes and
 * ws_protocol which are borrowed. */
int naxd_http_new(naxd_http **out, const naxd_http_options *opts);
/* The bound port (useful after port 0). */
int naxd_http_port(const naxd_http *h);
/* Services until naxd_http_stop() was called AND no request is in flight (or
 * the 10 s drain deadline passed). Returns 0. Call from the thread that is
 * to be the app thread; it may differ from the one that called new(). */
int naxd_http_run(naxd_http *h);
/* After naxd_http_run() returned: keep servicing the open connections
 * (pending writes, close handshakes) until done(arg) is non-zero or
 * timeout_ms passed; app thread. Lets WebSocket close frames go out at
 * shutdown. 0 when done, NAX_ETIMEOUT otherwise. */
int naxd_http_flush(naxd_http *h, int timeout_ms, int (*done)(void *arg), void *arg);
/* Async-signal-safe and thread-safe: stop accepting, answer new requests on
 * open connections with 503, finish in-flight ones, then make run() return. */
void naxd_http_stop(naxd_http *h);
int naxd_http_stopping(const naxd_http *h);
/* Requests received (headers read) and not yet answered: a request counts
 * until its reply is completely written, or until the app replied to it
 * after its client went away. */
size_t naxd_http_inflight(const naxd_http *h);
/* Closes every connection. Requests the app still holds are freed too: the
 * app must not touch them afterwards. Functions still queued by
 * naxd_http_post() and naxd_http_after() are dropped without running. Stops
 * the worker threads (a running job finishes first; queued jobs are dropped). */
void naxd_http_free(naxd_http *h);

/* Run fn(arg) on the app thread soon (in posting order). Thread-safe and
 * never fails: should memory for the queue run out, a poster on another
 * thread waits for room, and on the app thread fn runs at once. Usable as
 * naxd_post_fn with post_ctx = the naxd_http. */
void naxd_http_post(void *http, void (*fn)(void *arg), void *arg);
/* After naxd_http_run() returned: run the posted functions queued so far,
 * waiting up to timeout_ms for one to arrive. Lets the app wait for the
 * store's last commit callbacks during shutdown. Returns how many ran. */
int naxd_http_service_posts(naxd_http *h, int timeout_ms);
/* Run fn(arg) on the app thread after delay_ms (one shot). App thread (or
 * before run()). 0 or NAX_ENOMEM. */
int naxd_http_after(naxd_http *h, uint64_t delay_ms, void (*fn)(void *arg), void *arg);

/* ---- the request ---------------------------------------------------------- */

naxd_method naxd_req_method(const naxd_req *r);
/* The method as sent, upper case ("GET"), as signatures and logs spell it. */
const char *naxd_req_method_name(const naxd_req *r);
const naxd_route *naxd_req_route(const naxd_req *r);
/* Without the query, percent-decoded and normalised by lws ("/v1/a b"). */
const char *naxd_req_path(const naxd_req *r);
/* path + "?" + query as sent, rebuilt from lws's decoded parts: every byte
 * outside the RFC 3986 unreserved set (A-Z a-z 0-9 - . _ ~) is written as
 * %XX with upper-case hex, except "/" in the path, the first "=" of each query
 * parameter and the "&" between parameters (";" separators become "&").
 * Equal to the bytes sent whenever the client encoded that way, as
 * curl_easy_escape() does; a client that sends other bytes raw (",", ":",
 * "+" for space...) gets a different target, so a signature over its own
 * form will not match. No "?" when the request had no query. */
const char *naxd_req_target(const naxd_req *r);
/* Path parameter by name ("id"), percent-decoded; NULL if absent. A
 * parameter cannot contain "/" (lws decodes %2F before routing). */
const char *naxd_req_param(const naxd_req *r, const char *name);
/* Query parameter, percent-decoded; NULL if absent. The first when repeated. */
const char *naxd_req_query(const naxd_req *r, const char *name);
/* Calls fn for each query parameter (decoded); non-zero from fn stops and is returned. */
int naxd_req_foreach_query(const naxd_req *r,
                           int (*fn)(const char *name, const char *value, void *arg), void *arg);
/* Request header by case-insensitive name ("idempotency-key"); NULL if
 * absent or empty. Repeated known headers are joined with ","; of a repeated
 * unknown header the first is kept. See options.extra_headers. */
const char *naxd_req_header(const naxd_req *r, const char *name);
/* The raw body, NUL-terminated for convenience (len excludes the NUL). */
const char *naxd_req_body(const naxd_req *r, size_t *len);
const char *naxd_req_id(const naxd_req *r);
const char *naxd_req_peer(const naxd_req *r); /* client IP text */
int64_t naxd_req_start_ns(const naxd_req *r); /* monotonic receive time */
int naxd_req_is_tls(const naxd_req *r);

/* App data carried by the request (freed by the app; not by http). */
void naxd_req_set_user_label(naxd_req *r, const char *user); /* copied; for the access log */
void naxd_req_set_data(naxd_req *r, void *data);
void *naxd_req_data(const naxd_req *r);
/* Has the client connection gone away? Also notices a client that closed
 * its side while the request waits (a peek at the socket; not under TLS). */
int naxd_req_orphaned(const naxd_req *r);

/* ---- the reply (exactly one per request; app thread) ---------------------- */

/* The reply is queued and written from lws's writeable callback, never
 * inside these calls, so the request stays readable (data, id, ...) until
 * the current callback returns. A second reply is ignored. */

/* Extra response header for the coming reply (copied). NAX_EINVAL for a
 * name that is not a token or a value with CR, LF or NUL; NAX_ENOMEM. */
int naxd_req_add_header(naxd_req *r, const char *name, const char *value);
/* body may be NULL with len 0 (204). content_type NULL = application/json. */
void naxd_reply(naxd_req *r, int status, const char *content_type, const void *body, size_t len);
/* Encodes obj with nax_encode(); a 500 if encoding fails. */
void naxd_reply_json(naxd_req *r, int status, nax_type type, const void *obj);
/* {"error":{"code","message","field","request_id"}}; field may be NULL. */
void naxd_reply_error(naxd_req *r, int status, const char *code, const char *field, const char *fmt,
                      ...) __attribute__((format(printf, 5, 6)));
/* Fault injection: close the connection without a reply. */
void naxd_reply_drop(naxd_req *r);

/* ---- worker threads: slow CPU work (password hashing) off the app thread -- */

/* work(arg) runs on one of 2 worker threads, then done(arg) on the app
 * thread. Thread-safe. 0 or NAX_ENOMEM. */
int naxd_http_work(naxd_http *h, void (*work)(void *arg), void (*done)(void *arg), void *arg);

/* ---- metrics -------------------------------------------------------------- */

struct naxd_metrics;
struct naxd_limit;
/* The server's metric registry (http/metrics.h); the app adds its own metrics.
 * http registers naxd_http_requests_total{route,status},
 * naxd_http_request_duration_seconds{route} and naxd_http_connections; route
 * is the route's name, or "unmatched" for 404/405 and requests refused
 * before routing; status is "0" when no response was sent (reply_drop, a
 * slow body cut off, the client gone before the reply was written). */
struct naxd_metrics *naxd_http_registry(naxd_http *h);
/* RateLimit-Limit / -Remaining / -Reset, plus Retry-After when not allowed. */
void naxd_req_ratelimit_headers(naxd_req *r, const struct naxd_limit *l);

/* Prometheus text of the http metrics (requests by route and status, latency
 * histograms by route, open connections) and everything else in the
 * registry, appended to out. 0 or NAX_ENOMEM. */
int naxd_http_metrics(const naxd_http *h, nax_buf *out);

#endif /* NAXD_HTTP_H */

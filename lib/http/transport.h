/*
 * The libcurl transport of one client: a pool of easy handles sharing one
 * curl share handle (DNS, connections, TLS sessions), one request at a time
 * per handle. It knows nothing of retries, auth or JSON: a request goes in,
 * a status, headers of interest and a body come out. Thread-safe.
 */
#ifndef NAX_HTTP_TRANSPORT_H
#define NAX_HTTP_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "nax/common.h"

typedef struct nax__http nax__http;

typedef struct nax__http_config {
    const char *base_url;          /* "http://127.0.0.1:8080", no trailing slash */
    uint32_t connect_timeout_ms;   /* > 0 */
    int tls_insecure;              /* non-zero: no peer or host verification */
    const char *ca_path;           /* CA bundle file, or NULL */
    const char *pinned_public_key; /* CURLOPT_PINNEDPUBLICKEY value, or NULL */
    const char *proxy;             /* or NULL: no proxy, environment ignored */
    const char *user_agent;        /* full User-Agent value */
    unsigned int max_connections;  /* easy handles in the pool; callers beyond wait */
    size_t max_body;               /* largest response body accepted; 0: 64 MiB */
} nax__http_config;

/*
 * Copies every string. NAX_EINVAL for a base URL curl cannot use (only http
 * and https). Redirects are never followed. The environment's proxy variables
 * (http_proxy, HTTPS_PROXY, ...) are ignored: a proxy is used only when
 * `proxy` names one, so a partner's service is not surprised by its
 * environment. DNS answers and TLS sessions are shared by the pool's handles;
 * each handle keeps its own connection alive between requests (curl 7.88
 * does not support sharing one connection cache between concurrent threads).
 */
int nax__http_new(nax__http **out, const nax__http_config *cfg);
void nax__http_free(nax__http *h);

typedef struct nax__http_request {
    const char *method;         /* "GET", "POST", "PUT", "DELETE" */
    const char *target;         /* path and query, appended to the base URL as is */
    const char *const *headers; /* "Name: value" lines, or NULL */
    size_t headers_count;
    const void *body; /* or NULL */
    size_t body_len;
    uint32_t timeout_ms; /* the whole attempt; > 0 */
} nax__http_request;

typedef struct nax__http_response {
    int status;                /* HTTP status, 0 when no response arrived */
    nax_buf body;              /* the body (grown with the libnax allocator) */
    char request_id[96];       /* X-Request-Id, "" when absent */
    char content_type[64];     /* Content-Type, "" when absent */
    int64_t date_ms;           /* Date header as ms since the epoch, -1 when absent/bad */
    int64_t retry_after_ms;    /* Retry-After in delta-seconds form, in ms; -1 when absent */
    int64_t retry_after_at_ms; /* Retry-After in HTTP-date form, ms since the epoch; -1 */
    int64_t ratelimit_limit;   /* RateLimit-Limit, -1 when absent */
    int64_t ratelimit_remaining;
    int64_t ratelimit_reset_s;
    int sent;              /* the request may have reached the server: set once a
                              connection was ready and curl was about to send
                              (CURLOPT_PREREQFUNCTION), and for send/receive
                              failures; 0 for resolve, connect, TLS handshake
                              and pool-wait failures */
    uint64_t elapsed_us;   /* the transfer's time, from when a pooled handle was
                              obtained: local contention is not a slow server */
    uint64_t pool_wait_us; /* time spent waiting for a free pooled handle */
    int pool_timeout;      /* no handle came free in time: nothing was tried, and
                              the failure is local contention, not the server */
} nax__http_response;

/* Initialise (all "absent") before the first perform; dispose frees the body. */
void nax__http_response_init(nax__http_response *r);
void nax__http_response_dispose(nax__http_response *r);

/*
 * One attempt. Resets `resp` first (keeping its body buffer's memory).
 * The method is an upper-case token; a body is sent when given and for
 * POST, PUT and PATCH (empty then), never an `Expect:` header. Waiting for
 * a free handle counts against `timeout_ms`. Headers with CR or LF, and
 * targets not starting with '/' or holding controls or spaces, are NAX_EINVAL.
 * When a reused connection closes without a reply, curl sends the request
 * again on a new one; that is allowed for GET and HEAD only: other methods
 * fail with NAX_ENETWORK (sent = 1) and the caller's retry policy decides.
 * Returns 0 when a response arrived, whatever its status. Otherwise the
 * error is set and returned: NAX_ETIMEOUT (connect or total timeout),
 * NAX_ETLS (handshake, certificate, pin), NAX_ENETWORK (resolve, connect,
 * send, receive, reset), NAX_ELIMIT (body over max_body), NAX_ENOMEM,
 * NAX_EINVAL; transport failures are
 * marked transient. The error message names no header value or body.
 */
int nax__http_perform(nax__http *h, const nax__http_request *req, nax__http_response *resp);

/* "Sun, 06 Nov 1994 08:49:37 GMT" and the other RFC 9110 forms -> ms; -1. */
int64_t nax__http_parse_date(const char *value);

/* Appends `s` percent-encoded for a path segment or query value: every byte
 * outside A-Z a-z 0-9 - . _ ~ becomes %XX (upper-case hex). */
int nax__url_escape(nax_buf *out, const char *s);

#endif /* NAX_HTTP_TRANSPORT_H */

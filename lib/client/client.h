/*
 * The client's request pipeline, shared by lib/api (REST) and lib/shift
 * (GraphQL): one call = limiter, breaker, auth (refresh, signing with the
 * corrected clock), attempts with backoff and a budget, decode. Internal.
 */
#ifndef NAX_CLIENT_CLIENT_H
#define NAX_CLIENT_CLIENT_H

#include <pthread.h>
#include <stdint.h>

#include "core/core.h"
#include "http/transport.h"
#include "nax/api.h"
#include "nax/client.h"
#include "nax/types.h"
#include "resilience/resilience.h"

/* How a call authenticates. */
typedef enum nax__auth_mode {
    NAX__AUTH_NONE = 0,   /* public endpoint: send no credentials */
    NAX__AUTH_USER = 1,   /* Bearer when the client has a session, else API-key signature;
                             logs in first when it holds email and password */
    NAX__AUTH_REFRESH = 2 /* the refresh call itself: no credentials, no auto-refresh */
} nax__auth_mode;

/*
 * Called before a retry when the previous attempt's outcome is unknown (sent,
 * then a timeout, reset or 5xx). Return 1 when the operation turns out to
 * have happened (the resolver filled `*out` in the call's result type and
 * the call returns 0), 0 to send again, or a negative error (treated like a
 * failed attempt: it may be retried in turn).
 */
typedef int (*nax__resolve_fn)(nax_client *c, void *ctx, void *out);

typedef struct nax__call {
    const char *method; /* "GET", "POST", "PUT", "DELETE" */
    const char *route;  /* template for metrics and logs, e.g. "/v1/orders/{id}" */
    const char *target; /* the encoded path and query actually requested */
    nax_endpoint_group group;
    nax__auth_mode auth;
    nax_type request_type; /* NAX_TYPE_NONE: no body */
    const void *request;   /* object encoded as the body */
    const char *raw_body;  /* alternatively a ready JSON body (GraphQL); NULL: none */
    size_t raw_body_len;
    nax_type response_type;      /* NAX_TYPE_NONE: the body is ignored (204) */
    void *response;              /* a `T **` the decoded object goes to; may be NULL */
    nax_buf *response_raw;       /* when not NULL, the successful body is copied here instead
                                    of decoded */
    const char *idempotency_key; /* for POST; NULL: the pipeline makes one */
    nax__resolve_fn resolve;     /* optional: see above */
    void *resolve_ctx;
    int no_refresh_on_401; /* login and refresh themselves */
    uint64_t *attempt_us;  /* optional: the successful attempt's own duration */
} nax__call;

/*
 * Run a call. On success decodes into call->response (when both the type and
 * the pointer are set) and returns 0; on failure sets *response to NULL and
 * returns the error, with nax_error_last() holding the status, the server's
 * code and field (from the error body), the request id and the transient flag.
 */
int nax__client_call(nax_client *c, const nax__call *call);

/* Clock and randomness through the hooks. */
uint64_t nax__client_now_ms(nax_client *c); /* monotonic */
int64_t nax__client_wall_ms(nax_client *c); /* epoch ms, uncorrected */

/* Session state, for lib/api's login/refresh/logout. Strings are copied. */
int nax__client_store_token(nax_client *c, const nax_token *t);
void nax__client_drop_session(nax_client *c);
/* A copy of the refresh token (nax__free it), or NULL when none (NAX_ESTATE set). */
char *nax__client_refresh_token(nax_client *c);
/* Single-flight refresh (or re-login) used by the pipeline and nax_auth_refresh. */
int nax__client_refresh(nax_client *c, nax_token **out);

/* Market rules cache: a copy of the market (nax_object_free), fetching when stale. */
int nax__client_market(nax_client *c, const char *pair, nax_market **out);
/* Replace the cache with a fresh list (taking a deep copy). */
int nax__client_cache_markets(nax_client *c, const nax_market_list *list);

/* ---- for the stream subscriber (lib/stream) ---- */
/* "ws[s]://host[:port]/v1/stream" from the base URL (nax__free it), or NULL
 * with NAX_ENOMEM set. */
char *nax__client_stream_url(const nax_client *c);
/* The client's TLS settings; *ca_path may be NULL (the system store). */
void nax__client_stream_tls(const nax_client *c, int *insecure, const char **ca_path);
/* Fills an `auth` op from the client's credentials: a fresh access token of
 * the session (refreshing it, or logging in, when needed), or an API-key
 * signature over `timestamp + "GET" + "/v1/stream"` with the server's clock.
 * The op's strings live in `storage`: cleanse and dispose it after use;
 * *generation receives the session's generation (for a later renew).
 * Returns 0; 1 when the client holds no credentials; or the error of the
 * refresh, login or clock measurement. */
int nax__client_stream_auth(nax_client *c, nax_stream_op *op, nax_buf *storage,
                            uint64_t *generation);
/* The server said the token sent with session `generation` expired:
 * refresh, unless another thread already replaced that session. */
int nax__client_stream_renew(nax_client *c, uint64_t generation);

/* Logging to the client's sink (or the global one), redacted. */
void nax__client_log(nax_client *c, nax_log_level level, const char *fmt, ...) NAX__PRINTF(3, 4);

#endif /* NAX_CLIENT_CLIENT_H */

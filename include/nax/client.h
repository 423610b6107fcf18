/**
 * @file nax/client.h
 * @brief The REST client handle: transport, credentials and resilience.
 *
 * A #nax_client talks to one NA-X API base URL. It owns a pool of libcurl
 * handles (keep-alive, HTTP/2 over TLS where the server offers it, shared
 * DNS, connection and TLS-session caches), the credentials, the clock-offset
 * estimate, a retry budget, one circuit breaker and one rate limiter per
 * #nax_endpoint_group, and a cache of market rules. The typed calls over
 * every endpoint are in nax/api.h.
 *
 * Threading: one client may be used from any number of threads at once;
 * every piece of shared state inside it is synchronised. Options are copied
 * by nax_client_new(). Free the client once, after every thread has stopped
 * using it. See `docs/threading.md`.
 *
 * Errors: every function returns 0 or a negative #nax_error_code, with the
 * detail (HTTP status, server code, field, request id, transient flag) in
 * nax_error_last() on the calling thread.
 *
 * nax_global_init() must have succeeded before nax_client_new().
 */
#ifndef NAX_CLIENT_H
#define NAX_CLIENT_H

#include "common.h"
#include "global.h"

NAX_BEGIN_DECLS

/** @brief An opaque REST client. Create with nax_client_new(). */
typedef struct nax_client nax_client;

/**
 * @brief The endpoint groups; each has its own circuit breaker and limiter,
 * so a failing wallet provider cannot stop trading.
 */
typedef enum nax_endpoint_group {
    NAX_GROUP_AUTH = 0,        /**< `/v1/auth/...` and `/v1/users/...` */
    NAX_GROUP_MARKET_DATA = 1, /**< `/v1/markets...`, `/v1/time`, `/health` */
    NAX_GROUP_TRADING = 2,     /**< `/v1/orders...`, `/v1/trades/history`, Shift `createOrder` */
    NAX_GROUP_FUNDS = 3        /**< `/v1/wallets/...`, `/v1/fiat/...`, Shift balances */
} nax_endpoint_group;

/** Number of #nax_endpoint_group values. */
#define NAX_GROUP_COUNT 4

/** @brief Name of a group (`"auth"`, `"market_data"`, `"trading"`, `"funds"`); static. */
NAX_API const char *nax_endpoint_group_name(nax_endpoint_group group);

/**
 * @brief Retry policy (DESIGN §5). A zero member means its default.
 *
 * Retried: connect errors, timeouts, 408, 429, 500, 502, 503 and 504. Never
 * another 4xx. A POST is retried only under the `Idempotency-Key` the client
 * generated before its first attempt (every POST the client sends has one).
 * The delay before retry n (1-based) is `rand(0, min(max_delay, base·2^(n-1)))`
 * (full jitter), or the server's `Retry-After` when it gave one.
 */
typedef struct nax_retry_policy {
    unsigned int max_attempts;   /**< attempts per call, first included; default 3; 1 = no retry */
    uint32_t base_delay_ms;      /**< default 100 */
    uint32_t max_delay_ms;       /**< cap of one backoff delay; default 20000 */
    uint32_t retry_after_max_ms; /**< longest `Retry-After` waited for; a longer one fails
                                      the call at once (transient, with nax_error::retry_after_ms);
                                      default 60000 */
    uint32_t budget;             /**< retry budget tokens per client; default 500 */
    uint32_t retry_cost;         /**< tokens a retry takes; default 5 */
    uint32_t timeout_retry_cost; /**< tokens a retry after a timeout takes; default 10 */
    uint32_t success_refund;     /**< tokens a success returns; default 1 */
} nax_retry_policy;

/**
 * @brief Circuit-breaker policy, applied to each endpoint group separately.
 * A zero member means its default.
 *
 * A failure is a transport error, a timeout, or status 408, 500, 502, 503 or
 * 504; other statuses (a 404, a 409, a 429) count as successes, since the
 * server answered. A call slower than @c slow_call_ms counts as slow.
 */
typedef struct nax_breaker_policy {
    unsigned int window_size;      /**< calls in the sliding window; default 100 */
    unsigned int min_calls;        /**< calls needed before rates are judged; default 20 */
    unsigned int failure_rate_pct; /**< opens at this failure rate or above; default 50 */
    unsigned int slow_rate_pct;    /**< opens at this slow-call rate or above; default 50 */
    uint32_t slow_call_ms;         /**< a call slower than this is slow; default 5000 */
    uint32_t open_ms;              /**< time open before probing; default 30000, or the
                                        `Retry-After` of the call that opened it if longer */
    unsigned int half_open_probes; /**< probes let through when half-open; default 5; all must
                                        pass to close, one failure opens again */
    int disabled;                  /**< non-zero: no breaker */
} nax_breaker_policy;

/** @brief What a call does when the client-side rate limiter has no token. */
typedef enum nax_limiter_mode {
    NAX_LIMITER_WAIT = 0,      /**< sleep until a token is due (within the deadline), then send */
    NAX_LIMITER_FAIL_FAST = 1, /**< fail at once with #NAX_ERATELIMIT, no I/O */
    NAX_LIMITER_OFF = 2        /**< no client-side limiting */
} nax_limiter_mode;

/**
 * @brief Client-side token bucket per endpoint group, kept in step with the
 * server's `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
 * headers and with `Retry-After` on a 429. Until the server has spoken the
 * bucket holds @c burst tokens refilled at @c rate_per_s (no burst and no
 * rate: unlimited). A bucket with no known rate refills fully once a second.
 */
typedef struct nax_limiter_policy {
    nax_limiter_mode mode; /**< default #NAX_LIMITER_WAIT */
    uint32_t rate_per_s;   /**< starting refill rate; 0 = a full bucket a second until the
                                server says */
    uint32_t burst;        /**< starting capacity; 0 = as the server says */
    uint32_t max_wait_ms;  /**< in WAIT mode, a longer wait fails with #NAX_ERATELIMIT;
                                default 5000 */
} nax_limiter_policy;

/** @brief State of a circuit breaker. */
typedef enum nax_breaker_state {
    NAX_BREAKER_CLOSED = 0,   /**< calls flow; outcomes are counted */
    NAX_BREAKER_OPEN = 1,     /**< calls fail at once with #NAX_ECIRCUIT_OPEN */
    NAX_BREAKER_HALF_OPEN = 2 /**< a few probe calls decide whether to close */
} nax_breaker_state;

/** @brief Name of a breaker state (`"closed"`, `"open"`, `"half_open"`); static. */
NAX_API const char *nax_breaker_state_name(nax_breaker_state state);

/**
 * @brief Called when a breaker changes state, on the thread whose call caused
 * the change, after the client's locks are released. It must not free the
 * client; it may call the client.
 */
typedef void (*nax_breaker_fn)(nax_endpoint_group group, nax_breaker_state from,
                               nax_breaker_state to, void *userdata);

/** @brief What one finished call did, for the metrics callback. */
typedef struct nax_call_info {
    size_t struct_size;       /**< sizeof(nax_call_info) as the library knows it */
    const char *method;       /**< `"GET"`, `"POST"`, ... */
    const char *route;        /**< the path template, e.g. `"/v1/orders/{id}"` (no ids) */
    nax_endpoint_group group; /**< the call's group */
    int result;               /**< 0 or the #nax_error_code the call returned */
    int http_status;          /**< status of the last attempt, 0 when none arrived */
    unsigned int attempts;    /**< requests sent (0 when refused locally) */
    uint64_t duration_us;     /**< the whole call, waits and retries included */
    const char *request_id;   /**< `X-Request-Id` of the last attempt, or NULL */
} nax_call_info;

/**
 * @brief Called once per finished call on the calling thread. @p info and
 * its strings are borrowed for the duration of the callback.
 */
typedef void (*nax_metrics_fn)(const nax_call_info *info, void *userdata);

/**
 * @brief Replaceable clock, sleep and random source, so retry, breaker,
 * limiter and token-refresh behaviour can be tested deterministically.
 * Leave a member NULL for the real one. Each function may be called from any
 * thread that uses the client, concurrently.
 */
typedef struct nax_client_hooks {
    uint64_t (*monotonic_ms)(void *userdata);      /**< a clock that never goes back, in ms */
    int64_t (*wall_ms)(void *userdata);            /**< ms since the Unix epoch */
    void (*sleep_ms)(uint64_t ms, void *userdata); /**< block the calling thread */
    uint64_t (*random_u64)(void *userdata);        /**< uniform random bits (backoff jitter
                                                        only; ids use OpenSSL's RNG) */
    void *userdata;                                /**< passed to each hook */
} nax_client_hooks;

/** Version of #nax_client_options this header describes. */
#define NAX_CLIENT_OPTIONS_VERSION 1

/**
 * @brief Options for nax_client_new(). Start from #NAX_CLIENT_OPTIONS_INIT or
 * nax_client_options_init(); a zero or NULL member means its default.
 *
 * Credentials: give at most one kind. With @c api_key and @c api_secret every
 * authenticated request is signed (DESIGN §4). With @c bearer_token it is
 * sent as is. With @c email and @c password the client logs in on the first
 * authenticated call, refreshes the access token before it expires, and logs
 * in again when the refresh token has lapsed; @c totp_secret (base32) lets it
 * produce the TOTP code itself. A client without credentials can still call
 * public endpoints and nax_auth_login().
 */
typedef struct nax_client_options {
    unsigned int version; /**< #NAX_CLIENT_OPTIONS_VERSION */
    const char *base_url; /**< required: scheme, host, optional port, no path,
                               e.g. `"https://api.na-x.example"` */

    const char *api_key;      /**< API key id (`X-NAX-APIKEY`) */
    const char *api_secret;   /**< its secret; never logged */
    const char *bearer_token; /**< a ready access token */
    const char *email;        /**< login email */
    const char *password;     /**< login password; never logged */
    const char *totp_secret;  /**< base32 TOTP secret for logins that need a code */

    uint32_t recv_window_ms;     /**< signature receive window sent as `X-NAX-RECV-WINDOW`;
                                      default 5000, at most 60000 */
    uint32_t connect_timeout_ms; /**< TCP and TLS connect; default 5000 */
    uint32_t request_timeout_ms; /**< one attempt, from start to last byte; default 10000 */
    uint32_t deadline_ms;        /**< a whole call: attempts, backoff and waits; default 30000 */

    int tls_insecure;              /**< non-zero turns certificate and host verification OFF;
                                        for local testing only */
    const char *ca_path;           /**< CA bundle file instead of the system store */
    const char *pinned_public_key; /**< `"sha256//<base64>"` hashes (`;`-separated) or a PEM/DER
                                        file; connections to other keys fail with #NAX_ETLS */
    const char *proxy;             /**< proxy URL, e.g. `"http://proxy:3128"` */
    const char *user_agent_suffix; /**< appended to `libnax/<version>` */
    unsigned int max_connections;  /**< pooled connections; default 8 */

    nax_retry_policy retry;     /**< retry policy */
    nax_breaker_policy breaker; /**< breaker policy, per group */
    nax_limiter_policy limiter; /**< limiter policy, per group */

    nax_log_fn log_fn;       /**< this client's log sink (redacted); NULL: the global one */
    nax_log_level log_level; /**< threshold for @c log_fn; default #NAX_LOG_TRACE (0) */
    void *log_userdata;      /**< passed to @c log_fn */

    nax_metrics_fn metrics_fn; /**< called after every call; NULL: none */
    void *metrics_userdata;    /**< passed to @c metrics_fn */

    nax_breaker_fn breaker_fn; /**< called on breaker state changes; NULL: none */
    void *breaker_userdata;    /**< passed to @c breaker_fn */

    const nax_client_hooks *hooks; /**< test hooks, copied; NULL: real clock and randomness */
} nax_client_options;

/** Static initialiser: the current version, everything else default (every
 * member is listed, so `-Wmissing-field-initializers` stays quiet). */
#define NAX_CLIENT_OPTIONS_INIT                                                                    \
    {                                                                                              \
        NAX_CLIENT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, NULL, \
            NULL, NULL, NULL, 0, {0, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 0, 0},               \
            {NAX_LIMITER_WAIT, 0, 0, 0}, NULL, NAX_LOG_TRACE, NULL, NULL, NULL, NULL, NULL, NULL   \
    }

/**
 * @brief Reset @p opts to the defaults of @p version (for bindings, which
 * cannot use the macro).
 * @return 0; #NAX_EINVAL when @p opts is NULL; #NAX_EVERSION for an unknown version.
 */
NAX_API int nax_client_options_init(nax_client_options *opts, unsigned int version);

/**
 * @brief Create a client. Every option (strings included) is copied; nothing
 * is sent on the network yet.
 * @param out receives the client, owned by the caller (nax_client_free()).
 * @param opts the options.
 * @return 0; #NAX_EINVAL with the field for a missing or malformed base URL,
 *         mixed credentials, a half API key or out-of-range values;
 *         #NAX_EVERSION for an unknown options version; #NAX_ESTATE without
 *         nax_global_init(); #NAX_ENOMEM.
 */
NAX_API int nax_client_new(nax_client **out, const nax_client_options *opts);

/**
 * @brief Free a client and its pooled connections. NULL is a no-op. No other
 * thread may be using the client. Objects it returned stay valid (they are
 * freed with nax_object_free()).
 */
NAX_API void nax_client_free(nax_client *client);

/** @brief A breaker's state, for monitoring. */
typedef struct nax_breaker_status {
    size_t struct_size;      /**< sizeof(nax_breaker_status) as the library knows it */
    nax_breaker_state state; /**< current state */
    unsigned int calls;      /**< calls in the window */
    unsigned int failures;   /**< failed calls in the window */
    unsigned int slow;       /**< slow calls in the window */
    uint64_t open_for_ms;    /**< when open: time left before probing; else 0 */
    uint64_t opened_total;   /**< times this breaker has opened since the client was made */
} nax_breaker_status;

/**
 * @brief Read one group's breaker state. Thread-safe.
 * @param client the client.
 * @param group the endpoint group.
 * @param out filled in; set `out->struct_size` to `sizeof(*out)` first, as
 *        members are only written up to that size.
 * @return 0; #NAX_EINVAL for a NULL argument or unknown group; #NAX_EVERSION
 *         when `out->struct_size` is too small.
 */
NAX_API int nax_client_breaker_status(nax_client *client, nax_endpoint_group group,
                                      nax_breaker_status *out);

/**
 * @brief Measure the offset of the server's clock now, with `GET /v1/time`
 * (half the round trip is allowed for). The client also does this before
 * its first signed request and again when the server says a timestamp is out
 * of its window; every response's `Date` header keeps the estimate honest
 * between measurements. Thread-safe.
 * @param client the client.
 * @param offset_ms if not NULL, receives server time minus local time, in ms.
 * @return 0 or the error of the time request.
 */
NAX_API int nax_client_sync_clock(nax_client *client, int64_t *offset_ms);

/**
 * @brief The current clock-offset estimate (server minus local, ms); 0 before
 * the first measurement. Thread-safe.
 */
NAX_API int64_t nax_client_clock_offset(nax_client *client);

/**
 * @brief Replace the session tokens (for callers that keep them across
 * processes). The strings are copied. @p refresh_token may be NULL.
 * @param client the client.
 * @param access_token the new access token; NULL drops the session.
 * @param refresh_token the matching refresh token, or NULL.
 * @param expires_in_s the access token's remaining lifetime in seconds (0: unknown;
 *        the client then refreshes only after a 401 that says expired).
 * @return 0; #NAX_EINVAL; #NAX_ENOMEM.
 */
NAX_API int nax_client_set_session(nax_client *client, const char *access_token,
                                   const char *refresh_token, int64_t expires_in_s);

NAX_END_DECLS

#endif /* NAX_CLIENT_H */

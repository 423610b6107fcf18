/**
 * @file nax/shift.h
 * @brief Adapter for Shift Markets' GraphQL API, on libnax's transport.
 *
 * NA-X's Australian market runs on Shift Markets; backend services call its
 * GraphQL endpoint beside the REST API. A #nax_shift_client uses the same
 * machinery as #nax_client: pooled libcurl connections, request signing or
 * a bearer token, retries with backoff and a budget, circuit breakers
 * (`createOrder` counts as #NAX_GROUP_TRADING, everything else as
 * #NAX_GROUP_FUNDS) and the rate limiter. Every request is a POST carrying an
 * `Idempotency-Key`, so retries cannot run a mutation twice.
 *
 * GraphQL errors map to nax errors by `extensions.code`:
 * `UNAUTHENTICATED` → #NAX_EAUTH, `FORBIDDEN` → #NAX_EFORBIDDEN,
 * `BAD_USER_INPUT` and `GRAPHQL_VALIDATION_FAILED` → #NAX_EBADREQUEST,
 * `NOT_FOUND` → #NAX_ENOTFOUND, `CONFLICT` → #NAX_ECONFLICT,
 * `RATE_LIMITED` → #NAX_ERATELIMIT, `UNAVAILABLE` → #NAX_EUNAVAILABLE,
 * `GRAPHQL_PARSE_FAILED` → #NAX_EBADREQUEST, anything else → #NAX_ESERVER.
 * The code itself is in nax_error::server_code and `extensions.field` (or the
 * error's `path`, joined with `.`) in nax_error::field; nax_error::http_status
 * is the 200 that carried it and nax_error::request_id comes from
 * `extensions.requestId` when the server gives one (naxd does). A mutation
 * sent through nax_shift_query() counts as #NAX_GROUP_TRADING.
 *
 * Threading and ownership follow nax/client.h: a shift client may be shared
 * by many threads; results are owned by the caller.
 */
#ifndef NAX_SHIFT_H
#define NAX_SHIFT_H

#include "client.h"
#include "common.h"
#include "types.h"

NAX_BEGIN_DECLS

/** @brief An opaque Shift GraphQL client. */
typedef struct nax_shift_client nax_shift_client;

/** Version of #nax_shift_options this header describes. */
#define NAX_SHIFT_OPTIONS_VERSION 1

/** @brief Options for nax_shift_client_new(). */
typedef struct nax_shift_options {
    unsigned int version;         /**< #NAX_SHIFT_OPTIONS_VERSION */
    nax_client_options transport; /**< base URL, credentials, timeouts, TLS and policies,
                                       exactly as for nax_client_new() */
    const char *path;             /**< the GraphQL endpoint's path; default `"/graphql"` */
} nax_shift_options;

/** Static initialiser for #nax_shift_options. */
#define NAX_SHIFT_OPTIONS_INIT                                                                     \
    {                                                                                              \
        NAX_SHIFT_OPTIONS_VERSION, NAX_CLIENT_OPTIONS_INIT, NULL                                   \
    }

/**
 * @brief Reset @p opts to the defaults of @p version, transport included.
 * @return 0; #NAX_EINVAL; #NAX_EVERSION.
 */
NAX_API int nax_shift_options_init(nax_shift_options *opts, unsigned int version);

/**
 * @brief Create a Shift client. Options are copied; nothing is sent yet.
 * @return 0; the errors of nax_client_new(); #NAX_EINVAL for a bad path.
 */
NAX_API int nax_shift_client_new(nax_shift_client **out, const nax_shift_options *opts);

/** @brief Free a Shift client. NULL is a no-op. */
NAX_API void nax_shift_client_free(nax_shift_client *client);

/** @brief The answer to a GraphQL request. */
typedef struct nax_shift_result {
    size_t struct_size;  /**< sizeof(nax_shift_result) as the library knows it */
    const char *data;    /**< the `data` member as compact JSON text, or NULL when absent/null */
    const char *errors;  /**< the `errors` array as compact JSON text, or NULL when none */
    size_t errors_count; /**< number of entries in @c errors */
} nax_shift_result;

/**
 * @brief Send any GraphQL document.
 *
 * A response with `errors` but also `data` (a partial result) returns 0 and
 * both; a response with errors and no data fails with the first error's
 * mapped code, and @p out still receives the result when not NULL.
 *
 * @param client the Shift client.
 * @param document the GraphQL document.
 * @param variables_json a JSON object text, or NULL for none.
 * @param out receives the result (free with nax_shift_result_free()).
 * @return 0; #NAX_EJSON when @p variables_json is not a JSON object; a mapped
 *         GraphQL error; transport and HTTP errors.
 */
NAX_API int nax_shift_query(nax_shift_client *client, const char *document,
                            const char *variables_json, nax_shift_result **out);

/** @brief Free a result of nax_shift_query(). NULL is a no-op. */
NAX_API void nax_shift_result_free(nax_shift_result *result);

/**
 * @brief The `createOrder` mutation. The client order id is fixed before the
 * first attempt (made when NULL), so a retried mutation cannot place two
 * orders.
 * @param client the Shift client.
 * @param request the order, as for nax_orders_place().
 * @param out optional: the order Shift holds (free with nax_object_free()).
 */
NAX_API int nax_shift_create_order(nax_shift_client *client, const nax_order_request *request,
                                   nax_order **out);

/**
 * @brief The user balances query.
 * @param client the Shift client.
 * @param out receives the balances (free with nax_object_free()).
 */
NAX_API int nax_shift_balances(nax_shift_client *client, nax_balance_list **out);

NAX_END_DECLS

#endif /* NAX_SHIFT_H */

/**
 * @file nax/api.h
 * @brief Typed calls over every REST endpoint of the NA-X API (DESIGN §4).
 *
 * Common rules for every function here:
 *
 * - The first argument is a #nax_client; the calls are thread-safe.
 * - Inputs are only read during the call and never kept.
 * - A result comes back through an out-parameter as a library-owned object,
 *   the same types nax_decode() makes; free it with nax_object_free(). On
 *   failure the out-parameter is set to NULL. Where an out-parameter is
 *   documented as optional, pass NULL to discard the result.
 * - The return value is 0 or a negative #nax_error_code; nax_error_last()
 *   carries the HTTP status, the server's error code, the offending field
 *   and the request id. Errors found before any I/O (a bad argument, an
 *   order that breaks the market's rules, an open breaker, an empty limiter)
 *   have http_status 0.
 * - Every POST carries an `Idempotency-Key` made before its first attempt
 *   and kept across retries; calls are retried as nax_retry_policy says.
 */
#ifndef NAX_API_H
#define NAX_API_H

#include "client.h"
#include "common.h"
#include "types.h"

NAX_BEGIN_DECLS

/* ------------------------------------------------------------------- auth */

/**
 * @brief `POST /v1/auth/register`: create a user.
 * @param client the client.
 * @param request email, password and optional profile fields.
 * @param out optional: the new user's profile.
 * @return 0; #NAX_EBADREQUEST (weak password, bad email); #NAX_ECONFLICT
 *         (email taken); transport and server errors.
 */
NAX_API int nax_auth_register(nax_client *client, const nax_register_request *request,
                              nax_profile **out);

/**
 * @brief `POST /v1/auth/login`. On success the client keeps the tokens and
 * uses them for every later call (Bearer), refreshing them before they
 * expire. Login is never retried after a 401.
 * @param client the client.
 * @param request email, password and, once TOTP is on, the code.
 * @param out optional: the token pair (the client keeps its own copy).
 * @return 0; #NAX_EAUTH (wrong credentials, or `totp_required`); #NAX_ERATELIMIT.
 */
NAX_API int nax_auth_login(nax_client *client, const nax_login_request *request, nax_token **out);

/**
 * @brief `POST /v1/auth/refresh` with the client's refresh token, now. The
 * client also does this by itself; concurrent refreshes from several threads
 * become one request (single flight).
 * @param client the client.
 * @param out optional: the new token pair.
 * A client made with email and password logs in again instead when it
 * holds no refresh token or the server refused it.
 * @return 0; #NAX_ESTATE when the client holds no refresh token and no
 *         password; #NAX_EAUTH when the server refused it (the session is then
 *         dropped).
 */
NAX_API int nax_auth_refresh(nax_client *client, nax_token **out);

/**
 * @brief `POST /v1/auth/logout`: revoke the session and forget its tokens.
 * @return 0; #NAX_ESTATE when there is no session.
 */
NAX_API int nax_auth_logout(nax_client *client);

/** @brief `POST /v1/auth/totp/enable`: start TOTP enrolment. @p out receives the secret. */
NAX_API int nax_auth_totp_enable(nax_client *client, nax_totp_setup **out);

/** @brief `POST /v1/auth/totp/confirm` with the first code from the authenticator. */
NAX_API int nax_auth_totp_confirm(nax_client *client, const char *code);

/** @brief `POST /v1/auth/totp/disable` with a current code. */
NAX_API int nax_auth_totp_disable(nax_client *client, const char *code);

/**
 * @brief `POST /v1/auth/api-keys`: create an API key (needs a login session).
 * @param client the client.
 * @param request label and scopes.
 * @param out the key; its @c secret is present only in this response.
 */
NAX_API int nax_api_keys_create(nax_client *client, const nax_api_key_request *request,
                                nax_api_key **out);

/** @brief `GET /v1/auth/api-keys`: the user's keys, without secrets. */
NAX_API int nax_api_keys_list(nax_client *client, nax_api_key_list **out);

/** @brief `DELETE /v1/auth/api-keys/{id}`: revoke a key. #NAX_ENOTFOUND when unknown. */
NAX_API int nax_api_keys_delete(nax_client *client, const char *id);

/* ------------------------------------------------------------------ users */

/** @brief `GET /v1/users/profile`. */
NAX_API int nax_users_profile(nax_client *client, nax_profile **out);

/** @brief `PUT /v1/users/profile`: change the members that are non-NULL. @p out optional. */
NAX_API int nax_users_profile_update(nax_client *client, const nax_profile_update *update,
                                     nax_profile **out);

/** @brief `GET /v1/users/kyc-status`. */
NAX_API int nax_users_kyc_status(nax_client *client, nax_kyc **out);

/** @brief `POST /v1/users/kyc-documents`: upload one identity document. @p out optional. */
NAX_API int nax_users_kyc_document(nax_client *client, const nax_kyc_document_request *request,
                                   nax_kyc_document **out);

/* ---------------------------------------------------------------- markets */

/**
 * @brief `GET /v1/markets`. Also refreshes the client's cache of market
 * rules, which nax_orders_place() checks orders against.
 */
NAX_API int nax_markets_list(nax_client *client, nax_market_list **out);

/**
 * @brief One market's rules from the client's cache, fetching `GET
 * /v1/markets` when the cache is empty or older than five minutes.
 * @param client the client.
 * @param pair e.g. `"BTC-AUD"`.
 * @param out receives a copy of the market (free with nax_object_free()).
 * @return 0; #NAX_ENOTFOUND (field `pair`) when the server has no such market.
 */
NAX_API int nax_markets_get(nax_client *client, const char *pair, nax_market **out);

/** @brief `GET /v1/markets/{pair}/ticker`. */
NAX_API int nax_markets_ticker(nax_client *client, const char *pair, nax_ticker **out);

/**
 * @brief `GET /v1/markets/{pair}/orderbook`.
 * @param client the client.
 * @param pair e.g. `"BTC-AUD"`.
 * @param depth levels per side, 1..1000; 0 for the server's default (50).
 * @param out receives the book, best levels first.
 */
NAX_API int nax_markets_orderbook(nax_client *client, const char *pair, unsigned int depth,
                                  nax_order_book **out);

/**
 * @brief `GET /v1/markets/{pair}/trades`: recent public trades, newest first.
 * @param client the client.
 * @param pair e.g. `"BTC-AUD"`.
 * @param limit 1..1000; 0 for the server's default (100).
 * @param out receives the trades.
 */
NAX_API int nax_markets_trades(nax_client *client, const char *pair, unsigned int limit,
                               nax_trade_list **out);

/** @brief `GET /v1/time`: the server's clock (does not change the client's offset). */
NAX_API int nax_markets_time(nax_client *client, nax_server_time **out);

/** @brief `GET /health`. A degraded server answers 503, which returns #NAX_EUNAVAILABLE. */
NAX_API int nax_health_get(nax_client *client, nax_health **out);

/* ------------------------------------------------------------- list query */

/**
 * @brief Filters and paging for the list endpoints. Zero or NULL members are
 * not sent. Each list function names the members it uses; setting another
 * one fails with #NAX_EINVAL naming it, rather than being silently ignored.
 */
typedef struct nax_list_query {
    size_t struct_size;          /**< sizeof(nax_list_query) */
    const char *pair;            /**< orders, fills */
    nax_order_status status;     /**< orders */
    nax_side side;               /**< orders */
    const char *client_order_id; /**< orders */
    const char *asset;           /**< wallet transactions (asset), fiat (currency) */
    nax_tx_type type;            /**< wallet and fiat transactions */
    int64_t from_ms;             /**< wallet and fiat transactions: created at or after */
    int64_t to_ms;               /**< wallet and fiat transactions: created before */
    unsigned int limit;          /**< page size 1..1000; 0: server default (100) */
    const char *cursor;          /**< a page's `next_cursor`, to continue after it */
} nax_list_query;

/** Static initialiser for #nax_list_query. */
#define NAX_LIST_QUERY_INIT                                                                        \
    {                                                                                              \
        sizeof(nax_list_query), NULL, NAX_ORDER_STATUS_NONE, NAX_SIDE_NONE, NULL, NULL,            \
            NAX_TX_TYPE_NONE, 0, 0, 0, NULL                                                        \
    }

/* ----------------------------------------------------------------- orders */

/**
 * @brief `POST /v1/orders`, exactly once.
 *
 * Before any I/O the order is checked against the cached market rules
 * (nax_markets_get()): the market exists and is not halted, the price is a
 * positive multiple of the tick size, the quantity a positive multiple of the
 * lot size, and price × quantity reaches the minimum notional. A breach fails
 * with #NAX_EINVAL, http_status 0, @c field set to `price`, `quantity`,
 * `pair`, `type` or `time_in_force`, and a message with the numbers.
 *
 * When @c client_order_id is NULL the client makes one (a UUID) before the
 * first attempt, and keeps it and the `Idempotency-Key` for every retry.
 * When an attempt's outcome is unknown (a timeout or reset after the request
 * was sent, or a 5xx) the client looks the order up by its client order id
 * before sending again, and returns the order it finds.
 *
 * @param client the client.
 * @param request the order.
 * @param out optional: the order as the server holds it.
 * @return 0; #NAX_EINVAL (local checks); #NAX_EBADREQUEST (the server's
 *         checks, e.g. insufficient funds); #NAX_ECONFLICT (the client order
 *         id belongs to another, different order); #NAX_EOUTCOME_UNKNOWN when
 *         an attempt may have placed the order and no lookup could tell
 *         (look it up by its client order id before placing it again);
 *         transport and server errors when nothing was placed.
 */
NAX_API int nax_orders_place(nax_client *client, const nax_order_request *request, nax_order **out);

/** @brief `GET /v1/orders/{id}`. #NAX_ENOTFOUND when the user has no such order. */
NAX_API int nax_orders_get(nax_client *client, const char *id, nax_order **out);

/**
 * @brief The order with a client order id (`GET /v1/orders?client_order_id=`).
 * @return 0; #NAX_ENOTFOUND (field `client_order_id`) when there is none:
 *         the server answered with an empty list, so http_status is 0 and
 *         there is no request id.
 */
NAX_API int nax_orders_get_by_client_id(nax_client *client, const char *client_order_id,
                                        nax_order **out);

/**
 * @brief `GET /v1/orders`, newest first, one page. Uses @c pair, @c status,
 * @c side, @c client_order_id, @c limit and @c cursor. @p query may be NULL.
 */
NAX_API int nax_orders_list(nax_client *client, const nax_list_query *query, nax_order_list **out);

/** @brief `DELETE /v1/orders/{id}`. @p out optional: the cancelled order. */
NAX_API int nax_orders_cancel(nax_client *client, const char *id, nax_order **out);

/**
 * @brief `DELETE /v1/orders`: cancel every open order, or only those of
 * @p pair when it is not NULL. @p out optional: the ids cancelled.
 */
NAX_API int nax_orders_cancel_all(nax_client *client, const char *pair, nax_cancel_result **out);

/** @brief `GET /v1/trades/history`: the user's fills. Uses @c pair, @c limit, @c cursor. */
NAX_API int nax_trades_history(nax_client *client, const nax_list_query *query,
                               nax_fill_list **out);

/* ---------------------------------------------------------------- wallets */

/** @brief `GET /v1/wallets/balances`. */
NAX_API int nax_wallets_balances(nax_client *client, nax_balance_list **out);

/** @brief `POST /v1/wallets/deposit-address`: the (stable) address for an asset. */
NAX_API int nax_wallets_deposit_address(nax_client *client,
                                        const nax_deposit_address_request *request,
                                        nax_deposit_address **out);

/** @brief `POST /v1/wallets/withdraw`: request a crypto withdrawal. @p out optional. */
NAX_API int nax_wallets_withdraw(nax_client *client, const nax_withdraw_request *request,
                                 nax_wallet_tx **out);

/**
 * @brief `GET /v1/wallets/transactions`. Uses @c asset, @c type, @c from_ms,
 * @c to_ms, @c limit and @c cursor.
 */
NAX_API int nax_wallets_transactions(nax_client *client, const nax_list_query *query,
                                     nax_wallet_tx_list **out);

/* ------------------------------------------------------------------- fiat */

/** @brief `POST /v1/fiat/deposit`: announce a deposit; pay with its @c reference. */
NAX_API int nax_fiat_deposit(nax_client *client, const nax_fiat_deposit_request *request,
                             nax_fiat_tx **out);

/** @brief `POST /v1/fiat/withdraw`: request a fiat withdrawal. @p out optional. */
NAX_API int nax_fiat_withdraw(nax_client *client, const nax_fiat_withdraw_request *request,
                              nax_fiat_tx **out);

/**
 * @brief `GET /v1/fiat/transactions`. Uses @c asset (the currency), @c type,
 * @c from_ms, @c to_ms, @c limit and @c cursor.
 */
NAX_API int nax_fiat_transactions(nax_client *client, const nax_list_query *query,
                                  nax_fiat_tx_list **out);

/* ------------------------------------------------------------- pagination */

/** @brief Which list a #nax_pager walks, and so the type of its items. */
typedef enum nax_list_kind {
    NAX_LIST_ORDERS = 1,     /**< items are `const nax_order *` */
    NAX_LIST_FILLS = 2,      /**< items are `const nax_fill *` */
    NAX_LIST_WALLET_TXS = 3, /**< items are `const nax_wallet_tx *` */
    NAX_LIST_FIAT_TXS = 4    /**< items are `const nax_fiat_tx *` */
} nax_list_kind;

/** @brief An iterator over every item of a list, fetching pages as it goes. */
typedef struct nax_pager nax_pager;

/**
 * @brief Start walking a list. Nothing is fetched until nax_pager_next().
 * @param out receives the pager (free with nax_pager_free()). It keeps a
 *        pointer to @p client, which must outlive it; the query is copied.
 * @param client the client.
 * @param kind which list.
 * @param query filters and page size as for the matching list call; may be NULL.
 * @return 0; #NAX_EINVAL; #NAX_ENOMEM.
 */
NAX_API int nax_pager_new(nax_pager **out, nax_client *client, nax_list_kind kind,
                          const nax_list_query *query);

/**
 * @brief The next item. Fetches the next page when the current one is used up.
 * A pager is used by one thread at a time.
 * @param pager the pager.
 * @param item receives the item; it stays valid until the next call on the
 *        pager or nax_pager_free(). NULL at the end.
 * @return 1 with an item, 0 at the end, or a negative error from fetching a
 *         page (calling again retries that page).
 */
NAX_API int nax_pager_next(nax_pager *pager, const void **item);

/** @brief Free a pager and the page it holds. NULL is a no-op. */
NAX_API void nax_pager_free(nax_pager *pager);

NAX_END_DECLS

#endif /* NAX_API_H */

/**
 * @file nax/types.h
 * @brief Typed structs for every object of the NA-X API contract.
 *
 * Each struct mirrors one JSON object of `docs/openapi.yaml` or
 * `docs/asyncapi.yaml`; member names are the JSON names. Conventions:
 *
 * - Every struct starts with `size_t struct_size`. Set it to `sizeof` the
 *   struct before handing a struct you filled to nax_encode(); structs from
 *   nax_decode() have it set by the library. Members are only ever added at
 *   the end, so a struct from a newer library can be read by an older program.
 * - Strings are UTF-8 and NUL-terminated. An optional string is NULL when absent.
 * - Money, prices and quantities are #nax_decimal, written as JSON strings.
 *   An optional decimal is a pointer, NULL when absent.
 * - Timestamps are `int64_t` milliseconds since the Unix epoch (UTC).
 * - Enums use 0 for "absent"; the JSON spelling of each value is given beside it.
 * - Lists are a pointer array plus a `_count` member.
 * - In a decoded object every pointer refers into the same allocation, which
 *   nax_object_free() releases; in a struct you fill, the pointers stay yours.
 */
#ifndef NAX_TYPES_H
#define NAX_TYPES_H

#include "common.h"
#include "decimal.h"

NAX_BEGIN_DECLS

/** @brief Identifies a contract object for nax_decode() and nax_encode(). Numbers are stable. */
typedef enum nax_type {
    NAX_TYPE_NONE = 0,                     /**< no type */
    NAX_TYPE_ERROR_BODY = 1,               /**< #nax_error_body, wrapped as `{"error":{...}}` */
    NAX_TYPE_REGISTER_REQUEST = 2,         /**< #nax_register_request */
    NAX_TYPE_LOGIN_REQUEST = 3,            /**< #nax_login_request */
    NAX_TYPE_TOKEN = 4,                    /**< #nax_token */
    NAX_TYPE_REFRESH_REQUEST = 5,          /**< #nax_refresh_request */
    NAX_TYPE_TOTP_SETUP = 6,               /**< #nax_totp_setup */
    NAX_TYPE_TOTP_CODE = 7,                /**< #nax_totp_code */
    NAX_TYPE_API_KEY_REQUEST = 8,          /**< #nax_api_key_request */
    NAX_TYPE_API_KEY = 9,                  /**< #nax_api_key */
    NAX_TYPE_API_KEY_LIST = 10,            /**< #nax_api_key_list */
    NAX_TYPE_PROFILE = 11,                 /**< #nax_profile */
    NAX_TYPE_PROFILE_UPDATE = 12,          /**< #nax_profile_update */
    NAX_TYPE_KYC = 13,                     /**< #nax_kyc */
    NAX_TYPE_KYC_DOCUMENT_REQUEST = 14,    /**< #nax_kyc_document_request */
    NAX_TYPE_KYC_DOCUMENT = 15,            /**< #nax_kyc_document */
    NAX_TYPE_MARKET = 16,                  /**< #nax_market */
    NAX_TYPE_MARKET_LIST = 17,             /**< #nax_market_list */
    NAX_TYPE_TICKER = 18,                  /**< #nax_ticker */
    NAX_TYPE_ORDER_BOOK = 19,              /**< #nax_order_book */
    NAX_TYPE_TRADE = 20,                   /**< #nax_trade */
    NAX_TYPE_TRADE_LIST = 21,              /**< #nax_trade_list */
    NAX_TYPE_SERVER_TIME = 22,             /**< #nax_server_time */
    NAX_TYPE_ORDER_REQUEST = 23,           /**< #nax_order_request */
    NAX_TYPE_ORDER = 24,                   /**< #nax_order */
    NAX_TYPE_ORDER_LIST = 25,              /**< #nax_order_list */
    NAX_TYPE_CANCEL_RESULT = 26,           /**< #nax_cancel_result */
    NAX_TYPE_FILL = 27,                    /**< #nax_fill */
    NAX_TYPE_FILL_LIST = 28,               /**< #nax_fill_list */
    NAX_TYPE_BALANCE = 29,                 /**< #nax_balance */
    NAX_TYPE_BALANCE_LIST = 30,            /**< #nax_balance_list */
    NAX_TYPE_DEPOSIT_ADDRESS_REQUEST = 31, /**< #nax_deposit_address_request */
    NAX_TYPE_DEPOSIT_ADDRESS = 32,         /**< #nax_deposit_address */
    NAX_TYPE_WITHDRAW_REQUEST = 33,        /**< #nax_withdraw_request */
    NAX_TYPE_WALLET_TX = 34,               /**< #nax_wallet_tx */
    NAX_TYPE_WALLET_TX_LIST = 35,          /**< #nax_wallet_tx_list */
    NAX_TYPE_FIAT_DEPOSIT_REQUEST = 36,    /**< #nax_fiat_deposit_request */
    NAX_TYPE_FIAT_WITHDRAW_REQUEST = 37,   /**< #nax_fiat_withdraw_request */
    NAX_TYPE_FIAT_TX = 38,                 /**< #nax_fiat_tx */
    NAX_TYPE_FIAT_TX_LIST = 39,            /**< #nax_fiat_tx_list */
    NAX_TYPE_WEBHOOK_EVENT = 40,           /**< #nax_webhook_event */
    NAX_TYPE_HEALTH = 41,                  /**< #nax_health */
    NAX_TYPE_STREAM_OP = 42,               /**< #nax_stream_op */
    NAX_TYPE_STREAM_ACK = 43,              /**< #nax_stream_ack */
    NAX_TYPE_STREAM_MESSAGE = 44           /**< #nax_stream_message */
} nax_type;

/* ------------------------------------------------------------------ enums */

/** @brief Order side. */
typedef enum nax_side {
    NAX_SIDE_NONE = 0, /**< absent */
    NAX_SIDE_BUY = 1,  /**< `"buy"` */
    NAX_SIDE_SELL = 2  /**< `"sell"` */
} nax_side;

/** @brief Order type. */
typedef enum nax_order_type {
    NAX_ORDER_TYPE_NONE = 0,  /**< absent */
    NAX_ORDER_TYPE_LIMIT = 1, /**< `"limit"` */
    NAX_ORDER_TYPE_MARKET = 2 /**< `"market"` */
} nax_order_type;

/** @brief Time in force. */
typedef enum nax_time_in_force {
    NAX_TIF_NONE = 0, /**< absent (the server applies GTC) */
    NAX_TIF_GTC = 1,  /**< `"GTC"`: good till cancelled */
    NAX_TIF_IOC = 2,  /**< `"IOC"`: immediate or cancel */
    NAX_TIF_FOK = 3   /**< `"FOK"`: fill or kill */
} nax_time_in_force;

/** @brief Order status. */
typedef enum nax_order_status {
    NAX_ORDER_STATUS_NONE = 0,             /**< absent */
    NAX_ORDER_STATUS_OPEN = 1,             /**< `"open"` */
    NAX_ORDER_STATUS_PARTIALLY_FILLED = 2, /**< `"partially_filled"` */
    NAX_ORDER_STATUS_FILLED = 3,           /**< `"filled"` */
    NAX_ORDER_STATUS_CANCELLED = 4,        /**< `"cancelled"` */
    NAX_ORDER_STATUS_REJECTED = 5          /**< `"rejected"` */
} nax_order_status;

/** @brief Trading status of a market. */
typedef enum nax_market_status {
    NAX_MARKET_STATUS_NONE = 0,     /**< absent */
    NAX_MARKET_STATUS_ACTIVE = 1,   /**< `"active"`: trading normally */
    NAX_MARKET_STATUS_HALTED = 2,   /**< `"halted"`: no new orders, no matching */
    NAX_MARKET_STATUS_POST_ONLY = 3 /**< `"post_only"`: only orders that rest are accepted */
} nax_market_status;

/** @brief Whether a fill added liquidity or took it. */
typedef enum nax_liquidity {
    NAX_LIQUIDITY_NONE = 0,  /**< absent */
    NAX_LIQUIDITY_MAKER = 1, /**< `"maker"` */
    NAX_LIQUIDITY_TAKER = 2  /**< `"taker"` */
} nax_liquidity;

/** @brief Verification status of a user or a KYC document. */
typedef enum nax_kyc_status {
    NAX_KYC_STATUS_NONE = 0,       /**< absent */
    NAX_KYC_STATUS_UNVERIFIED = 1, /**< `"unverified"`: nothing submitted yet */
    NAX_KYC_STATUS_PENDING = 2,    /**< `"pending"`: under review */
    NAX_KYC_STATUS_VERIFIED = 3,   /**< `"verified"` */
    NAX_KYC_STATUS_REJECTED = 4    /**< `"rejected"` */
} nax_kyc_status;

/** @brief Kind of identity document. */
typedef enum nax_document_type {
    NAX_DOCUMENT_TYPE_NONE = 0,            /**< absent */
    NAX_DOCUMENT_TYPE_PASSPORT = 1,        /**< `"passport"` */
    NAX_DOCUMENT_TYPE_DRIVERS_LICENCE = 2, /**< `"drivers_licence"` */
    NAX_DOCUMENT_TYPE_NATIONAL_ID = 3,     /**< `"national_id"` */
    NAX_DOCUMENT_TYPE_PROOF_OF_ADDRESS = 4 /**< `"proof_of_address"` */
} nax_document_type;

/** @brief Direction of a wallet or fiat transaction. */
typedef enum nax_tx_type {
    NAX_TX_TYPE_NONE = 0,      /**< absent */
    NAX_TX_TYPE_DEPOSIT = 1,   /**< `"deposit"` */
    NAX_TX_TYPE_WITHDRAWAL = 2 /**< `"withdrawal"` */
} nax_tx_type;

/** @brief State of a wallet or fiat transaction. */
typedef enum nax_tx_status {
    NAX_TX_STATUS_NONE = 0,      /**< absent */
    NAX_TX_STATUS_PENDING = 1,   /**< `"pending"` */
    NAX_TX_STATUS_COMPLETED = 2, /**< `"completed"` */
    NAX_TX_STATUS_FAILED = 3,    /**< `"failed"` */
    NAX_TX_STATUS_CANCELLED = 4  /**< `"cancelled"` */
} nax_tx_status;

/** @brief Fiat payment rail. */
typedef enum nax_fiat_method {
    NAX_FIAT_METHOD_NONE = 0,          /**< absent */
    NAX_FIAT_METHOD_BANK_TRANSFER = 1, /**< `"bank_transfer"` */
    NAX_FIAT_METHOD_PAYID = 2,         /**< `"payid"` (Australia) */
    NAX_FIAT_METHOD_ACH = 3,           /**< `"ach"` (United States) */
    NAX_FIAT_METHOD_WIRE = 4           /**< `"wire"` */
} nax_fiat_method;

/** @brief Scopes of an API key; a bit set, written in JSON as an array of names. */
typedef enum nax_scope {
    NAX_SCOPE_READ = 1,    /**< `"read"`: read account data */
    NAX_SCOPE_TRADE = 2,   /**< `"trade"`: place and cancel orders */
    NAX_SCOPE_WITHDRAW = 4 /**< `"withdraw"`: move funds out */
} nax_scope;

/** @brief Event type of a provider webhook. */
typedef enum nax_webhook_type {
    NAX_WEBHOOK_NONE = 0,              /**< absent */
    NAX_WEBHOOK_PAYMENT_SUCCEEDED = 1, /**< `"payment.succeeded"`: a fiat deposit arrived */
    NAX_WEBHOOK_PAYMENT_FAILED = 2,    /**< `"payment.failed"`: a fiat deposit failed */
    NAX_WEBHOOK_PAYOUT_COMPLETED = 3,  /**< `"payout.completed"`: a withdrawal was paid */
    NAX_WEBHOOK_PAYOUT_FAILED = 4,     /**< `"payout.failed"`: a withdrawal failed */
    NAX_WEBHOOK_DEPOSIT_CONFIRMED = 5, /**< `"deposit.confirmed"`: custody saw a crypto deposit */
    NAX_WEBHOOK_KYC_VERIFIED = 6,      /**< `"kyc.verified"` */
    NAX_WEBHOOK_KYC_REJECTED = 7       /**< `"kyc.rejected"` */
} nax_webhook_type;

/** @brief Operation of a stream control message. */
typedef enum nax_stream_op_kind {
    NAX_STREAM_OP_NONE = 0,        /**< absent */
    NAX_STREAM_OP_SUBSCRIBE = 1,   /**< `"subscribe"` */
    NAX_STREAM_OP_UNSUBSCRIBE = 2, /**< `"unsubscribe"` */
    NAX_STREAM_OP_AUTH = 3,        /**< `"auth"` */
    NAX_STREAM_OP_PING = 4         /**< `"ping"` */
} nax_stream_op_kind;

/** @brief Kind of a published stream message. */
typedef enum nax_stream_msg_type {
    NAX_STREAM_MSG_NONE = 0,     /**< absent */
    NAX_STREAM_MSG_SNAPSHOT = 1, /**< `"snapshot"`: the full current state of the channel */
    NAX_STREAM_MSG_UPDATE = 2,   /**< `"update"`: a change since the previous message */
    NAX_STREAM_MSG_LAGGING = 3,  /**< `"lagging"`: the server dropped messages for a slow reader */
    NAX_STREAM_MSG_ERROR = 4     /**< `"error"`: a problem not tied to an op, see @c error */
} nax_stream_msg_type;

/* ------------------------------------------------------------ errors, auth */

/** @brief The one error body of every failed request: `{"error":{...}}`. */
typedef struct nax_error_body {
    size_t struct_size;     /**< sizeof(nax_error_body) */
    const char *code;       /**< required: machine-readable code, e.g. `"invalid_price"` */
    const char *message;    /**< required: human-readable explanation */
    const char *field;      /**< optional: offending request field or JSON path */
    const char *request_id; /**< optional: the request id, as in `X-Request-Id` */
} nax_error_body;

/** @brief `POST /v1/auth/register` body. */
typedef struct nax_register_request {
    size_t struct_size;    /**< sizeof(nax_register_request) */
    const char *email;     /**< required */
    const char *password;  /**< required; never logged */
    const char *full_name; /**< optional */
    const char *country;   /**< optional ISO 3166-1 alpha-2 code, e.g. `"AU"` */
} nax_register_request;

/** @brief `POST /v1/auth/login` body. */
typedef struct nax_login_request {
    size_t struct_size;    /**< sizeof(nax_login_request) */
    const char *email;     /**< required */
    const char *password;  /**< required; never logged */
    const char *totp_code; /**< optional: six digits, required once TOTP is enabled */
} nax_login_request;

/** @brief Result of login and refresh. */
typedef struct nax_token {
    size_t struct_size;         /**< sizeof(nax_token) */
    const char *access_token;   /**< required: JWT for `Authorization: Bearer` */
    const char *refresh_token;  /**< required: single-use refresh token */
    const char *token_type;     /**< required: always `"Bearer"` */
    int64_t expires_in;         /**< required: access token lifetime in seconds */
    int64_t refresh_expires_in; /**< required: refresh token lifetime in seconds */
} nax_token;

/** @brief `POST /v1/auth/refresh` and `POST /v1/auth/logout` body. */
typedef struct nax_refresh_request {
    size_t struct_size;        /**< sizeof(nax_refresh_request) */
    const char *refresh_token; /**< required */
} nax_refresh_request;

/** @brief Result of `POST /v1/auth/totp/enable`: the shared secret, shown once. */
typedef struct nax_totp_setup {
    size_t struct_size;      /**< sizeof(nax_totp_setup) */
    const char *secret;      /**< required: base32 secret */
    const char *otpauth_uri; /**< required: `otpauth://totp/...` for authenticator apps */
} nax_totp_setup;

/** @brief Body of `POST /v1/auth/totp/confirm` and `/disable`. */
typedef struct nax_totp_code {
    size_t struct_size; /**< sizeof(nax_totp_code) */
    const char *code;   /**< required: six digits */
} nax_totp_code;

/** @brief `POST /v1/auth/api-keys` body. */
typedef struct nax_api_key_request {
    size_t struct_size;  /**< sizeof(nax_api_key_request) */
    const char *label;   /**< required: a name for the key */
    unsigned int scopes; /**< required: a non-empty set of #nax_scope bits */
} nax_api_key_request;

/** @brief An API key. */
typedef struct nax_api_key {
    size_t struct_size;   /**< sizeof(nax_api_key) */
    const char *id;       /**< required: key id, sent as `X-NAX-APIKEY` */
    const char *label;    /**< required */
    unsigned int scopes;  /**< required: #nax_scope bits */
    const char *secret;   /**< optional: present only in the response that created the key */
    int64_t created_at;   /**< required */
    int64_t last_used_at; /**< optional: 0 when never used */
} nax_api_key;

/** @brief `GET /v1/auth/api-keys` result. */
typedef struct nax_api_key_list {
    size_t struct_size;                 /**< sizeof(nax_api_key_list) */
    const nax_api_key *const *api_keys; /**< required */
    size_t api_keys_count;              /**< number of @c api_keys */
} nax_api_key_list;

/* ------------------------------------------------------------------ users */

/** @brief `GET /v1/users/profile` result. */
typedef struct nax_profile {
    size_t struct_size;        /**< sizeof(nax_profile) */
    const char *id;            /**< required: user id */
    const char *email;         /**< required */
    const char *full_name;     /**< optional */
    const char *country;       /**< optional */
    const char *phone;         /**< optional, E.164 */
    nax_kyc_status kyc_status; /**< required */
    int totp_enabled;          /**< required boolean */
    int64_t created_at;        /**< required */
} nax_profile;

/** @brief `PUT /v1/users/profile` body; absent members stay unchanged. */
typedef struct nax_profile_update {
    size_t struct_size;    /**< sizeof(nax_profile_update) */
    const char *full_name; /**< optional */
    const char *country;   /**< optional */
    const char *phone;     /**< optional */
} nax_profile_update;

/** @brief `GET /v1/users/kyc-status` result. */
typedef struct nax_kyc {
    size_t struct_size;    /**< sizeof(nax_kyc) */
    nax_kyc_status status; /**< required */
    const char *reason;    /**< optional: why verification was rejected */
    int64_t updated_at;    /**< required */
} nax_kyc;

/** @brief `POST /v1/users/kyc-documents` body. */
typedef struct nax_kyc_document_request {
    size_t struct_size;              /**< sizeof(nax_kyc_document_request) */
    nax_document_type document_type; /**< required */
    const char *file_name;           /**< required */
    const char *content_type; /**< required: `"image/png"`, `"image/jpeg"` or `"application/pdf"` */
    const char *content_base64; /**< required: the file, base64 */
} nax_kyc_document_request;

/** @brief A stored KYC document. */
typedef struct nax_kyc_document {
    size_t struct_size;              /**< sizeof(nax_kyc_document) */
    const char *id;                  /**< required */
    nax_document_type document_type; /**< required */
    nax_kyc_status status;           /**< required */
    int64_t size_bytes;              /**< required: decoded size */
    int64_t created_at;              /**< required */
} nax_kyc_document;

/* ---------------------------------------------------------------- markets */

/** @brief A market and its trading rules. */
typedef struct nax_market {
    size_t struct_size;       /**< sizeof(nax_market) */
    const char *pair;         /**< required: `BASE-QUOTE`, e.g. `"BTC-AUD"` */
    const char *base;         /**< required: base asset */
    const char *quote;        /**< required: quote asset */
    nax_decimal tick_size;    /**< required: prices are multiples of this */
    nax_decimal lot_size;     /**< required: quantities are multiples of this */
    nax_decimal min_notional; /**< required: smallest price × quantity */
    nax_market_status status; /**< required */
} nax_market;

/** @brief `GET /v1/markets` result. */
typedef struct nax_market_list {
    size_t struct_size;               /**< sizeof(nax_market_list) */
    const nax_market *const *markets; /**< required */
    size_t markets_count;             /**< number of @c markets */
} nax_market_list;

/** @brief Best prices and 24 h volume of a market. */
typedef struct nax_ticker {
    size_t struct_size;      /**< sizeof(nax_ticker) */
    const char *pair;        /**< required */
    const nax_decimal *bid;  /**< optional: best bid, NULL when there is none */
    const nax_decimal *ask;  /**< optional: best ask, NULL when there is none */
    const nax_decimal *last; /**< optional: last trade price, NULL before the first trade */
    nax_decimal volume_24h;  /**< required: base volume over the last 24 h */
    uint64_t seq;            /**< required: rises with every ticker change */
    int64_t ts;              /**< required: time of the state */
} nax_ticker;

/** @brief One price level: `[price, quantity]` in JSON. In a book update a zero quantity removes
 * the level. */
typedef struct nax_book_level {
    nax_decimal price;    /**< the price */
    nax_decimal quantity; /**< total quantity resting at the price */
} nax_book_level;

/** @brief `GET /v1/markets/{pair}/orderbook` result. */
typedef struct nax_order_book {
    size_t struct_size;         /**< sizeof(nax_order_book) */
    const char *pair;           /**< required */
    uint64_t seq;               /**< required: the book's sequence number */
    const nax_book_level *bids; /**< required: best (highest) first */
    size_t bids_count;          /**< number of @c bids */
    const nax_book_level *asks; /**< required: best (lowest) first */
    size_t asks_count;          /**< number of @c asks */
    uint32_t checksum;          /**< required: see nax_book_checksum() */
    int64_t ts;                 /**< required */
} nax_order_book;

/** @brief A public trade. */
typedef struct nax_trade {
    size_t struct_size;   /**< sizeof(nax_trade) */
    const char *id;       /**< required */
    const char *pair;     /**< required */
    nax_decimal price;    /**< required */
    nax_decimal quantity; /**< required */
    nax_side side;        /**< required: the taker's side */
    int64_t ts;           /**< required */
} nax_trade;

/** @brief `GET /v1/markets/{pair}/trades` result. */
typedef struct nax_trade_list {
    size_t struct_size;             /**< sizeof(nax_trade_list) */
    const nax_trade *const *trades; /**< required: newest first */
    size_t trades_count;            /**< number of @c trades */
} nax_trade_list;

/** @brief `GET /v1/time` result. */
typedef struct nax_server_time {
    size_t struct_size;  /**< sizeof(nax_server_time) */
    int64_t server_time; /**< required: the server's clock */
} nax_server_time;

/* ----------------------------------------------------------------- orders */

/** @brief `POST /v1/orders` body. */
typedef struct nax_order_request {
    size_t struct_size;              /**< sizeof(nax_order_request) */
    const char *pair;                /**< required */
    nax_side side;                   /**< required */
    nax_order_type type;             /**< required */
    const nax_decimal *price;        /**< required for limit orders, absent for market orders */
    nax_decimal quantity;            /**< required: base quantity */
    nax_time_in_force time_in_force; /**< optional: GTC when absent */
    int post_only;                   /**< optional boolean: reject instead of taking liquidity */
    const char *client_order_id;     /**< optional: caller's id, unique per user, 1..36 chars */
} nax_order_request;

/** @brief An order. */
typedef struct nax_order {
    size_t struct_size;               /**< sizeof(nax_order) */
    const char *id;                   /**< required: server-assigned id */
    const char *client_order_id;      /**< optional */
    const char *pair;                 /**< required */
    nax_side side;                    /**< required */
    nax_order_type type;              /**< required */
    const nax_decimal *price;         /**< optional: absent for market orders */
    nax_decimal quantity;             /**< required */
    nax_decimal filled_quantity;      /**< required */
    const nax_decimal *average_price; /**< optional: absent until something fills */
    nax_time_in_force time_in_force;  /**< required */
    int post_only;                    /**< optional boolean */
    nax_order_status status;          /**< required */
    int64_t created_at;               /**< required */
    int64_t updated_at;               /**< required */
} nax_order;

/** @brief `GET /v1/orders` result, one page. */
typedef struct nax_order_list {
    size_t struct_size;             /**< sizeof(nax_order_list) */
    const nax_order *const *orders; /**< required */
    size_t orders_count;            /**< number of @c orders */
    const char *next_cursor; /**< optional: pass as `cursor` for the next page; NULL on the last */
} nax_order_list;

/** @brief `DELETE /v1/orders` result. */
typedef struct nax_cancel_result {
    size_t struct_size;           /**< sizeof(nax_cancel_result) */
    const char *const *cancelled; /**< required: ids of the cancelled orders */
    size_t cancelled_count;       /**< number of @c cancelled */
} nax_cancel_result;

/** @brief One execution of one of the user's orders. */
typedef struct nax_fill {
    size_t struct_size;      /**< sizeof(nax_fill) */
    const char *id;          /**< required: trade id */
    const char *order_id;    /**< required */
    const char *pair;        /**< required */
    nax_side side;           /**< required: the user's side */
    nax_decimal price;       /**< required */
    nax_decimal quantity;    /**< required */
    nax_decimal fee;         /**< required */
    const char *fee_asset;   /**< required */
    nax_liquidity liquidity; /**< required */
    int64_t ts;              /**< required */
} nax_fill;

/** @brief `GET /v1/trades/history` result, one page. */
typedef struct nax_fill_list {
    size_t struct_size;           /**< sizeof(nax_fill_list) */
    const nax_fill *const *fills; /**< required: newest first */
    size_t fills_count;           /**< number of @c fills */
    const char *next_cursor;      /**< optional: NULL on the last page */
} nax_fill_list;

/* ---------------------------------------------------------------- wallets */

/** @brief Holdings of one asset. `total` is always `available + locked`. */
typedef struct nax_balance {
    size_t struct_size;    /**< sizeof(nax_balance) */
    const char *asset;     /**< required, e.g. `"BTC"` */
    nax_decimal available; /**< required: free to trade or withdraw */
    nax_decimal locked;    /**< required: held by open orders and pending withdrawals */
    nax_decimal total;     /**< required */
} nax_balance;

/** @brief `GET /v1/wallets/balances` result. */
typedef struct nax_balance_list {
    size_t struct_size;                 /**< sizeof(nax_balance_list) */
    const nax_balance *const *balances; /**< required */
    size_t balances_count;              /**< number of @c balances */
} nax_balance_list;

/** @brief `POST /v1/wallets/deposit-address` body. */
typedef struct nax_deposit_address_request {
    size_t struct_size;  /**< sizeof(nax_deposit_address_request) */
    const char *asset;   /**< required */
    const char *network; /**< optional: the asset's default network when absent */
} nax_deposit_address_request;

/** @brief A deposit address. */
typedef struct nax_deposit_address {
    size_t struct_size;  /**< sizeof(nax_deposit_address) */
    const char *asset;   /**< required */
    const char *network; /**< required, e.g. `"bitcoin"` */
    const char *address; /**< required */
    const char *memo;    /**< optional: tag or memo the deposit must carry */
} nax_deposit_address;

/** @brief `POST /v1/wallets/withdraw` body. */
typedef struct nax_withdraw_request {
    size_t struct_size;    /**< sizeof(nax_withdraw_request) */
    const char *asset;     /**< required */
    nax_decimal amount;    /**< required, greater than zero */
    const char *address;   /**< required */
    const char *network;   /**< optional */
    const char *memo;      /**< optional */
    const char *totp_code; /**< optional: required when TOTP is enabled */
} nax_withdraw_request;

/** @brief A crypto deposit or withdrawal. */
typedef struct nax_wallet_tx {
    size_t struct_size;   /**< sizeof(nax_wallet_tx) */
    const char *id;       /**< required */
    const char *asset;    /**< required */
    nax_tx_type type;     /**< required */
    nax_decimal amount;   /**< required */
    nax_decimal fee;      /**< required */
    nax_tx_status status; /**< required */
    const char *address;  /**< optional */
    const char *network;  /**< optional */
    const char *tx_hash;  /**< optional: on-chain id once known */
    int64_t created_at;   /**< required */
    int64_t updated_at;   /**< required */
} nax_wallet_tx;

/** @brief `GET /v1/wallets/transactions` result, one page. */
typedef struct nax_wallet_tx_list {
    size_t struct_size;                       /**< sizeof(nax_wallet_tx_list) */
    const nax_wallet_tx *const *transactions; /**< required: newest first */
    size_t transactions_count;                /**< number of @c transactions */
    const char *next_cursor;                  /**< optional: NULL on the last page */
} nax_wallet_tx_list;

/* ------------------------------------------------------------------- fiat */

/** @brief `POST /v1/fiat/deposit` body. */
typedef struct nax_fiat_deposit_request {
    size_t struct_size;     /**< sizeof(nax_fiat_deposit_request) */
    const char *currency;   /**< required, e.g. `"AUD"` */
    nax_decimal amount;     /**< required, greater than zero */
    nax_fiat_method method; /**< required */
} nax_fiat_deposit_request;

/** @brief `POST /v1/fiat/withdraw` body. */
typedef struct nax_fiat_withdraw_request {
    size_t struct_size;         /**< sizeof(nax_fiat_withdraw_request) */
    const char *currency;       /**< required */
    nax_decimal amount;         /**< required, greater than zero */
    nax_fiat_method method;     /**< required */
    const char *account_name;   /**< required */
    const char *account_number; /**< required */
    const char *bank_code;      /**< required: BSB in Australia, routing number in the US */
    const char *totp_code;      /**< optional: required when TOTP is enabled */
} nax_fiat_withdraw_request;

/** @brief A fiat deposit or withdrawal. */
typedef struct nax_fiat_tx {
    size_t struct_size;     /**< sizeof(nax_fiat_tx) */
    const char *id;         /**< required */
    const char *currency;   /**< required */
    nax_tx_type type;       /**< required */
    nax_decimal amount;     /**< required */
    nax_decimal fee;        /**< required */
    nax_tx_status status;   /**< required */
    nax_fiat_method method; /**< required */
    const char *reference;  /**< required: the payment reference the provider reports back */
    int64_t created_at;     /**< required */
    int64_t updated_at;     /**< required */
} nax_fiat_tx;

/** @brief `GET /v1/fiat/transactions` result, one page. */
typedef struct nax_fiat_tx_list {
    size_t struct_size;                     /**< sizeof(nax_fiat_tx_list) */
    const nax_fiat_tx *const *transactions; /**< required: newest first */
    size_t transactions_count;              /**< number of @c transactions */
    const char *next_cursor;                /**< optional: NULL on the last page */
} nax_fiat_tx_list;

/* --------------------------------------------------- provider webhooks */

/** @brief The `data` member of a provider webhook event. */
typedef struct nax_webhook_data {
    size_t struct_size;        /**< sizeof(nax_webhook_data) */
    const char *reference;     /**< optional: deposit or payout reference */
    const nax_decimal *amount; /**< optional */
    const char *currency;      /**< optional: fiat currency or crypto asset */
    const char *user_id;       /**< optional: for KYC events */
    const char *address;       /**< optional: for custody deposits */
    const char *tx_hash;       /**< optional: for custody deposits */
    const char *reason;        /**< optional: for failures and rejections */
} nax_webhook_data;

/** @brief Body of `POST /v1/webhooks/{provider}`. */
typedef struct nax_webhook_event {
    size_t struct_size;    /**< sizeof(nax_webhook_event) */
    const char *id;        /**< required: equals the `webhook-id` header; used to deduplicate */
    nax_webhook_type type; /**< required */
    int64_t created_at;    /**< required */
    const nax_webhook_data *data; /**< required */
} nax_webhook_event;

/* ------------------------------------------------------------- operations */

/** @brief `GET /health` result. */
typedef struct nax_health {
    size_t struct_size;  /**< sizeof(nax_health) */
    const char *status;  /**< required: `"ok"` or `"degraded"` */
    const char *store;   /**< required: `"ok"`, `"read_only"` or `"failed"` */
    const char *version; /**< required: naxd version */
} nax_health;

/* ----------------------------------------------------------------- stream */

/** @brief A control message sent by a stream client. */
typedef struct nax_stream_op {
    size_t struct_size;          /**< sizeof(nax_stream_op) */
    nax_stream_op_kind op;       /**< required */
    uint64_t id;                 /**< required: echoed in the acknowledgement */
    const char *const *channels; /**< optional: for subscribe and unsubscribe */
    size_t channels_count;       /**< number of @c channels */
    const char *token;           /**< optional: JWT, for auth */
    const char *api_key;         /**< optional: API key id, for signed auth */
    int64_t timestamp;           /**< optional: for signed auth, ms since the epoch */
    const char *signature;       /**< optional: for signed auth, hex HMAC-SHA256 */
} nax_stream_op;

/** @brief The server's answer to a #nax_stream_op. */
typedef struct nax_stream_ack {
    size_t struct_size;          /**< sizeof(nax_stream_ack) */
    nax_stream_op_kind op;       /**< required */
    uint64_t id;                 /**< required */
    int ok;                      /**< required boolean */
    const nax_error_body *error; /**< optional: why the op failed, when @c ok is 0 */
} nax_stream_ack;

/**
 * @brief A message published on the stream.
 *
 * Which members are present depends on the channel: `book:{pair}` carries
 * @c bids, @c asks and @c checksum (present flag @c has_checksum);
 * `ticker:{pair}` carries @c ticker; `trades:{pair}` carries @c trades;
 * `orders`, `balances` and `fills` carry @c order, @c balance and @c fill in
 * an update, and the arrays @c orders, @c balances and @c fills in the
 * snapshot sent after subscribing. An `error` message about no channel (a
 * frame the server could not read) has no @c channel.
 */
typedef struct nax_stream_message {
    size_t struct_size;         /**< sizeof(nax_stream_message) */
    const char *channel;        /**< e.g. `"book:BTC-AUD"`; required except in an `error` */
    nax_stream_msg_type type;   /**< required */
    uint64_t seq;               /**< optional: per-channel sequence, rises by one; 0 when absent */
    int64_t ts;                 /**< optional: publish time; 0 when absent */
    const nax_book_level *bids; /**< optional: book levels; quantity 0 removes a level */
    size_t bids_count;          /**< number of @c bids */
    const nax_book_level *asks; /**< optional: book levels; quantity 0 removes a level */
    size_t asks_count;          /**< number of @c asks */
    int has_checksum;           /**< non-zero when @c checksum is present */
    uint32_t checksum;          /**< the book's checksum after this message */
    const nax_ticker *ticker;   /**< optional */
    const nax_trade *const *trades;     /**< optional */
    size_t trades_count;                /**< number of @c trades */
    const nax_order *order;             /**< optional */
    const nax_balance *balance;         /**< optional */
    const nax_fill *fill;               /**< optional */
    const nax_error_body *error;        /**< optional: with type `"error"` */
    const nax_order *const *orders;     /**< optional: `orders` snapshot, the open orders */
    size_t orders_count;                /**< number of @c orders */
    const nax_balance *const *balances; /**< optional: `balances` snapshot, every asset held */
    size_t balances_count;              /**< number of @c balances */
    const nax_fill *const *fills;       /**< optional: `fills` snapshot, oldest first */
    size_t fills_count;                 /**< number of @c fills */
} nax_stream_message;

NAX_END_DECLS

#endif /* NAX_TYPES_H */

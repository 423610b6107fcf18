/*
 * The schema: one field table per contract struct of nax/types.h, the JSON
 * spelling of every enum, and the few cross-member rules a table cannot say.
 * decode.c and encode.c are driven entirely by these tables.
 */
#include <stddef.h>
#include <string.h>

#include "codec_internal.h"

/* Enums are stored as int in the structs; the decoder writes them as int. */
_Static_assert(sizeof(nax_side) == sizeof(int), "enums must be int-sized");
_Static_assert(sizeof(nax_webhook_type) == sizeof(int), "enums must be int-sized");

/* ---- enum spellings (from the comments in nax/types.h) ---- */

#define NAMES(var, ...)                                                                            \
    static const char *const var##_list[] = {__VA_ARGS__};                                         \
    static const nax__codec_enum var = {var##_list,                                                \
                                        (uint8_t)(sizeof(var##_list) / sizeof(var##_list[0]))}

NAMES(side_names, NULL, "buy", "sell");
NAMES(order_type_names, NULL, "limit", "market");
NAMES(tif_names, NULL, "GTC", "IOC", "FOK");
NAMES(order_status_names, NULL, "open", "partially_filled", "filled", "cancelled", "rejected");
NAMES(market_status_names, NULL, "active", "halted", "post_only");
NAMES(liquidity_names, NULL, "maker", "taker");
NAMES(kyc_status_names, NULL, "unverified", "pending", "verified", "rejected");
NAMES(document_type_names, NULL, "passport", "drivers_licence", "national_id", "proof_of_address");
NAMES(tx_type_names, NULL, "deposit", "withdrawal");
NAMES(tx_status_names, NULL, "pending", "completed", "failed", "cancelled");
NAMES(fiat_method_names, NULL, "bank_transfer", "payid", "ach", "wire");
NAMES(webhook_type_names, NULL, "payment.succeeded", "payment.failed", "payout.completed",
      "payout.failed", "deposit.confirmed", "kyc.verified", "kyc.rejected");
NAMES(stream_op_names, NULL, "subscribe", "unsubscribe", "auth", "ping");
NAMES(stream_msg_type_names, NULL, "snapshot", "update", "lagging", "error");
/* Bit i spells (1u << i): NAX_SCOPE_READ, NAX_SCOPE_TRADE, NAX_SCOPE_WITHDRAW. */
NAMES(scope_names, "read", "trade", "withdraw");

/* ---- field table helpers ---- */

#define REQ 1
#define OPT 0

#define FIELD(T, m, kind, req, count, flag, nested, names)                                         \
    {                                                                                              \
#m, (uint8_t)(sizeof(#m) - 1), (uint8_t)(kind), (uint8_t)(req), (uint16_t)offsetof(T, m),  \
            (uint16_t)(count), (uint16_t)(flag), nested, names                                     \
    }

#define STR(T, m, req)         FIELD(T, m, NAX__KIND_STRING, req, 0, 0, NULL, NULL)
#define DEC(T, m)              FIELD(T, m, NAX__KIND_DECIMAL, REQ, 0, 0, NULL, NULL)
#define DECP(T, m)             FIELD(T, m, NAX__KIND_DECIMAL_PTR, OPT, 0, 0, NULL, NULL)
#define I64(T, m, req)         FIELD(T, m, NAX__KIND_INT64, req, 0, 0, NULL, NULL)
#define U64(T, m, req)         FIELD(T, m, NAX__KIND_UINT64, req, 0, 0, NULL, NULL)
#define U32(T, m, req, flag)   FIELD(T, m, NAX__KIND_UINT32, req, 0, flag, NULL, NULL)
#define BOOL(T, m, req)        FIELD(T, m, NAX__KIND_BOOL, req, 0, 0, NULL, NULL)
#define ENUM(T, m, req, names) FIELD(T, m, NAX__KIND_ENUM, req, 0, 0, NULL, &names)
#define SCOPES(T, m)           FIELD(T, m, NAX__KIND_SCOPES, REQ, 0, 0, NULL, &scope_names)
#define OBJ(T, m, req, type)   FIELD(T, m, NAX__KIND_OBJECT, req, 0, 0, &type, NULL)
#define OBJS(T, m, req, type)                                                                      \
    FIELD(T, m, NAX__KIND_OBJECT_ARRAY, req, offsetof(T, m##_count), 0, &type, NULL)
#define LEVELS(T, m, req) FIELD(T, m, NAX__KIND_LEVELS, req, offsetof(T, m##_count), 0, NULL, NULL)
#define STRS(T, m, req)                                                                            \
    FIELD(T, m, NAX__KIND_STRING_ARRAY, req, offsetof(T, m##_count), 0, NULL, NULL)

#define COUNT(a) ((uint8_t)(sizeof(a) / sizeof((a)[0])))

/* A type whose JSON is the struct itself. */
#define TYPE(var, name, T, validate)                                                               \
    static const nax__codec_type var = {name, sizeof(T), var##_fields, COUNT(var##_fields),        \
                                        NULL, validate};                                           \
    _Static_assert(sizeof(T) <= NAX__CODEC_MAX_STRUCT, "struct too large for the codec");          \
    _Static_assert(sizeof(var##_fields) / sizeof(var##_fields[0]) <= NAX__CODEC_MAX_FIELDS,        \
                   "too many members for the codec")

/* ---- cross-member rules ---- */

static int require_member(nax__codec_path *path, const char *name, int code, const char *why)
{
    nax__codec_path_member(path, name, strlen(name));
    return nax__codec_fail(code, path, "missing required member (%s)", why);
}

static int forbid_member(nax__codec_path *path, const char *name, int code, const char *why)
{
    nax__codec_path_member(path, name, strlen(name));
    return nax__codec_fail(code, path, "member not allowed (%s)", why);
}

/* Limit orders carry a price, market orders must not. */
static int check_price_for_type(nax_order_type type, const nax_decimal *price,
                                nax__codec_path *path, int code)
{
    if (type == NAX_ORDER_TYPE_LIMIT && !price)
        return require_member(path, "price", code, "limit order");
    if (type == NAX_ORDER_TYPE_MARKET && price)
        return forbid_member(path, "price", code, "market order");
    return 0;
}

static int validate_order_request(const void *obj, nax__codec_path *path, int code)
{
    const nax_order_request *o = obj;
    return check_price_for_type(o->type, o->price, path, code);
}

static int validate_order(const void *obj, nax__codec_path *path, int code)
{
    const nax_order *o = obj;
    return check_price_for_type(o->type, o->price, path, code);
}

/* The rules of docs/asyncapi.yaml: channels, when present, name at least one
 * channel and subscribe/unsubscribe must have them; auth carries either a
 * token or all of api_key, timestamp and signature (JSON Schema oneOf: not
 * both complete, not neither). */
static int validate_stream_op(const void *obj, nax__codec_path *path, int code)
{
    const nax_stream_op *op = obj;
    if (op->channels && op->channels_count == 0) {
        nax__codec_path_member(path, "channels", 8);
        return nax__codec_fail(code, path, "must name at least one channel");
    }
    int signed_auth = op->api_key && op->timestamp && op->signature;
    switch (op->op) {
    case NAX_STREAM_OP_SUBSCRIBE:
    case NAX_STREAM_OP_UNSUBSCRIBE:
        if (!op->channels)
            return require_member(path, "channels", code, "subscribe and unsubscribe");
        return 0;
    case NAX_STREAM_OP_AUTH:
        if (op->token && signed_auth)
            return forbid_member(path, "api_key", code, "auth uses token or api_key, not both");
        if (op->token || signed_auth)
            return 0;
        if (!op->api_key)
            return require_member(path, "token", code, "auth needs token or api_key");
        if (!op->timestamp)
            return require_member(path, "timestamp", code, "signed auth");
        return require_member(path, "signature", code, "signed auth");
    default: return 0;
    }
}

static int has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The payload member a snapshot or update of this channel lacks, or NULL;
 * *why names the kind of channel. Private channels carry one object in an
 * update and an array of them (maybe empty) in the snapshot. */
static const char *missing_payload(const nax_stream_message *m, const char **why)
{
    int snapshot = m->type == NAX_STREAM_MSG_SNAPSHOT;
    if (has_prefix(m->channel, "book:")) {
        *why = "book channel";
        if (!m->bids)
            return "bids";
        if (!m->asks)
            return "asks";
        return m->has_checksum ? NULL : "checksum";
    }
    if (has_prefix(m->channel, "ticker:")) {
        *why = "ticker channel";
        return m->ticker ? NULL : "ticker";
    }
    if (has_prefix(m->channel, "trades:")) {
        *why = "trades channel";
        return m->trades ? NULL : "trades";
    }
    *why = snapshot ? "private channel snapshot" : "private channel update";
    if (strcmp(m->channel, "orders") == 0)
        return (snapshot ? (const void *)m->orders : (const void *)m->order)
                   ? NULL
                   : (snapshot ? "orders" : "order");
    if (strcmp(m->channel, "balances") == 0)
        return (snapshot ? (const void *)m->balances : (const void *)m->balance)
                   ? NULL
                   : (snapshot ? "balances" : "balance");
    if (strcmp(m->channel, "fills") == 0)
        return (snapshot ? (const void *)m->fills : (const void *)m->fill)
                   ? NULL
                   : (snapshot ? "fills" : "fill");
    return NULL;
}

/* Snapshots and updates carry the payload of their channel and an "error"
 * message its error (docs/asyncapi.yaml, nax_stream_message in types.h).
 * Only an error may lack a channel (a frame the server could not read). */
static int validate_stream_message(const void *obj, nax__codec_path *path, int code)
{
    const nax_stream_message *m = obj;
    if (m->type == NAX_STREAM_MSG_ERROR && !m->error)
        return require_member(path, "error", code, "type \"error\"");
    if (!m->channel) {
        if (m->type == NAX_STREAM_MSG_ERROR)
            return 0;
        return require_member(path, "channel", code, "every message but an error");
    }
    if (m->type != NAX_STREAM_MSG_SNAPSHOT && m->type != NAX_STREAM_MSG_UPDATE)
        return 0;
    const char *why = NULL;
    const char *missing = missing_payload(m, &why);
    if (missing)
        return require_member(path, missing, code, why);
    if (m->type == NAX_STREAM_MSG_UPDATE && m->trades && m->trades_count == 0 &&
        has_prefix(m->channel, "trades:")) {
        nax__codec_path_member(path, "trades", 6);
        return nax__codec_fail(code, path, "an update must hold at least one trade");
    }
    return 0;
}

/* ---- errors and auth ---- */

#define T nax_error_body
static const nax__codec_field t_error_body_fields[] = {
    STR(T, code, REQ),
    STR(T, message, REQ),
    STR(T, field, OPT),
    STR(T, request_id, OPT),
};
#undef T
/* The one type with a wrapper: the JSON is {"error":{...}}. */
static const nax__codec_type t_error_body = {
    "error_body", sizeof(nax_error_body), t_error_body_fields, COUNT(t_error_body_fields), "error",
    NULL};
/* The same struct where it is a member (stream acks and messages): no wrapper. */
static const nax__codec_type t_error_body_member = {
    "error_body", sizeof(nax_error_body), t_error_body_fields, COUNT(t_error_body_fields), NULL,
    NULL};

#define T nax_register_request
static const nax__codec_field t_register_request_fields[] = {
    STR(T, email, REQ),
    STR(T, password, REQ),
    STR(T, full_name, OPT),
    STR(T, country, OPT),
};
TYPE(t_register_request, "register_request", T, NULL);
#undef T

#define T nax_login_request
static const nax__codec_field t_login_request_fields[] = {
    STR(T, email, REQ),
    STR(T, password, REQ),
    STR(T, totp_code, OPT),
};
TYPE(t_login_request, "login_request", T, NULL);
#undef T

#define T nax_token
static const nax__codec_field t_token_fields[] = {
    STR(T, access_token, REQ), STR(T, refresh_token, REQ),      STR(T, token_type, REQ),
    I64(T, expires_in, REQ),   I64(T, refresh_expires_in, REQ),
};
TYPE(t_token, "token", T, NULL);
#undef T

#define T nax_refresh_request
static const nax__codec_field t_refresh_request_fields[] = {
    STR(T, refresh_token, REQ),
};
TYPE(t_refresh_request, "refresh_request", T, NULL);
#undef T

#define T nax_totp_setup
static const nax__codec_field t_totp_setup_fields[] = {
    STR(T, secret, REQ),
    STR(T, otpauth_uri, REQ),
};
TYPE(t_totp_setup, "totp_setup", T, NULL);
#undef T

#define T nax_totp_code
static const nax__codec_field t_totp_code_fields[] = {
    STR(T, code, REQ),
};
TYPE(t_totp_code, "totp_code", T, NULL);
#undef T

#define T nax_api_key_request
static const nax__codec_field t_api_key_request_fields[] = {
    STR(T, label, REQ),
    SCOPES(T, scopes),
};
TYPE(t_api_key_request, "api_key_request", T, NULL);
#undef T

#define T nax_api_key
static const nax__codec_field t_api_key_fields[] = {
    STR(T, id, REQ),     STR(T, label, REQ),      SCOPES(T, scopes),
    STR(T, secret, OPT), I64(T, created_at, REQ), I64(T, last_used_at, OPT),
};
TYPE(t_api_key, "api_key", T, NULL);
#undef T

#define T nax_api_key_list
static const nax__codec_field t_api_key_list_fields[] = {
    OBJS(T, api_keys, REQ, t_api_key),
};
TYPE(t_api_key_list, "api_key_list", T, NULL);
#undef T

/* ---- users ---- */

#define T nax_profile
static const nax__codec_field t_profile_fields[] = {
    STR(T, id, REQ),
    STR(T, email, REQ),
    STR(T, full_name, OPT),
    STR(T, country, OPT),
    STR(T, phone, OPT),
    ENUM(T, kyc_status, REQ, kyc_status_names),
    BOOL(T, totp_enabled, REQ),
    I64(T, created_at, REQ),
};
TYPE(t_profile, "profile", T, NULL);
#undef T

#define T nax_profile_update
static const nax__codec_field t_profile_update_fields[] = {
    STR(T, full_name, OPT),
    STR(T, country, OPT),
    STR(T, phone, OPT),
};
TYPE(t_profile_update, "profile_update", T, NULL);
#undef T

#define T nax_kyc
static const nax__codec_field t_kyc_fields[] = {
    ENUM(T, status, REQ, kyc_status_names),
    STR(T, reason, OPT),
    I64(T, updated_at, REQ),
};
TYPE(t_kyc, "kyc", T, NULL);
#undef T

#define T nax_kyc_document_request
static const nax__codec_field t_kyc_document_request_fields[] = {
    ENUM(T, document_type, REQ, document_type_names),
    STR(T, file_name, REQ),
    STR(T, content_type, REQ),
    STR(T, content_base64, REQ),
};
TYPE(t_kyc_document_request, "kyc_document_request", T, NULL);
#undef T

#define T nax_kyc_document
static const nax__codec_field t_kyc_document_fields[] = {
    STR(T, id, REQ),
    ENUM(T, document_type, REQ, document_type_names),
    ENUM(T, status, REQ, kyc_status_names),
    I64(T, size_bytes, REQ),
    I64(T, created_at, REQ),
};
TYPE(t_kyc_document, "kyc_document", T, NULL);
#undef T

/* ---- markets ---- */

#define T nax_market
static const nax__codec_field t_market_fields[] = {
    STR(T, pair, REQ),
    STR(T, base, REQ),
    STR(T, quote, REQ),
    DEC(T, tick_size),
    DEC(T, lot_size),
    DEC(T, min_notional),
    ENUM(T, status, REQ, market_status_names),
};
TYPE(t_market, "market", T, NULL);
#undef T

#define T nax_market_list
static const nax__codec_field t_market_list_fields[] = {
    OBJS(T, markets, REQ, t_market),
};
TYPE(t_market_list, "market_list", T, NULL);
#undef T

#define T nax_ticker
static const nax__codec_field t_ticker_fields[] = {
    STR(T, pair, REQ),  DECP(T, bid),     DECP(T, ask),    DECP(T, last),
    DEC(T, volume_24h), U64(T, seq, REQ), I64(T, ts, REQ),
};
TYPE(t_ticker, "ticker", T, NULL);
#undef T

#define T nax_order_book
static const nax__codec_field t_order_book_fields[] = {
    STR(T, pair, REQ),    U64(T, seq, REQ),         LEVELS(T, bids, REQ),
    LEVELS(T, asks, REQ), U32(T, checksum, REQ, 0), I64(T, ts, REQ),
};
TYPE(t_order_book, "order_book", T, NULL);
#undef T

#define T nax_trade
static const nax__codec_field t_trade_fields[] = {
    STR(T, id, REQ),
    STR(T, pair, REQ),
    DEC(T, price),
    DEC(T, quantity),
    ENUM(T, side, REQ, side_names),
    I64(T, ts, REQ),
};
TYPE(t_trade, "trade", T, NULL);
#undef T

#define T nax_trade_list
static const nax__codec_field t_trade_list_fields[] = {
    OBJS(T, trades, REQ, t_trade),
};
TYPE(t_trade_list, "trade_list", T, NULL);
#undef T

#define T nax_server_time
static const nax__codec_field t_server_time_fields[] = {
    I64(T, server_time, REQ),
};
TYPE(t_server_time, "server_time", T, NULL);
#undef T

/* ---- orders ---- */

#define T nax_order_request
static const nax__codec_field t_order_request_fields[] = {
    STR(T, pair, REQ),
    ENUM(T, side, REQ, side_names),
    ENUM(T, type, REQ, order_type_names),
    DECP(T, price),
    DEC(T, quantity),
    ENUM(T, time_in_force, OPT, tif_names),
    BOOL(T, post_only, OPT),
    STR(T, client_order_id, OPT),
};
TYPE(t_order_request, "order_request", T, validate_order_request);
#undef T

#define T nax_order
static const nax__codec_field t_order_fields[] = {
    STR(T, id, REQ),
    STR(T, client_order_id, OPT),
    STR(T, pair, REQ),
    ENUM(T, side, REQ, side_names),
    ENUM(T, type, REQ, order_type_names),
    DECP(T, price),
    DEC(T, quantity),
    DEC(T, filled_quantity),
    DECP(T, average_price),
    ENUM(T, time_in_force, REQ, tif_names),
    BOOL(T, post_only, OPT),
    ENUM(T, status, REQ, order_status_names),
    I64(T, created_at, REQ),
    I64(T, updated_at, REQ),
};
TYPE(t_order, "order", T, validate_order);
#undef T

#define T nax_order_list
static const nax__codec_field t_order_list_fields[] = {
    OBJS(T, orders, REQ, t_order),
    STR(T, next_cursor, OPT),
};
TYPE(t_order_list, "order_list", T, NULL);
#undef T

#define T nax_cancel_result
static const nax__codec_field t_cancel_result_fields[] = {
    STRS(T, cancelled, REQ),
};
TYPE(t_cancel_result, "cancel_result", T, NULL);
#undef T

#define T nax_fill
static const nax__codec_field t_fill_fields[] = {
    STR(T, id, REQ),
    STR(T, order_id, REQ),
    STR(T, pair, REQ),
    ENUM(T, side, REQ, side_names),
    DEC(T, price),
    DEC(T, quantity),
    DEC(T, fee),
    STR(T, fee_asset, REQ),
    ENUM(T, liquidity, REQ, liquidity_names),
    I64(T, ts, REQ),
};
TYPE(t_fill, "fill", T, NULL);
#undef T

#define T nax_fill_list
static const nax__codec_field t_fill_list_fields[] = {
    OBJS(T, fills, REQ, t_fill),
    STR(T, next_cursor, OPT),
};
TYPE(t_fill_list, "fill_list", T, NULL);
#undef T

/* ---- wallets ---- */

#define T nax_balance
static const nax__codec_field t_balance_fields[] = {
    STR(T, asset, REQ),
    DEC(T, available),
    DEC(T, locked),
    DEC(T, total),
};
TYPE(t_balance, "balance", T, NULL);
#undef T

#define T nax_balance_list
static const nax__codec_field t_balance_list_fields[] = {
    OBJS(T, balances, REQ, t_balance),
};
TYPE(t_balance_list, "balance_list", T, NULL);
#undef T

#define T nax_deposit_address_request
static const nax__codec_field t_deposit_address_request_fields[] = {
    STR(T, asset, REQ),
    STR(T, network, OPT),
};
TYPE(t_deposit_address_request, "deposit_address_request", T, NULL);
#undef T

#define T nax_deposit_address
static const nax__codec_field t_deposit_address_fields[] = {
    STR(T, asset, REQ),
    STR(T, network, REQ),
    STR(T, address, REQ),
    STR(T, memo, OPT),
};
TYPE(t_deposit_address, "deposit_address", T, NULL);
#undef T

#define T nax_withdraw_request
static const nax__codec_field t_withdraw_request_fields[] = {
    STR(T, asset, REQ),   DEC(T, amount),    STR(T, address, REQ),
    STR(T, network, OPT), STR(T, memo, OPT), STR(T, totp_code, OPT),
};
TYPE(t_withdraw_request, "withdraw_request", T, NULL);
#undef T

#define T nax_wallet_tx
static const nax__codec_field t_wallet_tx_fields[] = {
    STR(T, id, REQ),
    STR(T, asset, REQ),
    ENUM(T, type, REQ, tx_type_names),
    DEC(T, amount),
    DEC(T, fee),
    ENUM(T, status, REQ, tx_status_names),
    STR(T, address, OPT),
    STR(T, network, OPT),
    STR(T, tx_hash, OPT),
    I64(T, created_at, REQ),
    I64(T, updated_at, REQ),
};
TYPE(t_wallet_tx, "wallet_tx", T, NULL);
#undef T

#define T nax_wallet_tx_list
static const nax__codec_field t_wallet_tx_list_fields[] = {
    OBJS(T, transactions, REQ, t_wallet_tx),
    STR(T, next_cursor, OPT),
};
TYPE(t_wallet_tx_list, "wallet_tx_list", T, NULL);
#undef T

/* ---- fiat ---- */

#define T nax_fiat_deposit_request
static const nax__codec_field t_fiat_deposit_request_fields[] = {
    STR(T, currency, REQ),
    DEC(T, amount),
    ENUM(T, method, REQ, fiat_method_names),
};
TYPE(t_fiat_deposit_request, "fiat_deposit_request", T, NULL);
#undef T

#define T nax_fiat_withdraw_request
static const nax__codec_field t_fiat_withdraw_request_fields[] = {
    STR(T, currency, REQ),
    DEC(T, amount),
    ENUM(T, method, REQ, fiat_method_names),
    STR(T, account_name, REQ),
    STR(T, account_number, REQ),
    STR(T, bank_code, REQ),
    STR(T, totp_code, OPT),
};
TYPE(t_fiat_withdraw_request, "fiat_withdraw_request", T, NULL);
#undef T

#define T nax_fiat_tx
static const nax__codec_field t_fiat_tx_fields[] = {
    STR(T, id, REQ),
    STR(T, currency, REQ),
    ENUM(T, type, REQ, tx_type_names),
    DEC(T, amount),
    DEC(T, fee),
    ENUM(T, status, REQ, tx_status_names),
    ENUM(T, method, REQ, fiat_method_names),
    STR(T, reference, REQ),
    I64(T, created_at, REQ),
    I64(T, updated_at, REQ),
};
TYPE(t_fiat_tx, "fiat_tx", T, NULL);
#undef T

#define T nax_fiat_tx_list
static const nax__codec_field t_fiat_tx_list_fields[] = {
    OBJS(T, transactions, REQ, t_fiat_tx),
    STR(T, next_cursor, OPT),
};
TYPE(t_fiat_tx_list, "fiat_tx_list", T, NULL);
#undef T

/* ---- provider webhooks ---- */

#define T nax_webhook_data
static const nax__codec_field t_webhook_data_fields[] = {
    STR(T, reference, OPT), DECP(T, amount),      STR(T, currency, OPT), STR(T, user_id, OPT),
    STR(T, address, OPT),   STR(T, tx_hash, OPT), STR(T, reason, OPT),
};
TYPE(t_webhook_data, "webhook_data", T, NULL);
#undef T

#define T nax_webhook_event
static const nax__codec_field t_webhook_event_fields[] = {
    STR(T, id, REQ),
    ENUM(T, type, REQ, webhook_type_names),
    I64(T, created_at, REQ),
    OBJ(T, data, REQ, t_webhook_data),
};
TYPE(t_webhook_event, "webhook_event", T, NULL);
#undef T

/* ---- operations ---- */

#define T nax_health
static const nax__codec_field t_health_fields[] = {
    STR(T, status, REQ),
    STR(T, store, REQ),
    STR(T, version, REQ),
};
TYPE(t_health, "health", T, NULL);
#undef T

/* ---- stream ---- */

#define T nax_stream_op
static const nax__codec_field t_stream_op_fields[] = {
    ENUM(T, op, REQ, stream_op_names),
    U64(T, id, REQ),
    STRS(T, channels, OPT),
    STR(T, token, OPT),
    STR(T, api_key, OPT),
    I64(T, timestamp, OPT),
    STR(T, signature, OPT),
};
TYPE(t_stream_op, "stream_op", T, validate_stream_op);
#undef T

#define T nax_stream_ack
static const nax__codec_field t_stream_ack_fields[] = {
    ENUM(T, op, REQ, stream_op_names),
    U64(T, id, REQ),
    BOOL(T, ok, REQ),
    OBJ(T, error, OPT, t_error_body_member),
};
TYPE(t_stream_ack, "stream_ack", T, NULL);
#undef T

#define T nax_stream_message
static const nax__codec_field t_stream_message_fields[] = {
    STR(T, channel, OPT),
    ENUM(T, type, REQ, stream_msg_type_names),
    U64(T, seq, OPT),
    I64(T, ts, OPT),
    LEVELS(T, bids, OPT),
    LEVELS(T, asks, OPT),
    U32(T, checksum, OPT, offsetof(T, has_checksum)),
    OBJ(T, ticker, OPT, t_ticker),
    OBJS(T, trades, OPT, t_trade),
    OBJ(T, order, OPT, t_order),
    OBJ(T, balance, OPT, t_balance),
    OBJ(T, fill, OPT, t_fill),
    OBJ(T, error, OPT, t_error_body_member),
    OBJS(T, orders, OPT, t_order),
    OBJS(T, balances, OPT, t_balance),
    OBJS(T, fills, OPT, t_fill),
};
TYPE(t_stream_message, "stream_message", T, validate_stream_message);
#undef T

/* ---- the public types, indexed by nax_type ---- */

static const nax__codec_type *const type_table[] = {
    [NAX_TYPE_ERROR_BODY] = &t_error_body,
    [NAX_TYPE_REGISTER_REQUEST] = &t_register_request,
    [NAX_TYPE_LOGIN_REQUEST] = &t_login_request,
    [NAX_TYPE_TOKEN] = &t_token,
    [NAX_TYPE_REFRESH_REQUEST] = &t_refresh_request,
    [NAX_TYPE_TOTP_SETUP] = &t_totp_setup,
    [NAX_TYPE_TOTP_CODE] = &t_totp_code,
    [NAX_TYPE_API_KEY_REQUEST] = &t_api_key_request,
    [NAX_TYPE_API_KEY] = &t_api_key,
    [NAX_TYPE_API_KEY_LIST] = &t_api_key_list,
    [NAX_TYPE_PROFILE] = &t_profile,
    [NAX_TYPE_PROFILE_UPDATE] = &t_profile_update,
    [NAX_TYPE_KYC] = &t_kyc,
    [NAX_TYPE_KYC_DOCUMENT_REQUEST] = &t_kyc_document_request,
    [NAX_TYPE_KYC_DOCUMENT] = &t_kyc_document,
    [NAX_TYPE_MARKET] = &t_market,
    [NAX_TYPE_MARKET_LIST] = &t_market_list,
    [NAX_TYPE_TICKER] = &t_ticker,
    [NAX_TYPE_ORDER_BOOK] = &t_order_book,
    [NAX_TYPE_TRADE] = &t_trade,
    [NAX_TYPE_TRADE_LIST] = &t_trade_list,
    [NAX_TYPE_SERVER_TIME] = &t_server_time,
    [NAX_TYPE_ORDER_REQUEST] = &t_order_request,
    [NAX_TYPE_ORDER] = &t_order,
    [NAX_TYPE_ORDER_LIST] = &t_order_list,
    [NAX_TYPE_CANCEL_RESULT] = &t_cancel_result,
    [NAX_TYPE_FILL] = &t_fill,
    [NAX_TYPE_FILL_LIST] = &t_fill_list,
    [NAX_TYPE_BALANCE] = &t_balance,
    [NAX_TYPE_BALANCE_LIST] = &t_balance_list,
    [NAX_TYPE_DEPOSIT_ADDRESS_REQUEST] = &t_deposit_address_request,
    [NAX_TYPE_DEPOSIT_ADDRESS] = &t_deposit_address,
    [NAX_TYPE_WITHDRAW_REQUEST] = &t_withdraw_request,
    [NAX_TYPE_WALLET_TX] = &t_wallet_tx,
    [NAX_TYPE_WALLET_TX_LIST] = &t_wallet_tx_list,
    [NAX_TYPE_FIAT_DEPOSIT_REQUEST] = &t_fiat_deposit_request,
    [NAX_TYPE_FIAT_WITHDRAW_REQUEST] = &t_fiat_withdraw_request,
    [NAX_TYPE_FIAT_TX] = &t_fiat_tx,
    [NAX_TYPE_FIAT_TX_LIST] = &t_fiat_tx_list,
    [NAX_TYPE_WEBHOOK_EVENT] = &t_webhook_event,
    [NAX_TYPE_HEALTH] = &t_health,
    [NAX_TYPE_STREAM_OP] = &t_stream_op,
    [NAX_TYPE_STREAM_ACK] = &t_stream_ack,
    [NAX_TYPE_STREAM_MESSAGE] = &t_stream_message,
};

const nax__codec_type *nax__codec_type_of(nax_type type)
{
    if ((unsigned)type >= sizeof(type_table) / sizeof(type_table[0]))
        return NULL;
    return type_table[type];
}

const char *nax_type_name(nax_type type)
{
    const nax__codec_type *t = nax__codec_type_of(type);
    return t ? t->name : "unknown";
}

size_t nax__codec_kind_size(nax__codec_kind kind)
{
    switch (kind) {
    case NAX__KIND_DECIMAL: return sizeof(nax_decimal);
    case NAX__KIND_INT64: return sizeof(int64_t);
    case NAX__KIND_UINT64: return sizeof(uint64_t);
    case NAX__KIND_UINT32: return sizeof(uint32_t);
    case NAX__KIND_BOOL: return sizeof(int);
    case NAX__KIND_ENUM: return sizeof(int);
    case NAX__KIND_SCOPES: return sizeof(unsigned int);
    default: return sizeof(void *); /* strings, pointers, array pointers */
    }
}

const nax__codec_field *nax__codec_find_field(const nax__codec_type *type, const char *name,
                                              size_t len, unsigned hint)
{
    unsigned n = type->field_count;
    if (hint >= n)
        hint = 0;
    /* From the hint to the end, then from the start to the hint. */
    for (unsigned pass = 0, i = hint, stop = n; pass < 2; pass++, i = 0, stop = hint) {
        for (; i < stop; i++) {
            const nax__codec_field *f = &type->fields[i];
            if (f->name_len == len && nax__codec_same_bytes(f->name, name, len))
                return f;
        }
    }
    return NULL;
}

/*
 * call(handle, op, arg, body, num, query) -> Promise: one REST call of
 * nax/api.h, run on the addon's pool (pool.c).
 *
 * execute (a pool thread): nax_decode() the request JSON, call the typed
 * libnax function, nax_encode() the result, and copy nax_error_last() right
 * there (it is thread-local). complete (the main thread): JSON.parse the
 * text and resolve, or reject with a NaxError. The op numbers are mirrored
 * in lib/ops.js.
 */
#include "addon.h"

#include <stdlib.h>
#include <string.h>

enum nn_op {
    OP_REGISTER = 1,
    OP_LOGIN = 2,
    OP_REFRESH = 3,
    OP_LOGOUT = 4,
    OP_TOTP_ENABLE = 5,
    OP_TOTP_CONFIRM = 6,
    OP_TOTP_DISABLE = 7,
    OP_KEYS_CREATE = 8,
    OP_KEYS_LIST = 9,
    OP_KEYS_DELETE = 10,
    OP_PROFILE = 11,
    OP_PROFILE_UPDATE = 12,
    OP_KYC_STATUS = 13,
    OP_KYC_DOCUMENT = 14,
    OP_MARKETS = 15,
    OP_MARKET_GET = 16,
    OP_TICKER = 17,
    OP_ORDERBOOK = 18,
    OP_TRADES = 19,
    OP_TIME = 20,
    OP_HEALTH = 21,
    OP_ORDER_PLACE = 22,
    OP_ORDER_GET = 23,
    OP_ORDER_BY_CLIENT_ID = 24,
    OP_ORDERS_LIST = 25,
    OP_ORDER_CANCEL = 26,
    OP_ORDERS_CANCEL_ALL = 27,
    OP_TRADES_HISTORY = 28,
    OP_BALANCES = 29,
    OP_DEPOSIT_ADDRESS = 30,
    OP_WITHDRAW = 31,
    OP_WALLET_TXS = 32,
    OP_FIAT_DEPOSIT = 33,
    OP_FIAT_WITHDRAW = 34,
    OP_FIAT_TXS = 35,
    OP_SYNC_CLOCK = 36,
    OP_COUNT
};

/* What each op reads: the request type its body decodes to (0: no body),
 * whether it needs the string argument, whether it takes a list query. */
static const struct {
    nax_type request;
    unsigned char needs_arg;
    unsigned char query;
} OPS[OP_COUNT] = {
    [OP_REGISTER] = {NAX_TYPE_REGISTER_REQUEST, 0, 0},
    [OP_LOGIN] = {NAX_TYPE_LOGIN_REQUEST, 0, 0},
    [OP_TOTP_CONFIRM] = {0, 1, 0},
    [OP_TOTP_DISABLE] = {0, 1, 0},
    [OP_KEYS_CREATE] = {NAX_TYPE_API_KEY_REQUEST, 0, 0},
    [OP_KEYS_DELETE] = {0, 1, 0},
    [OP_PROFILE_UPDATE] = {NAX_TYPE_PROFILE_UPDATE, 0, 0},
    [OP_KYC_DOCUMENT] = {NAX_TYPE_KYC_DOCUMENT_REQUEST, 0, 0},
    [OP_MARKET_GET] = {0, 1, 0},
    [OP_TICKER] = {0, 1, 0},
    [OP_ORDERBOOK] = {0, 1, 0},
    [OP_TRADES] = {0, 1, 0},
    [OP_ORDER_PLACE] = {NAX_TYPE_ORDER_REQUEST, 0, 0},
    [OP_ORDER_GET] = {0, 1, 0},
    [OP_ORDER_BY_CLIENT_ID] = {0, 1, 0},
    [OP_ORDERS_LIST] = {0, 0, 1},
    [OP_ORDER_CANCEL] = {0, 1, 0},
    [OP_TRADES_HISTORY] = {0, 0, 1},
    [OP_DEPOSIT_ADDRESS] = {NAX_TYPE_DEPOSIT_ADDRESS_REQUEST, 0, 0},
    [OP_WITHDRAW] = {NAX_TYPE_WITHDRAW_REQUEST, 0, 0},
    [OP_WALLET_TXS] = {0, 0, 1},
    [OP_FIAT_DEPOSIT] = {NAX_TYPE_FIAT_DEPOSIT_REQUEST, 0, 0},
    [OP_FIAT_WITHDRAW] = {NAX_TYPE_FIAT_WITHDRAW_REQUEST, 0, 0},
    [OP_FIAT_TXS] = {0, 0, 1},
};

enum { RES_NONE, RES_JSON, RES_INT };

typedef struct call_work {
    nn_job job; /* first: the pool hands back this pointer */
    napi_deferred deferred;
    nn_client *owner;
    nax_client *client;
    int op;
    int rc;
    int result_kind;
    unsigned int num;
    int64_t int_result;
    char *arg; /* points at arg_inline or a malloc'd copy */
    char *body;
    size_t body_len;
    int has_query;
    nax_list_query query;
    char *query_strings[4];
    nax_buf out;
    nn_error err;
    char arg_inline[72];
} call_work;

static void free_work(call_work *w)
{
    if (w->arg != w->arg_inline)
        free(w->arg);
    if (w->body) /* request bodies may hold passwords and TOTP codes */
        memset(w->body, 0, w->body_len);
    free(w->body);
    for (int i = 0; i < 4; i++)
        free(w->query_strings[i]);
    nax_buf_dispose(&w->out);
    nn_error_dispose(&w->err);
    free(w);
}

/* ---- execute: the worker thread */

static int dispatch(call_work *w, void *req, void **obj, nax_type *type)
{
    nax_client *c = w->client;
    const nax_list_query *q = w->has_query ? &w->query : NULL;
    const char *a = w->arg;
    switch (w->op) {
    case OP_REGISTER:
        *type = NAX_TYPE_PROFILE;
        return nax_auth_register(c, req, (nax_profile **)obj);
    case OP_LOGIN: *type = NAX_TYPE_TOKEN; return nax_auth_login(c, req, (nax_token **)obj);
    case OP_REFRESH: *type = NAX_TYPE_TOKEN; return nax_auth_refresh(c, (nax_token **)obj);
    case OP_LOGOUT: return nax_auth_logout(c);
    case OP_TOTP_ENABLE:
        *type = NAX_TYPE_TOTP_SETUP;
        return nax_auth_totp_enable(c, (nax_totp_setup **)obj);
    case OP_TOTP_CONFIRM: return nax_auth_totp_confirm(c, a);
    case OP_TOTP_DISABLE: return nax_auth_totp_disable(c, a);
    case OP_KEYS_CREATE:
        *type = NAX_TYPE_API_KEY;
        return nax_api_keys_create(c, req, (nax_api_key **)obj);
    case OP_KEYS_LIST:
        *type = NAX_TYPE_API_KEY_LIST;
        return nax_api_keys_list(c, (nax_api_key_list **)obj);
    case OP_KEYS_DELETE: return nax_api_keys_delete(c, a);
    case OP_PROFILE: *type = NAX_TYPE_PROFILE; return nax_users_profile(c, (nax_profile **)obj);
    case OP_PROFILE_UPDATE:
        *type = NAX_TYPE_PROFILE;
        return nax_users_profile_update(c, req, (nax_profile **)obj);
    case OP_KYC_STATUS: *type = NAX_TYPE_KYC; return nax_users_kyc_status(c, (nax_kyc **)obj);
    case OP_KYC_DOCUMENT:
        *type = NAX_TYPE_KYC_DOCUMENT;
        return nax_users_kyc_document(c, req, (nax_kyc_document **)obj);
    case OP_MARKETS:
        *type = NAX_TYPE_MARKET_LIST;
        return nax_markets_list(c, (nax_market_list **)obj);
    case OP_MARKET_GET: *type = NAX_TYPE_MARKET; return nax_markets_get(c, a, (nax_market **)obj);
    case OP_TICKER: *type = NAX_TYPE_TICKER; return nax_markets_ticker(c, a, (nax_ticker **)obj);
    case OP_ORDERBOOK:
        *type = NAX_TYPE_ORDER_BOOK;
        return nax_markets_orderbook(c, a, w->num, (nax_order_book **)obj);
    case OP_TRADES:
        *type = NAX_TYPE_TRADE_LIST;
        return nax_markets_trades(c, a, w->num, (nax_trade_list **)obj);
    case OP_TIME: *type = NAX_TYPE_SERVER_TIME; return nax_markets_time(c, (nax_server_time **)obj);
    case OP_HEALTH: *type = NAX_TYPE_HEALTH; return nax_health_get(c, (nax_health **)obj);
    case OP_ORDER_PLACE: *type = NAX_TYPE_ORDER; return nax_orders_place(c, req, (nax_order **)obj);
    case OP_ORDER_GET: *type = NAX_TYPE_ORDER; return nax_orders_get(c, a, (nax_order **)obj);
    case OP_ORDER_BY_CLIENT_ID:
        *type = NAX_TYPE_ORDER;
        return nax_orders_get_by_client_id(c, a, (nax_order **)obj);
    case OP_ORDERS_LIST:
        *type = NAX_TYPE_ORDER_LIST;
        return nax_orders_list(c, q, (nax_order_list **)obj);
    case OP_ORDER_CANCEL: *type = NAX_TYPE_ORDER; return nax_orders_cancel(c, a, (nax_order **)obj);
    case OP_ORDERS_CANCEL_ALL:
        *type = NAX_TYPE_CANCEL_RESULT;
        return nax_orders_cancel_all(c, a, (nax_cancel_result **)obj);
    case OP_TRADES_HISTORY:
        *type = NAX_TYPE_FILL_LIST;
        return nax_trades_history(c, q, (nax_fill_list **)obj);
    case OP_BALANCES:
        *type = NAX_TYPE_BALANCE_LIST;
        return nax_wallets_balances(c, (nax_balance_list **)obj);
    case OP_DEPOSIT_ADDRESS:
        *type = NAX_TYPE_DEPOSIT_ADDRESS;
        return nax_wallets_deposit_address(c, req, (nax_deposit_address **)obj);
    case OP_WITHDRAW:
        *type = NAX_TYPE_WALLET_TX;
        return nax_wallets_withdraw(c, req, (nax_wallet_tx **)obj);
    case OP_WALLET_TXS:
        *type = NAX_TYPE_WALLET_TX_LIST;
        return nax_wallets_transactions(c, q, (nax_wallet_tx_list **)obj);
    case OP_FIAT_DEPOSIT:
        *type = NAX_TYPE_FIAT_TX;
        return nax_fiat_deposit(c, req, (nax_fiat_tx **)obj);
    case OP_FIAT_WITHDRAW:
        *type = NAX_TYPE_FIAT_TX;
        return nax_fiat_withdraw(c, req, (nax_fiat_tx **)obj);
    case OP_FIAT_TXS:
        *type = NAX_TYPE_FIAT_TX_LIST;
        return nax_fiat_transactions(c, q, (nax_fiat_tx_list **)obj);
    case OP_SYNC_CLOCK: w->result_kind = RES_INT; return nax_client_sync_clock(c, &w->int_result);
    default: return NAX_EINVAL;
    }
}

static void call_execute(nn_job *job)
{
    call_work *w = (call_work *)job;
    void *req = NULL, *obj = NULL;
    nax_type type = NAX_TYPE_NONE;
    int rc = 0;
    if (OPS[w->op].request)
        rc = nax_decode(&req, OPS[w->op].request, w->body, w->body_len, NULL);
    if (rc == 0)
        rc = dispatch(w, req, &obj, &type);
    if (rc == 0 && obj) {
        rc = nax_encode(&w->out, type, obj);
        w->result_kind = RES_JSON;
    }
    if (rc != 0)
        nn_error_capture(&w->err, rc);
    nax_object_free(obj);
    nax_object_free(req);
    w->rc = rc;
}

/* ---- complete: the main thread */

static void call_complete(napi_env env, nn_job *job)
{
    call_work *w = (call_work *)job;
    napi_value v = NULL;
    if (w->rc == 0) {
        if (w->result_kind == RES_JSON)
            v = nn_json_parse(env, w->out.data, w->out.len);
        else if (w->result_kind == RES_INT)
            napi_create_int64(env, w->int_result, &v);
        else
            v = nn_undefined(env);
        if (v) {
            napi_resolve_deferred(env, w->deferred, v);
        } else {
            napi_value exc = NULL;
            napi_get_and_clear_last_exception(env, &exc);
            napi_reject_deferred(env, w->deferred, exc ? exc : nn_undefined(env));
        }
    } else {
        v = nn_error_value(env, &w->err);
        napi_reject_deferred(env, w->deferred, v ? v : nn_undefined(env));
    }
    nn_client_call_end(env, w->owner);
    free_work(w);
}

/* The environment ended first: the promise is gone, and so is JS. */
static void call_discard(nn_job *job)
{
    free_work((call_work *)job);
}

/* ---- the list query, read on the main thread */

static int enum_of(const char *s, const char *const *names, int count)
{
    for (int i = 1; i < count; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

static int read_enum(napi_env env, napi_value q, const char *name, const char *const *names,
                     int count, int *out)
{
    int bad = 0;
    char *s = nn_prop_string(env, q, name, &bad);
    if (bad)
        return -1;
    if (!s)
        return 0;
    int v = enum_of(s, names, count);
    free(s);
    if (v < 0) {
        char msg[96];
        snprintf(msg, sizeof msg, "query.%s: unknown value", name);
        napi_throw_type_error(env, NULL, msg);
        return -1;
    }
    *out = v;
    return 0;
}

static int read_query(napi_env env, napi_value q, call_work *w)
{
    static const char *const statuses[] = {"",       "open",      "partially_filled",
                                           "filled", "cancelled", "rejected"};
    static const char *const sides[] = {"", "buy", "sell"};
    static const char *const tx_types[] = {"", "deposit", "withdrawal"};
    nax_list_query *lq = &w->query;
    int bad = 0, status = 0, side = 0, type = 0;
    lq->struct_size = sizeof *lq;
    lq->pair = w->query_strings[0] = nn_prop_string(env, q, "pair", &bad);
    lq->client_order_id = w->query_strings[1] = nn_prop_string(env, q, "client_order_id", &bad);
    lq->asset = w->query_strings[2] = nn_prop_string(env, q, "asset", &bad);
    lq->cursor = w->query_strings[3] = nn_prop_string(env, q, "cursor", &bad);
    lq->from_ms = nn_prop_int(env, q, "from_ms", &bad);
    lq->to_ms = nn_prop_int(env, q, "to_ms", &bad);
    int64_t limit = nn_prop_int(env, q, "limit", &bad);
    lq->limit = limit > 100000 ? 100000 : (unsigned int)limit;
    if (bad || read_enum(env, q, "status", statuses, 6, &status) != 0 ||
        read_enum(env, q, "side", sides, 3, &side) != 0 ||
        read_enum(env, q, "type", tx_types, 3, &type) != 0)
        return -1;
    lq->status = (nax_order_status)status;
    lq->side = (nax_side)side;
    lq->type = (nax_tx_type)type;
    w->has_query = 1;
    return 0;
}

/* ---- call() */

static int read_string(napi_env env, napi_value v, call_work *w)
{
    size_t len = 0;
    if (napi_get_value_string_utf8(env, v, w->arg_inline, sizeof w->arg_inline, &len) != napi_ok) {
        napi_throw_type_error(env, NULL, "the argument must be a string");
        return -1;
    }
    w->arg = w->arg_inline;
    if (len + 4 >= sizeof w->arg_inline) {
        /* Near the inline buffer's end it may have been cut (at a character
         * boundary, so up to 3 bytes short): copy it whole. */
        if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok ||
            !(w->arg = malloc(len + 1)))
            return -1;
        napi_get_value_string_utf8(env, v, w->arg, len + 1, &len);
    }
    if (strlen(w->arg) != len) { /* C would stop at the NUL: another id than the caller's */
        napi_throw_type_error(env, NULL, "the argument must not contain a NUL character");
        return -1;
    }
    return 0;
}

napi_value nn_call(napi_env env, napi_callback_info info)
{
    size_t argc = 6;
    napi_value argv[6] = {NULL, NULL, NULL, NULL, NULL, NULL}, promise = NULL;
    NN_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
    nn_client *c = nn_client_from(env, argv[0]);
    if (!c)
        return NULL;
    int32_t op = 0;
    if (argc < 2 || napi_get_value_int32(env, argv[1], &op) != napi_ok || op <= 0 ||
        op >= OP_COUNT) {
        napi_throw_range_error(env, NULL, "unknown op");
        return NULL;
    }
    call_work *w = calloc(1, sizeof *w);
    if (!w) {
        napi_throw_error(env, NULL, "nax addon: out of memory");
        return NULL;
    }
    w->op = op;
    w->owner = c;
    w->client = nn_client_raw(c);
    napi_valuetype t = napi_undefined;
    int bad = 0;
    if (argc > 2 && napi_typeof(env, argv[2], &t) == napi_ok && t == napi_string)
        bad = read_string(env, argv[2], w) != 0;
    else if (OPS[op].needs_arg) {
        napi_throw_type_error(env, NULL, "a string argument is required");
        bad = 1;
    }
    if (!bad && OPS[op].request) {
        w->body = nn_bytes_dup(env, argc > 3 ? argv[3] : NULL, "request body", &w->body_len, &bad);
        if (!bad && !w->body) {
            napi_throw_type_error(env, NULL, "a request object is required");
            bad = 1;
        }
    }
    if (!bad && argc > 4 && napi_typeof(env, argv[4], &t) == napi_ok && t == napi_number) {
        int64_t n = 0;
        napi_get_value_int64(env, argv[4], &n);
        w->num = n < 0 ? 0 : n > 100000 ? 100000 : (unsigned int)n;
    }
    if (!bad && OPS[op].query && argc > 5 && napi_typeof(env, argv[5], &t) == napi_ok &&
        t == napi_object)
        bad = read_query(env, argv[5], w) != 0;
    if (bad || napi_create_promise(env, &w->deferred, &promise) != napi_ok) {
        free_work(w);
        if (!bad)
            nn_throw_napi(env, "napi_create_promise");
        return NULL;
    }
    w->job.execute = call_execute;
    w->job.complete = call_complete;
    w->job.discard = call_discard;
    if (nn_pool_submit(env, &w->job) != 0) {
        /* The promise exists: reject it rather than throw. */
        static char text[] = "nax addon: cannot start a thread for the call\0\0\0";
        nn_error e = {NAX_ERROR, 0, 0, 0, text};
        napi_value err = nn_error_value(env, &e);
        napi_reject_deferred(env, w->deferred, err ? err : nn_undefined(env));
        free_work(w);
        return promise;
    }
    nn_client_call_begin(c);
    return promise;
}

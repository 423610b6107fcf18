/*
 * Crypto wallets: balances, deposit addresses, withdrawals and their history,
 * plus the money helpers the fiat and webhook handlers share (app/money.h)
 * and naxd_load_money.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/money.h"
#include "app/publish.h"
#include "auth/auth.h"
#include "core/core.h"

/* ---- assets and networks ------------------------------------------------------ */

static int is_market_base(const naxd_app *a, const char *asset)
{
    size_t n = naxd_engine_market_count(a->engine);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(naxd_engine_market_at(a->engine, i)->base, asset))
            return 1;
    return 0;
}

static int is_market_quote(const naxd_app *a, const char *asset)
{
    size_t n = naxd_engine_market_count(a->engine);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(naxd_engine_market_at(a->engine, i)->quote, asset))
            return 1;
    return 0;
}

/* Fiat: what markets are priced in and never traded as a base (AUD, USD). */
int naxd_money_is_fiat(const naxd_app *a, const char *asset)
{
    return asset && is_market_quote(a, asset) && !is_market_base(a, asset);
}

/* Crypto: any other asset the exchange knows from its markets or asset list. */
int naxd_money_is_crypto(const naxd_app *a, const char *asset)
{
    if (!asset || naxd_money_is_fiat(a, asset))
        return 0;
    return is_market_base(a, asset) || is_market_quote(a, asset) ||
           naxd_config_asset(a->cfg, asset) != NULL;
}

/* The one network each crypto asset is carried on: bitcoin and ethereum, and
 * for other assets their lower-case name (EVM-style addresses). */
const char *naxd_money_network(const char *asset, char *buf, size_t size)
{
    if (!strcmp(asset, "BTC"))
        return "bitcoin";
    if (!strcmp(asset, "ETH"))
        return "ethereum";
    size_t i = 0;
    for (; asset[i] && i + 1 < size; i++)
        buf[i] = (asset[i] >= 'A' && asset[i] <= 'Z') ? (char)(asset[i] - 'A' + 'a') : asset[i];
    buf[i] = 0;
    return buf;
}

static const char bech32_chars[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static int all_in(const char *s, const char *set)
{
    return s[strspn(s, set)] == '\0';
}

static int is_hex_address(const char *s)
{
    return strlen(s) == 42 && s[0] == '0' && s[1] == 'x' && all_in(s + 2, "0123456789abcdefABCDEF");
}

/* Plausible destination for the network: bech32 or base58 bitcoin
 * addresses, "0x" + 40 hex elsewhere. Checks the form, not the checksum. */
static int valid_address(const char *network, const char *s)
{
    if (strcmp(network, "bitcoin") != 0)
        return is_hex_address(s);
    size_t n = strlen(s);
    if (n >= 14 && n <= 74 && !strncmp(s, "bc1", 3))
        return all_in(s + 3, bech32_chars);
    return n >= 26 && n <= 35 && (s[0] == '1' || s[0] == '3') &&
           all_in(s, "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz");
}

/* Deterministic address of (user, asset, network): HMAC of the server key,
 * so the same request always gets the same address without a lookup. */
int naxd_money_deposit_address(naxd_app *a, uint64_t user, const char *asset, const char *network,
                               char *out, size_t size)
{
    char msg[128];
    unsigned char mac[NAX__SHA256_LEN];
    int n = snprintf(msg, sizeof msg, "naxd-deposit-address\n%llu\n%s\n%s",
                     (unsigned long long)user, asset, network);
    if (n < 0 || (size_t)n >= sizeof msg || size < 43)
        return NAX_EINVAL;
    int rc = nax__hmac_key_sha256(a->jwt_mac, mac, msg, (size_t)n);
    if (rc)
        return rc;
    if (!strcmp(network, "bitcoin")) {
        /* "bc1q" + 38 bech32 characters, 5 bits each. */
        memcpy(out, "bc1q", 4);
        for (int i = 0; i < 38; i++) {
            int bit = i * 5, v = 0;
            for (int k = 0; k < 5; k++, bit++)
                v = (v << 1) | ((mac[bit / 8] >> (7 - bit % 8)) & 1);
            out[4 + i] = bech32_chars[v];
        }
        out[42] = 0;
    } else {
        out[0] = '0';
        out[1] = 'x';
        nax__hex_encode(out + 2, mac, 20);
    }
    return 0;
}

/* ---- shared checks -------------------------------------------------------------- */

/* > 0 and at most max_scale decimals; replies 422 invalid_amount otherwise. */
int naxd_money_check_amount(naxd_req *req, const nax_decimal *amount, int max_scale)
{
    if (nax_decimal_sign(amount) <= 0) {
        naxd_fail(req, 422, "invalid_amount", "amount", "amount must be greater than zero");
        return -1;
    }
    if (nax_decimal_scale(amount) > max_scale) {
        nax_decimal norm;
        if (nax_decimal_normalize(&norm, amount) != 0 || nax_decimal_scale(&norm) > max_scale) {
            naxd_fail(req, 422, "invalid_amount", "amount",
                      "amount has more than %d decimal places", max_scale);
            return -1;
        }
    }
    return 0;
}

/* Withdrawals need a verified identity and, once enabled, a fresh TOTP code.
 * Replies (403 kyc_required, 401 totp_required / invalid_totp) and returns
 * non-zero when refused; *step is the code's time step to mark used once the
 * withdrawal is accepted (-1 when TOTP is off). */
int naxd_money_guard(naxd_app *a, naxd_req *req, naxd_user *u, const char *totp_code, int64_t *step)
{
    *step = -1;
    if (totp_code && (strlen(totp_code) != 6 || !all_in(totp_code, "0123456789"))) {
        naxd_fail(req, 400, "invalid_request", "totp_code", "totp_code must be six digits");
        return -1;
    }
    if (u->kyc_status != NAX_KYC_STATUS_VERIFIED) {
        naxd_fail(req, 403, "kyc_required", NULL,
                  "identity verification (KYC) must be complete before withdrawing");
        return -1;
    }
    if (!u->totp_enabled)
        return 0;
    if (!totp_code) {
        naxd_fail(req, 401, "totp_required", "totp_code",
                  "two-factor authentication is on: totp_code is required");
        return -1;
    }
    int64_t s = naxd_totp_check(a, req, u, totp_code, 401, "invalid_totp", "totp_code");
    if (s < 0)
        return -1;
    *step = s;
    return 0;
}

/* The configured withdrawal fee, written with at least the amount's scale
 * ("0.0001" beside "0.10000000" becomes "0.00010000"). */
void naxd_money_fee(const naxd_app *a, const char *asset, const nax_decimal *amount,
                    nax_decimal *fee)
{
    const naxd_asset_fee *af = naxd_config_asset(a->cfg, asset);
    nax_decimal f = {0};
    if (af)
        f = af->withdraw_fee;
    int scale = nax_decimal_scale(amount);
    if (nax_decimal_scale(&f) >= scale || nax_decimal_rescale(fee, &f, scale, NAX_ROUND_DOWN) != 0)
        *fee = f;
}

/* Audit record {"user_id":"u_N","<member>":<obj as the API writes it>}. */
int naxd_money_audit(naxd_mut *m, const char *action, uint64_t user, const char *member,
                     nax_type type, const void *obj)
{
    nax_buf body = NAX_BUF_INIT, json = NAX_BUF_INIT;
    char uid[32];
    naxd_fmt_id(uid, sizeof uid, "u_", user);
    int rc = nax_encode(&body, type, obj);
    if (!rc)
        rc = nax__buf_printf(&json, "{\"user_id\":\"%s\",\"%s\":%s}", uid, member, body.data);
    if (!rc)
        rc = naxd_mut_audit(m, action, NULL, json.data);
    nax_buf_dispose(&body);
    nax_buf_dispose(&json);
    return rc;
}

static int parse_ms(const char *s, int64_t *out)
{
    if (!s || !*s || strlen(s) > 18 || !all_in(s, "0123456789"))
        return -1;
    int64_t v = 0;
    for (; *s; s++)
        v = v * 10 + (*s - '0');
    *out = v;
    return 0;
}

static int valid_asset_code(const char *s)
{
    size_t n = strlen(s);
    return n >= 2 && n <= 12 && all_in(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
}

/* Filters of the transaction lists. Absent ones come back as NULL / -1.
 * Replies 400 and returns non-zero when one is malformed. */
int naxd_money_list_filters(naxd_req *req, const char *asset_param, const char **asset,
                            int64_t *type, int64_t *from, int64_t *to)
{
    const char *v;
    *asset = naxd_req_query(req, asset_param);
    *type = *from = *to = -1;
    if (*asset && !valid_asset_code(*asset)) {
        naxd_fail(req, 400, "invalid_request", asset_param, "%s must be an asset code like BTC",
                  asset_param);
        return -1;
    }
    if ((v = naxd_req_query(req, "type"))) {
        if (!strcmp(v, "deposit"))
            *type = NAX_TX_TYPE_DEPOSIT;
        else if (!strcmp(v, "withdrawal"))
            *type = NAX_TX_TYPE_WITHDRAWAL;
        else {
            naxd_fail(req, 400, "invalid_request", "type", "type must be deposit or withdrawal");
            return -1;
        }
    }
    if ((v = naxd_req_query(req, "from")) && parse_ms(v, from)) {
        naxd_fail(req, 400, "invalid_request", "from", "from must be milliseconds since the epoch");
        return -1;
    }
    if ((v = naxd_req_query(req, "to")) && parse_ms(v, to)) {
        naxd_fail(req, 400, "invalid_request", "to", "to must be milliseconds since the epoch");
        return -1;
    }
    return 0;
}

/* ---- pending transactions --------------------------------------------------------- */

naxd_pending_tx *naxd_pending_tx_new(uint64_t id, int fiat, uint64_t user, const char *asset,
                                     nax_tx_type type, const nax_decimal *amount,
                                     const nax_decimal *fee, const char *reference,
                                     int64_t created_at)
{
    naxd_pending_tx *p = nax__calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->id = id;
    p->fiat = fiat;
    p->user = user;
    p->type = type;
    p->amount = *amount;
    p->fee = *fee;
    p->created_at = created_at;
    p->asset = nax__strdup(asset);
    p->reference = nax__strdup(reference);
    if (!p->asset || !p->reference) {
        naxd_pending_tx_free(p);
        return NULL;
    }
    return p;
}

void naxd_pending_tx_free(naxd_pending_tx *p)
{
    if (!p)
        return;
    nax__free(p->asset);
    nax__free(p->reference);
    nax__free(p);
}

/* ---- GET /v1/wallets/balances ------------------------------------------------------ */

typedef struct balance_rows {
    nax_balance *rows;
    size_t count, cap;
    int failed;
} balance_rows;

static int collect_balance(naxd_user_id user, const char *asset, const nax_decimal *available,
                           const nax_decimal *locked, void *arg)
{
    (void)user;
    balance_rows *br = arg;
    if (br->count == br->cap) {
        size_t cap = br->cap ? br->cap * 2 : 8;
        nax_balance *grown = nax__realloc(br->rows, cap * sizeof(*grown));
        if (!grown) {
            br->failed = NAX_ENOMEM;
            return 1;
        }
        br->rows = grown;
        br->cap = cap;
    }
    nax_balance *b = &br->rows[br->count];
    memset(b, 0, sizeof(*b));
    b->struct_size = sizeof(*b);
    b->asset = asset;
    b->available = *available;
    b->locked = *locked;
    if (nax_decimal_add(&b->total, available, locked) != 0) {
        br->failed = NAX_EOVERFLOW;
        return 1;
    }
    br->count++;
    return 0;
}

NAXD_HANDLER(h_balances)
{
    naxd_app *a = app;
    const naxd_user *u = naxd_ctx_of(req)->who.user;
    balance_rows br = {0};
    naxd_engine_foreach_balance(a->engine, u->id, collect_balance, &br);
    const nax_balance **list = br.failed ? NULL : nax__calloc(br.count + 1, sizeof(*list));
    if (!list) {
        nax__free(br.rows);
        naxd_fail(req, 500, "internal_error", NULL, "balances could not be listed");
        return;
    }
    for (size_t i = 0; i < br.count; i++)
        list[i] = &br.rows[i];
    nax_balance_list out = {sizeof(out), list, br.count};
    naxd_ok(a, req, 200, NAX_TYPE_BALANCE_LIST, &out);
    nax__free(list);
    nax__free(br.rows);
}

/* ---- POST /v1/wallets/deposit-address ------------------------------------------------- */

/* The asset's network, after checking the request's: replies 422 and returns
 * NULL when the asset is not crypto or the network is not the asset's. */
static const char *checked_network(naxd_app *a, naxd_req *req, const char *asset,
                                   const char *network, char *buf, size_t size)
{
    if (!naxd_money_is_crypto(a, asset)) {
        naxd_fail(req, 422, "unknown_asset", "asset", "%s is not a crypto asset of this exchange",
                  valid_asset_code(asset) ? asset : "asset");
        return NULL;
    }
    const char *net = naxd_money_network(asset, buf, size);
    if (network && strcmp(network, net) != 0) {
        naxd_fail(req, 422, "unsupported_network", "network", "%s is carried on network %s only",
                  asset, net);
        return NULL;
    }
    return net;
}

/* The address already stored for (user, asset, network), if any. */
static int stored_address(naxd_app *a, uint64_t user, const char *asset, const char *network,
                          char *out, size_t size)
{
    sqlite3_stmt *st =
        naxd_store_query(a->store, "SELECT address FROM deposit_addresses"
                                   " WHERE user_id = ? AND asset = ? AND network = ?");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)user);
    sqlite3_bind_text(st, 2, asset, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, network, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int found = 0;
    if (rc == SQLITE_ROW) {
        const char *addr = (const char *)sqlite3_column_text(st, 0);
        if (addr && strlen(addr) < size) {
            snprintf(out, size, "%s", addr);
            found = 1;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : -1;
}

NAXD_HANDLER(h_deposit_address)
{
    naxd_app *a = app;
    const naxd_user *u = naxd_ctx_of(req)->who.user;
    nax_deposit_address_request *r = NULL;
    if (naxd_decode_body(req, NAX_TYPE_DEPOSIT_ADDRESS_REQUEST, &r))
        return;
    char netbuf[16], addr[96];
    const char *net = checked_network(a, req, r->asset, r->network, netbuf, sizeof netbuf);
    if (!net)
        goto done;
    nax_deposit_address out = {sizeof(out), r->asset, net, addr, NULL};

    /* Stored earlier (possibly under another server key): that one stays. */
    int found = stored_address(a, u->id, r->asset, net, addr, sizeof addr);
    if (found < 0) {
        naxd_fail(req, 500, "internal_error", NULL, "the store could not be read");
        goto done;
    }
    if (found) {
        naxd_ok(a, req, 200, NAX_TYPE_DEPOSIT_ADDRESS, &out);
        goto done;
    }
    if (naxd_money_deposit_address(a, u->id, r->asset, net, addr, sizeof addr) != 0) {
        naxd_fail(req, 500, "internal_error", NULL, "the address could not be derived");
        goto done;
    }
    void *owner = naxd_map_get(&a->deposit_addresses, addr);
    if (owner) {
        /* Being saved by an earlier request: answer once that is durable. */
        if ((uintptr_t)owner == u->id)
            naxd_ok(a, req, 200, NAX_TYPE_DEPOSIT_ADDRESS, &out);
        else
            naxd_fail(req, 500, "internal_error", NULL, "deposit address collision");
        goto done;
    }

    naxd_mut *m = naxd_mut_begin(a, req);
    if (!m)
        goto done;
    int rc = naxd_batch_sql(naxd_mut_batch(m),
                            "INSERT INTO deposit_addresses(user_id, asset, network, address, memo)"
                            " VALUES(?, ?, ?, ?, NULL)",
                            "uttt", u->id, r->asset, net, addr);
    if (!rc)
        rc = naxd_money_audit(m, "wallet.deposit_address", u->id, "deposit_address",
                              NAX_TYPE_DEPOSIT_ADDRESS, &out);
    if (!rc)
        rc = naxd_map_put(&a->deposit_addresses, addr, (void *)(uintptr_t)u->id);
    if (rc) {
        naxd_mut_abort(m);
        naxd_fail(req, 500, "internal_error", NULL, "out of memory");
        goto done;
    }
    naxd_mut_commit(m, 200, NAX_TYPE_DEPOSIT_ADDRESS, &out);
done:
    nax_object_free(r);
}

/* ---- POST /v1/wallets/withdraw ------------------------------------------------------- */

/* Body checks after the guard; replies 422 and returns NULL when refused. */
static const char *checked_withdrawal(naxd_app *a, naxd_req *req, const nax_withdraw_request *w,
                                      char *netbuf, size_t size)
{
    if (!*w->address) {
        naxd_fail(req, 400, "invalid_request", "address", "address must not be empty");
        return NULL;
    }
    const char *net = checked_network(a, req, w->asset, w->network, netbuf, size);
    if (!net)
        return NULL;
    if (!valid_address(net, w->address)) {
        naxd_fail(req, 422, "invalid_address", "address", "address is not a valid %s address", net);
        return NULL;
    }
    if (w->memo && strlen(w->memo) > 128) {
        naxd_fail(req, 400, "invalid_request", "memo", "memo is longer than 128 characters");
        return NULL;
    }
    if (naxd_money_check_amount(req, &w->amount, NAX_DECIMAL_MAX_SCALE))
        return NULL;
    return net;
}

/* Replies 422 insufficient_funds unless `needed` is available. */
static int check_funds(naxd_app *a, naxd_req *req, uint64_t user, const char *asset,
                       const nax_decimal *needed)
{
    nax_decimal avail, locked;
    naxd_engine_balance(a->engine, user, asset, &avail, &locked);
    if (nax_decimal_cmp(&avail, needed) >= 0)
        return 0;
    char need[NAX_DECIMAL_STRING_MAX], have[NAX_DECIMAL_STRING_MAX];
    nax_decimal_format(need, sizeof need, needed);
    nax_decimal_format(have, sizeof have, &avail);
    naxd_fail(req, 422, "insufficient_funds", "amount",
              "needs %s %s (amount and fee), %s available", need, asset, have);
    return -1;
}

NAXD_HANDLER(h_withdraw)
{
    naxd_app *a = app;
    naxd_user *u = naxd_ctx_of(req)->who.user;
    nax_withdraw_request *w = NULL;
    if (naxd_decode_body(req, NAX_TYPE_WITHDRAW_REQUEST, &w))
        return;
    char netbuf[16], id[32], amount_s[NAX_DECIMAL_STRING_MAX], fee_s[NAX_DECIMAL_STRING_MAX];
    int64_t step;
    nax_decimal fee, total;
    naxd_exec x;
    naxd_exec_init(&x);
    if (naxd_money_guard(a, req, u, w->totp_code, &step))
        goto done;
    const char *net = checked_withdrawal(a, req, w, netbuf, sizeof netbuf);
    if (!net)
        goto done;
    naxd_money_fee(a, w->asset, &w->amount, &fee);
    if (nax_decimal_add(&total, &w->amount, &fee) != 0) {
        naxd_fail(req, 422, "invalid_amount", "amount", "amount is too large");
        goto done;
    }
    if (check_funds(a, req, u->id, w->asset, &total))
        goto done;

    uint64_t tx_id = a->next_tx_id;
    int64_t now = naxd_now_ms(a);
    naxd_fmt_id(id, sizeof id, "wtx_", tx_id);
    nax_decimal_format(amount_s, sizeof amount_s, &w->amount);
    nax_decimal_format(fee_s, sizeof fee_s, &fee);
    nax_wallet_tx tx = {sizeof(tx),
                        id,
                        w->asset,
                        NAX_TX_TYPE_WITHDRAWAL,
                        w->amount,
                        fee,
                        NAX_TX_STATUS_PENDING,
                        w->address,
                        net,
                        NULL,
                        now,
                        now};

    naxd_mut *m = naxd_mut_begin(a, req);
    if (!m)
        goto done;
    naxd_batch *b = naxd_mut_batch(m);
    int rc = naxd_batch_sql(b,
                            "INSERT INTO wallet_txs(id, user_id, asset, type, amount, fee, status,"
                            " address, network, memo, tx_hash, reference, created_at, updated_at)"
                            " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
                            "uutittittttii", tx_id, u->id, w->asset, (int64_t)tx.type, amount_s,
                            fee_s, (int64_t)tx.status, w->address, net, w->memo, id, now, now);
    if (!rc)
        rc = naxd_batch_counter(b, NAXD_TX_COUNTER, tx_id + 1);
    if (!rc)
        rc = naxd_money_audit(m, "wallet.withdraw", u->id, "wallet_tx", NAX_TYPE_WALLET_TX, &tx);
    naxd_pending_tx *p =
        rc ? NULL
           : naxd_pending_tx_new(tx_id, 0, u->id, w->asset, tx.type, &w->amount, &fee, id, now);
    if (p && naxd_map_put(&a->pending_txs, id, p) != 0) {
        naxd_pending_tx_free(p);
        p = NULL;
    }
    if (!p) {
        naxd_mut_abort(m);
        naxd_fail(req, 500, "internal_error", NULL, "out of memory");
        goto done;
    }
    rc = naxd_engine_hold(a->engine, u->id, w->asset, &total, &x);
    if (rc) {
        /* Nothing changed in the engine: undo the map entry and refuse. */
        naxd_pending_tx_free(naxd_map_del(&a->pending_txs, id));
        naxd_mut_abort(m);
        if (x.refusal == NAXD_REFUSE_INSUFFICIENT_FUNDS)
            naxd_fail(req, 422, "insufficient_funds", "amount", "insufficient funds");
        else
            naxd_fail(req, 500, "internal_error", NULL, "the funds could not be held");
        goto done;
    }
    a->next_tx_id = tx_id + 1;
    if ((step >= 0 && naxd_totp_use(u, b, step) != 0) || naxd_batch_exec_balances(b, &x) != 0)
        naxd_batch_fail_commit(b); /* memory changed: fail and reload rather than drift */
    naxd_publish_balances_on_commit(a, m, &x);
    naxd_mut_commit(m, 201, NAX_TYPE_WALLET_TX, &tx);
done:
    naxd_exec_dispose(&x);
    nax_object_free(w);
}

/* ---- GET /v1/wallets/transactions ---------------------------------------------------- */

typedef struct wtx_row {
    nax_wallet_tx tx;
    char id[32];
    char *asset, *address, *network, *tx_hash;
} wtx_row;

static void free_wtx_rows(wtx_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        nax__free(rows[i].asset);
        nax__free(rows[i].address);
        nax__free(rows[i].network);
        nax__free(rows[i].tx_hash);
    }
    nax__free(rows);
}

void naxd_money_bind_list(sqlite3_stmt *st, uint64_t user, const char *asset, int64_t type,
                          int64_t from, int64_t to, uint64_t before, uint32_t limit)
{
    sqlite3_bind_int64(st, 1, (sqlite3_int64)user);
    if (asset)
        sqlite3_bind_text(st, 2, asset, -1, SQLITE_STATIC);
    if (type >= 0)
        sqlite3_bind_int64(st, 3, type);
    if (from >= 0)
        sqlite3_bind_int64(st, 4, from);
    if (to >= 0)
        sqlite3_bind_int64(st, 5, to);
    sqlite3_bind_int64(st, 6, before > (uint64_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)before);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)limit + 1);
}

NAXD_HANDLER(h_wallet_txs)
{
    naxd_app *a = app;
    const naxd_user *u = naxd_ctx_of(req)->who.user;
    const char *asset;
    int64_t type, from, to;
    uint32_t limit;
    uint64_t before;
    if (naxd_money_list_filters(req, "asset", &asset, &type, &from, &to) ||
        naxd_page_params(req, 100, &limit, &before))
        return;
    sqlite3_stmt *st = naxd_store_query(
        a->store, "SELECT id, asset, type, amount, fee, status, address, network, tx_hash,"
                  " created_at, updated_at FROM wallet_txs"
                  " WHERE user_id = ?1 AND (?2 IS NULL OR asset = ?2)"
                  " AND (?3 IS NULL OR type = ?3) AND (?4 IS NULL OR created_at >= ?4)"
                  " AND (?5 IS NULL OR created_at < ?5) AND id < ?6"
                  " ORDER BY id DESC LIMIT ?7");
    wtx_row *rows = st ? nax__calloc((size_t)limit + 1, sizeof(*rows)) : NULL;
    if (!rows) {
        naxd_fail(req, 500, "internal_error", NULL, "transactions could not be listed");
        return;
    }
    naxd_money_bind_list(st, u->id, asset, type, from, to, before, limit);
    size_t n = 0;
    int rc = SQLITE_DONE, oom = 0;
    while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        wtx_row *r = &rows[n++];
        nax_wallet_tx *t = &r->tx;
        t->struct_size = sizeof(*t);
        naxd_fmt_id(r->id, sizeof r->id, "wtx_", (uint64_t)sqlite3_column_int64(st, 0));
        t->id = r->id;
        t->asset = r->asset = naxd_column_dup(st, 1, &oom);
        t->type = (nax_tx_type)sqlite3_column_int(st, 2);
        (void)naxd_column_decimal(st, 3, &t->amount);
        (void)naxd_column_decimal(st, 4, &t->fee);
        t->status = (nax_tx_status)sqlite3_column_int(st, 5);
        t->address = r->address = naxd_column_dup(st, 6, &oom);
        t->network = r->network = naxd_column_dup(st, 7, &oom);
        t->tx_hash = r->tx_hash = naxd_column_dup(st, 8, &oom);
        t->created_at = sqlite3_column_int64(st, 9);
        t->updated_at = sqlite3_column_int64(st, 10);
    }
    sqlite3_reset(st);
    const nax_wallet_tx **list = nax__calloc(n + 1, sizeof(*list));
    if (oom || (rc != SQLITE_DONE && rc != SQLITE_ROW) || !list) {
        nax__free(list);
        free_wtx_rows(rows, n);
        naxd_fail(req, 500, "internal_error", NULL, "transactions could not be listed");
        return;
    }
    char cursor[64];
    nax_wallet_tx_list out = {sizeof(out), list, n > limit ? limit : n, NULL};
    for (size_t i = 0; i < out.transactions_count; i++)
        list[i] = &rows[i].tx;
    if (n > limit) {
        naxd_page_cursor(cursor, sizeof cursor, naxd_parse_id(rows[limit - 1].id, "wtx_"));
        out.next_cursor = cursor;
    }
    naxd_ok(a, req, 200, NAX_TYPE_WALLET_TX_LIST, &out);
    nax__free(list);
    free_wtx_rows(rows, n);
}

/* ---- loading ---------------------------------------------------------------------------- */

static int load_pending(naxd_app *a, const char *sql, int fiat)
{
    sqlite3_stmt *st = naxd_store_query(a->store, sql);
    if (!st)
        return NAX_EIO;
    int rc = SQLITE_DONE, err = 0;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *asset = (const char *)sqlite3_column_text(st, 2);
        const char *ref = (const char *)sqlite3_column_text(st, 6);
        nax_decimal amount, fee;
        (void)naxd_column_decimal(st, 4, &amount);
        (void)naxd_column_decimal(st, 5, &fee);
        if (!asset || !ref)
            continue; /* a pending row always has both; skip rather than fail the start */
        naxd_pending_tx *p = naxd_pending_tx_new((uint64_t)sqlite3_column_int64(st, 0), fiat,
                                                 (uint64_t)sqlite3_column_int64(st, 1), asset,
                                                 (nax_tx_type)sqlite3_column_int(st, 3), &amount,
                                                 &fee, ref, sqlite3_column_int64(st, 7));
        if (!p || naxd_map_put(&a->pending_txs, ref, p) != 0) {
            naxd_pending_tx_free(p);
            err = nax__error_oom();
        }
    }
    sqlite3_reset(st);
    if (!err && rc != SQLITE_DONE)
        err = nax__error(NAX_EIO, "loading pending transactions failed");
    return err;
}

static int load_addresses(naxd_app *a)
{
    sqlite3_stmt *st = naxd_store_query(a->store, "SELECT address, user_id FROM deposit_addresses");
    if (!st)
        return NAX_EIO;
    int rc = SQLITE_DONE, err = 0;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *addr = (const char *)sqlite3_column_text(st, 0);
        uintptr_t user = (uintptr_t)sqlite3_column_int64(st, 1);
        if (addr && naxd_map_put(&a->deposit_addresses, addr, (void *)user) != 0)
            err = nax__error_oom();
    }
    sqlite3_reset(st);
    if (!err && rc != SQLITE_DONE)
        err = nax__error(NAX_EIO, "loading deposit addresses failed");
    return err;
}

static int load_webhook_ids(naxd_app *a)
{
    sqlite3_stmt *st = naxd_store_query(a->store, "SELECT id FROM webhook_events");
    if (!st)
        return NAX_EIO;
    int rc = SQLITE_DONE, err = 0;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        if (id && naxd_map_put(&a->webhook_ids, id, (void *)1) != 0)
            err = nax__error_oom();
    }
    sqlite3_reset(st);
    if (!err && rc != SQLITE_DONE)
        err = nax__error(NAX_EIO, "loading webhook ids failed");
    return err;
}

int naxd_money_deposit_key(nax_buf *out, const char *address, const char *tx_hash)
{
    int rc = nax__buf_printf(out, "%s\n", address);
    for (const char *p = tx_hash; !rc && *p; p++) {
        char c = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
        rc = nax__buf_append(out, &c, 1);
    }
    return rc;
}

static int load_deposit_hashes(naxd_app *a)
{
    sqlite3_stmt *st = naxd_store_query(a->store, "SELECT address, tx_hash FROM wallet_txs"
                                                  " WHERE type = 1 AND tx_hash IS NOT NULL"
                                                  " AND address IS NOT NULL");
    if (!st)
        return NAX_EIO;
    int rc = SQLITE_DONE, err = 0;
    nax_buf key = NAX_BUF_INIT;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        nax__buf_reset(&key);
        if (naxd_money_deposit_key(&key, (const char *)sqlite3_column_text(st, 0),
                                   (const char *)sqlite3_column_text(st, 1)) != 0 ||
            naxd_map_put(&a->deposit_hashes, key.data, (void *)1) != 0)
            err = nax__error_oom();
    }
    nax_buf_dispose(&key);
    sqlite3_reset(st);
    if (!err && rc != SQLITE_DONE)
        err = nax__error(NAX_EIO, "loading deposit hashes failed");
    return err;
}

/* next_tx_id: past the counter and past every id in either table, so ids
 * never repeat even if the counter row lagged. */
static int load_next_tx_id(naxd_app *a)
{
    uint64_t next = 0;
    int rc = naxd_store_counter_load(a->store, NAXD_TX_COUNTER, &next);
    if (rc)
        return rc;
    sqlite3_stmt *st =
        naxd_store_query(a->store, "SELECT MAX(COALESCE((SELECT MAX(id) FROM wallet_txs), 0),"
                                   " COALESCE((SELECT MAX(id) FROM fiat_txs), 0))");
    if (!st)
        return NAX_EIO;
    rc = sqlite3_step(st);
    uint64_t max_id = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return nax__error(NAX_EIO, "reading transaction ids failed");
    if (next <= max_id)
        next = max_id + 1;
    a->next_tx_id = next ? next : 1;
    return 0;
}

int naxd_load_money(naxd_app *a)
{
    int rc = load_pending(a,
                          "SELECT id, user_id, asset, type, amount, fee, reference, created_at"
                          " FROM wallet_txs WHERE status = 1",
                          0);
    if (!rc)
        rc = load_pending(a,
                          "SELECT id, user_id, currency, type, amount, fee, reference, created_at"
                          " FROM fiat_txs WHERE status = 1",
                          1);
    if (!rc)
        rc = load_addresses(a);
    if (!rc)
        rc = load_webhook_ids(a);
    if (!rc)
        rc = load_deposit_hashes(a);
    if (!rc)
        rc = load_next_tx_id(a);
    return rc;
}

/*
 * Provider webhooks: POST /v1/webhooks/{provider}, signed the Standard
 * Webhooks way. Payments complete fiat deposits and pay out fiat
 * withdrawals, custody credits crypto deposits and pays out crypto
 * withdrawals, kyc sets a user's verification status.
 *
 * An accepted event and its effect are saved in one batch together with its
 * id (as "provider:id": ids are unique per sender only), so a redelivery
 * (same webhook-id) is answered 204 without effect. A refused event (4xx) is
 * not recorded: the provider may fix and resend it.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/money.h"
#include "app/publish.h"
#include "core/core.h"

#define ID_MAX       128 /* longest webhook-id */
#define PROVIDER_MAX 32  /* longest provider name (docs/openapi.yaml) */
#define TEXT_MAX     512 /* longest tx_hash or rejection reason kept */
#define AUDIT_PREFIX "webhook."

typedef enum provider_kind { P_OTHER, P_PAYMENTS, P_CUSTODY, P_KYC } provider_kind;

static provider_kind kind_of(const char *name)
{
    if (!strcmp(name, "payments"))
        return P_PAYMENTS;
    if (!strcmp(name, "custody"))
        return P_CUSTODY;
    if (!strcmp(name, "kyc"))
        return P_KYC;
    return P_OTHER;
}

static const char *type_name(nax_webhook_type t)
{
    switch (t) {
    case NAX_WEBHOOK_PAYMENT_SUCCEEDED: return "payment.succeeded";
    case NAX_WEBHOOK_PAYMENT_FAILED: return "payment.failed";
    case NAX_WEBHOOK_PAYOUT_COMPLETED: return "payout.completed";
    case NAX_WEBHOOK_PAYOUT_FAILED: return "payout.failed";
    case NAX_WEBHOOK_DEPOSIT_CONFIRMED: return "deposit.confirmed";
    case NAX_WEBHOOK_KYC_VERIFIED: return "kyc.verified";
    case NAX_WEBHOOK_KYC_REJECTED: return "kyc.rejected";
    default: return "unknown";
    }
}

/* Which events each provider may send (docs/guides/naxd.md). */
static int event_allowed(provider_kind k, nax_webhook_type t)
{
    switch (t) {
    case NAX_WEBHOOK_PAYMENT_SUCCEEDED:
    case NAX_WEBHOOK_PAYMENT_FAILED: return k == P_PAYMENTS;
    case NAX_WEBHOOK_PAYOUT_COMPLETED:
    case NAX_WEBHOOK_PAYOUT_FAILED: return k == P_PAYMENTS || k == P_CUSTODY;
    case NAX_WEBHOOK_DEPOSIT_CONFIRMED: return k == P_CUSTODY;
    case NAX_WEBHOOK_KYC_VERIFIED:
    case NAX_WEBHOOK_KYC_REJECTED: return k == P_KYC;
    default: return 0;
    }
}

/* One accepted event on its way to the store. */
typedef struct event {
    naxd_app *a;
    naxd_req *req;
    const naxd_provider *provider;
    provider_kind kind;
    const nax_webhook_event *ev;
    const nax_webhook_data *data;
    const char *key; /* "provider:id": ids are unique per sender only */
    int64_t now;
} event;

static int missing(naxd_req *req, const char *field)
{
    naxd_fail(req, 400, "invalid_request", field, "%s is required for this event", field);
    return -1;
}

/* Starts the event's mutation: the event row and, in memory, its id (so a
 * redelivery while this one is in flight is a duplicate too). NULL after
 * replying. */
static naxd_mut *begin_event(event *e)
{
    naxd_mut *m = naxd_mut_begin(e->a, e->req);
    if (!m)
        return NULL;
    int rc = naxd_batch_sql(naxd_mut_batch(m),
                            "INSERT INTO webhook_events(id, provider, type, received_at)"
                            " VALUES(?, ?, ?, ?)",
                            "ttti", e->key, e->provider->name, type_name(e->ev->type), e->now);
    if (!rc)
        rc = naxd_map_put(&e->a->webhook_ids, e->key, (void *)1);
    if (rc) {
        naxd_mut_abort(m);
        naxd_fail(e->req, 500, "internal_error", NULL, "out of memory");
        return NULL;
    }
    return m;
}

/* Drops a started event whose memory change did not happen. */
static void cancel_event(event *e, naxd_mut *m)
{
    naxd_map_del(&e->a->webhook_ids, e->key);
    naxd_mut_abort(m);
}

static void audit_action(char *out, size_t size, const event *e)
{
    snprintf(out, size, AUDIT_PREFIX "%s", type_name(e->ev->type));
}

/* ---- payments and payouts ----------------------------------------------------------- */

/* A reference that is not pending: 409 when it exists (final, or being made
 * final right now), else 422. */
static void refuse_reference(event *e, int fiat, nax_tx_type type, const char *ref)
{
    sqlite3_stmt *st = naxd_store_query(
        e->a->store, fiat ? "SELECT status FROM fiat_txs WHERE reference = ? AND type = ?"
                          : "SELECT status FROM wallet_txs WHERE reference = ? AND type = ?");
    int rc = SQLITE_ERROR;
    if (st) {
        sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, type);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
    }
    if (rc == SQLITE_ROW)
        naxd_fail(e->req, 409, "already_final", "data.reference",
                  "the transaction with this reference is already completed or failed");
    else if (rc == SQLITE_DONE)
        naxd_fail(e->req, 422, "unknown_reference", "data.reference",
                  "no pending %s %s has this reference", fiat ? "fiat" : "crypto",
                  type == NAX_TX_TYPE_DEPOSIT ? "deposit" : "withdrawal");
    else
        naxd_fail(e->req, 500, "internal_error", NULL, "the store could not be read");
}

/* {"user_id","id","reference","asset","amount","fee","status"} of a finished tx. */
static int audit_tx(naxd_mut *m, const event *e, const naxd_pending_tx *p, nax_tx_status status)
{
    char action[64], uid[32], id[32], amount[NAX_DECIMAL_STRING_MAX], fee[NAX_DECIMAL_STRING_MAX];
    audit_action(action, sizeof action, e);
    naxd_fmt_id(uid, sizeof uid, "u_", p->user);
    naxd_fmt_id(id, sizeof id, p->fiat ? "ftx_" : "wtx_", p->id);
    nax_decimal_format(amount, sizeof amount, &p->amount);
    nax_decimal_format(fee, sizeof fee, &p->fee);
    nax_buf json = NAX_BUF_INIT;
    /* Every piece is server-made (ids, asset codes, decimals): no escaping needed. */
    int rc = nax__buf_printf(&json,
                             "{\"user_id\":\"%s\",\"id\":\"%s\",\"reference\":\"%s\","
                             "\"asset\":\"%s\",\"amount\":\"%s\",\"fee\":\"%s\",\"status\":\"%s\"}",
                             uid, id, p->reference, p->asset, amount, fee,
                             status == NAX_TX_STATUS_COMPLETED ? "completed" : "failed");
    if (!rc)
        rc = naxd_mut_audit(m, action, NULL, json.data);
    nax_buf_dispose(&json);
    return rc;
}

/* payment.succeeded/failed and payout.completed/failed. */
static void settle_reference(event *e)
{
    const nax_webhook_data *d = e->data;
    nax_webhook_type t = e->ev->type;
    int fiat = e->kind == P_PAYMENTS;
    int payout = t == NAX_WEBHOOK_PAYOUT_COMPLETED || t == NAX_WEBHOOK_PAYOUT_FAILED;
    int success = t == NAX_WEBHOOK_PAYMENT_SUCCEEDED || t == NAX_WEBHOOK_PAYOUT_COMPLETED;
    nax_tx_type type = payout ? NAX_TX_TYPE_WITHDRAWAL : NAX_TX_TYPE_DEPOSIT;
    nax_tx_status status = success ? NAX_TX_STATUS_COMPLETED : NAX_TX_STATUS_FAILED;
    if (!d->reference) {
        missing(e->req, "data.reference");
        return;
    }
    if (d->tx_hash && strlen(d->tx_hash) > TEXT_MAX) {
        naxd_fail(e->req, 400, "invalid_request", "data.tx_hash", "tx_hash is too long");
        return;
    }
    naxd_pending_tx *p = naxd_map_get(&e->a->pending_txs, d->reference);
    if (!p || p->fiat != fiat || p->type != type) {
        refuse_reference(e, fiat, type, d->reference);
        return;
    }
    if (d->currency && strcmp(d->currency, p->asset) != 0) {
        naxd_fail(e->req, 422, "currency_mismatch", "data.currency", "the transaction is in %s",
                  p->asset);
        return;
    }
    if (d->amount && nax_decimal_cmp(d->amount, &p->amount) != 0) {
        char want[NAX_DECIMAL_STRING_MAX];
        nax_decimal_format(want, sizeof want, &p->amount);
        naxd_fail(e->req, 422, "amount_mismatch", "data.amount",
                  "the transaction's amount is %s %s", want, p->asset);
        return;
    }
    nax_decimal total = p->amount;
    if (payout && nax_decimal_add(&total, &p->amount, &p->fee) != 0) {
        naxd_fail(e->req, 500, "internal_error", NULL, "the held amount overflows");
        return;
    }

    naxd_mut *m = begin_event(e);
    if (!m)
        return;
    naxd_batch *b = naxd_mut_batch(m);
    int rc = fiat ? naxd_batch_sql(b, "UPDATE fiat_txs SET status = ?, updated_at = ? WHERE id = ?",
                                   "iiu", (int64_t)status, e->now, p->id)
                  : naxd_batch_sql(b,
                                   "UPDATE wallet_txs SET status = ?, updated_at = ?,"
                                   " tx_hash = COALESCE(?, tx_hash) WHERE id = ?",
                                   "iitu", (int64_t)status, e->now, d->tx_hash, p->id);
    if (!rc)
        rc = audit_tx(m, e, p, status);
    if (rc) {
        cancel_event(e, m);
        naxd_fail(e->req, 500, "internal_error", NULL, "out of memory");
        return;
    }
    naxd_exec x;
    naxd_exec_init(&x);
    rc = 0;
    if (t == NAX_WEBHOOK_PAYMENT_SUCCEEDED)
        rc = naxd_engine_credit(e->a->engine, p->user, p->asset, &total, &x);
    else if (t == NAX_WEBHOOK_PAYOUT_COMPLETED)
        rc = naxd_engine_settle(e->a->engine, p->user, p->asset, &total, &x);
    else if (t == NAX_WEBHOOK_PAYOUT_FAILED)
        rc = naxd_engine_release(e->a->engine, p->user, p->asset, &total, &x);
    if (rc) {
        naxd_exec_dispose(&x);
        cancel_event(e, m);
        naxd_fail(e->req, rc == NAX_EOVERFLOW ? 422 : 500,
                  rc == NAX_EOVERFLOW ? "invalid_amount" : "internal_error", NULL,
                  "the balance could not be changed");
        return;
    }
    /* Final from here on: a second event for this reference is refused. */
    int drift = naxd_batch_exec_balances(b, &x) != 0;
    /* The user's balance; the fee account's below has no subscriber. */
    naxd_publish_balances_on_commit(e->a, m, &x);
    /* A paid-out withdrawal's fee stays on the exchange: it moves to the fee
     * account, so the ledger still adds up to what custody holds. */
    if (!drift && t == NAX_WEBHOOK_PAYOUT_COMPLETED && nax_decimal_sign(&p->fee) > 0)
        drift = naxd_engine_credit(e->a->engine, NAXD_FEE_ACCOUNT, p->asset, &p->fee, &x) != 0 ||
                naxd_batch_exec_balances(b, &x) != 0;
    naxd_pending_tx_free(naxd_map_del(&e->a->pending_txs, d->reference));
    if (drift)
        naxd_batch_fail_commit(b); /* memory changed: fail and reload rather than drift */
    naxd_exec_dispose(&x);
    naxd_mut_commit(m, 204, NAX_TYPE_NONE, NULL);
}

/* ---- custody deposits ------------------------------------------------------------------- */

/* The asset and network an address was issued for: from the store, or, for
 * one still being saved, by deriving the owner's addresses again. */
static int address_asset(naxd_app *a, const char *address, uint64_t owner, char *asset,
                         size_t asset_size, char *network, size_t network_size)
{
    sqlite3_stmt *st = naxd_store_query(
        a->store, "SELECT asset, network FROM deposit_addresses WHERE address = ?");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, address, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(asset, asset_size, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(network, network_size, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc != SQLITE_DONE)
        return -1;
    size_t n = naxd_engine_market_count(a->engine);
    for (size_t i = 0; i < 2 * n + a->cfg->assets_count; i++) {
        const char *cand = i < 2 * n ? (i % 2 ? naxd_engine_market_at(a->engine, i / 2)->quote
                                              : naxd_engine_market_at(a->engine, i / 2)->base)
                                     : a->cfg->assets[i - 2 * n].asset;
        char netbuf[16], derived[96];
        if (!naxd_money_is_crypto(a, cand))
            continue;
        const char *net = naxd_money_network(cand, netbuf, sizeof netbuf);
        if (naxd_money_deposit_address(a, owner, cand, net, derived, sizeof derived) == 0 &&
            !strcmp(derived, address)) {
            snprintf(asset, asset_size, "%s", cand);
            snprintf(network, network_size, "%s", net);
            return 1;
        }
    }
    return 0;
}

static void credit_deposit(event *e)
{
    naxd_app *a = e->a;
    const nax_webhook_data *d = e->data;
    /* The transaction hash is what makes a credit unique: required. */
    if (!d->address || !d->currency || !d->amount || !d->tx_hash) {
        missing(e->req, !d->address    ? "data.address"
                        : !d->currency ? "data.currency"
                        : !d->amount   ? "data.amount"
                                       : "data.tx_hash");
        return;
    }
    if (nax_decimal_sign(d->amount) <= 0) {
        naxd_fail(e->req, 422, "invalid_amount", "data.amount", "amount must be greater than zero");
        return;
    }
    if (d->tx_hash && strlen(d->tx_hash) > TEXT_MAX) {
        naxd_fail(e->req, 400, "invalid_request", "data.tx_hash", "tx_hash is too long");
        return;
    }
    uint64_t owner = (uint64_t)(uintptr_t)naxd_map_get(&a->deposit_addresses, d->address);
    char asset[32], network[32];
    int found =
        owner ? address_asset(a, d->address, owner, asset, sizeof asset, network, sizeof network)
              : 0;
    if (found < 0) {
        naxd_fail(e->req, 500, "internal_error", NULL, "the store could not be read");
        return;
    }
    if (!found) {
        naxd_fail(e->req, 422, "unknown_address", "data.address",
                  "no user was given this deposit address");
        return;
    }
    if (strcmp(d->currency, asset) != 0) {
        naxd_fail(e->req, 422, "currency_mismatch", "data.currency", "the address receives %s",
                  asset);
        return;
    }
    /* Credited, or being credited by a delivery still committing: memory
     * knows both (a different webhook-id does not make it a new deposit). */
    nax_buf seen_key = NAX_BUF_INIT;
    if (naxd_money_deposit_key(&seen_key, d->address, d->tx_hash) != 0) {
        naxd_fail(e->req, 500, "internal_error", NULL, "out of memory");
        return;
    }
    if (naxd_map_get(&a->deposit_hashes, seen_key.data)) {
        nax_buf_dispose(&seen_key);
        naxd_fail(e->req, 409, "already_final", "data.tx_hash",
                  "this transaction was already credited to this address");
        return;
    }

    uint64_t tx_id = a->next_tx_id;
    char id[32], amount_s[NAX_DECIMAL_STRING_MAX], action[64];
    naxd_fmt_id(id, sizeof id, "wtx_", tx_id);
    nax_decimal_format(amount_s, sizeof amount_s, d->amount);
    audit_action(action, sizeof action, e);
    nax_decimal zero = {0};
    nax_wallet_tx tx = {sizeof(tx),
                        id,
                        asset,
                        NAX_TX_TYPE_DEPOSIT,
                        *d->amount,
                        zero,
                        NAX_TX_STATUS_COMPLETED,
                        d->address,
                        network,
                        d->tx_hash,
                        e->now,
                        e->now};

    naxd_mut *m = begin_event(e);
    if (!m || naxd_map_put(&a->deposit_hashes, seen_key.data, (void *)1) != 0) {
        if (m) {
            cancel_event(e, m);
            naxd_fail(e->req, 500, "internal_error", NULL, "out of memory");
        }
        nax_buf_dispose(&seen_key);
        return;
    }
    naxd_batch *b = naxd_mut_batch(m);
    int rc = naxd_batch_sql(b,
                            "INSERT INTO wallet_txs(id, user_id, asset, type, amount, fee, status,"
                            " address, network, memo, tx_hash, reference, created_at, updated_at)"
                            " VALUES(?, ?, ?, ?, ?, '0', ?, ?, ?, NULL, ?, NULL, ?, ?)",
                            "uutitittt"
                            "ii",
                            tx_id, owner, asset, (int64_t)tx.type, amount_s, (int64_t)tx.status,
                            d->address, network, d->tx_hash, e->now, e->now);
    if (!rc)
        rc = naxd_batch_counter(b, NAXD_TX_COUNTER, tx_id + 1);
    if (!rc)
        rc = naxd_money_audit(m, action, owner, "wallet_tx", NAX_TYPE_WALLET_TX, &tx);
    if (rc) {
        naxd_map_del(&a->deposit_hashes, seen_key.data);
        nax_buf_dispose(&seen_key);
        cancel_event(e, m);
        naxd_fail(e->req, 500, "internal_error", NULL, "out of memory");
        return;
    }
    naxd_exec x;
    naxd_exec_init(&x);
    rc = naxd_engine_credit(a->engine, owner, asset, d->amount, &x);
    if (rc) {
        naxd_exec_dispose(&x);
        naxd_map_del(&a->deposit_hashes, seen_key.data);
        nax_buf_dispose(&seen_key);
        cancel_event(e, m);
        naxd_fail(e->req, rc == NAX_EOVERFLOW ? 422 : 500,
                  rc == NAX_EOVERFLOW ? "invalid_amount" : "internal_error", "data.amount",
                  "the deposit could not be credited");
        return;
    }
    a->next_tx_id = tx_id + 1;
    nax_buf_dispose(&seen_key);
    if (naxd_batch_exec_balances(b, &x) != 0)
        naxd_batch_fail_commit(b); /* memory changed: fail and reload rather than drift */
    naxd_publish_balances_on_commit(a, m, &x);
    naxd_exec_dispose(&x);
    naxd_mut_commit(m, 204, NAX_TYPE_NONE, NULL);
}

/* ---- KYC ------------------------------------------------------------------------------------ */

static void set_kyc(event *e)
{
    naxd_app *a = e->a;
    const nax_webhook_data *d = e->data;
    int verified = e->ev->type == NAX_WEBHOOK_KYC_VERIFIED;
    if (!d->user_id) {
        missing(e->req, "data.user_id");
        return;
    }
    naxd_user *u = naxd_user_by_id(a, naxd_parse_id(d->user_id, "u_"));
    if (!u) {
        naxd_fail(e->req, 422, "unknown_user", "data.user_id", "no such user");
        return;
    }
    const char *reason = verified ? NULL : d->reason;
    if (reason && strlen(reason) > TEXT_MAX) {
        naxd_fail(e->req, 400, "invalid_request", "data.reason", "reason is too long");
        return;
    }
    char action[64];
    audit_action(action, sizeof action, e);
    nax_kyc kyc = {sizeof(kyc), verified ? NAX_KYC_STATUS_VERIFIED : NAX_KYC_STATUS_REJECTED,
                   reason, e->now};
    char *reason_copy = reason ? nax__strdup(reason) : NULL;
    if (reason && !reason_copy) {
        naxd_fail(e->req, 500, "internal_error", NULL, "out of memory");
        return;
    }
    naxd_mut *m = begin_event(e);
    if (!m) {
        nax__free(reason_copy);
        return;
    }
    int rc = naxd_batch_sql(naxd_mut_batch(m),
                            "UPDATE users SET kyc_status = ?, kyc_reason = ?, kyc_updated_at = ?"
                            " WHERE id = ?",
                            "itiu", (int64_t)kyc.status, reason, e->now, u->id);
    if (!rc)
        rc = naxd_money_audit(m, action, u->id, "kyc", NAX_TYPE_KYC, &kyc);
    if (rc) {
        nax__free(reason_copy);
        cancel_event(e, m);
        naxd_fail(e->req, 500, "internal_error", NULL, "out of memory");
        return;
    }
    u->kyc_status = kyc.status;
    nax__free(u->kyc_reason);
    u->kyc_reason = reason_copy;
    u->kyc_updated_at = e->now;
    naxd_mut_commit(m, 204, NAX_TYPE_NONE, NULL);
}

/* ---- POST /v1/webhooks/{provider} -------------------------------------------------------------
 */

/* Headers and signature; replies and returns non-zero when refused. */
static int verify(naxd_app *a, naxd_req *req, const naxd_provider *p, const char **id)
{
    static const char *const names[] = {"webhook-id", "webhook-timestamp", "webhook-signature"};
    const char *h[3];
    for (int i = 0; i < 3; i++) {
        h[i] = naxd_req_header(req, names[i]);
        if (!h[i] || !*h[i]) {
            naxd_fail(req, 400, "invalid_request", names[i], "the %s header is required", names[i]);
            return -1;
        }
    }
    if (strlen(h[0]) > ID_MAX) {
        naxd_fail(req, 400, "invalid_request", "webhook-id", "webhook-id is longer than %d",
                  ID_MAX);
        return -1;
    }
    size_t len;
    const char *body = naxd_req_body(req, &len);
    int rc = nax_webhook_verify((const char *const *)p->secrets, p->secrets_count, h[0], h[1], h[2],
                                body ? body : "", body ? len : 0, naxd_now_ms(a) / 1000,
                                NAX_WEBHOOK_TOLERANCE_S);
    if (rc == NAX_EAUTH) {
        const nax_error *e = nax_error_last();
        naxd_fail(req, 401, *e->server_code ? e->server_code : "invalid_signature",
                  *e->field ? e->field : NULL, "%s", e->message);
        return -1;
    }
    if (rc) {
        nax__log(NAX_LOG_ERROR, "naxd: webhook provider %s: %s", p->name,
                 nax_error_last()->message);
        naxd_fail(req, 500, "internal_error", NULL, "the provider's secret is misconfigured");
        return -1;
    }
    *id = h[0];
    return 0;
}

NAXD_HANDLER(h_webhook)
{
    naxd_app *a = app;
    const char *name = naxd_req_param(req, "provider");
    const naxd_provider *p = name ? naxd_config_provider(a->cfg, name) : NULL;
    if (!p || p->secrets_count == 0) {
        naxd_fail(req, 404, "unknown_provider", "provider", "no webhook provider of this name");
        return;
    }
    naxd_ctx *ctx = naxd_ctx_of(req);
    snprintf(ctx->who.actor, sizeof ctx->who.actor, "provider:%s", p->name);
    const char *id;
    nax_webhook_event *ev = NULL;
    if (verify(a, req, p, &id) || naxd_decode_body(req, NAX_TYPE_WEBHOOK_EVENT, &ev))
        return;
    char key[PROVIDER_MAX + 1 + ID_MAX + 1];
    snprintf(key, sizeof key, "%s:%s", p->name, id);
    if (strcmp(ev->id, id) != 0) {
        naxd_fail(req, 400, "invalid_request", "id", "the body's id differs from webhook-id");
    } else if (naxd_map_get(&a->webhook_ids, key)) {
        naxd_ok(a, req, 204, NAX_TYPE_NONE, NULL); /* seen: no second effect */
    } else if (!event_allowed(kind_of(p->name), ev->type)) {
        naxd_fail(req, 422, "unsupported_event", "type", "%s does not send %s events", p->name,
                  type_name(ev->type));
    } else {
        event e = {a, req, p, kind_of(p->name), ev, ev->data, key, naxd_now_ms(a)};
        switch (ev->type) {
        case NAX_WEBHOOK_DEPOSIT_CONFIRMED: credit_deposit(&e); break;
        case NAX_WEBHOOK_KYC_VERIFIED:
        case NAX_WEBHOOK_KYC_REJECTED: set_kyc(&e); break;
        default: settle_reference(&e); break;
        }
    }
    nax_object_free(ev);
}

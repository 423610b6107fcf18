/*
 * Fiat: announcing deposits (completed later by the payment provider's
 * webhook), withdrawing to a bank account, and the history of both.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/money.h"
#include "app/publish.h"
#include "auth/auth.h"
#include "core/core.h"

#define FIAT_SCALE   2   /* cents */
#define ACCOUNT_MAX  128 /* longest account name, number or bank code */
#define REF_CHARS    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define REF_ATTEMPTS 8

/* ---- checks -------------------------------------------------------------------------- */

/* PayID is Australian and ACH American; bank transfers and wires go anywhere. */
static int method_fits(nax_fiat_method method, const char *currency)
{
    switch (method) {
    case NAX_FIAT_METHOD_PAYID: return !strcmp(currency, "AUD");
    case NAX_FIAT_METHOD_ACH: return !strcmp(currency, "USD");
    case NAX_FIAT_METHOD_BANK_TRANSFER:
    case NAX_FIAT_METHOD_WIRE: return 1;
    default: return 0;
    }
}

/* Currency, method and amount; replies 422 and returns non-zero when refused. */
static int check_fiat(naxd_app *a, naxd_req *req, const char *currency, nax_fiat_method method,
                      const nax_decimal *amount)
{
    if (!naxd_money_is_fiat(a, currency)) {
        naxd_fail(req, 422, "unsupported_currency", "currency",
                  "currency must be a fiat currency a market is quoted in");
        return -1;
    }
    if (!method_fits(method, currency)) {
        naxd_fail(req, 422, "unsupported_method", "method", "this method does not carry %s",
                  currency);
        return -1;
    }
    return naxd_money_check_amount(req, amount, FIAT_SCALE);
}

static int check_account_field(naxd_req *req, const char *name, const char *value)
{
    size_t n = value ? strlen(value) : 0;
    if (n >= 1 && n <= ACCOUNT_MAX)
        return 0;
    naxd_fail(req, 400, "invalid_request", name, "%s must be 1 to %d characters", name,
              ACCOUNT_MAX);
    return -1;
}

/* ---- references --------------------------------------------------------------------- */

static int reference_taken(naxd_app *a, const char *ref)
{
    if (naxd_map_get(&a->pending_txs, ref))
        return 1;
    sqlite3_stmt *st = naxd_store_query(a->store, "SELECT 1 FROM fiat_txs WHERE reference = ?");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* "NAX" + 7 random upper-case letters and digits, unused so far. */
static int new_reference(naxd_app *a, char out[11])
{
    for (int attempt = 0; attempt < REF_ATTEMPTS; attempt++) {
        memcpy(out, "NAX", 3);
        for (int i = 3; i < 10;) {
            unsigned char r[16];
            if (nax__random_bytes(r, sizeof r) != 0)
                return -1;
            /* Only bytes below 252 (7 x 36): an even spread over the 36 characters. */
            for (size_t k = 0; k < sizeof r && i < 10; k++)
                if (r[k] < 252)
                    out[i++] = REF_CHARS[r[k] % 36];
        }
        out[10] = 0;
        int taken = reference_taken(a, out);
        if (taken <= 0)
            return taken;
    }
    return -1;
}

/* ---- the shared creation path ---------------------------------------------------------- */

typedef struct fiat_new {
    naxd_user *user;
    nax_tx_type type;
    const char *currency;
    nax_decimal amount, fee;
    nax_fiat_method method;
    const char *account_name, *account_number, *bank_code; /* withdrawals */
    int64_t totp_step;                                     /* -1: none */
} fiat_new;

/* Records a pending fiat transaction (holding amount + fee for withdrawals)
 * and replies 201 once durable. */
static void create_fiat_tx(naxd_app *a, naxd_req *req, const fiat_new *f)
{
    char ref[11], id[32], amount_s[NAX_DECIMAL_STRING_MAX], fee_s[NAX_DECIMAL_STRING_MAX];
    nax_decimal total;
    int withdrawal = f->type == NAX_TX_TYPE_WITHDRAWAL;
    if (nax_decimal_add(&total, &f->amount, &f->fee) != 0) {
        naxd_fail(req, 422, "invalid_amount", "amount", "amount is too large");
        return;
    }
    if (withdrawal) {
        nax_decimal avail, locked;
        naxd_engine_balance(a->engine, f->user->id, f->currency, &avail, &locked);
        if (nax_decimal_cmp(&avail, &total) < 0) {
            char need[NAX_DECIMAL_STRING_MAX], have[NAX_DECIMAL_STRING_MAX];
            nax_decimal_format(need, sizeof need, &total);
            nax_decimal_format(have, sizeof have, &avail);
            naxd_fail(req, 422, "insufficient_funds", "amount",
                      "needs %s %s (amount and fee), %s available", need, f->currency, have);
            return;
        }
    }
    if (new_reference(a, ref) != 0) {
        naxd_fail(req, 500, "internal_error", NULL, "no payment reference could be made");
        return;
    }
    uint64_t tx_id = a->next_tx_id;
    int64_t now = naxd_now_ms(a);
    naxd_fmt_id(id, sizeof id, "ftx_", tx_id);
    nax_decimal_format(amount_s, sizeof amount_s, &f->amount);
    nax_decimal_format(fee_s, sizeof fee_s, &f->fee);
    nax_fiat_tx tx = {
        sizeof(tx), id,  f->currency, f->type, f->amount, f->fee, NAX_TX_STATUS_PENDING,
        f->method,  ref, now,         now};

    naxd_mut *m = naxd_mut_begin(a, req);
    if (!m)
        return;
    naxd_batch *b = naxd_mut_batch(m);
    int rc = naxd_batch_sql(b,
                            "INSERT INTO fiat_txs(id, user_id, currency, type, amount, fee, status,"
                            " method, reference, account_name, account_number, bank_code,"
                            " created_at, updated_at)"
                            " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            "uutittiitttt"
                            "ii",
                            tx_id, f->user->id, f->currency, (int64_t)f->type, amount_s, fee_s,
                            (int64_t)tx.status, (int64_t)f->method, ref, f->account_name,
                            f->account_number, f->bank_code, now, now);
    if (!rc)
        rc = naxd_batch_counter(b, NAXD_TX_COUNTER, tx_id + 1);
    if (!rc)
        rc = naxd_money_audit(m, withdrawal ? "fiat.withdraw" : "fiat.deposit", f->user->id,
                              "fiat_tx", NAX_TYPE_FIAT_TX, &tx);
    naxd_pending_tx *p = rc ? NULL
                            : naxd_pending_tx_new(tx_id, 1, f->user->id, f->currency, f->type,
                                                  &f->amount, &f->fee, ref, now);
    if (p && naxd_map_put(&a->pending_txs, ref, p) != 0) {
        naxd_pending_tx_free(p);
        p = NULL;
    }
    if (!p) {
        naxd_mut_abort(m);
        naxd_fail(req, 500, "internal_error", NULL, "out of memory");
        return;
    }
    if (withdrawal) {
        naxd_exec x;
        naxd_exec_init(&x);
        rc = naxd_engine_hold(a->engine, f->user->id, f->currency, &total, &x);
        if (rc) {
            naxd_pending_tx_free(naxd_map_del(&a->pending_txs, ref));
            naxd_mut_abort(m);
            if (x.refusal == NAXD_REFUSE_INSUFFICIENT_FUNDS)
                naxd_fail(req, 422, "insufficient_funds", "amount", "insufficient funds");
            else
                naxd_fail(req, 500, "internal_error", NULL, "the funds could not be held");
            naxd_exec_dispose(&x);
            return;
        }
        if (naxd_batch_exec_balances(b, &x) != 0)
            naxd_batch_fail_commit(b); /* memory changed: fail and reload rather than drift */
        naxd_publish_balances_on_commit(a, m, &x);
        naxd_exec_dispose(&x);
    }
    a->next_tx_id = tx_id + 1;
    if (f->totp_step >= 0 && naxd_totp_use(f->user, b, f->totp_step) != 0)
        naxd_batch_fail_commit(b);
    naxd_mut_commit(m, 201, NAX_TYPE_FIAT_TX, &tx);
}

/* ---- POST /v1/fiat/deposit ---------------------------------------------------------------- */

NAXD_HANDLER(h_fiat_deposit)
{
    naxd_app *a = app;
    naxd_user *u = naxd_ctx_of(req)->who.user;
    nax_fiat_deposit_request *d = NULL;
    if (naxd_decode_body(req, NAX_TYPE_FIAT_DEPOSIT_REQUEST, &d))
        return;
    if (!check_fiat(a, req, d->currency, d->method, &d->amount)) {
        fiat_new f = {
            u, NAX_TX_TYPE_DEPOSIT, d->currency, d->amount, {0}, d->method, NULL, NULL, NULL, -1};
        /* No fee on deposits; written with the amount's scale ("0.00"). */
        nax_decimal_rescale(&f.fee, &f.fee, nax_decimal_scale(&d->amount), NAX_ROUND_DOWN);
        create_fiat_tx(a, req, &f);
    }
    nax_object_free(d);
}

/* ---- POST /v1/fiat/withdraw ---------------------------------------------------------------- */

NAXD_HANDLER(h_fiat_withdraw)
{
    naxd_app *a = app;
    naxd_user *u = naxd_ctx_of(req)->who.user;
    nax_fiat_withdraw_request *w = NULL;
    if (naxd_decode_body(req, NAX_TYPE_FIAT_WITHDRAW_REQUEST, &w))
        return;
    fiat_new f = {u,         NAX_TX_TYPE_WITHDRAWAL, w->currency,       w->amount,    {0},
                  w->method, w->account_name,        w->account_number, w->bank_code, -1};
    if (naxd_money_guard(a, req, u, w->totp_code, &f.totp_step) ||
        check_account_field(req, "account_name", w->account_name) ||
        check_account_field(req, "account_number", w->account_number) ||
        check_account_field(req, "bank_code", w->bank_code) ||
        check_fiat(a, req, w->currency, w->method, &w->amount))
        goto done;
    naxd_money_fee(a, w->currency, &w->amount, &f.fee);
    create_fiat_tx(a, req, &f);
done:
    nax_object_free(w);
}

/* ---- GET /v1/fiat/transactions ------------------------------------------------------------- */

typedef struct ftx_row {
    nax_fiat_tx tx;
    char id[32];
    char *currency, *reference;
} ftx_row;

static void free_ftx_rows(ftx_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        nax__free(rows[i].currency);
        nax__free(rows[i].reference);
    }
    nax__free(rows);
}

NAXD_HANDLER(h_fiat_txs)
{
    naxd_app *a = app;
    const naxd_user *u = naxd_ctx_of(req)->who.user;
    const char *currency;
    int64_t type, from, to;
    uint32_t limit;
    uint64_t before;
    if (naxd_money_list_filters(req, "currency", &currency, &type, &from, &to) ||
        naxd_page_params(req, 100, &limit, &before))
        return;
    sqlite3_stmt *st = naxd_store_query(
        a->store, "SELECT id, currency, type, amount, fee, status, method, reference,"
                  " created_at, updated_at FROM fiat_txs"
                  " WHERE user_id = ?1 AND (?2 IS NULL OR currency = ?2)"
                  " AND (?3 IS NULL OR type = ?3) AND (?4 IS NULL OR created_at >= ?4)"
                  " AND (?5 IS NULL OR created_at < ?5) AND id < ?6"
                  " ORDER BY id DESC LIMIT ?7");
    ftx_row *rows = st ? nax__calloc((size_t)limit + 1, sizeof(*rows)) : NULL;
    if (!rows) {
        naxd_fail(req, 500, "internal_error", NULL, "transactions could not be listed");
        return;
    }
    naxd_money_bind_list(st, u->id, currency, type, from, to, before, limit);
    size_t n = 0;
    int rc = SQLITE_DONE, oom = 0;
    while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        ftx_row *r = &rows[n++];
        nax_fiat_tx *t = &r->tx;
        t->struct_size = sizeof(*t);
        naxd_fmt_id(r->id, sizeof r->id, "ftx_", (uint64_t)sqlite3_column_int64(st, 0));
        t->id = r->id;
        t->currency = r->currency = naxd_column_dup(st, 1, &oom);
        t->type = (nax_tx_type)sqlite3_column_int(st, 2);
        (void)naxd_column_decimal(st, 3, &t->amount);
        (void)naxd_column_decimal(st, 4, &t->fee);
        t->status = (nax_tx_status)sqlite3_column_int(st, 5);
        t->method = (nax_fiat_method)sqlite3_column_int(st, 6);
        t->reference = r->reference = naxd_column_dup(st, 7, &oom);
        t->created_at = sqlite3_column_int64(st, 8);
        t->updated_at = sqlite3_column_int64(st, 9);
    }
    sqlite3_reset(st);
    const nax_fiat_tx **list = nax__calloc(n + 1, sizeof(*list));
    if (oom || (rc != SQLITE_DONE && rc != SQLITE_ROW) || !list) {
        nax__free(list);
        free_ftx_rows(rows, n);
        naxd_fail(req, 500, "internal_error", NULL, "transactions could not be listed");
        return;
    }
    char cursor[64];
    nax_fiat_tx_list out = {sizeof(out), list, n > limit ? limit : n, NULL};
    for (size_t i = 0; i < out.transactions_count; i++)
        list[i] = &rows[i].tx;
    if (n > limit) {
        naxd_page_cursor(cursor, sizeof cursor, naxd_parse_id(rows[limit - 1].id, "ftx_"));
        out.next_cursor = cursor;
    }
    naxd_ok(a, req, 200, NAX_TYPE_FIAT_TX_LIST, &out);
    nax__free(list);
    free_ftx_rows(rows, n);
}

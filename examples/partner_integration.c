/*
 * partner_integration: what a partner's integration does for one of its
 * users on NA-X, on the libnax REST client, step by step:
 *
 * 1. account: register the user and log in. The login asks for a
 *    two-factor code only when the server says the account needs one
 *    (`totp_required`), as an integration serving existing users must.
 * 2. identity: fill in the profile and upload an identity document (KYC
 *    pending); the exchange's operator verifies it.
 * 3. two-factor, with --totp: enrol an authenticator (POST
 *    /v1/auth/totp/enable, then confirm with its first code), log out and
 *    log in again with a code; from then on every withdrawal carries one.
 * 4. fiat deposit: announce 5000.00 AUD by PayID, the payment provider
 *    reports it paid, the balance shows it.
 * 5. fiat withdrawal: 1200.00 AUD to a bank account; held (locked) until
 *    the provider reports the payout, then gone from the balance.
 * 6. crypto: a BTC deposit address and a deposit to it, then a withdrawal
 *    of 0.1 BTC to an outside address, paid out by the custody provider.
 * 7. history: every fiat and wallet transaction, page by page (nax_pager).
 *
 * Every amount is an exact decimal; each step checks what the server says
 * (balances add up to deposits minus withdrawals and fees) and the program
 * exits 1 with libnax's error detail when something differs.
 *
 * The operator and the providers are played by sandbox.c (plain libcurl,
 * not client calls), the user's authenticator app by authenticator.c.
 *
 *     partner_integration http://127.0.0.1:8080 [--totp]
 *
 * Against a local naxd, from the build directory (starts naxd, runs the
 * integration, stops naxd):
 *     bash ../examples/partner_integration.sh server/naxd examples/partner_integration \
 *         /tmp/naxd-partner [--totp]
 * or by hand: `source ../examples/naxd_local.sh; naxd_start server/naxd
 * /tmp/naxd-partner` (it exports NAXD_OPERATOR_TOKEN and the webhook secrets
 * sandbox.c needs), then `examples/partner_integration "$NAXD_URL"`. With
 * --totp each use of the authenticator needs a new 30-second code, so that
 * run waits up to a minute and a half.
 *
 * Build against an installed libnax:
 *     cc -std=c11 partner_integration.c sandbox.c authenticator.c \
 *        $(pkg-config --cflags --libs nax libcurl libcrypto)
 */
/* POSIX (getpid) also under a plain -std=c11. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <nax.h>

#include "authenticator.h"
#include "sandbox.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- failing loudly ------------------------------------------------------------ */

static void check(int rc, const char *what)
{
    if (rc >= 0)
        return;
    const nax_error *err = nax_error_last();
    fprintf(stderr, "%s failed: %s (%d)", what, nax_strerror(rc), rc);
    if (err->http_status)
        fprintf(stderr, ", HTTP %d", err->http_status);
    if (err->server_code[0])
        fprintf(stderr, " %s", err->server_code);
    if (err->field[0])
        fprintf(stderr, " at %s", err->field);
    fprintf(stderr, ": %s", err->message);
    if (err->request_id[0])
        fprintf(stderr, " (request %s)", err->request_id);
    fputc('\n', stderr);
    exit(EXIT_FAILURE);
}

static void expect(int ok, const char *fmt, ...)
{
    if (ok)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "unexpected: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(EXIT_FAILURE);
}

static void sandbox_ok(int rc)
{
    if (rc) /* sandbox.c has printed why */
        exit(EXIT_FAILURE);
}

static nax_decimal dec(const char *text)
{
    nax_decimal d;
    check(nax_decimal_parse(&d, text, strlen(text), NULL), text);
    return d;
}

typedef struct decstr {
    char s[NAX_DECIMAL_STRING_MAX];
} decstr;

static decstr str(const nax_decimal *d)
{
    decstr out;
    check(nax_decimal_format(out.s, sizeof out.s, d), "nax_decimal_format");
    return out;
}

static int same(const nax_decimal *a, const nax_decimal *b)
{
    return nax_decimal_cmp(a, b) == 0;
}

/* a - b - c, exact */
static nax_decimal minus2(const nax_decimal *a, const nax_decimal *b, const nax_decimal *c)
{
    nax_decimal out;
    check(nax_decimal_sub(&out, a, b), "nax_decimal_sub");
    check(nax_decimal_sub(&out, &out, c), "nax_decimal_sub");
    return out;
}

static const char *tx_status(nax_tx_status s)
{
    switch (s) {
    case NAX_TX_STATUS_PENDING: return "pending";
    case NAX_TX_STATUS_COMPLETED: return "completed";
    case NAX_TX_STATUS_FAILED: return "failed";
    case NAX_TX_STATUS_CANCELLED: return "cancelled";
    default: return "?";
    }
}

static const char *tx_type(nax_tx_type t)
{
    return t == NAX_TX_TYPE_DEPOSIT ? "deposit" : t == NAX_TX_TYPE_WITHDRAWAL ? "withdrawal" : "?";
}

static const char *kyc_name(nax_kyc_status s)
{
    switch (s) {
    case NAX_KYC_STATUS_UNVERIFIED: return "unverified";
    case NAX_KYC_STATUS_PENDING: return "pending";
    case NAX_KYC_STATUS_VERIFIED: return "verified";
    case NAX_KYC_STATUS_REJECTED: return "rejected";
    default: return "?";
    }
}

static void step(const char *title)
{
    printf("\n== %s\n", title);
}

/* ---- the user's session ------------------------------------------------------------ */

typedef struct session {
    nax_client *client; /* holds email and password: it logs in and refreshes by itself */
    sandbox *sb;
    char email[96];
    const char *password;
    char user_id[40];
    int totp_on;
    authenticator auth; /* the user's phone, once enrolled */
} session;

/* A code for a withdrawal when two-factor is on, else NULL. */
static const char *withdrawal_code(session *s, char code[7])
{
    if (!s->totp_on)
        return NULL;
    if (authenticator_code(&s->auth, code))
        expect(0, "the authenticator could not make a code");
    return code;
}

/* Log in; when the account has two-factor on, the server says so
 * (NAX_EAUTH, `totp_required`) and the login is made again with a code.
 * Returns whether a code was needed. */
static int log_in(session *s)
{
    char code[7];
    nax_token *token = NULL;
    nax_login_request login = {
        .struct_size = sizeof login, .email = s->email, .password = s->password};
    int rc = nax_auth_login(s->client, &login, &token), asked = 0;
    if (rc == NAX_EAUTH && strcmp(nax_error_last()->server_code, "totp_required") == 0) {
        asked = 1;
        printf("login      the account has two-factor sign-in on: asking the authenticator\n");
        expect(s->totp_on, "the server wants a code but this user has no authenticator");
        expect(authenticator_code(&s->auth, code) == 0, "the authenticator could not make a code");
        login.totp_code = code;
        rc = nax_auth_login(s->client, &login, &token);
        memset(code, 0, sizeof code);
    }
    check(rc, "nax_auth_login");
    printf("login      %s: access token for %lld s, kept and refreshed inside the client\n",
           s->email, (long long)token->expires_in);
    nax_object_free(token);
    return asked;
}

/* The balance of `asset` (zeros when the user holds none), checked to add up. */
static nax_balance balance_of(session *s, const char *asset, nax_balance_list **keep)
{
    nax_balance_list *list = NULL;
    nax_balance none = {.struct_size = sizeof none, .asset = asset};
    check(nax_wallets_balances(s->client, &list), "nax_wallets_balances");
    nax_balance found = none;
    for (size_t i = 0; i < list->balances_count; i++) {
        const nax_balance *b = list->balances[i];
        nax_decimal sum;
        check(nax_decimal_add(&sum, &b->available, &b->locked), "nax_decimal_add");
        expect(same(&sum, &b->total), "%s: available + locked != total", b->asset);
        if (strcmp(b->asset, asset) == 0)
            found = *b;
    }
    printf("balance    %-4s available %s, locked %s, total %s\n", asset, str(&found.available).s,
           str(&found.locked).s, str(&found.total).s);
    *keep = list; /* `found` points into it */
    return found;
}

static void expect_balance(session *s, const char *asset, const nax_decimal *available,
                           const nax_decimal *locked)
{
    nax_balance_list *list = NULL;
    nax_balance b = balance_of(s, asset, &list);
    expect(same(&b.available, available) && same(&b.locked, locked),
           "%s balance is %s available / %s locked, expected %s / %s", asset, str(&b.available).s,
           str(&b.locked).s, str(available).s, str(locked).s);
    nax_object_free(list);
}

/* ---- the steps -------------------------------------------------------------------------- */

static void sign_up(session *s)
{
    nax_profile *profile = NULL;
    nax_register_request reg = {.struct_size = sizeof reg,
                                .email = s->email,
                                .password = s->password,
                                .full_name = "Pat Partner",
                                .country = "AU"};
    check(nax_auth_register(s->client, &reg, &profile), "nax_auth_register");
    snprintf(s->user_id, sizeof s->user_id, "%s", profile->id);
    printf("register   %s as %s (KYC %s)\n", s->email, s->user_id, kyc_name(profile->kyc_status));
    nax_object_free(profile);
    log_in(s);
}

static void verify_identity(session *s)
{
    /* A one-page PDF, base64: naxd checks the content type against the bytes. */
    static const char pdf[] = "JVBERi0xLjQKJSBleGFtcGxlIGlkZW50aXR5IGRvY3VtZW50CiUlRU9GCg==";
    nax_profile *profile = NULL;
    nax_kyc_document *doc = NULL;
    nax_kyc *kyc = NULL;

    nax_profile_update update = {.struct_size = sizeof update, .phone = "+61400000000"};
    check(nax_users_profile_update(s->client, &update, &profile), "nax_users_profile_update");
    printf("profile    %s, %s, phone %s\n", profile->full_name, profile->country, profile->phone);
    nax_object_free(profile);

    nax_kyc_document_request req = {.struct_size = sizeof req,
                                    .document_type = NAX_DOCUMENT_TYPE_PASSPORT,
                                    .file_name = "passport.pdf",
                                    .content_type = "application/pdf",
                                    .content_base64 = pdf};
    check(nax_users_kyc_document(s->client, &req, &doc), "nax_users_kyc_document");
    printf("kyc        uploaded %s (%lld bytes)\n", doc->id, (long long)doc->size_bytes);
    nax_object_free(doc);
    check(nax_users_kyc_status(s->client, &kyc), "nax_users_kyc_status");
    expect(kyc->status == NAX_KYC_STATUS_PENDING, "KYC is %s after the upload",
           kyc_name(kyc->status));
    printf("kyc        %s: waiting for review\n", kyc_name(kyc->status));
    nax_object_free(kyc);

    sandbox_ok(sandbox_verify_kyc(s->sb, s->user_id));
    check(nax_users_kyc_status(s->client, &kyc), "nax_users_kyc_status");
    expect(kyc->status == NAX_KYC_STATUS_VERIFIED, "KYC is %s after the review",
           kyc_name(kyc->status));
    printf("kyc        %s by the operator\n", kyc_name(kyc->status));
    nax_object_free(kyc);
}

static void enable_two_factor(session *s)
{
    nax_totp_setup *setup = NULL;
    nax_profile *profile = NULL;
    char code[7];
    check(nax_auth_totp_enable(s->client, &setup), "nax_auth_totp_enable");
    /* The secret (and the otpauth:// URI that holds it) goes to the user's
     * app, never to a log. */
    expect(authenticator_init(&s->auth, setup->secret) == 0, "the TOTP secret is not base32");
    nax_object_free(setup);
    printf("2fa        enrolment started; the authenticator took the secret\n");
    expect(authenticator_code(&s->auth, code) == 0, "the authenticator could not make a code");
    check(nax_auth_totp_confirm(s->client, code), "nax_auth_totp_confirm");
    s->totp_on = 1;
    check(nax_users_profile(s->client, &profile), "nax_users_profile");
    expect(profile->totp_enabled, "two-factor is not on after the confirmation");
    printf("2fa        confirmed with the first code: sign-in and withdrawals need a code now\n");
    nax_object_free(profile);

    check(nax_auth_logout(s->client), "nax_auth_logout");
    printf("logout     session revoked\n");
    expect(log_in(s), "the login after enrolment did not ask for a code");
}

static void fiat_deposit(session *s, const nax_decimal *amount)
{
    nax_fiat_tx *tx = NULL;
    nax_fiat_deposit_request req = {.struct_size = sizeof req,
                                    .currency = "AUD",
                                    .amount = *amount,
                                    .method = NAX_FIAT_METHOD_PAYID};
    check(nax_fiat_deposit(s->client, &req, &tx), "nax_fiat_deposit");
    expect(tx->status == NAX_TX_STATUS_PENDING, "a new deposit is %s", tx_status(tx->status));
    printf("deposit    %s: pay %s AUD by PayID with reference %s (%s)\n", tx->id, str(amount).s,
           tx->reference, tx_status(tx->status));
    sandbox_ok(sandbox_payment_succeeded(s->sb, tx->reference, amount, "AUD"));
    printf("           payment provider: payment.succeeded for %s\n", tx->reference);
    nax_object_free(tx);
    nax_decimal zero = {0};
    expect_balance(s, "AUD", amount, &zero);
}

static void fiat_withdrawal(session *s, const nax_decimal *had, const nax_decimal *amount,
                            nax_decimal *left)
{
    char code[7];
    nax_fiat_tx *tx = NULL;
    nax_fiat_withdraw_request req = {.struct_size = sizeof req,
                                     .currency = "AUD",
                                     .amount = *amount,
                                     .method = NAX_FIAT_METHOD_BANK_TRANSFER,
                                     .account_name = "Pat Partner",
                                     .account_number = "12345678",
                                     .bank_code = "062-000",
                                     .totp_code = withdrawal_code(s, code)};
    check(nax_fiat_withdraw(s->client, &req, &tx), "nax_fiat_withdraw");
    expect(tx->status == NAX_TX_STATUS_PENDING, "a new withdrawal is %s", tx_status(tx->status));
    printf("withdraw   %s: %s AUD to the bank, fee %s, reference %s (%s)\n", tx->id, str(amount).s,
           str(&tx->fee).s, tx->reference, tx_status(tx->status));

    /* Held until the provider pays it out. */
    nax_decimal zero = {0}, held, avail = minus2(had, amount, &tx->fee);
    check(nax_decimal_add(&held, amount, &tx->fee), "nax_decimal_add");
    expect_balance(s, "AUD", &avail, &held);

    sandbox_ok(sandbox_payout_completed(s->sb, tx->reference));
    printf("           payment provider: payout.completed for %s\n", tx->reference);
    expect_balance(s, "AUD", &avail, &zero);
    *left = avail;
    nax_object_free(tx);
}

static void crypto_round_trip(session *s, const nax_decimal *deposit, const nax_decimal *amount)
{
    static const char outside[] = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
    char code[7];
    nax_deposit_address *addr = NULL;
    nax_wallet_tx *tx = NULL;
    nax_decimal zero = {0};

    nax_deposit_address_request areq = {.struct_size = sizeof areq, .asset = "BTC"};
    check(nax_wallets_deposit_address(s->client, &areq, &addr), "nax_wallets_deposit_address");
    printf("address    BTC deposits to %s (%s)\n", addr->address, addr->network);
    sandbox_ok(sandbox_custody_deposit(s->sb, addr->address, deposit, "BTC"));
    printf("           custody provider: deposit.confirmed, %s BTC\n", str(deposit).s);
    nax_object_free(addr);
    expect_balance(s, "BTC", deposit, &zero);

    nax_withdraw_request wreq = {.struct_size = sizeof wreq,
                                 .asset = "BTC",
                                 .amount = *amount,
                                 .address = outside,
                                 .totp_code = withdrawal_code(s, code)};
    check(nax_wallets_withdraw(s->client, &wreq, &tx), "nax_wallets_withdraw");
    expect(tx->status == NAX_TX_STATUS_PENDING, "a new withdrawal is %s", tx_status(tx->status));
    printf("withdraw   %s: %s BTC to %s, network fee %s (%s)\n", tx->id, str(amount).s, outside,
           str(&tx->fee).s, tx_status(tx->status));
    nax_decimal held, avail = minus2(deposit, amount, &tx->fee);
    check(nax_decimal_add(&held, amount, &tx->fee), "nax_decimal_add");
    expect_balance(s, "BTC", &avail, &held);

    /* Custody names a crypto payout by the withdrawal's transaction id. */
    sandbox_ok(sandbox_custody_payout_completed(s->sb, tx->id));
    printf("           custody provider: payout.completed for %s\n", tx->id);
    expect_balance(s, "BTC", &avail, &zero);
    nax_object_free(tx);
}

/* Every fiat and wallet transaction, newest first, whatever the page size. */
static void history(session *s)
{
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.limit = 1; /* one per page here, to show the pager fetching pages */
    const void *item;
    nax_pager *pager = NULL;
    int rc, n = 0;

    printf("fiat transactions:\n");
    check(nax_pager_new(&pager, s->client, NAX_LIST_FIAT_TXS, &q), "nax_pager_new");
    while ((rc = nax_pager_next(pager, &item)) == 1) {
        const nax_fiat_tx *t = item;
        printf("  %-8s %-10s %10s %s fee %-6s %-9s %s\n", t->id, tx_type(t->type),
               str(&t->amount).s, t->currency, str(&t->fee).s, tx_status(t->status), t->reference);
        expect(t->status == NAX_TX_STATUS_COMPLETED, "%s is not completed", t->id);
        n++;
    }
    check(rc, "nax_pager_next");
    nax_pager_free(pager);
    expect(n == 2, "%d fiat transactions, expected a deposit and a withdrawal", n);

    printf("wallet transactions:\n");
    n = 0;
    check(nax_pager_new(&pager, s->client, NAX_LIST_WALLET_TXS, &q), "nax_pager_new");
    while ((rc = nax_pager_next(pager, &item)) == 1) {
        const nax_wallet_tx *t = item;
        printf("  %-8s %-10s %10s %s fee %-10s %-9s %s\n", t->id, tx_type(t->type),
               str(&t->amount).s, t->asset, str(&t->fee).s, tx_status(t->status),
               t->address ? t->address : "");
        expect(t->status == NAX_TX_STATUS_COMPLETED, "%s is not completed", t->id);
        n++;
    }
    check(rc, "nax_pager_next");
    nax_pager_free(pager);
    expect(n == 2, "%d wallet transactions, expected a deposit and a withdrawal", n);
}

int main(int argc, char **argv)
{
    int totp = argc == 3 && strcmp(argv[2], "--totp") == 0;
    if (argc < 2 || (argc == 3 && !totp) || argc > 3) {
        fprintf(stderr, "usage: %s BASE_URL [--totp]   (e.g. http://127.0.0.1:8080)\n", argv[0]);
        return 2;
    }
    const char *base_url = argv[1];
    check(nax_global_init(NULL), "nax_global_init");

    static session s; /* static: zeroed, and the authenticator's key is wiped at the end */
    s.password = "Partner-Integration-2026!";
    snprintf(s.email, sizeof s.email, "pat-%lx-%ld@example.com", (unsigned long)time(NULL),
             (long)getpid());
    sandbox_ok(sandbox_open(&s.sb, base_url));
    nax_client_options opts = NAX_CLIENT_OPTIONS_INIT;
    opts.base_url = base_url;
    opts.email = s.email;
    opts.password = s.password;
    opts.user_agent_suffix = "partner-integration-example";
    check(nax_client_new(&s.client, &opts), "nax_client_new");

    step("1. account");
    sign_up(&s);
    step("2. identity");
    verify_identity(&s);
    if (totp) {
        step("3. two-factor sign-in");
        enable_two_factor(&s);
    } else {
        step("3. two-factor sign-in: not turned on (run with --totp)");
    }
    nax_decimal aud_in = dec("5000.00"), aud_out = dec("1200.00"), aud_left;
    step("4. fiat deposit");
    fiat_deposit(&s, &aud_in);
    step("5. fiat withdrawal");
    fiat_withdrawal(&s, &aud_in, &aud_out, &aud_left);
    step("6. crypto deposit and withdrawal");
    nax_decimal btc_in = dec("0.25000000"), btc_out = dec("0.10000000");
    crypto_round_trip(&s, &btc_in, &btc_out);
    step("7. history");
    history(&s);

    check(nax_auth_logout(s.client), "nax_auth_logout");
    printf("\nlogout     done; integration complete (%s AUD left)\n", str(&aud_left).s);
    authenticator_wipe(&s.auth);
    nax_client_free(s.client);
    sandbox_close(s.sb);
    nax_global_shutdown();
    return 0;
}

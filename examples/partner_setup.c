/*
 * partner_setup: prepares a funded account with an API key on a local naxd,
 * for the examples that run as a bot or a backend service.
 *
 * It registers a user and logs in (a nax_client with the email and
 * password), has the operator verify the user's identity, deposits AUD and
 * BTC (the providers' signed webhooks, played by sandbox.c), and creates an
 * API key with the `read` and `trade` scopes through the client. The key
 * goes to stdout as two shell assignments, for a script to read:
 *
 *     NAX_API_KEY=ak_...
 *     NAX_API_SECRET=...
 *
 * The secret is shown by the server only once; this program prints it on
 * stdout and nowhere else. Progress goes to stderr.
 *
 *     partner_setup http://127.0.0.1:8080
 *
 * Needs NAXD_OPERATOR_TOKEN, NAXD_WEBHOOK_SECRET_PAYMENTS and
 * NAXD_WEBHOOK_SECRET_CUSTODY, as naxd was started with. Against a local
 * naxd, from the build directory (naxd_start exports all three):
 *     source ../examples/naxd_local.sh && naxd_start server/naxd /tmp/naxd-dev
 *     eval "$(examples/partner_setup "$NAXD_URL")" && export NAX_API_KEY NAX_API_SECRET
 */
/* POSIX (getpid, strdup, clock_gettime, nanosleep) also under a plain -std=c11. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <nax.h>

#include "sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void check(int rc, const char *what)
{
    if (rc >= 0)
        return;
    const nax_error *err = nax_error_last();
    fprintf(stderr, "%s failed: %s (HTTP %d %s): %s\n", what, nax_strerror(rc), err->http_status,
            err->server_code, err->message);
    exit(EXIT_FAILURE);
}

static nax_decimal dec(const char *text)
{
    nax_decimal d;
    check(nax_decimal_parse(&d, text, strlen(text), NULL), text);
    return d;
}

int main(int argc, char **argv)
{
    static const char password[] = "Partner-Setup-2026!";
    if (argc != 2) {
        fprintf(stderr, "usage: %s BASE_URL\n", argv[0]);
        return 2;
    }
    const char *base_url = argv[1];
    check(nax_global_init(NULL), "nax_global_init");
    sandbox *sb = NULL;
    if (sandbox_open(&sb, base_url))
        return EXIT_FAILURE;

    char email[96];
    snprintf(email, sizeof email, "partner-%lx-%ld@example.com", (unsigned long)time(NULL),
             (long)getpid());
    nax_client *client = NULL;
    nax_client_options opts = NAX_CLIENT_OPTIONS_INIT;
    opts.base_url = base_url;
    opts.email = email;
    opts.password = password;
    check(nax_client_new(&client, &opts), "nax_client_new");

    nax_profile *profile = NULL;
    nax_register_request reg = {
        .struct_size = sizeof reg, .email = email, .password = password, .country = "AU"};
    check(nax_auth_register(client, &reg, &profile), "nax_auth_register");
    fprintf(stderr, "partner_setup: registered %s as %s\n", email, profile->id);
    if (sandbox_verify_kyc(sb, profile->id))
        return EXIT_FAILURE;
    fprintf(stderr, "partner_setup: identity verified\n");
    nax_object_free(profile);

    /* AUD: announce the deposit, then the provider confirms it. */
    nax_fiat_tx *tx = NULL;
    nax_fiat_deposit_request dep = {.struct_size = sizeof dep,
                                    .currency = "AUD",
                                    .amount = dec("50000.00"),
                                    .method = NAX_FIAT_METHOD_PAYID};
    check(nax_fiat_deposit(client, &dep, &tx), "nax_fiat_deposit");
    if (sandbox_payment_succeeded(sb, tx->reference, &dep.amount, "AUD"))
        return EXIT_FAILURE;
    nax_object_free(tx);

    /* BTC: a deposit address, then custody reports the coins arriving. */
    nax_deposit_address *addr = NULL;
    nax_deposit_address_request addr_req = {.struct_size = sizeof addr_req, .asset = "BTC"};
    check(nax_wallets_deposit_address(client, &addr_req, &addr), "nax_wallets_deposit_address");
    nax_decimal btc = dec("1.00000000");
    if (sandbox_custody_deposit(sb, addr->address, &btc, "BTC"))
        return EXIT_FAILURE;
    nax_object_free(addr);
    fprintf(stderr, "partner_setup: funded with 50000.00 AUD and 1.00000000 BTC\n");

    nax_api_key *key = NULL;
    nax_api_key_request key_req = {.struct_size = sizeof key_req,
                                   .label = "partner-bot",
                                   .scopes = NAX_SCOPE_READ | NAX_SCOPE_TRADE};
    check(nax_api_keys_create(client, &key_req, &key), "nax_api_keys_create");
    if (!key->secret) {
        fprintf(stderr, "partner_setup: the new key came without its secret\n");
        return EXIT_FAILURE;
    }
    fprintf(stderr, "partner_setup: API key %s (read, trade)\n", key->id);
    printf("NAX_API_KEY=%s\nNAX_API_SECRET=%s\n", key->id, key->secret);
    nax_object_free(key);

    check(nax_auth_logout(client), "nax_auth_logout");
    nax_client_free(client);
    sandbox_close(sb);
    nax_global_shutdown();
    return 0;
}

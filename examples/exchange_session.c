/*
 * exchange_session: one trading session against a running naxd, on the
 * libnax REST client.
 *
 * Two users register and log in, each with its own nax_client holding the
 * email and password. The operator verifies both identities (KYC). The
 * buyer deposits AUD (a fiat deposit, then the payment provider's signed
 * webhook), the seller deposits BTC (a deposit address, then the custody
 * provider's signed webhook). The seller rests a limit sell, the buyer
 * crosses part of it and rests a bid of its own; the program shows the
 * buyer's fill, the order book and both users' balances, cancels what is
 * left, and the seller withdraws AUD to a bank account (paid out by the
 * provider's webhook).
 *
 * The operator and the providers are played by sandbox.c (plain libcurl:
 * they are not client calls). Everything the users do goes through the
 * client, with typed structs in and out and decimals never as doubles.
 *
 *     exchange_session http://127.0.0.1:8080
 *
 * The secrets come from the variables naxd reads: NAXD_OPERATOR_TOKEN,
 * NAXD_WEBHOOK_SECRET_PAYMENTS and NAXD_WEBHOOK_SECRET_CUSTODY
 * (exchange_session.sh sets all three). Any unexpected result ends the
 * program with libnax's error detail and exit status 1. Against a local
 * naxd, from the build directory (starts naxd, runs the session, stops it):
 *     bash ../examples/exchange_session.sh server/naxd examples/exchange_session /tmp/naxd-session
 *
 * Build against an installed libnax:
 *     cc -std=c11 exchange_session.c sandbox.c $(pkg-config --cflags --libs nax libcurl)
 */
/* POSIX (getpid, strdup, clock_gettime, nanosleep) also under a plain -std=c11. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <nax.h>

#include "sandbox.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char PAIR[] = "BTC-AUD";

/* ---- failing loudly ------------------------------------------------------------ */

/* Print the failing call with libnax's detail (status, server code, field, request id). */
static void die_nax(const char *what, int rc)
{
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

static void check(int rc, const char *what)
{
    if (rc < 0)
        die_nax(what, rc);
}

/* An unexpected result that is not a libnax error. */
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

static nax_decimal dec(const char *text)
{
    nax_decimal d;
    check(nax_decimal_parse(&d, text, strlen(text), NULL), text);
    return d;
}

/* Format into a caller's buffer of NAX_DECIMAL_STRING_MAX bytes. */
static const char *fmt(char buf[NAX_DECIMAL_STRING_MAX], const nax_decimal *d)
{
    check(nax_decimal_format(buf, NAX_DECIMAL_STRING_MAX, d), "nax_decimal_format");
    return buf;
}

static int same(const nax_decimal *a, const nax_decimal *b)
{
    return nax_decimal_cmp(a, b) == 0;
}

static const char *status_name(nax_order_status s)
{
    switch (s) {
    case NAX_ORDER_STATUS_OPEN: return "open";
    case NAX_ORDER_STATUS_PARTIALLY_FILLED: return "partially_filled";
    case NAX_ORDER_STATUS_FILLED: return "filled";
    case NAX_ORDER_STATUS_CANCELLED: return "cancelled";
    case NAX_ORDER_STATUS_REJECTED: return "rejected";
    default: return "?";
    }
}

static void step(const char *title)
{
    printf("\n== %s\n", title);
}

/* ---- users ------------------------------------------------------------------------ */

typedef struct user {
    const char *role;
    char email[96];
    char id[40];
    nax_client *client; /* logged in with the user's email and password */
} user;

/* Unique enough for emails on a local server: time, process and a counter. */
static void random_tag(char *out, size_t size)
{
    static unsigned int counter;
    snprintf(out, size, "%lx-%ld-%u", (unsigned long)time(NULL), (long)getpid(), ++counter);
}

/* Register, then log in through a client that holds the user's credentials. */
static void sign_up(user *u, const char *base_url, const char *role, const char *full_name)
{
    static const char password[] = "Example-Session-2026!";
    char tag[32];
    nax_profile *profile = NULL;
    nax_token *token = NULL;

    random_tag(tag, sizeof tag);
    u->role = role;
    snprintf(u->email, sizeof u->email, "%s-%s@example.com", role, tag);

    nax_client_options opts = NAX_CLIENT_OPTIONS_INIT;
    opts.base_url = base_url;
    opts.email = u->email;
    opts.password = password;
    opts.user_agent_suffix = "exchange-session-example";
    check(nax_client_new(&u->client, &opts), "nax_client_new");

    nax_register_request reg = {.struct_size = sizeof reg,
                                .email = u->email,
                                .password = password,
                                .full_name = full_name,
                                .country = "AU"};
    check(nax_auth_register(u->client, &reg, &profile), "nax_auth_register");
    expect(profile->kyc_status == NAX_KYC_STATUS_UNVERIFIED, "a new user is already verified");
    snprintf(u->id, sizeof u->id, "%s", profile->id);
    printf("registered %-6s %s as %s\n", role, u->email, u->id);
    nax_object_free(profile);

    /* The client would log in by itself on its first private call; doing it
     * here shows the session. The tokens stay inside the client. */
    nax_login_request login = {
        .struct_size = sizeof login, .email = u->email, .password = password};
    check(nax_auth_login(u->client, &login, &token), "nax_auth_login");
    printf("logged in  %-6s access token valid for %lld s, refreshed by the client\n", role,
           (long long)token->expires_in);
    nax_object_free(token);
}

static void verify_identity(sandbox *sb, const user *u)
{
    nax_kyc *kyc = NULL;
    if (sandbox_verify_kyc(sb, u->id))
        exit(EXIT_FAILURE);
    check(nax_users_kyc_status(u->client, &kyc), "nax_users_kyc_status");
    expect(kyc->status == NAX_KYC_STATUS_VERIFIED, "%s's KYC status is not verified", u->role);
    printf("kyc        %-6s verified by the operator\n", u->role);
    nax_object_free(kyc);
}

/* ---- funding -------------------------------------------------------------------------- */

static void deposit_aud(sandbox *sb, const user *u, const char *amount)
{
    nax_fiat_tx *tx = NULL;
    nax_decimal amt = dec(amount);
    nax_fiat_deposit_request req = {.struct_size = sizeof req,
                                    .currency = "AUD",
                                    .amount = amt,
                                    .method = NAX_FIAT_METHOD_PAYID};
    check(nax_fiat_deposit(u->client, &req, &tx), "nax_fiat_deposit");
    expect(tx->status == NAX_TX_STATUS_PENDING, "a new fiat deposit is not pending");
    printf("deposit    %-6s %s AUD announced, reference %s\n", u->role, amount, tx->reference);
    if (sandbox_payment_succeeded(sb, tx->reference, &amt, "AUD"))
        exit(EXIT_FAILURE);
    printf("           payment provider: payment.succeeded for %s\n", tx->reference);
    nax_object_free(tx);
}

static void deposit_btc(sandbox *sb, const user *u, const char *amount)
{
    nax_deposit_address *addr = NULL;
    nax_decimal amt = dec(amount);
    nax_deposit_address_request req = {.struct_size = sizeof req, .asset = "BTC"};
    check(nax_wallets_deposit_address(u->client, &req, &addr), "nax_wallets_deposit_address");
    printf("deposit    %-6s BTC address %s (%s)\n", u->role, addr->address, addr->network);
    if (sandbox_custody_deposit(sb, addr->address, &amt, "BTC"))
        exit(EXIT_FAILURE);
    printf("           custody provider: deposit.confirmed, %s BTC\n", amount);
    nax_object_free(addr);
}

/* The balance of `asset`, or zero when the user holds none. */
static nax_balance find_balance(const nax_balance_list *list, const char *asset)
{
    nax_balance none = {.struct_size = sizeof none, .asset = asset};
    for (size_t i = 0; i < list->balances_count; i++)
        if (strcmp(list->balances[i]->asset, asset) == 0)
            return *list->balances[i];
    return none;
}

static nax_decimal available(const user *u, const char *asset)
{
    nax_balance_list *list = NULL;
    check(nax_wallets_balances(u->client, &list), "nax_wallets_balances");
    nax_decimal a = find_balance(list, asset).available;
    nax_object_free(list);
    return a;
}

/* ---- trading -------------------------------------------------------------------------- */

static nax_order *place(const user *u, nax_side side, const char *price, const char *qty,
                        const char *client_order_id)
{
    nax_order *o = NULL;
    char filled[NAX_DECIMAL_STRING_MAX];
    nax_decimal p = dec(price);
    nax_order_request req = {.struct_size = sizeof req,
                             .pair = PAIR,
                             .side = side,
                             .type = NAX_ORDER_TYPE_LIMIT,
                             .price = &p,
                             .quantity = dec(qty),
                             .time_in_force = NAX_TIF_GTC,
                             .client_order_id = client_order_id};
    check(nax_orders_place(u->client, &req, &o), "nax_orders_place");
    printf("order      %-6s %s %s BTC @ %s AUD -> %s %s, filled %s\n", u->role,
           side == NAX_SIDE_BUY ? "buy " : "sell", qty, price, o->id, status_name(o->status),
           fmt(filled, &o->filled_quantity));
    return o;
}

static void show_fills(const user *u, const nax_decimal *qty, const nax_decimal *price)
{
    nax_fill_list *fills = NULL;
    char q[NAX_DECIMAL_STRING_MAX], p[NAX_DECIMAL_STRING_MAX], f[NAX_DECIMAL_STRING_MAX];
    nax_list_query query = NAX_LIST_QUERY_INIT;
    query.pair = PAIR;
    check(nax_trades_history(u->client, &query, &fills), "nax_trades_history");
    expect(fills->fills_count == 1, "%s has %zu fills, expected 1", u->role, fills->fills_count);
    const nax_fill *fill = fills->fills[0];
    printf("fill       %-6s %s: %s BTC @ %s AUD, fee %s %s (%s)\n", u->role, fill->id,
           fmt(q, &fill->quantity), fmt(p, &fill->price), fmt(f, &fill->fee), fill->fee_asset,
           fill->liquidity == NAX_LIQUIDITY_TAKER ? "taker" : "maker");
    expect(same(&fill->quantity, qty) && same(&fill->price, price),
           "the fill is not the crossed quantity at the resting price");
    nax_object_free(fills);
}

/* A level at `price` holding at least `qty`. */
static int has_level(const nax_book_level *levels, size_t count, const nax_decimal *price,
                     const nax_decimal *qty)
{
    for (size_t i = 0; i < count; i++)
        if (same(&levels[i].price, price))
            return nax_decimal_cmp(&levels[i].quantity, qty) >= 0;
    return 0;
}

static void show_book(const user *u, const nax_decimal *ask, const nax_decimal *ask_qty,
                      const nax_decimal *bid, const nax_decimal *bid_qty)
{
    nax_order_book *book = NULL;
    char p[NAX_DECIMAL_STRING_MAX], q[NAX_DECIMAL_STRING_MAX];
    check(nax_markets_orderbook(u->client, PAIR, 10, &book), "nax_markets_orderbook");
    printf("%s book, seq %llu, checksum %u\n", book->pair, (unsigned long long)book->seq,
           (unsigned)book->checksum);
    printf("  %14s %14s\n", "price", "quantity");
    for (size_t i = book->asks_count; i-- > 0;)
        printf("  %14s %14s  ask\n", fmt(p, &book->asks[i].price), fmt(q, &book->asks[i].quantity));
    for (size_t i = 0; i < book->bids_count; i++)
        printf("  %14s %14s  bid\n", fmt(p, &book->bids[i].price), fmt(q, &book->bids[i].quantity));
    uint32_t sum = 0;
    check(nax_book_checksum(&sum, book->bids, book->bids_count, book->asks, book->asks_count),
          "nax_book_checksum");
    expect(sum == book->checksum, "the book's checksum does not match its levels");
    /* Other users may trade too (a data folder reused across runs): look
     * for this session's levels rather than expecting a book of its own. */
    expect(has_level(book->asks, book->asks_count, ask, ask_qty),
           "the book has no ask with what is left of the sell");
    expect(has_level(book->bids, book->bids_count, bid, bid_qty),
           "the book has no bid with the buyer's resting bid");
    nax_object_free(book);
}

static void print_balances(const user *u)
{
    nax_balance_list *list = NULL;
    char a[NAX_DECIMAL_STRING_MAX], l[NAX_DECIMAL_STRING_MAX], t[NAX_DECIMAL_STRING_MAX];
    check(nax_wallets_balances(u->client, &list), "nax_wallets_balances");
    for (size_t i = 0; i < list->balances_count; i++) {
        const nax_balance *b = list->balances[i];
        nax_decimal sum;
        check(nax_decimal_add(&sum, &b->available, &b->locked), "nax_decimal_add");
        expect(same(&sum, &b->total), "%s %s: available + locked != total", u->role, b->asset);
        printf("| %-6s | %-5s | %18s | %14s | %18s |\n", u->role, b->asset, fmt(a, &b->available),
               fmt(l, &b->locked), fmt(t, &b->total));
    }
    nax_object_free(list);
}

static void balance_table(const user *a, const user *b)
{
    printf("| user   | asset |          available |         locked |              total |\n");
    printf("|--------|-------|--------------------|----------------|--------------------|\n");
    print_balances(a);
    print_balances(b);
}

static void cancel(const user *u, const char *order_id)
{
    nax_order *o = NULL;
    check(nax_orders_cancel(u->client, order_id, &o), "nax_orders_cancel");
    printf("cancel     %-6s %s -> %s\n", u->role, o->id, status_name(o->status));
    expect(o->status == NAX_ORDER_STATUS_CANCELLED, "order %s is not cancelled", o->id);
    nax_object_free(o);
}

/* ---- withdrawal ----------------------------------------------------------------------- */

static void withdraw_aud(sandbox *sb, const user *u, const char *amount)
{
    nax_fiat_tx *tx = NULL;
    nax_fiat_tx_list *list = NULL;
    char fee[NAX_DECIMAL_STRING_MAX];
    nax_fiat_withdraw_request req = {.struct_size = sizeof req,
                                     .currency = "AUD",
                                     .amount = dec(amount),
                                     .method = NAX_FIAT_METHOD_BANK_TRANSFER,
                                     .account_name = "Sam Seller",
                                     .account_number = "12345678",
                                     .bank_code = "062-000"};
    check(nax_fiat_withdraw(u->client, &req, &tx), "nax_fiat_withdraw");
    expect(tx->status == NAX_TX_STATUS_PENDING, "a new withdrawal is not pending");
    printf("withdraw   %-6s %s AUD to the bank, fee %s, reference %s: pending\n", u->role, amount,
           fmt(fee, &tx->fee), tx->reference);
    if (sandbox_payout_completed(sb, tx->reference))
        exit(EXIT_FAILURE);
    printf("           payment provider: payout.completed for %s\n", tx->reference);

    nax_list_query query = NAX_LIST_QUERY_INIT;
    query.type = NAX_TX_TYPE_WITHDRAWAL;
    check(nax_fiat_transactions(u->client, &query, &list), "nax_fiat_transactions");
    expect(list->transactions_count == 1 && strcmp(list->transactions[0]->id, tx->id) == 0,
           "the withdrawal is not in the fiat history");
    expect(list->transactions[0]->status == NAX_TX_STATUS_COMPLETED,
           "the paid-out withdrawal is not completed");
    printf("           %s is completed\n", tx->id);
    nax_object_free(list);
    nax_object_free(tx);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s BASE_URL   (e.g. http://127.0.0.1:8080)\n", argv[0]);
        return 2;
    }
    const char *base_url = argv[1];
    check(nax_global_init(NULL), "nax_global_init");
    sandbox *sb = NULL;
    if (sandbox_open(&sb, base_url))
        return EXIT_FAILURE;

    user buyer, seller;
    step("users");
    sign_up(&buyer, base_url, "buyer", "Bea Buyer");
    sign_up(&seller, base_url, "seller", "Sam Seller");
    verify_identity(sb, &buyer);
    verify_identity(sb, &seller);

    step("funding");
    deposit_aud(sb, &buyer, "20000.00");
    deposit_btc(sb, &seller, "0.50000000");
    nax_decimal aud = available(&buyer, "AUD"), btc = available(&seller, "BTC");
    nax_decimal want_aud = dec("20000.00"), want_btc = dec("0.50000000");
    expect(same(&aud, &want_aud) && same(&btc, &want_btc), "the deposits were not credited");

    /* The sell rests; the buy takes 0.04 of its 0.10 at the sell's price,
     * then the buyer rests a bid below it. */
    step("trading");
    const char *price = "97250.50";
    nax_decimal sell_price = dec(price), bought = dec("0.04000000"), rest = dec("0.06000000");
    nax_order *sell = place(&seller, NAX_SIDE_SELL, price, "0.10000000", NULL);
    expect(sell->status == NAX_ORDER_STATUS_OPEN, "the sell did not rest");
    nax_order *buy = place(&buyer, NAX_SIDE_BUY, price, "0.04000000", "session-buy-1");
    expect(buy->status == NAX_ORDER_STATUS_FILLED, "the crossing buy did not fill");
    expect(buy->client_order_id && strcmp(buy->client_order_id, "session-buy-1") == 0,
           "the buy lost its client order id");
    nax_order *bid = place(&buyer, NAX_SIDE_BUY, "96000.00", "0.01000000", NULL);
    expect(bid->status == NAX_ORDER_STATUS_OPEN, "the bid did not rest");

    nax_order *now = NULL;
    check(nax_orders_get(seller.client, sell->id, &now), "nax_orders_get");
    expect(now->status == NAX_ORDER_STATUS_PARTIALLY_FILLED && same(&now->filled_quantity, &bought),
           "the sell is %s after the buy", status_name(now->status));
    printf("order      seller %s is now %s\n", now->id, status_name(now->status));
    nax_object_free(now);
    show_fills(&buyer, &bought, &sell_price);

    step("order book");
    nax_decimal bid_price = dec("96000.00"), bid_qty = dec("0.01000000");
    show_book(&buyer, &sell_price, &rest, &bid_price, &bid_qty);

    step("balances");
    balance_table(&buyer, &seller);

    step("cancel");
    cancel(&seller, sell->id);
    cancel(&buyer, bid->id);

    step("withdrawal");
    withdraw_aud(sb, &seller, "1000.00");

    step("balances");
    balance_table(&buyer, &seller);

    nax_object_free(sell);
    nax_object_free(buy);
    nax_object_free(bid);
    nax_client_free(buyer.client);
    nax_client_free(seller.client);
    sandbox_close(sb);
    nax_global_shutdown();
    printf("\nsession complete\n");
    return 0;
}

/* Wallets and fiat against naxd: balances, deposit addresses, crypto
 * withdrawals, fiat deposits and withdrawals, both transaction lists with
 * their filters, the pager over them, and list-query member rejection. */
#include <stdio.h>
#include <stdlib.h>

#include "client_test.h"

#define BTC_ADDRESS "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"

static naxh_server srv;

static void setup(void)
{
    client_test_global_init();
    ck_assert_int_eq(naxh_start(&srv, NULL), 0);
}

static void teardown(void)
{
    naxh_stop(&srv);
    ck_assert_int_eq(srv.exit_status, 0);
    nax_global_shutdown();
}

/* The balance of `asset` (available, locked, total as given), checking total = available + locked.
 */
static void expect_balance(nax_client *c, const char *asset, const char *available,
                           const char *locked)
{
    nax_balance_list *l = NULL;
    OK(nax_wallets_balances(c, &l));
    const nax_balance *found = NULL;
    for (size_t i = 0; i < l->balances_count; i++) {
        const nax_balance *b = l->balances[i];
        nax_decimal sum;
        OK(nax_decimal_add(&sum, &b->available, &b->locked));
        ck_assert_int_eq(nax_decimal_cmp(&sum, &b->total), 0);
        if (!strcmp(b->asset, asset))
            found = b;
    }
    ck_assert_msg(found != NULL, "no %s balance", asset);
    EXPECT_DEC(&found->available, available);
    EXPECT_DEC(&found->locked, locked);
    nax_object_free(l);
}

static unsigned long long number_after(const char *id, const char *prefix)
{
    ck_assert(!strncmp(id, prefix, strlen(prefix)));
    return strtoull(id + strlen(prefix), NULL, 10);
}

/* ---- wallets --------------------------------------------------------------------------- */

START_TEST(test_balances_and_deposit_addresses)
{
    naxh_user u;
    OK(naxh_user_new(&srv, &u));
    nax_balance_list *l = NULL;
    OK(nax_wallets_balances(u.client, &l));
    for (size_t i = 0; i < l->balances_count; i++)
        EXPECT_DEC(&l->balances[i]->total, "0");
    nax_object_free(l);
    OK(naxh_fund_fiat(&srv, &u, "AUD", "1000.00"));
    expect_balance(u.client, "AUD", "1000.00", "0");

    nax_deposit_address_request btc = {sizeof btc, "BTC", NULL};
    nax_deposit_address *a1 = NULL, *a2 = NULL;
    OK(nax_wallets_deposit_address(u.client, &btc, &a1));
    ck_assert_str_eq(a1->asset, "BTC");
    ck_assert_str_eq(a1->network, "bitcoin");
    ck_assert(!strncmp(a1->address, "bc1q", 4));
    OK(nax_wallets_deposit_address(u.client, &btc, &a2));
    ck_assert_str_eq(a2->address, a1->address); /* stable */
    nax_object_free(a1);
    nax_object_free(a2);
    nax_deposit_address_request eth = {sizeof eth, "ETH", "ethereum"};
    OK(nax_wallets_deposit_address(u.client, &eth, &a1));
    ck_assert_str_eq(a1->network, "ethereum");
    ck_assert(!strncmp(a1->address, "0x", 2));
    ck_assert_uint_eq(strlen(a1->address), 42);
    nax_object_free(a1);

    nax_deposit_address_request xyz = {sizeof xyz, "XYZ", NULL};
    a1 = (nax_deposit_address *)&a1;
    EXPECT_ERROR(nax_wallets_deposit_address(u.client, &xyz, &a1), NAX_EBADREQUEST, 422,
                 "unknown_asset", "asset");
    ck_assert_ptr_null(a1);
    nax_deposit_address_request aud = {sizeof aud, "AUD", NULL};
    EXPECT_ERROR(nax_wallets_deposit_address(u.client, &aud, &a1), NAX_EBADREQUEST, 422,
                 "unknown_asset", "asset");
    nax_deposit_address_request wrong_net = {sizeof wrong_net, "BTC", "ethereum"};
    EXPECT_ERROR(nax_wallets_deposit_address(u.client, &wrong_net, &a1), NAX_EBADREQUEST, 422,
                 "unsupported_network", "network");
    nax_deposit_address_request none = {sizeof none, NULL, NULL};
    EXPECT_ERROR(nax_wallets_deposit_address(u.client, &none, &a1), NAX_EINVAL, 0, NULL, "asset");
    EXPECT_ERROR(nax_wallets_deposit_address(u.client, NULL, &a1), NAX_EINVAL, 0, NULL, "request");
    EXPECT_ERROR(nax_wallets_deposit_address(u.client, &btc, NULL), NAX_EINVAL, 0, NULL, "out");
    EXPECT_ERROR(nax_wallets_balances(u.client, NULL), NAX_EINVAL, 0, NULL, "out");
    naxh_user_free(&u);
}
END_TEST

START_TEST(test_withdraw_and_wallet_transactions)
{
    int64_t start = naxh_now_ms() - 1000;
    naxh_user u;
    OK(naxh_user_new(&srv, &u));
    OK(naxh_fund_crypto(&srv, &u, "BTC", "1.5"));
    expect_balance(u.client, "BTC", "1.5", "0");

    nax_withdraw_request w = {sizeof w, "BTC", naxh_dec("0.5"), BTC_ADDRESS};
    nax_wallet_tx *tx = NULL;
    OK(nax_wallets_withdraw(u.client, &w, &tx));
    ck_assert(!strncmp(tx->id, "wtx_", 4));
    ck_assert_str_eq(tx->asset, "BTC");
    ck_assert_int_eq(tx->type, NAX_TX_TYPE_WITHDRAWAL);
    ck_assert_int_eq(tx->status, NAX_TX_STATUS_PENDING);
    EXPECT_DEC(&tx->amount, "0.5");
    EXPECT_DEC(&tx->fee, "0.0001");
    ck_assert_str_eq(tx->address, BTC_ADDRESS);
    ck_assert_str_eq(tx->network, "bitcoin");
    char withdrawal_id[32];
    snprintf(withdrawal_id, sizeof withdrawal_id, "%s", tx->id);
    nax_object_free(tx);
    expect_balance(u.client, "BTC", "0.9999", "0.5001");

    tx = (nax_wallet_tx *)&tx;
    nax_withdraw_request big = {sizeof big, "BTC", naxh_dec("2"), BTC_ADDRESS};
    EXPECT_ERROR(nax_wallets_withdraw(u.client, &big, &tx), NAX_EBADREQUEST, 422,
                 "insufficient_funds", "amount");
    ck_assert_ptr_null(tx);
    nax_withdraw_request bad_address = {sizeof bad_address, "BTC", naxh_dec("0.1"),
                                        "not-an-address"};
    EXPECT_ERROR(nax_wallets_withdraw(u.client, &bad_address, NULL), NAX_EBADREQUEST, 422,
                 "invalid_address", "address");
    nax_withdraw_request zero = {sizeof zero, "BTC", naxh_dec("0"), BTC_ADDRESS};
    EXPECT_ERROR(nax_wallets_withdraw(u.client, &zero, NULL), NAX_EBADREQUEST, 422,
                 "invalid_amount", "amount");
    nax_withdraw_request short_code = {sizeof short_code, "BTC", naxh_dec("0.1"), BTC_ADDRESS};
    short_code.totp_code = "12";
    EXPECT_ERROR(nax_wallets_withdraw(u.client, &short_code, NULL), NAX_EBADREQUEST, 400,
                 "invalid_request", "totp_code");
    nax_withdraw_request no_address = {sizeof no_address, "BTC", naxh_dec("0.1"), NULL};
    EXPECT_ERROR(nax_wallets_withdraw(u.client, &no_address, NULL), NAX_EINVAL, 0, NULL, "address");
    EXPECT_ERROR(nax_wallets_withdraw(u.client, NULL, NULL), NAX_EINVAL, 0, NULL, "request");

    /* Identity first; and a key needs the withdraw scope. */
    naxh_user v;
    OK(naxh_user_new(&srv, &v));
    EXPECT_ERROR(nax_wallets_withdraw(v.client, &w, NULL), NAX_EFORBIDDEN, 403, "kyc_required",
                 NULL);
    OK(naxh_user_api_key(&srv, &u, NAX_SCOPE_READ | NAX_SCOPE_TRADE));
    nax_client *bot = NULL;
    OK(naxh_key_client(&srv, &u, &bot));
    EXPECT_ERROR(nax_wallets_withdraw(bot, &w, NULL), NAX_EFORBIDDEN, 403, "insufficient_scope",
                 NULL);
    nax_client_free(bot);
    OK(naxh_user_api_key(&srv, &u, NAX_SCOPE_WITHDRAW | NAX_SCOPE_READ));
    OK(naxh_key_client(&srv, &u, &bot));
    nax_withdraw_request small = {sizeof small, "BTC", naxh_dec("0.1"), BTC_ADDRESS};
    OK(nax_wallets_withdraw(bot, &small, NULL)); /* out is optional */
    expect_balance(u.client, "BTC", "0.8998", "0.6002");

    /* The history: two withdrawals and the deposit, newest first. */
    nax_list_query q = NAX_LIST_QUERY_INIT;
    nax_wallet_tx_list *l = NULL;
    OK(nax_wallets_transactions(bot, &q, &l));
    ck_assert_uint_eq(l->transactions_count, 3);
    ck_assert_int_eq(l->transactions[0]->type, NAX_TX_TYPE_WITHDRAWAL);
    EXPECT_DEC(&l->transactions[0]->amount, "0.1");
    ck_assert_str_eq(l->transactions[1]->id, withdrawal_id);
    const nax_wallet_tx *dep = l->transactions[2];
    ck_assert_int_eq(dep->type, NAX_TX_TYPE_DEPOSIT);
    ck_assert_int_eq(dep->status, NAX_TX_STATUS_COMPLETED);
    EXPECT_DEC(&dep->amount, "1.5");
    ck_assert_ptr_nonnull(dep->tx_hash);
    ck_assert_uint_gt(number_after(l->transactions[0]->id, "wtx_"),
                      number_after(l->transactions[1]->id, "wtx_"));
    nax_object_free(l);

    q.type = NAX_TX_TYPE_WITHDRAWAL;
    OK(nax_wallets_transactions(u.client, &q, &l));
    ck_assert_uint_eq(l->transactions_count, 2);
    nax_object_free(l);
    q.type = NAX_TX_TYPE_DEPOSIT;
    q.asset = "BTC";
    OK(nax_wallets_transactions(u.client, &q, &l));
    ck_assert_uint_eq(l->transactions_count, 1);
    nax_object_free(l);
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.asset = "ETH";
    OK(nax_wallets_transactions(u.client, &q, &l));
    ck_assert_uint_eq(l->transactions_count, 0);
    nax_object_free(l);
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.from_ms = start;
    q.to_ms = naxh_now_ms() + 60000;
    OK(nax_wallets_transactions(u.client, &q, &l));
    ck_assert_uint_eq(l->transactions_count, 3);
    nax_object_free(l);
    q.from_ms = naxh_now_ms() + 60000;
    q.to_ms = 0;
    OK(nax_wallets_transactions(u.client, &q, &l));
    ck_assert_uint_eq(l->transactions_count, 0);
    nax_object_free(l);
    q.from_ms = 0;
    q.to_ms = start;
    OK(nax_wallets_transactions(u.client, &q, &l));
    ck_assert_uint_eq(l->transactions_count, 0);
    nax_object_free(l);
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.limit = 2;
    OK(nax_wallets_transactions(u.client, &q, &l));
    ck_assert_uint_eq(l->transactions_count, 2);
    ck_assert_ptr_nonnull(l->next_cursor);
    nax_wallet_tx_list *rest = NULL;
    q.cursor = l->next_cursor;
    OK(nax_wallets_transactions(u.client, &q, &rest));
    ck_assert_uint_eq(rest->transactions_count, 1);
    ck_assert_int_eq(rest->transactions[0]->type, NAX_TX_TYPE_DEPOSIT);
    ck_assert_ptr_null(rest->next_cursor);
    nax_object_free(rest);
    nax_object_free(l);
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.asset = "btc";
    EXPECT_ERROR(nax_wallets_transactions(u.client, &q, &l), NAX_EBADREQUEST, 400,
                 "invalid_request", "asset");

    /* Walked with a pager, one per page. */
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.limit = 1;
    nax_pager *p = NULL;
    OK(nax_pager_new(&p, u.client, NAX_LIST_WALLET_TXS, &q));
    const void *item;
    int n = 0, rc;
    while ((rc = nax_pager_next(p, &item)) == 1) {
        ck_assert_str_eq(((const nax_wallet_tx *)item)->asset, "BTC");
        n++;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(n, 3);
    nax_pager_free(p);
    nax_client_free(bot);
    naxh_user_free(&v);
    naxh_user_free(&u);
}
END_TEST

/* ---- fiat ------------------------------------------------------------------------------- */

START_TEST(test_fiat_deposit_withdraw_transactions)
{
    naxh_user u;
    OK(naxh_user_new(&srv, &u));
    OK(naxh_kyc_verify(&srv, &u));
    nax_fiat_deposit_request d = {sizeof d, "AUD", naxh_dec("500.00"), NAX_FIAT_METHOD_PAYID};
    nax_fiat_tx *tx = NULL;
    OK(nax_fiat_deposit(u.client, &d, &tx));
    ck_assert(!strncmp(tx->id, "ftx_", 4));
    ck_assert_str_eq(tx->currency, "AUD");
    ck_assert_int_eq(tx->type, NAX_TX_TYPE_DEPOSIT);
    ck_assert_int_eq(tx->status, NAX_TX_STATUS_PENDING);
    ck_assert_int_eq(tx->method, NAX_FIAT_METHOD_PAYID);
    EXPECT_DEC(&tx->amount, "500.00");
    EXPECT_DEC(&tx->fee, "0");
    ck_assert_uint_eq(strlen(tx->reference), 10);
    ck_assert(!strncmp(tx->reference, "NAX", 3));
    char event[512];
    snprintf(event, sizeof event,
             "{\"id\":\"msg_fiat_%s\",\"type\":\"payment.succeeded\",\"created_at\":%lld,"
             "\"data\":{\"reference\":\"%s\",\"amount\":\"500.00\",\"currency\":\"AUD\"}}",
             tx->id, (long long)naxh_now_ms(), tx->reference);
    int status = 0;
    OK(naxh_webhook(&srv, "payments", event, &status));
    ck_assert_int_eq(status, 204);
    char deposit_id[32];
    snprintf(deposit_id, sizeof deposit_id, "%s", tx->id);
    nax_object_free(tx);
    expect_balance(u.client, "AUD", "500.00", "0");

    tx = (nax_fiat_tx *)&tx;
    nax_fiat_deposit_request btc = {sizeof btc, "BTC", naxh_dec("1.00"),
                                    NAX_FIAT_METHOD_BANK_TRANSFER};
    EXPECT_ERROR(nax_fiat_deposit(u.client, &btc, &tx), NAX_EBADREQUEST, 422,
                 "unsupported_currency", "currency");
    ck_assert_ptr_null(tx);
    nax_fiat_deposit_request ach = {sizeof ach, "AUD", naxh_dec("1.00"), NAX_FIAT_METHOD_ACH};
    EXPECT_ERROR(nax_fiat_deposit(u.client, &ach, &tx), NAX_EBADREQUEST, 422, "unsupported_method",
                 "method");
    nax_fiat_deposit_request cents = {sizeof cents, "AUD", naxh_dec("1.001"),
                                      NAX_FIAT_METHOD_PAYID};
    EXPECT_ERROR(nax_fiat_deposit(u.client, &cents, &tx), NAX_EBADREQUEST, 422, "invalid_amount",
                 "amount");
    nax_fiat_deposit_request no_currency = {sizeof no_currency, NULL, naxh_dec("1.00"),
                                            NAX_FIAT_METHOD_PAYID};
    EXPECT_ERROR(nax_fiat_deposit(u.client, &no_currency, &tx), NAX_EINVAL, 0, NULL, "currency");
    EXPECT_ERROR(nax_fiat_deposit(u.client, &d, NULL), NAX_EINVAL, 0, NULL, "out");

    nax_fiat_withdraw_request w = {
        sizeof w,       "AUD",      naxh_dec("100.00"), NAX_FIAT_METHOD_BANK_TRANSFER,
        "Alice Nguyen", "12345678", "062-000"};
    OK(nax_fiat_withdraw(u.client, &w, &tx));
    ck_assert_int_eq(tx->type, NAX_TX_TYPE_WITHDRAWAL);
    ck_assert_int_eq(tx->status, NAX_TX_STATUS_PENDING);
    ck_assert_int_eq(tx->method, NAX_FIAT_METHOD_BANK_TRANSFER);
    EXPECT_DEC(&tx->amount, "100.00");
    nax_object_free(tx);
    expect_balance(u.client, "AUD", "400.00", "100.00");
    OK(nax_fiat_withdraw(u.client, &w, NULL)); /* out is optional */
    expect_balance(u.client, "AUD", "300.00", "200.00");

    nax_fiat_withdraw_request big = w;
    big.amount = naxh_dec("1000.00");
    EXPECT_ERROR(nax_fiat_withdraw(u.client, &big, NULL), NAX_EBADREQUEST, 422,
                 "insufficient_funds", "amount");
    nax_fiat_withdraw_request no_name = w;
    no_name.account_name = NULL;
    EXPECT_ERROR(nax_fiat_withdraw(u.client, &no_name, NULL), NAX_EINVAL, 0, NULL, "account_name");
    nax_fiat_withdraw_request no_bank = w;
    no_bank.bank_code = "";
    EXPECT_ERROR(nax_fiat_withdraw(u.client, &no_bank, NULL), NAX_EINVAL, 0, NULL, "bank_code");
    naxh_user unverified;
    OK(naxh_user_new(&srv, &unverified));
    EXPECT_ERROR(nax_fiat_withdraw(unverified.client, &w, NULL), NAX_EFORBIDDEN, 403,
                 "kyc_required", NULL);
    naxh_user_free(&unverified);

    /* The history with its filters. */
    nax_list_query q = NAX_LIST_QUERY_INIT;
    nax_fiat_tx_list *l = NULL;
    OK(nax_fiat_transactions(u.client, &q, &l));
    ck_assert_uint_eq(l->transactions_count, 3);
    ck_assert_str_eq(l->transactions[2]->id, deposit_id);
    ck_assert_int_eq(l->transactions[2]->status, NAX_TX_STATUS_COMPLETED);
    ck_assert_int_eq(l->transactions[0]->type, NAX_TX_TYPE_WITHDRAWAL);
    nax_object_free(l);
    q.type = NAX_TX_TYPE_DEPOSIT;
    q.asset = "AUD";
    OK(nax_fiat_transactions(u.client, &q, &l));
    ck_assert_uint_eq(l->transactions_count, 1);
    ck_assert_str_eq(l->transactions[0]->id, deposit_id);
    nax_object_free(l);
    q.type = NAX_TX_TYPE_NONE;
    q.asset = "USD";
    OK(nax_fiat_transactions(u.client, &q, &l));
    ck_assert_uint_eq(l->transactions_count, 0);
    nax_object_free(l);
    q.asset = NULL;
    q.from_ms = naxh_now_ms() + 60000;
    OK(nax_fiat_transactions(u.client, &q, &l));
    ck_assert_uint_eq(l->transactions_count, 0);
    nax_object_free(l);
    naxh_user_free(&u);
}
END_TEST

START_TEST(test_pager_over_fiat_transactions)
{
    naxh_user u;
    OK(naxh_user_new(&srv, &u));
    OK(naxh_kyc_verify(&srv, &u));
    unsigned long long ids[5];
    for (int i = 0; i < 5; i++) {
        char amount[16];
        snprintf(amount, sizeof amount, "%d.00", 10 + i);
        nax_fiat_deposit_request d = {sizeof d, "AUD", naxh_dec(amount), NAX_FIAT_METHOD_PAYID};
        nax_fiat_tx *tx = NULL;
        OK(nax_fiat_deposit(u.client, &d, &tx));
        ids[i] = number_after(tx->id, "ftx_");
        nax_object_free(tx);
    }
    call_counter pages = {"GET /v1/fiat/transactions"};
    nax_client *c = counted_user_client(&srv, &pages, &u);
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.limit = 2;
    q.asset = "AUD";
    q.type = NAX_TX_TYPE_DEPOSIT;
    nax_pager *p = NULL;
    OK(nax_pager_new(&p, c, NAX_LIST_FIAT_TXS, &q));
    const void *item;
    int n = 0, rc;
    while ((rc = nax_pager_next(p, &item)) == 1) {
        const nax_fiat_tx *tx = item;
        ck_assert_int_lt(n, 5);
        ck_assert_uint_eq(number_after(tx->id, "ftx_"), ids[4 - n]); /* newest first */
        char amount[16];
        snprintf(amount, sizeof amount, "%d.00", 14 - n);
        EXPECT_DEC(&tx->amount, amount);
        n++;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(n, 5);
    ck_assert_uint_eq(pages.calls, 3);
    nax_pager_free(p);

    q.type = NAX_TX_TYPE_WITHDRAWAL;
    OK(nax_pager_new(&p, c, NAX_LIST_FIAT_TXS, &q));
    ck_assert_int_eq(nax_pager_next(p, &item), 0);
    nax_pager_free(p);
    nax_client_free(c);
    naxh_user_free(&u);
}
END_TEST

START_TEST(test_list_query_members_are_checked)
{
    naxh_user u;
    OK(naxh_user_new(&srv, &u));
    call_counter n = {0};
    nax_client *c = counted_user_client(&srv, &n, &u);
    nax_wallet_tx_list *wl = (nax_wallet_tx_list *)&wl;
    nax_fiat_tx_list *fl = NULL;
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.pair = "BTC-AUD";
    EXPECT_ERROR(nax_wallets_transactions(c, &q, &wl), NAX_EINVAL, 0, NULL, "pair");
    ck_assert_ptr_null(wl);
    EXPECT_MESSAGE_HAS("/v1/wallets/transactions");
    EXPECT_ERROR(nax_fiat_transactions(c, &q, &fl), NAX_EINVAL, 0, NULL, "pair");
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.status = NAX_ORDER_STATUS_OPEN;
    EXPECT_ERROR(nax_wallets_transactions(c, &q, &wl), NAX_EINVAL, 0, NULL, "status");
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.side = NAX_SIDE_SELL;
    EXPECT_ERROR(nax_fiat_transactions(c, &q, &fl), NAX_EINVAL, 0, NULL, "side");
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.client_order_id = "x";
    EXPECT_ERROR(nax_fiat_transactions(c, &q, &fl), NAX_EINVAL, 0, NULL, "client_order_id");
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.from_ms = -1;
    EXPECT_ERROR(nax_wallets_transactions(c, &q, &wl), NAX_EINVAL, 0, NULL, "from_ms");
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.to_ms = -5;
    EXPECT_ERROR(nax_fiat_transactions(c, &q, &fl), NAX_EINVAL, 0, NULL, "to_ms");
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.type = (nax_tx_type)5;
    EXPECT_ERROR(nax_fiat_transactions(c, &q, &fl), NAX_EINVAL, 0, NULL, "type");
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.asset = "";
    EXPECT_ERROR(nax_wallets_transactions(c, &q, &wl), NAX_EINVAL, 0, NULL, "asset");
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.limit = 5000;
    EXPECT_ERROR(nax_fiat_transactions(c, &q, &fl), NAX_EINVAL, 0, NULL, "limit");
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.struct_size = 0;
    EXPECT_ERROR(nax_wallets_transactions(c, &q, &wl), NAX_EVERSION, 0, NULL, "struct_size");
    nax_pager *p = (nax_pager *)&p;
    q = (nax_list_query)NAX_LIST_QUERY_INIT;
    q.status = NAX_ORDER_STATUS_OPEN;
    EXPECT_ERROR(nax_pager_new(&p, c, NAX_LIST_FIAT_TXS, &q), NAX_EINVAL, 0, NULL, "status");
    ck_assert_ptr_null(p);
    EXPECT_ERROR(nax_pager_new(&p, c, NAX_LIST_WALLET_TXS, &q), NAX_EINVAL, 0, NULL, "status");
    EXPECT_ERROR(nax_wallets_transactions(c, NULL, NULL), NAX_EINVAL, 0, NULL, "out");
    ck_assert_uint_eq(n.attempts, 0);
    ck_assert_uint_eq(n.calls, 0);
    nax_client_free(c);
    naxh_user_free(&u);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("client_funds");
    TCase *tc = tcase_create("funds");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_balances_and_deposit_addresses);
    tcase_add_test(tc, test_withdraw_and_wallet_transactions);
    tcase_add_test(tc, test_fiat_deposit_withdraw_transactions);
    tcase_add_test(tc, test_pager_over_fiat_transactions);
    tcase_add_test(tc, test_list_query_members_are_checked);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/*
 * cmd_funds.c: money in and out: deposit-address, withdraw, transactions
 * and fiat deposit|withdraw|history.
 */
#include "cli.h"

#include <string.h>

enum {
    F_NETWORK = 1,
    F_ADDRESS,
    F_MEMO,
    F_TOTP,
    F_METHOD,
    F_ACCOUNT_NAME,
    F_ACCOUNT_NUMBER,
    F_BANK_CODE
};

/* Every option of the commands that move money lands here; each accepts its
 * own subset. (The lists read theirs with cli_begin_list.) */
typedef struct funds_args {
    const char *network, *address, *memo, *totp, *account_name, *account_number, *bank_code;
    nax_fiat_method method;
    const char *asset;  /* ASSET or CURRENCY, of the commands that move an amount */
    nax_decimal amount; /* AMOUNT */
} funds_args;

static int funds_opt(cli *c, int opt, const char *arg, void *ud)
{
    funds_args *a = ud;
    switch (opt) {
    case F_NETWORK: a->network = arg; return EXIT_OK;
    case F_ADDRESS: a->address = arg; return EXIT_OK;
    case F_MEMO: a->memo = arg; return EXIT_OK;
    case F_TOTP: a->totp = arg; return EXIT_OK;
    case F_ACCOUNT_NAME: a->account_name = arg; return EXIT_OK;
    case F_ACCOUNT_NUMBER: a->account_number = arg; return EXIT_OK;
    case F_BANK_CODE: a->bank_code = arg; return EXIT_OK;
    case F_METHOD: return cli_parse_fiat_method(c, arg, &a->method);
    }
    return EXIT_USAGE;
}

/* The start of withdraw and fiat deposit|withdraw: the options, then ASSET
 * (or CURRENCY) and AMOUNT. Returns 1 to go on, else 0 with *ex set. */
static int parse_amount_args(cli *c, int argc, char **argv, const struct option *own, size_t n_own,
                             const char *names, funds_args *a, int *ex)
{
    const cli_spec spec = {own, n_own, funds_opt, a, 2, 2, names};
    if (!cli_parse(c, argc, argv, &spec, ex))
        return 0;
    a->asset = argv[optind];
    *ex = cli_parse_decimal(c, "AMOUNT", argv[optind + 1], &a->amount);
    return *ex == EXIT_OK;
}

/* ---- crypto ------------------------------------------------------------------------------- */

static void print_deposit_address(const void *obj)
{
    const nax_deposit_address *addr = obj;
    kv *k = kv_new();
    kv_add(k, "asset", addr->asset);
    kv_add(k, "network", addr->network);
    kv_add(k, "address", addr->address);
    if (addr->memo)
        kv_add(k, "memo", addr->memo);
    kv_print(k, stdout);
    kv_free(k);
}

int cmd_deposit_address(cli *c, int argc, char **argv)
{
    static const struct option own[] = {{"network", required_argument, NULL, F_NETWORK}};
    funds_args a = {0};
    const cli_spec spec = {own, CLI_COUNT(own), funds_opt, &a, 1, 1, "ASSET, e.g. BTC"};
    int ex;
    nax_client *cl = cli_begin(c, argc, argv, &spec, 1, &ex);
    if (!cl)
        return ex;
    nax_deposit_address_request req = {
        .struct_size = sizeof req, .asset = argv[optind], .network = a.network};
    nax_deposit_address *addr = NULL;
    int rc = nax_wallets_deposit_address(cl, &req, &addr);
    return out_result(c, rc, "getting the deposit address", NAX_TYPE_DEPOSIT_ADDRESS, addr,
                      print_deposit_address);
}

static void print_wallet_tx(const void *obj)
{
    const nax_wallet_tx *tx = obj;
    char amount[NAX_DECIMAL_STRING_MAX], fee[NAX_DECIMAL_STRING_MAX], created[40], updated[40];
    kv *k = kv_new();
    kv_add(k, "id", tx->id);
    kv_add(k, "asset", tx->asset);
    kv_add(k, "type", tx_type_name(tx->type));
    kv_add(k, "amount", fmt_dec(amount, &tx->amount));
    kv_add(k, "fee", fmt_dec(fee, &tx->fee));
    kv_add(k, "status", tx_status_name(tx->status));
    kv_add(k, "address", tx->address);
    kv_add(k, "network", tx->network);
    kv_add(k, "tx_hash", tx->tx_hash);
    kv_add(k, "created_at", fmt_time(created, sizeof created, tx->created_at));
    kv_add(k, "updated_at", fmt_time(updated, sizeof updated, tx->updated_at));
    kv_print(k, stdout);
    kv_free(k);
}

int cmd_withdraw(cli *c, int argc, char **argv)
{
    static const struct option own[] = {
        {"address", required_argument, NULL, F_ADDRESS},
        {"network", required_argument, NULL, F_NETWORK},
        {"memo", required_argument, NULL, F_MEMO},
        {"totp", required_argument, NULL, F_TOTP},
    };
    funds_args a = {0};
    int ex;
    if (!parse_amount_args(c, argc, argv, own, CLI_COUNT(own), "ASSET AMOUNT", &a, &ex))
        return ex;
    if (!a.address)
        return cli_usage(c, "--address is required");
    nax_withdraw_request req = {.struct_size = sizeof req,
                                .asset = a.asset,
                                .amount = a.amount,
                                .address = a.address,
                                .network = a.network,
                                .memo = a.memo,
                                .totp_code = a.totp};
    nax_client *cl = cli_client(c, 1, &ex);
    if (!cl)
        return ex;
    nax_wallet_tx *tx = NULL;
    int rc = nax_wallets_withdraw(cl, &req, &tx);
    return out_result(c, rc, "requesting the withdrawal", NAX_TYPE_WALLET_TX, tx, print_wallet_tx);
}

static void print_wallet_txs(const void *obj)
{
    const nax_wallet_tx_list *list = obj;
    static const char *const head[] = {"ID",  "ASSET",  "TYPE",    "AMOUNT",
                                       "FEE", "STATUS", "CREATED", "ADDRESS"};
    static const col_kind kinds[] = {COL_TEXT, COL_TEXT, COL_TEXT, COL_DEC,
                                     COL_DEC,  COL_TEXT, COL_TEXT, COL_TEXT};
    table *t = table_new(8, head, kinds);
    for (size_t i = 0; i < list->transactions_count; i++) {
        const nax_wallet_tx *tx = list->transactions[i];
        char am[NAX_DECIMAL_STRING_MAX], fee[NAX_DECIMAL_STRING_MAX], ts[40];
        const char *row[] = {tx->id,
                             tx->asset,
                             tx_type_name(tx->type),
                             fmt_dec(am, &tx->amount),
                             fmt_dec(fee, &tx->fee),
                             tx_status_name(tx->status),
                             fmt_time(ts, sizeof ts, tx->created_at),
                             tx->address};
        table_row(t, row);
    }
    table_print_free(t, stdout, list->next_cursor);
}

int cmd_transactions(cli *c, int argc, char **argv)
{
    static const struct option filters[] = {
        {"asset", required_argument, NULL, OPT_Q_ASSET},
        {"type", required_argument, NULL, OPT_Q_TX_TYPE},
    };
    nax_list_query q;
    int ex;
    nax_client *cl = cli_begin_list(c, argc, argv, filters, CLI_COUNT(filters), &q, &ex);
    if (!cl)
        return ex;
    nax_wallet_tx_list *list = NULL;
    int rc = nax_wallets_transactions(cl, &q, &list);
    return out_result(c, rc, "listing the transactions", NAX_TYPE_WALLET_TX_LIST, list,
                      print_wallet_txs);
}

/* ---- fiat ------------------------------------------------------------------------------- */

static void print_fiat_tx(const void *obj)
{
    const nax_fiat_tx *tx = obj;
    char amount[NAX_DECIMAL_STRING_MAX], fee[NAX_DECIMAL_STRING_MAX], created[40], updated[40];
    kv *k = kv_new();
    kv_add(k, "id", tx->id);
    kv_add(k, "currency", tx->currency);
    kv_add(k, "type", tx_type_name(tx->type));
    kv_add(k, "amount", fmt_dec(amount, &tx->amount));
    kv_add(k, "fee", fmt_dec(fee, &tx->fee));
    kv_add(k, "status", tx_status_name(tx->status));
    kv_add(k, "method", fiat_method_name(tx->method));
    kv_add(k, "reference", tx->reference);
    kv_add(k, "created_at", fmt_time(created, sizeof created, tx->created_at));
    kv_add(k, "updated_at", fmt_time(updated, sizeof updated, tx->updated_at));
    kv_print(k, stdout);
    kv_free(k);
}

static nax_fiat_method default_method(const char *currency)
{
    if (!strcmp(currency, "AUD"))
        return NAX_FIAT_METHOD_PAYID;
    if (!strcmp(currency, "USD"))
        return NAX_FIAT_METHOD_ACH;
    return NAX_FIAT_METHOD_BANK_TRANSFER;
}

static int fiat_deposit(cli *c, int argc, char **argv)
{
    static const struct option own[] = {{"method", required_argument, NULL, F_METHOD}};
    funds_args a = {0};
    int ex;
    if (!parse_amount_args(c, argc, argv, own, CLI_COUNT(own), "CURRENCY AMOUNT", &a, &ex))
        return ex;
    nax_fiat_deposit_request req = {.struct_size = sizeof req,
                                    .currency = a.asset,
                                    .amount = a.amount,
                                    .method = a.method ? a.method : default_method(a.asset)};
    nax_client *cl = cli_client(c, 1, &ex);
    if (!cl)
        return ex;
    nax_fiat_tx *tx = NULL;
    int rc = nax_fiat_deposit(cl, &req, &tx);
    return out_result(c, rc, "announcing the deposit", NAX_TYPE_FIAT_TX, tx, print_fiat_tx);
}

static int fiat_withdraw(cli *c, int argc, char **argv)
{
    static const struct option own[] = {
        {"method", required_argument, NULL, F_METHOD},
        {"account-name", required_argument, NULL, F_ACCOUNT_NAME},
        {"account-number", required_argument, NULL, F_ACCOUNT_NUMBER},
        {"bank-code", required_argument, NULL, F_BANK_CODE},
        {"totp", required_argument, NULL, F_TOTP},
    };
    funds_args a = {0};
    int ex;
    if (!parse_amount_args(c, argc, argv, own, CLI_COUNT(own), "CURRENCY AMOUNT", &a, &ex))
        return ex;
    if (!a.method)
        return cli_usage(c, "--method is required (bank_transfer, payid, ach or wire)");
    if (!a.account_name || !a.account_number || !a.bank_code)
        return cli_usage(c, "--account-name, --account-number and --bank-code are required");
    nax_fiat_withdraw_request req = {.struct_size = sizeof req,
                                     .currency = a.asset,
                                     .amount = a.amount,
                                     .method = a.method,
                                     .account_name = a.account_name,
                                     .account_number = a.account_number,
                                     .bank_code = a.bank_code,
                                     .totp_code = a.totp};
    nax_client *cl = cli_client(c, 1, &ex);
    if (!cl)
        return ex;
    nax_fiat_tx *tx = NULL;
    int rc = nax_fiat_withdraw(cl, &req, &tx);
    return out_result(c, rc, "requesting the withdrawal", NAX_TYPE_FIAT_TX, tx, print_fiat_tx);
}

static void print_fiat_txs(const void *obj)
{
    const nax_fiat_tx_list *list = obj;
    static const char *const head[] = {"ID",     "CURRENCY", "TYPE",      "AMOUNT", "FEE",
                                       "STATUS", "METHOD",   "REFERENCE", "CREATED"};
    static const col_kind kinds[] = {COL_TEXT, COL_TEXT, COL_TEXT, COL_DEC, COL_DEC,
                                     COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT};
    table *t = table_new(9, head, kinds);
    for (size_t i = 0; i < list->transactions_count; i++) {
        const nax_fiat_tx *tx = list->transactions[i];
        char am[NAX_DECIMAL_STRING_MAX], fee[NAX_DECIMAL_STRING_MAX], ts[40];
        const char *row[] = {tx->id,
                             tx->currency,
                             tx_type_name(tx->type),
                             fmt_dec(am, &tx->amount),
                             fmt_dec(fee, &tx->fee),
                             tx_status_name(tx->status),
                             fiat_method_name(tx->method),
                             tx->reference,
                             fmt_time(ts, sizeof ts, tx->created_at)};
        table_row(t, row);
    }
    table_print_free(t, stdout, list->next_cursor);
}

static int fiat_history(cli *c, int argc, char **argv)
{
    static const struct option filters[] = {
        {"currency", required_argument, NULL, OPT_Q_ASSET},
        {"type", required_argument, NULL, OPT_Q_TX_TYPE},
    };
    nax_list_query q;
    int ex;
    nax_client *cl = cli_begin_list(c, argc, argv, filters, CLI_COUNT(filters), &q, &ex);
    if (!cl)
        return ex;
    nax_fiat_tx_list *list = NULL;
    int rc = nax_fiat_transactions(cl, &q, &list);
    return out_result(c, rc, "listing the fiat transactions", NAX_TYPE_FIAT_TX_LIST, list,
                      print_fiat_txs);
}

int cmd_fiat(cli *c, int argc, char **argv)
{
    static const cli_sub subs[] = {{"deposit", "fiat deposit", fiat_deposit},
                                   {"withdraw", "fiat withdraw", fiat_withdraw},
                                   {"history", "fiat history", fiat_history}};
    return cli_dispatch(c, argc, argv, subs, CLI_COUNT(subs));
}

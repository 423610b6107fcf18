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
    F_BANK_CODE,
    F_ASSET,
    F_TYPE,
    F_LIMIT,
    F_CURSOR
};

/* Every option of this file lands here; each command accepts its own subset. */
typedef struct funds_args {
    const char *network, *address, *memo, *totp, *account_name, *account_number, *bank_code, *asset,
        *cursor;
    nax_fiat_method method;
    nax_tx_type type;
    unsigned int limit;
} funds_args;

static int funds_opt(cli *c, int opt, const char *arg, void *ud)
{
    funds_args *a = ud;
    unsigned long v;
    int ex;
    switch (opt) {
    case F_NETWORK: a->network = arg; return EXIT_OK;
    case F_ADDRESS: a->address = arg; return EXIT_OK;
    case F_MEMO: a->memo = arg; return EXIT_OK;
    case F_TOTP: a->totp = arg; return EXIT_OK;
    case F_ACCOUNT_NAME: a->account_name = arg; return EXIT_OK;
    case F_ACCOUNT_NUMBER: a->account_number = arg; return EXIT_OK;
    case F_BANK_CODE: a->bank_code = arg; return EXIT_OK;
    case F_ASSET: a->asset = arg; return EXIT_OK;
    case F_CURSOR: a->cursor = arg; return EXIT_OK;
    case F_METHOD: return cli_parse_fiat_method(c, arg, &a->method);
    case F_TYPE: return cli_parse_tx_type(c, arg, &a->type);
    case F_LIMIT:
        if ((ex = cli_parse_uint(c, "--limit", arg, 1, 1000, &v)) == 0)
            a->limit = (unsigned int)v;
        return ex;
    }
    return EXIT_USAGE;
}

/* ---- crypto ------------------------------------------------------------------------------- */

int cmd_deposit_address(cli *c, int argc, char **argv)
{
    static const struct option own[] = {{"network", required_argument, NULL, F_NETWORK}};
    funds_args a = {0};
    int done, ex = cli_getopt(c, argc, argv, own, 1, funds_opt, &a, &done);
    if (done)
        return ex;
    if ((ex = cli_positionals(c, argc, argv, 1, 1, "ASSET, e.g. BTC")))
        return ex;
    nax_client *cl = cli_client(c, 1, &ex);
    if (!cl)
        return ex;
    nax_deposit_address_request req = {
        .struct_size = sizeof req, .asset = argv[optind], .network = a.network};
    nax_deposit_address *addr = NULL;
    int rc = nax_wallets_deposit_address(cl, &req, &addr);
    if (rc != 0)
        return out_error(c, rc, "getting the deposit address");
    if (c->json) {
        ex = out_json(c, NAX_TYPE_DEPOSIT_ADDRESS, addr);
    } else {
        kv *k = kv_new();
        kv_add(k, "asset", addr->asset);
        kv_add(k, "network", addr->network);
        kv_add(k, "address", addr->address);
        if (addr->memo)
            kv_add(k, "memo", addr->memo);
        kv_print(k, stdout);
        kv_free(k);
    }
    nax_object_free(addr);
    return ex;
}

static void print_wallet_tx(const nax_wallet_tx *tx)
{
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
    int done, ex = cli_getopt(c, argc, argv, own, 4, funds_opt, &a, &done);
    if (done)
        return ex;
    if ((ex = cli_positionals(c, argc, argv, 2, 2, "ASSET AMOUNT")))
        return ex;
    nax_withdraw_request req = {.struct_size = sizeof req,
                                .asset = argv[optind],
                                .address = a.address,
                                .network = a.network,
                                .memo = a.memo,
                                .totp_code = a.totp};
    if ((ex = cli_parse_decimal(c, "AMOUNT", argv[optind + 1], &req.amount)))
        return ex;
    if (!a.address)
        return cli_usage(c, "--address is required");
    nax_client *cl = cli_client(c, 1, &ex);
    if (!cl)
        return ex;
    nax_wallet_tx *tx = NULL;
    int rc = nax_wallets_withdraw(cl, &req, &tx);
    if (rc != 0)
        return out_error(c, rc, "requesting the withdrawal");
    if (c->json)
        ex = out_json(c, NAX_TYPE_WALLET_TX, tx);
    else
        print_wallet_tx(tx);
    nax_object_free(tx);
    return ex;
}

int cmd_transactions(cli *c, int argc, char **argv)
{
    static const struct option own[] = {
        {"asset", required_argument, NULL, F_ASSET},
        {"type", required_argument, NULL, F_TYPE},
        {"limit", required_argument, NULL, F_LIMIT},
        {"cursor", required_argument, NULL, F_CURSOR},
    };
    funds_args a = {0};
    int done, ex = cli_getopt(c, argc, argv, own, 4, funds_opt, &a, &done);
    if (done)
        return ex;
    if ((ex = cli_positionals(c, argc, argv, 0, 0, "no arguments")))
        return ex;
    nax_client *cl = cli_client(c, 1, &ex);
    if (!cl)
        return ex;
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.asset = a.asset;
    q.type = a.type;
    q.limit = a.limit;
    q.cursor = a.cursor;
    nax_wallet_tx_list *list = NULL;
    int rc = nax_wallets_transactions(cl, &q, &list);
    if (rc != 0)
        return out_error(c, rc, "listing the transactions");
    if (c->json) {
        ex = out_json(c, NAX_TYPE_WALLET_TX_LIST, list);
    } else {
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
        table_print(t, stdout);
        table_free(t);
        if (list->next_cursor)
            printf("next_cursor  %s\n", list->next_cursor);
    }
    nax_object_free(list);
    return ex;
}

/* ---- fiat ------------------------------------------------------------------------------- */

static int show_fiat_tx(cli *c, const nax_fiat_tx *tx)
{
    if (c->json)
        return out_json(c, NAX_TYPE_FIAT_TX, tx);
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
    return EXIT_OK;
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
    int done, ex = cli_getopt(c, argc, argv, own, 1, funds_opt, &a, &done);
    if (done)
        return ex;
    if ((ex = cli_positionals(c, argc, argv, 2, 2, "CURRENCY AMOUNT")))
        return ex;
    nax_fiat_deposit_request req = {.struct_size = sizeof req, .currency = argv[optind]};
    if ((ex = cli_parse_decimal(c, "AMOUNT", argv[optind + 1], &req.amount)))
        return ex;
    req.method = a.method ? a.method : default_method(req.currency);
    nax_client *cl = cli_client(c, 1, &ex);
    if (!cl)
        return ex;
    nax_fiat_tx *tx = NULL;
    int rc = nax_fiat_deposit(cl, &req, &tx);
    if (rc != 0)
        return out_error(c, rc, "announcing the deposit");
    ex = show_fiat_tx(c, tx);
    nax_object_free(tx);
    return ex;
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
    int done, ex = cli_getopt(c, argc, argv, own, 5, funds_opt, &a, &done);
    if (done)
        return ex;
    if ((ex = cli_positionals(c, argc, argv, 2, 2, "CURRENCY AMOUNT")))
        return ex;
    nax_fiat_withdraw_request req = {.struct_size = sizeof req,
                                     .currency = argv[optind],
                                     .method = a.method,
                                     .account_name = a.account_name,
                                     .account_number = a.account_number,
                                     .bank_code = a.bank_code,
                                     .totp_code = a.totp};
    if ((ex = cli_parse_decimal(c, "AMOUNT", argv[optind + 1], &req.amount)))
        return ex;
    if (!a.method)
        return cli_usage(c, "--method is required (bank_transfer, payid, ach or wire)");
    if (!a.account_name || !a.account_number || !a.bank_code)
        return cli_usage(c, "--account-name, --account-number and --bank-code are required");
    nax_client *cl = cli_client(c, 1, &ex);
    if (!cl)
        return ex;
    nax_fiat_tx *tx = NULL;
    int rc = nax_fiat_withdraw(cl, &req, &tx);
    if (rc != 0)
        return out_error(c, rc, "requesting the withdrawal");
    ex = show_fiat_tx(c, tx);
    nax_object_free(tx);
    return ex;
}

static int fiat_history(cli *c, int argc, char **argv)
{
    static const struct option own[] = {
        {"currency", required_argument, NULL, F_ASSET},
        {"type", required_argument, NULL, F_TYPE},
        {"limit", required_argument, NULL, F_LIMIT},
        {"cursor", required_argument, NULL, F_CURSOR},
    };
    funds_args a = {0};
    int done, ex = cli_getopt(c, argc, argv, own, 4, funds_opt, &a, &done);
    if (done)
        return ex;
    if ((ex = cli_positionals(c, argc, argv, 0, 0, "no arguments")))
        return ex;
    nax_client *cl = cli_client(c, 1, &ex);
    if (!cl)
        return ex;
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.asset = a.asset;
    q.type = a.type;
    q.limit = a.limit;
    q.cursor = a.cursor;
    nax_fiat_tx_list *list = NULL;
    int rc = nax_fiat_transactions(cl, &q, &list);
    if (rc != 0)
        return out_error(c, rc, "listing the fiat transactions");
    if (c->json) {
        ex = out_json(c, NAX_TYPE_FIAT_TX_LIST, list);
    } else {
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
        table_print(t, stdout);
        table_free(t);
        if (list->next_cursor)
            printf("next_cursor  %s\n", list->next_cursor);
    }
    nax_object_free(list);
    return ex;
}

int cmd_fiat(cli *c, int argc, char **argv)
{
    static const struct {
        const char *name, *full;
        int (*fn)(cli *, int, char **);
    } subs[] = {{"deposit", "fiat deposit", fiat_deposit},
                {"withdraw", "fiat withdraw", fiat_withdraw},
                {"history", "fiat history", fiat_history}};
    if (argc < 2)
        return cli_usage(c, "expected deposit, withdraw or history");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        cli_help_print("fiat", stdout);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (!strcmp(argv[1], subs[i].name)) {
            c->command = subs[i].full;
            return subs[i].fn(c, argc - 1, argv + 1);
        }
    return cli_usage(c, "unknown subcommand '%s' (expected deposit, withdraw or history)", argv[1]);
}

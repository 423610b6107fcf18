/*
 * cmd_orders.c: order place|get|list|cancel, cancel-all and fills.
 */
#include "cli.h"

#include <limits.h>
#include <string.h>

/* ---- printing ------------------------------------------------------------------------ */

static void print_order(const void *obj)
{
    const nax_order *o = obj;
    char price[NAX_DECIMAL_STRING_MAX], qty[NAX_DECIMAL_STRING_MAX], filled[NAX_DECIMAL_STRING_MAX],
        avg[NAX_DECIMAL_STRING_MAX], created[40], updated[40];
    kv *k = kv_new();
    kv_add(k, "id", o->id);
    kv_add(k, "client_order_id", o->client_order_id);
    kv_add(k, "pair", o->pair);
    kv_add(k, "side", side_name(o->side));
    kv_add(k, "type", order_type_name(o->type));
    kv_add(k, "price", fmt_opt_dec(price, o->price));
    kv_add(k, "quantity", fmt_dec(qty, &o->quantity));
    kv_add(k, "filled_quantity", fmt_dec(filled, &o->filled_quantity));
    kv_add(k, "average_price", fmt_opt_dec(avg, o->average_price));
    kv_add(k, "time_in_force", tif_name(o->time_in_force));
    kv_add(k, "post_only", o->post_only ? "yes" : "no");
    kv_add(k, "status", order_status_name(o->status));
    kv_add(k, "created_at", fmt_time(created, sizeof created, o->created_at));
    kv_add(k, "updated_at", fmt_time(updated, sizeof updated, o->updated_at));
    kv_print(k, stdout);
    kv_free(k);
}

static void print_orders(const void *obj)
{
    const nax_order_list *list = obj;
    static const char *const head[] = {"ID",       "PAIR",   "SIDE",   "TYPE",   "PRICE",
                                       "QUANTITY", "FILLED", "STATUS", "CREATED"};
    static const col_kind kinds[] = {COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_DEC,
                                     COL_DEC,  COL_DEC,  COL_TEXT, COL_TEXT};
    table *t = table_new(9, head, kinds);
    for (size_t i = 0; i < list->orders_count; i++) {
        const nax_order *o = list->orders[i];
        char p[NAX_DECIMAL_STRING_MAX], q[NAX_DECIMAL_STRING_MAX], f[NAX_DECIMAL_STRING_MAX],
            ts[40];
        const char *row[] = {o->id,
                             o->pair,
                             side_name(o->side),
                             order_type_name(o->type),
                             fmt_opt_dec(p, o->price),
                             fmt_dec(q, &o->quantity),
                             fmt_dec(f, &o->filled_quantity),
                             order_status_name(o->status),
                             fmt_time(ts, sizeof ts, o->created_at)};
        table_row(t, row);
    }
    table_print_free(t, stdout, list->next_cursor);
}

/* ---- order place ---------------------------------------------------------------------- */

/*
 * A version 4 UUID, as libnax would make (lower-case hex with hyphens). The
 * CLI makes the client order id itself, rather than leaving it to libnax, so
 * that it can tell the user the id when the outcome stays unknown.
 */
static int new_client_order_id(char out[37])
{
    unsigned char b[16];
    FILE *f = fopen("/dev/urandom", "rb");
    int ok = f && fread(b, 1, sizeof b, f) == sizeof b;
    if (f)
        fclose(f);
    if (!ok)
        return -1;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    size_t n = 0;
    for (size_t i = 0; i < sizeof b; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[n++] = '-';
        n += (size_t)snprintf(out + n, 37 - n, "%02x", b[i]);
    }
    return 0;
}

/* `id` as one shell word: as is when it is plain, else in single quotes. */
static void shell_word(char *out, size_t size, const char *id)
{
    int plain = *id != '\0';
    for (const char *p = id; *p && plain; p++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-", *p) !=
                NULL;
    if (plain) {
        snprintf(out, size, "%s", id);
        return;
    }
    size_t n = 0;
    if (n + 1 < size)
        out[n++] = '\'';
    for (const char *p = id; *p && n + 5 < size; p++) {
        if (*p == '\'') {
            memcpy(out + n, "'\\''", 4);
            n += 4;
        } else {
            out[n++] = *p;
        }
    }
    if (n + 1 < size)
        out[n++] = '\'';
    out[n] = '\0';
}

typedef struct place_args {
    nax_decimal price;
    int has_price;
    nax_order_type type;
    nax_time_in_force tif;
    int post_only;
    const char *client_id;
} place_args;

enum { P_PRICE = 1, P_TYPE, P_TIF, P_POST_ONLY, P_CLIENT_ID, P_PAIR };

static int place_opt(cli *c, int opt, const char *arg, void *ud)
{
    place_args *a = ud;
    switch (opt) {
    case P_PRICE: a->has_price = 1; return cli_parse_decimal(c, "--price", arg, &a->price);
    case P_TYPE: return cli_parse_order_type(c, arg, &a->type);
    case P_TIF: return cli_parse_tif(c, arg, &a->tif);
    case P_POST_ONLY: a->post_only = 1; return EXIT_OK;
    case P_CLIENT_ID: a->client_id = arg; return EXIT_OK;
    }
    return EXIT_USAGE;
}

static int order_place(cli *c, int argc, char **argv)
{
    static const struct option own[] = {
        {"price", required_argument, NULL, P_PRICE},
        {"type", required_argument, NULL, P_TYPE},
        {"tif", required_argument, NULL, P_TIF},
        {"post-only", no_argument, NULL, P_POST_ONLY},
        {"client-id", required_argument, NULL, P_CLIENT_ID},
    };
    place_args a = {0};
    const cli_spec spec = {own, CLI_COUNT(own), place_opt, &a, 3, 3, "PAIR buy|sell QUANTITY"};
    int ex;
    if (!cli_parse(c, argc, argv, &spec, &ex))
        return ex;
    nax_order_request req = {.struct_size = sizeof req, .pair = argv[optind]};
    if ((ex = cli_parse_side(c, argv[optind + 1], &req.side)) ||
        (ex = cli_parse_decimal(c, "QUANTITY", argv[optind + 2], &req.quantity)))
        return ex;
    req.type = a.type ? a.type : NAX_ORDER_TYPE_LIMIT;
    if (req.type == NAX_ORDER_TYPE_LIMIT && !a.has_price)
        return cli_usage(c, "a limit order needs --price (or say '--type market')");
    if (req.type == NAX_ORDER_TYPE_MARKET && a.has_price)
        return cli_usage(c, "a market order takes no --price");
    req.price = a.has_price ? &a.price : NULL;
    req.time_in_force = a.tif;
    req.post_only = a.post_only;
    char made_id[37];
    if (!a.client_id) {
        if (new_client_order_id(made_id) != 0)
            return out_fail(c, EXIT_SYSTEM, "cannot read /dev/urandom for a client order id");
        a.client_id = made_id;
    }
    req.client_order_id = a.client_id;

    nax_client *cl = cli_client(c, 1, &ex);
    if (!cl)
        return ex;
    nax_order *o = NULL;
    int rc = nax_orders_place(cl, &req, &o);
    if (rc == NAX_EOUTCOME_UNKNOWN) {
        /* The order may be in; placing it again under a new id could double it. */
        char word[200], hint[512];
        shell_word(word, sizeof word, a.client_id);
        snprintf(hint, sizeof hint,
                 "client order id %s: check with `nax order get --client-id %s` before placing "
                 "it again",
                 a.client_id, word);
        return out_error_hint(c, rc, "placing the order", hint, "client_order_id", a.client_id);
    }
    return out_result(c, rc, "placing the order", NAX_TYPE_ORDER, o, print_order);
}

/* ---- order get / cancel ---------------------------------------------------------------- */

/* The value of the command's one option (--client-id, --pair) into the string at `ud`. */
static int text_opt(cli *c, int opt, const char *arg, void *ud)
{
    (void)c;
    (void)opt;
    *(const char **)ud = arg;
    return EXIT_OK;
}

static int order_get(cli *c, int argc, char **argv)
{
    static const struct option own[] = {{"client-id", required_argument, NULL, P_CLIENT_ID}};
    const char *client_id = NULL;
    /* how many positionals depends on --client-id: counted once it is known */
    const cli_spec spec = {own, CLI_COUNT(own), text_opt, &client_id, 0, INT_MAX, NULL};
    int ex;
    if (!cli_parse(c, argc, argv, &spec, &ex))
        return ex;
    int n = client_id ? 0 : 1;
    if ((ex = cli_positionals(c, argc, argv, n, n, "an order ID or --client-id ID")))
        return ex;
    nax_client *cl = cli_client(c, 1, &ex);
    if (!cl)
        return ex;
    nax_order *o = NULL;
    int rc = client_id ? nax_orders_get_by_client_id(cl, client_id, &o)
                       : nax_orders_get(cl, argv[optind], &o);
    return out_result(c, rc, "reading the order", NAX_TYPE_ORDER, o, print_order);
}

static int order_cancel(cli *c, int argc, char **argv)
{
    static const cli_spec spec = {.min_args = 1, .max_args = 1, .args = "an order ID"};
    int ex;
    nax_client *cl = cli_begin(c, argc, argv, &spec, 1, &ex);
    if (!cl)
        return ex;
    nax_order *o = NULL;
    int rc = nax_orders_cancel(cl, argv[optind], &o);
    return out_result(c, rc, "cancelling the order", NAX_TYPE_ORDER, o, print_order);
}

/* ---- order list ------------------------------------------------------------------------- */

static int order_list(cli *c, int argc, char **argv)
{
    static const struct option filters[] = {
        {"pair", required_argument, NULL, OPT_Q_PAIR},
        {"status", required_argument, NULL, OPT_Q_STATUS},
        {"side", required_argument, NULL, OPT_Q_SIDE},
        {"client-id", required_argument, NULL, OPT_Q_CLIENT_ID},
    };
    nax_list_query q;
    int ex;
    nax_client *cl = cli_begin_list(c, argc, argv, filters, CLI_COUNT(filters), &q, &ex);
    if (!cl)
        return ex;
    nax_order_list *list = NULL;
    int rc = nax_orders_list(cl, &q, &list);
    return out_result(c, rc, "listing the orders", NAX_TYPE_ORDER_LIST, list, print_orders);
}

int cmd_order(cli *c, int argc, char **argv)
{
    static const cli_sub subs[] = {{"place", "order place", order_place},
                                   {"get", "order get", order_get},
                                   {"list", "order list", order_list},
                                   {"cancel", "order cancel", order_cancel}};
    return cli_dispatch(c, argc, argv, subs, CLI_COUNT(subs));
}

/* ---- cancel-all ------------------------------------------------------------------------- */

static void print_cancelled(const void *obj)
{
    const nax_cancel_result *res = obj;
    static const char *const head[] = {"CANCELLED"};
    table *t = table_new(1, head, NULL);
    for (size_t i = 0; i < res->cancelled_count; i++) {
        const char *row[] = {res->cancelled[i]};
        table_row(t, row);
    }
    table_print_free(t, stdout, NULL);
}

int cmd_cancel_all(cli *c, int argc, char **argv)
{
    static const struct option own[] = {{"pair", required_argument, NULL, P_PAIR}};
    const char *pair = NULL;
    const cli_spec spec = {own, CLI_COUNT(own), text_opt, &pair, 0, 0, NULL};
    int ex;
    nax_client *cl = cli_begin(c, argc, argv, &spec, 1, &ex);
    if (!cl)
        return ex;
    nax_cancel_result *res = NULL;
    int rc = nax_orders_cancel_all(cl, pair, &res);
    return out_result(c, rc, "cancelling the orders", NAX_TYPE_CANCEL_RESULT, res, print_cancelled);
}

/* ---- fills -------------------------------------------------------------------------------- */

static void print_fills(const void *obj)
{
    const nax_fill_list *list = obj;
    static const char *const head[] = {"TIME",  "ID",       "ORDER", "PAIR",      "SIDE",
                                       "PRICE", "QUANTITY", "FEE",   "FEE_ASSET", "LIQUIDITY"};
    static const col_kind kinds[] = {COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT,
                                     COL_DEC,  COL_DEC,  COL_DEC,  COL_TEXT, COL_TEXT};
    table *t = table_new(10, head, kinds);
    for (size_t i = 0; i < list->fills_count; i++) {
        const nax_fill *f = list->fills[i];
        char p[NAX_DECIMAL_STRING_MAX], qt[NAX_DECIMAL_STRING_MAX], fee[NAX_DECIMAL_STRING_MAX],
            ts[40];
        const char *row[] = {fmt_time(ts, sizeof ts, f->ts),
                             f->id,
                             f->order_id,
                             f->pair,
                             side_name(f->side),
                             fmt_dec(p, &f->price),
                             fmt_dec(qt, &f->quantity),
                             fmt_dec(fee, &f->fee),
                             f->fee_asset,
                             liquidity_name(f->liquidity)};
        table_row(t, row);
    }
    table_print_free(t, stdout, list->next_cursor);
}

int cmd_fills(cli *c, int argc, char **argv)
{
    static const struct option filters[] = {{"pair", required_argument, NULL, OPT_Q_PAIR}};
    nax_list_query q;
    int ex;
    nax_client *cl = cli_begin_list(c, argc, argv, filters, CLI_COUNT(filters), &q, &ex);
    if (!cl)
        return ex;
    nax_fill_list *list = NULL;
    int rc = nax_trades_history(cl, &q, &list);
    return out_result(c, rc, "reading the fills", NAX_TYPE_FILL_LIST, list, print_fills);
}

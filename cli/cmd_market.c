/*
 * cmd_market.c: the public market data: markets, ticker, book, trades.
 */
#include "cli.h"

#include <inttypes.h>

static void print_markets(const void *obj)
{
    const nax_market_list *list = obj;
    static const char *const head[] = {"PAIR", "BASE",         "QUOTE", "TICK",
                                       "LOT",  "MIN_NOTIONAL", "STATUS"};
    static const col_kind kinds[] = {COL_TEXT, COL_TEXT, COL_TEXT, COL_DEC,
                                     COL_DEC,  COL_DEC,  COL_TEXT};
    table *t = table_new(7, head, kinds);
    for (size_t i = 0; i < list->markets_count; i++) {
        const nax_market *m = list->markets[i];
        char tick[NAX_DECIMAL_STRING_MAX], lot[NAX_DECIMAL_STRING_MAX], mn[NAX_DECIMAL_STRING_MAX];
        const char *row[] = {m->pair,
                             m->base,
                             m->quote,
                             fmt_dec(tick, &m->tick_size),
                             fmt_dec(lot, &m->lot_size),
                             fmt_dec(mn, &m->min_notional),
                             market_status_name(m->status)};
        table_row(t, row);
    }
    table_print_free(t, stdout, NULL);
}

int cmd_markets(cli *c, int argc, char **argv)
{
    static const cli_spec spec = {0};
    int ex;
    nax_client *cl = cli_begin(c, argc, argv, &spec, 0, &ex);
    if (!cl)
        return ex;
    nax_market_list *list = NULL;
    int rc = nax_markets_list(cl, &list);
    return out_result(c, rc, "reading the markets", NAX_TYPE_MARKET_LIST, list, print_markets);
}

static void print_ticker(const void *obj)
{
    const nax_ticker *t = obj;
    char bid[NAX_DECIMAL_STRING_MAX], ask[NAX_DECIMAL_STRING_MAX], last[NAX_DECIMAL_STRING_MAX],
        vol[NAX_DECIMAL_STRING_MAX], seq[24], ts[40];
    snprintf(seq, sizeof seq, "%" PRIu64, t->seq);
    kv *k = kv_new();
    kv_add(k, "pair", t->pair);
    kv_add(k, "bid", fmt_opt_dec(bid, t->bid));
    kv_add(k, "ask", fmt_opt_dec(ask, t->ask));
    kv_add(k, "last", fmt_opt_dec(last, t->last));
    kv_add(k, "volume_24h", fmt_dec(vol, &t->volume_24h));
    kv_add(k, "seq", seq);
    kv_add(k, "time", fmt_time(ts, sizeof ts, t->ts));
    kv_print(k, stdout);
    kv_free(k);
}

#define PAIR_ARG "PAIR, e.g. BTC-AUD"

int cmd_ticker(cli *c, int argc, char **argv)
{
    static const cli_spec spec = {.min_args = 1, .max_args = 1, .args = PAIR_ARG};
    int ex;
    nax_client *cl = cli_begin(c, argc, argv, &spec, 0, &ex);
    if (!cl)
        return ex;
    nax_ticker *t = NULL;
    int rc = nax_markets_ticker(cl, argv[optind], &t);
    return out_result(c, rc, "reading the ticker", NAX_TYPE_TICKER, t, print_ticker);
}

void print_ladder(FILE *out, const nax_order_book *b, size_t depth)
{
    static const char *const head[] = {"SIDE", "PRICE", "QUANTITY"};
    static const col_kind kinds[] = {COL_TEXT, COL_DEC, COL_DEC};
    char p[NAX_DECIMAL_STRING_MAX], q[NAX_DECIMAL_STRING_MAX];
    size_t asks = depth && b->asks_count > depth ? depth : b->asks_count;
    size_t bids = depth && b->bids_count > depth ? depth : b->bids_count;
    table *t = table_new(3, head, kinds);
    for (size_t i = asks; i-- > 0;) {
        const char *row[] = {"ask", fmt_dec(p, &b->asks[i].price),
                             fmt_dec(q, &b->asks[i].quantity)};
        table_row(t, row);
    }
    nax_decimal spread;
    if (b->asks_count && b->bids_count &&
        nax_decimal_sub(&spread, &b->asks[0].price, &b->bids[0].price) == 0) {
        const char *row[] = {"spread", fmt_dec(p, &spread), ""};
        table_row(t, row);
    } else {
        const char *row[] = {"spread", "-", ""};
        table_row(t, row);
    }
    for (size_t i = 0; i < bids; i++) {
        const char *row[] = {"bid", fmt_dec(p, &b->bids[i].price),
                             fmt_dec(q, &b->bids[i].quantity)};
        table_row(t, row);
    }
    table_print_free(t, out, NULL);
}

static void print_book(const void *obj)
{
    const nax_order_book *b = obj;
    char ts[40];
    printf("%s  seq %" PRIu64 "  checksum %" PRIu32 "  %s\n", b->pair, b->seq, b->checksum,
           fmt_time(ts, sizeof ts, b->ts));
    print_ladder(stdout, b, 0);
}

/* book --depth and trades --limit */
static int limit_opt(cli *c, int opt, const char *arg, void *ud)
{
    return cli_parse_limit(c, opt == 'd' ? "--depth" : "--limit", arg, ud);
}

int cmd_book(cli *c, int argc, char **argv)
{
    static const struct option own[] = {{"depth", required_argument, NULL, 'd'}};
    unsigned int depth = 0;
    const cli_spec spec = {own, CLI_COUNT(own), limit_opt, &depth, 1, 1, PAIR_ARG};
    int ex;
    nax_client *cl = cli_begin(c, argc, argv, &spec, 0, &ex);
    if (!cl)
        return ex;
    nax_order_book *b = NULL;
    int rc = nax_markets_orderbook(cl, argv[optind], depth, &b);
    return out_result(c, rc, "reading the order book", NAX_TYPE_ORDER_BOOK, b, print_book);
}

static void print_trades(const void *obj)
{
    const nax_trade_list *list = obj;
    static const char *const head[] = {"TIME", "ID", "SIDE", "PRICE", "QUANTITY"};
    static const col_kind kinds[] = {COL_TEXT, COL_TEXT, COL_TEXT, COL_DEC, COL_DEC};
    table *t = table_new(5, head, kinds);
    for (size_t i = 0; i < list->trades_count; i++) {
        const nax_trade *tr = list->trades[i];
        char p[NAX_DECIMAL_STRING_MAX], q[NAX_DECIMAL_STRING_MAX], ts[40];
        const char *row[] = {fmt_time(ts, sizeof ts, tr->ts), tr->id, side_name(tr->side),
                             fmt_dec(p, &tr->price), fmt_dec(q, &tr->quantity)};
        table_row(t, row);
    }
    table_print_free(t, stdout, NULL);
}

int cmd_trades(cli *c, int argc, char **argv)
{
    static const struct option own[] = {{"limit", required_argument, NULL, 'l'}};
    unsigned int limit = 0;
    const cli_spec spec = {own, CLI_COUNT(own), limit_opt, &limit, 1, 1, PAIR_ARG};
    int ex;
    nax_client *cl = cli_begin(c, argc, argv, &spec, 0, &ex);
    if (!cl)
        return ex;
    nax_trade_list *list = NULL;
    int rc = nax_markets_trades(cl, argv[optind], limit, &list);
    return out_result(c, rc, "reading the trades", NAX_TYPE_TRADE_LIST, list, print_trades);
}

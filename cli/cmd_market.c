/*
 * cmd_market.c: the public market data: markets, ticker, book, trades.
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

int cmd_markets(cli *c, int argc, char **argv)
{
    int done, ex = cli_getopt(c, argc, argv, NULL, 0, NULL, NULL, &done);
    if (done)
        return ex;
    if ((ex = cli_positionals(c, argc, argv, 0, 0, "no arguments")))
        return ex;
    nax_client *cl = cli_client(c, 0, &ex);
    if (!cl)
        return ex;
    nax_market_list *list = NULL;
    int rc = nax_markets_list(cl, &list);
    if (rc != 0)
        return out_error(c, rc, "reading the markets");
    if (c->json) {
        ex = out_json(c, NAX_TYPE_MARKET_LIST, list);
    } else {
        static const char *const head[] = {"PAIR", "BASE",         "QUOTE", "TICK",
                                           "LOT",  "MIN_NOTIONAL", "STATUS"};
        static const col_kind kinds[] = {COL_TEXT, COL_TEXT, COL_TEXT, COL_DEC,
                                         COL_DEC,  COL_DEC,  COL_TEXT};
        table *t = table_new(7, head, kinds);
        for (size_t i = 0; i < list->markets_count; i++) {
            const nax_market *m = list->markets[i];
            char tick[NAX_DECIMAL_STRING_MAX], lot[NAX_DECIMAL_STRING_MAX],
                mn[NAX_DECIMAL_STRING_MAX];
            const char *row[] = {m->pair,
                                 m->base,
                                 m->quote,
                                 fmt_dec(tick, &m->tick_size),
                                 fmt_dec(lot, &m->lot_size),
                                 fmt_dec(mn, &m->min_notional),
                                 market_status_name(m->status)};
            table_row(t, row);
        }
        table_print(t, stdout);
        table_free(t);
    }
    nax_object_free(list);
    return ex;
}

int cmd_ticker(cli *c, int argc, char **argv)
{
    int done, ex = cli_getopt(c, argc, argv, NULL, 0, NULL, NULL, &done);
    if (done)
        return ex;
    if ((ex = cli_positionals(c, argc, argv, 1, 1, "PAIR, e.g. BTC-AUD")))
        return ex;
    const char *pair = argv[optind];
    nax_client *cl = cli_client(c, 0, &ex);
    if (!cl)
        return ex;
    nax_ticker *t = NULL;
    int rc = nax_markets_ticker(cl, pair, &t);
    if (rc != 0)
        return out_error(c, rc, "reading the ticker");
    if (c->json) {
        ex = out_json(c, NAX_TYPE_TICKER, t);
    } else {
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
    nax_object_free(t);
    return ex;
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
    table_print(t, out);
    table_free(t);
}

static int book_opt(cli *c, int opt, const char *arg, void *ud)
{
    unsigned long v;
    (void)opt;
    int ex = cli_parse_uint(c, "--depth", arg, 1, 1000, &v);
    if (!ex)
        *(unsigned int *)ud = (unsigned int)v;
    return ex;
}

int cmd_book(cli *c, int argc, char **argv)
{
    static const struct option own[] = {{"depth", required_argument, NULL, 'd'}};
    unsigned int depth = 0;
    int done, ex = cli_getopt(c, argc, argv, own, 1, book_opt, &depth, &done);
    if (done)
        return ex;
    if ((ex = cli_positionals(c, argc, argv, 1, 1, "PAIR, e.g. BTC-AUD")))
        return ex;
    const char *pair = argv[optind];
    nax_client *cl = cli_client(c, 0, &ex);
    if (!cl)
        return ex;
    nax_order_book *b = NULL;
    int rc = nax_markets_orderbook(cl, pair, depth, &b);
    if (rc != 0)
        return out_error(c, rc, "reading the order book");
    if (c->json) {
        ex = out_json(c, NAX_TYPE_ORDER_BOOK, b);
    } else {
        char ts[40];
        printf("%s  seq %" PRIu64 "  checksum %" PRIu32 "  %s\n", b->pair, b->seq, b->checksum,
               fmt_time(ts, sizeof ts, b->ts));
        print_ladder(stdout, b, 0);
    }
    nax_object_free(b);
    return ex;
}

static int trades_opt(cli *c, int opt, const char *arg, void *ud)
{
    unsigned long v;
    (void)opt;
    int ex = cli_parse_uint(c, "--limit", arg, 1, 1000, &v);
    if (!ex)
        *(unsigned int *)ud = (unsigned int)v;
    return ex;
}

int cmd_trades(cli *c, int argc, char **argv)
{
    static const struct option own[] = {{"limit", required_argument, NULL, 'l'}};
    unsigned int limit = 0;
    int done, ex = cli_getopt(c, argc, argv, own, 1, trades_opt, &limit, &done);
    if (done)
        return ex;
    if ((ex = cli_positionals(c, argc, argv, 1, 1, "PAIR, e.g. BTC-AUD")))
        return ex;
    const char *pair = argv[optind];
    nax_client *cl = cli_client(c, 0, &ex);
    if (!cl)
        return ex;
    nax_trade_list *list = NULL;
    int rc = nax_markets_trades(cl, pair, limit, &list);
    if (rc != 0)
        return out_error(c, rc, "reading the trades");
    if (c->json) {
        ex = out_json(c, NAX_TYPE_TRADE_LIST, list);
    } else {
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
        table_print(t, stdout);
        table_free(t);
    }
    nax_object_free(list);
    return ex;
}

/*
 * args.c: option parsing and value parsers shared by every command. A value
 * that does not parse is a usage error naming the flag and the value, so a
 * typo never reaches the server as something else.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_usage(cli *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* through out_fail, so that with --json it is the contract's error body too */
    if (c->command)
        return out_fail(c, EXIT_USAGE, "%s: %s (see '%s help %s')", c->command, msg, c->prog,
                        c->topic ? c->topic : c->command);
    return out_fail(c, EXIT_USAGE, "%s (see '%s help')", msg, c->prog);
}

#define MAX_OPTIONS 32

int cli_getopt(cli *c, int argc, char **argv, const struct option *own, size_t n_own,
               cli_opt_fn handle, void *ud, int *done)
{
    struct option all[MAX_OPTIONS + 3];
    size_t n = 0;
    *done = 0;
    for (size_t i = 0; i < n_own && n < MAX_OPTIONS; i++)
        all[n++] = own[i];
    all[n++] = (struct option){"json", no_argument, NULL, OPT_JSON};
    all[n++] = (struct option){"help", no_argument, NULL, OPT_HELP};
    all[n] = (struct option){NULL, 0, NULL, 0};

    optind = 0; /* 0 makes glibc reinitialise, since each command parses anew */
    opterr = 0;
    for (;;) {
        int opt = getopt_long(argc, argv, ":h", all, NULL);
        if (opt == -1)
            break;
        /* glibc leaves the offending word just before optind */
        const char *text = optind > 0 && optind <= argc ? argv[optind - 1] : "";
        char short_opt[3] = {'-', (char)optopt, '\0'};
        if (opt == '?' && optopt)
            text = short_opt;
        switch (opt) {
        case OPT_JSON: c->json = 1; break;
        case 'h':
        case OPT_HELP:
            cli_help_print(c->topic, stdout);
            *done = 1;
            return EXIT_OK;
        case ':': *done = 1; return cli_usage(c, "option '%s' needs a value", text);
        case '?': *done = 1; return cli_usage(c, "unknown option '%s'", text);
        default: {
            int rc = handle ? handle(c, opt, optarg, ud) : cli_usage(c, "unexpected option");
            if (rc) {
                *done = 1;
                return rc;
            }
        }
        }
    }
    return EXIT_OK;
}

int cli_positionals(cli *c, int argc, char **argv, int min, int max, const char *names)
{
    int have = argc - optind;
    if (have < min)
        return cli_usage(c, "expected %s", names);
    if (have > max)
        return cli_usage(c, "unexpected argument '%s'", argv[optind + max]);
    return EXIT_OK;
}

int cli_parse_decimal(cli *c, const char *what, const char *text, nax_decimal *out)
{
    size_t off = 0;
    if (nax_decimal_parse(out, text, strlen(text), &off) != 0)
        return cli_usage(c, "%s: '%s' is not a decimal number (e.g. 0.015 or 97250.50)", what,
                         text);
    return EXIT_OK;
}

int cli_parse_uint(cli *c, const char *what, const char *text, unsigned long min, unsigned long max,
                   unsigned long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (!*text || *text == '-' || *text == '+' || *end || errno || v < min || v > max)
        return cli_usage(c, "%s: '%s' is not a whole number from %lu to %lu", what, text, min, max);
    *out = v;
    return EXIT_OK;
}

/* A word from a fixed list; `values` are NULL-terminated name/value pairs. */
typedef struct word {
    const char *name;
    int value;
} word;

static int parse_word(cli *c, const char *what, const char *text, const word *words, int *out)
{
    char list[256] = "";
    for (const word *w = words; w->name; w++) {
        if (!strcmp(w->name, text)) {
            *out = w->value;
            return EXIT_OK;
        }
        if (*list)
            strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, w->name, sizeof list - strlen(list) - 1);
    }
    return cli_usage(c, "%s: '%s' is not one of %s", what, text, list);
}

int cli_parse_side(cli *c, const char *text, nax_side *out)
{
    static const word w[] = {{"buy", NAX_SIDE_BUY}, {"sell", NAX_SIDE_SELL}, {NULL, 0}};
    int v = 0, rc = parse_word(c, "side", text, w, &v);
    *out = (nax_side)v;
    return rc;
}

int cli_parse_order_type(cli *c, const char *text, nax_order_type *out)
{
    static const word w[] = {
        {"limit", NAX_ORDER_TYPE_LIMIT}, {"market", NAX_ORDER_TYPE_MARKET}, {NULL, 0}};
    int v = 0, rc = parse_word(c, "--type", text, w, &v);
    *out = (nax_order_type)v;
    return rc;
}

int cli_parse_tif(cli *c, const char *text, nax_time_in_force *out)
{
    static const word w[] = {
        {"GTC", NAX_TIF_GTC}, {"IOC", NAX_TIF_IOC}, {"FOK", NAX_TIF_FOK}, {NULL, 0}};
    int v = 0, rc = parse_word(c, "--tif", text, w, &v);
    *out = (nax_time_in_force)v;
    return rc;
}

int cli_parse_order_status(cli *c, const char *text, nax_order_status *out)
{
    static const word w[] = {{"open", NAX_ORDER_STATUS_OPEN},
                             {"partially_filled", NAX_ORDER_STATUS_PARTIALLY_FILLED},
                             {"filled", NAX_ORDER_STATUS_FILLED},
                             {"cancelled", NAX_ORDER_STATUS_CANCELLED},
                             {"rejected", NAX_ORDER_STATUS_REJECTED},
                             {NULL, 0}};
    int v = 0, rc = parse_word(c, "--status", text, w, &v);
    *out = (nax_order_status)v;
    return rc;
}

int cli_parse_tx_type(cli *c, const char *text, nax_tx_type *out)
{
    static const word w[] = {
        {"deposit", NAX_TX_TYPE_DEPOSIT}, {"withdrawal", NAX_TX_TYPE_WITHDRAWAL}, {NULL, 0}};
    int v = 0, rc = parse_word(c, "--type", text, w, &v);
    *out = (nax_tx_type)v;
    return rc;
}

int cli_parse_fiat_method(cli *c, const char *text, nax_fiat_method *out)
{
    static const word w[] = {{"bank_transfer", NAX_FIAT_METHOD_BANK_TRANSFER},
                             {"payid", NAX_FIAT_METHOD_PAYID},
                             {"ach", NAX_FIAT_METHOD_ACH},
                             {"wire", NAX_FIAT_METHOD_WIRE},
                             {NULL, 0}};
    int v = 0, rc = parse_word(c, "--method", text, w, &v);
    *out = (nax_fiat_method)v;
    return rc;
}

int cli_parse_scopes(cli *c, const char *text, unsigned int *out)
{
    static const word w[] = {{"read", NAX_SCOPE_READ},
                             {"trade", NAX_SCOPE_TRADE},
                             {"withdraw", NAX_SCOPE_WITHDRAW},
                             {NULL, 0}};
    char one[32];
    unsigned int scopes = 0;
    const char *p = text;
    for (;;) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= sizeof one)
            return cli_usage(c,
                             "--scopes: '%s' is not a comma-separated list of read, trade, "
                             "withdraw",
                             text);
        memcpy(one, p, n);
        one[n] = '\0';
        int v = 0, rc = parse_word(c, "--scopes", one, w, &v);
        if (rc)
            return rc;
        scopes |= (unsigned int)v;
        if (!p[n])
            break;
        p += n + 1;
    }
    *out = scopes;
    return EXIT_OK;
}

/*
 * args.c: option parsing and value parsers shared by every command (the
 * enums' words are in words.c). A value that does not parse is a usage
 * error naming the flag and the value, so a typo never reaches the server
 * as something else.
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

/* The options, with getopt_long: -1 to go on, else the exit code (after a
 * usage error, or 0 after printing the help). */
static int parse_options(cli *c, int argc, char **argv, const cli_spec *spec)
{
    struct option all[MAX_OPTIONS + 3];
    size_t n = 0;
    for (size_t i = 0; i < spec->n_opts && n < MAX_OPTIONS; i++)
        all[n++] = spec->opts[i];
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
        case OPT_HELP: cli_help_print(c->topic, stdout); return EXIT_OK;
        case ':': return cli_usage(c, "option '%s' needs a value", text);
        case '?': return cli_usage(c, "unknown option '%s'", text);
        default: {
            int rc = spec->handle ? spec->handle(c, opt, optarg, spec->ud)
                                  : cli_usage(c, "unexpected option");
            if (rc)
                return rc;
        }
        }
    }
    return -1;
}

int cli_parse(cli *c, int argc, char **argv, const cli_spec *spec, int *ex)
{
    *ex = parse_options(c, argc, argv, spec);
    if (*ex >= 0)
        return 0;
    *ex = cli_positionals(c, argc, argv, spec->min_args, spec->max_args, spec->args);
    return *ex == EXIT_OK;
}

nax_client *cli_begin(cli *c, int argc, char **argv, const cli_spec *spec, int need_auth, int *ex)
{
    return cli_parse(c, argc, argv, spec, ex) ? cli_client(c, need_auth, ex) : NULL;
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

int cli_dispatch(cli *c, int argc, char **argv, const cli_sub *subs, size_t n_subs)
{
    char names[256] = ""; /* "place, get, list or cancel" */
    for (size_t i = 0; i < n_subs; i++) {
        const char *sep = i == 0 ? "" : i + 1 < n_subs ? ", " : " or ";
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", sep, subs[i].name);
    }
    if (argc < 2)
        return cli_usage(c, "expected %s", names);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        cli_help_print(c->topic, stdout);
        return EXIT_OK;
    }
    for (size_t i = 0; i < n_subs; i++)
        if (!strcmp(argv[1], subs[i].name)) {
            c->command = subs[i].full;
            return subs[i].fn(c, argc - 1, argv + 1);
        }
    return cli_usage(c, "unknown subcommand '%s' (expected %s)", argv[1], names);
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

int cli_parse_limit(cli *c, const char *what, const char *text, unsigned int *out)
{
    unsigned long v;
    int ex = cli_parse_uint(c, what, text, 1, 1000, &v);
    if (!ex)
        *out = (unsigned int)v;
    return ex;
}

/* The list filters and paging (OPT_Q_* ids) into the nax_list_query at `ud`. */
static int query_opt(cli *c, int opt, const char *arg, void *ud)
{
    nax_list_query *q = ud;
    switch (opt) {
    case OPT_Q_PAIR: q->pair = arg; return EXIT_OK;
    case OPT_Q_STATUS: return cli_parse_order_status(c, arg, &q->status);
    case OPT_Q_SIDE: return cli_parse_side(c, arg, &q->side);
    case OPT_Q_CLIENT_ID: q->client_order_id = arg; return EXIT_OK;
    case OPT_Q_ASSET: q->asset = arg; return EXIT_OK;
    case OPT_Q_TX_TYPE: return cli_parse_tx_type(c, arg, &q->type);
    case OPT_Q_LIMIT: return cli_parse_limit(c, "--limit", arg, &q->limit);
    case OPT_Q_CURSOR: q->cursor = arg; return EXIT_OK;
    }
    return EXIT_USAGE;
}

nax_client *cli_begin_list(cli *c, int argc, char **argv, const struct option *filters,
                           size_t n_filters, nax_list_query *q, int *ex)
{
    struct option opts[MAX_OPTIONS];
    size_t n = 0;
    for (; n < n_filters && n < MAX_OPTIONS - 2; n++)
        opts[n] = filters[n];
    opts[n++] = (struct option){"limit", required_argument, NULL, OPT_Q_LIMIT};
    opts[n++] = (struct option){"cursor", required_argument, NULL, OPT_Q_CURSOR};
    *q = (nax_list_query)NAX_LIST_QUERY_INIT;
    const cli_spec spec = {opts, n, query_opt, q, 0, 0, "no arguments"};
    return cli_begin(c, argc, argv, &spec, 1, ex);
}

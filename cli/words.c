/*
 * words.c: the words of the API's enums, both ways: parsed from the command
 * line (a word not in the list is a usage error naming the choices) and
 * printed in tables and messages ("-" for a value with no word). One table
 * per enum keeps the two directions in step.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const cli_word side_words[] = {{"buy", NAX_SIDE_BUY}, {"sell", NAX_SIDE_SELL}, {NULL, 0}};
static const cli_word order_type_words[] = {
    {"limit", NAX_ORDER_TYPE_LIMIT}, {"market", NAX_ORDER_TYPE_MARKET}, {NULL, 0}};
static const cli_word tif_words[] = {
    {"GTC", NAX_TIF_GTC}, {"IOC", NAX_TIF_IOC}, {"FOK", NAX_TIF_FOK}, {NULL, 0}};
static const cli_word order_status_words[] = {
    {"open", NAX_ORDER_STATUS_OPEN},
    {"partially_filled", NAX_ORDER_STATUS_PARTIALLY_FILLED},
    {"filled", NAX_ORDER_STATUS_FILLED},
    {"cancelled", NAX_ORDER_STATUS_CANCELLED},
    {"rejected", NAX_ORDER_STATUS_REJECTED},
    {NULL, 0}};
static const cli_word market_status_words[] = {{"active", NAX_MARKET_STATUS_ACTIVE},
                                               {"halted", NAX_MARKET_STATUS_HALTED},
                                               {"post_only", NAX_MARKET_STATUS_POST_ONLY},
                                               {NULL, 0}};
static const cli_word tx_type_words[] = {
    {"deposit", NAX_TX_TYPE_DEPOSIT}, {"withdrawal", NAX_TX_TYPE_WITHDRAWAL}, {NULL, 0}};
static const cli_word tx_status_words[] = {{"pending", NAX_TX_STATUS_PENDING},
                                           {"completed", NAX_TX_STATUS_COMPLETED},
                                           {"failed", NAX_TX_STATUS_FAILED},
                                           {"cancelled", NAX_TX_STATUS_CANCELLED},
                                           {NULL, 0}};
static const cli_word fiat_method_words[] = {{"bank_transfer", NAX_FIAT_METHOD_BANK_TRANSFER},
                                             {"payid", NAX_FIAT_METHOD_PAYID},
                                             {"ach", NAX_FIAT_METHOD_ACH},
                                             {"wire", NAX_FIAT_METHOD_WIRE},
                                             {NULL, 0}};
static const cli_word kyc_status_words[] = {{"unverified", NAX_KYC_STATUS_UNVERIFIED},
                                            {"pending", NAX_KYC_STATUS_PENDING},
                                            {"verified", NAX_KYC_STATUS_VERIFIED},
                                            {"rejected", NAX_KYC_STATUS_REJECTED},
                                            {NULL, 0}};
static const cli_word liquidity_words[] = {
    {"maker", NAX_LIQUIDITY_MAKER}, {"taker", NAX_LIQUIDITY_TAKER}, {NULL, 0}};
static const cli_word scope_words[] = {{"read", NAX_SCOPE_READ},
                                       {"trade", NAX_SCOPE_TRADE},
                                       {"withdraw", NAX_SCOPE_WITHDRAW},
                                       {NULL, 0}};

/* "a, b, c": the choices, for usage errors. */
static const char *word_list(const cli_word *words, char *buf, size_t size)
{
    buf[0] = '\0';
    for (const cli_word *w = words; w->name; w++)
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", w == words ? "" : ", ", w->name);
    return buf;
}

int cli_parse_word(cli *c, const char *what, const char *text, const cli_word *words, int *out)
{
    for (const cli_word *w = words; w->name; w++)
        if (!strcmp(w->name, text)) {
            *out = w->value;
            return EXIT_OK;
        }
    char list[256];
    return cli_usage(c, "%s: '%s' is not one of %s", what, text,
                     word_list(words, list, sizeof list));
}

const char *cli_word_name(const cli_word *words, int value)
{
    for (const cli_word *w = words; w->name; w++)
        if (w->value == value)
            return w->name;
    return "-";
}

/* ---- from the command line ----------------------------------------------------------- */

int cli_parse_side(cli *c, const char *text, nax_side *out)
{
    int v = 0, rc = cli_parse_word(c, "side", text, side_words, &v);
    *out = (nax_side)v;
    return rc;
}

int cli_parse_order_type(cli *c, const char *text, nax_order_type *out)
{
    int v = 0, rc = cli_parse_word(c, "--type", text, order_type_words, &v);
    *out = (nax_order_type)v;
    return rc;
}

int cli_parse_tif(cli *c, const char *text, nax_time_in_force *out)
{
    int v = 0, rc = cli_parse_word(c, "--tif", text, tif_words, &v);
    *out = (nax_time_in_force)v;
    return rc;
}

int cli_parse_order_status(cli *c, const char *text, nax_order_status *out)
{
    int v = 0, rc = cli_parse_word(c, "--status", text, order_status_words, &v);
    *out = (nax_order_status)v;
    return rc;
}

int cli_parse_tx_type(cli *c, const char *text, nax_tx_type *out)
{
    int v = 0, rc = cli_parse_word(c, "--type", text, tx_type_words, &v);
    *out = (nax_tx_type)v;
    return rc;
}

int cli_parse_fiat_method(cli *c, const char *text, nax_fiat_method *out)
{
    int v = 0, rc = cli_parse_word(c, "--method", text, fiat_method_words, &v);
    *out = (nax_fiat_method)v;
    return rc;
}

int cli_parse_scopes(cli *c, const char *text, unsigned int *out)
{
    char one[32];
    unsigned int scopes = 0;
    const char *p = text;
    for (;;) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= sizeof one) {
            char list[64];
            return cli_usage(c, "--scopes: '%s' is not a comma-separated list of %s", text,
                             word_list(scope_words, list, sizeof list));
        }
        memcpy(one, p, n);
        one[n] = '\0';
        int v = 0, rc = cli_parse_word(c, "--scopes", one, scope_words, &v);
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

/* ---- for tables ---------------------------------------------------------------------- */

const char *side_name(nax_side s)
{
    return cli_word_name(side_words, (int)s);
}

const char *order_type_name(nax_order_type t)
{
    return cli_word_name(order_type_words, (int)t);
}

const char *tif_name(nax_time_in_force t)
{
    return cli_word_name(tif_words, (int)t);
}

const char *order_status_name(nax_order_status s)
{
    return cli_word_name(order_status_words, (int)s);
}

const char *market_status_name(nax_market_status s)
{
    return cli_word_name(market_status_words, (int)s);
}

const char *tx_type_name(nax_tx_type t)
{
    return cli_word_name(tx_type_words, (int)t);
}

const char *tx_status_name(nax_tx_status s)
{
    return cli_word_name(tx_status_words, (int)s);
}

const char *fiat_method_name(nax_fiat_method m)
{
    return cli_word_name(fiat_method_words, (int)m);
}

const char *kyc_status_name(nax_kyc_status s)
{
    return cli_word_name(kyc_status_words, (int)s);
}

const char *liquidity_name(nax_liquidity l)
{
    return cli_word_name(liquidity_words, (int)l);
}

const char *scopes_text(char *buf, size_t size, unsigned int scopes)
{
    size_t n = 0;
    buf[0] = '\0';
    for (const cli_word *w = scope_words; w->name && n < size; w++)
        if (scopes & (unsigned int)w->value)
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "", w->name);
    return buf;
}

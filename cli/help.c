/*
 * help.c: `nax help [COMMAND]` and `nax COMMAND --help`. The same text is in
 * the man page (cli/nax.1); keep the two in step.
 */
#include "cli.h"

#include <string.h>

static const char overview[] =
    "usage: nax [GLOBAL OPTIONS] COMMAND [ARGUMENTS] [--json]\n"
    "\n"
    "A command line client of the NA-X exchange API, built on libnax.\n"
    "\n"
    "Global options (before the command):\n"
    "  --url URL            API base URL, e.g. http://127.0.0.1:8080 (NAX_URL)\n"
    "  --api-key ID         API key id (NAX_API_KEY); the secret from NAX_API_SECRET\n"
    "  --api-secret SECRET  API key secret (NAX_API_SECRET; on the command line other\n"
    "                       users can see it, so prefer the environment or the file)\n"
    "  --token TOKEN        a session's access token (NAX_TOKEN)\n"
    "  --config PATH        the config file (default $XDG_CONFIG_HOME/nax/config,\n"
    "                       else ~/.config/nax/config)\n"
    "  --json               one JSON document per result, in the API's own shape\n"
    "                       (also accepted after the command); errors as the API's\n"
    "                       error body on stderr\n"
    "  --verbose            libnax's log on stderr (secrets redacted)\n"
    "  --version            print the versions of nax and libnax\n"
    "  --help               this text\n"
    "\n"
    "Commands:\n"
    "  markets                         markets and their trading rules\n"
    "  ticker PAIR                     best bid and ask, last price, 24 h volume\n"
    "  book PAIR [--depth N]           the order book\n"
    "  trades PAIR [--limit N]         recent public trades\n"
    "  login [--email E] [--save]      start a session (password from NAX_PASSWORD or\n"
    "                                  the terminal)\n"
    "  balances                        your balances\n"
    "  api-keys list|create|delete     your API keys\n"
    "  order place|get|list|cancel     your orders\n"
    "  cancel-all [--pair PAIR]        cancel every open order\n"
    "  fills [--pair PAIR]             your executions\n"
    "  deposit-address ASSET           where to send crypto\n"
    "  withdraw ASSET AMOUNT           withdraw crypto\n"
    "  transactions                    your crypto deposits and withdrawals\n"
    "  fiat deposit|withdraw|history   fiat money in and out\n"
    "  stream CHANNEL...               live book ladder, ticker, trades, private events\n"
    "  webhook sign                    act as a payment/custody/KYC provider\n"
    "  help [COMMAND]                  help on a command\n"
    "\n"
    "Configuration: each setting comes from the first of the flag, the environment\n"
    "(NAX_URL, NAX_API_KEY, NAX_API_SECRET, NAX_TOKEN, NAX_EMAIL) and the config file,\n"
    "whose lines are 'key = value' (url, api_key, api_secret, token, refresh_token,\n"
    "email, webhook_secret_payments, webhook_secret_custody, webhook_secret_kyc; '#'\n"
    "starts a comment). The file must have mode 0600 and belong to you, or nax refuses\n"
    "it. The kind of credential given at the best level is used (a token wins over a\n"
    "key at the same level); refresh_token goes with the file's token only.\n"
    "\n"
    "Exit codes (by the class of the libnax error, nax_error_class_of()):\n"
    "   0  success\n"
    "   1  failure of no more specific class\n"
    "   2  usage: bad command line, unknown flag, malformed value, unusable config file\n"
    "   3  argument (NAX_ERRCLASS_ARGUMENT): refused before anything was sent, e.g. a\n"
    "      price off the market's tick size\n"
    "   4  data (NAX_ERRCLASS_DATA): malformed data\n"
    "   5  network (NAX_ERRCLASS_NETWORK): cannot connect, timeout, TLS, outcome unknown\n"
    "   6  http (NAX_ERRCLASS_HTTP): the server refused, with a status not listed below\n"
    "      (409, 413, 429, 5xx)\n"
    "   7  http 401/403: credentials missing, wrong, expired or not allowed (also a\n"
    "      session that expired and cannot be renewed)\n"
    "   8  http 404: not found\n"
    "   9  http 400/422: the request was refused as invalid (the field is shown)\n"
    "  10  state (NAX_ERRCLASS_STATE): circuit breaker open, retry budget, limits\n"
    "  11  memory (NAX_ERRCLASS_MEMORY)\n"
    "  12  system (NAX_ERRCLASS_SYSTEM): local I/O, e.g. writing the config file\n"
    "\n"
    "Errors are one line on stderr: the message, then the field, the server's code,\n"
    "the HTTP status and the request id when there are. See 'nax help COMMAND' and\n"
    "man nax.\n";

typedef struct topic {
    const char *name;
    const char *text;
} topic;

static const topic topics[] = {
    {"markets", "usage: nax markets [--json]\n"
                "\n"
                "The markets (GET /v1/markets): pair, base and quote assets, tick size, lot\n"
                "size, minimum notional and status. No credentials needed.\n"},
    {"ticker", "usage: nax ticker PAIR [--json]\n"
               "\n"
               "The ticker of PAIR, e.g. BTC-AUD (GET /v1/markets/{pair}/ticker): best bid,\n"
               "best ask, last trade price, 24 h volume, seq and time.\n"},
    {"book", "usage: nax book PAIR [--depth N] [--json]\n"
             "\n"
             "The order book of PAIR (GET /v1/markets/{pair}/orderbook), best levels first:\n"
             "asks above (best at the bottom), bids below, with the spread, seq and\n"
             "checksum.\n"
             "\n"
             "  --depth N   levels per side, 1 to 1000 (default: the server's, 50)\n"},
    {"trades", "usage: nax trades PAIR [--limit N] [--json]\n"
               "\n"
               "Recent public trades of PAIR, newest first (GET /v1/markets/{pair}/trades).\n"
               "\n"
               "  --limit N   1 to 1000 (default: the server's, 100)\n"},
    {"login", "usage: nax login [--email EMAIL] [--totp CODE] [--save] [--print-token] [--json]\n"
              "\n"
              "Log in (POST /v1/auth/login) and show who you are. The password is never\n"
              "taken on the command line: it comes from NAX_PASSWORD, else it is read from\n"
              "the terminal without echo, or from the first line of stdin when stdin is not a\n"
              "terminal.\n"
              "\n"
              "  --email EMAIL   the account (else NAX_EMAIL, else 'email' in the config file)\n"
              "  --totp CODE     the six-digit code once two-factor login is on\n"
              "  --save          write the session's access and refresh tokens (and url and\n"
              "                  email) to the config file, created with mode 0600; later\n"
              "                  commands use the session and renew it when it expires (15\n"
              "                  minutes on naxd), saving the new tokens, until the refresh\n"
              "                  token expires (7 days) or the session is logged out\n"
              "  --print-token   print the access token (the only time nax prints a secret);\n"
              "                  with --json, the whole token pair as the API returns it\n"},
    {"balances", "usage: nax balances [--json]\n"
                 "\n"
                 "Your balances (GET /v1/wallets/balances): available, locked and total per\n"
                 "asset. Needs credentials.\n"},
    {"api-keys", "usage: nax api-keys list [--json]\n"
                 "       nax api-keys create --label LABEL [--scopes read,trade,withdraw]\n"
                 "                           [--save] [--json]\n"
                 "       nax api-keys delete ID\n"
                 "\n"
                 "Your API keys (/v1/auth/api-keys; needs a login session, e.g. 'nax login\n"
                 "--save' or --token).\n"
                 "\n"
                 "  list      the keys, without secrets\n"
                 "  create    a new key; default scopes read,trade. The server shows its secret\n"
                 "            once: nax prints it, or with --save writes api_key and api_secret\n"
                 "            to the config file (mode 0600) and prints only the id; the key is\n"
                 "            then the file's credential (a session saved there is removed, as\n"
                 "            it would be used instead and expire). When the file cannot be\n"
                 "            written (exit 12) the key is deleted again; should that fail too,\n"
                 "            its secret is printed after all (the only copy)\n"
                 "  delete    revoke the key ID\n"},
    {"order",
     "usage: nax order place PAIR buy|sell QUANTITY [--price PRICE] [--type limit|market]\n"
     "                       [--tif GTC|IOC|FOK] [--post-only] [--client-id ID] [--json]\n"
     "       nax order get ID | --client-id ID [--json]\n"
     "       nax order list [--pair PAIR] [--status S] [--side buy|sell] [--limit N]\n"
     "                      [--cursor C] [--json]\n"
     "       nax order cancel ID [--json]\n"
     "\n"
     "Your orders (/v1/orders). Needs credentials.\n"
     "\n"
     "  place    a limit order needs --price; a market order needs '--type market' (an\n"
     "           order without a price is never made a market order by accident). The\n"
     "           order is checked against the market's tick size, lot size and minimum\n"
     "           notional before it is sent (exit 3 with the field when it breaks one),\n"
     "           and placed exactly once: a client order id is fixed before the first\n"
     "           attempt (--client-id, else a new UUID). When the outcome stays unknown\n"
     "           (exit 5) the error names that id (with --json, a client_order_id\n"
     "           member): look the order up with 'nax order get --client-id ID'\n"
     "           before placing it again.\n"
     "  get      one order by id, or by the client order id\n"
     "  list     one page, newest first; --status open|partially_filled|filled|\n"
     "           cancelled|rejected; the next page's cursor is printed last (a\n"
     "           'next_cursor' member with --json)\n"
     "  cancel   cancel the order ID and show it\n"},
    {"cancel-all", "usage: nax cancel-all [--pair PAIR] [--json]\n"
                   "\n"
                   "Cancel every open order, or those of PAIR (DELETE /v1/orders), and list the\n"
                   "ids cancelled.\n"},
    {"fills", "usage: nax fills [--pair PAIR] [--limit N] [--cursor C] [--json]\n"
              "\n"
              "Your executions, newest first (GET /v1/trades/history).\n"},
    {"deposit-address",
     "usage: nax deposit-address ASSET [--network NETWORK] [--json]\n"
     "\n"
     "The deposit address of ASSET, e.g. BTC (POST /v1/wallets/deposit-address).\n"},
    {"withdraw", "usage: nax withdraw ASSET AMOUNT --address ADDRESS [--network N] [--memo M]\n"
                 "                    [--totp CODE] [--json]\n"
                 "\n"
                 "Request a crypto withdrawal (POST /v1/wallets/withdraw); AMOUNT is a decimal.\n"
                 "The key needs the withdraw scope.\n"},
    {"transactions", "usage: nax transactions [--asset A] [--type deposit|withdrawal] [--limit N]\n"
                     "                        [--cursor C] [--json]\n"
                     "\n"
                     "Your crypto deposits and withdrawals, newest first\n"
                     "(GET /v1/wallets/transactions).\n"},
    {"fiat",
     "usage: nax fiat deposit CURRENCY AMOUNT [--method M] [--json]\n"
     "       nax fiat withdraw CURRENCY AMOUNT --method M --account-name NAME\n"
     "                         --account-number NUMBER --bank-code CODE [--totp CODE] [--json]\n"
     "       nax fiat history [--currency C] [--type deposit|withdrawal] [--limit N]\n"
     "                        [--cursor C] [--json]\n"
     "\n"
     "Fiat money in and out (/v1/fiat). A deposit is announced first; pay it with the\n"
     "reference printed, and it completes when the payment provider reports it (on\n"
     "naxd: 'nax webhook sign'). --method is bank_transfer, payid, ach or wire\n"
     "(deposit default: payid for AUD, ach for USD, else bank_transfer).\n"},
    {"stream", "usage: nax stream CHANNEL... [--depth N] [--count N] [--seconds S] [--json]\n"
               "\n"
               "Follow the market stream (/v1/stream) with libnax's subscriber: book:PAIR as a\n"
               "ladder (asks above, bids below, the spread between), ticker:PAIR, trades:PAIR,\n"
               "and with credentials orders, balances and fills (without any, exit 2, as for\n"
               "'nax balances'). Lifecycle changes (CONNECTING, LIVE, RESYNCING, RECONNECTING,\n"
               "...) are shown too.\n"
               "\n"
               "On a terminal the view is redrawn in place; otherwise each update is one line\n"
               "(with --json: one JSON document, a book as GET orderbook returns it, and the\n"
               "lifecycle lines go to stderr).\n"
               "\n"
               "  --depth N     ladder levels per side (default 10)\n"
               "  --count N     stop after N updates (book, ticker, trade or private events)\n"
               "  --seconds S   stop after S seconds\n"
               "Ctrl-C (SIGINT) or SIGTERM stops it cleanly, exit 0. So does the end of\n"
               "the reader of a pipe ('nax stream ... | head -n 5'): nax stops quietly with\n"
               "exit 0; any other error writing the output stops it with exit 12. A run\n"
               "that never became live (the server could not be reached) exits 5, however\n"
               "it ended.\n"},
    {"webhook",
     "usage: nax webhook sign --provider payments|custody|kyc --type EVENT\n"
     "                        [--reference R] [--amount A] [--currency C] [--address A]\n"
     "                        [--tx-hash H] [--user-id U] [--reason TEXT] [--id ID]\n"
     "                        [--timestamp SECONDS] [--print] [--json]\n"
     "\n"
     "Act as a provider against naxd: build the event (POST /v1/webhooks/{provider}\n"
     "body), sign it the Standard Webhooks way with the provider's secret\n"
     "(nax_webhook_sign) and POST it to naxd, or with --print show the signed headers\n"
     "and the body instead (no URL needed). EVENT is payment.succeeded,\n"
     "payment.failed, payout.completed, payout.failed, deposit.confirmed,\n"
     "kyc.verified or kyc.rejected.\n"
     "\n"
     "The secret (whsec_...) is never taken on the command line: it comes from\n"
     "NAX_WEBHOOK_SECRET, else NAXD_WEBHOOK_SECRET_<PROVIDER> (the first of a\n"
     "space-separated list, as naxd reads it), else webhook_secret_<provider> in\n"
     "the config file.\n"
     "\n"
     "  --id ID               webhook-id and event id (default: msg_ and random hex)\n"
     "  --timestamp SECONDS   webhook-timestamp (default: now)\n"
     "  --amount A            a decimal, e.g. 1000.00\n"
     "Exit 0 when naxd accepts it (204); otherwise the error naxd answered.\n"},
    {"help", "usage: nax help [COMMAND]\n"
             "\n"
             "The overview, or the help of COMMAND (also 'nax COMMAND --help').\n"},
    {NULL, NULL},
};

int cli_help_print(const char *name, FILE *out)
{
    if (!name) {
        fputs(overview, out);
        return 0;
    }
    for (const topic *t = topics; t->name; t++)
        if (!strcmp(t->name, name)) {
            fputs(t->text, out);
            return 0;
        }
    return -1;
}

/*
 * cli.h: the internal header of the `nax` command line. Only the public
 * libnax API (<nax.h>) is used; nothing here is installed.
 *
 * Shape: main.c parses the global flags and dispatches to one cmd_*()
 * function per command; config.c resolves the URL and credentials (flags,
 * environment, file); output.c prints tables, JSON documents and errors;
 * args.c holds the argument helpers every command shares; words.c the
 * words of the API's enums, both ways; help.c the help texts.
 */
#ifndef NAX_CLI_H
#define NAX_CLI_H

#include <nax.h>

#include <getopt.h>
#include <stdio.h>

/* ---- exit codes (documented in `nax help` and nax.1; keep the three in step) ---- */

enum {
    EXIT_OK = 0,
    EXIT_FAIL = 1,     /* no more specific class (NAX_ERROR, a callback) */
    EXIT_USAGE = 2,    /* command line or configuration file */
    EXIT_ARGUMENT = 3, /* NAX_ERRCLASS_ARGUMENT: refused before anything was sent */
    EXIT_DATA = 4,     /* NAX_ERRCLASS_DATA: malformed data */
    EXIT_NETWORK = 5,  /* NAX_ERRCLASS_NETWORK: connect, timeout, TLS, unknown outcome */
    EXIT_HTTP = 6,     /* NAX_ERRCLASS_HTTP, any status not listed below */
    EXIT_AUTH = 7,     /* NAX_ERRCLASS_HTTP: 401/403, credentials refused */
    EXIT_NOTFOUND = 8, /* NAX_ERRCLASS_HTTP: 404 */
    EXIT_REJECTED = 9, /* NAX_ERRCLASS_HTTP: 400/422, the request was refused as invalid */
    EXIT_STATE = 10,   /* NAX_ERRCLASS_STATE: breaker open, budget, limits */
    EXIT_MEMORY = 11,  /* NAX_ERRCLASS_MEMORY */
    EXIT_SYSTEM = 12   /* NAX_ERRCLASS_SYSTEM: local I/O */
};

/* The exit code for a libnax error code (0 for 0). */
int cli_exit_code(int nax_rc);

struct cli;

/* ---- configuration (config.c) ---------------------------------------------------- */

/* Where a value came from, best first; also the precedence. */
typedef enum cli_source { SRC_NONE = 0, SRC_FLAG, SRC_ENV, SRC_FILE } cli_source;

/* One resolved setting: its value (owned) and where it came from. */
typedef struct cli_value {
    char *value;
    cli_source source;
} cli_value;

/* The settings a command runs with. Secrets are wiped when freed. */
typedef struct cli_config {
    char *path;           /* the configuration file (may not exist) */
    int path_explicit;    /* given with --config: it must exist */
    cli_value url;        /* base URL */
    cli_value api_key;    /* API key id */
    cli_value api_secret; /* its secret */
    cli_value token;      /* a session's access token */
    cli_value refresh;    /* its refresh token: from the file only, with the file's token */
    cli_value email;      /* for login */
    /* the webhook secret per provider (`webhook_secret_<provider>` in the file) */
    char *file_webhook[3];
} cli_config;

/* Flags given before the command. */
typedef struct cli_flags {
    const char *url, *api_key, *api_secret, *token, *config;
} cli_flags;

/* Resolve the configuration: the flags, the environment, then the file.
 * Prints the error and returns an exit code (EXIT_USAGE) when the file is
 * unusable (mode, owner, syntax). */
int cli_config_load(struct cli *c, const cli_flags *flags);
void cli_config_free(cli_config *cfg);

/* The provider index of `name` for cli_config::file_webhook, or -1. */
int cli_provider_index(const char *name);

/* Write `key = value` pairs into the configuration file (created 0600, the
 * folder 0700), replacing the lines of the same keys and keeping the others.
 * `pairs` is key, value, key, value, ..., NULL; a NULL value removes the key.
 * `removed` (may be NULL) receives how many keys a NULL value removed.
 * Returns 0 or an exit code after printing the error. */
int cli_config_save(struct cli *c, const char *const *pairs, int *removed);

/* ---- the run (main.c) ------------------------------------------------------------- */

typedef struct cli {
    const char *prog;    /* "nax" */
    const char *command; /* "order place", for messages */
    const char *topic;   /* "order": the help topic usage errors point to */
    int json;            /* --json */
    int verbose;         /* --verbose: libnax's log on stderr */
    cli_config cfg;
    nax_client *client; /* made on first use by cli_client() */
    /* what the client's metrics callback saw of the saved session (main.c) */
    int session_renewed; /* libnax renewed it: the file's refresh token is spent */
    int session_dead;    /* it expired and could not be renewed */
} cli;

/* The client for the configured URL and credentials (made once); NULL after
 * printing the error, with *exit_code set. `need_auth` refuses to go on
 * without credentials (exit EXIT_USAGE, a clear message). A session saved
 * in the file comes with its refresh token, so libnax renews it when it
 * expires; main() then saves the new pair back (cli_save_session). */
nax_client *cli_client(cli *c, int need_auth, int *exit_code);

/* ---- arguments (args.c) ------------------------------------------------------------ */

/* A usage error: prints one line "nax: COMMAND: message (see 'nax help X')"
 * and returns EXIT_USAGE. */
int cli_usage(cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Option ids every command understands (cli_parse adds them). */
#define OPT_JSON 1000
#define OPT_HELP 1001

/* Option ids of the filters of the list commands (order list, fills,
 * transactions, fiat history; see cli_begin_list), clear of every command's
 * own ids. */
enum {
    OPT_Q_PAIR = 1100,
    OPT_Q_STATUS,
    OPT_Q_SIDE,
    OPT_Q_CLIENT_ID,
    OPT_Q_ASSET, /* --asset, or --currency for fiat */
    OPT_Q_TX_TYPE,
    OPT_Q_LIMIT, /* --limit and --cursor: cli_begin_list adds them */
    OPT_Q_CURSOR
};

#define CLI_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A command's own option: 0 to go on, or an exit code after a usage error. */
typedef int (*cli_opt_fn)(cli *c, int opt, const char *arg, void *ud);

/* What a command takes on its command line. */
typedef struct cli_spec {
    const struct option *opts; /* its own options (--json and --help are added) */
    size_t n_opts;
    cli_opt_fn handle; /* receives each of them, with `ud` */
    void *ud;
    int min_args, max_args; /* how many positional arguments follow the options */
    const char *args;       /* what they are, for "expected ..." (unused when min_args is 0) */
} cli_spec;

/* Parse the options with getopt_long and check the count of positionals
 * (argv[optind] on). Returns 1 to go on; 0 to stop with *ex the exit code,
 * after a usage error or after printing the help (then *ex is 0). */
int cli_parse(cli *c, int argc, char **argv, const cli_spec *spec, int *ex);

/* The start of most commands: cli_parse(), then cli_client(). The client,
 * or NULL to stop with *ex the exit code (0 after --help). A command that
 * checks its arguments further before it needs the client calls the two
 * itself, so that its usage errors come first. */
nax_client *cli_begin(cli *c, int argc, char **argv, const cli_spec *spec, int need_auth, int *ex);

/* cli_begin() for a list command (credentials needed, no positionals): its
 * `filters` (OPT_Q_* ids) and the paging options --limit and --cursor, read
 * into *q (initialised here). */
nax_client *cli_begin_list(cli *c, int argc, char **argv, const struct option *filters,
                           size_t n_filters, nax_list_query *q, int *ex);

/* A subcommand: its name, the full name for messages ("order place"), and
 * the function that runs it with argv from its name. */
typedef int (*cli_cmd_fn)(cli *c, int argc, char **argv);
typedef struct cli_sub {
    const char *name, *full;
    cli_cmd_fn fn;
} cli_sub;

/* A command made of subcommands: runs the one argv[1] names, or prints the
 * command's help (c->topic) for --help/-h, or a usage error that lists the
 * names ("expected place, get, list or cancel"). */
int cli_dispatch(cli *c, int argc, char **argv, const cli_sub *subs, size_t n_subs);

/* The words of an enum (words.c), up to a NULL name. */
typedef struct cli_word {
    const char *name;
    int value;
} cli_word;

/* `text` as one of `words` into *out; else a usage error naming `what` and
 * the choices. */
int cli_parse_word(cli *c, const char *what, const char *text, const cli_word *words, int *out);
/* The word of `value`, "-" when it has none. */
const char *cli_word_name(const cli_word *words, int value);

/* Value parsers: 0, or a usage error's exit code after printing it. `what`
 * names the flag or argument in the message. The enums' are in words.c. */
int cli_parse_decimal(cli *c, const char *what, const char *text, nax_decimal *out);
int cli_parse_uint(cli *c, const char *what, const char *text, unsigned long min, unsigned long max,
                   unsigned long *out);
/* A page size or depth: a whole number from 1 to 1000. */
int cli_parse_limit(cli *c, const char *what, const char *text, unsigned int *out);
int cli_parse_side(cli *c, const char *text, nax_side *out);
int cli_parse_order_type(cli *c, const char *text, nax_order_type *out);
int cli_parse_tif(cli *c, const char *text, nax_time_in_force *out);
int cli_parse_order_status(cli *c, const char *text, nax_order_status *out);
int cli_parse_tx_type(cli *c, const char *text, nax_tx_type *out);
int cli_parse_fiat_method(cli *c, const char *text, nax_fiat_method *out);
int cli_parse_scopes(cli *c, const char *text, unsigned int *out);

/* The count of positional arguments left after the options (argv from
 * optind) is from min to max; a usage error naming them otherwise. */
int cli_positionals(cli *c, int argc, char **argv, int min, int max, const char *names);

/* ---- output (output.c) ------------------------------------------------------------- */

/* A decoded object as one JSON document (nax_encode) and a newline on
 * stdout. Returns 0 or an exit code after printing the error. */
int out_json(cli *c, nax_type type, const void *obj);

/* How a command prints its result for people (a table, name/value lines). */
typedef void (*out_print_fn)(const void *obj);

/* The end of most commands, after the libnax call that returned `rc` and
 * made `obj`: the error (out_error with `what`), or the result as JSON of
 * `type` with --json, else through `print`. Frees obj; returns the exit code. */
int out_result(cli *c, int rc, const char *what, nax_type type, void *obj, out_print_fn print);

/* `s` as a JSON string literal, quotes included. */
void out_json_string(FILE *out, const char *s);

/* The error of the last libnax call `rc`, on one line of stderr, and its
 * exit code. `what` says what was being done ("placing the order"). In
 * JSON mode the line is the contract's error body. */
int out_error(cli *c, int rc, const char *what);

/* What to do about a session that expired and cannot be renewed (exit 7). */
#define SESSION_EXPIRED_HINT                                                                       \
    "the session has expired: log in again ('nax login --save') or give a new token"

/* out_error() with `hint` appended to the message (NULL: none) and, in JSON
 * mode, one more member `extra_key` of value `extra_value` in the error
 * object (NULLs: none), e.g. the client order id of an unknown outcome. */
int out_error_hint(cli *c, int rc, const char *what, const char *hint, const char *extra_key,
                   const char *extra_value);

/* An error answer the CLI read itself (webhooks): exit code `code`. */
int out_http_error(cli *c, int code, const char *message, const char *field,
                   const char *server_code, int http_status, const char *request_id);

/* A local error (not from libnax) of exit code `code`, one line on stderr. */
int out_fail(cli *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Formats of values, for tables. `buf` of NAX_DECIMAL_STRING_MAX for
 * decimals, 32 for times. */
const char *fmt_dec(char *buf, const nax_decimal *d);
const char *fmt_opt_dec(char *buf, const nax_decimal *d); /* "-" for NULL */
const char *fmt_time(char *buf, size_t size, int64_t ms); /* ISO 8601 UTC, "-" for 0 */
/* The enums' words (words.c), "-" for a value with none. */
const char *side_name(nax_side s);
const char *order_type_name(nax_order_type t);
const char *tif_name(nax_time_in_force t);
const char *order_status_name(nax_order_status s);
const char *market_status_name(nax_market_status s);
const char *tx_type_name(nax_tx_type t);
const char *tx_status_name(nax_tx_status s);
const char *fiat_method_name(nax_fiat_method m);
const char *kyc_status_name(nax_kyc_status s);
const char *liquidity_name(nax_liquidity l);
/* "read,trade" into buf (at least 32 bytes). */
const char *scopes_text(char *buf, size_t size, unsigned int scopes);

/* A table: columns of text (left) or decimals (aligned on the point). */
typedef enum col_kind { COL_TEXT = 0, COL_DEC = 1 } col_kind;
typedef struct table table;

table *table_new(size_t ncols, const char *const *headers, const col_kind *kinds);
/* Add a row of ncols cells (copied; NULL prints "-"). */
void table_row(table *t, const char *const *cells);
/* Print the table on `out`, then "next_cursor  X" when a list has a next
 * page (NULL: none), and free it. */
void table_print_free(table *t, FILE *out, const char *next_cursor);

/* The ladder of a book: asks from the worst shown down to the best, the
 * spread, then bids from the best down; `depth` levels per side (0: all).
 * In cmd_market.c, shared with `stream`. */
void print_ladder(FILE *out, const nax_order_book *b, size_t depth);

/* "name  value" lines for one object, names aligned. */
typedef struct kv kv;
kv *kv_new(void);
void kv_add(kv *k, const char *name, const char *value);
void kv_print(const kv *k, FILE *out);
void kv_free(kv *k);

/* Allocation that cannot fail quietly: prints "out of memory", exits EXIT_MEMORY. */
void *cli_alloc(size_t size);
char *cli_strdup(const char *s);
/* Wipe and free a string holding a secret. */
void cli_free_secret(char *s);

/* ---- help (help.c) ----------------------------------------------------------------- */

/* Print the help of `topic` (NULL: the overview) on `out`; -1 when unknown. */
int cli_help_print(const char *topic, FILE *out);

/* ---- commands ------------------------------------------------------------------------ */

int cmd_markets(cli *c, int argc, char **argv);
int cmd_ticker(cli *c, int argc, char **argv);
int cmd_book(cli *c, int argc, char **argv);
int cmd_trades(cli *c, int argc, char **argv);
int cmd_login(cli *c, int argc, char **argv);
int cmd_balances(cli *c, int argc, char **argv);
int cmd_api_keys(cli *c, int argc, char **argv);
int cmd_order(cli *c, int argc, char **argv);
int cmd_cancel_all(cli *c, int argc, char **argv);
int cmd_fills(cli *c, int argc, char **argv);
int cmd_deposit_address(cli *c, int argc, char **argv);
int cmd_withdraw(cli *c, int argc, char **argv);
int cmd_transactions(cli *c, int argc, char **argv);
int cmd_fiat(cli *c, int argc, char **argv);
int cmd_stream(cli *c, int argc, char **argv);
int cmd_webhook(cli *c, int argc, char **argv);

#endif /* NAX_CLI_H */

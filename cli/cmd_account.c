/*
 * cmd_account.c: login, balances and api-keys. The password is never an
 * argument (argv is visible to every user of the machine): it comes from
 * NAX_PASSWORD, the terminal without echo, or stdin.
 */
#include "cli.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* ---- reading the password ---------------------------------------------------------- */

static struct termios saved_tty;
static volatile sig_atomic_t echo_off;

/* Ctrl-C at the prompt: give the terminal its echo back before dying. */
static void restore_and_die(int sig)
{
    if (echo_off)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The password, owned (free with cli_free_secret), or NULL after an error. */
static char *read_password(cli *c, const char *email, int *ex)
{
    const char *env = getenv("NAX_PASSWORD");
    if (env && *env)
        return cli_strdup(env);

    int tty = isatty(STDIN_FILENO), handlers = 0;
    struct sigaction sa = {0}, old_int, old_term;
    if (tty) {
        /* echo off before the prompt, so nothing typed after it is shown */
        if (tcgetattr(STDIN_FILENO, &saved_tty) == 0) {
            handlers = 1;
            struct termios quiet = saved_tty;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            sa.sa_handler = restore_and_die;
            sigaction(SIGINT, &sa, &old_int);
            sigaction(SIGTERM, &sa, &old_term);
            echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
        fprintf(stderr, "Password for %s: ", email);
        fflush(stderr);
    }
    char *line = NULL;
    size_t cap = 0;
    /* unbuffered: no copy of the password stays behind in stdio's buffer */
    setvbuf(stdin, NULL, _IONBF, 0);
    ssize_t n = getline(&line, &cap, stdin);
    if (echo_off) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
        echo_off = 0;
    }
    if (handlers) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
    }
    if (tty)
        fputc('\n', stderr);
    if (n <= 0) {
        free(line);
        *ex = cli_usage(c, "no password: set NAX_PASSWORD or type it when asked");
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (n == 0) {
        free(line);
        *ex = cli_usage(c, "the password is empty");
        return NULL;
    }
    char *pw = cli_strdup(line);
    memset(line, 0, cap);
    free(line);
    return pw;
}

/* ---- login ------------------------------------------------------------------------------ */

typedef struct login_args {
    const char *email, *totp;
    int save, print_token;
} login_args;

enum { L_EMAIL = 1, L_TOTP, L_SAVE, L_PRINT, L_PASSWORD, K_LABEL, K_SCOPES, K_SAVE };

static int login_opt(cli *c, int opt, const char *arg, void *ud)
{
    login_args *a = ud;
    switch (opt) {
    case L_EMAIL: a->email = arg; return EXIT_OK;
    case L_TOTP: a->totp = arg; return EXIT_OK;
    case L_SAVE: a->save = 1; return EXIT_OK;
    case L_PRINT: a->print_token = 1; return EXIT_OK;
    case L_PASSWORD:
        return cli_usage(c, "passwords are not taken on the command line (other users can see "
                            "it); set NAX_PASSWORD or type it when asked");
    }
    return EXIT_USAGE;
}

int cmd_login(cli *c, int argc, char **argv)
{
    static const struct option own[] = {
        {"email", required_argument, NULL, L_EMAIL},
        {"totp", required_argument, NULL, L_TOTP},
        {"save", no_argument, NULL, L_SAVE},
        {"print-token", no_argument, NULL, L_PRINT},
        {"password", optional_argument, NULL, L_PASSWORD},
    };
    login_args a = {0};
    const cli_spec spec = {own, CLI_COUNT(own), login_opt, &a, 0, 0, NULL};
    int ex;
    if (!cli_parse(c, argc, argv, &spec, &ex))
        return ex;
    const char *email = a.email ? a.email : c->cfg.email.value;
    if (!email)
        return cli_usage(c, "no email: give --email, set NAX_EMAIL or put 'email = ...' in the "
                            "config file");
    /* The session replaces whatever credentials were configured. */
    cli_free_secret(c->cfg.token.value);
    cli_free_secret(c->cfg.refresh.value);
    cli_free_secret(c->cfg.api_key.value);
    cli_free_secret(c->cfg.api_secret.value);
    c->cfg.token = c->cfg.refresh = c->cfg.api_key = c->cfg.api_secret =
        (cli_value){NULL, SRC_NONE};
    nax_client *cl = cli_client(c, 0, &ex);
    if (!cl)
        return ex;
    char *password = read_password(c, email, &ex);
    if (!password)
        return ex;

    nax_login_request req = {
        .struct_size = sizeof req, .email = email, .password = password, .totp_code = a.totp};
    nax_token *tok = NULL;
    int rc = nax_auth_login(cl, &req, &tok);
    cli_free_secret(password);
    if (rc != 0)
        return out_error(c, rc, "logging in");
    nax_profile *me = NULL;
    rc = nax_users_profile(cl, &me);
    if (rc != 0) {
        nax_object_free(tok);
        return out_error(c, rc, "reading the profile");
    }
    if (a.save) {
        /* the refresh token too, so that the session outlives its access token */
        /* clang-format off */
        const char *pairs[] = {"url",           c->cfg.url.value,
                               "email",         email,
                               "token",         tok->access_token,
                               "refresh_token", tok->refresh_token,
                               NULL};
        /* clang-format on */
        ex = cli_config_save(c, pairs, NULL);
    }
    if (!ex) {
        if (c->json) {
            ex = a.print_token ? out_json(c, NAX_TYPE_TOKEN, tok)
                               : out_json(c, NAX_TYPE_PROFILE, me);
        } else {
            /* with --print-token stdout holds the token alone, for $(...) */
            FILE *info = a.print_token ? stderr : stdout;
            fprintf(info, "logged in as %s (user %s, KYC %s); the session expires in %lld s\n",
                    me->email, me->id, kyc_status_name(me->kyc_status), (long long)tok->expires_in);
            if (a.save)
                fprintf(info,
                        "saved the session to %s; later commands renew it as it expires, until "
                        "the refresh token does (in %lld s)\n",
                        c->cfg.path, (long long)tok->refresh_expires_in);
            if (a.print_token)
                printf("%s\n", tok->access_token);
        }
    }
    nax_object_free(me);
    nax_object_free(tok);
    return ex;
}

/* ---- balances ---------------------------------------------------------------------------- */

static void print_balances(const void *obj)
{
    const nax_balance_list *list = obj;
    static const char *const head[] = {"ASSET", "AVAILABLE", "LOCKED", "TOTAL"};
    static const col_kind kinds[] = {COL_TEXT, COL_DEC, COL_DEC, COL_DEC};
    table *t = table_new(4, head, kinds);
    for (size_t i = 0; i < list->balances_count; i++) {
        const nax_balance *b = list->balances[i];
        char av[NAX_DECIMAL_STRING_MAX], lo[NAX_DECIMAL_STRING_MAX], to[NAX_DECIMAL_STRING_MAX];
        const char *row[] = {b->asset, fmt_dec(av, &b->available), fmt_dec(lo, &b->locked),
                             fmt_dec(to, &b->total)};
        table_row(t, row);
    }
    table_print_free(t, stdout, NULL);
}

int cmd_balances(cli *c, int argc, char **argv)
{
    static const cli_spec spec = {0};
    int ex;
    nax_client *cl = cli_begin(c, argc, argv, &spec, 1, &ex);
    if (!cl)
        return ex;
    nax_balance_list *list = NULL;
    int rc = nax_wallets_balances(cl, &list);
    return out_result(c, rc, "reading the balances", NAX_TYPE_BALANCE_LIST, list, print_balances);
}

/* ---- api-keys ------------------------------------------------------------------------------ */

typedef struct key_args {
    const char *label;
    unsigned int scopes;
    int save;
} key_args;

static int key_opt(cli *c, int opt, const char *arg, void *ud)
{
    key_args *a = ud;
    switch (opt) {
    case K_LABEL: a->label = arg; return EXIT_OK;
    case K_SCOPES: return cli_parse_scopes(c, arg, &a->scopes);
    case K_SAVE: a->save = 1; return EXIT_OK;
    }
    return EXIT_USAGE;
}

static void print_keys(const void *obj)
{
    const nax_api_key_list *list = obj;
    static const char *const head[] = {"ID", "LABEL", "SCOPES", "CREATED", "LAST_USED"};
    table *t = table_new(5, head, NULL);
    for (size_t i = 0; i < list->api_keys_count; i++) {
        const nax_api_key *k = list->api_keys[i];
        char scopes[32], created[40], used[40];
        const char *row[] = {k->id, k->label, scopes_text(scopes, sizeof scopes, k->scopes),
                             fmt_time(created, sizeof created, k->created_at),
                             fmt_time(used, sizeof used, k->last_used_at)};
        table_row(t, row);
    }
    table_print_free(t, stdout, NULL);
}

static int keys_list(cli *c, int argc, char **argv)
{
    static const cli_spec spec = {0};
    int ex;
    nax_client *cl = cli_begin(c, argc, argv, &spec, 1, &ex);
    if (!cl)
        return ex;
    nax_api_key_list *list = NULL;
    int rc = nax_api_keys_list(cl, &list);
    return out_result(c, rc, "listing the API keys", NAX_TYPE_API_KEY_LIST, list, print_keys);
}

/*
 * The new key could not be saved (`ex`, already reported): nobody holds its
 * secret, so revoke it rather than leave a live key behind. Returns 0 when it
 * is gone; 1 when it stays live, after saying so (the caller then prints the
 * secret: it is the only copy).
 */
static int unsave_key(cli *c, nax_client *cl, const nax_api_key *key, int ex)
{
    int rc = nax_api_keys_delete(cl, key->id);
    if (rc == 0) {
        out_fail(c, ex,
                 "deleted the new key %s again, as its secret could not be saved; "
                 "nothing was changed",
                 key->id);
        return 0;
    }
    out_error(c, rc, "deleting the unsaved key");
    if (key->secret)
        out_fail(c, ex,
                 "could not delete the new key %s either: its secret is printed on stdout, "
                 "the only copy; keep it safe, or delete the key with 'nax api-keys delete %s'",
                 key->id, key->id);
    return 1;
}

static int keys_create(cli *c, int argc, char **argv)
{
    static const struct option own[] = {
        {"label", required_argument, NULL, K_LABEL},
        {"scopes", required_argument, NULL, K_SCOPES},
        {"save", no_argument, NULL, K_SAVE},
    };
    key_args a = {NULL, NAX_SCOPE_READ | NAX_SCOPE_TRADE, 0};
    const cli_spec spec = {own, CLI_COUNT(own), key_opt, &a, 0, 0, NULL};
    int ex;
    if (!cli_parse(c, argc, argv, &spec, &ex))
        return ex;
    if (!a.label)
        return cli_usage(c, "--label is required");
    nax_client *cl = cli_client(c, 1, &ex);
    if (!cl)
        return ex;
    nax_api_key_request req = {.struct_size = sizeof req, .label = a.label, .scopes = a.scopes};
    nax_api_key *key = NULL;
    int rc = nax_api_keys_create(cl, &req, &key);
    if (rc != 0)
        return out_error(c, rc, "creating the API key");
    int show_secret = !a.save, removed = 0;
    if (a.save) {
        /* The key becomes the file's credential: a saved session would win over
         * it (a token beats a key at the same level) and stop working when it
         * expires, so it goes. */
        /* clang-format off */
        const char *pairs[] = {"url",           c->cfg.url.value,
                               "api_key",       key->id,
                               "api_secret",    key->secret,
                               "token",         NULL,
                               "refresh_token", NULL,
                               NULL};
        /* clang-format on */
        if (!key->secret)
            ex = out_fail(c, EXIT_DATA, "the server sent the new key without its secret");
        else
            ex = cli_config_save(c, pairs, &removed);
        if (ex && !unsave_key(c, cl, key, ex)) {
            nax_object_free(key);
            return ex;
        }
        show_secret = ex != 0; /* not saved and still live: print the only copy */
        if (!ex) {
            /* the session left the file: main() must not save it back there */
            cli_free_secret(c->cfg.refresh.value);
            c->cfg.refresh = (cli_value){NULL, SRC_NONE};
        }
    }
    if (!ex || show_secret) {
        nax_api_key shown = *key;
        if (!show_secret)
            shown.secret = NULL; /* saved, so not printed */
        char scopes[32], created[40];
        if (c->json) {
            int jex = out_json(c, NAX_TYPE_API_KEY, &shown);
            ex = ex ? ex : jex;
        } else {
            kv *k = kv_new();
            kv_add(k, "id", shown.id);
            kv_add(k, "label", shown.label);
            kv_add(k, "scopes", scopes_text(scopes, sizeof scopes, shown.scopes));
            kv_add(k, "created_at", fmt_time(created, sizeof created, shown.created_at));
            if (shown.secret)
                kv_add(k, "secret", shown.secret);
            kv_print(k, stdout);
            kv_free(k);
            if (!show_secret)
                printf("saved the key and its secret to %s; the file's credential is now this "
                       "API key%s\n",
                       c->cfg.path, removed ? " (the session saved there was removed)" : "");
            else if (!a.save)
                fprintf(stderr, "nax: the secret is shown only this once; keep it safe\n");
        }
    }
    nax_object_free(key);
    return ex;
}

static int keys_delete(cli *c, int argc, char **argv)
{
    static const cli_spec spec = {.min_args = 1, .max_args = 1, .args = "a key ID"};
    int ex;
    nax_client *cl = cli_begin(c, argc, argv, &spec, 1, &ex);
    if (!cl)
        return ex;
    int rc = nax_api_keys_delete(cl, argv[optind]);
    if (rc != 0)
        return out_error(c, rc, "deleting the API key");
    if (!c->json)
        printf("deleted %s\n", argv[optind]);
    return EXIT_OK;
}

int cmd_api_keys(cli *c, int argc, char **argv)
{
    static const cli_sub subs[] = {{"list", "api-keys list", keys_list},
                                   {"create", "api-keys create", keys_create},
                                   {"delete", "api-keys delete", keys_delete}};
    return cli_dispatch(c, argc, argv, subs, CLI_COUNT(subs));
}

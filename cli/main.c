/*
 * main.c: the `nax` command line. Global flags, the configuration, then one
 * command; the exit code says how it went (see cli.h and `nax help`).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

typedef struct command {
    const char *name;
    cli_cmd_fn fn;
} command;

static const command commands[] = {
    {"markets", cmd_markets},
    {"ticker", cmd_ticker},
    {"book", cmd_book},
    {"trades", cmd_trades},
    {"login", cmd_login},
    {"balances", cmd_balances},
    {"api-keys", cmd_api_keys},
    {"order", cmd_order},
    {"cancel-all", cmd_cancel_all},
    {"fills", cmd_fills},
    {"deposit-address", cmd_deposit_address},
    {"withdraw", cmd_withdraw},
    {"transactions", cmd_transactions},
    {"fiat", cmd_fiat},
    {"stream", cmd_stream},
    {"webhook", cmd_webhook},
    {NULL, NULL},
};

static void log_to_stderr(nax_log_level level, const char *message, void *userdata)
{
    (void)userdata;
    /* messages come redacted from the library */
    fprintf(stderr, "nax: [%s] %s\n", nax_log_level_name(level), message);
}

/*
 * What became of the session, from every finished call (libnax renews a
 * session inside the call that found it expired; this is where the CLI
 * learns of it): a renewal spent the refresh token saved in the file; a
 * call that ended in NAX_ESTATE after a 401, or a refused refresh, means
 * the session is dead.
 */
static void on_call(const nax_call_info *info, void *userdata)
{
    cli *c = userdata;
    int refresh = info->route && !strcmp(info->route, "/v1/auth/refresh");
    if (refresh && info->result == 0)
        c->session_renewed = 1;
    if ((info->result == NAX_ESTATE && info->http_status == 401) ||
        (refresh && info->result == NAX_EAUTH))
        c->session_dead = 1;
}

nax_client *cli_client(cli *c, int need_auth, int *exit_code)
{
    if (c->client)
        return c->client;
    const cli_config *cfg = &c->cfg;
    if (!cfg->url.value) {
        *exit_code = cli_usage(c, "no server URL: give --url, set NAX_URL, or put 'url = ...' in "
                                  "the config file");
        return NULL;
    }
    if (need_auth && !cfg->token.value && !cfg->api_key.value) {
        *exit_code = cli_usage(c, "this command needs credentials: --api-key with "
                                  "NAX_API_SECRET, --token, NAX_TOKEN, or 'nax login --save'");
        return NULL;
    }
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    o.base_url = cfg->url.value;
    o.api_key = cfg->api_key.value;
    o.api_secret = cfg->api_secret.value;
    o.bearer_token = cfg->token.value;
    o.user_agent_suffix = "nax-cli/" NAX_VERSION_STRING;
    o.metrics_fn = on_call;
    o.metrics_userdata = c;
    int rc = nax_client_new(&c->client, &o);
    /* the saved session's refresh token, so that an expired session renews
     * (expiry unknown: libnax renews on the 401 that says expired) */
    if (rc == 0 && cfg->token.value && cfg->refresh.value)
        rc = nax_client_set_session(c->client, cfg->token.value, cfg->refresh.value, 0);
    if (rc != 0) {
        /* the URL is not a secret; the library names the bad field */
        *exit_code = rc == NAX_EINVAL ? out_fail(c, EXIT_USAGE, "%s", nax_error_last()->message)
                                      : out_error(c, rc, "creating the client");
        nax_client_free(c->client);
        c->client = NULL;
        return NULL;
    }
    return c->client;
}

/*
 * libnax renewed the saved session during the command, so the refresh token
 * in the file is spent (refresh tokens are single-use) and the client holds
 * the new pair, which the public API does not hand out. Renew once more,
 * now, to get a pair to save. A failure leaves the file's session to expire;
 * it is said, and the command's own exit code stands.
 */
static void save_renewed_session(cli *c)
{
    if (!c->client || !c->session_renewed || c->session_dead || c->cfg.token.source != SRC_FILE ||
        !c->cfg.refresh.value)
        return;
    nax_token *tok = NULL;
    int rc = nax_auth_refresh(c->client, &tok);
    if (rc == 0) {
        const char *pairs[] = {"token", tok->access_token, "refresh_token", tok->refresh_token,
                               NULL};
        rc = cli_config_save(c, pairs, NULL) == 0 ? 0 : NAX_EIO; /* it printed why */
    } else {
        out_error(c, rc, "renewing the saved session");
    }
    if (rc != 0)
        fprintf(stderr,
                "nax: the session in %s could not be renewed for later commands; "
                "log in again ('nax login --save') when it expires\n",
                c->cfg.path);
    nax_object_free(tok);
}

/*
 * A secret given as an argument: keep a copy and overwrite the argument, so
 * that it no longer shows in /proc/PID/cmdline and ps (it was visible until
 * now, and may sit in the shell's history: the environment or the config
 * file are the better places).
 */
static const char *hide_arg(char **copy, char *arg)
{
    cli_free_secret(*copy);
    *copy = cli_strdup(arg);
    memset(arg, 'x', strlen(arg));
    return *copy;
}

static int help_command(cli *c, int argc, char **argv)
{
    /* `nax help order place` shows the help of `order` */
    const char *topic = argc > 1 ? argv[1] : NULL;
    if (topic && (!strcmp(topic, "--help") || !strcmp(topic, "-h")))
        topic = "help";
    if (topic && cli_help_print(topic, stdout) != 0) {
        c->command = "help";
        c->topic = "help";
        return cli_usage(c, "no help for '%s'", topic);
    }
    if (!topic)
        cli_help_print(NULL, stdout);
    return EXIT_OK;
}

/* The global flags, up to the command. Returns -1 to go on with the command
 * at argv[optind], else the exit code. */
static int parse_globals(cli *c, cli_flags *flags, char **secret_arg, char **token_arg, int argc,
                         char **argv)
{
    enum {
        O_URL = 1,
        O_KEY,
        O_SECRET,
        O_TOKEN,
        O_CONFIG,
        O_JSON,
        O_VERBOSE,
        O_VERSION,
        O_PASSWORD
    };
    static const struct option opts[] = {
        {"url", required_argument, NULL, O_URL},
        {"api-key", required_argument, NULL, O_KEY},
        {"api-secret", required_argument, NULL, O_SECRET},
        {"token", required_argument, NULL, O_TOKEN},
        {"config", required_argument, NULL, O_CONFIG},
        {"json", no_argument, NULL, O_JSON},
        {"verbose", no_argument, NULL, O_VERBOSE},
        {"version", no_argument, NULL, O_VERSION},
        {"password", required_argument, NULL, O_PASSWORD},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    for (;;) {
        /* '+': stop at the command; what follows belongs to it */
        int opt = getopt_long(argc, argv, "+:h", opts, NULL);
        if (opt == -1)
            break;
        const char *text = optind > 0 && optind <= argc ? argv[optind - 1] : "";
        switch (opt) {
        case O_URL: flags->url = optarg; break;
        case O_KEY: flags->api_key = optarg; break;
        case O_SECRET: flags->api_secret = hide_arg(secret_arg, optarg); break;
        case O_TOKEN: flags->token = hide_arg(token_arg, optarg); break;
        case O_CONFIG: flags->config = optarg; break;
        case O_JSON: c->json = 1; break;
        case O_VERBOSE: c->verbose = 1; break;
        case O_VERSION:
            printf("nax %s (libnax %s)\n", NAX_VERSION_STRING, nax_version_string());
            return EXIT_OK;
        case 'h': cli_help_print(NULL, stdout); return EXIT_OK;
        case O_PASSWORD:
            return cli_usage(c, "passwords are not taken on the command line (other users can "
                                "see it); set NAX_PASSWORD or type it when 'nax login' asks");
        case ':': return cli_usage(c, "option '%s' needs a value", text);
        default: return cli_usage(c, "unknown option '%s'", text);
        }
    }
    if (optind >= argc) {
        cli_help_print(NULL, stderr);
        return EXIT_USAGE;
    }
    return -1;
}

/* The command at argv[0]: configuration, then the command itself. */
static int run(cli *c, const cli_flags *flags, int argc, char **argv)
{
    const char *name = argv[0];
    if (!strcmp(name, "help"))
        return help_command(c, argc, argv);
    const command *cmd = commands;
    while (cmd->name && strcmp(cmd->name, name))
        cmd++;
    if (!cmd->name)
        return cli_usage(c, "unknown command '%s'", name);
    c->command = cmd->name;
    c->topic = cmd->name;

    int rc = nax_global_init(NULL);
    if (rc != 0)
        return out_error(c, rc, "starting libnax");
    if (c->verbose)
        nax_log_set(log_to_stderr, NAX_LOG_DEBUG, NULL);
    int code = cli_config_load(c, flags);
    if (code == 0)
        code = cmd->fn(c, argc, argv);
    save_renewed_session(c);
    if (fflush(stdout) != 0 && code == 0)
        code = out_fail(c, EXIT_SYSTEM, "cannot write the output");
    nax_client_free(c->client);
    c->client = NULL;
    cli_config_free(&c->cfg);
    nax_log_set(NULL, NAX_LOG_OFF, NULL);
    nax_global_shutdown();
    return code;
}

int main(int argc, char **argv)
{
    cli c = {.prog = "nax"};
    cli_flags flags = {0};
    char *secret_arg = NULL, *token_arg = NULL; /* copies of secrets given as arguments */
    int code = parse_globals(&c, &flags, &secret_arg, &token_arg, argc, argv);
    if (code < 0)
        code = run(&c, &flags, argc - optind, argv + optind);
    cli_free_secret(secret_arg);
    cli_free_secret(token_arg);
    return code;
}

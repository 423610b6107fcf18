/* naxd: the NA-X reference exchange server. See docs/guides/naxd.md. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/internal.h"
#include "app/operator.h"
#include "core/core.h"

static void usage(FILE *f)
{
    fputs("usage: naxd [--listen HOST:PORT] [--data DIR] [--config FILE]\n"
          "            [--tls-cert FILE --tls-key FILE] [--fault-injection] [--quiet]\n"
          "       naxd verify-audit --data DIR\n"
          "       naxd set-kyc [--url URL] --user ID --status verified|rejected [--reason T]\n"
          "       naxd --help | --version\n"
          "\n"
          "  --listen HOST:PORT  address to serve HTTP and WebSocket on (127.0.0.1:8080;\n"
          "                      port 0 picks a free one)\n"
          "  --data DIR          data folder: store, JWT key, KYC documents (./var)\n"
          "  --config FILE       JSON configuration: markets, fees, rate limits, webhook\n"
          "                      providers, KDF cost (docs/guides/naxd.md)\n"
          "  --tls-cert FILE     serve TLS with this PEM certificate ...\n"
          "  --tls-key FILE      ... and this PEM private key\n"
          "  --fault-injection   enable the test-only fault routes and header\n"
          "  --quiet             no per-request access log\n"
          "  --stream-LIMIT N    a market stream limit (as the config's \"stream\" member):\n"
          "                      --stream-max-subscriptions, --stream-max-frame-bytes,\n"
          "                      --stream-ops-per-second, --stream-max-queue-messages,\n"
          "                      --stream-max-queue-bytes, --stream-idle-timeout-s,\n"
          "                      --stream-max-lagging, --stream-recent-trades\n"
          "\n"
          "verify-audit checks the audit log's hash chain; set-kyc asks a running naxd\n"
          "to set a user's KYC status (operator token from NAXD_OPERATOR_TOKEN).\n"
          "\n"
          "Secrets from the environment: NAXD_JWT_SECRET, NAXD_WEBHOOK_SECRET_<PROVIDER>,\n"
          "NAXD_OPERATOR_TOKEN. SIGTERM or SIGINT stops gracefully.\n",
          f);
}

static void log_to_stderr(nax_log_level level, const char *message, void *userdata)
{
    (void)userdata;
    static const char *names[] = {"trace", "debug", "info", "warn", "error"};
    fprintf(stderr, "naxd: %s: %s\n", level <= NAX_LOG_ERROR ? names[level] : "log", message);
}

static int split_listen(const char *text, char **host, int *port)
{
    const char *colon = strrchr(text, ':');
    if (!colon || colon == text)
        return -1;
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p < 0 || p > 65535 || end == colon + 1)
        return -1;
    char *h = nax__strndup(text, (size_t)(colon - text));
    if (!h)
        return -1;
    nax__free(*host);
    *host = h;
    *port = (int)p;
    return 0;
}

static int verify_audit(int argc, char **argv)
{
    const char *dir = NULL;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--data") && i + 1 < argc)
            dir = argv[++i];
        else {
            usage(stderr);
            return 2;
        }
    }
    if (!dir) {
        usage(stderr);
        return 2;
    }
    uint64_t count = 0, bad = 0;
    int rc = naxd_store_verify_audit(dir, &count, &bad);
    if (rc == 0) {
        printf("{\"audit\":\"ok\",\"records\":%llu}\n", (unsigned long long)count);
        return 0;
    }
    printf("{\"audit\":\"broken\",\"first_bad_seq\":%llu,\"message\":\"%s\"}\n",
           (unsigned long long)bad, nax_error_last()->message);
    return 1;
}

int main(int argc, char **argv)
{
    /* Before anything allocates: under --fault-injection every allocation
     * goes through the allocator whose failures a test can arm. */
    int faults = 0;
    for (int i = 1; i < argc; i++)
        faults |= !strcmp(argv[i], "--fault-injection");
    nax_global_init(faults ? naxd__fault_allocator() : NULL);
    nax_log_set(log_to_stderr, NAX_LOG_INFO, NULL);
    if (argc > 1 && (!strcmp(argv[1], "verify-audit") || !strcmp(argv[1], "set-kyc"))) {
        int rc = !strcmp(argv[1], "set-kyc") ? naxd_operator_set_kyc(argc, argv)
                                             : verify_audit(argc, argv);
        nax_global_shutdown();
        return rc;
    }
    static const struct option fixed[] = {
        {"listen", required_argument, NULL, 'l'},  {"data", required_argument, NULL, 'd'},
        {"config", required_argument, NULL, 'c'},  {"tls-cert", required_argument, NULL, 'C'},
        {"tls-key", required_argument, NULL, 'K'}, {"fault-injection", no_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'}};
    /* Then one --stream-<limit> flag per stream limit, returning STREAM_FLAG + index. */
    enum { FIXED = sizeof(fixed) / sizeof(fixed[0]), STREAM_FLAG = 256, MAX_STREAM_FLAGS = 16 };
    struct option opts[FIXED + MAX_STREAM_FLAGS + 1];
    char stream_names[MAX_STREAM_FLAGS][48];
    memcpy(opts, fixed, sizeof fixed);
    size_t nopts = FIXED;
    for (size_t i = 0; naxd_config_stream_limit_names[i] && i < MAX_STREAM_FLAGS; i++) {
        snprintf(stream_names[i], sizeof stream_names[i], "stream-%s",
                 naxd_config_stream_limit_names[i]);
        for (char *p = stream_names[i]; *p; p++)
            if (*p == '_')
                *p = '-';
        opts[nopts++] =
            (struct option){stream_names[i], required_argument, NULL, STREAM_FLAG + (int)i};
    }
    opts[nopts] = (struct option){NULL, 0, NULL, 0};
    struct stream_flag {
        int index;
        const char *value;
    } stream_flags[MAX_STREAM_FLAGS];
    size_t nstream = 0;
    const char *listen = NULL, *data = NULL, *config = NULL, *cert = NULL, *key = NULL;
    int fault = 0, quiet = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c >= STREAM_FLAG && c < STREAM_FLAG + MAX_STREAM_FLAGS) {
            if (nstream < MAX_STREAM_FLAGS)
                stream_flags[nstream++] = (struct stream_flag){c - STREAM_FLAG, optarg};
            continue;
        }
        switch (c) {
        case 'l': listen = optarg; break;
        case 'd': data = optarg; break;
        case 'c': config = optarg; break;
        case 'C': cert = optarg; break;
        case 'K': key = optarg; break;
        case 'f': fault = 1; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("naxd %s\n", nax_version_string()); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc || (!cert != !key)) {
        usage(stderr);
        return 2;
    }
    naxd_config *cfg = NULL;
    if (naxd_config_load(&cfg, config) != 0) {
        fprintf(stderr, "naxd: %s\n", nax_error_last()->message);
        return 1;
    }
    int bad = 0;
    if (listen && split_listen(listen, &cfg->listen_host, &cfg->port) != 0) {
        fprintf(stderr, "naxd: --listen wants HOST:PORT, got \"%s\"\n", listen);
        bad = 1;
    }
    if (data) {
        nax__free(cfg->data_dir);
        cfg->data_dir = nax__strdup(data);
    }
    if (cert) {
        cfg->tls_cert = nax__strdup(cert);
        cfg->tls_key = nax__strdup(key);
    }
    if (quiet)
        cfg->access_log = 0;
    /* Flags win over the file. */
    for (size_t i = 0; !bad && i < nstream; i++) {
        char *end;
        long long v = strtoll(stream_flags[i].value, &end, 10);
        if (*stream_flags[i].value == '\0' || *end ||
            naxd_config_stream_limit(cfg, naxd_config_stream_limit_names[stream_flags[i].index],
                                     v) != 0) {
            fprintf(stderr, "naxd: --%s wants a number in 0..4294967295, got \"%s\"\n",
                    stream_names[stream_flags[i].index], stream_flags[i].value);
            bad = 1;
        }
    }
    naxd_app *a = NULL;
    if (!bad && naxd_app_open(&a, cfg, fault) != 0) {
        fprintf(stderr, "naxd: cannot start: %s\n", nax_error_last()->message);
        bad = 1;
    }
    int rc = bad ? 1 : naxd_app_run(a);
    naxd_app_close(a);
    naxd_config_free(cfg);
    nax_global_shutdown();
    return rc ? 1 : 0;
}

/*
 * cmd_webhook.c: `nax webhook sign`, the CLI playing a payment, custody or
 * KYC provider against naxd: the event is encoded with the contract's codec,
 * signed with nax_webhook_sign() (Standard Webhooks: HMAC-SHA256 over
 * id.timestamp.body) and POSTed to /v1/webhooks/{provider}. Providers are
 * not API clients, so this one request goes out through plain libcurl.
 *
 * The provider secret never comes from the command line and is wiped after
 * use; the signature it makes is not a secret (it only vouches for this one
 * body and expires with its timestamp).
 */
#include "cli.h"

#include <curl/curl.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    W_PROVIDER = 1,
    W_TYPE,
    W_REFERENCE,
    W_AMOUNT,
    W_CURRENCY,
    W_ADDRESS,
    W_TX_HASH,
    W_USER_ID,
    W_REASON,
    W_ID,
    W_TIMESTAMP,
    W_PRINT
};

typedef struct hook_args {
    const char *provider, *reference, *currency, *address, *tx_hash, *user_id, *reason, *id;
    nax_webhook_type type;
    nax_decimal amount;
    int has_amount, has_timestamp, print;
    unsigned long timestamp;
} hook_args;

static const cli_word event_types[] = {
    {"payment.succeeded", NAX_WEBHOOK_PAYMENT_SUCCEEDED},
    {"payment.failed", NAX_WEBHOOK_PAYMENT_FAILED},
    {"payout.completed", NAX_WEBHOOK_PAYOUT_COMPLETED},
    {"payout.failed", NAX_WEBHOOK_PAYOUT_FAILED},
    {"deposit.confirmed", NAX_WEBHOOK_DEPOSIT_CONFIRMED},
    {"kyc.verified", NAX_WEBHOOK_KYC_VERIFIED},
    {"kyc.rejected", NAX_WEBHOOK_KYC_REJECTED},
    {NULL, 0},
};

static int hook_opt(cli *c, int opt, const char *arg, void *ud)
{
    hook_args *a = ud;
    switch (opt) {
    case W_PROVIDER:
        if (cli_provider_index(arg) < 0)
            return cli_usage(c, "--provider: '%s' is not one of payments, custody, kyc", arg);
        a->provider = arg;
        return EXIT_OK;
    case W_TYPE: {
        int v = 0, ex = cli_parse_word(c, "--type", arg, event_types, &v);
        a->type = (nax_webhook_type)v;
        return ex;
    }
    case W_REFERENCE: a->reference = arg; return EXIT_OK;
    case W_AMOUNT: a->has_amount = 1; return cli_parse_decimal(c, "--amount", arg, &a->amount);
    case W_CURRENCY: a->currency = arg; return EXIT_OK;
    case W_ADDRESS: a->address = arg; return EXIT_OK;
    case W_TX_HASH: a->tx_hash = arg; return EXIT_OK;
    case W_USER_ID: a->user_id = arg; return EXIT_OK;
    case W_REASON: a->reason = arg; return EXIT_OK;
    case W_ID: a->id = arg; return EXIT_OK;
    case W_PRINT: a->print = 1; return EXIT_OK;
    case 's':
        return cli_usage(c, "the provider secret is not taken on the command line (other users "
                            "can see it); set NAX_WEBHOOK_SECRET or put webhook_secret_PROVIDER "
                            "in the config file");
    case W_TIMESTAMP:
        a->has_timestamp = 1;
        return cli_parse_uint(c, "--timestamp", arg, 0, 253402300799ul, &a->timestamp);
    }
    return EXIT_USAGE;
}

/* The provider secret, owned (wipe with cli_free_secret), or NULL. */
static char *provider_secret(cli *c, const char *provider)
{
    const char *env = getenv("NAX_WEBHOOK_SECRET");
    if (env && *env)
        return cli_strdup(env);
    char name[64] = "NAXD_WEBHOOK_SECRET_";
    size_t n = strlen(name);
    for (const char *p = provider; *p && n + 1 < sizeof name; p++)
        name[n++] = (char)toupper((unsigned char)*p);
    name[n] = '\0';
    const char *naxd = getenv(name);
    if (naxd && *naxd) {
        /* naxd takes a space-separated list during a rotation; sign with the first */
        size_t len = strcspn(naxd, " ");
        char *s = cli_alloc(len + 1);
        memcpy(s, naxd, len);
        return s;
    }
    const char *file = c->cfg.file_webhook[cli_provider_index(provider)];
    return file ? cli_strdup(file) : NULL;
}

/* msg_ and 32 random hex digits (unique, not secret). */
static int random_id(char *out, size_t size)
{
    unsigned char raw[16];
    FILE *f = fopen("/dev/urandom", "rb");
    int ok = f && fread(raw, 1, sizeof raw, f) == sizeof raw;
    if (f)
        fclose(f);
    if (!ok || size < 4 + 2 * sizeof raw + 1)
        return -1;
    memcpy(out, "msg_", 4);
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 4 + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

typedef struct reply {
    char *data;
    size_t len;
    char request_id[128];
} reply;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    reply *r = ud;
    size_t n = size * nmemb;
    char *grown = realloc(r->data, r->len + n + 1);
    if (!grown)
        return 0;
    memcpy(grown + r->len, ptr, n);
    r->data = grown;
    r->len += n;
    r->data[r->len] = '\0';
    return n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
    reply *r = ud;
    size_t n = size * nmemb;
    static const char name[] = "x-request-id:";
    if (n > sizeof name && !strncasecmp(ptr, name, sizeof name - 1)) {
        const char *v = ptr + sizeof name - 1;
        size_t len = n - (sizeof name - 1);
        while (len && (*v == ' ' || *v == '\t'))
            v++, len--;
        while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
            len--;
        if (len >= sizeof r->request_id)
            len = sizeof r->request_id - 1;
        memcpy(r->request_id, v, len);
        r->request_id[len] = '\0';
    }
    return n;
}

/* Exit code of a refused webhook, as the client maps statuses. */
static int status_exit(long status)
{
    if (status == 401 || status == 403)
        return EXIT_AUTH;
    if (status == 404)
        return EXIT_NOTFOUND;
    if (status == 400 || status == 422)
        return EXIT_REJECTED;
    return EXIT_HTTP;
}

static int post_event(cli *c, const char *provider, const char *id, const char *ts, const char *sig,
                      const nax_buf *body)
{
    const char *base = c->cfg.url.value;
    if (!base)
        return cli_usage(c, "no server URL: give --url, set NAX_URL, put 'url = ...' in the "
                            "config file, or use --print");
    size_t blen = strlen(base);
    while (blen && base[blen - 1] == '/')
        blen--;
    char *url = cli_alloc(blen + 64);
    snprintf(url, blen + 64, "%.*s/v1/webhooks/%s", (int)blen, base, provider);

    char *h_id = cli_alloc(strlen(id) + 16), h_ts[64], *h_sig = cli_alloc(strlen(sig) + 24);
    sprintf(h_id, "webhook-id: %s", id);
    snprintf(h_ts, sizeof h_ts, "webhook-timestamp: %s", ts);
    sprintf(h_sig, "webhook-signature: %s", sig);
    const char *lines[] = {"Content-Type: application/json", h_id, h_ts, h_sig};
    struct curl_slist *headers = NULL;
    int ex = EXIT_OK;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct curl_slist *grown = curl_slist_append(headers, lines[i]);
        if (!grown) {
            ex = out_fail(c, EXIT_MEMORY, "out of memory");
            break;
        }
        headers = grown;
    }
    reply r = {NULL, 0, ""};
    CURL *curl = ex ? NULL : curl_easy_init();
    if (!ex && !curl)
        ex = out_fail(c, EXIT_MEMORY, "cannot start libcurl");
    if (curl) {
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)body->len);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        CURLcode cc = curl_easy_perform(curl);
        long status = 0;
        if (cc != CURLE_OK) {
            ex = out_fail(c, EXIT_NETWORK, "sending the webhook to %s: %s", url,
                          curl_easy_strerror(cc));
        } else if (curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status), status / 100 != 2) {
            nax_error_body *err = NULL;
            char msg[600];
            if (r.data && nax_decode(&err, NAX_TYPE_ERROR_BODY, r.data, r.len, NULL) == 0)
                snprintf(msg, sizeof msg, "naxd refused the webhook: %s", err->message);
            else
                snprintf(msg, sizeof msg, "naxd refused the webhook");
            ex = out_http_error(c, status_exit(status), msg, err ? err->field : NULL,
                                err ? err->code : NULL, (int)status,
                                err && err->request_id ? err->request_id : r.request_id);
            nax_object_free(err);
        }
        curl_easy_cleanup(curl);
    }
    curl_slist_free_all(headers);
    free(r.data);
    free(url);
    free(h_id);
    free(h_sig);
    return ex;
}

static int webhook_sign(cli *c, int argc, char **argv)
{
    static const struct option own[] = {
        {"provider", required_argument, NULL, W_PROVIDER},
        {"type", required_argument, NULL, W_TYPE},
        {"reference", required_argument, NULL, W_REFERENCE},
        {"amount", required_argument, NULL, W_AMOUNT},
        {"currency", required_argument, NULL, W_CURRENCY},
        {"address", required_argument, NULL, W_ADDRESS},
        {"tx-hash", required_argument, NULL, W_TX_HASH},
        {"user-id", required_argument, NULL, W_USER_ID},
        {"reason", required_argument, NULL, W_REASON},
        {"id", required_argument, NULL, W_ID},
        {"timestamp", required_argument, NULL, W_TIMESTAMP},
        {"print", no_argument, NULL, W_PRINT},
        {"secret", required_argument, NULL, 's'},
    };
    hook_args a = {0};
    const cli_spec spec = {own, CLI_COUNT(own), hook_opt, &a, 0, 0, NULL};
    int ex;
    if (!cli_parse(c, argc, argv, &spec, &ex))
        return ex;
    if (!a.provider)
        return cli_usage(c, "--provider is required (payments, custody or kyc)");
    if (!a.type)
        return cli_usage(c, "--type is required, e.g. payment.succeeded");

    char id[160];
    if (a.id) {
        if (!*a.id || strlen(a.id) >= sizeof id)
            return cli_usage(c, "--id must be 1 to %zu characters", sizeof id - 1);
        snprintf(id, sizeof id, "%s", a.id);
    } else if (random_id(id, sizeof id) != 0) {
        return out_fail(c, EXIT_SYSTEM, "cannot read /dev/urandom");
    }
    int64_t ts = a.has_timestamp ? (int64_t)a.timestamp : (int64_t)time(NULL);
    char ts_text[24];
    snprintf(ts_text, sizeof ts_text, "%" PRId64, ts);

    char *secret = provider_secret(c, a.provider);
    if (!secret)
        return cli_usage(c,
                         "no secret for the %s provider: set NAX_WEBHOOK_SECRET (or the "
                         "NAXD_WEBHOOK_SECRET_* naxd reads), or put webhook_secret_%s in the "
                         "config file",
                         a.provider, a.provider);
    nax_webhook_data data = {.struct_size = sizeof data,
                             .reference = a.reference,
                             .amount = a.has_amount ? &a.amount : NULL,
                             .currency = a.currency,
                             .user_id = a.user_id,
                             .address = a.address,
                             .tx_hash = a.tx_hash,
                             .reason = a.reason};
    nax_webhook_event ev = {
        .struct_size = sizeof ev, .id = id, .type = a.type, .created_at = ts * 1000, .data = &data};
    nax_buf body = NAX_BUF_INIT, sig = NAX_BUF_INIT;
    int rc = nax_encode(&body, NAX_TYPE_WEBHOOK_EVENT, &ev);
    if (rc != 0) {
        ex = out_error(c, rc, "encoding the event");
    } else if ((rc = nax_webhook_sign(&sig, secret, id, ts, body.data, body.len)) != 0) {
        /* the library's message names the problem, never the secret */
        ex = rc == NAX_EINVAL ? out_fail(c, EXIT_USAGE, "the %s provider secret is not usable: %s",
                                         a.provider, nax_error_last()->message)
                              : out_error(c, rc, "signing the event");
    }
    cli_free_secret(secret);

    if (!ex && a.print) {
        if (c->json) {
            fputs("{\"method\":\"POST\",\"path\":", stdout);
            char path[64];
            snprintf(path, sizeof path, "/v1/webhooks/%s", a.provider);
            out_json_string(stdout, path);
            fputs(",\"headers\":{\"webhook-id\":", stdout);
            out_json_string(stdout, id);
            fputs(",\"webhook-timestamp\":", stdout);
            out_json_string(stdout, ts_text);
            fputs(",\"webhook-signature\":", stdout);
            out_json_string(stdout, sig.data);
            printf("},\"body\":%s}\n", body.data);
        } else {
            printf("POST /v1/webhooks/%s\n", a.provider);
            printf("content-type: application/json\n");
            printf("webhook-id: %s\nwebhook-timestamp: %s\nwebhook-signature: %s\n\n%s\n", id,
                   ts_text, sig.data, body.data);
        }
    } else if (!ex) {
        ex = post_event(c, a.provider, id, ts_text, sig.data, &body);
        if (!ex && c->json)
            ex = out_json(c, NAX_TYPE_WEBHOOK_EVENT, &ev);
        else if (!ex)
            printf("naxd accepted the %s event %s from %s\n",
                   cli_word_name(event_types, (int)a.type), id, a.provider);
    }
    nax_buf_dispose(&sig);
    nax_buf_dispose(&body);
    return ex;
}

int cmd_webhook(cli *c, int argc, char **argv)
{
    static const cli_sub subs[] = {{"sign", "webhook sign", webhook_sign}};
    return cli_dispatch(c, argc, argv, subs, CLI_COUNT(subs));
}

/*
 * sandbox: plays naxd's operator and its payment and custody providers
 * (see sandbox.h). Plain libcurl; the bodies go through the libnax codec.
 */
/* POSIX (getpid, strdup, clock_gettime, nanosleep) also under a plain -std=c11. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "sandbox.h"

#include <curl/curl.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sandbox {
    CURL *curl;
    char *base; /* "http://127.0.0.1:8080" */
};

/* ---- small helpers ------------------------------------------------------------ */

/* A response body; libcurl appends to it. */
typedef struct reply {
    char *data;
    size_t len;
} reply;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    reply *r = userdata;
    size_t n = size * nmemb;
    char *grown = realloc(r->data, r->len + n + 1);
    if (!grown)
        return 0; /* curl reports a write error */
    memcpy(grown + r->len, ptr, n);
    r->data = grown;
    r->len += n;
    r->data[r->len] = '\0';
    return n;
}

/* Random hex for webhook ids and transaction hashes (unique, not secret). */
static int random_hex(char *out, size_t bytes)
{
    unsigned char raw[32];
    FILE *f = fopen("/dev/urandom", "rb");
    int ok = f && bytes <= sizeof raw && fread(raw, 1, bytes, f) == bytes;
    if (f)
        fclose(f);
    if (!ok) {
        fprintf(stderr, "sandbox: cannot read /dev/urandom\n");
        return -1;
    }
    for (size_t i = 0; i < bytes; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

/* The first of the space-separated secrets in `env` (several during a rotation). */
static int first_secret(char *out, size_t size, const char *env)
{
    const char *all = getenv(env);
    if (!all || !*all) {
        fprintf(stderr, "sandbox: %s is not set (the secret naxd was started with)\n", env);
        return -1;
    }
    size_t n = strcspn(all, " ");
    if (n >= size) {
        fprintf(stderr, "sandbox: the secret in %s is too long\n", env);
        return -1;
    }
    memcpy(out, all, n);
    out[n] = '\0';
    return 0;
}

/*
 * POST `body` to `path` with extra `headers` (NULL-terminated, may be NULL).
 * Returns 0 when the status is `expect`; otherwise prints the error body.
 * On success the response body is left in *resp (caller frees) when resp is
 * not NULL.
 */
static int post(sandbox *sb, const char *path, const char *body, size_t body_len,
                const char *const *headers, long expect, reply *resp)
{
    char url[512];
    reply got = {NULL, 0};
    struct curl_slist *list = NULL, *grown;
    int rc = -1;

    snprintf(url, sizeof url, "%s%s", sb->base, path);
    const char *all[8] = {"Content-Type: application/json"};
    size_t n = 1;
    for (size_t i = 0; headers && headers[i] && n < sizeof all / sizeof all[0]; i++)
        all[n++] = headers[i];
    for (size_t i = 0; i < n; i++) {
        grown = curl_slist_append(list, all[i]);
        if (!grown) {
            fprintf(stderr, "sandbox: out of memory\n");
            curl_slist_free_all(list);
            return -1;
        }
        list = grown;
    }

    curl_easy_reset(sb->curl);
    curl_easy_setopt(sb->curl, CURLOPT_URL, url);
    curl_easy_setopt(sb->curl, CURLOPT_POST, 1L);
    curl_easy_setopt(sb->curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(sb->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(sb->curl, CURLOPT_POSTFIELDSIZE, (long)body_len);
    curl_easy_setopt(sb->curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(sb->curl, CURLOPT_WRITEDATA, &got);
    curl_easy_setopt(sb->curl, CURLOPT_TIMEOUT, 30L);
    CURLcode cc = curl_easy_perform(sb->curl);
    curl_slist_free_all(list);

    long status = 0;
    if (cc != CURLE_OK) {
        fprintf(stderr, "sandbox: POST %s: %s\n", path, curl_easy_strerror(cc));
    } else if (curl_easy_getinfo(sb->curl, CURLINFO_RESPONSE_CODE, &status), status != expect) {
        nax_error_body *err = NULL;
        fprintf(stderr, "sandbox: POST %s: expected %ld, got %ld\n", path, expect, status);
        if (got.data && nax_decode(&err, NAX_TYPE_ERROR_BODY, got.data, got.len, NULL) == 0)
            fprintf(stderr, "  error %s: %s\n", err->code, err->message);
        nax_object_free(err);
    } else {
        rc = 0;
    }
    if (rc == 0 && resp)
        *resp = got;
    else
        free(got.data);
    return rc;
}

/* ---- the sandbox ------------------------------------------------------------------ */

int sandbox_open(sandbox **out, const char *base_url)
{
    *out = NULL;
    sandbox *sb = calloc(1, sizeof(*sb));
    if (!sb || !(sb->base = strdup(base_url)) || !(sb->curl = curl_easy_init())) {
        fprintf(stderr, "sandbox: out of memory\n");
        sandbox_close(sb);
        return -1;
    }
    *out = sb;
    return 0;
}

void sandbox_close(sandbox *sb)
{
    if (!sb)
        return;
    if (sb->curl)
        curl_easy_cleanup(sb->curl);
    free(sb->base);
    free(sb);
}

/* ---- the operator ------------------------------------------------------------------- */

int sandbox_verify_kyc(sandbox *sb, const char *user_id)
{
    static const char verified[] = "{\"status\":\"verified\"}";
    char token[256], auth[300], path[128];
    reply resp = {NULL, 0};
    nax_kyc *kyc = NULL;

    if (first_secret(token, sizeof token, "NAXD_OPERATOR_TOKEN"))
        return -1;
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    snprintf(path, sizeof path, "/admin/users/%s/kyc", user_id);
    const char *headers[] = {auth, NULL};
    int rc = post(sb, path, verified, sizeof verified - 1, headers, 200, &resp);
    memset(token, 0, sizeof token);
    memset(auth, 0, sizeof auth);
    if (rc)
        return -1;
    rc = nax_decode(&kyc, NAX_TYPE_KYC, resp.data ? resp.data : "", resp.len, NULL);
    free(resp.data);
    if (rc || kyc->status != NAX_KYC_STATUS_VERIFIED) {
        fprintf(stderr, "sandbox: the operator route did not answer a verified KYC status\n");
        nax_object_free(kyc);
        return -1;
    }
    nax_object_free(kyc);
    return 0;
}

/* ---- the providers ------------------------------------------------------------------ */

/* Send one signed event of `type` from `provider`, as the provider would. */
static int provider_event(sandbox *sb, const char *provider, const char *secret_env,
                          nax_webhook_type type, const nax_webhook_data *data)
{
    char secret[256], id[40] = "msg_", path[64], h_id[96], h_ts[64];
    nax_buf json = NAX_BUF_INIT, sig = NAX_BUF_INIT;
    char *h_sig = NULL;
    int64_t now = (int64_t)time(NULL);
    int rc = -1;

    if (first_secret(secret, sizeof secret, secret_env) || random_hex(id + 4, 16))
        return -1;
    nax_webhook_event ev = {
        .struct_size = sizeof ev, .id = id, .type = type, .created_at = now * 1000, .data = data};
    if (nax_encode(&json, NAX_TYPE_WEBHOOK_EVENT, &ev) != 0 ||
        nax_webhook_sign(&sig, secret, id, now, json.data, json.len) != 0) {
        fprintf(stderr, "sandbox: cannot sign the %s event: %s\n", provider,
                nax_error_last()->message);
        goto done;
    }
    snprintf(h_id, sizeof h_id, "webhook-id: %s", id);
    snprintf(h_ts, sizeof h_ts, "webhook-timestamp: %" PRId64, now);
    h_sig = malloc(sig.len + 32);
    if (!h_sig) {
        fprintf(stderr, "sandbox: out of memory\n");
        goto done;
    }
    snprintf(h_sig, sig.len + 32, "webhook-signature: %s", sig.data);
    const char *headers[] = {h_id, h_ts, h_sig, NULL};
    snprintf(path, sizeof path, "/v1/webhooks/%s", provider);
    rc = post(sb, path, json.data, json.len, headers, 204, NULL);
done:
    memset(secret, 0, sizeof secret);
    free(h_sig);
    nax_buf_dispose(&sig);
    nax_buf_dispose(&json);
    return rc;
}

int sandbox_payment_succeeded(sandbox *sb, const char *reference, const nax_decimal *amount,
                              const char *currency)
{
    nax_webhook_data data = {
        .struct_size = sizeof data, .reference = reference, .amount = amount, .currency = currency};
    return provider_event(sb, "payments", "NAXD_WEBHOOK_SECRET_PAYMENTS",
                          NAX_WEBHOOK_PAYMENT_SUCCEEDED, &data);
}

int sandbox_payout_completed(sandbox *sb, const char *reference)
{
    nax_webhook_data data = {.struct_size = sizeof data, .reference = reference};
    return provider_event(sb, "payments", "NAXD_WEBHOOK_SECRET_PAYMENTS",
                          NAX_WEBHOOK_PAYOUT_COMPLETED, &data);
}

int sandbox_custody_payout_completed(sandbox *sb, const char *reference)
{
    nax_webhook_data data = {.struct_size = sizeof data, .reference = reference};
    return provider_event(sb, "custody", "NAXD_WEBHOOK_SECRET_CUSTODY",
                          NAX_WEBHOOK_PAYOUT_COMPLETED, &data);
}

int sandbox_custody_deposit(sandbox *sb, const char *address, const nax_decimal *amount,
                            const char *asset)
{
    char tx_hash[65];
    if (random_hex(tx_hash, 32))
        return -1;
    nax_webhook_data data = {.struct_size = sizeof data,
                             .amount = amount,
                             .currency = asset,
                             .address = address,
                             .tx_hash = tx_hash};
    return provider_event(sb, "custody", "NAXD_WEBHOOK_SECRET_CUSTODY",
                          NAX_WEBHOOK_DEPOSIT_CONFIRMED, &data);
}

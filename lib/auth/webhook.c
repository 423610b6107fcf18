/*
 * Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256
 * keyed with the secret's key over "id.timestamp.body", sent as
 * "v1,<base64>" entries separated by spaces. Signing and verifying share one
 * MAC function, so a provider simulated with nax_webhook_sign() and naxd's
 * receiver cannot disagree.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/auth.h"
#include "core/core.h"
#include "nax/auth.h"

#define SECRET_PREFIX     "whsec_"
#define SECRET_PREFIX_LEN 6
#define KEY_MAX           256 /* providers use 24 to 64 bytes */
#define TIMESTAMP_DIGITS  18  /* more would not fit an int64 safely */

long nax__webhook_key(unsigned char *out, size_t cap, const char *secret)
{
    if (!secret)
        return -1;
    if (strncmp(secret, SECRET_PREFIX, SECRET_PREFIX_LEN) == 0) {
        const char *b64 = secret + SECRET_PREFIX_LEN;
        long n = nax__base64_decode(out, cap, b64, strlen(b64));
        return n > 0 ? n : -1; /* an empty key is no key */
    }
    size_t n = strlen(secret);
    if (n == 0 || n > cap || n > (size_t)LONG_MAX)
        return -1;
    memcpy(out, secret, n);
    return (long)n;
}

static int webhook_mac(unsigned char mac[NAX__SHA256_LEN], const unsigned char *key, size_t key_len,
                       const char *id, const char *timestamp, size_t ts_len, const void *body,
                       size_t body_len)
{
    nax__hmac h;
    int rc = nax__hmac_init(&h, key, key_len);
    if (rc)
        return rc;
    nax__hmac_update(&h, id, strlen(id));
    nax__hmac_update(&h, ".", 1);
    nax__hmac_update(&h, timestamp, ts_len);
    nax__hmac_update(&h, ".", 1);
    nax__hmac_update(&h, body, body_len);
    return nax__hmac_final(&h, mac);
}

int nax_webhook_sign(nax_buf *out, const char *secret, const char *id, int64_t timestamp,
                     const void *body, size_t body_len)
{
    if (!out || !secret || !id || (!body && body_len))
        return nax__error(NAX_EINVAL, "nax_webhook_sign: NULL argument");
    if (timestamp < 0)
        return nax__error(NAX_EINVAL, "nax_webhook_sign: negative timestamp");
    unsigned char key[KEY_MAX], mac[NAX__SHA256_LEN];
    long key_len = nax__webhook_key(key, sizeof key, secret);
    if (key_len < 0)
        return nax__error(NAX_EINVAL, "nax_webhook_sign: malformed secret");
    char ts[24];
    int ts_len = snprintf(ts, sizeof ts, "%" PRId64, timestamp);
    int rc = webhook_mac(mac, key, (size_t)key_len, id, ts, (size_t)ts_len, body, body_len);
    OPENSSL_cleanse(key, sizeof key);
    if (rc)
        return rc;
    size_t start = out->len;
    rc = nax__buf_append(out, "v1,", 3);
    if (!rc)
        rc = nax__base64_encode(out, mac, sizeof mac);
    if (rc && out->data) {
        out->len = start;
        out->data[start] = '\0';
    }
    return rc;
}

/* NAX_EAUTH naming the reason the way naxd answers it (server code) and
 * the header at fault. */
static int refuse(const char *server_code, const char *field, const char *message)
{
    nax__error_field(NAX_EAUTH, field, "%s", message);
    nax__error_http(0, server_code, NULL, 0);
    return NAX_EAUTH;
}

/* Decimal seconds, digits only; 0 when malformed or too long. */
static int parse_timestamp(const char *text, int64_t *out)
{
    size_t len = strlen(text);
    if (len == 0 || len > TIMESTAMP_DIGITS)
        return 0;
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return 0;
        v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return 1;
}

/* |now - ts| > tolerance, computed without overflow (ts >= 0). */
static int outside_window(int64_t now, int64_t ts, int64_t tolerance)
{
    uint64_t distance = now >= ts ? (uint64_t)now - (uint64_t)ts : (uint64_t)ts - (uint64_t)now;
    return distance > (uint64_t)tolerance;
}

/* 1 when one of the "v1,<base64>" entries of `header` carries `mac`;
 * *seen_v1 counts the v1 entries. Other versions are skipped. */
static int header_has(const char *header, const unsigned char mac[NAX__SHA256_LEN], int *seen_v1)
{
    int found = 0;
    const char *p = header;
    while (*p) {
        size_t n = strcspn(p, " ");
        if (n > 3 && memcmp(p, "v1,", 3) == 0) {
            unsigned char given[2 * NAX__SHA256_LEN];
            long len = n - 3 <= 4 * NAX__SHA256_LEN
                           ? nax__base64_decode(given, sizeof given, p + 3, n - 3)
                           : -1;
            (*seen_v1)++;
            if (len > 0 && nax__ct_equal(given, (size_t)len, mac, NAX__SHA256_LEN))
                found = 1;
        }
        p += n;
        while (*p == ' ')
            p++;
    }
    return found;
}

int nax_webhook_verify(const char *const *secrets, size_t secrets_count, const char *id,
                       const char *timestamp, const char *signatures, const void *body,
                       size_t body_len, int64_t now, int64_t tolerance_s)
{
    if (!secrets || secrets_count == 0 || !id || !timestamp || !signatures || (!body && body_len))
        return nax__error(NAX_EINVAL, "nax_webhook_verify: NULL argument or no secret");
    if (tolerance_s < 0)
        return nax__error(NAX_EINVAL, "nax_webhook_verify: negative tolerance");
    unsigned char key[KEY_MAX];
    /* A bad secret is a configuration error, reported before the request. */
    for (size_t i = 0; i < secrets_count; i++) {
        long key_len = nax__webhook_key(key, sizeof key, secrets[i]);
        OPENSSL_cleanse(key, sizeof key);
        if (key_len < 0)
            return nax__error(NAX_EINVAL, "nax_webhook_verify: secret %zu is malformed", i);
    }

    int64_t ts;
    if (!parse_timestamp(timestamp, &ts))
        return refuse("timestamp_out_of_window", "webhook-timestamp",
                      "webhook-timestamp is not decimal seconds");
    if (outside_window(now, ts, tolerance_s))
        return refuse("timestamp_out_of_window", "webhook-timestamp",
                      "webhook-timestamp is too far from the receiver's clock");

    int seen_v1 = 0, found = 0;
    for (size_t i = 0; i < secrets_count && !found; i++) {
        unsigned char mac[NAX__SHA256_LEN];
        long key_len = nax__webhook_key(key, sizeof key, secrets[i]);
        int rc = webhook_mac(mac, key, (size_t)key_len, id, timestamp, strlen(timestamp), body,
                             body_len);
        OPENSSL_cleanse(key, sizeof key);
        if (rc)
            return rc;
        seen_v1 = 0;
        found = header_has(signatures, mac, &seen_v1);
    }
    if (found)
        return 0;
    return refuse("invalid_signature", "webhook-signature",
                  seen_v1 ? "no webhook signature matches" : "no v1 webhook signature");
}

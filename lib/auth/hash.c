/*
 * SHA-256, HMAC-SHA256/SHA1 and constant-time comparison on OpenSSL 3
 * (EVP_Digest and EVP_MAC; none of the deprecated low-level APIs).
 */
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "auth/auth.h"
#include "core/core.h"

/* Fetching an algorithm takes a lock and a lookup; the fetched objects are
 * immutable and shared by every thread, so each is fetched once. */
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static EVP_MAC *hmac_alg;
static EVP_MD *sha256_alg;

static void fetch_algorithms(void)
{
    hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
    sha256_alg = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static int crypto_failed(const char *what)
{
    return nax__error(NAX_ERROR, "OpenSSL %s failed", what);
}

int nax__sha256(unsigned char out[NAX__SHA256_LEN], const void *data, size_t len)
{
    pthread_once(&fetch_once, fetch_algorithms);
    unsigned int n = 0;
    if (!sha256_alg || !EVP_Digest(data ? data : "", len, out, &n, sha256_alg, NULL) ||
        n != NAX__SHA256_LEN) {
        memset(out, 0, NAX__SHA256_LEN);
        return crypto_failed("SHA-256");
    }
    return 0;
}

/* A fresh HMAC context for `digest` ("SHA256", "SHA1") keyed with key. */
static EVP_MAC_CTX *mac_start(const char *digest, const void *key, size_t key_len)
{
    pthread_once(&fetch_once, fetch_algorithms);
    if (!hmac_alg)
        return NULL;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmac_alg);
    if (!ctx)
        return NULL;
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    /* A NULL key would mean "keep the previous key"; an empty key is "". */
    if (!EVP_MAC_init(ctx, key ? key : (const void *)"", key_len, params)) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static int mac_oneshot(const char *digest, unsigned char *out, size_t out_len, const void *key,
                       size_t key_len, const void *data, size_t len)
{
    EVP_MAC_CTX *ctx = mac_start(digest, key, key_len);
    size_t n = 0;
    int ok = ctx && EVP_MAC_update(ctx, data ? data : "", len) &&
             EVP_MAC_final(ctx, out, &n, out_len) && n == out_len;
    EVP_MAC_CTX_free(ctx);
    if (!ok) {
        memset(out, 0, out_len);
        return crypto_failed("HMAC");
    }
    return 0;
}

int nax__hmac_sha256(unsigned char out[NAX__SHA256_LEN], const void *key, size_t key_len,
                     const void *data, size_t len)
{
    return mac_oneshot("SHA256", out, NAX__SHA256_LEN, key, key_len, data, len);
}

int nax__hmac_sha1(unsigned char out[NAX__SHA1_LEN], const void *key, size_t key_len,
                   const void *data, size_t len)
{
    return mac_oneshot("SHA1", out, NAX__SHA1_LEN, key, key_len, data, len);
}

int nax__hmac_init(nax__hmac *h, const void *key, size_t key_len)
{
    h->failed = 0;
    h->impl = mac_start("SHA256", key, key_len);
    if (!h->impl) {
        h->failed = 1;
        return crypto_failed("HMAC");
    }
    return 0;
}

void nax__hmac_update(nax__hmac *h, const void *data, size_t len)
{
    if (h->failed || len == 0)
        return;
    if (!EVP_MAC_update(h->impl, data, len))
        h->failed = 1;
}

int nax__hmac_final(nax__hmac *h, unsigned char out[NAX__SHA256_LEN])
{
    size_t n = 0;
    int ok = !h->failed && EVP_MAC_final(h->impl, out, &n, NAX__SHA256_LEN) && n == NAX__SHA256_LEN;
    EVP_MAC_CTX_free(h->impl);
    h->impl = NULL;
    h->failed = 1; /* a second final fails instead of touching freed memory */
    if (!ok) {
        memset(out, 0, NAX__SHA256_LEN);
        return crypto_failed("HMAC");
    }
    return 0;
}

int nax__ct_equal(const void *a, size_t a_len, const void *b, size_t b_len)
{
    if (a_len != b_len)
        return 0;
    if (a_len == 0)
        return 1;
    return CRYPTO_memcmp(a, b, a_len) == 0;
}

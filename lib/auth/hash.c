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
    h->key = NULL;
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

static void key_put(nax__hmac_key *k, EVP_MAC_CTX *ctx, int reusable);

int nax__hmac_final(nax__hmac *h, unsigned char out[NAX__SHA256_LEN])
{
    size_t n = 0;
    int ok = !h->failed && EVP_MAC_final(h->impl, out, &n, NAX__SHA256_LEN) && n == NAX__SHA256_LEN;
    if (h->key)
        key_put(h->key, h->impl, ok);
    else
        EVP_MAC_CTX_free(h->impl);
    h->impl = NULL;
    h->key = NULL;
    h->failed = 1; /* a second final fails instead of touching freed memory */
    if (!ok) {
        memset(out, 0, NAX__SHA256_LEN);
        return crypto_failed("HMAC");
    }
    return 0;
}

/* ---- prepared keys ----------------------------------------------------------- */

/* Enough for the threads that MAC at once (naxd: the app thread, the
 * workers); a context beyond it is freed after use. */
#define KEY_POOL_MAX 8

struct nax__hmac_key {
    EVP_MAC_CTX *keyed; /* keyed, never updated: cloned when the pool is empty */
    size_t key_len;
    pthread_mutex_t lock;
    EVP_MAC_CTX *pool[KEY_POOL_MAX]; /* finished contexts holding the key */
    size_t npool;
};

nax__hmac_key *nax__hmac_key_new(const void *key, size_t key_len)
{
    nax__hmac_key *k = nax__calloc(1, sizeof(*k));
    if (!k) {
        nax__error_oom();
        return NULL;
    }
    k->keyed = mac_start("SHA256", key, key_len);
    if (!k->keyed) {
        nax__free(k);
        crypto_failed("HMAC");
        return NULL;
    }
    k->key_len = key_len;
    pthread_mutex_init(&k->lock, NULL);
    return k;
}

void nax__hmac_key_free(nax__hmac_key *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->npool; i++)
        EVP_MAC_CTX_free(k->pool[i]);
    EVP_MAC_CTX_free(k->keyed);
    pthread_mutex_destroy(&k->lock);
    nax__free(k);
}

size_t nax__hmac_key_len(const nax__hmac_key *k)
{
    return k ? k->key_len : 0;
}

/* A context ready for updates with k's key. A pooled one is re-initialised
 * with a NULL key, which HMAC takes as "the same key again" (its ipad/opad
 * state is kept, so no key schedule). */
static EVP_MAC_CTX *key_take(nax__hmac_key *k)
{
    EVP_MAC_CTX *ctx = NULL;
    int fresh = 0;
    pthread_mutex_lock(&k->lock);
    if (k->npool) {
        ctx = k->pool[--k->npool];
    } else {
        ctx = EVP_MAC_CTX_dup(k->keyed); /* under the lock: it reads the shared original */
        fresh = 1;
    }
    pthread_mutex_unlock(&k->lock);
    if (!ctx || fresh)
        return ctx; /* a clone of the original is ready for updates */
    if (!EVP_MAC_init(ctx, NULL, 0, NULL)) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* Back to the pool, unless it failed (its state is then unknown) or the
 * pool is full. */
static void key_put(nax__hmac_key *k, EVP_MAC_CTX *ctx, int reusable)
{
    if (!ctx)
        return;
    if (reusable) {
        pthread_mutex_lock(&k->lock);
        if (k->npool < KEY_POOL_MAX) {
            k->pool[k->npool++] = ctx;
            ctx = NULL;
        }
        pthread_mutex_unlock(&k->lock);
    }
    EVP_MAC_CTX_free(ctx);
}

int nax__hmac_key_sha256(nax__hmac_key *k, unsigned char out[NAX__SHA256_LEN], const void *data,
                         size_t len)
{
    EVP_MAC_CTX *ctx = k ? key_take(k) : NULL;
    size_t n = 0;
    int ok = ctx && EVP_MAC_update(ctx, data ? data : "", len) &&
             EVP_MAC_final(ctx, out, &n, NAX__SHA256_LEN) && n == NAX__SHA256_LEN;
    if (k)
        key_put(k, ctx, ok);
    if (!ok) {
        memset(out, 0, NAX__SHA256_LEN);
        return crypto_failed("HMAC");
    }
    return 0;
}

int nax__hmac_init_key(nax__hmac *h, nax__hmac_key *k)
{
    h->failed = 0;
    h->key = k;
    h->impl = k ? key_take(k) : NULL;
    if (!h->impl) {
        h->failed = 1;
        h->key = NULL;
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

/* Digests, MACs, constant-time comparison and randomness: RFC 4231 (HMAC-SHA256)
 * and RFC 2202 (HMAC-SHA1) known answers, FIPS 180 SHA-256 examples. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>

#include "auth_test.h"

typedef struct hmac_case {
    const char *key_hex;
    const char *data_hex;
    const char *mac_hex; /* case 5 is truncated to 128 bits by the RFC */
} hmac_case;

/* Text, as hex, so every case has the same shape. */
static const char hi_there[] = "4869205468657265";
static const char jefe_data[] = "7768617420646f2079612077616e7420666f72206e6f7468696e673f";

static char *hex_repeat(const char *byte_hex, size_t n)
{
    char *s = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + 2 * i, byte_hex, 2);
    s[2 * n] = '\0';
    return s;
}

static char *hex_text(const char *text)
{
    char *s = malloc(2 * strlen(text) + 1);
    nax__hex_encode(s, text, strlen(text));
    return s;
}

/* Decodes hex into a malloc'ed buffer; *len receives its length. */
static unsigned char *unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    unsigned char *b = malloc(n ? n : 1);
    ck_assert_int_eq(nax__hex_decode(b, n, hex, strlen(hex)), (long)n);
    *len = n;
    return b;
}

static void check_hmac(const char *key_hex, const char *data_hex, const char *mac_hex)
{
    size_t key_len, data_len;
    unsigned char *key = unhex(key_hex, &key_len);
    unsigned char *data = unhex(data_hex, &data_len);
    unsigned char mac[NAX__SHA256_LEN];
    ck_assert_int_eq(nax__hmac_sha256(mac, key, key_len, data, data_len), 0);
    ck_assert_str_eq(hex_of(mac, strlen(mac_hex) / 2), mac_hex);

    /* The incremental form, one byte at a time, gives the same MAC. */
    nax__hmac h;
    unsigned char inc[NAX__SHA256_LEN];
    ck_assert_int_eq(nax__hmac_init(&h, key, key_len), 0);
    for (size_t i = 0; i < data_len; i++)
        nax__hmac_update(&h, data + i, 1);
    ck_assert_int_eq(nax__hmac_final(&h, inc), 0);
    ck_assert_mem_eq(inc, mac, sizeof mac);

    /* A prepared key gives the same MAC: first from a clone of the keyed
     * original, then from a pooled context re-initialised, one-shot and
     * incremental alike. */
    nax__hmac_key *k = nax__hmac_key_new(key, key_len);
    ck_assert_ptr_nonnull(k);
    ck_assert_uint_eq(nax__hmac_key_len(k), key_len);
    for (int round = 0; round < 3; round++) {
        memset(inc, 0, sizeof inc);
        ck_assert_int_eq(nax__hmac_key_sha256(k, inc, data, data_len), 0);
        ck_assert_mem_eq(inc, mac, sizeof mac);
        memset(inc, 0, sizeof inc);
        ck_assert_int_eq(nax__hmac_init_key(&h, k), 0);
        for (size_t i = 0; i < data_len; i++)
            nax__hmac_update(&h, data + i, 1);
        ck_assert_int_eq(nax__hmac_final(&h, inc), 0);
        ck_assert_mem_eq(inc, mac, sizeof mac);
    }
    nax__hmac_key_free(k);
    free(key);
    free(data);
}

START_TEST(hmac_sha256_rfc4231)
{
    char *k1 = hex_repeat("0b", 20), *k3 = hex_repeat("aa", 20), *d3 = hex_repeat("dd", 50);
    char *d4 = hex_repeat("cd", 50), *k5 = hex_repeat("0c", 20), *k6 = hex_repeat("aa", 131);
    char *d5 = hex_text("Test With Truncation");
    char *d6 = hex_text("Test Using Larger Than Block-Size Key - Hash Key First");
    char *d7 = hex_text("This is a test using a larger than block-size key and a larger than "
                        "block-size data. The key needs to be hashed before being used by the "
                        "HMAC algorithm.");
    check_hmac(k1, hi_there, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    check_hmac("4a656665", jefe_data,
               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    check_hmac(k3, d3, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    check_hmac("0102030405060708090a0b0c0d0e0f10111213141516171819", d4,
               "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    check_hmac(k5, d5, "a3b6167473100ee06e0c796c2955552b");
    check_hmac(k6, d6, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    check_hmac(k6, d7, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
    free(k1), free(k3), free(d3), free(d4), free(k5), free(k6), free(d5), free(d6), free(d7);
}
END_TEST

START_TEST(hmac_sha1_rfc2202)
{
    unsigned char key[20], mac[NAX__SHA1_LEN];
    memset(key, 0x0b, sizeof key);
    ck_assert_int_eq(nax__hmac_sha1(mac, key, sizeof key, "Hi There", 8), 0);
    ck_assert_str_eq(hex_of(mac, sizeof mac), "b617318655057264e28bc0b6fb378c8ef146be00");
    ck_assert_int_eq(nax__hmac_sha1(mac, "Jefe", 4, "what do ya want for nothing?", 28), 0);
    ck_assert_str_eq(hex_of(mac, sizeof mac), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}
END_TEST

/* An empty key is a valid HMAC key (RFC 2104 pads it with zeros); NULL with
 * length 0 means the same. Known answer from Python's hmac module. */
START_TEST(hmac_empty_key_and_data)
{
    unsigned char a[NAX__SHA256_LEN], b[NAX__SHA256_LEN];
    ck_assert_int_eq(nax__hmac_sha256(a, NULL, 0, NULL, 0), 0);
    ck_assert_int_eq(nax__hmac_sha256(b, "", 0, "", 0), 0);
    ck_assert_mem_eq(a, b, sizeof a);
    ck_assert_str_eq(hex_of(a, sizeof a),
                     "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    nax__hmac_key *k = nax__hmac_key_new(NULL, 0);
    ck_assert_ptr_nonnull(k);
    ck_assert_int_eq(nax__hmac_key_sha256(k, b, NULL, 0), 0);
    ck_assert_mem_eq(a, b, sizeof a);
    nax__hmac_key_free(k);
}
END_TEST

/* Two contexts of one prepared key open at once (the pool hands out
 * different ones), finished out of order, and a final called twice. */
START_TEST(hmac_key_overlapping_uses)
{
    unsigned char key[32], want_a[NAX__SHA256_LEN], want_b[NAX__SHA256_LEN];
    unsigned char a[NAX__SHA256_LEN], b[NAX__SHA256_LEN];
    memset(key, 0x5a, sizeof key);
    ck_assert_int_eq(nax__hmac_sha256(want_a, key, sizeof key, "first", 5), 0);
    ck_assert_int_eq(nax__hmac_sha256(want_b, key, sizeof key, "second", 6), 0);
    nax__hmac_key *k = nax__hmac_key_new(key, sizeof key);
    ck_assert_ptr_nonnull(k);
    for (int round = 0; round < 2; round++) {
        nax__hmac ha, hb;
        ck_assert_int_eq(nax__hmac_init_key(&ha, k), 0);
        ck_assert_int_eq(nax__hmac_init_key(&hb, k), 0);
        ck_assert_ptr_ne(ha.impl, hb.impl);
        nax__hmac_update(&ha, "fir", 3);
        nax__hmac_update(&hb, "second", 6);
        nax__hmac_update(&ha, "st", 2);
        ck_assert_int_eq(nax__hmac_final(&hb, b), 0);
        ck_assert_int_eq(nax__hmac_final(&ha, a), 0);
        ck_assert_mem_eq(a, want_a, sizeof a);
        ck_assert_mem_eq(b, want_b, sizeof b);
        ck_assert_int_ne(nax__hmac_final(&ha, a), 0); /* the context went back */
        nax_error_clear();
    }
    nax__hmac_key_free(k);
    nax__hmac_key_free(NULL);
    ck_assert_uint_eq(nax__hmac_key_len(NULL), 0);
    ck_assert_int_ne(nax__hmac_key_sha256(NULL, a, "x", 1), 0);
    nax_error_clear();
}
END_TEST

/* Several threads MAC with one prepared key at once (naxd's app thread and
 * workers share the JWT key); every MAC must equal the unprepared one. */
#define MAC_THREADS 6
#define MAC_ROUNDS  400

typedef struct mac_worker {
    nax__hmac_key *key;
    const unsigned char *raw;
    size_t raw_len;
    int id;
    int wrong; /* MACs that differed or failed */
} mac_worker;

static void *mac_worker_run(void *arg)
{
    mac_worker *w = arg;
    for (int i = 0; i < MAC_ROUNDS; i++) {
        char msg[64];
        int n = snprintf(msg, sizeof msg, "thread %d message %d", w->id, i);
        unsigned char want[NAX__SHA256_LEN], got[NAX__SHA256_LEN];
        if (nax__hmac_sha256(want, w->raw, w->raw_len, msg, (size_t)n) != 0) {
            w->wrong++;
            continue;
        }
        if (i % 2) {
            nax__hmac h;
            if (nax__hmac_init_key(&h, w->key) != 0) {
                w->wrong++;
                continue;
            }
            nax__hmac_update(&h, msg, 7);
            nax__hmac_update(&h, msg + 7, (size_t)n - 7);
            if (nax__hmac_final(&h, got) != 0)
                w->wrong++;
        } else if (nax__hmac_key_sha256(w->key, got, msg, (size_t)n) != 0) {
            w->wrong++;
        }
        if (memcmp(got, want, sizeof want) != 0)
            w->wrong++;
    }
    return NULL;
}

START_TEST(hmac_key_concurrent_threads)
{
    unsigned char raw[64];
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (unsigned char)(i * 7 + 1);
    nax__hmac_key *k = nax__hmac_key_new(raw, sizeof raw);
    ck_assert_ptr_nonnull(k);
    pthread_t t[MAC_THREADS];
    mac_worker w[MAC_THREADS];
    for (int i = 0; i < MAC_THREADS; i++) {
        w[i] = (mac_worker){k, raw, sizeof raw, i, 0};
        ck_assert_int_eq(pthread_create(&t[i], NULL, mac_worker_run, &w[i]), 0);
    }
    int wrong = 0;
    for (int i = 0; i < MAC_THREADS; i++) {
        pthread_join(t[i], NULL);
        wrong += w[i].wrong;
    }
    ck_assert_int_eq(wrong, 0);
    nax__hmac_key_free(k);
}
END_TEST

START_TEST(sha256_fips180_examples)
{
    unsigned char d[NAX__SHA256_LEN];
    ck_assert_int_eq(nax__sha256(d, "abc", 3), 0);
    ck_assert_str_eq(hex_of(d, sizeof d),
                     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ck_assert_int_eq(nax__sha256(d, "", 0), 0);
    ck_assert_str_eq(hex_of(d, sizeof d),
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    ck_assert_int_eq(nax__sha256(d, two_blocks, strlen(two_blocks)), 0);
    ck_assert_str_eq(hex_of(d, sizeof d),
                     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(ct_equal_compares_length_and_bytes)
{
    ck_assert_int_eq(nax__ct_equal("abc", 3, "abc", 3), 1);
    ck_assert_int_eq(nax__ct_equal("abc", 3, "abd", 3), 0);
    ck_assert_int_eq(nax__ct_equal("abc", 3, "abcd", 4), 0);
    ck_assert_int_eq(nax__ct_equal("abc", 3, "ab", 2), 0);
    ck_assert_int_eq(nax__ct_equal("", 0, "", 0), 1);
    ck_assert_int_eq(nax__ct_equal("\x00\x01", 2, "\x00\x02", 2), 0);
}
END_TEST

START_TEST(random_bytes_differ)
{
    unsigned char a[32], b[32], zero[32] = {0};
    ck_assert_int_eq(nax__random_bytes(a, sizeof a), 0);
    ck_assert_int_eq(nax__random_bytes(b, sizeof b), 0);
    /* 2^-256 chance of a false failure. */
    ck_assert(memcmp(a, b, sizeof a) != 0);
    ck_assert(memcmp(a, zero, sizeof a) != 0);
    ck_assert_int_eq(nax__random_bytes(a, 0), 0);
}
END_TEST

START_TEST(uuid4_has_the_rfc9562_shape)
{
    char a[37], b[37];
    ck_assert_int_eq(nax__uuid4(a), 0);
    ck_assert_int_eq(nax__uuid4(b), 0);
    ck_assert_uint_eq(strlen(a), 36);
    ck_assert_str_ne(a, b);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            ck_assert_int_eq(a[i], '-');
        else
            ck_assert_msg(isxdigit((unsigned char)a[i]) && !isupper((unsigned char)a[i]),
                          "%s: position %d", a, i);
    }
    ck_assert_int_eq(a[14], '4');                 /* version */
    ck_assert_ptr_nonnull(strchr("89ab", a[19])); /* variant 10xx */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("auth_hash");
    TCase *tc = tcase_create("hash");
    tcase_add_test(tc, hmac_sha256_rfc4231);
    tcase_add_test(tc, hmac_sha1_rfc2202);
    tcase_add_test(tc, hmac_empty_key_and_data);
    tcase_add_test(tc, hmac_key_overlapping_uses);
    tcase_add_test(tc, hmac_key_concurrent_threads);
    tcase_add_test(tc, sha256_fips180_examples);
    tcase_add_test(tc, ct_equal_compares_length_and_bytes);
    tcase_add_test(tc, random_bytes_differ);
    tcase_add_test(tc, uuid4_has_the_rfc9562_shape);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

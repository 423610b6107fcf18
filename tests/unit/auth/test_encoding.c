/* Strict RFC 4648 codecs: the RFC's §10 vectors both ways, and every
 * non-canonical spelling refused. */
#include "auth_test.h"

/* RFC 4648 §10: the encodings of the prefixes of "foobar". */
static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
static const char *const b64[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
static const char *const b32_padded[] = {
    "", "MY======", "MZXQ====", "MZXW6===", "MZXW6YQ=", "MZXW6YTB", "MZXW6YTBOI======"};
static const char *const b16[] = {"",         "66",         "666F",        "666F6F",
                                  "666F6F62", "666F6F6261", "666F6F626172"};
#define NVEC (sizeof plain / sizeof plain[0])

static size_t unpadded_len(const char *s)
{
    size_t n = strlen(s);
    while (n && s[n - 1] == '=')
        n--;
    return n;
}

static long decode_b64(const char *s, unsigned char *out, size_t cap)
{
    return nax__base64_decode(out, cap, s, strlen(s));
}

static long decode_b64url(const char *s, unsigned char *out, size_t cap)
{
    return nax__base64url_decode(out, cap, s, strlen(s));
}

static long decode_b32(const char *s, unsigned char *out, size_t cap)
{
    return nax__base32_decode(out, cap, s, strlen(s));
}

START_TEST(base64_rfc4648_vectors)
{
    for (size_t i = 0; i < NVEC; i++) {
        nax_buf b = NAX_BUF_INIT;
        ck_assert_int_eq(nax__base64_encode(&b, plain[i], strlen(plain[i])), 0);
        ck_assert_str_eq(b.len ? b.data : "", b64[i]);
        unsigned char out[16];
        long n = decode_b64(b64[i], out, sizeof out);
        ck_assert_int_eq(n, (long)strlen(plain[i]));
        ck_assert_mem_eq(out, plain[i], (size_t)n);
        nax_buf_dispose(&b);
    }
}
END_TEST

/* base64url is base64 without padding and with - and _ (RFC 4648 §5). */
START_TEST(base64url_vectors_are_unpadded)
{
    for (size_t i = 0; i < NVEC; i++) {
        nax_buf b = NAX_BUF_INIT;
        ck_assert_int_eq(nax__base64url_encode(&b, plain[i], strlen(plain[i])), 0);
        ck_assert_uint_eq(b.len, unpadded_len(b64[i]));
        ck_assert(b.len == 0 || strncmp(b.data, b64[i], b.len) == 0);
        unsigned char out[16];
        long n = nax__base64url_decode(out, sizeof out, b64[i], unpadded_len(b64[i]));
        ck_assert_int_eq(n, (long)strlen(plain[i]));
        ck_assert_mem_eq(out, plain[i], (size_t)n);
        nax_buf_dispose(&b);
    }
    /* The two alphabets differ in exactly the last two symbols. */
    const unsigned char bytes[] = {0xfb, 0xff, 0xbf};
    nax_buf std = NAX_BUF_INIT, url = NAX_BUF_INIT;
    ck_assert_int_eq(nax__base64_encode(&std, bytes, 3), 0);
    ck_assert_int_eq(nax__base64url_encode(&url, bytes, 3), 0);
    ck_assert_str_eq(std.data, "+/+/");
    ck_assert_str_eq(url.data, "-_-_");
    unsigned char out[4];
    ck_assert_int_eq(decode_b64url("-_-_", out, sizeof out), 3);
    ck_assert_mem_eq(out, bytes, 3);
    ck_assert_int_eq(decode_b64url("+/+/", out, sizeof out), -1);
    ck_assert_int_eq(decode_b64("-_-_", out, sizeof out), -1);
    nax_buf_dispose(&std);
    nax_buf_dispose(&url);
}
END_TEST

START_TEST(base64_rejects_non_canonical_text)
{
    unsigned char out[16];
    const char *bad[] = {
        "Zg",       /* padding missing */
        "Zg=",      /* padding short */
        "Zg===",    /* padding too long */
        "Zh==",     /* unused bits set: the canonical form is Zg== */
        "Zm9=",     /* unused bits set: the canonical form is Zm8= */
        "Zm9v\n",   /* whitespace */
        " Zm9v",    /* whitespace */
        "Zm=v",     /* padding inside */
        "====",     /* nothing but padding */
        "Zm9vY",    /* not a multiple of 4 */
        "Zm9v!A==", /* not in the alphabet */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(decode_b64(bad[i], out, sizeof out) == -1, "accepted \"%s\"", bad[i]);
    const char *bad_url[] = {"Zg==", "Zm8=", "Z", "Zh", "Zm9", "Zm9v+A", "Zm9v/A", "Zm 9v"};
    for (size_t i = 0; i < sizeof bad_url / sizeof bad_url[0]; i++)
        ck_assert_msg(decode_b64url(bad_url[i], out, sizeof out) == -1, "accepted \"%s\"",
                      bad_url[i]);
}
END_TEST

START_TEST(decoders_respect_the_capacity)
{
    unsigned char out[6];
    ck_assert_int_eq(decode_b64("Zm9vYmFy", out, 5), -1);
    ck_assert_int_eq(decode_b64("Zm9vYmFy", out, 6), 6);
    ck_assert_int_eq(decode_b64url("Zm9vYmE", out, 4), -1);
    ck_assert_int_eq(decode_b64url("Zm9vYmE", out, 5), 5);
    ck_assert_int_eq(decode_b32("MZXW6YTBOI", out, 5), -1);
    ck_assert_int_eq(decode_b32("MZXW6YTBOI", out, 6), 6);
    ck_assert_int_eq(nax__hex_decode(out, 2, "666f6f", 6), -1);
    ck_assert_int_eq(nax__hex_decode(out, 3, "666f6f", 6), 3);
}
END_TEST

START_TEST(base32_rfc4648_vectors)
{
    for (size_t i = 0; i < NVEC; i++) {
        nax_buf b = NAX_BUF_INIT;
        ck_assert_int_eq(nax__base32_encode(&b, plain[i], strlen(plain[i])), 0);
        /* Output is unpadded: the RFC's text up to its padding. */
        ck_assert_uint_eq(b.len, unpadded_len(b32_padded[i]));
        ck_assert(b.len == 0 || strncmp(b.data, b32_padded[i], b.len) == 0);
        unsigned char out[16];
        /* Decoding takes the padded form, the unpadded form and lower case. */
        long n = decode_b32(b32_padded[i], out, sizeof out);
        ck_assert_int_eq(n, (long)strlen(plain[i]));
        ck_assert_mem_eq(out, plain[i], (size_t)n);
        n = nax__base32_decode(out, sizeof out, b32_padded[i], unpadded_len(b32_padded[i]));
        ck_assert_int_eq(n, (long)strlen(plain[i]));
        char lower[32];
        size_t len = strlen(b32_padded[i]);
        for (size_t j = 0; j <= len; j++)
            lower[j] =
                (char)(b32_padded[i][j] >= 'A' && b32_padded[i][j] <= 'Z' ? b32_padded[i][j] + 32
                                                                          : b32_padded[i][j]);
        n = decode_b32(lower, out, sizeof out);
        ck_assert_int_eq(n, (long)strlen(plain[i]));
        ck_assert_mem_eq(out, plain[i], (size_t)n);
        nax_buf_dispose(&b);
    }
}
END_TEST

START_TEST(base32_rejects_bad_text)
{
    unsigned char out[16];
    const char *bad[] = {
        "M",         /* 1 character carries no whole byte */
        "MZX",       /* nor do 3 */
        "MZXW6Y",    /* nor do 6 */
        "MZ======",  /* unused bits set: the canonical form is MY */
        "MY=====",   /* padding that does not complete the group */
        "MY=======", /* padding past the group */
        "========",  /* nothing but padding */
        "MY==MY==",  /* padding inside */
        "MZXW1===",  /* 1 is not in the alphabet */
        "MZXW 6==",  /* whitespace */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(decode_b32(bad[i], out, sizeof out) == -1, "accepted \"%s\"", bad[i]);
}
END_TEST

START_TEST(hex_vectors_and_rejections)
{
    for (size_t i = 0; i < NVEC; i++) {
        char text[32];
        nax__hex_encode(text, plain[i], strlen(plain[i]));
        char lower[32];
        size_t len = strlen(b16[i]);
        for (size_t j = 0; j <= len; j++)
            lower[j] = (char)(b16[i][j] >= 'A' && b16[i][j] <= 'F' ? b16[i][j] + 32 : b16[i][j]);
        ck_assert_str_eq(text, lower); /* lowercase out */
        unsigned char out[16];
        ck_assert_int_eq(nax__hex_decode(out, sizeof out, b16[i], len), (long)strlen(plain[i]));
        ck_assert_mem_eq(out, plain[i], strlen(plain[i]));
    }
    unsigned char out[8];
    ck_assert_int_eq(nax__hex_decode(out, sizeof out, "abc", 3), -1);
    ck_assert_int_eq(nax__hex_decode(out, sizeof out, "0g", 2), -1);
    ck_assert_int_eq(nax__hex_decode(out, sizeof out, " 0", 2), -1);
}
END_TEST

/* Every byte string of a few lengths survives a round trip in each codec. */
START_TEST(round_trips_of_all_byte_values)
{
    unsigned char data[256], out[256];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 37 + 11);
    for (size_t len = 0; len <= 40; len++) {
        nax_buf a = NAX_BUF_INIT, b = NAX_BUF_INIT, c = NAX_BUF_INIT;
        ck_assert_int_eq(nax__base64_encode(&a, data, len), 0);
        ck_assert_int_eq(nax__base64url_encode(&b, data, len), 0);
        ck_assert_int_eq(nax__base32_encode(&c, data, len), 0);
        ck_assert_int_eq(nax__base64_decode(out, sizeof out, a.data ? a.data : "", a.len),
                         (long)len);
        ck_assert_mem_eq(out, data, len);
        ck_assert_int_eq(nax__base64url_decode(out, sizeof out, b.data ? b.data : "", b.len),
                         (long)len);
        ck_assert_mem_eq(out, data, len);
        ck_assert_int_eq(nax__base32_decode(out, sizeof out, c.data ? c.data : "", c.len),
                         (long)len);
        ck_assert_mem_eq(out, data, len);
        nax_buf_dispose(&a);
        nax_buf_dispose(&b);
        nax_buf_dispose(&c);
    }
}
END_TEST

/* Encoders append to what the buffer holds. */
START_TEST(encoders_append)
{
    nax_buf b = NAX_BUF_INIT;
    ck_assert_int_eq(nax__buf_append_str(&b, "v1,"), 0);
    ck_assert_int_eq(nax__base64_encode(&b, "foo", 3), 0);
    ck_assert_int_eq(nax__base32_encode(&b, "f", 1), 0);
    ck_assert_str_eq(b.data, "v1,Zm9vMY");
    nax_buf_dispose(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("auth_encoding");
    TCase *tc = tcase_create("rfc4648");
    tcase_add_test(tc, base64_rfc4648_vectors);
    tcase_add_test(tc, base64url_vectors_are_unpadded);
    tcase_add_test(tc, base64_rejects_non_canonical_text);
    tcase_add_test(tc, decoders_respect_the_capacity);
    tcase_add_test(tc, base32_rfc4648_vectors);
    tcase_add_test(tc, base32_rejects_bad_text);
    tcase_add_test(tc, hex_vectors_and_rejections);
    tcase_add_test(tc, round_trips_of_all_byte_values);
    tcase_add_test(tc, encoders_append);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

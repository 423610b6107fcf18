/* TOTP: the RFC 6238 Appendix B vectors (HMAC-SHA1, 8 digits, and the same
 * codes cut to 6 digits), and the verifier's window. */
#include <stdio.h>

#include "auth_test.h"

static const char seed[] = "12345678901234567890"; /* RFC 6238's SHA1 seed */

static const struct {
    int64_t t;
    uint32_t code8;
} vectors[] = {
    {59, 94287082},         {1111111109, 7081804},  {1111111111, 14050471},
    {1234567890, 89005924}, {2000000000, 69279037}, {20000000000, 65353130},
};

START_TEST(rfc6238_sha1_vectors)
{
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        ck_assert_uint_eq(nax__totp_at(seed, 20, vectors[i].t, 30, 8), vectors[i].code8);
        /* A 6-digit code is the same truncation modulo 10^6. */
        ck_assert_uint_eq(nax__totp_at(seed, 20, vectors[i].t, 30, 6), vectors[i].code8 % 1000000);
    }
}
END_TEST

/* The seed as an authenticator app receives it, in base32. */
START_TEST(base32_secret_gives_the_same_codes)
{
    unsigned char key[32];
    const char *b32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    long n = nax__base32_decode(key, sizeof key, b32, strlen(b32));
    ck_assert_int_eq(n, 20);
    ck_assert_uint_eq(nax__totp_at(key, (size_t)n, 59, 30, 8), 94287082);
    nax_buf b = NAX_BUF_INIT;
    ck_assert_int_eq(nax__base32_encode(&b, seed, 20), 0);
    ck_assert_str_eq(b.data, b32);
    nax_buf_dispose(&b);
}
END_TEST

START_TEST(bad_parameters_fail)
{
    ck_assert_uint_eq(nax__totp_at(seed, 20, 59, 30, 0), NAX__TOTP_FAILED);
    ck_assert_uint_eq(nax__totp_at(seed, 20, 59, 30, 10), NAX__TOTP_FAILED);
    ck_assert_uint_eq(nax__totp_at(seed, 20, 59, 0, 6), NAX__TOTP_FAILED);
    ck_assert_uint_eq(nax__totp_at(NULL, 20, 59, 30, 6), NAX__TOTP_FAILED);
    /* Other step sizes use floor(t / step). */
    ck_assert_uint_eq(nax__totp_at(seed, 20, 119, 60, 8), nax__totp_at(seed, 20, 59, 30, 8));
}
END_TEST

static void code_at(char out[7], int64_t t)
{
    snprintf(out, 7, "%06u", (unsigned)nax__totp_at(seed, 20, t, 30, 6));
}

START_TEST(verify_accepts_the_window)
{
    const int64_t now = 1111111111; /* step 37037037 */
    char code[7];
    code_at(code, now);
    ck_assert_int_eq(nax__totp_verify(seed, 20, code, now, 0), now / 30);
    ck_assert_int_eq(nax__totp_verify(seed, 20, code, now, 1), now / 30);
    /* The previous step's code: accepted within one step, not with none. */
    code_at(code, now - 30);
    ck_assert_int_eq(nax__totp_verify(seed, 20, code, now, 1), now / 30 - 1);
    ck_assert_int_eq(nax__totp_verify(seed, 20, code, now, 0), -1);
    /* The next step's code (a clock running ahead). */
    code_at(code, now + 30);
    ck_assert_int_eq(nax__totp_verify(seed, 20, code, now, 1), now / 30 + 1);
    /* Two steps away is outside a window of one. */
    code_at(code, now - 60);
    ck_assert_int_eq(nax__totp_verify(seed, 20, code, now, 1), -1);
    ck_assert_int_eq(nax__totp_verify(seed, 20, code, now, 2), now / 30 - 2);
}
END_TEST

START_TEST(verify_refuses_wrong_and_malformed_codes)
{
    const int64_t now = 1234567890;
    char code[7];
    code_at(code, now);
    char wrong[7];
    memcpy(wrong, code, 7);
    wrong[5] = wrong[5] == '9' ? '0' : (char)(wrong[5] + 1);
    ck_assert_int_eq(nax__totp_verify(seed, 20, wrong, now, 1), -1);
    /* The right code with another key. */
    ck_assert_int_eq(nax__totp_verify("another key 12345678", 20, code, now, 1), -1);
    char shorter[6], longer[8], spaced[8];
    memcpy(shorter, code, 5);
    shorter[5] = '\0';
    snprintf(longer, sizeof longer, "%s0", code);
    snprintf(spaced, sizeof spaced, "%s ", code);
    ck_assert_int_eq(nax__totp_verify(seed, 20, shorter, now, 1), -1);
    ck_assert_int_eq(nax__totp_verify(seed, 20, longer, now, 1), -1);
    ck_assert_int_eq(nax__totp_verify(seed, 20, spaced, now, 1), -1);
    ck_assert_int_eq(nax__totp_verify(seed, 20, "12a456", now, 1), -1);
    ck_assert_int_eq(nax__totp_verify(seed, 20, "", now, 1), -1);
    ck_assert_int_eq(nax__totp_verify(seed, 20, NULL, now, 1), -1);
    ck_assert_int_eq(nax__totp_verify(seed, 20, code, now, -1), -1);
    ck_assert_int_eq(nax__totp_verify(seed, 20, code, now, 11), -1); /* window too wide */
}
END_TEST

/* Near the epoch the window does not reach negative steps. */
START_TEST(verify_near_the_epoch)
{
    char code[7];
    code_at(code, 0);
    ck_assert_int_eq(nax__totp_verify(seed, 20, code, 10, 2), 0);
    ck_assert_int_eq(nax__totp_verify(seed, 20, code, -100, 1), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("auth_totp");
    TCase *tc = tcase_create("totp");
    tcase_add_test(tc, rfc6238_sha1_vectors);
    tcase_add_test(tc, base32_secret_gives_the_same_codes);
    tcase_add_test(tc, bad_parameters_fail);
    tcase_add_test(tc, verify_accepts_the_window);
    tcase_add_test(tc, verify_refuses_wrong_and_malformed_codes);
    tcase_add_test(tc, verify_near_the_epoch);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

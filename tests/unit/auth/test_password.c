/* naxd password hashing: Argon2id and scrypt PHC strings (reference vectors
 * and round trips at low test cost) and the password policy. */
#include <stdio.h>

#include "auth_test.h"
#include "auth/password.h"

/* Test cost, far below OWASP: hashing must stay quick under sanitizers. */
static const naxd_kdf_params cheap = {256, 1, 1};

/* From the Argon2 reference implementation's tests (phc-winner-argon2,
 * src/test.c): password "password", salt "somesalt". */
static const char argon2_ref_small[] =
    "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";
static const char argon2_ref_64m[] =
    "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";

/* RFC 7914 §12's vector scrypt("password", "NaCl", N=1024, r=8, p=16, 64 bytes)
 * = fdbabe1c...cc0640, written as a PHC string once with Python:
 *   h = hashlib.scrypt(b"password", salt=b"NaCl", n=1024, r=8, p=16, dklen=64)
 *   b = lambda x: base64.b64encode(x).decode().rstrip("=")
 *   "$scrypt$ln=10,r=8,p=16$" + b(b"NaCl") + "$" + b(h) */
static const char scrypt_rfc7914[] =
    "$scrypt$ln=10,r=8,p=16$TmFDbA$/bq+HJ00cgB4VucZDQHp/nxq18vII3gw53N2Y0s3MWIurzDZLiKjiG/"
    "xCSedmDDaxyevuUqD7m2DYMvfoswGQA";
/* The same way: hashlib.scrypt(b"correct horse", salt=bytes(range(16)), n=16, r=8, p=1, dklen=32)
 */
static const char scrypt_small[] =
    "$scrypt$ln=4,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$Q7EcH175P/kcU7JE2HRU+qTRrq/BS6UbCRYPdBaC5y8";

START_TEST(owasp_parameters)
{
    naxd_kdf_params p;
    naxd_kdf_params_owasp(&p);
    ck_assert_uint_eq(p.m_cost_kib, 19456);
    ck_assert_uint_eq(p.t_cost, 2);
    ck_assert_uint_eq(p.parallelism, 1);
}
END_TEST

START_TEST(argon2id_reference_vectors_verify)
{
    ck_assert_int_eq(naxd_password_verify(argon2_ref_small, "password"), 0);
    ck_assert_int_eq(naxd_password_verify(argon2_ref_small, "passwore"), NAX_EAUTH);
    ck_assert_int_eq(naxd_password_verify(argon2_ref_64m, "password"), 0);
    ck_assert_int_eq(naxd_password_verify(argon2_ref_64m, "Password"), NAX_EAUTH);
    ck_assert_int_eq(nax_error_last()->code, NAX_EAUTH);
}
END_TEST

START_TEST(argon2id_round_trip)
{
    char a[128], b[128];
    ck_assert_int_eq(naxd_password_hash(a, sizeof a, "correct horse battery", &cheap), 0);
    ck_assert_int_eq(strncmp(a, "$argon2id$v=19$m=256,t=1,p=1$", 29), 0);
    ck_assert_int_eq(naxd_password_verify(a, "correct horse battery"), 0);
    ck_assert_int_eq(naxd_password_verify(a, "correct horse batterY"), NAX_EAUTH);
    ck_assert_int_eq(naxd_password_verify(a, ""), NAX_EAUTH);
    /* A fresh salt every time. */
    ck_assert_int_eq(naxd_password_hash(b, sizeof b, "correct horse battery", &cheap), 0);
    ck_assert_str_ne(a, b);
    ck_assert_int_eq(naxd_password_verify(b, "correct horse battery"), 0);
    /* Non-ASCII passwords are bytes like any other. */
    ck_assert_int_eq(naxd_password_hash(a, sizeof a, "p\xc3\xa4ssw\xc3\xb6rd", &cheap), 0);
    ck_assert_int_eq(naxd_password_verify(a, "p\xc3\xa4ssw\xc3\xb6rd"), 0);
    ck_assert_int_eq(naxd_password_verify(a, "passw\xc3\xb6rd"), NAX_EAUTH);
}
END_TEST

START_TEST(argon2id_tampered_hash_does_not_verify)
{
    char h[128];
    ck_assert_int_eq(naxd_password_hash(h, sizeof h, "hunter22hunter22", &cheap), 0);
    size_t n = strlen(h);
    h[n - 2] = h[n - 2] == 'A' ? 'B' : 'A';
    ck_assert_int_ne(naxd_password_verify(h, "hunter22hunter22"), 0);
}
END_TEST

START_TEST(argon2id_hash_refuses_bad_arguments)
{
    char out[128] = "x";
    char small[64];
    ck_assert_int_eq(naxd_password_hash(small, sizeof small, "pw", &cheap), NAX_EINVAL);
    ck_assert_int_eq(naxd_password_hash(NULL, sizeof out, "pw", &cheap), NAX_EINVAL);
    ck_assert_int_eq(naxd_password_hash(out, sizeof out, NULL, &cheap), NAX_EINVAL);
    naxd_kdf_params bad = {256, 0, 1};
    ck_assert_int_eq(naxd_password_hash(out, sizeof out, "pw", &bad), NAX_EINVAL);
    ck_assert_str_eq(out, "");
    bad = (naxd_kdf_params){256, 1, 0};
    ck_assert_int_eq(naxd_password_hash(out, sizeof out, "pw", &bad), NAX_EINVAL);
    bad = (naxd_kdf_params){4, 1, 1}; /* below 8 KiB per lane */
    ck_assert_int_eq(naxd_password_hash(out, sizeof out, "pw", &bad), NAX_EINVAL);
    bad = (naxd_kdf_params){4u << 20, 1, 1}; /* 4 GiB */
    ck_assert_int_eq(naxd_password_hash(out, sizeof out, "pw", &bad), NAX_EINVAL);
}
END_TEST

/* Stored strings that are not ours, or ask for absurd resources, are refused
 * before any work. */
START_TEST(verify_refuses_unknown_and_oversized_hashes)
{
    const char *bad[] = {
        "",
        "password",
        "$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ012",
        "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$FK6NoBr+qHAMI1jc73xTWNkCEoK9iGY6RWL1n7dNIu4",
        "$argon2id$v=16$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=100000,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=2,p=1000$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=0256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ",
        "$scrypt$ln=30,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$Q7EcH175P/kcU7JE2HRU+qTRrq/BS6UbCRYPdBaC5y8",
        "$scrypt$ln=20,r=64,p=1$AAECAwQFBgcICQoLDA0ODw$Q7EcH175P/kcU7JE2HRU+qTRrq/BS6UbCRYPdBaC5y8",
        "$scrypt$ln=4,r=8$AAECAwQFBgcICQoLDA0ODw$Q7EcH175P/kcU7JE2HRU+qTRrq/BS6UbCRYPdBaC5y8",
        "$scrypt$ln=4,r=8,p=1$AAECAwQFBgcICQoLDA0ODw",
        "$scrypt$ln=4,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$Q7EcH175P/kcU7JE2HRU+qTRrq/BS6UbCRYPdBaC5y8=",
        "$scrypt$ln=4,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$Q7Ec",
        "$scrypt$ln=4,r=8,p=1$$Q7EcH175P/kcU7JE2HRU+qTRrq/BS6UbCRYPdBaC5y8",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = naxd_password_verify(bad[i], "password");
        ck_assert_msg(rc == NAX_EINVAL, "\"%s\": %d", bad[i], rc);
    }
    ck_assert_int_eq(naxd_password_verify(NULL, "password"), NAX_EINVAL);
    ck_assert_int_eq(naxd_password_verify(argon2_ref_small, NULL), NAX_EINVAL);
}
END_TEST

START_TEST(scrypt_reference_vectors_verify)
{
    ck_assert_int_eq(naxd_password_verify(scrypt_rfc7914, "password"), 0);
    ck_assert_int_eq(naxd_password_verify(scrypt_rfc7914, "passwore"), NAX_EAUTH);
    ck_assert_int_eq(naxd_password_verify(scrypt_small, "correct horse"), 0);
    ck_assert_int_eq(naxd_password_verify(scrypt_small, "correct horse "), NAX_EAUTH);
    /* passlib writes '.' where PHC base64 has '+'. */
    char passlib[sizeof scrypt_small];
    memcpy(passlib, scrypt_small, sizeof scrypt_small);
    for (char *p = passlib; *p; p++)
        if (*p == '+')
            *p = '.';
    ck_assert_str_ne(passlib, scrypt_small);
    ck_assert_int_eq(naxd_password_verify(passlib, "correct horse"), 0);
}
END_TEST

START_TEST(scrypt_round_trip)
{
    char a[128], b[128];
    ck_assert_int_eq(naxd_password_hash_scrypt(a, sizeof a, "correct horse", 4, 8, 1), 0);
    ck_assert_int_eq(strncmp(a, "$scrypt$ln=4,r=8,p=1$", 21), 0);
    ck_assert_ptr_null(strchr(a + 21, '=')); /* PHC base64 has no padding */
    ck_assert_int_eq(naxd_password_verify(a, "correct horse"), 0);
    ck_assert_int_eq(naxd_password_verify(a, "correct horsE"), NAX_EAUTH);
    ck_assert_int_eq(naxd_password_hash_scrypt(b, sizeof b, "correct horse", 4, 8, 1), 0);
    ck_assert_str_ne(a, b);
    ck_assert_int_eq(naxd_password_hash_scrypt(a, 64, "x", 4, 8, 1), NAX_EINVAL);
    ck_assert_int_eq(naxd_password_hash_scrypt(a, sizeof a, "x", 0, 8, 1), NAX_EINVAL);
    ck_assert_int_eq(naxd_password_hash_scrypt(a, sizeof a, "x", 25, 8, 1), NAX_EINVAL);
    ck_assert_int_eq(naxd_password_hash_scrypt(a, sizeof a, "x", 4, 0, 1), NAX_EINVAL);
    ck_assert_int_eq(naxd_password_hash_scrypt(a, sizeof a, NULL, 4, 8, 1), NAX_EINVAL);
}
END_TEST

/* ---- policy ---- */

static void expect_policy_refusal(const char *password, const char *reason)
{
    ck_assert_int_eq(naxd_password_policy(password), NAX_EINVAL);
    const nax_error *e = nax_error_last();
    ck_assert_str_eq(e->field, "password");
    ck_assert_msg(strstr(e->message, reason) != NULL, "\"%s\": message \"%s\" lacks \"%s\"",
                  password, e->message, reason);
}

START_TEST(policy_accepts_strong_passwords)
{
    ck_assert_int_eq(naxd_password_policy("Abcdefghij1!"), 0);
    ck_assert_int_eq(naxd_password_policy("correct Horse 9 battery"), 0); /* space is a symbol */
    /* Non-ASCII code points are symbols, and count once each. */
    ck_assert_int_eq(naxd_password_policy("Ab1\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
                                          "\xa9\xc3\xa9\xc3\xa9"),
                     0);
    ck_assert_int_eq(naxd_password_policy("P\xc3\xa4sswordsafe1"), 0);
    ck_assert_int_eq(naxd_password_policy("Ab1\xf0\x9f\x94\x91xxxxxxxx"), 0); /* emoji */
    char max[257];
    memset(max, 'a', 256);
    memcpy(max, "A1!", 3);
    max[256] = '\0';
    ck_assert_int_eq(naxd_password_policy(max), 0);
}
END_TEST

START_TEST(policy_names_what_is_missing)
{
    expect_policy_refusal("Abcdefgh1!", "at least 12 characters");
    expect_policy_refusal("abcdefghij1!", "an upper-case letter");
    expect_policy_refusal("ABCDEFGHIJ1!", "a lower-case letter");
    expect_policy_refusal("Abcdefghijk!", "a digit");
    expect_policy_refusal("Abcdefghijk1", "a symbol");
    expect_policy_refusal("", "at least 12 characters");
    /* Everything missing is named at once. */
    expect_policy_refusal("abc", "a symbol");
    ck_assert_ptr_nonnull(strstr(nax_error_last()->message, "an upper-case letter"));
    ck_assert_ptr_nonnull(strstr(nax_error_last()->message, "a digit"));
    ck_assert_ptr_nonnull(strstr(nax_error_last()->message, "at least 12 characters"));
    /* Code points, not bytes: 11 of them in 19 bytes. */
    expect_policy_refusal("Ab1\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
                          "at least 12 characters");
    /* Control characters are no symbol. */
    expect_policy_refusal("Abcdefghij1\t", "a symbol");
}
END_TEST

START_TEST(policy_refuses_invalid_utf8_and_long_passwords)
{
    expect_policy_refusal("Abcdefghij1!\xff", "UTF-8");
    expect_policy_refusal("Abcdefghij1!\xc0\xaf", "UTF-8");     /* overlong */
    expect_policy_refusal("Abcdefghij1!\xed\xa0\x80", "UTF-8"); /* surrogate */
    expect_policy_refusal("Abcdefghij1!\xc3", "UTF-8");         /* cut short */
    char big[258];
    memset(big, 'a', 257);
    memcpy(big, "A1!", 3);
    big[257] = '\0';
    expect_policy_refusal(big, "256 bytes");
    ck_assert_int_eq(naxd_password_policy(NULL), NAX_EINVAL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("auth_password");
    TCase *kdf = tcase_create("kdf");
    tcase_set_timeout(kdf, 120); /* the reference vector needs 64 MiB of Argon2 */
    tcase_add_test(kdf, owasp_parameters);
    tcase_add_test(kdf, argon2id_reference_vectors_verify);
    tcase_add_test(kdf, argon2id_round_trip);
    tcase_add_test(kdf, argon2id_tampered_hash_does_not_verify);
    tcase_add_test(kdf, argon2id_hash_refuses_bad_arguments);
    tcase_add_test(kdf, verify_refuses_unknown_and_oversized_hashes);
    tcase_add_test(kdf, scrypt_reference_vectors_verify);
    tcase_add_test(kdf, scrypt_round_trip);
    suite_add_tcase(s, kdf);
    TCase *policy = tcase_create("policy");
    tcase_add_test(policy, policy_accepts_strong_passwords);
    tcase_add_test(policy, policy_names_what_is_missing);
    tcase_add_test(policy, policy_refuses_invalid_utf8_and_long_passwords);
    suite_add_tcase(s, policy);
    return run_suite(s);
}

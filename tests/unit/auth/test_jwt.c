/* JWT (HS256): a known answer, round trips, and every way a token is refused. */
#include <stdarg.h>
#include <stdio.h>

#include "auth_test.h"

/* The key bytes 0x00..0x1f. */
static unsigned char key[32];

#define NOW 1767225700 /* 100 s after the tokens below were issued */

/* Produced once with Python's hmac, hashlib and base64 modules:
 *   key = bytes(range(32))
 *   b64u = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
 *   h = b64u(b'{"alg":"HS256","typ":"JWT","kid":"k1"}')
 *   p = b64u(b'{"sub":"u_42","iss":"naxd","aud":"nax-api","typ":"access","jti":"j-1",'
 *            b'"iat":1767225600,"nbf":1767225600,"exp":1767226500}')
 *   h + "." + p + "." + b64u(hmac.new(key, (h + "." + p).encode(), hashlib.sha256).digest())
 */
static const char known_token[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0."
    "eyJzdWIiOiJ1XzQyIiwiaXNzIjoibmF4ZCIsImF1ZCI6Im5heC1hcGkiLCJ0eXAiOiJhY2Nlc3MiLCJqdGkiOiJqLTEi"
    "LCJpYXQiOjE3NjcyMjU2MDAsIm5iZiI6MTc2NzIyNTYwMCwiZXhwIjoxNzY3MjI2NTAwfQ."
    "zLLXh17ZvFFdOT-O0pcWe2UW-ilXiZke0Eg-MzY9y-o";

static const char std_header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
static const char std_payload[] =
    "{\"sub\":\"u_42\",\"iss\":\"naxd\",\"aud\":\"nax-api\",\"typ\":\"access\",\"jti\":\"j-1\","
    "\"iat\":1767225600,\"nbf\":1767225600,\"exp\":1767226500}";

static void setup(void)
{
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (unsigned char)i;
}

static nax__jwt_expect expect_default(void)
{
    nax__jwt_expect e = {"naxd", "nax-api", "access", NULL, NOW, 30};
    return e;
}

static nax__jwt_claims claims_default(void)
{
    nax__jwt_claims c;
    memset(&c, 0, sizeof c);
    strcpy(c.sub, "u_42");
    strcpy(c.iss, "naxd");
    strcpy(c.aud, "nax-api");
    strcpy(c.typ, "access");
    strcpy(c.jti, "j-1");
    strcpy(c.kid, "k1");
    c.iat = c.nbf = 1767225600;
    c.exp = 1767226500;
    return c;
}

/* A token with exactly this header and payload text, signed with HS256 and
 * `k` whatever the header says (as an attacker would build it). */
static char *forge(const char *header, const char *payload, const void *k, size_t k_len)
{
    nax_buf b = NAX_BUF_INIT;
    ck_assert_int_eq(nax__base64url_encode(&b, header, strlen(header)), 0);
    ck_assert_int_eq(nax__buf_append(&b, ".", 1), 0);
    ck_assert_int_eq(nax__base64url_encode(&b, payload, strlen(payload)), 0);
    unsigned char mac[NAX__SHA256_LEN];
    ck_assert_int_eq(nax__hmac_sha256(mac, k, k_len, b.data, b.len), 0);
    ck_assert_int_eq(nax__buf_append(&b, ".", 1), 0);
    ck_assert_int_eq(nax__base64url_encode(&b, mac, sizeof mac), 0);
    char *t = strdup(b.data);
    nax_buf_dispose(&b);
    return t;
}

static char *signed_payload(const char *fmt, ...)
{
    char payload[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(payload, sizeof payload, fmt, ap);
    va_end(ap);
    return forge(std_header, payload, key, sizeof key);
}

static nax__jwt_status verify_with(const char *token, const nax__jwt_expect *e, nax__jwt_claims *c)
{
    nax__jwt_claims local;
    return nax__jwt_verify(c ? c : &local, token, strlen(token), key, sizeof key, e);
}

static nax__jwt_status verify(const char *token)
{
    nax__jwt_expect e = expect_default();
    return verify_with(token, &e, NULL);
}

#define ASSERT_STATUS(got, want)                                                                   \
    ck_assert_msg((got) == (want), "status %s, expected %s", nax__jwt_status_str(got),             \
                  nax__jwt_status_str(want))

/* Checks the refusal of a token and frees it. */
static void expect_refused(char *token, nax__jwt_status want)
{
    ASSERT_STATUS(verify(token), want);
    free(token);
}

/* ---- issuing ---- */

START_TEST(sign_matches_the_python_known_answer)
{
    nax__jwt_claims c = claims_default();
    nax_buf b = NAX_BUF_INIT;
    ck_assert_int_eq(nax__jwt_sign(&b, key, sizeof key, &c), 0);
    ck_assert_str_eq(b.data, known_token);
    nax_buf_dispose(&b);
}
END_TEST

START_TEST(round_trip_fills_every_claim)
{
    nax__jwt_claims c = claims_default(), got;
    strcpy(c.sub, "quote\" backslash\\ tab\t caf\xc3\xa9");
    nax_buf b = NAX_BUF_INIT;
    ck_assert_int_eq(nax__buf_append_str(&b, "Bearer "), 0); /* appends */
    ck_assert_int_eq(nax__jwt_sign(&b, key, sizeof key, &c), 0);
    ck_assert_int_eq(strncmp(b.data, "Bearer ", 7), 0);
    nax__jwt_expect e = expect_default();
    e.kid = "k1";
    ASSERT_STATUS(verify_with(b.data + 7, &e, &got), NAX__JWT_OK);
    ck_assert_str_eq(got.sub, c.sub);
    ck_assert_str_eq(got.iss, "naxd");
    ck_assert_str_eq(got.aud, "nax-api");
    ck_assert_str_eq(got.typ, "access");
    ck_assert_str_eq(got.jti, "j-1");
    ck_assert_str_eq(got.kid, "k1");
    ck_assert_int_eq(got.iat, c.iat);
    ck_assert_int_eq(got.nbf, c.nbf);
    ck_assert_int_eq(got.exp, c.exp);
    nax_buf_dispose(&b);
}
END_TEST

START_TEST(sign_refuses_bad_input)
{
    nax__jwt_claims c = claims_default();
    nax_buf b = NAX_BUF_INIT;
    ck_assert_int_eq(nax__jwt_sign(&b, key, 31, &c), NAX_EINVAL); /* RFC 7518 §3.2 */
    ck_assert_int_eq(nax__jwt_sign(&b, NULL, 32, &c), NAX_EINVAL);
    ck_assert_int_eq(nax__jwt_sign(&b, key, sizeof key, NULL), NAX_EINVAL);
    strcpy(c.iss, "\xc0\xaf"); /* overlong '/' */
    ck_assert_int_eq(nax__jwt_sign(&b, key, sizeof key, &c), NAX_EINVAL);
    c = claims_default();
    memset(c.typ, 'a', sizeof c.typ); /* not terminated */
    ck_assert_int_eq(nax__jwt_sign(&b, key, sizeof key, &c), NAX_EINVAL);
    ck_assert_uint_eq(b.len, 0);
    nax_buf_dispose(&b);
}
END_TEST

/* A prepared key (naxd keeps one for its JWT key) signs the same bytes and
 * gives the same verdicts as the raw key, including the short-key rule. */
START_TEST(prepared_key_matches_the_raw_key)
{
    nax__hmac_key *k = nax__hmac_key_new(key, sizeof key);
    ck_assert_ptr_nonnull(k);
    nax__jwt_claims c = claims_default(), got;
    nax_buf b = NAX_BUF_INIT;
    for (int round = 0; round < 2; round++) { /* the second reuses a pooled context */
        nax__buf_reset(&b);
        ck_assert_int_eq(nax__jwt_sign_key(&b, k, &c), 0);
        ck_assert_str_eq(b.data, known_token);
        nax__jwt_expect e = expect_default();
        ASSERT_STATUS(nax__jwt_verify_key(&got, known_token, strlen(known_token), k, &e),
                      NAX__JWT_OK);
        ck_assert_str_eq(got.sub, "u_42");
    }
    char *t = strdup(known_token);
    char *sig = strrchr(t, '.') + 1;
    sig[0] = sig[0] == 'A' ? 'B' : 'A';
    nax__jwt_expect e = expect_default();
    ASSERT_STATUS(nax__jwt_verify_key(&got, t, strlen(t), k, &e), NAX__JWT_BAD_SIGNATURE);
    ck_assert_str_eq(got.sub, "");
    free(t);
    ASSERT_STATUS(nax__jwt_verify_key(&got, known_token, strlen(known_token), NULL, &e),
                  NAX__JWT_BAD_SIGNATURE);
    ck_assert_int_eq(nax__jwt_sign_key(&b, NULL, &c), NAX_EINVAL);
    nax__hmac_key_free(k);

    /* A 16-byte key: refused for signing, and nothing verifies under it. */
    nax__hmac_key *short_key = nax__hmac_key_new(key, 16);
    ck_assert_ptr_nonnull(short_key);
    ck_assert_int_eq(nax__jwt_sign_key(&b, short_key, &c), NAX_EINVAL);
    t = forge(std_header, std_payload, key, 16);
    ASSERT_STATUS(nax__jwt_verify_key(&got, t, strlen(t), short_key, &e), NAX__JWT_BAD_SIGNATURE);
    free(t);
    nax__hmac_key_free(short_key);
    nax_buf_dispose(&b);
    nax_error_clear();
}
END_TEST

/* ---- the algorithm is pinned ---- */

START_TEST(alg_none_is_refused)
{
    /* The classic: alg none and an empty signature. */
    nax_buf b = NAX_BUF_INIT;
    const char *h = "{\"alg\":\"none\",\"typ\":\"JWT\"}";
    ck_assert_int_eq(nax__base64url_encode(&b, h, strlen(h)), 0);
    ck_assert_int_eq(nax__buf_append(&b, ".", 1), 0);
    ck_assert_int_eq(nax__base64url_encode(&b, std_payload, strlen(std_payload)), 0);
    ck_assert_int_eq(nax__buf_append(&b, ".", 1), 0);
    ASSERT_STATUS(verify(b.data), NAX__JWT_BAD_ALG);
    nax_buf_dispose(&b);
    /* Even with a valid HS256 MAC, "none" is not HS256. */
    expect_refused(forge(h, std_payload, key, sizeof key), NAX__JWT_BAD_ALG);
    expect_refused(forge("{\"alg\":\"None\"}", std_payload, key, sizeof key), NAX__JWT_BAD_ALG);
}
END_TEST

START_TEST(other_algorithms_are_refused)
{
    const char *headers[] = {
        "{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
        "{\"alg\":\"HS384\"}",
        "{\"alg\":\"RS256\"}",
        "{\"alg\":\"ES256\"}",
        "{\"alg\":\"hs256\"}",
        "{\"alg\":\"HS256 \"}",
        "{\"alg\":null}",
        "{\"alg\":256}",
        "{\"typ\":\"JWT\"}",
        "{\"alg\":\"HS256\",\"typ\":\"JWE\"}",
        "{\"alg\":[\"HS256\"]}",
    };
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        char *t = forge(headers[i], std_payload, key, sizeof key);
        nax__jwt_status st = verify(t);
        ck_assert_msg(st == NAX__JWT_BAD_ALG, "%s: %s", headers[i], nax__jwt_status_str(st));
        free(t);
    }
    /* typ is optional in the header. */
    expect_refused(forge("{\"alg\":\"HS256\"}", std_payload, key, sizeof key), NAX__JWT_OK);
}
END_TEST

/* An attacker cannot smuggle a second alg past one parser or the other. */
START_TEST(duplicate_header_members_are_malformed)
{
    expect_refused(forge("{\"alg\":\"HS256\",\"alg\":\"none\"}", std_payload, key, sizeof key),
                   NAX__JWT_MALFORMED);
    expect_refused(forge("{\"alg\":\"none\",\"alg\":\"HS256\"}", std_payload, key, sizeof key),
                   NAX__JWT_MALFORMED);
    /* Extensions we would have to understand. */
    expect_refused(forge("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", std_payload, key, sizeof key),
                   NAX__JWT_MALFORMED);
}
END_TEST

/* ---- signature ---- */

START_TEST(tampered_payload_is_refused)
{
    char *t = strdup(known_token);
    /* Swap the payload for another valid one, keeping the signature. */
    char *other = forge("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}",
                        "{\"sub\":\"u_1\",\"iss\":\"naxd\",\"aud\":\"nax-api\",\"typ\":\"access\","
                        "\"iat\":1767225600,\"exp\":1767226500}",
                        key, sizeof key);
    char *sig = strrchr(known_token, '.');
    char *other_sig = strrchr(other, '.');
    char swapped[1024];
    snprintf(swapped, sizeof swapped, "%.*s%s", (int)(other_sig - other), other, sig);
    ASSERT_STATUS(verify(swapped), NAX__JWT_BAD_SIGNATURE);
    /* One character of the payload changed ('u_42' -> 'u_43' is 'MiIs' -> 'MyIs'). */
    char *p = strstr(t, "XzQyIiwi");
    ck_assert_ptr_nonnull(p);
    p[3] = 'z';
    ASSERT_STATUS(verify(t), NAX__JWT_BAD_SIGNATURE);
    free(t);
    free(other);
}
END_TEST

START_TEST(tampered_signature_is_refused)
{
    char *t = strdup(known_token);
    char *sig = strrchr(t, '.') + 1;
    sig[0] = sig[0] == 'A' ? 'B' : 'A';
    ASSERT_STATUS(verify(t), NAX__JWT_BAD_SIGNATURE);
    /* No signature at all. */
    sig[0] = '\0';
    ASSERT_STATUS(verify(t), NAX__JWT_BAD_SIGNATURE);
    free(t);
    /* The right MAC under another key. */
    unsigned char other[32];
    memset(other, 7, sizeof other);
    expect_refused(forge(std_header, std_payload, other, sizeof other), NAX__JWT_BAD_SIGNATURE);
    /* A signature with extra bytes appended. */
    char longer[512];
    snprintf(longer, sizeof longer, "%sAAAA", known_token);
    ASSERT_STATUS(verify(longer), NAX__JWT_BAD_SIGNATURE);
}
END_TEST

START_TEST(claims_stay_empty_when_the_signature_fails)
{
    char *t = strdup(known_token);
    char *sig = strrchr(t, '.') + 1;
    sig[0] = sig[0] == 'A' ? 'B' : 'A';
    nax__jwt_claims c;
    memset(&c, 0x5a, sizeof c);
    nax__jwt_expect e = expect_default();
    ASSERT_STATUS(verify_with(t, &e, &c), NAX__JWT_BAD_SIGNATURE);
    ck_assert_str_eq(c.sub, "");
    ck_assert_int_eq(c.exp, 0);
    free(t);
}
END_TEST

START_TEST(short_keys_never_verify)
{
    char *t = forge(std_header, std_payload, key, 16);
    nax__jwt_claims c;
    nax__jwt_expect e = expect_default();
    ASSERT_STATUS(nax__jwt_verify(&c, t, strlen(t), key, 16, &e), NAX__JWT_BAD_SIGNATURE);
    free(t);
}
END_TEST

/* ---- time ---- */

START_TEST(expired_tokens_are_refused)
{
    /* exp 100 s ago: refused although the leeway is 30 s. */
    expect_refused(signed_payload("{\"sub\":\"u\",\"iss\":\"naxd\",\"aud\":\"nax-api\",\"typ\":"
                                  "\"access\",\"iat\":1,\"exp\":%d}",
                                  NOW - 100),
                   NAX__JWT_EXPIRED);
    /* exp 10 s ago: inside the leeway. */
    expect_refused(signed_payload("{\"sub\":\"u\",\"iss\":\"naxd\",\"aud\":\"nax-api\",\"typ\":"
                                  "\"access\",\"iat\":1,\"exp\":%d}",
                                  NOW - 10),
                   NAX__JWT_OK);
    /* The boundary: now >= exp + leeway. */
    char *t = signed_payload("{\"sub\":\"u\",\"iss\":\"naxd\",\"aud\":\"nax-api\",\"typ\":"
                             "\"access\",\"iat\":1,\"exp\":%d}",
                             NOW);
    nax__jwt_expect e = expect_default();
    e.leeway = 0;
    ASSERT_STATUS(verify_with(t, &e, NULL), NAX__JWT_EXPIRED);
    e.now = NOW - 1;
    ASSERT_STATUS(verify_with(t, &e, NULL), NAX__JWT_OK);
    free(t);
    /* Expiry is checked before the issuer. */
    expect_refused(
        signed_payload("{\"sub\":\"u\",\"iss\":\"evil\",\"iat\":1,\"exp\":%d}", NOW - 100),
        NAX__JWT_EXPIRED);
    /* An exp near the end of time does not overflow into the past. */
    expect_refused(signed_payload("{\"sub\":\"u\",\"iss\":\"naxd\",\"aud\":\"nax-api\",\"typ\":"
                                  "\"access\",\"iat\":1,\"exp\":9223372036854775807}"),
                   NAX__JWT_OK);
}
END_TEST

START_TEST(tokens_before_nbf_are_refused)
{
    expect_refused(signed_payload("{\"sub\":\"u\",\"iss\":\"naxd\",\"aud\":\"nax-api\",\"typ\":"
                                  "\"access\",\"iat\":1,\"nbf\":%d,\"exp\":%d}",
                                  NOW + 100, NOW + 1000),
                   NAX__JWT_NOT_YET_VALID);
    expect_refused(signed_payload("{\"sub\":\"u\",\"iss\":\"naxd\",\"aud\":\"nax-api\",\"typ\":"
                                  "\"access\",\"iat\":1,\"nbf\":%d,\"exp\":%d}",
                                  NOW + 10, NOW + 1000),
                   NAX__JWT_OK);
    /* nbf is checked before the issuer. */
    expect_refused(
        signed_payload("{\"sub\":\"u\",\"iss\":\"evil\",\"iat\":1,\"nbf\":%d,\"exp\":%d}",
                       NOW + 100, NOW + 1000),
        NAX__JWT_NOT_YET_VALID);
    expect_refused(signed_payload("{\"sub\":\"u\",\"iss\":\"naxd\",\"aud\":\"nax-api\",\"typ\":"
                                  "\"access\",\"iat\":1,\"nbf\":-9223372036854775808,\"exp\":%d}",
                                  NOW + 1000),
                   NAX__JWT_OK);
}
END_TEST

/* ---- issuer, audience, use ---- */

START_TEST(wrong_iss_aud_typ_are_refused_in_order)
{
    const char *fmt = "{\"sub\":\"u\",\"iss\":\"%s\",\"aud\":\"%s\",\"typ\":\"%s\",\"iat\":1,"
                      "\"exp\":%d}";
    expect_refused(signed_payload(fmt, "other", "other", "refresh", NOW + 60), NAX__JWT_BAD_ISSUER);
    expect_refused(signed_payload(fmt, "naxd", "other", "refresh", NOW + 60),
                   NAX__JWT_BAD_AUDIENCE);
    expect_refused(signed_payload(fmt, "naxd", "nax-api", "refresh", NOW + 60), NAX__JWT_BAD_TYPE);
    expect_refused(signed_payload(fmt, "naxd", "nax-api", "access", NOW + 60), NAX__JWT_OK);
    /* A missing claim is not the expected one. */
    expect_refused(signed_payload("{\"sub\":\"u\",\"aud\":\"nax-api\",\"typ\":\"access\","
                                  "\"iat\":1,\"exp\":%d}",
                                  NOW + 60),
                   NAX__JWT_BAD_ISSUER);
    /* Only what is expected is checked. */
    char *t = signed_payload("{\"sub\":\"u\",\"iat\":1,\"exp\":%d}", NOW + 60);
    nax__jwt_expect e = {NULL, NULL, NULL, NULL, NOW, 0};
    ASSERT_STATUS(verify_with(t, &e, NULL), NAX__JWT_OK);
    free(t);
}
END_TEST

/* ---- key ids ---- */

START_TEST(unknown_kid_is_refused)
{
    char *k2 = forge("{\"alg\":\"HS256\",\"kid\":\"k2\"}", std_payload, key, sizeof key);
    char *none = forge(std_header, std_payload, key, sizeof key);
    nax__jwt_expect e = expect_default();
    e.kid = "k1";
    ASSERT_STATUS(verify_with(k2, &e, NULL), NAX__JWT_BAD_KID);
    ASSERT_STATUS(verify_with(none, &e, NULL), NAX__JWT_OK); /* no kid: accepted */
    e.kid = NULL;
    ASSERT_STATUS(verify_with(k2, &e, NULL), NAX__JWT_OK); /* any kid */
    char kid[32];
    ASSERT_STATUS(nax__jwt_peek_kid(kid, k2, strlen(k2)), NAX__JWT_OK);
    ck_assert_str_eq(kid, "k2");
    ASSERT_STATUS(nax__jwt_peek_kid(kid, none, strlen(none)), NAX__JWT_OK);
    ck_assert_str_eq(kid, "");
    ASSERT_STATUS(nax__jwt_peek_kid(kid, "x.y", 3), NAX__JWT_MALFORMED);
    free(k2);
    free(none);
    /* A kid that does not fit, or is not a string. */
    char long_kid[128];
    snprintf(long_kid, sizeof long_kid, "{\"alg\":\"HS256\",\"kid\":\"%040d\"}", 0);
    expect_refused(forge(long_kid, std_payload, key, sizeof key), NAX__JWT_BAD_KID);
    expect_refused(forge("{\"alg\":\"HS256\",\"kid\":1}", std_payload, key, sizeof key),
                   NAX__JWT_BAD_KID);
}
END_TEST

/* ---- structure ---- */

START_TEST(malformed_tokens_are_refused)
{
    const char *bad[] = {
        "",
        "abc",
        "a.b",
        "..",
        "a.b.c.d",
        "eyJ!bGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.AAAA",  /* '!' is not base64url */
        "eyJhbGciOiJIUzI1NiJ9=.eyJzdWIiOiJ1In0.AAAA", /* padding */
        "eyJhbGciOiJIUzI1NiJ9 .eyJzdWIiOiJ1In0.AAAA", /* space */
        "bm90IGpzb24.eyJzdWIiOiJ1In0.AAAA",           /* header "not json" */
        "WyJIUzI1NiJd.eyJzdWIiOiJ1In0.AAAA",          /* header ["HS256"] */
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0=.AAAA", /* payload padded */
        "eyJhbGciOiJIUzI1NiJ9..AAAA",                 /* empty payload */
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.AA*A",  /* signature not base64url */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nax__jwt_status st = verify(bad[i]);
        ck_assert_msg(st == NAX__JWT_MALFORMED, "\"%s\": %s", bad[i], nax__jwt_status_str(st));
    }
    nax__jwt_claims c;
    nax__jwt_expect e = expect_default();
    ASSERT_STATUS(nax__jwt_verify(&c, NULL, 0, key, sizeof key, &e), NAX__JWT_MALFORMED);
    ASSERT_STATUS(nax__jwt_verify(&c, known_token, strlen(known_token), key, sizeof key, NULL),
                  NAX__JWT_MALFORMED);
    /* Over the size limit. */
    size_t n = 9000;
    char *huge = malloc(n + 1);
    memset(huge, 'A', n);
    huge[100] = huge[200] = '.';
    huge[n] = '\0';
    ASSERT_STATUS(verify(huge), NAX__JWT_MALFORMED);
    free(huge);
}
END_TEST

/* Signed with the right key, but the payload is not a valid claim set. */
START_TEST(bad_payloads_are_malformed)
{
    const char *payloads[] = {
        "not json",
        "[1,2]",
        "{\"sub\":\"u\",\"iat\":1,\"exp\":2000000000",                     /* truncated */
        "{\"sub\":\"u\",\"iat\":1,\"exp\":2000000000} {}",                 /* two values */
        "{\"sub\":\"u\",\"iat\":1,\"exp\":2000000000,}",                   /* trailing comma */
        "{\"sub\":\"u\",\"iat\":1,\"exp\":2000000000}x",                   /* garbage after */
        "{\"sub\":\"u\",\"iat\":1,\"exp\":2000000000,\"exp\":2000000000}", /* duplicate */
        "{\"sub\":\"u\",\"sub\":\"v\",\"iat\":1,\"exp\":2000000000}",      /* duplicate */
        "{\"sub\":\"u\",\"iat\":1,\"exp\":2000000000,\"x\":1,\"x\":2}",    /* duplicate unknown */
        "{\"sub\":\"u\",\"iat\":1,\"exp\":2000000000,\"x\":{\"a\":1,\"a\":2}}", /* nested dup */
        "{\"sub\":\"u\",\"iat\":1,\"exp\":2000000000.5}",                       /* fraction */
        "{\"sub\":\"u\",\"iat\":1,\"exp\":2e9}",                                /* exponent */
        "{\"sub\":\"u\",\"iat\":1,\"exp\":\"2000000000\"}",                     /* string */
        "{\"sub\":\"u\",\"iat\":1,\"exp\":99999999999999999999}",               /* overflow */
        "{\"sub\":\"u\",\"iat\":1.0,\"exp\":2000000000}",
        "{\"sub\":\"u\",\"iat\":1,\"nbf\":true,\"exp\":2000000000}",
        "{\"sub\":7,\"iat\":1,\"exp\":2000000000}",
        "{\"sub\":\"u\",\"aud\":[\"nax-api\"],\"iat\":1,\"exp\":2000000000}", /* one audience */
        "{\"sub\":\"u\\u0000v\",\"iat\":1,\"exp\":2000000000}",               /* NUL inside */
        "{\"sub\":\"\xc0\xaf\",\"iat\":1,\"exp\":2000000000}",                /* overlong UTF-8 */
        "{\"sub\":\"\xed\xa0\x80\",\"iat\":1,\"exp\":2000000000}",            /* surrogate */
        "{\"sub\":\"u\",\"iat\":1,\v\"exp\":2000000000}", /* \v is no whitespace */
        "{\"iat\":1,\"exp\":2000000000}",                 /* no sub */
        "{\"sub\":\"u\",\"exp\":2000000000}",             /* no iat */
        "{\"sub\":\"u\",\"iat\":1}",                      /* no exp */
        "{\"sub\":\"0123456789012345678901234567890123456789012345678901234567890123\","
        "\"iat\":1,\"exp\":2000000000}", /* sub does not fit */
    };
    nax__jwt_expect e = {NULL, NULL, NULL, NULL, NOW, 0};
    for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
        char *t = forge(std_header, payloads[i], key, sizeof key);
        nax__jwt_status st = verify_with(t, &e, NULL);
        ck_assert_msg(st == NAX__JWT_MALFORMED, "%s: %s", payloads[i], nax__jwt_status_str(st));
        free(t);
    }
}
END_TEST

START_TEST(unknown_claims_are_ignored)
{
    char *t = forge(std_header,
                    "{\"sub\":\"u\",\"roles\":[\"a\",{\"b\":[1.5,null,true]}],\"score\":1.25,"
                    "\"meta\":{\"sub\":\"nested names do not clash\"},\"iat\":1,\"exp\":2000000000,"
                    "\"ok\":false}",
                    key, sizeof key);
    nax__jwt_claims c;
    nax__jwt_expect e = {NULL, NULL, NULL, NULL, NOW, 0};
    ASSERT_STATUS(verify_with(t, &e, &c), NAX__JWT_OK);
    ck_assert_str_eq(c.sub, "u");
    ck_assert_int_eq(c.exp, 2000000000);
    free(t);
}
END_TEST

START_TEST(status_names)
{
    ck_assert_str_eq(nax__jwt_status_str(NAX__JWT_OK), "ok");
    ck_assert_str_eq(nax__jwt_status_str(NAX__JWT_BAD_ALG), "bad_alg");
    ck_assert_str_eq(nax__jwt_status_str(NAX__JWT_EXPIRED), "expired");
    ck_assert_str_eq(nax__jwt_status_str((nax__jwt_status)99), "unknown");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("auth_jwt");
    TCase *tc = tcase_create("jwt");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, sign_matches_the_python_known_answer);
    tcase_add_test(tc, round_trip_fills_every_claim);
    tcase_add_test(tc, sign_refuses_bad_input);
    tcase_add_test(tc, prepared_key_matches_the_raw_key);
    tcase_add_test(tc, alg_none_is_refused);
    tcase_add_test(tc, other_algorithms_are_refused);
    tcase_add_test(tc, duplicate_header_members_are_malformed);
    tcase_add_test(tc, tampered_payload_is_refused);
    tcase_add_test(tc, tampered_signature_is_refused);
    tcase_add_test(tc, claims_stay_empty_when_the_signature_fails);
    tcase_add_test(tc, short_keys_never_verify);
    tcase_add_test(tc, expired_tokens_are_refused);
    tcase_add_test(tc, tokens_before_nbf_are_refused);
    tcase_add_test(tc, wrong_iss_aud_typ_are_refused_in_order);
    tcase_add_test(tc, unknown_kid_is_refused);
    tcase_add_test(tc, malformed_tokens_are_refused);
    tcase_add_test(tc, bad_payloads_are_malformed);
    tcase_add_test(tc, unknown_claims_are_ignored);
    tcase_add_test(tc, status_names);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

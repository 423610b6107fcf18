/*
 * JWT verification, HS256 only (RFC 7519, with RFC 8725's advice): the
 * algorithm is pinned, so the header can only be refused, never choose the
 * verifier; the signature is checked in constant time before the claims
 * are even decoded; then exp, nbf, iss, aud and typ, in that order.
 */
#include <string.h>

#include "auth/auth.h"
#include "auth/jwt_key.h"
#include "auth/json_walk.h"

/* Far above any token naxd issues; bounds the work an attacker can ask for. */
#define TOKEN_MAX         8192
#define HEADER_MAX        1024
#define SIGNATURE_B64_LEN 43 /* 32 bytes in unpadded base64url */

typedef struct header_info {
    int alg_ok;   /* alg is exactly "HS256" */
    int typ_bad;  /* typ present and not "JWT" */
    int crit;     /* crit present: we understand no extension */
    int kid_long; /* kid did not fit */
    char kid[32];
} header_info;

static int name_is(const nax__json_member *m, const char *name)
{
    return m->name_len == strlen(name) && memcmp(m->name, name, m->name_len) == 0;
}

static int str_is(const nax__json_member *m, const char *value)
{
    return m->kind == NAX__JSON_STRING && m->str_len == strlen(value) &&
           memcmp(m->str, value, m->str_len) == 0;
}

/* Copies a string member into a fixed field; 0 when it is not a string,
 * does not fit or holds a NUL. */
static int copy_string(char *dst, size_t cap, const nax__json_member *m)
{
    if (m->kind != NAX__JSON_STRING || m->str_len >= cap || memchr(m->str, '\0', m->str_len))
        return 0;
    memcpy(dst, m->str, m->str_len);
    dst[m->str_len] = '\0';
    return 1;
}

static int on_header(const nax__json_member *m, void *userdata)
{
    header_info *h = userdata;
    if (name_is(m, "alg"))
        h->alg_ok = str_is(m, "HS256");
    else if (name_is(m, "typ"))
        h->typ_bad = !str_is(m, "JWT");
    else if (name_is(m, "crit"))
        h->crit = 1;
    else if (name_is(m, "kid") && !copy_string(h->kid, sizeof h->kid, m))
        h->kid_long = 1;
    return 0;
}

/* Splits the token at its two dots and reads the header. */
static nax__jwt_status read_header(const char *token, size_t len, header_info *h, size_t *dot1,
                                   size_t *dot2)
{
    memset(h, 0, sizeof *h);
    if (!token || len == 0 || len > TOKEN_MAX)
        return NAX__JWT_MALFORMED;
    const char *a = memchr(token, '.', len);
    if (!a)
        return NAX__JWT_MALFORMED;
    const char *b = memchr(a + 1, '.', len - (size_t)(a + 1 - token));
    if (!b || memchr(b + 1, '.', len - (size_t)(b + 1 - token)))
        return NAX__JWT_MALFORMED;
    *dot1 = (size_t)(a - token);
    *dot2 = (size_t)(b - token);

    unsigned char json[HEADER_MAX];
    long n = nax__base64url_decode(json, sizeof json, token, *dot1);
    if (n <= 0 || nax__json_walk((const char *)json, (size_t)n, on_header, h) != 0)
        return NAX__JWT_MALFORMED;
    if (h->crit)
        return NAX__JWT_MALFORMED;
    if (!h->alg_ok || h->typ_bad)
        return NAX__JWT_BAD_ALG;
    if (h->kid_long)
        return NAX__JWT_BAD_KID;
    return NAX__JWT_OK;
}

nax__jwt_status nax__jwt_peek_kid(char kid[32], const char *token, size_t len)
{
    header_info h;
    size_t dot1, dot2;
    kid[0] = '\0';
    nax__jwt_status st = read_header(token, len, &h, &dot1, &dot2);
    if (st == NAX__JWT_BAD_ALG)
        st = NAX__JWT_OK; /* the kid was read; verification refuses the alg */
    if (st == NAX__JWT_OK)
        memcpy(kid, h.kid, sizeof h.kid);
    return st;
}

/* ---- claims ---- */

enum {
    SEEN_SUB = 1,
    SEEN_EXP = 2,
    SEEN_IAT = 4,
    SEEN_NBF = 8,
};

typedef struct claims_reader {
    nax__jwt_claims *c;
    unsigned seen;
} claims_reader;

static int integer_claim(int64_t *dst, const nax__json_member *m)
{
    if (m->kind != NAX__JSON_INTEGER)
        return 0;
    *dst = m->integer;
    return 1;
}

/* Known claims must have their type; other claims are ignored. */
static int on_claim(const nax__json_member *m, void *userdata)
{
    claims_reader *r = userdata;
    nax__jwt_claims *c = r->c;
    int ok = 1;
    if (name_is(m, "sub")) {
        ok = copy_string(c->sub, sizeof c->sub, m);
        r->seen |= SEEN_SUB;
    } else if (name_is(m, "iss")) {
        ok = copy_string(c->iss, sizeof c->iss, m);
    } else if (name_is(m, "aud")) {
        ok = copy_string(c->aud, sizeof c->aud, m); /* one audience, as a string */
    } else if (name_is(m, "typ")) {
        ok = copy_string(c->typ, sizeof c->typ, m);
    } else if (name_is(m, "jti")) {
        ok = copy_string(c->jti, sizeof c->jti, m);
    } else if (name_is(m, "exp")) {
        ok = integer_claim(&c->exp, m);
        r->seen |= SEEN_EXP;
    } else if (name_is(m, "nbf")) {
        ok = integer_claim(&c->nbf, m);
        r->seen |= SEEN_NBF;
    } else if (name_is(m, "iat")) {
        ok = integer_claim(&c->iat, m);
        r->seen |= SEEN_IAT;
    }
    return ok ? 0 : -1;
}

/* The MAC covers the first two parts and their dot, as sent. */
static int signature_ok(const char *token, size_t dot2, const unsigned char *given,
                        size_t given_len, const jwt_key *key)
{
    unsigned char want[NAX__SHA256_LEN];
    if (key->len < JWT_KEY_MIN || given_len != NAX__SHA256_LEN)
        return 0;
    if (jwt_key_mac(key, want, token, dot2) != 0)
        return 0;
    return nax__ct_equal(given, given_len, want, sizeof want);
}

static int expected(const char *want, const char *have)
{
    return !want || strcmp(want, have) == 0;
}

static nax__jwt_status verify(nax__jwt_claims *out, const char *token, size_t len,
                              const jwt_key *key, const nax__jwt_expect *expect)
{
    nax__jwt_claims claims;
    memset(&claims, 0, sizeof claims);
    if (out)
        *out = claims;
    if (!out || !expect)
        return NAX__JWT_MALFORMED;

    header_info h;
    size_t dot1, dot2;
    nax__jwt_status st = read_header(token, len, &h, &dot1, &dot2);
    if (st != NAX__JWT_OK)
        return st;
    if (expect->kid && h.kid[0] && strcmp(expect->kid, h.kid) != 0)
        return NAX__JWT_BAD_KID;
    /* Both remaining parts must be base64url before anything else. */
    unsigned char json[TOKEN_MAX / 4 * 3], given[2 * NAX__SHA256_LEN];
    long n = nax__base64url_decode(json, sizeof json, token + dot1 + 1, dot2 - dot1 - 1);
    size_t sig_chars = len - dot2 - 1;
    /* A signature part longer than two MACs is wrong whatever it holds. */
    long sig_len = sig_chars > 2 * SIGNATURE_B64_LEN
                       ? 0
                       : nax__base64url_decode(given, sizeof given, token + dot2 + 1, sig_chars);
    if (n <= 0 || sig_len < 0)
        return NAX__JWT_MALFORMED;
    if (!signature_ok(token, dot2, given, (size_t)sig_len, key))
        return NAX__JWT_BAD_SIGNATURE;

    /* Authentic from here on: parse and check the claims. */
    claims_reader r = {&claims, 0};
    if (nax__json_walk((const char *)json, (size_t)n, on_claim, &r) != 0)
        return NAX__JWT_MALFORMED;
    if ((r.seen & (SEEN_SUB | SEEN_EXP | SEEN_IAT)) != (SEEN_SUB | SEEN_EXP | SEEN_IAT))
        return NAX__JWT_MALFORMED;
    memcpy(claims.kid, h.kid, sizeof claims.kid);
    *out = claims;

    int64_t now = expect->now, leeway = expect->leeway > 0 ? expect->leeway : 0;
    /* now >= exp + leeway and now < nbf - leeway, without overflow. */
    if (claims.exp <= INT64_MAX - leeway && now >= claims.exp + leeway)
        return NAX__JWT_EXPIRED;
    if ((r.seen & SEEN_NBF) && claims.nbf >= INT64_MIN + leeway && now < claims.nbf - leeway)
        return NAX__JWT_NOT_YET_VALID;
    if (!expected(expect->iss, claims.iss))
        return NAX__JWT_BAD_ISSUER;
    if (!expected(expect->aud, claims.aud))
        return NAX__JWT_BAD_AUDIENCE;
    if (!expected(expect->typ, claims.typ))
        return NAX__JWT_BAD_TYPE;
    return NAX__JWT_OK;
}

nax__jwt_status nax__jwt_verify(nax__jwt_claims *out, const char *token, size_t len,
                                const void *key, size_t key_len, const nax__jwt_expect *expect)
{
    if (!key && key_len) {
        if (out)
            memset(out, 0, sizeof *out);
        return NAX__JWT_MALFORMED;
    }
    jwt_key k = {key, key_len, NULL};
    return verify(out, token, len, &k, expect);
}

nax__jwt_status nax__jwt_verify_key(nax__jwt_claims *out, const char *token, size_t len,
                                    nax__hmac_key *key, const nax__jwt_expect *expect)
{
    /* No key: nothing verifies (a zero length fails the key-size check). */
    jwt_key k = {NULL, nax__hmac_key_len(key), key};
    return verify(out, token, len, &k, expect);
}

const char *nax__jwt_status_str(nax__jwt_status s)
{
    switch (s) {
    case NAX__JWT_OK: return "ok";
    case NAX__JWT_MALFORMED: return "malformed";
    case NAX__JWT_BAD_ALG: return "bad_alg";
    case NAX__JWT_BAD_KID: return "bad_kid";
    case NAX__JWT_BAD_SIGNATURE: return "bad_signature";
    case NAX__JWT_EXPIRED: return "expired";
    case NAX__JWT_NOT_YET_VALID: return "not_yet_valid";
    case NAX__JWT_BAD_ISSUER: return "bad_issuer";
    case NAX__JWT_BAD_AUDIENCE: return "bad_audience";
    case NAX__JWT_BAD_TYPE: return "bad_type";
    }
    return "unknown";
}

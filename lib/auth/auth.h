/*
 * lib/auth internal API: hashes, MACs, encodings, randomness, JWT and TOTP.
 * Shared by libnax (client signing, webhook helpers) and naxd (token issue and
 * verification, API-key and webhook checks). OpenSSL libcrypto underneath.
 *
 * All functions are thread-safe and keep no state (a nax__hmac_key keeps
 * its own, behind a lock). Functions returning int
 * return 0 or a negative nax_error_code with nax_error_last() filled.
 */
#ifndef NAX_LIB_AUTH_H
#define NAX_LIB_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include <nax/common.h>

#define NAX__SHA256_LEN 32
#define NAX__SHA1_LEN   20

/* Digests and MACs return 0, or NAX_ENOMEM/NAX_ERROR when OpenSSL fails; on
 * failure `out` is zeroed, so a caller comparing MACs must check the result
 * (a zero MAC is not secret). `key` may be NULL when key_len is 0. */
int nax__sha256(unsigned char out[NAX__SHA256_LEN], const void *data, size_t len);
int nax__hmac_sha256(unsigned char out[NAX__SHA256_LEN], const void *key, size_t key_len,
                     const void *data, size_t len);
int nax__hmac_sha1(unsigned char out[NAX__SHA1_LEN], const void *key, size_t key_len,
                   const void *data, size_t len);

/* Incremental HMAC-SHA256 over several pieces (signing strings are built
 * from parts without copying them together). An update that fails is
 * remembered and reported by final, so only init and final need checking. */
typedef struct nax__hmac {
    void *impl;                /* EVP_MAC_CTX */
    int failed;                /* an update failed */
    struct nax__hmac_key *key; /* the prepared key impl goes back to, or NULL */
} nax__hmac;
int nax__hmac_init(nax__hmac *h, const void *key, size_t key_len);
void nax__hmac_update(nax__hmac *h, const void *data, size_t len);
/* Writes the MAC and frees the context (also after a failed update); a
 * context from a prepared key goes back to its pool instead. */
int nax__hmac_final(nax__hmac *h, unsigned char out[NAX__SHA256_LEN]);

/* An HMAC-SHA256 key prepared once, for a key that MACs every request (the
 * JWT key): each MAC then skips OpenSSL's algorithm lookup, context set-up
 * and key schedule. Thread-safe: an OpenSSL context serves one thread at a
 * time, so used contexts wait in a small locked pool and are re-initialised
 * (same key) on reuse; when the pool is empty the keyed original is cloned.
 * The raw key is not kept (only OpenSSL's keyed state, wiped on free). */
typedef struct nax__hmac_key nax__hmac_key;
/* NULL on failure (NAX_ENOMEM/NAX_ERROR in nax_error_last). */
nax__hmac_key *nax__hmac_key_new(const void *key, size_t key_len);
void nax__hmac_key_free(nax__hmac_key *k);
size_t nax__hmac_key_len(const nax__hmac_key *k);
/* Same results and failure behaviour as nax__hmac_sha256 / nax__hmac_init. */
int nax__hmac_key_sha256(nax__hmac_key *k, unsigned char out[NAX__SHA256_LEN], const void *data,
                         size_t len);
int nax__hmac_init_key(nax__hmac *h, nax__hmac_key *k);

/* Constant-time comparison: 1 when equal. Different lengths compare unequal
 * (the length itself is not secret). */
int nax__ct_equal(const void *a, size_t a_len, const void *b, size_t b_len);

/* Lowercase hex; out needs 2*len+1 bytes. */
void nax__hex_encode(char *out, const void *data, size_t len);
/* Returns the number of bytes, or -1 on bad input or when it does not fit. */
long nax__hex_decode(unsigned char *out, size_t cap, const char *in, size_t len);

/* Base64 (RFC 4648 §4, padded) and base64url (§5, unpadded). Appends to out. */
int nax__base64_encode(nax_buf *out, const void *data, size_t len);
int nax__base64url_encode(nax_buf *out, const void *data, size_t len);
/* Strict decoders (padding required for base64, forbidden for base64url; no
 * whitespace). Return the decoded length, or -1 on bad input or overflow of cap. */
long nax__base64_decode(unsigned char *out, size_t cap, const char *in, size_t len);
long nax__base64url_decode(unsigned char *out, size_t cap, const char *in, size_t len);
/* Base32 (RFC 4648 §6, upper case, unpadded on output; decode accepts padding
 * and lower case), as used by TOTP secrets. */
int nax__base32_encode(nax_buf *out, const void *data, size_t len);
long nax__base32_decode(unsigned char *out, size_t cap, const char *in, size_t len);

/* Cryptographically secure random bytes (OpenSSL RAND_bytes). */
int nax__random_bytes(void *out, size_t len);
/* RFC 9562 version 4 UUID, lowercase, 36 chars + NUL, from this thread's
 * pool of random bytes (refilled 4 KiB at a time, emptied in a forked child):
 * UUIDs never repeat across threads or a fork (122 random bits each). Nonzero,
 * with the error set and out empty, when OpenSSL fails. */
int nax__uuid4(char out[37]);

/* ---- JWT (HS256 only; RFC 7519 + RFC 8725 practice) ------------------------ */

typedef struct nax__jwt_claims {
    char sub[64]; /* subject: the user id */
    char iss[64];
    char aud[64];
    char typ[16];          /* token use, e.g. "access": a claim, checked */
    char jti[48];          /* unique id */
    char kid[32];          /* header key id ("" when absent) */
    int64_t iat, nbf, exp; /* seconds since the epoch */
} nax__jwt_claims;

/* Encodes header {"alg":"HS256","typ":"JWT"[,"kid":...]} and the claims,
 * signs, appends the compact token to out. Claims written: sub, iat, exp
 * always; iss, aud, typ, jti when not empty; nbf when not 0. NAX_EINVAL for
 * a key under 32 bytes or a field that is not terminated UTF-8; NAX_ENOMEM.
 * On failure out is left as it was. */
int nax__jwt_sign(nax_buf *out, const void *key, size_t key_len, const nax__jwt_claims *c);
/* The same with a prepared key (its length is checked the same way). */
int nax__jwt_sign_key(nax_buf *out, nax__hmac_key *key, const nax__jwt_claims *c);

/* Why a token was refused; NAX__JWT_OK when valid. */
typedef enum nax__jwt_status {
    NAX__JWT_OK = 0,
    NAX__JWT_MALFORMED, /* not three base64url parts, bad JSON, missing claims */
    NAX__JWT_BAD_ALG,   /* alg other than "HS256" (including "none"), or typ header not JWT */
    NAX__JWT_BAD_KID,   /* kid present and not the expected one */
    NAX__JWT_BAD_SIGNATURE,
    NAX__JWT_EXPIRED,       /* now >= exp + leeway */
    NAX__JWT_NOT_YET_VALID, /* now < nbf - leeway */
    NAX__JWT_BAD_ISSUER,
    NAX__JWT_BAD_AUDIENCE,
    NAX__JWT_BAD_TYPE /* typ claim not the expected use */
} nax__jwt_status;

typedef struct nax__jwt_expect {
    const char *iss, *aud, *typ; /* required equal */
    const char *kid;             /* NULL: any kid or none accepted; else must match if present */
    int64_t now;                 /* seconds */
    int64_t leeway;              /* seconds, e.g. 30 */
} nax__jwt_expect;

/* Verifies signature first, then claims. Claims are filled when the token
 * parsed. exp, iat and sub are required; nbf optional. Never throws an error
 * into nax_error_last (returns the status only): callers map it. (Only an
 * OpenSSL failure leaves one there, and gives NAX__JWT_BAD_SIGNATURE.)
 * The header must say alg "HS256" (typ, when present, "JWT"; no crit); the
 * key needs at least 32 bytes (RFC 7518 §3.2), else nothing verifies, and
 * nax__jwt_sign refuses it. Tokens over 8 KiB are MALFORMED. Duplicate
 * member names anywhere, non-integer exp/nbf/iat and an aud that is not one
 * string are MALFORMED; other claims are ignored. Checks, in order: header
 * (BAD_ALG, BAD_KID), signature, exp, nbf, iss, aud, typ. */
nax__jwt_status nax__jwt_verify(nax__jwt_claims *out, const char *token, size_t len,
                                const void *key, size_t key_len, const nax__jwt_expect *expect);
/* The same with a prepared key; results are identical. */
nax__jwt_status nax__jwt_verify_key(nax__jwt_claims *out, const char *token, size_t len,
                                    nax__hmac_key *key, const nax__jwt_expect *expect);
/* A short snake_case name of a status, e.g. "bad_signature"; never NULL. */
const char *nax__jwt_status_str(nax__jwt_status s);

/* The header's kid, unverified, so a verifier holding several keys can pick
 * one (then pass it as expect->kid). Writes "" when there is none. Returns
 * NAX__JWT_OK, NAX__JWT_MALFORMED or NAX__JWT_BAD_KID (kid too long). */
nax__jwt_status nax__jwt_peek_kid(char kid[32], const char *token, size_t len);

/* ---- TOTP (RFC 6238, HMAC-SHA1, 30 s, 6 digits) ---------------------------- */

/* The code for time t (seconds) and step size, digits 1..9 (RFC 6238 uses 6
 * or 8). NAX__TOTP_FAILED for other digits, step_s <= 0 or an HMAC failure. */
#define NAX__TOTP_FAILED UINT32_MAX
uint32_t nax__totp_at(const void *key, size_t key_len, int64_t t, int step_s, int digits);
/* Checks a 6-digit code (exactly six ASCII digits) within +/- window steps
 * (0..10) of now, with 30 s steps. Returns the matched time step (>= 0) or
 * -1. Callers keep the last used step to refuse reuse. */
int64_t nax__totp_verify(const void *key, size_t key_len, const char *code, int64_t now,
                         int window);

/* ---- API-key request signing (DESIGN §4) ---------------------------------- */

/* hex(HMAC-SHA256(secret, timestamp || METHOD || target || body)); out 65 bytes.
 * 0, or NAX_ENOMEM/NAX_ERROR (out is then "") when OpenSSL fails. Arguments
 * are not checked here: nax_sign_request() is the checking public wrapper. */
int nax__request_signature(char out[65], const char *secret, const char *timestamp,
                           const char *method, const char *target, const void *body,
                           size_t body_len);

/* ---- webhooks (Standard Webhooks) ------------------------------------------ */

/* Key bytes of a "whsec_<base64>" secret (or the raw UTF-8 bytes when there is
 * no prefix). Returns length or -1. */
long nax__webhook_key(unsigned char *out, size_t cap, const char *secret);

#endif /* NAX_LIB_AUTH_H */

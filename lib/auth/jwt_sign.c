/*
 * JWT issuing (HS256): the header and claims are written as compact JSON
 * into fixed stack buffers (the claims are bounded by nax__jwt_claims), then
 * base64url-encoded and signed straight into the caller's buffer.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "auth/jwt_key.h"
#include "codec/codec_internal.h"
#include "core/core.h"

#define JSON_MAX 2048 /* every claim escaped at 6 bytes per byte still fits */

typedef struct writer {
    char data[JSON_MAX];
    size_t len;
    int overflow;
} writer;

static void put(writer *w, const char *s, size_t n)
{
    if (n > sizeof w->data - w->len) {
        w->overflow = 1;
        return;
    }
    memcpy(w->data + w->len, s, n);
    w->len += n;
}

/* A JSON string: quotes, backslashes and control characters escaped; the
 * rest is copied (it has been checked to be UTF-8). */
static void put_string(writer *w, const char *s)
{
    put(w, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            put(w, esc, 2);
        } else if (c < 0x20) {
            char esc[7];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            put(w, esc, 6);
        } else {
            put(w, s, 1);
        }
    }
    put(w, "\"", 1);
}

static void put_member(writer *w, const char *name, const char *value)
{
    put(w, w->len > 1 ? ",\"" : "\"", w->len > 1 ? 2 : 1);
    put(w, name, strlen(name));
    put(w, "\":", 2);
    put_string(w, value);
}

static void put_int_member(writer *w, const char *name, int64_t value)
{
    char text[48];
    int n = snprintf(text, sizeof text, "%s\"%s\":%" PRId64, w->len > 1 ? "," : "", name, value);
    put(w, text, (size_t)n);
}

/* A claim field must end inside its array and be well-formed UTF-8. */
static int field_ok(const char *s, size_t cap)
{
    const char *end = memchr(s, '\0', cap);
    return end &&
           nax__codec_utf8_check((const unsigned char *)s, (size_t)(end - s)) == (size_t)(end - s);
}

static int check_claims(const nax__jwt_claims *c)
{
    if (!field_ok(c->sub, sizeof c->sub) || !field_ok(c->iss, sizeof c->iss) ||
        !field_ok(c->aud, sizeof c->aud) || !field_ok(c->typ, sizeof c->typ) ||
        !field_ok(c->jti, sizeof c->jti) || !field_ok(c->kid, sizeof c->kid))
        return nax__error(NAX_EINVAL, "JWT claim is not a terminated UTF-8 string");
    return 0;
}

static void write_header(writer *w, const nax__jwt_claims *c)
{
    put(w, "{", 1);
    put_member(w, "alg", "HS256");
    put_member(w, "typ", "JWT");
    if (c->kid[0])
        put_member(w, "kid", c->kid);
    put(w, "}", 1);
}

/* sub, iat and exp always (the verifier requires them); the rest when set. */
static void write_claims(writer *w, const nax__jwt_claims *c)
{
    put(w, "{", 1);
    put_member(w, "sub", c->sub);
    const char *names[] = {"iss", "aud", "typ", "jti"};
    const char *values[] = {c->iss, c->aud, c->typ, c->jti};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (values[i][0])
            put_member(w, names[i], values[i]);
    put_int_member(w, "iat", c->iat);
    if (c->nbf)
        put_int_member(w, "nbf", c->nbf);
    put_int_member(w, "exp", c->exp);
    put(w, "}", 1);
}

static int append_signed(nax_buf *out, const jwt_key *key, const writer *header,
                         const writer *claims)
{
    size_t start = out->len;
    int rc = nax__base64url_encode(out, header->data, header->len);
    if (!rc)
        rc = nax__buf_append(out, ".", 1);
    if (!rc)
        rc = nax__base64url_encode(out, claims->data, claims->len);
    unsigned char mac[NAX__SHA256_LEN];
    if (!rc)
        rc = jwt_key_mac(key, mac, out->data + start, out->len - start);
    if (!rc)
        rc = nax__buf_append(out, ".", 1);
    if (!rc)
        rc = nax__base64url_encode(out, mac, sizeof mac);
    return rc;
}

static int sign(nax_buf *out, const jwt_key *key, const nax__jwt_claims *c)
{
    if (key->len < JWT_KEY_MIN)
        return nax__error(NAX_EINVAL, "JWT key must have at least %d bytes", JWT_KEY_MIN);
    int rc = check_claims(c);
    if (rc)
        return rc;
    writer header = {.len = 0}, claims = {.len = 0};
    write_header(&header, c);
    write_claims(&claims, c);
    if (header.overflow || claims.overflow)
        return nax__error(NAX_ERROR, "JWT claims do not fit"); /* cannot happen: bounded fields */

    size_t start = out->len;
    rc = append_signed(out, key, &header, &claims);
    if (rc && out->data) {
        out->len = start; /* leave the buffer as it was */
        out->data[start] = '\0';
    }
    return rc;
}

int nax__jwt_sign(nax_buf *out, const void *key, size_t key_len, const nax__jwt_claims *c)
{
    if (!out || !c || !key)
        return nax__error(NAX_EINVAL, "nax__jwt_sign: NULL argument");
    jwt_key k = {key, key_len, NULL};
    return sign(out, &k, c);
}

int nax__jwt_sign_key(nax_buf *out, nax__hmac_key *key, const nax__jwt_claims *c)
{
    if (!out || !c || !key)
        return nax__error(NAX_EINVAL, "nax__jwt_sign_key: NULL argument");
    jwt_key k = {NULL, nax__hmac_key_len(key), key};
    return sign(out, &k, c);
}

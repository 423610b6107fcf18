/*
 * Strict RFC 4648 codecs: hex, base64 (padded), base64url (unpadded) and
 * base32. The decoders accept exactly one spelling of each byte string: no
 * whitespace, no missing or stray padding, and unused bits must be zero, so
 * a signature or token cannot be varied without changing its bytes.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "auth/auth.h"
#include "core/core.h"

static const char hex_digits[] = "0123456789abcdef";
static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char b32_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* ---- hex ---- */

void nax__hex_encode(char *out, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex_digits[p[i] >> 4];
        out[2 * i + 1] = hex_digits[p[i] & 15];
    }
    out[2 * len] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long nax__hex_decode(unsigned char *out, size_t cap, const char *in, size_t len)
{
    if (len % 2 || len / 2 > cap || len / 2 > (size_t)LONG_MAX)
        return -1;
    for (size_t i = 0; i < len; i += 2) {
        int hi = hex_value(in[i]), lo = hex_value(in[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    return (long)(len / 2);
}

/* ---- base64 and base64url ---- */

static int b64_encode(nax_buf *out, const void *data, size_t len, const char *alpha, int pad)
{
    if (len > (SIZE_MAX / 4) * 3 - 3)
        return nax__error(NAX_ENOMEM, "base64: input too large");
    size_t n = (len + 2) / 3 * 4;
    int rc = nax__buf_reserve(out, n);
    if (rc)
        return rc;
    const unsigned char *p = data;
    char *w = out->data + out->len;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *w++ = alpha[v >> 18];
        *w++ = alpha[(v >> 12) & 63];
        *w++ = alpha[(v >> 6) & 63];
        *w++ = alpha[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        *w++ = alpha[v >> 18];
        *w++ = alpha[(v >> 12) & 63];
        if (pad) {
            *w++ = '=';
            *w++ = '=';
        }
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        *w++ = alpha[v >> 18];
        *w++ = alpha[(v >> 12) & 63];
        *w++ = alpha[(v >> 6) & 63];
        if (pad)
            *w++ = '=';
    }
    out->len = (size_t)(w - out->data);
    out->data[out->len] = '\0';
    return 0;
}

int nax__base64_encode(nax_buf *out, const void *data, size_t len)
{
    return b64_encode(out, data, len, b64_std, 1);
}

int nax__base64url_encode(nax_buf *out, const void *data, size_t len)
{
    return b64_encode(out, data, len, b64_url, 0);
}

/* Value of c in the alphabet selected by `url`, or -1. */
static int b64_value(char c, int url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

/* Decodes `len` characters without padding. A final group of 2 or 3
 * characters carries 1 or 2 bytes and its unused low bits must be zero. */
static long b64_decode_unpadded(unsigned char *out, size_t cap, const char *in, size_t len, int url)
{
    size_t rem = len % 4;
    if (rem == 1)
        return -1;
    size_t need = len / 4 * 3 + (rem ? rem - 1 : 0);
    if (need > cap || need > (size_t)LONG_MAX)
        return -1;
    size_t o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64_value(in[i], url);
        if (v < 0)
            return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0) /* leftover bits (2 or 4) must be zero */
        return -1;
    return (long)o;
}

long nax__base64_decode(unsigned char *out, size_t cap, const char *in, size_t len)
{
    if (len % 4)
        return -1;
    size_t pad = 0;
    if (len >= 1 && in[len - 1] == '=')
        pad = (len >= 2 && in[len - 2] == '=') ? 2 : 1;
    return b64_decode_unpadded(out, cap, in, len - pad, 0);
}

long nax__base64url_decode(unsigned char *out, size_t cap, const char *in, size_t len)
{
    return b64_decode_unpadded(out, cap, in, len, 1);
}

/* ---- base32 ---- */

int nax__base32_encode(nax_buf *out, const void *data, size_t len)
{
    if (len > SIZE_MAX / 8 - 1)
        return nax__error(NAX_ENOMEM, "base32: input too large");
    int rc = nax__buf_reserve(out, (len * 8 + 4) / 5);
    if (rc)
        return rc;
    const unsigned char *p = data;
    char *w = out->data + out->len;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8 | p[i]) & 0xfff; /* at most 4 + 8 bits are pending */
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            *w++ = b32_alpha[(acc >> bits) & 31];
        }
    }
    if (bits)
        *w++ = b32_alpha[(acc << (5 - bits)) & 31];
    out->len = (size_t)(w - out->data);
    out->data[out->len] = '\0';
    return 0;
}

static int b32_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

long nax__base32_decode(unsigned char *out, size_t cap, const char *in, size_t len)
{
    /* Padding, when present, completes the last group of 8 exactly. */
    size_t data_len = len;
    while (data_len > 0 && in[data_len - 1] == '=')
        data_len--;
    if (data_len != len && (len % 8 || len - data_len > 6))
        return -1;
    /* Characters in a final group that carry whole bytes: 2, 4, 5 or 7. */
    size_t rem = data_len % 8;
    if (rem == 1 || rem == 3 || rem == 6)
        return -1;
    if (data_len != len && len != (data_len + 7) / 8 * 8)
        return -1;
    size_t need = data_len * 5 / 8;
    if (need > cap || need > (size_t)LONG_MAX)
        return -1;
    size_t o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < data_len; i++) {
        int v = b32_value(in[i]);
        if (v < 0)
            return -1;
        acc = acc << 5 | (uint32_t)v;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0)
        return -1;
    return (long)o;
}

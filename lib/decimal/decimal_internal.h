/*
 * Internal view of the decimal module, for the codec, the server and the
 * tests. The nax__dec_* functions below are the fast paths behind the public
 * nax_decimal_* API: they check their scalar arguments but never touch the
 * thread-local error, so hot loops (the codec, the matching engine) pay
 * nothing for error bookkeeping. Callers that want the usual error detail call
 * nax__dec_fail() or use the public functions. Never installed.
 */
#ifndef NAX_DECIMAL_DECIMAL_INTERNAL_H
#define NAX_DECIMAL_DECIMAL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nax/decimal.h"
#include "nax/error.h"

/* Coefficient magnitudes are 128-bit inside the library (never in public headers). */
__extension__ typedef unsigned __int128 nax__u128;

/* 10^38 - 1, the largest coefficient magnitude. */
#define NAX__DEC_MAX_COEFF                                                                         \
    ((((nax__u128)0x4b3b4ca85a86c47aULL) << 64) | (nax__u128)0x098a223fffffffffULL)

/* 10^0 .. 10^38. */
extern const nax__u128 nax__dec_pow10[NAX_DECIMAL_MAX_DIGITS + 1];

static inline nax__u128 nax__dec_mag(const nax_decimal *d)
{
    return ((nax__u128)d->hi << 64) | d->lo;
}

/* Stores a value, dropping the sign of zero so that -0 never exists.
 * Member by member: building the struct in a stack copy and loading it back
 * whole stalls store forwarding and cost more than a short parse itself. */
static inline void nax__dec_store(nax_decimal *out, nax__u128 mag, int scale, int negative)
{
    out->lo = (uint64_t)mag;
    out->hi = (uint64_t)(mag >> 64);
    out->scale = (uint8_t)scale;
    out->negative = (uint8_t)(negative && mag != 0);
    memset(out->reserved, 0, sizeof out->reserved);
}

/* 1 when the members form a valid value (scale and magnitude in range, no -0). */
int nax__dec_valid(const nax_decimal *d);
/* 1 for a defined nax_rounding value. */
int nax__dec_mode_valid(int mode);

/* ---- text ---- */

/* The general parser: the whole grammar, 128-bit coefficients, every error
 * with its offset. Contract as nax__dec_parse(), which tries the short path
 * first; tests compare the two. */
int nax__dec_parse_long(nax_decimal *out, const char *str, size_t len, size_t *error_offset);

/* The decimals of real messages ("97250.50", "0.01500000") have at most 19
 * digits, so their coefficient fits in 64 bits and they can be read in one
 * pass with no 128-bit arithmetic. The helpers below handle only that subset;
 * everything else, and every error, goes to nax__dec_parse_long(). They are
 * inline because the codec parses decimals per member on its hot path. */

/* How many of the 8 bytes at s are digits before the first non-digit, and
 * their value in *value. SWAR: after subtracting '0' from every byte, digit
 * bytes hold 0..9 and any other byte has its high bit set either already or
 * after adding 0x76; borrows and carries only run from the first non-digit
 * into bytes after it, which are not used. */
static inline unsigned nax__dec_digits8(const char *s, uint64_t *value)
{
    uint64_t d;
    memcpy(&d, s, 8);
    d -= 0x3030303030303030u;
    uint64_t non_digit = ((d + 0x7676767676767676u) | d) & 0x8080808080808080u;
    unsigned n = non_digit ? (unsigned)__builtin_ctzll(non_digit) >> 3 : 8;
    if (n == 0) {
        *value = 0;
        return 0;
    }
    /* The first digit is the lowest byte: shifting the n digits to the top
     * brings in zeros as leading zeros; then pairs, quads and the octet are
     * folded with one multiplication each. */
    d <<= 8 * (8 - n);
    d = (d * 10 + (d >> 8)) & 0x00ff00ff00ff00ffu;
    d = (d * 100 + (d >> 16)) & 0x0000ffff0000ffffu;
    *value = (d * 10000 + (d >> 32)) & 0xffffffffu;
    return n;
}

/* Appends the digits from p up to the first non-digit or `end` to *mag (ten
 * times per digit, wrapping past 19 digits: callers check the count) and
 * returns where it stopped. While 8 bytes of the text remain they are read
 * at once (never past `end`); the rest one by one, with one pointer and no
 * separate count. */
static inline const char *nax__dec_read_digits(const char *p, const char *end, uint64_t *mag)
{
    static const uint32_t pow10[9] = {1,      10,      100,      1000,     10000,
                                      100000, 1000000, 10000000, 100000000};
    uint64_t m = *mag;
    while (end - p >= 8) {
        uint64_t v;
        unsigned n = nax__dec_digits8(p, &v);
        m = m * pow10[n] + v;
        p += n;
        if (n < 8) {
            *mag = m;
            return p;
        }
    }
    for (; p < end; p++) {
        unsigned digit = (unsigned)(unsigned char)*p - '0';
        if (digit > 9)
            break;
        m = m * 10 + digit;
    }
    *mag = m;
    return p;
}

/* Reads `-?(0|[1-9][0-9]*)(\.[0-9]+)?` with at most 19 digits; returns 0 when
 * the text is anything else. */
static inline int nax__dec_parse_short(nax_decimal *out, const char *s, size_t len)
{
    const char *end = s + len, *p = s + (s[0] == '-');
    int negative = p != s;
    uint64_t mag = 0;
    size_t digits = 0, scale = 0;
    if (p == end)
        return 0;
    if (*p == '0') {
        p++;
    } else {
        const char *int_end = nax__dec_read_digits(p, end, &mag);
        digits = (size_t)(int_end - p);
        if (digits == 0)
            return 0;
        p = int_end;
    }
    if (p < end) {
        if (*p != '.')
            return 0;
        p++;
        const char *frac_end = nax__dec_read_digits(p, end, &mag);
        scale = (size_t)(frac_end - p);
        if (scale == 0 || frac_end != end)
            return 0;
        digits += scale;
    }
    if (digits > 19 || scale > NAX_DECIMAL_MAX_SCALE)
        return 0;
    nax__dec_store(out, mag, (int)scale, negative);
    return 1;
}

/* Parses like nax_decimal_parse() without recording an error. Returns 0,
 * NAX_EPARSE or NAX_EOVERFLOW; on failure *error_offset (never NULL) receives
 * the offset of the first offending byte and *out is untouched. */
static inline int nax__dec_parse(nax_decimal *out, const char *str, size_t len,
                                 size_t *error_offset)
{
    /* 19 digits, a point and a sign take at most 21 bytes. */
    if (len > 0 && len <= 21 && nax__dec_parse_short(out, str, len))
        return 0;
    return nax__dec_parse_long(out, str, len, error_offset);
}

/* Writes the canonical text and a NUL to buf, which must hold
 * NAX_DECIMAL_STRING_MAX bytes. Returns the length without the NUL. */
size_t nax__dec_format(char *buf, const nax_decimal *d);

/* Records the standard message for a failed nax__dec_parse() of str/len
 * ("invalid decimal: unexpected 'x' at offset 3") on this thread, with field
 * (may be NULL) naming where the text came from. Returns code. */
int nax__dec_fail(int code, const char *field, const char *str, size_t len, size_t offset);

/* ---- arithmetic: same contracts as the public functions, no error detail ---- */

int nax__dec_cmp(const nax_decimal *a, const nax_decimal *b);
/* out = a + b, or a - b when subtract is non-zero. */
int nax__dec_add(nax_decimal *out, const nax_decimal *a, const nax_decimal *b, int subtract);
int nax__dec_mul(nax_decimal *out, const nax_decimal *a, const nax_decimal *b, int scale,
                 nax_rounding mode);
int nax__dec_div(nax_decimal *out, const nax_decimal *a, const nax_decimal *b, int scale,
                 nax_rounding mode);
int nax__dec_rescale(nax_decimal *out, const nax_decimal *a, int scale, nax_rounding mode);
void nax__dec_normalize(nax_decimal *out, const nax_decimal *a);
int nax__dec_quantize(nax_decimal *out, const nax_decimal *a, const nax_decimal *step,
                      nax_rounding mode);
int nax__dec_is_multiple(const nax_decimal *a, const nax_decimal *step);
int nax__dec_to_int(int64_t *out, const nax_decimal *d, int scale);

/* ---- 256-bit helpers for exact intermediates (decimal_wide.c) ---- */

/* Little-endian 64-bit limbs. */
typedef struct nax__u256 {
    uint64_t w[4];
} nax__u256;

/* out = a * b, exactly. */
void nax__u256_mul(nax__u256 *out, nax__u128 a, nax__u128 b);
/* quot = num / den and *rem = num % den; den must not be zero. */
void nax__u256_divmod(nax__u256 *quot, nax__u128 *rem, const nax__u256 *num, nax__u128 den);
/* 1 when v < 2^128, and then *low receives it. */
int nax__u256_to_u128(const nax__u256 *v, nax__u128 *low);

#endif /* NAX_DECIMAL_DECIMAL_INTERNAL_H */

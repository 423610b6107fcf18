/*
 * Decimal text: the strict parser and the canonical formatter. Both sit on
 * the codec's hot path, so they are single passes over the bytes with no
 * allocation; short decimals are read inline (decimal_internal.h), longer
 * ones accumulate in 64 bits until a 20th digit forces 128-bit arithmetic,
 * and formatting emits two digits per division.
 */
#include <string.h>

#include "core/core.h"
#include "decimal/decimal_internal.h"

#define P19 10000000000000000000ULL

const nax__u128 nax__dec_pow10[NAX_DECIMAL_MAX_DIGITS + 1] = {
    1ULL,
    10ULL,
    100ULL,
    1000ULL,
    10000ULL,
    100000ULL,
    1000000ULL,
    10000000ULL,
    100000000ULL,
    1000000000ULL,
    10000000000ULL,
    100000000000ULL,
    1000000000000ULL,
    10000000000000ULL,
    100000000000000ULL,
    1000000000000000ULL,
    10000000000000000ULL,
    100000000000000000ULL,
    1000000000000000000ULL,
    P19,
    (nax__u128)P19 * 10ULL,
    (nax__u128)P19 * 100ULL,
    (nax__u128)P19 * 1000ULL,
    (nax__u128)P19 * 10000ULL,
    (nax__u128)P19 * 100000ULL,
    (nax__u128)P19 * 1000000ULL,
    (nax__u128)P19 * 10000000ULL,
    (nax__u128)P19 * 100000000ULL,
    (nax__u128)P19 * 1000000000ULL,
    (nax__u128)P19 * 10000000000ULL,
    (nax__u128)P19 * 100000000000ULL,
    (nax__u128)P19 * 1000000000000ULL,
    (nax__u128)P19 * 10000000000000ULL,
    (nax__u128)P19 * 100000000000000ULL,
    (nax__u128)P19 * 1000000000000000ULL,
    (nax__u128)P19 * 10000000000000000ULL,
    (nax__u128)P19 * 100000000000000000ULL,
    (nax__u128)P19 * 1000000000000000000ULL,
    (nax__u128)P19 *P19,
};

/* ---- parsing ---- */

/* Coefficient being accumulated, plus the first place a limit was exceeded. */
typedef struct digit_acc {
    uint64_t narrow;    /* the first 19 digits */
    nax__u128 wide;     /* all digits once there are more than 19 */
    int digits;         /* digits pushed so far */
    size_t overflow_at; /* offset of the first digit beyond a limit, or SIZE_MAX */
} digit_acc;

static inline int is_digit(unsigned char c)
{
    return (unsigned)(c - '0') < 10u;
}

static inline void acc_push(digit_acc *acc, unsigned digit, size_t offset)
{
    if (acc->digits < 19) {
        acc->narrow = acc->narrow * 10 + digit;
        acc->digits++;
    } else if (acc->digits < NAX_DECIMAL_MAX_DIGITS) {
        if (acc->digits == 19)
            acc->wide = acc->narrow;
        acc->wide = acc->wide * 10 + digit;
        acc->digits++;
    } else if (acc->overflow_at == SIZE_MAX) {
        acc->overflow_at = offset;
    }
}

static inline nax__u128 acc_value(const digit_acc *acc)
{
    return acc->digits > 19 ? acc->wide : acc->narrow;
}

/* Integer part after an optional sign: "0" or a digit string without a leading zero.
 * A lone "0" is not pushed, so leading zeros never count against the 38
 * digits: after it at most 18 fraction digits follow. */
static size_t scan_integer(const unsigned char *s, size_t i, size_t len, digit_acc *acc)
{
    if (s[i] == '0')
        return i + 1;
    while (i < len && is_digit(s[i])) {
        acc_push(acc, s[i] - '0', i);
        i++;
    }
    return i;
}

/* Fraction digits after the point; more than 18 of them is an overflow. */
static size_t scan_fraction(const unsigned char *s, size_t i, size_t len, digit_acc *acc)
{
    size_t first = i;
    while (i < len && is_digit(s[i])) {
        if (i - first < NAX_DECIMAL_MAX_SCALE)
            acc_push(acc, s[i] - '0', i);
        else if (acc->overflow_at == SIZE_MAX)
            acc->overflow_at = i;
        i++;
    }
    return i;
}

static int reject(size_t *error_offset, int code, size_t offset)
{
    *error_offset = offset;
    return code;
}

/* The general parser: any length, 128-bit coefficients, overflow offsets.
 * The short common case is read inline first (nax__dec_parse_short()). */
int nax__dec_parse_long(nax_decimal *out, const char *str, size_t len, size_t *error_offset)
{
    const unsigned char *s = (const unsigned char *)str;
    digit_acc acc = {0, 0, 0, SIZE_MAX};
    size_t i = 0, scale = 0;
    int negative = 0;

    if (i < len && s[i] == '-') {
        negative = 1;
        i++;
    }
    if (i == len || !is_digit(s[i]))
        return reject(error_offset, NAX_EPARSE, i);
    i = scan_integer(s, i, len, &acc);
    if (i < len) {
        if (s[i] != '.')
            return reject(error_offset, NAX_EPARSE, i);
        i++;
        if (i == len || !is_digit(s[i]))
            return reject(error_offset, NAX_EPARSE, i);
        size_t first = i;
        i = scan_fraction(s, i, len, &acc);
        if (i < len)
            return reject(error_offset, NAX_EPARSE, i);
        scale = i - first;
    }
    /* The text is well formed; only now do limits count. */
    if (acc.overflow_at != SIZE_MAX)
        return reject(error_offset, NAX_EOVERFLOW, acc.overflow_at);
    nax__dec_store(out, acc_value(&acc), (int)scale, negative);
    return 0;
}

int nax__dec_fail(int code, const char *field, const char *str, size_t len, size_t offset)
{
    if (code == NAX_EOVERFLOW) {
        const char *dot = str ? memchr(str, '.', offset < len ? offset : len) : NULL;
        if (dot && (size_t)(str + offset - dot) > NAX_DECIMAL_MAX_SCALE)
            return nax__error_field(code, field,
                                    "decimal out of range: more than %d digits after the point "
                                    "at offset %zu",
                                    NAX_DECIMAL_MAX_SCALE, offset);
        return nax__error_field(code, field,
                                "decimal out of range: more than %d digits at offset %zu",
                                NAX_DECIMAL_MAX_DIGITS, offset);
    }
    if (offset >= len || !str)
        return nax__error_field(code, field, "invalid decimal: unexpected end at offset %zu",
                                offset);
    unsigned char c = (unsigned char)str[offset];
    if (c >= 0x20 && c < 0x7f && c != '\'')
        return nax__error_field(code, field, "invalid decimal: unexpected '%c' at offset %zu", c,
                                offset);
    return nax__error_field(code, field, "invalid decimal: unexpected byte 0x%02x at offset %zu", c,
                            offset);
}

/* ---- formatting ---- */

static const char digit_pairs[201] = "00010203040506070809"
                                     "10111213141516171819"
                                     "20212223242526272829"
                                     "30313233343536373839"
                                     "40414243444546474849"
                                     "50515253545556575859"
                                     "60616263646566676869"
                                     "70717273747576777879"
                                     "80818283848586878889"
                                     "90919293949596979899";

/* Writes v's digits ending just before `end`, two per division; returns the first. */
static char *put_u64(char *end, uint64_t v)
{
    while (v >= 100) {
        unsigned pair = (unsigned)(v % 100) * 2;
        v /= 100;
        *--end = digit_pairs[pair + 1];
        *--end = digit_pairs[pair];
    }
    if (v >= 10) {
        *--end = digit_pairs[v * 2 + 1];
        *--end = digit_pairs[v * 2];
    } else {
        *--end = (char)('0' + v);
    }
    return end;
}

/* Writes exactly `count` low digits of *v (zero-padded) before `end` and
 * removes them from *v; returns the first. */
static char *put_fixed(char *end, uint64_t *v, int count)
{
    uint64_t x = *v;
    for (; count >= 2; count -= 2) {
        unsigned pair = (unsigned)(x % 100) * 2;
        x /= 100;
        *--end = digit_pairs[pair + 1];
        *--end = digit_pairs[pair];
    }
    if (count) {
        *--end = (char)('0' + x % 10);
        x /= 10;
    }
    *v = x;
    return end;
}

/*
 * Written backwards: fraction digits, point, integer digits, sign. The
 * fraction (at most 18 digits) always lies within the low 19 digits, so a
 * 128-bit magnitude needs just one split into two 64-bit halves, the upper
 * below 10^19 because the magnitude is below 10^38.
 */
size_t nax__dec_format(char *buf, const nax_decimal *d)
{
    char text[NAX_DECIMAL_STRING_MAX];
    char *end = text + sizeof text, *p = end;
    nax__u128 mag = nax__dec_mag(d);
    int scale = d->scale;
    uint64_t low = (uint64_t)mag, upper = 0;

    if ((mag >> 64) != 0) {
        upper = (uint64_t)(mag / P19);
        low = (uint64_t)(mag - (nax__u128)upper * P19);
    }
    if (scale) {
        p = put_fixed(p, &low, scale);
        *--p = '.';
    }
    if (upper) {
        p = put_fixed(p, &low, 19 - scale);
        p = put_u64(p, upper);
    } else {
        p = put_u64(p, low);
    }
    if (d->negative)
        *--p = '-';
    size_t len = (size_t)(end - p);
    memcpy(buf, p, len);
    buf[len] = '\0';
    return len;
}

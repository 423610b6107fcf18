/*
 * Decimal arithmetic. Every operation computes its exact result (in 128 bits
 * when that suffices, else in 256) and only then rounds it once, so results
 * match an arbitrary-precision reference. Nothing here records an error; the
 * public wrappers in decimal.c do that.
 */
#include "decimal/decimal_internal.h"

static inline int scale_valid(int scale)
{
    return scale >= 0 && scale <= NAX_DECIMAL_MAX_SCALE;
}

int nax__dec_mode_valid(int mode)
{
    return mode >= NAX_ROUND_DOWN && mode <= NAX_ROUND_CEILING;
}

int nax__dec_valid(const nax_decimal *d)
{
    /* reserved[] is not checked: a later version may use it. */
    nax__u128 mag = nax__dec_mag(d);
    return d->scale <= NAX_DECIMAL_MAX_SCALE && d->negative <= 1 && mag <= NAX__DEC_MAX_COEFF &&
           !(d->negative && mag == 0);
}

/* ---- rounding ---- */

/*
 * Whether the truncated quotient q must grow by one. `inexact` says a
 * remainder exists; `half` compares it with half the divisor (-1 below,
 * 0 exactly half, 1 above).
 */
static int round_away(nax__u128 q, int inexact, int half, int negative, nax_rounding mode)
{
    if (!inexact)
        return 0;
    switch (mode) {
    case NAX_ROUND_DOWN: return 0;
    case NAX_ROUND_UP: return 1;
    case NAX_ROUND_FLOOR: return negative;
    case NAX_ROUND_CEILING: return !negative;
    case NAX_ROUND_HALF_UP: return half >= 0;
    case NAX_ROUND_HALF_EVEN: return half > 0 || (half == 0 && (q & 1));
    }
    return 0;
}

static inline int cmp_u128(nax__u128 a, nax__u128 b)
{
    return (a > b) - (a < b);
}

/* a * b when it fits in 128 bits; 64-bit operands (most prices and sizes) always do. */
static int mul_u128(nax__u128 a, nax__u128 b, nax__u128 *product)
{
    if ((a >> 64) == 0 && (b >> 64) == 0) {
        *product = (nax__u128)(uint64_t)a * (uint64_t)b;
        return 1;
    }
    return !__builtin_mul_overflow(a, b, product);
}

/* Brings a magnitude from scale `from` up to scale `to`; 0 if it overflows 128 bits. */
static int upscale(nax__u128 *mag, int from, int to)
{
    if (from == to)
        return 1; /* the common case; a 128-bit checked multiply is not free */
    return mul_u128(*mag, nax__dec_pow10[to - from], mag);
}

/* q = round(n / d) for a 128-bit dividend. */
static nax__u128 div_round(nax__u128 n, nax__u128 d, int negative, nax_rounding mode)
{
    nax__u128 q, r;
    if ((n >> 64) == 0 && (d >> 64) == 0) {
        /* 64-bit division is far cheaper than the 128-bit library call. */
        q = (uint64_t)n / (uint64_t)d;
        r = (uint64_t)n % (uint64_t)d;
    } else {
        q = n / d;
        r = n % d;
    }
    return q + round_away(q, r != 0, cmp_u128(r, d - r), negative, mode);
}

/* q = round(n / d) for a 256-bit dividend; 0 on success, NAX_EOVERFLOW when q >= 2^128. */
static int div_round_wide(nax__u128 *q, const nax__u256 *n, nax__u128 d, int negative,
                          nax_rounding mode)
{
    nax__u256 quot;
    nax__u128 r, low;
    nax__u256_divmod(&quot, &r, n, d);
    if (!nax__u256_to_u128(&quot, &low))
        return NAX_EOVERFLOW;
    int up = round_away(low, r != 0, cmp_u128(r, d - r), negative, mode);
    if (up && low == ~(nax__u128)0)
        return NAX_EOVERFLOW;
    *q = low + up;
    return 0;
}

/* q = round(n / (d * 10^k)), taking care of a divisor beyond 128 bits. */
static nax__u128 div_round_scaled(nax__u128 n, nax__u128 d, int k, int negative, nax_rounding mode)
{
    nax__u128 den;
    if (!mul_u128(d, nax__dec_pow10[k], &den)) {
        /* den > 2^128 > 2n: the quotient is 0 and any remainder is below half. */
        return round_away(0, n != 0, -1, negative, mode);
    }
    return div_round(n, den, negative, mode);
}

/* q = round(n * 10^k / d), exact even when n * 10^k needs 256 bits. */
static int mul_pow10_div_round(nax__u128 *q, nax__u128 n, int k, nax__u128 d, int negative,
                               nax_rounding mode)
{
    nax__u128 num;
    if (mul_u128(n, nax__dec_pow10[k], &num)) {
        *q = div_round(num, d, negative, mode);
        return 0;
    }
    nax__u256 wide;
    nax__u256_mul(&wide, n, nax__dec_pow10[k]);
    return div_round_wide(q, &wide, d, negative, mode);
}

/* Stores mag if it fits in 38 digits. */
static int store_checked(nax_decimal *out, nax__u128 mag, int scale, int negative)
{
    if (mag > NAX__DEC_MAX_COEFF)
        return NAX_EOVERFLOW;
    nax__dec_store(out, mag, scale, negative);
    return 0;
}

/* ---- comparison, addition ---- */

static int cmp_magnitudes(const nax_decimal *a, const nax_decimal *b)
{
    nax__u128 x = nax__dec_mag(a), y = nax__dec_mag(b);
    if (a->scale < b->scale && !upscale(&x, a->scale, b->scale))
        return 1;
    if (b->scale < a->scale && !upscale(&y, b->scale, a->scale))
        return -1;
    return cmp_u128(x, y);
}

static int sign_of(const nax_decimal *d)
{
    if (d->negative)
        return -1;
    return (d->lo | d->hi) != 0;
}

int nax__dec_cmp(const nax_decimal *a, const nax_decimal *b)
{
    int sa = sign_of(a), sb = sign_of(b);
    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (sa == 0)
        return 0;
    int mag = cmp_magnitudes(a, b);
    return sa < 0 ? -mag : mag;
}

int nax__dec_add(nax_decimal *out, const nax_decimal *a, const nax_decimal *b, int subtract)
{
    int scale = a->scale > b->scale ? a->scale : b->scale;
    nax__u128 x = nax__dec_mag(a), y = nax__dec_mag(b);
    int xneg = a->negative, yneg = b->negative ^ (subtract != 0);

    /* Only the operand with the smaller scale grows; past 2^128 it outweighs
     * the other (< 10^38) by more than 10^38, so the result overflows anyway. */
    if (!upscale(&x, a->scale, scale) || !upscale(&y, b->scale, scale))
        return NAX_EOVERFLOW;
    if (xneg == yneg) {
        nax__u128 sum;
        if (__builtin_add_overflow(x, y, &sum))
            return NAX_EOVERFLOW;
        return store_checked(out, sum, scale, xneg);
    }
    if (x >= y)
        return store_checked(out, x - y, scale, xneg);
    return store_checked(out, y - x, scale, yneg);
}

/* ---- multiplication, division, rounding to a scale ---- */

int nax__dec_rescale(nax_decimal *out, const nax_decimal *a, int scale, nax_rounding mode)
{
    if (!scale_valid(scale) || !nax__dec_mode_valid(mode))
        return NAX_EINVAL;
    nax__u128 mag = nax__dec_mag(a);
    if (scale >= a->scale) {
        int k = scale - a->scale;
        /* mag * 10^k <= 10^38 - 1  <=>  mag < 10^(38-k) */
        if (mag >= nax__dec_pow10[NAX_DECIMAL_MAX_DIGITS - k])
            return NAX_EOVERFLOW;
        nax__dec_store(out, mag * nax__dec_pow10[k], scale, a->negative);
        return 0;
    }
    nax__u128 q = div_round(mag, nax__dec_pow10[a->scale - scale], a->negative, mode);
    nax__dec_store(out, q, scale, a->negative);
    return 0;
}

int nax__dec_mul(nax_decimal *out, const nax_decimal *a, const nax_decimal *b, int scale,
                 nax_rounding mode)
{
    if (!scale_valid(scale) || !nax__dec_mode_valid(mode))
        return NAX_EINVAL;
    int negative = a->negative ^ b->negative;
    int exact_scale = a->scale + b->scale; /* scale of the exact product, up to 36 */
    nax__u128 product, q;

    if (mul_u128(nax__dec_mag(a), nax__dec_mag(b), &product)) {
        if (scale >= exact_scale) {
            int k = scale - exact_scale;
            if (product >= nax__dec_pow10[NAX_DECIMAL_MAX_DIGITS - k])
                return NAX_EOVERFLOW;
            nax__dec_store(out, product * nax__dec_pow10[k], scale, negative);
            return 0;
        }
        q = div_round(product, nax__dec_pow10[exact_scale - scale], negative, mode);
        return store_checked(out, q, scale, negative);
    }
    /* The product is at least 2^128: only dropping digits can bring it back in range. */
    if (scale >= exact_scale)
        return NAX_EOVERFLOW;
    nax__u256 wide;
    nax__u256_mul(&wide, nax__dec_mag(a), nax__dec_mag(b));
    int rc = div_round_wide(&q, &wide, nax__dec_pow10[exact_scale - scale], negative, mode);
    if (rc)
        return rc;
    return store_checked(out, q, scale, negative);
}

int nax__dec_div(nax_decimal *out, const nax_decimal *a, const nax_decimal *b, int scale,
                 nax_rounding mode)
{
    if (!scale_valid(scale) || !nax__dec_mode_valid(mode))
        return NAX_EINVAL;
    nax__u128 num = nax__dec_mag(a), den = nax__dec_mag(b), q;
    if (den == 0)
        return NAX_EDIVZERO;
    int negative = a->negative ^ b->negative;
    /* result coefficient = A * 10^shift / B, with shift in -18..36 */
    int shift = scale + b->scale - a->scale;

    if (shift >= 0) {
        int rc = mul_pow10_div_round(&q, num, shift, den, negative, mode);
        if (rc)
            return rc;
    } else {
        q = div_round_scaled(num, den, -shift, negative, mode);
    }
    return store_checked(out, q, scale, negative);
}

void nax__dec_normalize(nax_decimal *out, const nax_decimal *a)
{
    nax__u128 mag = nax__dec_mag(a);
    int scale = a->scale;
    if (mag == 0) {
        nax__dec_store(out, 0, 0, 0);
        return;
    }
    /* At most 18 steps; most values have few trailing zeros. */
    while (scale > 0 && mag % 10 == 0) {
        mag /= 10;
        scale--;
    }
    nax__dec_store(out, mag, scale, a->negative);
}

/* ---- steps: ticks and lots ---- */

static int step_valid(const nax_decimal *step)
{
    return !step->negative && (step->lo | step->hi) != 0;
}

int nax__dec_quantize(nax_decimal *out, const nax_decimal *a, const nax_decimal *step,
                      nax_rounding mode)
{
    if (!step_valid(step) || !nax__dec_mode_valid(mode))
        return NAX_EINVAL;
    nax__u128 num = nax__dec_mag(a), unit = nax__dec_mag(step), count, mag;
    int negative = a->negative;

    /* count = round(a / step) = round(A * 10^(ss - sa) / S) */
    if (step->scale >= a->scale) {
        int rc = mul_pow10_div_round(&count, num, step->scale - a->scale, unit, negative, mode);
        if (rc)
            return rc;
    } else {
        count = div_round_scaled(num, unit, a->scale - step->scale, negative, mode);
    }
    if (!mul_u128(count, unit, &mag))
        return NAX_EOVERFLOW;
    return store_checked(out, mag, step->scale, negative);
}

int nax__dec_is_multiple(const nax_decimal *a, const nax_decimal *step)
{
    if (!step_valid(step))
        return NAX_EINVAL;
    nax__u128 num = nax__dec_mag(a), unit = nax__dec_mag(step), scaled, rem;

    if (step->scale >= a->scale) {
        int k = step->scale - a->scale;
        if (mul_u128(num, nax__dec_pow10[k], &scaled))
            return scaled % unit == 0;
        nax__u256 wide, quot;
        nax__u256_mul(&wide, num, nax__dec_pow10[k]);
        nax__u256_divmod(&quot, &rem, &wide, unit);
        return rem == 0;
    }
    /* A multiple of S * 10^k; a divisor beyond 128 bits only divides zero. */
    if (!mul_u128(unit, nax__dec_pow10[a->scale - step->scale], &scaled))
        return num == 0;
    return num % scaled == 0;
}

/* ---- integers ---- */

int nax__dec_to_int(int64_t *out, const nax_decimal *d, int scale)
{
    if (!scale_valid(scale))
        return NAX_EINVAL;
    nax__u128 mag = nax__dec_mag(d);
    if (d->scale > scale) {
        nax__u128 unit = nax__dec_pow10[d->scale - scale];
        if (mag % unit != 0)
            return NAX_EPARSE;
        mag /= unit;
    } else if (!upscale(&mag, d->scale, scale)) {
        return NAX_EOVERFLOW;
    }
    /* int64 holds magnitudes up to 2^63 - 1, or 2^63 when negative. */
    nax__u128 limit = (nax__u128)INT64_MAX + (d->negative ? 1 : 0);
    if (mag > limit)
        return NAX_EOVERFLOW;
    *out = d->negative ? (int64_t)(0 - (uint64_t)mag) : (int64_t)mag;
    return 0;
}

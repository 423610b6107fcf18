/* Conversions between decimals and the engine's integer space. */
#include "engine_internal.h"

eng_steps_rc eng_to_steps(const nax_decimal *v, uint64_t step_coeff, int step_scale, int64_t *out)
{
    nax__u128 mag = nax__dec_mag(v), q;
    if (step_scale >= v->scale) {
        nax__u128 num;
        if (__builtin_mul_overflow(mag, nax__dec_pow10[step_scale - v->scale], &num))
            return ENG_STEPS_TOO_LARGE; /* v / step >= 2^128 / 2^64 */
        if ((num >> 64) == 0) {         /* the usual case: 64-bit division is far cheaper */
            if ((uint64_t)num % step_coeff != 0)
                return ENG_STEPS_NOT_MULTIPLE;
            q = (uint64_t)num / step_coeff;
        } else {
            if (num % step_coeff != 0)
                return ENG_STEPS_NOT_MULTIPLE;
            q = num / step_coeff;
        }
    } else {
        nax__u128 den;
        /* A step beyond 128 bits is larger than any value: v is not a multiple. */
        if (__builtin_mul_overflow((nax__u128)step_coeff, nax__dec_pow10[v->scale - step_scale],
                                   &den) ||
            mag % den != 0)
            return ENG_STEPS_NOT_MULTIPLE;
        q = mag / den;
    }
    if (q > (nax__u128)INT64_MAX)
        return ENG_STEPS_TOO_LARGE;
    *out = (int64_t)q;
    return ENG_STEPS_OK;
}

nax__u128 eng_fee(nax__u128 n, const eng_rate *rate)
{
    nax__u128 product, unit = nax__dec_pow10[rate->scale];
    if (rate->coeff == 0 || n == 0)
        return 0;
    if (!__builtin_mul_overflow(n, rate->coeff, &product)) {
        if ((product >> 64) == 0 && (unit >> 64) == 0)
            return (uint64_t)product / (uint64_t)unit + ((uint64_t)product % (uint64_t)unit != 0);
        return product / unit + (product % unit != 0);
    }
    /* Exact in 256 bits; the quotient is below n because the rate is below 1. */
    nax__u256 wide, quot;
    nax__u128 rem, low = 0;
    nax__u256_mul(&wide, n, rate->coeff);
    nax__u256_divmod(&quot, &rem, &wide, unit);
    nax__u256_to_u128(&quot, &low);
    return low + (rem != 0);
}

int eng_mul3(nax__u128 *out, uint64_t a, uint64_t b, nax__u128 c)
{
    nax__u128 r;
    if (__builtin_mul_overflow((nax__u128)a * b, c, &r) || r > NAX__DEC_MAX_COEFF)
        return 0;
    *out = r;
    return 1;
}

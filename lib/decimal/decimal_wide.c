/*
 * 256-bit unsigned helpers: just enough to hold an exact product of two
 * 38-digit coefficients (76 digits) or a coefficient times 10^36, and to
 * divide it by a 128-bit number with the remainder needed for rounding.
 */
#include "decimal/decimal_internal.h"

#define LIMBS 4

void nax__u256_mul(nax__u256 *out, nax__u128 a, nax__u128 b)
{
    uint64_t a0 = (uint64_t)a, a1 = (uint64_t)(a >> 64);
    uint64_t b0 = (uint64_t)b, b1 = (uint64_t)(b >> 64);
    nax__u128 p00 = (nax__u128)a0 * b0;
    nax__u128 p01 = (nax__u128)a0 * b1;
    nax__u128 p10 = (nax__u128)a1 * b0;
    nax__u128 p11 = (nax__u128)a1 * b1;

    /* Middle column: three 64-bit pieces, so the sum cannot overflow 128 bits. */
    nax__u128 mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
    nax__u128 high = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);

    out->w[0] = (uint64_t)p00;
    out->w[1] = (uint64_t)mid;
    out->w[2] = (uint64_t)high;
    out->w[3] = (uint64_t)(high >> 64);
}

int nax__u256_to_u128(const nax__u256 *v, nax__u128 *low)
{
    if (v->w[2] != 0 || v->w[3] != 0)
        return 0;
    *low = ((nax__u128)v->w[1] << 64) | v->w[0];
    return 1;
}

/* Division by a single limb: schoolbook, one 128/64 step per limb. */
static void divmod_by_limb(nax__u256 *quot, nax__u128 *rem, const nax__u256 *num, uint64_t den)
{
    nax__u128 r = 0;
    for (int i = LIMBS - 1; i >= 0; i--) {
        nax__u128 cur = (r << 64) | num->w[i];
        quot->w[i] = (uint64_t)(cur / den);
        r = cur % den;
    }
    *rem = r;
}

/* un[j..j+2] -= q * vn[0..1]; the caller guarantees the result is not negative. */
static void mul_sub(uint64_t *un, int j, const uint64_t vn[2], uint64_t q)
{
    uint64_t carry = 0, borrow = 0;
    for (int i = 0; i < 3; i++) {
        uint64_t product = carry;
        if (i < 2) {
            nax__u128 p = (nax__u128)q * vn[i] + carry;
            carry = (uint64_t)(p >> 64);
            product = (uint64_t)p;
        }
        uint64_t limb = un[i + j];
        uint64_t diff = limb - product - borrow;
        borrow = limb < product || (limb == product && borrow);
        un[i + j] = diff;
    }
}

/*
 * Knuth's algorithm D (TAOCP 4.3.1) for a two-limb divisor: normalise so the
 * divisor's top bit is set, estimate each quotient limb from the top two
 * dividend limbs and correct it. With only two divisor limbs the correction
 * test compares q * divisor with the whole three-limb partial dividend, so the
 * corrected estimate is exact and Knuth's add-back step (D6) cannot happen.
 */
static void divmod_by_two_limbs(nax__u256 *quot, nax__u128 *rem, const nax__u256 *num,
                                nax__u128 den)
{
    uint64_t v[2] = {(uint64_t)den, (uint64_t)(den >> 64)};
    int s = __builtin_clzll(v[1]);
    uint64_t vn[2], un[LIMBS + 1];

    vn[1] = s ? (v[1] << s) | (v[0] >> (64 - s)) : v[1];
    vn[0] = v[0] << s;
    un[LIMBS] = s ? num->w[LIMBS - 1] >> (64 - s) : 0;
    for (int i = LIMBS - 1; i > 0; i--)
        un[i] = s ? (num->w[i] << s) | (num->w[i - 1] >> (64 - s)) : num->w[i];
    un[0] = num->w[0] << s;

    quot->w[LIMBS - 1] = 0;
    for (int j = LIMBS - 2; j >= 0; j--) {
        nax__u128 top = ((nax__u128)un[j + 2] << 64) | un[j + 1];
        nax__u128 qhat = top / vn[1];
        nax__u128 rhat = top % vn[1];
        /* Once rhat reaches 2^64, qhat * vn[0] < 2^128 <= rhat * 2^64: qhat is right. */
        while ((qhat >> 64) != 0 || qhat * vn[0] > ((rhat << 64) | un[j])) {
            qhat--;
            rhat += vn[1];
            if ((rhat >> 64) != 0)
                break;
        }
        mul_sub(un, j, vn, (uint64_t)qhat);
        quot->w[j] = (uint64_t)qhat;
    }

    uint64_t r0 = s ? (un[0] >> s) | (un[1] << (64 - s)) : un[0];
    uint64_t r1 = s ? (un[1] >> s) | (un[2] << (64 - s)) : un[1];
    *rem = ((nax__u128)r1 << 64) | r0;
}

void nax__u256_divmod(nax__u256 *quot, nax__u128 *rem, const nax__u256 *num, nax__u128 den)
{
    if ((den >> 64) == 0)
        divmod_by_limb(quot, rem, num, (uint64_t)den);
    else
        divmod_by_two_limbs(quot, rem, num, den);
}

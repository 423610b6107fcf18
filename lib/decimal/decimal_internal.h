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

/* Stores a value, dropping the sign of zero so that -0 never exists. */
static inline void nax__dec_store(nax_decimal *out, nax__u128 mag, int scale, int negative)
{
    nax_decimal r = {0};
    r.lo = (uint64_t)mag;
    r.hi = (uint64_t)(mag >> 64);
    r.scale = (uint8_t)scale;
    r.negative = (uint8_t)(negative && mag != 0);
    *out = r;
}

/* 1 when the members form a valid value (scale and magnitude in range, no -0). */
int nax__dec_valid(const nax_decimal *d);
/* 1 for a defined nax_rounding value. */
int nax__dec_mode_valid(int mode);

/* ---- text ---- */

/* Parses like nax_decimal_parse() without recording an error. Returns 0,
 * NAX_EPARSE or NAX_EOVERFLOW; on failure *error_offset (never NULL) receives
 * the offset of the first offending byte and *out is untouched. */
int nax__dec_parse(nax_decimal *out, const char *str, size_t len, size_t *error_offset);

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

/**
 * @file nax/decimal.h
 * @brief Exact decimal numbers for money, prices and quantities.
 *
 * A #nax_decimal is a signed coefficient of up to #NAX_DECIMAL_MAX_DIGITS
 * decimal digits and a scale from 0 to #NAX_DECIMAL_MAX_SCALE: its value is
 * `coefficient × 10^-scale`. The scale is kept as written (`"0.00100000"`
 * has scale 8), so parsing and formatting a canonical string gives back the
 * same bytes. Results that do not fit fail with #NAX_EOVERFLOW and never wrap;
 * there is no floating point anywhere in this module.
 *
 * All functions are pure, thread-safe and allocation-free. Arguments may alias
 * (`nax_decimal_add(&a, &a, &b)` is fine). On failure the output is left
 * unchanged and nax_error_last() says why.
 */
#ifndef NAX_DECIMAL_H
#define NAX_DECIMAL_H

#include "common.h"

NAX_BEGIN_DECLS

/** Most significant digits a coefficient can hold. */
#define NAX_DECIMAL_MAX_DIGITS 38
/** Largest scale (digits after the point). */
#define NAX_DECIMAL_MAX_SCALE 18
/** A buffer of this size holds any formatted decimal and its NUL. */
#define NAX_DECIMAL_STRING_MAX 48

/**
 * @brief An exact decimal number. Treat the members as private: use the
 * functions below. A zero-initialised value is a valid 0 with scale 0.
 */
typedef struct nax_decimal {
    uint64_t lo;         /**< private: low 64 bits of the coefficient's magnitude */
    uint64_t hi;         /**< private: high 64 bits of the coefficient's magnitude */
    uint8_t scale;       /**< private: digits after the point, 0..18 */
    uint8_t negative;    /**< private: 1 when the value is below zero (never for zero) */
    uint8_t reserved[6]; /**< private: zero */
} nax_decimal;

/** @brief How to round when a result has more digits than the target scale. */
typedef enum nax_rounding {
    NAX_ROUND_DOWN = 0,      /**< toward zero (truncate) */
    NAX_ROUND_HALF_EVEN = 1, /**< to nearest; ties to the even neighbour (banker's) */
    NAX_ROUND_UP = 2,        /**< away from zero */
    NAX_ROUND_HALF_UP = 3,   /**< to nearest; ties away from zero */
    NAX_ROUND_FLOOR = 4,     /**< toward negative infinity */
    NAX_ROUND_CEILING = 5    /**< toward positive infinity */
} nax_rounding;

/**
 * @brief Parse a decimal string strictly.
 *
 * Accepted: an optional `-`, then `0` or a digit string without leading
 * zeros, then optionally `.` and 1 to 18 digits. Nothing else: no `+`,
 * exponent, spaces, leading `.` or trailing `.`. `"-0"` parses as 0.
 *
 * @param out receives the value.
 * @param str the text; need not be NUL-terminated.
 * @param len number of bytes at @p str.
 * @param error_offset when not NULL and the text is rejected, receives the
 *        byte offset of the first offending character (@p len when the text
 *        ends too early).
 * @return 0; #NAX_EPARSE for malformed text (the message gives the offset);
 *         #NAX_EOVERFLOW for more than 38 digits or a scale above 18;
 *         #NAX_EINVAL for NULL @p out or @p str.
 */
NAX_API int nax_decimal_parse(nax_decimal *out, const char *str, size_t len, size_t *error_offset);

/**
 * @brief Format in canonical form: the value with its own scale, `-` only
 * below zero, no exponent, e.g. `"-12.500"`.
 * @param buf receives the NUL-terminated text; #NAX_DECIMAL_STRING_MAX bytes always suffice.
 * @param size bytes available at @p buf.
 * @param d the value.
 * @return the length written (without NUL), or #NAX_EBUFSIZE / #NAX_EINVAL.
 */
NAX_API int nax_decimal_format(char *buf, size_t size, const nax_decimal *d);

/**
 * @brief Format rounded to exactly @p scale digits after the point.
 * @param buf receives the NUL-terminated text.
 * @param size bytes available at @p buf.
 * @param d the value.
 * @param scale digits after the point, 0..18.
 * @param mode rounding used when @p d has more digits.
 * @return the length written, or #NAX_EBUFSIZE, #NAX_EINVAL, #NAX_EOVERFLOW.
 */
NAX_API int nax_decimal_format_fixed(char *buf, size_t size, const nax_decimal *d, int scale,
                                     nax_rounding mode);

/**
 * @brief Make a decimal from an integer coefficient and a scale:
 * `coefficient × 10^-scale` (e.g. `(12345, 2)` is 123.45).
 * @return 0, or #NAX_EINVAL for a scale above 18 or NULL @p out.
 */
NAX_API int nax_decimal_from_int(nax_decimal *out, int64_t coefficient, int scale);

/**
 * @brief Convert to an integer count of `10^-scale` units, exactly
 * (e.g. 1.5 at scale 8 gives 150000000).
 * @return 0; #NAX_EPARSE when the value has more digits than @p scale keeps
 *         (nothing is rounded); #NAX_EOVERFLOW when it does not fit in int64;
 *         #NAX_EINVAL for a bad scale or NULL arguments.
 */
NAX_API int nax_decimal_to_int(int64_t *out, const nax_decimal *d, int scale);

/**
 * @brief Compare two values numerically (`1.0` equals `1.00`).
 * @return -1, 0 or 1 as @p a is less than, equal to or greater than @p b.
 */
NAX_API int nax_decimal_cmp(const nax_decimal *a, const nax_decimal *b);

/** @brief 1 when @p d is zero (at any scale), else 0. */
NAX_API int nax_decimal_is_zero(const nax_decimal *d);

/** @brief -1, 0 or 1 for a negative, zero or positive value. */
NAX_API int nax_decimal_sign(const nax_decimal *d);

/** @brief The scale (digits after the point) of @p d. */
NAX_API int nax_decimal_scale(const nax_decimal *d);

/**
 * @brief `out = a + b`, exact; the result's scale is the larger of the two.
 * @return 0 or #NAX_EOVERFLOW.
 */
NAX_API int nax_decimal_add(nax_decimal *out, const nax_decimal *a, const nax_decimal *b);

/**
 * @brief `out = a - b`, exact; the result's scale is the larger of the two.
 * @return 0 or #NAX_EOVERFLOW.
 */
NAX_API int nax_decimal_sub(nax_decimal *out, const nax_decimal *a, const nax_decimal *b);

/** @brief `out = -a`. Never fails for valid input; returns 0. */
NAX_API int nax_decimal_neg(nax_decimal *out, const nax_decimal *a);

/**
 * @brief `out = a × b`, computed exactly and then rounded to @p scale digits.
 * @param out receives the product.
 * @param a first factor.
 * @param b second factor.
 * @param scale result scale, 0..18.
 * @param mode rounding of the exact product.
 * @return 0, #NAX_EOVERFLOW, or #NAX_EINVAL for a bad scale or mode.
 */
NAX_API int nax_decimal_mul(nax_decimal *out, const nax_decimal *a, const nax_decimal *b, int scale,
                            nax_rounding mode);

/**
 * @brief `out = a ÷ b`, rounded to @p scale digits as if computed exactly.
 * @param out receives the quotient.
 * @param a dividend.
 * @param b divisor.
 * @param scale result scale, 0..18.
 * @param mode rounding of the exact quotient.
 * @return 0, #NAX_EDIVZERO, #NAX_EOVERFLOW, or #NAX_EINVAL.
 */
NAX_API int nax_decimal_div(nax_decimal *out, const nax_decimal *a, const nax_decimal *b, int scale,
                            nax_rounding mode);

/**
 * @brief Round (or extend with zeros) to exactly @p scale digits after the point.
 * @return 0, #NAX_EOVERFLOW, or #NAX_EINVAL.
 */
NAX_API int nax_decimal_rescale(nax_decimal *out, const nax_decimal *a, int scale,
                                nax_rounding mode);

/**
 * @brief Remove trailing zeros after the point (`"1.500"` → `"1.5"`, `"2.00"` → `"2"`).
 * @return 0.
 */
NAX_API int nax_decimal_normalize(nax_decimal *out, const nax_decimal *a);

/**
 * @brief Round @p a to a multiple of @p step (a tick or lot size):
 * `round(a / step) × step`; the result has @p step's scale.
 * @param out receives the rounded value.
 * @param a the value to round.
 * @param step must be greater than zero.
 * @param mode how to round `a / step` to an integer.
 * @return 0, #NAX_EINVAL for a step ≤ 0, or #NAX_EOVERFLOW.
 */
NAX_API int nax_decimal_quantize(nax_decimal *out, const nax_decimal *a, const nax_decimal *step,
                                 nax_rounding mode);

/**
 * @brief Whether @p a is an exact multiple of @p step.
 * @return 1 if it is, 0 if not, #NAX_EINVAL when @p step ≤ 0.
 */
NAX_API int nax_decimal_is_multiple(const nax_decimal *a, const nax_decimal *step);

NAX_END_DECLS

#endif /* NAX_DECIMAL_H */

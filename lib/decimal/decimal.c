/*
 * Public decimal API: argument checks and error detail around the
 * nax__dec_* fast paths. Results go to a local first and are copied out only
 * on success, so a failing call leaves *out untouched even when it aliases
 * an input.
 */
#include <string.h>

#include "core/core.h"
#include "decimal/decimal_internal.h"

static int invalid_value(const char *what)
{
    return nax__error(NAX_EINVAL, "decimal: %s is NULL or not a valid decimal", what);
}

static int check_scale_mode(int scale, nax_rounding mode)
{
    if (scale < 0 || scale > NAX_DECIMAL_MAX_SCALE)
        return nax__error(NAX_EINVAL, "decimal: scale %d is outside 0..%d", scale,
                          NAX_DECIMAL_MAX_SCALE);
    if (!nax__dec_mode_valid((int)mode))
        return nax__error(NAX_EINVAL, "decimal: unknown rounding mode %d", (int)mode);
    return 0;
}

static int arith_error(int code, const char *op)
{
    switch (code) {
    case NAX_EOVERFLOW:
        return nax__error(code, "decimal %s: result needs more than %d digits", op,
                          NAX_DECIMAL_MAX_DIGITS);
    case NAX_EDIVZERO: return nax__error(code, "decimal %s: division by zero", op);
    case NAX_EINVAL: return nax__error(code, "decimal %s: step must be greater than zero", op);
    default: return nax__error(code, "decimal %s failed", op);
    }
}

/* ---- text ---- */

int nax_decimal_parse(nax_decimal *out, const char *str, size_t len, size_t *error_offset)
{
    if (!out || !str)
        return nax__error(NAX_EINVAL, "decimal parse: NULL argument");
    size_t offset;
    int rc = nax__dec_parse(out, str, len, &offset);
    if (rc == 0)
        return 0;
    if (error_offset)
        *error_offset = offset;
    return nax__dec_fail(rc, NULL, str, len, offset);
}

/* Copies formatted text to the caller's buffer if it fits, with its NUL. */
static int emit(char *buf, size_t size, const char *text, size_t len)
{
    if (len + 1 > size)
        return nax__error(NAX_EBUFSIZE, "decimal format: %zu bytes needed, buffer has %zu", len + 1,
                          size);
    memcpy(buf, text, len + 1);
    return (int)len;
}

int nax_decimal_format(char *buf, size_t size, const nax_decimal *d)
{
    if (!buf || !d || !nax__dec_valid(d))
        return invalid_value("the value to format");
    char text[NAX_DECIMAL_STRING_MAX];
    size_t len = nax__dec_format(text, d);
    return emit(buf, size, text, len);
}

int nax_decimal_format_fixed(char *buf, size_t size, const nax_decimal *d, int scale,
                             nax_rounding mode)
{
    if (!buf || !d || !nax__dec_valid(d))
        return invalid_value("the value to format");
    int rc = check_scale_mode(scale, mode);
    if (rc)
        return rc;
    nax_decimal rounded;
    rc = nax__dec_rescale(&rounded, d, scale, mode);
    if (rc)
        return arith_error(rc, "format");
    char text[NAX_DECIMAL_STRING_MAX];
    size_t len = nax__dec_format(text, &rounded);
    return emit(buf, size, text, len);
}

/* ---- integers ---- */

int nax_decimal_from_int(nax_decimal *out, int64_t coefficient, int scale)
{
    if (!out)
        return invalid_value("out");
    if (scale < 0 || scale > NAX_DECIMAL_MAX_SCALE)
        return nax__error(NAX_EINVAL, "decimal: scale %d is outside 0..%d", scale,
                          NAX_DECIMAL_MAX_SCALE);
    /* Negate in unsigned arithmetic so INT64_MIN works. */
    uint64_t mag = coefficient < 0 ? 0 - (uint64_t)coefficient : (uint64_t)coefficient;
    nax__dec_store(out, mag, scale, coefficient < 0);
    return 0;
}

int nax_decimal_to_int(int64_t *out, const nax_decimal *d, int scale)
{
    if (!out || !d || !nax__dec_valid(d))
        return invalid_value("the value to convert");
    int64_t value;
    int rc = nax__dec_to_int(&value, d, scale);
    switch (rc) {
    case 0: *out = value; return 0;
    case NAX_EINVAL:
        return nax__error(rc, "decimal: scale %d is outside 0..%d", scale, NAX_DECIMAL_MAX_SCALE);
    case NAX_EPARSE:
        return nax__error(rc, "decimal to int: the value has more than %d digits after the point",
                          scale);
    default: return nax__error(rc, "decimal to int: the value does not fit in int64");
    }
}

/* ---- queries ---- */

/* The queries cannot report errors; they read NULL as zero rather than crash. */
static const nax_decimal zero_value;

static const nax_decimal *or_zero(const nax_decimal *d)
{
    return d ? d : &zero_value;
}

int nax_decimal_cmp(const nax_decimal *a, const nax_decimal *b)
{
    return nax__dec_cmp(or_zero(a), or_zero(b));
}

int nax_decimal_is_zero(const nax_decimal *d)
{
    d = or_zero(d);
    return (d->lo | d->hi) == 0;
}

int nax_decimal_sign(const nax_decimal *d)
{
    d = or_zero(d);
    if ((d->lo | d->hi) == 0)
        return 0;
    return d->negative ? -1 : 1;
}

int nax_decimal_scale(const nax_decimal *d)
{
    return or_zero(d)->scale;
}

/* ---- arithmetic ---- */

static int check_operands(const nax_decimal *out, const nax_decimal *a, const nax_decimal *b)
{
    if (!out)
        return invalid_value("out");
    if (!a || !nax__dec_valid(a))
        return invalid_value("the first operand");
    if (b && !nax__dec_valid(b))
        return invalid_value("the second operand");
    return 0;
}

static int add_or_sub(nax_decimal *out, const nax_decimal *a, const nax_decimal *b, int subtract)
{
    int rc = check_operands(out, a, b);
    if (rc)
        return rc;
    if (!b)
        return invalid_value("the second operand");
    nax_decimal r;
    rc = nax__dec_add(&r, a, b, subtract);
    if (rc)
        return arith_error(rc, subtract ? "sub" : "add");
    *out = r;
    return 0;
}

int nax_decimal_add(nax_decimal *out, const nax_decimal *a, const nax_decimal *b)
{
    return add_or_sub(out, a, b, 0);
}

int nax_decimal_sub(nax_decimal *out, const nax_decimal *a, const nax_decimal *b)
{
    return add_or_sub(out, a, b, 1);
}

int nax_decimal_neg(nax_decimal *out, const nax_decimal *a)
{
    int rc = check_operands(out, a, NULL);
    if (rc)
        return rc;
    nax__dec_store(out, nax__dec_mag(a), a->scale, !a->negative);
    return 0;
}

typedef int (*binary_rounded_op)(nax_decimal *, const nax_decimal *, const nax_decimal *, int,
                                 nax_rounding);

static int rounded_op(binary_rounded_op op, const char *name, nax_decimal *out,
                      const nax_decimal *a, const nax_decimal *b, int scale, nax_rounding mode)
{
    int rc = check_operands(out, a, b);
    if (rc)
        return rc;
    if (!b)
        return invalid_value("the second operand");
    rc = check_scale_mode(scale, mode);
    if (rc)
        return rc;
    nax_decimal r;
    rc = op(&r, a, b, scale, mode);
    if (rc)
        return arith_error(rc, name);
    *out = r;
    return 0;
}

int nax_decimal_mul(nax_decimal *out, const nax_decimal *a, const nax_decimal *b, int scale,
                    nax_rounding mode)
{
    return rounded_op(nax__dec_mul, "mul", out, a, b, scale, mode);
}

int nax_decimal_div(nax_decimal *out, const nax_decimal *a, const nax_decimal *b, int scale,
                    nax_rounding mode)
{
    return rounded_op(nax__dec_div, "div", out, a, b, scale, mode);
}

int nax_decimal_rescale(nax_decimal *out, const nax_decimal *a, int scale, nax_rounding mode)
{
    int rc = check_operands(out, a, NULL);
    if (rc)
        return rc;
    rc = check_scale_mode(scale, mode);
    if (rc)
        return rc;
    nax_decimal r;
    rc = nax__dec_rescale(&r, a, scale, mode);
    if (rc)
        return arith_error(rc, "rescale");
    *out = r;
    return 0;
}

int nax_decimal_normalize(nax_decimal *out, const nax_decimal *a)
{
    int rc = check_operands(out, a, NULL);
    if (rc)
        return rc;
    nax__dec_normalize(out, a);
    return 0;
}

/* A valid, strictly positive step, or the error that explains why not. */
static int check_step(const nax_decimal *step)
{
    if (!step || !nax__dec_valid(step))
        return invalid_value("step");
    if (step->negative || (step->lo | step->hi) == 0)
        return nax__error(NAX_EINVAL, "decimal: step must be greater than zero");
    return 0;
}

int nax_decimal_quantize(nax_decimal *out, const nax_decimal *a, const nax_decimal *step,
                         nax_rounding mode)
{
    int rc = check_operands(out, a, NULL);
    if (rc || (rc = check_step(step)) != 0)
        return rc;
    rc = check_scale_mode(0, mode);
    if (rc)
        return rc;
    nax_decimal r;
    rc = nax__dec_quantize(&r, a, step, mode);
    if (rc)
        return arith_error(rc, "quantize");
    *out = r;
    return 0;
}

int nax_decimal_is_multiple(const nax_decimal *a, const nax_decimal *step)
{
    if (!a || !nax__dec_valid(a))
        return invalid_value("the value");
    int rc = check_step(step);
    if (rc)
        return rc;
    return nax__dec_is_multiple(a, step);
}

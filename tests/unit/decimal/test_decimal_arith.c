/* Decimal arithmetic on hand-checked values: every op, every rounding mode, the edges. */
#include <string.h>

#include "decimal/decimal_internal.h"
#include "decimal_test.h"

static const nax_rounding all_modes[6] = {NAX_ROUND_DOWN,    NAX_ROUND_UP,    NAX_ROUND_HALF_EVEN,
                                          NAX_ROUND_HALF_UP, NAX_ROUND_FLOOR, NAX_ROUND_CEILING};

/* Expected results in the order of all_modes. */
typedef struct per_mode {
    const char *in;
    const char *out[6];
} per_mode;

/* ---- compare, sign ---- */

START_TEST(cmp_is_numeric)
{
    nax_decimal a = DEC("1.0"), b = DEC("1.00");
    ck_assert_int_eq(nax_decimal_cmp(&a, &b), 0);
    a = DEC("-1"), b = DEC("0");
    ck_assert_int_eq(nax_decimal_cmp(&a, &b), -1);
    ck_assert_int_eq(nax_decimal_cmp(&b, &a), 1);
    a = DEC("0.1"), b = DEC("0.09");
    ck_assert_int_eq(nax_decimal_cmp(&a, &b), 1);
    a = DEC("-0.1"), b = DEC("-0.09");
    ck_assert_int_eq(nax_decimal_cmp(&a, &b), -1);
    a = DEC("0.000"), b = DEC("-0");
    ck_assert_int_eq(nax_decimal_cmp(&a, &b), 0);
    /* Aligning 38 digits to scale 18 needs more than 128 bits. */
    a = DEC(NINES38), b = DEC("0.000000000000000001");
    ck_assert_int_eq(nax_decimal_cmp(&a, &b), 1);
    ck_assert_int_eq(nax_decimal_cmp(&b, &a), -1);
    a = DEC("-" NINES38), b = DEC("-0.000000000000000001");
    ck_assert_int_eq(nax_decimal_cmp(&a, &b), -1);
    a = DEC("12345678901234567890.5"), b = DEC("12345678901234567890.499999999999999999");
    ck_assert_int_eq(nax_decimal_cmp(&a, &b), 1);
}
END_TEST

START_TEST(sign_and_zero)
{
    nax_decimal z = DEC("0.00"), p = DEC("0.01"), n = DEC("-0.01");
    ck_assert_int_eq(nax_decimal_is_zero(&z), 1);
    ck_assert_int_eq(nax_decimal_is_zero(&p), 0);
    ck_assert_int_eq(nax_decimal_sign(&z), 0);
    ck_assert_int_eq(nax_decimal_sign(&p), 1);
    ck_assert_int_eq(nax_decimal_sign(&n), -1);
    ck_assert_int_eq(nax_decimal_scale(&z), 2);
}
END_TEST

/* ---- add, sub, neg ---- */

START_TEST(add_sub_exact_with_larger_scale)
{
    nax_decimal a = DEC("1.1"), b = DEC("2.25"), r;
    ck_assert_int_eq(nax_decimal_add(&r, &a, &b), 0);
    ASSERT_DEC(&r, "3.35");
    ck_assert_int_eq(nax_decimal_sub(&r, &a, &b), 0);
    ASSERT_DEC(&r, "-1.15");
    a = DEC("1.50"), b = DEC("-1.5");
    ck_assert_int_eq(nax_decimal_add(&r, &a, &b), 0);
    ASSERT_DEC(&r, "0.00");
    ck_assert_int_eq(nax_decimal_sign(&r), 0);
    a = DEC("-0.5"), b = DEC("0.25");
    nax_decimal_add(&r, &a, &b);
    ASSERT_DEC(&r, "-0.25");
    a = DEC("1"), b = DEC("0.001");
    nax_decimal_sub(&r, &a, &b);
    ASSERT_DEC(&r, "0.999");
    a = DEC("-1"), b = DEC("1");
    nax_decimal_sub(&r, &a, &b);
    ASSERT_DEC(&r, "-2");
    a = DEC("0.000000000000000001"), b = DEC("-0.000000000000000002");
    nax_decimal_sub(&r, &a, &b);
    ASSERT_DEC(&r, "0.000000000000000003");
}
END_TEST

START_TEST(add_sub_overflow_edge)
{
    nax_decimal max = DEC(NINES38), one = DEC("1"), r = DEC("42");
    ck_assert_int_eq(nax_decimal_add(&r, &max, &one), NAX_EOVERFLOW);
    ASSERT_DEC(&r, "42");
    ck_assert_int_eq(nax_error_last()->code, NAX_EOVERFLOW);
    nax_decimal min = DEC("-" NINES38);
    ck_assert_int_eq(nax_decimal_sub(&r, &min, &one), NAX_EOVERFLOW);
    ck_assert_int_eq(nax_decimal_add(&r, &max, &min), 0);
    ASSERT_DEC(&r, "0");
    ck_assert_int_eq(nax_decimal_sub(&r, &max, &one), 0);
    ASSERT_DEC(&r, "99999999999999999999999999999999999998");
    /* Aligning max to scale 18 needs 56 digits. */
    nax_decimal tiny = DEC("0.000000000000000001");
    ck_assert_int_eq(nax_decimal_add(&r, &max, &tiny), NAX_EOVERFLOW);
    /* 10^37 at scale 1 is 39 digits, yet the difference fits in 38. */
    nax_decimal big = DEC("10000000000000000000000000000000000000"), tenth = DEC("0.1");
    ck_assert_int_eq(nax_decimal_sub(&r, &big, &tenth), 0);
    ASSERT_DEC(&r, "9999999999999999999999999999999999999.9");
    ck_assert_int_eq(nax_decimal_add(&r, &big, &tenth), NAX_EOVERFLOW);
}
END_TEST

START_TEST(add_aliasing)
{
    nax_decimal a = DEC("1.25"), b = DEC("0.5");
    ck_assert_int_eq(nax_decimal_add(&a, &a, &b), 0);
    ASSERT_DEC(&a, "1.75");
    ck_assert_int_eq(nax_decimal_add(&a, &a, &a), 0);
    ASSERT_DEC(&a, "3.50");
    ck_assert_int_eq(nax_decimal_sub(&b, &a, &b), 0);
    ASSERT_DEC(&b, "3.00");
    ck_assert_int_eq(nax_decimal_sub(&a, &a, &a), 0);
    ASSERT_DEC(&a, "0.00");
}
END_TEST

START_TEST(neg_never_makes_negative_zero)
{
    nax_decimal a = DEC("0.0"), r;
    ck_assert_int_eq(nax_decimal_neg(&r, &a), 0);
    ck_assert_int_eq(nax_decimal_sign(&r), 0);
    ASSERT_DEC(&r, "0.0");
    a = DEC("1.5");
    nax_decimal_neg(&a, &a);
    ASSERT_DEC(&a, "-1.5");
    nax_decimal_neg(&a, &a);
    ASSERT_DEC(&a, "1.5");
}
END_TEST

/* ---- rescale ---- */

static const per_mode rescale_to_0[] = {
    /*            DOWN   UP     H_EVEN H_UP   FLOOR  CEILING */
    {"2.5", {"2", "3", "2", "3", "2", "3"}},
    {"-2.5", {"-2", "-3", "-2", "-3", "-3", "-2"}},
    {"3.5", {"3", "4", "4", "4", "3", "4"}},
    {"-3.5", {"-3", "-4", "-4", "-4", "-4", "-3"}},
    {"2.51", {"2", "3", "3", "3", "2", "3"}},
    {"-2.49", {"-2", "-3", "-2", "-2", "-3", "-2"}},
    {"7", {"7", "7", "7", "7", "7", "7"}},
    {"-0.4", {"0", "-1", "0", "0", "-1", "0"}},
    {"0.000000000000000001", {"0", "1", "0", "0", "0", "1"}},
};

START_TEST(rescale_each_mode)
{
    const per_mode *c = &rescale_to_0[_i];
    for (int m = 0; m < 6; m++) {
        nax_decimal a = DEC(c->in), r;
        ck_assert_int_eq(nax_decimal_rescale(&r, &a, 0, all_modes[m]), 0);
        ASSERT_DEC(&r, c->out[m]);
        if (nax_decimal_is_zero(&r))
            ck_assert_int_eq(nax_decimal_sign(&r), 0);
    }
}
END_TEST

START_TEST(rescale_extends_and_overflows)
{
    nax_decimal a = DEC("1.23"), r;
    ck_assert_int_eq(nax_decimal_rescale(&r, &a, 5, NAX_ROUND_DOWN), 0);
    ASSERT_DEC(&r, "1.23000");
    a = DEC("-0.004");
    ck_assert_int_eq(nax_decimal_rescale(&r, &a, 2, NAX_ROUND_HALF_UP), 0);
    ASSERT_DEC(&r, "0.00");
    a = DEC("9999999999999999999999999999999999999.9");
    ck_assert_int_eq(nax_decimal_rescale(&r, &a, 0, NAX_ROUND_UP), 0);
    ASSERT_DEC(&r, "10000000000000000000000000000000000000");
    a = DEC("99999999999999999999.999999999999999999");
    ck_assert_int_eq(nax_decimal_rescale(&r, &a, 17, NAX_ROUND_HALF_UP), 0);
    ASSERT_DEC(&r, "100000000000000000000.00000000000000000");
    a = DEC(NINES38);
    r = DEC("5");
    ck_assert_int_eq(nax_decimal_rescale(&r, &a, 1, NAX_ROUND_DOWN), NAX_EOVERFLOW);
    ASSERT_DEC(&r, "5");
    a = DEC("1000000000000000000000");
    /* 22 digits: 16 more fit, 17 do not */
    ck_assert_int_eq(nax_decimal_rescale(&r, &a, 16, NAX_ROUND_DOWN), 0);
    ck_assert_int_eq(nax_decimal_rescale(&r, &a, 17, NAX_ROUND_DOWN), NAX_EOVERFLOW);
    ck_assert_int_eq(nax_decimal_rescale(&a, &a, 2, NAX_ROUND_DOWN), 0);
    ASSERT_DEC(&a, "1000000000000000000000.00");
}
END_TEST

START_TEST(rescale_rejects_bad_scale_and_mode)
{
    nax_decimal a = DEC("1"), r;
    ck_assert_int_eq(nax_decimal_rescale(&r, &a, 19, NAX_ROUND_DOWN), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_rescale(&r, &a, -1, NAX_ROUND_DOWN), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_rescale(&r, &a, 2, (nax_rounding)6), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_rescale(&r, &a, 2, (nax_rounding)-1), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_rescale(NULL, &a, 2, NAX_ROUND_DOWN), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_rescale(&r, NULL, 2, NAX_ROUND_DOWN), NAX_EINVAL);
}
END_TEST

/* ---- mul ---- */

typedef struct binop_case {
    const char *a, *b;
    int scale;
    const char *out[6]; /* per all_modes; NULL means NAX_EOVERFLOW */
} binop_case;

/* 37 nines, the point, a nine: 38 digits at scale 1. */
#define E37_9 "9999999999999999999999999999999999999.9"

static const binop_case mul_cases[] = {
    {"1.5", "1.5", 1, {"2.2", "2.3", "2.2", "2.3", "2.2", "2.3"}},
    {"-1.5", "1.5", 1, {"-2.2", "-2.3", "-2.2", "-2.3", "-2.3", "-2.2"}},
    {"1.5", "-2.5", 2, {"-3.75", "-3.75", "-3.75", "-3.75", "-3.75", "-3.75"}},
    {"2.5", "1.5", 1, {"3.7", "3.8", "3.8", "3.8", "3.7", "3.8"}},
    {"-2.5", "-1.5", 1, {"3.7", "3.8", "3.8", "3.8", "3.7", "3.8"}},
    {"2", "3", 4, {"6.0000", "6.0000", "6.0000", "6.0000", "6.0000", "6.0000"}},
    {"0.001", "-0.001", 4, {"0.0000", "-0.0001", "0.0000", "0.0000", "-0.0001", "0.0000"}},
    /* price x quantity at 8 places: exactly 53.3953006484 */
    {"43250.12",
     "0.00123457",
     8,
     {"53.39530064", "53.39530065", "53.39530065", "53.39530065", "53.39530064", "53.39530065"}},
    /* the exact product (56 digits) needs 256 bits */
    {"0.999999999999999999",
     "99999999999999999999.999999999999999999",
     18,
     {"99999999999999999899.999999999999999999", "99999999999999999900.000000000000000000",
      "99999999999999999899.999999999999999999", "99999999999999999899.999999999999999999",
      "99999999999999999899.999999999999999999", "99999999999999999900.000000000000000000"}},
    /* 999 x 100100...100.1 = 10^38 - 0.1: rounding up needs a 39th digit */
    {"999",
     "100100100100100100100100100100100100.1",
     0,
     {NINES38, NULL, NULL, NULL, NINES38, NULL}},
    {NINES38, "1", 0, {NINES38, NINES38, NINES38, NINES38, NINES38, NINES38}},
    {"10000000000000000000", "10000000000000000000", 0, {NULL, NULL, NULL, NULL, NULL, NULL}},
    {NINES38, NINES38, 18, {NULL, NULL, NULL, NULL, NULL, NULL}},
    {NINES38, "0.1", 1, {E37_9, E37_9, E37_9, E37_9, E37_9, E37_9}},
    {NINES38, "0.1", 2, {NULL, NULL, NULL, NULL, NULL, NULL}},
};

static void check_binop(int (*op)(nax_decimal *, const nax_decimal *, const nax_decimal *, int,
                                  nax_rounding),
                        const binop_case *c, int index)
{
    for (int m = 0; m < 6; m++) {
        nax_decimal a = DEC(c->a), b = DEC(c->b), r = DEC("-7.5");
        int rc = op(&r, &a, &b, c->scale, all_modes[m]);
        if (!c->out[m]) {
            ck_assert_msg(rc == NAX_EOVERFLOW, "case %d mode %d: rc %d", index, m, rc);
            ASSERT_DEC(&r, "-7.5");
            continue;
        }
        ck_assert_msg(rc == 0, "case %d mode %d: rc %d", index, m, rc);
        ASSERT_DEC(&r, c->out[m]);
    }
}

START_TEST(mul_each_mode)
{
    check_binop(nax_decimal_mul, &mul_cases[_i], _i);
}
END_TEST

START_TEST(mul_aliasing_and_errors)
{
    nax_decimal a = DEC("1.1");
    ck_assert_int_eq(nax_decimal_mul(&a, &a, &a, 2, NAX_ROUND_DOWN), 0);
    ASSERT_DEC(&a, "1.21");
    ck_assert_int_eq(nax_decimal_mul(&a, &a, &a, 19, NAX_ROUND_DOWN), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_mul(&a, &a, &a, 2, (nax_rounding)9), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_mul(&a, &a, NULL, 2, NAX_ROUND_DOWN), NAX_EINVAL);
    ASSERT_DEC(&a, "1.21");
}
END_TEST

/* ---- div ---- */

static const binop_case div_cases[] = {
    {"1", "3", 5, {"0.33333", "0.33334", "0.33333", "0.33333", "0.33333", "0.33334"}},
    {"-1", "3", 5, {"-0.33333", "-0.33334", "-0.33333", "-0.33333", "-0.33334", "-0.33333"}},
    {"2", "3", 2, {"0.66", "0.67", "0.67", "0.67", "0.66", "0.67"}},
    /* exact ties */
    {"1", "8", 2, {"0.12", "0.13", "0.12", "0.13", "0.12", "0.13"}},
    {"-1", "8", 2, {"-0.12", "-0.13", "-0.12", "-0.13", "-0.13", "-0.12"}},
    {"3", "8", 2, {"0.37", "0.38", "0.38", "0.38", "0.37", "0.38"}},
    {"-3", "-8", 2, {"0.37", "0.38", "0.38", "0.38", "0.37", "0.38"}},
    {"10", "4", 0, {"2", "3", "2", "3", "2", "3"}},
    {"6", "0.5", 3, {"12.000", "12.000", "12.000", "12.000", "12.000", "12.000"}},
    {"0", "-7", 2, {"0.00", "0.00", "0.00", "0.00", "0.00", "0.00"}},
    /* the divisor scaled to the result needs more than 128 bits: quotient below 1e-0 */
    {"0.000000000000000001", NINES38, 0, {"0", "1", "0", "0", "0", "1"}},
    {"-0.000000000000000001", NINES38, 0, {"0", "-1", "0", "0", "-1", "0"}},
    /* the dividend scaled to the result needs 256 bits */
    {"12345678901234567890123456.78",
     "98765432109876543210.987654321",
     18,
     {"124999.998860937500014238", "124999.998860937500014239", "124999.998860937500014238",
      "124999.998860937500014238", "124999.998860937500014238", "124999.998860937500014239"}},
    {"1",
     "3",
     18,
     {"0.333333333333333333", "0.333333333333333334", "0.333333333333333333",
      "0.333333333333333333", "0.333333333333333333", "0.333333333333333334"}},
    {NINES38, "0.000000000000000001", 0, {NULL, NULL, NULL, NULL, NULL, NULL}},
    {NINES38, "7", 1, {NULL, NULL, NULL, NULL, NULL, NULL}},
    /* (10^38 - 1) / (1 + 10^-18) = 10^38 - 10^20 + 99 - 99 / (10^18 + 1) */
    {NINES38,
     "1.000000000000000001",
     0,
     {"99999999999999999900000000000000000098", "99999999999999999900000000000000000099",
      "99999999999999999900000000000000000099", "99999999999999999900000000000000000099",
      "99999999999999999900000000000000000098", "99999999999999999900000000000000000099"}},
};

START_TEST(div_each_mode)
{
    check_binop(nax_decimal_div, &div_cases[_i], _i);
}
END_TEST

START_TEST(div_by_zero)
{
    nax_decimal a = DEC("1"), z = DEC("0.00"), r = DEC("3");
    ck_assert_int_eq(nax_decimal_div(&r, &a, &z, 2, NAX_ROUND_DOWN), NAX_EDIVZERO);
    ASSERT_DEC(&r, "3");
    ck_assert_int_eq(nax_error_last()->code, NAX_EDIVZERO);
    ck_assert_int_eq(nax_decimal_div(&r, &z, &z, 2, NAX_ROUND_DOWN), NAX_EDIVZERO);
    ck_assert_int_eq(nax_decimal_div(&a, &a, &z, 2, NAX_ROUND_DOWN), NAX_EDIVZERO);
    ASSERT_DEC(&a, "1");
}
END_TEST

START_TEST(div_aliasing)
{
    nax_decimal a = DEC("10"), b = DEC("4");
    ck_assert_int_eq(nax_decimal_div(&b, &a, &b, 1, NAX_ROUND_DOWN), 0);
    ASSERT_DEC(&b, "2.5");
    ck_assert_int_eq(nax_decimal_div(&a, &a, &a, 3, NAX_ROUND_DOWN), 0);
    ASSERT_DEC(&a, "1.000");
}
END_TEST

/* ---- normalize ---- */

START_TEST(normalize_strips_fraction_zeros_only)
{
    static const char *const cases[][2] = {
        {"1.500", "1.5"},
        {"2.00", "2"},
        {"100", "100"},
        {"0.000", "0"},
        {"-1.10", "-1.1"},
        {"0.05", "0.05"},
        {"1000.000000000000000000", "1000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        nax_decimal d = DEC(cases[i][0]);
        ck_assert_int_eq(nax_decimal_normalize(&d, &d), 0);
        ASSERT_DEC(&d, cases[i][1]);
    }
}
END_TEST

/* ---- quantize, is_multiple ---- */

typedef struct step_case {
    const char *a, *step;
    const char *out[6]; /* per all_modes; NULL means NAX_EOVERFLOW */
} step_case;

static const step_case quantize_cases[] = {
    /* tick 0.01 */
    {"123.456", "0.01", {"123.45", "123.46", "123.46", "123.46", "123.45", "123.46"}},
    {"-123.451", "0.01", {"-123.45", "-123.46", "-123.45", "-123.45", "-123.46", "-123.45"}},
    {"123.455", "0.01", {"123.45", "123.46", "123.46", "123.46", "123.45", "123.46"}},
    {"123.445", "0.01", {"123.44", "123.45", "123.44", "123.45", "123.44", "123.45"}},
    /* lot 0.00001 */
    {"1.234567", "0.00001", {"1.23456", "1.23457", "1.23457", "1.23457", "1.23456", "1.23457"}},
    /* tick 0.05: 1.025 / 0.05 = 20.5 exactly */
    {"1.025", "0.05", {"1.00", "1.05", "1.00", "1.05", "1.00", "1.05"}},
    {"-1.025", "0.05", {"-1.00", "-1.05", "-1.00", "-1.05", "-1.05", "-1.00"}},
    {"1.024", "0.05", {"1.00", "1.05", "1.00", "1.00", "1.00", "1.05"}},
    /* step with a smaller scale than a; result takes the step's scale */
    {"12.5", "5", {"10", "15", "10", "15", "10", "15"}},
    {"7", "0.25", {"7.00", "7.00", "7.00", "7.00", "7.00", "7.00"}},
    {"0.004", "0.01", {"0.00", "0.01", "0.00", "0.00", "0.00", "0.01"}},
    {"-0.004", "0.01", {"0.00", "-0.01", "0.00", "0.00", "-0.01", "0.00"}},
    /* a / step scaled needs a divisor beyond 128 bits: the count is 0 or 1 */
    {"0.000000000000000001", NINES38, {"0", NINES38, "0", "0", "0", NINES38}},
    /* count x step exceeds 38 digits */
    {NINES38, "0.1", {NULL, NULL, NULL, NULL, NULL, NULL}},
    {NINES38,
     "2",
     {"99999999999999999999999999999999999998", NULL, NULL, NULL,
      "99999999999999999999999999999999999998", NULL}},
};

START_TEST(quantize_each_mode)
{
    const step_case *c = &quantize_cases[_i];
    for (int m = 0; m < 6; m++) {
        nax_decimal a = DEC(c->a), step = DEC(c->step), r = DEC("-7.5");
        int rc = nax_decimal_quantize(&r, &a, &step, all_modes[m]);
        if (!c->out[m]) {
            ck_assert_msg(rc == NAX_EOVERFLOW, "case %d mode %d: rc %d", _i, m, rc);
            ASSERT_DEC(&r, "-7.5");
            continue;
        }
        ck_assert_msg(rc == 0, "case %d mode %d: rc %d", _i, m, rc);
        ASSERT_DEC(&r, c->out[m]);
    }
}
END_TEST

START_TEST(quantize_rejects_bad_step)
{
    nax_decimal a = DEC("1.5"), zero = DEC("0.00"), negative = DEC("-0.01"), r = DEC("9");
    ck_assert_int_eq(nax_decimal_quantize(&r, &a, &zero, NAX_ROUND_DOWN), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_quantize(&r, &a, &negative, NAX_ROUND_DOWN), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_quantize(&r, &a, NULL, NAX_ROUND_DOWN), NAX_EINVAL);
    ASSERT_DEC(&r, "9");
    nax_decimal step = DEC("0.1");
    ck_assert_int_eq(nax_decimal_quantize(&r, &a, &step, (nax_rounding)6), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_quantize(&a, &a, &step, NAX_ROUND_UP), 0);
    ASSERT_DEC(&a, "1.5");
}
END_TEST

START_TEST(is_multiple_ticks_and_lots)
{
    static const struct {
        const char *a, *step;
        int expected;
    } cases[] = {
        {"123.45", "0.01", 1},
        {"123.455", "0.01", 0},
        {"123.4500", "0.01", 1},
        {"0.00002", "0.00001", 1},
        {"0.000015", "0.00001", 0},
        {"10", "0.25", 1},
        {"10.1", "0.25", 0},
        {"-0.5", "0.25", 1},
        {"0", "0.07", 1},
        {"35", "5", 1},
        {"36", "5", 0},
        /* (10^38 - 1) * 10^18 needs 256 bits */
        {NINES38, "0.000000000000000001", 1},
        {NINES38, "0.000000000000000003", 1},
        {NINES38, "0.000000000000000007", 0},
        /* step * 10^18 needs more than 128 bits */
        {"0.000000000000000001", NINES38, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        nax_decimal a = DEC(cases[i].a), step = DEC(cases[i].step);
        ck_assert_msg(nax_decimal_is_multiple(&a, &step) == cases[i].expected, "case %zu", i);
    }
    nax_decimal a = DEC("1"), zero = DEC("0"), negative = DEC("-1");
    ck_assert_int_eq(nax_decimal_is_multiple(&a, &zero), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_is_multiple(&a, &negative), NAX_EINVAL);
}
END_TEST

/* ---- integers ---- */

START_TEST(to_int_exact)
{
    int64_t v = 99;
    nax_decimal d = DEC("1.5");
    ck_assert_int_eq(nax_decimal_to_int(&v, &d, 8), 0);
    ck_assert_int_eq(v, 150000000);
    d = DEC("1.2300");
    ck_assert_int_eq(nax_decimal_to_int(&v, &d, 2), 0);
    ck_assert_int_eq(v, 123);
    d = DEC("-5");
    ck_assert_int_eq(nax_decimal_to_int(&v, &d, 0), 0);
    ck_assert_int_eq(v, -5);
    d = DEC("9223372036854775807");
    ck_assert_int_eq(nax_decimal_to_int(&v, &d, 0), 0);
    ck_assert_int_eq(v, INT64_MAX);
    d = DEC("-92233720368.54775808");
    ck_assert_int_eq(nax_decimal_to_int(&v, &d, 8), 0);
    ck_assert_int_eq(v, INT64_MIN);
}
END_TEST

START_TEST(to_int_errors)
{
    int64_t v = 99;
    nax_decimal d = DEC("1.23456789");
    ck_assert_int_eq(nax_decimal_to_int(&v, &d, 2), NAX_EPARSE);
    ck_assert_int_eq(v, 99);
    d = DEC("9223372036854775808");
    ck_assert_int_eq(nax_decimal_to_int(&v, &d, 0), NAX_EOVERFLOW);
    d = DEC("92233720368.54775808");
    ck_assert_int_eq(nax_decimal_to_int(&v, &d, 8), NAX_EOVERFLOW);
    d = DEC(NINES38);
    ck_assert_int_eq(nax_decimal_to_int(&v, &d, 18), NAX_EOVERFLOW);
    d = DEC("1");
    ck_assert_int_eq(nax_decimal_to_int(&v, &d, 19), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_to_int(NULL, &d, 0), NAX_EINVAL);
    ck_assert_int_eq(v, 99);
}
END_TEST

START_TEST(from_int_rejects_bad_scale)
{
    nax_decimal d = DEC("4");
    ck_assert_int_eq(nax_decimal_from_int(&d, 1, 19), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_from_int(&d, 1, -1), NAX_EINVAL);
    ASSERT_DEC(&d, "4");
    ck_assert_int_eq(nax_decimal_from_int(NULL, 1, 0), NAX_EINVAL);
}
END_TEST

START_TEST(invalid_operands_are_rejected)
{
    nax_decimal bad = {0}, one = DEC("1"), r = DEC("2");
    bad.hi = UINT64_MAX; /* beyond 38 digits */
    ck_assert_int_eq(nax_decimal_add(&r, &bad, &one), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_add(&r, &one, &bad), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_mul(&r, &one, &bad, 0, NAX_ROUND_DOWN), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_neg(&r, &bad), NAX_EINVAL);
    ASSERT_DEC(&r, "2");
}
END_TEST

/* ---- 256-bit helpers ---- */

static uint64_t next_random(uint64_t *state)
{
    /* xorshift64*: a fixed sequence, so failures replay */
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 2685821657736338717ULL;
}

/* A random 128-bit value with a random bit length, so short divisors occur. */
static nax__u128 random_u128(uint64_t *state)
{
    nax__u128 v = ((nax__u128)next_random(state) << 64) | next_random(state);
    int bits = 1 + (int)(next_random(state) % 128);
    return bits == 128 ? v : v & (((nax__u128)1 << bits) - 1);
}

/* n = q * d + r with r < d must divide back into exactly q and r. */
START_TEST(u256_divmod_inverts_mul)
{
    uint64_t state = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 20000; i++) {
        nax__u128 q = random_u128(&state), d = random_u128(&state);
        if (d == 0)
            d = 1;
        nax__u128 r = random_u128(&state) % d;
        nax__u256 n, quot;
        nax__u256_mul(&n, q, d);
        /* n += r, carrying through the limbs */
        nax__u128 low = ((nax__u128)n.w[1] << 64) | n.w[0];
        nax__u128 sum = low + r;
        n.w[0] = (uint64_t)sum;
        n.w[1] = (uint64_t)(sum >> 64);
        if (sum < low && ++n.w[2] == 0)
            n.w[3]++;
        nax__u128 rem, got;
        nax__u256_divmod(&quot, &rem, &n, d);
        ck_assert_msg(nax__u256_to_u128(&quot, &got) && got == q && rem == r, "iteration %d", i);
    }
}
END_TEST

START_TEST(u256_mul_and_wide_quotients)
{
    /* (2^128 - 1)^2 = 2^256 - 2^129 + 1 */
    nax__u256 n, quot;
    nax__u128 max = ~(nax__u128)0, rem, low;
    nax__u256_mul(&n, max, max);
    ck_assert_uint_eq(n.w[0], 1);
    ck_assert_uint_eq(n.w[1], 0);
    ck_assert_uint_eq(n.w[2], UINT64_MAX - 1);
    ck_assert_uint_eq(n.w[3], UINT64_MAX);
    ck_assert_int_eq(nax__u256_to_u128(&n, &low), 0);
    /* A quotient wider than 128 bits: (2^256 - 2^129 + 1) / 3 */
    nax__u256_divmod(&quot, &rem, &n, 3);
    ck_assert_uint_eq(rem, 0); /* 2^128 - 1 is divisible by 3 */
    ck_assert_uint_eq(quot.w[3], UINT64_MAX / 3);
    nax__u256_divmod(&quot, &rem, &n, max);
    ck_assert_int_eq(nax__u256_to_u128(&quot, &low), 1);
    ck_assert(low == max && rem == 0);
}
END_TEST

Suite *decimal_arith_suite(void)
{
    Suite *s = suite_create("decimal_arith");
    TCase *tc = tcase_create("add");
    tcase_add_test(tc, cmp_is_numeric);
    tcase_add_test(tc, sign_and_zero);
    tcase_add_test(tc, add_sub_exact_with_larger_scale);
    tcase_add_test(tc, add_sub_overflow_edge);
    tcase_add_test(tc, add_aliasing);
    tcase_add_test(tc, neg_never_makes_negative_zero);
    suite_add_tcase(s, tc);

    tc = tcase_create("round");
    tcase_add_loop_test(tc, rescale_each_mode, 0, sizeof rescale_to_0 / sizeof rescale_to_0[0]);
    tcase_add_test(tc, rescale_extends_and_overflows);
    tcase_add_test(tc, rescale_rejects_bad_scale_and_mode);
    tcase_add_loop_test(tc, mul_each_mode, 0, sizeof mul_cases / sizeof mul_cases[0]);
    tcase_add_test(tc, mul_aliasing_and_errors);
    tcase_add_loop_test(tc, div_each_mode, 0, sizeof div_cases / sizeof div_cases[0]);
    tcase_add_test(tc, div_by_zero);
    tcase_add_test(tc, div_aliasing);
    tcase_add_test(tc, normalize_strips_fraction_zeros_only);
    suite_add_tcase(s, tc);

    tc = tcase_create("steps");
    tcase_add_loop_test(tc, quantize_each_mode, 0,
                        sizeof quantize_cases / sizeof quantize_cases[0]);
    tcase_add_test(tc, quantize_rejects_bad_step);
    tcase_add_test(tc, is_multiple_ticks_and_lots);
    suite_add_tcase(s, tc);

    tc = tcase_create("integers");
    tcase_add_test(tc, to_int_exact);
    tcase_add_test(tc, to_int_errors);
    tcase_add_test(tc, from_int_rejects_bad_scale);
    tcase_add_test(tc, invalid_operands_are_rejected);
    suite_add_tcase(s, tc);

    tc = tcase_create("wide");
    tcase_add_test(tc, u256_divmod_inverts_mul);
    tcase_add_test(tc, u256_mul_and_wide_quotients);
    suite_add_tcase(s, tc);
    return s;
}

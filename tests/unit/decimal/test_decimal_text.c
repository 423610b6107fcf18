/* Decimal text: strict parsing with error offsets, canonical and fixed formatting. */
#include <stdio.h>
#include <string.h>

#include "decimal/decimal_internal.h"
#include "decimal_test.h"

/* ---- parse: accepted ---- */

START_TEST(parse_keeps_scale_and_round_trips)
{
    static const char *const canonical[] = {
        "0",
        "1",
        "-1",
        "1.500",
        "-12.500",
        "0.001",
        "123.45",
        "0.00100000",
        "0.000000000000000001",
        "-0.000000000000000001",
        "18446744073709551615", /* 2^64 - 1 */
        "18446744073709551616", /* 2^64: first value needing the high word */
        "9999999999999999999",  /* 19 digits: the last 64-bit fast-path length */
        "10000000000000000000", /* 20 digits */
        NINES38,
        "-" NINES38,
        "99999999999999999999.999999999999999999", /* 38 digits at scale 18 */
        "1234567890123456789012345678.9012345678",
    };
    for (size_t i = 0; i < sizeof canonical / sizeof canonical[0]; i++) {
        nax_decimal d = DEC(canonical[i]);
        ASSERT_DEC(&d, canonical[i]);
    }
}
END_TEST

START_TEST(parse_scale_and_sign)
{
    nax_decimal d = DEC("1.500");
    ck_assert_int_eq(nax_decimal_scale(&d), 3);
    ck_assert_int_eq(nax_decimal_sign(&d), 1);
    d = DEC("-0.25");
    ck_assert_int_eq(nax_decimal_scale(&d), 2);
    ck_assert_int_eq(nax_decimal_sign(&d), -1);
}
END_TEST

START_TEST(parse_negative_zero_is_zero)
{
    nax_decimal d = DEC("-0");
    ck_assert_int_eq(nax_decimal_sign(&d), 0);
    ck_assert_int_eq(nax_decimal_is_zero(&d), 1);
    ASSERT_DEC(&d, "0");
    d = DEC("-0.000");
    ck_assert_int_eq(d.negative, 0);
    ASSERT_DEC(&d, "0.000");
}
END_TEST

START_TEST(parse_honours_length_not_nul)
{
    /* Only the first len bytes count; the text needs no NUL. */
    const char bytes[5] = {'1', '2', '.', '5', '9'};
    nax_decimal d;
    ck_assert_int_eq(nax_decimal_parse(&d, bytes, 4, NULL), 0);
    ASSERT_DEC(&d, "12.5");
    ck_assert_int_eq(nax_decimal_parse(&d, "12345", 3, NULL), 0);
    ASSERT_DEC(&d, "123");
}
END_TEST

START_TEST(parse_leading_fraction_zeros_are_not_significant)
{
    /* 18 fraction digits but only 2 significant ones. */
    nax_decimal d = DEC("0.000000000000000012");
    int64_t units;
    ck_assert_int_eq(nax_decimal_to_int(&units, &d, 18), 0);
    ck_assert_int_eq(units, 12);
}
END_TEST

/* ---- parse: rejected ---- */

typedef struct reject_case {
    const char *text;
    size_t len;
    int code;
    size_t offset;
} reject_case;

#define R(text, code, offset)                                                                      \
    {                                                                                              \
        text, sizeof(text) - 1, code, offset                                                       \
    }

static const reject_case rejects[] = {
    R("", NAX_EPARSE, 0),
    R("-", NAX_EPARSE, 1),
    R("+1", NAX_EPARSE, 0),
    R("1e5", NAX_EPARSE, 1),
    R("1E5", NAX_EPARSE, 1),
    R(".5", NAX_EPARSE, 0),
    R("-.5", NAX_EPARSE, 1),
    R("5.", NAX_EPARSE, 2),
    R("01", NAX_EPARSE, 1),
    R("00", NAX_EPARSE, 1),
    R("-01.5", NAX_EPARSE, 2),
    R("--1", NAX_EPARSE, 1),
    R(" 1", NAX_EPARSE, 0),
    R("1 ", NAX_EPARSE, 1),
    R("1\0", NAX_EPARSE, 1),
    R("\0001", NAX_EPARSE, 0),
    R("1.2.3", NAX_EPARSE, 3),
    R("1..2", NAX_EPARSE, 2),
    R("1,5", NAX_EPARSE, 1),
    R("abc", NAX_EPARSE, 0),
    R("1.5x", NAX_EPARSE, 3),
    R("NaN", NAX_EPARSE, 0),
    R("inf", NAX_EPARSE, 0),
    R("0x10", NAX_EPARSE, 1),
    R("1.-5", NAX_EPARSE, 2),
    R("\xc2\xb5", NAX_EPARSE, 0),
    /* 39 significant digits: the 39th is the offender. */
    R("999999999999999999999999999999999999999", NAX_EOVERFLOW, 38),
    R("-100000000000000000000000000000000000000", NAX_EOVERFLOW, 39),
    R("123456789012345678901234567890.123456789", NAX_EOVERFLOW, 39),
    /* 19 digits after the point. */
    R("0.1234567890123456789", NAX_EOVERFLOW, 20),
    R("0.0000000000000000001", NAX_EOVERFLOW, 20),
    R("-1.0000000000000000000", NAX_EOVERFLOW, 21),
    /* Malformed text is a parse error even when it is also too long. */
    R("999999999999999999999999999999999999999x", NAX_EPARSE, 39),
    R("0.1234567890123456789.", NAX_EPARSE, 21),
};

START_TEST(parse_rejects_with_offset)
{
    const reject_case *c = &rejects[_i];
    nax_decimal d = DEC("7.25");
    nax_decimal before = d;
    size_t offset = 9999;
    int rc = nax_decimal_parse(&d, c->text, c->len, &offset);
    ck_assert_msg(rc == c->code, "case %d: rc %d, expected %d", _i, rc, c->code);
    ck_assert_msg(offset == c->offset, "case %d: offset %zu, expected %zu", _i, offset, c->offset);
    ck_assert_msg(memcmp(&d, &before, sizeof d) == 0, "case %d: output changed", _i);
    const nax_error *e = nax_error_last();
    ck_assert_int_eq(e->code, c->code);
    char where[32];
    snprintf(where, sizeof where, "at offset %zu", c->offset);
    ck_assert_msg(strstr(e->message, where) != NULL, "case %d: message \"%s\" lacks \"%s\"", _i,
                  e->message, where);
}
END_TEST

START_TEST(parse_error_messages_name_the_byte)
{
    nax_decimal d;
    nax_decimal_parse(&d, "1.5x", 4, NULL);
    ck_assert_str_eq(nax_error_last()->message, "invalid decimal: unexpected 'x' at offset 3");
    nax_decimal_parse(&d, "1\0", 2, NULL);
    ck_assert_str_eq(nax_error_last()->message,
                     "invalid decimal: unexpected byte 0x00 at offset 1");
    nax_decimal_parse(&d, "5.", 2, NULL);
    ck_assert_str_eq(nax_error_last()->message, "invalid decimal: unexpected end at offset 2");
    nax_decimal_parse(&d, "0.1234567890123456789", 21, NULL);
    ck_assert_ptr_nonnull(strstr(nax_error_last()->message, "after the point"));
    nax_decimal_parse(&d, "9" NINES38, 39, NULL);
    ck_assert_ptr_nonnull(strstr(nax_error_last()->message, "38 digits"));
}
END_TEST

START_TEST(parse_rejects_null_arguments)
{
    nax_decimal d;
    ck_assert_int_eq(nax_decimal_parse(NULL, "1", 1, NULL), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_parse(&d, NULL, 0, NULL), NAX_EINVAL);
}
END_TEST

START_TEST(internal_parse_leaves_error_state_alone)
{
    nax_error_clear();
    nax_decimal d;
    size_t offset = 0;
    ck_assert_int_eq(nax__dec_parse(&d, "1.2.3", 5, &offset), NAX_EPARSE);
    ck_assert_uint_eq(offset, 3);
    ck_assert_int_eq(nax_error_last()->code, NAX_OK);
    ck_assert_int_eq(nax__dec_fail(NAX_EPARSE, "price", "1.2.3", 5, offset), NAX_EPARSE);
    ck_assert_str_eq(nax_error_last()->field, "price");
    ck_assert_str_eq(nax_error_last()->message, "invalid decimal: unexpected '.' at offset 3");
}
END_TEST

/* ---- format ---- */

START_TEST(format_zero_initialised_value)
{
    nax_decimal d = {0};
    ASSERT_DEC(&d, "0");
}
END_TEST

START_TEST(format_from_int_values)
{
    nax_decimal d;
    ck_assert_int_eq(nax_decimal_from_int(&d, 12345, 2), 0);
    ASSERT_DEC(&d, "123.45");
    ck_assert_int_eq(nax_decimal_from_int(&d, -12345, 2), 0);
    ASSERT_DEC(&d, "-123.45");
    ck_assert_int_eq(nax_decimal_from_int(&d, 5, 18), 0);
    ASSERT_DEC(&d, "0.000000000000000005");
    ck_assert_int_eq(nax_decimal_from_int(&d, 0, 5), 0);
    ASSERT_DEC(&d, "0.00000");
    ck_assert_int_eq(nax_decimal_from_int(&d, INT64_MIN, 0), 0);
    ASSERT_DEC(&d, "-9223372036854775808");
    ck_assert_int_eq(nax_decimal_from_int(&d, INT64_MAX, 18), 0);
    ASSERT_DEC(&d, "9.223372036854775807");
}
END_TEST

START_TEST(format_needs_room_for_nul)
{
    nax_decimal d = DEC("-12.500");
    char buf[16];
    memset(buf, '#', sizeof buf);
    ck_assert_int_eq(nax_decimal_format(buf, 7, &d), NAX_EBUFSIZE);
    ck_assert_int_eq(buf[0], '#'); /* untouched on failure */
    ck_assert_int_eq(nax_decimal_format(buf, 8, &d), 7);
    ck_assert_str_eq(buf, "-12.500");
    ck_assert_int_eq(nax_decimal_format(buf, 0, &d), NAX_EBUFSIZE);
}
END_TEST

START_TEST(format_longest_fits_string_max)
{
    /* '-', 38 digits and the point. */
    char buf[NAX_DECIMAL_STRING_MAX];
    nax_decimal longest = DEC("-9999999999999999999999.9999999999999999");
    int n = nax_decimal_format(buf, sizeof buf, &longest);
    ck_assert_int_eq(n, 40);
    ck_assert_int_lt(n, NAX_DECIMAL_STRING_MAX);
}
END_TEST

START_TEST(format_rejects_invalid_values)
{
    char buf[NAX_DECIMAL_STRING_MAX];
    nax_decimal bad = {0};
    bad.scale = 19;
    ck_assert_int_eq(nax_decimal_format(buf, sizeof buf, &bad), NAX_EINVAL);
    nax_decimal negative_zero = {0};
    negative_zero.negative = 1;
    ck_assert_int_eq(nax_decimal_format(buf, sizeof buf, &negative_zero), NAX_EINVAL);
    nax_decimal too_big = {0};
    too_big.hi = UINT64_MAX;
    ck_assert_int_eq(nax_decimal_format(buf, sizeof buf, &too_big), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_format(NULL, 10, &bad), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_format(buf, sizeof buf, NULL), NAX_EINVAL);
}
END_TEST

START_TEST(format_fixed_rounds_and_extends)
{
    char buf[NAX_DECIMAL_STRING_MAX];
    nax_decimal d = DEC("1.005");
    ck_assert_int_eq(nax_decimal_format_fixed(buf, sizeof buf, &d, 2, NAX_ROUND_HALF_EVEN), 4);
    ck_assert_str_eq(buf, "1.00");
    nax_decimal_format_fixed(buf, sizeof buf, &d, 2, NAX_ROUND_HALF_UP);
    ck_assert_str_eq(buf, "1.01");
    d = DEC("1.5");
    ck_assert_int_eq(nax_decimal_format_fixed(buf, sizeof buf, &d, 4, NAX_ROUND_DOWN), 6);
    ck_assert_str_eq(buf, "1.5000");
    d = DEC("-2.5");
    nax_decimal_format_fixed(buf, sizeof buf, &d, 0, NAX_ROUND_HALF_EVEN);
    ck_assert_str_eq(buf, "-2");
    d = DEC("-0.001");
    nax_decimal_format_fixed(buf, sizeof buf, &d, 2, NAX_ROUND_DOWN);
    ck_assert_str_eq(buf, "0.00"); /* never "-0.00" */
    nax_decimal_format_fixed(buf, sizeof buf, &d, 2, NAX_ROUND_FLOOR);
    ck_assert_str_eq(buf, "-0.01");
}
END_TEST

START_TEST(format_fixed_errors)
{
    char buf[NAX_DECIMAL_STRING_MAX];
    nax_decimal d = DEC(NINES38);
    ck_assert_int_eq(nax_decimal_format_fixed(buf, sizeof buf, &d, 1, NAX_ROUND_DOWN),
                     NAX_EOVERFLOW);
    ck_assert_int_eq(nax_decimal_format_fixed(buf, sizeof buf, &d, 19, NAX_ROUND_DOWN), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_format_fixed(buf, sizeof buf, &d, -1, NAX_ROUND_DOWN), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_format_fixed(buf, sizeof buf, &d, 0, (nax_rounding)6), NAX_EINVAL);
    ck_assert_int_eq(nax_decimal_format_fixed(buf, 3, &d, 0, NAX_ROUND_DOWN), NAX_EBUFSIZE);
}
END_TEST

START_TEST(internal_format_writes_nul_and_length)
{
    char buf[NAX_DECIMAL_STRING_MAX];
    nax_decimal d = DEC("-0.05");
    ck_assert_uint_eq(nax__dec_format(buf, &d), 5);
    ck_assert_str_eq(buf, "-0.05");
}
END_TEST

Suite *decimal_text_suite(void)
{
    Suite *s = suite_create("decimal_text");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, parse_keeps_scale_and_round_trips);
    tcase_add_test(tc, parse_scale_and_sign);
    tcase_add_test(tc, parse_negative_zero_is_zero);
    tcase_add_test(tc, parse_honours_length_not_nul);
    tcase_add_test(tc, parse_leading_fraction_zeros_are_not_significant);
    tcase_add_loop_test(tc, parse_rejects_with_offset, 0, sizeof rejects / sizeof rejects[0]);
    tcase_add_test(tc, parse_error_messages_name_the_byte);
    tcase_add_test(tc, parse_rejects_null_arguments);
    tcase_add_test(tc, internal_parse_leaves_error_state_alone);
    suite_add_tcase(s, tc);

    tc = tcase_create("format");
    tcase_add_test(tc, format_zero_initialised_value);
    tcase_add_test(tc, format_from_int_values);
    tcase_add_test(tc, format_needs_room_for_nul);
    tcase_add_test(tc, format_longest_fits_string_max);
    tcase_add_test(tc, format_rejects_invalid_values);
    tcase_add_test(tc, format_fixed_rounds_and_extends);
    tcase_add_test(tc, format_fixed_errors);
    tcase_add_test(tc, internal_format_writes_nul_and_length);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * Text helpers: percent-encoding for path segments and query values, and
 * HTTP dates in the three forms RFC 9110 names, with garbage refused.
 */
#include <string.h>
#include <time.h>

#include "nax.h"
#include "transport_test.h"

static const char *escaped(const char *s)
{
    static nax_buf out = NAX_BUF_INIT;
    nax__buf_reset(&out);
    ck_assert_int_eq(nax__url_escape(&out, s), 0);
    return out.data ? out.data : "";
}

START_TEST(unreserved_bytes_pass_through)
{
    const char *all = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    ck_assert_str_eq(escaped(all), all);
    ck_assert_str_eq(escaped(""), "");
}
END_TEST

START_TEST(everything_else_is_percent_encoded)
{
    ck_assert_str_eq(escaped("BTC/AUD"), "BTC%2FAUD");
    ck_assert_str_eq(escaped("a b+c&d=e?f#g%h"), "a%20b%2Bc%26d%3De%3Ff%23g%25h");
    ck_assert_str_eq(escaped("\xc3\xa9\x01\x7f\xff"), "%C3%A9%01%7F%FF");
    ck_assert_str_eq(escaped("../x"), "..%2Fx");
    /* Every byte but the unreserved ones: three characters each. */
    char all[256];
    for (int i = 1; i < 256; i++)
        all[i - 1] = (char)i;
    all[255] = '\0';
    ck_assert_uint_eq(strlen(escaped(all)), 66 + (255 - 66) * 3);
}
END_TEST

START_TEST(escape_appends)
{
    nax_buf out = NAX_BUF_INIT;
    ck_assert_int_eq(nax__buf_append_str(&out, "/v1/markets/"), 0);
    ck_assert_int_eq(nax__url_escape(&out, "BTC AUD"), 0);
    ck_assert_int_eq(nax__buf_append_str(&out, "/ticker"), 0);
    ck_assert_str_eq(out.data, "/v1/markets/BTC%20AUD/ticker");
    ck_assert_uint_eq(out.len, strlen(out.data));
    ck_assert_int_eq(nax__url_escape(&out, NULL), NAX_EINVAL);
    ck_assert_int_eq(nax__url_escape(NULL, "x"), NAX_EINVAL);
    nax_buf_dispose(&out);
}
END_TEST

static int64_t utc_ms(int year, int mon, int day, int h, int m, int s)
{
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = s;
    return (int64_t)timegm(&tm) * 1000;
}

START_TEST(dates_in_the_three_forms)
{
    int64_t want = utc_ms(1994, 11, 6, 8, 49, 37);
    ck_assert_int_eq(nax__http_parse_date("Sun, 06 Nov 1994 08:49:37 GMT"), want);
    ck_assert_int_eq(nax__http_parse_date("Sunday, 06-Nov-94 08:49:37 GMT"), want);
    ck_assert_int_eq(nax__http_parse_date("Sun Nov  6 08:49:37 1994"), want);
    ck_assert_int_eq(nax__http_parse_date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
    ck_assert_int_eq(nax__http_parse_date("Tue, 29 Feb 2028 23:59:59 GMT"),
                     utc_ms(2028, 2, 29, 23, 59, 59));
    ck_assert_int_eq(nax__http_parse_date("Sat, 01 Jan 2050 12:00:00 GMT"),
                     utc_ms(2050, 1, 1, 12, 0, 0));
}
END_TEST

START_TEST(garbage_dates_are_refused)
{
    const char *bad[] = {"",
                         "garbage",
                         "tomorrow",
                         "Sun, 06 Nov 1994 08:49:37 GMT\r\nX-Evil: 1",
                         "Sun, 06 Nov 1994 08:49:37 GMT\x01",
                         "Sun, 06 Nov 1994 08:49:37 GMT                                        "
                         "                                   ",
                         "Sun, 06 Nov 1960 08:49:37 GMT",
                         "Sun, 99 Nov 1994 08:49:37 GMT",
                         "Sun, 06 Foo 1994 08:49:37 GMT"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(nax__http_parse_date(bad[i]) == -1, "accepted \"%s\"", bad[i]);
    ck_assert_int_eq(nax__http_parse_date(NULL), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("transport_text");
    TCase *tc = tcase_create("text");
    tcase_add_test(tc, unreserved_bytes_pass_through);
    tcase_add_test(tc, everything_else_is_percent_encoded);
    tcase_add_test(tc, escape_appends);
    tcase_add_test(tc, dates_in_the_three_forms);
    tcase_add_test(tc, garbage_dates_are_refused);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

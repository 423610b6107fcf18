/*
 * Text helpers: percent-encoding for path segments and query values, and
 * HTTP dates in the three forms RFC 9110 names, with garbage refused. The
 * IMF-fixdate form is read without curl: its results are checked against
 * curl_getdate and timegm, field by field and over every day of 1970-2400.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "http/http_internal.h"
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

/* What the transport answered before it read IMF-fixdates itself. */
static int64_t curl_ms(const char *text)
{
    time_t t = curl_getdate(text, NULL);
    return t < 0 ? -1 : (int64_t)t * 1000;
}

START_TEST(imf_fixdates_equal_curls_reading)
{
    const char *dates[] = {
        "Sun, 06 Nov 1994 08:49:37 GMT",  "Thu, 01 Jan 1970 00:00:00 GMT",
        "Sat, 29 Feb 2000 12:00:00 GMT",  "Mon, 28 Feb 2100 23:59:59 GMT",
        "Mon, 01 Mar 2100 00:00:00 GMT",  "Tue, 19 Jan 2038 03:14:08 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT",  "Sun, 22 Nov 2026 02:20:29 GMT",
        "Wed, 30 Jun 2027 23:59:60 GMT", /* a leap second: the next minute's 0, as curl */
        "Mon, 06 Nov 1994 08:49:37 GMT", /* the weekday is not checked, as curl */
        "sun, 06 nov 1994 08:49:37 gmt", /* not the fixed form: curl reads it */
        "Sun, 6 Nov 1994 08:49:37 GMT",   "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun,  06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",       "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",  "Sun, 06 Nov 1994 08:49:37 GMX",
        "Sun, 06 Nov 1994 08:49:3x GMT",  "Sun, 06 Nov 1994 08-49-37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",  "Sun, 06 Nov 1994 23:60:00 GMT",
        "Sun, 06 Nov 1994 23:59:61 GMT",  "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 32 Dec 1994 08:49:37 GMT",  "x",
    };
    for (size_t i = 0; i < sizeof dates / sizeof *dates; i++)
        ck_assert_msg(nax__http_parse_date(dates[i]) == curl_ms(dates[i]),
                      "\"%s\": %lld, curl %lld", dates[i],
                      (long long)nax__http_parse_date(dates[i]), (long long)curl_ms(dates[i]));
}
END_TEST

/* Every day of 1970-2400 at a time that moves with the day: the two readers
 * and timegm agree on every one, leap days and century years included. */
START_TEST(every_day_reads_as_timegm_and_curl)
{
    for (time_t t = 0; t < (time_t)13569465600; t += 86400 + 3661) {
        struct tm tm;
        ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
        char text[64];
        ck_assert_uint_eq(strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm), 29);
        int64_t got = nax__http_parse_date(text);
        ck_assert_msg(got == (int64_t)t * 1000, "\"%s\": %lld, want %lld", text, (long long)got,
                      (long long)t * 1000);
        if (t % 50 == 0 || tm.tm_mday >= 28)
            ck_assert_msg(got == curl_ms(text), "\"%s\": curl %lld", text,
                          (long long)curl_ms(text));
    }
}
END_TEST

/* Each field just past its range, in the fixed form: refused outright. Where
 * curl would roll a day over into the next month, the fixed form is stricter. */
START_TEST(imf_fields_out_of_range_are_refused)
{
    const char *bad[] = {
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 31 Nov 1994 08:49:37 GMT",
        "Sun, 32 Jan 1994 08:49:37 GMT",
        "Sun, 29 Feb 1994 08:49:37 GMT",
        "Sun, 29 Feb 2100 08:49:37 GMT",
        "Sun, 30 Feb 2000 08:49:37 GMT",
        "Sun, 31 Apr 2026 08:49:37 GMT",
        "Sun, 31 Jun 2026 08:49:37 GMT",
        "Sun, 31 Sep 2026 08:49:37 GMT",
        "Sun, 99 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 99:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:37 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sun, 06 Nov 1969 08:49:37 GMT",
        "Sun, 06 Nov 0000 08:49:37 GMT",
        /* curl reads this one as 0 (its error value is -1), the old reader
         * answered 0 ms: before the epoch, it is refused now. */
        "Wed, 31 Dec 1969 23:59:59 GMT",
        "Sun, 06 Nov 1583 08:49:37 GMT",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(nax__http_parse_date(bad[i]) == -1, "accepted \"%s\"", bad[i]);
    /* The last valid value of each field. */
    ck_assert_int_eq(nax__http_parse_date("Sat, 29 Feb 2000 23:59:59 GMT"),
                     utc_ms(2000, 2, 29, 23, 59, 59));
    ck_assert_int_eq(nax__http_parse_date("Wed, 31 Dec 2025 23:59:60 GMT"),
                     utc_ms(2026, 1, 1, 0, 0, 0));
}
END_TEST

/* A server can send any year: curl reads a long one into a 64-bit time_t
 * whose milliseconds do not fit in int64_t (found by fuzz_http_response:
 * signed overflow). Dates after year 9999 read as absent. */
START_TEST(dates_after_year_9999_are_refused)
{
    const char *bad[] = {
        "Sat, 30 Feb 2026555555 08:49:37 GMT",
        "Sun, 06 Nov 99999999999 08:49:37 GMT",
        "Sunday, 06-Nov-10000 08:49:37 GMT",
        "Sat Jan  1 00:00:00 10000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(nax__http_parse_date(bad[i]) == -1, "accepted \"%s\"", bad[i]);
    ck_assert_int_eq(nax__http_parse_date("Fri, 31 Dec 9999 23:59:59 GMT"), 253402300799000LL);
}
END_TEST

/* Names are the exact ones RFC 9110 writes; anything else is not the fixed
 * form and goes to curl, which refuses unknown words as it always did. */
START_TEST(unknown_day_and_month_names_are_refused)
{
    const char *bad[] = {
        "Snu, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nvo 1994 08:49:37 GMT",
        "Abc, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Abc 1994 08:49:37 GMT",
        "Su1, 06 Nov 1994 08:49:37 GMT", "Sun, 06 N0v 1994 08:49:37 GMT",
        "Sun, 06     1994 08:49:37 GMT",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(nax__http_parse_date(bad[i]) == -1, "accepted \"%s\"", bad[i]);
    static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char text[40];
    for (int d = 0; d < 7; d++)
        for (int m = 0; m < 12; m++) {
            snprintf(text, sizeof text, "%s, 01 %s 2030 00:00:00 GMT", days[d], months[m]);
            ck_assert_int_eq(nax__http_parse_date(text), utc_ms(2030, m + 1, 1, 0, 0, 0));
        }
}
END_TEST

/* The last Date a handle read is reused while the text is the same; any
 * other text is read afresh, and a bad one never leaves a stale value. */
START_TEST(date_cache_follows_the_text)
{
    nax__http_date_cache cache;
    memset(&cache, 0, sizeof cache);
    const char *a = "Sun, 06 Nov 1994 08:49:37 GMT", *b = "Sun, 06 Nov 1994 08:49:38 GMT";
    ck_assert_int_eq(nax__http_date_cached(&cache, a, strlen(a)), utc_ms(1994, 11, 6, 8, 49, 37));
    ck_assert_int_eq(nax__http_date_cached(&cache, a, strlen(a)), utc_ms(1994, 11, 6, 8, 49, 37));
    ck_assert_int_eq(nax__http_date_cached(&cache, b, strlen(b)), utc_ms(1994, 11, 6, 8, 49, 38));
    /* A prefix of the cached text is another text. */
    ck_assert_int_eq(nax__http_date_cached(&cache, b, 10), -1);
    ck_assert_int_eq(nax__http_date_cached(&cache, "", 0), -1);
    ck_assert_int_eq(nax__http_date_cached(&cache, b, strlen(b)), utc_ms(1994, 11, 6, 8, 49, 38));
    /* The value is read from the bytes given, without a NUL after them. */
    char noisy[64];
    snprintf(noisy, sizeof noisy, "%sXYZ", a);
    ck_assert_int_eq(nax__http_date_cached(&cache, noisy, strlen(a)),
                     utc_ms(1994, 11, 6, 8, 49, 37));
    const char *asc = "Sun Nov  6 08:49:39 1994";
    ck_assert_int_eq(nax__http_date_cached(&cache, asc, strlen(asc)),
                     utc_ms(1994, 11, 6, 8, 49, 39));
    /* Longer than the cache holds: read each time, still right. */
    const char *lng = "Sunday, 06-Nov-94 08:49:40 GMT      ";
    ck_assert_int_eq(nax__http_date_cached(&cache, lng, strlen(lng)), curl_ms(lng));
    ck_assert_int_eq(nax__http_date_cached(&cache, asc, strlen(asc)),
                     utc_ms(1994, 11, 6, 8, 49, 39));
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
    tcase_add_test(tc, imf_fixdates_equal_curls_reading);
    tcase_add_test(tc, every_day_reads_as_timegm_and_curl);
    tcase_add_test(tc, imf_fields_out_of_range_are_refused);
    tcase_add_test(tc, dates_after_year_9999_are_refused);
    tcase_add_test(tc, unknown_day_and_month_names_are_refused);
    tcase_add_test(tc, date_cache_follows_the_text);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

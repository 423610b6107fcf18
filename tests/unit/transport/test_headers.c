/*
 * The response headers the transport captures: X-Request-Id, Content-Type,
 * Date, both forms of Retry-After and the RateLimit-* trio, by any case of
 * name; interim 1xx headers are dropped; absent or unreadable values read as
 * absent, and nothing carries over from one response to the next.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "nax.h"
#include "transport_test.h"

static mini_server *srv;
static nax__http *http;
static nax__http_response resp;

static void setup(void)
{
    srv = SERVER();
    http = TRANSPORT(mini_url(srv), 1);
    nax__http_response_init(&resp);
}

static void teardown(void)
{
    nax__http_response_dispose(&resp);
    nax__http_free(http);
    mini_stop(srv);
}

/* The expected value, computed without curl. */
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

static void answer_with(const char *headers)
{
    mini_reply r = {MINI_ANSWER, 200, headers, "{}"};
    mini_push(srv, &r);
    ck_assert_int_eq(GET(http, "/h", &resp), 0);
    ck_assert_int_eq(resp.status, 200);
}

static void expect_all_absent(void)
{
    ck_assert_str_eq(resp.request_id, "");
    ck_assert_str_eq(resp.content_type, "");
    ck_assert_int_eq(resp.date_ms, -1);
    ck_assert_int_eq(resp.retry_after_ms, -1);
    ck_assert_int_eq(resp.retry_after_at_ms, -1);
    ck_assert_int_eq(resp.ratelimit_limit, -1);
    ck_assert_int_eq(resp.ratelimit_remaining, -1);
    ck_assert_int_eq(resp.ratelimit_reset_s, -1);
}

START_TEST(initialised_response_is_all_absent)
{
    expect_all_absent();
    ck_assert_int_eq(resp.status, 0);
    ck_assert_int_eq(resp.sent, 0);
}
END_TEST

START_TEST(captures_every_header_of_interest)
{
    answer_with("X-Request-Id: req-42abc\r\n"
                "Content-Type: application/json; charset=utf-8\r\n"
                "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                "Retry-After: 120\r\n"
                "RateLimit-Limit: 1000\r\n"
                "RateLimit-Remaining: 998\r\n"
                "RateLimit-Reset: 7\r\n");
    ck_assert_str_eq(resp.request_id, "req-42abc");
    ck_assert_str_eq(resp.content_type, "application/json; charset=utf-8");
    ck_assert_int_eq(resp.date_ms, utc_ms(1994, 11, 6, 8, 49, 37));
    ck_assert_int_eq(resp.retry_after_ms, 120000);
    ck_assert_int_eq(resp.retry_after_at_ms, -1);
    ck_assert_int_eq(resp.ratelimit_limit, 1000);
    ck_assert_int_eq(resp.ratelimit_remaining, 998);
    ck_assert_int_eq(resp.ratelimit_reset_s, 7);
}
END_TEST

START_TEST(names_match_in_any_case)
{
    answer_with("x-request-id: lower\r\n"
                "CONTENT-TYPE: text/plain\r\n"
                "date: Thu, 01 Jan 2015 00:00:10 GMT\r\n"
                "RETRY-AFTER: 0\r\n"
                "ratelimit-limit: 5\r\n"
                "RATELIMIT-REMAINING: 0\r\n"
                "RateLimit-RESET: 30\r\n");
    ck_assert_str_eq(resp.request_id, "lower");
    ck_assert_str_eq(resp.content_type, "text/plain");
    ck_assert_int_eq(resp.date_ms, utc_ms(2015, 1, 1, 0, 0, 10));
    ck_assert_int_eq(resp.retry_after_ms, 0);
    ck_assert_int_eq(resp.ratelimit_limit, 5);
    ck_assert_int_eq(resp.ratelimit_remaining, 0);
    ck_assert_int_eq(resp.ratelimit_reset_s, 30);
}
END_TEST

START_TEST(retry_after_as_http_date)
{
    answer_with("Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n");
    ck_assert_int_eq(resp.retry_after_ms, -1);
    ck_assert_int_eq(resp.retry_after_at_ms, utc_ms(2015, 10, 21, 7, 28, 0));
}
END_TEST

START_TEST(unreadable_values_read_as_absent)
{
    answer_with("Retry-After: soon\r\n"
                "Date: yesterday-ish\r\n"
                "RateLimit-Limit: many\r\n"
                "RateLimit-Remaining: -3\r\n"
                "RateLimit-Reset: 12x\r\n"
                "X-Request-Id:\r\n");
    expect_all_absent();
}
END_TEST

START_TEST(ratelimit_parameters_are_ignored)
{
    answer_with("RateLimit-Limit: 100, 100;w=60\r\nRateLimit-Remaining: 50;w=60\r\n");
    ck_assert_int_eq(resp.ratelimit_limit, 100);
    ck_assert_int_eq(resp.ratelimit_remaining, 50);
    ck_assert_int_eq(resp.ratelimit_reset_s, -1);
}
END_TEST

START_TEST(values_are_trimmed_and_bounded)
{
    char headers[600];
    char long_id[300];
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    snprintf(headers, sizeof headers, "X-Request-Id: \t %s \t \r\nContent-Type:  text/html  \r\n",
             long_id);
    answer_with(headers);
    ck_assert_uint_eq(strlen(resp.request_id), sizeof resp.request_id - 1);
    ck_assert_int_eq(strspn(resp.request_id, "a"), sizeof resp.request_id - 1);
    ck_assert_str_eq(resp.content_type, "text/html");
}
END_TEST

START_TEST(nothing_carries_over_between_responses)
{
    answer_with("X-Request-Id: first\r\nRetry-After: 3\r\nRateLimit-Limit: 9\r\n"
                "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Type: a/b\r\n");
    ck_assert_str_eq(resp.request_id, "first");
    answer_with(NULL);
    expect_all_absent();
}
END_TEST

START_TEST(interim_response_headers_are_dropped)
{
    mini_reply r = {0};
    r.raw = "HTTP/1.1 100 Continue\r\n"
            "X-Request-Id: interim\r\n"
            "Retry-After: 99\r\n"
            "\r\n"
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 5\r\n"
            "\r\n"
            "final";
    mini_push(srv, &r);
    ck_assert_int_eq(GET(http, "/interim", &resp), 0);
    ck_assert_int_eq(resp.status, 200);
    ck_assert_str_eq(resp.body.data, "final");
    ck_assert_str_eq(resp.request_id, "");
    ck_assert_int_eq(resp.retry_after_ms, -1);
    ck_assert_str_eq(resp.content_type, "text/plain");
}
END_TEST

/* The handle keeps the last Date it read: the same text reads the same, and
 * a new second, a missing header or a bad one is never the cached value. */
START_TEST(each_response_has_its_own_date)
{
    answer_with("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n");
    ck_assert_int_eq(resp.date_ms, utc_ms(1994, 11, 6, 8, 49, 37));
    answer_with("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n");
    ck_assert_int_eq(resp.date_ms, utc_ms(1994, 11, 6, 8, 49, 37));
    answer_with("Date: Sun, 06 Nov 1994 08:49:38 GMT\r\n");
    ck_assert_int_eq(resp.date_ms, utc_ms(1994, 11, 6, 8, 49, 38));
    answer_with(NULL);
    ck_assert_int_eq(resp.date_ms, -1);
    answer_with("Date: Sun, 06 Nov 1994 24:49:38 GMT\r\n");
    ck_assert_int_eq(resp.date_ms, -1);
    answer_with("Date: Sunday, 06-Nov-94 08:49:38 GMT\r\n");
    ck_assert_int_eq(resp.date_ms, utc_ms(1994, 11, 6, 8, 49, 38));
    answer_with("Date: Sun, 06 Nov 1994 08:49:38 GMT\r\n");
    ck_assert_int_eq(resp.date_ms, utc_ms(1994, 11, 6, 8, 49, 38));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("transport_headers");
    TCase *tc = tcase_create("headers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, initialised_response_is_all_absent);
    tcase_add_test(tc, captures_every_header_of_interest);
    tcase_add_test(tc, names_match_in_any_case);
    tcase_add_test(tc, retry_after_as_http_date);
    tcase_add_test(tc, unreadable_values_read_as_absent);
    tcase_add_test(tc, ratelimit_parameters_are_ignored);
    tcase_add_test(tc, values_are_trimmed_and_bounded);
    tcase_add_test(tc, nothing_carries_over_between_responses);
    tcase_add_test(tc, interim_response_headers_are_dropped);
    tcase_add_test(tc, each_response_has_its_own_date);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

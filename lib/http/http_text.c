/* Text helpers of the transport: HTTP dates and percent-encoding. */
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "core/core.h"
#include "http_internal.h"

#define DATE_MAX_LEN 64

/* ---- IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), read directly ----
 * Every server sends this form (RFC 9110 §5.6.7), on every response: reading
 * it with curl_getdate (sscanf underneath) cost more than the rest of our
 * header handling together. */

#define IMF_LEN 29

enum { IMF_NOT_MINE = -2, IMF_BAD = -1 };

static int two_digits(const char *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Index of the three letters at `p` in `names` (case-sensitive, as RFC 9110
 * writes them), or -1. */
static int name_index(const char *p, const char *names, int count)
{
    for (int i = 0; i < count; i++)
        if (!memcmp(p, names + 3 * i, 3))
            return i;
    return -1;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Leap years in [1, y]. */
static int leaps_through(int y)
{
    return y / 4 - y / 100 + y / 400;
}

/*
 * The date in ms, IMF_BAD when it has the form but a field is out of range
 * (a day past its month's end, hour 24, a year before 1970), IMF_NOT_MINE
 * when it is not exactly the fixed form: the caller then asks curl, which
 * also reads RFC 850 and asctime dates and lenient variants. The weekday
 * must be a weekday's name but is not checked against the date, as curl
 * does not either; second 60 (a leap second) counts as the next minute's 0,
 * as curl counts it.
 */
static int64_t parse_imf_fixdate(const char *v, size_t len)
{
    /* "Sun, 06 Nov 1994 08:49:37 GMT" */
    static const char shape[] = "aaa, dd aaa dddd dd:dd:dd GMT";
    if (len != IMF_LEN)
        return IMF_NOT_MINE;
    for (size_t i = 0; i < IMF_LEN; i++) {
        char want = shape[i];
        if (want == 'd' ? !is_digit(v[i]) : want != 'a' && v[i] != want)
            return IMF_NOT_MINE;
    }
    static const char days[] = "MonTueWedThuFriSatSun";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int mon = name_index(v + 8, months, 12);
    if (name_index(v, days, 7) < 0 || mon < 0)
        return IMF_NOT_MINE;

    static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    static const int days_before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    int day = two_digits(v + 5);
    int year = two_digits(v + 12) * 100 + two_digits(v + 14);
    int hour = two_digits(v + 17), min = two_digits(v + 20), sec = two_digits(v + 23);
    int leap_day = mon == 1 && is_leap(year);
    if (year < 1970 || day < 1 || day > month_days[mon] + leap_day || hour > 23 || min > 59 ||
        sec > 60)
        return IMF_BAD;
    int64_t since_epoch = (int64_t)(year - 1970) * 365 +
                          (leaps_through(year - 1) - leaps_through(1969)) + days_before[mon] +
                          (mon > 1 && is_leap(year)) + (day - 1);
    int64_t seconds = since_epoch * 86400 + hour * 3600 + min * 60 + sec;
    return seconds * 1000;
}

/* 9999-12-31T23:59:59Z: the last second a four-digit year names. curl reads
 * longer years into a 64-bit time_t whose milliseconds overflow int64_t. */
#define LAST_DATE_S 253402300799LL

/* Any form curl reads; -1 for what it cannot read and for dates before the
 * epoch or after year 9999. */
static int64_t parse_with_curl(const char *v, size_t len)
{
    char text[DATE_MAX_LEN + 1];
    if (len > DATE_MAX_LEN)
        return -1;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] >= 0x7f)
            return -1;
    memcpy(text, v, len);
    text[len] = '\0';
    time_t t = curl_getdate(text, NULL);
    if (t < 0 || (int64_t)t > LAST_DATE_S)
        return -1;
    return (int64_t)t * 1000;
}

static int64_t parse_date_n(const char *v, size_t len)
{
    if (len == 0)
        return -1;
    int64_t ms = parse_imf_fixdate(v, len);
    if (ms == IMF_NOT_MINE)
        return parse_with_curl(v, len);
    return ms < 0 ? -1 : ms;
}

int64_t nax__http_parse_date(const char *value)
{
    if (!value)
        return -1;
    return parse_date_n(value, strnlen(value, DATE_MAX_LEN + 1));
}

int64_t nax__http_date_cached(nax__http_date_cache *cache, const char *v, size_t len)
{
    if (len == cache->len && len && !memcmp(cache->text, v, len))
        return cache->ms;
    int64_t ms = parse_date_n(v, len);
    if (len < sizeof cache->text) {
        memcpy(cache->text, v, len);
        cache->len = len;
        cache->ms = ms;
    }
    return ms;
}

/* ---- percent-encoding ---- */

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

int nax__url_escape(nax_buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!out || !s)
        return nax__error(NAX_EINVAL, "url_escape needs a buffer and a string");
    size_t need = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        need += unreserved(*p) ? 1 : 3;
    int rc = nax__buf_reserve(out, need);
    if (rc)
        return rc;
    char *w = out->data + out->len;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (unreserved(*p)) {
            *w++ = (char)*p;
        } else {
            *w++ = '%';
            *w++ = hex[*p >> 4];
            *w++ = hex[*p & 0x0f];
        }
    }
    out->len += need;
    out->data[out->len] = '\0';
    return 0;
}

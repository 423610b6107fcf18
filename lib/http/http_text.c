/* Text helpers of the transport: HTTP dates and percent-encoding. */
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "core/core.h"
#include "transport.h"

#define DATE_MAX_LEN 64

int64_t nax__http_parse_date(const char *value)
{
    if (!value || !*value)
        return -1;
    size_t len = strnlen(value, DATE_MAX_LEN + 1);
    if (len > DATE_MAX_LEN)
        return -1;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)value[i] < 0x20 || (unsigned char)value[i] >= 0x7f)
            return -1;
    /* curl_getdate reads the three forms RFC 9110 names (IMF-fixdate, RFC
     * 850, asctime) and answers -1 for what it cannot read; dates before the
     * epoch are refused too. */
    time_t t = curl_getdate(value, NULL);
    if (t < 0)
        return -1;
    return (int64_t)t * 1000;
}

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

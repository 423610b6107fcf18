/* Small helpers shared by handlers: time, ids, request context, pagination. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "auth/auth.h"
#include "core/core.h"

int64_t naxd_now_ms(const naxd_app *a)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + (a ? a->clock_skew_ms : 0);
}

void naxd_fmt_id(char *out, size_t size, const char *prefix, uint64_t id)
{
    snprintf(out, size, "%s%llu", prefix, (unsigned long long)id);
}

uint64_t naxd_parse_id(const char *text, const char *prefix)
{
    size_t plen = strlen(prefix);
    if (!text || strncmp(text, prefix, plen) != 0)
        return 0;
    const char *d = text + plen;
    if (*d < '1' || *d > '9' || strlen(d) > 19)
        return 0;
    uint64_t v = 0;
    for (; *d; d++) {
        if (*d < '0' || *d > '9')
            return 0;
        uint64_t next = v * 10 + (uint64_t)(*d - '0');
        if (next / 10 != v)
            return 0;
        v = next;
    }
    return v;
}

naxd_ctx *naxd_ctx_of(naxd_req *req)
{
    return naxd_req_data(req);
}

naxd_user *naxd_user_by_id(naxd_app *a, uint64_t id)
{
    naxd_user *u = naxd_map_get_u64(&a->users_by_id, id);
    return u && !u->reserved ? u : NULL;
}

/* Cursors are opaque to clients: "c" + base64url of the last id's decimal text. */
void naxd_page_cursor(char *out, size_t size, uint64_t last_id)
{
    char digits[24];
    snprintf(digits, sizeof digits, "%llu", (unsigned long long)last_id);
    nax_buf b = NAX_BUF_INIT;
    if (nax__buf_append(&b, "c", 1) == 0 && nax__base64url_encode(&b, digits, strlen(digits)) == 0)
        snprintf(out, size, "%s", b.data);
    else
        snprintf(out, size, "c");
    nax_buf_dispose(&b);
}

static int parse_u32(const char *s, uint32_t *out)
{
    if (!s || !*s || strlen(s) > 9)
        return -1;
    uint32_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (uint32_t)(*s - '0');
    }
    *out = v;
    return 0;
}

int naxd_query_u32(naxd_req *req, const char *name, uint32_t min, uint32_t max, uint32_t dflt,
                   uint32_t *out)
{
    const char *v = naxd_req_query(req, name);
    *out = dflt;
    if (v && (parse_u32(v, out) || *out < min || *out > max)) {
        naxd_fail(req, 400, "invalid_request", name, "%s must be an integer from %u to %u", name,
                  min, max);
        return -1;
    }
    return 0;
}

char *naxd_column_dup(sqlite3_stmt *st, int col, int *oom)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    if (!t)
        return NULL;
    char *copy = nax__strdup((const char *)t);
    if (!copy)
        *oom = 1;
    return copy;
}

int naxd_column_decimal(sqlite3_stmt *st, int col, nax_decimal *out)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    if (t && nax_decimal_parse(out, t, strlen(t), NULL) == 0)
        return 0;
    memset(out, 0, sizeof(*out));
    return NAX_EINVAL;
}

int naxd_page_params(naxd_req *req, uint32_t default_limit, uint32_t *limit, uint64_t *before_id)
{
    *before_id = UINT64_MAX;
    if (naxd_query_u32(req, "limit", 1, 1000, default_limit, limit))
        return -1;
    const char *c = naxd_req_query(req, "cursor");
    if (c) {
        unsigned char digits[24];
        long n = strlen(c) > 1 && c[0] == 'c'
                     ? nax__base64url_decode(digits, sizeof digits - 1, c + 1, strlen(c + 1))
                     : -1;
        uint64_t id = 0;
        if (n > 0) {
            digits[n] = 0;
            char prefixed[32];
            snprintf(prefixed, sizeof prefixed, "x%s", (char *)digits);
            id = naxd_parse_id(prefixed, "x");
        }
        if (!id) {
            naxd_fail(req, 400, "invalid_request", "cursor",
                      "cursor is not one this server issued");
            return -1;
        }
        *before_id = id;
    }
    return 0;
}

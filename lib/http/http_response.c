/* What curl hands back during a transfer: the response headers we act on,
 * the body (bounded), and the moment the request is about to be sent. */
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "http_internal.h"

void nax__http_response_reset(nax__http_response *r)
{
    r->status = 0;
    nax__buf_reset(&r->body);
    r->request_id[0] = '\0';
    r->content_type[0] = '\0';
    r->date_ms = -1;
    r->retry_after_ms = -1;
    r->retry_after_at_ms = -1;
    r->ratelimit_limit = -1;
    r->ratelimit_remaining = -1;
    r->ratelimit_reset_s = -1;
    r->sent = 0;
    r->elapsed_us = 0;
    r->pool_wait_us = 0;
    r->pool_timeout = 0;
}

void nax__http_response_init(nax__http_response *r)
{
    memset(r, 0, sizeof *r);
    nax__http_response_reset(r);
}

void nax__http_response_dispose(nax__http_response *r)
{
    if (r)
        nax_buf_dispose(&r->body);
}

/* ---- headers ---- */

/* Headers of an interim (1xx) response are dropped when the next status
 * line arrives: only the final response's headers count. */
static void forget_headers(nax__http_response *r)
{
    r->request_id[0] = '\0';
    r->content_type[0] = '\0';
    r->date_ms = -1;
    r->retry_after_ms = -1;
    r->retry_after_at_ms = -1;
    r->ratelimit_limit = -1;
    r->ratelimit_remaining = -1;
    r->ratelimit_reset_s = -1;
}

/* Printable ASCII only, truncated to the field: a value is never trusted to
 * be well-formed for the logs and errors that will carry it. */
static void copy_value(char *out, size_t size, const char *v, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < size; i++)
        if (v[i] >= 0x20 && v[i] < 0x7f)
            out[n++] = v[i];
    out[n] = '\0';
}

/* A non-negative decimal integer at the start of `v`, followed by nothing or
 * by a parameter (";w=60") or list separator; -1 otherwise. Large values
 * saturate rather than wrap. */
static int64_t leading_count(const char *v, size_t len, int whole)
{
    size_t i = 0;
    int64_t n = 0;
    while (i < len && v[i] >= '0' && v[i] <= '9') {
        if (n < INT64_C(1000000000000))
            n = n * 10 + (v[i] - '0');
        i++;
    }
    if (i == 0)
        return -1;
    if (i < len && (whole || (v[i] != ';' && v[i] != ',' && v[i] != ' ')))
        return -1;
    return n;
}

static void take_retry_after(nax__http_response *r, const char *v, size_t len)
{
    int64_t seconds = leading_count(v, len, 1);
    if (seconds >= 0) {
        r->retry_after_ms = seconds * 1000;
        return;
    }
    char text[64];
    if (len >= sizeof text)
        return;
    memcpy(text, v, len);
    text[len] = '\0';
    r->retry_after_at_ms = nax__http_parse_date(text);
}

static void take_date(nax__http_transfer *t, const char *v, size_t len)
{
    if (len >= 64)
        return; /* no date is that long */
    t->resp->date_ms = nax__http_date_cached(&t->date, v, len);
}

static int name_is(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && !strncasecmp(name, want, len);
}

static void take_header(nax__http_transfer *t, const char *name, size_t nlen, const char *v,
                        size_t vlen)
{
    nax__http_response *r = t->resp;
    if (name_is(name, nlen, "X-Request-Id"))
        copy_value(r->request_id, sizeof r->request_id, v, vlen);
    else if (name_is(name, nlen, "Content-Type"))
        copy_value(r->content_type, sizeof r->content_type, v, vlen);
    else if (name_is(name, nlen, "Date"))
        take_date(t, v, vlen);
    else if (name_is(name, nlen, "Retry-After"))
        take_retry_after(r, v, vlen);
    else if (name_is(name, nlen, "RateLimit-Limit"))
        r->ratelimit_limit = leading_count(v, vlen, 0);
    else if (name_is(name, nlen, "RateLimit-Remaining"))
        r->ratelimit_remaining = leading_count(v, vlen, 0);
    else if (name_is(name, nlen, "RateLimit-Reset"))
        r->ratelimit_reset_s = leading_count(v, vlen, 0);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

size_t nax__http_on_header(char *line, size_t size, size_t count, void *userdata)
{
    nax__http_transfer *t = userdata;
    const size_t len = size * count;
    if (len >= 5 && !memcmp(line, "HTTP/", 5)) {
        forget_headers(t->resp);
        return len;
    }
    const char *colon = memchr(line, ':', len);
    if (!colon || colon == line)
        return len; /* the blank line ending the block, or a folded line */
    size_t nlen = (size_t)(colon - line);
    const char *v = colon + 1;
    size_t vlen = len - nlen - 1;
    while (vlen && is_space(*v)) {
        v++;
        vlen--;
    }
    while (vlen && is_space(v[vlen - 1]))
        vlen--;
    take_header(t, line, nlen, v, vlen);
    return len;
}

/* ---- body ---- */

size_t nax__http_on_body(char *data, size_t size, size_t count, void *userdata)
{
    nax__http_transfer *t = userdata;
    const size_t len = size * count;
    nax_buf *body = &t->resp->body;
    if (len > t->max_body || body->len > t->max_body - len) {
        t->body_too_big = 1;
        return 0; /* curl stops with CURLE_WRITE_ERROR */
    }
    if (nax__buf_append(body, data, len) != 0) {
        t->out_of_memory = 1;
        return 0;
    }
    return len;
}

/* ---- the request is about to leave ---- */

int nax__http_on_prereq(void *userdata, char *conn_primary_ip, char *conn_local_ip,
                        int conn_primary_port, int conn_local_port)
{
    (void)conn_primary_ip;
    (void)conn_local_ip;
    (void)conn_primary_port;
    (void)conn_local_port;
    nax__http_transfer *t = userdata;
    if (t->prereq_seen && !t->resend_allowed) {
        /* curl resends on a new connection when a reused one closed without
         * a reply. The server may have acted on the first copy: a request
         * that is not safe to repeat goes back to the caller's retry policy
         * (which looks orders up before sending again) instead. */
        t->resend_refused = 1;
        return CURL_PREREQFUNC_ABORT;
    }
    t->prereq_seen = 1;
    return CURL_PREREQFUNC_OK;
}

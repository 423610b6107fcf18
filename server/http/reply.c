/* Replies: the response is rendered into one buffer (status line, headers,
 * body) when the app answers, then written from lws's writeable callback in
 * pieces, so a large body never blocks the loop and nothing recurses into lws
 * from inside a handler. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <nax/codec.h>

#include "internal.h"
#include "ratelimit.h"

/* ---- finishing -------------------------------------------------------------- */

static void unlink_req(naxd_req *r)
{
    naxd_http *h = r->h;
    if (r->prev)
        r->prev->next = r->next;
    else if (h->reqs == r)
        h->reqs = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->prev = r->next = NULL;
}

/* The request is answered (or abandoned): log it, count it, and free it now
 * or, when the app may still hold it on its stack, at the next safe point. */
static void finish(naxd_req *r, int free_now)
{
    naxd_http *h = r->h;
    r->state = NAXD_REQ_FINISHED;
    naxd__req_record(r);
    unlink_req(r);
    if (r->conn && r->conn->req == r)
        r->conn->req = NULL;
    r->conn = NULL;
    atomic_fetch_sub(&h->inflight, 1);
    if (free_now) {
        naxd__req_free(r);
    } else {
        r->next = h->graveyard;
        h->graveyard = r;
    }
}

void naxd__graveyard_flush(naxd_http *h)
{
    naxd_req *r = h->graveyard;
    h->graveyard = NULL;
    while (r) {
        naxd_req *next = r->next;
        naxd__req_free(r);
        r = next;
    }
}

void naxd__req_conn_lost(naxd_req *r)
{
    r->conn = NULL;
    if (r->state == NAXD_REQ_DISPATCHED)
        r->orphaned = 1; /* the app still owes a reply; keep the request */
    else
        finish(r, 1);
}

int naxd_req_orphaned(const naxd_req *r)
{
    if (r->orphaned || !r->conn)
        return 1;
    if (r->is_tls)
        return 0; /* pending bytes could be a close_notify or more data */
    /* A peer that closed its side leaves a readable end-of-stream. */
    char b;
    int fd = lws_get_socket_fd(r->conn->wsi);
    if (fd < 0)
        return 1;
    ssize_t n = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* ---- headers ---------------------------------------------------------------- */

static int token_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

int naxd_req_add_header(naxd_req *r, const char *name, const char *value)
{
    if (!r || !name || !*name || !value)
        return nax__error(NAX_EINVAL, "naxd_req_add_header: missing argument");
    if (r->state != NAXD_REQ_RECEIVING && r->state != NAXD_REQ_DISPATCHED)
        return nax__error(NAX_ESTATE, "naxd_req_add_header: already replied");
    for (const char *p = name; *p; p++)
        if (!token_char((unsigned char)*p))
            return nax__error(NAX_EINVAL, "naxd_req_add_header: bad header name");
    for (const char *p = value; *p; p++)
        if (*p == '\r' || *p == '\n')
            return nax__error(NAX_EINVAL, "naxd_req_add_header: CR or LF in a header value");
    /* Node, name (with the ':' lws wants) and value in one arena block: they
     * live as long as the request. */
    size_t nlen = strlen(name), vlen = strlen(value);
    naxd_header_out *o = naxd__arena_alloc(r, sizeof(*o) + nlen + 2 + vlen + 1);
    if (!o)
        return nax__error_oom();
    o->next = NULL;
    o->name = (char *)(o + 1);
    memcpy(o->name, name, nlen);
    memcpy(o->name + nlen, ":", 2);
    o->value = o->name + nlen + 2;
    memcpy(o->value, value, vlen + 1);
    if (r->out_headers_last)
        r->out_headers_last->next = o;
    else
        r->out_headers = o;
    r->out_headers_last = o;
    return 0;
}

void naxd_req_ratelimit_headers(naxd_req *r, const struct naxd_limit *l)
{
    char v[16];
    snprintf(v, sizeof(v), "%u", (unsigned)l->limit);
    naxd_req_add_header(r, "RateLimit-Limit", v);
    snprintf(v, sizeof(v), "%u", (unsigned)l->remaining);
    naxd_req_add_header(r, "RateLimit-Remaining", v);
    snprintf(v, sizeof(v), "%u", (unsigned)l->reset_s);
    naxd_req_add_header(r, "RateLimit-Reset", v);
    if (!l->allowed) {
        snprintf(v, sizeof(v), "%u", (unsigned)(l->retry_after_s ? l->retry_after_s : 1));
        naxd_req_add_header(r, "Retry-After", v);
    }
}

/* ---- rendering -------------------------------------------------------------- */

/* Asks for the writeable callback. lws 4.1 does not service POLLOUT on an
 * h1 connection while its rx is flow-controlled, so reading (stopped at
 * dispatch) resumes first. */
static void want_write(naxd_conn *c)
{
    lws_rx_flow_control(c->wsi, 1);
    lws_callback_on_writable(c->wsi);
}

static int no_body_status(int status)
{
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}

static int add(struct lws *wsi, const char *name, const char *value, unsigned char **p,
               unsigned char *end)
{
    return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
                                       (const unsigned char *)value, (int)strlen(value), p, end);
}

/* RFC 9110 IMF-fixdate of the server's clock, for the Date header. */
static void http_date(const naxd_http *h, char *out, size_t size)
{
    int64_t ms;
    if (h->now_ms) {
        ms = h->now_ms(h->app);
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm) || !strftime(out, size, "%a, %d %b %Y %H:%M:%S GMT", &tm))
        out[0] = '\0';
}

/* Status line, headers and body into r->out. 0 or NAX_ENOMEM/NAX_ERROR. */
static int render(naxd_req *r, const char *content_type, const void *body, size_t len)
{
    struct lws *wsi = r->conn->wsi;
    size_t head_cap = 512 + strlen(content_type);
    for (naxd_header_out *o = r->out_headers; o; o = o->next)
        head_cap += strlen(o->name) + strlen(o->value) + 4;
    /* HEAD announces the length of the body it does not get. */
    size_t announced = len;
    if (r->is_head || no_body_status(r->status))
        len = 0;
    /* A small reply goes into the request's arena (usually the chunk that
     * came with the request); a large one gets its own buffer. */
    size_t size = LWS_PRE + head_cap + len;
    int in_arena = size <= NAXD_HTTP_ARENA_REPLY;
    unsigned char *buf = in_arena ? naxd__arena_alloc(r, size) : nax__malloc(size);
    if (!buf)
        return nax__error_oom();
    unsigned char *start = buf + LWS_PRE, *p = start, *end = start + head_cap;
    int bad = lws_add_http_header_status(wsi, (unsigned int)r->status, &p, end);
    if (!bad && !no_body_status(r->status)) {
        bad = add(wsi, "content-type:", content_type, &p, end) ||
              lws_add_http_header_content_length(wsi, announced, &p, end);
    }
    if (!bad)
        bad = add(wsi, "x-request-id:", r->id, &p, end);
    char date[40];
    http_date(r->conn->h, date, sizeof date);
    if (!bad && date[0])
        bad = add(wsi, "date:", date, &p, end);
    for (naxd_header_out *o = r->out_headers; !bad && o; o = o->next)
        bad = add(wsi, o->name, o->value, &p, end);
    if (!bad && r->close_after)
        bad = add(wsi, "connection:", "close", &p, end);
    else if (!bad && r->keep_alive10)
        bad = add(wsi, "connection:", "keep-alive", &p, end);
    if (!bad)
        bad = lws_finalize_http_header(wsi, &p, end);
    if (bad) {
        if (!in_arena)
            nax__free(buf);
        return nax__error(NAX_ERROR, "naxd: response head did not fit");
    }
    if (len)
        memcpy(p, body, len);
    r->out = buf;
    r->out_in_arena = in_arena;
    r->out_off = LWS_PRE;
    r->out_len = (size_t)(p - buf) + len;
    return 0;
}

static void reply_common(naxd_req *r, int status, const char *content_type, const void *body,
                         size_t len)
{
    if (!r)
        return;
    if (r->state != NAXD_REQ_RECEIVING && r->state != NAXD_REQ_DISPATCHED) {
        nax__log(NAX_LOG_WARN, "naxd: request %s answered twice; second reply ignored", r->id);
        return;
    }
    r->status = status;
    r->reply_body_len = (r->is_head || no_body_status(status)) ? 0 : len;
    if (!r->conn) {
        if (r->h->capture)
            r->h->capture(r, content_type ? content_type : "application/json", body, len,
                          r->h->capture_arg);
        finish(r, 0);
        return;
    }
    if (atomic_load(&r->h->stopping))
        r->close_after = 1; /* draining: do not keep the connection */
    if (render(r, content_type ? content_type : "application/json", body, len))
        r->dropped = 1; /* could not render: close rather than hang */
    r->state = NAXD_REQ_REPLIED;
    want_write(r->conn);
}

void naxd_reply(naxd_req *r, int status, const char *content_type, const void *body, size_t len)
{
    reply_common(r, status, content_type, body, len);
}

void naxd_reply_drop(naxd_req *r)
{
    if (!r || (r->state != NAXD_REQ_RECEIVING && r->state != NAXD_REQ_DISPATCHED))
        return;
    r->status = 0;
    r->dropped = 1;
    if (!r->conn) {
        if (r->h->capture)
            r->h->capture(r, NULL, NULL, 0, r->h->capture_arg);
        finish(r, 0);
        return;
    }
    r->state = NAXD_REQ_REPLIED;
    want_write(r->conn);
}

void naxd_reply_json(naxd_req *r, int status, nax_type type, const void *obj)
{
    nax_buf b = NAX_BUF_INIT;
    if (nax_encode(&b, type, obj) == 0)
        naxd_reply(r, status, NULL, b.data, b.len);
    else
        naxd_reply_error(r, 500, "internal_error", NULL, "the response could not be encoded");
    nax_buf_dispose(&b);
}

/* The error body without the codec, for when encoding it failed. */
static void reply_error_fallback(naxd_req *r, int status, const char *code)
{
    nax_buf b = NAX_BUF_INIT;
    int rc = nax__buf_append_str(&b, "{\"error\":{\"code\":");
    if (!rc)
        rc = naxd__json_string(&b, code);
    if (!rc)
        rc = nax__buf_append_str(&b, ",\"message\":\"error\",\"request_id\":");
    if (!rc)
        rc = naxd__json_string(&b, r->id);
    if (!rc)
        rc = nax__buf_append_str(&b, "}}");
    if (rc)
        naxd_reply_drop(r);
    else
        naxd_reply(r, status, NULL, b.data, b.len);
    nax_buf_dispose(&b);
}

static void reply_error_v(naxd_req *r, int status, const char *code, const char *field,
                          const char *fmt, va_list ap)
{
    char small[256];
    char *msg = small;
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    if (n >= (int)sizeof(small)) {
        msg = nax__malloc((size_t)n + 1);
        if (msg)
            vsnprintf(msg, (size_t)n + 1, fmt, copy);
        else
            msg = small; /* keep the truncated text */
    } else if (n < 0) {
        small[0] = '\0';
    }
    va_end(copy);
    nax_error_body eb = {sizeof(eb), code, msg, field, r->id};
    nax_buf b = NAX_BUF_INIT;
    if (nax_encode(&b, NAX_TYPE_ERROR_BODY, &eb) == 0)
        naxd_reply(r, status, NULL, b.data, b.len);
    else
        reply_error_fallback(r, status, code);
    nax_buf_dispose(&b);
    if (msg != small)
        nax__free(msg);
}

void naxd_reply_error(naxd_req *r, int status, const char *code, const char *field, const char *fmt,
                      ...)
{
    if (!r)
        return;
    va_list ap;
    va_start(ap, fmt);
    reply_error_v(r, status, code, field, fmt, ap);
    va_end(ap);
}

void naxd__reply_framework(naxd_req *r, int status, const char *code, const char *message)
{
    naxd_reply_error(r, status, code, NULL, "%s", message);
}

/* ---- writing ---------------------------------------------------------------- */

static int write_continue(naxd_conn *c)
{
    static const char msg[] = "HTTP/1.1 100 Continue\r\n\r\n";
    unsigned char buf[LWS_PRE + sizeof(msg)];
    memcpy(buf + LWS_PRE, msg, sizeof(msg) - 1);
    c->send_continue = 0;
    if (lws_write(c->wsi, buf + LWS_PRE, sizeof(msg) - 1, LWS_WRITE_HTTP) < 0)
        return -1;
    if (c->req && c->req->state == NAXD_REQ_REPLIED)
        lws_callback_on_writable(c->wsi);
    return 0;
}

int naxd__reply_write(naxd_conn *c)
{
    naxd_req *r = c->req;
    if (c->send_continue && r && r->state == NAXD_REQ_RECEIVING)
        return write_continue(c);
    c->send_continue = 0;
    if (!r || r->state != NAXD_REQ_REPLIED)
        return 0;
    if (r->dropped)
        return -1; /* the close reports the request as dropped */
    size_t left = r->out_len - r->out_off;
    size_t n = left < NAXD_HTTP_WRITE_CHUNK ? left : NAXD_HTTP_WRITE_CHUNK;
    /* lws takes all of it: what the socket refuses is buffered by lws, and
     * the next writeable callback only comes once that has drained. */
    if (lws_write(c->wsi, r->out + r->out_off, n, LWS_WRITE_HTTP) < 0)
        return -1;
    r->out_off += n;
    if (r->out_off < r->out_len) {
        lws_callback_on_writable(c->wsi);
        return 0;
    }
    int close = r->close_after;
    lws_sul_cancel(&c->body_sul);
    finish(r, 1);
    if (close)
        return -1;
    return lws_http_transaction_completed(c->wsi) ? -1 : 0;
}

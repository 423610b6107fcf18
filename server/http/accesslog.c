/* What is recorded when a request finishes: one JSON access-log line on
 * stdout (never headers, bodies or the query string, which can carry
 * secrets) and the request metrics. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

/* A JSON string; invalid UTF-8 becomes U+FFFD so the line stays valid JSON. */
int naxd__json_string(nax_buf *out, const char *s)
{
    int rc = nax__buf_append(out, "\"", 1);
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (!rc && *p) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            rc = nax__buf_append(out, esc, 2);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            rc = nax__buf_printf(out, "\\u%04x", c);
            p++;
        } else {
            size_t n = utf8_len(p);
            if (n) {
                rc = nax__buf_append(out, p, n);
                p += n;
            } else {
                rc = nax__buf_append_str(out, "\\ufffd");
                p++;
            }
        }
    }
    if (!rc)
        rc = nax__buf_append(out, "\"", 1);
    return rc;
}

static const char *route_label(const naxd_route *route)
{
    if (!route)
        return "unmatched";
    return route->name ? route->name : route->pattern;
}

/* naxd_http_requests_total{route,status}: the registry lookup (labels built
 * and compared under its lock) only the first time a route answers a
 * status; later requests find the counter in the route's slots. */
static naxd_counter *requests_counter(naxd_http *h, size_t idx, const char *route, int status)
{
    struct naxd_status_counter *slots = h->m_route_status[idx];
    for (int i = 0; i < NAXD_HTTP_STATUS_SLOTS && slots[i].counter; i++)
        if (slots[i].status == status)
            return slots[i].counter;
    char text[16];
    snprintf(text, sizeof(text), "%d", status);
    nax_buf labels = NAX_BUF_INIT;
    naxd_counter *c = NULL;
    if (naxd_metrics_label(&labels, "route", route) == 0 &&
        naxd_metrics_label(&labels, "status", text) == 0)
        c = naxd_metrics_counter_l(h->metrics, "naxd_http_requests_total",
                                   "HTTP requests by route and status.", labels.data);
    nax_buf_dispose(&labels);
    for (int i = 0; c && i < NAXD_HTTP_STATUS_SLOTS; i++) {
        if (!slots[i].counter) {
            slots[i].status = status;
            slots[i].counter = c;
            break;
        }
    }
    return c; /* a route with more statuses than slots looks the rest up */
}

static void record_metrics(naxd_req *r, double seconds)
{
    naxd_http *h = r->h;
    const char *route = route_label(r->route);
    /* One histogram and a few counters per route, looked up once. */
    size_t idx = r->route ? (size_t)(r->route - h->routes) : h->nroutes;
    if (idx > h->nroutes)
        return;
    naxd_counter_add(requests_counter(h, idx, route, r->status), 1);
    if (!h->m_route_latency[idx]) {
        nax_buf labels = NAX_BUF_INIT;
        if (naxd_metrics_label(&labels, "route", route) == 0)
            h->m_route_latency[idx] = naxd_metrics_histogram_l(
                h->metrics, "naxd_http_request_duration_seconds",
                "Time from the request head to the end of the reply.", labels.data);
        nax_buf_dispose(&labels);
    }
    naxd_histogram_observe(h->m_route_latency[idx], seconds);
}

static void write_log_line(naxd_req *r, double seconds)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    long long ts = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    nax_buf b = NAX_BUF_INIT;
    int rc = nax__buf_printf(&b, "{\"ts\":%lld,\"method\":", ts);
    if (!rc)
        rc = naxd__json_string(&b, r->method_name ? r->method_name : "OTHER");
    if (!rc)
        rc = nax__buf_append_str(&b, ",\"route\":");
    if (!rc)
        rc = naxd__json_string(&b, r->route ? route_label(r->route) : r->path);
    if (!rc)
        rc = nax__buf_printf(&b, ",\"status\":%d,\"latency_ms\":%.3f,\"request_id\":", r->status,
                             seconds * 1000.0);
    if (!rc)
        rc = naxd__json_string(&b, r->id);
    if (!rc)
        rc = nax__buf_append_str(&b, ",\"user\":");
    if (!rc)
        rc = r->user ? naxd__json_string(&b, r->user) : nax__buf_append_str(&b, "null");
    if (!rc)
        rc = nax__buf_append_str(&b, ",\"peer\":");
    if (!rc)
        rc = naxd__json_string(&b, r->peer);
    if (!rc)
        rc = nax__buf_printf(&b, ",\"bytes\":%zu}\n", r->reply_body_len);
    if (!rc) {
        fwrite(b.data, 1, b.len, stdout);
        fflush(stdout);
    }
    nax_buf_dispose(&b);
}

void naxd__req_record(naxd_req *r)
{
    double seconds = (double)(naxd__now_ns() - r->start_ns) / 1e9;
    record_metrics(r, seconds);
    if (r->h->access_log)
        write_log_line(r, seconds);
}

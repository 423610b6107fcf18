/*
 * Fault injection (only with --fault-injection): scripted per route through
 * POST /admin/faults, or per request through the X-NAX-Fault header; the
 * market stream's faults through POST /admin/stream-faults.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "app/app.h"
#include "app/internal.h"
#include "app/json_tree.h"
#include "core/core.h"
#include "stream/stream.h"

struct naxd_fault_rule {
    char *route; /* route name or "*" */
    unsigned int action;
    int status;
    uint32_t delay_ms, retry_after_s;
    unsigned int count; /* requests left */
    naxd_fault_rule *next;
};

static const struct {
    const char *name;
    unsigned int bit;
} actions[] = {
    {"error_before_commit", NAXD_FAULT_ERROR_BEFORE},
    {"error_after_commit", NAXD_FAULT_ERROR_AFTER},
    {"drop_after_commit", NAXD_FAULT_DROP_AFTER},
    {"delay", NAXD_FAULT_DELAY},
    {"rate_limit", NAXD_FAULT_RATE_LIMIT},
    {"commit_fail", NAXD_FAULT_COMMIT_FAIL},
};

static unsigned int action_bit(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
        if (strlen(actions[i].name) == len && !strncmp(actions[i].name, name, len))
            return actions[i].bit;
    return 0;
}

static int parse_uint(const char *s, size_t len, uint32_t *out)
{
    if (len == 0 || len > 9)
        return -1;
    uint32_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

/* "action[;status=N][;delay_ms=N][;retry_after_s=N]" */
static int parse_header(const char *h, naxd_ctx *ctx)
{
    const char *p = h;
    const char *end = p + strcspn(p, ";");
    unsigned int bit = action_bit(p, (size_t)(end - p));
    if (!bit)
        return -1;
    ctx->fault |= bit;
    while (*end == ';') {
        p = end + 1;
        end = p + strcspn(p, ";");
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (!eq)
            return -1;
        uint32_t v;
        if (parse_uint(eq + 1, (size_t)(end - eq - 1), &v))
            return -1;
        size_t klen = (size_t)(eq - p);
        if (klen == 6 && !strncmp(p, "status", 6) && v >= 400 && v <= 599)
            ctx->fault_status = (int)v;
        else if (klen == 8 && !strncmp(p, "delay_ms", 8) && v <= 60000)
            ctx->fault_delay_ms = v;
        else if (klen == 13 && !strncmp(p, "retry_after_s", 13))
            ctx->fault_retry_after_s = v;
        else
            return -1;
    }
    return 0;
}

int naxd__fault_match(naxd_app *a, naxd_req *req, const naxd_route *route, naxd_ctx *ctx)
{
    const char *h = naxd_req_header(req, "x-nax-fault");
    if (h && parse_header(h, ctx) != 0) {
        naxd_fail(req, 400, "invalid_request", "X-NAX-Fault", "unknown fault specification");
        return 1;
    }
    naxd_fault_rule **pp = &a->fault_rules;
    while (*pp) {
        naxd_fault_rule *r = *pp;
        if (!strcmp(r->route, "*") || !strcmp(r->route, route->name)) {
            ctx->fault |= r->action;
            if (r->status)
                ctx->fault_status = r->status;
            if (r->delay_ms)
                ctx->fault_delay_ms = r->delay_ms;
            if (r->retry_after_s)
                ctx->fault_retry_after_s = r->retry_after_s;
            if (--r->count == 0) {
                *pp = r->next;
                nax__free(r->route);
                nax__free(r);
            }
            break;
        }
        pp = &r->next;
    }
    return 0;
}

void naxd__fault_clear(naxd_app *a)
{
    while (a->fault_rules) {
        naxd_fault_rule *r = a->fault_rules;
        a->fault_rules = r->next;
        nax__free(r->route);
        nax__free(r);
    }
    a->clock_skew_ms = 0;
    naxd__fault_fail_allocation(0);
}

static int64_t int_of(yajl_val obj, const char *name, int64_t dflt)
{
    const char *path[] = {name, NULL};
    yajl_val v = yajl_tree_get(obj, path, yajl_t_number);
    return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : dflt;
}

/* A fault member that counts something: an integer in 0..max. Replies 400
 * naming it and returns -1 when it is anything else. */
static int count_member(naxd_req *req, yajl_val v, const char *name, long long max, long long *out)
{
    if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0 || YAJL_GET_INTEGER(v) > max) {
        naxd_fail(req, 400, "invalid_request", name, "%s must be an integer in 0..%lld", name, max);
        return -1;
    }
    *out = YAJL_GET_INTEGER(v);
    return 0;
}

/* count_member for a member that may be absent (*present 0). */
static int optional_count(naxd_req *req, yajl_val obj, const char *name, long long max,
                          long long *out, int *present)
{
    const char *path[] = {name, NULL};
    yajl_val v = yajl_tree_get(obj, path, yajl_t_any);
    *present = v != NULL;
    return v ? count_member(req, v, name, max, out) : 0;
}

NAXD_HANDLER(h_admin_faults)
{
    naxd_app *a = app;
    size_t len;
    const char *body = naxd_req_body(req, &len);
    char err[128] = "";
    yajl_val root = body ? naxd_json_tree(body, len, err, sizeof err) : NULL;
    if (!root || !YAJL_IS_OBJECT(root)) {
        yajl_tree_free(root);
        naxd_fail(req, 400, "invalid_json", NULL, "expected a JSON object");
        return;
    }
    const char *skew_path[] = {"clock_skew_ms", NULL};
    if (yajl_tree_get(root, skew_path, yajl_t_number))
        a->clock_skew_ms = int_of(root, "clock_skew_ms", 0);
    /* The next non-admin request's k-th allocation fails (0 disarms): see
     * app/fault_alloc.c. */
    long long k, pages;
    int has_k = 0, has_pages = 0;
    if (optional_count(req, root, "alloc_fail_at", 1000000000, &k, &has_k) ||
        optional_count(req, root, "store_max_pages", UINT32_MAX, &pages, &has_pages)) {
        yajl_tree_free(root);
        return;
    }
    if (has_k)
        naxd__fault_fail_allocation((long)k);
    /* A real disk-full condition: SQLite may not grow the database past N
     * pages (0: back to the default), so commits that need a page fail. */
    if (has_pages && naxd_store_test_set_max_pages(a->store, (unsigned int)pages) != 0) {
        yajl_tree_free(root);
        naxd_fail(req, 500, "internal_error", NULL, "the store refused the page limit");
        return;
    }
    const char *route_path[] = {"route", NULL}, *action_path[] = {"action", NULL};
    yajl_val route = yajl_tree_get(root, route_path, yajl_t_string);
    yajl_val action = yajl_tree_get(root, action_path, yajl_t_string);
    if (route || action) {
        const char *action_name = action ? YAJL_GET_STRING(action) : NULL;
        unsigned int bit = action_name ? action_bit(action_name, strlen(action_name)) : 0;
        naxd_fault_rule *r = bit && route ? nax__calloc(1, sizeof(*r)) : NULL;
        if (!r || !(r->route = nax__strdup(YAJL_GET_STRING(route)))) {
            nax__free(r);
            yajl_tree_free(root);
            naxd_fail(req, 400, "invalid_request", bit ? "route" : "action",
                      "a rule needs a route and a known action");
            return;
        }
        r->action = bit;
        r->status = (int)int_of(root, "status", 0);
        r->delay_ms = (uint32_t)int_of(root, "delay_ms", 0);
        r->retry_after_s = (uint32_t)int_of(root, "retry_after_s", 0);
        int64_t count = int_of(root, "count", 1);
        r->count = count > 0 ? (unsigned)count : 1;
        /* Append, so rules fire in the order they were given. */
        naxd_fault_rule **pp = &a->fault_rules;
        while (*pp)
            pp = &(*pp)->next;
        *pp = r;
    }
    yajl_tree_free(root);
    naxd_ok(a, req, 204, NAX_TYPE_NONE, NULL);
}

NAXD_HANDLER(h_admin_faults_clear)
{
    naxd_app *a = app;
    naxd__fault_clear(a);
    naxd_ok(a, req, 204, NAX_TYPE_NONE, NULL);
}

/* {"alloc_fail_at":k pending or 0, "alloc_window_open":bool, "alloc_last":{"fail_at":k,
 * "left":n} or null}: left is what the last armed request had to spare, 0 when
 * its k-th allocation failed. */
NAXD_HANDLER(h_admin_faults_get)
{
    (void)app;
    naxd_fault_alloc_state s;
    naxd__fault_alloc_state(&s);
    char body[160];
    if (s.last_k < 0)
        snprintf(body, sizeof body,
                 "{\"alloc_fail_at\":%ld,\"alloc_window_open\":%s,\"alloc_last\":null}", s.pending,
                 s.window_open ? "true" : "false");
    else
        snprintf(body, sizeof body,
                 "{\"alloc_fail_at\":%ld,\"alloc_window_open\":%s,"
                 "\"alloc_last\":{\"fail_at\":%ld,\"left\":%ld}}",
                 s.pending, s.window_open ? "true" : "false", s.last_k, s.last_left);
    naxd__send(req, 200, body, strlen(body)); /* not held behind commits, never stale */
}

/* ---- market stream faults ------------------------------------------------------------ */

/* A member of POST /admin/stream-faults: a count or duration in 0..UINT32_MAX. */
static int stream_fault_uint(naxd_req *req, yajl_val v, const char *name, uint32_t *out)
{
    long long n;
    if (count_member(req, v, name, UINT32_MAX, &n))
        return -1;
    *out = (uint32_t)n;
    return 0;
}

/* {"pair":"BTC-AUD","drop_updates":1,"corrupt_checksums":0,"stall_ms":0,"close_all":false},
 * every member optional: the next book updates dropped or with a wrong
 * checksum (of one pair, or every pair), open connections stalled, or every
 * connection closed abruptly. 204. */
NAXD_HANDLER(h_admin_stream_faults)
{
    naxd_app *a = app;
    size_t len;
    const char *body = naxd_req_body(req, &len);
    char err[128] = "";
    yajl_val root = body && len ? naxd_json_tree(body, len, err, sizeof err) : NULL;
    if (!root || !YAJL_IS_OBJECT(root)) {
        yajl_tree_free(root);
        naxd_fail(req, 400, "invalid_json", NULL, "expected a JSON object");
        return;
    }
    naxd_stream_fault f;
    memset(&f, 0, sizeof f);
    int bad = 0;
    for (size_t i = 0; !bad && i < root->u.object.len; i++) {
        const char *name = root->u.object.keys[i];
        yajl_val v = root->u.object.values[i];
        uint32_t n = 0;
        if (!strcmp(name, "pair")) {
            const char *pair = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
            if (YAJL_IS_NULL(v))
                continue;
            if (!pair) {
                naxd_fail(req, 400, "invalid_request", "pair", "pair must be a string");
                bad = 1;
            } else if (*pair && !naxd_engine_market(a->engine, pair)) {
                naxd_fail(req, 422, "unknown_pair", "pair", "no market %s",
                          strlen(pair) < 32 ? pair : "");
                bad = 1;
            } else {
                f.pair = pair;
            }
        } else if (!strcmp(name, "drop_updates")) {
            bad = stream_fault_uint(req, v, name, &n) != 0;
            f.drop_updates = n;
        } else if (!strcmp(name, "corrupt_checksums")) {
            bad = stream_fault_uint(req, v, name, &n) != 0;
            f.corrupt_checksums = n;
        } else if (!strcmp(name, "stall_ms")) {
            bad = stream_fault_uint(req, v, name, &n) != 0;
            f.stall_ms = n;
        } else if (!strcmp(name, "close_all")) {
            if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v)) {
                naxd_fail(req, 400, "invalid_request", "close_all", "close_all must be a boolean");
                bad = 1;
            }
            f.close_all = YAJL_IS_TRUE(v);
        } else {
            naxd_fail(req, 400, "invalid_request", NULL, "unknown member %s",
                      strlen(name) < 40 ? name : "");
            bad = 1;
        }
    }
    if (!bad && naxd_stream_inject(a->stream, &f) != 0) {
        naxd_fail(req, 500, "internal_error", NULL, "the stream fault was not taken: %s",
                  nax_error_last()->message);
        bad = 1;
    }
    yajl_tree_free(root);
    if (!bad)
        naxd_ok(a, req, 204, NAX_TYPE_NONE, NULL);
}

/*
 * naxd's request handling after lws: naxd__req_fill (method, version, path,
 * query, headers, request id, head limits), the framework's checks and
 * routing (naxd__req_head: Content-Length, 404/405/413, admit) and
 * naxd_app_dispatch with the real handlers, against one naxd_app started
 * once per process in a temporary data folder. Replies are captured
 * (naxd_http.capture) instead of going to lws.
 *
 * Input: an HTTP/1.1 request as text. The target splits it as lws would
 * (request line, "Name: value" lines, a blank line, the body), decodes the
 * path and query, and refuses what lws itself refuses (malformed
 * percent-encoding, no leading "/", an oversized head) by not sending it. A
 * body shorter than its Content-Length is a client that went away. In header
 * values, $TOKEN, $OPERATOR and $NOW become a live access token, the
 * operator token and the time in seconds; webhook-signature "$WHSIG" is the
 * signature of the request's webhook-id, webhook-timestamp and body.
 *
 * Oracles: each request sent gets exactly one reply, with a status in
 * 100..599 (none when the client went away); a 4xx/5xx reply is the error
 * body with a code and the request's id; no request is left in flight; no
 * request is answered twice.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "app/app.h"
#include "core/core.h"
#include "http/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OPERATOR   "op_fuzz_0123456789abcdef0123456789"
#define JWT_SECRET "fuzz-jwt-secret-0123456789abcdef-0123456789"
/* whsec_ + base64 of 27 bytes; every provider shares it */
#define WH_SECRET  "whsec_ZnV6ei13ZWJob29rLXNlY3JldC0wMTIzNDU2"
#define HEAD_MAX   16384 /* beyond twice max_header_bytes lws closes the connection */
#define QUERY_MAX  1000  /* fragments lws hands over */
#define REPLY_WAIT 8     /* seconds; libFuzzer's -timeout is 10 */

static naxd_app *app;
static naxd_config *cfg;
static char data_dir[64];
static char token[1024];

/* ---- the captured reply ------------------------------------------------------ */

static struct {
    int calls;
    int status;
    char id[NAXD_HTTP_REQUEST_ID_MAX + 1];
    nax_buf body;
} got;

static void capture(naxd_req *r, const char *content_type, const void *body, size_t len, void *arg)
{
    (void)content_type;
    (void)arg;
    got.calls++;
    got.status = r->status;
    snprintf(got.id, sizeof got.id, "%s", r->id);
    got.body.len = 0;
    if (nax__buf_append(&got.body, body ? body : "", body ? len : 0))
        abort();
}

static void on_log(nax_log_level level, const char *message, void *userdata)
{
    (void)level;
    (void)userdata;
    if (strstr(message, "answered twice"))
        abort(); /* a handler replied twice */
}

static const char *member_str(yajl_val obj, const char *name)
{
    const char *path[] = {name, NULL};
    yajl_val v = yajl_tree_get(obj, path, yajl_t_string);
    return v ? YAJL_GET_STRING(v) : NULL;
}

/* An error reply is {"error":{"code":"...","request_id":"<this request>",...}}. */
static void check_error_body(void)
{
    char err[128];
    char *text = got.body.data ? got.body.data : "";
    yajl_val root = yajl_tree_parse(text, err, sizeof err);
    const char *path[] = {"error", NULL};
    yajl_val e = root ? yajl_tree_get(root, path, yajl_t_object) : NULL;
    const char *code = e ? member_str(e, "code") : NULL;
    const char *rid = e ? member_str(e, "request_id") : NULL;
    if (!code || !*code || !rid || strcmp(rid, got.id) != 0) {
        fprintf(stderr, "fuzz_request: status %d with body %s\n", got.status, text);
        abort();
    }
    yajl_tree_free(root);
}

/* ---- the request as lws would hand it over ------------------------------------ */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes s[0..len) into out (NUL-terminated); "+" is a space in a
 * query. -1 for a malformed escape (lws refuses the request). */
static int decode(char *out, size_t *out_len, const char *s, size_t len, int plus)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            if (i + 2 >= len)
                return -1;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            out[n++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            out[n++] = plus && s[i] == '+' ? ' ' : s[i];
        }
    }
    out[n] = '\0';
    *out_len = n;
    return 0;
}

/* Folds "//", "." and ".." segments in place, as lws does. */
static size_t normalise(char *p, size_t len)
{
    size_t o = 0, i = 0;
    while (i < len) {
        /* p[i] == '/': look at the segment after it */
        size_t j = i + 1;
        while (j < len && p[j] != '/')
            j++;
        size_t seg = j - i - 1;
        if (seg == 0 && j < len) {
            /* "//": drop the empty segment */
        } else if (seg == 1 && p[i + 1] == '.') {
            /* "." */
        } else if (seg == 2 && p[i + 1] == '.' && p[i + 2] == '.') {
            while (o > 0 && p[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
        } else {
            memmove(p + o, p + i, j - i);
            o += j - i;
        }
        i = j;
    }
    if (o == 0)
        p[o++] = '/';
    p[o] = '\0';
    return o;
}

/* ---- placeholders ---------------------------------------------------------------- */

static int b64(char *out, const unsigned char *in, size_t len)
{
    return EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

/* "v1,<base64 HMAC-SHA256 of id.timestamp.body>" with the shared secret. */
static void webhook_signature(char *out, size_t size, const char *id, const char *ts,
                              const char *body, size_t len)
{
    unsigned char key[64], mac[32];
    int klen =
        EVP_DecodeBlock(key, (const unsigned char *)WH_SECRET + 6, (int)strlen(WH_SECRET) - 6);
    if (klen != 27)
        abort();
    nax_buf msg = NAX_BUF_INIT;
    unsigned int mlen = 0;
    if (nax__buf_append_str(&msg, id) || nax__buf_append(&msg, ".", 1) ||
        nax__buf_append_str(&msg, ts) || nax__buf_append(&msg, ".", 1) ||
        nax__buf_append(&msg, body, len) ||
        !HMAC(EVP_sha256(), key, klen, (const unsigned char *)msg.data, msg.len, mac, &mlen))
        abort();
    nax_buf_dispose(&msg);
    char sig[64];
    b64(sig, mac, mlen);
    snprintf(out, size, "v1,%s", sig);
}

/* value with $TOKEN, $OPERATOR and $NOW replaced, into the arena. */
static char *expand(naxd_req *r, const char *v, size_t len)
{
    if (!memchr(v, '$', len))
        return naxd__arena_strndup(r, v, len);
    nax_buf b = NAX_BUF_INIT;
    char now[24];
    snprintf(now, sizeof now, "%lld", (long long)time(NULL));
    static const struct {
        const char *name;
        const char *value;
    } vars[] = {{"$TOKEN", token}, {"$OPERATOR", OPERATOR}, {"$NOW", NULL}};
    for (size_t i = 0; i < len;) {
        size_t k = 0;
        for (; k < sizeof vars / sizeof vars[0]; k++) {
            size_t nl = strlen(vars[k].name);
            if (len - i >= nl && memcmp(v + i, vars[k].name, nl) == 0) {
                if (nax__buf_append_str(&b, vars[k].value ? vars[k].value : now))
                    abort();
                i += nl;
                break;
            }
        }
        if (k == sizeof vars / sizeof vars[0] && nax__buf_append(&b, v + i++, 1))
            abort();
    }
    char *out = naxd__arena_strndup(r, b.data ? b.data : "", b.len);
    nax_buf_dispose(&b);
    return out;
}

/* ---- one request ---------------------------------------------------------------- */

typedef struct parsed {
    const char *line; /* request line */
    size_t line_len;
    const char *lines[128]; /* header lines */
    size_t lens[128];
    size_t nlines;
    const char *body;
    size_t body_len;
} parsed;

/* Splits the text; 0 when lws would not hand it over at all. */
static int split(const char *s, size_t n, parsed *p)
{
    memset(p, 0, sizeof *p);
    const char *end = s + n, *eoh = NULL;
    for (const char *q = s; q + 4 <= end; q++)
        if (memcmp(q, "\r\n\r\n", 4) == 0) {
            eoh = q;
            break;
        }
    if (!eoh)
        eoh = end;
    if ((size_t)(eoh - s) > HEAD_MAX)
        return 0;
    p->body = eoh + (eoh < end ? 4 : 0);
    p->body_len = (size_t)(end - p->body);
    const char *q = s;
    int first = 1;
    while (q < eoh) {
        const char *nl = q;
        while (nl < eoh && !(nl + 1 < eoh && nl[0] == '\r' && nl[1] == '\n'))
            nl++;
        if (first) {
            p->line = q;
            p->line_len = (size_t)(nl - q);
            first = 0;
        } else if (p->nlines < 128) {
            p->lines[p->nlines] = q;
            p->lens[p->nlines++] = (size_t)(nl - q);
        } else {
            return 0; /* more than lws's header table holds */
        }
        q = nl + 2;
    }
    return p->line != NULL;
}

static int contains(const char *s, size_t n, char c)
{
    return memchr(s, c, n) != NULL;
}

/* The head into r's arena as naxd__head; 0 when lws would refuse it. */
static int build_head(naxd_req *r, const parsed *p, naxd__head *h)
{
    const char *l = p->line, *e = l + p->line_len;
    const char *sp1 = memchr(l, ' ', p->line_len);
    if (!sp1 || contains(l, p->line_len, '\0'))
        return 0;
    const char *tgt = sp1 + 1;
    const char *sp2 = memchr(tgt, ' ', (size_t)(e - tgt));
    const char *tend = sp2 ? sp2 : e;
    h->method = naxd__arena_strndup(r, l, (size_t)(sp1 - l));
    h->version = sp2 ? naxd__arena_strndup(r, sp2 + 1, (size_t)(e - sp2 - 1)) : "";
    if (!h->method || !h->version)
        abort();
    if (tend == tgt || *tgt != '/')
        return 0;
    const char *qm = memchr(tgt, '?', (size_t)(tend - tgt));
    const char *pend = qm ? qm : tend;
    char *path = naxd__arena_alloc(r, (size_t)(pend - tgt) + 2);
    size_t plen;
    if (!path || decode(path, &plen, tgt, (size_t)(pend - tgt), 0))
        return 0;
    h->path = path;
    h->path_len = normalise(path, plen);
    if (qm) {
        h->query = naxd__arena_alloc(r, sizeof(char *) * QUERY_MAX);
        if (!h->query)
            abort();
        const char *f = qm + 1;
        while (f <= tend && h->nquery < QUERY_MAX) {
            const char *fe = f;
            while (fe < tend && *fe != '&' && *fe != ';')
                fe++;
            char *frag = naxd__arena_alloc(r, (size_t)(fe - f) + 1);
            size_t flen;
            if (!frag || decode(frag, &flen, f, (size_t)(fe - f), 1))
                return 0;
            h->query[h->nquery++] = frag; /* lws's copy ends at a decoded NUL */
            f = fe + 1;
        }
    }
    h->headers = naxd__arena_alloc(r, sizeof(naxd_kv) * (p->nlines ? p->nlines : 1));
    if (!h->headers)
        abort();
    for (size_t i = 0; i < p->nlines; i++) {
        const char *hl = p->lines[i], *colon = memchr(hl, ':', p->lens[i]);
        if (!colon || colon == hl || contains(hl, p->lens[i], '\0'))
            return 0; /* lws refuses a line that is no header */
        char *name = naxd__arena_strndup(r, hl, (size_t)(colon - hl));
        if (!name)
            abort();
        for (char *c = name; *c; c++)
            if (*c == ' ' || *c == '\t')
                return 0;
        const char *v = colon + 1, *ve = hl + p->lens[i];
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        int dup = 0;
        for (size_t k = 0; k < h->nheaders; k++)
            dup |= strcasecmp(h->headers[k].name, name) == 0;
        if (dup)
            continue; /* the first of a repeated header is kept */
        h->headers[h->nheaders].name = name;
        h->headers[h->nheaders].value = expand(r, v, (size_t)(ve - v));
        if (!h->headers[h->nheaders].value)
            abort();
        h->nheaders++;
    }
    return 1;
}

/* Signs a webhook whose signature header is "$WHSIG". */
static void sign_webhook(naxd__head *h, const parsed *p)
{
    const char *id = "", *ts = "";
    naxd_kv *sig = NULL;
    for (size_t i = 0; i < h->nheaders; i++) {
        if (!strcasecmp(h->headers[i].name, "webhook-id"))
            id = h->headers[i].value;
        else if (!strcasecmp(h->headers[i].name, "webhook-timestamp"))
            ts = h->headers[i].value;
        else if (!strcasecmp(h->headers[i].name, "webhook-signature") &&
                 !strcmp(h->headers[i].value, "$WHSIG"))
            sig = &h->headers[i];
    }
    if (sig) {
        static char value[128];
        webhook_signature(value, sizeof value, id, ts, p->body, p->body_len);
        sig->value = value;
    }
}

/* Sends one request; 1 when a reply is owed. */
static int send_request(const char *text, size_t n)
{
    parsed p;
    if (!split(text, n, &p))
        return 0;
    naxd_http *http = app->http;
    naxd_req *r = naxd__req_new_detached(http, "127.0.0.1");
    if (!r)
        abort();
    naxd__head h;
    memset(&h, 0, sizeof h);
    if (!build_head(r, &p, &h)) {
        naxd__req_conn_lost(r); /* lws would have closed the connection */
        return 0;
    }
    sign_webhook(&h, &p);
    int rc = naxd__req_head(r, naxd__req_fill(r, &h));
    if (rc < 0)
        abort(); /* only out of memory closes */
    if (rc == 0)
        return 1;
    if (r->content_length > p.body_len) {
        naxd__req_conn_lost(r); /* the client never sent the rest */
        return 0;
    }
    if (nax__buf_append(&r->body, p.body, (size_t)r->content_length))
        abort();
    naxd__req_dispatch(r);
    return 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs one request to its end: the reply, then every batch it started. */
static int run(const char *text, size_t n)
{
    naxd_http *http = app->http;
    got.calls = 0;
    got.status = -1;
    int owed = send_request(text, n);
    double until = now_s() + REPLY_WAIT;
    while ((owed && !got.calls) || naxd_store_pending(app->store) > 0) {
        if (now_s() > until) {
            fprintf(stderr, "fuzz_request: no reply after %d s\n", REPLY_WAIT);
            abort();
        }
        naxd_http_service_posts(http, 10);
    }
    naxd__graveyard_flush(http);
    if (got.calls != owed || naxd_http_inflight(http) != 0 || http->reqs || http->body_bytes) {
        fprintf(stderr, "fuzz_request: %d replies for %d owed, %zu in flight\n", got.calls, owed,
                naxd_http_inflight(http));
        abort();
    }
    if (owed && (got.status < 100 || got.status > 599)) {
        fprintf(stderr, "fuzz_request: status %d\n", got.status);
        abort();
    }
    if (owed && got.status >= 400)
        check_error_body();
    return owed ? got.status : 0;
}

/* ---- the app, once per process ------------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void teardown(void)
{
    naxd_app_close(app);
    naxd_config_free(cfg);
    nax_buf_dispose(&got.body);
    nftw(data_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A set-up request that must succeed with status. */
static void run_ok(const char *s, int status)
{
    if (run(s, strlen(s)) != status) {
        fprintf(stderr, "fuzz_request: set-up got %d: %.*s\n", got.status, (int)got.body.len,
                got.body.data ? got.body.data : "");
        abort();
    }
}

/* The body's string member name, copied into out. */
static void reply_member(const char *name, char *out, size_t size)
{
    char err[128];
    yajl_val root = yajl_tree_parse(got.body.data ? got.body.data : "", err, sizeof err);
    const char *v = root ? member_str(root, name) : NULL;
    if (!v)
        abort();
    snprintf(out, size, "%s", v);
    yajl_tree_free(root);
}

/* A user with verified KYC and a live access token ($TOKEN). */
static void make_user(void)
{
    static const char reg[] = "{\"email\":\"fuzz@example.com\",\"password\":\"Correct Horse 9 "
                              "battery staple\",\"full_name\":\"Fuzz\",\"country\":\"AU\"}";
    static const char login[] =
        "{\"email\":\"fuzz@example.com\",\"password\":\"Correct Horse 9 battery staple\"}";
    char text[1024], id[64];
    snprintf(text, sizeof text,
             "POST /v1/auth/register HTTP/1.1\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\n\r\n%s",
             strlen(reg), reg);
    run_ok(text, 201);
    reply_member("id", id, sizeof id);
    snprintf(text, sizeof text, "POST /v1/auth/login HTTP/1.1\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(login), login);
    run_ok(text, 200);
    reply_member("access_token", token, sizeof token);
    static const char kyc[] = "{\"status\":\"verified\"}";
    snprintf(text, sizeof text,
             "POST /admin/users/%s/kyc HTTP/1.1\r\nAuthorization: Bearer " OPERATOR
             "\r\nContent-Length: %zu\r\n\r\n%s",
             id, strlen(kyc), kyc);
    run_ok(text, 200);
}

static void start(void)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(data_dir, sizeof data_dir, "%s/fuzz_request.XXXXXX", base);
    if (!mkdtemp(data_dir))
        abort();
    char path[128];
    snprintf(path, sizeof path, "%s/config.json", data_dir);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fprintf(f,
            "{\"kdf\":{\"m_cost_kib\":64,\"t_cost\":1,\"parallelism\":1},\"kdf_test_only\":true,"
            "\"operator_token\":\"%s\",\"jwt\":{\"access_ttl_s\":31536000},"
            "\"webhook_providers\":{\"payments\":[\"%s\"],\"custody\":[\"%s\"],\"kyc\":[\"%s\"]},"
            "\"rate_limits\":{\"default\":{\"rate\":1000000000,\"burst\":1000000000},"
            "\"auth\":{\"rate\":1000000000,\"burst\":1000000000},"
            "\"login_failures\":{\"rate\":1000000000,\"burst\":1000000000},"
            "\"totp_failures\":{\"rate\":1000000000,\"burst\":1000000000}}}",
            OPERATOR, WH_SECRET, WH_SECRET, WH_SECRET);
    fclose(f);
    setenv("NAXD_JWT_SECRET", JWT_SECRET, 1);
    nax_log_set(on_log, NAX_LOG_WARN, NULL);
    if (nax_global_init(NULL) || naxd_config_load(&cfg, path))
        abort();
    nax__free(cfg->data_dir);
    cfg->data_dir = nax__strdup(data_dir);
    cfg->port = 0;
    cfg->access_log = 0;
    if (!cfg->data_dir || naxd_app_open(&app, cfg, 0)) {
        fprintf(stderr, "fuzz_request: naxd_app_open: %s\n", nax_error_last()->message);
        abort();
    }
    app->http->capture = capture;
    atexit(teardown);
    make_user();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int verbose;
    if (!app) {
        start();
        verbose = getenv("FUZZ_REQUEST_VERBOSE") != NULL; /* status of each input */
    }
    int status = run((const char *)data, size);
    if (verbose)
        fprintf(stderr, "%d %.*s\n", status, (int)(got.body.len > 150 ? 150 : got.body.len),
                got.body.data ? got.body.data : "");
    return 0;
}

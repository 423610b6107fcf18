/* A request: what lws parsed, copied out of lws's header table (which is
 * recycled once the transaction ends) into memory the request owns, plus the
 * accessors the app reads it with. */
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"

int64_t naxd__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- arena ---------------------------------------------------------------- */

void *naxd__arena_alloc(naxd_req *r, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    naxd_arena *a = r->arena;
    if (!a || a->cap - a->used < size) {
        size_t cap = size > 4000 ? size : 4000;
        a = nax__malloc(sizeof(*a) + cap);
        if (!a)
            return NULL;
        a->used = 0;
        a->cap = cap;
        a->next = r->arena;
        r->arena = a;
    }
    void *p = a->data + a->used;
    a->used += size;
    return p;
}

char *naxd__arena_strndup(naxd_req *r, const char *s, size_t len)
{
    char *p = naxd__arena_alloc(r, len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

/* ---- life ----------------------------------------------------------------- */

/* The chunk that shares the request's allocation. */
static naxd_arena *first_chunk(naxd_req *r)
{
    return (naxd_arena *)(r + 1);
}

static naxd_req *req_alloc(naxd_http *h, naxd_conn *conn, const char *peer)
{
    /* sizeof(naxd_req) is a multiple of its (pointer) alignment, so the
     * chunk after it is aligned too. */
    naxd_req *r = nax__malloc(sizeof(*r) + sizeof(naxd_arena) + NAXD_HTTP_ARENA_FIRST);
    if (!r)
        return NULL;
    memset(r, 0, sizeof(*r));
    naxd_arena *a = first_chunk(r);
    a->next = NULL;
    a->used = 0;
    a->cap = NAXD_HTTP_ARENA_FIRST;
    r->arena = a;
    r->h = h;
    r->conn = conn;
    r->start_ns = naxd__now_ns();
    r->max_body = h->max_body;
    snprintf(r->peer, sizeof(r->peer), "%s", peer ? peer : "");
    r->next = h->reqs;
    if (h->reqs)
        h->reqs->prev = r;
    h->reqs = r;
    r->state = NAXD_REQ_RECEIVING; /* in flight from here until it is freed */
    atomic_fetch_add(&h->inflight, 1);
    return r;
}

naxd_req *naxd__req_new(naxd_http *h, naxd_conn *conn)
{
    return req_alloc(h, conn, conn->peer);
}

naxd_req *naxd__req_new_detached(naxd_http *h, const char *peer)
{
    return req_alloc(h, NULL, peer);
}

void naxd__req_free(naxd_req *r)
{
    if (!r)
        return;
    r->h->body_bytes -= r->body_budget;
    if (!r->out_in_arena)
        nax__free(r->out);
    /* Reply headers and the user label live in the arena. */
    naxd_arena *a = r->arena;
    while (a) {
        naxd_arena *next = a->next;
        if (a != first_chunk(r))
            nax__free(a);
        a = next;
    }
    nax_buf_dispose(&r->body);
    nax__free(r);
}

/* ---- reading what lws parsed ---------------------------------------------- */

static int has_control_bytes(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 1;
    return 0;
}

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* Percent-encodes s into out, keeping unreserved bytes and those in keep. */
static int encode_into(nax_buf *out, const char *s, size_t len, const char *keep)
{
    static const char hex[] = "0123456789ABCDEF";
    if (nax__buf_reserve(out, len * 3))
        return NAX_ENOMEM;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c) || (c && keep && strchr(keep, c))) {
            out->data[out->len++] = (char)c;
        } else {
            out->data[out->len++] = '%';
            out->data[out->len++] = hex[c >> 4];
            out->data[out->len++] = hex[c & 15];
        }
    }
    out->data[out->len] = '\0';
    return 0;
}

/* One query fragment ("name=value", decoded) into the target, re-encoded. */
static int encode_fragment(nax_buf *out, const char *frag, size_t len)
{
    const char *eq = memchr(frag, '=', len);
    if (!eq)
        return encode_into(out, frag, len, NULL);
    size_t nlen = (size_t)(eq - frag);
    if (encode_into(out, frag, nlen, NULL) || nax__buf_append(out, "=", 1))
        return NAX_ENOMEM;
    return encode_into(out, eq + 1, len - nlen - 1, NULL);
}

/* ---- the head, whoever parsed it --------------------------------------------- */

static const struct {
    naxd_method method;
    const char *name;
} methods[] = {
    /* in the order of LWSHUMETH_* (naxd__req_read indexes this) */
    {NAXD_GET, "GET"},     {NAXD_POST, "POST"},     {NAXD_OTHER, "OPTIONS"}, {NAXD_PUT, "PUT"},
    {NAXD_PATCH, "PATCH"}, {NAXD_DELETE, "DELETE"}, {NAXD_OTHER, "CONNECT"}, {NAXD_OTHER, "HEAD"},
};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

static void fill_method(naxd_req *r, const char *name)
{
    r->method = NAXD_OTHER;
    r->method_name = "OTHER";
    for (size_t i = 0; name && i < NMETHODS; i++) {
        if (strcmp(name, methods[i].name) == 0) {
            r->method = methods[i].method;
            r->method_name = methods[i].name;
            r->is_head = strcmp(name, "HEAD") == 0;
        }
    }
}

static void fill_version(naxd_req *r, const char *version)
{
    r->http10 = version && strcmp(version, "HTTP/1.0") == 0;
    /* The tests lws applies when it decides whether to keep the connection,
     * so that the Connection header we send says what will happen. */
    const char *conn = naxd_req_header(r, "connection");
    if (conn) {
        if (r->http10 && strcasecmp(conn, "keep-alive") == 0)
            r->keep_alive10 = 1;
        if (!r->http10 && strcasecmp(conn, "close") == 0)
            r->close_after = 1;
    }
}

/* Query parameters and the rebuilt target. */
static int fill_query(naxd_req *r, char **frags, size_t nfrag, nax_buf *target)
{
    if (!nfrag)
        return 0;
    r->query = naxd__arena_alloc(r, sizeof(naxd_kv) * nfrag);
    if (!r->query || nax__buf_append(target, "?", 1))
        return NAX_ENOMEM;
    for (size_t i = 0; i < nfrag; i++) {
        char *frag = frags[i];
        size_t len = strlen(frag);
        if (has_control_bytes(frag, len))
            return 400;
        if ((i && nax__buf_append(target, "&", 1)) || encode_fragment(target, frag, len))
            return NAX_ENOMEM;
        r->header_bytes += len + 1;
        if (!len)
            continue;
        char *eq = strchr(frag, '=');
        if (eq)
            *eq = '\0';
        r->query[r->nquery].name = frag;
        r->query[r->nquery].value = eq ? eq + 1 : "";
        r->nquery++;
    }
    return 0;
}

static int sane_request_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        if (!(unreserved(c) && c != '~') || n >= NAXD_HTTP_REQUEST_ID_MAX)
            return 0;
    }
    return n > 0;
}

/* "req_" + 16 hex digits from the CSPRNG (the ids must not be guessable). */
static void new_request_id(char *out)
{
    unsigned char raw[8];
    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        /* Not a secret: fall back on time and address rather than fail. */
        uint64_t t = (uint64_t)naxd__now_ns() ^ (uint64_t)(uintptr_t)out;
        memcpy(raw, &t, sizeof(raw));
    }
    static const char hex[] = "0123456789abcdef";
    memcpy(out, "req_", 4);
    for (size_t i = 0; i < sizeof(raw); i++) {
        out[4 + 2 * i] = hex[raw[i] >> 4];
        out[5 + 2 * i] = hex[raw[i] & 15];
    }
    out[4 + 2 * sizeof(raw)] = '\0';
}

int naxd__req_fill(naxd_req *r, const naxd__head *in)
{
    r->headers = in->headers;
    r->nheaders = 0;
    for (size_t i = 0; i < in->nheaders; i++) {
        if (!in->headers[i].value[0])
            continue; /* absent, as naxd_req_header() promises */
        r->headers[r->nheaders++] = in->headers[i];
        /* ": " and CRLF */
        r->header_bytes += strlen(in->headers[i].name) + strlen(in->headers[i].value) + 4;
    }
    fill_method(r, in->method);
    fill_version(r, in->version);
    r->is_tls = in->is_tls;
    const char *rid = naxd_req_header(r, "x-request-id");
    if (rid && sane_request_id(rid))
        snprintf(r->id, sizeof(r->id), "%s", rid);
    else
        new_request_id(r->id);

    r->path = naxd__arena_strndup(r, in->path, in->path_len);
    if (!r->path)
        return NAX_ENOMEM;
    nax_buf target = NAX_BUF_INIT;
    int rc = encode_into(&target, in->path, in->path_len, "/");
    if (!rc)
        rc = fill_query(r, in->query, in->nquery, &target);
    if (!rc) {
        r->target = naxd__arena_strndup(r, target.data, target.len);
        if (!r->target)
            rc = NAX_ENOMEM;
    }
    nax_buf_dispose(&target);
    if (rc)
        return rc;
    r->header_bytes += strlen(r->method_name) + in->path_len + 12; /* " ", " HTTP/1.1", CRLF */
    if (has_control_bytes(in->path, in->path_len))
        return 400;
    if (r->header_bytes > r->h->max_header_bytes)
        return 431;
    /* lws ends the target at a decoded CR or LF and drops the rest of the
     * request line, version included: such a target was cut short. */
    if (!r->http10 && (!in->version || !in->version[0]))
        return 400;
    return 0;
}

/* ---- reading what lws parsed ---------------------------------------------- */

static const char *lws_method(struct lws *wsi)
{
    char *uri = NULL;
    int uri_len = 0;
    int m = lws_http_get_uri_and_method(wsi, &uri, &uri_len);
    return m < 0 || (size_t)m >= NMETHODS ? NULL : methods[m].name;
}

/* The decoded query fragments, copied into the arena. */
static int lws_query(naxd_req *r, struct lws *wsi, naxd__head *head)
{
    int nfrag = 0;
    char probe[1];
    while (nfrag < 1000 &&
           (lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_URI_ARGS, nfrag) > 0 ||
            lws_hdr_copy_fragment(wsi, probe, sizeof(probe), WSI_TOKEN_HTTP_URI_ARGS, nfrag) == 0))
        nfrag++;
    if (!nfrag)
        return 0;
    head->query = naxd__arena_alloc(r, sizeof(char *) * (size_t)nfrag);
    if (!head->query)
        return NAX_ENOMEM;
    for (int i = 0; i < nfrag; i++) {
        int flen = lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_URI_ARGS, i);
        char *frag = naxd__arena_alloc(r, (size_t)flen + 1);
        if (!frag)
            return NAX_ENOMEM;
        if (lws_hdr_copy_fragment(wsi, frag, flen + 1, WSI_TOKEN_HTTP_URI_ARGS, i) < 0)
            frag[0] = '\0';
        head->query[head->nquery++] = frag;
    }
    return 0;
}

static int lws_add_header(naxd_req *r, naxd__head *head, const char *name, size_t name_len,
                          const char *value)
{
    char *n = naxd__arena_strndup(r, name, name_len);
    if (!n)
        return NAX_ENOMEM;
    head->headers[head->nheaders].name = n;
    head->headers[head->nheaders].value = value;
    head->nheaders++;
    return 0;
}

/* Every header lws knows by token, then the custom ones we were told about. */
static int lws_headers(naxd_req *r, struct lws *wsi, naxd__head *head)
{
    size_t ncustom = 0;
    while (r->h->header_names[ncustom])
        ncustom++;
    head->headers = naxd__arena_alloc(r, sizeof(naxd_kv) * ((size_t)WSI_TOKEN_COUNT + ncustom));
    if (!head->headers)
        return NAX_ENOMEM;
    for (int t = 0; t < (int)WSI_TOKEN_COUNT; t++) {
        const char *name = (const char *)lws_token_to_string((enum lws_token_indexes)t);
        size_t nlen = name ? strlen(name) : 0;
        if (nlen < 2 || name[0] == ':' || name[nlen - 1] != ':')
            continue; /* methods, pseudo headers, internal tokens */
        int len = lws_hdr_total_length(wsi, (enum lws_token_indexes)t);
        if (len <= 0)
            continue;
        char *value = naxd__arena_alloc(r, (size_t)len + 1);
        if (!value)
            return NAX_ENOMEM;
        if (lws_hdr_copy(wsi, value, len + 1, (enum lws_token_indexes)t) < 0)
            continue;
        if (lws_add_header(r, head, name, nlen - 1, value))
            return NAX_ENOMEM;
    }
    for (size_t i = 0; i < ncustom; i++) {
        char key[80];
        int klen = snprintf(key, sizeof(key), "%s:", r->h->header_names[i]);
        if (klen <= 1 || (size_t)klen >= sizeof(key))
            continue;
        int len = lws_hdr_custom_length(wsi, key, klen);
        if (len <= 0)
            continue;
        char *value = naxd__arena_alloc(r, (size_t)len + 1);
        if (!value)
            return NAX_ENOMEM;
        if (lws_hdr_custom_copy(wsi, value, len + 1, key, klen) < 0)
            continue;
        if (lws_add_header(r, head, key, (size_t)klen - 1, value))
            return NAX_ENOMEM;
    }
    return 0;
}

int naxd__req_read(naxd_req *r, struct lws *wsi, const char *uri, size_t uri_len)
{
    naxd__head head;
    memset(&head, 0, sizeof(head));
    /* Only HTTP/1.0 matters beyond being there; a longer one is neither. */
    char version[16];
    if (lws_hdr_copy(wsi, version, sizeof(version), WSI_TOKEN_HTTP) <= 0)
        snprintf(version, sizeof(version), "%s",
                 lws_hdr_total_length(wsi, WSI_TOKEN_HTTP) > 0 ? "HTTP/?" : "");
    head.method = lws_method(wsi);
    head.version = version;
    head.path = uri;
    head.path_len = uri_len;
    head.is_tls = lws_is_ssl(wsi);
    int rc = lws_headers(r, wsi, &head);
    if (!rc)
        rc = lws_query(r, wsi, &head);
    return rc ? rc : naxd__req_fill(r, &head);
}

/* ---- accessors ------------------------------------------------------------ */

naxd_method naxd_req_method(const naxd_req *r)
{
    return r->method;
}

const char *naxd_req_method_name(const naxd_req *r)
{
    return r->method_name;
}

const naxd_route *naxd_req_route(const naxd_req *r)
{
    return r->route;
}

const char *naxd_req_path(const naxd_req *r)
{
    return r->path;
}

const char *naxd_req_target(const naxd_req *r)
{
    return r->target;
}

static const char *kv_find(const naxd_kv *list, size_t n, const char *name, int nocase)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if ((nocase ? strcasecmp(list[i].name, name) : strcmp(list[i].name, name)) == 0)
            return list[i].value;
    return NULL;
}

const char *naxd_req_param(const naxd_req *r, const char *name)
{
    return kv_find(r->params, r->nparams, name, 0);
}

const char *naxd_req_query(const naxd_req *r, const char *name)
{
    return kv_find(r->query, r->nquery, name, 0);
}

int naxd_req_foreach_query(const naxd_req *r,
                           int (*fn)(const char *name, const char *value, void *arg), void *arg)
{
    for (size_t i = 0; i < r->nquery; i++) {
        int rc = fn(r->query[i].name, r->query[i].value, arg);
        if (rc)
            return rc;
    }
    return 0;
}

const char *naxd_req_header(const naxd_req *r, const char *name)
{
    return kv_find(r->headers, r->nheaders, name, 1);
}

const char *naxd_req_body(const naxd_req *r, size_t *len)
{
    if (len)
        *len = r->body.len;
    return r->body.data ? r->body.data : "";
}

const char *naxd_req_id(const naxd_req *r)
{
    return r->id;
}

const char *naxd_req_peer(const naxd_req *r)
{
    return r->peer;
}

int64_t naxd_req_start_ns(const naxd_req *r)
{
    return r->start_ns;
}

int naxd_req_is_tls(const naxd_req *r)
{
    return r->is_tls;
}

void naxd_req_set_user_label(naxd_req *r, const char *user)
{
    /* A replaced label stays in the arena until the request is freed. */
    char *copy = user ? naxd__arena_strndup(r, user, strlen(user)) : NULL;
    if (user && !copy)
        return; /* the label only feeds the access log */
    r->user = copy;
}

void naxd_req_set_data(naxd_req *r, void *data)
{
    r->data = data;
}

void *naxd_req_data(const naxd_req *r)
{
    return r->data;
}

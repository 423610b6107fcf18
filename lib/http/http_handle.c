/* One pooled easy handle: the options set once when it is made, and the
 * per-request options set before each use. Nothing between uses resets the
 * handle, so its connection stays alive for the next request. */
#include <string.h>

#include "core/core.h"
#include "http_internal.h"

/* curl_easy_setopt results folded into the first failure. */
#define SETOPT(rc, easy, opt, val)                                                                 \
    do {                                                                                           \
        if ((rc) == CURLE_OK)                                                                      \
            (rc) = curl_easy_setopt((easy), (opt), (val));                                         \
    } while (0)

static int setopt_failed(CURLcode rc, const char *what)
{
    if (rc == CURLE_OUT_OF_MEMORY)
        return nax__error_oom();
    return nax__error(NAX_EINVAL, "curl refused the %s: %s", what, curl_easy_strerror(rc));
}

static CURLcode set_fixed_options(nax__http_handle *hh, const nax__http_settings *s, CURLSH *share)
{
    CURL *e = hh->easy;
    CURLcode rc = CURLE_OK;
    SETOPT(rc, e, CURLOPT_SHARE, share);
    SETOPT(rc, e, CURLOPT_NOSIGNAL, 1L);
    SETOPT(rc, e, CURLOPT_ERRORBUFFER, hh->errbuf);
    SETOPT(rc, e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    SETOPT(rc, e, CURLOPT_CONNECTTIMEOUT_MS, s->connect_timeout_ms);
    SETOPT(rc, e, CURLOPT_TCP_KEEPALIVE, 1L);
    SETOPT(rc, e, CURLOPT_PROTOCOLS_STR, "http,https");
    SETOPT(rc, e, CURLOPT_FOLLOWLOCATION, 0L);
    /* The target goes out as the caller built (and signed) it: curl would
     * otherwise collapse "/./" and "/../", sending another path than the
     * one the signature covers (DELETE /v1/orders/.. became DELETE /v1/). */
    SETOPT(rc, e, CURLOPT_PATH_AS_IS, 1L);
    SETOPT(rc, e, CURLOPT_SSL_VERIFYPEER, s->tls_insecure ? 0L : 1L);
    SETOPT(rc, e, CURLOPT_SSL_VERIFYHOST, s->tls_insecure ? 0L : 2L);
    if (s->ca_path)
        SETOPT(rc, e, CURLOPT_CAINFO, s->ca_path);
    if (s->pinned_public_key)
        SETOPT(rc, e, CURLOPT_PINNEDPUBLICKEY, s->pinned_public_key);
    /* "" turns proxies off, environment variables included. */
    SETOPT(rc, e, CURLOPT_PROXY, s->proxy ? s->proxy : "");
    SETOPT(rc, e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    if (s->user_agent)
        SETOPT(rc, e, CURLOPT_USERAGENT, s->user_agent);
    SETOPT(rc, e, CURLOPT_HEADERFUNCTION, nax__http_on_header);
    SETOPT(rc, e, CURLOPT_HEADERDATA, &hh->transfer);
    SETOPT(rc, e, CURLOPT_WRITEFUNCTION, nax__http_on_body);
    SETOPT(rc, e, CURLOPT_WRITEDATA, &hh->transfer);
    SETOPT(rc, e, CURLOPT_PREREQFUNCTION, nax__http_on_prereq);
    SETOPT(rc, e, CURLOPT_PREREQDATA, &hh->transfer);
    return rc;
}

nax__http_handle *nax__http_handle_new(const nax__http_settings *s, CURLSH *share)
{
    nax__http_handle *hh = nax__calloc(1, sizeof *hh);
    if (!hh) {
        nax__error_oom();
        return NULL;
    }
    hh->easy = curl_easy_init();
    if (!hh->easy) {
        nax__free(hh);
        nax__error_oom();
        return NULL;
    }
    hh->transfer.max_body = s->max_body;
    CURLcode rc = set_fixed_options(hh, s, share);
    if (rc != CURLE_OK) {
        setopt_failed(rc, "transport options");
        nax__http_handle_free(hh);
        return NULL;
    }
    return hh;
}

void nax__http_handle_free(nax__http_handle *hh)
{
    if (!hh)
        return;
    if (hh->easy)
        curl_easy_cleanup(hh->easy);
    nax_buf_dispose(&hh->url);
    nax__free(hh->lines);
    nax__free(hh);
}

/* ---- per request ---- */

static int valid_method(const char *m)
{
    if (!m || !*m || strlen(m) > 16)
        return 0;
    for (; *m; m++)
        if (*m < 'A' || *m > 'Z')
            return 0;
    return 1;
}

/* Bytes that would end or split the request line. */
static int valid_target(const char *t)
{
    if (!t || t[0] != '/')
        return 0;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

static int valid_header(const char *h)
{
    const char *colon = h ? strchr(h, ':') : NULL;
    return colon && colon != h && !strpbrk(h, "\r\n");
}

static int method_has_body(const char *m)
{
    return !strcmp(m, "POST") || !strcmp(m, "PUT") || !strcmp(m, "PATCH");
}

/* Points the handle's list nodes at the request's lines: no copies. */
static int build_headers(nax__http_handle *hh, const nax__http_request *req, int with_body,
                         struct curl_slist **out)
{
    size_t n = req->headers_count + (with_body ? 1 : 0);
    for (size_t i = 0; i < req->headers_count; i++)
        if (!valid_header(req->headers[i]))
            return nax__error(NAX_EINVAL, "request header %zu is not one \"Name: value\" line", i);
    if (n > hh->lines_cap) {
        struct curl_slist *grown = nax__realloc(hh->lines, n * sizeof *grown);
        if (!grown)
            return nax__error_oom();
        hh->lines = grown;
        hh->lines_cap = n;
    }
    for (size_t i = 0; i < req->headers_count; i++)
        hh->lines[i].data = (char *)req->headers[i]; /* curl only reads the lines */
    /* No 100-continue round trip: our bodies are small and the server reads them. */
    static char no_expect[] = "Expect:";
    if (with_body)
        hh->lines[n - 1].data = no_expect;
    for (size_t i = 0; i < n; i++)
        hh->lines[i].next = i + 1 < n ? &hh->lines[i + 1] : NULL;
    *out = n ? hh->lines : NULL;
    return 0;
}

/* Whether the handle's URL already is base_url + target. */
static int same_url(const nax__http_handle *hh, const char *base, const char *target)
{
    size_t bl = strlen(base), tl = strlen(target);
    return hh->url_set && hh->url.len == bl + tl && !memcmp(hh->url.data, base, bl) &&
           !memcmp(hh->url.data + bl, target, tl);
}

int nax__http_handle_prepare(nax__http_handle *hh, const nax__http_settings *s,
                             const nax__http_request *req, struct curl_slist **headers)
{
    *headers = NULL;
    if (!valid_method(req->method))
        return nax__error(NAX_EINVAL, "the HTTP method is not an upper-case token");
    if (!valid_target(req->target))
        return nax__error(NAX_EINVAL, "the request target must start with '/' and hold no "
                                      "spaces or control characters");
    if (req->headers_count && !req->headers)
        return nax__error(NAX_EINVAL, "headers_count without headers");
    if (req->body_len && !req->body)
        return nax__error(NAX_EINVAL, "body_len without a body");
    if (req->timeout_ms == 0)
        return nax__error(NAX_EINVAL, "the request timeout must be positive");

    const int head = !strcmp(req->method, "HEAD");
    const int with_body = req->body != NULL || method_has_body(req->method);
    const int plain_get = !strcmp(req->method, "GET") && !with_body;
    int err = build_headers(hh, req, with_body, headers);
    if (err)
        return err;

    /* curl keeps options between transfers: the URL and the method options
     * are set only when they differ from the last request's (a bot asks for
     * the same ticker again and again). Until this prepare succeeds, neither
     * is known to hold. */
    CURL *e = hh->easy;
    CURLcode rc = CURLE_OK;
    const int url_same = same_url(hh, s->base_url, req->target);
    const int was_plain_get = hh->plain_get;
    hh->plain_get = 0;
    if (!url_same) {
        hh->url_set = 0;
        nax__buf_reset(&hh->url);
        err = nax__buf_append_str(&hh->url, s->base_url);
        if (!err)
            err = nax__buf_append_str(&hh->url, req->target);
        if (err) {
            *headers = NULL;
            return err;
        }
        SETOPT(rc, e, CURLOPT_URL, hh->url.data);
    }
    if (!(plain_get && was_plain_get)) {
        /* Forget the last request's body, then back to a plain GET: this
         * clears the method the last request set. */
        SETOPT(rc, e, CURLOPT_POSTFIELDS, (const char *)NULL);
        SETOPT(rc, e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)-1);
        SETOPT(rc, e, CURLOPT_HTTPGET, 1L);
        SETOPT(rc, e, CURLOPT_NOBODY, head ? 1L : 0L);
        if (with_body) {
            SETOPT(rc, e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
            SETOPT(rc, e, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
        }
        const int plain = !strcmp(req->method, "GET") || !strcmp(req->method, "POST") || head;
        SETOPT(rc, e, CURLOPT_CUSTOMREQUEST, plain ? NULL : req->method);
    }
    SETOPT(rc, e, CURLOPT_HTTPHEADER, *headers);
    SETOPT(rc, e, CURLOPT_TIMEOUT_MS, (long)req->timeout_ms);
    if (rc != CURLE_OK) {
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
        *headers = NULL;
        return setopt_failed(rc, "request options");
    }
    hh->url_set = 1;
    hh->plain_get = plain_get;
    return 0;
}

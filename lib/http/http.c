/* The transport of one client: its settings, share handle and pool, and one
 * attempt at a request from taking a handle to giving it back. */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/core.h"
#include "http_internal.h"

struct nax__http {
    nax__http_settings settings;
    nax__http_share share;
    nax__http_pool pool;
    int share_ready, pool_ready;
};

/* ---- creation ---- */

/* Only http and https URLs with a host that curl can read. */
static int check_base_url(const char *url)
{
    CURLU *u = curl_url();
    if (!u)
        return nax__error_oom();
    char *scheme = NULL, *host = NULL;
    CURLUcode uc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (uc == CURLUE_OK)
        uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    if (uc == CURLUE_OK)
        uc = curl_url_get(u, CURLUPART_HOST, &host, 0);
    int rc = 0;
    if (uc == CURLUE_OUT_OF_MEMORY)
        rc = nax__error_oom();
    else if (uc != CURLUE_OK)
        rc = nax__error_field(NAX_EINVAL, "base_url", "the base URL is not usable: %s",
                              curl_url_strerror(uc));
    else if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
        rc = nax__error_field(NAX_EINVAL, "base_url", "the base URL must be http or https");
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

/* A copy of `s`, or NULL for NULL; *failed is set when the copy failed. */
static char *copy_opt(const char *s, int *failed)
{
    if (!s)
        return NULL;
    char *c = nax__strdup(s);
    if (!c)
        *failed = 1;
    return c;
}

static int copy_settings(nax__http_settings *s, const nax__http_config *cfg)
{
    int failed = 0;
    size_t base_len = strlen(cfg->base_url);
    while (base_len > 0 && cfg->base_url[base_len - 1] == '/')
        base_len--; /* targets bring their own leading slash */
    s->base_url = nax__strndup(cfg->base_url, base_len);
    failed |= s->base_url == NULL;
    s->ca_path = copy_opt(cfg->ca_path, &failed);
    s->pinned_public_key = copy_opt(cfg->pinned_public_key, &failed);
    s->proxy = copy_opt(cfg->proxy, &failed);
    s->user_agent = copy_opt(cfg->user_agent, &failed);
    s->connect_timeout_ms = (long)cfg->connect_timeout_ms;
    s->tls_insecure = cfg->tls_insecure != 0;
    s->max_body = cfg->max_body ? cfg->max_body : NAX__HTTP_DEFAULT_MAX_BODY;
    return failed ? nax__error_oom() : 0;
}

static void free_settings(nax__http_settings *s)
{
    nax__free(s->base_url);
    nax__free(s->ca_path);
    nax__free(s->pinned_public_key);
    nax__free(s->proxy);
    nax__free(s->user_agent);
}

int nax__http_new(nax__http **out, const nax__http_config *cfg)
{
    if (!out)
        return nax__error(NAX_EINVAL, "nax__http_new needs an out pointer");
    *out = NULL;
    if (!cfg || !cfg->base_url)
        return nax__error_field(NAX_EINVAL, "base_url", "a base URL is required");
    if (cfg->connect_timeout_ms == 0)
        return nax__error_field(NAX_EINVAL, "connect_timeout_ms",
                                "the connect timeout must be positive");
    if (cfg->max_connections == 0)
        return nax__error_field(NAX_EINVAL, "max_connections",
                                "the pool needs at least one connection");
    if (!nax__global_ready())
        return nax__error(NAX_ESTATE, "call nax_global_init() before creating a transport");
    int rc = check_base_url(cfg->base_url);
    if (rc)
        return rc;

    nax__http *h = nax__calloc(1, sizeof *h);
    if (!h)
        return nax__error_oom();
    rc = copy_settings(&h->settings, cfg);
    if (!rc)
        rc = nax__http_share_init(&h->share);
    if (!rc)
        h->share_ready = 1;
    if (!rc)
        rc = nax__http_pool_init(&h->pool, cfg->max_connections);
    if (!rc)
        h->pool_ready = 1;
    if (rc) {
        nax__http_free(h);
        return rc;
    }
    *out = h;
    return 0;
}

void nax__http_free(nax__http *h)
{
    if (!h)
        return;
    /* Easy handles first: curl refuses to drop a share still in use. */
    if (h->pool_ready)
        nax__http_pool_dispose(&h->pool);
    if (h->share_ready)
        nax__http_share_dispose(&h->share);
    free_settings(&h->settings);
    nax__free(h);
}

/* ---- one attempt ---- */

static uint64_t monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static struct timespec deadline_after(uint64_t start_us, uint32_t ms)
{
    uint64_t at = start_us + (uint64_t)ms * 1000u;
    struct timespec ts = {(time_t)(at / 1000000u), (long)(at % 1000000u) * 1000L};
    return ts;
}

/* A handle from the pool, made now when the pool has room for one more. */
static int take_handle(nax__http *h, uint64_t start_us, const nax__http_request *req,
                       nax__http_handle **out)
{
    struct timespec deadline = deadline_after(start_us, req->timeout_ms);
    int rc = nax__http_pool_take(&h->pool, &deadline, out);
    if (rc) {
        char what[256];
        nax__http_describe(what, sizeof what, req);
        nax__error(rc, "%s: none of the %u connections in the pool came free in time", what,
                   h->pool.max);
        nax__error_set_transient(1);
        return rc;
    }
    if (*out)
        return 0;
    *out = nax__http_handle_new(&h->settings, h->share.sh);
    if (!*out) {
        nax__http_pool_unreserve(&h->pool);
        return nax_error_last()->code;
    }
    return 0;
}

/* Runs the transfer on a prepared handle. */
static int transfer(nax__http_handle *hh, const nax__http_request *req, nax__http_response *resp)
{
    hh->errbuf[0] = '\0';
    CURLcode cc = curl_easy_perform(hh->easy);
    if (cc != CURLE_OK)
        return nax__http_fail(hh, cc, req, resp);
    long status = 0;
    curl_easy_getinfo(hh->easy, CURLINFO_RESPONSE_CODE, &status);
    resp->sent = 1;
    if (status <= 0) {
        char what[256];
        nax__http_describe(what, sizeof what, req);
        nax__error(NAX_ENETWORK, "%s: no HTTP status arrived", what);
        nax__error_set_transient(1);
        return NAX_ENETWORK;
    }
    resp->status = (int)status;
    return 0;
}

int nax__http_perform(nax__http *h, const nax__http_request *req, nax__http_response *resp)
{
    if (!h || !req || !resp)
        return nax__error(NAX_EINVAL, "nax__http_perform needs a transport, request and response");
    nax__http_response_reset(resp);
    if (req->timeout_ms == 0)
        return nax__error(NAX_EINVAL, "the request timeout must be positive");
    const uint64_t start = monotonic_us();

    nax__http_handle *hh = NULL;
    int rc = take_handle(h, start, req, &hh);
    /* The transfer is timed from here: a wait for a handle is local
     * contention, which must not look like a slow server to a breaker. It
     * still comes out of the attempt's timeout. */
    const uint64_t transfer_start = monotonic_us();
    resp->pool_wait_us = transfer_start - start;
    if (rc) {
        resp->pool_timeout = rc == NAX_ETIMEOUT;
        return rc;
    }
    uint64_t waited_ms = resp->pool_wait_us / 1000u;
    nax__http_request timed = *req;
    timed.timeout_ms = waited_ms + 1 >= req->timeout_ms ? 1 : req->timeout_ms - (uint32_t)waited_ms;

    hh->transfer.resp = resp;
    hh->transfer.max_body = h->settings.max_body;
    hh->transfer.prereq_seen = 0;
    hh->transfer.resend_allowed =
        req->method && (!strcmp(req->method, "GET") || !strcmp(req->method, "HEAD"));
    hh->transfer.resend_refused = 0;
    hh->transfer.body_too_big = 0;
    hh->transfer.out_of_memory = 0;
    struct curl_slist *headers = NULL;
    rc = nax__http_handle_prepare(hh, &h->settings, &timed, &headers);
    if (!rc)
        rc = transfer(hh, req, resp);
    /* The lines and the body are the caller's: let go of them before reuse. */
    curl_easy_setopt(hh->easy, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
    hh->transfer.resp = NULL;
    nax__http_pool_put(&h->pool, hh);
    resp->elapsed_us = monotonic_us() - transfer_start;
    return rc;
}

/* The server's life: options, the lws context and its one listening vhost,
 * the service loop, the graceful stop and the teardown. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* Headers lws does not know by token that naxd reads; lws keeps unknown
 * headers only under their names, so these are looked up by name. */
static const char *const builtin_headers[] = {
    "authorization",   "x-nax-apikey", "x-nax-timestamp",   "x-nax-signature",
    "idempotency-key", "webhook-id",   "webhook-timestamp", "webhook-signature",
    "x-nax-fault",     "x-request-id", "x-nax-recv-window", NULL};

/* lws logs go through nax__log, which redacts secrets. */
static void lws_log_emit(int level, const char *line)
{
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    nax__log(level == LLL_ERR ? NAX_LOG_ERROR : NAX_LOG_WARN, "lws: %.*s", (int)n, line);
}

static int valid_header_name(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '-' ||
              s[n] == '_'))
            return 0;
    return n > 0 && n < 64;
}

/* Built-in names plus the app's extra ones, copied. */
static int copy_header_names(naxd_http *h, const char *const *extra)
{
    size_t n = 0, next = 0;
    while (builtin_headers[n])
        n++;
    while (extra && extra[next])
        next++;
    h->header_names = nax__calloc(n + next + 1, sizeof(char *));
    if (!h->header_names)
        return nax__error_oom();
    size_t k = 0;
    for (size_t i = 0; i < n + next; i++) {
        const char *name = i < n ? builtin_headers[i] : extra[i - n];
        if (!valid_header_name(name))
            return nax__error(NAX_EINVAL, "naxd_http: bad extra header name \"%s\"", name);
        h->header_names[k] = nax__strdup(name);
        if (!h->header_names[k++])
            return nax__error_oom();
    }
    return 0;
}

static int check_options(const naxd_http_options *o)
{
    if (!o)
        return nax__error(NAX_EINVAL, "naxd_http_new: no options");
    if (o->routes_count && !o->routes)
        return nax__error(NAX_EINVAL, "naxd_http_new: routes_count without routes");
    if (!o->tls_cert != !o->tls_key)
        return nax__error(NAX_EINVAL, "naxd_http_new: tls_cert and tls_key go together");
    if (o->port < 0 || o->port > 65535)
        return nax__error(NAX_EINVAL, "naxd_http_new: port out of range");
    for (size_t i = 0; i < o->routes_count; i++)
        if (!o->routes[i].pattern || o->routes[i].pattern[0] != '/')
            return nax__error(NAX_EINVAL, "naxd_http_new: route %zu has no absolute pattern", i);
    if (o->ws_protocol && !o->ws_protocol->callback)
        return nax__error(NAX_EINVAL, "naxd_http_new: ws_protocol without a callback");
    return 0;
}

static void configure(naxd_http *h, const naxd_http_options *o)
{
    h->routes = o->routes;
    h->nroutes = o->routes_count;
    h->dispatch = o->dispatch;
    h->app = o->app;
    h->max_body = o->max_body ? o->max_body : NAXD_HTTP_DEFAULT_MAX_BODY;
    h->max_header_bytes = o->max_header_bytes ? o->max_header_bytes : NAXD_HTTP_DEFAULT_MAX_HEADERS;
    h->max_conns = o->max_conns ? o->max_conns : NAXD_HTTP_DEFAULT_MAX_CONNS;
    h->admit = o->admit;
    h->now_ms = o->now_ms;
    h->max_body_total = o->max_body_total ? o->max_body_total : (size_t)64 << 20;
    h->idle_timeout_s = o->idle_timeout_s ? o->idle_timeout_s : NAXD_HTTP_DEFAULT_IDLE_S;
    h->access_log = o->access_log;
    h->ws_protocol = o->ws_protocol;
}

static void set_protocols(naxd_http *h)
{
    struct lws_protocols *p = &h->protocols[0];
    p->name = "naxd-http";
    p->callback = naxd__http_callback;
    if (h->ws_protocol) {
        /* WebSocket clients that name no protocol are bound to protocols[0]:
         * give it the stream's session size so its callback gets its pss. */
        p->per_session_data_size = h->ws_protocol->per_session_data_size;
        p->rx_buffer_size = h->ws_protocol->rx_buffer_size;
        h->protocols[1] = *h->ws_protocol;
    }
}

static int create_context(naxd_http *h, const naxd_http_options *o)
{
    const char *host = o->listen_host ? o->listen_host : "127.0.0.1";
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof(info));
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    if (o->tls_cert)
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.user = h;
    info.count_threads = 1;
    info.timeout_secs = h->idle_timeout_s;
    /* lws's header table is the limit: lws 4.1 cannot say which unknown
     * headers it stored, so only the table's size bounds them. A head that
     * does not fit is closed by lws without a reply; one that fits but whose
     * counted headers exceed the limit gets a 431 from request.c. */
    size_t ah = h->max_header_bytes;
    if (ah < 4096)
        ah = 4096;
    if (ah <= 65535)
        info.max_http_header_data = (unsigned short)ah;
    else
        info.max_http_header_data2 = (unsigned int)(ah > (1u << 24) ? (1u << 24) : ah);
    /* One header table per connection that may be mid-request. */
    info.max_http_header_pool2 = h->max_conns;
    info.server_string = "naxd";
    h->ctx = lws_create_context(&info);
    if (!h->ctx)
        return nax__error(NAX_EIO, "naxd_http: cannot create the lws context");

    struct lws_context_creation_info vi;
    memset(&vi, 0, sizeof(vi));
    vi.vhost_name = "naxd";
    vi.port = o->port;
    vi.iface = host;
    vi.protocols = h->protocols;
    vi.keepalive_timeout = (int)h->idle_timeout_s;
    vi.timeout_secs_ah_idle = h->idle_timeout_s; /* a head must arrive in this time */
    vi.alpn = "http/1.1";                        /* HTTP/1.1 only: no h2 over TLS */
    vi.options = LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
    if (!strchr(host, ':'))
        vi.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    if (o->tls_cert) {
        vi.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        vi.ssl_cert_filepath = o->tls_cert;
        vi.ssl_private_key_filepath = o->tls_key;
    }
    h->vhost = lws_create_vhost(h->ctx, &vi);
    if (!h->vhost)
        return nax__error(NAX_EIO, "naxd_http: cannot listen on %s:%d%s", host, o->port,
                          o->tls_cert ? " (or load the TLS certificate)" : "");
    h->port = lws_get_vhost_listen_port(h->vhost);
    if (h->port <= 0)
        return nax__error(NAX_EIO, "naxd_http: cannot listen on %s:%d", host, o->port);
    return 0;
}

int naxd_http_new(naxd_http **out, const naxd_http_options *opts)
{
    *out = NULL;
    int rc = check_options(opts);
    if (rc)
        return rc;
    naxd_http *h = nax__calloc(1, sizeof(*h));
    if (!h)
        return nax__error_oom();
    configure(h, opts);
    rc = copy_header_names(h, opts->extra_headers);
    if (!rc && h->ws_protocol) {
        h->ws_path = nax__strdup(opts->ws_path ? opts->ws_path : NAXD_HTTP_DEFAULT_WS_PATH);
        if (!h->ws_path)
            rc = nax__error_oom();
    }
    if (!rc)
        rc = naxd_metrics_new(&h->metrics);
    if (!rc) {
        h->m_conns =
            naxd_metrics_gauge(h->metrics, "naxd_http_connections", "Open client connections.");
        h->m_route_latency = nax__calloc(h->nroutes + 1, sizeof(*h->m_route_latency));
        h->m_route_status = nax__calloc(h->nroutes + 1, sizeof(*h->m_route_status));
        if (!h->m_conns || !h->m_route_latency || !h->m_route_status)
            rc = nax__error_oom();
    }
    if (!rc)
        rc = naxd__tasks_init(h);
    if (!rc) {
        lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_emit);
        set_protocols(h);
        rc = create_context(h, opts);
    }
    if (!rc)
        rc = naxd__workers_start(h);
    if (rc) {
        naxd_http_free(h);
        return rc;
    }
    *out = h;
    return 0;
}

int naxd_http_port(const naxd_http *h)
{
    return h ? h->port : 0;
}

static void drain_expired(lws_sorted_usec_list_t *sul)
{
    naxd_http *h = lws_container_of(sul, naxd_http, drain_sul);
    h->drain_expired = 1;
    /* lws 4.1 runs ripe timers at the top of lws_service() and then polls
     * until the next event or timer (~30 s when idle): wake that poll, or
     * the caller's loop sees the deadline only that much later. */
    lws_cancel_service(h->ctx);
}

void naxd__maybe_begin_stop(naxd_http *h)
{
    if (!atomic_load(&h->stop_requested) || atomic_load(&h->stopping))
        return;
    atomic_store(&h->stopping, 1);
    lws_sul_schedule(h->ctx, 0, &h->drain_sul, drain_expired,
                     (lws_usec_t)NAXD_HTTP_DRAIN_S * LWS_US_PER_SEC);
}

int naxd_http_run(naxd_http *h)
{
    h->app_thread = pthread_self();
    atomic_store(&h->app_thread_set, 1);
    for (;;) {
        naxd__maybe_begin_stop(h);
        naxd__graveyard_flush(h);
        if (atomic_load(&h->stopping) && (atomic_load(&h->inflight) == 0 || h->drain_expired))
            break;
        if (lws_service(h->ctx, 0) < 0)
            break;
    }
    lws_sul_cancel(&h->drain_sul);
    return 0;
}

int naxd_http_flush(naxd_http *h, int timeout_ms, int (*done)(void *arg), void *arg)
{
    struct timespec now, until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    /* lws_service() sleeps until an event or a timer: the timer bounds the wait. */
    h->drain_expired = 0;
    lws_sul_schedule(h->ctx, 0, &h->drain_sul, drain_expired,
                     (lws_usec_t)timeout_ms * LWS_US_PER_MS);
    for (;;) {
        naxd__graveyard_flush(h);
        if (done(arg))
            break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (h->drain_expired || now.tv_sec > until.tv_sec ||
            (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec))
            break;
        if (lws_service(h->ctx, 0) < 0)
            break;
    }
    lws_sul_cancel(&h->drain_sul);
    return done(arg) ? 0 : NAX_ETIMEOUT;
}

void naxd_http_stop(naxd_http *h)
{
    if (!h)
        return;
    atomic_store(&h->stop_requested, 1);
    if (h->ctx)
        lws_cancel_service(h->ctx);
}

int naxd_http_stopping(const naxd_http *h)
{
    return h && (atomic_load(&h->stop_requested) || atomic_load(&h->stopping));
}

size_t naxd_http_inflight(const naxd_http *h)
{
    return h ? atomic_load(&h->inflight) : 0;
}

struct naxd_metrics *naxd_http_registry(naxd_http *h)
{
    return h ? h->metrics : NULL;
}

int naxd_http_metrics(const naxd_http *h, nax_buf *out)
{
    if (!h || !out)
        return nax__error(NAX_EINVAL, "naxd_http_metrics: NULL argument");
    return naxd_metrics_render(h->metrics, out);
}

void naxd_http_free(naxd_http *h)
{
    if (!h)
        return;
    if (h->workers_started)
        naxd__workers_stop(h);
    if (h->ctx) {
        naxd__timers_dispose(h);
        lws_sul_cancel(&h->drain_sul);
        /* Closes every connection: requests the app holds become orphans. */
        lws_context_destroy(h->ctx);
        h->ctx = NULL;
    }
    while (h->reqs) {
        naxd_req *r = h->reqs;
        h->reqs = r->next;
        naxd__req_free(r);
    }
    naxd__graveyard_flush(h);
    naxd__tasks_dispose(h);
    naxd_metrics_free(h->metrics);
    nax__free(h->m_route_latency);
    nax__free(h->m_route_status);
    if (h->header_names)
        for (size_t i = 0; h->header_names[i]; i++)
            nax__free(h->header_names[i]);
    nax__free(h->header_names);
    nax__free(h->ws_path);
    nax__free(h);
}

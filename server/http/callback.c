/* The lws protocol callback: connection accounting, the request head, the
 * body, the writeable turn, cross-thread wake-ups, and hand-off of WebSocket
 * reasons to the stream protocol. */
#include <string.h>
#include <strings.h>

#include "internal.h"

static naxd_conn *conn_of(struct lws *wsi)
{
    return lws_get_opaque_user_data(wsi);
}

/* ---- connections -------------------------------------------------------------- */

/* A connection was accepted; -1 refuses it. (Not at WSI_CREATE: lws sets
 * the wsi's opaque user data after that callback.) */
static int conn_create(naxd_http *h, struct lws *wsi)
{
    naxd_conn *c = nax__calloc(1, sizeof(*c));
    if (!c)
        return -1;
    c->h = h;
    c->wsi = wsi;
    lws_set_opaque_user_data(wsi, c);
    h->conns++;
    naxd_gauge_set(h->m_conns, (int64_t)h->conns);
    return 0;
}

static void conn_destroy(naxd_http *h, struct lws *wsi)
{
    naxd_conn *c = conn_of(wsi);
    if (!c)
        return;
    lws_set_opaque_user_data(wsi, NULL);
    lws_sul_cancel(&c->body_sul);
    naxd_req *r = c->req;
    c->req = NULL;
    if (r)
        naxd__req_conn_lost(r);
    h->conns--;
    naxd_gauge_set(h->m_conns, (int64_t)h->conns);
    nax__free(c);
}

/* ---- the request ---------------------------------------------------------------- */

void naxd__req_dispatch(naxd_req *r)
{
    naxd_http *h = r->h;
    r->state = NAXD_REQ_DISPATCHED;
    if (h->dispatch)
        h->dispatch(r, r->route, h->app);
    else if (r->route->handler)
        r->route->handler(r, h->app);
    else
        naxd_reply_error(r, 501, "not_implemented", NULL, "no handler for this route");
}

static void dispatch(naxd_req *r)
{
    struct lws *wsi = r->conn->wsi;
    /* The app may take its time: no lws timeout while it does, and no
     * reading until the reply is ready (pipelined bytes or a half-close
     * would otherwise make poll() spin, as lws does not read while a
     * transaction is open). */
    lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
    lws_rx_flow_control(wsi, 0);
    naxd__req_dispatch(r);
}

static void body_deadline(lws_sorted_usec_list_t *sul)
{
    naxd_conn *c = lws_container_of(sul, naxd_conn, body_sul);
    if (c->req && c->req->state == NAXD_REQ_RECEIVING)
        lws_set_timeout(c->wsi, PENDING_TIMEOUT_HTTP_CONTENT, LWS_TO_KILL_ASYNC);
}

/* Content-Length: digits only, at most 18 of them. */
static int parse_length(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    size_t n = 0;
    for (; s[n]; n++) {
        if (s[n] < '0' || s[n] > '9' || n >= 18)
            return -1;
        v = v * 10 + (uint64_t)(s[n] - '0');
    }
    *out = v;
    return n ? 0 : -1;
}

static int has_body_semantics(naxd_method m)
{
    return m == NAXD_POST || m == NAXD_PUT || m == NAXD_PATCH;
}

/* Answers by the framework; close_after when the connection cannot be
 * reused (an unread or unreadable body, or a shutdown). */
static void refuse(naxd_req *r, int close_after, int status, const char *code, const char *msg)
{
    r->close_after = r->close_after || close_after;
    naxd__reply_framework(r, status, code, msg);
}

/* Decides what to do with the body; 1 when the request was answered. */
static int check_body(naxd_req *r)
{
    const char *te = naxd_req_header(r, "transfer-encoding");
    const char *cl = naxd_req_header(r, "content-length");
    if (te) {
        refuse(r, 1, 411, "length_required",
               "request bodies must have a Content-Length (no Transfer-Encoding)");
        return 1;
    }
    if (cl && parse_length(cl, &r->content_length)) {
        refuse(r, 1, 400, "invalid_request", "malformed Content-Length");
        return 1;
    }
    if (!cl && has_body_semantics(r->method)) {
        /* lws would wait for a body that may never come. */
        refuse(r, 1, 411, "length_required", "this method needs a Content-Length");
        return 1;
    }
    return 0;
}

static int route_request(naxd_http *h, naxd_req *r)
{
    int path_matched, err;
    char allow[64];
    const naxd_route *route = naxd__route_match(r, &path_matched, allow, sizeof(allow), &err);
    if (err)
        return -1;
    /* A body we do not want is read and discarded by lws when small. */
    int big = r->content_length > h->max_body;
    if (!route && path_matched) {
        naxd_req_add_header(r, "Allow", allow);
        refuse(r, big, 405, "method_not_allowed", "method not allowed for this resource");
        return 1;
    }
    if (!route) {
        refuse(r, big, 404, "not_found", "no such resource");
        return 1;
    }
    r->route = route;
    r->max_body = route->max_body ? route->max_body : h->max_body;
    if (r->content_length > r->max_body) {
        refuse(r, 1, 413, "payload_too_large", "request body too large");
        return 1;
    }
    return 0;
}

int naxd__req_head(naxd_req *r, int fill_rc)
{
    naxd_http *h = r->h;
    if (fill_rc < 0)
        return -1; /* out of memory: the close reports the request */
    if (fill_rc == 400) {
        refuse(r, 1, 400, "invalid_request", "control characters in the request target");
        return 0;
    }
    if (fill_rc == 431) {
        refuse(r, 1, 431, "headers_too_large", "request headers too large");
        return 0;
    }
    if (check_body(r))
        return 0;
    if (atomic_load(&h->stop_requested) || atomic_load(&h->stopping)) {
        naxd_req_add_header(r, "Retry-After", "5");
        refuse(r, 1, 503, "unavailable", "the server is shutting down");
        return 0;
    }
    int rc = route_request(h, r);
    if (rc)
        return rc < 0 ? -1 : 0;
    const char *code = NULL, *message = NULL;
    int status = h->admit ? h->admit(r, r->route, h->app, &code, &message) : 0;
    if (status) {
        refuse(r, 1, status, code ? code : "forbidden", message ? message : "refused");
        return 0;
    }
    if (r->content_length == 0)
        return 1;
    /* Bodies are held whole until dispatch: bound what all of them take. */
    if (r->content_length > h->max_body_total - h->body_bytes) {
        naxd_req_add_header(r, "Retry-After", "1");
        refuse(r, 1, 503, "unavailable", "the server is busy receiving other requests");
        return 0;
    }
    r->body_budget = (size_t)r->content_length;
    h->body_bytes += r->body_budget;
    return 1;
}

static int on_request(naxd_http *h, struct lws *wsi, const char *uri, size_t uri_len)
{
    naxd_conn *c = conn_of(wsi);
    if (!c || c->req)
        return -1;
    if (!c->peer[0])
        lws_get_peer_simple(wsi, c->peer, sizeof(c->peer));
    naxd_req *r = naxd__req_new(h, c);
    if (!r)
        return -1;
    c->req = r;

    int rc = naxd__req_head(r, naxd__req_read(r, wsi, uri, uri_len));
    if (rc <= 0)
        return rc;
    if (r->content_length == 0) {
        dispatch(r);
        return 0;
    }
    const char *expect = naxd_req_header(r, "expect");
    if (expect && strcasecmp(expect, "100-continue") == 0 && !r->http10) {
        c->send_continue = 1;
        lws_callback_on_writable(wsi);
    }
    /* lws's own timeout restarts with every piece of body; this one does
     * not, so a client trickling its body is cut off too. */
    lws_sul_schedule(h->ctx, 0, &c->body_sul, body_deadline,
                     (lws_usec_t)h->idle_timeout_s * LWS_US_PER_SEC);
    return 0;
}

static int on_body(struct lws *wsi, const void *in, size_t len)
{
    naxd_conn *c = conn_of(wsi);
    naxd_req *r = c ? c->req : NULL;
    if (!r || r->state != NAXD_REQ_RECEIVING)
        return 0; /* a body we already answered: discard */
    if (r->body.len + len > r->content_length || r->body.len + len > r->max_body)
        return -1; /* lws stops at Content-Length; never trust it blindly */
    if (naxd__now_ns() - r->start_ns >= (int64_t)r->h->idle_timeout_s * 1000000000)
        return -1;
    return nax__buf_append(&r->body, in, len) ? -1 : 0;
}

static int on_body_complete(struct lws *wsi)
{
    naxd_conn *c = conn_of(wsi);
    naxd_req *r = c ? c->req : NULL;
    if (r && r->state != NAXD_REQ_RECEIVING) {
        /* Once is normal (a body discarded after a framework answer). More
         * means lws 4.1 announces the end of a body again and again, without
         * reading, because pipelined bytes wait behind a request still being
         * answered: the app thread would spin in lws_service() for good. Such
         * a client (pipelining requests with bodies) loses the connection;
         * the request in hand is answered to no one. */
        return ++r->late_completions > 1 ? -1 : 0;
    }
    if (!r)
        return 0;
    lws_sul_cancel(&c->body_sul);
    c->send_continue = 0;
    dispatch(r);
    return 0;
}

/* ---- WebSocket upgrade and hand-off -------------------------------------------- */

static int confirm_upgrade(naxd_http *h, struct lws *wsi, const char *what)
{
    char uri[256];
    if (!h->ws_protocol || !what || strcasecmp(what, "websocket") != 0)
        return -1;
    if (atomic_load(&h->stop_requested) || atomic_load(&h->stopping))
        return -1;
    if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 || strcmp(uri, h->ws_path) != 0)
        return -1;
    return 0;
}

/* Reasons of a WebSocket connection; lws delivers them to protocols[0] when
 * the client named no protocol, so they are passed on. */
static int is_ws_reason(enum lws_callback_reasons reason)
{
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
    case LWS_CALLBACK_CLOSED:
    case LWS_CALLBACK_SERVER_WRITEABLE:
    case LWS_CALLBACK_RECEIVE:
    case LWS_CALLBACK_RECEIVE_PONG:
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
    case LWS_CALLBACK_CONFIRM_EXTENSION_OKAY:
    case LWS_CALLBACK_WS_SERVER_BIND_PROTOCOL:
    case LWS_CALLBACK_WS_SERVER_DROP_PROTOCOL:
    case LWS_CALLBACK_ADD_HEADERS:
    case LWS_CALLBACK_TIMER: return 1;
    default: return reason >= LWS_CALLBACK_USER;
    }
}

int naxd__http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                        size_t len)
{
    naxd_http *h = lws_context_user(lws_get_context(wsi));
    naxd_conn *c;
    if (!h)
        return 0;
    switch (reason) {
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
        /* non-zero refuses: the socket is closed at once */
        return atomic_load(&h->stop_requested) || atomic_load(&h->stopping) ||
               h->conns >= h->max_conns;
    case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED: return conn_create(h, wsi);
    case LWS_CALLBACK_WSI_DESTROY: conn_destroy(h, wsi); return 0;
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        naxd__maybe_begin_stop(h);
        naxd__tasks_run(h);
        return 0;
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: return confirm_upgrade(h, wsi, in);
    case LWS_CALLBACK_HTTP: return on_request(h, wsi, in, len);
    case LWS_CALLBACK_HTTP_BODY: return on_body(wsi, in, len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION: return on_body_complete(wsi);
    case LWS_CALLBACK_HTTP_WRITEABLE: c = conn_of(wsi); return c ? naxd__reply_write(c) : 0;
    default:
        if (h->ws_protocol && is_ws_reason(reason))
            return h->ws_protocol->callback(wsi, reason, user, in, len);
        return 0;
    }
}

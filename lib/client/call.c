/*
 * One call through the pipeline (DESIGN §5): limiter, breaker, credentials,
 * one attempt on the transport, classification, then either the decoded
 * result or a retry after backoff (or the server's Retry-After), within the
 * attempt limit, the retry budget and the call's deadline.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/auth.h"
#include "client/client_impl.h"
#include "core/core.h"
#include "nax/auth.h"
#include "nax/codec.h"

/* A timestamp may be pushed past the clock to stay unique, but not further
 * than this: a larger step back is the clock estimate being corrected. */
#define MAX_STEP_BACK_MS 1000

#define RID_PREFIX     "X-Request-Id: "
#define RID_PREFIX_LEN (sizeof RID_PREFIX - 1)

/* Headers a request can carry: fixed ones, idempotency, request id, auth (4). */
#define MAX_HEADERS 10

typedef struct call_run {
    nax_client *c;
    const nax__call *call;
    nax_buf body;          /* encoded request body */
    const char *body_data; /* what is sent: body.data or call->raw_body */
    size_t body_len;
    char idem[64];
    char request_id_line[64];    /* "X-Request-Id: <uuid>" */
    const char *request_id;      /* the uuid in that line, "" before the first attempt */
    nax_buf auth;                /* "Authorization: ..." when a session is used */
    nax_buf sig_hdrs;            /* the three or four X-NAX-* lines, NUL-separated */
    int used_bearer;             /* the attempt carried the session's token */
    uint64_t session_generation; /* of that token */
    int used_signature;
    const char *headers[MAX_HEADERS];
    size_t nheaders;
    nax__http_response resp;
    unsigned int attempts;
    uint64_t start_ms, deadline_ms;
} call_run;

/* The client whose user callback this thread is running: calling it from
 * there returns NAX_ERECURSIVE instead of deadlocking on its own refresh. */
static _Thread_local const nax_client *tls_in_callback;
/* The deadline of the call this thread is running: calls made inside it
 * (market rules, clock, refresh, order lookup) never outlive it. */
static _Thread_local uint64_t tls_deadline;

/* Run a user callback with the re-entry guard and the caller's error kept. */
#define CALL_USER(c, expr)                                                                         \
    do {                                                                                           \
        nax__error_state saved_;                                                                   \
        nax__error_save(&saved_);                                                                  \
        const nax_client *outer_ = tls_in_callback;                                                \
        tls_in_callback = (c);                                                                     \
        expr;                                                                                      \
        tls_in_callback = outer_;                                                                  \
        nax__error_restore(&saved_);                                                               \
    } while (0)

void nax__client_user_call_begin(const nax_client *c, const nax_client **outer)
{
    *outer = tls_in_callback;
    tls_in_callback = c;
}

void nax__client_user_call_end(const nax_client *outer)
{
    tls_in_callback = outer;
}

static const char *group_name(nax_endpoint_group g)
{
    return nax_endpoint_group_name(g);
}

/* ---- errors ---------------------------------------------------------------- */

static int code_for_status(int status)
{
    switch (status) {
    case 400:
    case 422: return NAX_EBADREQUEST;
    case 401: return NAX_EAUTH;
    case 403: return NAX_EFORBIDDEN;
    case 404: return NAX_ENOTFOUND;
    case 408: return NAX_ETIMEOUT;
    case 409: return NAX_ECONFLICT;
    case 413: return NAX_ETOOLARGE;
    case 429: return NAX_ERATELIMIT;
    case 500:
    case 502:
    case 504: return NAX_ESERVER;
    case 503: return NAX_EUNAVAILABLE;
    default: return status >= 500 ? NAX_ESERVER : NAX_EHTTP;
    }
}

static int status_transient(int status)
{
    return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
           status == 504;
}

/* Milliseconds the server asked us to wait, 0 when it did not say. */
static uint64_t retry_after_ms(call_run *r)
{
    if (r->resp.retry_after_ms >= 0)
        return (uint64_t)r->resp.retry_after_ms;
    if (r->resp.retry_after_at_ms >= 0) {
        int64_t d = r->resp.retry_after_at_ms - nax__clock_server_now(r->c);
        return d > 0 ? (uint64_t)d : 0;
    }
    return 0;
}

/* Sets this thread's error from an HTTP error response; returns its code. */
static int error_from_response(call_run *r)
{
    const nax__http_response *resp = &r->resp;
    int code = code_for_status(resp->status);
    nax_error_body *eb = NULL;
    if (resp->body.len &&
        nax_decode(&eb, NAX_TYPE_ERROR_BODY, resp->body.data, resp->body.len, NULL) != 0)
        eb = NULL;
    if (eb)
        nax__error_field(code, eb->field, "%s %s: %d %s", r->call->method, r->call->route,
                         resp->status, eb->message);
    else
        nax__error(code, "%s %s: HTTP %d", r->call->method, r->call->route, resp->status);
    const char *rid = resp->request_id[0]    ? resp->request_id
                      : eb && eb->request_id ? eb->request_id
                                             : r->request_id;
    nax__error_http(resp->status, eb ? eb->code : NULL, rid, status_transient(resp->status));
    nax_object_free(eb);
    return code;
}

/* ---- one attempt ---------------------------------------------------------------- */

static int add_header(call_run *r, const char *line)
{
    if (r->nheaders >= MAX_HEADERS)
        return nax__error(NAX_ERROR, "nax: too many request headers");
    r->headers[r->nheaders++] = line;
    return 0;
}

/* X-NAX-APIKEY, -TIMESTAMP, -SIGNATURE and -RECV-WINDOW over this attempt. */
static int sign(call_run *r)
{
    nax_client *c = r->c;
    nax__clock_ensure(c);
    char ts[24], sig[65];
    /* naxd refuses a (key, timestamp, signature) it has seen, so two equal
     * requests signed in the same millisecond, by two threads or by a quick
     * retry, would collide: each signature gets a later timestamp than the last. */
    long long now = nax__clock_server_now(c), last = atomic_load(&c->last_sign_ts);
    do {
        if (now <= last && last - now < MAX_STEP_BACK_MS)
            now = last + 1;
    } while (!atomic_compare_exchange_weak(&c->last_sign_ts, &last, now));
    snprintf(ts, sizeof ts, "%lld", now);
    int rc = nax_sign_request(sig, c->api_secret, ts, r->call->method, r->call->target,
                              r->body_data, r->body_len);
    if (rc)
        return rc;
    nax_buf *b = &r->sig_hdrs;
    nax__buf_reset(b);
    size_t o1 = 0, o2, o3, o4;
    rc = nax__buf_printf(b, "X-NAX-APIKEY: %s", c->api_key);
    o2 = b->len + 1;
    rc = rc ? rc : nax__buf_append(b, "", 1);
    rc = rc ? rc : nax__buf_printf(b, "X-NAX-TIMESTAMP: %s", ts);
    o3 = b->len + 1;
    rc = rc ? rc : nax__buf_append(b, "", 1);
    rc = rc ? rc : nax__buf_printf(b, "X-NAX-SIGNATURE: %s", sig);
    o4 = b->len + 1;
    rc = rc ? rc : nax__buf_append(b, "", 1);
    rc = rc ? rc : nax__buf_printf(b, "X-NAX-RECV-WINDOW: %u", (unsigned)c->recv_window_ms);
    OPENSSL_cleanse(sig, sizeof sig);
    if (rc)
        return rc;
    r->used_signature = 1;
    /* The buffer no longer moves: point at its four lines. */
    rc = add_header(r, b->data + o1);
    rc = rc ? rc : add_header(r, b->data + o2);
    rc = rc ? rc : add_header(r, b->data + o3);
    return rc ? rc : add_header(r, b->data + o4);
}

/* Build this attempt's header list. */
static int prepare_headers(call_run *r)
{
    nax_client *c = r->c;
    const nax__call *call = r->call;
    r->nheaders = 0;
    r->used_bearer = r->used_signature = 0;
    static const char accept[] = "Accept: application/json";
    static const char ctype[] = "Content-Type: application/json";
    int rc = add_header(r, accept);
    if (!rc && r->body_data)
        rc = add_header(r, ctype);
    if (!rc && r->idem[0])
        rc = add_header(r, r->idem);
    /* The id is written into its header line (r->request_id points at it):
     * no formatting on every request. */
    if (!rc)
        rc = nax__uuid4(r->request_id_line + RID_PREFIX_LEN);
    if (!rc) {
        memcpy(r->request_id_line, RID_PREFIX, RID_PREFIX_LEN);
        rc = add_header(r, r->request_id_line);
    }
    if (rc || call->auth != NAX__AUTH_USER)
        return rc;
    rc = nax__session_header(c, &r->auth, &r->session_generation);
    if (rc)
        return rc;
    if (r->auth.len) {
        r->used_bearer = 1;
        return add_header(r, r->auth.data);
    }
    if (c->api_key)
        return sign(r);
    return 0; /* no credentials: the server will say 401 */
}

/* Wait for a limiter token within the deadline; NAX_ERATELIMIT otherwise. */
static int limiter_wait(call_run *r)
{
    nax_client *c = r->c;
    nax__limiter *l = &c->limiters[r->call->group];
    for (;;) {
        uint64_t now = nax__client_now_ms(c), wait = 0;
        if (nax__limiter_take(l, now, &wait) == 0)
            return 0;
        if (c->limiter_policy.mode == NAX_LIMITER_FAIL_FAST ||
            wait > c->limiter_policy.max_wait_ms || now + wait >= r->deadline_ms) {
            nax__error(NAX_ERATELIMIT,
                       "%s %s: client-side rate limit for %s; next request allowed in %llu ms",
                       r->call->method, r->call->route, group_name(r->call->group),
                       (unsigned long long)wait);
            nax__error_set_transient(1);
            nax__error_retry_after((int64_t)wait);
            return NAX_ERATELIMIT;
        }
        nax__client_sleep(c, wait ? wait : 1);
    }
}

static void report_change(nax_client *c, nax_endpoint_group g, const nax__breaker_change *chg)
{
    if (chg->from == chg->to)
        return;
    nax__client_log(c, chg->to == NAX_BREAKER_OPEN ? NAX_LOG_WARN : NAX_LOG_INFO,
                    "nax: %s circuit %s -> %s", group_name(g), nax_breaker_state_name(chg->from),
                    nax_breaker_state_name(chg->to));
    if (c->breaker_fn)
        CALL_USER(c, c->breaker_fn(g, chg->from, chg->to, c->breaker_userdata));
}

/* Decode a 2xx body into the caller's result. */
static int take_result(call_run *r)
{
    const nax__call *call = r->call;
    nax__http_response *resp = &r->resp;
    if (call->response_raw) {
        nax__buf_reset(call->response_raw);
        return nax__buf_append(call->response_raw, resp->body.data ? resp->body.data : "",
                               resp->body.len);
    }
    if (call->response_type == NAX_TYPE_NONE || !call->response)
        return 0;
    int rc = nax_decode(call->response, call->response_type, resp->body.data ? resp->body.data : "",
                        resp->body.len, NULL);
    if (rc) {
        /* Say which call and request produced the unreadable body. */
        const nax_error *e = nax_error_last();
        char field[NAX__ERROR_SMALL_MAX], why[NAX__ERROR_MSG_MAX];
        snprintf(field, sizeof field, "%s", e->field);
        snprintf(why, sizeof why, "%s", e->message); /* setting the error clears it */
        nax__error_field(rc, field[0] ? field : NULL, "%s %s: the response does not decode: %s",
                         call->method, call->route, why);
        nax__error_http(resp->status, NULL, resp->request_id[0] ? resp->request_id : r->request_id,
                        0);
    }
    return rc;
}

/* ---- the loop ---------------------------------------------------------------------- */

static int is_token_expired(const nax__http_response *resp)
{
    return resp->status == 401 && !strcmp(nax_error_last()->server_code, "token_expired");
}

/* We never sign the same timestamp twice, so the server having seen this
 * signature means the transport delivered the request twice (libcurl
 * resends a request whose reused connection died before any answer): the
 * first copy reached the server, and its outcome is unknown. */
static int is_transport_replay(const nax__http_response *resp)
{
    return resp->status == 401 && !strcmp(nax_error_last()->server_code, "replayed_request");
}

static int is_clock_refusal(const nax__http_response *resp)
{
    return resp->status == 401 && !strcmp(nax_error_last()->server_code, "timestamp_out_of_window");
}

/* Clamp a server-requested wait to what the client agreed to honour, so one
 * huge Retry-After cannot wedge a breaker or limiter for a day. */
static uint64_t capped_wait(const nax_client *c, uint64_t ms)
{
    return ms > c->retry.retry_after_max_ms ? c->retry.retry_after_max_ms : ms;
}

/* The attempts of one call. Sets *unknown once a POST with a resolver may
 * have taken effect without a definite answer. */
static int attempts(call_run *r, int *unknown)
{
    nax_client *c = r->c;
    const nax__call *call = r->call;
    const nax_endpoint_group g = call->group;
    const int keyed = !strcmp(call->method, "GET") || r->idem[0];
    int refreshed = 0, resynced = 0, resolve_first = 0;
    unsigned int failures = 0; /* attempts that failed in a retryable way */

    for (;;) {
        int rc = 0, status = 0, sent = 0;
        if (resolve_first) {
            /* The last attempt may have happened: look before sending again. */
            rc = call->resolve(c, call->resolve_ctx, call->response);
            if (rc == 1)
                return 0;
            if (rc == 0)
                resolve_first = 0;
            else if (rc == NAX_ECONFLICT)
                return rc; /* another order holds the id: nothing to retry */
        }
        if (!resolve_first) {
            int probe = 0;
            nax__breaker_change chg = {0, 0};
            rc = nax__breaker_acquire(&c->breakers[g], nax__client_now_ms(c), &probe, &chg);
            report_change(c, g, &chg);
            if (rc) {
                char why[NAX__ERROR_MSG_MAX]; /* setting the error clears the old message */
                snprintf(why, sizeof why, "%s", nax_error_last()->message);
                nax__error(NAX_ECIRCUIT_OPEN, "%s %s: the %s circuit is open; %s", call->method,
                           call->route, group_name(g), why);
                nax__error_set_transient(1);
                return NAX_ECIRCUIT_OPEN;
            }
            rc = limiter_wait(r);
            if (!rc)
                rc = prepare_headers(r);
            uint64_t now = nax__client_now_ms(c);
            if (!rc && now >= r->deadline_ms)
                rc = nax__error(NAX_ETIMEOUT, "%s %s: the call's deadline passed", call->method,
                                call->route);
            if (rc) {
                nax__breaker_cancel(&c->breakers[g], probe);
                return rc;
            }
            uint64_t left = r->deadline_ms - now;
            nax__http_request req = {
                call->method,
                call->target,
                r->headers,
                r->nheaders,
                r->body_data,
                r->body_len,
                (uint32_t)(left < c->request_timeout_ms ? left : c->request_timeout_ms)};
            rc = nax__http_perform(c->http, &req, &r->resp);
            r->attempts++;
            status = rc ? 0 : r->resp.status;
            sent = rc ? r->resp.sent : 1;
            if (!rc) {
                nax__clock_observe_date(c, r->resp.date_ms, nax__client_wall_ms(c));
                nax__limiter_update(&c->limiters[g], nax__client_now_ms(c), r->resp.ratelimit_limit,
                                    r->resp.ratelimit_remaining, r->resp.ratelimit_reset_s);
            } else {
                /* Keep the request id on transport errors too, for support. */
                nax__error_http(0, NULL, r->request_id, nax_error_last()->transient);
            }
            if (rc == NAX_ENOMEM || rc == NAX_EINVAL) {
                /* Our own failure says nothing about the server. */
                nax__breaker_cancel(&c->breakers[g], probe);
            } else {
                int failed = rc ? 1 : (status == 408 || status >= 500);
                int slow = r->resp.elapsed_us / 1000u > c->breaker_policy.slow_call_ms;
                nax__breaker_record(&c->breakers[g], nax__client_now_ms(c), probe, failed, slow,
                                    status ? capped_wait(c, retry_after_ms(r)) : 0, &chg);
                report_change(c, g, &chg);
            }
            if (!rc && status >= 200 && status < 300) {
                nax__retry_budget_refund(&c->budget, c->retry.success_refund);
                if (call->attempt_us)
                    *call->attempt_us = r->resp.elapsed_us;
                return take_result(r);
            }
            if (!rc) {
                rc = error_from_response(r);
                /* The server's wait, for a caller that gets this error (the
                 * call is not retried, or no retry is left). */
                nax__error_retry_after((int64_t)retry_after_ms(r));
                if (status == 429) {
                    uint64_t wait = capped_wait(c, retry_after_ms(r));
                    nax__limiter_block(&c->limiters[g], nax__client_now_ms(c), wait ? wait : 1000);
                }
                if (is_token_expired(&r->resp) && r->used_bearer && !call->no_refresh_on_401 &&
                    !refreshed) {
                    refreshed = 1;
                    nax__client_log(c, NAX_LOG_INFO, "nax: access token expired; refreshing");
                    int rr = nax__session_renew_after(c, r->session_generation);
                    if (rr)
                        return rr;
                    continue; /* a fresh token is not a retry */
                }
                if (is_clock_refusal(&r->resp) && r->used_signature && !resynced) {
                    resynced = 1;
                    nax__client_log(c, NAX_LOG_INFO,
                                    "nax: server refused our timestamp; measuring its clock");
                    nax__error_state saved;
                    nax__error_save(&saved);
                    if (nax_client_sync_clock(c, NULL) == 0)
                        continue;
                    nax__error_restore(&saved);
                    return rc;
                }
            }
        }
        /* rc is this attempt's (or the resolver's) failure. */
        int replayed = status && r->used_signature && is_transport_replay(&r->resp);
        int ambiguous = call->resolve && strcmp(call->method, "GET") &&
                        ((rc != 0 && status == 0 && sent) || status >= 500 || replayed);
        if (ambiguous)
            *unknown = 1;
        nax__retry_kind kind = replayed ? NAX__RETRY_YES : nax__retry_classify(rc, status);
        /* A request that never left can be sent again whatever its method. */
        int may_retry = keyed || (rc != 0 && status == 0 && !sent && !resolve_first);
        if (kind == NAX__RETRY_NO || !may_retry)
            return rc;
        failures++;
        if (failures >= c->retry.max_attempts)
            return rc;
        uint64_t server_wait = status ? retry_after_ms(r) : 0;
        if (server_wait > c->retry.retry_after_max_ms) {
            nax__error_retry_after((int64_t)server_wait);
            return rc;
        }
        uint64_t delay =
            server_wait ? server_wait : nax__backoff_ms(&c->retry, failures, nax__client_random(c));
        if (nax__client_now_ms(c) + delay >= r->deadline_ms) {
            if (server_wait)
                nax__error_retry_after((int64_t)server_wait);
            return rc;
        }
        uint32_t cost =
            kind == NAX__RETRY_TIMEOUT ? c->retry.timeout_retry_cost : c->retry.retry_cost;
        if (!nax__retry_budget_take(&c->budget, cost)) {
            const nax_error *e = nax_error_last();
            int http_status = e->http_status;
            char server_code[NAX__ERROR_SMALL_MAX], rid[NAX__ERROR_SMALL_MAX];
            snprintf(server_code, sizeof server_code, "%s", e->server_code);
            snprintf(rid, sizeof rid, "%s", e->request_id);
            char why[NAX__ERROR_MSG_MAX];
            snprintf(why, sizeof why, "%s", e->message);
            nax__error(NAX_ERETRY_BUDGET,
                       "%s %s: the client's retry budget is spent; last failure: %s", call->method,
                       call->route, why);
            nax__error_http(http_status, server_code[0] ? server_code : NULL, rid, 1);
            return NAX_ERETRY_BUDGET;
        }
        nax__client_log(c, NAX_LOG_INFO, "nax: %s %s failed (%s); retry %u in %llu ms",
                        call->method, call->route, nax_strerror(rc), failures,
                        (unsigned long long)delay);
        nax__client_sleep(c, delay);
        /* A POST whose outcome is unknown is looked up before it is sent again. */
        if (ambiguous)
            resolve_first = 1;
    }
}

/*
 * The call gave up after an attempt that may have taken effect: one last
 * look (within the deadline) settles it; otherwise the caller learns that
 * the outcome is unknown, never that nothing happened.
 */
static int settle_unknown(call_run *r, int rc)
{
    nax_client *c = r->c;
    const nax__call *call = r->call;
    nax__error_state last;
    nax__error_save(&last);
    if (nax__client_now_ms(c) < r->deadline_ms) {
        int found = call->resolve(c, call->resolve_ctx, call->response);
        if (found == 1)
            return 0;
        if (found == NAX_ECONFLICT)
            return found;
    }
    nax__error_restore(&last);
    char why[NAX__ERROR_MSG_MAX], code[NAX__ERROR_SMALL_MAX], rid[NAX__ERROR_SMALL_MAX];
    snprintf(why, sizeof why, "%s", last.message);
    snprintf(code, sizeof code, "%s", last.server_code);
    snprintf(rid, sizeof rid, "%s", last.request_id);
    int status = last.pub.http_status;
    int64_t wait = last.pub.retry_after_ms;
    nax__error_field(NAX_EOUTCOME_UNKNOWN, "client_order_id",
                     "%s %s may have taken effect (%s: %s); look it up by its client order id "
                     "before sending it again",
                     call->method, call->route, nax_strerror(rc), why);
    nax__error_http(status, code[0] ? code : NULL, rid, 1);
    nax__error_retry_after(wait);
    return NAX_EOUTCOME_UNKNOWN;
}

static int run(call_run *r)
{
    int unknown = 0;
    int rc = attempts(r, &unknown);
    if (rc && unknown && rc != NAX_ECONFLICT)
        rc = settle_unknown(r, rc);
    return rc;
}

static void report_metrics(call_run *r, int rc)
{
    nax_client *c = r->c;
    nax_call_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    info.method = r->call->method;
    info.route = r->call->route;
    info.group = r->call->group;
    info.result = rc;
    info.http_status = r->attempts ? r->resp.status : 0;
    info.attempts = r->attempts;
    info.duration_us = (nax__client_now_ms(c) - r->start_ms) * 1000u;
    info.request_id = r->attempts && r->resp.request_id[0] ? r->resp.request_id : NULL;
    nax__client_log(c, rc ? NAX_LOG_INFO : NAX_LOG_DEBUG, "nax: %s %s -> %d (%s) in %u attempt(s)",
                    info.method, info.route, info.http_status, rc ? nax_strerror(rc) : "ok",
                    info.attempts);
    if (c->metrics_fn)
        CALL_USER(c, c->metrics_fn(&info, c->metrics_userdata));
}

int nax__client_call(nax_client *c, const nax__call *call)
{
    if (call && call->response)
        *(void **)call->response = NULL;
    if (!c || !call || !call->method || !call->target || !call->route)
        return nax__error(NAX_EINVAL, "nax__client_call: missing client, method or target");
    if ((int)call->group < 0 || (int)call->group >= NAX_GROUP_COUNT)
        return nax__error(NAX_EINVAL, "nax__client_call: unknown group");
    if (tls_in_callback == c)
        return nax__error(NAX_ERECURSIVE, "%s %s: called from one of this client's own callbacks",
                          call->method, call->route);
    call_run r;
    memset(&r, 0, sizeof r);
    r.c = c;
    r.call = call;
    r.request_id = r.request_id_line + RID_PREFIX_LEN;
    nax__http_response_init(&r.resp);
    r.start_ms = nax__client_now_ms(c);
    r.deadline_ms = r.start_ms + c->deadline_ms;
    uint64_t outer_deadline = tls_deadline;
    if (outer_deadline && outer_deadline < r.deadline_ms)
        r.deadline_ms = outer_deadline;
    int rc = 0;
    if (call->request_type != NAX_TYPE_NONE) {
        rc = nax_encode(&r.body, call->request_type, call->request);
        r.body_data = r.body.data;
        r.body_len = r.body.len;
    } else if (call->raw_body) {
        r.body_data = call->raw_body;
        r.body_len = call->raw_body_len;
    }
    if (!rc && !strcmp(call->method, "POST")) {
        char uuid[37];
        const char *key = call->idempotency_key;
        if (!key) {
            rc = nax__uuid4(uuid);
            key = uuid;
        }
        if (!rc)
            snprintf(r.idem, sizeof r.idem, "Idempotency-Key: %s", key);
    }
    if (!rc) {
        tls_deadline = r.deadline_ms;
        rc = run(&r);
        tls_deadline = outer_deadline;
    }
    report_metrics(&r, rc);
    if (rc && call->response)
        *(void **)call->response = NULL;
    if (r.body.data)
        OPENSSL_cleanse(r.body.data, r.body.len); /* may hold a password */
    nax_buf_dispose(&r.body);
    if (r.auth.data)
        OPENSSL_cleanse(r.auth.data, r.auth.len);
    nax_buf_dispose(&r.auth);
    if (r.sig_hdrs.data)
        OPENSSL_cleanse(r.sig_hdrs.data, r.sig_hdrs.len);
    nax_buf_dispose(&r.sig_hdrs);
    if (r.resp.body.data) /* token, API-key and TOTP responses carry secrets */
        OPENSSL_cleanse(r.resp.body.data, r.resp.body.len);
    nax__http_response_dispose(&r.resp);
    return rc;
}

/*
 * One nax_client per JS Client. libnax clients are safe from many threads
 * (docs/threading.md), so calls in flight on the pool's threads share it.
 *
 * Lifetime: the nax_client is freed once the JS side let go (close() or
 * garbage collection), no call is in flight and no stream borrows it. The
 * small wrapper lives until the JS handle is finalized as well, so a late
 * finalizer never touches freed memory.
 */
#include "addon.h"

#include <stdlib.h>
#include <string.h>

struct nn_client {
    nax_client *client;
    nn_env *ne;
    unsigned inflight;
    unsigned borrowers; /* streams */
    int owner;          /* the JS handle still holds the client */
    int closing;        /* close() called: new calls are refused */
    int js_alive;       /* the JS handle is not finalized yet */
    napi_deferred close_deferred;
    nn_client *prev, *next;
};

static void unlink_client(nn_client *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else if (c->ne && c->ne->clients == c)
        c->ne->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

/* Free what nothing uses any more; resolve close() once no call is in flight. */
static void settle(napi_env env, nn_client *c)
{
    if (c->close_deferred && c->inflight == 0 && env) {
        napi_resolve_deferred(env, c->close_deferred, nn_undefined(env));
        c->close_deferred = NULL;
    }
    if (c->client && !c->owner && c->inflight == 0 && c->borrowers == 0) {
        nax_client_free(c->client);
        c->client = NULL;
        unlink_client(c);
    }
    if (!c->client && !c->js_alive)
        free(c);
}

static void finalize_client(napi_env env, void *data, void *hint)
{
    (void)hint;
    nn_client *c = data;
    c->js_alive = 0;
    c->owner = 0;
    settle(env, c);
}

nn_client *nn_client_from(napi_env env, napi_value handle)
{
    void *p = NULL;
    napi_valuetype t = napi_undefined;
    if (!handle || napi_typeof(env, handle, &t) != napi_ok || t != napi_external ||
        napi_get_value_external(env, handle, &p) != napi_ok || !p) {
        napi_throw_type_error(env, NULL, "not a nax client handle");
        return NULL;
    }
    nn_client *c = p;
    if (c->closing || !c->client) {
        static char text[] = "the client is closed\0\0\0";
        nn_error e = {NAX_ESTATE, 0, 0, 0, text};
        napi_throw(env, nn_error_value(env, &e));
        return NULL;
    }
    return c;
}

nax_client *nn_client_raw(nn_client *c)
{
    return c->client;
}

void nn_client_hold(nn_client *c)
{
    c->borrowers++;
}

void nn_client_release(nn_client *c)
{
    c->borrowers--;
    settle(NULL, c);
}

void nn_client_call_begin(nn_client *c)
{
    c->inflight++;
}

void nn_client_call_end(napi_env env, nn_client *c)
{
    c->inflight--;
    settle(env, c);
}

void nn_clients_teardown(nn_env *ne)
{
    nn_client *c = ne->clients;
    while (c) {
        nn_client *next = c->next;
        /* A call still running on the pool keeps its client: freeing it under
         * the worker would be worse than the leak at exit. */
        if (c->inflight == 0 && c->client) {
            nax_client_free(c->client);
            c->client = NULL;
            c->closing = 1;
            unlink_client(c);
        }
        c = next;
    }
}

/* ---- clientNew(options) */

typedef struct opt_strings {
    char *s[11];
} opt_strings;

static const char *take(opt_strings *st, int i, char *v)
{
    st->s[i] = v;
    return v;
}

static uint32_t u32(napi_env env, napi_value obj, const char *name, int *bad)
{
    int64_t v = nn_prop_int(env, obj, name, bad);
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static int read_options(napi_env env, napi_value o, nax_client_options *opts, opt_strings *st)
{
    int bad = 0;
    opts->base_url = take(st, 0, nn_prop_string(env, o, "url", &bad));
    opts->api_key = take(st, 1, nn_prop_string(env, o, "apiKey", &bad));
    opts->api_secret = take(st, 2, nn_prop_string(env, o, "apiSecret", &bad));
    opts->bearer_token = take(st, 3, nn_prop_string(env, o, "token", &bad));
    opts->email = take(st, 4, nn_prop_string(env, o, "email", &bad));
    opts->password = take(st, 5, nn_prop_string(env, o, "password", &bad));
    opts->totp_secret = take(st, 6, nn_prop_string(env, o, "totpSecret", &bad));
    opts->ca_path = take(st, 7, nn_prop_string(env, o, "caPath", &bad));
    opts->proxy = take(st, 8, nn_prop_string(env, o, "proxy", &bad));
    opts->user_agent_suffix = take(st, 9, nn_prop_string(env, o, "userAgentSuffix", &bad));
    opts->pinned_public_key = take(st, 10, nn_prop_string(env, o, "pinnedPublicKey", &bad));
    opts->recv_window_ms = u32(env, o, "recvWindowMs", &bad);
    opts->connect_timeout_ms = u32(env, o, "connectTimeoutMs", &bad);
    opts->request_timeout_ms = u32(env, o, "requestTimeoutMs", &bad);
    opts->deadline_ms = u32(env, o, "deadlineMs", &bad);
    opts->max_connections = u32(env, o, "maxConnections", &bad);
    opts->tls_insecure = nn_prop_bool(env, o, "tlsInsecure");

    napi_value r = nn_prop(env, o, "retry");
    if (r) {
        opts->retry.max_attempts = u32(env, r, "maxAttempts", &bad);
        opts->retry.base_delay_ms = u32(env, r, "baseDelayMs", &bad);
        opts->retry.max_delay_ms = u32(env, r, "maxDelayMs", &bad);
        opts->retry.retry_after_max_ms = u32(env, r, "retryAfterMaxMs", &bad);
        opts->retry.budget = u32(env, r, "budget", &bad);
    }
    napi_value b = nn_prop(env, o, "breaker");
    if (b) {
        opts->breaker.window_size = u32(env, b, "windowSize", &bad);
        opts->breaker.min_calls = u32(env, b, "minCalls", &bad);
        opts->breaker.failure_rate_pct = u32(env, b, "failureRatePct", &bad);
        opts->breaker.slow_rate_pct = u32(env, b, "slowRatePct", &bad);
        opts->breaker.slow_call_ms = u32(env, b, "slowCallMs", &bad);
        opts->breaker.open_ms = u32(env, b, "openMs", &bad);
        opts->breaker.half_open_probes = u32(env, b, "halfOpenProbes", &bad);
        opts->breaker.disabled = nn_prop_bool(env, b, "disabled");
    }
    napi_value l = nn_prop(env, o, "limiter");
    if (l) {
        char *mode = nn_prop_string(env, l, "mode", &bad);
        if (mode && strcmp(mode, "fail_fast") == 0)
            opts->limiter.mode = NAX_LIMITER_FAIL_FAST;
        else if (mode && strcmp(mode, "off") == 0)
            opts->limiter.mode = NAX_LIMITER_OFF;
        else if (mode && strcmp(mode, "wait") != 0 && !bad) {
            napi_throw_type_error(env, NULL, "limiter.mode must be 'wait', 'fail_fast' or 'off'");
            bad = 1;
        }
        free(mode);
        opts->limiter.rate_per_s = u32(env, l, "ratePerS", &bad);
        opts->limiter.burst = u32(env, l, "burst", &bad);
        opts->limiter.max_wait_ms = u32(env, l, "maxWaitMs", &bad);
    }
    return bad ? -1 : 0;
}

napi_value nn_client_new(napi_env env, napi_callback_info info)
{
    size_t argc = 1;
    napi_value o = NULL, handle = NULL;
    NN_CHECK(env, napi_get_cb_info(env, info, &argc, &o, NULL, NULL));
    nn_env *ne = nn_env_get(env);
    nax_client_options opts;
    nax_client_options_init(&opts, NAX_CLIENT_OPTIONS_VERSION);
    opt_strings st = {{0}};
    int bad = argc < 1 || read_options(env, o, &opts, &st) != 0;
    nax_client *raw = NULL;
    int rc = bad ? 0 : nax_client_new(&raw, &opts);
    for (size_t i = 0; i < sizeof st.s / sizeof st.s[0]; i++) {
        if (st.s[i]) /* secrets are wiped before they go back to the allocator */
            memset(st.s[i], 0, strlen(st.s[i]));
        free(st.s[i]);
    }
    if (bad) {
        if (argc < 1)
            napi_throw_type_error(env, NULL, "clientNew(options)");
        return NULL;
    }
    if (rc != 0)
        return nn_throw_last(env, rc);
    nn_client *c = calloc(1, sizeof *c);
    if (!c) {
        nax_client_free(raw);
        napi_throw_error(env, NULL, "nax addon: out of memory");
        return NULL;
    }
    c->client = raw;
    c->ne = ne;
    c->owner = c->js_alive = 1;
    if (napi_create_external(env, c, finalize_client, NULL, &handle) != napi_ok) {
        nax_client_free(raw);
        free(c);
        nn_throw_napi(env, "napi_create_external");
        return NULL;
    }
    c->next = ne->clients;
    if (c->next)
        c->next->prev = c;
    ne->clients = c;
    return handle;
}

/* ---- clientClose(handle) -> Promise<void> once no call is in flight */

napi_value nn_client_close(napi_env env, napi_callback_info info)
{
    size_t argc = 1;
    napi_value h = NULL, promise = NULL;
    void *p = NULL;
    NN_CHECK(env, napi_get_cb_info(env, info, &argc, &h, NULL, NULL));
    NN_CHECK(env, napi_get_value_external(env, h, &p));
    nn_client *c = p;
    napi_deferred d = NULL;
    NN_CHECK(env, napi_create_promise(env, &d, &promise));
    if (c->closing) { /* the JS layer memoizes close(); a second one resolves at once */
        napi_resolve_deferred(env, d, nn_undefined(env));
        return promise;
    }
    c->closing = 1;
    c->owner = 0;
    c->close_deferred = d;
    settle(env, c);
    return promise;
}

/* ---- small synchronous calls (no I/O) */

napi_value nn_client_clock_offset(napi_env env, napi_callback_info info)
{
    size_t argc = 1;
    napi_value h = NULL, v = NULL;
    NN_CHECK(env, napi_get_cb_info(env, info, &argc, &h, NULL, NULL));
    nn_client *c = nn_client_from(env, h);
    if (!c)
        return NULL;
    NN_CHECK(env, napi_create_int64(env, nax_client_clock_offset(c->client), &v));
    return v;
}

napi_value nn_client_set_session(napi_env env, napi_callback_info info)
{
    size_t argc = 4;
    napi_value argv[4] = {NULL, NULL, NULL, NULL};
    NN_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
    nn_client *c = nn_client_from(env, argv[0]);
    if (!c)
        return NULL;
    int bad = 0;
    int64_t expires = 0;
    char *access = nn_string_dup(env, argv[1], "accessToken", &bad);
    char *refresh = bad ? NULL : nn_string_dup(env, argv[2], "refreshToken", &bad);
    if (!bad && argv[3])
        napi_get_value_int64(env, argv[3], &expires);
    int rc = bad ? 0 : nax_client_set_session(c->client, access, refresh, expires);
    if (access)
        memset(access, 0, strlen(access));
    if (refresh)
        memset(refresh, 0, strlen(refresh));
    free(access);
    free(refresh);
    if (rc != 0)
        return nn_throw_last(env, rc);
    return NULL;
}

static napi_value set_u64(napi_env env, napi_value obj, const char *name, uint64_t n)
{
    napi_value v = NULL;
    napi_create_double(env, (double)n, &v); /* counters and durations, never money */
    napi_set_named_property(env, obj, name, v);
    return obj;
}

napi_value nn_client_breaker(napi_env env, napi_callback_info info)
{
    size_t argc = 2;
    napi_value argv[2], out = NULL, v = NULL;
    NN_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
    nn_client *c = nn_client_from(env, argv[0]);
    if (!c)
        return NULL;
    int32_t group = 0;
    NN_CHECK(env, napi_get_value_int32(env, argv[1], &group));
    nax_breaker_status st;
    memset(&st, 0, sizeof st);
    st.struct_size = sizeof st;
    int rc = nax_client_breaker_status(c->client, (nax_endpoint_group)group, &st);
    if (rc != 0)
        return nn_throw_last(env, rc);
    NN_CHECK(env, napi_create_object(env, &out));
    napi_create_string_utf8(env, nax_breaker_state_name(st.state), NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, out, "state", v);
    set_u64(env, out, "calls", st.calls);
    set_u64(env, out, "failures", st.failures);
    set_u64(env, out, "slow", st.slow);
    set_u64(env, out, "openForMs", st.open_for_ms);
    set_u64(env, out, "openedTotal", st.opened_total);
    return out;
}

/*
 * The client handle: creation, teardown, hooks, logging and monitoring.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "auth/auth.h"
#include "client/client_impl.h"
#include "core/core.h"
#include "nax/codec.h"

/* Flags in c->inits: what nax_client_free must undo. */
enum {
    INIT_BUDGET = 1u << 0,
    INIT_SESSION = 1u << 1,
    INIT_MARKETS = 1u << 2,
    INIT_BREAKERS = 1u << 3, /* + group index, see below */
};
#define INIT_BREAKER(g) (1u << (3 + (g)))
#define INIT_LIMITER(g) (1u << (3 + NAX_GROUP_COUNT + (g)))

static uint64_t real_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t nax__client_now_ms(nax_client *c)
{
    return c->hooks.monotonic_ms ? c->hooks.monotonic_ms(c->hooks.userdata) : real_monotonic_ms();
}

int64_t nax__client_wall_ms(nax_client *c)
{
    if (c->hooks.wall_ms)
        return c->hooks.wall_ms(c->hooks.userdata);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void nax__client_sleep(nax_client *c, uint64_t ms)
{
    if (c->hooks.sleep_ms) {
        c->hooks.sleep_ms(ms, c->hooks.userdata);
        return;
    }
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

uint64_t nax__client_random(nax_client *c)
{
    if (c->hooks.random_u64)
        return c->hooks.random_u64(c->hooks.userdata);
    uint64_t r = 0;
    if (nax__random_bytes(&r, sizeof r) != 0)
        r = real_monotonic_ms() * 0x9E3779B97F4A7C15ull; /* jitter only: never a secret */
    return r;
}

void nax__client_log(nax_client *c, nax_log_level level, const char *fmt, ...)
{
    char raw[1024];
    va_list ap;
    if (!c->log_fn) {
        if (!nax__log_enabled(level))
            return;
        va_start(ap, fmt);
        vsnprintf(raw, sizeof raw, fmt, ap);
        va_end(ap);
        nax__log(level, "%s", raw);
        return;
    }
    if (level < c->log_level)
        return;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    char clean[1024];
    nax__redact(clean, sizeof clean, raw);
    nax__error_state saved; /* the sink may call libnax; the caller's error stays */
    nax__error_save(&saved);
    const nax_client *outer;
    nax__client_user_call_begin(c, &outer);
    c->log_fn(level, clean, c->log_userdata);
    nax__client_user_call_end(outer);
    nax__error_restore(&saved);
}

static const char *user_agent(char *buf, size_t size, const nax_client_options *o)
{
    if (o->user_agent_suffix && *o->user_agent_suffix)
        snprintf(buf, size, "libnax/%s %s", nax_version_string(), o->user_agent_suffix);
    else
        snprintf(buf, size, "libnax/%s", nax_version_string());
    return buf;
}

int nax_client_new(nax_client **out, const nax_client_options *opts)
{
    if (!out)
        return nax__error_field(NAX_EINVAL, "out", "out must not be NULL");
    *out = NULL;
    int rc = nax__client_options_check(opts);
    if (rc)
        return rc;
    if (!nax__global_ready())
        return nax__error(NAX_ESTATE, "nax_client_new needs nax_global_init() first");
    if (opts->user_agent_suffix) {
        for (const char *p = opts->user_agent_suffix; *p; p++)
            if ((unsigned char)*p < ' ' || (unsigned char)*p == 0x7f)
                return nax__error_field(NAX_EINVAL, "user_agent_suffix",
                                        "user_agent_suffix must not contain control characters");
    }
    nax_client *c = nax__calloc(1, sizeof(*c));
    if (!c)
        return nax__error_oom();
    rc = nax__client_options_copy(c, opts);
    if (!rc)
        rc = nax__retry_budget_init(&c->budget, c->retry.budget);
    if (!rc)
        c->inits |= INIT_BUDGET;
    if (!rc)
        rc = nax__session_init(&c->session);
    if (!rc)
        c->inits |= INIT_SESSION;
    if (!rc) {
        rc = pthread_mutex_init(&c->markets_lock, NULL) ? nax__error_oom() : 0;
        if (!rc)
            c->inits |= INIT_MARKETS;
    }
    uint64_t now = nax__client_now_ms(c);
    for (int g = 0; !rc && g < NAX_GROUP_COUNT; g++) {
        rc = nax__breaker_init(&c->breakers[g], &c->breaker_policy);
        if (!rc)
            c->inits |= INIT_BREAKER(g);
        if (!rc)
            rc = nax__limiter_init(&c->limiters[g], &c->limiter_policy, now);
        if (!rc)
            c->inits |= INIT_LIMITER(g);
    }
    if (!rc) {
        char ua[256];
        nax__http_config hc = {0};
        hc.base_url = c->base_url;
        hc.connect_timeout_ms = c->connect_timeout_ms;
        hc.tls_insecure = opts->tls_insecure;
        hc.ca_path = opts->ca_path && *opts->ca_path ? opts->ca_path : NULL;
        hc.pinned_public_key =
            opts->pinned_public_key && *opts->pinned_public_key ? opts->pinned_public_key : NULL;
        hc.proxy = opts->proxy && *opts->proxy ? opts->proxy : NULL;
        hc.user_agent = user_agent(ua, sizeof ua, opts);
        hc.max_connections = opts->max_connections ? opts->max_connections : 8;
        rc = nax__http_new(&c->http, &hc);
    }
    if (!rc && opts->bearer_token && *opts->bearer_token)
        rc = nax_client_set_session(c, opts->bearer_token, NULL, 0);
    if (rc) {
        nax_client_free(c); /* sets no error: the one above stays */
        return rc;
    }
    *out = c;
    return 0;
}

static void free_secret(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        nax__free(s);
    }
}

void nax_client_free(nax_client *c)
{
    if (!c)
        return;
    nax__http_free(c->http);
    for (int g = 0; g < NAX_GROUP_COUNT; g++) {
        if (c->inits & INIT_BREAKER(g))
            nax__breaker_dispose(&c->breakers[g]);
        if (c->inits & INIT_LIMITER(g))
            nax__limiter_dispose(&c->limiters[g]);
    }
    if (c->inits & INIT_SESSION)
        nax__session_dispose(&c->session);
    if (c->inits & INIT_BUDGET)
        nax__retry_budget_dispose(&c->budget);
    if (c->inits & INIT_MARKETS) {
        nax_object_free(c->markets);
        pthread_mutex_destroy(&c->markets_lock);
    }
    nax__free(c->base_url);
    nax__free(c->api_key);
    free_secret(c->api_secret);
    nax__free(c->email);
    nax__free(c->ca_path);
    free_secret(c->password);
    OPENSSL_cleanse(c->totp_key, sizeof c->totp_key);
    nax__free(c);
}

int nax_client_breaker_status(nax_client *c, nax_endpoint_group group, nax_breaker_status *out)
{
    if (!c || !out)
        return nax__error(NAX_EINVAL, "client and out must not be NULL");
    if ((int)group < 0 || (int)group >= NAX_GROUP_COUNT)
        return nax__error_field(NAX_EINVAL, "group", "unknown endpoint group %d", (int)group);
    if (out->struct_size < offsetof(nax_breaker_status, opened_total) + sizeof(uint64_t))
        return nax__error_field(NAX_EVERSION, "struct_size",
                                "set out->struct_size to sizeof(nax_breaker_status)");
    nax_breaker_status s;
    memset(&s, 0, sizeof s);
    nax__breaker_status(&c->breakers[group], nax__client_now_ms(c), &s);
    s.struct_size = sizeof s;
    size_t keep = out->struct_size < sizeof s ? out->struct_size : sizeof s;
    memcpy(out, &s, keep);
    out->struct_size = keep;
    return 0;
}

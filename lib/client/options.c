/*
 * Client options: defaults, validation and the owned copy nax_client_new()
 * keeps. Every refusal names the offending member.
 */
#include <string.h>

#include "auth/auth.h"
#include "client/client_impl.h"
#include "core/core.h"

int nax_client_options_init(nax_client_options *opts, unsigned int version)
{
    if (!opts)
        return nax__error_field(NAX_EINVAL, "opts", "options must not be NULL");
    if (version != NAX_CLIENT_OPTIONS_VERSION)
        return nax__error_field(NAX_EVERSION, "version", "unknown client options version %u",
                                version);
    memset(opts, 0, sizeof(*opts));
    opts->version = version;
    return 0;
}

/* scheme://host[:port] with an optional trailing '/', nothing else. */
static int check_base_url(const char *url)
{
    if (!url || !*url)
        return nax__error_field(NAX_EINVAL, "base_url", "base_url is required");
    const char *host;
    if (!strncmp(url, "http://", 7))
        host = url + 7;
    else if (!strncmp(url, "https://", 8))
        host = url + 8;
    else
        return nax__error_field(NAX_EINVAL, "base_url",
                                "base_url must start with http:// or https://");
    size_t n = strlen(host);
    if (n && host[n - 1] == '/')
        n--;
    if (n == 0)
        return nax__error_field(NAX_EINVAL, "base_url", "base_url has no host");
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)host[i];
        if (ch <= ' ' || ch >= 0x7f || ch == '/' || ch == '?' || ch == '#' || ch == '@')
            return nax__error_field(NAX_EINVAL, "base_url",
                                    "base_url must be scheme://host[:port] with no path, query, "
                                    "credentials or spaces");
    }
    return 0;
}

static int present(const char *s)
{
    return s && *s;
}

int nax__client_options_check(const nax_client_options *o)
{
    if (!o)
        return nax__error_field(NAX_EINVAL, "opts", "options must not be NULL");
    if (o->version != NAX_CLIENT_OPTIONS_VERSION)
        return nax__error_field(NAX_EVERSION, "version", "unknown client options version %u",
                                o->version);
    int rc = check_base_url(o->base_url);
    if (rc)
        return rc;
    if (present(o->api_key) != present(o->api_secret))
        return nax__error_field(NAX_EINVAL, present(o->api_key) ? "api_secret" : "api_key",
                                "api_key and api_secret go together");
    if (present(o->email) != present(o->password))
        return nax__error_field(NAX_EINVAL, present(o->email) ? "password" : "email",
                                "email and password go together");
    int kinds = present(o->api_key) + present(o->bearer_token) + present(o->email);
    if (kinds > 1)
        return nax__error_field(NAX_EINVAL, "credentials",
                                "give one kind of credentials: an API key, a bearer token, or "
                                "email and password");
    if (present(o->totp_secret) && !present(o->email))
        return nax__error_field(NAX_EINVAL, "totp_secret", "totp_secret needs email and password");
    if (o->recv_window_ms > 60000)
        return nax__error_field(NAX_EINVAL, "recv_window_ms",
                                "recv_window_ms must be at most 60000");
    if (o->limiter.mode > NAX_LIMITER_OFF)
        return nax__error_field(NAX_EINVAL, "limiter.mode", "unknown limiter mode %d",
                                (int)o->limiter.mode);
    if (o->breaker.failure_rate_pct > 100 || o->breaker.slow_rate_pct > 100)
        return nax__error_field(NAX_EINVAL, "breaker", "breaker rates are percentages (0..100)");
    if (o->breaker.min_calls && o->breaker.window_size &&
        o->breaker.min_calls > o->breaker.window_size)
        return nax__error_field(NAX_EINVAL, "breaker.min_calls",
                                "breaker.min_calls must not exceed breaker.window_size");
    if (o->log_level > NAX_LOG_OFF)
        return nax__error_field(NAX_EINVAL, "log_level", "unknown log level %d", (int)o->log_level);
    return 0;
}

static int dup_opt(char **dst, const char *src)
{
    *dst = NULL;
    if (!present(src))
        return 0;
    *dst = nax__strdup(src);
    return *dst ? 0 : nax__error_oom();
}

/* Copies what the client keeps; on failure the caller frees what was set. */
int nax__client_options_copy(nax_client *c, const nax_client_options *o)
{
    size_t n = strlen(o->base_url);
    if (o->base_url[n - 1] == '/')
        n--;
    c->base_url = nax__strndup(o->base_url, n);
    if (!c->base_url)
        return nax__error_oom();
    int rc = dup_opt(&c->api_key, o->api_key);
    if (!rc)
        rc = dup_opt(&c->api_secret, o->api_secret);
    if (!rc)
        rc = dup_opt(&c->email, o->email);
    if (!rc)
        rc = dup_opt(&c->password, o->password);
    if (!rc)
        rc = dup_opt(&c->ca_path, o->ca_path);
    if (rc)
        return rc;
    c->tls_insecure = o->tls_insecure;
    if (present(o->totp_secret)) {
        long k = nax__base32_decode(c->totp_key, sizeof c->totp_key, o->totp_secret,
                                    strlen(o->totp_secret));
        if (k <= 0)
            return nax__error_field(NAX_EINVAL, "totp_secret", "totp_secret is not base32");
        c->totp_key_len = (size_t)k;
    }
    c->recv_window_ms = o->recv_window_ms ? o->recv_window_ms : 5000;
    c->connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms : 5000;
    c->request_timeout_ms = o->request_timeout_ms ? o->request_timeout_ms : 10000;
    c->deadline_ms = o->deadline_ms ? o->deadline_ms : 30000;
    c->retry = o->retry;
    nax__retry_policy_defaults(&c->retry);
    c->breaker_policy = o->breaker;
    nax__breaker_policy_defaults(&c->breaker_policy);
    c->limiter_policy = o->limiter;
    nax__limiter_policy_defaults(&c->limiter_policy);
    c->log_fn = o->log_fn;
    c->log_level = o->log_level;
    c->log_userdata = o->log_userdata;
    c->metrics_fn = o->metrics_fn;
    c->metrics_userdata = o->metrics_userdata;
    c->breaker_fn = o->breaker_fn;
    c->breaker_userdata = o->breaker_userdata;
    if (o->hooks)
        c->hooks = *o->hooks;
    return 0;
}

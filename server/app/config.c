/* naxd configuration: defaults, the JSON file, then the environment. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "app/json_tree.h"
#include "auth/auth.h"
#include "core/core.h"

struct default_market {
    const char *pair, *base, *quote, *tick, *lot, *min_notional;
};

static const struct default_market default_markets[] = {
    {"BTC-AUD", "BTC", "AUD", "0.01", "0.00000001", "10.00"},
    {"ETH-AUD", "ETH", "AUD", "0.01", "0.0000001", "10.00"},
    {"BTC-USD", "BTC", "USD", "0.01", "0.00000001", "10.00"},
    {"ETH-USD", "ETH", "USD", "0.01", "0.0000001", "10.00"},
};

static const struct {
    const char *asset, *fee;
} default_assets[] = {{"BTC", "0.0001"}, {"ETH", "0.001"}, {"AUD", "0"}, {"USD", "0"}};

static int dec(nax_decimal *out, const char *text, const char *member)
{
    if (!text || nax_decimal_parse(out, text, strlen(text), NULL) != 0)
        return nax__error_field(NAX_EINVAL, member, "config: %s is not a decimal string", member);
    return 0;
}

static int set_str(char **slot, const char *value)
{
    char *copy = value ? nax__strdup(value) : NULL;
    if (value && !copy)
        return nax__error_oom();
    nax__free(*slot);
    *slot = copy;
    return 0;
}

static int add_market(naxd_config *c, const char *pair, const char *base, const char *quote)
{
    naxd_market_spec *grown =
        nax__realloc(c->markets, (c->markets_count + 1) * sizeof(*c->markets));
    if (!grown)
        return nax__error_oom();
    c->markets = grown;
    naxd_market_spec *m = &c->markets[c->markets_count];
    memset(m, 0, sizeof(*m));
    m->pair = nax__strdup(pair);
    m->base = nax__strdup(base);
    m->quote = nax__strdup(quote);
    c->markets_count++;
    if (!m->pair || !m->base || !m->quote)
        return nax__error_oom();
    m->status = NAX_MARKET_STATUS_ACTIVE;
    dec(&m->maker_fee, "0.001", "maker_fee");
    dec(&m->taker_fee, "0.002", "taker_fee");
    return 0;
}

static int add_asset(naxd_config *c, const char *asset, const char *fee)
{
    naxd_asset_fee *grown = nax__realloc(c->assets, (c->assets_count + 1) * sizeof(*c->assets));
    if (!grown)
        return nax__error_oom();
    c->assets = grown;
    naxd_asset_fee *a = &c->assets[c->assets_count];
    memset(a, 0, sizeof(*a));
    c->assets_count++;
    if (!(a->asset = nax__strdup(asset)))
        return nax__error_oom();
    return dec(&a->withdraw_fee, fee, "assets[].withdraw_fee");
}

static int set_defaults(naxd_config *c)
{
    int rc = 0;
    rc |= set_str(&c->listen_host, "127.0.0.1");
    rc |= set_str(&c->data_dir, "./var");
    rc |= set_str(&c->jwt_issuer, "naxd");
    rc |= set_str(&c->jwt_audience, "nax-api");
    if (rc)
        return NAX_ENOMEM;
    c->port = 8080;
    naxd_kdf_params_owasp(&c->kdf);
    c->access_ttl_s = 900;
    c->refresh_ttl_s = 7 * 24 * 3600;
    c->rate_default = (naxd_rate){1000, 2000};
    c->rate_auth = (naxd_rate){5, 20};
    c->rate_login_failures = (naxd_rate){0.1, 5};
    /* Six digits with a +-1 step window: ten tries an hour keeps guessing
     * below 0.1 % a day. */
    c->rate_totp_failures = (naxd_rate){10.0 / 3600, 10};
    c->recv_window_ms = 5000;
    c->max_body = 1u << 20;
    c->max_kyc_body = 12u << 20;
    c->max_body_total = (size_t)64 << 20;
    c->max_header_bytes = 8192;
    c->max_conns = 1024;
    c->idle_timeout_s = 30;
    c->access_log = 1;
    return 0;
}

static int load_default_markets(naxd_config *c)
{
    for (size_t i = 0; i < sizeof(default_markets) / sizeof(default_markets[0]); i++) {
        const struct default_market *d = &default_markets[i];
        int rc = add_market(c, d->pair, d->base, d->quote);
        if (rc)
            return rc;
        naxd_market_spec *m = &c->markets[c->markets_count - 1];
        dec(&m->tick_size, d->tick, "tick_size");
        dec(&m->lot_size, d->lot, "lot_size");
        dec(&m->min_notional, d->min_notional, "min_notional");
    }
    return 0;
}

/* ---- stream limits ------------------------------------------------------------- */

const char *const naxd_config_stream_limit_names[] = {
    "max_subscriptions",  "max_frame_bytes", "ops_per_second",
    "max_queue_messages", "max_queue_bytes", "idle_timeout_s",
    "max_lagging",        "recent_trades",   NULL};

int naxd_config_stream_limit(naxd_config *c, const char *name, int64_t value)
{
    naxd_stream_limits *l = &c->stream;
    /* 0 keeps the default; the upper bounds only keep the types from wrapping. */
    if (value < 0 || value > (int64_t)UINT32_MAX)
        return nax__error_field(NAX_EINVAL, name, "config: stream.%s must be 0..%u", name,
                                UINT32_MAX);
    if (!strcmp(name, "max_subscriptions"))
        l->max_subscriptions = (unsigned)value;
    else if (!strcmp(name, "max_frame_bytes"))
        l->max_frame_bytes = (size_t)value;
    else if (!strcmp(name, "ops_per_second"))
        l->ops_per_second = (unsigned)value;
    else if (!strcmp(name, "max_queue_messages"))
        l->max_queue_messages = (size_t)value;
    else if (!strcmp(name, "max_queue_bytes"))
        l->max_queue_bytes = (size_t)value;
    else if (!strcmp(name, "idle_timeout_s"))
        l->idle_timeout_s = (unsigned)value;
    else if (!strcmp(name, "max_lagging"))
        l->max_lagging = (unsigned)value;
    else if (!strcmp(name, "recent_trades"))
        l->recent_trades = (unsigned)value;
    else
        return nax__error_field(NAX_EINVAL, name, "config: no stream limit %s", name);
    return 0;
}

/* ---- reading the JSON file --------------------------------------------------- */

static yajl_val member(yajl_val obj, const char *name)
{
    const char *path[] = {name, NULL};
    return obj ? yajl_tree_get(obj, path, yajl_t_any) : NULL;
}

static const char *str_member(yajl_val obj, const char *name)
{
    yajl_val v = member(obj, name);
    return YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

static int num_member(yajl_val obj, const char *name, double *out, const char *where)
{
    yajl_val v = member(obj, name);
    if (!v)
        return 0;
    if (!YAJL_IS_NUMBER(v))
        return nax__error_field(NAX_EINVAL, name, "config: %s.%s must be a number", where, name);
    *out = YAJL_GET_DOUBLE(v);
    return 0;
}

static int int_member(yajl_val obj, const char *name, int64_t *out, const char *where)
{
    yajl_val v = member(obj, name);
    if (!v)
        return 0;
    if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0)
        return nax__error_field(NAX_EINVAL, name, "config: %s.%s must be a non-negative integer",
                                where, name);
    *out = YAJL_GET_INTEGER(v);
    return 0;
}

static int read_markets(naxd_config *c, yajl_val arr)
{
    if (!YAJL_IS_ARRAY(arr) || arr->u.array.len == 0)
        return nax__error_field(NAX_EINVAL, "markets", "config: markets must be a non-empty array");
    for (size_t i = 0; i < arr->u.array.len; i++) {
        yajl_val m = arr->u.array.values[i];
        const char *pair = str_member(m, "pair"), *base = str_member(m, "base"),
                   *quote = str_member(m, "quote");
        if (!pair || !base || !quote)
            return nax__error_field(NAX_EINVAL, "markets",
                                    "config: markets[%zu] needs pair, base and quote", i);
        int rc = add_market(c, pair, base, quote);
        if (rc)
            return rc;
        naxd_market_spec *s = &c->markets[c->markets_count - 1];
        if ((rc = dec(&s->tick_size, str_member(m, "tick_size"), "markets[].tick_size")) ||
            (rc = dec(&s->lot_size, str_member(m, "lot_size"), "markets[].lot_size")) ||
            (rc = dec(&s->min_notional, str_member(m, "min_notional"), "markets[].min_notional")))
            return rc;
        if (str_member(m, "maker_fee") &&
            (rc = dec(&s->maker_fee, str_member(m, "maker_fee"), "markets[].maker_fee")))
            return rc;
        if (str_member(m, "taker_fee") &&
            (rc = dec(&s->taker_fee, str_member(m, "taker_fee"), "markets[].taker_fee")))
            return rc;
        const char *status = str_member(m, "status");
        if (status) {
            if (!strcmp(status, "active"))
                s->status = NAX_MARKET_STATUS_ACTIVE;
            else if (!strcmp(status, "halted"))
                s->status = NAX_MARKET_STATUS_HALTED;
            else if (!strcmp(status, "post_only"))
                s->status = NAX_MARKET_STATUS_POST_ONLY;
            else
                return nax__error_field(NAX_EINVAL, "markets[].status",
                                        "config: unknown market status \"%s\"", status);
        }
    }
    return 0;
}

static int add_provider(naxd_config *c, const char *name, char **secrets, size_t n)
{
    naxd_provider *grown =
        nax__realloc(c->providers, (c->providers_count + 1) * sizeof(*c->providers));
    if (!grown)
        return nax__error_oom();
    c->providers = grown;
    naxd_provider *p = &c->providers[c->providers_count++];
    p->name = nax__strdup(name);
    p->secrets = secrets;
    p->secrets_count = n;
    return p->name ? 0 : nax__error_oom();
}

static void free_secrets(char **s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        nax__free(s[i]);
    nax__free(s);
}

/* Replaces (or adds) a provider's secrets. */
static int set_provider(naxd_config *c, const char *name, char **secrets, size_t n)
{
    for (size_t i = 0; i < c->providers_count; i++) {
        naxd_provider *p = &c->providers[i];
        if (!strcmp(p->name, name)) {
            free_secrets(p->secrets, p->secrets_count);
            p->secrets = secrets;
            p->secrets_count = n;
            return 0;
        }
    }
    int rc = add_provider(c, name, secrets, n);
    if (rc)
        free_secrets(secrets, n);
    return rc;
}

static int valid_provider_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32)
        return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

static int read_providers(naxd_config *c, yajl_val obj)
{
    if (!YAJL_IS_OBJECT(obj))
        return nax__error_field(NAX_EINVAL, "webhook_providers",
                                "config: webhook_providers must be an object");
    for (size_t i = 0; i < obj->u.object.len; i++) {
        const char *name = obj->u.object.keys[i];
        yajl_val arr = obj->u.object.values[i];
        if (!valid_provider_name(name) || !YAJL_IS_ARRAY(arr))
            return nax__error_field(NAX_EINVAL, "webhook_providers",
                                    "config: provider \"%s\" needs a name of [a-z0-9_-] and an "
                                    "array of secrets",
                                    name);
        size_t n = arr->u.array.len;
        char **secrets = nax__calloc(n ? n : 1, sizeof(char *));
        if (!secrets)
            return nax__error_oom();
        for (size_t k = 0; k < n; k++) {
            yajl_val v = arr->u.array.values[k];
            if (!YAJL_IS_STRING(v) || !(secrets[k] = nax__strdup(YAJL_GET_STRING(v)))) {
                free_secrets(secrets, n);
                return nax__error_field(NAX_EINVAL, "webhook_providers",
                                        "config: provider \"%s\" secrets must be strings", name);
            }
        }
        int rc = set_provider(c, name, secrets, n);
        if (rc)
            return rc;
    }
    return 0;
}

static int read_rate(yajl_val limits, const char *name, naxd_rate *r)
{
    yajl_val v = member(limits, name);
    if (!v)
        return 0;
    int rc = num_member(v, "rate", &r->rate, name);
    if (!rc)
        rc = num_member(v, "burst", &r->burst, name);
    if (!rc && (r->rate <= 0 || r->burst < 1))
        rc = nax__error_field(NAX_EINVAL, name, "config: rate_limits.%s needs rate > 0, burst >= 1",
                              name);
    return rc;
}

static int read_file(naxd_config *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return nax__error(NAX_EIO, "config: cannot open %s: %s", path, strerror(errno));
    nax_buf text = NAX_BUF_INIT;
    char chunk[4096];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && !rc)
        rc = nax__buf_append(&text, chunk, n);
    fclose(f);
    if (rc) {
        nax_buf_dispose(&text);
        return rc;
    }
    char err[256] = "";
    yajl_val root = naxd_json_tree(text.data ? text.data : "", text.len, err, sizeof err);
    nax_buf_dispose(&text);
    if (!root || !YAJL_IS_OBJECT(root)) {
        yajl_tree_free(root);
        return nax__error(NAX_EINVAL, "config: %s is not a JSON object: %s", path, err);
    }

    yajl_val v;
    if ((v = member(root, "markets"))) {
        for (size_t i = 0; i < c->markets_count; i++) {
            nax__free((char *)c->markets[i].pair);
            nax__free((char *)c->markets[i].base);
            nax__free((char *)c->markets[i].quote);
        }
        c->markets_count = 0;
        rc = read_markets(c, v);
    }
    if (!rc && (v = member(root, "assets"))) {
        if (!YAJL_IS_ARRAY(v)) {
            rc = nax__error_field(NAX_EINVAL, "assets", "config: assets must be an array");
        } else {
            for (size_t i = 0; i < c->assets_count; i++)
                nax__free(c->assets[i].asset);
            c->assets_count = 0;
            for (size_t i = 0; !rc && i < v->u.array.len; i++) {
                yajl_val a = v->u.array.values[i];
                const char *name = str_member(a, "asset");
                const char *fee = str_member(a, "withdraw_fee");
                rc = name ? add_asset(c, name, fee ? fee : "0")
                          : nax__error_field(NAX_EINVAL, "assets", "config: assets[%zu].asset", i);
            }
        }
    }
    if (!rc && (v = member(root, "webhook_providers")))
        rc = read_providers(c, v);
    if (!rc && (v = member(root, "kdf"))) {
        int64_t m = c->kdf.m_cost_kib, t = c->kdf.t_cost, p = c->kdf.parallelism;
        rc = int_member(v, "m_cost_kib", &m, "kdf");
        if (!rc)
            rc = int_member(v, "t_cost", &t, "kdf");
        if (!rc)
            rc = int_member(v, "parallelism", &p, "kdf");
        yajl_val test_only = member(root, "kdf_test_only");
        naxd_kdf_params owasp;
        naxd_kdf_params_owasp(&owasp);
        if (!rc && (m < owasp.m_cost_kib || t < owasp.t_cost) && !YAJL_IS_TRUE(test_only))
            rc = nax__error_field(NAX_EINVAL, "kdf",
                                  "config: kdf below the OWASP minimum (m=%u KiB, t=%u) needs "
                                  "\"kdf_test_only\": true",
                                  owasp.m_cost_kib, owasp.t_cost);
        if (!rc && (m < 8 || t < 1 || p < 1 || m > 4194304 || p > 16))
            rc = nax__error_field(NAX_EINVAL, "kdf", "config: kdf values out of range");
        c->kdf.m_cost_kib = (uint32_t)m;
        c->kdf.t_cost = (uint32_t)t;
        c->kdf.parallelism = (uint32_t)p;
        if (!rc && YAJL_IS_TRUE(test_only))
            nax__log(NAX_LOG_WARN, "naxd: kdf_test_only: password hashing below OWASP cost");
    }
    if (!rc && (v = member(root, "jwt"))) {
        const char *iss = str_member(v, "issuer"), *aud = str_member(v, "audience");
        if (iss)
            rc = set_str(&c->jwt_issuer, iss);
        if (!rc && aud)
            rc = set_str(&c->jwt_audience, aud);
        if (!rc)
            rc = int_member(v, "access_ttl_s", &c->access_ttl_s, "jwt");
        if (!rc)
            rc = int_member(v, "refresh_ttl_s", &c->refresh_ttl_s, "jwt");
    }
    if (!rc && (v = member(root, "rate_limits"))) {
        rc = read_rate(v, "default", &c->rate_default);
        if (!rc)
            rc = read_rate(v, "auth", &c->rate_auth);
        if (!rc)
            rc = read_rate(v, "login_failures", &c->rate_login_failures);
        if (!rc)
            rc = read_rate(v, "totp_failures", &c->rate_totp_failures);
    }
    if (!rc && member(root, "recv_window_ms")) {
        rc = int_member(root, "recv_window_ms", &c->recv_window_ms, "config");
        if (!rc && (c->recv_window_ms < 1 || c->recv_window_ms > NAXD_MAX_RECV_WINDOW_MS))
            rc = nax__error_field(NAX_EINVAL, "recv_window_ms",
                                  "config: recv_window_ms must be 1..60000");
    }
    if (!rc && (v = member(root, "limits"))) {
        int64_t total = (int64_t)c->max_body_total;
        int64_t body = (int64_t)c->max_body, kyc = (int64_t)c->max_kyc_body,
                hdr = (int64_t)c->max_header_bytes, conns = c->max_conns, idle = c->idle_timeout_s;
        rc = int_member(v, "max_body", &body, "limits");
        if (!rc)
            rc = int_member(v, "max_kyc_body", &kyc, "limits");
        if (!rc)
            rc = int_member(v, "max_header_bytes", &hdr, "limits");
        if (!rc)
            rc = int_member(v, "max_conns", &conns, "limits");
        if (!rc)
            rc = int_member(v, "idle_timeout_s", &idle, "limits");
        if (!rc)
            rc = int_member(v, "max_body_total", &total, "limits");
        if (!rc && (total < kyc || total < body))
            rc = nax__error_field(NAX_EINVAL, "limits.max_body_total",
                                  "config: max_body_total must be at least max_body and "
                                  "max_kyc_body");
        c->max_body_total = (size_t)total;
        c->max_body = (size_t)body;
        c->max_kyc_body = (size_t)kyc;
        c->max_header_bytes = (size_t)hdr;
        c->max_conns = (unsigned)conns;
        c->idle_timeout_s = (unsigned)idle;
    }
    if (!rc && (v = member(root, "stream"))) {
        if (!YAJL_IS_OBJECT(v))
            rc = nax__error_field(NAX_EINVAL, "stream", "config: stream must be an object");
        for (size_t i = 0; !rc && YAJL_IS_OBJECT(v) && i < v->u.object.len; i++) {
            int64_t limit = -1;
            rc = int_member(v, v->u.object.keys[i], &limit, "stream");
            if (!rc)
                rc = naxd_config_stream_limit(c, v->u.object.keys[i], limit);
        }
    }
    if (!rc && (v = member(root, "operator_token")) && YAJL_IS_STRING(v))
        rc = set_str(&c->operator_token, YAJL_GET_STRING(v));
    yajl_tree_free(root);
    return rc;
}

/* ---- environment ------------------------------------------------------------------ */

static int read_env(naxd_config *c)
{
    extern char **environ;
    const char *prefix = "NAXD_WEBHOOK_SECRET_";
    size_t plen = strlen(prefix);
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, prefix, plen) != 0)
            continue;
        const char *eq = strchr(*e, '=');
        if (!eq || eq == *e + plen)
            continue;
        char name[33];
        size_t nlen = (size_t)(eq - (*e + plen));
        if (nlen >= sizeof name)
            continue;
        for (size_t i = 0; i < nlen; i++)
            name[i] = (char)tolower((unsigned char)(*e)[plen + i]);
        name[nlen] = 0;
        if (!valid_provider_name(name))
            continue;
        /* space-separated secrets */
        char **secrets = NULL;
        size_t n = 0;
        const char *p = eq + 1;
        while (*p) {
            while (*p == ' ')
                p++;
            const char *end = p;
            while (*end && *end != ' ')
                end++;
            if (end > p) {
                char **grown = nax__realloc(secrets, (n + 1) * sizeof(char *));
                if (!grown || !(grown[n] = nax__strndup(p, (size_t)(end - p)))) {
                    free_secrets(grown ? grown : secrets, n);
                    return nax__error_oom();
                }
                secrets = grown;
                n++;
            }
            p = end;
        }
        if (n) {
            int rc = set_provider(c, name, secrets, n);
            if (rc)
                return rc;
        }
    }
    const char *op = getenv("NAXD_OPERATOR_TOKEN");
    if (op && *op && set_str(&c->operator_token, op))
        return NAX_ENOMEM;
    return 0;
}

int naxd_config_load(naxd_config **out, const char *path)
{
    *out = NULL;
    naxd_config *c = nax__calloc(1, sizeof(*c));
    if (!c)
        return nax__error_oom();
    int rc = set_defaults(c);
    if (!rc)
        rc = load_default_markets(c);
    for (size_t i = 0; !rc && i < sizeof(default_assets) / sizeof(default_assets[0]); i++)
        rc = add_asset(c, default_assets[i].asset, default_assets[i].fee);
    if (!rc && path)
        rc = read_file(c, path);
    if (!rc)
        rc = read_env(c);
    if (rc) {
        naxd_config_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* The JWT key: NAXD_JWT_SECRET, else DATA/jwt.key (64 random bytes, hex, 0600,
 * generated on first start). */
int naxd_config_resolve_keys(naxd_config *c)
{
    const char *env = getenv("NAXD_JWT_SECRET");
    if (env && *env) {
        size_t n = strlen(env);
        if (n < 32)
            return nax__error(NAX_EINVAL, "NAXD_JWT_SECRET must be at least 32 bytes");
        if (n > sizeof c->jwt_key)
            n = sizeof c->jwt_key;
        memcpy(c->jwt_key, env, n);
        c->jwt_key_len = n;
        return 0;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/jwt.key", c->data_dir);
    char hex[129] = "";
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, hex, 128);
        close(fd);
        if (n != 128 || nax__hex_decode(c->jwt_key, sizeof c->jwt_key, hex, 128) != 64)
            return nax__error(NAX_EINVAL, "%s: expected 128 hex digits", path);
        c->jwt_key_len = 64;
        return 0;
    }
    if (errno != ENOENT)
        return nax__error(NAX_EIO, "%s: %s", path, strerror(errno));
    if (nax__random_bytes(c->jwt_key, 64))
        return NAX_ERROR;
    c->jwt_key_len = 64;
    nax__hex_encode(hex, c->jwt_key, 64);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return nax__error(NAX_EIO, "%s: %s", path, strerror(errno));
    int ok = write(fd, hex, 128) == 128 && fsync(fd) == 0;
    close(fd);
    return ok ? 0 : nax__error(NAX_EIO, "%s: write failed", path);
}

void naxd_config_free(naxd_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->markets_count; i++) {
        nax__free((char *)c->markets[i].pair);
        nax__free((char *)c->markets[i].base);
        nax__free((char *)c->markets[i].quote);
    }
    nax__free(c->markets);
    for (size_t i = 0; i < c->assets_count; i++)
        nax__free(c->assets[i].asset);
    nax__free(c->assets);
    for (size_t i = 0; i < c->providers_count; i++) {
        nax__free(c->providers[i].name);
        free_secrets(c->providers[i].secrets, c->providers[i].secrets_count);
    }
    nax__free(c->providers);
    nax__free(c->listen_host);
    nax__free(c->data_dir);
    nax__free(c->tls_cert);
    nax__free(c->tls_key);
    nax__free(c->jwt_issuer);
    nax__free(c->jwt_audience);
    nax__free(c->operator_token);
    memset(c->jwt_key, 0, sizeof c->jwt_key);
    nax__free(c);
}

const naxd_provider *naxd_config_provider(const naxd_config *c, const char *name)
{
    for (size_t i = 0; i < c->providers_count; i++)
        if (!strcmp(c->providers[i].name, name))
            return &c->providers[i];
    return NULL;
}

const naxd_asset_fee *naxd_config_asset(const naxd_config *c, const char *asset)
{
    for (size_t i = 0; i < c->assets_count; i++)
        if (!strcmp(c->assets[i].asset, asset))
            return &c->assets[i];
    return NULL;
}

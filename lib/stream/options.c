/*
 * Stream options: defaults, validation (every refusal names its member),
 * the owned copy, the URL, channel names, and the names of states and
 * reasons.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client.h"
#include "stream/stream_internal.h"

#define DEFAULT_PING_MS          15000u
#define DEFAULT_MISSED_PONGS     2u
#define DEFAULT_RECONNECT_MIN_MS 1000u
#define DEFAULT_RECONNECT_MAX_MS 60000u
#define DEFAULT_CONNECT_MS       10000u
#define DEFAULT_MAX_MESSAGE      (64u * 1024u * 1024u)
#define DEFAULT_MAX_BUFFERED     4096u
#define DEFAULT_MAX_PENDING      1024u
#define DEFAULT_MAX_CATCHUP      10000u

#define HOUR_MS (3600u * 1000u)

int nax_stream_options_init(nax_stream_options *opts, unsigned int version)
{
    if (!opts)
        return nax__error_field(NAX_EINVAL, "opts", "options must not be NULL");
    if (version != NAX_STREAM_OPTIONS_VERSION)
        return nax__error_field(NAX_EVERSION, "version", "unknown stream options version %u",
                                version);
    memset(opts, 0, sizeof *opts);
    opts->version = version;
    return 0;
}

const char *nax_stream_state_name(nax_stream_state state)
{
    switch (state) {
    case NAX_STREAM_IDLE: return "IDLE";
    case NAX_STREAM_CONNECTING: return "CONNECTING";
    case NAX_STREAM_LIVE: return "LIVE";
    case NAX_STREAM_STALE: return "STALE";
    case NAX_STREAM_RESYNCING: return "RESYNCING";
    case NAX_STREAM_RECONNECTING: return "RECONNECTING";
    case NAX_STREAM_CLOSED: return "CLOSED";
    }
    return "unknown";
}

const char *nax_stream_reason_name(nax_stream_reason reason)
{
    static const char *const names[] = {
        "none",     "start",   "subscribed",     "snapshot",      "pong_missed",
        "traffic",  "dead",    "connect_failed", "server_closed", "seq_gap",
        "checksum", "lagging", "overflow",       "auth_failed",   "subscribe_failed",
        "protocol", "stopped", "callback",       "token_expired",
    };
    if ((int)reason < 0 || (size_t)reason >= sizeof names / sizeof names[0])
        return "unknown";
    return names[reason];
}

/* [A-Z0-9]{2,12} */
static int pair_part(const char *p, size_t n)
{
    if (n < 2 || n > 12)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9')))
            return 0;
    return 1;
}

static int pair_valid(const char *pair)
{
    const char *dash = strchr(pair, '-');
    return dash && pair_part(pair, (size_t)(dash - pair)) && pair_part(dash + 1, strlen(dash + 1));
}

nax__chan_kind nax__chan_parse(const char *name)
{
    if (!name)
        return 0;
    if (!strcmp(name, "orders"))
        return NAX__CH_ORDERS;
    if (!strcmp(name, "balances"))
        return NAX__CH_BALANCES;
    if (!strcmp(name, "fills"))
        return NAX__CH_FILLS;
    if (!strncmp(name, "ticker:", 7))
        return pair_valid(name + 7) ? NAX__CH_TICKER : 0;
    if (!strncmp(name, "trades:", 7))
        return pair_valid(name + 7) ? NAX__CH_TRADES : 0;
    if (!strncmp(name, "book:", 5))
        return pair_valid(name + 5) ? NAX__CH_BOOK : 0;
    return 0;
}

static int bad(const char *field, const char *fmt, unsigned long long v)
{
    return nax__error_field(NAX_EINVAL, field, fmt, v);
}

static int check_ranges(const nax_stream_options *o)
{
    if (o->mode != NAX_STREAM_MODE_THREAD && o->mode != NAX_STREAM_MODE_EXTERNAL)
        return bad("mode", "unknown stream mode %llu", (unsigned long long)o->mode);
    if (o->ping_interval_ms && (o->ping_interval_ms < 10 || o->ping_interval_ms > HOUR_MS))
        return bad("ping_interval_ms", "ping_interval_ms must be 10..3600000 (got %llu)",
                   o->ping_interval_ms);
    if (o->missed_pongs > 100)
        return bad("missed_pongs", "missed_pongs must be 1..100 (got %llu)", o->missed_pongs);
    if (o->reconnect_max_ms > 24u * HOUR_MS)
        return bad("reconnect_max_ms", "reconnect_max_ms must be at most a day (got %llu)",
                   o->reconnect_max_ms);
    uint32_t lo = o->reconnect_min_ms ? o->reconnect_min_ms : DEFAULT_RECONNECT_MIN_MS;
    uint32_t hi = o->reconnect_max_ms ? o->reconnect_max_ms : DEFAULT_RECONNECT_MAX_MS;
    if (lo > hi)
        return bad("reconnect_min_ms", "reconnect_min_ms must not exceed reconnect_max_ms (%llu)",
                   hi);
    if (o->connect_timeout_ms > 10u * 60u * 1000u)
        return bad("connect_timeout_ms", "connect_timeout_ms must be at most 600000 (got %llu)",
                   o->connect_timeout_ms);
    if (o->max_message_bytes && (o->max_message_bytes < 1024 || o->max_message_bytes > (1u << 30)))
        return bad("max_message_bytes", "max_message_bytes must be 1024..1 GiB (got %llu)",
                   (unsigned long long)o->max_message_bytes);
    if (o->max_buffered_updates > 1000000)
        return bad("max_buffered_updates",
                   "max_buffered_updates must be at most 1000000 (got %llu)",
                   (unsigned long long)o->max_buffered_updates);
    if (o->max_pending_ops > 1000000)
        return bad("max_pending_ops", "max_pending_ops must be at most 1000000 (got %llu)",
                   (unsigned long long)o->max_pending_ops);
    if (o->max_catchup_items > 10000000)
        return bad("max_catchup_items", "max_catchup_items must be at most 10000000 (got %llu)",
                   (unsigned long long)o->max_catchup_items);
    return 0;
}

static int url_bad(const char *why)
{
    return nax__error_field(NAX_EINVAL, "url", "url %s", why);
}

/* ws[s]://host[:port][/path]: host may be [IPv6]; no path means /v1/stream. */
static int parse_url(nax_stream *s, const char *url)
{
    const char *p;
    if (!strncmp(url, "ws://", 5)) {
        s->tls = 0;
        s->port = 80;
        p = url + 5;
    } else if (!strncmp(url, "wss://", 6)) {
        s->tls = 1;
        s->port = 443;
        p = url + 6;
    } else {
        return url_bad("must start with ws:// or wss://");
    }
    for (const char *q = url; *q; q++)
        if ((unsigned char)*q <= ' ' || (unsigned char)*q >= 0x7f)
            return url_bad("must not contain spaces or control characters");
    const char *end = p + strcspn(p, "/?#");
    if (*end == '?' || *end == '#')
        return url_bad("must put a path before a query");
    const char *host = p, *host_end, *port = NULL;
    if (*p == '[') {
        host = p + 1;
        host_end = memchr(host, ']', (size_t)(end - host));
        if (!host_end)
            return url_bad("has an unclosed [");
        if (host_end + 1 < end) {
            if (host_end[1] != ':')
                return url_bad("has something after ] that is not a port");
            port = host_end + 2;
        }
    } else {
        host_end = memchr(p, ':', (size_t)(end - p));
        if (host_end)
            port = host_end + 1;
        else
            host_end = end;
    }
    if (host_end == host)
        return url_bad("has no host");
    if (memchr(host, '@', (size_t)(host_end - host)))
        return url_bad("must not carry credentials");
    if (port) {
        long v = 0;
        if (port == end)
            return url_bad("has an empty port");
        for (const char *q = port; q < end; q++) {
            if (*q < '0' || *q > '9' || (v = v * 10 + (*q - '0')) > 65535)
                return url_bad("has a port that is not 1..65535");
        }
        if (v == 0)
            return url_bad("has a port that is not 1..65535");
        s->port = (int)v;
    }
    s->host = nax__strndup(host, (size_t)(host_end - host));
    s->host_header = nax__strndup(p, (size_t)(end - p));
    s->path = nax__strdup(*end ? end : "/v1/stream");
    if (!s->host || !s->host_header || !s->path)
        return nax__error_oom();
    return 0;
}

static int dup_str(char **dst, const char *src)
{
    *dst = NULL;
    if (!src || !*src)
        return 0;
    *dst = nax__strdup(src);
    return *dst ? 0 : nax__error_oom();
}

int nax__stream_options_copy(nax_stream *s, const nax_stream_options *o)
{
    if (!o)
        return nax__error_field(NAX_EINVAL, "opts", "options must not be NULL");
    if (o->version != NAX_STREAM_OPTIONS_VERSION)
        return nax__error_field(NAX_EVERSION, "version", "unknown stream options version %u",
                                o->version);
    int rc = check_ranges(o);
    if (rc)
        return rc;
    if (!(o->url && *o->url) && !o->client)
        return nax__error_field(NAX_EINVAL, "url", "give a url or a client");
    s->opts = *o;
    s->opts.url = NULL;
    s->opts.ca_path = NULL;
    s->opts.hooks = NULL;
    s->cb = o->callbacks;
    s->client = o->client;
    if (o->hooks)
        s->hooks = *o->hooks;
    nax_stream_options *d = &s->opts;
    if (!d->ping_interval_ms)
        d->ping_interval_ms = DEFAULT_PING_MS;
    if (!d->missed_pongs)
        d->missed_pongs = DEFAULT_MISSED_PONGS;
    if (!d->reconnect_min_ms)
        d->reconnect_min_ms = DEFAULT_RECONNECT_MIN_MS;
    if (!d->reconnect_max_ms)
        d->reconnect_max_ms = DEFAULT_RECONNECT_MAX_MS;
    if (!d->connect_timeout_ms)
        d->connect_timeout_ms = DEFAULT_CONNECT_MS;
    if (!d->max_message_bytes)
        d->max_message_bytes = DEFAULT_MAX_MESSAGE;
    if (!d->max_buffered_updates)
        d->max_buffered_updates = DEFAULT_MAX_BUFFERED;
    if (!d->max_pending_ops)
        d->max_pending_ops = DEFAULT_MAX_PENDING;
    if (!d->max_catchup_items)
        d->max_catchup_items = DEFAULT_MAX_CATCHUP;

    if (o->url && *o->url)
        rc = dup_str(&s->url, o->url);
    else if (!(s->url = nax__client_stream_url(o->client)))
        rc = NAX_ENOMEM;
    if (!rc)
        rc = parse_url(s, s->url);
    if (rc)
        return rc;
    if (o->client) {
        const char *ca = NULL;
        nax__client_stream_tls(o->client, &s->tls_insecure, &ca);
        return dup_str(&s->ca_path, ca);
    }
    s->tls_insecure = o->tls_insecure;
    return dup_str(&s->ca_path, o->ca_path);
}

void nax__stream_options_dispose(nax_stream *s)
{
    nax__free(s->url);
    nax__free(s->host);
    nax__free(s->host_header);
    nax__free(s->path);
    nax__free(s->ca_path);
    s->url = s->host = s->host_header = s->path = s->ca_path = NULL;
}

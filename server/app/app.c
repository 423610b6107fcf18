/* naxd application lifecycle: open, load from the store, serve, recover, close. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "app/app.h"
#include "app/internal.h"
#include "app/money.h"
#include "app/publish.h"
#include "auth/auth.h"
#include "core/core.h"
#include "stream/stream.h"

static naxd_http *signal_target;

static void on_signal(int sig)
{
    (void)sig;
    if (signal_target)
        naxd_http_stop(signal_target);
}

/* ---- freeing in-memory records ------------------------------------------------------ */

/* The Date header follows the same (fault-skewable) clock as /v1/time. */
static int64_t app_clock(void *app)
{
    return naxd_now_ms(app);
}

static void user_free(naxd_user *u)
{
    nax__free(u->email);
    if (u->password_hash)
        memset(u->password_hash, 0, strlen(u->password_hash));
    nax__free(u->password_hash);
    nax__free(u->full_name);
    nax__free(u->country);
    nax__free(u->phone);
    nax__free(u->kyc_reason);
    nax__free(u->totp_secret);
    nax__free(u);
}

static int free_user(const char *k, uint64_t uk, void *v, void *arg)
{
    (void)k, (void)uk, (void)arg;
    user_free(v);
    return 1;
}

static int free_key(const char *k, uint64_t uk, void *v, void *arg)
{
    (void)k, (void)uk, (void)arg;
    naxd_api_key_rec *r = v;
    nax__free(r->id);
    nax__free(r->label);
    if (r->secret)
        memset(r->secret, 0, strlen(r->secret));
    nax__free(r->secret);
    nax__free(r);
    return 1;
}

static int free_refresh(const char *k, uint64_t uk, void *v, void *arg)
{
    (void)k, (void)uk, (void)arg;
    naxd_refresh *r = v;
    nax__free(r->token_hash);
    nax__free(r->family);
    nax__free(r);
    return 1;
}

static int free_tx(const char *k, uint64_t uk, void *v, void *arg)
{
    (void)k, (void)uk, (void)arg;
    naxd_pending_tx_free(v);
    return 1;
}

static void reset_map(naxd_map *m, int u64, int (*fn)(const char *, uint64_t, void *, void *))
{
    if (fn)
        naxd_map_foreach(m, fn, NULL);
    naxd_map_dispose(m);
    if (u64)
        naxd_map_init_u64(m);
    else
        naxd_map_init(m);
}

void naxd_app_clear(naxd_app *a)
{
    reset_map(&a->users_by_email, 0, NULL);
    reset_map(&a->users_by_id, 1, free_user);
    reset_map(&a->api_keys, 0, free_key);
    reset_map(&a->refresh_tokens, 0, free_refresh);
    reset_map(&a->revoked_families, 0, NULL);
    /* seen_signatures is kept: a reload must not reopen the replay window. */
    reset_map(&a->pending_txs, 0, free_tx);
    reset_map(&a->deposit_addresses, 0, NULL);
    reset_map(&a->webhook_ids, 0, NULL);
    reset_map(&a->deposit_hashes, 0, NULL);
    reset_map(&a->pending_client_ids, 0, NULL);
    naxd_order_cids_clear(a);
    reset_map(&a->order_cids, 1, NULL);
    naxd__idem_clear(a);
    naxd__market_data_free(a);
    naxd_engine_free(a->engine);
    a->engine = NULL;
    a->next_user_id = a->next_order_id = a->next_tx_id = a->next_doc_id = 0;
}

int naxd_app_load(naxd_app *a)
{
    int rc = naxd_engine_new(&a->engine, NAXD_FEE_ACCOUNT);
    for (size_t i = 0; !rc && i < a->cfg->markets_count; i++)
        rc = naxd_engine_add_market(a->engine, &a->cfg->markets[i]);
    if (!rc)
        rc = naxd_load_users(a);
    if (!rc)
        rc = naxd_load_money(a);
    if (!rc)
        rc = naxd_load_orders(a);
    if (!rc)
        rc = naxd__market_data_load(a);
    /* The stream's books and tickers start over from what was loaded. */
    if (!rc)
        rc = naxd_publish_reset(a);
    return rc;
}

/* Writes are taken again once a small probe transaction commits. */
/* Writes are taken again once a probe commits (it writes a blob, so a full
 * disk fails it). Probes back off, 1 s doubling to 30 s, while they fail. */
#define PROBE_FIRST_MS 1000
#define PROBE_MAX_MS   30000

static void try_resume(naxd_app *a)
{
    int64_t now = naxd_now_ms(NULL);
    if (!a->store_failed || a->reload_needed || now < a->next_probe_ms)
        return;
    if (naxd_store_probe(a->store) != 0) {
        a->next_probe_ms = now + a->probe_wait_ms;
        a->probe_wait_ms =
            a->probe_wait_ms * 2 > PROBE_MAX_MS ? PROBE_MAX_MS : a->probe_wait_ms * 2;
        return;
    }
    naxd_store_resume(a->store);
    a->store_failed = 0;
    nax__log(NAX_LOG_WARN, "naxd: the store takes writes again");
}

void naxd__store_failed(naxd_app *a)
{
    a->reload_needed = 1;
    if (a->store_failed)
        return;
    a->store_failed = 1;
    a->probe_wait_ms = PROBE_FIRST_MS;
    a->next_probe_ms = 0;
}

void naxd__maybe_reload(naxd_app *a)
{
    if (!a->reload_needed || naxd_store_pending(a->store) != 0)
        return;
    naxd_app_clear(a);
    a->generation++;
    if (naxd_app_load(a) == 0) {
        a->reload_needed = 0;
        nax__log(NAX_LOG_WARN, "naxd: memory rebuilt from the store after a failed commit");
        try_resume(a);
    } else {
        nax__log(NAX_LOG_ERROR, "naxd: rebuilding memory failed: %s", nax_error_last()->message);
    }
}

/* ---- periodic work ------------------------------------------------------------------- */

static void tick(void *arg)
{
    naxd_app *a = arg;
    if (naxd_http_stopping(a->http))
        return;
    if (a->store_failed && naxd_store_pending(a->store) == 0) {
        naxd__maybe_reload(a);
        try_resume(a);
    }
    if (!a->store_failed)
        naxd_flush_api_key_use(a);
    static unsigned ticks;
    if (++ticks % 600 == 0)
        naxd_idem_prune(a, naxd_now_ms(a));
    naxd_http_after(a->http, 1000, tick, a);
}

/* Stream connections are not requests: a stopping server does not wait for
 * them. They are told to go (1001) as soon as the stop is seen, so their
 * close frames go out while requests in flight drain; what is still open
 * when the server returns is closed with it. */
#define STOP_POLL_MS 50
/* How long the close handshakes of stream connections may take at exit. */
#define STREAM_CLOSE_MS 1000

static int streams_closed(void *stream)
{
    return naxd_stream_connections(stream) == 0;
}

static void watch_stop(void *arg)
{
    naxd_app *a = arg;
    if (naxd_http_stopping(a->http)) {
        naxd_stream_close_all(a->stream);
        return;
    }
    naxd_http_after(a->http, STOP_POLL_MS, watch_stop, a);
}

static void observe_commit(void *arg, double seconds, size_t batches)
{
    naxd_app *a = arg;
    (void)batches;
    if (a->m_commit_latency)
        naxd_histogram_observe(a->m_commit_latency, seconds);
}

/* ---- open, run, close ------------------------------------------------------------------- */

int naxd_app_open(naxd_app **out, naxd_config *cfg, int fault_mode)
{
    *out = NULL;
    naxd_app *a = nax__calloc(1, sizeof(*a));
    if (!a)
        return nax__error_oom();
    a->cfg = cfg;
    a->fault_mode = fault_mode;
    naxd_map_init_u64(&a->users_by_id);
    naxd_map_init(&a->users_by_email);
    naxd_map_init(&a->api_keys);
    naxd_map_init(&a->refresh_tokens);
    naxd_map_init(&a->revoked_families);
    naxd_map_init(&a->seen_signatures);
    naxd_map_init(&a->pending_txs);
    naxd_map_init(&a->deposit_addresses);
    naxd_map_init(&a->webhook_ids);
    naxd_map_init(&a->deposit_hashes);
    naxd_map_init(&a->idem);
    naxd_map_init(&a->pending_client_ids);
    naxd_map_init_u64(&a->order_cids);

    int rc = 0;
    if (mkdir(cfg->data_dir, 0700) != 0 && errno != EEXIST)
        rc = nax__error(NAX_EIO, "cannot create data folder %s", cfg->data_dir);
    if (!rc)
        rc = naxd_config_resolve_keys(cfg);
    if (!rc) {
        a->jwt_mac = nax__hmac_key_new(cfg->jwt_key, cfg->jwt_key_len);
        a->idem_mac = nax__hmac_key_new("idem", 4);
        if (!a->jwt_mac || !a->idem_mac)
            rc = nax_error_last()->code;
    }
    if (!rc)
        rc = naxd_limiter_new(&a->limit_ip, cfg->rate_default.rate, cfg->rate_default.burst);
    if (!rc)
        rc = naxd_limiter_new(&a->limit_user, cfg->rate_default.rate, cfg->rate_default.burst);
    if (!rc)
        rc = naxd_limiter_new(&a->limit_key, cfg->rate_default.rate, cfg->rate_default.burst);
    if (!rc)
        rc = naxd_limiter_new(&a->limit_auth, cfg->rate_auth.rate, cfg->rate_auth.burst);
    if (!rc)
        rc = naxd_limiter_new(&a->limit_login_fail, cfg->rate_login_failures.rate,
                              cfg->rate_login_failures.burst);
    if (!rc)
        rc = naxd_limiter_new(&a->limit_totp, cfg->rate_totp_failures.rate,
                              cfg->rate_totp_failures.burst);
    a->started_ms = naxd_now_ms(NULL);
    if (!rc)
        rc = naxd__stream_open(a);
    if (!rc) {
        size_t nroutes;
        a->routes = naxd_app_routes(&nroutes, cfg);
        naxd_http_options ho = {0};
        ho.listen_host = cfg->listen_host;
        ho.port = cfg->port;
        ho.tls_cert = cfg->tls_cert;
        ho.tls_key = cfg->tls_key;
        ho.routes = a->routes;
        ho.routes_count = nroutes;
        ho.dispatch = naxd_app_dispatch;
        ho.admit = naxd_app_admit;
        ho.now_ms = app_clock;
        ho.app = a;
        ho.max_body = cfg->max_body;
        ho.max_body_total = cfg->max_body_total;
        ho.max_header_bytes = cfg->max_header_bytes;
        ho.max_conns = cfg->max_conns;
        ho.idle_timeout_s = cfg->idle_timeout_s;
        ho.access_log = cfg->access_log;
        ho.ws_protocol = naxd_stream_protocol(a->stream);
        rc = a->routes ? naxd_http_new(&a->http, &ho) : nax__error_oom();
    }
    if (!rc) {
        naxd_metrics *reg = naxd_http_registry(a->http);
        naxd_stream_set_metrics(a->stream, reg);
        a->m_orders = naxd_metrics_counter(reg, "naxd_orders_total", "Orders accepted.");
        a->m_fills = naxd_metrics_counter(reg, "naxd_fills_total", "Trades executed.");
        a->m_commit_failures =
            naxd_metrics_counter(reg, "naxd_commit_failures_total", "Store commits that failed.");
        a->m_commit_latency = naxd_metrics_histogram(reg, "naxd_store_commit_seconds",
                                                     "Duration of one group commit (one fsync).");
        naxd_store_options so = {0};
        so.dir = cfg->data_dir;
        so.post = naxd_http_post;
        so.post_ctx = a->http;
        so.observer = observe_commit;
        so.observer_arg = a;
        rc = naxd_store_open(&a->store, &so);
    }
    if (!rc)
        rc = naxd_app_load(a);
    if (!rc)
        rc = naxd_publish_recent_trades(a);
    if (rc) {
        naxd_app_close(a);
        return rc;
    }
    *out = a;
    return 0;
}

int naxd_app_run(naxd_app *a)
{
    printf("{\"event\":\"listening\",\"host\":\"%s\",\"port\":%d,\"tls\":%s,\"version\":\"%s\","
           "\"started_ms\":%lld}\n",
           a->cfg->listen_host, naxd_http_port(a->http), a->cfg->tls_cert ? "true" : "false",
           nax_version_string(), (long long)a->started_ms);
    fflush(stdout);
    signal_target = a->http;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    naxd_http_after(a->http, 1000, tick, a);
    naxd_http_after(a->http, STOP_POLL_MS, watch_stop, a);
    int rc = naxd_http_run(a->http);
    naxd_stream_close_all(a->stream);
    naxd_http_flush(a->http, STREAM_CLOSE_MS, streams_closed, a->stream);
    /* Write what is left (API-key use) and wait until every batch reported. */
    if (!a->store_failed)
        naxd_flush_api_key_use(a);
    while (naxd_store_pending(a->store) > 0)
        naxd_http_service_posts(a->http, 10);
    signal_target = NULL;
    return rc;
}

void naxd_app_close(naxd_app *a)
{
    if (!a)
        return;
    naxd_store_close(a->store);
    a->store = NULL;
    naxd_http_free(a->http);
    a->http = NULL;
    /* After the server: its connections' callbacks reach the stream until then. */
    naxd_stream_free(a->stream);
    a->stream = NULL;
    nax__free(a->routes);
    naxd_app_clear(a);
    naxd_map_dispose(&a->users_by_id);
    naxd_map_dispose(&a->users_by_email);
    naxd_map_dispose(&a->api_keys);
    naxd_map_dispose(&a->refresh_tokens);
    naxd_map_dispose(&a->revoked_families);
    naxd_map_dispose(&a->seen_signatures);
    naxd_map_dispose(&a->pending_txs);
    naxd_map_dispose(&a->deposit_addresses);
    naxd_map_dispose(&a->webhook_ids);
    naxd_map_dispose(&a->deposit_hashes);
    naxd_map_dispose(&a->idem);
    naxd_map_dispose(&a->pending_client_ids);
    naxd_map_dispose(&a->order_cids);
    naxd__fault_clear(a);
    naxd_limiter_free(a->limit_ip);
    naxd_limiter_free(a->limit_user);
    naxd_limiter_free(a->limit_key);
    naxd_limiter_free(a->limit_auth);
    naxd_limiter_free(a->limit_login_fail);
    naxd_limiter_free(a->limit_totp);
    nax__hmac_key_free(a->jwt_mac);
    nax__hmac_key_free(a->idem_mac);
    nax__free(a);
}

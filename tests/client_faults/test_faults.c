/*
 * The client's resilience against a real naxd in fault mode: retries and
 * their budget, Retry-After, circuit breakers, exactly-once orders after an
 * ambiguous outcome, token refresh (on 401, ahead of expiry, single-flight),
 * clock-skew correction for signatures, and the client-side rate limiter.
 * Time is injected (fake.h) wherever the server's own clock is not involved,
 * so backoff and open times cost nothing.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../client/harness.h"
#include "fake.h"

static naxh_server srv;
static naxh_user trader; /* funded, KYC verified, with an API key */

static void fault(const char *json)
{
    ck_assert_int_eq(naxh_fault(&srv, json), 0);
}

/* A client for `srv` with fake time, the recorder, and `tweak` applied. */
static nax_client *make_client(fake_clock *f, recorder *rec, void (*tweak)(nax_client_options *),
                               const naxh_user *as_key)
{
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    if (f)
        o.hooks = &f->hooks;
    if (rec) {
        o.metrics_fn = rec_metrics;
        o.metrics_userdata = rec;
        o.breaker_fn = rec_breaker;
        o.breaker_userdata = rec;
    }
    if (as_key) {
        o.api_key = as_key->api_key;
        o.api_secret = as_key->api_secret;
    }
    if (tweak)
        tweak(&o);
    nax_client *c = NULL;
    ck_assert_msg(naxh_client(&srv, &o, &c) == 0, "client: %s", nax_error_last()->message);
    return c;
}

static nax_order_request limit_buy(const char *cid, nax_decimal *price)
{
    *price = naxh_dec("100.00");
    nax_order_request r = {sizeof r};
    r.pair = "BTC-AUD";
    r.side = NAX_SIDE_BUY;
    r.type = NAX_ORDER_TYPE_LIMIT;
    r.price = price;
    r.quantity = naxh_dec("0.20");
    r.client_order_id = cid;
    return r;
}

/* Orders of the trader with this client order id, counted on the server. */
static size_t orders_with_cid(const char *cid)
{
    nax_client *c = make_client(NULL, NULL, NULL, &trader);
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.client_order_id = cid;
    nax_order_list *l = NULL;
    ck_assert_msg(nax_orders_list(c, &q, &l) == 0, "%s", nax_error_last()->message);
    size_t n = l->orders_count;
    nax_object_free(l);
    nax_client_free(c);
    return n;
}

/* ---- retries ----------------------------------------------------------------- */

static void small_budget(nax_client_options *o)
{
    o->retry.max_attempts = 10;
    o->retry.budget = 10;
    o->retry.retry_cost = 5;
    o->breaker.disabled = 1;
}

START_TEST(retry_budget_runs_out)
{
    fake_clock f;
    recorder rec;
    fake_init(&f, naxh_now_ms());
    rec_init(&rec);
    nax_client *c = make_client(&f, &rec, small_budget, NULL);
    /* 502s carry no Retry-After: the waits are the client's own backoff */
    fault("{\"route\":\"GET /v1/markets/{pair}/ticker\",\"action\":\"error_before_commit\","
          "\"status\":502,\"count\":50}");
    nax_ticker *t = (void *)1;
    int rc = nax_markets_ticker(c, "BTC-AUD", &t);
    ck_assert_int_eq(rc, NAX_ERETRY_BUDGET);
    ck_assert_ptr_null(t);
    const nax_error *e = nax_error_last();
    ck_assert_int_eq(e->http_status, 502);
    ck_assert(e->transient);
    ck_assert_str_ne(e->request_id, "");
    /* a budget of 10 at 5 per retry: the first try and two retries */
    unsigned int attempts = 0;
    ck_assert_uint_eq(rec_calls(&rec, "/v1/markets/{pair}/ticker", &attempts), 1);
    ck_assert_uint_eq(attempts, 3);
    ck_assert_uint_eq(atomic_load(&f.sleeps), 2);
    /* backoff is full jitter under the cap: base 100 ms, then 200 ms */
    ck_assert_uint_le(atomic_load(&f.slept_ms), 300);
    /* the budget is empty now: the next failure is not retried at all */
    rc = nax_markets_ticker(c, "BTC-AUD", &t);
    ck_assert_int_eq(rc, NAX_ERETRY_BUDGET);
    ck_assert_uint_eq(rec.last.attempts, 1);
    ck_assert_int_eq(naxh_faults_clear(&srv), 0);
    /* successes refund it (1 token each): after 5, one retry is possible again */
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(nax_markets_ticker(c, "BTC-AUD", &t), 0);
        nax_object_free(t);
    }
    fault("{\"route\":\"GET /v1/markets/{pair}/ticker\",\"action\":\"error_before_commit\","
          "\"status\":502,\"count\":1}");
    ck_assert_int_eq(nax_markets_ticker(c, "BTC-AUD", &t), 0);
    nax_object_free(t);
    ck_assert_uint_eq(rec.last.attempts, 2);
    nax_client_free(c);
}
END_TEST

START_TEST(four_hundreds_are_not_retried)
{
    fake_clock f;
    recorder rec;
    fake_init(&f, naxh_now_ms());
    rec_init(&rec);
    nax_client *c = make_client(&f, &rec, NULL, NULL);
    fault("{\"route\":\"GET /v1/markets/{pair}/ticker\",\"action\":\"error_before_commit\","
          "\"status\":400,\"count\":3}");
    nax_ticker *t;
    ck_assert_int_eq(nax_markets_ticker(c, "BTC-AUD", &t), NAX_EBADREQUEST);
    ck_assert_int_eq(nax_error_last()->http_status, 400);
    ck_assert(!nax_error_last()->transient);
    ck_assert_uint_eq(rec.last.attempts, 1);
    ck_assert_uint_eq(atomic_load(&f.sleeps), 0);
    ck_assert_int_eq(naxh_faults_clear(&srv), 0);
    nax_client_free(c);
}
END_TEST

START_TEST(retry_after_is_honoured)
{
    fake_clock f;
    recorder rec;
    fake_init(&f, naxh_now_ms());
    rec_init(&rec);
    nax_client *c = make_client(&f, &rec, NULL, NULL);
    fault("{\"route\":\"GET /v1/markets/{pair}/ticker\",\"action\":\"rate_limit\","
          "\"retry_after_s\":3,\"count\":1}");
    nax_ticker *t;
    ck_assert_msg(nax_markets_ticker(c, "BTC-AUD", &t) == 0, "%s", nax_error_last()->message);
    nax_object_free(t);
    ck_assert_uint_eq(rec.last.attempts, 2);
    /* the wait was the server's 3 s, not a backoff of ~100 ms */
    ck_assert_uint_ge(atomic_load(&f.slept_ms), 3000);
    ck_assert_uint_le(atomic_load(&f.slept_ms), 3100);
    ck_assert_int_eq(naxh_faults_clear(&srv), 0);
    nax_client_free(c);
}
END_TEST

static void short_retry_after_cap(nax_client_options *o)
{
    o->retry.retry_after_max_ms = 1000;
}

START_TEST(retry_after_beyond_the_cap_fails_at_once)
{
    fake_clock f;
    recorder rec;
    fake_init(&f, naxh_now_ms());
    rec_init(&rec);
    nax_client *c = make_client(&f, &rec, short_retry_after_cap, NULL);
    fault("{\"route\":\"GET /v1/markets/{pair}/ticker\",\"action\":\"rate_limit\","
          "\"retry_after_s\":30,\"count\":1}");
    nax_ticker *t;
    ck_assert_int_eq(nax_markets_ticker(c, "BTC-AUD", &t), NAX_ERATELIMIT);
    const nax_error *e = nax_error_last();
    ck_assert_int_eq(e->http_status, 429);
    ck_assert_int_eq(e->retry_after_ms, 30000);
    ck_assert(e->transient);
    ck_assert_uint_eq(rec.last.attempts, 1);
    ck_assert_uint_eq(atomic_load(&f.sleeps), 0);
    /* the limiter learnt the server's wait: a fail-fast call now does no I/O */
    ck_assert_int_eq(naxh_faults_clear(&srv), 0);
    nax_client_free(c);
}
END_TEST

/* ---- circuit breaker ------------------------------------------------------------- */

START_TEST(retry_after_reaches_a_call_that_is_not_retried)
{
    fake_clock f;
    recorder rec;
    fake_init(&f, naxh_now_ms());
    rec_init(&rec);
    nax_client *c = make_client(&f, &rec, NULL, &trader);
    /* DELETE is not retried, so the caller must learn the server's wait */
    fault("{\"route\":\"DELETE /v1/orders\",\"action\":\"rate_limit\","
          "\"retry_after_s\":4,\"count\":1}");
    nax_cancel_result *res = NULL;
    ck_assert_int_eq(nax_orders_cancel_all(c, "BTC-AUD", &res), NAX_ERATELIMIT);
    ck_assert_ptr_null(res);
    const nax_error *e = nax_error_last();
    ck_assert_int_eq(e->http_status, 429);
    ck_assert_int_eq(e->retry_after_ms, 4000);
    ck_assert(e->transient);
    ck_assert_uint_eq(rec.last.attempts, 1);
    ck_assert_uint_eq(atomic_load(&f.sleeps), 0);
    ck_assert_int_eq(naxh_faults_clear(&srv), 0);
    nax_client_free(c);
}
END_TEST

static void quick_breaker(nax_client_options *o)
{
    o->retry.max_attempts = 1;
    o->breaker.window_size = 10;
    o->breaker.min_calls = 4;
    o->breaker.failure_rate_pct = 50;
    o->breaker.open_ms = 1000;
    o->breaker.half_open_probes = 2;
}

static nax_breaker_state breaker_state(nax_client *c, nax_endpoint_group g)
{
    nax_breaker_status st = {sizeof st};
    ck_assert_int_eq(nax_client_breaker_status(c, g, &st), 0);
    return st.state;
}

START_TEST(breaker_opens_probes_and_closes)
{
    fake_clock f;
    recorder rec;
    fake_init(&f, naxh_now_ms());
    rec_init(&rec);
    nax_client *c = make_client(&f, &rec, quick_breaker, NULL);
    fault("{\"route\":\"GET /v1/markets/{pair}/ticker\",\"action\":\"error_before_commit\","
          "\"status\":503,\"count\":4}");
    nax_ticker *t;
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(nax_markets_ticker(c, "BTC-AUD", &t), NAX_EUNAVAILABLE);
    ck_assert_int_eq(breaker_state(c, NAX_GROUP_MARKET_DATA), NAX_BREAKER_OPEN);
    ck_assert_int_eq(rec.transitions, 1);
    ck_assert_int_eq(rec.group[0], NAX_GROUP_MARKET_DATA);
    ck_assert_int_eq(rec.from[0], NAX_BREAKER_CLOSED);
    ck_assert_int_eq(rec.to[0], NAX_BREAKER_OPEN);
    /* other groups are untouched */
    ck_assert_int_eq(breaker_state(c, NAX_GROUP_TRADING), NAX_BREAKER_CLOSED);

    /* open: fails at once, and nothing reaches the server */
    int64_t seen =
        naxh_metric_sum(&srv, "naxd_http_requests_total{route=\"GET /v1/markets/{pair}/ticker\"");
    ck_assert_int_eq(nax_markets_ticker(c, "BTC-AUD", &t), NAX_ECIRCUIT_OPEN);
    ck_assert(nax_error_last()->transient);
    ck_assert_int_eq(nax_error_last()->http_status, 0);
    ck_assert_uint_eq(rec.last.attempts, 0);
    ck_assert_int_eq(
        naxh_metric_sum(&srv, "naxd_http_requests_total{route=\"GET /v1/markets/{pair}/ticker\""),
        seen);
    nax_breaker_status st = {sizeof st};
    ck_assert_int_eq(nax_client_breaker_status(c, NAX_GROUP_MARKET_DATA, &st), 0);
    ck_assert_uint_gt(st.open_for_ms, 0);
    ck_assert_uint_eq(st.opened_total, 1);

    /* after the open time: two probes pass and the breaker closes */
    fake_advance(&f, 1001);
    ck_assert_int_eq(nax_markets_ticker(c, "BTC-AUD", &t), 0);
    nax_object_free(t);
    ck_assert_int_eq(breaker_state(c, NAX_GROUP_MARKET_DATA), NAX_BREAKER_HALF_OPEN);
    ck_assert_int_eq(nax_markets_ticker(c, "BTC-AUD", &t), 0);
    nax_object_free(t);
    ck_assert_int_eq(breaker_state(c, NAX_GROUP_MARKET_DATA), NAX_BREAKER_CLOSED);
    ck_assert_int_eq(rec.transitions, 3);
    ck_assert_int_eq(rec.from[1], NAX_BREAKER_OPEN);
    ck_assert_int_eq(rec.to[1], NAX_BREAKER_HALF_OPEN);
    ck_assert_int_eq(rec.from[2], NAX_BREAKER_HALF_OPEN);
    ck_assert_int_eq(rec.to[2], NAX_BREAKER_CLOSED);
    nax_client_free(c);
}
END_TEST

START_TEST(failed_probe_opens_again_for_retry_after)
{
    fake_clock f;
    recorder rec;
    fake_init(&f, naxh_now_ms());
    rec_init(&rec);
    nax_client *c = make_client(&f, &rec, quick_breaker, NULL);
    fault("{\"route\":\"GET /v1/markets/{pair}/orderbook\",\"action\":\"error_before_commit\","
          "\"status\":502,\"count\":4}");
    nax_order_book *b;
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(nax_markets_orderbook(c, "BTC-AUD", 5, &b), NAX_ESERVER);
    ck_assert_int_eq(breaker_state(c, NAX_GROUP_MARKET_DATA), NAX_BREAKER_OPEN);
    fake_advance(&f, 1001);
    /* the probe meets a 503 with Retry-After: 10 -> open again, for 10 s */
    fault("{\"route\":\"GET /v1/markets/{pair}/orderbook\",\"action\":\"error_before_commit\","
          "\"status\":503,\"retry_after_s\":10,\"count\":1}");
    ck_assert_int_eq(nax_markets_orderbook(c, "BTC-AUD", 5, &b), NAX_EUNAVAILABLE);
    ck_assert_int_eq(breaker_state(c, NAX_GROUP_MARKET_DATA), NAX_BREAKER_OPEN);
    nax_breaker_status st = {sizeof st};
    ck_assert_int_eq(nax_client_breaker_status(c, NAX_GROUP_MARKET_DATA, &st), 0);
    ck_assert_uint_gt(st.open_for_ms, 9000);
    ck_assert_uint_eq(st.opened_total, 2);
    fake_advance(&f, 2000);
    ck_assert_int_eq(nax_markets_orderbook(c, "BTC-AUD", 5, &b), NAX_ECIRCUIT_OPEN);
    fake_advance(&f, 8001);
    ck_assert_int_eq(nax_markets_orderbook(c, "BTC-AUD", 5, &b), 0);
    nax_object_free(b);
    ck_assert_int_eq(naxh_faults_clear(&srv), 0);
    nax_client_free(c);
}
END_TEST

/* ---- exactly-once orders ----------------------------------------------------------- */

static void exactly_once_after(const char *action, const char *cid)
{
    fake_clock f;
    recorder rec;
    fake_init(&f, naxh_now_ms());
    rec_init(&rec);
    nax_client *c = make_client(&f, &rec, NULL, &trader);
    char rule[256];
    snprintf(rule, sizeof rule, "{\"route\":\"POST /v1/orders\",\"action\":\"%s\",\"count\":1}",
             action);
    fault(rule);
    nax_decimal price;
    nax_order_request req = limit_buy(cid, &price);
    nax_order *o = NULL;
    int rc = nax_orders_place(c, &req, &o);
    ck_assert_msg(rc == 0, "%s: %s", action, nax_error_last()->message);
    ck_assert_str_eq(o->client_order_id, cid);
    ck_assert_int_eq(o->status, NAX_ORDER_STATUS_OPEN);
    /* the order was looked up, not placed twice */
    ck_assert_uint_eq(rec_calls(&rec, "/v1/orders", NULL), 2); /* place + lookup */
    ck_assert_uint_eq(orders_with_cid(cid), 1);
    nax_object_free(o);
    ck_assert_int_eq(naxh_faults_clear(&srv), 0);
    nax_client_free(c);
}

START_TEST(exactly_once_when_the_connection_drops_after_commit)
{
    exactly_once_after("drop_after_commit", "eo-drop-1");
}
END_TEST

START_TEST(exactly_once_when_a_5xx_follows_the_commit)
{
    exactly_once_after("error_after_commit", "eo-500-1");
}
END_TEST

static void short_timeout(nax_client_options *o)
{
    o->request_timeout_ms = 400;
    o->retry.base_delay_ms = 50;
}

/* A real timeout: the server is slow, the client gives up on the attempt
 * after sending it, and the server places the order later. */
START_TEST(exactly_once_after_an_ambiguous_timeout)
{
    recorder rec;
    rec_init(&rec);
    nax_client *c = make_client(NULL, &rec, short_timeout, &trader);
    fault("{\"route\":\"POST /v1/orders\",\"action\":\"delay\",\"delay_ms\":1500,\"count\":1}");
    nax_decimal price;
    nax_order_request req = limit_buy(NULL, &price);
    nax_order *o = NULL;
    int rc = nax_orders_place(c, &req, &o);
    ck_assert_msg(rc == 0, "%s", nax_error_last()->message);
    ck_assert_ptr_nonnull(o->client_order_id); /* made by the client before the first try */
    char cid[64];
    snprintf(cid, sizeof cid, "%s", o->client_order_id);
    nax_object_free(o);
    /* let the delayed first attempt reach the engine, then count */
    usleep(2500 * 1000);
    ck_assert_uint_eq(orders_with_cid(cid), 1);
    ck_assert_int_eq(naxh_faults_clear(&srv), 0);
    nax_client_free(c);
}
END_TEST

/* ---- sessions ----------------------------------------------------------------------- */

START_TEST(expired_token_is_refreshed_once_on_401)
{
    /* A clock frozen for the client: it never refreshes ahead of time, so
     * the server's 401 "token_expired" is what triggers the refresh. The
     * server's clock then jumps past the token's 900 s (and 30 s leeway). */
    fake_clock f;
    recorder rec;
    fake_init(&f, naxh_now_ms());
    rec_init(&rec);
    naxh_user u;
    ck_assert_int_eq(naxh_user_new(&srv, &u), 0);
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    o.hooks = &f.hooks;
    o.metrics_fn = rec_metrics;
    o.metrics_userdata = &rec;
    o.email = u.email;
    o.password = u.password;
    nax_client *c;
    ck_assert_int_eq(naxh_client(&srv, &o, &c), 0);
    nax_profile *p;
    ck_assert_int_eq(nax_users_profile(c, &p), 0); /* logs in */
    nax_object_free(p);
    fault("{\"clock_skew_ms\":940000}");
    ck_assert_msg(nax_users_profile(c, &p) == 0, "%s", nax_error_last()->message);
    ck_assert_str_eq(p->email, u.email);
    nax_object_free(p);
    ck_assert_uint_eq(rec_calls(&rec, "/v1/auth/login", NULL), 1);
    ck_assert_uint_eq(rec_calls(&rec, "/v1/auth/refresh", NULL), 1);
    unsigned int attempts;
    ck_assert_uint_eq(rec_calls(&rec, "/v1/users/profile", &attempts), 2);
    ck_assert_uint_eq(attempts, 3); /* ok, 401, ok after the refresh */
    nax_client_free(c);
    naxh_user_free(&u);
}
END_TEST

typedef struct flight {
    nax_client *c;
    pthread_barrier_t *go;
    int rc;
} flight;

static void *profile_thread(void *arg)
{
    flight *fl = arg;
    pthread_barrier_wait(fl->go);
    nax_profile *p = NULL;
    fl->rc = nax_users_profile(fl->c, &p);
    nax_object_free(p);
    return NULL;
}

START_TEST(refresh_ahead_of_expiry_is_single_flight)
{
    fake_clock f;
    recorder rec;
    fake_init(&f, naxh_now_ms());
    rec_init(&rec);
    naxh_user u;
    ck_assert_int_eq(naxh_user_new(&srv, &u), 0);
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    o.hooks = &f.hooks;
    o.metrics_fn = rec_metrics;
    o.metrics_userdata = &rec;
    o.email = u.email;
    o.password = u.password;
    nax_client *c;
    ck_assert_int_eq(naxh_client(&srv, &o, &c), 0);
    nax_profile *p;
    ck_assert_int_eq(nax_users_profile(c, &p), 0);
    nax_object_free(p);
    /* 900 s tokens are refreshed 30 s before they expire: move past that */
    fake_advance(&f, 871 * 1000);
    atomic_store(&f.wall, naxh_now_ms());
    enum { N = 8 };
    pthread_t th[N];
    flight fl[N];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, N);
    for (int i = 0; i < N; i++) {
        fl[i] = (flight){c, &go, -1};
        ck_assert_int_eq(pthread_create(&th[i], NULL, profile_thread, &fl[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(fl[i].rc, 0);
    }
    pthread_barrier_destroy(&go);
    ck_assert_uint_eq(rec_calls(&rec, "/v1/auth/refresh", NULL), 1);
    ck_assert_uint_eq(rec_calls(&rec, "/v1/auth/login", NULL), 1);
    /* an explicit refresh hands the new pair back and the old refresh token is spent */
    nax_token *t = NULL;
    ck_assert_int_eq(nax_auth_refresh(c, &t), 0);
    ck_assert_str_eq(t->token_type, "Bearer");
    ck_assert_int_gt(t->expires_in, 0);
    nax_object_free(t);
    ck_assert_uint_eq(rec_calls(&rec, "/v1/auth/refresh", NULL), 2);
    nax_client_free(c);
    naxh_user_free(&u);
}
END_TEST

/* ---- signing and the server's clock ------------------------------------------------------ */

START_TEST(signatures_follow_a_skewed_server_clock)
{
    recorder rec;
    rec_init(&rec);
    char skew[64];
    snprintf(skew, sizeof skew, "{\"clock_skew_ms\":%d}", 20000);
    fault(skew);
    nax_client *c = make_client(NULL, &rec, NULL, &trader);
    nax_balance_list *b;
    /* the first signed call measures the offset first */
    ck_assert_msg(nax_wallets_balances(c, &b) == 0, "%s", nax_error_last()->message);
    nax_object_free(b);
    ck_assert_uint_eq(rec_calls(&rec, "/v1/time", NULL), 1);
    int64_t off = nax_client_clock_offset(c);
    ck_assert_int_gt(off, 19000);
    ck_assert_int_lt(off, 21000);
    /* the server's clock jumps: one refusal, a new measurement, success */
    snprintf(skew, sizeof skew, "{\"clock_skew_ms\":%d}", -15000);
    fault(skew);
    unsigned int attempts = 0;
    ck_assert_msg(nax_wallets_balances(c, &b) == 0, "%s", nax_error_last()->message);
    nax_object_free(b);
    rec_calls(&rec, "/v1/wallets/balances", &attempts);
    ck_assert_uint_eq(attempts, 3); /* 1 + (refused, then signed again) */
    ck_assert_uint_eq(rec_calls(&rec, "/v1/time", NULL), 2);
    off = nax_client_clock_offset(c);
    ck_assert_int_gt(off, -16000);
    ck_assert_int_lt(off, -14000);
    ck_assert_int_eq(naxh_faults_clear(&srv), 0);
    nax_client_free(c);
}
END_TEST

START_TEST(receive_window_is_sent_and_checked)
{
    /* a window of 1 ms cannot survive a 20 ms-late clock; 60 s can */
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    o.recv_window_ms = 60001;
    nax_client *c = NULL;
    o.base_url = srv.url;
    ck_assert_int_eq(nax_client_new(&c, &o), NAX_EINVAL);
    ck_assert_str_eq(nax_error_last()->field, "recv_window_ms");
}
END_TEST

/* ---- client-side rate limiter --------------------------------------------------------- */

static void fail_fast(nax_client_options *o)
{
    o->limiter.mode = NAX_LIMITER_FAIL_FAST;
}

START_TEST(limiter_follows_the_server_and_fails_fast)
{
    naxh_server s2;
    ck_assert_int_eq(naxh_start(&s2, "{\"rate_limits\":{\"default\":{\"rate\":1,\"burst\":3}}}"),
                     0);
    recorder rec;
    rec_init(&rec);
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    fail_fast(&o);
    o.metrics_fn = rec_metrics;
    o.metrics_userdata = &rec;
    nax_client *c;
    ck_assert_int_eq(naxh_client(&s2, &o, &c), 0);
    nax_ticker *t;
    int local = 0, served = 0, throttled = 0;
    for (int i = 0; i < 6; i++) {
        int rc = nax_markets_ticker(c, "BTC-AUD", &t);
        if (rc == 0) {
            served++;
            nax_object_free(t);
        } else {
            ck_assert_int_eq(rc, NAX_ERATELIMIT);
            if (nax_error_last()->http_status == 0)
                local++;
            else
                throttled++;
        }
    }
    /* The server allows 3; the client saw RateLimit-Remaining reach 0 and
     * refused the rest itself, without a request. */
    ck_assert_int_eq(served, 3);
    ck_assert_int_eq(throttled, 0);
    ck_assert_int_eq(local, 3);
    ck_assert_uint_eq(rec.last.attempts, 0);
    ck_assert_int_gt(nax_error_last()->retry_after_ms, 0);
    nax_client_free(c);
    naxh_stop(&s2);
}
END_TEST

START_TEST(limiter_waits_instead_of_hitting_429)
{
    naxh_server s2;
    ck_assert_int_eq(naxh_start(&s2, "{\"rate_limits\":{\"default\":{\"rate\":10,\"burst\":2}}}"),
                     0);
    recorder rec;
    rec_init(&rec);
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    o.metrics_fn = rec_metrics;
    o.metrics_userdata = &rec;
    o.retry.max_attempts = 1; /* a 429 would show as a failure */
    nax_client *c;
    ck_assert_int_eq(naxh_client(&s2, &o, &c), 0);
    nax_ticker *t;
    for (int i = 0; i < 8; i++) {
        ck_assert_msg(nax_markets_ticker(c, "BTC-AUD", &t) == 0, "call %d: %s", i,
                      nax_error_last()->message);
        nax_object_free(t);
    }
    unsigned int attempts;
    ck_assert_uint_eq(rec_calls(&rec, "/v1/markets/{pair}/ticker", &attempts), 8);
    ck_assert_uint_eq(attempts, 8);
    nax_client_free(c);
    naxh_stop(&s2);
}
END_TEST

/* ---- review regressions ------------------------------------------------------------- */

typedef struct reenter {
    nax_client *c;
    int calls, rc;
} reenter;

static void reenter_metrics(const nax_call_info *info, void *ud)
{
    (void)info;
    reenter *re = ud;
    nax_ticker *t = NULL;
    re->calls++;
    re->rc = nax_markets_ticker(re->c, "BTC-AUD", &t);
    nax_object_free(t);
}

START_TEST(callbacks_cannot_reenter_their_client)
{
    reenter re = {NULL, 0, 0};
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    o.metrics_fn = reenter_metrics;
    o.metrics_userdata = &re;
    ck_assert_int_eq(naxh_client(&srv, &o, &re.c), 0);
    nax_ticker *t = NULL;
    ck_assert_int_eq(nax_markets_ticker(re.c, "BTC-AUD", &t), 0);
    nax_object_free(t);
    ck_assert_int_eq(re.calls, 1);
    ck_assert_int_eq(re.rc, NAX_ERECURSIVE);
    nax_client_free(re.c);
}
END_TEST

static void one_attempt(nax_client_options *o)
{
    o->retry.max_attempts = 1;
}

START_TEST(giving_up_after_an_unknown_outcome_looks_once_more)
{
    fake_clock f;
    recorder rec;
    fake_init(&f, naxh_now_ms());
    rec_init(&rec);
    nax_client *c = make_client(&f, &rec, one_attempt, &trader);
    fault("{\"route\":\"POST /v1/orders\",\"action\":\"drop_after_commit\",\"count\":1}");
    nax_decimal price;
    nax_order_request req = limit_buy("eo-last-look", &price);
    nax_order *o = NULL;
    ck_assert_msg(nax_orders_place(c, &req, &o) == 0, "%s", nax_error_last()->message);
    ck_assert_str_eq(o->client_order_id, "eo-last-look");
    nax_object_free(o);
    ck_assert_uint_eq(orders_with_cid("eo-last-look"), 1);
    nax_client_free(c);
}
END_TEST

static void touchy_breaker(nax_client_options *o)
{
    o->breaker.window_size = 2;
    o->breaker.min_calls = 1;
    o->breaker.failure_rate_pct = 50;
}

START_TEST(an_unknown_outcome_is_never_reported_as_nothing_sent)
{
    /* The dropped POST opens the trading breaker, which then refuses the
     * lookup: the caller must hear "outcome unknown", not "circuit open". */
    fake_clock f;
    fake_init(&f, naxh_now_ms());
    nax_client *c = make_client(&f, NULL, touchy_breaker, &trader);
    fault("{\"route\":\"POST /v1/orders\",\"action\":\"drop_after_commit\",\"count\":1}");
    nax_decimal price;
    nax_order_request req = limit_buy("eo-unknown", &price);
    nax_order *o = (void *)1;
    int rc = nax_orders_place(c, &req, &o);
    ck_assert_int_eq(rc, NAX_EOUTCOME_UNKNOWN);
    ck_assert_ptr_null(o);
    const nax_error *e = nax_error_last();
    ck_assert_str_eq(e->field, "client_order_id");
    ck_assert(e->transient);
    ck_assert_uint_eq(orders_with_cid("eo-unknown"), 1);
    nax_client_free(c);
}
END_TEST

static void capped_retry_after(nax_client_options *o)
{
    o->retry.retry_after_max_ms = 1000;
    o->limiter.mode = NAX_LIMITER_FAIL_FAST;
}

START_TEST(a_day_long_retry_after_does_not_wedge_the_group)
{
    fake_clock f;
    fake_init(&f, naxh_now_ms());
    nax_client *c = make_client(&f, NULL, capped_retry_after, NULL);
    fault("{\"route\":\"GET /v1/markets/{pair}/ticker\",\"action\":\"rate_limit\","
          "\"retry_after_s\":86400,\"count\":1}");
    nax_ticker *t = NULL;
    ck_assert_int_eq(nax_markets_ticker(c, "BTC-AUD", &t), NAX_ERATELIMIT);
    ck_assert_int_eq(nax_error_last()->retry_after_ms, 86400000);
    fake_advance(&f, 1001);
    ck_assert_msg(nax_markets_ticker(c, "BTC-AUD", &t) == 0, "%s", nax_error_last()->message);
    nax_object_free(t);
    nax_client_free(c);
}
END_TEST

START_TEST(a_failed_early_refresh_keeps_the_valid_token)
{
    fake_clock f;
    recorder rec;
    fake_init(&f, naxh_now_ms());
    rec_init(&rec);
    naxh_user u;
    ck_assert_int_eq(naxh_user_new(&srv, &u), 0);
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    o.hooks = &f.hooks;
    o.metrics_fn = rec_metrics;
    o.metrics_userdata = &rec;
    o.email = u.email;
    o.password = u.password;
    nax_client *c;
    ck_assert_int_eq(naxh_client(&srv, &o, &c), 0);
    nax_profile *p;
    ck_assert_int_eq(nax_users_profile(c, &p), 0);
    nax_object_free(p);
    fault("{\"route\":\"POST /v1/auth/refresh\",\"action\":\"error_before_commit\","
          "\"status\":503,\"count\":20}");
    fake_advance(&f, 871 * 1000); /* inside the refresh-ahead window, before expiry */
    atomic_store(&f.wall, naxh_now_ms());
    ck_assert_msg(nax_users_profile(c, &p) == 0, "%s", nax_error_last()->message);
    nax_object_free(p);
    ck_assert_uint_ge(rec_calls(&rec, "/v1/auth/refresh", NULL), 1);
    unsigned int before = rec_calls(&rec, "/v1/auth/refresh", NULL);
    /* and it does not try again on every call */
    ck_assert_int_eq(nax_users_profile(c, &p), 0);
    nax_object_free(p);
    ck_assert_uint_eq(rec_calls(&rec, "/v1/auth/refresh", NULL), before);
    nax_client_free(c);
    naxh_user_free(&u);
}
END_TEST

/* Each test starts from a server without scripted faults or clock skew. */
static void clear_faults(void)
{
    ck_assert_int_eq(naxh_faults_clear(&srv), 0);
}

static Suite *faults_suite(void)
{
    Suite *s = suite_create("client_faults");
    TCase *tc = tcase_create("faults");
    tcase_add_checked_fixture(tc, clear_faults, clear_faults);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, retry_budget_runs_out);
    tcase_add_test(tc, four_hundreds_are_not_retried);
    tcase_add_test(tc, retry_after_is_honoured);
    tcase_add_test(tc, retry_after_beyond_the_cap_fails_at_once);
    tcase_add_test(tc, retry_after_reaches_a_call_that_is_not_retried);
    tcase_add_test(tc, breaker_opens_probes_and_closes);
    tcase_add_test(tc, failed_probe_opens_again_for_retry_after);
    tcase_add_test(tc, exactly_once_when_the_connection_drops_after_commit);
    tcase_add_test(tc, exactly_once_when_a_5xx_follows_the_commit);
    tcase_add_test(tc, exactly_once_after_an_ambiguous_timeout);
    tcase_add_test(tc, expired_token_is_refreshed_once_on_401);
    tcase_add_test(tc, refresh_ahead_of_expiry_is_single_flight);
    tcase_add_test(tc, signatures_follow_a_skewed_server_clock);
    tcase_add_test(tc, receive_window_is_sent_and_checked);
    tcase_add_test(tc, limiter_follows_the_server_and_fails_fast);
    tcase_add_test(tc, limiter_waits_instead_of_hitting_429);
    tcase_add_test(tc, callbacks_cannot_reenter_their_client);
    tcase_add_test(tc, giving_up_after_an_unknown_outcome_looks_once_more);
    tcase_add_test(tc, an_unknown_outcome_is_never_reported_as_nothing_sent);
    tcase_add_test(tc, a_day_long_retry_after_does_not_wedge_the_group);
    tcase_add_test(tc, a_failed_early_refresh_keeps_the_valid_token);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (nax_global_init(NULL) != 0 || naxh_start(&srv, NULL) != 0)
        return 1;
    int ok = naxh_user_new(&srv, &trader) == 0 &&
             naxh_user_api_key(&srv, &trader, NAX_SCOPE_READ | NAX_SCOPE_TRADE) == 0 &&
             naxh_fund_fiat(&srv, &trader, "AUD", "100000") == 0;
    if (!ok) {
        fprintf(stderr, "setup failed: %s\n", nax_error_last()->message);
        naxh_stop(&srv);
        return 1;
    }
    SRunner *sr = srunner_create(faults_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    naxh_user_free(&trader);
    naxh_stop(&srv);
    nax_global_shutdown();
    return failed || srv.exit_status ? 1 : 0;
}

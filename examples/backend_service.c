/*
 * backend_service: one nax_client shared by the worker threads of a backend
 * service, with its circuit breakers, metrics and log watched.
 *
 * Eight pthreads call the same client at once, each a steady mix of
 * ticker, order book and balance reads. The client reports:
 *
 * - every breaker state change (breaker_fn), printed with the time since
 *   start, so an outage shows as closed -> open -> half_open -> closed;
 * - every finished call (metrics_fn), counted per endpoint group and outcome;
 * - its warnings (log_fn), already redacted by libnax.
 *
 * The breaker options are tight on purpose (a window of 10 calls, open at
 * 50 % failures, probe after a second) so that a short burst of 503s from
 * the server opens the market-data breaker and the recovery closes it
 * within seconds. While it is open, ticker and order book calls fail at
 * once with NAX_ECIRCUIT_OPEN and no network I/O, and balance calls (another
 * group, another breaker) carry on.
 *
 * The workers stop once each has made its share of calls and no breaker is
 * open or half-open (at most 120 s); then the program prints each group's
 * breaker status (nax_client_breaker_status) and the call totals. It exits
 * 1 when a call failed in an unexpected way or a breaker was still open
 * after 120 s.
 *
 *     NAX_API_KEY=ak_... NAX_API_SECRET=... backend_service http://127.0.0.1:8080 [--short]
 *
 * --short (or NAX_BACKEND_SHORT=1) makes each worker's share 40 calls
 * instead of 400. Against a local naxd, with a scripted outage that the
 * breaker rides out, from the build directory:
 *     bash ../examples/backend_service.sh server/naxd examples/partner_setup \
 *         examples/backend_service /tmp/naxd-backend [--short]
 * (naxd_local.sh starts naxd with --fault-injection, partner_setup makes the
 * key, the script scripts eight 503s on the ticker and runs the service.)
 *
 * Build against an installed libnax:
 *     cc -std=c11 -pthread backend_service.c $(pkg-config --cflags --libs nax)
 */
/* POSIX (getpid, strdup, clock_gettime, nanosleep) also under a plain -std=c11. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <nax.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WORKERS     8
#define MAX_SECONDS 120

/* ---- what the callbacks see ------------------------------------------------------ */

typedef struct group_metrics {
    atomic_ulong calls, ok, circuit_open, unavailable, other;
    atomic_ulong attempts;
    atomic_ullong duration_us;
} group_metrics;

typedef struct service {
    nax_client *client;
    struct timespec started;
    group_metrics groups[NAX_GROUP_COUNT];
    atomic_ulong transitions[NAX_GROUP_COUNT];
    atomic_int stop;
    atomic_ulong done[WORKERS]; /* calls made by each worker */
    unsigned long share;        /* calls each worker makes at least */
    pthread_mutex_t print_lock; /* one line at a time from many threads */
} service;

static double seconds_since_start(const service *s)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - s->started.tv_sec) +
           (double)(now.tv_nsec - s->started.tv_nsec) / 1e9;
}

/* Called on the thread whose call changed the state, outside the client's locks. */
static void on_breaker(nax_endpoint_group group, nax_breaker_state from, nax_breaker_state to,
                       void *userdata)
{
    service *s = userdata;
    atomic_fetch_add(&s->transitions[group], 1);
    pthread_mutex_lock(&s->print_lock);
    printf("[%7.3f s] breaker %s: %s -> %s\n", seconds_since_start(s),
           nax_endpoint_group_name(group), nax_breaker_state_name(from),
           nax_breaker_state_name(to));
    fflush(stdout);
    pthread_mutex_unlock(&s->print_lock);
}

/* Called once per finished call; the counters are atomics, so no lock. */
static void on_metrics(const nax_call_info *info, void *userdata)
{
    service *s = userdata;
    group_metrics *g = &s->groups[info->group];
    atomic_fetch_add(&g->calls, 1);
    atomic_fetch_add(&g->attempts, info->attempts);
    atomic_fetch_add(&g->duration_us, info->duration_us);
    if (info->result == 0)
        atomic_fetch_add(&g->ok, 1);
    else if (info->result == NAX_ECIRCUIT_OPEN)
        atomic_fetch_add(&g->circuit_open, 1);
    else if (info->result == NAX_EUNAVAILABLE)
        atomic_fetch_add(&g->unavailable, 1);
    else
        atomic_fetch_add(&g->other, 1);
}

static void on_log(nax_log_level level, const char *message, void *userdata)
{
    service *s = userdata;
    pthread_mutex_lock(&s->print_lock);
    printf("[%7.3f s] log %s: %s\n", seconds_since_start(s), nax_log_level_name(level), message);
    fflush(stdout);
    pthread_mutex_unlock(&s->print_lock);
}

/* ---- the workers ------------------------------------------------------------------------ */

typedef struct worker {
    service *s;
    int index;
    int unexpected; /* calls that failed other than by an outage */
} worker;

/* One call of the mix: ticker, order book, ticker, balances. */
static int one_call(nax_client *c, unsigned long n)
{
    static const char *const pairs[] = {"BTC-AUD", "ETH-AUD"};
    const char *pair = pairs[(n / 4) % 2];
    switch (n % 4) {
    case 0:
    case 2: {
        nax_ticker *t = NULL;
        int rc = nax_markets_ticker(c, pair, &t);
        nax_object_free(t);
        return rc;
    }
    case 1: {
        nax_order_book *b = NULL;
        int rc = nax_markets_orderbook(c, pair, 10, &b);
        nax_object_free(b);
        return rc;
    }
    default: {
        nax_balance_list *l = NULL;
        int rc = nax_wallets_balances(c, &l);
        nax_object_free(l);
        return rc;
    }
    }
}

static void *work(void *arg)
{
    worker *w = arg;
    service *s = w->s;
    const struct timespec pause = {0, 20 * 1000 * 1000}; /* a service's pace, not a flood */
    for (unsigned long n = (unsigned long)w->index; !atomic_load(&s->stop); n++) {
        int rc = one_call(s->client, n);
        /* An outage (503, or the breaker refusing while open) is expected;
         * anything else is a bug in the service or the setup. */
        if (rc != 0 && rc != NAX_EUNAVAILABLE && rc != NAX_ECIRCUIT_OPEN) {
            const nax_error *e = nax_error_last();
            pthread_mutex_lock(&s->print_lock);
            printf("worker %d: %s (HTTP %d %s): %s\n", w->index, nax_strerror(rc), e->http_status,
                   e->server_code, e->message);
            pthread_mutex_unlock(&s->print_lock);
            w->unexpected++;
        }
        atomic_fetch_add(&s->done[w->index], 1);
        nanosleep(&pause, NULL);
    }
    return NULL;
}

/* ---- the service ------------------------------------------------------------------------ */

/* Every worker made its share, and no breaker is open or half-open. */
static int finished(service *s)
{
    for (int i = 0; i < WORKERS; i++)
        if (atomic_load(&s->done[i]) < s->share)
            return 0;
    for (int g = 0; g < NAX_GROUP_COUNT; g++) {
        nax_breaker_status st = {.struct_size = sizeof st};
        if (nax_client_breaker_status(s->client, (nax_endpoint_group)g, &st) != 0 ||
            st.state != NAX_BREAKER_CLOSED)
            return 0;
    }
    return 1;
}

static void report(service *s)
{
    printf("\n%-12s %-9s %6s %9s %5s %7s | %7s %7s %8s %8s %6s %9s %8s\n", "group", "breaker",
           "window", "failures", "slow", "opened", "calls", "ok", "refused", "503", "other",
           "attempts", "avg ms");
    for (int g = 0; g < NAX_GROUP_COUNT; g++) {
        nax_breaker_status st = {.struct_size = sizeof st};
        if (nax_client_breaker_status(s->client, (nax_endpoint_group)g, &st) != 0) {
            printf("nax_client_breaker_status: %s\n", nax_error_last()->message);
            return;
        }
        const group_metrics *m = &s->groups[g];
        unsigned long calls = atomic_load(&m->calls);
        double avg_ms = calls ? (double)atomic_load(&m->duration_us) / 1000.0 / (double)calls : 0;
        printf("%-12s %-9s %6u %9u %5u %7llu | %7lu %7lu %8lu %8lu %6lu %9lu %8.2f\n",
               nax_endpoint_group_name((nax_endpoint_group)g), nax_breaker_state_name(st.state),
               st.calls, st.failures, st.slow, (unsigned long long)st.opened_total, calls,
               atomic_load(&m->ok), atomic_load(&m->circuit_open), atomic_load(&m->unavailable),
               atomic_load(&m->other), atomic_load(&m->attempts), avg_ms);
    }
}

static int is_short(int argc, char **argv)
{
    const char *env = getenv("NAX_BACKEND_SHORT");
    if (env && strcmp(env, "1") == 0)
        return 1;
    return argc > 2 && strcmp(argv[2], "--short") == 0;
}

int main(int argc, char **argv)
{
    const char *key = getenv("NAX_API_KEY"), *secret = getenv("NAX_API_SECRET");
    if (argc < 2 || !key || !secret) {
        fprintf(stderr, "usage: NAX_API_KEY=... NAX_API_SECRET=... %s BASE_URL [--short]\n",
                argv[0]);
        return 2;
    }
    static service s; /* static: the callbacks may run until the client is freed */
    s.share = is_short(argc, argv) ? 40 : 400;
    clock_gettime(CLOCK_MONOTONIC, &s.started);
    pthread_mutex_init(&s.print_lock, NULL);
    if (nax_global_init(NULL) != 0) {
        fprintf(stderr, "nax_global_init: %s\n", nax_error_last()->message);
        return 1;
    }

    nax_client_options opts = NAX_CLIENT_OPTIONS_INIT;
    opts.base_url = argv[1];
    opts.api_key = key;
    opts.api_secret = secret;
    opts.user_agent_suffix = "backend-service-example";
    opts.max_connections = WORKERS;
    /* A request thread waits at most 250 ms for a server's Retry-After; a
     * longer one fails the call at once and the breaker takes over. */
    opts.retry.max_attempts = 3;
    opts.retry.retry_after_max_ms = 250;
    opts.breaker.window_size = 10;
    opts.breaker.min_calls = 4;
    opts.breaker.failure_rate_pct = 50;
    opts.breaker.open_ms = 1000;
    opts.breaker.half_open_probes = 2;
    opts.breaker_fn = on_breaker;
    opts.breaker_userdata = &s;
    opts.metrics_fn = on_metrics;
    opts.metrics_userdata = &s;
    opts.log_fn = on_log;
    opts.log_level = NAX_LOG_WARN;
    opts.log_userdata = &s;
    if (nax_client_new(&s.client, &opts) != 0) {
        fprintf(stderr, "nax_client_new: %s\n", nax_error_last()->message);
        return 1;
    }
    printf("%d workers share one client for %s; %lu calls each at least\n", WORKERS, argv[1],
           s.share);
    fflush(stdout);

    pthread_t threads[WORKERS];
    worker workers[WORKERS];
    int started = 0;
    for (; started < WORKERS; started++) {
        workers[started] = (worker){&s, started, 0};
        if (pthread_create(&threads[started], NULL, work, &workers[started]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            break;
        }
    }
    const struct timespec tick = {0, 100 * 1000 * 1000};
    int settled = 0;
    while (started == WORKERS && !(settled = finished(&s)) && seconds_since_start(&s) < MAX_SECONDS)
        nanosleep(&tick, NULL);
    atomic_store(&s.stop, 1);
    int unexpected = 0;
    for (int i = 0; i < started; i++) {
        pthread_join(threads[i], NULL);
        unexpected += workers[i].unexpected;
    }

    report(&s);
    unsigned long changes = 0;
    for (int g = 0; g < NAX_GROUP_COUNT; g++)
        changes += atomic_load(&s.transitions[g]);
    /* A call still in flight when the workers were told to stop may have
     * changed a breaker since; what counts is that all were closed then. */
    printf("\n%.1f s, %lu breaker state changes, %d unexpected failures; %s\n",
           seconds_since_start(&s), changes, unexpected,
           settled ? "stopped with every breaker closed"
                   : "stopped on the time limit with a breaker still open");
    nax_client_free(s.client);
    nax_global_shutdown();
    pthread_mutex_destroy(&s.print_lock);
    return started == WORKERS && unexpected == 0 && settled ? 0 : 1;
}

/* nax_bench_client: N sequential GETs of one ticker over kept-alive
 * connections, split over K threads, timed from the moment every thread has
 * finished its warm-up until the last one is done. Prints one line of
 * key=value pairs; bench_client.py runs it next to the Python and Node peers.
 *
 *   nax_bench_client <libnax|curl> --base-url URL --body FILE
 *                    [--pair P] [--requests N] [--warmup W] [--threads K]
 */
#include "bench_client.h"

#include <nax/global.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define MAX_THREADS 64

typedef struct worker {
    pthread_t tid;
    const bench_impl *impl;
    const bench_config *cfg;
    void *shared;
    pthread_barrier_t *ready; /* all warmed up: the clock starts */
    unsigned long warmup;
    unsigned long calls;
    int failed;
} worker;

static uint64_t now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* User-mode CPU of the process: the client's own work, without the kernel's
 * part of the round trip, which swings from run to run on a shared VM. */
static uint64_t user_ns(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (uint64_t)ru.ru_utime.tv_sec * 1000000000u + (uint64_t)ru.ru_utime.tv_usec * 1000u;
}

static void *work(void *arg)
{
    worker *w = arg;
    void *ctx = NULL;
    int ok = w->impl->thread_open(&ctx, w->shared, w->cfg) == 0;
    ok = ok && w->impl->check(ctx, w->cfg) == 0 && w->impl->calls(ctx, w->warmup) == 0;
    /* A thread that failed still meets the others at the barrier, so
     * nobody waits for ever; its failure is reported after the join. */
    pthread_barrier_wait(w->ready);
    ok = ok && w->impl->calls(ctx, w->calls) == 0;
    if (ctx)
        w->impl->thread_close(ctx);
    w->failed = !ok;
    return NULL;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = NULL;
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (data = malloc((size_t)size)) && fread(data, 1, (size_t)size, f) != (size_t)size) {
        free(data);
        data = NULL;
    }
    fclose(f);
    *len = size > 0 ? (size_t)size : 0;
    return data;
}

static int usage(void)
{
    fprintf(stderr, "usage: nax_bench_client <libnax|curl> --base-url URL --body FILE\n"
                    "       [--pair BTC-AUD] [--requests 20000] [--warmup 1000] [--threads 1]\n");
    return 2;
}

static int parse_count(const char *text, unsigned long *out)
{
    char *end = NULL;
    unsigned long v = strtoul(text, &end, 10);
    if (!*text || *end || v > 1000000000ul)
        return -1;
    *out = v;
    return 0;
}

/* Runs the timed part; returns the process exit status. */
static int run(const bench_impl *impl, bench_config *cfg, unsigned long requests,
               unsigned long warmup)
{
    void *shared = NULL;
    if (impl->open(&shared, cfg) != 0)
        return 1;
    worker workers[MAX_THREADS];
    pthread_barrier_t ready;
    pthread_barrier_init(&ready, NULL, cfg->threads + 1);
    unsigned int started = 0;
    for (unsigned int i = 0; i < cfg->threads; i++) {
        /* N/K calls each; the first N%K threads take one more. */
        workers[i] = (worker){.impl = impl,
                              .cfg = cfg,
                              .shared = shared,
                              .ready = &ready,
                              .warmup = warmup / cfg->threads + 1,
                              .calls = requests / cfg->threads + (i < requests % cfg->threads)};
        if (pthread_create(&workers[i].tid, NULL, work, &workers[i]) != 0)
            break;
        started++;
    }
    int status = 0;
    if (started < cfg->threads) {
        /* Cannot meet the barrier with fewer threads: give up loudly. */
        fprintf(stderr, "could not start %u threads\n", cfg->threads);
        exit(1);
    }
    pthread_barrier_wait(&ready);
    uint64_t wall0 = now_ns(CLOCK_MONOTONIC), cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    uint64_t user0 = user_ns();
    for (unsigned int i = 0; i < started; i++) {
        pthread_join(workers[i].tid, NULL);
        status |= workers[i].failed;
    }
    uint64_t wall = now_ns(CLOCK_MONOTONIC) - wall0;
    uint64_t cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    uint64_t user = user_ns() - user0;
    pthread_barrier_destroy(&ready);
    impl->close(shared);
    if (status)
        return 1;
    printf("impl=%s threads=%u requests=%lu wall_ns=%llu cpu_ns=%llu user_ns=%llu\n", impl->name,
           cfg->threads, requests, (unsigned long long)wall, (unsigned long long)cpu,
           (unsigned long long)user);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const bench_impl *impl = NULL;
    if (strcmp(argv[1], "libnax") == 0)
        impl = &bench_impl_libnax;
    else if (strcmp(argv[1], "curl") == 0)
        impl = &bench_impl_curl;
    else
        return usage();

    bench_config cfg = {.pair = "BTC-AUD", .threads = 1};
    const char *body_path = NULL;
    unsigned long requests = 20000, warmup = 1000, threads = 1;
    for (int i = 2; i < argc; i++) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val)
            return usage();
        i++;
        if (strcmp(opt, "--base-url") == 0)
            cfg.base_url = val;
        else if (strcmp(opt, "--body") == 0)
            body_path = val;
        else if (strcmp(opt, "--pair") == 0)
            cfg.pair = val;
        else if (strcmp(opt, "--requests") == 0 && parse_count(val, &requests) == 0)
            continue;
        else if (strcmp(opt, "--warmup") == 0 && parse_count(val, &warmup) == 0)
            continue;
        else if (strcmp(opt, "--threads") == 0 && parse_count(val, &threads) == 0 && threads >= 1 &&
                 threads <= MAX_THREADS)
            cfg.threads = (unsigned int)threads;
        else
            return usage();
    }
    if (!cfg.base_url || !body_path)
        return usage();
    char *expect = read_file(body_path, &cfg.expect_len);
    if (!expect) {
        fprintf(stderr, "cannot read %s\n", body_path);
        return 1;
    }
    cfg.expect = expect;
    char url[512];
    if (snprintf(url, sizeof(url), "%s/v1/markets/%s/ticker", cfg.base_url, cfg.pair) >=
        (int)sizeof(url)) {
        fprintf(stderr, "URL too long\n");
        return 2;
    }
    cfg.url = url;
    if (nax_global_init(NULL) != 0) {
        fprintf(stderr, "nax_global_init failed\n");
        return 1;
    }
    int status = run(impl, &cfg, requests, warmup);
    nax_global_shutdown();
    free(expect);
    return status;
}

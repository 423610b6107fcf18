/*
 * Timing: each repeat runs whole passes over the corpus until a minimum time
 * has passed and records nanoseconds per message; a cell reports the median
 * and the 10th/90th percentiles of its repeats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_codec.h"

#define MAX_REPEATS BENCH_MAX_REPEATS
/* Clock reads between at least this many messages keep their cost out of the result. */
#define MIN_BATCH 32

const codec_impl *impl_get(bench_impl impl)
{
    static const codec_impl *const impls[IMPL_COUNT] = {&impl_libnax, &impl_cjson, &impl_jansson};
    return impls[impl];
}

/* Thread CPU time by default: on a shared machine it leaves out the time this
 * thread spends descheduled while other work runs, the largest source of
 * noise there. Wall time is available for an idle machine. */
static clockid_t timing_clock = CLOCK_THREAD_CPUTIME_ID;

void timing_use_wall_clock(int wall)
{
    timing_clock = wall ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(timing_clock, &ts);
    return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

/* What one timed loop works on; `sink` keeps results observable. */
typedef struct runner {
    const codec_impl *impl;
    bench_kind kind;
    bench_op op;
    const corpus_set *set;
    encoded *out;
    size_t next;
    decoded slot;
    uint64_t sink;
} runner;

static int decode_one(runner *r, const corpus_msg *m)
{
    const void *obj = NULL;
    int rc = r->impl->decode(r->kind, m->json, m->len, &r->slot, &obj);
    if (rc == 0)
        r->sink += *(const size_t *)obj; /* struct_size, the first member */
    r->impl->release(&r->slot);
    return rc;
}

static int encode_one(runner *r, const corpus_msg *m)
{
    int rc = r->impl->encode(r->kind, m->obj, r->out);
    r->sink += r->out->len;
    return rc;
}

/* Process `count` messages, cycling through the corpus. */
static int run_messages(runner *r, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++) {
        const corpus_msg *m = &r->set->msgs[r->next];
        r->next = r->next + 1 == r->set->count ? 0 : r->next + 1;
        int rc = r->op == OP_DECODE ? decode_one(r, m) : encode_one(r, m);
        if (rc != 0) {
            fprintf(stderr, "%s %s %s failed while timing: %s\n", r->impl->name, op_name(r->op),
                    kind_name(r->kind), r->impl->last_error());
            return -1;
        }
    }
    return 0;
}

/* Runs for at least `min_ms` and gives the mean nanoseconds per message. */
static int run_for(runner *r, unsigned int min_ms, double *ns_per_msg)
{
    uint64_t batch = r->set->count > MIN_BATCH ? r->set->count : MIN_BATCH;
    uint64_t budget = (uint64_t)min_ms * UINT64_C(1000000);
    uint64_t start = now_ns(), elapsed, done = 0;
    do {
        if (run_messages(r, batch) != 0)
            return -1;
        done += batch;
        elapsed = now_ns() - start;
    } while (elapsed < budget);
    *ns_per_msg = (double)elapsed / (double)done;
    return 0;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Linear interpolation between the closest ranks of sorted samples. */
static double quantile(const double *sorted, unsigned int n, double q)
{
    double pos = q * (double)(n - 1);
    unsigned int lo = (unsigned int)pos;
    if (lo + 1 >= n)
        return sorted[n - 1];
    return sorted[lo] + (pos - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

typedef struct spread {
    double median, p10, p90;
} spread;

/* Sorts `samples` in place. */
static spread spread_of(double *samples, unsigned int n)
{
    qsort(samples, n, sizeof *samples, compare_doubles);
    return (spread){quantile(samples, n, 0.5), quantile(samples, n, 0.1),
                    quantile(samples, n, 0.9)};
}

/* Time and, against libnax's samples of the same repeats, speedup. */
static void summarise(const double *samples, const double *libnax, unsigned int n,
                      cell_result *result)
{
    double sorted[MAX_REPEATS], ratios[MAX_REPEATS];
    for (unsigned int r = 0; r < n; r++) {
        result->samples[r] = samples[r];
        sorted[r] = samples[r];
        ratios[r] = samples[r] / libnax[r];
    }
    spread time = spread_of(sorted, n), speedup = spread_of(ratios, n);
    result->median_ns = time.median;
    result->p10_ns = time.p10;
    result->p90_ns = time.p90;
    result->speedup = speedup.median;
    result->speedup_p10 = speedup.p10;
    result->speedup_p90 = speedup.p90;
    result->samples_count = n;
}

static void runner_init(runner *r, const corpus_set *set, bench_kind kind, bench_op op,
                        bench_impl impl, encoded *out)
{
    memset(r, 0, sizeof *r);
    r->impl = impl_get(impl);
    r->kind = kind;
    r->op = op;
    r->set = set;
    r->out = out;
}

int measure_group(const corpus_set *set, bench_kind kind, bench_op op, const timing_options *opts,
                  encoded *out, cell_result results[IMPL_COUNT])
{
    double samples[IMPL_COUNT][MAX_REPEATS];
    runner runners[IMPL_COUNT];
    unsigned int repeats = opts->repeats < MAX_REPEATS ? opts->repeats : MAX_REPEATS;
    double ignored;

    for (int i = 0; i < IMPL_COUNT; i++) {
        runner_init(&runners[i], set, kind, op, (bench_impl)i, out);
        if (opts->warmup_ms > 0 && run_for(&runners[i], opts->warmup_ms, &ignored) != 0)
            return -1;
    }
    /* Interleave, and rotate who goes first, so drifting load is shared fairly. */
    for (unsigned int rep = 0; rep < repeats; rep++) {
        for (int j = 0; j < IMPL_COUNT; j++) {
            int i = (int)((rep + (unsigned int)j) % IMPL_COUNT);
            if (run_for(&runners[i], opts->min_ms, &samples[i][rep]) != 0)
                return -1;
        }
    }
    for (int i = 0; i < IMPL_COUNT; i++)
        summarise(samples[i], samples[IMPL_LIBNAX], repeats, &results[i]);
    return 0;
}

int profile_cell(const corpus_set *set, bench_kind kind, bench_op op, bench_impl impl,
                 uint64_t iterations, encoded *out, double *mean_ns)
{
    runner r;
    runner_init(&r, set, kind, op, impl, out);
    uint64_t start = now_ns();
    if (run_messages(&r, iterations) != 0)
        return -1;
    *mean_ns = (double)(now_ns() - start) / (double)(iterations > 0 ? iterations : 1);
    return 0;
}

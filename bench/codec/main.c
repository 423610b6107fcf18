/*
 * nax_bench_codec: decode and encode a fixed corpus with libnax's codec,
 * cJSON and jansson in the same run, after checking that all three produce
 * the same structs, and print one table row per (kind, operation,
 * implementation). See docs/PERFORMANCE.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_codec.h"

#define DEFAULT_SEED  UINT64_C(0x6e61782d62656e63) /* "nax-benc" */
#define SCRATCH_BYTES (1u << 20)

/* Decode targets for small messages: libnax at least this many times faster. */
#define TARGET_VS_CJSON   1.5
#define TARGET_VS_JANSSON 4.0

typedef struct options {
    timing_options timing;
    size_t per_kind;
    uint64_t seed;
    int verify_only;
    int wall_clock;
    int machine;
    const char *sizes;   /* "1,10,50": snapshot depths of the size curve, or NULL */
    const char *profile; /* "kind:op:impl", or NULL */
    uint64_t iterations;
} options;

static void usage(FILE *to)
{
    fprintf(to,
            "usage: nax_bench_codec [options]\n"
            "  --repeats N       timed repeats per cell, median reported (default 7)\n"
            "  --min-ms N        minimum duration of each repeat (default 200)\n"
            "  --warmup-ms N     untimed warm-up per cell (default 100)\n"
            "  --wall            time with the wall clock, not the thread's CPU time\n"
            "  --count N         messages per small kind (default 256)\n"
            "  --seed N          corpus seed (default 0x%llx)\n"
            "  --verify-only     check the implementations agree, time nothing\n"
            "  --machine         print one 'cell key=value...' line per cell, with every\n"
            "                    repeat, instead of the table (bench/codec/bench_codec.py)\n"
            "  --sizes L,L,...   then time decoding book snapshots of L levels a side\n"
            "  --profile K:O:I   run one cell for --iterations messages: no table, no\n"
            "                    verification (use --verify-only); for callgrind or perf:\n"
            "                    K = ticker|order|delta|snapshot, O = decode|encode,\n"
            "                    I = libnax|cjson|jansson\n"
            "  --iterations N    messages for --profile (default 200000)\n",
            (unsigned long long)DEFAULT_SEED);
}

static int parse_number(const char *text, unsigned long long max, unsigned long long *out)
{
    char *end;
    if (text == NULL || *text == '\0' || *text == '-')
        return -1;
    *out = strtoull(text, &end, 0);
    return *end == '\0' && *out <= max ? 0 : -1;
}

typedef struct number_flag {
    const char *name;
    unsigned long long max;
    unsigned long long *value;
} number_flag;

static number_flag *find_flag(number_flag *flags, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(flags[i].name, name) == 0)
            return &flags[i];
    }
    return NULL;
}

/* Returns 0 to run, 1 when only help was asked for, -1 on a bad command line. */
static int parse_options(int argc, char **argv, options *o)
{
    unsigned long long repeats = 7, min_ms = 200, warmup_ms = 100, count = 256;
    unsigned long long seed = DEFAULT_SEED, iterations = 200000;
    number_flag flags[] = {
        {"--repeats", 99, &repeats},        {"--min-ms", 60000, &min_ms},
        {"--warmup-ms", 60000, &warmup_ms}, {"--count", 100000, &count},
        {"--seed", UINT64_MAX, &seed},      {"--iterations", UINT64_MAX, &iterations}};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        number_flag *flag = find_flag(flags, sizeof flags / sizeof flags[0], arg);
        if (strcmp(arg, "--help") == 0) {
            usage(stdout);
            return 1;
        } else if (strcmp(arg, "--verify-only") == 0) {
            o->verify_only = 1;
        } else if (strcmp(arg, "--wall") == 0) {
            o->wall_clock = 1;
        } else if (strcmp(arg, "--machine") == 0) {
            o->machine = 1;
        } else if (strcmp(arg, "--sizes") == 0 && value != NULL) {
            o->sizes = value;
            i++;
        } else if (strcmp(arg, "--profile") == 0 && value != NULL) {
            o->profile = value;
            i++;
        } else if (flag != NULL && parse_number(value, flag->max, flag->value) == 0) {
            i++;
        } else {
            fprintf(stderr, flag != NULL ? "%s needs a number\n" : "unknown option: %s\n", arg);
            usage(stderr);
            return -1;
        }
    }
    if (repeats == 0 || count == 0) {
        fprintf(stderr, "--repeats and --count must be at least 1\n");
        return -1;
    }
    o->timing = (timing_options){(unsigned)repeats, (unsigned)min_ms, (unsigned)warmup_ms};
    o->per_kind = (size_t)count;
    o->seed = seed;
    o->iterations = iterations;
    return 0;
}

/* ---- the table ---- */

static double average_bytes(const corpus_set *set)
{
    return (double)set->total_bytes / (double)set->count;
}

static void print_corpus(const corpus *c, uint64_t seed)
{
    printf("corpus (seed 0x%llx):", (unsigned long long)seed);
    for (int k = 0; k < KIND_COUNT; k++)
        printf("%s %zu %s (avg %.0f B)", k ? "," : "", c->sets[k].count, kind_name((bench_kind)k),
               average_bytes(&c->sets[k]));
    printf("\n");
}

static void print_header(const timing_options *t, int wall_clock)
{
    printf("timing: %s time; median of %u repeats of >= %u ms per cell after a %u ms warm-up;\n"
           "        the three implementations take turns within each repeat. speedup = peer ns /\n"
           "        libnax ns of the same repeat (above 1: libnax is faster), median and "
           "p10..p90.\n\n",
           wall_clock ? "wall-clock" : "thread CPU", t->repeats, t->min_ms, t->warmup_ms);
    printf("%-13s %-6s %-7s %5s %8s %17s %6s %7s %6s %7s %11s\n", "kind", "op", "impl", "B/msg",
           "ns/msg", "p10..p90 ns/msg", "spread", "msg/s", "MB/s", "speedup", "p10..p90");
}

/* 1234567 -> "1.23M": readable at a glance. */
static const char *rate_text(char *buf, size_t size, double per_second)
{
    if (per_second >= 1e6)
        snprintf(buf, size, "%.2fM", per_second / 1e6);
    else
        snprintf(buf, size, "%.1fk", per_second / 1e3);
    return buf;
}

static void print_row(bench_kind kind, bench_op op, bench_impl impl, double bytes,
                      const cell_result *r)
{
    char rate[32], range[48], speedup[16] = "-", speedup_range[32] = "-";
    double per_second = 1e9 / r->median_ns;
    snprintf(range, sizeof range, "%.0f..%.0f", r->p10_ns, r->p90_ns);
    if (impl != IMPL_LIBNAX) {
        snprintf(speedup, sizeof speedup, "%.2fx", r->speedup);
        snprintf(speedup_range, sizeof speedup_range, "%.2f..%.2f", r->speedup_p10, r->speedup_p90);
    }
    printf("%-13s %-6s %-7s %5.0f %8.0f %17s %5.0f%% %7s %6.1f %7s %11s\n", kind_name(kind),
           op_name(op), impl_get(impl)->name, bytes, r->median_ns, range,
           100.0 * (r->p90_ns - r->p10_ns) / r->median_ns, rate_text(rate, sizeof rate, per_second),
           bytes * per_second / 1e6, speedup, speedup_range);
}

static void print_target(const char *kind, const char *peer, const cell_result *r, double target)
{
    printf("  %-10s decode vs %-7s %5.2fx (p10..p90 %.2f..%.2f)  target >= %.1fx: %s\n", kind, peer,
           r->speedup, r->speedup_p10, r->speedup_p90, target,
           r->speedup >= target ? "met" : "NOT met");
}

static void print_targets(cell_result decode[KIND_COUNT][IMPL_COUNT])
{
    printf("\ntargets (small messages, decode; reported, not pass/fail):\n");
    for (int k = 0; k < KIND_COUNT; k++) {
        if (!kind_is_small((bench_kind)k))
            continue;
        print_target(kind_name((bench_kind)k), "cJSON", &decode[k][IMPL_CJSON], TARGET_VS_CJSON);
        print_target(kind_name((bench_kind)k), "jansson", &decode[k][IMPL_JANSSON],
                     TARGET_VS_JANSSON);
    }
}

/* "cell kind=ticker op=decode impl=cJSON levels=0 bytes=129 ns=930.1,944.2,...":
 * every repeat in the order they ran, so a driver can pair them itself. */
static void print_cell(bench_kind kind, bench_op op, bench_impl impl, size_t levels, double bytes,
                       const cell_result *r)
{
    static const char *const words[KIND_COUNT] = {"ticker", "order", "delta", "snapshot"};
    printf("cell kind=%s op=%s impl=%s levels=%zu bytes=%.0f ns=", words[kind], op_name(op),
           impl_get(impl)->name, levels, bytes);
    for (unsigned int i = 0; i < r->samples_count; i++)
        printf("%s%.2f", i ? "," : "", r->samples[i]);
    printf("\n");
}

static int run_table(const corpus *c, const timing_options *t, int wall_clock, int machine,
                     encoded *out)
{
    cell_result results[KIND_COUNT][OP_COUNT][IMPL_COUNT];
    cell_result decode[KIND_COUNT][IMPL_COUNT];
    if (!machine)
        print_header(t, wall_clock);
    for (int k = 0; k < KIND_COUNT; k++) {
        for (int op = 0; op < OP_COUNT; op++) {
            const corpus_set *set = &c->sets[k];
            size_t levels = k == KIND_BOOK_SNAPSHOT ? SNAPSHOT_DEPTH : 0;
            if (measure_group(set, (bench_kind)k, (bench_op)op, t, out, results[k][op]) != 0)
                return -1;
            for (int i = 0; i < IMPL_COUNT; i++) {
                if (machine)
                    print_cell((bench_kind)k, (bench_op)op, (bench_impl)i, levels,
                               average_bytes(set), &results[k][op][i]);
                else
                    print_row((bench_kind)k, (bench_op)op, (bench_impl)i, average_bytes(set),
                              &results[k][op][i]);
            }
            fflush(stdout);
        }
        memcpy(decode[k], results[k][OP_DECODE], sizeof decode[k]);
    }
    if (!machine)
        print_targets(decode);
    return 0;
}

/* Decode of one book snapshot per depth in `sizes` ("1,10,50"), verified
 * first like the corpus: the size curve. */
static int run_sizes(const char *sizes, uint64_t seed, const timing_options *t, int machine,
                     encoded *out)
{
    if (!machine)
        printf("\nsnapshot decode against size:\n");
    for (const char *p = sizes; *p != '\0';) {
        char *end;
        unsigned long long depth = strtoull(p, &end, 10);
        if (end == p || depth == 0 || depth > 1000000 || (*end != ',' && *end != '\0')) {
            fprintf(stderr, "--sizes wants levels a side, e.g. 1,10,50\n");
            return -1;
        }
        p = *end == ',' ? end + 1 : end;
        corpus_set set;
        cell_result results[IMPL_COUNT];
        int rc = corpus_build_snapshot(&set, seed, (size_t)depth);
        if (rc == 0)
            rc = verify_set_decoders(&set, KIND_BOOK_SNAPSHOT);
        if (rc == 0)
            rc = measure_group(&set, KIND_BOOK_SNAPSHOT, OP_DECODE, t, out, results);
        for (int i = 0; rc == 0 && i < IMPL_COUNT; i++) {
            if (machine)
                print_cell(KIND_BOOK_SNAPSHOT, OP_DECODE, (bench_impl)i, (size_t)depth,
                           average_bytes(&set), &results[i]);
            else
                printf("  %6llu levels a side, %8.0f B: %-7s %10.0f ns/msg %8.1f MB/s\n", depth,
                       average_bytes(&set), impl_get((bench_impl)i)->name, results[i].median_ns,
                       average_bytes(&set) * 1e3 / results[i].median_ns);
        }
        fflush(stdout);
        corpus_set_free(&set);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* ---- --profile ---- */

static int lookup(const char *text, size_t len, const char *const *names, int count)
{
    for (int i = 0; i < count; i++) {
        if (strlen(names[i]) == len && strncmp(names[i], text, len) == 0)
            return i;
    }
    return -1;
}

static int run_profile(const corpus *c, const options *o, encoded *out)
{
    static const char *const kinds[] = {"ticker", "order", "delta", "snapshot"};
    static const char *const ops[] = {"decode", "encode"};
    static const char *const impls[] = {"libnax", "cjson", "jansson"};
    const char *spec = o->profile, *colon1 = strchr(spec, ':');
    const char *colon2 = colon1 != NULL ? strchr(colon1 + 1, ':') : NULL;
    int kind = colon1 ? lookup(spec, (size_t)(colon1 - spec), kinds, KIND_COUNT) : -1;
    int op = colon2 ? lookup(colon1 + 1, (size_t)(colon2 - colon1 - 1), ops, OP_COUNT) : -1;
    int impl = colon2 ? lookup(colon2 + 1, strlen(colon2 + 1), impls, IMPL_COUNT) : -1;
    double mean_ns;
    if (kind < 0 || op < 0 || impl < 0) {
        fprintf(stderr, "--profile wants kind:op:impl, e.g. ticker:decode:libnax\n");
        return -1;
    }
    if (profile_cell(&c->sets[kind], (bench_kind)kind, (bench_op)op, (bench_impl)impl,
                     o->iterations, out, &mean_ns) != 0)
        return -1;
    printf("%s %s %s: %llu messages, %.1f ns/msg\n", kinds[kind], ops[op], impls[impl],
           (unsigned long long)o->iterations, mean_ns);
    return 0;
}

int main(int argc, char **argv)
{
    options opts = {0};
    corpus c;
    encoded out = {0};
    int rc = 1;

    memset(&c, 0, sizeof c);
    switch (parse_options(argc, argv, &opts)) {
    case 0: break;
    case 1: return 0;
    default: return 2;
    }
    timing_use_wall_clock(opts.wall_clock);
    out.scratch_cap = SCRATCH_BYTES;
    out.scratch = malloc(out.scratch_cap);
    if (out.scratch == NULL || corpus_build(&c, opts.seed, opts.per_kind) != 0)
        goto done;
    printf("libnax %s codec vs cJSON %s and jansson %s\n", nax_version_string(), cjson_version(),
           jansson_version());
    print_corpus(&c, opts.seed);
    /* --profile runs under callgrind or perf, where verifying would dominate
     * the run; its callers verify once with --verify-only. */
    if (opts.profile != NULL)
        rc = run_profile(&c, &opts, &out) != 0;
    else if (verify_corpus(&c, &out) != 0)
        rc = 1;
    else
        rc = opts.verify_only                                                        ? 0
             : run_table(&c, &opts.timing, opts.wall_clock, opts.machine, &out) != 0 ? 1
             : opts.sizes != NULL
                 ? run_sizes(opts.sizes, opts.seed, &opts.timing, opts.machine, &out) != 0
                 : 0;
done:
    corpus_free(&c);
    nax_buf_dispose(&out.nax);
    free(out.scratch);
    return rc;
}

/*
 * nax_bench_engine: generates the synthetic order flow, and replays it through
 * naxd's matching engine (see run.sh, which does the same with the npm peer
 * nodejs-order-book and prints the table).
 *
 *   nax_bench_engine gen FILE [--ops N] [--seed S] [--spread TICKS] [--users N]
 *                             [--levels N]
 *   nax_bench_engine run FILE [--repeats N] [--step 1]
 *
 * `gen --levels N` writes a depth flow: a prefill of about N price levels,
 * then --ops operations that keep the book near N levels (flow.c).
 * `run` replays the file once untimed (warm-up), then N times timed, each time
 * into a fresh engine whose users were credited more than they can spend, and
 * prints one line per timed run: ops, CPU nanoseconds, fills, resting lots and
 * levels (so the two implementations can be seen to end with the same book).
 * A depth flow's prefill is replayed before the clock starts. With --step 1
 * each timed run waits for a line on stdin (the driver alternates the two
 * implementations run by run, so each pair of runs shares a round).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nax/error.h>

#include "engine/engine.h"
#include "flow.h"

static const char *const PAIR = "BTC-AUD";

static nax_decimal decimal(int64_t coefficient, int scale)
{
    nax_decimal d;
    nax_decimal_from_int(&d, coefficient, scale);
    return d;
}

static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

/* The flow's operations as the app would hand them to the engine. */
static naxd_order_spec *make_specs(const flow_op *ops, size_t n, uint64_t *max_user)
{
    naxd_order_spec *specs = calloc(n ? n : 1, sizeof *specs);
    for (size_t i = 0; specs != NULL && i < n; i++) {
        const flow_op *op = &ops[i];
        naxd_order_spec *s = &specs[i];
        s->id = op->id;
        s->user = op->user;
        s->pair = PAIR;
        s->side = op->side == 'b' ? NAX_SIDE_BUY : NAX_SIDE_SELL;
        s->type = op->kind == FLOW_MARKET ? NAX_ORDER_TYPE_MARKET : NAX_ORDER_TYPE_LIMIT;
        if (op->kind == FLOW_LIMIT)
            s->price = decimal(op->ticks, 2);
        s->quantity = decimal(op->lots, 4);
        s->tif = op->tif == FLOW_IOC   ? NAX_TIF_IOC
                 : op->tif == FLOW_FOK ? NAX_TIF_FOK
                                       : NAX_TIF_GTC;
        s->post_only = op->tif == FLOW_POST;
        s->ts = (int64_t)i;
        if (op->user > *max_user)
            *max_user = op->user;
    }
    return specs;
}

static naxd_engine *fresh_engine(uint64_t users, naxd_exec *x)
{
    naxd_engine *e = NULL;
    naxd_market_spec m = {PAIR,          "BTC",         "AUD",
                          decimal(1, 2), decimal(1, 4), decimal(0, 0),
                          decimal(1, 3), decimal(2, 3), NAX_MARKET_STATUS_ACTIVE};
    nax_decimal aud = decimal(INT64_C(1000000000000), 0), btc = decimal(INT64_C(1000000000), 0);
    if (naxd_engine_new(&e, UINT64_MAX) != 0 || naxd_engine_add_market(e, &m) != 0)
        return NULL;
    for (uint64_t u = 1; u <= users; u++) {
        if (naxd_engine_credit(e, u, "AUD", &aud, x) != 0 ||
            naxd_engine_credit(e, u, "BTC", &btc, x) != 0)
            return NULL;
    }
    return e;
}

typedef struct run_result {
    uint64_t ns, fills;
    int64_t resting_lots;
    size_t levels;
} run_result;

static int replay(const flow_op *ops, const naxd_order_spec *specs, size_t n, size_t prefill,
                  uint64_t users, naxd_exec *x, naxd_level *book, run_result *out)
{
    naxd_engine *e = fresh_engine(users, x);
    if (e == NULL)
        return -1;
    uint64_t fills = 0, start = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == prefill) {
            start = cpu_ns();
            fills = 0;
        }
        int rc = ops[i].kind == FLOW_CANCEL
                     ? naxd_engine_cancel(e, ops[i].user, ops[i].id, (int64_t)i, x)
                     : naxd_engine_place(e, &specs[i], x);
        if (rc != 0 && rc != NAX_ENOTFOUND) {
            fprintf(stderr, "op %zu failed: %d\n", i + 1, rc);
            return -1;
        }
        fills += x->fills_count;
    }
    out->ns = cpu_ns() - start;
    out->fills = fills;
    size_t nb = 0, na = 0;
    naxd_engine_book(e, PAIR, n, book, &nb, book + n, &na, NULL);
    out->resting_lots = 0;
    for (size_t i = 0; i < nb + na; i++) {
        int64_t lots = 0;
        const naxd_level *l = i < nb ? &book[i] : &book[n + i - nb];
        nax_decimal_to_int(&lots, &l->quantity, 4);
        out->resting_lots += lots;
    }
    out->levels = nb + na;
    naxd_engine_free(e);
    return 0;
}

/* --step: the next timed run waits for a line on stdin; end of input ends. */
static int next_step(void)
{
    int c;
    while ((c = getchar()) != EOF && c != '\n')
        ;
    return c == '\n';
}

static int run(const char *path, unsigned repeats, int step)
{
    size_t n = 0, prefill = 0;
    uint64_t users = 0;
    flow_op *ops = flow_read(path, &n, &prefill);
    naxd_order_spec *specs = ops ? make_specs(ops, n, &users) : NULL;
    naxd_level *book = malloc(2 * (n ? n : 1) * sizeof *book);
    if (specs == NULL || book == NULL || prefill >= n) {
        fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }
    naxd_exec x;
    naxd_exec_init(&x);
    int rc = 0;
    for (unsigned r = 0; r <= repeats && rc == 0; r++) {
        run_result res;
        if (r > 0 && step && !next_step())
            break;
        rc = replay(ops, specs, n, prefill, users, &x, book, &res);
        if (rc == 0 && r > 0)
            printf("run %u ops %zu cpu_ns %llu fills %llu resting_lots %lld levels %zu\n", r,
                   n - prefill, (unsigned long long)res.ns, (unsigned long long)res.fills,
                   (long long)res.resting_lots, res.levels);
        fflush(stdout);
    }
    naxd_exec_dispose(&x);
    free(book);
    free(specs);
    free(ops);
    return rc ? 1 : 0;
}

static int number(const char *text, unsigned long long *out)
{
    char *end;
    if (text == NULL || *text == '\0' || *text == '-')
        return -1;
    *out = strtoull(text, &end, 0);
    return *end == '\0' ? 0 : -1;
}

int main(int argc, char **argv)
{
    unsigned long long ops = 500000, seed = 1, spread = 60, users = 1000, repeats = 5;
    unsigned long long levels = 0, step = 0;
    if (argc < 3 || (strcmp(argv[1], "gen") != 0 && strcmp(argv[1], "run") != 0)) {
        fprintf(stderr,
                "usage: %s gen FILE [--ops N] [--seed S] [--spread TICKS] [--users N] "
                "[--levels N]\n"
                "       %s run FILE [--repeats N] [--step 1]\n",
                argv[0], argv[0]);
        return 2;
    }
    for (int i = 3; i < argc; i += 2) {
        unsigned long long *v = !strcmp(argv[i], "--ops")       ? &ops
                                : !strcmp(argv[i], "--seed")    ? &seed
                                : !strcmp(argv[i], "--spread")  ? &spread
                                : !strcmp(argv[i], "--users")   ? &users
                                : !strcmp(argv[i], "--repeats") ? &repeats
                                : !strcmp(argv[i], "--levels")  ? &levels
                                : !strcmp(argv[i], "--step")    ? &step
                                                                : NULL;
        if (v == NULL || number(argv[i + 1 < argc ? i + 1 : i], v) != 0 || i + 1 >= argc) {
            fprintf(stderr, "bad option %s\n", argv[i]);
            return 2;
        }
    }
    if (strcmp(argv[1], "gen") == 0) {
        flow_options o = {(size_t)ops, seed, (int64_t)(spread ? spread : 1), users ? users : 1,
                          (size_t)levels};
        return flow_generate(argv[2], &o) == 0 ? 0 : 1;
    }
    return run(argv[2], (unsigned)repeats, step != 0);
}

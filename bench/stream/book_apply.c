/*
 * book_apply: the client side of the stream benchmark, libnax's per-message
 * work on `book:{pair}` without the socket: decode the JSON text into a
 * nax_stream_message, check its seq, apply it to the local book and compare
 * the book's checksum with the message's, exactly the steps lib/stream takes
 * for each frame (lib/stream/book.h; nax_decode from the public codec).
 *
 *   book_apply gen --levels N --updates M [--seed S] > book.jsonl
 *       A snapshot of N levels a side (BTC-AUD around 97250, tick 0.50,
 *       quantities with 8 decimals), then M updates of 1-4 levels each,
 *       mostly near the top: new totals, removals (0) and new prices, each
 *       with the next seq and the checksum of the book after it. Encoded
 *       with nax_encode, so these are the bytes naxd sends.
 *   book_apply run FILE [--repeats R] [--step 1]
 *       Replays FILE R times (each pass from the snapshot; the first pass is
 *       a warm-up), and prints one key=value line: messages/s and ns per
 *       message for decode+apply+checksum (median pass, thread CPU time),
 *       and for decode alone. Exits non-zero on any seq gap or checksum
 *       mismatch, so the numbers are only printed for a correct book.
 *       With --step 1, each timed pass waits for a line on stdin and prints
 *       its own line (pass=, ns_per_msg=, msgs_per_s=, decode_ns_per_msg=):
 *       the driver steps libnax and the peers in turn, one pass each a round.
 *   book_apply stream FILE [--repeats R]
 *       The same file through the public subscriber, a nax_stream on a local
 *       replay server (book_stream.c): receive, decode, apply, checksum and
 *       the on_book callback per message.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nax.h>

#include "book_bench.h"
#include "stream/book.h"

void bench_die(const char *what)
{
    const nax_error *e = nax_error_last();
    fprintf(stderr, "book_apply: %s (%s)\n", what, e && e->message ? e->message : "");
    exit(1);
}

/* ---- generation ------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    /* xorshift64*: deterministic for a seed, so every peer replays the same file */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1du;
}

#define MID_CENTS  9725000 /* 97250.00 */
#define TICK_CENTS 50

/* The price `ticks` ticks away from the middle on a side (bids below, asks above). */
static nax_decimal price_at(int bid, long ticks)
{
    nax_decimal d;
    long cents = bid ? MID_CENTS - TICK_CENTS * (ticks + 1) : MID_CENTS + TICK_CENTS * (ticks + 1);
    nax_decimal_from_int(&d, cents, 2);
    return d;
}

static nax_decimal random_quantity(void)
{
    nax_decimal d;
    nax_decimal_from_int(&d, (int64_t)(100000 + rnd() % 500000000), 8); /* 0.001 .. 5.001 */
    return d;
}

/* Mostly the first ten ticks, sometimes anywhere in the book. */
static long random_ticks(long levels)
{
    uint64_t r = rnd() % 100;
    if (r < 70)
        return (long)(rnd() % 10);
    if (r < 95)
        return (long)(rnd() % 50);
    return (long)(rnd() % (uint64_t)(levels + 20));
}

static void emit(nax_buf *buf, const nax_stream_message *msg)
{
    if (nax_encode(buf, NAX_TYPE_STREAM_MESSAGE, msg) != 0)
        bench_die("encode failed");
    fwrite(buf->data, 1, buf->len, stdout);
    fputc('\n', stdout);
}

static int generate(long levels, long updates)
{
    nax__book book;
    nax__book_init(&book);
    nax_book_level *bids = calloc((size_t)levels, sizeof(*bids));
    nax_book_level *asks = calloc((size_t)levels, sizeof(*asks));
    if (!bids || !asks)
        bench_die("out of memory");
    for (long i = 0; i < levels; i++) {
        bids[i] = (nax_book_level){price_at(1, i), random_quantity()};
        asks[i] = (nax_book_level){price_at(0, i), random_quantity()};
    }
    uint64_t seq = 1000;
    if (nax__book_replace(&book, seq, bids, (size_t)levels, asks, (size_t)levels) != 0)
        bench_die("snapshot refused");
    nax_buf buf = NAX_BUF_INIT;
    int64_t ts = 1767268800000;
    nax_stream_message msg = {0};
    msg.struct_size = sizeof msg;
    msg.channel = "book:BTC-AUD";
    msg.type = NAX_STREAM_MSG_SNAPSHOT;
    msg.seq = seq;
    msg.ts = ts;
    msg.bids = bids;
    msg.bids_count = (size_t)levels;
    msg.asks = asks;
    msg.asks_count = (size_t)levels;
    msg.has_checksum = 1;
    msg.checksum = nax__book_checksum(&book);
    emit(&buf, &msg);

    nax_book_level ub[4], ua[4];
    for (long u = 0; u < updates; u++) {
        size_t nb = 0, na = 0;
        int changes = 1 + (int)(rnd() % 4);
        for (int c = 0; c < changes; c++) {
            int bid = (int)(rnd() & 1);
            nax_book_level *out = bid ? ub : ua;
            size_t *n = bid ? &nb : &na;
            nax_decimal price = price_at(bid, random_ticks(levels));
            int dup = 0;
            for (size_t k = 0; k < *n; k++)
                dup |= nax_decimal_cmp(&out[k].price, &price) == 0;
            if (dup)
                continue; /* one price once per update */
            nax_decimal qty = random_quantity();
            if (rnd() % 100 < 25)
                nax_decimal_from_int(&qty, 0, 0); /* a level goes */
            out[(*n)++] = (nax_book_level){price, qty};
        }
        seq++;
        ts += 1 + (int64_t)(rnd() % 5);
        if (nax__book_apply(&book, seq, ub, nb, ua, na) != 0)
            bench_die("update refused");
        msg.type = NAX_STREAM_MSG_UPDATE;
        msg.seq = seq;
        msg.ts = ts;
        msg.bids = ub;
        msg.bids_count = nb;
        msg.asks = ua;
        msg.asks_count = na;
        msg.checksum = nax__book_checksum(&book);
        emit(&buf, &msg);
    }
    nax_buf_dispose(&buf);
    nax__book_dispose(&book);
    free(bids);
    free(asks);
    return 0;
}

/* ---- the timed replay ------------------------------------------------------ */

static int64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bench_line *bench_load(const char *path, size_t *count, char **storage)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        bench_die("cannot open the input");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)size + 1);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size)
        bench_die("cannot read the input");
    fclose(f);
    data[size] = '\0';
    size_t n = 0, cap = 1024;
    bench_line *lines = malloc(cap * sizeof(*lines));
    for (char *p = data; lines && p < data + size;) {
        char *nl = memchr(p, '\n', (size_t)(data + size - p));
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (n == cap && !(lines = realloc(lines, (cap *= 2) * sizeof(*lines))))
            break;
        lines[n++] = (bench_line){p, len};
        p += len + 1;
    }
    if (!lines || n < 2)
        bench_die("the input needs a snapshot and updates");
    *count = n;
    *storage = data;
    return lines;
}

/* One pass: what lib/stream does per frame. Returns CPU ns; dies on a mismatch. */
static int64_t replay(const bench_line *lines, size_t n, int decode_only)
{
    nax__book book;
    nax__book_init(&book);
    int64_t start = cpu_ns();
    for (size_t i = 0; i < n; i++) {
        nax_stream_message *msg = NULL;
        if (nax_decode(&msg, NAX_TYPE_STREAM_MESSAGE, lines[i].text, lines[i].len, NULL) != 0)
            bench_die("decode failed");
        if (!decode_only) {
            int rc;
            if (msg->type == NAX_STREAM_MSG_SNAPSHOT) {
                rc = nax__book_replace(&book, msg->seq, msg->bids, msg->bids_count, msg->asks,
                                       msg->asks_count);
            } else {
                if (nax__book_seq_check(&book, msg->seq) != NAX__BOOK_SEQ_NEXT)
                    bench_die("seq gap in the input");
                rc = nax__book_apply(&book, msg->seq, msg->bids, msg->bids_count, msg->asks,
                                     msg->asks_count);
            }
            if (rc)
                bench_die("the book refused a message");
            if (!msg->has_checksum || nax__book_checksum(&book) != msg->checksum)
                bench_die("checksum mismatch");
        }
        nax_object_free(msg);
    }
    int64_t spent = cpu_ns() - start;
    nax__book_dispose(&book);
    return spent;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t median_pass(const bench_line *lines, size_t n, int repeats, int decode_only)
{
    int64_t *t = calloc((size_t)repeats, sizeof(*t));
    if (!t)
        bench_die("out of memory");
    replay(lines, n, decode_only); /* warm-up */
    for (int r = 0; r < repeats; r++)
        t[r] = replay(lines, n, decode_only);
    qsort(t, (size_t)repeats, sizeof(*t), cmp_i64);
    int64_t m = t[repeats / 2];
    free(t);
    return m;
}

/* --step: wait for a line on stdin; 0 at its end. */
static int next_step(void)
{
    int c;
    while ((c = getchar()) != EOF && c != '\n')
        ;
    return c == '\n';
}

/* One line per pass, each pass when the driver asks for it. */
static void run_steps(const bench_line *lines, size_t n, int repeats)
{
    replay(lines, n, 0); /* warm-up */
    replay(lines, n, 1);
    int64_t snap = replay(lines, 1, 0);
    for (int r = 1; r <= repeats && next_step(); r++) {
        double per = (double)(replay(lines, n, 0) - snap) / (double)(n - 1);
        double per_decode = (double)replay(lines, n, 1) / (double)n;
        printf("impl=libnax pass=%d messages=%zu ns_per_msg=%.1f msgs_per_s=%.0f "
               "decode_ns_per_msg=%.1f\n",
               r, n - 1, per, 1e9 / per, per_decode);
        fflush(stdout);
    }
}

static int run(const char *path, int repeats, int step)
{
    size_t n;
    char *storage;
    bench_line *lines = bench_load(path, &n, &storage);
    if (step) {
        run_steps(lines, n, repeats);
        free(lines);
        free(storage);
        return 0;
    }
    int64_t full = median_pass(lines, n, repeats, 0);
    int64_t decode = median_pass(lines, n, repeats, 1);
    /* The snapshot is one message of a different size: report updates only. */
    int64_t snap = replay(lines, 1, 0);
    double per = (double)(full - snap) / (double)(n - 1);
    double per_decode = (double)decode / (double)n;
    printf("impl=libnax messages=%zu repeats=%d ns_per_msg=%.1f msgs_per_s=%.0f "
           "decode_ns_per_msg=%.1f snapshot_us=%.1f checksums_ok=%zu\n",
           n - 1, repeats, per, 1e9 / per, per_decode, (double)snap / 1e3, n);
    free(lines);
    free(storage);
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: book_apply gen --levels N --updates M [--seed S] > FILE\n"
                    "       book_apply run FILE [--repeats R] [--step 1]\n"
                    "       book_apply stream FILE [--repeats R]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    if (nax_global_init(NULL) != 0)
        bench_die("nax_global_init failed");
    int rc;
    if (!strcmp(argv[1], "gen")) {
        long levels = 1000, updates = 100000;
        for (int i = 2; i + 1 < argc; i += 2) {
            if (!strcmp(argv[i], "--levels"))
                levels = atol(argv[i + 1]);
            else if (!strcmp(argv[i], "--updates"))
                updates = atol(argv[i + 1]);
            else if (!strcmp(argv[i], "--seed"))
                rng_state = strtoull(argv[i + 1], NULL, 10) | 1;
            else
                usage();
        }
        if (levels < 1 || updates < 1)
            usage();
        rc = generate(levels, updates);
    } else if ((!strcmp(argv[1], "run") || !strcmp(argv[1], "stream")) && argc >= 3) {
        int repeats = 5, step = 0;
        for (int i = 3; i + 1 < argc; i += 2) {
            if (!strcmp(argv[i], "--repeats"))
                repeats = atoi(argv[i + 1]);
            else if (!strcmp(argv[i], "--step"))
                step = atoi(argv[i + 1]);
            else
                usage();
        }
        if (repeats < 1)
            usage();
        rc = !strcmp(argv[1], "run") ? run(argv[2], repeats, step) : bench_stream(argv[2], repeats);
    } else {
        usage();
    }
    nax_global_shutdown();
    return rc;
}

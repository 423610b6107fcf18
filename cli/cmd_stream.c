/*
 * cmd_stream.c: `nax stream CHANNEL...`, a live view of the market stream
 * through libnax's subscriber (nax_stream), driven from this thread
 * (external mode) so SIGINT, --count and --seconds end it between two
 * service calls. On a terminal the view is redrawn in place; otherwise
 * every update is one line (or one JSON document), flushed at once so a
 * pipe sees it as it happens. Once stdout cannot be written (its reader is
 * gone: `nax stream ... | head`), the stream stops: SIGPIPE is ignored here
 * (libwebsockets ignores it anyway), so write errors are what tell.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RECENT_LINES 12 /* trades, private events and lifecycle lines kept for the tty view */

typedef struct channel {
    const char *name; /* as given, e.g. "book:BTC-AUD" */
    const char *pair; /* after the colon, or NULL */
    int is_book;
    int wanted; /* cleared when the server refuses it for good */
    char *last; /* ticker: its latest line (tty view) */
} channel;

typedef struct view {
    cli *c;
    nax_stream *s;
    int redraw; /* stdout is a terminal: redraw in place */
    size_t depth;
    unsigned long count_max, count;
    int stop;             /* --count reached */
    int failed;           /* exit code when every channel was refused */
    int out_errno;        /* stdout could not be written (EPIPE: its reader is gone) */
    int reached;          /* LIVE was reported, or data came: the server was reached */
    char last_event[700]; /* the latest lifecycle line, for the never-live error */
    channel *chans;
    size_t nchans;
    char status[256];
    char *recent[RECENT_LINES];
    size_t nrecent;
} view;

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static channel *find_channel(view *v, const char *name)
{
    for (size_t i = 0; name && i < v->nchans; i++)
        if (!strcmp(v->chans[i].name, name))
            return &v->chans[i];
    return NULL;
}

static void remember(view *v, const char *line)
{
    if (v->nrecent == RECENT_LINES) {
        free(v->recent[0]);
        memmove(v->recent, v->recent + 1, (RECENT_LINES - 1) * sizeof v->recent[0]);
        v->nrecent--;
    }
    v->recent[v->nrecent++] = cli_strdup(line);
}

/* After a write to stdout: a failure stops the stream (the first errno is kept). */
static void flushed(view *v)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (!v->out_errno)
            v->out_errno = errno ? errno : EIO;
    }
}

/* A pipe or socket on stdout whose reader has gone: poll says so (POLLERR on
 * a pipe without readers) before anything is written, so a quiet stream
 * ends too. */
static int reader_gone(void)
{
    struct pollfd p = {.fd = STDOUT_FILENO, .events = 0};
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP | POLLNVAL));
}

/* The whole screen, from the top: status, ladders, tickers, recent lines. */
static void draw(view *v)
{
    if (v->out_errno)
        return;
    fputs("\033[H", stdout);
    printf("nax stream  %s\033[K\n\033[K\n", v->status);
    for (size_t i = 0; i < v->nchans; i++) {
        channel *ch = &v->chans[i];
        if (!ch->wanted)
            continue;
        if (ch->is_book) {
            nax_order_book *b = NULL;
            nax_book_top top = {sizeof top};
            int live = nax_stream_book_top(v->s, ch->pair, &top) == 0 && top.live;
            if (nax_stream_book_copy(v->s, ch->pair, v->depth, &b) == 0) {
                printf("%s  seq %" PRIu64 "%s\033[K\n", ch->name, b->seq,
                       live ? "" : "  (resyncing)");
                char *buf = NULL;
                size_t len = 0;
                FILE *mem = open_memstream(&buf, &len);
                if (mem) {
                    print_ladder(mem, b, v->depth);
                    fclose(mem);
                    /* each ladder line clears what an older, longer frame left */
                    for (char *line = buf; line && *line;) {
                        char *nl = strchr(line, '\n');
                        if (nl)
                            *nl = '\0';
                        printf("%s\033[K\n", line);
                        line = nl ? nl + 1 : NULL;
                    }
                    free(buf);
                }
                nax_object_free(b);
            } else {
                printf("%s  waiting for the snapshot\033[K\n", ch->name);
            }
            printf("\033[K\n");
        } else if (ch->last) {
            printf("%s\033[K\n", ch->last);
        }
    }
    if (v->nrecent)
        printf("\033[K\n");
    for (size_t i = 0; i < v->nrecent; i++)
        printf("%s\033[K\n", v->recent[i]);
    fputs("\033[J", stdout);
    flushed(v);
}

/* A line of the text modes: printed at once, or kept for the next frame. */
static void emit_line(view *v, const char *line)
{
    if (v->out_errno)
        return;
    if (v->redraw) {
        remember(v, line);
        draw(v);
    } else {
        printf("%s\n", line);
        flushed(v);
    }
}

static void counted(view *v)
{
    v->reached = 1;
    v->count++;
    if (v->count_max && v->count >= v->count_max)
        v->stop = 1;
}

static void emit_json(view *v, nax_type type, const void *obj)
{
    if (v->out_errno)
        return;
    out_json(v->c, type, obj);
    flushed(v);
}

/* ---- callbacks -------------------------------------------------------------------------- */

static int on_state(const nax_stream_event *ev, void *ud)
{
    view *v = ud;
    char line[700];
    snprintf(line, sizeof line, "%s (%s)%s%s: %s", nax_stream_state_name(ev->state),
             nax_stream_reason_name(ev->reason), ev->channel ? " " : "",
             ev->channel ? ev->channel : "", ev->message);
    if (ev->state == NAX_STREAM_LIVE)
        v->reached = 1;
    if (ev->state != NAX_STREAM_CLOSED)
        snprintf(v->last_event, sizeof v->last_event, "%s", line);
    /* A channel refused for good is gone; with none left there is nothing to wait for. */
    if (ev->reason == NAX_STREAM_REASON_SUBSCRIBE_FAILED ||
        ev->reason == NAX_STREAM_REASON_AUTH_FAILED) {
        channel *ch = find_channel(v, ev->channel);
        if (ch && ch->wanted) {
            ch->wanted = 0;
            size_t left = 0;
            for (size_t i = 0; i < v->nchans; i++)
                left += (size_t)v->chans[i].wanted;
            if (!left)
                v->failed = v->c->session_dead ? EXIT_AUTH /* as out_error() has it */
                            : ev->error        ? cli_exit_code(ev->error)
                                               : EXIT_FAIL;
        }
    }
    if (v->c->json) {
        fprintf(stderr, "nax: stream: %s\n", line);
    } else if (v->redraw) {
        snprintf(v->status, sizeof v->status, "%s (%s)", nax_stream_state_name(ev->state),
                 nax_stream_reason_name(ev->reason));
        emit_line(v, line);
    } else {
        emit_line(v, line);
    }
    if (v->failed && !v->c->json && !v->redraw)
        flushed(v);
    return 0;
}

static int on_book(const nax_stream_book *b, void *ud)
{
    view *v = ud;
    counted(v);
    if (v->c->json) {
        nax_order_book *copy = NULL;
        if (nax_stream_book_copy(v->s, b->pair, v->depth, &copy) == 0) {
            emit_json(v, NAX_TYPE_ORDER_BOOK, copy);
            nax_object_free(copy);
        }
        return 0;
    }
    if (v->redraw) {
        draw(v);
        return 0;
    }
    /* one line: the top of the book, then the levels this message changed */
    char line[1024], p[NAX_DECIMAL_STRING_MAX], q[NAX_DECIMAL_STRING_MAX];
    nax_book_top top = {sizeof top};
    size_t n = (size_t)snprintf(line, sizeof line, "book:%s %s seq %" PRIu64, b->pair,
                                b->snapshot ? "snapshot" : "update", b->seq);
    if (nax_stream_book_top(v->s, b->pair, &top) == 0) {
        if (top.has_bid && n < sizeof line)
            n += (size_t)snprintf(line + n, sizeof line - n, " bid %s x %s",
                                  fmt_dec(p, &top.bid.price), fmt_dec(q, &top.bid.quantity));
        if (top.has_ask && n < sizeof line)
            n += (size_t)snprintf(line + n, sizeof line - n, " ask %s x %s",
                                  fmt_dec(p, &top.ask.price), fmt_dec(q, &top.ask.quantity));
    }
    if (!b->snapshot) {
        for (size_t i = 0; i < b->bids_count && n < sizeof line; i++)
            n += (size_t)snprintf(line + n, sizeof line - n, " | bid %s=%s",
                                  fmt_dec(p, &b->bids[i].price), fmt_dec(q, &b->bids[i].quantity));
        for (size_t i = 0; i < b->asks_count && n < sizeof line; i++)
            n += (size_t)snprintf(line + n, sizeof line - n, " | ask %s=%s",
                                  fmt_dec(p, &b->asks[i].price), fmt_dec(q, &b->asks[i].quantity));
    } else if (n < sizeof line) {
        snprintf(line + n, sizeof line - n, " levels %zu/%zu", b->bids_count, b->asks_count);
    }
    emit_line(v, line);
    return 0;
}

static int on_ticker(const nax_ticker *t, unsigned int flags, void *ud)
{
    view *v = ud;
    (void)flags;
    counted(v);
    if (v->c->json) {
        emit_json(v, NAX_TYPE_TICKER, t);
        return 0;
    }
    char line[512], bid[NAX_DECIMAL_STRING_MAX], ask[NAX_DECIMAL_STRING_MAX],
        last[NAX_DECIMAL_STRING_MAX], vol[NAX_DECIMAL_STRING_MAX];
    snprintf(line, sizeof line, "ticker:%s bid %s ask %s last %s volume_24h %s seq %" PRIu64,
             t->pair, fmt_opt_dec(bid, t->bid), fmt_opt_dec(ask, t->ask),
             fmt_opt_dec(last, t->last), fmt_dec(vol, &t->volume_24h), t->seq);
    if (v->redraw) {
        char name[96];
        snprintf(name, sizeof name, "ticker:%s", t->pair);
        channel *ch = find_channel(v, name);
        if (ch) {
            free(ch->last);
            ch->last = cli_strdup(line);
        }
        draw(v);
        return 0;
    }
    emit_line(v, line);
    return 0;
}

static int on_trade(const nax_trade *t, unsigned int flags, void *ud)
{
    view *v = ud;
    counted(v);
    if (v->c->json) {
        emit_json(v, NAX_TYPE_TRADE, t);
        return 0;
    }
    char line[512], p[NAX_DECIMAL_STRING_MAX], q[NAX_DECIMAL_STRING_MAX], ts[40];
    snprintf(line, sizeof line, "trades:%s %s %s %s x %s at %s%s", t->pair, t->id,
             side_name(t->side), fmt_dec(p, &t->price), fmt_dec(q, &t->quantity),
             fmt_time(ts, sizeof ts, t->ts), flags & NAX_STREAM_F_SNAPSHOT ? " (recent)" : "");
    emit_line(v, line);
    return 0;
}

static const char *flag_text(unsigned int flags)
{
    return flags & NAX_STREAM_F_CATCHUP    ? " (caught up)"
           : flags & NAX_STREAM_F_SNAPSHOT ? " (snapshot)"
                                           : "";
}

static int on_order(const nax_order *o, unsigned int flags, void *ud)
{
    view *v = ud;
    counted(v);
    if (v->c->json) {
        emit_json(v, NAX_TYPE_ORDER, o);
        return 0;
    }
    char line[512], p[NAX_DECIMAL_STRING_MAX], q[NAX_DECIMAL_STRING_MAX], f[NAX_DECIMAL_STRING_MAX];
    snprintf(line, sizeof line, "orders %s %s %s %s price %s filled %s of %s%s", o->id, o->pair,
             side_name(o->side), order_status_name(o->status), fmt_opt_dec(p, o->price),
             fmt_dec(f, &o->filled_quantity), fmt_dec(q, &o->quantity), flag_text(flags));
    emit_line(v, line);
    return 0;
}

static int on_balance(const nax_balance *b, unsigned int flags, void *ud)
{
    view *v = ud;
    counted(v);
    if (v->c->json) {
        emit_json(v, NAX_TYPE_BALANCE, b);
        return 0;
    }
    char line[512], a[NAX_DECIMAL_STRING_MAX], l[NAX_DECIMAL_STRING_MAX], t[NAX_DECIMAL_STRING_MAX];
    snprintf(line, sizeof line, "balances %s available %s locked %s total %s%s", b->asset,
             fmt_dec(a, &b->available), fmt_dec(l, &b->locked), fmt_dec(t, &b->total),
             flag_text(flags));
    emit_line(v, line);
    return 0;
}

static int on_fill(const nax_fill *f, unsigned int flags, void *ud)
{
    view *v = ud;
    counted(v);
    if (v->c->json) {
        emit_json(v, NAX_TYPE_FILL, f);
        return 0;
    }
    char line[512], p[NAX_DECIMAL_STRING_MAX], q[NAX_DECIMAL_STRING_MAX],
        fee[NAX_DECIMAL_STRING_MAX];
    snprintf(line, sizeof line, "fills %s order %s %s %s %s x %s fee %s %s %s%s", f->id,
             f->order_id, f->pair, side_name(f->side), fmt_dec(p, &f->price),
             fmt_dec(q, &f->quantity), fmt_dec(fee, &f->fee), f->fee_asset,
             liquidity_name(f->liquidity), flag_text(flags));
    emit_line(v, line);
    return 0;
}

/* ---- the command ---------------------------------------------------------------------------- */

enum { S_DEPTH = 1, S_COUNT, S_SECONDS };

typedef struct stream_args {
    unsigned long depth, count, seconds;
} stream_args;

static int stream_opt(cli *c, int opt, const char *arg, void *ud)
{
    stream_args *a = ud;
    switch (opt) {
    case S_DEPTH: return cli_parse_uint(c, "--depth", arg, 1, 1000, &a->depth);
    case S_COUNT: return cli_parse_uint(c, "--count", arg, 1, 1000000000ul, &a->count);
    case S_SECONDS: return cli_parse_uint(c, "--seconds", arg, 1, 31536000ul, &a->seconds);
    }
    return EXIT_USAGE;
}

int cmd_stream(cli *c, int argc, char **argv)
{
    static const struct option own[] = {
        {"depth", required_argument, NULL, S_DEPTH},
        {"count", required_argument, NULL, S_COUNT},
        {"seconds", required_argument, NULL, S_SECONDS},
    };
    stream_args a = {10, 0, 0};
    const cli_spec spec = {
        own,
        CLI_COUNT(own),
        stream_opt,
        &a,
        1,
        64,
        "a CHANNEL: book:PAIR, ticker:PAIR, trades:PAIR, orders, balances or fills"};
    int ex;
    if (!cli_parse(c, argc, argv, &spec, &ex))
        return ex;
    /* the private channels need credentials, as the REST commands do */
    int need_auth = 0;
    for (int i = optind; i < argc; i++)
        need_auth |=
            !strcmp(argv[i], "orders") || !strcmp(argv[i], "balances") || !strcmp(argv[i], "fills");
    nax_client *cl = cli_client(c, need_auth, &ex);
    if (!cl)
        return ex;

    view v = {.c = c, .depth = a.depth, .count_max = a.count};
    const char *term = getenv("TERM");
    v.redraw = !c->json && isatty(STDOUT_FILENO) && !(term && !strcmp(term, "dumb"));
    v.nchans = (size_t)(argc - optind);
    v.chans = cli_alloc(v.nchans * sizeof *v.chans);
    for (size_t i = 0; i < v.nchans; i++) {
        channel *ch = &v.chans[i];
        ch->name = argv[optind + (int)i];
        const char *colon = strchr(ch->name, ':');
        ch->pair = colon ? colon + 1 : NULL;
        ch->is_book = !strncmp(ch->name, "book:", 5);
        ch->wanted = 1;
    }
    snprintf(v.status, sizeof v.status, "CONNECTING");

    nax_stream_options so = NAX_STREAM_OPTIONS_INIT;
    so.client = cl;
    so.mode = NAX_STREAM_MODE_EXTERNAL;
    so.callbacks = (nax_stream_callbacks){on_state, on_ticker,  on_trade, on_book,
                                          on_order, on_balance, on_fill,  &v};
    int rc = nax_stream_new(&v.s, &so);
    if (rc == 0) {
        rc = nax_stream_subscribe(v.s, (const char *const *)(argv + optind), v.nchans);
        if (rc == NAX_EINVAL) {
            /* a malformed channel name is the caller's typo */
            const nax_error *e = nax_error_last();
            ex = cli_usage(c, "%s", *e->message ? e->message : "malformed channel");
            goto out;
        }
    }
    if (rc == 0)
        rc = nax_stream_start(v.s);
    if (rc != 0) {
        ex = out_error(c, rc, "starting the stream");
        goto out;
    }

    struct sigaction sa = {0}, old_int, old_term, ign = {0}, old_pipe;
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    ign.sa_handler = SIG_IGN; /* a closed pipe is a write error, seen in flushed() */
    sigaction(SIGPIPE, &ign, &old_pipe);
    struct stat out_st;
    int out_pipe = fstat(STDOUT_FILENO, &out_st) == 0 &&
                   (S_ISFIFO(out_st.st_mode) || S_ISSOCK(out_st.st_mode));
    if (v.redraw)
        fputs("\033[H\033[2J", stdout);
    uint64_t deadline = a.seconds ? now_ms() + a.seconds * 1000u : 0;
    while (!interrupted && !v.stop && !v.failed && !v.out_errno) {
        if (deadline && now_ms() >= deadline)
            break;
        if (out_pipe && reader_gone()) {
            v.out_errno = EPIPE;
            break;
        }
        rc = nax_stream_service(v.s, 100);
        if (rc != 0) {
            ex = out_error(c, rc, "following the stream");
            break;
        }
        if (nax_stream_state_get(v.s) == NAX_STREAM_CLOSED)
            break;
    }
    nax_stream_stop(v.s);
    /* freed here, so that its last lifecycle line (CLOSED) comes before any error */
    nax_stream_free(v.s);
    v.s = NULL;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (v.out_errno) {
        /* What stdio still holds can never be written: drop it, so the final
         * flush in main() does not fail again. A reader that went away
         * (EPIPE) had what it wanted: exit 0, quietly (nax.1). */
        __fpurge(stdout);
        clearerr(stdout);
        if (!ex && v.out_errno != EPIPE)
            ex = out_fail(c, EXIT_SYSTEM, "cannot write the output: %s", strerror(v.out_errno));
    }
    sigaction(SIGPIPE, &old_pipe, NULL);
    if (!ex && v.failed)
        ex = out_fail(c, v.failed, "no channel left to follow: the server refused them%s%s",
                      c->session_dead ? "; " : "", c->session_dead ? SESSION_EXPIRED_HINT : "");
    /* however it ended (--seconds, a signal), a run that never reached the
     * server failed to do anything: the network's exit code, not success */
    if (!ex && !v.reached && !v.out_errno)
        ex = out_fail(c, EXIT_NETWORK, "the stream never became live%s%s",
                      *v.last_event ? "; last: " : "", v.last_event);

out:
    nax_stream_free(v.s);
    for (size_t i = 0; i < v.nchans; i++)
        free(v.chans[i].last);
    free(v.chans);
    for (size_t i = 0; i < v.nrecent; i++)
        free(v.recent[i]);
    return ex;
}

/*
 * fanout_load: the subscriber side of the stream fan-out benchmark.
 *
 * Opens --conns WebSocket connections to a stream server (naxd's /v1/stream
 * or the Node `ws` peer), subscribes each to ticker:{pair} and trades:{pair},
 * waits for every connection's trades snapshot, then asks the server to
 * publish --count messages (alternately a trades update and a ticker update)
 * with POST --start-path {"pair","rate","count","window"}:
 *   --rate R > 0: open loop, the server publishes R messages/s on its own
 *     timer; every trade's id is "bench-<CLOCK_MONOTONIC ns at publish>", so
 *     each delivery gives an end-to-end latency (p50/p99/max below).
 *   --rate 0: closed loop, as fast as the server can: it keeps at most
 *     --window messages ahead of the slowest subscriber, which this program
 *     reports with POST <start-path>/ack {"delivered":N} every window/4.
 * Delivered messages/s is the messages received on all connections divided
 * by the time from the first to the last one. Lagging notices, error
 * messages and closed connections are counted, never hidden, and so is this
 * program's own CPU time (client_cpu_s): near `seconds`, the client was the
 * limit, not the server.
 *
 * Single-threaded epoll; pin it to another core than the server (taskset).
 * Output: one line of key=value pairs (see report()).
 *
 * --latencies FILE writes a line per trade delivery: the trade's index in
 * delivery order, the connection, its publish time (ns) and its latency (ns),
 * to see where a slow sample falls in a run.
 *
 * --capture DIR instead writes the first trades update and the first ticker
 * update of connection 0 to DIR/trade.json and DIR/ticker.json (the bytes
 * the Node peer then sends), and exits.
 */
#define _GNU_SOURCE /* memmem, strcasestr */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "ws_client.h"

#define HIST_US   1000000 /* 1 µs buckets up to 1 s; slower ones in the last */
#define HTTP_SLOT UINT64_MAX

typedef struct opts {
    const char *host, *path, *start_path, *pair, *token, *capture, *latencies;
    int port, conns;
    long rate, count, window, idle_ms;
} opts;

typedef struct sub {
    wsc ws;
    int acked, ready; /* subscribe acknowledged; trades snapshot seen */
    long counted;     /* bench messages received */
} sub;

typedef struct run {
    opts o;
    sub *subs;
    int ready, triggered;
    long total, trades, lagging, errors, closed;
    int64_t first_ns, last_ns;
    uint32_t *hist;
    int64_t max_latency_ns;
    long latency_samples;
    double cpu_at_trigger, cpu_at_end; /* this process's CPU seconds */
    /* capture mode */
    char *cap_trade, *cap_ticker;
    FILE *lat_out; /* --latencies: one line per trade delivery */
} run;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void die(const char *what)
{
    fprintf(stderr, "fanout_load: %s\n", what);
    exit(1);
}

/* ---- HTTP control requests (start, ack) on one keep-alive socket ----------- */

static int http_connect(const opts *o)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)o->port);
    if (fd < 0 || inet_pton(AF_INET, o->host, &sa.sin_addr) != 1 ||
        connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        die("cannot connect the control socket (--host must be an IPv4 address)");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void http_post(int fd, const opts *o, const char *path, const char *body)
{
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                     "Authorization: Bearer %s\r\nContent-Length: %zu\r\n\r\n%s",
                     path, o->host, o->port, o->token ? o->token : "-", strlen(body), body);
    for (int off = 0; off < n;) {
        ssize_t w = send(fd, req + off, (size_t)(n - off), MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (w <= 0)
            die("control request failed");
        off += (int)w;
    }
}

/* Reads one whole answer (blocking; the start request only). */
static void http_expect_2xx(int fd)
{
    char buf[8192];
    size_t got = 0;
    for (;;) {
        ssize_t r = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (r <= 0)
            die("control connection closed");
        got += (size_t)r;
        buf[got] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (!end)
            continue;
        const char *cl = strcasestr(buf, "content-length:");
        size_t body = cl ? (size_t)strtoul(cl + 15, NULL, 10) : 0;
        if (got < (size_t)(end + 4 - buf) + body)
            continue;
        if (strncmp(buf, "HTTP/1.1 2", 10) != 0) {
            fprintf(stderr, "fanout_load: start refused: %s\n", buf);
            exit(1);
        }
        return;
    }
}

/* ---- messages -------------------------------------------------------------- */

static int has(const char *data, size_t len, const char *needle)
{
    return memmem(data, len, needle, strlen(needle)) != NULL;
}

static char *dup_text(const char *data, size_t len)
{
    char *s = malloc(len + 1);
    if (!s)
        die("out of memory");
    memcpy(s, data, len);
    s[len] = '\0';
    return s;
}

static void on_message(wsc *c, const char *data, size_t len, void *user)
{
    run *r = user;
    sub *s = (sub *)c; /* ws is the first member */
    int64_t t = now_ns();
    if (has(data, len, "\"op\":")) {
        if (has(data, len, "\"ok\":true"))
            s->acked = 1;
        else
            die("a subscribe was refused");
        return;
    }
    int trades = has(data, len, "\"channel\":\"trades:");
    int ticker = !trades && has(data, len, "\"channel\":\"ticker:");
    if (has(data, len, "\"type\":\"lagging\"")) {
        r->lagging++;
        return;
    }
    if (has(data, len, "\"type\":\"error\"")) {
        r->errors++;
        return;
    }
    if (!s->ready) {
        /* Everything up to the trades snapshot is the state before the run. */
        if (trades && has(data, len, "\"type\":\"snapshot\"")) {
            s->ready = 1;
            r->ready++;
        }
        return;
    }
    if (!trades && !ticker)
        return;
    if (r->o.capture) {
        if (s == &r->subs[0] && trades && !r->cap_trade)
            r->cap_trade = dup_text(data, len);
        if (s == &r->subs[0] && ticker && !r->cap_ticker)
            r->cap_ticker = dup_text(data, len);
    }
    s->counted++;
    r->total++;
    if (!r->first_ns)
        r->first_ns = t;
    r->last_ns = t;
    if (trades) {
        const char *id = memmem(data, len, "\"id\":\"bench-", 12);
        if (id) {
            int64_t sent = strtoll(id + 12, NULL, 10);
            int64_t lat = t - sent;
            if (lat < 0)
                lat = 0;
            if (lat > r->max_latency_ns)
                r->max_latency_ns = lat;
            int64_t us = lat / 1000;
            r->hist[us < HIST_US ? us : HIST_US - 1]++;
            if (r->lat_out)
                fprintf(r->lat_out, "%ld %d %" PRId64 " %" PRId64 "\n", r->trades,
                        (int)(s - r->subs), sent, lat);
            r->latency_samples++;
        }
        r->trades++;
    }
}

static double percentile_us(const run *r, double p)
{
    if (!r->latency_samples)
        return 0;
    long want = (long)(p * (double)r->latency_samples);
    if (want >= r->latency_samples)
        want = r->latency_samples - 1;
    long seen = 0;
    for (long i = 0; i < HIST_US; i++) {
        seen += r->hist[i];
        if (seen > want)
            return (double)i + 0.5;
    }
    return HIST_US;
}

static void report(const run *r)
{
    double secs = r->last_ns > r->first_ns ? (double)(r->last_ns - r->first_ns) / 1e9 : 0;
    long expected = r->o.count * r->o.conns;
    printf("conns=%d rate=%ld count=%ld expected=%ld delivered=%ld missing=%ld seconds=%.4f "
           "msgs_per_s=%.1f latency_samples=%ld p50_us=%.1f p90_us=%.1f p99_us=%.1f "
           "p999_us=%.1f max_us=%.1f lagging=%ld errors=%ld closed=%ld client_cpu_s=%.3f\n",
           r->o.conns, r->o.rate, r->o.count, expected, r->total, expected - r->total, secs,
           secs > 0 ? (double)r->total / secs : 0, r->latency_samples, percentile_us(r, 0.50),
           percentile_us(r, 0.90), percentile_us(r, 0.99), percentile_us(r, 0.999),
           (double)r->max_latency_ns / 1e3, r->lagging, r->errors, r->closed,
           r->cpu_at_end - r->cpu_at_trigger);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        die("cannot write the capture");
}

/* ---- main ------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr, "usage: fanout_load --port P [--host 127.0.0.1] [--path /v1/stream] "
                    "[--start-path /admin/stream-bench] [--token T] [--pair BTC-AUD] "
                    "[--conns 100] [--rate R|0] [--count N] [--window W] [--idle-ms MS] "
                    "[--capture DIR] [--latencies FILE]\n");
    exit(2);
}

static void parse_args(opts *o, int argc, char **argv)
{
    *o = (opts){.host = "127.0.0.1",
                .path = "/v1/stream",
                .start_path = "/admin/stream-bench",
                .pair = "BTC-AUD",
                .conns = 100,
                .rate = 10000,
                .count = 100000,
                .window = 1000,
                .idle_ms = 3000};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        i++;
        if (!strcmp(a, "--host"))
            o->host = v;
        else if (!strcmp(a, "--port"))
            o->port = atoi(v);
        else if (!strcmp(a, "--path"))
            o->path = v;
        else if (!strcmp(a, "--start-path"))
            o->start_path = v;
        else if (!strcmp(a, "--token"))
            o->token = v;
        else if (!strcmp(a, "--pair"))
            o->pair = v;
        else if (!strcmp(a, "--conns"))
            o->conns = atoi(v);
        else if (!strcmp(a, "--rate"))
            o->rate = atol(v);
        else if (!strcmp(a, "--count"))
            o->count = atol(v);
        else if (!strcmp(a, "--window"))
            o->window = atol(v);
        else if (!strcmp(a, "--idle-ms"))
            o->idle_ms = atol(v);
        else if (!strcmp(a, "--capture"))
            o->capture = v;
        else if (!strcmp(a, "--latencies"))
            o->latencies = v;
        else
            usage();
    }
    if (o->port <= 0 || o->conns <= 0 || o->count <= 0 || o->rate < 0 || o->window <= 0)
        usage();
}

int main(int argc, char **argv)
{
    run r = {0};
    parse_args(&r.o, argc, argv);
    r.subs = calloc((size_t)r.o.conns, sizeof(sub));
    r.hist = calloc(HIST_US, sizeof(uint32_t));
    int ep = epoll_create1(0);
    if (!r.subs || !r.hist || ep < 0)
        die("out of memory");
    if (r.o.latencies && !(r.lat_out = fopen(r.o.latencies, "w")))
        die("cannot write --latencies");

    char subscribe[256];
    int sublen =
        snprintf(subscribe, sizeof subscribe,
                 "{\"op\":\"subscribe\",\"id\":1,\"channels\":[\"ticker:%s\",\"trades:%s\"]}",
                 r.o.pair, r.o.pair);
    for (int i = 0; i < r.o.conns; i++) {
        if (wsc_connect(&r.subs[i].ws, r.o.host, r.o.port, r.o.path) != 0 ||
            wsc_send_text(&r.subs[i].ws, subscribe, (size_t)sublen) != 0)
            die("a subscriber could not connect");
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, r.subs[i].ws.fd, &ev);
    }
    int ctl = http_connect(&r.o);

    struct epoll_event events[256];
    int64_t last_activity = now_ns(), deadline_setup = now_ns() + 30 * 1000000000LL;
    long acked_sent = 0;
    /* One ack in flight at a time: naxd's HTTP layer does not take pipelined
     * POSTs (it answers the first and then spins), and an ack carries the
     * latest count anyway. */
    int ack_in_flight = 0;
    char tail[16] = ""; /* the end of the last read, for a status line cut in two */
    /* A ping op now and then, as every client must: naxd closes idle ones. */
    int64_t next_ping = now_ns() + 10 * 1000000000LL;
    long ping_id = 1;
    for (;;) {
        int n = epoll_wait(ep, events, 256, 50);
        int64_t t = now_ns();
        for (int k = 0; k < n; k++) {
            uint64_t id = events[k].data.u64;
            if (id == HTTP_SLOT) {
                char buf[4096 + sizeof tail];
                size_t keep = strlen(tail);
                memcpy(buf, tail, keep);
                ssize_t got;
                while ((got = recv(ctl, buf + keep, 4096, MSG_DONTWAIT)) > 0) {
                    size_t len = keep + (size_t)got;
                    for (char *p = buf; (p = memmem(p, (size_t)(buf + len - p), "HTTP/1.1 ", 9));
                         p += 9)
                        ack_in_flight = 0;
                    keep = len < 8 ? len : 8;
                    memmove(buf, buf + len - keep, keep);
                }
                memcpy(tail, buf, keep);
                tail[keep] = '\0';
                if (got == 0) {
                    /* The server ended the idle keep-alive connection (Node
                     * does after 5 s): drop it, reconnect for the next ack. */
                    epoll_ctl(ep, EPOLL_CTL_DEL, ctl, NULL);
                    close(ctl);
                    ctl = -1;
                    ack_in_flight = 0;
                    tail[0] = '\0';
                }
                continue;
            }
            sub *s = &r.subs[id];
            if (wsc_read(&s->ws, on_message, &r) != 0) {
                r.closed++;
                epoll_ctl(ep, EPOLL_CTL_DEL, s->ws.fd, NULL);
            }
        }
        if (n > 0)
            last_activity = t;
        if (t >= next_ping) {
            char ping[64];
            int len = snprintf(ping, sizeof ping, "{\"op\":\"ping\",\"id\":%ld}", ++ping_id);
            for (int i = 0; i < r.o.conns; i++)
                if (!r.subs[i].ws.closed)
                    wsc_send_text(&r.subs[i].ws, ping, (size_t)len);
            next_ping = t + 10 * 1000000000LL;
        }
        if (!r.triggered) {
            if (r.ready == r.o.conns) {
                char body[256];
                snprintf(body, sizeof body,
                         "{\"pair\":\"%s\",\"rate\":%ld,\"count\":%ld,\"window\":%ld}", r.o.pair,
                         r.o.rate, r.o.count, r.o.window);
                http_post(ctl, &r.o, r.o.start_path, body);
                http_expect_2xx(ctl);
                struct epoll_event ev = {.events = EPOLLIN, .data.u64 = HTTP_SLOT};
                epoll_ctl(ep, EPOLL_CTL_ADD, ctl, &ev);
                r.triggered = 1;
                r.cpu_at_trigger = cpu_seconds();
                last_activity = now_ns();
            } else if (t > deadline_setup || r.closed) {
                die("the subscribers did not all get their snapshot");
            }
            continue;
        }
        if (r.o.capture && r.cap_trade && r.cap_ticker)
            break;
        long least = r.o.count;
        for (int i = 0; i < r.o.conns; i++)
            if (!r.subs[i].ws.closed && r.subs[i].counted < least)
                least = r.subs[i].counted;
        if (least >= r.o.count || r.closed == r.o.conns)
            break;
        if (r.o.rate == 0 && !ack_in_flight && least >= acked_sent + r.o.window / 4) {
            char body[64];
            snprintf(body, sizeof body, "{\"delivered\":%ld}", least);
            char path[512];
            snprintf(path, sizeof path, "%s/ack", r.o.start_path);
            if (ctl < 0) {
                ctl = http_connect(&r.o);
                struct epoll_event ev = {.events = EPOLLIN, .data.u64 = HTTP_SLOT};
                epoll_ctl(ep, EPOLL_CTL_ADD, ctl, &ev);
            }
            http_post(ctl, &r.o, path, body);
            acked_sent = least;
            ack_in_flight = 1;
        }
        if (t - last_activity > r.o.idle_ms * 1000000LL)
            break; /* nothing more is coming: report what is missing */
    }
    r.cpu_at_end = cpu_seconds();
    if (r.o.capture) {
        if (!r.cap_trade || !r.cap_ticker)
            die("nothing to capture arrived");
        write_file(r.o.capture, "trade.json", r.cap_trade);
        write_file(r.o.capture, "ticker.json", r.cap_ticker);
    } else {
        report(&r);
    }
    for (int i = 0; i < r.o.conns; i++)
        wsc_close(&r.subs[i].ws);
    if (ctl >= 0)
        close(ctl);
    close(ep);
    free(r.subs);
    free(r.hist);
    free(r.cap_trade);
    free(r.cap_ticker);
    if (r.lat_out && fclose(r.lat_out) != 0)
        die("cannot write --latencies");
    return 0;
}

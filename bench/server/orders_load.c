/*
 * orders_load: POST /v1/orders load for naxd over raw keep-alive connections.
 *
 * Two modes:
 *   closed loop (--rate 0): every connection sends its next order as soon as
 *     the previous answer arrived; reports orders per second.
 *   open loop (--rate R): orders are scheduled at fixed times t0 + i/R, sent on
 *     the first free connection, and latency is measured from the SCHEDULED
 *     time, so a slow server is charged for the queue it causes (no
 *     coordinated omission, as wrk2 does). Reports p50/p99/max.
 *
 * Orders alternate a buy far below and a sell far above the market so they
 * all rest (no matching): the cost measured is validate + hold + rest +
 * durable group commit + reply. Every order carries its own Idempotency-Key.
 * Single-threaded epoll; pin it to its own core (taskset) away from naxd.
 *
 * Output: one line of key=value pairs, e.g.
 *   mode=closed conns=64 seconds=5.00 ok=123456 errors=0 rate=24691.2
 *   mode=open target=5000 seconds=5.00 ok=25000 errors=0 p50_ms=0.41 p99_ms=1.90 max_ms=4.1
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#define MAX_CONNS 1024
#define RESP_CAP  65536

typedef struct conn {
    int fd;
    int busy;
    double sched; /* scheduled (open loop) or send (closed loop) time, s */
    char resp[RESP_CAP];
    size_t resp_len;
} conn;

typedef struct opts {
    int port;
    const char *token;
    const char *pair;
    const char *buy_price, *sell_price, *qty;
    int conns;
    double duration, warmup, rate;
} opts;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket");
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* ---- requests ---------------------------------------------------------------- */

static unsigned long long sequence;

static int build_request(char *out, size_t cap, const opts *o)
{
    char body[256];
    int buy = (sequence & 1) == 0;
    int blen = snprintf(body, sizeof body,
                        "{\"pair\":\"%s\",\"side\":\"%s\",\"type\":\"limit\",\"price\":\"%s\","
                        "\"quantity\":\"%s\"}",
                        o->pair, buy ? "buy" : "sell", buy ? o->buy_price : o->sell_price, o->qty);
    int n = snprintf(out, cap,
                     "POST /v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                     "Idempotency-Key: bench-%d-%llu\r\nContent-Length: %d\r\n\r\n%s",
                     o->token, (int)getpid(), sequence, blen, body);
    sequence++;
    return n;
}

static int send_order(conn *c, const opts *o, double sched)
{
    char req[4096];
    int n = build_request(req, sizeof req, o);
    ssize_t w = send(c->fd, req, (size_t)n, MSG_NOSIGNAL);
    if (w != n) /* a fresh request fits the socket buffer; anything else is fatal */
        die("send");
    c->busy = 1;
    c->sched = sched;
    c->resp_len = 0;
    return 0;
}

/* 1 with *status when a whole response is in the buffer, 0 when more is needed. */
static int response_complete(conn *c, int *status)
{
    c->resp[c->resp_len] = '\0';
    char *end = strstr(c->resp, "\r\n\r\n");
    if (!end)
        return 0;
    long clen = -1;
    for (char *line = strstr(c->resp, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n"))
        if (strncasecmp(line + 2, "content-length:", 15) == 0)
            clen = strtol(line + 17, NULL, 10);
    if (clen < 0) {
        fprintf(stderr, "response without Content-Length:\n%s\n", c->resp);
        exit(1);
    }
    size_t total = (size_t)(end + 4 - c->resp) + (size_t)clen;
    if (c->resp_len < total)
        return 0;
    *status = atoi(c->resp + 9);
    if (c->resp_len > total) {
        fprintf(stderr, "unexpected bytes after a response\n");
        exit(1);
    }
    return 1;
}

/* ---- latency samples ---------------------------------------------------------- */

typedef struct samples {
    double *v;
    size_t n, cap;
} samples;

static void sample_add(samples *s, double x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 65536;
        s->v = realloc(s->v, s->cap * sizeof(double));
        if (!s->v)
            die("realloc");
    }
    s->v[s->n++] = x;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double quantile(samples *s, double q)
{
    if (s->n == 0)
        return 0;
    size_t i = (size_t)(q * (double)(s->n - 1) + 0.5);
    return s->v[i];
}

/* ---- the loop ------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr, "usage: orders_load --port N --token JWT [--conns 64] [--duration 5]\n"
                    "       [--warmup 1] [--rate 0|R] [--pair BTC-AUD] [--buy-price 1000.00]\n"
                    "       [--sell-price 900000.00] [--qty 0.01]\n");
    exit(2);
}

static void parse(opts *o, int argc, char **argv)
{
    *o = (opts){0, NULL, "BTC-AUD", "1000.00", "900000.00", "0.01", 64, 5, 1, 0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        if (!strcmp(a, "--port"))
            o->port = atoi(v);
        else if (!strcmp(a, "--token"))
            o->token = v;
        else if (!strcmp(a, "--conns"))
            o->conns = atoi(v);
        else if (!strcmp(a, "--duration"))
            o->duration = atof(v);
        else if (!strcmp(a, "--warmup"))
            o->warmup = atof(v);
        else if (!strcmp(a, "--rate"))
            o->rate = atof(v);
        else if (!strcmp(a, "--pair"))
            o->pair = v;
        else if (!strcmp(a, "--buy-price"))
            o->buy_price = v;
        else if (!strcmp(a, "--sell-price"))
            o->sell_price = v;
        else if (!strcmp(a, "--qty"))
            o->qty = v;
        else
            usage();
        i++;
    }
    if (!o->port || !o->token || o->conns < 1 || o->conns > MAX_CONNS || o->duration <= 0)
        usage();
}

int main(int argc, char **argv)
{
    opts o;
    parse(&o, argc, argv);
    static conn conns[MAX_CONNS];
    int ep = epoll_create1(0);
    if (ep < 0)
        die("epoll_create1");
    for (int i = 0; i < o.conns; i++) {
        conns[i].fd = connect_to(o.port);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &conns[i]};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev) != 0)
            die("epoll_ctl");
    }

    const int open_loop = o.rate > 0;
    const double t0 = now_s(), measure_from = t0 + o.warmup, end = measure_from + o.duration;
    double next_sched = t0; /* open loop: the next order's scheduled time */
    unsigned long long ok = 0, errors = 0, sent_total = 0;
    int first_error_status = 0;
    samples lat = {NULL, 0, 0};
    int in_flight = 0;

    for (;;) {
        double now = now_s();
        int sending = now < end;
        if (!sending && in_flight == 0)
            break;
        if (sending) {
            for (int i = 0; i < o.conns; i++) {
                if (conns[i].busy)
                    continue;
                if (open_loop) {
                    if (next_sched > now)
                        break;
                    send_order(&conns[i], &o, next_sched);
                    next_sched += 1.0 / o.rate;
                } else {
                    send_order(&conns[i], &o, now);
                }
                in_flight++;
                sent_total++;
            }
        }
        int timeout_ms = 100;
        if (open_loop && sending) {
            double wait = next_sched - now_s();
            timeout_ms = wait > 0.001 ? (int)(wait * 1000) : 0;
        }
        struct epoll_event evs[256];
        int n = epoll_wait(ep, evs, 256, timeout_ms);
        if (n < 0 && errno != EINTR)
            die("epoll_wait");
        for (int k = 0; k < n; k++) {
            conn *c = evs[k].data.ptr;
            for (;;) {
                ssize_t r = recv(c->fd, c->resp + c->resp_len, RESP_CAP - 1 - c->resp_len, 0);
                if (r > 0) {
                    c->resp_len += (size_t)r;
                    continue;
                }
                if (r == 0) {
                    fprintf(stderr, "naxd closed a connection\n");
                    exit(1);
                }
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    break;
                die("recv");
            }
            int status;
            if (!c->busy || !response_complete(c, &status))
                continue;
            double done = now_s();
            c->busy = 0;
            in_flight--;
            if (c->sched < measure_from)
                continue; /* warm-up */
            if (status == 201) {
                ok++;
                if (open_loop)
                    sample_add(&lat, done - c->sched);
            } else {
                if (!first_error_status) {
                    first_error_status = status;
                    fprintf(stderr, "first error response:\n%.*s\n", (int)c->resp_len, c->resp);
                }
                errors++;
            }
        }
    }
    (void)sent_total;
    if (open_loop) {
        qsort(lat.v, lat.n, sizeof(double), cmp_double);
        printf("mode=open target=%.0f seconds=%.2f ok=%llu errors=%llu achieved=%.1f "
               "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f\n",
               o.rate, o.duration, ok, errors, (double)ok / o.duration, 1e3 * quantile(&lat, 0.50),
               1e3 * quantile(&lat, 0.90), 1e3 * quantile(&lat, 0.99), 1e3 * quantile(&lat, 0.999),
               lat.n ? 1e3 * lat.v[lat.n - 1] : 0.0);
    } else {
        printf("mode=closed conns=%d seconds=%.2f ok=%llu errors=%llu rate=%.1f\n", o.conns,
               o.duration, ok, errors, (double)ok / o.duration);
    }
    free(lat.v);
    for (int i = 0; i < o.conns; i++)
        close(conns[i].fd);
    close(ep);
    return errors ? 1 : 0;
}

/*
 * book_apply stream FILE: the same book file through the public subscriber,
 * end to end: a nax_stream in external mode (nax_stream_service() on this
 * thread) subscribed to book:BTC-AUD on a local replay server, a thread here
 * that answers the upgrade and the subscribe ack and then writes every line
 * of FILE as one text frame, as fast as the socket takes them. Timed: this
 * thread's CPU from the snapshot's on_book to the last update's, so the
 * number is libnax's receive + decode + seq check + book apply + checksum +
 * callback per message (the server thread's work is not in it).
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <nax.h>

#include "book_bench.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

typedef struct replay {
    int listen_fd, port, passes;
    char *frames; /* every line of the file as a server (unmasked) text frame */
    size_t frames_len;
} replay;

static int64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void frame_lines(replay *r, const bench_line *lines, size_t n)
{
    size_t cap = 0;
    for (size_t i = 0; i < n; i++)
        cap += lines[i].len + 10;
    r->frames = malloc(cap);
    if (!r->frames)
        bench_die("out of memory");
    char *p = r->frames;
    for (size_t i = 0; i < n; i++) {
        size_t len = lines[i].len;
        *p++ = (char)0x81; /* FIN, text */
        if (len < 126) {
            *p++ = (char)len;
        } else if (len <= 0xffff) {
            *p++ = 126;
            *p++ = (char)(len >> 8);
            *p++ = (char)len;
        } else {
            *p++ = 127;
            for (int k = 7; k >= 0; k--)
                *p++ = (char)((uint64_t)len >> (8 * k));
        }
        memcpy(p, lines[i].text, len);
        p += len;
    }
    r->frames_len = (size_t)(p - r->frames);
}

static int send_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads until the upgrade's blank line and answers it. */
static int upgrade(int fd)
{
    char head[8192];
    size_t got = 0;
    while (got < sizeof head - 1) {
        ssize_t n = recv(fd, head + got, sizeof head - 1 - got, 0);
        if (n <= 0)
            return -1;
        got += (size_t)n;
        head[got] = '\0';
        if (strstr(head, "\r\n\r\n"))
            break;
    }
    const char *k = NULL;
    for (char *line = head; line && *line;
         line = strstr(line, "\r\n"), line = line ? line + 2 : NULL)
        if (!strncasecmp(line, "sec-websocket-key:", 18))
            k = line + 18;
    if (!k)
        return -1;
    while (*k == ' ')
        k++;
    char key[128];
    size_t klen = strcspn(k, "\r\n ");
    if (klen + sizeof WS_GUID >= sizeof key)
        return -1;
    memcpy(key, k, klen);
    memcpy(key + klen, WS_GUID, sizeof WS_GUID);
    unsigned char sha[SHA_DIGEST_LENGTH];
    SHA1((const unsigned char *)key, strlen(key), sha);
    unsigned char accept[64];
    EVP_EncodeBlock(accept, sha, SHA_DIGEST_LENGTH);
    char answer[256];
    int n = snprintf(answer, sizeof answer,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                     accept);
    return send_all(fd, answer, (size_t)n);
}

/* Reads one masked client frame's payload into buf (NUL-terminated). */
static int read_frame(int fd, char *buf, size_t cap)
{
    unsigned char h[14];
    if (recv(fd, h, 2, MSG_WAITALL) != 2)
        return -1;
    size_t len = h[1] & 0x7f, extra = len == 126 ? 2 : len == 127 ? 8 : 0;
    if (extra && recv(fd, h + 2, extra, MSG_WAITALL) != (ssize_t)extra)
        return -1;
    if (len == 126)
        len = ((size_t)h[2] << 8) | h[3];
    else if (len == 127)
        return -1; /* no op is that long */
    unsigned char mask[4];
    if (recv(fd, mask, 4, MSG_WAITALL) != 4 || len >= cap)
        return -1;
    if (len && recv(fd, buf, len, MSG_WAITALL) != (ssize_t)len)
        return -1;
    for (size_t i = 0; i < len; i++)
        buf[i] ^= (char)mask[i & 3];
    buf[len] = '\0';
    return (h[0] & 0x0f) == 0x8 ? 1 : 0; /* 1: a close frame */
}

/* One connection: upgrade, ack the subscribe, send the file, wait for the close. */
static void serve(replay *r, int fd)
{
    char op[4096];
    if (upgrade(fd) != 0)
        return;
    for (;;) {
        int rc = read_frame(fd, op, sizeof op);
        if (rc != 0)
            return;
        const char *id = strstr(op, "\"id\":");
        if (!strstr(op, "\"op\":\"subscribe\"") || !id)
            continue; /* nothing else is answered: the run is short */
        char ack[128];
        int n = snprintf(ack, sizeof ack, "{\"op\":\"subscribe\",\"id\":%lld,\"ok\":true}",
                         strtoll(id + 5, NULL, 10));
        char frame[140] = {(char)0x81, (char)n};
        memcpy(frame + 2, ack, (size_t)n);
        if (send_all(fd, frame, (size_t)n + 2) != 0 || send_all(fd, r->frames, r->frames_len) != 0)
            return;
        break;
    }
    while (read_frame(fd, op, sizeof op) == 0) {
    }
}

static void *server_main(void *arg)
{
    replay *r = arg;
    for (int i = 0; i < r->passes; i++) {
        int fd = accept(r->listen_fd, NULL, NULL);
        if (fd < 0)
            break;
        serve(r, fd);
        close(fd);
    }
    return NULL;
}

/* ---- the subscriber ---------------------------------------------------------- */

typedef struct pass {
    size_t want, books;
    int64_t first_ns, last_ns;
    int failed;
} pass;

static int on_book(const nax_stream_book *b, void *userdata)
{
    pass *p = userdata;
    int64_t t = thread_cpu_ns();
    if (b->snapshot && p->books) {
        p->failed = 1; /* a resync: the book went wrong somewhere */
    }
    if (!p->books)
        p->first_ns = t;
    p->books++;
    p->last_ns = t;
    return 0;
}

static int on_state(const nax_stream_event *e, void *userdata)
{
    pass *p = userdata;
    if (e->state == NAX_STREAM_RESYNCING || e->state == NAX_STREAM_RECONNECTING) {
        fprintf(stderr, "book_apply stream: %s (%s)\n", nax_stream_state_name(e->state),
                e->message);
        p->failed = 1;
    }
    return 0;
}

static int64_t one_pass(int port, size_t messages, uint64_t *stats_messages)
{
    char url[64];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/v1/stream", port);
    pass p = {messages, 0, 0, 0, 0};
    nax_stream_options o;
    nax_stream_options_init(&o, NAX_STREAM_OPTIONS_VERSION);
    o.url = url;
    o.mode = NAX_STREAM_MODE_EXTERNAL;
    o.callbacks.on_book = on_book;
    o.callbacks.on_state = on_state;
    o.callbacks.userdata = &p;
    nax_stream *s = NULL;
    const char *channel = "book:BTC-AUD";
    if (nax_stream_new(&s, &o) != 0 || nax_stream_subscribe(s, &channel, 1) != 0 ||
        nax_stream_start(s) != 0)
        bench_die("nax_stream could not start");
    while (p.books < messages && !p.failed)
        if (nax_stream_service(s, 1000) != 0)
            bench_die("nax_stream_service failed");
    nax_stream_stats st = {sizeof st};
    nax_stream_stats_get(s, &st);
    *stats_messages = st.messages;
    nax_stream_free(s);
    if (p.failed || st.gaps || st.checksum_mismatches)
        bench_die("the subscriber's book did not follow the file");
    return p.last_ns - p.first_ns;
}

int bench_stream(const char *path, int repeats)
{
    size_t n;
    char *storage;
    bench_line *lines = bench_load(path, &n, &storage);
    replay r = {0};
    frame_lines(&r, lines, n);
    r.passes = repeats + 1;
    r.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t salen = sizeof sa;
    if (r.listen_fd < 0 || bind(r.listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(r.listen_fd, 4) != 0 || getsockname(r.listen_fd, (struct sockaddr *)&sa, &salen))
        bench_die("cannot listen");
    r.port = ntohs(sa.sin_port);
    pthread_t server;
    if (pthread_create(&server, NULL, server_main, &r) != 0)
        bench_die("cannot start the replay server");

    int64_t *t = calloc((size_t)repeats, sizeof(*t));
    uint64_t received = 0;
    one_pass(r.port, n, &received); /* warm-up */
    for (int i = 0; i < repeats; i++)
        t[i] = one_pass(r.port, n, &received);
    pthread_join(server, NULL);
    close(r.listen_fd);
    for (int i = 1; i < repeats; i++) /* insertion sort: a handful of passes */
        for (int j = i; j > 0 && t[j - 1] > t[j]; j--) {
            int64_t x = t[j];
            t[j] = t[j - 1];
            t[j - 1] = x;
        }
    /* From the snapshot's callback to the last update's: n - 1 updates. */
    double per = (double)t[repeats / 2] / (double)(n - 1);
    printf("impl=nax_stream messages=%zu repeats=%d ns_per_msg=%.1f msgs_per_s=%.0f "
           "stream_messages=%llu\n",
           n - 1, repeats, per, 1e9 / per, (unsigned long long)received);
    free(t);
    free(r.frames);
    free(lines);
    free(storage);
    return 0;
}

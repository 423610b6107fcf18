/* The scripted HTTP server of the transport tests: one acceptor thread and
 * one thread per connection, everything polled so that mini_stop() can end
 * them within a poll interval. */
#include "mini_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define POLL_MS      20
#define MAX_REQUEST  (1024 * 1024)
#define MAX_REQUESTS 4096

typedef struct queued {
    mini_reply r; /* strings below are owned copies */
    struct queued *next;
} queued;

struct mini_server {
    int listen_fd;
    int port;
    char url[64];
    pthread_t acceptor;
    pthread_mutex_t lock;
    pthread_cond_t stop_cond;
    int stopping;
    queued *script, *script_tail;
    mini_request *requests;
    size_t request_count;
    unsigned int connections;
    struct conn *conns; /* every connection thread not yet joined */
};

typedef struct conn {
    mini_server *s;
    pthread_t tid;
    int done; /* the thread has finished; join it (under s->lock) */
    struct conn *next;
    int fd;
    char *buf;
    size_t len, cap;
} conn;

static char *dup_or_null(const char *s, size_t len)
{
    if (!s)
        return NULL;
    char *c = malloc(len + 1);
    if (!c)
        abort();
    memcpy(c, s, len);
    c[len] = '\0';
    return c;
}

static int stopping(mini_server *s)
{
    pthread_mutex_lock(&s->lock);
    int v = s->stopping;
    pthread_mutex_unlock(&s->lock);
    return v;
}

/* ---- script ---- */

void mini_push(mini_server *s, const mini_reply *r)
{
    queued *q = calloc(1, sizeof *q);
    if (!q)
        abort();
    q->r = *r;
    size_t blen = r->body ? (r->body_len ? r->body_len : strlen(r->body)) : 0;
    q->r.body = dup_or_null(r->body, blen);
    q->r.body_len = blen;
    q->r.headers = dup_or_null(r->headers, r->headers ? strlen(r->headers) : 0);
    q->r.raw = dup_or_null(r->raw, r->raw ? strlen(r->raw) : 0);
    pthread_mutex_lock(&s->lock);
    if (s->script_tail)
        s->script_tail->next = q;
    else
        s->script = q;
    s->script_tail = q;
    pthread_mutex_unlock(&s->lock);
}

static void free_queued(queued *q)
{
    free((char *)q->r.body);
    free((char *)q->r.headers);
    free((char *)q->r.raw);
    free(q);
}

/* The next scripted reply, or NULL for the default echo reply. */
static queued *pop_reply(mini_server *s)
{
    pthread_mutex_lock(&s->lock);
    queued *q = s->script;
    if (q) {
        s->script = q->next;
        if (!s->script)
            s->script_tail = NULL;
    }
    pthread_mutex_unlock(&s->lock);
    return q;
}

/* ---- recorded requests ---- */

static void record(mini_server *s, const mini_request *r)
{
    pthread_mutex_lock(&s->lock);
    if (!s->requests)
        s->requests = calloc(MAX_REQUESTS, sizeof *s->requests);
    if (!s->requests || s->request_count == MAX_REQUESTS)
        abort();
    s->requests[s->request_count++] = *r;
    pthread_mutex_unlock(&s->lock);
}

size_t mini_request_count(mini_server *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = s->request_count;
    pthread_mutex_unlock(&s->lock);
    return n;
}

int mini_request_at(mini_server *s, size_t i, mini_request *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&s->lock);
    int found = i < s->request_count;
    if (found) {
        *out = s->requests[i];
        out->headers = dup_or_null(s->requests[i].headers, strlen(s->requests[i].headers));
        out->body = dup_or_null(s->requests[i].body, s->requests[i].body_len);
    }
    pthread_mutex_unlock(&s->lock);
    return found ? 0 : -1;
}

void mini_request_free(mini_request *r)
{
    free(r->headers);
    free(r->body);
    r->headers = r->body = NULL;
}

const char *mini_request_header(const mini_request *r, const char *name, char *out, size_t size)
{
    size_t nlen = strlen(name);
    for (const char *line = r->headers; line && *line;) {
        const char *end = strstr(line, "\r\n");
        if (!end)
            end = line + strlen(line);
        if ((size_t)(end - line) > nlen && line[nlen] == ':' && !strncasecmp(line, name, nlen)) {
            const char *v = line + nlen + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            snprintf(out, size, "%.*s", (int)(end - v), v);
            return out;
        }
        line = *end ? end + 2 : end;
    }
    return NULL;
}

unsigned int mini_connections(mini_server *s)
{
    pthread_mutex_lock(&s->lock);
    unsigned int n = s->connections;
    pthread_mutex_unlock(&s->lock);
    return n;
}

/* ---- reading one request ---- */

static int send_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads more bytes; 1 when some arrived, 0 on EOF, error or stop. */
static int read_more(conn *c)
{
    for (;;) {
        if (stopping(c->s))
            return 0;
        struct pollfd p = {c->fd, POLLIN, 0};
        int n = poll(&p, 1, POLL_MS);
        if (n < 0 && errno != EINTR)
            return 0;
        if (n <= 0)
            continue;
        if (c->len + 4096 + 1 > c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 8192;
            if (cap > 2 * MAX_REQUEST)
                return 0;
            char *b = realloc(c->buf, cap);
            if (!b)
                abort();
            c->buf = b;
            c->cap = cap;
        }
        ssize_t got = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
        if (got <= 0)
            return 0;
        c->len += (size_t)got;
        c->buf[c->len] = '\0';
        return 1;
    }
}

static size_t content_length(const char *headers)
{
    mini_request tmp = {0};
    tmp.headers = (char *)headers;
    char v[32];
    if (!mini_request_header(&tmp, "Content-Length", v, sizeof v))
        return 0;
    return (size_t)strtoul(v, NULL, 10);
}

/* Parses one whole request off the front of the buffer; 0 when one was read. */
static int read_request(conn *c, mini_request *out)
{
    char *end;
    while (!(end = c->len ? strstr(c->buf, "\r\n\r\n") : NULL)) {
        if (c->len && (c->buf[0] < 'A' || c->buf[0] > 'Z')) {
            /* Not HTTP (a TLS hello, say): answer as a plain server would. */
            static const char bad[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                                      "Connection: close\r\n\r\n";
            send_all(c->fd, bad, sizeof bad - 1);
            return -1;
        }
        if (!read_more(c))
            return -1;
    }
    size_t head_len = (size_t)(end - c->buf) + 4;
    memset(out, 0, sizeof *out);
    const char *line_end = strstr(c->buf, "\r\n");
    if (sscanf(c->buf, "%15s %1023s", out->method, out->target) != 2)
        return -1;
    const char *hdr = line_end + 2;
    out->headers = dup_or_null(hdr, (size_t)(end + 2 - hdr));
    size_t body_len = content_length(out->headers);
    while (c->len < head_len + body_len)
        if (!read_more(c)) {
            free(out->headers);
            return -1;
        }
    out->body = dup_or_null(c->buf + head_len, body_len);
    out->body_len = body_len;
    size_t used = head_len + body_len;
    memmove(c->buf, c->buf + used, c->len - used);
    c->len -= used;
    c->buf[c->len] = '\0';
    return 0;
}

/* ---- answering ---- */

/* Waits up to `ms`, or until the server stops; 0 when the wait ran its course. */
static int wait_ms(mini_server *s, unsigned int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->lock);
    int rc = 0;
    while (!s->stopping && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&s->stop_cond, &s->lock, &until);
    int stopped = s->stopping;
    pthread_mutex_unlock(&s->lock);
    return stopped ? -1 : 0;
}

/* Says nothing until the peer closes or the server stops. */
static void stall(conn *c)
{
    while (read_more(c))
        ;
}

static int answer(conn *c, const mini_reply *r, const mini_request *req)
{
    if (r->delay_ms && wait_ms(c->s, r->delay_ms) != 0)
        return -1;
    if (r->raw)
        return send_all(c->fd, r->raw, strlen(r->raw));
    const char *body = r->echo_target ? req->target : r->body ? r->body : "";
    size_t body_len = r->echo_target ? strlen(req->target) : r->body_len;
    char head[4096];
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d Scripted\r\nContent-Length: %zu\r\n%s%s\r\n",
                     r->status ? r->status : 200, body_len, r->headers ? r->headers : "",
                     r->close_after ? "Connection: close\r\n" : "");
    if (n < 0 || (size_t)n >= sizeof head)
        abort();
    if (send_all(c->fd, head, (size_t)n) != 0)
        return -1;
    /* A HEAD answer has no content (RFC 9110 9.3.2): bytes sent after its
     * header would be read as the start of the next response. */
    if (!strcmp(req->method, "HEAD"))
        return 0;
    return send_all(c->fd, body, body_len);
}

static void reset_connection(int fd)
{
    struct linger lg = {1, 0}; /* close() then sends RST */
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

static void *serve(void *arg)
{
    conn *c = arg;
    static const mini_reply echo = {MINI_ANSWER, 200, NULL, NULL, 0, 1, NULL, 0, 0};
    for (;;) {
        mini_request req;
        if (read_request(c, &req) != 0)
            break;
        record(c->s, &req);
        queued *q = pop_reply(c->s);
        const mini_reply *r = q ? &q->r : &echo;
        int keep = 0;
        if (r->action == MINI_ANSWER)
            keep = answer(c, r, &req) == 0 && !r->close_after;
        else if (r->action == MINI_RESET)
            reset_connection(c->fd);
        else if (r->action == MINI_STALL)
            stall(c);
        if (q)
            free_queued(q);
        if (!keep)
            break;
    }
    close(c->fd); /* a FIN, or the RST that SO_LINGER asked for */
    free(c->buf);
    c->buf = NULL;
    pthread_mutex_lock(&c->s->lock);
    c->done = 1;
    pthread_mutex_unlock(&c->s->lock);
    return NULL;
}

/* ---- accepting ---- */

/* Joins the connection threads that finished (all of them when `all`). */
static void reap(mini_server *s, int all)
{
    pthread_mutex_lock(&s->lock);
    conn **link = &s->conns;
    while (*link) {
        conn *c = *link;
        if (all || c->done) {
            *link = c->next;
            pthread_mutex_unlock(&s->lock);
            pthread_join(c->tid, NULL);
            free(c);
            pthread_mutex_lock(&s->lock);
        } else {
            link = &c->next;
        }
    }
    pthread_mutex_unlock(&s->lock);
}

static void *accept_loop(void *arg)
{
    mini_server *s = arg;
    while (!stopping(s)) {
        reap(s, 0);
        struct pollfd p = {s->listen_fd, POLLIN, 0};
        if (poll(&p, 1, POLL_MS) <= 0)
            continue;
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        int one = 1; /* head and body go out in two sends: no Nagle delay between */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        conn *c = calloc(1, sizeof *c);
        if (!c)
            abort();
        c->s = s;
        c->fd = fd;
        pthread_mutex_lock(&s->lock);
        s->connections++;
        if (pthread_create(&c->tid, NULL, serve, c) != 0)
            abort();
        c->next = s->conns;
        s->conns = c;
        pthread_mutex_unlock(&s->lock);
    }
    return NULL;
}

static int bind_loopback(int *port_out)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t alen = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
        close(fd);
        return -1;
    }
    *port_out = ntohs(a.sin_port);
    return fd;
}

mini_server *mini_start(void)
{
    mini_server *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->listen_fd = bind_loopback(&s->port);
    if (s->listen_fd < 0 || listen(s->listen_fd, 64) != 0) {
        if (s->listen_fd >= 0)
            close(s->listen_fd);
        free(s);
        return NULL;
    }
    snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", s->port);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->stop_cond, NULL);
    if (pthread_create(&s->acceptor, NULL, accept_loop, s) != 0)
        abort();
    return s;
}

void mini_stop(mini_server *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_broadcast(&s->stop_cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->acceptor, NULL);
    reap(s, 1);
    close(s->listen_fd);
    while (s->script) {
        queued *q = s->script;
        s->script = q->next;
        free_queued(q);
    }
    for (size_t i = 0; i < s->request_count; i++)
        mini_request_free(&s->requests[i]);
    free(s->requests);
    pthread_cond_destroy(&s->stop_cond);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

const char *mini_url(const mini_server *s)
{
    return s->url;
}

int mini_port(const mini_server *s)
{
    return s->port;
}

int mini_closed_port(void)
{
    int port = 0;
    int fd = bind_loopback(&port);
    if (fd < 0)
        return -1;
    close(fd); /* bound but never listening: connecting is refused */
    return port;
}

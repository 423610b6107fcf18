/* The scripted stand-in for naxd of fake_server.h. */
#define _GNU_SOURCE /* memmem, strndup */
#include <arpa/inet.h>
#include <check.h>
#include <ctype.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "fake_server.h"

#define MAX_CONNS 64
#define MAX_SUBS  32

struct fake_conn {
    fake_server *server;
    int fd;       /* -1 once closed */
    int upgraded; /* a WebSocket */
    int number;   /* stream connections: 1, 2, ... */
    char *in;     /* bytes read and not yet handled */
    size_t in_len, in_cap;
    char *message; /* a text message being reassembled */
    size_t message_len;
    char *subs[MAX_SUBS];
};

struct fake_server {
    fake_handlers h;
    int listen_fd, port;
    pthread_t thread;
    pthread_mutex_t lock; /* recursive: handlers send while it is held */
    int stop;
    fake_conn *conns[MAX_CONNS];
    int nconns, nstreams;
};

/* ---- writing ----------------------------------------------------------------- */

static void write_all(fake_conn *c, const void *data, size_t len)
{
    const char *p = data;
    while (c->fd >= 0 && len) {
        ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
        if (n <= 0) {
            close(c->fd);
            c->fd = -1;
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

static void send_frame(fake_conn *c, int opcode, const void *data, size_t len)
{
    unsigned char head[10];
    size_t n = 0;
    head[n++] = (unsigned char)(0x80 | opcode);
    if (len < 126) {
        head[n++] = (unsigned char)len;
    } else if (len < 65536) {
        head[n++] = 126;
        head[n++] = (unsigned char)(len >> 8);
        head[n++] = (unsigned char)len;
    } else {
        head[n++] = 127;
        for (int i = 7; i >= 0; i--)
            head[n++] = (unsigned char)((uint64_t)len >> (8 * i));
    }
    write_all(c, head, n);
    write_all(c, data, len);
}

void fake_send(fake_conn *c, const char *json)
{
    pthread_mutex_lock(&c->server->lock);
    if (c->upgraded)
        send_frame(c, 1, json, strlen(json));
    pthread_mutex_unlock(&c->server->lock);
}

void fake_sendf(fake_conn *c, const char *fmt, ...)
{
    char text[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0 || n >= (int)sizeof text) {
        fprintf(stderr, "the fake's message is too long\n"); /* may be the server's thread */
        abort();
    }
    fake_send(c, text);
}

static const char *op_name(nax_stream_op_kind k)
{
    switch (k) {
    case NAX_STREAM_OP_SUBSCRIBE: return "subscribe";
    case NAX_STREAM_OP_UNSUBSCRIBE: return "unsubscribe";
    case NAX_STREAM_OP_AUTH: return "auth";
    default: return "ping";
    }
}

void fake_ack(fake_conn *c, const nax_stream_op *op, const char *code, const char *field)
{
    if (!code) {
        fake_sendf(c, "{\"op\":\"%s\",\"id\":%llu,\"ok\":true}", op_name(op->op),
                   (unsigned long long)op->id);
        return;
    }
    char field_member[96] = "";
    if (field)
        snprintf(field_member, sizeof field_member, ",\"field\":\"%s\"", field);
    fake_sendf(c,
               "{\"op\":\"%s\",\"id\":%llu,\"ok\":false,\"error\":{\"code\":\"%s\","
               "\"message\":\"refused by the fake server\"%s}}",
               op_name(op->op), (unsigned long long)op->id, code, field_member);
}

void fake_drop(fake_conn *c)
{
    pthread_mutex_lock(&c->server->lock);
    if (c->fd >= 0) {
        shutdown(c->fd, SHUT_RDWR);
        close(c->fd);
        c->fd = -1;
    }
    pthread_mutex_unlock(&c->server->lock);
}

/* ---- subscriptions ------------------------------------------------------------ */

int fake_subscribed(const fake_conn *c, const char *channel)
{
    for (int i = 0; i < MAX_SUBS; i++)
        if (c->subs[i] && !strcmp(c->subs[i], channel))
            return 1;
    return 0;
}

void fake_set_subscribed(fake_conn *c, const char *channel, int on)
{
    for (int i = 0; i < MAX_SUBS; i++) {
        if (c->subs[i] && !strcmp(c->subs[i], channel)) {
            if (!on) {
                free(c->subs[i]);
                c->subs[i] = NULL;
            }
            return;
        }
    }
    for (int i = 0; on && i < MAX_SUBS; i++) {
        if (!c->subs[i]) {
            c->subs[i] = strdup(channel);
            return;
        }
    }
}

/* ---- reading: HTTP requests and the upgrade ----------------------------------- */

/* The value of header `name` in the request head, copied into out. */
static int header(const char *head, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        const char *p = line + 2;
        if (strncasecmp(p, name, n) || p[n] != ':')
            continue;
        p += n + 1;
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, "\r");
        snprintf(out, size, "%.*s", (int)len, p);
        return 1;
    }
    return 0;
}

static void upgrade(fake_conn *c, const char *head)
{
    char key[128] = "", protocol[128], accept[64];
    header(head, "Sec-WebSocket-Key", key, sizeof key);
    char text[256];
    snprintf(text, sizeof text, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1((const unsigned char *)text, strlen(text), digest);
    EVP_EncodeBlock((unsigned char *)accept, digest, SHA_DIGEST_LENGTH);
    char reply[512];
    int n = snprintf(reply, sizeof reply,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n",
                     accept);
    if (header(head, "Sec-WebSocket-Protocol", protocol, sizeof protocol))
        n += snprintf(reply + n, sizeof reply - (size_t)n, "Sec-WebSocket-Protocol: %.*s\r\n",
                      (int)strcspn(protocol, ", "), protocol);
    n += snprintf(reply + n, sizeof reply - (size_t)n, "\r\n");
    write_all(c, reply, (size_t)n);
    c->upgraded = 1;
    c->number = ++c->server->nstreams;
}

static void http(fake_conn *c, const char *head)
{
    char method[16] = "", target[1024] = "";
    sscanf(head, "%15s %1023s", method, target);
    static char body[1 << 16];
    body[0] = '\0';
    int status = c->server->h.on_http
                     ? c->server->h.on_http(method, target, body, sizeof body, c->server->h.ud)
                     : 404;
    if (status == 404 && !body[0])
        snprintf(body, sizeof body,
                 "{\"error\":{\"code\":\"not_found\",\"message\":\"the fake has no %s\"}}", target);
    char reply[256];
    int n = snprintf(reply, sizeof reply,
                     "HTTP/1.1 %d Fake\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     status, strlen(body));
    write_all(c, reply, (size_t)n);
    write_all(c, body, strlen(body));
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
}

/* Handles a complete request head (and skips its body); 0 when more bytes are needed. */
static size_t handle_request(fake_conn *c)
{
    char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
    if (!end)
        return 0;
    size_t head_len = (size_t)(end - c->in) + 4;
    char *head = strndup(c->in, head_len);
    char value[32];
    size_t body_len =
        header(head, "Content-Length", value, sizeof value) ? strtoul(value, NULL, 10) : 0;
    if (c->in_len < head_len + body_len) {
        free(head);
        return 0;
    }
    if (header(head, "Upgrade", value, sizeof value) && !strcasecmp(value, "websocket"))
        upgrade(c, head);
    else
        http(c, head);
    free(head);
    return head_len + body_len;
}

/* ---- reading: WebSocket frames ------------------------------------------------ */

static void on_text(fake_conn *c, const char *text, size_t len)
{
    nax_stream_op *op = NULL;
    if (nax_decode(&op, NAX_TYPE_STREAM_OP, text, len, NULL) != 0) {
        /* The server's thread cannot fail a Check test: stop loudly. */
        fprintf(stderr, "the fake cannot read an op: %.*s\n", (int)len, text);
        abort();
    }
    if (c->server->h.on_op)
        c->server->h.on_op(c, op, c->server->h.ud);
    nax_object_free(op);
}

/* Handles one complete frame; 0 when more bytes are needed. */
static size_t handle_frame(fake_conn *c)
{
    const unsigned char *p = (const unsigned char *)c->in;
    if (c->in_len < 2)
        return 0;
    int fin = p[0] & 0x80, opcode = p[0] & 0x0f, masked = p[1] & 0x80;
    uint64_t len = p[1] & 0x7f;
    size_t at = 2;
    if (len == 126) {
        if (c->in_len < 4)
            return 0;
        len = ((uint64_t)p[2] << 8) | p[3];
        at = 4;
    } else if (len == 127) {
        if (c->in_len < 10)
            return 0;
        len = 0;
        for (int i = 0; i < 8; i++)
            len = (len << 8) | p[2 + i];
        at = 10;
    }
    const unsigned char *mask = p + at;
    if (masked)
        at += 4;
    if (c->in_len < at + len)
        return 0;
    unsigned char *payload = (unsigned char *)c->in + at;
    for (uint64_t i = 0; masked && i < len; i++)
        payload[i] ^= mask[i % 4];
    if (opcode == 1 || opcode == 0) {
        c->message = realloc(c->message, c->message_len + len + 1);
        memcpy(c->message + c->message_len, payload, len);
        c->message_len += len;
        if (fin) {
            on_text(c, c->message, c->message_len);
            c->message_len = 0;
        }
    } else if (opcode == 8) {
        send_frame(c, 8, payload, len < 2 ? len : 2);
        if (c->fd >= 0) {
            close(c->fd);
            c->fd = -1;
        }
    } else if (opcode == 9) {
        send_frame(c, 10, payload, len);
    }
    return at + len;
}

static void on_readable(fake_conn *c)
{
    if (c->in_cap - c->in_len < 4096) {
        c->in_cap = c->in_cap * 2 + 8192;
        c->in = realloc(c->in, c->in_cap);
    }
    ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
    if (n <= 0) {
        close(c->fd);
        c->fd = -1;
        return;
    }
    c->in_len += (size_t)n;
    for (;;) {
        size_t used = c->fd < 0 ? 0 : c->upgraded ? handle_frame(c) : handle_request(c);
        if (!used)
            return;
        memmove(c->in, c->in + used, c->in_len - used);
        c->in_len -= used;
    }
}

/* ---- the thread ------------------------------------------------------------------ */

static void accept_one(fake_server *f)
{
    int fd = accept(f->listen_fd, NULL, NULL);
    if (fd < 0)
        return;
    if (f->nconns == MAX_CONNS) {
        close(fd);
        return;
    }
    fake_conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return;
    }
    c->server = f;
    c->fd = fd;
    f->conns[f->nconns++] = c;
}

static void *run(void *arg)
{
    fake_server *f = arg;
    for (;;) {
        struct pollfd pfd[MAX_CONNS + 1];
        fake_conn *who[MAX_CONNS + 1];
        nfds_t n = 0;
        pthread_mutex_lock(&f->lock);
        if (f->stop) {
            pthread_mutex_unlock(&f->lock);
            return NULL;
        }
        pfd[n] = (struct pollfd){f->listen_fd, POLLIN, 0};
        who[n++] = NULL;
        for (int i = 0; i < f->nconns; i++) {
            if (f->conns[i]->fd >= 0) {
                pfd[n] = (struct pollfd){f->conns[i]->fd, POLLIN, 0};
                who[n++] = f->conns[i];
            }
        }
        pthread_mutex_unlock(&f->lock);
        if (poll(pfd, n, 20) <= 0)
            continue;
        pthread_mutex_lock(&f->lock);
        for (nfds_t i = 0; i < n; i++) {
            if (!pfd[i].revents)
                continue;
            if (!who[i])
                accept_one(f);
            else if (who[i]->fd == pfd[i].fd) /* not dropped meanwhile */
                on_readable(who[i]);
        }
        pthread_mutex_unlock(&f->lock);
    }
}

fake_server *fake_start(const fake_handlers *h)
{
    fake_server *f = calloc(1, sizeof *f);
    ck_assert_ptr_nonnull(f);
    f->h = *h;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&f->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    f->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(f->listen_fd, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(f->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(f->listen_fd, 16), 0);
    socklen_t alen = sizeof a;
    ck_assert_int_eq(getsockname(f->listen_fd, (struct sockaddr *)&a, &alen), 0);
    f->port = ntohs(a.sin_port);
    ck_assert_int_eq(pthread_create(&f->thread, NULL, run, f), 0);
    return f;
}

int fake_port(const fake_server *f)
{
    return f->port;
}

void fake_stop(fake_server *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->lock);
    f->stop = 1;
    pthread_mutex_unlock(&f->lock);
    pthread_join(f->thread, NULL);
    for (int i = 0; i < f->nconns; i++) {
        fake_conn *c = f->conns[i];
        if (c->fd >= 0)
            close(c->fd);
        for (int k = 0; k < MAX_SUBS; k++)
            free(c->subs[k]);
        free(c->in);
        free(c->message);
        free(c);
    }
    close(f->listen_fd);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

int fake_on_server_thread(const fake_server *f)
{
    return f && pthread_equal(pthread_self(), f->thread);
}

void fake_lock(fake_server *f)
{
    pthread_mutex_lock(&f->lock);
}

void fake_unlock(fake_server *f)
{
    pthread_mutex_unlock(&f->lock);
}

fake_conn *fake_stream_conn(fake_server *f)
{
    fake_conn *newest = NULL;
    pthread_mutex_lock(&f->lock);
    for (int i = 0; i < f->nconns; i++)
        if (f->conns[i]->upgraded)
            newest = f->conns[i];
    pthread_mutex_unlock(&f->lock);
    return newest;
}

int fake_stream_conns(fake_server *f)
{
    pthread_mutex_lock(&f->lock);
    int n = f->nstreams;
    pthread_mutex_unlock(&f->lock);
    return n;
}

int fake_conn_number(const fake_conn *c)
{
    return c->number;
}

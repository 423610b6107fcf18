/* A minimal WebSocket client for the stream load generator; see ws_client.h. */
#define _POSIX_C_SOURCE 200809L
#include "ws_client.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define OP_CONT  0x0
#define OP_TEXT  0x1
#define OP_BIN   0x2
#define OP_CLOSE 0x8
#define OP_PING  0x9
#define OP_PONG  0xA

static int grow(unsigned char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 65536;
    while (n < need)
        n *= 2;
    unsigned char *p = realloc(*buf, n);
    if (!p)
        return -1;
    *buf = p;
    *cap = n;
    return 0;
}

static int send_all(int fd, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {fd, POLLOUT, 0};
            poll(&pfd, 1, 1000);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            return -1;
        }
    }
    return 0;
}

static int send_frame(wsc *c, int opcode, const void *payload, size_t len)
{
    unsigned char head[14];
    size_t h = 0;
    head[h++] = (unsigned char)(0x80 | opcode);
    if (len < 126) {
        head[h++] = (unsigned char)(0x80 | len);
    } else if (len <= 0xffff) {
        head[h++] = 0x80 | 126;
        head[h++] = (unsigned char)(len >> 8);
        head[h++] = (unsigned char)len;
    } else {
        head[h++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--)
            head[h++] = (unsigned char)((uint64_t)len >> (8 * i));
    }
    /* A client must mask; the key need not be secret for a load generator. */
    unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
    memcpy(head + h, key, 4);
    h += 4;
    unsigned char *frame = malloc(h + len);
    if (!frame)
        return -1;
    memcpy(frame, head, h);
    const unsigned char *p = payload;
    for (size_t i = 0; i < len; i++)
        frame[h + i] = p[i] ^ key[i & 3];
    int rc = send_all(c->fd, frame, h + len);
    free(frame);
    return rc;
}

int wsc_send_text(wsc *c, const char *text, size_t len)
{
    return send_frame(c, OP_TEXT, text, len);
}

int wsc_connect(wsc *c, const char *host, int port, const char *path)
{
    memset(c, 0, sizeof(*c));
    c->fd = -1;
    char portbuf[16];
    snprintf(portbuf, sizeof portbuf, "%d", port);
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, portbuf, &hints, &ai) != 0 || !ai) {
        fprintf(stderr, "ws: cannot resolve %s\n", host);
        return -1;
    }
    c->fd = socket(ai->ai_family, SOCK_STREAM, 0);
    if (c->fd < 0 || connect(c->fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        fprintf(stderr, "ws: connect %s:%d: %s\n", host, port, strerror(errno));
        freeaddrinfo(ai);
        return -1;
    }
    freeaddrinfo(ai);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n",
                     path, host, port);
    if (send_all(c->fd, req, (size_t)n) != 0)
        return -1;
    /* Read the answer head; frames may follow it in the same read. */
    char head[4096];
    size_t got = 0;
    char *end = NULL;
    while (!end) {
        if (got == sizeof head - 1) {
            fprintf(stderr, "ws: upgrade answer too long\n");
            return -1;
        }
        ssize_t r = recv(c->fd, head + got, sizeof head - 1 - got, 0);
        if (r <= 0) {
            fprintf(stderr, "ws: connection closed during the upgrade\n");
            return -1;
        }
        got += (size_t)r;
        head[got] = '\0';
        end = strstr(head, "\r\n\r\n");
    }
    if (strncmp(head, "HTTP/1.1 101", 12) != 0) {
        fprintf(stderr, "ws: upgrade refused: %.*s\n", (int)strcspn(head, "\r"), head);
        return -1;
    }
    size_t rest = got - (size_t)(end + 4 - head);
    if (rest) {
        if (grow(&c->rx, &c->rx_cap, rest))
            return -1;
        memcpy(c->rx, end + 4, rest);
        c->rx_len = rest;
    }
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    return 0;
}

/* Parses the frames in c->rx. Returns -1 once a close frame was seen. */
static int parse(wsc *c, wsc_message_fn fn, void *user)
{
    size_t off = 0;
    int rc = 0;
    while (c->rx_len - off >= 2) {
        const unsigned char *p = c->rx + off;
        size_t avail = c->rx_len - off;
        int fin = p[0] & 0x80, opcode = p[0] & 0x0f, masked = p[1] & 0x80;
        uint64_t len = p[1] & 0x7f;
        size_t h = 2;
        if (len == 126) {
            if (avail < 4)
                break;
            len = ((uint64_t)p[2] << 8) | p[3];
            h = 4;
        } else if (len == 127) {
            if (avail < 10)
                break;
            len = 0;
            for (int i = 0; i < 8; i++)
                len = (len << 8) | p[2 + i];
            h = 10;
        }
        unsigned char mask[4] = {0};
        if (masked) { /* servers do not mask, but be lenient */
            if (avail < h + 4)
                break;
            memcpy(mask, p + h, 4);
            h += 4;
        }
        if (avail < h + len)
            break;
        unsigned char *payload = c->rx + off + h;
        if (masked)
            for (uint64_t i = 0; i < len; i++)
                payload[i] ^= mask[i & 3];
        off += h + (size_t)len;
        if (opcode == OP_PING) {
            send_frame(c, OP_PONG, payload, (size_t)len);
        } else if (opcode == OP_CLOSE) {
            c->close_code = len >= 2 ? (payload[0] << 8) | payload[1] : 1005;
            c->closed = 1;
            rc = -1;
            break;
        } else if (opcode == OP_TEXT || opcode == OP_BIN || opcode == OP_CONT) {
            if (fin && !c->in_fragment) {
                fn(c, (const char *)payload, (size_t)len, user);
            } else {
                if (grow(&c->msg, &c->msg_cap, c->msg_len + (size_t)len))
                    return -1;
                memcpy(c->msg + c->msg_len, payload, (size_t)len);
                c->msg_len += (size_t)len;
                c->in_fragment = !fin;
                if (fin) {
                    fn(c, (const char *)c->msg, c->msg_len, user);
                    c->msg_len = 0;
                }
            }
        }
    }
    memmove(c->rx, c->rx + off, c->rx_len - off);
    c->rx_len -= off;
    return rc;
}

int wsc_read(wsc *c, wsc_message_fn fn, void *user)
{
    if (c->closed)
        return -1;
    if (c->rx_len && parse(c, fn, user))
        return -1;
    for (;;) {
        if (grow(&c->rx, &c->rx_cap, c->rx_len + 65536))
            return -1;
        ssize_t n = recv(c->fd, c->rx + c->rx_len, c->rx_cap - c->rx_len, 0);
        if (n > 0) {
            /* One read per call: the caller's epoll comes back for more,
             * so no connection starves the others. */
            c->rx_len += (size_t)n;
            return parse(c, fn, user);
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n < 0 && errno == EINTR)
            continue;
        c->closed = 1;
        return -1;
    }
}

void wsc_close(wsc *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->rx);
    free(c->msg);
    c->rx = c->msg = NULL;
    c->rx_len = c->rx_cap = c->msg_len = c->msg_cap = 0;
}

/* Fault injection (naxd --fault-injection): lost and corrupted book
 * updates, a stalled server and an abrupt close of every connection, so
 * clients can prove they heal. */
#include <sys/socket.h>

#include "internal.h"

/* Connections open now send nothing and read nothing for ms: incoming
 * frames stay unread in the socket (lws rx flow control) and are answered
 * once the stall ends; events published meanwhile are queued (and may make
 * the connection lag). */
static void stall(naxd_stream *s, uint32_t ms)
{
    int64_t until = naxd__mono_ms() + ms;
    for (naxd__conn *c = s->conns; c; c = c->next) {
        if (c->close_code)
            continue;
        c->stall_until_ms = until;
        lws_rx_flow_control(c->wsi, 0);
        naxd__conn_timer(c);
    }
}

/* No close frame: the socket is shut down under lws, which then drops the
 * connection as it would a dead peer. */
static void close_abruptly(naxd_stream *s)
{
    for (naxd__conn *c = s->conns; c; c = c->next) {
        int fd = (int)lws_get_socket_fd(c->wsi);
        if (fd >= 0)
            shutdown(fd, SHUT_RDWR);
        c->closed_code = LWS_CLOSE_STATUS_ABNORMAL_CLOSE;
        naxd__conn_queue_free(c);
        lws_set_timeout(c->wsi, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
    }
}

int naxd_stream_inject(naxd_stream *s, const naxd_stream_fault *f)
{
    if (!s || !f)
        return nax__error(NAX_EINVAL, "naxd_stream_inject: NULL argument");
    if (f->drop_updates || f->corrupt_checksums) {
        if (f->pair && f->pair[0]) {
            naxd__pair *p = naxd__pair_get(s, f->pair);
            if (!p)
                return nax__error_oom();
            p->drop_updates += f->drop_updates;
            p->corrupt_checksums += f->corrupt_checksums;
        } else {
            s->drop_updates += f->drop_updates;
            s->corrupt_checksums += f->corrupt_checksums;
        }
    }
    if (f->stall_ms)
        stall(s, f->stall_ms);
    if (f->close_all)
        close_abruptly(s);
    return 0;
}

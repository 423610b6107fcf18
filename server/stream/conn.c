/* One WebSocket connection: the lws protocol callback, reassembly of
 * incoming messages and the frame-level limits, the writeable turn, the
 * connection's timer (idle, keepalive ping, token expiry, stall) and closing. */
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "internal.h"

int64_t naxd__mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* lws hands WebSocket reasons to protocols[0] when the client named no
 * protocol, so the stream is found through its own protocol's entry. */
static naxd_stream *stream_of(struct lws *wsi)
{
    const struct lws_protocols *p =
        lws_vhost_name_to_protocol(lws_get_vhost(wsi), NAXD_STREAM_PROTOCOL_NAME);
    return p ? p->user : NULL;
}

static int on_established(struct lws *wsi, naxd__conn *c)
{
    naxd_stream *s = stream_of(wsi);
    if (!s || !c)
        return -1;
    memset(c, 0, sizeof(*c));
    c->lag_at = nax__calloc(s->lim.max_lagging + 1, sizeof(*c->lag_at));
    if (!c->lag_at)
        return -1;
    c->s = s;
    c->wsi = wsi;
    lws_get_peer_simple(wsi, c->peer, sizeof(c->peer));
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->nconns++;
    naxd_gauge_set(s->m_conns, (int64_t)s->nconns);
    c->last_rx_ms = naxd__mono_ms();
    c->bucket_milli = 2000 * (int64_t)s->lim.ops_per_second;
    c->bucket_at_ms = c->last_rx_ms;
    naxd__conn_timer(c);
    return 0;
}

void naxd__conn_forget(naxd__conn *c)
{
    naxd_stream *s = c->s;
    if (!s)
        return;
    /* no timer may outlive this record (lws frees it after CLOSED) */
    if (c->wsi)
        lws_set_timer_usecs(c->wsi, LWS_SET_TIMER_USEC_CANCEL);
    c->wsi = NULL;
    while (c->nsubs)
        naxd__sub_remove(c->subs[c->nsubs - 1]);
    nax__free(c->subs);
    c->subs = NULL;
    c->subs_cap = 0;
    naxd__conn_set_user(c, NULL, 0);
    naxd__conn_queue_free(c);
    nax_buf_dispose(&c->rx);
    nax__free(c->lag_at);
    c->lag_at = NULL;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    s->nconns--;
    naxd_gauge_set(s->m_conns, (int64_t)s->nconns);
    c->s = NULL;
}

void naxd__conn_close(naxd__conn *c, int code, const char *why)
{
    if (!c->s || c->close_code)
        return;
    c->close_code = code;
    c->close_why = why;
    c->closed_code = code;
    /* what was queued will never be read: free it now */
    naxd__conn_queue_free(c);
    naxd__conn_close_flushed(c, code, why);
}

void naxd__conn_close_flushed(naxd__conn *c, int code, const char *why)
{
    if (!c->s)
        return;
    if (!c->close_code) {
        c->close_code = code;
        c->close_why = why;
        c->closed_code = code;
    }
    lws_callback_on_writable(c->wsi);
    /* a reader that never reads never gives a writeable turn */
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, NAXD_STREAM_CLOSE_GRACE_S);
}

/* Closes from inside a callback of this connection: the close frame carries
 * code; the caller returns -1. */
static int close_now(naxd__conn *c, int code, const char *why)
{
    lws_close_reason(c->wsi, (enum lws_close_status)code, (unsigned char *)why, strlen(why));
    c->closed_code = code;
    return -1;
}

/* ---- the timer ---- */

void naxd__conn_timer(naxd__conn *c)
{
    if (!c->s || !c->wsi)
        return;
    int64_t now = naxd__mono_ms();
    int64_t idle_ms = (int64_t)c->s->lim.idle_timeout_s * 1000;
    int64_t next;
    if (c->stall_until_ms)
        next = c->stall_until_ms;
    else if (!c->ping_sent)
        next = c->last_rx_ms + idle_ms / 2;
    else
        next = c->last_rx_ms + idle_ms;
    if (c->expires_at_ms && c->expires_at_ms < next)
        next = c->expires_at_ms;
    int64_t wait = next - now;
    if (wait < 1)
        wait = 1;
    lws_set_timer_usecs(c->wsi, (lws_usec_t)wait * 1000);
}

static int on_timer(naxd__conn *c)
{
    int64_t now = naxd__mono_ms();
    int64_t idle_ms = (int64_t)c->s->lim.idle_timeout_s * 1000;
    if (c->expires_at_ms && now >= c->expires_at_ms) {
        naxd__end_private(c, "token_expired",
                          "access token expired; authenticate again and resubscribe");
        naxd__conn_set_user(c, NULL, 0);
    }
    if (c->stall_until_ms) {
        if (now < c->stall_until_ms) {
            naxd__conn_timer(c);
            return 0;
        }
        c->stall_until_ms = 0;
        c->last_rx_ms = now; /* the stall was ours, not the client's silence */
        lws_rx_flow_control(c->wsi, 1);
        lws_callback_on_writable(c->wsi);
    }
    if (c->close_code) {
        lws_callback_on_writable(c->wsi);
        return 0;
    }
    if (now - c->last_rx_ms >= idle_ms)
        return close_now(c, LWS_CLOSE_STATUS_GOINGAWAY, "idle timeout");
    if (!c->ping_sent && now - c->last_rx_ms >= idle_ms / 2) {
        /* a quiet client is asked for a pong before the idle timeout */
        c->ping_due = 1;
        lws_callback_on_writable(c->wsi);
    }
    naxd__conn_timer(c);
    return 0;
}

/* ---- reading ---- */

static void note_activity(naxd__conn *c)
{
    c->last_rx_ms = naxd__mono_ms();
    if (c->ping_sent || c->ping_due) {
        c->ping_sent = c->ping_due = 0;
        naxd__conn_timer(c);
    }
}

static int on_receive(naxd__conn *c, const char *in, size_t len)
{
    struct lws *wsi = c->wsi;
    note_activity(c);
    if (c->close_code)
        return 0; /* closing: what arrives now is ignored */
    if (lws_frame_is_binary(wsi))
        return close_now(c, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE,
                         "binary frames are not supported");
    if (lws_is_first_fragment(wsi))
        nax__buf_reset(&c->rx);
    size_t remaining = lws_remaining_packet_payload(wsi);
    if (c->rx.len + len + remaining > c->s->lim.max_frame_bytes)
        return close_now(c, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "message too large");
    if (len && nax__buf_append(&c->rx, in, len))
        return close_now(c, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION, "out of memory");
    if (!lws_is_final_fragment(wsi))
        return 0;
    size_t n = c->rx.len;
    if (!naxd__utf8_valid((const unsigned char *)c->rx.data, n))
        return close_now(c, LWS_CLOSE_STATUS_INVALID_PAYLOAD, "invalid UTF-8");
    naxd__handle_frame(c, n ? c->rx.data : "", n);
    nax__buf_reset(&c->rx);
    if (c->rx.cap > NAXD_STREAM_RX_BUFFER) /* one big message does not pin its buffer */
        nax_buf_dispose(&c->rx);
    if (c->close_code && !c->q_len) /* an op broke a limit: close at once */
        return close_now(c, c->close_code, c->close_why);
    return 0;
}

/* ---- writing ---- */

static int on_writeable(naxd__conn *c)
{
    struct lws *wsi = c->wsi;
    if (c->close_code && !c->q_len)
        return close_now(c, c->close_code, c->close_why);
    if (c->stall_until_ms)
        return 0;
    if (c->ping_due) {
        /* with a payload: lws reports no pong that echoes an empty one */
        unsigned char ping[LWS_PRE + 4];
        memcpy(ping + LWS_PRE, "naxd", 4);
        c->ping_due = 0;
        c->ping_sent = 1;
        if (lws_write(wsi, ping + LWS_PRE, 4, LWS_WRITE_PING) < 0)
            return -1;
        naxd__conn_timer(c);
        if (c->q_len)
            lws_callback_on_writable(wsi);
        return 0;
    }
    /* The queued frames (headers included, see naxd__msg_new) go out
     * gathered in one raw write, as many as fit in a chunk; a frame larger
     * than a chunk goes alone from its own buffer. lws keeps what the
     * socket does not take and sends it before the next writeable turn. */
    uint64_t sent = 0;
    naxd_stream *s = c->s;
    if (c->q_len) {
        naxd__msg *first = c->q[c->q_head];
        int w;
        if (first->frame_len > NAXD_STREAM_WRITE_CHUNK) {
            naxd__conn_pop(c);
            w = lws_write(wsi, first->frame, first->frame_len, LWS_WRITE_RAW);
            naxd__msg_unref(first);
            sent = 1;
        } else {
            unsigned char *out = s->wbuf + LWS_PRE;
            size_t n = 0;
            while (c->q_len && n + c->q[c->q_head]->frame_len <= NAXD_STREAM_WRITE_CHUNK) {
                naxd__msg *m = naxd__conn_pop(c);
                memcpy(out + n, m->frame, m->frame_len);
                n += m->frame_len;
                naxd__msg_unref(m);
                sent++;
            }
            w = lws_write(wsi, out, n, LWS_WRITE_RAW);
        }
        if (w < 0)
            return -1;
    }
    naxd__count_sent(c->s, sent);
    if (c->close_code && !c->q_len)
        return close_now(c, c->close_code, c->close_why);
    if (c->resnaps)
        naxd__send_resnaps(c);
    if (c->q_len)
        lws_callback_on_writable(wsi);
    return 0;
}

static void on_closed(naxd__conn *c)
{
    naxd_stream *s = c->s;
    if (!s)
        return;
    naxd__count_closed(s, c->closed_code ? c->closed_code : LWS_CLOSE_STATUS_ABNORMAL_CLOSE);
    naxd__conn_forget(c);
}

/* The close code a peer sent, from its close frame's payload. */
static void on_peer_close(naxd__conn *c, const unsigned char *in, size_t len)
{
    if (c->s && !c->closed_code)
        c->closed_code = len >= 2 ? (in[0] << 8 | in[1]) : LWS_CLOSE_STATUS_NO_STATUS;
}

int naxd__callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                   size_t len)
{
    naxd__conn *c = user;
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED: return on_established(wsi, c);
    case LWS_CALLBACK_RECEIVE: return c && c->s ? on_receive(c, in, len) : -1;
    case LWS_CALLBACK_RECEIVE_PONG:
        if (c && c->s)
            note_activity(c);
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE: return c && c->s ? on_writeable(c) : -1;
    case LWS_CALLBACK_TIMER: return c && c->s ? on_timer(c) : 0;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (c)
            on_peer_close(c, in, len);
        return 0;
    case LWS_CALLBACK_CLOSED:
        if (c)
            on_closed(c);
        return 0;
    default: return 0;
    }
}

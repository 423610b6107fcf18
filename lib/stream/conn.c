/*
 * The connection: one lws context per stream, the client protocol callback,
 * timers on lws' scheduler, the heartbeat, reconnects with full-jitter
 * backoff, the outgoing frame queue and the reassembly of incoming
 * messages. Everything here runs on the driving thread.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "auth/auth.h"
#include "stream/stream_internal.h"

/* Longest close handshake before the socket is simply dropped. */
#define CLOSE_GRACE_MS 1000
/* Incoming buffers above this are released after their message. */
#define RX_KEEP_BYTES (1u << 20)

/* ---- libwebsockets' log goes to libnax's, at debug level ------------------ */

static void lws_log_line(int level, const char *line)
{
    (void)level;
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    nax__log(NAX_LOG_DEBUG, "lws: %.*s", (int)n, line);
}

static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static void log_setup(void)
{
    lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_line);
}

/* ---- timers ---------------------------------------------------------------- */

static void timer_cb(lws_sorted_usec_list_t *sul)
{
    nax__timer *t = lws_container_of(sul, nax__timer, sul);
    t->armed = 0;
    t->fire(t->stream);
}

void nax__timer_init(nax__timer *t, nax_stream *s, void (*fire)(nax_stream *s))
{
    memset(t, 0, sizeof *t);
    t->stream = s;
    t->fire = fire;
}

void nax__timer_set(nax__timer *t, uint64_t delay_ms)
{
    t->armed = 1;
    t->due = lws_now_usecs() + (lws_usec_t)delay_ms * 1000;
    lws_sul_schedule(t->stream->ctx, 0, &t->sul, timer_cb, (lws_usec_t)delay_ms * 1000);
}

void nax__timer_cancel(nax__timer *t)
{
    if (t->armed)
        lws_sul_cancel(&t->sul);
    t->armed = 0;
}

int nax__stream_next_timer_ms(nax_stream *s, int cap)
{
    const nax__timer *timers[] = {&s->t_connect, &s->t_timeout, &s->t_ping,  &s->t_catchup,
                                  &s->t_close,   &s->t_wake,    &s->t_flush, &s->t_retry};
    lws_usec_t now = lws_now_usecs(), best = (lws_usec_t)cap * 1000;
    for (size_t i = 0; i < sizeof timers / sizeof timers[0]; i++) {
        if (!timers[i]->armed)
            continue;
        lws_usec_t d = timers[i]->due > now ? timers[i]->due - now : 0;
        if (d < best)
            best = d;
    }
    return (int)((best + 999) / 1000);
}

/* ---- the outgoing queue ------------------------------------------------------ */

static void request_write(nax_stream *s)
{
    if (s->wsi) {
        s->want_write = 1;
        lws_callback_on_writable(s->wsi);
    }
}

int nax__stream_send(nax_stream *s, const char *data, size_t len)
{
    if (!s->wsi || !s->established)
        return nax__error(NAX_ESTATE, "the stream is not connected");
    nax__frame *f = nax__malloc(sizeof *f + LWS_PRE + len);
    if (!f)
        return nax__error_oom();
    f->next = NULL;
    f->len = len;
    memcpy(f->data + LWS_PRE, data, len);
    if (s->out_tail)
        s->out_tail->next = f;
    else
        s->out_head = f;
    s->out_tail = f;
    request_write(s);
    return 0;
}

void nax__frame_free(nax__frame *f)
{
    if (!f)
        return;
    /* An auth op's frame holds a token or a signature (masked in place once
     * written): every frame is wiped, they are small. */
    OPENSSL_cleanse(f->data, LWS_PRE + f->len);
    nax__free(f);
}

void nax__stream_free_frames(nax_stream *s)
{
    while (s->out_head) {
        nax__frame *f = s->out_head;
        s->out_head = f->next;
        nax__frame_free(f);
    }
    s->out_tail = NULL;
}

static int on_writeable(nax_stream *s, struct lws *wsi)
{
    s->want_write = 0;
    if (s->halted || s->dropping) {
        lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
        return -1;
    }
    nax__frame *f = s->out_head;
    if (!f)
        return 0;
    s->out_head = f->next;
    if (!s->out_head)
        s->out_tail = NULL;
    int n = lws_write(wsi, f->data + LWS_PRE, f->len, LWS_WRITE_TEXT);
    int short_write = n < (int)f->len;
    nax__frame_free(f);
    if (short_write) {
        s->drop_reason = NAX_STREAM_REASON_CONNECT_FAILED;
        s->drop_error = NAX_ENETWORK;
        return -1;
    }
    if (s->out_head)
        request_write(s);
    return 0;
}

/* ---- connecting, reconnecting, closing ----------------------------------------- */

/* min(max, min * 2^(attempt-1)) */
static uint64_t backoff_ceiling(const nax_stream *s, unsigned int attempt)
{
    uint64_t ceiling = s->opts.reconnect_min_ms, cap = s->opts.reconnect_max_ms;
    for (unsigned int i = 1; i < attempt && ceiling < cap; i++)
        ceiling *= 2;
    return ceiling > cap ? cap : ceiling;
}

/* Uniform in [0, n]. */
static uint64_t random_upto(nax_stream *s, uint64_t n)
{
    uint64_t r = 0;
    if (s->hooks.random_u64)
        r = s->hooks.random_u64(s->hooks.userdata);
    else if (nax__random_bytes(&r, sizeof r) != 0)
        r = (uint64_t)lws_now_usecs() * 0x9E3779B97F4A7C15ull; /* jitter only */
    return (uint64_t)(((unsigned __int128)r * (n + 1)) >> 64);
}

/* Full jitter: uniform in [0, ceiling]. */
static uint64_t backoff_ms(nax_stream *s)
{
    return random_upto(s, backoff_ceiling(s, s->attempt));
}

/* Half the ceiling at least: a server that refused or ended a subscription
 * is not asked again at once. */
uint64_t nax__stream_retry_delay_ms(nax_stream *s, unsigned int attempt)
{
    uint64_t ceiling = backoff_ceiling(s, attempt);
    return ceiling - random_upto(s, ceiling / 2);
}

void nax__stream_finish(nax_stream *s)
{
    if (s->loop_exit)
        return;
    nax__timer *timers[] = {&s->t_connect, &s->t_timeout, &s->t_ping, &s->t_catchup,
                            &s->t_close,   &s->t_flush,   &s->t_retry};
    for (size_t i = 0; i < sizeof timers / sizeof timers[0]; i++)
        nax__timer_cancel(timers[i]);
    s->loop_exit = 1;
    nax__stream_event(s, NAX_STREAM_CLOSED, s->halt_reason, NULL,
                      s->halt_reason == NAX_STREAM_REASON_CALLBACK ? NAX_EUSER : 0, "%s",
                      s->halt_reason == NAX_STREAM_REASON_CALLBACK ? "a callback stopped the stream"
                                                                   : "stopped");
}

/* Why we dropped the connection ourselves, in words. */
static const char *drop_text(const nax_stream *s)
{
    switch (s->drop_reason) {
    case NAX_STREAM_REASON_DEAD: return "pings went unanswered: the connection is dead";
    case NAX_STREAM_REASON_CONNECT_FAILED:
        return s->drop_error == NAX_ETIMEOUT ? "no connection within connect_timeout_ms"
                                             : "writing to the connection failed";
    case NAX_STREAM_REASON_PROTOCOL: return "a message could not be read";
    default: return s->drop_error == NAX_ENOMEM ? "out of memory" : "dropped the connection";
    }
}

static void on_disconnect(nax_stream *s, nax_stream_reason reason, int error, const char *why)
{
    if (!s->attempt_open)
        return;
    if (s->destroying) {
        s->attempt_open = s->established = 0;
        s->wsi = NULL;
        return;
    }
    s->attempt_open = 0;
    s->wsi = NULL;
    int was_open = s->established;
    int dropped = s->dropping || s->drop_reason;
    s->established = 0;
    s->dropping = 0;
    s->want_write = 0;
    s->ping_outstanding = 0;
    s->missed = 0;
    nax__timer_cancel(&s->t_timeout);
    nax__timer_cancel(&s->t_ping);
    nax__timer_cancel(&s->t_close);
    nax__timer_cancel(&s->t_flush);
    nax__timer_cancel(&s->t_retry);
    nax__stream_free_frames(s);
    nax__buf_reset(&s->rx);
    s->rx_done = 1;
    if (was_open)
        nax__stream_on_close(s);
    s->live_reported = 0;
    if (s->destroying)
        return;
    if (s->halted) {
        nax__stream_finish(s);
        return;
    }
    if (dropped) {
        reason = s->drop_reason;
        error = s->drop_error;
        why = drop_text(s);
    } else if (was_open) {
        reason = NAX_STREAM_REASON_SERVER_CLOSED;
    }
    char message[256];
    if (s->close_code)
        snprintf(message, sizeof message, "%s (close code %d%s%s)", why, s->close_code,
                 s->close_text[0] ? ": " : "", s->close_text);
    else
        snprintf(message, sizeof message, "%s", why);
    uint64_t delay = backoff_ms(s);
    nax__stream_event_reconnecting(s, reason, error, delay, message);
    if (!s->halted)
        nax__timer_set(&s->t_connect, delay);
    else
        nax__stream_finish(s);
}

static void connect_now(nax_stream *s)
{
    if (s->halted || s->attempt_open)
        return;
    s->attempt++;
    s->drop_reason = NAX_STREAM_REASON_NONE;
    s->drop_error = 0;
    s->close_code = 0;
    s->close_text[0] = '\0';
    nax__stream_event(s, NAX_STREAM_CONNECTING,
                      s->attempt == 1 && !s->connected_once ? NAX_STREAM_REASON_START
                                                            : NAX_STREAM_REASON_NONE,
                      NULL, 0, "connecting to %s", s->url);
    if (s->halted)
        return;
    struct lws_client_connect_info i;
    memset(&i, 0, sizeof i);
    i.context = s->ctx;
    i.address = s->host;
    i.port = s->port;
    i.path = s->path;
    i.host = s->host_header;
    i.local_protocol_name = "nax-stream";
    i.pwsi = &s->wsi;
    if (s->tls) {
        i.ssl_connection = LCCSCF_USE_SSL;
        if (s->tls_insecure)
            i.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
                                LCCSCF_ALLOW_EXPIRED | LCCSCF_ALLOW_INSECURE;
    }
    s->attempt_open = 1;
    s->rx_done = 1;
    nax__timer_set(&s->t_timeout, s->opts.connect_timeout_ms);
    if (!lws_client_connect_via_info(&i))
        on_disconnect(s, NAX_STREAM_REASON_CONNECT_FAILED, NAX_ENETWORK,
                      "could not start connecting");
}

static void connect_fire(nax_stream *s)
{
    connect_now(s);
}

static void timeout_fire(nax_stream *s)
{
    if (!s->attempt_open || s->established)
        return;
    nax__stream_kill(s, NAX_STREAM_REASON_CONNECT_FAILED, NAX_ETIMEOUT);
    if (!s->wsi) /* lws gave the attempt up without telling: nothing to wait for */
        on_disconnect(s, NAX_STREAM_REASON_CONNECT_FAILED, NAX_ETIMEOUT, "connecting timed out");
}

static void close_fire(nax_stream *s)
{
    if (s->attempt_open && s->wsi)
        lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    else if (!s->attempt_open)
        nax__stream_finish(s);
}

/* Only ends a wait in nax_stream_service(). */
static void wake_fire(nax_stream *s)
{
    (void)s;
}

void nax__stream_kill(nax_stream *s, nax_stream_reason reason, int error)
{
    if (!s->attempt_open || s->dropping)
        return;
    s->dropping = 1;
    s->drop_reason = reason;
    s->drop_error = error;
    if (s->wsi)
        lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

void nax__stream_halt(nax_stream *s, nax_stream_reason reason)
{
    if (s->halted)
        return;
    s->halted = 1;
    s->halt_reason = reason;
    nax__timer_cancel(&s->t_connect);
    nax__timer_cancel(&s->t_ping);
    nax__timer_cancel(&s->t_catchup);
    if (!s->attempt_open) {
        nax__stream_finish(s);
        return;
    }
    if (s->established && s->wsi) {
        request_write(s); /* the close frame goes out from the writable callback */
        nax__timer_set(&s->t_close, CLOSE_GRACE_MS);
    } else if (s->wsi) {
        lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    } else {
        s->attempt_open = 0;
        nax__stream_finish(s);
    }
}

/* ---- the heartbeat ----------------------------------------------------------------- */

static void ping_fire(nax_stream *s)
{
    if (!s->established || s->dropping || s->halted)
        return;
    if (s->ping_outstanding) {
        s->missed++;
        if (s->missed >= s->opts.missed_pongs) {
            nax__log(NAX_LOG_WARN, "nax stream: %u pings unanswered: the connection is dead",
                     s->missed);
            nax__stream_kill(s, NAX_STREAM_REASON_DEAD, NAX_ETIMEOUT);
            return;
        }
        if (s->missed == 1 && nax__stream_state_now(s) == NAX_STREAM_LIVE)
            nax__stream_event(s, NAX_STREAM_STALE, NAX_STREAM_REASON_PONG_MISSED, NULL,
                              NAX_ETIMEOUT, "no answer to a ping within %u ms",
                              (unsigned)s->opts.ping_interval_ms);
        if (s->halted)
            return;
    }
    uint64_t id = nax__stream_send_op(s, NAX_STREAM_OP_PING, NULL, 0);
    if (!id) {
        nax__stream_kill(s, NAX_STREAM_REASON_NONE, nax_error_last()->code);
        return;
    }
    s->ping_id = id;
    s->ping_outstanding = 1;
    nax__timer_set(&s->t_ping, s->opts.ping_interval_ms);
}

void nax__stream_heartbeat_restart(nax_stream *s)
{
    if (!s->established || s->halted || s->dropping)
        return;
    s->ping_outstanding = 0;
    s->missed = 0;
    nax__timer_set(&s->t_ping, s->opts.ping_interval_ms);
}

static void on_established(nax_stream *s, struct lws *wsi)
{
    s->wsi = wsi;
    s->established = 1;
    s->connected_once = 1;
    nax__timer_cancel(&s->t_timeout);
    nax__stream_count(s, &s->stats.connects, 1);
    s->missed = 0;
    s->ping_outstanding = 0;
    s->rx_done = 1;
    if (s->halted) {
        request_write(s);
        return;
    }
    nax__timer_set(&s->t_ping, s->opts.ping_interval_ms);
    nax__stream_on_open(s);
}

/* ---- incoming messages -------------------------------------------------------------- */

/* Whether the object has a top-level "op" member: acks do, published
 * messages do not. The usual member orders are recognised at once. */
static int is_ack(const char *j, size_t n)
{
    if (n >= 5 && !memcmp(j, "{\"op\"", 5))
        return 1;
    if ((n >= 10 && !memcmp(j, "{\"channel\"", 10)) || (n >= 7 && !memcmp(j, "{\"type\"", 7)))
        return 0;
    int depth = 0, key_next = 0;
    for (size_t i = 0; i < n; i++) {
        char c = j[i];
        if (c == '"') {
            size_t start = ++i;
            while (i < n && j[i] != '"')
                i += j[i] == '\\' ? 2 : 1;
            if (i >= n)
                return 0;
            if (depth == 1 && key_next && i - start == 2 && j[start] == 'o' && j[start + 1] == 'p')
                return 1;
            key_next = 0;
        } else if (c == '{' || c == '[') {
            depth++;
            key_next = c == '{' && depth == 1;
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (c == ',' && depth == 1) {
            key_next = 1;
        }
    }
    return 0;
}

static void protocol_error(nax_stream *s, int rc, const char *what)
{
    const nax_error *e = nax_error_last();
    nax__log(NAX_LOG_WARN, "nax stream: unreadable %s: %s%s%s", what, e->message,
             e->field[0] ? " at " : "", e->field);
    nax__stream_kill(s, nax__stream_unreadable_reason(rc), rc);
}

static void handle_message(nax_stream *s, const char *json, size_t len)
{
    pthread_mutex_lock(&s->lock);
    s->stats.messages++;
    s->stats.bytes += len;
    pthread_mutex_unlock(&s->lock);
    nax_decode_options dopt = {NAX_DECODE_OPTIONS_VERSION, s->opts.max_message_bytes, 0};
    if (is_ack(json, len)) {
        nax_stream_ack *ack = NULL;
        int rc = nax_decode(&ack, NAX_TYPE_STREAM_ACK, json, len, &dopt);
        if (rc) {
            protocol_error(s, rc, "acknowledgement");
            return;
        }
        nax__stream_on_ack(s, ack);
        nax_object_free(ack);
        return;
    }
    nax_stream_message *m = NULL;
    int rc = nax_decode(&m, NAX_TYPE_STREAM_MESSAGE, json, len, &dopt);
    if (rc) {
        protocol_error(s, rc, "message");
        return;
    }
    if (m->ts > s->last_ts)
        s->last_ts = m->ts;
    nax__chan *ch = m->channel ? nax__chan_find(s, m->channel) : NULL;
    if (!ch) {
        if (m->type == NAX_STREAM_MSG_ERROR && m->error)
            nax__log(NAX_LOG_WARN, "nax stream: the server reports %s: %s", m->error->code,
                     m->error->message);
        nax_object_free(m);
        return;
    }
    if (NAX__CH_PRIVATE(ch->kind))
        nax__stream_on_private(s, ch, m);
    else
        nax__stream_on_market(s, ch, m);
}

static int on_receive(nax_stream *s, struct lws *wsi, const void *in, size_t len)
{
    if (s->halted || s->dropping)
        return 0;
    if (lws_frame_is_binary(wsi)) {
        nax__log(NAX_LOG_WARN, "nax stream: the server sent a binary frame");
        s->drop_reason = NAX_STREAM_REASON_PROTOCOL;
        s->drop_error = NAX_ESCHEMA;
        lws_close_reason(wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, NULL, 0);
        return -1;
    }
    if (s->rx_done) {
        nax__buf_reset(&s->rx);
        s->rx_done = 0;
    }
    if (len > s->opts.max_message_bytes - s->rx.len) {
        nax__log(NAX_LOG_WARN, "nax stream: a message is larger than max_message_bytes (%zu)",
                 s->opts.max_message_bytes);
        s->drop_reason = NAX_STREAM_REASON_PROTOCOL;
        s->drop_error = NAX_ELIMIT;
        lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, NULL, 0);
        return -1;
    }
    if (nax__buf_append(&s->rx, in, len)) {
        s->drop_reason = NAX_STREAM_REASON_NONE;
        s->drop_error = NAX_ENOMEM;
        return -1;
    }
    if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
        return 0;
    s->rx_done = 1;
    handle_message(s, s->rx.data, s->rx.len);
    if (s->rx.cap > RX_KEEP_BYTES)
        nax_buf_dispose(&s->rx);
    return 0;
}

/* ---- the protocol callback --------------------------------------------------------- */

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    struct lws_context *ctx = lws_get_context(wsi);
    nax_stream *s = ctx ? lws_context_user(ctx) : NULL;
    if (!s)
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    switch (reason) {
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
        char why[200];
        const char *detail = in ? (const char *)in : "no detail from libwebsockets";
        snprintf(why, sizeof why, "connecting failed: %s", detail);
        /* lws says "SSL" when the handshake or the certificate failed. */
        int tls = strstr(detail, "SSL") || strstr(detail, "ssl") || strstr(detail, "cert");
        on_disconnect(s, NAX_STREAM_REASON_CONNECT_FAILED,
                      s->drop_error ? s->drop_error
                      : tls         ? NAX_ETLS
                                    : NAX_ENETWORK,
                      why);
        return 0;
    }
    case LWS_CALLBACK_CLIENT_ESTABLISHED: on_established(s, wsi); return 0;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (len >= 2) {
            const unsigned char *p = in;
            s->close_code = (p[0] << 8) | p[1];
            snprintf(s->close_text, sizeof s->close_text, "%.*s",
                     (int)(len - 2 < 100 ? len - 2 : 100), (const char *)p + 2);
        }
        return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
        on_disconnect(s, NAX_STREAM_REASON_SERVER_CLOSED, NAX_ENETWORK, "the connection closed");
        return 0;
    case LWS_CALLBACK_WSI_DESTROY:
        if (s->attempt_open && (!s->wsi || s->wsi == wsi))
            on_disconnect(s, NAX_STREAM_REASON_CONNECT_FAILED, NAX_ENETWORK,
                          "the connection went away");
        return 0;
    case LWS_CALLBACK_CLIENT_RECEIVE: return on_receive(s, wsi, in, len);
    case LWS_CALLBACK_CLIENT_WRITEABLE: return on_writeable(s, wsi);
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED: nax__stream_run_commands(s); return 0;
    default: break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    {"nax-stream", callback, 0, 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

int nax__stream_context_new(nax_stream *s)
{
    pthread_once(&log_once, log_setup);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.user = s;
    info.fd_limit_per_thread = 8;
    info.timeout_secs = (s->opts.connect_timeout_ms + 999) / 1000;
    if (s->tls) {
        info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.client_ssl_ca_filepath = s->ca_path;
    }
    s->ctx = lws_create_context(&info);
    if (!s->ctx)
        return nax__error(NAX_ERROR, "libwebsockets could not create a context");
    nax__timer_init(&s->t_connect, s, connect_fire);
    nax__timer_init(&s->t_timeout, s, timeout_fire);
    nax__timer_init(&s->t_ping, s, ping_fire);
    nax__timer_init(&s->t_catchup, s, nax__stream_catchup_fire);
    nax__timer_init(&s->t_close, s, close_fire);
    nax__timer_init(&s->t_wake, s, wake_fire);
    nax__timer_init(&s->t_flush, s, nax__stream_flush_fire);
    nax__timer_init(&s->t_retry, s, nax__stream_retry_fire);
    return 0;
}

void nax__stream_begin(nax_stream *s)
{
    nax__timer_set(&s->t_connect, 0);
}

void nax__stream_run_commands(nax_stream *s)
{
    int applied = 0;
    for (;;) {
        nax__cmd cmd;
        pthread_mutex_lock(&s->lock);
        if (s->wake_fd >= 0) {
            uint64_t v;
            while (read(s->wake_fd, &v, sizeof v) > 0)
                ;
        }
        int stop = s->stop_requested && !s->halted;
        int have = s->cmd_count > 0;
        if (have) {
            cmd = s->cmds[s->cmd_head];
            s->cmd_head = (s->cmd_head + 1) % s->opts.max_pending_ops;
            s->cmd_count--;
        }
        pthread_mutex_unlock(&s->lock);
        if (stop)
            nax__stream_halt(s, NAX_STREAM_REASON_STOPPED);
        if (!have)
            break;
        if (!s->halted) {
            nax__stream_apply_command(s, &cmd);
            applied = 1;
        }
        nax__free(cmd.channels);
    }
    /* Every command drained: one op for what they changed together, so a
     * burst of calls stays within the server's op rate. */
    if (applied && !s->halted)
        nax__stream_commands_applied(s);
}

int nax__stream_socket(nax_stream *s, int *want_out)
{
    *want_out = 0;
    if (!s->wsi || !s->attempt_open)
        return -1;
    int fd = lws_get_socket_fd(s->wsi);
    if (fd < 0)
        return -1;
    int out = s->want_write || lws_partial_buffered(s->wsi);
    if (!s->established) {
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        if (getpeername(fd, (struct sockaddr *)&peer, &plen) != 0)
            out = 1; /* the TCP connect is still under way */
    }
    *want_out = out;
    return fd;
}

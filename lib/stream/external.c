/*
 * External mode: the caller's loop drives the stream, either by calling
 * nax_stream_service() with a wait, or by polling nax_stream_pollfds() in
 * its own poll() and calling nax_stream_service_fds().
 *
 * The descriptors handed out are the connection's socket and an eventfd
 * that other threads' commands make readable. Debian's libwebsockets has no
 * external-poll callbacks, so the events wanted are worked out here (POLLIN
 * always; POLLOUT while the TCP connect is under way, a write waits, or lws
 * holds unsent bytes) and servicing is lws' own non-blocking pass over its
 * descriptors and due timers. lws' internal timers are not visible, so the
 * wait limit is at most a second.
 */
#include <poll.h>

#include "stream/stream_internal.h"

/* The longest wait nax_stream_pollfds() allows (lws' own timers). */
#define MAX_WAIT_MS 1000
/* While the upgrade is under way TLS may need a write lws did not announce. */
#define HANDSHAKE_WAIT_MS 20

static int check_driver(nax_stream *s, const char *fn, int from_callback_ok)
{
    if (!s)
        return nax__error_field(NAX_EINVAL, "stream", "%s: stream must not be NULL", fn);
    if (!from_callback_ok && nax__stream_in_callback(s))
        return nax__error(NAX_ERECURSIVE, "%s: called from the stream's own callback", fn);
    if (s->opts.mode != NAX_STREAM_MODE_EXTERNAL)
        return nax__error(NAX_ESTATE, "%s: the stream is not in external mode", fn);
    pthread_mutex_lock(&s->lock);
    int started = s->started;
    pthread_mutex_unlock(&s->lock);
    if (!started)
        return nax__error(NAX_ESTATE, "%s: the stream was not started", fn);
    if (s->loop_exit)
        return nax__error(NAX_ESTATE, "%s: the stream is closed", fn);
    return 0;
}

static int result(nax_stream *s)
{
    return s->user_stopped ? nax__error(NAX_EUSER, "a callback stopped the stream") : 0;
}

int nax_stream_service(nax_stream *s, int timeout_ms)
{
    int rc = check_driver(s, "nax_stream_service", 0);
    if (rc)
        return rc;
    nax__stream_run_commands(s);
    if (!s->loop_exit) {
        if (timeout_ms > 0) {
            /* lws waits for its next timer or descriptor: make the limit one. */
            nax__timer_set(&s->t_wake, (uint64_t)timeout_ms);
            lws_service(s->ctx, 0);
            nax__timer_cancel(&s->t_wake);
        } else {
            lws_service(s->ctx, -1);
        }
        nax__stream_run_commands(s);
    }
    return result(s);
}

int nax_stream_pollfds(nax_stream *s, nax_stream_pollfd *fds, size_t capacity, size_t *count,
                       int *timeout_ms)
{
    int rc = check_driver(s, "nax_stream_pollfds", 1);
    if (rc)
        return rc;
    if (!count || !timeout_ms || (!fds && capacity))
        return nax__error(NAX_EINVAL, "nax_stream_pollfds: count and timeout_ms are required");
    int want_out = 0;
    int sock = nax__stream_socket(s, &want_out);
    size_t n = 1 + (sock >= 0);
    *count = n;
    if (n > capacity)
        return nax__error(NAX_EBUFSIZE, "nax_stream_pollfds: %zu descriptors, room for %zu", n,
                          capacity);
    fds[0].fd = s->wake_fd;
    fds[0].events = POLLIN;
    fds[0].revents = 0;
    if (sock >= 0) {
        fds[1].fd = sock;
        fds[1].events = (short)(POLLIN | (want_out ? POLLOUT : 0));
        fds[1].revents = 0;
    }
    pthread_mutex_lock(&s->lock);
    int pending = s->cmd_count > 0 || (s->stop_requested && !s->halted);
    pthread_mutex_unlock(&s->lock);
    int wait = pending ? 0 : nax__stream_next_timer_ms(s, MAX_WAIT_MS);
    if (wait && lws_service_adjust_timeout(s->ctx, 1, 0) == 0)
        wait = 0; /* lws holds data it has read already */
    if (sock >= 0 && !s->established && !want_out && wait > HANDSHAKE_WAIT_MS)
        wait = HANDSHAKE_WAIT_MS;
    *timeout_ms = wait;
    return 0;
}

int nax_stream_service_fds(nax_stream *s, const nax_stream_pollfd *fds, size_t count)
{
    int rc = check_driver(s, "nax_stream_service_fds", 0);
    if (rc)
        return rc;
    if (!fds && count)
        return nax__error(NAX_EINVAL, "nax_stream_service_fds: fds is NULL");
    /* Whatever poll() said, lws looks at its descriptors and timers itself,
     * without waiting: a stale or spurious readiness costs nothing. */
    nax__stream_run_commands(s);
    if (!s->loop_exit) {
        lws_service(s->ctx, -1);
        nax__stream_run_commands(s);
    }
    return result(s);
}

/* The app thread's event loop: a libev loop (epoll on Linux) that naxd owns
 * and hands to lws as a "foreign" loop, so lws watches each connection's
 * socket with its own watcher instead of poll()ing every connection on every
 * turn. lws loads its libev glue as a plugin at context creation.
 *
 * lws 4.1's libev glue re-arms its timer only from inside its own callbacks:
 * a lws_sul scheduled outside them (before the loop runs, or between two
 * turns) would wait for the next I/O. naxd__loop_touch() notes such a
 * schedule and the next turn first wakes lws through its cancel pipe, whose
 * handling re-arms the timer.
 *
 * Worse, that glue "re-arms" its libev timer with ev_timer_set() on a timer
 * that is still active, which libev ignores: a timeout scheduled earlier
 * than the one armed (a 1 s body timeout while a 30 s keep-alive one is
 * armed) would only fire at the armed one. A heartbeat sul every
 * NAXD_LOOP_TICK_MS keeps the armed timer near, so no timer runs later than
 * that; it costs a wake-up per tick when the server is idle. */
#include <ev.h>
#include <unistd.h>

#include "internal.h"

#define EVLIB_PLUGIN      LWS_INSTALL_LIBDIR "/libwebsockets-evlib_ev.so"
#define NAXD_LOOP_TICK_MS 10

int naxd__loop_new(naxd_http *h)
{
    /* lws would only log "unable to load evlib plugin": say what is missing. */
    if (access(EVLIB_PLUGIN, R_OK) != 0)
        return nax__error(NAX_EIO,
                          "naxd_http: libwebsockets' libev event-loop plugin %s is missing "
                          "(Debian package libwebsockets-evlib-ev)",
                          EVLIB_PLUGIN);
    h->loop = ev_loop_new(EVFLAG_AUTO);
    if (!h->loop)
        return nax__error(NAX_EIO, "naxd_http: cannot create the event loop");
    return 0;
}

static void heartbeat(lws_sorted_usec_list_t *sul)
{
    naxd_http *h = lws_container_of(sul, naxd_http, tick_sul);
    lws_sul_schedule(h->ctx, 0, &h->tick_sul, heartbeat, NAXD_LOOP_TICK_MS * LWS_US_PER_MS);
}

void naxd__loop_start(naxd_http *h)
{
    lws_sul_schedule(h->ctx, 0, &h->tick_sul, heartbeat, NAXD_LOOP_TICK_MS * LWS_US_PER_MS);
    naxd__loop_touch(h);
}

void naxd__loop_free(naxd_http *h)
{
    if (h->loop)
        ev_loop_destroy(h->loop);
    h->loop = NULL;
}

void naxd__loop_touch(naxd_http *h)
{
    if (!h->in_loop)
        h->loop_kick = 1;
}

void naxd__loop_once(naxd_http *h)
{
    if (h->loop_kick) {
        h->loop_kick = 0;
        lws_cancel_service(h->ctx);
    }
    h->in_loop = 1;
    ev_run(h->loop, EVRUN_ONCE);
    h->in_loop = 0;
}

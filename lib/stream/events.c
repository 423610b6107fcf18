/*
 * Calling the user: lifecycle events and the typed callbacks, each with the
 * re-entry guard (the driving calls refuse to run inside a callback of
 * their own stream) and the caller's error kept across the call. A non-zero
 * return stops the stream (CLOSED, reason CALLBACK).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "stream/stream_internal.h"

/* The stream whose callback this thread is running. */
static _Thread_local const nax_stream *tls_in_callback;

int nax__stream_in_callback(const nax_stream *s)
{
    return s && tls_in_callback == s;
}

/* Enter and leave a user callback. */
#define USER_CALL(s, result, expr)                                                                 \
    do {                                                                                           \
        nax__error_state saved_;                                                                   \
        nax__error_save(&saved_);                                                                  \
        const nax_stream *outer_ = tls_in_callback;                                                \
        tls_in_callback = (s);                                                                     \
        (result) = (expr);                                                                         \
        tls_in_callback = outer_;                                                                  \
        nax__error_restore(&saved_);                                                               \
    } while (0)

/* A callback said stop. */
static int stopped_by_user(nax_stream *s, int result)
{
    if (result && !s->halted) {
        s->user_stopped = 1;
        nax__stream_halt(s, NAX_STREAM_REASON_CALLBACK);
    }
    return result != 0;
}

nax_stream_state nax__stream_state_now(nax_stream *s)
{
    pthread_mutex_lock(&s->lock);
    nax_stream_state st = s->state;
    pthread_mutex_unlock(&s->lock);
    return st;
}

void nax__stream_count(nax_stream *s, uint64_t *counter, uint64_t n)
{
    pthread_mutex_lock(&s->lock);
    *counter += n;
    pthread_mutex_unlock(&s->lock);
}

static void deliver_event(nax_stream *s, nax_stream_event *ev)
{
    /* A book's RESYNCING and LIVE again are not the connection's state; notices
     * (a refused channel, an overflow) carry the state as it is. */
    int per_book = ev->state == NAX_STREAM_RESYNCING ||
                   (ev->state == NAX_STREAM_LIVE && ev->reason == NAX_STREAM_REASON_SNAPSHOT);
    if (!per_book) {
        pthread_mutex_lock(&s->lock);
        s->state = ev->state;
        if (ev->state == NAX_STREAM_CLOSED)
            s->closed = 1;
        pthread_mutex_unlock(&s->lock);
    }
    if (ev->state != NAX_STREAM_CLOSED && s->halted)
        return; /* stopping: only CLOSED is still reported */
    if (!s->cb.on_state)
        return;
    int r;
    USER_CALL(s, r, s->cb.on_state(ev, s->cb.userdata));
    if (ev->state != NAX_STREAM_CLOSED)
        stopped_by_user(s, r);
}

static void fill_event(nax_stream_event *ev, nax_stream_state state, nax_stream_reason reason,
                       const char *channel, int error, const char *message)
{
    memset(ev, 0, sizeof *ev);
    ev->struct_size = sizeof *ev;
    ev->state = state;
    ev->reason = reason;
    ev->channel = channel;
    ev->message = message;
    ev->error = error;
}

void nax__stream_event(nax_stream *s, nax_stream_state state, nax_stream_reason reason,
                       const char *channel, int error, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    nax__log(state == NAX_STREAM_LIVE ? NAX_LOG_INFO : NAX_LOG_WARN, "nax stream: %s (%s)%s%s: %s",
             nax_stream_state_name(state), nax_stream_reason_name(reason), channel ? " " : "",
             channel ? channel : "", message);
    nax_stream_event ev;
    fill_event(&ev, state, reason, channel, error, message);
    if (state == NAX_STREAM_CONNECTING)
        ev.attempt = s->attempt;
    deliver_event(s, &ev);
}

void nax__stream_event_reconnecting(nax_stream *s, nax_stream_reason reason, int error,
                                    uint64_t delay_ms, const char *message)
{
    nax__log(NAX_LOG_WARN, "nax stream: RECONNECTING (%s) in %llu ms: %s",
             nax_stream_reason_name(reason), (unsigned long long)delay_ms, message);
    nax_stream_event ev;
    fill_event(&ev, NAX_STREAM_RECONNECTING, reason, NULL, error, message);
    ev.attempt = s->attempt;
    ev.delay_ms = delay_ms;
    ev.close_code = s->close_code;
    deliver_event(s, &ev);
}

int nax__stream_call_ticker(nax_stream *s, const nax_ticker *t, unsigned int flags)
{
    if (s->halted || !s->cb.on_ticker)
        return s->halted;
    int r;
    USER_CALL(s, r, s->cb.on_ticker(t, flags, s->cb.userdata));
    return stopped_by_user(s, r);
}

int nax__stream_call_trade(nax_stream *s, const nax_trade *t, unsigned int flags)
{
    if (s->halted || !s->cb.on_trade)
        return s->halted;
    int r;
    USER_CALL(s, r, s->cb.on_trade(t, flags, s->cb.userdata));
    return stopped_by_user(s, r);
}

int nax__stream_call_book(nax_stream *s, const nax_stream_book *b)
{
    if (s->halted || !s->cb.on_book)
        return s->halted;
    int r;
    USER_CALL(s, r, s->cb.on_book(b, s->cb.userdata));
    return stopped_by_user(s, r);
}

int nax__stream_call_order(nax_stream *s, const nax_order *o, unsigned int flags)
{
    if (s->halted || !s->cb.on_order)
        return s->halted;
    int r;
    USER_CALL(s, r, s->cb.on_order(o, flags, s->cb.userdata));
    return stopped_by_user(s, r);
}

int nax__stream_call_balance(nax_stream *s, const nax_balance *b, unsigned int flags)
{
    if (s->halted || !s->cb.on_balance)
        return s->halted;
    int r;
    USER_CALL(s, r, s->cb.on_balance(b, flags, s->cb.userdata));
    return stopped_by_user(s, r);
}

int nax__stream_call_fill(nax_stream *s, const nax_fill *f, unsigned int flags)
{
    if (s->halted || !s->cb.on_fill)
        return s->halted;
    int r;
    USER_CALL(s, r, s->cb.on_fill(f, flags, s->cb.userdata));
    return stopped_by_user(s, r);
}

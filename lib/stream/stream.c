/*
 * The public stream handle: create, subscribe and unsubscribe (queued for
 * the driving thread), start (the library's thread in thread mode), stop,
 * free, state and counters.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "stream/stream_internal.h"

/* Flags in s->inits: what nax_stream_free must undo. */
enum { INIT_LOCK = 1u << 0, INIT_BOOK_LOCK = 1u << 1 };

int nax_stream_new(nax_stream **out, const nax_stream_options *opts)
{
    if (!out)
        return nax__error_field(NAX_EINVAL, "out", "out must not be NULL");
    *out = NULL;
    if (!opts)
        return nax__error_field(NAX_EINVAL, "opts", "options must not be NULL");
    if (opts->version != NAX_STREAM_OPTIONS_VERSION)
        return nax__error_field(NAX_EVERSION, "version", "unknown stream options version %u",
                                opts->version);
    if (!nax__global_ready())
        return nax__error(NAX_ESTATE, "nax_stream_new needs nax_global_init() first");
    nax_stream *s = nax__calloc(1, sizeof *s);
    if (!s)
        return nax__error_oom();
    s->wake_fd = -1;
    s->rx_done = 1;
    nax__private_init(&s->priv);
    int rc = 0;
    if (pthread_mutex_init(&s->lock, NULL))
        rc = nax__error_oom();
    else
        s->inits |= INIT_LOCK;
    if (!rc) {
        if (pthread_mutex_init(&s->book_lock, NULL))
            rc = nax__error_oom();
        else
            s->inits |= INIT_BOOK_LOCK;
    }
    if (!rc)
        rc = nax__stream_options_copy(s, opts);
    if (!rc && !(s->cmds = nax__calloc(s->opts.max_pending_ops, sizeof *s->cmds)))
        rc = nax__error_oom();
    if (!rc && s->opts.mode == NAX_STREAM_MODE_EXTERNAL) {
        s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (s->wake_fd < 0)
            rc = nax__error(NAX_ERROR, "eventfd: %s", strerror(errno));
    }
    if (!rc)
        rc = nax__stream_context_new(s);
    if (rc) {
        nax__error_state saved;
        nax__error_save(&saved);
        nax_stream_free(s);
        nax__error_restore(&saved);
        return rc;
    }
    *out = s;
    return 0;
}

static void wake(nax_stream *s)
{
    if (s->wake_fd >= 0) {
        uint64_t one = 1;
        ssize_t n = write(s->wake_fd, &one, sizeof one);
        (void)n; /* a full counter is readable anyway */
    }
    if (s->ctx)
        lws_cancel_service(s->ctx);
}

static int queue_command(nax_stream *s, nax__cmd_kind kind, const char *const *channels,
                         size_t count)
{
    if (!s)
        return nax__error_field(NAX_EINVAL, "stream", "stream must not be NULL");
    if (!channels && count)
        return nax__error_field(NAX_EINVAL, "channels", "channels is NULL");
    for (size_t i = 0; i < count; i++) {
        if (!nax__chan_parse(channels[i])) {
            char field[32];
            snprintf(field, sizeof field, "channels[%zu]", i);
            return nax__error_field(NAX_EINVAL, field,
                                    "%s is not a channel (ticker:{pair}, trades:{pair}, "
                                    "book:{pair}, orders, balances or fills)",
                                    channels[i] ? channels[i] : "NULL");
        }
    }
    if (count == 0)
        return 0;
    char **copy = nax__strv_dup(channels, count);
    if (!copy)
        return nax__error_oom();
    pthread_mutex_lock(&s->lock);
    int rc = 0;
    if (s->closed || s->stop_requested)
        rc = nax__error(NAX_ESTATE, "the stream is stopped");
    else if (s->cmd_count == s->opts.max_pending_ops)
        rc = nax__error(NAX_ELIMIT, "%zu commands are already queued (max_pending_ops)",
                        s->opts.max_pending_ops);
    if (!rc) {
        size_t slot = (s->cmd_head + s->cmd_count) % s->opts.max_pending_ops;
        s->cmds[slot].kind = kind;
        s->cmds[slot].channels = copy;
        s->cmds[slot].count = count;
        s->cmd_count++;
    }
    pthread_mutex_unlock(&s->lock);
    if (rc) {
        nax__free(copy);
        return rc;
    }
    wake(s);
    return 0;
}

int nax_stream_subscribe(nax_stream *s, const char *const *channels, size_t count)
{
    return queue_command(s, NAX__CMD_SUBSCRIBE, channels, count);
}

int nax_stream_unsubscribe(nax_stream *s, const char *const *channels, size_t count)
{
    return queue_command(s, NAX__CMD_UNSUBSCRIBE, channels, count);
}

/* The library's thread: service until the stream is closed. */
static void *run_thread(void *arg)
{
    nax_stream *s = arg;
    while (!s->loop_exit) {
        nax__stream_run_commands(s);
        if (s->loop_exit)
            break;
        if (lws_service(s->ctx, 0) < 0 && !s->halted)
            nax__stream_halt(s, NAX_STREAM_REASON_STOPPED);
    }
    return NULL;
}

int nax_stream_start(nax_stream *s)
{
    if (!s)
        return nax__error_field(NAX_EINVAL, "stream", "stream must not be NULL");
    if (nax__stream_in_callback(s))
        return nax__error(NAX_ERECURSIVE, "nax_stream_start: called from the stream's callback");
    pthread_mutex_lock(&s->lock);
    int rc = 0;
    if (s->started)
        rc = nax__error(NAX_ESTATE, "the stream was started already");
    else if (s->closed || s->stop_requested)
        rc = nax__error(NAX_ESTATE, "the stream is stopped");
    else {
        s->started = 1;
        s->state = NAX_STREAM_CONNECTING;
    }
    pthread_mutex_unlock(&s->lock);
    if (rc)
        return rc;
    nax__stream_begin(s);
    if (s->opts.mode == NAX_STREAM_MODE_THREAD) {
        int err = pthread_create(&s->thread, NULL, run_thread, s);
        if (err) {
            nax__timer_cancel(&s->t_connect);
            pthread_mutex_lock(&s->lock);
            s->started = 0;
            s->state = NAX_STREAM_IDLE;
            pthread_mutex_unlock(&s->lock);
            return nax__error(NAX_ERROR, "cannot start the stream's thread: %s", strerror(err));
        }
        s->thread_started = 1;
    }
    return 0;
}

int nax_stream_stop(nax_stream *s)
{
    if (!s)
        return nax__error_field(NAX_EINVAL, "stream", "stream must not be NULL");
    pthread_mutex_lock(&s->lock);
    s->stop_requested = 1;
    if (!s->started && !s->closed) {
        s->closed = 1; /* never started: nothing to report */
        s->state = NAX_STREAM_CLOSED;
    }
    pthread_mutex_unlock(&s->lock);
    wake(s);
    return 0;
}

nax_stream_state nax_stream_state_get(nax_stream *s)
{
    if (!s)
        return NAX_STREAM_CLOSED;
    pthread_mutex_lock(&s->lock);
    nax_stream_state st = s->state;
    if (st == NAX_STREAM_LIVE && s->resyncing)
        st = NAX_STREAM_RESYNCING;
    pthread_mutex_unlock(&s->lock);
    return st;
}

int nax_stream_stats_get(nax_stream *s, nax_stream_stats *out)
{
    if (!s || !out)
        return nax__error(NAX_EINVAL, "nax_stream_stats_get: stream and out are required");
    if (out->struct_size < offsetof(nax_stream_stats, catchup_events) + sizeof(uint64_t))
        return nax__error_field(NAX_EVERSION, "struct_size",
                                "set out->struct_size to sizeof(nax_stream_stats)");
    pthread_mutex_lock(&s->lock);
    nax_stream_stats st = s->stats;
    pthread_mutex_unlock(&s->lock);
    st.struct_size = sizeof st;
    size_t keep = out->struct_size < sizeof st ? out->struct_size : sizeof st;
    memcpy(out, &st, keep);
    out->struct_size = keep;
    return 0;
}

static void free_channels(nax_stream *s)
{
    while (s->chans_count)
        nax__chan_drop(s, s->chans[s->chans_count - 1]);
    nax__free(s->chans);
    for (size_t i = 0; i < s->ops_count; i++)
        nax__free(s->ops[i].channels);
    nax__free(s->ops);
    for (size_t i = 0; i < s->cmd_count; i++)
        nax__free(s->cmds[(s->cmd_head + i) % s->opts.max_pending_ops].channels);
    nax__free(s->cmds);
    nax__stream_free_frames(s);
}

void nax_stream_free(nax_stream *s)
{
    if (!s || nax__stream_in_callback(s))
        return;
    if (s->thread_started) {
        nax_stream_stop(s);
        pthread_join(s->thread, NULL);
        s->thread_started = 0;
    } else if (s->ctx && s->started && !s->loop_exit) {
        /* External mode: the caller's thread drives, so CLOSED is reported here. */
        nax__stream_halt(s, NAX_STREAM_REASON_STOPPED);
        if (!s->loop_exit)
            nax__stream_finish(s);
    }
    s->destroying = 1;
    if (s->ctx)
        lws_context_destroy(s->ctx);
    s->ctx = NULL;
    if (s->inits & INIT_BOOK_LOCK) {
        free_channels(s);
        nax__books_dispose(s);
        pthread_mutex_destroy(&s->book_lock);
    }
    nax__private_dispose(&s->priv);
    nax_buf_dispose(&s->rx);
    if (s->inits & INIT_LOCK)
        pthread_mutex_destroy(&s->lock);
    if (s->wake_fd >= 0)
        close(s->wake_fd);
    nax__stream_options_dispose(s);
    nax__free(s);
}

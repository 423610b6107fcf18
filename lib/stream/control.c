/*
 * Channels and ops: the wanted set, subscribe/unsubscribe/auth ops and their
 * acknowledgements, commands queued by other threads, and when the stream
 * is LIVE. Driving thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/client.h"
#include "stream/stream_internal.h"

/* Beside NAX__SAUTH_*: the client had no credentials, so the private
 * channels go as they are (and are refused); a private channel wanted later
 * looks at the client again. */
enum { AUTH_NO_CREDENTIALS = 3 };

/* Session renewals in a row without a successful auth: a server that keeps
 * refusing fresh sessions is not asked forever. Each session that
 * authenticates starts the count over, so sessions that expire one after
 * another on a long connection keep being renewed. */
#define MAX_AUTH_RENEWALS 5

char **nax__strv_dup(const char *const *v, size_t n)
{
    size_t bytes = n * sizeof(char *);
    for (size_t i = 0; i < n; i++)
        bytes += strlen(v[i]) + 1;
    char **out = nax__malloc(bytes ? bytes : 1);
    if (!out)
        return NULL;
    char *p = (char *)(out + n);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(v[i]) + 1;
        memcpy(p, v[i], len);
        out[i] = p;
        p += len;
    }
    return out;
}

/* ---- channels ------------------------------------------------------------------ */

nax__chan *nax__chan_find(nax_stream *s, const char *name)
{
    for (size_t i = 0; i < s->chans_count; i++)
        if (!strcmp(s->chans[i]->name, name))
            return s->chans[i];
    return NULL;
}

static nax__chan *chan_new(nax_stream *s, const char *name, nax__chan_kind kind)
{
    if (s->chans_count == s->chans_cap) {
        size_t cap = s->chans_cap ? s->chans_cap * 2 : 8;
        nax__chan **p = nax__realloc(s->chans, cap * sizeof *p);
        if (!p)
            return NULL;
        s->chans = p;
        s->chans_cap = cap;
    }
    nax__chan *ch = nax__calloc(1, sizeof *ch);
    if (!ch || !(ch->name = nax__strdup(name))) {
        nax__free(ch);
        return NULL;
    }
    ch->kind = kind;
    const char *colon = strchr(ch->name, ':');
    ch->pair = colon ? colon + 1 : NULL;
    if (kind == NAX__CH_BOOK && !(ch->book = nax__books_add(s, ch->pair))) {
        nax__free(ch->name);
        nax__free(ch);
        return NULL;
    }
    s->chans[s->chans_count++] = ch;
    return ch;
}

static void set_resyncing(nax_stream *s, nax__chan *ch, int on)
{
    if (ch->resyncing == on)
        return;
    ch->resyncing = on;
    pthread_mutex_lock(&s->lock);
    if (on)
        s->resyncing++;
    else if (s->resyncing)
        s->resyncing--;
    pthread_mutex_unlock(&s->lock);
}

void nax__chan_drop(nax_stream *s, nax__chan *ch)
{
    for (size_t i = 0; i < s->chans_count; i++) {
        if (s->chans[i] == ch) {
            s->chans[i] = s->chans[--s->chans_count];
            break;
        }
    }
    set_resyncing(s, ch, 0);
    if (ch->book)
        nax__books_remove(s, ch->book);
    nax__chan_clear_buffered(ch);
    for (size_t i = 0; i < NAX__RECENT_TRADES; i++)
        nax__free(ch->recent[i]);
    nax__free(ch->name);
    nax__free(ch);
}

/* The user no longer wants the channel (or the server refused it). */
void nax__chan_unwant(nax_stream *s, nax__chan *ch)
{
    ch->wanted = 0;
    ch->leave_pending = 0;
    set_resyncing(s, ch, 0);
    if (ch->book) {
        nax__books_remove(s, ch->book);
        ch->book = NULL;
    }
    nax__chan_clear_buffered(ch);
    if (NAX__CH_PRIVATE(ch->kind))
        nax__stream_private_forget(s, ch);
}

/* ---- ops ----------------------------------------------------------------------- */

static nax__op *op_find(nax_stream *s, uint64_t id)
{
    for (size_t i = 0; i < s->ops_count; i++)
        if (s->ops[i].id == id)
            return &s->ops[i];
    return NULL;
}

static void ops_clear(nax_stream *s)
{
    for (size_t i = 0; i < s->ops_count; i++)
        nax__free(s->ops[i].channels);
    s->ops_count = 0;
}

uint64_t nax__stream_send_op(nax_stream *s, nax_stream_op_kind kind, const char *const *channels,
                             size_t count)
{
    uint64_t id = ++s->next_id;
    if (kind == NAX_STREAM_OP_SUBSCRIBE || kind == NAX_STREAM_OP_UNSUBSCRIBE) {
        if (s->ops_count == s->ops_cap) {
            size_t cap = s->ops_cap ? s->ops_cap * 2 : 8;
            nax__op *p = nax__realloc(s->ops, cap * sizeof *p);
            if (!p) {
                nax__error_oom();
                return 0;
            }
            s->ops = p;
            s->ops_cap = cap;
        }
        char **copy = nax__strv_dup(channels, count);
        if (!copy) {
            nax__error_oom();
            return 0;
        }
        nax__op *op = &s->ops[s->ops_count++];
        op->id = id;
        op->kind = kind;
        op->channels = copy;
        op->count = count;
    }
    nax_stream_op op;
    memset(&op, 0, sizeof op);
    op.struct_size = sizeof op;
    op.op = kind;
    op.id = id;
    op.channels = channels;
    op.channels_count = count;
    nax_buf b = NAX_BUF_INIT;
    int rc = nax_encode(&b, NAX_TYPE_STREAM_OP, &op);
    if (!rc)
        rc = nax__stream_send(s, b.data, b.len);
    nax_buf_dispose(&b);
    if (rc) {
        nax__op *rec = op_find(s, id);
        if (rec) {
            nax__free(rec->channels);
            *rec = s->ops[--s->ops_count];
        }
        return 0;
    }
    return id;
}

/* One subscribe (or unsubscribe) op for the channels. */
static void send_channels(nax_stream *s, nax__chan **list, size_t n, nax_stream_op_kind kind)
{
    if (!n)
        return;
    const char **names = nax__malloc(n * sizeof *names);
    uint64_t id = 0;
    if (names) {
        for (size_t i = 0; i < n; i++)
            names[i] = list[i]->name;
        id = nax__stream_send_op(s, kind, names, n);
        nax__free(names);
    }
    if (!id) {
        nax__stream_kill(s, NAX_STREAM_REASON_NONE, NAX_ENOMEM);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        nax__chan *ch = list[i];
        ch->sub = kind == NAX_STREAM_OP_SUBSCRIBE ? NAX__SUB_PENDING : NAX__SUB_LEAVING;
        ch->have_snapshot = 0;
        ch->seq = 0;
    }
}

/* ---- retries --------------------------------------------------------------------- */

/* The nax_error_code of a server's error code about a channel. */
static int error_of_code(const char *code)
{
    if (!strcmp(code, "rate_limited"))
        return NAX_ERATELIMIT;
    if (!strcmp(code, "unavailable"))
        return NAX_EUNAVAILABLE;
    return NAX_ESERVER;
}

/* When the channels of one ack are tried again: together, in one op. */
typedef struct retry_batch {
    lws_usec_t at; /* 0 until the first channel joins */
    uint64_t delay_ms;
} retry_batch;

/* The channel waits the batch's backoff (drawn for the first one to join)
 * before it is subscribed (or unsubscribed) again. */
static void retry_join(nax_stream *s, nax__chan *ch, retry_batch *b)
{
    if (!b->at) {
        b->delay_ms = nax__stream_retry_delay_ms(s, ch->retries + 1);
        b->at = lws_now_usecs() + (lws_usec_t)b->delay_ms * 1000;
    }
    ch->retries++;
    ch->retry_at = b->at;
}

static void retry_arm(nax_stream *s, const retry_batch *b)
{
    if (b->at && (!s->t_retry.armed || s->t_retry.due > b->at))
        nax__timer_set(&s->t_retry, b->delay_ms);
}

/* Subscribe every wanted channel that is not: the public ones at once, the
 * private ones once the connection is authenticated; those waiting for a
 * retry later. */
static void subscribe_pending(nax_stream *s)
{
    if (!s->established || s->halted || s->dropping)
        return;
    nax__chan **list = nax__malloc((s->chans_count ? s->chans_count : 1) * sizeof *list);
    if (!list) {
        nax__stream_kill(s, NAX_STREAM_REASON_NONE, NAX_ENOMEM);
        return;
    }
    size_t n = 0;
    int need_auth = 0;
    int authed = s->auth_state == NAX__SAUTH_OK || s->auth_state == AUTH_NO_CREDENTIALS;
    lws_usec_t now = lws_now_usecs();
    for (size_t i = 0; i < s->chans_count; i++) {
        nax__chan *ch = s->chans[i];
        if (!ch->wanted || ch->sub != NAX__SUB_NONE || ch->retry_at > now)
            continue;
        if (NAX__CH_PRIVATE(ch->kind) && !authed)
            need_auth = 1;
        else
            list[n++] = ch;
    }
    send_channels(s, list, n, NAX_STREAM_OP_SUBSCRIBE);
    nax__free(list);
    if (need_auth && s->auth_state == NAX__SAUTH_NONE)
        nax__stream_authenticate(s);
}

void nax__stream_resubscribe(nax_stream *s, nax__chan *ch)
{
    ch->have_snapshot = 0;
    if (ch->sub == NAX__SUB_ACTIVE) {
        ch->leave_pending = 1;
        if (!s->t_flush.armed)
            nax__timer_set(&s->t_flush, 0);
    } else if (ch->sub == NAX__SUB_NONE) {
        subscribe_pending(s);
    }
    /* PENDING: the snapshot of that subscription is the fresh one; LEAVING:
     * the ack subscribes again. */
}

void nax__stream_flush_fire(nax_stream *s)
{
    if (!s->established || s->halted || s->dropping)
        return;
    nax__chan **list = nax__malloc((s->chans_count ? s->chans_count : 1) * sizeof *list);
    if (!list) {
        nax__stream_kill(s, NAX_STREAM_REASON_NONE, NAX_ENOMEM);
        return;
    }
    size_t n = 0;
    lws_usec_t now = lws_now_usecs();
    for (size_t i = 0; i < s->chans_count; i++) {
        nax__chan *ch = s->chans[i];
        if (ch->retry_at > now)
            continue; /* stays pending until its retry */
        if (ch->leave_pending && ch->sub == NAX__SUB_ACTIVE)
            list[n++] = ch;
        ch->leave_pending = 0;
    }
    send_channels(s, list, n, NAX_STREAM_OP_UNSUBSCRIBE);
    nax__free(list);
}

void nax__stream_retry_fire(nax_stream *s)
{
    lws_usec_t now = lws_now_usecs(), next = 0;
    for (size_t i = 0; i < s->chans_count; i++) {
        nax__chan *ch = s->chans[i];
        if (ch->retry_at && ch->retry_at <= now)
            ch->retry_at = 0;
        else if (ch->retry_at && (!next || ch->retry_at < next))
            next = ch->retry_at;
    }
    if (next)
        nax__timer_set(&s->t_retry, (uint64_t)((next - now + 999) / 1000));
    nax__stream_flush_fire(s);
    subscribe_pending(s);
}

void nax__stream_chan_ended(nax_stream *s, nax__chan *ch, const nax_error_body *e)
{
    const char *code = e && e->code ? e->code : "error";
    const char *msg = e && e->message ? e->message : "";
    ch->sub = NAX__SUB_NONE;
    ch->have_snapshot = 0;
    ch->seq = 0;
    ch->leave_pending = 0;
    retry_batch b = {0, 0};
    retry_join(s, ch, &b);
    retry_arm(s, &b);
    char why[400];
    snprintf(why, sizeof why,
             "the server ended the subscription: %s: %s; subscribing again in %llu ms", code, msg,
             (unsigned long long)b.delay_ms);
    if (ch->kind == NAX__CH_BOOK) {
        nax__stream_book_resync(s, ch, NAX_STREAM_REASON_NONE, error_of_code(code), why);
        return;
    }
    nax__stream_event(s, nax__stream_state_now(s), NAX_STREAM_REASON_NONE, ch->name,
                      error_of_code(code), "%s", why);
    if (NAX__CH_PRIVATE(ch->kind) && !s->halted)
        nax__stream_private_lost(s, ch); /* events went by meanwhile: catch them up */
}

/* ---- auth ------------------------------------------------------------------------ */

/* The private channels cannot be had on this connection: each is reported and dropped. */
static void auth_failed(nax_stream *s, int error, const char *why)
{
    for (size_t i = 0; i < s->chans_count;) {
        nax__chan *ch = s->chans[i];
        if (!NAX__CH_PRIVATE(ch->kind) || !ch->wanted) {
            i++;
            continue;
        }
        nax__stream_event(s, nax__stream_state_now(s), NAX_STREAM_REASON_AUTH_FAILED, ch->name,
                          error, "%s", why);
        nax__chan_unwant(s, ch);
        if (ch->sub == NAX__SUB_NONE)
            nax__chan_drop(s, ch); /* the slot now holds another channel */
        else
            i++;
    }
    nax__stream_check_live(s);
}

void nax__stream_authenticate(nax_stream *s)
{
    if (s->auth_state != NAX__SAUTH_NONE || !s->established)
        return;
    if (!s->client) {
        s->auth_state = AUTH_NO_CREDENTIALS;
        subscribe_pending(s);
        return;
    }
    nax_stream_op op;
    memset(&op, 0, sizeof op);
    op.struct_size = sizeof op;
    op.op = NAX_STREAM_OP_AUTH;
    op.id = ++s->next_id;
    nax_buf storage = NAX_BUF_INIT, frame = NAX_BUF_INIT;
    if (s->auth_renew) {
        /* A failed renewal leaves the old token: the server then says why. */
        s->auth_renew = 0;
        nax__client_stream_renew(s->client, s->auth_generation);
    }
    int rc = nax__client_stream_auth(s->client, &op, &storage, &s->auth_generation);
    nax__stream_heartbeat_restart(s); /* a refresh or a login may have taken a while */
    if (rc == 0) {
        rc = nax_encode(&frame, NAX_TYPE_STREAM_OP, &op);
        if (!rc)
            rc = nax__stream_send(s, frame.data, frame.len);
    }
    char why[300] = "";
    if (rc < 0)
        snprintf(why, sizeof why, "cannot authenticate: %s", nax_error_last()->message);
    if (storage.data)
        OPENSSL_cleanse(storage.data, storage.len);
    if (frame.data)
        OPENSSL_cleanse(frame.data, frame.len);
    nax_buf_dispose(&storage);
    nax_buf_dispose(&frame);
    nax__log(NAX_LOG_DEBUG, "nax stream: auth op %s",
             rc == 1    ? "skipped: no credentials"
             : rc       ? "failed locally"
             : op.token ? "with the session's token"
                        : "with an API-key signature");
    if (rc == 1) {
        s->auth_state = AUTH_NO_CREDENTIALS; /* the server will say auth_required */
        subscribe_pending(s);
    } else if (rc < 0) {
        auth_failed(s, rc, why);
    } else {
        s->auth_state = NAX__SAUTH_PENDING;
        s->auth_op = op.id;
    }
}

int nax__stream_reauthenticate(nax_stream *s)
{
    if (s->auth_state == NAX__SAUTH_PENDING)
        return 0; /* an auth op is on its way already */
    if (s->auth_retries >= MAX_AUTH_RENEWALS)
        return -1;
    s->auth_retries++;
    s->auth_state = NAX__SAUTH_NONE;
    s->auth_renew = 1;
    nax__stream_authenticate(s);
    return 0;
}

/* ---- acknowledgements ---------------------------------------------------------------- */

/* The index N of an error field "channels[N]", or -1. */
static long refused_index(const nax_error_body *e, size_t count)
{
    if (!e || !e->field || strncmp(e->field, "channels[", 9) != 0)
        return -1;
    char *end;
    unsigned long v = strtoul(e->field + 9, &end, 10);
    return *end == ']' && end[1] == '\0' && v < count ? (long)v : -1;
}

/* A refusal that may pass: subscribe again later rather than drop the channel. */
static int transient_refusal(const char *code)
{
    return !strcmp(code, "rate_limited") || !strcmp(code, "internal_error") ||
           !strcmp(code, "unavailable");
}

static void subscribe_acked(nax_stream *s, const nax__op *op, const nax_stream_ack *ack)
{
    nax__chan **leave = nax__malloc((op->count ? op->count : 1) * sizeof *leave);
    size_t n_leave = 0;
    long refused = ack->ok ? -1 : refused_index(ack->error, op->count);
    const char *code = ack->error && ack->error->code ? ack->error->code : "refused";
    const char *msg = ack->error && ack->error->message ? ack->error->message : "";
    retry_batch b = {0, 0};
    for (size_t i = 0; i < op->count; i++) {
        nax__chan *ch = nax__chan_find(s, op->channels[i]);
        if (!ch || ch->sub != NAX__SUB_PENDING)
            continue;
        if (ack->ok) {
            ch->sub = NAX__SUB_ACTIVE;
            if (!ch->wanted && leave)
                leave[n_leave++] = ch;
            continue;
        }
        ch->sub = NAX__SUB_NONE;
        if (refused >= 0 && (size_t)refused != i)
            continue; /* all or nothing: subscribed again below */
        /* Authenticated, yet refused as not: the session ended meanwhile. */
        if (NAX__CH_PRIVATE(ch->kind) && !strcmp(code, "auth_required") &&
            s->auth_state == NAX__SAUTH_OK && nax__stream_reauthenticate(s) == 0)
            continue;
        if (ch->wanted && transient_refusal(code)) {
            retry_join(s, ch, &b);
            nax__stream_event(s, nax__stream_state_now(s), NAX_STREAM_REASON_NONE, ch->name,
                              error_of_code(code), "%s: %s; subscribing again in %llu ms", code,
                              msg, (unsigned long long)b.delay_ms);
            continue;
        }
        if (ch->wanted)
            nax__stream_event(s, nax__stream_state_now(s), NAX_STREAM_REASON_SUBSCRIBE_FAILED,
                              ch->name, NAX_EBADREQUEST, "%s: %s", code, msg);
        nax__chan_unwant(s, ch);
        nax__chan_drop(s, ch);
    }
    retry_arm(s, &b);
    if (!ack->ok)
        for (size_t i = 0; i < s->chans_count; i++)
            if (!s->chans[i]->wanted && s->chans[i]->sub == NAX__SUB_NONE)
                nax__chan_drop(s, s->chans[i--]);
    if (leave)
        send_channels(s, leave, n_leave, NAX_STREAM_OP_UNSUBSCRIBE);
    else if (ack->ok)
        nax__stream_kill(s, NAX_STREAM_REASON_NONE, NAX_ENOMEM);
    nax__free(leave);
    subscribe_pending(s);
}

static void unsubscribe_acked(nax_stream *s, const nax__op *op, const nax_stream_ack *ack)
{
    const char *code = ack->error && ack->error->code ? ack->error->code : "refused";
    const char *msg = ack->error && ack->error->message ? ack->error->message : "";
    retry_batch b = {0, 0};
    for (size_t i = 0; i < op->count; i++) {
        nax__chan *ch = nax__chan_find(s, op->channels[i]);
        if (!ch || ch->sub != NAX__SUB_LEAVING)
            continue;
        if (!ack->ok) {
            /* The server still holds the subscription (a subscribe now would
             * bring no snapshot): unsubscribe again after a backoff, dropping
             * what the old subscription sends meanwhile. */
            ch->sub = NAX__SUB_ACTIVE;
            ch->leave_pending = 1;
            retry_join(s, ch, &b);
            if (ch->wanted)
                nax__stream_event(s, nax__stream_state_now(s), NAX_STREAM_REASON_NONE, ch->name,
                                  error_of_code(code),
                                  "unsubscribing for a fresh snapshot was refused: %s: %s; "
                                  "trying again in %llu ms",
                                  code, msg, (unsigned long long)b.delay_ms);
            continue;
        }
        ch->sub = NAX__SUB_NONE;
        if (!ch->wanted)
            nax__chan_drop(s, ch);
    }
    retry_arm(s, &b);
    subscribe_pending(s); /* the resyncs */
}

static void auth_acked(nax_stream *s, const nax_stream_ack *ack)
{
    if (ack->ok) {
        s->auth_state = NAX__SAUTH_OK;
        s->auth_retries = 0; /* the bound is on renewals in a row that do not authenticate */
        subscribe_pending(s);
        return;
    }
    s->auth_state = NAX__SAUTH_NONE;
    /* The token lapsed on its way (the client's clock and the server's
     * disagree by a little): renew it and try again. */
    if (ack->error && ack->error->code && !strcmp(ack->error->code, "token_expired") &&
        nax__stream_reauthenticate(s) == 0)
        return;
    char why[300];
    snprintf(why, sizeof why, "the server refused the credentials: %s: %s",
             ack->error && ack->error->code ? ack->error->code : "refused",
             ack->error && ack->error->message ? ack->error->message : "");
    auth_failed(s, NAX_EAUTH, why);
}

void nax__stream_on_ack(nax_stream *s, const nax_stream_ack *ack)
{
    if (ack->op == NAX_STREAM_OP_PING) {
        s->ping_outstanding = 0;
        s->missed = 0;
    }
    if (s->live_reported && nax__stream_state_now(s) == NAX_STREAM_STALE)
        nax__stream_event(s, NAX_STREAM_LIVE, NAX_STREAM_REASON_TRAFFIC, NULL, 0,
                          "the server answers again");
    if (s->halted || s->dropping)
        return;
    if (ack->op == NAX_STREAM_OP_AUTH) {
        if (s->auth_state == NAX__SAUTH_PENDING && ack->id == s->auth_op)
            auth_acked(s, ack);
    } else if (ack->op == NAX_STREAM_OP_SUBSCRIBE || ack->op == NAX_STREAM_OP_UNSUBSCRIBE) {
        nax__op *rec = op_find(s, ack->id);
        if (!rec)
            return;
        nax__op op = *rec;
        *rec = s->ops[--s->ops_count];
        if (op.kind == NAX_STREAM_OP_SUBSCRIBE)
            subscribe_acked(s, &op, ack);
        else
            unsubscribe_acked(s, &op, ack);
        nax__free(op.channels);
    }
    nax__stream_check_live(s);
}

/* ---- the connection's life --------------------------------------------------------------- */

void nax__stream_on_open(nax_stream *s)
{
    s->auth_state = NAX__SAUTH_NONE;
    s->auth_retries = 0;
    subscribe_pending(s);
    nax__stream_check_live(s);
}

void nax__stream_on_close(nax_stream *s)
{
    ops_clear(s);
    s->auth_state = NAX__SAUTH_NONE;
    nax__stream_private_disconnected(s);
    for (size_t i = 0; i < s->chans_count;) {
        nax__chan *ch = s->chans[i];
        if (!ch->wanted) {
            nax__chan_drop(s, ch);
            continue;
        }
        ch->sub = NAX__SUB_NONE;
        ch->have_snapshot = 0;
        ch->seq = 0;
        ch->leave_pending = 0;
        ch->retries = 0; /* a new connection subscribes everything at once */
        ch->retry_at = 0;
        set_resyncing(s, ch, 0);
        nax__chan_clear_buffered(ch);
        if (ch->book) {
            pthread_mutex_lock(&s->book_lock);
            ch->book->live = 0;
            pthread_mutex_unlock(&s->book_lock);
        }
        i++;
    }
}

void nax__stream_check_live(nax_stream *s)
{
    if (!s->established || s->live_reported || s->halted || s->dropping)
        return;
    if (s->auth_state == NAX__SAUTH_PENDING || s->priv.catchup || s->priv.held_count)
        return;
    size_t n = 0;
    for (size_t i = 0; i < s->chans_count; i++) {
        const nax__chan *ch = s->chans[i];
        if (!ch->wanted)
            continue;
        /* Every channel starts with a snapshot: LIVE means all of them are in. */
        if (ch->sub != NAX__SUB_ACTIVE || !ch->have_snapshot)
            return;
        n++;
    }
    s->live_reported = 1;
    s->attempt = 0;
    nax__stream_event(s, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 0,
                      "%zu channel%s subscribed", n, n == 1 ? "" : "s");
}

/* ---- commands from other threads ---------------------------------------------------------- */

void nax__stream_apply_command(nax_stream *s, const nax__cmd *cmd)
{
    if (cmd->kind == NAX__CMD_SUBSCRIBE) {
        for (size_t i = 0; i < cmd->count; i++) {
            nax__chan *ch = nax__chan_find(s, cmd->channels[i]);
            if (!ch) {
                ch = chan_new(s, cmd->channels[i], nax__chan_parse(cmd->channels[i]));
                if (!ch) {
                    nax__stream_event(s, nax__stream_state_now(s),
                                      NAX_STREAM_REASON_SUBSCRIBE_FAILED, cmd->channels[i],
                                      NAX_ENOMEM, "out of memory");
                    continue;
                }
            } else if (ch->wanted) {
                continue;
            } else if (ch->kind == NAX__CH_BOOK && !ch->book &&
                       !(ch->book = nax__books_add(s, ch->pair))) {
                /* reported like a channel that could not be made, not dropped silently */
                nax__stream_event(s, nax__stream_state_now(s), NAX_STREAM_REASON_SUBSCRIBE_FAILED,
                                  ch->name, NAX_ENOMEM, "out of memory");
                continue;
            }
            ch->wanted = 1;
            /* The client may have logged in since it had no credentials:
             * look again before subscribing (subscribe_pending authenticates). */
            if (NAX__CH_PRIVATE(ch->kind) && s->auth_state == AUTH_NO_CREDENTIALS)
                s->auth_state = NAX__SAUTH_NONE;
        }
        return;
    }
    for (size_t i = 0; i < cmd->count; i++) {
        nax__chan *ch = nax__chan_find(s, cmd->channels[i]);
        if (!ch || !ch->wanted)
            continue;
        nax__chan_unwant(s, ch);
        if (ch->sub == NAX__SUB_NONE)
            nax__chan_drop(s, ch);
        else if (ch->sub == NAX__SUB_ACTIVE)
            ch->leave_pending = 1; /* unsubscribed by the flush; the ack drops it */
        /* PENDING: its ack unsubscribes it; LEAVING: on its way out. */
    }
}

void nax__stream_commands_applied(nax_stream *s)
{
    nax__stream_flush_fire(s);
    subscribe_pending(s);
    nax__stream_check_live(s);
}

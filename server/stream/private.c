/* Private channels: who is authenticated on a connection, one user's
 * events to that user's subscribed connections only, and the end of private
 * subscriptions (token expiry, revoked session). */
#include <string.h>

#include "internal.h"

int naxd__conn_set_user(naxd__conn *c, naxd__user *u, int64_t expires_ms)
{
    naxd_stream *s = c->s;
    naxd__user *old = c->user;
    if (u && old != u) {
        if (u->nconns == u->conns_cap) {
            size_t cap = u->conns_cap ? u->conns_cap * 2 : 4;
            naxd__conn **a = nax__realloc(u->conns, cap * sizeof(*a));
            if (!a)
                return nax__error_oom();
            u->conns = a;
            u->conns_cap = cap;
        }
        u->conns[u->nconns++] = c;
    }
    if (old && old != u) {
        /* another user (or none): the old user's channels are not this
         * connection's any more */
        for (size_t i = c->nsubs; i-- > 0;)
            if (c->subs[i]->chan->user == old) {
                naxd__conn_purge_chan(c, c->subs[i]->chan);
                naxd__sub_remove(c->subs[i]);
            }
        for (size_t i = 0; i < old->nconns; i++)
            if (old->conns[i] == c) {
                old->conns[i] = old->conns[--old->nconns];
                break;
            }
        naxd__user_release(s, old);
    }
    c->user = u;
    c->expires_ms = u ? expires_ms : 0;
    c->expires_at_ms = 0;
    if (u && expires_ms) {
        int64_t left = expires_ms - naxd__now(s);
        c->expires_at_ms = naxd__mono_ms() + (left > 0 ? left : 0);
    }
    naxd__conn_timer(c);
    return 0;
}

void naxd__end_private(naxd__conn *c, const char *code, const char *message)
{
    for (size_t i = c->nsubs; i-- > 0;) {
        naxd__sub *sub = c->subs[i];
        if (!naxd__kind_is_private(sub->chan->kind))
            continue;
        naxd__conn_purge_chan(c, sub->chan);
        naxd__send_error(c, sub->chan->name, code, message);
        naxd__sub_remove(sub);
    }
}

void naxd_stream_revoke(naxd_stream *s, uint64_t user, const char *credential)
{
    if (!s)
        return;
    naxd__user *u = naxd__user_find(s, user);
    if (!u)
        return;
    /* ending a connection's session may free u: walk a copy of its list */
    size_t n = u->nconns;
    naxd__conn **conns = nax__malloc((n ? n : 1) * sizeof(*conns));
    if (!conns) {
        nax__log(NAX_LOG_ERROR, "naxd stream: out of memory revoking a session");
        return;
    }
    memcpy(conns, u->conns, n * sizeof(*conns));
    for (size_t i = 0; i < n; i++) {
        naxd__conn *c = conns[i];
        if (credential && strcmp(c->credential, credential) != 0)
            continue; /* authenticated otherwise: another session or key */
        naxd__end_private(c, "token_revoked",
                          "the session was revoked; log in, authenticate again and resubscribe");
        naxd__conn_set_user(c, NULL, 0);
    }
    nax__free(conns);
}

static int publish_private(naxd_stream *s, uint64_t user, int which, nax_stream_message *msg)
{
    if (!s)
        return nax__error(NAX_EINVAL, "naxd_stream: NULL stream");
    naxd__user *u = naxd__user_find(s, user);
    if (!u || !u->chans[which].nsubs)
        return 0; /* nobody listens: nothing to do */
    naxd__chan *ch = &u->chans[which];
    msg->struct_size = sizeof(*msg);
    msg->channel = ch->name;
    msg->type = NAX_STREAM_MSG_UPDATE;
    msg->seq = ch->seq + 1;
    naxd__msg *m;
    int rc = naxd__msg_encode(s, &m, NAX_TYPE_STREAM_MESSAGE, msg, ch, 1);
    if (rc)
        return rc;
    ch->seq++;
    naxd__chan_publish(ch, m);
    return 0;
}

int naxd_stream_order(naxd_stream *s, uint64_t user, const nax_order *o, int64_t ts)
{
    nax_stream_message msg;
    memset(&msg, 0, sizeof(msg));
    msg.ts = ts;
    msg.order = o;
    return publish_private(s, user, 0, &msg);
}

int naxd_stream_balance(naxd_stream *s, uint64_t user, const nax_balance *b, int64_t ts)
{
    nax_stream_message msg;
    memset(&msg, 0, sizeof(msg));
    msg.ts = ts;
    msg.balance = b;
    return publish_private(s, user, 1, &msg);
}

int naxd_stream_fill(naxd_stream *s, uint64_t user, const nax_fill *f, int64_t ts)
{
    nax_stream_message msg;
    memset(&msg, 0, sizeof(msg));
    msg.ts = ts;
    msg.fill = f;
    return publish_private(s, user, 2, &msg);
}

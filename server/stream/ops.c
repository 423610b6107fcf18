/* The client's ops: every text message is read as a nax_stream_op and
 * answered with exactly one ack carrying its id; a frame that is not an op
 * gets an ack when its op and id can be read, else an `error` message. */
#include <stdio.h>
#include <string.h>

#include "auth/json_walk.h"
#include "internal.h"
#include <nax/codec.h>

/* ---- the ops rate: a token bucket of twice the rate ---- */

/* 0 when the op may go on; otherwise it is refused (rate_limited) and, for
 * a client that keeps going once refused, the connection is closed. */
static int rate_take(naxd__conn *c)
{
    int64_t rate = c->s->lim.ops_per_second;
    int64_t burst_milli = 2000 * rate;
    int64_t now = naxd__mono_ms();
    c->bucket_milli += (now - c->bucket_at_ms) * rate;
    if (c->bucket_milli > burst_milli)
        c->bucket_milli = burst_milli;
    c->bucket_at_ms = now;
    if (c->bucket_milli >= 1000) {
        c->bucket_milli -= 1000;
        c->refused = 0;
        return 0;
    }
    /* refused past another burst's worth: 2x the burst in all */
    if (++c->refused > 2 * rate)
        naxd__conn_close_flushed(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "too many ops");
    return -1;
}

/* ---- channel names ---- */

static int pair_part_ok(const char *s, size_t n)
{
    if (n < 2 || n > 12)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
            return 0;
    return 1;
}

/* BASE-QUOTE, each 2 to 12 of A-Z 0-9 (docs/asyncapi.yaml ChannelName). */
static int pair_ok(const char *pair)
{
    const char *dash = strchr(pair, '-');
    return dash && pair_part_ok(pair, (size_t)(dash - pair)) &&
           pair_part_ok(dash + 1, strlen(dash + 1));
}

typedef struct parsed_chan {
    naxd__kind kind;
    const char *pair; /* into the op's string, public channels */
} parsed_chan;

static int parse_channel(const char *name, parsed_chan *out)
{
    static const struct {
        const char *prefix;
        naxd__kind kind;
    } pub[] = {{"ticker:", NAXD__TICKER}, {"trades:", NAXD__TRADES}, {"book:", NAXD__BOOK}};
    static const struct {
        const char *name;
        naxd__kind kind;
    } priv[] = {{"orders", NAXD__ORDERS}, {"balances", NAXD__BALANCES}, {"fills", NAXD__FILLS}};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(pub[i].prefix);
        if (strncmp(name, pub[i].prefix, n) == 0) {
            out->kind = pub[i].kind;
            out->pair = name + n;
            return pair_ok(out->pair);
        }
        if (strcmp(name, priv[i].name) == 0) {
            out->kind = priv[i].kind;
            out->pair = NULL;
            return 1;
        }
    }
    return 0;
}

/* The channel record of a parsed name if it exists yet (no pair is made). */
static naxd__chan *existing_chan(naxd__conn *c, const parsed_chan *pc)
{
    if (naxd__kind_is_private(pc->kind))
        return c->user ? &c->user->chans[pc->kind - NAXD__ORDERS] : NULL;
    naxd__pair *p = naxd__pair_find(c->s, pc->pair);
    if (!p)
        return NULL;
    return pc->kind == NAXD__TICKER ? &p->ticker : pc->kind == NAXD__TRADES ? &p->trades : &p->book;
}

/* The channel record of a parsed name (creating its pair); NULL on OOM. */
static naxd__chan *channel_of(naxd__conn *c, const parsed_chan *pc)
{
    if (naxd__kind_is_private(pc->kind))
        return &c->user->chans[pc->kind - NAXD__ORDERS];
    naxd__pair *p = naxd__pair_get(c->s, pc->pair);
    if (!p)
        return NULL;
    return pc->kind == NAXD__TICKER ? &p->ticker : pc->kind == NAXD__TRADES ? &p->trades : &p->book;
}

/* ---- subscribe and unsubscribe ---- */

#define FIELD_MAX 32

static void ack_field(naxd__conn *c, const nax_stream_op *op, const char *code, size_t i,
                      const char *message)
{
    char field[FIELD_MAX];
    snprintf(field, sizeof(field), "channels[%zu]", i);
    naxd__send_ack(c, op->op, op->id, code, field, message);
}

/* One op may name at most as many channels as a connection may hold, which
 * also bounds the work of checking them (names are compared pairwise) on
 * the app thread. 0, or -1 once the ack was sent. */
static int check_channel_count(naxd__conn *c, const nax_stream_op *op)
{
    unsigned int max = c->s->lim.max_subscriptions;
    if (op->channels_count <= max)
        return 0;
    char msg[96];
    snprintf(msg, sizeof(msg), "at most %u channels per connection", max);
    naxd__send_ack(c, op->op, op->id, "too_many_subscriptions", "channels", msg);
    return -1;
}

/* Checks every channel of a subscribe before anything changes. The number
 * of new channels goes to *fresh. 0, or -1 once the ack was sent. */
static int check_subscribe(naxd__conn *c, const nax_stream_op *op, parsed_chan *pc, size_t *fresh)
{
    naxd_stream *s = c->s;
    *fresh = 0;
    if (check_channel_count(c, op))
        return -1;
    for (size_t i = 0; i < op->channels_count; i++) {
        if (!parse_channel(op->channels[i], &pc[i])) {
            ack_field(c, op, "invalid_request", i, "not a channel name");
            return -1;
        }
        if (naxd__kind_is_private(pc[i].kind)) {
            if (!c->user) {
                ack_field(c, op, "auth_required", i, "private channels need an auth op first");
                return -1;
            }
        } else if (!s->hooks.market_exists(s->hooks.app, pc[i].pair)) {
            ack_field(c, op, "unknown_channel", i, "no such market");
            return -1;
        }
        int dup = 0;
        for (size_t k = 0; k < i && !dup; k++)
            dup = strcmp(op->channels[k], op->channels[i]) == 0;
        naxd__chan *ch = existing_chan(c, &pc[i]);
        if (!dup && ch)
            dup = naxd__conn_sub(c, ch) != NULL;
        if (!dup)
            (*fresh)++;
    }
    if (c->nsubs + *fresh > s->lim.max_subscriptions) {
        char msg[96];
        snprintf(msg, sizeof(msg), "at most %u channels per connection", s->lim.max_subscriptions);
        naxd__send_ack(c, op->op, op->id, "too_many_subscriptions", "channels", msg);
        return -1;
    }
    return 0;
}

static void op_subscribe(naxd__conn *c, const nax_stream_op *op)
{
    size_t n = op->channels_count, fresh;
    parsed_chan *pc = nax__calloc(n, sizeof(*pc));
    naxd__sub **added = nax__calloc(n, sizeof(*added));
    if (!pc || !added) {
        naxd__send_ack(c, op->op, op->id, "internal_error", NULL, "out of memory");
        goto out;
    }
    if (check_subscribe(c, op, pc, &fresh))
        goto out;
    size_t nadded = 0;
    for (size_t i = 0; i < n; i++) {
        naxd__chan *ch = channel_of(c, &pc[i]);
        naxd__sub *sub = ch ? naxd__conn_sub(c, ch) : NULL;
        if (ch && sub)
            continue; /* already subscribed (or named twice): no second snapshot */
        sub = ch ? naxd__sub_add(c, ch) : NULL;
        if (!sub) {
            /* all or nothing */
            while (nadded)
                naxd__sub_remove(added[--nadded]);
            naxd__send_ack(c, op->op, op->id, "internal_error", NULL, "out of memory");
            goto out;
        }
        sub->await_initial = 1; /* nothing is queued for it before its snapshot */
        added[nadded++] = sub;
    }
    naxd__send_ack(c, op->op, op->id, NULL, NULL, NULL);
    /* a snapshot may fail and end its own subscription: take them in order */
    for (size_t i = 0; i < nadded && !c->close_code; i++)
        naxd__send_snapshot(added[i]);
out:
    nax__free(pc);
    nax__free(added);
}

static void op_unsubscribe(naxd__conn *c, const nax_stream_op *op)
{
    parsed_chan pc;
    if (check_channel_count(c, op))
        return;
    for (size_t i = 0; i < op->channels_count; i++)
        if (!parse_channel(op->channels[i], &pc)) {
            ack_field(c, op, "invalid_request", i, "not a channel name");
            return;
        }
    for (size_t i = 0; i < op->channels_count; i++) {
        parse_channel(op->channels[i], &pc);
        naxd__chan *ch = existing_chan(c, &pc);
        naxd__sub *sub = ch ? naxd__conn_sub(c, ch) : NULL;
        if (!sub)
            continue; /* not subscribed: fine */
        naxd__conn_purge_chan(c, ch);
        naxd__sub_remove(sub);
    }
    naxd__send_ack(c, op->op, op->id, NULL, NULL, NULL);
}

/* ---- auth and ping ---- */

static void op_auth(naxd__conn *c, const nax_stream_op *op)
{
    naxd_stream *s = c->s;
    uint64_t user = 0;
    int64_t expires_ms = 0;
    const char *code = NULL;
    char message[256] = "";
    char credential[NAXD_STREAM_CREDENTIAL_MAX] = "";
    int rc = s->hooks.authenticate(s->hooks.app, op, c->peer, &user, &expires_ms, credential, &code,
                                   message, sizeof(message));
    if (rc) {
        naxd__send_ack(c, op->op, op->id, code ? code : "invalid_token", NULL,
                       message[0] ? message : "authentication failed");
        return;
    }
    naxd__user *u = naxd__user_get(s, user);
    if (!u || naxd__conn_set_user(c, u, expires_ms)) {
        if (u)
            naxd__user_release(s, u);
        naxd__send_ack(c, op->op, op->id, "internal_error", NULL, "out of memory");
        return;
    }
    memcpy(c->credential, credential, sizeof c->credential);
    c->credential[sizeof c->credential - 1] = '\0';
    naxd__send_ack(c, op->op, op->id, NULL, NULL, NULL);
}

/* ---- frames that are not ops ---- */

typedef struct op_probe {
    int has_op, has_id;
    nax_stream_op_kind op;
    uint64_t id;
} op_probe;

static int probe_member(const nax__json_member *m, void *arg)
{
    op_probe *p = arg;
    static const char *const names[] = {NULL, "subscribe", "unsubscribe", "auth", "ping"};
    if (m->name_len == 2 && memcmp(m->name, "op", 2) == 0 && m->kind == NAX__JSON_STRING) {
        for (int k = 1; k <= 4; k++)
            if (m->str_len == strlen(names[k]) && memcmp(m->str, names[k], m->str_len) == 0) {
                p->has_op = 1;
                p->op = (nax_stream_op_kind)k;
            }
    } else if (m->name_len == 2 && memcmp(m->name, "id", 2) == 0 && m->kind == NAX__JSON_INTEGER &&
               m->integer >= 0) {
        p->has_id = 1;
        p->id = (uint64_t)m->integer;
    }
    return 0;
}

static void refuse_frame(naxd__conn *c, const char *text, size_t len, int rc, int limited)
{
    const nax_error *e = nax_error_last();
    char field[128], message[256];
    snprintf(field, sizeof(field), "%s", e && e->field ? e->field : "");
    snprintf(message, sizeof(message), "%s", e && e->message ? e->message : "not an op");
    op_probe p = {0, 0, NAX_STREAM_OP_NONE, 0};
    int is_object = nax__json_walk(text, len, probe_member, &p) == 0;
    if (p.has_op && p.has_id) {
        if (limited)
            naxd__send_ack(c, p.op, p.id, "rate_limited", NULL, "too many ops; slow down");
        else
            naxd__send_ack(c, p.op, p.id, rc == NAX_ENOMEM ? "internal_error" : "invalid_request",
                           field[0] ? field : NULL, message);
        return;
    }
    if (limited)
        naxd__send_error(c, NULL, "rate_limited", "too many ops; slow down");
    else if (!is_object || rc == NAX_EJSON)
        naxd__send_error(c, NULL, "invalid_json", "the frame is not a JSON object");
    else
        naxd__send_error(c, NULL, "invalid_request",
                         "the frame is not an op (op and a non-negative integer id are required)");
}

void naxd__handle_frame(naxd__conn *c, const char *text, size_t len)
{
    if (rate_take(c)) {
        if (!c->close_code)
            refuse_frame(c, text, len, 0, 1);
        return;
    }
    nax_decode_options opts = NAX_DECODE_OPTIONS_INIT;
    opts.max_bytes = c->s->lim.max_frame_bytes;
    nax_stream_op *op = NULL;
    int rc = nax_decode(&op, NAX_TYPE_STREAM_OP, text, len, &opts);
    if (rc) {
        refuse_frame(c, text, len, rc, 0);
        return;
    }
    switch (op->op) {
    case NAX_STREAM_OP_SUBSCRIBE: op_subscribe(c, op); break;
    case NAX_STREAM_OP_UNSUBSCRIBE: op_unsubscribe(c, op); break;
    case NAX_STREAM_OP_AUTH: op_auth(c, op); break;
    default: naxd__send_ack(c, op->op, op->id, NULL, NULL, NULL); break;
    }
    nax_object_free(op);
}

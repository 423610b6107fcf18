/*
 * naxd's stream ops (server/stream/ops.c naxd__handle_frame): up to 8
 * client text frames (the input split at NUL bytes) on one connection,
 * without a socket: the connection record is made the way conn.c makes it
 * when a WebSocket opens, and what it would send is read from its queue.
 * Frames that are not UTF-8 are skipped (conn.c closes with 1007 first).
 * Oracles, per frame: exactly one ack or `error` comes first, valid JSON
 * with a code when refused; an ack echoes a decodable op's kind and id; an
 * accepted subscribe named only valid channels (markets, or private ones
 * after an auth) and the connection holds them all; a refused subscribe
 * changes no subscription; an accepted unsubscribe leaves none of its
 * channels; snapshots follow only an accepted subscribe, on its channels.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "core/core.h"
#include "stream/internal.h"
#include <nax/codec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FRAMES 8 /* below the 2 x 2 x ops_per_second frames that close a connection */
#define OPS_RATE   2 /* a burst of 4, then rate_limited acks */
#define MAX_SUBS   8 /* fewer than the 12 channels there are: too_many_subscriptions */

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_stream_op: %s:%d: %s\n", __FILE__, __LINE__, #cond);             \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* ---- the fake app (as tests/unit/stream's): users 7 and 8 ---- */

static int hook_authenticate(void *app, const nax_stream_op *op, const char *peer, uint64_t *user,
                             int64_t *expires_ms, char *credential, const char **code,
                             char *message, size_t message_size)
{
    (void)app;
    (void)peer;
    snprintf(credential, NAXD_STREAM_CREDENTIAL_MAX, "%s",
             op->token     ? op->token
             : op->api_key ? op->api_key
                           : "");
    const char *t = op->token, *k = op->api_key;
    if ((k && strcmp(k, "key7") == 0) || (t && strcmp(t, "good") == 0) ||
        (t && strcmp(t, "good8") == 0)) {
        *user = t && strcmp(t, "good8") == 0 ? 8 : 7;
        *expires_ms = k ? 0 : 4102444800000; /* 2100 */
        return 0;
    }
    *code = k ? "invalid_signature" : "invalid_token";
    snprintf(message, message_size, "refused");
    return -1;
}

typedef struct snap_cookie {
    nax_balance balance;
    const nax_balance *list[1];
} snap_cookie;

static int hook_private_snapshot(void *app, uint64_t user, naxd_stream_private which,
                                 nax_stream_message *msg, void **cookie)
{
    (void)app;
    (void)user;
    snap_cookie *k = nax__calloc(1, sizeof(*k));
    if (!k)
        return NAX_ENOMEM;
    *cookie = k;
    static const void *const none[1];
    if (which == NAXD_STREAM_BALANCES) {
        k->balance.struct_size = sizeof(k->balance);
        k->balance.asset = "AUD";
        k->list[0] = &k->balance;
        msg->balances = k->list;
        msg->balances_count = 1;
    } else if (which == NAXD_STREAM_ORDERS) {
        msg->orders = (const nax_order *const *)none;
    } else {
        msg->fills = (const nax_fill *const *)none;
    }
    return 0;
}

static void hook_private_snapshot_free(void *app, void *cookie)
{
    (void)app;
    nax__free(cookie);
}

static const char *const markets[] = {"BTC-AUD", "ETH-AUD", "XRP-AUD"};

static int hook_market_exists(void *app, const char *pair)
{
    (void)app;
    for (size_t i = 0; i < 3; i++)
        if (strcmp(pair, markets[i]) == 0)
            return 1;
    return 0;
}

static int64_t hook_now(void *app)
{
    (void)app;
    return 1800000000000;
}

/* ---- the target's own idea of a channel name (docs/asyncapi.yaml) ---- */

static int is_market(const char *s)
{
    return hook_market_exists(NULL, s);
}

/* 1 public, 2 private, 0 not a channel a subscribe may accept. */
static int channel_class(const char *name)
{
    static const char *const pub[] = {"ticker:", "trades:", "book:"};
    static const char *const priv[] = {"orders", "balances", "fills"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(pub[i]);
        if (strncmp(name, pub[i], n) == 0)
            return is_market(name + n) ? 1 : 0;
        if (strcmp(name, priv[i]) == 0)
            return 2;
    }
    return 0;
}

static int subscribed(const naxd__conn *c, const char *name)
{
    for (size_t i = 0; i < c->nsubs; i++)
        if (strcmp(c->subs[i]->chan->name, name) == 0)
            return 1;
    return 0;
}

/* ---- the connection fixture (conn.c on_established, without lws) ---- */

static int conn_open(naxd__conn *c, naxd_stream *s)
{
    memset(c, 0, sizeof(*c));
    c->lag_at = nax__calloc(s->lim.max_lagging + 1, sizeof(*c->lag_at));
    if (!c->lag_at)
        return -1;
    c->s = s;
    snprintf(c->peer, sizeof(c->peer), "127.0.0.1");
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->nconns++;
    c->last_rx_ms = naxd__mono_ms();
    c->bucket_milli = 2000 * (int64_t)s->lim.ops_per_second;
    c->bucket_at_ms = c->last_rx_ms;
    return 0;
}

static naxd_stream *stream_open(void)
{
    naxd_stream_hooks hooks = {NULL,
                               hook_authenticate,
                               hook_private_snapshot,
                               hook_private_snapshot_free,
                               hook_market_exists,
                               hook_now};
    naxd_stream_limits lim;
    memset(&lim, 0, sizeof(lim));
    lim.max_subscriptions = MAX_SUBS;
    lim.ops_per_second = OPS_RATE;
    naxd_stream *s = NULL;
    CHECK(naxd_stream_new(&s, &hooks, &lim, NULL) == 0);
    /* BTC-AUD has a book, a ticker and a trade; the others have nothing yet */
    nax_book_level bid, ask;
    CHECK(nax_decimal_parse(&bid.price, "97250.50", 8, NULL) == 0);
    CHECK(nax_decimal_parse(&bid.quantity, "0.015", 5, NULL) == 0);
    CHECK(nax_decimal_parse(&ask.price, "97251", 5, NULL) == 0);
    CHECK(nax_decimal_parse(&ask.quantity, "2", 1, NULL) == 0);
    CHECK(naxd_stream_book_reset(s, "BTC-AUD", 41, 1, &bid, 1, &ask, 1) == 0);
    nax_ticker t = {sizeof(t), "BTC-AUD", &bid.price, &ask.price, NULL, bid.quantity, 3, 1};
    CHECK(naxd_stream_ticker(s, &t) == 0);
    nax_trade tr = {sizeof(tr), "t1", "BTC-AUD", bid.price, bid.quantity, NAX_SIDE_BUY, 1};
    const nax_trade *trades[1] = {&tr};
    CHECK(naxd_stream_trades(s, "BTC-AUD", trades, 1, 1) == 0);
    return s;
}

/* ---- one frame ---- */

/* The sorted names the connection holds, joined (to compare before/after). */
static void sub_set(const naxd__conn *c, char *out, size_t cap)
{
    /* channel names are few and short: a bitmap over the 12 there are would
     * do, but names say more in a crash report */
    out[0] = '\0';
    static const char *const all[] = {"ticker:BTC-AUD", "trades:BTC-AUD", "book:BTC-AUD",
                                      "ticker:ETH-AUD", "trades:ETH-AUD", "book:ETH-AUD",
                                      "ticker:XRP-AUD", "trades:XRP-AUD", "book:XRP-AUD",
                                      "orders",         "balances",       "fills"};
    size_t len = 0, n = 0;
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (subscribed(c, all[i])) {
            len += (size_t)snprintf(out + len, cap - len, "%s,", all[i]);
            n++;
        }
    CHECK(n == c->nsubs); /* nothing else can be subscribed */
}

static int has_key(yajl_val v, const char *key)
{
    const char *path[] = {key, NULL};
    return yajl_tree_get(v, path, yajl_t_any) != NULL;
}

static void check_frame(naxd__conn *c, const char *text, size_t len)
{
    char before[256], after[256];
    sub_set(c, before, sizeof(before));
    int authed = c->user != NULL;
    nax_decode_options opts = NAX_DECODE_OPTIONS_INIT;
    opts.max_bytes = c->s->lim.max_frame_bytes;
    nax_stream_op *op = NULL;
    if (nax_decode(&op, NAX_TYPE_STREAM_OP, text, len, &opts))
        op = NULL;

    naxd__handle_frame(c, text, len);
    CHECK(!c->close_code); /* MAX_FRAMES keeps clear of every limit that closes */

    naxd__msg *m = naxd__conn_pop(c);
    CHECK(m != NULL); /* every frame is answered */
    const char *json = (const char *)m->data + LWS_PRE;
    char err[128];
    yajl_val v = yajl_tree_parse(json, err, sizeof(err));
    CHECK(v && YAJL_IS_OBJECT(v));
    int ok = 0, limited = 0;
    if (has_key(v, "op")) {
        nax_stream_ack *a = NULL;
        CHECK(nax_decode(&a, NAX_TYPE_STREAM_ACK, json, m->len, NULL) == 0);
        ok = a->ok;
        CHECK(ok == (a->error == NULL));
        CHECK(ok || (a->error->code && a->error->code[0]));
        limited = !ok && strcmp(a->error->code, "rate_limited") == 0;
        if (op && !limited)
            CHECK(a->op == op->op && a->id == op->id);
        nax_object_free(a);
    } else {
        nax_stream_message *e = NULL;
        CHECK(nax_decode(&e, NAX_TYPE_STREAM_MESSAGE, json, m->len, NULL) == 0);
        CHECK(e->type == NAX_STREAM_MSG_ERROR && !e->channel);
        CHECK(e->error && e->error->code && e->error->code[0]);
        limited = strcmp(e->error->code, "rate_limited") == 0;
        CHECK(!op || limited); /* an op that decodes is acked */
        nax_object_free(e);
    }
    yajl_tree_free(v);
    naxd__msg_unref(m);

    sub_set(c, after, sizeof(after));
    nax_stream_op_kind kind = op && !limited ? op->op : NAX_STREAM_OP_NONE;
    int subscribe = kind == NAX_STREAM_OP_SUBSCRIBE;
    /* a refusal changes nothing (subscribe is all or nothing), nor does a
     * ping; an accepted auth as another user ends the old user's channels */
    if (!ok || kind == NAX_STREAM_OP_PING)
        CHECK(strcmp(before, after) == 0);
    if (kind == NAX_STREAM_OP_PING)
        CHECK(ok);
    if (subscribe && ok)
        for (size_t i = 0; i < op->channels_count; i++) {
            int cls = channel_class(op->channels[i]);
            CHECK(cls == 1 || (cls == 2 && authed));
            CHECK(subscribed(c, op->channels[i]));
        }
    if (kind == NAX_STREAM_OP_UNSUBSCRIBE && ok)
        for (size_t i = 0; i < op->channels_count; i++)
            CHECK(!subscribed(c, op->channels[i]));
    /* the rest: snapshots of an accepted subscribe's channels */
    while ((m = naxd__conn_pop(c)) != NULL) {
        CHECK(subscribe && ok);
        nax_stream_message *s = NULL;
        json = (const char *)m->data + LWS_PRE;
        CHECK(nax_decode(&s, NAX_TYPE_STREAM_MESSAGE, json, m->len, NULL) == 0);
        CHECK(s->type == NAX_STREAM_MSG_SNAPSHOT && s->channel);
        int named = 0;
        for (size_t i = 0; i < op->channels_count && !named; i++)
            named = strcmp(op->channels[i], s->channel) == 0;
        CHECK(named);
        nax_object_free(s);
        naxd__msg_unref(m);
    }
    nax_object_free(op);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* One stream for the process (a new one per input cost most of the
     * time): a connection leaves nothing behind but the pairs it named,
     * which hold no state the ops could change. */
    static naxd_stream *s;
    if (!s)
        s = stream_open();
    naxd__conn c;
    CHECK(conn_open(&c, s) == 0);
    const char *p = (const char *)data, *end = p + size;
    for (int n = 0; n < MAX_FRAMES && p <= end; n++) {
        const char *nul = memchr(p, 0, (size_t)(end - p));
        size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);
        /* a buffer of exactly the frame: a read past it is caught */
        char *frame = malloc(len ? len : 1);
        CHECK(frame != NULL);
        memcpy(frame, p, len);
        if (naxd__utf8_valid((const unsigned char *)frame, len))
            check_frame(&c, frame, len);
        free(frame);
        p += len + 1;
    }
    naxd__conn_forget(&c);
    CHECK(s->nconns == 0 && s->nusers == 0); /* the connection's user went with it */
    return 0;
}

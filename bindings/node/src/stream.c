/*
 * The market stream: a nax_stream in thread mode whose callbacks (on the
 * library's thread) encode each message and queue it to JS through a napi
 * threadsafe function; JS turns it into EventEmitter events.
 *
 * When JS falls behind: the queue holds at most `maxQueue` messages; the
 * stream's thread then waits for room (a blocking call, counted in stats()
 * as queueWaits), so it stops reading
 * the socket and naxd reports the connection `lagging`, which libnax handles
 * as documented (the book resyncs, private channels catch up over REST).
 * Nothing is dropped silently.
 *
 * close(): nax_stream_stop(); the library reports CLOSED last, and when JS
 * receives it the stream is freed (its thread has delivered everything), the
 * threadsafe function released (so the process may exit) and the client let
 * go. At environment teardown a cleanup hook, registered after the
 * threadsafe function so it runs before that function's own, aborts the
 * queue and frees the stream.
 */
#include "addon.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { EV_STATE = 1, EV_TICKER, EV_TRADE, EV_BOOK, EV_ORDER, EV_BALANCE, EV_FILL };

typedef struct nn_item {
    int kind;
    unsigned int flags;
    int state, reason, error, close_code;
    unsigned int attempt;
    uint64_t delay_ms;
    int has_channel;
    size_t len;  /* bytes of JSON; for a state: the channel's length */
    char data[]; /* JSON, or for a state "channel\0message\0" */
} nn_item;

struct nn_stream {
    nax_stream *stream;
    napi_threadsafe_function tsfn;
    nn_client *client;                /* borrowed for the stream's life, or NULL */
    nax_buf scratch;                  /* the stream's thread only */
    int closed_pushed;                /* the stream's thread only: CLOSED was queued */
    atomic_uint_fast64_t queue_waits; /* pushes that found the queue full and waited */
    napi_deferred close_deferred;
    int finished;   /* the native stream is freed */
    int tsfn_alive; /* the threadsafe function is not finalized yet */
    int js_alive;   /* the JS handle is not finalized yet */
    int hook;       /* the cleanup hook is registered */
    napi_env env;
};

/* ---- the stream's thread */

static void push(nn_stream *w, nn_item *item)
{
    if (w->closed_pushed) {
        free(item); /* closing: nobody will read it */
        return;
    }
    napi_status st = napi_call_threadsafe_function(w->tsfn, item, napi_tsfn_nonblocking);
    if (st == napi_queue_full) {
        /* JS is maxQueue messages behind: wait for room, and count it (stats()
         * queueWaits), so a caller can tell the back-pressure happened. */
        atomic_fetch_add_explicit(&w->queue_waits, 1, memory_order_relaxed);
        st = napi_call_threadsafe_function(w->tsfn, item, napi_tsfn_blocking);
    }
    if (st != napi_ok)
        free(item); /* closing: nobody will read it */
}

static int push_json(nn_stream *w, int kind, unsigned int flags, nax_type type, const void *obj)
{
    if (nax_encode(&w->scratch, type, obj) != 0)
        return 0; /* cannot happen for a decoded object short of memory: skip it */
    nn_item *item = malloc(sizeof *item + w->scratch.len + 1);
    if (!item)
        return 0;
    memset(item, 0, sizeof *item);
    item->kind = kind;
    item->flags = flags;
    item->len = w->scratch.len;
    memcpy(item->data, w->scratch.data, w->scratch.len + 1);
    push(w, item);
    return 0;
}

static int on_state(const nax_stream_event *ev, void *ud)
{
    nn_stream *w = ud;
    size_t clen = ev->channel ? strlen(ev->channel) : 0;
    size_t mlen = ev->message ? strlen(ev->message) : 0;
    nn_item *item = malloc(sizeof *item + clen + mlen + 2);
    if (!item)
        return 0;
    memset(item, 0, sizeof *item);
    item->kind = EV_STATE;
    item->state = ev->state;
    item->reason = ev->reason;
    item->error = ev->error;
    item->attempt = ev->attempt;
    item->delay_ms = ev->delay_ms;
    item->close_code = ev->close_code;
    item->has_channel = ev->channel != NULL;
    item->len = clen;
    memcpy(item->data, ev->channel ? ev->channel : "", clen + 1);
    memcpy(item->data + clen + 1, ev->message ? ev->message : "", mlen + 1);
    push(w, item);
    if (ev->state == NAX_STREAM_CLOSED)
        w->closed_pushed = 1; /* the last event: nothing is queued after it */
    return 0;
}

static int on_ticker(const nax_ticker *t, unsigned int flags, void *ud)
{
    return push_json(ud, EV_TICKER, flags, NAX_TYPE_TICKER, t);
}

static int on_trade(const nax_trade *t, unsigned int flags, void *ud)
{
    return push_json(ud, EV_TRADE, flags, NAX_TYPE_TRADE, t);
}

static int on_order(const nax_order *o, unsigned int flags, void *ud)
{
    return push_json(ud, EV_ORDER, flags, NAX_TYPE_ORDER, o);
}

static int on_balance(const nax_balance *b, unsigned int flags, void *ud)
{
    return push_json(ud, EV_BALANCE, flags, NAX_TYPE_BALANCE, b);
}

static int on_fill(const nax_fill *f, unsigned int flags, void *ud)
{
    return push_json(ud, EV_FILL, flags, NAX_TYPE_FILL, f);
}

/* A book change goes out in the wire shape of a `book:` message, so the
 * codec writes it (levels as decimal strings). */
static int on_book(const nax_stream_book *b, void *ud)
{
    char channel[96];
    snprintf(channel, sizeof channel, "book:%s", b->pair);
    nax_stream_message m;
    memset(&m, 0, sizeof m);
    m.struct_size = sizeof m;
    m.channel = channel;
    m.type = b->snapshot ? NAX_STREAM_MSG_SNAPSHOT : NAX_STREAM_MSG_UPDATE;
    m.seq = b->seq;
    m.bids = b->bids;
    m.bids_count = b->bids_count;
    m.asks = b->asks;
    m.asks_count = b->asks_count;
    m.has_checksum = 1;
    m.checksum = b->checksum;
    return push_json(ud, EV_BOOK, b->snapshot ? NAX_STREAM_F_SNAPSHOT : 0, NAX_TYPE_STREAM_MESSAGE,
                     &m);
}

/* ---- the main thread */

static void stream_cleanup(void *arg);

static void maybe_free(nn_stream *w)
{
    if (w->finished && !w->tsfn_alive && !w->js_alive)
        free(w);
}

/* Free the native stream after CLOSED reached JS (its thread is done). */
static void finish(napi_env env, nn_stream *w)
{
    if (w->finished)
        return;
    w->finished = 1;
    nax_stream_free(w->stream);
    w->stream = NULL;
    nax_buf_dispose(&w->scratch);
    if (w->hook) {
        napi_remove_env_cleanup_hook(env, stream_cleanup, w);
        w->hook = 0;
    }
    napi_release_threadsafe_function(w->tsfn, napi_tsfn_release);
    if (w->client) {
        nn_client_release(w->client);
        w->client = NULL;
    }
}

static void stream_cleanup(void *arg)
{
    nn_stream *w = arg;
    w->hook = 0;
    if (w->finished)
        return;
    w->finished = 1;
    /* Abort first: a thread waiting for room in the queue returns at once. */
    napi_release_threadsafe_function(w->tsfn, napi_tsfn_abort);
    nax_stream_free(w->stream);
    w->stream = NULL;
    nax_buf_dispose(&w->scratch);
    if (w->client) {
        nn_client_release(w->client);
        w->client = NULL;
    }
}

static void set_str(napi_env env, napi_value obj, const char *name, const char *s)
{
    napi_value v = NULL;
    if (s)
        napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
    else
        napi_get_null(env, &v);
    napi_set_named_property(env, obj, name, v);
}

static void set_num(napi_env env, napi_value obj, const char *name, double n)
{
    napi_value v = NULL;
    napi_create_double(env, n, &v);
    napi_set_named_property(env, obj, name, v);
}

static napi_value state_object(napi_env env, const nn_item *item)
{
    napi_value o = NULL;
    if (napi_create_object(env, &o) != napi_ok)
        return NULL;
    set_str(env, o, "state", nax_stream_state_name((nax_stream_state)item->state));
    set_str(env, o, "reason", nax_stream_reason_name((nax_stream_reason)item->reason));
    set_str(env, o, "channel", item->has_channel ? item->data : NULL);
    set_str(env, o, "message", item->data + item->len + 1);
    set_num(env, o, "error", item->error);
    set_num(env, o, "attempt", item->attempt);
    set_num(env, o, "delayMs", (double)item->delay_ms);
    set_num(env, o, "closeCode", item->close_code);
    return o;
}

static void call_js(napi_env env, napi_value js_cb, void *context, void *data)
{
    nn_stream *w = context;
    nn_item *item = data;
    if (!env) { /* the function is being torn down */
        free(item);
        return;
    }
    napi_value argv[3] = {NULL, NULL, NULL};
    int closed = item->kind == EV_STATE && item->state == NAX_STREAM_CLOSED;
    if (closed)
        finish(env, w);
    napi_create_int32(env, item->kind, &argv[0]);
    argv[1] = item->kind == EV_STATE ? state_object(env, item)
                                     : nn_json_parse(env, item->data, item->len);
    napi_create_uint32(env, item->flags, &argv[2]);
    free(item);
    if (argv[1])
        napi_call_function(env, nn_undefined(env), js_cb, 3, argv, NULL);
    /* An exception from a listener stays pending and Node reports it as
     * uncaught; close() resolves all the same (set aside, resolve, rethrow). */
    if (closed && w->close_deferred) {
        napi_value exc = NULL;
        bool pending = false;
        if (napi_is_exception_pending(env, &pending) == napi_ok && pending)
            napi_get_and_clear_last_exception(env, &exc);
        napi_resolve_deferred(env, w->close_deferred, nn_undefined(env));
        w->close_deferred = NULL;
        if (exc)
            napi_throw(env, exc);
    }
}

static void tsfn_finalized(napi_env env, void *data, void *hint)
{
    (void)env;
    (void)hint;
    nn_stream *w = data;
    w->tsfn_alive = 0;
    maybe_free(w);
}

static void finalize_handle(napi_env env, void *data, void *hint)
{
    (void)env;
    (void)hint;
    nn_stream *w = data;
    w->js_alive = 0;
    maybe_free(w);
}

static nn_stream *stream_from(napi_env env, napi_value h)
{
    void *p = NULL;
    if (!h || napi_get_value_external(env, h, &p) != napi_ok || !p) {
        napi_throw_type_error(env, NULL, "not a nax stream handle");
        return NULL;
    }
    return p;
}

/* channels: a JS array of strings -> a malloc'd array of malloc'd strings. */
static int read_channels(napi_env env, napi_value arr, char ***out, uint32_t *count)
{
    bool is_array = false;
    *out = NULL;
    *count = 0;
    if (!arr)
        return 0;
    if (napi_is_array(env, arr, &is_array) != napi_ok || !is_array) {
        napi_throw_type_error(env, NULL, "channels must be an array of strings");
        return -1;
    }
    uint32_t n = 0;
    napi_get_array_length(env, arr, &n);
    char **list = calloc(n ? n : 1, sizeof *list);
    if (!list)
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        napi_value v = NULL;
        int bad = 0;
        napi_get_element(env, arr, i, &v);
        list[i] = nn_string_dup(env, v, "channels[]", &bad);
        if (bad || !list[i]) {
            if (!bad)
                napi_throw_type_error(env, NULL, "channels must be an array of strings");
            for (uint32_t j = 0; j <= i; j++)
                free(list[j]);
            free(list);
            return -1;
        }
    }
    *out = list;
    *count = n;
    return 0;
}

static void free_channels(char **list, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        free(list[i]);
    free(list);
}

static int change(napi_env env, napi_callback_info info, int subscribe)
{
    size_t argc = 2;
    napi_value argv[2] = {NULL, NULL};
    if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok)
        return -1;
    nn_stream *w = stream_from(env, argv[0]);
    if (!w)
        return -1;
    if (w->finished) {
        static char text[] = "the stream is closed\0\0\0";
        nn_error e = {NAX_ESTATE, 0, 0, 0, text};
        napi_throw(env, nn_error_value(env, &e));
        return -1;
    }
    char **list = NULL;
    uint32_t n = 0;
    if (read_channels(env, argv[1], &list, &n) != 0)
        return -1;
    int rc = subscribe ? nax_stream_subscribe(w->stream, (const char *const *)list, n)
                       : nax_stream_unsubscribe(w->stream, (const char *const *)list, n);
    free_channels(list, n);
    if (rc != 0) {
        nn_throw_last(env, rc);
        return -1;
    }
    return 0;
}

napi_value nn_stream_subscribe(napi_env env, napi_callback_info info)
{
    change(env, info, 1);
    return NULL;
}

napi_value nn_stream_unsubscribe(napi_env env, napi_callback_info info)
{
    change(env, info, 0);
    return NULL;
}

/* streamNew(options, clientHandle | undefined, onEvent, channels) */
napi_value nn_stream_new(napi_env env, napi_callback_info info)
{
    size_t argc = 4;
    napi_value argv[4] = {NULL, NULL, NULL, NULL}, name = NULL, handle = NULL;
    NN_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
    napi_value o = argv[0];
    napi_valuetype t = napi_undefined;
    nn_client *client = NULL;
    if (argv[1] && napi_typeof(env, argv[1], &t) == napi_ok && t == napi_external &&
        !(client = nn_client_from(env, argv[1])))
        return NULL;

    int bad = 0;
    nax_stream_options opts;
    nax_stream_options_init(&opts, NAX_STREAM_OPTIONS_VERSION);
    char *url = nn_prop_string(env, o, "url", &bad);
    char *ca = nn_prop_string(env, o, "caPath", &bad);
    opts.url = url;
    opts.ca_path = ca;
    opts.client = client ? nn_client_raw(client) : NULL;
    opts.tls_insecure = nn_prop_bool(env, o, "tlsInsecure");
    opts.ping_interval_ms = (uint32_t)nn_prop_int(env, o, "pingIntervalMs", &bad);
    opts.missed_pongs = (unsigned int)nn_prop_int(env, o, "missedPongs", &bad);
    opts.reconnect_min_ms = (uint32_t)nn_prop_int(env, o, "reconnectMinMs", &bad);
    opts.reconnect_max_ms = (uint32_t)nn_prop_int(env, o, "reconnectMaxMs", &bad);
    opts.connect_timeout_ms = (uint32_t)nn_prop_int(env, o, "connectTimeoutMs", &bad);
    opts.max_buffered_updates = (size_t)nn_prop_int(env, o, "maxBufferedUpdates", &bad);
    opts.max_pending_ops = (size_t)nn_prop_int(env, o, "maxPendingOps", &bad);
    opts.max_catchup_items = (size_t)nn_prop_int(env, o, "maxCatchupItems", &bad);
    int64_t max_queue = nn_prop_int(env, o, "maxQueue", &bad);
    char **list = NULL;
    uint32_t n = 0;
    if (bad || read_channels(env, argv[3], &list, &n) != 0) {
        free(url);
        free(ca);
        return NULL;
    }

    nn_stream *w = calloc(1, sizeof *w);
    if (!w) {
        free(url);
        free(ca);
        free_channels(list, n);
        napi_throw_error(env, NULL, "nax addon: out of memory");
        return NULL;
    }
    w->env = env;
    atomic_init(&w->queue_waits, 0);
    opts.callbacks.on_state = on_state;
    opts.callbacks.on_ticker = on_ticker;
    opts.callbacks.on_trade = on_trade;
    opts.callbacks.on_book = on_book;
    opts.callbacks.on_order = on_order;
    opts.callbacks.on_balance = on_balance;
    opts.callbacks.on_fill = on_fill;
    opts.callbacks.userdata = w;

    int rc = nax_stream_new(&w->stream, &opts);
    free(url);
    free(ca);
    if (rc == 0 && n)
        rc = nax_stream_subscribe(w->stream, (const char *const *)list, n);
    free_channels(list, n);
    if (rc != 0) {
        nn_throw_last(env, rc); /* read the error before freeing anything */
        nax_stream_free(w->stream);
        free(w);
        return NULL;
    }

    napi_create_string_utf8(env, "nax.stream", NAPI_AUTO_LENGTH, &name);
    if (napi_create_threadsafe_function(env, argv[2], NULL, name,
                                        max_queue > 0 ? (size_t)max_queue : 4096, 1, w,
                                        tsfn_finalized, w, call_js, &w->tsfn) != napi_ok) {
        nax_stream_free(w->stream);
        free(w);
        nn_throw_napi(env, "napi_create_threadsafe_function");
        return NULL;
    }
    w->tsfn_alive = 1;
    w->js_alive = 1;
    /* After the threadsafe function: hooks run in reverse order, so this one
     * comes first at teardown, while the function still exists. */
    if (napi_add_env_cleanup_hook(env, stream_cleanup, w) == napi_ok)
        w->hook = 1;
    if (client) {
        nn_client_hold(client);
        w->client = client;
    }
    rc = nax_stream_start(w->stream);
    if (rc != 0 || napi_create_external(env, w, finalize_handle, NULL, &handle) != napi_ok) {
        if (rc != 0)
            nn_throw_last(env, rc);
        else
            nn_throw_napi(env, "napi_create_external");
        w->js_alive = 0;
        finish(env, w); /* the tsfn's finalizer frees w */
        return NULL;
    }
    return handle;
}

/* streamClose(handle) -> Promise resolved after the CLOSED event. */
napi_value nn_stream_close(napi_env env, napi_callback_info info)
{
    size_t argc = 1;
    napi_value h = NULL, promise = NULL;
    napi_deferred d = NULL;
    NN_CHECK(env, napi_get_cb_info(env, info, &argc, &h, NULL, NULL));
    nn_stream *w = stream_from(env, h);
    if (!w)
        return NULL;
    NN_CHECK(env, napi_create_promise(env, &d, &promise));
    if (w->finished || w->close_deferred) { /* the JS layer memoizes close() */
        napi_resolve_deferred(env, d, nn_undefined(env));
        return promise;
    }
    w->close_deferred = d;
    nax_stream_stop(w->stream);
    return promise;
}

napi_value nn_stream_state(napi_env env, napi_callback_info info)
{
    size_t argc = 1;
    napi_value h = NULL, v = NULL;
    NN_CHECK(env, napi_get_cb_info(env, info, &argc, &h, NULL, NULL));
    nn_stream *w = stream_from(env, h);
    if (!w)
        return NULL;
    nax_stream_state st = w->finished ? NAX_STREAM_CLOSED : nax_stream_state_get(w->stream);
    napi_create_string_utf8(env, nax_stream_state_name(st), NAPI_AUTO_LENGTH, &v);
    return v;
}

napi_value nn_stream_stats(napi_env env, napi_callback_info info)
{
    size_t argc = 1;
    napi_value h = NULL, o = NULL;
    NN_CHECK(env, napi_get_cb_info(env, info, &argc, &h, NULL, NULL));
    nn_stream *w = stream_from(env, h);
    if (!w)
        return NULL;
    nax_stream_stats st;
    memset(&st, 0, sizeof st);
    st.struct_size = sizeof st;
    if (!w->finished && nax_stream_stats_get(w->stream, &st) != 0)
        return nn_throw_last(env, NAX_ERROR);
    NN_CHECK(env, napi_create_object(env, &o));
    set_num(env, o, "messages", (double)st.messages);
    set_num(env, o, "bytes", (double)st.bytes);
    set_num(env, o, "connects", (double)st.connects);
    set_num(env, o, "resyncs", (double)st.resyncs);
    set_num(env, o, "gaps", (double)st.gaps);
    set_num(env, o, "checksumMismatches", (double)st.checksum_mismatches);
    set_num(env, o, "lagging", (double)st.lagging);
    set_num(env, o, "catchupEvents", (double)st.catchup_events);
    set_num(env, o, "queueWaits",
            (double)atomic_load_explicit(&w->queue_waits, memory_order_relaxed));
    return o;
}

static napi_value level(napi_env env, const nax_book_level *l)
{
    char price[NAX_DECIMAL_STRING_MAX], qty[NAX_DECIMAL_STRING_MAX];
    napi_value o = NULL;
    nax_decimal_format(price, sizeof price, &l->price);
    nax_decimal_format(qty, sizeof qty, &l->quantity);
    napi_create_object(env, &o);
    set_str(env, o, "price", price);
    set_str(env, o, "quantity", qty);
    return o;
}

/* The pair argument, or NULL with a TypeError pending. */
static char *pair_arg(napi_env env, napi_callback_info info, size_t want, napi_value *argv,
                      nn_stream **w)
{
    size_t argc = want;
    int bad = 0;
    if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok ||
        !(*w = stream_from(env, argv[0])))
        return NULL;
    char *pair = nn_string_dup(env, argv[1], "pair", &bad);
    if (!pair && !bad)
        napi_throw_type_error(env, NULL, "pair must be a string");
    return pair;
}

napi_value nn_stream_book_top(napi_env env, napi_callback_info info)
{
    napi_value argv[2] = {NULL, NULL}, o = NULL, v = NULL;
    nn_stream *w = NULL;
    char *pair = pair_arg(env, info, 2, argv, &w);
    if (!pair)
        return NULL;
    nax_book_top top;
    memset(&top, 0, sizeof top);
    top.struct_size = sizeof top;
    int rc = w->finished ? NAX_ENOTFOUND : nax_stream_book_top(w->stream, pair, &top);
    free(pair);
    if (rc == NAX_ENOTFOUND) {
        napi_get_null(env, &o);
        return o;
    }
    if (rc != 0)
        return nn_throw_last(env, rc);
    NN_CHECK(env, napi_create_object(env, &o));
    set_num(env, o, "seq", (double)top.seq);
    napi_get_boolean(env, top.live != 0, &v);
    napi_set_named_property(env, o, "live", v);
    if (top.has_bid)
        napi_set_named_property(env, o, "bid", level(env, &top.bid));
    else
        set_str(env, o, "bid", NULL);
    if (top.has_ask)
        napi_set_named_property(env, o, "ask", level(env, &top.ask));
    else
        set_str(env, o, "ask", NULL);
    set_num(env, o, "bidLevels", (double)top.bid_levels);
    set_num(env, o, "askLevels", (double)top.ask_levels);
    return o;
}

napi_value nn_stream_book_copy(napi_env env, napi_callback_info info)
{
    napi_value argv[3] = {NULL, NULL, NULL}, o = NULL;
    nn_stream *w = NULL;
    char *pair = pair_arg(env, info, 3, argv, &w);
    if (!pair)
        return NULL;
    int64_t depth = 0;
    if (argv[2])
        napi_get_value_int64(env, argv[2], &depth);
    nax_order_book *book = NULL;
    int rc = w->finished
                 ? NAX_ENOTFOUND
                 : nax_stream_book_copy(w->stream, pair, depth > 0 ? (size_t)depth : 0, &book);
    free(pair);
    if (rc == NAX_ENOTFOUND) {
        napi_get_null(env, &o);
        return o;
    }
    nax_buf buf = NAX_BUF_INIT;
    if (rc == 0)
        rc = nax_encode(&buf, NAX_TYPE_ORDER_BOOK, book);
    nax_object_free(book);
    if (rc != 0) {
        nax_buf_dispose(&buf);
        return nn_throw_last(env, rc);
    }
    o = nn_json_parse(env, buf.data, buf.len);
    nax_buf_dispose(&buf);
    return o;
}

/* streamRef(handle, ref): whether an open stream keeps the process alive. */
napi_value nn_stream_ref(napi_env env, napi_callback_info info)
{
    size_t argc = 2;
    napi_value argv[2] = {NULL, NULL};
    bool ref = true;
    NN_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
    nn_stream *w = stream_from(env, argv[0]);
    if (!w)
        return NULL;
    if (argv[1])
        napi_get_value_bool(env, argv[1], &ref);
    if (!w->finished) {
        if (ref)
            napi_ref_threadsafe_function(env, w->tsfn);
        else
            napi_unref_threadsafe_function(env, w->tsfn);
    }
    return NULL;
}

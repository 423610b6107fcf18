/*
 * trading_bot: a market maker on one pair, the shape a bot built on libnax
 * takes.
 *
 * One nax_client signs every request with an API key; one nax_stream, on
 * the library's own thread, follows `book:{pair}`, `orders` and `fills`.
 * The bot keeps one bid and one ask around the mid of the book (the book
 * without its own orders), `--spread` wide, `--size` each, prices rounded
 * to the market's tick size (from nax_markets_get), all in exact decimals.
 * When the mid moves by `--move` (a fraction of the mid it quoted at) it
 * cancels both quotes and places new ones. Each quote has its own client
 * order id, fixed before the first attempt, so a place the client retries
 * after a timeout is still one order.
 *
 * Lifecycle: while the stream is not LIVE (STALE, RESYNCING, RECONNECTING,
 * CLOSED) the bot's picture of the market may be old, so it stops quoting
 * and cancels everything it has on the pair (DELETE /v1/orders?pair=);
 * once LIVE again it quotes afresh. Fills are printed as they arrive.
 *
 * Threads: the stream's callbacks only copy what they were given into a
 * small queue and signal a condition variable; the main thread takes it
 * from there and makes every REST call. The queue is bounded (--inbox) and
 * a callback never waits: when it is full the newest events are dropped,
 * and the main thread then asks the stream for its state and starts over
 * with a cancel-all, whose answer tells which of its orders were open.
 * (stream.h allows a callback to call the client, but a slow callback holds
 * up the stream's reader, and a bot wants its decisions in one place anyway.)
 *
 *     NAX_API_KEY=ak_... NAX_API_SECRET=... trading_bot [options] BASE_URL
 *
 *     --pair P        market (default BTC-AUD)
 *     --spread D      distance from bid to ask as a fraction of the mid (default 0.002)
 *     --size D        quantity of each quote (default 0.01)
 *     --move D        requote when the mid moved by this fraction (default 0.001)
 *     --short N       exit after N requotes (for tests); otherwise run until SIGINT,
 *                     SIGTERM or SIGHUP
 *     --exit-wait S   how long the cancel on exit keeps trying, in seconds (default 30)
 *     --inbox N       events from the stream that may wait for the main loop (default and
 *                     most 1024); a small one shows what happens when some are lost (tests)
 *     --api-key K, --api-secret S   instead of the environment (which keeps the
 *                     secret out of `ps`)
 *
 * BASE_URL may also come from NAX_URL. The key needs the `read` and `trade`
 * scopes. On exit (N requotes, SIGINT, SIGTERM or SIGHUP) it cancels its
 * orders on the pair and exits 0, or 1 when that cancel failed or something went
 * wrong on the way. A cancel that fails in a way that may pass (5xx, a
 * timeout, an open circuit breaker, throttling) is tried again with
 * jittered backoff, waiting at least what Retry-After or the open breaker
 * asks, for up to --exit-wait seconds.
 *
 * Against a local naxd (from the build directory):
 *     source ../examples/naxd_local.sh && naxd_start server/naxd /tmp/naxd-bot
 *     eval "$(examples/partner_setup "$NAXD_URL")" && export NAX_API_KEY NAX_API_SECRET
 *     examples/trading_bot "$NAXD_URL"
 * It waits until someone else quotes both sides of the book. The whole
 * scripted scene (a second user moving the market, a fill, a dropped stream,
 * a book gap, SIGTERM and SIGHUP, a cancel on exit that fails, events lost)
 * is trading_bot_test.py, the ctest example_trading_bot:
 *     python3 ../examples/trading_bot_test.py server/naxd examples/partner_setup \
 *         examples/trading_bot /tmp/naxd-bot-scene
 *
 * Build against an installed libnax:
 *     cc -std=c11 -pthread trading_bot.c $(pkg-config --cflags --libs nax)
 */
/* POSIX (pthread, sigaction, clock_gettime) also under a plain -std=c11. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <nax.h>

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_ORDERS      8    /* quotes resting plus those being placed or cancelled */
#define INBOX_SIZE      1024 /* events from the stream not yet handled (--inbox: at most) */
#define BOOK_DEPTH      10   /* levels per side read to find the mid without our own orders */
#define CONFIRM_MS      5000 /* no word from the stream on an order for this long: ask REST */
#define RETRY_MS        1000 /* a failed cancel-all or place is tried again after this */
#define WAKE_EVERY_MS   250  /* the main loop looks at the signal flag at least this often */
#define EXIT_WAIT_S     30   /* default --exit-wait */
#define BACKOFF_BASE_MS 250  /* the exit cancel's first wait; doubled each time */
#define BACKOFF_CAP_MS  5000 /* up to this */

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* ---- small helpers ------------------------------------------------------------------ */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* One line of the log; stdout is line-buffered so a test can follow it. */
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

/* The last libnax failure on this thread, in one line. */
static void say_error(const char *what, int rc)
{
    const nax_error *e = nax_error_last();
    say("error: %s: %s (HTTP %d%s%s): %s%s%s", what, nax_strerror(rc), e->http_status,
        e->server_code[0] ? " " : "", e->server_code, e->message,
        e->request_id[0] ? ", request " : "", e->request_id);
}

typedef struct decstr {
    char s[NAX_DECIMAL_STRING_MAX];
} decstr;

static decstr str(const nax_decimal *d)
{
    decstr out;
    if (nax_decimal_format(out.s, sizeof out.s, d) < 0)
        snprintf(out.s, sizeof out.s, "?");
    return out;
}

static void copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static const char *status_name(nax_order_status s)
{
    switch (s) {
    case NAX_ORDER_STATUS_OPEN: return "open";
    case NAX_ORDER_STATUS_PARTIALLY_FILLED: return "partially_filled";
    case NAX_ORDER_STATUS_FILLED: return "filled";
    case NAX_ORDER_STATUS_CANCELLED: return "cancelled";
    case NAX_ORDER_STATUS_REJECTED: return "rejected";
    default: return "?";
    }
}

static int is_done(nax_order_status s)
{
    return s == NAX_ORDER_STATUS_FILLED || s == NAX_ORDER_STATUS_CANCELLED ||
           s == NAX_ORDER_STATUS_REJECTED;
}

/* ---- what the stream thread hands to the main loop ------------------------------------- */

typedef enum event_kind { EV_STATE, EV_ORDER, EV_FILL } event_kind;

/* A copy of one callback's argument: the originals are borrowed for the call only. */
typedef struct event {
    event_kind kind;
    unsigned int flags; /* NAX_STREAM_F_SNAPSHOT / NAX_STREAM_F_CATCHUP */
    /* EV_STATE */
    nax_stream_state state;
    nax_stream_reason reason;
    int error;
    char channel[64];
    char message[160];
    /* EV_ORDER and EV_FILL */
    char id[40];       /* order id, or the fill's trade id */
    char order_id[40]; /* EV_FILL: its order */
    char client_order_id[40];
    nax_order_status status;
    nax_side side;
    nax_decimal price, quantity, filled, fee;
    char fee_asset[16];
    nax_liquidity liquidity;
} event;

typedef struct inbox {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    event items[INBOX_SIZE];
    size_t head, count;
    size_t capacity;  /* --inbox, at most INBOX_SIZE */
    int overflowed;   /* events were lost: the order picture must be read again */
    int book_changed; /* book updates are not queued, only noted */
} inbox;

typedef struct feed {
    inbox box;
    const char *pair;
    char book_channel[48];
} feed;

static int push(feed *f, const event *ev)
{
    pthread_mutex_lock(&f->box.lock);
    if (f->box.count == f->box.capacity)
        f->box.overflowed = 1;
    else
        f->box.items[(f->box.head + f->box.count++) % INBOX_SIZE] = *ev;
    pthread_cond_signal(&f->box.wake);
    pthread_mutex_unlock(&f->box.lock);
    return 0;
}

static int on_state(const nax_stream_event *e, void *userdata)
{
    event ev = {.kind = EV_STATE, .state = e->state, .reason = e->reason, .error = e->error};
    copy_text(ev.channel, sizeof ev.channel, e->channel);
    copy_text(ev.message, sizeof ev.message, e->message);
    return push(userdata, &ev);
}

static int on_book(const nax_stream_book *b, void *userdata)
{
    feed *f = userdata;
    if (strcmp(b->pair, f->pair) != 0)
        return 0;
    pthread_mutex_lock(&f->box.lock);
    f->box.book_changed = 1;
    pthread_cond_signal(&f->box.wake);
    pthread_mutex_unlock(&f->box.lock);
    return 0;
}

static int on_order(const nax_order *o, unsigned int flags, void *userdata)
{
    feed *f = userdata;
    if (strcmp(o->pair, f->pair) != 0)
        return 0;
    event ev = {.kind = EV_ORDER,
                .flags = flags,
                .status = o->status,
                .side = o->side,
                .quantity = o->quantity,
                .filled = o->filled_quantity};
    if (o->price)
        ev.price = *o->price;
    copy_text(ev.id, sizeof ev.id, o->id);
    copy_text(ev.client_order_id, sizeof ev.client_order_id, o->client_order_id);
    return push(f, &ev);
}

static int on_fill(const nax_fill *fl, unsigned int flags, void *userdata)
{
    feed *f = userdata;
    if (strcmp(fl->pair, f->pair) != 0)
        return 0;
    event ev = {.kind = EV_FILL,
                .flags = flags,
                .side = fl->side,
                .price = fl->price,
                .quantity = fl->quantity,
                .fee = fl->fee,
                .liquidity = fl->liquidity};
    copy_text(ev.id, sizeof ev.id, fl->id);
    copy_text(ev.order_id, sizeof ev.order_id, fl->order_id);
    copy_text(ev.fee_asset, sizeof ev.fee_asset, fl->fee_asset);
    return push(f, &ev);
}

/*
 * Wait until the stream has something, a book changed, or WAKE_EVERY_MS
 * passed; move the queued events to `out`. Returns how many; *book_changed
 * and *overflowed report (and clear) the flags.
 */
static size_t take_events(feed *f, event *out, int *book_changed, int *overflowed)
{
    inbox *b = &f->box;
    pthread_mutex_lock(&b->lock);
    if (b->count == 0 && !b->book_changed && !b->overflowed && !stop_requested) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += WAKE_EVERY_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&b->wake, &b->lock, &until);
    }
    size_t n = b->count;
    for (size_t i = 0; i < n; i++)
        out[i] = b->items[(b->head + i) % INBOX_SIZE];
    b->head = (b->head + n) % INBOX_SIZE;
    b->count = 0;
    *book_changed = b->book_changed;
    *overflowed = b->overflowed;
    b->book_changed = b->overflowed = 0;
    pthread_mutex_unlock(&b->lock);
    return n;
}

/* ---- the bot's own orders ------------------------------------------------------------- */

/*
 * An order goes PLACING -> RESTING -> CANCELLING -> (slot freed). A state
 * change is believed when the stream reports it: naxd publishes a book
 * update before the order update of the same change, so once the stream
 * has told us about our order, the book we read already shows it (or no
 * longer shows it). The mid is only computed when no order is in flight.
 */
typedef enum phase { FREE = 0, PLACING, RESTING, CANCELLING } phase;

typedef struct own_order {
    phase phase;
    nax_side side;
    char client_order_id[40];
    char id[40]; /* "" until the server or the stream told us */
    nax_decimal price, quantity, filled;
    uint64_t since_ms; /* when the phase began */
} own_order;

typedef struct bot {
    /* settings */
    const char *pair;
    nax_decimal spread, size, move;
    unsigned long short_requotes; /* 0: until a signal */
    /* market rules */
    nax_decimal tick, lot;
    /* handles */
    nax_client *client;
    nax_stream *stream;
    feed feed;
    /* state, main thread only */
    own_order orders[MAX_ORDERS];
    unsigned long next_id;
    int live;             /* the stream is LIVE: the book is current */
    int must_cancel;      /* a cancel-all is due (left LIVE, or lost track) */
    int lost_track;       /* events were lost: the next cancel-all's answer is the truth */
    uint64_t retry_at_ms; /* no cancel-all or place before this after a failure */
    int quoted;           /* quoted_mid is set */
    nax_decimal quoted_mid;
    const char *next_reason; /* why the next quote is made */
    unsigned long requotes;
    int waiting_for_market; /* printed "no two-sided market" once */
    int failed;             /* something went wrong: exit 1 */
} bot;

static own_order *find_order(bot *b, const char *client_order_id, const char *id)
{
    for (int i = 0; i < MAX_ORDERS; i++) {
        own_order *o = &b->orders[i];
        if (o->phase == FREE)
            continue;
        if ((client_order_id && *client_order_id &&
             strcmp(o->client_order_id, client_order_id) == 0) ||
            (id && *id && strcmp(o->id, id) == 0))
            return o;
    }
    return NULL;
}

static void set_phase(own_order *o, phase p)
{
    o->phase = p;
    o->since_ms = now_ms();
}

/* An order's state, from the stream or from REST, applied to our copy. */
static void apply_order_state(own_order *o, const char *id, nax_order_status status,
                              const nax_decimal *filled)
{
    if (id && *id && !o->id[0])
        copy_text(o->id, sizeof o->id, id);
    if (filled)
        o->filled = *filled;
    if (is_done(status)) {
        o->phase = FREE;
        return;
    }
    if (o->phase == PLACING)
        set_phase(o, RESTING);
}

/* Nothing placed or cancelled is still waiting for the stream's word. */
static int settled(const bot *b)
{
    for (int i = 0; i < MAX_ORDERS; i++)
        if (b->orders[i].phase == PLACING || b->orders[i].phase == CANCELLING)
            return 0;
    return 1;
}

static int resting_count(const bot *b)
{
    int n = 0;
    for (int i = 0; i < MAX_ORDERS; i++)
        n += b->orders[i].phase == RESTING;
    return n;
}

/* ---- REST actions --------------------------------------------------------------------- */

static int was_cancelled(const nax_cancel_result *res, const char *id)
{
    for (size_t i = 0; i < res->cancelled_count; i++)
        if (strcmp(res->cancelled[i], id) == 0)
            return 1;
    return 0;
}

/* DELETE /v1/orders?pair=: everything of ours on the pair, including orders
 * we may have lost track of. The stream then confirms each one. */
static int cancel_all(bot *b, const char *why)
{
    nax_cancel_result *res = NULL;
    int rc = nax_orders_cancel_all(b->client, b->pair, &res);
    if (rc < 0) {
        say_error("cancel-all", rc);
        b->retry_at_ms = now_ms() + RETRY_MS;
        return rc;
    }
    say("cancel-all %s (%s): %zu cancelled", b->pair, why, res->cancelled_count);
    for (int i = 0; i < MAX_ORDERS; i++) {
        own_order *o = &b->orders[i];
        if (b->lost_track && o->id[0] && o->phase != FREE && !was_cancelled(res, o->id)) {
            /* Not open any more: its end was among the lost events. */
            say("order %s %s: already gone", o->client_order_id, o->id);
            o->phase = FREE;
        } else if (o->phase == RESTING || o->phase == PLACING) {
            set_phase(o, CANCELLING);
        }
    }
    nax_object_free(res);
    b->must_cancel = 0;
    b->lost_track = 0;
    return 0;
}

static void cancel_one(bot *b, own_order *o)
{
    int rc = nax_orders_cancel(b->client, o->id, NULL);
    if (rc == 0 || rc == NAX_ECONFLICT) {
        /* NAX_ECONFLICT: filled meanwhile; the stream will say so. */
        set_phase(o, CANCELLING);
    } else if (rc == NAX_ENOTFOUND) {
        o->phase = FREE;
    } else {
        say_error("cancel", rc);
        b->must_cancel = 1; /* a cancel-all will catch it */
        b->retry_at_ms = now_ms() + RETRY_MS;
    }
}

static own_order *free_slot(bot *b)
{
    for (int i = 0; i < MAX_ORDERS; i++)
        if (b->orders[i].phase == FREE)
            return &b->orders[i];
    return NULL;
}

/* Place one post-only GTC quote under a client order id of its own. */
static int place_quote(bot *b, nax_side side, const nax_decimal *price)
{
    own_order *o = free_slot(b);
    if (!o) {
        say("error: more than %d orders in flight", MAX_ORDERS);
        return -1;
    }
    memset(o, 0, sizeof *o);
    /* Unique per user across runs: time, process and a counter; at most 36 chars. */
    snprintf(o->client_order_id, sizeof o->client_order_id, "mm-%lx-%lx-%lu%c",
             (unsigned long)time(NULL), (unsigned long)getpid(), ++b->next_id,
             side == NAX_SIDE_BUY ? 'b' : 'a');
    o->side = side;
    o->price = *price;
    o->quantity = b->size;
    set_phase(o, PLACING);

    nax_order_request req = {.struct_size = sizeof req,
                             .pair = b->pair,
                             .side = side,
                             .type = NAX_ORDER_TYPE_LIMIT,
                             .price = price,
                             .quantity = b->size,
                             .time_in_force = NAX_TIF_GTC,
                             .post_only = 1,
                             .client_order_id = o->client_order_id};
    nax_order *placed = NULL;
    int rc = nax_orders_place(b->client, &req, &placed);
    if (rc == NAX_EOUTCOME_UNKNOWN) {
        /* The order may exist: look it up by our id before anything else. */
        say("place %s: outcome unknown, looking it up", o->client_order_id);
        rc = nax_orders_get_by_client_id(b->client, o->client_order_id, &placed);
        if (rc == NAX_ENOTFOUND) {
            o->phase = FREE;
            return -1;
        }
        if (rc < 0) {
            say_error("look-up", rc); /* stays PLACING: looked up again later */
            return -1;
        }
    } else if (rc < 0) {
        say_error("place", rc);
        o->phase = FREE;
        b->retry_at_ms = now_ms() + RETRY_MS;
        return -1;
    }
    say("placed %s %s %s @ %s -> %s %s", side == NAX_SIDE_BUY ? "bid" : "ask", o->client_order_id,
        str(&b->size).s, str(price).s, placed->id, status_name(placed->status));
    copy_text(o->id, sizeof o->id, placed->id);
    if (is_done(placed->status)) /* e.g. rejected: post-only would have taken */
        o->phase = FREE;
    nax_object_free(placed);
    return 0;
}

/* Orders the stream has not confirmed for CONFIRM_MS: ask REST instead. */
static void check_unconfirmed(bot *b)
{
    uint64_t now = now_ms();
    for (int i = 0; i < MAX_ORDERS; i++) {
        own_order *o = &b->orders[i];
        if ((o->phase != PLACING && o->phase != CANCELLING) || now - o->since_ms < CONFIRM_MS)
            continue;
        nax_order *got = NULL;
        int rc = o->id[0] ? nax_orders_get(b->client, o->id, &got)
                          : nax_orders_get_by_client_id(b->client, o->client_order_id, &got);
        if (rc == NAX_ENOTFOUND) {
            say("order %s: not on the exchange", o->client_order_id);
            o->phase = FREE;
            continue;
        }
        if (rc < 0) {
            say_error("order look-up", rc);
            set_phase(o, o->phase); /* look again later */
            continue;
        }
        say("order %s: no word from the stream, REST says %s", o->client_order_id,
            status_name(got->status));
        phase was = o->phase;
        apply_order_state(o, got->id, got->status, &got->filled_quantity);
        if (was == CANCELLING && o->phase == CANCELLING)
            cancel_one(b, o); /* still open: the cancel did not happen */
        nax_object_free(got);
    }
}

/* ---- the market ----------------------------------------------------------------------- */

/* Our resting quantity at `price` on `side`. */
static nax_decimal own_at(const bot *b, nax_side side, const nax_decimal *price)
{
    nax_decimal sum = {0};
    for (int i = 0; i < MAX_ORDERS; i++) {
        const own_order *o = &b->orders[i];
        if (o->phase != RESTING || o->side != side || nax_decimal_cmp(&o->price, price) != 0)
            continue;
        nax_decimal left;
        if (nax_decimal_sub(&left, &o->quantity, &o->filled) == 0)
            nax_decimal_add(&sum, &sum, &left);
    }
    return sum;
}

/* The best level on a side that holds more than our own quantity. */
static int best_other(const bot *b, nax_side side, const nax_book_level *levels, size_t n,
                      nax_decimal *out)
{
    for (size_t i = 0; i < n; i++) {
        nax_decimal mine = own_at(b, side, &levels[i].price);
        if (nax_decimal_cmp(&levels[i].quantity, &mine) > 0) {
            *out = levels[i].price;
            return 1;
        }
    }
    return 0;
}

/* The mid of the book without our own orders; 0 when one side is empty. */
static int market_mid(bot *b, nax_decimal *mid)
{
    nax_order_book *book = NULL;
    int rc = nax_stream_book_copy(b->stream, b->pair, BOOK_DEPTH, &book);
    if (rc < 0)
        return 0; /* no snapshot yet */
    nax_decimal bid, ask, sum, two;
    int ok = best_other(b, NAX_SIDE_BUY, book->bids, book->bids_count, &bid) &&
             best_other(b, NAX_SIDE_SELL, book->asks, book->asks_count, &ask);
    nax_object_free(book);
    if (!ok)
        return 0;
    /* One digit more than the tick: the mid of two ticks may fall between them. */
    nax_decimal_from_int(&two, 2, 0);
    return nax_decimal_add(&sum, &bid, &ask) == 0 &&
           nax_decimal_div(mid, &sum, &two, nax_decimal_scale(&b->tick) + 1, NAX_ROUND_HALF_EVEN) ==
               0;
}

/* bid = mid - mid*spread/2 rounded down to the tick, ask the same up. */
static int quote_prices(const bot *b, const nax_decimal *mid, nax_decimal *bid, nax_decimal *ask)
{
    nax_decimal width, half, two, lo, hi;
    nax_decimal_from_int(&two, 2, 0);
    if (nax_decimal_mul(&width, mid, &b->spread, NAX_DECIMAL_MAX_SCALE, NAX_ROUND_HALF_EVEN) ||
        nax_decimal_div(&half, &width, &two, NAX_DECIMAL_MAX_SCALE, NAX_ROUND_HALF_EVEN) ||
        nax_decimal_sub(&lo, mid, &half) || nax_decimal_add(&hi, mid, &half) ||
        nax_decimal_quantize(bid, &lo, &b->tick, NAX_ROUND_FLOOR) ||
        nax_decimal_quantize(ask, &hi, &b->tick, NAX_ROUND_CEILING))
        return -1;
    if (nax_decimal_cmp(bid, ask) >= 0 && nax_decimal_add(ask, bid, &b->tick))
        return -1;
    return nax_decimal_sign(bid) > 0 ? 0 : -1;
}

/* |mid - quoted_mid| >= quoted_mid * move */
static int moved_enough(const bot *b, const nax_decimal *mid)
{
    nax_decimal diff, limit;
    if (nax_decimal_sub(&diff, mid, &b->quoted_mid) ||
        nax_decimal_mul(&limit, &b->quoted_mid, &b->move, NAX_DECIMAL_MAX_SCALE, NAX_ROUND_DOWN))
        return 0;
    if (nax_decimal_sign(&diff) < 0)
        nax_decimal_neg(&diff, &diff);
    return nax_decimal_cmp(&diff, &limit) >= 0;
}

/* Replace whatever rests with a fresh bid and ask around `mid`. */
static void quote(bot *b, const nax_decimal *mid, const char *why)
{
    nax_decimal bid, ask;
    if (quote_prices(b, mid, &bid, &ask)) {
        say("error: no valid prices around mid %s", str(mid).s);
        b->failed = 1;
        return;
    }
    for (int i = 0; i < MAX_ORDERS; i++)
        if (b->orders[i].phase == RESTING)
            cancel_one(b, &b->orders[i]);
    say("quote: mid %s bid %s@%s ask %s@%s (%s)", str(mid).s, str(&b->size).s, str(&bid).s,
        str(&b->size).s, str(&ask).s, why);
    place_quote(b, NAX_SIDE_BUY, &bid);
    place_quote(b, NAX_SIDE_SELL, &ask);
    b->quoted_mid = *mid;
    b->quoted = 1;
}

/* Called when the stream is live and none of our orders is in flight. */
static void decide(bot *b)
{
    nax_decimal mid;
    if (!market_mid(b, &mid)) {
        if (!b->waiting_for_market)
            say("waiting: no two-sided market besides our own orders");
        b->waiting_for_market = 1;
        return;
    }
    b->waiting_for_market = 0;
    if (resting_count(b) < 2) {
        /* First quote, live again, or a quote was filled away. */
        quote(b, &mid, b->next_reason);
        b->next_reason = "refill";
    } else if (moved_enough(b, &mid)) {
        b->requotes++;
        say("requote %lu: mid %s -> %s", b->requotes, str(&b->quoted_mid).s, str(&mid).s);
        quote(b, &mid, "moved");
    }
}

/* ---- handling the stream's events -------------------------------------------------------- */

static void handle_state(bot *b, const event *ev)
{
    say("stream: %s (%s)%s%s: %s", nax_stream_state_name(ev->state),
        nax_stream_reason_name(ev->reason), ev->channel[0] ? " " : "", ev->channel, ev->message);
    if (ev->reason == NAX_STREAM_REASON_AUTH_FAILED ||
        ev->reason == NAX_STREAM_REASON_SUBSCRIBE_FAILED) {
        /* Without our channels we cannot see our orders or the book. */
        say("error: the stream refused %s; stopping", ev->channel);
        b->failed = 1;
        stop_requested = 1;
        return;
    }
    if (ev->state == NAX_STREAM_LIVE) {
        /* A LIVE notice may race a later change: ask for the state now. */
        if (!b->live && nax_stream_state_get(b->stream) == NAX_STREAM_LIVE) {
            b->live = 1;
            if (b->quoted)
                b->next_reason = "live again";
            say("live: quoting");
        }
        return;
    }
    if (ev->state == NAX_STREAM_CLOSED && !stop_requested) {
        say("error: the stream closed");
        b->failed = 1;
        stop_requested = 1;
    }
    if (b->live) {
        b->live = 0;
        say("pull: stream %s, cancelling our orders", nax_stream_state_name(ev->state));
        b->must_cancel = 1;
        b->retry_at_ms = 0;
    }
}

static void handle_order(bot *b, const event *ev)
{
    own_order *o = find_order(b, ev->client_order_id, ev->id);
    if (!o) {
        if (ev->flags & NAX_STREAM_F_SNAPSHOT && !is_done(ev->status))
            say("order %s: open from before, not ours to manage (cancel-all will take it)", ev->id);
        return;
    }
    say("order %s %s: %s, filled %s of %s%s", o->client_order_id, ev->id, status_name(ev->status),
        str(&ev->filled).s, str(&ev->quantity).s,
        ev->flags & NAX_STREAM_F_CATCHUP ? " (caught up after a reconnect)" : "");
    apply_order_state(o, ev->id, ev->status, &ev->filled);
}

static void handle_fill(bot *b, const event *ev)
{
    (void)b;
    const char *when = ev->flags & NAX_STREAM_F_SNAPSHOT  ? " [earlier]"
                       : ev->flags & NAX_STREAM_F_CATCHUP ? " [while disconnected]"
                                                          : "";
    say("fill: %s %s @ %s, order %s, trade %s, fee %s %s, %s%s",
        ev->side == NAX_SIDE_BUY ? "bought" : "sold", str(&ev->quantity).s, str(&ev->price).s,
        ev->order_id, ev->id, str(&ev->fee).s, ev->fee_asset,
        ev->liquidity == NAX_LIQUIDITY_MAKER ? "maker" : "taker", when);
}

/* ---- setup ------------------------------------------------------------------------------ */

typedef struct settings {
    const char *url, *key, *secret, *pair;
    const char *spread, *size, *move;
    unsigned long short_requotes;
    unsigned long exit_wait_s;
    unsigned long inbox;
} settings;

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: NAX_API_KEY=... NAX_API_SECRET=... %s [--pair P] [--spread D] [--size D]\n"
            "       [--move D] [--short N] [--exit-wait S] [--inbox N]\n"
            "       [--api-key K --api-secret S] [BASE_URL]\n",
            argv0);
    exit(2);
}

static settings parse_args(int argc, char **argv)
{
    settings s = {.url = getenv("NAX_URL"),
                  .key = getenv("NAX_API_KEY"),
                  .secret = getenv("NAX_API_SECRET"),
                  .pair = "BTC-AUD",
                  .spread = "0.002",
                  .size = "0.01",
                  .move = "0.001",
                  .exit_wait_s = EXIT_WAIT_S,
                  .inbox = INBOX_SIZE};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **slot = !strcmp(a, "--pair")         ? &s.pair
                            : !strcmp(a, "--spread")     ? &s.spread
                            : !strcmp(a, "--size")       ? &s.size
                            : !strcmp(a, "--move")       ? &s.move
                            : !strcmp(a, "--api-key")    ? &s.key
                            : !strcmp(a, "--api-secret") ? &s.secret
                                                         : NULL;
        if (slot && v) {
            *slot = v;
            i++;
        } else if (!strcmp(a, "--short") && v) {
            char *end;
            s.short_requotes = strtoul(v, &end, 10);
            if (*end || s.short_requotes == 0)
                usage(argv[0]);
            i++;
        } else if (!strcmp(a, "--exit-wait") && v) {
            char *end;
            s.exit_wait_s = strtoul(v, &end, 10);
            if (*end || !*v || *v == '-' || s.exit_wait_s > 86400)
                usage(argv[0]);
            i++;
        } else if (!strcmp(a, "--inbox") && v) {
            char *end;
            s.inbox = strtoul(v, &end, 10);
            if (*end || *v == '-' || s.inbox == 0 || s.inbox > INBOX_SIZE)
                usage(argv[0]);
            i++;
        } else if (a[0] != '-') {
            s.url = a;
        } else {
            usage(argv[0]);
        }
    }
    if (!s.url || !s.key || !s.secret)
        usage(argv[0]);
    return s;
}

static int positive(nax_decimal *out, const char *name, const char *text)
{
    if (nax_decimal_parse(out, text, strlen(text), NULL) < 0 || nax_decimal_sign(out) <= 0) {
        fprintf(stderr, "%s must be a positive decimal, like 0.002 (got \"%s\")\n", name, text);
        return -1;
    }
    return 0;
}

/* The market's rules: the tick prices are rounded to, the lot the size must fit. */
static int load_market(bot *b)
{
    nax_market *m = NULL;
    int rc = nax_markets_get(b->client, b->pair, &m);
    if (rc < 0) {
        say_error("nax_markets_get", rc);
        return -1;
    }
    b->tick = m->tick_size;
    b->lot = m->lot_size;
    say("market: %s tick %s lot %s min_notional %s", m->pair, str(&m->tick_size).s,
        str(&m->lot_size).s, str(&m->min_notional).s);
    int ok = m->status == NAX_MARKET_STATUS_ACTIVE;
    nax_object_free(m);
    if (!ok) {
        say("error: %s is not active", b->pair);
        return -1;
    }
    nax_decimal rounded;
    if (nax_decimal_quantize(&rounded, &b->size, &b->lot, NAX_ROUND_DOWN) ||
        nax_decimal_sign(&rounded) <= 0) {
        say("error: the size is below the lot size");
        return -1;
    }
    b->size = rounded;
    return 0;
}

static int start_stream(bot *b)
{
    nax_stream_options o = NAX_STREAM_OPTIONS_INIT;
    o.client = b->client; /* URL, API-key auth for the private channels, REST catch-up */
    o.callbacks = (nax_stream_callbacks){.on_state = on_state,
                                         .on_book = on_book,
                                         .on_order = on_order,
                                         .on_fill = on_fill,
                                         .userdata = &b->feed};
    o.reconnect_min_ms = 500;
    o.reconnect_max_ms = 10000;
    int rc = nax_stream_new(&b->stream, &o);
    if (rc < 0) {
        say_error("nax_stream_new", rc);
        return -1;
    }
    const char *channels[] = {b->feed.book_channel, "orders", "fills"};
    rc = nax_stream_subscribe(b->stream, channels, 3);
    if (rc == 0)
        rc = nax_stream_start(b->stream);
    if (rc < 0) {
        say_error("nax_stream_start", rc);
        return -1;
    }
    return 0;
}

/* ---- leaving ------------------------------------------------------------------------ */

/*
 * How long to wait before try n + 1 of the exit cancel: half a step that
 * doubles from BACKOFF_BASE_MS to BACKOFF_CAP_MS plus a random half of it
 * (bots that lost the same server do not come back in step), or longer
 * when the server said Retry-After or the trading breaker stays open longer.
 */
static uint64_t exit_backoff_ms(bot *b, int rc, unsigned int n, int64_t retry_after_ms)
{
    uint64_t step = BACKOFF_CAP_MS;
    if (n < 16 && ((uint64_t)BACKOFF_BASE_MS << (n - 1)) < step)
        step = (uint64_t)BACKOFF_BASE_MS << (n - 1);
    uint64_t wait = step / 2 + (uint64_t)rand() % (step / 2 + 1);
    if (retry_after_ms > 0 && (uint64_t)retry_after_ms > wait)
        wait = (uint64_t)retry_after_ms;
    nax_breaker_status st = {.struct_size = sizeof st};
    if (rc == NAX_ECIRCUIT_OPEN &&
        nax_client_breaker_status(b->client, NAX_GROUP_TRADING, &st) == 0 && st.open_for_ms > wait)
        wait = st.open_for_ms;
    return wait;
}

static void sleep_ms(uint64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) /* a signal: sleep the rest */
        ;
}

/*
 * The cancel on exit: tried again while the failure may pass (the error is
 * transient), for up to `wait_s` seconds. 0 when it went through.
 */
static int cancel_all_at_exit(bot *b, unsigned long wait_s)
{
    uint64_t deadline = now_ms() + (uint64_t)wait_s * 1000u;
    for (unsigned int n = 1;; n++) {
        int rc = cancel_all(b, "exit");
        if (rc == 0)
            return 0;
        const nax_error *e = nax_error_last();
        int transient = e->transient;
        int64_t retry_after_ms = e->retry_after_ms;
        uint64_t now = now_ms();
        if (!transient || now >= deadline)
            return rc;
        uint64_t wait = exit_backoff_ms(b, rc, n, retry_after_ms);
        if (wait > deadline - now)
            wait = deadline - now;
        say("retry: cancel-all again in %llu ms", (unsigned long long)wait);
        sleep_ms(wait);
    }
}

/* ---- the main loop -------------------------------------------------------------------- */

static void run(bot *b)
{
    static event batch[INBOX_SIZE];
    while (!stop_requested) {
        int book_changed, overflowed;
        size_t n = take_events(&b->feed, batch, &book_changed, &overflowed);
        for (size_t i = 0; i < n; i++) {
            switch (batch[i].kind) {
            case EV_STATE: handle_state(b, &batch[i]); break;
            case EV_ORDER: handle_order(b, &batch[i]); break;
            case EV_FILL: handle_fill(b, &batch[i]); break;
            }
        }
        if (overflowed) {
            /* The newest events were dropped: a state change among them would
             * leave `live` wrong for good (a lost LIVE: never quoting again),
             * an order's end would leave its slot waiting. So: the stream's
             * state now, and a cancel-all, whose answer says which of our
             * orders were still open. */
            say("pull: events were lost, starting over");
            event now = {.kind = EV_STATE, .state = nax_stream_state_get(b->stream)};
            copy_text(now.message, sizeof now.message, "read again: events were lost");
            handle_state(b, &now);
            b->must_cancel = b->lost_track = 1;
            b->retry_at_ms = 0;
        }
        if (stop_requested)
            break;
        if (b->must_cancel) {
            if (now_ms() >= b->retry_at_ms)
                cancel_all(b, b->live ? "lost track" : "stream not live");
            continue;
        }
        check_unconfirmed(b);
        if (!b->live || !settled(b) || now_ms() < b->retry_at_ms)
            continue;
        if (b->short_requotes && b->requotes >= b->short_requotes) {
            say("done: %lu requotes, the last quotes are resting", b->requotes);
            break;
        }
        decide(b);
    }
}

int main(int argc, char **argv)
{
    settings s = parse_args(argc, argv);
    srand((unsigned int)(now_ms() ^ (uint64_t)getpid())); /* the exit cancel's jitter */
    static bot b; /* static: large, and the stream's callbacks point into it */
    b.pair = s.pair;
    b.short_requotes = s.short_requotes;
    b.next_reason = "first";
    if (positive(&b.spread, "--spread", s.spread) || positive(&b.size, "--size", s.size) ||
        positive(&b.move, "--move", s.move))
        return 2;

    b.feed.pair = s.pair;
    b.feed.box.capacity = s.inbox;
    snprintf(b.feed.book_channel, sizeof b.feed.book_channel, "book:%s", s.pair);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&b.feed.box.lock, NULL);
    pthread_cond_init(&b.feed.box.wake, &ca);
    pthread_condattr_destroy(&ca);

    /* The stream's thread inherits this mask: signals go to the main thread.
     * SIGHUP too: a closed terminal or session must not leave quotes behind. */
    const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
    sigset_t sigs, old;
    sigemptyset(&sigs);
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
        sigaddset(&sigs, stop_signals[i]);
    pthread_sigmask(SIG_BLOCK, &sigs, &old);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
        sigaction(stop_signals[i], &sa, NULL);

    if (nax_global_init(NULL) != 0) {
        fprintf(stderr, "nax_global_init: %s\n", nax_error_last()->message);
        return 1;
    }
    nax_client_options co = NAX_CLIENT_OPTIONS_INIT;
    co.base_url = s.url;
    co.api_key = s.key;
    co.api_secret = s.secret;
    co.user_agent_suffix = "trading-bot-example";
    int rc = nax_client_new(&b.client, &co);
    if (rc < 0) {
        say_error("nax_client_new", rc);
        return 1;
    }

    int ok = load_market(&b) == 0 && cancel_all(&b, "start") == 0 && start_stream(&b) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (ok)
        run(&b);
    else
        b.failed = 1;

    /* Leaving: nothing of ours may stay on the book. */
    if (stop_requested && !b.failed)
        say("stop: signal received");
    nax_stream_free(b.stream);
    int cancelled = cancel_all_at_exit(&b, s.exit_wait_s);
    say("exit: %lu requotes, %s", b.requotes,
        cancelled == 0 ? "no orders left" : "could not cancel our orders");
    nax_client_free(b.client);
    nax_global_shutdown();
    return cancelled == 0 && !b.failed ? 0 : 1;
}

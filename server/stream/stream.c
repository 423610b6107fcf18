/* The stream's life: limits, the lws protocol, metrics, and the registries
 * of pairs and users. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

static void apply_defaults(naxd_stream_limits *l)
{
    if (!l->max_subscriptions)
        l->max_subscriptions = 64;
    if (!l->max_frame_bytes)
        l->max_frame_bytes = 16384;
    if (!l->ops_per_second)
        l->ops_per_second = 20;
    if (!l->max_queue_messages)
        l->max_queue_messages = 4096;
    if (!l->max_queue_bytes)
        l->max_queue_bytes = (size_t)16 << 20;
    if (!l->idle_timeout_s)
        l->idle_timeout_s = 60;
    if (!l->max_lagging)
        l->max_lagging = 3;
    if (!l->recent_trades)
        l->recent_trades = 50;
}

int naxd_stream_new(naxd_stream **out, const naxd_stream_hooks *hooks,
                    const naxd_stream_limits *limits, struct naxd_metrics *metrics)
{
    if (!out)
        return nax__error(NAX_EINVAL, "naxd_stream_new: NULL out");
    *out = NULL;
    if (!hooks || !hooks->authenticate || !hooks->market_exists)
        return nax__error(NAX_EINVAL, "naxd_stream_new: authenticate and market_exists are needed");
    naxd_stream *s = nax__calloc(1, sizeof(*s));
    if (!s)
        return nax__error_oom();
    s->hooks = *hooks;
    if (limits)
        s->lim = *limits;
    apply_defaults(&s->lim);
    struct lws_protocols *p = &s->protocols[0];
    p->name = NAXD_STREAM_PROTOCOL_NAME;
    p->callback = naxd__callback;
    p->per_session_data_size = sizeof(naxd__conn);
    p->rx_buffer_size = NAXD_STREAM_RX_BUFFER;
    p->user = s;
    naxd_stream_set_metrics(s, metrics);
    *out = s;
    return 0;
}

void naxd_stream_set_metrics(naxd_stream *s, struct naxd_metrics *metrics)
{
    if (!s)
        return;
    s->metrics = metrics;
    s->m_conns = NULL;
    s->m_messages = s->m_lagging = NULL;
    if (!metrics)
        return;
    s->m_conns = naxd_metrics_gauge(metrics, "naxd_stream_connections", "Open stream connections.");
    s->m_messages = naxd_metrics_counter(metrics, "naxd_stream_messages_total",
                                         "Messages sent on stream connections.");
    s->m_lagging = naxd_metrics_counter(metrics, "naxd_stream_lagging_total",
                                        "Slow-reader episodes (queued messages dropped).");
    naxd_gauge_set(s->m_conns, (int64_t)s->nconns);
}

void naxd__count_closed(naxd_stream *s, int code)
{
    if (!s->metrics)
        return;
    nax_buf labels = NAX_BUF_INIT;
    char v[16];
    snprintf(v, sizeof(v), "%d", code);
    if (naxd_metrics_label(&labels, "code", v) == 0)
        naxd_counter_add(naxd_metrics_counter_l(s->metrics, "naxd_stream_closed_total",
                                                "Stream connections closed, by close code "
                                                "(1006: without a close frame).",
                                                labels.data),
                         1);
    nax_buf_dispose(&labels);
}

void naxd__count_sent(naxd_stream *s, uint64_t n)
{
    naxd_counter_add(s->m_messages, n);
}

void naxd__count_lagging(naxd_stream *s)
{
    naxd_counter_add(s->m_lagging, 1);
}

int64_t naxd__now(naxd_stream *s)
{
    if (s->hooks.now_ms)
        return s->hooks.now_ms(s->hooks.app);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const struct lws_protocols *naxd_stream_protocol(naxd_stream *s)
{
    return s ? &s->protocols[0] : NULL;
}

size_t naxd_stream_connections(const naxd_stream *s)
{
    return s ? s->nconns : 0;
}

void naxd_stream_close_all(naxd_stream *s)
{
    if (!s)
        return;
    for (naxd__conn *c = s->conns; c; c = c->next)
        naxd__conn_close(c, LWS_CLOSE_STATUS_GOINGAWAY, "server shutting down");
}

/* ---- pairs ---- */

static int pair_cmp(const char *name, const naxd__pair *p)
{
    return strcmp(name, p->name);
}

/* Index of the first pair not below name. */
static size_t pair_index(const naxd_stream *s, const char *name, int *found)
{
    size_t lo = 0, hi = s->npairs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pair_cmp(name, s->pairs[mid]) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < s->npairs && pair_cmp(name, s->pairs[lo]) == 0;
    return lo;
}

naxd__pair *naxd__pair_find(const naxd_stream *s, const char *name)
{
    int found;
    size_t i = pair_index(s, name, &found);
    return found ? s->pairs[i] : NULL;
}

static void pair_free(naxd__pair *p)
{
    if (!p)
        return;
    naxd__chan_dispose(&p->ticker);
    naxd__chan_dispose(&p->trades);
    naxd__chan_dispose(&p->book);
    naxd__mirror_dispose(&p->mirror);
    naxd__book_snapshot_drop(p);
    nax__free(p->name);
    nax__free(p);
}

static naxd__pair *pair_new(naxd_stream *s, const char *name)
{
    naxd__pair *p = nax__calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    naxd__mirror_init(&p->mirror);
    size_t n = strlen(name);
    char *chan = nax__malloc(n + 8);
    p->name = nax__strdup(name);
    p->recent = nax__calloc(s->lim.recent_trades, sizeof(*p->recent));
    int rc = !chan || !p->name || !p->recent;
    if (!rc) {
        snprintf(chan, n + 8, "ticker:%s", name);
        rc = naxd__chan_init(&p->ticker, NAXD__TICKER, chan, p, NULL);
    }
    if (!rc) {
        snprintf(chan, n + 8, "trades:%s", name);
        rc = naxd__chan_init(&p->trades, NAXD__TRADES, chan, p, NULL);
    }
    if (!rc) {
        snprintf(chan, n + 8, "book:%s", name);
        rc = naxd__chan_init(&p->book, NAXD__BOOK, chan, p, NULL);
    }
    nax__free(chan);
    if (rc) {
        naxd__trade_ring_free(s, p);
        pair_free(p);
        return NULL;
    }
    p->last.pair = p->name;
    return p;
}

naxd__pair *naxd__pair_get(naxd_stream *s, const char *name)
{
    int found;
    size_t i = pair_index(s, name, &found);
    if (found)
        return s->pairs[i];
    if (s->npairs == s->pairs_cap) {
        size_t cap = s->pairs_cap ? s->pairs_cap * 2 : 8;
        naxd__pair **a = nax__realloc(s->pairs, cap * sizeof(*a));
        if (!a)
            return NULL;
        s->pairs = a;
        s->pairs_cap = cap;
    }
    naxd__pair *p = pair_new(s, name);
    if (!p)
        return NULL;
    memmove(&s->pairs[i + 1], &s->pairs[i], (s->npairs - i) * sizeof(*s->pairs));
    s->pairs[i] = p;
    s->npairs++;
    return p;
}

/* ---- users ---- */

static size_t user_index(const naxd_stream *s, uint64_t id, int *found)
{
    size_t lo = 0, hi = s->nusers;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->users[mid]->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < s->nusers && s->users[lo]->id == id;
    return lo;
}

naxd__user *naxd__user_find(const naxd_stream *s, uint64_t id)
{
    int found;
    size_t i = user_index(s, id, &found);
    return found ? s->users[i] : NULL;
}

static void user_free(naxd__user *u)
{
    for (int k = 0; k < 3; k++)
        naxd__chan_dispose(&u->chans[k]);
    nax__free(u->conns);
    nax__free(u);
}

naxd__user *naxd__user_get(naxd_stream *s, uint64_t id)
{
    int found;
    size_t i = user_index(s, id, &found);
    if (found)
        return s->users[i];
    if (s->nusers == s->users_cap) {
        size_t cap = s->users_cap ? s->users_cap * 2 : 16;
        naxd__user **a = nax__realloc(s->users, cap * sizeof(*a));
        if (!a)
            return NULL;
        s->users = a;
        s->users_cap = cap;
    }
    naxd__user *u = nax__calloc(1, sizeof(*u));
    if (!u)
        return NULL;
    u->id = id;
    static const char *const names[3] = {"orders", "balances", "fills"};
    static const naxd__kind kinds[3] = {NAXD__ORDERS, NAXD__BALANCES, NAXD__FILLS};
    for (int k = 0; k < 3; k++)
        if (naxd__chan_init(&u->chans[k], kinds[k], names[k], NULL, u)) {
            user_free(u);
            return NULL;
        }
    memmove(&s->users[i + 1], &s->users[i], (s->nusers - i) * sizeof(*s->users));
    s->users[i] = u;
    s->nusers++;
    return u;
}

void naxd__user_release(naxd_stream *s, naxd__user *u)
{
    if (u->nconns)
        return;
    int found;
    size_t i = user_index(s, u->id, &found);
    if (found) {
        memmove(&s->users[i], &s->users[i + 1], (s->nusers - i - 1) * sizeof(*s->users));
        s->nusers--;
    }
    user_free(u);
}

void naxd_stream_free(naxd_stream *s)
{
    if (!s)
        return;
    /* Connections still open are forgotten: lws owns them and closes them
     * with its context; their callbacks then find no stream. The metrics
     * may have gone with the server already. */
    naxd_stream_set_metrics(s, NULL);
    while (s->conns)
        naxd__conn_forget(s->conns);
    for (size_t i = 0; i < s->npairs; i++) {
        naxd__trade_ring_free(s, s->pairs[i]);
        pair_free(s->pairs[i]);
    }
    nax__free(s->pairs);
    for (size_t i = 0; i < s->nusers; i++)
        user_free(s->users[i]);
    nax__free(s->users);
    nax_buf_dispose(&s->scratch);
    nax__free(s);
}

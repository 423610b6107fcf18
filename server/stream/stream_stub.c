/* Temporary: the publisher interface answering with nothing, so the app can
 * link while the module is written. Replaced file by file. */
#include <libwebsockets.h>

#include "core/core.h"
#include "stream.h"

struct naxd_stream {
    struct lws_protocols protocols[2];
};

static int stub_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len)
{
    (void)wsi;
    (void)reason;
    (void)user;
    (void)in;
    (void)len;
    return 0;
}

int naxd_stream_new(naxd_stream **out, const naxd_stream_hooks *hooks,
                    const naxd_stream_limits *limits, struct naxd_metrics *metrics)
{
    (void)hooks;
    (void)limits;
    (void)metrics;
    naxd_stream *s = nax__calloc(1, sizeof(*s));
    if (!s)
        return nax__error_oom();
    s->protocols[0].name = "naxd-stream";
    s->protocols[0].callback = stub_callback;
    *out = s;
    return 0;
}

void naxd_stream_free(naxd_stream *s)
{
    nax__free(s);
}

const struct lws_protocols *naxd_stream_protocol(naxd_stream *s)
{
    return &s->protocols[0];
}

void naxd_stream_set_metrics(naxd_stream *s, struct naxd_metrics *metrics)
{
    (void)s;
    (void)metrics;
}

void naxd_stream_close_all(naxd_stream *s)
{
    (void)s;
}

size_t naxd_stream_connections(const naxd_stream *s)
{
    (void)s;
    return 0;
}

int naxd_stream_book_reset(naxd_stream *s, const char *pair, uint64_t seq, int64_t ts,
                           const nax_book_level *bids, size_t bids_count,
                           const nax_book_level *asks, size_t asks_count)
{
    (void)s, (void)pair, (void)seq, (void)ts, (void)bids, (void)bids_count, (void)asks,
        (void)asks_count;
    return 0;
}

int naxd_stream_book_update(naxd_stream *s, const char *pair, uint64_t seq, int64_t ts,
                            const nax_book_level *bids, size_t bids_count,
                            const nax_book_level *asks, size_t asks_count)
{
    (void)s, (void)pair, (void)seq, (void)ts, (void)bids, (void)bids_count, (void)asks,
        (void)asks_count;
    return 0;
}

int naxd_stream_book_view(const naxd_stream *s, const char *pair, size_t depth,
                          nax_book_level *bids, size_t *bids_count, nax_book_level *asks,
                          size_t *asks_count, uint64_t *seq, uint32_t *checksum)
{
    (void)s, (void)pair, (void)depth, (void)bids, (void)bids_count, (void)asks, (void)asks_count,
        (void)seq, (void)checksum;
    return NAX_ENOTFOUND;
}

int naxd_stream_ticker(naxd_stream *s, const nax_ticker *t)
{
    (void)s, (void)t;
    return 0;
}

int naxd_stream_trades(naxd_stream *s, const char *pair, const nax_trade *const *trades,
                       size_t count, int64_t ts)
{
    (void)s, (void)pair, (void)trades, (void)count, (void)ts;
    return 0;
}

int naxd_stream_order(naxd_stream *s, uint64_t user, const nax_order *o, int64_t ts)
{
    (void)s, (void)user, (void)o, (void)ts;
    return 0;
}

int naxd_stream_balance(naxd_stream *s, uint64_t user, const nax_balance *b, int64_t ts)
{
    (void)s, (void)user, (void)b, (void)ts;
    return 0;
}

int naxd_stream_fill(naxd_stream *s, uint64_t user, const nax_fill *f, int64_t ts)
{
    (void)s, (void)user, (void)f, (void)ts;
    return 0;
}

void naxd_stream_revoke_user(naxd_stream *s, uint64_t user)
{
    (void)s, (void)user;
}

int naxd_stream_inject(naxd_stream *s, const naxd_stream_fault *f)
{
    (void)s, (void)f;
    return 0;
}

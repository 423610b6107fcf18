/* libnax: one client shared by every thread, nax_markets_ticker() decoding
 * each answer into a nax_ticker that is freed again (the product's real
 * work, with its default retry, breaker and limiter settings). */
#include "bench_client.h"

#include <nax/api.h>
#include <nax/client.h>
#include <nax/codec.h>
#include <nax/error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct libnax_ctx {
    nax_client *client;
    const char *pair;
} libnax_ctx;

static void report(const char *what, int rc)
{
    const nax_error *e = nax_error_last();
    fprintf(stderr, "libnax: %s: %s (HTTP %d%s%s)\n", what, nax_strerror(rc),
            e ? e->http_status : 0, e && e->message ? ": " : "", e && e->message ? e->message : "");
}

static int libnax_open(void **shared, const bench_config *cfg)
{
    nax_client_options opts = NAX_CLIENT_OPTIONS_INIT;
    opts.base_url = cfg->base_url;
    if (cfg->threads > opts.max_connections)
        opts.max_connections = cfg->threads; /* one kept-alive connection per thread */
    nax_client *client = NULL;
    int rc = nax_client_new(&client, &opts);
    if (rc != 0) {
        report("nax_client_new", rc);
        return -1;
    }
    *shared = client;
    return 0;
}

static int libnax_thread_open(void **ctx, void *shared, const bench_config *cfg)
{
    libnax_ctx *c = calloc(1, sizeof(*c));
    if (!c) {
        fprintf(stderr, "libnax: out of memory\n");
        return -1;
    }
    c->client = shared; /* every thread calls the same client */
    c->pair = cfg->pair;
    *ctx = c;
    return 0;
}

/* Both tickers encoded canonically must be the same bytes. */
static int same_ticker(const nax_ticker *a, const nax_ticker *b)
{
    nax_buf ea = NAX_BUF_INIT, eb = NAX_BUF_INIT;
    int same = nax_encode(&ea, NAX_TYPE_TICKER, a) == 0 &&
               nax_encode(&eb, NAX_TYPE_TICKER, b) == 0 && ea.len == eb.len &&
               memcmp(ea.data, eb.data, ea.len) == 0;
    nax_buf_dispose(&ea);
    nax_buf_dispose(&eb);
    return same;
}

static int libnax_check(void *ctx, const bench_config *cfg)
{
    libnax_ctx *c = ctx;
    nax_ticker *want = NULL, *got = NULL;
    int rc = nax_decode(&want, NAX_TYPE_TICKER, cfg->expect, cfg->expect_len, NULL);
    if (rc != 0) {
        report("decoding the served file", rc);
        return -1;
    }
    rc = nax_markets_ticker(c->client, c->pair, &got);
    if (rc != 0)
        report("nax_markets_ticker", rc);
    else if (!same_ticker(want, got))
        fprintf(stderr, "libnax: the ticker differs from the served file\n");
    int ok = rc == 0 && same_ticker(want, got);
    nax_object_free(want);
    nax_object_free(got);
    return ok ? 0 : -1;
}

static int libnax_calls(void *ctx, unsigned long n)
{
    libnax_ctx *c = ctx;
    for (unsigned long i = 0; i < n; i++) {
        nax_ticker *t = NULL;
        int rc = nax_markets_ticker(c->client, c->pair, &t);
        if (rc != 0) {
            report("nax_markets_ticker", rc);
            return -1;
        }
        nax_object_free(t);
    }
    return 0;
}

static void libnax_thread_close(void *ctx)
{
    free(ctx);
}

static void libnax_close(void *shared)
{
    nax_client_free(shared);
}

const bench_impl bench_impl_libnax = {"libnax",     libnax_open,  libnax_thread_open,
                                      libnax_check, libnax_calls, libnax_thread_close,
                                      libnax_close};

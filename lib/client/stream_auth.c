/*
 * What the stream subscriber (lib/stream) needs from a client: the stream's
 * URL, the TLS settings, and the credentials of its `auth` op, taken from
 * the same session or API key the REST calls use.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/client_impl.h"
#include "core/core.h"
#include "nax/auth.h"

/* As call.c: a timestamp is pushed past the last one to stay unique, but
 * not further back than this. */
#define MAX_STEP_BACK_MS 1000

#define STREAM_PATH "/v1/stream"

char *nax__client_stream_url(const nax_client *c)
{
    const char *rest = c->base_url;
    const char *scheme = "ws://";
    if (!strncmp(rest, "https://", 8)) {
        scheme = "wss://";
        rest += 8;
    } else if (!strncmp(rest, "http://", 7)) {
        rest += 7;
    }
    size_t n = strlen(scheme) + strlen(rest) + sizeof STREAM_PATH;
    char *url = nax__malloc(n);
    if (!url) {
        nax__error_oom();
        return NULL;
    }
    snprintf(url, n, "%s%s%s", scheme, rest, STREAM_PATH);
    return url;
}

void nax__client_stream_tls(const nax_client *c, int *insecure, const char **ca_path)
{
    *insecure = c->tls_insecure;
    *ca_path = c->ca_path;
}

/* A timestamp later than any this client signed before (see call.c). */
static long long unique_timestamp(nax_client *c)
{
    long long now = nax__clock_server_now(c), last = atomic_load(&c->last_sign_ts);
    do {
        if (now <= last && last - now < MAX_STEP_BACK_MS)
            now = last + 1;
    } while (!atomic_compare_exchange_weak(&c->last_sign_ts, &last, now));
    return now;
}

static int sign_op(nax_client *c, nax_stream_op *op, nax_buf *storage)
{
    nax__clock_ensure(c); /* a failed measurement leaves the local clock: try anyway */
    long long ts = unique_timestamp(c);
    char ts_text[24], sig[65];
    snprintf(ts_text, sizeof ts_text, "%lld", ts);
    int rc = nax_sign_request(sig, c->api_secret, ts_text, "GET", STREAM_PATH, NULL, 0);
    if (!rc)
        rc = nax__buf_append(storage, c->api_key, strlen(c->api_key) + 1);
    if (!rc)
        rc = nax__buf_append(storage, sig, sizeof sig);
    OPENSSL_cleanse(sig, sizeof sig);
    if (rc)
        return rc;
    /* The buffer no longer moves: point into it. */
    op->api_key = storage->data;
    op->signature = storage->data + strlen(c->api_key) + 1;
    op->timestamp = ts;
    return 0;
}

int nax__client_stream_auth(nax_client *c, nax_stream_op *op, nax_buf *storage,
                            uint64_t *generation)
{
    nax__buf_reset(storage);
    nax_buf header = NAX_BUF_INIT;
    *generation = 0;
    int rc = nax__session_header(c, &header, generation);
    if (!rc && header.len) {
        static const char prefix[] = "Authorization: Bearer ";
        size_t skip = sizeof prefix - 1;
        if (header.len > skip && !memcmp(header.data, prefix, skip))
            rc = nax__buf_append(storage, header.data + skip, header.len - skip + 1);
        else
            rc = nax__error(NAX_ERROR, "unexpected session header");
        if (!rc)
            op->token = storage->data;
    } else if (!rc) {
        rc = c->api_key && c->api_secret ? sign_op(c, op, storage) : 1;
    }
    if (header.data)
        OPENSSL_cleanse(header.data, header.len);
    nax_buf_dispose(&header);
    return rc;
}

int nax__client_stream_renew(nax_client *c, uint64_t generation)
{
    return nax__session_renew_after(c, generation);
}

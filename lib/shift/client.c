/*
 * The Shift client handle: options, a nax_client underneath (same transport,
 * credentials and resilience as REST), and one GraphQL POST on its pipeline.
 */
#include <string.h>

#include "core/core.h"
#include "shift/shift_internal.h"

int nax_shift_options_init(nax_shift_options *opts, unsigned int version)
{
    if (!opts)
        return nax__error(NAX_EINVAL, "nax_shift_options_init: opts is NULL");
    if (version != NAX_SHIFT_OPTIONS_VERSION)
        return nax__error(NAX_EVERSION, "nax_shift_options_init: unknown version %u", version);
    memset(opts, 0, sizeof(*opts));
    opts->version = version;
    return nax_client_options_init(&opts->transport, NAX_CLIENT_OPTIONS_VERSION);
}

/* A path is sent as the request target: "/" then visible ASCII only. */
static int valid_path(const char *p)
{
    if (p[0] != '/')
        return 0;
    for (; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || *p == '#')
            return 0;
    return 1;
}

int nax_shift_client_new(nax_shift_client **out, const nax_shift_options *opts)
{
    if (!out)
        return nax__error(NAX_EINVAL, "nax_shift_client_new: out is NULL");
    *out = NULL;
    if (!opts)
        return nax__error(NAX_EINVAL, "nax_shift_client_new: opts is NULL");
    if (opts->version != NAX_SHIFT_OPTIONS_VERSION)
        return nax__error(NAX_EVERSION, "nax_shift_client_new: unknown options version %u",
                          opts->version);
    const char *path = opts->path ? opts->path : "/graphql";
    if (!valid_path(path))
        return nax__error_field(NAX_EINVAL, "path",
                                "the GraphQL path must start with '/' and hold visible ASCII");
    nax_shift_client *sc = nax__calloc(1, sizeof(*sc));
    if (!sc)
        return nax__error_oom();
    sc->path = nax__strdup(path);
    if (!sc->path) {
        nax__free(sc);
        return nax__error_oom();
    }
    int rc = nax_client_new(&sc->client, &opts->transport);
    if (rc) {
        nax_shift_client_free(sc);
        return rc;
    }
    *out = sc;
    return 0;
}

void nax_shift_client_free(nax_shift_client *sc)
{
    if (!sc)
        return;
    nax_client_free(sc->client);
    nax__free(sc->path);
    nax__free(sc);
}

int nax__shift_body(nax_buf *out, const char *document, const nax__jv *variables)
{
    int rc = nax__buf_append_str(out, "{\"query\":");
    if (!rc)
        rc = nax__json_write_string(out, document, strlen(document));
    if (!rc && variables) {
        rc = nax__buf_append_str(out, ",\"variables\":");
        if (!rc)
            rc = nax__jv_write(out, variables);
    }
    if (!rc)
        rc = nax__buf_append_str(out, "}");
    return rc ? nax__error_oom() : 0;
}

int nax__shift_post(nax_shift_client *sc, const nax_buf *body, nax_endpoint_group group,
                    nax__resolve_fn resolve, void *resolve_ctx, void *resolved, nax_buf *response)
{
    nax__call call;
    memset(&call, 0, sizeof call);
    call.method = "POST";
    call.route = "/graphql";
    call.target = sc->path;
    call.group = group;
    call.auth = NAX__AUTH_USER;
    call.raw_body = body->data;
    call.raw_body_len = body->len;
    call.response_raw = response;
    call.response = resolved;
    call.resolve = resolve;
    call.resolve_ctx = resolve_ctx;
    return nax__client_call(sc->client, &call);
}

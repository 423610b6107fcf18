/*
 * The Shift GraphQL adapter's internals: the handle, one GraphQL call on the
 * client pipeline, and reading a GraphQL response. Internal to lib/shift.
 */
#ifndef NAX_SHIFT_SHIFT_INTERNAL_H
#define NAX_SHIFT_SHIFT_INTERNAL_H

#include "client/client.h"
#include "nax/shift.h"
#include "shift/json.h"

struct nax_shift_client {
    nax_client *client; /* owned: the transport, credentials and resilience */
    char *path;         /* the GraphQL endpoint, e.g. "/graphql" */
};

/*
 * POST a GraphQL request body on the pipeline (route "/graphql", target the
 * client's path, auth as the user, an Idempotency-Key fixed for all
 * attempts). The 2xx body goes to `response`. With `resolve`, an attempt
 * whose outcome is unknown is looked up first; when the resolver finds it,
 * *resolved (a `T **`) holds its object and `response` stays empty.
 */
int nax__shift_post(nax_shift_client *sc, const nax_buf *body, nax_endpoint_group group,
                    nax__resolve_fn resolve, void *resolve_ctx, void *resolved, nax_buf *response);

/* The body {"query": document, "variables": variables} (variables may be NULL). */
int nax__shift_body(nax_buf *out, const char *document, const nax__jv *variables);

/*
 * Read a GraphQL response. On success *out holds data and errors as compact
 * JSON text and *tree (when not NULL) the parsed response (nax__jv_free it).
 * Errors without data fail with the first error's mapped code (see
 * nax/shift.h); *out is still set then. NAX_EJSON for a body that is not a
 * GraphQL response.
 */
int nax__shift_read(const char *json, size_t len, nax_shift_result **out, nax__jv **tree);

/* A GraphQL error code as a nax error code. */
int nax__shift_error_code(const char *code);

#endif /* NAX_SHIFT_SHIFT_INTERNAL_H */

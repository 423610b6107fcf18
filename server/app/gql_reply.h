/*
 * Durable replies with a ready body, for POST /graphql: the same guarantees
 * as naxd_ok() and naxd_mut_*() (app/app.h), whose replies are typed codec
 * objects. A read's reply waits until every earlier change is durable; a
 * change's reply (stored with the request's Idempotency-Key in the same
 * batch) is sent once its batch is.
 */
#ifndef NAXD_APP_GQL_REPLY_H
#define NAXD_APP_GQL_REPLY_H

#include "app/app.h"

/* Send a 200 with body (copied) once earlier changes are durable. */
void naxd_gql_ok(naxd_app *a, naxd_req *req, const nax_buf *body);

typedef struct naxd_gql_mut naxd_gql_mut;

/* Starts a change for req. NULL after replying (503 while the store is
 * failed, 500 on OOM). */
naxd_gql_mut *naxd_gql_mut_begin(naxd_app *a, naxd_req *req);
naxd_batch *naxd_gql_mut_batch(naxd_gql_mut *m);
/* Drop it: only before any memory change was made; the caller replies. */
void naxd_gql_mut_abort(naxd_gql_mut *m);
/* Submit the batch; once durable, done(a, arg, 0) runs and body (copied) is
 * sent as a 200; on failure done(a, arg, status) runs and the client gets
 * 503. fail non-zero makes the batch fail (memory changed but the reply
 * could not be built). */
void naxd_gql_mut_commit(naxd_gql_mut *m, const nax_buf *body, int fail, naxd_mut_done_fn done,
                         void *arg);

#endif /* NAXD_APP_GQL_REPLY_H */

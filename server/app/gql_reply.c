/*
 * Durable replies with a ready body (see app/gql_reply.h). They follow
 * naxd_ok() in app/reply.c and naxd_mut_commit() in app/mutation.c step for
 * step; those take codec objects, GraphQL answers are built by hand.
 */
#include <string.h>

#include "app/gql_reply.h"
#include "app/internal.h"
#include "core/core.h"

/* ---- reads ---- */

typedef struct held {
    naxd_app *a;
    naxd_req *req;
    nax_buf body;
} held;

static void held_done(void *arg, int status)
{
    held *h = arg;
    naxd_app *a = h->a;
    if (status != 0) {
        naxd_fail(h->req, 503, "store_unavailable", NULL,
                  "the store failed; state is being restored, retry shortly");
    } else {
        naxd_idem_finish(a, h->req, 1);
        naxd__send(h->req, 200, h->body.data, h->body.len);
    }
    nax_buf_dispose(&h->body);
    nax__free(h);
    naxd__maybe_reload(a);
}

void naxd_gql_ok(naxd_app *a, naxd_req *req, const nax_buf *body)
{
    if (a->reload_needed) { /* memory still holds a change that was not saved */
        naxd_fail(req, 503, "store_unavailable", NULL,
                  "the store failed; state is being restored, retry shortly");
        return;
    }
    if (naxd_store_pending(a->store) == 0) {
        naxd_idem_finish(a, req, 1);
        naxd__send(req, 200, body->data, body->len);
        return;
    }
    held *h = nax__calloc(1, sizeof(*h));
    naxd_batch *barrier = h ? naxd_batch_new() : NULL;
    if (!barrier || nax__buf_append(&h->body, body->data, body->len) != 0) {
        if (barrier)
            naxd_batch_free(barrier);
        if (h)
            nax_buf_dispose(&h->body);
        nax__free(h);
        naxd_fail(req, 500, "internal_error", NULL, "out of memory");
        return;
    }
    h->a = a;
    h->req = req;
    if (naxd_store_submit(a->store, barrier, held_done, h) != 0) {
        nax_buf_dispose(&h->body);
        nax__free(h);
        naxd_fail(req, 500, "internal_error", NULL, "out of memory");
    }
}

/* ---- changes ---- */

struct naxd_gql_mut {
    naxd_app *a;
    naxd_req *req;
    naxd_batch *b;
    naxd_mut_done_fn done;
    void *done_arg;
    nax_buf body;
};

naxd_gql_mut *naxd_gql_mut_begin(naxd_app *a, naxd_req *req)
{
    if (a->store_failed) {
        naxd_fail(req, 503, "store_unavailable", NULL,
                  "the store cannot take writes at the moment; retry shortly");
        return NULL;
    }
    naxd_gql_mut *m = nax__calloc(1, sizeof(*m));
    if (m && !(m->b = naxd_batch_new())) {
        nax__free(m);
        m = NULL;
    }
    if (!m) {
        naxd_fail(req, 500, "internal_error", NULL, "out of memory");
        return NULL;
    }
    m->a = a;
    m->req = req;
    return m;
}

naxd_batch *naxd_gql_mut_batch(naxd_gql_mut *m)
{
    return m->b;
}

void naxd_gql_mut_abort(naxd_gql_mut *m)
{
    if (!m)
        return;
    naxd_batch_free(m->b);
    nax_buf_dispose(&m->body);
    nax__free(m);
}

static void committed(void *arg, int status)
{
    naxd_gql_mut *m = arg;
    naxd_app *a = m->a;
    if (status != 0) {
        if (!a->store_failed)
            nax__log(NAX_LOG_ERROR,
                     "naxd: commit failed (%s); refusing writes until the store recovers",
                     nax_strerror(status));
        naxd__store_failed(a);
        if (a->m_commit_failures)
            naxd_counter_add(a->m_commit_failures, 1);
    }
    if (m->done)
        m->done(a, m->done_arg, status);
    if (status != 0) {
        naxd_fail(m->req, 503, "store_unavailable", NULL,
                  "the change could not be saved and was not applied; retry shortly");
    } else {
        naxd_idem_finish(a, m->req, 1);
        naxd__send(m->req, 200, m->body.data, m->body.len);
    }
    nax_buf_dispose(&m->body);
    nax__free(m);
    naxd__maybe_reload(a);
}

void naxd_gql_mut_commit(naxd_gql_mut *m, const nax_buf *body, int fail, naxd_mut_done_fn done,
                         void *arg)
{
    naxd_app *a = m->a;
    naxd_req *req = m->req;
    naxd_ctx *ctx = naxd_ctx_of(req);
    m->done = done;
    m->done_arg = arg;
    int rc = fail ? NAX_ERROR : 0;
    if (!rc && body)
        rc = nax__buf_append(&m->body, body->data ? body->data : "", body->len);
    if (!rc && ctx && ctx->idem_key)
        rc = naxd_idem_record(a, req, m->b, 200, m->body.data, m->body.len);
    if (rc || (ctx && (ctx->fault & NAXD_FAULT_COMMIT_FAIL)))
        naxd_batch_fail_commit(m->b); /* memory may hold the change: fail like a commit */
    naxd_batch *b = m->b;
    m->b = NULL;
    if (naxd_store_submit(a->store, b, committed, m) != 0)
        committed(m, NAX_ENOMEM); /* not submitted: memory holds an unsaved change */
}

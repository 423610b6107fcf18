/* Mutations: one request's change set, committed durably before the reply. */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/internal.h"
#include "core/core.h"

struct naxd_mut {
    naxd_app *a;
    naxd_req *req;
    naxd_batch *b;
    naxd_mut_done_fn done;
    void *done_arg;
    int status;
    nax_buf body;
};

naxd_mut *naxd_mut_begin(naxd_app *a, naxd_req *req)
{
    if (a->store_failed) {
        naxd_fail(req, 503, "store_unavailable", NULL,
                  "the store cannot take writes at the moment; retry shortly");
        return NULL;
    }
    naxd_mut *m = nax__calloc(1, sizeof(*m));
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

naxd_batch *naxd_mut_batch(naxd_mut *m)
{
    return m->b;
}

int naxd_mut_audit(naxd_mut *m, const char *action, const char *before_json, const char *after_json)
{
    naxd_ctx *ctx = naxd_ctx_of(m->req);
    const char *actor = ctx && ctx->who.actor[0] ? ctx->who.actor : "anonymous";
    return naxd_batch_audit(m->b, naxd_now_ms(m->a), actor, action, before_json, after_json,
                            naxd_req_id(m->req));
}

void naxd_mut_on_done(naxd_mut *m, naxd_mut_done_fn fn, void *arg)
{
    m->done = fn;
    m->done_arg = arg;
}

void naxd_mut_abort(naxd_mut *m)
{
    if (!m)
        return;
    naxd_batch_free(m->b);
    nax_buf_dispose(&m->body);
    nax__free(m);
}

static void committed(void *arg, int status)
{
    naxd_mut *m = arg;
    naxd_app *a = m->a;
    if (status != 0) {
        if (!a->store_failed)
            nax__log(NAX_LOG_ERROR,
                     "naxd: commit failed (%s); refusing writes until the store "
                     "recovers",
                     nax_strerror(status));
        naxd__store_failed(a);
        if (a->m_commit_failures)
            naxd_counter_add(a->m_commit_failures, 1);
    }
    if (m->done)
        m->done(a, m->done_arg, status);
    naxd__reply_after(a, m->req, status,
                      "the change could not be saved and was not applied; retry shortly", m->status,
                      m->body.data, m->body.len);
    nax_buf_dispose(&m->body);
    nax__free(m);
    naxd__maybe_reload(a);
}

static void submit(naxd_mut *m)
{
    naxd_ctx *ctx = naxd_ctx_of(m->req);
    if (ctx && (ctx->fault & NAXD_FAULT_COMMIT_FAIL))
        naxd_batch_fail_commit(m->b);
    naxd_batch *b = m->b;
    m->b = NULL;
    if (naxd_store_submit(m->a->store, b, committed, m) != 0) {
        /* Not submitted: memory holds an unsaved change. */
        committed(m, NAX_ENOMEM);
    }
}

void naxd_mut_fail(naxd_mut *m)
{
    naxd_batch_fail_commit(m->b);
    submit(m);
}

void naxd_mut_commit_raw(naxd_mut *m, int status, const char *json, size_t len)
{
    naxd_ctx *ctx = naxd_ctx_of(m->req);
    m->status = status;
    int rc = len ? nax__buf_append(&m->body, json, len) : 0;
    if (!rc && ctx && ctx->idem_key)
        rc = naxd_idem_record(m->a, m->req, m->b, status, m->body.data, m->body.len);
    if (rc) {
        /* Memory may already hold the change: treat like a failed commit. */
        naxd_mut_fail(m);
        return;
    }
    submit(m);
}

void naxd_mut_commit(naxd_mut *m, int status, nax_type type, const void *obj)
{
    nax_buf body = NAX_BUF_INIT;
    if (type != NAX_TYPE_NONE && nax_encode(&body, type, obj) != 0) {
        nax_buf_dispose(&body);
        naxd_mut_fail(m);
        return;
    }
    naxd_mut_commit_raw(m, status, body.data, body.len);
    nax_buf_dispose(&body);
}

int naxd_batch_counter(naxd_batch *b, const char *name, uint64_t value)
{
    return naxd_batch_sql(b,
                          "INSERT INTO counters(name, value) VALUES(?, ?) "
                          "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                          "tu", name, value);
}

int naxd_batch_balance(naxd_batch *b, uint64_t user, const char *asset,
                       const nax_decimal *available, const nax_decimal *locked)
{
    char av[64], lk[64];
    if (nax_decimal_format(av, sizeof av, available) < 0 ||
        nax_decimal_format(lk, sizeof lk, locked) < 0)
        return NAX_EINVAL;
    return naxd_batch_sql(b,
                          "INSERT INTO balances(user_id, asset, available, locked) "
                          "VALUES(?, ?, ?, ?) ON CONFLICT(user_id, asset) DO UPDATE SET "
                          "available = excluded.available, locked = excluded.locked",
                          "uttt", user, asset, av, lk);
}

int naxd_batch_exec_balances(naxd_batch *b, const naxd_exec *x)
{
    for (size_t i = 0; i < x->balances_count; i++) {
        const naxd_balance_event *e = &x->balances[i];
        int rc = naxd_batch_balance(b, e->user, e->asset, &e->available, &e->locked);
        if (rc)
            return rc;
    }
    return 0;
}

/* Replies: the one error body, decode failures, and success replies that wait
 * until earlier changes are durable. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/internal.h"
#include "core/core.h"

void naxd_fail(naxd_req *req, int status, const char *code, const char *field, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    naxd_ctx *ctx = naxd_ctx_of(req);
    if (ctx)
        naxd_idem_finish(ctx->app, req);
    /* 429s carry their limiter's own Retry-After, and so do scripted faults. */
    if (status == 503 && !(ctx && ctx->fault_retry_after_s))
        naxd_req_add_header(req, "Retry-After", "1");
    naxd_reply_error(req, status, code, field, "%s", message);
    naxd__ctx_release(req);
}

void naxd_fail_decode(naxd_req *req)
{
    const nax_error *e = nax_error_last();
    /* Running out of memory says nothing about the body: not the client's fault. */
    if (e->code == NAX_ENOMEM) {
        naxd_fail(req, 500, "internal_error", NULL, "out of memory");
        return;
    }
    /* The contract calls a repeated member malformed JSON (two parsers could
     * disagree on its value); the codec reports it as a schema error. */
    int duplicate = e->message && strstr(e->message, "duplicate member");
    const char *code = e->code == NAX_EJSON || duplicate ? "invalid_json" : "invalid_request";
    naxd_fail(req, 400, code, e->field && *e->field ? e->field : NULL, "%s",
              e->message && *e->message ? e->message : "the body does not match the schema");
}

int naxd_decode_body(naxd_req *req, nax_type type, void *out_obj)
{
    size_t len;
    const char *body = naxd_req_body(req, &len);
    if (!body || len == 0) {
        naxd_fail(req, 400, "invalid_json", NULL, "a JSON body is required");
        return -1;
    }
    /* The route's body limit, not the codec's default, bounds what is read. */
    nax_decode_options opts;
    nax_decode_options_init(&opts, NAX_DECODE_OPTIONS_VERSION);
    opts.max_bytes = len;
    if (nax_decode(out_obj, type, body, len, &opts) != 0) {
        naxd_fail_decode(req);
        return -1;
    }
    return 0;
}

/* A success reply held until a barrier batch reports. */
typedef struct held_reply {
    naxd_app *app;
    naxd_req *req;
    int status;
    nax_buf body;
} held_reply;

/* Sends a success reply, honouring the request's after-commit faults. */
void naxd__send(naxd_req *req, int status, const char *body, size_t len)
{
    naxd_ctx *ctx = naxd_ctx_of(req);
    if (ctx && (ctx->fault & NAXD_FAULT_DROP_AFTER)) {
        naxd_reply_drop(req);
    } else if (ctx && (ctx->fault & NAXD_FAULT_ERROR_AFTER)) {
        naxd_reply_error(req, ctx->fault_status ? ctx->fault_status : 500, "injected_fault", NULL,
                         "fault injection: error after commit");
    } else {
        naxd_reply(req, status, NULL, len ? body : NULL, len);
    }
    naxd__ctx_release(req);
}

void naxd__reply_after(naxd_app *a, naxd_req *req, int outcome, const char *failure_message,
                       int status, const char *body, size_t len)
{
    if (outcome != 0) {
        naxd_fail(req, 503, "store_unavailable", NULL, "%s", failure_message);
        return;
    }
    naxd_idem_finish(a, req);
    naxd__send(req, status, body, len);
}

#define READ_FAILED "the store failed; state is being restored, retry shortly"

static void held_done(void *arg, int status)
{
    held_reply *h = arg;
    naxd_app *a = h->app; /* the reply below frees the request's context */
    naxd__reply_after(a, h->req, status, READ_FAILED, h->status, h->body.data, h->body.len);
    nax_buf_dispose(&h->body);
    nax__free(h);
    naxd__maybe_reload(a);
}

/* Memory still holds a change that was not saved: refuse to show it. */
static int refused_while_stale(naxd_app *a, naxd_req *req)
{
    if (!a->reload_needed)
        return 0;
    naxd_fail(req, 503, "store_unavailable", NULL, READ_FAILED);
    return 1;
}

void naxd_ok_raw(naxd_app *a, naxd_req *req, int status, const char *json, size_t len)
{
    if (refused_while_stale(a, req))
        return;
    if (naxd_store_pending(a->store) == 0) {
        naxd__reply_after(a, req, 0, NULL, status, json, len);
        return;
    }
    held_reply *h = nax__calloc(1, sizeof(*h));
    naxd_batch *barrier = h ? naxd_batch_new() : NULL;
    if (!barrier || (len && nax__buf_append(&h->body, json, len) != 0)) {
        naxd_batch_free(barrier);
        if (h)
            nax_buf_dispose(&h->body);
        nax__free(h);
        naxd_fail(req, 500, "internal_error", NULL, "out of memory");
        return;
    }
    h->app = a;
    h->req = req;
    h->status = status;
    if (naxd_store_submit(a->store, barrier, held_done, h) != 0) {
        nax_buf_dispose(&h->body);
        nax__free(h);
        naxd_fail(req, 500, "internal_error", NULL, "out of memory");
    }
}

void naxd_ok(naxd_app *a, naxd_req *req, int status, nax_type type, const void *obj)
{
    if (refused_while_stale(a, req)) /* before encoding: the 503 wins */
        return;
    nax_buf body = NAX_BUF_INIT;
    if (type != NAX_TYPE_NONE && nax_encode(&body, type, obj) != 0) {
        nax_buf_dispose(&body);
        naxd_fail(req, 500, "internal_error", NULL, "the response could not be encoded");
        return;
    }
    naxd_ok_raw(a, req, status, body.data, body.len);
    nax_buf_dispose(&body);
}

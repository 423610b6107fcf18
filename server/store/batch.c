/* Building batches on the app thread: statements with copied values and
 * audit records. A failed append leaves the batch as it was before the call. */
#include <stdarg.h>
#include <string.h>

#include "store_internal.h"

naxd_batch *naxd_batch_new(void)
{
    naxd_batch *b = nax__calloc(1, sizeof *b);
    if (!b) {
        nax__error_oom();
        return NULL;
    }
    b->job.kind = NAXD__JOB_BATCH;
    return b;
}

void naxd__batch_release_body(naxd_batch *b)
{
    nax__free(b->stmts);
    nax__free(b->params);
    nax__free(b->audits);
    nax_buf_dispose(&b->bytes);
    b->stmts = NULL;
    b->params = NULL;
    b->audits = NULL;
    b->nstmts = b->stmts_cap = b->nparams = b->params_cap = b->naudits = b->audits_cap = 0;
}

void naxd_batch_free(naxd_batch *b)
{
    if (!b)
        return;
    naxd__batch_release_body(b);
    nax__free(b);
}

int naxd_batch_empty(const naxd_batch *b)
{
    return !b || (b->nstmts == 0 && b->naudits == 0);
}

void naxd_batch_fail_commit(naxd_batch *b)
{
    if (b)
        b->fail_commit = 1;
}

const char *naxd__batch_text(const naxd_batch *b, size_t off)
{
    return off == NAXD__NO_TEXT ? NULL : b->bytes.data + off;
}

/* Makes room for one more element of `size` bytes in *items (count *n, capacity *cap). */
static int grow(void **items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t want = *cap ? *cap * 2 : 8;
    if (want > SIZE_MAX / size)
        return nax__error_oom();
    void *p = nax__realloc(*items, want * size);
    if (!p)
        return nax__error_oom();
    *items = p;
    *cap = want;
    return 0;
}

/* Copies len bytes into the byte area, NUL-terminated; *off receives where. */
static int keep_bytes(naxd_batch *b, const void *data, size_t len, size_t *off)
{
    size_t at = b->bytes.len;
    int rc = nax__buf_append(&b->bytes, data, len);
    if (rc)
        return rc;
    /* nax_buf keeps one NUL after the data; step over it so text stays terminated. */
    rc = nax__buf_append(&b->bytes, "", 1);
    if (rc) {
        b->bytes.len = at;
        return rc;
    }
    *off = at;
    return 0;
}

static int keep_text(naxd_batch *b, const char *s, size_t *off)
{
    if (!s) {
        *off = NAXD__NO_TEXT;
        return 0;
    }
    return keep_bytes(b, s, strlen(s), off);
}

static int add_param(naxd_batch *b, const naxd__param *p)
{
    int rc = grow((void **)&b->params, &b->params_cap, b->nparams, sizeof *b->params);
    if (rc)
        return rc;
    b->params[b->nparams++] = *p;
    return 0;
}

/* Reads one argument per type letter and appends it as a parameter. */
static int add_params(naxd_batch *b, const char *types, va_list ap)
{
    for (const char *t = types; *t; t++) {
        naxd__param p = {0};
        int rc = 0;
        switch (*t) {
        case 'i':
            p.type = 'i';
            p.i = va_arg(ap, int64_t);
            break;
        case 'u':
            p.type = 'i';
            p.i = (int64_t)va_arg(ap, uint64_t);
            break;
        case 't': {
            const char *s = va_arg(ap, const char *);
            p.type = s ? 't' : 'n';
            rc = keep_text(b, s, &p.off);
            p.len = s ? strlen(s) : 0;
            break;
        }
        case 'b': {
            const void *data = va_arg(ap, const void *);
            p.len = va_arg(ap, size_t);
            if (!data && p.len)
                return nax__error(NAX_EINVAL, "store: blob parameter %d is NULL",
                                  (int)(t - types) + 1);
            p.type = 'b';
            rc = keep_bytes(b, data, p.len, &p.off);
            break;
        }
        case 'n': p.type = 'n'; break;
        default: return nax__error(NAX_EINVAL, "store: bad parameter type '%c'", *t);
        }
        if (rc || (rc = add_param(b, &p)))
            return rc;
    }
    return 0;
}

int naxd_batch_sql(naxd_batch *b, const char *sql, const char *types, ...)
{
    if (!b || !sql)
        return nax__error(NAX_EINVAL, "store: batch and sql are required");
    int rc = grow((void **)&b->stmts, &b->stmts_cap, b->nstmts, sizeof *b->stmts);
    if (rc)
        return rc;
    size_t params_before = b->nparams, bytes_before = b->bytes.len;
    va_list ap;
    va_start(ap, types);
    rc = add_params(b, types ? types : "", ap);
    va_end(ap);
    if (rc) {
        b->nparams = params_before;
        b->bytes.len = bytes_before;
        return rc;
    }
    b->stmts[b->nstmts++] = (naxd__stmt){sql, params_before, b->nparams - params_before};
    return 0;
}

int naxd_batch_audit(naxd_batch *b, int64_t ts_ms, const char *actor, const char *action,
                     const char *before_json, const char *after_json, const char *request_id)
{
    if (!b || !actor || !action)
        return nax__error(NAX_EINVAL, "store: audit needs a batch, an actor and an action");
    int rc = grow((void **)&b->audits, &b->audits_cap, b->naudits, sizeof *b->audits);
    if (rc)
        return rc;
    naxd__audit_rec r = {.ts = ts_ms};
    const char *fields[NAXD__AUDIT_FIELDS] = {actor, action, before_json, after_json, request_id};
    size_t bytes_before = b->bytes.len;
    for (int i = 0; i < NAXD__AUDIT_FIELDS; i++) {
        rc = keep_text(b, fields[i], &r.off[i]);
        if (rc) {
            b->bytes.len = bytes_before;
            return rc;
        }
    }
    b->audits[b->naudits++] = r;
    return 0;
}

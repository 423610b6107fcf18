/* The thread-local "last error" of DESIGN §3.3. Fixed-size storage, so an
 * out-of-memory error can always be reported. */
#include <stdio.h>
#include <string.h>

#include "core.h"

#define MSG_MAX   NAX__ERROR_MSG_MAX
#define SMALL_MAX NAX__ERROR_SMALL_MAX

typedef nax__error_state error_slot;

static _Thread_local error_slot tls_error;

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

static error_slot *slot(void)
{
    error_slot *e = &tls_error;
    if (e->pub.struct_size == 0) {
        e->pub.struct_size = sizeof(nax_error);
        e->pub.message = e->message;
        e->pub.field = e->field;
        e->pub.server_code = e->server_code;
        e->pub.request_id = e->request_id;
    }
    return e;
}

const nax_error *nax_error_last(void)
{
    return &slot()->pub;
}

void nax_error_clear(void)
{
    error_slot *e = slot();
    e->pub.code = NAX_OK;
    e->pub.klass = NAX_ERRCLASS_NONE;
    e->pub.http_status = 0;
    e->pub.transient = 0;
    e->pub.retry_after_ms = 0;
    e->message[0] = e->field[0] = e->server_code[0] = e->request_id[0] = '\0';
}

int nax__error_v(int code, const char *field, const char *fmt, va_list ap)
{
    error_slot *e = slot();
    /* Format and copy first: the arguments may point into this very slot
     * (a new error quoting the previous one's message or field). */
    char raw[MSG_MAX], f[SMALL_MAX];
    if (fmt)
        vsnprintf(raw, sizeof raw, fmt, ap);
    copy_str(f, sizeof f, field);
    nax_error_clear();
    e->pub.code = code;
    e->pub.klass = nax_error_class_of(code);
    copy_str(e->field, sizeof e->field, f);
    if (fmt) {
        /* Messages may quote input; make sure no secret survives into them. */
        nax__redact(e->message, sizeof e->message, raw);
    } else {
        copy_str(e->message, sizeof e->message, nax_strerror(code));
    }
    return code;
}

int nax__error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nax__error_v(code, NULL, fmt, ap);
    va_end(ap);
    return code;
}

int nax__error_field(int code, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nax__error_v(code, field, fmt, ap);
    va_end(ap);
    return code;
}

int nax__error_oom(void)
{
    return nax__error(NAX_ENOMEM, "out of memory");
}

void nax__error_http(int http_status, const char *server_code, const char *request_id,
                     int transient)
{
    error_slot *e = slot();
    e->pub.http_status = http_status;
    e->pub.transient = transient;
    copy_str(e->server_code, sizeof e->server_code, server_code);
    copy_str(e->request_id, sizeof e->request_id, request_id);
}

void nax__error_save(nax__error_state *out)
{
    *out = *slot();
}

void nax__error_restore(const nax__error_state *in)
{
    error_slot *e = slot();
    *e = *in;
    e->pub.message = e->message;
    e->pub.field = e->field;
    e->pub.server_code = e->server_code;
    e->pub.request_id = e->request_id;
}

void nax__error_retry_after(int64_t ms)
{
    slot()->pub.retry_after_ms = ms > 0 ? ms : 0;
}

void nax__error_set_transient(int transient)
{
    slot()->pub.transient = transient;
}

const char *nax_strerror(int code)
{
    switch ((nax_error_code)code) {
    case NAX_OK: return "success";
    case NAX_ERROR: return "unspecified error";
    case NAX_EINVAL: return "invalid argument";
    case NAX_ENOMEM: return "out of memory";
    case NAX_EVERSION: return "unknown version or struct size";
    case NAX_ESTATE: return "invalid state for this call";
    case NAX_EBUFSIZE: return "buffer too small";
    case NAX_EOVERFLOW: return "result does not fit";
    case NAX_EDIVZERO: return "division by zero";
    case NAX_EPARSE: return "malformed text";
    case NAX_EJSON: return "malformed JSON";
    case NAX_ESCHEMA: return "JSON does not match the expected schema";
    case NAX_ELIMIT: return "limit exceeded";
    case NAX_EUSER: return "stopped by a user callback";
    case NAX_ERECURSIVE: return "handle re-entered from its own callback";
    case NAX_ENETWORK: return "network error";
    case NAX_ETIMEOUT: return "timed out";
    case NAX_ETLS: return "TLS error";
    case NAX_EHTTP: return "HTTP error";
    case NAX_EBADREQUEST: return "request rejected by the server";
    case NAX_EAUTH: return "authentication failed";
    case NAX_EFORBIDDEN: return "permission denied";
    case NAX_ENOTFOUND: return "not found";
    case NAX_ECONFLICT: return "conflict";
    case NAX_ETOOLARGE: return "request too large";
    case NAX_ERATELIMIT: return "rate limited";
    case NAX_ESERVER: return "server error";
    case NAX_EUNAVAILABLE: return "service unavailable";
    case NAX_ECIRCUIT_OPEN: return "circuit breaker open";
    case NAX_ERETRY_BUDGET: return "retry budget exhausted";
    case NAX_ECANCELLED: return "cancelled";
    case NAX_EIO: return "I/O error";
    case NAX_EOUTCOME_UNKNOWN: return "outcome unknown";
    }
    return "unknown error";
}

nax_error_class nax_error_class_of(int code)
{
    switch ((nax_error_code)code) {
    case NAX_OK: return NAX_ERRCLASS_NONE;
    case NAX_EINVAL:
    case NAX_EVERSION:
    case NAX_EBUFSIZE: return NAX_ERRCLASS_ARGUMENT;
    case NAX_ENOMEM: return NAX_ERRCLASS_MEMORY;
    case NAX_EOVERFLOW:
    case NAX_EDIVZERO:
    case NAX_EPARSE:
    case NAX_EJSON:
    case NAX_ESCHEMA: return NAX_ERRCLASS_DATA;
    case NAX_ENETWORK:
    case NAX_ETIMEOUT:
    case NAX_ETLS: return NAX_ERRCLASS_NETWORK;
    case NAX_EHTTP:
    case NAX_EBADREQUEST:
    case NAX_EAUTH:
    case NAX_EFORBIDDEN:
    case NAX_ENOTFOUND:
    case NAX_ECONFLICT:
    case NAX_ETOOLARGE:
    case NAX_ERATELIMIT:
    case NAX_ESERVER:
    case NAX_EUNAVAILABLE: return NAX_ERRCLASS_HTTP;
    case NAX_ERROR:
    case NAX_ESTATE:
    case NAX_ELIMIT:
    case NAX_ERECURSIVE:
    case NAX_ECIRCUIT_OPEN:
    case NAX_ERETRY_BUDGET:
    case NAX_ECANCELLED: return NAX_ERRCLASS_STATE;
    case NAX_EUSER: return NAX_ERRCLASS_USER;
    case NAX_EIO: return NAX_ERRCLASS_SYSTEM;
    case NAX_EOUTCOME_UNKNOWN: return NAX_ERRCLASS_NETWORK;
    }
    return NAX_ERRCLASS_NONE;
}

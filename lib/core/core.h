/*
 * Internal core services shared by every libnax module and by naxd:
 * allocation through the installed allocator, the thread-local error,
 * growable buffers and redacting logs. Never installed.
 */
#ifndef NAX_CORE_CORE_H
#define NAX_CORE_CORE_H

#include <stdarg.h>
#include <stddef.h>

#include "nax/common.h"
#include "nax/error.h"
#include "nax/global.h"

#if defined(__GNUC__)
#define NAX__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define NAX__PRINTF(f, a)
#endif

/* ---- allocation: every byte libnax allocates goes through these ---- */
void *nax__malloc(size_t size);
void *nax__calloc(size_t count, size_t size); /* overflow-checked */
void *nax__realloc(void *ptr, size_t size);
void nax__free(void *ptr);
char *nax__strdup(const char *s);
char *nax__strndup(const char *s, size_t len);
/* Non-zero between a successful nax_global_init() and the last shutdown. */
int nax__global_ready(void);
/* The allocator currently installed (the C library's by default). */
const nax_allocator *nax__allocator(void);

/* ---- errors ----
 * Each setter records the detail in this thread's nax_error and returns
 * `code`, so callers can write `return nax__error(NAX_EINVAL, "...")`. */
int nax__error(int code, const char *fmt, ...) NAX__PRINTF(2, 3);
int nax__error_field(int code, const char *field, const char *fmt, ...) NAX__PRINTF(3, 4);
int nax__error_v(int code, const char *field, const char *fmt, va_list ap);
/* Adds HTTP detail to the error most recently set on this thread. */
void nax__error_http(int http_status, const char *server_code, const char *request_id,
                     int transient);
/* A copy of this thread's error, to keep it across user callbacks that may
 * call libnax themselves. */
#define NAX__ERROR_MSG_MAX   512
#define NAX__ERROR_SMALL_MAX 128
typedef struct nax__error_state {
    nax_error pub;
    char message[NAX__ERROR_MSG_MAX];
    char field[NAX__ERROR_SMALL_MAX];
    char server_code[NAX__ERROR_SMALL_MAX];
    char request_id[NAX__ERROR_SMALL_MAX];
} nax__error_state;
void nax__error_save(nax__error_state *out);
void nax__error_restore(const nax__error_state *in);
/* Records the server's Retry-After (ms) on the error most recently set. */
void nax__error_retry_after(int64_t ms);
/* Marks the most recent error as transient (retrying may help). */
void nax__error_set_transient(int transient);
/* Shorthand for an out-of-memory error. */
int nax__error_oom(void);

/* ---- buffers (nax_buf) ---- */
int nax__buf_reserve(nax_buf *buf, size_t extra); /* room for `extra` more bytes + NUL */
int nax__buf_append(nax_buf *buf, const void *data, size_t len);
int nax__buf_append_str(nax_buf *buf, const char *s);
int nax__buf_printf(nax_buf *buf, const char *fmt, ...) NAX__PRINTF(2, 3);
void nax__buf_reset(nax_buf *buf); /* keep memory, len = 0 */

/* ---- logging ----
 * The message is formatted, then every secret in it is redacted, then it is
 * delivered; nothing is formatted when the level is below the threshold. */
int nax__log_enabled(nax_log_level level);
void nax__log(nax_log_level level, const char *fmt, ...) NAX__PRINTF(2, 3);
/* Copy `in` to `out` (size `out_size`, always NUL-terminated when > 0) with
 * secret values replaced by "[REDACTED]": header values of Authorization,
 * Cookie, X-NAX-SIGNATURE, webhook-signature and the like; JSON members and
 * query/form parameters named password, secret, token, *_token, signature,
 * totp_code, code, api_secret; and "Bearer <token>". Returns the length the
 * full redacted text needs (like snprintf). */
size_t nax__redact(char *out, size_t out_size, const char *in);

#endif /* NAX_CORE_CORE_H */

/* The process-wide log callback and the redaction every message passes
 * through before it reaches the callback. */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core.h"

#define LOG_LINE_MAX 2048
#define REDACTED     "[REDACTED]"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static nax_log_fn log_fn;
static void *log_userdata;
/* Read on every log call without the lock, so atomic. */
static atomic_int log_min = NAX_LOG_OFF;

int nax_log_set(nax_log_fn fn, nax_log_level min_level, void *userdata)
{
    if ((int)min_level < NAX_LOG_TRACE || min_level > NAX_LOG_OFF)
        return nax__error(NAX_EINVAL, "log level %d out of range", (int)min_level);
    pthread_mutex_lock(&log_lock);
    log_fn = fn;
    log_userdata = userdata;
    atomic_store_explicit(&log_min, fn ? (int)min_level : NAX_LOG_OFF, memory_order_relaxed);
    pthread_mutex_unlock(&log_lock);
    return 0;
}

const char *nax_log_level_name(nax_log_level level)
{
    static const char *const names[] = {"trace", "debug", "info", "warn", "error", "off"};
    if ((int)level < NAX_LOG_TRACE || level > NAX_LOG_OFF)
        return "unknown";
    return names[level];
}

int nax__log_enabled(nax_log_level level)
{
    return (int)level >= atomic_load_explicit(&log_min, memory_order_relaxed) &&
           level < NAX_LOG_OFF;
}

void nax__log(nax_log_level level, const char *fmt, ...)
{
    if (!nax__log_enabled(level))
        return;
    char raw[LOG_LINE_MAX], clean[LOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    nax__redact(clean, sizeof clean, raw);

    pthread_mutex_lock(&log_lock);
    nax_log_fn fn = log_fn;
    void *ud = log_userdata;
    pthread_mutex_unlock(&log_lock);
    if (fn)
        fn(level, clean, ud);
}

/* ---- redaction ---------------------------------------------------------- */

typedef struct out {
    char *buf;
    size_t cap;
    size_t len; /* length the full output needs */
} out;

static void put(out *o, const char *s, size_t n)
{
    if (o->len < o->cap) {
        size_t room = o->cap - 1 - o->len;
        memcpy(o->buf + o->len, s, n < room ? n : room);
    }
    o->len += n;
}

/* Header names whose whole value is a secret. */
static const char *const secret_headers[] = {
    "authorization",   "proxy-authorization", "cookie",       "set-cookie",
    "x-nax-signature", "webhook-signature",   "x-nax-secret", NULL};

static int is_name_char(int c)
{
    return isalnum(c) || c == '_' || c == '-';
}

static int ends_with(const char *name, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strncasecmp(name + n - k, suffix, k) == 0;
}

/* Member or parameter names whose value is a secret. `code` is special:
 * see value_is_secret(). */
static int name_is_secret(const char *name, size_t n)
{
    static const char *const exact[] = {"secret",      "token", "signature", "totp_code",
                                        "otpauth_uri", "otp",   "pin",       NULL};
    for (size_t i = 0; exact[i]; i++)
        if (strlen(exact[i]) == n && strncasecmp(name, exact[i], n) == 0)
            return 1;
    return ends_with(name, n, "password") || ends_with(name, n, "_token") ||
           ends_with(name, n, "_secret") || ends_with(name, n, "_signature");
}

/* `code` names both TOTP codes (digits, secret) and error codes (words,
 * useful in logs): only an all-digit value is treated as a secret. */
static int value_is_secret(const char *name, size_t n, const char *val, size_t vn)
{
    if (name_is_secret(name, n))
        return 1;
    if (n == 4 && strncasecmp(name, "code", 4) == 0 && vn > 0) {
        for (size_t i = 0; i < vn; i++)
            if (!isdigit((unsigned char)val[i]))
                return 0;
        return 1;
    }
    return 0;
}

static int header_is_secret(const char *name, size_t n)
{
    for (size_t i = 0; secret_headers[i]; i++)
        if (strlen(secret_headers[i]) == n && strncasecmp(name, secret_headers[i], n) == 0)
            return 1;
    return 0;
}

/* At a line start: "Header-Name: value" with a secret header. Returns the
 * bytes consumed, 0 if no match. */
static size_t redact_header(out *o, const char *p)
{
    size_t n = 0;
    while (is_name_char((unsigned char)p[n]))
        n++;
    if (n == 0 || p[n] != ':' || !header_is_secret(p, n))
        return 0;
    size_t v = n + 1;
    while (p[v] == ' ' || p[v] == '\t')
        v++;
    size_t end = v;
    while (p[end] && p[end] != '\r' && p[end] != '\n')
        end++;
    put(o, p, v);
    put(o, REDACTED, strlen(REDACTED));
    return end;
}

/* At a '"': a JSON member `"name": value` with a secret name. */
static size_t redact_json_member(out *o, const char *p)
{
    size_t n = 1;
    while (p[n] && p[n] != '"' && p[n] != '\\')
        n++;
    if (p[n] != '"')
        return 0;
    const char *name = p + 1;
    size_t name_len = n - 1;
    size_t v = n + 1;
    while (isspace((unsigned char)p[v]))
        v++;
    if (p[v] != ':')
        return 0;
    v++;
    while (isspace((unsigned char)p[v]))
        v++;
    size_t vs, ve, end; /* value start/end (without quotes) and where we resume */
    if (p[v] == '"') {
        vs = ve = v + 1;
        while (p[ve] && p[ve] != '"') {
            if (p[ve] == '\\' && p[ve + 1])
                ve++;
            ve++;
        }
        end = p[ve] == '"' ? ve + 1 : ve;
    } else {
        vs = ve = v;
        while (p[ve] && p[ve] != ',' && p[ve] != '}' && p[ve] != ']' &&
               !isspace((unsigned char)p[ve]))
            ve++;
        end = ve;
    }
    if (ve == vs || !value_is_secret(name, name_len, p + vs, ve - vs))
        return 0;
    put(o, p, v);
    put(o, "\"" REDACTED "\"", strlen(REDACTED) + 2);
    return end;
}

/* After '?', '&', ';', a space or at the start: `name=value` with a secret name. */
static size_t redact_param(out *o, const char *p)
{
    size_t n = 0;
    while (is_name_char((unsigned char)p[n]))
        n++;
    if (n == 0 || p[n] != '=')
        return 0;
    size_t ve = n + 1;
    while (p[ve] && p[ve] != '&' && p[ve] != ';' && p[ve] != '"' && p[ve] != ',' &&
           !isspace((unsigned char)p[ve]))
        ve++;
    if (ve == n + 1 || !value_is_secret(p, n, p + n + 1, ve - n - 1))
        return 0;
    put(o, p, n + 1);
    put(o, REDACTED, strlen(REDACTED));
    return ve;
}

/* "Bearer <token>" anywhere, any case. */
static size_t redact_bearer(out *o, const char *p)
{
    if (strncasecmp(p, "bearer", 6) != 0 || (p[6] != ' ' && p[6] != '\t'))
        return 0;
    size_t v = 6;
    while (p[v] == ' ' || p[v] == '\t')
        v++;
    size_t e = v;
    while (p[e] && (isalnum((unsigned char)p[e]) || strchr("-._~+/=", p[e]) != NULL))
        e++;
    if (e == v)
        return 0;
    put(o, p, v);
    put(o, REDACTED, strlen(REDACTED));
    return e;
}

size_t nax__redact(char *outbuf, size_t out_size, const char *in)
{
    out o = {outbuf, out_size, 0};
    const char *p = in ? in : "";
    int line_start = 1;
    char prev = '\0';
    while (*p) {
        size_t used = 0;
        if (line_start)
            used = redact_header(&o, p);
        if (!used && *p == '"')
            used = redact_json_member(&o, p);
        if (!used && (line_start || prev == '?' || prev == '&' || prev == ';' ||
                      isspace((unsigned char)prev)))
            used = redact_param(&o, p);
        if (!used && (line_start || !is_name_char((unsigned char)prev)))
            used = redact_bearer(&o, p);
        if (used) {
            prev = p[used - 1];
            p += used;
            line_start = 0;
            continue;
        }
        put(&o, p, 1);
        line_start = (*p == '\n');
        prev = *p++;
    }
    if (o.cap)
        o.buf[o.len < o.cap ? o.len : o.cap - 1] = '\0';
    return o.len;
}

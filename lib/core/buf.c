/* Growable NUL-terminated byte buffers (nax_buf). */
#include <stdio.h>
#include <string.h>

#include "core.h"

void nax_buf_dispose(nax_buf *buf)
{
    if (!buf)
        return;
    nax__free(buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

void nax__buf_reset(nax_buf *buf)
{
    buf->len = 0;
    if (buf->data)
        buf->data[0] = '\0';
}

int nax__buf_reserve(nax_buf *buf, size_t extra)
{
    if (extra > SIZE_MAX - buf->len - 1)
        return nax__error(NAX_ENOMEM, "buffer size overflow");
    size_t need = buf->len + extra + 1;
    if (need <= buf->cap)
        return 0;
    size_t cap = buf->cap ? buf->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = nax__realloc(buf->data, cap);
    if (!p)
        return nax__error_oom();
    buf->data = p;
    buf->cap = cap;
    return 0;
}

int nax__buf_append(nax_buf *buf, const void *data, size_t len)
{
    int rc = nax__buf_reserve(buf, len);
    if (rc)
        return rc;
    if (len)
        memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
    return 0;
}

int nax__buf_append_str(nax_buf *buf, const char *s)
{
    return nax__buf_append(buf, s, strlen(s));
}

int nax__buf_printf(nax_buf *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return nax__error(NAX_EINVAL, "bad format string");
    int rc = nax__buf_reserve(buf, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
    return 0;
}

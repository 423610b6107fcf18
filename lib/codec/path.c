/*
 * JSON paths (`orders[2].price`) and the error messages built on them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "codec_internal.h"
#include "core/core.h"

void nax__codec_path_init(nax__codec_path *p)
{
    p->len = 0;
    p->text[0] = '\0';
}

/* Appends what fits; the text stays NUL-terminated. */
static void path_put(nax__codec_path *p, const char *s, size_t n)
{
    size_t room = sizeof p->text - 1 - p->len;
    if (n > room)
        n = room;
    memcpy(p->text + p->len, s, n);
    p->len += n;
    p->text[p->len] = '\0';
}

size_t nax__codec_path_member(nax__codec_path *p, const char *name, size_t len)
{
    size_t old = p->len;
    if (p->len > 0)
        path_put(p, ".", 1);
    path_put(p, name, len);
    return old;
}

size_t nax__codec_format_u64(char *out, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

size_t nax__codec_path_index(nax__codec_path *p, size_t index)
{
    size_t old = p->len;
    char tmp[24];
    tmp[0] = '[';
    size_t n = 1 + nax__codec_format_u64(tmp + 1, index);
    tmp[n++] = ']';
    path_put(p, tmp, n);
    return old;
}

void nax__codec_path_pop(nax__codec_path *p, size_t len)
{
    if (len < p->len) {
        p->len = len;
        p->text[len] = '\0';
    }
}

int nax__codec_fail(int code, const nax__codec_path *path, const char *fmt, ...)
{
    char reason[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (path->len == 0)
        return nax__error_field(code, "", "%s", reason);
    return nax__error_field(code, path->text, "%s: %s", path->text, reason);
}

void nax__codec_quote(char *out, size_t out_size, const char *text, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const size_t limit = 32;
    size_t o = 0;
    /* Worst case per input byte is 4 output bytes, plus quotes, "..." and NUL. */
    if (out_size < limit * 4 + 8) {
        if (out_size)
            out[0] = '\0';
        return;
    }
    out[o++] = '"';
    for (size_t i = 0; i < len && i < limit; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out[o++] = (char)c;
        } else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o++] = '"';
    if (len > limit) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

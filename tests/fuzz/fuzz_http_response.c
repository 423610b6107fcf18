/*
 * What the REST client reads from a server's response header block
 * (lib/http/http_response.c: X-Request-Id, Content-Type, Date, Retry-After,
 * RateLimit-*), line by line as libcurl hands them over. A hostile or broken
 * server controls every byte. Oracles: the captured strings stay
 * NUL-terminated inside their fields, counts are -1 or non-negative, and the
 * per-connection Date cache answers exactly what a fresh parse does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_response(const nax__http_response *r)
{
    if (!memchr(r->request_id, 0, sizeof r->request_id) ||
        !memchr(r->content_type, 0, sizeof r->content_type))
        abort();
    if (r->ratelimit_limit < -1 || r->ratelimit_remaining < -1 || r->ratelimit_reset_s < -1 ||
        r->retry_after_ms < -1)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nax__http_response resp;
    nax__http_response_init(&resp);
    nax__http_transfer t;
    memset(&t, 0, sizeof t);
    t.resp = &resp;
    t.max_body = 1 << 20;
    const uint8_t *p = data, *end = data + size;
    while (p < end) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        char *line = malloc(len ? len : 1); /* curl's buffer: not NUL-terminated */
        if (!line)
            abort();
        memcpy(line, p, len);
        if (nax__http_on_header(line, 1, len, &t) != len)
            abort();
        check_response(&resp);
        /* The cache and a fresh parse agree on this line's bytes as a Date. */
        char *text = malloc(len + 1);
        if (!text)
            abort();
        memcpy(text, line, len);
        text[len] = '\0';
        if (!memchr(line, 0, len) &&
            nax__http_date_cached(&t.date, line, len) != nax__http_parse_date(text))
            abort();
        free(text);
        free(line);
        p += len;
    }
    nax__http_response_dispose(&resp);
    return 0;
}

/*
 * Webhook verification (nax_webhook_verify: the signature header, the
 * timestamp header and the MAC), as naxd's deposit webhooks and partners'
 * receivers run it. The input is "timestamp" NUL "signatures" NUL "id" NUL
 * body. Two secrets are configured, as during a key rotation. Oracle: an
 * accepted message carries, as one of its space-separated entries, the exact
 * signature nax_webhook_sign() makes with one of the secrets.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nax/auth.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1800000000

static const char *const secrets[] = {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                      "whsec_c2Vjb25kLWtleS1mb3Itcm90YXRpb24="};

/* The next NUL-terminated field of the input, copied (the API takes C strings). */
static char *field(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *nul = memchr(*p, 0, (size_t)(end - *p));
    if (!nul)
        return NULL;
    size_t n = (size_t)(nul - *p);
    char *s = malloc(n + 1);
    if (!s)
        abort();
    memcpy(s, *p, n);
    s[n] = '\0';
    *p = nul + 1;
    return s;
}

static int header_has(const char *header, const char *entry, size_t len)
{
    for (const char *p = header; (p = strstr(p, entry)) != NULL; p++)
        if ((p == header || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    char *ts = field(&p, end), *sigs = ts ? field(&p, end) : NULL;
    char *id = sigs ? field(&p, end) : NULL;
    if (id) {
        size_t body_len = (size_t)(end - p);
        int rc =
            nax_webhook_verify(secrets, 2, id, ts, sigs, p, body_len, NOW, NAX_WEBHOOK_TOLERANCE_S);
        if (rc == 0) {
            int64_t t = strtoll(ts, NULL, 10);
            int found = 0;
            for (int i = 0; i < 2 && !found; i++) {
                nax_buf expected = NAX_BUF_INIT;
                if (nax_webhook_sign(&expected, secrets[i], id, t, p, body_len) != 0)
                    abort();
                found = header_has(sigs, expected.data, expected.len);
                nax_buf_dispose(&expected);
            }
            if (!found)
                abort(); /* accepted without a signature made with a configured secret */
        }
    }
    free(ts);
    free(sigs);
    free(id);
    return 0;
}

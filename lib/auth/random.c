/* Cryptographically secure random bytes and version 4 UUIDs. */
#include <limits.h>
#include <stdio.h>

#include <openssl/rand.h>

#include "auth/auth.h"
#include "core/core.h"

int nax__random_bytes(void *out, size_t len)
{
    unsigned char *p = out;
    while (len > 0) {
        int n = len > INT_MAX ? INT_MAX : (int)len; /* RAND_bytes takes an int */
        if (RAND_bytes(p, n) != 1)
            return nax__error(NAX_ERROR, "OpenSSL RAND_bytes failed");
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int nax__uuid4(char out[37])
{
    unsigned char b[16];
    out[0] = '\0';
    int rc = nax__random_bytes(b, sizeof b);
    if (rc)
        return rc;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 10 (RFC 9562) */
    char hex[33];
    nax__hex_encode(hex, b, sizeof b);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
    return 0;
}

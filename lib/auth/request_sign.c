/* API-key request signatures (DESIGN §4, docs/openapi.yaml "Authentication"):
 * the internal signer naxd checks with and the public nax_sign_request(). */
#include <string.h>

#include "auth/auth.h"
#include "core/core.h"
#include "nax/auth.h"

int nax__request_signature(char out[65], const char *secret, const char *timestamp,
                           const char *method, const char *target, const void *body,
                           size_t body_len)
{
    nax__hmac h;
    unsigned char mac[NAX__SHA256_LEN];
    out[0] = '\0';
    int rc = nax__hmac_init(&h, secret, strlen(secret));
    if (rc)
        return rc;
    nax__hmac_update(&h, timestamp, strlen(timestamp));
    nax__hmac_update(&h, method, strlen(method));
    nax__hmac_update(&h, target, strlen(target));
    nax__hmac_update(&h, body, body_len);
    rc = nax__hmac_final(&h, mac);
    if (rc)
        return rc;
    nax__hex_encode(out, mac, sizeof mac);
    return 0;
}

static int is_upper_token(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < 'A' || *s > 'Z')
            return 0;
    return 1;
}

int nax_sign_request(char out[65], const char *secret, const char *timestamp, const char *method,
                     const char *target, const void *body, size_t body_len)
{
    if (!out)
        return nax__error(NAX_EINVAL, "nax_sign_request: out is NULL");
    out[0] = '\0';
    if (!secret || !timestamp || !method || !target || (!body && body_len))
        return nax__error(NAX_EINVAL, "nax_sign_request: NULL argument");
    if (!is_upper_token(method))
        return nax__error(NAX_EINVAL, "nax_sign_request: method must be upper case letters");
    return nax__request_signature(out, secret, timestamp, method, target, body, body_len);
}

/* The key a JWT is signed or verified with (lib/auth/jwt_sign.c, jwt_verify.c):
 * raw bytes, or prepared once (nax__hmac_key). */
#ifndef NAX_LIB_AUTH_JWT_KEY_H
#define NAX_LIB_AUTH_JWT_KEY_H

#include "auth/auth.h"

#define JWT_KEY_MIN 32 /* RFC 7518 §3.2: at least the hash size */

typedef struct jwt_key {
    const void *raw;
    size_t len;
    nax__hmac_key *prepared;
} jwt_key;

/* HMAC-SHA256 of data with the key, whichever form it has. 0 or an error. */
static inline int jwt_key_mac(const jwt_key *k, unsigned char out[NAX__SHA256_LEN],
                              const void *data, size_t len)
{
    return k->prepared ? nax__hmac_key_sha256(k->prepared, out, data, len)
                       : nax__hmac_sha256(out, k->raw, k->len, data, len);
}

#endif /* NAX_LIB_AUTH_JWT_KEY_H */

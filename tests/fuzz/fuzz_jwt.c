/*
 * JWT parse and verify (lib/auth, what naxd runs on every bearer token).
 * The first byte picks the mode:
 *   even: the rest is a whole token, verified as it comes (header, base64url
 *         parts, signature check first);
 *   odd:  the rest is "header JSON" NUL "payload JSON"; the target signs it
 *         with the server's key, so the claims parser behind the signature
 *         check is reached too.
 * Oracles: the raw key and the prepared key give the same status; an
 * accepted token's claims, signed again, verify to the same claims.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char key[] = "fuzz-key-0123456789abcdef-0123456789"; /* >= 32 bytes */
static const nax__jwt_expect expect = {"naxd", "nax", "access", NULL, 1800000000, 30};

static int sign_parts(nax_buf *token, const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    if (!nul)
        return -1;
    size_t head_len = (size_t)(nul - data);
    if (nax__base64url_encode(token, data, head_len) || nax__buf_append(token, ".", 1) ||
        nax__base64url_encode(token, nul + 1, size - head_len - 1))
        return -1;
    unsigned char mac[NAX__SHA256_LEN];
    if (nax__hmac_sha256(mac, key, sizeof key - 1, token->data, token->len) ||
        nax__buf_append(token, ".", 1) || nax__base64url_encode(token, mac, sizeof mac))
        return -1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static nax__hmac_key *prepared;
    if (!prepared && !(prepared = nax__hmac_key_new(key, sizeof key - 1)))
        abort();
    if (size < 1)
        return 0;
    nax_buf token = NAX_BUF_INIT;
    if (data[0] & 1) {
        if (sign_parts(&token, data + 1, size - 1) != 0) {
            nax_buf_dispose(&token);
            return 0;
        }
    } else if (nax__buf_append(&token, data + 1, size - 1) != 0) {
        abort();
    }
    const char *t = token.data ? token.data : ""; /* an empty buffer has no data yet */
    nax__jwt_claims c, c2;
    nax__jwt_status s = nax__jwt_verify(&c, t, token.len, key, sizeof key - 1, &expect);
    if (nax__jwt_verify_key(&c2, t, token.len, prepared, &expect) != s)
        abort();
    if (s == NAX__JWT_OK) {
        nax_buf again = NAX_BUF_INIT;
        if (nax__jwt_sign(&again, key, sizeof key - 1, &c) != 0)
            abort();
        nax__jwt_claims c3;
        if (nax__jwt_verify(&c3, again.data, again.len, key, sizeof key - 1, &expect) !=
            NAX__JWT_OK)
            abort();
        if (strcmp(c.sub, c3.sub) || strcmp(c.jti, c3.jti) || c.exp != c3.exp || c.iat != c3.iat ||
            c.nbf != c3.nbf)
            abort();
        nax_buf_dispose(&again);
    }
    nax_buf_dispose(&token);
    return 0;
}

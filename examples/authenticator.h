/*
 * authenticator: the user's authenticator app, for the examples that turn
 * two-factor sign-in on. It keeps the base32 secret naxd hands out at
 * enrolment (POST /v1/auth/totp/enable) and shows RFC 6238 codes
 * (HMAC-SHA1, 30 s steps, 6 digits), as a phone would.
 *
 * naxd accepts each step's code once per user (a code seen is spent), so
 * authenticator_code() waits for the next step when the current one was
 * already used here, as a person waits for the app's next code.
 *
 * Plain OpenSSL: computing codes is the user's side, not a client call.
 */
#ifndef NAX_EXAMPLES_AUTHENTICATOR_H
#define NAX_EXAMPLES_AUTHENTICATOR_H

#include <stddef.h>
#include <stdint.h>

typedef struct authenticator {
    unsigned char key[64];
    size_t key_len;
    int64_t last_step; /* the last step whose code was handed out */
} authenticator;

/* Load a base32 secret (RFC 4648, padding and case ignored). 0, or -1 when malformed. */
int authenticator_init(authenticator *a, const char *base32_secret);

/* The code of the current 30 s step into `code` (7 bytes), after waiting for
 * a fresh step when this one was used already; prints how long it waits.
 * 0, or -1 when the HMAC fails. */
int authenticator_code(authenticator *a, char code[7]);

/* Forget the key. */
void authenticator_wipe(authenticator *a);

#endif /* NAX_EXAMPLES_AUTHENTICATOR_H */

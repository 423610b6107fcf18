/*
 * Cryptographically secure random bytes, and version 4 UUIDs (request ids,
 * idempotency keys, client order ids) from a per-thread block of them.
 *
 * One RAND_bytes call per UUID cost more than the rest of building a request
 * (OpenSSL's DRBG takes a lock and makes a getpid system call for its fork
 * check each time); a 4 KiB block serves 256 UUIDs.
 *
 * A forked child must not hand out the bytes its parent is about to use: a
 * pthread_atfork child handler empties the pool of the thread that forked
 * (the only thread the child has), so the child's first UUID draws a fresh
 * block from OpenSSL, which reseeds after fork itself. This costs nothing per
 * UUID, unlike comparing getpid() on each one.
 */
#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <openssl/rand.h>

#include "auth/auth.h"
#include "core/core.h"

#define POOL_BYTES 4096

static _Thread_local unsigned char pool[POOL_BYTES];
static _Thread_local size_t pool_used = POOL_BYTES; /* empty */
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

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

static void empty_pool_in_child(void)
{
    pool_used = POOL_BYTES;
}

static void register_atfork(void)
{
    pthread_atfork(NULL, NULL, empty_pool_in_child);
}

int nax__uuid4(char out[37])
{
    pthread_once(&atfork_once, register_atfork);
    out[0] = '\0';
    if (pool_used + 16 > POOL_BYTES) {
        int rc = nax__random_bytes(pool, POOL_BYTES);
        if (rc)
            return rc;
        pool_used = 0;
    }
    unsigned char *b = pool + pool_used;
    pool_used += 16;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 10 (RFC 9562) */
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[b[i] >> 4];
        *o++ = hex[b[i] & 15];
    }
    *o = '\0';
    /* Handed out once: the pool keeps no copy of a UUID in use. */
    memset(b, 0, 16);
    return 0;
}

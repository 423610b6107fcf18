/*
 * authenticator: RFC 6238 codes for the examples (see authenticator.h).
 */
/* POSIX (nanosleep) also under a plain -std=c11. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "authenticator.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#define STEP_S 30

int authenticator_init(authenticator *a, const char *secret)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    uint32_t bits = 0;
    int nbits = 0;
    memset(a, 0, sizeof *a);
    a->last_step = -1;
    for (const char *p = secret; *p; p++) {
        char c = *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
        if (c == '=' || c == ' ')
            continue;
        const char *at = strchr(alphabet, c);
        if (!at || !c)
            return -1;
        bits = (bits << 5) | (uint32_t)(at - alphabet);
        nbits += 5;
        if (nbits >= 8) {
            if (a->key_len == sizeof a->key)
                return -1;
            a->key[a->key_len++] = (unsigned char)(bits >> (nbits - 8));
            nbits -= 8;
        }
    }
    return a->key_len ? 0 : -1;
}

/* RFC 4226 HOTP of `counter`, 6 digits. */
static int hotp(const authenticator *a, uint64_t counter, char code[7])
{
    unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    for (int i = 7; i >= 0; i--, counter >>= 8)
        msg[i] = (unsigned char)(counter & 0xff);
    if (!HMAC(EVP_sha1(), a->key, (int)a->key_len, msg, sizeof msg, mac, &mac_len) || mac_len < 20)
        return -1;
    unsigned off = mac[mac_len - 1] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | (uint32_t)mac[off + 3];
    snprintf(code, 7, "%06u", (unsigned)(bin % 1000000u));
    OPENSSL_cleanse(mac, sizeof mac);
    return 0;
}

int authenticator_code(authenticator *a, char code[7])
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t step = (int64_t)now.tv_sec / STEP_S;
    if (step <= a->last_step) {
        /* Sleep to the start of the next step (plus a little, for the server's clock). */
        int64_t wait_ms = ((a->last_step + 1) * STEP_S - (int64_t)now.tv_sec) * 1000 -
                          now.tv_nsec / 1000000 + 200;
        printf("           (the authenticator's code was used; next code in %lld s)\n",
               (long long)(wait_ms + 999) / 1000);
        fflush(stdout);
        struct timespec pause = {(time_t)(wait_ms / 1000), (long)(wait_ms % 1000) * 1000000L};
        while (nanosleep(&pause, &pause) != 0)
            ;
        clock_gettime(CLOCK_REALTIME, &now);
        step = (int64_t)now.tv_sec / STEP_S;
        if (step <= a->last_step)
            step = a->last_step + 1; /* a clock that stepped back: still a fresh code */
    }
    a->last_step = step;
    return hotp(a, (uint64_t)step, code);
}

void authenticator_wipe(authenticator *a)
{
    OPENSSL_cleanse(a, sizeof *a);
}

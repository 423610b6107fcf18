/* TOTP (RFC 6238) over HOTP (RFC 4226) with HMAC-SHA1. */
#include <string.h>

#include "auth/auth.h"

#define TOTP_STEP_S     30
#define TOTP_DIGITS     6
#define TOTP_WINDOW_MAX 10 /* steps each way; more would weaken the code */

static const uint32_t powers_of_ten[] = {1,      10,      100,      1000,      10000,
                                         100000, 1000000, 10000000, 100000000, 1000000000};

/* HOTP: dynamic truncation of HMAC-SHA1(key, counter as 8 big-endian bytes). */
static uint32_t hotp(const void *key, size_t key_len, uint64_t counter, int digits)
{
    unsigned char msg[8], mac[NAX__SHA1_LEN];
    for (int i = 7; i >= 0; i--) {
        msg[i] = (unsigned char)(counter & 0xff);
        counter >>= 8;
    }
    if (nax__hmac_sha1(mac, key, key_len, msg, sizeof msg) != 0)
        return NAX__TOTP_FAILED;
    unsigned off = mac[NAX__SHA1_LEN - 1] & 0x0f;
    uint32_t bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
                   (uint32_t)mac[off + 2] << 8 | mac[off + 3];
    return bin % powers_of_ten[digits];
}

/* The step counter of time t: floor(t / step), 0 before the epoch. */
static uint64_t step_of(int64_t t, int step_s)
{
    return t < 0 ? 0 : (uint64_t)t / (uint64_t)step_s;
}

uint32_t nax__totp_at(const void *key, size_t key_len, int64_t t, int step_s, int digits)
{
    if (step_s <= 0 || digits < 1 || digits > 9 || (!key && key_len))
        return NAX__TOTP_FAILED;
    return hotp(key, key_len, step_of(t, step_s), digits);
}

/* The code as a number when it is exactly TOTP_DIGITS decimal digits. */
static int parse_code(const char *code, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < TOTP_DIGITS; i++) {
        if (code[i] < '0' || code[i] > '9')
            return 0;
        v = v * 10 + (uint32_t)(code[i] - '0');
    }
    if (code[TOTP_DIGITS] != '\0')
        return 0;
    *out = v;
    return 1;
}

int64_t nax__totp_verify(const void *key, size_t key_len, const char *code, int64_t now, int window)
{
    uint32_t given;
    if (!code || (!key && key_len) || window < 0 || window > TOTP_WINDOW_MAX ||
        !parse_code(code, &given))
        return -1;
    uint64_t center = step_of(now, TOTP_STEP_S);
    int64_t matched = -1;
    /* Every step in the window is computed, so the time taken does not
     * depend on which one matched. */
    for (int d = -window; d <= window; d++) {
        if (d < 0 && center < (uint64_t)-d)
            continue; /* before the epoch */
        uint64_t step = center + (uint64_t)(int64_t)d;
        uint32_t want = hotp(key, key_len, step, TOTP_DIGITS);
        if (want != NAX__TOTP_FAILED && want == given && matched < 0 && step <= (uint64_t)INT64_MAX)
            matched = (int64_t)step;
    }
    return matched;
}

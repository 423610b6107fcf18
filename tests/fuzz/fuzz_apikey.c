/*
 * naxd's API-key request signatures (server/app/authn.c
 * naxd__signature_verify: the X-NAX-TIMESTAMP parse, the receive window and
 * X-NAX-RECV-WINDOW, the constant-time compare, the replay guard).
 *
 * Input: 8 bytes of numbers, then method, target, secret, timestamp,
 * signature and window header, each ended by NUL, then the body (any bytes).
 * Oracles:
 *  - the fields as given: accepted only when the signature is the
 *    target's own HMAC-SHA256 (OpenSSL, not libnax) over timestamp, method,
 *    target and body, with the timestamp inside the window; refused with a
 *    known status, code and header field otherwise;
 *  - the same fields signed by the target at a time inside the window are
 *    accepted, and the same request again is a replay;
 *  - one changed byte of method, target, body, timestamp or signature is refused;
 *  - a correct signature at a timestamp just outside the window, or before
 *    the server started, is refused as timestamp_out_of_window.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_apikey: %s:%d: %s\n", __FILE__, __LINE__, #cond);                \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define NOW_MS     1800000000000LL
#define STARTED_MS (NOW_MS - 3600000)
#define FIELDS     6 /* method, target, secret, timestamp, signature, window */

static int64_t not_before = STARTED_MS; /* the server's start, as verify() passes it */

typedef struct request {
    char *field[FIELDS];
    const char *body;
    size_t body_len;
} request;

/* The signature as the target computes it: lowercase hex. */
static void sign(char out[65], const char *secret, const char *ts, const request *r,
                 const char *method, const char *target)
{
    size_t lt = strlen(ts), lm = strlen(method), lp = strlen(target);
    size_t n = lt + lm + lp + r->body_len;
    unsigned char *msg = malloc(n ? n : 1), mac[EVP_MAX_MD_SIZE];
    CHECK(msg != NULL);
    memcpy(msg, ts, lt);
    memcpy(msg + lt, method, lm);
    memcpy(msg + lt + lm, target, lp);
    if (r->body_len)
        memcpy(msg + lt + lm + lp, r->body, r->body_len);
    unsigned int len = 0;
    CHECK(HMAC(EVP_sha256(), secret, (int)strlen(secret), msg, n, mac, &len) != NULL && len == 32);
    free(msg);
    static const char hex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < len; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 15];
    }
    out[64] = '\0';
}

static int verify(const request *r, const char *method, const char *target, const char *body,
                  const char *ts, const char *sig, const char *window, int64_t window_ms,
                  naxd_map *seen, naxd_authn_fail *f)
{
    naxd_signed s = {"ak_fuzz", ts, sig, window, method, target, body, r->body_len};
    naxd_sig_check c = {r->field[2], NOW_MS, window_ms, not_before, seen};
    memset(f, 0, sizeof(*f));
    int rc = naxd__signature_verify(&s, &c, f);
    CHECK(rc == 0 || rc == -1);
    if (rc) {
        /* every refusal names what the client must fix */
        static const struct {
            int status;
            const char *code, *field;
        } known[] = {{401, "invalid_signature", "X-NAX-TIMESTAMP"},
                     {400, "invalid_request", "X-NAX-RECV-WINDOW"},
                     {401, "timestamp_out_of_window", "X-NAX-TIMESTAMP"},
                     {401, "invalid_signature", "X-NAX-SIGNATURE"},
                     {401, "replayed_request", "X-NAX-SIGNATURE"}};
        int ok = 0;
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && !ok; i++)
            ok = f->status == known[i].status && strcmp(f->code, known[i].code) == 0 &&
                 strcmp(f->field, known[i].field) == 0;
        CHECK(ok);
        CHECK(memchr(f->message, 0, sizeof(f->message)) != NULL);
    }
    return rc;
}

/* Digits only, 1 to 18 of them, as the server reads X-NAX-TIMESTAMP. */
static int64_t digits(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
        return -1;
    return strtoll(s, NULL, 10);
}

/* The fields as given: accepted exactly when they are right. */
static void check_as_given(request *r, int64_t window_ms, int use_window)
{
    naxd_authn_fail f;
    const char *window = use_window ? r->field[5] : NULL;
    int rc = verify(r, r->field[0], r->field[1], r->body, r->field[3], r->field[4], window,
                    window_ms, NULL, &f);
    if (rc)
        return;
    int64_t ts = digits(r->field[3]), w = window ? digits(window) : window_ms;
    CHECK(ts >= STARTED_MS && w >= 1 && w <= 60000);
    CHECK(ts >= NOW_MS - w && ts <= NOW_MS + w);
    char want[65];
    sign(want, r->field[2], r->field[3], r, r->field[0], r->field[1]);
    CHECK(strcmp(want, r->field[4]) == 0);
}

/* Signed by the target at now + delta: accepted, then a replay; one
 * changed byte anywhere is refused. */
static void check_signed(request *r, int64_t window_ms, int64_t delta, size_t pick,
                         unsigned char to)
{
    char ts[24], sig[65], win[24];
    snprintf(ts, sizeof ts, "%lld", (long long)(NOW_MS + delta));
    snprintf(win, sizeof win, "%lld", (long long)window_ms);
    sign(sig, r->field[2], ts, r, r->field[0], r->field[1]);
    naxd_map seen;
    naxd_map_init(&seen);
    naxd_authn_fail f;
    const char *window = pick & 1 ? win : NULL; /* the header or the configured window */
    CHECK(verify(r, r->field[0], r->field[1], r->body, ts, sig, window, window_ms, &seen, &f) == 0);
    CHECK(verify(r, r->field[0], r->field[1], r->body, ts, sig, window, window_ms, &seen, &f) ==
          -1);
    CHECK(strcmp(f.code, "replayed_request") == 0);

    /* one byte of method | target | body | timestamp | signature changes */
    size_t lm = strlen(r->field[0]), lp = strlen(r->field[1]), lt = strlen(ts);
    size_t total = lm + lp + r->body_len + lt + 64;
    size_t at = (pick >> 1) % total;
    char *method = strdup(r->field[0]), *target = strdup(r->field[1]);
    char *body = malloc(r->body_len ? r->body_len : 1);
    CHECK(method && target && body);
    if (r->body_len)
        memcpy(body, r->body, r->body_len);
    char *slot = at < lm                    ? method + at
                 : (at -= lm) < lp          ? target + at
                 : (at -= lp) < r->body_len ? body + at
                 : (at -= r->body_len) < lt ? ts + at
                                            : sig + (at - lt);
    *slot = (char)(*slot == (char)to ? to ^ 0x01 : to);
    CHECK(verify(r, method, target, body, ts, sig, window, window_ms, &seen, &f) == -1);
    free(method);
    free(target);
    free(body);
    naxd_map_dispose(&seen);
}

/* A correct signature just outside the window (after or before), or from
 * before the start of a server started this very moment: which, by which. */
static void check_outside(request *r, int64_t window_ms, int which, int64_t beyond)
{
    int64_t at = which == 0   ? NOW_MS + window_ms + 1 + beyond
                 : which == 1 ? NOW_MS - window_ms - 1 - beyond
                              : NOW_MS - 1 - beyond % window_ms;
    char ts[24], sig[65];
    snprintf(ts, sizeof ts, "%lld", (long long)at);
    sign(sig, r->field[2], ts, r, r->field[0], r->field[1]);
    naxd_authn_fail f;
    not_before = which == 2 ? NOW_MS : STARTED_MS;
    CHECK(verify(r, r->field[0], r->field[1], r->body, ts, sig, NULL, window_ms, NULL, &f) == -1);
    CHECK(strcmp(f.code, "timestamp_out_of_window") == 0);
    not_before = STARTED_MS;
}

static uint32_t be(const uint8_t *p, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8)
        return 0;
    uint8_t flags = data[0];
    int64_t window_ms = 1 + (int64_t)(be(data + 1, 2) % 60000);
    int64_t delta = (int64_t)(be(data + 3, 2) % (2 * window_ms + 1)) - window_ms;
    size_t pick = be(data + 5, 3);

    /* the fields: a copy, split at NUL; missing ones are empty */
    char *copy = malloc(size - 8 + 1);
    CHECK(copy != NULL);
    memcpy(copy, data + 8, size - 8);
    copy[size - 8] = '\0';
    request r;
    char *p = copy, *end = copy + (size - 8);
    for (int i = 0; i < FIELDS; i++) {
        r.field[i] = p;
        char *nul = memchr(p, 0, (size_t)(end - p));
        p = nul && nul < end ? nul + 1 : end;
    }
    r.body = p;
    r.body_len = (size_t)(end - p);
    char secret[] = "s";
    if (!r.field[2][0])
        r.field[2] = secret; /* a key always has a secret */

    check_as_given(&r, window_ms, flags & 1);
    check_signed(&r, window_ms, delta, pick, (unsigned char)(flags >> 1));
    check_outside(&r, window_ms, (flags >> 4) % 3, (int64_t)(flags >> 6) * 1000);
    free(copy);
    return 0;
}

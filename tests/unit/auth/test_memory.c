/*
 * Allocation failures, through a counting allocator installed with
 * nax_global_init(): when the k-th allocation fails, every auth function
 * that allocates returns NAX_ENOMEM, leaves its output as it was and leaks
 * nothing, for every k; verification paths allocate nothing at all.
 */
#include <stdio.h>

#include "auth/password.h"
#include "auth_test.h"

typedef struct counting {
    long live;     /* blocks allocated and not yet freed */
    long attempts; /* allocation attempts since the last reset */
    long fail_at;  /* the attempt that fails (1-based), 0 = never */
} counting;

static counting counters;

static int should_fail(void)
{
    counters.attempts++;
    return counters.fail_at != 0 && counters.attempts == counters.fail_at;
}

static void *count_malloc(size_t size, void *ud)
{
    (void)ud;
    if (should_fail())
        return NULL;
    void *p = malloc(size);
    if (p)
        counters.live++;
    return p;
}

static void *count_realloc(void *ptr, size_t size, void *ud)
{
    (void)ud;
    if (should_fail())
        return NULL;
    void *p = realloc(ptr, size);
    if (p && !ptr)
        counters.live++;
    return p;
}

static void count_free(void *ptr, void *ud)
{
    (void)ud;
    if (ptr)
        counters.live--;
    free(ptr);
}

static void reset(long fail_at)
{
    counters.live = 0;
    counters.attempts = 0;
    counters.fail_at = fail_at;
}

static void setup(void)
{
    nax_allocator a = {NAX_ALLOCATOR_VERSION, count_malloc, count_realloc, count_free, NULL};
    ck_assert_int_eq(nax_global_init(&a), 0);
    reset(0);
}

static void teardown(void)
{
    reset(0);
    nax_global_shutdown();
}

static unsigned char jwt_key[32];

/* One operation appending to `out`; returns its status. */
typedef int (*append_op)(nax_buf *out);

static int op_jwt_sign(nax_buf *out)
{
    nax__jwt_claims c;
    memset(&c, 0, sizeof c);
    strcpy(c.sub, "u_1");
    strcpy(c.iss, "naxd");
    c.iat = 1;
    c.exp = 2;
    return nax__jwt_sign(out, jwt_key, sizeof jwt_key, &c);
}

static int op_webhook_sign(nax_buf *out)
{
    return nax_webhook_sign(out, "whsec_Zm9vYmFy", "msg_1", 1767225600, "{}", 2);
}

static int op_base64(nax_buf *out)
{
    static const char text[] = "a longer input than the buffer's first block holds, to make it "
                               "grow more than once ..............................";
    return nax__base64_encode(out, text, strlen(text));
}

static int op_base32(nax_buf *out)
{
    return nax__base32_encode(out, "twenty bytes of key!", 20);
}

/* Longer than a buffer's first block leaves room for after it, so every
 * operation below has to grow the buffer. */
#define PREFIX "prefix: forty bytes already in the buf.."

/* Runs `op` on a buffer already holding PREFIX with the k-th allocation
 * failing, for k = 1, 2, ... until it succeeds. */
static void fail_each_allocation(append_op op, const char *name)
{
    nax_buf want = NAX_BUF_INIT;
    reset(0);
    ck_assert_int_eq(nax__buf_append_str(&want, PREFIX), 0);
    ck_assert_int_eq(op(&want), 0);
    long k;
    for (k = 1; k < 100; k++) {
        nax_buf b = NAX_BUF_INIT;
        reset(0);
        ck_assert_int_eq(nax__buf_append_str(&b, PREFIX), 0);
        counters.attempts = 0; /* count from here, keeping the prefix's block live */
        counters.fail_at = k;
        int rc = op(&b);
        if (rc == 0) {
            ck_assert_str_eq(b.data, want.data);
            nax_buf_dispose(&b);
            break;
        }
        ck_assert_msg(rc == NAX_ENOMEM, "%s, allocation %ld: %d", name, k, rc);
        ck_assert_int_eq(nax_error_last()->code, NAX_ENOMEM);
        ck_assert_str_eq(b.data, PREFIX);
        ck_assert_uint_eq(b.len, strlen(PREFIX));
        nax_buf_dispose(&b);
        ck_assert_msg(counters.live == 0, "%s, allocation %ld: %ld blocks leaked", name, k,
                      counters.live);
    }
    ck_assert_msg(k > 1, "%s never allocated", name);
    ck_assert_int_lt(k, 100);
    reset(0);
    nax_buf_dispose(&want);
}

START_TEST(appending_functions_fail_cleanly)
{
    fail_each_allocation(op_jwt_sign, "nax__jwt_sign");
    fail_each_allocation(op_webhook_sign, "nax_webhook_sign");
    fail_each_allocation(op_base64, "nax__base64_encode");
    fail_each_allocation(op_base32, "nax__base32_encode");
}
END_TEST

START_TEST(scrypt_hash_fails_cleanly)
{
    char out[128];
    long k;
    for (k = 1; k < 50; k++) {
        reset(k);
        int rc = naxd_password_hash_scrypt(out, sizeof out, "pw", 4, 8, 1);
        if (rc == 0)
            break;
        ck_assert_int_eq(rc, NAX_ENOMEM);
        ck_assert_str_eq(out, "");
        ck_assert_int_eq(counters.live, 0);
    }
    ck_assert_int_gt(k, 1);
    reset(0);
    ck_assert_int_eq(naxd_password_verify(out, "pw"), 0);
}
END_TEST

/* Checking what a client sends costs no heap allocation, so no allocation
 * failure can turn a refusal into something else. */
START_TEST(verification_allocates_nothing)
{
    nax_buf token = NAX_BUF_INIT, sig = NAX_BUF_INIT;
    ck_assert_int_eq(op_jwt_sign(&token), 0);
    ck_assert_int_eq(op_webhook_sign(&sig), 0);
    reset(1); /* the first allocation would fail */
    nax__jwt_claims c;
    nax__jwt_expect e = {"naxd", NULL, NULL, NULL, 1, 0};
    ck_assert_int_eq(nax__jwt_verify(&c, token.data, token.len, jwt_key, sizeof jwt_key, &e),
                     NAX__JWT_OK);
    const char *secrets[] = {"whsec_Zm9vYmFy"};
    ck_assert_int_eq(nax_webhook_verify(secrets, 1, "msg_1", "1767225600", sig.data, "{}", 2,
                                        1767225600, NAX_WEBHOOK_TOLERANCE_S),
                     0);
    char req[65];
    ck_assert_int_eq(nax_sign_request(req, "s", "1", "GET", "/v1/time", NULL, 0), 0);
    ck_assert_int_eq(nax__totp_verify("12345678901234567890", 20, "287082", 59, 0), 1);
    ck_assert_int_eq(counters.attempts, 0);
    reset(0);
    nax_buf_dispose(&token);
    nax_buf_dispose(&sig);
}
END_TEST

int main(void)
{
    for (size_t i = 0; i < sizeof jwt_key; i++)
        jwt_key[i] = (unsigned char)(i * 7);
    Suite *s = suite_create("auth_memory");
    TCase *tc = tcase_create("memory");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, appending_functions_fail_cleanly);
    tcase_add_test(tc, scrypt_hash_fails_cleanly);
    tcase_add_test(tc, verification_allocates_nothing);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

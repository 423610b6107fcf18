/* Shared helpers of the auth unit tests. */
#ifndef NAX_TEST_AUTH_TEST_H
#define NAX_TEST_AUTH_TEST_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/core.h"
#include "nax.h"

/* Lowercase hex of `len` bytes, in one of four rotating static buffers. */
static inline const char *hex_of(const void *data, size_t len)
{
    static char bufs[4][2 * 256 + 1];
    static int next;
    char *out = bufs[next++ % 4];
    ck_assert_uint_le(len, 256);
    nax__hex_encode(out, data, len);
    return out;
}

/* Runs `suite` (CK_FORK comes from the environment) and returns the exit status. */
static inline int run_suite(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* NAX_TEST_AUTH_TEST_H */

/* Check helpers shared by the client tests: results, errors, decimals, call counts. */
#ifndef NAX_TESTS_CLIENT_CLIENT_TEST_H
#define NAX_TESTS_CLIENT_CLIENT_TEST_H

#include <check.h>
#include <string.h>

#include "harness.h"

/* The call must return 0; the message shows nax_error_last() otherwise. */
#define OK(call)                                                                                   \
    do {                                                                                           \
        int ok_rc_ = (call);                                                                       \
        ck_assert_msg(ok_rc_ == 0, "%s failed: %d %s (HTTP %d, %s)", #call, ok_rc_,                \
                      nax_error_last()->message, nax_error_last()->http_status,                    \
                      nax_error_last()->server_code);                                              \
    } while (0)

/*
 * `rc` must be `code`, and nax_error_last() must carry the same code,
 * `http_status`, `server_code` and `field` (NULL: not checked; "" means
 * empty) and, whenever a response arrived (http_status != 0), a request id.
 */
void expect_error_at(int rc, int code, int http_status, const char *server_code, const char *field,
                     const char *file, int line);
#define EXPECT_ERROR(rc, code, status, server_code, field)                                         \
    expect_error_at((rc), (code), (status), (server_code), (field), __FILE__, __LINE__)

/* nax_error_last()->message contains `part`. */
#define EXPECT_MESSAGE_HAS(part)                                                                   \
    ck_assert_msg(strstr(nax_error_last()->message, (part)) != NULL,                               \
                  "message \"%s\" lacks \"%s\"", nax_error_last()->message, (part))

/* The decimal equals `text` numerically. */
void expect_dec_at(const nax_decimal *d, const char *text, const char *file, int line);
#define EXPECT_DEC(d, text) expect_dec_at((d), (text), __FILE__, __LINE__)

/* Counts what a client sent, through its metrics callback. */
typedef struct call_counter {
    const char *only;      /* "METHOD route" to count, e.g. "POST /v1/orders"; NULL: all */
    unsigned int calls;    /* finished calls */
    unsigned int attempts; /* requests sent over all calls */
    int last_result;
    char last_route[96];
} call_counter;
void call_counter_fn(const nax_call_info *info, void *userdata);

/* A client of `s` whose metrics go to `counter`. */
nax_client *counted_client(naxh_server *s, call_counter *counter, const char *api_key,
                           const char *api_secret);

/* A client of `s` that logs in as `u` by itself (email and password), metrics to `counter`. */
nax_client *counted_user_client(naxh_server *s, call_counter *counter, const naxh_user *u);

/* nax_global_init(NULL), failing the test when it fails. */
void client_test_global_init(void);

#endif /* NAX_TESTS_CLIENT_CLIENT_TEST_H */

/* Shared helpers of the transport unit tests. */
#ifndef NAX_TEST_TRANSPORT_TEST_H
#define NAX_TEST_TRANSPORT_TEST_H

#include <check.h>
#include <stddef.h>

#include "core/core.h"
#include "http/transport.h"
#include "mini_server.h"

/* Generous: a broken test fails instead of hanging, and no test measures time. */
#define TEST_TIMEOUT_MS 10000u

/* A transport to `url` with the given pool size and body limit (0: default);
 * fails the test when it cannot be made. */
nax__http *transport_at(const char *url, unsigned int max_connections, size_t max_body,
                        const char *file, int line);
#define TRANSPORT(url, max) transport_at((url), (max), 0, __FILE__, __LINE__)

/* One request with TEST_TIMEOUT_MS; returns nax__http_perform's result. */
int perform(nax__http *h, const char *method, const char *target, const char *const *headers,
            size_t headers_count, const char *body, nax__http_response *resp);
#define GET(h, target, resp) perform((h), "GET", (target), NULL, 0, NULL, (resp))

/* Asserts the server recorded request `i` and returns a copy (free with mini_request_free). */
mini_request recorded_at(mini_server *s, size_t i, const char *file, int line);
#define RECORDED(s, i) recorded_at((s), (i), __FILE__, __LINE__)

/* Starts the server, failing the test when it cannot. */
mini_server *server_at(const char *file, int line);
#define SERVER() server_at(__FILE__, __LINE__)

/* nax_global_init(NULL), runs the suite with Check, shuts down; the exit status. */
int run_suite(Suite *suite);

#endif /* NAX_TEST_TRANSPORT_TEST_H */

/* Shared helpers of the transport unit tests. */
#include "transport_test.h"

#include <string.h>

#include "nax.h"

nax__http *transport_at(const char *url, unsigned int max_connections, size_t max_body,
                        const char *file, int line)
{
    nax__http_config cfg = {0};
    cfg.base_url = url;
    cfg.connect_timeout_ms = TEST_TIMEOUT_MS;
    cfg.user_agent = "nax-transport-test/1";
    cfg.max_connections = max_connections;
    cfg.max_body = max_body;
    nax__http *h = NULL;
    int rc = nax__http_new(&h, &cfg);
    ck_assert_msg(rc == 0 && h != NULL, "%s:%d: nax__http_new failed: %s", file, line,
                  nax_error_last()->message);
    return h;
}

int perform(nax__http *h, const char *method, const char *target, const char *const *headers,
            size_t headers_count, const char *body, nax__http_response *resp)
{
    nax__http_request req = {
        method, target, headers, headers_count, body, body ? strlen(body) : 0, TEST_TIMEOUT_MS};
    return nax__http_perform(h, &req, resp);
}

mini_request recorded_at(mini_server *s, size_t i, const char *file, int line)
{
    mini_request r;
    ck_assert_msg(mini_request_at(s, i, &r) == 0, "%s:%d: the server recorded no request %zu", file,
                  line, i);
    return r;
}

mini_server *server_at(const char *file, int line)
{
    mini_server *s = mini_start();
    ck_assert_msg(s != NULL, "%s:%d: the mini server did not start", file, line);
    return s;
}

int run_suite(Suite *suite)
{
    if (nax_global_init(NULL) != 0)
        return 1;
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    nax_global_shutdown();
    return failed == 0 ? 0 : 1;
}

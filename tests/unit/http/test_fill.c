/* The request pipeline without lws: naxd__req_fill (what the socket path and
 * fuzz_request share), naxd__req_head (the framework's refusals and routing)
 * and naxd__req_dispatch, on detached requests whose replies are captured. */
#include <check.h>
#include <string.h>

#include "http/internal.h"
#include "http_test.h"

static naxd_http *h;
static test_server srv;

static struct {
    int calls;
    int status;
    char body[4096];
    char allow[64];
} got;

static void capture(naxd_req *r, const char *content_type, const void *body, size_t len, void *arg)
{
    (void)content_type;
    (void)arg;
    got.calls++;
    got.status = r->status;
    snprintf(got.body, sizeof(got.body), "%.*s", (int)len, body ? (const char *)body : "");
    got.allow[0] = '\0';
    for (naxd_header_out *o = r->out_headers; o; o = o->next)
        if (strcmp(o->name, "Allow:") == 0)
            snprintf(got.allow, sizeof(got.allow), "%s", o->value);
}

static void setup(void)
{
    naxd_http_options o = test_options(&srv);
    ck_assert_int_eq(naxd_http_new(&h, &o), 0);
    h->capture = capture;
    memset(&got, 0, sizeof(got));
}

static void teardown(void)
{
    naxd__graveyard_flush(h);
    ck_assert_int_eq((int)naxd_http_inflight(h), 0);
    ck_assert_ptr_null(h->reqs);
    naxd_http_free(h);
}

/* A head: method, target path, version; headers "name", "value" pairs. */
typedef struct head_spec {
    const char *method, *path, *version;
    const char *query[4];
    const char *headers[8][2];
} head_spec;

static naxd_req *request(const head_spec *s, int *fill_rc)
{
    naxd_req *r = naxd__req_new_detached(h, "192.0.2.1");
    ck_assert_ptr_nonnull(r);
    naxd__head in;
    memset(&in, 0, sizeof(in));
    in.method = s->method;
    in.version = s->version;
    in.path = s->path;
    in.path_len = strlen(s->path);
    char **q = naxd__arena_alloc(r, sizeof(char *) * 4);
    for (; in.nquery < 4 && s->query[in.nquery]; in.nquery++)
        q[in.nquery] = naxd__arena_strndup(r, s->query[in.nquery], strlen(s->query[in.nquery]));
    in.query = q;
    in.headers = naxd__arena_alloc(r, sizeof(naxd_kv) * 8);
    for (; in.nheaders < 8 && s->headers[in.nheaders][0]; in.nheaders++) {
        in.headers[in.nheaders].name = s->headers[in.nheaders][0];
        in.headers[in.nheaders].value = s->headers[in.nheaders][1];
    }
    *fill_rc = naxd__req_fill(r, &in);
    return r;
}

/* Through fill and head; dispatches when the request goes on (no body). */
static int send_head(const head_spec *s)
{
    int rc;
    naxd_req *r = request(s, &rc);
    int go = naxd__req_head(r, rc);
    ck_assert_int_ge(go, 0);
    if (go == 1)
        naxd__req_dispatch(r);
    ck_assert_int_eq(got.calls, 1);
    return got.status;
}

START_TEST(fill_reads_method_version_and_target)
{
    head_spec s = {"GET",
                   "/v1/a b/c",
                   "HTTP/1.1",
                   {"x=1 2", "", "flag", "e=a=b"},
                   {{"Connection", "close"}, {"X-Empty", ""}, {"User-Agent", "t"}}};
    int rc;
    naxd_req *r = request(&s, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(naxd_req_method(r), NAXD_GET);
    ck_assert_str_eq(naxd_req_method_name(r), "GET");
    ck_assert_str_eq(naxd_req_path(r), "/v1/a b/c");
    ck_assert_str_eq(naxd_req_target(r), "/v1/a%20b/c?x=1%202&&flag&e=a%3Db");
    ck_assert_str_eq(naxd_req_query(r, "x"), "1 2");
    ck_assert_str_eq(naxd_req_query(r, "flag"), "");
    ck_assert_str_eq(naxd_req_query(r, "e"), "a=b");
    ck_assert_ptr_null(naxd_req_header(r, "x-empty")); /* empty reads as absent */
    ck_assert_str_eq(naxd_req_header(r, "user-agent"), "t");
    ck_assert_int_eq(r->close_after, 1);
    ck_assert_int_eq(r->http10, 0);
    ck_assert_str_eq(naxd_req_peer(r), "192.0.2.1");
    naxd__req_conn_lost(r);
}
END_TEST

START_TEST(fill_knows_the_methods_lws_knows)
{
    static const struct {
        const char *name;
        naxd_method m;
        int head;
    } cases[] = {{"POST", NAXD_POST, 0},     {"PUT", NAXD_PUT, 0},    {"PATCH", NAXD_PATCH, 0},
                 {"DELETE", NAXD_DELETE, 0}, {"HEAD", NAXD_OTHER, 1}, {"OPTIONS", NAXD_OTHER, 0},
                 {"BREW", NAXD_OTHER, 0},    {NULL, NAXD_OTHER, 0},   {"get", NAXD_OTHER, 0}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        head_spec s = {cases[i].name, "/", "HTTP/1.1", {0}, {{0}}};
        int rc;
        naxd_req *r = request(&s, &rc);
        ck_assert_int_eq(rc, 0);
        ck_assert_int_eq(naxd_req_method(r), cases[i].m);
        ck_assert_int_eq(r->is_head, cases[i].head);
        naxd__req_conn_lost(r);
    }
}
END_TEST

START_TEST(http10_keeps_alive_only_when_asked)
{
    head_spec s = {"GET", "/", "HTTP/1.0", {0}, {{"connection", "Keep-Alive"}}};
    int rc;
    naxd_req *r = request(&s, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(r->http10, 1);
    ck_assert_int_eq(r->keep_alive10, 1);
    naxd__req_conn_lost(r);
}
END_TEST

START_TEST(request_ids_are_echoed_only_when_sane)
{
    head_spec ok = {"GET", "/", "HTTP/1.1", {0}, {{"X-Request-Id", "abc-123.XYZ_9"}}};
    int rc;
    naxd_req *r = request(&ok, &rc);
    ck_assert_str_eq(naxd_req_id(r), "abc-123.XYZ_9");
    naxd__req_conn_lost(r);
    static const char *const bad[] = {"has space", "tilde~", "x\"y"};
    for (size_t i = 0; i < 3; i++) {
        head_spec s = {"GET", "/", "HTTP/1.1", {0}, {{"x-request-id", bad[i]}}};
        r = request(&s, &rc);
        ck_assert_int_eq((int)strlen(naxd_req_id(r)), 20);
        ck_assert_int_eq(strncmp(naxd_req_id(r), "req_", 4), 0);
        naxd__req_conn_lost(r);
    }
}
END_TEST

START_TEST(fill_refuses_control_bytes_big_heads_and_cut_lines)
{
    head_spec ctl_path = {"GET", "/v1/a\tb", "HTTP/1.1", {0}, {{0}}};
    head_spec ctl_query = {"GET", "/v1/echo", "HTTP/1.1", {"a=\x7f"}, {{0}}};
    head_spec cut = {"GET", "/v1/echo", "", {0}, {{0}}};
    head_spec cut10 = {"GET", "/v1/echo", NULL, {0}, {{0}}};
    static char big[9000];
    memset(big, 'v', sizeof(big) - 1);
    head_spec huge = {"GET", "/v1/echo", "HTTP/1.1", {0}, {{"x-big", big}}};
    const head_spec *cases[] = {&ctl_path, &ctl_query, &cut, &cut10, &huge};
    const int want[] = {400, 400, 400, 400, 431};
    for (size_t i = 0; i < 5; i++) {
        int rc;
        naxd_req *r = request(cases[i], &rc);
        ck_assert_int_eq(rc, want[i]);
        naxd__req_conn_lost(r);
    }
}
END_TEST

START_TEST(head_answers_what_the_framework_refuses)
{
    static const struct {
        head_spec s;
        int status;
        const char *code;
    } cases[] = {
        {{"GET", "/v1/nope", "HTTP/1.1", {0}, {{0}}}, 404, "not_found"},
        {{"PATCH", "/v1/echo", "HTTP/1.1", {0}, {{"content-length", "0"}}},
         405,
         "method_not_allowed"},
        {{"POST", "/v1/echo", "HTTP/1.1", {0}, {{0}}}, 411, "length_required"},
        {{"POST", "/v1/echo", "HTTP/1.1", {0}, {{"transfer-encoding", "chunked"}}},
         411,
         "length_required"},
        {{"GET", "/v1/echo", "HTTP/1.1", {0}, {{"content-length", "12x"}}}, 400, "invalid_request"},
        {{"POST", "/v1/upload", "HTTP/1.1", {0}, {{"content-length", "1025"}}},
         413,
         "payload_too_large"},
        {{"GET", "/v1/a\x01", "HTTP/1.1", {0}, {{0}}}, 400, "invalid_request"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(&got, 0, sizeof(got));
        ck_assert_int_eq(send_head(&cases[i].s), cases[i].status);
        char code[64];
        snprintf(code, sizeof(code), "\"code\":\"%s\"", cases[i].code);
        ck_assert_msg(strstr(got.body, code) != NULL, "case %zu: %s", i, got.body);
        ck_assert_ptr_nonnull(strstr(got.body, "\"request_id\":\"req_"));
    }
    ck_assert_str_eq(got.allow, ""); /* Allow only on the 405 */
}
END_TEST

START_TEST(method_not_allowed_lists_the_methods)
{
    head_spec s = {"PATCH", "/v1/items/7", "HTTP/1.1", {0}, {{"content-length", "0"}}};
    ck_assert_int_eq(send_head(&s), 405);
    ck_assert_str_eq(got.allow, "GET, PUT, DELETE");
}
END_TEST

START_TEST(a_routed_request_reaches_its_handler)
{
    head_spec s = {"GET", "/v1/items/7/parts/x", "HTTP/1.1", {"a=1"}, {{"X-Request-Id", "r-1"}}};
    ck_assert_int_eq(send_head(&s), 200);
    ck_assert_ptr_nonnull(strstr(got.body, "route=GET /v1/items/{id}/parts/{part}\n"));
    ck_assert_ptr_nonnull(strstr(got.body, "p.id=7\n"));
    ck_assert_ptr_nonnull(strstr(got.body, "qa=1\n"));
    ck_assert_ptr_nonnull(strstr(got.body, "id=r-1\n"));
}
END_TEST

START_TEST(a_body_holds_the_budget_until_the_request_ends)
{
    head_spec s = {"POST", "/v1/echo", "HTTP/1.1", {0}, {{"content-length", "5"}}};
    int rc;
    naxd_req *r = request(&s, &rc);
    ck_assert_int_eq(naxd__req_head(r, rc), 1);
    ck_assert_uint_eq(h->body_bytes, 5);
    ck_assert_int_eq(nax__buf_append(&r->body, "hello", 5), 0);
    naxd__req_dispatch(r);
    ck_assert_int_eq(got.status, 200);
    ck_assert_ptr_nonnull(strstr(got.body, "body=hello\n"));
    naxd__graveyard_flush(h);
    ck_assert_uint_eq(h->body_bytes, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("http_fill");
    TCase *tc = tcase_create("fill");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, fill_reads_method_version_and_target);
    tcase_add_test(tc, fill_knows_the_methods_lws_knows);
    tcase_add_test(tc, http10_keeps_alive_only_when_asked);
    tcase_add_test(tc, request_ids_are_echoed_only_when_sane);
    tcase_add_test(tc, fill_refuses_control_bytes_big_heads_and_cut_lines);
    tcase_add_test(tc, head_answers_what_the_framework_refuses);
    tcase_add_test(tc, method_not_allowed_lists_the_methods);
    tcase_add_test(tc, a_routed_request_reaches_its_handler);
    tcase_add_test(tc, a_body_holds_the_budget_until_the_request_ends);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

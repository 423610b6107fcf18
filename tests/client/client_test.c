/* Check helpers shared by the client tests. */
#include "client_test.h"

#include <stdio.h>

void expect_error_at(int rc, int code, int http_status, const char *server_code, const char *field,
                     const char *file, int line)
{
    const nax_error *e = nax_error_last();
    ck_assert_msg(rc == code, "%s:%d: expected %d (%s), got %d: %s", file, line, code,
                  nax_strerror(code), rc, e->message);
    ck_assert_msg(e->code == code, "%s:%d: nax_error_last()->code %d, expected %d", file, line,
                  e->code, code);
    ck_assert_msg(e->http_status == http_status, "%s:%d: http_status %d, expected %d (%s)", file,
                  line, e->http_status, http_status, e->message);
    if (server_code)
        ck_assert_msg(!strcmp(e->server_code, server_code),
                      "%s:%d: server_code \"%s\", expected \"%s\" (%s)", file, line, e->server_code,
                      server_code, e->message);
    if (field)
        ck_assert_msg(!strcmp(e->field, field), "%s:%d: field \"%s\", expected \"%s\" (%s)", file,
                      line, e->field, field, e->message);
    if (http_status)
        ck_assert_msg(e->request_id[0] != 0, "%s:%d: no request id on an HTTP error", file, line);
    ck_assert_msg(e->message[0] != 0, "%s:%d: empty error message", file, line);
}

void expect_dec_at(const nax_decimal *d, const char *text, const char *file, int line)
{
    ck_assert_msg(d != NULL, "%s:%d: decimal absent, expected %s", file, line, text);
    nax_decimal want = naxh_dec(text);
    char got[NAX_DECIMAL_STRING_MAX];
    nax_decimal_format(got, sizeof got, d);
    ck_assert_msg(nax_decimal_cmp(d, &want) == 0, "%s:%d: decimal %s, expected %s", file, line, got,
                  text);
}

void call_counter_fn(const nax_call_info *info, void *userdata)
{
    call_counter *c = userdata;
    char route[96];
    snprintf(route, sizeof route, "%s %s", info->method, info->route);
    if (c->only && strcmp(c->only, route) != 0)
        return;
    c->calls++;
    c->attempts += info->attempts;
    c->last_result = info->result;
    snprintf(c->last_route, sizeof c->last_route, "%s", route);
}

nax_client *counted_client(naxh_server *s, call_counter *counter, const char *api_key,
                           const char *api_secret)
{
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    o.metrics_fn = call_counter_fn;
    o.metrics_userdata = counter;
    o.api_key = api_key;
    o.api_secret = api_secret;
    nax_client *c = NULL;
    OK(naxh_client(s, &o, &c));
    return c;
}

nax_client *counted_user_client(naxh_server *s, call_counter *counter, const naxh_user *u)
{
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    o.metrics_fn = call_counter_fn;
    o.metrics_userdata = counter;
    o.email = u->email;
    o.password = u->password;
    nax_client *c = NULL;
    OK(naxh_client(s, &o, &c));
    return c;
}

void client_test_global_init(void)
{
    OK(nax_global_init(NULL));
}

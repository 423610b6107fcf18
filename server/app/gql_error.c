/* GraphQL errors: the codes, filling one, and writing the response that
 * carries it (spec §7.1.2: message, locations, path, extensions). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app/gql_internal.h"
#include "core/core.h"

const char GQL_PARSE_FAILED[] = "GRAPHQL_PARSE_FAILED";
const char GQL_VALIDATION_FAILED[] = "GRAPHQL_VALIDATION_FAILED";
const char GQL_BAD_USER_INPUT[] = "BAD_USER_INPUT";

int gql_fail(gql_error *err, const char *code, gql_loc loc, const char *fmt, ...)
{
    memset(err, 0, sizeof(*err));
    err->code = code;
    err->loc = loc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return 1;
}

static int write_error(nax_buf *out, const gql_error *e)
{
    int rc = nax__buf_append_str(out, "{\"message\":");
    if (!rc)
        rc = nax__json_write_string(out, e->message, strlen(e->message));
    if (!rc && e->loc.line)
        rc = nax__buf_printf(out, ",\"locations\":[{\"line\":%u,\"column\":%u}]",
                             (unsigned)e->loc.line, (unsigned)e->loc.column);
    if (!rc && e->path_len) {
        rc = nax__buf_append_str(out, ",\"path\":[");
        for (size_t i = 0; !rc && i < e->path_len; i++) {
            if (i)
                rc = nax__buf_append(out, ",", 1);
            if (!rc)
                rc = nax__json_write_string(out, e->path[i], strlen(e->path[i]));
        }
        if (!rc)
            rc = nax__buf_append(out, "]", 1);
    }
    if (!rc)
        rc = nax__buf_append_str(out, ",\"extensions\":{\"code\":");
    if (!rc)
        rc = nax__json_write_string(out, e->code, strlen(e->code));
    if (!rc && e->field[0]) {
        rc = nax__buf_append_str(out, ",\"field\":");
        if (!rc)
            rc = nax__json_write_string(out, e->field, strlen(e->field));
    }
    if (!rc && e->reason) {
        rc = nax__buf_append_str(out, ",\"reason\":");
        if (!rc)
            rc = nax__json_write_string(out, e->reason, strlen(e->reason));
    }
    if (!rc && e->request_id) {
        rc = nax__buf_append_str(out, ",\"requestId\":");
        if (!rc)
            rc = nax__json_write_string(out, e->request_id, strlen(e->request_id));
    }
    return rc ? rc : nax__buf_append_str(out, "}}");
}

int gql_write_errors(nax_buf *out, const gql_error *err, int data_null)
{
    int rc = nax__buf_append_str(out, "{\"errors\":[");
    if (!rc)
        rc = write_error(out, err);
    if (!rc)
        rc = nax__buf_append_str(out, data_null ? "],\"data\":null}" : "]}");
    return rc;
}

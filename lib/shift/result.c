/*
 * Reading a GraphQL response (spec §7.1): `data` and `errors` kept as
 * compact JSON text, and the first error of a response without data mapped
 * to a nax error by its extensions.code, with the field it names (or the
 * error's path) and its message.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "shift/shift_internal.h"

int nax__shift_error_code(const char *code)
{
    static const struct {
        const char *name;
        int code;
    } map[] = {
        {"UNAUTHENTICATED", NAX_EAUTH},
        {"FORBIDDEN", NAX_EFORBIDDEN},
        {"BAD_USER_INPUT", NAX_EBADREQUEST},
        {"GRAPHQL_VALIDATION_FAILED", NAX_EBADREQUEST},
        {"GRAPHQL_PARSE_FAILED", NAX_EBADREQUEST},
        {"NOT_FOUND", NAX_ENOTFOUND},
        {"CONFLICT", NAX_ECONFLICT},
        {"RATE_LIMITED", NAX_ERATELIMIT},
        {"UNAVAILABLE", NAX_EUNAVAILABLE},
    };
    for (size_t i = 0; code && i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(code, map[i].name))
            return map[i].code;
    return NAX_ESERVER;
}

/* The error's path as "a.b.0.c" (truncated to size). */
static void path_text(const nax__jv *path, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; path && path->kind == NAX__JV_ARRAY && i < path->count; i++) {
        const nax__jv *seg = path->items[i];
        if (seg->kind != NAX__JV_STRING && seg->kind != NAX__JV_NUMBER)
            continue;
        int w = snprintf(out + n, size - n, "%s%s", n ? "." : "", seg->text);
        if (w < 0 || (size_t)w >= size - n)
            return;
        n += (size_t)w;
    }
}

/* Sets this thread's error from a GraphQL error object; returns its code. */
static int map_error(const nax__jv *e)
{
    const char *message = nax__jv_str(nax__jv_get(e, "message"));
    const nax__jv *ext = nax__jv_get(e, "extensions");
    const char *code = nax__jv_str(nax__jv_get(ext, "code"));
    const char *field = nax__jv_str(nax__jv_get(ext, "field"));
    char path[NAX__ERROR_SMALL_MAX];
    if (!field || !*field) {
        path_text(nax__jv_get(e, "path"), path, sizeof path);
        field = path;
    }
    int rc = nax__shift_error_code(code);
    nax__error_field(rc, *field ? field : NULL, "GraphQL: %s",
                     message && *message ? message : "the request failed");
    /* naxd names the request in extensions.requestId, as REST error bodies do. */
    const char *request_id = nax__jv_str(nax__jv_get(ext, "requestId"));
    nax__error_http(200, code, request_id, rc == NAX_EUNAVAILABLE || rc == NAX_ERATELIMIT);
    return rc;
}

static int not_graphql(const char *why)
{
    return nax__error(NAX_EJSON, "POST /graphql: the response is not a GraphQL response (%s)", why);
}

int nax__shift_read(const char *json, size_t len, nax_shift_result **out, nax__jv **tree)
{
    *out = NULL;
    if (tree)
        *tree = NULL;
    nax__jv *doc = NULL;
    int rc = nax__jv_parse(&doc, json ? json : "", json ? len : 0, 64);
    if (rc)
        return rc == NAX_ENOMEM ? rc : not_graphql(nax_error_last()->message);
    const nax__jv *data = nax__jv_get(doc, "data");
    const nax__jv *errors = nax__jv_get(doc, "errors");
    if (doc->kind != NAX__JV_OBJECT)
        rc = not_graphql("not an object");
    else if (errors && errors->kind != NAX__JV_ARRAY)
        rc = not_graphql("errors is not a list");
    else if (!data && (!errors || !errors->count))
        rc = not_graphql("neither data nor errors");
    nax_buf dtext = NAX_BUF_INIT, etext = NAX_BUF_INIT;
    if (!rc && data && data->kind != NAX__JV_NULL && nax__jv_write(&dtext, data) != 0)
        rc = nax__error_oom();
    if (!rc && errors && errors->count && nax__jv_write(&etext, errors) != 0)
        rc = nax__error_oom();
    nax_shift_result *r = NULL;
    if (!rc) {
        r = nax__calloc(1, sizeof(*r) + dtext.len + etext.len + 2);
        if (!r)
            rc = nax__error_oom();
    }
    if (!rc) {
        char *text = (char *)(r + 1);
        r->struct_size = sizeof(*r);
        if (dtext.len) {
            memcpy(text, dtext.data, dtext.len);
            r->data = text;
            text += dtext.len + 1;
        }
        if (etext.len) {
            memcpy(text, etext.data, etext.len);
            r->errors = text;
            r->errors_count = errors->count;
        }
        *out = r;
        /* Errors and no data: the request failed as a whole. */
        if (r->errors_count && !r->data)
            rc = map_error(errors->items[0]);
    }
    nax_buf_dispose(&dtext);
    nax_buf_dispose(&etext);
    if (tree && !rc)
        *tree = doc;
    else
        nax__jv_free(doc);
    return rc;
}

void nax_shift_result_free(nax_shift_result *result)
{
    nax__free(result);
}

/*
 * A GraphQL-over-HTTP request (POST, application/json): the body's query,
 * variables and operationName, then parse, validate and execute. A body
 * that is not such a request is an HTTP 400; everything GraphQL itself
 * reports (syntax, validation, variables, field errors) is a 200 response
 * carrying `errors`, as the spec asks of application/json responses.
 */
#include <stdio.h>
#include <string.h>

#include "app/gql_internal.h"
#include "core/core.h"

static int bad_request(gql_failure *why, const char *reason, const char *field, const char *msg)
{
    memset(why, 0, sizeof(*why));
    why->http_status = 400;
    why->reason = reason;
    snprintf(why->field, sizeof why->field, "%s", field ? field : "");
    snprintf(why->message, sizeof why->message, "%s", msg);
    return 1;
}

int gql_run(const char *body, size_t len, const gql_resolvers *r, nax_buf *out, gql_failure *why)
{
    memset(why, 0, sizeof(*why));
    if (!body || !len)
        return bad_request(why, "invalid_json", NULL, "a JSON body is required");
    nax__jv *req = NULL;
    int rc = nax__jv_parse(&req, body, len, 0);
    if (rc == NAX_ENOMEM)
        return rc;
    if (rc)
        return bad_request(why, "invalid_json", NULL, nax_error_last()->message);
    const nax__jv *query = nax__jv_get(req, "query");
    const nax__jv *variables = nax__jv_get(req, "variables");
    const nax__jv *name = nax__jv_get(req, "operationName");
    if (req->kind != NAX__JV_OBJECT)
        rc = bad_request(why, "invalid_request", NULL,
                         "the body must be a JSON object with a \"query\" string");
    else if (!query || query->kind != NAX__JV_STRING)
        rc = bad_request(why, "invalid_request", "query", "\"query\" must be a string");
    else if (variables && variables->kind != NAX__JV_OBJECT && variables->kind != NAX__JV_NULL)
        rc = bad_request(why, "invalid_request", "variables", "\"variables\" must be an object");
    else if (name && name->kind != NAX__JV_STRING && name->kind != NAX__JV_NULL)
        rc = bad_request(why, "invalid_request", "operationName",
                         "\"operationName\" must be a string");
    if (rc) {
        nax__jv_free(req);
        return rc;
    }
    gql_error err;
    gql_document *doc = NULL;
    const gql_operation *op = NULL;
    nax__jv *vars = NULL;
    rc = gql_parse(&doc, query->text, query->len, &err);
    if (!rc)
        rc = gql_validate(doc, nax__jv_str(name), variables, &op, &vars, &err);
    if (rc == 1) { /* a request error: no data at all */
        err.request_id = r->request_id;
        rc = gql_write_errors(out, &err, 0);
    } else if (!rc)
        rc = gql_execute(op, vars, r, out, why);
    nax__jv_free(vars);
    gql_document_free(doc);
    nax__jv_free(req);
    return rc;
}

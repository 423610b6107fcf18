/* The generic call: any GraphQL document with its variables. */
#include <string.h>

#include "core/core.h"
#include "shift/shift_internal.h"

/* A mutation (createOrder, in NA-X's schema) counts against the trading
 * breaker; anything else against funds. Looks at the first keyword only,
 * skipping what GraphQL ignores (spaces, commas, comments, a BOM). */
static nax_endpoint_group group_of(const char *doc)
{
    const char *p = doc;
    for (;;) {
        if (!strncmp(p, "\xEF\xBB\xBF", 3))
            p += 3;
        else if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ',')
            p++;
        else if (*p == '#')
            p += strcspn(p, "\r\n");
        else
            break;
    }
    int mutation = !strncmp(p, "mutation", 8) &&
                   !((p[8] >= 'A' && p[8] <= 'Z') || (p[8] >= 'a' && p[8] <= 'z') ||
                     (p[8] >= '0' && p[8] <= '9') || p[8] == '_');
    return mutation ? NAX_GROUP_TRADING : NAX_GROUP_FUNDS;
}

int nax_shift_query(nax_shift_client *sc, const char *document, const char *variables_json,
                    nax_shift_result **out)
{
    if (out)
        *out = NULL;
    if (!sc || !document)
        return nax__error(NAX_EINVAL, "nax_shift_query: %s is NULL", sc ? "document" : "client");
    nax__jv *vars = NULL;
    if (variables_json) {
        int rc = nax__jv_parse(&vars, variables_json, strlen(variables_json), 0);
        if (rc == NAX_ENOMEM)
            return rc;
        if (rc || vars->kind != NAX__JV_OBJECT) {
            nax__jv_free(vars);
            return nax__error_field(NAX_EJSON, "variables_json",
                                    "nax_shift_query: variables_json is not a JSON object%s%s",
                                    rc ? ": " : "", rc ? nax_error_last()->message : "");
        }
    }
    nax_buf body = NAX_BUF_INIT, response = NAX_BUF_INIT;
    int rc = nax__shift_body(&body, document, vars);
    nax__jv_free(vars);
    if (!rc)
        rc = nax__shift_post(sc, &body, group_of(document), NULL, NULL, NULL, &response);
    nax_shift_result *r = NULL;
    if (!rc)
        rc = nax__shift_read(response.data, response.len, &r, NULL);
    if (out)
        *out = r;
    else
        nax_shift_result_free(r);
    nax_buf_dispose(&body);
    nax_buf_dispose(&response);
    return rc;
}

/* Reading JS arguments and option objects. */
#include "addon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

napi_value nn_prop(napi_env env, napi_value obj, const char *name)
{
    napi_value v = NULL;
    napi_valuetype t = napi_undefined;
    if (!obj || napi_get_named_property(env, obj, name, &v) != napi_ok)
        return NULL;
    if (napi_typeof(env, v, &t) != napi_ok || t == napi_undefined || t == napi_null)
        return NULL;
    return v;
}

char *nn_bytes_dup(napi_env env, napi_value v, const char *what, size_t *len, int *bad)
{
    napi_valuetype t = napi_undefined;
    *len = 0;
    if (!v || napi_typeof(env, v, &t) != napi_ok || t == napi_undefined || t == napi_null)
        return NULL;
    char msg[160];
    if (t != napi_string) {
        snprintf(msg, sizeof msg, "%s must be a string", what);
        napi_throw_type_error(env, NULL, msg);
        *bad = 1;
        return NULL;
    }
    size_t n = 0;
    if (napi_get_value_string_utf8(env, v, NULL, 0, &n) != napi_ok) {
        *bad = 1;
        return NULL;
    }
    char *s = malloc(n + 1);
    if (!s) {
        napi_throw_error(env, NULL, "nax addon: out of memory");
        *bad = 1;
        return NULL;
    }
    napi_get_value_string_utf8(env, v, s, n + 1, len);
    return s;
}

char *nn_string_dup(napi_env env, napi_value v, const char *what, int *bad)
{
    size_t len = 0;
    char *s = nn_bytes_dup(env, v, what, &len, bad);
    if (s && strlen(s) != len) {
        /* C would read it only up to the NUL: another string than the caller's
         * (a webhook id "msg_1\0x" would verify as "msg_1"). */
        char msg[160];
        snprintf(msg, sizeof msg, "%s must not contain a NUL character", what);
        memset(s, 0, len); /* it may be a secret */
        free(s);
        napi_throw_type_error(env, NULL, msg);
        *bad = 1;
        return NULL;
    }
    return s;
}

char *nn_prop_string(napi_env env, napi_value obj, const char *name, int *bad)
{
    return nn_string_dup(env, nn_prop(env, obj, name), name, bad);
}

int64_t nn_prop_int(napi_env env, napi_value obj, const char *name, int *bad)
{
    napi_value v = nn_prop(env, obj, name);
    napi_valuetype t = napi_undefined;
    int64_t n = 0;
    if (!v)
        return 0;
    if (napi_typeof(env, v, &t) != napi_ok || t != napi_number ||
        napi_get_value_int64(env, v, &n) != napi_ok || n < 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s must be a non-negative integer", name);
        napi_throw_type_error(env, NULL, msg);
        *bad = 1;
        return 0;
    }
    return n;
}

int nn_prop_bool(napi_env env, napi_value obj, const char *name)
{
    napi_value v = nn_prop(env, obj, name);
    bool b = false;
    if (!v || napi_coerce_to_bool(env, v, &v) != napi_ok ||
        napi_get_value_bool(env, v, &b) != napi_ok)
        return 0;
    return b;
}

/*
 * Signing helpers (nax/auth.h), synchronous: they are pure and fast.
 * Secrets are wiped from the copies made here before they are freed.
 */
#include "addon.h"

#include <stdlib.h>
#include <string.h>

typedef struct bytes {
    const void *data;
    size_t len;
    char *owned; /* a string's UTF-8 copy */
} bytes;

/* A body given as a string, a Buffer or a Uint8Array. */
static int read_bytes(napi_env env, napi_value v, bytes *out)
{
    napi_valuetype t = napi_undefined;
    bool is = false;
    memset(out, 0, sizeof *out);
    if (!v || napi_typeof(env, v, &t) != napi_ok || t == napi_undefined || t == napi_null)
        return 0;
    if (t == napi_string) {
        int bad = 0;
        /* Its whole length: a NUL in it is part of what is signed. */
        out->owned = nn_bytes_dup(env, v, "body", &out->len, &bad);
        if (bad)
            return -1;
        out->data = out->owned;
        return 0;
    }
    if (napi_is_buffer(env, v, &is) == napi_ok && is) {
        void *data = NULL;
        napi_get_buffer_info(env, v, &data, &out->len);
        out->data = data;
        return 0;
    }
    if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
        napi_typedarray_type type;
        size_t length = 0, offset = 0;
        void *data = NULL;
        napi_value ab = NULL;
        napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &offset);
        if (type == napi_uint8_array || type == napi_int8_array ||
            type == napi_uint8_clamped_array) {
            out->data = data;
            out->len = length;
            return 0;
        }
    }
    napi_throw_type_error(env, NULL, "body must be a string, a Buffer or a Uint8Array");
    return -1;
}

static void wipe_free(char *s)
{
    if (s)
        memset(s, 0, strlen(s));
    free(s);
}

static int64_t int_arg(napi_env env, napi_value v)
{
    int64_t n = 0;
    if (v)
        napi_get_value_int64(env, v, &n);
    return n;
}

/* webhookSign(secret, id, timestamp, body) -> "v1,<base64>" */
napi_value nn_webhook_sign(napi_env env, napi_callback_info info)
{
    size_t argc = 4;
    napi_value argv[4] = {NULL, NULL, NULL, NULL}, out = NULL;
    NN_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
    int bad = 0;
    bytes body;
    char *secret = nn_string_dup(env, argv[0], "secret", &bad);
    char *id = bad ? NULL : nn_string_dup(env, argv[1], "id", &bad);
    if (!bad && read_bytes(env, argv[3], &body) != 0)
        bad = 1;
    if (bad) {
        wipe_free(secret);
        free(id);
        return NULL;
    }
    nax_buf buf = NAX_BUF_INIT;
    int rc = nax_webhook_sign(&buf, secret, id, int_arg(env, argv[2]), body.data, body.len);
    wipe_free(secret);
    free(id);
    free(body.owned);
    if (rc != 0) {
        nax_buf_dispose(&buf);
        return nn_throw_last(env, rc);
    }
    napi_create_string_utf8(env, buf.data, buf.len, &out);
    nax_buf_dispose(&buf);
    return out;
}

/* webhookVerify(secrets[], id, timestamp, signatures, body, now, tolerance)
 * -> true, or throws the NaxError naming the reason. */
napi_value nn_webhook_verify(napi_env env, napi_callback_info info)
{
    size_t argc = 7;
    napi_value argv[7] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL}, out = NULL;
    NN_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
    bool is_array = false;
    uint32_t n = 0;
    if (napi_is_array(env, argv[0], &is_array) != napi_ok || !is_array) {
        napi_throw_type_error(env, NULL, "secrets must be an array of strings");
        return NULL;
    }
    napi_get_array_length(env, argv[0], &n);
    char **secrets = calloc(n ? n : 1, sizeof *secrets);
    if (!secrets) {
        napi_throw_error(env, NULL, "nax addon: out of memory");
        return NULL;
    }
    int bad = 0;
    for (uint32_t i = 0; i < n && !bad; i++) {
        napi_value v = NULL;
        napi_get_element(env, argv[0], i, &v);
        secrets[i] = nn_string_dup(env, v, "secrets[]", &bad);
        if (!bad && !secrets[i]) {
            napi_throw_type_error(env, NULL, "secrets must be an array of strings");
            bad = 1;
        }
    }
    bytes body = {NULL, 0, NULL};
    char *id = bad ? NULL : nn_string_dup(env, argv[1], "id", &bad);
    char *ts = bad ? NULL : nn_string_dup(env, argv[2], "timestamp", &bad);
    char *sig = bad ? NULL : nn_string_dup(env, argv[3], "signature", &bad);
    if (!bad && read_bytes(env, argv[4], &body) != 0)
        bad = 1;
    int rc = 0;
    if (!bad)
        rc = nax_webhook_verify((const char *const *)secrets, n, id ? id : "", ts ? ts : "",
                                sig ? sig : "", body.data, body.len, int_arg(env, argv[5]),
                                int_arg(env, argv[6]));
    for (uint32_t i = 0; i < n; i++)
        wipe_free(secrets[i]);
    free(secrets);
    free(id);
    free(ts);
    free(sig);
    free(body.owned);
    if (bad)
        return NULL;
    if (rc != 0)
        return nn_throw_last(env, rc);
    napi_get_boolean(env, true, &out);
    return out;
}

/* signRequest(secret, timestamp, method, target, body) -> 64 hex digits */
napi_value nn_sign_request(napi_env env, napi_callback_info info)
{
    size_t argc = 5;
    napi_value argv[5] = {NULL, NULL, NULL, NULL, NULL}, out = NULL;
    NN_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
    int bad = 0;
    bytes body = {NULL, 0, NULL};
    char *secret = nn_string_dup(env, argv[0], "secret", &bad);
    char *ts = bad ? NULL : nn_string_dup(env, argv[1], "timestamp", &bad);
    char *method = bad ? NULL : nn_string_dup(env, argv[2], "method", &bad);
    char *target = bad ? NULL : nn_string_dup(env, argv[3], "target", &bad);
    if (!bad && read_bytes(env, argv[4], &body) != 0)
        bad = 1;
    char hex[65] = "";
    int rc = bad ? 0
                 : nax_sign_request(hex, secret ? secret : "", ts ? ts : "", method ? method : "",
                                    target ? target : "", body.data, body.len);
    wipe_free(secret);
    free(ts);
    free(method);
    free(target);
    free(body.owned);
    if (bad)
        return NULL;
    if (rc != 0)
        return nn_throw_last(env, rc);
    napi_create_string_utf8(env, hex, 64, &out);
    return out;
}

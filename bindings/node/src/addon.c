/*
 * Module entry: per-environment state, errors as NaxError objects, and the
 * teardown that frees what JS left open when the environment ends.
 */
#include "addon.h"

#include <stdlib.h>
#include <string.h>

nn_env *nn_env_get(napi_env env)
{
    nn_env *ne = NULL;
    if (napi_get_instance_data(env, (void **)&ne) != napi_ok)
        return NULL;
    return ne;
}

napi_value nn_undefined(napi_env env)
{
    napi_value u = NULL;
    napi_get_undefined(env, &u);
    return u;
}

void nn_throw_napi(napi_env env, const char *what)
{
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending)
        return;
    const napi_extended_error_info *info = NULL;
    napi_get_last_error_info(env, &info);
    char msg[256];
    snprintf(msg, sizeof msg, "nax addon: %s failed (%s)", what,
             info && info->error_message ? info->error_message : "napi error");
    napi_throw_error(env, NULL, msg);
}

/* ---- errors */

void nn_error_capture(nn_error *e, int rc)
{
    const nax_error *le = nax_error_last();
    e->code = le->code ? le->code : rc;
    e->http_status = le->http_status;
    e->transient = le->transient;
    e->retry_after_ms = le->retry_after_ms;
    const char *parts[4] = {le->message, le->server_code, le->field, le->request_id};
    size_t total = 0;
    for (int i = 0; i < 4; i++)
        total += strlen(parts[i] ? parts[i] : "") + 1;
    e->text = malloc(total);
    if (!e->text)
        return; /* the code alone still says what happened */
    char *p = e->text;
    for (int i = 0; i < 4; i++) {
        size_t n = strlen(parts[i] ? parts[i] : "");
        memcpy(p, parts[i] ? parts[i] : "", n);
        p[n] = '\0';
        p += n + 1;
    }
}

void nn_error_dispose(nn_error *e)
{
    free(e->text);
    e->text = NULL;
}

static napi_value str_or_empty(napi_env env, const char *s)
{
    napi_value v = NULL;
    napi_create_string_utf8(env, s ? s : "", NAPI_AUTO_LENGTH, &v);
    return v;
}

napi_value nn_error_value(napi_env env, const nn_error *e)
{
    nn_env *ne = nn_env_get(env);
    const char *parts[4] = {"", "", "", ""};
    if (e->text) {
        const char *p = e->text;
        for (int i = 0; i < 4; i++) {
            parts[i] = p;
            p += strlen(p) + 1;
        }
    }
    if (!parts[0][0])
        parts[0] = nax_strerror(e->code);
    napi_value factory = NULL, argv[8], result = NULL;
    napi_create_int32(env, e->code, &argv[0]);
    argv[1] = str_or_empty(env, parts[0]);
    napi_create_int32(env, e->http_status, &argv[2]);
    argv[3] = str_or_empty(env, parts[1]);
    argv[4] = str_or_empty(env, parts[2]);
    argv[5] = str_or_empty(env, parts[3]);
    napi_get_boolean(env, e->transient != 0, &argv[6]);
    napi_create_int64(env, e->retry_after_ms, &argv[7]);
    if (ne && ne->make_error &&
        napi_get_reference_value(env, ne->make_error, &factory) == napi_ok && factory &&
        napi_call_function(env, nn_undefined(env), factory, 8, argv, &result) == napi_ok)
        return result;
    /* No factory (setup() not called): a plain Error still carries the message. */
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
        napi_get_and_clear_last_exception(env, &result);
        return result;
    }
    napi_create_error(env, NULL, argv[1], &result);
    return result;
}

napi_value nn_throw_last(napi_env env, int rc)
{
    nn_error e = {0};
    nn_error_capture(&e, rc);
    napi_value err = nn_error_value(env, &e);
    nn_error_dispose(&e);
    if (err)
        napi_throw(env, err);
    return NULL;
}

napi_value nn_json_parse(napi_env env, const char *text, size_t len)
{
    nn_env *ne = nn_env_get(env);
    napi_value parse = NULL, arg = NULL, out = NULL;
    if (!ne || napi_get_reference_value(env, ne->json_parse, &parse) != napi_ok || !parse) {
        napi_throw_error(env, NULL, "nax addon: setup() was not called");
        return NULL;
    }
    if (napi_create_string_utf8(env, text, len, &arg) != napi_ok)
        return NULL;
    if (napi_call_function(env, nn_undefined(env), parse, 1, &arg, &out) != napi_ok)
        return NULL;
    return out;
}

/* ---- setup(makeError, JSON.parse) */

static napi_value setup(napi_env env, napi_callback_info info)
{
    size_t argc = 2;
    napi_value argv[2];
    NN_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
    nn_env *ne = nn_env_get(env);
    if (argc < 2 || !ne) {
        napi_throw_type_error(env, NULL, "setup(makeError, parse)");
        return NULL;
    }
    if (ne->make_error)
        napi_delete_reference(env, ne->make_error);
    if (ne->json_parse)
        napi_delete_reference(env, ne->json_parse);
    NN_CHECK(env, napi_create_reference(env, argv[0], 1, &ne->make_error));
    NN_CHECK(env, napi_create_reference(env, argv[1], 1, &ne->json_parse));
    return NULL;
}

static napi_value version(napi_env env, napi_callback_info info)
{
    (void)info;
    napi_value v = NULL;
    napi_create_string_utf8(env, nax_version_string(), NAPI_AUTO_LENGTH, &v);
    return v;
}

/* ---- teardown */

/* Runs when the environment ends (process exit, worker exit), after each
 * stream's own hook (hooks run in reverse order of registration). */
static void env_cleanup(void *arg)
{
    nn_env *ne = arg;
    nn_clients_teardown(ne);
    if (ne->global_ok && !ne->clients) {
        nax_global_shutdown();
        ne->global_ok = 0;
    }
}

static void env_finalize(napi_env env, void *data, void *hint)
{
    (void)env;
    (void)hint;
    free(data);
}

#define FN(name, cb)                                                                               \
    {                                                                                              \
        name, NULL, cb, NULL, NULL, NULL, napi_default, NULL                                       \
    }

static napi_value init(napi_env env, napi_value exports)
{
    nn_env *ne = calloc(1, sizeof *ne);
    if (!ne) {
        napi_throw_error(env, NULL, "nax addon: out of memory");
        return NULL;
    }
    if (napi_set_instance_data(env, ne, env_finalize, NULL) != napi_ok) {
        free(ne);
        nn_throw_napi(env, "napi_set_instance_data");
        return NULL;
    }
    if (nax_global_init(NULL) != 0)
        return nn_throw_last(env, NAX_ERROR);
    ne->global_ok = 1;
    NN_CHECK(env, napi_add_env_cleanup_hook(env, env_cleanup, ne));

    napi_property_descriptor props[] = {
        FN("setup", setup),
        FN("version", version),
        FN("clientNew", nn_client_new),
        FN("clientClose", nn_client_close),
        FN("clientClockOffset", nn_client_clock_offset),
        FN("clientSetSession", nn_client_set_session),
        FN("clientBreaker", nn_client_breaker),
        FN("call", nn_call),
        FN("streamNew", nn_stream_new),
        FN("streamSubscribe", nn_stream_subscribe),
        FN("streamUnsubscribe", nn_stream_unsubscribe),
        FN("streamClose", nn_stream_close),
        FN("streamState", nn_stream_state),
        FN("streamStats", nn_stream_stats),
        FN("streamBookTop", nn_stream_book_top),
        FN("streamBookCopy", nn_stream_book_copy),
        FN("streamRef", nn_stream_ref),
        FN("webhookSign", nn_webhook_sign),
        FN("webhookVerify", nn_webhook_verify),
        FN("signRequest", nn_sign_request),
    };
    NN_CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
    return exports;
}

NAPI_MODULE_INIT()
{
    return init(env, exports);
}

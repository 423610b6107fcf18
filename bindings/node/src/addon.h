/*
 * The N-API addon behind the `nax` Node package: a thin layer over libnax.
 *
 * The JS side builds request objects and hands them over as JSON text; a
 * thread of the addon's pool (pool.c) decodes them with nax_decode(), calls the
 * typed libnax function and encodes the result with nax_encode(); the main
 * thread turns that text into objects with JSON.parse. So no struct field is
 * converted by hand, and money stays a decimal string all the way.
 *
 * Everything here runs on the main JS thread unless a comment says otherwise.
 */
#ifndef NAX_NODE_ADDON_H
#define NAX_NODE_ADDON_H

#include <nax.h>
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct nn_client nn_client;
typedef struct nn_stream nn_stream;
typedef struct nn_pool nn_pool;

/* Per-environment state (napi instance data): a worker thread has its own. */
typedef struct nn_env {
    napi_ref json_parse; /* JSON.parse */
    napi_ref make_error; /* JS factory: (code, message, http, server, field, request, transient,
                            retry_after_ms) -> a NaxError subclass */
    nn_client *clients;  /* every client of this environment, for teardown */
    nn_pool *pool;       /* the threads calls run on, made by the first call */
    int global_ok;       /* nax_global_init() succeeded for this environment */
} nn_env;

/* A copy of nax_error_last(), taken on the thread that failed. */
typedef struct nn_error {
    int code;
    int http_status;
    int transient;
    int64_t retry_after_ms;
    char *text; /* message, server code, field, request id: four strings in one block */
} nn_error;

/* ---- addon.c */
nn_env *nn_env_get(napi_env env);
/* Copy this thread's last error (call right where libnax failed). */
void nn_error_capture(nn_error *e, int rc);
void nn_error_dispose(nn_error *e);
/* A NaxError object for a captured error. */
napi_value nn_error_value(napi_env env, const nn_error *e);
/* Throw this thread's last libnax error as a NaxError; returns NULL for napi callbacks. */
napi_value nn_throw_last(napi_env env, int rc);
/* JSON.parse(text); NULL with an exception pending when it throws. */
napi_value nn_json_parse(napi_env env, const char *text, size_t len);

/* ---- args.c: reading JS arguments */
/* A JS string as a new NUL-terminated copy (free()), NULL for undefined/null.
 * Sets *bad when the value is neither, or when it contains a NUL, which C
 * would take for its end (a TypeError is then pending). */
char *nn_string_dup(napi_env env, napi_value v, const char *what, int *bad);
/* As nn_string_dup() for a string that carries bytes (a body): NULs allowed,
 * *len is its UTF-8 length, the one to use (never strlen()). */
char *nn_bytes_dup(napi_env env, napi_value v, const char *what, size_t *len, int *bad);
/* A named property as a string copy, as nn_string_dup(). */
char *nn_prop_string(napi_env env, napi_value obj, const char *name, int *bad);
/* A named property as a non-negative integer; 0 when absent. */
int64_t nn_prop_int(napi_env env, napi_value obj, const char *name, int *bad);
/* Whether a named property is truthy. */
int nn_prop_bool(napi_env env, napi_value obj, const char *name);
/* A named property's value, or NULL when it is undefined or null. */
napi_value nn_prop(napi_env env, napi_value obj, const char *name);
napi_value nn_undefined(napi_env env);

/* ---- client.c */
napi_value nn_client_new(napi_env env, napi_callback_info info);
napi_value nn_client_close(napi_env env, napi_callback_info info);
napi_value nn_client_clock_offset(napi_env env, napi_callback_info info);
napi_value nn_client_set_session(napi_env env, napi_callback_info info);
napi_value nn_client_breaker(napi_env env, napi_callback_info info);
/* The client behind a handle; throws and returns NULL when it is closed. */
nn_client *nn_client_from(napi_env env, napi_value handle);
nax_client *nn_client_raw(nn_client *c);
/* A stream borrows a client: it stays allocated until every borrower let go. */
void nn_client_hold(nn_client *c);
void nn_client_release(nn_client *c);
/* Teardown of the environment: free what no call is using. */
void nn_clients_teardown(nn_env *ne);

/* ---- pool.c: the threads REST calls run on */
typedef struct nn_job nn_job;
struct nn_job {
    nn_job *next;
    void (*execute)(nn_job *job);                /* on a pool thread: the blocking part */
    void (*complete)(napi_env env, nn_job *job); /* back on the main thread; frees the job */
    void (*discard)(nn_job *job);                /* instead of complete when the environment
                                                    ends first (any thread; no napi) */
};
/* Queue a job; 0, or -1 when no thread could take it (nothing is pending then). */
int nn_pool_submit(napi_env env, nn_job *job);

/* ---- call.c */
napi_value nn_call(napi_env env, napi_callback_info info);
/* Calls in flight hold their client (client.c counts them). */
void nn_client_call_begin(nn_client *c);
void nn_client_call_end(napi_env env, nn_client *c);

/* ---- stream.c */
napi_value nn_stream_new(napi_env env, napi_callback_info info);
napi_value nn_stream_subscribe(napi_env env, napi_callback_info info);
napi_value nn_stream_unsubscribe(napi_env env, napi_callback_info info);
napi_value nn_stream_close(napi_env env, napi_callback_info info);
napi_value nn_stream_state(napi_env env, napi_callback_info info);
napi_value nn_stream_stats(napi_env env, napi_callback_info info);
napi_value nn_stream_book_top(napi_env env, napi_callback_info info);
napi_value nn_stream_book_copy(napi_env env, napi_callback_info info);
napi_value nn_stream_ref(napi_env env, napi_callback_info info);

/* ---- sign.c */
napi_value nn_webhook_sign(napi_env env, napi_callback_info info);
napi_value nn_webhook_verify(napi_env env, napi_callback_info info);
napi_value nn_sign_request(napi_env env, napi_callback_info info);

/* Return NULL from a napi callback when a napi call failed (an exception is
 * then usually pending; if not, throw a generic one). */
#define NN_CHECK(env, call)                                                                        \
    do {                                                                                           \
        if ((call) != napi_ok) {                                                                   \
            nn_throw_napi(env, #call);                                                             \
            return NULL;                                                                           \
        }                                                                                          \
    } while (0)

void nn_throw_napi(napi_env env, const char *what);

#endif /* NAX_NODE_ADDON_H */

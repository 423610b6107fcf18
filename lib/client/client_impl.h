/*
 * The client object itself, shared by the files of lib/client only.
 * Locks: each has one job and none is held across network I/O, except
 * that a thread doing the single-flight refresh holds the `refreshing`
 * flag (not the lock) while it talks to the server.
 */
#ifndef NAX_CLIENT_CLIENT_IMPL_H
#define NAX_CLIENT_CLIENT_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include "client/client.h"

typedef struct nax__session {
    pthread_mutex_t lock;
    pthread_cond_t done; /* signalled when a refresh finishes */
    char *access_token;  /* NULL: no session */
    char *refresh_token;
    uint64_t refresh_at;         /* monotonic ms when to refresh ahead of expiry; 0: never */
    uint64_t expires_at;         /* monotonic ms when the access token expires; 0: unknown */
    uint64_t generation;         /* bumped by every new session */
    int refreshing;              /* a thread is refreshing or logging in */
    int last_result;             /* that refresh's outcome, for the threads that waited */
    char *last_token_json;       /* that refresh's token, for waiters that want it */
    nax__error_state last_error; /* that refresh's error, for the threads that waited */
} nax__session;

struct nax_client {
    /* options, owned copies */
    char *base_url;
    char *api_key, *api_secret;
    char *email, *password;
    unsigned char totp_key[64];
    size_t totp_key_len;
    uint32_t recv_window_ms, connect_timeout_ms, request_timeout_ms, deadline_ms;
    nax_retry_policy retry;
    nax_breaker_policy breaker_policy;
    nax_limiter_policy limiter_policy;
    nax_log_fn log_fn;
    nax_log_level log_level;
    void *log_userdata;
    nax_metrics_fn metrics_fn;
    void *metrics_userdata;
    nax_breaker_fn breaker_fn;
    void *breaker_userdata;
    nax_client_hooks hooks;
    int tls_insecure; /* kept for the stream, which has its own TLS */
    char *ca_path;

    nax__http *http;
    nax__retry_budget budget;
    nax__breaker breakers[NAX_GROUP_COUNT];
    nax__limiter limiters[NAX_GROUP_COUNT];
    nax__session session;

    /* clock offset: server minus local, ms */
    atomic_llong offset_ms;
    atomic_int clock_synced;
    atomic_ullong clock_retry_at; /* monotonic ms: no new measurement before this */
    atomic_llong last_sign_ts;    /* signatures never share a timestamp (see call.c) */

    /* market rules cache */
    pthread_mutex_t markets_lock;
    nax_market_list *markets;
    uint64_t markets_fetched; /* monotonic ms */

    unsigned int inits; /* how many resources above need disposing (see free) */
};

/* Hooks (client.c). */
void nax__client_sleep(nax_client *c, uint64_t ms);
uint64_t nax__client_random(nax_client *c);

/* The re-entry guard around user callbacks (call.c). */
void nax__client_user_call_begin(const nax_client *c, const nax_client **outer);
void nax__client_user_call_end(const nax_client *outer);

/* Options (options.c). */
int nax__client_options_check(const nax_client_options *o);
int nax__client_options_copy(nax_client *c, const nax_client_options *o);

/* Clock offset (clock.c). */
void nax__clock_observe_date(nax_client *c, int64_t date_ms, int64_t local_recv_ms);
int64_t nax__clock_server_now(nax_client *c);
int nax__clock_ensure(nax_client *c); /* measure once before the first signed request */

/* Session (session.c). */
int nax__session_init(nax__session *s);
void nax__session_dispose(nax__session *s);
/* Fill `header` ("Authorization: Bearer ...") when there is a session,
 * refreshing it first when it is about to expire or logging in when the
 * client holds a password. Returns 0 with header[0] == 0 when the client
 * has no session (the caller then signs or sends nothing). */
int nax__session_header(nax_client *c, nax_buf *header, uint64_t *generation);
/* After a 401 "token_expired" on a request sent with session `generation`:
 * refresh unless another thread already replaced that session. */
int nax__session_renew_after(nax_client *c, uint64_t generation);
int nax__session_has_login(const nax_client *c);

#endif /* NAX_CLIENT_CLIENT_IMPL_H */

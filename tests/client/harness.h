/*
 * The C test harness for libnax against a real naxd: start and stop the
 * server (on 127.0.0.1, an ephemeral port, a fresh data folder, fault
 * injection on), talk to its operator routes, script faults, make users,
 * API keys, KYC and money. Reused by every client test.
 *
 * naxd comes from the NAXD_BIN environment variable (CMake sets it). Call
 * nax_global_init() before naxh_client() and the user helpers. A server a
 * test forgot to stop (or could not, having failed) is killed at exit and
 * its folder removed; set NAXH_KEEP=1 to keep folders for a post-mortem.
 * naxd also dies with the thread that started it (PR_SET_PDEATHSIG), so
 * start servers from a thread that outlives them (e.g. the main thread).
 */
#ifndef NAX_TESTS_CLIENT_HARNESS_H
#define NAX_TESTS_CLIENT_HARNESS_H

#include <stdint.h>
#include <sys/types.h>

#include "nax.h"

typedef struct naxh_server {
    pid_t pid;                /* 0 when not running */
    int port;                 /* kept across restarts */
    char url[64];             /* "http://127.0.0.1:<port>" */
    char dir[256];            /* temp folder: data/, config.json, stdout.log, stderr.log */
    char operator_token[80];  /* Bearer for /admin/... */
    char payments_secret[80]; /* webhook secrets, "whsec_..." */
    char custody_secret[80];
    char kyc_secret[80];
    char jwt_secret[80]; /* NAXD_JWT_SECRET */
    int64_t started_ms;  /* from the listening line: signatures before it are refused */
    int exit_status;     /* of the last naxh_stop/naxh_restart: 0 when clean (exit 0,
                            no sanitizer report), else non-zero */
    char tls_cert[256];  /* set by naxh_start_tls: naxd serves HTTPS with these */
    char tls_key[256];
} naxh_server;

/*
 * Start naxd with the default test configuration (cheap test KDF, fresh
 * secrets, high rate limits; as tests/integ/naxlib.py default_config) with
 * `config_overrides_json` (a JSON object, may be NULL) merged in at the top
 * level: each of its members replaces the default one. Returns 0 once naxd
 * listens; -1 (with a message on stderr) otherwise.
 */
int naxh_start(naxh_server *s, const char *config_overrides_json);
/* As naxh_start, serving HTTPS with a PEM certificate and key (url is https://).
 * The raw helpers (naxh_http, naxh_admin, ...) do not speak TLS. */
int naxh_start_tls(naxh_server *s, const char *config_overrides_json, const char *cert_pem,
                   const char *key_pem);
/* Stop (SIGTERM) if running, then start again on the same port and data. */
int naxh_restart(naxh_server *s);
/* Send `sig` (e.g. SIGKILL, a crash) and reap; the data folder stays. */
void naxh_kill(naxh_server *s, int sig);
/* SIGTERM and wait (SIGKILL after 20 s), check the exit and stderr for
 * sanitizer reports (s->exit_status), remove the folder. Safe to call twice. */
void naxh_stop(naxh_server *s);

/* Raw HTTP (libcurl, no libnax): `headers` are "Name: value" lines. */
int naxh_http(naxh_server *s, const char *method, const char *path, const char *const *headers,
              size_t headers_count, const char *body, int *status, nax_buf *body_out);
/* An operator request (Bearer operator token, JSON body or NULL). */
int naxh_admin(naxh_server *s, const char *method, const char *path, const char *json, int *status,
               nax_buf *body_out);
/* POST /admin/faults with `json`; 0 when accepted. */
int naxh_fault(naxh_server *s, const char *json);
/* DELETE /admin/faults; 0 when done. */
int naxh_faults_clear(naxh_server *s);
/* POST /admin/stream-faults with `json` (market stream faults: drop_updates,
 * corrupt_checksums, stall_ms, close_all, pair); 0 when accepted. */
int naxh_stream_fault(naxh_server *s, const char *json);
/* Sum of the /metrics samples whose name and labels start with `prefix`
 * (e.g. `naxd_http_requests_total{route="POST /v1/orders"`); -1 on failure. */
int64_t naxh_metric_sum(naxh_server *s, const char *prefix);

/* `access_token` re-signed with this server's JWT key as expired two minutes
 * ago (beyond naxd's leeway), same user and session: naxd answers it 401
 * token_expired. Writes at most `size` bytes to `out`; 0 or -1. */
int naxh_expired_token(naxh_server *s, const char *access_token, char *out, size_t size);

/* A client for this server: `opts` (may be NULL) copied with base_url set. */
int naxh_client(naxh_server *s, const nax_client_options *opts, nax_client **out);

typedef struct naxh_user {
    char email[128], password[64], id[32];
    char api_key[64], api_secret[128]; /* after naxh_user_api_key */
    int kyc_verified;
    nax_client *client; /* logged in with email and password: a session */
} naxh_user;

/* Register a fresh user (unique email) and log its client in. */
int naxh_user_new(naxh_server *s, naxh_user *u);
/* Create an API key with `scopes` (nax_scope bits); fills api_key/api_secret. */
int naxh_user_api_key(naxh_server *s, naxh_user *u, unsigned int scopes);
/* A client that signs with the user's API key (after naxh_user_api_key). */
int naxh_key_client(naxh_server *s, const naxh_user *u, nax_client **out);
/* KYC verified through the operator route. */
int naxh_kyc_verify(naxh_server *s, naxh_user *u);
/* Deposit announced by the user, then paid by a signed payments webhook (KYC first). */
int naxh_fund_fiat(naxh_server *s, naxh_user *u, const char *currency, const char *amount);
/* Deposit address, then a signed custody deposit.confirmed (KYC first). */
int naxh_fund_crypto(naxh_server *s, naxh_user *u, const char *asset, const char *amount);
/* POST a provider event (its "id" is the webhook-id), signed with the
 * provider's secret and the current time; *status receives the HTTP status. */
int naxh_webhook(naxh_server *s, const char *provider, const char *json_event, int *status);
void naxh_user_free(naxh_user *u);

/* A decimal from text; aborts the test program on malformed text. */
nax_decimal naxh_dec(const char *text);
/* Milliseconds since the epoch. */
int64_t naxh_now_ms(void);

#endif /* NAX_TESTS_CLIENT_HARNESS_H */

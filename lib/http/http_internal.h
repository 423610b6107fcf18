/*
 * Pieces of the transport shared by its files: the share handle, the pool
 * of easy handles, the per-transfer state the callbacks fill, and the
 * mapping of curl's failures to nax errors. Never installed.
 */
#ifndef NAX_HTTP_INTERNAL_H
#define NAX_HTTP_INTERNAL_H

#include <pthread.h>

#include <curl/curl.h>

#include "transport.h"

#define NAX__HTTP_DEFAULT_MAX_BODY ((size_t)64 * 1024 * 1024)

/* ---- the share handle: DNS and TLS sessions, one mutex per kind of data ---- */
typedef struct nax__http_share {
    CURLSH *sh;
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
    int locks_ready;
} nax__http_share;

int nax__http_share_init(nax__http_share *s);
void nax__http_share_dispose(nax__http_share *s);

/* ---- the last Date header a handle read, and its value ----
 * Servers send the same Date text for a whole second, so a handle that reads
 * it again reuses the value. One per pooled handle: a handle is used by one
 * thread at a time, so the cache needs no lock. */
typedef struct nax__http_date_cache {
    char text[32]; /* an IMF-fixdate is 29 characters */
    size_t len;    /* 0: empty */
    int64_t ms;
} nax__http_date_cache;

/* nax__http_parse_date of the `len` bytes at `v` (no NUL needed), from the
 * cache when they are the text it last read. */
int64_t nax__http_date_cached(nax__http_date_cache *cache, const char *v, size_t len);

/* ---- what one transfer's callbacks record ---- */
typedef struct nax__http_transfer {
    nax__http_response *resp;
    size_t max_body;
    int prereq_seen;    /* curl was about to send the request */
    int resend_allowed; /* curl may resend on a new connection (GET and HEAD) */
    int resend_refused; /* curl wanted to resend a request that was already sent */
    int body_too_big;   /* the write callback refused bytes over max_body */
    int out_of_memory;
    nax__http_date_cache date; /* kept from one transfer to the next */
} nax__http_transfer;

/* Curl callbacks; userdata is a nax__http_transfer. */
size_t nax__http_on_header(char *line, size_t size, size_t count, void *userdata);
size_t nax__http_on_body(char *data, size_t size, size_t count, void *userdata);
int nax__http_on_prereq(void *userdata, char *conn_primary_ip, char *conn_local_ip,
                        int conn_primary_port, int conn_local_port);

/* Clears every captured field of `r` ("absent"), keeping its body's memory. */
void nax__http_response_reset(nax__http_response *r);

/* ---- one pooled easy handle with its own buffers ---- */
typedef struct nax__http_handle {
    CURL *easy;
    nax__http_transfer transfer;
    nax_buf url; /* base URL + target of the current request */
    char errbuf[CURL_ERROR_SIZE];
    /* The request's header lines as curl's list: nodes owned by the handle,
     * each pointing at the caller's line, so a request allocates, copies
     * and wipes nothing (curl only reads the list during the transfer). */
    struct curl_slist *lines;
    size_t lines_cap;
    int url_set;   /* CURLOPT_URL holds url.data: the same target skips setting it */
    int plain_get; /* the method options are a plain GET's: another one skips them */
} nax__http_handle;

/* ---- the pool: a stack of idle handles, created lazily up to `max` ---- */
typedef struct nax__http_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed; /* signalled when a handle comes back */
    nax__http_handle **idle;
    unsigned int idle_count;
    unsigned int created; /* live handles, idle or in use */
    unsigned int max;
} nax__http_pool;

int nax__http_pool_init(nax__http_pool *p, unsigned int max);
/* Frees the idle handles; every handle must have been given back. */
void nax__http_pool_dispose(nax__http_pool *p);
/* An idle handle in *out, or *out = NULL with a slot reserved for the caller
 * to create one (then nax__http_pool_put or _unreserve). NAX_ETIMEOUT, with
 * no error set, when none came back before `deadline` (CLOCK_MONOTONIC). */
int nax__http_pool_take(nax__http_pool *p, const struct timespec *deadline, nax__http_handle **out);
void nax__http_pool_put(nax__http_pool *p, nax__http_handle *hh);
void nax__http_pool_unreserve(nax__http_pool *p);

/* ---- the client-wide settings every new handle receives ---- */
typedef struct nax__http_settings {
    char *base_url;
    long connect_timeout_ms;
    int tls_insecure;
    char *ca_path;
    char *pinned_public_key;
    char *proxy;
    char *user_agent;
    size_t max_body;
} nax__http_settings;

/* A new easy handle with every per-client option set; NULL with the error set. */
nax__http_handle *nax__http_handle_new(const nax__http_settings *s, CURLSH *share);
void nax__http_handle_free(nax__http_handle *hh);

/* Sets the per-request options (URL, method, body, headers, timeout) on
 * `hh`; *headers receives the header list given to curl: the handle's own
 * nodes pointing at req->headers (and a static "Expect:"), valid until the
 * next prepare. Nothing is copied, so nothing holding a token (the
 * Authorization line) is left to wipe; the caller unsets CURLOPT_HTTPHEADER
 * after the transfer, before its lines go away. */
int nax__http_handle_prepare(nax__http_handle *hh, const nax__http_settings *s,
                             const nax__http_request *req, struct curl_slist **headers);

/* ---- errors ---- */
/* Sets the nax error for a failed transfer and returns its code; sets
 * resp->sent by the rule in transport.h. */
int nax__http_fail(const nax__http_handle *hh, CURLcode rc, const nax__http_request *req,
                   nax__http_response *resp);
/* "METHOD /path" without the query (which may carry values), for messages. */
void nax__http_describe(char *out, size_t size, const nax__http_request *req);

#endif /* NAX_HTTP_INTERNAL_H */

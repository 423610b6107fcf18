/*
 * server/http internals: the server, connection and request records shared
 * by the files of the module. Not for other modules.
 */
#ifndef NAXD_HTTP_INTERNAL_H
#define NAXD_HTTP_INTERNAL_H

#include <libwebsockets.h>
#include <pthread.h>
#include <stdatomic.h>

#include "core/core.h"
#include "http.h"
#include "metrics.h"

#define NAXD_HTTP_DEFAULT_MAX_BODY    (1024 * 1024)
#define NAXD_HTTP_DEFAULT_MAX_HEADERS (8 * 1024)
#define NAXD_HTTP_DEFAULT_MAX_CONNS   1024
#define NAXD_HTTP_DEFAULT_IDLE_S      30
#define NAXD_HTTP_DRAIN_S             10
#define NAXD_HTTP_WORKERS             2
#define NAXD_HTTP_WRITE_CHUNK         (64 * 1024)
#define NAXD_HTTP_DEFAULT_WS_PATH     "/v1/stream"
#define NAXD_HTTP_REQUEST_ID_MAX      64
/* The arena chunk allocated with each request: room for the header table, the
 * app's strings, reply headers and a small rendered reply, so a typical
 * request costs one allocation for all of them. */
#define NAXD_HTTP_ARENA_FIRST 6144
/* Replies up to this size are rendered into the arena. */
#define NAXD_HTTP_ARENA_REPLY 4096
/* Request counters cached per route: the statuses a route answers with. */
#define NAXD_HTTP_STATUS_SLOTS 4

typedef struct naxd_conn naxd_conn;

typedef struct naxd_kv {
    const char *name;
    const char *value;
} naxd_kv;

/* Bump allocator for a request's strings: chunks never move, so pointers
 * handed to the app stay valid until the request is freed. The first chunk
 * is part of the request's own allocation (naxd__req_new). */
typedef struct naxd_arena {
    struct naxd_arena *next;
    size_t used, cap;
    char data[];
} naxd_arena;

typedef enum naxd_req_state {
    NAXD_REQ_RECEIVING = 1, /* headers read, body arriving */
    NAXD_REQ_DISPATCHED,    /* with the app, no reply yet */
    NAXD_REQ_REPLIED,       /* reply queued or being written */
    NAXD_REQ_FINISHED       /* answered; waiting to be freed */
} naxd_req_state;

typedef struct naxd_header_out {
    struct naxd_header_out *next;
    char *name; /* with the trailing ':' lws wants */
    char *value;
} naxd_header_out;

struct naxd_req {
    naxd_http *h;
    naxd_conn *conn;       /* NULL once the connection is gone */
    naxd_req *prev, *next; /* h->reqs: every request not yet freed */
    naxd_arena *arena;
    naxd_req_state state;
    const naxd_route *route;
    naxd_method method;
    const char *method_name; /* "GET", ... for the access log */
    int is_head;
    int http10;       /* HTTP/1.0 request */
    int keep_alive10; /* HTTP/1.0 with Connection: keep-alive */
    int is_tls;
    int orphaned;
    int dropped;                   /* close without a reply */
    int close_after;               /* close the connection once the reply is written */
    unsigned int late_completions; /* body completions announced after the body was taken */
    const char *path;
    const char *target;
    naxd_kv *params;
    size_t nparams;
    naxd_kv *query;
    size_t nquery;
    naxd_kv *headers;
    size_t nheaders;
    size_t header_bytes; /* approximate size of the request head */
    nax_buf body;
    uint64_t content_length;
    size_t body_budget; /* bytes of the server's body budget this request holds */
    size_t max_body;
    char id[NAXD_HTTP_REQUEST_ID_MAX + 1];
    char peer[64];
    char *user;
    void *data;
    int64_t start_ns;
    /* the reply */
    naxd_header_out *out_headers, *out_headers_last;
    int status;
    size_t reply_body_len;
    unsigned char *out; /* LWS_PRE + head + body */
    size_t out_len, out_off;
    int out_in_arena; /* out belongs to the arena: not freed on its own */
};

struct naxd_conn {
    naxd_http *h;
    struct lws *wsi;
    naxd_req *req;                   /* the request in progress, if any */
    lws_sorted_usec_list_t body_sul; /* slow-body deadline */
    int send_continue;               /* "100 Continue" owed before the body */
    char peer[64];
};

typedef struct naxd_task {
    void (*fn)(void *arg);
    void *arg;
} naxd_task;

typedef struct naxd_timer {
    lws_sorted_usec_list_t sul; /* first: the callback gets its address */
    naxd_http *h;
    void (*fn)(void *arg);
    void *arg;
    struct naxd_timer *prev, *next;
} naxd_timer;

typedef struct naxd_job {
    struct naxd_job *next;
    naxd_http *h;
    void (*work)(void *arg);
    void (*done)(void *arg);
    void *arg;
} naxd_job;

struct naxd_http {
    /* configuration (copied) */
    const naxd_route *routes;
    size_t nroutes;
    void (*dispatch)(naxd_req *req, const naxd_route *route, void *app);
    void *app;
    size_t max_body;
    size_t max_header_bytes;
    unsigned int max_conns;
    unsigned int idle_timeout_s;
    int (*admit)(naxd_req *req, const naxd_route *route, void *app, const char **code,
                 const char **message);
    size_t max_body_total; /* budget for buffered bodies */
    int64_t (*now_ms)(void *app);
    /* Where the replies of detached requests go (naxd__req_new_detached):
     * status (0 for a drop), content type and body as the app gave them;
     * the reply headers are on r->out_headers. */
    void (*capture)(naxd_req *r, const char *content_type, const void *body, size_t len, void *arg);
    void *capture_arg;
    size_t body_bytes; /* bodies held now (declared lengths of admitted requests) */
    int access_log;
    const struct lws_protocols *ws_protocol;
    char *ws_path;
    char **header_names; /* lower case, NULL-terminated: custom headers to copy */
    /* lws */
    struct lws_context *ctx;
    struct lws_vhost *vhost;
    struct lws_protocols protocols[3];
    int port;
    /* lifecycle; app thread unless atomic */
    atomic_int stop_requested;
    atomic_int stopping;
    int drain_expired;
    lws_sorted_usec_list_t drain_sul;
    atomic_size_t inflight;
    unsigned int conns;
    naxd_req *reqs;      /* every live request */
    naxd_req *graveyard; /* answered after their client left; freed at a safe point */
    naxd_timer *timers;
    /* the post queue: a ring that grows */
    pthread_mutex_t post_lock;
    pthread_cond_t post_cond;
    naxd_task *ring;
    size_t ring_cap, ring_head, ring_len;
    pthread_t app_thread;
    atomic_int app_thread_set;
    /* workers */
    pthread_mutex_t job_lock;
    pthread_cond_t job_cond;
    naxd_job *jobs, *jobs_last;
    int jobs_quit;
    pthread_t workers[NAXD_HTTP_WORKERS];
    int nworkers;
    int workers_started;
    /* metrics */
    naxd_metrics *metrics;
    naxd_gauge *m_conns;
    naxd_histogram **m_route_latency; /* per route, plus one for "unmatched" */
    /* naxd_http_requests_total by status, per route (plus "unmatched"): the
     * registry is only searched the first time a route answers a status. */
    struct naxd_status_counter {
        int status;
        naxd_counter *counter;
    } (*m_route_status)[NAXD_HTTP_STATUS_SLOTS];
};

/* ---- callback.c ---- */
int naxd__http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                        size_t len);

/* ---- request.c ---- */
/* A request for the headers lws has parsed on conn, in flight (RECEIVING)
 * until it is freed; NULL on OOM. */
naxd_req *naxd__req_new(naxd_http *h, naxd_conn *conn);
/* The same with no connection: its reply goes to h->capture, then the
 * request is freed at the next safe point (naxd__graveyard_flush). For the
 * fuzz target and tests. NULL on OOM. */
naxd_req *naxd__req_new_detached(naxd_http *h, const char *peer);
/* A request head as a parser left it: lws for the socket path, a test or
 * fuzz target otherwise. The request keeps the headers and the query
 * fragments, so they must live as long as it does (its arena, or longer);
 * method, version and path are read during naxd__req_fill only. */
typedef struct naxd__head {
    const char *method;  /* as sent, "GET"; NULL or unknown = NAXD_OTHER */
    const char *version; /* "HTTP/1.1"; NULL or "" when the request line was cut short */
    const char *path;    /* percent-decoded and normalised, without the query */
    size_t path_len;
    char **query; /* decoded fragments "name=value" (split in place) */
    size_t nquery;
    naxd_kv *headers; /* names without ':'; empty values are dropped */
    size_t nheaders;
    int is_tls;
} naxd__head;
/* Everything after parsing: method, version and Connection, the request id,
 * path, query, the rebuilt target and the headers, with the checks on them
 * (control bytes, head size, a cut-short request line). 0, or an HTTP status
 * to answer with (400, 431), or NAX_ENOMEM. The socket path and the fuzz
 * target share it. */
int naxd__req_fill(naxd_req *r, const naxd__head *in);
/* naxd__req_fill from what lws parsed. */
int naxd__req_read(naxd_req *r, struct lws *wsi, const char *uri, size_t uri_len);
void naxd__req_free(naxd_req *r);
char *naxd__arena_strndup(naxd_req *r, const char *s, size_t len);
void *naxd__arena_alloc(naxd_req *r, size_t size);
int64_t naxd__now_ns(void);

/* ---- callback.c: the framework's part of a request, without lws ---- */
/* After naxd__req_fill (whose result is fill_rc): the framework's refusals
 * (400, 431, 411, 503 while stopping, 404, 405, 413, the app's admit, the
 * body budget), routing and the body budget the request then holds. 1 when
 * the request goes on (read r->content_length bytes of body, then
 * naxd__req_dispatch), 0 when it was answered, -1 on OOM (close). */
int naxd__req_head(naxd_req *r, int fill_rc);
/* Hands a request with its whole body to the app (or the route's handler). */
void naxd__req_dispatch(naxd_req *r);

/* ---- route.c ---- */
/* Matches r->path: the route for r->method (params filled), or NULL with
 * *path_matched set when another method's route has the path. Fills allow
 * ("GET, POST") with those methods. NAX_ENOMEM through *err. */
const naxd_route *naxd__route_match(naxd_req *r, int *path_matched, char *allow, size_t allow_size,
                                    int *err);
const char *naxd__method_name(naxd_method m);

/* ---- reply.c ---- */
/* Framework error reply (any state before the reply). */
void naxd__reply_framework(naxd_req *r, int status, const char *code, const char *message);
/* Writes the next piece of the reply; -1 closes the connection. */
int naxd__reply_write(naxd_conn *c);
/* The connection of r went away. */
void naxd__req_conn_lost(naxd_req *r);
/* Frees requests answered after their client left. */
void naxd__graveyard_flush(naxd_http *h);

/* ---- accesslog.c ---- */
/* One access-log line and the request metrics for a finished request. */
void naxd__req_record(naxd_req *r);
int naxd__json_string(nax_buf *out, const char *s);

/* ---- tasks.c ---- */
int naxd__tasks_init(naxd_http *h);
void naxd__tasks_dispose(naxd_http *h);
/* Runs the functions posted so far; returns how many ran. */
size_t naxd__tasks_run(naxd_http *h);
void naxd__timers_dispose(naxd_http *h);

/* ---- workers.c ---- */
int naxd__workers_start(naxd_http *h);
void naxd__workers_stop(naxd_http *h);
/* The post-queue entry that runs a job's done(); used to free undelivered jobs. */
void naxd__job_done(void *job);

/* ---- server.c ---- */
/* Begins the drain on the app thread once a stop was asked for. */
void naxd__maybe_begin_stop(naxd_http *h);

#endif /* NAXD_HTTP_INTERNAL_H */

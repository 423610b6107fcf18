/*
 * Sessions and credentials: login, refresh, logout, API keys and TOTP.
 *
 * Login verifies the password on a worker thread (Argon2 is slow on
 * purpose); everything else runs on the app thread. Failed logins and wrong
 * TOTP codes drain a per-account and a per-IP bucket (limit_login_fail);
 * once either is empty the attempt is refused before any check runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/internal.h"
#include "auth/auth.h"
#include "core/core.h"
#include "stream/stream.h"

#define FAMILY_BYTES      16
#define API_KEY_ID_BYTES  8
#define API_KEY_SEC_BYTES 32
#define API_KEYS_MAX      20
#define API_KEY_LABEL_MAX 64
#define TOTP_SECRET_BYTES 20
#define TOTP_ISSUER       "NA-X"
#define ALL_SCOPES        (NAX_SCOPE_READ | NAX_SCOPE_TRADE | NAX_SCOPE_WITHDRAW)

/* ---- small helpers ------------------------------------------------------------- */

static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

static void wipe_free(char *s)
{
    if (s) {
        wipe(s, strlen(s));
        nax__free(s);
    }
}

static char *lower_dup(const char *s)
{
    char *out = nax__strdup(s);
    for (char *p = out; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return out;
}

static void user_actor(naxd_ctx *ctx, naxd_user *u)
{
    if (!ctx)
        return;
    ctx->who.user = u;
    snprintf(ctx->who.actor, sizeof ctx->who.actor, "user:u_%llu", (unsigned long long)u->id);
}

static int refresh_hash(char out[2 * NAX__SHA256_LEN + 1], const char *token)
{
    unsigned char d[NAX__SHA256_LEN];
    int rc = nax__sha256(d, token, strlen(token));
    if (!rc)
        nax__hex_encode(out, d, sizeof d);
    return rc;
}

static void fail_oom(naxd_req *req)
{
    naxd_fail(req, 500, "internal_error", NULL, "out of memory");
}

/* Reads {"refresh_token"} from the body and finds its record (NULL when
 * unknown); hash receives the token's hash. -1 after replying on bad input. */
static int refresh_from_body(naxd_app *a, naxd_req *req, char hash[2 * NAX__SHA256_LEN + 1],
                             naxd_refresh **out)
{
    nax_refresh_request *in = NULL;
    if (naxd_decode_body(req, NAX_TYPE_REFRESH_REQUEST, &in))
        return -1;
    int rc = refresh_hash(hash, in->refresh_token);
    nax_object_free(in);
    if (rc) {
        naxd_fail(req, 500, "internal_error", NULL, "the token could not be checked");
        return -1;
    }
    *out = naxd_map_get(&a->refresh_tokens, hash);
    return 0;
}

/* Audit record of a session event: who and which family, never a token. */
static int session_audit(naxd_mut *m, const char *action, uint64_t user, const char *family)
{
    char after[96];
    snprintf(after, sizeof after, "{\"user\":\"u_%llu\",\"family\":\"%s\"}",
             (unsigned long long)user, family);
    return naxd_mut_audit(m, action, NULL, after);
}

/* TotpDigits in docs/openapi.yaml: exactly six decimal digits. */
static int six_digits(const char *code)
{
    for (int i = 0; i < 6; i++)
        if (code[i] < '0' || code[i] > '9')
            return 0;
    return code[6] == '\0';
}

/* ---- failed-attempt throttle ----------------------------------------------------- */

/* Bucket keys: the account (lower-cased email) and the client address. */
static void throttle_keys(char *acct, size_t acct_size, char *ip, size_t ip_size, naxd_req *req,
                          const char *email)
{
    snprintf(acct, acct_size, "acct:%s", email);
    snprintf(ip, ip_size, "ip:%s", naxd_req_peer(req));
}

/* Takes one attempt from the account's and the address's failed-login
 * budgets before the password is checked (so concurrent guesses cannot all
 * pass), and 1 after replying 429 when either is spent. A login that succeeds
 * gives its attempt back (attempt_ok), so only failures count. */
static int throttled(naxd_app *a, naxd_req *req, const char *email)
{
    char acct[300], ip[80];
    throttle_keys(acct, sizeof acct, ip, sizeof ip, req, email);
    int64_t now = naxd_req_start_ns(req);
    naxd_limit la, li;
    naxd_limiter_take(a->limit_login_fail, acct, now, &la);
    naxd_limiter_take(a->limit_login_fail, ip, now, &li);
    if (la.allowed && li.allowed)
        return 0;
    if (la.allowed)
        naxd_limiter_refund(a->limit_login_fail, acct, now);
    if (li.allowed)
        naxd_limiter_refund(a->limit_login_fail, ip, now);
    uint32_t wait = 0;
    if (!la.allowed)
        wait = la.retry_after_s;
    if (!li.allowed && li.retry_after_s > wait)
        wait = li.retry_after_s;
    char ra[16];
    snprintf(ra, sizeof ra, "%u", wait ? (unsigned)wait : 1u);
    naxd_req_add_header(req, "Retry-After", ra);
    naxd_fail(req, 429, "too_many_attempts", NULL, "too many failed attempts; retry after %s s",
              ra);
    return 1;
}

static void attempt_ok(naxd_app *a, naxd_req *req, const char *email)
{
    char acct[300], ip[80];
    throttle_keys(acct, sizeof acct, ip, sizeof ip, req, email);
    int64_t now = naxd_req_start_ns(req);
    naxd_limiter_refund(a->limit_login_fail, acct, now);
    naxd_limiter_refund(a->limit_login_fail, ip, now);
}

/* ---- session families ----------------------------------------------------------- */

static int new_family(char out[2 * FAMILY_BYTES + 1])
{
    unsigned char raw[FAMILY_BYTES];
    int rc = nax__random_bytes(raw, sizeof raw);
    if (!rc)
        nax__hex_encode(out, raw, sizeof raw);
    return rc;
}

static int revoke_in_memory(const char *key, uint64_t ukey, void *value, void *arg)
{
    (void)key;
    (void)ukey;
    naxd_refresh *r = value;
    if (strcmp(r->family, arg) == 0)
        r->revoked = 1;
    return 0;
}

/* Adds the revocation to m's batch, then marks memory, and ends the private
 * stream subscriptions of user's token sessions at once (like REST, which
 * refuses the family from now on). 0 or an error with memory unchanged. */
static int revoke_family(naxd_app *a, naxd_mut *m, uint64_t user, const char *family)
{
    int rc = naxd_batch_sql(naxd_mut_batch(m),
                            "UPDATE refresh_tokens SET revoked = 1 WHERE family = ?", "t", family);
    if (!rc && !naxd_map_get(&a->revoked_families, family))
        rc = naxd_map_put(&a->revoked_families, family, (void *)1);
    if (rc)
        return rc;
    naxd_map_foreach(&a->refresh_tokens, revoke_in_memory, (void *)family);
    if (a->stream) {
        char credential[NAXD_STREAM_CREDENTIAL_MAX];
        snprintf(credential, sizeof credential, "session:%s", family);
        naxd_stream_revoke(a->stream, user, credential);
    }
    return 0;
}

/* Issues a pair in `family` and commits with 200 Token. On failure (non-zero)
 * the mutation is aborted and the request answered 500. */
static int commit_tokens(naxd_app *a, naxd_req *req, naxd_mut *m, naxd_user *u, const char *family,
                         const char *action)
{
    nax_buf access = NAX_BUF_INIT, refresh = NAX_BUF_INIT;
    nax_token tok;
    int rc = session_audit(m, action, u->id, family);
    if (!rc)
        rc = naxd_issue_tokens(a, m, u, family, &tok, &access, &refresh);
    if (rc) {
        naxd_mut_abort(m);
        naxd_fail(req, 500, "internal_error", NULL, "tokens could not be issued");
    } else {
        naxd_mut_commit(m, 200, NAX_TYPE_TOKEN, &tok);
    }
    wipe(access.data, access.len);
    wipe(refresh.data, refresh.len);
    nax_buf_dispose(&access);
    nax_buf_dispose(&refresh);
    return rc;
}

/* ---- login ----------------------------------------------------------------------- */

typedef struct login_job {
    naxd_app *a;
    naxd_req *req;
    uint64_t generation;
    uint64_t user_id; /* 0: no such account, hash instead so timing matches */
    char *email;
    char *password;
    char *phc;
    char *totp_code;
    naxd_kdf_params kdf;
    int verified;
} login_job;

static void login_job_free(login_job *j)
{
    nax__free(j->email);
    wipe_free(j->password);
    wipe_free(j->phc);
    wipe_free(j->totp_code);
    nax__free(j);
}

static void login_work(void *arg)
{
    login_job *j = arg;
    if (j->phc) {
        j->verified = naxd_password_verify(j->phc, j->password) == 0;
    } else {
        char dummy[256];
        naxd_password_hash(dummy, sizeof dummy, j->password, &j->kdf);
        j->verified = 0;
    }
}

/* The matched step (-2 when TOTP is off), or -1 after replying 401/429. */
static int64_t check_login_totp(naxd_app *a, naxd_req *req, naxd_user *u, const char *code)
{
    if (!u->totp_enabled)
        return -2;
    if (!code) {
        naxd_fail(req, 401, "totp_required", "totp_code",
                  "a TOTP code is required for this account");
        return -1;
    }
    return naxd_totp_check(a, req, u, code, 401, "invalid_totp", "totp_code");
}

static void login_done(void *arg)
{
    login_job *j = arg;
    naxd_app *a = j->a;
    naxd_req *req = j->req;
    naxd_user *u = j->user_id ? naxd_user_by_id(a, j->user_id) : NULL;
    int64_t step;
    if (a->generation != j->generation) {
        naxd_fail(req, 503, "store_unavailable", NULL, "the server state was restored; retry");
    } else if (!j->verified || !u) {
        naxd_fail(req, 401, "invalid_credentials", NULL, "email or password is wrong");
    } else if ((step = check_login_totp(a, req, u, j->totp_code)) != -1) {
        char family[2 * FAMILY_BYTES + 1];
        naxd_mut *m;
        attempt_ok(a, req, j->email);
        if (new_family(family)) {
            naxd_fail(req, 500, "internal_error", NULL, "no randomness available");
        } else if ((m = naxd_mut_begin(a, req)) != NULL) {
            user_actor(naxd_ctx_of(req), u);
            if (step >= 0 && naxd_totp_use(u, naxd_mut_batch(m), step) != 0) {
                naxd_mut_abort(m);
                fail_oom(req);
            } else {
                commit_tokens(a, req, m, u, family, "auth.login");
            }
        }
    }
    login_job_free(j);
}

NAXD_HANDLER(h_login)
{
    naxd_app *a = app;
    nax_login_request *in = NULL;
    if (naxd_decode_body(req, NAX_TYPE_LOGIN_REQUEST, &in))
        return;
    if (in->totp_code && !six_digits(in->totp_code)) {
        wipe((void *)in->password, strlen(in->password));
        nax_object_free(in);
        naxd_fail(req, 400, "invalid_request", "totp_code", "totp_code must be six digits");
        return;
    }
    login_job *j = nax__calloc(1, sizeof *j);
    if (j) {
        j->email = lower_dup(in->email);
        j->password = nax__strdup(in->password);
        j->totp_code = in->totp_code ? nax__strdup(in->totp_code) : NULL;
    }
    wipe((void *)in->password, strlen(in->password));
    if (!j || !j->email || !j->password || (in->totp_code && !j->totp_code)) {
        nax_object_free(in);
        if (j)
            login_job_free(j);
        fail_oom(req);
        return;
    }
    nax_object_free(in);
    if (throttled(a, req, j->email)) {
        login_job_free(j);
        return;
    }
    naxd_user *u = naxd_map_get(&a->users_by_email, j->email);
    if (u && !u->reserved && u->password_hash) {
        j->user_id = u->id;
        if (!(j->phc = nax__strdup(u->password_hash))) {
            login_job_free(j);
            fail_oom(req);
            return;
        }
    }
    j->a = a;
    j->req = req;
    j->generation = a->generation;
    j->kdf = a->cfg->kdf;
    if (naxd_http_work(a->http, login_work, login_done, j) != 0) {
        login_job_free(j);
        naxd_fail(req, 503, "unavailable", NULL, "the server is busy; retry shortly");
    }
}

/* ---- refresh and logout ------------------------------------------------------------- */

NAXD_HANDLER(h_refresh)
{
    naxd_app *a = app;
    char hash[2 * NAX__SHA256_LEN + 1];
    naxd_refresh *r;
    if (refresh_from_body(a, req, hash, &r))
        return;
    naxd_user *u = r ? naxd_user_by_id(a, r->user) : NULL;
    if (!u) {
        naxd_fail(req, 401, "invalid_token", "refresh_token", "unknown refresh token");
        return;
    }
    if (r->expires_at <= naxd_now_ms(a)) {
        naxd_fail(req, 401, "token_expired", "refresh_token", "refresh token expired");
        return;
    }
    if (r->revoked || naxd_map_get(&a->revoked_families, r->family)) {
        naxd_fail(req, 401, "token_revoked", "refresh_token", "this session was revoked");
        return;
    }
    naxd_mut *m = naxd_mut_begin(a, req);
    if (!m)
        return;
    user_actor(naxd_ctx_of(req), u);
    char family[48];
    snprintf(family, sizeof family, "%s", r->family);
    if (r->used) {
        /* A spent token came back: someone holds a copy. End the whole session. */
        if (session_audit(m, "auth.refresh_reuse", u->id, family) ||
            revoke_family(a, m, u->id, family)) {
            naxd_mut_abort(m);
            fail_oom(req);
            return;
        }
        nax_error_body err = {sizeof err, "token_revoked",
                              "refresh token reused; the session was revoked", "refresh_token",
                              naxd_req_id(req)};
        naxd_mut_commit(m, 401, NAX_TYPE_ERROR_BODY, &err);
        return;
    }
    if (naxd_batch_sql(naxd_mut_batch(m), "UPDATE refresh_tokens SET used = 1 WHERE token_hash = ?",
                       "t", hash)) {
        naxd_mut_abort(m);
        fail_oom(req);
        return;
    }
    /* Marked before the commit: after it the record may be gone (a reload). */
    r->used = 1;
    if (commit_tokens(a, req, m, u, family, "auth.refresh"))
        r->used = 0;
}

/* A refresh token of another user is answered like an unknown one, so a
 * caller learns nothing about tokens that are not theirs. */
NAXD_HANDLER(h_logout)
{
    naxd_app *a = app;
    naxd_user *u = naxd_ctx_of(req)->who.user;
    char hash[2 * NAX__SHA256_LEN + 1];
    naxd_refresh *r;
    if (refresh_from_body(a, req, hash, &r))
        return;
    if (!r || r->user != u->id) {
        naxd_fail(req, 401, "invalid_token", "refresh_token", "unknown refresh token");
        return;
    }
    if (naxd_map_get(&a->revoked_families, r->family)) {
        naxd_ok(a, req, 204, NAX_TYPE_NONE, NULL); /* already logged out */
        return;
    }
    naxd_mut *m = naxd_mut_begin(a, req);
    if (!m)
        return;
    char family[48];
    snprintf(family, sizeof family, "%s", r->family);
    if (session_audit(m, "auth.logout", u->id, family) || revoke_family(a, m, u->id, family)) {
        naxd_mut_abort(m);
        fail_oom(req);
        return;
    }
    naxd_mut_commit(m, 204, NAX_TYPE_NONE, NULL);
}

/* ---- API keys ------------------------------------------------------------------------- */

typedef struct key_count {
    uint64_t user;
    size_t n;
    naxd_api_key_rec **list; /* when set, collects the user's live keys */
} key_count;

static int count_key(const char *key, uint64_t ukey, void *value, void *arg)
{
    (void)key;
    (void)ukey;
    naxd_api_key_rec *k = value;
    key_count *c = arg;
    if (k->user == c->user && !k->revoked) {
        if (c->list)
            c->list[c->n] = k;
        c->n++;
    }
    return 0;
}

/* Code points of valid UTF-8 (the codec checked validity); any control
 * character makes it -1. */
static long text_length(const char *s)
{
    long n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return -1;
        if ((*p & 0xc0) != 0x80)
            n++;
    }
    return n;
}

static void free_key_rec(naxd_api_key_rec *k)
{
    if (!k)
        return;
    nax__free(k->id);
    nax__free(k->label);
    wipe_free(k->secret);
    nax__free(k);
}

/* New record with a fresh id (unique in memory) and secret; NULL on failure. */
static naxd_api_key_rec *new_key_rec(naxd_app *a, uint64_t user, const char *label,
                                     unsigned int scopes)
{
    unsigned char raw[API_KEY_SEC_BYTES];
    char hex[2 * API_KEY_SEC_BYTES + 1], id[4 + 2 * API_KEY_ID_BYTES];
    naxd_api_key_rec *k = nax__calloc(1, sizeof *k);
    if (!k)
        return NULL;
    do {
        if (nax__random_bytes(raw, API_KEY_ID_BYTES)) {
            nax__free(k);
            return NULL;
        }
        memcpy(id, "ak_", 3);
        nax__hex_encode(id + 3, raw, API_KEY_ID_BYTES);
    } while (naxd_map_get(&a->api_keys, id));
    if (nax__random_bytes(raw, sizeof raw)) {
        nax__free(k);
        return NULL;
    }
    nax__hex_encode(hex, raw, sizeof raw);
    wipe(raw, sizeof raw);
    k->id = nax__strdup(id);
    k->label = nax__strdup(label);
    k->secret = nax__malloc(3 + sizeof hex);
    if (k->secret)
        snprintf(k->secret, 3 + sizeof hex, "sk_%s", hex);
    wipe(hex, sizeof hex);
    if (!k->id || !k->label || !k->secret) {
        free_key_rec(k);
        return NULL;
    }
    k->user = user;
    k->scopes = scopes;
    return k;
}

static void key_view(nax_api_key *v, const naxd_api_key_rec *k)
{
    memset(v, 0, sizeof *v);
    v->struct_size = sizeof *v;
    v->id = k->id;
    v->label = k->label;
    v->scopes = k->scopes;
    v->created_at = k->created_at;
    v->last_used_at = k->last_used_at;
}

NAXD_HANDLER(h_api_key_create)
{
    naxd_app *a = app;
    naxd_user *u = naxd_ctx_of(req)->who.user;
    nax_api_key_request *in = NULL;
    if (naxd_decode_body(req, NAX_TYPE_API_KEY_REQUEST, &in))
        return;
    long label_len = text_length(in->label);
    if (label_len < 1 || label_len > API_KEY_LABEL_MAX) {
        nax_object_free(in);
        naxd_fail(req, 400, "invalid_request", "label",
                  "label must be 1 to 64 characters without control characters");
        return;
    }
    if (in->scopes == 0 || (in->scopes & ~(unsigned int)ALL_SCOPES)) {
        nax_object_free(in);
        naxd_fail(req, 400, "invalid_request", "scopes",
                  "scopes must name at least one of read, trade, withdraw");
        return;
    }
    key_count c = {u->id, 0, NULL};
    naxd_map_foreach(&a->api_keys, count_key, &c);
    if (c.n >= API_KEYS_MAX) {
        nax_object_free(in);
        naxd_fail(req, 422, "too_many_api_keys", NULL,
                  "at most %d API keys per user; delete one first", API_KEYS_MAX);
        return;
    }
    naxd_api_key_rec *k = new_key_rec(a, u->id, in->label, in->scopes);
    nax_object_free(in);
    if (!k) {
        fail_oom(req);
        return;
    }
    k->created_at = naxd_now_ms(a);
    naxd_mut *m = naxd_mut_begin(a, req);
    if (!m) {
        free_key_rec(k);
        return;
    }
    nax_api_key view;
    key_view(&view, k);
    nax_buf after = NAX_BUF_INIT;
    int rc = nax_encode(&after, NAX_TYPE_API_KEY, &view); /* no secret in the audit */
    if (!rc)
        rc = naxd_batch_sql(naxd_mut_batch(m),
                            "INSERT INTO api_keys(id, user_id, label, scopes, secret, created_at, "
                            "last_used_at, revoked) VALUES(?, ?, ?, ?, ?, ?, 0, 0)",
                            "tutiti", k->id, k->user, k->label, (int64_t)k->scopes, k->secret,
                            k->created_at);
    if (!rc)
        rc = naxd_mut_audit(m, "api_key.create", NULL, after.data);
    if (!rc)
        rc = naxd_map_put(&a->api_keys, k->id, k);
    nax_buf_dispose(&after);
    if (rc) {
        naxd_mut_abort(m);
        free_key_rec(k);
        fail_oom(req);
        return;
    }
    view.secret = k->secret;
    naxd_mut_commit(m, 201, NAX_TYPE_API_KEY, &view);
}

static int key_order(const void *x, const void *y)
{
    const naxd_api_key_rec *p = *(naxd_api_key_rec *const *)x, *q = *(naxd_api_key_rec *const *)y;
    if (p->created_at != q->created_at)
        return p->created_at < q->created_at ? -1 : 1;
    return strcmp(p->id, q->id);
}

NAXD_HANDLER(h_api_key_list)
{
    naxd_app *a = app;
    naxd_user *u = naxd_ctx_of(req)->who.user;
    key_count c = {u->id, 0, NULL};
    naxd_map_foreach(&a->api_keys, count_key, &c);
    size_t n = c.n;
    naxd_api_key_rec **recs = nax__calloc(n ? n : 1, sizeof *recs);
    nax_api_key *views = nax__calloc(n ? n : 1, sizeof *views);
    const nax_api_key **ptrs = nax__calloc(n ? n : 1, sizeof *ptrs);
    if (!recs || !views || !ptrs) {
        nax__free(recs);
        nax__free(views);
        nax__free(ptrs);
        fail_oom(req);
        return;
    }
    c.n = 0;
    c.list = recs;
    naxd_map_foreach(&a->api_keys, count_key, &c);
    qsort(recs, n, sizeof *recs, key_order);
    for (size_t i = 0; i < n; i++) {
        key_view(&views[i], recs[i]);
        ptrs[i] = &views[i];
    }
    nax_api_key_list list = {sizeof list, ptrs, n};
    naxd_ok(a, req, 200, NAX_TYPE_API_KEY_LIST, &list);
    nax__free(recs);
    nax__free(views);
    nax__free(ptrs);
}

NAXD_HANDLER(h_api_key_delete)
{
    naxd_app *a = app;
    naxd_user *u = naxd_ctx_of(req)->who.user;
    const char *id = naxd_req_param(req, "id");
    naxd_api_key_rec *k = id ? naxd_map_get(&a->api_keys, id) : NULL;
    if (!k || k->user != u->id || k->revoked) {
        naxd_fail(req, 404, "not_found", NULL, "no such API key");
        return;
    }
    naxd_mut *m = naxd_mut_begin(a, req);
    if (!m)
        return;
    char after[96];
    snprintf(after, sizeof after, "{\"id\":\"%s\"}", k->id);
    if (naxd_batch_sql(naxd_mut_batch(m), "UPDATE api_keys SET revoked = 1 WHERE id = ?", "t",
                       k->id) ||
        naxd_mut_audit(m, "api_key.revoke", NULL, after)) {
        naxd_mut_abort(m);
        fail_oom(req);
        return;
    } /* Kept in memory, flagged: requests in flight may still point at it. */
    k->revoked = 1;
    if (a->stream) { /* its stream connections lose their private channels now */
        char credential[NAXD_STREAM_CREDENTIAL_MAX];
        snprintf(credential, sizeof credential, "key:%s", k->id);
        naxd_stream_revoke(a->stream, u->id, credential);
    }
    naxd_mut_commit(m, 204, NAX_TYPE_NONE, NULL);
}

/* ---- TOTP ---------------------------------------------------------------------------- */

static int append_uri_escaped(nax_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;
    for (const unsigned char *p = (const unsigned char *)s; !rc && *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            rc = nax__buf_append(b, p, 1);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            rc = nax__buf_append(b, esc, 3);
        }
    }
    return rc;
}

static int otpauth_uri(nax_buf *b, const char *email, const char *secret)
{
    int rc = nax__buf_append_str(b, "otpauth://totp/" TOTP_ISSUER ":");
    if (!rc)
        rc = append_uri_escaped(b, email);
    if (!rc)
        rc = nax__buf_printf(
            b, "?secret=%s&issuer=" TOTP_ISSUER "&algorithm=SHA1&digits=6&period=30", secret);
    return rc;
}

NAXD_HANDLER(h_totp_enable)
{
    naxd_app *a = app;
    naxd_user *u = naxd_ctx_of(req)->who.user;
    if (u->totp_enabled) {
        naxd_fail(req, 409, "totp_enabled", NULL, "TOTP is already enabled");
        return;
    }
    unsigned char raw[TOTP_SECRET_BYTES];
    nax_buf secret = NAX_BUF_INIT, uri = NAX_BUF_INIT;
    int rc = nax__random_bytes(raw, sizeof raw);
    if (!rc)
        rc = nax__base32_encode(&secret, raw, sizeof raw);
    wipe(raw, sizeof raw);
    if (!rc)
        rc = otpauth_uri(&uri, u->email, secret.data);
    char *stored = rc ? NULL : nax__strdup(secret.data);
    naxd_mut *m = NULL;
    if (!stored) {
        fail_oom(req);
    } else if ((m = naxd_mut_begin(a, req)) != NULL) {
        rc = naxd_batch_sql(naxd_mut_batch(m),
                            "UPDATE users SET totp_secret = ?, totp_enabled = 0 WHERE id = ?", "tu",
                            stored, u->id);
        if (!rc)
            rc = naxd_mut_audit(m, "totp.enable", NULL, NULL);
        if (rc) {
            naxd_mut_abort(m);
            fail_oom(req);
        } else {
            wipe_free(u->totp_secret); /* a pending secret from an earlier enable */
            u->totp_secret = stored;
            stored = NULL;
            nax_totp_setup setup = {sizeof setup, secret.data, uri.data};
            naxd_mut_commit(m, 200, NAX_TYPE_TOTP_SETUP, &setup);
        }
    }
    wipe_free(stored);
    wipe(secret.data, secret.len);
    wipe(uri.data, uri.len);
    nax_buf_dispose(&secret);
    nax_buf_dispose(&uri);
}

/* Decodes the body's code and checks it against the user's secret.
 * Returns the matched step, or -1 after replying. */
static int64_t checked_code(naxd_app *a, naxd_req *req, naxd_user *u)
{
    nax_totp_code *in = NULL;
    if (naxd_decode_body(req, NAX_TYPE_TOTP_CODE, &in))
        return -1;
    if (!six_digits(in->code)) {
        nax_object_free(in);
        naxd_fail(req, 400, "invalid_request", "code", "code must be six digits");
        return -1;
    }
    int64_t step = naxd_totp_check(a, req, u, in->code, 422, "invalid_totp_code", "code");
    nax_object_free(in);
    return step;
}

NAXD_HANDLER(h_totp_confirm)
{
    naxd_app *a = app;
    naxd_user *u = naxd_ctx_of(req)->who.user;
    if (u->totp_enabled) {
        naxd_fail(req, 409, "totp_enabled", NULL, "TOTP is already enabled");
        return;
    }
    if (!u->totp_secret) {
        naxd_fail(req, 409, "totp_not_pending", NULL,
                  "start with POST /v1/auth/totp/enable to get a secret");
        return;
    }
    int64_t step = checked_code(a, req, u);
    if (step < 0)
        return;
    naxd_mut *m = naxd_mut_begin(a, req);
    if (!m)
        return;
    if (naxd_batch_sql(naxd_mut_batch(m), "UPDATE users SET totp_enabled = 1 WHERE id = ?", "u",
                       u->id) ||
        naxd_totp_use(u, naxd_mut_batch(m), step) ||
        naxd_mut_audit(m, "totp.confirm", NULL, NULL)) {
        naxd_mut_abort(m);
        fail_oom(req);
        return;
    }
    u->totp_enabled = 1;
    naxd_mut_commit(m, 204, NAX_TYPE_NONE, NULL);
}

NAXD_HANDLER(h_totp_disable)
{
    naxd_app *a = app;
    naxd_user *u = naxd_ctx_of(req)->who.user;
    if (!u->totp_enabled) {
        naxd_fail(req, 409, "totp_not_enabled", NULL, "TOTP is not enabled");
        return;
    }
    int64_t step = checked_code(a, req, u);
    if (step < 0)
        return;
    naxd_mut *m = naxd_mut_begin(a, req);
    if (!m)
        return;
    if (naxd_batch_sql(naxd_mut_batch(m),
                       "UPDATE users SET totp_secret = NULL, totp_enabled = 0 WHERE id = ?", "u",
                       u->id) ||
        naxd_totp_use(u, naxd_mut_batch(m), step) ||
        naxd_mut_audit(m, "totp.disable", NULL, NULL)) {
        naxd_mut_abort(m);
        fail_oom(req);
        return;
    }
    u->totp_enabled = 0;
    wipe_free(u->totp_secret);
    u->totp_secret = NULL;
    naxd_mut_commit(m, 204, NAX_TYPE_NONE, NULL);
}

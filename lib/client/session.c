/*
 * The login session: tokens, refresh ahead of expiry, and a single-flight
 * refresh so that N threads finding an expired token send one request.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/auth.h"
#include "client/client_impl.h"
#include "core/core.h"
#include "nax/codec.h"

/* Refresh this long before the access token expires (at most a fifth of its life). */
#define REFRESH_AHEAD_MS 30000
/* Longer lifetimes are treated as this (ten years), so the arithmetic never wraps. */
#define MAX_LIFETIME_S (10ll * 365 * 24 * 3600)
/* After a failed refresh ahead of expiry, keep the current token this long. */
#define REFRESH_RETRY_MS 5000

static void free_secret(char **s)
{
    if (*s) {
        OPENSSL_cleanse(*s, strlen(*s));
        nax__free(*s);
        *s = NULL;
    }
}

int nax__session_init(nax__session *s)
{
    memset(s, 0, sizeof(*s));
    if (pthread_mutex_init(&s->lock, NULL))
        return nax__error_oom();
    if (pthread_cond_init(&s->done, NULL)) {
        pthread_mutex_destroy(&s->lock);
        return nax__error_oom();
    }
    return 0;
}

void nax__session_dispose(nax__session *s)
{
    free_secret(&s->access_token);
    free_secret(&s->refresh_token);
    free_secret(&s->last_token_json);
    pthread_cond_destroy(&s->done);
    pthread_mutex_destroy(&s->lock);
}

int nax__session_has_login(const nax_client *c)
{
    return c->email && c->password;
}

/* Replace the tokens; the caller holds the lock. */
static int set_tokens_locked(nax_client *c, const char *access, const char *refresh,
                             int64_t expires_in_s)
{
    nax__session *s = &c->session;
    char *a = access ? nax__strdup(access) : NULL;
    char *r = refresh ? nax__strdup(refresh) : NULL;
    if ((access && !a) || (refresh && !r)) {
        free_secret(&a);
        free_secret(&r);
        return nax__error_oom();
    }
    free_secret(&s->access_token);
    free_secret(&s->refresh_token);
    s->access_token = a;
    s->refresh_token = r;
    s->refresh_at = s->expires_at = 0;
    if (a && expires_in_s > 0) {
        if (expires_in_s > MAX_LIFETIME_S)
            expires_in_s = MAX_LIFETIME_S;
        uint64_t life = (uint64_t)expires_in_s * 1000u;
        uint64_t ahead = life / 5 < REFRESH_AHEAD_MS ? life / 5 : REFRESH_AHEAD_MS;
        s->expires_at = nax__client_now_ms(c) + life;
        s->refresh_at = s->expires_at - ahead;
    }
    if (!a)
        free_secret(&s->last_token_json);
    s->generation++;
    return 0;
}

int nax_client_set_session(nax_client *c, const char *access, const char *refresh,
                           int64_t expires_in_s)
{
    if (!c)
        return nax__error_field(NAX_EINVAL, "client", "client must not be NULL");
    if (access && !*access)
        return nax__error_field(NAX_EINVAL, "access_token", "access_token is empty");
    for (const char *p = access; p && *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
            return nax__error_field(NAX_EINVAL, "access_token",
                                    "access_token has a character a header cannot carry");
    pthread_mutex_lock(&c->session.lock);
    int rc = set_tokens_locked(c, access, access ? refresh : NULL, expires_in_s);
    pthread_mutex_unlock(&c->session.lock);
    return rc;
}

int nax__client_store_token(nax_client *c, const nax_token *t)
{
    return nax_client_set_session(c, t->access_token, t->refresh_token, t->expires_in);
}

void nax__client_drop_session(nax_client *c)
{
    pthread_mutex_lock(&c->session.lock);
    set_tokens_locked(c, NULL, NULL, 0);
    pthread_mutex_unlock(&c->session.lock);
}

char *nax__client_refresh_token(nax_client *c)
{
    pthread_mutex_lock(&c->session.lock);
    char *r = c->session.refresh_token ? nax__strdup(c->session.refresh_token) : NULL;
    int had = c->session.refresh_token != NULL;
    pthread_mutex_unlock(&c->session.lock);
    if (!r) {
        if (had)
            nax__error_oom();
        else
            nax__error(NAX_ESTATE, "the client holds no refresh token (log in first)");
    }
    return r;
}

/* POST a token request; on success the client holds the new tokens and
 * *json the response body (for callers that want the nax_token). */
/* Store the pair only when the session is still generation `gen` (a logout
 * during a refresh must not be undone); NAX_ESTATE otherwise. */
static int store_if(nax_client *c, const nax_token *t, uint64_t gen)
{
    pthread_mutex_lock(&c->session.lock);
    int rc = c->session.generation == gen
                 ? set_tokens_locked(c, t->access_token, t->refresh_token, t->expires_in)
                 : nax__error(NAX_ESTATE, "the session was closed while it was being renewed");
    pthread_mutex_unlock(&c->session.lock);
    return rc;
}

static uint64_t generation_now(nax_client *c)
{
    pthread_mutex_lock(&c->session.lock);
    uint64_t g = c->session.generation;
    pthread_mutex_unlock(&c->session.lock);
    return g;
}

static int token_request(nax_client *c, const char *route, nax_type type, const void *body,
                         char **json, uint64_t gen)
{
    nax_buf raw = NAX_BUF_INIT;
    nax__call call = {0};
    call.method = "POST";
    call.route = route;
    call.target = route;
    call.group = NAX_GROUP_AUTH;
    call.auth = NAX__AUTH_REFRESH;
    call.request_type = type;
    call.request = body;
    call.response_raw = &raw;
    call.no_refresh_on_401 = 1;
    int rc = nax__client_call(c, &call);
    nax_token *t = NULL;
    if (!rc)
        rc = nax_decode(&t, NAX_TYPE_TOKEN, raw.data, raw.len, NULL);
    if (!rc)
        rc = store_if(c, t, gen);
    nax_object_free(t);
    if (!rc) {
        *json = raw.data; /* ownership moves to the caller */
        return 0;
    }
    if (raw.data)
        OPENSSL_cleanse(raw.data, raw.len);
    nax_buf_dispose(&raw);
    return rc;
}

static int login_with_password(nax_client *c, char **json, uint64_t gen)
{
    char code[16] = "";
    nax_login_request req = {sizeof req, c->email, c->password, NULL};
    if (c->totp_key_len) {
        int64_t t = nax__clock_server_now(c) / 1000;
        snprintf(code, sizeof code, "%06u",
                 (unsigned)nax__totp_at(c->totp_key, c->totp_key_len, t, 30, 6));
        req.totp_code = code;
    }
    int rc = token_request(c, "/v1/auth/login", NAX_TYPE_LOGIN_REQUEST, &req, json, gen);
    OPENSSL_cleanse(code, sizeof code);
    return rc;
}

/* Refresh with the refresh token, or log in again when there is none or
 * the server refused it and the client holds a password. */
static int renew(nax_client *c, char **json)
{
    char *refresh = NULL;
    pthread_mutex_lock(&c->session.lock);
    if (c->session.refresh_token)
        refresh = nax__strdup(c->session.refresh_token);
    int had = c->session.refresh_token != NULL;
    uint64_t gen = c->session.generation;
    pthread_mutex_unlock(&c->session.lock);
    if (had && !refresh)
        return nax__error_oom();
    int rc;
    if (refresh) {
        nax_refresh_request req = {sizeof req, refresh};
        rc = token_request(c, "/v1/auth/refresh", NAX_TYPE_REFRESH_REQUEST, &req, json, gen);
        free_secret(&refresh);
        if (rc != NAX_EAUTH)
            return rc;
        /* The refresh token is dead: drop it, unless the session changed meanwhile. */
        pthread_mutex_lock(&c->session.lock);
        if (c->session.generation == gen)
            set_tokens_locked(c, NULL, NULL, 0);
        gen = c->session.generation;
        pthread_mutex_unlock(&c->session.lock);
        if (!nax__session_has_login(c))
            return rc;
    } else if (!nax__session_has_login(c)) {
        return nax__error(NAX_ESTATE,
                          "the session cannot be renewed: no refresh token and no password");
    }
    return login_with_password(c, json, gen);
}

int nax__client_refresh(nax_client *c, nax_token **out)
{
    nax__session *s = &c->session;
    char *json = NULL;
    int rc;
    pthread_mutex_lock(&s->lock);
    if (s->refreshing) {
        while (s->refreshing)
            pthread_cond_wait(&s->done, &s->lock);
        rc = s->last_result;
        nax__error_state leader_error = s->last_error;
        int oom = 0;
        if (!rc && out && s->last_token_json && !(json = nax__strdup(s->last_token_json)))
            oom = 1;
        pthread_mutex_unlock(&s->lock);
        if (oom)
            return nax__error_oom();
        if (rc) {
            nax__error_restore(&leader_error); /* the refresh's own detail */
            return rc;
        }
    } else {
        s->refreshing = 1;
        pthread_mutex_unlock(&s->lock);
        rc = renew(c, &json);
        pthread_mutex_lock(&s->lock);
        s->refreshing = 0;
        s->last_result = rc;
        if (rc)
            nax__error_save(&s->last_error);
        free_secret(&s->last_token_json);
        if (!rc && json)
            s->last_token_json = nax__strdup(json); /* NULL on OOM: waiters then get none */
        pthread_cond_broadcast(&s->done);
        pthread_mutex_unlock(&s->lock);
        if (rc)
            return rc;
    }
    if (out) {
        *out = NULL;
        if (json)
            rc = nax_decode(out, NAX_TYPE_TOKEN, json, strlen(json), NULL);
        else
            rc = nax__error(NAX_ENOMEM, "out of memory");
    }
    free_secret(&json);
    return rc;
}

/* Build the header from the current token; the caller holds the lock. */
static int header_locked(nax__session *s, nax_buf *header, uint64_t *generation)
{
    nax__buf_reset(header);
    *generation = s->generation;
    return s->access_token ? nax__buf_printf(header, "Authorization: Bearer %s", s->access_token)
                           : 0;
}

int nax__session_header(nax_client *c, nax_buf *header, uint64_t *generation)
{
    nax__session *s = &c->session;
    pthread_mutex_lock(&s->lock);
    uint64_t now = nax__client_now_ms(c);
    int can_renew = s->refresh_token || nax__session_has_login(c);
    int fresh = s->access_token && (s->refresh_at == 0 || now < s->refresh_at || !can_renew);
    if (fresh || (!s->access_token && !nax__session_has_login(c))) {
        int rc = header_locked(s, header, generation); /* fresh, or no session at all */
        pthread_mutex_unlock(&s->lock);
        return rc;
    }
    pthread_mutex_unlock(&s->lock);
    int rc = nax__client_refresh(c, NULL);
    pthread_mutex_lock(&s->lock);
    now = nax__client_now_ms(c);
    int failed_early = rc;
    if (rc && s->access_token && s->expires_at && now < s->expires_at) {
        /* Renewing early failed, but the token still works: use it, try again later. */
        s->refresh_at = now + REFRESH_RETRY_MS;
        rc = 0;
    }
    if (!rc)
        rc = header_locked(s, header, generation);
    pthread_mutex_unlock(&s->lock);
    if (failed_early && !rc)
        nax__client_log(c, NAX_LOG_WARN, "nax: early token refresh failed (%s); retrying in %d ms",
                        nax_strerror(failed_early), REFRESH_RETRY_MS);
    return rc;
}

int nax__session_renew_after(nax_client *c, uint64_t generation)
{
    if (generation_now(c) != generation)
        return 0; /* another thread already replaced the session the request used */
    return nax__client_refresh(c, NULL);
}

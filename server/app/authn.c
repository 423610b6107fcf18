/*
 * Authentication of requests (Bearer JWT, operator token, signed API-key
 * requests), token issue, and the housekeeping of credentials in memory
 * (API-key last use, replay guard, expired refresh tokens).
 *
 * Error answers say as little as needed: a JWT is "invalid_token" whatever
 * check failed (only expiry and revocation are named), an unknown and a
 * revoked API key look the same.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app/app.h"
#include "app/internal.h"
#include "auth/auth.h"
#include "core/core.h"

#define JWT_LEEWAY_S      30
#define JTI_RANDOM_BYTES  6  /* jti = family (32 hex) "." 12 hex: fits nax__jwt_claims.jti */
#define REFRESH_RAW_BYTES 32 /* refresh tokens: "rt_" + base64url of 32 random bytes */
#define SEEN_PRUNE_MIN    1024
#define PRUNE_EVERY_MS    30000

_Static_assert(sizeof(uintptr_t) >= sizeof(int64_t), "replay expiry kept in a pointer");

/* ---- small helpers ---------------------------------------------------------- */

static void unauthorized(naxd_req *req, const char *code, const char *field, const char *msg)
{
    naxd_req_add_header(req, "WWW-Authenticate", "Bearer");
    naxd_fail(req, 401, code, field, "%s", msg);
}

/* The credential after "Bearer " (scheme case-insensitive), or NULL. */
static const char *bearer_token(naxd_req *req)
{
    const char *h = naxd_req_header(req, "authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return *h ? h : NULL;
}

static void set_principal_user(naxd_req *req, naxd_principal *who, naxd_user *u)
{
    char label[32];
    naxd_fmt_id(label, sizeof label, "u_", u->id);
    who->user = u;
    naxd_req_set_user_label(req, label);
}

/* ---- operator token ------------------------------------------------------------ */

static int authenticate_operator(naxd_app *a, naxd_req *req, naxd_principal *who)
{
    const char *want = a->cfg->operator_token;
    if (!want || !*want) {
        naxd_fail(req, 403, "forbidden", NULL, "operator routes are disabled on this server");
        return 1;
    }
    /* Wrong tokens spend the address's failed-attempt budget, so the token
     * cannot be guessed at the request rate. */
    char key[80];
    snprintf(key, sizeof key, "op:%s", naxd_req_peer(req));
    naxd_limit lim;
    naxd_limiter_take(a->limit_login_fail, key, naxd_req_start_ns(req), &lim);
    if (!lim.allowed) {
        naxd_req_ratelimit_headers(req, &lim);
        naxd_fail(req, 429, "too_many_attempts", NULL, "too many failed attempts");
        return 1;
    }
    const char *got = bearer_token(req);
    if (!got || !nax__ct_equal(got, strlen(got), want, strlen(want))) {
        unauthorized(req, "invalid_token", NULL, "a valid operator token is required");
        return 1;
    }
    naxd_limiter_refund(a->limit_login_fail, key, naxd_req_start_ns(req));
    snprintf(who->actor, sizeof who->actor, "operator");
    naxd_req_set_user_label(req, "operator");
    return 0;
}

/* ---- JWT sessions ----------------------------------------------------------- */

static int authn_fail(naxd_authn_fail *f, int status, const char *code, const char *field,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int authn_fail(naxd_authn_fail *f, int status, const char *code, const char *field,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    f->status = status;
    f->code = code;
    f->field = field;
    return -1;
}

/* Every 401 asks for a Bearer credential, whatever failed. */
static int reply_authn_fail(naxd_req *req, const naxd_authn_fail *f)
{
    if (f->status == 401)
        naxd_req_add_header(req, "WWW-Authenticate", "Bearer");
    naxd_fail(req, f->status, f->code, f->field, "%s", f->message);
    return 1;
}

int naxd__authn_jwt(naxd_app *a, const char *token, naxd_user **user, char *family,
                    size_t family_size, int64_t *expires_ms, naxd_authn_fail *f)
{
    const naxd_config *cfg = a->cfg;
    /* naxd signs with one key and names it nowhere: a token naming a key
     * (any kid) was not made here and is refused, whatever it is signed with. */
    nax__jwt_expect expect = {cfg->jwt_issuer,       cfg->jwt_audience, "access", "",
                              naxd_now_ms(a) / 1000, JWT_LEEWAY_S};
    nax__jwt_claims c;
    nax__jwt_status st = nax__jwt_verify_key(&c, token, strlen(token), a->jwt_mac, &expect);
    if (st == NAX__JWT_EXPIRED)
        return authn_fail(f, 401, "token_expired", NULL, "access token expired");
    if (st != NAX__JWT_OK)
        return authn_fail(f, 401, "invalid_token", NULL, "access token is not valid");
    const char *dot = strchr(c.jti, '.');
    size_t family_len = dot ? (size_t)(dot - c.jti) : 0;
    naxd_user *u = naxd_user_by_id(a, naxd_parse_id(c.sub, "u_"));
    if (!family_len || family_len >= family_size || !u)
        return authn_fail(f, 401, "invalid_token", NULL, "access token is not valid");
    memcpy(family, c.jti, family_len);
    family[family_len] = '\0';
    if (naxd_map_get(&a->revoked_families, family))
        return authn_fail(f, 401, "token_revoked", NULL, "this session was logged out");
    *user = u;
    if (expires_ms)
        *expires_ms = c.exp * 1000;
    return 0;
}

static int authenticate_jwt(naxd_app *a, naxd_req *req, const char *token, naxd_principal *who)
{
    naxd_authn_fail f;
    naxd_user *u;
    if (naxd__authn_jwt(a, token, &u, who->family, sizeof who->family, NULL, &f))
        return reply_authn_fail(req, &f);
    set_principal_user(req, who, u);
    snprintf(who->actor, sizeof who->actor, "user:u_%llu", (unsigned long long)u->id);
    return 0;
}

/* ---- API-key signatures --------------------------------------------------------- */

typedef struct prune_ctx {
    int64_t now;
} prune_ctx;

static int drop_expired_signature(const char *key, uint64_t ukey, void *value, void *arg)
{
    (void)key;
    (void)ukey;
    const prune_ctx *p = arg;
    return (int64_t)(uintptr_t)value <= p->now;
}

static void prune_seen_signatures(naxd_map *seen, int64_t now)
{
    prune_ctx p = {now};
    naxd_map_foreach(seen, drop_expired_signature, &p);
}

/* Remembers (key, timestamp, signature) until the timestamp leaves the
 * window. Returns 1 when it was seen before, 0 when new, <0 on OOM. The map
 * is pruned whenever it doubled since the last prune, so it stays within
 * twice the signatures of one window (plus the timer's prunes). */
static int remember_signature(naxd_map *seen_map, const char *key_id, const char *ts,
                              const char *sig, int64_t ts_ms, int64_t now, int64_t window)
{
    static size_t prune_at = SEEN_PRUNE_MIN;
    char seen[160];
    int n = snprintf(seen, sizeof seen, "%s:%s:%s", key_id, ts, sig);
    if (n < 0 || (size_t)n >= sizeof seen)
        return NAX_EINVAL;
    void *expiry = naxd_map_get(seen_map, seen);
    if (expiry && (int64_t)(uintptr_t)expiry > now)
        return 1;
    if (naxd_map_count(seen_map) >= prune_at) {
        prune_seen_signatures(seen_map, now);
        size_t live = naxd_map_count(seen_map);
        prune_at = live * 2 > SEEN_PRUNE_MIN ? live * 2 : SEEN_PRUNE_MIN;
    }
    int64_t until = (ts_ms > now ? ts_ms : now) + window + 1;
    return naxd_map_put(seen_map, seen, (void *)(uintptr_t)until);
}

/* Digits only, at most 18 (no overflow). -1 when malformed. */
static int64_t parse_timestamp(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 18)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static const char *scope_missing(unsigned int flags, unsigned int scopes)
{
    if ((flags & NAXD_R_SCOPE_READ) && !(scopes & NAX_SCOPE_READ))
        return "read";
    if ((flags & NAXD_R_SCOPE_TRADE) && !(scopes & NAX_SCOPE_TRADE))
        return "trade";
    if ((flags & NAXD_R_SCOPE_WITHDRAW) && !(scopes & NAX_SCOPE_WITHDRAW))
        return "withdraw";
    return NULL;
}

int naxd__signature_verify(const naxd_signed *s, const naxd_sig_check *c, naxd_authn_fail *f)
{
    int64_t ts_ms = parse_timestamp(s->timestamp);
    if (ts_ms < 0)
        return authn_fail(f, 401, "invalid_signature", "X-NAX-TIMESTAMP",
                          "X-NAX-TIMESTAMP must be milliseconds since the epoch, in decimal "
                          "digits");
    int64_t window = c->window_ms;
    if (s->window) {
        window = parse_timestamp(s->window);
        if (window < 1 || window > NAXD_MAX_RECV_WINDOW_MS)
            return authn_fail(f, 400, "invalid_request", "X-NAX-RECV-WINDOW",
                              "X-NAX-RECV-WINDOW must be 1 to 60000 milliseconds");
    }
    int64_t now = c->now_ms;
    int64_t skew = ts_ms > now ? ts_ms - now : now - ts_ms;
    if (skew > window)
        return authn_fail(f, 401, "timestamp_out_of_window", "X-NAX-TIMESTAMP",
                          "X-NAX-TIMESTAMP is %lld ms away from server time (window %lld ms)",
                          (long long)skew, (long long)window);
    /* The replay guard is memory: what was signed before this process
     * started may have been seen by the one before it. */
    if (ts_ms < c->not_before_ms)
        return authn_fail(f, 401, "timestamp_out_of_window", "X-NAX-TIMESTAMP",
                          "X-NAX-TIMESTAMP is from before the server started; sign again");
    char expected[65];
    if (nax__request_signature(expected, c->secret, s->timestamp, s->method, s->target, s->body,
                               s->body_len) != 0)
        return authn_fail(f, 500, "internal_error", NULL, "the signature could not be checked");
    if (!nax__ct_equal(expected, 64, s->signature, strlen(s->signature)))
        return authn_fail(f, 401, "invalid_signature", "X-NAX-SIGNATURE",
                          "the signature does not match the request");
    if (!c->seen)
        return 0;
    int seen =
        remember_signature(c->seen, s->key_id, s->timestamp, s->signature, ts_ms, now, window);
    if (seen < 0)
        return authn_fail(f, 500, "internal_error", NULL, "out of memory");
    if (seen)
        return authn_fail(f, 401, "replayed_request", "X-NAX-SIGNATURE",
                          "this signed request was already received");
    return 0;
}

int naxd__authn_signature(naxd_app *a, const naxd_signed *s, naxd_api_key_rec **key,
                          naxd_user **user, naxd_authn_fail *f)
{
    naxd_api_key_rec *k = strlen(s->key_id) <= 64 ? naxd_map_get(&a->api_keys, s->key_id) : NULL;
    naxd_user *u = k && !k->revoked ? naxd_user_by_id(a, k->user) : NULL;
    if (!u)
        return authn_fail(f, 401, "invalid_api_key", "X-NAX-APIKEY", "unknown or revoked API key");
    naxd_sig_check chk = {k->secret, naxd_now_ms(a), a->cfg->recv_window_ms,
                          a->started_ms + a->clock_skew_ms, &a->seen_signatures};
    if (naxd__signature_verify(s, &chk, f))
        return -1;
    int64_t now = chk.now_ms;
    k->last_used_at = now;
    k->last_used_dirty = 1;
    *key = k;
    *user = u;
    return 0;
}

static int authenticate_api_key(naxd_app *a, naxd_req *req, const naxd_route *route,
                                naxd_principal *who)
{
    static const char *const names[3] = {"X-NAX-APIKEY", "X-NAX-TIMESTAMP", "X-NAX-SIGNATURE"};
    const char *v[3];
    for (int i = 0; i < 3; i++) {
        v[i] = naxd_req_header(req, names[i]);
        if (!v[i] || !*v[i]) {
            char msg[96];
            snprintf(msg, sizeof msg, "the %s header is required for API-key requests", names[i]);
            unauthorized(req, "invalid_signature", names[i], msg);
            return 1;
        }
    }
    naxd_signed s = {v[0],
                     v[1],
                     v[2],
                     naxd_req_header(req, "x-nax-recv-window"),
                     naxd_req_method_name(req),
                     naxd_req_target(req),
                     NULL,
                     0};
    s.body = naxd_req_body(req, &s.body_len);
    naxd_authn_fail f;
    naxd_api_key_rec *k;
    naxd_user *u;
    if (naxd__authn_signature(a, &s, &k, &u, &f))
        return reply_authn_fail(req, &f);
    if (route->flags & NAXD_R_SESSION) {
        naxd_fail(req, 403, "session_required", NULL,
                  "this operation needs a user session (Bearer token), not an API key");
        return 1;
    }
    const char *missing = scope_missing(route->flags, k->scopes);
    if (missing) {
        naxd_fail(req, 403, "insufficient_scope", NULL, "API key lacks the %s scope", missing);
        return 1;
    }
    set_principal_user(req, who, u);
    who->api_key = k;
    snprintf(who->actor, sizeof who->actor, "apikey:%s", k->id);
    return 0;
}

int naxd_authenticate(naxd_app *a, naxd_req *req, const naxd_route *route)
{
    naxd_ctx *ctx = naxd_ctx_of(req);
    naxd_principal *who = &ctx->who;
    if (route->flags & NAXD_R_OPERATOR)
        return authenticate_operator(a, req, who);
    if (naxd_req_header(req, "authorization")) {
        const char *token = bearer_token(req);
        if (!token) {
            unauthorized(req, "invalid_token", NULL, "Authorization must be \"Bearer <token>\"");
            return 1;
        }
        return authenticate_jwt(a, req, token, who);
    }
    if (naxd_req_header(req, "x-nax-apikey") || naxd_req_header(req, "x-nax-signature") ||
        naxd_req_header(req, "x-nax-timestamp"))
        return authenticate_api_key(a, req, route, who);
    unauthorized(req, "unauthorized", NULL,
                 "credentials required: a Bearer token or a signed API-key request");
    return 1;
}

/* ---- token issue ------------------------------------------------------------ */

static int copy_claim(char *out, size_t size, const char *value)
{
    int n = snprintf(out, size, "%s", value ? value : "");
    return n < 0 || (size_t)n >= size ? NAX_EINVAL : 0;
}

static void free_refresh(naxd_refresh *r)
{
    if (!r)
        return;
    nax__free(r->token_hash);
    nax__free(r->family);
    nax__free(r);
}

int naxd_issue_tokens(naxd_app *a, naxd_mut *m, naxd_user *u, const char *family, nax_token *out,
                      nax_buf *access, nax_buf *refresh)
{
    const naxd_config *cfg = a->cfg;
    int64_t now_ms = naxd_now_ms(a), now_s = now_ms / 1000;
    nax__jwt_claims c;
    memset(&c, 0, sizeof c);
    unsigned char rnd[REFRESH_RAW_BYTES];
    char jti_rand[2 * JTI_RANDOM_BYTES + 1];
    int rc = nax__random_bytes(rnd, JTI_RANDOM_BYTES);
    if (rc)
        return rc;
    nax__hex_encode(jti_rand, rnd, JTI_RANDOM_BYTES);
    snprintf(c.sub, sizeof c.sub, "u_%llu", (unsigned long long)u->id);
    if (copy_claim(c.iss, sizeof c.iss, cfg->jwt_issuer) ||
        copy_claim(c.aud, sizeof c.aud, cfg->jwt_audience) ||
        copy_claim(c.typ, sizeof c.typ, "access"))
        return nax__error(NAX_EINVAL, "JWT issuer or audience too long");
    int n = snprintf(c.jti, sizeof c.jti, "%s.%s", family, jti_rand);
    if (n < 0 || (size_t)n >= sizeof c.jti)
        return nax__error(NAX_EINVAL, "session family id too long");
    c.iat = c.nbf = now_s;
    c.exp = now_s + cfg->access_ttl_s;

    nax__buf_reset(access);
    nax__buf_reset(refresh);
    if ((rc = nax__jwt_sign_key(access, a->jwt_mac, &c)) != 0)
        return rc;
    if ((rc = nax__random_bytes(rnd, sizeof rnd)) != 0 ||
        (rc = nax__buf_append_str(refresh, "rt_")) != 0 ||
        (rc = nax__base64url_encode(refresh, rnd, sizeof rnd)) != 0) {
        memset(rnd, 0, sizeof rnd);
        return rc;
    }
    memset(rnd, 0, sizeof rnd);

    unsigned char digest[NAX__SHA256_LEN];
    char hash_hex[2 * NAX__SHA256_LEN + 1];
    if ((rc = nax__sha256(digest, refresh->data, refresh->len)) != 0)
        return rc;
    nax__hex_encode(hash_hex, digest, sizeof digest);

    naxd_refresh *r = nax__calloc(1, sizeof *r);
    if (!r || !(r->token_hash = nax__strdup(hash_hex)) || !(r->family = nax__strdup(family))) {
        free_refresh(r);
        return nax__error_oom();
    }
    r->user = u->id;
    r->expires_at = now_ms + cfg->refresh_ttl_s * 1000;
    rc = naxd_batch_sql(naxd_mut_batch(m),
                        "INSERT INTO refresh_tokens(token_hash, family, user_id, expires_at, used, "
                        "revoked) VALUES(?, ?, ?, ?, 0, 0)",
                        "ttui", r->token_hash, r->family, r->user, r->expires_at);
    if (!rc)
        rc = naxd_map_put(&a->refresh_tokens, hash_hex, r);
    if (rc) {
        free_refresh(r);
        return rc;
    }
    memset(out, 0, sizeof *out);
    out->struct_size = sizeof *out;
    out->access_token = access->data;
    out->refresh_token = refresh->data;
    out->token_type = "Bearer";
    out->expires_in = cfg->access_ttl_s;
    out->refresh_expires_in = cfg->refresh_ttl_s;
    return 0;
}

/* ---- housekeeping (timer) ----------------------------------------------------- */

static int drop_expired_refresh(const char *key, uint64_t ukey, void *value, void *arg)
{
    (void)key;
    (void)ukey;
    const prune_ctx *p = arg;
    naxd_refresh *r = value;
    if (r->expires_at > p->now)
        return 0;
    free_refresh(r);
    return 1;
}

typedef struct flush_ctx {
    naxd_batch *b;
    int rc;
    int clear; /* second pass: the batch is built, clear the flags */
} flush_ctx;

static int flush_key(const char *key, uint64_t ukey, void *value, void *arg)
{
    (void)key;
    (void)ukey;
    naxd_api_key_rec *k = value;
    flush_ctx *f = arg;
    if (!k->last_used_dirty)
        return 0;
    if (f->clear) {
        k->last_used_dirty = 0;
        return 0;
    }
    if (!f->rc)
        f->rc = naxd_batch_sql(f->b, "UPDATE api_keys SET last_used_at = ? WHERE id = ?", "it",
                               k->last_used_at, k->id);
    return 0;
}

static void key_use_flushed(void *arg, int status)
{
    naxd_app *a = arg;
    if (status == 0)
        return;
    /* The store is failing: stop writes and restore memory like a failed mutation. */
    if (!a->store_failed)
        nax__log(NAX_LOG_ERROR, "naxd: writing API-key last use failed (%s)", nax_strerror(status));
    naxd__store_failed(a);
    naxd__maybe_reload(a);
}

void naxd_flush_api_key_use(naxd_app *a)
{
    /* Pruning walks whole maps: every PRUNE_EVERY_MS is enough. */
    static int64_t next_prune;
    prune_ctx p = {naxd_now_ms(a)};
    if (p.now >= next_prune) {
        naxd_map_foreach(&a->seen_signatures, drop_expired_signature, &p);
        naxd_map_foreach(&a->refresh_tokens, drop_expired_refresh, &p);
        next_prune = p.now + PRUNE_EVERY_MS;
    }
    if (a->store_failed || !a->store)
        return;
    flush_ctx f = {naxd_batch_new(), 0, 0};
    if (!f.b)
        return;
    naxd_map_foreach(&a->api_keys, flush_key, &f);
    if (f.rc || naxd_batch_empty(f.b)) {
        naxd_batch_free(f.b);
        return;
    }
    f.clear = 1;
    naxd_map_foreach(&a->api_keys, flush_key, &f);
    naxd_store_submit(a->store, f.b, key_use_flushed, a);
}

/* ---- two-factor codes -------------------------------------------------------------- */

int64_t naxd_totp_check(naxd_app *a, naxd_req *req, naxd_user *u, const char *code, int fail_status,
                        const char *fail_code, const char *field)
{
    char key[48];
    naxd_fmt_id(key, sizeof key, "totp:u_", u->id);
    int64_t now_ns = naxd_req_start_ns(req);
    naxd_limit lim;
    naxd_limiter_take(a->limit_totp, key, now_ns, &lim);
    if (!lim.allowed) {
        naxd_req_ratelimit_headers(req, &lim);
        naxd_fail(req, 429, "too_many_attempts", field,
                  "too many two-factor attempts; retry in %u s", lim.retry_after_s);
        return -1;
    }
    unsigned char secret[64];
    long len = u->totp_secret ? nax__base32_decode(secret, sizeof secret, u->totp_secret,
                                                   strlen(u->totp_secret))
                              : -1;
    int64_t step = len > 0 && code
                       ? nax__totp_verify(secret, (size_t)len, code, naxd_now_ms(a) / 1000, 1)
                       : -1;
    memset(secret, 0, sizeof secret);
    if (len <= 0) {
        naxd_fail(req, 500, "internal_error", NULL, "the stored TOTP secret is unusable");
        return -1;
    }
    if (step < 0 || step <= u->totp_last_step) {
        naxd_fail(req, fail_status, fail_code, field, "the TOTP code is wrong, expired or used");
        return -1;
    }
    naxd_limiter_refund(a->limit_totp, key, now_ns);
    return step;
}

int naxd_totp_use(naxd_user *u, naxd_batch *b, int64_t step)
{
    u->totp_last_step = step;
    return naxd_batch_sql(b, "UPDATE users SET totp_last_step = ? WHERE id = ?", "iu", step, u->id);
}

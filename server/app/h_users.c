/*
 * Users: registration, the profile, KYC (status, document upload, the
 * operator's decision) and rebuilding users and credentials from the store.
 *
 * Registration reserves the email in memory before the (slow) password hash
 * runs on a worker, so two concurrent registrations of one email cannot both
 * pass. KYC files are written and fsynced on a worker before the row that
 * names them is committed; a failed commit removes the file again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/app.h"
#include "auth/auth.h"
#include "auth/json_walk.h"
#include "core/core.h"

#define EMAIL_MAX        254
#define EMAIL_LOCAL_MAX  64
#define FULL_NAME_MAX    200 /* docs/openapi.yaml: maxLength 200 */
#define FILE_NAME_MAX    255
#define KYC_REASON_MAX   500
#define KYC_DOC_MAX      (8u << 20) /* decoded bytes; docs/openapi.yaml: default 8 MiB */
#define PASSWORD_HASH_SZ 256
#define PRUNE_MARGIN_MS  60000

/* ---- small helpers ------------------------------------------------------------------ */

static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

static void user_free(naxd_user *u)
{
    if (!u)
        return;
    nax__free(u->email);
    if (u->password_hash)
        wipe(u->password_hash, strlen(u->password_hash));
    nax__free(u->password_hash);
    nax__free(u->full_name);
    nax__free(u->country);
    nax__free(u->phone);
    nax__free(u->kyc_reason);
    if (u->totp_secret)
        wipe(u->totp_secret, strlen(u->totp_secret));
    nax__free(u->totp_secret);
    nax__free(u);
}

static char *dup_or_null(const char *s, int *failed)
{
    if (!s)
        return NULL;
    char *d = nax__strdup(s);
    if (!d)
        *failed = 1;
    return d;
}

static void profile_of(nax_profile *p, char id[32], const naxd_user *u)
{
    memset(p, 0, sizeof *p);
    naxd_fmt_id(id, 32, "u_", u->id);
    p->struct_size = sizeof *p;
    p->id = id;
    p->email = u->email;
    p->full_name = u->full_name;
    p->country = u->country;
    p->phone = u->phone;
    p->kyc_status = u->kyc_status;
    p->totp_enabled = u->totp_enabled != 0;
    p->created_at = u->created_at;
}

static void fail_oom(naxd_req *req)
{
    naxd_fail(req, 500, "internal_error", NULL, "out of memory");
}

/* ---- validation -------------------------------------------------------------------- */

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The dot-atom subset of RFC 5322 that mail systems actually accept:
 * local part of atext with single inner dots, a domain of two or more
 * LDH labels and an alphabetic top-level label. ASCII only. */
static int email_valid(const char *e)
{
    size_t n = strlen(e);
    const char *at = strchr(e, '@');
    if (n > EMAIL_MAX || !at || strchr(at + 1, '@'))
        return 0;
    size_t local = (size_t)(at - e);
    if (local < 1 || local > EMAIL_LOCAL_MAX || e[0] == '.' || at[-1] == '.')
        return 0;
    for (const char *p = e; p < at; p++) {
        if (*p == '.' ? p[1] == '.' : !(is_alnum(*p) || strchr("!#$%&'*+-/=?^_`{|}~", *p)))
            return 0;
    }
    const char *label = at + 1;
    int labels = 0;
    for (;;) {
        const char *end = strchr(label, '.');
        size_t len = end ? (size_t)(end - label) : strlen(label);
        if (len < 1 || len > 63 || label[0] == '-' || label[len - 1] == '-')
            return 0;
        for (size_t i = 0; i < len; i++)
            if (!is_alnum(label[i]) && label[i] != '-')
                return 0;
        labels++;
        if (!end)
            break;
        label = end + 1;
    }
    if (labels < 2 || strlen(label) < 2)
        return 0;
    for (const char *p = label; *p; p++)
        if (!is_alpha(*p))
            return 0;
    return 1;
}

/* Code points of valid UTF-8 (the codec checked validity); -1 when it holds
 * a control character. */
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

static int country_valid(const char *c)
{
    return c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z' && c[2] == '\0';
}

/* E.164: "+", a non-zero digit, then 1 to 14 digits. */
static int phone_valid(const char *p)
{
    if (p[0] != '+' || p[1] < '1' || p[1] > '9')
        return 0;
    size_t digits = 0;
    for (const char *q = p + 1; *q; q++, digits++)
        if (*q < '0' || *q > '9')
            return 0;
    return digits >= 2 && digits <= 15;
}

/* Checks the optional profile members; replies 400 and returns -1 when one is bad. */
static int profile_fields_valid(naxd_req *req, const char *full_name, const char *country,
                                const char *phone)
{
    long len = full_name ? text_length(full_name) : 1;
    if (len < 1 || len > FULL_NAME_MAX) {
        naxd_fail(req, 400, "invalid_request", "full_name",
                  "full_name must be 1 to %d characters without control characters", FULL_NAME_MAX);
        return -1;
    }
    if (country && !country_valid(country)) {
        naxd_fail(req, 400, "invalid_request", "country",
                  "country must be an ISO 3166-1 alpha-2 code in capitals, e.g. AU");
        return -1;
    }
    if (phone && !phone_valid(phone)) {
        naxd_fail(req, 400, "invalid_request", "phone",
                  "phone must be in E.164 form, e.g. +61412345678");
        return -1;
    }
    return 0;
}

/* ---- registration ------------------------------------------------------------------ */

typedef struct register_job {
    naxd_app *a;
    naxd_req *req;
    uint64_t generation;
    naxd_user *u; /* the reservation; valid while the generation holds */
    char *password;
    naxd_kdf_params kdf;
    char hash[PASSWORD_HASH_SZ];
    int rc;
} register_job;

static void unreserve(naxd_app *a, naxd_user *u)
{
    naxd_map_del(&a->users_by_email, u->email);
    naxd_map_del_u64(&a->users_by_id, u->id);
    user_free(u);
}

static void register_job_free(register_job *j)
{
    if (j->password) {
        wipe(j->password, strlen(j->password));
        nax__free(j->password);
    }
    wipe(j->hash, sizeof j->hash);
    nax__free(j);
}

static void register_work(void *arg)
{
    register_job *j = arg;
    j->rc = naxd_password_hash(j->hash, sizeof j->hash, j->password, &j->kdf);
}

static void register_done(void *arg)
{
    register_job *j = arg;
    naxd_app *a = j->a;
    naxd_req *req = j->req;
    naxd_user *u = j->u;
    if (a->generation != j->generation) {
        /* The reservation went with the reload. */
        naxd_fail(req, 503, "store_unavailable", NULL, "the server state was restored; retry");
        register_job_free(j);
        return;
    }
    char *hash = j->rc ? NULL : nax__strdup(j->hash);
    if (!hash) {
        unreserve(a, u);
        naxd_fail(req, 500, "internal_error", NULL, "the password could not be hashed");
        register_job_free(j);
        return;
    }
    naxd_mut *m = naxd_mut_begin(a, req);
    if (!m) {
        nax__free(hash);
        unreserve(a, u);
        register_job_free(j);
        return;
    }
    naxd_ctx *ctx = naxd_ctx_of(req);
    if (ctx)
        snprintf(ctx->who.actor, sizeof ctx->who.actor, "user:u_%llu", (unsigned long long)u->id);
    char id[32];
    nax_profile p;
    profile_of(&p, id, u);
    nax_buf after = NAX_BUF_INIT;
    naxd_batch *b = naxd_mut_batch(m);
    int rc = nax_encode(&after, NAX_TYPE_PROFILE, &p);
    if (!rc)
        rc = naxd_batch_sql(b,
                            "INSERT INTO users(id, email, password_hash, full_name, country, "
                            "kyc_status, kyc_updated_at, totp_enabled, created_at) "
                            "VALUES(?, ?, ?, ?, ?, ?, ?, 0, ?)",
                            "uttttiii", u->id, u->email, hash, u->full_name, u->country,
                            (int64_t)u->kyc_status, u->kyc_updated_at, u->created_at);
    if (!rc)
        rc = naxd_batch_counter(b, "next_user_id", a->next_user_id);
    if (!rc)
        rc = naxd_mut_audit(m, "user.register", NULL, after.data);
    nax_buf_dispose(&after);
    if (rc) {
        naxd_mut_abort(m);
        wipe(hash, strlen(hash));
        nax__free(hash);
        unreserve(a, u);
        fail_oom(req);
        register_job_free(j);
        return;
    }
    u->password_hash = hash;
    u->reserved = 0;
    register_job_free(j);
    naxd_mut_commit(m, 201, NAX_TYPE_PROFILE, &p);
}

/* A reserved user: holds the email (and id) until the hash is ready. */
static naxd_user *reserve(naxd_app *a, const nax_register_request *in, char *email)
{
    naxd_user *u = nax__calloc(1, sizeof *u);
    int failed = 0;
    if (!u) {
        nax__free(email);
        return NULL;
    }
    u->email = email;
    u->full_name = dup_or_null(in->full_name, &failed);
    u->country = dup_or_null(in->country, &failed);
    u->reserved = 1;
    u->kyc_status = NAX_KYC_STATUS_UNVERIFIED;
    u->created_at = u->kyc_updated_at = naxd_now_ms(a);
    if (a->next_user_id == 0)
        a->next_user_id = 1;
    u->id = a->next_user_id;
    if (failed || naxd_map_put_u64(&a->users_by_id, u->id, u)) {
        user_free(u);
        return NULL;
    }
    if (naxd_map_put(&a->users_by_email, u->email, u)) {
        naxd_map_del_u64(&a->users_by_id, u->id);
        user_free(u);
        return NULL;
    }
    a->next_user_id++;
    return u;
}

NAXD_HANDLER(h_register)
{
    naxd_app *a = app;
    nax_register_request *in = NULL;
    if (naxd_decode_body(req, NAX_TYPE_REGISTER_REQUEST, &in))
        return;
    register_job *j = NULL;
    char *email = NULL;
    if (!email_valid(in->email)) {
        naxd_fail(req, 400, "invalid_request", "email", "email is not a valid address");
    } else if (profile_fields_valid(req, in->full_name, in->country, NULL)) {
        /* replied */
    } else if (naxd_password_policy(in->password)) {
        naxd_fail(req, 422, "weak_password", "password", "%s", nax_error_last()->message);
    } else if (!(email = nax__strdup(in->email))) {
        fail_oom(req);
    } else {
        for (char *p = email; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        if (naxd_map_get(&a->users_by_email, email)) {
            nax__free(email);
            naxd_fail(req, 409, "email_taken", "email", "an account with this email exists");
        } else if (!(j = nax__calloc(1, sizeof *j)) || !(j->password = nax__strdup(in->password))) {
            nax__free(email);
            if (j)
                register_job_free(j);
            j = NULL;
            fail_oom(req);
        } else if (!(j->u = reserve(a, in, email))) { /* reserve owns email */
            register_job_free(j);
            j = NULL;
            fail_oom(req);
        }
    }
    wipe((void *)in->password, strlen(in->password));
    nax_object_free(in);
    if (!j)
        return;
    j->a = a;
    j->req = req;
    j->generation = a->generation;
    j->kdf = a->cfg->kdf;
    if (naxd_http_work(a->http, register_work, register_done, j) != 0) {
        unreserve(a, j->u);
        register_job_free(j);
        naxd_fail(req, 503, "unavailable", NULL, "the server is busy; retry shortly");
    }
}

/* ---- profile ---------------------------------------------------------------------- */

NAXD_HANDLER(h_profile_get)
{
    naxd_app *a = app;
    char id[32];
    nax_profile p;
    profile_of(&p, id, naxd_ctx_of(req)->who.user);
    naxd_ok(a, req, 200, NAX_TYPE_PROFILE, &p);
}

NAXD_HANDLER(h_profile_put)
{
    naxd_app *a = app;
    naxd_user *u = naxd_ctx_of(req)->who.user;
    nax_profile_update *in = NULL;
    if (naxd_decode_body(req, NAX_TYPE_PROFILE_UPDATE, &in))
        return;
    if (profile_fields_valid(req, in->full_name, in->country, in->phone)) {
        nax_object_free(in);
        return;
    }
    char id[32];
    nax_profile p;
    if (!in->full_name && !in->country && !in->phone) {
        nax_object_free(in);
        profile_of(&p, id, u);
        naxd_ok(a, req, 200, NAX_TYPE_PROFILE, &p);
        return;
    }
    int failed = 0;
    char *name = dup_or_null(in->full_name, &failed);
    char *country = dup_or_null(in->country, &failed);
    char *phone = dup_or_null(in->phone, &failed);
    /* The audit keeps the changed members, before and after. */
    nax_profile_update before = {sizeof before, in->full_name ? u->full_name : NULL,
                                 in->country ? u->country : NULL, in->phone ? u->phone : NULL};
    nax_buf bj = NAX_BUF_INIT, aj = NAX_BUF_INIT;
    if (!failed)
        failed = nax_encode(&bj, NAX_TYPE_PROFILE_UPDATE, &before) ||
                 nax_encode(&aj, NAX_TYPE_PROFILE_UPDATE, in);
    nax_object_free(in);
    naxd_mut *m = NULL;
    if (failed) {
        fail_oom(req);
    } else if ((m = naxd_mut_begin(a, req)) != NULL) {
        const char *nn = name ? name : u->full_name, *nc = country ? country : u->country,
                   *np = phone ? phone : u->phone;
        if (naxd_batch_sql(naxd_mut_batch(m),
                           "UPDATE users SET full_name = ?, country = ?, phone = ? WHERE id = ?",
                           "tttu", nn, nc, np, u->id) ||
            naxd_mut_audit(m, "user.profile", bj.data, aj.data)) {
            naxd_mut_abort(m);
            fail_oom(req);
        } else {
            if (name) {
                nax__free(u->full_name);
                u->full_name = name;
                name = NULL;
            }
            if (country) {
                nax__free(u->country);
                u->country = country;
                country = NULL;
            }
            if (phone) {
                nax__free(u->phone);
                u->phone = phone;
                phone = NULL;
            }
            profile_of(&p, id, u);
            naxd_mut_commit(m, 200, NAX_TYPE_PROFILE, &p);
        }
    }
    nax__free(name);
    nax__free(country);
    nax__free(phone);
    nax_buf_dispose(&bj);
    nax_buf_dispose(&aj);
}

/* ---- KYC ---------------------------------------------------------------------------- */

static void kyc_of(nax_kyc *k, const naxd_user *u)
{
    memset(k, 0, sizeof *k);
    k->struct_size = sizeof *k;
    k->status = u->kyc_status;
    k->reason = u->kyc_reason;
    k->updated_at = u->kyc_updated_at;
}

NAXD_HANDLER(h_kyc_status)
{
    naxd_app *a = app;
    nax_kyc k;
    kyc_of(&k, naxd_ctx_of(req)->who.user);
    naxd_ok(a, req, 200, NAX_TYPE_KYC, &k);
}

static const char *const kyc_content_types[] = {"image/png", "image/jpeg", "application/pdf"};

/* Does the file start like its declared type? */
static int content_matches(const char *type, const unsigned char *d, size_t n)
{
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    static const unsigned char jpeg[] = {0xff, 0xd8, 0xff};
    if (strcmp(type, "image/png") == 0)
        return n >= sizeof png && memcmp(d, png, sizeof png) == 0;
    if (strcmp(type, "image/jpeg") == 0)
        return n >= sizeof jpeg && memcmp(d, jpeg, sizeof jpeg) == 0;
    return n >= 5 && memcmp(d, "%PDF-", 5) == 0;
}

typedef struct kyc_job {
    naxd_app *a;
    naxd_req *req;
    uint64_t generation;
    uint64_t user;
    uint64_t doc;
    nax_document_type type;
    char *file_name, *content_type;
    unsigned char *data;
    size_t len;
    char *dir_kyc, *dir_user, *full_path, *rel_path;
    int err; /* errno of the failed step, 0 when the file is durable */
} kyc_job;

static void kyc_job_free(kyc_job *j)
{
    nax__free(j->file_name);
    nax__free(j->content_type);
    nax__free(j->data);
    nax__free(j->dir_kyc);
    nax__free(j->dir_user);
    nax__free(j->full_path);
    nax__free(j->rel_path);
    nax__free(j);
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int rc = fsync(fd) ? errno : 0;
    close(fd);
    return rc;
}

static int make_dir(const char *dir, const char *parent)
{
    if (mkdir(dir, 0700) == 0)
        return fsync_dir(parent); /* the new entry itself must survive a crash */
    return errno == EEXIST ? 0 : errno;
}

/* Worker: write the file 0600, fsync it and the folders that name it. */
static void kyc_work(void *arg)
{
    kyc_job *j = arg;
    const char *data_dir = j->a->cfg->data_dir;
    if ((j->err = make_dir(j->dir_kyc, data_dir)) || (j->err = make_dir(j->dir_user, j->dir_kyc)))
        return;
    int fd = open(j->full_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        j->err = errno;
        return;
    }
    size_t off = 0;
    while (off < j->len) {
        ssize_t w = write(fd, j->data + off, j->len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            j->err = w < 0 ? errno : EIO;
            break;
        }
        off += (size_t)w;
    }
    if (!j->err && fsync(fd))
        j->err = errno;
    if (close(fd) && !j->err)
        j->err = errno;
    if (!j->err)
        j->err = fsync_dir(j->dir_user);
    if (j->err)
        unlink(j->full_path);
}

static void remove_unsaved_file(naxd_app *a, void *arg, int status)
{
    (void)a;
    if (status != 0)
        unlink(arg);
    nax__free(arg);
}

static void kyc_done(void *arg)
{
    kyc_job *j = arg;
    naxd_app *a = j->a;
    naxd_req *req = j->req;
    naxd_user *u = naxd_user_by_id(a, j->user);
    if (j->err) {
        nax__log(NAX_LOG_ERROR, "naxd: storing a KYC document failed: %s", strerror(j->err));
        naxd_fail(req, 500, "internal_error", NULL, "the document could not be stored");
        kyc_job_free(j);
        return;
    }
    if (a->generation != j->generation || !u) {
        unlink(j->full_path);
        naxd_fail(req, 503, "store_unavailable", NULL, "the server state was restored; retry");
        kyc_job_free(j);
        return;
    }
    naxd_mut *m = naxd_mut_begin(a, req);
    if (!m) {
        unlink(j->full_path);
        kyc_job_free(j);
        return;
    }
    int64_t now = naxd_now_ms(a);
    char id[32];
    naxd_fmt_id(id, sizeof id, "doc_", j->doc);
    nax_kyc_document doc = {sizeof doc, id, j->type, NAX_KYC_STATUS_PENDING, (int64_t)j->len, now};
    /* A verified user stays verified; anyone else now waits for review. */
    int to_pending = u->kyc_status != NAX_KYC_STATUS_VERIFIED;
    naxd_batch *b = naxd_mut_batch(m);
    nax_buf after = NAX_BUF_INIT;
    char *unlink_path = nax__strdup(j->full_path);
    int rc = unlink_path ? nax_encode(&after, NAX_TYPE_KYC_DOCUMENT, &doc) : NAX_ENOMEM;
    if (!rc)
        rc = naxd_batch_sql(b,
                            "INSERT INTO kyc_documents(id, user_id, document_type, file_name, "
                            "content_type, size_bytes, path, created_at) "
                            "VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                            "tuittiti", id, u->id, (int64_t)j->type, j->file_name, j->content_type,
                            (int64_t)j->len, j->rel_path, now);
    if (!rc && to_pending)
        rc = naxd_batch_sql(b,
                            "UPDATE users SET kyc_status = ?, kyc_reason = NULL, "
                            "kyc_updated_at = ? WHERE id = ?",
                            "iiu", (int64_t)NAX_KYC_STATUS_PENDING, now, u->id);
    if (!rc)
        rc = naxd_batch_counter(b, "next_doc_id", a->next_doc_id);
    if (!rc)
        rc = naxd_mut_audit(m, "kyc.upload", NULL, after.data);
    nax_buf_dispose(&after);
    if (rc) {
        naxd_mut_abort(m);
        nax__free(unlink_path);
        unlink(j->full_path);
        fail_oom(req);
        kyc_job_free(j);
        return;
    }
    if (to_pending) {
        u->kyc_status = NAX_KYC_STATUS_PENDING;
        nax__free(u->kyc_reason);
        u->kyc_reason = NULL;
        u->kyc_updated_at = now;
    }
    kyc_job_free(j);
    naxd_mut_on_done(m, remove_unsaved_file, unlink_path);
    naxd_mut_commit(m, 201, NAX_TYPE_KYC_DOCUMENT, &doc);
}

/* Validates and decodes the request into a job; replies and returns NULL on failure. */
static kyc_job *kyc_job_from(naxd_app *a, naxd_req *req, const nax_kyc_document_request *in)
{
    long name_len = text_length(in->file_name);
    if (name_len < 1 || name_len > FILE_NAME_MAX) {
        naxd_fail(req, 400, "invalid_request", "file_name",
                  "file_name must be 1 to %d characters without control characters", FILE_NAME_MAX);
        return NULL;
    }
    int known = 0;
    for (size_t i = 0; i < sizeof kyc_content_types / sizeof *kyc_content_types; i++)
        known |= strcmp(in->content_type, kyc_content_types[i]) == 0;
    if (!known) {
        naxd_fail(req, 400, "invalid_request", "content_type",
                  "content_type must be image/png, image/jpeg or application/pdf");
        return NULL;
    }
    size_t b64 = strlen(in->content_base64);
    if (b64 < 4 || b64 % 4) {
        naxd_fail(req, 400, "invalid_request", "content_base64",
                  "content_base64 is not padded base64");
        return NULL;
    }
    size_t size =
        b64 / 4 * 3 - (in->content_base64[b64 - 1] == '=') - (in->content_base64[b64 - 2] == '=');
    if (size > KYC_DOC_MAX) {
        naxd_fail(req, 413, "payload_too_large", "content_base64",
                  "the document is %zu bytes; at most %u are accepted", size, KYC_DOC_MAX);
        return NULL;
    }
    kyc_job *j = nax__calloc(1, sizeof *j);
    if (!j || !(j->data = nax__malloc(size ? size : 1))) {
        nax__free(j);
        fail_oom(req);
        return NULL;
    }
    long got = nax__base64_decode(j->data, size, in->content_base64, b64);
    if (got < 0 || (size_t)got != size) {
        kyc_job_free(j);
        naxd_fail(req, 400, "invalid_request", "content_base64", "content_base64 is not base64");
        return NULL;
    }
    j->len = size;
    if (!content_matches(in->content_type, j->data, j->len)) {
        kyc_job_free(j);
        naxd_fail(req, 422, "content_type_mismatch", "content_base64", "the file is not a %s",
                  in->content_type);
        return NULL;
    }
    j->a = a;
    j->req = req;
    j->type = in->document_type;
    j->file_name = nax__strdup(in->file_name);
    j->content_type = nax__strdup(in->content_type);
    if (!j->file_name || !j->content_type) {
        kyc_job_free(j);
        fail_oom(req);
        return NULL;
    }
    return j;
}

/* Paths: DATA/kyc/u_N/doc_M-<random>; the random part keeps a file of an
 * upload whose id was handed out again after a reload from colliding. */
static int kyc_paths(naxd_app *a, kyc_job *j)
{
    unsigned char r[4];
    char rh[9];
    if (nax__random_bytes(r, sizeof r))
        return -1;
    nax__hex_encode(rh, r, sizeof r);
    nax_buf b = NAX_BUF_INIT;
    const char *dir = a->cfg->data_dir;
    int rc = nax__buf_printf(&b, "%s/kyc", dir);
    if (!rc && (j->dir_kyc = nax__strdup(b.data)) != NULL) {
        nax__buf_reset(&b);
        rc = nax__buf_printf(&b, "%s/kyc/u_%llu", dir, (unsigned long long)j->user);
    }
    if (!rc && j->dir_kyc && (j->dir_user = nax__strdup(b.data)) != NULL) {
        nax__buf_reset(&b);
        rc = nax__buf_printf(&b, "kyc/u_%llu/doc_%llu-%s", (unsigned long long)j->user,
                             (unsigned long long)j->doc, rh);
    }
    if (!rc && j->dir_user && (j->rel_path = nax__strdup(b.data)) != NULL) {
        nax__buf_reset(&b);
        rc = nax__buf_printf(&b, "%s/%s", dir, j->rel_path);
    }
    if (!rc && j->rel_path)
        j->full_path = nax__strdup(b.data);
    nax_buf_dispose(&b);
    return j->full_path ? 0 : -1;
}

NAXD_HANDLER(h_kyc_upload)
{
    naxd_app *a = app;
    naxd_user *u = naxd_ctx_of(req)->who.user;
    size_t len = 0;
    const char *body = naxd_req_body(req, &len);
    if (!body || !len) {
        naxd_fail(req, 400, "invalid_json", NULL, "a JSON body is required");
        return;
    }
    /* The codec's default limit is below the route's body limit. */
    nax_decode_options opts = NAX_DECODE_OPTIONS_INIT;
    opts.max_bytes = len;
    nax_kyc_document_request *in = NULL;
    if (nax_decode(&in, NAX_TYPE_KYC_DOCUMENT_REQUEST, body, len, &opts) != 0) {
        naxd_fail_decode(req);
        return;
    }
    kyc_job *j = kyc_job_from(a, req, in);
    nax_object_free(in);
    if (!j)
        return;
    if (a->next_doc_id == 0)
        a->next_doc_id = 1;
    j->user = u->id;
    j->doc = a->next_doc_id;
    j->generation = a->generation;
    if (kyc_paths(a, j)) {
        kyc_job_free(j);
        fail_oom(req);
        return;
    }
    a->next_doc_id++;
    if (naxd_http_work(a->http, kyc_work, kyc_done, j) != 0) {
        kyc_job_free(j);
        naxd_fail(req, 503, "unavailable", NULL, "the server is busy; retry shortly");
    }
}

/* ---- operator: set a user's KYC status ------------------------------------------------ */

typedef struct kyc_decision {
    nax_kyc_status status;
    char *reason;
    int bad;           /* a member had the wrong type or value */
    const char *field; /* which one */
} kyc_decision;

static int read_decision(const nax__json_member *m, void *arg)
{
    kyc_decision *d = arg;
    if (m->name_len == 6 && memcmp(m->name, "status", 6) == 0) {
        d->field = "status";
        if (m->kind != NAX__JSON_STRING)
            d->bad = 1;
        else if (m->str_len == 8 && memcmp(m->str, "verified", 8) == 0)
            d->status = NAX_KYC_STATUS_VERIFIED;
        else if (m->str_len == 8 && memcmp(m->str, "rejected", 8) == 0)
            d->status = NAX_KYC_STATUS_REJECTED;
        else
            d->bad = 1;
    } else if (m->name_len == 6 && memcmp(m->name, "reason", 6) == 0) {
        d->field = "reason";
        if (m->kind != NAX__JSON_STRING || memchr(m->str, 0, m->str_len) || m->str_len == 0)
            d->bad = 1;
        else if (!(d->reason = nax__strndup(m->str, m->str_len)))
            d->bad = -1;
    }
    return d->bad;
}

NAXD_HANDLER(h_admin_kyc)
{
    naxd_app *a = app;
    const char *id = naxd_req_param(req, "id");
    uint64_t uid = naxd_parse_id(id, "u_");
    if (!uid)
        uid = naxd_parse_id(id, "");
    naxd_user *u = naxd_user_by_id(a, uid);
    if (!u) {
        naxd_fail(req, 404, "not_found", NULL, "no such user");
        return;
    }
    size_t len = 0;
    const char *body = naxd_req_body(req, &len);
    kyc_decision d = {NAX_KYC_STATUS_NONE, NULL, 0, NULL};
    int walked = body && len ? nax__json_walk(body, len, read_decision, &d) : -1;
    if (d.bad < 0) {
        fail_oom(req);
    } else if (walked && !d.bad) {
        naxd_fail(req, 400, "invalid_json", NULL, "the body must be one JSON object");
    } else if (d.bad || d.status == NAX_KYC_STATUS_NONE) {
        naxd_fail(req, 400, "invalid_request", d.bad ? d.field : "status",
                  "status must be \"verified\" or \"rejected\" (with a reason)");
    } else if (d.status == NAX_KYC_STATUS_REJECTED && !d.reason) {
        naxd_fail(req, 400, "invalid_request", "reason", "a rejection needs a reason");
    } else if (d.reason && (text_length(d.reason) < 1 || text_length(d.reason) > KYC_REASON_MAX)) {
        naxd_fail(req, 400, "invalid_request", "reason",
                  "reason must be 1 to %d characters without control characters", KYC_REASON_MAX);
    } else {
        nax_kyc before, after;
        kyc_of(&before, u);
        char *reason = d.status == NAX_KYC_STATUS_REJECTED ? d.reason : NULL;
        int64_t now = naxd_now_ms(a);
        after = (nax_kyc){sizeof after, d.status, reason, now};
        nax_buf bj = NAX_BUF_INIT, aj = NAX_BUF_INIT;
        naxd_mut *m = NULL;
        if (nax_encode(&bj, NAX_TYPE_KYC, &before) || nax_encode(&aj, NAX_TYPE_KYC, &after)) {
            fail_oom(req);
        } else if ((m = naxd_mut_begin(a, req)) != NULL) {
            if (naxd_batch_sql(naxd_mut_batch(m),
                               "UPDATE users SET kyc_status = ?, kyc_reason = ?, "
                               "kyc_updated_at = ? WHERE id = ?",
                               "itiu", (int64_t)d.status, reason, now, u->id) ||
                naxd_mut_audit(m, "kyc.set", bj.data, aj.data)) {
                naxd_mut_abort(m);
                fail_oom(req);
            } else {
                nax__free(u->kyc_reason);
                u->kyc_reason = reason;
                if (reason)
                    d.reason = NULL;
                u->kyc_status = d.status;
                u->kyc_updated_at = now;
                naxd_mut_commit(m, 200, NAX_TYPE_KYC, &after);
            }
        }
        nax_buf_dispose(&bj);
        nax_buf_dispose(&aj);
    }
    nax__free(d.reason);
}

/* ---- loading from the store ----------------------------------------------------------- */

static int load_failed(naxd_store *s, const char *what)
{
    return nax__error(NAX_EIO, "loading %s: %s", what, sqlite3_errmsg(naxd_store_reader(s)));
}

static int load_user_rows(naxd_app *a, uint64_t *max_id)
{
    sqlite3_stmt *st = naxd_store_query(
        a->store,
        "SELECT id, email, password_hash, full_name, country, phone, kyc_status, "
        "kyc_reason, kyc_updated_at, totp_secret, totp_enabled, created_at, totp_last_step "
        "FROM users");
    if (!st)
        return nax_error_last()->code;
    int rc = 0, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        int failed = 0;
        naxd_user *u = nax__calloc(1, sizeof *u);
        if (!u) {
            rc = nax__error_oom();
            break;
        }
        u->id = (uint64_t)sqlite3_column_int64(st, 0);
        u->email = naxd_column_dup(st, 1, &failed);
        u->password_hash = naxd_column_dup(st, 2, &failed);
        u->full_name = naxd_column_dup(st, 3, &failed);
        u->country = naxd_column_dup(st, 4, &failed);
        u->phone = naxd_column_dup(st, 5, &failed);
        u->kyc_status = (nax_kyc_status)sqlite3_column_int(st, 6);
        u->kyc_reason = naxd_column_dup(st, 7, &failed);
        u->kyc_updated_at = sqlite3_column_int64(st, 8);
        u->totp_secret = naxd_column_dup(st, 9, &failed);
        u->totp_enabled = sqlite3_column_int(st, 10);
        u->created_at = sqlite3_column_int64(st, 11);
        u->totp_last_step = sqlite3_column_int64(st, 12);
        if (failed || !u->email || naxd_map_put_u64(&a->users_by_id, u->id, u)) {
            user_free(u);
            rc = nax__error_oom();
        } else if (naxd_map_put(&a->users_by_email, u->email, u)) {
            naxd_map_del_u64(&a->users_by_id, u->id);
            user_free(u);
            rc = nax__error_oom();
        } else if (u->id > *max_id) {
            *max_id = u->id;
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = load_failed(a->store, "users");
    sqlite3_reset(st);
    return rc;
}

static int load_api_keys(naxd_app *a)
{
    sqlite3_stmt *st = naxd_store_query(
        a->store, "SELECT id, user_id, label, scopes, secret, created_at, last_used_at "
                  "FROM api_keys WHERE revoked = 0");
    if (!st)
        return nax_error_last()->code;
    int rc = 0, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        int failed = 0;
        naxd_api_key_rec *k = nax__calloc(1, sizeof *k);
        if (k) {
            k->id = naxd_column_dup(st, 0, &failed);
            k->user = (uint64_t)sqlite3_column_int64(st, 1);
            k->label = naxd_column_dup(st, 2, &failed);
            k->scopes = (unsigned int)sqlite3_column_int(st, 3);
            k->secret = naxd_column_dup(st, 4, &failed);
            k->created_at = sqlite3_column_int64(st, 5);
            k->last_used_at = sqlite3_column_int64(st, 6);
        }
        if (!k || failed || !k->id || !k->label || !k->secret ||
            naxd_map_put(&a->api_keys, k->id, k)) {
            if (k) {
                nax__free(k->id);
                nax__free(k->label);
                if (k->secret)
                    wipe(k->secret, strlen(k->secret));
                nax__free(k->secret);
                nax__free(k);
            }
            rc = nax__error_oom();
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = load_failed(a->store, "API keys");
    sqlite3_reset(st);
    return rc;
}

/* Live refresh tokens, and the families revoked recently enough that their
 * access tokens could still be valid (refresh tokens outlive access tokens). */
static int load_refresh_tokens(naxd_app *a)
{
    int64_t now = naxd_now_ms(a);
    int64_t since = now - a->cfg->access_ttl_s * 1000 - PRUNE_MARGIN_MS;
    sqlite3_stmt *st =
        naxd_store_query(a->store, "SELECT token_hash, family, user_id, expires_at, used, revoked "
                                   "FROM refresh_tokens WHERE expires_at > ?");
    if (!st)
        return nax_error_last()->code;
    int rc = sqlite3_bind_int64(st, 1, since) == SQLITE_OK ? 0 : load_failed(a->store, "tokens");
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *family = (const char *)sqlite3_column_text(st, 1);
        int revoked = sqlite3_column_int(st, 5);
        int64_t expires = sqlite3_column_int64(st, 3);
        if (!family)
            continue;
        if (revoked && !naxd_map_get(&a->revoked_families, family) &&
            naxd_map_put(&a->revoked_families, family, (void *)1)) {
            rc = nax__error_oom();
            break;
        }
        if (expires <= now)
            continue;
        int failed = 0;
        naxd_refresh *r = nax__calloc(1, sizeof *r);
        if (r) {
            r->token_hash = naxd_column_dup(st, 0, &failed);
            r->family = naxd_column_dup(st, 1, &failed);
            r->user = (uint64_t)sqlite3_column_int64(st, 2);
            r->expires_at = expires;
            r->used = sqlite3_column_int(st, 4);
            r->revoked = revoked;
        }
        if (!r || failed || !r->token_hash || naxd_map_put(&a->refresh_tokens, r->token_hash, r)) {
            if (r) {
                nax__free(r->token_hash);
                nax__free(r->family);
                nax__free(r);
            }
            rc = nax__error_oom();
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = load_failed(a->store, "refresh tokens");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* The highest doc_N among stored documents (ids are text). */
static int load_max_doc(naxd_app *a, uint64_t *max_doc)
{
    sqlite3_stmt *st = naxd_store_query(a->store, "SELECT id FROM kyc_documents");
    if (!st)
        return nax_error_last()->code;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t n = naxd_parse_id((const char *)sqlite3_column_text(st, 0), "doc_");
        if (n > *max_doc)
            *max_doc = n;
    }
    int rc = step == SQLITE_DONE ? 0 : load_failed(a->store, "KYC documents");
    sqlite3_reset(st);
    return rc;
}

int naxd_load_users(naxd_app *a)
{
    uint64_t max_user = 0, max_doc = 0, next_user = 0, next_doc = 0;
    int rc = load_user_rows(a, &max_user);
    if (!rc)
        rc = load_api_keys(a);
    if (!rc)
        rc = load_refresh_tokens(a);
    if (!rc)
        rc = load_max_doc(a, &max_doc);
    if (!rc)
        rc = naxd_store_counter_load(a->store, "next_user_id", &next_user);
    if (!rc)
        rc = naxd_store_counter_load(a->store, "next_doc_id", &next_doc);
    if (rc)
        return rc;
    /* Never hand out an id again, whatever the counter says. */
    a->next_user_id = next_user > max_user ? next_user : max_user + 1;
    a->next_doc_id = next_doc > max_doc ? next_doc : max_doc + 1;
    return 0;
}

/* The audit log's hash chain: computing a record's hash, finding the chain
 * head, and checking a whole database offline. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "store_internal.h"

static const char zero_hash[NAXD__HASH_HEX + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

static void to_hex(char *out, const unsigned char *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * len] = '\0';
}

int naxd__audit_hash(EVP_MD_CTX *ctx, const char *prev_hex, const naxd__audit_fields *f,
                     char out[NAXD__HASH_HEX + 1])
{
    char seq[24], ts[24];
    snprintf(seq, sizeof seq, "%" PRIu64, f->seq);
    snprintf(ts, sizeof ts, "%" PRId64, f->ts);
    const char *parts[] = {prev_hex,  seq,       ts,       f->actor,
                           f->action, f->before, f->after, f->request_id};
    size_t nparts = sizeof parts / sizeof parts[0];
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    int ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (size_t i = 0; ok && i < nparts; i++) {
        if (i > 0)
            ok = EVP_DigestUpdate(ctx, "\n", 1);
        if (ok && parts[i])
            ok = EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]));
    }
    if (ok)
        ok = EVP_DigestFinal_ex(ctx, digest, &digest_len);
    if (!ok || digest_len * 2 != NAXD__HASH_HEX)
        return nax__error(NAX_EIO, "store: SHA-256 failed");
    to_hex(out, digest, digest_len);
    return 0;
}

int naxd__audit_load_head(sqlite3 *db, naxd__audit_head *head)
{
    head->seq = 0;
    memcpy(head->hash, zero_hash, sizeof zero_hash);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", -1,
                                &st, NULL);
    if (rc != SQLITE_OK)
        return naxd__sqlite_error(db, rc, "read the audit head");
    rc = sqlite3_step(st);
    int result = 0;
    if (rc == SQLITE_ROW) {
        const unsigned char *hash = sqlite3_column_text(st, 1);
        if (!hash || strlen((const char *)hash) != NAXD__HASH_HEX) {
            result = nax__error(NAX_ESCHEMA, "store: the last audit record has no valid hash");
        } else {
            head->seq = (uint64_t)sqlite3_column_int64(st, 0);
            memcpy(head->hash, hash, NAXD__HASH_HEX + 1);
        }
    } else if (rc != SQLITE_DONE) {
        result = naxd__sqlite_error(db, rc, "read the audit head");
    }
    sqlite3_finalize(st);
    return result;
}

/* ---- offline verification -------------------------------------------------------- */

static const char *column_text(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}

/* Checks one row against the expected seq and previous hash; 0 or NAX_ESCHEMA. */
static int check_row(sqlite3_stmt *st, EVP_MD_CTX *ctx, uint64_t expect_seq, const char *prev)
{
    uint64_t seq = (uint64_t)sqlite3_column_int64(st, 0);
    if (seq != expect_seq)
        return nax__error(NAX_ESCHEMA, "audit: record %" PRIu64 " is missing (found %" PRIu64 ")",
                          expect_seq, seq);
    const char *prev_hash = column_text(st, 7), *hash = column_text(st, 8);
    if (!prev_hash || strcmp(prev_hash, prev) != 0)
        return nax__error(NAX_ESCHEMA,
                          "audit: record %" PRIu64 " does not link to the previous hash", seq);
    naxd__audit_fields f = {seq,
                            sqlite3_column_int64(st, 1),
                            column_text(st, 2),
                            column_text(st, 3),
                            column_text(st, 4),
                            column_text(st, 5),
                            column_text(st, 6)};
    char want[NAXD__HASH_HEX + 1];
    int rc = naxd__audit_hash(ctx, prev, &f, want);
    if (rc)
        return rc;
    if (!hash || strcmp(hash, want) != 0)
        return nax__error(NAX_ESCHEMA, "audit: record %" PRIu64 " does not match its hash", seq);
    return 0;
}

static int walk(sqlite3 *db, EVP_MD_CTX *ctx, uint64_t *count, uint64_t *bad_seq)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT seq, ts, actor, action, before, after, request_id,"
                                " prev_hash, hash FROM audit ORDER BY seq",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return naxd__sqlite_error(db, rc, "read the audit log");
    char prev[NAXD__HASH_HEX + 1];
    memcpy(prev, zero_hash, sizeof zero_hash);
    uint64_t n = 0;
    int result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        result = check_row(st, ctx, n + 1, prev);
        if (result) {
            if (result == NAX_ESCHEMA)
                *bad_seq = n + 1;
            break;
        }
        memcpy(prev, column_text(st, 8), NAXD__HASH_HEX + 1);
        n++;
    }
    if (!result && rc != SQLITE_DONE)
        result = naxd__sqlite_error(db, rc, "read the audit log");
    sqlite3_finalize(st);
    *count = n;
    return result;
}

int naxd_store_verify_audit(const char *dir, uint64_t *count, uint64_t *bad_seq)
{
    uint64_t count_ignored, bad_ignored;
    count = count ? count : &count_ignored;
    bad_seq = bad_seq ? bad_seq : &bad_ignored;
    *count = 0;
    *bad_seq = 0;
    if (!dir)
        return nax__error(NAX_EINVAL, "audit: a data folder is required");
    nax_buf path = NAX_BUF_INIT;
    int rc = nax__buf_printf(&path, "%s/naxd.db", dir);
    if (rc)
        return rc;
    sqlite3 *db = NULL;
    int src = sqlite3_open_v2(path.data, &db, SQLITE_OPEN_READONLY, NULL);
    if (src != SQLITE_OK) {
        rc = nax__error(NAX_EIO, "audit: open %s: %s", path.data,
                        db ? sqlite3_errmsg(db) : sqlite3_errstr(src));
    } else {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        rc = ctx ? walk(db, ctx, count, bad_seq) : nax__error_oom();
        EVP_MD_CTX_free(ctx);
    }
    sqlite3_close(db);
    nax_buf_dispose(&path);
    return rc;
}

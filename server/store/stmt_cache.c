/* Prepared statements cached by the address of their SQL literal, in an
 * open-addressing table: the app's statements are a fixed set of string
 * literals, so each is prepared once per connection. */
#include <string.h>

#include "store_internal.h"

int naxd__sqlite_error(sqlite3 *db, int rc, const char *what)
{
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    int code;
    switch (rc & 0xff) {
    case SQLITE_NOMEM: code = NAX_ENOMEM; break;
    case SQLITE_ERROR:
    case SQLITE_RANGE:
    case SQLITE_MISUSE: code = NAX_EINVAL; break;
    default: code = NAX_EIO; break;
    }
    return nax__error(code, "store: %s: %s (sqlite %d)", what, msg, rc);
}

static size_t slot_of(const char *sql, size_t cap)
{
    uintptr_t h = (uintptr_t)sql;
    h ^= h >> 17;
    h *= (uintptr_t)0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
    return (size_t)h & (cap - 1);
}

static int grow(naxd__stmt_cache *c)
{
    size_t cap = c->cap ? c->cap * 2 : 32;
    const char **keys = nax__calloc(cap, sizeof *keys);
    sqlite3_stmt **stmts = nax__calloc(cap, sizeof *stmts);
    if (!keys || !stmts) {
        nax__free(keys);
        nax__free(stmts);
        return nax__error_oom();
    }
    for (size_t i = 0; i < c->cap; i++) {
        if (!c->keys[i])
            continue;
        size_t j = slot_of(c->keys[i], cap);
        while (keys[j])
            j = (j + 1) & (cap - 1);
        keys[j] = c->keys[i];
        stmts[j] = c->stmts[i];
    }
    nax__free(c->keys);
    nax__free(c->stmts);
    c->keys = keys;
    c->stmts = stmts;
    c->cap = cap;
    return 0;
}

/* Only whitespace may follow the one statement a literal holds. */
static int only_space(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == ';')
        s++;
    return *s == '\0';
}

int naxd__stmt_cache_get(naxd__stmt_cache *c, sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
    *out = NULL;
    if (c->cap) {
        for (size_t i = slot_of(sql, c->cap); c->keys[i]; i = (i + 1) & (c->cap - 1)) {
            if (c->keys[i] == sql) {
                *out = c->stmts[i];
                return 0;
            }
        }
    }
    /* Keep the load at or under one half so probes stay short. */
    if ((c->count + 1) * 2 > c->cap) {
        int rc = grow(c);
        if (rc)
            return rc;
    }
    sqlite3_stmt *stmt = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK)
        return naxd__sqlite_error(db, rc, "prepare");
    if (!stmt || (tail && !only_space(tail))) {
        sqlite3_finalize(stmt);
        return nax__error(NAX_EINVAL, "store: SQL must hold exactly one statement: %.80s", sql);
    }
    size_t i = slot_of(sql, c->cap);
    while (c->keys[i])
        i = (i + 1) & (c->cap - 1);
    c->keys[i] = sql;
    c->stmts[i] = stmt;
    c->count++;
    *out = stmt;
    return 0;
}

void naxd__stmt_cache_clear(naxd__stmt_cache *c)
{
    for (size_t i = 0; i < c->cap; i++)
        if (c->keys[i])
            sqlite3_finalize(c->stmts[i]);
    nax__free(c->keys);
    nax__free(c->stmts);
    memset(c, 0, sizeof *c);
}

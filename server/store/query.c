/* Reading on the app thread: the reader connection, its statement cache and
 * the persistent id counters. */
#include "store_internal.h"

sqlite3 *naxd_store_reader(naxd_store *s)
{
    return s ? s->reader : NULL;
}

sqlite3_stmt *naxd_store_query(naxd_store *s, const char *sql)
{
    if (!s || !sql) {
        nax__error(NAX_EINVAL, "store: query needs a store and SQL");
        return NULL;
    }
    sqlite3_stmt *st = NULL;
    if (naxd__stmt_cache_get(&s->reader_stmts, s->reader, sql, &st))
        return NULL;
    /* A statement left mid-result would pin an old snapshot of the database. */
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

int naxd_store_counter_load(naxd_store *s, const char *name, uint64_t *value)
{
    static const char sql[] = "SELECT value FROM counters WHERE name = ?";
    if (!s || !name || !value)
        return nax__error(NAX_EINVAL, "store: counter_load needs a store, a name and an out");
    *value = 0;
    sqlite3_stmt *st = naxd_store_query(s, sql);
    if (!st)
        return nax_error_last()->code;
    int rc = sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    int result = 0;
    if (rc == SQLITE_ROW)
        *value = (uint64_t)sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE)
        result = naxd__sqlite_error(s->reader, rc, "load a counter");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return result;
}

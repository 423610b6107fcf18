/* Schema migrations by PRAGMA user_version: migration i takes version i to
 * i+1, each in its own IMMEDIATE transaction with the version bump, so a
 * crash leaves the database at a whole version. */
#include <stdio.h>

#include "schema.h"
#include "store_internal.h"

int naxd_store_schema_version(void)
{
    return (int)naxd__schema_migration_count();
}

static int user_version(sqlite3 *db, int *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int(st, 0);
            rc = SQLITE_OK;
        }
    }
    int result = rc == SQLITE_OK ? 0 : naxd__sqlite_error(db, rc, "read user_version");
    sqlite3_finalize(st);
    return result;
}

static int too_new(int version)
{
    return nax__error(NAX_EVERSION,
                      "store: the database has schema version %d; this build knows up to %d",
                      version, naxd_store_schema_version());
}

/* Applies migration `from` (taking the version to from+1) unless another
 * process already did; *version receives the version afterwards. */
static int apply_one(sqlite3 *db, int *version)
{
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return naxd__sqlite_error(db, rc, "begin migration");
    int v = 0;
    int result = user_version(db, &v);
    if (!result && v > naxd_store_schema_version())
        result = too_new(v);
    if (!result && v < naxd_store_schema_version()) {
        char bump[48];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d", v + 1);
        rc = sqlite3_exec(db, naxd__schema_migration((size_t)v), NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(db, bump, NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            char what[48];
            snprintf(what, sizeof what, "migration %d", v + 1);
            result = naxd__sqlite_error(db, rc, what);
        } else {
            v++;
        }
    }
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, result ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
    *version = v;
    return result;
}

int naxd__migrate(sqlite3 *db)
{
    int version = 0;
    int rc = user_version(db, &version);
    if (rc)
        return rc;
    if (version > naxd_store_schema_version())
        return too_new(version);
    /* Each step advances by one, or jumps when another process migrated meanwhile. */
    while (!rc && version < naxd_store_schema_version())
        rc = apply_one(db, &version);
    return rc;
}

/* Opening the database: the data folder, the file's mode, the writer and
 * reader connections and their PRAGMAs. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_internal.h"

#define BUSY_TIMEOUT_MS 5000

/* The data folder, created 0700 when missing. */
static int make_dir(const char *dir)
{
    if (mkdir(dir, 0700) == 0)
        return 0;
    struct stat st;
    if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    return nax__error(NAX_EIO, "store: cannot create the data folder %s: %s", dir, strerror(errno));
}

/* Creates the database file 0600 before SQLite does (SQLite would use 0644
 * less the umask); its -wal and -shm files copy the database's mode. */
static int create_db_file(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        return 0;
    }
    if (errno == EEXIST)
        return 0;
    return nax__error(NAX_EIO, "store: cannot create %s: %s", path, strerror(errno));
}

static int exec(sqlite3 *db, const char *sql)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : naxd__sqlite_error(db, rc, sql);
}

/* Runs a PRAGMA that answers one row and copies its first column. */
static int pragma_value(sqlite3 *db, const char *sql, char *out, size_t out_size)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return naxd__sqlite_error(db, rc, sql);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        snprintf(out, out_size, "%s", v ? (const char *)v : "");
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        out[0] = '\0';
        rc = SQLITE_OK;
    }
    int result = rc == SQLITE_OK ? 0 : naxd__sqlite_error(db, rc, sql);
    sqlite3_finalize(st);
    return result;
}

static int open_db(const char *path, int flags, sqlite3 **out)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        int code = nax__error(NAX_EIO, "store: cannot open %s: %s", path,
                              db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return code;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    *out = db;
    return 0;
}

/* The writer's PRAGMAs, the migrations and what the writer keeps in memory. */
static int prepare_writer(naxd_store *s)
{
    sqlite3 *db = s->writer;
    char mode[32];
    int rc = pragma_value(db, "PRAGMA journal_mode=WAL", mode, sizeof mode);
    if (rc)
        return rc;
    if (strcasecmp(mode, "wal") != 0)
        return nax__error(NAX_EIO, "store: WAL mode refused (journal_mode is %s)", mode);
    if ((rc = exec(db, "PRAGMA synchronous=FULL")) || (rc = exec(db, "PRAGMA foreign_keys=ON")))
        return rc;
    if ((rc = naxd__migrate(db)))
        return rc;
    char pages[32];
    if ((rc = pragma_value(db, "PRAGMA max_page_count", pages, sizeof pages)))
        return rc;
    s->default_max_pages = (unsigned int)strtoul(pages, NULL, 10);
    return naxd__audit_load_head(db, &s->audit_head);
}

int naxd__open_writer(naxd_store *s)
{
    int rc = make_dir(s->opts.dir);
    if (!rc)
        rc = create_db_file(s->path);
    if (!rc)
        rc = open_db(s->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &s->writer);
    if (!rc)
        rc = prepare_writer(s);
    if (rc == NAX_EINVAL) {
        /* SQL errors while opening are the database's fault, not the caller's. */
        char msg[256];
        snprintf(msg, sizeof msg, "%s", nax_error_last()->message);
        rc = nax__error(NAX_EIO, "%s", msg);
    }
    return rc;
}

int naxd__open_reader(naxd_store *s)
{
    /* After the writer: the file exists, is in WAL mode and is migrated. */
    return open_db(s->path, SQLITE_OPEN_READONLY, &s->reader);
}

void naxd__close_db(sqlite3 *db, const char *name)
{
    if (!db)
        return;
    if (sqlite3_close(db) == SQLITE_OK)
        return;
    /* SQLITE_BUSY: a statement outside the caches was never finalized. */
    nax__log(NAX_LOG_ERROR, "store: %s connection closed with unfinalized statements", name);
    sqlite3_stmt *st;
    while ((st = sqlite3_next_stmt(db, NULL)) != NULL)
        sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Fault-injection hooks for tests: simulated I/O errors and a real disk-full
 * condition through SQLite's page limit. Never called by naxd itself. */
#include <stdio.h>

#include "store_internal.h"

void naxd_store_test_fail_next_commits(naxd_store *s, unsigned int n)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->fail_next = n;
    pthread_mutex_unlock(&s->lock);
}

static int set_max_pages(naxd_store *s, void *arg)
{
    unsigned int n = *(const unsigned int *)arg;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %u", n ? n : s->default_max_pages);
    int rc = sqlite3_exec(s->writer, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : naxd__sqlite_error(s->writer, rc, sql);
}

int naxd_store_test_set_max_pages(naxd_store *s, unsigned int n)
{
    if (!s)
        return nax__error(NAX_EINVAL, "store: NULL store");
    return naxd__writer_call(s, set_max_pages, &n);
}

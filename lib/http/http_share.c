/* The curl share handle of one client: DNS answers and TLS sessions shared
 * by every pooled easy handle, with one mutex per kind of data as curl asks.
 * Connections are not shared: curl 7.88 does not support one connection
 * cache used by concurrent threads, so each handle keeps its own. */
#include "core/core.h"
#include "http_internal.h"

static void share_lock(CURL *easy, curl_lock_data data, curl_lock_access access, void *userdata)
{
    (void)easy;
    (void)access;
    nax__http_share *s = userdata;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_lock(&s->locks[data]);
}

static void share_unlock(CURL *easy, curl_lock_data data, void *userdata)
{
    (void)easy;
    nax__http_share *s = userdata;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_unlock(&s->locks[data]);
}

static int init_locks(nax__http_share *s)
{
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) {
        if (pthread_mutex_init(&s->locks[i], NULL) != 0) {
            while (i-- > 0)
                pthread_mutex_destroy(&s->locks[i]);
            return nax__error(NAX_ERROR, "cannot create the transport's locks");
        }
    }
    s->locks_ready = 1;
    return 0;
}

int nax__http_share_init(nax__http_share *s)
{
    s->sh = NULL;
    s->locks_ready = 0;
    int rc = init_locks(s);
    if (rc)
        return rc;
    s->sh = curl_share_init();
    if (!s->sh) {
        nax__http_share_dispose(s);
        return nax__error_oom();
    }
    CURLSHcode sc = curl_share_setopt(s->sh, CURLSHOPT_LOCKFUNC, share_lock);
    if (sc == CURLSHE_OK)
        sc = curl_share_setopt(s->sh, CURLSHOPT_UNLOCKFUNC, share_unlock);
    if (sc == CURLSHE_OK)
        sc = curl_share_setopt(s->sh, CURLSHOPT_USERDATA, s);
    if (sc == CURLSHE_OK)
        sc = curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    if (sc == CURLSHE_OK)
        sc = curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    if (sc != CURLSHE_OK) {
        nax__http_share_dispose(s);
        if (sc == CURLSHE_NOMEM)
            return nax__error_oom();
        return nax__error(NAX_ERROR, "cannot set up the curl share handle: %s",
                          curl_share_strerror(sc));
    }
    return 0;
}

void nax__http_share_dispose(nax__http_share *s)
{
    if (s->sh)
        curl_share_cleanup(s->sh);
    s->sh = NULL;
    if (s->locks_ready) {
        for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
            pthread_mutex_destroy(&s->locks[i]);
        s->locks_ready = 0;
    }
}

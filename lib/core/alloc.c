/* The installed allocator and the reference-counted global init/shutdown.
 * Everything libnax allocates, and what libcurl and yajl allocate for it,
 * goes through the functions here. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core.h"

static void *libc_malloc(size_t size, void *ud)
{
    (void)ud;
    return malloc(size);
}

static void *libc_realloc(void *ptr, size_t size, void *ud)
{
    (void)ud;
    return realloc(ptr, size);
}

static void libc_free(void *ptr, void *ud)
{
    (void)ud;
    free(ptr);
}

static const nax_allocator libc_allocator = {NAX_ALLOCATOR_VERSION, libc_malloc, libc_realloc,
                                             libc_free, NULL};

/* Read on every allocation without a lock: it only changes on the first
 * init and the last shutdown, when no libnax object may exist. */
static nax_allocator current = {NAX_ALLOCATOR_VERSION, libc_malloc, libc_realloc, libc_free, NULL};
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int init_refs;

const nax_allocator *nax__allocator(void)
{
    return &current;
}

void *nax__malloc(size_t size)
{
    return current.malloc(size ? size : 1, current.userdata);
}

void *nax__realloc(void *ptr, size_t size)
{
    return current.realloc(ptr, size ? size : 1, current.userdata);
}

void nax__free(void *ptr)
{
    if (ptr)
        current.free(ptr, current.userdata);
}

void *nax__calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = nax__malloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

char *nax__strndup(const char *s, size_t len)
{
    char *p = nax__malloc(len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

char *nax__strdup(const char *s)
{
    return nax__strndup(s, strlen(s));
}

/* libcurl's memory callbacks carry no userdata, so they read `current`. */
static void *curl_malloc_cb(size_t size)
{
    return nax__malloc(size);
}

static void curl_free_cb(void *ptr)
{
    nax__free(ptr);
}

static void *curl_realloc_cb(void *ptr, size_t size)
{
    return nax__realloc(ptr, size);
}

static char *curl_strdup_cb(const char *s)
{
    return nax__strdup(s);
}

static void *curl_calloc_cb(size_t count, size_t size)
{
    return nax__calloc(count, size);
}

static int same_allocator(const nax_allocator *a, const nax_allocator *b)
{
    return a->malloc == b->malloc && a->realloc == b->realloc && a->free == b->free &&
           a->userdata == b->userdata;
}

int nax_global_init(const nax_allocator *allocator)
{
    if (allocator) {
        if (allocator->version != NAX_ALLOCATOR_VERSION)
            return nax__error(NAX_EVERSION, "unknown nax_allocator version %u", allocator->version);
        if (!allocator->malloc || !allocator->realloc || !allocator->free)
            return nax__error(NAX_EINVAL, "nax_allocator needs malloc, realloc and free");
    }
    const nax_allocator *wanted = allocator ? allocator : &libc_allocator;

    pthread_mutex_lock(&init_lock);
    if (init_refs > 0) {
        int same = allocator == NULL || same_allocator(&current, wanted);
        if (same)
            init_refs++;
        pthread_mutex_unlock(&init_lock);
        return same
                   ? 0
                   : nax__error(NAX_ESTATE, "libnax is already initialised with another allocator");
    }
    current = *wanted;
    CURLcode rc = curl_global_init_mem(CURL_GLOBAL_ALL, curl_malloc_cb, curl_free_cb,
                                       curl_realloc_cb, curl_strdup_cb, curl_calloc_cb);
    if (rc != CURLE_OK) {
        current = libc_allocator;
        pthread_mutex_unlock(&init_lock);
        return nax__error(NAX_ERROR, "curl_global_init failed: %s", curl_easy_strerror(rc));
    }
    init_refs = 1;
    pthread_mutex_unlock(&init_lock);
    return 0;
}

int nax__global_ready(void)
{
    pthread_mutex_lock(&init_lock);
    int ready = init_refs > 0;
    pthread_mutex_unlock(&init_lock);
    return ready;
}

void nax_global_shutdown(void)
{
    pthread_mutex_lock(&init_lock);
    if (init_refs > 0 && --init_refs == 0) {
        curl_global_cleanup();
        current = libc_allocator;
    }
    pthread_mutex_unlock(&init_lock);
}

/* The allocator naxd runs on under --fault-injection: the C library's, plus
 * one armed failure. POST /admin/faults {"alloc_fail_at":k} arms the NEXT
 * non-admin request: from its dispatch until its reply is queued (its
 * context released), the k-th allocation fails, once, whichever thread asks
 * (the app thread, the writer, the stream). When the window closes, the
 * count still left is recorded (GET /admin/faults), so a test walking k
 * through a request knows when k has passed the request's allocations.
 * Arming the next request rather than "now" keeps the admin request's own
 * reply out of the count. Only allocations through libnax's allocator
 * count: SQLite, libwebsockets, OpenSSL and yajl's tree parser use their own. */
#include <stdatomic.h>
#include <stdlib.h>

#include "app/internal.h"

static atomic_long countdown; /* 0: nothing armed; n: the n-th allocation fails */
/* App thread only. */
static long pending;    /* armed for the next request, not yet started */
static int window_open; /* a request's window is counting */
static long last_k = -1, last_left;

static int fail_now(void)
{
    long n = atomic_load(&countdown);
    while (n > 0) {
        if (atomic_compare_exchange_weak(&countdown, &n, n - 1))
            return n == 1;
    }
    return 0;
}

static void *fa_malloc(size_t size, void *userdata)
{
    (void)userdata;
    return fail_now() ? NULL : malloc(size);
}

static void *fa_realloc(void *ptr, size_t size, void *userdata)
{
    (void)userdata;
    return fail_now() ? NULL : realloc(ptr, size);
}

static void fa_free(void *ptr, void *userdata)
{
    (void)userdata;
    free(ptr);
}

const nax_allocator *naxd__fault_allocator(void)
{
    static const nax_allocator a = {NAX_ALLOCATOR_VERSION, fa_malloc, fa_realloc, fa_free, NULL};
    return &a;
}

void naxd__fault_fail_allocation(long k)
{
    pending = k > 0 ? k : 0;
}

int naxd__fault_alloc_begin(void)
{
    if (pending <= 0 || window_open)
        return 0;
    last_k = pending;
    last_left = 0;
    pending = 0;
    window_open = 1;
    atomic_store(&countdown, last_k);
    return 1;
}

void naxd__fault_alloc_end(void)
{
    if (!window_open)
        return;
    last_left = atomic_exchange(&countdown, 0);
    window_open = 0;
}

void naxd__fault_alloc_state(naxd_fault_alloc_state *s)
{
    s->pending = pending;
    s->window_open = window_open;
    s->last_k = last_k;
    s->last_left = window_open ? atomic_load(&countdown) : last_left;
}

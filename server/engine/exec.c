/* naxd_exec: what one engine call did, in arrays reused across calls. */
#include "engine_internal.h"

void naxd_exec_init(naxd_exec *x)
{
    memset(x, 0, sizeof *x);
}

void naxd_exec_reset(naxd_exec *x)
{
    x->refusal = NAXD_OK;
    x->orders_count = x->fills_count = x->balances_count = 0;
    x->book_changed = 0;
}

void naxd_exec_dispose(naxd_exec *x)
{
    if (x == NULL)
        return;
    nax__free(x->orders);
    nax__free(x->fills);
    nax__free(x->balances);
    naxd_exec_init(x);
}

/* Room for count + extra items of `size` bytes: *items is replaced by a larger
 * block when needed (through a void * of its own, never a cast of the caller's). */
static int ensure(void **items, size_t *cap, size_t count, size_t extra, size_t size)
{
    if (extra <= *cap - count)
        return 0;
    size_t want = *cap ? *cap : 8;
    while (want - count < extra) {
        if (want > SIZE_MAX / 2 / size)
            return nax__error_oom();
        want *= 2;
    }
    void *grown = nax__realloc(*items, want * size);
    if (grown == NULL)
        return nax__error_oom();
    *items = grown;
    *cap = want;
    return 0;
}

int eng_exec_reserve(naxd_exec *x, size_t orders, size_t fills, size_t balances)
{
    void *o = x->orders, *f = x->fills, *b = x->balances;
    int rc = ensure(&o, &x->orders_cap, x->orders_count, orders, sizeof *x->orders);
    x->orders = o;
    if (rc == 0)
        rc = ensure(&f, &x->fills_cap, x->fills_count, fills, sizeof *x->fills);
    x->fills = f;
    if (rc == 0)
        rc = ensure(&b, &x->balances_cap, x->balances_count, balances, sizeof *x->balances);
    x->balances = b;
    return rc;
}

naxd_order_state *eng_exec_order(naxd_exec *x)
{
    return &x->orders[x->orders_count++];
}

naxd_fill_event *eng_exec_fill(naxd_exec *x)
{
    return &x->fills[x->fills_count++];
}

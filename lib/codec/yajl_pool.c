/*
 * Memory for yajl handles. yajl makes a handful of small allocations per
 * parse or generation (handle, lexer, buffers, state stack) and does not
 * check most of them for failure. They are served from a pool inside the
 * caller's stack frame; anything that outgrows it goes through nax__malloc &
 * co, so the installed allocator still sees every heap byte. This saves
 * several malloc/free pairs per message and keeps yajl clear of allocation
 * failures for all inputs with strings under ~2 KiB and nesting under 128.
 */
#include <string.h>

#include "codec_internal.h"
#include "core/core.h"

#define POOL_HEADER 16u /* each pool block starts with its capacity */

static size_t round16(size_t n)
{
    return (n + 15u) & ~(size_t)15u;
}

static int in_pool(const nax__codec_pool *p, const void *ptr)
{
    const unsigned char *b = ptr;
    return b >= p->mem && b < p->mem + sizeof p->mem;
}

static void *pool_malloc(void *ctx, size_t size)
{
    nax__codec_pool *p = ctx;
    size_t cap = round16(size);
    if (size <= sizeof p->mem && cap + POOL_HEADER <= sizeof p->mem - p->used) {
        unsigned char *b = p->mem + p->used;
        memcpy(b, &cap, sizeof cap);
        p->used += cap + POOL_HEADER;
        return b + POOL_HEADER;
    }
    return nax__malloc(size);
}

/* Pool blocks live until the pool goes out of scope. */
static void pool_free(void *ctx, void *ptr)
{
    if (!in_pool(ctx, ptr))
        nax__free(ptr);
}

static void *pool_realloc(void *ctx, void *ptr, size_t size)
{
    nax__codec_pool *p = ctx;
    if (!ptr)
        return pool_malloc(ctx, size);
    if (!in_pool(p, ptr))
        return nax__realloc(ptr, size);
    size_t cap;
    memcpy(&cap, (unsigned char *)ptr - POOL_HEADER, sizeof cap);
    if (size <= cap)
        return ptr;
    void *moved = pool_malloc(ctx, size);
    if (moved)
        memcpy(moved, ptr, cap);
    return moved;
}

void nax__codec_pool_init(nax__codec_pool *pool, yajl_alloc_funcs *afs)
{
    pool->used = 0;
    afs->malloc = pool_malloc;
    afs->realloc = pool_realloc;
    afs->free = pool_free;
    afs->ctx = pool;
}

/* Fixed-size object pool: orders and levels come and go on every call, so
 * they are recycled through a free list instead of malloc and free. */
#include "engine_internal.h"

#define POOL_CHUNK_OBJECTS 256

void eng_pool_init(eng_pool *p, size_t object_size)
{
    p->object_size = (object_size + 15) & ~(size_t)15;
    p->free_list = NULL;
    p->free_count = 0;
    p->chunks = NULL;
}

void eng_pool_dispose(eng_pool *p)
{
    void *chunk = p->chunks;
    while (chunk != NULL) {
        void *next = *(void **)chunk;
        nax__free(chunk);
        chunk = next;
    }
    p->chunks = NULL;
    p->free_list = NULL;
    p->free_count = 0;
}

/* One chunk: a 16-byte header holding the link, then the objects. */
static int add_chunk(eng_pool *p)
{
    char *chunk = nax__malloc(16 + POOL_CHUNK_OBJECTS * p->object_size);
    if (chunk == NULL)
        return NAX_ENOMEM;
    *(void **)chunk = p->chunks;
    p->chunks = chunk;
    char *object = chunk + 16;
    for (size_t i = 0; i < POOL_CHUNK_OBJECTS; i++, object += p->object_size)
        eng_pool_give(p, object);
    return 0;
}

int eng_pool_reserve(eng_pool *p, size_t count)
{
    while (p->free_count < count) {
        if (add_chunk(p) != 0)
            return NAX_ENOMEM;
    }
    return 0;
}

void *eng_pool_take(eng_pool *p)
{
    void *object = p->free_list;
    p->free_list = *(void **)object;
    p->free_count--;
    return object;
}

void eng_pool_give(eng_pool *p, void *object)
{
    *(void **)object = p->free_list;
    p->free_list = object;
    p->free_count++;
}

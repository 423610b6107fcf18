/* The arena behind a GraphQL document: a few chunks, freed at once. */
#include <stdalign.h>
#include <stddef.h>
#include <string.h>

#include "app/gql_internal.h"
#include "core/core.h"

struct gql_chunk {
    gql_chunk *next;
    alignas(max_align_t) char data[];
};

#define CHUNK_MIN 4096u

void *gql_arena_alloc(gql_arena *a, size_t size)
{
    size_t align = alignof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    if (!size)
        size = align;
    if ((size_t)(a->end - a->cur) < size) {
        size_t cap = size > CHUNK_MIN ? size : CHUNK_MIN;
        gql_chunk *c = nax__malloc(sizeof(*c) + cap);
        if (!c)
            return NULL;
        c->next = a->head;
        a->head = c;
        a->cur = c->data;
        a->end = c->data + cap;
    }
    void *p = a->cur;
    a->cur += size;
    memset(p, 0, size);
    return p;
}

char *gql_arena_strndup(gql_arena *a, const char *s, size_t len)
{
    char *p = gql_arena_alloc(a, len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

void gql_arena_free(gql_arena *a)
{
    gql_chunk *c = a->head;
    while (c) {
        gql_chunk *next = c->next;
        nax__free(c);
        c = next;
    }
    a->head = NULL;
    a->cur = a->end = NULL;
}

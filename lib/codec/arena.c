/*
 * The arena behind every decoded object. The first chunk starts with a small
 * header and then the root struct, so nax_object_free() can find the header
 * from the root pointer alone; later chunks hang off that header. A typical
 * message fits in the first chunk: one allocation per decoded object.
 */
#include <stdalign.h>
#include <string.h>

#include "codec_internal.h"
#include "core/core.h"

/* Chunk headers keep the payload 16-byte aligned, like malloc does. */
typedef struct chunk {
    struct chunk *next;
    alignas(16) char payload[];
} chunk;

#define HEADER_SIZE offsetof(chunk, payload)

/* The first chunk is sized from the input: what a message decodes to beside
 * its root struct takes up to about twice its JSON (an order: ~300 bytes of
 * JSON, ~150 of strings and decimals; a book level: ~25 bytes of JSON, 48 of
 * struct). Denser text (one-digit prices) grows the arena by a chunk. A
 * tighter estimate pays: glibc serves blocks up to ~1 KiB, which small
 * messages now fit in, from a per-thread cache, at a fraction of the cost
 * of larger ones (an order decodes ~150 instructions cheaper than with 3x). */
#define FIRST_EXTRA_RATIO 2u
#define FIRST_EXTRA_MIN   128u
#define FIRST_EXTRA_MAX   (256u * 1024u)
#define CHUNK_MAX         (1024u * 1024u)

static size_t round16(size_t n)
{
    return (n + 15u) & ~(size_t)15u;
}

void *nax__codec_arena_init(nax__codec_arena *a, size_t root_size, size_t input_len)
{
    size_t extra = input_len <= (FIRST_EXTRA_MAX - FIRST_EXTRA_MIN) / FIRST_EXTRA_RATIO
                       ? input_len * FIRST_EXTRA_RATIO + FIRST_EXTRA_MIN
                       : FIRST_EXTRA_MAX;
    size_t payload = round16(root_size) + round16(extra);
    chunk *first = nax__malloc(HEADER_SIZE + payload);
    memset(a, 0, sizeof *a);
    if (!first)
        return NULL;
    first->next = NULL;
    memset(first->payload, 0, root_size);
    a->first = first;
    a->cur = first->payload + root_size;
    a->end = first->payload + payload;
    a->next_size = payload < 4096 ? 4096 : payload;
    return first->payload;
}

/* Links a new chunk behind the header of the first one. */
static chunk *new_chunk(nax__codec_arena *a, size_t payload)
{
    if (payload > SIZE_MAX - HEADER_SIZE)
        return NULL;
    chunk *c = nax__malloc(HEADER_SIZE + payload);
    if (!c)
        return NULL;
    chunk *first = a->first;
    c->next = first->next;
    first->next = c;
    return c;
}

void *nax__codec_arena_grow(nax__codec_arena *a, size_t size, size_t align)
{
    if (size > SIZE_MAX - 16)
        return NULL;
    size_t need = round16(size);
    /* A large block gets a chunk of its own; the current one stays in use. */
    if (need > a->next_size / 2)
        return new_chunk(a, need) ? ((chunk *)a->first)->next->payload : NULL;
    chunk *c = new_chunk(a, a->next_size);
    if (!c)
        return NULL;
    a->cur = c->payload;
    a->end = c->payload + a->next_size;
    if (a->next_size < CHUNK_MAX)
        a->next_size *= 2;
    return nax__codec_arena_alloc(a, size, align);
}

static void free_chunks(chunk *first)
{
    if (!first)
        return;
    chunk *c = first->next;
    while (c) {
        chunk *next = c->next;
        nax__free(c);
        c = next;
    }
    nax__free(first);
}

void nax__codec_arena_destroy(nax__codec_arena *a)
{
    free_chunks(a->first);
    memset(a, 0, sizeof *a);
}

void *nax__codec_object_alloc(size_t root_size, size_t extra, void **extra_out)
{
    size_t root = round16(root_size);
    if (root < root_size || extra > SIZE_MAX - HEADER_SIZE - root - 15)
        return NULL;
    chunk *first = nax__malloc(HEADER_SIZE + root + round16(extra));
    if (!first)
        return NULL;
    first->next = NULL;
    memset(first->payload, 0, root_size);
    *extra_out = first->payload + root;
    return first->payload;
}

void nax_object_free(void *obj)
{
    if (!obj)
        return;
    free_chunks((chunk *)((char *)obj - HEADER_SIZE));
}

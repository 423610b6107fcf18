/*
 * The books as other threads see them: registered per subscribed book
 * channel, read under book_lock (held by the driving thread while it applies
 * one message), copied into objects nax_object_free() releases.
 */
#include <string.h>
#include <time.h>

#include "codec/codec_internal.h"
#include "stream/stream_internal.h"

nax__stream_book *nax__books_add(nax_stream *s, const char *pair)
{
    nax__stream_book *b = nax__calloc(1, sizeof *b);
    if (!b || !(b->pair = nax__strdup(pair))) {
        nax__free(b);
        return NULL;
    }
    nax__book_init(&b->book);
    pthread_mutex_lock(&s->book_lock);
    if (s->books_count == s->books_cap) {
        size_t cap = s->books_cap ? s->books_cap * 2 : 4;
        nax__stream_book **p = nax__realloc(s->books, cap * sizeof *p);
        if (!p) {
            pthread_mutex_unlock(&s->book_lock);
            nax__free(b->pair);
            nax__free(b);
            return NULL;
        }
        s->books = p;
        s->books_cap = cap;
    }
    s->books[s->books_count++] = b;
    pthread_mutex_unlock(&s->book_lock);
    return b;
}

static void book_free(nax__stream_book *b)
{
    nax__book_dispose(&b->book);
    nax__free(b->pair);
    nax__free(b);
}

void nax__books_remove(nax_stream *s, nax__stream_book *b)
{
    pthread_mutex_lock(&s->book_lock);
    for (size_t i = 0; i < s->books_count; i++) {
        if (s->books[i] == b) {
            s->books[i] = s->books[--s->books_count];
            break;
        }
    }
    pthread_mutex_unlock(&s->book_lock);
    book_free(b);
}

void nax__books_dispose(nax_stream *s)
{
    for (size_t i = 0; i < s->books_count; i++)
        book_free(s->books[i]);
    nax__free(s->books);
    s->books = NULL;
    s->books_count = s->books_cap = 0;
}

/* The readable book of `pair`; the caller holds book_lock. */
static nax__stream_book *find_locked(nax_stream *s, const char *pair)
{
    for (size_t i = 0; i < s->books_count; i++)
        if (s->books[i]->has_snapshot && !strcmp(s->books[i]->pair, pair))
            return s->books[i];
    return NULL;
}

/* The least of nax_book_top a caller's struct must hold: up to the best ask. */
#define BOOK_TOP_MIN_SIZE (offsetof(nax_book_top, ask) + sizeof(nax_book_level))

int nax_stream_book_top(nax_stream *s, const char *pair, nax_book_top *out)
{
    if (!s || !pair || !out)
        return nax__error(NAX_EINVAL, "nax_stream_book_top: stream, pair and out are required");
    if (out->struct_size < BOOK_TOP_MIN_SIZE)
        return nax__error_field(NAX_EVERSION, "struct_size",
                                "set out->struct_size to sizeof(nax_book_top)");
    nax_book_top top;
    memset(&top, 0, sizeof top);
    top.struct_size = sizeof top;
    pthread_mutex_lock(&s->book_lock);
    nax__stream_book *b = find_locked(s, pair);
    if (b) {
        const nax_book_level *bid = nax__book_best(&b->book.bids);
        const nax_book_level *ask = nax__book_best(&b->book.asks);
        top.seq = b->book.seq;
        top.live = b->live;
        top.has_bid = bid != NULL;
        top.has_ask = ask != NULL;
        if (bid)
            top.bid = *bid;
        if (ask)
            top.ask = *ask;
        top.bid_levels = b->book.bids.len;
        top.ask_levels = b->book.asks.len;
    }
    pthread_mutex_unlock(&s->book_lock);
    if (!b)
        return nax__error_field(NAX_ENOTFOUND, "pair",
                                "no book for %s (not subscribed, or no "
                                "snapshot yet)",
                                pair);
    /* As much as the caller's struct holds (an older, smaller one: its size). */
    size_t keep = out->struct_size < sizeof top ? out->struct_size : sizeof top;
    memcpy(out, &top, keep);
    out->struct_size = keep;
    return 0;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int nax_stream_book_copy(nax_stream *s, const char *pair, size_t depth, nax_order_book **out)
{
    if (out)
        *out = NULL;
    if (!s || !pair || !out)
        return nax__error(NAX_EINVAL, "nax_stream_book_copy: stream, pair and out are required");
    pthread_mutex_lock(&s->book_lock);
    nax__stream_book *b = find_locked(s, pair);
    if (!b) {
        pthread_mutex_unlock(&s->book_lock);
        return nax__error_field(NAX_ENOTFOUND, "pair",
                                "no book for %s (not subscribed, or no "
                                "snapshot yet)",
                                pair);
    }
    size_t nb = depth && depth < b->book.bids.len ? depth : b->book.bids.len;
    size_t na = depth && depth < b->book.asks.len ? depth : b->book.asks.len;
    size_t pair_len = strlen(b->pair) + 1;
    void *extra = NULL;
    nax_order_book *ob =
        nax__codec_object_alloc(sizeof *ob, (nb + na) * sizeof(nax_book_level) + pair_len, &extra);
    if (!ob) {
        pthread_mutex_unlock(&s->book_lock);
        return nax__error_oom();
    }
    nax_book_level *levels = extra;
    nax__book_copy_side(&b->book.bids, levels, nb);
    nax__book_copy_side(&b->book.asks, levels + nb, na);
    char *name = (char *)(levels + nb + na);
    memcpy(name, b->pair, pair_len);
    ob->struct_size = sizeof *ob;
    ob->pair = name;
    ob->seq = b->book.seq;
    ob->bids = levels;
    ob->bids_count = nb;
    ob->asks = levels + nb;
    ob->asks_count = na;
    ob->checksum = nax__book_checksum(&b->book);
    pthread_mutex_unlock(&s->book_lock);
    ob->ts = wall_ms();
    *out = ob;
    return 0;
}

/* Token buckets in a chained hash table, threaded on an LRU list so the
 * bucket idle longest is the one evicted when the key cap is reached. */
#include <string.h>

#include "core/core.h"
#include "ratelimit.h"

typedef struct bucket {
    struct bucket *chain;         /* hash chain */
    struct bucket *newer, *older; /* LRU list */
    uint32_t hash;
    double tokens;
    int64_t last_ns;
    char key[]; /* NUL-terminated */
} bucket;

struct naxd_limiter {
    double rate; /* tokens per second */
    double burst;
    bucket **table;
    size_t table_size; /* power of two */
    size_t count, max_keys;
    bucket *newest, *oldest;
};

int naxd_limiter_new(naxd_limiter **out, double rate_per_s, double burst)
{
    *out = NULL;
    if (!(rate_per_s > 0) || !(burst >= 1) || burst > 4e9)
        return nax__error(NAX_EINVAL, "rate limiter: rate must be > 0 and burst in [1, 4e9]");
    naxd_limiter *l = nax__calloc(1, sizeof(*l));
    if (!l)
        return nax__error_oom();
    l->table_size = 256;
    l->table = nax__calloc(l->table_size, sizeof(*l->table));
    if (!l->table) {
        nax__free(l);
        return nax__error_oom();
    }
    l->rate = rate_per_s;
    l->burst = burst;
    l->max_keys = NAXD_LIMITER_DEFAULT_MAX_KEYS;
    *out = l;
    return 0;
}

void naxd_limiter_free(naxd_limiter *l)
{
    if (!l)
        return;
    bucket *b = l->newest;
    while (b) {
        bucket *next = b->older;
        nax__free(b);
        b = next;
    }
    nax__free(l->table);
    nax__free(l);
}

size_t naxd_limiter_keys(const naxd_limiter *l)
{
    return l ? l->count : 0;
}

static uint32_t key_hash(const char *key)
{
    uint32_t h = 2166136261u;
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

static void lru_unlink(naxd_limiter *l, bucket *b)
{
    if (b->newer)
        b->newer->older = b->older;
    else
        l->newest = b->older;
    if (b->older)
        b->older->newer = b->newer;
    else
        l->oldest = b->newer;
    b->newer = b->older = NULL;
}

static void lru_push_newest(naxd_limiter *l, bucket *b)
{
    b->older = l->newest;
    b->newer = NULL;
    if (l->newest)
        l->newest->newer = b;
    else
        l->oldest = b;
    l->newest = b;
}

static void evict_oldest(naxd_limiter *l)
{
    bucket *b = l->oldest;
    if (!b)
        return;
    lru_unlink(l, b);
    bucket **pp = &l->table[b->hash & (l->table_size - 1)];
    while (*pp != b)
        pp = &(*pp)->chain;
    *pp = b->chain;
    l->count--;
    nax__free(b);
}

void naxd_limiter_set_max_keys(naxd_limiter *l, size_t max_keys)
{
    if (!l)
        return;
    l->max_keys = max_keys ? max_keys : 1;
    while (l->count > l->max_keys)
        evict_oldest(l);
}

/* Doubles the table at load 1; keeps the old one if memory runs out. */
static void maybe_grow(naxd_limiter *l)
{
    if (l->count < l->table_size)
        return;
    size_t size = l->table_size * 2;
    bucket **t = nax__calloc(size, sizeof(*t));
    if (!t)
        return;
    for (size_t i = 0; i < l->table_size; i++) {
        bucket *b = l->table[i];
        while (b) {
            bucket *next = b->chain;
            b->chain = t[b->hash & (size - 1)];
            t[b->hash & (size - 1)] = b;
            b = next;
        }
    }
    nax__free(l->table);
    l->table = t;
    l->table_size = size;
}

static bucket *find_or_add(naxd_limiter *l, const char *key, int64_t now_ns)
{
    uint32_t h = key_hash(key);
    for (bucket *b = l->table[h & (l->table_size - 1)]; b; b = b->chain)
        if (b->hash == h && strcmp(b->key, key) == 0)
            return b;
    size_t len = strlen(key);
    bucket *b = nax__malloc(sizeof(*b) + len + 1);
    if (!b)
        return NULL;
    memset(b, 0, sizeof(*b));
    memcpy(b->key, key, len + 1);
    b->hash = h;
    b->tokens = l->burst;
    b->last_ns = now_ns;
    if (l->count >= l->max_keys)
        evict_oldest(l);
    b->chain = l->table[h & (l->table_size - 1)];
    l->table[h & (l->table_size - 1)] = b;
    lru_push_newest(l, b);
    l->count++;
    maybe_grow(l);
    return b;
}

/* ceil() for 0 <= s, saturating; written out so naxd needs no libm. */
static uint32_t seconds_up(double s)
{
    if (!(s > 0))
        return 0;
    if (s >= 4294967295.0)
        return UINT32_MAX;
    uint32_t t = (uint32_t)s;
    return (double)t < s ? t + 1 : t;
}

static bucket *find(const naxd_limiter *l, const char *key)
{
    uint32_t h = key_hash(key);
    for (bucket *b = l->table[h & (l->table_size - 1)]; b; b = b->chain)
        if (b->hash == h && strcmp(b->key, key) == 0)
            return b;
    return NULL;
}

/* Tokens in b at now_ns, without changing b. */
static double tokens_at(const naxd_limiter *l, const bucket *b, int64_t now_ns)
{
    double tokens = b->tokens;
    if (now_ns > b->last_ns) {
        tokens += (double)(now_ns - b->last_ns) * l->rate / 1e9;
        if (tokens > l->burst)
            tokens = l->burst;
    }
    return tokens;
}

/* Refill sums fractions (0.1 ten times is just under 1): allow a hair. */
#define ENOUGH(tokens) ((tokens) >= 1 - 1e-6)

static void report(const naxd_limiter *l, double tokens, int allowed, naxd_limit *out)
{
    out->allowed = allowed;
    if (!allowed) {
        out->retry_after_s = seconds_up((1 - tokens) / l->rate);
        if (out->retry_after_s == 0)
            out->retry_after_s = 1;
    }
    out->remaining = (uint32_t)tokens; /* tokens >= 0: truncation is floor */
    out->reset_s = seconds_up((l->burst - tokens) / l->rate);
}

void naxd_limiter_take(naxd_limiter *l, const char *key, int64_t now_ns, naxd_limit *out)
{
    memset(out, 0, sizeof(*out));
    out->limit = (uint32_t)l->burst;
    bucket *b = find_or_add(l, key ? key : "", now_ns);
    if (!b) {
        out->allowed = 1;
        out->remaining = out->limit ? out->limit - 1 : 0;
        return;
    }
    lru_unlink(l, b);
    lru_push_newest(l, b);
    b->tokens = tokens_at(l, b, now_ns);
    if (now_ns > b->last_ns)
        b->last_ns = now_ns;
    int allowed = ENOUGH(b->tokens);
    if (allowed)
        b->tokens = b->tokens > 1 ? b->tokens - 1 : 0;
    report(l, b->tokens, allowed, out);
}

void naxd_limiter_peek(const naxd_limiter *l, const char *key, int64_t now_ns, naxd_limit *out)
{
    memset(out, 0, sizeof(*out));
    out->limit = (uint32_t)l->burst;
    const bucket *b = find(l, key ? key : "");
    double tokens = b ? tokens_at(l, b, now_ns) : l->burst;
    report(l, tokens, ENOUGH(tokens), out);
}

void naxd_limiter_refund(naxd_limiter *l, const char *key, int64_t now_ns)
{
    bucket *b = find(l, key ? key : "");
    if (!b)
        return; /* evicted: it refilled to full in the meantime anyway */
    b->tokens = tokens_at(l, b, now_ns) + 1;
    if (b->tokens > l->burst)
        b->tokens = l->burst;
    if (now_ns > b->last_ns)
        b->last_ns = now_ns;
}

/* The metric registry: families in registration order, each with its series;
 * a hash table finds a series by name and labels. Values are atomics so any
 * thread may update them without the registry lock. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "metrics.h"

const double naxd_histogram_bounds[NAXD_HISTOGRAM_BUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

typedef enum kind { KIND_COUNTER, KIND_GAUGE, KIND_HISTOGRAM } kind;

typedef struct family family;

/* Common head of every series kind. */
typedef struct series {
    family *family;
    char *labels; /* "" when unlabelled */
    uint32_t hash;
    struct series *next;  /* next series of the family, in creation order */
    struct series *chain; /* next in the hash bucket */
} series;

struct naxd_counter {
    series s;
    _Atomic uint64_t value;
};

struct naxd_gauge {
    series s;
    _Atomic int64_t value;
};

struct naxd_histogram {
    series s;
    _Atomic uint64_t buckets[NAXD_HISTOGRAM_BUCKETS + 1]; /* per bucket, not cumulative */
    _Atomic uint64_t sum_ns;
};

struct family {
    char *name;
    char *help;
    kind kind;
    series *first, *last;
    family *next;
};

struct naxd_metrics {
    pthread_mutex_t lock;
    family *families, *last_family;
    series **table;
    size_t table_size; /* power of two */
    size_t count;
};

int naxd_metrics_new(naxd_metrics **out)
{
    *out = NULL;
    naxd_metrics *m = nax__calloc(1, sizeof(*m));
    if (!m)
        return nax__error_oom();
    m->table_size = 64;
    m->table = nax__calloc(m->table_size, sizeof(*m->table));
    if (!m->table) {
        nax__free(m);
        return nax__error_oom();
    }
    pthread_mutex_init(&m->lock, NULL);
    *out = m;
    return 0;
}

void naxd_metrics_free(naxd_metrics *m)
{
    if (!m)
        return;
    family *f = m->families;
    while (f) {
        family *fn = f->next;
        series *s = f->first;
        while (s) {
            series *sn = s->next;
            nax__free(s->labels);
            nax__free(s);
            s = sn;
        }
        nax__free(f->name);
        nax__free(f->help);
        nax__free(f);
        f = fn;
    }
    nax__free(m->table);
    pthread_mutex_destroy(&m->lock);
    nax__free(m);
}

static int valid_name(const char *name)
{
    if (!name || !*name)
        return 0;
    for (const char *p = name; *p; p++) {
        char c = *p;
        int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        if (!alpha && !(p > name && c >= '0' && c <= '9'))
            return 0;
    }
    return 1;
}

/* FNV-1a over name, a separator, then labels. */
static uint32_t series_hash(const char *name, const char *labels)
{
    uint32_t h = 2166136261u;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    h = (h ^ 0xffu) * 16777619u;
    for (const char *p = labels; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

static family *find_family(naxd_metrics *m, const char *name)
{
    for (family *f = m->families; f; f = f->next)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

/* Doubles the table when it is more than 3/4 full; keeps it on failure. */
static void maybe_grow(naxd_metrics *m)
{
    if (m->count * 4 < m->table_size * 3)
        return;
    size_t size = m->table_size * 2;
    series **t = nax__calloc(size, sizeof(*t));
    if (!t)
        return;
    for (size_t i = 0; i < m->table_size; i++) {
        series *s = m->table[i];
        while (s) {
            series *next = s->chain;
            s->chain = t[s->hash & (size - 1)];
            t[s->hash & (size - 1)] = s;
            s = next;
        }
    }
    nax__free(m->table);
    m->table = t;
    m->table_size = size;
}

static size_t series_size(kind k)
{
    switch (k) {
    case KIND_COUNTER: return sizeof(naxd_counter);
    case KIND_GAUGE: return sizeof(naxd_gauge);
    default: return sizeof(naxd_histogram);
    }
}

static series *lookup(naxd_metrics *m, kind k, const char *name, const char *help,
                      const char *labels)
{
    if (!m || !valid_name(name))
        return NULL;
    if (!labels)
        labels = "";
    uint32_t hash = series_hash(name, labels);
    series *found = NULL;
    pthread_mutex_lock(&m->lock);
    for (series *s = m->table[hash & (m->table_size - 1)]; s; s = s->chain) {
        if (s->hash == hash && strcmp(s->family->name, name) == 0 &&
            strcmp(s->labels, labels) == 0) {
            found = s->family->kind == k ? s : NULL;
            goto out;
        }
    }
    family *f = find_family(m, name);
    if (f && f->kind != k)
        goto out;
    int new_family = 0;
    if (!f) {
        f = nax__calloc(1, sizeof(*f));
        if (!f)
            goto out;
        f->name = nax__strdup(name);
        f->help = nax__strdup(help ? help : "");
        f->kind = k;
        if (!f->name || !f->help) {
            nax__free(f->name);
            nax__free(f->help);
            nax__free(f);
            goto out;
        }
        new_family = 1;
    }
    series *s = nax__calloc(1, series_size(k));
    char *l = nax__strdup(labels);
    if (!s || !l) {
        nax__free(s);
        nax__free(l);
        if (new_family) {
            nax__free(f->name);
            nax__free(f->help);
            nax__free(f);
        }
        goto out;
    }
    s->family = f;
    s->labels = l;
    s->hash = hash;
    if (new_family) {
        if (m->last_family)
            m->last_family->next = f;
        else
            m->families = f;
        m->last_family = f;
    }
    if (f->last)
        f->last->next = s;
    else
        f->first = s;
    f->last = s;
    s->chain = m->table[hash & (m->table_size - 1)];
    m->table[hash & (m->table_size - 1)] = s;
    m->count++;
    maybe_grow(m);
    found = s;
out:
    pthread_mutex_unlock(&m->lock);
    return found;
}

naxd_counter *naxd_metrics_counter_l(naxd_metrics *m, const char *name, const char *help,
                                     const char *labels)
{
    return (naxd_counter *)lookup(m, KIND_COUNTER, name, help, labels);
}

naxd_gauge *naxd_metrics_gauge_l(naxd_metrics *m, const char *name, const char *help,
                                 const char *labels)
{
    return (naxd_gauge *)lookup(m, KIND_GAUGE, name, help, labels);
}

naxd_histogram *naxd_metrics_histogram_l(naxd_metrics *m, const char *name, const char *help,
                                         const char *labels)
{
    return (naxd_histogram *)lookup(m, KIND_HISTOGRAM, name, help, labels);
}

naxd_counter *naxd_metrics_counter(naxd_metrics *m, const char *name, const char *help)
{
    return naxd_metrics_counter_l(m, name, help, NULL);
}

naxd_gauge *naxd_metrics_gauge(naxd_metrics *m, const char *name, const char *help)
{
    return naxd_metrics_gauge_l(m, name, help, NULL);
}

naxd_histogram *naxd_metrics_histogram(naxd_metrics *m, const char *name, const char *help)
{
    return naxd_metrics_histogram_l(m, name, help, NULL);
}

int naxd_metrics_label(nax_buf *labels, const char *key, const char *value)
{
    size_t mark = labels->len;
    int rc = 0;
    if (labels->len)
        rc = nax__buf_append(labels, ",", 1);
    if (!rc)
        rc = nax__buf_printf(labels, "%s=\"", key);
    for (const char *p = value; !rc && *p; p++) {
        if (*p == '\\')
            rc = nax__buf_append(labels, "\\\\", 2);
        else if (*p == '"')
            rc = nax__buf_append(labels, "\\\"", 2);
        else if (*p == '\n')
            rc = nax__buf_append(labels, "\\n", 2);
        else
            rc = nax__buf_append(labels, p, 1);
    }
    if (!rc)
        rc = nax__buf_append(labels, "\"", 1);
    if (rc) {
        labels->len = mark;
        if (labels->data)
            labels->data[mark] = '\0';
    }
    return rc;
}

void naxd_counter_add(naxd_counter *c, uint64_t v)
{
    if (c)
        atomic_fetch_add_explicit(&c->value, v, memory_order_relaxed);
}

uint64_t naxd_counter_value(const naxd_counter *c)
{
    return c ? atomic_load_explicit(&c->value, memory_order_relaxed) : 0;
}

void naxd_gauge_set(naxd_gauge *g, int64_t v)
{
    if (g)
        atomic_store_explicit(&g->value, v, memory_order_relaxed);
}

void naxd_gauge_add(naxd_gauge *g, int64_t delta)
{
    if (g)
        atomic_fetch_add_explicit(&g->value, delta, memory_order_relaxed);
}

int64_t naxd_gauge_value(const naxd_gauge *g)
{
    return g ? atomic_load_explicit(&g->value, memory_order_relaxed) : 0;
}

void naxd_histogram_observe(naxd_histogram *h, double seconds)
{
    if (!h)
        return;
    if (!(seconds > 0)) /* negative and NaN */
        seconds = 0;
    size_t i = 0;
    while (i < NAXD_HISTOGRAM_BUCKETS && seconds > naxd_histogram_bounds[i])
        i++;
    atomic_fetch_add_explicit(&h->buckets[i], 1, memory_order_relaxed);
    /* Sums beyond ~584 years of latency would wrap; clamp each observation. */
    double ns = seconds * 1e9;
    uint64_t add = ns >= 1e15 ? (uint64_t)1e15 : (uint64_t)(ns + 0.5);
    atomic_fetch_add_explicit(&h->sum_ns, add, memory_order_relaxed);
}

uint64_t naxd_histogram_count(const naxd_histogram *h)
{
    uint64_t n = 0;
    if (h)
        for (size_t i = 0; i <= NAXD_HISTOGRAM_BUCKETS; i++)
            n += atomic_load_explicit(&h->buckets[i], memory_order_relaxed);
    return n;
}

/* name{labels} or name{labels,extra} or name{extra} or name. */
static int series_name(nax_buf *out, const char *name, const char *suffix, const char *labels,
                       const char *extra)
{
    int rc = nax__buf_printf(out, "%s%s", name, suffix);
    if (rc)
        return rc;
    if (!*labels && !extra)
        return 0;
    return nax__buf_printf(out, "{%s%s%s}", labels, (*labels && extra) ? "," : "",
                           extra ? extra : "");
}

static int render_histogram(nax_buf *out, const char *name, const naxd_histogram *h)
{
    uint64_t cumulative = 0;
    char le[48];
    int rc = 0;
    for (size_t i = 0; !rc && i <= NAXD_HISTOGRAM_BUCKETS; i++) {
        cumulative += atomic_load_explicit(&h->buckets[i], memory_order_relaxed);
        if (i < NAXD_HISTOGRAM_BUCKETS)
            snprintf(le, sizeof(le), "le=\"%g\"", naxd_histogram_bounds[i]);
        else
            snprintf(le, sizeof(le), "le=\"+Inf\"");
        rc = series_name(out, name, "_bucket", h->s.labels, le);
        if (!rc)
            rc = nax__buf_printf(out, " %llu\n", (unsigned long long)cumulative);
    }
    uint64_t sum_ns = atomic_load_explicit(&h->sum_ns, memory_order_relaxed);
    if (!rc)
        rc = series_name(out, name, "_sum", h->s.labels, NULL);
    if (!rc)
        rc = nax__buf_printf(out, " %llu.%09llu\n", (unsigned long long)(sum_ns / 1000000000u),
                             (unsigned long long)(sum_ns % 1000000000u));
    if (!rc)
        rc = series_name(out, name, "_count", h->s.labels, NULL);
    if (!rc)
        rc = nax__buf_printf(out, " %llu\n", (unsigned long long)cumulative);
    return rc;
}

static const char *type_name(kind k)
{
    switch (k) {
    case KIND_COUNTER: return "counter";
    case KIND_GAUGE: return "gauge";
    default: return "histogram";
    }
}

/* HELP text escapes backslash and newline. */
static int render_help(nax_buf *out, const family *f)
{
    int rc = nax__buf_printf(out, "# HELP %s ", f->name);
    for (const char *p = f->help; !rc && *p; p++) {
        if (*p == '\\')
            rc = nax__buf_append(out, "\\\\", 2);
        else if (*p == '\n')
            rc = nax__buf_append(out, "\\n", 2);
        else
            rc = nax__buf_append(out, p, 1);
    }
    if (!rc)
        rc = nax__buf_printf(out, "\n# TYPE %s %s\n", f->name, type_name(f->kind));
    return rc;
}

int naxd_metrics_render(naxd_metrics *m, nax_buf *out)
{
    if (!m || !out)
        return nax__error(NAX_EINVAL, "naxd_metrics_render: NULL argument");
    size_t mark = out->len;
    int rc = 0;
    pthread_mutex_lock(&m->lock);
    for (family *f = m->families; !rc && f; f = f->next) {
        rc = render_help(out, f);
        for (series *s = f->first; !rc && s; s = s->next) {
            switch (f->kind) {
            case KIND_COUNTER:
                rc = series_name(out, f->name, "", s->labels, NULL);
                if (!rc)
                    rc = nax__buf_printf(out, " %llu\n",
                                         (unsigned long long)naxd_counter_value((naxd_counter *)s));
                break;
            case KIND_GAUGE:
                rc = series_name(out, f->name, "", s->labels, NULL);
                if (!rc)
                    rc = nax__buf_printf(out, " %lld\n",
                                         (long long)naxd_gauge_value((naxd_gauge *)s));
                break;
            case KIND_HISTOGRAM: rc = render_histogram(out, f->name, (naxd_histogram *)s); break;
            }
        }
    }
    pthread_mutex_unlock(&m->lock);
    if (rc) {
        out->len = mark;
        if (out->data)
            out->data[mark] = '\0';
    }
    return rc;
}

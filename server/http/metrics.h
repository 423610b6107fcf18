/*
 * naxd metrics: a registry of counters, gauges and latency histograms,
 * rendered as Prometheus text (exposition format 0.0.4).
 *
 * Registering is thread-safe (a mutex); updating a series is lock-free
 * (atomics) and safe from any thread. A series lives as long as its registry.
 * Asking twice for the same name (and labels) returns the same series.
 *
 * Labelled series: `labels` is the rendered label list without braces, e.g.
 * `route="GET /v1/time",status="200"`, built with naxd_metrics_label() so
 * values are escaped. Every series of one name has the same kind and help.
 */
#ifndef NAXD_HTTP_METRICS_H
#define NAXD_HTTP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include <nax/common.h>

typedef struct naxd_metrics naxd_metrics;
typedef struct naxd_counter naxd_counter;
typedef struct naxd_gauge naxd_gauge;
typedef struct naxd_histogram naxd_histogram;

/* Histogram bucket upper bounds, in seconds (plus +Inf). */
#define NAXD_HISTOGRAM_BUCKETS 14
extern const double naxd_histogram_bounds[NAXD_HISTOGRAM_BUCKETS];

/* 0 or NAX_ENOMEM. */
int naxd_metrics_new(naxd_metrics **out);
void naxd_metrics_free(naxd_metrics *m); /* NULL is a no-op */

/* Find or create a series. name must match [a-zA-Z_:][a-zA-Z0-9_:]*; help is
 * copied on first use. NULL when the name is invalid, already used by
 * another kind, or memory ran out (the update functions accept NULL). */
naxd_counter *naxd_metrics_counter(naxd_metrics *m, const char *name, const char *help);
naxd_gauge *naxd_metrics_gauge(naxd_metrics *m, const char *name, const char *help);
naxd_histogram *naxd_metrics_histogram(naxd_metrics *m, const char *name, const char *help);
naxd_counter *naxd_metrics_counter_l(naxd_metrics *m, const char *name, const char *help,
                                     const char *labels);
naxd_gauge *naxd_metrics_gauge_l(naxd_metrics *m, const char *name, const char *help,
                                 const char *labels);
naxd_histogram *naxd_metrics_histogram_l(naxd_metrics *m, const char *name, const char *help,
                                         const char *labels);

/* Appends `key="value"` (comma-separated after the first) with the value
 * escaped as Prometheus requires. 0 or NAX_ENOMEM. */
int naxd_metrics_label(nax_buf *labels, const char *key, const char *value);

void naxd_counter_add(naxd_counter *c, uint64_t v);
uint64_t naxd_counter_value(const naxd_counter *c);
void naxd_gauge_set(naxd_gauge *g, int64_t v);
void naxd_gauge_add(naxd_gauge *g, int64_t delta);
int64_t naxd_gauge_value(const naxd_gauge *g);
/* Negative or NaN observations count as 0. */
void naxd_histogram_observe(naxd_histogram *h, double seconds);
uint64_t naxd_histogram_count(const naxd_histogram *h);

/* Appends every family (HELP, TYPE, series) in registration order.
 * 0 or NAX_ENOMEM. */
int naxd_metrics_render(naxd_metrics *m, nax_buf *out);

#endif /* NAXD_HTTP_METRICS_H */

/*
 * Prometheus metrics for naxd: counters, gauges and latency histograms in a
 * registry rendered as text format 0.0.4. Updating is thread-safe (atomics);
 * creating metrics is done at start-up on the app thread.
 */
#ifndef NAXD_METRICS_H
#define NAXD_METRICS_H

#include <stdint.h>

#include <nax/common.h>

typedef struct naxd_metrics naxd_metrics;
typedef struct naxd_counter naxd_counter;
typedef struct naxd_gauge naxd_gauge;
typedef struct naxd_histogram naxd_histogram;

/* Look up or create; NULL on OOM (updating a NULL metric is a no-op). */
naxd_counter *naxd_metrics_counter(naxd_metrics *m, const char *name, const char *help);
naxd_gauge *naxd_metrics_gauge(naxd_metrics *m, const char *name, const char *help);
/* Latency buckets from 0.0005 s to 10 s. */
naxd_histogram *naxd_metrics_histogram(naxd_metrics *m, const char *name, const char *help);

void naxd_counter_add(naxd_counter *c, uint64_t v);
void naxd_gauge_set(naxd_gauge *g, int64_t v);
void naxd_histogram_observe(naxd_histogram *h, double seconds);

#endif

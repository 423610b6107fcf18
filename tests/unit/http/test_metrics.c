/* The metric registry: find-or-create, kinds and names, label escaping,
 * the Prometheus text, histogram buckets, concurrent updates, and
 * allocation failures. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "http/metrics.h"
#include "nax.h"

START_TEST(same_name_same_series_and_kinds_do_not_mix)
{
    naxd_metrics *m;
    ck_assert_int_eq(naxd_metrics_new(&m), 0);
    naxd_counter *a = naxd_metrics_counter(m, "orders_total", "Orders.");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_eq(naxd_metrics_counter(m, "orders_total", "ignored"), a);
    ck_assert_ptr_null(naxd_metrics_gauge(m, "orders_total", "clash"));
    ck_assert_ptr_null(naxd_metrics_counter(m, "9starts_with_digit", ""));
    ck_assert_ptr_null(naxd_metrics_counter(m, "has space", ""));
    ck_assert_ptr_null(naxd_metrics_counter(m, "", ""));
    ck_assert_ptr_nonnull(naxd_metrics_counter(m, "ns:sub_name_2", ""));
    naxd_counter_add(NULL, 1); /* NULL metrics are no-ops */
    naxd_gauge_set(NULL, 1);
    naxd_histogram_observe(NULL, 1);
    naxd_metrics_free(m);
    naxd_metrics_free(NULL);
}
END_TEST

START_TEST(text_format_for_every_kind)
{
    naxd_metrics *m;
    ck_assert_int_eq(naxd_metrics_new(&m), 0);
    naxd_counter_add(naxd_metrics_counter(m, "a_total", "Things\\counted.\nTwice."), 7);
    naxd_gauge *g = naxd_metrics_gauge(m, "b_open", "Open things.");
    naxd_gauge_set(g, 5);
    naxd_gauge_add(g, -7);
    nax_buf labels = NAX_BUF_INIT;
    ck_assert_int_eq(naxd_metrics_label(&labels, "route", "GET /x \"q\"\\n\n"), 0);
    ck_assert_int_eq(naxd_metrics_label(&labels, "status", "200"), 0);
    ck_assert_str_eq(labels.data, "route=\"GET /x \\\"q\\\"\\\\n\\n\",status=\"200\"");
    naxd_counter_add(naxd_metrics_counter_l(m, "a_total", "", labels.data), 2);
    naxd_histogram *h = naxd_metrics_histogram(m, "c_seconds", "Latency.");
    naxd_histogram_observe(h, 0.0005); /* on a bound: counted in that bucket */
    naxd_histogram_observe(h, 0.003);
    naxd_histogram_observe(h, 42);
    naxd_histogram_observe(h, -1); /* counts as 0 */
    ck_assert_uint_eq(naxd_histogram_count(h), 4);
    nax_buf out = NAX_BUF_INIT;
    ck_assert_int_eq(naxd_metrics_render(m, &out), 0);
    const char *expect = "# HELP a_total Things\\\\counted.\\nTwice.\n"
                         "# TYPE a_total counter\n"
                         "a_total 7\n"
                         "a_total{route=\"GET /x \\\"q\\\"\\\\n\\n\",status=\"200\"} 2\n"
                         "# HELP b_open Open things.\n"
                         "# TYPE b_open gauge\n"
                         "b_open -2\n"
                         "# HELP c_seconds Latency.\n"
                         "# TYPE c_seconds histogram\n"
                         "c_seconds_bucket{le=\"0.0005\"} 2\n"
                         "c_seconds_bucket{le=\"0.001\"} 2\n"
                         "c_seconds_bucket{le=\"0.0025\"} 2\n"
                         "c_seconds_bucket{le=\"0.005\"} 3\n"
                         "c_seconds_bucket{le=\"0.01\"} 3\n"
                         "c_seconds_bucket{le=\"0.025\"} 3\n"
                         "c_seconds_bucket{le=\"0.05\"} 3\n"
                         "c_seconds_bucket{le=\"0.1\"} 3\n"
                         "c_seconds_bucket{le=\"0.25\"} 3\n"
                         "c_seconds_bucket{le=\"0.5\"} 3\n"
                         "c_seconds_bucket{le=\"1\"} 3\n"
                         "c_seconds_bucket{le=\"2.5\"} 3\n"
                         "c_seconds_bucket{le=\"5\"} 3\n"
                         "c_seconds_bucket{le=\"10\"} 3\n"
                         "c_seconds_bucket{le=\"+Inf\"} 4\n"
                         "c_seconds_sum 42.003500000\n"
                         "c_seconds_count 4\n";
    ck_assert_str_eq(out.data, expect);
    /* Rendering appends. */
    size_t first = out.len;
    ck_assert_int_eq(naxd_metrics_render(m, &out), 0);
    ck_assert_uint_eq(out.len, 2 * first);
    nax_buf_dispose(&out);
    nax_buf_dispose(&labels);
    naxd_metrics_free(m);
}
END_TEST

START_TEST(labelled_histograms_share_one_family)
{
    naxd_metrics *m;
    ck_assert_int_eq(naxd_metrics_new(&m), 0);
    naxd_histogram *a = naxd_metrics_histogram_l(m, "lat", "L.", "route=\"a\"");
    naxd_histogram *b = naxd_metrics_histogram_l(m, "lat", "L.", "route=\"b\"");
    ck_assert_ptr_ne(a, b);
    naxd_histogram_observe(a, 0.2);
    naxd_histogram_observe(b, 20);
    nax_buf out = NAX_BUF_INIT;
    ck_assert_int_eq(naxd_metrics_render(m, &out), 0);
    const char *t = out.data;
    ck_assert_ptr_nonnull(strstr(t, "lat_bucket{route=\"a\",le=\"0.25\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(t, "lat_bucket{route=\"b\",le=\"10\"} 0\n"));
    ck_assert_ptr_nonnull(strstr(t, "lat_bucket{route=\"b\",le=\"+Inf\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(t, "lat_count{route=\"a\"} 1\n"));
    /* HELP and TYPE once for the family. */
    ck_assert_ptr_null(strstr(strstr(t, "# TYPE lat") + 1, "# TYPE lat"));
    nax_buf_dispose(&out);
    naxd_metrics_free(m);
}
END_TEST

typedef struct worker_arg {
    naxd_metrics *m;
    int id;
} worker_arg;

static void *hammer(void *p)
{
    worker_arg *w = p;
    char labels[32];
    snprintf(labels, sizeof(labels), "t=\"%d\"", w->id % 2);
    for (int i = 0; i < 50000; i++) {
        naxd_counter_add(naxd_metrics_counter(w->m, "hits_total", "Hits."), 1);
        naxd_counter_add(naxd_metrics_counter_l(w->m, "split_total", "Split.", labels), 2);
        naxd_histogram_observe(naxd_metrics_histogram(w->m, "h", "H."), 0.001);
    }
    return NULL;
}

START_TEST(concurrent_updates_are_exact)
{
    naxd_metrics *m;
    ck_assert_int_eq(naxd_metrics_new(&m), 0);
    pthread_t t[4];
    worker_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (worker_arg){m, i};
        ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    ck_assert_uint_eq(naxd_counter_value(naxd_metrics_counter(m, "hits_total", "")), 200000);
    ck_assert_uint_eq(naxd_counter_value(naxd_metrics_counter_l(m, "split_total", "", "t=\"0\"")),
                      200000);
    ck_assert_uint_eq(naxd_histogram_count(naxd_metrics_histogram(m, "h", "")), 200000);
    naxd_metrics_free(m);
}
END_TEST

/* ---- allocation failures ---- */

static long fail_at, attempts, live;

static void *count_malloc(size_t size, void *ud)
{
    (void)ud;
    if (fail_at && ++attempts == fail_at)
        return NULL;
    void *p = malloc(size);
    if (p)
        live++;
    return p;
}

static void *count_realloc(void *ptr, size_t size, void *ud)
{
    (void)ud;
    if (fail_at && ++attempts == fail_at)
        return NULL;
    void *p = realloc(ptr, size);
    if (p && !ptr)
        live++;
    return p;
}

static void count_free(void *ptr, void *ud)
{
    (void)ud;
    if (ptr)
        live--;
    free(ptr);
}

START_TEST(allocation_failures_are_clean)
{
    nax_allocator a = {NAX_ALLOCATOR_VERSION, count_malloc, count_realloc, count_free, NULL};
    ck_assert_int_eq(nax_global_init(&a), 0);
    int completed = 0;
    for (long k = 1; k < 2000 && !completed; k++) {
        fail_at = k;
        attempts = 0;
        live = 0;
        naxd_metrics *m;
        int rc = naxd_metrics_new(&m);
        if (rc) {
            ck_assert_int_eq(rc, NAX_ENOMEM);
            ck_assert_int_eq(live, 0);
            continue;
        }
        int all = 1;
        char name[32];
        for (int i = 0; i < 60; i++) {
            snprintf(name, sizeof(name), "m%d", i);
            naxd_counter *c = naxd_metrics_counter(m, name, "help");
            all &= c != NULL;
            naxd_counter_add(c, 1);
        }
        all &= naxd_metrics_histogram(m, "hist", "help") != NULL;
        nax_buf out = NAX_BUF_INIT;
        rc = naxd_metrics_render(m, &out);
        if (rc) {
            ck_assert_int_eq(rc, NAX_ENOMEM);
            ck_assert_uint_eq(out.len, 0);
            all = 0;
        }
        nax_buf_dispose(&out);
        naxd_metrics_free(m);
        ck_assert_int_eq(live, 0);
        completed = all && attempts < k;
    }
    ck_assert_msg(completed, "never ran without a failure");
    fail_at = 0;
    nax_global_shutdown();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("http_metrics");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, same_name_same_series_and_kinds_do_not_mix);
    tcase_add_test(tc, text_format_for_every_kind);
    tcase_add_test(tc, labelled_histograms_share_one_family);
    tcase_add_test(tc, concurrent_updates_are_exact);
    tcase_add_test(tc, allocation_failures_are_clean);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

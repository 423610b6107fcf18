/* Four threads hammer one breaker, one limiter and one retry budget; the
 * counts must add up afterwards (and ASan/UBSan/TSan-style misuse shows). */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "nax.h"
#include "resilience/resilience.h"
#include "rng.h"

#define THREADS    4
#define ITERATIONS 20000

typedef struct shared {
    nax__breaker breaker;
    nax__limiter limiter;
    nax__retry_budget budget;
    atomic_uint_fast64_t clock; /* advances 1 ms per call */
    atomic_int limiter_taken;
    atomic_int budget_taken;
    atomic_int refused;
    atomic_int probes;
    atomic_int changes;
} shared;

typedef struct worker {
    shared *s;
    uint64_t seed;
} worker;

static void *hammer(void *arg)
{
    worker *w = arg;
    shared *s = w->s;
    for (int i = 0; i < ITERATIONS; i++) {
        uint64_t now = atomic_fetch_add(&s->clock, 1);
        uint64_t r = test_rng_next(&w->seed);
        int probe = 0;
        nax__breaker_change chg;
        if (nax__breaker_acquire(&s->breaker, now, &probe, &chg) == 0) {
            if (probe)
                atomic_fetch_add(&s->probes, 1);
            if (r % 7 == 0) {
                nax__breaker_cancel(&s->breaker, probe);
            } else {
                /* Bursts of failures so that the breaker goes round its states. */
                int failed = (now / 2000) % 2 == 0 ? (r % 10 < 8) : (r % 10 == 0);
                nax__breaker_record(&s->breaker, now, probe, failed, r % 13 == 0, r % 50, &chg);
            }
        } else {
            atomic_fetch_add(&s->refused, 1);
        }
        if (chg.from != chg.to)
            atomic_fetch_add(&s->changes, 1);

        /* The limiter's clock stands still, so nothing refills: exactly its
         * burst can be taken in all, and a refusal names a short wait. */
        uint64_t wait;
        if (nax__limiter_take(&s->limiter, 0, &wait) == 0)
            atomic_fetch_add(&s->limiter_taken, 1);
        else
            ck_assert_uint_eq(wait, 1);

        if (nax__retry_budget_take(&s->budget, 1))
            atomic_fetch_add(&s->budget_taken, 1);
        nax_breaker_status st;
        nax__breaker_status(&s->breaker, now, &st);
        ck_assert_uint_le(st.failures, st.calls);
        ck_assert_uint_le(st.slow, st.calls);
        ck_assert_uint_le(st.calls, 50);
    }
    return NULL;
}

START_TEST(many_threads_keep_counts_consistent)
{
    shared s;
    memset(&s, 0, sizeof s);
    nax_breaker_policy bp;
    memset(&bp, 0, sizeof bp);
    nax__breaker_policy_defaults(&bp);
    bp.window_size = 50;
    bp.min_calls = 10;
    bp.open_ms = 100;
    bp.half_open_probes = 3;
    ck_assert_int_eq(nax__breaker_init(&s.breaker, &bp), 0);
    nax_limiter_policy lp;
    memset(&lp, 0, sizeof lp);
    lp.burst = 1234;
    nax__limiter_policy_defaults(&lp);
    ck_assert_int_eq(nax__limiter_init(&s.limiter, &lp, 0), 0);
    ck_assert_int_eq(nax__retry_budget_init(&s.budget, 777), 0);

    pthread_t t[THREADS];
    worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i].s = &s;
        w[i].seed = (uint64_t)i * 1000003u + 1;
        ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);

    ck_assert_int_eq(atomic_load(&s.limiter_taken), 1234);
    ck_assert_int_eq(atomic_load(&s.budget_taken), 777);
    ck_assert_uint_eq(nax__retry_budget_tokens(&s.budget), 0);

    /* The breaker went round its states, and its ring agrees with its counts. */
    nax_breaker_status st;
    nax__breaker_status(&s.breaker, atomic_load(&s.clock), &st);
    ck_assert_uint_gt(st.opened_total, 0);
    ck_assert_int_gt(atomic_load(&s.refused), 0);
    ck_assert_int_gt(atomic_load(&s.probes), 0);
    ck_assert_int_gt(atomic_load(&s.changes), 2);
    unsigned int failures = 0, slow = 0;
    for (unsigned int i = 0; i < st.calls; i++) {
        failures += (s.breaker.ring[i] & 1) != 0;
        slow += (s.breaker.ring[i] & 2) != 0;
    }
    if (st.calls == bp.window_size) {
        ck_assert_uint_eq(failures, st.failures);
        ck_assert_uint_eq(slow, st.slow);
    }
    ck_assert_uint_le(s.breaker.probes_out + s.breaker.probes_ok, bp.half_open_probes);

    nax__breaker_dispose(&s.breaker);
    nax__limiter_dispose(&s.limiter);
    nax__retry_budget_dispose(&s.budget);
}
END_TEST

/* Tight loops on the budget and the limiter alone: lost updates would let
 * more than their tokens through. */
#define TIGHT 50000

typedef struct tight {
    nax__limiter limiter;
    nax__retry_budget budget;
    pthread_barrier_t start;
    atomic_int limiter_taken;
    atomic_int budget_taken;
} tight;

static void *tight_loop(void *arg)
{
    tight *s = arg;
    int limiter_taken = 0, budget_taken = 0;
    uint64_t wait;
    pthread_barrier_wait(&s->start);
    for (int i = 0; i < TIGHT; i++) {
        limiter_taken += nax__limiter_take(&s->limiter, 0, &wait) == 0;
        budget_taken += nax__retry_budget_take(&s->budget, 1);
    }
    atomic_fetch_add(&s->limiter_taken, limiter_taken);
    atomic_fetch_add(&s->budget_taken, budget_taken);
    return NULL;
}

START_TEST(tight_loops_lose_no_tokens)
{
    static tight s; /* large: keep it off the stack */
    memset(&s, 0, sizeof s);
    const int tokens = THREADS * TIGHT / 2;
    nax_limiter_policy lp;
    memset(&lp, 0, sizeof lp);
    lp.burst = (uint32_t)tokens;
    ck_assert_int_eq(nax__limiter_init(&s.limiter, &lp, 0), 0);
    ck_assert_int_eq(nax__retry_budget_init(&s.budget, (uint32_t)tokens), 0);
    ck_assert_int_eq(pthread_barrier_init(&s.start, NULL, THREADS), 0);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, tight_loop, &s), 0);
    for (int i = 0; i < THREADS; i++)
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);
    ck_assert_int_eq(atomic_load(&s.limiter_taken), tokens);
    ck_assert_int_eq(atomic_load(&s.budget_taken), tokens);
    pthread_barrier_destroy(&s.start);
    nax__limiter_dispose(&s.limiter);
    nax__retry_budget_dispose(&s.budget);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("resilience_threads");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, many_threads_keep_counts_consistent);
    tcase_add_test(tc, tight_loops_lose_no_tokens);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

/*
 * A fail-at-k allocator for allocation-failure tests, given to
 * nax_global_init(): the k-th allocation attempt (malloc or realloc, counted
 * from failalloc_arm(k)) returns NULL, every other one succeeds, and the
 * blocks allocated and not yet freed are counted, so a test can check that
 * a run which met a failure still freed everything (live back to 0).
 *
 * While a thread is paused (failalloc_pause), its attempts are neither
 * counted nor failed, but its blocks are still counted as live: a test can
 * do its own work (e.g. REST calls that drive the server) in the middle of
 * a run. Each thread also keeps its own live count (failalloc_thread_live):
 * a test whose code under test allocates and frees on one thread can tell
 * its blocks from those of helpers working on other threads.
 *
 * Header-only, with state in static storage: include it from one file of a
 * test program. Thread-safe (atomics): the library's threads may allocate.
 */
#ifndef NAX_TESTS_COMMON_FAILALLOC_H
#define NAX_TESTS_COMMON_FAILALLOC_H

#include <stdatomic.h>
#include <stdlib.h>

#include <nax/global.h>

static atomic_long failalloc_live_;     /* blocks allocated, not yet freed */
static atomic_long failalloc_attempts_; /* attempts counted since failalloc_arm */
static atomic_long failalloc_fail_at_;  /* the attempt that fails (1-based); 0: none */
static atomic_int failalloc_hit_;       /* the failure happened */
static _Thread_local int failalloc_paused_;
static _Thread_local long failalloc_thread_live_;

static int failalloc_should_fail_(void)
{
    if (failalloc_paused_)
        return 0;
    long n = atomic_fetch_add(&failalloc_attempts_, 1) + 1;
    if (n != atomic_load(&failalloc_fail_at_))
        return 0;
    atomic_store(&failalloc_hit_, 1);
    return 1;
}

static void *failalloc_malloc_(size_t size, void *ud)
{
    (void)ud;
    if (failalloc_should_fail_())
        return NULL;
    void *p = malloc(size);
    if (p) {
        atomic_fetch_add(&failalloc_live_, 1);
        failalloc_thread_live_++;
    }
    return p;
}

static void *failalloc_realloc_(void *ptr, size_t size, void *ud)
{
    (void)ud;
    if (failalloc_should_fail_())
        return NULL;
    void *p = realloc(ptr, size);
    if (p && !ptr) {
        atomic_fetch_add(&failalloc_live_, 1);
        failalloc_thread_live_++;
    }
    return p;
}

static void failalloc_free_(void *ptr, void *ud)
{
    (void)ud;
    if (ptr) {
        atomic_fetch_sub(&failalloc_live_, 1);
        failalloc_thread_live_--;
    }
    free(ptr);
}

/* The allocator for nax_global_init(). */
static inline const nax_allocator *failalloc_allocator(void)
{
    static const nax_allocator a = {NAX_ALLOCATOR_VERSION, failalloc_malloc_, failalloc_realloc_,
                                    failalloc_free_, NULL};
    return &a;
}

/* Starts counting attempts from 0; the k-th fails (k = 0: none fails).
 * The live count is left alone: a run checks it against its own start. */
static inline void failalloc_arm(long k)
{
    atomic_store(&failalloc_fail_at_, 0);
    atomic_store(&failalloc_attempts_, 0);
    atomic_store(&failalloc_hit_, 0);
    atomic_store(&failalloc_fail_at_, k);
}

/* No further failure (the count of attempts goes on). */
static inline void failalloc_disarm(void)
{
    atomic_store(&failalloc_fail_at_, 0);
}

/* Whether the armed failure happened. */
static inline int failalloc_hit(void)
{
    return atomic_load(&failalloc_hit_);
}

/* Attempts counted since failalloc_arm(). */
static inline long failalloc_attempts(void)
{
    return atomic_load(&failalloc_attempts_);
}

/* Blocks allocated through the allocator and not yet freed. */
static inline long failalloc_live(void)
{
    return atomic_load(&failalloc_live_);
}

/* Blocks allocated minus blocks freed by the calling thread. */
static inline long failalloc_thread_live(void)
{
    return failalloc_thread_live_;
}

/* Non-zero: the calling thread's attempts are not counted and do not fail
 * (its blocks still count as live). */
static inline void failalloc_pause(int paused)
{
    failalloc_paused_ = paused;
}

#endif /* NAX_TESTS_COMMON_FAILALLOC_H */

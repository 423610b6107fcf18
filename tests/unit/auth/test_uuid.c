/*
 * UUIDs (lib/auth/random.c: request ids, idempotency keys, client order ids):
 * version 4 in the canonical form, never repeated across threads (each with
 * its own pool of random bytes, refilled many times here), and a forked child
 * never hands out the ids its parent's pool would have given next.
 */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/auth.h"
#include "nax.h"

#define ID_LEN     36
#define PER_THREAD 3000 /* > 11 refills of a 4 KiB pool */
#define THREADS    4
#define AFTER_FORK 300

typedef char id_text[ID_LEN + 1];

static void check_format(const char *id)
{
    ck_assert_uint_eq(strlen(id), ID_LEN);
    for (int i = 0; i < ID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            ck_assert_msg(id[i] == '-', "%s: no '-' at %d", id, i);
        else
            ck_assert_msg(strchr("0123456789abcdef", id[i]) && id[i], "%s: '%c' at %d", id, id[i],
                          i);
    }
    ck_assert_msg(id[14] == '4', "%s: version nibble", id);
    ck_assert_msg(strchr("89ab", id[19]) != NULL, "%s: variant nibble", id);
}

START_TEST(ids_are_version_4_uuids)
{
    int variant_seen[4] = {0};
    for (int i = 0; i < 2000; i++) {
        id_text id;
        ck_assert_int_eq(nax__uuid4(id), 0);
        check_format(id);
        variant_seen[strchr("89ab", id[19]) - "89ab"] = 1;
    }
    /* The variant's free bit is random, not fixed. */
    ck_assert_int_eq(variant_seen[0] + variant_seen[1] + variant_seen[2] + variant_seen[3], 4);
}
END_TEST

static void *draw(void *arg)
{
    id_text *out = arg;
    for (int i = 0; i < PER_THREAD; i++)
        if (nax__uuid4(out[i]) != 0)
            return (void *)1;
    return NULL;
}

static int by_text(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(id_text));
}

static void expect_unique(id_text *ids, size_t n)
{
    qsort(ids, n, sizeof *ids, by_text);
    for (size_t i = 1; i < n; i++)
        ck_assert_msg(strcmp(ids[i - 1], ids[i]) != 0, "id %s came twice", ids[i]);
}

START_TEST(no_id_repeats_across_threads)
{
    id_text *ids = calloc((size_t)(THREADS + 1) * PER_THREAD, sizeof *ids);
    ck_assert_ptr_nonnull(ids);
    pthread_t t[THREADS];
    for (int k = 0; k < THREADS; k++)
        ck_assert_int_eq(pthread_create(&t[k], NULL, draw, ids + (size_t)k * PER_THREAD), 0);
    ck_assert_ptr_null(draw(ids + (size_t)THREADS * PER_THREAD)); /* this thread too */
    for (int k = 0; k < THREADS; k++) {
        void *failed = NULL;
        ck_assert_int_eq(pthread_join(t[k], &failed), 0);
        ck_assert_ptr_null(failed);
    }
    for (size_t i = 0; i < (size_t)(THREADS + 1) * PER_THREAD; i++)
        check_format(ids[i]);
    expect_unique(ids, (size_t)(THREADS + 1) * PER_THREAD);
    free(ids);
}
END_TEST

/* Without the fork handler the child would start where the parent's pool
 * stands and give out exactly the parent's next ids. */
START_TEST(a_forked_child_draws_its_own_ids)
{
    id_text first;
    ck_assert_int_eq(nax__uuid4(first), 0); /* the pool is now full */
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        int ok = 1;
        for (int i = 0; i < AFTER_FORK && ok; i++) {
            id_text id;
            ok = nax__uuid4(id) == 0 && write(fds[1], id, sizeof id) == (ssize_t)sizeof id;
        }
        _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    id_text *ids = calloc(2 * AFTER_FORK, sizeof *ids);
    ck_assert_ptr_nonnull(ids);
    size_t got = 0;
    char *p = (char *)ids;
    for (;;) {
        ssize_t n = read(fds[0], p + got, AFTER_FORK * sizeof(id_text) - got);
        ck_assert_int_ge(n, 0);
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fds[0]);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child failed");
    ck_assert_uint_eq(got, AFTER_FORK * sizeof(id_text));
    for (int i = 0; i < AFTER_FORK; i++)
        ck_assert_int_eq(nax__uuid4(ids[AFTER_FORK + i]), 0);
    for (int i = 0; i < 2 * AFTER_FORK; i++)
        check_format(ids[i]);
    expect_unique(ids, 2 * AFTER_FORK);
    free(ids);
}
END_TEST

int main(void)
{
    if (nax_global_init(NULL) != 0)
        return 1;
    Suite *s = suite_create("auth_uuid");
    TCase *tc = tcase_create("uuid");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, ids_are_version_4_uuids);
    tcase_add_test(tc, no_id_repeats_across_threads);
    tcase_add_test(tc, a_forked_child_draws_its_own_ids);
    suite_add_tcase(s, tc);
    SRunner *runner = srunner_create(s);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    nax_global_shutdown();
    return failed == 0 ? 0 : 1;
}

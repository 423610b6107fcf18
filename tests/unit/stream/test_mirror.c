/* The book mirror against a naive model: random changes, the same levels
 * and the same checksum as nax_book_checksum over the model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/mirror.h"
#include "stream_test.h"

/* A level at price (in cents) and quantity (in thousandths; 0 removes). */
static nax_book_level cents(long price, long qty)
{
    nax_book_level l;
    MUST(nax_decimal_from_int(&l.price, price, 2) == 0);
    MUST(nax_decimal_from_int(&l.quantity, qty, 3) == 0);
    return l;
}

static void assert_mirror_is_model(naxd__mirror *m, const model_book *model)
{
    size_t nb = m->bids.n, na = m->asks.n;
    nax_book_level *b = malloc((nb + 1) * sizeof(*b)), *a = malloc((na + 1) * sizeof(*a));
    ck_assert_uint_eq(naxd__side_copy(&m->bids, 0, b), nb);
    ck_assert_uint_eq(naxd__side_copy(&m->asks, 0, a), na);
    model_assert_equal(model, b, nb, a, na);
    ck_assert_uint_eq(naxd__mirror_checksum(m), model_checksum(model));
    free(b);
    free(a);
}

START_TEST(random_changes_match_the_model)
{
    srand(12345);
    naxd__mirror m;
    naxd__mirror_init(&m);
    model_book model = {0};
    ck_assert_int_eq(naxd__mirror_reset(&m, 10, 1, NULL, 0, NULL, 0), 0);
    uint64_t seq = 10;
    for (int round = 0; round < 3000; round++) {
        nax_book_level bids[8], asks[8], cb[8], ca[8];
        size_t nb = (size_t)(rand() % 5), na = (size_t)(rand() % 5);
        /* bids below 10000.00, asks above; a small range so levels repeat */
        for (size_t i = 0; i < nb; i++)
            bids[i] = cents(900000 + rand() % 400 * 25, rand() % 3 ? rand() % 5000 + 1 : 0);
        for (size_t i = 0; i < na; i++)
            asks[i] = cents(1000000 + rand() % 400 * 25, rand() % 3 ? rand() % 5000 + 1 : 0);
        size_t ncb = 99, nca = 99;
        ck_assert_int_eq(naxd__mirror_apply(&m, ++seq, 2, bids, nb, asks, na, cb, &ncb, ca, &nca),
                         0);
        /* what changed, applied to a copy of the model, gives the same book */
        model_book before = {0};
        model_set(&before, model.bids, model.nb, model.asks, model.na);
        model_apply(&model, 1, bids, nb);
        model_apply(&model, 0, asks, na);
        model_apply(&before, 1, cb, ncb);
        model_apply(&before, 0, ca, nca);
        model_assert_equal(&model, before.bids, before.nb, before.asks, before.na);
        model_free(&before);
        ck_assert_uint_eq(m.seq, seq);
        if (round % 50 == 0 || round > 2950)
            assert_mirror_is_model(&m, &model);
        else
            ck_assert_uint_eq(naxd__mirror_checksum(&m), model_checksum(&model));
    }
    ck_assert_uint_gt(m.bids.n, 25); /* the checksum saw a deep book */
    naxd__mirror_dispose(&m);
    model_free(&model);
}
END_TEST

START_TEST(levels_match_by_numeric_price)
{
    naxd__mirror m;
    naxd__mirror_init(&m);
    nax_book_level bids[] = {lv("97250.50", "0.01500000"), lv("97249.00", "1.25000000"),
                             lv("97200.00", "0.50000000")};
    nax_book_level asks[] = {lv("97251.00", "0.40000000"), lv("97260.10", "2.00000000")};
    ck_assert_int_eq(naxd__mirror_reset(&m, 5, 1, bids, 3, asks, 2), 0);
    ck_assert_uint_eq(naxd__mirror_checksum(&m), 1284684486u);
    /* the worked example of docs/asyncapi.yaml, prices written differently */
    nax_book_level ub[] = {lv("97249", "0")}, ua[] = {lv("97251.0", "0.25")};
    nax_book_level cb[1], ca[1];
    size_t ncb, nca;
    ck_assert_int_eq(naxd__mirror_apply(&m, 6, 2, ub, 1, ua, 1, cb, &ncb, ca, &nca), 0);
    ck_assert_uint_eq(ncb, 1);
    ck_assert_uint_eq(nca, 1);
    ck_assert_uint_eq(naxd__mirror_checksum(&m), 1000209139u);
    ck_assert_uint_eq(m.bids.n, 2);
    /* the same totals again change nothing and are left out */
    nax_book_level same[] = {lv("97251.000", "0.250")};
    ck_assert_int_eq(naxd__mirror_apply(&m, 7, 3, NULL, 0, same, 1, cb, &ncb, ca, &nca), 0);
    ck_assert_uint_eq(nca, 0);
    ck_assert_uint_eq(m.seq, 7);
    /* removing a level that is not there changes nothing either */
    nax_book_level gone[] = {lv("1", "0")};
    ck_assert_int_eq(naxd__mirror_apply(&m, 8, 3, gone, 1, NULL, 0, cb, &ncb, ca, &nca), 0);
    ck_assert_uint_eq(ncb, 0);
    naxd__mirror_dispose(&m);
}
END_TEST

START_TEST(bad_changes_change_nothing)
{
    naxd__mirror m;
    naxd__mirror_init(&m);
    nax_book_level bids[] = {lv("100", "1"), lv("99", "2")};
    ck_assert_int_eq(naxd__mirror_reset(&m, 1, 1, bids, 2, NULL, 0), 0);
    uint32_t crc = naxd__mirror_checksum(&m);
    nax_book_level cb[2], ca[2];
    size_t ncb, nca;
    nax_book_level up[] = {lv("98", "1")};
    /* a gap in seq */
    ck_assert_int_eq(naxd__mirror_apply(&m, 3, 2, up, 1, NULL, 0, cb, &ncb, ca, &nca), NAX_EINVAL);
    /* a negative quantity after a good level: nothing of it applies */
    nax_book_level bad[] = {lv("98", "1"), lv("97", "-1")};
    ck_assert_int_eq(naxd__mirror_apply(&m, 2, 2, bad, 2, NULL, 0, cb, &ncb, ca, &nca), NAX_EINVAL);
    ck_assert_uint_eq(m.seq, 1);
    ck_assert_uint_eq(m.bids.n, 2);
    ck_assert_uint_eq(naxd__mirror_checksum(&m), crc);
    /* resets must be best first, one level per price */
    nax_book_level unsorted[] = {lv("99", "1"), lv("100", "2")};
    ck_assert_int_eq(naxd__mirror_reset(&m, 9, 1, unsorted, 2, NULL, 0), NAX_EINVAL);
    nax_book_level twice[] = {lv("100", "1"), lv("100.0", "2")};
    ck_assert_int_eq(naxd__mirror_reset(&m, 9, 1, NULL, 0, twice, 2), NAX_EINVAL);
    ck_assert_uint_eq(m.seq, 1);
    ck_assert_uint_eq(m.bids.n, 2);
    /* zero levels in a reset are left out */
    nax_book_level with_zero[] = {lv("100", "1"), lv("99", "0"), lv("98", "3")};
    ck_assert_int_eq(naxd__mirror_reset(&m, 9, 1, with_zero, 3, NULL, 0), 0);
    ck_assert_uint_eq(m.bids.n, 2);
    naxd__mirror_dispose(&m);
}
END_TEST

START_TEST(a_deep_book_of_100k_levels)
{
    enum { N = 100000 };
    naxd__mirror m;
    naxd__mirror_init(&m);
    nax_book_level *bids = malloc(N * sizeof(*bids)), *asks = malloc(N * sizeof(*asks));
    for (long i = 0; i < N; i++) {
        bids[i] = cents(10000000 - 1 - i, 1000 + i % 7);
        asks[i] = cents(10000000 + i, 1000 + i % 5);
    }
    ck_assert_int_eq(naxd__mirror_reset(&m, 1, 1, bids, N, asks, N), 0);
    model_book model = {0};
    model_set(&model, bids, N, asks, N);
    ck_assert_uint_eq(naxd__mirror_checksum(&m), model_checksum(&model));
    /* changes at the top, in the middle and at the bottom */
    srand(7);
    uint64_t seq = 1;
    for (int k = 0; k < 300; k++) {
        long depth = k % 3 == 0 ? rand() % 30 : k % 3 == 1 ? rand() % N : N - 1 - rand() % 30;
        nax_book_level b = cents(10000000 - 1 - depth, rand() % 4 ? rand() % 900 + 1 : 0);
        nax_book_level a = cents(10000000 + depth + (k % 2), rand() % 4 ? rand() % 900 + 1 : 0);
        nax_book_level cb[1], ca[1];
        size_t ncb, nca;
        ck_assert_int_eq(naxd__mirror_apply(&m, ++seq, 1, &b, 1, &a, 1, cb, &ncb, ca, &nca), 0);
        model_apply(&model, 1, &b, 1);
        model_apply(&model, 0, &a, 1);
        ck_assert_uint_eq(naxd__mirror_checksum(&m), model_checksum(&model));
    }
    assert_mirror_is_model(&m, &model);
    model_free(&model);
    free(bids);
    free(asks);
    naxd__mirror_dispose(&m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stream_mirror");
    TCase *tc = tcase_create("mirror");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, random_changes_match_the_model);
    tcase_add_test(tc, levels_match_by_numeric_price);
    tcase_add_test(tc, bad_changes_change_nothing);
    tcase_add_test(tc, a_deep_book_of_100k_levels);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

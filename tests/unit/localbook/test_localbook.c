/*
 * The stream's local order book (lib/stream/book.c) on its own: the worked
 * checksum example of docs/asyncapi.yaml, numeric price matching, seq
 * checks, malformed input, a 100k-level book driven by random updates and
 * checked against a plain array model, and allocation failures.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nax.h"
#include "stream/book.h"

static nax_decimal dec(const char *text)
{
    nax_decimal d;
    ck_assert_int_eq(nax_decimal_parse(&d, text, strlen(text), NULL), 0);
    return d;
}

static nax_book_level lvl(const char *price, const char *qty)
{
    nax_book_level l = {dec(price), dec(qty)};
    return l;
}

static void assert_level(const nax_book_level *l, const char *price, const char *qty)
{
    nax_decimal p = dec(price), q = dec(qty);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(nax_decimal_cmp(&l->price, &p), 0);
    ck_assert_int_eq(nax_decimal_cmp(&l->quantity, &q), 0);
}

static void setup(void)
{
    ck_assert_int_eq(nax_global_init(NULL), 0);
}

static void teardown(void)
{
    nax_global_shutdown();
}

/* The snapshot and update of the asyncapi checksum section. */
START_TEST(worked_example)
{
    nax__book b;
    nax__book_init(&b);
    ck_assert_uint_eq(nax__book_checksum(&b), 1885708031u); /* empty: "#" */
    nax_book_level bids[] = {lvl("97250.50", "0.01500000"), lvl("97249.00", "1.25000000"),
                             lvl("97200.00", "0.50000000")};
    nax_book_level asks[] = {lvl("97251.00", "0.40000000"), lvl("97260.10", "2.00000000")};
    ck_assert_int_eq(nax__book_replace(&b, 120045, bids, 3, asks, 2), 0);
    ck_assert_uint_eq(b.seq, 120045);
    ck_assert_uint_eq(nax__book_checksum(&b), 1284684486u);
    assert_level(nax__book_best(&b.bids), "97250.5", "0.015");
    assert_level(nax__book_best(&b.asks), "97251", "0.4");

    ck_assert_int_eq(nax__book_seq_check(&b, 120046), NAX__BOOK_SEQ_NEXT);
    ck_assert_int_eq(nax__book_seq_check(&b, 120045), NAX__BOOK_SEQ_OLD);
    ck_assert_int_eq(nax__book_seq_check(&b, 120047), NAX__BOOK_SEQ_GAP);

    nax_book_level ub[] = {lvl("97249.00", "0")};
    nax_book_level ua[] = {lvl("97251.00", "0.25000000")};
    ck_assert_int_eq(nax__book_apply(&b, 120046, ub, 1, ua, 1), 0);
    ck_assert_uint_eq(b.seq, 120046);
    ck_assert_uint_eq(nax__book_checksum(&b), 1000209139u);
    ck_assert_uint_eq(b.bids.len, 2);
    ck_assert_uint_eq(b.asks.len, 2);

    nax_book_level out[8];
    ck_assert_uint_eq(nax__book_copy_side(&b.bids, out, 0), 2);
    assert_level(&out[0], "97250.50", "0.015");
    assert_level(&out[1], "97200", "0.5");
    ck_assert_uint_eq(nax__book_copy_side(&b.asks, out, 1), 1);
    assert_level(&out[0], "97251", "0.25");
    nax__book_dispose(&b);
}
END_TEST

/* "97249.00" and "97249" are one level; new prices land in order; removing
 * an absent level changes nothing. */
START_TEST(numeric_prices)
{
    nax__book b;
    nax__book_init(&b);
    nax_book_level bids[] = {lvl("100.00", "1"), lvl("99.50", "2")};
    ck_assert_int_eq(nax__book_replace(&b, 1, bids, 2, NULL, 0), 0);
    nax_book_level u1[] = {lvl("100", "3"), lvl("99.5000", "0"), lvl("101.0", "4"), lvl("98", "0"),
                           lvl("99.75", "5")};
    ck_assert_int_eq(nax__book_apply(&b, 2, u1, 5, NULL, 0), 0);
    nax_book_level out[8];
    ck_assert_uint_eq(nax__book_copy_side(&b.bids, out, 0), 3);
    assert_level(&out[0], "101", "4");
    assert_level(&out[1], "100", "3");
    assert_level(&out[2], "99.75", "5");

    nax_book_level asks[] = {lvl("102", "1")};
    nax_book_level u2[] = {lvl("102.000", "7"), lvl("101.5", "1"), lvl("103", "2")};
    ck_assert_int_eq(nax__book_apply(&b, 3, NULL, 0, asks, 1), 0);
    ck_assert_int_eq(nax__book_apply(&b, 4, NULL, 0, u2, 3), 0);
    ck_assert_uint_eq(nax__book_copy_side(&b.asks, out, 0), 3);
    assert_level(&out[0], "101.5", "1");
    assert_level(&out[1], "102", "7");
    assert_level(&out[2], "103", "2");
    nax__book_dispose(&b);
}
END_TEST

/* Snapshots in any order are sorted, zero levels dropped; a price given
 * twice, a negative quantity or a zero price is refused with the book as it
 * was. */
START_TEST(malformed_input)
{
    nax__book b;
    nax__book_init(&b);
    nax_book_level bids[] = {lvl("1", "1"), lvl("3", "1"), lvl("2", "0"), lvl("2.5", "1")};
    ck_assert_int_eq(nax__book_replace(&b, 7, bids, 4, NULL, 0), 0);
    ck_assert_uint_eq(b.bids.len, 3);
    assert_level(nax__book_best(&b.bids), "3", "1");
    uint32_t before = nax__book_checksum(&b);

    nax_book_level dup[] = {lvl("5", "1"), lvl("5.0", "2")};
    ck_assert_int_eq(nax__book_replace(&b, 8, dup, 2, NULL, 0), NAX_EINVAL);
    nax_book_level neg[] = {lvl("4", "1"), lvl("3", "-1")};
    ck_assert_int_eq(nax__book_apply(&b, 8, neg, 2, NULL, 0), NAX_EINVAL);
    nax_book_level zero_price[] = {lvl("0", "1")};
    ck_assert_int_eq(nax__book_apply(&b, 8, NULL, 0, zero_price, 1), NAX_EINVAL);
    ck_assert_uint_eq(b.seq, 7);
    ck_assert_uint_eq(b.bids.len, 3);
    ck_assert_uint_eq(nax__book_checksum(&b), before);
    nax__book_dispose(&b);
}
END_TEST

/* ---- a large book against a model ---------------------------------------- */

#define TICKS     400000 /* prices 0.01 .. 4000.00 */
#define ASK_FIRST 200001 /* bids below, asks from here */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Price of a tick, written at a random scale (2 or 4) so matching must be numeric. */
static nax_book_level make_level(long tick, int64_t qty)
{
    nax_book_level l;
    if (rnd() & 1)
        ck_assert_int_eq(nax_decimal_from_int(&l.price, tick, 2), 0);
    else
        ck_assert_int_eq(nax_decimal_from_int(&l.price, tick * 100, 4), 0);
    ck_assert_int_eq(nax_decimal_from_int(&l.quantity, qty, 8), 0);
    return l;
}

/* The whole side, best first, equals the model. */
static void check_side(const nax__book_side *side, const int64_t *model, int bids)
{
    size_t n = 0;
    for (long t = 0; t < TICKS; t++)
        n += model[t] != 0;
    ck_assert_uint_eq(side->len, n);
    nax_book_level *out = malloc((n ? n : 1) * sizeof *out);
    ck_assert_uint_eq(nax__book_copy_side(side, out, 0), n);
    size_t i = 0;
    for (long k = 0; k < TICKS; k++) {
        long t = bids ? TICKS - 1 - k : k;
        if (!model[t])
            continue;
        int64_t price, qty;
        ck_assert_int_eq(nax_decimal_to_int(&price, &out[i].price, 2), 0);
        ck_assert_int_eq(nax_decimal_to_int(&qty, &out[i].quantity, 8), 0);
        ck_assert_int_eq(price, t);
        ck_assert_int_eq(qty, model[t]);
        i++;
    }
    free(out);
}

/* The checksum of the model's top 25 per side, through the public function. */
static uint32_t model_checksum(const int64_t *bids, const int64_t *asks)
{
    nax_book_level b[25], a[25];
    size_t nb = 0, na = 0;
    for (long t = ASK_FIRST - 1; t >= 0 && nb < 25; t--)
        if (bids[t])
            b[nb++] = make_level(t, bids[t]);
    for (long t = ASK_FIRST; t < TICKS && na < 25; t++)
        if (asks[t])
            a[na++] = make_level(t, asks[t]);
    uint32_t crc;
    ck_assert_int_eq(nax_book_checksum(&crc, b, nb, a, na), 0);
    return crc;
}

START_TEST(large_book_against_model)
{
    int64_t *mb = calloc(TICKS, sizeof *mb), *ma = calloc(TICKS, sizeof *ma);
    ck_assert_ptr_nonnull(mb);
    ck_assert_ptr_nonnull(ma);
    /* A 100k-level snapshot per side, best first. */
    size_t n = 100000;
    nax_book_level *bids = malloc(n * sizeof *bids), *asks = malloc(n * sizeof *asks);
    for (size_t i = 0; i < n; i++) {
        long bt = ASK_FIRST - 1 - (long)i, at = ASK_FIRST + (long)i;
        mb[bt] = (int64_t)(rnd() % 1000000) + 1;
        ma[at] = (int64_t)(rnd() % 1000000) + 1;
        bids[i] = make_level(bt, mb[bt]);
        asks[i] = make_level(at, ma[at]);
    }
    nax__book b;
    nax__book_init(&b);
    ck_assert_int_eq(nax__book_replace(&b, 1, bids, n, asks, n), 0);
    ck_assert_uint_eq(nax__book_checksum(&b), model_checksum(mb, ma));
    free(bids);
    free(asks);

    /* Updates: mostly near the top, some deep (which keep the checksum); sets,
     * resizes and removals. */
    for (int round = 0; round < 12000; round++) {
        nax_book_level ub[4], ua[4];
        size_t nb = rnd() % 4, na = rnd() % 4;
        for (size_t i = 0; i < nb; i++) {
            long depth = (rnd() & 7) ? (long)(rnd() % 64) : (long)(rnd() % 150000);
            long t = ASK_FIRST - 1 - depth;
            int64_t q = (rnd() % 3 == 0) ? 0 : (int64_t)(rnd() % 1000000) + 1;
            mb[t] = q;
            ub[i] = make_level(t, q);
        }
        for (size_t i = 0; i < na; i++) {
            long depth = (rnd() & 7) ? (long)(rnd() % 64) : (long)(rnd() % 150000);
            long t = ASK_FIRST + depth;
            int64_t q = (rnd() % 3 == 0) ? 0 : (int64_t)(rnd() % 1000000) + 1;
            ma[t] = q;
            ua[i] = make_level(t, q);
        }
        ck_assert_int_eq(nax__book_seq_check(&b, (uint64_t)round + 2), NAX__BOOK_SEQ_NEXT);
        ck_assert_int_eq(nax__book_apply(&b, (uint64_t)round + 2, ub, nb, ua, na), 0);
        /* Every round: a checksum kept from before must still be right. */
        ck_assert_uint_eq(nax__book_checksum(&b), model_checksum(mb, ma));
    }
    ck_assert_uint_eq(nax__book_checksum(&b), model_checksum(mb, ma));
    check_side(&b.bids, mb, 1);
    check_side(&b.asks, ma, 0);
    nax__book_dispose(&b);
    free(mb);
    free(ma);
}
END_TEST

/* ---- allocation failures --------------------------------------------------- */

static long fail_at, attempts;

static void *failing_malloc(size_t size, void *ud)
{
    (void)ud;
    return ++attempts == fail_at ? NULL : malloc(size);
}

static void *failing_realloc(void *p, size_t size, void *ud)
{
    (void)ud;
    return ++attempts == fail_at ? NULL : realloc(p, size);
}

static void plain_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

/* Whichever allocation fails, replace and apply report NAX_ENOMEM and the
 * book stays exactly as it was; with no failure they succeed. */
START_TEST(allocation_failures)
{
    nax_global_shutdown();
    nax_allocator a = {NAX_ALLOCATOR_VERSION, failing_malloc, failing_realloc, plain_free, NULL};
    ck_assert_int_eq(nax_global_init(&a), 0);
    nax_book_level snap[80], upd[80];
    for (int i = 0; i < 80; i++) {
        snap[i] = make_level(1000 - i, 5);
        upd[i] = make_level(2000 + i, 7);
    }
    for (long k = 1;; k++) {
        nax__book b;
        nax__book_init(&b);
        fail_at = 0;
        ck_assert_int_eq(nax__book_replace(&b, 1, snap, 80, snap, 40), 0);
        uint32_t before = nax__book_checksum(&b);
        attempts = 0;
        fail_at = k;
        int rc = nax__book_replace(&b, 2, snap, 10, NULL, 0);
        if (rc == 0)
            rc = nax__book_apply(&b, 3, upd, 80, upd, 80);
        fail_at = 0;
        if (rc == 0) {
            ck_assert_uint_eq(b.seq, 3);
            ck_assert_uint_eq(b.bids.len, 90);
            nax__book_dispose(&b);
            ck_assert_int_ge(k, 2); /* some allocation was made and failed before */
            break;
        }
        ck_assert_int_eq(rc, NAX_ENOMEM);
        ck_assert_uint_ne(b.seq, 3);
        if (b.seq == 1)
            ck_assert_uint_eq(nax__book_checksum(&b), before);
        nax__book_dispose(&b);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("localbook");
    TCase *tc = tcase_create("book");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, worked_example);
    tcase_add_test(tc, numeric_prices);
    tcase_add_test(tc, malformed_input);
    tcase_add_test(tc, large_book_against_model);
    tcase_add_test(tc, allocation_failures);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

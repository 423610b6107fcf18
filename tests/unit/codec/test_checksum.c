/*
 * nax_book_checksum(): CRC-32 over `price:quantity|...#price:quantity|...`
 * with normalised decimals and at most 25 levels a side. Every expected value
 * here was computed independently with Python's zlib.crc32 over the text in
 * the comment beside it.
 */
#include <stdio.h>
#include <string.h>

#include "codec/codec_internal.h"
#include "codec_test.h"

static uint32_t checksum(const nax_book_level *bids, size_t nb, const nax_book_level *asks,
                         size_t na)
{
    uint32_t crc = 0;
    ck_assert_int_eq(nax_book_checksum(&crc, bids, nb, asks, na), 0);
    return crc;
}

START_TEST(crc32_known_answers)
{
    /* The standard CRC-32 check value, and zlib-style chaining. */
    ck_assert_uint_eq(nax__codec_crc32(0, "123456789", 9), 0xcbf43926u);
    ck_assert_uint_eq(nax__codec_crc32(nax__codec_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
    ck_assert_uint_eq(nax__codec_crc32(0, "", 0), 0);
    ck_assert_uint_eq(nax__codec_crc32(0, "#", 1), 1885708031u);
}
END_TEST

START_TEST(empty_book_hashes_the_separator)
{
    ck_assert_uint_eq(checksum(NULL, 0, NULL, 0), 1885708031u); /* "#" */
    nax_book_level unused = {DEC("1"), DEC("1")};
    ck_assert_uint_eq(checksum(&unused, 0, &unused, 0), 1885708031u);
}
END_TEST

START_TEST(a_small_book)
{
    nax_book_level bids[] = {{DEC("97250.50"), DEC("0.51200000")}, {DEC("97250.00"), DEC("1.5")}};
    nax_book_level asks[] = {{DEC("97251.00"), DEC("0.25000000")}};
    /* "97250.5:0.512|97250:1.5#97251:0.25" */
    ck_assert_uint_eq(checksum(bids, 2, asks, 1), 1418815297u);
    /* One side only: "1:2#" and "#3:4". */
    nax_book_level one[] = {{DEC("1"), DEC("2")}};
    nax_book_level three[] = {{DEC("3"), DEC("4")}};
    ck_assert_uint_eq(checksum(one, 1, NULL, 0), 255329693u);
    ck_assert_uint_eq(checksum(NULL, 0, three, 1), 2985537225u);
    /* Sides matter: swapping them changes the text. */
    ck_assert_uint_ne(checksum(three, 1, NULL, 0), 2985537225u);
}
END_TEST

/* The worked example of docs/asyncapi.yaml. */
START_TEST(the_contract_worked_example)
{
    nax_book_level bids[] = {{DEC("97250.50"), DEC("0.01500000")},
                             {DEC("97249.00"), DEC("1.25000000")},
                             {DEC("97200.00"), DEC("0.50000000")}};
    nax_book_level asks[] = {{DEC("97251.00"), DEC("0.40000000")},
                             {DEC("97260.10"), DEC("2.00000000")}};
    /* "97250.5:0.015|97249:1.25|97200:0.5#97251:0.4|97260.1:2" */
    ck_assert_uint_eq(checksum(bids, 3, asks, 2), 1284684486u);
    /* After the update: bid 97249 removed, ask 97251 resized. */
    nax_book_level bids2[] = {bids[0], bids[2]};
    asks[0].quantity = DEC("0.25000000");
    ck_assert_uint_eq(checksum(bids2, 2, asks, 2), 1000209139u);
}
END_TEST

START_TEST(trailing_zeros_do_not_matter)
{
    nax_book_level a[] = {{DEC("97250.50"), DEC("0.51200000")}, {DEC("97250.00"), DEC("1.5")}};
    nax_book_level b[] = {{DEC("97250.5"), DEC("0.512")}, {DEC("97250"), DEC("1.500000")}};
    nax_book_level asks_a[] = {{DEC("97251.00"), DEC("0.25000000")}};
    nax_book_level asks_b[] = {{DEC("97251"), DEC("0.25")}};
    ck_assert_uint_eq(checksum(a, 2, asks_a, 1), checksum(b, 2, asks_b, 1));
    /* "0:100#10:0": zero with a scale, a whole number with zeros after the point. */
    nax_book_level z[] = {{DEC("0.000"), DEC("100.00")}};
    nax_book_level t[] = {{DEC("10"), DEC("-0.0")}};
    ck_assert_uint_eq(checksum(z, 1, t, 1), 1022726219u);
    /* Negative values keep their sign: "-1.5:2#". */
    nax_book_level n[] = {{DEC("-1.50"), DEC("2")}};
    ck_assert_uint_eq(checksum(n, 1, NULL, 0), 600805273u);
    /* But a different value is a different checksum. */
    nax_book_level c[] = {{DEC("97250.51"), DEC("0.512")}, {DEC("97250"), DEC("1.5")}};
    ck_assert_uint_ne(checksum(a, 2, asks_a, 1), checksum(c, 2, asks_b, 1));
}
END_TEST

START_TEST(only_the_first_25_levels_count)
{
    /* bids: "%d.%d" % (100 - i, i % 10) with quantity "0.%03d" % (i + 1), 30 levels;
     * asks: "%d.5" % (101 + i) with quantity "%d" % (i + 1), 27 levels. */
    nax_book_level bids[30], asks[27];
    for (int i = 0; i < 30; i++) {
        char p[32], q[32];
        snprintf(p, sizeof p, "%d.%d", 100 - i, i % 10);
        snprintf(q, sizeof q, "0.%03d", i + 1);
        bids[i].price = DEC(p);
        bids[i].quantity = DEC(q);
    }
    for (int i = 0; i < 27; i++) {
        char p[32], q[32];
        snprintf(p, sizeof p, "%d.5", 101 + i);
        snprintf(q, sizeof q, "%d", i + 1);
        asks[i].price = DEC(p);
        asks[i].quantity = DEC(q);
    }
    ck_assert_uint_eq(checksum(bids, 30, asks, 27), 1935644929u);
    ck_assert_uint_eq(checksum(bids, 25, asks, 25), 1935644929u);
    ck_assert_uint_eq(checksum(bids, 26, asks, 1000 / 37), 1935644929u);
    /* Level 25 (the 25th) still counts. */
    ck_assert_uint_ne(checksum(bids, 24, asks, 25), 1935644929u);
    /* Garbage beyond the 25th level is never read. */
    bids[27].price.scale = 200;
    ck_assert_uint_eq(checksum(bids, 30, asks, 27), 1935644929u);
}
END_TEST

START_TEST(bad_arguments)
{
    nax_book_level lv = {DEC("1"), DEC("2")};
    uint32_t crc = 12345;
    ck_assert_int_eq(nax_book_checksum(NULL, &lv, 1, &lv, 1), NAX_EINVAL);
    ck_assert_int_eq(nax_book_checksum(&crc, NULL, 1, &lv, 1), NAX_EINVAL);
    ck_assert_int_eq(nax_book_checksum(&crc, &lv, 1, NULL, 2), NAX_EINVAL);
    ck_assert_uint_eq(crc, 12345); /* untouched on failure */
    nax_book_level bad = lv;
    bad.price.scale = 19;
    ck_assert_int_eq(nax_book_checksum(&crc, &bad, 1, NULL, 0), NAX_EINVAL);
    ck_assert_uint_eq(crc, 12345);
}
END_TEST

static Suite *checksum_suite(void)
{
    Suite *s = suite_create("codec_checksum");
    TCase *tc = tcase_create("checksum");
    tcase_add_test(tc, crc32_known_answers);
    tcase_add_test(tc, empty_book_hashes_the_separator);
    tcase_add_test(tc, a_small_book);
    tcase_add_test(tc, the_contract_worked_example);
    tcase_add_test(tc, trailing_zeros_do_not_matter);
    tcase_add_test(tc, only_the_first_25_levels_count);
    tcase_add_test(tc, bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(checksum_suite());
}

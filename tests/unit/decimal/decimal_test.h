/* Shared helpers of the decimal unit tests. */
#ifndef NAX_TEST_DECIMAL_TEST_H
#define NAX_TEST_DECIMAL_TEST_H

#include <check.h>

#include "nax.h"

/* Parses text that must be valid; fails the test otherwise. */
nax_decimal dec_at(const char *text, const char *file, int line);
/* Fails the test unless d formats exactly as expected. */
void assert_dec_at(const nax_decimal *d, const char *expected, const char *file, int line);

#define DEC(text)               dec_at((text), __FILE__, __LINE__)
#define ASSERT_DEC(d, expected) assert_dec_at((d), (expected), __FILE__, __LINE__)

/* 38 nines: the largest coefficient. */
#define NINES38 "99999999999999999999999999999999999999"

Suite *decimal_text_suite(void);
Suite *decimal_arith_suite(void);

#endif /* NAX_TEST_DECIMAL_TEST_H */

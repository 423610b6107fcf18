/* Runs the decimal unit suites. */
#include <stdlib.h>
#include <string.h>

#include "decimal_test.h"

nax_decimal dec_at(const char *text, const char *file, int line)
{
    nax_decimal d;
    int rc = nax_decimal_parse(&d, text, strlen(text), NULL);
    ck_assert_msg(rc == 0, "%s:%d: parse(\"%s\") failed with %d", file, line, text, rc);
    return d;
}

void assert_dec_at(const nax_decimal *d, const char *expected, const char *file, int line)
{
    char buf[NAX_DECIMAL_STRING_MAX];
    int n = nax_decimal_format(buf, sizeof buf, d);
    ck_assert_msg(n >= 0, "%s:%d: format failed with %d", file, line, n);
    ck_assert_msg(strcmp(buf, expected) == 0, "%s:%d: got \"%s\", expected \"%s\"", file, line, buf,
                  expected);
    ck_assert_msg((size_t)n == strlen(expected), "%s:%d: length %d", file, line, n);
}

int main(void)
{
    SRunner *runner = srunner_create(decimal_text_suite());
    srunner_add_suite(runner, decimal_arith_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

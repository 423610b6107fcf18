/*
 * nax_decimal_parse() on any bytes. A text it accepts must format back to
 * text that parses to an equal value with the same scale, and the canonical
 * form must be a fixed point (format(parse(format(x))) == format(x)).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nax/decimal.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nax_decimal d;
    size_t offset = 0;
    if (nax_decimal_parse(&d, (const char *)data, size, &offset) != 0) {
        if (offset > size)
            abort(); /* the offset must point into the text or at its end */
        return 0;
    }
    char text[NAX_DECIMAL_STRING_MAX];
    int n = nax_decimal_format(text, sizeof text, &d);
    if (n < 0)
        abort();
    nax_decimal again;
    if (nax_decimal_parse(&again, text, (size_t)n, NULL) != 0)
        abort();
    if (nax_decimal_cmp(&d, &again) != 0 || nax_decimal_scale(&d) != nax_decimal_scale(&again))
        abort();
    char text2[NAX_DECIMAL_STRING_MAX];
    int n2 = nax_decimal_format(text2, sizeof text2, &again);
    if (n2 != n || memcmp(text, text2, (size_t)n) != 0)
        abort();
    return 0;
}

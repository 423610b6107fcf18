/*
 * Decimals parsed by the decoder: a fast path for short decimals, the
 * general grammar in nax__dec_parse() for everything else.
 */
#include "codec_internal.h"

int nax__codec_parse_decimal(nax_decimal *out, const char *s, size_t len, size_t *error_offset)
{
    return nax__codec_decimal(out, s, len, error_offset);
}

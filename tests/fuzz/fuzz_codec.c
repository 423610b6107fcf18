/*
 * nax_decode() for every message family. The first byte picks the type
 * (1 + byte % the number of types), the rest is the JSON text. Whatever is
 * accepted must encode, and its encoding must decode again and encode to the
 * same bytes: decode and encode agree on what a valid message is, and the
 * canonical form is a fixed point.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nax/codec.h>

#define FIRST_TYPE NAX_TYPE_ERROR_BODY
#define LAST_TYPE  NAX_TYPE_STREAM_MESSAGE

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    nax_type type = (nax_type)(FIRST_TYPE + data[0] % (LAST_TYPE - FIRST_TYPE + 1));
    void *obj = NULL;
    if (nax_decode(&obj, type, (const char *)data + 1, size - 1, NULL) != 0) {
        if (obj != NULL)
            abort(); /* a refused text leaves no object behind */
        return 0;
    }
    nax_buf first = NAX_BUF_INIT, second = NAX_BUF_INIT;
    if (nax_encode(&first, type, obj) != 0)
        abort();
    void *again = NULL;
    if (nax_decode(&again, type, first.data, first.len, NULL) != 0)
        abort();
    if (nax_encode(&second, type, again) != 0)
        abort();
    if (first.len != second.len || memcmp(first.data, second.data, first.len) != 0)
        abort();
    nax_object_free(again);
    nax_object_free(obj);
    nax_buf_dispose(&first);
    nax_buf_dispose(&second);
    return 0;
}

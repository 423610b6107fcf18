/* libnax's own codec behind the benchmark's implementation interface. */
#include "bench_codec.h"

static int libnax_decode(bench_kind kind, const char *json, size_t len, decoded *slot,
                         const void **obj)
{
    void *result = NULL;
    int rc = nax_decode(&result, kind_type(kind), json, len, NULL);
    slot->owner = result;
    *obj = result;
    return rc;
}

static void libnax_release(decoded *slot)
{
    nax_object_free(slot->owner);
    slot->owner = NULL;
}

static int libnax_encode(bench_kind kind, const void *obj, encoded *out)
{
    int rc = nax_encode(&out->nax, kind_type(kind), obj);
    out->data = out->nax.data;
    out->len = out->nax.len;
    return rc;
}

static const char *libnax_last_error(void)
{
    return nax_error_last()->message;
}

const codec_impl impl_libnax = {"libnax", libnax_decode, libnax_release, libnax_encode,
                                libnax_last_error};

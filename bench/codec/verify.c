/*
 * Correctness before speed: a peer that decoded less, or differently, would
 * make every ratio meaningless, so the run stops at the first disagreement.
 */
#include <stdio.h>
#include <string.h>

#include "bench_codec.h"

static int mismatch(const char *who, const char *what, bench_kind kind, size_t index,
                    const char *detail)
{
    fprintf(stderr, "verification failed: %s %s, %s #%zu: %s\n", who, what, kind_name(kind), index,
            detail);
    return -1;
}

/* libnax must give back the struct the message was encoded from. */
static int verify_libnax_decode(bench_kind kind, size_t index, const corpus_msg *m,
                                const void *decoded_obj)
{
    const char *diff = compare_structs(kind, m->obj, decoded_obj);
    return diff == NULL
               ? 0
               : mismatch("libnax", "decode differs from the source struct in", kind, index, diff);
}

static int verify_peer_decode(bench_impl impl, bench_kind kind, size_t index, const corpus_msg *m,
                              const void *reference)
{
    const codec_impl *peer = impl_get(impl);
    decoded slot;
    const void *obj = NULL;
    int rc = peer->decode(kind, m->json, m->len, &slot, &obj);
    const char *diff = rc == 0 ? compare_structs(kind, reference, obj) : NULL;
    char detail[160];
    if (rc != 0)
        snprintf(detail, sizeof detail, "decode failed: %s", peer->last_error());
    else if (diff != NULL)
        snprintf(detail, sizeof detail, "member '%s' differs from libnax's", diff);
    peer->release(&slot);
    return rc == 0 && diff == NULL ? 0 : mismatch(peer->name, "decode", kind, index, detail);
}

int verify_set_decoders(const corpus_set *set, bench_kind kind)
{
    for (size_t i = 0; i < set->count; i++) {
        const corpus_msg *m = &set->msgs[i];
        void *reference = NULL;
        if (nax_decode(&reference, kind_type(kind), m->json, m->len, NULL) != 0)
            return mismatch("libnax", "decode", kind, i, nax_error_last()->message);
        int rc = verify_libnax_decode(kind, i, m, reference);
        for (int p = IMPL_CJSON; rc == 0 && p < IMPL_COUNT; p++)
            rc = verify_peer_decode((bench_impl)p, kind, i, m, reference);
        nax_object_free(reference);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* The encoder's output must decode (with libnax) to the struct it was given. */
static int verify_encode(bench_impl impl, bench_kind kind, size_t index, const corpus_msg *m,
                         encoded *out, size_t *identical)
{
    const codec_impl *enc = impl_get(impl);
    char detail[160];
    if (enc->encode(kind, m->obj, out) != 0)
        return mismatch(enc->name, "encode", kind, index, enc->last_error());
    void *back = NULL;
    if (nax_decode(&back, kind_type(kind), out->data, out->len, NULL) != 0) {
        snprintf(detail, sizeof detail, "libnax cannot read the output: %s",
                 nax_error_last()->message);
        return mismatch(enc->name, "encode", kind, index, detail);
    }
    const char *diff = compare_structs(kind, m->obj, back);
    nax_object_free(back);
    if (diff != NULL) {
        snprintf(detail, sizeof detail, "output decodes with member '%s' changed", diff);
        return mismatch(enc->name, "encode", kind, index, detail);
    }
    *identical += out->len == m->len && memcmp(out->data, m->json, m->len) == 0;
    return 0;
}

int verify_corpus(const corpus *c, encoded *out)
{
    size_t identical[IMPL_COUNT] = {0}, messages = 0;
    for (int k = 0; k < KIND_COUNT; k++) {
        const corpus_set *set = &c->sets[k];
        if (verify_set_decoders(set, (bench_kind)k) != 0)
            return -1;
        for (size_t i = 0; i < set->count; i++) {
            for (int impl = 0; impl < IMPL_COUNT; impl++) {
                if (verify_encode((bench_impl)impl, (bench_kind)k, i, &set->msgs[i], out,
                                  &identical[impl]) != 0)
                    return -1;
            }
        }
        messages += set->count;
    }
    printf("verified: all %zu messages decode to equal structs with libnax, cJSON and jansson;\n"
           "          every encoder's output decodes back to its input (byte-identical to "
           "libnax: cJSON %zu/%zu, jansson %zu/%zu)\n",
           messages, identical[IMPL_CJSON], messages, identical[IMPL_JANSSON], messages);
    return 0;
}

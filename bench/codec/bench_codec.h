/*
 * Codec benchmark: libnax's codec against cJSON and jansson doing the same
 * work (same input bytes, same typed nax structs out; same structs in, same
 * compact JSON out). Shared declarations of the benchmark's own files.
 */
#ifndef NAX_BENCH_CODEC_H
#define NAX_BENCH_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "nax.h"

/* The message kinds of the corpus. */
typedef enum bench_kind {
    KIND_TICKER = 0,    /* nax_ticker */
    KIND_ORDER,         /* nax_order */
    KIND_BOOK_DELTA,    /* nax_stream_message on book:BTC-AUD, a few levels and a checksum */
    KIND_BOOK_SNAPSHOT, /* nax_order_book with 50 levels a side */
    KIND_COUNT
} bench_kind;

typedef enum bench_op { OP_DECODE = 0, OP_ENCODE, OP_COUNT } bench_op;

typedef enum bench_impl { IMPL_LIBNAX = 0, IMPL_CJSON, IMPL_JANSSON, IMPL_COUNT } bench_impl;

const char *kind_name(bench_kind kind);
const char *op_name(bench_op op);
nax_type kind_type(bench_kind kind);
/* Small messages are the ones the decode targets are stated for. */
int kind_is_small(bench_kind kind);

/* ---- corpus ---- */

/* One message: the struct it was built from and its canonical JSON (nax_encode). */
typedef struct corpus_msg {
    const void *obj;
    char *json; /* NUL-terminated, `len` bytes before the NUL */
    size_t len;
} corpus_msg;

typedef struct corpus_set {
    corpus_msg *msgs;
    size_t count;
    size_t total_bytes;
    void *holders; /* storage the structs and their strings live in */
} corpus_set;

typedef struct corpus {
    corpus_set sets[KIND_COUNT];
} corpus;

/* Levels a side of the corpus's book snapshot. */
#define SNAPSHOT_DEPTH 50

/* Build `per_kind` messages of each small kind (one snapshot) from `seed`.
 * Returns 0, or -1 after printing why to stderr. */
int corpus_build(corpus *c, uint64_t seed, size_t per_kind);
void corpus_free(corpus *c);
/* One book snapshot of `depth` levels a side, for the size curve; free it
 * with corpus_set_free. Returns 0 or -1. */
int corpus_build_snapshot(corpus_set *set, uint64_t seed, size_t depth);
void corpus_set_free(corpus_set *set);

/* ---- implementations ---- */

/* Where a decoder puts its result: the typed struct, the storage for the
 * struct's optional decimals and level arrays, and whatever owns the strings
 * the struct points to (a DOM for the peers, the object for libnax). */
typedef struct decoded {
    union {
        nax_ticker ticker;
        nax_order order;
        nax_stream_message message;
        nax_order_book book;
    } as;
    nax_decimal optional[3];
    nax_book_level *levels; /* one heap block: bids then asks */
    void *owner;
} decoded;

/* Encoder output. libnax fills `nax` (reused across calls); the peers print
 * into `scratch`. `data`/`len` point at whichever holds the JSON. */
typedef struct encoded {
    const char *data;
    size_t len;
    nax_buf nax;
    char *scratch;
    size_t scratch_cap;
} encoded;

typedef struct codec_impl {
    const char *name;
    /* Decode `json` as `kind`; on success *obj is the typed struct, valid until release. */
    int (*decode)(bench_kind kind, const char *json, size_t len, decoded *slot, const void **obj);
    void (*release)(decoded *slot);
    /* Encode the typed struct `obj` as compact JSON into `out`. */
    int (*encode)(bench_kind kind, const void *obj, encoded *out);
    /* Why the last call of this implementation failed. */
    const char *(*last_error)(void);
} codec_impl;

extern const codec_impl impl_libnax;
extern const codec_impl impl_cjson;
extern const codec_impl impl_jansson;

const char *cjson_version(void);
const char *jansson_version(void);

/* ---- JSON spellings of the enums, indexed by enum value (0 = absent) ---- */

typedef struct enum_names {
    const char *const *names;
    size_t count;
} enum_names;

extern const enum_names side_names;
extern const enum_names order_type_names;
extern const enum_names tif_names;
extern const enum_names order_status_names;
extern const enum_names stream_msg_type_names;

/* The enum value spelled `text`, or 0 when it is none of them. */
int enum_from_name(const enum_names *names, const char *text, size_t len);
/* The spelling of `value`, or NULL for 0 and out-of-range values. */
const char *enum_to_name(const enum_names *names, int value);

/* Format a decimal into `buf` (NAX_DECIMAL_STRING_MAX bytes); returns the length or < 0. */
int decimal_text(char *buf, const nax_decimal *d);

/* ---- comparison ---- */

/* NULL when the two structs of `kind` are equal, else the first differing member. */
const char *compare_structs(bench_kind kind, const void *a, const void *b);

/* ---- verification ---- */

/* Checks, before anything is timed, that every implementation decodes every
 * message to the struct libnax decodes (which must equal the struct the
 * message was built from) and that every encoder's output decodes back to the
 * original struct. Prints a summary; returns 0, or -1 after naming the
 * first mismatch on stderr. */
int verify_corpus(const corpus *c, encoded *out);
/* The decode half of verify_corpus for one set. Returns 0 or -1. */
int verify_set_decoders(const corpus_set *set, bench_kind kind);

/* ---- timing ---- */

const codec_impl *impl_get(bench_impl impl);

typedef struct timing_options {
    unsigned int repeats;   /* timed repeats per cell; the median is reported */
    unsigned int min_ms;    /* each repeat runs at least this long */
    unsigned int warmup_ms; /* untimed run before the first repeat */
} timing_options;

/* Time with the monotonic wall clock instead of this thread's CPU time. */
void timing_use_wall_clock(int wall);

#define BENCH_MAX_REPEATS 99

typedef struct cell_result {
    double median_ns; /* per message, across repeats */
    double p10_ns;
    double p90_ns;
    /* This implementation's time over libnax's, paired repeat by repeat
     * (1 for libnax itself): median and spread across repeats. */
    double speedup;
    double speedup_p10;
    double speedup_p90;
    /* Every repeat's ns per message, in the order they ran (for --machine). */
    double samples[BENCH_MAX_REPEATS];
    unsigned int samples_count;
} cell_result;

/* Times one (kind, op) for every implementation, repeats interleaved so a
 * change in machine load hits all of them alike; the speedups pair each
 * peer repeat with the libnax repeat run right beside it. Returns 0 or -1. */
int measure_group(const corpus_set *set, bench_kind kind, bench_op op, const timing_options *opts,
                  encoded *out, cell_result results[IMPL_COUNT]);

/* Runs exactly `iterations` messages of one cell (for callgrind or perf) and
 * stores the mean time per message. Returns 0 or -1. */
int profile_cell(const corpus_set *set, bench_kind kind, bench_op op, bench_impl impl,
                 uint64_t iterations, encoded *out, double *mean_ns);

#endif /* NAX_BENCH_CODEC_H */

/**
 * @file nax/codec.h
 * @brief JSON encoding and decoding of every object of the NA-X contract.
 *
 * The codec does no I/O: bytes in, typed structs out, and back. It is the
 * one codec shared by the libnax client and the naxd server, so the two
 * cannot drift apart. The wire format is described by `docs/openapi.yaml`
 * and `docs/asyncapi.yaml`.
 *
 * Decoding is strict: wrong JSON types, missing required fields, unknown enum
 * values, malformed decimals, invalid UTF-8, trailing bytes and over-deep
 * nesting are errors whose message and nax_error::field name the JSON path
 * (e.g. `bids[3][0]: not a decimal`). Unknown object members are skipped for
 * forward compatibility. A member name that appears twice in one object is
 * rejected (#NAX_ESCHEMA), so two parsers can never disagree on its value.
 *
 * Encoding writes members in the order of the struct's fields, omits absent
 * optional members (NULL pointers, #NAX_TYPE_NONE-like zero enums, zero
 * optional integers and false optional booleans), and writes no whitespace,
 * so equal structs always give equal bytes.
 */
#ifndef NAX_CODEC_H
#define NAX_CODEC_H

#include "common.h"
#include "types.h"

NAX_BEGIN_DECLS

/** Current version of #nax_decode_options. */
#define NAX_DECODE_OPTIONS_VERSION 1

/** Default limit of nax_decode_options::max_bytes: 8 MiB. */
#define NAX_DECODE_DEFAULT_MAX_BYTES (8u * 1024u * 1024u)
/** Default limit of nax_decode_options::max_depth. */
#define NAX_DECODE_DEFAULT_MAX_DEPTH 32u

/** @brief Limits for nax_decode(). Zero members mean the defaults. */
typedef struct nax_decode_options {
    unsigned int version;   /**< #NAX_DECODE_OPTIONS_VERSION */
    size_t max_bytes;       /**< longest accepted input; 0 = #NAX_DECODE_DEFAULT_MAX_BYTES */
    unsigned int max_depth; /**< deepest accepted nesting; 0 = #NAX_DECODE_DEFAULT_MAX_DEPTH */
} nax_decode_options;

/** Initialiser for #nax_decode_options with the defaults. */
#define NAX_DECODE_OPTIONS_INIT                                                                    \
    {                                                                                              \
        NAX_DECODE_OPTIONS_VERSION, 0, 0                                                           \
    }

/**
 * @brief Initialise @p opts with the defaults (for bindings that cannot use macros).
 * @param opts the options to fill.
 * @param version #NAX_DECODE_OPTIONS_VERSION.
 * @return 0, #NAX_EINVAL for NULL, #NAX_EVERSION for an unknown version.
 */
NAX_API int nax_decode_options_init(nax_decode_options *opts, unsigned int version);

/**
 * @brief Decode JSON text into a new object of the given type.
 *
 * @param out the address of a pointer to the struct of @p type (e.g. a
 *        `nax_order **` for #NAX_TYPE_ORDER); receives the new object, or
 *        NULL on failure. The object and everything it points to live in one
 *        allocation owned by the caller, released with nax_object_free().
 * @param type which object the text holds.
 * @param json the text, UTF-8; need not be NUL-terminated.
 * @param len bytes at @p json.
 * @param opts limits, or NULL for the defaults; read during the call only.
 * @return 0; #NAX_EJSON for malformed JSON; #NAX_ESCHEMA when the JSON does
 *         not match the type; #NAX_ELIMIT when a limit is exceeded;
 *         #NAX_ENOMEM; #NAX_EINVAL / #NAX_EVERSION for bad arguments.
 *         nax_error_last() gives the JSON path in @c field and the reason
 *         in @c message. Thread-safe.
 */
NAX_API int nax_decode(void *out, nax_type type, const char *json, size_t len,
                       const nax_decode_options *opts);

/**
 * @brief Free an object returned by nax_decode(), including everything it points to.
 * @param obj the object; NULL is a no-op. Only for objects from nax_decode().
 */
NAX_API void nax_object_free(void *obj);

/**
 * @brief Encode an object as compact JSON with a stable member order.
 *
 * @param out the buffer; its previous content is replaced and its memory reused.
 * @param type which struct @p obj points to.
 * @param obj the struct, with @c struct_size set (see types.h); read only.
 * @return 0; #NAX_EINVAL for a missing required member, a zero enum in a
 *         required member, or invalid UTF-8 in a string (the field is named in
 *         nax_error_last()); #NAX_EVERSION for an unusable @c struct_size;
 *         #NAX_ENOMEM. On failure @p out holds no partial JSON (its length is 0).
 *         Thread-safe for distinct buffers.
 */
NAX_API int nax_encode(nax_buf *out, nax_type type, const void *obj);

/**
 * @brief The name of a type, e.g. `"order"`.
 * @return a static string, never NULL (`"unknown"` for unknown types).
 */
NAX_API const char *nax_type_name(nax_type type);

/**
 * @brief The order-book checksum defined in `docs/asyncapi.yaml`.
 *
 * CRC-32 (the zlib/IEEE 802.3 polynomial) of the text formed by the first
 * 25 bid levels (best first) then the first 25 ask levels (best first), each
 * level written as `price:quantity` with both decimals normalised (no
 * trailing zeros after the point, no point when nothing follows it), levels
 * joined by `|` and the two sides separated by `#`. An empty book hashes `#`.
 *
 * @param out receives the checksum.
 * @param bids bid levels, best (highest) first; may be NULL when @p bids_count is 0.
 * @param bids_count number of bid levels.
 * @param asks ask levels, best (lowest) first; may be NULL when @p asks_count is 0.
 * @param asks_count number of ask levels.
 * @return 0 or #NAX_EINVAL. Thread-safe; does not allocate.
 */
NAX_API int nax_book_checksum(uint32_t *out, const nax_book_level *bids, size_t bids_count,
                              const nax_book_level *asks, size_t asks_count);

NAX_END_DECLS

#endif /* NAX_CODEC_H */

/**
 * @file nax/common.h
 * @brief Export macros, version numbers and small shared types of libnax.
 *
 * Included by every other public header; rarely included on its own.
 */
#ifndef NAX_COMMON_H
#define NAX_COMMON_H

#include <stddef.h>
#include <stdint.h>

/** @cond NAX_INTERNAL */
#if defined(_WIN32) && defined(NAX_BUILDING_SHARED)
#define NAX_API __declspec(dllexport)
#elif defined(_WIN32) && defined(NAX_SHARED)
#define NAX_API __declspec(dllimport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define NAX_API __attribute__((visibility("default")))
#else
#define NAX_API
#endif

#ifdef __cplusplus
#define NAX_BEGIN_DECLS extern "C" {
#define NAX_END_DECLS   }
#else
#define NAX_BEGIN_DECLS
#define NAX_END_DECLS
#endif
/** @endcond */

/** Major version of the headers; changes only with an incompatible ABI. */
#define NAX_VERSION_MAJOR 0
/** Minor version of the headers; grows with compatible additions. */
#define NAX_VERSION_MINOR 1
/** Patch version of the headers; grows with fixes only. */
#define NAX_VERSION_PATCH 0
/** The header version as one number: `(major << 16) | (minor << 8) | patch`. */
#define NAX_VERSION_NUMBER                                                                         \
    ((NAX_VERSION_MAJOR << 16) | (NAX_VERSION_MINOR << 8) | NAX_VERSION_PATCH)
/** The header version as a string, e.g. `"0.1.0"`. */
#define NAX_VERSION_STRING "0.1.0"

NAX_BEGIN_DECLS

/**
 * @brief The version of the library actually linked, in the layout of
 * #NAX_VERSION_NUMBER.
 *
 * Compare with #NAX_VERSION_NUMBER to detect a program built against other
 * headers than the library it runs with: the major numbers must be equal and
 * the library's minor number at least the header's.
 *
 * @return the packed version number. Thread-safe; never fails.
 */
NAX_API unsigned int nax_version(void);

/**
 * @brief The version of the linked library as a string, e.g. `"0.1.0"`.
 * @return a static string, never NULL. Thread-safe.
 */
NAX_API const char *nax_version_string(void);

/**
 * @brief A growable byte buffer filled by the library (for example by nax_encode()).
 *
 * Start it as #NAX_BUF_INIT (all zero). The library grows @c data with the
 * allocator given to nax_global_init() and keeps it NUL-terminated (the NUL is
 * not counted in @c len). Reusing a buffer across calls reuses its memory.
 * Release it with nax_buf_dispose(). A buffer belongs to one thread at a time.
 */
typedef struct nax_buf {
    char *data; /**< the bytes, NUL-terminated when @c len > 0; owned by the buffer */
    size_t len; /**< number of bytes in use, without the trailing NUL */
    size_t cap; /**< bytes allocated at @c data */
} nax_buf;

/** Initialiser for an empty #nax_buf. */
#define NAX_BUF_INIT                                                                               \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/**
 * @brief Free the memory of a buffer and reset it to empty.
 * @param buf the buffer; NULL is a no-op. The buffer itself is not freed.
 */
NAX_API void nax_buf_dispose(nax_buf *buf);

NAX_END_DECLS

#endif /* NAX_COMMON_H */

/**
 * @file nax/global.h
 * @brief Library initialisation, the allocator and the log callback.
 */
#ifndef NAX_GLOBAL_H
#define NAX_GLOBAL_H

#include "common.h"

NAX_BEGIN_DECLS

/** Current version of #nax_allocator. */
#define NAX_ALLOCATOR_VERSION 1

/**
 * @brief Memory functions the library (and libcurl and yajl beneath it) use.
 *
 * All three functions are required and must be thread-safe. @c realloc must
 * behave like C's realloc (NULL pointer allocates; the old block survives a
 * failure). @c free must accept NULL.
 */
typedef struct nax_allocator {
    unsigned int version;                                     /**< #NAX_ALLOCATOR_VERSION */
    void *(*malloc)(size_t size, void *userdata);             /**< allocate @p size bytes */
    void *(*realloc)(void *ptr, size_t size, void *userdata); /**< resize a block */
    void (*free)(void *ptr, void *userdata);                  /**< release a block */
    void *userdata;                                           /**< passed to each function */
} nax_allocator;

/**
 * @brief Initialise the library. Reference-counted: each successful call
 * needs one nax_global_shutdown().
 *
 * The allocator (or the C library's when @p allocator is NULL) is installed on
 * the first call and handed to libcurl (`curl_global_init_mem`) and to every
 * yajl handle. Later calls must pass NULL or an identical allocator.
 * The codec and decimal functions work without initialisation, using the C
 * library's allocator; network clients require it.
 *
 * @param allocator copied; NULL for malloc/realloc/free.
 * @return 0, #NAX_EVERSION for an unknown allocator version, #NAX_EINVAL for an
 *         incomplete allocator, #NAX_ESTATE when a different allocator is already
 *         installed, #NAX_ERROR when libcurl fails to initialise.
 *         Thread-safe, but the allocator must not change while any libnax object
 *         exists.
 */
NAX_API int nax_global_init(const nax_allocator *allocator);

/**
 * @brief Drop one reference taken by nax_global_init(); the last one releases
 * libcurl and restores the default allocator.
 *
 * Every libnax object must be freed before the last shutdown. Calling it more
 * often than nax_global_init() is a no-op. Thread-safe.
 */
NAX_API void nax_global_shutdown(void);

/** @brief Severity of a log message. */
typedef enum nax_log_level {
    NAX_LOG_TRACE = 0, /**< very verbose tracing */
    NAX_LOG_DEBUG = 1, /**< diagnostic detail */
    NAX_LOG_INFO = 2,  /**< normal operation */
    NAX_LOG_WARN = 3,  /**< something unexpected that was handled */
    NAX_LOG_ERROR = 4, /**< an operation failed */
    NAX_LOG_OFF = 5    /**< as a threshold: log nothing */
} nax_log_level;

/**
 * @brief Receives log messages.
 *
 * @param level severity.
 * @param message NUL-terminated text, borrowed for the duration of the call.
 *        Secrets (Authorization values, signatures, passwords, tokens, API
 *        secrets, TOTP codes) have already been replaced by `[REDACTED]`.
 * @param userdata as given to nax_log_set().
 *
 * May be called from any thread that uses libnax, concurrently.
 */
typedef void (*nax_log_fn)(nax_log_level level, const char *message, void *userdata);

/**
 * @brief Install the process-wide log callback.
 * @param fn the callback, or NULL to stop logging.
 * @param min_level messages below this level are not formatted at all.
 * @param userdata passed to @p fn.
 * @return 0, or #NAX_EINVAL for a level out of range. Thread-safe; a message
 *         already being delivered may still reach the previous callback.
 */
NAX_API int nax_log_set(nax_log_fn fn, nax_log_level min_level, void *userdata);

/**
 * @brief Name of a log level, e.g. `"warn"`.
 * @return a static string, never NULL (`"unknown"` when out of range).
 */
NAX_API const char *nax_log_level_name(nax_log_level level);

NAX_END_DECLS

#endif /* NAX_GLOBAL_H */

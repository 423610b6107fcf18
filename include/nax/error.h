/**
 * @file nax/error.h
 * @brief Error codes and the thread-local detail of the last failure.
 *
 * Every function that can fail returns an `int`: 0 on success or a negative
 * #nax_error_code. The detail of the most recent failure on the calling thread
 * is kept until the next failing call on that thread and is read with
 * nax_error_last().
 */
#ifndef NAX_ERROR_H
#define NAX_ERROR_H

#include "common.h"

NAX_BEGIN_DECLS

/**
 * @brief Stable error codes. Numbers are never reused or renumbered; a
 * retired code keeps its slot.
 */
typedef enum nax_error_code {
    NAX_OK = 0,                /**< success */
    NAX_ERROR = -1,            /**< unspecified failure */
    NAX_EINVAL = -2,           /**< an argument is invalid (NULL, out of range, inconsistent) */
    NAX_ENOMEM = -3,           /**< memory allocation failed */
    NAX_EVERSION = -4,         /**< unknown options version or struct size */
    NAX_ESTATE = -5,           /**< the call is not valid in the current state */
    NAX_EBUFSIZE = -6,         /**< an output buffer is too small */
    NAX_EOVERFLOW = -7,        /**< an exact result does not fit (decimal, integer) */
    NAX_EDIVZERO = -8,         /**< division by zero */
    NAX_EPARSE = -9,           /**< malformed text, e.g. a string that is not a decimal */
    NAX_EJSON = -10,           /**< malformed JSON: syntax, UTF-8, truncation, trailing bytes */
    NAX_ESCHEMA = -11,         /**< well-formed JSON that does not match the expected type */
    NAX_ELIMIT = -12,          /**< a size, depth or count limit was exceeded */
    NAX_EUSER = -13,           /**< a user callback returned non-zero and stopped the loop */
    NAX_ERECURSIVE = -14,      /**< a handle was re-entered from its own callback */
    NAX_ENETWORK = -20,        /**< connecting, sending or receiving failed */
    NAX_ETIMEOUT = -21,        /**< a timeout or deadline expired */
    NAX_ETLS = -22,            /**< TLS handshake or certificate verification failed */
    NAX_EHTTP = -30,           /**< an HTTP status with no more specific code */
    NAX_EBADREQUEST = -31,     /**< the server rejected the request (400, 422) */
    NAX_EAUTH = -32,           /**< authentication failed or expired (401) */
    NAX_EFORBIDDEN = -33,      /**< authenticated but not allowed (403) */
    NAX_ENOTFOUND = -34,       /**< the resource does not exist (404) */
    NAX_ECONFLICT = -35,       /**< conflicting state, e.g. a duplicate or in-flight key (409) */
    NAX_ETOOLARGE = -36,       /**< the request body is too large (413) */
    NAX_ERATELIMIT = -37,      /**< throttled (429); see Retry-After */
    NAX_ESERVER = -38,         /**< the server failed (500, 502, 504) */
    NAX_EUNAVAILABLE = -39,    /**< the server is temporarily unavailable (503) */
    NAX_ECIRCUIT_OPEN = -40,   /**< a circuit breaker is open; no I/O was done */
    NAX_ERETRY_BUDGET = -41,   /**< the retry budget is spent */
    NAX_ECANCELLED = -42,      /**< the operation was cancelled */
    NAX_EIO = -43,             /**< local I/O failed (file, store) */
    NAX_EOUTCOME_UNKNOWN = -44 /**< a request may or may not have taken effect (it was sent,
                                    then no definite answer came); look it up before
                                    repeating it */
} nax_error_code;

/** @brief Broad classes of errors, for callers that branch on the kind of failure. */
typedef enum nax_error_class {
    NAX_ERRCLASS_NONE = 0,     /**< no error */
    NAX_ERRCLASS_ARGUMENT = 1, /**< the caller passed something invalid */
    NAX_ERRCLASS_MEMORY = 2,   /**< out of memory */
    NAX_ERRCLASS_DATA = 3,     /**< input data is malformed (decimal, JSON, schema) */
    NAX_ERRCLASS_NETWORK = 4,  /**< transport failure */
    NAX_ERRCLASS_HTTP = 5,     /**< the server answered with an error status */
    NAX_ERRCLASS_STATE = 6,    /**< wrong state, limits, breakers, budgets */
    NAX_ERRCLASS_USER = 7,     /**< a user callback stopped the operation */
    NAX_ERRCLASS_SYSTEM = 8    /**< the local system failed (I/O) */
} nax_error_class;

/**
 * @brief Detail of the last failure on the calling thread.
 *
 * All strings are NUL-terminated and never NULL (empty when unknown). The
 * struct and its strings are owned by the library and stay valid until the
 * next libnax call on the same thread that fails or calls nax_error_clear().
 * Fields are only ever added at the end; check @c struct_size before reading
 * a field newer than your headers promise.
 */
typedef struct nax_error {
    size_t struct_size;      /**< sizeof this struct as the library knows it */
    int code;                /**< a #nax_error_code, #NAX_OK when there is no error */
    nax_error_class klass;   /**< broad class of @c code */
    int http_status;         /**< HTTP status of the response, 0 if none */
    int transient;           /**< non-zero when retrying later may succeed */
    const char *message;     /**< human-readable detail, never containing secrets */
    const char *server_code; /**< the server's error code string, e.g. `"invalid_price"` */
    const char *field;       /**< the offending field or JSON path, e.g. `"bids[3][0]"` */
    const char *request_id;  /**< the request id of the failed call, for support */
    int64_t retry_after_ms;  /**< the server's `Retry-After`, in ms, when it sent one and
                                  the call gave up without waiting that long; else 0 */
} nax_error;

/**
 * @brief The detail of the last failure on this thread.
 * @return a pointer to thread-local storage, never NULL. When nothing failed
 *         yet, @c code is #NAX_OK and the strings are empty.
 */
NAX_API const nax_error *nax_error_last(void);

/** @brief Reset this thread's last error to #NAX_OK. Thread-safe. */
NAX_API void nax_error_clear(void);

/**
 * @brief A short static description of an error code.
 * @param code a #nax_error_code (or any int).
 * @return a static string, never NULL; `"unknown error"` for unknown codes.
 */
NAX_API const char *nax_strerror(int code);

/**
 * @brief The class an error code belongs to.
 * @param code a #nax_error_code.
 * @return the class; #NAX_ERRCLASS_NONE for #NAX_OK and unknown codes.
 */
NAX_API nax_error_class nax_error_class_of(int code);

NAX_END_DECLS

#endif /* NAX_ERROR_H */

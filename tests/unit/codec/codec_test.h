/* Shared helpers of the codec unit tests. */
#ifndef NAX_TEST_CODEC_TEST_H
#define NAX_TEST_CODEC_TEST_H

#include <check.h>
#include <stddef.h>

#include "nax.h"

/* The whole file at `path` (NUL-terminated, length in *len), or NULL. Free with free(). */
char *read_file(const char *path, size_t *len);

/* `<NAX_SOURCE_DIR>/tests/golden/<rest>` in a static buffer. */
const char *golden_path(const char *rest);

/* Sorted names of the `*.json` files directly in `dir` (free with free_names). */
char **list_json(const char *dir, size_t *count);
void free_names(char **names, size_t count);

/* Decodes text that must be valid for `type`; fails the test otherwise. */
void *decode_ok_at(nax_type type, const char *json, size_t len, const char *file, int line);
#define DECODE_OK(type, json) decode_ok_at((type), (json), strlen(json), __FILE__, __LINE__)

/* Decodes a golden file that must be valid; *json_out (may be NULL) receives its text. */
void *decode_golden_at(nax_type type, const char *rest, char **json_out, size_t *len_out,
                       const char *file, int line);
#define DECODE_GOLDEN(type, rest) decode_golden_at((type), (rest), NULL, NULL, __FILE__, __LINE__)

/* Asserts that decoding fails with `code`, that nax_error_last() names `field`
 * exactly and that its message contains `reason`, and that *out is NULL. */
void expect_decode_error_at(nax_type type, const char *json, size_t len,
                            const nax_decode_options *opts, int code, const char *field,
                            const char *reason, const char *file, int line);
#define EXPECT_REJECT(type, json, code, field, reason)                                             \
    expect_decode_error_at((type), (json), strlen(json), NULL, (code), (field), (reason),          \
                           __FILE__, __LINE__)

/* Encodes `obj`, which must succeed; returns the JSON (owned by a static buffer
 * reused by the next call). */
const char *encode_ok_at(nax_type type, const void *obj, const char *file, int line);
#define ENCODE_OK(type, obj) encode_ok_at((type), (obj), __FILE__, __LINE__)

/* Asserts that encoding fails with `code` naming `field`, and leaves an empty buffer. */
void expect_encode_error_at(nax_type type, const void *obj, int code, const char *field,
                            const char *reason, const char *file, int line);
#define EXPECT_ENCODE_ERROR(type, obj, code, field, reason)                                        \
    expect_encode_error_at((type), (obj), (code), (field), (reason), __FILE__, __LINE__)

/* Parses a decimal that must be valid. */
nax_decimal dec_at(const char *text, const char *file, int line);
#define DEC(text) dec_at((text), __FILE__, __LINE__)

/* Asserts `d` has exactly the value and scale of `text` (formats to the same bytes
 * as parsing `text` does, and compares equal). */
void assert_dec_at(const nax_decimal *d, const char *text, const char *file, int line);
#define ASSERT_DEC(d, text) assert_dec_at((d), (text), __FILE__, __LINE__)

/* Runs one suite with Check and returns the process exit status. */
int run_suite(Suite *suite);

#endif /* NAX_TEST_CODEC_TEST_H */

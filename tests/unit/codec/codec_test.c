/* Shared helpers of the codec unit tests. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_test.h"

char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

const char *golden_path(const char *rest)
{
    static char path[1024];
    const char *root = getenv("NAX_SOURCE_DIR");
    ck_assert_msg(root != NULL, "NAX_SOURCE_DIR is not set (run the test through ctest)");
    snprintf(path, sizeof path, "%s/tests/golden/%s", root, rest);
    return path;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **list_json(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    size_t n = 0, cap = 16;
    char **names = malloc(cap * sizeof *names);
    *count = 0;
    if (!d)
        return names;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        if (n == cap) {
            cap *= 2;
            names = realloc(names, cap * sizeof *names);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    *count = n;
    return names;
}

void free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

void *decode_ok_at(nax_type type, const char *json, size_t len, const char *file, int line)
{
    void *obj = NULL;
    int rc = nax_decode(&obj, type, json, len, NULL);
    ck_assert_msg(rc == 0, "%s:%d: decoding %s failed (%d): %s", file, line, nax_type_name(type),
                  rc, nax_error_last()->message);
    ck_assert_ptr_nonnull(obj);
    return obj;
}

void *decode_golden_at(nax_type type, const char *rest, char **json_out, size_t *len_out,
                       const char *file, int line)
{
    size_t len;
    char *json = read_file(golden_path(rest), &len);
    ck_assert_msg(json != NULL, "%s:%d: cannot read golden file %s", file, line, rest);
    void *obj = decode_ok_at(type, json, len, file, line);
    if (json_out) {
        *json_out = json;
        *len_out = len;
    } else {
        free(json);
    }
    return obj;
}

void expect_decode_error_at(nax_type type, const char *json, size_t len,
                            const nax_decode_options *opts, int code, const char *field,
                            const char *reason, const char *file, int line)
{
    void *obj = (void *)&obj; /* must be overwritten with NULL */
    int rc = nax_decode(&obj, type, json, len, opts);
    const nax_error *e = nax_error_last();
    ck_assert_msg(rc == code, "%s:%d: expected error %d, got %d (%s) for %.*s", file, line, code,
                  rc, e->message, (int)(len > 200 ? 200 : len), json);
    ck_assert_msg(obj == NULL, "%s:%d: *out was not set to NULL", file, line);
    ck_assert_msg(e->code == code, "%s:%d: nax_error_last()->code %d", file, line, e->code);
    ck_assert_msg(strcmp(e->field, field) == 0, "%s:%d: expected field \"%s\", got \"%s\" (%s)",
                  file, line, field, e->field, e->message);
    ck_assert_msg(strstr(e->message, reason) != NULL,
                  "%s:%d: message \"%s\" does not contain \"%s\"", file, line, e->message, reason);
    if (field[0] != '\0') {
        /* The message starts with the path. */
        ck_assert_msg(strncmp(e->message, field, strlen(field)) == 0 &&
                          strncmp(e->message + strlen(field), ": ", 2) == 0,
                      "%s:%d: message \"%s\" does not start with \"%s: \"", file, line, e->message,
                      field);
    }
}

const char *encode_ok_at(nax_type type, const void *obj, const char *file, int line)
{
    static nax_buf buf = NAX_BUF_INIT;
    int rc = nax_encode(&buf, type, obj);
    ck_assert_msg(rc == 0, "%s:%d: encoding %s failed (%d): %s", file, line, nax_type_name(type),
                  rc, nax_error_last()->message);
    ck_assert_uint_eq(strlen(buf.data), buf.len);
    return buf.data;
}

void expect_encode_error_at(nax_type type, const void *obj, int code, const char *field,
                            const char *reason, const char *file, int line)
{
    nax_buf buf = NAX_BUF_INIT;
    /* Leftover content must be dropped on failure. */
    nax_encode(&buf, NAX_TYPE_TOTP_CODE, &(nax_totp_code){sizeof(nax_totp_code), "123456"});
    ck_assert_uint_gt(buf.len, 0);
    int rc = nax_encode(&buf, type, obj);
    const nax_error *e = nax_error_last();
    ck_assert_msg(rc == code, "%s:%d: expected error %d, got %d (%s)", file, line, code, rc,
                  rc ? e->message : buf.data);
    ck_assert_msg(buf.len == 0, "%s:%d: buffer not empty after failure: %s", file, line, buf.data);
    ck_assert_msg(strcmp(e->field, field) == 0, "%s:%d: expected field \"%s\", got \"%s\" (%s)",
                  file, line, field, e->field, e->message);
    ck_assert_msg(strstr(e->message, reason) != NULL,
                  "%s:%d: message \"%s\" does not contain \"%s\"", file, line, e->message, reason);
    nax_buf_dispose(&buf);
}

nax_decimal dec_at(const char *text, const char *file, int line)
{
    nax_decimal d;
    int rc = nax_decimal_parse(&d, text, strlen(text), NULL);
    ck_assert_msg(rc == 0, "%s:%d: bad decimal literal %s", file, line, text);
    return d;
}

void assert_dec_at(const nax_decimal *d, const char *text, const char *file, int line)
{
    ck_assert_msg(d != NULL, "%s:%d: decimal is NULL, expected %s", file, line, text);
    nax_decimal want = dec_at(text, file, line);
    char got[NAX_DECIMAL_STRING_MAX], exp[NAX_DECIMAL_STRING_MAX];
    nax_decimal_format(got, sizeof got, d);
    nax_decimal_format(exp, sizeof exp, &want);
    ck_assert_msg(nax_decimal_cmp(d, &want) == 0 && strcmp(got, exp) == 0,
                  "%s:%d: decimal is %s, expected %s", file, line, got, exp);
}

int run_suite(Suite *suite)
{
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}

/*
 * A program outside the tree, built against an installed libnax only: the
 * install test compiles it as C99 -pedantic -Werror with pkg-config (shared
 * and static) and through find_package(nax), then runs it.
 */
#include <nax.h>

#include <stdio.h>
#include <string.h>

static int fail(const char *what)
{
    fprintf(stderr, "consumer: %s: %s\n", what, nax_error_last()->message);
    return 1;
}

/* Exact decimals: 0.1 + 0.2 is 0.3, not 0.30000000000000004. */
static int check_decimal(void)
{
    nax_decimal a, b, sum;
    char text[NAX_DECIMAL_STRING_MAX];

    if (nax_decimal_parse(&a, "0.1", 3, NULL) != 0 || nax_decimal_parse(&b, "0.2", 3, NULL) != 0) {
        return fail("parse");
    }
    if (nax_decimal_add(&sum, &a, &b) != 0 || nax_decimal_format(text, sizeof text, &sum) < 0) {
        return fail("add");
    }
    if (strcmp(text, "0.3") != 0) {
        fprintf(stderr, "consumer: 0.1 + 0.2 gave %s\n", text);
        return 1;
    }
    return 0;
}

/* The codec: encode an object, decode it back, compare. */
static int check_codec(void)
{
    nax_buf json = NAX_BUF_INIT;
    nax_server_time now;
    nax_server_time *back = NULL;
    int rc = 0;

    memset(&now, 0, sizeof now);
    now.struct_size = sizeof now;
    now.server_time = 1767225600123;
    if (nax_encode(&json, NAX_TYPE_SERVER_TIME, &now) != 0) {
        return fail("encode");
    }
    if (nax_decode(&back, NAX_TYPE_SERVER_TIME, json.data, json.len, NULL) != 0) {
        nax_buf_dispose(&json);
        return fail("decode");
    }
    if (back->server_time != now.server_time) {
        fprintf(stderr, "consumer: server_time changed in %s\n", json.data);
        rc = 1;
    }
    nax_object_free(back);
    nax_buf_dispose(&json);
    return rc;
}

int main(void)
{
    if ((nax_version() >> 16) != NAX_VERSION_MAJOR) {
        fprintf(stderr, "consumer: built for %s, running with %s\n", NAX_VERSION_STRING,
                nax_version_string());
        return 1;
    }
    if (nax_global_init(NULL) != 0) {
        return fail("nax_global_init");
    }
    if (check_decimal() != 0 || check_codec() != 0) {
        nax_global_shutdown();
        return 1;
    }
    nax_global_shutdown();
    printf("consumer: libnax %s works\n", nax_version_string());
    return 0;
}

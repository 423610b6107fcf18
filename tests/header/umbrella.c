/*
 * Header test, C side: this file includes only <nax.h> and is compiled as
 * C99 with -pedantic -Werror, so a public header that needs a newer
 * standard, a GNU extension or another include fails the build. Running it
 * checks that the headers and the linked library agree on the version.
 */
#include <nax.h>

#include <stdio.h>
#include <string.h>

/* Every initialiser macro must be valid C99. */
static int check_initialisers(void)
{
    nax_buf buf = NAX_BUF_INIT;
    nax_decode_options opts = NAX_DECODE_OPTIONS_INIT;
    nax_client_options client_opts = NAX_CLIENT_OPTIONS_INIT;
    nax_shift_options shift_opts = NAX_SHIFT_OPTIONS_INIT;
    nax_list_query query = NAX_LIST_QUERY_INIT;
    (void)client_opts;
    (void)shift_opts;
    (void)query;
    nax_decimal zero = {0};

    if (buf.data != NULL || buf.len != 0 || buf.cap != 0) {
        fprintf(stderr, "NAX_BUF_INIT is not empty\n");
        return 1;
    }
    if (opts.version != NAX_DECODE_OPTIONS_VERSION) {
        fprintf(stderr, "NAX_DECODE_OPTIONS_INIT has version %u\n", opts.version);
        return 1;
    }
    /* A zero-initialised decimal is documented as a valid 0. */
    if (!nax_decimal_is_zero(&zero)) {
        fprintf(stderr, "a zero-initialised nax_decimal is not zero\n");
        return 1;
    }
    return 0;
}

static int check_version(void)
{
    if (nax_version() != NAX_VERSION_NUMBER) {
        fprintf(stderr, "nax_version() %#x != NAX_VERSION_NUMBER %#x\n", nax_version(),
                (unsigned int)NAX_VERSION_NUMBER);
        return 1;
    }
    if (strcmp(nax_version_string(), NAX_VERSION_STRING) != 0) {
        fprintf(stderr, "nax_version_string() \"%s\" != \"%s\"\n", nax_version_string(),
                NAX_VERSION_STRING);
        return 1;
    }
    return 0;
}

int main(void)
{
    int failed = check_initialisers() + check_version();
    if (failed == 0) {
        printf("C99: nax.h compiles and libnax %s matches the headers\n", nax_version_string());
    }
    return failed ? 1 : 0;
}

// Header test, C++ side: <nax.h> compiled as C++11 with -pedantic -Werror.
// Linking proves every declaration has C linkage (a missing extern "C"
// shows up as an undefined C++-mangled symbol); running checks the version.
#include <nax.h>

#include <cstdio>
#include <cstring>

namespace
{

int check_initialisers()
{
    nax_buf buf = NAX_BUF_INIT;
    nax_decode_options opts = NAX_DECODE_OPTIONS_INIT;
    nax_client_options client_opts = NAX_CLIENT_OPTIONS_INIT;
    nax_shift_options shift_opts = NAX_SHIFT_OPTIONS_INIT;
    nax_list_query query = NAX_LIST_QUERY_INIT;
    (void)client_opts;
    (void)shift_opts;
    (void)query;
    if (buf.data != nullptr || buf.len != 0 || opts.version != NAX_DECODE_OPTIONS_VERSION) {
        std::fprintf(stderr, "an initialiser macro gives the wrong value in C++\n");
        return 1;
    }
    return 0;
}

int check_version()
{
    if (nax_version() != static_cast<unsigned int>(NAX_VERSION_NUMBER) ||
        std::strcmp(nax_version_string(), NAX_VERSION_STRING) != 0) {
        std::fprintf(stderr, "libnax %s does not match the headers %s\n", nax_version_string(),
                     NAX_VERSION_STRING);
        return 1;
    }
    return 0;
}

} // namespace

int main()
{
    int failed = check_initialisers() + check_version();
    if (failed == 0) {
        std::printf("C++11: nax.h compiles with C linkage against libnax %s\n",
                    nax_version_string());
    }
    return failed ? 1 : 0;
}

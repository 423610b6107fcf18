// C++ program against the installed headers: <nax.h> must compile as strict
// C++11 and link with C linkage.
#include <nax.h>

#include <cstdio>

int main()
{
    nax_decimal price;
    if (nax_decimal_parse(&price, "64123.45", 8, nullptr) != 0 || nax_decimal_scale(&price) != 2) {
        std::fprintf(stderr, "consumer++: %s\n", nax_error_last()->message);
        return 1;
    }
    std::printf("consumer++: libnax %s works from C++\n", nax_version_string());
    return 0;
}

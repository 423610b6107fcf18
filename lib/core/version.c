/* Version of the linked library, to compare with the header's. */
#include "core.h"

unsigned int nax_version(void)
{
    return NAX_VERSION_NUMBER;
}

const char *nax_version_string(void)
{
    return NAX_VERSION_STRING;
}

/* The NA-X password policy (naxd_password_policy in password.h). */
#include <string.h>

#include "codec/codec_internal.h"
#include "core/core.h"
#include "password.h"

#define MIN_CHARS 12
#define MAX_BYTES 256

int naxd_password_policy(const char *password)
{
    if (!password)
        return nax__error_field(NAX_EINVAL, "password", "password is missing");
    size_t len = strlen(password);
    if (len > MAX_BYTES)
        return nax__error_field(NAX_EINVAL, "password", "password is longer than %d bytes",
                                MAX_BYTES);
    const unsigned char *s = (const unsigned char *)password;
    if (nax__codec_utf8_check(s, len) != len)
        return nax__error_field(NAX_EINVAL, "password", "password is not valid UTF-8");

    size_t chars = 0;
    int upper = 0, lower = 0, digit = 0, symbol = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        if ((c & 0xc0) != 0x80)
            chars++; /* a code point starts at every byte that is not a continuation */
        if (c >= 'A' && c <= 'Z')
            upper = 1;
        else if (c >= 'a' && c <= 'z')
            lower = 1;
        else if (c >= '0' && c <= '9')
            digit = 1;
        else if ((c >= 0x20 && c < 0x7f) || c >= 0xc0)
            symbol = 1; /* printable ASCII punctuation or space, or a non-ASCII code point */
    }
    if (chars >= MIN_CHARS && upper && lower && digit && symbol)
        return 0;

    char missing[160] = "";
    const char *parts[] = {
        chars < MIN_CHARS ? "at least 12 characters" : NULL, upper ? NULL : "an upper-case letter",
        lower ? NULL : "a lower-case letter", digit ? NULL : "a digit", symbol ? NULL : "a symbol"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (!parts[i])
            continue;
        if (missing[0])
            strcat(missing, ", ");
        strcat(missing, parts[i]);
    }
    return nax__error_field(NAX_EINVAL, "password", "password needs %s", missing);
}

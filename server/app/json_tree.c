#include "app/json_tree.h"

#include <stdio.h>
#include <string.h>

/* The deepest nesting of arrays and objects in text, brackets inside strings
 * not counted. Stops counting once past limit. */
static size_t nesting(const char *text, size_t len, size_t limit)
{
    size_t depth = 0, deepest = 0;
    int in_string = 0;
    for (size_t i = 0; i < len && deepest <= limit; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++; /* the escaped character is never a quote that ends the string */
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > deepest)
                deepest = depth;
        } else if ((c == ']' || c == '}') && depth) {
            depth--;
        }
    }
    return deepest;
}

yajl_val naxd_json_tree(const char *text, size_t len, char *err, size_t err_len)
{
    if (!text) {
        snprintf(err, err_len, "no text");
        return NULL;
    }
    if (memchr(text, '\0', len)) {
        snprintf(err, err_len, "the text holds a NUL byte");
        return NULL;
    }
    if (nesting(text, len, NAXD_JSON_TREE_MAX_DEPTH) > NAXD_JSON_TREE_MAX_DEPTH) {
        snprintf(err, err_len, "nested deeper than %d levels", NAXD_JSON_TREE_MAX_DEPTH);
        return NULL;
    }
    return yajl_tree_parse(text, err, err_len);
}

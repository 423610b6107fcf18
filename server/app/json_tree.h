/* yajl's tree parser for naxd's free-form JSON (operator routes, the config
 * file), behind a nesting limit: yajl_tree_free recurses once per level, so a
 * megabyte of '[' would overflow the stack when the tree is freed. */
#ifndef NAXD_APP_JSON_TREE_H
#define NAXD_APP_JSON_TREE_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

/* Deepest nesting naxd_json_tree accepts; the codec's default is the same. */
#define NAXD_JSON_TREE_MAX_DEPTH 32

/* Parses text[0..len) (which must be followed by a NUL, as request bodies and
 * read files are) into a tree the caller frees with yajl_tree_free. NULL with a
 * message in err when it is not JSON, holds a NUL byte or nests deeper than
 * NAXD_JSON_TREE_MAX_DEPTH. */
yajl_val naxd_json_tree(const char *text, size_t len, char *err, size_t err_len);

#endif

/* Shared by the client-side book benchmark's files (book_apply.c, book_stream.c). */
#ifndef NAX_BENCH_BOOK_H
#define NAX_BENCH_BOOK_H

#include <stddef.h>

typedef struct bench_line {
    const char *text;
    size_t len;
} bench_line;

/* Prints what failed (with nax_error_last()) and exits 1. */
void bench_die(const char *what);
/* The lines of a file (a snapshot, then updates); *storage holds the text. */
bench_line *bench_load(const char *path, size_t *count, char **storage);
/* `book_apply stream FILE`: the file through nax_stream, end to end. */
int bench_stream(const char *path, int repeats);

#endif

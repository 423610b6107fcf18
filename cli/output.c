/*
 * output.c: what the CLI prints. Results go to stdout, as a table for people
 * or as one JSON document per result (nax_encode: the contract's own shape)
 * for scripts; errors go to stderr as one line. Decimals are printed from
 * their exact text, never through a double.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- memory -------------------------------------------------------------------------- */

void *cli_alloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "nax: out of memory\n");
        exit(EXIT_MEMORY);
    }
    return p;
}

char *cli_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = cli_alloc(n);
    memcpy(p, s, n);
    return p;
}

void cli_free_secret(char *s)
{
    if (!s)
        return;
    /* volatile: the wipe must not be optimised away before free */
    for (volatile char *p = s; *p; p++)
        *p = '\0';
    free(s);
}

/* ---- exit codes ----------------------------------------------------------------------- */

int cli_exit_code(int rc)
{
    if (rc == 0)
        return EXIT_OK;
    switch (nax_error_class_of(rc)) {
    case NAX_ERRCLASS_ARGUMENT: return EXIT_ARGUMENT;
    case NAX_ERRCLASS_MEMORY: return EXIT_MEMORY;
    case NAX_ERRCLASS_DATA: return EXIT_DATA;
    case NAX_ERRCLASS_NETWORK: return EXIT_NETWORK;
    case NAX_ERRCLASS_HTTP:
        switch (rc) {
        case NAX_EAUTH:
        case NAX_EFORBIDDEN: return EXIT_AUTH;
        case NAX_ENOTFOUND: return EXIT_NOTFOUND;
        case NAX_EBADREQUEST: return EXIT_REJECTED;
        default: return EXIT_HTTP;
        }
    case NAX_ERRCLASS_STATE: return rc == NAX_ERROR ? EXIT_FAIL : EXIT_STATE;
    case NAX_ERRCLASS_SYSTEM: return EXIT_SYSTEM;
    case NAX_ERRCLASS_USER:
    case NAX_ERRCLASS_NONE: break;
    }
    return EXIT_FAIL;
}

/* A short code for errors the server did not name, for the JSON error body. */
static const char *local_code(int exit_code)
{
    switch (exit_code) {
    case EXIT_USAGE: return "usage";
    case EXIT_ARGUMENT: return "invalid_argument";
    case EXIT_DATA: return "invalid_data";
    case EXIT_NETWORK: return "network";
    case EXIT_AUTH: return "unauthorized";
    case EXIT_NOTFOUND: return "not_found";
    case EXIT_REJECTED: return "invalid_request";
    case EXIT_STATE: return "state";
    case EXIT_MEMORY: return "out_of_memory";
    case EXIT_SYSTEM: return "system";
    case EXIT_HTTP: return "http";
    default: return "error";
    }
}

/* One line: newlines and other control characters become spaces. */
static void one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20)
            *s = ' ';
}

void out_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

/* The error line. `extra_key`/`extra_value`, when set, become one more member
 * of the JSON error object (the text line carries them in the message). */
static void print_error(cli *c, int code, const char *message, const char *field,
                        const char *server_code, int http_status, const char *request_id,
                        const char *extra_key, const char *extra_value)
{
    char msg[1280];
    snprintf(msg, sizeof msg, "%s", message);
    one_line(msg);
    if (c->json) {
        nax_error_body body = {.struct_size = sizeof body,
                               .code = server_code && *server_code ? server_code : local_code(code),
                               .message = msg,
                               .field = field && *field ? field : NULL,
                               .request_id = request_id && *request_id ? request_id : NULL};
        nax_buf buf = NAX_BUF_INIT;
        if (nax_encode(&buf, NAX_TYPE_ERROR_BODY, &body) == 0) {
            /* {"error":{...}}: the extra member goes before the last two braces */
            if (extra_key && extra_value && buf.len >= 2 && !strcmp(buf.data + buf.len - 2, "}}")) {
                fprintf(stderr, "%.*s,\"%s\":", (int)(buf.len - 2), buf.data, extra_key);
                out_json_string(stderr, extra_value);
                fputs("}}\n", stderr);
            } else {
                fprintf(stderr, "%s\n", buf.data);
            }
            nax_buf_dispose(&buf);
            return;
        }
        nax_buf_dispose(&buf);
    }
    char extra[512] = "";
    size_t n = 0;
#define APPEND(...)                                                                                \
    do {                                                                                           \
        if (n < sizeof extra)                                                                      \
            n += (size_t)snprintf(extra + n, sizeof extra - n, __VA_ARGS__);                       \
    } while (0)
    if (field && *field)
        APPEND("%sfield %s", n ? ", " : "", field);
    if (server_code && *server_code)
        APPEND("%scode %s", n ? ", " : "", server_code);
    if (http_status)
        APPEND("%sHTTP %d", n ? ", " : "", http_status);
    if (request_id && *request_id)
        APPEND("%srequest %s", n ? ", " : "", request_id);
#undef APPEND
    one_line(extra);
    fprintf(stderr, "%s: %s%s%s%s\n", c->prog, msg, n ? " (" : "", n ? extra : "", n ? ")" : "");
}

int out_error_hint(cli *c, int rc, const char *what, const char *hint, const char *extra_key,
                   const char *extra_value)
{
    const nax_error *e = nax_error_last();
    int code = cli_exit_code(rc);
    if (c->session_dead && (rc == NAX_ESTATE || rc == NAX_EAUTH)) {
        /* the session expired and cannot be renewed: a credentials problem */
        code = EXIT_AUTH;
        if (!hint)
            hint = SESSION_EXPIRED_HINT;
    }
    char msg[1280];
    /* the library's message never holds secrets (it redacts them) */
    const char *detail = e->code == rc && *e->message ? e->message : nax_strerror(rc);
    snprintf(msg, sizeof msg, "%s: %s%s%s", what, detail, hint ? "; " : "", hint ? hint : "");
    if (e->code == rc)
        print_error(c, code, msg, e->field, e->server_code, e->http_status, e->request_id,
                    extra_key, extra_value);
    else
        print_error(c, code, msg, NULL, NULL, 0, NULL, extra_key, extra_value);
    return code;
}

int out_error(cli *c, int rc, const char *what)
{
    return out_error_hint(c, rc, what, NULL, NULL, NULL);
}

int out_http_error(cli *c, int code, const char *message, const char *field,
                   const char *server_code, int http_status, const char *request_id)
{
    print_error(c, code, message, field, server_code, http_status, request_id, NULL, NULL);
    return code;
}

int out_fail(cli *c, int code, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    print_error(c, code, msg, NULL, NULL, 0, NULL, NULL, NULL);
    return code;
}

int out_json(cli *c, nax_type type, const void *obj)
{
    nax_buf buf = NAX_BUF_INIT;
    int rc = nax_encode(&buf, type, obj);
    if (rc != 0) {
        nax_buf_dispose(&buf);
        return out_error(c, rc, "encoding the result");
    }
    fwrite(buf.data, 1, buf.len, stdout);
    fputc('\n', stdout);
    nax_buf_dispose(&buf);
    return EXIT_OK;
}

int out_result(cli *c, int rc, const char *what, nax_type type, void *obj, out_print_fn print)
{
    int ex = EXIT_OK;
    if (rc != 0)
        ex = out_error(c, rc, what);
    else if (c->json)
        ex = out_json(c, type, obj);
    else
        print(obj);
    nax_object_free(obj);
    return ex;
}

/* ---- value formats --------------------------------------------------------------------- */

const char *fmt_dec(char *buf, const nax_decimal *d)
{
    if (nax_decimal_format(buf, NAX_DECIMAL_STRING_MAX, d) < 0)
        snprintf(buf, NAX_DECIMAL_STRING_MAX, "?");
    return buf;
}

const char *fmt_opt_dec(char *buf, const nax_decimal *d)
{
    if (!d) {
        snprintf(buf, NAX_DECIMAL_STRING_MAX, "-");
        return buf;
    }
    return fmt_dec(buf, d);
}

const char *fmt_time(char *buf, size_t size, int64_t ms)
{
    if (ms <= 0) {
        snprintf(buf, size, "-");
        return buf;
    }
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    char day[32];
    if (!gmtime_r(&s, &tm) || !strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm)) {
        snprintf(buf, size, "%lld", (long long)ms);
        return buf;
    }
    snprintf(buf, size, "%s.%03dZ", day, (int)(ms % 1000));
    return buf;
}

/* ---- tables ---------------------------------------------------------------------------- */

struct table {
    size_t ncols, nrows, cap;
    char **headers;
    col_kind *kinds;
    char **cells; /* nrows * ncols */
};

table *table_new(size_t ncols, const char *const *headers, const col_kind *kinds)
{
    table *t = cli_alloc(sizeof *t);
    t->ncols = ncols;
    t->headers = cli_alloc(ncols * sizeof *t->headers);
    t->kinds = cli_alloc(ncols * sizeof *t->kinds);
    for (size_t i = 0; i < ncols; i++) {
        t->headers[i] = cli_strdup(headers[i]);
        t->kinds[i] = kinds ? kinds[i] : COL_TEXT;
    }
    return t;
}

void table_row(table *t, const char *const *cells)
{
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **grown = realloc(t->cells, cap * t->ncols * sizeof *grown);
        if (!grown) {
            fprintf(stderr, "nax: out of memory\n");
            exit(EXIT_MEMORY);
        }
        t->cells = grown;
        t->cap = cap;
    }
    for (size_t i = 0; i < t->ncols; i++)
        t->cells[t->nrows * t->ncols + i] = cli_strdup(cells[i] ? cells[i] : "-");
    t->nrows++;
}

/* Widths of a decimal's integer part (with sign) and of its point and fraction. */
static void dec_parts(const char *s, size_t *int_w, size_t *frac_w)
{
    const char *dot = strchr(s, '.');
    *int_w = dot ? (size_t)(dot - s) : strlen(s);
    *frac_w = dot ? strlen(dot) : 0;
}

static void table_print(const table *t, FILE *out)
{
    size_t *width = cli_alloc(t->ncols * sizeof *width);
    size_t *int_w = cli_alloc(t->ncols * sizeof *int_w);
    size_t *frac_w = cli_alloc(t->ncols * sizeof *frac_w);
    for (size_t c = 0; c < t->ncols; c++) {
        for (size_t r = 0; r < t->nrows; r++) {
            size_t iw, fw;
            dec_parts(t->cells[r * t->ncols + c], &iw, &fw);
            if (iw > int_w[c])
                int_w[c] = iw;
            if (fw > frac_w[c])
                frac_w[c] = fw;
            size_t len = strlen(t->cells[r * t->ncols + c]);
            if (len > width[c])
                width[c] = len;
        }
        if (t->kinds[c] == COL_DEC && int_w[c] + frac_w[c] > width[c])
            width[c] = int_w[c] + frac_w[c];
        if (strlen(t->headers[c]) > width[c])
            width[c] = strlen(t->headers[c]);
    }
    /* each line goes through a buffer so that its trailing blanks can go */
    char *line = NULL;
    size_t len = 0;
    for (size_t r = 0; r <= t->nrows; r++) {
        FILE *l = open_memstream(&line, &len);
        if (!l) {
            fprintf(stderr, "nax: out of memory\n");
            exit(EXIT_MEMORY);
        }
        for (size_t c = 0; c < t->ncols; c++) {
            /* row 0 is the header; decimal columns are right-aligned, headers too */
            const char *cell = r ? t->cells[(r - 1) * t->ncols + c] : t->headers[c];
            if (c)
                fputs("  ", l);
            if (t->kinds[c] != COL_DEC) {
                fprintf(l, "%-*s", (int)width[c], cell);
            } else if (!r) {
                fprintf(l, "%*s", (int)width[c], cell);
            } else {
                size_t iw, fw;
                dec_parts(cell, &iw, &fw);
                /* the points line up: pad the integer part left, the fraction right */
                size_t lead = width[c] - int_w[c] - frac_w[c] + (int_w[c] - iw);
                fprintf(l, "%*s%s%*s", (int)lead, "", cell, (int)(frac_w[c] - fw), "");
            }
        }
        fclose(l);
        while (len && line[len - 1] == ' ')
            line[--len] = '\0';
        fprintf(out, "%s\n", line);
        free(line);
        line = NULL;
    }
    free(width);
    free(int_w);
    free(frac_w);
}

static void table_free(table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    for (size_t i = 0; i < t->ncols; i++)
        free(t->headers[i]);
    free(t->cells);
    free(t->headers);
    free(t->kinds);
    free(t);
}

void table_print_free(table *t, FILE *out, const char *next_cursor)
{
    table_print(t, out);
    if (next_cursor)
        fprintf(out, "next_cursor  %s\n", next_cursor);
    table_free(t);
}

/* ---- name/value lists ------------------------------------------------------------------ */

struct kv {
    size_t n, cap;
    char **names, **values;
};

kv *kv_new(void)
{
    return cli_alloc(sizeof(kv));
}

void kv_add(kv *k, const char *name, const char *value)
{
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 16;
        char **n = realloc(k->names, cap * sizeof *n);
        if (n)
            k->names = n;
        char **v = n ? realloc(k->values, cap * sizeof *v) : NULL;
        if (!n || !v) {
            fprintf(stderr, "nax: out of memory\n");
            exit(EXIT_MEMORY);
        }
        k->values = v;
        k->cap = cap;
    }
    k->names[k->n] = cli_strdup(name);
    k->values[k->n] = cli_strdup(value ? value : "-");
    k->n++;
}

void kv_print(const kv *k, FILE *out)
{
    size_t w = 0;
    for (size_t i = 0; i < k->n; i++)
        if (strlen(k->names[i]) > w)
            w = strlen(k->names[i]);
    for (size_t i = 0; i < k->n; i++)
        fprintf(out, "%-*s  %s\n", (int)w, k->names[i], k->values[i]);
}

void kv_free(kv *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->n; i++) {
        free(k->names[i]);
        free(k->values[i]);
    }
    free(k->names);
    free(k->values);
    free(k);
}

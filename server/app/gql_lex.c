/*
 * The GraphQL lexer (spec §2.1): ignored tokens (white space, line
 * terminators, commas, comments, the byte-order mark), punctuators, names,
 * numbers and strings, with their line and column. Strict: anything the
 * grammar does not allow is a syntax error at its position.
 */
#include <stdio.h>
#include <string.h>

#include "app/gql_internal.h"
#include "core/core.h"

void gql_lex_init(gql_lexer *lx, const char *src, size_t len)
{
    memset(lx, 0, sizeof(*lx));
    lx->src = src;
    lx->len = len;
    lx->line = 1;
    lx->col = 1;
}

static int at(const gql_lexer *lx, size_t off)
{
    return lx->pos + off < lx->len ? (unsigned char)lx->src[lx->pos + off] : -1;
}

/* Step over n bytes, keeping line and column (in characters). */
static void advance(gql_lexer *lx, size_t n)
{
    for (size_t i = 0; i < n && lx->pos < lx->len; i++) {
        unsigned char c = (unsigned char)lx->src[lx->pos++];
        if (c == '\n' || (c == '\r' && at(lx, 0) != '\n')) {
            lx->line++;
            lx->col = 1;
        } else if ((c & 0xC0) != 0x80) {
            lx->col++;
        }
    }
}

static gql_loc here(const gql_lexer *lx)
{
    gql_loc l = {lx->line, lx->col};
    return l;
}

static int is_name_start(int c)
{
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* A printable description of the character at the position, for messages. */
static void describe(const gql_lexer *lx, char *out, size_t size)
{
    int c = at(lx, 0);
    if (c < 0)
        snprintf(out, size, "<EOF>");
    else if (c >= 0x20 && c < 0x7f)
        snprintf(out, size, "\"%c\"", c);
    else
        snprintf(out, size, "byte 0x%02X", (unsigned)c);
}

static int unexpected(gql_lexer *lx, gql_error *err)
{
    char what[32];
    describe(lx, what, sizeof what);
    return gql_fail(err, GQL_PARSE_FAILED, here(lx), "Syntax Error: Unexpected character %s.",
                    what);
}

/* Skip white space, line terminators, commas, comments and BOMs. */
static int skip_ignored(gql_lexer *lx, gql_error *err)
{
    for (;;) {
        int c = at(lx, 0);
        if (c == ' ' || c == '\t' || c == ',' || c == '\n' || c == '\r') {
            advance(lx, 1);
        } else if (c == 0xEF && at(lx, 1) == 0xBB && at(lx, 2) == 0xBF) {
            advance(lx, 3);
        } else if (c == '#') {
            for (advance(lx, 1); (c = at(lx, 0)) >= 0 && c != '\n' && c != '\r'; advance(lx, 1))
                if (c < 0x20 && c != '\t')
                    return unexpected(lx, err);
        } else {
            return 0;
        }
    }
}

static int lex_number(gql_lexer *lx, gql_token *t, gql_error *err)
{
    size_t start = lx->pos;
    int is_float = 0;
    if (at(lx, 0) == '-')
        advance(lx, 1);
    if (at(lx, 0) == '0') {
        advance(lx, 1);
        if (is_digit(at(lx, 0)))
            return gql_fail(err, GQL_PARSE_FAILED, here(lx),
                            "Syntax Error: Invalid number, unexpected digit after 0.");
    } else if (is_digit(at(lx, 0))) {
        while (is_digit(at(lx, 0)))
            advance(lx, 1);
    } else {
        return gql_fail(err, GQL_PARSE_FAILED, here(lx),
                        "Syntax Error: Invalid number, expected digit.");
    }
    if (at(lx, 0) == '.') {
        is_float = 1;
        advance(lx, 1);
        if (!is_digit(at(lx, 0)))
            return gql_fail(err, GQL_PARSE_FAILED, here(lx),
                            "Syntax Error: Invalid number, expected digit.");
        while (is_digit(at(lx, 0)))
            advance(lx, 1);
    }
    if (at(lx, 0) == 'e' || at(lx, 0) == 'E') {
        is_float = 1;
        advance(lx, 1);
        if (at(lx, 0) == '+' || at(lx, 0) == '-')
            advance(lx, 1);
        if (!is_digit(at(lx, 0)))
            return gql_fail(err, GQL_PARSE_FAILED, here(lx),
                            "Syntax Error: Invalid number, expected digit.");
        while (is_digit(at(lx, 0)))
            advance(lx, 1);
    }
    if (at(lx, 0) == '.' || is_name_start(at(lx, 0)))
        return gql_fail(err, GQL_PARSE_FAILED, here(lx),
                        "Syntax Error: Invalid number, unexpected character after it.");
    t->kind = is_float ? GQL_T_FLOAT : GQL_T_INT;
    t->len = lx->pos - start;
    return 0;
}

/* Find the end of a string token; the value is read by gql_lex_string. */
static int lex_string(gql_lexer *lx, gql_token *t, gql_error *err)
{
    size_t start = lx->pos;
    if (at(lx, 1) == '"' && at(lx, 2) == '"') {
        advance(lx, 3);
        for (;;) {
            int c = at(lx, 0);
            if (c < 0)
                return gql_fail(err, GQL_PARSE_FAILED, t->loc,
                                "Syntax Error: Unterminated string.");
            if (c == '"' && at(lx, 1) == '"' && at(lx, 2) == '"') {
                advance(lx, 3);
                break;
            }
            if (c == '\\' && at(lx, 1) == '"' && at(lx, 2) == '"' && at(lx, 3) == '"') {
                advance(lx, 4);
                continue;
            }
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                return gql_fail(err, GQL_PARSE_FAILED, here(lx),
                                "Syntax Error: Invalid character within String.");
            advance(lx, 1);
        }
        t->kind = GQL_T_BLOCK_STRING;
        t->len = lx->pos - start;
        return 0;
    }
    advance(lx, 1);
    for (;;) {
        int c = at(lx, 0);
        if (c < 0 || c == '\n' || c == '\r')
            return gql_fail(err, GQL_PARSE_FAILED, here(lx), "Syntax Error: Unterminated string.");
        if (c == '"')
            break;
        if (c < 0x20 && c != '\t')
            return gql_fail(err, GQL_PARSE_FAILED, here(lx),
                            "Syntax Error: Invalid character within String.");
        /* An escape's own syntax is checked when the value is read; only
         * keep an escaped quote from ending the string. */
        advance(lx, c == '\\' && at(lx, 1) == '"' ? 2 : c == '\\' && at(lx, 1) == '\\' ? 2 : 1);
    }
    advance(lx, 1);
    t->kind = GQL_T_STRING;
    t->len = lx->pos - start;
    return 0;
}

int gql_lex_next(gql_lexer *lx, gql_token *t, gql_error *err)
{
    memset(t, 0, sizeof(*t));
    if (skip_ignored(lx, err))
        return 1;
    t->loc = here(lx);
    t->start = lx->src + lx->pos;
    int c = at(lx, 0);
    if (c < 0) {
        t->kind = GQL_T_EOF;
        return 0;
    }
    if (++lx->tokens > GQL_MAX_TOKENS)
        return gql_fail(err, GQL_PARSE_FAILED, t->loc,
                        "Syntax Error: Document contains more than %u tokens.",
                        (unsigned)GQL_MAX_TOKENS);
    if (c == '.') {
        if (at(lx, 1) != '.' || at(lx, 2) != '.')
            return unexpected(lx, err);
        advance(lx, 3);
        t->kind = GQL_T_PUNCT;
        t->punct = '.';
        t->len = 3;
        return 0;
    }
    if (strchr("!$&():=@[]{|}", c)) {
        advance(lx, 1);
        t->kind = GQL_T_PUNCT;
        t->punct = (char)c;
        t->len = 1;
        return 0;
    }
    if (is_name_start(c)) {
        size_t start = lx->pos;
        while (is_name_start(at(lx, 0)) || is_digit(at(lx, 0)))
            advance(lx, 1);
        t->kind = GQL_T_NAME;
        t->len = lx->pos - start;
        return 0;
    }
    if (c == '-' || is_digit(c))
        return lex_number(lx, t, err);
    if (c == '"')
        return lex_string(lx, t, err);
    return unexpected(lx, err);
}

/* ---- string values ---- */

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads the hex digits of \uXXXX or \u{...} at s[*i] (just after "\u"). */
static long read_escape(const char *s, size_t len, size_t *i)
{
    long v = 0;
    if (*i < len && s[*i] == '{') {
        size_t j = *i + 1, digits = 0;
        for (; j < len && s[j] != '}'; j++, digits++) {
            int h = hex_value((unsigned char)s[j]);
            if (h < 0 || digits >= 6)
                return -1;
            v = v * 16 + h;
        }
        if (j >= len || !digits)
            return -1;
        *i = j + 1;
        return v;
    }
    if (*i + 4 > len)
        return -1;
    for (size_t k = 0; k < 4; k++) {
        int h = hex_value((unsigned char)s[*i + k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    *i += 4;
    return v;
}

static size_t put_utf8(char *out, long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* "..." with escapes. Decoding never grows the text, so len bytes suffice. */
static int quoted_value(char *out, size_t *out_len, const gql_token *t, gql_error *err)
{
    const char *s = t->start + 1;
    size_t len = t->len - 2, n = 0;
    for (size_t i = 0; i < len;) {
        char c = s[i];
        if (c != '\\') {
            out[n++] = c;
            i++;
            continue;
        }
        char e = i + 1 < len ? s[i + 1] : 0;
        i += 2;
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            out[n++] = map[simple - "\"\\/bfnrt"];
            continue;
        }
        long cp = e == 'u' ? read_escape(s, len, &i) : -1;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < len && s[i] == '\\' && s[i + 1] == 'u') {
            size_t j = i + 2;
            long lo = read_escape(s, len, &j);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i = j;
            }
        }
        if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return gql_fail(err, GQL_PARSE_FAILED, t->loc,
                            "Syntax Error: Invalid escape sequence in string.");
        n += put_utf8(out + n, cp);
    }
    *out_len = n;
    return 0;
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return 0;
    return 1;
}

static size_t indent_of(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

/* Next line of s[*pos, len): start and length; *pos moves past its terminator. */
static int next_line(const char *s, size_t len, size_t *pos, const char **line, size_t *n)
{
    if (*pos > len)
        return 0;
    size_t i = *pos;
    while (i < len && s[i] != '\n' && s[i] != '\r')
        i++;
    *line = s + *pos;
    *n = i - *pos;
    if (i < len && s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
        i++;
    *pos = i + 1;
    return 1;
}

/* """...""" per the spec's BlockStringValue: \""" unescaped, the common
 * indentation removed, blank first and last lines dropped, lines joined by \n. */
static void block_value(char *out, size_t *out_len, const gql_token *t)
{
    const char *raw = t->start + 3;
    size_t raw_len = t->len - 6;
    /* Unescape \""" first (into out, which is as long as raw). */
    size_t m = 0;
    for (size_t i = 0; i < raw_len;) {
        if (raw[i] == '\\' && i + 4 <= raw_len && !memcmp(raw + i + 1, "\"\"\"", 3)) {
            memcpy(out + m, "\"\"\"", 3);
            m += 3;
            i += 4;
        } else {
            out[m++] = raw[i++];
        }
    }
    const char *s = out;
    size_t common = (size_t)-1, pos = 0, first_real = (size_t)-1, last_real = 0;
    const char *line;
    size_t n;
    for (size_t idx = 0; next_line(s, m, &pos, &line, &n); idx++) {
        size_t ind = indent_of(line, n);
        if (idx > 0 && ind < n && ind < common)
            common = ind;
    }
    /* Which lines are not blank once the indentation is gone? */
    pos = 0;
    for (size_t idx = 0; next_line(s, m, &pos, &line, &n); idx++) {
        size_t skip = idx > 0 ? (common < n ? common : n) : 0;
        if (!blank(line + skip, n - skip)) {
            if (first_real == (size_t)-1)
                first_real = idx;
            last_real = idx;
        }
    }
    /* Write the kept lines back in place: writing never overtakes reading,
     * as lines only shrink. */
    char *w = out;
    size_t wn = 0;
    pos = 0;
    if (first_real != (size_t)-1) {
        for (size_t idx = 0; next_line(s, m, &pos, &line, &n); idx++) {
            if (idx < first_real || idx > last_real)
                continue;
            size_t skip = idx > 0 ? (common < n ? common : n) : 0;
            if (wn)
                w[wn++] = '\n';
            memmove(w + wn, line + skip, n - skip);
            wn += n - skip;
        }
    }
    *out_len = wn;
}

int gql_lex_string(gql_arena *a, const gql_token *t, char **out, size_t *len, gql_error *err)
{
    char *buf = gql_arena_alloc(a, t->len + 1);
    if (!buf)
        return NAX_ENOMEM;
    size_t n = 0;
    if (t->kind == GQL_T_BLOCK_STRING) {
        block_value(buf, &n, t);
    } else if (quoted_value(buf, &n, t, err)) {
        return 1;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

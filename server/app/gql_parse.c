/*
 * The GraphQL parser: recursive descent over the executable-document grammar
 * (spec §2), building a tree in one arena. Parts of the language naxd does
 * not serve (fragments, directives, type-system definitions) are refused
 * where they appear, with their location.
 */
#include <stdio.h>
#include <string.h>

#include "app/gql_internal.h"
#include "codec/codec_internal.h"
#include "core/core.h"

struct gql_document {
    gql_arena arena;
    gql_operation *ops;
};

typedef struct parser {
    gql_lexer lx;
    gql_token tok; /* the current token */
    gql_arena *arena;
    gql_error *err;
    unsigned depth;
} parser;

/* Each step returns 0, 1 (syntax error in *err) or NAX_ENOMEM. */
#define TRY(expr)                                                                                  \
    do {                                                                                           \
        int try_rc_ = (expr);                                                                      \
        if (try_rc_)                                                                               \
            return try_rc_;                                                                        \
    } while (0)

static int advance(parser *p)
{
    return gql_lex_next(&p->lx, &p->tok, p->err);
}

static void describe(const gql_token *t, char *out, size_t size)
{
    int n = t->len > 24 ? 24 : (int)t->len;
    switch (t->kind) {
    case GQL_T_EOF: snprintf(out, size, "<EOF>"); break;
    case GQL_T_PUNCT: snprintf(out, size, "\"%.*s\"", (int)t->len, t->start); break;
    case GQL_T_NAME: snprintf(out, size, "Name \"%.*s\"", n, t->start); break;
    case GQL_T_INT: snprintf(out, size, "Int \"%.*s\"", n, t->start); break;
    case GQL_T_FLOAT: snprintf(out, size, "Float \"%.*s\"", n, t->start); break;
    case GQL_T_STRING:
    case GQL_T_BLOCK_STRING: snprintf(out, size, "String"); break;
    }
}

static int expected(parser *p, const char *what)
{
    char found[48];
    describe(&p->tok, found, sizeof found);
    return gql_fail(p->err, GQL_PARSE_FAILED, p->tok.loc, "Syntax Error: Expected %s, found %s.",
                    what, found);
}

static int unexpected(parser *p)
{
    char found[48];
    describe(&p->tok, found, sizeof found);
    return gql_fail(p->err, GQL_PARSE_FAILED, p->tok.loc, "Syntax Error: Unexpected %s.", found);
}

static int unsupported(parser *p, const char *what)
{
    return gql_fail(p->err, GQL_VALIDATION_FAILED, p->tok.loc, "%s not supported by this server.",
                    what);
}

static int is_punct(const parser *p, char c)
{
    return p->tok.kind == GQL_T_PUNCT && p->tok.punct == c;
}

static int is_keyword(const parser *p, const char *word)
{
    return p->tok.kind == GQL_T_NAME && p->tok.len == strlen(word) &&
           !memcmp(p->tok.start, word, p->tok.len);
}

static int expect_punct(parser *p, char c)
{
    if (!is_punct(p, c)) {
        char what[8];
        snprintf(what, sizeof what, c == '.' ? "\"...\"" : "\"%c\"", c);
        return expected(p, what);
    }
    return advance(p);
}

static int name(parser *p, const char **out)
{
    if (p->tok.kind != GQL_T_NAME)
        return expected(p, "Name");
    *out = gql_arena_strndup(p->arena, p->tok.start, p->tok.len);
    if (!*out)
        return NAX_ENOMEM;
    return advance(p);
}

static int deeper(parser *p)
{
    if (++p->depth > GQL_MAX_DEPTH)
        return gql_fail(p->err, GQL_PARSE_FAILED, p->tok.loc,
                        "Syntax Error: Document is nested deeper than %u levels.",
                        (unsigned)GQL_MAX_DEPTH);
    return 0;
}

static int refuse_directives(parser *p)
{
    return is_punct(p, '@') ? unsupported(p, "Directives are") : 0;
}

/* ---- values ---- */

static int value(parser *p, int is_const, gql_value **out);

static int list_value(parser *p, int is_const, gql_value *v)
{
    v->kind = GQL_V_LIST;
    TRY(deeper(p));
    TRY(advance(p)); /* [ */
    gql_value **tail = &v->items;
    while (!is_punct(p, ']')) {
        if (p->tok.kind == GQL_T_EOF)
            return expected(p, "\"]\"");
        TRY(value(p, is_const, tail));
        tail = &(*tail)->next;
    }
    p->depth--;
    return advance(p);
}

static int object_value(parser *p, int is_const, gql_value *v)
{
    v->kind = GQL_V_OBJECT;
    TRY(deeper(p));
    TRY(advance(p)); /* { */
    gql_arg **tail = &v->fields;
    while (!is_punct(p, '}')) {
        gql_arg *f = gql_arena_alloc(p->arena, sizeof(*f));
        if (!f)
            return NAX_ENOMEM;
        f->loc = p->tok.loc;
        TRY(name(p, &f->name));
        TRY(expect_punct(p, ':'));
        TRY(value(p, is_const, &f->value));
        *tail = f;
        tail = &f->next;
    }
    p->depth--;
    return advance(p);
}

static int value(parser *p, int is_const, gql_value **out)
{
    gql_value *v = gql_arena_alloc(p->arena, sizeof(*v));
    if (!v)
        return NAX_ENOMEM;
    *out = v;
    v->loc = p->tok.loc;
    const gql_token *t = &p->tok;
    switch (t->kind) {
    case GQL_T_PUNCT:
        if (t->punct == '[')
            return list_value(p, is_const, v);
        if (t->punct == '{')
            return object_value(p, is_const, v);
        if (t->punct == '$') {
            if (is_const)
                return gql_fail(p->err, GQL_PARSE_FAILED, t->loc,
                                "Syntax Error: Unexpected variable in constant value.");
            TRY(advance(p));
            v->kind = GQL_V_VARIABLE;
            TRY(name(p, &v->text));
            v->len = strlen(v->text);
            return 0;
        }
        return unexpected(p);
    case GQL_T_INT:
    case GQL_T_FLOAT:
        v->kind = t->kind == GQL_T_INT ? GQL_V_INT : GQL_V_FLOAT;
        v->text = gql_arena_strndup(p->arena, t->start, t->len);
        v->len = t->len;
        return v->text ? advance(p) : NAX_ENOMEM;
    case GQL_T_STRING:
    case GQL_T_BLOCK_STRING: {
        char *s;
        v->kind = GQL_V_STRING;
        TRY(gql_lex_string(p->arena, t, &s, &v->len, p->err));
        v->text = s;
        return advance(p);
    }
    case GQL_T_NAME:
        if (is_keyword(p, "true") || is_keyword(p, "false")) {
            v->kind = GQL_V_BOOLEAN;
            v->boolean = is_keyword(p, "true");
            return advance(p);
        }
        if (is_keyword(p, "null")) {
            v->kind = GQL_V_NULL;
            return advance(p);
        }
        v->kind = GQL_V_ENUM;
        TRY(name(p, &v->text));
        v->len = strlen(v->text);
        return 0;
    case GQL_T_EOF: return unexpected(p);
    }
    return unexpected(p);
}

/* ---- types and variables ---- */

static int type_ref(parser *p, const gql_type **out)
{
    gql_type *t = gql_arena_alloc(p->arena, sizeof(*t));
    if (!t)
        return NAX_ENOMEM;
    if (is_punct(p, '[')) {
        TRY(deeper(p));
        TRY(advance(p));
        TRY(type_ref(p, &t->of));
        TRY(expect_punct(p, ']'));
        p->depth--;
    } else {
        TRY(name(p, &t->name));
    }
    if (is_punct(p, '!')) {
        t->non_null = 1;
        TRY(advance(p));
    }
    *out = t;
    return 0;
}

static int variable_definitions(parser *p, gql_var_def **out)
{
    TRY(advance(p)); /* ( */
    gql_var_def **tail = out;
    do {
        gql_var_def *d = gql_arena_alloc(p->arena, sizeof(*d));
        if (!d)
            return NAX_ENOMEM;
        d->loc = p->tok.loc;
        TRY(expect_punct(p, '$'));
        TRY(name(p, &d->name));
        TRY(expect_punct(p, ':'));
        TRY(type_ref(p, &d->type));
        if (is_punct(p, '=')) {
            TRY(advance(p));
            TRY(value(p, 1, &d->default_value));
        }
        TRY(refuse_directives(p));
        *tail = d;
        tail = &d->next;
    } while (!is_punct(p, ')'));
    return advance(p);
}

/* ---- selections ---- */

static int selection_set(parser *p, gql_field **out);

static int field(parser *p, gql_field **out)
{
    if (is_punct(p, '.'))
        return unsupported(p, "Fragments are");
    gql_field *f = gql_arena_alloc(p->arena, sizeof(*f));
    if (!f)
        return NAX_ENOMEM;
    f->loc = p->tok.loc;
    TRY(name(p, &f->name));
    if (is_punct(p, ':')) {
        TRY(advance(p));
        f->alias = f->name;
        TRY(name(p, &f->name));
    }
    if (is_punct(p, '(')) {
        TRY(advance(p));
        gql_arg **tail = &f->args;
        do {
            gql_arg *a = gql_arena_alloc(p->arena, sizeof(*a));
            if (!a)
                return NAX_ENOMEM;
            a->loc = p->tok.loc;
            TRY(name(p, &a->name));
            TRY(expect_punct(p, ':'));
            TRY(value(p, 0, &a->value));
            *tail = a;
            tail = &a->next;
        } while (!is_punct(p, ')'));
        TRY(advance(p));
    }
    TRY(refuse_directives(p));
    if (is_punct(p, '{')) {
        f->has_selection_set = 1;
        TRY(selection_set(p, &f->selections));
    }
    *out = f;
    return 0;
}

static int selection_set(parser *p, gql_field **out)
{
    TRY(deeper(p));
    TRY(expect_punct(p, '{'));
    gql_field **tail = out;
    do {
        TRY(field(p, tail));
        tail = &(*tail)->next;
    } while (!is_punct(p, '}'));
    p->depth--;
    return advance(p);
}

/* ---- definitions ---- */

static int operation(parser *p, gql_operation **out)
{
    gql_operation *op = gql_arena_alloc(p->arena, sizeof(*op));
    if (!op)
        return NAX_ENOMEM;
    op->loc = p->tok.loc;
    *out = op;
    if (is_punct(p, '{'))
        return selection_set(p, &op->selections); /* shorthand query */
    op->kind = is_keyword(p, "mutation")       ? GQL_MUTATION
               : is_keyword(p, "subscription") ? GQL_SUBSCRIPTION
                                               : GQL_QUERY;
    TRY(advance(p));
    if (p->tok.kind == GQL_T_NAME)
        TRY(name(p, &op->name));
    if (is_punct(p, '('))
        TRY(variable_definitions(p, &op->vars));
    TRY(refuse_directives(p));
    return selection_set(p, &op->selections);
}

static int definition(parser *p, gql_operation **out)
{
    static const char *const type_system[] = {"schema", "scalar", "type",      "interface", "union",
                                              "enum",   "input",  "directive", "extend",    NULL};
    if (is_punct(p, '{') || is_keyword(p, "query") || is_keyword(p, "mutation") ||
        is_keyword(p, "subscription"))
        return operation(p, out);
    if (is_keyword(p, "fragment"))
        return unsupported(p, "Fragments are");
    for (size_t i = 0; type_system[i]; i++)
        if (is_keyword(p, type_system[i]))
            return gql_fail(p->err, GQL_VALIDATION_FAILED, p->tok.loc,
                            "The \"%s\" definition is not executable.", type_system[i]);
    return unexpected(p);
}

int gql_parse(gql_document **out, const char *text, size_t len, gql_error *err)
{
    *out = NULL;
    gql_loc start = {1, 1};
    if (len > GQL_MAX_DOCUMENT)
        return gql_fail(err, GQL_PARSE_FAILED, start,
                        "Syntax Error: Document is longer than %u bytes.",
                        (unsigned)GQL_MAX_DOCUMENT);
    size_t bad = nax__codec_utf8_check((const unsigned char *)text, len);
    if (bad < len)
        return gql_fail(err, GQL_PARSE_FAILED, start,
                        "Syntax Error: Document is not UTF-8 (byte %zu).", bad);
    gql_document *doc = nax__calloc(1, sizeof(*doc));
    if (!doc)
        return NAX_ENOMEM;
    parser p;
    memset(&p, 0, sizeof p);
    gql_lex_init(&p.lx, text, len);
    p.arena = &doc->arena;
    p.err = err;
    int rc = advance(&p);
    if (!rc && p.tok.kind == GQL_T_EOF)
        rc = unexpected(&p);
    gql_operation **tail = &doc->ops;
    while (!rc && p.tok.kind != GQL_T_EOF) {
        rc = definition(&p, tail);
        if (!rc)
            tail = &(*tail)->next;
    }
    if (rc) {
        gql_document_free(doc);
        return rc;
    }
    *out = doc;
    return 0;
}

const gql_operation *gql_document_operations(const gql_document *doc)
{
    return doc->ops;
}

void gql_document_free(gql_document *doc)
{
    if (!doc)
        return;
    gql_arena_free(&doc->arena);
    nax__free(doc);
}

const char *gql_response_key(const gql_field *f)
{
    return f->alias ? f->alias : f->name;
}

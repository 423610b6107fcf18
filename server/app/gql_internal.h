/* Pieces shared by the gql_*.c files: the arena behind a document, the
 * lexer, and error helpers. */
#ifndef NAXD_APP_GQL_INTERNAL_H
#define NAXD_APP_GQL_INTERNAL_H

#include "app/gql.h"

/* ---- arena: every node of a document, freed at once ---- */

typedef struct gql_chunk gql_chunk;
typedef struct gql_arena {
    gql_chunk *head;
    char *cur, *end;
} gql_arena;

void *gql_arena_alloc(gql_arena *a, size_t size); /* zeroed; NULL on OOM */
char *gql_arena_strndup(gql_arena *a, const char *s, size_t len);
void gql_arena_free(gql_arena *a);

/* ---- lexer ---- */

typedef enum gql_tok {
    GQL_T_EOF = 0,
    GQL_T_PUNCT, /* punct: ! $ & ( ) . (for "...") : = @ [ ] { | } */
    GQL_T_NAME,
    GQL_T_INT,
    GQL_T_FLOAT,
    GQL_T_STRING,      /* "..." (start/len include the quotes) */
    GQL_T_BLOCK_STRING /* """...""" */
} gql_tok;

typedef struct gql_token {
    gql_tok kind;
    char punct;
    const char *start;
    size_t len;
    gql_loc loc;
} gql_token;

typedef struct gql_lexer {
    const char *src;
    size_t len, pos;
    uint32_t line, col;
    unsigned tokens;
} gql_lexer;

void gql_lex_init(gql_lexer *lx, const char *src, size_t len);
/* The next token. 0, or 1 with *err (GRAPHQL_PARSE_FAILED). */
int gql_lex_next(gql_lexer *lx, gql_token *t, gql_error *err);
/* The value of a STRING or BLOCK_STRING token, in the arena. 0; 1 with *err; NAX_ENOMEM. */
int gql_lex_string(gql_arena *a, const gql_token *t, char **out, size_t *len, gql_error *err);

/* ---- collecting fields (spec CollectFields) ---- */

/* The fields of one or more selection sets (those of merged fields) grouped
 * by response key, groups in the order their keys first appear. */
typedef struct gql_group {
    const char *key;
    const gql_field **fields; /* into gql_collected.all */
    size_t count;
} gql_group;

typedef struct gql_collected {
    gql_group *groups;
    size_t count;
    const gql_field **all;
} gql_collected;

/* 0 or NAX_ENOMEM. */
int gql_collect(gql_collected *out, const gql_field *const *sets, size_t nsets);
void gql_collected_free(gql_collected *c);
/* The selection sets of a group's fields, for collecting the next level
 * (nax__free it). NULL on OOM. */
const gql_field **gql_group_subsets(const gql_group *g);

/* ---- values ---- */

/* Coerce the request's variables (a JSON object, or NULL) for op's variable
 * definitions (spec CoerceVariableValues). 0 with *out (an OBJECT); 1 with
 * *err (BAD_USER_INPUT, field = the variable and the path in its value);
 * NAX_ENOMEM. */
int gql_coerce_variables(const gql_operation *op, const nax__jv *values, nax__jv **out,
                         gql_error *err);
/* A validated argument value (literal or variable) as coerced JSON for
 * `type`: enums as strings, IDs as strings, a single value where a list is
 * expected as a list of one. *out is NULL when the value is an unset
 * variable. 0 or NAX_ENOMEM. */
int gql_value_to_json(const gql_value *val, const gql_type *type, const nax__jv *vars,
                      nax__jv **out);
/* Is `text` (a GraphQL or JSON number) an integer in [min, max]? */
int gql_int_in_range(const char *text, size_t len, long long min, long long max);

/* ---- errors ---- */

extern const char GQL_PARSE_FAILED[];      /* "GRAPHQL_PARSE_FAILED" */
extern const char GQL_VALIDATION_FAILED[]; /* "GRAPHQL_VALIDATION_FAILED" */
extern const char GQL_BAD_USER_INPUT[];    /* "BAD_USER_INPUT" */

/* Fill err (message formatted, no path); returns 1. */
int gql_fail(gql_error *err, const char *code, gql_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif /* NAXD_APP_GQL_INTERNAL_H */

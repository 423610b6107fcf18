/*
 * GraphQL for naxd's POST /graphql (docs/shift.graphql): a small, strict
 * parser of executable documents, the schema, validation, variable coercion
 * and an executor that asks the app's resolvers for the two root fields.
 * Nothing here knows the app, so tests drive it alone (tests/unit/graphql).
 *
 * The subset: one or more operations (query or mutation, optional name,
 * variable definitions with defaults), fields with aliases, arguments
 * (literals, $variables, lists, input objects), nested selection sets and
 * __typename. Fragments, directives, subscriptions and introspection are
 * refused with GRAPHQL_VALIDATION_FAILED. Everything is bounded: document
 * size, tokens, nesting.
 */
#ifndef NAXD_APP_GQL_H
#define NAXD_APP_GQL_H

#include <stddef.h>
#include <stdint.h>

#include <nax.h>

#include "shift/json.h"

#define GQL_MAX_DOCUMENT (64u * 1024) /* bytes of the query text */
#define GQL_MAX_TOKENS   4096         /* tokens in one document */
#define GQL_MAX_DEPTH    16           /* nesting of selection sets, values and types */

/* ---- errors ----------------------------------------------------------------- */

typedef struct gql_loc {
    uint32_t line, column; /* 1-based; 0 when unknown */
} gql_loc;

#define GQL_MAX_PATH 24

/* One GraphQL error, as reported in the response's `errors`. */
typedef struct gql_error {
    const char *code; /* extensions.code: GRAPHQL_PARSE_FAILED, ... (static) */
    char message[512];
    gql_loc loc;                    /* locations[0]; line 0 = none */
    const char *path[GQL_MAX_PATH]; /* response keys from the root; borrowed */
    size_t path_len;
    char field[96];         /* extensions.field; "" = none */
    const char *reason;     /* extensions.reason: the REST code behind a domain error, or NULL */
    const char *request_id; /* extensions.requestId: the HTTP request's id, or NULL */
} gql_error;

/* ---- the document ----------------------------------------------------------- */

typedef enum gql_value_kind {
    GQL_V_VARIABLE,
    GQL_V_INT,
    GQL_V_FLOAT,
    GQL_V_STRING,
    GQL_V_BOOLEAN,
    GQL_V_NULL,
    GQL_V_ENUM,
    GQL_V_LIST,
    GQL_V_OBJECT
} gql_value_kind;

typedef struct gql_value gql_value;
typedef struct gql_arg gql_arg;

/* An argument, or a field of an input object literal. */
struct gql_arg {
    const char *name;
    gql_value *value;
    gql_loc loc;
    gql_arg *next;
};

struct gql_value {
    gql_value_kind kind;
    gql_loc loc;
    const char *text; /* VARIABLE and ENUM: the name; INT, FLOAT: as written; STRING: the value */
    size_t len;       /* bytes of text */
    int boolean;
    gql_value *items; /* LIST: first element (linked by next) */
    gql_arg *fields;  /* OBJECT: first field */
    gql_value *next;  /* next list element */
};

/* A type reference: a named type, or a list of `of`; either may be non-null. */
typedef struct gql_type gql_type;
struct gql_type {
    const char *name; /* NULL for a list */
    const gql_type *of;
    int non_null;
};

typedef struct gql_var_def gql_var_def;
struct gql_var_def {
    const char *name;
    const gql_type *type;
    gql_value *default_value; /* NULL when none */
    gql_loc loc;
    gql_var_def *next;
};

typedef struct gql_field gql_field;
struct gql_field {
    const char *alias; /* NULL when none */
    const char *name;
    gql_arg *args;
    gql_field *selections; /* first field of the selection set, NULL when none */
    int has_selection_set;
    gql_loc loc;
    gql_field *next;
};

typedef enum gql_op_kind { GQL_QUERY, GQL_MUTATION, GQL_SUBSCRIPTION } gql_op_kind;

typedef struct gql_operation gql_operation;
struct gql_operation {
    gql_op_kind kind;
    const char *name; /* NULL when anonymous */
    gql_var_def *vars;
    gql_field *selections;
    gql_loc loc;
    gql_operation *next;
};

typedef struct gql_document gql_document; /* owns every node (one arena) */

/* The operations of a document, in order. */
const gql_operation *gql_document_operations(const gql_document *doc);
void gql_document_free(gql_document *doc);

/*
 * Parse an executable document of len bytes (UTF-8). Returns 0 with *out;
 * 1 with *err filled (GRAPHQL_PARSE_FAILED with the location, or
 * GRAPHQL_VALIDATION_FAILED for the unsupported parts of the language);
 * NAX_ENOMEM.
 */
int gql_parse(gql_document **out, const char *text, size_t len, gql_error *err);

/* The response key of a field: its alias, else its name. */
const char *gql_response_key(const gql_field *f);

/* ---- the schema -------------------------------------------------------------- */

typedef enum gql_type_kind { GQL_SCALAR, GQL_ENUM, GQL_OBJECT, GQL_INPUT } gql_type_kind;

typedef struct gql_schema_arg {
    const char *name;
    const gql_type *type;
} gql_schema_arg;

typedef struct gql_schema_field {
    const char *name;
    const gql_type *type;
    const gql_schema_arg *args; /* NULL-name terminated; NULL when none */
} gql_schema_field;

typedef struct gql_schema_type {
    const char *name;
    gql_type_kind kind;
    const gql_schema_field *fields; /* OBJECT and INPUT: NULL-name terminated */
    const char *const *enum_values; /* ENUM: NULL terminated */
} gql_schema_type;

const gql_schema_type *gql_schema_type_named(const char *name);
const gql_schema_field *gql_schema_field_of(const gql_schema_type *t, const char *name);
/* The root type of an operation kind, or NULL (no subscriptions). */
const gql_schema_type *gql_schema_root(gql_op_kind kind);
/* The named type under lists and non-null wrappers. */
const char *gql_type_base(const gql_type *t);
/* Write a type as GraphQL writes it ("[Balance!]!"). */
void gql_type_format(char *out, size_t size, const gql_type *t);

/* ---- validation and execution ----------------------------------------------- */

/* Pick the operation (by name when given), validate it against the schema and
 * coerce the variables (a JSON object tree or NULL). On success *op and
 * *vars (an OBJECT tree of coerced values; free it) are set. Returns 0; 1 with
 * *err (GRAPHQL_VALIDATION_FAILED, or BAD_USER_INPUT for variable values);
 * NAX_ENOMEM. */
int gql_validate(const gql_document *doc, const char *operation_name, const nax__jv *variables,
                 const gql_operation **op, nax__jv **vars, gql_error *err);

/* A resolver's refusal. */
typedef struct gql_failure {
    const char *code;   /* GraphQL error code: BAD_USER_INPUT, CONFLICT, FORBIDDEN, ... */
    const char *reason; /* the REST error code behind it, or NULL */
    char field[96];     /* e.g. "input.price"; "" = none */
    char message[512];
    /* Non-zero: answer the whole request with this HTTP status and the REST
     * error body (code = reason) instead of a GraphQL response, as for an
     * unavailable store. */
    int http_status;
} gql_failure;

/* What the app provides. Results are borrowed until gql_execute returns. Each
 * returns 0, or -1 with *why filled. */
typedef struct gql_resolvers {
    int (*balances)(void *ctx, const nax_balance_list **out, gql_failure *why);
    int (*create_order)(void *ctx, const nax_order_request *request, const nax_order **out,
                        gql_failure *why);
    void *ctx;
    const char *request_id; /* written into every error's extensions; may be NULL */
} gql_resolvers;

/* Run a validated operation and write the GraphQL response ({"data":...} or
 * {"data":null,"errors":[...]}) to out. Returns 0; 1 when a resolver asked
 * for an HTTP error (*why filled, out unspecified); NAX_ENOMEM. */
int gql_execute(const gql_operation *op, const nax__jv *vars, const gql_resolvers *r, nax_buf *out,
                gql_failure *why);

/* Write a response with the one error: {"errors":[err]} for a request
 * error (before execution: no data, spec §7.1), or {"errors":[err],"data":null}
 * when data_null. 0 or NAX_ENOMEM. */
int gql_write_errors(nax_buf *out, const gql_error *err, int data_null);

/*
 * The whole GraphQL-over-HTTP request: read the JSON body ({"query",
 * "variables", "operationName"}), parse, validate, execute. Returns 0 with the
 * GraphQL response in out (HTTP 200, errors included); 1 when the request
 * must be answered with an HTTP error: *why has http_status (400 for a body
 * that is not a GraphQL request: reason invalid_json or invalid_request, with
 * the field) or what a resolver asked for; NAX_ENOMEM.
 */
int gql_run(const char *body, size_t len, const gql_resolvers *r, nax_buf *out, gql_failure *why);

#endif /* NAXD_APP_GQL_H */

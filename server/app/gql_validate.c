/*
 * Validation (spec §5) of a parsed document against the schema: operation
 * names and selection, variable definitions and their use, fields that
 * exist on their type, leaf and object selections, arguments and literal
 * values of the right type, response keys that merge, at most one
 * createOrder. The first problem found is reported, with its location and
 * the path of response keys to it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app/gql_internal.h"
#include "core/core.h"

typedef struct vctx {
    const gql_operation *op;
    gql_error *err;
    const char *path[GQL_MAX_PATH];
    size_t path_len;
    char field[96];      /* argument path of the value being checked ("input.price") */
    unsigned char *used; /* per variable definition */
    size_t vars_count;
} vctx;

static int vfail(vctx *v, gql_loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int vfail(vctx *v, gql_loc loc, const char *fmt, ...)
{
    gql_error *e = v->err;
    memset(e, 0, sizeof(*e));
    e->code = GQL_VALIDATION_FAILED;
    e->loc = loc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    memcpy(e->path, v->path, v->path_len * sizeof(v->path[0]));
    e->path_len = v->path_len;
    snprintf(e->field, sizeof e->field, "%s", v->field);
    return 1;
}

/* A short rendering of a literal for messages. */
static void show(const gql_value *val, char *out, size_t size)
{
    switch (val->kind) {
    case GQL_V_VARIABLE: snprintf(out, size, "$%s", val->text); break;
    case GQL_V_INT:
    case GQL_V_FLOAT:
    case GQL_V_ENUM: snprintf(out, size, "%.40s", val->text); break;
    case GQL_V_STRING: snprintf(out, size, "\"%.40s\"", val->text); break;
    case GQL_V_BOOLEAN: snprintf(out, size, "%s", val->boolean ? "true" : "false"); break;
    case GQL_V_NULL: snprintf(out, size, "null"); break;
    case GQL_V_LIST: snprintf(out, size, "[...]"); break;
    case GQL_V_OBJECT: snprintf(out, size, "{...}"); break;
    }
}

static int wrong_value(vctx *v, const gql_value *val, const gql_type *type)
{
    char t[96], found[64];
    gql_type_format(t, sizeof t, type);
    show(val, found, sizeof found);
    return vfail(v, val->loc, "Expected value of type \"%s\", found %s.", t, found);
}

/* ---- variables ---- */

static const gql_var_def *var_def(const vctx *v, const char *name, size_t *index)
{
    size_t i = 0;
    for (const gql_var_def *d = v->op->vars; d; d = d->next, i++)
        if (!strcmp(d->name, name)) {
            *index = i;
            return d;
        }
    return NULL;
}

static int compatible(const gql_type *var, const gql_type *loc)
{
    gql_type a = *var, b = *loc;
    a.non_null = b.non_null = 0;
    if (loc->non_null)
        return var->non_null && compatible(&a, &b);
    if (var->non_null)
        return compatible(&a, loc);
    if (!loc->name)
        return !var->name && compatible(var->of, loc->of);
    return var->name && !strcmp(var->name, loc->name);
}

static int check_variable_use(vctx *v, const gql_value *val, const gql_type *loc)
{
    size_t index = 0;
    const gql_var_def *d = var_def(v, val->text, &index);
    if (!d)
        return v->op->name
                   ? vfail(v, val->loc, "Variable \"$%s\" is not defined by operation \"%s\".",
                           val->text, v->op->name)
                   : vfail(v, val->loc, "Variable \"$%s\" is not defined.", val->text);
    v->used[index] = 1;
    int ok;
    if (loc->non_null && !d->type->non_null) {
        /* A nullable variable may fill a non-null place only with a default. */
        gql_type l = *loc;
        l.non_null = 0;
        ok = d->default_value && d->default_value->kind != GQL_V_NULL && compatible(d->type, &l);
    } else {
        ok = compatible(d->type, loc);
    }
    if (ok)
        return 0;
    char vt[96], lt[96];
    gql_type_format(vt, sizeof vt, d->type);
    gql_type_format(lt, sizeof lt, loc);
    return vfail(v, val->loc,
                 "Variable \"$%s\" of type \"%s\" used in position expecting type \"%s\".",
                 val->text, vt, lt);
}

/* ---- values ---- */

static int check_value(vctx *v, const gql_value *val, const gql_type *type);

static int check_scalar(vctx *v, const gql_value *val, const gql_type *type, const char *name)
{
    int ok = 0;
    if (!strcmp(name, "String"))
        ok = val->kind == GQL_V_STRING;
    else if (!strcmp(name, "Boolean"))
        ok = val->kind == GQL_V_BOOLEAN;
    else if (!strcmp(name, "Int"))
        ok = val->kind == GQL_V_INT &&
             gql_int_in_range(val->text, val->len, -2147483648LL, 2147483647LL);
    else if (!strcmp(name, "Float"))
        ok = val->kind == GQL_V_INT || val->kind == GQL_V_FLOAT;
    else if (!strcmp(name, "ID"))
        ok = val->kind == GQL_V_STRING || val->kind == GQL_V_INT;
    else if (!strcmp(name, "Timestamp"))
        ok = val->kind == GQL_V_INT &&
             gql_int_in_range(val->text, val->len, -9223372036854775807LL - 1,
                              9223372036854775807LL);
    return ok ? 0 : wrong_value(v, val, type);
}

static int check_enum(vctx *v, const gql_value *val, const gql_type *type,
                      const gql_schema_type *st)
{
    if (val->kind == GQL_V_ENUM)
        for (const char *const *e = st->enum_values; *e; e++)
            if (!strcmp(*e, val->text))
                return 0;
    if (val->kind == GQL_V_ENUM)
        return vfail(v, val->loc, "Value \"%.40s\" does not exist in \"%s\" enum.", val->text,
                     st->name);
    return wrong_value(v, val, type);
}

/* Appends ".name" (or "name") to the argument path; returns the old length. */
static size_t field_push(vctx *v, const char *name)
{
    size_t n = strlen(v->field);
    snprintf(v->field + n, sizeof v->field - n, "%s%s", n ? "." : "", name);
    return n;
}

static int check_input_object(vctx *v, const gql_value *val, const gql_type *type,
                              const gql_schema_type *st)
{
    if (val->kind != GQL_V_OBJECT)
        return wrong_value(v, val, type);
    for (const gql_arg *f = val->fields; f; f = f->next) {
        const gql_schema_field *sf = gql_schema_field_of(st, f->name);
        if (!sf)
            return vfail(v, f->loc, "Field \"%s\" is not defined by type \"%s\".", f->name,
                         st->name);
        for (const gql_arg *g = val->fields; g != f; g = g->next)
            if (!strcmp(g->name, f->name))
                return vfail(v, f->loc, "There can be only one input field named \"%s\".", f->name);
        size_t mark = field_push(v, f->name);
        int rc = check_value(v, f->value, sf->type);
        if (rc)
            return rc;
        v->field[mark] = '\0';
    }
    for (const gql_schema_field *sf = st->fields; sf->name; sf++) {
        if (!sf->type->non_null)
            continue;
        const gql_arg *f = val->fields;
        while (f && strcmp(f->name, sf->name) != 0)
            f = f->next;
        if (!f) {
            char t[96];
            gql_type_format(t, sizeof t, sf->type);
            field_push(v, sf->name);
            return vfail(v, val->loc, "Field \"%s.%s\" of required type \"%s\" was not provided.",
                         st->name, sf->name, t);
        }
    }
    return 0;
}

static int check_value(vctx *v, const gql_value *val, const gql_type *type)
{
    if (val->kind == GQL_V_VARIABLE)
        return check_variable_use(v, val, type);
    if (val->kind == GQL_V_NULL)
        return type->non_null ? wrong_value(v, val, type) : 0;
    gql_type nullable = *type;
    nullable.non_null = 0;
    if (!type->name) {
        if (val->kind != GQL_V_LIST)
            return check_value(v, val, type->of); /* one value where a list goes */
        for (const gql_value *item = val->items; item; item = item->next) {
            int rc = check_value(v, item, type->of);
            if (rc)
                return rc;
        }
        return 0;
    }
    const gql_schema_type *st = gql_schema_type_named(type->name);
    switch (st->kind) {
    case GQL_SCALAR: return check_scalar(v, val, type, st->name);
    case GQL_ENUM: return check_enum(v, val, type, st);
    case GQL_INPUT: return check_input_object(v, val, type, st);
    case GQL_OBJECT: break;
    }
    return wrong_value(v, val, &nullable);
}

/* ---- fields ---- */

static int args_equal(const gql_arg *a, const gql_arg *b);

static int values_equal(const gql_value *a, const gql_value *b)
{
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case GQL_V_BOOLEAN: return a->boolean == b->boolean;
    case GQL_V_NULL: return 1;
    case GQL_V_LIST:
        for (a = a->items, b = b->items; a && b; a = a->next, b = b->next)
            if (!values_equal(a, b))
                return 0;
        return !a && !b;
    case GQL_V_OBJECT: return args_equal(a->fields, b->fields);
    default: return a->len == b->len && !memcmp(a->text, b->text, a->len);
    }
}

/* Same names with equal values, in any order (names are unique in each). */
static int args_equal(const gql_arg *a, const gql_arg *b)
{
    size_t na = 0, nb = 0;
    for (const gql_arg *x = a; x; x = x->next)
        na++;
    for (const gql_arg *y = b; y; y = y->next)
        nb++;
    if (na != nb)
        return 0;
    for (const gql_arg *x = a; x; x = x->next) {
        const gql_arg *y = b;
        while (y && strcmp(x->name, y->name) != 0)
            y = y->next;
        if (!y || !values_equal(x->value, y->value))
            return 0;
    }
    return 1;
}

static int check_args(vctx *v, const gql_schema_type *parent, const gql_schema_field *sf,
                      const gql_field *f)
{
    for (const gql_arg *a = f->args; a; a = a->next) {
        const gql_schema_arg *sa = sf->args;
        while (sa && sa->name && strcmp(sa->name, a->name) != 0)
            sa++;
        if (!sa || !sa->name)
            return vfail(v, a->loc, "Unknown argument \"%s\" on field \"%s.%s\".", a->name,
                         parent->name, sf->name);
        for (const gql_arg *b = f->args; b != a; b = b->next)
            if (!strcmp(b->name, a->name))
                return vfail(v, a->loc, "There can be only one argument named \"%s\".", a->name);
        v->field[0] = '\0';
        field_push(v, a->name);
        int rc = check_value(v, a->value, sa->type);
        if (rc)
            return rc;
        v->field[0] = '\0';
    }
    for (const gql_schema_arg *sa = sf->args; sa && sa->name; sa++) {
        const gql_arg *a = f->args;
        while (a && strcmp(a->name, sa->name) != 0)
            a = a->next;
        if (!a && sa->type->non_null) {
            char t[96];
            gql_type_format(t, sizeof t, sa->type);
            return vfail(v, f->loc,
                         "Field \"%s\" argument \"%s\" of type \"%s\" is required, but it was not "
                         "provided.",
                         sf->name, sa->name, t);
        }
    }
    return 0;
}

/* One field on its parent type; *object receives the type to select from
 * next (NULL for a leaf). */
static int check_field(vctx *v, const gql_schema_type *parent, const gql_field *f,
                       const gql_schema_type **object)
{
    *object = NULL;
    if (!strcmp(f->name, "__typename")) {
        if (f->args)
            return vfail(v, f->args->loc, "Unknown argument \"%s\" on field \"%s.__typename\".",
                         f->args->name, parent->name);
        if (f->has_selection_set)
            return vfail(v, f->loc,
                         "Field \"__typename\" must not have a selection since type \"String!\" "
                         "has no subfields.");
        return 0;
    }
    const gql_schema_field *sf = gql_schema_field_of(parent, f->name);
    if (!sf)
        return vfail(v, f->loc, "Cannot query field \"%.64s\" on type \"%s\".", f->name,
                     parent->name);
    int rc = check_args(v, parent, sf, f);
    if (rc)
        return rc;
    const gql_schema_type *t = gql_schema_type_named(gql_type_base(sf->type));
    char tn[96];
    gql_type_format(tn, sizeof tn, sf->type);
    if (t->kind == GQL_OBJECT) {
        if (!f->has_selection_set)
            return vfail(v, f->loc,
                         "Field \"%s\" of type \"%s\" must have a selection of subfields. Did you "
                         "mean \"%s { ... }\"?",
                         f->name, tn, f->name);
        *object = t;
    } else if (f->has_selection_set) {
        return vfail(v, f->loc,
                     "Field \"%s\" must not have a selection since type \"%s\" has no subfields.",
                     f->name, tn);
    }
    return 0;
}

static int check_set(vctx *v, const gql_schema_type *type, const gql_field *const *sets,
                     size_t nsets);

static int check_group(vctx *v, const gql_schema_type *type, const gql_group *g)
{
    const gql_field *first = g->fields[0];
    const gql_schema_type *object = NULL;
    for (size_t i = 0; i < g->count; i++) {
        const gql_field *f = g->fields[i];
        int rc = check_field(v, type, f, &object);
        if (rc)
            return rc;
        if (strcmp(f->name, first->name) != 0)
            return vfail(v, f->loc,
                         "Fields \"%s\" conflict because \"%s\" and \"%s\" are different fields. "
                         "Use different aliases on the fields to fetch both if this was "
                         "intentional.",
                         g->key, first->name, f->name);
        if (!args_equal(first->args, f->args))
            return vfail(v, f->loc,
                         "Fields \"%s\" conflict because they have differing arguments. Use "
                         "different aliases on the fields to fetch both if this was intentional.",
                         g->key);
    }
    if (!object)
        return 0;
    const gql_field **subsets = gql_group_subsets(g);
    if (!subsets)
        return NAX_ENOMEM;
    int rc = check_set(v, object, subsets, g->count);
    nax__free((void *)subsets);
    return rc;
}

static int check_set(vctx *v, const gql_schema_type *type, const gql_field *const *sets,
                     size_t nsets)
{
    gql_collected c;
    int rc = gql_collect(&c, sets, nsets);
    for (size_t i = 0; !rc && i < c.count; i++) {
        v->path[v->path_len++] = c.groups[i].key;
        rc = check_group(v, type, &c.groups[i]);
        if (!rc)
            v->path_len--;
    }
    gql_collected_free(&c);
    return rc;
}

/* ---- operations ---- */

static int check_var_defs(vctx *v)
{
    for (const gql_var_def *d = v->op->vars; d; d = d->next) {
        for (const gql_var_def *e = v->op->vars; e != d; e = e->next)
            if (!strcmp(e->name, d->name))
                return vfail(v, d->loc, "There can be only one variable named \"$%s\".", d->name);
        const char *base = gql_type_base(d->type);
        const gql_schema_type *st = gql_schema_type_named(base);
        if (!st)
            return vfail(v, d->loc, "Unknown type \"%.64s\".", base);
        if (st->kind == GQL_OBJECT) {
            char t[96];
            gql_type_format(t, sizeof t, d->type);
            return vfail(v, d->loc, "Variable \"$%s\" cannot be non-input type \"%s\".", d->name,
                         t);
        }
        if (d->default_value) {
            snprintf(v->field, sizeof v->field, "%s", d->name);
            int rc = check_value(v, d->default_value, d->type);
            if (rc)
                return rc;
            v->field[0] = '\0';
        }
    }
    return 0;
}

static int check_operation(vctx *v, const gql_operation *op)
{
    v->op = op;
    v->path_len = 0;
    v->field[0] = '\0';
    const gql_schema_type *root = gql_schema_root(op->kind);
    if (!root)
        return vfail(v, op->loc, "Schema is not configured for subscriptions.");
    size_t n = 0;
    for (const gql_var_def *d = op->vars; d; d = d->next)
        n++;
    nax__free(v->used);
    v->used = nax__calloc(n ? n : 1, 1);
    if (!v->used)
        return NAX_ENOMEM;
    v->vars_count = n;
    int rc = check_var_defs(v);
    if (!rc)
        rc = check_set(v, root, (const gql_field *const[]){op->selections}, 1);
    if (rc)
        return rc;
    size_t i = 0;
    for (const gql_var_def *d = op->vars; d; d = d->next, i++)
        if (!v->used[i])
            return v->op->name ? vfail(v, d->loc,
                                       "Variable \"$%s\" is never used in operation "
                                       "\"%s\".",
                                       d->name, op->name)
                               : vfail(v, d->loc, "Variable \"$%s\" is never used.", d->name);
    if (op->kind == GQL_MUTATION) {
        /* One placement per request keeps a retried request to one order. */
        gql_collected c;
        rc = gql_collect(&c, (const gql_field *const[]){op->selections}, 1);
        int orders = 0;
        for (size_t g = 0; !rc && g < c.count; g++)
            if (!strcmp(c.groups[g].fields[0]->name, "createOrder") && ++orders > 1)
                rc = vfail(v, c.groups[g].fields[0]->loc,
                           "Only one createOrder can be executed per request.");
        gql_collected_free(&c);
    }
    return rc;
}

static int select_operation(vctx *v, const gql_document *doc, const char *name,
                            const gql_operation **out)
{
    gql_loc none = {0, 0};
    size_t count = 0;
    const gql_operation *named = NULL;
    for (const gql_operation *op = gql_document_operations(doc); op; op = op->next) {
        count++;
        if (name && op->name && !strcmp(op->name, name))
            named = op;
    }
    if (name) {
        if (!named)
            return vfail(v, none, "Unknown operation named \"%.64s\".", name);
        *out = named;
        return 0;
    }
    if (count > 1)
        return vfail(v, none, "Must provide operation name if query contains multiple operations.");
    *out = gql_document_operations(doc);
    return 0;
}

int gql_validate(const gql_document *doc, const char *operation_name, const nax__jv *variables,
                 const gql_operation **op, nax__jv **vars, gql_error *err)
{
    *op = NULL;
    *vars = NULL;
    vctx v;
    memset(&v, 0, sizeof v);
    v.err = err;
    const gql_operation *first = gql_document_operations(doc);
    int rc = 0;
    /* Document-wide rules: unique operation names, a lone anonymous one. */
    for (const gql_operation *a = first; !rc && a; a = a->next) {
        if (!a->name && (a != first || a->next))
            rc = vfail(&v, a->loc, "This anonymous operation must be the only defined operation.");
        for (const gql_operation *b = first; !rc && b != a; b = b->next)
            if (a->name && b->name && !strcmp(a->name, b->name))
                rc = vfail(&v, a->loc, "There can be only one operation named \"%s\".", a->name);
    }
    for (const gql_operation *a = first; !rc && a; a = a->next)
        rc = check_operation(&v, a);
    nax__free(v.used);
    if (!rc)
        rc = select_operation(&v, doc, operation_name, op);
    if (!rc)
        rc = gql_coerce_variables(*op, variables, vars, err);
    if (rc)
        *op = NULL;
    return rc;
}

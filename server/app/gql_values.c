/*
 * Input values (spec §6.1.2 and §3.10 input coercion): the request's JSON
 * variables checked and coerced against their declared types, and argument
 * literals turned into the same coerced JSON, so the executor reads one
 * representation whatever the client wrote.
 */
#include <stdio.h>
#include <string.h>

#include "app/gql_internal.h"
#include "core/core.h"

int gql_int_in_range(const char *text, size_t len, long long min, long long max)
{
    /* min < 0 <= max: the magnitude may reach -min for negatives. */
    size_t i = 0;
    int neg = len > 0 && text[0] == '-';
    if (neg)
        i++;
    if (i == len)
        return 0;
    unsigned long long limit = neg ? (unsigned long long)(-(min + 1)) + 1 : (unsigned long long)max;
    unsigned long long v = 0;
    for (; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return 0;
        unsigned d = (unsigned)(text[i] - '0');
        if (v > (limit - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    return 1;
}

/* ---- variables ---- */

typedef struct cctx {
    gql_error *err;
    const gql_var_def *def;
    char field[96]; /* the variable's name and the path inside its value */
} cctx;

static int cfail(cctx *c, const char *fmt, const char *detail)
{
    gql_error *e = c->err;
    memset(e, 0, sizeof(*e));
    e->code = GQL_BAD_USER_INPUT;
    e->loc = c->def->loc;
    char msg[160];
    snprintf(msg, sizeof msg, fmt, detail);
    snprintf(e->message, sizeof e->message,
             "Variable \"$%.40s\" got invalid value at \"%.80s\"; %s", c->def->name, c->field, msg);
    snprintf(e->field, sizeof e->field, "%s", c->field);
    return 1;
}

static int expected_type(cctx *c, const gql_type *type)
{
    char t[96];
    gql_type_format(t, sizeof t, type);
    return cfail(c, "expected a value of type \"%s\".", t);
}

static size_t push(cctx *c, const char *name)
{
    size_t n = strlen(c->field);
    snprintf(c->field + n, sizeof c->field - n, ".%s", name);
    return n;
}

static int coerce_json(cctx *c, const nax__jv *in, const gql_type *type, nax__jv **out);

static int coerce_input_object(cctx *c, const nax__jv *in, const gql_type *type,
                               const gql_schema_type *st, nax__jv **out)
{
    if (in->kind != NAX__JV_OBJECT)
        return expected_type(c, type);
    nax__jv *obj = nax__jv_new(NAX__JV_OBJECT, NULL, 0);
    if (!obj)
        return NAX_ENOMEM;
    int rc = 0;
    for (size_t i = 0; !rc && i < in->count; i++) {
        const nax__jv *m = in->items[i];
        const gql_schema_field *sf =
            strlen(m->key) == m->key_len ? gql_schema_field_of(st, m->key) : NULL;
        size_t mark = push(c, m->key);
        if (!sf) {
            rc = cfail(c, "field \"%s\" is not defined by the input type.", m->key);
            break;
        }
        nax__jv *x = NULL;
        rc = coerce_json(c, m, sf->type, &x);
        if (!rc)
            rc = nax__jv_add(obj, sf->name, x);
        if (!rc)
            c->field[mark] = '\0';
    }
    for (const gql_schema_field *sf = st->fields; !rc && sf->name; sf++)
        if (sf->type->non_null && !nax__jv_get(in, sf->name)) {
            push(c, sf->name);
            rc = expected_type(c, sf->type);
        }
    if (rc)
        nax__jv_free(obj);
    else
        *out = obj;
    return rc;
}

static int coerce_scalar(cctx *c, const nax__jv *in, const gql_type *type, const char *name,
                         nax__jv **out)
{
    int ok = 0;
    if (!strcmp(name, "String"))
        ok = in->kind == NAX__JV_STRING;
    else if (!strcmp(name, "Boolean"))
        ok = in->kind == NAX__JV_BOOL;
    else if (!strcmp(name, "Int"))
        ok = in->kind == NAX__JV_NUMBER &&
             gql_int_in_range(in->text, in->len, -2147483648LL, 2147483647LL);
    else if (!strcmp(name, "Float"))
        ok = in->kind == NAX__JV_NUMBER;
    else if (!strcmp(name, "Timestamp"))
        ok = in->kind == NAX__JV_NUMBER &&
             gql_int_in_range(in->text, in->len, -9223372036854775807LL - 1, 9223372036854775807LL);
    else if (!strcmp(name, "ID")) {
        if (in->kind == NAX__JV_NUMBER &&
            gql_int_in_range(in->text, in->len, -9223372036854775807LL - 1,
                             9223372036854775807LL)) {
            *out = nax__jv_new(NAX__JV_STRING, in->text, in->len);
            return *out ? 0 : NAX_ENOMEM;
        }
        ok = in->kind == NAX__JV_STRING;
    }
    if (!ok)
        return expected_type(c, type);
    *out = nax__jv_copy(in);
    return *out ? 0 : NAX_ENOMEM;
}

static int coerce_json(cctx *c, const nax__jv *in, const gql_type *type, nax__jv **out)
{
    *out = NULL;
    if (in->kind == NAX__JV_NULL) {
        if (type->non_null)
            return expected_type(c, type);
        *out = nax__jv_new(NAX__JV_NULL, NULL, 0);
        return *out ? 0 : NAX_ENOMEM;
    }
    if (!type->name) {
        nax__jv *list = nax__jv_new(NAX__JV_ARRAY, NULL, 0);
        if (!list)
            return NAX_ENOMEM;
        int rc = 0;
        if (in->kind == NAX__JV_ARRAY) {
            for (size_t i = 0; !rc && i < in->count; i++) {
                char index[24];
                snprintf(index, sizeof index, "%zu", i);
                size_t mark = push(c, index);
                nax__jv *x = NULL;
                rc = coerce_json(c, in->items[i], type->of, &x);
                if (!rc)
                    rc = nax__jv_add(list, NULL, x);
                if (!rc)
                    c->field[mark] = '\0';
            }
        } else { /* one value where a list goes: a list of one */
            nax__jv *x = NULL;
            rc = coerce_json(c, in, type->of, &x);
            if (!rc)
                rc = nax__jv_add(list, NULL, x);
        }
        if (rc)
            nax__jv_free(list);
        else
            *out = list;
        return rc;
    }
    const gql_schema_type *st = gql_schema_type_named(type->name);
    switch (st->kind) {
    case GQL_SCALAR: return coerce_scalar(c, in, type, st->name, out);
    case GQL_ENUM:
        if (in->kind == NAX__JV_STRING)
            for (const char *const *e = st->enum_values; *e; e++)
                if (strlen(*e) == in->len && !strcmp(*e, in->text)) {
                    *out = nax__jv_copy(in);
                    return *out ? 0 : NAX_ENOMEM;
                }
        return expected_type(c, type);
    case GQL_INPUT: return coerce_input_object(c, in, type, st, out);
    case GQL_OBJECT: break;
    }
    return expected_type(c, type);
}

int gql_coerce_variables(const gql_operation *op, const nax__jv *values, nax__jv **out,
                         gql_error *err)
{
    *out = NULL;
    nax__jv *vars = nax__jv_new(NAX__JV_OBJECT, NULL, 0);
    if (!vars)
        return NAX_ENOMEM;
    int rc = 0;
    for (const gql_var_def *d = op->vars; !rc && d; d = d->next) {
        cctx c;
        memset(&c, 0, sizeof c);
        c.err = err;
        c.def = d;
        snprintf(c.field, sizeof c.field, "%s", d->name);
        const nax__jv *given = nax__jv_get(values, d->name);
        nax__jv *x = NULL;
        if (given) {
            rc = coerce_json(&c, given, d->type, &x);
        } else if (d->default_value) {
            rc = gql_value_to_json(d->default_value, d->type, NULL, &x);
        } else if (d->type->non_null) {
            char t[96];
            gql_type_format(t, sizeof t, d->type);
            memset(err, 0, sizeof(*err));
            err->code = GQL_BAD_USER_INPUT;
            err->loc = d->loc;
            snprintf(err->message, sizeof err->message,
                     "Variable \"$%s\" of required type \"%s\" was not provided.", d->name, t);
            snprintf(err->field, sizeof err->field, "%s", d->name);
            rc = 1;
        }
        if (!rc && x)
            rc = nax__jv_add(vars, d->name, x);
    }
    if (rc) {
        nax__jv_free(vars);
        return rc;
    }
    *out = vars;
    return 0;
}

/* ---- argument literals ---- */

int gql_value_to_json(const gql_value *val, const gql_type *type, const nax__jv *vars,
                      nax__jv **out)
{
    *out = NULL;
    if (val->kind == GQL_V_VARIABLE) {
        const nax__jv *v = nax__jv_get(vars, val->text);
        if (!v)
            return 0; /* unset: the place keeps no value */
        *out = nax__jv_copy(v);
        return *out ? 0 : NAX_ENOMEM;
    }
    if (!type->name && val->kind != GQL_V_NULL) {
        nax__jv *list = nax__jv_new(NAX__JV_ARRAY, NULL, 0);
        if (!list)
            return NAX_ENOMEM;
        int rc = 0;
        if (val->kind == GQL_V_LIST) {
            for (const gql_value *item = val->items; !rc && item; item = item->next) {
                nax__jv *x = NULL;
                rc = gql_value_to_json(item, type->of, vars, &x);
                /* An unset variable in a list is null. */
                if (!rc)
                    rc = nax__jv_add(list, NULL, x ? x : nax__jv_new(NAX__JV_NULL, NULL, 0));
            }
        } else {
            nax__jv *x = NULL;
            rc = gql_value_to_json(val, type->of, vars, &x);
            if (!rc && x)
                rc = nax__jv_add(list, NULL, x);
        }
        if (rc)
            nax__jv_free(list);
        else
            *out = list;
        return rc;
    }
    nax__jv *v = NULL;
    switch (val->kind) {
    case GQL_V_NULL: v = nax__jv_new(NAX__JV_NULL, NULL, 0); break;
    case GQL_V_BOOLEAN:
        v = nax__jv_new(NAX__JV_BOOL, NULL, 0);
        if (v)
            v->boolean = val->boolean;
        break;
    case GQL_V_INT:
        v = nax__jv_new(!strcmp(gql_type_base(type), "ID") ? NAX__JV_STRING : NAX__JV_NUMBER,
                        val->text, val->len);
        break;
    case GQL_V_FLOAT: v = nax__jv_new(NAX__JV_NUMBER, val->text, val->len); break;
    case GQL_V_STRING:
    case GQL_V_ENUM: v = nax__jv_new(NAX__JV_STRING, val->text, val->len); break;
    case GQL_V_OBJECT: {
        const gql_schema_type *st = gql_schema_type_named(gql_type_base(type));
        v = nax__jv_new(NAX__JV_OBJECT, NULL, 0);
        for (const gql_arg *f = val->fields; v && f; f = f->next) {
            const gql_schema_field *sf = st ? gql_schema_field_of(st, f->name) : NULL;
            nax__jv *x = NULL;
            int rc = sf ? gql_value_to_json(f->value, sf->type, vars, &x) : 0;
            if (!rc && x)
                rc = nax__jv_add(v, f->name, x);
            if (rc) {
                nax__jv_free(v);
                return rc;
            }
        }
        break;
    }
    case GQL_V_LIST:
    case GQL_V_VARIABLE: break;
    }
    if (!v)
        return NAX_ENOMEM;
    *out = v;
    return 0;
}

/* Grouping a selection's fields by response key, so that `a: f` twice (or
 * `balances {asset}` and `balances {total}`) answer once, merged. */
#include <string.h>

#include "app/gql_internal.h"
#include "core/core.h"

int gql_collect(gql_collected *out, const gql_field *const *sets, size_t nsets)
{
    memset(out, 0, sizeof(*out));
    size_t total = 0;
    for (size_t s = 0; s < nsets; s++)
        for (const gql_field *f = sets[s]; f; f = f->next)
            total++;
    if (!total)
        return 0;
    size_t *group_of = nax__calloc(total, sizeof(*group_of));
    out->groups = nax__calloc(total, sizeof(*out->groups));
    out->all = nax__calloc(total, sizeof(*out->all));
    if (!group_of || !out->groups || !out->all) {
        nax__free(group_of);
        gql_collected_free(out);
        return NAX_ENOMEM;
    }
    /* First pass: each field's group, and the groups' sizes. */
    size_t i = 0;
    for (size_t s = 0; s < nsets; s++) {
        for (const gql_field *f = sets[s]; f; f = f->next, i++) {
            const char *key = gql_response_key(f);
            size_t g = 0;
            while (g < out->count && strcmp(out->groups[g].key, key) != 0)
                g++;
            if (g == out->count)
                out->groups[out->count++].key = key;
            out->groups[g].count++;
            group_of[i] = g;
        }
    }
    /* Second pass: each group's fields, in document order, side by side. */
    size_t at = 0;
    for (size_t g = 0; g < out->count; g++) {
        out->groups[g].fields = out->all + at;
        at += out->groups[g].count;
        out->groups[g].count = 0;
    }
    i = 0;
    for (size_t s = 0; s < nsets; s++)
        for (const gql_field *f = sets[s]; f; f = f->next, i++) {
            gql_group *g = &out->groups[group_of[i]];
            g->fields[g->count++] = f;
        }
    nax__free(group_of);
    return 0;
}

void gql_collected_free(gql_collected *c)
{
    nax__free(c->groups);
    nax__free(c->all);
    memset(c, 0, sizeof(*c));
}

const gql_field **gql_group_subsets(const gql_group *g)
{
    const gql_field **sets = nax__calloc(g->count ? g->count : 1, sizeof(*sets));
    if (sets)
        for (size_t i = 0; i < g->count; i++)
            sets[i] = g->fields[i]->selections;
    return sets;
}

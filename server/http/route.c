/* Routing: patterns are "/"-separated segments, "{name}" matching any one
 * non-empty segment. Among the routes of the request's method that match,
 * the one with the most literal segments wins ("/v1/orders/open" beats
 * "/v1/orders/{id}"), then table order. */
#include <string.h>

#include "internal.h"

const char *naxd__method_name(naxd_method m)
{
    switch (m) {
    case NAXD_GET: return "GET";
    case NAXD_POST: return "POST";
    case NAXD_PUT: return "PUT";
    case NAXD_DELETE: return "DELETE";
    case NAXD_PATCH: return "PATCH";
    default: return "OTHER";
    }
}

/* Length of the segment starting at s (up to '/' or the end). */
static size_t segment_len(const char *s)
{
    const char *slash = strchr(s, '/');
    return slash ? (size_t)(slash - s) : strlen(s);
}

static int is_param(const char *seg, size_t len)
{
    return len >= 3 && seg[0] == '{' && seg[len - 1] == '}';
}

/* Does path match pattern? Returns the number of literal segments + 1 on a
 * match (so a match is never 0), 0 otherwise. */
static int match(const char *pattern, const char *path)
{
    int literals = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return 0;
        p++;
        s++;
        size_t pl = segment_len(p), sl = segment_len(s);
        if (is_param(p, pl)) {
            if (sl == 0)
                return 0;
        } else {
            if (pl != sl || memcmp(p, s, pl) != 0)
                return 0;
            literals++;
        }
        p += pl;
        s += sl;
    }
    return (*p || *s) ? 0 : literals + 1;
}

/* Records the {name} values of pattern from path (known to match). */
static int bind_params(naxd_req *r, const char *pattern, const char *path)
{
    size_t n = 0;
    for (const char *p = pattern; *p; p++)
        if (*p == '{')
            n++;
    if (!n)
        return 0;
    r->params = naxd__arena_alloc(r, sizeof(naxd_kv) * n);
    if (!r->params)
        return NAX_ENOMEM;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        p++;
        s++;
        size_t pl = segment_len(p), sl = segment_len(s);
        if (is_param(p, pl)) {
            const char *name = naxd__arena_strndup(r, p + 1, pl - 2);
            const char *value = naxd__arena_strndup(r, s, sl);
            if (!name || !value)
                return NAX_ENOMEM;
            r->params[r->nparams].name = name;
            r->params[r->nparams].value = value;
            r->nparams++;
        }
        p += pl;
        s += sl;
    }
    return 0;
}

static void allow_add(char *allow, size_t size, naxd_method m)
{
    const char *name = naxd__method_name(m);
    size_t nlen = strlen(name), len = strlen(allow);
    /* Already listed? Names are distinct and comma-separated. */
    for (const char *p = allow; (p = strstr(p, name)) != NULL; p += nlen)
        if ((p == allow || p[-1] == ' ') && (p[nlen] == ',' || p[nlen] == '\0'))
            return;
    if (len + nlen + 3 > size)
        return;
    if (len)
        memcpy(allow + len, ", ", 2), len += 2;
    memcpy(allow + len, name, nlen + 1);
}

const naxd_route *naxd__route_match(naxd_req *r, int *path_matched, char *allow, size_t allow_size,
                                    int *err)
{
    const naxd_route *best = NULL;
    int best_score = 0;
    *path_matched = 0;
    *err = 0;
    if (allow_size)
        allow[0] = '\0';
    for (size_t i = 0; i < r->h->nroutes; i++) {
        const naxd_route *route = &r->h->routes[i];
        if (!route->pattern)
            continue;
        int score = match(route->pattern, r->path);
        if (!score)
            continue;
        *path_matched = 1;
        allow_add(allow, allow_size, route->method);
        if (route->method == r->method && score > best_score) {
            best = route;
            best_score = score;
        }
    }
    if (best)
        *err = bind_params(r, best->pattern, r->path);
    return best;
}

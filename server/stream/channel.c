/* Channels and subscriptions: each channel indexes its subscribers so a
 * publish visits only them; each connection lists its own subscriptions. */
#include <string.h>

#include "internal.h"

int naxd__chan_init(naxd__chan *ch, naxd__kind kind, const char *name, naxd__pair *p, naxd__user *u)
{
    memset(ch, 0, sizeof(*ch));
    ch->kind = kind;
    ch->pair = p;
    ch->user = u;
    ch->seq = 1; /* trades and private channels start at 1 */
    ch->name = nax__strdup(name);
    return ch->name ? 0 : nax__error_oom();
}

void naxd__chan_dispose(naxd__chan *ch)
{
    /* subscriptions are owned by their connections, which are gone by now */
    nax__free(ch->subs);
    nax__free(ch->name);
    memset(ch, 0, sizeof(*ch));
}

naxd__sub *naxd__conn_sub(const naxd__conn *c, const naxd__chan *ch)
{
    for (size_t i = 0; i < c->nsubs; i++)
        if (c->subs[i]->chan == ch)
            return c->subs[i];
    return NULL;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 8;
    while (n < need)
        n *= 2;
    void *p = nax__realloc(*arr, n * elem);
    if (!p)
        return nax__error_oom();
    *arr = p;
    *cap = n;
    return 0;
}

naxd__sub *naxd__sub_add(naxd__conn *c, naxd__chan *ch)
{
    if (grow((void **)&c->subs, &c->subs_cap, c->nsubs + 1, sizeof(*c->subs)) ||
        grow((void **)&ch->subs, &ch->subs_cap, ch->nsubs + 1, sizeof(*ch->subs)))
        return NULL;
    naxd__sub *sub = nax__calloc(1, sizeof(*sub));
    if (!sub)
        return NULL;
    sub->chan = ch;
    sub->conn = c;
    sub->pos = ch->nsubs;
    ch->subs[ch->nsubs++] = sub;
    c->subs[c->nsubs++] = sub;
    return sub;
}

void naxd__sub_remove(naxd__sub *sub)
{
    naxd__chan *ch = sub->chan;
    naxd__conn *c = sub->conn;
    /* swap-remove from the channel's index */
    naxd__sub *last = ch->subs[--ch->nsubs];
    ch->subs[sub->pos] = last;
    last->pos = sub->pos;
    for (size_t i = 0; i < c->nsubs; i++)
        if (c->subs[i] == sub) {
            c->subs[i] = c->subs[--c->nsubs];
            break;
        }
    if (sub->resnap)
        c->resnaps--;
    nax__free(sub);
}

void naxd__chan_publish(naxd__chan *ch, naxd__msg *m)
{
    m->refs++; /* hold it while subscribers may close and unsubscribe */
    for (size_t i = 0; i < ch->nsubs; i++) {
        naxd__sub *sub = ch->subs[i];
        if (sub->resnap || sub->await_initial)
            continue;
        naxd__conn_push(sub->conn, m);
    }
    naxd__msg_unref(m);
}

/*
 * nax_pager: walks every item of a paginated list, one page in memory at a
 * time, following next_cursor. A failed fetch leaves the pager where it was,
 * so calling again asks for the same page.
 */
#include <string.h>

#include "api/api_internal.h"

struct nax_pager {
    nax_client *client;
    nax_list_kind kind;
    nax_list_query query; /* strings below are owned copies */
    char *pair, *client_order_id, *asset;
    char *cursor; /* of the page to fetch next; NULL: the first */
    void *page;   /* the current page, or NULL */
    size_t index; /* next item of the page */
    int done;
};

/* The items, count and next cursor of a page of the pager's kind. */
typedef struct page_view {
    const void *const *items;
    size_t count;
    const char *next_cursor;
} page_view;

static page_view view_of(nax_list_kind kind, const void *page)
{
    page_view v = {NULL, 0, NULL};
    switch (kind) {
    case NAX_LIST_ORDERS: {
        const nax_order_list *l = page;
        v = (page_view){(const void *const *)l->orders, l->orders_count, l->next_cursor};
        break;
    }
    case NAX_LIST_FILLS: {
        const nax_fill_list *l = page;
        v = (page_view){(const void *const *)l->fills, l->fills_count, l->next_cursor};
        break;
    }
    case NAX_LIST_WALLET_TXS: {
        const nax_wallet_tx_list *l = page;
        v = (page_view){(const void *const *)l->transactions, l->transactions_count,
                        l->next_cursor};
        break;
    }
    case NAX_LIST_FIAT_TXS: {
        const nax_fiat_tx_list *l = page;
        v = (page_view){(const void *const *)l->transactions, l->transactions_count,
                        l->next_cursor};
        break;
    }
    }
    return v;
}

/* *dst = a copy of src (NULL stays NULL). */
static int dup_opt(char **dst, const char *src)
{
    *dst = NULL;
    if (src && !(*dst = nax__strdup(src)))
        return nax__error_oom();
    return 0;
}

int nax_pager_new(nax_pager **out, nax_client *client, nax_list_kind kind,
                  const nax_list_query *query)
{
    int rc = nax__api_need(out, "out");
    if (rc)
        return rc;
    *out = NULL;
    rc = nax__api_need(client, "client");
    if (!rc)
        rc = nax__api_list_check(kind, query);
    if (rc)
        return rc;
    nax_pager *p = nax__calloc(1, sizeof(*p));
    if (!p)
        return nax__error_oom();
    p->client = client;
    p->kind = kind;
    nax_list_query init = NAX_LIST_QUERY_INIT;
    p->query = query ? *query : init;
    p->query.struct_size = sizeof p->query;
    rc = dup_opt(&p->pair, p->query.pair);
    if (!rc)
        rc = dup_opt(&p->client_order_id, p->query.client_order_id);
    if (!rc)
        rc = dup_opt(&p->asset, p->query.asset);
    if (!rc)
        rc = dup_opt(&p->cursor, p->query.cursor);
    if (rc) {
        nax_pager_free(p);
        return rc;
    }
    p->query.pair = p->pair;
    p->query.client_order_id = p->client_order_id;
    p->query.asset = p->asset;
    *out = p;
    return 0;
}

/* The current page is used up: remember where the next one starts. */
static int leave_page(nax_pager *p)
{
    page_view v = view_of(p->kind, p->page);
    if (!v.next_cursor || (v.count == 0 && p->cursor && !strcmp(v.next_cursor, p->cursor))) {
        p->done = 1; /* the last page (or a server that would loop forever) */
    } else {
        char *next = nax__strdup(v.next_cursor);
        if (!next)
            return nax__error_oom(); /* nothing changed: calling again retries */
        nax__free(p->cursor);
        p->cursor = next;
    }
    nax_object_free(p->page);
    p->page = NULL;
    p->index = 0;
    return 0;
}

int nax_pager_next(nax_pager *p, const void **item)
{
    if (item)
        *item = NULL;
    int rc = nax__api_need(p, "pager");
    if (!rc)
        rc = nax__api_need(item, "item");
    if (rc)
        return rc;
    for (;;) {
        if (p->page) {
            page_view v = view_of(p->kind, p->page);
            if (p->index < v.count) {
                *item = v.items[p->index++];
                return 1;
            }
            rc = leave_page(p);
            if (rc)
                return rc;
        }
        if (p->done)
            return 0;
        p->query.cursor = p->cursor;
        void *page = NULL;
        rc = nax__api_list(p->client, p->kind, &p->query, &page);
        if (rc)
            return rc;
        p->page = page;
        p->index = 0;
    }
}

void nax_pager_free(nax_pager *p)
{
    if (!p)
        return;
    nax_object_free(p->page);
    nax__free(p->pair);
    nax__free(p->client_order_id);
    nax__free(p->asset);
    nax__free(p->cursor);
    nax__free(p);
}

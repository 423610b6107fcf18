/*
 * The four paginated lists, described once: which path, group and result
 * type each has and which nax_list_query members it takes. The list calls
 * and nax_pager both read this table, so they cannot disagree.
 */
#include "api/api_internal.h"

typedef struct list_spec {
    const char *path; /* also the route: lists have no path parameters */
    nax_endpoint_group group;
    nax_type type;
    unsigned int allowed;    /* NAX__Q_* members the endpoint takes */
    const char *asset_param; /* the query name of the asset member */
} list_spec;

#define TX_FILTERS (NAX__Q_ASSET | NAX__Q_TYPE | NAX__Q_FROM | NAX__Q_TO)
#define PAGING     (NAX__Q_LIMIT | NAX__Q_CURSOR)

static const list_spec lists[] = {
    [NAX_LIST_ORDERS] = {"/v1/orders", NAX_GROUP_TRADING, NAX_TYPE_ORDER_LIST,
                         NAX__Q_PAIR | NAX__Q_STATUS | NAX__Q_SIDE | NAX__Q_CLIENT_ORDER_ID |
                             PAGING,
                         "asset"},
    [NAX_LIST_FILLS] = {"/v1/trades/history", NAX_GROUP_TRADING, NAX_TYPE_FILL_LIST,
                        NAX__Q_PAIR | PAGING, "asset"},
    [NAX_LIST_WALLET_TXS] = {"/v1/wallets/transactions", NAX_GROUP_FUNDS, NAX_TYPE_WALLET_TX_LIST,
                             TX_FILTERS | PAGING, "asset"},
    [NAX_LIST_FIAT_TXS] = {"/v1/fiat/transactions", NAX_GROUP_FUNDS, NAX_TYPE_FIAT_TX_LIST,
                           TX_FILTERS | PAGING, "currency"},
};

static const list_spec *spec_of(nax_list_kind kind)
{
    if ((int)kind < NAX_LIST_ORDERS || (int)kind > NAX_LIST_FIAT_TXS) {
        nax__error_field(NAX_EINVAL, "kind", "unknown list kind %d", (int)kind);
        return NULL;
    }
    return &lists[kind];
}

static int build(nax_buf *target, const list_spec *s, const nax_list_query *q)
{
    return nax__api_list_target(target, s->path, q, s->allowed, s->asset_param);
}

int nax__api_list_check(nax_list_kind kind, const nax_list_query *q)
{
    const list_spec *s = spec_of(kind);
    if (!s)
        return NAX_EINVAL;
    nax_buf target = NAX_BUF_INIT;
    int rc = build(&target, s, q);
    nax_buf_dispose(&target);
    return rc;
}

int nax__api_list(nax_client *client, nax_list_kind kind, const nax_list_query *q, void *out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(out, "out");
    const list_spec *s = rc ? NULL : spec_of(kind);
    if (!s)
        return rc ? rc : NAX_EINVAL;
    nax_buf target = NAX_BUF_INIT;
    rc = build(&target, s, q);
    return nax__api_send(client, rc, &target, "GET", s->path, s->group, NAX__AUTH_USER, s->type,
                         out);
}

int nax_orders_list(nax_client *client, const nax_list_query *query, nax_order_list **out)
{
    return nax__api_list(client, NAX_LIST_ORDERS, query, out);
}

int nax_trades_history(nax_client *client, const nax_list_query *query, nax_fill_list **out)
{
    return nax__api_list(client, NAX_LIST_FILLS, query, out);
}

int nax_wallets_transactions(nax_client *client, const nax_list_query *query,
                             nax_wallet_tx_list **out)
{
    return nax__api_list(client, NAX_LIST_WALLET_TXS, query, out);
}

int nax_fiat_transactions(nax_client *client, const nax_list_query *query, nax_fiat_tx_list **out)
{
    return nax__api_list(client, NAX_LIST_FIAT_TXS, query, out);
}

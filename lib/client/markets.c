/*
 * The market-rules cache behind nax_orders_place()'s local checks: a copy
 * of GET /v1/markets, refreshed when older than MARKETS_TTL_MS.
 */
#include <string.h>

#include "client/client_impl.h"
#include "core/core.h"
#include "nax/codec.h"

#define MARKETS_TTL_MS (5u * 60u * 1000u)

/* Encode and decode: the simplest exact deep copy of a codec object. */
static int copy_object(void *out, nax_type type, const void *obj)
{
    nax_buf buf = NAX_BUF_INIT;
    int rc = nax_encode(&buf, type, obj);
    if (!rc)
        rc = nax_decode(out, type, buf.data, buf.len, NULL);
    nax_buf_dispose(&buf);
    return rc;
}

int nax__client_cache_markets(nax_client *c, const nax_market_list *list)
{
    nax_market_list *copy = NULL;
    int rc = copy_object(&copy, NAX_TYPE_MARKET_LIST, list);
    if (rc)
        return rc;
    pthread_mutex_lock(&c->markets_lock);
    nax_market_list *old = c->markets;
    c->markets = copy;
    c->markets_fetched = nax__client_now_ms(c);
    pthread_mutex_unlock(&c->markets_lock);
    nax_object_free(old);
    return 0;
}

/* 1 found (copied to *out), 0 not in the cache or the cache is stale, <0 error. */
static int lookup(nax_client *c, const char *pair, nax_market **out, int allow_stale)
{
    int rc = 0;
    pthread_mutex_lock(&c->markets_lock);
    const nax_market_list *l = c->markets;
    int usable = l && (allow_stale || nax__client_now_ms(c) - c->markets_fetched < MARKETS_TTL_MS);
    for (size_t i = 0; usable && i < l->markets_count; i++) {
        if (!strcmp(l->markets[i]->pair, pair)) {
            rc = copy_object(out, NAX_TYPE_MARKET, l->markets[i]);
            rc = rc ? rc : 1;
            break;
        }
    }
    pthread_mutex_unlock(&c->markets_lock);
    return rc;
}

int nax__client_market(nax_client *c, const char *pair, nax_market **out)
{
    *out = NULL;
    int rc = lookup(c, pair, out, 0);
    if (rc)
        return rc < 0 ? rc : 0;
    nax_market_list *list = NULL;
    nax__call call = {0};
    call.method = "GET";
    call.route = "/v1/markets";
    call.target = "/v1/markets";
    call.group = NAX_GROUP_MARKET_DATA;
    call.auth = NAX__AUTH_NONE;
    call.response_type = NAX_TYPE_MARKET_LIST;
    call.response = &list;
    rc = nax__client_call(c, &call);
    if (!rc)
        rc = nax__client_cache_markets(c, list);
    nax_object_free(list);
    if (rc)
        return rc;
    rc = lookup(c, pair, out, 1);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return nax__error_field(NAX_ENOTFOUND, "pair", "the server has no market %s", pair);
    return 0;
}

/*
 * Public market data: markets and their rules (cached for order checks),
 * ticker, order book, recent trades, the server clock and health.
 */
#include "api/api_internal.h"

int nax_markets_list(nax_client *client, nax_market_list **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(out, "out");
    if (rc)
        return rc;
    nax__call call =
        nax__api_call("GET", "/v1/markets", "/v1/markets", NAX_GROUP_MARKET_DATA, NAX__AUTH_NONE);
    call.response_type = NAX_TYPE_MARKET_LIST;
    call.response = out;
    rc = nax__client_call(client, &call);
    if (!rc)
        rc = nax__client_cache_markets(client, *out);
    if (rc) {
        nax_object_free(*out);
        *out = NULL;
    }
    return rc;
}

int nax_markets_get(nax_client *client, const char *pair, nax_market **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(out, "out");
    if (!rc)
        rc = nax__api_need_str(pair, "pair");
    return rc ? rc : nax__client_market(client, pair, out);
}

/* GET /v1/markets/{pair}/<what>[?<param>=<value>] into `out` of `type`. */
static int market_get(nax_client *client, const char *pair, const char *what, const char *route,
                      const char *param, unsigned int value, nax_type type, void *out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(out, "out");
    if (!rc)
        rc = nax__api_need_segment(pair, "pair");
    if (!rc && value > 1000)
        rc = nax__error_field(NAX_EINVAL, param, "%s %u is out of range 1..1000", param, value);
    if (rc)
        return rc;
    nax_buf target = NAX_BUF_INIT;
    rc = nax__api_path(&target, "/v1/markets/", pair, "pair", what);
    if (!rc && value)
        rc = nax__api_query_i64(&target, param, (int64_t)value);
    rc = nax__api_send(client, rc, &target, "GET", route, NAX_GROUP_MARKET_DATA, NAX__AUTH_NONE,
                       type, out);
    return rc;
}

int nax_markets_ticker(nax_client *client, const char *pair, nax_ticker **out)
{
    return market_get(client, pair, "/ticker", "/v1/markets/{pair}/ticker", NULL, 0,
                      NAX_TYPE_TICKER, out);
}

int nax_markets_orderbook(nax_client *client, const char *pair, unsigned int depth,
                          nax_order_book **out)
{
    return market_get(client, pair, "/orderbook", "/v1/markets/{pair}/orderbook", "depth", depth,
                      NAX_TYPE_ORDER_BOOK, out);
}

int nax_markets_trades(nax_client *client, const char *pair, unsigned int limit,
                       nax_trade_list **out)
{
    return market_get(client, pair, "/trades", "/v1/markets/{pair}/trades", "limit", limit,
                      NAX_TYPE_TRADE_LIST, out);
}

int nax_markets_time(nax_client *client, nax_server_time **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(out, "out");
    if (rc)
        return rc;
    nax__call call =
        nax__api_call("GET", "/v1/time", "/v1/time", NAX_GROUP_MARKET_DATA, NAX__AUTH_NONE);
    call.response_type = NAX_TYPE_SERVER_TIME;
    call.response = out;
    return nax__client_call(client, &call);
}

int nax_health_get(nax_client *client, nax_health **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(out, "out");
    if (rc)
        return rc;
    /* A 503 carries a Health body too, but it is an error: the pipeline says so. */
    nax__call call =
        nax__api_call("GET", "/health", "/health", NAX_GROUP_MARKET_DATA, NAX__AUTH_NONE);
    call.response_type = NAX_TYPE_HEALTH;
    call.response = out;
    return nax__client_call(client, &call);
}

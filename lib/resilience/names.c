/* Names of breaker states and endpoint groups, for logs and metrics labels. */
#include "resilience.h"

const char *nax_breaker_state_name(nax_breaker_state state)
{
    switch (state) {
    case NAX_BREAKER_CLOSED: return "closed";
    case NAX_BREAKER_OPEN: return "open";
    case NAX_BREAKER_HALF_OPEN: return "half_open";
    }
    return "unknown";
}

const char *nax_endpoint_group_name(nax_endpoint_group group)
{
    switch (group) {
    case NAX_GROUP_AUTH: return "auth";
    case NAX_GROUP_MARKET_DATA: return "market_data";
    case NAX_GROUP_TRADING: return "trading";
    case NAX_GROUP_FUNDS: return "funds";
    }
    return "unknown";
}

/*
 * Crypto wallets: balances, deposit addresses, withdrawals and their history.
 */
#include "api/api_internal.h"

int nax_wallets_balances(nax_client *client, nax_balance_list **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(out, "out");
    if (rc)
        return rc;
    nax__call call = nax__api_call("GET", "/v1/wallets/balances", "/v1/wallets/balances",
                                   NAX_GROUP_FUNDS, NAX__AUTH_USER);
    call.response_type = NAX_TYPE_BALANCE_LIST;
    call.response = out;
    return nax__client_call(client, &call);
}

int nax_wallets_deposit_address(nax_client *client, const nax_deposit_address_request *request,
                                nax_deposit_address **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(out, "out");
    if (!rc)
        rc = nax__api_need(request, "request");
    if (!rc)
        rc = nax__api_need_str(request->asset, "asset");
    if (rc)
        return rc;
    nax__call call = nax__api_call("POST", "/v1/wallets/deposit-address",
                                   "/v1/wallets/deposit-address", NAX_GROUP_FUNDS, NAX__AUTH_USER);
    call.request_type = NAX_TYPE_DEPOSIT_ADDRESS_REQUEST;
    call.request = request;
    call.response_type = NAX_TYPE_DEPOSIT_ADDRESS;
    call.response = out;
    return nax__client_call(client, &call);
}

int nax_wallets_withdraw(nax_client *client, const nax_withdraw_request *request,
                         nax_wallet_tx **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(request, "request");
    if (!rc)
        rc = nax__api_need_str(request->asset, "asset");
    if (!rc)
        rc = nax__api_need_str(request->address, "address");
    if (rc)
        return rc;
    nax__call call = nax__api_call("POST", "/v1/wallets/withdraw", "/v1/wallets/withdraw",
                                   NAX_GROUP_FUNDS, NAX__AUTH_USER);
    call.request_type = NAX_TYPE_WITHDRAW_REQUEST;
    call.request = request;
    call.response_type = NAX_TYPE_WALLET_TX;
    call.response = out;
    return nax__client_call(client, &call);
}

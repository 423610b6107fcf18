/*
 * Fiat: deposits (completed by the payment provider), withdrawals to a bank
 * account, and their history.
 */
#include "api/api_internal.h"

int nax_fiat_deposit(nax_client *client, const nax_fiat_deposit_request *request, nax_fiat_tx **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(out, "out");
    if (!rc)
        rc = nax__api_need(request, "request");
    if (!rc)
        rc = nax__api_need_str(request->currency, "currency");
    if (rc)
        return rc;
    nax__call call = nax__api_call("POST", "/v1/fiat/deposit", "/v1/fiat/deposit", NAX_GROUP_FUNDS,
                                   NAX__AUTH_USER);
    call.request_type = NAX_TYPE_FIAT_DEPOSIT_REQUEST;
    call.request = request;
    call.response_type = NAX_TYPE_FIAT_TX;
    call.response = out;
    return nax__client_call(client, &call);
}

int nax_fiat_withdraw(nax_client *client, const nax_fiat_withdraw_request *request,
                      nax_fiat_tx **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(request, "request");
    if (!rc)
        rc = nax__api_need_str(request->currency, "currency");
    if (!rc)
        rc = nax__api_need_str(request->account_name, "account_name");
    if (!rc)
        rc = nax__api_need_str(request->account_number, "account_number");
    if (!rc)
        rc = nax__api_need_str(request->bank_code, "bank_code");
    if (rc)
        return rc;
    nax__call call = nax__api_call("POST", "/v1/fiat/withdraw", "/v1/fiat/withdraw",
                                   NAX_GROUP_FUNDS, NAX__AUTH_USER);
    call.request_type = NAX_TYPE_FIAT_WITHDRAW_REQUEST;
    call.request = request;
    call.response_type = NAX_TYPE_FIAT_TX;
    call.response = out;
    return nax__client_call(client, &call);
}

/*
 * User endpoints: the profile and identity verification (KYC).
 */
#include "api/api_internal.h"

int nax_users_profile(nax_client *client, nax_profile **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(out, "out");
    if (rc)
        return rc;
    nax__call call = nax__api_call("GET", "/v1/users/profile", "/v1/users/profile", NAX_GROUP_AUTH,
                                   NAX__AUTH_USER);
    call.response_type = NAX_TYPE_PROFILE;
    call.response = out;
    return nax__client_call(client, &call);
}

int nax_users_profile_update(nax_client *client, const nax_profile_update *update,
                             nax_profile **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(update, "update");
    if (rc)
        return rc;
    nax__call call = nax__api_call("PUT", "/v1/users/profile", "/v1/users/profile", NAX_GROUP_AUTH,
                                   NAX__AUTH_USER);
    call.request_type = NAX_TYPE_PROFILE_UPDATE;
    call.request = update;
    call.response_type = NAX_TYPE_PROFILE;
    call.response = out;
    return nax__client_call(client, &call);
}

int nax_users_kyc_status(nax_client *client, nax_kyc **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(out, "out");
    if (rc)
        return rc;
    nax__call call = nax__api_call("GET", "/v1/users/kyc-status", "/v1/users/kyc-status",
                                   NAX_GROUP_AUTH, NAX__AUTH_USER);
    call.response_type = NAX_TYPE_KYC;
    call.response = out;
    return nax__client_call(client, &call);
}

int nax_users_kyc_document(nax_client *client, const nax_kyc_document_request *request,
                           nax_kyc_document **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(request, "request");
    if (!rc)
        rc = nax__api_need_str(request->file_name, "file_name");
    if (!rc)
        rc = nax__api_need_str(request->content_type, "content_type");
    if (!rc)
        rc = nax__api_need_str(request->content_base64, "content_base64");
    if (rc)
        return rc;
    nax__call call = nax__api_call("POST", "/v1/users/kyc-documents", "/v1/users/kyc-documents",
                                   NAX_GROUP_AUTH, NAX__AUTH_USER);
    call.request_type = NAX_TYPE_KYC_DOCUMENT_REQUEST;
    call.request = request;
    call.response_type = NAX_TYPE_KYC_DOCUMENT;
    call.response = out;
    return nax__client_call(client, &call);
}

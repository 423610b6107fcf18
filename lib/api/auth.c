/*
 * Auth endpoints: register, the session (login, refresh, logout), TOTP
 * enrolment and API-key management.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "api/api_internal.h"

int nax_auth_register(nax_client *client, const nax_register_request *request, nax_profile **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(request, "request");
    if (!rc)
        rc = nax__api_need_str(request->email, "email");
    if (!rc)
        rc = nax__api_need_str(request->password, "password");
    if (rc)
        return rc;
    nax__call call = nax__api_call("POST", "/v1/auth/register", "/v1/auth/register", NAX_GROUP_AUTH,
                                   NAX__AUTH_NONE);
    call.request_type = NAX_TYPE_REGISTER_REQUEST;
    call.request = request;
    call.response_type = NAX_TYPE_PROFILE;
    call.response = out;
    return nax__client_call(client, &call);
}

int nax_auth_login(nax_client *client, const nax_login_request *request, nax_token **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(request, "request");
    if (!rc)
        rc = nax__api_need_str(request->email, "email");
    if (!rc)
        rc = nax__api_need_str(request->password, "password");
    if (rc)
        return rc;
    nax_token *token = NULL;
    nax__call call =
        nax__api_call("POST", "/v1/auth/login", "/v1/auth/login", NAX_GROUP_AUTH, NAX__AUTH_NONE);
    call.request_type = NAX_TYPE_LOGIN_REQUEST;
    call.request = request;
    call.response_type = NAX_TYPE_TOKEN;
    call.response = &token;
    call.no_refresh_on_401 = 1;
    rc = nax__client_call(client, &call);
    if (!rc)
        rc = nax__client_store_token(client, token);
    if (!rc && out) {
        *out = token;
        return 0;
    }
    nax_object_free(token);
    return rc;
}

int nax_auth_refresh(nax_client *client, nax_token **out)
{
    int rc = nax__api_begin(client, out);
    return rc ? rc : nax__client_refresh(client, out);
}

int nax_auth_logout(nax_client *client)
{
    int rc = nax__api_begin(client, NULL);
    if (rc)
        return rc;
    char *refresh = nax__client_refresh_token(client);
    if (!refresh)
        return nax_error_last()->code;
    nax_refresh_request body = {sizeof body, refresh};
    nax__call call =
        nax__api_call("POST", "/v1/auth/logout", "/v1/auth/logout", NAX_GROUP_AUTH, NAX__AUTH_USER);
    call.request_type = NAX_TYPE_REFRESH_REQUEST;
    call.request = &body;
    /* An expired access token is refreshed first, as for any call: the body's
     * refresh token, even once rotated, still names the session to revoke. */
    rc = nax__client_call(client, &call);
    OPENSSL_cleanse(refresh, strlen(refresh));
    nax__free(refresh);
    /* A 401 says the session is already over: forget it all the same. */
    if (!rc || rc == NAX_EAUTH) {
        nax__error_state saved;
        nax__error_save(&saved);
        nax__client_drop_session(client);
        nax__error_restore(&saved);
    }
    return rc;
}

/* POST a TOTP code to `route`; 204 expected. */
static int totp_post(nax_client *client, const char *route, const char *code)
{
    int rc = nax__api_begin(client, NULL);
    if (!rc)
        rc = nax__api_need_str(code, "code");
    if (rc)
        return rc;
    nax_totp_code body = {sizeof body, code};
    nax__call call = nax__api_call("POST", route, route, NAX_GROUP_AUTH, NAX__AUTH_USER);
    call.request_type = NAX_TYPE_TOTP_CODE;
    call.request = &body;
    return nax__client_call(client, &call);
}

int nax_auth_totp_enable(nax_client *client, nax_totp_setup **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(out, "out");
    if (rc)
        return rc;
    nax__call call = nax__api_call("POST", "/v1/auth/totp/enable", "/v1/auth/totp/enable",
                                   NAX_GROUP_AUTH, NAX__AUTH_USER);
    call.response_type = NAX_TYPE_TOTP_SETUP;
    call.response = out;
    return nax__client_call(client, &call);
}

int nax_auth_totp_confirm(nax_client *client, const char *code)
{
    return totp_post(client, "/v1/auth/totp/confirm", code);
}

int nax_auth_totp_disable(nax_client *client, const char *code)
{
    return totp_post(client, "/v1/auth/totp/disable", code);
}

int nax_api_keys_create(nax_client *client, const nax_api_key_request *request, nax_api_key **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(out, "out");
    if (!rc)
        rc = nax__api_need(request, "request");
    if (!rc)
        rc = nax__api_need_str(request->label, "label");
    if (rc)
        return rc;
    nax__call call = nax__api_call("POST", "/v1/auth/api-keys", "/v1/auth/api-keys", NAX_GROUP_AUTH,
                                   NAX__AUTH_USER);
    call.request_type = NAX_TYPE_API_KEY_REQUEST;
    call.request = request;
    call.response_type = NAX_TYPE_API_KEY;
    call.response = out;
    return nax__client_call(client, &call);
}

int nax_api_keys_list(nax_client *client, nax_api_key_list **out)
{
    int rc = nax__api_begin(client, out);
    if (!rc)
        rc = nax__api_need(out, "out");
    if (rc)
        return rc;
    nax__call call = nax__api_call("GET", "/v1/auth/api-keys", "/v1/auth/api-keys", NAX_GROUP_AUTH,
                                   NAX__AUTH_USER);
    call.response_type = NAX_TYPE_API_KEY_LIST;
    call.response = out;
    return nax__client_call(client, &call);
}

int nax_api_keys_delete(nax_client *client, const char *id)
{
    int rc = nax__api_begin(client, NULL);
    if (!rc)
        rc = nax__api_need_segment(id, "id");
    if (rc)
        return rc;
    nax_buf target = NAX_BUF_INIT;
    rc = nax__api_path(&target, "/v1/auth/api-keys/", id, "id", NULL);
    return nax__api_send(client, rc, &target, "DELETE", "/v1/auth/api-keys/{id}", NAX_GROUP_AUTH,
                         NAX__AUTH_USER, NAX_TYPE_NONE, NULL);
}

/* Auth and user endpoints against naxd: register, login, refresh, logout,
 * TOTP, API keys (and calls signed with one), profile and KYC. */
#include <stdio.h>
#include <stdlib.h>

#include "auth/auth.h"
#include "client_test.h"

#define PASSWORD "Correct-Horse-7-Battery"
/* The 1x1 PNG of the contract's example: 70 bytes. */
#define TINY_PNG                                                                                   \
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5Erk"   \
    "Jggg=="

static naxh_server srv;

static void setup(void)
{
    client_test_global_init();
    ck_assert_int_eq(naxh_start(&srv, NULL), 0);
}

static void teardown(void)
{
    naxh_stop(&srv);
    ck_assert_int_eq(srv.exit_status, 0);
    nax_global_shutdown();
}

static void unique_email(char out[96])
{
    char uuid[37];
    OK(nax__uuid4(uuid));
    snprintf(out, 96, "auth-%.8s@example.com", uuid);
}

static nax_client *anon_client(void)
{
    nax_client *c = NULL;
    OK(naxh_client(&srv, NULL, &c));
    return c;
}

/* A bearer-token client with a copy of `access_token` only. */
static nax_client *bearer_client(const char *access_token)
{
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    o.bearer_token = access_token;
    nax_client *c = NULL;
    OK(naxh_client(&srv, &o, &c));
    return c;
}

START_TEST(test_register)
{
    nax_client *c = anon_client();
    char email[96];
    unique_email(email);
    nax_register_request r = {sizeof r, email, PASSWORD, "Alice Nguyen", "AU"};
    nax_profile *p = NULL;
    OK(nax_auth_register(c, &r, &p));
    ck_assert_str_eq(p->email, email);
    ck_assert_str_eq(p->full_name, "Alice Nguyen");
    ck_assert_str_eq(p->country, "AU");
    ck_assert_int_eq(p->kyc_status, NAX_KYC_STATUS_UNVERIFIED);
    ck_assert_int_eq(p->totp_enabled, 0);
    ck_assert(!strncmp(p->id, "u_", 2));
    ck_assert_int_gt(p->created_at, 0);
    nax_object_free(p);

    /* The same email again, and no out-parameter this time. */
    EXPECT_ERROR(nax_auth_register(c, &r, NULL), NAX_ECONFLICT, 409, "email_taken", "email");

    char other[96];
    unique_email(other);
    nax_register_request weak = {sizeof weak, other, "short", NULL, NULL};
    p = (nax_profile *)&p;
    EXPECT_ERROR(nax_auth_register(c, &weak, &p), NAX_EBADREQUEST, 422, "weak_password",
                 "password");
    ck_assert_ptr_null(p);
    nax_register_request bad_email = {sizeof bad_email, "not-an-email", PASSWORD, NULL, NULL};
    EXPECT_ERROR(nax_auth_register(c, &bad_email, NULL), NAX_EBADREQUEST, 400, "invalid_request",
                 "email");
    nax_register_request bad_country = {sizeof bad_country, other, PASSWORD, NULL, "Australia"};
    EXPECT_ERROR(nax_auth_register(c, &bad_country, NULL), NAX_EBADREQUEST, 400, "invalid_request",
                 "country");

    /* Refused before any request. */
    EXPECT_ERROR(nax_auth_register(c, NULL, NULL), NAX_EINVAL, 0, NULL, "request");
    nax_register_request no_email = {sizeof no_email, NULL, PASSWORD, NULL, NULL};
    EXPECT_ERROR(nax_auth_register(c, &no_email, NULL), NAX_EINVAL, 0, NULL, "email");
    nax_register_request no_password = {sizeof no_password, other, "", NULL, NULL};
    EXPECT_ERROR(nax_auth_register(c, &no_password, NULL), NAX_EINVAL, 0, NULL, "password");
    nax_client_free(c);
}
END_TEST

START_TEST(test_login)
{
    naxh_user u;
    OK(naxh_user_new(&srv, &u));
    call_counter n = {0};
    nax_client *c = counted_client(&srv, &n, NULL, NULL);

    nax_login_request wrong = {sizeof wrong, u.email, "Wrong-Horse-8-Battery", NULL};
    nax_token *t = (nax_token *)&t;
    EXPECT_ERROR(nax_auth_login(c, &wrong, &t), NAX_EAUTH, 401, "invalid_credentials", NULL);
    ck_assert_ptr_null(t);
    ck_assert_uint_eq(n.attempts, 1); /* a refused login is not retried */
    nax_login_request nobody = {sizeof nobody, "nobody@example.com", PASSWORD, NULL};
    EXPECT_ERROR(nax_auth_login(c, &nobody, NULL), NAX_EAUTH, 401, "invalid_credentials", NULL);

    /* Without a session the private endpoints answer 401. */
    nax_profile *p = NULL;
    EXPECT_ERROR(nax_users_profile(c, &p), NAX_EAUTH, 401, NULL, NULL);

    nax_login_request ok = {sizeof ok, u.email, u.password, NULL};
    OK(nax_auth_login(c, &ok, &t));
    ck_assert_str_eq(t->token_type, "Bearer");
    ck_assert_int_eq(t->expires_in, 900);
    ck_assert_int_eq(t->refresh_expires_in, 604800);
    ck_assert_uint_gt(strlen(t->access_token), 20);
    ck_assert_uint_gt(strlen(t->refresh_token), 20);
    nax_object_free(t);
    OK(nax_users_profile(c, &p)); /* the client keeps the session */
    ck_assert_str_eq(p->id, u.id);
    nax_object_free(p);
    OK(nax_auth_login(c, &ok, NULL)); /* out is optional */

    EXPECT_ERROR(nax_auth_login(c, NULL, NULL), NAX_EINVAL, 0, NULL, "request");
    nax_login_request no_password = {sizeof no_password, u.email, NULL, NULL};
    EXPECT_ERROR(nax_auth_login(c, &no_password, NULL), NAX_EINVAL, 0, NULL, "password");
    nax_client_free(c);
    naxh_user_free(&u);
}
END_TEST

START_TEST(test_refresh)
{
    naxh_user u;
    OK(naxh_user_new(&srv, &u));
    nax_client *c = anon_client();
    nax_login_request login = {sizeof login, u.email, u.password, NULL};
    nax_token *first = NULL, *second = NULL;
    OK(nax_auth_login(c, &login, &first));
    OK(nax_auth_refresh(c, &second));
    ck_assert_str_ne(second->refresh_token, first->refresh_token);
    ck_assert_str_ne(second->access_token, first->access_token);
    ck_assert_int_eq(second->expires_in, 900);
    nax_profile *p = NULL;
    OK(nax_users_profile(c, &p)); /* with the new access token */
    nax_object_free(p);
    OK(nax_auth_refresh(c, NULL));

    /* The first refresh token is spent: using it again revokes the session. */
    nax_client *stale = anon_client();
    OK(nax_client_set_session(stale, first->access_token, first->refresh_token, 0));
    nax_token *t = (nax_token *)&t;
    EXPECT_ERROR(nax_auth_refresh(stale, &t), NAX_EAUTH, 401, "token_revoked", "refresh_token");
    ck_assert_ptr_null(t);
    EXPECT_ERROR(nax_users_profile(c, &p), NAX_EAUTH, 401, "token_revoked", NULL);

    /* No refresh token and no password: nothing to refresh with. */
    nax_client *none = anon_client();
    EXPECT_ERROR(nax_auth_refresh(none, NULL), NAX_ESTATE, 0, NULL, NULL);
    EXPECT_ERROR(nax_auth_refresh(NULL, NULL), NAX_EINVAL, 0, NULL, "client");
    nax_object_free(first);
    nax_object_free(second);
    nax_client_free(none);
    nax_client_free(stale);
    nax_client_free(c);
    naxh_user_free(&u);
}
END_TEST

START_TEST(test_logout)
{
    naxh_user u;
    OK(naxh_user_new(&srv, &u));
    nax_client *c = anon_client();
    nax_login_request login = {sizeof login, u.email, u.password, NULL};
    nax_token *t = NULL;
    OK(nax_auth_login(c, &login, &t));
    OK(nax_auth_logout(c));

    /* The client forgot the session; the old access token is revoked. */
    nax_profile *p = NULL;
    EXPECT_ERROR(nax_users_profile(c, &p), NAX_EAUTH, 401, "unauthorized", NULL);
    nax_client *old = bearer_client(t->access_token);
    EXPECT_ERROR(nax_users_profile(old, &p), NAX_EAUTH, 401, "token_revoked", NULL);
    EXPECT_ERROR(nax_auth_logout(c), NAX_ESTATE, 0, NULL, NULL);

    /* A session the server already ended: 401, and the client drops it too. */
    nax_client *ended = anon_client();
    OK(nax_client_set_session(ended, t->access_token, t->refresh_token, 900));
    EXPECT_ERROR(nax_auth_logout(ended), NAX_EAUTH, 401, "token_revoked", NULL);
    EXPECT_ERROR(nax_auth_logout(ended), NAX_ESTATE, 0, NULL, NULL);
    EXPECT_ERROR(nax_auth_logout(NULL), NAX_EINVAL, 0, NULL, "client");

    /* The other session of the user is untouched. */
    OK(nax_users_profile(u.client, &p));
    nax_object_free(p);
    nax_object_free(t);
    nax_client_free(ended);
    nax_client_free(old);
    nax_client_free(c);
    naxh_user_free(&u);
}
END_TEST

START_TEST(test_expired_access_token)
{
    naxh_user u;
    OK(naxh_user_new(&srv, &u));
    nax_client *c = anon_client();
    nax_login_request login = {sizeof login, u.email, u.password, NULL};
    nax_token *t = NULL;
    OK(nax_auth_login(c, &login, &t));
    char expired[2048];
    ck_assert_int_eq(naxh_expired_token(&srv, t->access_token, expired, sizeof expired), 0);

    /* A call answered 401 token_expired refreshes once and goes through. */
    call_counter n = {0};
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    o.metrics_fn = call_counter_fn;
    o.metrics_userdata = &n;
    nax_client *late = NULL;
    OK(naxh_client(&srv, &o, &late));
    OK(nax_client_set_session(late, expired, t->refresh_token, 0));
    nax_profile *p = NULL;
    OK(nax_users_profile(late, &p));
    ck_assert_str_eq(p->id, u.id);
    nax_object_free(p);
    ck_assert_str_eq(n.last_route, "GET /v1/users/profile");

    /* Logout with an expired access token refreshes too, then ends the session:
     * every token of it is refused afterwards. */
    nax_client *c2 = anon_client();
    nax_token *t2 = NULL;
    OK(nax_auth_login(c2, &login, &t2)); /* a second session */
    ck_assert_int_eq(naxh_expired_token(&srv, t2->access_token, expired, sizeof expired), 0);
    nax_client *ending = anon_client();
    OK(nax_client_set_session(ending, expired, t2->refresh_token, 0));
    OK(nax_auth_logout(ending));
    EXPECT_ERROR(nax_auth_logout(ending), NAX_ESTATE, 0, NULL, NULL);
    nax_client *stale = anon_client();
    OK(nax_client_set_session(stale, t2->access_token, t2->refresh_token, 0));
    EXPECT_ERROR(nax_auth_refresh(stale, NULL), NAX_EAUTH, 401, "token_revoked", "refresh_token");
    EXPECT_ERROR(nax_users_profile(c2, &p), NAX_EAUTH, 401, "token_revoked", NULL);
    OK(nax_users_profile(late, &p)); /* the first session lives on */
    nax_object_free(p);
    nax_object_free(t);
    nax_object_free(t2);
    nax_client_free(c2);
    nax_client_free(stale);
    nax_client_free(ending);
    nax_client_free(late);
    nax_client_free(c);
    naxh_user_free(&u);
}
END_TEST

/* ---- TOTP ---------------------------------------------------------------------------- */

typedef struct totp_key {
    unsigned char key[64];
    size_t len;
} totp_key;

static totp_key key_of(const char *secret_b32)
{
    totp_key k;
    long n = nax__base32_decode(k.key, sizeof k.key, secret_b32, strlen(secret_b32));
    ck_assert_int_gt(n, 0);
    k.len = (size_t)n;
    return k;
}

/* The code `steps` 30 s steps from now. */
static void code_at(char out[7], const totp_key *k, int steps)
{
    int64_t t = naxh_now_ms() / 1000 + 30 * steps;
    snprintf(out, 7, "%06u", (unsigned)nax__totp_at(k->key, k->len, t, 30, 6));
}

/* Six digits that match no step near now. */
static void wrong_code(char out[7], const totp_key *k)
{
    char near[5][7];
    for (int i = 0; i < 5; i++)
        code_at(near[i], k, i - 2);
    for (unsigned v = (unsigned)atoi(near[2]) + 1;; v++) {
        snprintf(out, 7, "%06u", v % 1000000u);
        int clash = 0;
        for (int i = 0; i < 5; i++)
            clash |= !strcmp(out, near[i]);
        if (!clash)
            return;
    }
}

static int profile_totp(nax_client *c)
{
    nax_profile *p = NULL;
    OK(nax_users_profile(c, &p));
    int on = p->totp_enabled;
    nax_object_free(p);
    return on;
}

START_TEST(test_totp_enable_confirm_disable)
{
    naxh_user u;
    OK(naxh_user_new(&srv, &u));
    nax_totp_setup *setup = NULL;
    OK(nax_auth_totp_enable(u.client, &setup));
    ck_assert(!strncmp(setup->otpauth_uri, "otpauth://totp/", 15));
    ck_assert_ptr_nonnull(strstr(setup->otpauth_uri, setup->secret));
    totp_key k = key_of(setup->secret);
    nax_object_free(setup);
    ck_assert_int_eq(profile_totp(u.client), 0); /* not before the confirmation */

    char code[7];
    wrong_code(code, &k);
    EXPECT_ERROR(nax_auth_totp_confirm(u.client, code), NAX_EBADREQUEST, 422, "invalid_totp_code",
                 "code");
    EXPECT_ERROR(nax_auth_totp_confirm(u.client, "12345"), NAX_EBADREQUEST, 400, "invalid_request",
                 "code");
    EXPECT_ERROR(nax_auth_totp_confirm(u.client, NULL), NAX_EINVAL, 0, NULL, "code");
    code_at(code, &k, 0);
    OK(nax_auth_totp_confirm(u.client, code));
    ck_assert_int_eq(profile_totp(u.client), 1);
    setup = (nax_totp_setup *)&setup;
    EXPECT_ERROR(nax_auth_totp_enable(u.client, &setup), NAX_ECONFLICT, 409, "totp_enabled", NULL);
    ck_assert_ptr_null(setup);

    /* Logging in now needs a code. */
    nax_client *c = anon_client();
    nax_login_request login = {sizeof login, u.email, u.password, NULL};
    EXPECT_ERROR(nax_auth_login(c, &login, NULL), NAX_EAUTH, 401, "totp_required", "totp_code");
    char bad[7];
    wrong_code(bad, &k);
    login.totp_code = bad;
    EXPECT_ERROR(nax_auth_login(c, &login, NULL), NAX_EAUTH, 401, "invalid_totp", "totp_code");

    /* A code of a later step than the one used to confirm turns it off. */
    wrong_code(bad, &k);
    EXPECT_ERROR(nax_auth_totp_disable(u.client, bad), NAX_EBADREQUEST, 422, "invalid_totp_code",
                 "code");
    code_at(code, &k, 1);
    OK(nax_auth_totp_disable(u.client, code));
    ck_assert_int_eq(profile_totp(u.client), 0);
    EXPECT_ERROR(nax_auth_totp_disable(u.client, code), NAX_ECONFLICT, 409, "totp_not_enabled",
                 NULL);
    login.totp_code = NULL;
    OK(nax_auth_login(c, &login, NULL));
    nax_client_free(c);
    naxh_user_free(&u);
}
END_TEST

START_TEST(test_totp_login_with_code)
{
    naxh_user u;
    OK(naxh_user_new(&srv, &u));
    nax_totp_setup *setup = NULL;
    OK(nax_auth_totp_enable(u.client, &setup));
    totp_key k = key_of(setup->secret);
    nax_object_free(setup);
    char code[7];
    code_at(code, &k, 0);
    OK(nax_auth_totp_confirm(u.client, code));
    nax_client *c = anon_client();
    code_at(code, &k, 1);
    nax_login_request login = {sizeof login, u.email, u.password, code};
    nax_token *t = NULL;
    OK(nax_auth_login(c, &login, &t));
    ck_assert_str_eq(t->token_type, "Bearer");
    nax_object_free(t);
    /* The same code twice is refused: each step counts once. */
    EXPECT_ERROR(nax_auth_login(c, &login, NULL), NAX_EAUTH, 401, "invalid_totp", "totp_code");
    nax_client_free(c);
    naxh_user_free(&u);
}
END_TEST

/* ---- API keys ------------------------------------------------------------------------ */

static const nax_api_key *find_key(const nax_api_key_list *l, const char *id)
{
    for (size_t i = 0; i < l->api_keys_count; i++)
        if (!strcmp(l->api_keys[i]->id, id))
            return l->api_keys[i];
    return NULL;
}

START_TEST(test_api_keys)
{
    naxh_user u;
    OK(naxh_user_new(&srv, &u));
    nax_api_key_request r = {sizeof r, "bot", NAX_SCOPE_READ | NAX_SCOPE_TRADE};
    nax_api_key *key = NULL;
    OK(nax_api_keys_create(u.client, &r, &key));
    ck_assert(!strncmp(key->id, "ak_", 3));
    ck_assert_str_eq(key->label, "bot");
    ck_assert_uint_eq(key->scopes, NAX_SCOPE_READ | NAX_SCOPE_TRADE);
    ck_assert_ptr_nonnull(key->secret);
    ck_assert_uint_ge(strlen(key->secret), 32);
    ck_assert_int_gt(key->created_at, 0);

    nax_api_key_list *l = NULL;
    OK(nax_api_keys_list(u.client, &l));
    const nax_api_key *listed = find_key(l, key->id);
    ck_assert_ptr_nonnull(listed);
    ck_assert_ptr_null(listed->secret); /* shown once only */
    ck_assert_uint_eq(listed->scopes, NAX_SCOPE_READ | NAX_SCOPE_TRADE);
    nax_object_free(l);

    /* Calls signed with the key. */
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    o.api_key = key->id;
    o.api_secret = key->secret;
    nax_client *signer = NULL;
    OK(naxh_client(&srv, &o, &signer));
    nax_balance_list *b = NULL;
    OK(nax_wallets_balances(signer, &b));
    nax_object_free(b);
    nax_profile *p = NULL;
    OK(nax_users_profile(signer, &p));
    ck_assert_str_eq(p->id, u.id);
    nax_object_free(p);
    /* Key management needs a session, not a key. */
    EXPECT_ERROR(nax_api_keys_list(signer, &l), NAX_EFORBIDDEN, 403, "session_required", NULL);
    ck_assert_ptr_null(l);

    OK(nax_api_keys_delete(u.client, key->id));
    OK(nax_api_keys_list(u.client, &l));
    ck_assert_ptr_null(find_key(l, key->id));
    nax_object_free(l);
    EXPECT_ERROR(nax_wallets_balances(signer, &b), NAX_EAUTH, 401, "invalid_api_key",
                 "X-NAX-APIKEY");
    EXPECT_ERROR(nax_api_keys_delete(u.client, key->id), NAX_ENOTFOUND, 404, "not_found", NULL);
    EXPECT_ERROR(nax_api_keys_delete(u.client, "ak_/../x y"), NAX_ENOTFOUND, 404, NULL, NULL);

    /* Refused before any request. */
    nax_api_key *k2 = (nax_api_key *)&k2;
    nax_api_key_request unnamed = {sizeof unnamed, NULL, NAX_SCOPE_READ};
    EXPECT_ERROR(nax_api_keys_create(u.client, &unnamed, &k2), NAX_EINVAL, 0, NULL, "label");
    ck_assert_ptr_null(k2);
    EXPECT_ERROR(nax_api_keys_create(u.client, &r, NULL), NAX_EINVAL, 0, NULL, "out");
    EXPECT_ERROR(nax_api_keys_delete(u.client, ""), NAX_EINVAL, 0, NULL, "id");
    EXPECT_ERROR(nax_api_keys_list(u.client, NULL), NAX_EINVAL, 0, NULL, "out");
    nax_object_free(key);
    nax_client_free(signer);
    naxh_user_free(&u);
}
END_TEST

/* ---- profile and KYC ------------------------------------------------------------------- */

START_TEST(test_profile)
{
    naxh_user u;
    OK(naxh_user_new(&srv, &u));
    nax_profile *p = NULL;
    OK(nax_users_profile(u.client, &p));
    ck_assert_str_eq(p->email, u.email);
    ck_assert_str_eq(p->id, u.id);
    ck_assert_ptr_null(p->phone);
    nax_object_free(p);

    nax_profile_update up = {sizeof up, "Bob Smith", NULL, "+61412345678"};
    OK(nax_users_profile_update(u.client, &up, &p));
    ck_assert_str_eq(p->full_name, "Bob Smith");
    ck_assert_str_eq(p->phone, "+61412345678");
    ck_assert_str_eq(p->country, "AU"); /* left out, unchanged */
    nax_object_free(p);
    nax_profile_update country = {sizeof country, NULL, "NZ", NULL};
    OK(nax_users_profile_update(u.client, &country, NULL));
    OK(nax_users_profile(u.client, &p));
    ck_assert_str_eq(p->country, "NZ");
    ck_assert_str_eq(p->full_name, "Bob Smith");
    nax_object_free(p);

    nax_profile_update bad = {sizeof bad, NULL, NULL, "0412 345 678"};
    EXPECT_ERROR(nax_users_profile_update(u.client, &bad, NULL), NAX_EBADREQUEST, 400,
                 "invalid_request", "phone");
    EXPECT_ERROR(nax_users_profile_update(u.client, NULL, NULL), NAX_EINVAL, 0, NULL, "update");
    EXPECT_ERROR(nax_users_profile(u.client, NULL), NAX_EINVAL, 0, NULL, "out");

    OK(naxh_user_api_key(&srv, &u, NAX_SCOPE_READ));
    nax_client *signer = NULL;
    OK(naxh_key_client(&srv, &u, &signer));
    EXPECT_ERROR(nax_users_profile_update(signer, &country, NULL), NAX_EFORBIDDEN, 403,
                 "session_required", NULL);
    nax_client_free(signer);
    naxh_user_free(&u);
}
END_TEST

START_TEST(test_kyc)
{
    naxh_user u;
    OK(naxh_user_new(&srv, &u));
    nax_kyc *k = NULL;
    OK(nax_users_kyc_status(u.client, &k));
    ck_assert_int_eq(k->status, NAX_KYC_STATUS_UNVERIFIED);
    nax_object_free(k);

    nax_kyc_document_request doc = {sizeof doc, NAX_DOCUMENT_TYPE_PASSPORT, "passport.png",
                                    "image/png", TINY_PNG};
    nax_kyc_document *d = NULL;
    OK(nax_users_kyc_document(u.client, &doc, &d));
    ck_assert(!strncmp(d->id, "doc_", 4));
    ck_assert_int_eq(d->document_type, NAX_DOCUMENT_TYPE_PASSPORT);
    ck_assert_int_eq(d->status, NAX_KYC_STATUS_PENDING);
    ck_assert_int_eq(d->size_bytes, 70);
    nax_object_free(d);
    OK(nax_users_kyc_status(u.client, &k));
    ck_assert_int_eq(k->status, NAX_KYC_STATUS_PENDING);
    nax_object_free(k);

    nax_kyc_document_request pdf = doc;
    pdf.content_type = "application/pdf";
    EXPECT_ERROR(nax_users_kyc_document(u.client, &pdf, NULL), NAX_EBADREQUEST, 422,
                 "content_type_mismatch", "content_base64");
    nax_kyc_document_request garbage = doc;
    garbage.content_base64 = "!!!!";
    EXPECT_ERROR(nax_users_kyc_document(u.client, &garbage, NULL), NAX_EBADREQUEST, 400,
                 "invalid_request", "content_base64");
    nax_kyc_document_request empty = doc;
    empty.file_name = "";
    EXPECT_ERROR(nax_users_kyc_document(u.client, &empty, NULL), NAX_EINVAL, 0, NULL, "file_name");

    OK(naxh_kyc_verify(&srv, &u));
    OK(nax_users_kyc_status(u.client, &k));
    ck_assert_int_eq(k->status, NAX_KYC_STATUS_VERIFIED);
    ck_assert_int_gt(k->updated_at, 0);
    nax_object_free(k);
    EXPECT_ERROR(nax_users_kyc_status(u.client, NULL), NAX_EINVAL, 0, NULL, "out");
    naxh_user_free(&u);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("client_auth");
    TCase *tc = tcase_create("auth");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_register);
    tcase_add_test(tc, test_login);
    tcase_add_test(tc, test_refresh);
    tcase_add_test(tc, test_logout);
    tcase_add_test(tc, test_expired_access_token);
    tcase_add_test(tc, test_totp_enable_confirm_disable);
    tcase_add_test(tc, test_totp_login_with_code);
    tcase_add_test(tc, test_api_keys);
    tcase_add_test(tc, test_profile);
    tcase_add_test(tc, test_kyc);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

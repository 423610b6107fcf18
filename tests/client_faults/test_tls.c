/*
 * TLS from the client's side against naxd serving HTTPS with a self-signed
 * certificate: verification is on by default and refuses it (a permanent
 * NAX_ETLS, never retried); trusting it through ca_path works; a public-key
 * pin that matches works and one that does not is refused; tls_insecure
 * turns verification off. Two more naxd serve a certificate for another
 * name and an expired one: the client refuses both, even when it trusts them.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../client/harness.h"

static naxh_server srv, other_name, expired;
static char dir[256], cert[300], key[300], pin[128], cert2[300], key2[300], cert3[300], key3[300];

static int sh(const char *cmd)
{
    int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "failed (%d): %s\n", rc, cmd);
    return rc;
}

/* A self-signed certificate for 127.0.0.1 and the sha256 pin of its key. */
static int make_cert(void)
{
    snprintf(dir, sizeof dir, "/tmp/naxtls-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s -days 2 "
             "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null",
             key, cert);
    if (sh(cmd))
        return -1;
    /* The same kind of certificate for a name that is not the server's. */
    snprintf(cert2, sizeof cert2, "%s/other.pem", dir);
    snprintf(key2, sizeof key2, "%s/other-key.pem", dir);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s -days 2 "
             "-subj /CN=exchange.example -addext subjectAltName=DNS:exchange.example "
             "2>/dev/null",
             key2, cert2);
    if (sh(cmd))
        return -1;
    /* One for the right name whose validity ended yesterday (-days -1). */
    snprintf(cert3, sizeof cert3, "%s/expired.pem", dir);
    snprintf(key3, sizeof key3, "%s/expired-key.pem", dir);
    snprintf(cmd, sizeof cmd,
             "openssl req -newkey rsa:2048 -nodes -keyout %s -out %s/expired.csr "
             "-subj /CN=127.0.0.1 2>/dev/null && printf 'subjectAltName=IP:127.0.0.1' > "
             "%s/san && openssl x509 -req -in %s/expired.csr -signkey %s -out %s -days -1 "
             "-extfile %s/san 2>/dev/null",
             key3, dir, dir, dir, key3, cert3, dir);
    if (sh(cmd))
        return -1;
    snprintf(cmd, sizeof cmd,
             "openssl x509 -in %s -pubkey -noout | openssl pkey -pubin -outform der | "
             "openssl dgst -sha256 -binary | openssl base64 -A > %s/pin",
             cert, dir);
    if (sh(cmd))
        return -1;
    char path[300];
    snprintf(path, sizeof path, "%s/pin", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char b64[100] = "";
    int ok = fgets(b64, sizeof b64, f) != NULL;
    fclose(f);
    snprintf(pin, sizeof pin, "sha256//%s", b64);
    return ok ? 0 : -1;
}

static int ticker_with(void (*tweak)(nax_client_options *))
{
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    if (tweak)
        tweak(&o);
    nax_client *c = NULL;
    ck_assert_int_eq(naxh_client(&srv, &o, &c), 0);
    nax_ticker *t = NULL;
    int rc = nax_markets_ticker(c, "BTC-AUD", &t);
    nax_object_free(t);
    nax_client_free(c);
    return rc;
}

static void trust_ca(nax_client_options *o)
{
    o->ca_path = cert;
}

static void trust_and_pin(nax_client_options *o)
{
    o->ca_path = cert;
    o->pinned_public_key = pin;
}

static void wrong_pin(nax_client_options *o)
{
    o->ca_path = cert;
    o->pinned_public_key = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
}

static void insecure(nax_client_options *o)
{
    o->tls_insecure = 1;
}

START_TEST(verification_is_on_by_default)
{
    ck_assert_str_eq(strncmp(srv.url, "https://", 8) == 0 ? "https" : srv.url, "https");
    ck_assert_int_eq(ticker_with(NULL), NAX_ETLS);
    ck_assert(!nax_error_last()->transient);
    ck_assert_int_eq(nax_error_last()->http_status, 0);
}
END_TEST

START_TEST(a_trusted_ca_works)
{
    ck_assert_msg(ticker_with(trust_ca) == 0, "%s", nax_error_last()->message);
}
END_TEST

START_TEST(a_matching_pin_works_and_another_is_refused)
{
    ck_assert_msg(ticker_with(trust_and_pin) == 0, "%s", nax_error_last()->message);
    ck_assert_int_eq(ticker_with(wrong_pin), NAX_ETLS);
    ck_assert(!nax_error_last()->transient);
}
END_TEST

/* A ticker from `server` with `trusted` as the only CA: must be NAX_ETLS, final. */
static void refused_even_when_trusted(naxh_server *server, const char *trusted)
{
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    o.ca_path = trusted;
    nax_client *c = NULL;
    ck_assert_int_eq(naxh_client(server, &o, &c), 0);
    nax_ticker *t = NULL;
    ck_assert_int_eq(nax_markets_ticker(c, "BTC-AUD", &t), NAX_ETLS);
    ck_assert(!nax_error_last()->transient);
    ck_assert_ptr_null(t);
    nax_client_free(c);
}

START_TEST(a_certificate_for_another_name_is_refused_even_when_trusted)
{
    refused_even_when_trusted(&other_name, cert2);
}
END_TEST

START_TEST(an_expired_certificate_is_refused_even_when_trusted)
{
    refused_even_when_trusted(&expired, cert3);
}
END_TEST

START_TEST(insecure_turns_verification_off)
{
    ck_assert_msg(ticker_with(insecure) == 0, "%s", nax_error_last()->message);
}
END_TEST

int main(void)
{
    if (nax_global_init(NULL) != 0 || make_cert() != 0 ||
        naxh_start_tls(&srv, NULL, cert, key) != 0 ||
        naxh_start_tls(&other_name, NULL, cert2, key2) != 0 ||
        naxh_start_tls(&expired, NULL, cert3, key3) != 0)
        return 1;
    Suite *s = suite_create("client_tls");
    TCase *tc = tcase_create("tls");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, verification_is_on_by_default);
    tcase_add_test(tc, a_trusted_ca_works);
    tcase_add_test(tc, a_matching_pin_works_and_another_is_refused);
    tcase_add_test(tc, a_certificate_for_another_name_is_refused_even_when_trusted);
    tcase_add_test(tc, an_expired_certificate_is_refused_even_when_trusted);
    tcase_add_test(tc, insecure_turns_verification_off);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    naxh_stop(&srv);
    naxh_stop(&other_name);
    naxh_stop(&expired);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    sh(cmd);
    nax_global_shutdown();
    return failed || srv.exit_status || other_name.exit_status || expired.exit_status ? 1 : 0;
}

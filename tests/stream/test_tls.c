/*
 * The stream over TLS (wss://) against naxd serving a self-signed
 * certificate, with the client's TLS settings: verification is on by
 * default and the connection is refused (RECONNECTING, never LIVE); the
 * certificate trusted through ca_path works; tls_insecure works; without a
 * client the stream's own ca_path works.
 */
#include <stdio.h>
#include <stdlib.h>

#include "stream_test.h"

static naxh_server srv;
static char dir[256], cert[300], key[300];

static int make_cert(void)
{
    snprintf(dir, sizeof dir, "/tmp/naxstls-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s -days 2 "
             "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null",
             key, cert);
    return system(cmd) == 0 ? 0 : -1;
}

static nax_stream *tls_stream(recorder *r, void (*tweak)(nax_client_options *o),
                              nax_client **client)
{
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    if (tweak)
        tweak(&o);
    OK(naxh_client(&srv, &o, client));
    nax_stream *s = stream_for(&srv, *client, r, NAX_STREAM_MODE_THREAD, NULL);
    const char *ch[] = {"ticker:BTC-AUD"};
    subscribe_or_fail(s, ch, 1);
    OK(nax_stream_start(s));
    return s;
}

static void trust_ca(nax_client_options *o)
{
    o->ca_path = cert;
}

static void insecure(nax_client_options *o)
{
    o->tls_insecure = 1;
}

START_TEST(verification_refuses_an_unknown_certificate)
{
    recorder *r = rec_new();
    nax_client *c = NULL;
    nax_stream *s = tls_stream(r, NULL, &c);
    long first = rec_wait_event(r, NULL, 0, NAX_STREAM_RECONNECTING,
                                NAX_STREAM_REASON_CONNECT_FAILED, NULL, 10000);
    ck_assert_int_ge(first, 0);
    ck_assert_int_eq(r->events[first].error, NAX_ETLS);
    ck_assert_int_ge(rec_wait_event(r, NULL, (size_t)first + 1, NAX_STREAM_RECONNECTING,
                                    NAX_STREAM_REASON_CONNECT_FAILED, NULL, 10000),
                     0);
    ck_assert_int_lt(rec_find(r, 0, NAX_STREAM_LIVE, -1, NULL), 0);
    stream_free(s);
    nax_client_free(c);
}
END_TEST

START_TEST(a_trusted_ca_works)
{
    recorder *r = rec_new();
    nax_client *c = NULL;
    nax_stream *s = tls_stream(r, trust_ca, &c);
    ck_assert_int_ge(
        rec_wait_event(r, NULL, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    ck_assert(rec_wait_count(r, NULL, REC_TICKER, "BTC-AUD", NAX_STREAM_F_SNAPSHOT, 1, 5000));
    stream_free(s);
    nax_client_free(c);
}
END_TEST

START_TEST(insecure_works)
{
    recorder *r = rec_new();
    nax_client *c = NULL;
    nax_stream *s = tls_stream(r, insecure, &c);
    ck_assert_int_ge(
        rec_wait_event(r, NULL, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    stream_free(s);
    nax_client_free(c);
}
END_TEST

static void own_ca(nax_stream_options *o)
{
    static char url[96];
    snprintf(url, sizeof url, "wss://127.0.0.1:%d", srv.port); /* no path: /v1/stream */
    o->url = url;
    o->ca_path = cert;
}

START_TEST(without_a_client)
{
    recorder *r = rec_new();
    nax_stream *s = stream_for(&srv, NULL, r, NAX_STREAM_MODE_EXTERNAL, own_ca);
    const char *ch[] = {"trades:ETH-AUD"};
    subscribe_or_fail(s, ch, 1);
    OK(nax_stream_start(s));
    ck_assert_int_ge(
        rec_wait_event(r, s, 0, NAX_STREAM_LIVE, NAX_STREAM_REASON_SUBSCRIBED, NULL, 10000), 0);
    stream_free(s);
}
END_TEST

static void setup(void)
{
    client_test_global_init();
}

static void teardown(void)
{
    stream_test_cleanup();
    nax_global_shutdown();
}

int main(void)
{
    if (nax_global_init(NULL) != 0 || make_cert() != 0 ||
        naxh_start_tls(&srv, NULL, cert, key) != 0)
        return 1;
    Suite *s = suite_create("stream_tls");
    TCase *tc = tcase_create("tls");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, verification_refuses_an_unknown_certificate);
    tcase_add_test(tc, a_trusted_ca_works);
    tcase_add_test(tc, insecure_works);
    tcase_add_test(tc, without_a_client);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    naxh_stop(&srv);
    int clean = srv.exit_status == 0;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        clean = 0;
    nax_global_shutdown();
    return failed || !clean ? EXIT_FAILURE : EXIT_SUCCESS;
}

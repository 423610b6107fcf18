/* The private channels: auth, per-user routing, the shared per-user seq,
 * token expiry and revoked sessions. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream_test.h"

static stream_server srv;

static void setup(void)
{
    token_ttl_ms = 3600 * 1000;
    ss_start(&srv, NULL);
}

static void teardown(void)
{
    ss_stop(&srv);
}

static void expect_code(char *code, const char *want)
{
    ck_assert_ptr_nonnull(code);
    ck_assert_str_eq(code, want);
    free(code);
}

static void auth(ws_client *c, uint64_t id, const char *token)
{
    char op[128];
    snprintf(op, sizeof(op), "{\"op\":\"auth\",\"id\":%llu,\"token\":\"%s\"}",
             (unsigned long long)id, token);
    ws_send_text(c, op);
    ck_assert_ptr_null(expect_ack(c, id, NAX_STREAM_OP_AUTH, 1));
}

/* Subscribes balances and checks its snapshot names user's asset. */
static void subscribe_balances(ws_client *c, uint64_t id, uint64_t user, uint64_t want_seq)
{
    char op[128];
    snprintf(op, sizeof(op), "{\"op\":\"subscribe\",\"id\":%llu,\"channels\":[\"balances\"]}",
             (unsigned long long)id);
    ws_send_text(c, op);
    ck_assert_ptr_null(expect_ack(c, id, NAX_STREAM_OP_SUBSCRIBE, 1));
    nax_stream_message *m = expect_on(c, "balances", NAX_STREAM_MSG_SNAPSHOT);
    char asset[16];
    snprintf(asset, sizeof(asset), "U%llu", (unsigned long long)user);
    ck_assert_uint_eq(m->balances_count, 1);
    ck_assert_str_eq(m->balances[0]->asset, asset);
    ck_assert_uint_eq(m->seq, want_seq);
    nax_object_free(m);
}

START_TEST(private_channels_need_auth_then_start_with_snapshots)
{
    ws_client c;
    ws_open(&c, srv.port, 0);
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":1,\"channels\":[\"orders\"]}");
    expect_code(expect_ack(&c, 1, NAX_STREAM_OP_SUBSCRIBE, 0), "auth_required");
    ws_send_text(&c, "{\"op\":\"auth\",\"id\":2,\"token\":\"expired\"}");
    expect_code(expect_ack(&c, 2, NAX_STREAM_OP_AUTH, 0), "token_expired");
    ws_send_text(&c, "{\"op\":\"auth\",\"id\":3,\"api_key\":\"nokey\",\"timestamp\":1,"
                     "\"signature\":\"00\"}");
    expect_code(expect_ack(&c, 3, NAX_STREAM_OP_AUTH, 0), "invalid_signature");
    auth(&c, 4, "good");
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":5,\"channels\":[\"orders\",\"fills\"]}");
    ck_assert_ptr_null(expect_ack(&c, 5, NAX_STREAM_OP_SUBSCRIBE, 1));
    nax_stream_message *m = expect_on(&c, "orders", NAX_STREAM_MSG_SNAPSHOT);
    ck_assert_ptr_nonnull(m->orders);
    ck_assert_uint_eq(m->orders_count, 0);
    ck_assert_uint_eq(m->seq, 1);
    nax_object_free(m);
    m = expect_on(&c, "fills", NAX_STREAM_MSG_SNAPSHOT);
    ck_assert_ptr_nonnull(m->fills);
    nax_object_free(m);
    subscribe_balances(&c, 6, 7, 1);
    ck_assert_int_eq(pub_order(&srv, 7, "ord_1"), 0);
    m = expect_on(&c, "orders", NAX_STREAM_MSG_UPDATE);
    ck_assert_str_eq(m->order->id, "ord_1");
    ck_assert_uint_eq(m->seq, 2);
    nax_object_free(m);
    ck_assert_int_eq(pub_fill(&srv, 7, "trd_1"), 0);
    m = expect_on(&c, "fills", NAX_STREAM_MSG_UPDATE);
    ck_assert_str_eq(m->fill->id, "trd_1");
    ck_assert_uint_eq(m->seq, 2);
    nax_object_free(m);
    ws_close(&c);
}
END_TEST

START_TEST(events_reach_their_own_user_only)
{
    ws_client a, b, a2;
    ws_open(&a, srv.port, 0);
    ws_open(&b, srv.port, 0);
    auth(&a, 1, "good");
    auth(&b, 1, "good8");
    subscribe_balances(&a, 2, 7, 1);
    subscribe_balances(&b, 2, 8, 1);
    /* user 8's event first: user 7's connection must see only its own */
    ck_assert_int_eq(pub_balance(&srv, 8, "EIGHT", "8"), 0);
    ck_assert_int_eq(pub_balance(&srv, 7, "SEVEN", "7"), 0);
    nax_stream_message *m = expect_on(&a, "balances", NAX_STREAM_MSG_UPDATE);
    ck_assert_str_eq(m->balance->asset, "SEVEN");
    ck_assert_uint_eq(m->seq, 2);
    nax_object_free(m);
    expect_quiet(&a, 3);
    m = expect_on(&b, "balances", NAX_STREAM_MSG_UPDATE);
    ck_assert_str_eq(m->balance->asset, "EIGHT");
    nax_object_free(m);
    expect_quiet(&b, 3);
    /* events of a user nobody listens for go nowhere */
    ck_assert_int_eq(pub_order(&srv, 9, "ord_9"), 0);
    ck_assert_int_eq(pub_order(&srv, 7, "ord_7"), 0); /* 7 subscribes no orders */
    expect_quiet(&a, 4);
    /* a second connection of user 7 shares the channel's seq */
    ws_open(&a2, srv.port, 0);
    auth(&a2, 1, "good");
    subscribe_balances(&a2, 2, 7, 2);
    ck_assert_int_eq(pub_balance(&srv, 7, "SEVEN", "7.5"), 0);
    m = expect_on(&a, "balances", NAX_STREAM_MSG_UPDATE);
    ck_assert_uint_eq(m->seq, 3);
    nax_object_free(m);
    m = expect_on(&a2, "balances", NAX_STREAM_MSG_UPDATE);
    ck_assert_uint_eq(m->seq, 3);
    nax_object_free(m);
    /* re-authenticating as another user ends the old user's channels */
    auth(&a2, 3, "good8");
    ck_assert_int_eq(pub_balance(&srv, 7, "SEVEN", "8"), 0);
    nax_object_free(expect_on(&a, "balances", NAX_STREAM_MSG_UPDATE));
    expect_quiet(&a2, 4);
    ws_close(&a);
    ws_close(&b);
    ws_close(&a2);
}
END_TEST

START_TEST(an_expired_token_ends_the_private_channels)
{
    token_ttl_ms = 400;
    ck_assert_int_eq(pub_ticker(&srv, "BTC-AUD", 1, "100"), 0);
    ws_client c;
    ws_open(&c, srv.port, 0);
    auth(&c, 1, "good");
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":2,\"channels\":[\"orders\",\"ticker:BTC-AUD\","
                     "\"fills\"]}");
    ck_assert_ptr_null(expect_ack(&c, 2, NAX_STREAM_OP_SUBSCRIBE, 1));
    nax_object_free(expect_on(&c, "orders", NAX_STREAM_MSG_SNAPSHOT));
    nax_object_free(expect_on(&c, "ticker:BTC-AUD", NAX_STREAM_MSG_SNAPSHOT));
    nax_object_free(expect_on(&c, "fills", NAX_STREAM_MSG_SNAPSHOT));
    /* the expiry comes by itself, one error per private channel */
    int seen_orders = 0, seen_fills = 0;
    for (int i = 0; i < 2; i++) {
        nax_stream_message *m = expect_message(&c);
        ck_assert_int_eq(m->type, NAX_STREAM_MSG_ERROR);
        ck_assert_str_eq(m->error->code, "token_expired");
        seen_orders += strcmp(m->channel, "orders") == 0;
        seen_fills += strcmp(m->channel, "fills") == 0;
        nax_object_free(m);
    }
    ck_assert_int_eq(seen_orders, 1);
    ck_assert_int_eq(seen_fills, 1);
    /* the public channel goes on; the private ones are over */
    ck_assert_int_eq(pub_order(&srv, 7, "ord_late"), 0);
    ck_assert_int_eq(pub_ticker(&srv, "BTC-AUD", 2, "101"), 0);
    nax_object_free(expect_on(&c, "ticker:BTC-AUD", NAX_STREAM_MSG_UPDATE));
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":3,\"channels\":[\"orders\"]}");
    expect_code(expect_ack(&c, 3, NAX_STREAM_OP_SUBSCRIBE, 0), "auth_required");
    /* a new auth op opens them again */
    token_ttl_ms = 3600 * 1000;
    auth(&c, 4, "good");
    ws_send_text(&c, "{\"op\":\"subscribe\",\"id\":5,\"channels\":[\"orders\"]}");
    ck_assert_ptr_null(expect_ack(&c, 5, NAX_STREAM_OP_SUBSCRIBE, 1));
    nax_object_free(expect_on(&c, "orders", NAX_STREAM_MSG_SNAPSHOT));
    ws_close(&c);
}
END_TEST

START_TEST(a_revoked_credential_ends_its_connections_private_channels)
{
    ws_client tok, key;
    ws_open(&tok, srv.port, 0);
    ws_open(&key, srv.port, 0);
    auth(&tok, 1, "good");
    ws_send_text(&key, "{\"op\":\"auth\",\"id\":1,\"api_key\":\"key7\",\"timestamp\":1,"
                       "\"signature\":\"00\"}");
    ck_assert_ptr_null(expect_ack(&key, 1, NAX_STREAM_OP_AUTH, 1));
    subscribe_balances(&tok, 2, 7, 1);
    subscribe_balances(&key, 2, 7, 1);
    pub_revoke(&srv, 7, "good");
    nax_stream_message *m = expect_on(&tok, "balances", NAX_STREAM_MSG_ERROR);
    ck_assert_str_eq(m->error->code, "token_revoked");
    nax_object_free(m);
    /* the key's connection authenticated otherwise: it keeps its channel */
    ck_assert_int_eq(pub_balance(&srv, 7, "SEVEN", "1"), 0);
    m = expect_on(&key, "balances", NAX_STREAM_MSG_UPDATE);
    ck_assert_uint_eq(m->seq, 2);
    nax_object_free(m);
    expect_quiet(&tok, 3);
    /* revoking the key (deleted) ends that connection's private channels too */
    pub_revoke(&srv, 7, "key7");
    m = expect_on(&key, "balances", NAX_STREAM_MSG_ERROR);
    ck_assert_str_eq(m->error->code, "token_revoked");
    nax_object_free(m);
    ck_assert_int_eq(pub_balance(&srv, 7, "SEVEN", "2"), 0);
    expect_quiet(&key, 3);
    ws_close(&tok);
    ws_close(&key);
}
END_TEST

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    Suite *s = suite_create("stream_private");
    TCase *tc = tcase_create("private");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, private_channels_need_auth_then_start_with_snapshots);
    tcase_add_test(tc, events_reach_their_own_user_only);
    tcase_add_test(tc, an_expired_token_ends_the_private_channels);
    tcase_add_test(tc, a_revoked_credential_ends_its_connections_private_channels);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

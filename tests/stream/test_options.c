/*
 * The stream's API without a server: options (defaults, every refusal
 * naming its member), names of states and reasons, channel validation,
 * the bounded command queue (a flood from another thread gets NAX_ELIMIT,
 * nothing is dropped silently), calls in the wrong state, the readers'
 * errors, and allocation failures in nax_stream_new and subscribe.
 */
#include <stdio.h>
#include <stdlib.h>

#include "stream_test.h"

static void setup(void)
{
    client_test_global_init();
}

static void teardown(void)
{
    stream_test_cleanup();
    nax_global_shutdown();
}

static nax_stream_options base(void)
{
    nax_stream_options o = NAX_STREAM_OPTIONS_INIT;
    o.url = "ws://127.0.0.1:9/v1/stream";
    return o;
}

/* nax_stream_new must fail with `code` naming `field`, and leave *out NULL. */
static void expect_refused(const nax_stream_options *o, int code, const char *field)
{
    nax_stream *s = (nax_stream *)&s;
    int rc = nax_stream_new(&s, o);
    ck_assert_msg(rc == code, "rc %d, want %d (%s)", rc, code, nax_error_last()->message);
    ck_assert_ptr_null(s);
    if (field)
        ck_assert_str_eq(nax_error_last()->field, field);
}

START_TEST(options_are_checked)
{
    nax_stream_options o;
    ck_assert_int_eq(nax_stream_options_init(NULL, NAX_STREAM_OPTIONS_VERSION), NAX_EINVAL);
    ck_assert_int_eq(nax_stream_options_init(&o, 99), NAX_EVERSION);
    memset(&o, 0xff, sizeof o);
    OK(nax_stream_options_init(&o, NAX_STREAM_OPTIONS_VERSION));
    ck_assert_uint_eq(o.version, NAX_STREAM_OPTIONS_VERSION);
    ck_assert_ptr_null(o.url);
    ck_assert_uint_eq(o.ping_interval_ms, 0);
    ck_assert_int_eq(o.mode, NAX_STREAM_MODE_THREAD);

    ck_assert_int_eq(nax_stream_new(NULL, &o), NAX_EINVAL);
    expect_refused(NULL, NAX_EINVAL, "opts");
    o = base();
    o.version = 2;
    expect_refused(&o, NAX_EVERSION, "version");
    o = base();
    o.url = NULL;
    expect_refused(&o, NAX_EINVAL, "url"); /* neither a url nor a client */
    const char *bad_urls[] = {"http://h/v1/stream", "ws://",     "ws://:80/x", "ws://h:0/x",
                              "ws://h:70000/x",     "ws://h:/x", "ws://u@h/x", "ws://[::1/x",
                              "ws://h /x",          "ws://h?x"};
    for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
        o = base();
        o.url = bad_urls[i];
        expect_refused(&o, NAX_EINVAL, "url");
    }
    o = base();
    o.mode = (nax_stream_mode)7;
    expect_refused(&o, NAX_EINVAL, "mode");
    o = base();
    o.ping_interval_ms = 5;
    expect_refused(&o, NAX_EINVAL, "ping_interval_ms");
    o = base();
    o.missed_pongs = 101;
    expect_refused(&o, NAX_EINVAL, "missed_pongs");
    o = base();
    o.reconnect_min_ms = 5000;
    o.reconnect_max_ms = 1000;
    expect_refused(&o, NAX_EINVAL, "reconnect_min_ms");
    o = base();
    o.reconnect_min_ms = 70000; /* above the default maximum */
    expect_refused(&o, NAX_EINVAL, "reconnect_min_ms");
    o = base();
    o.connect_timeout_ms = 3600000;
    expect_refused(&o, NAX_EINVAL, "connect_timeout_ms");
    o = base();
    o.max_message_bytes = 100;
    expect_refused(&o, NAX_EINVAL, "max_message_bytes");
    o = base();
    o.max_pending_ops = 2000000;
    expect_refused(&o, NAX_EINVAL, "max_pending_ops");

    /* Accepted: IPv6 and a default path; wss with a CA path. */
    const char *good[] = {"ws://[::1]:8080", "wss://example.invalid/custom/path",
                          "ws://127.0.0.1:1/v1/stream"};
    for (size_t i = 0; i < 3; i++) {
        o = base();
        o.url = good[i];
        o.ca_path = "/etc/ssl/certs/ca-certificates.crt";
        nax_stream *s = NULL;
        OK(nax_stream_new(&s, &o));
        ck_assert_int_eq(nax_stream_state_get(s), NAX_STREAM_IDLE);
        stream_free(s);
    }
    nax_stream_free(NULL);
}
END_TEST

START_TEST(names)
{
    ck_assert_str_eq(nax_stream_state_name(NAX_STREAM_LIVE), "LIVE");
    ck_assert_str_eq(nax_stream_state_name(NAX_STREAM_RESYNCING), "RESYNCING");
    ck_assert_str_eq(nax_stream_state_name((nax_stream_state)42), "unknown");
    ck_assert_str_eq(nax_stream_reason_name(NAX_STREAM_REASON_SEQ_GAP), "seq_gap");
    ck_assert_str_eq(nax_stream_reason_name(NAX_STREAM_REASON_TOKEN_EXPIRED), "token_expired");
    ck_assert_str_eq(nax_stream_reason_name((nax_stream_reason)-1), "unknown");
    for (int r = NAX_STREAM_REASON_NONE; r <= NAX_STREAM_REASON_TOKEN_EXPIRED; r++)
        ck_assert_str_ne(nax_stream_reason_name((nax_stream_reason)r), "unknown");
    for (int st = NAX_STREAM_IDLE; st <= NAX_STREAM_CLOSED; st++)
        ck_assert_str_ne(nax_stream_state_name((nax_stream_state)st), "unknown");
}
END_TEST

START_TEST(channels_are_checked)
{
    nax_stream_options o = base();
    nax_stream *s = NULL;
    OK(nax_stream_new(&s, &o));
    const char *bad[] = {"ticker:BTC-AUD", "book:btc-aud"};
    EXPECT_ERROR(nax_stream_subscribe(s, bad, 2), NAX_EINVAL, 0, NULL, "channels[1]");
    const char *more[] = {"trades:B-AUD",           "book:BTCAUD", "orders ", "",
                          "book:ABCDEFGHIJKLM-AUD", "ticker:"};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        EXPECT_ERROR(nax_stream_subscribe(s, &more[i], 1), NAX_EINVAL, 0, NULL, "channels[0]");
    EXPECT_ERROR(nax_stream_subscribe(s, NULL, 1), NAX_EINVAL, 0, NULL, "channels");
    EXPECT_ERROR(nax_stream_subscribe(NULL, bad, 1), NAX_EINVAL, 0, NULL, "stream");
    OK(nax_stream_subscribe(s, NULL, 0));
    const char *good[] = {"ticker:BTC-AUD", "trades:ETH-USD", "book:XRP-AUD",
                          "orders",         "balances",       "fills"};
    OK(nax_stream_subscribe(s, good, 6));
    OK(nax_stream_unsubscribe(s, good, 2));

    /* Readers: no book yet; bad arguments; struct sizes. */
    nax_book_top top = {sizeof top};
    nax_order_book *b = (nax_order_book *)&b;
    EXPECT_ERROR(nax_stream_book_top(s, "XRP-AUD", &top), NAX_ENOTFOUND, 0, NULL, "pair");
    EXPECT_ERROR(nax_stream_book_copy(s, "XRP-AUD", 0, &b), NAX_ENOTFOUND, 0, NULL, "pair");
    ck_assert_ptr_null(b);
    EXPECT_ERROR(nax_stream_book_top(s, NULL, &top), NAX_EINVAL, 0, NULL, NULL);
    EXPECT_ERROR(nax_stream_book_copy(s, "XRP-AUD", 0, NULL), NAX_EINVAL, 0, NULL, NULL);
    top.struct_size = 8;
    EXPECT_ERROR(nax_stream_book_top(s, "XRP-AUD", &top), NAX_EVERSION, 0, NULL, "struct_size");
    nax_stream_stats st = {0};
    EXPECT_ERROR(nax_stream_stats_get(s, &st), NAX_EVERSION, 0, NULL, "struct_size");
    st.struct_size = sizeof st;
    OK(nax_stream_stats_get(s, &st));
    ck_assert_uint_eq(st.messages, 0);
    /* Not external: no service. */
    EXPECT_ERROR(nax_stream_service(s, 0), NAX_ESTATE, 0, NULL, NULL);

    /* Stopped before it started: closed, with no callback. */
    OK(nax_stream_stop(s));
    ck_assert_int_eq(nax_stream_state_get(s), NAX_STREAM_CLOSED);
    EXPECT_ERROR(nax_stream_subscribe(s, good, 1), NAX_ESTATE, 0, NULL, NULL);
    EXPECT_ERROR(nax_stream_start(s), NAX_ESTATE, 0, NULL, NULL);
    ck_assert_int_eq(nax_stream_stop(NULL), NAX_EINVAL);
    ck_assert_int_eq(nax_stream_state_get(NULL), NAX_STREAM_CLOSED);
    stream_free(s);
}
END_TEST

/* ---- the bounded command queue -------------------------------------------------- */

typedef struct flood {
    nax_stream *s;
    int accepted, refused, other;
} flood;

static void *flood_commands(void *arg)
{
    flood *f = arg;
    const char *ch[] = {"ticker:BTC-AUD"};
    for (int i = 0; i < 100; i++) {
        int rc = i % 2 ? nax_stream_unsubscribe(f->s, ch, 1) : nax_stream_subscribe(f->s, ch, 1);
        if (rc == 0)
            f->accepted++;
        else if (rc == NAX_ELIMIT && nax_error_last()->code == NAX_ELIMIT)
            f->refused++;
        else
            f->other++;
    }
    return NULL;
}

START_TEST(command_queue_is_bounded)
{
    recorder *r = rec_new();
    nax_stream_options o = base();
    o.mode = NAX_STREAM_MODE_EXTERNAL;
    o.max_pending_ops = 16;
    o.callbacks = rec_callbacks(r);
    nax_stream *s = NULL;
    OK(nax_stream_new(&s, &o));
    /* Nobody drives the stream yet: the queue fills and then refuses. */
    flood f = {s, 0, 0, 0};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, flood_commands, &f), 0);
    pthread_join(t, NULL);
    ck_assert_int_eq(f.accepted, 16);
    ck_assert_int_eq(f.refused, 84);
    ck_assert_int_eq(f.other, 0);
    /* Driving it drains the queue (the server at port 9 is not there: the
     * connection fails, which does not matter here). */
    OK(nax_stream_start(s));
    OK(nax_stream_service(s, 0));
    const char *ch[] = {"book:BTC-AUD"};
    OK(nax_stream_subscribe(s, ch, 1));
    stream_free(s);
    ck_assert_int_ge(rec_find(r, 0, NAX_STREAM_CLOSED, NAX_STREAM_REASON_STOPPED, NULL), 0);
}
END_TEST

/* ---- allocation failures --------------------------------------------------------- */

static long fail_at, attempts;

static void *failing_malloc(size_t size, void *ud)
{
    (void)ud;
    return ++attempts == fail_at ? NULL : malloc(size);
}

static void *failing_realloc(void *p, size_t size, void *ud)
{
    (void)ud;
    return ++attempts == fail_at ? NULL : realloc(p, size);
}

static void plain_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

START_TEST(allocation_failures)
{
    nax_global_shutdown();
    nax_allocator a = {NAX_ALLOCATOR_VERSION, failing_malloc, failing_realloc, plain_free, NULL};
    ck_assert_int_eq(nax_global_init(&a), 0);
    nax_stream_options o = base();
    o.mode = NAX_STREAM_MODE_EXTERNAL;
    const char *ch[] = {"book:BTC-AUD", "orders"};
    /* Fail allocation k, for every k the flow reaches: each run ends cleanly
     * (ASan reports leaks) with 0 or NAX_ENOMEM. */
    for (long k = 1;; k++) {
        attempts = 0;
        fail_at = k;
        nax_stream *s = NULL;
        int rc = nax_stream_new(&s, &o);
        if (!rc)
            rc = nax_stream_subscribe(s, ch, 2);
        if (!rc)
            rc = nax_stream_start(s);
        for (int i = 0; !rc && i < 3; i++)
            rc = nax_stream_service(s, 0);
        long reached = attempts;
        fail_at = 0;
        stream_free(s);
        ck_assert_msg(rc == 0 || rc == NAX_ENOMEM, "k=%ld: %d %s", k, rc,
                      nax_error_last()->message);
        if (reached < k) {
            ck_assert_int_ge(k, 10); /* every allocation point failed once */
            break;
        }
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("stream_options");
    TCase *tc = tcase_create("options");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, options_are_checked);
    tcase_add_test(tc, names);
    tcase_add_test(tc, channels_are_checked);
    tcase_add_test(tc, command_queue_is_bounded);
    tcase_add_test(tc, allocation_failures);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

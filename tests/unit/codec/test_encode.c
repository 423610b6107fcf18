/*
 * Encoding: stable compact output, omission of absent optional members, and
 * the errors for structs that cannot be written (missing required members,
 * zero enums, bad struct_size, invalid UTF-8). A failed encode leaves an
 * empty buffer.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_test.h"

static nax_order sample_order(nax_decimal *price)
{
    nax_order o = {sizeof o};
    *price = DEC("97250.50");
    o.id = "o_1";
    o.pair = "BTC-AUD";
    o.side = NAX_SIDE_BUY;
    o.type = NAX_ORDER_TYPE_LIMIT;
    o.price = price;
    o.quantity = DEC("1.5");
    o.filled_quantity = DEC("0");
    o.time_in_force = NAX_TIF_GTC;
    o.status = NAX_ORDER_STATUS_OPEN;
    o.created_at = 1;
    o.updated_at = 2;
    return o;
}

#define SAMPLE_ORDER_JSON                                                                          \
    "{\"id\":\"o_1\",\"pair\":\"BTC-AUD\",\"side\":\"buy\",\"type\":\"limit\","                    \
    "\"price\":\"97250.50\",\"quantity\":\"1.5\",\"filled_quantity\":\"0\","                       \
    "\"time_in_force\":\"GTC\",\"status\":\"open\",\"created_at\":1,\"updated_at\":2}"

START_TEST(members_in_table_order_and_absent_optionals_omitted)
{
    nax_decimal price;
    nax_order o = sample_order(&price);
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_ORDER, &o), SAMPLE_ORDER_JSON);
    /* Optional members appear once set. */
    nax_decimal avg = DEC("97250.25");
    o.average_price = &avg;
    o.post_only = 7; /* any non-zero value is true */
    o.client_order_id = "c-1";
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_ORDER, &o),
                     "{\"id\":\"o_1\",\"client_order_id\":\"c-1\",\"pair\":\"BTC-AUD\","
                     "\"side\":\"buy\",\"type\":\"limit\",\"price\":\"97250.50\","
                     "\"quantity\":\"1.5\",\"filled_quantity\":\"0\","
                     "\"average_price\":\"97250.25\",\"time_in_force\":\"GTC\","
                     "\"post_only\":true,\"status\":\"open\",\"created_at\":1,\"updated_at\":2}");
}
END_TEST

START_TEST(zero_values_of_required_and_optional_members)
{
    /* Required integers and booleans are written even when zero. */
    nax_stream_ack ack = {sizeof ack, NAX_STREAM_OP_PING, 0, 0, NULL};
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_STREAM_ACK, &ack),
                     "{\"op\":\"ping\",\"id\":0,\"ok\":false}");
    /* Optional integers are omitted when zero. */
    nax_api_key key = {sizeof key, "k", "l", NAX_SCOPE_READ, NULL, 5, 0};
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_API_KEY, &key),
                     "{\"id\":\"k\",\"label\":\"l\",\"scopes\":[\"read\"],\"created_at\":5}");
    key.last_used_at = -1;
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_API_KEY, &key),
                     "{\"id\":\"k\",\"label\":\"l\",\"scopes\":[\"read\"],\"created_at\":5,"
                     "\"last_used_at\":-1}");
    /* The checksum has a presence flag: zero is a valid checksum. */
    nax_stream_message m = {sizeof m};
    m.channel = "book:X";
    m.type = NAX_STREAM_MSG_LAGGING;
    m.checksum = 77;
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_STREAM_MESSAGE, &m),
                     "{\"channel\":\"book:X\",\"type\":\"lagging\"}");
    m.has_checksum = 1;
    m.checksum = 0;
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_STREAM_MESSAGE, &m),
                     "{\"channel\":\"book:X\",\"type\":\"lagging\",\"checksum\":0}");
    /* Integer extremes. */
    nax_server_time t = {sizeof t, INT64_MIN};
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_SERVER_TIME, &t), "{\"server_time\":-9223372036854775808}");
    ack.id = UINT64_MAX;
    ack.ok = 1;
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_STREAM_ACK, &ack),
                     "{\"op\":\"ping\",\"id\":18446744073709551615,\"ok\":true}");
}
END_TEST

START_TEST(lists)
{
    /* A required list that is NULL is written empty; an optional one is left out. */
    nax_order_list l = {sizeof l, NULL, 0, NULL};
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_ORDER_LIST, &l), "{\"orders\":[]}");
    nax_stream_op op = {sizeof op, NAX_STREAM_OP_PING, 9};
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_STREAM_OP, &op), "{\"op\":\"ping\",\"id\":9}");
    /* A non-NULL empty optional list is present. */
    nax_book_level none[1];
    nax_stream_message m = {sizeof m};
    m.channel = "book:X";
    m.type = NAX_STREAM_MSG_LAGGING;
    m.bids = none;
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_STREAM_MESSAGE, &m),
                     "{\"channel\":\"book:X\",\"type\":\"lagging\",\"bids\":[]}");
    /* ... unless the contract wants it non-empty. */
    const char *no_channels[1] = {NULL};
    op.op = NAX_STREAM_OP_UNSUBSCRIBE;
    op.channels = no_channels;
    EXPECT_ENCODE_ERROR(NAX_TYPE_STREAM_OP, &op, NAX_EINVAL, "channels",
                        "must name at least one channel");
    const char *channels[] = {"ticker:BTC-AUD", "book:ETH-AUD"};
    op.channels = channels;
    op.channels_count = 2;
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_STREAM_OP, &op),
                     "{\"op\":\"unsubscribe\",\"id\":9,\"channels\":[\"ticker:BTC-AUD\","
                     "\"book:ETH-AUD\"]}");
    nax_decimal price;
    nax_order o1 = sample_order(&price), o2 = sample_order(&price);
    o2.id = "o_2";
    const nax_order *orders[] = {&o1, &o2};
    l.orders = orders;
    l.orders_count = 2;
    l.next_cursor = "next";
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_ORDER_LIST, &l),
                     "{\"orders\":[" SAMPLE_ORDER_JSON ",{\"id\":\"o_2\",\"pair\":\"BTC-AUD\","
                     "\"side\":\"buy\",\"type\":\"limit\",\"price\":\"97250.50\","
                     "\"quantity\":\"1.5\",\"filled_quantity\":\"0\",\"time_in_force\":\"GTC\","
                     "\"status\":\"open\",\"created_at\":1,\"updated_at\":2}],"
                     "\"next_cursor\":\"next\"}");
}
END_TEST

START_TEST(strings_are_escaped_and_utf8_passes_through)
{
    nax_error_body e = {sizeof e, "c", "quote \" backslash \\ slash / nl \n tab \t \x01\x1f\x7f",
                        "caf\xc3\xa9 \xf0\x9f\x98\x80", NULL};
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_ERROR_BODY, &e),
                     "{\"error\":{\"code\":\"c\",\"message\":\"quote \\\" backslash \\\\ slash / "
                     "nl \\n tab \\t \\u0001\\u001F\x7f\",\"field\":\"caf\xc3\xa9 "
                     "\xf0\x9f\x98\x80\"}}");
    /* And decoding gives back the same bytes. */
    nax_error_body *back = DECODE_OK(NAX_TYPE_ERROR_BODY, ENCODE_OK(NAX_TYPE_ERROR_BODY, &e));
    ck_assert_str_eq(back->message, e.message);
    ck_assert_str_eq(back->field, e.field);
    nax_object_free(back);
}
END_TEST

START_TEST(scopes_in_bit_order)
{
    nax_api_key_request r = {sizeof r, "bot", NAX_SCOPE_WITHDRAW | NAX_SCOPE_READ};
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_API_KEY_REQUEST, &r),
                     "{\"label\":\"bot\",\"scopes\":[\"read\",\"withdraw\"]}");
    r.scopes = NAX_SCOPE_READ | 8;
    EXPECT_ENCODE_ERROR(NAX_TYPE_API_KEY_REQUEST, &r, NAX_EINVAL, "scopes",
                        "unknown scope bits 0x8");
    r.scopes = 0;
    EXPECT_ENCODE_ERROR(NAX_TYPE_API_KEY_REQUEST, &r, NAX_EINVAL, "scopes",
                        "missing required member");
}
END_TEST

START_TEST(missing_required_members)
{
    nax_decimal price;
    nax_order o = sample_order(&price);
    o.id = NULL;
    EXPECT_ENCODE_ERROR(NAX_TYPE_ORDER, &o, NAX_EINVAL, "id", "missing required member");

    nax_error_body e = {sizeof e, NULL, "m", NULL, NULL};
    EXPECT_ENCODE_ERROR(NAX_TYPE_ERROR_BODY, &e, NAX_EINVAL, "error.code",
                        "missing required member");

    nax_error_body inner = {sizeof inner, "c", NULL, NULL, NULL};
    nax_stream_ack ack = {sizeof ack, NAX_STREAM_OP_AUTH, 1, 0, &inner};
    EXPECT_ENCODE_ERROR(NAX_TYPE_STREAM_ACK, &ack, NAX_EINVAL, "error.message",
                        "missing required member");

    nax_order o1 = sample_order(&price), o2 = sample_order(&price);
    o2.pair = NULL;
    const nax_order *orders[] = {&o1, &o2};
    nax_order_list l = {sizeof l, orders, 2, NULL};
    EXPECT_ENCODE_ERROR(NAX_TYPE_ORDER_LIST, &l, NAX_EINVAL, "orders[1].pair",
                        "missing required member");

    nax_webhook_event w = {sizeof w, "id", NAX_WEBHOOK_KYC_VERIFIED, 1, NULL};
    EXPECT_ENCODE_ERROR(NAX_TYPE_WEBHOOK_EVENT, &w, NAX_EINVAL, "data", "missing required member");

    /* Cross-member rules apply on the way out too. */
    nax_order_request r = {sizeof r, "BTC-AUD", NAX_SIDE_SELL, NAX_ORDER_TYPE_LIMIT};
    EXPECT_ENCODE_ERROR(NAX_TYPE_ORDER_REQUEST, &r, NAX_EINVAL, "price", "limit order");
    nax_stream_message m = {sizeof m};
    m.channel = "book:BTC-AUD";
    m.type = NAX_STREAM_MSG_SNAPSHOT;
    nax_book_level lv = {DEC("1"), DEC("2")};
    m.bids = m.asks = &lv;
    m.bids_count = m.asks_count = 1;
    EXPECT_ENCODE_ERROR(NAX_TYPE_STREAM_MESSAGE, &m, NAX_EINVAL, "checksum", "book channel");
}
END_TEST

START_TEST(enums)
{
    nax_decimal price;
    nax_order o = sample_order(&price);
    o.side = NAX_SIDE_NONE;
    EXPECT_ENCODE_ERROR(NAX_TYPE_ORDER, &o, NAX_EINVAL, "side", "missing required member");
    o.side = (nax_side)3;
    EXPECT_ENCODE_ERROR(NAX_TYPE_ORDER, &o, NAX_EINVAL, "side", "invalid enum value 3");
    o.side = (nax_side)-1;
    EXPECT_ENCODE_ERROR(NAX_TYPE_ORDER, &o, NAX_EINVAL, "side", "invalid enum value -1");
    o = sample_order(&price);
    o.time_in_force = NAX_TIF_NONE; /* required in an order */
    EXPECT_ENCODE_ERROR(NAX_TYPE_ORDER, &o, NAX_EINVAL, "time_in_force", "missing required member");
    /* ... but optional in a request. */
    nax_order_request r = {sizeof r, "P", NAX_SIDE_SELL, NAX_ORDER_TYPE_MARKET, NULL, DEC("1")};
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_ORDER_REQUEST, &r),
                     "{\"pair\":\"P\",\"side\":\"sell\",\"type\":\"market\",\"quantity\":\"1\"}");
}
END_TEST

START_TEST(struct_size)
{
    nax_decimal price;
    nax_order o = sample_order(&price);
    o.struct_size = 0;
    EXPECT_ENCODE_ERROR(NAX_TYPE_ORDER, &o, NAX_EVERSION, "", "struct_size 0 of order");
    o.struct_size = sizeof o + 8;
    EXPECT_ENCODE_ERROR(NAX_TYPE_ORDER, &o, NAX_EVERSION, "", "is not supported");
    o.struct_size = 4;
    EXPECT_ENCODE_ERROR(NAX_TYPE_ORDER, &o, NAX_EVERSION, "", "struct_size 4");

    /* Nested structs are checked too. */
    nax_order bad = sample_order(&price);
    bad.struct_size = 1000;
    o = sample_order(&price);
    const nax_order *orders[] = {&o, &bad};
    nax_order_list l = {sizeof l, orders, 2, NULL};
    EXPECT_ENCODE_ERROR(NAX_TYPE_ORDER_LIST, &l, NAX_EVERSION, "orders[1]", "struct_size 1000");
    nax_error_body e = {0, "c", "m"};
    EXPECT_ENCODE_ERROR(NAX_TYPE_ERROR_BODY, &e, NAX_EVERSION, "error", "struct_size 0");

    /* An older, smaller struct: members ending beyond its size are absent. */
    nax_error_body inner = {sizeof inner, "c", "m", NULL, NULL};
    nax_stream_message m = {offsetof(nax_stream_message, error)};
    m.channel = "orders";
    m.type = NAX_STREAM_MSG_LAGGING;
    m.error = &inner; /* beyond struct_size: must not be read */
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_STREAM_MESSAGE, &m),
                     "{\"channel\":\"orders\",\"type\":\"lagging\"}");
    m.struct_size = sizeof m;
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_STREAM_MESSAGE, &m),
                     "{\"channel\":\"orders\",\"type\":\"lagging\",\"error\":{\"code\":\"c\","
                     "\"message\":\"m\"}}");
    /* A member cut in half by struct_size is absent as well. */
    m.struct_size = offsetof(nax_stream_message, error) + 4;
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_STREAM_MESSAGE, &m),
                     "{\"channel\":\"orders\",\"type\":\"lagging\"}");
    /* ... and a required member beyond struct_size is missing. */
    o = sample_order(&price);
    o.struct_size = offsetof(nax_order, updated_at);
    EXPECT_ENCODE_ERROR(NAX_TYPE_ORDER, &o, NAX_EINVAL, "updated_at", "missing required member");
    /* An array whose count lies beyond struct_size is absent. */
    nax_book_level lv = {DEC("1"), DEC("2")};
    nax_stream_message b = {offsetof(nax_stream_message, bids_count)};
    b.channel = "book:X";
    b.type = NAX_STREAM_MSG_LAGGING;
    b.bids = &lv;
    b.bids_count = 1;
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_STREAM_MESSAGE, &b),
                     "{\"channel\":\"book:X\",\"type\":\"lagging\"}");
}
END_TEST

START_TEST(invalid_strings_and_values)
{
    nax_health h = {sizeof h, "o\xff", "ok", "1"};
    EXPECT_ENCODE_ERROR(NAX_TYPE_HEALTH, &h, NAX_EINVAL, "status", "invalid UTF-8 at byte 1");
    h.status = "ok";
    h.store = "\xc0\x80"; /* overlong NUL */
    EXPECT_ENCODE_ERROR(NAX_TYPE_HEALTH, &h, NAX_EINVAL, "store", "invalid UTF-8 at byte 0");
    h.store = "ok";
    h.version = "\xed\xa0\x80"; /* a surrogate */
    EXPECT_ENCODE_ERROR(NAX_TYPE_HEALTH, &h, NAX_EINVAL, "version", "invalid UTF-8");
    h.version = "caf\xc3"; /* cut short */
    EXPECT_ENCODE_ERROR(NAX_TYPE_HEALTH, &h, NAX_EINVAL, "version", "invalid UTF-8 at byte 3");

    const char *channels[] = {"ok", "\xf8"};
    nax_stream_op op = {sizeof op, NAX_STREAM_OP_SUBSCRIBE, 1, channels, 2};
    EXPECT_ENCODE_ERROR(NAX_TYPE_STREAM_OP, &op, NAX_EINVAL, "channels[1]", "invalid UTF-8");
    channels[1] = NULL;
    EXPECT_ENCODE_ERROR(NAX_TYPE_STREAM_OP, &op, NAX_EINVAL, "channels[1]", "NULL element");
    op.channels = NULL;
    EXPECT_ENCODE_ERROR(NAX_TYPE_STREAM_OP, &op, NAX_EINVAL, "channels", "NULL array with 2");

    /* A decimal with an impossible scale. */
    nax_balance bal = {sizeof bal, "BTC", DEC("1"), DEC("0"), DEC("1")};
    bal.locked.scale = 19;
    EXPECT_ENCODE_ERROR(NAX_TYPE_BALANCE, &bal, NAX_EINVAL, "locked", "not a valid nax_decimal");
    nax_book_level levels[2] = {{DEC("1"), DEC("2")}, {DEC("1"), DEC("2")}};
    levels[1].quantity.negative = 1;
    levels[1].quantity.lo = 0; /* -0 never exists */
    nax_order_book book = {sizeof book, "P", 1, levels, 2, NULL, 0, 0, 1};
    EXPECT_ENCODE_ERROR(NAX_TYPE_ORDER_BOOK, &book, NAX_EINVAL, "bids[1][1]",
                        "not a valid nax_decimal");
}
END_TEST

START_TEST(buffer_reuse_and_bad_arguments)
{
    nax_buf buf = NAX_BUF_INIT;
    nax_totp_code code = {sizeof code, "123456"};
    ck_assert_int_eq(nax_encode(&buf, NAX_TYPE_TOTP_CODE, &code), 0);
    ck_assert_str_eq(buf.data, "{\"code\":\"123456\"}");
    char *memory = buf.data;
    nax_server_time t = {sizeof t, 5};
    ck_assert_int_eq(nax_encode(&buf, NAX_TYPE_SERVER_TIME, &t), 0);
    ck_assert_str_eq(buf.data, "{\"server_time\":5}"); /* replaced, not appended */
    ck_assert_ptr_eq(buf.data, memory);                /* memory reused */
    ck_assert_uint_eq(buf.len, strlen("{\"server_time\":5}"));

    ck_assert_int_eq(nax_encode(NULL, NAX_TYPE_SERVER_TIME, &t), NAX_EINVAL);
    ck_assert_int_eq(nax_encode(&buf, NAX_TYPE_SERVER_TIME, NULL), NAX_EINVAL);
    ck_assert_uint_eq(buf.len, 0);
    ck_assert_int_eq(nax_encode(&buf, NAX_TYPE_NONE, &t), NAX_EINVAL);
    ck_assert_int_eq(nax_encode(&buf, (nax_type)45, &t), NAX_EINVAL);
    nax_buf_dispose(&buf);
}
END_TEST

/* Decoding a canonical encoding and encoding it again gives the same bytes,
 * for objects built here with every kind of member. */
START_TEST(encode_decode_encode_is_stable)
{
    nax_decimal price;
    nax_order o = sample_order(&price);
    nax_balance bal = {sizeof bal, "AUD", DEC("-0.00"), DEC("10.10"), DEC("10.1")};
    nax_book_level levels[30];
    for (int i = 0; i < 30; i++) {
        char p[32];
        snprintf(p, sizeof p, "%d.%02d", 100 - i, i);
        levels[i].price = DEC(p);
        levels[i].quantity = DEC("0.001");
    }
    nax_stream_message m = {sizeof m};
    m.channel = "book:BTC-AUD";
    m.type = NAX_STREAM_MSG_SNAPSHOT;
    m.bids = levels;
    m.bids_count = 30;
    m.asks = levels + 10;
    m.asks_count = 5;
    m.has_checksum = 1;
    m.order = &o;
    m.balance = &bal;
    ck_assert_int_eq(nax_book_checksum(&m.checksum, m.bids, 30, m.asks, 5), 0);
    char *first = strdup(ENCODE_OK(NAX_TYPE_STREAM_MESSAGE, &m));
    nax_stream_message *back = DECODE_OK(NAX_TYPE_STREAM_MESSAGE, first);
    ck_assert_uint_eq(back->bids_count, 30);
    ASSERT_DEC(&back->balance->available, "0.00"); /* -0 has no sign */
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_STREAM_MESSAGE, back), first);
    nax_object_free(back);
    free(first);
}
END_TEST

static Suite *encode_suite(void)
{
    Suite *s = suite_create("codec_encode");
    TCase *tc = tcase_create("encode");
    tcase_add_test(tc, members_in_table_order_and_absent_optionals_omitted);
    tcase_add_test(tc, zero_values_of_required_and_optional_members);
    tcase_add_test(tc, lists);
    tcase_add_test(tc, strings_are_escaped_and_utf8_passes_through);
    tcase_add_test(tc, scopes_in_bit_order);
    tcase_add_test(tc, missing_required_members);
    tcase_add_test(tc, enums);
    tcase_add_test(tc, struct_size);
    tcase_add_test(tc, invalid_strings_and_values);
    tcase_add_test(tc, buffer_reuse_and_bad_arguments);
    tcase_add_test(tc, encode_decode_encode_is_stable);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(encode_suite());
}

/*
 * Rejection cases: every malformed or non-conforming input fails with the
 * exact error code, names the JSON path in nax_error_last()->field, and
 * leaves *out NULL (and, under the sanitizer build, leaks nothing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec_internal.h"
#include "codec_test.h"
#include "decimal/decimal_internal.h"

/* A valid order; tests replace one piece of it. */
#define ORDER_HEAD "{\"id\":\"o_1\",\"pair\":\"BTC-AUD\",\"side\":\"buy\",\"type\":\"limit\","
#define ORDER_TAIL                                                                                 \
    "\"quantity\":\"1\",\"filled_quantity\":\"0\",\"time_in_force\":\"GTC\","                      \
    "\"status\":\"open\",\"created_at\":1,\"updated_at\":2}"
#define ORDER_WITH_PRICE(p) ORDER_HEAD "\"price\":" p "," ORDER_TAIL

#define BOOK(bids, asks)                                                                           \
    "{\"pair\":\"BTC-AUD\",\"seq\":1,\"bids\":" bids ",\"asks\":" asks ",\"checksum\":0,\"ts\":1}"

#define HEALTH(status) "{\"status\":" status ",\"store\":\"ok\",\"version\":\"1\"}"

START_TEST(the_baselines_are_valid)
{
    nax_object_free(DECODE_OK(NAX_TYPE_ORDER, ORDER_WITH_PRICE("\"1.5\"")));
    nax_object_free(DECODE_OK(NAX_TYPE_ORDER_BOOK, BOOK("[[\"1\",\"2\"]]", "[]")));
    nax_object_free(DECODE_OK(NAX_TYPE_HEALTH, HEALTH("\"ok\"")));
}
END_TEST

START_TEST(wrong_json_types)
{
    EXPECT_REJECT(NAX_TYPE_TICKER, "{\"pair\":\"X\",\"volume_24h\":\"1\",\"seq\":\"5\",\"ts\":1}",
                  NAX_ESCHEMA, "seq", "expected integer, got string");
    EXPECT_REJECT(NAX_TYPE_HEALTH, HEALTH("5"), NAX_ESCHEMA, "status",
                  "expected string, got number");
    EXPECT_REJECT(NAX_TYPE_HEALTH, HEALTH("true"), NAX_ESCHEMA, "status",
                  "expected string, got boolean");
    EXPECT_REJECT(NAX_TYPE_HEALTH, HEALTH("[\"ok\"]"), NAX_ESCHEMA, "status",
                  "expected string, got array");
    EXPECT_REJECT(NAX_TYPE_HEALTH, HEALTH("{}"), NAX_ESCHEMA, "status",
                  "expected string, got object");
    EXPECT_REJECT(NAX_TYPE_PROFILE,
                  "{\"id\":\"u\",\"email\":\"e\",\"kyc_status\":\"pending\",\"totp_enabled\":1,"
                  "\"created_at\":1}",
                  NAX_ESCHEMA, "totp_enabled", "expected boolean, got number");
    EXPECT_REJECT(NAX_TYPE_PROFILE,
                  "{\"id\":\"u\",\"email\":\"e\",\"kyc_status\":\"pending\","
                  "\"totp_enabled\":\"true\",\"created_at\":1}",
                  NAX_ESCHEMA, "totp_enabled", "expected boolean, got string");
    EXPECT_REJECT(NAX_TYPE_ORDER_LIST, "{\"orders\":{}}", NAX_ESCHEMA, "orders",
                  "expected array, got object");
    EXPECT_REJECT(NAX_TYPE_ORDER_LIST, "{\"orders\":[" ORDER_WITH_PRICE("\"1\"") ",\"o_2\"]}",
                  NAX_ESCHEMA, "orders[1]", "expected object, got string");
    EXPECT_REJECT(NAX_TYPE_ORDER_LIST, "{\"orders\":[null]}", NAX_ESCHEMA, "orders[0]",
                  "expected object, got null");
    EXPECT_REJECT(NAX_TYPE_WEBHOOK_EVENT,
                  "{\"id\":\"m\",\"type\":\"kyc.verified\",\"created_at\":1,\"data\":[]}",
                  NAX_ESCHEMA, "data", "expected object, got array");
    EXPECT_REJECT(NAX_TYPE_STREAM_OP,
                  "{\"op\":\"subscribe\",\"id\":1,\"channels\":[\"ticker:BTC-AUD\",7]}",
                  NAX_ESCHEMA, "channels[1]", "expected string, got number");
    EXPECT_REJECT(NAX_TYPE_STREAM_OP, "{\"op\":\"subscribe\",\"id\":1,\"channels\":[[]]}",
                  NAX_ESCHEMA, "channels[0]", "expected string, got array");
    EXPECT_REJECT(NAX_TYPE_ORDER, ORDER_HEAD "\"price\":\"1\",\"side\":4," ORDER_TAIL, NAX_ESCHEMA,
                  "side", "duplicate member"); /* side already seen */
    EXPECT_REJECT(NAX_TYPE_TRADE,
                  "{\"id\":\"t\",\"pair\":\"P\",\"price\":\"1\",\"quantity\":\"1\",\"side\":1,"
                  "\"ts\":1}",
                  NAX_ESCHEMA, "side", "expected string, got number");
    EXPECT_REJECT(NAX_TYPE_STREAM_ACK, "{\"op\":\"ping\",\"id\":1,\"ok\":false,\"error\":\"x\"}",
                  NAX_ESCHEMA, "error", "expected object, got string");
}
END_TEST

START_TEST(the_root_must_be_an_object)
{
    EXPECT_REJECT(NAX_TYPE_HEALTH, "[]", NAX_ESCHEMA, "", "expected object, got array");
    EXPECT_REJECT(NAX_TYPE_HEALTH, "\"ok\"", NAX_ESCHEMA, "", "expected object, got string");
    EXPECT_REJECT(NAX_TYPE_HEALTH, "42", NAX_ESCHEMA, "", "expected object, got number");
    EXPECT_REJECT(NAX_TYPE_HEALTH, "null", NAX_ESCHEMA, "", "expected object, got null");
    EXPECT_REJECT(NAX_TYPE_ERROR_BODY, "{\"error\":\"bad\"}", NAX_ESCHEMA, "error",
                  "expected object, got string");
    EXPECT_REJECT(NAX_TYPE_ERROR_BODY, "{\"error\":null}", NAX_ESCHEMA, "error",
                  "required member is null");
    /* The error body without its wrapper is missing the wrapper member. */
    EXPECT_REJECT(NAX_TYPE_ERROR_BODY, "{\"code\":\"c\",\"message\":\"m\"}", NAX_ESCHEMA, "error",
                  "missing required member");
}
END_TEST

START_TEST(missing_required_members)
{
    EXPECT_REJECT(NAX_TYPE_HEALTH, "{\"status\":\"ok\",\"version\":\"1\"}", NAX_ESCHEMA, "store",
                  "missing required member");
    EXPECT_REJECT(NAX_TYPE_HEALTH, "{}", NAX_ESCHEMA, "status", "missing required member");
    EXPECT_REJECT(NAX_TYPE_ERROR_BODY, "{\"error\":{\"message\":\"m\"}}", NAX_ESCHEMA, "error.code",
                  "missing required member");
    EXPECT_REJECT(NAX_TYPE_ORDER_LIST,
                  "{\"orders\":[" ORDER_WITH_PRICE("\"1\"") ",{\"pair\":\"X\"}]}", NAX_ESCHEMA,
                  "orders[1].id", "missing required member");
    EXPECT_REJECT(NAX_TYPE_ORDER_BOOK,
                  "{\"pair\":\"BTC-AUD\",\"seq\":1,\"bids\":[],\"checksum\":0,\"ts\":1}",
                  NAX_ESCHEMA, "asks", "missing required member");
    EXPECT_REJECT(NAX_TYPE_STREAM_ACK,
                  "{\"op\":\"ping\",\"id\":1,\"ok\":false,\"error\":{\"code\":\"c\"}}", NAX_ESCHEMA,
                  "error.message", "missing required member");
    EXPECT_REJECT(NAX_TYPE_API_KEY_LIST,
                  "{\"api_keys\":[{\"id\":\"k\",\"label\":\"l\",\"created_at\":1}]}", NAX_ESCHEMA,
                  "api_keys[0].scopes", "missing required member");
}
END_TEST

START_TEST(null_members)
{
    EXPECT_REJECT(NAX_TYPE_HEALTH, HEALTH("null"), NAX_ESCHEMA, "status",
                  "required member is null");
    EXPECT_REJECT(NAX_TYPE_ORDER_LIST, "{\"orders\":null}", NAX_ESCHEMA, "orders",
                  "required member is null");
    EXPECT_REJECT(NAX_TYPE_ORDER, ORDER_HEAD "\"price\":\"1\",\"quantity\":null}", NAX_ESCHEMA,
                  "quantity", "required member is null");
    /* null for an optional member means absent */
    nax_ticker *t = DECODE_OK(NAX_TYPE_TICKER, "{\"pair\":\"X\",\"bid\":null,\"ask\":\"2\","
                                               "\"volume_24h\":\"1\",\"seq\":1,\"ts\":1}");
    ck_assert_ptr_null(t->bid);
    ASSERT_DEC(t->ask, "2");
    nax_object_free(t);
}
END_TEST

START_TEST(bad_decimals)
{
    EXPECT_REJECT(NAX_TYPE_ORDER, ORDER_WITH_PRICE("\"97,250.50\""), NAX_ESCHEMA, "price",
                  "not a decimal (unexpected ',' at offset 2)");
    EXPECT_REJECT(NAX_TYPE_ORDER, ORDER_WITH_PRICE("\"\""), NAX_ESCHEMA, "price",
                  "not a decimal (empty string)");
    EXPECT_REJECT(NAX_TYPE_ORDER, ORDER_WITH_PRICE("\"1.\""), NAX_ESCHEMA, "price",
                  "not a decimal (ends early at offset 2)");
    EXPECT_REJECT(NAX_TYPE_ORDER, ORDER_WITH_PRICE("\"+1\""), NAX_ESCHEMA, "price",
                  "unexpected '+' at offset 0");
    EXPECT_REJECT(NAX_TYPE_ORDER, ORDER_WITH_PRICE("\"1e5\""), NAX_ESCHEMA, "price",
                  "unexpected 'e' at offset 1");
    EXPECT_REJECT(NAX_TYPE_ORDER, ORDER_WITH_PRICE("\".5\""), NAX_ESCHEMA, "price",
                  "unexpected '.' at offset 0");
    EXPECT_REJECT(NAX_TYPE_ORDER, ORDER_WITH_PRICE("\"01\""), NAX_ESCHEMA, "price",
                  "unexpected '1' at offset 1");
    EXPECT_REJECT(NAX_TYPE_ORDER, ORDER_WITH_PRICE("\" 1\""), NAX_ESCHEMA, "price",
                  "unexpected ' ' at offset 0");
    EXPECT_REJECT(NAX_TYPE_ORDER, ORDER_WITH_PRICE("\"1\\u00e9\""), NAX_ESCHEMA, "price",
                  "unexpected byte 0xc3 at offset 1");
    EXPECT_REJECT(NAX_TYPE_ORDER, ORDER_WITH_PRICE("\"123456789012345678901234567890123456789\""),
                  NAX_ESCHEMA, "price", "decimal out of range");
    EXPECT_REJECT(NAX_TYPE_ORDER, ORDER_WITH_PRICE("\"0.1234567890123456789\""), NAX_ESCHEMA,
                  "price", "decimal out of range");
    /* Inline decimals too, and inside book levels. */
    EXPECT_REJECT(NAX_TYPE_ORDER, ORDER_HEAD "\"price\":\"1\",\"quantity\":\"x\"}", NAX_ESCHEMA,
                  "quantity", "not a decimal");
    EXPECT_REJECT(NAX_TYPE_ORDER_BOOK,
                  BOOK("[[\"1\",\"2\"],[\"1\",\"2\"],[\"1\",\"2\"],"
                       "[\"1\",\"-\"]]",
                       "[]"),
                  NAX_ESCHEMA, "bids[3][1]", "not a decimal (ends early at offset 1)");
}
END_TEST

/* The inline fast path for short decimals (what the codec calls) must agree
 * with the general parser on value, scale, error code and error offset, for
 * every string. */
static void compare_decimal_parsers(const char *s, size_t len)
{
    nax_decimal fast, slow;
    memset(&fast, 0xa5, sizeof fast);
    memset(&slow, 0xa5, sizeof slow);
    size_t fast_off = 0, slow_off = 0;
    int fast_rc = nax__dec_parse(&fast, s, len, &fast_off);
    int slow_rc = nax__dec_parse_long(&slow, s, len, &slow_off);
    ck_assert_msg(fast_rc == slow_rc, "\"%.*s\": %d vs %d", (int)len, s, fast_rc, slow_rc);
    if (fast_rc == 0)
        ck_assert_msg(memcmp(&fast, &slow, sizeof fast) == 0, "\"%.*s\": values differ", (int)len,
                      s);
    else
        ck_assert_msg(fast_off == slow_off, "\"%.*s\": offsets differ", (int)len, s);
}

START_TEST(decimal_fast_path_agrees_with_the_decimal_module)
{
    /* Every string of up to 7 characters over a small alphabet... */
    const char alphabet[] = "019.-";
    char s[32];
    for (size_t len = 0; len <= 7; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++)
            total *= 5;
        for (size_t n = 0; n < total; n++) {
            size_t v = n;
            for (size_t i = 0; i < len; i++, v /= 5)
                s[i] = alphabet[v % 5];
            compare_decimal_parsers(s, len);
        }
    }
    /* ... and random ones up to 25 characters, around the 19-digit edge. */
    const char digits[] = "0123456789012345678901234567890123456789.-+e ";
    uint64_t state = 0x9e3779b97f4a7c15u;
    for (int n = 0; n < 200000; n++) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        size_t len = (size_t)(state >> 59) % 26;
        for (size_t i = 0; i < len; i++) {
            state = state * 6364136223846793005u + 1442695040888963407u;
            /* mostly digits, sometimes a point or a sign */
            unsigned r = (unsigned)(state >> 33) % 100;
            s[i] = r < 90 ? digits[r % 10] : digits[40 + r % 5];
        }
        compare_decimal_parsers(s, len);
    }
    /* The edges themselves. */
    const char *edges[] = {"9999999999999999999",
                           "99999999999999999999",
                           "-9999999999999999999",
                           "0.999999999999999999",
                           "1.999999999999999999",
                           "0.0000000000000000001",
                           "18446744073709551615",
                           "18446744073709551616",
                           "-0",
                           "-0.000",
                           "0.000000000000000000"};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        compare_decimal_parsers(edges[i], strlen(edges[i]));
    /* Non-digits right after digits read 8 bytes at a time. */
    const char *runs[] = {"12345678\xc3\xa9",  "1234567:",     "12345678/",
                          "0.1234567\x7f",     "9999999.\x80", "87654321.12345678",
                          "1.1234567812345678"};
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++)
        compare_decimal_parsers(runs[i], strlen(runs[i]));
}
END_TEST

START_TEST(decimals_must_be_strings)
{
    EXPECT_REJECT(NAX_TYPE_ORDER, ORDER_WITH_PRICE("97250.50"), NAX_ESCHEMA, "price",
                  "expected decimal string, got number");
    EXPECT_REJECT(NAX_TYPE_ORDER, ORDER_WITH_PRICE("97250"), NAX_ESCHEMA, "price",
                  "expected decimal string, got number");
    EXPECT_REJECT(NAX_TYPE_BALANCE,
                  "{\"asset\":\"BTC\",\"available\":1,\"locked\":\"0\",\"total\":\"1\"}",
                  NAX_ESCHEMA, "available", "expected decimal string, got number");
    EXPECT_REJECT(NAX_TYPE_ORDER_BOOK, BOOK("[[97250.5,\"1\"]]", "[]"), NAX_ESCHEMA, "bids[0][0]",
                  "expected decimal string, got number");
}
END_TEST

START_TEST(bad_enum_values)
{
    EXPECT_REJECT(NAX_TYPE_ORDER, "{\"id\":\"o\",\"pair\":\"P\",\"side\":\"sideways\"}",
                  NAX_ESCHEMA, "side", "unknown enum value \"sideways\"");
    EXPECT_REJECT(NAX_TYPE_ORDER, "{\"id\":\"o\",\"pair\":\"P\",\"side\":\"BUY\"}", NAX_ESCHEMA,
                  "side", "unknown enum value \"BUY\"");
    EXPECT_REJECT(NAX_TYPE_ORDER, "{\"id\":\"o\",\"pair\":\"P\",\"side\":\"\"}", NAX_ESCHEMA,
                  "side", "unknown enum value \"\"");
    EXPECT_REJECT(NAX_TYPE_ORDER_REQUEST,
                  "{\"pair\":\"P\",\"side\":\"buy\",\"type\":\"market\",\"quantity\":\"1\","
                  "\"time_in_force\":\"gtc\"}",
                  NAX_ESCHEMA, "time_in_force", "unknown enum value \"gtc\"");
    EXPECT_REJECT(NAX_TYPE_WEBHOOK_EVENT, "{\"id\":\"m\",\"type\":\"payment\"}", NAX_ESCHEMA,
                  "type", "unknown enum value \"payment\"");
    /* Quoted values are shortened and escaped in the message. */
    EXPECT_REJECT(NAX_TYPE_ORDER,
                  "{\"side\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\n\"}",
                  NAX_ESCHEMA, "side", "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"...");
}
END_TEST

START_TEST(nesting_limits)
{
    char deep[256] = "{\"x\":";
    for (int i = 0; i < 32; i++)
        strcat(deep, "[");
    for (int i = 0; i < 32; i++)
        strcat(deep, "]");
    strcat(deep, "}");
    /* 33 levels: the root object plus 32 arrays. */
    EXPECT_REJECT(NAX_TYPE_PROFILE_UPDATE, deep, NAX_ELIMIT, "x", "nesting deeper than 32");
    /* 32 levels are fine. */
    char ok[256] = "{\"x\":";
    for (int i = 0; i < 31; i++)
        strcat(ok, "[");
    for (int i = 0; i < 31; i++)
        strcat(ok, "]");
    strcat(ok, "}");
    nax_object_free(DECODE_OK(NAX_TYPE_PROFILE_UPDATE, ok));

    /* A lower limit applies to known structure too. */
    nax_decode_options opts = NAX_DECODE_OPTIONS_INIT;
    opts.max_depth = 2;
    const char *book = BOOK("[[\"1\",\"2\"]]", "[]");
    expect_decode_error_at(NAX_TYPE_ORDER_BOOK, book, strlen(book), &opts, NAX_ELIMIT, "bids[0]",
                           "nesting deeper than 2", __FILE__, __LINE__);
    opts.max_depth = 3;
    void *obj = NULL;
    ck_assert_int_eq(nax_decode(&obj, NAX_TYPE_ORDER_BOOK, book, strlen(book), &opts), 0);
    nax_object_free(obj);
    opts.max_depth = 1;
    const char *nested = "{\"a\":{\"b\":1}}";
    expect_decode_error_at(NAX_TYPE_PROFILE_UPDATE, nested, strlen(nested), &opts, NAX_ELIMIT, "a",
                           "nesting deeper than 1", __FILE__, __LINE__);
}
END_TEST

START_TEST(invalid_utf8)
{
    /* In string values: a stray byte, an overlong form, a UTF-16 surrogate,
     * a code point above U+10FFFF, a truncated sequence. */
    EXPECT_REJECT(NAX_TYPE_HEALTH, HEALTH("\"o\xff\""), NAX_EJSON, "status", "offset");
    EXPECT_REJECT(NAX_TYPE_HEALTH, HEALTH("\"o\xc0\x80\""), NAX_EJSON, "status",
                  "invalid JSON at offset 12 (invalid UTF-8 in string)");
    EXPECT_REJECT(NAX_TYPE_HEALTH, HEALTH("\"\xed\xa0\x80\""), NAX_EJSON, "status",
                  "invalid UTF-8");
    EXPECT_REJECT(NAX_TYPE_HEALTH, HEALTH("\"\xf4\x90\x80\x80\""), NAX_EJSON, "status",
                  "invalid UTF-8");
    EXPECT_REJECT(NAX_TYPE_HEALTH, HEALTH("\"\xe6\x97\""), NAX_EJSON, "status", "invalid");
    /* Unpaired surrogate escapes (yajl alone would turn them into '?' or bad UTF-8). */
    EXPECT_REJECT(NAX_TYPE_HEALTH, HEALTH("\"a\\ud800\""), NAX_EJSON, "status",
                  "unpaired UTF-16 surrogate");
    EXPECT_REJECT(NAX_TYPE_HEALTH, HEALTH("\"\\udc00\""), NAX_EJSON, "status",
                  "unpaired UTF-16 surrogate");
    EXPECT_REJECT(NAX_TYPE_HEALTH, HEALTH("\"\\ud800\\u0041\""), NAX_EJSON, "status",
                  "unpaired UTF-16 surrogate");
    EXPECT_REJECT(NAX_TYPE_HEALTH, HEALTH("\"\\\\\\ud800\""), NAX_EJSON, "status",
                  "unpaired UTF-16 surrogate");
    /* An escaped backslash before "u" is not an escape. */
    nax_health *h = DECODE_OK(NAX_TYPE_HEALTH, HEALTH("\"\\\\ud800\""));
    ck_assert_str_eq(h->status, "\\ud800");
    nax_object_free(h);
    /* In member names, known or not, at the root and nested. */
    EXPECT_REJECT(NAX_TYPE_HEALTH, "{\"st\xffus\":\"ok\"}", NAX_EJSON, "", "offset 5");
    EXPECT_REJECT(NAX_TYPE_HEALTH, "{\"x\xc0\xaf\":1}", NAX_EJSON, "", "invalid UTF-8");
    EXPECT_REJECT(NAX_TYPE_ERROR_BODY,
                  "{\"error\":{\"co\xff"
                  "de\":\"x\"}}",
                  NAX_EJSON, "error", "invalid JSON at offset");
    /* In skipped members too: the whole text must be well-formed. */
    EXPECT_REJECT(NAX_TYPE_PROFILE_UPDATE, "{\"x\":[\"\xed\xbf\xbf\"]}", NAX_EJSON, "x",
                  "invalid UTF-8");
    /* A NUL cannot live in a C string. */
    EXPECT_REJECT(NAX_TYPE_HEALTH, HEALTH("\"ok\\u0000evil\""), NAX_ESCHEMA, "status", "U+0000");
}
END_TEST

START_TEST(syntax_errors)
{
    EXPECT_REJECT(NAX_TYPE_HEALTH, "", NAX_EJSON, "", "invalid JSON at offset 0");
    EXPECT_REJECT(NAX_TYPE_HEALTH, "   ", NAX_EJSON, "", "invalid JSON at offset 3");
    EXPECT_REJECT(NAX_TYPE_HEALTH, "{\"status\":\"ok\",}", NAX_EJSON, "", "invalid JSON");
    EXPECT_REJECT(NAX_TYPE_HEALTH, "{\"status\":'ok'}", NAX_EJSON, "status", "invalid JSON");
    /* yajl's offset is where it stopped reading: just after the bad byte here. */
    EXPECT_REJECT(NAX_TYPE_HEALTH, "{status:\"ok\"}", NAX_EJSON, "",
                  "invalid JSON at offset 2 (lexical error: invalid char in json text.)");
    EXPECT_REJECT(NAX_TYPE_SERVER_TIME, "{\"server_time\":01}", NAX_EJSON, "", "invalid JSON");
    EXPECT_REJECT(NAX_TYPE_SERVER_TIME, "{\"server_time\":NaN}", NAX_EJSON, "server_time",
                  "invalid JSON");
    /* No comments. */
    EXPECT_REJECT(NAX_TYPE_SERVER_TIME, "{/* c */\"server_time\":1}", NAX_EJSON, "",
                  "invalid JSON at offset");
    EXPECT_REJECT(NAX_TYPE_SERVER_TIME, "{\"server_time\":1} // c", NAX_EJSON, "", "invalid JSON");
    /* Raw control characters in strings, and \v or \f as whitespace. */
    EXPECT_REJECT(NAX_TYPE_HEALTH, HEALTH("\"a\tb\""), NAX_EJSON, "status", "invalid JSON");
    EXPECT_REJECT(NAX_TYPE_SERVER_TIME, "{\"server_time\":\v1}", NAX_EJSON, "",
                  "invalid JSON at offset 15 (control character outside a string)");
    EXPECT_REJECT(NAX_TYPE_SERVER_TIME, "\f{\"server_time\":1}", NAX_EJSON, "",
                  "invalid JSON at offset 0");
    /* Input need not be NUL-terminated, and an embedded NUL is not whitespace. */
    const char text[] = "{\"server_time\":1}\0";
    expect_decode_error_at(NAX_TYPE_SERVER_TIME, text, sizeof text - 1, NULL, NAX_EJSON, "",
                           "invalid JSON", __FILE__, __LINE__);
    nax_server_time *t =
        decode_ok_at(NAX_TYPE_SERVER_TIME, "{\"server_time\":12}xx", 18, __FILE__, __LINE__);
    ck_assert_int_eq(t->server_time, 12);
    nax_object_free(t);
}
END_TEST

START_TEST(trailing_garbage_and_multiple_values)
{
    EXPECT_REJECT(NAX_TYPE_SERVER_TIME, "{\"server_time\":1} x", NAX_EJSON, "", "trailing garbage");
    EXPECT_REJECT(NAX_TYPE_SERVER_TIME, "{\"server_time\":1}{\"server_time\":2}", NAX_EJSON, "",
                  "trailing garbage");
    EXPECT_REJECT(NAX_TYPE_SERVER_TIME, "{\"server_time\":1},", NAX_EJSON, "", "trailing garbage");
    EXPECT_REJECT(NAX_TYPE_SERVER_TIME, "{\"server_time\":1}]", NAX_EJSON, "", "invalid JSON");
    /* Whitespace around the value is fine. */
    nax_object_free(DECODE_OK(NAX_TYPE_SERVER_TIME, " \n\t{\"server_time\":1}\r\n "));
}
END_TEST

START_TEST(truncated_input)
{
    EXPECT_REJECT(NAX_TYPE_SERVER_TIME, "{\"server_time\":1", NAX_EJSON, "",
                  "invalid JSON at offset 16 (parse error: premature EOF)");
    EXPECT_REJECT(NAX_TYPE_HEALTH, "{\"status\":\"o", NAX_EJSON, "status", "premature EOF");
}
END_TEST

/* Every proper prefix of every golden file is malformed JSON: each must fail
 * cleanly with NAX_EJSON (no crash, no leak, no object). */
START_TEST(every_prefix_of_every_golden_file_is_rejected)
{
    size_t checked = 0;
    for (int t = NAX_TYPE_ERROR_BODY; t <= NAX_TYPE_STREAM_MESSAGE; t++) {
        const char *name = nax_type_name((nax_type)t);
        char dir[256];
        snprintf(dir, sizeof dir, "%s", golden_path(name));
        size_t count;
        char **files = list_json(dir, &count);
        for (size_t i = 0; i < count; i++) {
            char rest[512];
            snprintf(rest, sizeof rest, "%s/%s", name, files[i]);
            size_t len;
            char *json = read_file(golden_path(rest), &len);
            ck_assert_ptr_nonnull(json);
            for (size_t cut = 0; cut < len; cut++) {
                /* A private copy, so reading past the cut is an ASan error. */
                char *prefix = malloc(cut ? cut : 1);
                memcpy(prefix, json, cut);
                void *obj = (void *)&obj;
                int rc = nax_decode(&obj, (nax_type)t, prefix, cut, NULL);
                ck_assert_msg(rc == NAX_EJSON, "%s cut at %zu: got %d (%s)", rest, cut, rc,
                              nax_error_last()->message);
                ck_assert_ptr_null(obj);
                ck_assert_ptr_nonnull(strstr(nax_error_last()->message, "offset"));
                free(prefix);
                checked++;
            }
            free(json);
        }
        free_names(files, count);
    }
    ck_assert_uint_gt(checked, 5000);
}
END_TEST

START_TEST(duplicate_members)
{
    EXPECT_REJECT(NAX_TYPE_HEALTH,
                  "{\"status\":\"ok\",\"store\":\"ok\",\"status\":\"degraded\",\"version\":\"1\"}",
                  NAX_ESCHEMA, "status", "duplicate member");
    EXPECT_REJECT(NAX_TYPE_ORDER_LIST, "{\"orders\":[{\"id\":\"a\",\"id\":\"b\"}]}", NAX_ESCHEMA,
                  "orders[0].id", "duplicate member");
    EXPECT_REJECT(NAX_TYPE_ERROR_BODY,
                  "{\"error\":{\"code\":\"c\",\"message\":\"m\"},\"error\":{}}", NAX_ESCHEMA,
                  "error", "duplicate member");
    /* Optional members count too, even when null. */
    EXPECT_REJECT(NAX_TYPE_TICKER, "{\"bid\":null,\"bid\":\"1\"}", NAX_ESCHEMA, "bid",
                  "duplicate member");
    /* Spelled differently but equal after unescaping. */
    EXPECT_REJECT(NAX_TYPE_HEALTH, "{\"status\":\"ok\",\"st\\u0061tus\":\"ok\"}", NAX_ESCHEMA,
                  "status", "duplicate member");
    /* Unknown members may repeat: they are skipped. */
    nax_object_free(DECODE_OK(NAX_TYPE_SERVER_TIME, "{\"x\":1,\"x\":2,\"server_time\":1}"));
}
END_TEST

START_TEST(integers)
{
    EXPECT_REJECT(NAX_TYPE_SERVER_TIME, "{\"server_time\":9223372036854775808}", NAX_ESCHEMA,
                  "server_time", "integer out of range");
    EXPECT_REJECT(NAX_TYPE_SERVER_TIME, "{\"server_time\":-9223372036854775809}", NAX_ESCHEMA,
                  "server_time", "integer out of range");
    EXPECT_REJECT(NAX_TYPE_SERVER_TIME, "{\"server_time\":100000000000000000000000}", NAX_ESCHEMA,
                  "server_time", "integer out of range");
    EXPECT_REJECT(NAX_TYPE_SERVER_TIME, "{\"server_time\":1.0}", NAX_ESCHEMA, "server_time",
                  "expected integer, got fractional number");
    EXPECT_REJECT(NAX_TYPE_SERVER_TIME, "{\"server_time\":1e3}", NAX_ESCHEMA, "server_time",
                  "expected integer, got number with exponent");
    EXPECT_REJECT(NAX_TYPE_SERVER_TIME, "{\"server_time\":-2E+1}", NAX_ESCHEMA, "server_time",
                  "exponent");
    EXPECT_REJECT(NAX_TYPE_STREAM_ACK, "{\"op\":\"ping\",\"id\":18446744073709551616}", NAX_ESCHEMA,
                  "id", "integer out of range");
    EXPECT_REJECT(NAX_TYPE_STREAM_ACK, "{\"op\":\"ping\",\"id\":99999999999999999999}", NAX_ESCHEMA,
                  "id", "integer out of range");
    EXPECT_REJECT(NAX_TYPE_STREAM_ACK, "{\"op\":\"ping\",\"id\":-1}", NAX_ESCHEMA, "id",
                  "integer out of range");
    EXPECT_REJECT(NAX_TYPE_ORDER_BOOK,
                  "{\"pair\":\"P\",\"seq\":1,\"bids\":[],\"asks\":[],\"checksum\":4294967296}",
                  NAX_ESCHEMA, "checksum", "integer out of range");
    EXPECT_REJECT(NAX_TYPE_ORDER_BOOK,
                  "{\"pair\":\"P\",\"seq\":1,\"bids\":[],\"asks\":[],\"checksum\":-1}", NAX_ESCHEMA,
                  "checksum", "integer out of range");

    /* The extremes themselves are fine. */
    nax_server_time *t = DECODE_OK(NAX_TYPE_SERVER_TIME, "{\"server_time\":-9223372036854775808}");
    ck_assert(t->server_time == INT64_MIN);
    nax_object_free(t);
    t = DECODE_OK(NAX_TYPE_SERVER_TIME, "{\"server_time\":9223372036854775807}");
    ck_assert(t->server_time == INT64_MAX);
    nax_object_free(t);
    t = DECODE_OK(NAX_TYPE_SERVER_TIME, "{\"server_time\":-0}");
    ck_assert_int_eq(t->server_time, 0);
    nax_object_free(t);
    nax_stream_ack *a =
        DECODE_OK(NAX_TYPE_STREAM_ACK, "{\"op\":\"ping\",\"id\":18446744073709551615,\"ok\":true}");
    ck_assert(a->id == UINT64_MAX);
    nax_object_free(a);
    nax_order_book *b = DECODE_OK(NAX_TYPE_ORDER_BOOK, "{\"pair\":\"P\",\"seq\":1,\"bids\":[],"
                                                       "\"asks\":[],\"checksum\":4294967295,"
                                                       "\"ts\":1}");
    ck_assert_uint_eq(b->checksum, UINT32_MAX);
    nax_object_free(b);
}
END_TEST

START_TEST(input_size_limit)
{
    const char *json = "{\"server_time\":1}";
    size_t len = strlen(json);
    nax_decode_options opts;
    ck_assert_int_eq(nax_decode_options_init(&opts, NAX_DECODE_OPTIONS_VERSION), 0);
    opts.max_bytes = len - 1;
    expect_decode_error_at(NAX_TYPE_SERVER_TIME, json, len, &opts, NAX_ELIMIT, "",
                           "input of 17 bytes is over the limit of 16", __FILE__, __LINE__);
    opts.max_bytes = len;
    void *obj = NULL;
    ck_assert_int_eq(nax_decode(&obj, NAX_TYPE_SERVER_TIME, json, len, &opts), 0);
    nax_object_free(obj);

    /* The default is 8 MiB; the limit is checked before a byte is parsed. */
    size_t big = NAX_DECODE_DEFAULT_MAX_BYTES + 1;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    huge[0] = '{';
    huge[big - 1] = '}';
    expect_decode_error_at(NAX_TYPE_PROFILE_UPDATE, huge, big, NULL, NAX_ELIMIT, "",
                           "over the limit of 8388608", __FILE__, __LINE__);
    /* Exactly at the limit is fine. */
    huge[big - 2] = '}';
    nax_object_free(decode_ok_at(NAX_TYPE_PROFILE_UPDATE, huge, big - 1, __FILE__, __LINE__));
    free(huge);
}
END_TEST

START_TEST(book_levels)
{
    EXPECT_REJECT(NAX_TYPE_ORDER_BOOK, BOOK("[[\"1\"]]", "[]"), NAX_ESCHEMA, "bids[0]",
                  "book level must be a [price, quantity] pair of 2 elements");
    EXPECT_REJECT(NAX_TYPE_ORDER_BOOK, BOOK("[]", "[[\"1\",\"2\"],[\"1\",\"2\",\"3\"]]"),
                  NAX_ESCHEMA, "asks[1]", "pair of 2 elements");
    EXPECT_REJECT(NAX_TYPE_ORDER_BOOK, BOOK("[[]]", "[]"), NAX_ESCHEMA, "bids[0]",
                  "pair of 2 elements");
    EXPECT_REJECT(NAX_TYPE_ORDER_BOOK, BOOK("[[\"1\",\"2\",[]]]", "[]"), NAX_ESCHEMA, "bids[0]",
                  "pair of 2 elements");
    EXPECT_REJECT(NAX_TYPE_ORDER_BOOK, BOOK("[\"1\",\"2\"]", "[]"), NAX_ESCHEMA, "bids[0]",
                  "expected [price, quantity] array, got string");
    EXPECT_REJECT(NAX_TYPE_ORDER_BOOK, BOOK("[{\"price\":\"1\"}]", "[]"), NAX_ESCHEMA, "bids[0]",
                  "expected [price, quantity] array, got object");
    EXPECT_REJECT(NAX_TYPE_ORDER_BOOK, BOOK("[[\"1\",null]]", "[]"), NAX_ESCHEMA, "bids[0][1]",
                  "expected decimal string, got null");
    EXPECT_REJECT(NAX_TYPE_ORDER_BOOK, BOOK("[[\"1\",[\"2\"]]]", "[]"), NAX_ESCHEMA, "bids[0][1]",
                  "expected decimal string, got array");
    EXPECT_REJECT(NAX_TYPE_ORDER_BOOK, BOOK("{}", "[]"), NAX_ESCHEMA, "bids",
                  "expected array, got object");
}
END_TEST

START_TEST(scopes)
{
    EXPECT_REJECT(NAX_TYPE_API_KEY_REQUEST, "{\"label\":\"l\",\"scopes\":[]}", NAX_ESCHEMA,
                  "scopes", "must name at least one scope");
    EXPECT_REJECT(NAX_TYPE_API_KEY_REQUEST, "{\"label\":\"l\",\"scopes\":[\"read\",\"admin\"]}",
                  NAX_ESCHEMA, "scopes[1]", "unknown scope \"admin\"");
    EXPECT_REJECT(NAX_TYPE_API_KEY_REQUEST, "{\"label\":\"l\",\"scopes\":[\"read\",\"read\"]}",
                  NAX_ESCHEMA, "scopes[1]", "duplicate scope \"read\"");
    EXPECT_REJECT(NAX_TYPE_API_KEY_REQUEST, "{\"label\":\"l\",\"scopes\":\"read\"}", NAX_ESCHEMA,
                  "scopes", "expected array, got string");
    EXPECT_REJECT(NAX_TYPE_API_KEY_REQUEST, "{\"label\":\"l\",\"scopes\":[1]}", NAX_ESCHEMA,
                  "scopes[0]", "expected string, got number");
    EXPECT_REJECT(NAX_TYPE_API_KEY_REQUEST, "{\"label\":\"l\",\"scopes\":null}", NAX_ESCHEMA,
                  "scopes", "required member is null");
    EXPECT_REJECT(NAX_TYPE_API_KEY, "{\"id\":\"k\",\"label\":\"l\",\"scopes\":[],\"created_at\":1}",
                  NAX_ESCHEMA, "scopes", "must name at least one scope");
    nax_api_key_request *r =
        DECODE_OK(NAX_TYPE_API_KEY_REQUEST, "{\"label\":\"l\",\"scopes\":[\"withdraw\",\"read\"]}");
    ck_assert_uint_eq(r->scopes, NAX_SCOPE_WITHDRAW | NAX_SCOPE_READ);
    nax_object_free(r);
}
END_TEST

START_TEST(cross_member_rules)
{
    EXPECT_REJECT(NAX_TYPE_ORDER_REQUEST,
                  "{\"pair\":\"P\",\"side\":\"buy\",\"type\":\"limit\",\"quantity\":\"1\"}",
                  NAX_ESCHEMA, "price", "missing required member (limit order)");
    EXPECT_REJECT(NAX_TYPE_ORDER_REQUEST,
                  "{\"pair\":\"P\",\"side\":\"buy\",\"type\":\"market\",\"price\":\"1\","
                  "\"quantity\":\"1\"}",
                  NAX_ESCHEMA, "price", "member not allowed (market order)");
    EXPECT_REJECT(NAX_TYPE_ORDER_LIST, "{\"orders\":[" ORDER_HEAD ORDER_TAIL "]}", NAX_ESCHEMA,
                  "orders[0].price", "limit order");
    EXPECT_REJECT(NAX_TYPE_STREAM_MESSAGE,
                  "{\"channel\":\"book:BTC-AUD\",\"type\":\"update\",\"bids\":[],\"asks\":[]}",
                  NAX_ESCHEMA, "checksum", "missing required member (book channel)");
    EXPECT_REJECT(NAX_TYPE_STREAM_MESSAGE,
                  "{\"channel\":\"book:BTC-AUD\",\"type\":\"snapshot\",\"asks\":[],\"checksum\":1}",
                  NAX_ESCHEMA, "bids", "book channel");
    EXPECT_REJECT(NAX_TYPE_STREAM_MESSAGE,
                  "{\"channel\":\"ticker:BTC-AUD\",\"type\":\"update\",\"seq\":3}", NAX_ESCHEMA,
                  "ticker", "ticker channel");
    EXPECT_REJECT(NAX_TYPE_STREAM_MESSAGE, "{\"channel\":\"trades:BTC-AUD\",\"type\":\"snapshot\"}",
                  NAX_ESCHEMA, "trades", "trades channel");
    EXPECT_REJECT(NAX_TYPE_STREAM_MESSAGE, "{\"channel\":\"orders\",\"type\":\"error\"}",
                  NAX_ESCHEMA, "error", "type \"error\"");
    EXPECT_REJECT(NAX_TYPE_STREAM_MESSAGE,
                  "{\"channel\":\"orders\",\"type\":\"update\",\"order\":" ORDER_HEAD ORDER_TAIL
                  "}",
                  NAX_ESCHEMA, "order.price", "limit order");
    EXPECT_REJECT(NAX_TYPE_STREAM_MESSAGE, "{\"channel\":\"orders\",\"type\":\"update\",\"seq\":1}",
                  NAX_ESCHEMA, "order", "private channel update");
    EXPECT_REJECT(
        NAX_TYPE_STREAM_MESSAGE,
        "{\"channel\":\"orders\",\"type\":\"snapshot\",\"order\":" ORDER_WITH_PRICE("\"1\"") "}",
        NAX_ESCHEMA, "orders", "private channel snapshot");
    EXPECT_REJECT(NAX_TYPE_STREAM_MESSAGE, "{\"type\":\"lagging\"}", NAX_ESCHEMA, "channel",
                  "every message but an error");
    EXPECT_REJECT(NAX_TYPE_STREAM_MESSAGE, "{\"type\":\"error\"}", NAX_ESCHEMA, "error",
                  "type \"error\"");
    EXPECT_REJECT(
        NAX_TYPE_STREAM_MESSAGE,
        "{\"channel\":\"fills\",\"type\":\"update\",\"order\":" ORDER_WITH_PRICE("\"1\"") "}",
        NAX_ESCHEMA, "fill", "private channel update");
    EXPECT_REJECT(NAX_TYPE_STREAM_MESSAGE,
                  "{\"channel\":\"trades:BTC-AUD\",\"type\":\"update\",\"trades\":[]}", NAX_ESCHEMA,
                  "trades", "must hold at least one trade");
    EXPECT_REJECT(NAX_TYPE_STREAM_OP, "{\"op\":\"subscribe\",\"id\":1}", NAX_ESCHEMA, "channels",
                  "subscribe and unsubscribe");
    EXPECT_REJECT(NAX_TYPE_STREAM_OP, "{\"op\":\"unsubscribe\",\"id\":2,\"channels\":[]}",
                  NAX_ESCHEMA, "channels", "must name at least one channel");
    EXPECT_REJECT(NAX_TYPE_STREAM_OP, "{\"op\":\"ping\",\"id\":2,\"channels\":[]}", NAX_ESCHEMA,
                  "channels", "must name at least one channel");
    EXPECT_REJECT(NAX_TYPE_STREAM_OP, "{\"op\":\"auth\",\"id\":1}", NAX_ESCHEMA, "token",
                  "auth needs token or api_key");
    EXPECT_REJECT(NAX_TYPE_STREAM_OP,
                  "{\"op\":\"auth\",\"id\":1,\"api_key\":\"k\",\"timestamp\":5}", NAX_ESCHEMA,
                  "signature", "signed auth");
    EXPECT_REJECT(NAX_TYPE_STREAM_OP,
                  "{\"op\":\"auth\",\"id\":1,\"api_key\":\"k\",\"signature\":\"s\"}", NAX_ESCHEMA,
                  "timestamp", "signed auth");
    EXPECT_REJECT(NAX_TYPE_STREAM_OP,
                  "{\"op\":\"auth\",\"id\":1,\"token\":\"t\",\"api_key\":\"k\","
                  "\"timestamp\":5,\"signature\":\"s\"}",
                  NAX_ESCHEMA, "api_key", "not both");
    /* oneOf: a token with a partial API-key payload is still just token auth. */
    nax_object_free(DECODE_OK(NAX_TYPE_STREAM_OP,
                              "{\"op\":\"auth\",\"id\":1,\"token\":\"t\",\"api_key\":\"k\"}"));
    /* A trades snapshot may be empty (no trade yet). */
    nax_object_free(
        DECODE_OK(NAX_TYPE_STREAM_MESSAGE,
                  "{\"channel\":\"trades:BTC-AUD\",\"type\":\"snapshot\",\"trades\":[]}"));
    /* A lagging notice carries nothing. */
    nax_object_free(
        DECODE_OK(NAX_TYPE_STREAM_MESSAGE, "{\"channel\":\"book:BTC-AUD\",\"type\":\"lagging\"}"));
}
END_TEST

START_TEST(bad_arguments)
{
    const char *json = "{\"server_time\":1}";
    size_t len = strlen(json);
    ck_assert_int_eq(nax_decode(NULL, NAX_TYPE_SERVER_TIME, json, len, NULL), NAX_EINVAL);
    void *obj = (void *)&obj;
    ck_assert_int_eq(nax_decode(&obj, NAX_TYPE_NONE, json, len, NULL), NAX_EINVAL);
    ck_assert_ptr_null(obj);
    ck_assert_int_eq(nax_decode(&obj, (nax_type)45, json, len, NULL), NAX_EINVAL);
    ck_assert_int_eq(nax_decode(&obj, NAX_TYPE_SERVER_TIME, NULL, 0, NULL), NAX_EINVAL);
    nax_decode_options opts = NAX_DECODE_OPTIONS_INIT;
    opts.version = 2;
    obj = (void *)&obj;
    ck_assert_int_eq(nax_decode(&obj, NAX_TYPE_SERVER_TIME, json, len, &opts), NAX_EVERSION);
    ck_assert_ptr_null(obj);
    ck_assert_int_eq(nax_decode_options_init(NULL, NAX_DECODE_OPTIONS_VERSION), NAX_EINVAL);
    ck_assert_int_eq(nax_decode_options_init(&opts, 99), NAX_EVERSION);
    nax_object_free(NULL); /* a no-op */
}
END_TEST

static Suite *reject_suite(void)
{
    Suite *s = suite_create("codec_reject");
    TCase *tc = tcase_create("reject");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, the_baselines_are_valid);
    tcase_add_test(tc, wrong_json_types);
    tcase_add_test(tc, the_root_must_be_an_object);
    tcase_add_test(tc, missing_required_members);
    tcase_add_test(tc, null_members);
    tcase_add_test(tc, bad_decimals);
    tcase_add_test(tc, decimal_fast_path_agrees_with_the_decimal_module);
    tcase_add_test(tc, decimals_must_be_strings);
    tcase_add_test(tc, bad_enum_values);
    tcase_add_test(tc, nesting_limits);
    tcase_add_test(tc, invalid_utf8);
    tcase_add_test(tc, syntax_errors);
    tcase_add_test(tc, trailing_garbage_and_multiple_values);
    tcase_add_test(tc, truncated_input);
    tcase_add_test(tc, every_prefix_of_every_golden_file_is_rejected);
    tcase_add_test(tc, duplicate_members);
    tcase_add_test(tc, integers);
    tcase_add_test(tc, input_size_limit);
    tcase_add_test(tc, book_levels);
    tcase_add_test(tc, scopes);
    tcase_add_test(tc, cross_member_rules);
    tcase_add_test(tc, bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(reject_suite());
}

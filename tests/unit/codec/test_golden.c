/*
 * Golden files: tests/golden/<type name>/<case>.json holds the canonical
 * encoding of one object. Every file must decode, and encode back to exactly
 * its own bytes; non-canonical spellings in <type>/noncanonical/ must encode
 * to the canonical file they are named after. A representative subset is also
 * checked member by member against hand-written expectations.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec_internal.h"
#include "codec_test.h"

#define FIRST_TYPE NAX_TYPE_ERROR_BODY
#define LAST_TYPE  NAX_TYPE_STREAM_MESSAGE

/* ---- round trips of every golden file ---- */

static void assert_round_trip(nax_type type, const char *rest, const char *expected,
                              size_t expected_len)
{
    size_t len;
    char *json = read_file(golden_path(rest), &len);
    ck_assert_msg(json != NULL, "cannot read %s", rest);
    void *obj = decode_ok_at(type, json, len, rest, 0);
    const char *out = ENCODE_OK(type, obj);
    ck_assert_msg(strlen(out) == expected_len && memcmp(out, expected, expected_len) == 0,
                  "%s: re-encoded as\n  %s\nexpected\n  %.*s", rest, out, (int)expected_len,
                  expected);
    nax_object_free(obj);
    free(json);
}

START_TEST(every_golden_file_round_trips)
{
    size_t total = 0;
    for (int t = FIRST_TYPE; t <= LAST_TYPE; t++) {
        const char *name = nax_type_name((nax_type)t);
        char dir[256];
        snprintf(dir, sizeof dir, "%s", golden_path(name));
        size_t count;
        char **files = list_json(dir, &count);
        ck_assert_msg(count > 0, "no golden file for type %s", name);
        for (size_t i = 0; i < count; i++) {
            char rest[512], *canon;
            size_t canon_len;
            snprintf(rest, sizeof rest, "%s/%s", name, files[i]);
            canon = read_file(golden_path(rest), &canon_len);
            ck_assert_ptr_nonnull(canon);
            ck_assert_msg(canon_len > 0 && canon[canon_len - 1] == '}',
                          "%s must end with '}' (no trailing newline)", rest);
            assert_round_trip((nax_type)t, rest, canon, canon_len);
            free(canon);
            total++;
        }
        free_names(files, count);
    }
    ck_assert_uint_ge(total, 44);
}
END_TEST

/* Each non-canonical file <canon>.<variant>.json encodes to <canon>.json. */
START_TEST(non_canonical_inputs_encode_to_the_canonical_file)
{
    size_t total = 0;
    for (int t = FIRST_TYPE; t <= LAST_TYPE; t++) {
        const char *name = nax_type_name((nax_type)t);
        char dir[256];
        snprintf(dir, sizeof dir, "%s/noncanonical", golden_path(name));
        size_t count;
        char **files = list_json(dir, &count);
        for (size_t i = 0; i < count; i++) {
            char canon_rest[512], rest[512];
            size_t stem = strcspn(files[i], ".");
            snprintf(canon_rest, sizeof canon_rest, "%s/%.*s.json", name, (int)stem, files[i]);
            snprintf(rest, sizeof rest, "%s/noncanonical/%s", name, files[i]);
            size_t canon_len;
            char *canon = read_file(golden_path(canon_rest), &canon_len);
            ck_assert_msg(canon != NULL, "%s has no canonical file %s", rest, canon_rest);
            assert_round_trip((nax_type)t, rest, canon, canon_len);
            free(canon);
            total++;
        }
        free_names(files, count);
    }
    ck_assert_uint_ge(total, 10);
}
END_TEST

/* ---- full and minimal files, checked against the schema ---- */

static int member_present(const nax__codec_field *f, const char *obj)
{
    const char *p = obj + f->offset;
    int64_t i64;
    uint64_t u64;
    int iv;
    unsigned uv;
    const void *ptr;
    switch (f->kind) {
    case NAX__KIND_INT64: memcpy(&i64, p, sizeof i64); return i64 != 0;
    case NAX__KIND_UINT64: memcpy(&u64, p, sizeof u64); return u64 != 0;
    case NAX__KIND_UINT32:
        ck_assert_msg(f->flag_offset != 0, "optional uint32 without a presence flag");
        memcpy(&iv, obj + f->flag_offset, sizeof iv);
        return iv != 0;
    case NAX__KIND_BOOL:
    case NAX__KIND_ENUM: memcpy(&iv, p, sizeof iv); return iv != 0;
    case NAX__KIND_SCOPES: memcpy(&uv, p, sizeof uv); return uv != 0;
    case NAX__KIND_DECIMAL: return 1;
    default: memcpy(&ptr, p, sizeof ptr); return ptr != NULL;
    }
}

static int has_optional_member(const nax__codec_type *t)
{
    for (unsigned i = 0; i < t->field_count; i++)
        if (!t->fields[i].required)
            return 1;
    return 0;
}

/* Optional members a full.json cannot hold because a cross-member rule
 * excludes them; another file of the type covers them. */
static int excluded_from_full(nax_type type, const char *member)
{
    /* stream_op: auth carries a token or a signed API-key payload, not both
     * (stream_op/auth_signed.json has the latter). */
    return type == NAX_TYPE_STREAM_OP &&
           (strcmp(member, "api_key") == 0 || strcmp(member, "timestamp") == 0 ||
            strcmp(member, "signature") == 0);
}

/* Optional members a minimal.json must hold because a cross-member rule
 * requires them. */
static int required_in_minimal(nax_type type, const char *member)
{
    /* stream_message: only an error may lack a channel, and it needs its error. */
    return type == NAX_TYPE_STREAM_MESSAGE && strcmp(member, "error") == 0;
}

/* full.json: every optional member present; minimal.json: none. */
static void check_presence(nax_type type, const char *file, int want_present)
{
    const nax__codec_type *t = nax__codec_type_of(type);
    char rest[256];
    snprintf(rest, sizeof rest, "%s/%s", t->name, file);
    void *obj = decode_golden_at(type, rest, NULL, NULL, __FILE__, __LINE__);
    for (unsigned i = 0; i < t->field_count; i++) {
        const nax__codec_field *f = &t->fields[i];
        if (f->required || (want_present && excluded_from_full(type, f->name)) ||
            (!want_present && required_in_minimal(type, f->name)))
            continue;
        ck_assert_msg(member_present(f, obj) == want_present, "%s: optional member %s is %s", rest,
                      f->name, want_present ? "absent" : "present");
    }
    nax_object_free(obj);
}

/* Every optional member is present in at least one golden file of its type. */
static void check_coverage(nax_type type)
{
    const nax__codec_type *t = nax__codec_type_of(type);
    unsigned seen = 0;
    size_t count;
    char **files = list_json(golden_path(t->name), &count);
    for (size_t i = 0; i < count; i++) {
        char rest[512];
        snprintf(rest, sizeof rest, "%s/%s", t->name, files[i]);
        void *obj = decode_golden_at(type, rest, NULL, NULL, __FILE__, __LINE__);
        for (unsigned f = 0; f < t->field_count; f++)
            if (!t->fields[f].required && member_present(&t->fields[f], obj))
                seen |= 1u << f;
        nax_object_free(obj);
    }
    free_names(files, count);
    for (unsigned f = 0; f < t->field_count; f++)
        ck_assert_msg(t->fields[f].required || (seen & (1u << f)),
                      "no golden file of %s has member %s", t->name, t->fields[f].name);
}

START_TEST(every_type_has_full_and_where_useful_minimal_files)
{
    for (int t = FIRST_TYPE; t <= LAST_TYPE; t++) {
        const nax__codec_type *desc = nax__codec_type_of((nax_type)t);
        ck_assert_ptr_nonnull(desc);
        check_presence((nax_type)t, "full.json", 1);
        if (has_optional_member(desc))
            check_presence((nax_type)t, "minimal.json", 0);
        check_coverage((nax_type)t);
    }
}
END_TEST

START_TEST(type_names_are_the_enum_names)
{
    ck_assert_str_eq(nax_type_name(NAX_TYPE_ERROR_BODY), "error_body");
    ck_assert_str_eq(nax_type_name(NAX_TYPE_ORDER_BOOK), "order_book");
    ck_assert_str_eq(nax_type_name(NAX_TYPE_KYC_DOCUMENT_REQUEST), "kyc_document_request");
    ck_assert_str_eq(nax_type_name(NAX_TYPE_STREAM_MESSAGE), "stream_message");
    ck_assert_str_eq(nax_type_name(NAX_TYPE_NONE), "unknown");
    ck_assert_str_eq(nax_type_name((nax_type)45), "unknown");
    ck_assert_str_eq(nax_type_name((nax_type)-1), "unknown");
    for (int t = FIRST_TYPE; t <= LAST_TYPE; t++)
        ck_assert_str_ne(nax_type_name((nax_type)t), "unknown");
}
END_TEST

/* ---- typed values of a representative subset ---- */

START_TEST(order_values)
{
    nax_order *o = DECODE_GOLDEN(NAX_TYPE_ORDER, "order/full.json");
    ck_assert_uint_eq(o->struct_size, sizeof(nax_order));
    ck_assert_str_eq(o->id, "o_9001");
    ck_assert_str_eq(o->client_order_id, "cli-0001-abcdef");
    ck_assert_str_eq(o->pair, "BTC-AUD");
    ck_assert_int_eq(o->side, NAX_SIDE_BUY);
    ck_assert_int_eq(o->type, NAX_ORDER_TYPE_LIMIT);
    ASSERT_DEC(o->price, "97250.50");
    ASSERT_DEC(&o->quantity, "0.01000000");
    ASSERT_DEC(&o->filled_quantity, "0.00400000");
    ASSERT_DEC(o->average_price, "97250.25");
    ck_assert_int_eq(o->time_in_force, NAX_TIF_GTC);
    ck_assert_int_eq(o->post_only, 1);
    ck_assert_int_eq(o->status, NAX_ORDER_STATUS_PARTIALLY_FILLED);
    ck_assert_int_eq(o->created_at, 1700000000000LL);
    ck_assert_int_eq(o->updated_at, 1700000000456LL);
    nax_object_free(o);

    o = DECODE_GOLDEN(NAX_TYPE_ORDER, "order/minimal.json");
    ck_assert_ptr_null(o->price);
    ck_assert_ptr_null(o->average_price);
    ck_assert_ptr_null(o->client_order_id);
    ck_assert_int_eq(o->type, NAX_ORDER_TYPE_MARKET);
    ck_assert_int_eq(o->post_only, 0);
    ck_assert_int_eq(o->status, NAX_ORDER_STATUS_CANCELLED);
    ASSERT_DEC(&o->filled_quantity, "0");
    nax_object_free(o);
}
END_TEST

START_TEST(order_list_values)
{
    nax_order_list *l = DECODE_GOLDEN(NAX_TYPE_ORDER_LIST, "order_list/full.json");
    ck_assert_uint_eq(l->orders_count, 2);
    ck_assert_uint_eq(l->orders[0]->struct_size, sizeof(nax_order));
    ck_assert_str_eq(l->orders[0]->id, "o_9001");
    ck_assert_str_eq(l->orders[1]->id, "o_9003");
    ck_assert_int_eq(l->orders[1]->status, NAX_ORDER_STATUS_FILLED);
    ck_assert_int_eq(l->orders[1]->time_in_force, NAX_TIF_FOK);
    ASSERT_DEC(l->orders[1]->price, "3050.00");
    ck_assert_str_eq(l->next_cursor, "c_eyJpZCI6Im9fOTAwMyJ9");
    nax_object_free(l);

    l = DECODE_GOLDEN(NAX_TYPE_ORDER_LIST, "order_list/minimal.json");
    ck_assert_uint_eq(l->orders_count, 0);
    ck_assert_ptr_nonnull(l->orders); /* present, empty */
    ck_assert_ptr_null(l->next_cursor);
    nax_object_free(l);
}
END_TEST

START_TEST(order_book_values_and_checksum)
{
    nax_order_book *b = DECODE_GOLDEN(NAX_TYPE_ORDER_BOOK, "order_book/full.json");
    ck_assert_str_eq(b->pair, "BTC-AUD");
    ck_assert_uint_eq(b->seq, 918273);
    ck_assert_uint_eq(b->bids_count, 3);
    ck_assert_uint_eq(b->asks_count, 2);
    ASSERT_DEC(&b->bids[0].price, "97250.50");
    ASSERT_DEC(&b->bids[0].quantity, "0.51200000");
    ASSERT_DEC(&b->bids[2].price, "97240");
    ASSERT_DEC(&b->bids[2].quantity, "0.00000001");
    ASSERT_DEC(&b->asks[1].price, "97252.5");
    ASSERT_DEC(&b->asks[1].quantity, "3");
    ck_assert_int_eq(b->ts, 1700000000123LL);
    /* The file's checksum was computed with Python's zlib.crc32. */
    uint32_t crc;
    ck_assert_int_eq(nax_book_checksum(&crc, b->bids, b->bids_count, b->asks, b->asks_count), 0);
    ck_assert_uint_eq(crc, b->checksum);
    ck_assert_uint_eq(b->checksum, 4128532914u);
    nax_object_free(b);

    b = DECODE_GOLDEN(NAX_TYPE_ORDER_BOOK, "order_book/empty.json");
    ck_assert_uint_eq(b->bids_count, 0);
    ck_assert_uint_eq(b->asks_count, 0);
    ck_assert_uint_eq(b->seq, 0);
    ck_assert_int_eq(nax_book_checksum(&crc, b->bids, 0, b->asks, 0), 0);
    ck_assert_uint_eq(crc, b->checksum);
    nax_object_free(b);
}
END_TEST

START_TEST(ticker_values)
{
    nax_ticker *t = DECODE_GOLDEN(NAX_TYPE_TICKER, "ticker/full.json");
    ASSERT_DEC(t->bid, "97250.50");
    ASSERT_DEC(t->ask, "97251.00");
    ASSERT_DEC(t->last, "97250.75");
    ASSERT_DEC(&t->volume_24h, "123.45678900");
    ck_assert_uint_eq(t->seq, 918273);
    nax_object_free(t);

    t = DECODE_GOLDEN(NAX_TYPE_TICKER, "ticker/minimal.json");
    ck_assert_str_eq(t->pair, "ETH-USD");
    ck_assert_ptr_null(t->bid);
    ck_assert_ptr_null(t->ask);
    ck_assert_ptr_null(t->last);
    ASSERT_DEC(&t->volume_24h, "0");
    nax_object_free(t);
}
END_TEST

START_TEST(error_body_values)
{
    nax_error_body *e = DECODE_GOLDEN(NAX_TYPE_ERROR_BODY, "error_body/full.json");
    ck_assert_uint_eq(e->struct_size, sizeof(nax_error_body));
    ck_assert_str_eq(e->code, "invalid_price");
    /* Escapes decoded: quotes, newline, tab. */
    ck_assert_str_eq(e->message, "price \"abc\" is not a decimal\n\tsee docs/openapi.yaml");
    ck_assert_str_eq(e->field, "orders[0].price");
    ck_assert_str_eq(e->request_id, "req-7f3a9c");
    nax_object_free(e);

    e = DECODE_GOLDEN(NAX_TYPE_ERROR_BODY, "error_body/minimal.json");
    ck_assert_str_eq(e->code, "not_found");
    ck_assert_ptr_null(e->field);
    ck_assert_ptr_null(e->request_id);
    nax_object_free(e);
}
END_TEST

START_TEST(profile_values)
{
    nax_profile *p = DECODE_GOLDEN(NAX_TYPE_PROFILE, "profile/full.json");
    /* UTF-8 passes through byte for byte. */
    ck_assert_str_eq(p->full_name, "Zo\xc3\xab M\xc3\xbcller-\xc3\x91\x61nd\xc3\xba "
                                   "\xe6\x97\xa5\xe6\x9c\xac");
    ck_assert_int_eq(p->kyc_status, NAX_KYC_STATUS_VERIFIED);
    ck_assert_int_eq(p->totp_enabled, 1);
    ck_assert_str_eq(p->phone, "+61412345678");
    nax_object_free(p);

    p = DECODE_GOLDEN(NAX_TYPE_PROFILE, "profile/minimal.json");
    ck_assert_int_eq(p->kyc_status, NAX_KYC_STATUS_UNVERIFIED);
    ck_assert_int_eq(p->totp_enabled, 0);
    ck_assert_ptr_null(p->full_name);
    nax_object_free(p);
}
END_TEST

START_TEST(api_key_values)
{
    nax_api_key_list *l = DECODE_GOLDEN(NAX_TYPE_API_KEY_LIST, "api_key_list/full.json");
    ck_assert_uint_eq(l->api_keys_count, 2);
    ck_assert_uint_eq(l->api_keys[0]->scopes, NAX_SCOPE_READ | NAX_SCOPE_TRADE);
    ck_assert_uint_eq(l->api_keys[1]->scopes, NAX_SCOPE_READ | NAX_SCOPE_WITHDRAW);
    ck_assert_int_eq(l->api_keys[0]->last_used_at, 1700000450000LL);
    ck_assert_int_eq(l->api_keys[1]->last_used_at, 0);
    ck_assert_ptr_null(l->api_keys[0]->secret);
    nax_object_free(l);

    nax_api_key_request *r = DECODE_GOLDEN(NAX_TYPE_API_KEY_REQUEST, "api_key_request/full.json");
    ck_assert_uint_eq(r->scopes, NAX_SCOPE_READ | NAX_SCOPE_TRADE | NAX_SCOPE_WITHDRAW);
    nax_object_free(r);
}
END_TEST

START_TEST(token_and_time_values)
{
    nax_token *t = DECODE_GOLDEN(NAX_TYPE_TOKEN, "token/full.json");
    ck_assert_str_eq(t->token_type, "Bearer");
    ck_assert_int_eq(t->expires_in, 900);
    ck_assert_int_eq(t->refresh_expires_in, 604800);
    nax_object_free(t);
    nax_server_time *s = DECODE_GOLDEN(NAX_TYPE_SERVER_TIME, "server_time/full.json");
    ck_assert_int_eq(s->server_time, 1700000000789LL);
    nax_object_free(s);
}
END_TEST

START_TEST(market_and_fill_values)
{
    nax_market_list *m = DECODE_GOLDEN(NAX_TYPE_MARKET_LIST, "market_list/full.json");
    ck_assert_uint_eq(m->markets_count, 3);
    ck_assert_int_eq(m->markets[0]->status, NAX_MARKET_STATUS_ACTIVE);
    ck_assert_int_eq(m->markets[1]->status, NAX_MARKET_STATUS_POST_ONLY);
    ck_assert_int_eq(m->markets[2]->status, NAX_MARKET_STATUS_HALTED);
    ASSERT_DEC(&m->markets[0]->lot_size, "0.00000001");
    ASSERT_DEC(&m->markets[2]->min_notional, "5");
    nax_object_free(m);

    nax_fill_list *f = DECODE_GOLDEN(NAX_TYPE_FILL_LIST, "fill_list/full.json");
    ck_assert_uint_eq(f->fills_count, 2);
    ck_assert_int_eq(f->fills[0]->liquidity, NAX_LIQUIDITY_TAKER);
    ck_assert_int_eq(f->fills[1]->liquidity, NAX_LIQUIDITY_MAKER);
    ASSERT_DEC(&f->fills[1]->fee, "-0.15"); /* a maker rebate */
    ck_assert_str_eq(f->next_cursor, "c_2");
    nax_object_free(f);

    nax_cancel_result *c = DECODE_GOLDEN(NAX_TYPE_CANCEL_RESULT, "cancel_result/full.json");
    ck_assert_uint_eq(c->cancelled_count, 3);
    ck_assert_str_eq(c->cancelled[0], "o_9001");
    ck_assert_str_eq(c->cancelled[2], "o_9004");
    nax_object_free(c);
}
END_TEST

START_TEST(wallet_and_fiat_values)
{
    nax_wallet_tx *w = DECODE_GOLDEN(NAX_TYPE_WALLET_TX, "wallet_tx/full.json");
    ck_assert_int_eq(w->type, NAX_TX_TYPE_WITHDRAWAL);
    ck_assert_int_eq(w->status, NAX_TX_STATUS_COMPLETED);
    ASSERT_DEC(&w->fee, "0.00010000");
    nax_object_free(w);

    nax_fiat_withdraw_request *r =
        DECODE_GOLDEN(NAX_TYPE_FIAT_WITHDRAW_REQUEST, "fiat_withdraw_request/minimal.json");
    ck_assert_int_eq(r->method, NAX_FIAT_METHOD_ACH);
    ck_assert_str_eq(r->bank_code, "021000021");
    ck_assert_ptr_null(r->totp_code);
    nax_object_free(r);

    nax_kyc_document_request *k =
        DECODE_GOLDEN(NAX_TYPE_KYC_DOCUMENT_REQUEST, "kyc_document_request/full.json");
    ck_assert_int_eq(k->document_type, NAX_DOCUMENT_TYPE_DRIVERS_LICENCE);
    nax_object_free(k);
}
END_TEST

START_TEST(webhook_values)
{
    nax_webhook_event *w = DECODE_GOLDEN(NAX_TYPE_WEBHOOK_EVENT, "webhook_event/full.json");
    ck_assert_int_eq(w->type, NAX_WEBHOOK_PAYMENT_SUCCEEDED);
    ck_assert_uint_eq(w->data->struct_size, sizeof(nax_webhook_data));
    ASSERT_DEC(w->data->amount, "5000.00");
    ck_assert_str_eq(w->data->currency, "AUD");
    nax_object_free(w);

    w = DECODE_GOLDEN(NAX_TYPE_WEBHOOK_EVENT, "webhook_event/minimal.json");
    ck_assert_int_eq(w->type, NAX_WEBHOOK_KYC_VERIFIED);
    ck_assert_ptr_nonnull(w->data);
    ck_assert_ptr_null(w->data->amount);
    ck_assert_ptr_null(w->data->reference);
    nax_object_free(w);
}
END_TEST

START_TEST(stream_values)
{
    nax_stream_message *m = DECODE_GOLDEN(NAX_TYPE_STREAM_MESSAGE, "stream_message/full.json");
    ck_assert_int_eq(m->type, NAX_STREAM_MSG_SNAPSHOT);
    ck_assert_int_eq(m->has_checksum, 1);
    ck_assert_uint_eq(m->checksum, 4294967295u);
    ck_assert_uint_eq(m->bids_count, 3);
    ASSERT_DEC(&m->asks[0].price, "97251.00");
    ck_assert_str_eq(m->ticker->pair, "BTC-AUD");
    ck_assert_ptr_null(m->ticker->last);
    ck_assert_uint_eq(m->trades_count, 1);
    ck_assert_int_eq(m->trades[0]->side, NAX_SIDE_SELL);
    ck_assert_str_eq(m->order->id, "o_9001");
    ASSERT_DEC(&m->balance->total, "1.26000000");
    ck_assert_int_eq(m->fill->liquidity, NAX_LIQUIDITY_TAKER);
    ck_assert_str_eq(m->error->code, "slow_reader");
    ck_assert_uint_eq(m->orders_count, 1);
    ck_assert_int_eq(m->orders[0]->status, NAX_ORDER_STATUS_OPEN);
    ck_assert_uint_eq(m->balances_count, 1);
    ck_assert_str_eq(m->balances[0]->asset, "AUD");
    ck_assert_uint_eq(m->fills_count, 1);
    ck_assert_int_eq(m->fills[0]->liquidity, NAX_LIQUIDITY_MAKER);
    nax_object_free(m);

    m = DECODE_GOLDEN(NAX_TYPE_STREAM_MESSAGE, "stream_message/book_update.json");
    ck_assert_int_eq(m->has_checksum, 1);
    ck_assert_uint_eq(m->checksum, 0);     /* present although zero */
    ASSERT_DEC(&m->bids[0].quantity, "0"); /* removes the level */
    ck_assert_ptr_null(m->ticker);
    nax_object_free(m);

    m = DECODE_GOLDEN(NAX_TYPE_STREAM_MESSAGE, "stream_message/lagging.json");
    ck_assert_int_eq(m->type, NAX_STREAM_MSG_LAGGING);
    ck_assert_int_eq(m->has_checksum, 0);
    ck_assert_ptr_null(m->bids);
    ck_assert_uint_eq(m->seq, 0);
    nax_object_free(m);

    m = DECODE_GOLDEN(NAX_TYPE_STREAM_MESSAGE, "stream_message/minimal.json");
    ck_assert_int_eq(m->type, NAX_STREAM_MSG_ERROR);
    ck_assert_ptr_null(m->channel); /* a frame the server could not read */
    ck_assert_str_eq(m->error->code, "invalid_json");
    nax_object_free(m);

    /* Snapshots of the private channels and an empty trades snapshot. */
    m = DECODE_GOLDEN(NAX_TYPE_STREAM_MESSAGE, "stream_message/trades_snapshot_empty.json");
    ck_assert_ptr_nonnull(m->trades);
    ck_assert_uint_eq(m->trades_count, 0);
    nax_object_free(m);
    m = DECODE_GOLDEN(NAX_TYPE_STREAM_MESSAGE, "stream_message/balances_snapshot.json");
    ck_assert_uint_eq(m->balances_count, 2);
    ASSERT_DEC(&m->balances[1]->locked, "0.1");
    nax_object_free(m);

    nax_stream_op *op = DECODE_GOLDEN(NAX_TYPE_STREAM_OP, "stream_op/unsubscribe.json");
    ck_assert_int_eq(op->op, NAX_STREAM_OP_UNSUBSCRIBE);
    ck_assert_uint_eq(op->id, UINT64_MAX);
    ck_assert_uint_eq(op->channels_count, 1);
    ck_assert_str_eq(op->channels[0], "trades:ETH-AUD");
    nax_object_free(op);

    op = DECODE_GOLDEN(NAX_TYPE_STREAM_OP, "stream_op/auth_signed.json");
    ck_assert_int_eq(op->op, NAX_STREAM_OP_AUTH);
    ck_assert_int_eq(op->timestamp, 1700000000000LL);
    ck_assert_ptr_null(op->channels);
    nax_object_free(op);

    nax_stream_ack *a = DECODE_GOLDEN(NAX_TYPE_STREAM_ACK, "stream_ack/full.json");
    ck_assert_int_eq(a->ok, 0);
    ck_assert_str_eq(a->error->field, "channels[1]");
    nax_object_free(a);
}
END_TEST

/* ---- a struct filled by hand encodes to the golden bytes ---- */

START_TEST(hand_built_structs_encode_to_golden_bytes)
{
    nax_decimal price = DEC("97250.50");
    nax_order_request r = {sizeof r};
    r.pair = "BTC-AUD";
    r.side = NAX_SIDE_BUY;
    r.type = NAX_ORDER_TYPE_LIMIT;
    r.price = &price;
    r.quantity = DEC("0.01000000");
    r.time_in_force = NAX_TIF_IOC;
    r.post_only = 1;
    r.client_order_id = "cli-0001-abcdef";
    size_t len;
    char *golden = read_file(golden_path("order_request/full.json"), &len);
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_ORDER_REQUEST, &r), golden);
    free(golden);

    nax_book_level bids[] = {{DEC("97250.50"), DEC("0")}};
    nax_book_level asks[] = {{DEC("97251.00"), DEC("0.30000000")}};
    nax_stream_message m = {sizeof m};
    m.channel = "book:BTC-AUD";
    m.type = NAX_STREAM_MSG_UPDATE;
    m.seq = 918274;
    m.ts = 1700000000200;
    m.bids = bids;
    m.bids_count = 1;
    m.asks = asks;
    m.asks_count = 1;
    m.has_checksum = 1;
    m.checksum = 0;
    golden = read_file(golden_path("stream_message/book_update.json"), &len);
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_STREAM_MESSAGE, &m), golden);
    free(golden);

    nax_error_body e = {sizeof e, "not_found", "order not found", NULL, NULL};
    golden = read_file(golden_path("error_body/minimal.json"), &len);
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_ERROR_BODY, &e), golden);
    free(golden);
}
END_TEST

/* ---- thread safety: independent calls on many threads at once ---- */

typedef struct golden_case {
    nax_type type;
    char *json;
    size_t len;
} golden_case;

typedef struct worker_arg {
    golden_case *cases;
    size_t count;
    int failures;
} worker_arg;

static void *round_trip_worker(void *p)
{
    worker_arg *w = p;
    nax_buf buf = NAX_BUF_INIT;
    for (int rep = 0; rep < 20; rep++) {
        for (size_t i = 0; i < w->count; i++) {
            void *obj = NULL;
            golden_case *c = &w->cases[i];
            if (nax_decode(&obj, c->type, c->json, c->len, NULL) != 0 ||
                nax_encode(&buf, c->type, obj) != 0 || buf.len != c->len ||
                memcmp(buf.data, c->json, c->len) != 0)
                w->failures++;
            nax_object_free(obj);
        }
    }
    nax_buf_dispose(&buf);
    return NULL;
}

START_TEST(round_trips_are_thread_safe)
{
    golden_case cases[LAST_TYPE];
    size_t n = 0;
    for (int t = FIRST_TYPE; t <= LAST_TYPE; t++) {
        char rest[256];
        snprintf(rest, sizeof rest, "%s/full.json", nax_type_name((nax_type)t));
        cases[n].type = (nax_type)t;
        cases[n].json = read_file(golden_path(rest), &cases[n].len);
        ck_assert_ptr_nonnull(cases[n].json);
        n++;
    }
    pthread_t threads[4];
    worker_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (worker_arg){cases, n, 0};
        ck_assert_int_eq(pthread_create(&threads[i], NULL, round_trip_worker, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        ck_assert_int_eq(args[i].failures, 0);
    }
    for (size_t i = 0; i < n; i++)
        free(cases[i].json);
}
END_TEST

static Suite *golden_suite(void)
{
    Suite *s = suite_create("codec_golden");
    TCase *tc = tcase_create("golden");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_golden_file_round_trips);
    tcase_add_test(tc, non_canonical_inputs_encode_to_the_canonical_file);
    tcase_add_test(tc, every_type_has_full_and_where_useful_minimal_files);
    tcase_add_test(tc, type_names_are_the_enum_names);
    tcase_add_test(tc, order_values);
    tcase_add_test(tc, order_list_values);
    tcase_add_test(tc, order_book_values_and_checksum);
    tcase_add_test(tc, ticker_values);
    tcase_add_test(tc, error_body_values);
    tcase_add_test(tc, profile_values);
    tcase_add_test(tc, api_key_values);
    tcase_add_test(tc, token_and_time_values);
    tcase_add_test(tc, market_and_fill_values);
    tcase_add_test(tc, wallet_and_fiat_values);
    tcase_add_test(tc, webhook_values);
    tcase_add_test(tc, stream_values);
    tcase_add_test(tc, hand_built_structs_encode_to_golden_bytes);
    tcase_add_test(tc, round_trips_are_thread_safe);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(golden_suite());
}

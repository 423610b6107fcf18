/*
 * prism_client: every typed call of include/nax/api.h against a Prism mock
 * built from docs/openapi.yaml (static examples), through the real client:
 * transport, headers, pipeline and decode.
 *
 * Prism answers each request with the first example of the operation's
 * lowest 2xx response, so each call must return 0 with a typed result whose
 * required members are set. A failure here means the client and the
 * contract disagree: an example the client cannot decode, or a request the
 * mock refuses (Prism validates requests against the schemas too).
 *
 * NAX_PRISM_URL names the mock (prism_client.sh starts it). The client
 * authenticates with a bearer token, which Prism accepts whatever it holds;
 * the session calls use a second client that logs in first.
 */
#include <nax.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* ---- assertions ------------------------------------------------------------------ */

/* A call that must succeed; on failure, libnax's detail is the message. */
#define OK(call)                                                                                   \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        const nax_error *e_ = nax_error_last();                                                    \
        ck_assert_msg(rc_ == 0, "%s: %s (%d), HTTP %d %s, field '%s': %s", #call,                  \
                      nax_strerror(rc_), rc_, e_->http_status, e_->server_code, e_->field,         \
                      e_->message);                                                                \
    } while (0)

#define NEED_STR(s)    ck_assert_msg((s) != NULL && (s)[0] != '\0', "%s is not set", #s)
#define NEED_TIME(t)   ck_assert_msg((t) > 0, "%s is not set", #t)
#define NEED_ENUM(v)   ck_assert_msg((int)(v) != 0, "%s is not set", #v)
#define NEED_POS(d)    ck_assert_msg(nax_decimal_sign(&(d)) > 0, "%s is not positive", #d)
#define NEED_NONNEG(d) ck_assert_msg(nax_decimal_sign(&(d)) >= 0, "%s is negative", #d)
#define NEED_SIZE(obj)                                                                             \
    ck_assert_msg((obj)->struct_size == sizeof(*(obj)), "%s: bad struct_size", #obj)

static nax_decimal dec(const char *text)
{
    nax_decimal d;
    ck_assert_int_eq(nax_decimal_parse(&d, text, strlen(text), NULL), 0);
    return d;
}

/* ---- the clients ---------------------------------------------------------------------- */

static nax_client *client; /* bearer token */

static nax_client *new_client(const char *bearer)
{
    const char *url = getenv("NAX_PRISM_URL");
    ck_assert_msg(url && *url, "NAX_PRISM_URL is not set (run prism_client.sh)");
    nax_client *c = NULL;
    nax_client_options opts = NAX_CLIENT_OPTIONS_INIT;
    opts.base_url = url;
    opts.bearer_token = bearer;
    opts.user_agent_suffix = "prism-client-test";
    OK(nax_client_new(&c, &opts));
    return c;
}

static void setup(void)
{
    ck_assert_int_eq(nax_global_init(NULL), 0);
    client = new_client("prism-accepts-any-bearer-token");
}

static void teardown(void)
{
    nax_client_free(client);
    client = NULL;
    nax_global_shutdown();
}

/* ---- the objects' required members -------------------------------------------------------- */

static void check_profile(const nax_profile *p)
{
    NEED_SIZE(p);
    NEED_STR(p->id);
    NEED_STR(p->email);
    NEED_ENUM(p->kyc_status);
    NEED_TIME(p->created_at);
}

static void check_token(const nax_token *t)
{
    NEED_SIZE(t);
    NEED_STR(t->access_token);
    NEED_STR(t->refresh_token);
    NEED_STR(t->token_type);
    NEED_TIME(t->expires_in);
    NEED_TIME(t->refresh_expires_in);
}

static void check_api_key(const nax_api_key *k)
{
    NEED_SIZE(k);
    NEED_STR(k->id);
    NEED_STR(k->label);
    ck_assert_msg(k->scopes != 0, "scopes is empty");
    NEED_TIME(k->created_at);
}

static void check_market(const nax_market *m)
{
    NEED_SIZE(m);
    NEED_STR(m->pair);
    NEED_STR(m->base);
    NEED_STR(m->quote);
    NEED_POS(m->tick_size);
    NEED_POS(m->lot_size);
    NEED_NONNEG(m->min_notional);
    NEED_ENUM(m->status);
}

static void check_order(const nax_order *o)
{
    NEED_SIZE(o);
    NEED_STR(o->id);
    NEED_STR(o->pair);
    NEED_ENUM(o->side);
    NEED_ENUM(o->type);
    NEED_POS(o->quantity);
    NEED_NONNEG(o->filled_quantity);
    NEED_ENUM(o->time_in_force);
    NEED_ENUM(o->status);
    NEED_TIME(o->created_at);
    NEED_TIME(o->updated_at);
}

static void check_fill(const nax_fill *f)
{
    NEED_SIZE(f);
    NEED_STR(f->id);
    NEED_STR(f->order_id);
    NEED_STR(f->pair);
    NEED_ENUM(f->side);
    NEED_POS(f->price);
    NEED_POS(f->quantity);
    NEED_NONNEG(f->fee);
    NEED_STR(f->fee_asset);
    NEED_ENUM(f->liquidity);
    NEED_TIME(f->ts);
}

static void check_wallet_tx(const nax_wallet_tx *t)
{
    NEED_SIZE(t);
    NEED_STR(t->id);
    NEED_STR(t->asset);
    NEED_ENUM(t->type);
    NEED_POS(t->amount);
    NEED_NONNEG(t->fee);
    NEED_ENUM(t->status);
    NEED_TIME(t->created_at);
    NEED_TIME(t->updated_at);
}

static void check_fiat_tx(const nax_fiat_tx *t)
{
    NEED_SIZE(t);
    NEED_STR(t->id);
    NEED_STR(t->currency);
    NEED_ENUM(t->type);
    NEED_POS(t->amount);
    NEED_NONNEG(t->fee);
    NEED_ENUM(t->status);
    NEED_ENUM(t->method);
    NEED_STR(t->reference);
    NEED_TIME(t->created_at);
    NEED_TIME(t->updated_at);
}

/* ---- auth ---------------------------------------------------------------------------------- */

START_TEST(register_user)
{
    nax_profile *p = NULL;
    nax_register_request r = {.struct_size = sizeof r,
                              .email = "alice@example.com",
                              .password = "correct horse battery staple",
                              .full_name = "Alice Nguyen",
                              .country = "AU"};
    OK(nax_auth_register(client, &r, &p));
    check_profile(p);
    nax_object_free(p);
}
END_TEST

/* Login, refresh and logout on a client without credentials of its own. */
START_TEST(session)
{
    nax_client *anon = new_client(NULL);
    nax_token *t = NULL;
    nax_login_request login = {.struct_size = sizeof login,
                               .email = "alice@example.com",
                               .password = "correct horse battery staple"};
    OK(nax_auth_login(anon, &login, &t));
    check_token(t);
    nax_object_free(t);

    /* The session's bearer token now opens the private paths. */
    nax_profile *p = NULL;
    OK(nax_users_profile(anon, &p));
    check_profile(p);
    nax_object_free(p);

    t = NULL;
    OK(nax_auth_refresh(anon, &t));
    check_token(t);
    nax_object_free(t);
    OK(nax_auth_logout(anon));
    nax_client_free(anon);
}
END_TEST

START_TEST(totp)
{
    nax_totp_setup *s = NULL;
    OK(nax_auth_totp_enable(client, &s));
    NEED_SIZE(s);
    NEED_STR(s->secret);
    NEED_STR(s->otpauth_uri);
    nax_object_free(s);
    OK(nax_auth_totp_confirm(client, "492039"));
    OK(nax_auth_totp_disable(client, "492039"));
}
END_TEST

START_TEST(api_keys)
{
    nax_api_key *k = NULL;
    nax_api_key_request r = {.struct_size = sizeof r,
                             .label = "market-maker-bot",
                             .scopes = NAX_SCOPE_READ | NAX_SCOPE_TRADE};
    OK(nax_api_keys_create(client, &r, &k));
    check_api_key(k);
    NEED_STR(k->secret); /* present in the creating response only */
    nax_object_free(k);

    nax_api_key_list *list = NULL;
    OK(nax_api_keys_list(client, &list));
    NEED_SIZE(list);
    ck_assert_uint_gt(list->api_keys_count, 0);
    for (size_t i = 0; i < list->api_keys_count; i++)
        check_api_key(list->api_keys[i]);
    OK(nax_api_keys_delete(client, list->api_keys[0]->id));
    nax_object_free(list);
}
END_TEST

/* ---- users ---------------------------------------------------------------------------------- */

START_TEST(users)
{
    nax_profile *p = NULL;
    OK(nax_users_profile(client, &p));
    check_profile(p);
    nax_object_free(p);

    nax_profile_update u = {.struct_size = sizeof u, .phone = "+61412345678"};
    p = NULL;
    OK(nax_users_profile_update(client, &u, &p));
    check_profile(p);
    nax_object_free(p);

    nax_kyc *k = NULL;
    OK(nax_users_kyc_status(client, &k));
    NEED_SIZE(k);
    NEED_ENUM(k->status);
    NEED_TIME(k->updated_at);
    nax_object_free(k);

    nax_kyc_document *d = NULL;
    nax_kyc_document_request r = {
        .struct_size = sizeof r,
        .document_type = NAX_DOCUMENT_TYPE_PASSPORT,
        .file_name = "passport.png",
        .content_type = "image/png",
        .content_base64 =
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6k"
            "gAAAABJRU5ErkJggg=="};
    OK(nax_users_kyc_document(client, &r, &d));
    NEED_SIZE(d);
    NEED_STR(d->id);
    NEED_ENUM(d->document_type);
    NEED_ENUM(d->status);
    NEED_TIME(d->size_bytes);
    NEED_TIME(d->created_at);
    nax_object_free(d);
}
END_TEST

/* ---- markets -------------------------------------------------------------------------------- */

START_TEST(markets)
{
    nax_market_list *list = NULL;
    OK(nax_markets_list(client, &list));
    NEED_SIZE(list);
    ck_assert_uint_gt(list->markets_count, 0);
    for (size_t i = 0; i < list->markets_count; i++)
        check_market(list->markets[i]);

    /* The cache answers for a pair of the list. */
    nax_market *m = NULL;
    OK(nax_markets_get(client, list->markets[0]->pair, &m));
    check_market(m);
    ck_assert_str_eq(m->pair, list->markets[0]->pair);
    nax_object_free(m);
    nax_object_free(list);

    nax_ticker *t = NULL;
    OK(nax_markets_ticker(client, "BTC-AUD", &t));
    NEED_SIZE(t);
    NEED_STR(t->pair);
    NEED_NONNEG(t->volume_24h);
    NEED_TIME(t->seq);
    NEED_TIME(t->ts);
    nax_object_free(t);

    nax_order_book *b = NULL;
    OK(nax_markets_orderbook(client, "BTC-AUD", 10, &b));
    NEED_SIZE(b);
    NEED_STR(b->pair);
    NEED_TIME(b->seq);
    NEED_TIME(b->ts);
    ck_assert_msg(b->bids_count + b->asks_count > 0, "the example book is empty");
    uint32_t sum = 0;
    OK(nax_book_checksum(&sum, b->bids, b->bids_count, b->asks, b->asks_count));
    ck_assert_msg(sum == b->checksum, "the example book's checksum %u is not its levels' %u",
                  (unsigned)b->checksum, (unsigned)sum);
    nax_object_free(b);

    nax_trade_list *tl = NULL;
    OK(nax_markets_trades(client, "BTC-AUD", 50, &tl));
    NEED_SIZE(tl);
    ck_assert_uint_gt(tl->trades_count, 0);
    for (size_t i = 0; i < tl->trades_count; i++) {
        const nax_trade *tr = tl->trades[i];
        NEED_SIZE(tr);
        NEED_STR(tr->id);
        NEED_STR(tr->pair);
        NEED_POS(tr->price);
        NEED_POS(tr->quantity);
        NEED_ENUM(tr->side);
        NEED_TIME(tr->ts);
    }
    nax_object_free(tl);

    nax_server_time *st = NULL;
    OK(nax_markets_time(client, &st));
    NEED_SIZE(st);
    NEED_TIME(st->server_time);
    nax_object_free(st);

    int64_t offset = 0;
    OK(nax_client_sync_clock(client, &offset));

    nax_health *h = NULL;
    OK(nax_health_get(client, &h));
    NEED_SIZE(h);
    NEED_STR(h->status);
    NEED_STR(h->store);
    NEED_STR(h->version);
    nax_object_free(h);
}
END_TEST

/* ---- orders --------------------------------------------------------------------------------- */

START_TEST(orders)
{
    /* Fits the example market's rules (BTC-AUD: tick 0.01, lot 1e-8, min notional 10). */
    nax_decimal price = dec("97250.50");
    nax_order_request r = {.struct_size = sizeof r,
                           .pair = "BTC-AUD",
                           .side = NAX_SIDE_BUY,
                           .type = NAX_ORDER_TYPE_LIMIT,
                           .price = &price,
                           .quantity = dec("0.01500000"),
                           .time_in_force = NAX_TIF_GTC,
                           .post_only = 1,
                           .client_order_id = "mm-bot-20260101-000123"};
    nax_order *o = NULL;
    OK(nax_orders_place(client, &r, &o));
    check_order(o);

    nax_order *got = NULL;
    OK(nax_orders_get(client, o->id, &got));
    check_order(got);
    nax_object_free(got);

    got = NULL;
    OK(nax_orders_get_by_client_id(client, "mm-bot-20260101-000123", &got));
    check_order(got);
    nax_object_free(got);

    nax_order_list *list = NULL;
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.pair = "BTC-AUD";
    q.status = NAX_ORDER_STATUS_OPEN;
    q.side = NAX_SIDE_BUY;
    q.limit = 10;
    OK(nax_orders_list(client, &q, &list));
    NEED_SIZE(list);
    for (size_t i = 0; i < list->orders_count; i++)
        check_order(list->orders[i]);
    nax_object_free(list);

    got = NULL;
    OK(nax_orders_cancel(client, o->id, &got));
    check_order(got);
    nax_object_free(got);
    nax_object_free(o);

    nax_cancel_result *c = NULL;
    OK(nax_orders_cancel_all(client, "BTC-AUD", &c));
    NEED_SIZE(c);
    for (size_t i = 0; i < c->cancelled_count; i++)
        NEED_STR(c->cancelled[i]);
    nax_object_free(c);

    nax_fill_list *fills = NULL;
    nax_list_query fq = NAX_LIST_QUERY_INIT;
    fq.pair = "BTC-AUD";
    OK(nax_trades_history(client, &fq, &fills));
    NEED_SIZE(fills);
    ck_assert_uint_gt(fills->fills_count, 0);
    for (size_t i = 0; i < fills->fills_count; i++)
        check_fill(fills->fills[i]);
    nax_object_free(fills);
}
END_TEST

/* ---- wallets and fiat ------------------------------------------------------------------------ */

START_TEST(wallets)
{
    nax_balance_list *bl = NULL;
    OK(nax_wallets_balances(client, &bl));
    NEED_SIZE(bl);
    ck_assert_uint_gt(bl->balances_count, 0);
    for (size_t i = 0; i < bl->balances_count; i++) {
        const nax_balance *b = bl->balances[i];
        nax_decimal sum;
        NEED_SIZE(b);
        NEED_STR(b->asset);
        OK(nax_decimal_add(&sum, &b->available, &b->locked));
        ck_assert_msg(nax_decimal_cmp(&sum, &b->total) == 0, "%s: available + locked != total",
                      b->asset);
    }
    nax_object_free(bl);

    nax_deposit_address *a = NULL;
    nax_deposit_address_request ar = {.struct_size = sizeof ar, .asset = "BTC"};
    OK(nax_wallets_deposit_address(client, &ar, &a));
    NEED_SIZE(a);
    NEED_STR(a->asset);
    NEED_STR(a->network);
    NEED_STR(a->address);
    nax_object_free(a);

    nax_wallet_tx *tx = NULL;
    nax_withdraw_request wr = {.struct_size = sizeof wr,
                               .asset = "BTC",
                               .amount = dec("0.10000000"),
                               .address = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
                               .network = "bitcoin",
                               .totp_code = "492039"};
    OK(nax_wallets_withdraw(client, &wr, &tx));
    check_wallet_tx(tx);
    nax_object_free(tx);

    nax_wallet_tx_list *list = NULL;
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.asset = "BTC";
    q.type = NAX_TX_TYPE_WITHDRAWAL;
    q.from_ms = 1767225600000;
    q.to_ms = 1767312000000;
    q.limit = 10;
    OK(nax_wallets_transactions(client, &q, &list));
    NEED_SIZE(list);
    ck_assert_uint_gt(list->transactions_count, 0);
    for (size_t i = 0; i < list->transactions_count; i++)
        check_wallet_tx(list->transactions[i]);
    nax_object_free(list);
}
END_TEST

START_TEST(fiat)
{
    nax_fiat_tx *tx = NULL;
    nax_fiat_deposit_request dr = {.struct_size = sizeof dr,
                                   .currency = "AUD",
                                   .amount = dec("5000.00"),
                                   .method = NAX_FIAT_METHOD_PAYID};
    OK(nax_fiat_deposit(client, &dr, &tx));
    check_fiat_tx(tx);
    nax_object_free(tx);

    tx = NULL;
    nax_fiat_withdraw_request wr = {.struct_size = sizeof wr,
                                    .currency = "AUD",
                                    .amount = dec("2500.00"),
                                    .method = NAX_FIAT_METHOD_BANK_TRANSFER,
                                    .account_name = "Alice Nguyen",
                                    .account_number = "12345678",
                                    .bank_code = "062-000",
                                    .totp_code = "492039"};
    OK(nax_fiat_withdraw(client, &wr, &tx));
    check_fiat_tx(tx);
    nax_object_free(tx);

    nax_fiat_tx_list *list = NULL;
    nax_list_query q = NAX_LIST_QUERY_INIT;
    q.asset = "AUD";
    q.type = NAX_TX_TYPE_DEPOSIT;
    OK(nax_fiat_transactions(client, &q, &list));
    NEED_SIZE(list);
    ck_assert_uint_gt(list->transactions_count, 0);
    for (size_t i = 0; i < list->transactions_count; i++)
        check_fiat_tx(list->transactions[i]);
    nax_object_free(list);
}
END_TEST

/* ---- pagination ----------------------------------------------------------------------------- */

/*
 * Walk a list with a pager. The mock answers every page with the same
 * example, so a list whose example has a next_cursor never ends: walk two
 * pages' worth of items then (which shows the pager followed the cursor);
 * a list whose example is a last page must end after its items.
 */
static size_t walk(nax_list_kind kind, size_t page_items, int has_next)
{
    nax_pager *pager = NULL;
    const void *item = NULL;
    size_t n = 0, want = has_next ? 2 * page_items : page_items;
    OK(nax_pager_new(&pager, client, kind, NULL));
    while (n < want) {
        int rc = nax_pager_next(pager, &item);
        ck_assert_msg(rc == 1, "item %zu of kind %d: %d (%s)", n, (int)kind, rc,
                      nax_error_last()->message);
        ck_assert_ptr_nonnull(item);
        switch (kind) {
        case NAX_LIST_ORDERS: check_order(item); break;
        case NAX_LIST_FILLS: check_fill(item); break;
        case NAX_LIST_WALLET_TXS: check_wallet_tx(item); break;
        case NAX_LIST_FIAT_TXS: check_fiat_tx(item); break;
        }
        n++;
    }
    if (!has_next)
        ck_assert_int_eq(nax_pager_next(pager, &item), 0);
    nax_pager_free(pager);
    return n;
}

/* Items and next_cursor of one page of each list, from the typed call. */
START_TEST(pagers)
{
    nax_order_list *ol = NULL;
    nax_fill_list *fl = NULL;
    nax_wallet_tx_list *wl = NULL;
    nax_fiat_tx_list *xl = NULL;
    OK(nax_orders_list(client, NULL, &ol));
    OK(nax_trades_history(client, NULL, &fl));
    OK(nax_wallets_transactions(client, NULL, &wl));
    OK(nax_fiat_transactions(client, NULL, &xl));
    walk(NAX_LIST_ORDERS, ol->orders_count, ol->next_cursor != NULL);
    walk(NAX_LIST_FILLS, fl->fills_count, fl->next_cursor != NULL);
    walk(NAX_LIST_WALLET_TXS, wl->transactions_count, wl->next_cursor != NULL);
    walk(NAX_LIST_FIAT_TXS, xl->transactions_count, xl->next_cursor != NULL);
    nax_object_free(ol);
    nax_object_free(fl);
    nax_object_free(wl);
    nax_object_free(xl);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("prism_client");
    TCase *tc = tcase_create("examples");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, register_user);
    tcase_add_test(tc, session);
    tcase_add_test(tc, totp);
    tcase_add_test(tc, api_keys);
    tcase_add_test(tc, users);
    tcase_add_test(tc, markets);
    tcase_add_test(tc, orders);
    tcase_add_test(tc, wallets);
    tcase_add_test(tc, fiat);
    tcase_add_test(tc, pagers);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

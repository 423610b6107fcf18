/*
 * exchange_session: one trading session against a running naxd.
 *
 * Two users register and log in; the buyer deposits AUD through the payments
 * provider and the seller deposits BTC through the custody provider (both
 * confirmations arrive as signed webhooks, which this program sends itself,
 * playing the providers); the seller rests a limit sell, the buyer crosses it
 * with a limit buy, and both users' balances are printed as a table.
 *
 * Requests and responses go through the libnax codec (typed structs in and
 * out, decimals never as doubles); HTTP is plain libcurl.
 *
 *     exchange_session http://127.0.0.1:8080
 *
 * The provider secrets come from NAXD_WEBHOOK_SECRET_PAYMENTS and
 * NAXD_WEBHOOK_SECRET_CUSTODY, the same variables naxd reads (scripts/run.sh
 * sets both). Any unexpected response ends the program with its error body
 * and exit status 1.
 *
 * Build against an installed libnax:
 *     cc -std=c11 exchange_session.c $(pkg-config --cflags --libs nax libcurl)
 */
#include <nax.h>

#include <curl/curl.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- failing loudly ------------------------------------------------------ */

static void die_nax(const char *what, int rc)
{
    const nax_error *err = nax_error_last();
    fprintf(stderr, "%s failed: %s (%d)", what, nax_strerror(rc), rc);
    if (err->field[0] != '\0')
        fprintf(stderr, " at %s", err->field);
    fprintf(stderr, ": %s\n", err->message);
    exit(EXIT_FAILURE);
}

static void check(int rc, const char *what)
{
    if (rc < 0)
        die_nax(what, rc);
}

static nax_decimal dec(const char *text)
{
    nax_decimal d;
    check(nax_decimal_parse(&d, text, strlen(text), NULL), text);
    return d;
}

/* ---- a growable response buffer for libcurl -------------------------------- */

typedef struct body {
    char *data;
    size_t len;
} body;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    body *b = userdata;
    size_t n = size * nmemb;
    char *grown = realloc(b->data, b->len + n + 1);
    if (!grown)
        return 0; /* curl reports a write error */
    memcpy(grown + b->len, ptr, n);
    b->data = grown;
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

/* ---- the HTTP exchange ---------------------------------------------------------- */

typedef struct session {
    CURL *curl;
    const char *base; /* "http://127.0.0.1:8080" */
} session;

/* Random hex for Idempotency-Key and webhook ids (unique per run, no secret). */
static void random_hex(char *out, size_t bytes)
{
    unsigned char raw[32];
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || bytes > sizeof raw || fread(raw, 1, bytes, f) != bytes) {
        fprintf(stderr, "cannot read /dev/urandom\n");
        exit(EXIT_FAILURE);
    }
    fclose(f);
    for (size_t i = 0; i < bytes; i++)
        sprintf(out + 2 * i, "%02x", raw[i]);
}

/*
 * One request. `json` is the body (NULL for none); `headers` extra header
 * lines (NULL-terminated list, may be NULL). Exits unless the status is
 * `expect`, printing the error body. Returns the response body (caller frees).
 */
static body request(session *s, const char *method, const char *path, const char *token,
                    const nax_buf *json, const char *const *headers, long expect)
{
    char url[512], line[1024], key[33];
    body resp = {NULL, 0};
    struct curl_slist *list = NULL;

    snprintf(url, sizeof url, "%s%s", s->base, path);
    list = curl_slist_append(list, "Content-Type: application/json");
    if (token) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", token);
        list = curl_slist_append(list, line);
    }
    if (strcmp(method, "POST") == 0) { /* naxd requires one on orders, wallets, fiat */
        random_hex(key, 16);
        snprintf(line, sizeof line, "Idempotency-Key: %s", key);
        list = curl_slist_append(list, line);
    }
    for (size_t i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);

    curl_easy_reset(s->curl);
    curl_easy_setopt(s->curl, CURLOPT_URL, url);
    curl_easy_setopt(s->curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, 30L);
    if (json) {
        curl_easy_setopt(s->curl, CURLOPT_POSTFIELDS, json->data);
        curl_easy_setopt(s->curl, CURLOPT_POSTFIELDSIZE, (long)json->len);
    }
    CURLcode rc = curl_easy_perform(s->curl);
    curl_slist_free_all(list);
    if (rc != CURLE_OK) {
        fprintf(stderr, "%s %s: %s\n", method, path, curl_easy_strerror(rc));
        exit(EXIT_FAILURE);
    }
    long status = 0;
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status != expect) {
        nax_error_body *err = NULL;
        fprintf(stderr, "%s %s: expected %ld, got %ld\n", method, path, expect, status);
        if (resp.data && nax_decode(&err, NAX_TYPE_ERROR_BODY, resp.data, resp.len, NULL) == 0) {
            fprintf(stderr, "  error %s: %s%s%s (request %s)\n", err->code, err->message,
                    err->field ? " at " : "", err->field ? err->field : "",
                    err->request_id ? err->request_id : "?");
            nax_object_free(err);
        } else {
            fprintf(stderr, "  body: %s\n", resp.data ? resp.data : "(none)");
        }
        exit(EXIT_FAILURE);
    }
    return resp;
}

/* Encode `obj`, send it, decode the answer as `out_type` into *out. */
static void call(session *s, const char *method, const char *path, const char *token,
                 nax_type in_type, const void *in, long expect, nax_type out_type, void *out)
{
    nax_buf json = NAX_BUF_INIT;
    if (in)
        check(nax_encode(&json, in_type, in), nax_type_name(in_type));
    body resp = request(s, method, path, token, in ? &json : NULL, NULL, expect);
    if (out_type != NAX_TYPE_NONE) {
        int rc = nax_decode(out, out_type, resp.data ? resp.data : "", resp.len, NULL);
        if (rc < 0) {
            fprintf(stderr, "%s %s answered: %s\n", method, path, resp.data ? resp.data : "");
            die_nax(nax_type_name(out_type), rc);
        }
    }
    free(resp.data);
    nax_buf_dispose(&json);
}

/* ---- users ------------------------------------------------------------------- */

typedef struct user {
    const char *role;
    char email[96];
    char *token; /* access token */
} user;

static void sign_up(session *s, user *u, const char *role, const char *full_name)
{
    static const char password[] = "Example-Session-2026!";
    char tag[9];
    nax_profile *profile = NULL;
    nax_token *tok = NULL;

    random_hex(tag, 4);
    u->role = role;
    snprintf(u->email, sizeof u->email, "%s-%s@example.com", role, tag);
    nax_register_request reg = {.struct_size = sizeof reg,
                                .email = u->email,
                                .password = password,
                                .full_name = full_name,
                                .country = "AU"};
    call(s, "POST", "/v1/auth/register", NULL, NAX_TYPE_REGISTER_REQUEST, &reg, 201,
         NAX_TYPE_PROFILE, &profile);
    printf("registered %-6s %s as %s\n", role, u->email, profile->id);
    nax_object_free(profile);

    nax_login_request login = {
        .struct_size = sizeof login, .email = u->email, .password = password};
    call(s, "POST", "/v1/auth/login", NULL, NAX_TYPE_LOGIN_REQUEST, &login, 200, NAX_TYPE_TOKEN,
         &tok);
    u->token = strdup(tok->access_token);
    nax_object_free(tok);
    if (!u->token)
        exit(EXIT_FAILURE);
}

/* ---- providers: signed webhooks ------------------------------------------------ */

static const char *provider_secret(const char *env)
{
    static char first[256];
    const char *all = getenv(env);
    if (!all || !*all) {
        fprintf(stderr, "%s is not set: the provider secret naxd was started with\n", env);
        exit(EXIT_FAILURE);
    }
    size_t n = strcspn(all, " "); /* several during rotation: sign with the first */
    if (n >= sizeof first)
        n = sizeof first - 1;
    memcpy(first, all, n);
    first[n] = '\0';
    return first;
}

/* Send `data` as a `type` event from `provider`, as the provider would. */
static void provider_event(session *s, const char *provider, const char *secret_env,
                           nax_webhook_type type, const nax_webhook_data *data)
{
    char id[40] = "msg_", ts[24], path[64];
    char h_id[96], h_ts[64], *h_sig;
    nax_buf json = NAX_BUF_INIT, sig = NAX_BUF_INIT;
    int64_t now = (int64_t)time(NULL);

    random_hex(id + 4, 16);
    nax_webhook_event ev = {
        .struct_size = sizeof ev, .id = id, .type = type, .created_at = now * 1000, .data = data};
    check(nax_encode(&json, NAX_TYPE_WEBHOOK_EVENT, &ev), "webhook event");
    check(nax_webhook_sign(&sig, provider_secret(secret_env), id, now, json.data, json.len),
          "nax_webhook_sign");

    snprintf(ts, sizeof ts, "%" PRId64, now);
    snprintf(h_id, sizeof h_id, "webhook-id: %s", id);
    snprintf(h_ts, sizeof h_ts, "webhook-timestamp: %s", ts);
    h_sig = malloc(sig.len + 32);
    if (!h_sig)
        exit(EXIT_FAILURE);
    sprintf(h_sig, "webhook-signature: %s", sig.data);
    const char *headers[] = {h_id, h_ts, h_sig, NULL};
    snprintf(path, sizeof path, "/v1/webhooks/%s", provider);
    body resp = request(s, "POST", path, NULL, &json, headers, 204);
    free(resp.data);
    free(h_sig);
    nax_buf_dispose(&sig);
    nax_buf_dispose(&json);
}

static void deposit_aud(session *s, const user *u, const char *amount)
{
    nax_fiat_tx *tx = NULL;
    nax_fiat_deposit_request req = {.struct_size = sizeof req,
                                    .currency = "AUD",
                                    .amount = dec(amount),
                                    .method = NAX_FIAT_METHOD_PAYID};
    call(s, "POST", "/v1/fiat/deposit", u->token, NAX_TYPE_FIAT_DEPOSIT_REQUEST, &req, 201,
         NAX_TYPE_FIAT_TX, &tx);
    nax_decimal amt = dec(amount);
    nax_webhook_data data = {
        .struct_size = sizeof data, .reference = tx->reference, .amount = &amt, .currency = "AUD"};
    provider_event(s, "payments", "NAXD_WEBHOOK_SECRET_PAYMENTS", NAX_WEBHOOK_PAYMENT_SUCCEEDED,
                   &data);
    printf("deposited  %-6s %s AUD (reference %s)\n", u->role, amount, tx->reference);
    nax_object_free(tx);
}

static void deposit_btc(session *s, const user *u, const char *amount)
{
    nax_deposit_address *addr = NULL;
    char tx_hash[65];
    nax_deposit_address_request req = {.struct_size = sizeof req, .asset = "BTC"};
    call(s, "POST", "/v1/wallets/deposit-address", u->token, NAX_TYPE_DEPOSIT_ADDRESS_REQUEST, &req,
         200, NAX_TYPE_DEPOSIT_ADDRESS, &addr);
    random_hex(tx_hash, 32);
    nax_decimal amt = dec(amount);
    nax_webhook_data data = {.struct_size = sizeof data,
                             .amount = &amt,
                             .currency = "BTC",
                             .address = addr->address,
                             .tx_hash = tx_hash};
    provider_event(s, "custody", "NAXD_WEBHOOK_SECRET_CUSTODY", NAX_WEBHOOK_DEPOSIT_CONFIRMED,
                   &data);
    printf("deposited  %-6s %s BTC to %s\n", u->role, amount, addr->address);
    nax_object_free(addr);
}

/* ---- trading -------------------------------------------------------------------- */

static nax_order *place(session *s, const user *u, nax_side side, const char *price,
                        const char *qty, nax_order_status expect)
{
    nax_order *o = NULL;
    nax_decimal p = dec(price);
    nax_order_request req = {.struct_size = sizeof req,
                             .pair = "BTC-AUD",
                             .side = side,
                             .type = NAX_ORDER_TYPE_LIMIT,
                             .price = &p,
                             .quantity = dec(qty),
                             .time_in_force = NAX_TIF_GTC};
    call(s, "POST", "/v1/orders", u->token, NAX_TYPE_ORDER_REQUEST, &req, 201, NAX_TYPE_ORDER, &o);
    char filled[NAX_DECIMAL_STRING_MAX];
    check(nax_decimal_format(filled, sizeof filled, &o->filled_quantity), "format");
    printf("order      %-6s %s %s BTC @ %s AUD: %s, filled %s\n", u->role,
           side == NAX_SIDE_BUY ? "buy " : "sell", qty, price,
           o->status == NAX_ORDER_STATUS_FILLED ? "filled"
           : o->status == NAX_ORDER_STATUS_OPEN ? "open"
                                                : "other",
           filled);
    if (o->status != expect) {
        fprintf(stderr, "order %s ended in status %d, expected %d\n", o->id, (int)o->status,
                (int)expect);
        exit(EXIT_FAILURE);
    }
    return o;
}

static void print_balances(session *s, const user *u)
{
    nax_balance_list *list = NULL;
    call(s, "GET", "/v1/wallets/balances", u->token, NAX_TYPE_NONE, NULL, 200,
         NAX_TYPE_BALANCE_LIST, &list);
    for (size_t i = 0; i < list->balances_count; i++) {
        const nax_balance *b = list->balances[i];
        char avail[NAX_DECIMAL_STRING_MAX], locked[NAX_DECIMAL_STRING_MAX],
            total[NAX_DECIMAL_STRING_MAX];
        check(nax_decimal_format(avail, sizeof avail, &b->available), "format");
        check(nax_decimal_format(locked, sizeof locked, &b->locked), "format");
        check(nax_decimal_format(total, sizeof total, &b->total), "format");
        printf("| %-6s | %-5s | %18s | %14s | %18s |\n", u->role, b->asset, avail, locked, total);
    }
    nax_object_free(list);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s BASE_URL   (e.g. http://127.0.0.1:8080)\n", argv[0]);
        return 2;
    }
    check(nax_global_init(NULL), "nax_global_init");
    session s = {curl_easy_init(), argv[1]};
    if (!s.curl) {
        fprintf(stderr, "curl_easy_init failed\n");
        return 1;
    }

    user buyer, seller;
    sign_up(&s, &buyer, "buyer", "Bea Buyer");
    sign_up(&s, &seller, "seller", "Sam Seller");
    deposit_aud(&s, &buyer, "20000.00");
    deposit_btc(&s, &seller, "0.50000000");

    /* The sell rests on the book; the buy at the same price takes it. */
    nax_order *sell =
        place(&s, &seller, NAX_SIDE_SELL, "97250.50", "0.10000000", NAX_ORDER_STATUS_OPEN);
    nax_order *buy =
        place(&s, &buyer, NAX_SIDE_BUY, "97250.50", "0.10000000", NAX_ORDER_STATUS_FILLED);

    printf("\n| user   | asset |          available |         locked |              total |\n");
    printf("|--------|-------|--------------------|----------------|--------------------|\n");
    print_balances(&s, &buyer);
    print_balances(&s, &seller);

    nax_object_free(sell);
    nax_object_free(buy);
    free(buyer.token);
    free(seller.token);
    curl_easy_cleanup(s.curl);
    nax_global_shutdown();
    return 0;
}

"""Allocation-failure torture of naxd's real handlers (DESIGN.md section 8).

Under --fault-injection naxd runs on a counting allocator. POST /admin/faults
{"alloc_fail_at": k} arms the NEXT non-admin request: from its dispatch until its
reply is queued, the k-th allocation through libnax's allocator fails, whichever
thread asks (app thread, writer, stream). GET /admin/faults then says how many
allocations that window had left (0: the k-th failed).

For each representative request, k walks 1, 2, ... until the request completes
with allocations to spare. Every run must end in a 2xx, or a clean 500/503 with
the one error body (code, request_id) -- never a dropped connection -- with naxd
alive; after a failure the state (balances, orders, keys, users) is as before and
the same request, retried unarmed, succeeds and takes effect once. The module's
server stops with SIGTERM and must exit 0: in the ASan build a leak fails it.
"""

import uuid

import pytest

from naxlib import (D, Server, balances, fund_crypto, fund_fiat, new_user, send_webhook,
                    unique_email, webhook_event)

MAX_K = 5000  # a request that still fails beyond this is a runaway, not a walk
CHEAP = "0.00100000"  # the quantity every order here trades



@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("naxd-alloc"))
    server.start()
    try:
        yield server
    finally:
        server.close()  # SIGTERM, exit 0 asserted: no leak under ASan


def arm(server, k):
    server.admin("POST", "/admin/faults", json={"alloc_fail_at": k}).expect(204)


def window(server):
    st = server.admin("GET", "/admin/faults").expect(200).json()
    assert st["alloc_fail_at"] == 0 and not st["alloc_window_open"], st
    return st["alloc_last"]


def is_clean_error(r):
    if r.status not in (500, 503):
        return False
    err = r.error
    return bool(err.get("code")) and err.get("request_id") == r.headers.get("X-Request-Id")


def walk(server, name, prepare, request, snapshot, confirm, succeeded=None, clean=is_clean_error):
    """prepare() -> ctx (unarmed set-up for one attempt); request(ctx) -> Resp;
    snapshot(ctx) -> comparable state; confirm(ctx, resp) checks a success took
    effect (once). succeeded(resp) says whether a 2xx is a success and clean(resp)
    whether a refusal is clean (GraphQL answers errors in a 200)."""
    succeeded = succeeded or (lambda r: 200 <= r.status < 300)
    failures = 0
    for k in range(1, MAX_K + 1):
        ctx = prepare()
        before = snapshot(ctx)
        arm(server, k)
        try:
            r = request(ctx)
        except (ConnectionError, OSError) as e:
            pytest.fail(f"{name}: k={k}: connection dropped ({e!r}); {server.stderr_tail()}")
        assert server.alive(), f"{name}: k={k}: naxd died: {server.stderr_tail()}"
        last = window(server)
        assert last and last["fail_at"] == k, (name, k, last)
        if succeeded(r):
            try:
                confirm(ctx, r)
            except AssertionError as e:
                raise AssertionError(f"{name}: k={k} ({last}): {e}") from e
            if last["left"] > 0:
                print(f"{name}: {k} allocation points tried ({failures} refused cleanly)")
                return k
            continue
        assert clean(r), f"{name}: k={k}: not a clean error: {r.status} {r.text}"
        assert last["left"] == 0, (name, k, last)
        failures += 1
        if "store_unavailable" in r.text or r.status == 503:
            server.wait_writable()
        assert snapshot(ctx) == before, f"{name}: k={k}: state changed by a refused request"
        r2 = request(ctx)
        assert succeeded(r2), f"{name}: k={k}: the retry failed: {r2.status} {r2.text}"
        confirm(ctx, r2)
    pytest.fail(f"{name}: still failing after {MAX_K} allocation points")


def open_orders(user, key=None):
    kw = {"key": key} if key else {}
    return sorted((o["id"], o["status"], o["filled_quantity"])
                  for o in user.get("/v1/orders?status=open&limit=1000", **kw)
                  .expect(200).json()["orders"])


def money(*users):
    return tuple(tuple(sorted(balances(u).items())) for u in users)


@pytest.fixture(scope="module")
def traders(srv):
    maker, taker = new_user(srv), new_user(srv)
    fund_crypto(maker, "BTC", "100")
    fund_fiat(taker, "AUD", "1000000.00")
    fund_crypto(taker, "BTC", "100")
    return maker, taker


# ---- auth ---------------------------------------------------------------------------


def test_register(srv):
    def prepare():
        return ({"email": unique_email("torture"), "password": "Correct-Horse-7-Battery"},
                str(uuid.uuid4()))

    def request(ctx):
        return srv.api.post("/v1/auth/register", json=ctx[0], idem=ctx[1], retry=False)

    def confirm(ctx, r):
        assert r.status == 201 and r.json()["email"] == ctx[0]["email"], r.text
        srv.api.post("/v1/auth/login", json=ctx[0]).expect(200)

    # No half-made user after a failure: the retry with that email is a 201, not a 409.
    walk(srv, "register", prepare, request, lambda ctx: None, confirm)


def test_login(srv):
    user = new_user(srv, login=False)
    body = {"email": user.email, "password": user.password}

    def confirm(ctx, r):
        tok = r.expect(200).json()
        srv.api.get("/v1/users/profile", token=tok["access_token"]).expect(200)

    walk(srv, "login", lambda: None,
         lambda ctx: srv.api.post("/v1/auth/login", json=body, retry=False),
         lambda ctx: None, confirm)


def test_refresh(srv):
    user = new_user(srv)

    def prepare():
        user.login()
        return user.refresh

    def confirm(ctx, r):
        tok = r.expect(200).json()
        assert tok["refresh_token"] != ctx
        srv.api.get("/v1/users/profile", token=tok["access_token"]).expect(200)
        # rotated: the old refresh token is spent (its reuse would revoke the family)

    # A failed refresh must not have spent the token: the retry (same token) works.
    walk(srv, "refresh", prepare,
         lambda ctx: srv.api.post("/v1/auth/refresh", json={"refresh_token": ctx}, retry=False),
         lambda ctx: None, confirm)


def test_api_key_create_and_a_signed_order(srv, traders):
    maker, _ = traders

    def keys():
        return sorted(k["id"] for k in maker.get("/v1/auth/api-keys").expect(200).json()
                      ["api_keys"])

    created = []

    def confirm(ctx, r):
        doc = r.expect(201).json()
        assert doc["id"] in keys()
        # at most 20 keys per user: keep only the newest
        for old in created:
            maker.delete(f"/v1/auth/api-keys/{old['id']}").expect(200, 204)
        created[:] = [doc]

    walk(srv, "api-key create", lambda: None,
         lambda ctx: maker.post("/v1/auth/api-keys",
                                json={"label": "torture", "scopes": ["read", "trade"]},
                                retry=False),
         lambda ctx: keys(), confirm)
    key = (created[-1]["id"], created[-1]["secret"])

    # A resting sell far above the market, signed with the key.
    def place(ctx):
        return srv.api.post("/v1/orders", key=key, idem=ctx, retry=False,
                            json={"pair": "BTC-AUD", "side": "sell", "type": "limit",
                                  "price": "900000.00", "quantity": CHEAP})

    def confirm_order(ctx, r):
        o = r.expect(201).json()
        assert o["status"] == "open"
        assert maker.delete(f"/v1/orders/{o['id']}").expect(200).json()["status"] == "cancelled"

    walk(srv, "signed order", lambda: str(uuid.uuid4()), place,
         lambda ctx: (open_orders(maker), money(maker)), confirm_order)


# ---- trading --------------------------------------------------------------------------


def test_limit_order_that_matches(srv, traders):
    maker, taker = traders

    def prepare():
        o = maker.post("/v1/orders", json={"pair": "BTC-AUD", "side": "sell", "type": "limit",
                                           "price": "50000.00", "quantity": CHEAP}).expect(201)
        return {"maker_order": o.json()["id"], "idem": str(uuid.uuid4())}

    def request(ctx):
        return taker.post("/v1/orders", idem=ctx["idem"], retry=False,
                          json={"pair": "BTC-AUD", "side": "buy", "type": "limit",
                                "price": "50000.00", "quantity": CHEAP})

    def snapshot(ctx):
        return (open_orders(maker), open_orders(taker), money(maker, taker),
                len(taker.get("/v1/trades/history?limit=1000").expect(200).json()["fills"]))

    def confirm(ctx, r):
        o = r.expect(201).json()
        assert o["status"] == "filled" and D(o["filled_quantity"]) == D(CHEAP), o
        m = maker.get(f"/v1/orders/{ctx['maker_order']}").expect(200).json()
        assert m["status"] == "filled", m

    walk(srv, "matching order", prepare, request, snapshot, confirm)


def test_cancel(srv, traders):
    maker, _ = traders

    def prepare():
        return maker.post("/v1/orders", json={"pair": "BTC-AUD", "side": "sell", "type": "limit",
                                              "price": "800000.00", "quantity": CHEAP}) \
            .expect(201).json()["id"]

    def confirm(ctx, r):
        assert r.expect(200).json()["status"] == "cancelled"
        assert maker.get(f"/v1/orders/{ctx}").expect(200).json()["status"] == "cancelled"

    walk(srv, "cancel", prepare,
         lambda ctx: maker.delete(f"/v1/orders/{ctx}", retry=False),
         lambda ctx: (open_orders(maker), money(maker)), confirm)


# ---- money in and out ------------------------------------------------------------------


def test_fiat_deposit_webhook(srv, traders):
    _, taker = traders

    def prepare():
        ftx = taker.post("/v1/fiat/deposit", json={"currency": "AUD", "amount": "10.00",
                                                   "method": "payid"}).expect(201).json()
        event = webhook_event("payment.succeeded", {"reference": ftx["reference"],
                                                     "amount": "10.00", "currency": "AUD"})
        return {"ftx": ftx, "event": event, "before": balances(taker)["AUD"]}

    def request(ctx):
        return send_webhook(srv, "payments", event=ctx["event"], retry=False)

    def confirm(ctx, r):
        assert r.status == 204, r.text
        avail, locked = balances(taker)["AUD"]
        assert avail == ctx["before"][0] + D("10.00") and locked == ctx["before"][1]
        # a redelivery of the same event credits nothing more
        send_webhook(srv, "payments", event=ctx["event"]).expect(204)
        assert balances(taker)["AUD"] == (avail, locked)

    walk(srv, "fiat deposit webhook", prepare, request, lambda ctx: money(taker), confirm)


def test_crypto_withdraw(srv, traders):
    _, taker = traders

    def txs():
        return len(taker.get("/v1/wallets/transactions?limit=1000").expect(200)
                   .json()["transactions"])

    def prepare():
        return {"idem": str(uuid.uuid4()), "before": balances(taker)["BTC"], "txs": txs()}

    def request(ctx):
        return taker.post("/v1/wallets/withdraw", idem=ctx["idem"], retry=False,
                          json={"asset": "BTC", "amount": CHEAP,
                                "address": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"})

    def confirm(ctx, r):
        assert r.status == 201, r.text
        assert txs() == ctx["txs"] + 1
        avail, locked = balances(taker)["BTC"]
        assert avail + locked < ctx["before"][0] + ctx["before"][1] or locked > ctx["before"][1]

    walk(srv, "crypto withdraw", prepare, request, lambda ctx: (money(taker), txs()), confirm)


# ---- GraphQL ----------------------------------------------------------------------------


def gql_ok(r):
    return r.status == 200 and "errors" not in r.json()


def gql_clean(r):
    """A clean GraphQL refusal: the one error body with a 5xx, or a 200 whose
    errors are all internal (or store) errors naming the request."""
    if is_clean_error(r):
        return True
    if r.status != 200:
        return False
    doc = r.json()
    return bool(doc.get("errors")) and all(
        e["extensions"]["code"] in ("INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE")
        and e["extensions"]["requestId"] == r.headers.get("X-Request-Id")
        for e in doc["errors"])


def test_graphql_query_and_mutation(srv, traders):
    _, taker = traders
    q = "{ balances { asset available locked total } }"

    def confirm_q(ctx, r):
        assert r.json()["data"]["balances"] == \
            taker.get("/v1/wallets/balances").expect(200).json()["balances"]

    def gql(query, **kw):
        return taker.post("/graphql", json={"query": query}, retry=False, **kw)

    walk(srv, "graphql query", lambda: None, lambda ctx: gql(q), lambda ctx: None, confirm_q,
         succeeded=gql_ok, clean=gql_clean)

    m = ("mutation { createOrder(input: {pair: \"BTC-AUD\", side: BUY, type: LIMIT, "
         "price: \"100.00\", quantity: \"0.5\"}) { id status } }")

    def confirm_m(ctx, r):
        o = r.json()["data"]["createOrder"]
        assert o["status"] == "OPEN", r.text
        taker.delete(f"/v1/orders/{o['id']}").expect(200)

    walk(srv, "graphql mutation", lambda: str(uuid.uuid4()),
         lambda ctx: gql(m, idem=ctx), lambda ctx: (open_orders(taker), money(taker)), confirm_m,
         succeeded=gql_ok, clean=gql_clean)


def test_server_is_healthy_after_the_walks(srv):
    srv.api.get("/health").expect(200)
    rc, out = srv.verify_audit()
    assert rc == 0, out

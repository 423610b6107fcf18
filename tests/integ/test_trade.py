"""Trading end to end: funded users place orders through the REST API and the
balances, fills, trades, book and ticker must agree to the last decimal.

The module runs its own naxd with explicit markets so the fees are known:
BTC-AUD maker 0.1 %, taker 0.2 %; ETH-AUD without fees. Prices and
quantities are chosen so every fee is exact in cents (no rounding policy is
assumed). Each test uses fresh users and cancels what they left open, so the
books are empty between tests.
"""

from decimal import Decimal

import pytest

from naxlib import D, Server, balances, fund_crypto, fund_fiat, make_api_key, new_user

MAKER, TAKER = D("0.001"), D("0.002")
MARKETS = [
    {"pair": "BTC-AUD", "base": "BTC", "quote": "AUD", "tick_size": "0.01",
     "lot_size": "0.00000001", "min_notional": "10.00", "maker_fee": str(MAKER),
     "taker_fee": str(TAKER), "status": "active"},
    {"pair": "ETH-AUD", "base": "ETH", "quote": "AUD", "tick_size": "0.01",
     "lot_size": "0.0001", "min_notional": "5.00", "maker_fee": "0", "taker_fee": "0",
     "status": "active"},
]
ZERO = Decimal(0)


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("naxd-trade"), config={"markets": MARKETS})
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def traders(srv):
    """traders(aud=..., btc=...) -> a new user funded as asked; open orders of
    every trader are cancelled after the test."""
    made = []

    def make(aud=None, btc=None, eth=None):
        u = new_user(srv)
        if aud:
            fund_fiat(u, "AUD", aud)
        if btc:
            fund_crypto(u, "BTC", btc)
        if eth:
            fund_crypto(u, "ETH", eth)
        made.append(u)
        return u

    yield make
    for u in made:
        u.delete("/v1/orders").expect(200)


def order(user, side, qty, price=None, pair="BTC-AUD", type_=None, tif=None, post_only=None,
          cid=None, expect=201, **kw):
    body = {"pair": pair, "side": side, "type": type_ or ("limit" if price else "market"),
            "quantity": qty}
    if price is not None:
        body["price"] = price
    if tif:
        body["time_in_force"] = tif
    if post_only is not None:
        body["post_only"] = post_only
    if cid:
        body["client_order_id"] = cid
    r = user.post("/v1/orders", json=body, **kw)
    if expect is None:
        return r
    return r.expect(expect).json()


def bal(user):
    return balances(user)


def asset(b, name):
    return b.get(name, (ZERO, ZERO))


def book(srv, pair="BTC-AUD"):
    doc = srv.api.get(f"/v1/markets/{pair}/orderbook").expect(200).json()
    assert doc["pair"] == pair
    assert 0 <= doc["checksum"] <= 0xFFFFFFFF
    return ([(D(p), D(q)) for p, q in doc["bids"]], [(D(p), D(q)) for p, q in doc["asks"]], doc)


def ticker(srv, pair="BTC-AUD"):
    return srv.api.get(f"/v1/markets/{pair}/ticker").expect(200).json()


def fills(user, **params):
    q = "&".join(f"{k}={v}" for k, v in params.items())
    return user.get("/v1/trades/history" + ("?" + q if q else "")).expect(200).json()["fills"]


def test_markets_list_the_configured_rules(srv):
    doc = srv.api.get("/v1/markets").expect(200).json()
    by_pair = {m["pair"]: m for m in doc["markets"]}
    assert set(by_pair) == {"BTC-AUD", "ETH-AUD"}
    m = by_pair["BTC-AUD"]
    assert (m["base"], m["quote"], m["status"]) == ("BTC", "AUD", "active")
    assert D(m["tick_size"]) == D("0.01") and D(m["lot_size"]) == D("0.00000001")
    assert D(m["min_notional"]) == D("10.00")


def test_limit_sell_rests_and_limit_buy_crosses(srv, traders):
    seller = traders(btc="1.0")
    buyer = traders(aud="1000.00")
    vol_before = D(ticker(srv)["volume_24h"])

    sell = order(seller, "sell", "0.01000000", "50000.00")
    assert sell["status"] == "open" and D(sell["filled_quantity"]) == 0
    assert (sell["side"], sell["type"], sell["pair"]) == ("sell", "limit", "BTC-AUD")
    assert D(sell["price"]) == D("50000.00") and D(sell["quantity"]) == D("0.01")
    assert asset(bal(seller), "BTC") == (D("0.99"), D("0.01"))

    bids, asks, _ = book(srv)
    assert asks == [(D("50000.00"), D("0.01"))] and bids == []
    t = ticker(srv)
    assert D(t["ask"]) == D("50000.00") and "bid" not in t

    buy = order(buyer, "buy", "0.01000000", "50000.00")
    assert buy["status"] == "filled"
    assert D(buy["filled_quantity"]) == D("0.01") and D(buy["average_price"]) == D("50000.00")

    # notional 500.00: the taker (buyer) pays 0.2 % = 1.00, the maker (seller) 0.1 % = 0.50
    b, s = bal(buyer), bal(seller)
    assert asset(b, "AUD") == (D("499.00"), ZERO)
    assert asset(b, "BTC") == (D("0.01"), ZERO)
    assert asset(s, "BTC") == (D("0.99"), ZERO)
    assert asset(s, "AUD") == (D("499.50"), ZERO)

    got = seller.get(f"/v1/orders/{sell['id']}").expect(200).json()
    assert got["status"] == "filled" and D(got["filled_quantity"]) == D("0.01")
    assert D(got["average_price"]) == D("50000.00")
    assert got["updated_at"] >= got["created_at"]

    (fb,) = fills(buyer)
    (fs,) = fills(seller)
    assert fb["id"] == fs["id"], "both sides of one trade share its id"
    assert (fb["order_id"], fb["side"], fb["liquidity"]) == (buy["id"], "buy", "taker")
    assert (fs["order_id"], fs["side"], fs["liquidity"]) == (sell["id"], "sell", "maker")
    for f, fee in ((fb, "1.00"), (fs, "0.50")):
        assert D(f["price"]) == D("50000.00") and D(f["quantity"]) == D("0.01")
        assert D(f["fee"]) == D(fee) and f["fee_asset"] == "AUD" and f["pair"] == "BTC-AUD"

    trades = srv.api.get("/v1/markets/BTC-AUD/trades?limit=5").expect(200).json()["trades"]
    assert trades[0]["id"] == fb["id"]
    assert D(trades[0]["price"]) == D("50000.00") and D(trades[0]["quantity"]) == D("0.01")
    assert trades[0]["side"] == "buy", "a public trade carries the taker's side"

    bids, asks, _ = book(srv)
    assert asks == [] and bids == []
    t = ticker(srv)
    assert D(t["last"]) == D("50000.00")
    assert D(t["volume_24h"]) == vol_before + D("0.01")
    assert "ask" not in t and "bid" not in t


def test_partial_fill_then_cancel_releases_the_hold_exactly(srv, traders):
    seller = traders(btc="1.0")
    buyer = traders(aud="10000.00")

    sell = order(seller, "sell", "0.05", "60000.00")
    buy = order(buyer, "buy", "0.02", "60000.00")
    assert buy["status"] == "filled"
    got = seller.get(f"/v1/orders/{sell['id']}").expect(200).json()
    assert got["status"] == "partially_filled" and D(got["filled_quantity"]) == D("0.02")
    bids, asks, doc = book(srv)
    assert asks == [(D("60000.00"), D("0.03"))]
    seq_before = doc["seq"]

    # 0.02 x 60000 = 1200.00; maker fee 1.20 to the seller, taker fee 2.40 from the buyer
    assert asset(bal(seller), "BTC") == (D("0.95"), D("0.03"))
    assert asset(bal(seller), "AUD") == (D("1198.80"), ZERO)
    assert asset(bal(buyer), "AUD") == (D("10000.00") - D("1202.40"), ZERO)

    cancelled = seller.delete(f"/v1/orders/{sell['id']}").expect(200).json()
    assert cancelled["status"] == "cancelled" and D(cancelled["filled_quantity"]) == D("0.02")
    assert asset(bal(seller), "BTC") == (D("0.98"), ZERO)
    again = seller.delete(f"/v1/orders/{sell['id']}")
    assert again.status == 409 and again.code == "order_closed"
    bids, asks, doc = book(srv)
    assert asks == [] and doc["seq"] > seq_before

    # A resting buy holds price x qty x (1 + max(maker, taker)); cancel gives it all back.
    before = asset(bal(buyer), "AUD")
    rest = order(buyer, "buy", "0.01", "40000.00")
    assert rest["status"] == "open"
    hold = D("40000.00") * D("0.01") * (1 + max(MAKER, TAKER))
    assert asset(bal(buyer), "AUD") == (before[0] - hold, hold)
    buyer.delete(f"/v1/orders/{rest['id']}").expect(200)
    assert asset(bal(buyer), "AUD") == before


def test_price_improvement_releases_the_unused_hold(srv, traders):
    seller = traders(btc="1.0")
    buyer = traders(aud="5000.00")
    order(seller, "sell", "0.01", "60000.00")
    buy = order(buyer, "buy", "0.01", "61000.00")
    assert buy["status"] == "filled" and D(buy["average_price"]) == D("60000.00")
    # pays the maker's price: 600.00 + taker fee 1.20; nothing stays locked
    assert asset(bal(buyer), "AUD") == (D("5000.00") - D("601.20"), ZERO)
    assert asset(bal(buyer), "BTC") == (D("0.01"), ZERO)


def test_market_orders_walk_the_book(srv, traders):
    seller = traders(btc="1.0", aud="1000.00")
    buyer = traders(aud="2000.00", btc="0.1")
    order(seller, "sell", "0.01", "50000.00")
    order(seller, "sell", "0.01", "52000.00")

    mkt = order(buyer, "buy", "0.015", type_="market")
    assert mkt["type"] == "market" and "price" not in mkt
    assert mkt["status"] == "filled" and D(mkt["filled_quantity"]) == D("0.015")
    # 0.01 @ 50000 (500.00, fee 1.00) + 0.005 @ 52000 (260.00, fee 0.52)
    avg = D(mkt["average_price"])
    assert abs(avg * D("0.015") - D("760.00")) <= D("0.015") * D("0.01")
    assert asset(bal(buyer), "AUD") == (D("2000.00") - D("761.52"), ZERO)
    assert asset(bal(buyer), "BTC") == (D("0.115"), ZERO)
    bids, asks, _ = book(srv)
    assert asks == [(D("52000.00"), D("0.005"))]

    # a market sell into a resting bid
    order(seller, "buy", "0.01", "45000.00")
    sell = order(buyer, "sell", "0.004", type_="market")
    assert sell["status"] == "filled" and D(sell["average_price"]) == D("45000.00")
    # 0.004 x 45000 = 180.00, taker fee 0.36
    assert asset(bal(buyer), "AUD") == (D("2000.00") - D("761.52") + D("179.64"), ZERO)
    assert asset(bal(buyer), "BTC") == (D("0.111"), ZERO)

    # nothing on the other side: a market order cancels without filling
    before = bal(buyer)
    seller.delete("/v1/orders").expect(200)
    empty = order(buyer, "sell", "0.001", type_="market")
    assert empty["status"] == "cancelled" and D(empty["filled_quantity"]) == 0
    assert bal(buyer) == before

    # market orders must not carry a price
    r = order(buyer, "buy", "0.001", "50000.00", type_="market", expect=None)
    assert r.status in (400, 422) and r.error.get("field") == "price", r.text


def test_ioc_fok_and_post_only(srv, traders):
    seller = traders(btc="1.0")
    buyer = traders(aud="5000.00")

    order(seller, "sell", "0.01", "50000.00")
    ioc = order(buyer, "buy", "0.02", "50000.00", tif="IOC")
    assert ioc["status"] == "cancelled" and D(ioc["filled_quantity"]) == D("0.01")
    assert ioc["time_in_force"] == "IOC"
    assert asset(bal(buyer), "AUD") == (D("5000.00") - D("501.00"), ZERO)

    resting = order(seller, "sell", "0.01", "50000.00")
    before = bal(buyer)
    fok = order(buyer, "buy", "0.02", "50000.00", tif="FOK")
    assert fok["status"] == "cancelled" and D(fok["filled_quantity"]) == 0
    assert bal(buyer) == before
    assert book(srv)[1] == [(D("50000.00"), D("0.01"))], "a killed FOK leaves the book alone"

    po = order(buyer, "buy", "0.01", "50000.00", post_only=True)
    assert po["status"] == "rejected" and D(po["filled_quantity"]) == 0
    assert bal(buyer) == before
    maker = order(buyer, "buy", "0.01", "49000.00", post_only=True)
    assert maker["status"] == "open" and maker.get("post_only") is True

    fok2 = order(buyer, "buy", "0.01", "50000.00", tif="FOK")
    assert fok2["status"] == "filled"
    got = seller.get(f"/v1/orders/{resting['id']}").expect(200).json()
    assert got["status"] == "filled"


def test_self_trade_is_prevented(srv, traders):
    trader = traders(aud="2000.00", btc="0.1")
    sell = order(trader, "sell", "0.01", "50000.00")
    buy = order(trader, "buy", "0.01", "50000.00")
    assert D(buy["filled_quantity"]) == 0 and buy["status"] == "cancelled"
    assert trader.get(f"/v1/orders/{sell['id']}").expect(200).json()["status"] == "open"
    assert fills(trader) == []
    assert asset(bal(trader), "AUD") == (D("2000.00"), ZERO)


def test_users_see_only_their_own_orders(srv, traders):
    alice = traders(aud="1000.00")
    bob = traders(aud="1000.00")
    a1 = order(alice, "buy", "0.001", "40000.00")
    b1 = order(bob, "buy", "0.001", "39000.00")

    for method in ("GET", "DELETE"):
        r = bob.call(method, f"/v1/orders/{a1['id']}")
        assert r.status == 404 and r.code == "not_found", r.text
    assert alice.get(f"/v1/orders/{a1['id']}").expect(200).json()["status"] == "open"
    assert alice.get("/v1/orders/o_999999999").status == 404
    assert alice.get("/v1/orders/not-an-id").status == 404

    ids_a = [o["id"] for o in alice.get("/v1/orders").expect(200).json()["orders"]]
    ids_b = [o["id"] for o in bob.get("/v1/orders").expect(200).json()["orders"]]
    assert ids_a == [a1["id"]] and ids_b == [b1["id"]]
    # bob's cancel-all does not touch alice's order
    assert bob.delete("/v1/orders").expect(200).json()["cancelled"] == [b1["id"]]
    assert alice.get(f"/v1/orders/{a1['id']}").expect(200).json()["status"] == "open"


def test_cancel_all_by_pair(srv, traders):
    user = traders(aud="5000.00")
    btc = [order(user, "buy", "0.001", p)["id"] for p in ("30000.00", "31000.00")]
    eth = order(user, "buy", "0.1000", "2000.00", pair="ETH-AUD")["id"]
    assert asset(bal(user), "AUD")[1] > 0

    r = user.delete("/v1/orders?pair=BTC-AUD").expect(200).json()
    assert sorted(r["cancelled"]) == sorted(btc)
    assert user.get(f"/v1/orders/{eth}").expect(200).json()["status"] == "open"
    # no fees on ETH-AUD: the hold is exactly price x qty
    assert asset(bal(user), "AUD") == (D("5000.00") - D("200.00"), D("200.00"))
    assert user.delete("/v1/orders").expect(200).json()["cancelled"] == [eth]
    assert user.delete("/v1/orders").expect(200).json()["cancelled"] == []
    assert asset(bal(user), "AUD") == (D("5000.00"), ZERO)


def test_order_filters_client_order_id_and_pagination(srv, traders):
    user = traders(aud="5000.00", btc="0.5")
    placed = []
    for i in range(5):
        side, price = ("buy", f"{30000 + i}.00") if i % 2 == 0 else ("sell", f"{90000 + i}.00")
        placed.append(order(user, side, "0.001", price, cid=f"cid-{i}-{user.id}"))

    found = user.get(f"/v1/orders?client_order_id=cid-3-{user.id}").expect(200).json()["orders"]
    assert [o["id"] for o in found] == [placed[3]["id"]]
    assert found[0]["client_order_id"] == f"cid-3-{user.id}"
    dup = order(user, "buy", "0.001", "30000.00", cid=f"cid-3-{user.id}", expect=None)
    assert dup.status in (409, 422), dup.text

    sells = user.get("/v1/orders?side=sell").expect(200).json()["orders"]
    assert sorted(o["id"] for o in sells) == sorted(placed[i]["id"] for i in (1, 3))
    assert user.get("/v1/orders?pair=ETH-AUD").expect(200).json()["orders"] == []

    seen, cursor = [], None
    for _ in range(10):
        path = "/v1/orders?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = user.get(path).expect(200).json()
        assert len(page["orders"]) <= 2
        seen += [o["id"] for o in page["orders"]]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    assert seen == [o["id"] for o in reversed(placed)], "newest first, every order once"
    assert user.get("/v1/orders?limit=0").status == 400
    assert user.get("/v1/orders?status=bogus").status == 400


def test_order_validation(srv, traders):
    user = traders(aud="100.00", btc="0.01")
    cases = [
        ({"price": "50000.005", "quantity": "0.001"}, "invalid_price", "price"),
        ({"price": "50000.00", "quantity": "0.000000001"}, "invalid_quantity", "quantity"),
        ({"price": "5000.00", "quantity": "0.001"}, None, None),  # 5.00 < min_notional 10.00
        ({"price": "50000.00", "quantity": "0.01"}, "insufficient_funds", None),
    ]
    before = bal(user)
    for extra, code, field in cases:
        body = {"pair": "BTC-AUD", "side": "buy", "type": "limit", **extra}
        r = user.post("/v1/orders", json=body)
        assert r.status == 422, (extra, r.status, r.text)
        if code:
            assert r.code == code, r.text
        if field:
            assert r.error.get("field") == field, r.text
        assert r.error.get("request_id") == r.headers.get("X-Request-Id")
    r = user.post("/v1/orders", json={"pair": "BTC-AUD", "side": "sell", "type": "limit",
                                       "price": "50000.00", "quantity": "0.02"})
    assert r.status == 422 and r.code == "insufficient_funds", r.text

    r = user.post("/v1/orders", json={"pair": "NOPE-AUD", "side": "buy", "type": "limit",
                                       "price": "1.00", "quantity": "20"})
    assert r.status in (404, 422), r.text
    r = user.post("/v1/orders", body=b'{"pair":"BTC-AUD","side":"buy","type":"limit",'
                                     b'"price":50000.00,"quantity":"0.001"}')
    assert r.status == 400 and r.code == "invalid_request" and r.error.get("field") == "price"
    r = user.post("/v1/orders", body=b'{"pair":"BTC-AUD","pair":"ETH-AUD","side":"buy",'
                                     b'"type":"limit","price":"1.00","quantity":"0.001"}')
    assert r.status == 400 and r.code == "invalid_json", r.text
    r = user.post("/v1/orders", json={"pair": "BTC-AUD", "side": "up", "type": "limit",
                                       "price": "1.00", "quantity": "1"})
    assert r.status == 400 and r.error.get("field") == "side", r.text
    assert bal(user) == before, "refused orders change nothing"
    assert user.get("/v1/orders").expect(200).json()["orders"] == []


def test_api_key_trading_and_scopes(srv, traders):
    user = traders(aud="1000.00")
    trade_key = make_api_key(user, ["read", "trade"])
    read_key = make_api_key(user, ["read"])
    body = {"pair": "BTC-AUD", "side": "buy", "type": "limit", "price": "40000.00",
            "quantity": "0.001"}
    r = user.post("/v1/orders", json=body, key=read_key)
    assert r.status == 403 and r.code == "insufficient_scope", r.text
    placed = user.post("/v1/orders", json=body, key=trade_key).expect(201).json()
    listed = user.get("/v1/orders?pair=BTC-AUD", key=read_key).expect(200).json()["orders"]
    assert [o["id"] for o in listed] == [placed["id"]]
    r = user.delete(f"/v1/orders/{placed['id']}", key=read_key)
    assert r.status == 403
    user.delete(f"/v1/orders/{placed['id']}", key=trade_key).expect(200)
    assert balances(user, key=read_key)["AUD"] == (D("1000.00"), ZERO)


def test_private_routes_need_credentials(srv):
    for method, path in (("GET", "/v1/orders"), ("POST", "/v1/orders"), ("DELETE", "/v1/orders"),
                         ("GET", "/v1/trades/history"), ("GET", "/v1/wallets/balances")):
        r = srv.api.call(method, path, **({"json": {}} if method == "POST" else {}))
        assert r.status == 401, (method, path, r.status, r.text)
        assert r.error.get("request_id")

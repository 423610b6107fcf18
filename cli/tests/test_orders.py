"""Orders through the CLI, checked against naxd's own state: place, get, list,
see it in the book, cancel; cancel-all; fills."""

import json
import re
from decimal import Decimal

import naxlib
from conftest import EXIT_ARGUMENT, EXIT_NETWORK, EXIT_USAGE


def kv(out):
    return dict(line.split(None, 1) for line in out.splitlines() if line.strip())


def api_order(naxd, trader, order_id):
    r = naxd.api.get(f"/v1/orders/{order_id}", key=trader.key).expect(200)
    return json.loads(r.body)


def book_rows(nax, pair):
    rows = [line.split() for line in nax("book", pair).expect(0).out.splitlines()[2:]]
    return [(r[0], r[1], r[2]) for r in rows if r[0] in ("ask", "bid")]


def test_place_get_list_book_cancel(nax, naxd, trader):
    placed = kv(nax("order", "place", "BTC-AUD", "buy", "0.01500000", "--price", "972.50")
                .expect(0).out)
    oid = placed["id"]
    assert placed["status"] == "open" and placed["side"] == "buy" and placed["type"] == "limit"
    assert placed["price"] == "972.50" and placed["quantity"] == "0.01500000"

    # naxd holds it, as the CLI says
    held = api_order(naxd, trader, oid)
    assert held["status"] == "open" and held["price"] == "972.50"
    assert held["client_order_id"] == placed["client_order_id"]

    # order get: table and the contract's JSON
    got = kv(nax("order", "get", oid).expect(0).out)
    assert got["id"] == oid and got["status"] == "open" and got["filled_quantity"] == "0.00000000"
    assert nax("--json", "order", "get", oid).expect(0).json() == held

    # order list: a row, and the JSON page naxd gives
    rows = [line.split() for line in nax("order", "list", "--pair", "BTC-AUD").expect(0)
            .out.splitlines()]
    assert rows[0][:4] == ["ID", "PAIR", "SIDE", "TYPE"]
    mine = [r for r in rows[1:] if r[0] == oid]
    assert mine and mine[0][1:8] == ["BTC-AUD", "buy", "limit", "972.50", "0.01500000",
                                     "0.00000000", "open"]
    page = nax("--json", "order", "list", "--status", "open").expect(0).json()
    want = json.loads(naxd.api.get("/v1/orders?status=open", key=trader.key).expect(200).body)
    assert page == want and oid in [o["id"] for o in page["orders"]]

    # the book shows the level
    assert ("bid", "972.50", "0.01500000") in book_rows(nax, "BTC-AUD")

    # cancel: the CLI shows it cancelled, naxd agrees, the level is gone
    cancelled = kv(nax("order", "cancel", oid).expect(0).out)
    assert cancelled["id"] == oid and cancelled["status"] == "cancelled"
    assert api_order(naxd, trader, oid)["status"] == "cancelled"
    assert not [r for r in book_rows(nax, "BTC-AUD") if r[1] == "972.50"]


def test_place_json_and_client_order_id(nax, naxd, trader):
    doc = nax("--json", "order", "place", "BTC-AUD", "sell", "0.2", "--price", "150000.00",
              "--client-id", "cli-test-1", "--tif", "GTC", "--post-only").expect(0).json()
    assert doc == api_order(naxd, trader, doc["id"])
    assert doc["client_order_id"] == "cli-test-1" and doc["post_only"] is True
    assert doc["price"] == "150000.00" and doc["quantity"] == "0.2"
    by_client = nax("--json", "order", "get", "--client-id", "cli-test-1").expect(0).json()
    assert by_client["id"] == doc["id"]
    nax("order", "cancel", doc["id"]).expect(0)


def test_cancel_all(nax, naxd, trader):
    ids = [kv(nax("order", "place", "ETH-AUD", "buy", "0.5", "--price", p).expect(0).out)["id"]
           for p in ("50.00", "51.00")]
    out = nax("cancel-all", "--pair", "ETH-AUD").expect(0).out.split()
    assert out[0] == "CANCELLED" and sorted(out[1:]) == sorted(ids)
    for oid in ids:
        assert api_order(naxd, trader, oid)["status"] == "cancelled"
    assert nax("--json", "cancel-all", "--pair", "ETH-AUD").expect(0).json() == {"cancelled": []}


def test_market_order_and_fills(nax, naxd, trader):
    other = naxlib.new_user(naxd)
    naxlib.fund_crypto(other, "BTC", "1.0")
    rest = other.post("/v1/orders", json={"pair": "BTC-USD", "side": "sell", "type": "limit",
                                          "price": "200.00", "quantity": "0.5"}).expect(201)
    naxlib.fund_fiat(trader.user, "USD", "1000.00")
    # a market order needs to be asked for by name
    r = nax("order", "place", "BTC-USD", "buy", "0.1").expect(EXIT_USAGE)
    assert "--price" in r.err and "--type market" in r.err
    doc = nax("--json", "order", "place", "BTC-USD", "buy", "0.1", "--type", "market",
              "--tif", "IOC").expect(0).json()
    assert doc["type"] == "market" and doc["status"] == "filled"
    assert Decimal(doc["filled_quantity"]) == Decimal("0.1")
    fills = nax("--json", "fills", "--pair", "BTC-USD").expect(0).json()["fills"]
    assert [f["order_id"] for f in fills] == [doc["id"]]
    assert fills[0]["price"] == "200.00" and fills[0]["liquidity"] == "taker"
    rows = [line.split() for line in nax("fills").expect(0).out.splitlines()]
    assert rows[0][:3] == ["TIME", "ID", "ORDER"]
    assert [r[2] for r in rows[1:]] == [doc["id"]]
    assert rest.json()["id"]


def test_orders_checked_before_sending(nax):
    # off the tick size: refused locally (argument class), the field named
    r = nax("order", "place", "BTC-AUD", "buy", "0.1", "--price", "100.001").expect(EXIT_ARGUMENT)
    assert "field price" in r.err and "tick" in r.err
    r = nax("--json", "order", "place", "BTC-AUD", "buy", "0.1", "--price", "1.00") \
        .expect(EXIT_ARGUMENT)
    err = json.loads(r.err)["error"]
    assert err["field"] == "quantity" and "minimum notional" in err["message"]


def test_bad_values_are_usage_errors(nax):
    cases = [
        (["order", "place", "BTC-AUD", "buy", "0.1", "--price", "abc"], "--price: 'abc'"),
        (["order", "place", "BTC-AUD", "buy", "0.1", "--price", "1e3"], "--price: '1e3'"),
        (["order", "place", "BTC-AUD", "buy", "lots", "--price", "100"], "QUANTITY: 'lots'"),
        (["order", "place", "BTC-AUD", "hold", "0.1", "--price", "100"], "side: 'hold'"),
        (["order", "place", "BTC-AUD", "buy", "0.1", "--price", "100", "--tif", "DAY"],
         "--tif: 'DAY'"),
        (["order", "place", "BTC-AUD", "buy"], "expected PAIR buy|sell QUANTITY"),
        (["order", "place", "BTC-AUD", "buy", "0.1", "--price"], "'--price' needs a value"),
        (["order", "place", "BTC-AUD", "buy", "0.1", "--colour", "red"], "unknown option"),
        (["order", "list", "--status", "done"], "--status: 'done'"),
        (["order", "list", "--limit", "0"], "--limit: '0'"),
        (["order", "frobnicate"], "unknown subcommand 'frobnicate'"),
        (["order"], "expected place, get, list or cancel"),
        (["fiat", "deposit", "AUD", "ten"], "AMOUNT: 'ten'"),
        (["withdraw", "BTC", "0.1"], "--address is required"),
        (["api-keys", "create", "--label", "x", "--scopes", "read,fly"], "--scopes: 'fly'"),
    ]
    for args, text in cases:
        r = nax(*args).expect(EXIT_USAGE)
        assert text in r.err, (args, r.err)
        assert len(r.err.splitlines()) == 1 and r.out == "", (args, r)


def test_unknown_outcome_names_the_client_order_id(nax, naxd, trader):
    """naxd commits the order but answers 503, and the lookup by client order id
    fails too: the outcome stays unknown (exit 5), and the CLI names the client
    order id it fixed before the first attempt, so the user can look it up
    instead of placing the order again."""
    naxd.faults("POST /v1/orders", "error_after_commit", count=50, status=503)
    naxd.faults("GET /v1/orders", "error_before_commit", count=50, status=503)
    try:
        r_json = nax("--json", "order", "place", "BTC-AUD", "buy", "0.2", "--price", "100.00") \
            .expect(EXIT_NETWORK)
        r_text = nax("order", "place", "BTC-AUD", "buy", "0.2", "--price", "100.01") \
            .expect(EXIT_NETWORK)
    finally:
        naxd.clear_faults()
    err = json.loads(r_json.err.strip())["error"]
    cid = err["client_order_id"]
    assert err["field"] == "client_order_id" and cid and cid in err["message"]
    assert f"nax order get --client-id {cid}" in err["message"]
    assert len(r_text.err.splitlines()) == 1, r_text
    m = re.search(r"client order id (\S+?):", r_text.err)
    assert m, r_text.err
    cid_text = m.group(1)
    assert cid_text != cid and f"nax order get --client-id {cid_text}" in r_text.err
    # each order is there exactly once, under the id the CLI printed
    for client_id, price in ((cid, "100.00"), (cid_text, "100.01")):
        got = nax("--json", "order", "get", "--client-id", client_id).expect(0).json()
        assert got["client_order_id"] == client_id and got["price"] == price
        page = json.loads(naxd.api.get(f"/v1/orders?client_order_id={client_id}",
                                       key=trader.key).expect(200).body)
        assert [o["id"] for o in page["orders"]] == [got["id"]]
        nax("order", "cancel", got["id"]).expect(0)

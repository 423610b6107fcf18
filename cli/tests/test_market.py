"""Market data: markets, ticker, book, trades; tables and --json against naxd."""

import json
from decimal import Decimal

import pytest

import naxlib
from conftest import EXIT_USAGE


def api_json(naxd, path):
    """The raw JSON body of a public GET (strings stay strings)."""
    return json.loads(naxd.api.get(path).expect(200).body)


@pytest.fixture(scope="module")
def market(naxd, trader):
    """A BTC-AUD book with two asks and two bids of the trader, and one trade
    between the trader and a second user."""
    k = trader.key
    for side, price, qty in (("sell", "101.50", "0.50000000"), ("sell", "100.5", "0.25"),
                             ("buy", "99.00", "0.3"), ("buy", "98.75", "0.2")):
        naxlib_order(naxd, k, side, price, qty)
    other = naxlib.new_user(naxd)
    naxlib.fund_fiat(other, "AUD", "1000.00")
    r = other.post("/v1/orders", json={"pair": "BTC-AUD", "side": "buy", "type": "limit",
                                       "price": "100.5", "quantity": "0.1"})
    r.expect(201)
    return other


def naxlib_order(naxd, key, side, price, qty):
    naxd.api.post("/v1/orders", key=key, json={
        "pair": "BTC-AUD", "side": side, "type": "limit", "price": price,
        "quantity": qty}).expect(201)


def table(out):
    """Rows of a table as lists of cells (split on runs of blanks)."""
    lines = [line for line in out.splitlines() if line.strip()]
    return [line.split() for line in lines]


def test_markets_table_matches_naxd(anon, naxd):
    want = api_json(naxd, "/v1/markets")["markets"]
    rows = table(anon("markets").expect(0).out)
    assert rows[0] == ["PAIR", "BASE", "QUOTE", "TICK", "LOT", "MIN_NOTIONAL", "STATUS"]
    assert rows[1:] == [[m["pair"], m["base"], m["quote"], m["tick_size"], m["lot_size"],
                         m["min_notional"], m["status"]] for m in want]


def test_markets_json_is_the_contract_document(anon, naxd):
    want = api_json(naxd, "/v1/markets")
    assert anon("--json", "markets").expect(0).json() == want
    # --json is also taken after the command
    assert anon("markets", "--json").expect(0).json() == want


def test_ticker(anon, naxd, market):
    want = api_json(naxd, "/v1/markets/BTC-AUD/ticker")
    out = anon("ticker", "BTC-AUD").expect(0).out
    got = dict(line.split(None, 1) for line in out.splitlines())
    assert got["pair"] == "BTC-AUD"
    assert got["bid"] == want["bid"] == "99.00"
    assert got["ask"] == want["ask"] and Decimal(want["ask"]) == Decimal("100.5")
    assert got["last"] == want["last"] and Decimal(want["last"]) == Decimal("100.5")
    assert got["volume_24h"] == want["volume_24h"]
    assert got["seq"] == str(want["seq"])
    doc = anon("--json", "ticker", "BTC-AUD").expect(0).json()
    assert {k: v for k, v in doc.items() if k != "ts"} == \
        {k: v for k, v in want.items() if k != "ts"}


def test_book_ladder_matches_naxd(anon, naxd, market):
    want = api_json(naxd, "/v1/markets/BTC-AUD/orderbook")
    out = anon("book", "BTC-AUD").expect(0).out
    lines = out.splitlines()
    assert lines[0].startswith(f"BTC-AUD  seq {want['seq']}  checksum {want['checksum']}")
    rows = table("\n".join(lines[1:]))
    assert rows[0] == ["SIDE", "PRICE", "QUANTITY"]
    asks = [r[1:] for r in rows if r[0] == "ask"]
    bids = [r[1:] for r in rows if r[0] == "bid"]
    # asks are printed worst first, so the best ask sits just above the spread
    assert asks == [list(level) for level in reversed(want["asks"])]
    assert bids == [list(level) for level in want["bids"]]
    spread = [r for r in rows if r[0] == "spread"]
    assert spread == [["spread", "1.50"]]  # 100.5 - 99.00, exact
    # decimals are aligned on the point: every price's '.' in the same column
    price_lines = [line for line in lines[2:] if line.split()[0] in ("ask", "bid", "spread")]
    dots = {line.index(".", len(line.split()[0])) for line in price_lines}
    assert len(dots) == 1, out


def test_book_depth(anon, naxd, market):
    rows = table(anon("book", "BTC-AUD", "--depth", "1").expect(0).out)
    assert [r[0] for r in rows[2:]] == ["ask", "spread", "bid"]
    doc = anon("--json", "book", "BTC-AUD", "--depth", "1").expect(0).json()
    want = api_json(naxd, "/v1/markets/BTC-AUD/orderbook?depth=1")
    assert {k: v for k, v in doc.items() if k != "ts"} == \
        {k: v for k, v in want.items() if k != "ts"}
    assert len(doc["bids"]) == len(doc["asks"]) == 1


@pytest.mark.parametrize("depth", ["abc", "0", "1001", "-1", "5x"])
def test_book_bad_depth_is_a_usage_error(anon, depth):
    r = anon("book", "BTC-AUD", "--depth", depth).expect(EXIT_USAGE)
    assert "--depth" in r.err and repr(depth).strip("'") in r.err
    assert len(r.err.splitlines()) == 1


def test_trades(anon, naxd, market):
    want = api_json(naxd, "/v1/markets/BTC-AUD/trades")["trades"]
    assert len(want) == 1
    rows = table(anon("trades", "BTC-AUD").expect(0).out)
    assert rows[0] == ["TIME", "ID", "SIDE", "PRICE", "QUANTITY"]
    assert [r[1:] for r in rows[1:]] == [[t["id"], t["side"], t["price"], t["quantity"]]
                                         for t in want]
    assert anon("--json", "trades", "BTC-AUD", "--limit", "5").expect(0).json() == \
        {"trades": want}


def test_unknown_pair_is_not_found(anon):
    r = anon("ticker", "NOPE-AUD")
    assert r.rc != 0 and r.out == ""
    assert len(r.err.splitlines()) == 1

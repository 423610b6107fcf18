"""Shared by the interop tests: the market they trade on, and an independent
order book built from the stream's snapshot and updates (Decimal prices,
zlib.crc32 checksum, written from docs/asyncapi.yaml, not from libnax)."""

import sys
import time
import zlib
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integ"))
from naxlib import fund_crypto, fund_fiat, new_user  # noqa: E402

PAIR = "BTC-AUD"
CHANNELS = [f"ticker:{PAIR}", f"trades:{PAIR}", f"book:{PAIR}"]
# The resting orders of the maker: two levels a side.
RESTING = [("buy", "97000.00", "0.50000000"), ("buy", "96990.50", "0.25000000"),
           ("sell", "97100.00", "0.40000000"), ("sell", "97110.50", "0.30000000")]
TAKE = {"side": "buy", "price": "97100.00", "quantity": "0.10000000"}  # crosses the best ask


def normalize(text):
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


class Book:
    """A book kept from book:{pair} messages; seq and checksum checked on each."""

    def __init__(self):
        self.bids, self.asks, self.seq = {}, {}, None

    def apply(self, msg):
        if msg["type"] == "snapshot":
            self.bids, self.asks = {}, {}
        else:
            assert self.seq is not None, "an update before the snapshot"
            assert msg["seq"] == self.seq + 1, f"seq gap: {self.seq} then {msg['seq']}"
        for side, levels in ((self.bids, msg.get("bids", [])), (self.asks, msg.get("asks", []))):
            for price, qty in levels:
                if Decimal(qty) == 0:
                    side.pop(Decimal(price), None)
                else:
                    side[Decimal(price)] = (price, qty)
        self.seq = msg.get("seq", 0)
        assert self.checksum() == msg["checksum"], \
            f"checksum {self.checksum()} != {msg['checksum']} at seq {self.seq}"

    def levels(self, side):
        book = self.bids if side == "bids" else self.asks
        keys = sorted(book, reverse=(side == "bids"))
        return [book[k] for k in keys]

    def checksum(self):
        def text(side):
            return "|".join(f"{normalize(p)}:{normalize(q)}" for p, q in self.levels(side)[:25])
        return zlib.crc32(f"{text('bids')}#{text('asks')}".encode())


def same_levels(ours, theirs):
    """Levels equal as numbers ("97249.00" is "97249")."""
    return [(Decimal(p), Decimal(q)) for p, q in ours] == \
        [(Decimal(p), Decimal(q)) for p, q in theirs]


def prepare_market(server):
    """A maker with RESTING orders, and a funded taker; returns (maker, taker)."""
    maker, taker = new_user(server), new_user(server)
    fund_fiat(maker, "AUD", "200000.00")
    fund_crypto(maker, "BTC", "5.0")
    fund_fiat(taker, "AUD", "200000.00")
    for side, price, qty in RESTING:
        maker.post("/v1/orders", json={"pair": PAIR, "side": side, "type": "limit",
                                       "price": price, "quantity": qty}).expect(201)
    return maker, taker


def take(taker):
    """The crossing order: one trade of TAKE's quantity at the best ask."""
    r = taker.post("/v1/orders", json={"pair": PAIR, "type": "limit", **TAKE}).expect(201)
    return r.json()


def orderbook(server):
    return server.api.get(f"/v1/markets/{PAIR}/orderbook").expect(200).json()


def wait_until(predicate, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")

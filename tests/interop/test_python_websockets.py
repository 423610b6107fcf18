"""Interop: Debian's Python `websockets` (an independent RFC 6455 client) on
naxd's /v1/stream, following docs/asyncapi.yaml: acks echo the op ids and come
before the channel's first message; ticker, trades and book snapshots; after a
trade placed over REST, a trades update, a ticker update and book updates whose
seq rises by one and whose checksum (recomputed here with zlib.crc32) matches;
the rebuilt book equals GET orderbook. Run by ctest as `interop_python`."""

import asyncio
import json
import time
from decimal import Decimal

import websockets

from streamcheck import (CHANNELS, PAIR, TAKE, Book, orderbook, prepare_market, same_levels,
                         take)

TIMEOUT = 10.0


class Client:
    """One connection; every message it reads is kept in order."""

    def __init__(self, ws):
        self.ws, self.seen = ws, []

    async def send(self, **op):
        await self.ws.send(json.dumps(op))

    async def next(self, timeout=TIMEOUT):
        msg = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        self.seen.append(msg)
        return msg

    async def until(self, predicate, what, book=None, timeout=TIMEOUT):
        """Reads until predicate(msg); book messages on the way go into `book`."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no {what} within {timeout} s; read {self.seen[-10:]}"
            msg = await self.next(left)
            if book is not None and msg.get("channel") == f"book:{PAIR}" and \
                    msg.get("type") in ("snapshot", "update"):
                book.apply(msg)
            if predicate(msg):
                return msg


def ws_url(server):
    return f"ws://127.0.0.1:{server.port}/v1/stream"


async def scenario(server, taker):
    async with websockets.connect(ws_url(server), max_size=1 << 24) as ws:
        c = Client(ws)
        book = Book()
        await c.send(op="subscribe", id=41, channels=CHANNELS)
        ack = await c.next()
        # The ack comes first, with our id, before any message of the channels.
        assert ack == {"op": "subscribe", "id": 41, "ok": True}, ack
        snaps = {}
        while len(snaps) < 3:
            msg = await c.next()
            assert msg["type"] == "snapshot", msg
            assert msg["channel"] not in snaps, f"two snapshots of {msg['channel']}"
            snaps[msg["channel"]] = msg
            if msg["channel"] == f"book:{PAIR}":
                book.apply(msg)
        assert set(snaps) == set(CHANNELS)
        assert snaps[f"ticker:{PAIR}"]["ticker"]["pair"] == PAIR
        assert isinstance(snaps[f"trades:{PAIR}"]["trades"], list)

        rest = orderbook(server)
        assert book.seq == rest["seq"] and book.checksum() == rest["checksum"]
        assert same_levels(book.levels("bids"), rest["bids"])
        assert same_levels(book.levels("asks"), rest["asks"])

        await c.send(op="ping", id=42)
        await c.until(lambda m: m.get("op") == "ping", "ping ack", book)
        assert c.seen[-1] == {"op": "ping", "id": 42, "ok": True}

        # A trade over REST reaches all three channels.
        take(taker)
        trades = await c.until(lambda m: m.get("channel") == f"trades:{PAIR}", "trades update",
                               book)
        assert trades["type"] == "update"
        assert trades["seq"] == snaps[f"trades:{PAIR}"]["seq"] + 1
        assert [(Decimal(t["price"]), Decimal(t["quantity"]), t["side"])
                for t in trades["trades"]] == \
            [(Decimal(TAKE["price"]), Decimal(TAKE["quantity"]), "buy")]
        ticker = await c.until(lambda m: m.get("channel") == f"ticker:{PAIR}" and
                               m["ticker"].get("last") is not None and
                               Decimal(m["ticker"]["last"]) == Decimal(TAKE["price"]),
                               "ticker update with the trade", book)
        assert ticker["type"] == "update"
        assert ticker["seq"] > snaps[f"ticker:{PAIR}"]["seq"]

        rest = orderbook(server)
        if book.seq < rest["seq"]:
            await c.until(lambda m: book.seq >= rest["seq"], "book updates", book)
        assert book.seq == rest["seq"], (book.seq, rest["seq"])
        assert same_levels(book.levels("bids"), rest["bids"])
        assert same_levels(book.levels("asks"), rest["asks"])
        assert book.checksum() == rest["checksum"]
        best_ask = book.levels("asks")[0]
        assert Decimal(best_ask[0]) == Decimal(TAKE["price"])
        assert Decimal(best_ask[1]) == Decimal("0.3")

        # Refusals echo their id too; unsubscribe is acknowledged.
        await c.send(op="subscribe", id=43, channels=["book:XRP-AUD"])
        refused = await c.until(lambda m: m.get("id") == 43, "refusal", book)
        assert refused["op"] == "subscribe" and refused["ok"] is False
        assert refused["error"]["code"] == "unknown_channel"
        await c.send(op="unsubscribe", id=44, channels=CHANNELS)
        done = await c.until(lambda m: m.get("id") == 44, "unsubscribe ack", book)
        assert done == {"op": "unsubscribe", "id": 44, "ok": True}


def test_python_websockets_client(naxd):
    _, taker = prepare_market(naxd)
    asyncio.run(scenario(naxd, taker))

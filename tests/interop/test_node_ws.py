"""Interop: the npm `ws` client (pinned in tests/interop/package.json, installed
into tests/interop/node_modules on the first run) on naxd's /v1/stream. The
Node side (interop_ws.mjs) keeps its own book and recomputes every checksum in
JavaScript; this driver places the trade over REST and checks what Node saw:
acks echo the op ids and come first, ticker/trades/book snapshots, then the
trade's updates with seq + 1 and matching checksums, and Node's book equals
GET orderbook. Run by ctest as `interop_node`."""

import json
import queue
import shutil
import subprocess
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from streamcheck import CHANNELS, PAIR, TAKE, orderbook, prepare_market, same_levels, take

HERE = Path(__file__).resolve().parent
TIMEOUT = 10.0


def ensure_ws():
    """npm install the pinned `ws` beside this file unless it is there already."""
    want = json.loads((HERE / "package.json").read_text())["dependencies"]["ws"]
    have = HERE / "node_modules" / "ws" / "package.json"
    if have.exists() and json.loads(have.read_text())["version"] == want:
        return
    npm = shutil.which("npm")
    assert npm, "npm is needed once to install ws into tests/interop/node_modules"
    subprocess.run([npm, "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund"],
                   cwd=HERE, check=True, capture_output=True, timeout=300)


class NodeClient:
    """interop_ws.mjs as a subprocess: commands in, JSON events out."""

    def __init__(self, url):
        node = shutil.which("node")
        assert node, "node is needed for the ws interop test"
        self.proc = subprocess.Popen([node, str(HERE / "interop_ws.mjs"), url],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, cwd=HERE)
        self.events, self.seen = queue.Queue(), []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.events.put(json.loads(line))
        self.events.put(None)

    def command(self, **cmd):
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()

    def send(self, **op):
        self.command(send=op)

    def next(self, deadline):
        left = deadline - time.monotonic()
        assert left > 0, f"nothing more within {TIMEOUT} s; last events {self.seen[-8:]}"
        try:
            event = self.events.get(timeout=left)
        except queue.Empty:
            raise AssertionError(f"nothing within {TIMEOUT} s; last {self.seen[-8:]}") from None
        assert event is not None, f"node exited: {self.proc.stderr.read()}"
        assert event["event"] != "error", event
        self.seen.append(event)
        return event

    def until(self, predicate, what, timeout=TIMEOUT):
        """The next event with predicate(event); book checks asserted on the way."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.next(deadline)
            if "book" in event:
                assert event["book"]["ok"], f"Node's book check failed: {event}"
            if predicate(event):
                return event

    def message(self, predicate, what):
        return self.until(lambda e: e["event"] == "recv" and predicate(e["msg"]), what)["msg"]

    def close(self):
        self.proc.stdin.close()
        deadline = time.monotonic() + TIMEOUT
        closed = self.until(lambda e: e["event"] == "closed", "close")
        assert self.proc.wait(max(0.1, deadline - time.monotonic())) == 0
        return closed


@pytest.fixture(scope="module", autouse=True)
def ws_installed():
    ensure_ws()


def test_node_ws_client(naxd):
    _, taker = prepare_market(naxd)
    c = NodeClient(f"ws://127.0.0.1:{naxd.port}/v1/stream")
    try:
        c.until(lambda e: e["event"] == "open", "open")
        c.send(op="subscribe", id=7, channels=CHANNELS)
        ack = c.next(time.monotonic() + TIMEOUT)["msg"]
        assert ack == {"op": "subscribe", "id": 7, "ok": True}, ack
        snaps = {}
        while len(snaps) < 3:
            msg = c.message(lambda m: True, "snapshots")
            assert msg["type"] == "snapshot" and msg["channel"] not in snaps, msg
            snaps[msg["channel"]] = msg
        assert set(snaps) == set(CHANNELS)

        c.send(op="ping", id=8)
        assert c.message(lambda m: m.get("op") == "ping", "pong") == \
            {"op": "ping", "id": 8, "ok": True}

        take(taker)
        trades = c.message(lambda m: m.get("channel") == f"trades:{PAIR}", "trades update")
        assert trades["type"] == "update"
        assert trades["seq"] == snaps[f"trades:{PAIR}"]["seq"] + 1
        assert [(Decimal(t["price"]), Decimal(t["quantity"]), t["side"])
                for t in trades["trades"]] == \
            [(Decimal(TAKE["price"]), Decimal(TAKE["quantity"]), "buy")]
        c.message(lambda m: m.get("channel") == f"ticker:{PAIR}" and
                  Decimal(m["ticker"].get("last", "0")) == Decimal(TAKE["price"]),
                  "ticker update with the trade")

        rest = orderbook(naxd)
        deadline = time.monotonic() + TIMEOUT
        while True:
            c.command(dump=PAIR)
            book = c.until(lambda e: e["event"] == "book", "book dump")
            if book.get("seq", -1) >= rest["seq"] or time.monotonic() > deadline:
                break
        assert book["seq"] == rest["seq"], (book, rest)
        assert book["checksum"] == rest["checksum"]
        assert same_levels(book["bids"], rest["bids"])
        assert same_levels(book["asks"], rest["asks"])
        assert Decimal(book["asks"][0][1]) == Decimal("0.3")

        c.send(op="subscribe", id=9, channels=["trades:XRP-AUD"])
        refused = c.message(lambda m: m.get("id") == 9, "refusal")
        assert refused["ok"] is False and refused["error"]["code"] == "unknown_channel"
        c.send(op="unsubscribe", id=10, channels=CHANNELS)
        assert c.message(lambda m: m.get("id") == 10, "unsubscribe ack") == \
            {"op": "unsubscribe", "id": 10, "ok": True}
        assert c.close()["code"] == 1000
    finally:
        if c.proc.poll() is None:
            c.proc.kill()
            c.proc.wait()

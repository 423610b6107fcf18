"""naxd's stream benchmark publisher (POST /admin/stream-bench, server/app/h_bench.c),
which bench/stream drives: only in fault mode and with the operator token; an
open-loop run publishes `count` messages, trades and tickers in turn, each
trade id carrying the CLOCK_MONOTONIC publish time; a closed-loop run stays
`window` messages ahead of the acknowledged count. Run by ctest as
`stream_bench_endpoint` (Python websockets as the subscriber)."""

import asyncio
import json
import time

import websockets

from conftest import Server
from streamcheck import PAIR

CHANNELS = [f"ticker:{PAIR}", f"trades:{PAIR}"]
TIMEOUT = 10.0


async def subscribed(server):
    ws = await websockets.connect(f"ws://127.0.0.1:{server.port}/v1/stream")
    await ws.send(json.dumps({"op": "subscribe", "id": 1, "channels": CHANNELS}))
    assert json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))["ok"] is True
    # The trades snapshot is always sent and comes after the ticker's.
    while True:
        msg = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        if msg["channel"] == f"trades:{PAIR}":
            assert msg["type"] == "snapshot"
            return ws


async def published(ws, n):
    msgs = []
    while len(msgs) < n:
        msg = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        assert msg.get("channel") in CHANNELS and msg["type"] in ("update", "snapshot"), msg
        msgs.append(msg)
    return msgs


async def ping(ws, op_id):
    """Everything the server queued before this ping's ack."""
    await ws.send(json.dumps({"op": "ping", "id": op_id}))
    before = []
    while True:
        msg = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        if msg.get("op") == "ping":
            assert msg["id"] == op_id
            return before
        before.append(msg)


def start(server, **body):
    return server.admin("POST", "/admin/stream-bench", json={"pair": PAIR, **body})


def ack(server, delivered):
    return server.admin("POST", "/admin/stream-bench/ack", json={"delivered": delivered})


def test_open_loop_run_publishes_count_messages_with_publish_times(naxd):
    async def run():
        ws = await subscribed(naxd)
        r = start(naxd, rate=2000, count=10).expect(202)
        assert r.json() == {"pair": PAIR, "rate": 2000, "count": 10, "window": 1000}
        msgs = await published(ws, 10)
        now_ns = time.monotonic_ns()  # CLOCK_MONOTONIC, the clock naxd stamps with
        trades = [m for m in msgs if m["channel"] == f"trades:{PAIR}"]
        tickers = [m for m in msgs if m["channel"] == f"ticker:{PAIR}"]
        assert [m["channel"].split(":")[0] for m in msgs] == ["trades", "ticker"] * 5
        for a, b in zip(trades, trades[1:]):
            assert b["seq"] == a["seq"] + 1
        for a, b in zip(tickers, tickers[1:]):
            assert b["seq"] == a["seq"] + 1 and b["ticker"]["seq"] == b["seq"]
        stamps = [int(m["trades"][0]["id"].removeprefix("bench-")) for m in trades]
        assert stamps == sorted(stamps) and 0 < stamps[0] and stamps[-1] <= now_ns
        assert await ping(ws, 2) == []  # nothing beyond count
        await ws.close()

    asyncio.run(run())


def test_closed_loop_stays_a_window_ahead_of_the_acks(naxd):
    async def run():
        ws = await subscribed(naxd)
        start(naxd, rate=0, count=5, window=2).expect(202)
        got = await published(ws, 2)
        assert await ping(ws, 3) == []  # the window is out; nothing more without an ack
        ack(naxd, 2).expect(204)
        got += await published(ws, 2)
        assert await ping(ws, 4) == []
        ack(naxd, 4).expect(204)
        got += await published(ws, 1)
        ack(naxd, 5).expect(204)
        assert await ping(ws, 5) == []  # count reached: the run is over
        assert len(got) == 5
        start(naxd, rate=0, count=1, window=1).expect(202)  # a new run may start
        await published(ws, 1)
        await ws.close()

    asyncio.run(run())


def test_one_run_at_a_time_and_bad_input(naxd):
    async def run():
        ws = await subscribed(naxd)
        start(naxd, rate=2, count=2).expect(202)  # the second message comes 0.5 s later
        assert start(naxd, rate=100, count=4).expect(409).code == "conflict"
        await published(ws, 2)
        await ws.close()

    asyncio.run(run())
    assert start(naxd, rate=-1, count=1).expect(400).code == "invalid_request"
    assert start(naxd, rate=10, count=0).expect(400).code == "invalid_request"
    assert naxd.admin("POST", "/admin/stream-bench",
                      json={"pair": "XRP-AUD"}).expect(400).error["field"] == "pair"
    assert naxd.api.post("/admin/stream-bench", json={"pair": PAIR},
                         token="op_wrong").expect(401).code == "invalid_token"
    assert naxd.api.post("/admin/stream-bench", body=b"[1]",
                         token=naxd.operator_token).expect(400).code == "invalid_json"


def test_absent_without_fault_injection(tmp_path):
    server = Server(tmp_path / "plain", fault_injection=False).start()
    try:
        assert start(server, rate=1, count=1).expect(404).code == "not_found"
        assert ack(server, 1).expect(404).code == "not_found"
    finally:
        server.close()

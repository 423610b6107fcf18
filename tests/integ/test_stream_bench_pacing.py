"""The open-loop pacing of naxd's stream benchmark publisher (POST
/admin/stream-bench, server/app/h_bench.c): each tick publishes what fell due
and sleeps until the next message falls due, rather than ticking every 1 ms.
Whatever the interval (longer than a ms and not a whole number of them, or
shorter than a ms), a run publishes exactly `count` messages, trades and
tickers in turn, stays in progress until its last one and then ends, so a
new run is accepted."""

import asyncio

from naxlib import StreamClient

PAIR = "BTC-AUD"
CHANNELS = [f"ticker:{PAIR}", f"trades:{PAIR}"]


def start(server, **body):
    return server.admin("POST", "/admin/stream-bench", json={"pair": PAIR, **body})


async def subscribed(server):
    s = StreamClient(server)
    await s.__aenter__()
    assert (await s.op("subscribe", channels=CHANNELS))["ok"]
    await s.next(lambda m: m.get("channel") == f"trades:{PAIR}" and m["type"] == "snapshot")
    s.backlog.clear()  # the ticker's snapshot, if the market had one
    return s


async def run_messages(s, n, first=0):
    """The next n messages of a run, the first being its message number `first`."""
    got = [await s.next(lambda m: m.get("channel") in CHANNELS) for _ in range(n)]
    assert all(m["type"] == "update" for m in got), got
    kinds = (["trades", "ticker"] * (first + n))[first:first + n]
    assert [m["channel"].split(":")[0] for m in got] == kinds
    return got


def test_slow_rate_run_waits_for_each_message_then_ends(naxd):
    async def run():
        s = await subscribed(naxd)
        # 3/s: 333.3 ms apart, so each sleep is rounded up to a whole ms.
        start(naxd, rate=3, count=3).expect(202)
        await run_messages(s, 1)
        # the second message is not due yet: the run is still in progress
        assert start(naxd, rate=3, count=1).expect(409).code == "conflict"
        await run_messages(s, 2, first=1)
        assert await s.drain() == []  # nothing beyond count
        start(naxd, rate=1000, count=1).expect(202)  # the run ended: a new one starts
        await run_messages(s, 1)
        await s.__aexit__(None, None, None)

    asyncio.run(run())


def test_fast_rate_run_publishes_several_messages_a_tick(naxd):
    async def run():
        s = await subscribed(naxd)
        # 1500/s: 0.67 ms apart, under the timer's 1 ms: ticks publish in batches.
        start(naxd, rate=1500, count=31).expect(202)
        got = await run_messages(s, 31)
        trades = [m for m in got if m["channel"] == f"trades:{PAIR}"]
        assert [m["seq"] - trades[0]["seq"] for m in trades] == list(range(16))
        assert await s.drain() == []
        start(naxd, rate=1500, count=2).expect(202)  # the run ended
        await run_messages(s, 2)
        await s.__aexit__(None, None, None)

    asyncio.run(run())

"""nax.Stream against naxd: ticker, trades, book, orders and fills through
callbacks, through `for event in stream` and through `async for`; lifecycle
events; the bounded queue; closing from anywhere."""

import asyncio
import threading
from decimal import Decimal

import pytest

import nax
from conftest import PAIR, assert_no_float

CHANNELS = (f"book:{PAIR}", f"ticker:{PAIR}", f"trades:{PAIR}", "orders", "fills")
WAIT_S = 20


class Collector:
    """Thread-safe list with a wait for an item matching a predicate."""

    def __init__(self):
        self.cond = threading.Condition()
        self.items = []
        self.threads = set()

    def add(self, *item):
        with self.cond:
            self.items.append(item if len(item) > 1 else item[0])
            self.threads.add(threading.get_ident())
            self.cond.notify_all()

    def wait_for(self, pred, timeout=WAIT_S):
        with self.cond:
            ok = self.cond.wait_for(lambda: any(pred(i) for i in self.items), timeout)
        assert ok, f"not seen within {timeout} s; got {self.items!r}"
        return next(i for i in self.items if pred(i))


def trade_once(maker, taker, price="61000.00", qty="0.01000000"):
    """The maker rests a sell, the taker buys it: a book change, a trade, a
    ticker, and the taker's order and fill."""
    ask = maker.client.place_order(PAIR, "sell", qty, price)
    bid = taker.client.place_order(PAIR, "buy", qty, price)
    assert bid.status is nax.OrderStatus.FILLED
    return ask, bid


def test_callbacks_get_every_kind(trader_factory):
    maker, taker = trader_factory(), trader_factory()
    got = {k: Collector() for k in ("state", "ticker", "trade", "book", "order", "fill")}
    s = nax.Stream(*CHANNELS, client=taker.client,
                   on_state=got["state"].add, on_book=got["book"].add,
                   on_ticker=lambda t, f: got["ticker"].add(t, f),
                   on_trade=lambda t, f: got["trade"].add(t, f),
                   on_order=lambda o, f: got["order"].add(o, f),
                   on_fill=lambda x, f: got["fill"].add(x, f))
    with s:
        got["state"].wait_for(lambda e: e.state == "LIVE" and e.reason == "subscribed")
        snap = got["book"].wait_for(lambda b: b.snapshot)
        assert snap.pair == PAIR
        t0, flags = got["ticker"].wait_for(lambda x: x[1] & nax.Flags.SNAPSHOT)
        assert isinstance(t0, nax.Ticker) and flags == nax.Flags.SNAPSHOT
        ask, bid = trade_once(maker, taker, price="64123.45", qty="0.12345678")
        trade, _ = got["trade"].wait_for(lambda x: x[0].price == Decimal("64123.45"))
        assert trade.quantity == Decimal("0.12345678") and trade.side is nax.Side.BUY
        fill, fflags = got["fill"].wait_for(lambda x: x[0].order_id == bid.id)
        assert fill.price == Decimal("64123.45") and fflags == nax.Flags.NONE
        order, _ = got["order"].wait_for(lambda x: x[0].id == bid.id and
                                         x[0].status is nax.OrderStatus.FILLED)
        assert order.filled_quantity == Decimal("0.12345678")
        ticker, _ = got["ticker"].wait_for(lambda x: x[0].last == Decimal("64123.45"))
        book = got["book"].wait_for(lambda b: any(lv.price == Decimal("64123.45")
                                                  for lv in b.asks))
        assert not book.snapshot and book.seq > snap.seq
        for item in (trade, fill, order, ticker, book):
            assert_no_float(item)
        # callbacks ran on the stream's thread, not here
        assert threading.get_ident() not in got["book"].threads
    closed = got["state"].wait_for(lambda e: e.state == "CLOSED")
    assert closed.reason == "stopped" and s.state == "CLOSED"


def test_iterator_yields_events_then_ends(trader_factory):
    maker, taker = trader_factory(), trader_factory()
    seen = []
    with nax.Stream(*CHANNELS, client=taker.client) as s:
        live = False
        for ev in s:
            seen.append(ev)
            if ev.kind == "state" and ev.data.state == "LIVE" and not live:
                live = True
                _, bid = trade_once(maker, taker)
            if ev.kind == "fill" and live and ev.data.order_id == bid.id:
                break
        kinds = {e.kind for e in seen}
        assert {"state", "book", "ticker", "trade", "order", "fill"} <= kinds
        books = [e.data for e in seen if e.kind == "book"]
        assert books[0].snapshot and [b.seq for b in books] == sorted(b.seq for b in books)
        tickers = [e for e in seen if e.kind == "ticker"]
        assert tickers[0].snapshot and not tickers[-1].snapshot
        assert s.book_top(PAIR).live
        s.stop()
        rest = list(s)  # ends after the CLOSED event
    assert rest[-1].kind == "state" and rest[-1].data.state == "CLOSED"
    with pytest.raises(StopIteration):
        s.get(timeout=1)


def test_async_for(trader_factory):
    maker, taker = trader_factory(), trader_factory()

    async def main():
        seen = []
        async with nax.Stream(*CHANNELS, client=taker.client) as s:
            bid = None
            async for ev in s:
                seen.append(ev)
                if ev.kind == "state" and ev.data.state == "LIVE" and bid is None:
                    # blocking REST calls off the loop
                    _, bid = await asyncio.get_running_loop().run_in_executor(
                        None, trade_once, maker, taker)
                if ev.kind == "fill" and bid is not None and ev.data.order_id == bid.id:
                    break
            assert asyncio.get_running_loop() is s._loop
        return seen

    seen = asyncio.run(asyncio.wait_for(main(), 60))
    kinds = [e.kind for e in seen]
    assert {"state", "book", "ticker", "trade", "order", "fill"} <= set(kinds)
    fill = seen[-1].data
    assert isinstance(fill, nax.Fill) and type(fill.price) is Decimal


def test_async_iteration_ends_on_close(naxd):
    async def main():
        s = nax.Stream(f"ticker:{PAIR}", url=f"ws://127.0.0.1:{naxd.port}")
        got = []
        async for ev in s:
            got.append(ev)
            if ev.kind == "ticker":
                await s.aclose()
        return got

    got = asyncio.run(asyncio.wait_for(main(), 60))
    assert any(e.kind == "ticker" for e in got)


def test_book_reads_match_rest(trader_factory):
    maker = trader_factory()
    with nax.Stream(f"book:{PAIR}", client=maker.client, on_state=lambda e: None) as s:
        assert s.wait_for_state("LIVE", WAIT_S)
        o = maker.client.place_order(PAIR, "buy", "0.20000000", "55555.55")
        rest = maker.client.orderbook(PAIR, depth=1000)
        # the stream's book reaches the REST seq (waiting on its own events)
        seen = Collector()
        s2 = nax.Stream(f"book:{PAIR}", client=maker.client, on_book=seen.add)
        with s2:
            seen.wait_for(lambda b: b.seq >= rest.seq)
            copy = s2.book(PAIR)
            assert (copy.bids, copy.asks, copy.seq) == (rest.bids, rest.asks, rest.seq)
            top = s2.book_top(PAIR)
            assert top.live and top.bid == rest.bids[0]
            assert top.bid_levels == len(rest.bids)
            st = s2.stats()
            assert st.messages >= 1 and st.connects == 1
        with pytest.raises(nax.NotFoundError):
            s.book_top("ETH-AUD")
        maker.client.cancel_order(o.id)


def test_callback_exception_stops_the_stream_and_is_reraised(naxd):
    states = Collector()

    def boom(ticker, flags):
        raise RuntimeError("callback failed on purpose")

    s = nax.Stream(f"ticker:{PAIR}", url=f"ws://127.0.0.1:{naxd.port}", on_ticker=boom,
                   on_state=states.add)
    s.start()
    ev = states.wait_for(lambda e: e.state == "CLOSED")
    assert ev.reason == "callback" and ev.error == -13
    with pytest.raises(RuntimeError, match="on purpose"):
        s.close()
    s.close()  # the second time is quiet


def test_close_from_a_callback(naxd):
    states = Collector()
    holder = {}

    def on_state(ev):
        states.add(ev)
        if ev.state == "LIVE":
            holder["s"].close()  # on the stream's own thread

    holder["s"] = s = nax.Stream(f"ticker:{PAIR}", url=f"ws://127.0.0.1:{naxd.port}",
                                 on_state=on_state)
    s.start()
    states.wait_for(lambda e: e.state == "CLOSED")
    s.close()  # from here: waits for the helper freeing it (test_stream_lifetime.py)
    assert s.state == "CLOSED" and s._freed and s._done.is_set()


def test_private_channel_without_credentials_is_refused(naxd):
    with nax.Stream("orders", f"ticker:{PAIR}", url=f"ws://127.0.0.1:{naxd.port}") as s:
        refused = None
        for ev in s:
            if ev.kind == "state" and ev.data.reason == "subscribe_failed":
                refused = ev.data
                break
    assert refused.channel == "orders" and refused.error != 0


def test_bad_channel_names_the_field(naxd):
    with nax.Stream(url=f"ws://127.0.0.1:{naxd.port}") as s:
        with pytest.raises(nax.InvalidArgumentError) as ei:
            s.subscribe(f"ticker:{PAIR}", "nonsense")
        assert ei.value.field == "channels[1]"


def test_bounded_queue_loses_nothing(trader_factory, naxd):
    """With room for 2 events the stream's thread waits for the consumer
    instead of dropping: every trade arrives, in order, and never more than
    2 wait in the queue."""
    maker, taker = trader_factory(), trader_factory()
    s = nax.Stream(f"trades:{PAIR}", url=f"ws://127.0.0.1:{naxd.port}", queue_size=2)
    with s:
        while not (lambda e: e.kind == "state" and e.data.state == "LIVE")(s.get(WAIT_S)):
            pass
        bids = [trade_once(maker, taker, price=f"{62000 + i}.00")[1] for i in range(8)]
        prices = []
        while len(prices) < 8:
            assert len(s._items) <= 2
            ev = s.get(WAIT_S)
            if ev.kind == "trade" and not ev.snapshot:
                prices.append(ev.data.price)
    assert prices == [b.price for b in bids]


def test_close_releases_a_thread_waiting_for_room(trader_factory, naxd):
    maker, taker = trader_factory(), trader_factory()
    for i in range(3):  # the trades snapshot then holds more than fits
        trade_once(maker, taker, price=f"{63000 + i}.00")
    s = nax.Stream(f"trades:{PAIR}", url=f"ws://127.0.0.1:{naxd.port}", queue_size=1,
                   on_state=lambda e: None, queue=True)
    s.start()
    with s._cond:  # the stream's thread fills the queue, then waits for room
        assert s._cond.wait_for(lambda: s._blocked > 0, WAIT_S)
    assert len(s._items) == 1
    s.close()  # must not hang
    assert s.state == "CLOSED"


def test_stream_keeps_its_client_open(trader_factory, naxd):
    t = trader_factory()
    c = nax.Client(naxd.url, api_key=t.key.id, api_secret=t.key.secret)
    s = nax.Stream("balances", client=c)
    c.close()  # deferred while the stream lives
    with pytest.raises(nax.InvalidStateError):
        c.health()
    with s:
        ev = next(e for e in s if e.kind == "balance")
        assert isinstance(ev.data, nax.Balance) and ev.snapshot
    assert c._handle is None  # freed with the stream


def test_a_stream_left_open_is_closed_at_exit(naxd, tmp_path):
    """The interpreter closes open streams before it tears itself down, so
    the stream's thread never calls into a finalising interpreter."""
    import subprocess
    import sys
    from conftest import PKG_ROOT
    script = tmp_path / "leave_open.py"
    script.write_text(
        "import sys, threading\n"
        f"sys.path.insert(0, {str(PKG_ROOT)!r})\n"
        "import nax\n"
        "live = threading.Event()\n"
        "def on_state(ev):\n"
        "    print(ev.state, flush=True)\n"
        "    if ev.state == 'LIVE': live.set()\n"
        f"s = nax.Stream('ticker:{PAIR}', url=sys.argv[1], on_state=on_state,\n"
        "               on_ticker=lambda t, f: None)\n"
        "s.start()\n"
        "assert live.wait(30)\n")
    p = subprocess.run([sys.executable, str(script), f"ws://127.0.0.1:{naxd.port}"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split()[-2:] == ["LIVE", "CLOSED"]


def test_reads_from_threads_while_closing(trader):
    """book_top, state and stats from other threads while the stream is
    closed: each call either completes or raises InvalidStateError."""
    s = trader.client.stream(f"book:{PAIR}", on_state=lambda e: None)
    s.start()
    assert s.wait_for_state("LIVE", WAIT_S)
    go, outcomes = threading.Event(), Collector()

    def reader():
        go.wait()
        for _ in range(500):
            try:
                s.book_top(PAIR)
                s.stats()
                outcomes.add("ok" if s.state != "CLOSED" else "closed")
            except nax.InvalidStateError:
                outcomes.add("closed")
                return
            except nax.NotFoundError:
                outcomes.add("ok")

    ts = [threading.Thread(target=reader) for _ in range(3)]
    for t in ts:
        t.start()
    go.set()
    outcomes.wait_for(lambda o: o == "ok")
    s.close()
    for t in ts:
        t.join(WAIT_S)
    assert not any(t.is_alive() for t in ts)
    assert s.state == "CLOSED"
    with pytest.raises(nax.InvalidStateError):
        s.subscribe(f"ticker:{PAIR}")

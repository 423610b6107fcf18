"""examples/python/trading_bot.py against naxd (ctest example_python_bot).

A second account moves the market; the test follows the bot's log line by
line and checks naxd's book and the bot's open orders at each step: the
first quotes rest at the expected prices, a mid move replaces them, a dropped
stream pulls them and they come back once LIVE, and --short exits 0 with
nothing left on the book. Then SIGTERM or SIGHUP stops a bot that runs
without --short, and an exception inside the bot still cancels its orders;
with naxd failing its cancel on exit (POST /admin/faults), the bot tries
again until it goes through, or gives up after --exit-wait with exit 1.
A second test runs the C bot's own scene (examples/trading_bot_test.py) with
the Python bot in its place, when CMake gave the partner_setup example.
"""

import importlib.util
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from types import SimpleNamespace

import pytest

import nax
import naxlib
from conftest import PAIR, PKG_ROOT, REPO

BOT = REPO / "examples" / "python" / "trading_bot.py"
TICK = Decimal("0.01")
SPREAD, SIZE, MOVE = "0.001", "0.02000000", "0.002"
WAIT_S = 90.0  # per expected line; generous for an ASan build on a busy machine


def quote_prices(mid):
    half = Decimal(mid) * Decimal(SPREAD) / 2
    return ((Decimal(mid) - half).quantize(TICK, ROUND_FLOOR),
            (Decimal(mid) + half).quantize(TICK, ROUND_CEILING))


class BotProcess:
    def __init__(self, url, key, *args, script=BOT):
        env = dict(os.environ, NAX_API_KEY=key.id, NAX_API_SECRET=key.secret,
                   PYTHONPATH=str(PKG_ROOT))
        self.proc = subprocess.Popen(
            [sys.executable, str(script), "--pair", PAIR, "--spread", SPREAD, "--size", SIZE,
             "--move", MOVE, *args, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, text=True)
        self.lines, self.log, self.err = queue.Queue(), [], []
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines.put),
                         daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.err.append),
                         daemon=True).start()

    @staticmethod
    def _pump(stream, sink):
        for line in stream:
            sink(line.rstrip("\n"))
        sink(None)

    def fail(self, why):
        raise AssertionError(f"{why}\n--- bot log ---\n" + "\n".join(self.log[-40:]) +
                             "\n--- stderr ---\n" + "\n".join(x for x in self.err if x))

    def expect(self, pattern):
        """The next line matching pattern (earlier lines are skipped)."""
        rx = re.compile(pattern)
        while True:
            try:
                line = self.lines.get(timeout=WAIT_S)
            except queue.Empty:
                self.fail(f"no line matching {pattern!r} within {WAIT_S} s")
            if line is None:
                self.fail(f"the bot exited ({self.proc.wait()}) before {pattern!r}")
            self.log.append(line)
            m = rx.search(line)
            if m:
                return m

    def finish(self):
        try:
            rc = self.proc.wait(WAIT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.fail("the bot did not exit")
        while True:
            line = self.lines.get(timeout=WAIT_S)
            if line is None:
                break
            self.log.append(line)
        return rc


def expect_quote(bot, mid, why):
    bid, ask = quote_prices(mid)
    m = bot.expect(r"^quote: mid (\S+) bid (\S+)@(\S+) ask (\S+)@(\S+) \((.*)\)$")
    got = (Decimal(m[1]), Decimal(m[3]), Decimal(m[5]), m[6])
    if got != (Decimal(mid), bid, ask, why):
        bot.fail(f"quote {got} != {(mid, bid, ask, why)}")
    bot.expect(r"^placed bid .* -> o_\d+ open$")
    bot.expect(r"^placed ask .* -> o_\d+ open$")
    return bid, ask


def bot_open_orders(server, key):
    r = server.api.get(f"/v1/orders?pair={PAIR}&status=open", key=key).expect(200).json()
    return sorted((o["side"], Decimal(o["price"]), o["id"]) for o in r["orders"])


def book_top(server):
    r = server.api.get(f"/v1/markets/{PAIR}/orderbook").expect(200).json()
    return ([Decimal(p) for p, _ in r["bids"]], [Decimal(p) for p, _ in r["asks"]])


def check_resting(server, key, bot, bid, ask):
    """The bot rests exactly this bid and ask, and they top naxd's book."""
    orders = bot_open_orders(server, key)
    if [(s, p) for s, p, _ in orders] != [("buy", bid), ("sell", ask)]:
        bot.fail(f"the bot's open orders are {orders}, expected {bid} / {ask}")
    bids, asks = book_top(server)
    if bids[0] != bid or asks[0] != ask:
        bot.fail(f"naxd's book top is {bids[:1]} / {asks[:1]}, expected {bid} / {ask}")
    return {i for _, _, i in orders}


def place(user, side, price, qty="0.50000000"):
    return user.post("/v1/orders", json={"pair": PAIR, "side": side, "type": "limit",
                                         "price": price, "quantity": qty}).expect(201).json()


@pytest.fixture
def scene(tmp_path):
    server = naxlib.Server(tmp_path / "naxd")  # a fresh exchange: the book is ours to set
    server.start()
    try:
        bot_user = naxlib.new_user(server)
        naxlib.fund_fiat(bot_user, "AUD", "100000.00")
        naxlib.fund_crypto(bot_user, "BTC", "2.00000000")
        key = naxlib.make_api_key(bot_user, scopes=("read", "trade"))
        mover = naxlib.new_user(server)
        naxlib.fund_fiat(mover, "AUD", "500000.00")
        naxlib.fund_crypto(mover, "BTC", "5.00000000")
        yield server, key, mover
    finally:
        server.close()


def test_bot_quotes_requotes_pulls_and_exits(scene):
    server, key, mover = scene
    mover_bid = place(mover, "buy", "60000.00")
    mover_ask = place(mover, "sell", "60100.00")  # mid 60050
    bot = BotProcess(server.url, key, "--short", "2")
    try:
        bot.expect(r"^live: quoting$")
        bid, ask = expect_quote(bot, "60050", "first")
        first = check_resting(server, key, bot, bid, ask)

        # The mover lifts its ask to 60500 (new one first, then the old one
        # goes, so the mid changes once): mid 60250 moved more than --move.
        place(mover, "sell", "60500.00")
        mover.delete(f"/v1/orders/{mover_ask['id']}").expect(200)
        bot.expect(r"^requote 1: mid 60050\.000 -> 60250\.000$")
        bid1, ask1 = expect_quote(bot, "60250", "moved")
        second = check_resting(server, key, bot, bid1, ask1)
        assert not first & second  # new orders; the first ones were cancelled
        for oid in first:
            st = server.api.get(f"/v1/orders/{oid}", key=key).expect(200).json()["status"]
            assert st == "cancelled", (oid, st)

        # The stream drops: the bot pulls its quotes, and quotes again once LIVE.
        naxlib.stream_faults(server, close_all=True)
        bot.expect(r"^pull: stream RECONNECTING, cancelling our orders$")
        bot.expect(r"^cancel-all BTC-AUD \(stream not live\): 2 cancelled$")
        bot.expect(r"^live: quoting$")
        expect_quote(bot, "60250", "live again")
        third = check_resting(server, key, bot, bid1, ask1)
        assert not third & second

        # The mover drops its bid to 59000: mid 59750, requote 2, and --short 2
        # ends the run with the bot's orders cancelled.
        place(mover, "buy", "59000.00")
        mover.delete(f"/v1/orders/{mover_bid['id']}").expect(200)
        bot.expect(r"^requote 2: mid 60250\.000 -> 59750\.000$")
        expect_quote(bot, "59750", "moved")
        bot.expect(r"^done: 2 requotes")
        bot.expect(r"^exit: 2 requotes, no orders left$")
        assert bot.finish() == 0
    finally:
        if bot.proc.poll() is None:
            bot.proc.kill()
    assert bot_open_orders(server, key) == []
    bids, asks = book_top(server)
    assert (bids, asks) == ([Decimal("59000.00")], [Decimal("60500.00")])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_signal_cancels_and_exits_zero(scene, sig):
    server, key, mover = scene
    place(mover, "buy", "60000.00")
    place(mover, "sell", "60100.00")
    bot = BotProcess(server.url, key)
    try:
        bid, ask = expect_quote(bot, "60050", "first")
        check_resting(server, key, bot, bid, ask)
        bot.proc.send_signal(sig)
        bot.expect(r"^stop: signal received$")
        bot.expect(r"^exit: 0 requotes, no orders left$")
        assert bot.finish() == 0
    finally:
        if bot.proc.poll() is None:
            bot.proc.kill()
    assert bot_open_orders(server, key) == []


def quoting(server, key, mover, *args):
    """A bot quoting around the mover's 60000 / 60100 (its first quote resting)."""
    place(mover, "buy", "60000.00")
    place(mover, "sell", "60100.00")
    bot = BotProcess(server.url, key, *args)
    bid, ask = expect_quote(bot, "60050", "first")
    check_resting(server, key, bot, bid, ask)
    return bot


# The bot with a bug planted: handling a fill raises.
FAULTY_BOT = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("trading_bot", {bot!r})
bot = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bot)
def handle_fill(self, fill, flags):
    raise RuntimeError("planted failure")
bot.Bot.handle_fill = handle_fill
sys.exit(bot.main(sys.argv[1:]))
"""


def test_an_exception_still_cancels_the_orders(scene, tmp_path):
    server, key, mover = scene
    script = tmp_path / "faulty_bot.py"
    script.write_text(FAULTY_BOT.format(bot=str(BOT)))
    place(mover, "buy", "60000.00")
    place(mover, "sell", "60100.00")
    bot = BotProcess(server.url, key, script=script)
    try:
        bid, ask = expect_quote(bot, "60050", "first")
        check_resting(server, key, bot, bid, ask)
        # The mover sells into the bot's bid: the fill's handler raises.
        mover.post("/v1/orders", json={"pair": PAIR, "side": "sell", "type": "limit",
                                       "price": str(bid), "quantity": "0.00500000",
                                       "time_in_force": "IOC"}).expect(200, 201)
        bot.expect(r"^error: RuntimeError: planted failure$")
        bot.expect(r"^cancel-all BTC-AUD \(exit\): 2 cancelled$")
        bot.expect(r"^exit: 0 requotes, no orders left$")
        assert bot.finish() == 1
    finally:
        if bot.proc.poll() is None:
            bot.proc.kill()
    assert bot_open_orders(server, key) == []
    assert any("Traceback" in line for line in bot.err if line), bot.err


def test_exit_cancel_is_tried_again_until_it_goes_through(scene):
    server, key, mover = scene
    bot = quoting(server, key, mover)
    try:
        # Five failures: more than the three tries the bot used to make.
        server.faults("DELETE /v1/orders", "error_before_commit", count=5, status=503)
        bot.proc.send_signal(signal.SIGTERM)
        for _ in range(5):
            bot.expect(r"^error: cancel-all: .*\(HTTP 503 ")
            bot.expect(r"^retry: cancel-all again in \d+ ms$")
        bot.expect(r"^cancel-all BTC-AUD \(exit\): 2 cancelled$")
        bot.expect(r"^exit: 0 requotes, no orders left$")
        assert bot.finish() == 0
    finally:
        if bot.proc.poll() is None:
            bot.proc.kill()
    assert bot_open_orders(server, key) == []


def test_exit_cancel_gives_up_after_exit_wait(scene):
    server, key, mover = scene
    bot = quoting(server, key, mover, "--exit-wait", "1")
    try:
        server.faults("DELETE /v1/orders", "error_before_commit", count=1000, status=503)
        bot.proc.send_signal(signal.SIGTERM)
        bot.expect(r"^retry: cancel-all again in \d+ ms$")
        bot.expect(r"^exit: 0 requotes, could not cancel our orders$")
        assert bot.finish() == 1
    finally:
        if bot.proc.poll() is None:
            bot.proc.kill()
    assert len(bot_open_orders(server, key)) == 2  # as the bot said
    server.clear_faults()


def test_exit_backoff_grows_and_honours_retry_after_and_an_open_breaker():
    spec = importlib.util.spec_from_file_location("trading_bot_example", BOT)
    tb = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tb)
    bot = tb.Bot.__new__(tb.Bot)  # no client: only its breaker is asked
    asked = []
    bot.client = SimpleNamespace(
        breaker_status=lambda group: asked.append(group) or SimpleNamespace(open_for_ms=7000))
    unavailable = nax.UnavailableError("503", transient=True)
    for n in range(1, 9):
        step = min(5000, 250 * 2 ** (n - 1))
        assert step // 2 <= bot.exit_backoff_ms(n, unavailable) <= step, n
    later = nax.UnavailableError("503", transient=True, retry_after_ms=3000)
    assert bot.exit_backoff_ms(1, later) >= 3000
    assert bot.exit_backoff_ms(1, nax.CircuitOpenError("open", transient=True)) >= 7000
    assert asked == ["trading"]


C_SCENE = REPO / "examples" / "trading_bot_test.py"


@pytest.mark.skipif(not C_SCENE.exists() or not os.environ.get("NAX_PARTNER_SETUP"),
                    reason="the C bot's scene or the partner_setup example is not here")
def test_the_c_bots_scene_passes_with_the_python_bot(tmp_path):
    """Same behaviour as examples/trading_bot.c: its scripted scene (a fill, a
    dropped stream, a book gap, two requotes, SIGTERM and SIGHUP, a failing
    cancel on exit, a reconnect while the bot is busy) drives this bot."""
    env = dict(os.environ, PYTHONPATH=str(PKG_ROOT))
    p = subprocess.run([sys.executable, str(C_SCENE), os.environ["NAXD_BIN"],
                        os.environ["NAX_PARTNER_SETUP"], str(BOT), str(tmp_path / "scene")],
                       capture_output=True, text=True, env=env, timeout=900)
    assert p.returncode == 0, p.stdout[-6000:] + p.stderr[-4000:]
    assert "example_trading_bot: ok" in p.stdout

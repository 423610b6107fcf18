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
The harness (the bot process, the quote and book checks) is tests/integ/botlib.py,
shared with that scene.
"""

import contextlib
import importlib.util
import os
import signal
import subprocess
import sys
from decimal import Decimal
from types import SimpleNamespace

import pytest

import botlib
import nax
import naxlib
from conftest import PAIR, PKG_ROOT, REPO

BOT = REPO / "examples" / "python" / "trading_bot.py"
SPREAD, SIZE, MOVE = "0.001", "0.02000000", "0.002"
QTY = "0.50000000"  # of each of the mover's orders


@pytest.fixture
def scene(tmp_path):
    with botlib.running_naxd(tmp_path / "naxd") as server:  # a fresh exchange: our book
        bot_user = naxlib.new_user(server)
        naxlib.fund_fiat(bot_user, "AUD", "100000.00")
        naxlib.fund_crypto(bot_user, "BTC", "2.00000000")
        key = naxlib.make_api_key(bot_user, scopes=("read", "trade"))
        yield botlib.Scene(server, key, botlib.new_mover(server), PAIR, SPREAD, SIZE, MOVE)


def start_bot(scene, *args, script=BOT):
    return botlib.Bot(scene.argv([sys.executable, str(script)], *args),
                      botlib.key_env(scene.key, PYTHONPATH=str(PKG_ROOT)))


def test_bot_quotes_requotes_pulls_and_exits(scene):
    server, key, mover = scene.server, scene.key, scene.mover
    mover_bid = scene.place(mover, "buy", "60000.00", QTY)
    mover_ask = scene.place(mover, "sell", "60100.00", QTY)  # mid 60050
    with start_bot(scene, "--short", "2") as bot:
        bot.expect(r"^live: quoting$")
        bid, ask = scene.expect_quote(bot, "60050", "first")
        first = scene.check_resting(bot, bid, ask)

        # The mover lifts its ask to 60500 (new one first, then the old one
        # goes, so the mid changes once): mid 60250 moved more than --move.
        scene.place(mover, "sell", "60500.00", QTY)
        mover.delete(f"/v1/orders/{mover_ask['id']}").expect(200)
        bot.expect(r"^requote 1: mid 60050\.000 -> 60250\.000$")
        bid1, ask1 = scene.expect_quote(bot, "60250", "moved")
        second = scene.check_resting(bot, bid1, ask1)
        assert not first & second  # new orders; the first ones were cancelled
        for oid in first:
            st = server.api.get(f"/v1/orders/{oid}", key=key).expect(200).json()["status"]
            assert st == "cancelled", (oid, st)

        # The stream drops: the bot pulls its quotes, and quotes again once LIVE.
        naxlib.stream_faults(server, close_all=True)
        bot.expect(r"^pull: stream RECONNECTING, cancelling our orders$")
        bot.expect(r"^cancel-all BTC-AUD \(stream not live\): 2 cancelled$")
        bot.expect(r"^live: quoting$")
        scene.expect_quote(bot, "60250", "live again")
        third = scene.check_resting(bot, bid1, ask1)
        assert not third & second

        # The mover drops its bid to 59000: mid 59750, requote 2, and --short 2
        # ends the run with the bot's orders cancelled.
        scene.place(mover, "buy", "59000.00", QTY)
        mover.delete(f"/v1/orders/{mover_bid['id']}").expect(200)
        bot.expect(r"^requote 2: mid 60250\.000 -> 59750\.000$")
        scene.expect_quote(bot, "59750", "moved")
        bot.expect(r"^done: 2 requotes")
        scene.expect_exit(bot, 2)
    assert scene.book() == ([(Decimal("59000.00"), Decimal(QTY))],
                            [(Decimal("60500.00"), Decimal(QTY))])


@contextlib.contextmanager
def quoting(scene, *args, script=BOT):
    """A bot quoting around the mover's 60000 / 60100, its first quote resting:
    (the bot, its bid)."""
    scene.place(scene.mover, "buy", "60000.00", QTY)
    scene.place(scene.mover, "sell", "60100.00", QTY)
    with start_bot(scene, *args, script=script) as bot:
        bid, ask = scene.expect_quote(bot, "60050", "first")
        scene.check_resting(bot, bid, ask)
        yield bot, bid


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_signal_cancels_and_exits_zero(scene, sig):
    with quoting(scene) as (bot, _):
        bot.stop(sig)
        scene.expect_exit(bot, 0)


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
    script = tmp_path / "faulty_bot.py"
    script.write_text(FAULTY_BOT.format(bot=str(BOT)))
    with quoting(scene, script=script) as (bot, bid):
        # The mover sells into the bot's bid: the fill's handler raises.
        scene.place(scene.mover, "sell", str(bid), "0.00500000", tif="IOC")
        bot.expect(r"^error: RuntimeError: planted failure$")
        scene.expect_exit(bot, 0, status=1)
    assert any("Traceback" in line for line in bot.err), bot.err


def test_exit_cancel_is_tried_again_until_it_goes_through(scene):
    # Five failures: more than the three tries the bot used to make.
    with quoting(scene) as (bot, _):
        scene.exit_through_failures(bot, 5)


def test_exit_cancel_gives_up_after_exit_wait(scene):
    with quoting(scene, "--exit-wait", "1") as (bot, _):
        scene.exit_gives_up(bot)  # its two quotes still open, as it said


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

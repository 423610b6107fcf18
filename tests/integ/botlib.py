"""The harness both trading-bot tests share: examples/trading_bot_test.py (the C
bot's scene, also run with the Python bot in its place) and
bindings/python/tests/test_trading_bot.py (the Python bot's own tests).

A test starts naxd (running_naxd), a market mover (new_mover) and the bot as a
subprocess (Bot), then answers the bot's log line by line: it moves the market
or drops the stream once the bot has reached the point being tested, and checks
naxd's book and the bot's open orders (Scene) at each step. What differs between
the tests (the bot's program, spread, size, move, how its account is made) is
given by the caller. Standard library and naxlib only.
"""

import contextlib
import os
import queue
import re
import signal
import subprocess
import threading
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import naxlib

WAIT_S = 90.0  # per expected line; an ASan build on a busy machine is slow


def quote_prices(mid, spread, tick):
    """The bot's bid and ask around mid: mid -+ spread/2, rounded away from the mid
    to the tick (down for the bid, up for the ask)."""
    mid, tick = Decimal(mid), Decimal(tick)
    half = mid * Decimal(spread) / 2
    return (mid - half).quantize(tick, ROUND_FLOOR), (mid + half).quantize(tick, ROUND_CEILING)


def key_env(key, **extra):
    """This environment with the bot's API key (an (id, secret) pair or naxlib.ApiKey)."""
    key_id, secret = key
    return dict(os.environ, NAX_API_KEY=key_id, NAX_API_SECRET=secret, **extra)


@contextlib.contextmanager
def running_naxd(workdir, binary=None):
    """naxd with fault injection (the tests drop streams and fail cancels); its
    stop is checked: exit 0, no sanitizer report."""
    server = naxlib.Server(workdir, binary=binary, fault_injection=True)
    server.start()
    try:
        yield server
    finally:
        server.close()


def new_mover(server, **profile):
    """The second user who moves the market: enough money for every test's orders."""
    mover = naxlib.new_user(server, **profile)
    naxlib.fund_fiat(mover, "AUD", "500000.00")
    naxlib.fund_crypto(mover, "BTC", "5.00000000")
    return mover


class Bot:
    """A bot as a subprocess (argv and env from the caller). Its stdout lines come
    over a queue from a reader thread, so expect() waits on the line itself, not
    on a clock; stderr is kept for failure messages and sanitizer checks. As a
    context manager it kills the bot on the way out if it is still running."""

    def __init__(self, argv, env, wait_s=WAIT_S):
        self.argv, self.wait_s = list(argv), wait_s
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=env, text=True)
        self.lines = queue.Queue()  # stdout lines, then None at its end
        self.log = []  # every stdout line read so far
        self.err = []  # stderr lines
        self.quote_ids = ()  # the order ids of its last quote (Scene.expect_quote)
        threading.Thread(target=self._read_out, daemon=True).start()
        self._err_reader = threading.Thread(target=self._read_err, daemon=True)
        self._err_reader.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        return False

    def _read_out(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def _read_err(self):
        for line in self.proc.stderr:
            self.err.append(line.rstrip("\n"))

    def fail(self, why):
        raise AssertionError(f"{why}\n--- bot log (last 40 lines) ---\n" +
                             "\n".join(self.log[-40:]) + "\n--- bot stderr ---\n" +
                             "\n".join(self.err[-40:]))

    def check(self, cond, why):
        if not cond:
            self.fail(why)

    def _next(self, missing):
        """The next stdout line (logged and echoed), or None once the bot closed it;
        `missing` says what failed when none comes."""
        try:
            line = self.lines.get(timeout=self.wait_s)
        except queue.Empty:
            self.fail(f"{missing} within {self.wait_s} s")
        if line is not None:
            self.log.append(line)
            print("bot|", line, flush=True)
        return line

    def expect(self, pattern):
        """The next line matching pattern (lines before it are skipped); its match."""
        rx = re.compile(pattern)
        while True:
            line = self._next(f"no line matching {pattern!r}")
            if line is None:
                self.fail(f"the bot exited (status {self.proc.wait()}) before {pattern!r}")
            m = rx.search(line)
            if m:
                return m

    def expect_all(self, *patterns):
        """Lines matching each pattern, in any order."""
        left = [re.compile(p) for p in patterns]
        while left:
            line = self._next(f"no lines matching {[p.pattern for p in left]}")
            if line is None:
                self.fail(f"the bot exited before {[p.pattern for p in left]}")
            left = [p for p in left if not p.search(line)]

    def stop(self, sig=signal.SIGTERM):
        """A stop signal, which the bot acknowledges before it cancels and leaves."""
        self.proc.send_signal(sig)
        self.expect(r"^stop: signal received$")

    def finish(self, status):
        """Reads the log to its end; asserts the exit status and no sanitizer report."""
        while self._next("the bot did not exit") is not None:
            pass
        try:
            rc = self.proc.wait(timeout=self.wait_s)
        except subprocess.TimeoutExpired:
            self.fail("the bot closed its stdout but did not exit")
        self._err_reader.join(self.wait_s)  # all of stderr before it is searched
        self.check(rc == status, f"the bot exited {rc}, expected {status}")
        errors = "\n".join(self.err)
        for marker in naxlib.SANITIZER_MARKERS:
            self.check(marker not in errors, "sanitizer report from the bot")


class Scene:
    """naxd, the bot's API key and what it quotes (pair, --spread, --size, --move,
    the pair's tick), the mover; the checks both tests make of the bot's quotes."""

    def __init__(self, server, key, mover, pair, spread, size, move, tick="0.01"):
        self.server, self.key, self.mover = server, key, mover
        self.pair, self.spread, self.size, self.move = pair, spread, size, move
        self.tick = Decimal(tick)

    def argv(self, program, *args):
        """The bot's command line: program (a list), the quoting options, args, naxd."""
        return [*program, "--pair", self.pair, "--spread", self.spread, "--size", self.size,
                "--move", self.move, *args, self.server.url]

    def place(self, user, side, price, qty, tif="GTC"):
        body = {"pair": self.pair, "side": side, "type": "limit", "price": price,
                "quantity": qty, "time_in_force": tif}
        return user.post("/v1/orders", json=body).expect(201).json()

    def open_orders(self):
        """The bot's open orders: sorted (side, price, quantity left, id)."""
        r = self.server.api.get(f"/v1/orders?pair={self.pair}&status=open", key=self.key)
        return sorted((o["side"], Decimal(o["price"]),
                       Decimal(o["quantity"]) - Decimal(o["filled_quantity"]), o["id"])
                      for o in r.expect(200).json()["orders"])

    def book(self):
        """naxd's book: (bids, asks), each a list of (price, quantity)."""
        r = self.server.api.get(f"/v1/markets/{self.pair}/orderbook").expect(200).json()
        return tuple([(Decimal(p), Decimal(q)) for p, q in r[side]] for side in ("bids", "asks"))

    def expect_quote(self, bot, mid, why):
        """The bot's quote line at mid (prices and sizes), then its bid and its ask
        placed and open; the bid and ask prices (their ids: bot.quote_ids)."""
        bid, ask = quote_prices(mid, self.spread, self.tick)
        m = bot.expect(r"^quote: mid (\S+) bid (\S+)@(\S+) ask (\S+)@(\S+) \((.*)\)$")
        got = (Decimal(m[1]), Decimal(m[2]), Decimal(m[3]), Decimal(m[4]), Decimal(m[5]), m[6])
        size = Decimal(self.size)
        want = (Decimal(mid), size, bid, size, ask, why)
        bot.check(got == want, f"quote {got} != expected {want}")
        bot.quote_ids = tuple(bot.expect(rf"^placed {side} \S+ \S+ @ \S+ -> (o_\d+) open$")[1]
                              for side in ("bid", "ask"))
        return bid, ask

    def check_resting(self, bot, bid, ask):
        """The bot has exactly this bid and ask open, in full, and they top naxd's
        book; their ids."""
        orders = self.open_orders()
        size = Decimal(self.size)
        got = [(side, price, left) for side, price, left, _ in orders]
        bot.check(got == [("buy", bid, size), ("sell", ask, size)],
                  f"the bot's open orders are {got}, expected a bid {bid} and an ask {ask}")
        bids, asks = self.book()
        bot.check(bids[:1] == [(bid, size)] and asks[:1] == [(ask, size)],
                  f"naxd's book top is {bids[:1]} / {asks[:1]}, expected the bot's quotes")
        return {o[3] for o in orders}

    def expect_exit(self, bot, requotes, status=0):
        """The bot cancels its two quotes on the way out, says so and exits with
        status; nothing of it stays open."""
        bot.expect(rf"^cancel-all {re.escape(self.pair)} \(exit\): 2 cancelled$")
        bot.expect(rf"^exit: {requotes} requotes, no orders left$")
        bot.finish(status)
        left = self.open_orders()
        bot.check(left == [], f"the bot's orders are still open: {left}")

    def exit_through_failures(self, bot, failures):
        """naxd fails the bot's cancel on exit `failures` times (503): after SIGTERM
        the bot tries again with backoff until it goes through, then exits 0."""
        self.server.faults("DELETE /v1/orders", "error_before_commit", count=failures,
                           status=503)
        bot.stop(signal.SIGTERM)
        for _ in range(failures):
            bot.expect(r"^error: cancel-all: .*\(HTTP 503 ")
            bot.expect(r"^retry: cancel-all again in \d+ ms$")
        self.expect_exit(bot, 0)

    def exit_gives_up(self, bot):
        """naxd keeps failing the cancel on exit: the bot, run with --exit-wait 1,
        gives up, says so and exits 1 with its two quotes still open. The faults
        are cleared; the quotes are left to the caller."""
        self.server.faults("DELETE /v1/orders", "error_before_commit", count=1000, status=503)
        bot.stop(signal.SIGTERM)
        bot.expect(r"^retry: cancel-all again in \d+ ms$")
        bot.expect(r"^exit: 0 requotes, could not cancel our orders$")
        bot.finish(1)
        left = self.open_orders()
        bot.check(len(left) == 2, f"the bot's orders after it gave up: {left}")
        self.server.clear_faults()

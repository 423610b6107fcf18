#!/usr/bin/env python3
"""trading_bot_test.py NAXD PARTNER_SETUP TRADING_BOT WORK_DIR

Runs the trading_bot example against a real naxd (the ctest
example_trading_bot). Python rather than a shell script because the test
answers the bot: it reads the bot's log line by line and moves the market,
or drops the stream, when the bot has reached the point being tested.

1. naxd starts with fault injection (tests/integ/naxlib.py: config, secrets,
   operator token). partner_setup makes the bot's account: verified, funded,
   an API key with read and trade.
2. A second user, the market mover, rests a bid at 97000.00 and an ask at
   97100.00 (mid 97050).
3. The bot starts (--spread 0.0005 --size 0.01 --move 0.001 --short 2). Its
   first quote must be 97025.73 / 97074.27 (the mid +- 0.025 %, rounded down
   and up to the 0.01 tick), and naxd's book and the bot's open orders must
   show exactly those two orders.
4. The mover sells 0.004 into the bot's bid (IOC): the bot logs the fill.
5. The mover moves its bid to 96000.00 (mid 96550): the bot logs requote 1,
   cancels both quotes and places 96525.86 / 96574.14; naxd shows only
   those two orders open.
6. POST /admin/stream-faults close_all drops the stream: the bot reports
   leaving LIVE, cancels everything on the pair, reconnects, and quotes
   again at the same mid with new orders.
7. One book update is dropped (stream-faults drop_updates): the next one
   shows a seq gap, the bot reports RESYNCING, cancels, and quotes again
   once the book is LIVE from a fresh snapshot.
8. The mover moves its ask to 96800.00 (mid 96400): requote 2 at
   96375.90 / 96424.10, after which the bot exits 0 on its own, having
   cancelled its orders: naxd shows none open and a book of the mover's
   levels only; the fill is in the bot's trade history.
9. A second bot run without --short is stopped with SIGTERM once it quotes:
   it exits 0 with its orders cancelled; SIGHUP (a closed terminal) does the
   same to a third.
10. The cancel on exit fails five times (POST /admin/faults: DELETE /v1/orders
   answers 503): the bot tries again with backoff until it goes through and
   exits 0 with nothing open.
11. It keeps failing: a bot run with --exit-wait 1 gives up after a second and
   exits 1, its two quotes still open (the test then cancels them).
12. Events lost: a bot run with --inbox 8 quotes; the test places 12 orders
   with the bot's key far below the mid. A reconnect while the bot's
   cancel-all is held up (fault: DELETE /v1/orders delayed 4 s) brings the
   orders channel's snapshot of 14 open orders, then LIVE: more than 8
   events, so the C bot's inbox drops the newest, LIVE among them (the
   Python bot's queue holds the stream up instead). The bot must still
   find the stream LIVE and quote again; the 12 orders are cancelled.
Finally naxd must stop cleanly (exit 0, no sanitizer report).
"""

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integ"))
import naxlib  # noqa: E402

PAIR = "BTC-AUD"
TICK = Decimal("0.01")
SPREAD, SIZE, MOVE = "0.0005", "0.01000000", "0.001"
WAIT_S = 90.0  # per expected line; an ASan build on a busy machine is slow


def quote_prices(mid):
    half = Decimal(mid) * Decimal(SPREAD) / 2
    return ((Decimal(mid) - half).quantize(TICK, ROUND_FLOOR),
            (Decimal(mid) + half).quantize(TICK, ROUND_CEILING))


class Bot:
    """The bot as a subprocess; its stdout lines are read on a thread."""

    def __init__(self, binary, url, key, *args):
        env = dict(os.environ, NAX_API_KEY=key[0], NAX_API_SECRET=key[1])
        self.cmd = [binary, "--pair", PAIR, "--spread", SPREAD, "--size", SIZE, "--move", MOVE,
                    *args, url]
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=env, text=True)
        self.lines = queue.Queue()
        self.log = []  # every line seen, for failure messages
        self.err = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def _read_err(self):
        for line in self.proc.stderr:
            self.err.append(line)

    def fail(self, why):
        tail = "\n".join(self.log[-40:])
        raise AssertionError(f"{why}\n--- bot log (last 40 lines) ---\n{tail}\n"
                             f"--- bot stderr ---\n{''.join(self.err[-40:])}")

    def expect(self, pattern):
        """The next line matching pattern (lines before it are skipped); its match."""
        rx = re.compile(pattern)
        while True:
            try:
                line = self.lines.get(timeout=WAIT_S)
            except queue.Empty:
                self.fail(f"no line matching {pattern!r} within {WAIT_S} s")
            if line is None:
                self.fail(f"the bot exited (status {self.proc.wait()}) before {pattern!r}")
            self.log.append(line)
            print("bot|", line, flush=True)
            m = rx.search(line)
            if m:
                return m

    def expect_all(self, *patterns):
        """Lines matching each pattern, in any order."""
        left = [re.compile(p) for p in patterns]
        while left:
            try:
                line = self.lines.get(timeout=WAIT_S)
            except queue.Empty:
                self.fail(f"no lines matching {[p.pattern for p in left]} within {WAIT_S} s")
            if line is None:
                self.fail(f"the bot exited before {[p.pattern for p in left]}")
            self.log.append(line)
            print("bot|", line, flush=True)
            left = [p for p in left if not p.search(line)]

    def finish(self, status=0):
        """Reads to the end; asserts the exit status."""
        while True:
            try:
                line = self.lines.get(timeout=WAIT_S)
            except queue.Empty:
                self.fail("the bot did not exit")
            if line is None:
                break
            self.log.append(line)
            print("bot|", line, flush=True)
        rc = self.proc.wait(timeout=WAIT_S)
        if rc != status:
            self.fail(f"the bot exited {rc}, expected {status}")
        for marker in naxlib.SANITIZER_MARKERS:
            if marker in "".join(self.err):
                self.fail("sanitizer report from the bot")


def expect_quote(bot, mid, why):
    """The bot's quote line at `mid`, then both placements acknowledged open."""
    bid, ask = quote_prices(mid)
    m = bot.expect(r"^quote: mid (\S+) bid (\S+)@(\S+) ask (\S+)@(\S+) \((.*)\)$")
    got = (Decimal(m[1]), Decimal(m[2]), Decimal(m[3]), Decimal(m[4]), Decimal(m[5]), m[6])
    want = (Decimal(mid), Decimal(SIZE), bid, Decimal(SIZE), ask, why)
    if got != want:
        bot.fail(f"quote {got} != expected {want}")
    bot.expect_all(r"^placed bid \S+ \S+ @ \S+ -> o_\d+ open$",
                   r"^placed ask \S+ \S+ @ \S+ -> o_\d+ open$")
    return bid, ask


def open_orders(server, key):
    r = server.api.get(f"/v1/orders?pair={PAIR}&status=open", key=key).expect(200)
    return sorted((o["side"], Decimal(o["price"]), Decimal(o["quantity"]) -
                   Decimal(o["filled_quantity"]), o["id"]) for o in r.json()["orders"])


def book(server):
    r = server.api.get(f"/v1/markets/{PAIR}/orderbook").expect(200).json()
    levels = lambda side: [(Decimal(p), Decimal(q)) for p, q in r[side]]  # noqa: E731
    return levels("bids"), levels("asks")


def check(cond, why, bot):
    if not cond:
        bot.fail(why)


def check_resting(server, key, bot, bid, ask, bid_left=Decimal(SIZE)):
    """The bot has exactly this bid and ask open, and they are the top of naxd's book."""
    orders = open_orders(server, key)
    got = [(side, price, left) for side, price, left, _ in orders]
    check(got == [("buy", bid, bid_left), ("sell", ask, Decimal(SIZE))],
          f"the bot's open orders are {got}, expected a bid {bid} and an ask {ask}", bot)
    bids, asks = book(server)
    check(bids[0] == (bid, bid_left) and asks[0] == (ask, Decimal(SIZE)),
          f"naxd's book top is {bids[:1]} / {asks[:1]}, expected the bot's quotes", bot)
    return {o[3] for o in orders}


def place(user, side, price, qty, tif="GTC"):
    body = {"pair": PAIR, "side": side, "type": "limit", "price": price, "quantity": qty,
            "time_in_force": tif}
    return user.post("/v1/orders", json=body).expect(200, 201).json()


def main():
    naxd, setup, binary, work = sys.argv[1:5]
    shutil.rmtree(work, ignore_errors=True)  # a fresh exchange: the book is ours to set
    server = naxlib.Server(Path(work), binary=naxd, fault_injection=True)
    server.start()
    try:
        run(server, setup, binary)
    finally:
        server.close()
    print("example_trading_bot: ok")


def run(server, setup, binary):
    # The bot's account, made the way a partner would (through libnax).
    env = dict(os.environ, NAXD_OPERATOR_TOKEN=server.operator_token,
               NAXD_WEBHOOK_SECRET_PAYMENTS=server.secrets["payments"],
               NAXD_WEBHOOK_SECRET_CUSTODY=server.secrets["custody"])
    out = subprocess.run([setup, server.url], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, f"partner_setup failed:\n{out.stderr}"
    creds = dict(line.split("=", 1) for line in out.stdout.split())
    key = (creds["NAX_API_KEY"], creds["NAX_API_SECRET"])

    # The market mover.
    mover = naxlib.new_user(server, full_name="Market Mover")
    naxlib.fund_fiat(mover, "AUD", "500000.00")
    naxlib.fund_crypto(mover, "BTC", "5.00000000")
    mover_bid = place(mover, "buy", "97000.00", "0.05000000")
    mover_ask = place(mover, "sell", "97100.00", "0.05000000")

    bot = Bot(binary, server.url, key, "--short", "2")
    bot.expect(r"^market: BTC-AUD tick 0\.01 ")
    bot.expect(r"^live: quoting$")
    bid, ask = expect_quote(bot, "97050.000", "first")
    first = check_resting(server, key, bot, bid, ask)

    # A taker sells into the bot's bid: the bot hears of the fill.
    taken = Decimal("0.00400000")
    place(mover, "sell", str(bid), str(taken), tif="IOC")
    m = bot.expect(r"^fill: bought (\S+) @ (\S+), order (o_\d+), .* maker$")
    check((Decimal(m[1]), Decimal(m[2])) == (taken, bid), f"fill {m[0]!r}", bot)

    # The mid moves: 97000/97100 -> 96000/97100.
    place(mover, "buy", "96000.00", "0.05000000")
    mover.delete(f"/v1/orders/{mover_bid['id']}").expect(200)
    bot.expect(r"^requote 1: mid 97050\.000 -> 96550\.000$")
    bid, ask = expect_quote(bot, "96550.000", "moved")
    second = check_resting(server, key, bot, bid, ask)
    check(not second & first, "the first quotes were not replaced", bot)

    # Lifecycle: naxd drops every stream connection.
    naxlib.stream_faults(server, close_all=True)
    bot.expect(r"^stream: RECONNECTING ")
    bot.expect(r"^pull: stream RECONNECTING, cancelling our orders$")
    bot.expect_all(r"^cancel-all BTC-AUD \(.*\): 2 cancelled$", r"^live: quoting$")
    bid2, ask2 = expect_quote(bot, "96550.000", "live again")
    third = check_resting(server, key, bot, bid2, ask2)
    check(not third & second, "the quotes were not cancelled and placed anew", bot)

    # Lifecycle: one book update is lost, so the next one shows a gap and the
    # book resyncs (the mover's far bids leave the mid where it is).
    naxlib.stream_faults(server, pair=PAIR, drop_updates=1)
    place(mover, "buy", "90000.00", "0.05000000")
    place(mover, "buy", "89000.00", "0.05000000")
    bot.expect(r"^stream: RESYNCING \(seq_gap\) book:BTC-AUD")
    bot.expect(r"^pull: stream RESYNCING, cancelling our orders$")
    bot.expect_all(r"^cancel-all BTC-AUD \(.*\): 2 cancelled$", r"^live: quoting$")
    bid2, ask2 = expect_quote(bot, "96550.000", "live again")
    fourth = check_resting(server, key, bot, bid2, ask2)
    check(not fourth & third, "the quotes were not cancelled and placed anew", bot)

    # The mid moves again: 96000/97100 -> 96000/96800; the bot then exits.
    place(mover, "sell", "96800.00", "0.05000000")
    mover.delete(f"/v1/orders/{mover_ask['id']}").expect(200)
    bot.expect(r"^requote 2: mid 96550\.000 -> 96400\.000$")
    expect_quote(bot, "96400.000", "moved")
    bot.expect(r"^done: 2 requotes")
    bot.expect(r"^cancel-all BTC-AUD \(exit\): 2 cancelled$")
    bot.expect(r"^exit: 2 requotes, no orders left$")
    bot.finish(0)
    check(open_orders(server, key) == [], "orders of the bot are still open", bot)
    bids, asks = book(server)
    check(bids == [(Decimal(p), Decimal("0.05")) for p in ("96000", "90000", "89000")] and
          asks == [(Decimal("96800.00"), Decimal("0.05"))],
          f"the book holds more than the mover's levels: {bids} / {asks}", bot)
    fills = server.api.get(f"/v1/trades/history?pair={PAIR}", key=key).expect(200).json()["fills"]
    check([(Decimal(f["quantity"]), Decimal(f["price"])) for f in fills] ==
          [(taken, Decimal("97025.73"))], f"the bot's fills: {fills}", bot)

    # SIGTERM: the same clean exit.
    bot = Bot(binary, server.url, key)
    expect_quote(bot, "96400.000", "first")
    bot.proc.send_signal(signal.SIGTERM)
    bot.expect(r"^stop: signal received$")
    bot.expect(r"^cancel-all BTC-AUD \(exit\): 2 cancelled$")
    bot.finish(0)
    check(open_orders(server, key) == [], "orders of the bot are still open after SIGTERM", bot)

    # SIGHUP, as when the terminal closes: the same clean exit.
    bot = Bot(binary, server.url, key)
    expect_quote(bot, "96400.000", "first")
    bot.proc.send_signal(signal.SIGHUP)
    bot.expect(r"^stop: signal received$")
    bot.expect(r"^cancel-all BTC-AUD \(exit\): 2 cancelled$")
    bot.finish(0)
    check(open_orders(server, key) == [], "orders of the bot are still open after SIGHUP", bot)

    # The cancel on exit fails five times, more than the three tries the bot
    # used to make: it tries again with backoff and gets through.
    bot = Bot(binary, server.url, key)
    expect_quote(bot, "96400.000", "first")
    server.faults("DELETE /v1/orders", "error_before_commit", count=5, status=503)
    bot.proc.send_signal(signal.SIGTERM)
    bot.expect(r"^stop: signal received$")
    for _ in range(5):
        bot.expect(r"^error: cancel-all: .*\(HTTP 503 ")
        bot.expect(r"^retry: cancel-all again in \d+ ms$")
    bot.expect(r"^cancel-all BTC-AUD \(exit\): 2 cancelled$")
    bot.expect(r"^exit: 0 requotes, no orders left$")
    bot.finish(0)
    check(open_orders(server, key) == [], "orders of the bot are still open after retries", bot)

    # It keeps failing: the bot gives up after --exit-wait and says so.
    bot = Bot(binary, server.url, key, "--exit-wait", "1")
    expect_quote(bot, "96400.000", "first")
    server.faults("DELETE /v1/orders", "error_before_commit", count=1000, status=503)
    bot.proc.send_signal(signal.SIGTERM)
    bot.expect(r"^retry: cancel-all again in \d+ ms$")
    bot.expect(r"^exit: 0 requotes, could not cancel our orders$")
    bot.finish(1)
    left = open_orders(server, key)
    check(len(left) == 2, f"the bot's orders after it gave up: {left}", bot)
    server.clear_faults()
    server.api.delete(f"/v1/orders?pair={PAIR}", key=key).expect(200)

    # Events lost while the bot is busy: LIVE among them.
    bot = Bot(binary, server.url, key, "--inbox", "8")
    expect_quote(bot, "96400.000", "first")
    for _ in range(12):
        server.api.post("/v1/orders", key=key, json={
            "pair": PAIR, "side": "buy", "type": "limit", "price": "50000.00",
            "quantity": "0.00100000"}).expect(201)
    server.faults("DELETE /v1/orders", "delay", count=1, delay_ms=4000)
    naxlib.stream_faults(server, close_all=True)
    bot.expect(r"^pull: stream RECONNECTING, cancelling our orders$")
    bot.expect_all(r"^cancel-all BTC-AUD \(stream not live\): \d+ cancelled$", r"^live: quoting$")
    bid, ask = expect_quote(bot, "96400.000", "live again")
    check_resting(server, key, bot, bid, ask)  # and nothing else of the bot's
    bot.proc.send_signal(signal.SIGTERM)
    bot.expect(r"^cancel-all BTC-AUD \(exit\): 2 cancelled$")
    bot.finish(0)
    print("events were lost (the inbox overflowed):",
          any("events were lost" in line for line in bot.log), flush=True)


if __name__ == "__main__":
    main()

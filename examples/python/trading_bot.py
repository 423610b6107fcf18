#!/usr/bin/env python3
"""trading_bot.py: a market maker on one pair, in Python over the nax binding.

The same bot as examples/trading_bot.c, with the same options and log lines.

One nax.Client signs every request with an API key; one nax.Stream, on
libnax's own thread, follows ``book:{pair}``, ``orders`` and ``fills``. The
bot keeps one bid and one ask around the mid of the book (the book without
its own orders), ``--spread`` wide, ``--size`` each, prices rounded to the
market's tick size, all in exact decimals. When the mid moves by ``--move``
(a fraction of the mid it quoted at) it cancels both quotes and places new
ones. Each quote has its own client order id, so a place the client retries
after a timeout is still one order.

Lifecycle: while the stream is not LIVE (STALE, RESYNCING, RECONNECTING,
CLOSED) the bot's picture of the market may be old, so it stops quoting and
cancels everything it has on the pair; once LIVE again it quotes afresh.
Fills are printed as they arrive.

Threads: the stream's events wait in its bounded queue; the main thread
takes them (``stream.get``) and makes every REST call, so every decision is
made in one place.

    NAX_API_KEY=ak_... NAX_API_SECRET=... trading_bot.py [options] BASE_URL

    --pair P        market (default BTC-AUD)
    --spread D      distance from bid to ask as a fraction of the mid (default 0.002)
    --size D        quantity of each quote (default 0.01)
    --move D        requote when the mid moved by this fraction (default 0.001)
    --short N       exit after N requotes (for tests); otherwise run until SIGINT,
                    SIGTERM or SIGHUP
    --exit-wait S   how long the cancel on exit keeps trying, in seconds (default 30)
    --inbox N       events from the stream that may wait for the main loop (default
                    1024); when that many wait, the stream's thread waits too: nothing
                    is lost (libnax catches up), unlike the C bot's inbox
    --api-key K, --api-secret S   instead of the environment (which keeps the
                    secret out of `ps`)

BASE_URL may also come from NAX_URL. The key needs the ``read`` and ``trade``
scopes. On exit (N requotes, SIGINT, SIGTERM or SIGHUP) it cancels its orders
on the pair and exits 0, or 1 when that cancel failed or something went wrong
(an exception too: its traceback is printed and the orders are cancelled all
the same). A cancel that fails in a way that may pass (5xx, a timeout, an
open circuit breaker, throttling) is tried again with jittered backoff,
waiting at least what Retry-After or the open breaker asks, for up to
--exit-wait seconds.
The nax package must be importable (pip install bindings/python, or run from
the source tree) and find libnax (NAX_LIBRARY).
"""

import argparse
import decimal
import os
import random
import signal
import sys
import time
import traceback
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from pathlib import Path

try:
    import nax
except ImportError:  # from a source checkout: the binding sits next door
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bindings" / "python"))
    import nax

CONFIRM_S = 5.0  # no word from the stream on an order for this long: ask REST
RETRY_S = 1.0  # a failed cancel-all or place is tried again after this
WAKE_S = 0.25  # the main loop looks at the signal flag at least this often
BOOK_DEPTH = 10  # levels per side read to find the mid without our own orders
MAX_ORDERS = 8  # quotes resting plus those being placed or cancelled
EXIT_WAIT_S = 30  # default --exit-wait
BACKOFF_BASE_MS = 250  # the exit cancel's first wait; doubled each time
BACKOFF_CAP_MS = 5000  # up to this

# Exact arithmetic with room to spare: prices have at most 18 decimals.
decimal.getcontext().prec = 60

stop_requested = False


def say(line):
    """One line of the log, flushed so a test can follow it."""
    print(line, flush=True)


def say_error(what, e):
    rid = f", request {e.request_id}" if e.request_id else ""
    code = f" {e.code}" if e.code else ""
    say(f"error: {what}: {e.nax_name} (HTTP {e.http_status}{code}): {e.message}{rid}")


def fmt(d):
    return format(d, "f")


def quantize(value, step, rounding):
    """value rounded to a multiple of step (any step, like nax_decimal_quantize)."""
    return (value / step).to_integral_value(rounding=rounding) * step


DONE = (nax.OrderStatus.FILLED, nax.OrderStatus.CANCELLED, nax.OrderStatus.REJECTED)

# An order goes PLACING -> RESTING -> CANCELLING -> gone. A state change is
# believed when the stream reports it: naxd publishes a book update before
# the order update of the same change, so once the stream has told us about
# our order, the book we read already shows it (or no longer shows it). The
# mid is only computed when no order is in flight.
PLACING, RESTING, CANCELLING = "placing", "resting", "cancelling"


class OwnOrder:
    def __init__(self, side, client_order_id, price, quantity):
        self.side, self.client_order_id = side, client_order_id
        self.price, self.quantity, self.filled = price, quantity, Decimal(0)
        self.id = None
        self.set_phase(PLACING)

    def set_phase(self, phase):
        self.phase, self.since = phase, time.monotonic()


class Bot:
    def __init__(self, args):
        self.pair = args.pair
        self.spread, self.size, self.move = args.spread, args.size, args.move
        self.short = args.short
        self.inbox = args.inbox
        self.client = nax.Client(args.url, api_key=args.api_key, api_secret=args.api_secret,
                                 user_agent_suffix="trading-bot-example-python")
        self.stream = None
        self.orders = []
        self.next_id = 0
        self.live = False
        self.must_cancel = False
        self.retry_at = 0.0
        self.quoted_mid = None
        self.next_reason = "first"
        self.requotes = 0
        self.waiting_for_market = False
        self.failed = False
        self.last_error = None  # of the last failed cancel-all
        self.tick = self.lot = None

    # ---------------------------------------------------------------- setup

    def load_market(self):
        m = self.client.market(self.pair)
        self.tick, self.lot = m.tick_size, m.lot_size
        say(f"market: {m.pair} tick {fmt(m.tick_size)} lot {fmt(m.lot_size)} "
            f"min_notional {fmt(m.min_notional)}")
        if m.status is not nax.MarketStatus.ACTIVE:
            say(f"error: {self.pair} is not active")
            return False
        self.size = quantize(self.size, self.lot, ROUND_DOWN)
        if self.size <= 0:
            say("error: the size is below the lot size")
            return False
        return True

    def start_stream(self):
        # URL, API-key auth for the private channels and the REST catch-up
        # come from the client. No callbacks: events wait in the queue.
        self.stream = nax.Stream(f"book:{self.pair}", "orders", "fills", client=self.client,
                                 reconnect_min_ms=500, reconnect_max_ms=10000,
                                 queue_size=self.inbox)
        self.stream.start()

    # ------------------------------------------------------------ our orders

    def find(self, client_order_id, order_id):
        for o in self.orders:
            if (client_order_id and o.client_order_id == client_order_id) or \
                    (order_id and o.id == order_id):
                return o
        return None

    def apply_state(self, o, order):
        """An order's state, from the stream or from REST, applied to our copy."""
        o.id = o.id or order.id
        o.filled = order.filled_quantity
        if order.status in DONE:
            self.orders.remove(o)
        elif o.phase == PLACING:
            o.set_phase(RESTING)

    def settled(self):
        return all(o.phase == RESTING for o in self.orders)

    def resting(self):
        return sum(1 for o in self.orders if o.phase == RESTING)

    # ---------------------------------------------------------- REST actions

    def cancel_all(self, why):
        """DELETE /v1/orders?pair=: everything of ours on the pair, including
        orders we may have lost track of. The stream then confirms each one."""
        try:
            res = self.client.cancel_all(self.pair)
        except nax.NaxError as e:
            say_error("cancel-all", e)
            self.last_error = e
            self.retry_at = time.monotonic() + RETRY_S
            return False
        say(f"cancel-all {self.pair} ({why}): {len(res.cancelled)} cancelled")
        for o in self.orders:
            if o.phase in (RESTING, PLACING):
                o.set_phase(CANCELLING)
        self.must_cancel = False
        return True

    def cancel_one(self, o):
        try:
            self.client.cancel_order(o.id)
            o.set_phase(CANCELLING)
        except nax.ConflictError:  # filled meanwhile; the stream will say so
            o.set_phase(CANCELLING)
        except nax.NotFoundError:
            self.orders.remove(o)
        except nax.NaxError as e:
            say_error("cancel", e)
            self.must_cancel = True  # a cancel-all will catch it
            self.retry_at = time.monotonic() + RETRY_S

    def place_quote(self, side, price):
        """One post-only GTC quote under a client order id of its own."""
        if len(self.orders) >= MAX_ORDERS:
            say(f"error: more than {MAX_ORDERS} orders in flight")
            return
        self.next_id += 1
        # unique per user across runs: time, process and a counter; at most 36 chars
        coid = f"mm-{int(time.time()):x}-{os.getpid():x}-{self.next_id}{side[0]}"
        o = OwnOrder(side, coid, price, self.size)
        self.orders.append(o)
        try:
            placed = self.client.place_order(self.pair, side, self.size, price,
                                             time_in_force="GTC", post_only=True,
                                             client_order_id=coid)
        except nax.OutcomeUnknownError:
            # The order may exist: look it up by our id before anything else.
            say(f"place {coid}: outcome unknown, looking it up")
            try:
                placed = self.client.get_order_by_client_id(coid)
            except nax.NotFoundError:
                self.orders.remove(o)
                return
            except nax.NaxError as e:
                say_error("look-up", e)  # stays PLACING: looked up again later
                return
        except nax.NaxError as e:
            say_error("place", e)
            self.orders.remove(o)
            self.retry_at = time.monotonic() + RETRY_S
            return
        label = "bid" if side == "buy" else "ask"
        say(f"placed {label} {coid} {fmt(self.size)} @ {fmt(price)} -> {placed.id} "
            f"{placed.status.value}")
        o.id = placed.id
        if placed.status in DONE:  # e.g. rejected: post-only would have taken
            self.orders.remove(o)

    def check_unconfirmed(self):
        """Orders the stream has not confirmed for CONFIRM_S: ask REST instead."""
        now = time.monotonic()
        for o in list(self.orders):
            if o.phase not in (PLACING, CANCELLING) or now - o.since < CONFIRM_S:
                continue
            try:
                got = (self.client.get_order(o.id) if o.id else
                       self.client.get_order_by_client_id(o.client_order_id))
            except nax.NotFoundError:
                say(f"order {o.client_order_id}: not on the exchange")
                self.orders.remove(o)
                continue
            except nax.NaxError as e:
                say_error("order look-up", e)
                o.set_phase(o.phase)  # look again later
                continue
            say(f"order {o.client_order_id}: no word from the stream, REST says "
                f"{got.status.value}")
            was = o.phase
            self.apply_state(o, got)
            if was == CANCELLING and o in self.orders and o.phase == CANCELLING:
                self.cancel_one(o)  # still open: the cancel did not happen

    # ------------------------------------------------------------ the market

    def own_at(self, side, price):
        return sum((o.quantity - o.filled for o in self.orders
                    if o.phase == RESTING and o.side == side and o.price == price), Decimal(0))

    def best_other(self, side, levels):
        """The best level on a side that holds more than our own quantity."""
        for lv in levels:
            if lv.quantity > self.own_at(side, lv.price):
                return lv.price
        return None

    def market_mid(self):
        """The mid of the book without our own orders; None when a side is empty."""
        try:
            book = self.stream.book(self.pair, BOOK_DEPTH)
        except nax.NotFoundError:
            return None  # no snapshot yet
        bid = self.best_other("buy", book.bids)
        ask = self.best_other("sell", book.asks)
        if bid is None or ask is None:
            return None
        # One digit more than the tick: the mid of two ticks may fall between them.
        scale = Decimal(1).scaleb(self.tick.as_tuple().exponent - 1)
        return ((bid + ask) / 2).quantize(scale, rounding=ROUND_HALF_EVEN)

    def quote_prices(self, mid):
        """bid = mid - mid*spread/2 rounded down to the tick, ask the same up."""
        half = mid * self.spread / 2
        bid = quantize(mid - half, self.tick, ROUND_FLOOR)
        ask = quantize(mid + half, self.tick, ROUND_CEILING)
        if bid >= ask:
            ask = bid + self.tick
        return (bid, ask) if bid > 0 else None

    def moved_enough(self, mid):
        return abs(mid - self.quoted_mid) >= self.quoted_mid * self.move

    def quote(self, mid, why):
        """Replace whatever rests with a fresh bid and ask around mid."""
        prices = self.quote_prices(mid)
        if prices is None:
            say(f"error: no valid prices around mid {fmt(mid)}")
            self.failed = True
            return
        bid, ask = prices
        for o in [o for o in self.orders if o.phase == RESTING]:
            self.cancel_one(o)
        size = fmt(self.size)
        say(f"quote: mid {fmt(mid)} bid {size}@{fmt(bid)} ask {size}@{fmt(ask)} ({why})")
        self.place_quote("buy", bid)
        self.place_quote("sell", ask)
        self.quoted_mid = mid

    def decide(self):
        """Called when the stream is live and none of our orders is in flight."""
        mid = self.market_mid()
        if mid is None:
            if not self.waiting_for_market:
                say("waiting: no two-sided market besides our own orders")
            self.waiting_for_market = True
            return
        self.waiting_for_market = False
        if self.resting() < 2:
            # first quote, live again, or a quote was filled away
            self.quote(mid, self.next_reason)
            self.next_reason = "refill"
        elif self.moved_enough(mid):
            self.requotes += 1
            say(f"requote {self.requotes}: mid {fmt(self.quoted_mid)} -> {fmt(mid)}")
            self.quote(mid, "moved")

    # ------------------------------------------------------- stream events

    def handle_state(self, ev):
        global stop_requested
        channel = f" {ev.channel}" if ev.channel else ""
        say(f"stream: {ev.state} ({ev.reason}){channel}: {ev.message}")
        if ev.reason in ("auth_failed", "subscribe_failed"):
            # without our channels we cannot see our orders or the book
            say(f"error: the stream refused {ev.channel}; stopping")
            self.failed = stop_requested = True
            return
        if ev.state == "LIVE":
            # a LIVE notice may race a later change: ask for the state now
            if not self.live and self.stream.state == "LIVE":
                self.live = True
                if self.quoted_mid is not None:
                    self.next_reason = "live again"
                say("live: quoting")
            return
        if ev.state == "CLOSED" and not stop_requested:
            say("error: the stream closed")
            self.failed = stop_requested = True
        if self.live:
            self.live = False
            say(f"pull: stream {ev.state}, cancelling our orders")
            self.must_cancel = True
            self.retry_at = 0.0

    def handle_order(self, order, flags):
        o = self.find(order.client_order_id, order.id)
        if o is None:
            if flags & nax.Flags.SNAPSHOT and order.status not in DONE:
                say(f"order {order.id}: open from before, not ours to manage "
                    "(cancel-all will take it)")
            return
        caught = " (caught up after a reconnect)" if flags & nax.Flags.CATCHUP else ""
        say(f"order {o.client_order_id} {order.id}: {order.status.value}, filled "
            f"{fmt(order.filled_quantity)} of {fmt(order.quantity)}{caught}")
        self.apply_state(o, order)

    def handle_fill(self, fill, flags):
        when = (" [earlier]" if flags & nax.Flags.SNAPSHOT else
                " [while disconnected]" if flags & nax.Flags.CATCHUP else "")
        say(f"fill: {'bought' if fill.side is nax.Side.BUY else 'sold'} {fmt(fill.quantity)} @ "
            f"{fmt(fill.price)}, order {fill.order_id}, trade {fill.id}, fee {fmt(fill.fee)} "
            f"{fill.fee_asset}, {fill.liquidity.value}{when}")

    def take_events(self):
        """Every event queued now (waiting up to WAKE_S for the first)."""
        wait = WAKE_S
        while True:
            try:
                ev = self.stream.get(timeout=wait)
            except (TimeoutError, StopIteration):
                return
            wait = 0
            if ev.kind == "state":
                self.handle_state(ev.data)
            elif ev.kind == "order":
                self.handle_order(ev.data, ev.flags)
            elif ev.kind == "fill":
                self.handle_fill(ev.data, ev.flags)
            # book changes need nothing here: the mid is read from the local book

    # -------------------------------------------------------------- leaving

    def exit_backoff_ms(self, n, e):
        """How long to wait before try n + 1 of the exit cancel: half a step
        that doubles from BACKOFF_BASE_MS to BACKOFF_CAP_MS plus a random half
        of it (bots that lost the same server do not come back in step), or
        longer when the server said Retry-After or the trading breaker stays
        open longer."""
        step = min(BACKOFF_CAP_MS, BACKOFF_BASE_MS << min(n - 1, 16))
        wait = step // 2 + random.randint(0, step // 2)
        wait = max(wait, e.retry_after_ms)
        if isinstance(e, nax.CircuitOpenError):
            wait = max(wait, self.client.breaker_status("trading").open_for_ms)
        return wait

    def cancel_all_at_exit(self, wait_s):
        """The cancel on exit: tried again while the failure may pass (the
        error is transient), for up to wait_s seconds. True when it went through."""
        deadline = time.monotonic() + wait_s
        n = 1
        while not self.cancel_all("exit"):
            e = self.last_error
            left = deadline - time.monotonic()
            if not e.transient or left <= 0:
                return False
            wait = min(self.exit_backoff_ms(n, e), int(left * 1000) + 1)
            say(f"retry: cancel-all again in {wait} ms")
            time.sleep(wait / 1000)
            n += 1
        return True

    # ------------------------------------------------------------ main loop

    def run(self):
        while not stop_requested:
            self.take_events()
            if stop_requested:
                break
            if self.must_cancel:
                if time.monotonic() >= self.retry_at:
                    self.cancel_all("lost track" if self.live else "stream not live")
                continue
            self.check_unconfirmed()
            if not self.live or not self.settled() or time.monotonic() < self.retry_at:
                continue
            if self.short and self.requotes >= self.short:
                say(f"done: {self.requotes} requotes, the last quotes are resting")
                break
            self.decide()
            if self.failed:
                break


def positive(text, name):
    try:
        d = Decimal(text)
    except decimal.InvalidOperation:
        d = Decimal(0)
    if not d.is_finite() or d <= 0:
        raise argparse.ArgumentTypeError(
            f'{name} must be a positive decimal, like 0.002 (got "{text}")')
    return d


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="A market maker on one pair (see the module docstring).",
        usage="NAX_API_KEY=... NAX_API_SECRET=... %(prog)s [--pair P] [--spread D] "
              "[--size D] [--move D] [--short N] [--exit-wait S] [--inbox N] "
              "[--api-key K --api-secret S] [BASE_URL]")
    p.add_argument("url", nargs="?", default=os.environ.get("NAX_URL"))
    p.add_argument("--pair", default="BTC-AUD")
    p.add_argument("--spread", default=Decimal("0.002"), type=lambda t: positive(t, "--spread"))
    p.add_argument("--size", default=Decimal("0.01"), type=lambda t: positive(t, "--size"))
    p.add_argument("--move", default=Decimal("0.001"), type=lambda t: positive(t, "--move"))
    p.add_argument("--short", type=int, default=0)
    p.add_argument("--exit-wait", type=int, default=EXIT_WAIT_S)
    p.add_argument("--inbox", type=int, default=1024)
    p.add_argument("--api-key", default=os.environ.get("NAX_API_KEY"))
    p.add_argument("--api-secret", default=os.environ.get("NAX_API_SECRET"))
    args = p.parse_args(argv)
    if (not args.url or not args.api_key or not args.api_secret or args.short < 0 or
            not 0 <= args.exit_wait <= 86400 or not 1 <= args.inbox <= 1024):
        p.print_usage(sys.stderr)
        sys.exit(2)
    return args


def on_signal(signum, frame):
    global stop_requested
    stop_requested = True


def leave(bot, args):
    """Nothing of ours may stay on the book. True when the cancel went through."""
    if stop_requested and not bot.failed:
        say("stop: signal received")
    if bot.stream is not None:
        try:
            bot.stream.close()
        except Exception as e:  # a callback error cannot happen here (no callbacks)
            say(f"error: closing the stream: {e}")
    cancelled = bot.cancel_all_at_exit(args.exit_wait)
    say(f"exit: {bot.requotes} requotes, "
        f"{'no orders left' if cancelled else 'could not cancel our orders'}")
    bot.client.close()
    return cancelled


def main(argv=None):
    args = parse_args(argv)
    # SIGHUP too: a closed terminal or session must not leave quotes behind.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    try:
        bot = Bot(args)
    except nax.NaxError as e:
        say_error("nax.Client", e)
        return 1
    try:
        if bot.load_market() and bot.cancel_all("start"):
            bot.start_stream()
            bot.run()
        else:
            bot.failed = True
    except nax.NaxError as e:
        say_error("setup", e)
        bot.failed = True
    except Exception as e:  # a bug or the unforeseen: the orders still go first
        say(f"error: {type(e).__name__}: {e}")
        traceback.print_exc()
        bot.failed = True
    finally:  # whatever ends the run, even an exception that is not an Exception
        cancelled = leave(bot, args)
    return 0 if cancelled and not bot.failed else 1


if __name__ == "__main__":
    sys.exit(main())

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
   find the stream LIVE and quote again; the 12 orders are cancelled. (The
   burst of their cancellations may overflow the inbox once more, and the
   bot then quotes afresh: the test checks the quote the stream confirms.)
Finally naxd must stop cleanly (exit 0, no sanitizer report). The harness (the
bot process, the quote and book checks) is tests/integ/botlib.py, shared with
the Python bot's tests.
"""

import os
import shutil
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integ"))
import botlib  # noqa: E402
import naxlib  # noqa: E402

PAIR = "BTC-AUD"
SPREAD, SIZE, MOVE = "0.0005", "0.01000000", "0.001"


def main():
    naxd, setup, binary, work = sys.argv[1:5]
    shutil.rmtree(work, ignore_errors=True)  # a fresh exchange: the book is ours to set
    with botlib.running_naxd(Path(work), binary=naxd) as server:
        run(server, setup, binary)
    print("example_trading_bot: ok")


def partner_key(server, setup):
    """The bot's account and API key, made the way a partner would (through libnax)."""
    env = dict(os.environ, NAXD_OPERATOR_TOKEN=server.operator_token,
               NAXD_WEBHOOK_SECRET_PAYMENTS=server.secrets["payments"],
               NAXD_WEBHOOK_SECRET_CUSTODY=server.secrets["custody"])
    out = subprocess.run([setup, server.url], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, f"partner_setup failed:\n{out.stderr}"
    creds = dict(line.split("=", 1) for line in out.stdout.split())
    return creds["NAX_API_KEY"], creds["NAX_API_SECRET"]


def run(server, setup, binary):
    key = partner_key(server, setup)
    mover = botlib.new_mover(server, full_name="Market Mover")
    scene = botlib.Scene(server, key, mover, PAIR, SPREAD, SIZE, MOVE)

    def start(*args):
        return botlib.Bot(scene.argv([binary], *args), botlib.key_env(key))

    mover_bid = scene.place(mover, "buy", "97000.00", "0.05000000")
    mover_ask = scene.place(mover, "sell", "97100.00", "0.05000000")
    with start("--short", "2") as bot:
        taken = short_run(scene, bot, mover_bid, mover_ask)
    bids, asks = scene.book()
    bot.check(bids == [(Decimal(p), Decimal("0.05")) for p in ("96000", "90000", "89000")] and
              asks == [(Decimal("96800.00"), Decimal("0.05"))],
              f"the book holds more than the mover's levels: {bids} / {asks}")
    fills = server.api.get(f"/v1/trades/history?pair={PAIR}", key=key).expect(200).json()["fills"]
    bot.check([(Decimal(f["quantity"]), Decimal(f["price"])) for f in fills] ==
              [(taken, Decimal("97025.73"))], f"the bot's fills: {fills}")

    # SIGTERM, and SIGHUP as when the terminal closes: the same clean exit.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        with start() as bot:
            scene.expect_quote(bot, "96400.000", "first")
            bot.stop(sig)
            scene.expect_exit(bot, 0)

    # The cancel on exit fails five times, more than the three tries the bot
    # used to make: it tries again with backoff and gets through.
    with start() as bot:
        scene.expect_quote(bot, "96400.000", "first")
        scene.exit_through_failures(bot, 5)

    # It keeps failing: the bot gives up after --exit-wait and says so.
    with start("--exit-wait", "1") as bot:
        scene.expect_quote(bot, "96400.000", "first")
        scene.exit_gives_up(bot)
    server.api.delete(f"/v1/orders?pair={PAIR}", key=key).expect(200)

    # Events lost while the bot is busy: LIVE among them.
    with start("--inbox", "8") as bot:
        scene.expect_quote(bot, "96400.000", "first")
        for _ in range(12):
            server.api.post("/v1/orders", key=key, json={
                "pair": PAIR, "side": "buy", "type": "limit", "price": "50000.00",
                "quantity": "0.00100000"}).expect(201)
        server.faults("DELETE /v1/orders", "delay", count=1, delay_ms=4000)
        naxlib.stream_faults(server, close_all=True)
        bot.expect(r"^pull: stream RECONNECTING, cancelling our orders$")
        bot.expect_all(r"^cancel-all BTC-AUD \(stream not live\): \d+ cancelled$",
                       r"^live: quoting$")
        bid, ask = scene.expect_quote(bot, "96400.000", "live again")
        settle(scene, bot, "96400.000")
        scene.check_resting(bot, bid, ask)  # and nothing else of the bot's
        bot.stop(signal.SIGTERM)
        scene.expect_exit(bot, 0)
    print("events were lost (the inbox overflowed):",
          any("events were lost" in line for line in bot.log), flush=True)


def short_run(scene, bot, mover_bid, mover_ask):
    """Steps 3 to 8 with the --short 2 bot; the quantity the mover took."""
    server, mover = scene.server, scene.mover
    bot.expect(r"^market: BTC-AUD tick 0\.01 ")
    bot.expect(r"^live: quoting$")
    bid, ask = scene.expect_quote(bot, "97050.000", "first")
    first = scene.check_resting(bot, bid, ask)

    # A taker sells into the bot's bid: the bot hears of the fill.
    taken = Decimal("0.00400000")
    scene.place(mover, "sell", str(bid), str(taken), tif="IOC")
    m = bot.expect(r"^fill: bought (\S+) @ (\S+), order (o_\d+), .* maker$")
    bot.check((Decimal(m[1]), Decimal(m[2])) == (taken, bid), f"fill {m[0]!r}")

    # The mid moves: 97000/97100 -> 96000/97100.
    scene.place(mover, "buy", "96000.00", "0.05000000")
    mover.delete(f"/v1/orders/{mover_bid['id']}").expect(200)
    bot.expect(r"^requote 1: mid 97050\.000 -> 96550\.000$")
    bid, ask = scene.expect_quote(bot, "96550.000", "moved")
    second = scene.check_resting(bot, bid, ask)
    bot.check(not second & first, "the first quotes were not replaced")

    # Lifecycle: naxd drops every stream connection.
    naxlib.stream_faults(server, close_all=True)
    bot.expect(r"^stream: RECONNECTING ")
    third = pulled_and_requoted(scene, bot, "RECONNECTING", second)

    # Lifecycle: one book update is lost, so the next one shows a gap and the
    # book resyncs (the mover's far bids leave the mid where it is).
    naxlib.stream_faults(server, pair=PAIR, drop_updates=1)
    scene.place(mover, "buy", "90000.00", "0.05000000")
    scene.place(mover, "buy", "89000.00", "0.05000000")
    bot.expect(r"^stream: RESYNCING \(seq_gap\) book:BTC-AUD")
    pulled_and_requoted(scene, bot, "RESYNCING", third)

    # The mid moves again: 96000/97100 -> 96000/96800; the bot then exits.
    scene.place(mover, "sell", "96800.00", "0.05000000")
    mover.delete(f"/v1/orders/{mover_ask['id']}").expect(200)
    bot.expect(r"^requote 2: mid 96550\.000 -> 96400\.000$")
    scene.expect_quote(bot, "96400.000", "moved")
    bot.expect(r"^done: 2 requotes")
    scene.expect_exit(bot, 2)
    return taken


def settle(scene, bot, mid):
    """Waits until the stream has confirmed the bot's last quote open. The C bot
    may lose events again while it quotes anew (the reconnect's 14 cancellations
    against an inbox of 8): it then cancels that quote and quotes again at the
    same mid ("refill"), which is followed instead. Once both orders are
    confirmed, everything before them on the stream has been read."""
    pending = set(bot.quote_ids)
    while pending:
        m = bot.expect(r"^(?:pull: events were lost|order \S+ (o_\d+): open, )")
        if m[1]:
            pending.discard(m[1])
            continue
        bot.expect(r"^cancel-all BTC-AUD \(lost track\): \d+ cancelled$")
        scene.expect_quote(bot, mid, "refill")
        pending = set(bot.quote_ids)


def pulled_and_requoted(scene, bot, state, before):
    """The stream left LIVE (state): the bot pulls its two quotes and, LIVE again,
    places new ones at the same mid; their ids."""
    bot.expect(rf"^pull: stream {state}, cancelling our orders$")
    bot.expect_all(r"^cancel-all BTC-AUD \(.*\): 2 cancelled$", r"^live: quoting$")
    bid, ask = scene.expect_quote(bot, "96550.000", "live again")
    now = scene.check_resting(bot, bid, ask)
    bot.check(not now & before, "the quotes were not cancelled and placed anew")
    return now


if __name__ == "__main__":
    main()

"""`nax stream`: one line (or JSON document) per update when stdout is not a
terminal, a ladder redrawn in place when it is; --count, --seconds and SIGINT
end it cleanly."""

import json
import os
import pty
import select
import signal
import subprocess
import time

import socket

import naxlib
from conftest import EXIT_NETWORK, EXIT_USAGE, Cli, LineReader, check_clean, Result


def finish(proc, reader, timeout=60):
    """Waits for the CLI to exit; returns (exit code, remaining lines, stderr)."""
    rc = proc.wait(timeout=timeout)
    rest = reader.rest()
    err = proc.stderr.read()
    check_clean(Result(proc.args, rc, "\n".join(reader.seen), err))
    return rc, rest, err


def test_book_updates_after_an_order(nax, naxd):
    proc = nax.popen("stream", "book:BTC-AUD", "--count", "2")
    reader = LineReader(proc.stdout)
    try:
        snap = reader.wait_for(lambda line: line.startswith("book:BTC-AUD snapshot"))
        reader.wait_for(lambda line: line.startswith("LIVE"))
        placed = nax("--json", "order", "place", "BTC-AUD", "buy", "0.25000000",
                     "--price", "123.45").expect(0).json()
        rc, rest, err = finish(proc, reader)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert rc == 0, err
    updates = [line for line in reader.seen if line.startswith("book:BTC-AUD update")]
    assert len(updates) == 1, reader.seen
    # the level the order made, and the top of the book after it
    assert "| bid 123.45=0.25000000" in updates[0]
    book = json.loads(naxd.api.get("/v1/markets/BTC-AUD/orderbook").expect(200).body)
    assert f"seq {book['seq']}" in updates[0]
    assert "seq" in snap and placed["status"] == "open"
    # stopping is reported as a lifecycle change
    assert any(line.startswith("CLOSED (stopped)") for line in rest)


def test_json_documents_are_the_contract_shape(nax, naxd):
    nax("order", "place", "BTC-AUD", "sell", "0.1", "--price", "250.00").expect(0)
    r = nax("--json", "stream", "book:BTC-AUD", "--count", "1").expect(0)
    doc = r.json()  # exactly one document on stdout
    want = json.loads(naxd.api.get("/v1/markets/BTC-AUD/orderbook").expect(200).body)
    assert {k: v for k, v in doc.items() if k != "ts"} == \
        {k: v for k, v in want.items() if k != "ts"}
    # lifecycle lines went to stderr
    assert "LIVE" in r.err or "CONNECTING" in r.err


def test_ticker_and_private_channels(nax, naxd):
    nax("cancel-all").expect(0)  # an empty orders snapshot: the count is the new events
    proc = nax.popen("stream", "ticker:ETH-AUD", "orders", "--count", "3")
    reader = LineReader(proc.stdout)
    try:
        reader.wait_for(lambda line: line.startswith("LIVE"))
        placed = nax("--json", "order", "place", "ETH-AUD", "buy", "1", "--price", "42.00") \
            .expect(0).json()
        rc, rest, err = finish(proc, reader)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert rc == 0, err
    tickers = [line for line in reader.seen if line.startswith("ticker:ETH-AUD")]
    assert tickers[0].startswith("ticker:ETH-AUD bid - ask -")  # the snapshot: empty market
    assert any("bid 42.00 " in t for t in tickers[1:]), reader.seen
    assert any(line.startswith(f"orders {placed['id']} ETH-AUD buy open") for line in reader.seen)


def test_seconds_and_sigint_end_cleanly(nax):
    r = nax("stream", "book:ETH-USD", "--seconds", "1").expect(0)
    assert "book:ETH-USD snapshot" in r.out
    proc = nax.popen("stream", "book:ETH-USD")
    reader = LineReader(proc.stdout)
    try:
        reader.wait_for(lambda line: line.startswith("LIVE"))
        proc.send_signal(signal.SIGINT)
        rc, rest, err = finish(proc, reader)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert rc == 0, err
    assert any(line.startswith("CLOSED (stopped)") for line in rest)


def test_refused_and_malformed_channels(nax):
    r = nax("stream", "book:NOPE-AUD", "--seconds", "30")
    assert r.rc not in (0, EXIT_USAGE), r
    assert "book:NOPE-AUD" in r.out and "no channel left" in r.err
    r = nax("stream", "bogus").expect(EXIT_USAGE)
    assert "bogus" in r.err
    nax("stream").expect(EXIT_USAGE)
    nax("stream", "book:BTC-AUD", "--count", "x").expect(EXIT_USAGE)


def test_terminal_view_redraws_the_ladder(nax):
    nax("order", "place", "BTC-USD", "sell", "0.5", "--price", "300.00").expect(0)
    nax("order", "place", "BTC-USD", "sell", "0.4", "--price", "301.00").expect(0)
    master, slave = pty.openpty()
    env = nax.env()
    env["TERM"] = "xterm"
    proc = subprocess.Popen([nax.binary, "stream", "book:BTC-USD", "--count", "1",
                             "--depth", "1"], env=env, stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=subprocess.PIPE)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1.0)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the CLI closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    rc = proc.wait(timeout=30)
    err = proc.stderr.read().decode()
    check_clean(Result(proc.args, rc, out.decode(errors="replace"), err))
    assert rc == 0, err
    text = out.decode()
    assert "\x1b[H" in text and "\x1b[K" in text  # redrawn in place
    assert "nax stream" in text and "book:BTC-USD" in text
    # --depth 1: the best ask only, and the spread line of the ladder
    assert "ask     300.00  0.5" in text.replace("\r", "")
    assert "301.00" not in text


def test_lifecycle_changes_are_printed(nax, naxd):
    """A dropped update makes the book resync, a dropped connection reconnects;
    both are shown, and the stream is LIVE again after each."""
    proc = nax.popen("stream", "book:BTC-AUD")
    reader = LineReader(proc.stdout)
    try:
        reader.wait_for(lambda line: line.startswith("LIVE"))
        naxlib.stream_faults(naxd, pair="BTC-AUD", drop_updates=1)
        nax("order", "place", "BTC-AUD", "buy", "1", "--price", "11.00").expect(0)
        nax("order", "place", "BTC-AUD", "buy", "1", "--price", "11.01").expect(0)
        reader.wait_for(lambda line: line.startswith("RESYNCING (seq_gap) book:BTC-AUD"))
        reader.wait_for(lambda line: line.startswith("LIVE (snapshot) book:BTC-AUD"))
        naxlib.stream_faults(naxd, close_all=True)
        reader.wait_for(lambda line: line.startswith("RECONNECTING"))
        reader.wait_for(lambda line: line.startswith("LIVE"))
        proc.send_signal(signal.SIGINT)
        rc, rest, err = finish(proc, reader)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert rc == 0, err


def test_a_closed_pipe_ends_the_stream(nax):
    """`nax stream ... | head -n 1`: once the reader is gone the CLI stops, quietly
    and with exit 0, whether or not it had more to write."""
    for mode in ([], ["--json"]):
        args = [nax.binary] + mode + ["stream", "book:BTC-AUD", "ticker:BTC-AUD"]
        proc = subprocess.Popen(args, env=nax.env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        head = subprocess.Popen(["head", "-n", "1"], stdin=proc.stdout, stdout=subprocess.PIPE)
        proc.stdout.close()  # head holds the only reading end
        try:
            first, _ = head.communicate(timeout=60)
            rc = proc.wait(timeout=60)  # fails (TimeoutExpired) when the CLI goes on
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err = proc.stderr.read().decode()
        proc.stderr.close()
        check_clean(Result(args, rc, "", err))
        assert first.strip(), mode
        assert rc == 0, (mode, err)
        assert "cannot write" not in err and "error" not in err.lower(), (mode, err)


def test_private_channels_need_credentials(anon):
    for channel in ("orders", "balances", "fills"):
        r = anon("stream", channel, "--seconds", "10").expect(EXIT_USAGE)
        assert "needs credentials" in r.err and len(r.err.splitlines()) == 1, r
    # public channels do not
    r = anon("stream", "ticker:BTC-AUD", "--count", "1").expect(0)
    assert "ticker:BTC-AUD" in r.out


def test_never_live_is_a_network_error(home):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{s.getsockname()[1]}"
    r = Cli(home, url=down)("stream", "book:BTC-AUD", "--seconds", "3").expect(EXIT_NETWORK)
    assert "RECONNECTING" in r.out
    assert "never" in r.err and len(r.err.splitlines()) == 1, r
    r = Cli(home, url=down)("--json", "stream", "book:BTC-AUD", "--seconds", "2") \
        .expect(EXIT_NETWORK)
    assert json.loads(r.err.splitlines()[-1])["error"]["code"] == "network"

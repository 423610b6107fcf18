"""Stream benchmark driver (bench/stream/run.sh runs it; see bench/README.md).

1. Fan-out. naxd (Release, --fault-injection, core 0) with a market that has a
   bid, an ask and a trade; fanout_load (core 1) subscribes 100 connections to
   ticker:BTC-AUD and trades:BTC-AUD and has naxd publish through its real
   publisher (POST /admin/stream-bench, server/app/h_bench.c). The peer is a
   Node `ws` broadcast server (peer_ws.mjs, core 0) sending the same bytes:
   the driver first captures one trades and one ticker update from naxd and
   hands them to the peer as templates.
   - closed loop: as fast as each server can publish, at most --window
     messages ahead of the slowest subscriber; delivered messages/s.
   - open loop: --rates messages published per second (each delivered to
     every subscriber, so 100/s x 100 subscribers = 10k messages/s), for
     --open-seconds; end-to-end latency p50/p99 from the publish time carried
     in each trade's id (CLOCK_MONOTONIC ns on both servers).
   One warm-up round, then --repeats rounds with the servers taking turns.
2. Client side: libnax's decode + seq check + book apply + checksum per
   book:{pair} message (book_apply run) on a generated snapshot of
   --book-levels levels a side and --book-updates updates, beside Python
   (json + dict book + zlib.crc32) and Node (JSON.parse + sorted arrays + a
   CRC-32 table) doing the same checks on the same file (core 1); then the
   same file through the public nax_stream (external mode) from a local
   replay server (book_apply stream), socket and callbacks included.

Prints the table (median and min-max over rounds; ratios are the median of
the per-round ratios) and writes every run and the table to CSV. Never a
pass/fail test: the `met` column only compares with the targets.
"""

import argparse
import base64
import csv
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))
sys.path.insert(0, str(HERE.parent.parent / "tests" / "integ"))
from bench_server import prepare_market  # noqa: E402
from naxlib import Api  # noqa: E402

SERVER_CPU, CLIENT_CPU = "0", "1"
PAIR = "BTC-AUD"
THROUGHPUT_TARGET = 3.0  # naxd / ws, closed loop
P99_TARGET_US = 1000.0   # naxd at 10k delivered messages/s


def progress(text):
    print(f"  {text}", file=sys.stderr, flush=True)


def first_json_line(path, proc, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        lines = path.read_bytes().split(b"\n", 1)
        if len(lines) > 1:
            return json.loads(lines[0])
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not report its port")


class Naxd:
    """naxd in fault mode (for /admin/stream-bench), limits out of the way."""

    def __init__(self, binary, work):
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        self.secrets = {p: "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
                        for p in ("payments", "custody")}
        self.operator_token = "op_" + secrets.token_hex(16)
        config = {
            "kdf": {"m_cost_kib": 64, "t_cost": 1, "parallelism": 1}, "kdf_test_only": True,
            "webhook_providers": {p: [s] for p, s in self.secrets.items()},
            "operator_token": self.operator_token,
            "rate_limits": {"default": {"rate": 1e9, "burst": 1e9},
                            "auth": {"rate": 1e6, "burst": 1e6}},
            "limits": {"max_conns": 4096},
        }
        (work / "naxd.json").write_text(json.dumps(config))
        env = {k: v for k, v in os.environ.items() if not k.startswith("NAXD_")}
        self.proc = subprocess.Popen(
            ["taskset", "-c", SERVER_CPU, binary, "--listen", "127.0.0.1:0", "--data",
             str(work / "data"), "--config", str(work / "naxd.json"), "--quiet",
             "--fault-injection"],
            stdout=open(work / "naxd.stdout", "wb"), stderr=open(work / "naxd.stderr", "wb"),
            env=env, start_new_session=True)
        self.port = first_json_line(work / "naxd.stdout", self.proc, "naxd")["port"]
        self.api = Api(self)

    def admin(self, method, path, json=None, **kw):
        return self.api.call(method, path, json=json, token=self.operator_token, **kw)

    def stop(self):
        stop_process(self.proc)


def stop_process(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def start_peer(args, work, templates):
    out = work / "peer.stdout"
    proc = subprocess.Popen(["taskset", "-c", SERVER_CPU, args.node, str(HERE / "peer_ws.mjs"),
                             "0", str(templates / "trade.json"), str(templates / "ticker.json")],
                            stdout=open(out, "wb"), stderr=open(work / "peer.stderr", "wb"),
                            cwd=HERE, start_new_session=True)
    return first_json_line(out, proc, "the ws peer")["port"], proc


def key_values(text):
    return dict(kv.split("=", 1) for kv in text.split() if "=" in kv)


class Fanout:
    def __init__(self, args, servers):
        self.args, self.servers = args, servers  # name -> (port, token)

    def run(self, name, rate, count, capture=None, conns=None):
        port, token = self.servers[name]
        cmd = ["taskset", "-c", CLIENT_CPU, self.args.fanout, "--port", str(port), "--pair", PAIR,
               "--conns", str(conns or self.args.conns), "--rate", str(rate), "--count",
               str(count), "--window", str(self.args.window)]
        if token:
            cmd += ["--token", token]
        if capture:
            cmd += ["--capture", str(capture)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        fields = key_values(p.stdout)
        if p.returncode != 0 or (not capture and "msgs_per_s" not in fields):
            raise RuntimeError(f"fanout_load against {name} failed ({p.returncode}): "
                               f"{p.stdout}{p.stderr}")
        return {k: float(v) for k, v in fields.items()}


def rotated(names, rep):
    k = rep % len(names)
    return names[k:] + names[:k]


def summary(values):
    return statistics.median(values), min(values), max(values)


def fmt(values, unit="", digits=0):
    if not values:
        return "-"
    med, lo, hi = summary(values)
    return f"{med:,.{digits}f}{unit} ({lo:,.{digits}f}-{hi:,.{digits}f})"


def fmt_ratio(values):
    return fmt(values, "x", 2) if values else "-"


def print_table(rows):
    head = ("metric", "naxd / libnax", "peer", "ratio", "target", "met")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(5)]
    print(" | ".join(str(h).ljust(widths[i]) for i, h in enumerate(head[:5])) + " | " + head[5])
    print("-|-".join("-" * w for w in widths) + "-|----")
    for r in rows:
        print(" | ".join(str(c).ljust(widths[i]) for i, c in enumerate(r[:5])) + " | " + r[5])


def fanout_part(args, work, runs):
    naxd = Naxd(args.naxd, work / "naxd")
    peer = None
    try:
        prepare_market(naxd)
        servers = {"naxd": (naxd.port, naxd.operator_token)}
        fan = Fanout(args, servers)
        templates = work / "templates"
        templates.mkdir()
        fan.run("naxd", 1000, 2, capture=templates, conns=1)
        for f in ("trade.json", "ticker.json"):
            print(f"{f[:-5]} update ({len((templates / f).read_bytes())} bytes): "
                  f"{(templates / f).read_text().strip()}")
        port, peer = start_peer(args, work, templates)
        servers["ws"] = (port, None)
        print(f"servers on cpu {SERVER_CPU}, fanout_load on cpu {CLIENT_CPU}; {args.conns} "
              f"subscribers; closed loop {args.closed_count} messages (window {args.window}); "
              f"open loop {args.open_seconds:g} s at {', '.join(map(str, args.rates))} msgs/s "
              f"published; {args.repeats} rounds after a warm-up round")
        names = ["naxd", "ws"]
        for name in names:  # warm-up: connections, JIT, caches
            fan.run(name, 0, min(args.closed_count, 1000))
        for rep in range(args.repeats):
            progress(f"fan-out round {rep + 1}/{args.repeats}")
            for name in rotated(names, rep):
                r = fan.run(name, 0, args.closed_count)
                runs.append(("closed", name, 0, rep, r))
                for rate in args.rates:
                    r = fan.run(name, rate, max(2, int(rate * args.open_seconds)))
                    runs.append(("open", name, rate, rep, r))
    finally:
        if peer:
            stop_process(peer)
        naxd.stop()


def book_part(args, work, runs):
    data = work / "book.jsonl"
    with open(data, "wb") as f:
        subprocess.run([args.book, "gen", "--levels", str(args.book_levels), "--updates",
                        str(args.book_updates)], stdout=f, check=True)
    print(f"book: a snapshot of {args.book_levels} levels a side, then {args.book_updates} "
          f"updates of 1-4 levels ({data.stat().st_size / 1e6:.1f} MB of naxd's JSON); "
          f"{args.repeats} passes after a warm-up pass, CPU time, core {CLIENT_CPU}")
    commands = {
        "libnax": [args.book, "run", str(data), "--repeats", str(args.repeats)],
        "nax_stream": [args.book, "stream", str(data), "--repeats", str(args.repeats)],
        "python": [args.python, str(HERE / "peer_book.py"), str(data), str(args.repeats)],
        "node": [args.node, str(HERE / "peer_book.mjs"), str(data), str(args.repeats)],
    }
    for name, cmd in commands.items():
        progress(f"book apply: {name}")
        p = subprocess.run(["taskset", "-c", CLIENT_CPU] + cmd, capture_output=True, text=True)
        fields = key_values(p.stdout)
        if p.returncode != 0 or "msgs_per_s" not in fields:
            raise RuntimeError(f"book apply {name} failed: {p.stdout}{p.stderr}")
        runs.append(("book", name, 0, 0, {k: float(v) for k, v in fields.items()
                                           if k != "impl"}))


def fanout_rows(args, runs):
    def col(part, name, rate, key):
        return [r[4][key] for r in runs if r[:3] == (part, name, rate)]

    def paired(part, rate, key, invert=False):
        pairs = zip(col(part, "naxd", rate, key), col(part, "ws", rate, key))
        return [(y / x if invert else x / y) for x, y in pairs if x and y]

    rows = []
    ratio = paired("closed", 0, "msgs_per_s")
    met = "met" if ratio and statistics.median(ratio) >= THROUGHPUT_TARGET else "NOT met"
    rows.append((f"fan-out to {args.conns}, closed loop, delivered msgs/s",
                 fmt(col("closed", "naxd", 0, "msgs_per_s"), "/s"),
                 "Node ws " + fmt(col("closed", "ws", 0, "msgs_per_s"), "/s"),
                 fmt_ratio(ratio), f">= {THROUGHPUT_TARGET:g}x", met))
    for rate in args.rates:
        offered = rate * args.conns
        label = f"open loop, {rate}/s x {args.conns} = {offered:,} msgs/s"
        p99 = col("open", "naxd", rate, "p99_us")
        target, met = "-", ""
        if offered == 10000:
            target = f"p99 < {P99_TARGET_US / 1000:g} ms"
            met = "met" if p99 and statistics.median(p99) < P99_TARGET_US else "NOT met"
        for key, what in (("p50_us", "p50"), ("p99_us", "p99")):
            rows.append((f"{label}, {what} latency", fmt(col("open", "naxd", rate, key), " us"),
                         "Node ws " + fmt(col("open", "ws", rate, key), " us"),
                         fmt_ratio(paired("open", rate, key, invert=True)),
                         target if what == "p99" else "-", met if what == "p99" else ""))
        for name in ("naxd", "ws"):
            delivered = col("open", name, rate, "delivered")
            expected = col("open", name, rate, "expected")
            lag = col("open", name, rate, "lagging")
            rows.append((f"  {name}: delivered/expected, lagging notices",
                         f"{sum(delivered):,.0f}/{sum(expected):,.0f}, {sum(lag):,.0f}", "", "",
                         "-", ""))
    return rows


def book_rows(runs):
    res = {r[1]: r[4] for r in runs if r[0] == "book"}
    if "libnax" not in res:
        return []
    ours = res["libnax"]
    rows = []
    for name, label in (("python", "Python json + dict"), ("node", "Node JSON.parse + arrays")):
        if name in res:
            rows.append(("book decode+apply+checksum, msgs/s", f"{ours['msgs_per_s']:,.0f}/s",
                         f"{label} {res[name]['msgs_per_s']:,.0f}/s",
                         f"{ours['msgs_per_s'] / res[name]['msgs_per_s']:.2f}x", "-", ""))
    rows.append(("  libnax ns per message: all, decode alone", f"{ours['ns_per_msg']:.0f} ns",
                 f"decode {ours['decode_ns_per_msg']:.0f} ns", "-", "-", ""))
    if "nax_stream" in res:
        e2e = res["nax_stream"]
        rows.append(("  the same through nax_stream (socket, lws, callback)",
                     f"{e2e['msgs_per_s']:,.0f}/s, {e2e['ns_per_msg']:.0f} ns", "-", "-", "-", ""))
    return rows


def write_csv(out, runs, rows):
    out.mkdir(parents=True, exist_ok=True)
    keys = sorted({k for r in runs for k in r[4]})
    with open(out / "stream-runs.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["part", "impl", "rate", "repeat"] + keys)
        for r in runs:
            w.writerow(list(r[:4]) + [r[4].get(k, "") for k in keys])
    with open(out / "stream.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["metric", "naxd_or_libnax", "peer", "ratio", "target", "met"])
        w.writerows(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fanout", required=True, help="nax_bench_fanout")
    ap.add_argument("--book", required=True, help="nax_bench_book")
    ap.add_argument("--naxd", required=True)
    ap.add_argument("--csv-dir", required=True)
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--node", default="node")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--conns", type=int, default=100)
    ap.add_argument("--closed-count", type=int, default=20000,
                    help="messages published per closed-loop run (each to every subscriber)")
    ap.add_argument("--window", type=int, default=1000)
    ap.add_argument("--rates", default="100,300",
                    help="open-loop rates, messages published per second")
    ap.add_argument("--open-seconds", type=float, default=3.0)
    ap.add_argument("--book-levels", type=int, default=1000)
    ap.add_argument("--book-updates", type=int, default=100000)
    ap.add_argument("--only", choices=("fanout", "book"), help="run one part")
    args = ap.parse_args()
    args.rates = [int(r) for r in args.rates.split(",") if r]
    args.fanout, args.book = os.path.abspath(args.fanout), os.path.abspath(args.book)
    if args.repeats < 1 or args.conns < 1 or args.closed_count < 1:
        ap.error("need --repeats, --conns and --closed-count >= 1")

    work = Path(tempfile.mkdtemp(prefix="nax-bench-stream-"))
    runs = []
    finished = False  # keep the temp dir (naxd and peer logs) when a run fails
    try:
        if args.only != "book":
            fanout_part(args, work, runs)
        if args.only != "fanout":
            book_part(args, work, runs)
        finished = True
    finally:
        if finished:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"logs kept in {work}", file=sys.stderr)

    rows = []
    if args.only != "book":
        rows += fanout_rows(args, runs)
    if args.only != "fanout":
        rows += book_rows(runs)
    print()
    print_table(rows)
    out = Path(args.csv_dir)
    write_csv(out, runs, rows)
    print(f"\nmedian (min-max) of {args.repeats} rounds; ratios: median (min-max) of the "
          f"per-round ratios (msgs/s: naxd/peer; latency: peer/naxd, above 1 = naxd faster)")
    print(f"csv: {out / 'stream.csv'} (table), {out / 'stream-runs.csv'} (every run)")


if __name__ == "__main__":
    main()

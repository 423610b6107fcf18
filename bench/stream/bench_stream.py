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
     --open-seconds, and longer when that gives fewer than
     --open-min-samples latencies (trades x subscribers: 1 subscriber at
     100/s runs 5 s for 250), or p99 would be the maximum of 50 samples, one
     scheduling hiccup of the shared machine; end-to-end latency p50/p99
     from the publish time carried in each trade's id (CLOCK_MONOTONIC ns
     on both servers).
   Both loops at --subscribers (1, 10, 100, 1000) for the "subscribers" and
   "subscribers-p99" charts (closed loop: --closed-deliveries per run, split
   over the subscribers; open loop: the first of --rates); the table's rows
   are the 100-subscriber points, the "latency" chart their distribution.
   One warm-up round, then --repeats rounds with the servers taking turns.
2. Client side: libnax's decode + seq check + book apply + checksum per
   book:{pair} message (book_apply run) on a generated snapshot of
   --book-levels levels a side and --book-updates updates, beside Python
   (json + dict book + zlib.crc32) and Node (JSON.parse + sorted arrays + a
   CRC-32 table) doing the same checks on the same file (core 1), at every
   --book-depths for the "book-depth" chart (the peers up to
   --peer-max-depth: beyond, their per-pass snapshot rebuild, a sorted-list
   insert per level, takes seconds a pass). Every implementation holds its
   file and replays one pass when stepped, in turn each round. Then the
   1000-level file through the public nax_stream (external mode) from a
   local replay server (book_apply stream), socket and callbacks included.

Prints the benchlib table (median and min-max over rounds; ratios are the
median of the per-round ratios) and writes the table, every run and the
chart series to CSV in the results folder. Never a pass/fail test: the
`met` column only compares with the targets.
"""

import argparse
import base64
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
sys.path.insert(0, str(HERE.parent / "common"))
sys.path.insert(0, str(HERE.parent.parent / "tests" / "integ"))
from bench_server import prepare_market  # noqa: E402
from benchlib import (LOAD_CPU, SERVER_CPU, Series, Table, Target, paired,  # noqa: E402
                      progress, rotated, write_runs)
from naxlib import Api  # noqa: E402

CLIENT_CPU = LOAD_CPU
PAIR = "BTC-AUD"
THROUGHPUT_TARGET = 3.0  # naxd / ws, closed loop
P99_TARGET_US = 1000.0   # naxd at 10k delivered messages/s


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
            # 1000 subscribers, the control connection and some slack
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


def closed_count(args, conns):
    """Messages published per closed-loop run: --closed-deliveries over all subscribers."""
    return max(2, args.closed_deliveries // conns)


def open_count(rate, args, conns):
    """Messages published per open-loop run: --open-seconds worth, or enough for
    --open-min-samples latencies (every other message is a trade)."""
    enough = 2 * -(-args.open_min_samples // conns)
    return max(2, int(rate * args.open_seconds), enough)


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
        print(f"servers on cpu {SERVER_CPU}, fanout_load on cpu {CLIENT_CPU}; subscribers "
              f"{', '.join(map(str, args.subscribers))}; closed loop {args.closed_deliveries:,} "
              f"deliveries a run (window {args.window}); open loop {args.open_seconds:g} s "
              f"(at least {args.open_min_samples:,} latencies) at "
              f"{args.rates[0]} msgs/s published (and {', '.join(map(str, args.rates[1:])) or '-'}"
              f" at {args.conns} subscribers); {args.repeats} rounds after a warm-up round")
        names = ["naxd", "ws"]
        for name in names:  # warm-up: connections, JIT, caches
            fan.run(name, 0, 1000, conns=args.conns)
        for rep in range(args.repeats):
            progress(f"fan-out round {rep + 1}/{args.repeats}")
            for name in rotated(names, rep):
                for conns in args.subscribers:
                    r = fan.run(name, 0, closed_count(args, conns), conns=conns)
                    runs.append(("closed", name, conns, 0, rep, r))
                    rate = args.rates[0]
                    r = fan.run(name, rate, open_count(rate, args, conns), conns=conns)
                    runs.append(("open", name, conns, rate, rep, r))
                for rate in args.rates[1:]:
                    r = fan.run(name, rate, open_count(rate, args, args.conns),
                                conns=args.conns)
                    runs.append(("open", name, args.conns, rate, rep, r))
    finally:
        if peer:
            stop_process(peer)
        naxd.stop()


class Stepped:
    """A book replayer holding its file, one timed pass per step (--step)."""

    def __init__(self, name, cmd):
        self.name = name
        self.proc = subprocess.Popen(["taskset", "-c", CLIENT_CPU] + cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def step(self):
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        fields = key_values(self.proc.stdout.readline())
        if "msgs_per_s" not in fields:
            raise RuntimeError(f"book apply {self.name} failed ({self.proc.wait()})")
        return {k: float(v) for k, v in fields.items() if k != "impl"}

    def close(self):
        self.proc.stdin.close()
        self.proc.stdout.read()
        if self.proc.wait() != 0:
            raise RuntimeError(f"book apply {self.name} failed ({self.proc.returncode})")


def book_part(args, work, runs):
    print(f"book: snapshots of {', '.join(map(str, args.book_depths))} levels a side, then "
          f"{args.book_updates:,} updates of 1-4 levels each (naxd's JSON); the peers up to "
          f"{args.peer_max_depth:,} levels; a warm-up pass, then {args.repeats} rounds of one "
          f"pass each (order rotating), CPU time, core {CLIENT_CPU}")
    for depth in args.book_depths:
        progress(f"book apply, {depth} levels")
        data = work / f"book-{depth}.jsonl"
        with open(data, "wb") as f:
            subprocess.run([args.book, "gen", "--levels", str(depth), "--updates",
                            str(args.book_updates)], stdout=f, check=True)
        impls = {"libnax": Stepped("libnax", [args.book, "run", str(data), "--repeats",
                                              str(args.repeats), "--step", "1"])}
        if depth <= args.peer_max_depth:
            impls["python"] = Stepped("python", [args.python, str(HERE / "peer_book.py"),
                                                 str(data), str(args.repeats), "1"])
            impls["node"] = Stepped("node", [args.node, str(HERE / "peer_book.mjs"), str(data),
                                             str(args.repeats), "1"])
        try:
            for rep in range(args.repeats):
                for name in rotated(list(impls), rep):
                    runs.append(("book", name, depth, 0, rep, impls[name].step()))
        finally:
            for s in impls.values():
                s.close()
        if depth == args.book_levels:
            progress("book apply through nax_stream")
            p = subprocess.run(["taskset", "-c", CLIENT_CPU, args.book, "stream", str(data),
                                "--repeats", str(args.repeats)], capture_output=True, text=True)
            fields = key_values(p.stdout)
            if p.returncode != 0 or "msgs_per_s" not in fields:
                raise RuntimeError(f"book apply nax_stream failed: {p.stdout}{p.stderr}")
            runs.append(("book", "nax_stream", depth, 0, 0,
                         {k: float(v) for k, v in fields.items() if k != "impl"}))


def col(runs, part, name, conns, rate, key):
    return [r[5][key] for r in runs if r[:4] == (part, name, conns, rate)]


def fanout_table(args, runs, table, series):
    n = args.conns

    def both(part, rate, key, conns=n):
        return col(runs, part, "naxd", conns, rate, key), col(runs, part, "ws", conns, rate, key)

    ours, theirs = both("closed", 0, "msgs_per_s")
    table.row(f"fan-out to {n}, closed loop, delivered msgs/s", ours, "rps",
              peer=("Node ws", theirs), ratios=paired(ours, theirs),
              target=Target("ratio", ">=", THROUGHPUT_TARGET))
    for rate in args.rates:
        offered = rate * n
        label = f"open loop, {rate}/s x {n} = {offered:,} msgs/s"
        for key, what in (("p50_us", "p50"), ("p99_us", "p99")):
            ours, theirs = both("open", rate, key)
            target = None
            if what == "p99" and offered == 10000:
                target = Target("libnax", "<", P99_TARGET_US)
            table.row(f"{label}, {what} latency", ours, "us", peer=("Node ws", theirs),
                      ratios=paired(ours, theirs, invert=True), target=target)
        for key, what in (("missing", "missing deliveries"), ("lagging", "lagging notices")):
            ours, theirs = both("open", rate, key)
            table.row(f"  {label}: {what}", ours, "count", peer=("Node ws", theirs))

    for name in ("naxd", "ws"):
        for conns in args.subscribers:
            series.point("subscribers", name, conns,
                         col(runs, "closed", name, conns, 0, "msgs_per_s"), "rps")
            series.point("subscribers-p99", name, conns,
                         col(runs, "open", name, conns, args.rates[0], "p99_us"), "us")
        for x, key in ((50, "p50_us"), (90, "p90_us"), (99, "p99_us"), (99.9, "p999_us"),
                       (100, "max_us")):
            series.point("latency", name, x, col(runs, "open", name, n, args.rates[0], key), "us")


def book_table(args, runs, table, series):
    d = args.book_levels

    def values(name, depth, key):
        return [r[5][key] for r in runs if r[:3] == ("book", name, depth)]

    ours = values("libnax", d, "msgs_per_s")
    for name, label in (("python", "Python json + dict"), ("node", "Node JSON.parse + arrays")):
        theirs = values(name, d, "msgs_per_s")
        if ours and theirs:
            table.row(f"book decode+apply+checksum, {d} levels, msgs/s", ours, "rps",
                      peer=(label, theirs), ratios=paired(ours, theirs))
    if ours:
        table.row("  libnax ns per message: all", values("libnax", d, "ns_per_msg"), "ns")
        table.row("  libnax ns per message: decode alone",
                  values("libnax", d, "decode_ns_per_msg"), "ns")
    e2e = values("nax_stream", d, "msgs_per_s")
    if e2e:
        table.row(f"  the same through nax_stream (socket, lws, callback; median of "
                  f"{args.repeats} passes)", e2e, "rps")
    for name in ("libnax", "python", "node"):
        for depth in args.book_depths:
            v = values(name, depth, "msgs_per_s")
            if v:
                series.point("book-depth", name, depth, v, "rps")


def write_all_runs(runs):
    keys = sorted({k for r in runs for k in r[5]})
    write_runs("stream", ["bench", "part", "impl", "subscribers_or_levels", "rate", "round"] + keys,
               [["stream", *r[:5]] + [r[5].get(k, "") for k in keys] for r in runs])


def int_list(text):
    return [int(v) for v in text.split(",") if v]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fanout", required=True, help="nax_bench_fanout")
    ap.add_argument("--book", required=True, help="nax_bench_book")
    ap.add_argument("--naxd", required=True)
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--node", default="node")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--conns", type=int, default=100, help="subscribers of the table's rows")
    ap.add_argument("--subscribers", default="1,10,100,1000",
                    help="subscriber counts of the scaling charts")
    ap.add_argument("--closed-deliveries", type=int, default=100000,
                    help="deliveries per closed-loop run (messages x subscribers)")
    ap.add_argument("--window", type=int, default=1000)
    ap.add_argument("--rates", default="100,300",
                    help="open-loop rates, messages published per second (the first also "
                         "at every --subscribers)")
    ap.add_argument("--open-seconds", type=float, default=1.0)
    ap.add_argument("--open-min-samples", type=int, default=250,
                    help="latencies per open-loop run at least (runs longer at few subscribers)")
    ap.add_argument("--book-levels", type=int, default=1000, help="depth of the table's rows")
    ap.add_argument("--book-depths", default="10,100,1000,10000,100000")
    ap.add_argument("--book-updates", type=int, default=5000)
    ap.add_argument("--peer-max-depth", type=int, default=10000)
    ap.add_argument("--only", choices=("fanout", "book"), help="run one part")
    args, unknown = ap.parse_known_args()
    for u in unknown:  # options meant for other benchmarks of the same bench/run call
        print(f"bench/stream: ignoring option {u}", file=sys.stderr)
    args.rates = int_list(args.rates)
    args.subscribers = int_list(args.subscribers)
    if args.conns not in args.subscribers:
        args.subscribers = sorted(args.subscribers + [args.conns])
    args.book_depths = int_list(args.book_depths)
    if args.book_levels not in args.book_depths:
        args.book_depths = sorted(args.book_depths + [args.book_levels])
    args.fanout, args.book = os.path.abspath(args.fanout), os.path.abspath(args.book)
    if (args.repeats < 1 or args.conns < 1 or args.closed_deliveries < 1 or not args.rates
            or args.open_min_samples < 1):
        ap.error("need --repeats, --conns, --closed-deliveries, --open-min-samples >= 1 "
                 "and a rate")

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

    write_all_runs(runs)
    table, series = Table("stream"), Series("stream")
    if args.only != "book":
        fanout_table(args, runs, table, series)
    if args.only != "fanout":
        book_table(args, runs, table, series)
    print()
    table.emit()
    path = series.write()
    print(f"median (min-max) of {args.repeats} rounds; ratios: median (min-max) of the per-round "
          f"ratios (msgs/s: naxd/peer; latency: peer/naxd, above 1 = naxd faster)")
    if args.only != "book":
        print("\nclosed loop, delivered msgs/s, and open loop at "
              f"{args.rates[0]}/s published, p99 us, against subscribers (medians):")
        for conns in args.subscribers:
            cells = []
            for name in ("naxd", "ws"):
                rate = col(runs, "closed", name, conns, 0, "msgs_per_s")
                p99 = col(runs, "open", name, conns, args.rates[0], "p99_us")
                miss = sum(col(runs, "open", name, conns, args.rates[0], "missing"))
                cells.append(f"{name} {statistics.median(rate):>11,.0f}/s "
                             f"p99 {statistics.median(p99):>9,.0f} us (missing {miss:,.0f})")
            print(f"  {conns:>5}: " + "   ".join(cells))
    if args.only != "fanout":
        print("\nbook apply, msgs/s against levels a side (medians):")
        for depth in args.book_depths:
            cells = []
            for name in ("libnax", "python", "node"):
                v = [r[5]["msgs_per_s"] for r in runs if r[:3] == ("book", name, depth)]
                if v:
                    cells.append(f"{name} {statistics.median(v):>9,.0f}/s")
            print(f"  {depth:>6}: " + "  ".join(cells))
    print(f"csv: stream.csv, stream-runs.csv, {path.name} in {path.parent}")


if __name__ == "__main__":
    main()

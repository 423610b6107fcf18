"""libnax client benchmark driver (bench/client/run.sh runs it; see bench/README.md).

1. Gets the real ticker bytes from naxd (a market with a bid, an ask and a
   trade, prepared as bench/server does), then stops naxd.
2. Serves those bytes with nginx-light (1 worker, keep-alive, access log off)
   on core 0, from its own prefix under a temp dir, on a free port.
3. One thread, one kept-alive connection, N sequential
   GET /v1/markets/BTC-AUD/ticker on core 1 by each client: libnax
   (nax_markets_ticker, decoded and freed), raw libcurl (the floor, no
   decode), Python `requests` (Session, r.json()) and Node `undici`
   (request() with a keep-alive Agent, await body.json()). One untimed
   warm-up round, then `repeats` rounds with the clients taking turns in a
   rotating order; every process warms up before its timed part.
4. Scaling: libnax with one shared client and raw libcurl with one handle per
   thread, K threads doing N/K calls each, for each K.

Prints the table (median and min-max over repeats; ratios are the median of
the per-round ratios) and writes every run and the table to CSV. Never a
pass/fail test: the `met` column only compares with the targets.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "common"))
sys.path.insert(0, str(HERE.parent / "server"))
from benchlib import (  # noqa: E402
    LOAD_CPU, SERVER_CPU, Series, Table, Target, paired, pinned, progress, rotated, start_nginx,
    stop, write_runs)
from bench_server import Naxd, prepare_market  # noqa: E402

PAIR = "BTC-AUD"
TICKER = f"/v1/markets/{PAIR}/ticker"
PEERS = {  # single-thread peers of libnax: label, target ratio (req/s)
    "curl": ("raw libcurl", 0.9),
    "requests": ("Python requests", 5.0),
    "undici": ("Node undici", 1.5),
}


def ticker_body(naxd_binary, work):
    """The bytes naxd answers GET ticker with, for a market that has traded."""
    (work / "naxd").mkdir()
    naxd = Naxd(naxd_binary, work / "naxd")
    try:
        prepare_market(naxd)
        return naxd.api.get(TICKER).expect(200).body
    finally:
        naxd.stop()


class Clients:
    """Runs one client process on the client core and parses its line."""

    def __init__(self, args, base_url, body_file):
        self.args, self.base_url, self.body_file = args, base_url, str(body_file)

    def command(self, impl, requests, warmup, threads):
        url = self.base_url + TICKER
        if impl in ("libnax", "curl"):
            return [self.args.bin, impl, "--base-url", self.base_url, "--pair", PAIR, "--body",
                    self.body_file, "--requests", str(requests), "--warmup", str(warmup),
                    "--threads", str(threads)]
        if impl == "requests":
            return [self.args.python, str(HERE / "peer_requests.py"), url, self.body_file,
                    str(requests), str(warmup)]
        return [self.args.node, str(HERE / "peer_undici.mjs"), url, self.body_file,
                str(requests), str(warmup)]

    def run(self, impl, requests, warmup, threads=1):
        cmd = pinned(LOAD_CPU, self.command(impl, requests, warmup, threads))
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE)
        fields = dict(kv.split("=", 1) for kv in p.stdout.split() if "=" in kv)
        if p.returncode != 0 or "wall_ns" not in fields:
            raise RuntimeError(f"{impl} failed ({p.returncode}): {p.stdout}{p.stderr}")
        wall, cpu, user = (int(fields[k]) for k in ("wall_ns", "cpu_ns", "user_ns"))
        return {"rps": requests * 1e9 / wall, "us": wall / requests / 1e3,
                "cpu_us": cpu / requests / 1e3, "user_us": user / requests / 1e3}


def instructions_per_call(clients, impl, small=500, large=2500):
    """Instructions per call under callgrind: the difference between a run of
    `large` and one of `small` calls, so start-up and warm-up cancel out."""
    counts = []
    for n in (small, large):
        out = clients.args.work / f"callgrind-{impl}-{n}.out"
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + \
            clients.command(impl, n, 10, 1)
        p = subprocess.run(cmd, capture_output=True, text=True)
        collected = [line for line in p.stderr.splitlines() if "Collected :" in line]
        if p.returncode != 0 or not collected:
            raise RuntimeError(f"callgrind {impl} failed: {p.stderr[-2000:]}")
        counts.append(int(collected[-1].split(":")[-1]))
    return (counts[1] - counts[0]) / (large - small)


def callgrind_table(clients):
    """libnax against raw libcurl in instructions per call (steady on a busy machine)."""
    ours, floor = (instructions_per_call(clients, i) for i in ("libnax", "curl"))
    print(f"\ninstructions per call (callgrind, 2000 calls, start-up excluded):")
    print(f"  libnax {ours:,.0f}   raw libcurl {floor:,.0f}   libnax/libcurl {ours / floor:.2f}x"
          f"   libnax's own work {ours - floor:,.0f} per call")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="nax_bench_client")
    ap.add_argument("--naxd", help="naxd, to get the ticker bytes (or give --body)")
    ap.add_argument("--body", help="a ticker body file instead of asking naxd")
    ap.add_argument("--python", default="/usr/bin/python3", help="Debian's, with python3-requests")
    ap.add_argument("--node", default="node")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--requests", type=int, default=5000, help="calls per run (N)")
    ap.add_argument("--warmup", type=int, default=500, help="untimed calls per process first")
    ap.add_argument("--threads", default="1,2,4,8", help="thread counts for the scaling part")
    ap.add_argument("--requests-peer", type=int, default=2000,
                    help="calls per run of Python requests, 4-5x slower a call than the rest")
    ap.add_argument("--scaling-requests", type=int, default=2000,
                    help="calls per scaling run, split over its threads")
    ap.add_argument("--callgrind", action="store_true",
                    help="instructions per call of libnax and raw libcurl instead of times")
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin)  # the clients run in this folder
    thread_counts = [int(k) for k in args.threads.split(",") if k]
    if (args.repeats < 1 or args.requests < 1 or args.scaling_requests < 1 or args.requests_peer < 1
            or not (args.naxd or args.body)):
        ap.error("need --repeats, --requests, --requests-peer, --scaling-requests >= 1 and "
                 "--naxd or --body")

    work = Path(tempfile.mkdtemp(prefix="nax-bench-client-"))
    runs = []  # (part, impl, threads, repeat, rps, us, cpu_us, user_us)
    nginx = None
    finished = False  # keep the temp dir (naxd and nginx logs) when a run fails
    try:
        body = Path(args.body).read_bytes() if args.body else ticker_body(args.naxd, work)
        body_file = work / "ticker.json"
        body_file.write_bytes(body)
        port, nginx = start_nginx(work, TICKER, body)
        args.work = work
        clients = Clients(args, f"http://127.0.0.1:{port}", body_file)
        print(f"ticker body ({len(body)} bytes): {body.decode()}")
        if args.callgrind:
            callgrind_table(clients)
            finished = True
            return
        print(f"nginx on cpu {SERVER_CPU}, clients on cpu {LOAD_CPU}; {args.requests} calls a "
              f"run ({args.requests_peer} for requests) after {args.warmup} warm-up calls; {args.repeats} rounds after a warm-up "
              f"round; wall clock")

        single = ["libnax", *PEERS]
        for impl in single:  # warm-up round: nginx, page cache, the interpreters' files
            clients.run(impl, min(args.requests, args.warmup), args.warmup)
        for rep in range(args.repeats):
            progress(f"round {rep + 1}/{args.repeats}, one thread")
            for impl in rotated(single, rep):
                n = args.requests_peer if impl == "requests" else args.requests
                r = clients.run(impl, n, args.warmup)
                runs.append(("single", impl, 1, rep, r["rps"], r["us"], r["cpu_us"],
                             r["user_us"]))
        for k in thread_counts:
            progress(f"scaling, {k} threads")
            for rep in range(args.repeats):
                for impl in rotated(["libnax", "curl"], rep):
                    r = clients.run(impl, args.scaling_requests, args.warmup, k)
                    runs.append(("scaling", impl, k, rep, r["rps"], r["us"], r["cpu_us"],
                                 r["user_us"]))
        finished = True
    finally:
        stop(nginx)
        if finished:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"logs kept in {work}", file=sys.stderr)

    def col(part, impl, k, i):
        return [r[i] for r in runs if r[0] == part and r[1] == impl and r[2] == k]

    t = Table("client")
    ours = col("single", "libnax", 1, 4)
    for peer, (label, target) in PEERS.items():
        t.row("GET ticker, 1 thread, req/s", ours, "rps",
              peer=(label, col("single", peer, 1, 4)),
              ratios=paired(ours, col("single", peer, 1, 4)), target=Target("ratio", ">=", target))
    curl = col("single", "curl", 1, 4)
    for peer in ("requests", "undici"):  # what the round trip alone allows
        t.row("  the floor: raw libcurl, req/s", curl, "rps",
              peer=(PEERS[peer][0], col("single", peer, 1, 4)),
              ratios=paired(curl, col("single", peer, 1, 4)))
    for peer, (label, _) in PEERS.items():
        t.row("  per call, wall", col("single", "libnax", 1, 5), "us",
              peer=(label, col("single", peer, 1, 5)))
    for peer, (label, _) in PEERS.items():
        t.row("  per call, client CPU (ratio: peer/libnax)", col("single", "libnax", 1, 6), "us",
              peer=(label, col("single", peer, 1, 6)),
              ratios=paired(col("single", "libnax", 1, 6), col("single", peer, 1, 6),
                            invert=True))
    for peer, (label, _) in PEERS.items():
        t.row("  per call, client user CPU (ratio: peer/libnax)", col("single", "libnax", 1, 7),
              "us", peer=(label, col("single", peer, 1, 7)),
              ratios=paired(col("single", "libnax", 1, 7), col("single", peer, 1, 7),
                            invert=True))
    series = Series("client")
    for k in thread_counts:
        lib, curl = col("scaling", "libnax", k, 4), col("scaling", "curl", k, 4)
        t.row(f"GET ticker, {k} thread{'s' if k > 1 else ''}, req/s", lib, "rps",
              peer=(f"raw libcurl, {k} handle{'s' if k > 1 else ''}", curl),
              ratios=paired(lib, curl))
        series.point("threads", "libnax, one shared client", k, lib, "rps")
        series.point("threads", "raw libcurl, a handle per thread", k, curl, "rps")
    print()
    t.emit()
    series.write()
    write_runs("client", ["part", "impl", "threads", "repeat", "req_per_s", "us_per_call",
                          "cpu_us_per_call", "user_cpu_us_per_call"], runs)
    print(f"median (min-max) of {args.repeats} rounds; ratios: median (min-max) of the "
          f"per-round ratios (req/s: libnax/peer; CPU: peer/libnax, above 1 = libnax cheaper)")


if __name__ == "__main__":
    main()

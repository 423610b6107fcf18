"""libnax bindings benchmark driver (bench/bindings/run.sh runs it; see bench/README.md).

What a binding adds to a call: GET /v1/markets/BTC-AUD/ticker through libnax
from C (nax_markets_ticker, decoded and freed), from Python (`nax` package,
ctypes) and from Node (the N-API addon, a Promise per call), and the same
call through Python `requests` (Session, r.json()), the plain Python client a
binding user would otherwise write.

1. Gets the real ticker bytes from naxd, then serves them with nginx-light,
   so the server's cost is small and the same for every client.
2. One thread, one kept-alive connection, N sequential calls by each client on
   the load core, nginx on the server core (bench/run: 1 and 0). One untimed
   warm-up round, then `repeats` rounds with the clients taking turns in a
   rotating order; every process warms up before its timed part.

The overhead of a binding is its time per call minus C's in the same round,
in three measures. User-mode CPU is the work the binding adds in its own code
(the targets are judged on it): the kernel's part of a round trip (send, recv,
poll, waking an idle vCPU) is the same system calls for every client but swings
by 100-300 us a call from run to run on the 2-core KVM machine, which buries a
difference of a few microseconds. The kernel splits user from system time by
sampling at its 250 Hz tick, so a run needs many calls for the user figure to
settle: 10,000 a run (about 125 user ticks for C), and requests, which only
sets the scale at 5x the cost a call, 2,500. CPU time (user + system) is shown beside it,
since Node's hop to the addon's thread adds kernel work of its own (futex and
eventfd wake-ups), and so is wall time, the noisiest. Medians (min-max) over
rounds. Never a pass/fail test: the `met` column only compares with the targets.
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
sys.path.insert(0, str(HERE.parent / "client"))
from benchlib import (  # noqa: E402
    LOAD_CPU, SERVER_CPU, Table, Target, paired, pinned, progress, rotated, start_nginx, stop,
    write_runs)
from bench_client import PAIR, TICKER, ticker_body  # noqa: E402

IMPLS = ("c", "python", "node", "requests")
OVERHEAD_TARGET_US = {"python": 15.0, "node": 10.0}
REQUESTS_TARGET = 3.0  # the Python binding's calls/s over requests'


class Clients:
    def __init__(self, args, base_url, body_file):
        self.args, self.base_url, self.body_file = args, base_url, str(body_file)

    def command(self, impl, requests, warmup):
        a = self.args
        counts = [str(requests), str(warmup)]
        if impl == "c":
            return [a.bin, "libnax", "--base-url", self.base_url, "--pair", PAIR, "--body",
                    self.body_file, "--requests", str(requests), "--warmup", str(warmup)]
        if impl == "python":
            return [a.python, str(HERE / "peer_python.py"), self.base_url, self.body_file,
                    *counts]
        if impl == "node":
            return [a.node, str(HERE / "peer_node.mjs"), self.base_url, self.body_file, *counts]
        return [a.python, str(HERE.parent / "client" / "peer_requests.py"),
                self.base_url + TICKER, self.body_file, *counts]

    def run(self, impl, requests, warmup):
        cmd = pinned(LOAD_CPU, self.command(impl, requests, warmup))
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE, env=self.args.env)
        fields = dict(kv.split("=", 1) for kv in p.stdout.split() if "=" in kv)
        if p.returncode != 0 or "wall_ns" not in fields:
            raise RuntimeError(f"{impl} failed ({p.returncode}): {p.stdout}{p.stderr}")
        wall, cpu, user = (int(fields[k]) for k in ("wall_ns", "cpu_ns", "user_ns"))
        return {"us": wall / requests / 1e3, "cpu_us": cpu / requests / 1e3,
                "user_us": user / requests / 1e3}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="nax_bench_client (the C side)")
    ap.add_argument("--naxd", required=True, help="naxd, to get the ticker bytes")
    ap.add_argument("--libnax", required=True, help="libnax.so.1 the bindings load")
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--node", default="node")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--server-cpu", default=SERVER_CPU,
                    help=f"nginx's core (the clients run on {LOAD_CPU})")
    ap.add_argument("--requests", type=int, default=10000, help="calls per run (N)")
    ap.add_argument("--requests-peer", type=int, default=2500,
                    help="calls per run of Python requests, 5x slower a call than the rest")
    ap.add_argument("--warmup", type=int, default=500, help="untimed calls per process first")
    args = ap.parse_args()
    if args.repeats < 1 or args.requests < 1 or args.requests_peer < 1:
        ap.error("need --repeats >= 1, --requests >= 1 and --requests-peer >= 1")
    args.bin = os.path.abspath(args.bin)
    source = HERE.parent.parent
    args.env = dict(os.environ, NAX_LIBRARY=os.path.abspath(args.libnax),
                    LD_LIBRARY_PATH=str(Path(args.libnax).resolve().parent),
                    PYTHONPATH=str(source / "bindings" / "python"), PYTHONDONTWRITEBYTECODE="1")

    work = Path(tempfile.mkdtemp(prefix="nax-bench-bindings-"))
    runs = []  # (impl, repeat, us, cpu_us, user_us)
    nginx = None
    finished = False
    try:
        body = ticker_body(args.naxd, work)
        body_file = work / "ticker.json"
        body_file.write_bytes(body)
        port, nginx = start_nginx(work, TICKER, body, args.server_cpu)
        clients = Clients(args, f"http://127.0.0.1:{port}", body_file)
        print(f"ticker body ({len(body)} bytes); nginx on cpu {args.server_cpu}, clients on cpu "
              f"{LOAD_CPU}; "
              f"{args.requests} calls a run ({args.requests_peer} for requests) after "
              f"{args.warmup} warm-up calls; {args.repeats} rounds after a warm-up round")
        for impl in IMPLS:
            clients.run(impl, min(args.requests, args.warmup), args.warmup)
        for rep in range(args.repeats):
            progress(f"round {rep + 1}/{args.repeats}")
            for impl in rotated(list(IMPLS), rep):
                n = args.requests_peer if impl == "requests" else args.requests
                r = clients.run(impl, n, args.warmup)
                runs.append((impl, rep, r["us"], r["cpu_us"], r["user_us"]))
        finished = True
    finally:
        stop(nginx)
        if finished:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"logs kept in {work}", file=sys.stderr)

    def col(impl, i):
        return [r[i] for r in sorted(runs, key=lambda r: r[1]) if r[0] == impl]

    def over(impl, i):
        return [b - c for b, c in zip(col(impl, i), col("c", i))]

    t = Table("bindings")
    t.row("GET ticker, client user CPU per call, C", col("c", 4), "us")
    for impl, label in (("python", "Python nax"), ("node", "Node nax")):
        t.row(f"  {label}: user CPU overhead over C", over(impl, 4), "us", signed=True,
              peer=(label, col(impl, 4)),
              target=Target("libnax", "<=", OVERHEAD_TARGET_US[impl]))
    t.row("GET ticker, client CPU (user+system) per call, C", col("c", 3), "us")
    for impl, label in (("python", "Python nax"), ("node", "Node nax")):
        t.row(f"  {label}: CPU overhead over C", over(impl, 3), "us", signed=True,
              peer=(label, col(impl, 3)))
    t.row("GET ticker, wall per call, C", col("c", 2), "us")
    for impl, label in (("python", "Python nax"), ("node", "Node nax")):
        t.row(f"  {label}: wall overhead over C", over(impl, 2), "us", signed=True,
              peer=(label, col(impl, 2)))
    t.row("Python nax vs Python requests, time per call", col("python", 2), "us",
          peer=("Python requests", col("requests", 2)),
          ratios=paired(col("python", 2), col("requests", 2), invert=True),
          target=Target("ratio", ">=", REQUESTS_TARGET))
    t.row("  client CPU per call, Python requests", col("requests", 3), "us")
    print()
    t.emit()
    write_runs("bindings", ["impl", "repeat", "us_per_call", "cpu_us_per_call",
                            "user_cpu_us_per_call"], runs)
    print(f"median (min-max) of {args.repeats} rounds; overheads and ratios are medians of "
          f"the per-round differences and ratios (ratio: requests' time per call / the "
          f"binding's)")


if __name__ == "__main__":
    main()

"""naxd's CPU time per request, a load-independent measure for A/B work.

Starts naxd like bench_server.py does (pinned to core 0, the load on core 1),
then for each round runs a closed-loop durable order load and a wrk ticker
load, reading naxd's utime+stime (whole process and per thread) from /proc
before and after. Prints microseconds of CPU per order and per ticker request,
median (min-max) over the rounds. Wall-clock rates are printed too but vary
with the machine's load; the CPU per op is what to compare.

  python3 bench/server/cpu_per_op.py --naxd BUILD/server/naxd \
      --load BUILD/bench/server/nax_bench_orders_load [--rounds 5] [--seconds 5] \
      [--conns 64] [--rate R] [--idle N] [--only orders|ticker]

--idle N keeps N idle connections open during the rounds (many quiet clients,
which an event loop that polls every connection pays for on every turn).
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_server import LOAD_CPU, TICKER, Naxd, prepare_market  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(stat_path):
    # Fields after the ")" of the command name: utime and stime are 14 and 15.
    fields = Path(stat_path).read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def sample(pid):
    threads = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            threads[f"{name}:{task.name}"] = cpu_ticks(task / "stat")
        except OSError:
            pass
    return cpu_ticks(f"/proc/{pid}/stat"), threads


def delta(before, after):
    total = after[0] - before[0]
    per = {k: after[1][k] - before[1].get(k, 0) for k in after[1]}
    return total, {k: v for k, v in per.items() if v}


def run_orders(load, port, token, seconds, conns, rate=0):
    cmd = ["taskset", "-c", LOAD_CPU, load, "--port", str(port), "--token", token, "--conns",
           str(conns), "--duration", str(seconds), "--warmup", "0", "--rate", str(rate)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"orders load failed: {p.stdout}{p.stderr}")
    r = dict(kv.split("=", 1) for kv in p.stdout.split())
    return int(r["ok"]), float(r.get("rate", r.get("achieved", 0)))


def run_wrk(port, seconds, conns):
    out = subprocess.run(["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{conns}", f"-d{seconds}s",
                          f"http://127.0.0.1:{port}{TICKER}"],
                         capture_output=True, text=True, check=True).stdout
    n, rate = 0, 0.0
    for line in out.splitlines():
        if "requests in" in line:
            n = int(line.split()[0])
        if line.startswith("Requests/sec:"):
            rate = float(line.split()[1])
    return n, rate


def fmt(values):
    return (f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--naxd", required=True)
    ap.add_argument("--load", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--conns", type=int, default=64)
    ap.add_argument("--rate", type=int, default=0,
                    help="orders: an open loop at this many orders/s (0: closed loop)")
    ap.add_argument("--only", choices=["orders", "ticker"])
    ap.add_argument("--idle", type=int, default=0,
                    help="keep this many idle keep-alive connections open to naxd meanwhile")
    args = ap.parse_args()
    results = {"orders": [], "ticker": []}
    rates = {"orders": [], "ticker": []}
    with tempfile.TemporaryDirectory(prefix="nax-cpu-") as tmp:
        naxd = Naxd(args.naxd, Path(tmp))
        try:
            trader = prepare_market(naxd)
            pid = naxd.proc.pid
            idle = [socket.create_connection(("127.0.0.1", naxd.port)) for _ in range(args.idle)]
            run_wrk(naxd.port, 1, 32)  # warm-up
            for r in range(args.rounds):
                for kind in ("orders", "ticker"):
                    if args.only and kind != args.only:
                        continue
                    before = sample(pid)
                    if kind == "orders":
                        n, rate = run_orders(args.load, naxd.port, trader.token, args.seconds,
                                             args.conns, args.rate)
                    else:
                        n, rate = run_wrk(naxd.port, args.seconds, 32)
                    total, per = delta(before, sample(pid))
                    us = total * 1e6 / TICK / max(n, 1)
                    results[kind].append(us)
                    rates[kind].append(rate)
                    threads = ", ".join(f"{k} {v * 1e6 / TICK / max(n, 1):.1f}"
                                        for k, v in sorted(per.items()))
                    print(f"round {r + 1} {kind}: {n} ops, {rate:.0f}/s, {us:.1f} us CPU/op "
                          f"[{threads}]", flush=True)
            for sock in idle:
                sock.close()
        finally:
            naxd.stop()
    for kind in ("orders", "ticker"):
        if results[kind]:
            print(f"{kind}: {fmt(results[kind])} us CPU per op; rate {fmt(rates[kind])}/s")


if __name__ == "__main__":
    main()

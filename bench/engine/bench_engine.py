"""Matching-engine benchmark driver (bench/engine/run.sh runs it; see bench/README.md).

naxd's engine (nax_bench_engine run) and npm nodejs-order-book (peer.js)
replay the same generated flows:
- narrow and wide: the table's two rows (limit prices within 60 and 50,000
  ticks of a walking mid);
- depth flows: a book prefilled to about N price levels (10 .. 100,000), then
  operations that keep it there; the prefill is not timed. They feed the
  "depth" chart: ops/s against resting price levels.

For each flow both implementations start (libnax on the server core, the peer
on the load core, so their untimed warm-up replays overlap), replay it once
untimed, then take turns: each round one timed replay of each (--step), the
order rotating, so the ratio pairs two runs of the same round. Process CPU
time; each replay into a fresh book. Both must end with the same book
(resting lots and levels), which is checked.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "common"))
from benchlib import (LOAD_CPU, SERVER_CPU, Series, Table, Target, paired, pinned,  # noqa: E402
                      progress, rotated, write_runs)

TARGET_OPS = 2e6  # narrow book, libnax (issue 3)
PEER = "nodejs-order-book"


def parse_run(line):
    """`run R ops N cpu_ns T fills F resting_lots L levels V` -> dict."""
    f = line.split()
    if len(f) != 12 or f[0] != "run":
        raise RuntimeError(f"unexpected line: {line!r}")
    r = {f[i]: int(f[i + 1]) for i in range(2, 12, 2)}
    r["ops_per_s"] = r["ops"] * 1e9 / r["cpu_ns"]
    return r


class Replayer:
    """One implementation holding one flow, replaying it on each step."""

    def __init__(self, name, cpu, cmd):
        self.name = name
        self.proc = subprocess.Popen(pinned(cpu, cmd), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def step(self):
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name} exited with {self.proc.wait()}")
        return parse_run(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.stdout.read()
        if self.proc.wait() != 0:
            raise RuntimeError(f"{self.name} failed ({self.proc.returncode})")


def measure(args, name, file):
    """R rounds of one flow; returns {impl: [run dicts]}."""
    impls = {
        "libnax": Replayer("nax_bench_engine", SERVER_CPU,
                           [args.binary, "run", str(file), "--repeats", str(args.repeats),
                            "--step", "1"]),
        PEER: Replayer("peer.js", LOAD_CPU,
                       [args.node, args.peer, str(file), str(args.repeats), "1"]),
    }
    runs = {k: [] for k in impls}
    try:
        for rep in range(args.repeats):
            for impl in rotated(list(impls), rep):
                runs[impl].append(impls[impl].step())
    finally:
        for r in impls.values():
            r.close()
    a, b = runs["libnax"][0], runs[PEER][0]
    same = (a["resting_lots"], a["levels"]) == (b["resting_lots"], b["levels"])
    print(f"  {name}: final book, resting lots/levels: libnax {a['resting_lots']}/{a['levels']}, "
          f"peer {b['resting_lots']}/{b['levels']}: {'agree' if same else 'DIFFER'}")
    if not same:
        raise SystemExit(f"bench/engine: the two books differ after the {name} flow")
    return runs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", required=True, help="nax_bench_engine")
    ap.add_argument("--peer", required=True, help="peer.js")
    ap.add_argument("--node", default="node")
    ap.add_argument("--ops", type=int, default=100000, help="operations of the narrow/wide flows")
    ap.add_argument("--depth-ops", type=int, default=20000,
                    help="timed operations of each depth flow (after its prefill)")
    ap.add_argument("--levels", default="10,100,1000,10000,100000",
                    help="price levels of the depth flows")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    args, unknown = ap.parse_known_args()
    for u in unknown:  # options meant for other benchmarks of the same bench/run call
        print(f"bench/engine: ignoring option {u}", file=sys.stderr)
    levels = [int(v) for v in args.levels.split(",") if v]

    print(f"flows (seed {args.seed}): narrow and wide {args.ops:,} operations each, ~55% limit "
          f"(GTC, IOC, FOK, post-only), 5% market, 40% cancels of recent ids, 1000 users; depth "
          f"flows: a prefill of N levels, then {args.depth_ops:,} operations")
    print(f"timing: process CPU time; a warm-up replay, then {args.repeats} rounds of one replay "
          f"each (order rotating), each into a fresh book; libnax on cpu {SERVER_CPU}, "
          f"the peer on cpu {LOAD_CPU}")
    flows = [("narrow", ["--ops", str(args.ops), "--spread", "60"]),
             ("wide", ["--ops", str(args.ops), "--spread", "50000"])]
    flows += [(f"depth-{n}", ["--ops", str(args.depth_ops), "--levels", str(n)]) for n in levels]
    results, all_runs = {}, []
    with tempfile.TemporaryDirectory(prefix="nax-bench-engine-") as work:
        for name, gen in flows:
            progress(f"flow {name}")
            file = Path(work) / f"flow-{name}.txt"
            subprocess.run([args.binary, "gen", str(file), "--seed", str(args.seed)] + gen,
                           check=True)
            results[name] = measure(args, name, file)
            for impl, runs in results[name].items():
                all_runs += [("engine", name, impl, i + 1, r["ops"], r["cpu_ns"],
                              round(r["ops_per_s"]), r["fills"], r["resting_lots"], r["levels"])
                             for i, r in enumerate(runs)]
    write_runs("engine", ["bench", "flow", "impl", "round", "ops", "cpu_ns", "ops_per_s", "fills",
                          "resting_lots", "levels"], all_runs)

    def rates(name, impl):
        return [r["ops_per_s"] for r in results[name][impl]]

    print()
    table = Table("engine")
    for name in ("narrow", "wide"):
        ours, theirs = rates(name, "libnax"), rates(name, PEER)
        n = results[name]["libnax"][0]["levels"]
        table.row(f"ops/s, {name} book (~{n:,} levels)", ours, "rps", peer=(PEER, theirs),
                  ratios=paired(ours, theirs),
                  target=Target("libnax", ">=", TARGET_OPS) if name == "narrow" else None)
    table.emit()

    series = Series("engine")
    print("\nops/s against book depth (median; the \"depth\" chart):")
    for n in levels:
        name = f"depth-{n}"
        ours, theirs = rates(name, "libnax"), rates(name, PEER)
        series.point("depth", "libnax", n, ours, "rps")
        series.point("depth", PEER, n, theirs, "rps")
        med = statistics.median
        print(f"  {n:>7,} levels (final {results[name]['libnax'][0]['levels']:,}): "
              f"libnax {med(ours):>12,.0f}/s  {PEER} {med(theirs):>10,.0f}/s  "
              f"ratio {med(paired(ours, theirs)):.1f}x")
    path = series.write()
    print(f"csv: {path} (chart), engine-runs.csv (every run)")


if __name__ == "__main__":
    main()

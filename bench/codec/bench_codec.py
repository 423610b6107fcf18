"""Codec benchmark driver (bench/codec/run.sh runs it; see bench/README.md).

Runs nax_bench_codec --machine (which verifies that libnax, cJSON and jansson
decode every corpus message to equal structs, then times every cell with the
three implementations taking turns within each repeat) and turns its `cell`
lines into the benchlib table, the runs CSV and the "size" chart: decode
throughput (MB/s) against the size of a book snapshot.

A row pairs libnax with one peer; its ratio is the peer's ns/msg over
libnax's in the same repeat (above 1: libnax is faster).
"""

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "common"))
from benchlib import (LOAD_CPU, Series, Table, Target, paired, pinned, progress,  # noqa: E402
                      write_runs)

# Decode of small messages: libnax at least this many times faster (issue 2).
TARGETS = {"cJSON": 1.5, "jansson": 4.0}
SMALL = ("ticker", "order", "delta")
PEERS = ("cJSON", "jansson")


def parse_cells(text):
    """The `cell key=value ...` lines: one dict per (kind, op, impl, levels)."""
    cells = []
    for line in text.splitlines():
        if not line.startswith("cell "):
            continue
        fields = dict(kv.split("=", 1) for kv in line.split()[1:])
        fields["ns"] = [float(v) for v in fields["ns"].split(",")]
        fields["levels"] = int(fields["levels"])
        fields["bytes"] = float(fields["bytes"])
        cells.append(fields)
    return cells


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", required=True, help="nax_bench_codec")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--min-ms", type=int, default=100, help="minimum length of each repeat")
    ap.add_argument("--warmup-ms", type=int, default=50)
    ap.add_argument("--count", type=int, default=256, help="messages per small kind")
    ap.add_argument("--sizes", default="1,10,50,200,1000",
                    help="levels a side of the snapshots of the size curve")
    ap.add_argument("--wall", action="store_true", help="wall clock, not thread CPU time")
    args, unknown = ap.parse_known_args()
    for u in unknown:  # options meant for other benchmarks of the same bench/run call
        print(f"bench/codec: ignoring option {u}", file=sys.stderr)
    if args.repeats < 5:
        print("bench/codec: fewer than 5 repeats: the min-max says little", file=sys.stderr)

    cmd = [args.binary, "--machine", "--repeats", str(args.repeats), "--min-ms",
           str(args.min_ms), "--warmup-ms", str(args.warmup_ms), "--count", str(args.count),
           "--sizes", args.sizes] + (["--wall"] if args.wall else [])
    progress(f"{' '.join(cmd[1:])} on cpu {LOAD_CPU}")
    p = subprocess.run(pinned(LOAD_CPU, cmd), capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"nax_bench_codec failed ({p.returncode}):\n{p.stdout}{p.stderr}")
    for line in p.stdout.splitlines():
        if not line.startswith("cell "):
            print(line)  # versions, corpus, verification
    cells = parse_cells(p.stdout)
    print(f"timing: {'wall-clock' if args.wall else 'thread CPU'} time per message; "
          f"{args.repeats} repeats of >= {args.min_ms} ms per cell after a {args.warmup_ms} ms "
          f"warm-up, the three implementations in turn (rotating) within each repeat; "
          f"pinned to cpu {LOAD_CPU}; ratio = peer ns / libnax ns of the same repeat\n")

    runs = [("codec", c["kind"], c["op"], c["impl"], c["levels"], c["bytes"], i + 1, ns)
            for c in cells for i, ns in enumerate(c["ns"])]
    write_runs("codec", ["bench", "kind", "op", "impl", "levels_a_side", "bytes", "repeat",
                         "ns_per_msg"], runs)

    def cell(kind, op, impl, levels):
        return next(c for c in cells if (c["kind"], c["op"], c["impl"], c["levels"])
                    == (kind, op, impl, levels))

    table = Table("codec")
    main_cells = [c for c in cells if c["kind"] != "snapshot" or c["levels"] == 50]
    for kind, op in dict.fromkeys((c["kind"], c["op"]) for c in main_cells):
        levels = 50 if kind == "snapshot" else 0
        ours = cell(kind, op, "libnax", levels)
        for peer in PEERS:
            theirs = cell(kind, op, peer, levels)
            target = None
            if op == "decode" and kind in SMALL:
                target = Target("ratio", ">=", TARGETS[peer])
            what = {"delta": "book delta",
                    "snapshot": "book snapshot (50 levels a side)"}.get(kind, kind)
            table.row(f"{what} {op}, {ours['bytes']:.0f} B, ns/msg", ours["ns"], "ns",
                      peer=(peer, theirs["ns"]), ratios=paired(ours["ns"], theirs["ns"], True),
                      target=target)
    table.emit()

    series = Series("codec")
    sizes = sorted({c["levels"] for c in cells if c["kind"] == "snapshot"})
    for levels in sizes:
        for impl in ("libnax",) + PEERS:
            c = cell("snapshot", "decode", impl, levels)
            # MB/s of JSON decoded: bytes per message / ns per message * 1e3
            series.point("size", impl, c["bytes"], [c["bytes"] * 1e3 / ns for ns in c["ns"]],
                         "MB/s")
    path = series.write()
    print("\nsnapshot decode against size (median MB/s; the \"size\" chart):")
    for levels in sizes:
        row = [cell("snapshot", "decode", impl, levels) for impl in ("libnax",) + PEERS]
        rates = "  ".join(f"{c['impl']} {c['bytes'] * 1e3 / statistics.median(c['ns']):7.1f}"
                          for c in row)
        print(f"  {levels:5d} levels a side ({row[0]['bytes']:8.0f} B): {rates}")
    print(f"csv: {path} (chart), codec-runs.csv (every repeat)")


if __name__ == "__main__":
    main()

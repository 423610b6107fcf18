"""Renders docs/PERFORMANCE.md from a results folder of `bench/run`
(`bench/run --report` calls it; see bench/README.md).

The prose lives in bench/report/template.md. Placeholders on a line of their
own are replaced:

    {{machine}}          when, where and on what the numbers were taken
    {{targets}}          every row with a target, from every benchmark, met or not
    {{table:NAME}}       benchmark NAME's table (NAME.csv), in a code block
    {{chart:ID}}         a PNG chart drawn with gnuplot (CHARTS below)

A placeholder whose data the run lacks (a benchmark not run) becomes a line
saying so, so a partial run still renders.
"""

import argparse
import csv
import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "common"))
from benchlib import COLUMNS, fmt  # noqa: E402

# Chart id -> how to draw it. "bars": the headline rows of a table in `unit`
# that have a peer, libnax against the peer (median, with min-max error bars);
# indented rows are details of the row above (e.g. raw libcurl's own floor)
# and are left out. "lines": the
# series of one chart of a benchmark's <bench>-series.csv, x against median.
CHARTS = {
    "throughput": dict(kind="bars", unit="rps", title="Throughput against peers (higher is better)",
                       ylabel="operations/s (log)", logy=True),
    "engine-depth": dict(kind="lines", bench="engine", chart="depth",
                         title="Matching engine: ops/s against book depth",
                         xlabel="resting price levels", ylabel="ops/s", logx=True),
    "book-depth": dict(kind="lines", bench="stream", chart="book-depth",
                       title="Client book apply: messages/s against book depth",
                       xlabel="price levels per side", ylabel="messages/s", logx=True),
    "subscribers": dict(kind="lines", bench="stream", chart="subscribers",
                        title="Stream fan-out: delivered messages/s against subscribers",
                        xlabel="subscribers", ylabel="delivered messages/s", logx=True),
    "subscribers-p99": dict(kind="lines", bench="stream", chart="subscribers-p99",
                            title="Stream fan-out: p99 latency against subscribers",
                            xlabel="subscribers", ylabel="p99 latency (us)", logx=True, logy=True),
    "client-threads": dict(kind="lines", bench="client", chart="threads",
                           title="REST client: requests/s against threads",
                           xlabel="threads sharing one client", ylabel="requests/s"),
    "codec-size": dict(kind="lines", bench="codec", chart="size",
                       title="Codec: decode throughput against message size",
                       xlabel="message size (bytes)", ylabel="MB/s", logx=True),
    "server-latency": dict(kind="lines", bench="server", chart="latency",
                           title="Durable orders at a fixed offered rate: latency distribution",
                           xlabel="percentile", ylabel="latency (ms)", logy=True, nines=True),
    "stream-latency": dict(kind="lines", bench="stream", chart="latency",
                           title="Stream at a fixed offered rate: latency distribution",
                           xlabel="percentile", ylabel="latency (us)", logy=True, nines=True),
}


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


class Results:
    def __init__(self, folder: Path):
        self.folder = folder
        self.tables, self.series = {}, {}
        for p in sorted(folder.glob("*.csv")):
            if p.name.endswith("-series.csv"):
                self.series[p.name[: -len("-series.csv")]] = read_csv(p)
            elif not p.name.endswith("-runs.csv"):
                rows = read_csv(p)
                if rows and list(rows[0].keys()) == COLUMNS:
                    self.tables[p.stem] = rows
        self.machine = {}
        m = folder / "machine.txt"
        if m.exists():
            for line in m.read_text().splitlines():
                if ":" in line:
                    k, v = line.split(":", 1)
                    self.machine[k.strip()] = v.strip()


def render_machine(res: Results) -> str:
    if not res.machine:
        return "_(no machine.txt in the results folder)_"
    return "\n".join(f"- **{k}**: {v}" for k, v in res.machine.items())


def render_targets(res: Results) -> str:
    rows = [(b, r) for b, rs in res.tables.items() for r in rs if r["target"]]
    if not rows:
        return "_(no benchmark with targets was run for this report)_"
    out = ["| benchmark | metric | measured | peer | target | met |", "|---|---|---|---|---|---|"]
    for bench, r in rows:
        on_ratio = r["target"].endswith("x") and r["ratio_median"]
        value = fmt(float(r["ratio_median"]), "x") if on_ratio else \
            fmt(float(r["libnax_median"]), r["unit"])
        if not on_ratio and r.get("signed") == "1" and float(r["libnax_median"]) >= 0:
            value = "+" + value
        peer = r["peer"] or "-"
        out.append(f"| {bench} | {r['metric'].strip()} | {value} | {peer} | {r['target']} | "
                   f"{'**' + r['met'] + '**' if r['met'] != 'met' else r['met']} |")
    return "\n".join(out)


def render_table(res: Results, name: str) -> str:
    txt = res.folder / f"{name}.txt"
    if name not in res.tables or not txt.exists():
        return f"_(benchmark `{name}` was not run for this report)_"
    return "```\n" + txt.read_text().rstrip("\n") + "\n```"


def gnuplot(script: str, workdir: Path) -> None:
    p = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True, cwd=workdir)
    if p.returncode != 0:
        raise RuntimeError(f"gnuplot failed: {p.stderr}")


def preamble(spec: dict, png: Path) -> list:
    lines = [
        f"set terminal pngcairo size 900,500 font 'sans,10'",
        f"set output '{png}'",
        f"set title \"{spec['title']}\"",
        "set grid ytics",
        "set key outside right top",
        f"set ylabel \"{spec.get('ylabel', '')}\"",
    ]
    if spec.get("xlabel"):
        lines.append(f"set xlabel \"{spec['xlabel']}\"")
    if spec.get("logx"):
        lines.append("set logscale x")
    if spec.get("logy"):
        lines.append("set logscale y")
    return lines


def draw_bars(res: Results, spec: dict, png: Path, tmp: Path) -> bool:
    rows = [(b, r) for b, rs in res.tables.items() for r in rs
            if r["unit"] == spec["unit"] and r["peer_median"] and r["libnax_median"]
            and not r["metric"].startswith(" ")]
    if not rows:
        return None
    data = tmp / "bars.dat"
    legend = []
    with open(data, "w") as f:
        for i, (bench, r) in enumerate(rows, 1):
            f.write(f"{i} \"{i}\" {r['libnax_median']} {r['libnax_min']} {r['libnax_max']} "
                    f"{r['peer_median']} {r['peer_min']} {r['peer_max']}\n")
            legend.append(f"{i}. {bench}: {r['metric'].strip()}, against {r['peer']}")
    s = preamble(spec, png) + [
        "set style data histogram",
        "set style histogram errorbars gap 2 lw 1",
        "set style fill solid 0.7 border -1",
        f"plot '{data}' using 3:4:5:xtic(2) title 'libnax / naxd', '' using 6:7:8 title 'peer'",
    ]
    gnuplot("\n".join(s) + "\n", tmp)
    return legend


def nines(percent: float) -> float:
    """A percentile on a scale where 90, 99 and 99.9 are evenly spaced (the
    maximum, 100, is drawn one step past 99.9)."""
    return 4.0 if percent >= 100 else -math.log10(1 - percent / 100)


NINES_TICS = 'set xrange [0.2:4.2]; set xtics ("50" 0.301, "90" 1, "99" 2, "99.9" 3, "max" 4)'


def draw_lines(res: Results, spec: dict, png: Path, tmp: Path) -> bool:
    points = [p for p in res.series.get(spec["bench"], []) if p["chart"] == spec["chart"]]
    if not points:
        return None
    names = list(dict.fromkeys(p["series"] for p in points))
    plots = []
    for i, name in enumerate(names):
        data = tmp / f"series{i}.dat"
        with open(data, "w") as f:
            for p in sorted((p for p in points if p["series"] == name), key=lambda p: float(p["x"])):
                x = nines(float(p["x"])) if spec.get("nines") else float(p["x"])
                f.write(f"{x} {p['median']} {p['min']} {p['max']}\n")
        title = name.replace('"', "'")
        plots.append(f"'{data}' using 1:2:3:4 with yerrorlines title \"{title}\"")
    s = preamble(spec, png) + ([NINES_TICS] if spec.get("nines") else []) + \
        ["plot " + ", ".join(plots)]
    gnuplot("\n".join(s) + "\n", tmp)
    return []


def render_chart(res: Results, chart_id: str, charts_dir: Path, link_prefix: str) -> str:
    spec = CHARTS.get(chart_id)
    if spec is None:
        raise SystemExit(f"report: unknown chart '{chart_id}' (have {', '.join(CHARTS)})")
    png = charts_dir / f"{chart_id}.png"
    with tempfile.TemporaryDirectory(prefix="nax-report-") as t:
        draw = draw_bars if spec["kind"] == "bars" else draw_lines
        legend = draw(res, spec, png.resolve(), Path(t))  # lines under the chart, or None
        if legend is None:
            return f"_(no data for the chart `{chart_id}` in this run)_"
    return "\n".join([f"![{spec['title']}]({link_prefix}{png.name})", ""] + legend)


def render(template: str, res: Results, charts_dir: Path, link_prefix: str) -> str:
    out = []
    for line in template.splitlines():
        s = line.strip()
        if s == "{{machine}}":
            out.append(render_machine(res))
        elif s == "{{targets}}":
            out.append(render_targets(res))
        elif s.startswith("{{table:") and s.endswith("}}"):
            out.append(render_table(res, s[len("{{table:"): -2]))
        elif s.startswith("{{chart:") and s.endswith("}}"):
            out.append(render_chart(res, s[len("{{chart:"): -2], charts_dir, link_prefix))
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--results", required=True, help="a results folder of bench/run")
    ap.add_argument("--template", default=str(Path(__file__).with_name("template.md")))
    ap.add_argument("--out", required=True, help="the Markdown file to write")
    ap.add_argument("--charts", required=True, help="folder for the PNG charts")
    args = ap.parse_args()
    if not shutil.which("gnuplot"):
        raise SystemExit("report: gnuplot is missing (apt-get install gnuplot-nox)")
    out, charts = Path(args.out), Path(args.charts)
    charts.mkdir(parents=True, exist_ok=True)
    # links in the Markdown are relative to the file
    try:
        link_prefix = str(charts.resolve().relative_to(out.resolve().parent)) + "/"
    except ValueError:
        link_prefix = str(charts.resolve()) + "/"
    res = Results(Path(args.results))
    out.write_text(render(Path(args.template).read_text(), res, charts, link_prefix))
    print(f"report: wrote {out} and {len(list(charts.glob('*.png')))} charts in {charts}")


if __name__ == "__main__":
    main()

"""What every benchmark driver shares: statistics, the result table, its CSV,
chart series, and the processes a run starts (pinned servers, nginx).

A driver measures repeated runs, then describes its results with a Table:

    t = Table("client")
    t.row("GET ticker, 1 thread", ours, "rps", peer=("raw libcurl", theirs),
          ratios=paired(ours, theirs), target=Target("ratio", ">=", 0.9))
    t.emit()                       # prints the table, writes client.csv

Every table has the same columns (metric, libnax, peer, ratio, target, met),
so `bench/run --report` can gather them all. Values are lists of the
repeats; what is shown is the median with the min-max beside it. A ratio is
taken pair by pair (run i of libnax against run i of the peer, from the same
round) and its median shown, not the ratio of two medians.

Series are the points of a chart (scaling curves, latency distributions):
Series("stream").point("subscribers", "libnax p99", x, values, "us").
"""

import csv
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

# ---- where results go ---------------------------------------------------------------


def results_dir() -> Path:
    """The folder of this run's CSV files: bench/run sets NAX_BENCH_RESULTS_DIR;
    a driver started by hand writes beside the benchmark build."""
    d = os.environ.get("NAX_BENCH_RESULTS_DIR")
    if not d:
        d = os.path.join(os.environ.get("NAX_BENCH_BUILD_DIR", "build-bench"), "results", "manual")
    p = Path(d)
    p.mkdir(parents=True, exist_ok=True)
    return p


def progress(text: str) -> None:
    """A line on stderr, so the table on stdout stays clean."""
    print(f"  {text}", file=sys.stderr, flush=True)


# ---- statistics ---------------------------------------------------------------------


def summary(values: Sequence[float]) -> tuple:
    """(median, min, max) of a benchmark's repeats."""
    if not values:
        raise ValueError("no values")
    return statistics.median(values), min(values), max(values)


def paired(ours: Sequence[float], theirs: Sequence[float], invert: bool = False) -> list:
    """Per-round ratios ours/theirs (theirs/ours with invert): each pair ran in
    the same round, so a slow spell of the machine hits both sides."""
    if len(ours) != len(theirs):
        raise ValueError(f"unpaired runs: {len(ours)} against {len(theirs)}")
    return [(t / o if invert else o / t) for o, t in zip(ours, theirs) if (o if invert else t)]


def rotated(names: Sequence, rep: int) -> list:
    """The order of the contenders in round `rep`: nobody always goes first."""
    k = rep % len(names)
    return list(names[k:]) + list(names[:k])


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) of already sorted values, nearest rank."""
    if not sorted_values:
        raise ValueError("no values")
    k = math.ceil(p / 100 * len(sorted_values)) - 1
    return sorted_values[max(0, min(len(sorted_values) - 1, k))]


# ---- formatting ---------------------------------------------------------------------

# unit -> (format of one value, suffix)
UNITS = {
    "rps": ("{:,.0f}", "/s"),  # operations (requests, orders, messages) per second
    "us": ("{:,.1f}", " us"),
    "ms": ("{:,.2f}", " ms"),
    "ns": ("{:,.0f}", " ns"),
    "x": ("{:.2f}", "x"),
    "instr": ("{:,.0f}", " instr"),
    "MB": ("{:,.1f}", " MB"),
    "count": ("{:,.0f}", ""),
}


def fmt(value: float, unit: str) -> str:
    form, suffix = UNITS[unit]
    return form.format(value) + suffix


def fmt_summary(values: Sequence[float], unit: str, signed: bool = False) -> str:
    """'30,444/s (27,409-33,162)': the median, then min-max."""
    med, lo, hi = summary(values)
    form, suffix = UNITS[unit]
    if signed:  # differences: "+16.8 us (-2.0 to +39.9)"
        def f(v):
            return ("+" if v >= 0 else "") + form.format(v)

        return f"{f(med)}{suffix} ({f(lo)} to {f(hi)})"
    return f"{form.format(med)}{suffix} ({form.format(lo)}-{form.format(hi)})"


# ---- targets ------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a row must reach: `on` the median of "libnax" or of "ratio",
    compared with `op` (">=", "<=", "<", ">") to `value` (in the row's unit,
    or x for a ratio)."""

    on: str
    op: str
    value: float
    unit: Optional[str] = None  # for the text; default: the row's unit (x for ratios)

    def met(self, median: float) -> bool:
        return {
            ">=": median >= self.value,
            "<=": median <= self.value,
            ">": median > self.value,
            "<": median < self.value,
        }[self.op]

    def text(self, row_unit: str, signed: bool = False) -> str:
        unit = self.unit or ("x" if self.on == "ratio" else row_unit)
        form, suffix = UNITS[unit]
        value = f"{self.value:g}" if unit == "x" else form.format(self.value)
        sign = "+" if signed and self.on != "ratio" and self.value >= 0 else ""
        return f"{self.op} {sign}{value}{suffix}"


# ---- the table ----------------------------------------------------------------------

COLUMNS = ["bench", "metric", "unit", "libnax_median", "libnax_min", "libnax_max", "peer",
           "peer_median", "peer_min", "peer_max", "ratio_median", "ratio_min", "ratio_max",
           "target", "met", "signed"]


@dataclass
class Row:
    metric: str
    unit: str
    ours: Optional[Sequence[float]] = None
    peer_name: str = ""
    theirs: Optional[Sequence[float]] = None
    ratios: Optional[Sequence[float]] = None
    target: Optional[Target] = None
    signed: bool = False  # values are differences (+16.8 us)

    def verdict(self) -> str:
        if not self.target:
            return ""
        values = self.ratios if self.target.on == "ratio" else self.ours
        if not values:
            return "-"
        return "met" if self.target.met(statistics.median(values)) else "NOT met"

    def cells(self) -> list:
        ours = fmt_summary(self.ours, self.unit, self.signed) if self.ours else "-"
        peer = "-"
        if self.theirs:
            peer = f"{self.peer_name} {fmt_summary(self.theirs, self.unit)}".strip()
        elif self.peer_name:
            peer = self.peer_name
        ratio = fmt_summary(self.ratios, "x") if self.ratios else "-"
        target = self.target.text(self.unit, self.signed) if self.target else "-"
        return [self.metric, ours, peer, ratio, target, self.verdict()]

    def record(self, bench: str) -> list:
        def s(v):
            return list(summary(v)) if v else ["", "", ""]

        return [bench, self.metric, self.unit, *s(self.ours), self.peer_name, *s(self.theirs),
                *s(self.ratios), self.target.text(self.unit, self.signed) if self.target else "",
                self.verdict(), int(self.signed)]


class Table:
    """One benchmark's results: printed as a table, written as <bench>.csv."""

    HEAD = ["metric", "libnax", "peer", "ratio", "target", "met"]

    def __init__(self, bench: str):
        self.bench = bench
        self.rows: list = []

    def row(self, metric: str, ours: Optional[Sequence[float]], unit: str, *,
            peer: Optional[tuple] = None, ratios: Optional[Sequence[float]] = None,
            target: Optional[Target] = None, signed: bool = False) -> Row:
        """Adds a row; peer is (name, values) or (name, None) for a label only."""
        name, theirs = peer if peer else ("", None)
        r = Row(metric, unit, ours, name, theirs, ratios, target, signed)
        self.rows.append(r)
        return r

    def text(self) -> str:
        cells = [r.cells() for r in self.rows]
        widths = [max(len(c[i]) for c in cells + [self.HEAD]) for i in range(5)]

        def line(c):
            return " | ".join(c[i].ljust(widths[i]) for i in range(5)) + " | " + c[5]

        rule = "-|-".join("-" * w for w in widths) + "-|----"
        return "\n".join([line(self.HEAD), rule] + [line(c) for c in cells])

    def emit(self, out: Optional[Path] = None) -> Path:
        """Prints the table and writes <bench>.csv (and .txt) to the results folder."""
        out = out or results_dir()
        text = self.text()
        print(text)
        (out / f"{self.bench}.txt").write_text(text + "\n")
        path = out / f"{self.bench}.csv"
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(COLUMNS)
            w.writerows(r.record(self.bench) for r in self.rows)
        print(f"csv: {path}")
        return path


class Series:
    """Points of the charts a benchmark feeds: <bench>-series.csv with
    chart, series, x, median, min, max, unit."""

    def __init__(self, bench: str):
        self.bench = bench
        self.points: list = []

    def point(self, chart: str, series: str, x: float, values: Sequence[float], unit: str):
        med, lo, hi = summary(values)
        self.points.append([self.bench, chart, series, x, med, lo, hi, unit])

    def write(self, out: Optional[Path] = None) -> Path:
        out = out or results_dir()
        path = out / f"{self.bench}-series.csv"
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["bench", "chart", "series", "x", "median", "min", "max", "unit"])
            w.writerows(self.points)
        return path


def write_runs(bench: str, header: Sequence[str], runs: Sequence[Sequence],
               out: Optional[Path] = None) -> Path:
    """Every single run, for whoever wants more than the medians."""
    out = out or results_dir()
    path = out / f"{bench}-runs.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(runs)
    return path


# ---- processes ----------------------------------------------------------------------

# Servers on one core, load generators and clients on the other (taskset);
# bench/run exports them, a driver may be told otherwise.
SERVER_CPU = os.environ.get("NAX_BENCH_SERVER_CPU", "0")
LOAD_CPU = os.environ.get("NAX_BENCH_LOAD_CPU", "1")


def pinned(cpu: str, cmd: Sequence[str]) -> list:
    return ["taskset", "-c", str(cpu), *cmd]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port}")


NGINX_CONF = """
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  sendfile on;
  tcp_nodelay on;
  keepalive_timeout 300s;
  keepalive_requests 1000000000;
  client_body_temp_path {prefix}/tmp;
  proxy_temp_path {prefix}/tmp;
  fastcgi_temp_path {prefix}/tmp;
  uwsgi_temp_path {prefix}/tmp;
  scgi_temp_path {prefix}/tmp;
  server {{
    listen 127.0.0.1:{port};
    root {prefix}/www;
    location / {{ default_type application/json; }}
  }}
}}
"""


def start_nginx(work: Path, path: str, body: bytes, cpu: str = SERVER_CPU):
    """nginx-light (one worker, no access log) serving `body` at `path`, from
    its own prefix under `work`; returns (port, process). Stop it with stop()."""
    prefix = work / "nginx"
    page = prefix / ("www" + path)
    page.parent.mkdir(parents=True)
    page.write_bytes(body)
    (prefix / "tmp").mkdir()
    for p in [work, *page.parents]:
        if p == work or work in p.parents:
            os.chmod(p, 0o755)  # the worker may run as another user when we are root
    os.chmod(page, 0o644)
    port = free_port()
    (prefix / "nginx.conf").write_text(NGINX_CONF.format(prefix=prefix, port=port))
    nginx = "nginx" if any(Path(d, "nginx").exists() for d in os.get_exec_path()) \
        else "/usr/sbin/nginx"
    proc = subprocess.Popen(pinned(cpu, [nginx, "-e", "stderr", "-p", str(prefix), "-c",
                                         str(prefix / "nginx.conf")]),
                            stdout=subprocess.DEVNULL, stderr=open(work / "nginx.stderr", "wb"),
                            start_new_session=True)
    wait_port(port, proc, "nginx")
    return port, proc


def stop(proc: Optional[subprocess.Popen], timeout: float = 10) -> None:
    """SIGTERM to the process group a server was started in, then wait."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

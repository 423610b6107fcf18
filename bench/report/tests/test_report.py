"""benchlib's statistics, targets and table files, and report.py's rendering of
a results folder (tables, targets, charts through gnuplot)."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BENCH / "common"))
import benchlib  # noqa: E402
from benchlib import Series, Table, Target, paired, percentile  # noqa: E402


def test_paired_ratios_follow_rounds_not_medians():
    ours, theirs = [100, 200, 300], [50, 400, 100]
    assert paired(ours, theirs) == [2.0, 0.5, 3.0]
    assert paired(ours, theirs, invert=True) == [0.5, 2.0, 1 / 3]
    with pytest.raises(ValueError):
        paired([1, 2], [1])


def test_percentile_is_nearest_rank():
    v = list(range(1, 101))
    assert percentile(v, 50) == 50
    assert percentile(v, 99) == 99
    assert percentile(v, 100) == 100
    assert percentile([7], 99.9) == 7


@pytest.mark.parametrize("target,median,met", [
    (Target("ratio", ">=", 2.0), 2.0, True),
    (Target("ratio", ">=", 2.0), 1.99, False),
    (Target("libnax", "<", 5), 5.0, False),
    (Target("libnax", "<=", 15), 15.0, True),
])
def test_targets_compare_the_median(target, median, met):
    assert target.met(median) is met


def test_table_rows_text_and_csv(tmp_path):
    t = Table("demo")
    t.row("GET ticker, req/s", [30, 10, 20], "rps", peer=("nginx", [10, 10, 10]),
          ratios=paired([30, 10, 20], [10, 10, 10]), target=Target("ratio", ">=", 1.5))
    t.row("overhead", [16.8, -2.0, 39.9], "us", signed=True, target=Target("libnax", "<=", 15))
    t.row("plain", [1.0], "ms")
    text = t.text()
    assert "20/s (10-30)" in text and "nginx 10/s (10-10)" in text
    assert "2.00x (1.00-3.00)" in text and ">= 1.5x" in text
    assert "+16.8 us (-2.0 to +39.9)" in text and "<= +15.0 us" in text
    lines = text.splitlines()
    assert lines[2].endswith("| met") and lines[3].endswith("| NOT met")
    t.emit(tmp_path)
    rows = list(csv.DictReader(open(tmp_path / "demo.csv")))
    assert [r["met"] for r in rows] == ["met", "NOT met", ""]
    assert float(rows[0]["ratio_median"]) == 2.0 and rows[0]["peer"] == "nginx"
    assert (tmp_path / "demo.txt").read_text().startswith("metric")


def results(tmp_path):
    d = tmp_path / "results"
    d.mkdir()
    (d / "machine.txt").write_text("date: 2026-11-22 03:00 UTC\ncommit: abc1234\n")
    t = Table("client")
    t.row("GET ticker, req/s", [3000, 2900, 3100], "rps", peer=("raw libcurl", [3300] * 3),
          ratios=[0.9, 0.91, 0.89], target=Target("ratio", ">=", 0.9))
    t.row("  the floor: raw libcurl, req/s", [3300] * 3, "rps",
          peer=("Python requests", [700] * 3), ratios=[4.7] * 3)
    t.emit(d)
    s = Series("client")
    for k in (1, 2, 4, 8):
        s.point("threads", "libnax", k, [1000 * k, 900 * k, 1100 * k], "rps")
    s.write(d)
    return d


def test_report_renders_tables_targets_and_charts(tmp_path):
    d = results(tmp_path)
    template = tmp_path / "t.md"
    template.write_text("# P\n\n{{machine}}\n\n{{targets}}\n\n{{table:client}}\n\n"
                        "{{table:server}}\n\n{{chart:client-threads}}\n\n{{chart:throughput}}\n\n"
                        "{{chart:engine-depth}}\n")
    out = tmp_path / "docs" / "PERFORMANCE.md"
    subprocess.run([sys.executable, str(BENCH / "report" / "report.py"), "--results", str(d),
                    "--template", str(template), "--out", str(out), "--charts",
                    str(tmp_path / "docs" / "perf")], check=True)
    md = out.read_text()
    assert "- **commit**: abc1234" in md
    assert "| client | GET ticker, req/s | 0.90x | raw libcurl | >= 0.9x | met |" in md
    assert "3,000/s (2,900-3,100)" in md
    assert "_(benchmark `server` was not run for this report)_" in md
    assert "![REST client: requests/s against threads](perf/client-threads.png)" in md
    assert "1. client: GET ticker, req/s, against raw libcurl" in md
    assert "2. client:" not in md  # an indented detail row is not a bar of its own
    assert "_(no data for the chart `engine-depth` in this run)_" in md
    for png in ("client-threads.png", "throughput.png"):
        data = (tmp_path / "docs" / "perf" / png).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 2000


def test_unknown_chart_is_refused(tmp_path):
    d = results(tmp_path)
    template = tmp_path / "t.md"
    template.write_text("{{chart:nope}}\n")
    p = subprocess.run([sys.executable, str(BENCH / "report" / "report.py"), "--results", str(d),
                        "--template", str(template), "--out", str(tmp_path / "x.md"),
                        "--charts", str(tmp_path / "c")], capture_output=True, text=True)
    assert p.returncode != 0 and "unknown chart 'nope'" in p.stderr

"""naxd HTTP benchmark driver (bench/server/run.sh runs it; see bench/README.md).

Starts naxd (Release build) pinned to core 0 with a benchmark config, prepares
a funded user and a market with a bid, an ask and a last trade, then:

1. ticker: wrk (core 1) against GET /v1/markets/BTC-AUD/ticker on naxd, on
   nginx serving the same bytes as a static file (one worker, access_log off),
   and on a Node `http` server returning them. One warm-up run per server, then
   `repeats` timed runs with the servers taking turns (rotating order).
2. orders, closed loop: nax_bench_orders_load with 64 keep-alive connections,
   every order durable (group commit) before its 201; orders rest without
   matching (buys far below, sells far above the market).
3. orders, open loop at 5000/s: latency from each order's scheduled send time.

Prints the table (median and min-max over repeats) and writes every sample to CSV.
Never a pass/fail test: the `met` column only compares with the targets.
"""

import argparse
import base64
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "common"))
sys.path.insert(0, str(HERE.parent.parent / "tests" / "integ"))
from benchlib import (  # noqa: E402
    LOAD_CPU, SERVER_CPU, Series, Table, Target, free_port, paired, pinned, progress, rotated,
    start_nginx, stop, wait_port, write_runs)
from naxlib import Api, fund_crypto, fund_fiat, new_user  # noqa: E402

TICKER = "/v1/markets/BTC-AUD/ticker"


class Naxd:
    """naxd for the benchmark: no rate limits to speak of, cheap test KDF, quiet."""

    def __init__(self, binary, work):
        self.work = work
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
        self.stdout = open(work / "naxd.stdout", "wb+")
        self.stderr = open(work / "naxd.stderr", "wb")
        self.proc = subprocess.Popen(
            pinned(SERVER_CPU, [binary, "--listen", "127.0.0.1:0", "--data", str(work / "data"),
                                "--config", str(work / "naxd.json"), "--quiet"]),
            stdout=self.stdout, stderr=self.stderr, env=env, start_new_session=True)
        deadline = time.monotonic() + 30
        self.port = None
        while time.monotonic() < deadline and self.port is None:
            if self.proc.poll() is not None:
                raise RuntimeError("naxd exited:\n" + (work / "naxd.stderr").read_text()[-2000:])
            first = (work / "naxd.stdout").read_bytes().split(b"\n", 1)
            if len(first) > 1:
                self.port = json.loads(first[0])["port"]
            time.sleep(0.05)
        if self.port is None:
            raise RuntimeError("naxd did not report its port")
        self.api = Api(self)

    def admin(self, method, path, json=None, **kw):
        return self.api.call(method, path, json=json, token=self.operator_token, **kw)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def prepare_market(naxd):
    """A user with plenty of both assets; a bid, an ask and one trade on BTC-AUD.
    Returns the user (its JWT drives the order load)."""
    trader = new_user(naxd)
    fund_fiat(trader, "AUD", "100000000.00")
    fund_crypto(trader, "BTC", "100000.0")
    other = new_user(naxd)
    fund_fiat(other, "AUD", "1000000.00")
    fund_crypto(other, "BTC", "10.0")
    order = {"pair": "BTC-AUD", "type": "limit", "quantity": "0.01000000"}
    other.post("/v1/orders", json=dict(order, side="sell", price="97251.00")).expect(201)
    trader.post("/v1/orders", json=dict(order, side="buy", price="97251.00")).expect(201)
    other.post("/v1/orders", json=dict(order, side="sell", price="97260.10")).expect(201)
    other.post("/v1/orders", json=dict(order, side="buy", price="97250.50")).expect(201)
    return trader


NODE_SERVER = r"""
const http = require('http');
const fs = require('fs');
const body = fs.readFileSync(process.argv[1]);
http.createServer((req, res) => {
  res.writeHead(200, {'Content-Type': 'application/json', 'Content-Length': body.length});
  res.end(body);
}).listen(+process.argv[2], '127.0.0.1');
"""

def start_peers(body, work):
    """nginx and node serving `body` at the ticker path; returns {name: (port, proc)}."""
    nginx_port, nginx = start_nginx(work, TICKER, body)
    (work / "body.json").write_bytes(body)
    node_port = free_port()
    node = subprocess.Popen(pinned(SERVER_CPU, ["node", "-e", NODE_SERVER, str(work / "body.json"),
                                                str(node_port)]),
                            stdout=subprocess.DEVNULL, stderr=open(work / "node.stderr", "wb"),
                            start_new_session=True)
    wait_port(node_port, node, "node")
    return {"nginx": (nginx_port, nginx), "node": (node_port, node)}


def wrk(port, seconds, conns):
    out = subprocess.run(pinned(LOAD_CPU, ["wrk", "-t1", f"-c{conns}", f"-d{seconds}s",
                                           f"http://127.0.0.1:{port}{TICKER}"]),
                         capture_output=True, text=True, check=True).stdout
    rate, errors = None, 0
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            rate = float(line.split()[1])
        if "Non-2xx or 3xx responses" in line:
            errors = int(line.split(":")[1])
    if rate is None or errors:
        raise RuntimeError(f"wrk on port {port}: {out}")
    return rate


def orders_load(binary, port, token, seconds, rate=0, conns=64):
    cmd = pinned(LOAD_CPU, [binary, "--port", str(port), "--token", token, "--conns", str(conns),
                            "--duration", str(seconds), "--warmup", "1", "--rate", str(rate)])
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"orders load failed: {p.stdout}{p.stderr}")
    return dict(kv.split("=", 1) for kv in p.stdout.split())


QUANTILES = {"p50": 50, "p90": 90, "p99": 99, "p999": 99.9, "max": 100}  # name: chart x


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--naxd", required=True)
    ap.add_argument("--load", required=True)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=3, help="each orders run")
    ap.add_argument("--ticker-seconds", type=int, default=2, help="each wrk run")
    ap.add_argument("--wrk-conns", type=int, default=32)
    ap.add_argument("--rates", default="5000,2500",
                    help="offered orders/s of the open loop; the first one is the target's")
    args = ap.parse_args()
    rates = [int(r) for r in args.rates.split(",") if r]
    if not rates or min(rates) < 1:
        ap.error("--rates needs positive orders/s, e.g. 5000,2500")

    work = Path(tempfile.mkdtemp(prefix="nax-bench-server-"))
    samples = []  # (metric, impl, rep, value)
    procs = []
    naxd = Naxd(args.naxd, work)
    try:
        trader = prepare_market(naxd)
        body = naxd.api.get(TICKER).expect(200).body
        peers = start_peers(body, work)
        procs = [p for _, p in peers.values()]
        targets = {"naxd": naxd.port, "nginx": peers["nginx"][0], "node": peers["node"][0]}
        print(f"ticker body ({len(body)} bytes): {body.decode()}")
        print(f"servers on cpu {SERVER_CPU}, load on cpu {LOAD_CPU}; {args.repeats} repeats of "
              f"{args.ticker_seconds} s (wrk -t1 -c{args.wrk_conns}) and {args.seconds} s (orders) "
              f"after a warm-up")
        for name, port in targets.items():
            wrk(port, 2, args.wrk_conns)  # warm-up
        for rep in range(args.repeats):
            progress(f"round {rep + 1}/{args.repeats}")
            for name in rotated(list(targets), rep):
                samples.append(("ticker_rps", name, rep,
                                wrk(targets[name], args.ticker_seconds, args.wrk_conns)))
        for rep in range(args.repeats):
            r = orders_load(args.load, naxd.port, trader.token, args.seconds)
            samples.append(("orders_rps", "naxd", rep, float(r["rate"])))
        for rep in range(args.repeats):
            for rate in rotated(rates, rep):
                r = orders_load(args.load, naxd.port, trader.token, args.seconds, rate=rate,
                                conns=256)
                for q in QUANTILES:
                    samples.append((f"orders_{q}_ms@{rate}", "naxd", rep, float(r[f"{q}_ms"])))
                samples.append((f"orders_achieved_rps@{rate}", "naxd", rep, float(r["achieved"])))
    finally:
        for p in procs:
            stop(p)
        naxd.stop()

    def vals(metric, impl):
        return [v for m, i, _, v in samples if m == metric and i == impl]

    t = Table("server")
    naxd_rps = vals("ticker_rps", "naxd")
    for peer, target in (("nginx", 0.6), ("node", 2.0)):
        t.row("GET ticker, req/s (wrk)", naxd_rps, "rps", peer=(peer, vals("ticker_rps", peer)),
              ratios=paired(naxd_rps, vals("ticker_rps", peer)),
              target=Target("ratio", ">=", target))
    t.row("POST /v1/orders durable, closed loop 64 conns", vals("orders_rps", "naxd"), "rps",
          target=Target("libnax", ">=", 20000))
    for i, rate in enumerate(rates):
        t.row(f"POST /v1/orders p50 at {rate}/s offered", vals(f"orders_p50_ms@{rate}", "naxd"),
              "ms")
        t.row(f"POST /v1/orders p99 at {rate}/s offered", vals(f"orders_p99_ms@{rate}", "naxd"),
              "ms", target=Target("libnax", "<", 5) if i == 0 else None)
        t.row("  (achieved rate of those runs)", vals(f"orders_achieved_rps@{rate}", "naxd"),
              "rps")
    print()
    t.emit()
    series = Series("server")
    for rate in rates:
        for q, x in QUANTILES.items():
            series.point("latency", f"naxd, {rate} orders/s offered", x,
                         vals(f"orders_{q}_ms@{rate}", "naxd"), "ms")
    series.write()
    write_runs("server", ["metric", "impl", "repeat", "value"], samples)
    print(f"median (min-max) of {args.repeats} repeats; ratios per round")


if __name__ == "__main__":
    main()

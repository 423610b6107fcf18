"""The Python binding's side of bench/bindings: one nax.Client, N sequential
client.ticker() calls (decoded into the Ticker dataclass, money as Decimal).
Prints the same key=value line as nax_bench_client.

    python3 peer_python.py BASE_URL BODY_FILE REQUESTS WARMUP

NAX_LIBRARY and PYTHONPATH come from bench_bindings.py.
"""

import json
import resource
import sys
import time
from decimal import Decimal

import nax


def user_ns():
    """User-mode CPU of the process: the client's own work, without the kernel's
    part of the round trip (which swings run to run on this machine)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_utime * 1e9)


def main():
    base_url, body_file = sys.argv[1], sys.argv[2]
    requests_n, warmup = int(sys.argv[3]), int(sys.argv[4])
    with open(body_file, "rb") as f:
        expect = json.loads(f.read(), parse_float=Decimal)
    with nax.Client(base_url) as client:
        t = client.ticker("BTC-AUD")
        if t.pair != expect["pair"] or t.last != Decimal(expect["last"]) or t.seq != expect["seq"]:
            sys.exit(f"python nax: the answer differs from the served file: {t}")
        for _ in range(warmup):
            client.ticker("BTC-AUD")
        wall0, cpu0, user0 = time.perf_counter_ns(), time.process_time_ns(), user_ns()
        for _ in range(requests_n):
            client.ticker("BTC-AUD")
        wall, cpu = time.perf_counter_ns() - wall0, time.process_time_ns() - cpu0
        user = user_ns() - user0
    print(f"impl=python-nax threads=1 requests={requests_n} wall_ns={wall} cpu_ns={cpu} "
          f"user_ns={user}")


if __name__ == "__main__":
    main()

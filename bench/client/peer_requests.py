"""Python `requests` peer of nax_bench_client: one Session (keep-alive), N
sequential GETs of the ticker, each answer checked for 200 and decoded with
r.json(). Prints the same key=value line as nax_bench_client.

    python3 peer_requests.py URL BODY_FILE REQUESTS WARMUP

Run with Debian's /usr/bin/python3 and python3-requests (see run.sh).
"""

import json
import resource
import sys
import time

import requests


def get(session, url):
    r = session.get(url)
    if r.status_code != 200:
        sys.exit(f"requests: HTTP status {r.status_code}")
    return r


def user_ns():
    """User-mode CPU of the process: the client's own work, without the kernel's
    part of the round trip (which swings run to run on this machine)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_utime * 1e9)


def main():
    url, body_file, requests_n, warmup = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with open(body_file, "rb") as f:
        expect = json.loads(f.read())
    session = requests.Session()
    r = get(session, url)
    if not r.headers.get("Content-Type", "").startswith("application/json") or r.json() != expect:
        sys.exit("requests: the answer differs from the served file")
    for _ in range(warmup):
        get(session, url).json()
    wall0, cpu0, user0 = time.perf_counter_ns(), time.process_time_ns(), user_ns()
    for _ in range(requests_n):
        get(session, url).json()
    wall, cpu = time.perf_counter_ns() - wall0, time.process_time_ns() - cpu0
    user = user_ns() - user0
    print(f"impl=requests threads=1 requests={requests_n} wall_ns={wall} cpu_ns={cpu} "
          f"user_ns={user}")


if __name__ == "__main__":
    main()

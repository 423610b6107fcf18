"""Python peer of the client-side book benchmark (bench/stream/book_apply.c run).

    python3 peer_book.py FILE [REPEATS] [STEP]

Per message, the same work as libnax: json.loads (Debian's python3, the C
accelerated json module), check the seq, apply the levels to a dict book with
a sorted key list per side (bisect; prices as decimal.Decimal so "97249.00"
and "97249" are one level), and compare zlib.crc32 of the top-25 text
(docs/asyncapi.yaml) with the message's checksum. Prints one key=value line
with the median of REPEATS passes after a warm-up pass (process CPU time).
With STEP 1, each pass waits for a line on stdin and prints its own line.
"""

import bisect
import json
import statistics
import sys
import time
import zlib
from decimal import Decimal


def norm(text):
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


class Side:
    def __init__(self, descending):
        self.keys = []       # ascending Decimals
        self.levels = {}     # Decimal -> "price:qty" in checksum form
        self.descending = descending

    def set(self, price, qty):
        key = Decimal(price)
        if Decimal(qty) == 0:
            if key in self.levels:
                del self.levels[key]
                del self.keys[bisect.bisect_left(self.keys, key)]
            return
        if key not in self.levels:
            bisect.insort(self.keys, key)
        self.levels[key] = f"{norm(price)}:{norm(qty)}"

    def top(self, n):
        keys = self.keys[-n:][::-1] if self.descending else self.keys[:n]
        return "|".join(self.levels[k] for k in keys)


def replay(lines):
    bids, asks, seq = Side(True), Side(False), None
    start = time.process_time_ns()
    for text in lines:
        msg = json.loads(text)
        if msg["type"] == "snapshot":
            bids, asks = Side(True), Side(False)
        elif msg["seq"] != seq + 1:
            sys.exit(f"seq gap at {msg['seq']}")
        for price, qty in msg.get("bids", ()):
            bids.set(price, qty)
        for price, qty in msg.get("asks", ()):
            asks.set(price, qty)
        seq = msg["seq"]
        text = f"{bids.top(25)}#{asks.top(25)}"
        if zlib.crc32(text.encode()) != msg["checksum"]:
            sys.exit(f"checksum mismatch at seq {seq}")
    return time.process_time_ns() - start


def main():
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with open(path, "rb") as f:
        lines = f.read().splitlines()
    replay(lines)  # warm-up
    if len(sys.argv) > 3 and sys.argv[3] == "1":
        snap = replay(lines[:1])
        for r in range(1, repeats + 1):
            if not sys.stdin.readline():
                break
            per = (replay(lines) - snap) / (len(lines) - 1)
            print(f"impl=python pass={r} messages={len(lines) - 1} ns_per_msg={per:.1f} "
                  f"msgs_per_s={1e9 / per:.0f}", flush=True)
        return
    full = statistics.median(replay(lines) for _ in range(repeats))
    snap = replay(lines[:1])
    per = (full - snap) / (len(lines) - 1)
    print(f"impl=python messages={len(lines) - 1} repeats={repeats} ns_per_msg={per:.1f} "
          f"msgs_per_s={1e9 / per:.0f}")


if __name__ == "__main__":
    main()

"""Seeds of fuzz_apikey: 8 bytes of numbers (flags, window, delta, the byte
to change) then method, target, secret, X-NAX-TIMESTAMP, X-NAX-SIGNATURE,
X-NAX-RECV-WINDOW each ended by NUL, then the body. Some are signed right at
fuzz_apikey.c's clock (1800000000000 ms) so the accepting paths start
covered; others carry the malformed headers the server must refuse."""

import hashlib
import hmac
import json
import struct

NOW_MS = 1800000000000  # fuzz_apikey.c's NOW_MS


def sign(secret, ts, method, target, body):
    msg = ts + method + target + body
    return hmac.new(secret, msg, hashlib.sha256).hexdigest().encode()


def one(flags, window, delta, pick, method, target, secret, ts, sig, win, body):
    head = bytes([flags]) + struct.pack(">HH", window, delta) + struct.pack(">I", pick)[1:]
    return head + b"\x00".join([method, target, secret, ts, sig, win, body])


def seeds():
    order = json.dumps({"pair": "BTC-AUD", "side": "buy", "type": "limit",
                        "price": "97250.50", "quantity": "0.01",
                        "client_order_id": "c-1"}).encode()
    requests = [
        (b"GET", b"/v1/wallets/balances", b""),
        (b"GET", b"/v1/orders?pair=BTC-AUD&limit=50&cursor=abc", b""),
        (b"POST", b"/v1/orders", order),
        (b"DELETE", b"/v1/orders/o_123", b""),
        (b"GET", b"/v1/stream", b""),
        (b"POST", b"/v1/wallets/withdraw", b'{"asset":"BTC","amount":"0.5"}\x00\xff'),
    ]
    secrets = [b"sk_live_0123456789abcdef0123456789abcdef", b"k"]
    for n, (method, target, body) in enumerate(requests):
        secret = secrets[n % 2]
        for offset, win in ((0, b""), (-4999, b""), (4000, b"5000"), (59999, b"60000")):
            ts = str(NOW_MS + offset).encode()
            good = sign(secret, ts, method, target, body)
            yield one(n * 2 + (1 if win else 0), 4999, 5000 + n, n * 37, method, target,
                      secret, ts, good, win, body)
        ts = str(NOW_MS).encode()
        good = sign(secret, ts, method, target, body)
        bad = [
            (ts, good.upper(), b""), (ts, good[:-1], b""), (b"", good, b""),
            (b"-1", good, b""), (b"1800000000000.5", good, b""), (b"9" * 19, good, b""),
            (str(NOW_MS + 5001).encode(), good, b""), (ts, good, b"0"), (ts, good, b"60001"),
            (ts, good, b"abc"), (b" " + ts, good, b""),
        ]
        for ts_, sig, win in bad:
            yield one(1, 4999, 7, n, method, target, secret, ts_, sig, win, body)

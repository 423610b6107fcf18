"""Seeds of fuzz_stream_op: client frames, several per input joined by NUL
(the target splits there). The golden stream ops, the frames
tests/integ/test_stream.py sends (subscribe, unsubscribe, auth by token and
by API key, ping), and sequences that reach the connection's state: auth
then private channels, resubscribe, unsubscribe, another user, the ops
rate, too many channels, and frames that are not ops."""

import json
from pathlib import Path

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "stream_op"


def op(kind, i, **more):
    return json.dumps(dict(op=kind, id=i, **more)).encode()


def sub(i, *channels, kind="subscribe"):
    return op(kind, i, channels=list(channels))


def seeds():
    for f in sorted(GOLDEN.rglob("*.json")):
        yield f.read_bytes()
    public = [f"{k}:{p}" for p in ("BTC-AUD", "ETH-AUD", "XRP-AUD")
              for k in ("ticker", "trades", "book")]
    private = ["orders", "balances", "fills"]
    auth_token = op("auth", 1, token="good")
    auth_key = op("auth", 1, api_key="key7", timestamp=1800000000000, signature="ab" * 32)
    singles = [
        sub(2, "book:BTC-AUD"), sub(2, "ticker:BTC-AUD", "trades:BTC-AUD"),
        sub(2, "ticker:DOGE-AUD"), sub(2, "book:btc-aud"), sub(2, "orders"),
        sub(2, "book:ETH-AUD", kind="unsubscribe"), op("ping", 9007199254740993),
        op("auth", 3, token="expired"), op("auth", 3, api_key="nope", timestamp=1,
                                           signature="00"),
        op("auth", 3), b'{"op":"subscribe","id":-1,"channels":["book:BTC-AUD"]}',
        b'{"op":"subscribe","channels":["book:BTC-AUD"]}', b'{"op":"dance","id":4}',
        b'{"id":4}', b"[1,2]", b"not json", b"", b'{"op":"ping","id":1,"op":"auth"}',
        sub(5, *public), sub(5, "book:BTC-AUD", "book:BTC-AUD"), sub(5, "ticker:"),
        sub(5, "book:AB-CDEFGHIJKLMN"), sub(5, "fills:BTC-AUD"),
    ]
    yield from singles
    sequences = [
        [auth_token, sub(2, *private), sub(3, "orders", kind="unsubscribe"), op("ping", 4)],
        [auth_key, sub(2, "balances", "book:BTC-AUD"), op("auth", 3, token="good8"),
         sub(4, "balances")],
        [sub(1, *public[:4]), sub(2, *public[4:]), sub(3, *public[:4], kind="unsubscribe")],
        [sub(1, "book:BTC-AUD"), sub(2, "book:BTC-AUD"), sub(3, "book:BTC-AUD",
                                                            kind="unsubscribe"),
         sub(4, "book:BTC-AUD")],
        [op("ping", i) for i in range(12)],
        [auth_token, sub(2, *(public + private))],
        [b"{", op("ping", 1), b'{"op":"auth","id":2,"token":7}', op("auth", 3, token="")],
    ]
    for seq in sequences:
        yield b"\x00".join(seq)

"""Seed corpora for the libFuzzer targets, from the golden files.

    python3 seeds.py TARGET OUT_DIR

Writes one file per seed into OUT_DIR (created). TARGET is a target's name
without the fuzz_ prefix. The golden files (tests/golden/<type>/*.json) are
the contract's examples of every message family, so they start each target
at inputs that reach deep into its parser.
"""

import base64
import hashlib
import itertools
import hmac
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[1]
GOLDEN = SOURCE / "tests" / "golden"
TYPES_H = SOURCE / "include" / "nax" / "types.h"


def type_ids():
    """{'ticker': 18, ...} from the nax_type enum."""
    text = TYPES_H.read_text()
    return {m.group(1).lower(): int(m.group(2))
            for m in re.finditer(r"NAX_TYPE_([A-Z_]+) = (\d+)", text) if m.group(1) != "NONE"}


def golden_files():
    for folder in sorted(p for p in GOLDEN.iterdir() if p.is_dir()):
        for f in sorted(folder.rglob("*.json")):
            yield folder.name, f.read_bytes()


def codec():
    ids = type_ids()
    first = min(ids.values())
    for name, body in golden_files():
        yield bytes([ids[name] - first]) + body  # fuzz_codec: type = first + byte % count


def decimal():
    yield from (b"0", b"-0", b"1", b"-12.500", b"0.000000000000000001",
                b"99999999999999999999999999999999999999", b"97250.50")
    for _, body in golden_files():
        yield from set(re.findall(rb'"(-?\d+\.\d+|-?\d+)"', body))


JWT_KEY = b"fuzz-key-0123456789abcdef-0123456789"  # fuzz_jwt.c's key


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


def jwt():
    good = {"sub": "u-1", "iss": "naxd", "aud": "nax", "typ": "access", "jti": "j-1",
            "iat": 1799999000, "exp": 1800000600}
    payloads = [good, dict(good, nbf=1799999500), dict(good, exp=1700000000),
                dict(good, aud="other"), dict(good, typ="refresh"), {"sub": "u-1"}]
    headers = [{"alg": "HS256", "typ": "JWT"}, {"alg": "HS256", "typ": "JWT", "kid": "k1"},
               {"alg": "none"}, {"alg": "RS256", "typ": "JWT"}]
    for head in headers:
        for claims in payloads:
            h, c = json.dumps(head).encode(), json.dumps(claims).encode()
            signing = b64url(h) + b"." + b64url(c)
            mac = hmac.new(JWT_KEY, signing, hashlib.sha256).digest()
            yield b"\x00" + signing + b"." + b64url(mac)  # even: a whole token
            yield b"\x01" + h + b"\x00" + c  # odd: the target signs it


WEBHOOK_SECRETS = ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                   "whsec_c2Vjb25kLWtleS1mb3Itcm90YXRpb24=")  # fuzz_webhook.c's


def webhook():
    keys = [base64.b64decode(s.removeprefix("whsec_")) for s in WEBHOOK_SECRETS]
    bodies = [f.read_bytes() for f in sorted((GOLDEN / "webhook_event").rglob("*.json"))]
    for ts in (b"1800000000", b"1800000299", b"1799999000", b"abc", b""):
        for body in bodies:
            sigs = []
            for key in keys:
                mac = hmac.new(key, b"msg_1." + ts + b"." + body, hashlib.sha256).digest()
                sigs.append(b"v1," + base64.b64encode(mac))
            for header in (sigs[0], sigs[1], b" ".join(sigs), b"v2,xyz " + sigs[1], b"v1,"):
                yield ts + b"\x00" + header + b"\x00msg_1\x00" + body


def graphql():
    queries = [
        "{ balances { asset available locked total } }",
        "query Q { balances { asset total } }",
        'mutation { createOrder(input: {pair: "BTC-AUD", side: BUY, type: LIMIT, '
        'price: "97250.50", quantity: "0.01"}) { id status price } }',
        "mutation M($i: CreateOrderInput!) { createOrder(input: $i) { id clientOrderId pair "
        "side type price quantity filledQuantity averagePrice status timeInForce postOnly "
        "createdAt updatedAt __typename } }",
        "{ __typename balances { asset } }",
        "query A { balances { asset } } query B { balances { total } }",
        "{ a: balances { x: asset } }",
        "fragment F on Balance { asset } { balances { ...F } }",
    ]
    variables = [None, {"i": {"pair": "BTC-AUD", "side": "SELL", "type": "LIMIT",
                              "price": "97250.50", "quantity": "0.5", "clientOrderId": "c1"}}]
    for q in queries:
        for v in variables:
            body = {"query": q}
            if v is not None:
                body["variables"] = v
            yield json.dumps(body).encode()
    yield json.dumps({"query": queries[5], "operationName": "B"}).encode()


def http_response():
    yield (b"HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
           b"Content-Type: application/json\r\nX-Request-Id: req_1\r\n"
           b"RateLimit-Limit: 10\r\nRateLimit-Remaining: 9\r\nRateLimit-Reset: 1\r\n\r\n")
    yield (b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\n"
           b"Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nDate: Mon, 07 Nov 1994 08:49:37 GMT\r\n\r\n")
    yield b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n\r\n"
    yield b"Date: Sunday, 06-Nov-94 08:49:37 GMT\r\nDate: Sun Nov  6 08:49:37 1994\r\n"
    yield b"Date: Sun, 30 Feb 2026 08:49:37 GMT\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n"


TARGETS = {"codec": codec, "decimal": decimal, "jwt": jwt, "webhook": webhook,
           "graphql": graphql, "http_response": http_response}


def main():
    target, out = sys.argv[1], Path(sys.argv[2])
    if target not in TARGETS and (HERE / f"seeds_{target}.py").exists():
        # A target whose seeds need more code keeps them beside it, in
        # seeds_<target>.py, as a function seeds() yielding bytes.
        sys.path.insert(0, str(HERE))
        TARGETS[target] = __import__(f"seeds_{target}").seeds
    if target not in TARGETS:
        sys.exit(f"seeds.py: no seeds for '{target}' (have: {', '.join(sorted(TARGETS))})")
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    # Inputs that once found a bug (tests/fuzz/regress/<target>/) start every
    # run, so each ctest replays them before fuzzing on.
    regress = sorted((HERE / "regress" / target).glob("*"))
    for seed in itertools.chain((f.read_bytes() for f in regress), TARGETS[target]()):
        (out / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
        n += 1
    print(f"seeds.py: {n} seeds for fuzz_{target} in {out}")


if __name__ == "__main__":
    main()

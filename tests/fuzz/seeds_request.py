"""Seeds for fuzz_request: raw HTTP/1.1 requests to every path of
docs/openapi.yaml (and naxd's other routes), with the golden request bodies,
credentials as fuzz_request.c's placeholders ($TOKEN, $OPERATOR, $NOW,
$WHSIG), and the bad request lines of tests/unit/http/test_routing.c."""

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[1]
GOLDEN = SOURCE / "tests" / "golden"
OPENAPI = SOURCE / "docs" / "openapi.yaml"
ROUTES = SOURCE / "server" / "app" / "routes.c"

# The golden folder of each request body.
BODIES = {
    ("POST", "/v1/auth/register"): "register_request",
    ("POST", "/v1/auth/login"): "login_request",
    ("POST", "/v1/auth/refresh"): "refresh_request",
    ("POST", "/v1/auth/logout"): "refresh_request",
    ("POST", "/v1/auth/api-keys"): "api_key_request",
    ("POST", "/v1/auth/totp/confirm"): "totp_code",
    ("POST", "/v1/auth/totp/disable"): "totp_code",
    ("PUT", "/v1/users/profile"): "profile_update",
    ("POST", "/v1/users/kyc-documents"): "kyc_document_request",
    ("POST", "/v1/orders"): "order_request",
    ("POST", "/v1/wallets/deposit-address"): "deposit_address_request",
    ("POST", "/v1/wallets/withdraw"): "withdraw_request",
    ("POST", "/v1/fiat/deposit"): "fiat_deposit_request",
    ("POST", "/v1/fiat/withdraw"): "fiat_withdraw_request",
    ("POST", "/v1/webhooks/{provider}"): "webhook_event",
}
EXTRA_BODIES = {
    ("POST", "/graphql"): [b'{"query":"{ balances { asset available locked total } }"}',
                           b'{"query":"mutation { createOrder(input: {pair: \\"BTC-AUD\\", '
                           b'side: BUY, type: LIMIT, price: \\"100\\", quantity: \\"0.01\\"}) '
                           b'{ id status } }"}'],
    ("POST", "/admin/users/{id}/kyc"): [b'{"status":"verified"}',
                                        b'{"status":"rejected","reason":"blurry"}'],
}
PARAMS = {"pair": "BTC-AUD", "id": "o_1", "provider": "payments", "file": "app.js"}
QUERIES = ["", "?limit=10", "?pair=BTC-AUD&status=open&limit=2&cursor=abc",
           "?depth=5", "?client_order_id=c-1&type=deposit&asset=BTC"]


def routes():
    """(METHOD, path) of the OpenAPI document, then of routes.c."""
    seen, path = [], None
    for line in OPENAPI.read_text().splitlines():
        m = re.match(r"^  (/\S*):\s*$", line)
        if m:
            path = m.group(1)
            continue
        m = re.match(r"^    (get|post|put|delete|patch):\s*$", line)
        if m and path:
            seen.append((m.group(1).upper(), path))
    for m in re.finditer(r'\{NAXD_([A-Z]+), "([^"]+)"', ROUTES.read_text()):
        if (m.group(1), m.group(2)) not in seen:
            seen.append((m.group(1), m.group(2)))
    return seen


def bodies(method, path):
    folder = BODIES.get((method, path))
    if folder:
        yield from (f.read_bytes() for f in sorted((GOLDEN / folder).rglob("*.json")))
    yield from EXTRA_BODIES.get((method, path), [])


def request(method, target, headers, body=b""):
    head = [f"{method} {target} HTTP/1.1", "Host: naxd"] + headers
    if body or method in ("POST", "PUT", "PATCH"):
        head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def seeds():
    for n, (method, path) in enumerate(routes()):
        target = re.sub(r"\{(\w+)\}", lambda m: PARAMS.get(m.group(1), "x"), path)
        op = path.startswith("/admin") or path == "/metrics"
        auth = [f"Authorization: Bearer {'$OPERATOR' if op else '$TOKEN'}"]
        headers = auth + ["Content-Type: application/json", "X-Request-Id: seed-%d" % n]
        if method == "POST":
            headers.append("Idempotency-Key: idem-%d" % n)
        if path.startswith("/v1/webhooks"):
            headers = ["Content-Type: application/json", "webhook-id: msg_%d" % n,
                       "webhook-timestamp: $NOW", "webhook-signature: $WHSIG"]
        bs = list(bodies(method, path)) or [b""]
        for body in bs:
            if path.startswith("/v1/webhooks"):  # webhook-id is the event's id
                m = re.search(rb'"id"\s*:\s*"([^"]*)"', body)
                event_id = m.group(1).decode() if m else "msg_%d" % n
                headers = [h for h in headers if not h.startswith("webhook-id")]
                headers.append("webhook-id: " + event_id)
            yield request(method, target, headers, body)
        if method == "GET":
            for q in QUERIES[1:]:
                yield request(method, target + q, headers)
        yield request(method, target, [], bs[0])  # no credentials
    # The bad request lines of tests/unit/http/test_routing.c, and kin.
    yield b"GET /v1/echo?a=%01 HTTP/1.1\r\nHost: t\r\n\r\n"
    yield b"GET /v1/echo?a=%zz HTTP/1.1\r\nHost: t\r\n\r\n"
    yield b"GET /v1/time HTTP/1.1\r\nHost: t\r\nContent-Length: 12x\r\n\r\n"
    yield b"GET /v1/time HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
    yield b"GET /v1/time\r\n\r\n"
    yield b"HEAD /v1/time HTTP/1.1\r\n\r\n"
    yield b"OPTIONS /v1/orders HTTP/1.1\r\n\r\n"
    yield b"PATCH /v1/orders HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"
    yield b"POST /v1/orders HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    yield b"POST /v1/auth/login HTTP/1.1\r\n\r\n"
    yield b"GET /v1/./markets/../markets//BTC-AUD/ticker HTTP/1.1\r\n\r\n"
    yield b"GET /v1/markets/BTC%2DAUD/orderbook?depth=1;x=%20+y HTTP/1.1\r\n\r\n"
    yield b"DELETE /v1/orders/o_1 HTTP/1.1\r\nAuthorization: Bearer $TOKEN\r\n" \
          b"Content-Length: 2\r\n\r\n{}"

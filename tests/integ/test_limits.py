"""Limits on everything a client controls (DESIGN section 6): body size (413), header
size (431/400), rate limits (429 with Retry-After and RateLimit-*), slow clients
and connection counts; plus the protocol basics every response shares
(X-Request-Id, the error body, 404/405).

Waits here are bounded deadlines for the server to act (close a stalled
connection), never performance thresholds.
"""

import json
import os
import socket
import subprocess
import time
import uuid

import pytest

from naxlib import Server, naxd_binary, new_user, raw_request, status_of


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("naxd-limits"))
    server.start()
    try:
        yield server
    finally:
        server.close()


def post_raw(server, path, body, extra_headers=b"", timeout=20.0):
    """POST with an explicit Content-Length on a new socket; sending may be cut
    short when the server answers early and closes. Returns the raw response."""
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nIdempotency-Key: {uuid.uuid4()}\r\n").encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as s:
        s.sendall(head + extra_headers + b"\r\n")
        try:
            for i in range(0, len(body), 65536):
                s.sendall(body[i:i + 65536])
        except (BrokenPipeError, ConnectionResetError):
            pass
        chunks = []
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    break
                chunks.append(c)
        except (socket.timeout, ConnectionResetError):
            pass
    return b"".join(chunks)


def body_json(raw):
    head, _, rest = raw.partition(b"\r\n\r\n")
    return json.loads(rest[: rest.rfind(b"}") + 1]) if b"{" in rest else {}


def header_of(raw, name):
    head = raw.partition(b"\r\n\r\n")[0].decode("latin-1")
    for line in head.split("\r\n")[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == name.lower():
            return v.strip()
    return None


# ---- sizes ----------------------------------------------------------------------------


def test_body_over_the_default_limit_is_413(srv):
    body = b'{"email":"' + b"a" * (1 << 20) + b'@example.com","password":"x"}'
    raw = post_raw(srv, "/v1/auth/register", body)
    assert status_of(raw) == 413, raw[:300]
    err = body_json(raw)["error"]
    assert err["code"] == "payload_too_large"
    assert err["request_id"] == header_of(raw, "X-Request-Id")
    srv.api.get("/v1/time").expect(200)


def test_body_over_a_configured_limit_is_413(server_factory):
    server = server_factory(config={"limits": {"max_body": 2048}})
    ok = {"email": f"s-{uuid.uuid4().hex[:8]}@example.com", "password": "Correct-Horse-7-Battery"}
    server.api.post("/v1/auth/register", json=ok).expect(201)
    big = dict(ok, full_name="x" * 4096)
    r = server.api.post("/v1/auth/register", json=big, fresh=True)
    assert r.status == 413 and r.code == "payload_too_large", r.text


def test_huge_headers_are_refused(srv):
    # A head over max_header_bytes (8 KiB here) is answered 431/400, or, when it
    # does not fit libwebsockets' header table at all, the connection is closed
    # without a reply (lws 4.1 cannot answer it). It is never served.
    def refused(raw):
        try:
            status = status_of(raw_request(srv, raw))
        except (ConnectionResetError, BrokenPipeError):
            return True
        return status in (None, 400, 431)

    for size in (9000, 12000, 20000):
        one_big = (b"GET /v1/time HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * size +
                   b"\r\n\r\n")
        assert refused(one_big), size
    many = b"GET /v1/time HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(
        f"X-H{i}: {'b' * 100}\r\n".encode() for i in range(200)) + b"\r\n"
    assert refused(many)
    srv.api.get("/v1/time").expect(200)


# ---- rate limits -------------------------------------------------------------------------


def test_rate_limit_gives_429_with_retry_after_and_ratelimit_headers(server_factory):
    # One token per 100 s after a burst of 3: the 4th request is refused.
    server = server_factory(config={"rate_limits": {"default": {"rate": 0.01, "burst": 3}}})
    seen = []
    for _ in range(6):
        r = server.api.get("/v1/time")
        seen.append(r)
    statuses = [r.status for r in seen]
    assert statuses[:3] == [200, 200, 200] and 429 in statuses[3:], statuses
    for r in seen[:3]:
        assert int(r.headers["RateLimit-Limit"]) >= 3
        assert int(r.headers["RateLimit-Reset"]) >= 0
    remaining = [int(r.headers["RateLimit-Remaining"]) for r in seen[:3]]
    assert remaining == sorted(remaining, reverse=True) and remaining[-1] == 0, remaining
    limited = next(r for r in seen if r.status == 429)
    assert limited.code == "rate_limited" and limited.error.get("request_id")
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers.get("RateLimit-Remaining") == "0"


def test_auth_routes_have_their_own_tighter_limit(server_factory):
    server = server_factory(config={"rate_limits": {"auth": {"rate": 0.01, "burst": 2}}})
    user = new_user(server)  # register + login: the two tokens of the auth bucket
    r = server.api.post("/v1/auth/login", json={"email": user.email, "password": user.password})
    assert r.status == 429 and r.headers.get("Retry-After"), r.text
    # other routes are unaffected
    server.api.get("/v1/time").expect(200)
    user.get("/v1/wallets/balances").expect(200)


def test_injected_rate_limit_carries_the_retry_after(srv):
    r = srv.api.get("/v1/time", headers={"X-NAX-Fault": "rate_limit;retry_after_s=7"})
    assert r.status == 429 and r.headers.get("Retry-After") == "7" and r.code == "rate_limited"
    r = srv.api.get("/v1/time", headers={"X-NAX-Fault": "no_such_fault"})
    assert r.status == 400 and r.error.get("field") == "X-NAX-Fault", r.text


# ---- slow clients and connection counts -----------------------------------------------------


def closed_within(sock, seconds):
    """True when the server closes the connection (or answers and closes) before
    the deadline; reads and discards what it sends."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data = sock.recv(4096)
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError):
            return True
        if not data:
            return True
    return False


def test_stalled_and_trickling_clients_are_cut_off(server_factory):
    server = server_factory(config={"limits": {"idle_timeout_s": 2}})
    # headers that never finish
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(b"GET /v1/time HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        assert closed_within(s, 30), "a stalled request kept its connection"
    # a body that never finishes
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(b"POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"em")
        assert closed_within(s, 30), "a stalled body kept its connection"
    # slowloris: a header byte every 0.5 s keeps no idle timer from firing, yet the
    # server must still give up on the request
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(b"GET /v1/time HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        deadline = time.monotonic() + 40
        closed = False
        while time.monotonic() < deadline and not closed:
            try:
                s.sendall(b"a")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            closed = closed_within(s, 0.5)
        assert closed, "a trickling client held its connection for 40 s (idle timeout 2 s)"
    server.api.get("/v1/time").expect(200)


def test_connection_limit(server_factory):
    limit = 8
    server = server_factory(config={"limits": {"max_conns": limit}})
    socks, answered = [], 0
    try:
        for _ in range(limit + 8):
            try:
                socks.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
            except OSError:
                pass
        for s in socks:
            try:
                s.sendall(b"GET /v1/time HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                s.settimeout(3)
                if s.recv(4096).startswith(b"HTTP/1.1 200"):
                    answered += 1
            except OSError:
                pass
    finally:
        for s in socks:
            s.close()
    assert 1 <= answered <= limit, answered
    # once the clients are gone (naxd notices the closes asynchronously) it serves again
    for _ in range(40):
        try:
            server.api.get("/v1/time", fresh=True).expect(200)
            break
        except (ConnectionError, OSError):
            time.sleep(0.25)
    else:
        pytest.fail("naxd did not accept connections again after the clients closed")


# ---- protocol basics ---------------------------------------------------------------------------


def test_request_ids_are_echoed_or_made(srv):
    r = srv.api.get("/v1/time", headers={"X-Request-Id": "integ-req-123"})
    assert r.headers.get("X-Request-Id") == "integ-req-123"
    r = srv.api.get("/v1/time")
    made = r.headers.get("X-Request-Id")
    assert made and 1 <= len(made) <= 128
    assert srv.api.get("/v1/time").headers.get("X-Request-Id") != made
    r = srv.api.get("/v1/time", headers={"X-Request-Id": "bad id\x7f" + "x" * 300})
    assert r.headers.get("X-Request-Id") and len(r.headers["X-Request-Id"]) <= 128
    r = srv.api.get("/v1/orders", headers={"X-Request-Id": "integ-req-401"})
    assert r.status == 401 and r.error["request_id"] == "integ-req-401"


def test_unknown_paths_and_methods(srv):
    r = srv.api.get("/v1/nope")
    assert r.status == 404 and r.code == "not_found" and r.error.get("request_id")
    r = srv.api.call("PATCH", "/v1/orders", json={})
    assert r.status == 405 and r.code == "method_not_allowed", r.text
    r = srv.api.get("/v1/markets/NOPE-AUD/ticker")
    assert r.status == 404, r.text
    r = srv.api.get("/v1/markets/btc_aud/orderbook")
    assert r.status in (400, 404), r.text
    r = srv.api.get("/v1/markets/BTC-AUD/orderbook?depth=0")
    assert r.status == 400, r.text


def test_malformed_bodies(srv):
    for body, code in ((b"{", "invalid_json"), (b"[]", "invalid_request"),
                       (b'{"email":"a@example.com"}', "invalid_request"),
                       (b'{"email":"a@example.com","email":"b@example.com","password":"p"}',
                        "invalid_json"),
                       (b'{"email":"a@example.com","password":"\xff\xfe"}', "invalid_json")):
        r = srv.api.post("/v1/auth/register", body=body)
        assert r.status == 400 and r.code == code, (body, r.status, r.text)


def test_fault_routes_exist_only_in_fault_mode(server_factory):
    server = server_factory(fault_injection=False)
    r = server.admin("POST", "/admin/faults", json={"route": "*", "action": "delay",
                                                    "count": 1, "delay_ms": 10})
    assert r.status == 404
    r = server.api.get("/v1/time", headers={"X-NAX-Fault": "error_before_commit"})
    assert r.status == 200, "the fault header is ignored without --fault-injection"


# ---- nesting ----------------------------------------------------------------------------
# A body of a megabyte can nest half a million levels. Every JSON body naxd
# reads -- contract types, GraphQL, operator routes -- is refused with a 400
# long before that, and nothing recurses over it: naxd stays up.

def nested(depth, inner=b"1"):
    return b'{"a":' + b"[" * depth + inner + b"]" * depth + b"}"


@pytest.mark.parametrize("depth", [40, 1000, 200000])
def test_deeply_nested_bodies_are_refused_on_every_json_route(srv, depth):
    user = new_user(srv)
    deep = nested(depth)
    member = b'{"pair":' + b"[" * depth + b'"BTC-AUD"' + b"]" * depth + b"}"
    graphql = (b'{"query":"query($v: CreateOrderInput!) { balances { asset } }","variables":'
               + nested(depth) + b"}")
    cases = [("POST", "/v1/auth/register", deep, None),
             ("POST", "/v1/orders", deep, user.token),
             ("POST", "/v1/orders", member, user.token),
             ("PUT", "/v1/users/profile", deep, user.token),
             ("POST", "/graphql", graphql, user.token),
             ("POST", "/admin/faults", deep, srv.operator_token),
             ("POST", "/admin/stream-bench", deep, srv.operator_token)]
    for method, path, body, token in cases:
        r = srv.api.call(method, path, body=body, token=token)
        assert r.status == 400, (path, depth, r.status, r.text[:200])
        assert r.json()["error"]["request_id"], r.text[:200]
    assert srv.alive() and srv.api.get("/v1/time").status == 200


def test_a_deeply_nested_config_file_is_refused_at_start(tmp_path):
    config = tmp_path / "naxd.json"
    config.write_bytes(b'{"limits":' + b"[" * 200000 + b"]" * 200000 + b"}")
    p = subprocess.run([naxd_binary(), "--listen", "127.0.0.1:0", "--data", str(tmp_path / "d"),
                        "--config", str(config)], capture_output=True, timeout=60,
                       env=dict(os.environ, NAXD_JWT_SECRET="x" * 40))
    assert p.returncode != 0
    assert b"nested deeper than" in p.stderr, p.stderr[-500:]

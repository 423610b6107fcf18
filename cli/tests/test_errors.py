"""Exit codes follow the error class, and every error is one line naming the
message, the field, the server's code and the request id; secrets never show."""

import json
import socket

import naxlib
from conftest import (EXIT_ARGUMENT, EXIT_AUTH, EXIT_HTTP, EXIT_NETWORK, EXIT_NOTFOUND,
                      EXIT_REJECTED, EXIT_USAGE, Cli)


def one_line(r):
    lines = r.err.splitlines()
    assert len(lines) == 1, r
    return lines[0]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_bad_credentials(naxd, trader, home):
    wrong = Cli(home, url=naxd.url, key=naxlib.ApiKey(trader.user, {
        "id": trader.key.id, "secret": "0" * 64, "scopes": []}))
    r = wrong("balances").expect(EXIT_AUTH)
    line = one_line(r)
    assert "code invalid_signature" in line and "HTTP 401" in line and "request " in line
    assert "0" * 64 not in r.err + r.out
    # a token naxd never issued
    r = Cli(home, url=naxd.url, token="not.a.jwt")("order", "list").expect(EXIT_AUTH)
    assert "HTTP 401" in one_line(r)
    assert "not.a.jwt" not in r.err
    # an unknown key id
    r = Cli(home, url=naxd.url)("--api-key", "ak_nope", "balances",
                                env={"NAX_API_SECRET": "s3cr3t-value"}).expect(EXIT_AUTH)
    assert "s3cr3t-value" not in r.err + r.out


def test_not_found(nax):
    line = one_line(nax("order", "get", "o_999999").expect(EXIT_NOTFOUND))
    assert "code not_found" in line and "HTTP 404" in line and "request " in line
    r = nax("--json", "order", "cancel", "o_999999").expect(EXIT_NOTFOUND)
    err = json.loads(one_line(r))["error"]
    assert err["code"] == "not_found" and err["request_id"]


def test_validation_error_shows_the_field(nax):
    # naxd refuses it (422), naming the field
    line = one_line(nax("withdraw", "BTC", "0.1", "--address", "not-an-address")
                    .expect(EXIT_REJECTED))
    assert "field address" in line and "code invalid_address" in line and "HTTP 422" in line
    r = nax("--json", "withdraw", "BTC", "0.1", "--address", "nope").expect(EXIT_REJECTED)
    err = json.loads(one_line(r))["error"]
    assert err["field"] == "address" and err["code"] == "invalid_address" and err["request_id"]
    # a 400 for a malformed filter, also with its field
    line = one_line(nax("order", "list", "--pair", "NOPE").expect(EXIT_REJECTED))
    assert "field pair" in line and "HTTP 400" in line
    # refused before sending: the argument class
    line = one_line(nax("order", "place", "BTC-AUD", "buy", "1", "--price", "0.005")
                    .expect(EXIT_ARGUMENT))
    assert "field price" in line


def test_other_http_errors(nax, naxd, trader):
    # 422 insufficient funds is a rejected request too
    nax("order", "place", "BTC-AUD", "buy", "1000", "--price", "100000.00").expect(EXIT_REJECTED)
    # a client order id that belongs to another order: 409, the generic HTTP class
    nax("order", "place", "BTC-AUD", "sell", "0.1", "--price", "900000.00",
        "--client-id", "dup-1").expect(0)
    r = nax("order", "place", "BTC-AUD", "sell", "0.2", "--price", "900000.00",
            "--client-id", "dup-1")
    assert r.rc == EXIT_HTTP, r
    assert "HTTP 409" in one_line(r)


def test_usage_errors(nax):
    for args in (["frobnicate"], ["--frobnicate", "markets"], ["markets", "--frobnicate"],
                 ["book"], ["book", "A", "B"], ["--url"], []):
        r = nax(*args)
        assert r.rc == EXIT_USAGE, (args, r)
        assert r.out == ""
    assert "unknown command 'frobnicate'" in one_line(nax("frobnicate"))
    # no URL anywhere
    r = nax("markets", env={"NAX_URL": None}).expect(EXIT_USAGE)
    assert "no server URL" in one_line(r)
    # a private command without credentials
    r = nax("balances", creds=False).expect(EXIT_USAGE)
    assert "needs credentials" in one_line(r)
    # usage errors in JSON mode are the contract's error body too
    err = json.loads(one_line(nax("--json", "book", "BTC-AUD", "--depth", "x")
                              .expect(EXIT_USAGE)))
    assert err["error"]["code"] == "usage" and "--depth: 'x'" in err["error"]["message"]


def test_naxd_down_is_a_network_error(home):
    down = Cli(home, url=f"http://127.0.0.1:{free_port()}")
    line = one_line(down("markets").expect(EXIT_NETWORK))
    assert "connect" in line
    r = down("--json", "ticker", "BTC-AUD").expect(EXIT_NETWORK)
    assert json.loads(one_line(r))["error"]["code"] == "network"


def test_verbose_log_never_shows_secrets(nax, trader):
    r = nax("--verbose", "balances").expect(0)
    assert "[debug]" in r.err
    assert trader.key.secret not in r.err + r.out

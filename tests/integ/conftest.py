"""Fixtures and helpers for the naxd integration tests (tests/integ/).

Run: /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integ   (ctest: `integ`)
naxd comes from $NAXD_BIN (CMake sets it) else build/server/naxd.

Fixtures
--------
naxd            (module scope) a started Server with the test config; stopped with
                SIGTERM at teardown, which asserts exit 0 (so LeakSanitizer reports
                in ASan builds fail the module) and no sanitizer report in stderr.
api             (module scope) naxd.api
server_factory  (function scope) server_factory(config={...overrides}, env={...},
                args=[...], fault_injection=True, start=True) -> Server; extra servers
                (e.g. tight rate limits) stopped the same way at teardown.
                Overrides deep-merge into the default config; a None value removes a key.

Server (naxlib.Server)
----------------------
Started as `naxd --listen 127.0.0.1:0 --data DIR/data --config DIR/naxd.json
--fault-injection`; the port comes from the first stdout line
{"event":"listening","port":N}; stdout/stderr are drained to DIR/naxd.stdout.log and
DIR/naxd.stderr.log (appended across restarts).
  .url .port .data_dir .config (dict) .config_path .jwt_secret (NAXD_JWT_SECRET)
  .operator_token .secrets ({"payments"|"custody"|"kyc": "whsec_..."}) .api .listening
  .start() .stop(timeout=10, check=True) -> exit code   (SIGTERM; asserts 0 with check)
  .kill9()  .restart(kill=False)  .alive()  .verify_audit() -> (rc, output)
  .stdout_text() .stderr_text() .stderr_tail(n)   (e.g. assert no secret in the logs)
  .admin(method, path, json=...)   operator Bearer token
  .faults(route, action, count=1, **extra) .clock_skew(ms) .clear_faults()   (/admin/faults)
  .metrics() -> {"series{labels}": Decimal}
  .wait_writable(timeout=15)   after a failed commit: until /health says store "ok" again
Default config: kdf m_cost_kib 64, t_cost 1 with kdf_test_only; fresh whsec_ secrets for
payments, custody and kyc; an operator token; rate limits default 100000/s burst
200000, auth 1000/s burst 2000, login_failures 100/s burst 200; the default markets.

HTTP: api.call(method, path, json=..., body=b"...", headers={...}, token=..., key=(id, secret),
idem=None|False|"key", key_ts=ms, timeout=30, retry=True, fresh=False) -> Resp
  Resp: .status .headers (case-insensitive .get) .body (bytes) .json() (decimals as
  Decimal) .text .error ({} or the error object) .code (error code) .expect(*statuses)
  POSTs carry a fresh uuid4 Idempotency-Key unless idem=False (or idem="your-key").
  key= signs per docs/openapi.yaml (timestamp ms + METHOD + target with query + body).
  Shorthands: api.get/post/put/delete. One keep-alive connection per thread; use
  retry=False or fresh=True when a test provokes dropped connections.

Helpers (from naxlib import ...; also re-exported here)
-------------------------------------------------------
new_user(server, email=None, password=DEFAULT_PASSWORD, login=True, **profile) -> User
  User: .id .email .password .token .refresh .profile .login(totp_code=None)
        .call/.get/.post/.delete (Bearer token unless key= given)
make_api_key(user, scopes=("read","trade","withdraw"), label="integ") -> ApiKey(.id .secret
  .scopes), usable as key=apikey or key=(id, secret)
verify_kyc(user)                       POST /admin/users/{id}/kyc {"status":"verified"}
fund_fiat(user, "AUD", "1000.00")      fiat deposit + signed payment.succeeded (KYC first)
fund_crypto(user, "BTC", "1.0")        deposit address + signed deposit.confirmed (KYC first)
balances(user, key=None) -> {asset: (Decimal available, Decimal locked)}; balance(user, asset)
sign_webhook(secret, id, ts, body) -> "v1,<base64>"     webhook_event(type, data, msg_id=None)
send_webhook(server, provider, type, data, msg_id=None, ts=None, secret=None, body=None,
             headers=None) -> Resp
sign_request(secret, ts, method, target, body) -> hex (signs canonical_target(target))
canonical_target("/v1/orders?client_order_id=a b") -> "/v1/orders?client_order_id=a%20b"
totp(base32, t=None) -> "123456"
forge_jwt(secret, claims, header=None, alg="HS256")      jwt_claims(token)
raw_request(server, bytes, timeout) -> bytes; status_of(raw) -> int
D("1.5") -> Decimal; now_ms(); unique_email(); DEFAULT_PASSWORD

Market stream (/v1/stream, asyncio; python3-websockets)
-------------------------------------------------------
StreamClient(server): `async with` a connection; .op(op, **fields) -> ack; .send();
  .subscribe(*channels) -> snapshots; .next(pred) -> the next published message;
  .drain() -> every message queued before a ping's ack; .auth_token(t); .auth_key(key)
LocalBook(): .apply(msg) -> problems ("gap", "checksum"); .levels(); .same_as(rest_book)
book_checksum(bids, asks) (zlib.crc32, docs/asyncapi.yaml); norm_decimal("1.50") -> "1.5"
stream_faults(server, pair=..., drop_updates=N, corrupt_checksums=N, stall_ms=N, close_all=True)
run_async(coro) -> asyncio.run(coro)
Money is compared as decimal.Decimal (or exact strings), never as floats.
"""

import pytest

from naxlib import (D, DEFAULT_PASSWORD, Api, ApiKey, Headers, LocalBook, Resp,  # noqa: F401
                    Server, StreamClient, User, balance, balances, book_checksum,
                    canonical_target, deep_merge, default_config, forge_jwt, fund_crypto,
                    fund_fiat, jwt_claims, make_api_key, naxd_binary, new_user, norm_decimal,
                    now_ms, raw_request, run_async, send_webhook, sign_request, sign_webhook,
                    status_of, stream_faults, totp, unique_email, verify_kyc, webhook_event)


@pytest.fixture(scope="module")
def naxd(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("naxd"))
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def api(naxd):
    return naxd.api


@pytest.fixture
def server_factory(tmp_path_factory):
    started = []

    def make(config=None, env=None, args=(), fault_injection=True, start=True):
        server = Server(tmp_path_factory.mktemp("naxd-extra"), config=config, env=env,
                        args=args, fault_injection=fault_injection)
        started.append(server)
        if start:
            server.start()
        return server

    yield make
    errors = []
    for server in started:
        try:
            server.close()
        except AssertionError as e:  # report every server, not only the first
            errors.append(str(e))
    assert not errors, "\n\n".join(errors)

"""Helpers for the naxd integration tests: start a server, talk to it, fund users.

conftest.py documents the API; this module holds the code so tests can also
`from naxlib import ...` without depending on pytest's conftest import rules.
Everything here is standard library only (Debian's python3).
"""

import base64
import copy
import hashlib
import hmac
import http.client
import json as jsonlib
import os
import secrets as secrets_mod
import shlex
import signal
import socket
import struct
import subprocess
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

DEFAULT_PASSWORD = "Correct-Horse-7-Battery"
PROVIDERS = ("payments", "custody", "kyc")
# NAXD_WRAPPER (e.g. "valgrind --tool=memcheck ...", split with shlex) is put in
# front of every naxd the tests start; such a naxd runs 20-50x slower, so the waits
# for it scale by NAXD_TIMEOUT_SCALE (default 20 when a wrapper is set).
NAXD_WRAPPER = shlex.split(os.environ.get("NAXD_WRAPPER", ""))
TIMEOUT_SCALE = float(os.environ.get("NAXD_TIMEOUT_SCALE") or (20 if NAXD_WRAPPER else 1))
START_TIMEOUT_S = 60.0 * TIMEOUT_SCALE  # ASan builds and first-start migrations are slow
STOP_TIMEOUT_S = 10.0 * TIMEOUT_SCALE
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")

_missing = object()


def D(text):
    """Decimal from a string (never from a float)."""
    assert not isinstance(text, float), "money is never a float"
    return Decimal(text)


def now_ms():
    return int(time.time() * 1000)


_last_sign_ts = [0]
_sign_lock = threading.Lock()


def sign_ts():
    """A signing timestamp later than the previous one: naxd accepts each
    (key, timestamp, signature) once, so two identical requests signed in the
    same millisecond would collide (libnax does the same)."""
    with _sign_lock:
        ts = max(now_ms(), _last_sign_ts[0] + 1)
        _last_sign_ts[0] = ts
        return ts
def naxd_binary():
    """NAXD_BIN (set by CMake) else build/server/naxd."""
    path = os.environ.get("NAXD_BIN") or str(REPO / "build" / "server" / "naxd")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"naxd binary not found at {path} (set NAXD_BIN or build target naxd)")
    return path


def new_webhook_secret():
    return "whsec_" + base64.b64encode(secrets_mod.token_bytes(24)).decode()


def deep_merge(base, override):
    """A copy of base with override merged in (dicts merge, anything else replaces;
    a None value removes the key)."""
    out = copy.deepcopy(base)
    for k, v in (override or {}).items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def default_config():
    """The test configuration: cheap KDF (test only), fresh secrets, high limits."""
    return {
        "kdf": {"m_cost_kib": 64, "t_cost": 1, "parallelism": 1},
        "kdf_test_only": True,
        "webhook_providers": {p: [new_webhook_secret()] for p in PROVIDERS},
        "operator_token": "op_" + secrets_mod.token_hex(16),
        "rate_limits": {
            "default": {"rate": 100000, "burst": 200000},
            "auth": {"rate": 1000, "burst": 2000},
            "login_failures": {"rate": 100, "burst": 200},
        },
    }


# ---- HTTP -------------------------------------------------------------------


class Headers:
    """Response headers with case-insensitive lookup; repeated headers join with ', '."""

    def __init__(self, pairs):
        self._items = list(pairs)
        self._map = {}
        for k, v in self._items:
            lk = k.lower()
            self._map[lk] = v if lk not in self._map else self._map[lk] + ", " + v

    def get(self, name, default=None):
        return self._map.get(name.lower(), default)

    def __getitem__(self, name):
        return self._map[name.lower()]

    def __contains__(self, name):
        return name.lower() in self._map

    def items(self):
        return list(self._items)

    def __repr__(self):
        return f"Headers({self._items!r})"


class Resp:
    """One HTTP response: status, headers (case-insensitive), body (bytes)."""

    def __init__(self, method, target, status, headers, body):
        self.method, self.target = method, target
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return jsonlib.loads(self.body.decode("utf-8"), parse_float=Decimal)

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def error(self):
        """The error object of an error body, or {}."""
        try:
            doc = self.json()
        except ValueError:
            return {}
        return doc.get("error", {}) if isinstance(doc, dict) else {}

    @property
    def code(self):
        return self.error.get("code")

    def expect(self, *statuses):
        """Assert the status is one of statuses; returns self (chainable)."""
        assert self.status in statuses, (
            f"{self.method} {self.target}: expected {statuses}, got {self.status}: {self.text[:2000]}"
        )
        return self

    def __repr__(self):
        return f"<Resp {self.method} {self.target} {self.status} {self.body[:200]!r}>"


def canonical_target(target):
    """The request target in the canonical form API-key signatures cover
    (docs/openapi.yaml): every byte but A-Z a-z 0-9 - . _ ~ percent-encoded with
    upper-case hex, except the / between segments, the ? before the query, and the
    = and & of its parameters. Already-encoded input is decoded first."""
    from urllib.parse import quote, unquote_to_bytes

    def enc(part):
        return quote(unquote_to_bytes(part), safe="-._~")

    path, sep, query = target.partition("?")
    out = "/".join(enc(seg) for seg in path.split("/"))
    if sep:
        params = []
        for p in query.split("&"):
            name, eq, value = p.partition("=")
            params.append(enc(name) + eq + enc(value))
        out += "?" + "&".join(params)
    return out


def sign_request(secret, timestamp, method, target, body=b""):
    """X-NAX-SIGNATURE: hex HMAC-SHA256(secret, ts || METHOD || canonical target || body)."""
    msg = (str(timestamp).encode() + method.upper().encode() + canonical_target(target).encode() +
           (body or b""))
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


class Api:
    """HTTP client bound to a Server; one keep-alive connection per thread.

    call(method, path, json=..., body=bytes, headers={...}, token=..., key=(id, secret),
         idem=None|False|"key", key_ts=None, timeout=30, retry=True, fresh=False) -> Resp
    - json: encoded compactly; body: raw bytes (wins over json).
    - token: Bearer token (a JWT, or the operator token).
    - key: API key (id, secret) tuple or an object with .id/.secret; the request is
      signed per docs/openapi.yaml (over the canonical form of the target, which is
      sent as given); key_ts overrides the timestamp (ms).
    - idem: POSTs get a fresh uuid4 Idempotency-Key unless idem=False; a string is used as is.
    - retry: one reconnect-and-resend when a reused keep-alive connection turns out
      closed (RemoteDisconnected, reset, broken pipe). Pass retry=False when the
      test provokes a dropped connection; fresh=True uses a new connection and closes it.
    """

    def __init__(self, server):
        self.server = server
        self._local = threading.local()

    def _conn(self, timeout, fresh):
        if fresh:
            return http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout), False
        state = getattr(self._local, "state", None)
        if state and state[0] == self.server.port and time.monotonic() - state[2] < 5.0:
            conn = state[1]
            conn.timeout = timeout
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
            return conn, True
        if state:
            state[1].close()
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)
        self._local.state = (self.server.port, conn, time.monotonic())
        return conn, False

    def _drop_conn(self):
        state = getattr(self._local, "state", None)
        if state:
            state[1].close()
        self._local.state = None

    def call(self, method, path, json=_missing, body=None, headers=None, token=None, key=None,
             idem=None, key_ts=None, timeout=30.0, retry=True, fresh=False):
        method = method.upper()
        if body is None and json is not _missing:
            body = jsonlib.dumps(json, separators=(",", ":"), default=str).encode()
        hdrs = {}
        if body is not None:
            hdrs["Content-Type"] = "application/json"
        if method == "POST" and idem is not False:
            hdrs["Idempotency-Key"] = idem if isinstance(idem, str) else str(uuid.uuid4())
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        if key is not None:
            key_id, key_secret = (key.id, key.secret) if hasattr(key, "secret") else key
            ts = str(key_ts if key_ts is not None else sign_ts())
            hdrs["X-NAX-APIKEY"] = key_id
            hdrs["X-NAX-TIMESTAMP"] = ts
            hdrs["X-NAX-SIGNATURE"] = sign_request(key_secret, ts, method, path, body or b"")
        hdrs.update(headers or {})
        for attempt in (0, 1):
            conn, reused = self._conn(timeout, fresh)
            try:
                conn.request(method, path, body=body, headers=hdrs)
                r = conn.getresponse()
                data = r.read()
                resp = Resp(method, path, r.status, Headers(r.getheaders()), data)
                if fresh or r.will_close:
                    conn.close()
                    if not fresh:
                        self._local.state = None
                else:
                    self._local.state = (self.server.port, conn, time.monotonic())
                return resp
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if fresh:
                    conn.close()
                else:
                    self._drop_conn()
                if attempt == 0 and reused and retry:
                    continue
                raise
            except Exception:
                if fresh:
                    conn.close()
                else:
                    self._drop_conn()
                raise
        raise AssertionError("unreachable")

    # shorthands
    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, json=_missing, **kw):
        return self.call("POST", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def put(self, path, json=_missing, **kw):
        return self.call("PUT", path, json=json, **kw)


# ---- the server ---------------------------------------------------------------


class Server:
    """A naxd process on 127.0.0.1 with an ephemeral port and its own data folder.

    Attributes: url, port, data_dir, config (dict as written), config_path,
    jwt_secret (NAXD_JWT_SECRET), operator_token, secrets ({provider: whsec}),
    api (Api), proc, log_dir. Methods: start(), stop(), kill9(), restart(kill=False),
    alive(), verify_audit(), stdout_text(), stderr_text(), admin(), faults(), clear_faults().
    """

    def __init__(self, workdir, config=None, env=None, args=(), fault_injection=True,
                 binary=None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.data_dir = self.workdir / "data"
        self.config_path = self.workdir / "naxd.json"
        self.log_dir = self.workdir
        self.stdout_path = self.workdir / "naxd.stdout.log"
        self.stderr_path = self.workdir / "naxd.stderr.log"
        self.config = deep_merge(default_config(), config)
        self.config_path.write_text(jsonlib.dumps(self.config, indent=2))
        self.secrets = {name: sec[0] for name, sec in self.config.get("webhook_providers", {}).items()
                        if sec}
        self.operator_token = self.config.get("operator_token")
        self.jwt_secret = secrets_mod.token_hex(24)  # 48 bytes: naxd needs >= 32
        self.extra_env = dict(env or {})
        self.args = list(args)
        self.fault_injection = fault_injection
        self.binary = binary or naxd_binary()
        self.proc = None
        self.port = None
        self.listening = None
        self.starts = 0
        self.exit_codes = []
        self._threads = []
        self._first_line = None
        self._first_event = threading.Event()
        self.api = Api(self)

    # -- lifecycle
    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("NAXD_")}
        env["NAXD_JWT_SECRET"] = self.jwt_secret
        env.update(self.extra_env)
        return env

    def command(self):
        cmd = NAXD_WRAPPER + [self.binary, "--listen", "127.0.0.1:0", "--data", str(self.data_dir),
               "--config", str(self.config_path)]
        if self.fault_injection:
            cmd.append("--fault-injection")
        return cmd + self.args

    def _drain(self, stream, path, first):
        with open(path, "ab") as out:
            for line in iter(stream.readline, b""):
                if first and self._first_line is None:
                    self._first_line = line
                    self._first_event.set()
                out.write(line)
                out.flush()
        if first:
            self._first_event.set()
        stream.close()

    def start(self):
        assert not self.alive(), "naxd already running"
        self._first_line = None
        self._first_event.clear()
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=self.env(), start_new_session=True)
        self.starts += 1
        self._threads = [
            threading.Thread(target=self._drain, args=(self.proc.stdout, self.stdout_path, True),
                             daemon=True),
            threading.Thread(target=self._drain, args=(self.proc.stderr, self.stderr_path, False),
                             daemon=True),
        ]
        for t in self._threads:
            t.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._first_event.wait(0.05):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                break
        line = self._first_line
        try:
            info = jsonlib.loads(line) if line else None
        except ValueError:
            info = None
        if not info or info.get("event") != "listening" or not info.get("port"):
            rc = self.proc.poll()
            if rc is None:
                self._kill()
            time.sleep(0.1)
            raise RuntimeError(
                f"naxd did not start (exit {self.proc.returncode}, first stdout line {line!r});"
                f" command {' '.join(self.command())}\nstderr tail:\n{self.stderr_tail()}")
        self.listening = info
        self.port = int(info["port"])
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def _join(self):
        for t in self._threads:
            t.join(5)
        self._threads = []

    def _kill(self):
        try:
            os.kill(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self._join()

    def stop(self, timeout=STOP_TIMEOUT_S, check=True):
        """SIGTERM; waits up to timeout s. With check, asserts exit code 0 (a leak
        report from LeakSanitizer makes it non-zero). Returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._kill()
                raise AssertionError(
                    f"naxd did not exit within {timeout} s of SIGTERM\n{self.stderr_tail()}")
        self._join()
        rc = self.proc.returncode
        self.exit_codes.append(rc)
        if check:
            assert rc == 0, f"naxd exited {rc} after SIGTERM\nstderr tail:\n{self.stderr_tail()}"
        return rc

    def kill9(self):
        """SIGKILL, as a crash: nothing is flushed."""
        if self.alive():
            self._kill()
            self.exit_codes.append(self.proc.returncode)

    def restart(self, kill=False):
        (self.kill9 if kill else self.stop)()
        return self.start()

    def close(self):
        """Teardown: graceful stop with exit-code check; always killed in the end;
        sanitizer reports anywhere in stderr fail too."""
        try:
            if self.alive():
                self.stop(check=True)
        finally:
            if self.alive():
                self._kill()
        self.check_sanitizers()

    def check_sanitizers(self):
        text = self.stderr_text()
        for marker in SANITIZER_MARKERS:
            assert marker not in text, f"sanitizer report in naxd stderr:\n{self.stderr_tail(80)}"

    # -- logs
    def stdout_text(self):
        return self.stdout_path.read_text(errors="replace") if self.stdout_path.exists() else ""

    def stderr_text(self):
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    def stderr_tail(self, lines=40):
        return "\n".join(self.stderr_text().splitlines()[-lines:])

    # -- tools
    def verify_audit(self):
        """`naxd verify-audit --data DIR`: (exit code, stdout text)."""
        p = subprocess.run([self.binary, "verify-audit", "--data", str(self.data_dir)],
                           capture_output=True, env=self.env(), timeout=120)
        return p.returncode, p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")

    def admin(self, method, path, json=_missing, **kw):
        return self.api.call(method, path, json=json, token=self.operator_token, **kw)

    def faults(self, route, action, count=1, **extra):
        """Script the next `count` requests of `route` ("POST /v1/orders" or "*")."""
        body = {"route": route, "action": action, "count": count}
        body.update(extra)
        return self.admin("POST", "/admin/faults", json=body).expect(200, 201, 204)

    def clock_skew(self, ms):
        return self.admin("POST", "/admin/faults", json={"clock_skew_ms": ms}).expect(200, 201, 204)

    def store_max_pages(self, pages):
        """Cap the database at `pages` pages (1: full now; 0: lift the cap)."""
        return self.admin("POST", "/admin/faults", json={"store_max_pages": pages}).expect(204)

    def clear_faults(self):
        return self.admin("DELETE", "/admin/faults").expect(200, 204)

    def wait_writable(self, timeout=15.0):
        """After a failed commit naxd refuses writes until it has rebuilt its memory
        and a probe commit succeeds (about a second): wait for /health to say
        store "ok" again. A bounded wait, not a timing assertion."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.api.get("/health")
            if r.status == 200 and r.json().get("store") == "ok":
                return
            assert time.monotonic() < deadline, f"store still not writable: {r.status} {r.text}"
            time.sleep(0.1)

    def metrics(self):
        """/metrics as {series_with_labels: Decimal}."""
        r = self.api.get("/metrics").expect(200)
        out = {}
        for line in r.text.splitlines():
            if not line or line.startswith("#"):
                continue
            name, _, value = line.rpartition(" ")
            out[name] = Decimal(value) if value not in ("NaN", "+Inf", "-Inf") else value
        return out


# ---- users, keys, money -------------------------------------------------------


class User:
    """A registered, logged-in user: id, email, password, token, refresh, profile."""

    def __init__(self, server, email, password, profile):
        self.server = server
        self.email, self.password, self.profile = email, password, profile
        self.id = profile["id"]
        self.token = self.refresh = None
        self.kyc_verified = False

    def login(self, totp_code=None):
        body = {"email": self.email, "password": self.password}
        if totp_code:
            body["totp_code"] = totp_code
        r = self.server.api.post("/v1/auth/login", json=body).expect(200)
        tok = r.json()
        self.token, self.refresh = tok["access_token"], tok["refresh_token"]
        return tok

    def call(self, method, path, **kw):
        """api.call with this user's Bearer token (unless key= is given)."""
        if "key" not in kw and "token" not in kw:
            kw["token"] = self.token
        return self.server.api.call(method, path, **kw)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, json=_missing, **kw):
        return self.call("POST", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def __repr__(self):
        return f"<User {self.id} {self.email}>"


class ApiKey:
    def __init__(self, user, doc):
        self.user, self.doc = user, doc
        self.id, self.secret, self.scopes = doc["id"], doc["secret"], doc["scopes"]

    def __iter__(self):  # unpacks as (id, secret)
        return iter((self.id, self.secret))


def unique_email(prefix="user"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def new_user(server, email=None, password=DEFAULT_PASSWORD, login=True, **profile):
    """Register (201) and, by default, log in (200). profile: full_name, country."""
    email = email or unique_email()
    body = {"email": email, "password": password}
    body.update(profile)
    r = server.api.post("/v1/auth/register", json=body).expect(201)
    user = User(server, email, password, r.json())
    if login:
        user.login()
    return user


def make_api_key(user, scopes=("read", "trade", "withdraw"), label="integ"):
    r = user.post("/v1/auth/api-keys", json={"label": label, "scopes": list(scopes)}).expect(201)
    return ApiKey(user, r.json())


def verify_kyc(user):
    """KYC verified through the operator route."""
    r = user.server.admin("POST", f"/admin/users/{user.id}/kyc",
                          json={"status": "verified"}).expect(200)
    user.kyc_verified = True
    return r.json()


def sign_webhook(secret, msg_id, timestamp, body):
    """Standard Webhooks signature header value: "v1,<base64 HMAC-SHA256>" over
    "{id}.{timestamp}.{body}", keyed with the base64 part of whsec_..."""
    if isinstance(body, str):
        body = body.encode()
    key = (base64.b64decode(secret[len("whsec_"):]) if secret.startswith("whsec_")
           else secret.encode())
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def webhook_event(event_type, data, msg_id=None, created_at=None):
    return {"id": msg_id or "msg_" + uuid.uuid4().hex, "type": event_type,
            "created_at": created_at or now_ms(), "data": data}


def send_webhook(server, provider, event_type=None, data=None, event=None, msg_id=None, ts=None,
                 secret=None, body=None, headers=None, **kw):
    """POST a signed event to /v1/webhooks/{provider}; returns the Resp."""
    if body is None:
        event = event or webhook_event(event_type, data or {}, msg_id)
        body = jsonlib.dumps(event, separators=(",", ":")).encode()
        msg_id = msg_id or event["id"]
    ts = int(time.time()) if ts is None else ts
    secret = secret or server.secrets[provider]
    hdrs = {"webhook-id": msg_id, "webhook-timestamp": str(ts),
            "webhook-signature": sign_webhook(secret, msg_id, ts, body)}
    hdrs.update(headers or {})
    return server.api.call("POST", f"/v1/webhooks/{provider}", body=body, headers=hdrs, **kw)


FIAT_METHODS = {"AUD": "payid", "USD": "ach"}


def fund_fiat(user, currency, amount, verify=True):
    """POST /v1/fiat/deposit, then a signed payments webhook payment.succeeded.
    Returns the (pending) FiatTx of the deposit."""
    if verify and not user.kyc_verified:
        verify_kyc(user)
    r = user.post("/v1/fiat/deposit", json={"currency": currency, "amount": amount,
                                             "method": FIAT_METHODS.get(currency,
                                                                        "bank_transfer")})
    ftx = r.expect(201).json()
    send_webhook(user.server, "payments", "payment.succeeded",
                 {"reference": ftx["reference"], "amount": amount,
                  "currency": currency}).expect(204)
    return ftx


def fund_crypto(user, asset, amount, verify=True):
    """Deposit address, then a signed custody deposit.confirmed. Returns the address."""
    if verify and not user.kyc_verified:
        verify_kyc(user)
    addr = user.post("/v1/wallets/deposit-address", json={"asset": asset}).expect(200, 201).json()
    send_webhook(user.server, "custody", "deposit.confirmed",
                 {"amount": amount, "currency": asset, "address": addr["address"],
                  "tx_hash": secrets_mod.token_hex(32)}).expect(204)
    return addr["address"]


def balances(user, key=None):
    """{asset: (Decimal available, Decimal locked)}; checks total == available + locked."""
    r = (user.get("/v1/wallets/balances", key=key) if key else user.get("/v1/wallets/balances"))
    out = {}
    for b in r.expect(200).json()["balances"]:
        avail, locked = Decimal(b["available"]), Decimal(b["locked"])
        assert Decimal(b["total"]) == avail + locked, b
        out[b["asset"]] = (avail, locked)
    return out


def balance(user, asset):
    """(available, locked) of one asset, zeros when absent."""
    return balances(user).get(asset, (Decimal(0), Decimal(0)))


# ---- TOTP and JWT -------------------------------------------------------------


def totp(secret_b32, t=None, step=30, digits=6):
    """RFC 6238 code (HMAC-SHA1) for time t (seconds, default now)."""
    s = secret_b32.strip().replace(" ", "").upper()
    key = base64.b32decode(s + "=" * (-len(s) % 8))
    counter = int((time.time() if t is None else t) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % (10 ** digits)
    return str(code).zfill(digits)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge_jwt(secret, claims, header=None, alg="HS256"):
    """A compact JWT signed with HS256 (secret: str or bytes); alg="none" gives an
    unsigned token. For rejection tests."""
    header = header or {"alg": alg, "typ": "JWT"}
    h = b64url(jsonlib.dumps(header, separators=(",", ":")).encode())
    p = b64url(jsonlib.dumps(claims, separators=(",", ":")).encode())
    signing = f"{h}.{p}".encode()
    if alg == "none":
        return f"{h}.{p}."
    key = secret.encode() if isinstance(secret, str) else secret
    return f"{h}.{p}.{b64url(hmac.new(key, signing, hashlib.sha256).digest())}"


def jwt_claims(token):
    """The payload of a JWT, unverified."""
    p = token.split(".")[1]
    return jsonlib.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))


# ---- raw sockets ------------------------------------------------------------------


def raw_request(server, data, timeout=10.0):
    """Send raw bytes on a new connection; return everything read until the server
    closes or the timeout passes (bytes)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    break
                chunks.append(c)
                if b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                    break
        except socket.timeout:
            pass
        return b"".join(chunks)


def _complete(data):
    head, _, rest = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(rest) >= int(value.strip())
    return False


def status_of(raw):
    """Status code of a raw HTTP response, or None."""
    if not raw.startswith(b"HTTP/1."):
        return None
    return int(raw.split(b" ", 2)[1])


# ---- the market stream (/v1/stream) -----------------------------------------------


def norm_decimal(text):
    """A decimal string as the book checksum writes it (docs/asyncapi.yaml): trailing
    zeros after the point stripped, then the point when nothing follows it."""
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def book_checksum(bids, asks):
    """CRC-32 (zlib) of the top 25 levels per side, `p:q|p:q#p:q|...`; bids and asks
    are [[price, quantity], ...] decimal strings, best first."""
    import zlib

    def side(levels):
        return "|".join(f"{norm_decimal(p)}:{norm_decimal(q)}" for p, q in levels[:25])

    return zlib.crc32((side(bids) + "#" + side(asks)).encode("ascii")) & 0xFFFFFFFF


class LocalBook:
    """A book built from `book:{pair}` messages. apply() checks the seq (snapshot:
    any; update: previous + 1) and the checksum, and returns the problems found
    ("gap", "checksum") without raising, so fault tests can look for them."""

    def __init__(self):
        self.bids, self.asks = {}, {}  # Decimal price -> (price text, quantity text)
        self.seq = None

    def levels(self):
        bids = [list(v) for _, v in sorted(self.bids.items(), key=lambda kv: -kv[0])]
        asks = [list(v) for _, v in sorted(self.asks.items(), key=lambda kv: kv[0])]
        return bids, asks

    def apply(self, msg):
        problems = []
        if msg["type"] == "snapshot":
            self.bids, self.asks = {}, {}
        elif self.seq is not None and msg.get("seq", 0) != self.seq + 1:
            problems.append("gap")
        for side, levels in ((self.bids, msg["bids"]), (self.asks, msg["asks"])):
            for price, qty in levels:
                if Decimal(qty) == 0:
                    side.pop(Decimal(price), None)
                else:
                    side[Decimal(price)] = (price, qty)
        self.seq = msg.get("seq", 0)
        if book_checksum(*self.levels()) != msg["checksum"]:
            problems.append("checksum")
        return problems

    def same_as(self, rest_book):
        """Same levels (by value) and seq as a GET orderbook body."""
        def norm(levels):
            return [(Decimal(p), Decimal(q)) for p, q in levels]
        bids, asks = self.levels()
        return (norm(bids) == norm(rest_book["bids"]) and norm(asks) == norm(rest_book["asks"])
                and self.seq == rest_book.get("seq", 0))


class StreamClient:
    """An asyncio client of naxd's /v1/stream (Debian python3-websockets).

        async with StreamClient(server) as s:
            ack = await s.op("subscribe", channels=["book:BTC-AUD"])
            msg = await s.next(lambda m: m.get("channel") == "book:BTC-AUD")
            msgs = await s.drain()   # everything queued before a ping's ack

    Messages that arrive while waiting for something else are kept (in order) and
    handed out by later next() calls. Acks are matched by id.
    """

    def __init__(self, server, timeout=10.0):
        self.server, self.timeout = server, timeout
        self.ws, self.backlog, self.acks, self.next_id = None, [], {}, 1

    async def __aenter__(self):
        import websockets
        self.ws = await websockets.connect(f"ws://127.0.0.1:{self.server.port}/v1/stream",
                                           max_size=None, ping_interval=None)
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()

    async def _read(self, timeout):
        import asyncio
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        msg = jsonlib.loads(raw)
        if "op" in msg and "ok" in msg:
            self.acks[msg["id"]] = msg
        else:
            self.backlog.append(msg)
        return msg

    async def send(self, op, **fields):
        """Sends an op; returns its id."""
        op_id = fields.pop("id", None)
        if op_id is None:
            op_id, self.next_id = self.next_id, self.next_id + 1
        await self.ws.send(jsonlib.dumps(dict(op=op, id=op_id, **fields)))
        return op_id

    async def ack(self, op_id, timeout=None):
        import time as _t
        deadline = _t.monotonic() + (timeout or self.timeout)
        while op_id not in self.acks:
            await self._read(max(0.0, deadline - _t.monotonic()))
        return self.acks.pop(op_id)

    async def op(self, op, timeout=None, **fields):
        """Sends an op and waits for its ack (returned)."""
        return await self.ack(await self.send(op, **fields), timeout)

    async def next(self, pred=None, timeout=None):
        """The first published message (not an ack) matching pred, in arrival order."""
        import time as _t
        deadline = _t.monotonic() + (timeout or self.timeout)
        i = 0
        while True:
            while i < len(self.backlog):
                if pred is None or pred(self.backlog[i]):
                    return self.backlog.pop(i)
                i += 1
            await self._read(max(0.0, deadline - _t.monotonic()))

    async def drain(self, timeout=None):
        """Every published message queued before now: sends a ping and returns what
        arrived before its ack (the server answers ops in order with its messages)."""
        await self.op("ping", timeout=timeout)
        out, self.backlog = self.backlog, []
        return out

    async def subscribe(self, *channels):
        """Subscribes and returns the snapshots, one per channel, asserting ok."""
        ack = await self.op("subscribe", channels=list(channels))
        assert ack["ok"], ack
        return [await self.next(lambda m, c=c: m.get("channel") == c and m["type"] == "snapshot")
                for c in channels]

    async def auth_token(self, token):
        return await self.op("auth", token=token)

    async def auth_key(self, key, ts=None, secret=None, signature=None):
        key_id, key_secret = (key.id, key.secret) if hasattr(key, "secret") else key
        ts = sign_ts() if ts is None else ts
        sig = signature or sign_request(secret or key_secret, ts, "GET", "/v1/stream")
        return await self.op("auth", api_key=key_id, timestamp=ts, signature=sig)


def stream_faults(server, **body):
    """POST /admin/stream-faults (fault mode, operator token): drop_updates,
    corrupt_checksums, stall_ms, close_all, pair."""
    return server.admin("POST", "/admin/stream-faults", json=body).expect(204)


def run_async(coro):
    """Runs a coroutine to completion (tests are plain functions)."""
    import asyncio
    return asyncio.run(coro)

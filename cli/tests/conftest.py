"""Fixtures of the `nax` CLI tests: a naxd per test module (tests/integ/naxlib.py
starts it), a funded trader with an API key, and `run`, which runs the CLI in a
clean environment and checks that it left no sanitizer report.

Run: ctest -R '^cli$' (sets NAX_CLI, NAXD_BIN, NAX_SOURCE_DIR), or by hand:
  NAX_CLI=build/cli/nax NAXD_BIN=build/server/naxd /usr/bin/python3 -m pytest -q cli/tests
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(os.environ.get("NAX_SOURCE_DIR") or Path(__file__).resolve().parents[2])
sys.path.insert(0, str(REPO / "tests" / "integ"))

import naxlib  # noqa: E402

SANITIZER_MARKERS = naxlib.SANITIZER_MARKERS + ("LeakSanitizer", "AddressSanitizer")

# Exit codes of cli/cli.h (documented in `nax help` and nax.1).
EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_ARGUMENT, EXIT_DATA, EXIT_NETWORK = 0, 1, 2, 3, 4, 5
EXIT_HTTP, EXIT_AUTH, EXIT_NOTFOUND, EXIT_REJECTED, EXIT_STATE = 6, 7, 8, 9, 10
EXIT_SYSTEM = 12


def cli_binary():
    path = os.environ.get("NAX_CLI") or str(REPO / "build" / "cli" / "nax")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"nax CLI not found at {path} (set NAX_CLI or build target nax_cli)")
    return path


class Result:
    def __init__(self, args, rc, out, err):
        self.args, self.rc, self.out, self.err = args, rc, out, err

    def json(self):
        """The one JSON document on stdout."""
        lines = [line for line in self.out.splitlines() if line.strip()]
        assert len(lines) == 1, f"expected one JSON document, got: {self.out!r}"
        return json.loads(lines[0])

    def expect(self, rc=0):
        assert self.rc == rc, (f"nax {' '.join(self.args)}: exit {self.rc}, expected {rc}\n"
                               f"stdout: {self.out}\nstderr: {self.err}")
        return self

    def __repr__(self):
        return f"<Result {self.args} rc={self.rc} out={self.out[:300]!r} err={self.err[:300]!r}>"


def base_env(home):
    """The environment the CLI runs in: the sanitizer settings of the caller, a
    private HOME (so no real config file is read) and no NAX_* variable."""
    keep = ("PATH", "LANG", "LC_ALL", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
            "LD_LIBRARY_PATH")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["HOME"] = str(home)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    return env


def check_clean(result):
    """No sanitizer report (in an ASan build a leak makes the CLI exit 23)."""
    for marker in SANITIZER_MARKERS:
        assert marker not in result.err, f"sanitizer report from {result.args}:\n{result.err}"


class Cli:
    """Runs the CLI. env: extra variables (None removes one); url/key/token set the
    matching NAX_* variables unless given as None."""

    def __init__(self, home, url=None, key=None, token=None):
        self.home, self.url, self.key, self.token = Path(home), url, key, token
        self.binary = cli_binary()

    def env(self, extra=None, creds=True):
        env = base_env(self.home)
        if self.url:
            env["NAX_URL"] = self.url
        if creds and self.key:
            env["NAX_API_KEY"], env["NAX_API_SECRET"] = self.key.id, self.key.secret
        if creds and self.token:
            env["NAX_TOKEN"] = self.token
        for k, v in (extra or {}).items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    def __call__(self, *args, env=None, creds=True, input=None, timeout=120, preexec_fn=None):
        args = [str(a) for a in args]
        p = subprocess.run([self.binary] + args, env=self.env(env, creds), input=input,
                           capture_output=True, text=True, timeout=timeout,
                           stdin=None if input is not None else subprocess.DEVNULL,
                           preexec_fn=preexec_fn)
        r = Result(args, p.returncode, p.stdout, p.stderr)
        check_clean(r)
        return r

    def popen(self, *args, env=None, creds=True):
        return subprocess.Popen([self.binary] + [str(a) for a in args], env=self.env(env, creds),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, bufsize=1)


@pytest.fixture(scope="module")
def naxd(tmp_path_factory):
    server = naxlib.Server(tmp_path_factory.mktemp("naxd"))
    server.start()
    try:
        yield server
    finally:
        server.close()


class Trader:
    def __init__(self, user, key):
        self.user, self.key = user, key


@pytest.fixture(scope="module")
def trader(naxd):
    """A verified user with 100000.00 AUD, 10 BTC and a key with every scope."""
    user = naxlib.new_user(naxd)
    naxlib.fund_fiat(user, "AUD", "100000.00")
    naxlib.fund_crypto(user, "BTC", "10.00000000")
    return Trader(user, naxlib.make_api_key(user))


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    h.mkdir()
    return h


@pytest.fixture
def nax(naxd, trader, home):
    """The CLI with the naxd URL and the trader's key in its environment."""
    return Cli(home, url=naxd.url, key=trader.key)


@pytest.fixture
def anon(naxd, home):
    """The CLI with the naxd URL and no credentials."""
    return Cli(home, url=naxd.url)


class LineReader:
    """Reads a process's stdout on a thread, so a test can wait for a line with a
    timeout (an event to wait for, not a sleep)."""

    def __init__(self, stream):
        import queue
        import threading
        self.lines, self.seen = queue.Queue(), []
        self.thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self.thread.start()

    def _run(self, stream):
        for line in iter(stream.readline, ""):
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, pred, timeout=60.0):
        """The first line (after those already taken) matching pred; fails on EOF
        or timeout with everything seen."""
        import queue
        import time
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = self.lines.get(timeout=max(0.0, left))
            except queue.Empty:
                raise AssertionError(f"no matching line within {timeout}s; saw {self.seen}")
            if line is None:
                raise AssertionError(f"output ended without a matching line; saw {self.seen}")
            self.seen.append(line)
            if pred(line):
                return line

    def rest(self, timeout=60.0):
        """Every remaining line until EOF."""
        self.thread.join(timeout)
        out = []
        while not self.lines.empty():
            line = self.lines.get()
            if line is not None:
                out.append(line)
        self.seen.extend(out)
        return out

"""Fixtures of the interop tests: a naxd of this build (NAXD_BIN) per module,
stopped with SIGTERM at teardown (exit 0 and no sanitizer report asserted)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integ"))
from naxlib import Server  # noqa: E402


@pytest.fixture(scope="module")
def naxd(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("naxd"))
    server.start()
    try:
        yield server
    finally:
        server.close()

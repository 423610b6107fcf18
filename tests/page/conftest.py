"""Fixtures of the page test: a naxd of this build (NAXD_BIN) per module,
stopped with SIGTERM at teardown (exit 0 and no sanitizer report asserted)."""

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integ"))
sys.path.insert(0, str(HERE.parent / "interop"))  # streamcheck: the shared market
from naxlib import Server  # noqa: E402


@pytest.fixture(scope="module")
def naxd(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("naxd"))
    server.start()
    try:
        yield server
    finally:
        server.close()

"""Fixtures for the binding's tests: a real naxd (tests/integ/naxlib.py starts
it), funded users, and the package imported from this source tree.

Environment (ctest sets them): NAX_LIBRARY (libnax.so), NAXD_BIN (naxd),
NAX_SOURCE_DIR (the repository).
"""

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PKG_ROOT = HERE.parent  # bindings/python
REPO = Path(os.environ.get("NAX_SOURCE_DIR") or PKG_ROOT.parents[1])

sys.path.insert(0, str(PKG_ROOT))
sys.path.insert(0, str(REPO / "tests" / "integ"))

import naxlib  # noqa: E402
import nax  # noqa: E402

PAIR = "BTC-AUD"


class Trader:
    """A KYC-verified, funded user with an API key, and a nax.Client on it."""

    def __init__(self, server, aud="1000000.00", btc="20.00000000"):
        self.user = naxlib.new_user(server)
        naxlib.fund_fiat(self.user, "AUD", aud)
        naxlib.fund_crypto(self.user, "BTC", btc)
        self.key = naxlib.make_api_key(self.user)
        self.client = nax.Client(server.url, api_key=self.key.id, api_secret=self.key.secret)

    def close(self):
        self.client.close()


@pytest.fixture(scope="module")
def naxd(tmp_path_factory):
    server = naxlib.Server(tmp_path_factory.mktemp("naxd"))
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def trader_factory(naxd):
    made = []

    def make(**kw):
        t = Trader(naxd, **kw)
        made.append(t)
        return t

    yield make
    for t in made:
        t.close()


@pytest.fixture
def trader(trader_factory):
    return trader_factory()


@pytest.fixture
def public(naxd):
    with nax.Client(naxd.url) as c:
        yield c


def assert_no_float(obj, path="result"):
    """Walk a result (dataclasses, tuples, lists) and fail on any float."""
    import dataclasses
    assert not isinstance(obj, float), f"{path} is a float: {obj!r}"
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            assert_no_float(getattr(obj, f.name), f"{path}.{f.name}")
    elif isinstance(obj, (tuple, list)):
        for i, v in enumerate(obj):
            assert_no_float(v, f"{path}[{i}]")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            assert_no_float(v, f"{path}[{k!r}]")

"""The struct readers of nax/_structs.py give exactly what the JSON path
(nax_encode, then the builders of nax.models) gives: same values, same
types, same decimal exponents. Every golden file of every mirrored type is
decoded by libnax and read both ways, and so are decimals at the edges
(negative, above 2^64, 18 places, zero with a scale)."""

import dataclasses
import decimal
import json
import pickle
from ctypes import addressof, c_void_p, cast
from decimal import Decimal

import pytest

from conftest import REPO

from nax import _core, _lib, _structs, client, models
from nax.errors import from_last

GOLDEN = REPO / "tests" / "golden"

# model -> (golden directory, nax_type)
TYPES = {
    models.Ticker: ("ticker", _core.T_TICKER),
    models.OrderBook: ("order_book", _core.T_ORDER_BOOK),
    models.Trade: ("trade", _core.T_TRADE),
    models.ServerTime: ("server_time", _core.T_SERVER_TIME),
    models.Market: ("market", _core.T_MARKET),
    models.Order: ("order", _core.T_ORDER),
    models.OrderList: ("order_list", _core.T_ORDER_LIST),
    models.CancelResult: ("cancel_result", _core.T_CANCEL_RESULT),
    models.Fill: ("fill", _core.T_FILL),
    models.FillList: ("fill_list", _core.T_FILL_LIST),
    models.Balance: ("balance", _core.T_BALANCE),
}
# the lists the client unwraps: reader, golden directory, nax_type, member, item
UNWRAPPED = [
    (client._r_markets, "market_list", _core.T_MARKET_LIST, "markets", models.Market),
    (client._r_trades, "trade_list", _core.T_TRADE_LIST, "trades", models.Trade),
    (client._r_balances, "balance_list", _core.T_BALANCE_LIST, "balances", models.Balance),
]


def decode(type_id, text):
    out = c_void_p()
    raw = text if isinstance(text, bytes) else text.encode()
    rc = _lib.nax_decode(out, type_id, raw, len(raw), None)
    if rc != 0:
        raise from_last(rc)
    return out.value


def both_ways(type_id, text, via_struct, via_json):
    p = decode(type_id, text)
    try:
        return via_struct(p), via_json(_core.to_json(type_id, p))
    finally:
        _lib.nax_object_free(p)


def assert_same(a, b):
    # repr shows every field, Decimal('97250.50') with its exponent, enums by
    # class: equal reprs and equal values mean the same object
    assert repr(a) == repr(b)
    assert a == b


def golden_cases():
    for cls, (directory, type_id) in TYPES.items():
        files = sorted((GOLDEN / directory).rglob("*.json"))
        assert files, directory
        for f in files:
            yield pytest.param(cls, type_id, f, id=str(f.relative_to(GOLDEN)))


def test_every_mirrored_type_is_tested():
    assert set(TYPES) == set(_structs._MIRROR_OF)


@pytest.mark.parametrize("cls,type_id,path", golden_cases())
def test_golden_files_read_the_same_both_ways(cls, type_id, path):
    got, want = both_ways(type_id, path.read_bytes(), _structs.reader(cls), models.builder(cls))
    assert_same(got, want)
    assert type(got) is cls
    # the fallback for a Python that refused the twin classes reads the same
    slow, _ = both_ways(type_id, path.read_bytes(), _structs._generate(cls, use_twin=False),
                        models.builder(cls))
    assert_same(slow, want)


def test_results_are_real_frozen_dataclasses():
    for cls in TYPES:
        assert _structs.twin(cls) is not None, cls.__name__  # the fast path is in use here
    text = (GOLDEN / "ticker" / "full.json").read_bytes()
    t, _ = both_ways(_core.T_TICKER, text, _structs.reader(models.Ticker),
                     models.builder(models.Ticker))
    assert type(t) is models.Ticker and dataclasses.is_dataclass(t)
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.bid = Decimal(0)
    assert dataclasses.replace(t, seq=9).seq == 9 and pickle.loads(pickle.dumps(t)) == t
    assert hash(t) == hash(models.builder(models.Ticker)(json.loads(text)))


@pytest.mark.parametrize("read,directory,type_id,member,item", UNWRAPPED)
def test_unwrapped_lists_read_the_same_both_ways(read, directory, type_id, member, item):
    for path in sorted((GOLDEN / directory).glob("*.json")):
        got, want = both_ways(type_id, path.read_bytes(), read,
                              lambda d: tuple(map(models.builder(item), d[member])))
        assert_same(got, want)
        assert type(got) is tuple


@pytest.mark.parametrize("text", [
    "0", "5", "0.00000000", "0.000000000000000001", "-1.25", "-0.00000001", "97250.50",
    "18446744073709551615", "18446744073709551616", "-18446744073709551616.5",
    "12345678901234567890123456789012345678", "0.123456789012345678",
    "99999999999999999999.999999999999999999",
])
def test_decimals_at_the_edges(text):
    body = json.dumps({"pair": "BTC-AUD", "bid": text, "ask": text, "volume_24h": text,
                       "seq": 1, "ts": 2})
    got, want = both_ways(_core.T_TICKER, body, _structs.reader(models.Ticker),
                          models.builder(models.Ticker))
    assert_same(got, want)
    for d in (got.bid, got.ask, got.volume_24h, got.last):
        assert d is None or type(d) is Decimal
    assert got.volume_24h.as_tuple() == want.volume_24h.as_tuple()
    assert got.last is None  # absent stays None


def test_an_unusual_context_does_not_round():
    """The readers use their own context: a caller's low precision or traps
    change nothing."""
    ctx = decimal.Context(prec=3, traps=[decimal.Inexact, decimal.Rounded])
    with decimal.localcontext(ctx):
        got, want = both_ways(
            _core.T_TICKER, '{"pair":"BTC-AUD","bid":"97250.12345678","volume_24h":'
            '"123456789012345678901234567.123456789","seq":1,"ts":2}',
            _structs.reader(models.Ticker), models.builder(models.Ticker))
    assert_same(got, want)
    assert str(got.volume_24h) == "123456789012345678901234567.123456789"


def test_enums_and_optional_members():
    text = (GOLDEN / "order" / "full.json").read_text()
    o, _ = both_ways(_core.T_ORDER, text, _structs.reader(models.Order),
                     models.builder(models.Order))
    assert o.side is models.Side.BUY and o.status is models.OrderStatus.PARTIALLY_FILLED
    assert o.time_in_force is models.TimeInForce.GTC and o.post_only is True
    assert o.price == Decimal("97250.50") and o.client_order_id == "cli-0001-abcdef"
    text = (GOLDEN / "order" / "minimal.json").read_text()
    o, _ = both_ways(_core.T_ORDER, text, _structs.reader(models.Order),
                     models.builder(models.Order))
    assert o.price is None and o.average_price is None and o.client_order_id is None
    assert o.post_only is False


def test_book_levels_as_the_stream_reads_them():
    """The stream hands its book changes over as a level array and a count."""
    p = decode(_core.T_ORDER_BOOK, (GOLDEN / "order_book" / "full.json").read_bytes())
    try:
        ob = _structs.OrderBook_.from_address(p)
        bids = _structs.levels(cast(ob.bids, c_void_p).value, ob.bids_count)
        asks = _structs.levels(cast(ob.asks, c_void_p).value, ob.asks_count)
        want = models.builder(models.OrderBook)(_core.to_json(_core.T_ORDER_BOOK, p))
    finally:
        _lib.nax_object_free(p)
    assert repr(bids) == repr(want.bids) and repr(asks) == repr(want.asks)
    assert bids[1] == (Decimal("97250.00"), Decimal("1.5")) and len(asks) == 2
    assert _structs.levels(None, 0) == ()


@pytest.mark.parametrize("n", [1, 2, 3, 5, 10, 11, 21, 22, 42, 43, 85, 86, 171])
def test_level_arrays_of_any_length(n):
    """Level arrays are viewed through power-of-two spans: every length
    reads exactly its own levels, across the span boundaries."""
    arr = (_lib.BookLevel * (n + 1))()
    for k, lv in enumerate(arr):
        lv.price.lo, lv.price.scale = 9700000 + k, 2
        lv.quantity.lo, lv.quantity.hi, lv.quantity.scale, lv.quantity.negative = k, k % 2, 8, 0
    got = _structs.levels(addressof(arr), n)
    assert len(got) == n
    for k, lv in enumerate(got):
        assert lv.price == Decimal(9700000 + k).scaleb(-2)
        assert lv.quantity == Decimal(((k % 2) << 64) | k).scaleb(-8)
        assert lv.price.as_tuple().exponent == -2 and lv.quantity.as_tuple().exponent == -8


def test_the_client_reads_hot_results_from_structs():
    for cls in (models.Ticker, models.Order, models.OrderBook, models.OrderList,
                models.FillList, models.Market, models.CancelResult):
        assert client._R[cls] is _structs.reader(cls), cls.__name__

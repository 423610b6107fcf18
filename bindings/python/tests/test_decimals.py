"""Money stays exact: prices and 8-decimal quantities round-trip through
libnax and naxd unchanged, as decimal.Decimal, with no float anywhere."""

from decimal import Decimal

import pytest

import nax
from conftest import PAIR, assert_no_float


def test_price_and_eight_decimal_quantity_round_trip(trader):
    c = trader.client
    o = c.place_order(PAIR, "buy", Decimal("0.12345678"), Decimal("64123.45"))
    for order in (o, c.get_order(o.id), c.list_orders(pair=PAIR).orders[0]):
        assert type(order.price) is Decimal and type(order.quantity) is Decimal
        assert order.price == Decimal("64123.45")
        assert order.price.as_tuple() == Decimal("64123.45").as_tuple()  # scale kept
        assert order.quantity.as_tuple() == Decimal("0.12345678").as_tuple()
        assert type(order.filled_quantity) is Decimal
        assert_no_float(order)
    book = c.orderbook(PAIR)
    level = next(lv for lv in book.bids if lv.price == Decimal("64123.45"))
    assert type(level.price) is Decimal and type(level.quantity) is Decimal
    assert level.quantity >= Decimal("0.12345678")
    assert_no_float(book)
    c.cancel_order(o.id)


def test_strings_and_ints_are_accepted_as_money(trader):
    c = trader.client
    o = c.place_order(PAIR, "sell", "0.00100000", 70000)
    assert o.price == Decimal("70000") and o.quantity == Decimal("0.001")
    c.cancel_order(o.id)


def test_small_decimals_are_sent_without_exponent(trader):
    # Decimal("0.00000001") prints as 1E-8; the binding writes it in full.
    c = trader.client
    q = Decimal("1E-8") * 1000000  # 0.01000000 as 1.000000E-2 style exponent
    o = c.place_order(PAIR, "sell", q, Decimal("99999.99"))
    assert o.quantity == Decimal("0.01")
    c.cancel_order(o.id)


def test_exact_fill_arithmetic(trader_factory):
    maker, taker = trader_factory(), trader_factory()
    maker.client.place_order(PAIR, "sell", "0.33333333", "64123.45")
    before = {b.asset: b for b in taker.client.balances()}
    o = taker.client.place_order(PAIR, "buy", "0.33333333", "64123.45", time_in_force="IOC")
    assert o.status is nax.OrderStatus.FILLED and o.average_price == Decimal("64123.45")
    after = {b.asset: b for b in taker.client.balances()}
    fill = taker.client.trades_history(pair=PAIR).fills[0]
    assert fill.fee_asset == "AUD" and type(fill.fee) is Decimal
    # the taker paid exactly price x quantity plus the fee, to the last digit
    spent = before["AUD"].total - after["AUD"].total
    assert spent == Decimal("0.33333333") * Decimal("64123.45") + fill.fee
    assert after["BTC"].total - before["BTC"].total == Decimal("0.33333333")
    assert fill.fee_asset in ("BTC", "AUD") and type(fill.fee) is Decimal
    for b in after.values():
        assert b.available + b.locked == b.total
        assert_no_float(b)


@pytest.mark.parametrize("bad", [float("nan"), 1.5, True])
def test_non_decimal_money_is_refused(trader, bad):
    with pytest.raises(TypeError):
        trader.client.place_order(PAIR, "buy", bad, "100.00")


def test_non_finite_decimal_is_refused(trader):
    with pytest.raises(ValueError):
        trader.client.place_order(PAIR, "buy", Decimal("NaN"), "100.00")

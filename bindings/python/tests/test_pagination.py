"""Iterators over the paged lists (nax_pager): orders, trades history,
wallet and fiat transactions; and the one-page calls with cursors."""

import uuid

import pytest

import naxlib
import nax
from conftest import PAIR


def test_orders_every_page(trader):
    c = trader.client
    placed = [c.place_order(PAIR, "buy", "0.01000000", f"{50000 + i}.00").id for i in range(7)]
    with c.iter_orders(pair=PAIR, limit=3) as it:
        got = [o.id for o in it]
    assert got == list(reversed(placed))  # newest first, across three pages
    # the same by hand with cursors
    ids, cursor, pages = [], None, 0
    while True:
        page = c.list_orders(pair=PAIR, limit=3, cursor=cursor)
        pages += 1
        ids += [o.id for o in page.orders]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert ids == got and pages == 3
    assert [o.id for o in c.iter_orders(status="open", side="buy", limit=2)] == got
    assert list(c.iter_orders(side="sell")) == []
    c.cancel_all()


def test_trades_history_every_page(trader_factory):
    maker, taker = trader_factory(), trader_factory()
    for i in range(5):
        maker.client.place_order(PAIR, "sell", "0.01000000", f"{60000 + i}.00")
    taker.client.place_order(PAIR, "buy", "0.05000000", "60004.00")
    fills = list(taker.client.iter_trades_history(pair=PAIR, limit=2))
    assert len(fills) == 5 and all(isinstance(f, nax.Fill) for f in fills)
    assert len({f.id for f in fills}) == 5
    assert sorted(f.price for f in fills) == [nax.models.Decimal(f"{60000 + i}.00")
                                               for i in range(5)]
    assert [f.ts for f in fills] == sorted((f.ts for f in fills), reverse=True)


def test_wallet_transactions_every_page(trader, naxd):
    c = trader.client
    addr = c.deposit_address("BTC").address
    for i in range(4):
        naxlib.send_webhook(naxd, "custody", "deposit.confirmed",
                            {"amount": f"0.0{i + 1}", "currency": "BTC", "address": addr,
                             "tx_hash": uuid.uuid4().hex * 2}).expect(204)
    txs = list(c.iter_wallet_transactions(asset="BTC", limit=2))
    assert len(txs) == 5  # the funding deposit and four more
    assert all(t.type is nax.TxType.DEPOSIT for t in txs)
    assert len(list(c.iter_wallet_transactions(type="withdrawal", limit=2))) == 0


def test_fiat_transactions_every_page(trader):
    c = trader.client
    for i in range(4):
        c.fiat_deposit("AUD", f"{i + 10}.00", "payid")
    txs = list(c.iter_fiat_transactions(currency="AUD", limit=3))
    assert len(txs) == 5  # the funding deposit and four pending ones
    assert [t.status for t in txs[:4]] == [nax.TxStatus.PENDING] * 4
    assert len(list(c.iter_fiat_transactions(type="deposit", limit=1))) == 5


def test_pager_keeps_the_client_open_until_done(naxd, trader):
    c = nax.Client(naxd.url, api_key=trader.key.id, api_secret=trader.key.secret)
    for i in range(3):
        c.place_order(PAIR, "buy", "0.01000000", f"{40000 + i}.00")
    it = c.iter_orders(limit=1)
    first = next(it)
    c.close()  # deferred: the pager still uses the client
    with pytest.raises(nax.InvalidStateError):
        c.health()
    rest = list(it)
    assert len(rest) == 2 and first.id not in {o.id for o in rest}
    trader.client.cancel_all()


def test_pager_error_then_retry(naxd, trader):
    c = trader.client
    for i in range(2):
        c.place_order(PAIR, "buy", "0.01000000", f"{30000 + i}.00")
    with nax.Client(naxd.url, api_key=trader.key.id, api_secret=trader.key.secret,
                    max_attempts=1) as one_shot:
        it = one_shot.iter_orders(limit=1)
        assert next(it)
        naxd.faults("GET /v1/orders", "error_before_commit", count=1, status=503)
        with pytest.raises(nax.UnavailableError):
            next(it)
        assert next(it)  # the same page, fetched again
        assert list(it) == []
    c.cancel_all()

"""Every endpoint group of include/nax/api.h through nax.Client, against naxd."""

import base64
import uuid
from decimal import Decimal

import pytest

import naxlib
import nax
from conftest import PAIR, assert_no_float


def test_public_market_data(public):
    markets = public.markets()
    pairs = {m.pair for m in markets}
    assert {"BTC-AUD", "ETH-AUD", "BTC-USD", "ETH-USD"} <= pairs
    btc = public.market(PAIR)
    assert isinstance(btc, nax.Market)
    assert btc.tick_size == Decimal("0.01") and btc.lot_size == Decimal("0.00000001")
    assert btc.min_notional == Decimal("10.00") and btc.status is nax.MarketStatus.ACTIVE
    assert (btc.base, btc.quote) == ("BTC", "AUD")
    t = public.ticker(PAIR)
    assert t.pair == PAIR and isinstance(t.volume_24h, Decimal) and t.seq >= 1
    book = public.orderbook(PAIR, depth=5)
    assert book.pair == PAIR and isinstance(book.checksum, int)
    assert naxlib.book_checksum([[str(p), str(q)] for p, q in book.bids],
                                [[str(p), str(q)] for p, q in book.asks]) == book.checksum
    assert isinstance(public.trades(PAIR, limit=5), tuple)
    assert public.server_time().server_time > 0
    h = public.health()
    assert (h.status, h.store) == ("ok", "ok") and h.version
    assert isinstance(public.sync_clock(), int)
    st = public.breaker_status("market_data")
    assert st.state == "closed" and st.calls >= 1
    with pytest.raises(ValueError):
        public.breaker_status("nope")
    for m in markets:
        assert_no_float(m)


def test_unknown_market_is_not_found(public):
    with pytest.raises(nax.NotFoundError) as ei:
        public.ticker("NOPE-AUD")
    assert ei.value.http_status == 404


def test_auth_register_login_refresh_logout(naxd):
    email = naxlib.unique_email()
    with nax.Client(naxd.url) as c:
        p = c.register(email, naxlib.DEFAULT_PASSWORD, full_name="Ada L", country="AU")
        assert (p.email, p.full_name, p.country) == (email, "Ada L", "AU")
        assert p.kyc_status is nax.KycStatus.UNVERIFIED and p.totp_enabled is False
        tok = c.login(email, naxlib.DEFAULT_PASSWORD)
        assert tok.token_type == "Bearer" and tok.expires_in > 0 and tok.refresh_token
        assert c.profile().id == p.id
        tok2 = c.refresh()
        assert tok2.refresh_token != tok.refresh_token
        assert c.profile().id == p.id
        c.logout()
        with pytest.raises(nax.AuthError):
            c.profile()
        with pytest.raises(nax.InvalidStateError):
            c.logout()  # no session any more


def test_client_with_email_and_password_logs_in_by_itself(naxd):
    u = naxlib.new_user(naxd, login=False)
    with nax.Client(naxd.url, email=u.email, password=u.password) as c:
        assert c.profile().email == u.email


def test_client_with_a_bearer_token(naxd):
    u = naxlib.new_user(naxd)
    with nax.Client(naxd.url, token=u.token) as c:
        assert c.profile().id == u.id


def test_totp_enable_confirm_login_disable(naxd):
    import time
    u = naxlib.new_user(naxd, login=False)
    step = int(time.time() // 30)  # naxd takes the codes of steps -1..+1, each once, in order
    with nax.Client(naxd.url) as c:
        c.login(u.email, u.password)
        setup = c.totp_enable()
        assert setup.otpauth_uri.startswith("otpauth://totp/")
        c.totp_confirm(naxlib.totp(setup.secret, (step - 1) * 30))
        assert c.profile().totp_enabled is True
    with nax.Client(naxd.url) as c:
        with pytest.raises(nax.AuthError) as ei:
            c.login(u.email, u.password)
        assert ei.value.code == "totp_required"
        c.login(u.email, u.password, totp=naxlib.totp(setup.secret, step * 30))
        c.totp_disable(naxlib.totp(setup.secret, (step + 1) * 30))
        assert c.profile().totp_enabled is False


def test_api_keys_create_list_delete(naxd):
    u = naxlib.new_user(naxd)
    with nax.Client(naxd.url, token=u.token) as c:
        k = c.create_api_key("bot", scopes=[nax.Scope.READ, "trade"])
        assert k.secret and k.scopes == (nax.Scope.READ, nax.Scope.TRADE)
        listed = c.list_api_keys()
        assert [x.id for x in listed] == [k.id] and listed[0].secret is None
        with nax.Client(naxd.url, api_key=k.id, api_secret=k.secret) as signed:
            assert signed.profile().id == u.id
            assert c.list_api_keys()[0].last_used_at is not None
            c.delete_api_key(k.id)
            with pytest.raises(nax.AuthError):
                signed.profile()
        with pytest.raises(nax.NotFoundError):
            c.delete_api_key(k.id)


def test_users_profile_kyc(naxd):
    u = naxlib.new_user(naxd)
    with nax.Client(naxd.url, token=u.token) as c:
        p = c.update_profile(full_name="Grace H", phone="+61412345678")
        assert (p.full_name, p.phone) == ("Grace H", "+61412345678")
        assert c.profile().phone == "+61412345678"
        assert c.kyc_status().status is nax.KycStatus.UNVERIFIED
        png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
                               "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
        doc = c.upload_kyc_document("passport", "passport.png", "image/png", png)
        assert doc.document_type is nax.DocumentType.PASSPORT and doc.size_bytes == len(png)
        assert c.kyc_status().status is nax.KycStatus.PENDING
        naxlib.verify_kyc(u)
        assert c.kyc_status().status is nax.KycStatus.VERIFIED


def test_orders_place_get_list_cancel(trader):
    c = trader.client
    coid = "py-" + uuid.uuid4().hex[:12]
    o = c.place_order(PAIR, "buy", "0.01000000", "50000.00", time_in_force="GTC",
                      post_only=True, client_order_id=coid)
    assert o.status is nax.OrderStatus.OPEN and o.client_order_id == coid and o.post_only
    assert o.type is nax.OrderType.LIMIT and o.time_in_force is nax.TimeInForce.GTC
    assert c.get_order(o.id) == o
    assert c.get_order_by_client_id(coid).id == o.id
    page = c.list_orders(pair=PAIR, status="open", side="buy")
    assert o.id in [x.id for x in page.orders]
    assert c.list_orders(client_order_id=coid).orders[0].id == o.id
    cancelled = c.cancel_order(o.id)
    assert cancelled.status is nax.OrderStatus.CANCELLED
    with pytest.raises(nax.NotFoundError):
        c.get_order("o_999999999")


def test_cancel_all_per_pair_and_everywhere(trader):
    c = trader.client
    a = c.place_order(PAIR, "buy", "0.01000000", "40000.00")
    b = c.place_order(PAIR, "sell", "0.01000000", "90000.00")
    res = c.cancel_all(PAIR)
    assert set(res.cancelled) == {a.id, b.id}
    assert c.cancel_all().cancelled == ()


def test_market_order_fills_and_shows_in_history(trader_factory):
    maker, taker = trader_factory(), trader_factory()
    ask = maker.client.place_order(PAIR, "sell", "0.05000000", "61000.00")
    filled = taker.client.place_order(PAIR, "buy", "0.05000000", type="market")
    assert filled.status is nax.OrderStatus.FILLED
    assert filled.average_price == Decimal("61000.00") and filled.price is None
    fills = taker.client.trades_history(pair=PAIR)
    f = fills.fills[0]
    assert (f.order_id, f.side, f.liquidity) == (filled.id, nax.Side.BUY, nax.Liquidity.TAKER)
    assert f.price == Decimal("61000.00") and f.quantity == Decimal("0.05")
    assert maker.client.get_order(ask.id).status is nax.OrderStatus.FILLED
    assert maker.client.trades_history().fills[0].liquidity is nax.Liquidity.MAKER


def test_wallets_balances_address_withdraw_transactions(trader):
    c = trader.client
    bal = {b.asset: b for b in c.balances()}
    assert bal["BTC"].available == Decimal("20") and bal["BTC"].total == Decimal("20")
    addr = c.deposit_address("BTC")
    assert addr.asset == "BTC" and addr.address and addr.network
    assert c.deposit_address("BTC").address == addr.address  # stable
    w = c.withdraw("BTC", Decimal("0.50000000"), "bc1qexampleaddressxyz")
    assert w.type is nax.TxType.WITHDRAWAL and w.status is nax.TxStatus.PENDING
    assert w.amount == Decimal("0.5") and isinstance(w.fee, Decimal)
    bal = {b.asset: b for b in c.balances()}
    assert bal["BTC"].locked == w.amount + w.fee  # held until the provider pays out
    assert bal["BTC"].available + bal["BTC"].locked == bal["BTC"].total == Decimal("20")
    txs = c.wallet_transactions(asset="BTC")
    assert [t.type for t in txs.transactions][:2] == [nax.TxType.WITHDRAWAL, nax.TxType.DEPOSIT]
    assert c.wallet_transactions(type="deposit").transactions[0].type is nax.TxType.DEPOSIT


def test_fiat_deposit_withdraw_transactions(trader, naxd):
    c = trader.client
    dep = c.fiat_deposit("AUD", "250.00", "payid")
    assert dep.status is nax.TxStatus.PENDING and dep.reference
    assert dep.method is nax.FiatMethod.PAYID and dep.amount == Decimal("250.00")
    naxlib.send_webhook(naxd, "payments", "payment.succeeded",
                        {"reference": dep.reference, "amount": "250.00",
                         "currency": "AUD"}).expect(204)
    txs = c.fiat_transactions(currency="AUD", type="deposit")
    assert txs.transactions[0].id == dep.id
    assert txs.transactions[0].status is nax.TxStatus.COMPLETED
    wd = c.fiat_withdraw("AUD", Decimal("100.00"), "bank_transfer", account_name="Trader",
                         account_number="12345678", bank_code="062000")
    assert wd.type is nax.TxType.WITHDRAWAL and wd.amount == Decimal("100.00")
    assert c.fiat_transactions(type="withdrawal").transactions[0].id == wd.id


def test_set_session_installs_saved_tokens(naxd):
    u = naxlib.new_user(naxd)
    with nax.Client(naxd.url) as c:
        with pytest.raises(nax.AuthError):
            c.profile()
        c.set_session(u.token, u.refresh, 900)
        assert c.profile().id == u.id
        c.set_session(None)
        with pytest.raises(nax.AuthError):
            c.profile()

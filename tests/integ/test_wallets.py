"""Crypto wallets: balances, deposit addresses, withdrawals (KYC, TOTP, fees,
holds) and the transaction history, with exact decimals throughout."""

import re
import time
import uuid

import pytest

from naxlib import (D, balance, balances, fund_crypto, fund_fiat, make_api_key, new_user,
                    send_webhook, totp, verify_kyc)

ZERO = D("0")
BTC_DEST = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
ETH_DEST = "0x52908400098527886E0F7030069857D2E4169EE7"
BTC_FEE = D("0.0001")  # the default configuration's fees
ETH_FEE = D("0.001")


def withdraw(user, amount, asset="BTC", address=BTC_DEST, key=None, idem=None, headers=None,
             **extra):
    """POST /v1/wallets/withdraw; extra members go into the body."""
    body = {"asset": asset, "amount": amount, "address": address}
    body.update(extra)
    kw = {"key": key} if key else {}
    return user.post("/v1/wallets/withdraw", json=body, idem=idem, headers=headers, **kw)


def txs(user, query=""):
    return user.get("/v1/wallets/transactions" + query).expect(200).json()


@pytest.fixture
def user(naxd):
    return new_user(naxd)


@pytest.fixture
def rich(naxd):
    """A verified user holding 3 BTC and 10 ETH."""
    u = new_user(naxd)
    verify_kyc(u)
    fund_crypto(u, "BTC", "3.00000000")
    fund_crypto(u, "ETH", "10")
    return u


# ---- balances ------------------------------------------------------------------------


def test_new_user_has_no_balances(user):
    assert user.get("/v1/wallets/balances").expect(200).json() == {"balances": []}


def test_balances_exact_and_in_asset_order(naxd, user):
    fund_fiat(user, "AUD", "1458.76")
    fund_crypto(user, "BTC", "0.50000000")
    fund_crypto(user, "ETH", "0.000000000000000001")
    doc = user.get("/v1/wallets/balances").expect(200).json()
    assets = [b["asset"] for b in doc["balances"]]
    assert assets == sorted(assets) == ["AUD", "BTC", "ETH"]
    by = {b["asset"]: b for b in doc["balances"]}
    assert D(by["AUD"]["available"]) == D("1458.76") and D(by["AUD"]["locked"]) == ZERO
    assert D(by["BTC"]["total"]) == D("0.5")
    assert D(by["ETH"]["available"]) == D("0.000000000000000001")
    for b in doc["balances"]:
        assert D(b["total"]) == D(b["available"]) + D(b["locked"])
        for k in ("available", "locked", "total"):
            assert isinstance(b[k], str)


def test_balances_need_credentials_and_read_scope(naxd, user):
    assert naxd.api.get("/v1/wallets/balances").expect(401).status == 401
    fund_fiat(user, "AUD", "5.00")
    key = make_api_key(user, scopes=("read",))
    assert balances(user, key=key) == {"AUD": (D("5.00"), ZERO)}
    trade_only = make_api_key(user, scopes=("trade",))
    r = user.get("/v1/wallets/balances", key=trade_only).expect(403)
    assert r.code == "insufficient_scope"


def test_balances_are_per_user(naxd):
    a, b = new_user(naxd), new_user(naxd)
    fund_fiat(a, "AUD", "10.00")
    assert balances(b) == {}


# ---- deposit addresses ----------------------------------------------------------------


def test_bitcoin_address_is_stable(naxd, user):
    first = user.post("/v1/wallets/deposit-address", json={"asset": "BTC"}).expect(200).json()
    assert first["asset"] == "BTC" and first["network"] == "bitcoin"
    assert re.fullmatch(r"bc1q[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{38}", first["address"])
    again = user.post("/v1/wallets/deposit-address",
                      json={"asset": "BTC", "network": "bitcoin"}).expect(200).json()
    assert again == first


def test_ethereum_address(naxd, user):
    a = user.post("/v1/wallets/deposit-address", json={"asset": "ETH"}).expect(200).json()
    assert a["network"] == "ethereum"
    assert re.fullmatch(r"0x[0-9a-f]{40}", a["address"])


def test_addresses_differ_per_user_and_asset(naxd):
    seen = set()
    for _ in range(3):
        u = new_user(naxd)
        for asset in ("BTC", "ETH"):
            seen.add(u.post("/v1/wallets/deposit-address",
                            json={"asset": asset}).expect(200).json()["address"])
    assert len(seen) == 6


@pytest.mark.parametrize("asset", ["AUD", "USD", "DOGE"])
def test_deposit_address_unknown_asset(user, asset):
    r = user.post("/v1/wallets/deposit-address", json={"asset": asset}).expect(422)
    assert r.code == "unknown_asset" and r.error["field"] == "asset"


def test_deposit_address_wrong_network(user):
    r = user.post("/v1/wallets/deposit-address",
                  json={"asset": "BTC", "network": "ethereum"}).expect(422)
    assert r.code == "unsupported_network" and r.error["field"] == "network"


def test_deposit_address_bad_requests(naxd, user):
    r = user.post("/v1/wallets/deposit-address", json={"network": "bitcoin"}).expect(400)
    assert r.error["field"] == "asset"
    r = user.post("/v1/wallets/deposit-address", json={"asset": "BTC"}, idem=False).expect(400)
    assert r.error["field"] == "Idempotency-Key"
    read_only = make_api_key(user, scopes=("read",))
    r = user.post("/v1/wallets/deposit-address", json={"asset": "BTC"},
                  key=read_only).expect(403)
    assert r.code == "insufficient_scope"


def test_deposit_address_survives_restart(server_factory):
    srv = server_factory()
    u = new_user(srv)
    before = u.post("/v1/wallets/deposit-address", json={"asset": "BTC"}).expect(200).json()
    srv.restart(kill=True)
    u.login()
    after = u.post("/v1/wallets/deposit-address", json={"asset": "BTC"}).expect(200).json()
    assert after == before
    send_webhook(srv, "custody", "deposit.confirmed",
                 {"amount": "0.3", "currency": "BTC", "address": before["address"],
                  "tx_hash": uuid.uuid4().hex}).expect(204)
    assert balance(u, "BTC") == (D("0.3"), ZERO)


# ---- withdrawals ------------------------------------------------------------------------


def test_withdraw_needs_kyc(naxd, user):
    fund_crypto(user, "BTC", "1", verify=False)
    r = withdraw(user, "0.1").expect(403)
    assert r.code == "kyc_required"
    assert balance(user, "BTC") == (D("1"), ZERO)


def test_withdraw_holds_amount_and_fee(naxd, rich):
    w = withdraw(rich, "0.10000000").expect(201).json()
    assert re.fullmatch(r"wtx_[1-9][0-9]*", w["id"])
    assert w["asset"] == "BTC" and w["type"] == "withdrawal" and w["status"] == "pending"
    assert w["amount"] == "0.10000000" and w["fee"] == "0.00010000"
    assert w["address"] == BTC_DEST and w["network"] == "bitcoin"
    assert w["created_at"] == w["updated_at"] and abs(w["created_at"] - time.time() * 1000) < 60000
    assert balance(rich, "BTC") == (D("2.8999"), D("0.1001"))
    # ETH on its own network, fee 0.001
    e = withdraw(rich, "2.5", asset="ETH", address=ETH_DEST).expect(201).json()
    assert e["network"] == "ethereum" and D(e["fee"]) == ETH_FEE
    assert balance(rich, "ETH") == (D("10") - D("2.5") - ETH_FEE, D("2.5") + ETH_FEE)


def test_withdraw_everything_but_the_fee(naxd, rich):
    withdraw(rich, "3.00000000").expect(422)
    w = withdraw(rich, "2.99990000").expect(201).json()
    assert balance(rich, "BTC") == (ZERO, D("3"))
    send_webhook(naxd, "custody", "payout.completed", {"reference": w["id"]}).expect(204)
    assert balance(rich, "BTC") == (ZERO, ZERO)


def test_withdraw_insufficient_funds(naxd, rich):
    r = withdraw(rich, "2.9999001").expect(422)
    assert r.code == "insufficient_funds" and r.error["field"] == "amount"
    assert balance(rich, "BTC") == (D("3"), ZERO)
    r = withdraw(rich, "10", asset="ETH", address=ETH_DEST).expect(422)
    assert r.code == "insufficient_funds"  # the 0.001 ETH fee does not fit
    assert balance(rich, "ETH") == (D("10"), ZERO)


@pytest.mark.parametrize("amount,status,code", [
    ("0", 422, "invalid_amount"), ("-0.5", 422, "invalid_amount"),
    ("0.00000000", 422, "invalid_amount"), ("1.5e-3", 400, "invalid_request"),
    ("abc", 400, "invalid_request"), (0.5, 400, "invalid_request")])
def test_withdraw_bad_amounts(rich, amount, status, code):
    r = withdraw(rich, amount).expect(status)
    assert r.code == code and r.error["field"] == "amount"
    assert balance(rich, "BTC") == (D("3"), ZERO)


@pytest.mark.parametrize("asset,address,code,field", [
    ("BTC", "0x52908400098527886E0F7030069857D2E4169EE7", "invalid_address", "address"),
    ("BTC", "bc1qINVALIDUPPERCASE00000000000000000000", "invalid_address", "address"),
    ("ETH", BTC_DEST, "invalid_address", "address"),
    ("ETH", "0x1234", "invalid_address", "address"),
    ("AUD", BTC_DEST, "unknown_asset", "asset"),
    ("XRP", BTC_DEST, "unknown_asset", "asset")])
def test_withdraw_bad_destinations(rich, asset, address, code, field):
    r = withdraw(rich, "0.1", asset=asset, address=address).expect(422)
    assert r.code == code and r.error["field"] == field


def test_withdraw_legacy_bitcoin_address(rich):
    withdraw(rich, "0.1", address="1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2").expect(201)
    withdraw(rich, "0.1", address="3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy").expect(201)


def test_withdraw_network_must_be_the_assets(rich):
    r = withdraw(rich, "0.1", network="lightning").expect(422)
    assert r.code == "unsupported_network"
    withdraw(rich, "0.1", network="bitcoin").expect(201)


def test_withdraw_scope_and_idempotency(naxd, rich):
    trade = make_api_key(rich, scopes=("read", "trade"))
    r = withdraw(rich, "0.1", key=trade).expect(403)
    assert r.code == "insufficient_scope"
    w_key = make_api_key(rich, scopes=("withdraw",))
    idem = str(uuid.uuid4())
    first = withdraw(rich, "0.2", key=w_key, idem=idem).expect(201).json()
    again = withdraw(rich, "0.2", key=w_key, idem=idem).expect(201).json()
    assert again == first
    assert balance(rich, "BTC") == (D("3") - D("0.2001"), D("0.2001"))
    r = withdraw(rich, "0.3", key=w_key, idem=idem).expect(422)
    assert r.code == "idempotency_key_reused"


def enable_totp(user):
    setup = user.post("/v1/auth/totp/enable").expect(200).json()
    user.post("/v1/auth/totp/confirm", json={"code": totp(setup["secret"])}).expect(204)
    return setup["secret"]


def test_withdraw_with_totp(naxd, rich):
    secret = enable_totp(rich)
    r = withdraw(rich, "0.1").expect(401)
    assert r.code == "totp_required" and r.error["field"] == "totp_code"
    wrong = "%06d" % ((int(totp(secret, time.time() + 30)) + 1) % 1000000)
    r = withdraw(rich, "0.1", totp_code=wrong).expect(401)
    assert r.code == "invalid_totp"
    assert balance(rich, "BTC") == (D("3"), ZERO)
    # The next step's code: within the window, and never used before.
    code = totp(secret, time.time() + 30)
    withdraw(rich, "0.1", totp_code=code).expect(201)
    r = withdraw(rich, "0.1", totp_code=code).expect(401)
    assert r.code == "invalid_totp"  # a code works once
    assert balance(rich, "BTC") == (D("2.8999"), D("0.1001"))


def test_failed_withdrawal_keeps_totp_code_usable(naxd, rich):
    secret = enable_totp(rich)
    code = totp(secret, time.time() + 30)
    withdraw(rich, "100", totp_code=code).expect(422)  # refused: funds
    withdraw(rich, "1", totp_code=code).expect(201)


# ---- history ----------------------------------------------------------------------------


def test_history_newest_first_with_filters_and_pages(naxd, rich):
    ids = [withdraw(rich, f"0.0{i}").expect(201).json()["id"] for i in range(1, 6)]
    eth = withdraw(rich, "1", asset="ETH", address=ETH_DEST).expect(201).json()["id"]
    doc = txs(rich)
    got = [t["id"] for t in doc["transactions"]]
    assert "next_cursor" not in doc
    # newest first: the 6 withdrawals, then the two deposits of the fixture
    assert got[:6] == [eth] + ids[::-1]
    assert [t["type"] for t in doc["transactions"][6:]] == ["deposit", "deposit"]
    btc = [t["id"] for t in txs(rich, "?asset=BTC&type=withdrawal")["transactions"]]
    assert btc == ids[::-1]
    deposits = txs(rich, "?type=deposit")["transactions"]
    assert {t["asset"] for t in deposits} == {"BTC", "ETH"}
    assert all(t["status"] == "completed" and t["tx_hash"] for t in deposits)
    # Pages of 2 give the same sequence.
    pages, cursor = [], None
    while True:
        q = "?asset=BTC&type=withdrawal&limit=2" + (f"&cursor={cursor}" if cursor else "")
        doc = txs(rich, q)
        pages += [t["id"] for t in doc["transactions"]]
        cursor = doc.get("next_cursor")
        if not cursor:
            break
        assert len(doc["transactions"]) == 2
    assert pages == ids[::-1]


def test_history_time_filters(naxd, rich):
    w = withdraw(rich, "0.01").expect(201).json()
    t = w["created_at"]
    assert [x["id"] for x in txs(rich, f"?type=withdrawal&from={t}")["transactions"]] == [w["id"]]
    assert txs(rich, f"?type=withdrawal&to={t}")["transactions"] == []
    assert [x["id"] for x in
            txs(rich, f"?type=withdrawal&to={t + 1}")["transactions"]] == [w["id"]]
    assert txs(rich, f"?from={t + 1}")["transactions"] == []


def test_history_is_private(naxd, rich):
    withdraw(rich, "0.01").expect(201)
    other = new_user(naxd)
    assert txs(other) == {"transactions": []}


@pytest.mark.parametrize("query,field", [
    ("?type=refund", "type"), ("?limit=0", "limit"), ("?limit=1001", "limit"),
    ("?limit=x", "limit"), ("?cursor=bogus", "cursor"), ("?from=yesterday", "from"),
    ("?to=-5", "to"), ("?asset=btc", "asset")])
def test_history_bad_queries(user, query, field):
    r = user.get("/v1/wallets/transactions" + query).expect(400)
    assert r.code == "invalid_request" and r.error["field"] == field


def test_failed_commit_changes_nothing(naxd, rich):
    r = withdraw(rich, "1.0", headers={"X-NAX-Fault": "commit_fail"})
    assert r.status == 503, r.text
    assert balance(rich, "BTC") == (D("3"), ZERO)
    assert txs(rich, "?type=withdrawal") == {"transactions": []}
    for _ in range(100):  # the store recovers by itself; a bounded wait for it
        r = withdraw(rich, "1.0")
        if r.status != 503:
            break
        time.sleep(0.1)
    w = r.expect(201).json()
    assert balance(rich, "BTC") == (D("1.9999"), D("1.0001"))
    assert [t["id"] for t in txs(rich, "?type=withdrawal")["transactions"]] == [w["id"]]
    send_webhook(naxd, "custody", "payout.completed", {"reference": w["id"]}).expect(204)
    assert balance(rich, "BTC") == (D("1.9999"), ZERO)

"""Fiat: deposits announced by the user and completed by the payment provider,
withdrawals to a bank account (KYC, TOTP, configured fees, holds), and the
transaction history. Decimals are compared exactly."""

import re
import time
import uuid

import pytest

from naxlib import (D, Server, balance, fund_fiat, make_api_key, new_user, send_webhook, totp,
                    verify_kyc)

ZERO = D("0")
ACCOUNT = {"account_name": "Alice Nguyen", "account_number": "12345678", "bank_code": "062-000"}
ASSETS = [{"asset": "BTC", "withdraw_fee": "0.0001"}, {"asset": "ETH", "withdraw_fee": "0.001"},
          {"asset": "AUD", "withdraw_fee": "1.50"}, {"asset": "USD", "withdraw_fee": "0.25"}]


def deposit(user, amount, currency="AUD", method="payid", **kw):
    return user.post("/v1/fiat/deposit", json={"currency": currency, "amount": amount,
                                               "method": method}, **kw)


def withdraw(user, amount, currency="AUD", method="bank_transfer", key=None, **extra):
    """POST /v1/fiat/withdraw to ACCOUNT; extra members go into the body (None drops one)."""
    body = {"currency": currency, "amount": amount, "method": method}
    body.update(ACCOUNT)
    body.update(extra)
    kw = {"key": key} if key else {}
    return user.post("/v1/fiat/withdraw", json={k: v for k, v in body.items() if v is not None},
                     **kw)


def history(user, query=""):
    return user.get("/v1/fiat/transactions" + query).expect(200).json()


def pay(server, ftx, event="payment.succeeded"):
    send_webhook(server, "payments", event, {"reference": ftx["reference"]}).expect(204)


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    """A naxd whose fiat withdrawals cost fees (1.50 AUD, 0.25 USD)."""
    server = Server(tmp_path_factory.mktemp("naxd-fiat"), config={"assets": ASSETS})
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def user(srv):
    return new_user(srv)


@pytest.fixture
def funded(srv):
    """A verified user with 1000.00 AUD and 500.00 USD."""
    u = new_user(srv)
    fund_fiat(u, "AUD", "1000.00")
    fund_fiat(u, "USD", "500.00")
    return u


# ---- deposits ---------------------------------------------------------------------------


def test_deposit_is_pending_until_paid(srv, user):
    r = deposit(user, "5000.00").expect(201).json()
    assert re.fullmatch(r"ftx_[1-9][0-9]*", r["id"])
    assert re.fullmatch(r"NAX[A-Z0-9]{7}", r["reference"])
    assert r["currency"] == "AUD" and r["type"] == "deposit" and r["status"] == "pending"
    assert r["amount"] == "5000.00" and r["fee"] == "0.00" and r["method"] == "payid"
    assert r["created_at"] == r["updated_at"] and abs(r["created_at"] - time.time() * 1000) < 60000
    assert balance(user, "AUD") == (ZERO, ZERO)
    pay(srv, r)
    assert balance(user, "AUD") == (D("5000.00"), ZERO)
    [tx] = history(user)["transactions"]
    assert tx["id"] == r["id"] and tx["status"] == "completed"
    assert tx["updated_at"] >= tx["created_at"]


def test_deposit_needs_no_kyc_and_accepts_each_method(srv, user):
    for currency, method in (("AUD", "payid"), ("AUD", "bank_transfer"), ("AUD", "wire"),
                             ("USD", "ach"), ("USD", "wire"), ("USD", "bank_transfer")):
        r = deposit(user, "1.00", currency=currency, method=method).expect(201).json()
        assert r["method"] == method and r["currency"] == currency


def test_references_are_unique(srv, user):
    refs = {deposit(user, "1.00").expect(201).json()["reference"] for _ in range(40)}
    assert len(refs) == 40


@pytest.mark.parametrize("currency,method,amount,status,code,field", [
    ("BTC", "bank_transfer", "1.00", 422, "unsupported_currency", "currency"),
    ("EUR", "wire", "1.00", 422, "unsupported_currency", "currency"),
    ("AUD", "ach", "1.00", 422, "unsupported_method", "method"),
    ("USD", "payid", "1.00", 422, "unsupported_method", "method"),
    ("AUD", "cheque", "1.00", 400, "invalid_request", "method"),
    ("AUD", "payid", "0", 422, "invalid_amount", "amount"),
    ("AUD", "payid", "-10.00", 422, "invalid_amount", "amount"),
    ("AUD", "payid", "10.001", 422, "invalid_amount", "amount"),
    ("AUD", "payid", "1e3", 400, "invalid_request", "amount"),
])
def test_deposit_refusals(user, currency, method, amount, status, code, field):
    r = deposit(user, amount, currency=currency, method=method).expect(status)
    assert r.code == code and r.error["field"] == field
    assert history(user) == {"transactions": []}


def test_deposit_trailing_zero_cents_are_fine(srv, user):
    r = deposit(user, "10.5000").expect(201).json()
    assert r["amount"] == "10.5000"
    pay(srv, r)
    assert balance(user, "AUD") == (D("10.5"), ZERO)


def test_deposit_idempotency_and_scope(srv, user):
    key = str(uuid.uuid4())
    a = deposit(user, "12.00", idem=key).expect(201).json()
    b = deposit(user, "12.00", idem=key).expect(201).json()
    assert a == b
    assert len(history(user)["transactions"]) == 1
    assert deposit(user, "12.00", idem=False).expect(400).error["field"] == "Idempotency-Key"
    read_only = make_api_key(user, scopes=("read",))
    assert deposit(user, "1.00", key=read_only).expect(403).code == "insufficient_scope"
    trade = make_api_key(user, scopes=("trade",))
    deposit(user, "1.00", key=trade).expect(201)


# ---- withdrawals ----------------------------------------------------------------------------


def test_withdraw_needs_kyc(srv, user):
    fund_fiat(user, "AUD", "100.00", verify=False)
    r = withdraw(user, "10.00").expect(403)
    assert r.code == "kyc_required"
    assert balance(user, "AUD") == (D("100.00"), ZERO)


def test_withdraw_holds_amount_plus_fee(srv, funded):
    w = withdraw(funded, "2500.00")
    assert w.expect(422).code == "insufficient_funds"
    w = withdraw(funded, "998.50").expect(201).json()
    assert w["type"] == "withdrawal" and w["status"] == "pending"
    assert w["amount"] == "998.50" and w["fee"] == "1.50" and w["method"] == "bank_transfer"
    assert re.fullmatch(r"NAX[A-Z0-9]{7}", w["reference"])
    assert balance(funded, "AUD") == (ZERO, D("1000.00"))
    assert withdraw(funded, "0.01").expect(422).code == "insufficient_funds"
    pay(srv, w, "payout.completed")
    assert balance(funded, "AUD") == (ZERO, ZERO)
    assert balance(funded, "USD") == (D("500.00"), ZERO)


def test_withdraw_fee_takes_the_amounts_scale(srv, funded):
    w = withdraw(funded, "100", currency="USD", method="ach").expect(201).json()
    assert w["fee"] == "0.25" and w["amount"] == "100"
    w = withdraw(funded, "100.0000", currency="USD", method="wire").expect(201).json()
    assert w["fee"] == "0.2500"
    assert balance(funded, "USD") == (D("299.50"), D("200.50"))


def test_withdraw_failed_payout_releases(srv, funded):
    w = withdraw(funded, "123.45").expect(201).json()
    assert balance(funded, "AUD") == (D("1000.00") - D("124.95"), D("124.95"))
    pay(srv, w, "payout.failed")
    assert balance(funded, "AUD") == (D("1000.00"), ZERO)
    statuses = {t["id"]: t["status"] for t in history(funded)["transactions"]}
    assert statuses[w["id"]] == "failed"


@pytest.mark.parametrize("missing", ["account_name", "account_number", "bank_code"])
def test_withdraw_account_fields_required(funded, missing):
    r = withdraw(funded, "10.00", **{missing: None}).expect(400)
    assert r.error["field"] == missing
    r = withdraw(funded, "10.00", **{missing: ""}).expect(400)
    assert r.error["field"] == missing
    assert balance(funded, "AUD") == (D("1000.00"), ZERO)


@pytest.mark.parametrize("currency,method,amount,code,field", [
    ("BTC", "wire", "1.00", "unsupported_currency", "currency"),
    ("AUD", "ach", "1.00", "unsupported_method", "method"),
    ("AUD", "payid", "0.00", "invalid_amount", "amount"),
    ("AUD", "payid", "0.005", "invalid_amount", "amount")])
def test_withdraw_refusals(funded, currency, method, amount, code, field):
    r = withdraw(funded, amount, currency=currency, method=method).expect(422)
    assert r.code == code and r.error["field"] == field


def test_withdraw_scope(srv, funded):
    trade = make_api_key(funded, scopes=("read", "trade"))
    assert withdraw(funded, "1.00", key=trade).expect(403).code == "insufficient_scope"
    w_key = make_api_key(funded, scopes=("withdraw",))
    withdraw(funded, "1.00", key=w_key).expect(201)
    assert balance(funded, "AUD") == (D("997.50"), D("2.50"))


def test_withdraw_with_totp(srv, funded):
    setup = funded.post("/v1/auth/totp/enable").expect(200).json()
    funded.post("/v1/auth/totp/confirm", json={"code": totp(setup["secret"])}).expect(204)
    r = withdraw(funded, "10.00").expect(401)
    assert r.code == "totp_required" and r.error["field"] == "totp_code"
    r = withdraw(funded, "10.00", totp_code="12345").expect(400)
    assert r.error["field"] == "totp_code"
    code = totp(setup["secret"], time.time() + 30)
    bad = "%06d" % ((int(code) + 500000) % 1000000)
    assert withdraw(funded, "10.00", totp_code=bad).expect(401).code == "invalid_totp"
    withdraw(funded, "10.00", totp_code=code).expect(201)
    assert withdraw(funded, "10.00", totp_code=code).expect(401).code == "invalid_totp"
    assert balance(funded, "AUD") == (D("988.50"), D("11.50"))


# ---- history -----------------------------------------------------------------------------------


def test_history_filters_and_pages(srv, funded):
    aud_w = [withdraw(funded, f"{i}.00").expect(201).json()["id"] for i in (1, 2, 3)]
    usd_d = deposit(funded, "7.00", currency="USD", method="ach").expect(201).json()["id"]
    doc = history(funded)
    ids = [t["id"] for t in doc["transactions"]]
    assert ids[:4] == [usd_d] + aud_w[::-1] and len(ids) == 6  # + the two funding deposits
    nums = [int(i[4:]) for i in ids]
    assert nums == sorted(nums, reverse=True)
    assert [t["id"] for t in history(funded, "?currency=AUD&type=withdrawal")["transactions"]] \
        == aud_w[::-1]
    usd = history(funded, "?currency=USD")["transactions"]
    assert [t["id"] for t in usd][0] == usd_d and {t["currency"] for t in usd} == {"USD"}
    assert all(t["type"] == "deposit" for t in history(funded, "?type=deposit")["transactions"])
    got, cursor = [], None
    while True:
        doc = history(funded, "?limit=4" + (f"&cursor={cursor}" if cursor else ""))
        got += [t["id"] for t in doc["transactions"]]
        cursor = doc.get("next_cursor")
        if not cursor:
            break
    assert got == ids
    t0 = history(funded, "?limit=1")["transactions"][0]["created_at"]
    assert history(funded, f"?from={t0 + 1}") == {"transactions": []}


def test_history_is_private(srv, funded):
    other = new_user(srv)
    assert history(other) == {"transactions": []}


@pytest.mark.parametrize("query,field", [
    ("?type=both", "type"), ("?limit=0", "limit"), ("?cursor=c!", "cursor"),
    ("?currency=aud", "currency"), ("?from=1.5", "from")])
def test_history_bad_queries(user, query, field):
    r = user.get("/v1/fiat/transactions" + query).expect(400)
    assert r.error["field"] == field


def test_pending_survives_restart(server_factory):
    s = server_factory(config={"assets": ASSETS})
    u = new_user(s)
    verify_kyc(u)
    d = deposit(u, "300.00").expect(201).json()
    s.restart(kill=True)
    u.login()
    pay(s, d)
    w = withdraw(u, "100.00").expect(201).json()
    s.restart()
    u.login()
    assert balance(u, "AUD") == (D("198.50"), D("101.50"))
    pay(s, w, "payout.completed")
    assert balance(u, "AUD") == (D("198.50"), ZERO)
    # Ids keep growing across restarts.
    d2 = deposit(u, "1.00").expect(201).json()
    assert int(d2["id"][4:]) > int(w["id"][4:]) > int(d["id"][4:])

"""Provider webhooks (POST /v1/webhooks/{provider}): Standard Webhooks
signatures, the 300 s tolerance both ways, key rotation, deduplication by id,
and every event's effect on balances and transactions, exactly.

A refused event (4xx) is not recorded, so a corrected redelivery with the same
id takes effect; an accepted one is, so a replay is 204 without effect, also
after a restart.
"""

import base64
import http.client
import json
import time
import uuid

import pytest

from naxlib import (D, balance, fund_crypto, new_user, send_webhook, sign_webhook, verify_kyc,
                    webhook_event)

ZERO = D("0")


def fiat_deposit(user, amount="100.00", currency="AUD", method="payid"):
    r = user.post("/v1/fiat/deposit", json={"currency": currency, "amount": amount,
                                            "method": method})
    return r.expect(201).json()


def fiat_tx(user, tx_id):
    txs = user.get("/v1/fiat/transactions?limit=1000").expect(200).json()["transactions"]
    return next(t for t in txs if t["id"] == tx_id)


def wallet_txs(user, query=""):
    return user.get("/v1/wallets/transactions" + query).expect(200).json()["transactions"]


def paid(naxd, ftx, amount=None, currency=None, msg_id=None, **kw):
    data = {"reference": ftx["reference"]}
    data["amount"] = amount if amount is not None else ftx["amount"]
    data["currency"] = currency or ftx["currency"]
    return send_webhook(naxd, "payments", "payment.succeeded", data, msg_id=msg_id, **kw)


@pytest.fixture
def user(naxd):
    return new_user(naxd)


# ---- payment.succeeded ------------------------------------------------------------


def test_payment_succeeded_credits_exactly_once(naxd, user):
    ftx = fiat_deposit(user, "1234.56")
    assert balance(user, "AUD") == (ZERO, ZERO)
    msg = "msg_" + uuid.uuid4().hex
    paid(naxd, ftx, msg_id=msg).expect(204)
    assert balance(user, "AUD") == (D("1234.56"), ZERO)
    assert fiat_tx(user, ftx["id"])["status"] == "completed"
    # The same event again: 204, no second credit.
    r = paid(naxd, ftx, msg_id=msg).expect(204)
    assert r.body == b""
    assert balance(user, "AUD") == (D("1234.56"), ZERO)
    # A new event for the completed reference: refused, still one credit.
    assert paid(naxd, ftx).expect(409).code == "already_final"
    assert balance(user, "AUD") == (D("1234.56"), ZERO)


def test_payment_without_amount_or_currency_credits_pending_amount(naxd, user):
    ftx = fiat_deposit(user, "75.10")
    send_webhook(naxd, "payments", "payment.succeeded",
                 {"reference": ftx["reference"]}).expect(204)
    assert balance(user, "AUD") == (D("75.10"), ZERO)


def test_payment_amount_scale_does_not_matter(naxd, user):
    ftx = fiat_deposit(user, "20.00")
    paid(naxd, ftx, amount="20").expect(204)
    assert balance(user, "AUD") == (D("20.00"), ZERO)


def test_amount_mismatch_is_refused_and_not_recorded(naxd, user):
    ftx = fiat_deposit(user, "500.00")
    msg = "msg_" + uuid.uuid4().hex
    r = paid(naxd, ftx, amount="500.01", msg_id=msg).expect(422)
    assert r.code == "amount_mismatch" and r.error["field"] == "data.amount"
    assert balance(user, "AUD") == (ZERO, ZERO)
    assert fiat_tx(user, ftx["id"])["status"] == "pending"
    # The provider fixes the event and resends it under the same id.
    paid(naxd, ftx, msg_id=msg).expect(204)
    assert balance(user, "AUD") == (D("500.00"), ZERO)


def test_currency_mismatch(naxd, user):
    ftx = fiat_deposit(user, "10.00")
    r = paid(naxd, ftx, currency="USD").expect(422)
    assert r.code == "currency_mismatch" and r.error["field"] == "data.currency"
    assert balance(user, "AUD") == (ZERO, ZERO)


def test_unknown_reference(naxd):
    r = send_webhook(naxd, "payments", "payment.succeeded",
                     {"reference": "NAXZZZZZZZ", "amount": "1.00", "currency": "AUD"}).expect(422)
    assert r.code == "unknown_reference" and r.error["field"] == "data.reference"


def test_reference_required(naxd):
    r = send_webhook(naxd, "payments", "payment.succeeded", {"amount": "1.00"}).expect(400)
    assert r.error["field"] == "data.reference"


def test_payment_failed_marks_failed_without_credit(naxd, user):
    ftx = fiat_deposit(user, "300.00")
    send_webhook(naxd, "payments", "payment.failed",
                 {"reference": ftx["reference"], "reason": "bank returned"}).expect(204)
    assert fiat_tx(user, ftx["id"])["status"] == "failed"
    assert balance(user, "AUD") == (ZERO, ZERO)
    assert paid(naxd, ftx).expect(409).code == "already_final"
    assert balance(user, "AUD") == (ZERO, ZERO)


def test_payment_for_a_withdrawal_reference_is_unknown(naxd, user):
    verify_kyc(user)
    ftx = fiat_deposit(user, "100.00")
    paid(naxd, ftx).expect(204)
    w = user.post("/v1/fiat/withdraw", json={
        "currency": "AUD", "amount": "10.00", "method": "payid", "account_name": "A",
        "account_number": "1", "bank_code": "062-000"}).expect(201).json()
    r = send_webhook(naxd, "payments", "payment.succeeded",
                     {"reference": w["reference"]}).expect(422)
    assert r.code == "unknown_reference"


# ---- signatures, timestamps, headers -----------------------------------------------------


def signed_parts(naxd, user, amount="50.00"):
    ftx = fiat_deposit(user, amount)
    event = webhook_event("payment.succeeded", {"reference": ftx["reference"], "amount": amount,
                                                "currency": "AUD"})
    body = json.dumps(event, separators=(",", ":")).encode()
    return ftx, event, body


def post_raw(naxd, provider, body, headers):
    return naxd.api.call("POST", f"/v1/webhooks/{provider}", body=body, headers=headers)


def test_tampered_body_is_refused(naxd, user):
    ftx, event, body = signed_parts(naxd, user)
    ts = int(time.time())
    sig = sign_webhook(naxd.secrets["payments"], event["id"], ts, body)
    tampered = body.replace(b'"50.00"', b'"51.00"')
    assert tampered != body
    r = post_raw(naxd, "payments", tampered, {"webhook-id": event["id"],
                                              "webhook-timestamp": str(ts),
                                              "webhook-signature": sig}).expect(401)
    assert r.code == "invalid_signature" and r.error["field"] == "webhook-signature"
    assert balance(user, "AUD") == (ZERO, ZERO)
    # The untampered body with the same headers goes through.
    post_raw(naxd, "payments", body, {"webhook-id": event["id"], "webhook-timestamp": str(ts),
                                      "webhook-signature": sig}).expect(204)
    assert balance(user, "AUD") == (D("50.00"), ZERO)


def test_signature_for_another_id_or_timestamp_is_refused(naxd, user):
    ftx, event, body = signed_parts(naxd, user)
    ts = int(time.time())
    sig = sign_webhook(naxd.secrets["payments"], event["id"], ts, body)
    r = post_raw(naxd, "payments", body, {"webhook-id": event["id"],
                                          "webhook-timestamp": str(ts - 1),
                                          "webhook-signature": sig}).expect(401)
    assert r.code == "invalid_signature"
    other = sign_webhook(naxd.secrets["custody"], event["id"], ts, body)
    r = post_raw(naxd, "payments", body, {"webhook-id": event["id"],
                                          "webhook-timestamp": str(ts),
                                          "webhook-signature": other}).expect(401)
    assert r.code == "invalid_signature"
    assert balance(user, "AUD") == (ZERO, ZERO)


@pytest.mark.parametrize("offset", [-301, 301, -3600, 3600])
def test_timestamps_outside_tolerance_are_refused(naxd, user, offset):
    ftx = fiat_deposit(user, "10.00")
    r = paid(naxd, ftx, ts=int(time.time()) + offset).expect(401)
    assert r.code == "timestamp_out_of_window" and r.error["field"] == "webhook-timestamp"
    assert balance(user, "AUD") == (ZERO, ZERO)


@pytest.mark.parametrize("offset", [-280, 280])
def test_timestamps_inside_tolerance_are_accepted(naxd, user, offset):
    ftx = fiat_deposit(user, "10.00")
    paid(naxd, ftx, ts=int(time.time()) + offset).expect(204)
    assert balance(user, "AUD") == (D("10.00"), ZERO)


def test_malformed_timestamp(naxd, user):
    ftx = fiat_deposit(user, "10.00")
    r = paid(naxd, ftx, headers={"webhook-timestamp": "soon"}).expect(401)
    assert r.code == "timestamp_out_of_window"


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_headers(naxd, user, missing):
    ftx, event, body = signed_parts(naxd, user)
    ts = int(time.time())
    headers = {"webhook-id": event["id"], "webhook-timestamp": str(ts),
               "webhook-signature": sign_webhook(naxd.secrets["payments"], event["id"], ts,
                                                 body)}
    del headers[missing]
    r = post_raw(naxd, "payments", body, headers).expect(400)
    assert r.code == "invalid_request" and r.error["field"] == missing
    assert balance(user, "AUD") == (ZERO, ZERO)


def test_body_id_must_equal_webhook_id(naxd, user):
    ftx, event, body = signed_parts(naxd, user)
    other = "msg_" + uuid.uuid4().hex
    ts = int(time.time())
    r = post_raw(naxd, "payments", body, {
        "webhook-id": other, "webhook-timestamp": str(ts),
        "webhook-signature": sign_webhook(naxd.secrets["payments"], other, ts, body)})
    assert r.expect(400).error["field"] == "id"
    assert balance(user, "AUD") == (ZERO, ZERO)


def test_signed_garbage_body_is_400(naxd):
    msg = "msg_" + uuid.uuid4().hex
    r = send_webhook(naxd, "payments", body=b'{"id":', msg_id=msg).expect(400)
    assert r.code == "invalid_json"
    body = json.dumps({"id": msg, "type": "payment.refunded", "created_at": 1,
                       "data": {}}).encode()
    assert send_webhook(naxd, "payments", body=body, msg_id=msg).expect(400).code == \
        "invalid_request"


def test_unknown_provider(naxd):
    body = json.dumps(webhook_event("payment.succeeded", {})).encode()
    r = naxd.api.call("POST", "/v1/webhooks/paypal", body=body,
                      headers={"webhook-id": "msg_x", "webhook-timestamp": str(int(time.time())),
                               "webhook-signature": "v1,AAAA"}).expect(404)
    assert r.code == "unknown_provider"


@pytest.mark.parametrize("provider,event_type,data", [
    ("custody", "payment.succeeded", {"reference": "NAXAAAAAAA"}),
    ("payments", "deposit.confirmed", {"address": "bc1qxyz", "currency": "BTC", "amount": "1"}),
    ("kyc", "payout.completed", {"reference": "wtx_1"}),
    ("payments", "kyc.verified", {"user_id": "u_1"}),
])
def test_event_not_sent_by_provider(naxd, provider, event_type, data):
    r = send_webhook(naxd, provider, event_type, data).expect(422)
    assert r.code == "unsupported_event" and r.error["field"] == "type"


def test_secrets_never_logged(naxd):
    text = naxd.stdout_text() + naxd.stderr_text()
    for secret in naxd.secrets.values():
        assert secret not in text
        assert secret[len("whsec_"):] not in text


# ---- key rotation ------------------------------------------------------------------------


def whsec(key):
    return "whsec_" + base64.b64encode(key).decode()


def test_rotation_accepts_either_secret(server_factory):
    old, new = whsec(b"the old payments secret"), whsec(b"the new payments secret")
    srv = server_factory(config={"webhook_providers": {"payments": [old, new]}})
    u = new_user(srv)
    a = fiat_deposit(u, "1.00")
    b = fiat_deposit(u, "2.00")
    c = fiat_deposit(u, "4.00")
    paid(srv, a, secret=old).expect(204)
    paid(srv, b, secret=new).expect(204)
    assert balance(u, "AUD") == (D("3.00"), ZERO)
    # A header carrying an unknown signature and a valid one: one match suffices.
    event = webhook_event("payment.succeeded", {"reference": c["reference"]})
    body = json.dumps(event, separators=(",", ":")).encode()
    ts = int(time.time())
    bogus = sign_webhook(whsec(b"someone else's secret"), event["id"], ts, body)
    good = sign_webhook(new, event["id"], ts, body)
    r = srv.api.call("POST", "/v1/webhooks/payments", body=body, headers={
        "webhook-id": event["id"], "webhook-timestamp": str(ts),
        "webhook-signature": f"{bogus} {good}"})
    r.expect(204)
    assert balance(u, "AUD") == (D("7.00"), ZERO)
    # After the old secret is retired, it no longer works.
    srv.stop()
    srv.config["webhook_providers"]["payments"] = [new]
    srv.config_path.write_text(json.dumps(srv.config))
    srv.start()
    d = fiat_deposit(u, "8.00")
    assert paid(srv, d, secret=old).expect(401).code == "invalid_signature"
    paid(srv, d, secret=new).expect(204)
    assert balance(u, "AUD") == (D("15.00"), ZERO)


# ---- payouts (fiat and crypto) -------------------------------------------------------------


def funded_fiat_withdrawal(naxd, user, deposit="1000.00", amount="400.00"):
    verify_kyc(user)
    paid(naxd, fiat_deposit(user, deposit)).expect(204)
    return user.post("/v1/fiat/withdraw", json={
        "currency": "AUD", "amount": amount, "method": "bank_transfer",
        "account_name": "Alice Nguyen", "account_number": "12345678",
        "bank_code": "062-000"}).expect(201).json()


def test_fiat_payout_completed_settles(naxd, user):
    w = funded_fiat_withdrawal(naxd, user)
    total = D(w["amount"]) + D(w["fee"])
    assert balance(user, "AUD") == (D("1000.00") - total, total)
    msg = "msg_" + uuid.uuid4().hex
    send_webhook(naxd, "payments", "payout.completed", {"reference": w["reference"]},
                 msg_id=msg).expect(204)
    assert balance(user, "AUD") == (D("1000.00") - total, ZERO)
    assert fiat_tx(user, w["id"])["status"] == "completed"
    send_webhook(naxd, "payments", "payout.completed", {"reference": w["reference"]},
                 msg_id=msg).expect(204)
    assert balance(user, "AUD") == (D("1000.00") - total, ZERO)
    r = send_webhook(naxd, "payments", "payout.failed", {"reference": w["reference"]})
    assert r.expect(409).code == "already_final"
    assert balance(user, "AUD") == (D("1000.00") - total, ZERO)


def test_fiat_payout_failed_releases(naxd, user):
    w = funded_fiat_withdrawal(naxd, user, "250.00", "249.99")
    send_webhook(naxd, "payments", "payout.failed",
                 {"reference": w["reference"], "reason": "account closed"}).expect(204)
    assert balance(user, "AUD") == (D("250.00"), ZERO)
    assert fiat_tx(user, w["id"])["status"] == "failed"


def test_payout_amount_must_match(naxd, user):
    w = funded_fiat_withdrawal(naxd, user)
    r = send_webhook(naxd, "payments", "payout.completed",
                     {"reference": w["reference"], "amount": "399.99"}).expect(422)
    assert r.code == "amount_mismatch"
    send_webhook(naxd, "payments", "payout.completed",
                 {"reference": w["reference"], "amount": "400.00"}).expect(204)


def test_crypto_payouts(naxd, user):
    verify_kyc(user)
    fund_crypto(user, "BTC", "2.00000000")
    dest = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    w1 = user.post("/v1/wallets/withdraw", json={"asset": "BTC", "amount": "0.50000000",
                                                 "address": dest}).expect(201).json()
    w2 = user.post("/v1/wallets/withdraw", json={"asset": "BTC", "amount": "0.25000000",
                                                 "address": dest}).expect(201).json()
    fee = D(w1["fee"])
    assert fee == D(w2["fee"]) and fee > 0
    spent = D("0.75") + 2 * fee
    assert balance(user, "BTC") == (D("2") - spent, spent)
    # The payments provider cannot settle crypto withdrawals.
    r = send_webhook(naxd, "payments", "payout.completed", {"reference": w1["id"]}).expect(422)
    assert r.code == "unknown_reference"
    tx_hash = "ab" * 32
    send_webhook(naxd, "custody", "payout.completed",
                 {"reference": w1["id"], "tx_hash": tx_hash}).expect(204)
    send_webhook(naxd, "custody", "payout.failed", {"reference": w2["id"]}).expect(204)
    assert balance(user, "BTC") == (D("2") - D("0.5") - fee, ZERO)
    txs = {t["id"]: t for t in wallet_txs(user, "?type=withdrawal")}
    assert txs[w1["id"]]["status"] == "completed" and txs[w1["id"]]["tx_hash"] == tx_hash
    assert txs[w2["id"]]["status"] == "failed"


# ---- custody deposits ------------------------------------------------------------------


def test_deposit_confirmed_credits_owner(naxd, user):
    addr = user.post("/v1/wallets/deposit-address", json={"asset": "ETH"}).expect(200).json()
    tx_hash = "0x" + "cd" * 32
    msg = "msg_" + uuid.uuid4().hex
    data = {"amount": "1.234567890123456789", "currency": "ETH", "address": addr["address"],
            "tx_hash": tx_hash}
    send_webhook(naxd, "custody", "deposit.confirmed", data, msg_id=msg).expect(204)
    assert balance(user, "ETH") == (D("1.234567890123456789"), ZERO)
    send_webhook(naxd, "custody", "deposit.confirmed", data, msg_id=msg).expect(204)
    assert balance(user, "ETH") == (D("1.234567890123456789"), ZERO)
    [tx] = wallet_txs(user, "?asset=ETH")
    assert tx["type"] == "deposit" and tx["status"] == "completed"
    assert tx["amount"] == "1.234567890123456789" and D(tx["fee"]) == ZERO
    assert tx["address"] == addr["address"] and tx["network"] == "ethereum"
    assert tx["tx_hash"] == tx_hash and tx["id"].startswith("wtx_")
    # The same on-chain transaction under a new event id is not credited twice.
    r = send_webhook(naxd, "custody", "deposit.confirmed", data).expect(409)
    assert r.code == "already_final"
    assert balance(user, "ETH") == (D("1.234567890123456789"), ZERO)


def test_deposit_to_unknown_address(naxd):
    r = send_webhook(naxd, "custody", "deposit.confirmed", {
        "amount": "1.0", "currency": "BTC", "tx_hash": uuid.uuid4().hex,
        "address": "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"}).expect(422)
    assert r.code == "unknown_address" and r.error["field"] == "data.address"


def test_deposit_currency_must_match_address(naxd, user):
    addr = user.post("/v1/wallets/deposit-address", json={"asset": "BTC"}).expect(200).json()
    r = send_webhook(naxd, "custody", "deposit.confirmed", {
        "amount": "1.0", "currency": "ETH", "address": addr["address"],
        "tx_hash": uuid.uuid4().hex}).expect(422)
    assert r.code == "currency_mismatch"
    assert balance(user, "ETH") == (ZERO, ZERO) and balance(user, "BTC") == (ZERO, ZERO)


@pytest.mark.parametrize("amount,status", [("0", 422), ("-1.5", 422), ("1e5", 400)])
def test_deposit_amount_must_be_positive_decimal(naxd, user, amount, status):
    addr = user.post("/v1/wallets/deposit-address", json={"asset": "BTC"}).expect(200).json()
    send_webhook(naxd, "custody", "deposit.confirmed", {
        "amount": amount, "currency": "BTC", "address": addr["address"],
        "tx_hash": uuid.uuid4().hex}).expect(status)
    assert balance(user, "BTC") == (ZERO, ZERO)


@pytest.mark.parametrize("missing", ["amount", "currency", "address", "tx_hash"])
def test_deposit_fields_required(naxd, user, missing):
    addr = user.post("/v1/wallets/deposit-address", json={"asset": "BTC"}).expect(200).json()
    data = {"amount": "1", "currency": "BTC", "address": addr["address"],
            "tx_hash": uuid.uuid4().hex}
    del data[missing]
    r = send_webhook(naxd, "custody", "deposit.confirmed", data).expect(400)
    assert r.error["field"] == "data." + missing


def test_ids_are_per_provider(naxd, user):
    """Each sender's ids are unique only among its own events."""
    ftx = fiat_deposit(user, "5.00")
    addr = user.post("/v1/wallets/deposit-address", json={"asset": "BTC"}).expect(200).json()
    msg = "evt_" + uuid.uuid4().hex
    paid(naxd, ftx, msg_id=msg).expect(204)
    send_webhook(naxd, "custody", "deposit.confirmed", {
        "amount": "0.01", "currency": "BTC", "address": addr["address"],
        "tx_hash": uuid.uuid4().hex}, msg_id=msg).expect(204)
    assert balance(user, "AUD") == (D("5.00"), ZERO)
    assert balance(user, "BTC") == (D("0.01"), ZERO)


# ---- KYC ------------------------------------------------------------------------------------


def test_kyc_events(naxd, user):
    send_webhook(naxd, "kyc", "kyc.rejected",
                 {"user_id": user.id, "reason": "document expired"}).expect(204)
    k = user.get("/v1/users/kyc-status").expect(200).json()
    assert k["status"] == "rejected" and k["reason"] == "document expired"
    dest = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    r = user.post("/v1/wallets/withdraw", json={"asset": "BTC", "amount": "0.1",
                                                "address": dest}).expect(403)
    assert r.code == "kyc_required"
    send_webhook(naxd, "kyc", "kyc.verified", {"user_id": user.id}).expect(204)
    k = user.get("/v1/users/kyc-status").expect(200).json()
    assert k["status"] == "verified" and "reason" not in k
    # Verified now: the withdrawal is refused for funds, not identity.
    r = user.post("/v1/wallets/withdraw", json={"asset": "BTC", "amount": "0.1",
                                                "address": dest}).expect(422)
    assert r.code == "insufficient_funds"


def test_kyc_unknown_user(naxd):
    r = send_webhook(naxd, "kyc", "kyc.verified", {"user_id": "u_999999999"}).expect(422)
    assert r.code == "unknown_user"
    r = send_webhook(naxd, "kyc", "kyc.verified", {}).expect(400)
    assert r.error["field"] == "data.user_id"


# ---- durability ------------------------------------------------------------------------------


def test_replay_and_pending_survive_restart(server_factory):
    srv = server_factory()
    u = new_user(srv)
    done = fiat_deposit(u, "10.00")
    later = fiat_deposit(u, "20.00")
    msg = "msg_" + uuid.uuid4().hex
    paid(srv, done, msg_id=msg).expect(204)
    addr = u.post("/v1/wallets/deposit-address", json={"asset": "BTC"}).expect(200).json()
    srv.restart()
    u.login()
    paid(srv, done, msg_id=msg).expect(204)  # remembered: no second credit
    assert balance(u, "AUD") == (D("10.00"), ZERO)
    paid(srv, later).expect(204)  # still pending after the restart
    assert balance(u, "AUD") == (D("30.00"), ZERO)
    send_webhook(srv, "custody", "deposit.confirmed", {
        "amount": "0.1", "currency": "BTC", "address": addr["address"],
        "tx_hash": uuid.uuid4().hex}).expect(204)
    assert balance(u, "BTC") == (D("0.1"), ZERO)
    srv.restart(kill=True)
    u.login()
    assert balance(u, "AUD") == (D("30.00"), ZERO)
    assert balance(u, "BTC") == (D("0.1"), ZERO)
    rc, out = srv.verify_audit()
    assert rc == 0, out


def until_not_503(send):
    """The store recovers by itself after a failed commit (probe, reload,
    resume); a bounded wait for that."""
    for _ in range(100):
        r = send()
        if r.status != 503:
            return r
        time.sleep(0.1)
    return r


def test_failed_commit_forgets_the_event(naxd, user):
    ftx = fiat_deposit(user, "40.00")
    msg = "msg_" + uuid.uuid4().hex
    r = paid(naxd, ftx, msg_id=msg, headers={"X-NAX-Fault": "commit_fail"})
    assert r.status == 503, r.text
    assert balance(user, "AUD") == (ZERO, ZERO)
    assert fiat_tx(user, ftx["id"])["status"] == "pending"
    # Nothing was saved, the id included: the redelivery takes effect, once.
    until_not_503(lambda: paid(naxd, ftx, msg_id=msg)).expect(204)
    paid(naxd, ftx, msg_id=msg).expect(204)
    assert balance(user, "AUD") == (D("40.00"), ZERO)
    assert fiat_tx(user, ftx["id"])["status"] == "completed"


def test_redelivery_after_a_lost_reply(naxd, user):
    ftx = fiat_deposit(user, "60.00")
    msg = "msg_" + uuid.uuid4().hex
    try:
        r = paid(naxd, ftx, msg_id=msg, headers={"X-NAX-Fault": "drop_after_commit"},
                 retry=False, fresh=True)
        assert False, f"expected a dropped connection, got {r.status}"
    except (ConnectionError, OSError, http.client.HTTPException):
        pass
    paid(naxd, ftx, msg_id=msg).expect(204)
    assert balance(user, "AUD") == (D("60.00"), ZERO)


def test_failed_payout_commit_keeps_the_hold(naxd, user):
    w = funded_fiat_withdrawal(naxd, user, "100.00", "30.00")
    r = send_webhook(naxd, "payments", "payout.failed", {"reference": w["reference"]},
                     headers={"X-NAX-Fault": "commit_fail"})
    assert r.status == 503, r.text
    assert balance(user, "AUD") == (D("70.00"), D("30.00"))
    until_not_503(lambda: send_webhook(naxd, "payments", "payout.completed",
                                       {"reference": w["reference"]})).expect(204)
    assert balance(user, "AUD") == (D("70.00"), ZERO)

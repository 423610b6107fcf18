"""`nax webhook sign`: the CLI as a payment or custody provider against naxd."""

import json
import os
from decimal import Decimal

import naxlib
from conftest import EXIT_AUTH, EXIT_HTTP, EXIT_USAGE, Cli


def aud(naxd, trader):
    return naxlib.balance(trader.user, "AUD")[0]


def test_sign_completes_a_fiat_deposit(nax, naxd, trader):
    before = aud(naxd, trader)
    dep = nax("--json", "fiat", "deposit", "AUD", "250.00").expect(0).json()
    assert dep["status"] == "pending" and dep["method"] == "payid"
    env = {"NAXD_WEBHOOK_SECRET_PAYMENTS": naxd.secrets["payments"] + " whsec_b2xk"}
    r = nax("webhook", "sign", "--provider", "payments", "--type", "payment.succeeded",
            "--reference", dep["reference"], "--amount", "250.00", "--currency", "AUD",
            env=env).expect(0)
    assert "accepted the payment.succeeded event msg_" in r.out
    assert naxd.secrets["payments"] not in r.out + r.err
    assert aud(naxd, trader) == before + Decimal("250.00")
    rows = [line.split() for line in nax("fiat", "history", "--type", "deposit").expect(0)
            .out.splitlines()]
    assert rows[0][:4] == ["ID", "CURRENCY", "TYPE", "AMOUNT"]
    mine = [row for row in rows if row[0] == dep["id"]]
    assert mine and mine[0][5] == "completed" and mine[0][7] == dep["reference"]
    # the same reference again: naxd refuses (409 already_final), no second credit
    r = nax("webhook", "sign", "--provider", "payments", "--type", "payment.succeeded",
            "--reference", dep["reference"], "--amount", "250.00", "--currency", "AUD",
            env=env).expect(EXIT_HTTP)
    assert "already_final" in r.err and "HTTP 409" in r.err
    assert aud(naxd, trader) == before + Decimal("250.00")


def test_redelivery_by_id_has_one_effect(nax, naxd, trader):
    before = aud(naxd, trader)
    dep = nax("--json", "fiat", "deposit", "AUD", "10.00").expect(0).json()
    args = ["--json", "webhook", "sign", "--provider", "payments", "--type",
            "payment.succeeded", "--reference", dep["reference"], "--amount", "10.00",
            "--currency", "AUD", "--id", "msg_cli_redelivery"]
    env = {"NAX_WEBHOOK_SECRET": naxd.secrets["payments"]}
    sent = nax(*args, env=env).expect(0).json()  # --json: the event that was sent
    assert sent["id"] == "msg_cli_redelivery" and sent["type"] == "payment.succeeded"
    assert sent["data"] == {"reference": dep["reference"], "amount": "10.00", "currency": "AUD"}
    nax(*args, env=env).expect(0)  # a redelivery: 204, no effect
    assert aud(naxd, trader) == before + Decimal("10.00")


def test_custody_deposit(nax, naxd, trader):
    addr = nax("--json", "deposit-address", "BTC").expect(0).json()
    before = naxlib.balance(trader.user, "BTC")[0]
    nax("webhook", "sign", "--provider", "custody", "--type", "deposit.confirmed",
        "--address", addr["address"], "--amount", "0.12500000", "--currency", "BTC",
        "--tx-hash", "ab" * 32,
        env={"NAXD_WEBHOOK_SECRET_CUSTODY": naxd.secrets["custody"]}).expect(0)
    assert naxlib.balance(trader.user, "BTC")[0] == before + Decimal("0.125")
    rows = nax("--json", "transactions", "--asset", "BTC", "--type", "deposit").expect(0) \
        .json()["transactions"]
    assert rows[0]["amount"] == "0.12500000" and rows[0]["tx_hash"] == "ab" * 32


def test_print_shows_what_would_be_sent(naxd, home):
    secret = naxd.secrets["payments"]
    cli = Cli(home)  # no URL needed
    args = ["webhook", "sign", "--print", "--provider", "payments", "--type",
            "payment.failed", "--reference", "NAXREF1", "--reason", 'card "declined"',
            "--id", "msg_42", "--timestamp", "1767268800"]
    r = cli(*args, env={"NAX_WEBHOOK_SECRET": secret}).expect(0)
    head, body = r.out.split("\n\n", 1)
    lines = head.splitlines()
    assert lines[0] == "POST /v1/webhooks/payments"
    headers = dict(line.split(": ", 1) for line in lines[1:])
    body = body.rstrip("\n")
    assert headers["webhook-id"] == "msg_42" and headers["webhook-timestamp"] == "1767268800"
    # the signature checks out independently (Python's hmac over id.timestamp.body)
    assert headers["webhook-signature"] == naxlib.sign_webhook(secret, "msg_42", 1767268800, body)
    assert json.loads(body) == {"id": "msg_42", "type": "payment.failed",
                                "created_at": 1767268800000,
                                "data": {"reference": "NAXREF1", "reason": 'card "declined"'}}
    assert secret not in r.out + r.err
    doc = cli("--json", *args, env={"NAX_WEBHOOK_SECRET": secret}).expect(0).json()
    assert doc["path"] == "/v1/webhooks/payments"
    assert doc["headers"] == {"webhook-id": "msg_42", "webhook-timestamp": "1767268800",
                              "webhook-signature": headers["webhook-signature"]}
    assert doc["body"] == json.loads(body)


def test_secret_from_the_config_file(naxd, trader, home):
    path = home / ".config" / "nax" / "config"
    path.parent.mkdir(parents=True)
    path.write_text(f"url = {naxd.url}\nwebhook_secret_kyc = {naxd.secrets['kyc']}\n")
    os.chmod(path, 0o600)
    user = naxlib.new_user(naxd)
    Cli(home)("webhook", "sign", "--provider", "kyc", "--type", "kyc.verified",
              "--user-id", user.id).expect(0)
    kyc = user.get("/v1/users/kyc-status").expect(200).json()
    assert kyc["status"] == "verified"


def test_refusals(nax, naxd, home):
    # a wrong secret: naxd answers 401 invalid_signature
    r = nax("webhook", "sign", "--provider", "payments", "--type", "payment.succeeded",
            "--reference", "X", "--amount", "1.00", "--currency", "AUD",
            env={"NAX_WEBHOOK_SECRET": naxlib.new_webhook_secret()}).expect(EXIT_AUTH)
    assert "invalid_signature" in r.err and len(r.err.splitlines()) == 1
    # an unknown reference with the right secret: 422, field data.reference
    r = nax("webhook", "sign", "--provider", "payments", "--type", "payment.succeeded",
            "--reference", "NOPE", "--amount", "1.00", "--currency", "AUD",
            env={"NAX_WEBHOOK_SECRET": naxd.secrets["payments"]})
    assert r.rc == 9 and "field data.reference" in r.err, r
    # no secret anywhere; a secret on the command line; bad values
    r = Cli(home, url=naxd.url)("webhook", "sign", "--provider", "payments", "--type",
                                "payment.succeeded").expect(EXIT_USAGE)
    assert "NAX_WEBHOOK_SECRET" in r.err
    r = nax("webhook", "sign", "--provider", "payments", "--type", "payment.succeeded",
            "--secret", "whsec_c2VjcmV0").expect(EXIT_USAGE)
    assert "whsec_c2VjcmV0" not in r.err and "command line" in r.err
    nax("webhook", "sign", "--provider", "bank", "--type", "payment.succeeded").expect(EXIT_USAGE)
    nax("webhook", "sign", "--provider", "payments", "--type", "payment.ok").expect(EXIT_USAGE)
    nax("webhook", "sign", "--provider", "payments", "--type", "payment.succeeded",
        "--amount", "1,00").expect(EXIT_USAGE)
    nax("webhook", "verify").expect(EXIT_USAGE)

"""Money movement through the CLI: deposit address, crypto and fiat
withdrawals (paid out by the provider, played with `webhook sign`), and the
transaction lists, checked against naxd's balances."""

import json
from decimal import Decimal

import naxlib


def kv(out):
    return dict(line.split(None, 1) for line in out.splitlines() if line.strip())


def test_deposit_address_is_stable(nax, naxd, trader):
    shown = kv(nax("deposit-address", "BTC").expect(0).out)
    doc = nax("--json", "deposit-address", "BTC").expect(0).json()
    assert shown == {"asset": "BTC", "network": doc["network"], "address": doc["address"]}
    want = json.loads(naxd.api.post("/v1/wallets/deposit-address", key=trader.key,
                                    json={"asset": "BTC"}).expect(200, 201).body)
    assert doc == want


def test_crypto_withdrawal_paid_out(nax, naxd, trader):
    other = naxlib.new_user(naxd)
    naxlib.verify_kyc(other)
    to = other.post("/v1/wallets/deposit-address", json={"asset": "BTC"}).expect(200, 201) \
        .json()["address"]
    avail, locked = naxlib.balance(trader.user, "BTC")
    tx = kv(nax("withdraw", "BTC", "0.5", "--address", to).expect(0).out)
    assert tx["type"] == "withdrawal" and tx["status"] == "pending" and tx["address"] == to
    assert tx["amount"] == "0.5"
    # the amount and its fee are held while it is pending
    held = Decimal("0.5") + Decimal(tx["fee"])
    assert naxlib.balance(trader.user, "BTC") == (avail - held, locked + held)
    listed = nax("--json", "transactions", "--type", "withdrawal").expect(0).json()
    assert [t["id"] for t in listed["transactions"]] == [tx["id"]]
    # custody pays it out; the hold is gone
    nax("webhook", "sign", "--provider", "custody", "--type", "payout.completed",
        "--reference", tx["id"], env={"NAX_WEBHOOK_SECRET": naxd.secrets["custody"]}).expect(0)
    assert naxlib.balance(trader.user, "BTC") == (avail - held, locked)
    rows = [line.split() for line in nax("transactions").expect(0).out.splitlines()]
    assert rows[0][:4] == ["ID", "ASSET", "TYPE", "AMOUNT"]
    assert [r[5] for r in rows[1:] if r[0] == tx["id"]] == ["completed"]


def test_fiat_withdrawal_paid_out(nax, naxd, trader):
    avail, locked = naxlib.balance(trader.user, "AUD")
    doc = nax("--json", "fiat", "withdraw", "AUD", "120.50", "--method", "payid",
              "--account-name", "A Trader", "--account-number", "12345678",
              "--bank-code", "062000").expect(0).json()
    assert doc["type"] == "withdrawal" and doc["status"] == "pending"
    assert doc["amount"] == "120.50" and doc["method"] == "payid"
    held = Decimal("120.50") + Decimal(doc["fee"])
    assert naxlib.balance(trader.user, "AUD") == (avail - held, locked + held)
    nax("webhook", "sign", "--provider", "payments", "--type", "payout.completed",
        "--reference", doc["reference"],
        env={"NAX_WEBHOOK_SECRET": naxd.secrets["payments"]}).expect(0)
    assert naxlib.balance(trader.user, "AUD") == (avail - held, locked)
    page = nax("--json", "fiat", "history", "--type", "withdrawal", "--currency", "AUD") \
        .expect(0).json()
    assert [(t["id"], t["status"]) for t in page["transactions"]] == [(doc["id"], "completed")]
    want = json.loads(naxd.api.get("/v1/fiat/transactions?type=withdrawal&currency=AUD",
                                   key=trader.key).expect(200).body)
    assert page == want

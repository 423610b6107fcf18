"""Regressions from the money review: a withdrawal's fee stays on the books, one
on-chain deposit is credited once however it is delivered, reads never show a
change whose commit failed, and reads racing commits are served safely."""
import concurrent.futures as cf
import threading
import time
import uuid

from naxlib import D, balance, fund_crypto, fund_fiat, new_user, send_webhook, verify_kyc
from test_crash import check_store

ZERO = D("0")


def test_withdrawal_fee_moves_to_the_fee_account(server_factory):
    srv = server_factory()
    u = new_user(srv)
    fund_crypto(u, "BTC", "1.0")
    w = u.post("/v1/wallets/withdraw", json={
        "asset": "BTC", "amount": "0.5",
        "address": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"}).expect(201).json()
    send_webhook(srv, "custody", "payout.completed", {"reference": w["id"]}).expect(204)
    fee = D(w["fee"])
    assert fee > 0
    assert balance(u, "BTC") == (D("0.5") - fee, ZERO)
    srv.stop()
    check_store(srv.data_dir)  # every account together still holds deposits - payouts


def test_one_onchain_deposit_is_credited_once(naxd):
    u = new_user(naxd)
    verify_kyc(u)
    addr = u.post("/v1/wallets/deposit-address", json={"asset": "BTC"}).expect(200).json()
    tx_hash = uuid.uuid4().hex + uuid.uuid4().hex
    data = {"amount": "1.0", "currency": "BTC", "address": addr["address"], "tx_hash": tx_hash}

    def deliver(i):  # same transaction, a different webhook-id each time
        return send_webhook(naxd, "custody", "deposit.confirmed", data, fresh=True).status

    with cf.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(deliver, range(8)))
    assert statuses.count(204) == 1 and statuses.count(409) == 7, statuses
    upper = dict(data, tx_hash=tx_hash.upper())
    assert send_webhook(naxd, "custody", "deposit.confirmed", upper).status == 409
    assert balance(u, "BTC") == (D("1.0"), ZERO)


def test_reads_racing_commits_are_safe(naxd):
    # Reads answered while commits are pending wait for them; this used to
    # touch freed memory when the held reply went out.
    u = new_user(naxd)
    fund_fiat(u, "AUD", "100000.00")
    stop = threading.Event()
    errors = []

    def place():
        while not stop.is_set():
            r = u.post("/v1/orders", json={"pair": "BTC-AUD", "side": "buy", "type": "limit",
                                           "price": "100.00", "quantity": "0.1"}, fresh=True)
            if r.status != 201:
                errors.append(r.text)

    def read(path):
        while not stop.is_set():
            r = (u.get(path, fresh=True) if path.startswith("/v1/wallets")
                 else naxd.api.get(path, fresh=True))
            if r.status != 200:
                errors.append(r.text)

    threads = [threading.Thread(target=place) for _ in range(3)]
    threads += [threading.Thread(target=read, args=(p,)) for p in
                ("/v1/wallets/balances", "/v1/markets/BTC-AUD/ticker",
                 "/v1/markets/BTC-AUD/orderbook")]
    for t in threads:
        t.start()
    time.sleep(2.0)
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert naxd.alive()
    naxd.api.get("/health").expect(200)


def test_reads_never_show_a_change_whose_commit_failed(naxd):
    u = new_user(naxd)
    fund_fiat(u, "AUD", "1000.00")
    stop = threading.Event()
    seen = []

    def read():
        while not stop.is_set():
            r = u.get("/v1/wallets/balances", fresh=True)
            if r.status == 200:
                for b in r.json()["balances"]:
                    if b["asset"] == "AUD":
                        seen.append(D(b["locked"]))

    for _ in range(10):
        stop.clear()
        readers = [threading.Thread(target=read) for _ in range(4)]
        for t in readers:
            t.start()
        r = u.post("/v1/orders", json={"pair": "BTC-AUD", "side": "buy", "type": "limit",
                                       "price": "100.00", "quantity": "0.2"},
                   headers={"X-NAX-Fault": "commit_fail"})
        assert r.status == 503, r.text
        stop.set()
        for t in readers:
            t.join()
        naxd.wait_writable()
    assert seen and set(seen) == {ZERO}, sorted(set(seen))

"""Idempotency-Key semantics (docs/openapi.yaml, DESIGN section 6): the same key and
body give the stored response and one effect; another body is 422; a key still
in flight is 409; keys survive a restart; orders, wallets and fiat require one.
"""

import threading
import uuid

import pytest

from naxlib import D, Server, balance, fund_crypto, fund_fiat, new_user, send_webhook

ORDER = {"pair": "BTC-AUD", "side": "buy", "type": "limit", "price": "40000.00",
         "quantity": "0.00100000"}


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("naxd-idem"))
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def trader(srv):
    user = new_user(srv)
    fund_fiat(user, "AUD", "10000.00")
    yield user
    user.delete("/v1/orders").expect(200)


def orders_of(user):
    return user.get("/v1/orders?limit=1000").expect(200).json()["orders"]


def test_same_key_same_body_replays_with_one_effect(trader):
    key = str(uuid.uuid4())
    first = trader.post("/v1/orders", json=ORDER, idem=key).expect(201)
    locked = balance(trader, "AUD")[1]
    second = trader.post("/v1/orders", json=ORDER, idem=key).expect(201)
    assert second.json() == first.json()
    assert second.json()["id"] == first.json()["id"]
    assert [o["id"] for o in orders_of(trader)] == [first.json()["id"]]
    assert balance(trader, "AUD")[1] == locked, "the replay held nothing more"
    # a request id of its own: the replay is a new request
    assert second.headers.get("X-Request-Id")


def test_same_key_other_body_is_422(trader):
    key = str(uuid.uuid4())
    trader.post("/v1/orders", json=ORDER, idem=key).expect(201)
    other = dict(ORDER, price="40001.00")
    r = trader.post("/v1/orders", json=other, idem=key)
    assert r.status == 422 and r.code == "idempotency_key_reused", r.text
    assert r.error.get("field") == "Idempotency-Key"
    assert len(orders_of(trader)) == 1


def test_keys_are_per_user(srv, trader):
    other = new_user(srv)
    fund_fiat(other, "AUD", "1000.00")
    key = str(uuid.uuid4())
    a = trader.post("/v1/orders", json=ORDER, idem=key).expect(201).json()
    b = other.post("/v1/orders", json=ORDER, idem=key).expect(201).json()
    assert a["id"] != b["id"]
    other.delete("/v1/orders").expect(200)


def test_missing_required_key_is_400(srv, trader):
    r = trader.post("/v1/orders", json=ORDER, idem=False)
    assert r.status == 400, r.text
    assert "idempotency" in (r.error.get("field", "") + r.error.get("message", "")).lower()
    for path, body in (("/v1/wallets/deposit-address", {"asset": "BTC"}),
                       ("/v1/fiat/deposit", {"currency": "AUD", "amount": "10.00",
                                             "method": "payid"}),
                       ("/v1/wallets/withdraw", {"asset": "BTC", "amount": "0.1",
                                                 "address": "bc1qexample"}),
                       ("/v1/fiat/withdraw", {"currency": "AUD", "amount": "1.00",
                                              "method": "bank_transfer", "account_name": "A",
                                              "account_number": "1", "bank_code": "062-000"})):
        r = trader.post(path, json=body, idem=False)
        assert r.status == 400, (path, r.status, r.text)
    assert orders_of(trader) == []
    r = trader.post("/v1/orders", json=ORDER, idem="not a valid key!")
    assert r.status == 400, r.text


def test_concurrent_same_key_gives_one_order(trader):
    """Two copies at once: one 201 and either 409 idempotency_in_flight or the replay."""
    for _ in range(8):
        key = str(uuid.uuid4())
        results = [None, None]
        barrier = threading.Barrier(2)

        def send(i):
            barrier.wait()
            results[i] = trader.post("/v1/orders", json=ORDER, idem=key, fresh=True)

        threads = [threading.Thread(target=send, args=(i,)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        statuses = sorted(r.status for r in results)
        assert statuses in ([201, 201], [201, 409]), [r.text for r in results]
        if statuses == [201, 409]:
            conflict = next(r for r in results if r.status == 409)
            assert conflict.code == "idempotency_in_flight"
            assert conflict.error.get("field") == "Idempotency-Key"
        else:
            assert results[0].json() == results[1].json()
    ids = [o["id"] for o in orders_of(trader)]
    assert len(ids) == 8 and len(set(ids)) == 8


def test_failed_request_does_not_burn_the_key(srv):
    user = new_user(srv)
    fund_fiat(user, "AUD", "10.00")
    key = str(uuid.uuid4())
    r = user.post("/v1/orders", json=ORDER, idem=key)
    assert r.status == 422 and r.code == "insufficient_funds", r.text
    fund_fiat(user, "AUD", "100.00")
    user.post("/v1/orders", json=ORDER, idem=key).expect(201)
    user.delete("/v1/orders").expect(200)


def test_dropped_reply_then_retry_gives_the_stored_order(srv, trader):
    """drop_after_commit: the order is durable but the client saw no answer; the
    retry with the same key returns it instead of placing a second one."""
    key = str(uuid.uuid4())
    with pytest.raises((ConnectionError, OSError)):
        r = trader.post("/v1/orders", json=ORDER, idem=key, fresh=True, retry=False,
                        headers={"X-NAX-Fault": "drop_after_commit"})
        pytest.fail(f"expected the connection to drop, got {r.status} {r.text}")
    retry = trader.post("/v1/orders", json=ORDER, idem=key).expect(201).json()
    assert [o["id"] for o in orders_of(trader)] == [retry["id"]]


def test_error_after_commit_then_retry_gives_the_stored_order(srv, trader):
    key = str(uuid.uuid4())
    r = trader.post("/v1/orders", json=ORDER, idem=key,
                    headers={"X-NAX-Fault": "error_after_commit;status=500"})
    assert r.status == 500, r.text
    retry = trader.post("/v1/orders", json=ORDER, idem=key).expect(201).json()
    assert [o["id"] for o in orders_of(trader)] == [retry["id"]]


def test_error_before_commit_changes_nothing_and_frees_the_key(srv, trader):
    key = str(uuid.uuid4())
    r = trader.post("/v1/orders", json=ORDER, idem=key,
                    headers={"X-NAX-Fault": "error_before_commit"})
    assert r.status == 503 and r.headers.get("Retry-After") is not None, r.text
    assert orders_of(trader) == []
    trader.post("/v1/orders", json=ORDER, idem=key).expect(201)


def test_commit_failure_is_503_and_nothing_changes(srv, trader):
    before = balance(trader, "AUD")
    key = str(uuid.uuid4())
    r = trader.post("/v1/orders", json=ORDER, idem=key, headers={"X-NAX-Fault": "commit_fail"})
    assert r.status == 503, r.text
    assert r.headers.get("Retry-After") is not None, "503 carries Retry-After"
    # the server reloads its memory from the store; the order never existed
    srv.wait_writable()
    assert orders_of(trader) == []
    assert balance(trader, "AUD") == before
    trader.post("/v1/orders", json=ORDER, idem=key).expect(201)


def test_keys_survive_a_restart(srv):
    user = new_user(srv)
    fund_fiat(user, "AUD", "1000.00")
    key = str(uuid.uuid4())
    first = user.post("/v1/orders", json=ORDER, idem=key).expect(201).json()
    dep_key = str(uuid.uuid4())
    dep = user.post("/v1/fiat/deposit", json={"currency": "AUD", "amount": "5.00",
                                              "method": "payid"}, idem=dep_key).expect(201)
    srv.restart()
    user.login()
    again = user.post("/v1/orders", json=ORDER, idem=key).expect(201).json()
    assert again == first
    r = user.post("/v1/orders", json=dict(ORDER, quantity="0.002"), idem=key)
    assert r.status == 422 and r.code == "idempotency_key_reused"
    dep2 = user.post("/v1/fiat/deposit", json={"currency": "AUD", "amount": "5.00",
                                               "method": "payid"}, idem=dep_key).expect(201)
    assert dep2.json() == dep.json()
    assert len(orders_of(user)) == 1
    assert len(user.get("/v1/fiat/transactions").expect(200).json()["transactions"]) == 2
    user.delete("/v1/orders").expect(200)


def test_webhook_redelivery_credits_once(srv):
    user = new_user(srv)
    fund_crypto(user, "BTC", "0.5")
    addr = user.post("/v1/wallets/deposit-address", json={"asset": "BTC"}).expect(200, 201).json()
    data = {"amount": "0.25", "currency": "BTC", "address": addr["address"], "tx_hash": "ab" * 32}
    msg = "msg_" + uuid.uuid4().hex
    send_webhook(srv, "custody", "deposit.confirmed", data, msg_id=msg).expect(204)
    send_webhook(srv, "custody", "deposit.confirmed", data, msg_id=msg).expect(204)
    assert balance(user, "BTC") == (D("0.75"), D(0))

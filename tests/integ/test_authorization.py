"""Authorization on every way of naming another user's data (DESIGN section 8):
user A holds ids, client order ids and page cursors of user B's records and
tries them all. Each read shows A's own data only, each write is a 404 that
changes nothing of B's. (Ids in the path: test_trade.py and test_auth.py.)
"""

from naxlib import fund_crypto, fund_fiat, make_api_key, new_user

ORDER = {"pair": "BTC-AUD", "side": "buy", "type": "limit", "quantity": "0.001"}


def place(user, price, cid):
    body = dict(ORDER, price=price, client_order_id=cid)
    return user.post("/v1/orders", json=body).expect(201).json()


def ids(page, key):
    return [r["id"] for r in page[key]]


def test_client_order_ids_and_cursors_stay_with_their_owner(naxd):
    alice, bob = new_user(naxd), new_user(naxd)
    for u in (alice, bob):
        fund_fiat(u, "AUD", "10000.00")
    fund_crypto(bob, "BTC", "1.0")
    mine = place(alice, "40000.00", "shared-cid")
    theirs = [place(bob, f"{39000 + i}.00", f"bob-{i}") for i in range(3)]
    place(bob, "38000.00", "shared-cid")

    # another user's client order id finds nothing; a shared one finds one's own
    assert alice.get("/v1/orders?client_order_id=bob-0").expect(200).json()["orders"] == []
    found = alice.get("/v1/orders?client_order_id=shared-cid").expect(200).json()["orders"]
    assert [o["id"] for o in found] == [mine["id"]]

    # bob's page cursor, replayed by alice, never yields bob's orders
    page = bob.get("/v1/orders?limit=1").expect(200).json()
    assert page.get("next_cursor"), page
    r = alice.get(f"/v1/orders?limit=1&cursor={page['next_cursor']}")
    assert r.status in (200, 400), r.text
    if r.status == 200:
        assert set(ids(r.json(), "orders")) <= {mine["id"]}

    # the same for wallet transactions (bob has a deposit, alice none)
    txs = bob.get("/v1/wallets/transactions?limit=1").expect(200).json()
    assert txs["transactions"], txs
    r = alice.get("/v1/wallets/transactions")
    assert r.expect(200).json()["transactions"] == [] or all(
        t["id"] not in ids(txs, "transactions") for t in r.json()["transactions"])
    if txs.get("next_cursor"):
        r = alice.get(f"/v1/wallets/transactions?cursor={txs['next_cursor']}")
        assert r.status == 400 or r.json()["transactions"] == [], r.text

    # writes naming bob's records are 404 and change nothing
    for o in theirs:
        assert alice.delete(f"/v1/orders/{o['id']}").status == 404
    key = make_api_key(bob)
    assert alice.delete(f"/v1/auth/api-keys/{key.id}").status == 404
    assert [o["status"] for o in (bob.get(f"/v1/orders/{o['id']}").expect(200).json()
                                  for o in theirs)] == ["open"] * 3
    assert [k["id"] for k in bob.get("/v1/auth/api-keys").expect(200).json()["api_keys"]] == [
        key.id]
    # alice's cancel-all by pair cancels hers only
    assert alice.delete("/v1/orders?pair=BTC-AUD").expect(200).json()["cancelled"] == [mine["id"]]
    assert len(bob.get("/v1/orders?status=open").expect(200).json()["orders"]) == 4

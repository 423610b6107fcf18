"""The market stream (/v1/stream) against a real naxd: books built from the stream
equal GET orderbook, trades and tickers follow REST, private events reach their own
user only, auth like REST, each stream fault, and a restart on the same store.

Ordering used throughout: naxd publishes a change before it answers the request
that made it, and answers a connection's ops in order with its messages, so after a
REST call returns, StreamClient.drain() (a ping and its ack) holds every message
the change produced.
"""

import asyncio
import time

import pytest
import websockets

from naxlib import (D, LocalBook, StreamClient, book_checksum, forge_jwt, fund_crypto, fund_fiat,
                    jwt_claims, make_api_key, new_user, now_ms, run_async, send_webhook,
                    sign_request, sign_ts, stream_faults, User)


def order(user, pair, side, price, qty, **extra):
    body = {"pair": pair, "side": side, "type": "limit", "price": price, "quantity": qty}
    body.update(extra)
    return user.post("/v1/orders", json=body).expect(201).json()


def market(user, pair, side, qty):
    body = {"pair": pair, "side": side, "type": "market", "quantity": qty}
    return user.post("/v1/orders", json=body).expect(201).json()


def rest_book(api, pair):
    return api.get(f"/v1/markets/{pair}/orderbook?depth=1000").expect(200).json()


def updates(msgs, channel):
    return [m for m in msgs if m.get("channel") == channel and m["type"] == "update"]


def cancel_all(*users):
    for user in users:
        user.delete("/v1/orders").expect(200)


@pytest.fixture(scope="module")
def traders(naxd):
    """A maker and a taker with money on every default market."""
    maker, taker = new_user(naxd), new_user(naxd)
    for user in (maker, taker):
        fund_fiat(user, "AUD", "500000.00")
        fund_fiat(user, "USD", "500000.00", verify=False)
        fund_crypto(user, "BTC", "50", verify=False)
        fund_crypto(user, "ETH", "500", verify=False)
    return maker, taker


@pytest.fixture(autouse=True)
def clean_books(request):
    """Books left empty by each test, so the next one's orders meet only its own."""
    yield
    if "traders" in request.fixturenames:
        cancel_all(*request.getfixturevalue("traders"))


def test_checksum_helper_matches_the_contract_example():
    # The worked example of docs/asyncapi.yaml, so the checks below mean something.
    bids = [["97250.50", "0.01500000"], ["97249.00", "1.25000000"], ["97200.00", "0.50000000"]]
    asks = [["97251.00", "0.40000000"], ["97260.10", "2.00000000"]]
    assert book_checksum(bids, asks) == 1284684486
    assert book_checksum([], []) == 1885708031


def test_book_from_stream_equals_rest_orderbook(naxd, traders):
    maker, taker = traders
    pairs = ("BTC-AUD", "ETH-AUD")

    async def run():
        async with StreamClient(naxd) as s:
            books = {p: LocalBook() for p in pairs}
            for snap in await s.subscribe(*[f"book:{p}" for p in pairs]):
                pair = snap["channel"].split(":", 1)[1]
                assert books[pair].apply(snap) == []
            # A burst: resting orders on both sides of both pairs, crossing
            # trades that take several levels, single cancels and a cancel-all.
            resting = []
            for i in range(6):
                for pair, base in (("BTC-AUD", 1000), ("ETH-AUD", 200)):
                    resting.append(order(maker, pair, "sell", f"{base + 1 + i}.00", "0.50"))
                    resting.append(order(maker, pair, "buy", f"{base - 1 - i}.50", "0.25"))
            order(taker, "BTC-AUD", "buy", "1003.00", "1.30")  # takes 3 levels, partly
            market(taker, "ETH-AUD", "sell", "0.60")  # two bid levels and part of a third
            order(taker, "ETH-AUD", "buy", "204.00", "0.70", time_in_force="IOC")
            for o in resting[:4]:
                maker.delete(f"/v1/orders/{o['id']}").expect(200, 409)
            maker.delete("/v1/orders?pair=ETH-AUD").expect(200)
            order(maker, "ETH-AUD", "sell", "210.00", "0.10")
            msgs = await s.drain()
            for pair in pairs:
                ups = updates(msgs, f"book:{pair}")
                assert ups, f"no update on book:{pair}"
                for m in ups:
                    assert books[pair].apply(m) == [], m
                rest = rest_book(naxd.api, pair)
                assert books[pair].same_as(rest), (pair, books[pair].levels(), rest)
                assert rest["checksum"] == book_checksum(*books[pair].levels())

    run_async(run())


def test_trades_over_rest_appear_on_the_trades_channel(naxd, traders):
    maker, taker = traders
    pair = "BTC-USD"

    async def run():
        async with StreamClient(naxd) as s:
            (snap,) = await s.subscribe(f"trades:{pair}")
            before = {t["id"] for t in snap["trades"]}
            for price in ("30000.00", "30001.00", "30002.00"):
                order(maker, pair, "sell", price, "0.01")
            order(taker, pair, "buy", "30002.00", "0.03")
            order(maker, pair, "buy", "29000.00", "0.02")
            market(taker, pair, "sell", "0.02")
            streamed = [t for m in updates(await s.drain(), f"trades:{pair}") for t in m["trades"]]
            rest = naxd.api.get(f"/v1/markets/{pair}/trades?limit=100").expect(200).json()
            new = [t for t in reversed(rest["trades"]) if t["id"] not in before]  # oldest first
            assert len(new) == 4
            assert [t["id"] for t in streamed] == [t["id"] for t in new]
            for got, want in zip(streamed, new):
                assert got["pair"] == pair and got["side"] == want["side"]
                assert D(got["price"]) == D(want["price"]) and D(got["quantity"]) == D(
                    want["quantity"])
                assert got["ts"] == want["ts"]

    run_async(run())



def test_one_order_sweeping_many_levels_publishes_every_trade_and_level(naxd, traders):
    # One mutation with 80 fills: naxd captures what it publishes in one events
    # record whose first chunk holds a few kB (server/app/publish.c), so this
    # record must grow into further chunks, and every trade and level must
    # still come out whole and in order.
    maker, taker = traders
    pair, levels = "BTC-AUD", 80

    async def run():
        async with StreamClient(naxd) as s:
            snaps = await s.subscribe(f"book:{pair}", f"trades:{pair}")
            book = LocalBook()
            assert book.apply(snaps[0]) == []
            before = {t["id"] for t in snaps[1]["trades"]}
            for i in range(levels):
                order(maker, pair, "sell", f"{2000 + i}.00", "0.01")
            for m in updates(await s.drain(), f"book:{pair}"):
                assert book.apply(m) == [], m
            taker_order = order(taker, pair, "buy", f"{2000 + levels}.00", f"{levels / 100:.2f}")
            assert taker_order["status"] == "filled"
            msgs = await s.drain()
            streamed = [t for m in updates(msgs, f"trades:{pair}") for t in m["trades"]]
            assert [D(t["price"]) for t in streamed] == [D(f"{2000 + i}.00") for i in range(levels)]
            rest = naxd.api.get(f"/v1/markets/{pair}/trades?limit=100").expect(200).json()
            new = [t for t in reversed(rest["trades"]) if t["id"] not in before]
            assert [t["id"] for t in streamed] == [t["id"] for t in new]
            for m in updates(msgs, f"book:{pair}"):
                assert book.apply(m) == [], m
            assert book.same_as(rest_book(naxd.api, pair))

    run_async(run())

def test_ticker_snapshot_and_updates_follow_rest(naxd, traders):
    maker, taker = traders
    pair = "ETH-USD"

    def rest_ticker():
        return naxd.api.get(f"/v1/markets/{pair}/ticker").expect(200).json()

    async def run():
        async with StreamClient(naxd) as s:
            (snap,) = await s.subscribe(f"ticker:{pair}")
            assert snap["ticker"] == rest_ticker()
            assert snap["seq"] == snap["ticker"]["seq"]
            seq = snap["seq"]
            order(maker, pair, "sell", "2500.00", "1.0")  # a book touch
            order(maker, pair, "buy", "2400.00", "1.0")
            order(taker, pair, "buy", "2500.00", "0.4")  # a trade
            ups = updates(await s.drain(), f"ticker:{pair}")
            assert [m["seq"] for m in ups] == [seq + 1, seq + 2, seq + 3]
            assert [m["ticker"]["seq"] for m in ups] == [seq + 1, seq + 2, seq + 3]
            assert ups[-1]["ticker"] == rest_ticker()
            assert D(ups[0]["ticker"]["ask"]) == D("2500") and "bid" not in ups[0]["ticker"]
            assert D(ups[1]["ticker"]["bid"]) == D("2400")
            assert D(ups[2]["ticker"]["last"]) == D("2500")
            assert D(ups[2]["ticker"]["volume_24h"]) - D(ups[1]["ticker"]["volume_24h"]) == D(
                "0.4")

    run_async(run())


def test_private_events_reach_their_own_user_only(naxd):
    a, b, c = new_user(naxd), new_user(naxd), new_user(naxd)
    fund_crypto(a, "BTC", "1")
    fund_fiat(b, "AUD", "100000.00")
    private = ("orders", "fills", "balances")

    async def run():
        async with StreamClient(naxd) as sa, StreamClient(naxd) as sb, StreamClient(naxd) as sc:
            for s, u in ((sa, a), (sb, b), (sc, c)):
                assert (await s.auth_token(u.token))["ok"]
                await s.subscribe(*private)
            sell = order(a, "BTC-AUD", "sell", "50000.00", "0.10", client_order_id="a-sell-1")
            buy = order(b, "BTC-AUD", "buy", "50000.00", "0.04", client_order_id="b-buy-1")
            got = {u: await s.drain() for u, s in (("a", sa), ("b", sb), ("c", sc))}
            # C traded nothing: no private update at all.
            assert [m for m in got["c"] if m.get("channel") in private] == []
            # A: its own order (open, then partly filled), its maker fill, its balances.
            a_orders = [m["order"] for m in updates(got["a"], "orders")]
            assert [o["id"] for o in a_orders] == [sell["id"], sell["id"]]
            assert [o["status"] for o in a_orders] == ["open", "partially_filled"]
            assert all(o["client_order_id"] == "a-sell-1" for o in a_orders)
            (a_fill,) = [m["fill"] for m in updates(got["a"], "fills")]
            assert a_fill["order_id"] == sell["id"] and a_fill["side"] == "sell"
            assert a_fill["liquidity"] == "maker" and D(a_fill["quantity"]) == D("0.04")
            rest_fills = a.get("/v1/trades/history").expect(200).json()["fills"]
            assert a_fill == rest_fills[0]
            a_bal = {m["balance"]["asset"]: m["balance"] for m in updates(got["a"], "balances")}
            rest_bal = {x["asset"]: x for x in a.get("/v1/wallets/balances").json()["balances"]}
            for asset, bal in a_bal.items():
                for k in ("available", "locked", "total"):
                    assert D(bal[k]) == D(rest_bal[asset][k]), (asset, k)
            # B: the taker side only.
            (b_fill,) = [m["fill"] for m in updates(got["b"], "fills")]
            assert b_fill["order_id"] == buy["id"] and b_fill["liquidity"] == "taker"
            assert b_fill["id"] == a_fill["id"]  # the same trade, each its own side
            assert [m["order"]["id"] for m in updates(got["b"], "orders")] == [buy["id"]]
            assert updates(got["b"], "orders")[0]["order"]["client_order_id"] == "b-buy-1"

    try:
        run_async(run())
    finally:
        cancel_all(a, b)


def test_graphql_orders_are_published_like_rest_ones(naxd, traders):
    maker, _ = traders
    pair = "ETH-AUD"
    mutation = ("mutation Place($input: CreateOrderInput!) "
                "{ createOrder(input: $input) { id status } }")

    async def run():
        async with StreamClient(naxd) as s:
            assert (await s.auth_token(maker.token))["ok"]
            book = LocalBook()
            book_snap, _ = await s.subscribe(f"book:{pair}", "orders")
            book.apply(book_snap)
            r = maker.post("/graphql", json={"query": mutation, "variables": {"input": {
                "pair": pair, "side": "SELL", "type": "LIMIT", "price": "300.00",
                "quantity": "0.25", "clientOrderId": "gql-stream-1"}}}).expect(200).json()
            placed = r["data"]["createOrder"]
            msgs = await s.drain()
            (up,) = updates(msgs, f"book:{pair}")
            assert book.apply(up) == [] and book.same_as(rest_book(naxd.api, pair))
            (o,) = [m["order"] for m in updates(msgs, "orders")]
            assert (o["id"], o["status"], o["client_order_id"]) == (placed["id"], "open",
                                                                   "gql-stream-1")

    run_async(run())


def test_private_snapshots_come_from_the_store(naxd, traders):
    maker, taker = traders
    o = order(maker, "BTC-AUD", "sell", "90000.00", "0.02", client_order_id="snap-1")
    order(taker, "BTC-AUD", "buy", "90000.00", "0.01")

    async def run():
        async with StreamClient(naxd) as s:
            assert (await s.auth_token(maker.token))["ok"]
            orders, balances_snap, fills = await s.subscribe("orders", "balances", "fills")
            rest_open = maker.get("/v1/orders?status=open&limit=1000").json()["orders"] + \
                maker.get("/v1/orders?status=partially_filled&limit=1000").json()["orders"]
            assert sorted(x["id"] for x in orders["orders"]) == sorted(x["id"] for x in rest_open)
            (mine,) = [x for x in orders["orders"] if x["id"] == o["id"]]
            assert mine["client_order_id"] == "snap-1" and mine["status"] == "partially_filled"
            rest_bal = maker.get("/v1/wallets/balances").json()["balances"]
            assert {b["asset"]: D(b["total"]) for b in balances_snap["balances"]} == {
                b["asset"]: D(b["total"]) for b in rest_bal}
            rest_fills = maker.get("/v1/trades/history?limit=50").json()["fills"]
            assert fills["fills"] == list(reversed(rest_fills))  # oldest first

    run_async(run())


def test_balance_after_a_fiat_deposit_webhook(naxd):
    user = new_user(naxd)

    async def run():
        async with StreamClient(naxd) as s:
            assert (await s.auth_token(user.token))["ok"]
            (snap,) = await s.subscribe("balances")
            assert snap["balances"] == []
            fund_fiat(user, "AUD", "1234.56")  # deposit, then payment.succeeded
            (up,) = updates(await s.drain(), "balances")
            assert up["balance"]["asset"] == "AUD"
            assert D(up["balance"]["available"]) == D("1234.56")
            assert D(up["balance"]["total"]) == D("1234.56") and D(up["balance"]["locked"]) == 0
            # A fiat withdrawal holds the amount: locked moves on the stream too.
            user.post("/v1/fiat/withdraw", json={
                "currency": "AUD", "amount": "34.56", "method": "payid",
                "account_name": "A", "account_number": "12345678",
                "bank_code": "062000"}).expect(201)
            (held,) = updates(await s.drain(), "balances")
            assert D(held["balance"]["locked"]) == D("34.56")
            assert D(held["balance"]["available"]) == D("1200.00")

    run_async(run())


def test_auth_with_a_token_and_with_an_api_key(naxd):
    user = new_user(naxd)
    key = make_api_key(user, scopes=("read",))

    async def run():
        async with StreamClient(naxd) as s:
            ack = await s.auth_key(key)
            assert ack["ok"], ack
            (snap,) = await s.subscribe("orders")
            assert snap["orders"] == []
        async with StreamClient(naxd) as s:
            assert (await s.auth_token(user.token))["ok"]
            (snap,) = await s.subscribe("balances")
            assert snap["type"] == "snapshot"

    run_async(run())


def test_each_auth_failure_code(naxd):
    user = new_user(naxd)
    key = make_api_key(user, scopes=("read",))
    trade_only = make_api_key(user, scopes=("trade",))
    claims = jwt_claims(user.token)
    expired = forge_jwt(naxd.jwt_secret, dict(claims, iat=claims["iat"] - 7200,
                                              nbf=claims["iat"] - 7200,
                                              exp=claims["iat"] - 3600))
    # Past exp but within the clock leeway REST allows: a stream session would
    # end at once, so the stream refuses it.
    lapsed = forge_jwt(naxd.jwt_secret, dict(claims, exp=int(time.time()) - 5))
    victim = new_user(naxd)

    async def code_of(coro):
        ack = await coro
        assert not ack["ok"], ack
        return ack["error"]["code"]

    async def run():
        async with StreamClient(naxd) as s:
            assert await code_of(s.auth_token("not.a.token")) == "invalid_token"
            assert await code_of(s.auth_token(expired)) == "token_expired"
            assert await code_of(s.auth_token(lapsed)) == "token_expired"
            assert await code_of(s.auth_key(("ak_nope", key.secret))) == "invalid_api_key"
            assert await code_of(s.auth_key(key, signature="0" * 64)) == "invalid_signature"
            old = now_ms() - 60_000
            assert await code_of(s.auth_key(key, ts=old)) == "timestamp_out_of_window"
            ts = sign_ts()
            sig = sign_request(key.secret, ts, "GET", "/v1/stream")
            assert (await s.auth_key(key, ts=ts, signature=sig))["ok"]
            assert await code_of(s.auth_key(key, ts=ts, signature=sig)) == "replayed_request"
            assert await code_of(s.auth_key(trade_only)) == "insufficient_scope"
        # A logout revokes the session: its token is refused, and a connection
        # already authenticated with it loses its private channels.
        async with StreamClient(naxd) as s:
            assert (await s.auth_token(victim.token))["ok"]
            await s.subscribe("orders")
            victim.post("/v1/auth/logout", json={"refresh_token": victim.refresh}).expect(204)
            err = await s.next(lambda m: m.get("channel") == "orders" and m["type"] == "error")
            assert err["error"]["code"] == "token_revoked"
            assert await code_of(s.auth_token(victim.token)) == "token_revoked"

    run_async(run())


def test_revocation_ends_only_the_revoked_credential(naxd):
    """A logout ends the private channels of connections authenticated with that
    session only; deleting an API key ends those authenticated with the key."""
    user = new_user(naxd)
    other_session = User(naxd, user.email, user.password, user.profile)
    other_session.login()  # a second session (refresh family) of the same user
    key = make_api_key(user, scopes=("read",))

    def is_error(m):
        return m.get("channel") == "balances" and m["type"] == "error"

    async def run():
        async with StreamClient(naxd) as by_session, StreamClient(naxd) as by_other, \
                StreamClient(naxd) as by_key:
            assert (await by_session.auth_token(user.token))["ok"]
            assert (await by_other.auth_token(other_session.token))["ok"]
            assert (await by_key.auth_key(key))["ok"]
            for s in (by_session, by_other, by_key):
                await s.subscribe("balances")
            user.post("/v1/auth/logout", json={"refresh_token": user.refresh}).expect(204)
            err = await by_session.next(is_error)
            assert err["error"]["code"] == "token_revoked"
            assert not any(is_error(m) for m in await by_other.drain())
            assert not any(is_error(m) for m in await by_key.drain())
            other_session.delete(f"/v1/auth/api-keys/{key.id}").expect(204)
            err = await by_key.next(is_error)
            assert err["error"]["code"] == "token_revoked"
            assert not any(is_error(m) for m in await by_other.drain())
            # The revoked key cannot authenticate again.
            ack = await by_key.auth_key(key)
            assert not ack["ok"] and ack["error"]["code"] == "invalid_api_key", ack

    run_async(run())


def test_private_subscribe_before_auth_is_refused(naxd):
    async def run():
        async with StreamClient(naxd) as s:
            for channel in ("orders", "balances", "fills"):
                ack = await s.op("subscribe", channels=[channel])
                assert not ack["ok"] and ack["error"]["code"] == "auth_required", ack
            # Public channels still work on that connection.
            (snap,) = await s.subscribe("ticker:BTC-AUD")
            assert snap["ticker"]["pair"] == "BTC-AUD"

    run_async(run())


def test_fault_drop_update_shows_a_seq_gap(naxd, traders):
    maker, _ = traders
    pair = "BTC-USD"

    async def run():
        async with StreamClient(naxd) as s:
            book = LocalBook()
            (snap,) = await s.subscribe(f"book:{pair}")
            book.apply(snap)
            stream_faults(naxd, pair=pair, drop_updates=1)
            order(maker, pair, "sell", "41000.00", "0.01")  # its update is dropped
            order(maker, pair, "sell", "41001.00", "0.01")
            (up,) = updates(await s.drain(), f"book:{pair}")
            assert up["seq"] == snap.get("seq", 0) + 2
            assert "gap" in book.apply(up)
            assert rest_book(naxd.api, pair)["seq"] == up["seq"]
            # A resubscribe heals: the new snapshot equals the server's book.
            await s.op("unsubscribe", channels=[f"book:{pair}"])
            (again,) = await s.subscribe(f"book:{pair}")
            healed = LocalBook()
            assert healed.apply(again) == [] and healed.same_as(rest_book(naxd.api, pair))

    run_async(run())


def test_fault_corrupt_checksum_is_detected(naxd, traders):
    maker, _ = traders
    pair = "BTC-USD"

    async def run():
        async with StreamClient(naxd) as s:
            book = LocalBook()
            (snap,) = await s.subscribe(f"book:{pair}")
            book.apply(snap)
            stream_faults(naxd, pair=pair, corrupt_checksums=1)
            order(maker, pair, "buy", "20000.00", "0.01")
            order(maker, pair, "buy", "20001.00", "0.01")
            first, second = updates(await s.drain(), f"book:{pair}")
            assert book.apply(first) == ["checksum"]
            assert book.apply(second) == []  # only the one message was corrupted
            assert book.same_as(rest_book(naxd.api, pair))

    run_async(run())


def test_fault_stall_holds_every_answer(naxd):
    async def run():
        async with StreamClient(naxd) as s:
            await s.subscribe("ticker:BTC-AUD")
            stream_faults(naxd, stall_ms=3000)
            ping = await s.send("ping")
            with pytest.raises(asyncio.TimeoutError):
                await s.ack(ping, timeout=1.0)  # well inside the stall
            ack = await s.ack(ping, timeout=15)
            assert ack["ok"]

    run_async(run())


def test_fault_close_all_drops_the_connection(naxd):
    async def run():
        async with StreamClient(naxd) as s:
            await s.subscribe("ticker:BTC-AUD")
            stream_faults(naxd, close_all=True)
            with pytest.raises(websockets.ConnectionClosed):
                deadline = time.monotonic() + 15
                while time.monotonic() < deadline:
                    await s._read(15)
        async with StreamClient(naxd) as s:  # new connections are served as before
            (snap,) = await s.subscribe("ticker:BTC-AUD")
            assert snap["type"] == "snapshot"

    run_async(run())


def test_stream_faults_endpoint_refuses_bad_bodies(naxd):
    for body, status in (({"drop_updates": -1}, 400), ({"stall_ms": "5"}, 400),
                         ({"close_all": 1}, 400), ({"pair": "DOGE-AUD"}, 422),
                         ({"surprise": 1}, 400)):
        r = naxd.admin("POST", "/admin/stream-faults", json=body)
        assert r.status == status, (body, r.text)
    r = naxd.api.post("/admin/stream-faults", json={"drop_updates": 1})
    assert r.status == 401


def test_a_failed_commit_publishes_nothing_and_resets_the_books(server_factory):
    srv = server_factory()
    maker = new_user(srv)
    fund_crypto(maker, "BTC", "1")
    pair = "BTC-AUD"
    kept = order(maker, pair, "sell", "70000.00", "0.10")

    async def run():
        async with StreamClient(srv) as s:
            assert (await s.auth_token(maker.token))["ok"]
            book = LocalBook()
            book_snap, _ = await s.subscribe(f"book:{pair}", "orders")
            book.apply(book_snap)
            r = maker.post("/v1/orders", json={
                "pair": pair, "side": "sell", "type": "limit", "price": "70001.00",
                "quantity": "0.10"}, headers={"X-NAX-Fault": "commit_fail"})
            assert r.status == 503, r.text
            srv.wait_writable()
            msgs = await s.drain()
            # Nothing of the lost order went out; the book came again as a snapshot.
            assert updates(msgs, f"book:{pair}") == [] and updates(msgs, "orders") == []
            (again,) = [m for m in msgs if m.get("channel") == f"book:{pair}"]
            assert again["type"] == "snapshot"
            assert book.apply(again) == [] and book.same_as(rest_book(srv.api, pair))
            assert [D(p) for p, _ in book.levels()[1]] == [D("70000")]
            # Publishing goes on from the rebuilt book.
            maker.delete(f"/v1/orders/{kept['id']}").expect(200)
            (up,) = updates(await s.drain(), f"book:{pair}")
            assert book.apply(up) == [] and book.same_as(rest_book(srv.api, pair))

    run_async(run())


def test_snapshot_after_kill_and_restart_equals_rest(server_factory):
    srv = server_factory()
    maker, taker = new_user(srv), new_user(srv)
    fund_crypto(maker, "BTC", "5")
    fund_fiat(taker, "AUD", "100000.00")
    pair = "BTC-AUD"
    for i in range(5):
        order(maker, pair, "sell", f"{60000 + i}.00", "0.10")
    order(taker, pair, "buy", "60001.00", "0.15")
    o = order(taker, pair, "buy", "59000.00", "0.05")
    taker.delete(f"/v1/orders/{o['id']}").expect(200)
    trades_before = srv.api.get(f"/v1/markets/{pair}/trades").json()["trades"]
    srv.restart(kill=True)

    async def run():
        async with StreamClient(srv) as s:
            book_snap, trades_snap, ticker_snap = await s.subscribe(
                f"book:{pair}", f"trades:{pair}", f"ticker:{pair}")
            book = LocalBook()
            assert book.apply(book_snap) == []
            assert book.same_as(rest_book(srv.api, pair))
            # The trades snapshot is the store's latest trades, oldest first.
            assert [t["id"] for t in trades_snap["trades"]] == [
                t["id"] for t in reversed(trades_before)]
            assert ticker_snap["ticker"] == srv.api.get(f"/v1/markets/{pair}/ticker").json()
            # And the book keeps going from there.
            order(maker, pair, "sell", "60010.00", "0.01")
            (up,) = updates(await s.drain(), f"book:{pair}")
            assert book.apply(up) == [] and book.same_as(rest_book(srv.api, pair))

    run_async(run())

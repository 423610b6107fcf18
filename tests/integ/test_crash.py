"""Durability (DESIGN sections 6 and 8): kill -9, 20 times, each at a random
moment while orders, cancels, deposits and withdrawals are in flight from
several threads, restart, and check after every restart that

- every operation that was acknowledged (a 2xx reached the client) is there,
- the ledger reconciles: per asset, the sum of all balances (fee account
  included) equals completed deposits minus completed withdrawals; nothing is
  negative; each user's locked amount equals the holds of their open orders
  plus their pending withdrawals,
- `naxd verify-audit` accepts the audit chain.

Also: SIGTERM is graceful (a request in flight finishes, exit 0), and /health and
/metrics say what they should. The store is read with Python's sqlite3 only
while naxd is stopped.
"""

import os
import random
import sqlite3
import threading
import time
import uuid
from collections import defaultdict
from decimal import Decimal, getcontext

from naxlib import D, balances, fund_crypto, fund_fiat, new_user, send_webhook

getcontext().prec = 60

CYCLES = 20
# Each kill lands at a random moment of the load, from a seed printed on
# failure (NAX_CRASH_SEED reruns one sequence).
LOAD_SECONDS = (0.2, 1.5)
USERS = 4
ADDRESS = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
CONFIG = {"assets": [{"asset": "BTC", "withdraw_fee": "0.0001"},
                     {"asset": "ETH", "withdraw_fee": "0.001"},
                     {"asset": "AUD", "withdraw_fee": "0"},
                     {"asset": "USD", "withdraw_fee": "0"}]}
# enum values as stored (include/nax/types.h)
OPEN_STATUSES = (1, 2)  # open, partially_filled
DEPOSIT, WITHDRAWAL = 1, 2
PENDING, COMPLETED = 1, 2


def uid(text):
    return int(text.split("_", 1)[1])


class Ledger:
    """What the clients were told (acknowledged operations only)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.orders = {}  # id -> order as acknowledged
        self.cancels = set()
        self.fiat_deposits_done = {}  # reference -> user
        self.fiat_pending = {}  # ftx id -> user (deposit or withdrawal acknowledged)
        self.fiat_payouts_done = set()  # references of completed fiat withdrawals
        self.wallet_withdrawals = {}  # wtx id -> user
        self.crypto_deposits = set()  # webhook ids acknowledged
        self.unexpected = []  # 5xx or other surprises before the kill

    def note(self, what, resp):
        with self.lock:
            self.unexpected.append(f"{what}: {resp.status} {resp.text[:300]}")


class Worker(threading.Thread):
    """One user's client: random orders, cancels, deposits and withdrawals until
    the server goes away (the first connection error ends it)."""

    def __init__(self, server, user, address, ledger, seed):
        super().__init__(daemon=True)
        self.server, self.user, self.address, self.ledger = server, user, address, ledger
        self.rng = random.Random(seed)
        self.my_open = []

    def run(self):
        actions = ([self.place] * 8 + [self.cancel] * 3 + [self.fiat_deposit, self.crypto_deposit,
                                                           self.withdraw_crypto,
                                                           self.withdraw_fiat])
        try:
            while True:
                self.rng.choice(actions)()
        except (ConnectionError, OSError):
            return  # the server was killed

    def call(self, method, path, **kw):
        return self.user.call(method, path, timeout=20, retry=False, **kw)

    def place(self):
        side = self.rng.choice(("buy", "sell"))
        price = f"{50000 + self.rng.randint(-50, 50)}.00"
        qty = f"0.00{self.rng.randint(1, 9)}"
        tif = self.rng.choice(("GTC", "GTC", "GTC", "IOC"))
        r = self.call("POST", "/v1/orders", json={"pair": "BTC-AUD", "side": side,
                                                   "type": "limit", "price": price,
                                                   "quantity": qty, "time_in_force": tif})
        if r.status == 201:
            o = r.json()
            with self.ledger.lock:
                self.ledger.orders[o["id"]] = o
            if o["status"] in ("open", "partially_filled"):
                self.my_open.append(o["id"])
        elif r.status != 422:  # insufficient funds is an expected refusal
            self.ledger.note("place", r)

    def cancel(self):
        if not self.my_open:
            return
        oid = self.my_open.pop(self.rng.randrange(len(self.my_open)))
        r = self.call("DELETE", f"/v1/orders/{oid}")
        if r.status == 200:
            with self.ledger.lock:
                self.ledger.cancels.add(oid)
        elif r.status != 409:  # filled meanwhile
            self.ledger.note("cancel", r)

    def fiat_deposit(self):
        amount = f"{self.rng.randint(1, 500)}.00"
        r = self.call("POST", "/v1/fiat/deposit", json={"currency": "AUD", "amount": amount,
                                                         "method": "payid"})
        if r.status != 201:
            return self.ledger.note("fiat deposit", r)
        ftx = r.json()
        with self.ledger.lock:
            self.ledger.fiat_pending[ftx["id"]] = self.user
        w = send_webhook(self.server, "payments", "payment.succeeded",
                         {"reference": ftx["reference"], "amount": amount, "currency": "AUD"},
                         timeout=20, retry=False)
        if w.status == 204:
            with self.ledger.lock:
                self.ledger.fiat_deposits_done[ftx["reference"]] = self.user
        else:
            self.ledger.note("payment webhook", w)

    def crypto_deposit(self):
        msg = "msg_" + uuid.uuid4().hex
        w = send_webhook(self.server, "custody", "deposit.confirmed",
                         {"amount": f"0.0{self.rng.randint(1, 9)}", "currency": "BTC",
                          "address": self.address, "tx_hash": uuid.uuid4().hex * 2},
                         msg_id=msg, timeout=20, retry=False)
        if w.status == 204:
            with self.ledger.lock:
                self.ledger.crypto_deposits.add(msg)
        else:
            self.ledger.note("custody webhook", w)

    def withdraw_crypto(self):
        r = self.call("POST", "/v1/wallets/withdraw", json={"asset": "BTC", "amount": "0.001",
                                                             "address": ADDRESS})
        if r.status == 201:
            with self.ledger.lock:
                self.ledger.wallet_withdrawals[r.json()["id"]] = self.user
        elif r.status != 422:
            self.ledger.note("withdraw", r)

    def withdraw_fiat(self):
        r = self.call("POST", "/v1/fiat/withdraw", json={
            "currency": "AUD", "amount": "10.00", "method": "bank_transfer",
            "account_name": "Integ Test", "account_number": "12345678", "bank_code": "062-000"})
        if r.status != 201:
            if r.status != 422:
                self.ledger.note("fiat withdraw", r)
            return
        ftx = r.json()
        assert D(ftx["fee"]) == 0, ftx
        with self.ledger.lock:
            self.ledger.fiat_pending[ftx["id"]] = self.user
        if self.rng.random() < 0.5:
            w = send_webhook(self.server, "payments", "payout.completed",
                             {"reference": ftx["reference"], "amount": "10.00",
                              "currency": "AUD"}, timeout=20, retry=False)
            if w.status == 204:
                with self.ledger.lock:
                    self.ledger.fiat_payouts_done.add(ftx["reference"])
            else:
                self.ledger.note("payout webhook", w)


def all_pages(user, path, member):
    items, cursor = [], None
    while True:
        sep = "&" if "?" in path else "?"
        r = user.get(f"{path}{sep}limit=1000" + (f"&cursor={cursor}" if cursor else ""))
        page = r.expect(200).json()
        items += page[member]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def check_acknowledged(users, ledger):
    """Everything the clients were told happened is still there."""
    orders, fiat, wallet = {}, {}, {}
    for u in users:
        u.login()
        orders.update({o["id"]: o for o in all_pages(u, "/v1/orders", "orders")})
        fiat.update({t["id"]: t for t in all_pages(u, "/v1/fiat/transactions", "transactions")})
        wallet.update({t["id"]: t for t in all_pages(u, "/v1/wallets/transactions",
                                                     "transactions")})
    lost = [oid for oid in ledger.orders if oid not in orders]
    assert not lost, f"acknowledged orders lost: {lost[:10]}"
    for oid, acked in ledger.orders.items():
        now = orders[oid]
        assert D(now["filled_quantity"]) >= D(acked["filled_quantity"]), (acked, now)
        if acked["status"] in ("filled", "cancelled", "rejected"):
            assert now["status"] == acked["status"], (acked, now)
    for oid in ledger.cancels:
        assert orders[oid]["status"] == "cancelled", orders[oid]
    missing = [t for t in ledger.fiat_pending if t not in fiat]
    assert not missing, f"acknowledged fiat transactions lost: {missing[:10]}"
    by_ref = {t["reference"]: t for t in fiat.values()}
    for ref in list(ledger.fiat_deposits_done) + list(ledger.fiat_payouts_done):
        assert by_ref[ref]["status"] == "completed", by_ref[ref]
    missing = [t for t in ledger.wallet_withdrawals if t not in wallet]
    assert not missing, f"acknowledged withdrawals lost: {missing[:10]}"
    deposits = sum(1 for t in wallet.values() if t["type"] == "deposit")
    assert deposits >= len(ledger.crypto_deposits) + len(users)


def check_store(data_dir):
    """The ledger reconciles in the store (naxd stopped)."""
    db = sqlite3.connect(f"file:{data_dir / 'naxd.db'}?mode=ro", uri=True)
    try:
        totals, locked = defaultdict(Decimal), {}
        for user, asset, avail, lock in db.execute(
                "SELECT user_id, asset, available, locked FROM balances"):
            a, lk = Decimal(avail), Decimal(lock)
            assert a >= 0 and lk >= 0, ("negative balance", user, asset, avail, lock)
            totals[asset] += a + lk
            locked[(user, asset)] = lk
        flows = defaultdict(Decimal)
        holds = defaultdict(Decimal)
        for table, asset_col in (("wallet_txs", "asset"), ("fiat_txs", "currency")):
            for user, asset, type_, status, amount, fee in db.execute(
                    f"SELECT user_id, {asset_col}, type, status, amount, fee FROM {table}"):
                amount, fee = Decimal(amount), Decimal(fee)
                if type_ == DEPOSIT and status == COMPLETED:
                    flows[asset] += amount
                elif type_ == WITHDRAWAL and status == COMPLETED:
                    flows[asset] -= amount  # the fee stays, in the fee account
                elif type_ == WITHDRAWAL and status == PENDING:
                    holds[(user, asset)] += amount + fee
        for user, asset, remaining in db.execute(
                "SELECT user_id, hold_asset, hold_remaining FROM orders WHERE status IN (?, ?)",
                OPEN_STATUSES):
            holds[(user, asset)] += Decimal(remaining)
        for asset in set(totals) | set(flows):
            assert totals[asset] == flows[asset], (
                f"{asset}: balances sum to {totals[asset]}, deposits - withdrawals = {flows[asset]}")
        for key in set(locked) | set(holds):
            assert locked.get(key, 0) == holds.get(key, 0), (
                f"user {key[0]} {key[1]}: locked {locked.get(key, 0)} != holds {holds.get(key, 0)}")
        return sum(1 for _ in db.execute("SELECT 1 FROM orders"))
    finally:
        db.close()


def test_kill9_under_load_loses_nothing_acknowledged(server_factory):
    server = server_factory(config=CONFIG)
    users, addresses = [], []
    for _ in range(USERS):
        u = new_user(server)
        fund_fiat(u, "AUD", "100000.00")
        addresses.append(fund_crypto(u, "BTC", "2.0"))
        users.append(u)
    ledger = Ledger()
    seed = int(os.environ.get("NAX_CRASH_SEED", random.randrange(1 << 30)))
    moments = random.Random(seed)
    print(f"kill -9 moments from NAX_CRASH_SEED={seed}")
    for cycle in range(CYCLES):
        workers = [Worker(server, u, a, ledger, seed=cycle * 100 + i)
                   for i, (u, a) in enumerate(zip(users, addresses))]
        for w in workers:
            w.start()
        time.sleep(moments.uniform(*LOAD_SECONDS))
        assert not ledger.unexpected, (seed, ledger.unexpected[:10])
        server.kill9()
        for w in workers:
            w.join(60)
            assert not w.is_alive(), "a client thread hung after the kill"
        server.start()
        check_acknowledged(users, ledger)
        assert server.api.get("/health").expect(200).json()["store"] == "ok"
        server.stop()
        check_store(server.data_dir)
        rc, out = server.verify_audit()
        assert rc == 0 and '"ok"' in out, out
        server.start()
    assert len(ledger.orders) > 0 and ledger.fiat_deposits_done, "the load did nothing"
    # the server still trades after all that
    for u in users:
        u.login()
        assert balances(u)


def test_sigterm_finishes_the_request_in_flight(server_factory):
    server = server_factory()
    user = new_user(server)
    fund_fiat(user, "AUD", "1000.00")
    result = {}

    def slow_order():
        try:
            result["r"] = user.post("/v1/orders", json={
                "pair": "BTC-AUD", "side": "buy", "type": "limit", "price": "40000.00",
                "quantity": "0.001"}, headers={"X-NAX-Fault": "delay;delay_ms=2000"},
                fresh=True, timeout=30)
        except Exception as e:  # reported below
            result["e"] = e

    server.api.get("/v1/time").expect(200)  # a keep-alive connection opened before the stop
    t = threading.Thread(target=slow_order)
    t.start()
    time.sleep(0.5)  # the request is with the server (delayed 2 s there)
    server.proc.send_signal(15)
    try:
        late = server.api.get("/v1/time", retry=False)
        assert late.status == 503, late.text
    except (ConnectionError, OSError):
        pass  # closed instead: also a refusal
    t.join(30)
    assert "e" not in result, result.get("e")
    placed = result["r"].expect(201).json()
    server.proc.wait(10)
    assert server.stop() == 0
    server.start()
    user.login()
    assert user.get(f"/v1/orders/{placed['id']}").expect(200).json()["status"] == "open"


def test_health_and_metrics(naxd):
    r = naxd.api.get("/health").expect(200)
    doc = r.json()
    assert doc["status"] == "ok" and doc["store"] == "ok"
    assert doc["version"] == naxd.listening.get("version", doc["version"])
    assert r.headers.get("Content-Type", "").startswith("application/json")
    assert r.headers.get("X-Request-Id")

    def requests_total():
        return sum(v for k, v in naxd.metrics().items()
                   if k.startswith("naxd_http_requests_total{"))

    before = requests_total()
    for _ in range(5):
        naxd.api.get("/v1/time").expect(200)
    r = naxd.api.get("/metrics").expect(200)
    assert r.headers.get("Content-Type", "").startswith("text/plain")
    assert "# TYPE naxd_http_requests_total counter" in r.text
    assert requests_total() >= before + 5
    m = naxd.metrics()
    assert m['naxd_http_requests_total{route="GET /v1/time",status="200"}'] >= 5
    assert any(k.startswith("naxd_http_request_duration_seconds_bucket") for k in m)

    user = new_user(naxd)
    fund_fiat(user, "AUD", "1000.00")
    orders_before = m["naxd_orders_total"]
    user.post("/v1/orders", json={"pair": "BTC-AUD", "side": "buy", "type": "limit",
                                  "price": "40000.00", "quantity": "0.001"}).expect(201)
    assert naxd.metrics()["naxd_orders_total"] == orders_before + 1
    user.delete("/v1/orders").expect(200)


def test_failed_commit_then_recovery(naxd):
    """A commit that fails is a 503 with nothing changed; the server recovers."""
    user = new_user(naxd)
    fund_fiat(user, "AUD", "1000.00")
    before = balances(user)
    naxd.faults("POST /v1/orders", "commit_fail", count=1)
    r = user.post("/v1/orders", json={"pair": "BTC-AUD", "side": "buy", "type": "limit",
                                       "price": "40000.00", "quantity": "0.001"})
    assert r.status == 503, r.text
    assert balances(user) == before
    # the store recovers by itself (reload, probe, resume)
    naxd.wait_writable()
    user.post("/v1/orders", json={"pair": "BTC-AUD", "side": "buy", "type": "limit",
                                  "price": "40000.00", "quantity": "0.001"}).expect(201)
    user.delete("/v1/orders").expect(200)


def test_a_full_disk_is_503_changes_nothing_and_recovers(server_factory):
    """SQLite refusing to grow the database (a real SQLITE_FULL, through the
    store_max_pages fault) fails the commit: 503, nothing changed, in memory or
    on disk; once space returns the server takes writes again."""
    server = server_factory()
    user = new_user(server)
    fund_fiat(user, "AUD", "100000.00")
    order = {"pair": "BTC-AUD", "side": "buy", "type": "limit", "price": "40000.00",
             "quantity": "0.001"}

    def open_orders():
        return sorted(o["id"] for o in user.get("/v1/orders?status=open").expect(200)
                      .json()["orders"])

    for bad in (-1, "1", 1.5, 1 << 33):
        r = server.admin("POST", "/admin/faults", json={"store_max_pages": bad})
        assert r.expect(400).json()["error"]["field"] == "store_max_pages"
    server.store_max_pages(1)  # no page more than the database has now
    placed, refused = [], None
    for _ in range(2000):  # free pages inside the file take a few orders first
        before = (balances(user), open_orders())
        r = user.post("/v1/orders", json=order)
        if r.status == 503:
            refused = before
            break
        placed.append(r.expect(201).json()["id"])
    assert refused is not None, "the database never filled up"
    assert (balances(user), open_orders()) == refused  # nothing of the refused order
    server.store_max_pages(0)
    server.wait_writable()
    placed.append(user.post("/v1/orders", json=order).expect(201).json()["id"])
    assert open_orders() == sorted(placed)
    server.stop()  # what was committed, and only that, is on disk
    rc, out = server.verify_audit()
    assert rc == 0 and '"ok"' in out, out
    server.start()
    user.login()
    assert open_orders() == sorted(placed)

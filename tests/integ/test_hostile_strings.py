"""SQL metacharacters and NUL bytes in every stored string field a user
controls (DESIGN section 8): each value either round-trips exactly (read
back through the API, and again after a restart, from the store) or is
refused with 400 naming the field. Never a 5xx, never a changed value, and
the store stays whole (its audit chain verifies).
"""

import base64
import sqlite3

import pytest

from naxlib import DEFAULT_PASSWORD, User, fund_crypto, fund_fiat, new_user, unique_email

HOSTILE = [
    "'; DROP TABLE users; --",
    "Robert'); DELETE FROM orders WHERE ('1'='1",
    '" OR ""="',
    "\\'\\\\",
    "%_%' ESCAPE '\\",
    "x' UNION SELECT secret FROM api_keys --",
    "\u00e9\u65e5\u672c 'quoted'",
]
NUL = ["a\u0000b", "\u0000", "trailing\u0000"]


def profile(user):
    return user.get("/v1/users/profile").expect(200).json()


def api_key_labels(user):
    return [k["label"] for k in user.get("/v1/auth/api-keys").expect(200).json()["api_keys"]]


def client_order_ids(user):
    orders = user.get("/v1/orders?status=open").expect(200).json()["orders"]
    return [o.get("client_order_id") for o in orders]


def refused(r, field):
    """A refusal must be a 400 that names the field."""
    assert r.status == 400, (r.status, r.text)
    assert field in (r.json()["error"].get("field") or ""), r.text


@pytest.mark.parametrize("value", HOSTILE + NUL, ids=lambda v: repr(v)[:24])
def test_profile_fields(naxd, value):
    user = new_user(naxd)
    for field in ("full_name", "phone"):
        r = user.call("PUT", "/v1/users/profile", json={field: value})
        if r.status == 200:
            assert profile(user)[field] == value
        else:
            refused(r, field)


@pytest.mark.parametrize("value", HOSTILE + NUL, ids=lambda v: repr(v)[:24])
def test_registration_name(naxd, value):
    email = unique_email()
    r = naxd.api.post("/v1/auth/register",
                      json={"email": email, "password": DEFAULT_PASSWORD, "full_name": value})
    if r.status == 201:
        user = User(naxd, email, DEFAULT_PASSWORD, r.json())
        user.login()
        assert profile(user)["full_name"] == value
    else:
        refused(r, "full_name")


@pytest.mark.parametrize("value", HOSTILE + NUL, ids=lambda v: repr(v)[:24])
def test_api_key_label(naxd, value):
    user = new_user(naxd)
    r = user.post("/v1/auth/api-keys", json={"label": value, "scopes": ["read"]})
    if r.status == 201:
        assert api_key_labels(user) == [value]
    else:
        refused(r, "label")


@pytest.mark.parametrize("value", HOSTILE + NUL, ids=lambda v: repr(v)[:24])
def test_client_order_id(naxd, value):
    user = new_user(naxd)
    fund_fiat(user, "AUD", "1000.00")
    r = user.post("/v1/orders", json={"pair": "BTC-AUD", "side": "buy", "type": "limit",
                                      "price": "40000.00", "quantity": "0.001",
                                      "client_order_id": value})
    if r.status == 201:
        assert client_order_ids(user) == [value]
    else:
        refused(r, "client_order_id")
    user.delete("/v1/orders").expect(200)


def test_the_store_survives_them_all(server_factory):
    server = server_factory()
    user = new_user(server)
    fund_fiat(user, "AUD", "1000.00")
    kept = {}
    for value in HOSTILE:
        if user.call("PUT", "/v1/users/profile", json={"full_name": value}).status == 200:
            kept["full_name"] = value
        user.post("/v1/auth/api-keys", json={"label": value, "scopes": ["read"]})
    labels = api_key_labels(user)
    # SQL metacharacters are ordinary text: they must be kept, not refused
    assert kept and len(labels) == len(HOSTILE), (kept, labels)
    server.stop()
    rc, out = server.verify_audit()
    assert rc == 0 and '"ok"' in out, out
    server.start()
    user.login()
    assert api_key_labels(user) == labels  # the same values, from the store
    if kept:
        assert profile(user)["full_name"] == kept["full_name"]


# ---- fields stored but never read back through the API ---------------------------------
# Bank details of a fiat withdrawal and a KYC document's file name go to the
# store only, so their check reads the store itself once naxd has stopped.

PATHS = ["../../../../etc/passwd", "..", "/tmp/x", "a/../../b.png", "con.png\\..\\x"]
BANK = {"account_name": "Alice Nguyen", "account_number": "12345678", "bank_code": "062-000"}
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def stored(server, sql):
    server.stop()
    con = sqlite3.connect(server.data_dir / "naxd.db")
    try:
        return [row[0] for row in con.execute(sql)]
    finally:
        con.close()


def test_bank_details_are_stored_exactly_or_refused(server_factory):
    server = server_factory()
    user = new_user(server)
    fund_fiat(user, "AUD", "1000.00")
    kept = []
    for field in BANK:
        for value in HOSTILE + NUL:
            body = dict(BANK, currency="AUD", amount="1.00", method="bank_transfer")
            body[field] = value
            r = user.post("/v1/fiat/withdraw", json=body)
            if r.status == 201:
                kept.append(value)
            else:
                refused(r, field)
    assert len(kept) >= len(HOSTILE), kept  # SQL metacharacters are plain text
    got = stored(server, "SELECT account_name || '|' || account_number || '|' || bank_code "
                         "FROM fiat_txs WHERE account_name IS NOT NULL")
    want = []
    for field in BANK:
        for value in HOSTILE + NUL:
            if value in kept:
                want.append("|".join(value if f == field else BANK[f] for f in BANK))
    assert sorted(got) == sorted(want)


def test_kyc_file_names_never_become_paths(server_factory):
    server = server_factory()
    user = new_user(server)
    kept = []
    for value in HOSTILE + NUL + PATHS:
        r = user.post("/v1/users/kyc-documents",
                      json={"document_type": "passport", "file_name": value,
                            "content_type": "image/png",
                            "content_base64": base64.b64encode(PNG).decode()})
        if r.status == 201:
            kept.append(value)
        else:
            refused(r, "file_name")
    assert len(kept) >= len(HOSTILE + PATHS), kept
    names = stored(server, "SELECT file_name FROM kyc_documents")
    assert sorted(names) == sorted(kept)
    # every upload is one file under DATA/kyc/<user>/, named by naxd alone
    files = [p for p in (server.data_dir / "kyc").rglob("*") if p.is_file()]
    assert len(files) == len(kept)
    assert all(p.parent.name == user.id and p.name.startswith("doc_") for p in files), files
    assert all(p.read_bytes() == PNG for p in files)


def test_withdrawal_address_and_memo(server_factory):
    server = server_factory()
    user = new_user(server)
    fund_crypto(user, "BTC", "1.0")
    memos = []
    for field in ("address", "memo"):
        for value in HOSTILE + NUL:
            body = {"asset": "BTC", "amount": "0.001",
                    "address": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", field: value}
            r = user.post("/v1/wallets/withdraw", json=body)
            if r.status == 201 and field == "memo":
                memos.append(value)
            elif r.status == 201:
                assert r.json()["address"] == value
            else:
                assert r.status in (400, 422), (r.status, r.text)
                assert r.json()["error"].get("field") == field, r.text
    assert len(memos) >= len(HOSTILE), memos
    assert sorted(stored(server, "SELECT memo FROM wallet_txs WHERE memo IS NOT NULL")) == \
        sorted(memos)

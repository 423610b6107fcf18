"""SQL metacharacters and NUL bytes in every stored string field a user
controls (DESIGN section 8): each value either round-trips exactly (read
back through the API, and again after a restart, from the store) or is
refused with 400 naming the field. Never a 5xx, never a changed value, and
the store stays whole (its audit chain verifies).
"""

import pytest

from naxlib import DEFAULT_PASSWORD, User, fund_fiat, new_user, unique_email

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

"""Users in naxd (docs/openapi.yaml): registration, the profile, KYC status and
documents, the operator's KYC decision, and users and credentials across restarts.
"""

import base64
import json
import os
import socket
import stat
import threading
import uuid

import pytest

from naxlib import (DEFAULT_PASSWORD, make_api_key, new_user, now_ms, status_of, unique_email,
                    verify_kyc)

PROFILE = "/v1/users/profile"
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA6"
                       "0e6kgAAAABJRU5ErkJggg==")
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def expect_error(r, status, code, field=None):
    assert r.status == status and r.code == code, r.text
    if field is not None:
        assert r.error.get("field") == field, r.text
    return r


def register(api, **body):
    body.setdefault("email", unique_email())
    body.setdefault("password", DEFAULT_PASSWORD)
    return api.post("/v1/auth/register", json=body)


def document(data, content_type="image/png", document_type="passport", name="scan.png"):
    return {"document_type": document_type, "file_name": name, "content_type": content_type,
            "content_base64": base64.b64encode(data).decode()}


def post_raw(server, path, body, token):
    """POST on a new socket; the server may answer before the body is sent and
    close, which cuts the sending short. Returns the raw response."""
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nAuthorization: Bearer {token}\r\n"
            f"Idempotency-Key: {uuid.uuid4()}\r\n\r\n").encode()
    chunks = []
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as s:
        s.sendall(head)
        try:
            for i in range(0, len(body), 65536):
                s.sendall(body[i:i + 65536])
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    break
                chunks.append(c)
        except (socket.timeout, ConnectionResetError):
            pass
    return b"".join(chunks)


# ---- registration ------------------------------------------------------------------------


def test_register_returns_the_profile(api):
    email = unique_email("Alice").replace("alice", "Alice")
    r = register(api, email=email, full_name="Alice Nguyen", country="AU").expect(201)
    p = r.json()
    assert p["id"].startswith("u_") and p["id"][2:].isdigit()
    assert p["email"] == email.lower()
    assert p["full_name"] == "Alice Nguyen" and p["country"] == "AU"
    assert p["kyc_status"] == "unverified" and p["totp_enabled"] is False
    assert "phone" not in p
    assert abs(p["created_at"] - now_ms()) < 60000


def test_user_ids_increase(api):
    a = int(register(api).expect(201).json()["id"][2:])
    b = int(register(api).expect(201).json()["id"][2:])
    assert b > a


def test_duplicate_email_is_409_whatever_the_case(api):
    email = unique_email()
    register(api, email=email).expect(201)
    expect_error(register(api, email=email.upper()), 409, "email_taken", "email")


def test_concurrent_registrations_of_one_email(api):
    email = unique_email()
    results = []

    def attempt():
        results.append(register(api, email=email).status)

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201] + [409] * 5, results


@pytest.mark.parametrize("email", [
    "plain", "@example.com", "a@", "a@b", "a@@example.com", "a b@example.com",
    ".dot@example.com", "dot.@example.com", "do..t@example.com", "a@-example.com",
    "a@example-.com", "a@example..com", "a@example.c0m", "a@example.c", "\u00e9@example.com",
    "x" * 65 + "@example.com", "a@" + "b" * 250 + ".com", "a@exa_mple.com",
])
def test_bad_emails_are_400(api, email):
    expect_error(register(api, email=email), 400, "invalid_request", "email")


@pytest.mark.parametrize("local", ["o'brien+tag", "first.last", "x_y-z", "a!#$%&*/=?^`{|}~"])
def test_unusual_but_valid_emails(api, local):
    register(api, email=f"{local}.{uuid.uuid4().hex[:6]}@mail.example.co.uk").expect(201)


@pytest.mark.parametrize("password", ["Short-1a", "alllowercase-123", "ALLUPPERCASE-123",
                                      "NoDigitsHere-abc", "NoSymbols123abc", "x" * 300])
def test_weak_passwords_are_422(api, password):
    expect_error(register(api, password=password), 422, "weak_password", "password")


@pytest.mark.parametrize("body,field", [
    ({"country": "au"}, "country"), ({"country": "AUS"}, "country"),
    ({"full_name": ""}, "full_name"), ({"full_name": "x" * 201}, "full_name"),
    ({"full_name": "line\nbreak"}, "full_name"), ({"email": 7}, "email"),
    ({"password": None}, "password"),
])
def test_register_field_validation(api, body, field):
    data = {"email": unique_email(), "password": DEFAULT_PASSWORD}
    data.update(body)
    data = {k: v for k, v in data.items() if v is not None}
    expect_error(api.post("/v1/auth/register", json=data), 400, "invalid_request", field)


def test_register_is_idempotent_with_a_key(api):
    body = {"email": unique_email(), "password": DEFAULT_PASSWORD}
    key = str(uuid.uuid4())
    first = api.post("/v1/auth/register", json=body, idem=key).expect(201)
    again = api.post("/v1/auth/register", json=body, idem=key).expect(201)
    assert again.json() == first.json()
    expect_error(api.post("/v1/auth/register", json=body), 409, "email_taken")


# ---- profile ---------------------------------------------------------------------------------


def test_profile_get_with_session_and_read_key(naxd):
    u = new_user(naxd, full_name="Bo Li", country="NZ")
    p = u.get(PROFILE).expect(200).json()
    assert p == u.profile
    key = make_api_key(u, scopes=("read",))
    assert naxd.api.get(PROFILE, key=key).expect(200).json() == p


def test_profile_update(naxd):
    u = new_user(naxd, full_name="Old Name", country="AU")
    r = u.call("PUT", PROFILE, json={"phone": "+61412345678"}).expect(200).json()
    assert r["phone"] == "+61412345678"
    assert r["full_name"] == "Old Name" and r["country"] == "AU"
    r = u.call("PUT", PROFILE, json={"full_name": "Zoë Ñandú", "country": "US"}).expect(200)
    p = r.json()
    assert p["full_name"] == "Zoë Ñandú" and p["country"] == "US"
    assert p["phone"] == "+61412345678"
    assert u.get(PROFILE).json() == p
    assert u.call("PUT", PROFILE, json={}).expect(200).json() == p


@pytest.mark.parametrize("body,field", [
    ({"phone": "0412345678"}, "phone"), ({"phone": "+0412345678"}, "phone"),
    ({"phone": "+1"}, "phone"), ({"phone": "+1234567890123456"}, "phone"),
    ({"phone": "+61 412 345 678"}, "phone"), ({"country": "A1"}, "country"),
    ({"full_name": ""}, "full_name"), ({"full_name": "é" * 201}, "full_name"),
])
def test_profile_update_validation(naxd, body, field):
    u = new_user(naxd)
    expect_error(u.call("PUT", PROFILE, json=body), 400, "invalid_request", field)
    assert u.get(PROFILE).json() == u.profile


def test_profile_update_needs_a_session(naxd):
    u = new_user(naxd)
    key = make_api_key(u)
    expect_error(naxd.api.put(PROFILE, json={"phone": "+61412345678"}, key=key), 403,
                 "session_required")
    expect_error(naxd.api.put(PROFILE, json={"phone": "+61412345678"}), 401, "unauthorized")
    expect_error(u.call("PUT", PROFILE, body=b"{nope"), 400, "invalid_json")


# ---- KYC ---------------------------------------------------------------------------------------


def test_kyc_starts_unverified(naxd):
    u = new_user(naxd)
    k = u.get("/v1/users/kyc-status").expect(200).json()
    assert k == {"status": "unverified", "updated_at": u.profile["created_at"]}
    key = make_api_key(u, scopes=("read",))
    assert naxd.api.get("/v1/users/kyc-status", key=key).expect(200).json() == k


def test_kyc_upload_stores_the_file_and_sets_pending(naxd):
    u = new_user(naxd)
    r = u.post("/v1/users/kyc-documents", json=document(PNG)).expect(201).json()
    assert r["id"].startswith("doc_") and r["document_type"] == "passport"
    assert r["status"] == "pending" and r["size_bytes"] == len(PNG) == 70
    k = u.get("/v1/users/kyc-status").expect(200).json()
    assert k["status"] == "pending" and k["updated_at"] >= u.profile["created_at"]
    assert u.get(PROFILE).json()["kyc_status"] == "pending"
    folder = naxd.data_dir / "kyc" / u.id
    files = [f for f in folder.iterdir() if f.name.startswith(r["id"] + "-")]
    assert len(files) == 1
    assert files[0].read_bytes() == PNG
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    d2 = u.post("/v1/users/kyc-documents",
                json=document(PDF, "application/pdf", "proof_of_address", "bill.pdf"))
    assert int(d2.expect(201).json()["id"][4:]) > int(r["id"][4:])


def test_kyc_upload_validation(naxd):
    u = new_user(naxd)
    jpeg_as_png = document(b"\xff\xd8\xff\xe0" + b"\0" * 32)
    expect_error(u.post("/v1/users/kyc-documents", json=jpeg_as_png), 422,
                 "content_type_mismatch", "content_base64")
    u.post("/v1/users/kyc-documents",
           json=document(b"\xff\xd8\xff\xe0" + b"\0" * 32, "image/jpeg", name="a.jpg")).expect(201)
    bad = document(PNG)
    for text in ("iVBORw0KGgo", "iVBORw0KGgo!AAA", "iVBO Rw0KGgo=", "====", "iVBO!w0KGgo=", "iVBORw0KGgoA==="):
        bad["content_base64"] = text
        expect_error(u.post("/v1/users/kyc-documents", json=bad), 400, "invalid_request",
                     "content_base64")
    expect_error(u.post("/v1/users/kyc-documents", json=document(PNG, "image/gif")), 400,
                 "invalid_request", "content_type")
    expect_error(u.post("/v1/users/kyc-documents", json=document(PNG, name="")), 400,
                 "invalid_request", "file_name")
    expect_error(u.post("/v1/users/kyc-documents",
                        json=dict(document(PNG), document_type="selfie")), 400,
                 "invalid_request", "document_type")
    key = make_api_key(u)
    expect_error(naxd.api.post("/v1/users/kyc-documents", json=document(PNG), key=key), 403,
                 "session_required")
    assert u.get("/v1/users/kyc-status").json()["status"] == "pending"  # only the jpeg counted


def test_kyc_document_size_limit(naxd):
    u = new_user(naxd)
    limit = 8 * 1024 * 1024
    big = PDF + b"\0" * (limit - len(PDF))
    r = u.post("/v1/users/kyc-documents",
               json=document(big, "application/pdf", name="big.pdf"), timeout=120)
    assert r.expect(201).json()["size_bytes"] == limit
    r = u.post("/v1/users/kyc-documents",
               json=document(big + b"\0", "application/pdf", name="big.pdf"), timeout=120)
    expect_error(r, 413, "payload_too_large", "content_base64")
    # beyond the route's body limit (12 MiB) the framework refuses it unread
    huge = json.dumps(document(PDF + b"\0" * (9 * 1024 * 1024 + 512 * 1024),
                               "application/pdf")).encode()
    raw = post_raw(naxd, "/v1/users/kyc-documents", huge, u.token)
    assert status_of(raw) == 413, raw[:300]
    assert b'"payload_too_large"' in raw


def test_kyc_upload_replays_with_the_same_key(naxd):
    u = new_user(naxd)
    key = str(uuid.uuid4())
    a = u.post("/v1/users/kyc-documents", json=document(PNG), idem=key).expect(201).json()
    b = u.post("/v1/users/kyc-documents", json=document(PNG), idem=key).expect(201).json()
    assert a == b
    assert len(list((naxd.data_dir / "kyc" / u.id).iterdir())) == 1


# ---- the operator's decision ---------------------------------------------------------------------


def test_admin_sets_kyc_status(naxd):
    u = new_user(naxd)
    u.post("/v1/users/kyc-documents", json=document(PNG)).expect(201)
    r = naxd.admin("POST", f"/admin/users/{u.id}/kyc",
                   json={"status": "rejected", "reason": "document expired"}).expect(200).json()
    assert r["status"] == "rejected" and r["reason"] == "document expired"
    assert u.get("/v1/users/kyc-status").json() == r
    # a new document puts it back under review
    u.post("/v1/users/kyc-documents", json=document(PNG)).expect(201)
    k = u.get("/v1/users/kyc-status").json()
    assert k["status"] == "pending" and "reason" not in k
    r = verify_kyc(u)
    assert r["status"] == "verified" and "reason" not in r
    # a verified user stays verified when sending more documents
    u.post("/v1/users/kyc-documents", json=document(PNG)).expect(201)
    assert u.get("/v1/users/kyc-status").json()["status"] == "verified"
    assert u.get(PROFILE).json()["kyc_status"] == "verified"


def test_admin_kyc_accepts_numeric_ids(naxd):
    u = new_user(naxd)
    naxd.admin("POST", f"/admin/users/{u.id[2:]}/kyc", json={"status": "verified"}).expect(200)
    assert u.get("/v1/users/kyc-status").json()["status"] == "verified"


@pytest.mark.parametrize("body,code,field", [
    ({"status": "rejected"}, "invalid_request", "reason"),
    ({"status": "rejected", "reason": ""}, "invalid_request", "reason"),
    ({"status": "approved"}, "invalid_request", "status"),
    ({"status": 3}, "invalid_request", "status"),
    ({}, "invalid_request", "status"),
    ({"status": "verified", "status ": "x", "reason": 5}, "invalid_request", "reason"),
])
def test_admin_kyc_validation(naxd, body, code, field):
    u = new_user(naxd)
    r = naxd.admin("POST", f"/admin/users/{u.id}/kyc", json=body)
    expect_error(r, 400, code, field)
    assert u.get("/v1/users/kyc-status").json()["status"] == "unverified"


def test_admin_kyc_errors(naxd):
    u = new_user(naxd)
    expect_error(naxd.admin("POST", f"/admin/users/{u.id}/kyc",
                            body=b'{"status":"verified","status":"rejected"}'), 400,
                 "invalid_json")
    expect_error(naxd.admin("POST", "/admin/users/u_999999999/kyc", json={"status": "verified"}),
                 404, "not_found")
    expect_error(naxd.api.post(f"/admin/users/{u.id}/kyc", json={"status": "verified"}), 401,
                 "invalid_token")
    expect_error(naxd.api.post(f"/admin/users/{u.id}/kyc", json={"status": "verified"},
                               token="op_wrong"), 401, "invalid_token")
    expect_error(u.post(f"/admin/users/{u.id}/kyc", json={"status": "verified"}), 401,
                 "invalid_token")
    assert u.get("/v1/users/kyc-status").json()["status"] == "unverified"


def test_admin_routes_off_without_operator_token(server_factory):
    srv = server_factory(config={"operator_token": None}, fault_injection=False)
    u = new_user(srv)
    r = srv.api.post(f"/admin/users/{u.id}/kyc", json={"status": "verified"}, token="anything")
    expect_error(r, 403, "forbidden")


def test_admin_kyc_is_audited(server_factory):
    import sqlite3
    srv = server_factory()
    u = new_user(srv)
    verify_kyc(u)
    db = sqlite3.connect(f"file:{srv.data_dir}/naxd.db?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT actor, before, after FROM audit WHERE action = 'kyc.set'") \
            .fetchall()
    finally:
        db.close()
    assert len(rows) == 1
    actor, before, after = rows[0]
    assert actor == "operator" and '"unverified"' in before and '"verified"' in after


# ---- across restarts -------------------------------------------------------------------------------


@pytest.mark.parametrize("kill", [False, True])
def test_users_and_credentials_survive_a_restart(server_factory, kill):
    srv = server_factory()
    u = new_user(srv, full_name="Kim Park", country="KR")
    key = make_api_key(u, scopes=("read",))
    srv.api.get(PROFILE, key=key).expect(200)
    ended = new_user(srv)
    srv.api.post("/v1/auth/logout", json={"refresh_token": ended.refresh},
                 token=ended.token).expect(204)
    first_doc = u.post("/v1/users/kyc-documents", json=document(PNG)).expect(201).json()["id"]
    u.call("PUT", PROFILE, json={"phone": "+821012345678"}).expect(200)
    before = u.get(PROFILE).json()
    srv.restart(kill=kill)
    assert u.get(PROFILE).expect(200).json() == before
    assert srv.api.get(PROFILE, key=key).expect(200).json()["id"] == u.id
    srv.api.post("/v1/auth/refresh", json={"refresh_token": u.refresh}).expect(200)
    expect_error(ended.get(PROFILE), 401, "token_revoked")
    expect_error(srv.api.post("/v1/auth/refresh", json={"refresh_token": ended.refresh}), 401,
                 "token_revoked")
    u.login()
    assert u.get("/v1/users/kyc-status").json()["status"] == "pending"
    expect_error(register(srv.api, email=u.email), 409, "email_taken")
    later = new_user(srv, login=False)
    assert int(later.id[2:]) > int(ended.id[2:])
    d = u.post("/v1/users/kyc-documents", json=document(PNG)).expect(201).json()
    assert int(d["id"][4:]) > int(first_doc[4:])
    rc, out = srv.verify_audit()
    assert rc == 0, out


def test_api_key_use_is_saved(server_factory):
    srv = server_factory()
    u = new_user(srv)
    key = make_api_key(u, scopes=("read",))
    srv.api.get(PROFILE, key=key).expect(200)
    used = u.get("/v1/auth/api-keys").json()["api_keys"][0]["last_used_at"]
    srv.restart()  # the shutdown writes what the timer has not yet
    u.login()
    assert u.get("/v1/auth/api-keys").json()["api_keys"][0]["last_used_at"] == used


def test_deleted_api_key_stays_deleted_after_restart(server_factory):
    srv = server_factory()
    u = new_user(srv)
    key = make_api_key(u)
    u.delete(f"/v1/auth/api-keys/{key.id}").expect(204)
    srv.restart()
    expect_error(srv.api.get(PROFILE, key=key), 401, "invalid_api_key")
    u.login()
    assert u.get("/v1/auth/api-keys").json()["api_keys"] == []


def test_concurrent_registrations_get_distinct_ids(api):
    ids, lock = [], threading.Lock()

    def one():
        r = register(api).expect(201)
        with lock:
            ids.append(r.json()["id"])

    threads = [threading.Thread(target=one) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 10


# ---- failed commits leave no trace ----------------------------------------------------------------


def until_not_503(call, deadline_s=30):
    """Repeats call() while the store recovers (503); returns the first other Resp."""
    import time
    end = time.monotonic() + deadline_s
    while True:
        r = call()
        if r.status != 503 or time.monotonic() > end:
            return r
        time.sleep(0.2)


def test_registration_whose_commit_failed_frees_the_email(server_factory):
    srv = server_factory()
    email = unique_email()
    srv.faults("POST /v1/auth/register", "commit_fail")
    expect_error(register(srv.api, email=email), 503, "store_unavailable")
    r = until_not_503(lambda: register(srv.api, email=email)).expect(201)
    srv.api.post("/v1/auth/login", json={"email": email, "password": DEFAULT_PASSWORD}) \
        .expect(200)
    assert r.json()["email"] == email


def test_kyc_upload_whose_commit_failed_leaves_no_file(server_factory):
    srv = server_factory()
    u = new_user(srv)
    srv.faults("POST /v1/users/kyc-documents", "commit_fail")
    expect_error(u.post("/v1/users/kyc-documents", json=document(PNG)), 503, "store_unavailable")
    folder = srv.data_dir / "kyc" / u.id
    assert not folder.exists() or list(folder.iterdir()) == []
    assert until_not_503(lambda: u.get("/v1/users/kyc-status")).json()["status"] == "unverified"
    until_not_503(lambda: u.post("/v1/users/kyc-documents", json=document(PNG))).expect(201)
    assert len(list(folder.iterdir())) == 1

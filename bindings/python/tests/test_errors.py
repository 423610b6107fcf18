"""Error mapping: libnax's codes and nax_error_last() detail become the
exception classes of nax.errors, with http_status, code, field and request_id."""

import socket
import threading
import uuid

import pytest

import naxlib
import nax
from conftest import PAIR

ALL_CODES = [-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13, -14, -20, -21, -22, -30,
             -31, -32, -33, -34, -35, -36, -37, -38, -39, -40, -41, -42, -43, -44]


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_code_has_a_class_of_its_error_class(code):
    cls = nax.exception_class(code)
    klass = nax._lib.lib.nax_error_class_of(code)
    by_class = {1: nax.ArgumentError, 2: nax.OutOfMemoryError, 3: nax.DataError,
                4: nax.NetworkError, 5: nax.HTTPError, 6: nax.StateError, 7: nax.CallbackError,
                8: nax.LocalSystemError}[klass]
    assert issubclass(cls, by_class), (code, cls, by_class)
    assert cls.nax_code == code or code == -1
    assert nax._lib.nax_strerror(code).decode() != "unknown error"


def test_codes_are_the_headers_codes():
    # every nax_error_code of include/nax/error.h, and no other
    import re
    from conftest import REPO
    text = (REPO / "include" / "nax" / "error.h").read_text()
    codes = {int(v) for v in re.findall(r"NAX_E\w+ = (-\d+)", text)} | {-1}
    assert codes == set(ALL_CODES)


def test_unknown_code_falls_back_to_its_class():
    assert nax.exception_class(-99, 5) is nax.HTTPError
    assert nax.exception_class(-99) is nax.NaxError


def test_server_validation_error_carries_field_and_request_id(public):
    with pytest.raises(nax.BadRequestError) as ei:
        public.register(naxlib.unique_email(), "short")
    e = ei.value
    assert e.http_status == 422 and e.code == "weak_password" and e.field == "password"
    assert e.request_id and uuid.UUID(e.request_id)
    assert e.nax_code == -31 and e.message and not e.transient
    assert isinstance(e, nax.HTTPError) and isinstance(e, nax.NaxError)
    assert "field password" in str(e) and e.request_id in str(e)


def test_profile_phone_validation_names_the_field(naxd):
    u = naxlib.new_user(naxd)
    with nax.Client(naxd.url, token=u.token) as c:
        with pytest.raises(nax.BadRequestError) as ei:
            c.update_profile(phone="12")
    assert (ei.value.http_status, ei.value.code, ei.value.field) == (400, "invalid_request",
                                                                     "phone")
    assert ei.value.request_id


def test_401_without_credentials(public):
    with pytest.raises(nax.AuthError) as ei:
        public.balances()
    assert ei.value.http_status == 401 and ei.value.code == "unauthorized"
    assert ei.value.request_id


def test_401_wrong_password_does_not_leak_it(naxd):
    u = naxlib.new_user(naxd, login=False)
    secret_pw = "Wrong-Password-7-zzz"
    with nax.Client(naxd.url) as c:
        with pytest.raises(nax.AuthError) as ei:
            c.login(u.email, secret_pw)
    assert ei.value.http_status == 401
    assert secret_pw not in str(ei.value) and secret_pw not in repr(ei.value)


def test_403_key_without_the_trade_scope(trader):
    with nax.Client(trader.client.url, token=trader.user.token) as c:
        k = c.create_api_key("read-only", scopes=["read"])
    with nax.Client(trader.client.url, api_key=k.id, api_secret=k.secret) as ro:
        ro.balances()
        with pytest.raises(nax.ForbiddenError) as ei:
            ro.place_order(PAIR, "buy", "0.01000000", "50000.00")
    assert ei.value.http_status == 403 and ei.value.code == "insufficient_scope"


def test_404_and_409(trader, public):
    with pytest.raises(nax.NotFoundError) as ei:
        trader.client.get_order("o_424242424")
    assert (ei.value.http_status, ei.value.code, ei.value.field) == (404, "not_found", "id")
    email = naxlib.unique_email()
    public.register(email, naxlib.DEFAULT_PASSWORD)
    with pytest.raises(nax.ConflictError) as ei:
        public.register(email, naxlib.DEFAULT_PASSWORD)
    assert (ei.value.http_status, ei.value.code, ei.value.field) == (409, "email_taken", "email")


def test_409_duplicate_client_order_id(trader):
    coid = "dup-" + uuid.uuid4().hex[:8]
    trader.client.place_order(PAIR, "buy", "0.01000000", "50000.00", client_order_id=coid)
    with pytest.raises(nax.ConflictError) as ei:
        trader.client.place_order(PAIR, "buy", "0.02000000", "50000.00", client_order_id=coid)
    assert ei.value.http_status == 409


def test_422_insufficient_funds(trader):
    with pytest.raises(nax.BadRequestError) as ei:
        trader.client.place_order(PAIR, "buy", "1000.00000000", "90000.00")
    assert (ei.value.http_status, ei.value.code) == (422, "insufficient_funds")


def test_429_rate_limited_with_retry_after(naxd, public):
    # Retry-After beyond the client's longest wait (60 s): fails at once, transient.
    naxd.faults("GET /v1/markets/{pair}/ticker", "rate_limit", count=5, retry_after_s=120)
    try:
        with pytest.raises(nax.RateLimitError) as ei:
            public.ticker(PAIR)
    finally:
        naxd.clear_faults()
    e = ei.value
    assert e.http_status == 429 and e.transient and e.retry_after_ms == 120000
    assert e.code == "rate_limited"


def test_503_unavailable(naxd):
    naxd.faults("GET /v1/markets/{pair}/ticker", "error_before_commit", count=10, status=503)
    try:
        with nax.Client(naxd.url, max_attempts=1) as c:
            with pytest.raises(nax.UnavailableError) as ei:
                c.ticker(PAIR)
    finally:
        naxd.clear_faults()
    assert ei.value.http_status == 503 and ei.value.transient


def test_local_rule_check_before_any_io(trader):
    with pytest.raises(nax.InvalidArgumentError) as ei:
        trader.client.place_order(PAIR, "buy", "0.01000000", "50000.001")
    e = ei.value
    assert (e.field, e.http_status, e.request_id) == ("price", 0, None)
    assert isinstance(e, ValueError)


def test_decoder_names_the_bad_request_member(trader):
    with pytest.raises(nax.SchemaError) as ei:
        trader.client.place_order(PAIR, "bye", "0.01000000", "50000.00")
    assert ei.value.field == "side" and ei.value.http_status == 0
    with pytest.raises(nax.DataError) as ei:
        trader.client.place_order(PAIR, "buy", "0.01.5", "50000.00")
    assert ei.value.field == "quantity"


def test_floats_are_refused_before_anything_is_sent(trader):
    with pytest.raises(TypeError, match="never a float"):
        trader.client.place_order(PAIR, "buy", 0.01, "50000.00")
    with pytest.raises(TypeError):
        trader.client.withdraw("BTC", 0.5, "addr")


def test_network_error_and_timeout():
    # a port with nothing listening
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with nax.Client(f"http://127.0.0.1:{port}", max_attempts=1) as c:
        with pytest.raises(nax.NetworkError) as ei:
            c.health()
    assert ei.value.http_status == 0 and ei.value.request_id
    # a server that accepts and never answers
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    try:
        with nax.Client(f"http://127.0.0.1:{srv.getsockname()[1]}", max_attempts=1,
                        request_timeout_ms=300, deadline_ms=1000) as c:
            with pytest.raises(nax.TimedOutError) as ei:
                c.health()
        assert ei.value.transient
    finally:
        srv.close()


def test_client_options_are_checked():
    with pytest.raises(nax.InvalidArgumentError) as ei:
        nax.Client("not a url")
    assert ei.value.field
    with pytest.raises(nax.InvalidArgumentError):
        nax.Client("http://127.0.0.1:1", api_key="only-half")


def test_closed_client_raises_invalid_state(naxd):
    c = nax.Client(naxd.url)
    with c:
        c.health()
    assert c.closed
    with pytest.raises(nax.InvalidStateError):
        c.health()
    c.close()  # twice is fine


def test_error_detail_is_per_thread(trader, public):
    """Each thread's exception carries its own call's detail."""
    out = {}

    def worker(name, fn):
        try:
            fn()
        except nax.NaxError as e:
            out[name] = e

    ts = [threading.Thread(target=worker, args=("404", lambda: trader.client.get_order(
              "o_31337313"))),
          threading.Thread(target=worker, args=("401", public.balances))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert type(out["404"]) is nax.NotFoundError and out["404"].http_status == 404
    assert type(out["401"]) is nax.AuthError and out["401"].http_status == 401

"""nax.webhook: sign and verify (nax_webhook_sign / nax_webhook_verify), and
API-key request signatures; checked against naxlib's independent Python
implementation and against naxd itself."""

import json
import time
import uuid

import pytest

import naxlib
import nax
from nax import webhook

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
BODY = b'{"id":"msg_1","type":"payment.succeeded"}'


def test_sign_matches_an_independent_implementation():
    assert webhook.sign(SECRET, "msg_1", 1767268800, BODY) == \
        naxlib.sign_webhook(SECRET, "msg_1", 1767268800, BODY)
    assert webhook.sign(SECRET, "msg_1", 1767268800, BODY.decode()).startswith("v1,")


def test_verify_accepts_and_rejects():
    now = 1767268800
    sig = webhook.sign(SECRET, "msg_1", now, BODY)
    assert webhook.verify(SECRET, "msg_1", str(now), sig, BODY, now=now) is None
    # key rotation: any of several secrets, any of several signatures
    other = naxlib.new_webhook_secret()
    both = webhook.sign(other, "msg_1", now, BODY) + " " + sig
    webhook.verify([other, SECRET], "msg_1", now, both, BODY, now=now + 299)
    with pytest.raises(nax.AuthError) as ei:
        webhook.verify(SECRET, "msg_1", now, sig, BODY + b" ", now=now)
    assert (ei.value.code, ei.value.field) == ("invalid_signature", "webhook-signature")
    with pytest.raises(nax.AuthError) as ei:
        webhook.verify(SECRET, "msg_2", now, sig, BODY, now=now)
    assert ei.value.code == "invalid_signature"
    with pytest.raises(nax.AuthError) as ei:
        webhook.verify(SECRET, "msg_1", now, sig, BODY, now=now + 301)
    assert (ei.value.code, ei.value.field) == ("timestamp_out_of_window", "webhook-timestamp")
    webhook.verify(SECRET, "msg_1", now, sig, BODY, now=now + 1000, tolerance_s=1000)
    assert SECRET not in str(ei.value)


def test_bad_secret_is_an_argument_error():
    with pytest.raises(nax.InvalidArgumentError):
        webhook.sign("whsec_", "m", 1, b"x")
    with pytest.raises(nax.InvalidArgumentError):
        webhook.verify([], "m", 1, "v1,abc", b"x")


def test_sign_request_matches_naxd_rules():
    ts = "1767268800123"
    assert webhook.sign_request("s3cret", ts, "POST", "/v1/orders", b'{"a":1}') == \
        naxlib.sign_request("s3cret", ts, "POST", "/v1/orders", b'{"a":1}')
    assert len(webhook.sign_request("s3cret", ts, "GET", "/v1/orders?pair=BTC-AUD")) == 64


def test_naxd_accepts_a_webhook_signed_by_the_binding(naxd, trader):
    dep = trader.client.fiat_deposit("AUD", "123.45", "payid")
    event = naxlib.webhook_event("payment.succeeded", {"reference": dep.reference,
                                                       "amount": "123.45", "currency": "AUD"})
    body = json.dumps(event, separators=(",", ":")).encode()
    ts = int(time.time())
    headers = {"webhook-id": event["id"], "webhook-timestamp": str(ts),
               "webhook-signature": webhook.sign(naxd.secrets["payments"], event["id"], ts,
                                                 body)}
    naxd.api.call("POST", "/v1/webhooks/payments", body=body, headers=headers).expect(204)
    tx = trader.client.fiat_transactions(currency="AUD").transactions[0]
    assert tx.id == dep.id and tx.status is nax.TxStatus.COMPLETED
    # and a tampered one is refused
    bad = dict(headers, **{"webhook-id": "msg_" + uuid.uuid4().hex})
    assert naxd.api.call("POST", "/v1/webhooks/payments", body=body,
                         headers=bad).status == 401

"""Provider webhooks the Standard Webhooks way, and API-key request signatures
(``nax_webhook_sign``, ``nax_webhook_verify``, ``nax_sign_request``).

These are the functions naxd itself uses to check what it receives, so a
service can act as a provider in tests, or verify the callbacks it receives.
Secrets are only read; they never reach an exception message.
"""

from __future__ import annotations

import time
from ctypes import byref, c_char_p, create_string_buffer, string_at
from typing import Iterable, Optional, Union

from . import _lib
from .errors import check

TOLERANCE_S = 300  #: default tolerance of webhook timestamps, each way

Body = Union[bytes, str]


def _bytes(body: Body) -> bytes:
    return body.encode() if isinstance(body, str) else bytes(body)


def sign(secret: str, msg_id: str, timestamp: int, body: Body) -> str:
    """The ``webhook-signature`` value ``v1,<base64 HMAC-SHA256>`` over
    ``id.timestamp.body``, keyed with the secret (``whsec_`` + base64 key, or
    the raw key bytes without the prefix)."""
    raw = _bytes(body)
    buf = _lib.Buf()
    try:
        check(_lib.nax_webhook_sign(byref(buf), secret.encode(), msg_id.encode(), int(timestamp),
                                    raw, len(raw)))
        return string_at(buf.data, buf.len).decode()
    finally:
        _lib.nax_buf_dispose(byref(buf))


def verify(secrets: Union[str, Iterable[str]], msg_id: str, timestamp: Union[str, int],
           signatures: str, body: Body, *, now: Optional[int] = None,
           tolerance_s: int = TOLERANCE_S) -> None:
    """Verify a received webhook; returns None when valid.

    Accepts when any ``v1,`` signature of the space-separated ``signatures``
    header matches any of ``secrets`` (key rotation), compared in constant
    time, and the timestamp is within ``tolerance_s`` of ``now`` (default:
    the local clock). Raises :class:`nax.AuthError` with ``code``
    ``timestamp_out_of_window`` (field ``webhook-timestamp``) or
    ``invalid_signature`` (field ``webhook-signature``);
    :class:`nax.InvalidArgumentError` for a malformed secret.
    """
    keys = [secrets] if isinstance(secrets, str) else list(secrets)
    arr = (c_char_p * len(keys))(*[k.encode() for k in keys])
    raw = _bytes(body)
    check(_lib.nax_webhook_verify(arr, len(keys), msg_id.encode(), str(timestamp).encode(),
                                  signatures.encode(), raw, len(raw),
                                  int(time.time()) if now is None else int(now),
                                  int(tolerance_s)))


def sign_request(secret: str, timestamp: Union[str, int], method: str, target: str,
                 body: Body = b"") -> str:
    """``X-NAX-SIGNATURE`` for an API-key request: lowercase hex HMAC-SHA256
    over ``timestamp || METHOD || target || body``."""
    out = create_string_buffer(65)
    raw = _bytes(body)
    check(_lib.nax_sign_request(out, secret.encode(), str(timestamp).encode(), method.encode(),
                                target.encode(), raw, len(raw)))
    return out.value.decode()


__all__ = ["sign", "verify", "sign_request", "TOLERANCE_S"]

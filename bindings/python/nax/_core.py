"""The crossing between Python values and libnax's typed objects.

Requests go in as JSON decoded by ``nax_decode`` (which checks every member
and names the bad one). Results are read straight from their C structs where
:mod:`nax._structs` mirrors them (the hot ones), otherwise they come out as
JSON written by ``nax_encode`` and are turned into the dataclasses of
:mod:`nax.models`.
"""

from __future__ import annotations

import json
from ctypes import c_void_p, string_at
from decimal import Decimal
from typing import Any, Callable, Optional

from . import _lib
from .errors import from_last

# nax_type numbers (include/nax/types.h; stable)
T_REGISTER_REQUEST = 2
T_LOGIN_REQUEST = 3
T_TOKEN = 4
T_TOTP_SETUP = 6
T_API_KEY_REQUEST = 8
T_API_KEY = 9
T_API_KEY_LIST = 10
T_PROFILE = 11
T_PROFILE_UPDATE = 12
T_KYC = 13
T_KYC_DOCUMENT_REQUEST = 14
T_KYC_DOCUMENT = 15
T_MARKET = 16
T_MARKET_LIST = 17
T_TICKER = 18
T_ORDER_BOOK = 19
T_TRADE = 20
T_TRADE_LIST = 21
T_SERVER_TIME = 22
T_ORDER_REQUEST = 23
T_ORDER = 24
T_ORDER_LIST = 25
T_CANCEL_RESULT = 26
T_FILL = 27
T_FILL_LIST = 28
T_BALANCE = 29
T_BALANCE_LIST = 30
T_DEPOSIT_ADDRESS_REQUEST = 31
T_DEPOSIT_ADDRESS = 32
T_WITHDRAW_REQUEST = 33
T_WALLET_TX = 34
T_WALLET_TX_LIST = 35
T_FIAT_DEPOSIT_REQUEST = 36
T_FIAT_WITHDRAW_REQUEST = 37
T_FIAT_TX = 38
T_FIAT_TX_LIST = 39
T_HEALTH = 41

# raw_decode: the encoder's output has no surrounding whitespace to skip
_raw_decode = json.JSONDecoder(parse_float=Decimal).raw_decode


def _json_decode(text: str) -> Any:
    return _raw_decode(text)[0]


_json_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_encode = _lib.nax_encode
_decode = _lib.nax_decode
_free = _lib.nax_object_free
_thread_buf = _lib.thread_buf


def money(value: Any, name: str) -> str:
    """A decimal as the contract writes it. Floats are refused: they cannot
    hold most prices exactly."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{name}: not a finite decimal: {value}")
        return format(value, "f")
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"{name}: expected Decimal, str or int, got {type(value).__name__}"
                    " (money is never a float)")


def request(type_id: int, body: dict) -> c_void_p:
    """A typed request object made by nax_decode from ``body`` (None members
    left out); free it with nax_object_free. Raises the decoder's error, which
    names the offending member in ``field``."""
    raw = _json_encode({k: v for k, v in body.items() if v is not None}).encode()
    out = c_void_p()
    rc = _decode(out, type_id, raw, len(raw), None)
    if rc != 0:
        raise from_last(rc)
    return out


def to_json(type_id: int, ptr) -> Any:
    """The JSON value of a typed object (not freed), decimals as Decimal."""
    tb = _thread_buf()
    rc = _encode(tb.ref, type_id, ptr)
    if rc != 0:
        raise from_last(rc)
    return _json_decode(string_at(tb.buf.data, tb.buf.len).decode())


def json_reader(type_id: int, build: Callable[[Any], Any]) -> Callable[[int], Any]:
    """A result converter through the codec: the object's JSON, then ``build``."""
    def read(p):
        tb = _thread_buf()
        rc = _encode(tb.ref, type_id, p)
        if rc != 0:
            raise from_last(rc)
        buf = tb.buf
        return build(_raw_decode(string_at(buf.data, buf.len).decode())[0])

    return read


def take(rc: int, out: c_void_p, read: Callable[[int], Any]) -> Any:
    """Raise for a failed call, or turn its result object into Python with
    ``read`` (given the object's address) and free it. Runs after every call."""
    if rc != 0:
        raise from_last(rc)
    p = out.value
    try:
        return read(p)
    finally:
        _free(p)


def opt_bytes(s: Optional[str]) -> Optional[bytes]:
    return None if s is None else s.encode()

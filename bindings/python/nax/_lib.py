"""Loading libnax and the fixed C structs the binding needs mirrored.

Requests and most results cross the boundary as JSON through the library's
own codec (nax_encode / nax_decode), so only the small fixed structs live
here: the error detail, the byte buffer, the client and stream options, the
list query, and the stream's event structs. The result structs read directly
are mirrored in _structs.py. Every prototype is declared once, at import, so
calls pay no per-call introspection.

ctypes.CDLL releases the GIL around every foreign call, so a blocking request
lets other Python threads run.
"""

from __future__ import annotations

import ctypes
import glob
import os
import sys
import sysconfig
import threading
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_int, c_int64, c_size_t, c_uint,
                    c_uint8, c_uint32, c_uint64, c_void_p)
from pathlib import Path

SONAME = "libnax.so.1"
# The binding speaks the 0.1 ABI: same major, at least this minor.
ABI_MAJOR = 0
ABI_MINOR = 1


def _candidates() -> list[str]:
    """Where libnax is looked for, in order (see README.md)."""
    out: list[str] = []
    env = os.environ.get("NAX_LIBRARY")
    if env:
        out.append(os.path.join(env, SONAME) if os.path.isdir(env) else env)
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    for prefix in dict.fromkeys((sys.prefix, sys.base_prefix)):
        out.append(os.path.join(prefix, "lib", SONAME))
    out.append(os.path.join("/usr/local/lib", SONAME))
    if multiarch:
        out.append(os.path.join("/usr/local/lib", multiarch, SONAME))
        out.append(os.path.join("/usr/lib", multiarch, SONAME))
    out.append(os.path.join("/usr/lib", SONAME))
    # The build tree, when the package is used from a source checkout:
    # <repo>/bindings/python/nax/_lib.py -> <repo>/build*/libnax.so.1
    repo = Path(__file__).resolve().parents[3]
    builds = sorted(glob.glob(str(repo / "build*" / SONAME)))
    builds.sort(key=lambda p: Path(p).parent.name != "build")  # plain build/ first
    out.extend(builds)
    return list(dict.fromkeys(out))


def _load() -> tuple[ctypes.CDLL, str]:
    explicit = os.environ.get("NAX_LIBRARY")
    if explicit:  # authoritative: a wrong path fails here rather than loading another copy
        path = _candidates()[0]
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            raise ImportError(f"NAX_LIBRARY={explicit}: cannot load {path}: {e}") from e
    tried = []
    for path in _candidates():
        if not os.path.exists(path):
            tried.append(f"{path} (absent)")
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append(f"{path} ({e})")
    try:  # last: the dynamic linker's own search (LD_LIBRARY_PATH, ld.so.cache)
        return ctypes.CDLL(SONAME), SONAME
    except OSError as e:
        tried.append(f"{SONAME} via the dynamic linker ({e})")
    raise ImportError("libnax not found; set NAX_LIBRARY to the path of libnax.so.1. Tried:\n  " +
                      "\n  ".join(tried))


lib, path = _load()

# ---------------------------------------------------------------- structs


class Error(Structure):
    _fields_ = [("struct_size", c_size_t), ("code", c_int), ("klass", c_int),
                ("http_status", c_int), ("transient", c_int), ("message", c_char_p),
                ("server_code", c_char_p), ("field", c_char_p), ("request_id", c_char_p),
                ("retry_after_ms", c_int64)]


class Buf(Structure):
    _fields_ = [("data", c_void_p), ("len", c_size_t), ("cap", c_size_t)]


class RetryPolicy(Structure):
    _fields_ = [("max_attempts", c_uint), ("base_delay_ms", c_uint32),
                ("max_delay_ms", c_uint32), ("retry_after_max_ms", c_uint32),
                ("budget", c_uint32), ("retry_cost", c_uint32),
                ("timeout_retry_cost", c_uint32), ("success_refund", c_uint32)]


class BreakerPolicy(Structure):
    _fields_ = [("window_size", c_uint), ("min_calls", c_uint), ("failure_rate_pct", c_uint),
                ("slow_rate_pct", c_uint), ("slow_call_ms", c_uint32), ("open_ms", c_uint32),
                ("half_open_probes", c_uint), ("disabled", c_int)]


class LimiterPolicy(Structure):
    _fields_ = [("mode", c_int), ("rate_per_s", c_uint32), ("burst", c_uint32),
                ("max_wait_ms", c_uint32)]


class ClientOptions(Structure):
    _fields_ = [("version", c_uint), ("base_url", c_char_p), ("api_key", c_char_p),
                ("api_secret", c_char_p), ("bearer_token", c_char_p), ("email", c_char_p),
                ("password", c_char_p), ("totp_secret", c_char_p),
                ("recv_window_ms", c_uint32), ("connect_timeout_ms", c_uint32),
                ("request_timeout_ms", c_uint32), ("deadline_ms", c_uint32),
                ("tls_insecure", c_int), ("ca_path", c_char_p),
                ("pinned_public_key", c_char_p), ("proxy", c_char_p),
                ("user_agent_suffix", c_char_p), ("max_connections", c_uint),
                ("retry", RetryPolicy), ("breaker", BreakerPolicy), ("limiter", LimiterPolicy),
                ("log_fn", c_void_p), ("log_level", c_int), ("log_userdata", c_void_p),
                ("metrics_fn", c_void_p), ("metrics_userdata", c_void_p),
                ("breaker_fn", c_void_p), ("breaker_userdata", c_void_p), ("hooks", c_void_p)]


CLIENT_OPTIONS_VERSION = 1


class ListQuery(Structure):
    _fields_ = [("struct_size", c_size_t), ("pair", c_char_p), ("status", c_int),
                ("side", c_int), ("client_order_id", c_char_p), ("asset", c_char_p),
                ("type", c_int), ("from_ms", c_int64), ("to_ms", c_int64), ("limit", c_uint),
                ("cursor", c_char_p)]


class BreakerStatus(Structure):
    _fields_ = [("struct_size", c_size_t), ("state", c_int), ("calls", c_uint),
                ("failures", c_uint), ("slow", c_uint), ("open_for_ms", c_uint64),
                ("opened_total", c_uint64)]


class Decimal_(Structure):
    _fields_ = [("lo", c_uint64), ("hi", c_uint64), ("scale", c_uint8), ("negative", c_uint8),
                ("reserved", c_uint8 * 6)]


class BookLevel(Structure):
    _fields_ = [("price", Decimal_), ("quantity", Decimal_)]


class StreamEvent(Structure):
    _fields_ = [("struct_size", c_size_t), ("state", c_int), ("reason", c_int),
                ("channel", c_char_p), ("message", c_char_p), ("error", c_int),
                ("attempt", c_uint), ("delay_ms", c_uint64), ("close_code", c_int)]


class StreamBook(Structure):
    _fields_ = [("struct_size", c_size_t), ("pair", c_char_p), ("seq", c_uint64),
                ("snapshot", c_int), ("bids", c_void_p), ("bids_count", c_size_t),
                ("asks", c_void_p), ("asks_count", c_size_t), ("checksum", c_uint32)]


# Callback types: typed struct pointers travel as void * (they go straight
# back into nax_encode), the two mirrored ones as real pointers.
ON_STATE = CFUNCTYPE(c_int, POINTER(StreamEvent), c_void_p)
ON_ITEM = CFUNCTYPE(c_int, c_void_p, c_uint, c_void_p)
ON_BOOK = CFUNCTYPE(c_int, POINTER(StreamBook), c_void_p)


class StreamCallbacks(Structure):
    _fields_ = [("on_state", ON_STATE), ("on_ticker", ON_ITEM), ("on_trade", ON_ITEM),
                ("on_book", ON_BOOK), ("on_order", ON_ITEM), ("on_balance", ON_ITEM),
                ("on_fill", ON_ITEM), ("userdata", c_void_p)]


class StreamOptions(Structure):
    _fields_ = [("version", c_uint), ("client", c_void_p), ("url", c_char_p), ("mode", c_int),
                ("callbacks", StreamCallbacks), ("ping_interval_ms", c_uint32),
                ("missed_pongs", c_uint), ("reconnect_min_ms", c_uint32),
                ("reconnect_max_ms", c_uint32), ("connect_timeout_ms", c_uint32),
                ("max_message_bytes", c_size_t), ("max_buffered_updates", c_size_t),
                ("max_pending_ops", c_size_t), ("max_catchup_items", c_size_t),
                ("tls_insecure", c_int), ("ca_path", c_char_p), ("hooks", c_void_p)]


STREAM_OPTIONS_VERSION = 1


class StreamStats(Structure):
    _fields_ = [("struct_size", c_size_t), ("messages", c_uint64), ("bytes", c_uint64),
                ("connects", c_uint64), ("resyncs", c_uint64), ("gaps", c_uint64),
                ("checksum_mismatches", c_uint64), ("lagging", c_uint64),
                ("catchup_events", c_uint64)]


class BookTop(Structure):
    _fields_ = [("struct_size", c_size_t), ("seq", c_uint64), ("live", c_int),
                ("has_bid", c_int), ("bid", BookLevel), ("has_ask", c_int), ("ask", BookLevel),
                ("bid_levels", c_size_t), ("ask_levels", c_size_t)]


# ------------------------------------------------------------- prototypes

_P = c_void_p  # an opaque handle or a typed struct the codec reads
_PP = POINTER(c_void_p)
_LQ = POINTER(ListQuery)


def _proto(name, restype, *argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)
    return fn


nax_version = _proto("nax_version", c_uint)
nax_version_string = _proto("nax_version_string", c_char_p)
nax_global_init = _proto("nax_global_init", c_int, c_void_p)
nax_error_last = _proto("nax_error_last", POINTER(Error))
nax_error_clear = _proto("nax_error_clear", None)
nax_strerror = _proto("nax_strerror", c_char_p, c_int)
nax_buf_dispose = _proto("nax_buf_dispose", None, POINTER(Buf))

nax_encode = _proto("nax_encode", c_int, POINTER(Buf), c_int, _P)
nax_decode = _proto("nax_decode", c_int, _PP, c_int, c_char_p, c_size_t, c_void_p)
nax_object_free = _proto("nax_object_free", None, _P)
nax_decimal_format = _proto("nax_decimal_format", c_int, c_char_p, c_size_t, POINTER(Decimal_))

nax_client_options_init = _proto("nax_client_options_init", c_int, POINTER(ClientOptions), c_uint)
nax_client_new = _proto("nax_client_new", c_int, _PP, POINTER(ClientOptions))
nax_client_free = _proto("nax_client_free", None, _P)
nax_client_breaker_status = _proto("nax_client_breaker_status", c_int, _P, c_int,
                                   POINTER(BreakerStatus))
nax_client_sync_clock = _proto("nax_client_sync_clock", c_int, _P, POINTER(c_int64))
nax_client_clock_offset = _proto("nax_client_clock_offset", c_int64, _P)
nax_client_set_session = _proto("nax_client_set_session", c_int, _P, c_char_p, c_char_p, c_int64)

# api.h: (client, request, &out)
nax_auth_register = _proto("nax_auth_register", c_int, _P, _P, _PP)
nax_auth_login = _proto("nax_auth_login", c_int, _P, _P, _PP)
nax_auth_refresh = _proto("nax_auth_refresh", c_int, _P, _PP)
nax_auth_logout = _proto("nax_auth_logout", c_int, _P)
nax_auth_totp_enable = _proto("nax_auth_totp_enable", c_int, _P, _PP)
nax_auth_totp_confirm = _proto("nax_auth_totp_confirm", c_int, _P, c_char_p)
nax_auth_totp_disable = _proto("nax_auth_totp_disable", c_int, _P, c_char_p)
nax_api_keys_create = _proto("nax_api_keys_create", c_int, _P, _P, _PP)
nax_api_keys_list = _proto("nax_api_keys_list", c_int, _P, _PP)
nax_api_keys_delete = _proto("nax_api_keys_delete", c_int, _P, c_char_p)
nax_users_profile = _proto("nax_users_profile", c_int, _P, _PP)
nax_users_profile_update = _proto("nax_users_profile_update", c_int, _P, _P, _PP)
nax_users_kyc_status = _proto("nax_users_kyc_status", c_int, _P, _PP)
nax_users_kyc_document = _proto("nax_users_kyc_document", c_int, _P, _P, _PP)
nax_markets_list = _proto("nax_markets_list", c_int, _P, _PP)
nax_markets_get = _proto("nax_markets_get", c_int, _P, c_char_p, _PP)
nax_markets_ticker = _proto("nax_markets_ticker", c_int, _P, c_char_p, _PP)
nax_markets_orderbook = _proto("nax_markets_orderbook", c_int, _P, c_char_p, c_uint, _PP)
nax_markets_trades = _proto("nax_markets_trades", c_int, _P, c_char_p, c_uint, _PP)
nax_markets_time = _proto("nax_markets_time", c_int, _P, _PP)
nax_health_get = _proto("nax_health_get", c_int, _P, _PP)
nax_orders_place = _proto("nax_orders_place", c_int, _P, _P, _PP)
nax_orders_get = _proto("nax_orders_get", c_int, _P, c_char_p, _PP)
nax_orders_get_by_client_id = _proto("nax_orders_get_by_client_id", c_int, _P, c_char_p, _PP)
nax_orders_list = _proto("nax_orders_list", c_int, _P, _LQ, _PP)
nax_orders_cancel = _proto("nax_orders_cancel", c_int, _P, c_char_p, _PP)
nax_orders_cancel_all = _proto("nax_orders_cancel_all", c_int, _P, c_char_p, _PP)
nax_trades_history = _proto("nax_trades_history", c_int, _P, _LQ, _PP)
nax_wallets_balances = _proto("nax_wallets_balances", c_int, _P, _PP)
nax_wallets_deposit_address = _proto("nax_wallets_deposit_address", c_int, _P, _P, _PP)
nax_wallets_withdraw = _proto("nax_wallets_withdraw", c_int, _P, _P, _PP)
nax_wallets_transactions = _proto("nax_wallets_transactions", c_int, _P, _LQ, _PP)
nax_fiat_deposit = _proto("nax_fiat_deposit", c_int, _P, _P, _PP)
nax_fiat_withdraw = _proto("nax_fiat_withdraw", c_int, _P, _P, _PP)
nax_fiat_transactions = _proto("nax_fiat_transactions", c_int, _P, _LQ, _PP)
nax_pager_new = _proto("nax_pager_new", c_int, _PP, _P, c_int, _LQ)
nax_pager_next = _proto("nax_pager_next", c_int, _P, _PP)
nax_pager_free = _proto("nax_pager_free", None, _P)

nax_sign_request = _proto("nax_sign_request", c_int, c_char_p, c_char_p, c_char_p, c_char_p,
                          c_char_p, c_char_p, c_size_t)
nax_webhook_sign = _proto("nax_webhook_sign", c_int, POINTER(Buf), c_char_p, c_char_p, c_int64,
                          c_char_p, c_size_t)
nax_webhook_verify = _proto("nax_webhook_verify", c_int, POINTER(c_char_p), c_size_t, c_char_p,
                            c_char_p, c_char_p, c_char_p, c_size_t, c_int64, c_int64)

nax_stream_options_init = _proto("nax_stream_options_init", c_int, POINTER(StreamOptions), c_uint)
nax_stream_new = _proto("nax_stream_new", c_int, _PP, POINTER(StreamOptions))
nax_stream_subscribe = _proto("nax_stream_subscribe", c_int, _P, POINTER(c_char_p), c_size_t)
nax_stream_unsubscribe = _proto("nax_stream_unsubscribe", c_int, _P, POINTER(c_char_p), c_size_t)
nax_stream_start = _proto("nax_stream_start", c_int, _P)
nax_stream_stop = _proto("nax_stream_stop", c_int, _P)
nax_stream_free = _proto("nax_stream_free", None, _P)
nax_stream_state_get = _proto("nax_stream_state_get", c_int, _P)
nax_stream_stats_get = _proto("nax_stream_stats_get", c_int, _P, POINTER(StreamStats))
nax_stream_book_top = _proto("nax_stream_book_top", c_int, _P, c_char_p, POINTER(BookTop))
nax_stream_book_copy = _proto("nax_stream_book_copy", c_int, _P, c_char_p, c_size_t, _PP)
nax_stream_state_name = _proto("nax_stream_state_name", c_char_p, c_int)
nax_stream_reason_name = _proto("nax_stream_reason_name", c_char_p, c_int)
nax_breaker_state_name = _proto("nax_breaker_state_name", c_char_p, c_int)

# ------------------------------------------------------------------ setup

_v = nax_version()
if (_v >> 16) != ABI_MAJOR or ((_v >> 8) & 0xFF) < ABI_MINOR:
    raise ImportError(f"{path} is libnax {nax_version_string().decode()}; this binding needs "
                      f"{ABI_MAJOR}.{ABI_MINOR} or a later {ABI_MAJOR}.x")

# Reference-counted in C; taken once for the life of the process (a later
# shutdown could race with objects still being garbage-collected).
if nax_global_init(None) != 0:
    raise ImportError(f"nax_global_init failed: {nax_error_last().contents.message!r}")

# ---------------------------------------------------------------- buffers

_local = threading.local()


class _ThreadBuf:
    """One nax_buf per Python thread (a buffer belongs to one thread at a
    time); its memory is reused by every call of that thread and released
    when the thread ends."""

    __slots__ = ("buf", "ref")

    def __init__(self):
        self.buf = Buf()
        self.ref = ctypes.byref(self.buf)

    def __del__(self, _dispose=nax_buf_dispose):
        _dispose(self.ref)


def thread_buf() -> _ThreadBuf:
    try:
        return _local.b
    except AttributeError:
        b = _local.b = _ThreadBuf()
        return b


"""``nax.Client``: every REST endpoint of include/nax/api.h.

One client may be shared by any number of threads (the C client is
thread-safe); the Python side only guards the handle's lifetime, so a
``close()`` while other threads are inside calls frees the C client when the
last of them returns.
"""

from __future__ import annotations

import base64
import ctypes
import threading
from ctypes import byref, c_int64, c_void_p
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional, TypeVar, Union

from . import _core, _lib, _structs
from ._core import money, opt_bytes, request, take
from .errors import InvalidStateError, check, from_last
from .models import (ApiKey, Balance, BookLevel, BreakerStatus, CancelResult, DepositAddress,
                     FiatTx, FiatTxList, Fill, FillList, Health, Kyc, KycDocument, Market,
                     Order, OrderBook, OrderList, Profile, ServerTime, Ticker, Token, TotpSetup,
                     Trade, WalletTx, WalletTxList, builder)

if TYPE_CHECKING:
    from .stream import Stream

Money = Union[Decimal, str, int]
T = TypeVar("T")

def _reader(type_id: int, cls: type):
    """The result converter for ``cls``: straight from the C struct where
    nax._structs mirrors it, else through the codec's JSON."""
    if _structs.has_reader(cls):
        return _structs.reader(cls)
    return _core.json_reader(type_id, builder(cls))


_R = {cls: _reader(t, cls) for t, cls in (
    (_core.T_PROFILE, Profile), (_core.T_TOKEN, Token), (_core.T_TOTP_SETUP, TotpSetup),
    (_core.T_API_KEY, ApiKey), (_core.T_KYC, Kyc), (_core.T_KYC_DOCUMENT, KycDocument),
    (_core.T_MARKET, Market), (_core.T_TICKER, Ticker), (_core.T_ORDER_BOOK, OrderBook),
    (_core.T_SERVER_TIME, ServerTime), (_core.T_HEALTH, Health), (_core.T_ORDER, Order),
    (_core.T_ORDER_LIST, OrderList), (_core.T_CANCEL_RESULT, CancelResult),
    (_core.T_FILL, Fill), (_core.T_FILL_LIST, FillList), (_core.T_BALANCE, Balance),
    (_core.T_DEPOSIT_ADDRESS, DepositAddress), (_core.T_WALLET_TX, WalletTx),
    (_core.T_WALLET_TX_LIST, WalletTxList), (_core.T_FIAT_TX, FiatTx),
    (_core.T_FIAT_TX_LIST, FiatTxList))}
_r_ticker, _r_order = _R[Ticker], _R[Order]
_markets_ticker, _free = _lib.nax_markets_ticker, _lib.nax_object_free  # for ticker()

# lists the client unwraps into a plain tuple
_r_markets = _structs.list_reader(_structs.MarketList_, "markets", Market)
_r_trades = _structs.list_reader(_structs.TradeList_, "trades", Trade)
_r_balances = _structs.list_reader(_structs.BalanceList_, "balances", Balance)
_r_api_keys = _core.json_reader(_core.T_API_KEY_LIST,
                                lambda d, _item=builder(ApiKey): tuple(map(_item, d["api_keys"])))

_ORDER_STATUS = {"open": 1, "partially_filled": 2, "filled": 3, "cancelled": 4, "rejected": 5}
_SIDE = {"buy": 1, "sell": 2}
_TX_TYPE = {"deposit": 1, "withdrawal": 2}
_LIMITER = {"wait": 0, "fail_fast": 1, "off": 2}
_GROUPS = {"auth": 0, "market_data": 1, "trading": 2, "funds": 3}

# nax_list_kind: (kind, item class)
_LIST_ORDERS = (1, Order)
_LIST_FILLS = (2, Fill)
_LIST_WALLET_TXS = (3, WalletTx)
_LIST_FIAT_TXS = (4, FiatTx)


def _closed() -> InvalidStateError:
    return InvalidStateError("the client is closed", nax_code=-5)


def _enum(table: dict, value, name: str) -> int:
    if value is None:
        return 0
    try:
        return table[str(getattr(value, "value", value))]
    except KeyError:
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(table)}") from None


def _query(pair=None, status=None, side=None, client_order_id=None, asset=None, type=None,
           from_ms=0, to_ms=0, limit=0, cursor=None) -> _lib.ListQuery:
    q = _lib.ListQuery()
    q.struct_size = ctypes.sizeof(_lib.ListQuery)
    q.pair = opt_bytes(pair)
    q.status = _enum(_ORDER_STATUS, status, "status")
    q.side = _enum(_SIDE, side, "side")
    q.client_order_id = opt_bytes(client_order_id)
    q.asset = opt_bytes(asset)
    q.type = _enum(_TX_TYPE, type, "type")
    q.from_ms = from_ms or 0
    q.to_ms = to_ms or 0
    q.limit = limit or 0
    q.cursor = opt_bytes(cursor)
    return q


class Client:
    """A REST client for one NA-X base URL (``nax_client``).

    Give at most one kind of credentials: ``api_key`` and ``api_secret``
    (every private request is signed), ``token`` (a ready access token), or
    ``email`` and ``password`` (the client logs in on the first private call
    and refreshes its session; ``totp_secret`` lets it make the TOTP code).
    Without credentials the public endpoints and :meth:`login` work.

    Zero or None options mean libnax's defaults (docs/guides/client.md).
    Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, url: str, *, api_key: Optional[str] = None,
                 api_secret: Optional[str] = None, token: Optional[str] = None,
                 email: Optional[str] = None, password: Optional[str] = None,
                 totp_secret: Optional[str] = None, request_timeout_ms: int = 0,
                 connect_timeout_ms: int = 0, deadline_ms: int = 0, recv_window_ms: int = 0,
                 max_attempts: int = 0, max_connections: int = 0, tls_insecure: bool = False,
                 ca_path: Optional[str] = None, user_agent_suffix: Optional[str] = None,
                 breaker: bool = True, limiter: str = "wait"):
        # The handle's lifetime without a lock: every call, pager and stream
        # using the handle has an entry in _users (list append and pop are
        # atomic), _handle turns None at close(), and _owned holds the handle
        # until the one pop that frees it (see _enter and close).
        self._users: list = []
        self._owned: list = []
        self._handle: Optional[int] = None
        self._closing = False
        o = _lib.ClientOptions()
        check(_lib.nax_client_options_init(byref(o), _lib.CLIENT_OPTIONS_VERSION))
        # The options (strings included) are copied by nax_client_new.
        o.base_url = url.encode()
        o.api_key, o.api_secret = opt_bytes(api_key), opt_bytes(api_secret)
        o.bearer_token = opt_bytes(token)
        o.email, o.password, o.totp_secret = (opt_bytes(email), opt_bytes(password),
                                              opt_bytes(totp_secret))
        o.request_timeout_ms, o.connect_timeout_ms = request_timeout_ms, connect_timeout_ms
        o.deadline_ms, o.recv_window_ms = deadline_ms, recv_window_ms
        o.retry.max_attempts, o.max_connections = max_attempts, max_connections
        o.tls_insecure = 1 if tls_insecure else 0
        o.ca_path, o.user_agent_suffix = opt_bytes(ca_path), opt_bytes(user_agent_suffix)
        o.breaker.disabled = 0 if breaker else 1
        o.limiter.mode = _enum(_LIMITER, limiter, "limiter")
        h = c_void_p()
        check(_lib.nax_client_new(byref(h), byref(o)))
        self._owned.append(h.value)
        self._handle = h.value
        self.url = url

    # ------------------------------------------------------------ lifetime

    def _enter(self) -> int:
        """The handle, counted in use until _leave. Registering before
        reading _handle is what makes this safe against close(): either
        close() sees this entry and leaves the freeing to the last _leave, or
        _handle already reads None here."""
        self._users.append(None)
        h = self._handle
        if h is None:
            self._leave()
            raise _closed()
        return h

    def _leave(self) -> None:
        users = self._users
        users.pop()
        if self._closing and not users:
            self._free()

    def _free(self) -> None:
        try:
            h = self._owned.pop()  # whoever pops it frees it: exactly once
        except IndexError:
            return
        _lib.nax_client_free(h)

    def close(self) -> None:
        """Free the C client; at once, or when the calls, pagers and streams
        still using it are done. Calling it again does nothing."""
        self._closing = True
        self._handle = None
        if not self._users:
            self._free()

    @property
    def closed(self) -> bool:
        return self._closing

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    # --------------------------------------------------------- call helpers

    # _get and ticker inline _enter and _leave: they run on every call, and
    # a Python-level call costs about what the guard itself does.

    def _get(self, fn, read, *args):
        out = c_void_p()
        users = self._users
        users.append(None)
        try:
            h = self._handle
            if h is None:
                raise _closed()
            rc = fn(h, *args, out)  # ctypes passes a c_void_p by reference itself
        finally:
            users.pop()
            if self._closing and not users:
                self._free()
        return take(rc, out, read)

    def _send(self, fn, req_type: int, body: dict, read):
        req = request(req_type, body)
        try:
            return self._get(fn, read, req)
        finally:
            _lib.nax_object_free(req)

    def _plain(self, fn, *args) -> None:
        h = self._enter()
        try:
            rc = fn(h, *args)
        finally:
            self._leave()
        if rc != 0:
            raise from_last(rc)

    # ---------------------------------------------------------------- auth

    def register(self, email: str, password: str, *, full_name: Optional[str] = None,
                 country: Optional[str] = None) -> Profile:
        """``POST /v1/auth/register``."""
        return self._send(_lib.nax_auth_register, _core.T_REGISTER_REQUEST,
                          {"email": email, "password": password, "full_name": full_name,
                           "country": country}, _R[Profile])

    def login(self, email: str, password: str, totp: Optional[str] = None) -> Token:
        """``POST /v1/auth/login``; the client keeps the session and refreshes it."""
        return self._send(_lib.nax_auth_login, _core.T_LOGIN_REQUEST,
                          {"email": email, "password": password, "totp_code": totp},
                          _R[Token])

    def refresh(self) -> Token:
        """``POST /v1/auth/refresh`` now (the client also refreshes by itself)."""
        return self._get(_lib.nax_auth_refresh, _R[Token])

    def logout(self) -> None:
        """``POST /v1/auth/logout``: revoke the session and forget its tokens."""
        self._plain(_lib.nax_auth_logout)

    def totp_enable(self) -> TotpSetup:
        """``POST /v1/auth/totp/enable``: the secret to put in an authenticator."""
        return self._get(_lib.nax_auth_totp_enable, _R[TotpSetup])

    def totp_confirm(self, code: str) -> None:
        """``POST /v1/auth/totp/confirm`` with the first code."""
        self._plain(_lib.nax_auth_totp_confirm, code.encode())

    def totp_disable(self, code: str) -> None:
        """``POST /v1/auth/totp/disable`` with a current code."""
        self._plain(_lib.nax_auth_totp_disable, code.encode())

    def create_api_key(self, label: str, scopes: Iterable[str] = ("read", "trade")) -> ApiKey:
        """``POST /v1/auth/api-keys``; the secret is in this answer only."""
        return self._send(_lib.nax_api_keys_create, _core.T_API_KEY_REQUEST,
                          {"label": label, "scopes": [str(getattr(s, "value", s))
                                                      for s in scopes]},
                          _R[ApiKey])

    def list_api_keys(self) -> tuple[ApiKey, ...]:
        """``GET /v1/auth/api-keys`` (without secrets)."""
        return self._get(_lib.nax_api_keys_list, _r_api_keys)

    def delete_api_key(self, key_id: str) -> None:
        """``DELETE /v1/auth/api-keys/{id}``."""
        self._plain(_lib.nax_api_keys_delete, key_id.encode())

    def set_session(self, access_token: Optional[str], refresh_token: Optional[str] = None,
                    expires_in_s: int = 0) -> None:
        """Install session tokens saved elsewhere (None drops the session)."""
        self._plain(_lib.nax_client_set_session, opt_bytes(access_token),
                    opt_bytes(refresh_token), expires_in_s)

    # --------------------------------------------------------------- users

    def profile(self) -> Profile:
        """``GET /v1/users/profile``."""
        return self._get(_lib.nax_users_profile, _R[Profile])

    def update_profile(self, *, full_name: Optional[str] = None, country: Optional[str] = None,
                       phone: Optional[str] = None) -> Profile:
        """``PUT /v1/users/profile``: changes the members given."""
        return self._send(_lib.nax_users_profile_update, _core.T_PROFILE_UPDATE,
                          {"full_name": full_name, "country": country, "phone": phone},
                          _R[Profile])

    def kyc_status(self) -> Kyc:
        """``GET /v1/users/kyc-status``."""
        return self._get(_lib.nax_users_kyc_status, _R[Kyc])

    def upload_kyc_document(self, document_type: str, file_name: str, content_type: str,
                            content: Optional[bytes] = None, *,
                            content_base64: Optional[str] = None) -> KycDocument:
        """``POST /v1/users/kyc-documents``: give ``content`` (bytes) or
        ``content_base64``."""
        if content_base64 is None:
            if content is None:
                raise TypeError("upload_kyc_document: give content or content_base64")
            content_base64 = base64.b64encode(content).decode()
        return self._send(_lib.nax_users_kyc_document, _core.T_KYC_DOCUMENT_REQUEST,
                          {"document_type": document_type, "file_name": file_name,
                           "content_type": content_type, "content_base64": content_base64},
                          _R[KycDocument])

    # ------------------------------------------------------------- markets

    def markets(self) -> tuple[Market, ...]:
        """``GET /v1/markets`` (also refreshes the client's market-rules cache)."""
        return self._get(_lib.nax_markets_list, _r_markets)

    def market(self, pair: str) -> Market:
        """One market's rules from the client's cache (fetched when stale)."""
        return self._get(_lib.nax_markets_get, _R[Market], pair.encode())

    def ticker(self, pair: str) -> Ticker:
        """``GET /v1/markets/{pair}/ticker``."""
        out = c_void_p()
        users = self._users
        users.append(None)
        try:
            h = self._handle
            if h is None:
                raise _closed()
            rc = _markets_ticker(h, pair.encode(), out)
        finally:
            users.pop()
            if self._closing and not users:
                self._free()
        if rc != 0:
            raise from_last(rc)
        p = out.value
        try:
            return _r_ticker(p)
        finally:
            _free(p)

    def orderbook(self, pair: str, depth: int = 0) -> OrderBook:
        """``GET /v1/markets/{pair}/orderbook``; depth 0: the server's default."""
        return self._get(_lib.nax_markets_orderbook, _R[OrderBook], pair.encode(), depth)

    def trades(self, pair: str, limit: int = 0) -> tuple[Trade, ...]:
        """``GET /v1/markets/{pair}/trades``, newest first."""
        return self._get(_lib.nax_markets_trades, _r_trades, pair.encode(), limit)

    def server_time(self) -> ServerTime:
        """``GET /v1/time``."""
        return self._get(_lib.nax_markets_time, _R[ServerTime])

    def health(self) -> Health:
        """``GET /health``; a degraded server raises UnavailableError (503)."""
        return self._get(_lib.nax_health_get, _R[Health])

    def sync_clock(self) -> int:
        """Measure the server's clock now; returns server minus local, in ms."""
        off = c_int64()
        self._plain(_lib.nax_client_sync_clock, byref(off))
        return off.value

    @property
    def clock_offset_ms(self) -> int:
        h = self._enter()
        try:
            return _lib.nax_client_clock_offset(h)
        finally:
            self._leave()

    def breaker_status(self, group: str) -> BreakerStatus:
        """A breaker's state: group is auth, market_data, trading or funds."""
        st = _lib.BreakerStatus()
        st.struct_size = ctypes.sizeof(st)
        self._plain(_lib.nax_client_breaker_status, _enum(_GROUPS, group, "group"), byref(st))
        return BreakerStatus(state=_lib.nax_breaker_state_name(st.state).decode(),
                             calls=st.calls, failures=st.failures, slow=st.slow,
                             open_for_ms=st.open_for_ms, opened_total=st.opened_total)

    # -------------------------------------------------------------- orders

    def place_order(self, pair: str, side: str, quantity: Money, price: Optional[Money] = None,
                    *, type: str = "limit", time_in_force: Optional[str] = None,
                    post_only: bool = False, client_order_id: Optional[str] = None) -> Order:
        """``POST /v1/orders``, exactly once (libnax fixes the client order id
        and idempotency key before the first attempt). ``type="market"`` takes
        no price. Checked against the market's tick, lot and minimum notional
        first (InvalidArgumentError naming the field)."""
        body = {"pair": pair, "side": side, "type": type,
                "price": None if price is None else money(price, "price"),
                "quantity": money(quantity, "quantity"), "time_in_force": time_in_force,
                "post_only": True if post_only else None, "client_order_id": client_order_id}
        return self._send(_lib.nax_orders_place, _core.T_ORDER_REQUEST, body, _r_order)

    def get_order(self, order_id: str) -> Order:
        """``GET /v1/orders/{id}``."""
        return self._get(_lib.nax_orders_get, _r_order, order_id.encode())

    def get_order_by_client_id(self, client_order_id: str) -> Order:
        """The order with this client order id (NotFoundError when none)."""
        return self._get(_lib.nax_orders_get_by_client_id, _r_order,
                         client_order_id.encode())

    def list_orders(self, *, pair: Optional[str] = None, status: Optional[str] = None,
                    side: Optional[str] = None, client_order_id: Optional[str] = None,
                    limit: int = 0, cursor: Optional[str] = None) -> OrderList:
        """``GET /v1/orders``, one page, newest first."""
        q = _query(pair=pair, status=status, side=side, client_order_id=client_order_id,
                   limit=limit, cursor=cursor)
        return self._get(_lib.nax_orders_list, _R[OrderList], byref(q))

    def iter_orders(self, *, pair: Optional[str] = None, status: Optional[str] = None,
                    side: Optional[str] = None, limit: int = 0) -> "Pager[Order]":
        """Every order matching the filters, fetching pages of ``limit`` as it goes."""
        return Pager(self, _LIST_ORDERS, _query(pair=pair, status=status, side=side,
                                                limit=limit))

    def cancel_order(self, order_id: str) -> Order:
        """``DELETE /v1/orders/{id}``: the cancelled order."""
        return self._get(_lib.nax_orders_cancel, _r_order, order_id.encode())

    def cancel_all(self, pair: Optional[str] = None) -> CancelResult:
        """``DELETE /v1/orders``: every open order, or only those of ``pair``."""
        return self._get(_lib.nax_orders_cancel_all, _R[CancelResult],
                         opt_bytes(pair))

    def trades_history(self, *, pair: Optional[str] = None, limit: int = 0,
                       cursor: Optional[str] = None) -> FillList:
        """``GET /v1/trades/history``: the user's fills, one page, newest first."""
        q = _query(pair=pair, limit=limit, cursor=cursor)
        return self._get(_lib.nax_trades_history, _R[FillList], byref(q))

    def iter_trades_history(self, *, pair: Optional[str] = None,
                            limit: int = 0) -> "Pager[Fill]":
        """Every fill, page by page."""
        return Pager(self, _LIST_FILLS, _query(pair=pair, limit=limit))

    # ------------------------------------------------------------- wallets

    def balances(self) -> tuple[Balance, ...]:
        """``GET /v1/wallets/balances``."""
        return self._get(_lib.nax_wallets_balances, _r_balances)

    def deposit_address(self, asset: str, network: Optional[str] = None) -> DepositAddress:
        """``POST /v1/wallets/deposit-address``."""
        return self._send(_lib.nax_wallets_deposit_address, _core.T_DEPOSIT_ADDRESS_REQUEST,
                          {"asset": asset, "network": network}, _R[DepositAddress])

    def withdraw(self, asset: str, amount: Money, address: str, *,
                 network: Optional[str] = None, memo: Optional[str] = None,
                 totp_code: Optional[str] = None) -> WalletTx:
        """``POST /v1/wallets/withdraw``: a crypto withdrawal."""
        return self._send(_lib.nax_wallets_withdraw, _core.T_WITHDRAW_REQUEST,
                          {"asset": asset, "amount": money(amount, "amount"),
                           "address": address, "network": network, "memo": memo,
                           "totp_code": totp_code}, _R[WalletTx])

    def wallet_transactions(self, *, asset: Optional[str] = None, type: Optional[str] = None,
                            from_ms: int = 0, to_ms: int = 0, limit: int = 0,
                            cursor: Optional[str] = None) -> WalletTxList:
        """``GET /v1/wallets/transactions``, one page, newest first."""
        q = _query(asset=asset, type=type, from_ms=from_ms, to_ms=to_ms, limit=limit,
                   cursor=cursor)
        return self._get(_lib.nax_wallets_transactions, _R[WalletTxList], byref(q))

    def iter_wallet_transactions(self, *, asset: Optional[str] = None,
                                 type: Optional[str] = None, from_ms: int = 0, to_ms: int = 0,
                                 limit: int = 0) -> "Pager[WalletTx]":
        """Every wallet transaction, page by page."""
        return Pager(self, _LIST_WALLET_TXS, _query(asset=asset, type=type, from_ms=from_ms,
                                                    to_ms=to_ms, limit=limit))

    # ---------------------------------------------------------------- fiat

    def fiat_deposit(self, currency: str, amount: Money, method: str) -> FiatTx:
        """``POST /v1/fiat/deposit``: pay with the returned ``reference``."""
        return self._send(_lib.nax_fiat_deposit, _core.T_FIAT_DEPOSIT_REQUEST,
                          {"currency": currency, "amount": money(amount, "amount"),
                           "method": method}, _R[FiatTx])

    def fiat_withdraw(self, currency: str, amount: Money, method: str, *, account_name: str,
                      account_number: str, bank_code: str,
                      totp_code: Optional[str] = None) -> FiatTx:
        """``POST /v1/fiat/withdraw``."""
        return self._send(_lib.nax_fiat_withdraw, _core.T_FIAT_WITHDRAW_REQUEST,
                          {"currency": currency, "amount": money(amount, "amount"),
                           "method": method, "account_name": account_name,
                           "account_number": account_number, "bank_code": bank_code,
                           "totp_code": totp_code}, _R[FiatTx])

    def fiat_transactions(self, *, currency: Optional[str] = None, type: Optional[str] = None,
                          from_ms: int = 0, to_ms: int = 0, limit: int = 0,
                          cursor: Optional[str] = None) -> FiatTxList:
        """``GET /v1/fiat/transactions``, one page, newest first."""
        q = _query(asset=currency, type=type, from_ms=from_ms, to_ms=to_ms, limit=limit,
                   cursor=cursor)
        return self._get(_lib.nax_fiat_transactions, _R[FiatTxList], byref(q))

    def iter_fiat_transactions(self, *, currency: Optional[str] = None,
                               type: Optional[str] = None, from_ms: int = 0, to_ms: int = 0,
                               limit: int = 0) -> "Pager[FiatTx]":
        """Every fiat transaction, page by page."""
        return Pager(self, _LIST_FIAT_TXS, _query(asset=currency, type=type, from_ms=from_ms,
                                                  to_ms=to_ms, limit=limit))

    # -------------------------------------------------------------- stream

    def stream(self, *channels: str, **kwargs: Any) -> "Stream":
        """A :class:`nax.Stream` on this client's URL and credentials (same
        keyword arguments as Stream)."""
        from .stream import Stream
        return Stream(*channels, client=self, **kwargs)


class Pager(Iterator[T]):
    """Iterates over every item of a list endpoint (``nax_pager``), fetching
    the next page when the current one is used up. A failed page fetch raises;
    iterating again retries that page. Holds the client open until exhausted
    or closed (``with`` or :meth:`close`). Safe to share between threads (one
    fetch at a time)."""

    def __init__(self, client: Client, spec, query: _lib.ListQuery):
        kind, cls = spec
        self._read = _R[cls]
        self._lock = threading.Lock()
        self._client = client
        h = client._enter()
        p = c_void_p()
        rc = _lib.nax_pager_new(byref(p), h, kind, byref(query))  # the query is copied
        if rc != 0:
            err = from_last(rc)
            client._leave()
            raise err
        self._p: Optional[int] = p.value

    def __iter__(self) -> "Pager[T]":
        return self

    def __next__(self) -> T:
        with self._lock:
            if self._p is None:
                raise StopIteration
            item = c_void_p()
            rc = _lib.nax_pager_next(self._p, item)
            if rc < 0:
                raise from_last(rc)
            if rc == 0:
                self._close_locked()
                raise StopIteration
            # the item stays valid until the next call on the pager: copy it now
            return self._read(item.value)

    def _close_locked(self) -> None:
        p, self._p = self._p, None
        if p is not None:
            _lib.nax_pager_free(p)
            self._client._leave()

    def close(self) -> None:
        with self._lock:
            self._close_locked()

    def __enter__(self) -> "Pager[T]":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


__all__ = ["Client", "Pager", "BookLevel"]

"""The objects of the NA-X contract as dataclasses, written from docs/openapi.yaml.

- Money, prices and quantities are :class:`decimal.Decimal` (they travel as
  JSON strings and are never floats).
- Timestamps are ``int`` milliseconds since the Unix epoch (UTC).
- Enumerations are ``str`` enums, so ``order.side == "buy"`` holds.
- Optional members are ``None`` when absent (optional booleans: ``False``).
- Lists are tuples; every object is frozen.
- ``repr()`` and ``str()`` hide secrets (the tokens of Token, ApiKey.secret,
  TotpSetup.secret and otpauth_uri) as ``'<hidden>'``; read the attribute.

Each dataclass names its schema in ``SCHEMAS`` (the test suite checks the
fields against docs/openapi.yaml so the two cannot drift). The objects are
built from the JSON that libnax's own encoder writes, by converters made once
at import from the type hints.
"""

from __future__ import annotations

import dataclasses
import enum
import sys
import types
import typing
from decimal import Decimal
from typing import Any, Callable, NamedTuple, Optional

_dc = dataclasses.dataclass(frozen=True, slots=True, kw_only=True)

# ------------------------------------------------------------------ enums


class Side(str, enum.Enum):
    BUY = "buy"
    SELL = "sell"


class OrderType(str, enum.Enum):
    LIMIT = "limit"
    MARKET = "market"


class TimeInForce(str, enum.Enum):
    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"


class OrderStatus(str, enum.Enum):
    OPEN = "open"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


class MarketStatus(str, enum.Enum):
    ACTIVE = "active"
    HALTED = "halted"
    POST_ONLY = "post_only"


class Liquidity(str, enum.Enum):
    MAKER = "maker"
    TAKER = "taker"


class KycStatus(str, enum.Enum):
    UNVERIFIED = "unverified"
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class DocumentType(str, enum.Enum):
    PASSPORT = "passport"
    DRIVERS_LICENCE = "drivers_licence"
    NATIONAL_ID = "national_id"
    PROOF_OF_ADDRESS = "proof_of_address"


class TxType(str, enum.Enum):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"


class TxStatus(str, enum.Enum):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class FiatMethod(str, enum.Enum):
    BANK_TRANSFER = "bank_transfer"
    PAYID = "payid"
    ACH = "ach"
    WIRE = "wire"


class Scope(str, enum.Enum):
    READ = "read"
    TRADE = "trade"
    WITHDRAW = "withdraw"


# The enum schemas of docs/openapi.yaml, for the drift test.
ENUM_SCHEMAS: dict[str, type[enum.Enum]] = {
    "Side": Side, "OrderType": OrderType, "TimeInForce": TimeInForce,
    "OrderStatus": OrderStatus, "MarketStatus": MarketStatus, "Liquidity": Liquidity,
    "KycStatus": KycStatus, "DocumentType": DocumentType, "TxType": TxType,
    "TxStatus": TxStatus, "FiatMethod": FiatMethod, "Scope": Scope,
}

# ------------------------------------------------------------------ objects

#: dataclass -> the name of its schema in docs/openapi.yaml
SCHEMAS: dict[type, str] = {}


def _schema(name: str):
    def deco(cls):
        SCHEMAS[cls] = name
        return cls
    return deco


class BookLevel(NamedTuple):
    """One price level, ``[price, quantity]`` on the wire."""
    price: Decimal
    quantity: Decimal


def _masked(*secret_fields: str):
    """Give a dataclass a repr (and so str) that hides ``secret_fields``:
    a set one shows as ``'<hidden>'``, an absent one as None, so printing or
    logging the object never leaks a token or a key but still tells whether
    one came back. The value itself is read as usual (``key.secret``)."""
    def deco(cls):
        names = [f.name for f in dataclasses.fields(cls)]

        def __repr__(self) -> str:
            parts = []
            for n in names:
                v = getattr(self, n)
                shown = "'<hidden>'" if n in secret_fields and v is not None else repr(v)
                parts.append(f"{n}={shown}")
            return f"{type(self).__qualname__}({', '.join(parts)})"

        cls.__repr__ = __repr__
        return cls
    return deco


@_schema("Token")
@_masked("access_token", "refresh_token")
@_dc
class Token:
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    refresh_expires_in: int


@_schema("TotpSetup")
@_masked("secret", "otpauth_uri")
@_dc
class TotpSetup:
    secret: str
    otpauth_uri: str


@_schema("ApiKey")
@_masked("secret")
@_dc
class ApiKey:
    id: str
    label: str
    scopes: tuple[Scope, ...]
    created_at: int
    secret: Optional[str] = None
    last_used_at: Optional[int] = None


@_schema("Profile")
@_dc
class Profile:
    id: str
    email: str
    kyc_status: KycStatus
    totp_enabled: bool
    created_at: int
    full_name: Optional[str] = None
    country: Optional[str] = None
    phone: Optional[str] = None


@_schema("Kyc")
@_dc
class Kyc:
    status: KycStatus
    updated_at: int
    reason: Optional[str] = None


@_schema("KycDocument")
@_dc
class KycDocument:
    id: str
    document_type: DocumentType
    status: KycStatus
    size_bytes: int
    created_at: int


@_schema("Market")
@_dc
class Market:
    pair: str
    base: str
    quote: str
    tick_size: Decimal
    lot_size: Decimal
    min_notional: Decimal
    status: MarketStatus


@_schema("Ticker")
@_dc
class Ticker:
    pair: str
    volume_24h: Decimal
    seq: int
    ts: int
    bid: Optional[Decimal] = None
    ask: Optional[Decimal] = None
    last: Optional[Decimal] = None


@_schema("OrderBook")
@_dc
class OrderBook:
    pair: str
    seq: int
    bids: tuple[BookLevel, ...]
    asks: tuple[BookLevel, ...]
    checksum: int
    ts: int


@_schema("Trade")
@_dc
class Trade:
    id: str
    pair: str
    price: Decimal
    quantity: Decimal
    side: Side
    ts: int


@_schema("ServerTime")
@_dc
class ServerTime:
    server_time: int


@_schema("Order")
@_dc
class Order:
    id: str
    pair: str
    side: Side
    type: OrderType
    quantity: Decimal
    filled_quantity: Decimal
    time_in_force: TimeInForce
    status: OrderStatus
    created_at: int
    updated_at: int
    client_order_id: Optional[str] = None
    price: Optional[Decimal] = None
    average_price: Optional[Decimal] = None
    post_only: bool = False


@_schema("OrderList")
@_dc
class OrderList:
    """One page of orders; pass ``next_cursor`` as ``cursor`` for the next."""
    orders: tuple[Order, ...]
    next_cursor: Optional[str] = None


@_schema("CancelResult")
@_dc
class CancelResult:
    cancelled: tuple[str, ...]


@_schema("Fill")
@_dc
class Fill:
    id: str
    order_id: str
    pair: str
    side: Side
    price: Decimal
    quantity: Decimal
    fee: Decimal
    fee_asset: str
    liquidity: Liquidity
    ts: int


@_schema("FillList")
@_dc
class FillList:
    fills: tuple[Fill, ...]
    next_cursor: Optional[str] = None


@_schema("Balance")
@_dc
class Balance:
    asset: str
    available: Decimal
    locked: Decimal
    total: Decimal


@_schema("DepositAddress")
@_dc
class DepositAddress:
    asset: str
    network: str
    address: str
    memo: Optional[str] = None


@_schema("WalletTx")
@_dc
class WalletTx:
    id: str
    asset: str
    type: TxType
    amount: Decimal
    fee: Decimal
    status: TxStatus
    created_at: int
    updated_at: int
    address: Optional[str] = None
    network: Optional[str] = None
    tx_hash: Optional[str] = None


@_schema("WalletTxList")
@_dc
class WalletTxList:
    transactions: tuple[WalletTx, ...]
    next_cursor: Optional[str] = None


@_schema("FiatTx")
@_dc
class FiatTx:
    id: str
    currency: str
    type: TxType
    amount: Decimal
    fee: Decimal
    status: TxStatus
    method: FiatMethod
    reference: str
    created_at: int
    updated_at: int


@_schema("FiatTxList")
@_dc
class FiatTxList:
    transactions: tuple[FiatTx, ...]
    next_cursor: Optional[str] = None


@_schema("Health")
@_dc
class Health:
    status: str
    store: str
    version: str


#: list schemas the client unwraps into a plain tuple: schema -> (member, item class)
UNWRAPPED: dict[str, tuple[str, type]] = {
    "ApiKeyList": ("api_keys", ApiKey),
    "MarketList": ("markets", Market),
    "TradeList": ("trades", Trade),
    "BalanceList": ("balances", Balance),
}

# --------------------------------------------------------- stream objects


@_dc
class BookUpdate:
    """A consistent change of a local book (``book:{pair}``), after it was
    applied: the levels that changed (every level for a snapshot), best first;
    a quantity of 0 means the level was removed."""
    pair: str
    seq: int
    snapshot: bool
    bids: tuple[BookLevel, ...]
    asks: tuple[BookLevel, ...]
    checksum: int


@_dc
class StateEvent:
    """A lifecycle change of a stream (``nax_stream_event``)."""
    state: str  #: CONNECTING, LIVE, STALE, RESYNCING, RECONNECTING or CLOSED
    reason: str  #: e.g. "subscribed", "seq_gap", "stopped" (nax_stream_reason_name)
    channel: Optional[str]  #: the channel concerned, None for the whole connection
    message: str
    error: int  #: the nax error code behind the change, 0 when none
    attempt: int = 0
    delay_ms: int = 0
    close_code: int = 0


@_dc
class BookTop:
    """Best bid and ask of a local book (``nax_stream_book_top``)."""
    seq: int
    live: bool
    bid: Optional[BookLevel]
    ask: Optional[BookLevel]
    bid_levels: int
    ask_levels: int


@_dc
class StreamStats:
    messages: int
    bytes: int
    connects: int
    resyncs: int
    gaps: int
    checksum_mismatches: int
    lagging: int
    catchup_events: int


@_dc
class BreakerStatus:
    state: str  #: "closed", "open" or "half_open"
    calls: int
    failures: int
    slow: int
    open_for_ms: int
    opened_total: int


# -------------------------------------------------------------- converters
# Built once per class from its type hints; the hot path only runs the
# prepared (name, converter) pairs.

Converter = Optional[Callable[[Any], Any]]


def _level(v):
    return BookLevel(Decimal(v[0]), Decimal(v[1]))


def _converter(tp) -> Converter:
    origin = typing.get_origin(tp)
    if origin is typing.Union:
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return _converter(inner)
    if origin is tuple:
        item = _converter(typing.get_args(tp)[0])
        if item is None:
            return tuple
        return lambda v, _c=item: tuple(map(_c, v))
    if tp is Decimal:
        return Decimal
    if tp is BookLevel:
        return _level
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp
    if dataclasses.is_dataclass(tp):
        return builder(tp)
    if tp in (str, int, bool):
        return None
    raise TypeError(f"no converter for {tp!r}")


_BUILDERS: dict[type, Callable[[dict], Any]] = {}
_new = object.__new__


def slot_setters(cls: type) -> list[tuple[str, Any]]:
    """(field, setter) for each field of a frozen, slotted dataclass: the slot
    descriptors' __set__. Filling a new object through them is what the
    generated __init__ ends up doing (through object.__setattr__, as the
    class is frozen), at a third of the cost of a keyword call."""
    out = []
    for f in dataclasses.fields(cls):
        slot = cls.__dict__.get(f.name)
        if not isinstance(slot, types.MemberDescriptorType):
            raise TypeError(f"{cls.__name__}.{f.name} is not a slot")
        out.append((f.name, slot.__set__))
    return out


def builder(cls: type) -> Callable[[dict], Any]:
    """A function that makes ``cls`` from a decoded JSON object.

    Generated once per class as straight-line code (one ``d.get`` and at most
    one conversion per field), since it runs on every call's result."""
    b = _BUILDERS.get(cls)
    if b is not None:
        return b
    hints = typing.get_type_hints(cls, vars(sys.modules[__name__]))
    env: dict[str, Any] = {"_cls": cls, "_new": _new}
    lines = ["def build(d):", "    g = d.get", "    o = _new(_cls)"]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for i, (name, setter) in enumerate(slot_setters(cls)):
        f = fields[name]
        default = f.default if f.default is not dataclasses.MISSING else None
        conv = _converter(hints[name])
        env[f"_d{i}"], env[f"_s{i}"] = default, setter
        if conv is None:
            lines.append(f"    _s{i}(o, g({name!r}, _d{i}))")
        else:
            env[f"_c{i}"] = conv
            lines.append(f"    v = g({name!r})")
            lines.append(f"    _s{i}(o, _d{i} if v is None else _c{i}(v))")
    lines.append("    return o")
    exec("\n".join(lines), env)  # noqa: S102 - our own field names only
    build = env["build"]
    build.__qualname__ = f"build_{cls.__name__}"
    _BUILDERS[cls] = build
    return build


for _cls in SCHEMAS:
    builder(_cls)

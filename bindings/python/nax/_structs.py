"""Hot results read straight from libnax's structs.

The general path turns a result object into JSON with ``nax_encode`` and
parses it (:mod:`nax._core`). For the results a bot asks for on every tick
(tickers, books, trades, orders, fills, balances, markets), REST or stream,
that round trip was most of what the binding added to a call, so these are
read here from ctypes mirrors of their C structs instead. The mirrors follow
include/nax/types.h (tests/test_abi.py checks every offset and every enum
number against the headers), and structs only ever grow at the end, so a
newer libnax is read correctly too. tests/test_structs.py checks that both
paths give the same objects.

Decimals are built from the coefficient and scale of the ``nax_decimal``,
exactly: the same digits and exponent the JSON text would give.
"""

from __future__ import annotations

import struct
import typing
from ctypes import (POINTER, Structure, _Pointer, c_char, c_char_p, c_int, c_int64, c_size_t,
                    c_uint32, c_uint64, c_void_p, sizeof)
from decimal import Context, Decimal
from typing import Any, Callable, Optional

from . import models
from ._lib import BookLevel as BookLevel_, Decimal_
from .models import (Balance, BookLevel, CancelResult, Fill, FillList, Liquidity, Market,
                     MarketStatus, Order, OrderBook, OrderList, OrderStatus, OrderType,
                     ServerTime, Side, Ticker, TimeInForce, Trade, slot_setters)

# ------------------------------------------------------------------ mirrors
# Member names are the C names, which are the models' field names.

_DP = POINTER(Decimal_)  # an optional decimal: NULL when absent


class Ticker_(Structure):
    _fields_ = [("struct_size", c_size_t), ("pair", c_char_p), ("bid", _DP), ("ask", _DP),
                ("last", _DP), ("volume_24h", Decimal_), ("seq", c_uint64), ("ts", c_int64)]


class OrderBook_(Structure):
    _fields_ = [("struct_size", c_size_t), ("pair", c_char_p), ("seq", c_uint64),
                ("bids", POINTER(BookLevel_)), ("bids_count", c_size_t),
                ("asks", POINTER(BookLevel_)), ("asks_count", c_size_t),
                ("checksum", c_uint32), ("ts", c_int64)]


class Trade_(Structure):
    _fields_ = [("struct_size", c_size_t), ("id", c_char_p), ("pair", c_char_p),
                ("price", Decimal_), ("quantity", Decimal_), ("side", c_int), ("ts", c_int64)]


class TradeList_(Structure):
    _fields_ = [("struct_size", c_size_t), ("trades", POINTER(POINTER(Trade_))),
                ("trades_count", c_size_t)]


class ServerTime_(Structure):
    _fields_ = [("struct_size", c_size_t), ("server_time", c_int64)]


class Market_(Structure):
    _fields_ = [("struct_size", c_size_t), ("pair", c_char_p), ("base", c_char_p),
                ("quote", c_char_p), ("tick_size", Decimal_), ("lot_size", Decimal_),
                ("min_notional", Decimal_), ("status", c_int)]


class MarketList_(Structure):
    _fields_ = [("struct_size", c_size_t), ("markets", POINTER(POINTER(Market_))),
                ("markets_count", c_size_t)]


class Order_(Structure):
    _fields_ = [("struct_size", c_size_t), ("id", c_char_p), ("client_order_id", c_char_p),
                ("pair", c_char_p), ("side", c_int), ("type", c_int), ("price", _DP),
                ("quantity", Decimal_), ("filled_quantity", Decimal_),
                ("average_price", _DP), ("time_in_force", c_int), ("post_only", c_int),
                ("status", c_int), ("created_at", c_int64), ("updated_at", c_int64)]


class OrderList_(Structure):
    _fields_ = [("struct_size", c_size_t), ("orders", POINTER(POINTER(Order_))),
                ("orders_count", c_size_t), ("next_cursor", c_char_p)]


class CancelResult_(Structure):
    _fields_ = [("struct_size", c_size_t), ("cancelled", POINTER(c_char_p)),
                ("cancelled_count", c_size_t)]


class Fill_(Structure):
    _fields_ = [("struct_size", c_size_t), ("id", c_char_p), ("order_id", c_char_p),
                ("pair", c_char_p), ("side", c_int), ("price", Decimal_),
                ("quantity", Decimal_), ("fee", Decimal_), ("fee_asset", c_char_p),
                ("liquidity", c_int), ("ts", c_int64)]


class FillList_(Structure):
    _fields_ = [("struct_size", c_size_t), ("fills", POINTER(POINTER(Fill_))),
                ("fills_count", c_size_t), ("next_cursor", c_char_p)]


class Balance_(Structure):
    _fields_ = [("struct_size", c_size_t), ("asset", c_char_p), ("available", Decimal_),
                ("locked", Decimal_), ("total", Decimal_)]


class BalanceList_(Structure):
    _fields_ = [("struct_size", c_size_t), ("balances", POINTER(POINTER(Balance_))),
                ("balances_count", c_size_t)]


#: C struct name -> mirror (the layout test walks this)
MIRRORS: dict[str, type] = {
    "nax_ticker": Ticker_, "nax_order_book": OrderBook_, "nax_trade": Trade_,
    "nax_trade_list": TradeList_, "nax_server_time": ServerTime_, "nax_market": Market_,
    "nax_market_list": MarketList_, "nax_order": Order_, "nax_order_list": OrderList_,
    "nax_cancel_result": CancelResult_, "nax_fill": Fill_, "nax_fill_list": FillList_,
    "nax_balance": Balance_, "nax_balance_list": BalanceList_,
}

#: model -> its mirror
_MIRROR_OF: dict[type, type] = {
    Ticker: Ticker_, OrderBook: OrderBook_, Trade: Trade_, ServerTime: ServerTime_,
    Market: Market_, Order: Order_, OrderList: OrderList_, CancelResult: CancelResult_,
    Fill: Fill_, FillList: FillList_, Balance: Balance_,
}

#: enum -> (C constant prefix, {C number: member}); numbers from include/nax/types.h
ENUMS: dict[type, tuple[str, dict[int, Any]]] = {
    Side: ("NAX_SIDE_", {1: Side.BUY, 2: Side.SELL}),
    OrderType: ("NAX_ORDER_TYPE_", {1: OrderType.LIMIT, 2: OrderType.MARKET}),
    TimeInForce: ("NAX_TIF_", {1: TimeInForce.GTC, 2: TimeInForce.IOC, 3: TimeInForce.FOK}),
    OrderStatus: ("NAX_ORDER_STATUS_", {1: OrderStatus.OPEN, 2: OrderStatus.PARTIALLY_FILLED,
                                        3: OrderStatus.FILLED, 4: OrderStatus.CANCELLED,
                                        5: OrderStatus.REJECTED}),
    MarketStatus: ("NAX_MARKET_STATUS_", {1: MarketStatus.ACTIVE, 2: MarketStatus.HALTED,
                                          3: MarketStatus.POST_ONLY}),
    Liquidity: ("NAX_LIQUIDITY_", {1: Liquidity.MAKER, 2: Liquidity.TAKER}),
}

# ----------------------------------------------------------------- decimals
# A nax_decimal is read with one struct unpack (coefficient halves, scale,
# sign); the Decimal is the coefficient times 10^-scale under a context wide
# enough for any coefficient (at most 38 digits), so it is exact: the same
# digits and exponent as the JSON text, trailing zeros included.

_EXACT = Context(prec=60)
_mul = _EXACT.multiply
_POW = tuple(Decimal(f"1E-{i}") for i in range(256))  # any uint8 scale
_DEC = "QQBB6x"
_unpack_dec = struct.Struct("=" + _DEC).unpack_from
_levels_iter = struct.Struct("=" + _DEC * 2).iter_unpack
_LEVEL_SIZE = sizeof(BookLevel_)
_dec_at = Decimal_.from_address
_PTR = "Q" if sizeof(c_void_p) == 8 else "I"
_POINTER_SIZE = sizeof(c_void_p)
_pointers_iter = struct.Struct("=" + _PTR).iter_unpack


def _big(lo: int, hi: int, scale: int, negative: int) -> Decimal:
    c = (hi << 64) | lo
    return _mul(-c if negative else c, _POW[scale])


def dec(d) -> Decimal:
    """The Decimal of a nax_decimal (a Decimal_ or any buffer holding one)."""
    lo, hi, sc, ng = _unpack_dec(d)
    return _mul(lo, _POW[sc]) if not (hi or ng) else _big(lo, hi, sc, ng)


def level(lv: BookLevel_) -> BookLevel:
    return BookLevel(dec(lv.price), dec(lv.quantity))


def _span(a: int, size: int) -> memoryview:
    """``size`` bytes at address ``a``, through a view of a power-of-two size:
    an array type per exact length would stay in ctypes' type cache for
    every length ever seen."""
    return memoryview((c_char * (1 << size.bit_length())).from_address(a))[:size]


def levels(a: Optional[int], n: int) -> tuple:
    """BookLevels from ``n`` nax_book_level structs at address ``a``."""
    if not n:
        return ()
    out = []
    for plo, phi, psc, png, qlo, qhi, qsc, qng in _levels_iter(_span(a, n * _LEVEL_SIZE)):
        out.append(BookLevel(
            _mul(plo, _POW[psc]) if not (phi or png) else _big(plo, phi, psc, png),
            _mul(qlo, _POW[qsc]) if not (qhi or qng) else _big(qlo, qhi, qsc, qng)))
    return tuple(out)


def _addresses(a: int, n: int) -> list:
    """The ``n`` pointers of a pointer array at address ``a``."""
    return [x for (x,) in _pointers_iter(_span(a, n * _POINTER_SIZE))] if n else []


def _strings(a: int, n: int) -> tuple:
    return tuple([c_char_p(x).value.decode() for x in _addresses(a, n)])


def _enum_table(cls: type) -> tuple:
    """C number -> member, index 0 (absent) -> None, as the JSON path gives."""
    table = ENUMS[cls][1]
    return tuple(table.get(i) for i in range(max(table) + 1))


# ------------------------------------------------------------------ readers
# Each reader is generated once per class as straight-line code: the
# mirror's numbers in one struct unpack, strings through ctypes, and the
# result built as an instance of a twin class, a plain class with the same
# slots, then handed its real class. Storing into slots is the interpreter's
# fastest path, while a frozen dataclass only takes stores through
# object.__setattr__ or the slot descriptors (a sixth of a ticker's cost).
# Python checks at each __class__ assignment that the two layouts agree;
# where they might not (twin() says so), the reader sets slots one by one.

_new = object.__new__
_READERS: dict[type, Callable[[int], Any]] = {}
_INT_CODES = {c_int: "i", c_uint32: "I", c_int64: "q", c_uint64: "Q"}
_SIZE = "Q" if sizeof(c_size_t) == 8 else "I"


def _code(ctype) -> tuple[str, int]:
    """struct code of a mirror member and how many values it unpacks to."""
    if ctype is Decimal_:
        return _DEC, 4
    if ctype in _INT_CODES:
        return _INT_CODES[ctype], 1
    if ctype is c_size_t:
        return _SIZE, 1
    if ctype is c_char_p or issubclass(ctype, _Pointer):
        return _PTR, 1
    raise TypeError(f"no struct code for {ctype!r}")


def _unpacker(mirror: type, wanted: set) -> tuple[Callable, list[str]]:
    """One struct unpack of the ``wanted`` members of ``mirror`` (padding
    from the mirror's own offsets): the function and the variable names."""
    fmt, pos, names = "=", 0, []
    last = max(getattr(mirror, n).offset for n in wanted)
    for name, ctype in mirror._fields_:
        field = getattr(mirror, name)
        if field.offset > last:
            break
        fmt += "x" * (field.offset - pos)
        if name in wanted:
            code, count = _code(ctype)
            fmt += code
            names += [f"f_{name}_{k}" for k in range(count)] if count > 1 else [f"f_{name}"]
        else:
            fmt += "x" * field.size
        pos = field.offset + field.size
    unpack = struct.Struct(fmt).unpack_from
    return unpack, names


def _conversion(tp, name: str, ctype, env: dict, i: int) -> tuple[str, bool, list[str]]:
    """Python source of the value of field ``name`` (type ``tp``), whether
    it comes from the unpacked numbers (else from the mirror object ``s``),
    and the statements to run first."""
    origin = typing.get_origin(tp)
    optional = origin is typing.Union
    if optional:
        (tp,) = [a for a in typing.get_args(tp) if a is not type(None)]
        origin = typing.get_origin(tp)
    if ctype is c_char_p:
        if optional:
            return f"None if (v := s.{name}) is None else v.decode()", False, []
        return f"s.{name}.decode()", False, []
    f = f"f_{name}"  # the unpacked value(s)
    if tp is Decimal and ctype is Decimal_:
        lo, hi, sc, ng = (f"{f}_{k}" for k in range(4))
        return f"_mul({lo}, _POW[{sc}]) if not ({hi} or {ng}) else _big({lo}, {hi}, {sc}, {ng})", \
            True, []
    if tp is Decimal and ctype is _DP:  # inlined: three of the four decimals of a ticker
        return "v", True, [
            f"    if {f}:", f"        lo, hi, sc, ng = _unpack_dec(_dec_at({f}))",
            "        v = _mul(lo, _POW[sc]) if not (hi or ng) else _big(lo, hi, sc, ng)",
            "    else:", "        v = None"]
    if isinstance(tp, type) and tp in ENUMS and ctype is c_int:
        env[f"_e{i}"] = _enum_table(tp)
        return f"_e{i}[{f}]", True, []
    if tp is bool and ctype is c_int:
        return f"{f} != 0", True, []
    if tp is int and ctype in _INT_CODES:
        return f, True, []
    if origin is tuple:
        item = typing.get_args(tp)[0]
        n = f"{f}_count"
        if item is str and ctype is POINTER(c_char_p):
            return f"_strings({f}, {n})", True, []
        if item is BookLevel and ctype is POINTER(BookLevel_):
            return f"_levels({f}, {n})", True, []
        if issubclass(ctype, _Pointer) and getattr(ctype._type_, "_type_", None) is \
                _MIRROR_OF.get(item):
            env[f"_r{i}"] = reader(item)
            return f"tuple([_r{i}(a) for a in _addresses({f}, {n})])", True, []
    raise TypeError(f"no struct conversion for {name}: {tp!r} from {ctype!r}")


def twin(cls: type) -> Optional[type]:
    """A plain class laid out like the slotted dataclass ``cls``, whose
    instances may become ``cls`` instances; None if Python refuses."""
    t = type(f"_{cls.__name__}Twin", (object,), {"__slots__": cls.__slots__})
    try:
        _new(t).__class__ = cls
    except TypeError:
        return None
    return t


def _generate(cls: type, use_twin: bool = True) -> Callable[[int], Any]:
    mirror = _MIRROR_OF[cls]
    ctypes_of = dict(mirror._fields_)
    hints = typing.get_type_hints(cls, vars(models))
    env: dict[str, Any] = {"_cls": cls, "_new": _new, "_at": mirror.from_address, "_mul": _mul,
                           "_POW": _POW, "_big": _big, "_unpack_dec": _unpack_dec,
                           "_dec_at": _dec_at, "_levels": levels, "_addresses": _addresses,
                           "_strings": _strings}
    tw = twin(cls) if use_twin else None
    body, wanted = [], set()
    for i, (name, setter) in enumerate(slot_setters(cls)):
        env[f"_s{i}"] = setter
        expr, numeric, pre = _conversion(hints[name], name, ctypes_of[name], env, i)
        body += pre
        if numeric:
            wanted.add(name)
            if f"{name}_count" in ctypes_of:
                wanted.add(f"{name}_count")
        body.append(f"    o.{name} = {expr}" if tw else f"    _s{i}(o, {expr})")
    lines = ["def read(p):", "    s = _at(p)"]
    if wanted:
        env["_unpack"], names = _unpacker(mirror, wanted)
        lines.append(f"    {', '.join(names)}, = _unpack(s)")
    if tw:
        env["_twin"] = tw
        lines += ["    o = _new(_twin)"] + body + ["    o.__class__ = _cls", "    return o"]
    else:
        lines += ["    o = _new(_cls)"] + body + ["    return o"]
    exec("\n".join(lines), env)  # noqa: S102 - our own field names only
    read = env["read"]
    read.__qualname__ = f"read_{cls.__name__}"
    return read


def reader(cls: type) -> Callable[[int], Any]:
    """A function making ``cls`` from the address of its C struct."""
    r = _READERS.get(cls)
    if r is None:
        r = _READERS[cls] = _generate(cls)
    return r


def list_reader(mirror: type, member: str, cls: type) -> Callable[[int], tuple]:
    """A function making a tuple of ``cls`` from the address of a list struct
    (``member`` and ``member_count``): the lists the client unwraps."""
    unpack, _ = _unpacker(mirror, {member, member + "_count"})
    at, item = mirror.from_address, reader(cls)

    def read(p):
        a, n = unpack(at(p))
        return tuple([item(x) for x in _addresses(a, n)])

    return read


def has_reader(cls: type) -> bool:
    return cls in _MIRROR_OF

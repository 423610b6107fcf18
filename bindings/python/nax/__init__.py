"""nax: the NA-X exchange SDK for Python, a thin layer over libnax (ctypes).

    import nax

    with nax.Client("http://127.0.0.1:8080", api_key=KEY, api_secret=SECRET) as c:
        t = c.ticker("BTC-AUD")                    # t.bid is a decimal.Decimal
        o = c.place_order("BTC-AUD", "buy", "0.01000000", "64123.45")

    with nax.Stream("book:BTC-AUD", client=c) as s:
        for event in s:                            # or callbacks, or async for
            ...

libnax is found through NAX_LIBRARY, then the install prefixes, then a build
tree next to the source (see README.md). All logic lives in the C library:
requests and results cross as JSON through its codec, money as Decimal.
"""

from . import _lib
from .client import Client, Pager
from .errors import (ArgumentError, AuthError, BadRequestError, BufferSizeError, CallbackError,
                     CancelledError, CircuitOpenError, ConflictError, DataError,
                     DecimalOverflowError, DivisionByZeroError, ForbiddenError, HTTPError,
                     InvalidArgumentError, InvalidStateError, JSONError, LimitError,
                     LocalIOError, LocalSystemError, NaxError, NetworkError, NotFoundError,
                     OutcomeUnknownError, OutOfMemoryError, ParseError, PayloadTooLargeError,
                     RateLimitError, ReentrancyError, RetryBudgetError, SchemaError,
                     ServerError, StateError, TimedOutError, TLSError, UnavailableError,
                     VersionError, exception_class)
from .models import (ApiKey, Balance, BookLevel, BookTop, BookUpdate, BreakerStatus,
                     CancelResult, DepositAddress, DocumentType, FiatMethod, FiatTx, FiatTxList,
                     Fill, FillList, Health, Kyc, KycDocument, KycStatus, Liquidity, Market,
                     MarketStatus, Order, OrderBook, OrderList, OrderStatus, OrderType, Profile,
                     Scope, ServerTime, Side, StateEvent, StreamStats, Ticker, TimeInForce,
                     Token, TotpSetup, Trade, TxStatus, TxType, WalletTx, WalletTxList)
from .stream import Event, Flags, Stream
from . import webhook

__version__ = "0.1.0"

#: the loaded library's path and version
library_path: str = _lib.path
library_version: str = _lib.nax_version_string().decode()

__all__ = [
    "Client", "Pager", "Stream", "Event", "Flags", "webhook", "library_path",
    "library_version",
    # errors
    "NaxError", "ArgumentError", "InvalidArgumentError", "VersionError", "BufferSizeError",
    "OutOfMemoryError", "DataError", "DecimalOverflowError", "DivisionByZeroError",
    "ParseError", "JSONError", "SchemaError", "NetworkError", "TimedOutError", "TLSError",
    "OutcomeUnknownError", "HTTPError", "BadRequestError", "AuthError", "ForbiddenError",
    "NotFoundError", "ConflictError", "PayloadTooLargeError", "RateLimitError", "ServerError",
    "UnavailableError", "StateError", "InvalidStateError", "LimitError", "ReentrancyError",
    "CircuitOpenError", "RetryBudgetError", "CancelledError", "CallbackError",
    "LocalSystemError", "LocalIOError", "exception_class",
    # models
    "ApiKey", "Balance", "BookLevel", "BookTop", "BookUpdate", "BreakerStatus", "CancelResult",
    "DepositAddress", "DocumentType", "FiatMethod", "FiatTx", "FiatTxList", "Fill", "FillList",
    "Health", "Kyc", "KycDocument", "KycStatus", "Liquidity", "Market", "MarketStatus", "Order",
    "OrderBook", "OrderList", "OrderStatus", "OrderType", "Profile", "Scope", "ServerTime",
    "Side", "StateEvent", "StreamStats", "Ticker", "TimeInForce", "Token", "TotpSetup", "Trade",
    "TxStatus", "TxType", "WalletTx", "WalletTxList",
]

"""The exception hierarchy, mirroring nax/error.h.

One class per error class of libnax (``nax_error_class``), and under it one
class per error code (``nax_error_code``)::

    NaxError
    ├── ArgumentError (also ValueError)   InvalidArgumentError, VersionError, BufferSizeError
    ├── OutOfMemoryError
    ├── DataError (also ValueError)       DecimalOverflowError, DivisionByZeroError,
    │                                     ParseError, JSONError, SchemaError
    ├── NetworkError                      TimedOutError, TLSError, OutcomeUnknownError
    ├── HTTPError                         BadRequestError (400, 422), AuthError (401),
    │                                     ForbiddenError (403), NotFoundError (404),
    │                                     ConflictError (409), PayloadTooLargeError (413),
    │                                     RateLimitError (429), ServerError (500, 502, 504),
    │                                     UnavailableError (503)
    ├── StateError                        InvalidStateError, LimitError, ReentrancyError,
    │                                     CircuitOpenError, RetryBudgetError, CancelledError
    ├── CallbackError                     (a callback stopped the operation)
    └── LocalSystemError                  LocalIOError

Every exception carries what ``nax_error_last()`` said on the failing thread.
"""

from __future__ import annotations

from typing import Optional

from . import _lib


class NaxError(Exception):
    """A libnax call failed.

    Attributes:
        nax_code: the ``nax_error_code`` number (negative), e.g. -34.
        message: libnax's human-readable message (never holds secrets).
        http_status: the HTTP status of the response, 0 when none arrived.
        code: the server's error code, e.g. ``"insufficient_funds"``, or None.
        field: the offending field or JSON path, e.g. ``"price"``, or None.
        request_id: the request id of the failed call, or None.
        transient: True when the same call may succeed later.
        retry_after_ms: the server's Retry-After in ms when the call gave up
            without waiting that long, else 0.
    """

    nax_code: int = -1

    def __init__(self, message: str = "", *, nax_code: Optional[int] = None, http_status: int = 0,
                 code: Optional[str] = None, field: Optional[str] = None,
                 request_id: Optional[str] = None, transient: bool = False,
                 retry_after_ms: int = 0):
        super().__init__(message)
        if nax_code is not None:
            self.nax_code = nax_code
        self.message = message
        self.http_status = http_status
        self.code = code
        self.field = field
        self.request_id = request_id
        self.transient = transient
        self.retry_after_ms = retry_after_ms

    @property
    def nax_name(self) -> str:
        """libnax's short description of the code, e.g. ``"not found"``."""
        return _lib.nax_strerror(self.nax_code).decode()

    def __str__(self) -> str:
        parts = [self.message or self.nax_name]
        detail = []
        if self.http_status:
            detail.append(f"HTTP {self.http_status}")
        if self.code:
            detail.append(self.code)
        if self.field:
            detail.append(f"field {self.field}")
        if self.request_id:
            detail.append(f"request {self.request_id}")
        if detail:
            parts.append("(" + ", ".join(detail) + ")")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.message!r}, nax_code={self.nax_code}, "
                f"http_status={self.http_status}, code={self.code!r}, field={self.field!r}, "
                f"request_id={self.request_id!r})")


# ---- classes (nax_error_class)


class ArgumentError(NaxError, ValueError):
    """The caller passed something invalid (NAX_ERRCLASS_ARGUMENT)."""


class OutOfMemoryError(NaxError, MemoryError):
    """NAX_ENOMEM."""
    nax_code = -3


class DataError(NaxError, ValueError):
    """Input data is malformed: decimal, JSON, schema (NAX_ERRCLASS_DATA)."""


class NetworkError(NaxError):
    """Connecting, sending or receiving failed (NAX_ENETWORK; NAX_ERRCLASS_NETWORK)."""
    nax_code = -20


class HTTPError(NaxError):
    """The server answered with an error status (NAX_ERRCLASS_HTTP)."""
    nax_code = -30


class StateError(NaxError):
    """Wrong state, limits, breakers, budgets (NAX_ERRCLASS_STATE)."""


class CallbackError(NaxError):
    """A user callback stopped the operation (NAX_EUSER)."""
    nax_code = -13


class LocalSystemError(NaxError):
    """The local system failed (NAX_ERRCLASS_SYSTEM)."""


# ---- codes (nax_error_code)


class InvalidArgumentError(ArgumentError):
    """NAX_EINVAL: an argument is invalid; ``field`` names it."""
    nax_code = -2


class VersionError(ArgumentError):
    """NAX_EVERSION: unknown options version or struct size."""
    nax_code = -4


class BufferSizeError(ArgumentError):
    """NAX_EBUFSIZE."""
    nax_code = -6


class DecimalOverflowError(DataError):
    """NAX_EOVERFLOW: an exact result does not fit."""
    nax_code = -7


class DivisionByZeroError(DataError):
    """NAX_EDIVZERO."""
    nax_code = -8


class ParseError(DataError):
    """NAX_EPARSE: malformed text, e.g. not a decimal."""
    nax_code = -9


class JSONError(DataError):
    """NAX_EJSON: malformed JSON."""
    nax_code = -10


class SchemaError(DataError):
    """NAX_ESCHEMA: JSON that does not match the type; ``field`` names the path."""
    nax_code = -11


class TimedOutError(NetworkError):
    """NAX_ETIMEOUT: a timeout or deadline expired."""
    nax_code = -21


class TLSError(NetworkError):
    """NAX_ETLS."""
    nax_code = -22


class OutcomeUnknownError(NetworkError):
    """NAX_EOUTCOME_UNKNOWN: the request may or may not have taken effect;
    look it up (e.g. get_order_by_client_id) before repeating it."""
    nax_code = -44


class BadRequestError(HTTPError):
    """NAX_EBADREQUEST: the server rejected the request (400, 422)."""
    nax_code = -31


class AuthError(HTTPError):
    """NAX_EAUTH: authentication failed or expired (401)."""
    nax_code = -32


class ForbiddenError(HTTPError):
    """NAX_EFORBIDDEN (403)."""
    nax_code = -33


class NotFoundError(HTTPError):
    """NAX_ENOTFOUND (404)."""
    nax_code = -34


class ConflictError(HTTPError):
    """NAX_ECONFLICT (409): a duplicate or an in-flight key."""
    nax_code = -35


class PayloadTooLargeError(HTTPError):
    """NAX_ETOOLARGE (413)."""
    nax_code = -36


class RateLimitError(HTTPError):
    """NAX_ERATELIMIT (429, or the client-side limiter); see ``retry_after_ms``."""
    nax_code = -37


class ServerError(HTTPError):
    """NAX_ESERVER (500, 502, 504)."""
    nax_code = -38


class UnavailableError(HTTPError):
    """NAX_EUNAVAILABLE (503)."""
    nax_code = -39


class InvalidStateError(StateError):
    """NAX_ESTATE: the call is not valid in the current state."""
    nax_code = -5


class LimitError(StateError):
    """NAX_ELIMIT: a size, depth or count limit was exceeded."""
    nax_code = -12


class ReentrancyError(StateError):
    """NAX_ERECURSIVE: a handle was re-entered from its own callback."""
    nax_code = -14


class CircuitOpenError(StateError):
    """NAX_ECIRCUIT_OPEN: a circuit breaker is open; nothing was sent."""
    nax_code = -40


class RetryBudgetError(StateError):
    """NAX_ERETRY_BUDGET: the retry budget is spent."""
    nax_code = -41


class CancelledError(StateError):
    """NAX_ECANCELLED."""
    nax_code = -42


class LocalIOError(LocalSystemError):
    """NAX_EIO: local I/O failed."""
    nax_code = -43


_BY_CODE: dict[int, type[NaxError]] = {}
for _cls in list(globals().values()):
    if (isinstance(_cls, type) and issubclass(_cls, NaxError) and "nax_code" in _cls.__dict__):
        _BY_CODE[_cls.__dict__["nax_code"]] = _cls
_BY_CODE[-1] = StateError  # NAX_ERROR, "unspecified", is of the state class
_BY_CLASS: dict[int, type[NaxError]] = {1: ArgumentError, 2: OutOfMemoryError, 3: DataError,
                                        4: NetworkError, 5: HTTPError, 6: StateError,
                                        7: CallbackError, 8: LocalSystemError}


def exception_class(nax_code: int, klass: int = 0) -> type[NaxError]:
    """The exception class for a libnax error code (by class when the code is newer)."""
    return _BY_CODE.get(nax_code) or _BY_CLASS.get(klass, NaxError)


def _s(p: Optional[bytes]) -> Optional[str]:
    return p.decode("utf-8", "replace") if p else None


def from_last(rc: int) -> NaxError:
    """The exception for return code ``rc``, filled from this thread's
    nax_error_last(). Call it right after the failing call, on the same thread."""
    e = _lib.nax_error_last().contents
    if e.code != rc:  # the detail belongs to another failure: keep only the code
        return exception_class(rc)(_lib.nax_strerror(rc).decode(), nax_code=rc)
    return exception_class(rc, e.klass)(
        _s(e.message) or _lib.nax_strerror(rc).decode(), nax_code=rc,
        http_status=e.http_status, code=_s(e.server_code), field=_s(e.field),
        request_id=_s(e.request_id), transient=bool(e.transient),
        retry_after_ms=int(e.retry_after_ms))


def check(rc: int) -> None:
    if rc < 0:
        raise from_last(rc)

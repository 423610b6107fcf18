'use strict';
// Errors of the binding: every failure of a libnax call is a NaxError (or a
// subclass chosen by its code), carrying what nax_error_last() said.

const CODES = {
  0: 'NAX_OK',
  '-1': 'NAX_ERROR',
  '-2': 'NAX_EINVAL',
  '-3': 'NAX_ENOMEM',
  '-4': 'NAX_EVERSION',
  '-5': 'NAX_ESTATE',
  '-6': 'NAX_EBUFSIZE',
  '-7': 'NAX_EOVERFLOW',
  '-8': 'NAX_EDIVZERO',
  '-9': 'NAX_EPARSE',
  '-10': 'NAX_EJSON',
  '-11': 'NAX_ESCHEMA',
  '-12': 'NAX_ELIMIT',
  '-13': 'NAX_EUSER',
  '-14': 'NAX_ERECURSIVE',
  '-20': 'NAX_ENETWORK',
  '-21': 'NAX_ETIMEOUT',
  '-22': 'NAX_ETLS',
  '-30': 'NAX_EHTTP',
  '-31': 'NAX_EBADREQUEST',
  '-32': 'NAX_EAUTH',
  '-33': 'NAX_EFORBIDDEN',
  '-34': 'NAX_ENOTFOUND',
  '-35': 'NAX_ECONFLICT',
  '-36': 'NAX_ETOOLARGE',
  '-37': 'NAX_ERATELIMIT',
  '-38': 'NAX_ESERVER',
  '-39': 'NAX_EUNAVAILABLE',
  '-40': 'NAX_ECIRCUIT_OPEN',
  '-41': 'NAX_ERETRY_BUDGET',
  '-42': 'NAX_ECANCELLED',
  '-43': 'NAX_EIO',
  '-44': 'NAX_EOUTCOME_UNKNOWN',
};

/** The name of a nax error code, e.g. codeName(-34) === 'NAX_ENOTFOUND'. */
function codeName(errno) {
  return CODES[errno] || 'NAX_ERROR';
}

class NaxError extends Error {
  constructor(message, info = {}) {
    super(message);
    this.name = new.target.name;
    /** The nax code name, e.g. 'NAX_ENOTFOUND'. */
    this.code = info.code || 'NAX_ERROR';
    /** The numeric nax_error_code (negative). */
    this.errno = info.errno ?? -1;
    /** HTTP status of the response, 0 when none arrived. */
    this.httpStatus = info.httpStatus ?? 0;
    /** The server's error code, e.g. 'invalid_price', or null. */
    this.serverCode = info.serverCode || null;
    /** The offending field or JSON path, or null. */
    this.field = info.field || null;
    /** The request id of the failed call, for support, or null. */
    this.requestId = info.requestId || null;
    /** Whether trying again later may succeed. */
    this.transient = !!info.transient;
    /** The server's Retry-After in ms when the call gave up before it, else 0. */
    this.retryAfterMs = info.retryAfterMs ?? 0;
  }
}

/** A bad argument or request object (caught before anything was sent), or malformed data. */
class InvalidArgumentError extends NaxError {}
/** The server refused the request as invalid (400, 413, 422). */
class BadRequestError extends NaxError {}
/** Authentication failed or expired (401). */
class AuthenticationError extends NaxError {}
/** Authenticated but not allowed (403). */
class ForbiddenError extends NaxError {}
/** No such resource (404). */
class NotFoundError extends NaxError {}
/** Conflicting state: a duplicate, a key in flight (409). */
class ConflictError extends NaxError {}
/** Throttled (429) or the client-side limiter is empty. */
class RateLimitError extends NaxError {}
/** The server failed (5xx) or is unavailable. */
class ServerError extends NaxError {}
/** Connecting, sending or receiving failed. */
class NetworkError extends NaxError {}
/** A timeout or deadline expired. */
class TimeoutError extends NetworkError {}
/** A circuit breaker is open; nothing was sent. */
class CircuitOpenError extends NaxError {}
/** The request may or may not have taken effect: look it up before repeating it. */
class OutcomeUnknownError extends NaxError {}
/** The call is not valid now (a closed client or stream, no session). */
class StateError extends NaxError {}

const CLASS_OF = {
  NAX_EINVAL: InvalidArgumentError,
  NAX_EVERSION: InvalidArgumentError,
  NAX_EBUFSIZE: InvalidArgumentError,
  NAX_EOVERFLOW: InvalidArgumentError,
  NAX_EDIVZERO: InvalidArgumentError,
  NAX_EPARSE: InvalidArgumentError,
  NAX_EJSON: InvalidArgumentError,
  NAX_ESCHEMA: InvalidArgumentError,
  NAX_EBADREQUEST: BadRequestError,
  NAX_ETOOLARGE: BadRequestError,
  NAX_EAUTH: AuthenticationError,
  NAX_EFORBIDDEN: ForbiddenError,
  NAX_ENOTFOUND: NotFoundError,
  NAX_ECONFLICT: ConflictError,
  NAX_ERATELIMIT: RateLimitError,
  NAX_ESERVER: ServerError,
  NAX_EUNAVAILABLE: ServerError,
  NAX_ENETWORK: NetworkError,
  NAX_ETLS: NetworkError,
  NAX_ETIMEOUT: TimeoutError,
  NAX_ECIRCUIT_OPEN: CircuitOpenError,
  NAX_EOUTCOME_UNKNOWN: OutcomeUnknownError,
  NAX_ESTATE: StateError,
  NAX_ERECURSIVE: StateError,
};

// Called by the addon (positional, so the native side builds no object).
function fromNative(errno, message, httpStatus, serverCode, field, requestId, transient,
  retryAfterMs) {
  const code = codeName(errno);
  const Cls = CLASS_OF[code] || NaxError;
  return new Cls(message, {
    code, errno, httpStatus, serverCode, field, requestId, transient, retryAfterMs,
  });
}

module.exports = {
  codeName,
  fromNative,
  NaxError,
  InvalidArgumentError,
  BadRequestError,
  AuthenticationError,
  ForbiddenError,
  NotFoundError,
  ConflictError,
  RateLimitError,
  ServerError,
  NetworkError,
  TimeoutError,
  CircuitOpenError,
  OutcomeUnknownError,
  StateError,
};

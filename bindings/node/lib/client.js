'use strict';
// The REST client: one libnax client per Client; every method returns a
// Promise and runs the blocking C call on the addon's pool. Results are
// the contract's objects (snake_case members; money as decimal strings).

const binding = require('./native');
const OP = require('./ops');
const { Decimal } = require('./decimal');

const { call } = binding;

// Members each request object may have (snake_case, as in docs/openapi.yaml).
const MEMBERS = {
  register: ['email', 'password', 'full_name', 'country'],
  login: ['email', 'password', 'totp_code'],
  apiKey: ['label', 'scopes'],
  profile: ['full_name', 'country', 'phone'],
  kycDocument: ['document_type', 'file_name', 'content_type', 'content_base64'],
  order: ['pair', 'side', 'type', 'price', 'quantity', 'time_in_force', 'post_only',
    'client_order_id'],
  depositAddress: ['asset', 'network'],
  withdraw: ['asset', 'amount', 'address', 'network', 'memo', 'totp_code'],
  fiatDeposit: ['currency', 'amount', 'method'],
  fiatWithdraw: ['currency', 'amount', 'method', 'account_name', 'account_number', 'bank_code',
    'totp_code'],
  query: ['pair', 'status', 'side', 'client_order_id', 'asset', 'type', 'from_ms', 'to_ms',
    'limit', 'cursor'],
};
const ALLOWED = Object.fromEntries(Object.entries(MEMBERS).map(([k, v]) => [k, new Set(v)]));
const MONEY = new Set(['price', 'quantity', 'amount']);

function check(obj, kind) {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new TypeError(`${kind}: expected an object`);
  }
  const allowed = ALLOWED[kind];
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key)) {
      throw new TypeError(`${kind}: unknown member "${key}" (members are snake_case, as in ` +
        `the API contract: ${MEMBERS[kind].join(', ')})`);
    }
    if (MONEY.has(key) && typeof obj[key] === 'number') {
      throw new TypeError(`${kind}.${key} is a JS number; money is a decimal string or a ` +
        'nax.Decimal');
    }
  }
  return obj;
}

// The request as JSON text for the addon (Decimal writes itself as a string).
function body(obj, kind) {
  return JSON.stringify(check(obj, kind));
}

function query(q) {
  return q === undefined || q === null ? undefined : check(q, 'query');
}

function str(value, what) {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

// Every item of a list, page after page, following next_cursor.
async function* walk(h, op, q, key) {
  let page = { ...(query(q) || {}) };
  for (;;) {
    const res = await call(h, op, undefined, undefined, 0, page);
    yield* res[key];
    if (!res.next_cursor) return;
    page = { ...page, cursor: res.next_cursor };
  }
}

// A method that reports every failure, a bad argument included, as a
// rejected Promise rather than a synchronous throw.
function guard(fn) {
  return (a, b, c) => {
    try {
      return fn(a, b, c);
    } catch (e) {
      return Promise.reject(e);
    }
  };
}

function guardAll(methods) {
  for (const k of Object.keys(methods)) methods[k] = guard(methods[k]);
  return methods;
}

const GROUPS = { auth: 0, market_data: 1, trading: 2, funds: 3 };

class Client {
  /**
   * @param {object} options url (required), and at most one kind of
   *   credentials: apiKey + apiSecret, token, or email + password
   *   (+ totpSecret); see index.d.ts for the rest.
   */
  constructor(options = {}) {
    if (!options || typeof options.url !== 'string') {
      throw new TypeError('new Client({url, ...}): url is required');
    }
    const opts = { ...options };
    if (opts.userAgentSuffix === undefined) opts.userAgentSuffix = `nax-node/${binding.version()}`;
    if (opts.timeoutMs !== undefined && opts.requestTimeoutMs === undefined) {
      opts.requestTimeoutMs = opts.timeoutMs;
    }
    this._h = binding.clientNew(opts);
    this._closed = null;
    const h = this._h;

    this.auth = guardAll({
      register: (req) => call(h, OP.REGISTER, undefined, body(req, 'register')),
      login: (email, password, totp) => this.login(email, password, totp),
      refresh: () => call(h, OP.REFRESH),
      logout: () => call(h, OP.LOGOUT),
      totpEnable: () => call(h, OP.TOTP_ENABLE),
      totpConfirm: (code) => call(h, OP.TOTP_CONFIRM, str(code, 'code')),
      totpDisable: (code) => call(h, OP.TOTP_DISABLE, str(code, 'code')),
    });
    this.apiKeys = guardAll({
      create: (req) => call(h, OP.KEYS_CREATE, undefined, body(req, 'apiKey')),
      list: () => call(h, OP.KEYS_LIST),
      delete: (id) => call(h, OP.KEYS_DELETE, str(id, 'id')),
    });
    this.users = guardAll({
      profile: () => call(h, OP.PROFILE),
      updateProfile: (req) => call(h, OP.PROFILE_UPDATE, undefined, body(req, 'profile')),
      kycStatus: () => call(h, OP.KYC_STATUS),
      uploadKycDocument: (req) => call(h, OP.KYC_DOCUMENT, undefined, body(req, 'kycDocument')),
    });
    this.markets = guardAll({
      list: () => call(h, OP.MARKETS),
      get: (pair) => call(h, OP.MARKET_GET, str(pair, 'pair')),
      ticker: (pair) => call(h, OP.TICKER, pair),
      orderbook: (pair, depth = 0) => call(h, OP.ORDERBOOK, str(pair, 'pair'), undefined, depth),
      trades: (pair, limit = 0) => call(h, OP.TRADES, str(pair, 'pair'), undefined, limit),
      time: () => call(h, OP.TIME),
    });
    this.orders = guardAll({
      place: (req) => call(h, OP.ORDER_PLACE, undefined, body(req, 'order')),
      get: (id) => call(h, OP.ORDER_GET, str(id, 'id')),
      getByClientId: (cid) => call(h, OP.ORDER_BY_CLIENT_ID, str(cid, 'clientOrderId')),
      list: (q) => call(h, OP.ORDERS_LIST, undefined, undefined, 0, query(q)),
      cancel: (id) => call(h, OP.ORDER_CANCEL, str(id, 'id')),
      cancelAll: (pair) =>
        call(h, OP.ORDERS_CANCEL_ALL, pair === undefined ? undefined : str(pair, 'pair')),
      iterate: (q) => walk(h, OP.ORDERS_LIST, q, 'orders'),
    });
    this.trades = guardAll({
      history: (q) => call(h, OP.TRADES_HISTORY, undefined, undefined, 0, query(q)),
      iterate: (q) => walk(h, OP.TRADES_HISTORY, q, 'fills'),
    });
    this.wallets = guardAll({
      balances: () => call(h, OP.BALANCES),
      depositAddress: (req) =>
        call(h, OP.DEPOSIT_ADDRESS, undefined, body(req, 'depositAddress')),
      withdraw: (req) => call(h, OP.WITHDRAW, undefined, body(req, 'withdraw')),
      transactions: (q) => call(h, OP.WALLET_TXS, undefined, undefined, 0, query(q)),
      iterateTransactions: (q) => walk(h, OP.WALLET_TXS, q, 'transactions'),
    });
    this.fiat = guardAll({
      deposit: (req) => call(h, OP.FIAT_DEPOSIT, undefined, body(req, 'fiatDeposit')),
      withdraw: (req) => call(h, OP.FIAT_WITHDRAW, undefined, body(req, 'fiatWithdraw')),
      transactions: (q) => call(h, OP.FIAT_TXS, undefined, undefined, 0, query(q)),
      iterateTransactions: (q) => walk(h, OP.FIAT_TXS, q, 'transactions'),
    });
  }

  /** POST /v1/auth/login; the client keeps the session and refreshes it. */
  login(email, password, totp) {
    try {
      const req = { email: str(email, 'email'), password: str(password, 'password') };
      if (totp !== undefined && totp !== null) req.totp_code = str(totp, 'totp');
      return call(this._h, OP.LOGIN, undefined, JSON.stringify(req));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** GET /health. */
  health() {
    try {
      return call(this._h, OP.HEALTH);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Measures the server's clock offset now (GET /v1/time); resolves with it in ms. */
  syncClock() {
    try {
      return call(this._h, OP.SYNC_CLOCK);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The current clock-offset estimate (server minus local), in ms. */
  clockOffset() {
    return binding.clientClockOffset(this._h);
  }

  /** Replaces the session tokens (e.g. kept across processes). */
  setSession(accessToken, refreshToken = null, expiresInS = 0) {
    binding.clientSetSession(this._h, accessToken, refreshToken, expiresInS);
  }

  /** A breaker's state: group 'auth', 'market_data', 'trading' or 'funds'. */
  breakerStatus(group) {
    if (!(group in GROUPS)) throw new TypeError(`unknown endpoint group ${group}`);
    return binding.clientBreaker(this._h, GROUPS[group]);
  }

  /**
   * Refuses new calls at once and resolves when the calls in flight are done.
   * The C client is freed then, or when the last Stream using it closes.
   */
  close() {
    if (!this._closed) this._closed = binding.clientClose(this._h);
    return this._closed;
  }
}

module.exports = { Client, Decimal };

// Types of the `nax` package: the Node binding of libnax.
//
// Objects are the API contract's (docs/openapi.yaml, docs/asyncapi.yaml):
// snake_case members, optional members absent (undefined) when the server
// did not send them, timestamps in ms since the epoch, and money, prices and
// quantities as decimal strings exactly as the server wrote them
// ("0.00100000"), never JS numbers. Requests take a decimal string or a
// nax.Decimal wherever money goes; a JS number there is a TypeError.

import { EventEmitter } from 'node:events';

/** A decimal number as text: `-?(0|[1-9][0-9]*)(\.[0-9]{1,18})?`. */
export type DecimalString = string;
/** Money, a price or a quantity in a request. */
export type Money = DecimalString | Decimal;
/** A book level: [price, quantity]. */
export type BookLevel = [DecimalString, DecimalString];

export type Side = 'buy' | 'sell';
export type OrderType = 'limit' | 'market';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
export type OrderStatus = 'open' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected';
export type MarketStatus = 'active' | 'halted' | 'post_only';
export type Liquidity = 'maker' | 'taker';
export type KycStatus = 'unverified' | 'pending' | 'verified' | 'rejected';
export type DocumentType = 'passport' | 'drivers_licence' | 'national_id' | 'proof_of_address';
export type TxType = 'deposit' | 'withdrawal';
export type TxStatus = 'pending' | 'completed' | 'failed' | 'cancelled';
export type FiatMethod = 'bank_transfer' | 'payid' | 'ach' | 'wire';
export type Scope = 'read' | 'trade' | 'withdraw';
export type Rounding = 'down' | 'half_even' | 'up' | 'half_up' | 'floor' | 'ceiling';
export type EndpointGroup = 'auth' | 'market_data' | 'trading' | 'funds';

// ---------------------------------------------------------------- objects

export interface Token {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_expires_in: number;
}

export interface TotpSetup {
  secret: string;
  otpauth_uri: string;
}

export interface ApiKey {
  id: string;
  label: string;
  scopes: Scope[];
  /** Present only in the answer of apiKeys.create(). */
  secret?: string;
  created_at: number;
  last_used_at?: number;
}

export interface ApiKeyList {
  api_keys: ApiKey[];
}

export interface Profile {
  id: string;
  email: string;
  full_name?: string;
  country?: string;
  phone?: string;
  kyc_status: KycStatus;
  totp_enabled: boolean;
  created_at: number;
}

export interface Kyc {
  status: KycStatus;
  reason?: string;
  updated_at: number;
}

export interface KycDocument {
  id: string;
  document_type: DocumentType;
  status: KycStatus;
  size_bytes: number;
  created_at: number;
}

export interface Market {
  pair: string;
  base: string;
  quote: string;
  tick_size: DecimalString;
  lot_size: DecimalString;
  min_notional: DecimalString;
  status: MarketStatus;
}

export interface MarketList {
  markets: Market[];
}

export interface Ticker {
  pair: string;
  bid?: DecimalString;
  ask?: DecimalString;
  last?: DecimalString;
  volume_24h: DecimalString;
  seq: number;
  ts: number;
}

export interface OrderBook {
  pair: string;
  seq: number;
  /** Best (highest) first. */
  bids: BookLevel[];
  /** Best (lowest) first. */
  asks: BookLevel[];
  checksum: number;
  ts: number;
}

export interface Trade {
  id: string;
  pair: string;
  price: DecimalString;
  quantity: DecimalString;
  /** The taker's side. */
  side: Side;
  ts: number;
}

export interface TradeList {
  /** Newest first. */
  trades: Trade[];
}

export interface ServerTime {
  server_time: number;
}

export interface Order {
  id: string;
  client_order_id?: string;
  pair: string;
  side: Side;
  type: OrderType;
  /** Absent for market orders. */
  price?: DecimalString;
  quantity: DecimalString;
  filled_quantity: DecimalString;
  /** Absent until something fills. */
  average_price?: DecimalString;
  time_in_force: TimeInForce;
  post_only?: boolean;
  status: OrderStatus;
  created_at: number;
  updated_at: number;
}

/** One page; pass next_cursor as `cursor` for the next (absent on the last). */
export interface OrderList {
  orders: Order[];
  next_cursor?: string;
}

export interface CancelResult {
  /** Ids of the cancelled orders. */
  cancelled: string[];
}

export interface Fill {
  id: string;
  order_id: string;
  pair: string;
  side: Side;
  price: DecimalString;
  quantity: DecimalString;
  fee: DecimalString;
  fee_asset: string;
  liquidity: Liquidity;
  ts: number;
}

export interface FillList {
  fills: Fill[];
  next_cursor?: string;
}

/** total is always available + locked. */
export interface Balance {
  asset: string;
  available: DecimalString;
  locked: DecimalString;
  total: DecimalString;
}

export interface BalanceList {
  balances: Balance[];
}

export interface DepositAddress {
  asset: string;
  network: string;
  address: string;
  memo?: string;
}

export interface WalletTx {
  id: string;
  asset: string;
  type: TxType;
  amount: DecimalString;
  fee: DecimalString;
  status: TxStatus;
  address?: string;
  network?: string;
  tx_hash?: string;
  created_at: number;
  updated_at: number;
}

export interface WalletTxList {
  transactions: WalletTx[];
  next_cursor?: string;
}

export interface FiatTx {
  id: string;
  currency: string;
  type: TxType;
  amount: DecimalString;
  fee: DecimalString;
  status: TxStatus;
  method: FiatMethod;
  /** The payment reference the provider reports back. */
  reference: string;
  created_at: number;
  updated_at: number;
}

export interface FiatTxList {
  transactions: FiatTx[];
  next_cursor?: string;
}

export interface Health {
  status: 'ok' | 'degraded';
  store: 'ok' | 'read_only' | 'failed';
  version: string;
}

export interface BreakerStatus {
  state: 'closed' | 'open' | 'half_open';
  calls: number;
  failures: number;
  slow: number;
  openForMs: number;
  openedTotal: number;
}

// --------------------------------------------------------------- requests

export interface RegisterRequest {
  email: string;
  password: string;
  full_name?: string;
  /** ISO 3166-1 alpha-2, e.g. "AU". */
  country?: string;
}

export interface ApiKeyRequest {
  label: string;
  scopes: Scope[];
}

export interface ProfileUpdate {
  full_name?: string;
  country?: string;
  phone?: string;
}

export interface KycDocumentRequest {
  document_type: DocumentType;
  file_name: string;
  content_type: 'image/png' | 'image/jpeg' | 'application/pdf';
  content_base64: string;
}

export interface OrderRequest {
  pair: string;
  side: Side;
  type: OrderType;
  /** Required for limit orders, absent for market orders. */
  price?: Money;
  quantity: Money;
  /** GTC when absent. */
  time_in_force?: TimeInForce;
  post_only?: boolean;
  /** 1..36 characters, unique per user; the client makes one when absent. */
  client_order_id?: string;
}

export interface DepositAddressRequest {
  asset: string;
  network?: string;
}

export interface WithdrawRequest {
  asset: string;
  amount: Money;
  address: string;
  network?: string;
  memo?: string;
  totp_code?: string;
}

export interface FiatDepositRequest {
  currency: string;
  amount: Money;
  method: FiatMethod;
}

export interface FiatWithdrawRequest {
  currency: string;
  amount: Money;
  method: FiatMethod;
  account_name: string;
  account_number: string;
  /** BSB in Australia, routing number in the US. */
  bank_code: string;
  totp_code?: string;
}

interface Page {
  /** Page size 1..1000; the server's default (100) when absent. */
  limit?: number;
  /** A page's next_cursor, to continue after it. */
  cursor?: string;
}

export interface OrderQuery extends Page {
  pair?: string;
  status?: OrderStatus;
  side?: Side;
  client_order_id?: string;
}

export interface FillQuery extends Page {
  pair?: string;
}

export interface TxQuery extends Page {
  /** The asset (wallets) or the currency (fiat). */
  asset?: string;
  type?: TxType;
  /** Created at or after (ms). */
  from_ms?: number;
  /** Created before (ms). */
  to_ms?: number;
}

// ----------------------------------------------------------------- client

export interface RetryOptions {
  /** Attempts per call, the first included; default 3; 1: no retry. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  retryAfterMaxMs?: number;
  budget?: number;
}

export interface BreakerOptions {
  windowSize?: number;
  minCalls?: number;
  failureRatePct?: number;
  slowRatePct?: number;
  slowCallMs?: number;
  openMs?: number;
  halfOpenProbes?: number;
  disabled?: boolean;
}

export interface LimiterOptions {
  mode?: 'wait' | 'fail_fast' | 'off';
  ratePerS?: number;
  burst?: number;
  maxWaitMs?: number;
}

/**
 * Options of new Client(). Give at most one kind of credentials: apiKey +
 * apiSecret (every request signed), token (a ready access token), or email +
 * password (the client logs in when needed and refreshes; totpSecret lets it
 * make the TOTP code). Omitted values take libnax's defaults.
 */
export interface ClientOptions {
  /** Scheme, host, optional port, no path: "https://api.na-x.example". */
  url: string;
  apiKey?: string;
  apiSecret?: string;
  token?: string;
  email?: string;
  password?: string;
  totpSecret?: string;
  recvWindowMs?: number;
  connectTimeoutMs?: number;
  /** One attempt, start to last byte; default 10000. */
  requestTimeoutMs?: number;
  /** Alias of requestTimeoutMs. */
  timeoutMs?: number;
  /** A whole call: attempts, backoff and waits; default 30000. */
  deadlineMs?: number;
  /** Turns certificate checks OFF: local testing only. */
  tlsInsecure?: boolean;
  caPath?: string;
  pinnedPublicKey?: string;
  proxy?: string;
  /** Appended to the User-Agent; default "nax-node/<version>". */
  userAgentSuffix?: string;
  maxConnections?: number;
  retry?: RetryOptions;
  breaker?: BreakerOptions;
  limiter?: LimiterOptions;
}

/**
 * A REST client over one libnax client. Every call returns a Promise and
 * runs off the main thread on the addon's own pool (up to 8 threads per
 * environment, which bound how many calls run at once; not libuv's pool);
 * failures reject with a NaxError subclass, a bad argument with a TypeError.
 */
export class Client {
  constructor(options: ClientOptions);

  /** POST /v1/auth/login; the client keeps the session and refreshes it. */
  login(email: string, password: string, totp?: string): Promise<Token>;
  /** GET /health (a degraded server rejects with ServerError). */
  health(): Promise<Health>;
  /** Measures the server's clock offset now (GET /v1/time): server minus local, ms. */
  syncClock(): Promise<number>;
  /** The current clock-offset estimate, ms. */
  clockOffset(): number;
  /** Replaces the session tokens (e.g. kept across processes). */
  setSession(accessToken: string | null, refreshToken?: string | null, expiresInS?: number): void;
  /** One endpoint group's circuit breaker. */
  breakerStatus(group: EndpointGroup): BreakerStatus;
  /**
   * Refuses new calls at once (they reject with StateError) and resolves once
   * the calls in flight are done. A Stream using the client keeps the C
   * client until it closes.
   */
  close(): Promise<void>;

  readonly auth: {
    register(req: RegisterRequest): Promise<Profile>;
    login(email: string, password: string, totp?: string): Promise<Token>;
    refresh(): Promise<Token>;
    logout(): Promise<void>;
    totpEnable(): Promise<TotpSetup>;
    totpConfirm(code: string): Promise<void>;
    totpDisable(code: string): Promise<void>;
  };
  readonly apiKeys: {
    create(req: ApiKeyRequest): Promise<ApiKey>;
    list(): Promise<ApiKeyList>;
    delete(id: string): Promise<void>;
  };
  readonly users: {
    profile(): Promise<Profile>;
    updateProfile(update: ProfileUpdate): Promise<Profile>;
    kycStatus(): Promise<Kyc>;
    uploadKycDocument(req: KycDocumentRequest): Promise<KycDocument>;
  };
  readonly markets: {
    list(): Promise<MarketList>;
    /** One market's rules from the client's cache (refreshed every 5 minutes). */
    get(pair: string): Promise<Market>;
    ticker(pair: string): Promise<Ticker>;
    /** depth: levels per side, 1..1000; 0 for the server's default (50). */
    orderbook(pair: string, depth?: number): Promise<OrderBook>;
    /** limit: 1..1000; 0 for the server's default (100). */
    trades(pair: string, limit?: number): Promise<TradeList>;
    time(): Promise<ServerTime>;
  };
  readonly orders: {
    /**
     * Exactly once: checked against the market's rules first (InvalidArgumentError
     * naming the field, nothing sent); a client order id is made when absent and
     * kept across retries.
     */
    place(req: OrderRequest): Promise<Order>;
    get(id: string): Promise<Order>;
    /** NotFoundError (field client_order_id, httpStatus 0) when there is none. */
    getByClientId(clientOrderId: string): Promise<Order>;
    list(query?: OrderQuery): Promise<OrderList>;
    cancel(id: string): Promise<Order>;
    /** Every open order, or only those of `pair`. */
    cancelAll(pair?: string): Promise<CancelResult>;
    /** Every order matching the query, page after page, newest first. */
    iterate(query?: OrderQuery): AsyncGenerator<Order, void, undefined>;
  };
  readonly trades: {
    /** The user's fills, one page. */
    history(query?: FillQuery): Promise<FillList>;
    iterate(query?: FillQuery): AsyncGenerator<Fill, void, undefined>;
  };
  readonly wallets: {
    balances(): Promise<BalanceList>;
    depositAddress(req: DepositAddressRequest): Promise<DepositAddress>;
    withdraw(req: WithdrawRequest): Promise<WalletTx>;
    transactions(query?: TxQuery): Promise<WalletTxList>;
    iterateTransactions(query?: TxQuery): AsyncGenerator<WalletTx, void, undefined>;
  };
  readonly fiat: {
    deposit(req: FiatDepositRequest): Promise<FiatTx>;
    withdraw(req: FiatWithdrawRequest): Promise<FiatTx>;
    transactions(query?: TxQuery): Promise<FiatTxList>;
    iterateTransactions(query?: TxQuery): AsyncGenerator<FiatTx, void, undefined>;
  };
}

// ----------------------------------------------------------------- stream

export type StreamStateName =
  | 'IDLE' | 'CONNECTING' | 'LIVE' | 'STALE' | 'RESYNCING' | 'RECONNECTING' | 'CLOSED';

export type StreamReason =
  | 'none' | 'start' | 'subscribed' | 'snapshot' | 'pong_missed' | 'traffic' | 'dead'
  | 'connect_failed' | 'server_closed' | 'seq_gap' | 'checksum' | 'lagging' | 'overflow'
  | 'auth_failed' | 'subscribe_failed' | 'protocol' | 'stopped' | 'callback' | 'token_expired';

/** A lifecycle change ('state' event); see docs/guides/stream.md. */
export interface StreamStateEvent {
  state: StreamStateName;
  reason: StreamReason;
  /** The channel concerned (a resyncing book, a refused channel), or null for the connection. */
  channel: string | null;
  message: string;
  /** The nax code name behind the change, e.g. 'NAX_ESERVER', or null. */
  error: string | null;
  /** CONNECTING/RECONNECTING: attempts since the last LIVE. */
  attempt: number;
  /** RECONNECTING: wait before the next attempt. */
  delayMs: number;
  /** The WebSocket close code the server sent, or 0. */
  closeCode: number;
}

/** A consistent change of a local book ('book' event). */
export interface BookEvent {
  pair: string;
  seq: number;
  /** The book was replaced by a snapshot (levels: all of them). */
  snapshot: boolean;
  /** Levels that changed, best first; quantity "0" means removed. */
  bids: BookLevel[];
  asks: BookLevel[];
  /** The local book's checksum, equal to the server's. */
  checksum: number;
}

/** The second argument of ticker, trade, order, balance and fill events. */
export interface EventMeta {
  /** Part of the state sent right after subscribing. */
  snapshot: boolean;
  /** Fetched over REST after a reconnect (it happened while disconnected). */
  catchup: boolean;
}

export interface BookTop {
  seq: number;
  /** Consistent with the server (not resyncing). */
  live: boolean;
  bid: { price: DecimalString; quantity: DecimalString } | null;
  ask: { price: DecimalString; quantity: DecimalString } | null;
  bidLevels: number;
  askLevels: number;
}

export interface StreamStats {
  messages: number;
  bytes: number;
  connects: number;
  resyncs: number;
  gaps: number;
  checksumMismatches: number;
  lagging: number;
  catchupEvents: number;
  /**
   * Messages the stream's thread could not queue at once, because JS was
   * `maxQueue` messages behind, and waited for room to queue (reading
   * nothing from the socket meanwhile). Counted by the binding, not libnax.
   */
  queueWaits: number;
}

export interface StreamOptions {
  /** ws:// or wss:// URL of /v1/stream; default: the client's base URL. */
  url?: string;
  /** Credentials for the private channels, TLS settings, the REST catch-up. */
  client?: Client;
  /** Subscribed before the connection opens. */
  channels?: string | string[];
  pingIntervalMs?: number;
  missedPongs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  connectTimeoutMs?: number;
  maxBufferedUpdates?: number;
  maxPendingOps?: number;
  maxCatchupItems?: number;
  /** Without a client: turn certificate checks OFF (tests only). */
  tlsInsecure?: boolean;
  caPath?: string;
  /**
   * Messages queued for JS, default 4096. When JS falls that far behind, the
   * stream's thread waits (it stops reading), naxd marks the connection
   * lagging, and libnax resyncs the books and catches the private channels
   * up over REST: slower, never silently lossy.
   */
  maxQueue?: number;
}

/**
 * The market stream (an EventEmitter): libnax's own thread keeps the
 * connection, the local books, heartbeats and reconnects. It connects at
 * once; an open stream keeps the process alive until close() (or unref()).
 */
export class Stream extends EventEmitter {
  constructor(options: StreamOptions);

  /** Adds channels: 'ticker:PAIR', 'trades:PAIR', 'book:PAIR', 'orders', 'balances', 'fills'. */
  subscribe(channels: string | string[]): this;
  unsubscribe(channels: string | string[]): this;
  /** The connection's state now ('RESYNCING' while some book resyncs). */
  readonly state: StreamStateName;
  stats(): StreamStats;
  /** Best bid and ask of a subscribed book, or null before its snapshot. */
  bookTop(pair: string): BookTop | null;
  /** A consistent copy of a subscribed book, depth levels per side (0: all), or null. */
  book(pair: string, depth?: number): OrderBook | null;
  unref(): this;
  ref(): this;
  /** Stops; resolves after the 'state' CLOSED and 'close' events. */
  close(): Promise<void>;

  on(event: 'state', listener: (event: StreamStateEvent) => void): this;
  on(event: 'ticker', listener: (ticker: Ticker, meta: EventMeta) => void): this;
  on(event: 'trade', listener: (trade: Trade, meta: EventMeta) => void): this;
  on(event: 'book', listener: (book: BookEvent) => void): this;
  on(event: 'order', listener: (order: Order, meta: EventMeta) => void): this;
  on(event: 'balance', listener: (balance: Balance, meta: EventMeta) => void): this;
  on(event: 'fill', listener: (fill: Fill, meta: EventMeta) => void): this;
  on(event: 'close', listener: () => void): this;
  once(event: 'state', listener: (event: StreamStateEvent) => void): this;
  once(event: 'ticker', listener: (ticker: Ticker, meta: EventMeta) => void): this;
  once(event: 'trade', listener: (trade: Trade, meta: EventMeta) => void): this;
  once(event: 'book', listener: (book: BookEvent) => void): this;
  once(event: 'order', listener: (order: Order, meta: EventMeta) => void): this;
  once(event: 'balance', listener: (balance: Balance, meta: EventMeta) => void): this;
  once(event: 'fill', listener: (fill: Fill, meta: EventMeta) => void): this;
  once(event: 'close', listener: () => void): this;
}

// ---------------------------------------------------------------- Decimal

/** An exact decimal (a BigInt coefficient and a scale); never made from a JS number. */
export class Decimal {
  constructor(value: DecimalString | Decimal | bigint);
  static from(value: DecimalString | Decimal | bigint): Decimal;
  readonly coef: bigint;
  readonly scale: number;
  add(other: Money | bigint): Decimal;
  sub(other: Money | bigint): Decimal;
  /** The exact product. */
  mul(other: Money | bigint): Decimal;
  div(other: Money | bigint, scale: number, rounding?: Rounding): Decimal;
  quantize(scale: number, rounding?: Rounding): Decimal;
  /** The nearest multiple of step (a tick or lot size) by rounding. */
  roundTo(step: Money, rounding?: Rounding): Decimal;
  cmp(other: Money | bigint): -1 | 0 | 1;
  eq(other: Money | bigint): boolean;
  lt(other: Money | bigint): boolean;
  lte(other: Money | bigint): boolean;
  gt(other: Money | bigint): boolean;
  gte(other: Money | bigint): boolean;
  isZero(): boolean;
  isNegative(): boolean;
  neg(): Decimal;
  abs(): Decimal;
  toString(): DecimalString;
  toJSON(): DecimalString;
}

// ----------------------------------------------------------------- errors

export type NaxCode =
  | 'NAX_OK' | 'NAX_ERROR' | 'NAX_EINVAL' | 'NAX_ENOMEM' | 'NAX_EVERSION' | 'NAX_ESTATE'
  | 'NAX_EBUFSIZE' | 'NAX_EOVERFLOW' | 'NAX_EDIVZERO' | 'NAX_EPARSE' | 'NAX_EJSON'
  | 'NAX_ESCHEMA' | 'NAX_ELIMIT' | 'NAX_EUSER' | 'NAX_ERECURSIVE' | 'NAX_ENETWORK'
  | 'NAX_ETIMEOUT' | 'NAX_ETLS' | 'NAX_EHTTP' | 'NAX_EBADREQUEST' | 'NAX_EAUTH'
  | 'NAX_EFORBIDDEN' | 'NAX_ENOTFOUND' | 'NAX_ECONFLICT' | 'NAX_ETOOLARGE' | 'NAX_ERATELIMIT'
  | 'NAX_ESERVER' | 'NAX_EUNAVAILABLE' | 'NAX_ECIRCUIT_OPEN' | 'NAX_ERETRY_BUDGET'
  | 'NAX_ECANCELLED' | 'NAX_EIO' | 'NAX_EOUTCOME_UNKNOWN';

/** A failed libnax call: what nax_error_last() said on the thread that failed. */
export class NaxError extends Error {
  /** The nax code name, e.g. 'NAX_ENOTFOUND'. */
  readonly code: NaxCode;
  /** The numeric nax_error_code (negative). */
  readonly errno: number;
  /** The response's HTTP status; 0 when none arrived (local checks, network). */
  readonly httpStatus: number;
  /** The server's error code, e.g. 'invalid_price', or null. */
  readonly serverCode: string | null;
  /** The offending field or JSON path, or null. */
  readonly field: string | null;
  /** The request id of the failed call (X-Request-Id), or null. */
  readonly requestId: string | null;
  /** Whether trying again later may succeed. */
  readonly transient: boolean;
  /** The server's Retry-After in ms when the call gave up before it, else 0. */
  readonly retryAfterMs: number;
}
/** NAX_EINVAL, EVERSION, EBUFSIZE, EOVERFLOW, EDIVZERO, EPARSE, EJSON, ESCHEMA. */
export class InvalidArgumentError extends NaxError {}
/** NAX_EBADREQUEST (400, 422), NAX_ETOOLARGE (413). */
export class BadRequestError extends NaxError {}
/** NAX_EAUTH (401). */
export class AuthenticationError extends NaxError {}
/** NAX_EFORBIDDEN (403). */
export class ForbiddenError extends NaxError {}
/** NAX_ENOTFOUND (404). */
export class NotFoundError extends NaxError {}
/** NAX_ECONFLICT (409). */
export class ConflictError extends NaxError {}
/** NAX_ERATELIMIT (429, or the client-side limiter). */
export class RateLimitError extends NaxError {}
/** NAX_ESERVER, NAX_EUNAVAILABLE (5xx). */
export class ServerError extends NaxError {}
/** NAX_ENETWORK, NAX_ETLS. */
export class NetworkError extends NaxError {}
/** NAX_ETIMEOUT. */
export class TimeoutError extends NetworkError {}
/** NAX_ECIRCUIT_OPEN: nothing was sent. */
export class CircuitOpenError extends NaxError {}
/** NAX_EOUTCOME_UNKNOWN: look the order up by its client order id before placing it again. */
export class OutcomeUnknownError extends NaxError {}
/** NAX_ESTATE, NAX_ERECURSIVE: a closed client or stream, no session. */
export class StateError extends NaxError {}

/** The name of a nax error code: codeName(-34) === 'NAX_ENOTFOUND'. */
export function codeName(errno: number): NaxCode;

// --------------------------------------------------------------- signing

/**
 * A body to sign or verify: every byte counts, a NUL included (a string as
 * its UTF-8 bytes; verify the raw bytes you received, a Buffer, where you
 * can). The text arguments (secrets, ids, timestamps, signatures, methods,
 * targets) refuse a NUL with a TypeError.
 */
export type Body = string | Buffer | Uint8Array;

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export const webhook: {
  /** Default tolerance of webhook timestamps, each way (300 s). */
  readonly TOLERANCE_S: number;
  /** "v1,<base64 HMAC-SHA256>" over `id.timestamp.body`, as a provider signs. */
  sign(secret: string, id: string, timestampS: number, body: Body): string;
  /** The three headers of a signed delivery (id and timestamp made when absent). */
  headers(secret: string, body: Body, opts?: { id?: string; timestamp?: number }): WebhookHeaders;
  /**
   * Checks a received delivery; true, or throws AuthenticationError with
   * serverCode 'invalid_signature' or 'timestamp_out_of_window'. secrets: one,
   * or several during a key rotation; headers in any case (req.headers works).
   */
  verify(secrets: string | string[], headers: Record<string, string | string[] | undefined>,
    body: Body, opts?: { now?: number; toleranceS?: number }): true;
};

/** X-NAX-SIGNATURE of an API-key request: hex HMAC-SHA256 over timestamp, method, target, body. */
export function signRequest(secret: string, timestamp: string | number, method: string,
  target: string, body?: Body): string;

/** The version of the libnax actually loaded, e.g. "0.1.0". */
export const libraryVersion: string;

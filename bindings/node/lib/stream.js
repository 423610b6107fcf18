'use strict';
// The market stream as an EventEmitter. libnax's own thread keeps the
// connection, the local books, heartbeats, reconnects and the private
// catch-up; its callbacks reach this object through a threadsafe function.

const { EventEmitter } = require('node:events');
const binding = require('./native');
const { codeName } = require('./errors');

const EV_STATE = 1;
const EV_TICKER = 2;
const EV_TRADE = 3;
const EV_BOOK = 4;
const EV_ORDER = 5;
const EV_BALANCE = 6;
const EV_FILL = 7;

// The second argument of data events, by flags (snapshot 1, catchup 2).
const META = [0, 1, 2, 3].map((f) => Object.freeze({ snapshot: !!(f & 1), catchup: !!(f & 2) }));

function channelList(channels) {
  if (typeof channels === 'string') return [channels];
  if (!Array.isArray(channels)) throw new TypeError('channels must be a string or an array');
  return channels;
}

class Stream extends EventEmitter {
  /**
   * @param {object} options url and/or client (a Client: its URL, TLS
   *   settings and credentials, for the private channels and the catch-up),
   *   channels to subscribe at once, timings; see index.d.ts.
   */
  constructor(options = {}) {
    super();
    const { client, channels, ...rest } = options || {};
    if (!client && typeof rest.url !== 'string') {
      throw new TypeError('new Stream({url} or {client}): one of them is required');
    }
    this._closed = null;
    this._client = client || null; // kept reachable while the stream lives
    const onEvent = (kind, payload, flags) => this._dispatch(kind, payload, flags);
    this._h = binding.streamNew(rest, client ? client._h : undefined, onEvent,
      channels === undefined ? [] : channelList(channels));
  }

  // Called from the addon for each queued message. A listener's exception is
  // rethrown on a clean stack (an uncaught exception, as from any emitter)
  // rather than left to the N-API callback, which would only warn.
  _dispatch(kind, payload, flags) {
    try {
      this._emit(kind, payload, flags);
    } catch (e) {
      process.nextTick(() => { throw e; });
    }
  }

  _emit(kind, payload, flags) {
    switch (kind) {
      case EV_STATE:
        payload.error = payload.error ? codeName(payload.error) : null;
        this.emit('state', payload);
        if (payload.state === 'CLOSED') {
          this._client = null;
          this.emit('close');
        }
        break;
      case EV_TICKER: this.emit('ticker', payload, META[flags & 3]); break;
      case EV_TRADE: this.emit('trade', payload, META[flags & 3]); break;
      case EV_BOOK:
        this.emit('book', {
          pair: payload.channel.slice(5),
          seq: payload.seq || 0,
          snapshot: payload.type === 'snapshot',
          bids: payload.bids || [],
          asks: payload.asks || [],
          checksum: payload.checksum,
        });
        break;
      case EV_ORDER: this.emit('order', payload, META[flags & 3]); break;
      case EV_BALANCE: this.emit('balance', payload, META[flags & 3]); break;
      case EV_FILL: this.emit('fill', payload, META[flags & 3]); break;
      default: break;
    }
  }

  /** Adds channels: 'ticker:PAIR', 'trades:PAIR', 'book:PAIR', 'orders', 'balances', 'fills'. */
  subscribe(channels) {
    binding.streamSubscribe(this._h, channelList(channels));
    return this;
  }

  /** Removes channels (and their local books). */
  unsubscribe(channels) {
    binding.streamUnsubscribe(this._h, channelList(channels));
    return this;
  }

  /** The connection's state now: 'CONNECTING', 'LIVE', 'STALE', 'RESYNCING', 'RECONNECTING' or 'CLOSED'. */
  get state() {
    return binding.streamState(this._h);
  }

  /**
   * Counters: messages, bytes, connects, resyncs, gaps, checksumMismatches,
   * lagging, catchupEvents (libnax's), and queueWaits: how often the stream's
   * thread found maxQueue messages waiting for this thread and waited for room.
   */
  stats() {
    return binding.streamStats(this._h);
  }

  /** Best bid and ask of a subscribed book ({price, quantity} strings), or null before its snapshot. */
  bookTop(pair) {
    return binding.streamBookTop(this._h, pair);
  }

  /** A consistent copy of a subscribed book (the orderbook shape), depth levels per side (0: all), or null. */
  book(pair, depth = 0) {
    return binding.streamBookCopy(this._h, pair, depth);
  }

  /** An open stream keeps the process alive (like a socket); unref() lets it exit. */
  unref() {
    binding.streamRef(this._h, false);
    return this;
  }

  ref() {
    binding.streamRef(this._h, true);
    return this;
  }

  /** Stops the stream; resolves after the 'state' CLOSED and 'close' events. */
  close() {
    if (!this._closed) this._closed = binding.streamClose(this._h);
    return this._closed;
  }
}

module.exports = { Stream };

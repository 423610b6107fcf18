#!/usr/bin/env node
/*
 * trading_bot.js: a market maker on one pair, on the Node binding of libnax
 * (the same bot as examples/trading_bot.c).
 *
 * One nax.Client signs every request with an API key; one nax.Stream
 * follows `book:{pair}`, `orders` and `fills`. The bot keeps one bid and one
 * ask around the mid of the book (the book without its own orders),
 * `--spread` wide, `--size` each, prices rounded to the market's tick size,
 * all in exact decimals (nax.Decimal; never a JS number). When the mid moves
 * by `--move` (a fraction of the mid it quoted at) it cancels both quotes
 * and places new ones, post-only, each with its own client order id (never
 * used twice: a placement that was refused is tried again a second later
 * under a new one, after the side that did go through is cancelled).
 *
 * Lifecycle: while the stream is not LIVE (STALE, RESYNCING, RECONNECTING,
 * CLOSED) its picture of the market may be old, so the bot stops quoting and
 * cancels everything it has on the pair; once LIVE again it quotes afresh.
 * Every order action runs one after the other on one promise chain, so a
 * cancel and a requote never overlap.
 *
 *     NAX_API_KEY=ak_... NAX_API_SECRET=... node trading_bot.js [options] BASE_URL
 *
 *     --pair P        market (default BTC-AUD)
 *     --spread D      distance from bid to ask as a fraction of the mid (default 0.002)
 *     --size D        quantity of each quote (default 0.01)
 *     --move D        requote when the mid moved by this fraction (default 0.001)
 *     --short N       exit after N requotes (for tests); otherwise run until SIGINT,
 *                     SIGTERM or SIGHUP
 *     --exit-wait S   how long the cancel on exit keeps trying, in seconds (default 30)
 *
 * BASE_URL may also come from NAX_URL. The key needs the `read` and `trade`
 * scopes. On exit it cancels its orders on the pair and exits 0, or 1 when
 * that failed or something went wrong on the way. A cancel that fails in a
 * way that may pass (5xx, a timeout, an open circuit breaker, throttling)
 * is tried again with jittered backoff (Retry-After and the breaker's open
 * time are honoured) for up to --exit-wait seconds; the stream and the
 * client are closed whatever happened, so the process always ends.
 */
'use strict';

function loadNax() {
  try {
    return require('nax'); // installed as a package
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND') throw e;
    return require('../../bindings/node'); // in the source tree
  }
}
const nax = loadNax();
const { Decimal } = nax;

const EXIT_WAIT_S = 30; // default --exit-wait

const USAGE = 'usage: node trading_bot.js [--pair P] [--spread D] [--size D] [--move D] ' +
  '[--short N] [--exit-wait S] BASE_URL';
const OPTIONS = ['--pair', '--spread', '--size', '--move', '--short', '--exit-wait'];

function parseArgs(argv) {
  const o = { pair: 'BTC-AUD', spread: '0.002', size: '0.01', move: '0.001', short: 0,
    'exit-wait': String(EXIT_WAIT_S), url: process.env.NAX_URL };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (OPTIONS.includes(a) && v !== undefined) {
      o[a.slice(2)] = v;
      i++;
    } else if (!a.startsWith('--')) {
      o.url = a;
    } else {
      throw new Error(USAGE);
    }
  }
  if (!o.url) throw new Error(USAGE);
  for (const k of ['spread', 'size', 'move']) {
    o[k] = new Decimal(o[k]);
    if (!o[k].gt('0')) throw new Error(`--${k} must be positive`);
  }
  o.short = Number.parseInt(o.short, 10) || 0;
  if (!/^\d+$/.test(o['exit-wait'])) throw new Error('--exit-wait must be a whole number of seconds');
  o.exitWait = Number(o['exit-wait']);
  return o;
}

const RETRY_MS = 1000; // a refused placement is tried again after this
const FINISHED_MAX = 1000; // finished order ids remembered (see Bot.finished)
const BACKOFF_BASE_MS = 250; // the exit cancel's first wait; doubled each time
const BACKOFF_CAP_MS = 5000; // up to this

/*
 * How long to wait before try n + 1 of the exit cancel: half a step that
 * doubles from 250 ms to 5 s plus a random half of it (bots that lost the
 * same server do not come back in step), or longer when the server said
 * Retry-After or the trading circuit breaker is open for longer.
 */
function exitBackoffMs(n, e, client) {
  const step = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (n - 1));
  let wait = step / 2 + Math.random() * (step / 2);
  wait = Math.max(wait, e.retryAfterMs || 0);
  if (e instanceof nax.CircuitOpenError) {
    wait = Math.max(wait, client.breakerStatus('trading').openForMs);
  }
  return Math.ceil(wait);
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
const describe = (e) => `${e.name} ${e.code || ''} ${e.message}`;

function log(line) {
  console.log(line);
}

class Bot {
  constructor(client, stream, opts, market) {
    this.client = client;
    this.stream = stream;
    this.o = opts;
    this.tick = new Decimal(market.tick_size);
    this.size = opts.size.roundTo(market.lot_size, 'down');
    this.bookChannel = `book:${opts.pair}`;
    this.live = false;
    this.stopping = false;
    this.failed = false;
    this.quotes = new Map(); // id -> {side, price, remaining, updatedAt}
    // Ids of this pair's orders seen finished, newest last: a placement whose
    // order finished before its answer came must not be tracked as a quote.
    // That race is short, so only the last FINISHED_MAX are kept.
    this.finished = new Set();
    this.quotedMid = null;
    this.requotes = 0;
    this.placements = 0; // numbers every placement: no client order id is used twice
    this.retryAt = 0; // after a refused placement, no requote before this (ms)
    this.retryTimer = null;
    this.chain = Promise.resolve();
    this.requoteQueued = false;
    this.tag = `nodebot-${process.pid}-${Date.now().toString(36)}`;
  }

  // Order actions run one at a time, in the order they were asked for.
  enqueue(what, fn) {
    this.chain = this.chain.then(fn).catch((e) => {
      log(`${what} failed: ${describe(e)}`);
      if (this.stopping) this.failed = true;
    });
    return this.chain;
  }

  wantRequote() {
    if (this.requoteQueued || this.stopping) return;
    const wait = this.retryAt - Date.now();
    if (wait > 0) {
      // A placement was refused a moment ago: try again then, not on every book update.
      if (!this.retryTimer) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          if (this.live) this.wantRequote();
        }, wait);
      }
      return;
    }
    this.requoteQueued = true;
    this.enqueue('requote', async () => {
      this.requoteQueued = false;
      await this.requote();
    });
  }

  onState(e) {
    log(`stream ${e.state} (${e.reason})${e.channel ? ` ${e.channel}` : ''}`);
    if (this.stopping) return; // stop() cancels and closes
    if (e.reason === 'subscribe_failed' || e.reason === 'auth_failed') {
      log(`cannot follow ${e.channel}: ${e.message}`);
      this.failed = true;
      this.stop();
      return;
    }
    if (e.channel && e.channel !== this.bookChannel) return;
    const wasLive = this.live;
    this.live = this.stream.state === 'LIVE';
    if (this.live) {
      this.wantRequote();
    } else if (wasLive || this.quotes.size) {
      this.enqueue('cancel', async () => {
        const n = await this.cancelAll();
        log(`not live: stopped quoting, cancelled ${n} orders`);
      });
    }
  }

  onOrder(o) {
    if (o.pair !== this.o.pair) return; // the account's other markets are not ours to quote
    if (o.status === 'filled' || o.status === 'cancelled' || o.status === 'rejected') {
      this.noteFinished(o.id);
      if (this.quotes.delete(o.id) && o.status === 'filled') {
        this.quotedMid = null; // a side is gone: quote again
        this.wantRequote();
      }
      return;
    }
    const q = this.quotes.get(o.id);
    if (q && o.updated_at >= q.updatedAt) {
      q.remaining = new Decimal(o.quantity).sub(o.filled_quantity);
      q.updatedAt = o.updated_at;
    }
  }

  noteFinished(id) {
    this.finished.delete(id); // re-added as the newest
    this.finished.add(id);
    if (this.finished.size > FINISHED_MAX) {
      this.finished.delete(this.finished.values().next().value); // the oldest
    }
  }

  onFill(f, meta) {
    if (f.pair !== this.o.pair) return;
    if (!meta.snapshot) log(`fill: ${f.side} ${f.quantity} @ ${f.price} (${f.liquidity})`);
  }

  // Best price of a side that is not only our own quantity.
  bestExOwn(levels, side) {
    for (const [price, qty] of levels) {
      let rest = new Decimal(qty);
      for (const q of this.quotes.values()) {
        if (q.side === side && q.price.eq(price)) rest = rest.sub(q.remaining);
      }
      if (rest.gt('0')) return new Decimal(price);
    }
    return null;
  }

  mid() {
    const book = this.stream.book(this.o.pair, 10);
    if (!book) return null;
    const bid = this.bestExOwn(book.bids, 'buy');
    const ask = this.bestExOwn(book.asks, 'sell');
    return bid && ask ? bid.add(ask).mul('0.5') : null;
  }

  async requote() {
    if (!this.live || this.stopping) return;
    const mid = this.mid();
    if (!mid) return; // nobody else quotes both sides: wait
    const sides = new Set([...this.quotes.values()].map((q) => q.side));
    if (sides.size === 2 && this.quotedMid &&
        mid.sub(this.quotedMid).abs().lt(this.quotedMid.mul(this.o.move))) return;
    await this.cancelQuotes();
    const half = this.o.spread.mul('0.5');
    const bid = mid.mul(new Decimal('1').sub(half)).roundTo(this.tick, 'floor');
    const ask = mid.mul(new Decimal('1').add(half)).roundTo(this.tick, 'ceiling');
    const n = this.requotes + 1;
    // Each placement gets an id of its own: one refused before would
    // otherwise hand its id to the next attempt, and naxd refuses a reused one.
    const place = (side, price) => this.client.orders.place({
      pair: this.o.pair, side, type: 'limit', price, quantity: this.size, post_only: true,
      client_order_id: `${this.tag}-${++this.placements}-${side}`,
    });
    const placed = await Promise.allSettled([place('buy', bid), place('sell', ask)]);
    // Every quote that was placed is tracked before a refusal is reported,
    // so the next requote cancels it rather than leaving it on the book.
    let refused = null;
    for (const r of placed) {
      if (r.status === 'rejected') {
        refused = refused || r.reason;
        continue;
      }
      const o = r.value;
      if (!this.finished.has(o.id) && (o.status === 'open' || o.status === 'partially_filled')) {
        this.quotes.set(o.id, { side: o.side, price: new Decimal(o.price),
          remaining: new Decimal(o.quantity).sub(o.filled_quantity), updatedAt: o.updated_at });
      }
    }
    if (refused) {
      this.retryAt = Date.now() + RETRY_MS;
      this.wantRequote(); // schedules the retry
      throw refused;
    }
    this.quotedMid = mid;
    this.requotes = n;
    log(`quote ${n}: bid ${bid} ask ${ask} (mid ${mid})`);
    if (this.o.short && n >= this.o.short) this.stop();
  }

  async cancelQuotes() {
    const ids = [...this.quotes.keys()];
    await Promise.all(ids.map((id) => this.client.orders.cancel(id).catch((e) => {
      // Already filled or cancelled: nothing left to cancel.
      if (!(e instanceof nax.NotFoundError || e instanceof nax.ConflictError)) throw e;
    })));
    for (const id of ids) this.quotes.delete(id);
  }

  async cancelAll() {
    const { cancelled } = await this.client.orders.cancelAll(this.o.pair);
    for (const id of cancelled) this.noteFinished(id);
    this.quotes.clear();
    this.quotedMid = null;
    return cancelled.length;
  }

  // The cancel on exit: tried again while the failure may pass, for up to
  // --exit-wait seconds. Resolves to how many were cancelled; throws the last error.
  async cancelAllAtExit() {
    const deadline = Date.now() + this.o.exitWait * 1000;
    for (let n = 1; ; n++) {
      try {
        return await this.cancelAll();
      } catch (e) {
        log(`cancel-all failed: ${describe(e)}`);
        const left = deadline - Date.now();
        if (!e.transient || left <= 0) throw e;
        const wait = Math.min(exitBackoffMs(n, e, this.client), left);
        log(`retry: cancel-all again in ${wait} ms`);
        await sleep(wait);
      }
    }
  }

  stop() {
    if (this.stopping) return this.stopped;
    this.stopping = true;
    clearTimeout(this.retryTimer);
    this.stopped = this.enqueue('stop', async () => {
      let n = null;
      try {
        n = await this.cancelAllAtExit();
      } catch {
        this.failed = true; // the failure was logged
      } finally {
        // Whatever happened: an open stream would keep the process alive.
        await this.stream.close().catch((e) => log(`closing the stream: ${describe(e)}`));
        await this.client.close().catch((e) => log(`closing the client: ${describe(e)}`));
      }
      log(`done: ${this.requotes} requotes; ` +
        `${n === null ? 'could not cancel our orders' : `cancelled ${n} orders`}`);
    }).then(() => {
      process.exitCode = this.failed ? 1 : 0;
    });
    return this.stopped;
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const client = new nax.Client({
    url: opts.url, apiKey: process.env.NAX_API_KEY, apiSecret: process.env.NAX_API_SECRET,
  });
  const market = await client.markets.get(opts.pair);
  const stream = new nax.Stream({ client, channels: [`book:${opts.pair}`, 'orders', 'fills'] });
  const bot = new Bot(client, stream, opts, market);
  stream.on('state', (e) => bot.onState(e));
  stream.on('order', (o) => bot.onOrder(o));
  stream.on('fill', (f, meta) => bot.onFill(f, meta));
  stream.on('book', () => { if (bot.live) bot.wantRequote(); });
  // SIGHUP too: a closed terminal or session must not leave quotes behind.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(sig, () => bot.stop());
  log(`quoting ${opts.pair}: spread ${opts.spread}, size ${bot.size}, move ${opts.move}`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`trading_bot: ${e.message}`);
    process.exit(1);
  });
}

module.exports = { Bot, parseArgs, exitBackoffMs, FINISHED_MAX }; // for the tests

'use strict';
// The stream as an EventEmitter against naxd: snapshots, then the events of
// a trade (ticker, trades, book, orders, fills, balances), the local book,
// and the lifecycle through a seq gap, a dropped connection and close().

const assert = require('node:assert/strict');
const { after, before, test } = require('node:test');
const nax = require('..');
const { Naxd, waitFor } = require('../testlib/naxd');

let naxd;
let maker;
let taker;
let stream;
const states = [];

const CHANNELS = ['ticker:BTC-AUD', 'trades:BTC-AUD', 'book:BTC-AUD', 'orders', 'fills',
  'balances'];

async function funded() {
  const u = await naxd.user();
  await naxd.fundFiat(u, 'AUD', '100000.00');
  await naxd.fundCrypto(u, 'BTC', '2.00000000');
  return new nax.Client({ url: naxd.url, email: u.email, password: u.password });
}

before(async () => {
  naxd = await new Naxd().start();
  maker = await funded();
  taker = await funded();
  await maker.users.profile(); // logged in before the stream authenticates
});

after(async () => {
  if (stream) await stream.close();
  await maker.close();
  await taker.close();
  await naxd.stop();
});

test('LIVE after the snapshots of every channel', async () => {
  stream = new nax.Stream({ client: maker, channels: CHANNELS, reconnectMinMs: 50,
    reconnectMaxMs: 200 });
  stream.on('state', (s) => states.push(s));
  const snapshots = { ticker: null, book: null };
  stream.once('ticker', (t, meta) => { snapshots.ticker = [t, meta]; });
  stream.once('book', (b) => { snapshots.book = b; });
  await waitFor(stream, 'state', (s) => s.state === 'LIVE');
  assert.equal(states[0].state, 'CONNECTING');
  assert.equal(states[0].reason, 'start');
  const live = states.find((s) => s.state === 'LIVE');
  assert.equal(live.reason, 'subscribed');
  assert.equal(live.channel, null);
  assert.equal(live.error, null);
  assert.equal(stream.state, 'LIVE');

  const [ticker, meta] = snapshots.ticker;
  assert.equal(ticker.pair, 'BTC-AUD');
  assert.deepEqual(meta, { snapshot: true, catchup: false });
  assert.equal(snapshots.book.pair, 'BTC-AUD');
  assert.equal(snapshots.book.snapshot, true);
  assert.equal(typeof snapshots.book.checksum, 'number');
});

test('a trade reaches every channel, money as exact strings', async () => {
  const events = { order: [], fill: [], balance: [], trade: [] };
  for (const name of Object.keys(events)) {
    stream.on(name, (payload, meta) => events[name].push([payload, meta]));
  }
  const bookAsk = waitFor(stream, 'book', (b) => !b.snapshot &&
    b.asks.some(([p, q]) => p === '61000.00' && q === '0.25000000'));
  const ask = await maker.orders.place({ pair: 'BTC-AUD', side: 'sell', type: 'limit',
    price: '61000.00', quantity: '0.25000000' });
  const update = await bookAsk;
  assert.ok(update.seq > 0);
  const top = stream.bookTop('BTC-AUD');
  assert.deepEqual(top.ask, { price: '61000.00', quantity: '0.25000000' });
  assert.equal(top.live, true);

  const tradeSeen = waitFor(stream, 'trade', (t) => t.price === '61000.00');
  const tickerSeen = waitFor(stream, 'ticker', (t) => t.last === '61000.00');
  const fillSeen = waitFor(stream, 'fill', (f) => f.order_id === ask.id);
  const partial = waitFor(stream, 'order', (o) => o.id === ask.id &&
    o.status === 'partially_filled');
  // 100000.00 + 0.1 x 61000.00 - 0.1 % maker fee = 106093.9
  const proceeds = waitFor(stream, 'balance', (b) => b.asset === 'AUD' &&
    new nax.Decimal(b.total).eq('106093.9'));
  const rest = waitFor(stream, 'book', (b) =>
    b.asks.some(([p, q]) => p === '61000.00' && q === '0.15000000'));
  await taker.orders.place({ pair: 'BTC-AUD', side: 'buy', type: 'limit', price: '61000.00',
    quantity: '0.10000000' });
  const trade = await tradeSeen;
  assert.equal(trade.quantity, '0.10000000');
  assert.equal(trade.side, 'buy');
  assert.equal((await tickerSeen).pair, 'BTC-AUD');
  const fill = await fillSeen;
  assert.equal(fill.liquidity, 'maker');
  assert.equal(fill.quantity, '0.10000000');
  assert.equal(fill.price, '61000.00');
  const order = await partial;
  assert.equal(order.filled_quantity, '0.10000000');
  await rest;
  const aud = await proceeds;
  assert.ok(new nax.Decimal(aud.available).add(aud.locked).eq(aud.total));

  // The open order came first, BTC was locked for it, nothing was a catch-up.
  assert.ok(events.order.some(([o, m]) => o.id === ask.id && o.status === 'open' && !m.snapshot));
  assert.ok(events.balance.some(([b]) => b.asset === 'BTC' && b.locked === '0.25000000'));
  assert.ok([...events.order, ...events.fill].every(([, m]) => !m.catchup));

  // The local book equals naxd's at the same seq.
  const rb = await maker.markets.orderbook('BTC-AUD', 100);
  const local = stream.book('BTC-AUD');
  assert.equal(local.seq, rb.seq);
  assert.deepEqual(local.bids, rb.bids);
  assert.deepEqual(local.asks, rb.asks);
  assert.equal(local.checksum, rb.checksum);
  const stats = stream.stats();
  assert.ok(stats.messages > 0 && stats.connects === 1);
});

test('a seq gap makes the book RESYNCING, then LIVE again', async () => {
  await naxd.streamFaults({ pair: 'BTC-AUD', drop_updates: 1 });
  const resync = waitFor(stream, 'state', (s) => s.state === 'RESYNCING');
  const liveAgain = waitFor(stream, 'state', (s) => s.state === 'LIVE' && s.reason === 'snapshot');
  await maker.orders.place({ pair: 'BTC-AUD', side: 'buy', type: 'limit', price: '59000.00',
    quantity: '0.01000000' });
  // The next update reveals the gap.
  await maker.orders.place({ pair: 'BTC-AUD', side: 'buy', type: 'limit', price: '59001.00',
    quantity: '0.01000000' });
  const r = await resync;
  assert.equal(r.channel, 'book:BTC-AUD');
  assert.equal(r.reason, 'seq_gap');
  const l = await liveAgain;
  assert.equal(l.channel, 'book:BTC-AUD');
  const top = stream.bookTop('BTC-AUD');
  assert.deepEqual(top.bid, { price: '59001.00', quantity: '0.01000000' });
  assert.ok(stream.stats().gaps >= 1);
});

test('a dropped connection: RECONNECTING, then LIVE, and events flow again', async () => {
  const reconnecting = waitFor(stream, 'state', (s) => s.state === 'RECONNECTING');
  const live = waitFor(stream, 'state', (s) => s.state === 'LIVE' && s.reason === 'subscribed');
  await naxd.streamFaults({ close_all: true });
  const r = await reconnecting;
  assert.ok(['server_closed', 'connect_failed', 'protocol', 'dead'].includes(r.reason), r.reason);
  await live;
  assert.equal(stream.stats().connects, 2);
  // Still flowing after the reconnect.
  const seen = waitFor(stream, 'order', (o) => o.price === '58000.00');
  await maker.orders.place({ pair: 'BTC-AUD', side: 'buy', type: 'limit', price: '58000.00',
    quantity: '0.01000000' });
  assert.equal((await seen).status, 'open');
});

test('close(): CLOSED, then close; the stream refuses more', async () => {
  const closed = waitFor(stream, 'state', (s) => s.state === 'CLOSED');
  let closeEvents = 0;
  stream.on('close', () => { closeEvents++; });
  const p = stream.close();
  assert.equal(stream.close(), p);
  await p;
  const s = await closed;
  assert.equal(s.reason, 'stopped');
  assert.equal(closeEvents, 1);
  assert.equal(stream.state, 'CLOSED');
  assert.equal(stream.bookTop('BTC-AUD'), null);
  assert.throws(() => stream.subscribe('ticker:ETH-AUD'), nax.StateError);
  stream = null;
});

test('a public stream needs no client; a refused channel is reported', async () => {
  const s = new nax.Stream({ url: `ws://127.0.0.1:${naxd.port}/v1/stream` });
  try {
    assert.throws(() => s.subscribe('nonsense'), (e) => e instanceof nax.InvalidArgumentError);
    const failed = waitFor(s, 'state', (e) => e.reason === 'subscribe_failed');
    const tick = waitFor(s, 'ticker', (t) => t.pair === 'ETH-AUD');
    s.subscribe(['ticker:ETH-AUD', 'ticker:XRP-AUD']);
    const f = await failed;
    assert.equal(f.channel, 'ticker:XRP-AUD');
    await tick;
  } finally {
    await s.close();
  }
});

test('a JS side that falls behind a tiny queue loses nothing: seqs stay consecutive', async () => {
  const s = new nax.Stream({ client: maker, channels: ['book:ETH-AUD'], maxQueue: 2 });
  try {
    const books = [];
    s.on('book', (b) => books.push(b));
    await waitFor(s, 'state', (e) => e.state === 'LIVE');
    const placing = [];
    for (let i = 0; i < 30; i++) {
      placing.push(maker.orders.place({ pair: 'ETH-AUD', side: 'buy', type: 'limit',
        price: `${2000 + i}.00`, quantity: '0.01000000' }));
    }
    // Hold this thread (the queue's only reader) until the stream's thread
    // found the queue full and had to wait for room: the case under test.
    // The calls and the stream run on their own threads meanwhile.
    const waits = s.stats().queueWaits; // the snapshots may have filled it already
    assert.equal(typeof waits, 'number');
    const nap = new Int32Array(new SharedArrayBuffer(4));
    const giveUp = Date.now() + 60_000;
    while (s.stats().queueWaits === waits && Date.now() < giveUp) Atomics.wait(nap, 0, 0, 5);
    assert.ok(s.stats().queueWaits > waits, 'the stream never waited for room in its queue');
    await Promise.all(placing);
    const rb = await maker.markets.orderbook('ETH-AUD', 100);
    if (!books.some((b) => b.seq >= rb.seq)) await waitFor(s, 'book', (b) => b.seq >= rb.seq);
    assert.equal(rb.bids.length, 30);
    for (let i = 1; i < books.length; i++) {
      if (!books[i].snapshot) assert.equal(books[i].seq, books[i - 1].seq + 1);
    }
    const local = s.book('ETH-AUD', 100);
    assert.equal(local.seq, rb.seq);
    assert.deepEqual(local.bids, rb.bids);
  } finally {
    await s.close();
  }
});

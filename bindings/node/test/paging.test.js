'use strict';
// Pagination through async iterators, and many calls in flight at once on
// one client (the libnax client is shared by the worker threads).

const assert = require('node:assert/strict');
const { after, before, test } = require('node:test');
const nax = require('..');
const { Naxd } = require('../testlib/naxd');

let naxd;
let c;

before(async () => {
  naxd = await new Naxd().start();
  const u = await naxd.user();
  await naxd.fundFiat(u, 'AUD', '1000000.00');
  for (let i = 0; i < 3; i++) await naxd.fundFiat(u, 'AUD', `${i + 1}.00`);
  c = new nax.Client({ url: naxd.url, email: u.email, password: u.password });
});

after(async () => {
  await c.close();
  await naxd.stop();
});

test('iterate() walks every page, newest first, each item once', async () => {
  const ids = [];
  for (let i = 0; i < 23; i++) {
    const o = await c.orders.place({ pair: 'BTC-AUD', side: 'buy', type: 'limit',
      price: `${1000 + i}.00`, quantity: '0.01000000', client_order_id: `page-${i}` });
    ids.push(o.id);
  }
  const first = await c.orders.list({ limit: 10 });
  assert.equal(first.orders.length, 10);
  assert.ok(first.next_cursor);
  const second = await c.orders.list({ limit: 10, cursor: first.next_cursor });
  assert.equal(second.orders.length, 10);
  assert.notEqual(second.orders[0].id, first.orders[0].id);

  const walked = [];
  for await (const o of c.orders.iterate({ limit: 10, pair: 'BTC-AUD' })) walked.push(o.id);
  assert.deepEqual(walked, [...ids].reverse());

  const fiat = [];
  for await (const t of c.fiat.iterateTransactions({ limit: 2 })) fiat.push(t.amount);
  assert.deepEqual(fiat, ['3.00', '2.00', '1.00', '1000000.00']);
  const wallet = [];
  for await (const t of c.wallets.iterateTransactions({ limit: 5 })) wallet.push(t);
  assert.deepEqual(wallet, []);
  const fills = [];
  for await (const f of c.trades.iterate({ limit: 5 })) fills.push(f);
  assert.deepEqual(fills, []);
});

test('an iterator reports a failing page as a rejection', async () => {
  const it = c.orders.iterate({ limit: 10, cursor: 'not-a-cursor' });
  await assert.rejects(it.next(), nax.NaxError);
});

test('many calls in flight at once each resolve with their own answer', async () => {
  const pairs = ['BTC-AUD', 'ETH-AUD', 'BTC-USD', 'ETH-USD'];
  const calls = [];
  for (let i = 0; i < 200; i++) {
    const pair = pairs[i % 4];
    calls.push(c.markets.ticker(pair).then((t) => [pair, t.pair]));
    calls.push(c.markets.orderbook(pair, 1 + (i % 7)).then((b) => [pair, b.pair]));
  }
  const placed = [];
  for (let i = 0; i < 40; i++) {
    const cid = `burst-${i}`;
    placed.push(c.orders.place({ pair: 'ETH-AUD', side: 'buy', type: 'limit',
      price: `${500 + i}.00`, quantity: '0.10000000', client_order_id: cid })
      .then((o) => [cid, o.client_order_id, o.price]));
  }
  // Failures in the mix are delivered to their own callers too.
  const missing = [];
  for (let i = 0; i < 20; i++) {
    missing.push(c.orders.get(`ord_9999999${i}`).then(() => 'found', (e) => e.code));
  }
  for (const [want, got] of await Promise.all(calls)) assert.equal(got, want);
  const results = await Promise.all(placed);
  results.forEach(([cid, got, price], i) => {
    assert.equal(got, cid);
    assert.equal(price, `${500 + i}.00`);
  });
  assert.deepEqual(await Promise.all(missing), Array(20).fill('NAX_ENOTFOUND'));
  const open = [];
  for await (const o of c.orders.iterate({ pair: 'ETH-AUD', status: 'open' })) open.push(o);
  assert.equal(open.length, 40);
});

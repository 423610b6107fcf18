'use strict';
// Where calls run: on the addon's own threads, never on the main one nor on
// libuv's pool, eight at once, each continuing in its caller's async context.
// The servers here run on this very thread, so they can only answer while
// the main thread is free.

const assert = require('node:assert/strict');
const { AsyncLocalStorage } = require('node:async_hooks');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const { after, before, test } = require('node:test');
const nax = require('..');

const TICKER = {
  pair: 'BTC-AUD', bid: '97250.50', ask: '97260.10', last: '97251.00',
  volume_24h: '0.01000000', seq: 5, ts: 1795302522524,
};

let server;
let url;
let onRequest; // (req, res) => void, set by each test

before(async () => {
  server = http.createServer((req, res) => onRequest(req, res));
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  url = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((res) => server.close(res));
});

function answer(res, body = TICKER) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function client() {
  return new nax.Client({ url, requestTimeoutMs: 20000, retry: { maxAttempts: 1 },
    breaker: { disabled: true } });
}

test('a call leaves the main thread free: this thread answers it', async () => {
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 5);
  onRequest = (req, res) => {
    assert.equal(req.url, '/v1/markets/BTC-AUD/ticker');
    setTimeout(() => answer(res), 50); // timers keep running while the call waits
  };
  const c = client();
  try {
    assert.deepEqual(await c.markets.ticker('BTC-AUD'), TICKER);
    assert.ok(ticks > 0, 'the interval never ran while the call was in flight');
  } finally {
    clearInterval(timer);
    await c.close();
  }
});

test('eight calls run at once; more wait their turn and all resolve', async () => {
  const held = [];
  let running = 0;
  let most = 0;
  let released = false;
  onRequest = (req, res) => {
    running++;
    most = Math.max(most, running);
    res.on('finish', () => { running--; });
    const seq = Number(new URL(req.url, url).pathname.split('/')[3].split('-')[1]);
    const reply = () => answer(res, { ...TICKER, pair: `BTC-${seq}`, seq });
    if (released) return reply();
    held.push(reply);
    if (held.length === 8) { // no answer until eight calls are in at the same time
      released = true;
      held.splice(0).forEach((f) => f());
    }
  };
  const c = client();
  try {
    const calls = [];
    for (let i = 0; i < 20; i++) calls.push(c.markets.ticker(`BTC-${i}`));
    const got = await Promise.all(calls);
    got.forEach((t, i) => {
      assert.equal(t.pair, `BTC-${i}`);
      assert.equal(t.seq, i);
    });
    assert.equal(most, 8);
  } finally {
    await c.close();
  }
});

test('calls waiting on a silent server hold up neither fs nor crypto (libuv\'s pool)', async () => {
  // More calls than libuv's pool has threads (4 unless UV_THREADPOOL_SIZE
  // says otherwise): had they taken its threads, readFile and pbkdf2 would
  // queue behind them until they timed out.
  const calls = Math.max(6, Number(process.env.UV_THREADPOOL_SIZE || 4) + 2);
  assert.ok(calls <= 8, 'more calls than the addon runs at once');
  const sockets = [];
  let arrived;
  const allArrived = new Promise((res) => { arrived = res; });
  let requests = 0;
  const silent = net.createServer((sock) => {
    sockets.push(sock);
    sock.once('data', () => { if (++requests === calls) arrived(); }); // never answered
  });
  await new Promise((res) => silent.listen(0, '127.0.0.1', res));
  const c = new nax.Client({ url: `http://127.0.0.1:${silent.address().port}`,
    requestTimeoutMs: 20000, retry: { maxAttempts: 1 }, breaker: { disabled: true } });
  let settled = 0;
  try {
    const pending = [];
    for (let i = 0; i < calls; i++) {
      pending.push(c.markets.ticker('BTC-AUD').then((v) => v, (e) => e)
        .finally(() => { settled++; }));
    }
    const [text, key] = await Promise.all([
      fs.promises.readFile(__filename, 'utf8'),
      new Promise((res, rej) => crypto.pbkdf2('pw', 'salt', 1000, 32, 'sha256',
        (e, k) => (e ? rej(e) : res(k)))),
      allArrived,
    ]);
    assert.match(text, /silent server/);
    assert.equal(key.length, 32);
    assert.equal(settled, 0, 'a call ended before fs and crypto were done');
    assert.equal(requests, calls);
    sockets.forEach((s) => s.destroy()); // now the calls fail, all of them
    const results = await Promise.all(pending);
    assert.ok(results.every((r) => r instanceof nax.NetworkError),
      JSON.stringify(results.map((r) => r.code)));
  } finally {
    sockets.forEach((s) => s.destroy());
    await c.close();
    await new Promise((res) => silent.close(res));
  }
});

test('the code after an await runs in the async context of its caller', async () => {
  onRequest = (req, res) => setTimeout(() => answer(res), 10);
  const als = new AsyncLocalStorage();
  const c = client();
  try {
    const seen = await Promise.all(['a', 'b', 'c'].map((id) => als.run(id, async () => {
      await c.markets.ticker('BTC-AUD');
      const first = als.getStore();
      await c.markets.ticker('BTC-AUD');
      return [first, als.getStore()];
    })));
    assert.deepEqual(seen, [['a', 'a'], ['b', 'b'], ['c', 'c']]);
  } finally {
    await c.close();
  }
});

test('a failed call rejects with the server\'s code and request id', async () => {
  onRequest = (req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'not_found', message: 'no such market',
      request_id: 'req_0123456789ab' } }));
  };
  const c = client();
  try {
    await assert.rejects(c.markets.ticker('XYZ-AUD'), (e) => e instanceof nax.NotFoundError &&
      e.httpStatus === 404 && e.serverCode === 'not_found' && e.requestId === 'req_0123456789ab');
  } finally {
    await c.close();
  }
});

'use strict';
// The Node trading bot against naxd (ctest example_node_bot), each test on
// a naxd of its own: another account makes and moves the market, a third
// one trades with the bot; the bot's quotes must appear, follow the mid, be
// cancelled while the stream is down and come back, and its --short run must
// end with nothing left open. Faults injected into naxd (POST /admin/faults)
// refuse a placement: the bot must place again under new client order ids;
// they fail its cancel on exit: it must try again for up to --exit-wait
// seconds, then exit (1 when its orders could not be cancelled). SIGHUP
// stops it as SIGTERM does.
// One test reads the bot's own state (the finished ids it remembers).

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');
const { test } = require('node:test');
const nax = require('../../bindings/node');
const { Naxd, expect } = require('../../bindings/node/testlib/naxd');

const BOUND_MS = 30000;
const PAIR = 'BTC-AUD';

// A fresh exchange per test (the book is the test's to set), with the bot's
// account, a market mover and a taker; all of it stopped when the test ends.
async function scene(t) {
  const naxd = await new Naxd().start();
  const s = { naxd, runs: [] };
  t.after(async () => {
    for (const run of s.runs) {
      if (run.proc.exitCode === null) run.proc.kill('SIGKILL');
      for (const line of run.output().trim().split('\n')) t.diagnostic(`bot: ${line}`);
    }
    await Promise.all([s.bot, s.mover, s.taker].filter(Boolean).map((a) => a.client.close()));
    await naxd.stop();
  });
  s.bot = await account(naxd);
  s.mover = await account(naxd);
  s.taker = await account(naxd);
  s.start = (args) => {
    const run = startBot(naxd, s.bot.key, args);
    s.runs.push(run);
    return run;
  };
  return s;
}

// A verified, funded user with an API key; its client signs with the key.
async function account(naxd) {
  const u = await naxd.user();
  await naxd.fundFiat(u, 'AUD', '100000.00');
  await naxd.fundCrypto(u, 'BTC', '2.00000000');
  const key = (await expect(naxd.http('POST', '/v1/auth/api-keys',
    { body: { label: 'bot', scopes: ['read', 'trade'] }, token: u.token }), 201)).json();
  return { user: u, key, client: new nax.Client({ url: naxd.url, apiKey: key.id, apiSecret: key.secret }) };
}

// Scripts naxd's next `count` requests of `route` (fault injection).
async function fault(naxd, route, action, extra = {}) {
  await expect(naxd.admin('POST', '/admin/faults', { route, action, count: 1, ...extra }), 204);
}

function limit(client, side, price, quantity = '0.50000000', extra = {}) {
  return client.orders.place({ pair: PAIR, side, type: 'limit', price, quantity, ...extra });
}

// The bot as a child process; its output lines are kept and can be awaited.
function startBot(naxd, key, args) {
  const proc = spawn(process.execPath, [path.join(__dirname, 'trading_bot.js'), ...args, naxd.url], {
    env: { ...process.env, NAX_API_KEY: key.id, NAX_API_SECRET: key.secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  const waiters = [];
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  readline.createInterface({ input: proc.stdout }).on('line', (line) => {
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.re.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    proc,
    lines,
    output: () => `${lines.join('\n')}\n${stderr}`,
    line(re) {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line ${re} within ${BOUND_MS} ms:\n` +
          `${lines.join('\n')}\n${stderr}`)), BOUND_MS);
        waiters.push({ re, resolve: (l) => { clearTimeout(timer); resolve(l); } });
      });
    },
    // The exit, within BOUND_MS (a bot that does not exit fails the test).
    exit() {
      let timer;
      return Promise.race([exited, new Promise((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`the bot did not exit within ${BOUND_MS} ms:\n` +
          `${lines.join('\n')}\n${stderr}`)), BOUND_MS);
      })]).finally(() => clearTimeout(timer));
    },
  };
}

async function openOrders(client) {
  const open = [];
  for await (const o of client.orders.iterate({ pair: PAIR })) {
    if (o.status === 'open' || o.status === 'partially_filled') open.push(o);
  }
  return open;
}

const sidesAndPrices = (orders) => orders.map((o) => [o.side, o.price]).sort();

test('the bot quotes, follows the mid, steps back while the stream is down, and exits clean', async (t) => {
  const s = await scene(t);
  const botClient = s.bot.client;
  const mover = s.mover.client;
  const taker = s.taker.client;
  const m1 = await Promise.all([limit(mover, 'buy', '59990.00'), limit(mover, 'sell', '60010.00')]);
  const run = s.start(['--pair', PAIR, '--spread', '0.01', '--size', '0.01', '--short', '3']);

  // Quote 1: 60000 -/+ 0.5 %, on the tick, post-only.
  await run.line(/^quote 1: bid 59700\.00 ask 60300\.00 \(mid 60000/);
  let open = await openOrders(botClient);
  assert.deepEqual(open.map((o) => [o.side, o.price, o.quantity, o.post_only]).sort(),
    [['buy', '59700.00', '0.01000000', true], ['sell', '60300.00', '0.01000000', true]]);
  const first = open.map((o) => o.id);

  // The market empties: nothing to quote around, the quotes stay; a taker
  // sells into the bot's bid.
  await Promise.all(m1.map((o) => mover.orders.cancel(o.id)));
  await limit(taker, 'sell', '59700.00', '0.00400000', { time_in_force: 'IOC' });
  await run.line(/^fill: buy 0\.00400000 @ 59700\.00 \(maker\)/);

  // The mover quotes around 60100: a move of 0.17 % > --move 0.1 %: requote.
  await limit(mover, 'buy', '60090.00');
  await limit(mover, 'sell', '60110.00');
  await run.line(/^quote 2: bid 59799\.50 ask 60400\.50 \(mid 60100/);
  open = await openOrders(botClient);
  assert.deepEqual(open.map((o) => o.price).sort(), ['59799.50', '60400.50']);
  for (const id of first) {
    const o = await botClient.orders.get(id);
    assert.equal(o.status, 'cancelled');
  }

  // The stream drops: the bot cancels; LIVE again: it quotes again (the 3rd
  // time, which ends its --short run).
  await s.naxd.streamFaults({ close_all: true });
  await run.line(/^stream RECONNECTING/);
  await run.line(/^not live: stopped quoting, cancelled 2 orders/);
  await run.line(/^quote 3: bid 59799\.50 ask 60400\.50/);
  await run.line(/^done: 3 requotes; cancelled 2 orders/);
  const exit = await run.exit();
  assert.deepEqual(exit, { code: 0, signal: null }, run.output());

  // Six quotes in all, every one cancelled; the first bid kept its fill.
  const all = [];
  for await (const o of botClient.orders.iterate({ pair: PAIR })) all.push(o);
  assert.equal(all.length, 6, run.output());
  assert.ok(all.every((o) => o.status === 'cancelled'), JSON.stringify(all));
  const filled = all.filter((o) => o.filled_quantity !== '0' && !/^0\.0+$/.test(o.filled_quantity));
  assert.deepEqual(filled.map((o) => [o.price, o.filled_quantity]), [['59700.00', '0.00400000']]);
});

test('a refused placement is tried again under new client order ids and nothing rests untracked', async (t) => {
  const s = await scene(t);
  const mover = s.mover.client;
  const [bestBid] = await Promise.all([limit(mover, 'buy', '59990.00'),
    limit(mover, 'buy', '59800.00'), limit(mover, 'sell', '60010.00')]);
  const run = s.start(['--pair', PAIR, '--spread', '0.01', '--size', '0.01']);
  await run.line(/^quote 1: bid 59700\.00 ask 60300\.00 \(mid 60000/);

  // The next order placed is refused (422, nothing applied); the best bid
  // goes, so the mid moves to 59905 and the bot requotes: one of its two
  // placements fails, the other one rests.
  await fault(s.naxd, 'POST /v1/orders', 'error_before_commit', { status: 422 });
  await mover.orders.cancel(bestBid.id);
  await run.line(/^requote failed: BadRequestError/);

  // It tries again with ids of its own: both sides rest, the one that went
  // through before was cancelled, and no id was refused as a duplicate.
  await run.line(/^quote 2: bid 59605\.47 ask 60204\.53 \(mid 59905/);
  assert.deepEqual(sidesAndPrices(await openOrders(s.bot.client)),
    [['buy', '59605.47'], ['sell', '60204.53']], run.output());
  assert.ok(!/Conflict|409/.test(run.output()), run.output());

  run.proc.kill('SIGTERM');
  await run.line(/^done: 2 requotes; cancelled 2 orders/);
  assert.deepEqual(await run.exit(), { code: 0, signal: null }, run.output());
  assert.deepEqual(await openOrders(s.bot.client), []);
});

// The mover's market around 60000, the bot quoting it (quote 1).
async function quoting(s, args = []) {
  await Promise.all([limit(s.mover.client, 'buy', '59990.00'),
    limit(s.mover.client, 'sell', '60010.00')]);
  const run = s.start(['--pair', PAIR, '--spread', '0.01', '--size', '0.01', ...args]);
  await run.line(/^quote 1: bid 59700\.00 ask 60300\.00 \(mid 60000/);
  assert.equal((await openOrders(s.bot.client)).length, 2);
  return run;
}

test('SIGHUP (a closed terminal) cancels the quotes and exits 0', async (t) => {
  const s = await scene(t);
  const run = await quoting(s);
  run.proc.kill('SIGHUP');
  await run.line(/^done: 1 requotes; cancelled 2 orders$/);
  assert.deepEqual(await run.exit(), { code: 0, signal: null }, run.output());
  assert.deepEqual(await openOrders(s.bot.client), []);
});

test('the cancel on exit is tried again until it goes through', async (t) => {
  const s = await scene(t);
  const run = await quoting(s);
  // Five failures (libnax does not repeat a DELETE by itself): more than
  // the three tries the bot used to make, well within --exit-wait.
  await fault(s.naxd, 'DELETE /v1/orders', 'error_before_commit', { status: 503, count: 5 });
  run.proc.kill('SIGTERM');
  await run.line(/^done: 1 requotes; cancelled 2 orders$/);
  assert.deepEqual(await run.exit(), { code: 0, signal: null }, run.output());
  assert.equal(run.lines.filter((l) => /^retry: cancel-all again in \d+ ms$/.test(l)).length, 5,
    run.output());
  assert.deepEqual(await openOrders(s.bot.client), []);
});

for (const [why, faultSpec, args] of [
  ['fails for longer than --exit-wait', { status: 503, count: 1000 }, ['--exit-wait', '1']],
  ['is refused (not worth trying again)', { status: 403, count: 1000 }, []],
]) {
  test(`a cancel on exit that ${why}: exit 1, the process ends`, async (t) => {
    const s = await scene(t);
    const run = await quoting(s, args);
    await fault(s.naxd, 'DELETE /v1/orders', 'error_before_commit', faultSpec);
    run.proc.kill('SIGTERM');
    await run.line(/^done: 1 requotes; could not cancel our orders$/);
    assert.deepEqual(await run.exit(), { code: 1, signal: null }, run.output());
    assert.equal((await openOrders(s.bot.client)).length, 2); // as the bot said
    await expect(s.naxd.admin('DELETE', '/admin/faults'), 204);
    await s.bot.client.orders.cancelAll(PAIR);
  });
}

test('the exit cancel waits longer each time, and as long as Retry-After or an open breaker asks', () => {
  const { exitBackoffMs } = require('./trading_bot');
  const client = {
    breakerStatus(group) {
      assert.equal(group, 'trading');
      return { state: 'open', openForMs: 7000 };
    },
  };
  const unavailable = new nax.ServerError('503', { transient: true });
  for (let n = 1; n <= 8; n++) {
    const step = Math.min(5000, 250 * 2 ** (n - 1));
    const wait = exitBackoffMs(n, unavailable, client);
    assert.ok(wait >= step / 2 && wait <= step, `try ${n}: ${wait} ms`);
  }
  const later = new nax.ServerError('503', { transient: true, retryAfterMs: 3000 });
  assert.ok(exitBackoffMs(1, later, client) >= 3000);
  const open = new nax.CircuitOpenError('open', { transient: true });
  assert.ok(exitBackoffMs(1, open, client) >= 7000);
});

test('the finished order ids the bot keeps are its pair\'s, and few', () => {
  const { Bot, parseArgs, FINISHED_MAX } = require('./trading_bot');
  const stream = { state: 'LIVE', book: () => null };
  const bot = new Bot(null, stream, parseArgs(['--pair', PAIR, 'http://127.0.0.1:9']),
    { tick_size: '0.01', lot_size: '0.00000001' });
  const order = (i, pair) => ({ id: `o_${i}`, pair, status: 'cancelled', side: 'buy',
    price: '1.00', quantity: '1', filled_quantity: '0', updated_at: i });
  const n = FINISHED_MAX * 5;
  for (let i = 0; i < n; i++) bot.onOrder(order(i, i % 2 ? 'ETH-AUD' : PAIR));
  assert.ok(bot.finished.size <= FINISHED_MAX, `${bot.finished.size} ids kept`);
  assert.ok(![...bot.finished].some((id) => Number(id.slice(2)) % 2), 'another pair\'s ids kept');
  assert.ok(bot.finished.has(`o_${n - 2}`), 'the newest id was dropped');
  assert.ok(!bot.finished.has('o_0'), 'the oldest id was kept');
});

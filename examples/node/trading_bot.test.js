'use strict';
// The Node trading bot against naxd (ctest example_node_bot): another
// account makes and moves the market, a third one trades with the bot; the
// bot's quotes must appear, follow the mid, be cancelled while the stream is
// down and come back, and its --short run must end with nothing left open.

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');
const { after, before, test } = require('node:test');
const nax = require('../../bindings/node');
const { Naxd, expect } = require('../../bindings/node/testlib/naxd');

const BOUND_MS = 30000;

let naxd;
let bot;
let botClient;
let mover;
let taker;

// A verified, funded user with an API key; its client signs with the key.
async function account() {
  const u = await naxd.user();
  await naxd.fundFiat(u, 'AUD', '100000.00');
  await naxd.fundCrypto(u, 'BTC', '2.00000000');
  const key = (await expect(naxd.http('POST', '/v1/auth/api-keys',
    { body: { label: 'bot', scopes: ['read', 'trade'] }, token: u.token }), 201)).json();
  return { user: u, key, client: new nax.Client({ url: naxd.url, apiKey: key.id, apiSecret: key.secret }) };
}

// The bot as a child process; its output lines are kept and can be awaited.
function startBot(key, args) {
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
    exited,
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
  };
}

async function openOrders(client) {
  const open = [];
  for await (const o of client.orders.iterate({ pair: 'BTC-AUD' })) {
    if (o.status === 'open' || o.status === 'partially_filled') open.push(o);
  }
  return open;
}

before(async () => {
  naxd = await new Naxd().start();
  const b = await account();
  botClient = b.client;
  mover = (await account()).client;
  taker = (await account()).client;
  bot = { key: b.key };
});

after(async () => {
  if (bot.run && bot.run.proc.exitCode === null) bot.run.proc.kill('SIGKILL');
  await Promise.all([botClient, mover, taker].map((c) => c.close()));
  await naxd.stop();
});

test('the bot quotes, follows the mid, steps back while the stream is down, and exits clean', async (t) => {
  const m1 = await Promise.all([
    mover.orders.place({ pair: 'BTC-AUD', side: 'buy', type: 'limit', price: '59990.00', quantity: '0.50000000' }),
    mover.orders.place({ pair: 'BTC-AUD', side: 'sell', type: 'limit', price: '60010.00', quantity: '0.50000000' }),
  ]);
  const run = startBot(bot.key, ['--pair', 'BTC-AUD', '--spread', '0.01', '--size', '0.01', '--short', '3']);
  bot.run = run;

  // Quote 1: 60000 -/+ 0.5 %, on the tick, post-only.
  await run.line(/^quote 1: bid 59700\.00 ask 60300\.00 \(mid 60000/);
  let open = await openOrders(botClient);
  assert.deepEqual(open.map((o) => [o.side, o.price, o.quantity, o.post_only]).sort(),
    [['buy', '59700.00', '0.01000000', true], ['sell', '60300.00', '0.01000000', true]]);
  const first = open.map((o) => o.id);

  // The market empties: nothing to quote around, the quotes stay; a taker
  // sells into the bot's bid.
  await Promise.all(m1.map((o) => mover.orders.cancel(o.id)));
  await taker.orders.place({ pair: 'BTC-AUD', side: 'sell', type: 'limit', price: '59700.00',
    quantity: '0.00400000', time_in_force: 'IOC' });
  await run.line(/^fill: buy 0\.00400000 @ 59700\.00 \(maker\)/);

  // The mover quotes around 60100: a move of 0.17 % > --move 0.1 %: requote.
  await mover.orders.place({ pair: 'BTC-AUD', side: 'buy', type: 'limit', price: '60090.00', quantity: '0.50000000' });
  await mover.orders.place({ pair: 'BTC-AUD', side: 'sell', type: 'limit', price: '60110.00', quantity: '0.50000000' });
  await run.line(/^quote 2: bid 59799\.50 ask 60400\.50 \(mid 60100/);
  open = await openOrders(botClient);
  assert.deepEqual(open.map((o) => o.price).sort(), ['59799.50', '60400.50']);
  for (const id of first) {
    const o = await botClient.orders.get(id);
    assert.equal(o.status, 'cancelled');
  }

  // The stream drops: the bot cancels; LIVE again: it quotes again (the 3rd
  // time, which ends its --short run).
  await naxd.streamFaults({ close_all: true });
  await run.line(/^stream RECONNECTING/);
  await run.line(/^not live: stopped quoting, cancelled 2 orders/);
  await run.line(/^quote 3: bid 59799\.50 ask 60400\.50/);
  await run.line(/^done: 3 requotes; cancelled 2 orders/);
  const exit = await run.exited;
  for (const line of run.output().trim().split('\n')) t.diagnostic(`bot: ${line}`);
  assert.deepEqual(exit, { code: 0, signal: null }, run.output());

  // Six quotes in all, every one cancelled; the first bid kept its fill.
  const all = [];
  for await (const o of botClient.orders.iterate({ pair: 'BTC-AUD' })) all.push(o);
  assert.equal(all.length, 6, run.output());
  assert.ok(all.every((o) => o.status === 'cancelled'), JSON.stringify(all));
  const filled = all.filter((o) => o.filled_quantity !== '0' && !/^0\.0+$/.test(o.filled_quantity));
  assert.deepEqual(filled.map((o) => [o.price, o.filled_quantity]), [['59700.00', '0.00400000']]);
});

'use strict';
// The process exits by itself once its clients and streams are closed, and
// an unref'd stream does not hold it (the environment's teardown frees it);
// the same in a worker thread. Each case is a child node process; a child
// that does not exit within the bound is killed and the test fails.

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { after, before, test } = require('node:test');
const { Naxd } = require('../testlib/naxd');

const PKG = path.resolve(__dirname, '..');
const BOUND_MS = 30000;

let naxd;

before(async () => {
  naxd = await new Naxd().start();
});

after(async () => {
  await naxd.stop();
});

// Runs `code` in a child node with nax loaded; resolves {code, stdout, stderr}.
function child(code) {
  const prelude = `const nax = require(${JSON.stringify(PKG)}); const URL_ = process.env.NAX_URL;
const live = (s) => new Promise((res) => s.on('state', (e) => e.state === 'LIVE' && res()));\n`;
  const proc = spawn(process.execPath, ['-e', prelude + code], {
    env: { ...process.env, NAX_URL: naxd.url }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => { stdout += d; });
  proc.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), BOUND_MS);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function exitedCleanly(r, want) {
  assert.equal(r.signal, null, `the child did not exit by itself: ${r.stdout} ${r.stderr}`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), want);
}

test('closing the client and the stream lets the process exit', async () => {
  exitedCleanly(await child(`(async () => {
    const c = new nax.Client({ url: URL_ });
    const s = new nax.Stream({ client: c, channels: ['ticker:BTC-AUD', 'book:BTC-AUD'] });
    await live(s);
    const t = await c.markets.ticker('BTC-AUD');
    await s.close();
    await c.close();
    console.log('closed', t.pair);
  })();`), 'closed BTC-AUD');
});

test('a client closed before its stream lives on until the stream closes', async () => {
  exitedCleanly(await child(`(async () => {
    const c = new nax.Client({ url: URL_ });
    const s = new nax.Stream({ client: c, channels: ['ticker:BTC-AUD'] });
    await live(s);
    await c.close();
    await c.markets.ticker('BTC-AUD').catch((e) => console.log(e.code));
    s.subscribe('book:BTC-AUD');
    await new Promise((res) => s.on('book', res));
    await s.close();
    console.log(s.state);
  })();`), 'NAX_ESTATE\nCLOSED');
});

test('an unref()d stream does not keep the process alive', async () => {
  exitedCleanly(await child(`(async () => {
    const c = new nax.Client({ url: URL_ });
    const s = new nax.Stream({ client: c, channels: ['book:BTC-AUD'] });
    await live(s);
    s.unref();
    console.log('left open');
  })();`), 'left open');
});

test('a client left open with nothing in flight does not either', async () => {
  exitedCleanly(await child(`(async () => {
    const c = new nax.Client({ url: URL_ });
    await c.health();
    console.log('idle');
  })();`), 'idle');
});

test('a worker thread that ends with a live stream frees it', async () => {
  exitedCleanly(await child(`
    const { Worker } = require('node:worker_threads');
    const w = new Worker(\`
      const nax = require(\${JSON.stringify(${JSON.stringify(PKG)})});
      const { parentPort } = require('node:worker_threads');
      const c = new nax.Client({ url: process.env.NAX_URL });
      const s = new nax.Stream({ client: c, channels: ['ticker:BTC-AUD'] });
      s.on('state', (e) => e.state === 'LIVE' && parentPort.postMessage('live'));
    \`, { eval: true });
    w.on('message', async () => { await w.terminate(); console.log('worker done'); });
  `), 'worker done');
});

test('a worker thread that ends with a call in flight goes, and the process exits', async () => {
  // The call waits on a server of the main thread that never answers; the
  // worker is terminated under it, then the connection drops and the call
  // returns on a pool thread of an environment that no longer exists.
  exitedCleanly(await child(`
    const http = require('node:http');
    const { Worker } = require('node:worker_threads');
    let w;
    const server = http.createServer(async () => {
      await w.terminate();
      console.log('worker done');
      server.closeAllConnections();
      server.close();
    });
    server.listen(0, '127.0.0.1', () => {
      w = new Worker(\`
        const nax = require(\${JSON.stringify(${JSON.stringify(PKG)})});
        const c = new nax.Client({ url: 'http://127.0.0.1:\${server.address().port}',
          retry: { maxAttempts: 1 } });
        c.markets.ticker('BTC-AUD').then(() => console.log('answered?'));
      \`, { eval: true });
    });
  `), 'worker done');
});

test('a listener that throws is an uncaught exception, and close() still resolves', async () => {
  exitedCleanly(await child(`(async () => {
    process.on('uncaughtException', (e) => console.log('uncaught', e.message));
    const s = new nax.Stream({ url: URL_.replace('http', 'ws') + '/v1/stream',
      channels: ['ticker:BTC-AUD'] });
    s.once('ticker', () => { throw new Error('from a listener'); });
    await live(s);
    await s.close();
    console.log(s.state);
  })();`), 'uncaught from a listener\nCLOSED');
});

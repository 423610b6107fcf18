// The browser half of the live market page test (test_page.py starts naxd,
// prepares the market and runs this): Debian's chromium, headless, through
// playwright-core.
//
//   node page_test.mjs '{"base_url":..., "token":..., "order":{...}, "screenshot":...}'
//
// Opens naxd's page, waits for it to go live, checks the ladder against GET
// orderbook, places the crossing order over REST and checks that its trade is
// on the page within 1 s, that the ladder then matches GET orderbook again and
// that the ticker shows the trade; then breaks the stream on purpose (a dropped
// update, a corrupted checksum, all connections closed, through
// POST /admin/stream-faults) and checks that the page resyncs or reconnects
// and shows the server's book again; saves a screenshot. Prints one JSON line
// and exits 0 when everything held, 1 otherwise (the screenshot is saved
// either way).
import { randomUUID } from 'node:crypto';
import { chromium } from 'playwright-core';

const cfg = JSON.parse(process.argv[2]);
const LIVE_TIMEOUT_MS = 15000;
const TRADE_SHOWN_WITHIN_MS = 1000;
const LADDER_DEPTH = 15; // what the page shows per side

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

// Decimal strings as numbers for comparison only ("97249.00" is "97249").
function norm(text) {
  let s = String(text);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

async function orderbook() {
  const r = await fetch(`${cfg.base_url}/v1/markets/${cfg.pair}/orderbook`);
  assert(r.status === 200, `GET orderbook: ${r.status}`);
  return r.json();
}

async function post(path, body, token) {
  const r = await fetch(`${cfg.base_url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`,
      'Idempotency-Key': randomUUID() },
    body: JSON.stringify(body),
  });
  return { status: r.status, text: await r.text() };
}

// A resting bid of the taker below the book's best: one book update.
async function restingBid(price) {
  const r = await post('/v1/orders', { pair: cfg.pair, side: 'buy', type: 'limit', price,
    quantity: '0.01000000' }, cfg.token);
  assert(r.status === 201, `resting bid at ${price}: ${r.status} ${r.text}`);
}

async function streamFault(body) {
  const r = await post('/admin/stream-faults', body, cfg.operator_token);
  assert(r.status === 204, `POST /admin/stream-faults: ${r.status} ${r.text}`);
}

const stats = (page) => page.evaluate(() => ({ ...window.naxMarket.stats }));

async function live(page) {
  await page.waitForSelector('body[data-state="live"]', { timeout: LIVE_TIMEOUT_MS });
}

// The page heals itself: a dropped update (seq gap) and a corrupted checksum
// each make it resubscribe the book; a connection closed by the server makes
// it reconnect. After each, the ladder is the server's again.
async function selfHealing(page) {
  const start = await stats(page);
  await streamFault({ pair: cfg.pair, drop_updates: 1 });
  await restingBid('96900.00'); // its update is dropped
  await restingBid('96900.50'); // this one arrives after a gap
  await page.waitForFunction((n) => window.naxMarket.stats.resyncs > n, start.resyncs,
    { timeout: 5000 });
  await live(page);
  await checkLadder(page);

  await streamFault({ pair: cfg.pair, corrupt_checksums: 1 });
  await restingBid('96901.00');
  await page.waitForFunction((n) => window.naxMarket.stats.resyncs > n, start.resyncs + 1,
    { timeout: 5000 });
  await live(page);
  await checkLadder(page);

  await streamFault({ close_all: true });
  await page.waitForFunction((n) => window.naxMarket.stats.reconnects > n, start.reconnects,
    { timeout: 5000 });
  await live(page);
  await checkLadder(page);
  const end = await stats(page);
  return { resyncs: end.resyncs - start.resyncs, reconnects: end.reconnects - start.reconnects };
}

async function ladder(page) {
  return page.evaluate(() => {
    const rows = (id) => [...document.querySelectorAll(`#${id} tr`)]
      .map((tr) => [tr.dataset.price, tr.dataset.size]);
    const t = document.getElementById('ladder');
    // Asks are shown highest first, so the best ask sits next to the spread.
    return { seq: Number(t.dataset.seq), checksum: Number(t.dataset.checksum),
      bids: rows('bids'), asks: rows('asks').reverse() };
  });
}

function sameLevels(shown, rest, side) {
  const want = rest.slice(0, LADDER_DEPTH).map(([p, q]) => `${norm(p)}:${norm(q)}`);
  const got = shown.map(([p, q]) => `${norm(p)}:${norm(q)}`);
  assert(JSON.stringify(got) === JSON.stringify(want),
    `${side} on the page ${JSON.stringify(got)} != GET orderbook ${JSON.stringify(want)}`);
}

// Waits until the page's book is at the server's seq, then compares.
async function checkLadder(page) {
  const rest = await orderbook();
  await page.waitForFunction((seq) => Number(document.getElementById('ladder').dataset.seq) >= seq,
    rest.seq, { timeout: 5000 });
  const shown = await ladder(page);
  assert(shown.seq === rest.seq, `page book seq ${shown.seq}, server ${rest.seq}`);
  assert(shown.checksum === rest.checksum, `page checksum ${shown.checksum}, server ${rest.checksum}`);
  sameLevels(shown.bids, rest.bids, 'bids');
  sameLevels(shown.asks, rest.asks, 'asks');
  return rest;
}

async function main(page, problems) {
  const response = await page.goto(`${cfg.base_url}/`);
  assert(response.status() === 200, `GET / answered ${response.status()}`);
  await live(page);

  // The page's own checks, on the worked examples of docs/asyncapi.yaml.
  const crc = await page.evaluate(() => [window.naxMarket.crc32('123456789'),
    window.naxMarket.crc32('97250.5:0.015|97249:1.25|97200:0.5#97251:0.4|97260.1:2')]);
  assert(crc[0] === 3421780262 && crc[1] === 1284684486, `page CRC-32 gives ${crc}`);

  const before = await checkLadder(page);
  const tradesBefore = await page.locator('#trades-body tr').count();

  const sent = Date.now();
  const r = await post('/v1/orders', cfg.order, cfg.token);
  assert(r.status === 201, `POST /v1/orders answered ${r.status}: ${r.text}`);
  const { price, quantity } = cfg.order;
  await page.waitForFunction(([n, p, q]) => {
    const rows = document.querySelectorAll('#trades-body tr');
    if (rows.length <= n && rows.length < 50) return false;
    const top = rows[0].children;
    return top[1].textContent === p && top[2].textContent === q;
  }, [tradesBefore, price, quantity], { timeout: TRADE_SHOWN_WITHIN_MS, polling: 'raf' });
  const shownAfterMs = Date.now() - sent;

  const after = await checkLadder(page);
  assert(after.seq > before.seq, 'the trade did not move the book');
  const last = await page.locator('#ticker-last').textContent();
  assert(norm(last) === norm(price), `ticker last ${last}, trade at ${price}`);
  const announced = await page.locator('#trade-announcer').textContent();
  assert(announced.includes(price), `the live region says "${announced}"`);
  const healed = await selfHealing(page);
  // The reconnect's closed socket is the only console error a browser may log.
  const unexpected = problems.filter((p) => !p.includes('WebSocket'));
  assert(unexpected.length === 0, `console errors: ${unexpected.join('; ')}`);
  return { shown_after_ms: shownAfterMs, seq_before: before.seq, seq_after: after.seq, ...healed };
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'],
  headless: true });
let status = 1;
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 820 } });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  try {
    const result = await main(page, problems);
    console.log(JSON.stringify({ ok: true, ...result }));
    status = 0;
  } catch (e) {
    console.log(JSON.stringify({ ok: false, error: String(e.stack || e) }));
  } finally {
    await page.screenshot({ path: cfg.screenshot, fullPage: true });
  }
} finally {
  await browser.close();
}
process.exit(status);

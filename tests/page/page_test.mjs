// The browser half of the live market page test (test_page.py starts naxd,
// prepares the market and runs this): Debian's chromium, headless, through
// playwright-core.
//
//   node page_test.mjs '{"base_url":..., "token":..., "order":{...}, "screenshot":...}'
//
// Opens naxd's page, waits for it to go live, checks the ladder against GET
// orderbook, places the crossing order over REST and checks that its trade is
// on the page within 1 s, that the ladder then matches GET orderbook again and
// that the ticker shows the trade; saves a screenshot. Prints one JSON line
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
  await page.waitForSelector('body[data-state="live"]', { timeout: LIVE_TIMEOUT_MS });

  // The page's own checks, on the worked examples of docs/asyncapi.yaml.
  const crc = await page.evaluate(() => [window.naxMarket.crc32('123456789'),
    window.naxMarket.crc32('97250.5:0.015|97249:1.25|97200:0.5#97251:0.4|97260.1:2')]);
  assert(crc[0] === 3421780262 && crc[1] === 1284684486, `page CRC-32 gives ${crc}`);

  const before = await checkLadder(page);
  const tradesBefore = await page.locator('#trades-body tr').count();

  const sent = Date.now();
  const r = await fetch(`${cfg.base_url}/v1/orders`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${cfg.token}`,
      'Idempotency-Key': randomUUID() },
    body: JSON.stringify(cfg.order),
  });
  assert(r.status === 201, `POST /v1/orders answered ${r.status}: ${await r.text()}`);
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
  assert(problems.length === 0, `console errors: ${problems.join('; ')}`);
  return { shown_after_ms: shownAfterMs, seq_before: before.seq, seq_after: after.seq };
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

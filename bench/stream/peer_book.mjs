// Node peer of the client-side book benchmark (bench/stream/book_apply.c run).
//
//   node peer_book.mjs FILE [REPEATS] [STEP]
//
// With STEP 1, each pass waits for a line on stdin and prints its own line.
//
// Per message, the same work as libnax: JSON.parse, check the seq, apply the
// levels to a sorted array per side (binary search on exact decimal string
// comparison, the algorithm of naxd's live page, server/app/page/market.js),
// and compare the CRC-32 of the top-25 text (docs/asyncapi.yaml) with the
// message's checksum. Prints one key=value line with the median of REPEATS
// passes after a warm-up pass (process CPU time).
import { readFileSync, readSync, writeSync } from 'node:fs';

function normalize(text) {
  let s = text;
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

function compareDecimal(a, b) {
  const [ai, af = ''] = a.split('.');
  const [bi, bf = ''] = b.split('.');
  if (ai.length !== bi.length) return ai.length < bi.length ? -1 : 1;
  if (ai !== bi) return ai < bi ? -1 : 1;
  const n = Math.max(af.length, bf.length);
  const pa = af.padEnd(n, '0'), pb = bf.padEnd(n, '0');
  return pa === pb ? 0 : (pa < pb ? -1 : 1);
}

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(ascii) {
  let c = 0xffffffff;
  for (let i = 0; i < ascii.length; i++) c = CRC_TABLE[(c ^ ascii.charCodeAt(i)) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function setLevel(levels, best, price, qty) {
  const key = normalize(price);
  let lo = 0, hi = levels.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (best(levels[mid].key, key) < 0) lo = mid + 1; else hi = mid;
  }
  const found = lo < levels.length && levels[lo].key === key;
  const q = normalize(qty);
  if (q === '0') {
    if (found) levels.splice(lo, 1);
  } else if (found) {
    levels[lo].text = `${key}:${q}`;
  } else {
    levels.splice(lo, 0, { key, text: `${key}:${q}` }); // the checksum's "price:qty", kept
  }
}

const bidFirst = (a, b) => compareDecimal(b, a);
const askFirst = compareDecimal;
const top = (levels) => levels.slice(0, 25).map((l) => l.text).join('|');

function replay(lines) {
  let bids = [], asks = [], seq = null;
  const start = process.cpuUsage();
  for (const text of lines) {
    const msg = JSON.parse(text);
    if (msg.type === 'snapshot') {
      bids = [];
      asks = [];
    } else if (msg.seq !== seq + 1) {
      throw new Error(`seq gap at ${msg.seq}`);
    }
    for (const [p, q] of msg.bids || []) setLevel(bids, bidFirst, p, q);
    for (const [p, q] of msg.asks || []) setLevel(asks, askFirst, p, q);
    seq = msg.seq;
    if (crc32(`${top(bids)}#${top(asks)}`) !== msg.checksum) throw new Error(`checksum mismatch at ${seq}`);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) * 1000; // ns
}

// Blocks until a line arrives on stdin; false at its end.
function nextStep() {
  const byte = Buffer.alloc(1);
  for (;;) {
    let got;
    try {
      got = readSync(0, byte, 0, 1, null);
    } catch (e) {
      if (e.code === 'EAGAIN') continue;
      throw e;
    }
    if (got === 0) return false;
    if (byte[0] === 10) return true;
  }
}

const [file, repeatsArg, stepArg] = process.argv.slice(2);
const repeats = Number(repeatsArg || 5);
const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length);
replay(lines); // warm-up (and the JIT)
if (stepArg === '1') {
  const snap = replay(lines.slice(0, 1));
  for (let r = 1; r <= repeats && nextStep(); r++) {
    const per = (replay(lines) - snap) / (lines.length - 1);
    writeSync(1, `impl=node pass=${r} messages=${lines.length - 1} ns_per_msg=${per.toFixed(1)} ` +
      `msgs_per_s=${Math.round(1e9 / per)}\n`);
  }
  process.exit(0);
}
const passes = Array.from({ length: repeats }, () => replay(lines)).sort((a, b) => a - b);
const full = passes[Math.floor(repeats / 2)];
const snap = replay(lines.slice(0, 1));
const per = (full - snap) / (lines.length - 1);
console.log(`impl=node messages=${lines.length - 1} repeats=${repeats} ns_per_msg=${per.toFixed(1)} ` +
  `msgs_per_s=${Math.round(1e9 / per)}`);

// The Node `ws` side of the stream interop test (test_node_ws.py drives it).
//
//   node interop_ws.mjs ws://127.0.0.1:PORT/v1/stream
//
// An independent subscriber written from docs/asyncapi.yaml: it keeps the
// order book of every book:{pair} message it reads (prices compared as exact
// decimal strings) and recomputes each message's CRC-32 checksum itself.
// Protocol with the driver, one JSON object per line:
//   stdin:  {"send": {...op...}}  sends the op as a text frame
//           {"dump": "BTC-AUD"}    prints the local book of that pair
//           end of input           closes the connection (1000) and exits
//   stdout: {"event":"open"} | {"event":"recv","msg":{...},"book":{seq,checksum,ok}}
//           | {"event":"book","pair","seq","bids","asks","checksum"}
//           | {"event":"closed","code":N} | {"event":"error","message":"..."}
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const out = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

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

function crc32(text) {
  let c = 0xffffffff;
  for (let i = 0; i < text.length; i++) c = CRC_TABLE[(c ^ text.charCodeAt(i)) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// pair -> { seq, bids: Map(normalized price -> [price, qty]), asks: Map }
const books = new Map();

function sorted(side, descending) {
  return [...side.entries()]
    .sort(([a], [b]) => (descending ? compareDecimal(b, a) : compareDecimal(a, b)))
    .map(([, level]) => level);
}

function checksum(book) {
  const text = (levels) => levels.slice(0, 25).map(([p, q]) => `${normalize(p)}:${normalize(q)}`).join('|');
  return crc32(`${text(sorted(book.bids, true))}#${text(sorted(book.asks, false))}`);
}

function applyBook(msg) {
  const pair = msg.channel.slice('book:'.length);
  if (msg.type === 'snapshot') books.set(pair, { seq: 0, bids: new Map(), asks: new Map() });
  const book = books.get(pair);
  const gap = msg.type === 'update' && msg.seq !== book.seq + 1;
  for (const [side, levels] of [[book.bids, msg.bids || []], [book.asks, msg.asks || []]]) {
    for (const [price, qty] of levels) {
      if (normalize(qty) === '0') side.delete(normalize(price));
      else side.set(normalize(price), [price, qty]);
    }
  }
  book.seq = msg.seq || 0;
  const computed = checksum(book);
  return { seq: book.seq, checksum: computed, ok: !gap && computed === msg.checksum, gap };
}

const ws = new WebSocket(process.argv[2], { perMessageDeflate: false });
ws.on('open', () => out({ event: 'open' }));
ws.on('message', (data, isBinary) => {
  if (isBinary) {
    out({ event: 'error', message: 'a binary frame' });
    return;
  }
  const msg = JSON.parse(data.toString());
  const line = { event: 'recv', msg };
  if (typeof msg.channel === 'string' && msg.channel.startsWith('book:') &&
      (msg.type === 'snapshot' || msg.type === 'update')) line.book = applyBook(msg);
  out(line);
});
ws.on('close', (code) => {
  out({ event: 'closed', code });
  process.exit(0);
});
ws.on('error', (e) => out({ event: 'error', message: String(e.message || e) }));

const rl = createInterface({ input: process.stdin });
rl.on('line', (text) => {
  const cmd = JSON.parse(text);
  if (cmd.send) ws.send(JSON.stringify(cmd.send));
  if (cmd.dump) {
    const b = books.get(cmd.dump);
    out(b ? { event: 'book', pair: cmd.dump, seq: b.seq, bids: sorted(b.bids, true),
      asks: sorted(b.asks, false), checksum: checksum(b) } : { event: 'book', pair: cmd.dump });
  }
});
rl.on('close', () => ws.close(1000, 'done'));

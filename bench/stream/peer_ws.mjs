// The Node `ws` peer of the stream fan-out benchmark: a broadcast server that
// speaks enough of /v1/stream (subscribe/ping ops with acks, a ticker and a
// trades snapshot) and publishes the same JSON bytes naxd does, on the same
// control endpoints as naxd's POST /admin/stream-bench (see fanout_load.c).
//
//   node peer_ws.mjs <port> <trade.json> <ticker.json>
//
// trade.json and ticker.json are messages naxd sent (captured by
// `fanout_load --capture`); the peer sends them again with their "seq", "ts"
// and trade "id" members replaced, exactly as naxd fills them. Each message
// is turned into bytes once and the same Buffer goes to every subscriber, the
// documented way to broadcast with `ws`.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { WebSocketServer } from 'ws';

const [port, tradeFile, tickerFile] = process.argv.slice(2);

// A template: the literal pieces between the variable members.
function compile(text) {
  const parts = [];
  const re = /("seq":)\d+|("ts":)\d+|("id":"bench-)\d+/g;
  let last = 0;
  for (let m; (m = re.exec(text));) {
    const head = m[1] || m[2] || m[3];
    parts.push(text.slice(last, m.index) + head);
    parts.push(m[1] ? 'seq' : m[2] ? 'ts' : 'id');
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return (values) => {
    let out = parts[0];
    for (let i = 1; i < parts.length; i += 2) out += values[parts[i]] + parts[i + 1];
    return out;
  };
}

const tradeText = readFileSync(tradeFile, 'utf8').trim();
const tickerText = readFileSync(tickerFile, 'utf8').trim();
const tradeMsg = compile(tradeText);
const tickerMsg = compile(tickerText);
const tickerSnapshot = compile(tickerText.replace('"type":"update"', '"type":"snapshot"'));
const pair = /"channel":"trades:([^"]+)"/.exec(tradeText)[1];
const tradesChannel = `trades:${pair}`;
const tickerChannel = `ticker:${pair}`;

const subscribers = { [tradesChannel]: new Set(), [tickerChannel]: new Set() };
let tradeSeq = 1;
let tickerSeq = 1;

function broadcast(set, text) {
  const bytes = Buffer.from(text);
  for (const ws of set) ws.send(bytes, { binary: false });
}

// ---- the stream protocol, as much as the benchmark uses --------------------

function onOp(ws, raw) {
  let op;
  try {
    op = JSON.parse(raw);
  } catch {
    return;
  }
  ws.send(JSON.stringify({ op: op.op, id: op.id, ok: true }));
  if (op.op === 'subscribe') {
    for (const ch of op.channels || []) {
      if (!subscribers[ch]) continue;
      subscribers[ch].add(ws);
      const ts = Date.now();
      if (ch === tickerChannel) ws.send(tickerSnapshot({ seq: tickerSeq, ts }));
      else ws.send(`{"channel":"${ch}","type":"snapshot","seq":${tradeSeq},"ts":${ts},"trades":[]}`);
    }
  } else if (op.op === 'unsubscribe') {
    for (const ch of op.channels || []) subscribers[ch]?.delete(ws);
  }
}

// ---- the benchmark run: as naxd's h_bench.c ---------------------------------

let bench = null;

function publish(i) {
  const ts = Date.now();
  if (i % 2 === 0) {
    const id = process.hrtime.bigint(); // CLOCK_MONOTONIC ns on Linux, as naxd's
    broadcast(subscribers[tradesChannel], tradeMsg({ seq: ++tradeSeq, ts, id }));
  } else {
    broadcast(subscribers[tickerChannel], tickerMsg({ seq: ++tickerSeq, ts }));
  }
}

function pump() {
  const b = bench;
  if (!b) return;
  if (b.rate > 0) {
    const elapsed = () => Number(process.hrtime.bigint() - b.start);
    const due = Math.min(b.count, Math.floor((elapsed() * b.rate) / 1e9) + 1);
    while (b.published < due) publish(b.published++);
    // Sleep until the next message falls due (whole ms), as naxd does.
    const wait = Math.ceil(((b.published * 1e9) / b.rate - elapsed()) / 1e6);
    if (b.published < b.count) setTimeout(pump, Math.max(0, wait));
  } else {
    const until = Math.min(b.count, b.allowed);
    while (b.published < until) publish(b.published++);
  }
  if (b.published >= b.count) bench = null;
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
  });
}

const server = http.createServer(async (req, res) => {
  const body = req.method === 'POST' ? JSON.parse((await readBody(req)) || '{}') : {};
  if (req.method === 'POST' && req.url === '/admin/stream-bench') {
    bench = {
      rate: body.rate, count: body.count, window: body.window || 1000,
      allowed: body.window || 1000, published: 0, start: process.hrtime.bigint(),
    };
    res.writeHead(202, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ pair, rate: body.rate, count: body.count }));
    setImmediate(pump);
  } else if (req.method === 'POST' && req.url === '/admin/stream-bench/ack') {
    if (bench) bench.allowed = body.delivered + bench.window;
    res.writeHead(204);
    res.end();
    pump();
  } else {
    res.writeHead(404);
    res.end();
  }
});

const wss = new WebSocketServer({ server, path: '/v1/stream', perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data) => onOp(ws, data.toString()));
  ws.on('close', () => {
    for (const set of Object.values(subscribers)) set.delete(ws);
  });
});
server.listen(Number(port), '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));

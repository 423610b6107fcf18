// The live market page: one WebSocket to /v1/stream (docs/asyncapi.yaml) with
// the ticker, the last trades and a local order book checked by seq and CRC-32.
// No framework; prices stay decimal strings (exact BigInt arithmetic for sums).
'use strict';

(() => {
  const LADDER_DEPTH = 15;      // levels shown per side
  const CHECKSUM_DEPTH = 25;    // levels per side the checksum covers
  const TRADES_KEPT = 50;
  const PING_MS = 15000;        // a ping op this often ...
  const MISSED_PONGS = 2;       // ... and this many unanswered mean dead
  const BACKOFF_MIN_MS = 1000;
  const BACKOFF_MAX_MS = 30000;

  const pair = pairFromQuery() || 'BTC-AUD';
  const [base, quote] = pair.split('-');
  const channels = { ticker: `ticker:${pair}`, trades: `trades:${pair}`, book: `book:${pair}` };

  // ---- exact decimals --------------------------------------------------------

  // The checksum's form: trailing zeros after the point dropped, then a bare
  // point ("97249.00" -> "97249", "0.01500000" -> "0.015"); also the level key.
  function normalize(text) {
    let s = String(text);
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
    s = s.replace(/^0+(?=\d)/, '');
    return s === '' ? '0' : s;
  }

  // Compares two normalized non-negative decimals: -1, 0 or 1.
  function compareDecimal(a, b) {
    const [ai, af = ''] = a.split('.');
    const [bi, bf = ''] = b.split('.');
    if (ai.length !== bi.length) return ai.length < bi.length ? -1 : 1;
    if (ai !== bi) return ai < bi ? -1 : 1;
    const n = Math.max(af.length, bf.length);
    const pa = af.padEnd(n, '0'), pb = bf.padEnd(n, '0');
    return pa === pb ? 0 : (pa < pb ? -1 : 1);
  }

  function scaleOf(text) {
    const dot = text.indexOf('.');
    return dot < 0 ? 0 : text.length - dot - 1;
  }

  // text as an integer count of 10^-scale units.
  function toUnits(text, scale) {
    const [i, f = ''] = text.split('.');
    return BigInt(i + f.padEnd(scale, '0').slice(0, scale));
  }

  function fromUnits(units, scale) {
    const neg = units < 0n;
    let digits = (neg ? -units : units).toString().padStart(scale + 1, '0');
    if (scale) digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    return (neg ? '-' : '') + digits;
  }

  // ---- CRC-32 (zlib, reflected 0xEDB88320) -------------------------------------

  const CRC_TABLE = (() => {
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      t[n] = c >>> 0;
    }
    return t;
  })();

  function crc32(ascii) {
    let c = 0xffffffff;
    for (let i = 0; i < ascii.length; i++) c = CRC_TABLE[(c ^ ascii.charCodeAt(i)) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  }

  // ---- the local book ------------------------------------------------------------

  // A side is an array of {key, price, qty}, best first.
  const book = { bids: [], asks: [], seq: null, synced: false, checksum: null };

  function bestFirst(side) {
    return side === 'bids' ? (a, b) => compareDecimal(b, a) : (a, b) => compareDecimal(a, b);
  }

  function setLevel(side, price, qty) {
    const levels = book[side], cmp = bestFirst(side), key = normalize(price);
    let lo = 0, hi = levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(levels[mid].key, key) < 0) lo = mid + 1; else hi = mid;
    }
    const found = lo < levels.length && levels[lo].key === key;
    if (normalize(qty) === '0') {
      if (found) levels.splice(lo, 1);
    } else if (found) {
      levels[lo].qty = qty;
    } else {
      levels.splice(lo, 0, { key, price, qty });
    }
  }

  function checksumText() {
    const side = (levels) => levels.slice(0, CHECKSUM_DEPTH)
      .map((l) => `${l.key}:${normalize(l.qty)}`).join('|');
    return `${side(book.bids)}#${side(book.asks)}`;
  }

  // Applies a snapshot or an update; false when the result is not the server's book.
  function applyBook(msg) {
    if (msg.type === 'snapshot') {
      book.bids = [];
      book.asks = [];
    } else if (!book.synced) {
      return true; // an update of a subscription we are replacing: wait for the snapshot
    } else if (msg.seq !== book.seq + 1) {
      resyncBook(`sequence gap: expected ${book.seq + 1}, got ${msg.seq}`);
      return false;
    }
    for (const [price, qty] of msg.bids || []) setLevel('bids', price, qty);
    for (const [price, qty] of msg.asks || []) setLevel('asks', price, qty);
    book.seq = msg.seq || 0; // an untouched book has seq 0, which the codec leaves out
    book.checksum = crc32(checksumText());
    if (book.checksum !== msg.checksum) {
      resyncBook(`checksum mismatch at seq ${msg.seq}`);
      return false;
    }
    if (!book.synced) {
      book.synced = true;
      setState('live');
    }
    return true;
  }

  // ---- the connection ------------------------------------------------------------

  let ws = null;
  let nextId = 1;
  let attempt = 0;
  let unansweredPings = 0;
  let pingTimer = null;
  let reconnectTimer = null;
  let subscribed = false;
  const trades = [];
  let ticker = null;
  const stats = { resyncs: 0, reconnects: 0 }; // for the curious, and the page test

  function streamUrl() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/v1/stream`;
  }

  function send(op, extra) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify({ op, id: nextId++, ...extra }));
  }

  function connect() {
    reconnectTimer = null;
    setState('connecting');
    subscribed = false;
    book.synced = false;
    ws = new WebSocket(streamUrl());
    ws.onopen = () => {
      unansweredPings = 0;
      send('subscribe', { channels: [channels.ticker, channels.trades, channels.book] });
      pingTimer = setInterval(heartbeat, PING_MS);
    };
    ws.onmessage = (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch (e) {
        return; // not ours to fix; the next snapshot or resync will
      }
      if (msg.op) onAck(msg); else onChannelMessage(msg);
    };
    ws.onclose = () => {
      clearInterval(pingTimer);
      ws = null;
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    if (reconnectTimer) return;
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
    const delay = Math.round(cap / 2 + Math.random() * cap / 2); // jittered, never a stampede
    attempt++;
    stats.reconnects++;
    setState('reconnecting', `reconnecting in ${Math.ceil(delay / 1000)} s`);
    reconnectTimer = setTimeout(connect, delay);
  }

  function heartbeat() {
    if (unansweredPings >= MISSED_PONGS) {
      ws.close(); // dead: onclose reconnects
      return;
    }
    unansweredPings++;
    send('ping');
  }

  function resubscribe(channel) {
    send('unsubscribe', { channels: [channel] });
    send('subscribe', { channels: [channel] });
  }

  function resyncBook(why) {
    stats.resyncs++;
    book.synced = false;
    setState('resyncing', why);
    resubscribe(channels.book);
  }

  function onAck(msg) {
    if (msg.op === 'ping') {
      unansweredPings = 0;
      return;
    }
    if (!msg.ok) {
      const e = msg.error || {};
      setState('error', `${msg.op} refused: ${e.code || 'error'} ${e.message || ''}`.trim());
      return;
    }
    if (msg.op === 'subscribe' && !subscribed) subscribed = true;
  }

  function onChannelMessage(msg) {
    if (msg.type === 'lagging') {
      // The server dropped messages of this channel for us: take a fresh snapshot.
      if (msg.channel === channels.book) resyncBook('the server reported lagging');
      else resubscribe(msg.channel);
      return;
    }
    if (msg.type === 'error') {
      setState('error', (msg.error && msg.error.message) || 'stream error');
      return;
    }
    switch (msg.channel) {
      case channels.book:
        applyBook(msg);
        break;
      case channels.ticker:
        ticker = msg.ticker;
        break;
      case channels.trades:
        onTrades(msg);
        break;
      default:
        return;
    }
    scheduleRender();
  }

  function onTrades(msg) {
    if (msg.type === 'snapshot') trades.length = 0;
    for (const t of msg.trades || []) trades.unshift(t); // oldest first in, newest first kept
    trades.length = Math.min(trades.length, TRADES_KEPT);
    const newest = msg.type === 'update' && msg.trades && msg.trades[msg.trades.length - 1];
    if (newest) {
      $('trade-announcer').textContent =
        `${newest.side} ${newest.quantity} ${base} at ${newest.price} ${quote}`;
    }
  }

  // ---- state and rendering -------------------------------------------------------

  function $(id) {
    return document.getElementById(id);
  }

  function setState(state, detail) {
    if (state === 'live') attempt = 0;
    document.body.dataset.state = state;
    const text = {
      connecting: 'Connecting\u2026',
      live: 'Live',
      resyncing: 'Resyncing the book\u2026',
      reconnecting: 'Disconnected',
      error: 'Error',
    }[state];
    $('status').textContent = detail ? `${text}: ${detail}` : text;
  }

  let renderQueued = false;
  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    // Hidden tabs get no animation frames; a timer keeps them current.
    if (document.hidden) setTimeout(render, 50); else requestAnimationFrame(render);
  }

  function cell(text) {
    const td = document.createElement('td');
    td.textContent = text;
    return td;
  }

  // The price is the row's header, with its side spelled out for screen
  // readers (the colour alone says it to everyone else).
  function priceHeader(side, price) {
    const th = document.createElement('th');
    th.scope = 'row';
    const label = document.createElement('span');
    label.className = 'visually-hidden';
    label.textContent = side === 'asks' ? 'Ask ' : 'Bid ';
    th.append(label, price);
    return th;
  }

  function renderSide(tbody, side, levels, totals, scale, maxTotal) {
    const rows = levels.map((l, i) => {
      const tr = document.createElement('tr');
      tr.dataset.price = l.price;
      tr.dataset.size = l.qty;
      const depth = maxTotal > 0n ? Number((totals[i] * 1000n) / maxTotal) / 1000 : 0;
      tr.style.setProperty('--depth', String(depth));
      tr.append(priceHeader(side, l.price), cell(l.qty), cell(fromUnits(totals[i], scale)));
      return tr;
    });
    // Asks highest first, so that both best prices meet at the spread.
    tbody.replaceChildren(...(side === 'asks' ? rows.reverse() : rows));
  }

  function renderBook() {
    const bids = book.bids.slice(0, LADDER_DEPTH), asks = book.asks.slice(0, LADDER_DEPTH);
    const scale = [...bids, ...asks].reduce((s, l) => Math.max(s, scaleOf(l.qty)), 0);
    const running = (levels) => {
      let total = 0n;
      return levels.map((l) => (total += toUnits(l.qty, scale)));
    };
    const bidTotals = running(bids), askTotals = running(asks);
    const deepest = (totals) => (totals.length ? totals[totals.length - 1] : 0n);
    const maxTotal = deepest(bidTotals) > deepest(askTotals) ? deepest(bidTotals) : deepest(askTotals);
    renderSide($('asks'), 'asks', asks, askTotals, scale, maxTotal);
    renderSide($('bids'), 'bids', bids, bidTotals, scale, maxTotal);
    const bid = book.bids[0], ask = book.asks[0];
    if (bid && ask) {
      const s = Math.max(scaleOf(bid.price), scaleOf(ask.price));
      $('spread').textContent = `Spread ${fromUnits(toUnits(ask.price, s) - toUnits(bid.price, s), s)}`;
    } else {
      $('spread').textContent = 'Spread \u2013';
    }
    const ladder = $('ladder');
    if (book.seq !== null) {
      ladder.dataset.seq = String(book.seq);
      ladder.dataset.checksum = String(book.checksum);
      $('book-seq').textContent = `seq ${book.seq} \u00b7 checksum ${book.checksum} ` +
        (book.synced ? 'verified' : 'awaiting a fresh snapshot');
    }
  }

  function renderTicker() {
    if (!ticker) return;
    for (const [id, key] of [['ticker-last', 'last'], ['ticker-bid', 'bid'], ['ticker-ask', 'ask'],
      ['ticker-volume', 'volume_24h']]) {
      $(id).textContent = ticker[key] === undefined ? '\u2013' : ticker[key];
    }
  }

  function renderTrades() {
    const rows = trades.map((t) => {
      const tr = document.createElement('tr');
      tr.dataset.id = t.id;
      tr.className = t.side;
      const time = new Date(t.ts).toLocaleTimeString([], { hour12: false });
      tr.append(cell(time), cell(t.price), cell(t.quantity), cell(t.side));
      return tr;
    });
    $('trades-body').replaceChildren(...rows);
  }

  function render() {
    renderQueued = false;
    renderBook();
    renderTicker();
    renderTrades();
  }

  function pairFromQuery() {
    const p = new URLSearchParams(location.search).get('pair');
    return p && /^[A-Z0-9]{2,12}-[A-Z0-9]{2,12}$/.test(p) ? p : null;
  }

  function start() {
    document.title = `${pair} \u00b7 NA-X market`;
    $('pair').textContent = pair;
    for (const el of document.querySelectorAll('.base')) el.textContent = base;
    for (const el of document.querySelectorAll('.quote')) el.textContent = quote;
    connect();
  }

  // For tests and the curious: the checks the page runs, reusable from the console.
  window.naxMarket = { normalize, compareDecimal, crc32, checksumText, book, trades, stats };

  start();
})();

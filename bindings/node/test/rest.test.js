'use strict';
// Every endpoint group of nax/api.h through the binding, against a real naxd.
// Results are compared with what naxd answers over plain HTTP where the exact
// bytes matter (decimal strings).

const assert = require('node:assert/strict');
const { after, before, test } = require('node:test');
const nax = require('..');
const { Naxd, PASSWORD, expect, totp, steadyTotpStep } = require('../testlib/naxd');

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA6' +
  '0e6kgAAAABJRU5ErkJggg==';
const BTC_DEST = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';
const DEC = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

let naxd;
const clients = [];

function client(opts = {}) {
  const c = new nax.Client({ url: naxd.url, ...opts });
  clients.push(c);
  return c;
}

// A verified user with AUD and BTC, logged in through the binding.
async function trader(aud = '100000.00', btc = '5.00000000') {
  const u = await naxd.user();
  await naxd.fundFiat(u, 'AUD', aud);
  await naxd.fundCrypto(u, 'BTC', btc);
  const c = client();
  await c.login(u.email, u.password);
  return { user: u, client: c };
}

before(async () => {
  naxd = await new Naxd().start();
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await naxd.stop();
});

test('markets, time and health need no credentials', async () => {
  const c = client();
  const { markets } = await c.markets.list();
  assert.deepEqual(markets.map((m) => m.pair).sort(), ['BTC-AUD', 'BTC-USD', 'ETH-AUD', 'ETH-USD']);
  const m = await c.markets.get('BTC-AUD');
  assert.equal(m.base, 'BTC');
  assert.equal(m.quote, 'AUD');
  assert.equal(m.tick_size, '0.01');
  assert.equal(m.lot_size, '0.00000001');
  assert.equal(m.min_notional, '10.00');
  assert.equal(m.status, 'active');

  const t = await c.markets.ticker('ETH-AUD');
  assert.equal(t.pair, 'ETH-AUD');
  assert.match(t.volume_24h, DEC);
  const book = await c.markets.orderbook('BTC-AUD', 5);
  assert.equal(book.pair, 'BTC-AUD');
  assert.ok(Array.isArray(book.bids) && Array.isArray(book.asks));
  assert.equal(typeof book.checksum, 'number');
  const trades = await c.markets.trades('BTC-AUD', 10);
  assert.ok(Array.isArray(trades.trades));
  const time = await c.markets.time();
  assert.ok(Number.isSafeInteger(time.server_time) && time.server_time > 1.6e12);
  const h = await c.health();
  assert.equal(h.status, 'ok');
  assert.equal(h.store, 'ok');
  assert.equal(typeof await c.syncClock(), 'number');
  assert.equal(typeof c.clockOffset(), 'number');
  assert.equal(c.breakerStatus('market_data').state, 'closed');
});

test('register, log in, profile, KYC, API keys, refresh and logout', async () => {
  const c = client();
  const email = `node-reg-${Date.now()}@example.com`;
  const profile = await c.auth.register({ email, password: PASSWORD, full_name: 'Ada Node', country: 'AU' });
  assert.equal(profile.email, email);
  assert.equal(profile.kyc_status, 'unverified');

  const token = await c.login(email, PASSWORD);
  assert.equal(token.token_type, 'Bearer');
  assert.ok(token.access_token.split('.').length === 3);

  const me = await c.users.profile();
  assert.equal(me.id, profile.id);
  assert.equal(me.full_name, 'Ada Node');
  const updated = await c.users.updateProfile({ full_name: 'Ada Lovelace', phone: '+61400000000' });
  assert.equal(updated.full_name, 'Ada Lovelace');
  assert.equal(updated.phone, '+61400000000');

  assert.equal((await c.users.kycStatus()).status, 'unverified');
  const doc = await c.users.uploadKycDocument({
    document_type: 'passport', file_name: 'scan.png', content_type: 'image/png',
    content_base64: PNG,
  });
  assert.equal(doc.document_type, 'passport');
  assert.equal(doc.status, 'pending');
  assert.equal(doc.size_bytes, 70);
  assert.equal((await c.users.kycStatus()).status, 'pending');

  const key = await c.apiKeys.create({ label: 'node bot', scopes: ['read', 'trade'] });
  assert.equal(key.label, 'node bot');
  assert.deepEqual(key.scopes, ['read', 'trade']);
  assert.ok(key.secret);
  const { api_keys: keys } = await c.apiKeys.list();
  const listed = keys.find((k) => k.id === key.id);
  assert.ok(listed && listed.secret === undefined);

  // The key signs requests of its own client.
  const bot = client({ apiKey: key.id, apiSecret: key.secret });
  assert.equal((await bot.users.profile()).id, profile.id);
  await c.apiKeys.delete(key.id);
  await assert.rejects(bot.users.profile(), (e) => e instanceof nax.AuthenticationError &&
    e.httpStatus === 401);
  await assert.rejects(c.apiKeys.delete(key.id), nax.NotFoundError);

  const again = await c.auth.refresh();
  assert.notEqual(again.refresh_token, token.refresh_token);
  assert.equal((await c.users.profile()).id, profile.id);
  await c.auth.logout();
  await assert.rejects(c.users.profile(), nax.NaxError);
});

test('a client made with email and password logs in by itself', async () => {
  const u = await naxd.user();
  const c = client({ email: u.email, password: u.password });
  assert.equal((await c.users.profile()).id, u.id);
});

test('TOTP: enable, confirm, a login needs the code, disable', async () => {
  const u = await naxd.user();
  const c = client();
  await c.login(u.email, u.password);
  const setup = await c.auth.totpEnable();
  assert.match(setup.secret, /^[A-Z2-7]{32}$/);
  assert.ok(setup.otpauth_uri.startsWith('otpauth://totp/'));
  const step = await steadyTotpStep();
  await c.auth.totpConfirm(totp(setup.secret, (step - 1) * 30));
  assert.equal((await c.users.profile()).totp_enabled, true);

  const other = client();
  await assert.rejects(other.login(u.email, u.password), (e) =>
    e instanceof nax.AuthenticationError && e.serverCode === 'totp_required' &&
    e.field === 'totp_code');
  await other.login(u.email, u.password, totp(setup.secret, step * 30));
  await other.auth.totpDisable(totp(setup.secret, (step + 1) * 30));
  assert.equal((await other.users.profile()).totp_enabled, false);
});

test('orders: place, get, by client id, list, cancel, cancel all; exact decimals', async () => {
  const { user, client: c } = await trader();
  const placed = await c.orders.place({
    pair: 'BTC-AUD', side: 'buy', type: 'limit', price: '50123.45', quantity: '0.00120000',
    time_in_force: 'GTC', post_only: true, client_order_id: 'node-order-1',
  });
  assert.equal(placed.status, 'open');
  assert.equal(placed.client_order_id, 'node-order-1');
  // The strings are the server's own bytes, untouched by the binding.
  const raw = (await expect(naxd.http('GET', `/v1/orders/${placed.id}`, { token: user.token }),
    200)).json();
  assert.equal(placed.price, raw.price);
  assert.equal(placed.quantity, raw.quantity);
  assert.equal(placed.price, '50123.45');
  assert.equal(placed.quantity, '0.00120000');
  assert.equal(placed.filled_quantity, raw.filled_quantity);

  assert.deepEqual(await c.orders.get(placed.id), raw);
  assert.equal((await c.orders.getByClientId('node-order-1')).id, placed.id);
  await assert.rejects(c.orders.getByClientId('no-such-order'), (e) =>
    e instanceof nax.NotFoundError && e.field === 'client_order_id' && e.httpStatus === 0);

  // A Decimal is written as its string.
  const second = await c.orders.place({
    pair: 'ETH-AUD', side: 'buy', type: 'limit', price: new nax.Decimal('3000.10'),
    quantity: new nax.Decimal('0.5000'),
  });
  assert.equal(second.price, '3000.10');
  const open = await c.orders.list({ status: 'open' });
  assert.deepEqual(open.orders.map((o) => o.id).sort(), [placed.id, second.id].sort());
  const eth = await c.orders.list({ pair: 'ETH-AUD' });
  assert.deepEqual(eth.orders.map((o) => o.id), [second.id]);

  const cancelled = await c.orders.cancel(placed.id);
  assert.equal(cancelled.status, 'cancelled');
  await assert.rejects(c.orders.cancel(placed.id), (e) => e instanceof nax.ConflictError &&
    e.httpStatus === 409 && e.serverCode === 'order_closed');
  const all = await c.orders.cancelAll();
  assert.deepEqual(all.cancelled, [second.id]);
  assert.deepEqual((await c.orders.cancelAll('BTC-AUD')).cancelled, []);
});

test('a trade: fills in the history, balances move exactly', async () => {
  const maker = await trader();
  const taker = await trader();
  const before = await taker.client.wallets.balances();
  const aud = (b) => b.balances.find((x) => x.asset === 'AUD');
  assert.equal(aud(before).available, '100000.00');

  await maker.client.orders.place({ pair: 'BTC-AUD', side: 'sell', type: 'limit', price: '60000.00', quantity: '0.25000000' });
  const buy = await taker.client.orders.place({ pair: 'BTC-AUD', side: 'buy', type: 'limit', price: '60000.00', quantity: '0.25000000' });
  assert.equal(buy.status, 'filled');
  assert.equal(buy.average_price, '60000.00');

  const { fills } = await taker.client.trades.history({ pair: 'BTC-AUD' });
  assert.equal(fills.length, 1);
  assert.equal(fills[0].order_id, buy.id);
  assert.equal(fills[0].liquidity, 'taker');
  assert.equal(fills[0].quantity, '0.25000000');
  const rawFills = (await expect(naxd.http('GET', '/v1/trades/history',
    { token: taker.user.token }), 200)).json();
  assert.deepEqual(fills, rawFills.fills);
  // 100000.00 - 0.25 x 60000.00 - 0.2 % taker fee of 15000.00 = 84970, to the
  // last digit of the scale naxd keeps.
  const afterB = await taker.client.wallets.balances();
  assert.equal(aud(afterB).available, '84970.0000000000');
  const rawBalances = (await expect(naxd.http('GET', '/v1/wallets/balances',
    { token: taker.user.token }), 200)).json();
  assert.deepEqual(afterB, rawBalances);
  for (const b of afterB.balances) {
    const total = new nax.Decimal(b.available).add(b.locked);
    assert.ok(total.eq(b.total), `${b.asset}: ${b.available} + ${b.locked} != ${b.total}`);
  }
});

test('wallets: deposit address, withdraw, transactions', async () => {
  const { client: c } = await trader();
  const addr = await c.wallets.depositAddress({ asset: 'BTC' });
  assert.equal(addr.asset, 'BTC');
  assert.ok(addr.address.length > 10);
  assert.equal((await c.wallets.depositAddress({ asset: 'BTC' })).address, addr.address);
  const w = await c.wallets.withdraw({ asset: 'BTC', amount: '0.10000000', address: BTC_DEST });
  assert.equal(w.type, 'withdrawal');
  assert.equal(w.status, 'pending');
  assert.equal(w.amount, '0.10000000');
  const { transactions } = await c.wallets.transactions({ asset: 'BTC' });
  assert.deepEqual(transactions.map((t) => t.type).sort(), ['deposit', 'withdrawal']);
  const deposits = await c.wallets.transactions({ type: 'deposit' });
  assert.ok(deposits.transactions.every((t) => t.type === 'deposit'));
});

test('fiat: deposit, withdraw, transactions', async () => {
  const { client: c } = await trader('500.00');
  const dep = await c.fiat.deposit({ currency: 'AUD', amount: '250.50', method: 'payid' });
  assert.equal(dep.status, 'pending');
  assert.equal(dep.amount, '250.50');
  assert.ok(dep.reference);
  const wd = await c.fiat.withdraw({
    currency: 'AUD', amount: '100.25', method: 'bank_transfer', account_name: 'Ada Node',
    account_number: '12345678', bank_code: '062-000',
  });
  assert.equal(wd.type, 'withdrawal');
  assert.equal(wd.amount, '100.25');
  const { transactions } = await c.fiat.transactions({ asset: 'AUD' });
  assert.equal(transactions.length, 3);
  const ws = await c.fiat.transactions({ type: 'withdrawal' });
  assert.deepEqual(ws.transactions.map((t) => t.id), [wd.id]);
});

test('a closed client refuses calls and close() waits for the calls in flight', async () => {
  const c = new nax.Client({ url: naxd.url });
  const inFlight = c.markets.ticker('BTC-AUD');
  const closing = c.close();
  assert.equal(c.close(), closing);
  await assert.rejects(c.markets.ticker('BTC-AUD'), (e) => e instanceof nax.StateError &&
    e.code === 'NAX_ESTATE' && e.message === 'the client is closed');
  assert.equal((await inFlight).pair, 'BTC-AUD');
  await closing;
});

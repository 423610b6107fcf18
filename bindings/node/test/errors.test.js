'use strict';
// Error mapping: each failure is a NaxError subclass carrying the nax code
// name, the HTTP status, the server's code, the field and the request id.

const assert = require('node:assert/strict');
const { after, before, test } = require('node:test');
const nax = require('..');
const { Naxd, PASSWORD } = require('../testlib/naxd');

let naxd;
let anon;
let trader;

before(async () => {
  naxd = await new Naxd().start();
  anon = new nax.Client({ url: naxd.url });
  const u = await naxd.user();
  await naxd.fundFiat(u, 'AUD', '1000.00');
  trader = new nax.Client({ url: naxd.url, email: u.email, password: u.password });
});

after(async () => {
  await anon.close();
  await trader.close();
  await naxd.stop();
});

test('a server-side validation error names the field and the request', async () => {
  const err = await anon.auth.register({ email: `weak-${Date.now()}@example.com`, password: 'short' })
    .then(() => assert.fail('a weak password was accepted'), (e) => e);
  assert.ok(err instanceof nax.BadRequestError);
  assert.ok(err instanceof nax.NaxError && err instanceof Error);
  assert.equal(err.name, 'BadRequestError');
  assert.equal(err.code, 'NAX_EBADREQUEST');
  assert.equal(err.errno, -31);
  assert.equal(err.httpStatus, 422);
  assert.equal(err.serverCode, 'weak_password');
  assert.equal(err.field, 'password');
  assert.match(err.requestId, /\S{6,}/);
  assert.ok(err.message.length > 0);
  assert.ok(!err.message.includes('short'), 'the password is not echoed');
  assert.equal(err.transient, false);
});

test('an order that breaks the market rules fails before anything is sent', async () => {
  const err = await trader.orders.place({ pair: 'BTC-AUD', side: 'buy', type: 'limit',
    price: '100.001', quantity: '0.5' }).then(() => assert.fail('placed'), (e) => e);
  assert.ok(err instanceof nax.InvalidArgumentError);
  assert.equal(err.code, 'NAX_EINVAL');
  assert.equal(err.httpStatus, 0);
  assert.equal(err.field, 'price');
  assert.equal(err.requestId, null);
  // Funds are the server's check: 400/422 from naxd, with its request id.
  const poor = await trader.orders.place({ pair: 'BTC-AUD', side: 'buy', type: 'limit',
    price: '60000.00', quantity: '1.00000000' }).then(() => assert.fail('placed'), (e) => e);
  assert.ok(poor instanceof nax.BadRequestError);
  assert.ok([400, 422].includes(poor.httpStatus));
  assert.ok(poor.serverCode);
  assert.ok(poor.requestId);
});

test('the codec checks request objects: a malformed decimal names its member', async () => {
  const err = await trader.orders.place({ pair: 'BTC-AUD', side: 'buy', type: 'limit',
    price: '1e5', quantity: '0.5' }).then(() => assert.fail('placed'), (e) => e);
  assert.ok(err instanceof nax.InvalidArgumentError);
  assert.equal(err.code, 'NAX_ESCHEMA');
  assert.equal(err.field, 'price');
  const side = await trader.orders.place({ pair: 'BTC-AUD', side: 'long', type: 'limit',
    price: '100.00', quantity: '0.5' }).then(() => assert.fail('placed'), (e) => e);
  assert.equal(side.field, 'side');
});

test('money as a JS number and unknown members are refused as TypeErrors', async () => {
  await assert.rejects(trader.orders.place({ pair: 'BTC-AUD', side: 'buy', type: 'limit',
    price: 100.5, quantity: '0.5' }), (e) => e instanceof TypeError && /price.*number/.test(e.message));
  await assert.rejects(trader.orders.place({ pair: 'BTC-AUD', side: 'buy', type: 'limit',
    price: '100.00', quantity: '0.5', clientOrderId: 'x' }),
  (e) => e instanceof TypeError && /clientOrderId/.test(e.message));
  await assert.rejects(anon.markets.ticker(42), TypeError);
  await assert.rejects(trader.orders.list({ status: 'sleeping' }), TypeError);
  assert.throws(() => new nax.Decimal(0.1), TypeError);
});

test('a NUL in an id or a query string is a TypeError, never a shorter id', async () => {
  const o = await trader.orders.place({ pair: 'BTC-AUD', side: 'buy', type: 'limit',
    price: '100.00', quantity: '0.10000000' });
  // C would read "ord_...\0x" as the order's own id and cancel it.
  await assert.rejects(trader.orders.cancel(`${o.id}\u0000x`),
    (e) => e instanceof TypeError && /NUL/.test(e.message));
  assert.equal((await trader.orders.get(o.id)).status, 'open');
  await assert.rejects(trader.orders.list({ pair: 'BTC-AUD\u0000x' }), TypeError);
  assert.equal((await trader.orders.cancel(o.id)).status, 'cancelled');
});

test('401, 404 and 409 map to their classes', async () => {
  const u = await naxd.user();
  const c = new nax.Client({ url: naxd.url });
  try {
    const e401 = await c.login(u.email, 'Wrong-Password-123').then(() => assert.fail(), (e) => e);
    assert.ok(e401 instanceof nax.AuthenticationError);
    assert.equal(e401.code, 'NAX_EAUTH');
    assert.equal(e401.httpStatus, 401);
    assert.equal(e401.serverCode, 'invalid_credentials');
    assert.ok(e401.requestId);

    await c.login(u.email, PASSWORD);
    const e404 = await c.orders.get('ord_999999999').then(() => assert.fail(), (e) => e);
    assert.ok(e404 instanceof nax.NotFoundError);
    assert.equal(e404.code, 'NAX_ENOTFOUND');
    assert.equal(e404.httpStatus, 404);
    assert.equal(e404.serverCode, 'not_found');
    assert.ok(e404.requestId);

    const e409 = await c.auth.register({ email: u.email, password: PASSWORD })
      .then(() => assert.fail(), (e) => e);
    assert.ok(e409 instanceof nax.ConflictError);
    assert.equal(e409.code, 'NAX_ECONFLICT');
    assert.equal(e409.httpStatus, 409);
    assert.ok(e409.requestId);
  } finally {
    await c.close();
  }
});

test('a refused connection is a transient NetworkError', async () => {
  const c = new nax.Client({ url: 'http://127.0.0.1:9', retry: { maxAttempts: 1 } });
  try {
    const err = await c.markets.ticker('BTC-AUD').then(() => assert.fail(), (e) => e);
    assert.ok(err instanceof nax.NetworkError);
    assert.equal(err.code, 'NAX_ENETWORK');
    assert.equal(err.httpStatus, 0);
    assert.equal(err.transient, true);
  } finally {
    await c.close();
  }
});

test('bad client options are errors of the constructor', () => {
  assert.throws(() => new nax.Client({}), TypeError);
  assert.throws(() => new nax.Client({ url: 'ftp://example' }), (e) =>
    e instanceof nax.InvalidArgumentError && e.field === 'base_url');
  assert.throws(() => new nax.Client({ url: 'http://127.0.0.1:1', apiKey: 'k' }),
    nax.InvalidArgumentError);
});

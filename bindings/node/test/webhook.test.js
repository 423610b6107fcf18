'use strict';
// Webhook signing and verification (checked against an independent HMAC and
// against naxd, which accepts deliveries signed by the binding), API-key
// request signatures, and the Decimal class.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { after, before, test } = require('node:test');
const nax = require('..');
const { Naxd, expect, signWebhook } = require('../testlib/naxd');

const SECRET = `whsec_${Buffer.from('a test key of thirty-two bytes!!').toString('base64')}`;

let naxd;

before(async () => {
  naxd = await new Naxd().start();
});

after(async () => {
  await naxd.stop();
});

test('sign() equals an independent HMAC; verify() accepts it', () => {
  const body = '{"id":"msg_1","type":"payment.succeeded"}';
  const ts = Math.floor(Date.now() / 1000);
  const sig = nax.webhook.sign(SECRET, 'msg_1', ts, body);
  assert.equal(sig, signWebhook(SECRET, 'msg_1', ts, body));
  assert.equal(nax.webhook.sign(SECRET, 'msg_1', ts, Buffer.from(body)), sig);
  const headers = { 'Webhook-Id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': sig };
  assert.equal(nax.webhook.verify(SECRET, headers, body), true);
  // Key rotation: any of several secrets, any of several signatures.
  const other = `whsec_${crypto.randomBytes(24).toString('base64')}`;
  assert.equal(nax.webhook.verify([other, SECRET], headers, Buffer.from(body)), true);
  const both = { ...headers, 'webhook-signature': `v1,AAAA ${sig}` };
  assert.equal(nax.webhook.verify(SECRET, both, body), true);
});

test('verify() refuses a tampered body, a wrong key and a stale timestamp', () => {
  const body = '{"amount":"100.00"}';
  const now = 1_800_000_000;
  const h = nax.webhook.headers(SECRET, body, { id: 'msg_2', timestamp: now });
  assert.equal(nax.webhook.verify(SECRET, h, body, { now }), true);
  assert.throws(() => nax.webhook.verify(SECRET, h, '{"amount":"900.00"}', { now }), (e) =>
    e instanceof nax.AuthenticationError && e.serverCode === 'invalid_signature' &&
    e.field === 'webhook-signature');
  const wrong = `whsec_${crypto.randomBytes(24).toString('base64')}`;
  assert.throws(() => nax.webhook.verify(wrong, h, body, { now }), nax.AuthenticationError);
  assert.throws(() => nax.webhook.verify(SECRET, h, body, { now: now + 301 }), (e) =>
    e.serverCode === 'timestamp_out_of_window' && e.field === 'webhook-timestamp');
  assert.equal(nax.webhook.verify(SECRET, h, body, { now: now + 301, toleranceS: 600 }), true);
  assert.throws(() => nax.webhook.sign('whsec_', 'id', now, body), nax.InvalidArgumentError);
  const secretText = 'whsec_not*base64*at-all';
  assert.throws(() => nax.webhook.sign(secretText, 'id', now, body), (e) =>
    e instanceof nax.InvalidArgumentError && !e.message.includes('not*base64'));
});

test('a NUL in a string is part of it: a body with more after a NUL does not verify', () => {
  const good = '{"amount":"1.00"}';
  const forged = `${good}\u0000{"amount":"1000000.00"}`;
  const now = 1_800_000_000;
  const h = nax.webhook.headers(SECRET, good, { id: 'msg_3', timestamp: now });
  assert.equal(nax.webhook.verify(SECRET, h, good, { now }), true);
  for (const body of [forged, `${good}\u0000x`, Buffer.from(forged)]) {
    assert.throws(() => nax.webhook.verify(SECRET, h, body, { now }), (e) =>
      e instanceof nax.AuthenticationError && e.serverCode === 'invalid_signature');
  }
  // Signatures cover the whole string, NUL and all, as an independent HMAC does.
  const signed = nax.webhook.sign(SECRET, 'msg_3', now, `${good}\u0000x`);
  assert.notEqual(signed, nax.webhook.sign(SECRET, 'msg_3', now, good));
  assert.equal(signed, signWebhook(SECRET, 'msg_3', now, `${good}\u0000x`));
  assert.equal(signed, nax.webhook.sign(SECRET, 'msg_3', now, Buffer.from(`${good}\u0000x`)));
  const req = nax.signRequest('k', 1, 'POST', '/v1/orders', 'x\u0000y');
  assert.notEqual(req, nax.signRequest('k', 1, 'POST', '/v1/orders', 'x'));
  assert.equal(req, crypto.createHmac('sha256', 'k').update('1POST/v1/ordersx\u0000y').digest('hex'));
  // Text C reads up to its end (ids, timestamps, secrets, signatures) refuses a
  // NUL: a replayed delivery under the id "msg_3\0x" would pass as msg_3.
  const replay = { ...h, 'webhook-id': 'msg_3\u0000x' };
  assert.throws(() => nax.webhook.verify(SECRET, replay, good, { now }),
    (e) => e instanceof TypeError && /must not contain a NUL/.test(e.message));
  assert.throws(() => nax.webhook.verify(`${SECRET}\u0000`, h, good, { now }), TypeError);
  assert.throws(() => nax.signRequest('k\u0000z', 1, 'GET', '/v1/time'), TypeError);
});

test('naxd accepts deposits signed by the binding, and refuses a bad signature', async () => {
  const u = await naxd.user();
  const c = new nax.Client({ url: naxd.url, email: u.email, password: u.password });
  try {
    const dep = await c.fiat.deposit({ currency: 'AUD', amount: '1234.56', method: 'payid' });
    const body = JSON.stringify({ id: `msg_${crypto.randomUUID()}`, type: 'payment.succeeded',
      created_at: Date.now(), data: { reference: dep.reference, amount: '1234.56', currency: 'AUD' } });
    const headers = nax.webhook.headers(naxd.secrets.payments, body,
      { id: JSON.parse(body).id });
    const forged = { ...headers, 'webhook-signature': nax.webhook.sign(SECRET, headers['webhook-id'],
      Number(headers['webhook-timestamp']), body) };
    await expect(naxd.http('POST', '/v1/webhooks/payments', { body, headers: forged }), 401);
    await expect(naxd.http('POST', '/v1/webhooks/payments', { body, headers }), 204);
    const { balances } = await c.wallets.balances();
    assert.equal(balances.find((b) => b.asset === 'AUD').available, '1234.56');
  } finally {
    await c.close();
  }
});

test('signRequest() signs what naxd checks (an API-key GET over plain HTTP)', async () => {
  const u = await naxd.user();
  const key = (await expect(naxd.http('POST', '/v1/auth/api-keys',
    { body: { label: 'raw', scopes: ['read'] }, token: u.token }), 201)).json();
  const ts = String(Date.now());
  const sig = nax.signRequest(key.secret, ts, 'GET', '/v1/users/profile');
  assert.match(sig, /^[0-9a-f]{64}$/);
  const want = crypto.createHmac('sha256', key.secret).update(`${ts}GET/v1/users/profile`)
    .digest('hex');
  assert.equal(sig, want);
  const r = await expect(naxd.http('GET', '/v1/users/profile', { headers: {
    'x-nax-apikey': key.id, 'x-nax-timestamp': ts, 'x-nax-signature': sig } }), 200);
  assert.equal(r.json().id, u.id);
});

test('Decimal: exact arithmetic, rounding, ticks, text', () => {
  const D = nax.Decimal;
  assert.equal(new D('0.00100000').toString(), '0.00100000');
  assert.equal(new D('-12.500').toString(), '-12.500');
  assert.equal(new D('64123.45').mul('0.25').toString(), '16030.8625');
  assert.equal(new D('0.1').add('0.2').toString(), '0.3');
  assert.equal(new D('1.00').sub('1.005').toString(), '-0.005');
  assert.equal(new D('16030.8625').quantize(2).toString(), '16030.86');
  assert.equal(new D('2.345').quantize(2, 'half_even').toString(), '2.34');
  assert.equal(new D('2.345').quantize(2, 'half_up').toString(), '2.35');
  assert.equal(new D('-2.341').quantize(2, 'floor').toString(), '-2.35');
  assert.equal(new D('1').div('3', 8).toString(), '0.33333333');
  assert.equal(new D('2').div('3', 2, 'down').toString(), '0.66');
  assert.equal(new D('60000.015').roundTo('0.01', 'down').toString(), '60000.01');
  assert.equal(new D('60000.015').roundTo('0.01', 'up').toString(), '60000.02');
  assert.equal(new D('5').roundTo('0.50').toString(), '5.00');
  assert.ok(new D('1.10').eq('1.1') && new D('1.1').lt('1.11') && new D('-1').isNegative());
  assert.equal(JSON.stringify({ price: new D('1.50') }), '{"price":"1.50"}');
  for (const bad of ['1e5', '.5', '5.', '+1', '01', '1.0000000000000000001', '']) {
    assert.throws(() => new D(bad), TypeError, bad);
  }
  assert.throws(() => new D(1.5), /never a JS number/);
  assert.throws(() => new D('1').div('0', 2), RangeError);
});

'use strict';
// Provider webhooks, the Standard Webhooks way (nax/auth.h): sign as a
// provider would, verify what a provider sent. Synchronous: pure and fast.

const crypto = require('node:crypto');
const binding = require('./native');

const TOLERANCE_S = 300;

function nowS() {
  return Math.floor(Date.now() / 1000);
}

/** The webhook-signature value "v1,<base64>" over `id.timestamp.body`. */
function sign(secret, id, timestamp, body) {
  if (!Number.isSafeInteger(timestamp)) throw new TypeError('timestamp: whole seconds');
  return binding.webhookSign(secret, id, timestamp, body);
}

/** The three headers of a signed delivery of `body` (id and timestamp made when absent). */
function headers(secret, body, { id, timestamp } = {}) {
  const msgId = id || `msg_${crypto.randomUUID().replace(/-/g, '')}`;
  const ts = timestamp ?? nowS();
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(ts),
    'webhook-signature': sign(secret, msgId, ts, body),
  };
}

function header(hdrs, name) {
  if (name in hdrs) return hdrs[name];
  const key = Object.keys(hdrs).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : hdrs[key];
  return Array.isArray(v) ? v.join(' ') : v;
}

/**
 * Checks a received delivery: returns true, or throws an AuthenticationError
 * whose serverCode says why ('invalid_signature', 'timestamp_out_of_window').
 * secrets: one secret or several (key rotation); hdrs: the request headers
 * (any case); body: the raw body (string or Buffer).
 */
function verify(secrets, hdrs, body, { now = nowS(), toleranceS = TOLERANCE_S } = {}) {
  const list = Array.isArray(secrets) ? secrets : [secrets];
  return binding.webhookVerify(list, header(hdrs, 'webhook-id') ?? '',
    header(hdrs, 'webhook-timestamp') ?? '', header(hdrs, 'webhook-signature') ?? '', body,
    now, toleranceS);
}

/** X-NAX-SIGNATURE of an API-key request: hex HMAC-SHA256 over timestamp, method, target, body. */
function signRequest(secret, timestamp, method, target, body = '') {
  return binding.signRequest(secret, String(timestamp), method, target, body);
}

module.exports = { webhook: { sign, verify, headers, TOLERANCE_S }, signRequest };

'use strict';
// Test helpers (the Node counterpart of tests/integ/naxlib.py): start a naxd
// of this build tree ($NAXD_BIN) on 127.0.0.1 port 0, act as its operator and
// as the payment and custody providers, and make funded, verified users.
// Plain node:http and node:crypto only, so the helpers do not lean on the
// binding they help to test.

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const REPO = process.env.NAX_SOURCE_DIR || path.resolve(__dirname, '..', '..', '..');
const PASSWORD = 'Correct-Horse-7-Battery';
const START_TIMEOUT_MS = 60000;
const STOP_TIMEOUT_MS = 15000;

function naxdBinary() {
  const bin = process.env.NAXD_BIN || path.join(REPO, 'build', 'server', 'naxd');
  fs.accessSync(bin, fs.constants.X_OK);
  return bin;
}

function webhookSecret() {
  return `whsec_${crypto.randomBytes(24).toString('base64')}`;
}

function defaultConfig() {
  return {
    kdf: { m_cost_kib: 64, t_cost: 1, parallelism: 1 },
    kdf_test_only: true,
    webhook_providers: {
      payments: [webhookSecret()], custody: [webhookSecret()], kyc: [webhookSecret()],
    },
    operator_token: `op_${crypto.randomBytes(16).toString('hex')}`,
    rate_limits: {
      default: { rate: 100000, burst: 200000 },
      auth: { rate: 1000, burst: 2000 },
      login_failures: { rate: 100, burst: 200 },
    },
  };
}

/** Standard Webhooks signature, computed here independently of libnax. */
function signWebhook(secret, id, timestamp, body) {
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64')
    : Buffer.from(secret);
  const mac = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body)
    .digest('base64');
  return `v1,${mac}`;
}

/** One HTTP request: {status, headers, body (text), json()}. */
function request(port, method, target, { body, headers = {}, token } = {}) {
  const hdrs = { ...headers };
  let data = null;
  if (body !== undefined) {
    data = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    hdrs['content-type'] = hdrs['content-type'] || 'application/json';
    hdrs['content-length'] = Buffer.byteLength(data);
  }
  if (token) hdrs.authorization = `Bearer ${token}`;
  if (method === 'POST' && !hdrs['idempotency-key']) hdrs['idempotency-key'] = crypto.randomUUID();
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method, path: target, headers: hdrs, agent: false,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode,
          headers: res.headers,
          body: text,
          json: () => JSON.parse(text),
        });
      });
    });
    req.on('error', reject);
    if (data !== null) req.write(data);
    req.end();
  });
}

async function expect(resPromise, ...statuses) {
  const res = await resPromise;
  assert.ok(statuses.includes(res.status),
    `expected ${statuses.join('/')}, got ${res.status}: ${res.body.slice(0, 500)}`);
  return res;
}

class Naxd {
  constructor({ config, faultInjection = true } = {}) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nax-node-'));
    this.config = { ...defaultConfig(), ...(config || {}) };
    this.configPath = path.join(this.dir, 'naxd.json');
    fs.writeFileSync(this.configPath, JSON.stringify(this.config, null, 2));
    this.operatorToken = this.config.operator_token;
    this.secrets = Object.fromEntries(
      Object.entries(this.config.webhook_providers).map(([k, v]) => [k, v[0]]));
    this.faultInjection = faultInjection;
    this.proc = null;
    this.port = null;
    this.stderrPath = path.join(this.dir, 'naxd.stderr.log');
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts naxd and waits for its `listening` line (the first on stdout). */
  async start() {
    const env = Object.fromEntries(Object.entries(process.env)
      .filter(([k]) => !k.startsWith('NAXD_')));
    env.NAXD_JWT_SECRET = crypto.randomBytes(24).toString('hex');
    const args = ['--listen', '127.0.0.1:0', '--data', path.join(this.dir, 'data'),
      '--config', this.configPath, '--quiet'];
    if (this.faultInjection) args.push('--fault-injection');
    const errFd = fs.openSync(this.stderrPath, 'a');
    this.proc = spawn(naxdBinary(), args, { env, stdio: ['ignore', 'pipe', errFd] });
    fs.closeSync(errFd);
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => {
      resolve({ code, signal });
    }));
    const lines = readline.createInterface({ input: this.proc.stdout });
    const first = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('naxd did not report listening')),
        START_TIMEOUT_MS);
      lines.once('line', (line) => { clearTimeout(timer); resolve(line); });
      this.exited.then(({ code }) => {
        clearTimeout(timer);
        reject(new Error(`naxd exited ${code} before listening: ${this.stderrTail()}`));
      });
    });
    lines.on('line', () => {}); // keep draining stdout
    const info = JSON.parse(first);
    assert.equal(info.event, 'listening');
    this.port = info.port;
    return this;
  }

  stderrTail(lines = 30) {
    try {
      return fs.readFileSync(this.stderrPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** SIGTERM; asserts a clean exit (0) and removes the data folder. */
  async stop() {
    if (!this.proc) return;
    const proc = this.proc;
    this.proc = null;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    let timer;
    const result = await Promise.race([
      this.exited,
      new Promise((resolve) => { timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS); }),
    ]);
    clearTimeout(timer);
    if (!result) {
      proc.kill('SIGKILL');
      throw new Error(`naxd did not exit after SIGTERM: ${this.stderrTail()}`);
    }
    assert.equal(result.code, 0, `naxd exited ${result.code}/${result.signal}: ${this.stderrTail()}`);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  http(method, target, opts) {
    return request(this.port, method, target, opts);
  }

  admin(method, target, body) {
    return this.http(method, target, { body, token: this.operatorToken });
  }

  /** POSTs a signed provider event; returns the response. */
  webhook(provider, type, data) {
    const event = { id: `msg_${crypto.randomUUID()}`, type, created_at: Date.now(), data };
    const body = JSON.stringify(event);
    const ts = Math.floor(Date.now() / 1000);
    return this.http('POST', `/v1/webhooks/${provider}`, {
      body,
      headers: {
        'webhook-id': event.id,
        'webhook-timestamp': String(ts),
        'webhook-signature': signWebhook(this.secrets[provider], event.id, ts, body),
      },
    });
  }

  /** Registers (and logs in) a user: {id, email, password, token}. */
  async user({ verified = true } = {}) {
    const email = `node-${crypto.randomBytes(6).toString('hex')}@example.com`;
    const reg = await expect(this.http('POST', '/v1/auth/register',
      { body: { email, password: PASSWORD } }), 201);
    const login = await expect(this.http('POST', '/v1/auth/login',
      { body: { email, password: PASSWORD } }), 200);
    const u = { id: reg.json().id, email, password: PASSWORD, token: login.json().access_token };
    if (verified) {
      await expect(this.admin('POST', `/admin/users/${u.id}/kyc`, { status: 'verified' }), 200);
    }
    return u;
  }

  /** Fiat deposit announced by the user, paid by the payments provider. */
  async fundFiat(user, currency, amount) {
    const method = { AUD: 'payid', USD: 'ach' }[currency] || 'bank_transfer';
    const dep = await expect(this.http('POST', '/v1/fiat/deposit',
      { body: { currency, amount, method }, token: user.token }), 201);
    await expect(this.webhook('payments', 'payment.succeeded',
      { reference: dep.json().reference, amount, currency }), 204);
    return dep.json();
  }

  /** Crypto arriving at the user's deposit address, reported by custody. */
  async fundCrypto(user, asset, amount) {
    const addr = await expect(this.http('POST', '/v1/wallets/deposit-address',
      { body: { asset }, token: user.token }), 200, 201);
    await expect(this.webhook('custody', 'deposit.confirmed', {
      amount, currency: asset, address: addr.json().address,
      tx_hash: crypto.randomBytes(32).toString('hex'),
    }), 204);
    return addr.json().address;
  }

  /** Scripts the market stream (fault mode): drop_updates, corrupt_checksums, close_all, ... */
  async streamFaults(body) {
    await expect(this.admin('POST', '/admin/stream-faults', body), 204);
  }
}

/** RFC 6238 code (HMAC-SHA1, 6 digits) of a base32 secret for time tS (seconds). */
function totp(secretB32, tS = Date.now() / 1000) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secretB32.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(tS / 30)));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const off = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

/** The current 30 s TOTP step, after waiting out a step's last 8 s so a
 * test's codes stay inside the server's window (a wait on the clock). */
async function steadyTotpStep() {
  const inStep = (Date.now() / 1000) % 30;
  if (inStep > 22) await new Promise((r) => setTimeout(r, (30 - inStep) * 1000 + 100));
  return Math.floor(Date.now() / 1000 / 30);
}

/** Waits for an event whose arguments satisfy `pred`; rejects after timeoutMs. */
function waitFor(emitter, event, pred = () => true, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const seen = [];
    const onEvent = (...args) => {
      seen.push(args[0]);
      if (!pred(...args)) return;
      cleanup();
      resolve(args[0]);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no matching '${event}' within ${timeoutMs} ms; last seen: ` +
        JSON.stringify(seen.slice(-5))));
    }, timeoutMs);
    function cleanup() {
      clearTimeout(timer);
      emitter.off(event, onEvent);
    }
    emitter.on(event, onEvent);
  });
}

module.exports = {
  Naxd, PASSWORD, REPO, signWebhook, request, expect, waitFor, totp, steadyTotpStep,
};

// The Node binding's side of bench/bindings: one nax.Client, N sequential
// `await client.markets.ticker()` calls (each a Promise resolved from napi
// async work). Prints the same key=value line as nax_bench_client.
//
//   node peer_node.mjs BASE_URL BODY_FILE REQUESTS WARMUP
//
// NAX_NODE_ADDON comes from bench_bindings.py (the addon run.sh built).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const nax = require('../../bindings/node');

const [baseUrl, bodyFile, requestsArg, warmupArg] = process.argv.slice(2);
const requests = Number(requestsArg);
const warmup = Number(warmupArg);
const expect = JSON.parse(readFileSync(bodyFile, 'utf8'));
const client = new nax.Client({ url: baseUrl });

const first = await client.markets.ticker('BTC-AUD');
if (first.pair !== expect.pair || String(first.last) !== expect.last || first.seq !== expect.seq) {
  throw new Error(`node nax: the answer differs from the served file: ${JSON.stringify(first)}`);
}
for (let i = 0; i < warmup; i++) await client.markets.ticker('BTC-AUD');
const cpu0 = process.cpuUsage();
const wall0 = process.hrtime.bigint();
for (let i = 0; i < requests; i++) await client.markets.ticker('BTC-AUD');
const wall = process.hrtime.bigint() - wall0;
const cpu = process.cpuUsage(cpu0);
console.log(`impl=node-nax threads=1 requests=${requests} wall_ns=${wall} ` +
            `cpu_ns=${(cpu.user + cpu.system) * 1000} user_ns=${cpu.user * 1000}`);
client.close();

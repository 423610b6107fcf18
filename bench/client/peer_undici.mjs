// Node `undici` peer of nax_bench_client: request() through a keep-alive
// Agent limited to one connection, N sequential GETs of the ticker, each
// answer checked for 200 and decoded with await body.json(). Prints the same
// key=value line as nax_bench_client.
//
//   node peer_undici.mjs URL BODY_FILE REQUESTS WARMUP
//
// undici is pinned in package.json beside this file (run.sh installs it).
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { Agent, request } from 'undici';

const [url, bodyFile, requestsArg, warmupArg] = process.argv.slice(2);
const requests = Number(requestsArg);
const warmup = Number(warmupArg);
const expect = JSON.parse(readFileSync(bodyFile, 'utf8'));
const dispatcher = new Agent({ connections: 1, keepAliveTimeout: 60_000, pipelining: 1 });

async function get() {
  const { statusCode, headers, body } = await request(url, { dispatcher });
  if (statusCode !== 200) {
    await body.dump();
    throw new Error(`undici: HTTP status ${statusCode}`);
  }
  return { headers, value: await body.json() };
}

const first = await get();
if (!String(first.headers['content-type']).startsWith('application/json') ||
    !isDeepStrictEqual(first.value, expect)) {
  throw new Error('undici: the answer differs from the served file');
}
for (let i = 0; i < warmup; i++) await get();
const cpu0 = process.cpuUsage();
const wall0 = process.hrtime.bigint();
for (let i = 0; i < requests; i++) await get();
const wall = process.hrtime.bigint() - wall0;
const cpu = process.cpuUsage(cpu0);
console.log(`impl=undici threads=1 requests=${requests} wall_ns=${wall} ` +
            `cpu_ns=${(cpu.user + cpu.system) * 1000} user_ns=${cpu.user * 1000}`);
await dispatcher.close();

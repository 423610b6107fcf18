'use strict';
// The peer of bench/engine: replays the same flow file through the npm
// package nodejs-order-book and prints the same lines as nax_bench_engine run
// (one warm-up replay untimed, then N timed, each into a fresh book).
// Prices and sizes are the file's integer ticks and lots, so the peer's
// floating point numbers stay exact. Self-trade prevention is EXPIRE_TAKER,
// the nearest of its modes to the engine's (cancel the incoming remainder).
//
// A depth flow's prefill ("P count", its first operations) is replayed before
// the clock starts. With STEP=1 each timed replay waits for a line on stdin.
//
//   node peer.js FILE [REPEATS] [STEP]
const fs = require('fs');
const path = require('path');
const { OrderBook, SelfTradePreventionMode, Side } = require(
    path.join(__dirname, 'node_modules', 'nodejs-order-book'));

function readFlow(file) {
    const ops = [];
    ops.prefill = 0;
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (line === '')
            continue;
        const f = line.split(' ');
        if (f[0] === 'P' && ops.length === 0) {
            ops.prefill = Number(f[1]);
            continue;
        }
        const op = { kind: f[0], id: f[1], account: f[2] };
        if (f[0] === 'L') {
            op.side = f[3] === 'b' ? Side.BUY : Side.SELL;
            op.price = Number(f[4]);
            op.size = Number(f[5]);
            op.tif = f[6];
        } else if (f[0] === 'M') {
            op.side = f[3] === 'b' ? Side.BUY : Side.SELL;
            op.size = Number(f[4]);
        }
        ops.push(op);
    }
    return ops;
}

// The calls' arguments, built before the clock starts (as the C side builds
// its order specs beforehand).
function prepare(ops) {
    return ops.map((op) => {
        if (op.kind === 'L')
            return {
                id: op.id, side: op.side, size: op.size, price: op.price,
                postOnly: op.tif === 'P', timeInForce: op.tif === 'I' ? 'IOC' : op.tif === 'F' ? 'FOK' : 'GTC',
                accountId: op.account, stpMode: SelfTradePreventionMode.EXPIRE_TAKER,
            };
        if (op.kind === 'M')
            return { side: op.side, size: op.size, accountId: op.account,
                stpMode: SelfTradePreventionMode.EXPIRE_TAKER };
        return op.id;
    });
}

function replay(ops, args) {
    const ob = new OrderBook();
    let fills = 0;
    let start = process.cpuUsage();
    for (let i = 0; i < ops.length; i++) {
        if (i === ops.prefill) {
            start = process.cpuUsage();
            fills = 0;
        }
        const kind = ops[i].kind;
        if (kind === 'C') {
            ob.cancel(args[i]);
            continue;
        }
        const r = kind === 'L' ? ob.limit(args[i]) : ob.market(args[i]);
        fills += r.done.length + (r.partial ? 1 : 0);
    }
    const used = process.cpuUsage(start);
    let resting = 0, levels = 0;
    for (const side of ob.depth()) {
        for (const [, volume] of side) {
            resting += volume;
            levels++;
        }
    }
    return { ns: (used.user + used.system) * 1000, fills, resting, levels };
}

// Blocks until a line arrives on stdin; false at its end.
function nextStep() {
    const byte = Buffer.alloc(1);
    for (;;) {
        let got;
        try {
            got = fs.readSync(0, byte, 0, 1, null);
        } catch (e) {
            if (e.code === 'EAGAIN')
                continue;
            throw e;
        }
        if (got === 0)
            return false;
        if (byte[0] === 10)
            return true;
    }
}

function main() {
    const file = process.argv[2];
    const repeats = Number(process.argv[3] || 5);
    const step = process.argv[4] === '1';
    const ops = readFlow(file);
    for (let r = 0; r <= repeats; r++) {
        if (r > 0 && step && !nextStep())
            break;
        const res = replay(ops, prepare(ops));
        if (r > 0)
            fs.writeSync(1, `run ${r} ops ${ops.length - ops.prefill} cpu_ns ${res.ns} ` +
                `fills ${res.fills} resting_lots ${res.resting} levels ${res.levels}\n`);
    }
}

main();

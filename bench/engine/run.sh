# bench/engine: naxd's matching engine against nodejs-order-book (npm), both
# replaying the same synthetic order flows. Run through bench/run:
#   bench/run engine [--ops 100000] [--depth-ops 20000] [--levels 10,100,1000,10000,100000]
#                    [--repeats 5] [--seed 1]
# Two flows for the table: a narrow book (limit prices within 60 ticks of a
# moving mid, a few hundred levels) and a wide one (within 50,000 ticks, tens
# of thousands of levels); then one depth flow per --levels for the "depth"
# chart. bench_engine.py runs the rounds and writes engine.csv,
# engine-runs.csv and engine-series.csv.
set -euo pipefail
TIMEFORMAT='wall time of the benchmark (build excluded): %R s (user %U s, sys %S s)'
source "$NAX_BENCH_DIR/lib.sh"

require_command node nodejs
require_command npm npm
require_command python3 python3
require_command taskset util-linux
requirements_checked

# The peer, pinned, installed beside this script when missing.
peer_version=10.1.1
here=$NAX_BENCH_DIR/engine
installed=$(node -p "require('$here/node_modules/nodejs-order-book/package.json').version" 2>/dev/null || true)
if [[ $installed != "$peer_version" ]]; then
    echo "installing nodejs-order-book@$peer_version into bench/engine/node_modules"
    (cd "$here" && npm install --no-save --no-package-lock --no-audit --no-fund \
        "nodejs-order-book@$peer_version" >/dev/null)
fi

build_target nax_bench_engine
time /usr/bin/python3 "$here/bench_engine.py" --binary "$NAX_BENCH_BUILD_DIR/bench/engine/nax_bench_engine" \
    --peer "$here/peer.js" "$@"

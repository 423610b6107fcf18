# bench/stream: naxd's stream publisher fanning out ticker and trades updates
# to 1-1000 WebSocket subscribers, beside a Node `ws` broadcast server sending
# the same bytes; then libnax's decode + book apply + checksum per book
# message beside Python and Node doing the same, at 10-100,000 levels a side.
# Run through bench/run:
#   bench/run stream [--repeats 5] [--conns 100] [--subscribers 1,10,100,1000]
#                    [--closed-deliveries 100000] [--rates 100,300] [--open-seconds 1]
#                    [--open-min-samples 250]
#                    [--book-depths 10,100,1000,10000,100000] [--book-updates 5000]
#                    [--only fanout|book]
# bench_stream.py writes stream.csv, stream-runs.csv and stream-series.csv.
#
# `ws` comes from npm at the version pinned in bench/stream/package.json,
# installed into bench/stream/node_modules when missing.
set -euo pipefail
TIMEFORMAT='wall time of the benchmark (build excluded): %R s (user %U s, sys %S s)'
source "$NAX_BENCH_DIR/lib.sh"

here=$NAX_BENCH_DIR/stream
python=/usr/bin/python3 # Debian's: the peers and the driver use only its standard library

require_command node nodejs
require_command npm npm
require_command taskset util-linux
require_command python3 python3
requirements_checked

# The Node peer, pinned, installed beside this script when missing.
want=$(node -p "require('$here/package.json').dependencies.ws")
have=$(node -p "require('$here/node_modules/ws/package.json').version" 2>/dev/null || true)
if [[ $have != "$want" ]]; then
    echo "installing ws@$want into bench/stream/node_modules"
    (cd "$here" && npm install --no-save --no-package-lock --no-audit --no-fund >/dev/null)
fi

build_target naxd
build_target nax_bench_fanout
build_target nax_bench_book
time "$python" "$here/bench_stream.py" \
    --fanout "$NAX_BENCH_BUILD_DIR/bench/stream/nax_bench_fanout" \
    --book "$NAX_BENCH_BUILD_DIR/bench/stream/nax_bench_book" \
    --naxd "$NAX_BENCH_BUILD_DIR/server/naxd" \
    --python "$python" "$@"

# bench/server: naxd over HTTP. Run through bench/run:
#   bench/run server [--repeats 5] [--seconds 3] [--ticker-seconds 2] [--rates 5000,2500]
#
# 1. GET /v1/markets/BTC-AUD/ticker with wrk: naxd against nginx-light serving
#    the same bytes from a static file, and a Node `http` server returning them.
# 2. Durable POST /v1/orders: closed-loop throughput, and p50/p99 at a fixed
#    offered 5000 orders/s (open loop, latency from the scheduled send time).
# Servers run on core 0, load generators on core 1 (taskset).
# bench/run installs wrk and nginx-light.
set -euo pipefail
source "$NAX_BENCH_DIR/lib.sh"


require_command wrk wrk
require_command nginx nginx-light
require_command node nodejs
require_command taskset util-linux
require_command python3 python3
requirements_checked

build_target naxd
build_target nax_bench_orders_load
exec python3 "$NAX_BENCH_DIR/server/bench_server.py" \
    --naxd "$NAX_BENCH_BUILD_DIR/server/naxd" \
    --load "$NAX_BENCH_BUILD_DIR/bench/server/nax_bench_orders_load" "$@"

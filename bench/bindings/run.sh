# bench/bindings: what the Python and Node bindings add to a libnax call
# (GET ticker against nginx serving naxd's ticker bytes, as bench/client), and
# the Python binding against a plain Python `requests` client. Run through
# bench/run:
#   bench/run bindings [--repeats 5] [--requests 10000] [--requests-peer 2500] [--warmup 500] [--server-cpu 0]
#
# bench/run installs the Debian peers; the Node addon is built with node-gyp (pinned in
# bindings/node/package.json, offline with --nodedir=/usr) against this
# benchmark build's libnax.
set -euo pipefail
source "$NAX_BENCH_DIR/lib.sh"

here=$NAX_BENCH_DIR/bindings
python=/usr/bin/python3 # Debian's, where python3-requests lives


require_command nginx nginx-light
require_command node nodejs
require_command npm npm
require_command taskset util-linux
"$python" -c 'import requests' >/dev/null 2>&1 ||
    _bench_missing+=("python3-requests|Python requests for $python (bindings peer)")
requirements_checked

build_target naxd
build_target nax
build_target nax_bench_client
echo "building the Node addon against $NAX_BENCH_BUILD_DIR"
addon=$NAX_BENCH_BUILD_DIR/bench/bindings/nax_node.node
"$NAX_SOURCE_DIR/bindings/node/build_addon.sh" "$NAX_BENCH_BUILD_DIR" "$addon" \
    >"$NAX_BENCH_BUILD_DIR/bench-build-node.log" 2>&1 || {
    tail -n 40 "$NAX_BENCH_BUILD_DIR/bench-build-node.log" >&2
    echo "build of the Node addon failed" >&2
    exit 1
}
export NAX_NODE_ADDON=$addon
exec python3 "$here/bench_bindings.py" \
    --bin "$NAX_BENCH_BUILD_DIR/bench/client/nax_bench_client" \
    --naxd "$NAX_BENCH_BUILD_DIR/server/naxd" \
    --libnax "$NAX_BENCH_BUILD_DIR/libnax.so.1" \
    --python "$python" "$@"

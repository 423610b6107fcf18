# bench/client: the libnax REST client against the same ticker bytes served
# by nginx-light, beside raw libcurl (the floor), Python `requests` and Node
# `undici`; then libnax with 1..8 threads sharing one client. Run through
# bench/run:
#   bench/run client [--repeats 5] [--requests 5000] [--warmup 500] [--threads 1,2,4,8]
#   bench/run client --callgrind     # instructions per call, libnax and raw libcurl
#
# bench/run installs the Debian peers (nginx-light, python3-requests); undici
# comes from npm at the version pinned in bench/client/package.json, into
# bench/client/node_modules.
set -euo pipefail
source "$NAX_BENCH_DIR/lib.sh"

here=$NAX_BENCH_DIR/client
python=/usr/bin/python3 # Debian's, where python3-requests lives


require_command nginx nginx-light
require_command node nodejs
require_command npm npm
require_command taskset util-linux
require_command python3 python3
[[ " $* " == *" --callgrind "* ]] && require_command valgrind valgrind
"$python" -c 'import requests' >/dev/null 2>&1 ||
    _bench_missing+=("python3-requests|Python requests for $python (client peer)")
requirements_checked

# The Node peer, pinned, installed beside this script when missing.
want=$(node -p "require('$here/package.json').dependencies.undici")
have=$(node -p "require('$here/node_modules/undici/package.json').version" 2>/dev/null || true)
if [[ $have != "$want" ]]; then
    echo "installing undici@$want into bench/client/node_modules"
    (cd "$here" && npm install --no-save --no-package-lock --no-audit --no-fund >/dev/null)
fi

build_target naxd
build_target nax_bench_client
exec python3 "$here/bench_client.py" \
    --bin "$NAX_BENCH_BUILD_DIR/bench/client/nax_bench_client" \
    --naxd "$NAX_BENCH_BUILD_DIR/server/naxd" \
    --python "$python" "$@"

#!/usr/bin/env bash
# prism_client.sh TEST_PROGRAM OPENAPI_YAML WORK_DIR
#
# Starts a Stoplight Prism mock of OPENAPI_YAML (static examples) on a free
# port of 127.0.0.1, waits until it answers, runs TEST_PROGRAM with
# NAX_PRISM_URL pointing at it, then stops Prism (its whole process group).
#
# Version pin, as in tests/integ/test_contract.py: @stoplight/prism-cli 5.14.2
# is the newest release whose engines allow Debian 12's Node 18.20 and Node 20
# (5.15 and later need Node 24). Without node/npx, or with an older Node, the
# test FAILS with the reason; it is never skipped.
set -euo pipefail

program=$1 spec=$2 work=$3
prism=@stoplight/prism-cli@5.14.2
node_min=18.20.1
start_limit_s=600 # the first run downloads Prism into the npx cache

fail() {
    echo "prism_client: $*" >&2
    exit 1
}

if ! command -v node >/dev/null || ! command -v npx >/dev/null; then
    fail "npx/node not found: install Node.js and npm (scripts/deps.sh does)"
fi
node_version=$(node --version 2>/dev/null || true)
if ! [[ $node_version =~ ^v([0-9]+)\.([0-9]+)\.([0-9]+) ]]; then
    fail "cannot read the Node version ('$node_version')"
fi
IFS=. read -r min_major min_minor min_patch <<<"$node_min"
have=$((BASH_REMATCH[1] * 1000000 + BASH_REMATCH[2] * 1000 + BASH_REMATCH[3]))
need=$((min_major * 1000000 + min_minor * 1000 + min_patch))
if ((have < need)); then
    fail "Node $node_version is older than $node_min, which $prism needs"
fi

mkdir -p "$work"
log=$work/prism.log
port=$(/usr/bin/env python3 -c \
    'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port

# Its own session, so that stopping it stops npx's children too.
NO_UPDATE_NOTIFIER=1 npm_config_update_notifier=false \
    setsid npx --yes --prefer-offline "$prism" mock "$spec" -h 127.0.0.1 -p "$port" \
    </dev/null >"$log" 2>&1 &
pid=$!
stop_prism() {
    kill -TERM -- -"$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- -"$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
trap stop_prism EXIT

answers() {
    /usr/bin/env python3 - "$url/v1/time" <<'PY'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}

deadline=$((SECONDS + start_limit_s))
until grep -q "Prism is listening" "$log" && answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
        tail -n 40 "$log" >&2
        fail "Prism exited before it listened"
    fi
    if ((SECONDS >= deadline)); then
        tail -n 40 "$log" >&2
        fail "Prism did not answer within $start_limit_s s"
    fi
    sleep 0.5
done
echo "prism_client: Prism $prism mocks $spec at $url"

status=0
NAX_PRISM_URL=$url "$program" || status=$?
# Prism also checks its own answers against the schemas and only logs what it
# finds; show it, since it points at the spec or at Prism, not at the client.
if grep -q "Violation:" "$log"; then
    echo "prism_client: note: Prism's response validator logged these (not client failures):"
    grep -o "Violation: .*" "$log" | sort | uniq -c
fi
if ((status != 0)); then
    echo "--- the mock's log (last 60 lines) ---" >&2
    tail -n 60 "$log" >&2
fi
exit $status

#!/usr/bin/env bash
# exchange_session.sh NAXD EXCHANGE_SESSION DATA_DIR
#
# Starts naxd on a free port of 127.0.0.1 with its data in DATA_DIR, runs the
# exchange_session example against it, then stops naxd with SIGTERM. The
# provider secrets are made here and given to both sides through the
# environment, as an operator would. Exits non-zero when the session fails or
# naxd does not stop cleanly. Used by scripts/run.sh and the ctest
# example_exchange_session.
set -euo pipefail

naxd=$1 session=$2 data=$3
mkdir -p "$data"
log=$data/naxd.log out=$data/naxd.stdout

secret() { printf 'whsec_%s' "$(head -c 24 /dev/urandom | base64)"; }
export NAXD_WEBHOOK_SECRET_PAYMENTS NAXD_WEBHOOK_SECRET_CUSTODY
NAXD_WEBHOOK_SECRET_PAYMENTS=$(secret)
NAXD_WEBHOOK_SECRET_CUSTODY=$(secret)

"$naxd" --listen 127.0.0.1:0 --data "$data/db" --quiet >"$out" 2>"$log" &
pid=$!
stop_naxd() {
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        wait "$pid"
        return $?
    fi
    wait "$pid"
}
trap 'kill -KILL "$pid" 2>/dev/null || true' EXIT

# naxd prints {"event":"listening",...,"port":N,...} as its first line.
port=
for _ in $(seq 1 300); do
    port=$(head -n 1 "$out" 2>/dev/null | sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p')
    [[ -n $port ]] && break
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "naxd exited before listening:" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ -z $port ]]; then
    echo "naxd did not report its port within 30 s:" >&2
    tail -n 20 "$log" >&2
    exit 1
fi

status=0
"$session" "http://127.0.0.1:$port" || status=$?
if ! stop_naxd; then
    echo "naxd did not stop cleanly:" >&2
    tail -n 20 "$log" >&2
    status=1
fi
trap - EXIT
exit $status

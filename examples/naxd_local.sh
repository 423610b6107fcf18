# Sourced by the example scripts: start a local naxd for one run, stop it after.
#
#   naxd_start NAXD DATA_DIR [naxd options...]
#       makes fresh provider secrets and an operator token, exports them in the
#       variables naxd and examples/sandbox.c read, starts naxd on a free port of
#       127.0.0.1 with its data in DATA_DIR, and sets NAXD_URL once it listens.
#   naxd_stop
#       SIGTERM, then waits; returns non-zero when naxd did not exit 0.
#
# An EXIT trap kills naxd if the script ends early.

secret_text() { head -c 24 /dev/urandom | base64 | tr -d '\n'; }

naxd_start() {
    local naxd=$1 data=$2
    shift 2
    mkdir -p "$data"
    NAXD_LOG=$data/naxd.log
    local out=$data/naxd.stdout
    export NAXD_WEBHOOK_SECRET_PAYMENTS NAXD_WEBHOOK_SECRET_CUSTODY NAXD_OPERATOR_TOKEN
    NAXD_WEBHOOK_SECRET_PAYMENTS=whsec_$(secret_text)
    NAXD_WEBHOOK_SECRET_CUSTODY=whsec_$(secret_text)
    NAXD_OPERATOR_TOKEN=op_$(secret_text | tr '+/' '-_')

    # The files exist before naxd does: the child opens them only after the
    # fork, and reading a missing one below would end this script (set -e).
    : >"$out"
    : >"$NAXD_LOG"
    "$naxd" --listen 127.0.0.1:0 --data "$data/db" --quiet "$@" >"$out" 2>"$NAXD_LOG" &
    NAXD_PID=$!
    trap 'kill -KILL "$NAXD_PID" 2>/dev/null || true' EXIT

    # naxd prints {"event":"listening",...,"port":N,...} as its first line.
    local port=
    for _ in $(seq 1 300); do
        port=$(head -n 1 "$out" 2>/dev/null |
            sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' || true)
        [[ -n $port ]] && break
        if ! kill -0 "$NAXD_PID" 2>/dev/null; then
            echo "naxd exited before listening:" >&2
            tail -n 20 "$NAXD_LOG" >&2
            return 1
        fi
        sleep 0.1
    done
    if [[ -z $port ]]; then
        echo "naxd did not report its port within 30 s:" >&2
        tail -n 20 "$NAXD_LOG" >&2
        return 1
    fi
    NAXD_URL=http://127.0.0.1:$port
}

naxd_stop() {
    local status=0
    if kill -0 "$NAXD_PID" 2>/dev/null; then
        kill -TERM "$NAXD_PID"
    fi
    wait "$NAXD_PID" || status=$?
    trap - EXIT
    if ((status != 0)); then
        echo "naxd did not stop cleanly (exit $status):" >&2
        tail -n 20 "$NAXD_LOG" >&2
    fi
    return $status
}

#!/usr/bin/env bash
# exchange_session.sh NAXD EXCHANGE_SESSION DATA_DIR
#
# Starts naxd on a free port of 127.0.0.1 with its data in DATA_DIR, runs the
# exchange_session example against it, then stops naxd with SIGTERM. The
# provider secrets and the operator token are made here and given to both
# sides through the environment, as an operator would. Exits non-zero when the
# session fails or naxd does not stop cleanly. Used by scripts/run.sh and the
# ctest example_exchange_session.
set -euo pipefail

naxd=$1 session=$2 data=$3
source "$(dirname "$0")/naxd_local.sh"

naxd_start "$naxd" "$data"
status=0
"$session" "$NAXD_URL" || status=$?
naxd_stop || status=1
exit $status

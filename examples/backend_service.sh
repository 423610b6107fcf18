#!/usr/bin/env bash
# backend_service.sh NAXD PARTNER_SETUP BACKEND_SERVICE DATA_DIR [--short]
#
# Starts naxd with --fault-injection on a free port of 127.0.0.1 (data in
# DATA_DIR), prepares a funded user with an API key (partner_setup), scripts
# an outage (the next 8 ticker requests answer 503 without doing anything),
# then runs the backend_service example against it and stops naxd.
#
# The example must see the market-data breaker open, probe and close again:
# the script checks that its transcript shows closed -> open, open ->
# half_open and half_open -> closed, and exits non-zero otherwise. Used by the
# ctest example_backend_service (with --short).
set -euo pipefail

naxd=$1 setup=$2 example=$3 data=$4
shift 4
source "$(dirname "$0")/naxd_local.sh"

# POST a JSON body to a naxd operator route; the token travels on stdin's
# side, not on a command line.
admin_post() {
    /usr/bin/env python3 - "$NAXD_URL$1" "$2" <<'PY'
import os, sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method="POST", headers={
    "Authorization": "Bearer " + os.environ["NAXD_OPERATOR_TOKEN"],
    "Content-Type": "application/json"})
with urllib.request.urlopen(req, timeout=30) as r:
    if r.status != 204:
        sys.exit(f"{sys.argv[1]}: HTTP {r.status}")
PY
}

naxd_start "$naxd" "$data" --fault-injection
status=0
creds=$("$setup" "$NAXD_URL") || status=$?
out=$data/backend_service.out
if ((status == 0)); then
    admin_post /admin/faults \
        '{"route":"GET /v1/markets/{pair}/ticker","action":"error_before_commit","count":8}' ||
        status=$?
fi
if ((status == 0)); then
    echo "scripted: the next 8 ticker requests answer 503"
    NAX_API_KEY=$(sed -n 's/^NAX_API_KEY=//p' <<<"$creds") \
        NAX_API_SECRET=$(sed -n 's/^NAX_API_SECRET=//p' <<<"$creds") \
        "$example" "$NAXD_URL" "$@" | tee "$out" || status=$?
fi
naxd_stop || status=1
if ((status == 0)); then
    for change in "closed -> open" "open -> half_open" "half_open -> closed"; do
        if ! grep -q "breaker market_data: $change\$" "$out"; then
            echo "the transcript does not show the market_data breaker going $change" >&2
            status=1
        fi
    done
fi
exit $status

#!/usr/bin/env bash
# order_with_api_key.sh NAXD PARTNER_SETUP ORDER_WITH_API_KEY DATA_DIR
#
# Starts naxd on a free port of 127.0.0.1 (data in DATA_DIR), prepares a
# funded, verified user with an API key (partner_setup, through the client),
# runs the order_with_api_key example with the key in its environment, then
# stops naxd with SIGTERM. The key's secret stays in this script's variables.
# Used by the ctest example_order_with_api_key.
set -euo pipefail

naxd=$1 setup=$2 example=$3 data=$4
source "$(dirname "$0")/naxd_local.sh"

naxd_start "$naxd" "$data"
status=0
creds=$("$setup" "$NAXD_URL") || status=$?
if ((status == 0)); then
    NAX_API_KEY=$(sed -n 's/^NAX_API_KEY=//p' <<<"$creds")
    NAX_API_SECRET=$(sed -n 's/^NAX_API_SECRET=//p' <<<"$creds")
    NAX_URL=$NAXD_URL NAX_API_KEY=$NAX_API_KEY NAX_API_SECRET=$NAX_API_SECRET \
        "$example" || status=$?
fi
naxd_stop || status=1
exit $status

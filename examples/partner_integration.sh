#!/usr/bin/env bash
# partner_integration.sh NAXD PARTNER_INTEGRATION DATA_DIR [--totp]
#
# Starts naxd on a free port of 127.0.0.1 with its data in DATA_DIR, runs the
# partner_integration example against it (with --totp when given: two-factor
# sign-in, then codes on every withdrawal), then stops naxd with SIGTERM. The
# example checks every step itself (KYC, balances after each deposit,
# withdrawal and payout, the history) and exits non-zero when one differs;
# so does this script, or when naxd does not stop cleanly. Used by the ctests
# example_partner_integration and example_partner_integration_totp.
set -euo pipefail

naxd=$1 example=$2 data=$3
shift 3
source "$(dirname "$0")/naxd_local.sh"

naxd_start "$naxd" "$data"
status=0
"$example" "$NAXD_URL" "$@" || status=$?
naxd_stop || status=1
exit $status

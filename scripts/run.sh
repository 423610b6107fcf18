#!/usr/bin/env bash
# The README's run command (also `make run`): installs what is missing
# (scripts/deps.sh), builds, and runs the main job: the codec tour
# (examples/codec_tour), then a trading session against naxd, the reference
# exchange server. naxd starts on a free port of 127.0.0.1 with its data under
# build/naxd-session/, and examples/exchange_session drives it through the
# libnax client: two users, KYC, funding by signed provider webhooks, a trade,
# the book, balances, a cancel and a fiat withdrawal; then naxd is stopped with
# SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
unset MAKEFLAGS MFLAGS MAKELEVEL
build=${BUILD:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNAX_SANITIZE=OFF >/dev/null
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" \
    --target codec_tour naxd exchange_session >/dev/null
"$build/examples/codec_tour"
echo
echo "== a trading session against naxd (data in $build/naxd-session) =="
examples/exchange_session.sh "$build/server/naxd" "$build/examples/exchange_session" \
    "$build/naxd-session"

#!/usr/bin/env bash
# The README's run command (also `make run`): installs what is missing
# (scripts/deps.sh), builds, and runs the main job. Today that is
# examples/codec_tour; naxd and an example session against it come next.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
unset MAKEFLAGS MFLAGS MAKELEVEL
build=${BUILD:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNAX_SANITIZE=OFF >/dev/null
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target codec_tour >/dev/null
"$build/examples/codec_tour"

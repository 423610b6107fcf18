#!/usr/bin/env bash
# Keep the README honest: extract its C quick start, build it against this
# build's libnax with strict warnings, run it, and compare what it prints
# with the results its comments promise.
#
# usage: check_readme.sh README CC INCLUDE_DIR LIBNAX_DIR
set -euo pipefail

readme=$1 cc=$2 incdir=$3 libdir=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The first ```c block of the README.
awk '/^```c$/ {inside = 1; next} inside && /^```$/ {exit} inside {print}' "$readme" >"$work/quick.c"
if [ ! -s "$work/quick.c" ]; then
    echo "no \`\`\`c block in $readme" >&2
    exit 1
fi

"$cc" -std=c11 -Wall -Wextra -Werror -I "$incdir" "$work/quick.c" -L "$libdir" -lnax \
    -Wl,-rpath,"$libdir" -o "$work/quick"
"$work/quick" | tee "$work/out"

# Each `printf(...); /* expected */` comment in the block is checked.
grep -q '^notional 16030.86$' "$work/out"
grep -q '^{"pair":"BTC-AUD","side":"buy",' "$work/out"
echo "README quick start builds, runs and prints what it says"

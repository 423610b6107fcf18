#!/usr/bin/env bash
# ABI baseline of libnax.so with libabigail.
#
#   scripts/abi.sh dump  LIBNAX_SO OUT.abi     write the ABI of the public headers
#   scripts/abi.sh check LIBNAX_SO BASELINE    compare a build against the baseline
#
# `check` passes when nothing changed or when the only changes are additions:
# new functions or variables, new enumerators, members appended to a struct
# that carries its size (see tests/abi/allowed.suppr). It fails on removed
# symbols, a SONAME change, and every other changed function or type.
# After an intended change: `make abi-baseline` and a CHANGELOG.md line.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
suppressions=$root/tests/abi/allowed.suppr

# Only the exported functions and the public types they reach, with source
# paths made relative, so the file is the same on every machine and does not
# change with internal refactoring.
dump() {
    abidw --headers-dir "$root/include" --drop-private-types --exported-interfaces-only \
        --no-corpus-path --no-comp-dir-path --no-show-locs --no-elf-needed \
        --type-id-style hash --out-file "$2" "$1"
    sed -i "s|path='$root/|path='|g" "$2"
}

# changed_count REPORT: sum of "N Changed" in the function and variable summaries.
changed_count() {
    sed -n 's/^\(Functions\|Variables\) changes summary: [0-9]* Removed, \([0-9]*\) Changed.*/\2/p' \
        "$1" | awk '{n += $1} END {print n + 0}'
}

check() {
    local lib=$1 baseline=$2 tmp rc=0
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' RETURN
    if [ ! -s "$baseline" ]; then
        echo "abi: no baseline at $baseline; create it with 'make abi-baseline'" >&2
        return 1
    fi
    dump "$lib" "$tmp/current.abi"
    abidiff --suppressions "$suppressions" "$baseline" "$tmp/current.abi" >"$tmp/report" 2>&1 ||
        rc=$?
    cat "$tmp/report"
    # abidiff exit bits: 1 error, 2 usage, 4 ABI change, 8 incompatible change.
    if [ $((rc & 3)) -ne 0 ]; then
        echo "abi: abidiff failed (exit $rc)" >&2
        return 1
    fi
    if [ $((rc & 8)) -ne 0 ]; then
        echo "abi: INCOMPATIBLE: symbols were removed (exit $rc)" >&2
        return 1
    fi
    if [ $((rc & 4)) -ne 0 ]; then
        if grep -q '^ELF SONAME changed' "$tmp/report" || [ "$(changed_count "$tmp/report")" -ne 0 ]; then
            echo "abi: INCOMPATIBLE: existing functions or types changed." >&2
            echo "abi: if this is intended, bump the SONAME, run 'make abi-baseline' and" \
                "say so in CHANGELOG.md" >&2
            return 1
        fi
        echo "abi: compatible additions only; 'make abi-baseline' records them"
        return 0
    fi
    echo "abi: no change against $(basename "$baseline")"
}

case ${1:-} in
dump) dump "$2" "$3" ;;
check) check "$2" "$3" ;;
*)
    echo "usage: $0 dump LIBNAX_SO OUT.abi | check LIBNAX_SO BASELINE" >&2
    exit 2
    ;;
esac

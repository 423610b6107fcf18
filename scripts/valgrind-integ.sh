#!/usr/bin/env bash
# The integration suite (tests/integ) with every naxd it starts running under
# valgrind memcheck. Passes only when pytest passes and no naxd reported a
# valgrind error: an invalid access, an uninitialised read or a definite or
# indirect leak (memcheck exits 99, which Server.stop sees as a failure; this
# script also reads every naxd's stderr, since a naxd killed with SIGKILL never
# gets to exit 99).
#
#   scripts/valgrind-integ.sh [BUILD_DIR] [-- extra pytest args, e.g. -k stream]
#
# BUILD_DIR (default build-valgrind/) is configured and naxd built in it when
# it holds no naxd: a normal RelWithDebInfo build, no sanitizers (valgrind and
# ASan do not mix). Takes 30-60 minutes on 2 cores: run it niced, in the
# background. The logs stay in BUILD_DIR/valgrind-integ/ (pytest.log, and one
# folder per naxd with naxd.stderr.log holding the valgrind report).
set -uo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

dir=build-valgrind
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    dir=$1
    shift
fi
[ "${1:-}" = "--" ] && shift

command -v valgrind >/dev/null || {
    echo "valgrind not installed (Debian package valgrind)" >&2
    exit 2
}

naxd=$dir/server/naxd
if [ ! -x "$naxd" ]; then
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNAX_SANITIZE=OFF >/dev/null &&
        cmake --build "$dir" -j "$(nproc 2>/dev/null || echo 2)" --target naxd || exit 2
fi
if grep -q 'NAX_SANITIZE:BOOL=ON' "$dir/CMakeCache.txt" 2>/dev/null; then
    echo "$dir is a sanitizer build; valgrind needs a plain one" >&2
    exit 2
fi

out=$(cd "$dir" && pwd)/valgrind-integ
rm -rf "$out"
mkdir -p "$out"
supp=$out/naxd.supp

# Suppressions: third-party libraries' one-time global allocations only, never a
# naxd or libnax frame (so a leak or bad access in our code is always reported).
cat >"$supp" <<'EOF'
# (none needed: at exit the only memory left is about 1 KB in 15 blocks of
# OpenSSL's provider and BIO method tables, still reachable, which memcheck does
# not count as an error with --errors-for-leak-kinds=definite,indirect)
EOF

export NAXD_BIN=$(cd "$(dirname "$naxd")" && pwd)/naxd
export NAX_SOURCE_DIR=$src
export PYTHONDONTWRITEBYTECODE=1
export NAXD_WRAPPER="valgrind --tool=memcheck --leak-check=full \
--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
--error-exitcode=99 --track-fds=no --num-callers=30 --suppressions=$supp"
export NAXD_TIMEOUT_SCALE=${NAXD_TIMEOUT_SCALE:-20}

start=$(date +%s)
/usr/bin/python3 -u -m pytest -q -p no:cacheprovider -rfE --basetemp="$out/tmp" \
    --confcutdir="$src/tests/integ" tests/integ "$@" 2>&1 | tee "$out/pytest.log"
rc=${PIPESTATUS[0]}
secs=$(($(date +%s) - start))

# Every valgrind report the servers wrote (a killed naxd has no summary).
logs=$(find "$out/tmp" -name naxd.stderr.log 2>/dev/null)
runs=0 bad_runs=0 errors=0
for f in $logs; do
    while read -r n; do
        runs=$((runs + 1))
        if [ "$n" -gt 0 ]; then
            bad_runs=$((bad_runs + 1))
            errors=$((errors + n))
            echo "valgrind errors in $f"
        fi
    done < <(sed -nE 's/^==[0-9]+== ERROR SUMMARY: ([0-9]+) errors.*/\1/p' "$f")
done
bad='Invalid (read|write|free)|Conditional jump|Use of uninitialised|Syscall param'
bad="$bad|Mismatched free|Source and destination overlap|Argument .* fishy"
invalid=$(cat /dev/null $logs | grep -cE "== ($bad)" || true)
definite=$(cat /dev/null $logs | grep -cE '== .* definitely lost in loss record' || true)
indirect=$(cat /dev/null $logs | grep -cE '== .* indirectly lost in loss record' || true)

echo
echo "valgrind-integ: pytest exit $rc in ${secs}s; $runs naxd runs with a memcheck summary,"
echo "  $bad_runs of them with errors ($errors errors: $invalid invalid-access/uninitialised" \
    "reports, $definite definite and $indirect indirect leak records); logs in $out"
if [ "$runs" -eq 0 ]; then
    echo "no naxd ran under memcheck (NAXD_WRAPPER not honoured?)"
    exit 1
fi
if [ "$rc" -ne 0 ] || [ "$errors" -ne 0 ] || [ "$invalid" -ne 0 ]; then
    exit 1
fi

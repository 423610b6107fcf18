#!/usr/bin/env bash
# The README's test command (also `make test`): installs what is missing
# (scripts/deps.sh), then the format check, then every test in a normal build (build/)
# and in an AddressSanitizer + UBSan build (build-asan/), then each libFuzzer
# target for $NAX_FUZZ_SECONDS (default 30) in a clang build (build-fuzz/,
# ASan + UBSan + coverage; see tests/fuzz). Each ctest prints
# its own summary; a last line adds them up. Runs everything even after a
# failure, so one run shows all problems, and exits non-zero if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh || exit 1

jobs=$(nproc 2>/dev/null || echo 2)
# The builds below pick their own -j; don't let an outer make's flags leak in.
unset MAKEFLAGS MFLAGS MAKELEVEL
failed_steps=()
total_passed=0
total_failed=0

# Keep sanitizer reports readable and fatal.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-strict_string_checks=1:detect_stack_use_after_return=1}

banner() {
    printf '\n==== %s ====\n' "$*"
}

# run_suite NAME DIR CMAKE_ARGS...: configure, build ($suite_target only when
# set), ctest; tally the results.
run_suite() {
    local name=$1 dir=$2 log
    shift 2
    log=$dir/ctest.log
    banner "$name: configure and build ($dir)"
    if ! cmake -S . -B "$dir" "$@" >/dev/null ||
        ! cmake --build "$dir" -j "$jobs" ${suite_target:+--target "$suite_target"}; then
        echo "$name: BUILD FAILED"
        failed_steps+=("$name build")
        return
    fi
    banner "$name: ctest"
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 900 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    # ctest's summary: "97% tests passed, 1 tests failed out of 30"
    local summary passed_failed f t
    summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
    if [ -n "$summary" ]; then
        passed_failed=$(sed -E 's/^[0-9]+% tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1 \2/' \
            <<<"$summary")
        read -r f t <<<"$passed_failed"
        total_failed=$((total_failed + f))
        total_passed=$((total_passed + t - f))
    fi
    if [ "$rc" -ne 0 ] || [ -z "$summary" ]; then
        failed_steps+=("$name tests")
    fi
}

banner "format check (clang-format)"
scripts/format.sh --check || failed_steps+=("format")

run_suite "normal" build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNAX_SANITIZE=OFF -DNAX_BUILD_TESTS=ON
run_suite "asan+ubsan" build-asan -DCMAKE_BUILD_TYPE=Debug -DNAX_SANITIZE=ON -DNAX_BUILD_TESTS=ON
# Only the fuzz targets are built and run here: the suites above cover the rest.
suite_target=fuzz run_suite "fuzz" build-fuzz -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNAX_FUZZ=ON \
    -DNAX_BUILD_TESTS=OFF -DNAX_BUILD_BENCH=OFF -DNAX_FUZZ_SECONDS="${NAX_FUZZ_SECONDS:-30}"
# Each target's run.py line: its executions, the figure fuzzing is judged by.
grep -h ' executions in ' build-fuzz/Testing/Temporary/LastTest.log 2>/dev/null | sort

banner "summary"
if [ ${#failed_steps[@]} -eq 0 ]; then
    echo "tests: format clean, normal, asan+ubsan and fuzz suites green"
else
    echo "tests: FAILED: ${failed_steps[*]}"
fi
echo "total: $total_passed passed, $total_failed failed"
[ ${#failed_steps[@]} -eq 0 ]

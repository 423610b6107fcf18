# Helpers for bench/<name>/run.sh, sourced by them; bench/run sets the
# environment (NAX_SOURCE_DIR, NAX_BENCH_DIR, NAX_BENCH_BUILD_DIR,
# NAX_BENCH_JOBS) before it calls a run.sh.
#
# A run.sh first declares what it needs with require_command and
# require_pkgconfig, then calls requirements_checked. When bench/run is only
# collecting requirements (NAX_BENCH_CHECK_ONLY=1) that call prints what is
# missing and exits; otherwise it stops the benchmark if anything is missing.

_bench_missing=()

# require_command <command> <debian package>
require_command() {
    command -v "$1" >/dev/null 2>&1 || _bench_missing+=("$2|command '$1'")
}

# require_pkgconfig <pkg-config module> <debian package> [description]
require_pkgconfig() {
    if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$1"; then
        _bench_missing+=("$2|${3:-$1} (pkg-config module '$1')")
    fi
}

# Lines of "package|what" for everything declared missing so far.
print_missing() {
    ((${#_bench_missing[@]} == 0)) || printf '%s\n' "${_bench_missing[@]}"
}

requirements_checked() {
    if [[ ${NAX_BENCH_CHECK_ONLY:-0} == 1 ]]; then
        print_missing
        exit 0
    fi
    if ((${#_bench_missing[@]} > 0)); then
        echo "missing:" >&2
        print_missing | sed 's/^\([^|]*\)|\(.*\)/  \2 -- install: apt-get install \1/' >&2
        exit 3
    fi
}

# build_target <cmake target>: build it (and only it) in the benchmark build.
build_target() {
    local log=$NAX_BENCH_BUILD_DIR/bench-build-$1.log
    echo "building $1 (Release, -j$NAX_BENCH_JOBS)"
    if ! cmake --build "$NAX_BENCH_BUILD_DIR" --target "$1" -j"$NAX_BENCH_JOBS" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "build of $1 failed (full log: $log)" >&2
        exit 1
    fi
}

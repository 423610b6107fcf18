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

# apt_install_missing <who> <package>...: install the given Debian packages
# with apt-get (sudo when not root), for peers the rest of the tree does not
# need. Does nothing without packages, apt-get or a way to become root: the
# require_* checks that follow then name what is missing.
apt_install_missing() {
    local who=$1 sudo=()
    shift
    (($#)) || return 0
    command -v apt-get >/dev/null 2>&1 || return 0
    if [[ $(id -u) != 0 ]]; then
        command -v sudo >/dev/null 2>&1 || return 0
        sudo=(sudo)
    fi
    echo "$who: installing $*" >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends \
        "$@" </dev/null >&2 || true
}

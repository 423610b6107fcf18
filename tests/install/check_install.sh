#!/usr/bin/env bash
# Install the build into a temporary prefix and use it the way a partner
# would: pkg-config (shared and static), a C++ compiler, and a CMake project
# with find_package(nax). Also checks the SONAME and that libnax.so exports
# nothing but the public nax_ API.
#
# usage: check_install.sh BUILD_DIR SOURCE_DIR LIBDIR CC CXX VERSION SOVERSION
set -euo pipefail

build=$1 source=$2 libdir_name=$3 cc=$4 cxx=$5 version=$6 soversion=$7
here=$source/tests/install

prefix=$(mktemp -d "${TMPDIR:-/tmp}/nax-install.XXXXXX")
trap 'rm -rf "$prefix"' EXIT
lib=$prefix/$libdir_name
work=$prefix/work
mkdir -p "$work"

failures=0
checks=0

# check NAME COMMAND...: run one check, report it, remember a failure.
check() {
    local name=$1
    shift
    checks=$((checks + 1))
    # A subshell outside any `if`, so `set -e` stops the check at its first failing step.
    set +e
    (
        set -e
        "$@"
    ) >"$work/out" 2>&1
    local rc=$?
    set -e
    if [ "$rc" -eq 0 ]; then
        echo "ok    $name"
    else
        echo "FAIL  $name"
        sed 's/^/      /' "$work/out"
        failures=$((failures + 1))
    fi
}

install_tree() {
    cmake --install "$build" --prefix "$prefix"
}

installed_files() {
    local f
    for f in include/nax.h "$libdir_name/libnax.so" "$libdir_name/libnax.so.$soversion" \
        "$libdir_name/libnax.a" "$libdir_name/pkgconfig/nax.pc" \
        "$libdir_name/cmake/nax/naxConfig.cmake" "$libdir_name/cmake/nax/naxConfigVersion.cmake" \
        "$libdir_name/cmake/nax/naxTargets.cmake"; do
        [ -e "$prefix/$f" ] || { echo "missing: $f"; return 1; }
    done
    # Every public header, and nothing from lib/ (internal headers stay home).
    diff <(cd "$source/include" && find . -name '*.h' | sort) \
        <(cd "$prefix/include" && find . -name '*.h' | sort)
}

soname() {
    local got
    got=$(readelf -d "$lib/libnax.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
    echo "SONAME: $got"
    [ "$got" = "libnax.so.$soversion" ]
}

# The dynamic symbol table holds only nax_* (plus the version node NAX_<n>).
exports_only_public() {
    local symbols bad
    symbols=$(nm -D --defined-only "$lib/libnax.so" | awk '{print $3}' | sed 's/@.*//')
    bad=$(echo "$symbols" | grep -Ev '^(nax_[a-z0-9_]+|NAX_[0-9]+)$' || true)
    bad+=$(echo "$symbols" | grep -E '^nax__' || true)
    if [ -n "$bad" ]; then
        echo "exported but not public API:"
        echo "$bad"
        return 1
    fi
    grep -qx nax_version <<<"$symbols"
}

# Every function a public header declares is exported (else users get link errors).
declared_are_exported() {
    local exported declared missing=""
    exported=$(nm -D --defined-only "$lib/libnax.so" | awk '{print $3}' | sed 's/@.*//')
    # Preprocess, so comments are gone and NAX_API reads as its visibility attribute.
    declared=$("$cc" -E -P -I "$prefix/include" "$prefix/include/nax.h" | tr '\n' ' ' |
        grep -oE 'visibility *\( *"default" *\) *\) *\)[^;{]*\(' |
        grep -oE 'nax_[a-z0-9_]+ *\($' | tr -d ' (' | sort -u)
    for fn in $declared; do
        grep -qx "$fn" <<<"$exported" || missing+=" $fn" # no pipe: grep -q may quit before echo ends (SIGPIPE under pipefail)
    done
    echo "$(echo "$declared" | wc -w) functions declared"
    [ -n "$declared" ]
    if [ -n "$missing" ]; then
        echo "declared in include/ but not exported:$missing"
        return 1
    fi
}

pc() {
    PKG_CONFIG_PATH=$lib/pkgconfig pkg-config "$@"
}

pkg_config_works() {
    local flags
    flags=$(pc --cflags --libs nax)
    echo "pkg-config --cflags --libs nax: $flags"
    [ "$(pc --modversion nax)" = "$version" ]
    [[ " $flags " == *" -I$prefix/include "* ]]
    [[ " $flags " == *" -L$lib "* ]]
    [[ " $flags " == *" -lnax "* ]]
    # Static linking needs the private dependencies too.
    flags=$(pc --static --libs nax)
    echo "pkg-config --static --libs nax: $flags"
    [[ " $flags " == *" -lyajl "* && " $flags " == *" -lcurl "* && " $flags " == *" -lpthread "* ]]
}

c99_flags=(-std=c99 -pedantic -Wall -Wextra -Werror)

c99_shared() {
    # shellcheck disable=SC2046 # pkg-config output is a list of flags
    "$cc" "${c99_flags[@]}" "$here/consumer.c" $(pc --cflags --libs nax) -o "$work/consumer_shared"
    readelf -d "$work/consumer_shared" | grep -q "NEEDED.*\[libnax.so.$soversion\]"
    LD_LIBRARY_PATH=$lib "$work/consumer_shared"
}

# Static: libnax.a plus the shared libraries of the dependencies nax.pc lists
# as private (their own static closure is not installed on Debian).
c99_static() {
    local deps
    deps=$(pc --print-requires-private nax | awk '{print $1}' | tr '\n' ' ')
    echo "Requires.private: $deps"
    # shellcheck disable=SC2046,SC2086
    "$cc" "${c99_flags[@]}" "$here/consumer.c" $(pc --cflags nax) "$lib/libnax.a" \
        $(pkg-config --libs $deps) -lpthread -o "$work/consumer_static"
    if readelf -d "$work/consumer_static" | grep -q 'NEEDED.*libnax'; then
        echo "the static program still needs libnax.so"
        return 1
    fi
    env -u LD_LIBRARY_PATH "$work/consumer_static"
}

cxx11_builds() {
    # shellcheck disable=SC2046
    "$cxx" -std=c++11 -pedantic -Wall -Wextra -Werror "$here/consumer.cpp" \
        $(pc --cflags --libs nax) -o "$work/consumer_cxx"
    LD_LIBRARY_PATH=$lib "$work/consumer_cxx"
}

cmake_package() {
    local dir=$work/cmake_consumer
    cmake -S "$here/cmake_consumer" -B "$dir" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_C_COMPILER="$cc" -DCONSUMER_SOURCE="$here/consumer.c" \
        -DNAX_EXPECTED_VERSION="$version"
    cmake --build "$dir"
    # The imported target's location gives the build RPATH: no LD_LIBRARY_PATH needed.
    env -u LD_LIBRARY_PATH "$dir/consumer_shared"
    env -u LD_LIBRARY_PATH "$dir/consumer_static"
}

check "cmake --install into $prefix" install_tree
check "installed files" installed_files
check "SONAME is libnax.so.$soversion" soname
check "only nax_* symbols exported" exports_only_public
check "every declared function exported" declared_are_exported
check "pkg-config --cflags --libs nax" pkg_config_works
check "C99 program, shared, via pkg-config" c99_shared
check "C99 program, static libnax.a" c99_static
check "C++11 program includes <nax.h>" cxx11_builds
check "find_package(nax) + nax::nax, nax::nax_static" cmake_package

echo "install check: $checks checks, $failures failures"
[ "$failures" -eq 0 ]

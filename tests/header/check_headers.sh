#!/usr/bin/env bash
# Compile every public header on its own, twice in one translation unit, as
# strict C (C99, C11) and strict C++ (C++11, C++17). A header that forgets an
# include, its include guard, extern "C" or relies on an extension fails here.
#
# usage: check_headers.sh CC CXX INCLUDE_DIR [EXTRA_FLAGS...]
set -euo pipefail

cc=$1 cxx=$2 incdir=$3
shift 3
extra=("$@")

c_flags=(-pedantic -Wall -Wextra -Werror -Wundef -Wshadow -Wstrict-prototypes)
cxx_flags=(-pedantic -Wall -Wextra -Werror -Wundef -Wshadow)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failures=0
checked=0

# compile LANG STD HEADER: one translation unit that includes HEADER twice.
compile() {
    local lang=$1 std=$2 header=$3 tu compiler flags
    if [ "$lang" = c ]; then
        tu=$work/tu.c compiler=$cc flags=("${c_flags[@]}")
    else
        tu=$work/tu.cpp compiler=$cxx flags=("${cxx_flags[@]}")
    fi
    printf '#include <%s>\n#include <%s>\nint nax_header_test_anchor;\n' "$header" "$header" >"$tu"
    checked=$((checked + 1))
    if ! "$compiler" "-std=$std" "${flags[@]}" "${extra[@]}" -I "$incdir" -fsyntax-only "$tu" \
        2>"$work/err"; then
        echo "FAIL: <$header> as $std"
        sed 's/^/    /' "$work/err"
        failures=$((failures + 1))
    fi
}

headers=$(cd "$incdir" && find . -name '*.h' | sed 's|^\./||' | LC_ALL=C sort)
if [ -z "$headers" ]; then
    echo "no headers under $incdir" >&2
    exit 1
fi

for header in $headers; do
    for std in c99 c11; do compile c "$std" "$header"; done
    for std in c++11 c++17; do compile cxx "$std" "$header"; done
done

echo "header check: $checked compilations, $failures failures"
[ "$failures" -eq 0 ]

#!/usr/bin/env bash
# clang-format every C/C++ source and header of the project.
#   scripts/format.sh          rewrite the files in place
#   scripts/format.sh --check  change nothing; fail and list the files that differ
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(find lib include server tests bench examples cli bindings \
    \( -name node_modules -o -name 'build*' \) -prune -o \
    -type f \( -name '*.c' -o -name '*.h' -o -name '*.cpp' -o -name '*.hpp' \) -print 2>/dev/null |
    LC_ALL=C sort)

if [ ${#files[@]} -eq 0 ]; then
    echo "format: no C files found" >&2
    exit 1
fi

if [ "${1:-}" = --check ]; then
    if clang-format --dry-run -Werror "${files[@]}"; then
        echo "format: ${#files[@]} files clean"
    else
        echo "format: files above differ from .clang-format; run 'make format'" >&2
        exit 1
    fi
else
    clang-format -i "${files[@]}"
    echo "format: ${#files[@]} files formatted"
fi

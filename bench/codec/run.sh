# bench/codec: libnax's codec against cJSON and jansson. Run through bench/run:
#   bench/run codec [nax_bench_codec options]   the timed table
#   bench/run codec --callgrind [--iterations N] instructions per message instead
set -euo pipefail
source "$NAX_BENCH_DIR/lib.sh"

callgrind=0
args=()
for arg in "$@"; do
    if [[ $arg == --callgrind ]]; then callgrind=1; else args+=("$arg"); fi
done

require_pkgconfig libcjson libcjson-dev "cJSON (codec peer)"
require_pkgconfig jansson libjansson-dev "jansson (codec peer)"
((callgrind == 0)) || require_command valgrind valgrind
requirements_checked

build_target nax_bench_codec
binary=$NAX_BENCH_BUILD_DIR/bench/codec/nax_bench_codec
if ((callgrind)); then
    exec bash "$NAX_BENCH_DIR/codec/callgrind.sh" "$binary" "${args[@]}"
fi
exec "$binary" "${args[@]}"

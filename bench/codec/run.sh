# bench/codec: libnax's codec against cJSON and jansson. Run through bench/run:
#   bench/run codec [--repeats 5] [--min-ms 100] [--warmup-ms 50] [--sizes 1,10,50,200,1000]
#                   the benchlib table (codec.csv), every repeat (codec-runs.csv) and
#                   the "size" chart (codec-series.csv), through bench_codec.py
#   bench/run codec --callgrind [--iterations N] instructions per message instead
set -euo pipefail
TIMEFORMAT='wall time of the benchmark (build excluded): %R s (user %U s, sys %S s)'
source "$NAX_BENCH_DIR/lib.sh"

callgrind=0
args=()
for arg in "$@"; do
    if [[ $arg == --callgrind ]]; then callgrind=1; else args+=("$arg"); fi
done

require_pkgconfig libcjson libcjson-dev "cJSON (codec peer)"
require_pkgconfig jansson libjansson-dev "jansson (codec peer)"
require_command python3 python3
require_command taskset util-linux
((callgrind == 0)) || require_command valgrind valgrind
requirements_checked

build_target nax_bench_codec
binary=$NAX_BENCH_BUILD_DIR/bench/codec/nax_bench_codec
if ((callgrind)); then
    exec bash "$NAX_BENCH_DIR/codec/callgrind.sh" "$binary" "${args[@]}"
fi
time /usr/bin/python3 "$NAX_BENCH_DIR/codec/bench_codec.py" --binary "$binary" "${args[@]}"

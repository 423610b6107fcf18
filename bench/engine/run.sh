# bench/engine: naxd's matching engine against nodejs-order-book (npm), both
# replaying the same synthetic order flow. Run through bench/run:
#   bench/run engine [--ops N] [--repeats N] [--seed S]
# Two flows: a narrow book (limit prices within 60 ticks of a moving mid, a few
# hundred levels) and a wide one (within 50,000 ticks, tens of thousands of
# levels). Each implementation replays a flow once to warm up, then --repeats
# times (default 5) into a fresh book, timed in CPU time; the table shows the
# medians, and the runs go to CSV files beside it.
set -euo pipefail
source "$NAX_BENCH_DIR/lib.sh"

ops=200000
repeats=5
seed=1
while (($#)); do
    case $1 in
    --ops) ops=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    # Options meant for other benchmarks run in the same bench/run call.
    *) echo "bench/engine: ignoring option $1 (have --ops, --repeats, --seed)" >&2; shift ;;
    esac
done

require_command node nodejs
require_command npm npm
requirements_checked

# The peer, pinned, installed beside this script when missing.
peer_version=10.1.1
here=$NAX_BENCH_DIR/engine
installed=$(node -p "require('$here/node_modules/nodejs-order-book/package.json').version" 2>/dev/null || true)
if [[ $installed != "$peer_version" ]]; then
    echo "installing nodejs-order-book@$peer_version into bench/engine/node_modules"
    (cd "$here" && npm install --no-save --no-package-lock --no-audit --no-fund \
        "nodejs-order-book@$peer_version" >/dev/null)
fi

build_target nax_bench_engine
bin=$NAX_BENCH_BUILD_DIR/bench/engine/nax_bench_engine
out=$NAX_BENCH_BUILD_DIR/bench/engine
runs_csv=$out/engine-runs.csv
table_csv=$out/engine.csv
echo "flow,impl,run,ops,cpu_ns,ops_per_s,resting_lots,levels" >"$runs_csv"
echo "metric,libnax_ops_per_s,peer_ops_per_s,ratio,target_ops_per_s,met" >"$table_csv"

# replay <flow name> <impl> <command...>: appends its runs to the CSV.
replay() {
    local flow=$1 impl=$2
    shift 2
    "$@" | awk -v flow="$flow" -v impl="$impl" '
        $1 == "run" { printf "%s,%s,%s,%s,%s,%.0f,%s,%s\n", flow, impl, $2, $4, $6,
                      $4 * 1e9 / $6, $10, $12 }' >>"$runs_csv"
}

# median <flow> <impl> <column> (plain awk: no asort in Debian's mawk)
median() {
    awk -F, -v flow="$1" -v impl="$2" -v col="$3" '$1 == flow && $2 == impl { print $col }' \
        "$runs_csv" | sort -g | awk '{ v[NR] = $1 }
        END { print NR ? (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) : 0 }'
}

rate() { awk -v r="$1" 'BEGIN { if (r >= 1e6) printf "%.2fM", r / 1e6; else printf "%.0fk", r / 1e3 }'; }

echo "flows: $ops operations each (seed $seed): ~55% limit (GTC, IOC, FOK, post-only),"
echo "       5% market, 40% cancels of recent ids; 1000 users; timing: process CPU time,"
echo "       median of $repeats replays after a warm-up, each into a fresh book"
for flow in narrow wide; do
    spread=60
    [[ $flow == wide ]] && spread=50000
    file=$out/flow-$flow.txt
    "$bin" gen "$file" --ops "$ops" --seed "$seed" --spread "$spread"
    replay "$flow" libnax "$bin" run "$file" --repeats "$repeats"
    replay "$flow" peer node "$here/peer.js" "$file" "$repeats"
done

echo
printf '%-34s | %9s | %9s | %7s | %12s | %s\n' metric libnax peer ratio target met
printf '%-34s-+-%9s-+-%9s-+-%7s-+-%12s-+-%s\n' "$(printf '%.0s-' {1..34})" --------- \
    --------- ------- ------------ ---
for flow in narrow wide; do
    ours=$(median "$flow" libnax 6)
    theirs=$(median "$flow" peer 6)
    ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.1fx", (b > 0 ? a / b : 0) }')
    target=- met=-
    if [[ $flow == narrow ]]; then
        target=">= 2M ops/s"
        met=$(awk -v a="$ours" 'BEGIN { print (a >= 2e6 ? "yes" : "NO") }')
    fi
    levels=$(median "$flow" libnax 8)
    metric="ops/s, $flow book (~$(printf '%.0f' "$levels") levels)"
    printf '%-34s | %9s | %9s | %7s | %12s | %s\n' "$metric" "$(rate "$ours")" \
        "$(rate "$theirs")" "$ratio" "$target" "$met"
    echo "\"$metric\",$ours,$theirs,${ratio%x},$([[ $flow == narrow ]] && echo 2000000),$met" >>"$table_csv"
done

# Same flow, same final book: resting lots and level counts must agree.
echo
for flow in narrow wide; do
    a=$(awk -F, -v f="$flow" '$1 == f && $2 == "libnax" { print $7 "/" $8; exit }' "$runs_csv")
    b=$(awk -F, -v f="$flow" '$1 == f && $2 == "peer" { print $7 "/" $8; exit }' "$runs_csv")
    verdict="agree"
    [[ $a == "$b" ]] || verdict="DIFFER"
    echo "final book ($flow), resting lots/levels: libnax $a, peer $b: $verdict"
done
echo "csv: $table_csv (table), $runs_csv (every run)"

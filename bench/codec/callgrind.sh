# Instructions per message for every cell of the codec benchmark, counted by
# callgrind: unlike wall time they do not move with the load of a shared
# machine, so they are the number to compare before and after a codec change.
# Usage (through bench/run): bench/run codec --callgrind [--iterations N]
set -euo pipefail

binary=$1
shift
iterations=2000
while (($#)); do
    case $1 in
    --iterations) iterations=$2; shift 2 ;;
    *) echo "callgrind mode takes only --iterations N (got '$1')" >&2; exit 2 ;;
    esac
done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Ir inside profile_cell (the timed loop) for one cell, divided by its messages.
instructions_per_message() {
    local cell=$1 messages=$2 collected
    collected=$(valgrind --tool=callgrind --toggle-collect=profile_cell \
        --callgrind-out-file="$out/$cell.out" \
        "$binary" --profile "$cell" --iterations "$messages" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    echo $((collected / messages))
}

"$binary" --verify-only
echo
echo "instructions per message (callgrind, $iterations messages per cell; snapshot: 1/10 of that)"
printf '%-9s %-7s %12s %12s %12s %10s %10s\n' kind op libnax cJSON jansson vs-cJSON vs-jansson
for kind in ticker order delta snapshot; do
    messages=$iterations
    [[ $kind == snapshot ]] && messages=$(((iterations + 9) / 10))
    for op in decode encode; do
        nax=$(instructions_per_message "$kind:$op:libnax" "$messages")
        cjson=$(instructions_per_message "$kind:$op:cjson" "$messages")
        jansson=$(instructions_per_message "$kind:$op:jansson" "$messages")
        printf '%-9s %-7s %12d %12d %12d %9sx %9sx\n' "$kind" "$op" "$nax" "$cjson" "$jansson" \
            "$(awk -v a="$cjson" -v b="$nax" 'BEGIN { printf "%.2f", a / b }')" \
            "$(awk -v a="$jansson" -v b="$nax" 'BEGIN { printf "%.2f", a / b }')"
    done
done
echo "(vs-X = X's instructions / libnax's: above 1 means libnax does less work)"

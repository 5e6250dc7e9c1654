#!/usr/bin/env bash
# series.sh RUNS FILTER [BENCH]: run a kernel_sim_bench filter RUNS times, each in a
# fresh process (3 repetitions, median), and print every run's items/s per benchmark,
# then the lowest, middle and highest of those medians. The build machine's speed
# changes from one process to the next (the same binary alternates between ~150 and
# ~300 ns per round trip), so one run says little; a series shows both levels.
# build/bench/machine_probe shows the same swings on plain integer code.
set -euo pipefail
runs=${1:?usage: series.sh RUNS FILTER [BENCH]}
filter=${2:?usage: series.sh RUNS FILTER [BENCH]}
bench=${3:-$(dirname "$0")/../build/bench/kernel_sim_bench}
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "series.sh: RUNS must be a positive number, not '$runs'" >&2; exit 2; }
[[ -x $bench ]] || { echo "series.sh: $bench is not built (./lab build)" >&2; exit 2; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for ((i = 1; i <= runs; i++)); do
  "$bench" --benchmark_filter="$filter" --benchmark_repetitions=3 \
    --benchmark_report_aggregates_only=true 2>/dev/null |
    awk -v run="$i" '$1 ~ /_median$/ {
      name = $1; sub(/_median$/, "", name); sub(/^BM_/, "", name)
      for (f = 2; f <= NF; f++) if ($f ~ /^items_per_second=/) {
        v = $f; sub(/^items_per_second=/, "", v); sub(/\/s$/, "", v)
        scale = 1
        if (v ~ /k$/) scale = 1e3; else if (v ~ /M$/) scale = 1e6; else if (v ~ /G$/) scale = 1e9
        sub(/[kMG]$/, "", v)
        printf "%s %d %.2f\n", name, run, v * scale / 1e6
      }
    }' >>"$tmp"
done
[[ -s $tmp ]] || { echo "series.sh: no benchmark matched '$filter'" >&2; exit 2; }
awk '{ v[$1] = v[$1] " " $3; n[$1]++ } END { for (b in v) print b, v[b] }' "$tmp" | sort |
  while read -r name values; do
    sorted=$(tr ' ' '\n' <<<"$values" | sort -g | tr '\n' ' ')
    read -r -a a <<<"$sorted"
    k=${#a[@]}
    printf '%-40s M items/s per run:%s | low %s  median %s  high %s\n' "$name" " $values" \
      "${a[0]}" "${a[$((k / 2))]}" "${a[$((k - 1))]}"
  done

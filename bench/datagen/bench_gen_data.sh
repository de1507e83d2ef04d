#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# gen_data throughput (docs/benchmarks.md, section gen_data): the same simulations at 1
# and 2 worker threads, in simulations per second and per core-second, and the speed-up
# from 1 to 2 threads (target >= 1.8). Run from the source root after building gen_data:
#   bench/datagen/bench_gen_data.sh [GEN_DATA] [CONFIG] [SIMS] [-- extra gen_data arguments]
# Defaults: build/release/bin/gen_data, configs/data/tiny.toml, 32 simulations.
set -euo pipefail

gen_data=${1:-build/release/bin/gen_data}
config=${2:-configs/data/tiny.toml}
sims=${3:-32}
shift $(( $# < 3 ? $# : 3 ))
[[ ${1:-} == "--" ]] && shift

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

declare -A rate
for threads in 1 2; do
  out="$scratch/t$threads"
  start=$(date +%s.%N)
  "$gen_data" --config "$config" --num-sims "$sims" --out "$out" --threads "$threads" --quiet "$@"
  end=$(date +%s.%N)
  rate[$threads]=$(echo "$sims / ($end - $start)" | bc -l)
  failed=$(grep -m1 '"failed"' "$out/manifest.json" | tr -dc '0-9')
  printf '%s: %d simulations (%d failed) on %d thread(s): %.2f sims/s, %.3f sims per core-second\n' \
    "$config" "$sims" "$failed" "$threads" "${rate[$threads]}" "$(echo "${rate[$threads]} / $threads" | bc -l)"
done
printf 'speed-up from 1 to 2 threads: %.2fx (target >= 1.8)\n' "$(echo "${rate[2]} / ${rate[1]}" | bc -l)"

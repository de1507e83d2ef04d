#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# gen_data throughput (docs/benchmarks.md, section gen_data): the same simulations at 1
# and 2 worker threads, end to end (start-up, simulation 0's probe, commits and merges
# included). Reports simulations per wall second, per core-second of wall time (wall x
# threads) and per CPU second (user + system, all threads), and the speed-up from 1 to 2
# threads (target >= 1.8). On a machine shared with other work the wall figures measure the
# share of the cores gen_data got; simulations per CPU second do not depend on it, and equal
# values at 1 and 2 threads mean the threads cost each other nothing. From the source root:
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

echo "$(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
declare -A rate
for threads in 1 2; do
  out="$scratch/t$threads"
  /usr/bin/time -f '%e %U %S' -o "$scratch/time" \
    "$gen_data" --config "$config" --num-sims "$sims" --out "$out" --threads "$threads" --quiet "$@"
  read -r wall user system < "$scratch/time"
  rate[$threads]=$(echo "$sims / $wall" | bc -l)
  failed=$(grep -m1 '"failed"' "$out/manifest.json" | tr -dc '0-9')
  printf '%s, %d simulations (%d failed), %d thread(s): %.1f s wall, %.2f sims/s, %.3f sims per core-second, %.3f sims per CPU second\n' \
    "$config" "$sims" "$failed" "$threads" "$wall" "${rate[$threads]}" \
    "$(echo "${rate[$threads]} / $threads" | bc -l)" "$(echo "$sims / ($user + $system)" | bc -l)"
done
printf 'speed-up from 1 to 2 threads (wall): %.2fx (target >= 1.8)\n' "$(echo "${rate[2]} / ${rate[1]}" | bc -l)"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The data pipeline's throughput and peak memory at two dataset sizes (docs/benchmarks.md,
# section "Data pipeline"): normalize_raw in simulations per second, the StreamingReader in
# samples per second from disk and from the page cache, and each step's peak RSS, which must
# not grow with the dataset. Every step runs in its own process. From the source root:
#   bench/dataset/bench_dataset.sh [BENCH_DATASET] [SIZES...]
# Defaults: build/release/bin/bench_dataset, 1024 and 16384 simulations.
set -euo pipefail

bench=${1:-build/release/bin/bench_dataset}
shift $(( $# < 1 ? $# : 1 ))
sizes=("$@")
[[ ${#sizes[@]} -eq 0 ]] && sizes=(1024 16384)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "$(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for sims in "${sizes[@]}"; do
  "$bench" synth --out "$scratch/raw$sims" --sims "$sims"
  echo "raw shards: $(du -sm "$scratch/raw$sims" | cut -f1) MiB"
  "$bench" normalize --in "$scratch/raw$sims" --out "$scratch/norm$sims"
  echo "normalized: $(du -sm "$scratch/norm$sims" | cut -f1) MiB"
  "$bench" read --in "$scratch/norm$sims" --samples 65536 --batch 256
  rm -rf "$scratch/raw$sims" "$scratch/norm$sims"
done

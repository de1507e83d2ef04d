#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Data-parallel training throughput (docs/benchmarks.md, "edm2: data-parallel training"):
# the same global batch trained by one process on all cores, by one process on one core,
# and by 2 ranks on localhost (Gloo) with the cores split between them; then the scaling
# projected from the measured all-reduce cost. From the source root:
#   bench/edm2/bench_data_parallel.sh [BENCH] [MODEL_CONFIG] [BATCH] [STEPS]
# Defaults: build/release/bin/bench_edm2_data_parallel, configs/model/reference_small.toml,
# global batch 64, 10 timed steps.
#
# Projection (no overlap assumed, so a bound): N ranks, each as fast as one of the 2 ranks
# measured here, whose computation for B samples takes T_1 = 2 (step - wait) of the
# 2-rank run; global batch B (strong scaling: B/N per rank) or N*B (weak: B per rank). A
# ring all-reduce moves 2(N-1)/N of the gradient per rank, so its time is
# T_ar(N) = 2(N-1)/N * T_ar(2), with T_ar(2) the measured all-reduce alone of 2 ranks.
#   strong: step(N) = T_1 / N + T_ar(N)      weak: step(N) = T_1 + T_ar(N)
#   efficiency = T_1 / (N step(N)) (strong), T_1 / step(N) (weak).
set -euo pipefail

bench=${1:-build/release/bin/bench_edm2_data_parallel}
config=${2:-configs/model/reference_small.toml}
batch=${3:-64}
steps=${4:-10}
cores=$(nproc)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$bench" --config "$config" --work "$scratch" --prepare

echo "$(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), $cores cores"
one=$("$bench" --config "$config" --work "$scratch" --batch "$batch" --steps "$steps" --threads "$cores" --quiet)
echo "$one"
single=$("$bench" --config "$config" --work "$scratch" --batch "$batch" --steps "$steps" --threads 1 --quiet)
echo "$single"
port=$((20000 + RANDOM % 20000))
per_rank=$(( cores / 2 > 0 ? cores / 2 : 1 ))
RANK=1 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
  "$bench" --config "$config" --work "$scratch" --batch "$batch" --steps "$steps" --threads "$per_rank" --quiet \
  > "$scratch/rank1" &
two=$(RANK=0 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
  "$bench" --config "$config" --work "$scratch" --batch "$batch" --steps "$steps" --threads "$per_rank" --quiet)
wait
other=$(cat "$scratch/rank1")
echo "$two"
echo "$other"

field() { awk -v key="$2" '{ for (i = 1; i < NF; ++i) if ($i == key) print $(i + 1) }' <<< "$1"; }
wait_ms=$(field "$two" allreduce_wait_ms)
alone=$(field "$two" allreduce_alone_ms)
t1=$(awk -v t2="$(field "$two" step_ms)" -v w="$wait_ms" 'BEGIN { printf "%.1f", 2 * (t2 - w) }')
awk -v r1="$(field "$one" samples_per_s)" -v r2="$(field "$two" samples_per_s)" \
    -v t2="$(field "$two" step_ms)" -v w="$wait_ms" -v a="$alone" \
    -v r11="$(field "$single" samples_per_s)" -v b="$batch" \
    -v c1="$(field "$one" cpu_s_per_step)" -v c11="$(field "$single" cpu_s_per_step)" \
    -v c2="$(field "$two" cpu_s_per_step)" -v c2b="$(field "$other" cpu_s_per_step)" \
    'BEGIN { printf "2 ranks / 1 process on the same cores: %.2fx samples/s (2 ranks / 1 process on one core: %.2fx)\n", r2 / r1, r2 / r11
             printf "samples per CPU second: 1 process %.2f (%d threads), %.2f (1 thread); 2 ranks %.2f\n",
                    b / c1, '"$cores"', b / c11, b / (c2 + c2b)
             printf "all-reduce wait after the backward pass: %.1f %% of a 2-rank step; the all-reduce alone: %.1f %%\n",
                    100 * w / t2, 100 * a / t2 }'
echo "projection from T_1 = $t1 ms (one rank's computation for $batch samples) and T_ar(2) = $alone ms:"
awk -v t1="$t1" -v a="$alone" 'BEGIN {
  printf "%6s %14s %12s %14s %12s\n", "ranks", "strong step ms", "efficiency", "weak step ms", "efficiency"
  for (n = 2; n <= 64; n *= 2) {
    ar = 2 * (n - 1) / n * a
    strong = t1 / n + ar; weak = t1 + ar
    printf "%6d %14.1f %11.0f%% %14.1f %11.0f%%\n", n, strong, 100 * t1 / (n * strong), weak, 100 * t1 / weak
  }
}'

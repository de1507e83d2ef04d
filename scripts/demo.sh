#!/usr/bin/env bash
# The demo command: installs what is missing, builds the release preset and runs the
# end-to-end pipeline as far as it exists, writing everything under out/demo/.
# A step whose app is not built yet is reported as missing, never faked.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release
cmake --build --preset release

bin=build/release/bin
out=out/demo
mkdir -p "$out"
missing=()

have() { [ -x "$bin/$1" ]; }
step() { printf '\n== %s\n' "$*"; }

# 1. One simulation: LANDMARK case 1, time-averaged profiles and plots against the
#    benchmark's reference curves.
if have hallsim; then
  step "hallsim: LANDMARK case 1 (2 ms of simulated time)"
  "$bin/hallsim" configs/hallsim/landmark_case1.toml -o "$out/landmark_case1.h5"
  if have hallsim_plot; then
    step "hallsim_plot: profiles against LANDMARK fluid and hybrid results"
    "$bin/hallsim_plot" "$out/landmark_case1.h5" -o "$out/landmark_case1" \
      --reference data/hallthruster/landmark/case_1
    echo "plots: $out/landmark_case1/*.png"
  else
    missing+=(hallsim_plot)
  fi
else
  missing+=(hallsim)
fi

# 2-4. Dataset (gen_data, normalize_data, split_data), prior (train) and posterior
#      (sample, evaluate). train is built, but it learns from the dataset that the
#      data apps write, so it runs here once they exist.
for app in gen_data normalize_data split_data train sample evaluate; do
  have "$app" || missing+=("$app")
done
if have train; then
  echo "train: built; waits for the normalized dataset of gen_data/normalize_data/split_data"
fi

printf '\n== demo finished; outputs in %s\n' "$out"
if [ ${#missing[@]} -gt 0 ]; then
  echo "Pipeline steps not in the suite yet (no app built): ${missing[*]}"
fi

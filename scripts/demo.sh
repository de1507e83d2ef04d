#!/usr/bin/env bash
# The demo command (docs/user-guide.md "The demo"): installs what is missing, builds the
# release preset, then runs the whole pipeline at demo size on the tiny data config:
#   1. prepare_data  simulations of the SPT-100 (64 cells, 0.5 ms), split and normalized
#   2. train         the demo model (configs/train/demo.toml), exported to runs/demo/model
#   3. evaluate      the 15-point ion-velocity problem (500 m/s noise, operating point known)
#                    on held-out simulations, by MMPS and by DPS
# and writes runs/demo/report.md (timings, coverage and error tables, plots). Every step
# resumes: an interrupted demo continues where it stopped, and a second run reuses what is
# done. Sizes can be changed through the environment, e.g. DEMO_SIMS=4096 scripts/demo.sh;
# DEMO_METHODS=mmps,dps,sir adds importance resampling (about a minute per case for 2048
# prior samples, and far more prior samples than that for 15 precise points).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release
cmake --build --preset release

bin=build/release/bin
out=${DEMO_OUT:-runs/demo}
sims=${DEMO_SIMS:-2048}          # simulations generated (about 0.14 CPU s each)
cases=${DEMO_CASES:-32}          # held-out simulations evaluated
samples=${DEMO_SAMPLES:-64}      # posterior samples per case
methods=${DEMO_METHODS:-mmps,dps}  # posterior methods compared
prior=${DEMO_SIR_PRIOR:-2048}    # prior samples importance resampling weighs per case (sir)
mkdir -p "$out"
timings="$out/timings.md"
printf '| step | seconds (this run) |\n|---|---|\n' > "$timings"

run_step() {  # run_step NAME COMMAND...: runs and times one step
  local name=$1 start
  shift
  printf '\n== %s\n' "$name"
  start=$(date +%s)
  "$@"
  printf '| %s | %d |\n' "$name" $(( $(date +%s) - start )) >> "$timings"
}

run_step "prepare_data: $sims simulations (tiny config)" \
  "$bin/prepare_data" --config configs/data/tiny.toml --num-sims "$sims" --out "$out/data"
run_step "train: the demo model" \
  "$bin/train" --config configs/train/demo.toml --out "$out/train" \
    --set "data.dataset=\"$PWD/$out/data/normalized/dataset.h5\"" \
    --set "data.train_split=\"$PWD/$out/data/normalized/dataset.train.h5\"" \
    --set "data.val_split=\"$PWD/$out/data/normalized/dataset.val_small.h5\""
run_step "train --export-sigma-rel 0.1: the sampling model" \
  "$bin/train" --out "$out/train" --export-sigma-rel 0.1 --export "$out/model"
run_step "evaluate: $cases held-out cases x $samples samples ($methods)" \
  "$bin/evaluate" --model "$out/model" --data "$out/data/normalized/dataset.val_large.h5" \
    --observation-template configs/observations/lif_template.toml \
    --num-cases "$cases" --num-samples "$samples" --methods "$methods" \
    --set "sir.prior_samples=$prior" --out "$out/evaluation"

# The report: how long each step took, then evaluate's report with its plots.
{
  echo "# hall_diffusion demo"
  echo
  echo "Pipeline run by \`scripts/demo.sh\` on $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "A step an earlier run finished only checks its output here (a few seconds)."
  echo
  cat "$timings"
  echo
  sed -e 's|](plots/|](evaluation/plots/|g' -e 's|^# |## |' -e 's|^## \([a-z]*\)$|### \1|' "$out/evaluation/report.md"
} > "$out/report.md.tmp"
mv "$out/report.md.tmp" "$out/report.md"
printf '\n== demo finished: %s (model: %s/model)\n' "$out/report.md" "$out"

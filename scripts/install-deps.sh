#!/usr/bin/env bash
# Installs the Debian 12 packages hall_diffusion needs, only those that are missing.
# Does nothing (and needs no network) when everything is present.
set -euo pipefail

packages=(
  cmake ninja-build g++ ccache
  libtorch-dev libopenblas0-openmp
  libeigen3-dev libsundials-dev libhdf5-dev nlohmann-json3-dev libtomlplusplus-dev
  libcli11-dev libspdlog-dev libgtest-dev libgmock-dev libbenchmark-dev libopenmpi-dev libgloo-dev
  gnuplot-nox
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"

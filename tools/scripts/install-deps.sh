#!/usr/bin/env bash
# Installs the Debian 12 packages dsflow builds, tests and runs with, or the packages named
# as arguments (the benchmark scripts' extras: install-deps.sh openmpi-bin ...).
# Idempotent: when everything is there it only asks dpkg and returns.
set -euo pipefail

packages=(
  build-essential pkg-config meson ninja-build python3
  libcaf-dev libyaml-cpp-dev libzstd-dev libwebp-dev libfabric-dev
  libboost-test-dev libopenblas-dev libxxhash-dev zlib1g-dev
  dataset-fashion-mnist fortunes
)
if [[ $# -gt 0 ]]; then
  packages=("$@")
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq </dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null

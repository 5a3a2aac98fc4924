#!/usr/bin/env bash
# Configures (once) and builds dsflow in BUILD_DIR (default: build/).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
if [[ ! -f "$build/build.ninja" ]]; then
  meson setup "$build" "$root" --buildtype=release ${MESON_ARGS:-} >/dev/null
fi
ninja -C "$build" >/dev/null || ninja -C "$build" -j1

#!/usr/bin/env bash
# Configures (once) and builds dsflow in BUILD_DIR (default: build/).
# BUILD_SUITES (e.g. "unit fuzz"): build only what the tests of those Meson suites need
# (see suite-targets.py), not every target; tools/test.sh uses it for the sanitizer build.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
if [[ ! -f "$build/build.ninja" ]]; then
  meson setup "$build" "$root" --buildtype=release ${MESON_ARGS:-} >/dev/null
fi
targets=()
if [[ -n "${BUILD_SUITES:-}" ]]; then
  # Regenerate first if a meson.build changed, so the introspection lists today's tests.
  ninja -C "$build" build.ninja >/dev/null
  list=$("$root/tools/scripts/suite-targets.py" "$build" $BUILD_SUITES)
  mapfile -t targets <<<"$list"
fi
ninja -C "$build" "${targets[@]}" >/dev/null || ninja -C "$build" -j1 "${targets[@]}"

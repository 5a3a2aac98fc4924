#!/usr/bin/env bash
# The main job: installs what is missing, builds, packs the real datasets
# into $DS_DATA_DIR (default: data/ in the repository) when they are not there
# yet, and runs ds-run with the given arguments (no argument: the default
# pipeline, configs/default.yaml).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/scripts/install-deps.sh"
"$root/tools/scripts/build.sh"
build=${BUILD_DIR:-$root/build}
export DS_DATA_DIR=${DS_DATA_DIR:-$root/data}
if [[ ! -d "$DS_DATA_DIR/fashion-mnist/train" ]]; then
  "$build/tools/ds-pack/ds-pack" fashion-mnist --out "$DS_DATA_DIR/fashion-mnist" >&2
fi
if [[ ! -d "$DS_DATA_DIR/fortunes/train" ]]; then
  "$build/tools/ds-pack/ds-pack" text --in /usr/share/games/fortunes --window 129 \
    --out "$DS_DATA_DIR/fortunes" >&2
fi
exec "$build/tools/ds-run" "$@"

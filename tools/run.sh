#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs ds-run with the
# given arguments (no argument: the default pipeline, configs/default.yaml).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/scripts/install-deps.sh"
"$root/tools/scripts/build.sh"
exec "${BUILD_DIR:-$root/build}/tools/ds-run" "$@"
